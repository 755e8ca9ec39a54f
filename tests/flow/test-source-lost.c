/* A lost RTSP source in a flow (issue 9): each reconnection is announced on the bus, the
 * attempts are bounded by default (and as configured), and end of stream asked for while the
 * source reconnects (the first Ctrl-C) drains the flow. With the RTSP test server of
 * flow-util.h on a free port. */
#include "flow-util.h"

typedef struct {
  VfPipeline *pipeline;
  FlowTestServer *server; /* stopped at the first loss when stop_server_at_loss */
  gboolean stop_server_at_loss;
  gboolean eos_at_loss;
  GMutex lock;
  GString *attempts; /* "1 2 ..." the RECONNECTING messages' attempts */
  gint eos;          /* atomic: the pipeline's end of stream */
  gint done;         /* atomic */
  GThread *watchdog;
} Loss;

static void on_message(VfPipeline *p, GstMessage *msg, gpointer data)
{
  Loss *l = data;
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS
      && GST_MESSAGE_SRC(msg) == GST_OBJECT(vf_pipeline_get_gst_pipeline(p)))
    g_atomic_int_inc(&l->eos);
  VfSourceMessage s;
  if (!vf_source_message_parse(msg, &s) || s.type != VF_SOURCE_MESSAGE_RECONNECTING)
    return;
  g_assert_nonnull(strstr(s.uri, "rtsp://127.0.0.1:"));
  g_mutex_lock(&l->lock);
  gboolean first = l->attempts->len == 0;
  g_string_append_printf(l->attempts, "%s%u", first ? "" : " ", s.attempt);
  g_mutex_unlock(&l->lock);
  if (first && l->stop_server_at_loss) {
    flow_test_server_stop(l->server);
    l->server = NULL;
  }
  if (first && l->eos_at_loss)
    vf_pipeline_send_eos(p); /* as the first Ctrl-C does */
}

/* A hang guard: a run the loss did not end is stopped after two minutes (the test then fails on
 * what it checks). */
static gpointer watchdog(gpointer data)
{
  Loss *l = data;
  for (guint i = 0; i < 1200 && !g_atomic_int_get(&l->done); i++)
    g_usleep(100 * 1000);
  if (!g_atomic_int_get(&l->done))
    vf_pipeline_stop(l->pipeline);
  return NULL;
}

/* capture(rtsp://127.0.0.1:port/test, interval 1 s, `attempts`) -> retrieve, from a server whose
 * stream ends after half a second (the source loses it). */
static VfFlow *lossy_flow(Loss *l, guint port, const char *attempts, FlowCounter *c)
{
  l->server = flow_test_server_start(
      port, "( videotestsrc is-live=true num-buffers=15 ! video/x-raw,format=I420,width=160,"
            "height=120,framerate=30/1 ! x264enc speed-preset=ultrafast tune=zerolatency "
            "key-int-max=5 ! rtph264pay name=pay0 pt=96 config-interval=-1 )");
  char *uri = g_strdup_printf("rtsp://127.0.0.1:%u/test", port);
  const char *uris[] = { uri, NULL };
  GError *err = NULL;
  VfFlow *f = vf_flow_new(vf_pipeline_new("lossy"));
  VF_ASSERT_OK(vf_flow_capture(f, uris, &err, "rtsp_reconnect_interval", "1",
                               "rtsp_reconnect_attempts", attempts, "latency", "0", NULL)
                   != NULL,
               err);
  VF_ASSERT_OK(vf_flow_retrieve(f, &flow_counter_callbacks, c, &err, NULL) != NULL, err);
  g_free(uri);
  l->pipeline = vf_flow_get_pipeline(f);
  g_mutex_init(&l->lock);
  l->attempts = g_string_new(NULL);
  VfBusWatchCallbacks cb = { .on_message = on_message };
  VF_ASSERT_OK(
      vf_pipeline_add_bus_watch(l->pipeline, GST_MESSAGE_ELEMENT | GST_MESSAGE_EOS, &cb, l, &err)
          != 0,
      err);
  l->watchdog = g_thread_new("watchdog", watchdog, l);
  return f;
}

static void loss_end(Loss *l, VfFlow *f)
{
  g_atomic_int_set(&l->done, 1);
  g_thread_join(l->watchdog);
  vf_flow_free(f);
  if (l->server)
    flow_test_server_stop(l->server);
  g_string_free(l->attempts, TRUE);
  g_mutex_clear(&l->lock);
}

/* End of stream asked for while the source waits to reconnect: the flow drains. */
static void test_eos_while_reconnecting(void)
{
  Loss l = { .eos_at_loss = TRUE };
  FlowCounter c;
  flow_counter_init(&c);
  VfFlow *f = lossy_flow(&l, flow_test_free_port(), "-1", &c);
  GError *err = NULL;
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  g_assert_cmpint(g_atomic_int_get(&l.eos), ==, 1); /* drained, not stopped by the watchdog */
  g_assert_cmpstr(l.attempts->str, ==, "1");
  g_assert_cmpint(c.frames, >, 0);
  loss_end(&l, f);
}

/* The server is gone for good: after the configured attempts the flow fails, naming the URI. */
static void test_gives_up(void)
{
  Loss l = { .stop_server_at_loss = TRUE };
  FlowCounter c;
  flow_counter_init(&c);
  guint port = flow_test_free_port();
  VfFlow *f = lossy_flow(&l, port, "2", &c);
  GError *err = NULL;
  g_assert_false(vf_flow_run(f, &err));
  char *uri = g_strdup_printf("rtsp://127.0.0.1:%u/test", port);
  FLOW_ASSERT_MESSAGE(err, uri);
  FLOW_ASSERT_MESSAGE(err, "gave up after 2 reconnection attempts");
  g_clear_error(&err);
  g_assert_cmpstr(l.attempts->str, ==, "1 2");
  g_assert_cmpint(g_atomic_int_get(&l.eos), ==, 0);
  g_free(uri);
  loss_end(&l, f);
}

/* capture() of an rtsp:// URI reconnects by default, and not forever (flow.h). */
static void test_bounded_by_default(void)
{
  char *uri = g_strdup_printf("rtsp://127.0.0.1:%u/x", flow_test_free_port());
  const char *uris[] = { uri, "rtsp://127.0.0.1:1/y", NULL };
  GError *err = NULL;
  VfFlow *f = vf_flow_new(vf_pipeline_new("defaults"));
  VF_ASSERT_OK(vf_flow_capture(f, uris, &err, NULL) != NULL, err);
  guint found = 0;
  GstIterator *it
      = gst_bin_iterate_elements(GST_BIN(vf_pipeline_get_gst_pipeline(vf_flow_get_pipeline(f))));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object(&item);
    if (g_str_equal(GST_OBJECT_NAME(gst_element_get_factory(e)), "vfurisrcbin")) {
      guint interval = 0;
      gint attempts = 0;
      g_object_get(e, "rtsp-reconnect-interval", &interval, "rtsp-reconnect-attempts", &attempts,
                   NULL);
      g_assert_cmpuint(interval, ==, 2);
      g_assert_cmpint(attempts, ==, 10);
      found++;
    }
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
  g_assert_cmpuint(found, ==, 2);
  vf_flow_free(f);
  g_free(uri);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  g_test_add_func("/source-lost/eos-while-reconnecting", test_eos_while_reconnecting);
  g_test_add_func("/source-lost/gives-up", test_gives_up);
  g_test_add_func("/source-lost/bounded-by-default", test_bounded_by_default);
  return g_test_run();
}
