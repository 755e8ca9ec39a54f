/* Feeder (BufferProvider on appsrc): caps, validation, timestamps, end of stream, back-pressure. */
#include "test-util.h"

#include <glib/gstdio.h>
#include <unistd.h>

typedef struct {
  guint frames;
  GstClockTime pts[64];
  GstClockTime duration[64];
  GstClockTime dts[64];
  gpointer data[64];
  guint sleep_us;
  TestSource *source; /* to measure how far the provider runs ahead */
  guint max_ahead;
} Sink;

static int record(VfBuffer *buffer, gpointer user_data)
{
  Sink *s = user_data;
  if (s->frames < 64) {
    s->pts[s->frames] = vf_buffer_get_pts(buffer);
    s->duration[s->frames] = GST_BUFFER_DURATION(vf_buffer_get_gst_buffer(buffer));
    s->dts[s->frames] = GST_BUFFER_DTS(vf_buffer_get_gst_buffer(buffer));
    GError *err = NULL;
    VfTensor *t = vf_buffer_extract(buffer, 0, &err);
    VF_ASSERT_OK(t, err);
    s->data[s->frames] = vf_tensor_get_data(t);
    vf_tensor_unref(t);
  }
  s->frames++;
  if (s->source) {
    guint ahead = s->source->made - s->frames;
    s->max_ahead = MAX(s->max_ahead, ahead);
  }
  if (s->sleep_us)
    g_usleep(s->sleep_us);
  return VF_CONSUME_OK;
}

/* appsrc (caps optional) -> appsink, provider and retriever attached. */
static VfPipeline *build(const char *caps, const char *do_timestamp, TestSource *source,
                         const VfProviderInfo *info, Sink *sink, GError **err)
{
  VfPipeline *p = vf_pipeline_new("feeder-test");
  const char *props[5] = { NULL };
  int n = 0;
  if (caps) {
    props[n++] = "caps";
    props[n++] = caps;
  }
  if (do_timestamp) {
    props[n++] = "do-timestamp";
    props[n++] = do_timestamp;
  }
  VF_ASSERT_OK(vf_pipeline_addv(p, "appsrc", "src", props, err), *err);
  VF_ASSERT_OK(vf_pipeline_add(p, "appsink", "sink", err, "sync", "false", NULL), *err);
  VF_ASSERT_OK(vf_pipeline_link(p, err, "src", "sink", NULL), *err);
  VfProviderCallbacks pc = { test_source_generate, NULL };
  VfRetrieverCallbacks rc = { record, NULL };
  if (!vf_pipeline_attach_feeder(p, "src", vf_feeder_new("feeder", info, &pc, source),
                                 "need-data/enough-data", err)) {
    vf_pipeline_free(p);
    return NULL;
  }
  VF_ASSERT_OK(vf_pipeline_attach_receiver(p, "sink", vf_receiver_new("receiver", &rc, sink),
                                           "new-sample", err),
               *err);
  return p;
}

static void test_caps_from_provider_and_timestamps(void)
{
  TestSource src = { .width = 32, .height = 16, .count = 10, .format = VF_COLOR_FORMAT_RGB };
  VfProviderInfo info = { VF_COLOR_FORMAT_RGB, 32, 16, 25, 1, VF_DEVICE_CPU };
  Sink sink = { 0 };
  GError *err = NULL;
  VfPipeline *p = build(NULL, NULL, &src, &info, &sink, &err);
  VF_ASSERT_OK(p, err);
  GstCaps *caps = NULL;
  g_object_get(vf_pipeline_get_element(p, "src"), "caps", &caps, NULL);
  g_assert_nonnull(caps);
  GstStructure *s = gst_caps_get_structure(caps, 0);
  g_assert_cmpstr(gst_structure_get_string(s, "format"), ==, "RGB");
  gint w, fn, fd;
  gst_structure_get_int(s, "width", &w);
  gst_structure_get_fraction(s, "framerate", &fn, &fd);
  g_assert_cmpint(w, ==, 32);
  g_assert_cmpint(fn, ==, 25);
  gst_caps_unref(caps);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(sink.frames, ==, 10);
  for (guint i = 0; i < 10; i++) {
    g_assert_cmpuint(sink.pts[i], ==, i * GST_SECOND / 25);
    g_assert_cmpuint(sink.duration[i], ==, GST_SECOND / 25);
  }
  vf_pipeline_free(p);
}

