/* Pipeline API: building, properties, linking, running, errors, stop, interrupts. */
#include "test-util.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_add_unknown_factory(void)
{
  VfPipeline *p = vf_pipeline_new("t");
  GError *err = NULL;
  g_assert_false(vf_pipeline_add(p, "nosuchelement", "x", &err, NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_assert_nonnull(strstr(err->message, "nosuchelement"));
  g_clear_error(&err);
  g_assert_null(vf_pipeline_get_element(p, "x"));
  vf_pipeline_free(p);
}

static void test_add_duplicate_name(void)
{
  VfPipeline *p = vf_pipeline_new("t");
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "x", &err, NULL), err);
  g_assert_false(vf_pipeline_add(p, "fakesink", "x", &err, NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  vf_pipeline_free(p);
}

static void test_unknown_property(void)
{
  VfPipeline *p = vf_pipeline_new("t");
  GError *err = NULL;
  g_assert_false(vf_pipeline_add(p, "videotestsrc", "src", &err, "no-such-prop", "1", NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_PROPERTY);
  g_assert_nonnull(strstr(err->message, "no-such-prop"));
  g_assert_nonnull(strstr(err->message, "src"));
  g_clear_error(&err);
  /* the element was not added */
  g_assert_null(vf_pipeline_get_element(p, "src"));
  vf_pipeline_free(p);
}

typedef struct {
  const char *factory, *prop, *value;
  gboolean ok;
} PropCase;

static void test_property_conversion(void)
{
  const PropCase cases[] = {
    { "videotestsrc", "pattern", "ball", TRUE },        /* enum by nick */
    { "videotestsrc", "pattern", "18", TRUE },          /* enum by number */
    { "videotestsrc", "pattern", "Moving ball", TRUE }, /* enum by value name */
    { "videotestsrc", "pattern", "nosuch", FALSE },
    { "videotestsrc", "num-buffers", "25", TRUE },
    { "videotestsrc", "num-buffers", "abc", FALSE },
    { "videotestsrc", "num-buffers", "99999999999", FALSE }, /* overflow */
    { "videotestsrc", "is-live", "true", TRUE },
    { "videotestsrc", "is-live", "yes", TRUE },
    { "videotestsrc", "is-live", "maybe", FALSE },
    { "capsfilter", "caps", "video/x-raw,format=RGB,width=320,height=240", TRUE },
    { "capsfilter", "caps", "video/x-raw,,,=", FALSE },
    { "appsrc", "format", "time", TRUE },
    { "appsrc", "format", "3", TRUE },
    { "videorate", "max-rate", "30", TRUE },
    { "videotestsrc", "foreground-color", "4294901760", TRUE }, /* uint */
    { "x264enc", "tune", "zerolatency+fastdecode", TRUE },      /* flags */
    { "x264enc", "tune", "fastest", FALSE },
    { "x264enc", "bitrate", "0", FALSE }, /* out of range: 1..2048000 */
    { "queue", "max-size-time", "1000000000", TRUE },
    { "volume", "volume", "0.5", TRUE },
    { "volume", "volume", "99", FALSE }, /* 0..10 */
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    VfPipeline *p = vf_pipeline_new("t");
    GError *err = NULL;
    gboolean ok
        = vf_pipeline_add(p, cases[i].factory, "e", &err, cases[i].prop, cases[i].value, NULL);
    if (ok != cases[i].ok)
      g_error("%s %s=%s: expected %s, got %s (%s)", cases[i].factory, cases[i].prop, cases[i].value,
              cases[i].ok ? "success" : "failure", ok ? "success" : "failure",
              err ? err->message : "");
    if (!ok) {
      g_assert_error(err, VF_ERROR, VF_ERROR_VALUE);
      g_assert_nonnull(strstr(err->message, cases[i].prop));
      g_clear_error(&err);
    }
    vf_pipeline_free(p);
  }
}

static void test_typed_setters(void)
{
  VfPipeline *p = vf_pipeline_new("t");
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "src", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "volume", "vol", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_set_int(p, "src", "num-buffers", 7, &err), err);
  VF_ASSERT_OK(vf_pipeline_set_int(p, "src", "pattern", 18, &err), err);
  VF_ASSERT_OK(vf_pipeline_set_bool(p, "src", "is-live", TRUE, &err), err);
  VF_ASSERT_OK(vf_pipeline_set_double(p, "vol", "volume", 0.25, &err), err);
  VF_ASSERT_OK(vf_pipeline_set_string(p, "src", "pattern", "snow", &err), err);
  gint n;
  gboolean live;
  gdouble v;
  gint pattern;
  g_object_get(vf_pipeline_get_element(p, "src"), "num-buffers", &n, "is-live", &live, "pattern",
               &pattern, NULL);
  g_object_get(vf_pipeline_get_element(p, "vol"), "volume", &v, NULL);
  g_assert_cmpint(n, ==, 7);
  g_assert_true(live);
  g_assert_cmpint(pattern, ==, 1);
  g_assert_cmpfloat(v, ==, 0.25);
  g_assert_false(vf_pipeline_set_int(p, "src", "num-buffers", G_MAXINT64, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_VALUE);
  g_clear_error(&err);
  g_assert_false(vf_pipeline_set_double(p, "vol", "volume", 100.0, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_VALUE);
  g_clear_error(&err);
  g_assert_false(vf_pipeline_set_int(p, "nosuch", "num-buffers", 1, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_clear_error(&err);
  GValue val = G_VALUE_INIT;
  g_value_init(&val, G_TYPE_STRING);
  g_value_set_static_string(&val, "x");
  g_assert_false(vf_pipeline_set_value(p, "src", "num-buffers", &val, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_VALUE);
  g_clear_error(&err);
  g_value_unset(&val);
  vf_pipeline_free(p);
}

static void test_caps_cannot_link(void)
{
  VfPipeline *p = vf_pipeline_new("t");
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "src", &err, NULL), err);
  VF_ASSERT_OK(
      vf_pipeline_add(p, "capsfilter", "rgb", &err, "caps", "video/x-raw,format=RGB", NULL), err);
  VF_ASSERT_OK(
      vf_pipeline_add(p, "capsfilter", "nv12", &err, "caps", "video/x-raw,format=NV12", NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "rgb", NULL), err);
  g_assert_false(vf_pipeline_link(p, &err, "rgb", "nv12", NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_LINK);
  g_assert_nonnull(strstr(err->message, "rgb"));
  g_assert_nonnull(strstr(err->message, "videoconvert"));
  g_clear_error(&err);
  /* unknown element in a chain */
  g_assert_false(vf_pipeline_link(p, &err, "src", "missing", NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_clear_error(&err);
  /* already linked source */
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "sink", &err, NULL), err);
  g_assert_false(vf_pipeline_link(p, &err, "src", "sink", NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_LINK);
  g_clear_error(&err);
  /* unknown named pad */
  g_assert_false(vf_pipeline_link_pads(p, "rgb", "nosuchpad", "sink", NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_assert_nonnull(strstr(err->message, "nosuchpad"));
  g_clear_error(&err);
  vf_pipeline_free(p);
}

static void test_destroy_never_started(void)
{
  VfPipeline *p = vf_pipeline_new("t");
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "src", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "sink", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "sink", NULL), err);
  g_assert_cmpint(vf_pipeline_get_state(p), ==, VF_STATE_NULL);
  vf_pipeline_stop(p); /* harmless */
  vf_pipeline_free(p);
  vf_pipeline_free(NULL);
}

static void test_run_to_eos(void)
{
  VfPipeline *p = vf_pipeline_new("t");
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "src", &err, "num-buffers", "20", NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "sink", &err, "sync", "false", NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "sink", NULL), err);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  g_assert_cmpint(vf_pipeline_get_state(p), ==, VF_STATE_PLAYING);
  VF_ASSERT_OK(vf_pipeline_wait(p, &err), err);
  g_assert_cmpint(vf_pipeline_get_state(p), ==, VF_STATE_NULL);
  /* a finished pipeline runs again */
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  vf_pipeline_free(p);
}

static void test_wait_on_error(void)
{
  /* a pipeline that starts, runs, then fails while wait() waits: identity errors out after 10
   * buffers of an endless live stream */
  VfPipeline *p = vf_pipeline_new("t");
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "src", &err, "is-live", "true", NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "identity", "fails", &err, "error-after", "10", NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "sink", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "fails", "sink", NULL), err);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  g_assert_cmpint(vf_pipeline_get_state(p), ==, VF_STATE_PLAYING);
  g_assert_false(vf_pipeline_wait(p, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_STREAM);
  TEST_ASSERT_CONTAINS(err->message, "element 'fails'");
  g_clear_error(&err);
  g_assert_cmpint(vf_pipeline_get_state(p), ==, VF_STATE_NULL);
  vf_pipeline_free(p);
}

/* End of stream that can never reach the sink (an appsink nobody pulls from): wait() stops the
 * pipeline at the drain deadline and says so. */
static void test_drain_deadline(void)
{
  VfPipeline *p = vf_pipeline_new("undrainable");
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "src", &err, "is-live", "true", NULL), err);
  VF_ASSERT_OK(
      vf_pipeline_add(p, "appsink", "sink", &err, "max-buffers", "1", "sync", "false", NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "sink", NULL), err);
  vf_pipeline_set_drain_timeout(p, 200 * GST_MSECOND);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  vf_pipeline_send_eos(p);
  g_assert_false(vf_pipeline_wait(p, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_TIMEOUT);
  TEST_ASSERT_CONTAINS(err->message, "pipeline 'undrainable' did not finish draining within 0.2 s");
  TEST_ASSERT_CONTAINS(err->message, "an element holds the end of stream back");
  g_clear_error(&err);
  g_assert_cmpint(vf_pipeline_get_state(p), ==, VF_STATE_NULL);
  vf_pipeline_free(p);
}

static void test_missing_file_error(void)
{
  VfPipeline *p = vf_pipeline_new("t");
  GError *err = NULL;
  VF_ASSERT_OK(
      vf_pipeline_add(p, "filesrc", "src", &err, "location", "/nonexistent/file.mp4", NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "sink", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "sink", NULL), err);
  g_assert_false(vf_pipeline_run(p, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_STREAM);
  g_assert_nonnull(strstr(err->message, "'src'"));
  g_clear_error(&err);
  vf_pipeline_free(p);
}

static gpointer stop_later(gpointer data)
{
  g_usleep(300 * 1000);
  vf_pipeline_stop(data);
  return NULL;
}

/* send_eos on a pipeline that is not running (before start, after stop): nothing is sent. A
 * source that is not streaming would keep the EOS, and GstBaseSrc never frees it: LeakSanitizer
 * fails this test in the AddressSanitizer suite if one is sent. gst_task_cleanup_all waits for
 * GStreamer's thread pool, where the EOS is sent from. */
static void test_eos_while_not_running(void)
{
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new("eos-idle");
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "src", &err, "is-live", "true", NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "sink", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "sink", NULL), err);
  vf_pipeline_send_eos(p); /* not started */
  gst_task_cleanup_all();
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  vf_pipeline_stop(p);
  vf_pipeline_send_eos(p); /* stopped */
  gst_task_cleanup_all();
  g_assert_cmpint(vf_pipeline_get_state(p), ==, VF_STATE_NULL);
  vf_pipeline_free(p);
}

static void test_stop_while_streaming(void)
{
  VfPipeline *p = vf_pipeline_new("t");
  GError *err = NULL;
  /* endless live source: only stop() ends it */
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "src", &err, "is-live", "true", NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "sink", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "sink", NULL), err);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  GThread *t = g_thread_new("stopper", stop_later, p);
  gint64 t0 = g_get_monotonic_time();
  VF_ASSERT_OK(vf_pipeline_wait(p, &err), err);
  g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_TIME_SPAN_SECOND);
  g_thread_join(t);
  g_assert_cmpint(vf_pipeline_get_state(p), ==, VF_STATE_NULL);
  vf_pipeline_free(p);

  /* and stop() with nobody waiting, then free */
  p = vf_pipeline_new("t2");
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "src", &err, "is-live", "true", NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "sink", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "sink", NULL), err);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  vf_pipeline_stop(p);
  vf_pipeline_stop(p);
  vf_pipeline_free(p);

  /* free while running */
  p = vf_pipeline_new("t3");
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "src", &err, "is-live", "true", NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "sink", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "sink", NULL), err);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  vf_pipeline_free(p);
}

