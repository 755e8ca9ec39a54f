/* vftracker element tests (GstHarness): ids through a crossing and a short occlusion, predicted
 * and shadow objects, per-source isolation, source removal and end, flush, plain video, frames
 * the detector skipped, bad configs (file:line), custom tracker libraries (the sample, and ones
 * that fail in each way). */
#include "tracker-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdarg.h>

#ifndef TT_BUILD_DIR
#error TT_BUILD_DIR must be set
#endif

#define W 60
#define H 150

/* Push `in` (transfer full) and pull the result (transfer full). */
static GstBuffer *step(GstHarness *h, GstBuffer *in)
{
  g_assert_cmpint(gst_harness_push(h, in), ==, GST_FLOW_OK);
  GstBuffer *out = gst_harness_pull(h);
  g_assert_nonnull(out);
  return out;
}

/* One frame of one source with the given detections, through h (transfer full). */
static GstBuffer *step_one(GstHarness *h, guint source, guint64 frame, const TtDet *dets, guint n)
{
  GstBuffer *b = tt_batch_new(1, &source, frame);
  tt_add(b, 0, dets, n);
  return step(h, b);
}

/* The id of the object of frame `index` whose detector box starts nearest x
 * (VF_OBJECT_UNTRACKED when none is within 20 px). */
static guint64 id_at(GstBuffer *out, guint index, gfloat x)
{
  VfFrameMeta *f = vf_batch_meta_get_frame(vf_batch_meta_get(out), index);
  GPtrArray *objs = vf_frame_meta_get_objects(f);
  guint64 id = VF_OBJECT_UNTRACKED;
  gfloat best = 20;
  for (guint i = 0; i < objs->len; i++) {
    VfRect r;
    vf_object_meta_get_detector_bbox(g_ptr_array_index(objs, i), &r);
    if (r.width > 0 && fabsf(r.left - x) < best) {
      best = fabsf(r.left - x);
      id = vf_object_meta_get_object_id(g_ptr_array_index(objs, i));
    }
  }
  g_ptr_array_unref(objs);
  return id;
}

static guint n_objects(GstBuffer *out, guint index)
{
  return vf_frame_meta_get_n_objects(vf_batch_meta_get_frame(vf_batch_meta_get(out), index));
}

static guint streams(GstHarness *h)
{
  GstElement *e = tt_element(h);
  guint n;
  g_object_get(e, "streams", &n, NULL);
  gst_object_unref(e);
  return n;
}

/* Two people of one size at one depth walk at each other; while they overlap only the one in
 * front is detected. Each keeps its id after the crossing. */
static void crossing(const char *algorithm, gboolean must_keep)
{
  char *props = g_strdup_printf("algorithm=%s", algorithm);
  GstHarness *h = tt_harness(props, 1);
  g_free(props);
  guint64 a_id = 0, b_id = 0;
  gboolean kept = TRUE;
  for (guint t = 0; t < 80; t++) {
    gfloat xa = 100 + 10.0f * t, xb = 900 - 10.0f * t;
    TtDet d[2] = { { xa, 300, W, H, 0.9f, 0 }, { xb, 302, W, H, 0.85f, 0 } };
    gboolean hidden = fabsf(xa - xb) < W; /* b is behind a */
    GstBuffer *out = step_one(h, 0, t, d, hidden ? 1 : 2);
    if (t == 5) {
      a_id = id_at(out, 0, xa);
      b_id = id_at(out, 0, xb);
      g_assert_cmpuint(a_id, !=, VF_OBJECT_UNTRACKED);
      g_assert_cmpuint(b_id, !=, VF_OBJECT_UNTRACKED);
      g_assert_cmpuint(a_id, !=, b_id);
    } else if (t > 5 && !hidden) {
      guint64 a = id_at(out, 0, xa), b = id_at(out, 0, xb);
      if (must_keep) {
        g_assert_cmpuint(a, ==, a_id);
        g_assert_cmpuint(b, ==, b_id);
      }
      kept = kept && a == a_id && b == b_id;
    }
    gst_buffer_unref(out);
  }
  g_test_message("%s: ids %s through the crossing", algorithm, kept ? "kept" : "NOT kept");
  gst_harness_teardown(h);
}

static void test_crossing(void)
{
  crossing("bytetrack", TRUE);
  crossing("iou", FALSE); /* the baseline: reported, not required */
}

