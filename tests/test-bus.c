/* The pipeline's bus: watches with a sync and an async callback (threads, what they see, when),
 * type filters, removal and destroy, warnings and errors reaching the application, typed source
 * messages, an application's own GstBus sync handler (vf_pipeline_wait must keep working), and
 * that every message and every pipeline is freed (300 pipelines in one process: open fds stay
 * flat; the ASan run's LeakSanitizer, with G_SLICE=always-malloc, sees the rest). */
#include "test-util.h"

#include <glib/gstdio.h>

typedef struct {
  GMutex lock;
  GCond cond;
  GThread *main_thread;
  GThread *bus_thread;         /* where on_message ran (always the same one) */
  gboolean bus_thread_changed; /* on_message ran on two different threads */
  gboolean async_on_main;      /* on_message ran on the application's thread */
  gboolean sync_off_main;      /* on_sync_message ran on a streaming thread at least once */
  GHashTable *sync_seen;       /* seqnum -> GstMessageType, from on_sync_message */
  GHashTable *async_seen;      /* seqnum -> GstMessageType, from on_message */
  GPtrArray *async_messages;   /* refs, in delivery order */
  VfPipeline *pipeline_seen;   /* the pipeline callbacks were given */
  gint destroyed;
  guint remove_id; /* remove this watch from inside its first on_message */
  gboolean removed_inside;
  guint calls_after_remove;
} Watcher;

static void watcher_init(Watcher *w)
{
  memset(w, 0, sizeof *w);
  g_mutex_init(&w->lock);
  g_cond_init(&w->cond);
  w->main_thread = g_thread_self();
  w->sync_seen = g_hash_table_new(NULL, NULL);
  w->async_seen = g_hash_table_new(NULL, NULL);
  w->async_messages = g_ptr_array_new_with_free_func((GDestroyNotify)gst_message_unref);
}

static void watcher_clear(Watcher *w)
{
  g_hash_table_unref(w->sync_seen);
  g_hash_table_unref(w->async_seen);
  g_ptr_array_unref(w->async_messages);
  g_mutex_clear(&w->lock);
  g_cond_clear(&w->cond);
}

static void on_sync(VfPipeline *pipeline, GstMessage *message, gpointer data)
{
  Watcher *w = data;
  g_mutex_lock(&w->lock);
  w->pipeline_seen = pipeline;
  if (g_thread_self() != w->main_thread)
    w->sync_off_main = TRUE;
  g_hash_table_insert(w->sync_seen, GUINT_TO_POINTER(gst_message_get_seqnum(message)),
                      GUINT_TO_POINTER(GST_MESSAGE_TYPE(message)));
  g_mutex_unlock(&w->lock);
}

static void on_async(VfPipeline *pipeline, GstMessage *message, gpointer data)
{
  Watcher *w = data;
  g_mutex_lock(&w->lock);
  w->pipeline_seen = pipeline;
  if (w->bus_thread && w->bus_thread != g_thread_self())
    w->bus_thread_changed = TRUE;
  w->bus_thread = g_thread_self();
  if (g_thread_self() == w->main_thread)
    w->async_on_main = TRUE;
  if (w->removed_inside)
    w->calls_after_remove++;
  g_hash_table_insert(w->async_seen, GUINT_TO_POINTER(gst_message_get_seqnum(message)),
                      GUINT_TO_POINTER(GST_MESSAGE_TYPE(message)));
  g_ptr_array_add(w->async_messages, gst_message_ref(message));
  guint remove = w->remove_id;
  w->remove_id = 0;
  g_cond_broadcast(&w->cond);
  g_mutex_unlock(&w->lock);
  if (remove) {
    GError *err = NULL;
    VF_ASSERT_OK(vf_pipeline_remove_bus_watch(pipeline, remove, &err), err);
    g_mutex_lock(&w->lock);
    w->removed_inside = TRUE;
    g_mutex_unlock(&w->lock);
  }
}

static void on_destroy(gpointer data)
{
  Watcher *w = data;
  g_mutex_lock(&w->lock);
  w->destroyed++;
  g_mutex_unlock(&w->lock);
}

static const VfBusWatchCallbacks both = { on_sync, on_async, on_destroy };
static const VfBusWatchCallbacks async_only = { NULL, on_async, on_destroy };

static VfPipeline *test_pipeline(guint frames)
{
  GError *err = NULL;
  char n[16];
  g_snprintf(n, sizeof n, "%u", frames);
  VfPipeline *p = vf_pipeline_new("t");
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "src", &err, "num-buffers", n, NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "sink", &err, "sync", "false", NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "sink", NULL), err);
  return p;
}

