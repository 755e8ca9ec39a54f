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

/* Many small frames through a one-sample queue: the receiver thread and the appsink's streaming
 * thread meet at every frame. A sample that came while the receiver pulled the one before was
 * once left waiting (a lost wake-up): the appsink full, the pipeline stalled for good, 2 runs in
 * 8 of bench-feeder on a 16-core machine; at the end of the stream, a frame lost. Every frame
 * must be consumed and the run must end (a stall here is the test's timeout). */
#define MANY_FRAMES 20000
#define MANY_ROUNDS 3

static void test_many_small_frames(void)
{
  for (guint round = 0; round < MANY_ROUNDS; round++) {
    Retriever r = { 0 };
    VfReceiver *recv;
    VfPipeline *p = build(MANY_FRAMES, FALSE, "false", &r, 1, VF_DROP_NONE, &recv);
    GError *err = NULL;
    VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
    g_atomic_int_set(&r.finished, 1);
    g_assert_cmpuint(r.calls, ==, MANY_FRAMES);
    VfReceiverStats s;
    vf_receiver_get_stats(recv, &s);
    g_assert_cmpuint(s.consumed, ==, MANY_FRAMES);
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

/* What the retriever of the drop-oldest test sees, on its own: which frames reached it. */
typedef struct {
  VfReceiver *receiver;
  guint calls;
  gint64 last;    /* frame number of the last buffer consumed, -1: none */
  guint64 missed; /* frame numbers it never saw (gaps) */
  guint64 live_dropped;
  gboolean out_of_order;
} Watcher;

static int watch_frames(VfBuffer *buffer, gpointer user_data)
{
  Watcher *w = user_data;
  w->calls++;
  /* videotestsrc numbers its frames in the buffer offset */
  gint64 n = (gint64)GST_BUFFER_OFFSET(vf_buffer_get_gst_buffer(buffer));
  if (n <= w->last)
    w->out_of_order = TRUE;
  else
    w->missed += (guint64)(n - w->last - 1);
  w->last = n;
  VfReceiverStats s;
  vf_receiver_get_stats(w->receiver, &s); /* while it runs */
  w->live_dropped = MAX(w->live_dropped, s.dropped);
  g_usleep(20000); /* a consumer at ~50 fps behind a 200 fps source */
  return VF_CONSUME_OK;
}

static void test_drop_oldest_counts(void)
{
  Watcher w = { .last = -1 };
  VfRetrieverCallbacks cb = { watch_frames, NULL };
  VfPipeline *p = vf_pipeline_new("drop-oldest");
  GError *err = NULL;
  /* live source at 200 fps, 2-deep queue: drops must happen and be counted */
  VF_ASSERT_OK(
      vf_pipeline_add(p, "videotestsrc", "src", &err, "num-buffers", "60", "is-live", "true", NULL),
      err);
  VF_ASSERT_OK(vf_pipeline_add(p, "capsfilter", "caps", &err, "caps",
                               "video/x-raw,format=RGB,width=64,height=48,framerate=200/1", NULL),
               err);
  VF_ASSERT_OK(vf_pipeline_add(p, "appsink", "sink", &err, "sync", "false", NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "caps", "sink", NULL), err);
  w.receiver = vf_receiver_new("oldest", &cb, &w);
  vf_receiver_set_queue(w.receiver, 2, VF_DROP_OLDEST);
  VF_ASSERT_OK(vf_pipeline_attach_receiver(p, "sink", w.receiver, NULL, &err), err);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  VfReceiverStats s;
  vf_receiver_get_stats(w.receiver, &s);
  w.missed += (guint64)(59 - w.last); /* frames after the last one consumed */
  g_test_message("received %" G_GUINT64_FORMAT ", consumed %" G_GUINT64_FORMAT
                 ", dropped %" G_GUINT64_FORMAT " (seen while running: %" G_GUINT64_FORMAT
                 "), frames the retriever never saw %" G_GUINT64_FORMAT,
                 s.received, s.consumed, s.dropped, w.live_dropped, w.missed);
  g_assert_cmpuint(s.received, ==, 60);
  g_assert_cmpuint(s.consumed, ==, w.calls);
  g_assert_cmpuint(s.dropped, >, 0);
  /* every frame the retriever did not see was counted as dropped, and nothing else was */
  g_assert_cmpuint(s.dropped, ==, w.missed);
  g_assert_cmpuint(s.unconsumed, ==, 0);  /* it drained */
  g_assert_cmpuint(w.live_dropped, >, 0); /* visible while running, not only at the end */
  g_assert_false(w.out_of_order);
  g_assert_cmpint(w.last, ==, 59); /* the oldest go, the newest stay */
  vf_pipeline_free(p);
}

/* A retriever that blocks in consume() until its gate opens or the pipeline stops. */
typedef struct {
  TestGate gate;
  VfReceiver *receiver;
  gboolean cooperative; /* watches the receiver's cancellable */
  VfFrameQueue *queue;  /* when set: consume() pushes there instead (blocking while full) */
  VfQueueStatus last_push;
  guint calls;
  gint destroyed; /* atomic */
} Blocker;

static int block(VfBuffer *buffer, gpointer user_data)
{
  Blocker *b = user_data;
  b->calls++;
  if (b->queue) {
    b->last_push = vf_frame_queue_push(b->queue, buffer, -1);
    return b->last_push == VF_QUEUE_OK ? VF_CONSUME_OK : VF_CONSUME_STOP;
  }
  test_gate_pass(&b->gate, b->cooperative ? vf_receiver_get_cancellable(b->receiver) : NULL);
  return VF_CONSUME_OK;
}

static void blocker_destroy(gpointer data)
{
  Blocker *b = data;
  g_atomic_int_inc(&b->destroyed);
}

/* An endless live source into a receiver that blocks. */
static VfPipeline *blocked_pipeline(Blocker *b, const char *name)
{
  VfPipeline *p = vf_pipeline_new(name);
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "src", &err, "is-live", "true", NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "capsfilter", "caps", &err, "caps",
                               "video/x-raw,format=GRAY8,width=16,height=16,framerate=100/1", NULL),
               err);
  VF_ASSERT_OK(vf_pipeline_add(p, "appsink", "sink", &err, "sync", "false", NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "caps", "sink", NULL), err);
  VfRetrieverCallbacks cb = { block, blocker_destroy };
  b->receiver = vf_receiver_new(name, &cb, b);
  VF_ASSERT_OK(vf_pipeline_attach_receiver(p, "sink", b->receiver, NULL, &err), err);
  return p;
}

