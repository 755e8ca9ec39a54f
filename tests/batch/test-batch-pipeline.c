/* Pipeline tests for batching: metadata through tee + queue + copies and through videoscale,
 * vfmux → vfdemux round trip, uneven sources ending, and vfdemux alone (GstHarness). */
#include "batch-test-util.h"

#include <gst/app/gstappsink.h>

static GstElement *launch(const char *description)
{
  GError *err = NULL;
  GstElement *p = gst_parse_launch(description, &err);
  g_assert_no_error(err);
  g_assert_nonnull(p);
  return p;
}

/* All samples of an appsink until EOS (transfer full: a GPtrArray of GstSample). */
static GPtrArray *pull_all(GstElement *pipeline, const char *sink_name)
{
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), sink_name);
  g_assert_nonnull(sink);
  GPtrArray *samples = g_ptr_array_new_with_free_func((GDestroyNotify)gst_sample_unref);
  GstSample *s;
  while ((s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 10 * GST_SECOND)) != NULL)
    g_ptr_array_add(samples, s);
  g_assert_true(gst_app_sink_is_eos(GST_APP_SINK(sink)));
  gst_object_unref(sink);
  return samples;
}

static void run_to_eos(GstElement *pipeline)
{
  GstBus *bus = gst_element_get_bus(pipeline);
  GstMessage *m
      = gst_bus_timed_pop_filtered(bus, 20 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull(m);
  if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
    GError *err = NULL;
    gchar *dbg = NULL;
    gst_message_parse_error(m, &err, &dbg);
    g_error("pipeline error: %s (%s)", err->message, dbg ? dbg : "");
  }
  gst_message_unref(m);
  gst_object_unref(bus);
}

/* ---- a probe that tags every frame with an object and user meta ---- */

static gpointer strdup_copy(gconstpointer data)
{
  return g_strdup(data);
}

static GstPadProbeReturn tag_batch(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  (void)data;
  GstBuffer *buf = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
  GST_PAD_PROBE_INFO_DATA(info) = buf;
  VfBatchMeta *meta = vf_batch_meta_get(buf);
  g_assert_nonnull(meta);
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++) {
    VfFrameMeta *f = vf_batch_meta_get_frame(meta, i);
    VfObjectMeta *o = vf_object_meta_new();
    gchar *label = g_strdup_printf("src%u-frame%" G_GUINT64_FORMAT, vf_frame_meta_get_source_id(f),
                                   vf_frame_meta_get_frame_number(f));
    vf_object_meta_set_label(o, label);
    VfRect r = { 1, 2, 3, 4 };
    vf_object_meta_set_detector_bbox(o, &r);
    vf_object_meta_add_user_meta(o, "test.label", g_strdup(label), strdup_copy, g_free);
    vf_frame_meta_add_object(f, o);
    vf_object_meta_unref(o);
    g_free(label);
  }
  return GST_PAD_PROBE_OK;
}

static void add_tagger(GstElement *pipeline, const char *name)
{
  GstElement *e = gst_bin_get_by_name(GST_BIN(pipeline), name);
  GstPad *pad = gst_element_get_static_pad(e, "src");
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, tag_batch, NULL, NULL);
  gst_object_unref(pad);
  gst_object_unref(e);
}

static void check_tags(GstBuffer *buf)
{
  VfBatchMeta *meta = vf_batch_meta_get(buf);
  g_assert_nonnull(meta);
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++) {
    VfFrameMeta *f = vf_batch_meta_get_frame(meta, i);
    gchar *label = g_strdup_printf("src%u-frame%" G_GUINT64_FORMAT, vf_frame_meta_get_source_id(f),
                                   vf_frame_meta_get_frame_number(f));
    g_assert_cmpuint(vf_frame_meta_get_n_objects(f), ==, 1);
    VfObjectMeta *o = vf_frame_meta_get_object(f, 0);
    g_assert_cmpstr(vf_object_meta_get_label(o), ==, label);
    g_assert_cmpstr(vf_object_meta_get_user_meta(o, "test.label"), ==, label);
    vf_object_meta_unref(o);
    g_free(label);
  }
}