static void test_pause_resume(void)
{
  VfPipeline *p = vf_pipeline_new("t");
  GError *err = NULL;
  VF_ASSERT_OK(
      vf_pipeline_add(p, "videotestsrc", "src", &err, "is-live", "true", "num-buffers", "30", NULL),
      err);
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "sink", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "sink", NULL), err);
  g_assert_false(vf_pipeline_pause(p, &err)); /* not started */
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_clear_error(&err);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  VF_ASSERT_OK(vf_pipeline_pause(p, &err), err);
  g_assert_cmpint(vf_pipeline_get_state(p), ==, VF_STATE_PAUSED);
  /* building is refused while not stopped */
  g_assert_false(vf_pipeline_add(p, "fakesink", "late", &err, NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_clear_error(&err);
  VF_ASSERT_OK(vf_pipeline_resume(p, &err), err);
  g_assert_cmpint(vf_pipeline_get_state(p), ==, VF_STATE_PLAYING);
  VF_ASSERT_OK(vf_pipeline_wait(p, &err), err);
  vf_pipeline_free(p);
}

/* Request pads on both sides, named pads, and a tee. */
static void test_request_and_named_pads(void)
{
  VfPipeline *p = vf_pipeline_new("t");
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "a", &err, "num-buffers", "10", NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "b", &err, "num-buffers", "10", NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "funnel", "mux", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "tee", "tee", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "queue", "q1", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "queue", "q2", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "s1", &err, "sync", "false", NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "s2", &err, "sync", "false", NULL), err);
  VF_ASSERT_OK(vf_pipeline_link_pads(p, "a", "", "mux", "sink_%u", &err), err);
  VF_ASSERT_OK(vf_pipeline_link_pads(p, "b", "src", "mux", "sink_%u", &err), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "mux", "tee", NULL), err);
  VF_ASSERT_OK(vf_pipeline_link_pads(p, "tee", "src_%u", "q1", "sink", &err), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "tee", "q2", NULL), err); /* requests another tee pad */
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "q1", "s1", NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "q2", "s2", NULL), err);
  GstElement *mux = vf_pipeline_get_element(p, "mux");
  g_assert_cmpint(mux->numsinkpads, ==, 2);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  vf_pipeline_free(p);
}

