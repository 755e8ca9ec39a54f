/* vidflow: the GStreamer plugin. Each element registers itself here. */
#include <gst/gst.h>

#include "vfconvert.h"
#include "vfdemux.h"
#include "vfipcsink.h"
#include "vfipcsrc.h"
#include "vfmux.h"
#ifdef VF_HAVE_VFINFER
#include "vfinfer.h"
#endif
#ifdef VF_HAVE_VFOSD
#include "vfosd.h"
#endif
/* flow: sources and display */
#include "vftiler.h"
#include "vfurisrcbin.h"
/* seed-graphs: DeepStream's display sinks */
#include "vfdisplaysink.h"
/* events out */
#include "vfmsgbroker.h"
#include "vfmsgconv.h"
/* tracking */
#include "vftracker.h"
/* live: smart recording */
#include "vfsmartrecord.h"

static gboolean plugin_init(GstPlugin *plugin)
{
  gboolean ok = TRUE;
  ok &= GST_ELEMENT_REGISTER(vfmux, plugin);
  ok &= GST_ELEMENT_REGISTER(vfdemux, plugin);
  ok &= GST_ELEMENT_REGISTER(vfconvert, plugin);
#ifdef VF_HAVE_VFINFER
  ok &= GST_ELEMENT_REGISTER(vfinfer, plugin);
#endif
#ifdef VF_HAVE_VFOSD
  ok &= GST_ELEMENT_REGISTER(vfosd, plugin);
#endif
  /* flow: sources and display */
  ok &= GST_ELEMENT_REGISTER(vfurisrcbin, plugin);
  ok &= GST_ELEMENT_REGISTER(vftiler, plugin);
  ok &= GST_ELEMENT_REGISTER(vfdisplaysink, plugin);
  /* events out */
  ok &= GST_ELEMENT_REGISTER(vfmsgconv, plugin);
  ok &= GST_ELEMENT_REGISTER(vfmsgbroker, plugin);
  /* tracking */
  ok &= GST_ELEMENT_REGISTER(vftracker, plugin);
  /* live: smart recording */
  ok &= GST_ELEMENT_REGISTER(vfsmartrecord, plugin);
  /* ipc: frames across processes */
  ok &= GST_ELEMENT_REGISTER(vfipcsink, plugin);
  ok &= GST_ELEMENT_REGISTER(vfipcsrc, plugin);
  return ok;
}

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, vidflow,
                  "vidflow: batching, inference, tracking and display for video analytics",
                  plugin_init, VERSION, "MIT/X11", "vidflow", "https://example.invalid/vidflow")