static void test_meta_through_tee_queue_copy(void)
{
  GstElement *p = launch(
      "vfmux name=mux ! identity name=tagger ! tee name=t "
      "t. ! queue ! appsink name=a1 sync=false  t. ! queue ! appsink name=a2 sync=false "
      "videotestsrc num-buffers=10 ! video/x-raw,format=RGB,width=64,height=48 ! mux.sink_0 "
      "videotestsrc num-buffers=10 pattern=ball ! video/x-raw,format=RGB,width=64,height=48 ! "
      "mux.sink_1");
  add_tagger(p, "tagger");
  gst_element_set_state(p, GST_STATE_PLAYING);
  const char *sinks[] = { "a1", "a2" };
  for (guint k = 0; k < 2; k++) {
    GPtrArray *samples = pull_all(p, sinks[k]);
    g_assert_cmpuint(samples->len, ==, 10);
    guint64 last[2] = { 0, 0 };
    for (guint i = 0; i < samples->len; i++) {
      GstBuffer *buf = gst_sample_get_buffer(g_ptr_array_index(samples, i));
      VfBatchMeta *meta = vf_batch_meta_get(buf);
      g_assert_cmpuint(vf_batch_meta_get_n_frames(meta), ==, 2);
      for (guint j = 0; j < 2; j++) {
        VfFrameMeta *f = vf_batch_meta_get_frame(meta, j);
        guint64 fn = vf_frame_meta_get_frame_number(f);
        g_assert_cmpuint(vf_frame_meta_get_source_id(f), ==, j);
        /* Per-source frame numbers only increase. */
        if (i > 0)
          g_assert_cmpuint(fn, >, last[j]);
        last[j] = fn;
      }
      check_tags(buf);
      /* Copies (shallow, deep, made writable) carry the metadata and the frames. */
      GstBuffer *c1 = gst_buffer_copy(buf), *c2 = gst_buffer_copy_deep(buf);
      check_tags(c1);
      check_tags(c2);
      g_assert_true(vf_batch_meta_get(c1) != meta);
      VfFrameMeta *cf = vf_batch_meta_get_frame(vf_batch_meta_get(c2), 1);
      g_assert_true(vf_frame_check(c2, cf, NULL));
      g_assert_true(vf_frame_meta_get_buffer(cf)
                    == vf_frame_meta_get_buffer(vf_batch_meta_get_frame(meta, 1)));
      GstBuffer *w = gst_buffer_make_writable(gst_buffer_ref(buf));
      check_tags(w);
      gst_buffer_unref(w);
      gst_buffer_unref(c1);
      gst_buffer_unref(c2);
    }
    g_ptr_array_unref(samples);
  }
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
}

static GstPadProbeReturn tag_single(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)data;
  GstBuffer *buf = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
  GST_PAD_PROBE_INFO_DATA(info) = buf;
  GstCaps *caps = gst_pad_get_current_caps(pad);
  GstVideoInfo vinfo;
  gst_video_info_from_caps(&vinfo, caps);
  gst_caps_unref(caps);
  VfBatchMeta *meta = vf_batch_meta_add_single(buf, &vinfo);
  VfObjectMeta *o = vf_object_meta_new();
  VfRect r = { 100, 50, 40, 20 };
  vf_object_meta_set_detector_bbox(o, &r);
  vf_frame_meta_add_object(vf_batch_meta_get_frame(meta, 0), o);
  vf_object_meta_unref(o);
  return GST_PAD_PROBE_OK;
}

static void test_single_frame_meta_scaled(void)
{
  GstElement *p
      = launch("videotestsrc num-buffers=3 ! video/x-raw,format=I420,width=320,height=240 "
               "! identity name=tagger ! videoconvert ! video/x-raw,format=RGB ! "
               "videoscale ! video/x-raw,width=160,height=120 ! appsink name=a "
               "sync=false");
  GstElement *e = gst_bin_get_by_name(GST_BIN(p), "tagger");
  GstPad *pad = gst_element_get_static_pad(e, "src");
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, tag_single, NULL, NULL);
  gst_object_unref(pad);
  gst_object_unref(e);
  gst_element_set_state(p, GST_STATE_PLAYING);
  GPtrArray *samples = pull_all(p, "a");
  g_assert_cmpuint(samples->len, ==, 3);
  for (guint i = 0; i < samples->len; i++) {
    GstBuffer *buf = gst_sample_get_buffer(g_ptr_array_index(samples, i));
    VfBatchMeta *meta = vf_batch_meta_get(buf);
    g_assert_nonnull(meta);
    VfFrameMeta *f = vf_batch_meta_get_frame(meta, 0);
    const GstVideoInfo *info = vf_frame_meta_get_video_info(f);
    g_assert_cmpint(GST_VIDEO_INFO_WIDTH(info), ==, 160);
    g_assert_cmpuint(vf_frame_meta_get_original_width(f), ==, 320);
    VfObjectMeta *o = vf_frame_meta_get_object(f, 0);
    VfRect r;
    vf_object_meta_get_detector_bbox(o, &r);
    g_assert_cmpfloat(r.left, ==, 50);
    g_assert_cmpfloat(r.top, ==, 25);
    g_assert_cmpfloat(r.width, ==, 20);
    g_assert_cmpfloat(r.height, ==, 10);
    vf_object_meta_unref(o);
  }
  g_ptr_array_unref(samples);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
}

static gboolean same_bytes(GstBuffer *a, GstBuffer *b)
{
  GstMapInfo ma, mb;
  gst_buffer_map(a, &ma, GST_MAP_READ);
  gst_buffer_map(b, &mb, GST_MAP_READ);
  gboolean same = ma.size == mb.size && memcmp(ma.data, mb.data, ma.size) == 0;
  gst_buffer_unmap(a, &ma);
  gst_buffer_unmap(b, &mb);
  return same;
}

