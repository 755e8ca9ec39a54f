/* vidflow plugin: CPU access to one frame of a batched (or single-frame) buffer, for vfinfer and
 * vfosd.
 *
 * A frame lives in the memories [first, first + n) of its buffer, laid out as its GstVideoInfo
 * says, plane offsets counted from the first byte of that range (meta.h). Mapping never changes
 * the buffer's memory list (gst_buffer_map_range would merge a range of several memories and put
 * the merged memory back into a writable buffer, moving every later frame): each memory is mapped
 * on its own, and only when a plane straddles two memories is the range copied into a temporary
 * block (and, when mapped for writing, copied back at unmap). */
#pragma once

#include <gst/video/video.h>
#include <vidflow/format.h>
#include <vidflow/meta.h>

G_BEGIN_DECLS

#define VF_GST_FRAME_MAX_MEMS 16

typedef struct {
  GstVideoInfo info;
  guint8 *data[GST_VIDEO_MAX_PLANES]; /* first byte of each plane */
  gsize stride[GST_VIDEO_MAX_PLANES]; /* row stride of each plane, in bytes */
  VfColorFormat format;               /* the format the cores see (RGBx as RGBA, BGRx as BGRA) */

  /* private */
  GstBuffer *buffer;
  guint first, n;
  GstMapFlags flags;
  GstMemory *mems[VF_GST_FRAME_MAX_MEMS];
  GstMapInfo maps[VF_GST_FRAME_MAX_MEMS];
  guint n_mapped;
  guint8 *copy; /* (nullable) the whole range when a plane straddles memories */
  gsize copy_size;
} VfGstFrameMap;

/* The colour format the cores (preprocessing, OSD) work on for a GStreamer format: the format
 * itself, RGBx/BGRx read as RGBA/BGRA (the padding byte is never written); UNKNOWN otherwise. */
VfColorFormat vf_gst_frame_color_format(GstVideoFormat format);

/* Map frame `frame` of `buffer` (READ, or READ|WRITE; write access needs every memory of the
 * range writable, see vf_gst_frame_make_writable). FALSE with a message in *error (for an element
 * error) when the range is outside the buffer, a plane does not fit, or a memory cannot be
 * mapped. */
gboolean vf_gst_frame_map(VfGstFrameMap *map, GstBuffer *buffer, const VfFrameMeta *frame,
                          GstMapFlags flags, GError **error);
void vf_gst_frame_unmap(VfGstFrameMap *map);

/* Copy-on-write for a frame: each memory of [first, first + n) of the writable `buffer` that is
 * not writable (shared with another buffer, e.g. the source buffer vfmux batched without a copy,
 * or read-only) is replaced by a private copy, so writing the frame never changes what someone
 * else sees. Memory indices and the layout stay the same. Returns how many memories were copied;
 * -1 when the range is outside the buffer or a copy failed. */
gint vf_gst_frame_make_writable(GstBuffer *buffer, guint first, guint n);

/* For in-place elements that take batches (meta:VfBatch) or plain frames: reads `incaps` into
 * *batched and, for plain frames, *info; posts an element error naming `element` and returns FALSE
 * for CUDA memory (not mappable here) or caps that are not video. */
gboolean vf_frame_map_read_caps(GstElement *element, GstCaps *incaps, gboolean *batched,
                                GstVideoInfo *info);

G_END_DECLS