/* One person walks right; no detection for 12 frames (occluded), then again where it walked on:
 * the same id. The first 2 missed frames give predicted objects (predict-lost), then shadow
 * tracks with the predicted box. */
static void test_occlusion(void)
{
  GstHarness *h = tt_harness("output-shadow-tracks=true", 1);
  guint64 id = 0;
  for (guint t = 0; t < 50; t++) {
    gfloat x = 100 + 5.0f * t;
    TtDet d = { x, 300, W, H, 0.9f, 0 };
    gboolean occluded = t >= 20 && t < 32;
    GstBuffer *out = step_one(h, 0, t, &d, occluded ? 0 : 1);
    VfFrameMeta *f = vf_batch_meta_get_frame(vf_batch_meta_get(out), 0);
    VfTrackerShadowList *shadows = vf_frame_meta_get_user_meta(f, VF_TRACKER_META_SHADOWS);
    g_assert_nonnull(shadows);
    if (t == 10)
      id = id_at(out, 0, x);
    if (t > 10 && !occluded)
      g_assert_cmpuint(id_at(out, 0, x), ==, id);
    if (occluded && t < 22) {
      /* predicted: an object without a detector box, flagged, near where the person is */
      g_assert_cmpuint(n_objects(out, 0), ==, 1);
      VfObjectMeta *o = vf_frame_meta_get_object(f, 0);
      VfRect det, trk;
      vf_object_meta_get_detector_bbox(o, &det);
      vf_object_meta_get_tracker_bbox(o, &trk);
      g_assert_cmpfloat(det.width, ==, 0);
      g_assert_cmpfloat(fabsf(trk.left - x), <, 5);
      g_assert_cmpuint(vf_object_meta_get_object_id(o), ==, id);
      g_assert_cmpstr(vf_object_meta_get_label(o), ==, "Person");
      VfTrackerObjectInfo *info = vf_object_meta_get_user_meta(o, VF_TRACKER_META_PREDICTED);
      g_assert_nonnull(info);
      g_assert_cmpuint(info->state, ==, VF_TRACK_LOST);
      g_assert_cmpuint(info->misses, ==, t - 19);
      vf_object_meta_unref(o);
      g_assert_cmpuint(shadows->n_shadows, ==, 0);
    } else if (occluded) {
      g_assert_cmpuint(n_objects(out, 0), ==, 0);
      g_assert_cmpuint(shadows->n_shadows, ==, 1);
      g_assert_cmpuint(shadows->shadows[0].id, ==, id);
      g_assert_cmpuint(shadows->shadows[0].misses, ==, t - 19);
      g_assert_cmpfloat(fabsf(shadows->shadows[0].left - x), <, 10);
    } else {
      g_assert_cmpuint(shadows->n_shadows, ==, 0);
      VfObjectMeta *o = vf_frame_meta_get_object(f, 0);
      g_assert_null(vf_object_meta_get_user_meta(o, VF_TRACKER_META_PREDICTED));
      vf_object_meta_unref(o);
    }
    gst_buffer_unref(out);
  }
  gst_harness_teardown(h);
}

/* Objects keep the detector box; the tracker box is close to it; ids start at 1, are confirmed
 * on the second frame (min-hits 2) and are 64-bit. */
static void test_output_fields(void)
{
  GstHarness *h = tt_harness(NULL, 1);
  for (guint t = 0; t < 5; t++) {
    TtDet d = { 200 + 4.0f * t, 300, W, H, 0.8f, 0 };
    GstBuffer *out = step_one(h, 0, t, &d, 1);
    VfObjectMeta *o
        = vf_frame_meta_get_object(vf_batch_meta_get_frame(vf_batch_meta_get(out), 0), 0);
    VfRect det, trk;
    vf_object_meta_get_detector_bbox(o, &det);
    vf_object_meta_get_tracker_bbox(o, &trk);
    g_assert_cmpfloat(det.left, ==, d.x);
    g_assert_cmpfloat(det.width, ==, W);
    g_assert_cmpfloat(vf_object_meta_get_confidence(o), ==, 0.8f);
    if (t == 0) {
      g_assert_cmpuint(vf_object_meta_get_object_id(o), ==, VF_OBJECT_UNTRACKED);
    } else {
      g_assert_cmpuint(vf_object_meta_get_object_id(o), ==, 1);
      g_assert_cmpfloat(fabsf(trk.left - det.left), <, 4);
      g_assert_cmpfloat(fabsf(trk.height - det.height), <, 4);
      g_assert_cmpfloat(vf_object_meta_get_tracker_confidence(o), >, 0.5f);
    }
    vf_object_meta_unref(o);
    gst_buffer_unref(out);
  }
  gst_harness_teardown(h);
}

