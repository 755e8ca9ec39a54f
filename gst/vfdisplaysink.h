/* vfdisplaysink: shows plain video or batches on the display (what vidflow runs for DeepStream's
 * nveglglessink and nv3dsink). */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define VF_TYPE_DISPLAY_SINK (vf_display_sink_get_type())
G_DECLARE_FINAL_TYPE(VfDisplaySink, vf_display_sink, VF, DISPLAY_SINK, GstBin)

GST_ELEMENT_REGISTER_DECLARE(vfdisplaysink);

G_END_DECLS