static gboolean stream_is_stalled(gpointer data)
{
  /* 1 in consume(), 4 in the appsink, 1 waiting for room: nothing moves any more */
  VfReceiverStats s;
  vf_receiver_get_stats(data, &s);
  return s.received >= 6 + s.consumed;
}

/* stop() with a consume() blocked that watches its cancellable: it gets out, what is still
 * queued is counted apart from drops. */
static void test_unconsumed_at_stop(void)
{
  Blocker b = { .cooperative = TRUE };
  test_gate_init(&b.gate);
  VfPipeline *p = blocked_pipeline(&b, "unconsumed");
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  test_wait_for(stream_is_stalled, b.receiver, 60, "a stalled stream");
  vf_pipeline_stop(p);
  VfReceiverStats s;
  vf_receiver_get_stats(b.receiver, &s);
  g_test_message("received %" G_GUINT64_FORMAT ", consumed %" G_GUINT64_FORMAT
                 ", unconsumed %" G_GUINT64_FORMAT,
                 s.received, s.consumed, s.unconsumed);
  g_assert_cmpuint(b.gate.passed, ==, 1); /* the cancellable let it out */
  g_assert_cmpuint(s.consumed, ==, 1);
  g_assert_cmpuint(s.unconsumed, ==, 4); /* the appsink's queue, max-buffers 4 */
  g_assert_cmpuint(s.dropped, ==, 0);
  vf_pipeline_free(p);
  g_assert_cmpint(b.destroyed, ==, 1);
  test_gate_clear(&b.gate);
}

/* A consume() blocked forever on a full VfFrameQueue: the drain cannot finish, wait() stops the
 * pipeline at the drain deadline naming the receiver, and the push returns VF_QUEUE_CANCELLED. */
