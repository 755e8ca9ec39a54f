/* Pipeline API: building, properties, linking, running, errors, stop, interrupts. */
#include "test-util.h"

#include <glib/gstdio.h>
#include <signal.h>
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
    { "fakesink", "name", "renamed", TRUE },
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
  /* caps that link but cannot be negotiated at run time: a not-negotiated error */
  VfPipeline *p = vf_pipeline_new("t");
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "src", &err, "num-buffers", "5", NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "capsfilter", "cf", &err, "caps",
                               "video/x-raw,width=[1,100],height=[1,100]", NULL),
               err);
  VF_ASSERT_OK(
      vf_pipeline_add(p, "capsfilter", "cf2", &err, "caps", "video/x-raw,width=[200,300]", NULL),
      err);
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "sink", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "cf", NULL), err);
  gboolean linked = vf_pipeline_link(p, &err, "cf", "cf2", "sink", NULL);
  if (!linked) {
    /* linking already saw it: also a clear error */
    g_assert_error(err, VF_ERROR, VF_ERROR_LINK);
    g_clear_error(&err);
    vf_pipeline_free(p);
    return;
  }
  gboolean ok = vf_pipeline_run(p, &err);
  g_assert_false(ok);
  g_assert_nonnull(err);
  g_assert_true(err->domain == VF_ERROR);
  g_assert_nonnull(strstr(err->message, "element '"));
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

static gpointer interrupt_later(gpointer data)
{
  guint n = GPOINTER_TO_UINT(data);
  g_usleep(300 * 1000);
  for (guint i = 0; i < n; i++) {
    kill(getpid(), SIGINT);
    g_usleep(300 * 1000);
  }
  return NULL;
}

static void test_interrupts(void)
{
  vf_handle_interrupts();
  for (guint n = 1; n <= 2; n++) {
    VfPipeline *p = vf_pipeline_new("t");
    GError *err = NULL;
    VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "src", &err, "is-live", "true", NULL), err);
    /* n == 2: an appsink nobody pulls from blocks the stream, so EOS cannot drain and only the
     * second Ctrl-C ends the wait. */
    if (n == 1)
      VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "sink", &err, NULL), err);
    else
      VF_ASSERT_OK(
          vf_pipeline_add(p, "appsink", "sink", &err, "max-buffers", "1", "sync", "false", NULL),
          err);
    VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "sink", NULL), err);
    VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
    GThread *t = g_thread_new("interrupter", interrupt_later, GUINT_TO_POINTER(n));
    gboolean ok = vf_pipeline_wait(p, &err);
    g_thread_join(t);
    if (n == 1) {
      VF_ASSERT_OK(ok, err); /* first Ctrl-C: drained with EOS, a clean end */
    } else {
      g_assert_false(ok);
      g_assert_error(err, VF_ERROR, VF_ERROR_INTERRUPTED);
      g_clear_error(&err);
    }
    vf_pipeline_free(p);
  }
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
  g_test_add_func("/pipeline/missing-file-error", test_missing_file_error);
  g_test_add_func("/pipeline/stop-while-streaming", test_stop_while_streaming);
  g_test_add_func("/pipeline/pause-resume", test_pause_resume);
  g_test_add_func("/pipeline/request-and-named-pads", test_request_and_named_pads);
  g_test_add_func("/pipeline/delayed-pads", test_delayed_pads);
  g_test_add_func("/pipeline/interrupts", test_interrupts);
  return g_test_run();
}
