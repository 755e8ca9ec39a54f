/* Receiver (BufferRetriever on appsink): return values, drop policies, teardown, frame queue. */
#include "test-util.h"

typedef struct {
  guint calls;
  gint fail_every; /* return ERROR on every Nth call */
  gint stop_at;    /* return STOP on this call (1-based) */
  guint sleep_us;
  gint finished; /* set after wait() returned: consume must not run then */
} Retriever;

static int consume(VfBuffer *buffer, gpointer user_data)
{
  Retriever *r = user_data;
  g_assert_cmpint(g_atomic_int_get(&r->finished), ==, 0);
  g_assert_cmpuint(vf_buffer_get_batch_size(buffer), ==, 1);
  r->calls++;
  if (r->sleep_us)
    g_usleep(r->sleep_us);
  if (r->stop_at && (gint)r->calls == r->stop_at)
    return VF_CONSUME_STOP;
  if (r->fail_every && r->calls % r->fail_every == 0)
    return VF_CONSUME_ERROR;
  return VF_CONSUME_OK;
}

static VfPipeline *build(guint buffers, gboolean live, const char *emit, Retriever *r, guint max,
                         VfDropPolicy policy, VfReceiver **out)
{
  VfPipeline *p = vf_pipeline_new("receiver-test");
  GError *err = NULL;
  char n[16];
  g_snprintf(n, sizeof n, "%d", buffers ? (gint)buffers : -1);
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "src", &err, "num-buffers", n, "is-live",
                               live ? "true" : "false", NULL),
               err);
  VF_ASSERT_OK(vf_pipeline_add(p, "capsfilter", "caps", &err, "caps",
                               "video/x-raw,format=RGB,width=64,height=48,framerate=200/1", NULL),
               err);
  VF_ASSERT_OK(
      vf_pipeline_add(p, "appsink", "sink", &err, "emit-signals", emit, "sync", "false", NULL),
      err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "caps", "sink", NULL), err);
  VfRetrieverCallbacks cb = { consume, NULL };
  VfReceiver *recv = vf_receiver_new("receiver", &cb, r);
  vf_receiver_set_queue(recv, max, policy);
  VF_ASSERT_OK(vf_pipeline_attach_receiver(p, "sink", recv, "new-sample", &err), err);
  if (out)
    *out = recv;
  return p;
}

static void test_all_consumed_with_or_without_signals(void)
{
  const char *emit[] = { "false", "true" };
  for (guint i = 0; i < 2; i++) {
    Retriever r = { 0 };
    VfReceiver *recv;
    VfPipeline *p = build(25, FALSE, emit[i], &r, 4, VF_DROP_NONE, &recv);
    GError *err = NULL;
    VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
    g_atomic_int_set(&r.finished, 1);
    g_assert_cmpuint(r.calls, ==, 25);
    VfReceiverStats s;
    vf_receiver_get_stats(recv, &s);
    g_assert_cmpuint(s.received, ==, 25);
    g_assert_cmpuint(s.consumed, ==, 25);
    g_assert_cmpuint(s.dropped, ==, 0);
    vf_pipeline_free(p);
  }
}

static void test_error_continues(void)
{
  Retriever r = { .fail_every = 3 };
  VfReceiver *recv;
  VfPipeline *p = build(30, FALSE, "false", &r, 4, VF_DROP_NONE, &recv);
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(r.calls, ==, 30);
  VfReceiverStats s;
  vf_receiver_get_stats(recv, &s);
  g_assert_cmpuint(s.errors, ==, 10);
  vf_pipeline_free(p);
}

static void test_stop_ends_cleanly(void)
{
  /* an endless source: only the retriever's -1 ends the run */
  Retriever r = { .stop_at = 5 };
  VfPipeline *p = build(0, FALSE, "false", &r, 4, VF_DROP_NONE, NULL);
  GError *err = NULL;
  gint64 t0 = g_get_monotonic_time();
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  g_atomic_int_set(&r.finished, 1);
  g_assert_cmpint(g_get_monotonic_time() - t0, <, 10 * G_TIME_SPAN_SECOND);
  g_assert_cmpuint(r.calls, ==, 5); /* never called after -1 */
  vf_pipeline_free(p);
}

static void test_drop_oldest_counts(void)
{
  Retriever r = { .sleep_us = 20000 };
  VfReceiver *recv;
  /* live source at 200 fps, consumer at ~50 fps, 2-deep queue: drops must happen and be counted */
  VfPipeline *p = build(60, TRUE, "false", &r, 2, VF_DROP_OLDEST, &recv);
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  VfReceiverStats s;
  vf_receiver_get_stats(recv, &s);
  g_test_message("received %" G_GUINT64_FORMAT ", consumed %" G_GUINT64_FORMAT
                 ", dropped %" G_GUINT64_FORMAT,
                 s.received, s.consumed, s.dropped);
  g_assert_cmpuint(s.received, ==, 60);
  g_assert_cmpuint(s.dropped, >, 0);
  g_assert_cmpuint(s.consumed + s.dropped, ==, s.received);
  g_assert_cmpuint(r.calls, ==, s.consumed);
  vf_pipeline_free(p);
}

static void test_no_consume_after_stop(void)
{
  Retriever r = { .sleep_us = 1000 };
  VfPipeline *p = build(0, TRUE, "false", &r, 4, VF_DROP_NONE, NULL);
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  g_usleep(200 * 1000);
  vf_pipeline_stop(p);
  g_atomic_int_set(&r.finished, 1); /* consume asserts on this */
  g_usleep(100 * 1000);
  g_assert_cmpuint(r.calls, >, 0);
  vf_pipeline_free(p);
}