/* A batch someone else also holds (a tee, a probe keeping it): vftracker writes on its own copy
 * of the objects, the other holder's objects keep no id. */
static void test_shared_batch(void)
{
  GstHarness *h = tt_harness(NULL, 1);
  guint source = 0;
  for (guint t = 0; t < 4; t++) {
    TtDet d = { 200 + 4.0f * t, 300, W, H, 0.8f, 0 };
    GstBuffer *in = tt_batch_new(1, &source, t);
    tt_add(in, 0, &d, 1);
    GstBuffer *out = step(h, gst_buffer_ref(in));
    if (t > 0)
      g_assert_cmpuint(id_at(out, 0, d.x), ==, 1);
    g_assert_cmpuint(id_at(in, 0, d.x), ==, VF_OBJECT_UNTRACKED);
    VfRect trk;
    VfObjectMeta *o
        = vf_frame_meta_get_object(vf_batch_meta_get_frame(vf_batch_meta_get(in), 0), 0);
    vf_object_meta_get_tracker_bbox(o, &trk);
    g_assert_cmpfloat(trk.width, ==, 0);
    vf_object_meta_unref(o);
    gst_buffer_unref(out);
    gst_buffer_unref(in);
  }
  gst_harness_teardown(h);
}

/* The ids of source 1 when tracked alone and when batched with a busy source 0 are the same:
 * sources do not see each other. */
static void test_isolation(void)
{
  guint64 alone[3], batched[3];
  for (int pass = 0; pass < 2; pass++) {
    guint n = pass ? 2 : 1;
    guint ids[2] = { pass ? 0 : 1, 1 };
    GstHarness *h = tt_harness(NULL, n);
    for (guint t = 0; t < 12; t++) {
      GstBuffer *b = tt_batch_new(n, ids, t);
      /* source 1: three people; source 0: the same places, shifted a little, plus more */
      TtDet one[3] = { { 100 + 3.0f * t, 200, W, H, 0.9f, 0 },
                       { 500, 250, W, H, 0.9f, 0 },
                       { 900 - 3.0f * t, 300, W, H, 0.9f, 0 } };
      TtDet zero[4] = { { 104 + 3.0f * t, 201, W, H, 0.9f, 0 },
                        { 505, 252, W, H, 0.9f, 0 },
                        { 700, 100, W, H, 0.9f, 0 },
                        { 10, 10, W, H, 0.9f, 0 } };
      if (pass) {
        tt_add(b, 0, zero, 4);
        tt_add(b, 1, one, 3);
      } else {
        tt_add(b, 0, one, 3);
      }
      GstBuffer *out = step(h, b);
      guint k = pass ? 1 : 0;
      guint64 *got = pass ? batched : alone;
      for (guint i = 0; i < 3; i++)
        got[i] = id_at(out, k, one[i].x);
      if (pass && t > 1)
        for (guint i = 0; i < 4; i++)
          g_assert_cmpuint(id_at(out, 0, zero[i].x), !=, VF_OBJECT_UNTRACKED);
      gst_buffer_unref(out);
    }
    g_assert_cmpuint(streams(h), ==, n);
    gst_harness_teardown(h);
  }
  for (guint i = 0; i < 3; i++) {
    g_assert_cmpuint(alone[i], ==, batched[i]);
    g_assert_cmpuint(alone[i], >=, 1);
    g_assert_cmpuint(alone[i], <=, 3);
  }
}

static GstEvent *source_event(const char *what, guint source_id)
{
  return gst_event_new_custom(GST_EVENT_CUSTOM_DOWNSTREAM,
                              gst_structure_new(what, "source-id", G_TYPE_UINT, source_id, NULL));
}

/* A removed (or ended) source's state goes; when a source of that id comes back its ids start
 * above every id it had: never reused. The other source is untouched. */
