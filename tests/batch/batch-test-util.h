/* Helpers shared by the batching tests (header only). */
#pragma once

#include <gst/check/gstharness.h>
#include <gst/check/gsttestclock.h>
#include <string.h>
#include <vidflow/vidflow.h>

/* A solid RGB frame of w x h with colour (r, g, b), tightly packed. */
static inline GstBuffer *make_rgb_frame(guint w, guint h, guint8 r, guint8 g, guint8 b,
                                        GstClockTime pts)
{
  GstBuffer *buf = gst_buffer_new_allocate(NULL, (gsize)w * h * 3, NULL);
  GstMapInfo map;
  gst_buffer_map(buf, &map, GST_MAP_WRITE);
  for (gsize i = 0; i < (gsize)w * h; i++) {
    map.data[3 * i] = r;
    map.data[3 * i + 1] = g;
    map.data[3 * i + 2] = b;
  }
  gst_buffer_unmap(buf, &map);
  GST_BUFFER_PTS(buf) = pts;
  GST_BUFFER_DURATION(buf) = GST_SECOND / 30;
  return buf;
}

static inline gchar *rgb_caps(guint w, guint h)
{
  return g_strdup_printf("video/x-raw,format=RGB,width=%u,height=%u,framerate=30/1", w, h);
}

/* Byte `component` of pixel (x, y) of plane 0 of frame `index` of a batch, or -1. */
static inline gint batch_pixel(GstBuffer *batch, guint index, guint x, guint y, guint component)
{
  VfBatchMeta *meta = vf_batch_meta_get(batch);
  VfFrameMeta *f = meta ? vf_batch_meta_get_frame(meta, index) : NULL;
  VfFrameMap map;
  if (f == NULL || !vf_frame_map(&map, batch, f, VF_DEVICE_CPU, GST_MAP_READ, NULL))
    return -1;
  gint v = -1;
  if (x < (guint)GST_VIDEO_INFO_WIDTH(&map.info) && y < (guint)GST_VIDEO_INFO_HEIGHT(&map.info))
    v = map.data[0][(gsize)y * map.stride[0] + (gsize)x * GST_VIDEO_INFO_COMP_PSTRIDE(&map.info, 0)
                    + component];
  vf_frame_unmap(&map);
  return v;
}

/* A batch buffer (no memory) of frames that are `frames[i]` (transfer none) laid out as `info`,
 * source ids 0..n-1, running times `pts`. */
static inline GstBuffer *make_batch_of(GstBuffer **frames, guint n, const GstVideoInfo *info,
                                       GstClockTime pts)
{
  GstBuffer *b = gst_buffer_new();
  VfBatchMeta *meta = vf_batch_meta_add(b, n);
  for (guint i = 0; i < n; i++) {
    VfFrameMeta *f = vf_batch_meta_add_frame(meta, frames[i], info);
    vf_frame_meta_set_source_id(f, i);
    vf_frame_meta_set_running_time(f, pts);
  }
  GST_BUFFER_PTS(b) = pts;
  return b;
}

/* Pop events from a harness until one of `type` (and, for custom events, structure `name`)
 * comes; NULL after `tries` events or when none is queued. (transfer full) */
static inline GstEvent *find_event(GstHarness *h, GstEventType type, const char *name)
{
  GstEvent *e;
  while ((e = gst_harness_try_pull_event(h)) != NULL) {
    if (GST_EVENT_TYPE(e) == type
        && (name == NULL || gst_structure_has_name(gst_event_get_structure(e), name)))
      return e;
    gst_event_unref(e);
  }
  return NULL;
}

/* The next element message called `name` on `bus` within 5 s (transfer full), or NULL. */
static inline GstMessage *wait_element_message(GstBus *bus, const char *name)
{
  gint64 end = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;
  while (g_get_monotonic_time() < end) {
    GstMessage *m = gst_bus_timed_pop_filtered(bus, 100 * GST_MSECOND,
                                               GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR);
    if (m == NULL)
      continue;
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR
        || gst_structure_has_name(gst_message_get_structure(m), name))
      return m;
    gst_message_unref(m);
  }
  return NULL;
}