static gboolean same_address(GstBuffer *a, GstBuffer *b)
{
  GstMapInfo ma, mb;
  gst_buffer_map(a, &ma, GST_MAP_READ);
  gst_buffer_map(b, &mb, GST_MAP_READ);
  gboolean same = ma.data == mb.data;
  gst_buffer_unmap(a, &ma);
  gst_buffer_unmap(b, &mb);
  return same;
}

static void test_demux_round_trip(void)
{
  GstElement *p = launch(
      "vfmux name=mux ! identity name=tagger ! vfdemux name=d "
      "d.src_0 ! queue ! appsink name=out0 sync=false  d.src_1 ! queue ! appsink name=out1 "
      "sync=false "
      "videotestsrc num-buffers=8 ! video/x-raw,format=RGB,width=64,height=48 ! tee name=s0 "
      "s0. ! queue ! mux.sink_0  s0. ! queue ! appsink name=ref0 sync=false "
      "videotestsrc num-buffers=8 pattern=ball ! video/x-raw,format=RGB,width=32,height=24 ! "
      "tee name=s1  s1. ! queue ! mux.sink_1  s1. ! queue ! appsink name=ref1 sync=false");
  add_tagger(p, "tagger");
  gst_element_set_state(p, GST_STATE_PLAYING);
  guint widths[2] = { 64, 32 };
  for (guint k = 0; k < 2; k++) {
    gchar *out_name = g_strdup_printf("out%u", k), *ref_name = g_strdup_printf("ref%u", k);
    GPtrArray *outs = pull_all(p, out_name), *refs = pull_all(p, ref_name);
    g_assert_cmpuint(outs->len, ==, 8);
    g_assert_cmpuint(refs->len, ==, 8);
    for (guint i = 0; i < 8; i++) {
      GstSample *so = g_ptr_array_index(outs, i);
      GstBuffer *o = gst_sample_get_buffer(so),
                *r = gst_sample_get_buffer(g_ptr_array_index(refs, i));
      /* Same pixels at the same address: nothing was copied on the way through mux and demux
       * (the source buffer is shared with the ref branch, so vfdemux pushes a view of it). */
      g_assert_true(same_bytes(o, r));
      g_assert_true(same_address(o, r));
      g_assert_cmpuint(GST_BUFFER_PTS(o), ==, GST_BUFFER_PTS(r));
      GstVideoInfo info;
      g_assert_true(gst_video_info_from_caps(&info, gst_sample_get_caps(so)));
      g_assert_cmpint(GST_VIDEO_INFO_WIDTH(&info), ==, (gint)widths[k]);
      g_assert_cmpint(GST_VIDEO_INFO_FORMAT(&info), ==, GST_VIDEO_FORMAT_RGB);
      g_assert_false(gst_caps_features_contains(gst_caps_get_features(gst_sample_get_caps(so), 0),
                                                VF_CAPS_FEATURE_META_BATCH));
      /* The frame keeps its metadata, objects included. */
      VfBatchMeta *meta = vf_batch_meta_get(o);
      g_assert_nonnull(meta);
      g_assert_cmpuint(vf_batch_meta_get_n_frames(meta), ==, 1);
      VfFrameMeta *f = vf_batch_meta_get_frame(meta, 0);
      g_assert_cmpuint(vf_frame_meta_get_source_id(f), ==, k);
      g_assert_cmpuint(vf_frame_meta_get_frame_number(f), ==, i);
      g_assert_null(vf_frame_meta_get_buffer(f)); /* the pushed buffer is the frame */
      check_tags(o);
    }
    g_ptr_array_unref(outs);
    g_ptr_array_unref(refs);
    g_free(out_name);
    g_free(ref_name);
  }
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
}

static void test_uneven_sources(void)
{
  /* Non-live sources of different lengths: full batches, then the longer one alone, then EOS. */
  GstElement *p = launch(
      "vfmux name=mux ! appsink name=a sync=false "
      "videotestsrc num-buffers=4 ! video/x-raw,format=NV12,width=32,height=32 ! mux.sink_0 "
      "videotestsrc num-buffers=9 ! video/x-raw,format=NV12,width=32,height=32 ! mux.sink_1 "
      "videotestsrc num-buffers=6 ! video/x-raw,format=NV12,width=32,height=32 ! mux.sink_2");
  gst_element_set_state(p, GST_STATE_PLAYING);
  GPtrArray *samples = pull_all(p, "a");
  guint counts[3] = { 0 }, total = 0;
  gint64 last[3] = { -1, -1, -1 };
  for (guint i = 0; i < samples->len; i++) {
    VfBatchMeta *meta = vf_batch_meta_get(gst_sample_get_buffer(g_ptr_array_index(samples, i)));
    for (guint j = 0; j < vf_batch_meta_get_n_frames(meta); j++) {
      VfFrameMeta *f = vf_batch_meta_get_frame(meta, j);
      guint id = vf_frame_meta_get_source_id(f);
      g_assert_cmpuint(id, <, 3);
      g_assert_cmpint((gint64)vf_frame_meta_get_frame_number(f), ==, last[id] + 1);
      last[id] = (gint64)vf_frame_meta_get_frame_number(f);
      counts[id]++;
      total++;
    }
  }
  g_assert_cmpuint(counts[0], ==, 4);
  g_assert_cmpuint(counts[1], ==, 9);
  g_assert_cmpuint(counts[2], ==, 6);
  g_assert_cmpuint(samples->len, ==, 9); /* one batch per frame of the longest source */
  g_assert_cmpuint(total, ==, 19);
  g_ptr_array_unref(samples);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
}