static char *make_test_video(guint frames)
{
  char *path = g_build_filename(g_get_tmp_dir(), "vf-test-pipeline.mp4", NULL);
  char *cmd = g_strdup_printf(
      "videotestsrc num-buffers=%u ! video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! "
      "x264enc ! h264parse ! mp4mux ! filesink location=%s",
      frames, path);
  GError *err = NULL;
  GstElement *pipe = gst_parse_launch(cmd, &err);
  VF_ASSERT_OK(pipe != NULL, err);
  gst_element_set_state(pipe, GST_STATE_PLAYING);
  GstMessage *msg = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(pipe), 30 * GST_SECOND,
                                               GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull(msg);
  g_assert_cmpint(GST_MESSAGE_TYPE(msg), ==, GST_MESSAGE_EOS);
  gst_message_unref(msg);
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(pipe);
  g_free(cmd);
  return path;
}

static int count_frames(VfBuffer *buffer, gpointer user_data)
{
  (void)buffer;
  (*(guint *)user_data)++;
  return VF_CONSUME_OK;
}

/* decodebin/uridecodebin pads appear later: link() handles them, and a request pad on the
 * sink side is requested only then. */
static void test_delayed_pads(void)
{
  char *path = make_test_video(15);
  char *uri = gst_filename_to_uri(path, NULL);
  VfPipeline *p = vf_pipeline_new("t");
  GError *err = NULL;
  guint frames = 0;
  VF_ASSERT_OK(vf_pipeline_add(p, "uridecodebin", "src", &err, "uri", uri, NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "funnel", "mux", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "videoconvert", "conv", &err, NULL), err);
  VF_ASSERT_OK(
      vf_pipeline_add(p, "capsfilter", "caps", &err, "caps", "video/x-raw,format=RGB", NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "appsink", "sink", &err, "sync", "false", NULL), err);
  VF_ASSERT_OK(vf_pipeline_link_pads(p, "src", NULL, "mux", "sink_%u", &err), err);
  g_assert_cmpint(vf_pipeline_get_element(p, "mux")->numsinkpads, ==, 0);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "mux", "conv", "caps", "sink", NULL), err);
  VfRetrieverCallbacks cb = { count_frames, NULL };
  VF_ASSERT_OK(vf_pipeline_attach_receiver(p, "sink", vf_receiver_new("r", &cb, &frames),
                                           "new-sample", &err),
               err);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(frames, ==, 15);
  vf_pipeline_free(p);

  /* a decodebin whose pads never fit the sink: a clear error, not a hang */
  p = vf_pipeline_new("t2");
  VF_ASSERT_OK(vf_pipeline_add(p, "uridecodebin", "src", &err, "uri", uri, NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "capsfilter", "audio", &err, "caps", "audio/x-raw", NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "sink", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "audio", "sink", NULL), err);
  g_assert_false(vf_pipeline_run(p, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_LINK);
  g_assert_nonnull(strstr(err->message, "audio"));
  g_clear_error(&err);
  vf_pipeline_free(p);
  g_unlink(path);
  g_free(uri);
  g_free(path);
}

