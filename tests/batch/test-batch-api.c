/* Library tests for batches through the vidflow API: probes (buffer and batch-metadata operators,
 * built-in fps/latency probes), VfBuffer on batches (extract(i), batch meta), feeding batches
 * from one pipeline into another, and linking vfdemux pads by name. */
#include "batch-test-util.h"

#include <gst/app/gstappsrc.h>

/* Two sources into vfmux; `out` is an appsink (or fakesink) after the mux. */
static VfPipeline *two_source_pipeline(guint frames, const char *sink_factory, const char *caps0,
                                       const char *caps1)
{
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new("batch-api");
  char nb[16];
  g_snprintf(nb, sizeof nb, "%u", frames);
  g_assert_true(vf_pipeline_add(p, "videotestsrc", "src0", &err, "num-buffers", nb, NULL));
  g_assert_true(vf_pipeline_add(p, "capsfilter", "caps0", &err, "caps", caps0, NULL));
  g_assert_true(
      vf_pipeline_add(p, "videotestsrc", "src1", &err, "num-buffers", nb, "pattern", "ball", NULL));
  g_assert_true(vf_pipeline_add(p, "capsfilter", "caps1", &err, "caps", caps1, NULL));
  g_assert_true(vf_pipeline_add(p, "vfmux", "mux", &err, NULL));
  g_assert_true(vf_pipeline_add(p, sink_factory, "out", &err, "sync", "false", NULL));
  g_assert_true(vf_pipeline_link(p, &err, "src0", "caps0", NULL));
  g_assert_true(vf_pipeline_link(p, &err, "src1", "caps1", NULL));
  g_assert_true(vf_pipeline_link_pads(p, "caps0", NULL, "mux", "sink_%u", &err));
  g_assert_true(vf_pipeline_link_pads(p, "caps1", NULL, "mux", "sink_%u", &err));
  g_assert_true(vf_pipeline_link(p, &err, "mux", "out", NULL));
  g_assert_no_error(err);
  return p;
}

#define RGB64 "video/x-raw,format=RGB,width=64,height=48"

/* ---- batch-metadata operator ---- */

typedef struct {
  guint batches;
  guint frames;
  guint objects_seen;
  guint max_batch;
} Counts;

static void add_objects(VfBatchMeta *meta, gpointer data)
{
  Counts *c = data;
  c->batches++;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++) {
    VfFrameMeta *f = vf_batch_meta_get_frame(meta, i);
    /* Two objects in, one out again: what the rest of the pipeline sees is one. */
    VfObjectMeta *keep = vf_object_meta_new(), *gone = vf_object_meta_new();
    vf_object_meta_set_class_id(keep, (gint)vf_frame_meta_get_source_id(f));
    vf_object_meta_set_confidence(keep, 0.5f);
    vf_frame_meta_add_object(f, keep);
    vf_frame_meta_add_object(f, gone);
    vf_frame_meta_remove_object(f, gone);
    vf_object_meta_unref(keep);
    vf_object_meta_unref(gone);
    VfColor green = { 0, 1, 0, 1 };
    VfRect r = { 1, 1, 10, 10 };
    vf_frame_meta_add_display_rect(f, &r, 2, &green, NULL);
  }
}

static int check_objects(VfBuffer *buffer, gpointer data)
{
  Counts *c = data;
  VfBatchMeta *meta = vf_buffer_get_batch_meta(buffer);
  g_assert_nonnull(meta);
  g_assert_cmpuint(vf_buffer_get_batch_size(buffer), ==, vf_batch_meta_get_n_frames(meta));
  c->batches++;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++) {
    VfFrameMeta *f = vf_batch_meta_get_frame(meta, i);
    c->frames++;
    GPtrArray *objs = vf_frame_meta_get_objects(f);
    g_assert_cmpuint(objs->len, ==, 1);
    g_assert_cmpint(vf_object_meta_get_class_id(g_ptr_array_index(objs, 0)), ==,
                    (gint)vf_frame_meta_get_source_id(f));
    c->objects_seen += objs->len;
    g_ptr_array_unref(objs);
    g_assert_cmpuint(vf_frame_meta_get_n_display_items(f), ==, 1);
  }
  return VF_CONSUME_OK;
}