static void test_live_sources_different_rates(void)
{
  /* Live sources at 30 and 10 fps: the slow one is missing from most batches, which go out on
   * timeout instead of waiting for it. */
  GstElement *p = launch(
      "vfmux name=mux batched-push-timeout=5000 ! appsink name=a sync=false "
      "videotestsrc is-live=true num-buffers=15 ! video/x-raw,format=RGB,width=32,height=32,"
      "framerate=30/1 ! mux.sink_0 "
      "videotestsrc is-live=true num-buffers=5 ! video/x-raw,format=RGB,width=32,height=32,"
      "framerate=10/1 ! mux.sink_1");
  gst_element_set_state(p, GST_STATE_PLAYING);
  GPtrArray *samples = pull_all(p, "a");
  guint frames[2] = { 0 }, partial = 0;
  for (guint i = 0; i < samples->len; i++) {
    VfBatchMeta *meta = vf_batch_meta_get(gst_sample_get_buffer(g_ptr_array_index(samples, i)));
    guint n = vf_batch_meta_get_n_frames(meta);
    if (n < 2)
      partial++;
    for (guint j = 0; j < n; j++)
      frames[vf_frame_meta_get_source_id(vf_batch_meta_get_frame(meta, j))]++;
  }
  g_assert_cmpuint(frames[0], ==, 15);
  g_assert_cmpuint(frames[1], ==, 5);
  g_assert_cmpuint(partial, >=, 8);
  /* The muxer adds its timeout to the live latency. */
  GstQuery *q = gst_query_new_latency();
  GstElement *mux = gst_bin_get_by_name(GST_BIN(p), "mux");
  g_assert_true(gst_element_query(mux, q));
  gst_object_unref(mux);
  gboolean live;
  GstClockTime min;
  gst_query_parse_latency(q, &live, &min, NULL);
  g_assert_true(live);
  g_assert_cmpuint(min, >=, 5 * GST_MSECOND);
  gst_query_unref(q);
  g_ptr_array_unref(samples);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
}

static void test_launch_style_demux_eos(void)
{
  /* gst-launch style: vfmux ! vfdemux with branches; every branch gets EOS. */
  GstElement *p = launch("vfmux name=mux width=64 height=64 ! vfdemux name=d "
                         "videotestsrc num-buffers=5 ! mux.sink_0 "
                         "videotestsrc num-buffers=3 ! video/x-raw,width=16,height=16 ! mux.sink_1 "
                         "d.src_0 ! queue ! videoconvert ! fakesink  d.src_1 ! queue ! fakesink");
  gst_element_set_state(p, GST_STATE_PLAYING);
  run_to_eos(p);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
}

/* ---- vfdemux alone ---- */

static GstBuffer *make_batch(guint n, GstClockTime pts)
{
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 8, 8);
  GstBuffer *frames[8];
  g_assert_cmpuint(n, <=, G_N_ELEMENTS(frames));
  for (guint i = 0; i < n; i++)
    frames[i] = make_rgb_frame(8, 8, (guint8)(i + 1), 0, 0, pts);
  GstBuffer *b = make_batch_of(frames, n, &info, pts);
  for (guint i = 0; i < n; i++)
    gst_buffer_unref(frames[i]);
  return b;
}