static guint count_type(GHashTable *seen, GstMessageType type)
{
  guint n = 0;
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, seen);
  while (g_hash_table_iter_next(&it, NULL, &value))
    n += GPOINTER_TO_UINT(value) == (guint)type;
  return n;
}

/* Both callbacks see every message; on_message on one thread of its own; wait() returns after
 * the end of stream was delivered; destroy runs once, when the pipeline goes. */
static void test_sync_and_async(void)
{
  Watcher w;
  watcher_init(&w);
  GError *err = NULL;
  VfPipeline *p = test_pipeline(10);
  guint id = vf_pipeline_add_bus_watch(p, GST_MESSAGE_ANY, &both, &w, &err);
  VF_ASSERT_OK(id > 0, err);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  /* no waiting here: wait() already had them delivered */
  g_mutex_lock(&w.lock);
  g_assert_cmpuint(count_type(w.async_seen, GST_MESSAGE_EOS), ==, 1);
  g_assert_cmpuint(count_type(w.async_seen, GST_MESSAGE_STREAM_START), ==, 1);
  g_assert_cmpuint(count_type(w.async_seen, GST_MESSAGE_STATE_CHANGED), >=, 6);
  GstMessage *last_eos = NULL;
  for (guint i = 0; i < w.async_messages->len; i++)
    if (GST_MESSAGE_TYPE(w.async_messages->pdata[i]) == GST_MESSAGE_EOS)
      last_eos = w.async_messages->pdata[i];
  g_assert_nonnull(last_eos);
  g_assert_true(GST_MESSAGE_SRC(last_eos) == GST_OBJECT(vf_pipeline_get_gst_pipeline(p)));
  /* the same messages, both ways */
  g_assert_cmpuint(g_hash_table_size(w.sync_seen), ==, g_hash_table_size(w.async_seen));
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init(&it, w.async_seen);
  while (g_hash_table_iter_next(&it, &key, NULL))
    g_assert_true(g_hash_table_contains(w.sync_seen, key));
  g_assert_true(w.pipeline_seen == p);
  g_assert_false(w.async_on_main);
  g_assert_false(w.bus_thread_changed);
  g_assert_true(w.sync_off_main); /* stream-start and EOS come from streaming threads */
  g_assert_cmpint(w.destroyed, ==, 0);
  g_mutex_unlock(&w.lock);
  /* a second run on the same pipeline and watch */
  guint before = g_hash_table_size(w.async_seen);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(g_hash_table_size(w.async_seen), >, before);
  g_assert_cmpuint(count_type(w.async_seen, GST_MESSAGE_EOS), ==, 2);
  vf_pipeline_free(p);
  g_assert_cmpint(w.destroyed, ==, 1);
  watcher_clear(&w);
}

/* A type mask: only what was asked for. */
static void test_types(void)
{
  Watcher w;
  watcher_init(&w);
  GError *err = NULL;
  VfPipeline *p = test_pipeline(5);
  VF_ASSERT_OK(
      vf_pipeline_add_bus_watch(p, GST_MESSAGE_EOS | GST_MESSAGE_ERROR, &async_only, &w, &err) > 0,
      err);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(w.async_messages->len, ==, 1);
  g_assert_cmpint(GST_MESSAGE_TYPE(w.async_messages->pdata[0]), ==, GST_MESSAGE_EOS);
  g_assert_cmpuint(g_hash_table_size(w.sync_seen), ==, 0);
  vf_pipeline_free(p);
  g_assert_cmpint(w.destroyed, ==, 1);
  watcher_clear(&w);
}

/* Removing: destroy at once when no call runs; from inside the watch's own callback; unknown
 * ids; bad arguments. */
