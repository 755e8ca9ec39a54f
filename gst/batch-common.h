/* vidflow plugin: helpers shared by vfmux and vfdemux. */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

/* Keep `held` (transfer full) alive until `buffer` is gone, and release it only after
 * `buffer` dropped its memories: a pool that gets `held` back then finds its memory unshared and
 * recycles it (a GstParentBufferMeta would give it back while the memory is still shared, and the
 * pool would throw the memory away). Copies of `buffer` share the memory but not the hold: the
 * memory stays valid (it is reference counted), only the recycling is lost. */
void vf_gst_buffer_hold(GstBuffer *buffer, GstBuffer *held);

/* TRUE when a memory of `buffer` in [first, first + n) is CUDA memory (not mappable here). */
gboolean vf_gst_buffer_has_cuda_memory(GstBuffer *buffer, guint first, guint n);
/* TRUE when caps carry memory:CUDAMemory. */
gboolean vf_gst_caps_is_cuda(const GstCaps *caps);

/* The formats vfmux accepts (GstVideoConverter converts between all of them on the CPU). */
#define VF_MUX_FORMATS                                                                             \
  "{ RGB, RGBA, NV12, I420, BGR, BGRA, BGRx, RGBx, xRGB, xBGR, ARGB, ABGR, YV12, NV21, GRAY8, "    \
  "YUY2, UYVY, Y42B, Y444 }"

/* Fill `frame` as a view of pixels laid out as `info` starting at `base` (no buffer behind it),
 * for GstVideoConverter and gst_video_frame_copy. */
void vf_gst_video_frame_view(GstVideoFrame *frame, const GstVideoInfo *info, guint8 *base);

G_END_DECLS