static void test_demux_harness(void)
{
  GstElement *demux = gst_element_factory_make("vfdemux", NULL);
  GstBus *bus = gst_bus_new();
  gst_element_set_bus(demux, bus);
  GstHarness *h0 = gst_harness_new_with_element(demux, "sink", "src_0");
  GstHarness *h1 = gst_harness_new_with_element(demux, NULL, "src_1");
  gst_harness_set_src_caps_str(h0, "video/x-raw(meta:VfBatch),format=RGB,width=8,height=8,"
                                   "framerate=30/1,batch-size=3");
  gst_harness_play(h0);

  /* Three sources, pads for two of them: source 2's frame is dropped (and counted). */
  g_assert_cmpint(gst_harness_push(h0, make_batch(3, 0)), ==, GST_FLOW_OK);
  GstBuffer *o0 = gst_harness_pull(h0), *o1 = gst_harness_pull(h1);
  g_assert_cmpint(batch_pixel(o0, 0, 1, 1, 0), ==, 1);
  g_assert_cmpint(batch_pixel(o1, 0, 1, 1, 0), ==, 2);
  gst_buffer_unref(o0);
  gst_buffer_unref(o1);
  guint64 dropped = 0;
  g_object_get(demux, "dropped", &dropped, NULL);
  g_assert_cmpuint(dropped, ==, 1);
  GstCaps *caps = gst_pad_get_current_caps(h1->sinkpad);
  GstCaps *expected = gst_caps_from_string("video/x-raw,format=RGB,width=8,height=8");
  g_assert_true(gst_caps_can_intersect(caps, expected));
  gst_caps_unref(caps);
  gst_caps_unref(expected);

  /* Source 1 ends: EOS on src_1 only. */
  GstStructure *s = gst_structure_new(VF_SOURCE_EOS, "source-id", G_TYPE_UINT, 1, NULL);
  gst_harness_push_event(h0, gst_event_new_custom(GST_EVENT_CUSTOM_DOWNSTREAM, s));
  GstEvent *e = find_event(h1, GST_EVENT_EOS, NULL);
  g_assert_nonnull(e);
  gst_event_unref(e);
  g_assert_null(find_event(h0, GST_EVENT_EOS, NULL));
  g_assert_cmpint(gst_harness_push(h0, make_batch(1, GST_SECOND / 30)), ==, GST_FLOW_OK);
  gst_buffer_unref(gst_harness_pull(h0));

  /* A buffer without batch meta is an error, not a crash. */
  g_assert_cmpint(gst_harness_push(h0, gst_buffer_new_allocate(NULL, 192, NULL)), ==,
                  GST_FLOW_ERROR);
  GstMessage *m = gst_bus_timed_pop_filtered(bus, 0, GST_MESSAGE_ERROR);
  g_assert_nonnull(m);
  gst_message_unref(m);

  gst_harness_teardown(h1);
  gst_harness_teardown(h0);
  gst_element_set_bus(demux, NULL);
  gst_object_unref(bus);
  gst_object_unref(demux);
}

/* vfmux (two harnessed sources) → vfdemux (two harnessed outputs). */
typedef struct {
  GstElement *mux, *demux;
  GstHarness *src[2], *out[2], *in;
} MuxDemux;

static GQuark tag_quark(void)
{
  return g_quark_from_static_string("test-frame-tag");
}

static void mux_demux_setup(MuxDemux *m, const char *caps1, const GstSegment *segment1)
{
  memset(m, 0, sizeof *m);
  m->mux = gst_element_factory_make("vfmux", NULL);
  m->src[0] = gst_harness_new_with_element(m->mux, "sink_%u", "src");
  m->src[1] = gst_harness_new_with_element(m->mux, "sink_%u", NULL);
  gst_harness_set_src_caps_str(m->src[0], "video/x-raw,format=RGB,width=8,height=8,"
                                          "framerate=30/1");
  gst_harness_set_src_caps_str(m->src[1], caps1);
  if (segment1)
    gst_harness_push_event(m->src[1], gst_event_new_segment(segment1));
  gst_harness_use_testclock(m->src[0]);
  gst_harness_play(m->src[0]);
  m->demux = gst_element_factory_make("vfdemux", NULL);
  m->in = m->out[0] = gst_harness_new_with_element(m->demux, "sink", "src_0");
  m->out[1] = gst_harness_new_with_element(m->demux, NULL, "src_1");
  gst_harness_play(m->in);
}

static void mux_demux_teardown(MuxDemux *m)
{
  gst_harness_teardown(m->out[1]);
  gst_harness_teardown(m->out[0]);
  gst_harness_teardown(m->src[1]);
  gst_harness_teardown(m->src[0]);
  gst_object_unref(m->demux);
  gst_object_unref(m->mux);
}

/* Push frames (PTS `pts[i]`) into the mux; the batch it makes (transfer full). */
static GstBuffer *mux_frames(MuxDemux *m, GstBuffer **frames)
{
  for (guint i = 0; i < 2; i++)
    g_assert_cmpint(gst_harness_push(m->src[i], frames[i]), ==, GST_FLOW_OK);
  GstBuffer *batch = gst_harness_pull(m->src[0]);
  GstCaps *caps = gst_pad_get_current_caps(m->src[0]->sinkpad);
  gst_harness_set_src_caps(m->in, caps);
  return batch;
}

/* vfdemux holds the only reference to a frame: it pushes the frame's own buffer. When the batch
 * is shared, it pushes a view of the same pixels that leaves the frame's memory unshared (its pool
 * can take it back), read-only. */