static void source_goes(const char *event_name)
{
  GstHarness *h = tt_harness(NULL, 2);
  guint ids[2] = { 0, 1 };
  guint64 before0 = 0, before1 = 0;
  for (guint t = 0; t < 6; t++) {
    GstBuffer *b = tt_batch_new(2, ids, t);
    TtDet d = { 100 + 2.0f * t, 300, W, H, 0.9f, 0 };
    tt_add(b, 0, &d, 1);
    tt_add(b, 1, &d, 1);
    GstBuffer *out = step(h, b);
    before0 = id_at(out, 0, d.x);
    before1 = id_at(out, 1, d.x);
    gst_buffer_unref(out);
  }
  g_assert_cmpuint(before1, !=, VF_OBJECT_UNTRACKED);
  g_assert_cmpuint(streams(h), ==, 2);
  g_assert_true(gst_harness_push_event(h, source_event(event_name, 1)));
  g_assert_cmpuint(streams(h), ==, 1);
  for (guint t = 6; t < 10; t++) {
    GstBuffer *b = tt_batch_new(2, ids, t);
    TtDet d = { 100 + 2.0f * t, 300, W, H, 0.9f, 0 };
    tt_add(b, 0, &d, 1);
    tt_add(b, 1, &d, 1);
    GstBuffer *out = step(h, b);
    g_assert_cmpuint(id_at(out, 0, d.x), ==, before0); /* source 0 went on */
    guint64 again = id_at(out, 1, d.x);
    if (t > 6) /* confirmed again on the second frame, with a new id */
      g_assert_cmpuint(again, >, before1);
    gst_buffer_unref(out);
  }
  g_assert_cmpuint(streams(h), ==, 2);
  gst_harness_teardown(h);
}

static void test_source_removed(void)
{
  source_goes(VF_SOURCE_REMOVED);
}

static void test_source_eos(void)
{
  source_goes(VF_SOURCE_EOS);
}

/* A flush forgets every source; ids go on from where they were. */
static void test_flush(void)
{
  GstHarness *h = tt_harness(NULL, 1);
  guint64 before = 0;
  for (guint t = 0; t < 5; t++) {
    TtDet d = { 100 + 2.0f * t, 300, W, H, 0.9f, 0 };
    GstBuffer *out = step_one(h, 0, t, &d, 1);
    before = id_at(out, 0, d.x);
    gst_buffer_unref(out);
  }
  g_assert_cmpuint(streams(h), ==, 1);
  g_assert_true(gst_harness_push_event(h, gst_event_new_flush_start()));
  g_assert_true(gst_harness_push_event(h, gst_event_new_flush_stop(TRUE)));
  g_assert_cmpuint(streams(h), ==, 0);
  GstSegment seg;
  gst_segment_init(&seg, GST_FORMAT_TIME);
  g_assert_true(gst_harness_push_event(h, gst_event_new_segment(&seg)));
  for (guint t = 0; t < 3; t++) {
    TtDet d = { 100 + 2.0f * t, 300, W, H, 0.9f, 0 };
    GstBuffer *out = step_one(h, 0, t, &d, 1);
    if (t == 0) /* a fresh track: tentative on its first frame */
      g_assert_cmpuint(id_at(out, 0, d.x), ==, VF_OBJECT_UNTRACKED);
    else
      g_assert_cmpuint(id_at(out, 0, d.x), ==, before + 1);
    gst_buffer_unref(out);
  }
  gst_harness_teardown(h);
}

/* Plain (unbatched) video: the one-frame batch meta vfinfer adds is tracked as source 0. */
static void test_plain_video(void)
{
  GstHarness *h = gst_harness_new_parse("vftracker");
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, 320, 240);
  gst_harness_set_src_caps(h, gst_video_info_to_caps(&info));
  for (guint t = 0; t < 4; t++) {
    GstBuffer *b = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&info), NULL);
    VfBatchMeta *m = vf_batch_meta_add_single(b, &info);
    TtDet d = { 10 + 3.0f * t, 20, 30, 60, 0.9f, 1 };
    tt_add(b, 0, &d, 1);
    vf_frame_meta_set_frame_number(vf_batch_meta_get_frame(m, 0), t);
    GstBuffer *out = step(h, b);
    g_assert_cmpuint(id_at(out, 0, d.x), ==, t == 0 ? VF_OBJECT_UNTRACKED : 1);
    gst_buffer_unref(out);
  }
  /* a plain frame without any metadata: a batch meta is added, nothing to track */
  GstBuffer *out = step(h, gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&info), NULL));
  g_assert_nonnull(vf_batch_meta_get(out));
  g_assert_cmpuint(n_objects(out, 0), ==, 1); /* the track, predicted (predict-lost) */
  gst_buffer_unref(out);
  gst_harness_teardown(h);
}