/* do-timestamp with a provider that returns at once (far faster than its 30 fps): the first
 * frames are made in preroll, before the clock runs, the rest faster than real time. Every frame
 * still gets its own stamp, one frame (1/30 s) after the one before at least, with a duration and
 * DTS = PTS: what muxers need. */
static void test_do_timestamp_fast_provider(void)
{
  TestSource src = { .width = 8, .height = 8, .count = 40, .format = VF_COLOR_FORMAT_GRAY8 };
  Sink sink = { 0 };
  GError *err = NULL;
  VfPipeline *p = build("video/x-raw,format=GRAY8,width=8,height=8,framerate=30/1", "true", &src,
                        NULL, &sink, &err);
  VF_ASSERT_OK(p, err);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(sink.frames, ==, 40);
  for (guint i = 0; i < 40; i++) {
    g_assert_true(GST_CLOCK_TIME_IS_VALID(sink.pts[i]));
    g_assert_cmpuint(sink.duration[i], ==, GST_SECOND / 30);
    g_assert_cmpuint(sink.dts[i], ==, sink.pts[i]);
    if (i > 0)
      g_assert_cmpuint(sink.pts[i] - sink.pts[i - 1], >=, GST_SECOND / 30);
  }
  vf_pipeline_free(p);
}

/* do-timestamp with a provider that returns at once and a consumer slower than real time (50 ms
 * a frame, caps at 30 fps): the stamps are the frame rate's, not the consumer's pace (that would
 * make a file longer the slower its encoder). */
static void test_do_timestamp_slow_consumer(void)
{
  const guint frames = 16;
  TestSource src = { .width = 8, .height = 8, .count = frames, .format = VF_COLOR_FORMAT_GRAY8 };
  Sink sink = { .sleep_us = 50000 };
  GError *err = NULL;
  VfPipeline *p = build("video/x-raw,format=GRAY8,width=8,height=8,framerate=30/1", "true", &src,
                        NULL, &sink, &err);
  VF_ASSERT_OK(p, err);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(sink.frames, ==, frames);
  guint at_rate = 0;
  for (guint i = 1; i < frames; i++) {
    g_assert_cmpuint(sink.pts[i] - sink.pts[i - 1], >=, GST_SECOND / 30);
    at_rate += sink.pts[i] - sink.pts[i - 1] == GST_SECOND / 30;
  }
  /* all of them but a frame now and then whose provider was preempted for longer than a frame */
  g_assert_cmpuint(at_rate, >=, (frames - 1) / 2);
  vf_pipeline_free(p);
}

/* do-timestamp with a provider slower than its caps' rate (a camera: 50 ms a frame, caps say 100
 * fps): the stamps are the provider's times, so frames are 50 ms apart or more, not the 10 ms of
 * the caps (a lower bound: a slower machine only makes them later). */
static void test_do_timestamp_slow_provider(void)
{
  const guint frames = 20, sleep_ms = 50;
  TestSource src = { .width = 8,
                     .height = 8,
                     .count = frames,
                     .format = VF_COLOR_FORMAT_GRAY8,
                     .sleep_us = sleep_ms * 1000 };
  Sink sink = { 0 };
  GError *err = NULL;
  VfPipeline *p = build("video/x-raw,format=GRAY8,width=8,height=8,framerate=100/1", "true", &src,
                        NULL, &sink, &err);
  VF_ASSERT_OK(p, err);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(sink.frames, ==, frames);
  for (guint i = 1; i < frames; i++)
    g_assert_cmpuint(sink.pts[i] - sink.pts[i - 1], >=, sleep_ms * GST_MSECOND);
  vf_pipeline_free(p);
}

/* The seed's Part 1 Pattern 2 as written: appsrc do-timestamp=true -> convert -> H.264 -> parse
 * -> muxer -> file, with a provider that returns at once, read back with GStreamer's decoders:
 * every frame, in order, lasting frames / rate. For mp4mux and matroskamux, and a live appsrc. */
