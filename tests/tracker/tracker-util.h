/* Helpers shared by the tracker tests, the MOT runner and the tracker benchmark (header only):
 * batches of detections (metadata only, no pixels: vftracker never maps frames) pushed through
 * vftracker in a GstHarness. */
#pragma once

#include <gst/check/gstharness.h>
#include <vidflow/vidflow.h>

#define TT_WIDTH 1280
#define TT_HEIGHT 720
#define TT_FPS 30

/* One detection to put in a frame. */
typedef struct {
  gfloat x, y, w, h;
  gfloat confidence;
  gint class_id;
} TtDet;

/* A batch of n_frames frames (sources source_ids[i], or i when NULL) of TT_WIDTH x TT_HEIGHT
 * RGB, frame number `frame` (transfer full). The frames have no pixels (no buffer of their own):
 * vftracker reads only the metadata. */
static inline GstBuffer *tt_batch_new(guint n_frames, const guint *source_ids, guint64 frame)
{
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, TT_WIDTH, TT_HEIGHT);
  GstBuffer *buf = gst_buffer_new();
  GST_BUFFER_PTS(buf) = frame * GST_SECOND / TT_FPS;
  GST_BUFFER_DURATION(buf) = GST_SECOND / TT_FPS;
  VfBatchMeta *meta = vf_batch_meta_add(buf, MAX(n_frames, 1));
  for (guint i = 0; i < n_frames; i++) {
    VfFrameMeta *f = vf_batch_meta_add_frame(meta, NULL, &info);
    vf_frame_meta_set_source_id(f, source_ids ? source_ids[i] : i);
    vf_frame_meta_set_frame_number(f, frame);
    vf_frame_meta_set_pts(f, GST_BUFFER_PTS(buf));
  }
  return buf;
}

static inline const char *tt_label(gint class_id)
{
  return class_id == 0 ? "Person" : class_id == 1 ? "Car" : "Thing";
}

/* Add detections to frame `index` of a batch made by tt_batch_new. */
static inline void tt_add(GstBuffer *batch, guint index, const TtDet *dets, guint n)
{
  VfFrameMeta *f = vf_batch_meta_get_frame(vf_batch_meta_get(batch), index);
  for (guint i = 0; i < n; i++) {
    VfObjectMeta *o = vf_object_meta_new();
    VfRect r = { dets[i].x, dets[i].y, dets[i].w, dets[i].h };
    vf_object_meta_set_detector_bbox(o, &r);
    vf_object_meta_set_confidence(o, dets[i].confidence);
    vf_object_meta_set_class_id(o, dets[i].class_id);
    vf_object_meta_set_label(o, tt_label(dets[i].class_id));
    vf_object_meta_set_component_id(o, 1);
    vf_frame_meta_add_object(f, o);
    vf_object_meta_unref(o);
  }
}

static inline const char *tt_batch_caps(guint batch_size)
{
  static char caps[256];
  g_snprintf(caps, sizeof caps,
             "video/x-raw(meta:VfBatch),format=RGB,width=%d,height=%d,framerate=%d/1,"
             "batch-size=%u",
             TT_WIDTH, TT_HEIGHT, TT_FPS, batch_size);
  return caps;
}

/* A harness around vftracker with `props` ("name=value name=value", nullable) and batched caps
 * of batch_size; NULL when the element cannot be made. */
static inline GstHarness *tt_harness(const char *props, guint batch_size)
{
  char *launch = g_strdup_printf("vftracker name=tracker %s", props ? props : "");
  GstHarness *h = gst_harness_new_parse(launch);
  g_free(launch);
  if (h)
    gst_harness_set_src_caps_str(h, tt_batch_caps(batch_size));
  return h;
}

/* (transfer full) the vftracker of a harness made by tt_harness. */
static inline GstElement *tt_element(GstHarness *h)
{
  return GST_IS_BIN(h->element) ? gst_bin_get_by_name(GST_BIN(h->element), "tracker")
                                : gst_object_ref(h->element);
}
