/* Flow API: every operation, overrides, forks, order errors, bad inputs. */
#include "flow-util.h"

static char *clip;     /* 30 frames 160x120 */
static char *clip_uri; /* file:// of clip */

#define CLIP_FRAMES 30

static VfFlow *new_flow(void)
{
  return vf_flow_new(vf_pipeline_new("test"));
}

static const char *const *clip_list(void)
{
  static const char *uris[2];
  uris[0] = clip;
  uris[1] = NULL;
  return uris;
}

static void test_capture_render_discard(void)
{
  VfFlow *f = new_flow();
  GError *err = NULL;
  VfFlow *end
      = vf_flow_render(vf_flow_capture(f, clip_list(), &err, NULL), VF_RENDER_DISCARD, &err, NULL);
  VF_ASSERT_OK(end != NULL, err);
  g_assert_true(end == f); /* no fork: the same handle */
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  GstElement *src = vf_pipeline_get_element(vf_flow_get_pipeline(f), "capture0-src0");
  g_assert_nonnull(src);
  g_assert_cmpstr(GST_OBJECT_NAME(gst_element_get_factory(src)), ==, "vfurisrcbin");
  vf_flow_free(f);
}

static void test_capture_retrieve(void)
{
  FlowCounter c;
  flow_counter_init(&c);
  VfFlow *f = new_flow();
  GError *err = NULL;
  const char *uris[] = { clip_uri, NULL }; /* a URI this time */
  vf_flow_capture(f, uris, &err, NULL);
  VF_ASSERT_OK(vf_flow_retrieve(f, &flow_counter_callbacks, &c, &err, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  g_assert_cmpint(c.frames, ==, CLIP_FRAMES);
  g_assert_cmpuint(c.ndim, ==, 3); /* the seed's assert: an HWC frame */
  g_assert_cmpuint(c.width, ==, 160);
  g_assert_cmpuint(c.height, ==, 120);
  g_assert_cmpint(c.format, ==, VF_COLOR_FORMAT_RGB);
  g_assert_false(c.pts_went_back);
  vf_flow_free(f);
  g_assert_cmpint(c.destroyed, ==, 1);
}

/* Two streams, one retriever: consume() from both, destroy once. Relative paths work. */
static void test_capture_two_streams(void)
{
  FlowCounter c;
  flow_counter_init(&c);
  char *dir = g_path_get_dirname(clip);
  char *base = g_path_get_basename(clip);
  char *cwd = g_get_current_dir();
  g_assert_cmpint(g_chdir(dir), ==, 0);
  VfFlow *f = new_flow();
  GError *err = NULL;
  const char *uris[] = { base, clip, NULL };
  vf_flow_capture(f, uris, &err, NULL);
  VF_ASSERT_OK(vf_flow_retrieve(f, &flow_counter_callbacks, &c, &err, NULL) != NULL, err);
  g_assert_cmpint(g_chdir(cwd), ==, 0);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  g_assert_cmpint(c.frames, ==, 2 * CLIP_FRAMES);
  VfPipeline *p = vf_flow_get_pipeline(f);
  g_assert_nonnull(vf_pipeline_get_element(p, "capture0-src0"));
  g_assert_nonnull(vf_pipeline_get_element(p, "capture0-src1"));
  g_assert_nonnull(vf_pipeline_get_element(p, "retrieve1-sink1"));
  vf_flow_free(f);
  g_assert_cmpint(c.destroyed, ==, 1);
  g_free(dir);
  g_free(base);
  g_free(cwd);
}

/* file_loop: the file starts again and timestamps keep increasing. */
static void test_capture_file_loop(void)
{
  FlowCounter c;
  flow_counter_init(&c);
  c.stop_after = CLIP_FRAMES * 2 + 10;
  VfFlow *f = new_flow();
  GError *err = NULL;
  vf_flow_capture(f, clip_list(), &err, "file_loop", "true", NULL);
  VF_ASSERT_OK(vf_flow_retrieve(f, &flow_counter_callbacks, &c, &err, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  g_assert_cmpint(c.frames, >=, CLIP_FRAMES * 2 + 10);
  g_assert_false(c.pts_went_back);
  guint loops = 0;
  g_object_get(vf_pipeline_get_element(vf_flow_get_pipeline(f), "capture0-src0"), "loops", &loops,
               NULL);
  g_assert_cmpuint(loops, >=, 2);
  vf_flow_free(f);
}

/* ---- inject ---- */

typedef struct {
  guint made, count;
} Synth;

static VfBuffer *synth_generate(gsize size, gpointer data, GError **error)
{
  Synth *s = data;
  if (s->made >= s->count)
    return vf_buffer_new_empty();
  guint8 *d = g_malloc(size);
  memset(d, (int)(s->made++ & 0xff), size);
  return vf_buffer_new_wrapped(VF_COLOR_FORMAT_RGB, 320, 240, NULL, d, size, d, g_free, error);
}

static void test_inject_render(void)
{
  Synth s = { 0, 40 };
  VfProviderInfo info = { VF_COLOR_FORMAT_RGB, 320, 240, 30, 1, VF_DEVICE_CPU };
  VfProviderCallbacks cb = { synth_generate, NULL };
  VfFeeder *feeders[] = { vf_feeder_new("synth", &info, &cb, &s), NULL };
  VfFlow *f = new_flow();
  GError *err = NULL;
  vf_flow_inject(f, feeders, &err, NULL);
  VF_ASSERT_OK(vf_flow_render(f, VF_RENDER_DISCARD, &err, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  g_assert_cmpuint(s.made, ==, 40);
  vf_flow_free(f);
}

/* Encoded input: JPEG images decoded by decode(). */
typedef struct {
  GBytes *jpeg;
  guint made, count;
} JpegSource;

static VfBuffer *jpeg_generate(gsize size, gpointer data, GError **error)
{
  (void)size;
  JpegSource *s = data;
  if (s->made >= s->count)
    return vf_buffer_new_empty();
  s->made++;
  gsize n;
  gconstpointer bytes = g_bytes_get_data(s->jpeg, &n);
  return vf_buffer_new_copy(VF_COLOR_FORMAT_JPEG, 0, 0, NULL, bytes, n, error);
}

static GBytes *make_jpeg(guint w, guint h)
{
  char *path = flow_test_path("still.jpg");
  char *d = g_strdup_printf("videotestsrc num-buffers=1 ! video/x-raw,width=%u,height=%u ! "
                            "jpegenc ! filesink location=%s",
                            w, h, path);
  flow_test_launch(d);
  gchar *contents;
  gsize len;
  g_assert_true(g_file_get_contents(path, &contents, &len, NULL));
  g_unlink(path);
  g_free(path);
  g_free(d);
  return g_bytes_new_take(contents, len);
}

static void test_inject_jpeg_decode(void)
{
  JpegSource js = { make_jpeg(200, 100), 0, 12 };
  VfProviderInfo info = { VF_COLOR_FORMAT_JPEG, 200, 100, 0, 1, VF_DEVICE_CPU };
  VfProviderCallbacks cb = { jpeg_generate, NULL };
  VfFeeder *feeders[] = { vf_feeder_new("jpeg", &info, &cb, &js), NULL };
  FlowCounter c;
  flow_counter_init(&c);
  VfFlow *f = new_flow();
  GError *err = NULL;
  vf_flow_decode(vf_flow_inject(f, feeders, &err, NULL), &err, NULL);
  VF_ASSERT_OK(vf_flow_retrieve(f, &flow_counter_callbacks, &c, &err, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  g_assert_cmpint(c.frames, ==, 12);
  g_assert_cmpuint(c.width, ==, 200);
  g_assert_cmpuint(c.height, ==, 100);
  vf_flow_free(f);

  /* without decode(): the order error says to decode */
  js.made = 0;
  feeders[0] = vf_feeder_new("jpeg", &info, &cb, &js);
  f = new_flow();
  vf_flow_inject(f, feeders, &err, NULL);
  g_assert_null(vf_flow_render(f, VF_RENDER_DISCARD, &err, NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_assert_nonnull(strstr(err->message, "decode()"));
  g_assert_nonnull(strstr(err->message, "JPEG"));
  g_clear_error(&err);
  vf_flow_free(f);
  g_bytes_unref(js.jpeg);
}

/* Encoded input: H.264 access units from a provider. */
typedef struct {
  GPtrArray *units; /* GstBuffer* */
  guint next;
} H264Source;

static VfBuffer *h264_generate(gsize size, gpointer data, GError **error)
{
  (void)size;
  (void)error;
  H264Source *s = data;
  if (s->next >= s->units->len)
    return vf_buffer_new_empty();
  GstCaps *caps = gst_caps_from_string("video/x-h264,stream-format=byte-stream,alignment=au");
  VfBuffer *b = vf_buffer_new_from_gst(s->units->pdata[s->next++], caps);
  gst_caps_unref(caps);
  return b;
}

static GstFlowReturn collect_unit(GstElement *sink, gpointer data)
{
  GstSample *sample = NULL;
  g_signal_emit_by_name(sink, "pull-sample", &sample);
  GstBuffer *b = gst_sample_get_buffer(sample);
  g_ptr_array_add(data, gst_buffer_ref(b));
  gst_sample_unref(sample);
  return GST_FLOW_OK;
}

static void test_inject_h264_decode(void)
{
  H264Source hs = { g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref), 0 };
  GstElement *pipe = gst_parse_launch(
      "videotestsrc num-buffers=20 ! video/x-raw,format=I420,width=128,height=96,framerate=30/1 "
      "! x264enc speed-preset=ultrafast ! h264parse ! video/x-h264,stream-format=byte-stream,"
      "alignment=au ! appsink name=s emit-signals=true sync=false",
      NULL);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "s");
  g_signal_connect(sink, "new-sample", G_CALLBACK(collect_unit), hs.units);
  gst_element_set_state(pipe, GST_STATE_PLAYING);
  gst_message_unref(gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(pipe), 30 * GST_SECOND,
                                               GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(pipe);
  g_assert_cmpuint(hs.units->len, ==, 20);

  VfProviderInfo info = { VF_COLOR_FORMAT_H264, 0, 0, 30, 1, VF_DEVICE_CPU };
  VfProviderCallbacks cb = { h264_generate, NULL };
  VfFeeder *feeders[] = { vf_feeder_new("h264", &info, &cb, &hs), NULL };
  FlowCounter c;
  flow_counter_init(&c);
  VfFlow *f = new_flow();
  GError *err = NULL;
  vf_flow_decode(vf_flow_inject(f, feeders, &err, NULL), &err, NULL);
  VF_ASSERT_OK(vf_flow_retrieve(f, &flow_counter_callbacks, &c, &err, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  g_assert_cmpint(c.frames, ==, 20);
  g_assert_cmpuint(c.width, ==, 128);
  vf_flow_free(f);
  g_ptr_array_unref(hs.units);
}

/* ---- encode ---- */

static gint count_frames_of(const char *path)
{
  FlowCounter c;
  flow_counter_init(&c);
  VfFlow *f = new_flow();
  GError *err = NULL;
  const char *uris[] = { path, NULL };
  vf_flow_capture(f, uris, &err, NULL);
  VF_ASSERT_OK(vf_flow_retrieve(f, &flow_counter_callbacks, &c, &err, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  vf_flow_free(f);
  return c.frames;
}

static void test_encode_file(void)
{
  char *out = flow_test_path("encoded.mp4");
  char *out_uri = g_filename_to_uri(out, NULL, NULL);
  VfFlow *f = new_flow();
  GError *err = NULL;
  vf_flow_capture(f, clip_list(), &err, NULL);
  VF_ASSERT_OK(vf_flow_encode(f, out_uri, VF_PROFILE_HIGH, 500000, 5, &err, "sync", "false", NULL)
                   != NULL,
               err);
  VfPipeline *p = vf_flow_get_pipeline(f);
  guint kbps = 0, gop = 0;
  g_object_get(vf_pipeline_get_element(p, "encode1-encoder"), "bitrate", &kbps, "key-int-max", &gop,
               NULL);
  g_assert_cmpuint(kbps, ==, 500);
  g_assert_cmpuint(gop, ==, 5);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  vf_flow_free(f);
  g_assert_cmpint(count_frames_of(out), ==, CLIP_FRAMES);
  g_unlink(out);

  /* a plain path, default options */
  f = new_flow();
  vf_flow_capture(f, clip_list(), &err, NULL);
  VF_ASSERT_OK(vf_flow_encode(f, out, 0, 0, 0, &err, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  vf_flow_free(f);
  g_assert_cmpint(count_frames_of(out), ==, CLIP_FRAMES);
  g_unlink(out);

  /* bad destinations and profiles */
  struct {
    const char *uri;
    VfEncodeProfile profile;
    gint code;
  } bad[] = {
    { "/nonexistent-dir/x.mp4", 0, VF_ERROR_NOT_FOUND },
    { "http://example.invalid/x.mp4", 0, VF_ERROR_ARGUMENT },
    { "rtsp://localhost", 0, VF_ERROR_ARGUMENT }, /* no port */
    { out, 3, VF_ERROR_VALUE },
  };
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    f = new_flow();
    vf_flow_capture(f, clip_list(), &err, NULL);
    g_assert_null(vf_flow_encode(f, bad[i].uri, bad[i].profile, 0, 0, &err, NULL));
    g_assert_error(err, VF_ERROR, bad[i].code);
    g_assert_nonnull(strstr(err->message, "encode()"));
    g_clear_error(&err);
    vf_flow_free(f);
  }
  g_free(out_uri);
  g_free(out);
}

/* ---- attach ---- */

static VfProbeReturn count_probe(VfBuffer *buffer, gpointer data)
{
  (void)buffer;
  g_atomic_int_inc((gint *)data);
  return VF_PROBE_KEEP;
}

static void test_attach_probe(void)
{
  gint seen = 0;
  VfProbeCallbacks cb = { .on_buffer = count_probe };
  VfFlow *f = new_flow();
  GError *err = NULL;
  vf_flow_capture(f, clip_list(), &err, NULL);
  vf_flow_attach(f, vf_probe_new("counter", &cb, &seen), &err);
  VF_ASSERT_OK(vf_flow_render(f, VF_RENDER_DISCARD, &err, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  g_assert_cmpint(seen, ==, CLIP_FRAMES);
  vf_flow_free(f);

  /* a probe object on two streams: refused, the probe is freed */
  const char *two[] = { clip, clip, NULL };
  f = new_flow();
  vf_flow_capture(f, two, &err, NULL);
  g_assert_null(vf_flow_attach(f, vf_probe_new("counter", &cb, &seen), &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_assert_nonnull(strstr(err->message, "batch()"));
  g_clear_error(&err);
  vf_flow_free(f);

  /* an unknown named probe */
  f = new_flow();
  vf_flow_capture(f, clip_list(), &err, NULL);
  g_assert_null(vf_flow_attach_named(f, "no_such_probe", NULL, &err, NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_assert_nonnull(strstr(err->message, "no_such_probe"));
  g_clear_error(&err);
  vf_flow_free(f);
}

/* ---- fork ---- */

static void test_fork(void)
{
  FlowCounter c;
  flow_counter_init(&c);
  gint seen = 0;
  VfProbeCallbacks pcb = { .on_buffer = count_probe };
  char *out = flow_test_path("fork.mp4");
  VfFlow *f = new_flow();
  GError *err = NULL;
  VfFlow *t = vf_flow_fork(vf_flow_capture(f, clip_list(), &err, NULL), &err, NULL);
  VF_ASSERT_OK(t != NULL, err);
  VfFlow *b1 = vf_flow_encode(t, out, VF_PROFILE_MAIN, 0, 0, &err, NULL);
  VF_ASSERT_OK(b1 != NULL, err);
  g_assert_true(b1 != t); /* a branch */
  /* a longer branch: attach then retrieve */
  VfFlow *b2 = vf_flow_attach(t, vf_probe_new("p", &pcb, &seen), &err);
  VF_ASSERT_OK(b2 != NULL, err);
  VF_ASSERT_OK(vf_flow_retrieve(b2, &flow_counter_callbacks, &c, &err, NULL) == b2, err);
  VF_ASSERT_OK(vf_flow_render(t, VF_RENDER_DISCARD, &err, "sync", "false", NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  g_assert_cmpint(c.frames, ==, CLIP_FRAMES);
  g_assert_cmpint(seen, ==, CLIP_FRAMES);
  vf_flow_free(f);
  g_assert_cmpint(count_frames_of(out), ==, CLIP_FRAMES);
  g_unlink(out);
  g_free(out);

  /* a fork nothing follows */
  f = new_flow();
  vf_flow_fork(vf_flow_capture(f, clip_list(), &err, NULL), &err, NULL);
  g_assert_false(vf_flow_run(f, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_assert_nonnull(strstr(err->message, "fork"));
  g_clear_error(&err);
  vf_flow_free(f);
}

/* ---- overrides ---- */

static void test_overrides(void)
{
  VfFlow *f = new_flow();
  GError *err = NULL;
  const char *two[] = { clip, clip, NULL };
  VF_ASSERT_OK(
      vf_flow_capture(f, two, &err, "gpu_id", "1", "file-loop", "true", "latency", "300", NULL)
          != NULL,
      err);
  VfPipeline *p = vf_flow_get_pipeline(f);
  for (guint i = 0; i < 2; i++) {
    char name[32];
    g_snprintf(name, sizeof name, "capture0-src%u", i);
    guint gpu = 0, latency = 0;
    gboolean loop = FALSE;
    g_object_get(vf_pipeline_get_element(p, name), "gpu-id", &gpu, "file-loop", &loop, "latency",
                 &latency, NULL);
    g_assert_cmpuint(gpu, ==, 1);
    g_assert_true(loop);
    g_assert_cmpuint(latency, ==, 300);
  }
  /* an override no element has names the operation and its elements */
  g_assert_null(vf_flow_render(f, VF_RENDER_DISCARD, &err, "no_such_prop", "1", NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_PROPERTY);
  g_assert_nonnull(strstr(err->message, "render()"));
  g_assert_nonnull(strstr(err->message, "no-such-prop"));
  g_assert_nonnull(strstr(err->message, "fakesink"));
  g_clear_error(&err);
  vf_flow_free(f);

  /* a value the property refuses */
  f = new_flow();
  g_assert_null(vf_flow_capture(f, clip_list(), &err, "latency", "soon", NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_VALUE);
  g_assert_nonnull(strstr(err->message, "capture()"));
  g_clear_error(&err);
  vf_flow_free(f);

  /* render sink properties */
  f = new_flow();
  vf_flow_capture(f, clip_list(), &err, NULL);
  VF_ASSERT_OK(vf_flow_render(f, VF_RENDER_DISCARD, &err, "sync", "true", "qos", "false", NULL)
                   != NULL,
               err);
  gboolean sync = FALSE;
  g_object_get(vf_pipeline_get_element(vf_flow_get_pipeline(f), "render1-sink0"), "sync", &sync,
               NULL);
  g_assert_true(sync);
  vf_flow_free(f);
}

/* ---- order errors ---- */

static void test_order_errors(void)
{
  GError *err = NULL;
  FlowCounter c;
  flow_counter_init(&c);

  /* retrieve, then infer */
  VfFlow *f = new_flow();
  vf_flow_capture(f, clip_list(), &err, NULL);
  VF_ASSERT_OK(vf_flow_retrieve(f, &flow_counter_callbacks, &c, &err, NULL) != NULL, err);
  g_assert_null(vf_flow_infer(f, "config.yml", &err, NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_assert_nonnull(strstr(err->message, "infer(): the flow already ended with retrieve()"));
  g_assert_nonnull(strstr(err->message, "fork()"));
  g_clear_error(&err);
  /* the first error sticks: run reports it */
  g_assert_false(vf_flow_run(f, &err));
  g_assert_nonnull(strstr(err->message, "infer()"));
  g_clear_error(&err);
  vf_flow_free(f);
  g_assert_cmpint(c.destroyed, ==, 1);

  /* render twice without fork */
  f = new_flow();
  vf_flow_render(vf_flow_capture(f, clip_list(), &err, NULL), VF_RENDER_DISCARD, &err, NULL);
  g_assert_null(vf_flow_render(f, VF_RENDER_DISCARD, &err, NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_assert_nonnull(strstr(err->message, "render(): the flow already ended with render()"));
  g_clear_error(&err);
  vf_flow_free(f);

  /* capture after capture; capture after render */
  f = new_flow();
  vf_flow_capture(f, clip_list(), &err, NULL);
  g_assert_null(vf_flow_capture(f, clip_list(), &err, NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_assert_nonnull(strstr(err->message, "must come first"));
  g_clear_error(&err);
  vf_flow_free(f);

  /* operations on an empty flow */
  f = new_flow();
  g_assert_null(vf_flow_render(f, VF_RENDER_DISCARD, &err, NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_assert_nonnull(strstr(err->message, "no streams yet"));
  g_clear_error(&err);
  vf_flow_free(f);
  f = new_flow();
  g_assert_false(vf_flow_run(f, &err));
  g_assert_nonnull(strstr(err->message, "empty"));
  g_clear_error(&err);
  vf_flow_free(f);

  /* decode of decoded video */
  f = new_flow();
  vf_flow_capture(f, clip_list(), &err, NULL);
  g_assert_null(vf_flow_decode(f, &err, NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_assert_nonnull(strstr(err->message, "decoded video already"));
  g_clear_error(&err);
  vf_flow_free(f);

  /* a flow that never says where frames go */
  f = new_flow();
  vf_flow_capture(f, clip_list(), &err, NULL);
  g_assert_false(vf_flow_run(f, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_assert_nonnull(strstr(err->message, "after capture()"));
  g_clear_error(&err);
  vf_flow_free(f);

  /* a NULL flow passes through a chain; the first error is the one reported */
  f = new_flow();
  const char *missing[] = { "/nonexistent/video.mp4", NULL };
  VfFlow *end
      = vf_flow_render(vf_flow_capture(f, missing, NULL, NULL), VF_RENDER_DISCARD, NULL, NULL);
  g_assert_null(end);
  g_assert_nonnull(vf_flow_get_error(f));
  g_assert_false(vf_flow_run(f, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_assert_nonnull(strstr(err->message, "/nonexistent/video.mp4"));
  g_clear_error(&err);
  vf_flow_free(f);
}

/* ---- bad inputs ---- */

static void test_missing_file(void)
{
  VfFlow *f = new_flow();
  GError *err = NULL;
  const char *uris[] = { "file:///nonexistent/clip.mp4", NULL };
  g_assert_null(vf_flow_capture(f, uris, &err, NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_assert_nonnull(strstr(err->message, "capture(): file '/nonexistent/clip.mp4' does not exist"));
  g_clear_error(&err);
  vf_flow_free(f);

  f = new_flow();
  const char *odd[] = { "nosuchscheme://x", NULL };
  g_assert_null(vf_flow_capture(f, odd, &err, NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_UNSUPPORTED);
  g_clear_error(&err);
  vf_flow_free(f);

  f = new_flow();
  g_assert_null(
      vf_flow_infer(vf_flow_capture(f, clip_list(), NULL, NULL), "/nonexistent.yml", &err, NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_clear_error(&err);
  vf_flow_free(f);
}

/* Unreachable servers: a clear error naming the URI, quickly. */
static void test_unreachable_uri(void)
{
  guint port = flow_test_free_port();
  const char *fmts[] = { "rtsp://127.0.0.1:%u/stream", "http://127.0.0.1:%u/video.mp4" };
  for (guint i = 0; i < G_N_ELEMENTS(fmts); i++) {
    char *uri = g_strdup_printf(fmts[i], port);
    const char *uris[] = { uri, NULL };
    VfFlow *f = new_flow();
    GError *err = NULL;
    vf_flow_capture(f, uris, &err, NULL);
    VF_ASSERT_OK(vf_flow_render(f, VF_RENDER_DISCARD, &err, NULL) != NULL, err);
    gint64 t0 = g_get_monotonic_time();
    g_assert_false(vf_flow_run(f, &err));
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 20 * G_TIME_SPAN_SECOND);
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, uri));
    g_assert_nonnull(strstr(err->message, "server running"));
    g_clear_error(&err);
    vf_flow_free(f);
    g_free(uri);
  }
}

static void test_display_without_display(void)
{
  char *saved = g_strdup(g_getenv("DISPLAY"));
  char *saved_w = g_strdup(g_getenv("WAYLAND_DISPLAY"));
  g_unsetenv("DISPLAY");
  g_unsetenv("WAYLAND_DISPLAY");
  VfFlow *f = new_flow();
  GError *err = NULL;
  vf_flow_capture(f, clip_list(), &err, NULL);
  g_assert_null(vf_flow_render(f, VF_RENDER_DISPLAY, &err, NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_UNSUPPORTED);
  g_assert_nonnull(strstr(err->message, "DISCARD"));
  g_clear_error(&err);
  vf_flow_free(f);
  /* a display that cannot be opened: an error, not autovideosink's DirectFB crash */
  g_setenv("DISPLAY", ":77", TRUE);
  f = new_flow();
  vf_flow_capture(f, clip_list(), &err, NULL);
  g_assert_null(vf_flow_render(f, VF_RENDER_DISPLAY, &err, NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_UNSUPPORTED);
  g_assert_nonnull(strstr(err->message, ":77"));
  g_clear_error(&err);
  vf_flow_free(f);
  g_unsetenv("DISPLAY");
  /* asked to run headless: the frames go to fakesink */
  g_setenv(VF_DISPLAY_SINK_ENV, "fakesink", TRUE);
  FlowCounter c;
  flow_counter_init(&c);
  f = new_flow();
  VfFlow *t = vf_flow_fork(vf_flow_capture(f, clip_list(), &err, NULL), &err, NULL);
  VF_ASSERT_OK(vf_flow_render(t, VF_RENDER_DISPLAY, &err, "sync", "false", NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_retrieve(t, &flow_counter_callbacks, &c, &err, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  g_assert_cmpint(c.frames, ==, CLIP_FRAMES);
  g_assert_cmpstr(GST_OBJECT_NAME(gst_element_get_factory(
                      vf_pipeline_get_element(vf_flow_get_pipeline(f), "render2-sink0"))),
                  ==, "fakesink");
  vf_flow_free(f);
  g_unsetenv(VF_DISPLAY_SINK_ENV);
  if (saved)
    g_setenv("DISPLAY", saved, TRUE);
  if (saved_w)
    g_setenv("WAYLAND_DISPLAY", saved_w, TRUE);
  g_free(saved);
  g_free(saved_w);
}

/* ---- batch, batch_capture, infer (need vfmux, vfinfer) ---- */

static void test_batch(void)
{
  FLOW_REQUIRE("vfmux");
  FlowCounter c;
  flow_counter_init(&c);
  const char *uris[] = { clip, clip, clip, NULL };
  VfFlow *f = new_flow();
  GError *err = NULL;
  vf_flow_batch(vf_flow_capture(f, uris, &err, NULL), 0, 320, 240, &err, NULL);
  VF_ASSERT_OK(vf_flow_retrieve(f, &flow_counter_callbacks, &c, &err, NULL) != NULL, err);
  guint size = 0, w = 0;
  g_object_get(vf_pipeline_get_element(vf_flow_get_pipeline(f), "batch1-mux"), "batch-size", &size,
               "width", &w, NULL);
  g_assert_cmpuint(size, ==, 3); /* the number of streams */
  g_assert_cmpuint(w, ==, 320);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  g_assert_cmpint(c.frames, >=, CLIP_FRAMES);
  g_assert_cmpuint(c.batch, ==, 3);
  /* batches of RGB frames, as single streams give RGB frames (vfconvert before the appsink) */
  g_assert_cmpint(c.format, ==, VF_COLOR_FORMAT_RGB);
  g_assert_cmpuint(c.width, ==, 320);
  vf_flow_free(f);

  /* defaults: 1920x1080; batching twice is an order error */
  f = new_flow();
  vf_flow_batch(vf_flow_capture(f, uris, &err, NULL), 0, 0, 0, &err, NULL);
  guint h = 0;
  g_object_get(vf_pipeline_get_element(vf_flow_get_pipeline(f), "batch1-mux"), "width", &w,
               "height", &h, NULL);
  g_assert_cmpuint(w, ==, 1920);
  g_assert_cmpuint(h, ==, 1080);
  g_assert_null(vf_flow_batch(f, 0, 0, 0, &err, NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_clear_error(&err);
  vf_flow_free(f);
}

static void test_batch_capture(void)
{
  FLOW_REQUIRE("vfmux");
  FlowCounter c;
  flow_counter_init(&c);
  const char *uris[] = { clip, clip, NULL };
  VfFlow *f = new_flow();
  GError *err = NULL;
  vf_flow_batch_capture(f, uris, &err, "width", "320", "height", "240", NULL);
  VF_ASSERT_OK(vf_flow_retrieve(f, &flow_counter_callbacks, &c, &err, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  g_assert_cmpuint(c.batch, ==, 2);
  vf_flow_free(f);
}

static void test_infer_without_model(void)
{
  FLOW_REQUIRE("vfinfer");
  /* with a config that is not there: refused before running */
  VfFlow *f = new_flow();
  GError *err = NULL;
  g_assert_null(vf_flow_infer(vf_flow_batch_capture(f, clip_list(), NULL, NULL), "/nonexistent.yml",
                              &err, NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_clear_error(&err);
  vf_flow_free(f);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  clip = flow_test_clip("clip.mp4", CLIP_FRAMES, 160, 120);
  clip_uri = gst_filename_to_uri(clip, NULL);
  g_test_add_func("/flow/capture-render-discard", test_capture_render_discard);
  g_test_add_func("/flow/capture-retrieve", test_capture_retrieve);
  g_test_add_func("/flow/capture-two-streams", test_capture_two_streams);
  g_test_add_func("/flow/capture-file-loop", test_capture_file_loop);
  g_test_add_func("/flow/inject-render", test_inject_render);
  g_test_add_func("/flow/inject-jpeg-decode", test_inject_jpeg_decode);
  g_test_add_func("/flow/inject-h264-decode", test_inject_h264_decode);
  g_test_add_func("/flow/encode-file", test_encode_file);
  g_test_add_func("/flow/attach-probe", test_attach_probe);
  g_test_add_func("/flow/fork", test_fork);
  g_test_add_func("/flow/overrides", test_overrides);
  g_test_add_func("/flow/order-errors", test_order_errors);
  g_test_add_func("/flow/missing-file", test_missing_file);
  g_test_add_func("/flow/unreachable-uri", test_unreachable_uri);
  g_test_add_func("/flow/display-without-display", test_display_without_display);
  g_test_add_func("/flow/batch", test_batch);
  g_test_add_func("/flow/batch-capture", test_batch_capture);
  g_test_add_func("/flow/infer-without-model", test_infer_without_model);
  int ret = g_test_run();
  g_unlink(clip);
  g_free(clip);
  g_free(clip_uri);
  return ret;
}