static void test_demux_sole_owner_and_shared(void)
{
  MuxDemux m;
  mux_demux_setup(&m, "video/x-raw,format=RGB,width=8,height=8,framerate=30/1", NULL);
  for (guint round = 0; round < 2; round++) {
    gboolean shared = round == 1;
    GstBuffer *frames[2], *keep = NULL;
    for (guint i = 0; i < 2; i++) {
      frames[i] = make_rgb_frame(8, 8, (guint8)(10 + i), 0, 0, round * GST_SECOND / 30);
      gst_mini_object_set_qdata(GST_MINI_OBJECT(frames[i]), tag_quark(), GUINT_TO_POINTER(1), NULL);
    }
    if (shared)
      keep = gst_buffer_ref(frames[1]);
    GstBuffer *batch = mux_frames(&m, frames);
    GstBuffer *batch_ref = shared ? gst_buffer_ref(batch) : NULL;
    g_assert_cmpint(gst_harness_push(m.in, batch), ==, GST_FLOW_OK);
    GstBuffer *o[2] = { gst_harness_pull(m.out[0]), gst_harness_pull(m.out[1]) };
    for (guint i = 0; i < 2; i++) {
      gboolean own = gst_mini_object_get_qdata(GST_MINI_OBJECT(o[i]), tag_quark()) != NULL;
      g_assert_true(own == !shared);
      g_assert_cmpint(batch_pixel(o[i], 0, 2, 2, 0), ==, 10 + (gint)i);
      VfFrameMeta *f = vf_batch_meta_get_frame(vf_batch_meta_get(o[i]), 0);
      g_assert_cmpuint(vf_frame_meta_get_source_id(f), ==, i);
      g_assert_null(vf_frame_meta_get_buffer(f));
    }
    if (shared) {
      /* A view: same address, read-only, the source buffer's memory still its alone. */
      GstMapInfo a, b;
      gst_buffer_map(o[1], &a, GST_MAP_READ);
      gst_buffer_map(keep, &b, GST_MAP_READ);
      g_assert_true(a.data == b.data);
      gst_buffer_unmap(keep, &b);
      gst_buffer_unmap(o[1], &a);
      g_assert_true(GST_MEMORY_IS_READONLY(gst_buffer_peek_memory(o[1], 0)));
      g_assert_cmpint(GST_MINI_OBJECT_REFCOUNT_VALUE(gst_buffer_peek_memory(keep, 0)), ==, 1);
      gst_buffer_unref(batch_ref);
      gst_buffer_unref(o[0]);
      gst_buffer_unref(o[1]);
      /* Everyone let go: the source buffer is ours alone again, as its pool wants it. */
      g_assert_cmpint(GST_MINI_OBJECT_REFCOUNT_VALUE(keep), ==, 1);
      g_assert_true(gst_buffer_is_all_memory_writable(keep));
      gst_buffer_unref(keep);
    } else {
      gst_buffer_unref(o[0]);
      gst_buffer_unref(o[1]);
    }
  }
  mux_demux_teardown(&m);
}

/* Each output is the source's stream again: its stream id, caps, segment and timestamps. */
static void test_demux_rebuilds_streams(void)
{
  const char *caps1 = "video/x-raw,format=RGB,width=8,height=8,framerate=25/1,"
                      "pixel-aspect-ratio=2/1,colorimetry=sRGB,interlace-mode=progressive";
  GstSegment seg;
  gst_segment_init(&seg, GST_FORMAT_TIME);
  seg.start = 10 * GST_SECOND;
  seg.time = 100 * GST_SECOND;
  MuxDemux m;
  mux_demux_setup(&m, caps1, &seg);
  for (guint k = 0; k < 3; k++) {
    GstBuffer *frames[2] = { make_rgb_frame(8, 8, 1, 1, 1, k * GST_SECOND / 30),
                             make_rgb_frame(8, 8, 2, 2, 2, 10 * GST_SECOND + k * GST_SECOND / 25) };
    GstBuffer *batch = mux_frames(&m, frames);
    g_assert_cmpint(gst_harness_push(m.in, batch), ==, GST_FLOW_OK);
    for (guint i = 0; i < 2; i++) {
      GstBuffer *o = gst_harness_pull(m.out[i]);
      GstClockTime want = i == 0 ? k * GST_SECOND / 30 : 10 * GST_SECOND + k * GST_SECOND / 25;
      g_assert_cmpuint(GST_BUFFER_PTS(o), ==, want);
      gst_buffer_unref(o);
    }
  }
  for (guint i = 0; i < 2; i++) {
    gchar *want_id = gst_pad_get_stream_id(m.src[i]->srcpad),
          *id = gst_pad_get_stream_id(m.out[i]->sinkpad);
    g_assert_cmpstr(id, ==, want_id);
    g_free(id);
    g_free(want_id);
    GstCaps *want = gst_pad_get_current_caps(m.src[i]->srcpad),
            *caps = gst_pad_get_current_caps(m.out[i]->sinkpad);
    g_assert_true(gst_caps_is_equal(caps, want));
    gst_caps_unref(caps);
    gst_caps_unref(want);
    GstEvent *e = gst_pad_get_sticky_event(m.out[i]->sinkpad, GST_EVENT_SEGMENT, 0);
    const GstSegment *got;
    gst_event_parse_segment(e, &got);
    if (i == 1) {
      g_assert_cmpuint(got->start, ==, 10 * GST_SECOND);
      g_assert_cmpuint(got->time, ==, 100 * GST_SECOND);
    } else {
      g_assert_cmpuint(got->start, ==, 0);
    }
    gst_event_unref(e);
  }
  mux_demux_teardown(&m);
}

/* ---- vfmux makes its batches on the sources' threads ---- */

#define RACE_SOURCES 64
#define RACE_FRAMES 40