/* ---- Ctrl-C at several moments; each moment is a condition seen, not a delay ---- */

typedef struct {
  VfPipeline *pipeline;
  gint eos;              /* atomic: the pipeline's end of stream messages */
  gint sigints;          /* atomic: SIGINTs still to send from the probe or provider */
  gboolean at_eos_event; /* send the next one when an end-of-stream event leaves the source */
  GThread *watchdog;
  gint done; /* atomic: the test finished (the watchdog goes) */
} Moment;

static void count_eos(VfPipeline *p, GstMessage *msg, gpointer data)
{
  (void)p;
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS)
    g_atomic_int_inc(&((Moment *)data)->eos);
}

/* A hang guard: a run the interrupts did not end is stopped after a minute (then the test fails
 * on what it checks: no end of stream, no VF_ERROR_INTERRUPTED). */
static gpointer watchdog(gpointer data)
{
  Moment *m = data;
  for (guint i = 0; i < 600 && !g_atomic_int_get(&m->done); i++)
    g_usleep(100 * 1000);
  if (!g_atomic_int_get(&m->done))
    vf_pipeline_stop(m->pipeline);
  return NULL;
}

static void interrupt_once(gint *left)
{
  gint n = g_atomic_int_get(left);
  if (n > 0 && g_atomic_int_compare_and_exchange(left, n, n - 1))
    kill(getpid(), SIGINT);
}