/* Frames the detector skipped (VF_FRAME_META_INFER_SKIPPED): each confirmed track becomes a
 * predicted object that keeps moving; the track is not counted as missed. */
static void test_skipped_frames(void)
{
  GstHarness *h = tt_harness("predict-lost=0", 1);
  guint64 id = 0;
  for (guint t = 0; t < 40; t++) {
    gfloat x = 100 + 6.0f * t;
    gboolean skipped = t >= 10 && t % 3 != 0; /* a detector with interval=2 from frame 10 */
    guint source = 0;
    GstBuffer *b = tt_batch_new(1, &source, t);
    VfFrameMeta *f = vf_batch_meta_get_frame(vf_batch_meta_get(b), 0);
    if (skipped) {
      vf_frame_meta_add_user_meta(f, VF_FRAME_META_INFER_SKIPPED, NULL, NULL, NULL);
    } else {
      TtDet d = { x, 300, W, H, 0.9f, 0 };
      tt_add(b, 0, &d, 1);
    }
    GstBuffer *out = step(h, b);
    f = vf_batch_meta_get_frame(vf_batch_meta_get(out), 0);
    g_assert_cmpuint(vf_frame_meta_get_n_objects(f), ==, 1); /* detected or predicted */
    VfObjectMeta *o = vf_frame_meta_get_object(f, 0);
    if (t == 5)
      id = vf_object_meta_get_object_id(o);
    if (t > 5)
      g_assert_cmpuint(vf_object_meta_get_object_id(o), ==, id);
    VfTrackerObjectInfo *info = vf_object_meta_get_user_meta(o, VF_TRACKER_META_PREDICTED);
    g_assert_true((info != NULL) == skipped);
    if (skipped) {
      VfRect r;
      vf_object_meta_get_tracker_bbox(o, &r);
      g_assert_cmpfloat(fabsf(r.left - x), <, 3); /* the motion model moved it on */
      g_assert_cmpuint(info->state, ==, VF_TRACK_CONFIRMED);
      g_assert_cmpuint(info->misses, ==, 0);
    }
    vf_object_meta_unref(o);
    gst_buffer_unref(out);
  }
  gst_harness_teardown(h);
}

/* vfosd after vftracker: with display-trails, a line through where the person's feet were; a
 * plain frame drawn on, so that nothing from earlier frames is left in the pixels. */
static gboolean trail_drawn(gboolean trails)
{
  char *launch = g_strdup_printf("vftracker ! vfosd display-labels=false display-trails=%s",
                                 trails ? "true" : "false");
  GstHarness *h = gst_harness_new_parse(launch);
  g_free(launch);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 320, 240);
  gst_harness_set_src_caps(h, gst_video_info_to_caps(&info));
  gboolean drawn = FALSE;
  for (guint t = 0; t < 10; t++) {
    GstBuffer *b = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&info), NULL);
    gst_buffer_memset(b, 0, 0, GST_VIDEO_INFO_SIZE(&info));
    VfBatchMeta *m = vf_batch_meta_add_single(b, &info);
    vf_frame_meta_set_frame_number(vf_batch_meta_get_frame(m, 0), t);
    TtDet d = { 10 + 10.0f * t, 100, 20, 60, 0.9f, 0 };
    tt_add(b, 0, &d, 1);
    GstBuffer *out = step(h, b);
    if (t == 9) { /* feet of frame 2 at (40, 160): far from this frame's box */
      GstMapInfo map;
      gst_buffer_map(out, &map, GST_MAP_READ);
      const guint8 *px = map.data + 160 * GST_VIDEO_INFO_PLANE_STRIDE(&info, 0) + 40 * 3;
      drawn = px[0] || px[1] || px[2];
      gst_buffer_unmap(out, &map);
    }
    gst_buffer_unref(out);
  }
  gst_harness_teardown(h);
  return drawn;
}

static void test_osd_trails(void)
{
  g_assert_true(trail_drawn(TRUE));
  g_assert_false(trail_drawn(FALSE));
}

/* ---- errors at start ---- */