typedef struct {
  GMutex lock;
  GHashTable *threads; /* GThread * -> source id + 1: the sources' streaming threads */
  guint64 next[RACE_SOURCES];
  GstClockTime last_pts[RACE_SOURCES];
  guint batches, frames, on_source_thread;
  gboolean out_of_order, twice, full;
  gboolean live; /* live sources stamp frames with the clock: pts only has to increase */
} Race;

static GstPadProbeReturn note_source_thread(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)info;
  Race *r = data;
  guint id = GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(pad), "source-id"));
  g_mutex_lock(&r->lock);
  g_hash_table_insert(r->threads, g_thread_self(), GUINT_TO_POINTER(id + 1));
  g_mutex_unlock(&r->lock);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn check_race_batch(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  Race *r = data;
  VfBatchMeta *meta = vf_batch_meta_get(GST_PAD_PROBE_INFO_BUFFER(info));
  g_assert_nonnull(meta);
  gboolean seen[RACE_SOURCES] = { FALSE };
  g_mutex_lock(&r->lock);
  r->batches++;
  if (g_hash_table_contains(r->threads, g_thread_self()))
    r->on_source_thread++;
  guint n = vf_batch_meta_get_n_frames(meta);
  r->full &= n == RACE_SOURCES;
  for (guint i = 0; i < n; i++) {
    VfFrameMeta *f = vf_batch_meta_get_frame(meta, i);
    guint id = vf_frame_meta_get_source_id(f);
    if (id >= RACE_SOURCES || seen[id]) {
      r->twice = TRUE;
      continue;
    }
    seen[id] = TRUE;
    guint64 number = vf_frame_meta_get_frame_number(f);
    /* each source's frames in order, none lost: its n-th frame is frame n, stamped n/30 s (a
     * live source: stamped later than the one before) */
    GstClockTime pts = vf_frame_meta_get_pts(f);
    if (number != r->next[id]
        || (r->live ? number > 0 && pts <= r->last_pts[id] : pts != number * GST_SECOND / 30))
      r->out_of_order = TRUE;
    r->next[id] = number + 1;
    r->last_pts[id] = pts;
    r->frames++;
  }
  g_mutex_unlock(&r->lock);
  return GST_PAD_PROBE_OK;
}

/* `n` videotestsrc (with `src_props`, `frames` each) into vfmux (with `mux_props`) into fakesink,
 * every batch checked by check_race_batch into `r` (initialised here, with its live flag). */
static GstElement *race_pipeline(guint n, guint frames, const char *src_props,
                                 const char *mux_props, Race *r)
{
  GString *desc = g_string_new(NULL);
  g_string_printf(desc, "vfmux name=m %s ! fakesink name=out", mux_props);
  for (guint i = 0; i < n; i++)
    g_string_append_printf(desc,
                           " videotestsrc name=s%u %s num-buffers=%u pattern=black ! "
                           "video/x-raw,format=RGB,width=8,height=8,framerate=30/1 ! m.sink_%u",
                           i, src_props, frames, i);
  GstElement *p = launch(desc->str);
  g_string_free(desc, TRUE);
  g_mutex_init(&r->lock);
  r->threads = g_hash_table_new(NULL, NULL);
  GstElement *mux = gst_bin_get_by_name(GST_BIN(p), "m");
  GstPad *out = gst_element_get_static_pad(mux, "src");
  gst_pad_add_probe(out, GST_PAD_PROBE_TYPE_BUFFER, check_race_batch, r, NULL);
  gst_object_unref(out);
  gst_object_unref(mux);
  return p;
}

static void race_clear(GstElement *p, Race *r)
{
  gst_object_unref(p);
  g_hash_table_unref(r->threads);
  g_mutex_clear(&r->lock);
}

/* 64 sources race into vfmux, each on its own streaming thread: every batch holds one frame of
 * every source, each source's frames come in order and none is lost, and each batch is made and
 * pushed on the streaming thread of a source (no hand-over to a thread of vfmux's own). */
static void test_mux_sources_race(void)
{
  Race r = { .full = TRUE };
  GstElement *p = race_pipeline(RACE_SOURCES, RACE_FRAMES, "", "", &r);
  for (guint i = 0; i < RACE_SOURCES; i++) {
    char name[16];
    g_snprintf(name, sizeof name, "s%u", i);
    GstElement *src = gst_bin_get_by_name(GST_BIN(p), name);
    GstPad *pad = gst_element_get_static_pad(src, "src");
    g_object_set_data(G_OBJECT(pad), "source-id", GUINT_TO_POINTER(i));
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, note_source_thread, &r, NULL);
    gst_object_unref(pad);
    gst_object_unref(src);
  }
  gst_element_set_state(p, GST_STATE_PLAYING);
  run_to_eos(p);
  gst_element_set_state(p, GST_STATE_NULL);
  g_assert_cmpuint(r.frames, ==, RACE_SOURCES * RACE_FRAMES);
  g_assert_cmpuint(r.batches, ==, RACE_FRAMES);
  g_assert_true(r.full);
  g_assert_false(r.twice);
  g_assert_false(r.out_of_order);
  for (guint i = 0; i < RACE_SOURCES; i++)
    g_assert_cmpuint(r.next[i], ==, RACE_FRAMES);
  g_assert_cmpuint(r.on_source_thread, ==, r.batches);
  race_clear(p, &r);
}

