/* vidflow: VfFrameMap, access to the pixels of one frame; the one module that knows memory types.
 *
 * A frame is a GstBuffer laid out as a GstVideoInfo (plane offsets from the start of the buffer,
 * strides): a frame of a batch (its own buffer, vf_frame_meta_get_buffer, or the carrying buffer
 * for a one-frame meta) or a plain buffer. Its buffer may hold any number of memories; a plane may
 * lie anywhere in them. Mapping never changes the buffer (gst_buffer_map would merge a frame's
 * memories and put the merged block back into a writable buffer, under the feet of every other
 * reader): each memory a plane lies in is mapped on its own, and only a plane that straddles two
 * memories is read through a private copy (written back at unmap for a write mapping).
 *
 * Backends: the memory a frame lives in (system memory: VF_DEVICE_CPU; memory:CUDAMemory:
 * VF_DEVICE_CUDA) and the device the caller reads `data` on (`access`) choose one: system memory
 * read on the CPU, and GstCudaMemory read on the GPU (`data` are device addresses, mapped with
 * GstCudaMemory's GST_MAP_CUDA; a plane must lie in one memory). Every caller asks for the access
 * it can use.
 *
 * Threads: mapping for reading is safe from several threads at once on frames shared by copies of
 * a batch. Writing needs a frame of your own (vf_frame_make_writable). A VfFrameMap is used by one
 * thread. */
#pragma once

#include <gst/video/video.h>
#include <vidflow/error.h>
#include <vidflow/format.h>
#include <vidflow/meta.h>
#include <vidflow/tensor.h>

G_BEGIN_DECLS

/* ---- memory types ---- */

/* Where `memory` lives: VF_DEVICE_CUDA for GstCudaMemory (memory:CUDAMemory), VF_DEVICE_CPU for
 * everything gst_memory_map maps to the CPU. */
VF_API VfDevice vf_memory_get_device(GstMemory *memory);
/* Where the frames that `caps` describe live (the memory:CUDAMemory caps feature: CUDA). */
VF_API VfDevice vf_caps_get_device(const GstCaps *caps);
/* Where the frame's pixels live (CUDA when any memory of its buffer is CUDA memory). */
VF_API VfDevice vf_frame_get_device(GstBuffer *carrier, const VfFrameMeta *frame);
/* TRUE when this build can map frames living on `memory` for access on `access`; otherwise FALSE
 * with VF_ERROR_UNSUPPORTED and a sentence saying what to do (e.g. cudadownload). */
VF_API gboolean vf_frame_map_supported(VfDevice memory, VfDevice access, GError **error);

/* What video caps say about the frames of a stream. */
typedef struct {
  gboolean batched;  /* video/x-raw(meta:VfBatch): each buffer is a batch (VfBatchMeta) */
  VfDevice device;   /* where the frames live */
  GstVideoInfo info; /* plain frames: the frame (format, size, default layout); unset batched */
} VfFrameCaps;

/* Read `caps` (fixed video/x-raw, batched or plain) into *out; FALSE with VF_ERROR_FORMAT when they
 * are not raw video (or a plain frame's caps lack format, width or height). */
VF_API gboolean vf_frame_caps_parse(const GstCaps *caps, VfFrameCaps *out, GError **error);

/* The layout of a frame in `buffer`: `info` (the caps' frame) with the plane offsets and strides
 * of the buffer's GstVideoMeta when it has one. `layout` may be `info`. */
VF_API void vf_frame_layout(const GstVideoInfo *info, GstBuffer *buffer, GstVideoInfo *layout);

/* The colour format pixel code works on for a GStreamer format: the format itself, RGBx/BGRx read
 * as RGBA/BGRA (the padding byte is never written); UNKNOWN for formats tensors do not describe. */
VF_API VfColorFormat vf_frame_color_format(GstVideoFormat format);

/* ---- mapping ---- */

typedef struct {
  GstVideoInfo info;    /* format, size; the strides of data[] */
  VfColorFormat format; /* vf_frame_color_format(info's format) */
  VfDevice device;      /* where data[] points (the access asked for) */
  guint n_planes;
  guint8 *data[GST_VIDEO_MAX_PLANES]; /* first byte of each plane */
  gsize stride[GST_VIDEO_MAX_PLANES]; /* row stride of each plane, in bytes */

  /*< private >*/
  gconstpointer backend;
  GstBuffer *buffer; /* ref */
  GstMapFlags flags;
  guint n_mapped;
  GstMemory *mems[GST_VIDEO_MAX_PLANES];
  GstMapInfo maps[GST_VIDEO_MAX_PLANES];
  guint8 *copy[GST_VIDEO_MAX_PLANES]; /* planes read through a copy (straddling memories) */
  gsize copy_offset[GST_VIDEO_MAX_PLANES], copy_size[GST_VIDEO_MAX_PLANES];
} VfFrameMap;

/* Map frame `frame` of the batch carried by `carrier` (its own buffer, or `carrier` when it has
 * none) laid out as its video info, for `access` with GST_MAP_READ or GST_MAP_READWRITE. Writing
 * needs a frame of your own (vf_frame_make_writable first). FALSE with an error naming the frame
 * and what to do when its memory is of a kind this build cannot map for `access`
 * (VF_ERROR_UNSUPPORTED), the layout does not fit its buffer (VF_ERROR_SIZE), or a memory cannot be
 * mapped (VF_ERROR_STATE for writing shared memory, VF_ERROR_FAILED otherwise); *map is then
 * cleared (vf_frame_unmap on it is harmless). The map holds a reference on the buffer until
 * vf_frame_unmap. */
VF_API gboolean vf_frame_map(VfFrameMap *map, GstBuffer *carrier, const VfFrameMeta *frame,
                             VfDevice access, GstMapFlags flags, GError **error);
/* The same for a frame that is `buffer` laid out as `info` (vf_frame_layout gives it). */
VF_API gboolean vf_frame_map_buffer(VfFrameMap *map, GstBuffer *buffer, const GstVideoInfo *info,
                                    VfDevice access, GstMapFlags flags, GError **error);
VF_API void vf_frame_unmap(VfFrameMap *map);
/* A GstVideoFrame view of a CPU mapping (for GstVideoConverter, gst_video_frame_copy): its info
 * and plane pointers; valid until vf_frame_unmap(map); never gst_video_frame_unmap it. */
VF_API void vf_frame_map_to_video_frame(const VfFrameMap *map, GstVideoFrame *frame);

/* Copy-on-write for the pixels of one frame of a writable batch (`frame` from
 * vf_batch_meta_get_frame on `carrier`, writable), or of `carrier` itself when `frame` is NULL or
 * has no buffer of its own: afterwards the frame can be mapped for writing and nobody else sees
 * the change. A frame buffer someone else holds is replaced in the frame by a copy (its memories
 * copied as needed, the upstream buffer untouched and free to return to its pool); memories shared
 * with other buffers or read-only are replaced by copies. *copied (nullable) says whether anything
 * was copied. FALSE with VF_ERROR_STATE when the batch (or carrier) is not writable. */
VF_API gboolean vf_frame_make_writable(GstBuffer *carrier, VfFrameMeta *frame, gboolean *copied,
                                       GError **error);

/* Check, without mapping, that a frame's buffer holds its layout: FALSE with VF_ERROR_FORMAT or
 * VF_ERROR_SIZE naming the frame otherwise (e.g. a batch fed from elsewhere). */
VF_API gboolean vf_frame_check(GstBuffer *carrier, const VfFrameMeta *frame, GError **error);

G_END_DECLS