static GstPadProbeReturn sigint_on_data(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  Moment *m = data;
  gboolean eos = (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM)
                 && GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_EOS;
  if ((info->type & GST_PAD_PROBE_TYPE_BUFFER) || (eos && m->at_eos_event))
    interrupt_once(&m->sigints);
  return GST_PAD_PROBE_OK;
}

/* videotestsrc (live, endless) -> sink ("fakesink", or an appsink nobody pulls: cannot drain),
 * SIGINTs sent from the source's pad (the first buffer, and with at_eos_event the end of stream
 * the first interrupt sent). */
static VfPipeline *moment_pipeline(Moment *m, const char *sink, guint sigints, gboolean at_eos)
{
  *m = (Moment){ .sigints = (gint)sigints, .at_eos_event = at_eos };
  m->pipeline = vf_pipeline_new("moment");
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_add(m->pipeline, "videotestsrc", "src", &err, "is-live", "true", NULL),
               err);
  VF_ASSERT_OK(vf_pipeline_add(m->pipeline, sink, "sink", &err, NULL), err);
  if (g_str_equal(sink, "appsink"))
    VF_ASSERT_OK(vf_pipeline_set(m->pipeline, "sink", "max-buffers", "1", &err), err);
  VF_ASSERT_OK(vf_pipeline_link(m->pipeline, &err, "src", "sink", NULL), err);
  GstPad *pad = gst_element_get_static_pad(vf_pipeline_get_element(m->pipeline, "src"), "src");
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                    sigint_on_data, m, NULL);
  gst_object_unref(pad);
  VfBusWatchCallbacks cb = { .on_message = count_eos };
  VF_ASSERT_OK(vf_pipeline_add_bus_watch(m->pipeline, GST_MESSAGE_EOS, &cb, m, &err) != 0, err);
  m->watchdog = g_thread_new("watchdog", watchdog, m);
  return m->pipeline;
}