/* Start vftracker with name/value properties; the element error's text (transfer full). */
static char *start_error(const char *first, ...) G_GNUC_NULL_TERMINATED;
static char *start_error(const char *first, ...)
{
  GstElement *e = gst_element_factory_make("vftracker", NULL);
  g_assert_nonnull(e);
  GstBus *bus = gst_bus_new();
  gst_element_set_bus(e, bus);
  va_list ap;
  va_start(ap, first);
  for (const char *name = first; name; name = va_arg(ap, const char *))
    gst_util_set_object_arg(G_OBJECT(e), name, va_arg(ap, const char *));
  va_end(ap);
  g_assert_cmpint(gst_element_set_state(e, GST_STATE_PAUSED), ==, GST_STATE_CHANGE_FAILURE);
  GstMessage *m = gst_bus_timed_pop_filtered(bus, 5 * GST_SECOND, GST_MESSAGE_ERROR);
  g_assert_nonnull(m);
  GError *err = NULL;
  gst_message_parse_error(m, &err, NULL);
  char *text = g_strdup(err->message);
  g_test_message("error: %s", text);
  g_error_free(err);
  gst_message_unref(m);
  gst_element_set_state(e, GST_STATE_NULL);
  gst_element_set_bus(e, NULL);
  gst_object_unref(bus);
  gst_object_unref(e);
  return text;
}

static void assert_contains(const char *text, const char *part)
{
  if (strstr(text, part) == NULL)
    g_error("'%s' does not say '%s'", text, part);
}

static void test_bad_config(void)
{
  static const struct {
    const char *yaml, *expect[3];
  } cases[] = {
    { "algorithm: bytetrack\nmax-lost: 10\nmax-losst: 3\n", { ":3:", "unknown key 'max-losst'" } },
    { "# comment\nmax-lost: many\n", { ":2:", "max-lost", "not an integer" } },
    { "high-threshold: 1.5\n", { ":1:", "high-threshold", "out of range" } },
    { "algorithm: sort\n", { ":1:", "unknown value 'sort'", "iou, bytetrack" } },
    { "min-hits: 2\nmin-hits: 3\n", { ":2:", "set twice", ":1" } },
    { "max-lost: [1, 2]\n", { ":1:", "max-lost", "single value" } },
    { "max-lost: 3\n  bad: [\n", { ":2:", "YAML syntax error" } },
    { "- just\n- a list\n", { ":1:", "mapping" } },
    { "low-threshold: 0.45\nhigh-threshold: 0.4\n", { ":1: low-threshold", ":2: high-threshold" } },
    { "low-threshold: 0.7\n", { ":1: low-threshold", "birth-threshold (the default)" } },
    /* DeepStream's NvMultiObjectTracker configs: said so, with what to use */
    { "%YAML:1.0\nBaseConfig:\n  minDetectorConfidence: 0.04\n",
      { ":1:", "NvMultiObjectTracker config", "configs/tracker_bytetrack.yaml" } },
    { "# NvDCF\nTargetManagement:\n  maxShadowTrackingAge: 30\n",
      { ":2: TargetManagement", "NvMultiObjectTracker", "maxShadowTrackingAge max-lost" } },
  };
  char *dir = g_dir_make_tmp("vftracker-XXXXXX", NULL);
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *path = g_build_filename(dir, "tracker.yaml", NULL);
    g_assert_true(g_file_set_contents(path, cases[i].yaml, -1, NULL));
    char *text = start_error("ll-config-file", path, NULL);
    assert_contains(text, "tracker.yaml");
    for (guint k = 0; k < G_N_ELEMENTS(cases[i].expect) && cases[i].expect[k]; k++)
      assert_contains(text, cases[i].expect[k]);
    g_free(text);
    g_unlink(path);
    g_free(path);
  }
  char *missing = g_build_filename(dir, "none.yaml", NULL);
  char *text = start_error("ll-config-file", missing, NULL);
  assert_contains(text, "none.yaml");
  assert_contains(text, "not found");
  g_free(text);
  g_free(missing);
  /* a property that contradicts the file */
  char *path = g_build_filename(dir, "ok.yaml", NULL);
  g_assert_true(g_file_set_contents(path, "high-threshold: 0.4\n", -1, NULL));
  text = start_error("ll-config-file", path, "low-threshold", "0.45", NULL);
  assert_contains(text, "property 'low-threshold'");
  assert_contains(text, "ok.yaml:1: high-threshold");
  g_free(text);
  g_unlink(path);
  g_free(path);
  g_rmdir(dir);
  g_free(dir);
}

/* The sample configs start and do what they say: iou has no motion model (the tracker box is
 * the detection), bytetrack smooths; a property overrides the file's algorithm. */