static void test_attach_errors(void)
{
  VfPipeline *p = vf_pipeline_new("t");
  GError *err = NULL;
  Retriever r = { 0 };
  VfRetrieverCallbacks cb = { consume, NULL };
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "fake", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "appsink", "sink", &err, NULL), err);
  g_assert_false(vf_pipeline_attach_receiver(p, "fake", vf_receiver_new("r", &cb, &r), NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_assert_false(
      vf_pipeline_attach_receiver(p, "sink", vf_receiver_new("r", &cb, &r), "need-data", &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_assert_nonnull(strstr(err->message, "new-sample"));
  g_clear_error(&err);
  vf_pipeline_free(p);
}

/* ---- probes ---- */

static VfProbeReturn drop_odd(VfBuffer *buffer, gpointer user_data)
{
  (void)buffer;
  guint *n = user_data;
  return (*n)++ % 2 ? VF_PROBE_DROP : VF_PROBE_KEEP;
}

static void test_probe_drops(void)
{
  Retriever r = { 0 };
  VfPipeline *p = build(20, FALSE, "false", &r, 4, VF_DROP_NONE, NULL);
  GError *err = NULL;
  guint n = 0;
  VfProbeCallbacks cb = { .on_buffer = drop_odd };
  VfProbe *probe = vf_probe_new("odd", &cb, &n);
  VF_ASSERT_OK(vf_pipeline_attach_probe(p, "caps", NULL, probe, &err), err);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(vf_probe_get_seen(probe), ==, 20);
  g_assert_cmpuint(vf_probe_get_dropped(probe), ==, 10);
  g_assert_cmpuint(r.calls, ==, 10);
  vf_pipeline_free(p);

  p = build(20, FALSE, "false", &r, 4, VF_DROP_NONE, NULL);
  g_assert_false(
      vf_pipeline_attach_probe(p, "caps", "nosuchpad", vf_probe_new("x", &cb, &n), &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_clear_error(&err);
  VF_ASSERT_OK(vf_pipeline_attach_probe(p, "sink", "sink", vf_probe_new("y", &cb, &n), &err), err);
  vf_pipeline_free(p);
}

/* ---- frame queue ---- */

static gpointer producer(gpointer data)
{
  VfFrameQueue *q = data;
  for (guint i = 0; i < 50; i++) {
    VfBuffer *b = vf_buffer_new_frame(VF_COLOR_FORMAT_GRAY8, 2, 2, NULL);
    g_assert_cmpint(vf_frame_queue_push(q, b, -1), ==, VF_QUEUE_OK);
    vf_buffer_unref(b);
  }
  vf_frame_queue_close(q);
  return NULL;
}

static void test_frame_queue(void)
{
  VfFrameQueue *q = vf_frame_queue_new(3);
  VfBuffer *b = vf_buffer_new_frame(VF_COLOR_FORMAT_GRAY8, 2, 2, NULL), *out = NULL;
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint(vf_frame_queue_push(q, b, 0), ==, VF_QUEUE_OK);
  g_assert_cmpint(vf_frame_queue_push(q, b, 10000), ==, VF_QUEUE_TIMEOUT); /* full */
  g_assert_cmpuint(vf_frame_queue_get_length(q), ==, 3);
  for (guint i = 0; i < 3; i++) {
    g_assert_cmpint(vf_frame_queue_pop(q, &out, 0), ==, VF_QUEUE_OK);
    g_assert_true(out == b); /* the same buffer: no copy */
    vf_buffer_unref(out);
  }
  g_assert_cmpint(vf_frame_queue_pop(q, &out, 10000), ==, VF_QUEUE_TIMEOUT);
  g_assert_null(out);
  vf_frame_queue_close(q);
  g_assert_cmpint(vf_frame_queue_push(q, b, -1), ==, VF_QUEUE_CLOSED);
  g_assert_cmpint(vf_frame_queue_pop(q, &out, -1), ==, VF_QUEUE_CLOSED);
  vf_frame_queue_free(q);

  /* threads: everything pushed arrives, then CLOSED */
  q = vf_frame_queue_new(4);
  GThread *t = g_thread_new("producer", producer, q);
  guint got = 0;
  while (vf_frame_queue_pop(q, &out, -1) == VF_QUEUE_OK) {
    got++;
    vf_buffer_unref(out);
  }
  g_thread_join(t);
  g_assert_cmpuint(got, ==, 50);
  vf_frame_queue_free(q);

  /* freeing a queue that still holds buffers releases them */
  q = vf_frame_queue_new(2);
  vf_frame_queue_push(q, b, 0);
  vf_frame_queue_free(q);
  vf_buffer_unref(b);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  g_test_add_func("/receiver/all-consumed", test_all_consumed_with_or_without_signals);
  g_test_add_func("/receiver/error-continues", test_error_continues);
  g_test_add_func("/receiver/stop-ends-cleanly", test_stop_ends_cleanly);
  g_test_add_func("/receiver/drop-oldest-counts", test_drop_oldest_counts);
  g_test_add_func("/receiver/no-consume-after-stop", test_no_consume_after_stop);
  g_test_add_func("/receiver/attach-errors", test_attach_errors);
  g_test_add_func("/probe/drops", test_probe_drops);
  g_test_add_func("/frame-queue/basics", test_frame_queue);
  return g_test_run();
}