static void moment_end(Moment *m)
{
  g_atomic_int_set(&m->done, 1);
  g_thread_join(m->watchdog);
  vf_pipeline_free(m->pipeline);
}

/* While the stream runs: the first Ctrl-C drains (end of stream reaches the sink). */
static void test_interrupt_while_running(void)
{
  vf_handle_interrupts();
  Moment m;
  VfPipeline *p = moment_pipeline(&m, "fakesink", 1, FALSE);
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  g_assert_cmpint(g_atomic_int_get(&m.eos), ==, 1);
  moment_end(&m);
}

/* Before start(): the interrupt is not lost because wait() was not running yet. */
static void test_interrupt_before_start(void)
{
  vf_handle_interrupts();
  Moment m;
  VfPipeline *p = moment_pipeline(&m, "fakesink", 0, FALSE);
  kill(getpid(), SIGINT);
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  g_assert_cmpint(g_atomic_int_get(&m.eos), ==, 1);
  moment_end(&m);
}

/* While start() waits for the preroll: the signal wakes that wait (it must not be taken for a
 * failed start), the preroll finishes and wait() drains it. */
typedef struct {
  guint made;
} Prerolling;

static VfBuffer *interrupt_first(gsize size, gpointer user_data, GError **error)
{
  Prerolling *pr = user_data;
  if (pr->made++ == 0) /* start() is waiting for this very frame */
    kill(getpid(), SIGINT);
  (void)size;
  return vf_buffer_new_frame(VF_COLOR_FORMAT_GRAY8, 8, 8, error);
}

