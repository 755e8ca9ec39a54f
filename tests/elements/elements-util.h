/* Helpers shared by the element tests (header only). */
#pragma once

#include <gst/check/gstharness.h>
#include <string.h>
#include <vidflow/vidflow.h>

/* A frame of w x h in `format` with the default layout, every byte of plane p set to fill[p]
 * (transfer full). */
static inline GstBuffer *elt_solid_frame(GstVideoFormat format, guint w, guint h,
                                         const guint8 *fill)
{
  GstVideoInfo info;
  gst_video_info_set_format(&info, format, w, h);
  GstBuffer *buf = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&info), NULL);
  GstMapInfo map;
  gst_buffer_map(buf, &map, GST_MAP_WRITE);
  for (guint p = 0; p < GST_VIDEO_INFO_N_PLANES(&info); p++) {
    gsize start = GST_VIDEO_INFO_PLANE_OFFSET(&info, p);
    gsize end = p + 1 < GST_VIDEO_INFO_N_PLANES(&info) ? GST_VIDEO_INFO_PLANE_OFFSET(&info, p + 1)
                                                       : GST_VIDEO_INFO_SIZE(&info);
    memset(map.data + start, fill[p], end - start);
  }
  gst_buffer_unmap(buf, &map);
  GST_BUFFER_PTS(buf) = 0;
  GST_BUFFER_DURATION(buf) = GST_SECOND / 30;
  return buf;
}

static inline char *elt_caps_string(GstVideoFormat format, guint w, guint h)
{
  return g_strdup_printf("video/x-raw,format=%s,width=%u,height=%u,framerate=30/1",
                         gst_video_format_to_string(format), w, h);
}

/* The first error on `bus` within 5 s (transfer full), or NULL. */
static inline GstMessage *elt_wait_error(GstBus *bus)
{
  return gst_bus_timed_pop_filtered(bus, 5 * GST_SECOND, GST_MESSAGE_ERROR);
}

/* The message of an error message (transfer full). */
static inline char *elt_error_text(GstMessage *msg)
{
  GError *err = NULL;
  gchar *debug = NULL;
  gst_message_parse_error(msg, &err, &debug);
  char *text = g_strdup_printf("%s (%s)", err->message, debug ? debug : "");
  g_error_free(err);
  g_free(debug);
  return text;
}

/* An object of class `class_id` over (x, y, w, h) made by component `component`. */
static inline void elt_add_object(VfFrameMeta *frame, gint class_id, const char *label,
                                  gfloat confidence, gfloat x, gfloat y, gfloat w, gfloat h,
                                  gint component)
{
  VfObjectMeta *o = vf_object_meta_new();
  VfRect r = { x, y, w, h };
  vf_object_meta_set_class_id(o, class_id);
  vf_object_meta_set_label(o, label);
  vf_object_meta_set_confidence(o, confidence);
  vf_object_meta_set_detector_bbox(o, &r);
  vf_object_meta_set_component_id(o, component);
  vf_frame_meta_add_object(frame, o);
  vf_object_meta_unref(o);
}