static void test_remove(void)
{
  Watcher a, b, c;
  watcher_init(&a);
  watcher_init(&b);
  watcher_init(&c);
  GError *err = NULL;
  VfPipeline *p = test_pipeline(5);
  guint ida = vf_pipeline_add_bus_watch(p, GST_MESSAGE_ANY, &both, &a, &err);
  VF_ASSERT_OK(ida > 0, err);
  VF_ASSERT_OK(vf_pipeline_remove_bus_watch(p, ida, &err), err);
  g_assert_cmpint(a.destroyed, ==, 1);
  g_assert_false(vf_pipeline_remove_bus_watch(p, ida, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_clear_error(&err);
  g_assert_false(vf_pipeline_remove_bus_watch(p, 12345, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_assert_nonnull(strstr(err->message, "12345"));
  g_clear_error(&err);

  guint idb = vf_pipeline_add_bus_watch(p, GST_MESSAGE_ANY, &async_only, &b, &err);
  VF_ASSERT_OK(idb > 0, err);
  b.remove_id = idb; /* removes itself at its first message */
  guint idc = vf_pipeline_add_bus_watch(p, GST_MESSAGE_ANY, &async_only, &c, &err);
  VF_ASSERT_OK(idc > 0 && idc != idb, err);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(a.async_messages->len + g_hash_table_size(a.sync_seen), ==, 0);
  g_assert_cmpuint(b.async_messages->len, ==, 1);
  g_assert_true(b.removed_inside);
  g_assert_cmpuint(b.calls_after_remove, ==, 0);
  g_assert_cmpint(b.destroyed, ==, 1); /* once its call returned */
  g_assert_cmpuint(c.async_messages->len, >, 1);
  g_assert_cmpint(c.destroyed, ==, 0);
  vf_pipeline_free(p);
  g_assert_cmpint(a.destroyed + b.destroyed + c.destroyed, ==, 3);
  watcher_clear(&a);
  watcher_clear(&b);
  watcher_clear(&c);
}

static void test_bad_arguments(void)
{
  Watcher w;
  watcher_init(&w);
  GError *err = NULL;
  VfBusWatchCallbacks none = { NULL, NULL, on_destroy };
  g_assert_cmpuint(vf_pipeline_add_bus_watch(NULL, GST_MESSAGE_ANY, &both, &w, &err), ==, 0);
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_assert_nonnull(strstr(err->message, "pipeline is NULL"));
  g_clear_error(&err);
  VfPipeline *p = vf_pipeline_new("t");
  g_assert_cmpuint(vf_pipeline_add_bus_watch(p, GST_MESSAGE_ANY, NULL, &w, &err), ==, 0);
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_assert_nonnull(strstr(err->message, "callbacks is NULL"));
  g_clear_error(&err);
  g_assert_cmpuint(vf_pipeline_add_bus_watch(p, GST_MESSAGE_ANY, &none, &w, &err), ==, 0);
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_assert_nonnull(strstr(err->message, "on_message"));
  g_clear_error(&err);
  g_assert_cmpuint(vf_pipeline_add_bus_watch(p, 0, &both, &w, &err), ==, 0);
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_assert_nonnull(strstr(err->message, "GST_MESSAGE_ANY"));
  g_clear_error(&err);
  g_assert_false(vf_pipeline_remove_bus_watch(NULL, 1, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  vf_pipeline_free(p);
  g_assert_cmpint(w.destroyed, ==, 0); /* failed calls never run destroy */
  VfSourceMessage s = { .type = VF_SOURCE_MESSAGE_EOS };
  g_assert_false(vf_source_message_parse(NULL, &s));
  g_assert_cmpint(s.type, ==, 0);
  watcher_clear(&w);
}

/* Warnings reach the application, naming the element; errors too, before wait() returns. */
static void test_warning_and_error(void)
{
  Watcher w;
  watcher_init(&w);
  GError *err = NULL;
  VfPipeline *p = test_pipeline(1000000);
  VF_ASSERT_OK(
      vf_pipeline_add_bus_watch(p, GST_MESSAGE_WARNING | GST_MESSAGE_ERROR, &async_only, &w, &err)
          > 0,
      err);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  GstElement *sink = vf_pipeline_get_element(p, "sink");
  GError *warning = g_error_new_literal(GST_CORE_ERROR, GST_CORE_ERROR_FAILED, "disk nearly full");
  gst_element_post_message(sink, gst_message_new_warning(GST_OBJECT(sink), warning, "details"));
  g_error_free(warning);
  GError *failure = g_error_new_literal(GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, "it broke");
  gst_element_post_message(sink, gst_message_new_error(GST_OBJECT(sink), failure, NULL));
  g_error_free(failure);
  g_assert_false(vf_pipeline_wait(p, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_STREAM);
  g_assert_nonnull(strstr(err->message, "it broke"));
  g_clear_error(&err);
  g_assert_cmpuint(w.async_messages->len, ==, 2);
  GstMessage *m = w.async_messages->pdata[0];
  g_assert_cmpint(GST_MESSAGE_TYPE(m), ==, GST_MESSAGE_WARNING);
  g_assert_cmpstr(GST_MESSAGE_SRC_NAME(m), ==, "sink");
  GError *got = NULL;
  gst_message_parse_warning(m, &got, NULL);
  g_assert_cmpstr(got->message, ==, "disk nearly full");
  g_error_free(got);
  g_assert_cmpint(GST_MESSAGE_TYPE(w.async_messages->pdata[1]), ==, GST_MESSAGE_ERROR);
  vf_pipeline_free(p);
  watcher_clear(&w);
}

/* vfmux's source messages, typed. */
static void test_source_messages(void)
{
  Watcher w;
  watcher_init(&w);
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new("t");
  /* before the muxer's pads are requested (when linking), so ADDED is seen too */
  VF_ASSERT_OK(vf_pipeline_add_bus_watch(p, GST_MESSAGE_ELEMENT, &async_only, &w, &err) > 0, err);
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "a", &err, "num-buffers", "3", NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "b", &err, "num-buffers", "6", NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "vfmux", "mux", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", "sink", &err, "sync", "false", NULL), err);
  VF_ASSERT_OK(vf_pipeline_link_pads(p, "a", NULL, "mux", "sink_%u", &err), err);
  VF_ASSERT_OK(vf_pipeline_link_pads(p, "b", NULL, "mux", "sink_%u", &err), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "mux", "sink", NULL), err);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  /* a source leaves */
  GstElement *mux = vf_pipeline_get_element(p, "mux");
  GstPad *pad = gst_element_get_static_pad(mux, "sink_1");
  g_assert_nonnull(pad);
  gst_element_release_request_pad(mux, pad);
  gst_object_unref(pad);
  g_mutex_lock(&w.lock);
  gint64 until = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND;
  while (w.async_messages->len < 5 && g_cond_wait_until(&w.cond, &w.lock, until))
    ;
  g_mutex_unlock(&w.lock);
  guint added = 0, eos = 0, removed = 0;
  for (guint i = 0; i < w.async_messages->len; i++) {
    VfSourceMessage s;
    g_assert_true(vf_source_message_parse(w.async_messages->pdata[i], &s));
    g_assert_cmpstr(s.element, ==, "mux");
    g_assert_true(s.source_id == 0 || s.source_id == 1);
    char *pad_name = g_strdup_printf("sink_%d", s.source_id);
    g_assert_cmpstr(s.pad_name, ==, pad_name);
    g_free(pad_name);
    g_assert_null(s.uri);
    g_assert_cmpuint(s.attempt, ==, 0);
    g_assert_cmpuint(s.delay, ==, GST_CLOCK_TIME_NONE);
    added += s.type == VF_SOURCE_MESSAGE_ADDED;
    eos += s.type == VF_SOURCE_MESSAGE_EOS;
    if (s.type == VF_SOURCE_MESSAGE_REMOVED) {
      removed++;
      g_assert_cmpint(s.source_id, ==, 1);
    }
  }
  g_assert_cmpuint(added, ==, 2);
  g_assert_cmpuint(eos, ==, 2);
  g_assert_cmpuint(removed, ==, 1);
  vf_pipeline_free(p);

  /* vfurisrcbin's reconnection message (the element posts it in test-flow-rtsp), and a message
   * that is not a source message */
  GstStructure *st = gst_structure_new(VF_SOURCE_RECONNECTING, "source-id", G_TYPE_INT, 3, "uri",
                                       G_TYPE_STRING, "rtsp://cam/1", "attempt", G_TYPE_UINT, 2,
                                       "delay", G_TYPE_UINT64, (guint64)4 * GST_SECOND, NULL);
  GstMessage *m = gst_message_new_element(NULL, st);
  VfSourceMessage s;
  g_assert_true(vf_source_message_parse(m, &s));
  g_assert_cmpint(s.type, ==, VF_SOURCE_MESSAGE_RECONNECTING);
  g_assert_cmpint(s.source_id, ==, 3);
  g_assert_cmpstr(s.uri, ==, "rtsp://cam/1");
  g_assert_cmpuint(s.attempt, ==, 2);
  g_assert_cmpuint(s.delay, ==, 4 * GST_SECOND);
  g_assert_null(s.pad_name);
  gst_message_unref(m);
  m = gst_message_new_element(NULL, gst_structure_new_empty("level"));
  g_assert_false(vf_source_message_parse(m, &s));
  gst_message_unref(m);
  m = gst_message_new_eos(NULL);
  g_assert_false(vf_source_message_parse(m, &s));
  gst_message_unref(m);
  watcher_clear(&w);
}

/* vfmux's serialized source events as elements downstream read them: a source that ended or
 * left, and nothing else */
static void test_source_events(void)
{
  static const struct {
    const char *name;
    GstEventType type;
    gboolean with_id, ends;
  } cases[] = {
    { VF_SOURCE_EOS, GST_EVENT_CUSTOM_DOWNSTREAM, TRUE, TRUE },
    { VF_SOURCE_REMOVED, GST_EVENT_CUSTOM_DOWNSTREAM, TRUE, TRUE },
    { VF_SOURCE_ADDED, GST_EVENT_CUSTOM_DOWNSTREAM, TRUE, FALSE },
    { VF_SOURCE_EOS, GST_EVENT_CUSTOM_UPSTREAM, TRUE, FALSE },
    { VF_SOURCE_EOS, GST_EVENT_CUSTOM_DOWNSTREAM, FALSE, FALSE },
    { "something-else", GST_EVENT_CUSTOM_DOWNSTREAM, TRUE, FALSE },
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    GstStructure *st = gst_structure_new_empty(cases[i].name);
    if (cases[i].with_id)
      gst_structure_set(st, "source-id", G_TYPE_UINT, 7u, NULL);
    GstEvent *e = gst_event_new_custom(cases[i].type, st);
    guint id = 99;
    g_assert_cmpint(vf_source_event_is_end(e, &id), ==, cases[i].ends);
    g_assert_cmpuint(id, ==, cases[i].ends ? 7 : 99);
    g_assert_cmpint(vf_source_event_is_end(e, NULL), ==, cases[i].ends);
    gst_event_unref(e);
  }
  GstEvent *eos = gst_event_new_eos();
  g_assert_false(vf_source_event_is_end(eos, NULL));
  gst_event_unref(eos);
  g_assert_false(vf_source_event_is_end(NULL, NULL));
}

typedef struct {
  gint seen; /* atomic */
} UserHandler;

static GstBusSyncReply user_sync_handler(GstBus *bus, GstMessage *message, gpointer data)
{
  (void)bus;
  (void)message;
  g_atomic_int_inc(&((UserHandler *)data)->seen);
  return GST_BUS_PASS; /* the application pops them itself */
}

/* An application that takes the GstBus over (as the header says: clear vidflow's handler, then
 * install its own and pop the bus) does not blind vf_pipeline_wait. */
static void test_application_sync_handler(void)
{
  GError *err = NULL;
  UserHandler h = { 0 };
  VfPipeline *p = test_pipeline(5);
  GstElement *pipe = vf_pipeline_get_gst_pipeline(p);
  /* keep the messages past the end of the run (GstPipeline flushes its bus at NULL) */
  g_object_set(pipe, "auto-flush-bus", FALSE, NULL);
  GstBus *bus = gst_element_get_bus(pipe);
  gst_bus_set_sync_handler(bus, NULL, NULL, NULL);
  gst_bus_set_sync_handler(bus, user_sync_handler, &h, NULL);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  g_assert_cmpint(g_atomic_int_get(&h.seen), >, 0);
  /* the messages waited on the bus for the application */
  GstMessage *eos = gst_bus_pop_filtered(bus, GST_MESSAGE_EOS);
  g_assert_nonnull(eos);
  gst_message_unref(eos);
  gst_bus_set_flushing(bus, TRUE); /* drop what is left */
  gst_object_unref(bus);
  vf_pipeline_free(p);
}

static guint open_fds(void)
{
  GDir *d = g_dir_open("/proc/self/fd", 0, NULL);
  g_assert_nonnull(d);
  guint n = 0;
  while (g_dir_read_name(d))
    n++;
  g_dir_close(d);
  return n;
}

/* Pipelines that ran are freed with their bus (its poll fds) and every message. */
static void test_many_pipelines(void)
{
  const guint warm_up = 5, rounds = 300;
  GError *err = NULL;
  for (guint i = 0; i < warm_up; i++) {
    VfPipeline *p = test_pipeline(2);
    VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
    vf_pipeline_free(p);
  }
  guint before = open_fds();
  for (guint i = 0; i < rounds; i++) {
    VfPipeline *p = test_pipeline(2);
    VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
    vf_pipeline_free(p);
  }
  guint after = open_fds();
  g_test_message("open fds: %u before, %u after %u pipelines", before, after, rounds);
  g_assert_cmpuint(after, <=, before);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  g_test_add_func("/bus/sync-and-async", test_sync_and_async);
  g_test_add_func("/bus/types", test_types);
  g_test_add_func("/bus/remove", test_remove);
  g_test_add_func("/bus/bad-arguments", test_bad_arguments);
  g_test_add_func("/bus/warning-and-error", test_warning_and_error);
  g_test_add_func("/bus/source-messages", test_source_messages);
  g_test_add_func("/bus/source-events", test_source_events);
  g_test_add_func("/bus/application-sync-handler", test_application_sync_handler);
  g_test_add_func("/bus/many-pipelines", test_many_pipelines);
  return g_test_run();
}