/* The race of live sources: 32 live sources at 30 fps into vfmux, whose batches then go out
 * complete from the source thread that completes them or incomplete from its timer thread when
 * batched-push-timeout passes (how many of each depends on the machine's load, so the test counts
 * neither). Whatever the mix: every frame of every source arrives exactly once, in order, never
 * two of one source in a batch, and the stream ends. */
#define LIVE_RACE_SOURCES 32
#define LIVE_RACE_FRAMES 30

static void test_mux_sources_race_live(void)
{
  Race r = { .live = TRUE };
  GstElement *p = race_pipeline(LIVE_RACE_SOURCES, LIVE_RACE_FRAMES, "is-live=true",
                                "batched-push-timeout=1000", &r);
  gst_element_set_state(p, GST_STATE_PLAYING);
  run_to_eos(p);
  gst_element_set_state(p, GST_STATE_NULL);
  g_assert_cmpuint(r.frames, ==, LIVE_RACE_SOURCES * LIVE_RACE_FRAMES);
  g_assert_false(r.twice);
  g_assert_false(r.out_of_order);
  for (guint i = 0; i < LIVE_RACE_SOURCES; i++)
    g_assert_cmpuint(r.next[i], ==, LIVE_RACE_FRAMES);
  g_assert_cmpuint(r.batches, >=, LIVE_RACE_FRAMES);
  g_test_message("%u batches for %u frames of each source", r.batches, LIVE_RACE_FRAMES);
  race_clear(p, &r);
}

/* A flushing seek through vfmux: one flush downstream, then only batches of frames from the new
 * position (none mixes frames from before and after), up to the seek's stop, then EOS. */
static void test_mux_flushing_seek(void)
{
  GstElement *p = launch(
      "vfmux name=m ! appsink name=out sync=false"
      " videotestsrc pattern=black ! video/x-raw,format=RGB,width=8,height=8,framerate=30/1 !"
      " m.sink_0"
      " videotestsrc pattern=ball ! video/x-raw,format=RGB,width=8,height=8,framerate=30/1 !"
      " m.sink_1");
  gst_element_set_state(p, GST_STATE_PAUSED);
  g_assert_cmpint(gst_element_get_state(p, NULL, NULL, 20 * GST_SECOND), ==,
                  GST_STATE_CHANGE_SUCCESS);
  g_assert_true(gst_element_seek(p, 1.0, GST_FORMAT_TIME,
                                 GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, GST_SEEK_TYPE_SET,
                                 GST_SECOND, GST_SEEK_TYPE_SET, 2 * GST_SECOND));
  g_assert_cmpint(gst_element_get_state(p, NULL, NULL, 20 * GST_SECOND), ==,
                  GST_STATE_CHANGE_SUCCESS);
  gst_element_set_state(p, GST_STATE_PLAYING);
  GPtrArray *samples = pull_all(p, "out");
  g_assert_cmpuint(samples->len, ==, 30); /* [1 s, 2 s) at 30 fps */
  for (guint k = 0; k < samples->len; k++) {
    VfBatchMeta *meta = vf_batch_meta_get(gst_sample_get_buffer(samples->pdata[k]));
    g_assert_nonnull(meta);
    g_assert_cmpuint(vf_batch_meta_get_n_frames(meta), ==, 2);
    for (guint i = 0; i < 2; i++)
      g_assert_cmpuint(vf_frame_meta_get_pts(vf_batch_meta_get_frame(meta, i)), ==,
                       GST_SECOND + gst_util_uint64_scale(k, GST_SECOND, 30));
  }
  g_ptr_array_unref(samples);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/pipeline/meta-survives-tee-queue-copy", test_meta_through_tee_queue_copy);
  g_test_add_func("/pipeline/single-frame-meta-through-videoscale", test_single_frame_meta_scaled);
  g_test_add_func("/pipeline/uneven-sources-end", test_uneven_sources);
  g_test_add_func("/pipeline/live-sources-different-rates", test_live_sources_different_rates);
  g_test_add_func("/vfmux/sources-race-batch-on-source-thread", test_mux_sources_race);
  g_test_add_func("/vfmux/sources-race-live", test_mux_sources_race_live);
  g_test_add_func("/vfmux/flushing-seek", test_mux_flushing_seek);
  g_test_add_func("/vfdemux/round-trip", test_demux_round_trip);
  g_test_add_func("/vfdemux/launch-line-eos", test_launch_style_demux_eos);
  g_test_add_func("/vfdemux/harness", test_demux_harness);
  g_test_add_func("/vfdemux/own-buffer-or-view", test_demux_sole_owner_and_shared);
  g_test_add_func("/vfdemux/rebuilds-source-streams", test_demux_rebuilds_streams);
  return g_test_run();
}
