/* vidflow plugin: vfmux, batches the frames of N sources into one buffer with a VfBatchMeta. */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

#define VF_TYPE_MUX (vf_mux_get_type())
G_DECLARE_FINAL_TYPE(VfMux, vf_mux, VF, MUX, GstElement)

#define VF_TYPE_MUX_PAD (vf_mux_pad_get_type())
G_DECLARE_FINAL_TYPE(VfMuxPad, vf_mux_pad, VF, MUX_PAD, GstPad)

GST_ELEMENT_REGISTER_DECLARE(vfmux);

G_END_DECLS