static void encode_do_timestamp(const char *muxer, const char *is_live)
{
  const guint frames = 60;
  TestSource src = { .width = 64, .height = 48, .count = frames, .format = VF_COLOR_FORMAT_RGB };
  VfProviderCallbacks pc = { test_source_generate, NULL };
  char *file = g_strdup_printf("%s/vf-feeder-%d-%s.out", g_get_tmp_dir(), (int)getpid(), muxer);
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new("do-timestamp");
  gboolean ok
      = vf_pipeline_add(p, "appsrc", "src", &err, "caps",
                        "video/x-raw,format=RGB,width=64,height=48,framerate=30/1", "do-timestamp",
                        "true", "is-live", is_live, NULL)
        && vf_pipeline_add(p, "videoconvert", "convert", &err, NULL)
        && vf_pipeline_add(p, "capsfilter", "i420", &err, "caps", "video/x-raw,format=I420", NULL)
        && vf_pipeline_add(p, "x264enc", "encoder", &err, "speed-preset", "ultrafast", NULL)
        && vf_pipeline_add(p, "h264parse", "parser", &err, NULL)
        && vf_pipeline_add(p, muxer, "mux", &err, NULL)
        && vf_pipeline_add(p, "filesink", "sink", &err, "location", file, NULL)
        && vf_pipeline_link(p, &err, "src", "convert", "i420", "encoder", "parser", "mux", "sink",
                            NULL)
        && vf_pipeline_attach_feeder(p, "src", vf_feeder_new("feeder", NULL, &pc, &src),
                                     "need-data/enough-data", &err)
        && vf_pipeline_run(p, &err);
  VF_ASSERT_OK(ok, err);
  vf_pipeline_free(p);
  /* a live appsrc takes the clock's time: as long as the encoder took, at least frames / rate */
  test_assert_media_span(file, frames, frames * GST_SECOND / 30, g_str_equal(is_live, "true"));
  g_unlink(file);
  g_free(file);
}

static void test_do_timestamp_mp4(void)
{
  encode_do_timestamp("mp4mux", "false");
}

static void test_do_timestamp_matroska(void)
{
  encode_do_timestamp("matroskamux", "false");
}

static void test_do_timestamp_live_mp4(void)
{
  encode_do_timestamp("mp4mux", "true");
}

static void test_zero_copy_through_pipeline(void)
{
  TestSource src = { .width = 64, .height = 32, .count = 3, .format = VF_COLOR_FORMAT_RGBA };
  Sink sink = { 0 };
  GError *err = NULL;
  VfProviderInfo info = { VF_COLOR_FORMAT_RGBA, 64, 32, 30, 1, VF_DEVICE_CPU };
  VfPipeline *p = build(NULL, NULL, &src, &info, &sink, &err);
  VF_ASSERT_OK(p, err);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(sink.frames, ==, 3);
  /* the retriever sees the provider's own memory: nothing was copied on the way */
  for (guint i = 0; i < 3; i++)
    g_assert_true(sink.data[i] == src.data[i]);
  vf_pipeline_free(p);
}