static gboolean tracker_box_is_detection(const char *props)
{
  GstHarness *h = tt_harness(props, 1);
  gboolean same = TRUE;
  for (guint t = 0; t < 8; t++) {
    TtDet d = { 100 + 5.0f * t + (t % 2 ? 3 : -3), 300, W, H + (t % 2 ? 4 : -4), 0.9f, 0 };
    GstBuffer *out = step_one(h, 0, t, &d, 1);
    VfObjectMeta *o
        = vf_frame_meta_get_object(vf_batch_meta_get_frame(vf_batch_meta_get(out), 0), 0);
    VfRect det, trk;
    vf_object_meta_get_detector_bbox(o, &det);
    vf_object_meta_get_tracker_bbox(o, &trk);
    if (t > 1)
      same = same && trk.left == det.left && trk.height == det.height;
    vf_object_meta_unref(o);
    gst_buffer_unref(out);
  }
  gst_harness_teardown(h);
  return same;
}

static void test_good_config(void)
{
  char *iou = g_build_filename(VFT_SOURCE_ROOT, "configs", "tracker_iou.yaml", NULL);
  char *bytetrack = g_build_filename(VFT_SOURCE_ROOT, "configs", "tracker_bytetrack.yaml", NULL);
  char *p1 = g_strdup_printf("ll-config-file=%s", iou);
  char *p2 = g_strdup_printf("ll-config-file=%s", bytetrack);
  char *p3 = g_strdup_printf("ll-config-file=%s algorithm=bytetrack", iou);
  g_assert_true(tracker_box_is_detection(p1));
  g_assert_false(tracker_box_is_detection(p2));
  g_assert_false(tracker_box_is_detection(p3));
  g_assert_false(tracker_box_is_detection(NULL)); /* the defaults: bytetrack */
  g_free(p1);
  g_free(p2);
  g_free(p3);
  g_free(iou);
  g_free(bytetrack);
}

/* ---- custom tracker libraries ---- */

static char *lib_path(const char *name)
{
  return g_strdup_printf("%s/lib%s.so", TT_BUILD_DIR, name);
}

static void test_custom_library(void)
{
  char *lib = g_build_filename(TT_PLUGIN_DIR, "libvf-tracker-sample.so", NULL);
  char *dir = g_dir_make_tmp("vftracker-XXXXXX", NULL);
  char *conf = g_build_filename(dir, "sample.conf", NULL);
  g_assert_true(g_file_set_contents(conf, "# nearest centre\nmax-distance = 40\n", -1, NULL));
  char *props = g_strdup_printf("ll-lib-file=%s ll-config-file=%s predict-lost=0", lib, conf);
  GstHarness *h = tt_harness(props, 2);
  guint ids[2] = { 0, 1 };
  guint64 a = 0;
  for (guint t = 0; t < 10; t++) {
    GstBuffer *b = tt_batch_new(2, ids, t);
    TtDet d[2] = { { 100 + 5.0f * t, 300, W, H, 0.9f, 0 }, { 800 - 5.0f * t, 300, W, H, 0.9f, 0 } };
    tt_add(b, 0, d, 2);
    tt_add(b, 1, d, 1);
    GstBuffer *out = step(h, b);
    /* the sample confirms at once; ids per source from 1 */
    if (t == 0) {
      a = id_at(out, 0, d[0].x);
      g_assert_cmpuint(a, ==, 1);
      g_assert_cmpuint(id_at(out, 0, d[1].x), ==, 2);
      g_assert_cmpuint(id_at(out, 1, d[0].x), ==, 1);
    }
    g_assert_cmpuint(id_at(out, 0, d[0].x), ==, a);
    g_assert_cmpuint(id_at(out, 0, d[1].x), ==, 2);
    gst_buffer_unref(out);
  }
  g_assert_cmpuint(streams(h), ==, 2);
  /* removal frees the library's stream; ids come back above the old ones */
  g_assert_true(gst_harness_push_event(h, source_event(VF_SOURCE_REMOVED, 0)));
  g_assert_cmpuint(streams(h), ==, 1);
  TtDet d = { 300, 300, W, H, 0.9f, 0 };
  GstBuffer *out = step_one(h, 0, 10, &d, 1);
  g_assert_cmpuint(id_at(out, 0, d.x), ==, 3);
  gst_buffer_unref(out);
  gst_harness_teardown(h);
  g_free(props);

  /* its config is the library's: a bad line is its error, with its file:line */
  g_assert_true(g_file_set_contents(conf, "max-distance = 40\nspeed = fast\n", -1, NULL));
  char *text = start_error("ll-lib-file", lib, "ll-config-file", conf, NULL);
  assert_contains(text, "sample.conf:2");
  assert_contains(text, "refused to start");
  g_free(text);
  g_unlink(conf);
  g_rmdir(dir);
  g_free(conf);
  g_free(dir);
  g_free(lib);
}

