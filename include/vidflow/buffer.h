/* vidflow: VfBuffer, what flows between providers, pipelines and retrievers (the seed's Buffer).
 *
 * A VfBuffer wraps a GstBuffer together with what it holds (caps): one frame, a batch of frames
 * (from vfmux), or encoded data (JPEG, H.264). It is reference counted and immutable once made;
 * vf_buffer_extract hands out zero-copy tensor views that keep the buffer alive.
 *
 * The empty buffer (vf_buffer_new_empty, the seed's Buffer()) means end of stream when a provider
 * returns it. */
#pragma once

#include <gst/gst.h>
#include <vidflow/meta.h>
#include <vidflow/tensor.h>

G_BEGIN_DECLS

typedef struct _VfBuffer VfBuffer;

/* The end-of-stream marker (transfer full). */
VF_API VfBuffer *vf_buffer_new_empty(void);
/* TRUE for NULL, the end-of-stream marker, and a GstBuffer without bytes that is not a batch (a
 * batch holds no bytes itself: its frames are buffers of their own). */
VF_API gboolean vf_buffer_is_empty(const VfBuffer *buffer);

/* A frame over user memory, without copying (transfer full). strides: row stride in bytes of
 * each plane (NULL: the default, tightly packed rows); planes follow each other in `data`.
 * For JPEG/H264, width/height may be 0 and `size` is the encoded size. notify(user_data) runs
 * when the pipeline is done with the memory, on any thread; on failure it is NOT called. */
VF_API VfBuffer *vf_buffer_new_wrapped(VfColorFormat format, guint width, guint height,
                                       const gsize *strides, gpointer data, gsize size,
                                       gpointer user_data, GDestroyNotify notify, GError **error);
/* The same, copying `data` (the copy has the default strides). */
VF_API VfBuffer *vf_buffer_new_copy(VfColorFormat format, guint width, guint height,
                                    const gsize *strides, gconstpointer data, gsize size,
                                    GError **error);
/* A frame of the default layout, zero-filled, to write into through vf_buffer_extract_writable. */
VF_API VfBuffer *vf_buffer_new_frame(VfColorFormat format, guint width, guint height,
                                     GError **error);

/* The seed's tensor.wrap(ColorFormat.X): a frame over a tensor's memory, zero-copy; the buffer
 * holds a reference on the tensor. HWC uint8 tensors for packed formats, [H,W] or [H,W,1] for
 * GRAY8, [H*3/2, W] for NV12/I420, 1-D uint8 for JPEG/H264. */
VF_API VfBuffer *vf_tensor_wrap(VfTensor *tensor, VfColorFormat format, GError **error);

/* Wrap a GstBuffer described by caps (both transfer none: references are taken). */
VF_API VfBuffer *vf_buffer_new_from_gst(GstBuffer *buffer, GstCaps *caps);
VF_API VfBuffer *vf_buffer_new_from_sample(GstSample *sample);

VF_API VfBuffer *vf_buffer_ref(VfBuffer *buffer);
VF_API void vf_buffer_unref(VfBuffer *buffer);

/* (transfer none, nullable) NULL for the empty buffer. */
VF_API GstBuffer *vf_buffer_get_gst_buffer(const VfBuffer *buffer);
VF_API GstCaps *vf_buffer_get_caps(const VfBuffer *buffer);
VF_API VfColorFormat vf_buffer_get_color_format(const VfBuffer *buffer);
/* Size of frame 0 (0 when unknown, e.g. encoded data without caps dimensions). Batches whose
 * frames differ in size: each frame's size is in its VfFrameMeta. */
VF_API guint vf_buffer_get_width(const VfBuffer *buffer);
VF_API guint vf_buffer_get_height(const VfBuffer *buffer);
VF_API GstClockTime vf_buffer_get_pts(const VfBuffer *buffer);
/* Number of frames: the frames in a batched buffer (its VfBatchMeta; fewer than the batch size
 * for a partial batch), 1 for a frame, 0 for the empty buffer. */
VF_API guint vf_buffer_get_batch_size(const VfBuffer *buffer);
/* (transfer none, nullable) the batch → frame → object metadata (meta.h) of a batched buffer, or
 * of a single frame that carries a one-frame batch meta; NULL when there is none. Valid while the
 * buffer lives. */
VF_API VfBatchMeta *vf_buffer_get_batch_meta(const VfBuffer *buffer);

/* Frame `index` as a zero-copy, read-only tensor that keeps this buffer alive (transfer full).
 * For a batch, frame i of the batch (only that frame's memories are mapped); frames in CUDA
 * memory fail with VF_ERROR_UNSUPPORTED (this build maps CPU memory only), frames in a format
 * tensors do not describe (e.g. YUY2) with VF_ERROR_FORMAT. Encoded buffers give a 1-D uint8
 * tensor of their bytes. */
VF_API VfTensor *vf_buffer_extract(VfBuffer *buffer, guint index, GError **error);
/* The same, writable: only for buffers this code owns alone (made with vf_buffer_new_frame or
 * cloned); fails on buffers shared with a pipeline. */
VF_API VfTensor *vf_buffer_extract_writable(VfBuffer *buffer, guint index, GError **error);
/* A deep copy with its own memory (transfer full). */
VF_API VfBuffer *vf_buffer_clone(const VfBuffer *buffer, GError **error);

G_END_DECLS