static void test_caps_mismatch(void)
{
  TestSource src = { .width = 32, .height = 16, .count = 1, .format = VF_COLOR_FORMAT_RGB };
  Sink sink = { 0 };
  GError *err = NULL;
  VfProviderInfo nv12 = { VF_COLOR_FORMAT_NV12, 32, 16, 30, 1, VF_DEVICE_CPU };
  g_assert_null(build("video/x-raw,format=RGB,width=32,height=16,framerate=30/1", NULL, &src, &nv12,
                      &sink, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_FORMAT);
  g_assert_nonnull(strstr(err->message, "NV12"));
  g_assert_nonnull(strstr(err->message, "RGB"));
  g_clear_error(&err);

  VfProviderInfo big = { VF_COLOR_FORMAT_RGB, 64, 16, 30, 1, VF_DEVICE_CPU };
  g_assert_null(build("video/x-raw,format=RGB,width=32,height=16,framerate=30/1", NULL, &src, &big,
                      &sink, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_FORMAT);
  g_assert_nonnull(strstr(err->message, "64x16"));
  g_clear_error(&err);

  VfProviderInfo rate = { VF_COLOR_FORMAT_RGB, 32, 16, 60, 1, VF_DEVICE_CPU };
  g_assert_null(build("video/x-raw,format=RGB,width=32,height=16,framerate=30/1", NULL, &src, &rate,
                      &sink, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_FORMAT);
  g_clear_error(&err);

  /* no caps and nothing in the provider */
  g_assert_null(build(NULL, NULL, &src, NULL, &sink, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_FORMAT);
  g_assert_nonnull(strstr(err->message, "no caps"));
  g_clear_error(&err);

  /* DeepStream's NVMM caps, as the seeds write them: CPU frames here */
  VfPipeline *nvmm = build("video/x-raw(memory:NVMM),format=RGB,width=32,height=16", NULL, &src,
                           NULL, &sink, &err);
  VF_ASSERT_OK(nvmm, err);
  GstCaps *caps = NULL;
  g_object_get(vf_pipeline_get_element(nvmm, "src"), "caps", &caps, NULL);
  g_assert_true(gst_caps_is_fixed(caps));
  g_assert_true(gst_caps_features_is_equal(gst_caps_get_features(caps, 0),
                                           GST_CAPS_FEATURES_MEMORY_SYSTEM_MEMORY));
  gst_caps_unref(caps);
  VF_ASSERT_OK(vf_pipeline_run(nvmm, &err), err);
  g_assert_cmpuint(sink.frames, ==, 1);
  vf_pipeline_free(nvmm);
  sink.frames = 0;
  src.made = 0;

  /* CUDA provider on this build */
  VfProviderInfo cuda = { VF_COLOR_FORMAT_RGB, 32, 16, 30, 1, VF_DEVICE_CUDA };
  g_assert_null(build(NULL, NULL, &src, &cuda, &sink, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_UNSUPPORTED);
  g_clear_error(&err);
}

static void expect_run_error(TestSource *src, gint code, const char *needle1, const char *needle2)
{
  Sink sink = { 0 };
  GError *err = NULL;
  VfProviderInfo info = { VF_COLOR_FORMAT_RGB, 32, 16, 30, 1, VF_DEVICE_CPU };
  VfPipeline *p = build(NULL, NULL, src, &info, &sink, &err);
  VF_ASSERT_OK(p, err);
  g_assert_false(vf_pipeline_run(p, &err));
  g_assert_error(err, VF_ERROR, code);
  if (!strstr(err->message, needle1) || (needle2 && !strstr(err->message, needle2)))
    g_error("error '%s' lacks '%s'/'%s'", err->message, needle1, needle2 ? needle2 : "");
  g_clear_error(&err);
  g_assert_cmpuint(sink.frames, ==, 0);
  vf_pipeline_free(p);
}

static void test_wrong_size_and_format(void)
{
  TestSource wrong_size = {
    .width = 32, .height = 16, .count = 5, .format = VF_COLOR_FORMAT_RGB, .wrong_size = 1000
  };
  expect_run_error(&wrong_size, VF_ERROR_SIZE, "1000", "1536"); /* got and expected */
  TestSource wrong_format = {
    .width = 32, .height = 16, .count = 5, .format = VF_COLOR_FORMAT_RGB, .wrong_format = TRUE
  };
  expect_run_error(&wrong_format, VF_ERROR_FORMAT, "RGBA", "RGB");
  TestSource failing = {
    .width = 32, .height = 16, .count = 5, .format = VF_COLOR_FORMAT_RGB, .fail_at_first = TRUE
  };
  expect_run_error(&failing, VF_ERROR_FAILED, "camera unplugged", "feeder");
}

static void test_end_of_stream_at_once(void)
{
  TestSource src = { .width = 32, .height = 16, .count = 0, .format = VF_COLOR_FORMAT_RGB };
  VfProviderInfo info = { VF_COLOR_FORMAT_RGB, 32, 16, 30, 1, VF_DEVICE_CPU };
  Sink sink = { 0 };
  GError *err = NULL;
  VfPipeline *p = build(NULL, NULL, &src, &info, &sink, &err);
  VF_ASSERT_OK(p, err);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(sink.frames, ==, 0);
  vf_pipeline_free(p);
}

/* A fast provider and a slow consumer: the provider never runs far ahead (memory stays bounded). */
static void test_back_pressure(void)
{
  TestSource src = { .width = 320, .height = 240, .count = 60, .format = VF_COLOR_FORMAT_RGB };
  VfProviderInfo info = { VF_COLOR_FORMAT_RGB, 320, 240, 30, 1, VF_DEVICE_CPU };
  Sink sink = { .sleep_us = 3000, .source = &src };
  GError *err = NULL;
  VfPipeline *p = build(NULL, NULL, &src, &info, &sink, &err);
  VF_ASSERT_OK(p, err);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(sink.frames, ==, 60);
  /* appsrc holds <= 4, appsink <= 4, plus one in each thread's hands */
  g_test_message("provider ran at most %u frames ahead", sink.max_ahead);
  g_assert_cmpuint(sink.max_ahead, <=, 11);
  vf_pipeline_free(p);
}

static void test_attach_errors(void)
{
  VfPipeline *p = vf_pipeline_new("t");
  GError *err = NULL;
  TestSource src = { 0 };
  VfProviderCallbacks pc = { test_source_generate, NULL };
  VF_ASSERT_OK(vf_pipeline_add(p, "appsrc", "src", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "sink", &err, NULL), err);
  g_assert_false(
      vf_pipeline_attach_feeder(p, "sink", vf_feeder_new("f", NULL, &pc, &src), NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_assert_nonnull(strstr(err->message, "fakesink"));
  g_clear_error(&err);
  g_assert_false(
      vf_pipeline_attach_feeder(p, "src", vf_feeder_new("f", NULL, &pc, &src), "new-sample", &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_assert_nonnull(strstr(err->message, "need-data/enough-data"));
  g_clear_error(&err);
  g_assert_false(
      vf_pipeline_attach_feeder(p, "nosuch", vf_feeder_new("f", NULL, &pc, &src), NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_clear_error(&err);
  vf_pipeline_free(p);
}

static void count_destroy(gpointer data)
{
  (*(gint *)data)++;
}

static VfBuffer *never_called(gsize size, gpointer user_data, GError **error)
{
  (void)size;
  (void)user_data;
  (void)error;
  g_assert_not_reached();
  return NULL;
}

static void test_destroy_notify_once(void)
{
  gint destroyed = 0;
  VfProviderCallbacks pc = { never_called, count_destroy };
  VfFeeder *f = vf_feeder_new("lonely", NULL, &pc, &destroyed);
  vf_feeder_free(f);
  g_assert_cmpint(destroyed, ==, 1);
  /* attached but never started */
  VfPipeline *p = vf_pipeline_new("t");
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_add(p, "appsrc", "src", &err, "caps",
                               "video/x-raw,format=RGB,width=2,height=2", NULL),
               err);
  VF_ASSERT_OK(
      vf_pipeline_attach_feeder(p, "src", vf_feeder_new("f", NULL, &pc, &destroyed), NULL, &err),
      err);
  vf_pipeline_free(p);
  g_assert_cmpint(destroyed, ==, 2);
}

/* A provider that makes `frames` frames, then blocks in generate(): popping an empty
 * VfFrameQueue (cooperative: the pop returns VF_QUEUE_CANCELLED when the pipeline stops), or at a
 * gate that ignores the stop. */
typedef struct {
  guint frames, made;
  VfFeeder *feeder;
  VfFrameQueue *queue; /* nobody pushes: empty forever */
  VfQueueStatus popped;
  TestGate gate;
  gint destroyed; /* atomic */
} Stuck;

static VfBuffer *generate_then_block(gsize size, gpointer user_data, GError **error)
{
  Stuck *s = user_data;
  if (s->made < s->frames) {
    s->made++;
    return vf_buffer_new_frame(VF_COLOR_FORMAT_GRAY8, 8, 8, error);
  }
  (void)size;
  if (s->queue) {
    VfBuffer *b = NULL;
    s->popped = vf_frame_queue_pop(s->queue, &b, -1);
    return b;
  }
  test_gate_pass(&s->gate, NULL);
  return vf_buffer_new_frame(VF_COLOR_FORMAT_GRAY8, 8, 8, error); /* goes nowhere */
}

static void stuck_destroy(gpointer data)
{
  g_atomic_int_inc(&((Stuck *)data)->destroyed);
}

static VfPipeline *stuck_pipeline(Stuck *s, const char *name)
{
  VfPipeline *p = vf_pipeline_new(name);
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_add(p, "appsrc", "src", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "sink", &err, "sync", "false", NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "sink", NULL), err);
  VfProviderInfo info = { VF_COLOR_FORMAT_GRAY8, 8, 8, 30, 1, VF_DEVICE_CPU };
  VfProviderCallbacks pc = { generate_then_block, stuck_destroy };
  s->feeder = vf_feeder_new(name, &info, &pc, s);
  VF_ASSERT_OK(vf_pipeline_attach_feeder(p, "src", s->feeder, NULL, &err), err);
  return p;
}

static gboolean feeder_blocked(gpointer data)
{
  Stuck *s = data;
  return vf_feeder_get_pushed(s->feeder) == s->frames && s->made == s->frames;
}

/* A generate() blocked forever on an empty queue: end of stream still drains (wait() returns
 * TRUE) and the pop returns VF_QUEUE_CANCELLED; stop() gets it out the same way. */
static void test_generate_blocked_on_queue(void)
{
  for (guint stop = 0; stop < 2; stop++) {
    Stuck s = { .frames = 2, .queue = vf_frame_queue_new(1) };
    VfPipeline *p = stuck_pipeline(&s, "pops");
    TestWarnings warnings;
    test_warnings_watch(p, &warnings);
    GError *err = NULL;
    VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
    test_wait_for(feeder_blocked, &s, 60, "the provider to block");
    if (stop) {
      vf_pipeline_stop(p);
    } else {
      vf_pipeline_send_eos(p);
      VF_ASSERT_OK(vf_pipeline_wait(p, &err), err);
    }
    g_assert_cmpint(s.popped, ==, VF_QUEUE_CANCELLED);
    char *w = test_warnings_get(&warnings);
    g_assert_null(strstr(w, "generate() has not returned"));
    g_free(w);
    vf_pipeline_free(p);
    g_assert_cmpint(s.destroyed, ==, 1);
    test_warnings_clear(&warnings);
    vf_frame_queue_free(s.queue);
  }
}

static gboolean feeder_destroyed(gpointer data)
{
  return g_atomic_int_get(&((Stuck *)data)->destroyed) > 0;
}

/* A generate() that ignores the stop: wait() still returns after the stop timeout with a
 * warning naming the feeder, the pipeline cannot start again until generate() returns, and the
 * feeder goes once it does (what it returned is not pushed). */
static void test_generate_ignores_stop(void)
{
  Stuck s = { .frames = 2 };
  test_gate_init(&s.gate);
  VfPipeline *p = stuck_pipeline(&s, "stuck");
  TestWarnings warnings;
  test_warnings_watch(p, &warnings);
  vf_pipeline_set_stop_timeout(p, 300 * GST_MSECOND);
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  test_gate_wait_blocked(&s.gate);
  vf_pipeline_send_eos(p);
  VF_ASSERT_OK(vf_pipeline_wait(p, &err), err); /* the stream itself drained */
  char *w = test_warnings_get(&warnings);
  TEST_ASSERT_CONTAINS(w, "feeder 'stuck' (appsrc 'src'): generate() has not returned");
  TEST_ASSERT_CONTAINS(w, "vf_feeder_get_cancellable");
  g_free(w);
  g_assert_false(vf_pipeline_start(p, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  TEST_ASSERT_CONTAINS(err->message, "feeder 'stuck'");
  g_clear_error(&err);
  vf_pipeline_free(p);
  g_assert_cmpint(g_atomic_int_get(&s.destroyed), ==, 0);
  test_gate_open(&s.gate);
  test_wait_for(feeder_destroyed, &s, 60, "the feeder's destroy");
  test_warnings_clear(&warnings);
  test_gate_clear(&s.gate);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  g_test_add_func("/feeder/caps-from-provider-and-timestamps",
                  test_caps_from_provider_and_timestamps);
  g_test_add_func("/feeder/do-timestamp/fast-provider", test_do_timestamp_fast_provider);
  g_test_add_func("/feeder/do-timestamp/slow-provider", test_do_timestamp_slow_provider);
  g_test_add_func("/feeder/do-timestamp/slow-consumer", test_do_timestamp_slow_consumer);
  g_test_add_func("/feeder/do-timestamp/mp4", test_do_timestamp_mp4);
  g_test_add_func("/feeder/do-timestamp/matroska", test_do_timestamp_matroska);
  g_test_add_func("/feeder/do-timestamp/live-mp4", test_do_timestamp_live_mp4);
  g_test_add_func("/feeder/zero-copy", test_zero_copy_through_pipeline);
  g_test_add_func("/feeder/caps-mismatch", test_caps_mismatch);
  g_test_add_func("/feeder/wrong-size-and-format", test_wrong_size_and_format);
  g_test_add_func("/feeder/end-of-stream-at-once", test_end_of_stream_at_once);
  g_test_add_func("/feeder/back-pressure", test_back_pressure);
  g_test_add_func("/feeder/attach-errors", test_attach_errors);
  g_test_add_func("/feeder/destroy-notify-once", test_destroy_notify_once);
  g_test_add_func("/feeder/generate-blocked-on-queue", test_generate_blocked_on_queue);
  g_test_add_func("/feeder/generate-ignores-stop", test_generate_ignores_stop);
  return g_test_run();
}