static void test_custom_library_errors(void)
{
  /* missing file */
  char *text = start_error("ll-lib-file", "/nonexistent/libtracker.so", NULL);
  assert_contains(text, "/nonexistent/libtracker.so");
  assert_contains(text, "not found");
  g_free(text);
  /* not a shared library */
  char *bogus = g_build_filename(VFT_SOURCE_ROOT, "configs", "tracker_iou.yaml", NULL);
  text = start_error("ll-lib-file", bogus, NULL);
  assert_contains(text, "cannot be loaded");
  g_free(text);
  g_free(bogus);
  static const struct {
    const char *name, *expect;
  } cases[] = {
    { "vf-bad-tracker-no-entry", "no vf_tracker_v1" },
    { "vf-bad-tracker-abi", "ABI version" },
    { "vf-bad-tracker-missing", "lacks a required function" },
    { "vf-bad-tracker-create", "licence expired" },
    { "vf-bad-tracker-nvmot", "DeepStream low-level tracker library" },
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *lib = lib_path(cases[i].name);
    text = start_error("ll-lib-file", lib, NULL);
    assert_contains(text, lib);
    assert_contains(text, cases[i].expect);
    g_free(text);
    g_free(lib);
  }
  /* failing while streaming: an element error naming the library, the flow stops */
  static const struct {
    const char *name, *expect;
  } streaming[] = {
    { "vf-bad-tracker-process", "model exploded" },
    { "vf-bad-tracker-ids", "below the stream's first id" },
  };
  for (guint i = 0; i < G_N_ELEMENTS(streaming); i++) {
    char *lib = lib_path(streaming[i].name);
    char *props = g_strdup_printf("ll-lib-file=%s", lib);
    GstHarness *h = tt_harness(props, 1);
    GstBus *bus = gst_bus_new();
    gst_element_set_bus(h->element, bus);
    GstFlowReturn r = GST_FLOW_OK;
    for (guint t = 0; t < 4 && r == GST_FLOW_OK; t++) {
      guint source = 0;
      GstBuffer *b = tt_batch_new(1, &source, t);
      TtDet d = { 100, 100, W, H, 0.9f, 0 };
      tt_add(b, 0, &d, 1);
      r = gst_harness_push(h, b);
      if (r == GST_FLOW_OK)
        gst_buffer_unref(gst_harness_pull(h));
    }
    g_assert_cmpint(r, ==, GST_FLOW_ERROR);
    GstMessage *m = gst_bus_timed_pop_filtered(bus, 5 * GST_SECOND, GST_MESSAGE_ERROR);
    g_assert_nonnull(m);
    GError *err = NULL;
    gst_message_parse_error(m, &err, NULL);
    g_test_message("error: %s", err->message);
    assert_contains(err->message, lib);
    assert_contains(err->message, streaming[i].expect);
    g_error_free(err);
    gst_message_unref(m);
    gst_element_set_bus(h->element, NULL);
    gst_object_unref(bus);
    gst_harness_teardown(h);
    g_free(props);
    g_free(lib);
  }
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/vftracker/crossing", test_crossing);
  g_test_add_func("/vftracker/occlusion", test_occlusion);
  g_test_add_func("/vftracker/output-fields", test_output_fields);
  g_test_add_func("/vftracker/shared-batch", test_shared_batch);
  g_test_add_func("/vftracker/isolation", test_isolation);
  g_test_add_func("/vftracker/source-removed", test_source_removed);
  g_test_add_func("/vftracker/source-eos", test_source_eos);
  g_test_add_func("/vftracker/flush", test_flush);
  g_test_add_func("/vftracker/plain-video", test_plain_video);
  g_test_add_func("/vftracker/skipped-frames", test_skipped_frames);
  g_test_add_func("/vftracker/osd-trails", test_osd_trails);
  g_test_add_func("/vftracker/bad-config", test_bad_config);
  g_test_add_func("/vftracker/good-config", test_good_config);
  g_test_add_func("/vftracker/custom-library", test_custom_library);
  g_test_add_func("/vftracker/custom-library-errors", test_custom_library_errors);
  return g_test_run();
}