static void test_batch_meta_operator(void)
{
  GError *err = NULL;
  VfPipeline *p = two_source_pipeline(12, "appsink", RGB64, RGB64);
  Counts probe_counts = { 0 }, recv_counts = { 0 };
  VfProbeCallbacks pcb = { 0 };
  pcb.on_batch_meta = add_objects;
  g_assert_true(
      vf_pipeline_attach_probe(p, "mux", NULL, vf_probe_new("adder", &pcb, &probe_counts), &err));
  VfRetrieverCallbacks rcb = { check_objects, NULL };
  g_assert_true(vf_pipeline_attach_receiver(
      p, "out", vf_receiver_new("checker", &rcb, &recv_counts), NULL, &err));
  g_assert_true(vf_pipeline_run(p, &err));
  g_assert_no_error(err);
  g_assert_cmpuint(probe_counts.batches, ==, 12);
  g_assert_cmpuint(recv_counts.batches, ==, 12);
  g_assert_cmpuint(recv_counts.frames, ==, 24);
  g_assert_cmpuint(recv_counts.objects_seen, ==, 24);
  vf_pipeline_free(p);

  /* Neither operator: refused when attached, with an error saying so. */
  VfProbeCallbacks none = { 0 };
  p = vf_pipeline_new("t");
  g_assert_true(vf_pipeline_add(p, "identity", "id", &err, NULL));
  g_assert_false(vf_pipeline_attach_probe(p, "id", NULL, vf_probe_new("none", &none, NULL), &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_assert_nonnull(strstr(err->message, "'none'"));
  g_clear_error(&err);
  vf_pipeline_free(p);
}

/* ---- buffer operator: modify and drop ---- */

static VfProbeReturn paint_and_drop(VfBuffer *buffer, gpointer data)
{
  guint *n = data;
  (*n)++;
  if (*n % 3 == 0)
    return VF_PROBE_DROP;
  /* Write into frame 1 of the batch: the buffer is writable here. */
  GError *err = NULL;
  VfTensor *t = vf_buffer_extract_writable(buffer, 1, &err);
  g_assert_no_error(err);
  guint8 *px = vf_tensor_get_data(t);
  px[0] = 7;
  px[1] = 8;
  px[2] = 9;
  vf_tensor_unref(t);
  return VF_PROBE_KEEP;
}

static int check_painted(VfBuffer *buffer, gpointer data)
{
  guint *n = data;
  (*n)++;
  GError *err = NULL;
  VfTensor *t = vf_buffer_extract(buffer, 1, &err);
  g_assert_no_error(err);
  guint8 *px = vf_tensor_get_data(t);
  g_assert_cmpint(px[0], ==, 7);
  g_assert_cmpint(px[1], ==, 8);
  g_assert_cmpint(px[2], ==, 9);
  vf_tensor_unref(t);
  return VF_CONSUME_OK;
}

static void test_buffer_operator(void)
{
  GError *err = NULL;
  VfPipeline *p = two_source_pipeline(9, "appsink", RGB64, RGB64);
  guint probed = 0, received = 0;
  VfProbeCallbacks pcb = { paint_and_drop, NULL, NULL };
  VfProbe *probe = vf_probe_new("painter", &pcb, &probed);
  g_assert_true(vf_pipeline_attach_probe(p, "mux", "src", probe, &err));
  VfRetrieverCallbacks rcb = { check_painted, NULL };
  g_assert_true(vf_pipeline_attach_receiver(p, "out", vf_receiver_new("checker", &rcb, &received),
                                            NULL, &err));
  g_assert_true(vf_pipeline_run(p, &err));
  g_assert_no_error(err);
  g_assert_cmpuint(probed, ==, 9);
  g_assert_cmpuint(received, ==, 6);
  g_assert_cmpuint(vf_probe_get_seen(probe), ==, 9);
  g_assert_cmpuint(vf_probe_get_dropped(probe), ==, 3);
  vf_pipeline_free(p);
}

/* ---- built-in probes ---- */

static void test_builtin_probes(void)
{
  GError *err = NULL;
  VfPipeline *p = two_source_pipeline(20, "fakesink", RGB64, RGB64);
  VfProbe *fps = vf_pipeline_attach_builtin_probe(p, "mux", NULL, VF_PROBE_MEASURE_FPS, &err);
  g_assert_no_error(err);
  VfProbe *lat = vf_pipeline_attach_builtin_probe(p, "mux", "src", VF_PROBE_MEASURE_LATENCY, &err);
  g_assert_no_error(err);
  vf_probe_set_report_interval(fps, 50 * GST_MSECOND);
  g_assert_null(vf_pipeline_attach_builtin_probe(p, "mux", NULL, "no_such_probe", &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_clear_error(&err);
  g_assert_null(vf_pipeline_attach_builtin_probe(p, "nosuch", NULL, VF_PROBE_MEASURE_FPS, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_clear_error(&err);

  g_assert_true(vf_pipeline_run(p, &err));
  g_assert_no_error(err);
  GArray *stats = vf_probe_get_fps_stats(fps);
  g_assert_nonnull(stats);
  g_assert_cmpuint(stats->len, ==, 2);
  for (guint i = 0; i < 2; i++) {
    VfFpsStats *s = &g_array_index(stats, VfFpsStats, i);
    g_assert_cmpuint(s->source_id, ==, i);
    g_assert_cmpuint(s->frames, ==, 20);
    g_assert_cmpfloat(s->average_fps, >, 0);
  }
  g_array_unref(stats);
  VfLatencyStats l;
  g_assert_true(vf_probe_get_latency_stats(lat, &l));
  g_assert_cmpuint(l.batches, ==, 20);
  g_assert_cmpfloat(l.min_ms, >=, 0);
  g_assert_cmpfloat(l.max_ms, >=, l.min_ms);
  g_assert_cmpfloat(l.average_ms, <=, l.max_ms);
  /* The wrong kind answers nothing. */
  g_assert_null(vf_probe_get_fps_stats(lat));
  g_assert_false(vf_probe_get_latency_stats(fps, &l));
  vf_pipeline_free(p);
}

/* ---- VfBuffer on batches ---- */

typedef struct {
  guint batches;
  VfTensor *kept; /* a frame kept beyond the callback */
} Extract;

static int extract_frames(VfBuffer *buffer, gpointer data)
{
  Extract *x = data;
  GError *err = NULL;
  x->batches++;
  g_assert_cmpuint(vf_buffer_get_batch_size(buffer), ==, 2);
  g_assert_cmpuint(vf_buffer_get_width(buffer), ==, 64); /* frame 0 */
  g_assert_cmpint(vf_buffer_get_color_format(buffer), ==, VF_COLOR_FORMAT_RGB);
  VfTensor *t0 = vf_buffer_extract(buffer, 0, &err);
  g_assert_no_error(err);
  g_assert_cmpint(vf_tensor_get_color_format(t0), ==, VF_COLOR_FORMAT_RGB);
  g_assert_cmpuint(vf_tensor_get_ndim(t0), ==, 3);
  g_assert_cmpint(vf_tensor_get_shape(t0)[0], ==, 48);
  g_assert_cmpint(vf_tensor_get_shape(t0)[1], ==, 64);
  g_assert_cmpint(vf_tensor_get_shape(t0)[2], ==, 3);
  VfTensor *t1 = vf_buffer_extract(buffer, 1, &err);
  g_assert_no_error(err);
  g_assert_cmpuint(vf_tensor_get_width(t1), ==, 32);
  g_assert_cmpuint(vf_tensor_get_height(t1), ==, 24);
  /* Frame i is frame i of the meta, pixels included. */
  VfFrameMeta *f1 = vf_batch_meta_get_frame(vf_buffer_get_batch_meta(buffer), 1);
  g_assert_cmpuint(vf_frame_meta_get_source_id(f1), ==, 1);
  g_assert_null(vf_buffer_extract(buffer, 2, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  /* A clone is a batch too. */
  VfBuffer *clone = vf_buffer_clone(buffer, &err);
  g_assert_cmpuint(vf_buffer_get_batch_size(clone), ==, 2);
  VfTensor *c1 = vf_buffer_extract(clone, 1, &err);
  g_assert_true(vf_tensor_get_data(c1) != vf_tensor_get_data(t1));
  g_assert_cmpmem(vf_tensor_get_data(c1), 32 * 24 * 3, vf_tensor_get_data(t1), 32 * 24 * 3);
  vf_tensor_unref(c1);
  vf_buffer_unref(clone);
  vf_tensor_unref(t0);
  if (x->kept == NULL)
    x->kept = t1; /* stays valid after the buffer left the callback */
  else
    vf_tensor_unref(t1);
  return VF_CONSUME_OK;
}

static void test_extract_batch(void)
{
  GError *err = NULL;
  VfPipeline *p
      = two_source_pipeline(5, "appsink", RGB64, "video/x-raw,format=RGB,width=32,height=24");
  Extract x = { 0 };
  VfRetrieverCallbacks rcb = { extract_frames, NULL };
  g_assert_true(
      vf_pipeline_attach_receiver(p, "out", vf_receiver_new("extract", &rcb, &x), NULL, &err));
  g_assert_true(vf_pipeline_run(p, &err));
  g_assert_no_error(err);
  g_assert_cmpuint(x.batches, ==, 5);
  vf_pipeline_free(p);
  /* The kept frame outlives the pipeline. */
  g_assert_nonnull(x.kept);
  VfTensor *c = vf_tensor_clone(x.kept, &err);
  g_assert_no_error(err);
  vf_tensor_unref(c);
  vf_tensor_unref(x.kept);
}

/* ---- extract(i) on frames made of several memories (the wrong-frame regression) ---- */

#define MM_W 16
#define MM_H 8
#define MM_FRAMES 3
#define MM_SOURCES 3

/* An I420 frame of source s, frame k, in several memories: one per plane, or (split) two memories
 * cut inside the Y plane. Y = 10 * s + k, U = 100 + s, V = 200 + s. */
static GstBuffer *multi_memory_frame(guint s, guint k, gboolean split)
{
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, MM_W, MM_H);
  GstBuffer *whole = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&info), NULL);
  gsize u = GST_VIDEO_INFO_PLANE_OFFSET(&info, 1), v = GST_VIDEO_INFO_PLANE_OFFSET(&info, 2);
  gst_buffer_memset(whole, 0, (guint8)(10 * s + k), u);
  gst_buffer_memset(whole, u, (guint8)(100 + s), v - u);
  gst_buffer_memset(whole, v, (guint8)(200 + s), GST_VIDEO_INFO_SIZE(&info) - v);
  gsize cuts[3] = { 0, u, v };
  if (split) {
    cuts[1] = MM_W * 3 + 5; /* inside the Y plane */
    cuts[2] = GST_VIDEO_INFO_SIZE(&info);
  }
  GstBuffer *b = gst_buffer_new();
  for (guint i = 0; i < 3; i++) {
    gsize end = i < 2 ? cuts[i + 1] : GST_VIDEO_INFO_SIZE(&info);
    if (end > cuts[i])
      gst_buffer_append_memory(b, gst_memory_copy(gst_buffer_peek_memory(whole, 0), (gssize)cuts[i],
                                                  (gssize)(end - cuts[i])));
  }
  gst_buffer_unref(whole);
  GST_BUFFER_PTS(b) = k * GST_SECOND / 30;
  GST_BUFFER_DURATION(b) = GST_SECOND / 30;
  return b;
}

static gint plane_byte(VfTensor *t, guint plane)
{
  gpointer data;
  gsize stride;
  if (!vf_tensor_get_plane(t, plane, &data, &stride))
    return -1;
  return ((guint8 *)data)[stride + 1]; /* row 1, pixel 1 */
}

/* In a probe (the buffer writable, as when the bug shifted memories), each frame i is frame i. */
static VfProbeReturn extract_every_frame(VfBuffer *buffer, gpointer data)
{
  guint *checked = data;
  VfBatchMeta *meta = vf_buffer_get_batch_meta(buffer);
  guint n = vf_buffer_get_batch_size(buffer);
  g_assert_cmpuint(n, ==, MM_SOURCES);
  /* Twice, in two orders, with a writable view in between. */
  guint orders[2][MM_SOURCES] = { { 0, 1, 2 }, { 2, 0, 1 } };
  for (guint round = 0; round < 2; round++) {
    for (guint j = 0; j < n; j++) {
      guint i = orders[round][j];
      VfFrameMeta *f = vf_batch_meta_get_frame(meta, i);
      guint s = vf_frame_meta_get_source_id(f), k = (guint)vf_frame_meta_get_frame_number(f);
      GError *err = NULL;
      VfTensor *t = vf_buffer_extract(buffer, i, &err);
      g_assert_no_error(err);
      g_assert_cmpuint(vf_tensor_get_width(t), ==, MM_W);
      g_assert_cmpint(plane_byte(t, 0), ==, (gint)(10 * s + k));
      g_assert_cmpint(plane_byte(t, 1), ==, (gint)(100 + s));
      g_assert_cmpint(plane_byte(t, 2), ==, (gint)(200 + s));
      vf_tensor_unref(t);
      (*checked)++;
    }
    VfTensor *w = vf_buffer_extract_writable(buffer, 1, NULL);
    g_assert_nonnull(w);
    vf_tensor_unref(w);
  }
  return VF_PROBE_KEEP;
}

static void test_extract_multi_memory(void)
{
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new("multi-memory");
  g_assert_true(vf_pipeline_add(p, "vfmux", "mux", &err, NULL));
  g_assert_true(vf_pipeline_add(p, "fakesink", "out", &err, "sync", "false", NULL));
  g_assert_true(vf_pipeline_link(p, &err, "mux", "out", NULL));
  char caps[128];
  g_snprintf(caps, sizeof caps, "video/x-raw,format=I420,width=%d,height=%d,framerate=30/1", MM_W,
             MM_H);
  for (guint s = 0; s < MM_SOURCES; s++) {
    char name[8];
    g_snprintf(name, sizeof name, "s%u", s);
    g_assert_true(vf_pipeline_add(p, "appsrc", name, &err, "caps", caps, "format", "time", NULL));
    g_assert_true(vf_pipeline_link_pads(p, name, NULL, "mux", "sink_%u", &err));
    GstElement *src = vf_pipeline_get_element(p, name);
    for (guint k = 0; k < MM_FRAMES; k++)
      g_assert_cmpint(gst_app_src_push_buffer(GST_APP_SRC(src), multi_memory_frame(s, k, s == 2)),
                      ==, GST_FLOW_OK);
    gst_app_src_end_of_stream(GST_APP_SRC(src));
  }
  g_assert_no_error(err);
  guint checked = 0;
  VfProbeCallbacks pcb = { extract_every_frame, NULL, NULL };
  g_assert_true(
      vf_pipeline_attach_probe(p, "mux", NULL, vf_probe_new("extract", &pcb, &checked), &err));
  g_assert_true(vf_pipeline_run(p, &err));
  g_assert_no_error(err);
  g_assert_cmpuint(checked, ==, MM_FRAMES * MM_SOURCES * 2);
  vf_pipeline_free(p);
}

/* ---- batches from one pipeline into another ---- */

static int to_queue(VfBuffer *buffer, gpointer data)
{
  vf_frame_queue_push(data, buffer, -1);
  return VF_CONSUME_OK;
}

static void close_queue(gpointer data)
{
  vf_frame_queue_close(data);
}

static VfBuffer *from_queue(gsize size, gpointer data, GError **error)
{
  (void)size;
  (void)error;
  VfBuffer *b = NULL;
  if (vf_frame_queue_pop(data, &b, -1) != VF_QUEUE_OK)
    return NULL;
  return b;
}

static int count(VfBuffer *buffer, gpointer data)
{
  guint *n = data;
  VfBatchMeta *meta = vf_buffer_get_batch_meta(buffer);
  g_assert_nonnull(meta);
  g_assert_cmpuint(vf_batch_meta_get_n_frames(meta), ==, 1);
  (*n)++;
  return VF_CONSUME_OK;
}

static void test_batches_across_pipelines(void)
{
  GError *err = NULL;
  VfFrameQueue *q = vf_frame_queue_new(4);
  VfPipeline *a = two_source_pipeline(6, "appsink", RGB64, RGB64);
  VfRetrieverCallbacks rcb = { to_queue, close_queue };
  g_assert_true(
      vf_pipeline_attach_receiver(a, "out", vf_receiver_new("to-queue", &rcb, q), NULL, &err));

  VfPipeline *b = vf_pipeline_new("consumer");
  g_assert_true(vf_pipeline_add(b, "appsrc", "in", &err, "caps",
                                "video/x-raw(meta:VfBatch),format=RGB,width=64,height=48,"
                                "framerate=30/1,batch-size=2",
                                NULL));
  g_assert_true(vf_pipeline_add(b, "vfdemux", "demux", &err, NULL));
  g_assert_true(vf_pipeline_add(b, "queue", "q0", &err, NULL));
  g_assert_true(vf_pipeline_add(b, "queue", "q1", &err, NULL));
  g_assert_true(vf_pipeline_add(b, "appsink", "out0", &err, "sync", "false", NULL));
  g_assert_true(vf_pipeline_add(b, "appsink", "out1", &err, "sync", "false", NULL));
  g_assert_true(vf_pipeline_link(b, &err, "in", "demux", NULL));
  /* vfdemux pads by source id. */
  g_assert_true(vf_pipeline_link_pads(b, "demux", "src_0", "q0", NULL, &err));
  g_assert_true(vf_pipeline_link_pads(b, "demux", "src_1", "q1", NULL, &err));
  g_assert_true(vf_pipeline_link(b, &err, "q0", "out0", NULL));
  g_assert_true(vf_pipeline_link(b, &err, "q1", "out1", NULL));
  g_assert_no_error(err);
  VfProviderCallbacks pcb = { from_queue, NULL };
  g_assert_true(
      vf_pipeline_attach_feeder(b, "in", vf_feeder_new("from-queue", NULL, &pcb, q), NULL, &err));
  guint n0 = 0, n1 = 0;
  VfRetrieverCallbacks c0 = { count, NULL };
  g_assert_true(
      vf_pipeline_attach_receiver(b, "out0", vf_receiver_new("r0", &c0, &n0), NULL, &err));
  g_assert_true(
      vf_pipeline_attach_receiver(b, "out1", vf_receiver_new("r1", &c0, &n1), NULL, &err));
  g_assert_no_error(err);

  g_assert_true(vf_pipeline_start(a, &err));
  g_assert_true(vf_pipeline_start(b, &err));
  g_assert_true(vf_pipeline_wait(a, &err));
  vf_frame_queue_close(q);
  g_assert_true(vf_pipeline_wait(b, &err));
  g_assert_no_error(err);
  g_assert_cmpuint(n0, ==, 6);
  g_assert_cmpuint(n1, ==, 6);
  vf_pipeline_free(a);
  vf_pipeline_free(b);
  vf_frame_queue_free(q);
}

static VfBuffer *plain_frame(gsize size, gpointer data, GError **error)
{
  (void)size;
  (void)data;
  return vf_buffer_new_frame(VF_COLOR_FORMAT_RGB, 64, 48, error);
}

static void test_feeder_refuses_unbatched(void)
{
  GError *err = NULL;
  VfPipeline *b = vf_pipeline_new("refuse");
  g_assert_true(vf_pipeline_add(b, "appsrc", "in", &err, "caps",
                                "video/x-raw(meta:VfBatch),format=RGB,batch-size=2", NULL));
  g_assert_true(vf_pipeline_add(b, "fakesink", "out", &err, NULL));
  g_assert_true(vf_pipeline_link(b, &err, "in", "out", NULL));
  VfProviderCallbacks pcb = { plain_frame, NULL };
  g_assert_true(
      vf_pipeline_attach_feeder(b, "in", vf_feeder_new("plain", NULL, &pcb, NULL), NULL, &err));
  g_assert_false(vf_pipeline_run(b, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_FORMAT);
  g_assert_nonnull(strstr(err->message, "batch metadata"));
  g_clear_error(&err);
  vf_pipeline_free(b);
}

/* A batch whose frame 1 has no pixels (made by code that forgot them). */
static VfBuffer *broken_batch(gsize size, gpointer data, GError **error)
{
  (void)size;
  (void)error;
  guint *n = data;
  if ((*n)++ > 0)
    return NULL;
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 64, 48);
  GstBuffer *pixels = make_rgb_frame(64, 48, 1, 2, 3, 0);
  GstBuffer *batch = gst_buffer_new();
  VfBatchMeta *meta = vf_batch_meta_add(batch, 2);
  vf_batch_meta_add_frame(meta, pixels, &info);
  vf_frame_meta_set_source_id(vf_batch_meta_add_frame(meta, NULL, &info), 4);
  gst_buffer_unref(pixels);
  GstCaps *caps = gst_caps_from_string("video/x-raw(meta:VfBatch),format=RGB,width=64,height=48,"
                                       "batch-size=2");
  VfBuffer *b = vf_buffer_new_from_gst(batch, caps);
  gst_caps_unref(caps);
  gst_buffer_unref(batch);
  return b;
}

static void test_feeder_refuses_broken_batch(void)
{
  GError *err = NULL;
  VfPipeline *b = vf_pipeline_new("refuse-broken");
  g_assert_true(vf_pipeline_add(b, "appsrc", "in", &err, "caps",
                                "video/x-raw(meta:VfBatch),format=RGB,batch-size=2", NULL));
  g_assert_true(vf_pipeline_add(b, "fakesink", "out", &err, NULL));
  g_assert_true(vf_pipeline_link(b, &err, "in", "out", NULL));
  guint n = 0;
  VfProviderCallbacks pcb = { broken_batch, NULL };
  g_assert_true(
      vf_pipeline_attach_feeder(b, "in", vf_feeder_new("broken", NULL, &pcb, &n), NULL, &err));
  g_assert_false(vf_pipeline_run(b, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_FORMAT);
  g_assert_nonnull(strstr(err->message, "feeder 'broken'"));
  g_assert_nonnull(strstr(err->message, "frame 1 of the batch (source 4) has no pixels"));
  g_clear_error(&err);
  vf_pipeline_free(b);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  g_test_add_func("/probe/batch-meta-operator", test_batch_meta_operator);
  g_test_add_func("/probe/buffer-operator-modifies-and-drops", test_buffer_operator);
  g_test_add_func("/probe/builtin-fps-and-latency", test_builtin_probes);
  g_test_add_func("/buffer/extract-frame-i-of-batch", test_extract_batch);
  g_test_add_func("/buffer/extract-multi-memory-frames", test_extract_multi_memory);
  g_test_add_func("/feeder/batches-across-pipelines", test_batches_across_pipelines);
  g_test_add_func("/feeder/refuses-unbatched-buffers", test_feeder_refuses_unbatched);
  g_test_add_func("/feeder/refuses-frames-without-pixels", test_feeder_refuses_broken_batch);
  return g_test_run();
}