static void test_consume_blocked_on_queue(void)
{
  Blocker b = { .queue = vf_frame_queue_new(1) };
  test_gate_init(&b.gate);
  VfPipeline *p = blocked_pipeline(&b, "pushes");
  TestWarnings warnings;
  test_warnings_watch(p, &warnings);
  vf_pipeline_set_drain_timeout(p, 300 * GST_MSECOND);
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  test_wait_for(stream_is_stalled, b.receiver, 60, "a stalled stream");
  vf_pipeline_send_eos(p);
  g_assert_false(vf_pipeline_wait(p, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_TIMEOUT);
  TEST_ASSERT_CONTAINS(err->message, "did not finish draining");
  TEST_ASSERT_CONTAINS(err->message, "receiver 'pushes' (appsink 'sink') has been in consume()");
  g_clear_error(&err);
  g_assert_cmpint(b.last_push, ==, VF_QUEUE_CANCELLED);
  char *w = test_warnings_get(&warnings);
  g_assert_null(strstr(w, "left to end on its own")); /* it got out in time */
  g_free(w);
  vf_pipeline_free(p);
  g_assert_cmpint(b.destroyed, ==, 1);
  test_warnings_clear(&warnings);
  vf_frame_queue_free(b.queue);
  test_gate_clear(&b.gate);
}

static gboolean destroyed(gpointer data)
{
  return g_atomic_int_get(&((Blocker *)data)->destroyed) > 0;
}

/* A consume() that ignores the stop: wait() and free() still return (its thread is left behind,
 * with a warning naming it), and the receiver goes once consume() returns. */
static void test_consume_ignores_stop(void)
{
  Blocker b = { .cooperative = FALSE };
  test_gate_init(&b.gate);
  VfPipeline *p = blocked_pipeline(&b, "stuck");
  TestWarnings warnings;
  test_warnings_watch(p, &warnings);
  vf_pipeline_set_drain_timeout(p, 300 * GST_MSECOND);
  vf_pipeline_set_stop_timeout(p, 300 * GST_MSECOND);
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  test_gate_wait_blocked(&b.gate);
  vf_pipeline_send_eos(p);
  g_assert_false(vf_pipeline_wait(p, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_TIMEOUT);
  TEST_ASSERT_CONTAINS(err->message, "receiver 'stuck' (appsink 'sink') has been in consume()");
  g_clear_error(&err);
  char *w = test_warnings_get(&warnings);
  TEST_ASSERT_CONTAINS(w, "receiver 'stuck' (appsink 'sink'): consume() has not returned");
  TEST_ASSERT_CONTAINS(w, "vf_receiver_get_cancellable");
  g_free(w);
  /* it cannot run again while consume() is still in the last run */
  g_assert_false(vf_pipeline_start(p, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  TEST_ASSERT_CONTAINS(err->message, "receiver 'stuck'");
  g_clear_error(&err);
  vf_pipeline_free(p);
  g_assert_cmpint(g_atomic_int_get(&b.destroyed), ==, 0); /* consume() still runs */
  test_gate_open(&b.gate);
  test_wait_for(destroyed, &b, 60, "the receiver's destroy");
  g_assert_cmpuint(b.calls, ==, 1); /* never called again */
  test_warnings_clear(&warnings);
  test_gate_clear(&b.gate);
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
  g_test_add_func("/receiver/many-small-frames", test_many_small_frames);
  g_test_add_func("/receiver/error-continues", test_error_continues);
  g_test_add_func("/receiver/stop-ends-cleanly", test_stop_ends_cleanly);
  g_test_add_func("/receiver/drop-oldest-counts", test_drop_oldest_counts);
  g_test_add_func("/receiver/unconsumed-at-stop", test_unconsumed_at_stop);
  g_test_add_func("/receiver/consume-blocked-on-queue", test_consume_blocked_on_queue);
  g_test_add_func("/receiver/consume-ignores-stop", test_consume_ignores_stop);
  g_test_add_func("/receiver/no-consume-after-stop", test_no_consume_after_stop);
  g_test_add_func("/receiver/attach-errors", test_attach_errors);
  g_test_add_func("/probe/drops", test_probe_drops);
  g_test_add_func("/frame-queue/basics", test_frame_queue);
  return g_test_run();
}
