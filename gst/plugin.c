/* vidflow: the GStreamer plugin. Each element registers itself here. */
#include <gst/gst.h>

/* flow: sources and display */
#include "vfurisrcbin.h"

static gboolean
plugin_init(GstPlugin *plugin)
{
  gboolean ok = TRUE;
  /* flow: sources and display */
  ok &= GST_ELEMENT_REGISTER(vfurisrcbin, plugin);
  return ok;
}

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, vidflow,
                  "vidflow: batching, inference, tracking and display for video analytics",
                  plugin_init, VERSION, "MIT", "vidflow", "https://example.invalid/vidflow")
