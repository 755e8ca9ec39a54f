/* vidflow: the GStreamer plugin. Each element registers itself here. */
#include <gst/gst.h>

static gboolean
plugin_init(GstPlugin *plugin)
{
  (void)plugin;
  return TRUE;
}

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, vidflow,
                  "vidflow: batching, inference, tracking and display for video analytics",
                  plugin_init, VERSION, "MIT", "vidflow", "https://example.invalid/vidflow")