static void test_interrupt_during_preroll(void)
{
  vf_handle_interrupts();
  Prerolling pr = { 0 };
  Moment m = { 0 };
  m.pipeline = vf_pipeline_new("prerolling");
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_add(m.pipeline, "appsrc", "src", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(m.pipeline, "fakesink", "sink", &err, "sync", "false", NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(m.pipeline, &err, "src", "sink", NULL), err);
  VfProviderInfo info = { VF_COLOR_FORMAT_GRAY8, 8, 8, 30, 1, VF_DEVICE_CPU };
  VfProviderCallbacks pc = { interrupt_first, NULL };
  VF_ASSERT_OK(
      vf_pipeline_attach_feeder(m.pipeline, "src", vf_feeder_new("f", &info, &pc, &pr), NULL, &err),
      err);
  VfBusWatchCallbacks cb = { .on_message = count_eos };
  VF_ASSERT_OK(vf_pipeline_add_bus_watch(m.pipeline, GST_MESSAGE_EOS, &cb, &m, &err) != 0, err);
  m.watchdog = g_thread_new("watchdog", watchdog, &m);
  VF_ASSERT_OK(vf_pipeline_start(m.pipeline, &err), err);
  VF_ASSERT_OK(vf_pipeline_wait(m.pipeline, &err), err);
  g_assert_cmpint(g_atomic_int_get(&m.eos), ==, 1);
  g_assert_cmpuint(pr.made, >=, 1);
  moment_end(&m);
}

/* A stream that cannot drain: the second Ctrl-C (sent once the first one's end of stream left
 * the source) stops it. */
static void test_second_interrupt_stops(void)
{
  vf_handle_interrupts();
  Moment m;
  VfPipeline *p = moment_pipeline(&m, "appsink", 2, TRUE);
  GError *err = NULL;
  g_assert_false(vf_pipeline_run(p, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_INTERRUPTED);
  g_clear_error(&err);
  g_assert_cmpint(g_atomic_int_get(&m.eos), ==, 0);
  moment_end(&m);
}

/* With nothing running that could act on them, two interrupts end the process with 130 (a
 * program busy before wait() must not ignore them); in a child process. */
static void test_interrupts_while_busy(void)
{
  pid_t pid = fork();
  g_assert_cmpint(pid, >=, 0);
  if (pid == 0) {
    vf_handle_interrupts();
    kill(getpid(), SIGTERM);
    kill(getpid(), SIGTERM);
    _exit(0); /* ignored */
  }
  int status = 0;
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 130);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  g_test_add_func("/pipeline/add-unknown-factory", test_add_unknown_factory);
  g_test_add_func("/pipeline/add-duplicate-name", test_add_duplicate_name);
  g_test_add_func("/pipeline/unknown-property", test_unknown_property);
  g_test_add_func("/pipeline/property-conversion", test_property_conversion);
  g_test_add_func("/pipeline/typed-setters", test_typed_setters);
  g_test_add_func("/pipeline/caps-cannot-link", test_caps_cannot_link);
  g_test_add_func("/pipeline/destroy-never-started", test_destroy_never_started);
  g_test_add_func("/pipeline/run-to-eos", test_run_to_eos);
  g_test_add_func("/pipeline/wait-on-error", test_wait_on_error);
  g_test_add_func("/pipeline/drain-deadline", test_drain_deadline);
  g_test_add_func("/pipeline/missing-file-error", test_missing_file_error);
  g_test_add_func("/pipeline/stop-while-streaming", test_stop_while_streaming);
  g_test_add_func("/pipeline/eos-while-not-running", test_eos_while_not_running);
  g_test_add_func("/pipeline/pause-resume", test_pause_resume);
  g_test_add_func("/pipeline/request-and-named-pads", test_request_and_named_pads);
  g_test_add_func("/pipeline/delayed-pads", test_delayed_pads);
  g_test_add_func("/pipeline/interrupt-while-running", test_interrupt_while_running);
  g_test_add_func("/pipeline/interrupt-before-start", test_interrupt_before_start);
  g_test_add_func("/pipeline/interrupt-during-preroll", test_interrupt_during_preroll);
  g_test_add_func("/pipeline/second-interrupt-stops", test_second_interrupt_stops);
  g_test_add_func("/pipeline/interrupts-while-busy", test_interrupts_while_busy);
  return g_test_run();
}
