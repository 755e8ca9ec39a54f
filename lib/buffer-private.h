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
};
