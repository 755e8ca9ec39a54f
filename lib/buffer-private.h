/* vidflow: VfBuffer internals shared with the feeder (which validates what providers return). */
#pragma once

#include <vidflow/buffer.h>

struct _VfBuffer {
  gint refcount;
  GstBuffer *buffer; /* NULL: the empty (end-of-stream) buffer */
  GstCaps *caps;     /* what the buffer holds; NULL when unknown */
  VfColorFormat format;
  gboolean has_info; /* raw video: info describes frame 0 */
  GstVideoInfo info;
  gboolean batched; /* frames are described by the VfBatchMeta (vfmux output) */
};

/* Wrap `buffer` taking the caller's reference (transfer full), caps (transfer none). */
VfBuffer *vf_buffer_new_take_gst(GstBuffer *buffer, GstCaps *caps);
/* Unref `buffer` and return its GstBuffer (transfer full): the very reference it held when
 * nobody else holds the VfBuffer (so a writable GstBuffer stays writable), a new one otherwise. */
GstBuffer *vf_buffer_release_gst(VfBuffer *buffer);
