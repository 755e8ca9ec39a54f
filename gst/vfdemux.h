/* vidflow plugin: vfdemux, splits a batched stream back into one stream per source. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define VF_TYPE_DEMUX (vf_demux_get_type())
G_DECLARE_FINAL_TYPE(VfDemux, vf_demux, VF, DEMUX, GstElement)

GST_ELEMENT_REGISTER_DECLARE(vfdemux);

G_END_DECLS
