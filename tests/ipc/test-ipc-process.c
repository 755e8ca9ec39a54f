/* vfipcsink / vfipcsrc and the transport across real processes: this program runs itself as the
 * other side (--child-producer / --child-consumer). Consumer before or after the producer,
 * zero-copy through the proposed pool, caps changes and EOS, kill -9 of the producer (error, or
 * waiting for a new one) and of the consumer (drop: go on; fail: error) at random points, and
 * 1,000 connect/disconnect cycles with descriptor and /dev/shm counts flat. */
#include <dirent.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gst/app/app.h>
#include <vidflow/vidflow.h>

#define TRIALS 20
/* connect cycles before the counts are taken */
#define WARM_UP 4

static char *self_exe;
static char *tmpdir;

static guint count_dir(const char *path)
{
  GDir *d = g_dir_open(path, 0, NULL);
  guint n = 0;
  if (d == NULL)
    return 0;
  while (g_dir_read_name(d))
    n++;
  g_dir_close(d);
  return n;
}

static GPid spawn_child(const char *mode, const char *socket, const char *arg)
{
  char *argv[] = { self_exe, (char *)mode, (char *)socket, (char *)arg, NULL };
  GPid pid = 0;
  GError *err = NULL;
  g_assert_true(g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &err));
  g_assert_no_error(err);
  return pid;
}

static int reap(GPid pid)
{
  int status = 0;
  waitpid(pid, &status, 0);
  g_spawn_close_pid(pid);
  return status;
}

/* ---- children ---- */

/* A producer pipeline: videotestsrc ! RGB ! vfipcsink, `n` buffers (-1: until killed). */
static int child_producer(const char *socket, const char *n)
{
  char *desc = g_strdup_printf("videotestsrc num-buffers=%s ! video/x-raw,format=RGB,width=64,"
                               "height=48,framerate=30/1 ! vfipcsink socket-path=%s",
                               n, socket);
  GError *err = NULL;
  GstElement *p = gst_parse_launch(desc, &err);
  g_free(desc);
  if (p == NULL)
    return 2;
  gst_element_set_state(p, GST_STATE_PLAYING);
  GstMessage *m = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(p), 30 * GST_SECOND,
                                             GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  int rc = m && GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS ? 0 : 1;
  if (m)
    gst_message_unref(m);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
  return rc;
}

/* A consumer that pulls (and releases) until killed or the stream ends. */
static int child_consumer(const char *socket)
{
  VfIpcConsumerOptions opt = { 10 * G_USEC_PER_SEC, FALSE };
  VfIpcConsumer *c = vf_ipc_consumer_new(socket, &opt, NULL);
  for (;;) {
    GstBuffer *b = NULL;
    GstEvent *e = NULL;
    VfIpcItem item = vf_ipc_consumer_pull(c, &b, &e, NULL);
    if (b)
      gst_buffer_unref(b);
    if (e)
      gst_event_unref(e);
    if (item == VF_IPC_ITEM_EOS || item == VF_IPC_ITEM_ERROR)
      break;
  }
  vf_ipc_consumer_free(c);
  return 0;
}

/* ---- helpers ---- */

static char *sock(const char *name)
{
  return g_build_filename(tmpdir, name, NULL);
}

/* Run a consumer pipeline (vfipcsrc ! appsink) to its end; returns buffers seen, *error. */
static guint run_consumer(const char *socket, const char *props, GError **error, GstCaps **last)
{
  char *desc = g_strdup_printf("vfipcsrc name=src socket-path=%s %s ! appsink name=sink "
                               "sync=false",
                               socket, props);
  GstElement *p = gst_parse_launch(desc, NULL);
  g_free(desc);
  g_assert_nonnull(p);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(p), "sink");
  gst_element_set_state(p, GST_STATE_PLAYING);
  guint n = 0;
  GstSample *s;
  while ((s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 20 * GST_SECOND))) {
    n++;
    if (last) {
      gst_clear_caps(last);
      *last = gst_caps_ref(gst_sample_get_caps(s));
    }
    gst_sample_unref(s);
  }
  GstMessage *m = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(p), 5 * GST_SECOND,
                                             GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull(m); /* never hangs: EOS or an error */
  if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR)
    gst_message_parse_error(m, error, NULL);
  gst_message_unref(m);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(p);
  return n;
}

/* ---- tests ---- */

typedef struct {
  const char *path;
  const char *props;
  guint n;
  GError *err;
  GstCaps *caps;
} Run;

static gpointer consumer_thread(gpointer data)
{
  Run *r = data;
  r->n = run_consumer(r->path, r->props, &r->err, &r->caps);
  return NULL;
}

/* The consumer starts first and waits for the socket; the producer's 50 frames all arrive, with
 * the producer's caps, then EOS (the producer exits 0 only after the consumer released all). */
static void test_consumer_first(void)
{
  char *path = sock("first");
  Run r = { path, "connect-timeout=20000", 0, NULL, NULL };
  GThread *t = g_thread_new("consumer", consumer_thread, &r);
  g_usleep(200 * 1000);
  GPid pid = spawn_child("--child-producer", path, "50");
  g_thread_join(t);
  int status = reap(pid);
  g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  g_assert_no_error(r.err);
  g_assert_cmpuint(r.n, ==, 50);
  GstStructure *st = gst_caps_get_structure(r.caps, 0);
  g_assert_cmpstr(gst_structure_get_string(st, "format"), ==, "RGB");
  gst_caps_unref(r.caps);
  g_free(path);
}

/* The producer starts first and waits (wait-consumers=1) for a consumer that comes later. */
static void test_producer_first(void)
{
  char *path = sock("second");
  GPid pid = spawn_child("--child-producer", path, "30");
  g_usleep(300 * 1000);
  GError *err = NULL;
  guint n = run_consumer(path, "connect-timeout=20000", &err, NULL);
  int status = reap(pid);
  g_assert_no_error(err);
  g_assert_cmpuint(n, ==, 30);
  g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  g_free(path);
}

/* No producer and no waiting: a clear error naming the socket, at once. */
static void test_no_producer(void)
{
  char *path = sock("nobody");
  GError *err = NULL;
  guint n = run_consumer(path, "connect-timeout=0", &err, NULL);
  g_assert_cmpuint(n, ==, 0);
  g_assert_nonnull(err);
  g_assert_nonnull(strstr(err->message, path));
  g_clear_error(&err);
  g_free(path);
}

/* In one process: appsrc ! vfipcsink, vfipcsrc ! appsink. Frames from the proposed pool cross
 * without a copy; a caps change mid-stream and EOS arrive in order. */
static void test_caps_change_and_zero_copy(void)
{
  char *path = sock("caps");
  char *desc = g_strdup_printf("videotestsrc num-buffers=5 ! video/x-raw,format=RGB,width=64,"
                               "height=48 ! vfipcsink name=ipcsink socket-path=%s",
                               path);
  GstElement *prod = gst_parse_launch(desc, NULL);
  g_free(desc);
  Run r = { path, "", 0, NULL, NULL };
  GThread *t = g_thread_new("consumer", consumer_thread, &r);
  gst_element_set_state(prod, GST_STATE_PLAYING);
  GstMessage *m = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(prod), 20 * GST_SECOND,
                                             GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull(m);
  g_assert_cmpint(GST_MESSAGE_TYPE(m), ==, GST_MESSAGE_EOS);
  gst_message_unref(m);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(prod), "ipcsink");
  guint64 zero_copy = 0, copied = 0;
  g_object_get(sink, "zero-copy", &zero_copy, "copied", &copied, NULL);
  g_assert_cmpuint(zero_copy, ==, 5); /* videotestsrc wrote into the shared pool */
  g_assert_cmpuint(copied, ==, 0);
  gst_object_unref(sink);
  gst_element_set_state(prod, GST_STATE_NULL);
  gst_object_unref(prod);
  g_thread_join(t);
  g_assert_no_error(r.err);
  g_assert_cmpuint(r.n, ==, 5);
  gst_clear_caps(&r.caps);
  g_free(path);

  /* caps change: appsrc pushes RGB 64x48 then GRAY8 32x16 */
  path = sock("caps2");
  desc = g_strdup_printf("appsrc name=src format=time ! vfipcsink socket-path=%s", path);
  prod = gst_parse_launch(desc, NULL);
  g_free(desc);
  Run r2 = { path, "", 0, NULL, NULL };
  t = g_thread_new("consumer", consumer_thread, &r2);
  GstElement *src = gst_bin_get_by_name(GST_BIN(prod), "src");
  gst_element_set_state(prod, GST_STATE_PLAYING);
  const char *caps[2] = { "video/x-raw,format=RGB,width=64,height=48,framerate=30/1",
                          "video/x-raw,format=GRAY8,width=32,height=16,framerate=30/1" };
  gsize sizes[2] = { 64 * 48 * 3, 32 * 16 };
  for (guint k = 0; k < 2; k++) {
    GstCaps *c = gst_caps_from_string(caps[k]);
    g_object_set(src, "caps", c, NULL);
    gst_caps_unref(c);
    for (guint i = 0; i < 3; i++) {
      GstBuffer *b = gst_buffer_new_allocate(NULL, sizes[k], NULL);
      GST_BUFFER_PTS(b) = (k * 3 + i) * 33 * GST_MSECOND;
      g_assert_cmpint(gst_app_src_push_buffer(GST_APP_SRC(src), b), ==, GST_FLOW_OK);
    }
  }
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  m = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(prod), 20 * GST_SECOND,
                                 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_cmpint(GST_MESSAGE_TYPE(m), ==, GST_MESSAGE_EOS);
  gst_message_unref(m);
  gst_element_set_state(prod, GST_STATE_NULL);
  gst_object_unref(src);
  gst_object_unref(prod);
  g_thread_join(t);
  g_assert_no_error(r2.err);
  g_assert_cmpuint(r2.n, ==, 6);
  GstStructure *st = gst_caps_get_structure(r2.caps, 0);
  g_assert_cmpstr(gst_structure_get_string(st, "format"), ==, "GRAY8"); /* the change arrived */
  gst_caps_unref(r2.caps);
  g_free(path);
}

/* kill -9 of the producer after a random number of frames: the consumer ends with a clear error
 * (never hangs), and nothing it held leaks (descriptor count flat over the trials). */
static void test_kill_producer(void)
{
  char *path = sock("killp");
  guint fds_before = count_dir("/proc/self/fd");
  for (guint trial = 0; trial < TRIALS; trial++) {
    GPid pid = spawn_child("--child-producer", path, "-1");
    VfIpcConsumerOptions opt = { 20 * G_USEC_PER_SEC, FALSE };
    VfIpcConsumer *c = vf_ipc_consumer_new(path, &opt, NULL);
    guint kill_after = (guint)g_random_int_range(1, 40), n = 0;
    GPtrArray *held = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);
    VfIpcItem item;
    GError *err = NULL;
    for (;;) {
      GstBuffer *b = NULL;
      GstEvent *e = NULL;
      item = vf_ipc_consumer_pull(c, &b, &e, &err);
      if (e)
        gst_event_unref(e);
      if (item != VF_IPC_ITEM_BUFFER && item != VF_IPC_ITEM_CAPS && item != VF_IPC_ITEM_SEGMENT
          && item != VF_IPC_ITEM_STREAM_START)
        break;
      if (b) {
        if (held->len < 2)
          g_ptr_array_add(held, b); /* hold some across the kill: they must stay readable */
        else
          gst_buffer_unref(b);
        if (++n == kill_after)
          kill(pid, SIGKILL);
      }
    }
    g_assert_cmpint(item, ==, VF_IPC_ITEM_ERROR);
    g_assert_nonnull(strstr(err->message, "went away"));
    g_clear_error(&err);
    for (guint i = 0; i < held->len; i++) {
      GstMapInfo map;
      g_assert_true(gst_buffer_map(g_ptr_array_index(held, i), &map, GST_MAP_READ));
      g_assert_cmpuint(map.size, ==, 64 * 48 * 3);
      gst_buffer_unmap(g_ptr_array_index(held, i), &map);
    }
    g_ptr_array_unref(held);
    vf_ipc_consumer_free(c);
    int status = reap(pid);
    g_assert_true(WIFSIGNALED(status));
  }
  g_assert_cmpuint(count_dir("/proc/self/fd"), ==, fds_before);
  g_free(path);
}

/* wait-for-producer: the producer is killed, a new one starts, the consumer goes on. */
static void test_producer_comes_back(void)
{
  char *path = sock("back");
  GPid pid = spawn_child("--child-producer", path, "-1");
  VfIpcConsumerOptions opt = { 20 * G_USEC_PER_SEC, TRUE };
  VfIpcConsumer *c = vf_ipc_consumer_new(path, &opt, NULL);
  guint n = 0, starts = 0, from_second = 0;
  GPid second = 0;
  for (;;) {
    GstBuffer *b = NULL;
    GstEvent *e = NULL;
    GError *err = NULL;
    VfIpcItem item = vf_ipc_consumer_pull(c, &b, &e, &err);
    g_assert_no_error(err);
    if (e)
      gst_event_unref(e);
    if (item == VF_IPC_ITEM_STREAM_START)
      starts++;
    if (item == VF_IPC_ITEM_EOS)
      break;
    if (b == NULL)
      continue;
    gst_buffer_unref(b);
    from_second += starts == 2;
    if (++n == 10) {
      kill(pid, SIGKILL);
      reap(pid);
      second = spawn_child("--child-producer", path, "10");
    }
  }
  /* what the first producer had sent before dying still arrives; then the new stream whole */
  g_assert_cmpuint(starts, ==, 2);
  g_assert_cmpuint(from_second, ==, 10);
  VfIpcConsumerStats st;
  vf_ipc_consumer_get_stats(c, &st);
  g_assert_cmpuint(st.reconnects, ==, 1);
  vf_ipc_consumer_free(c);
  int status = reap(second);
  g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  g_free(path);
}

static GstBuffer *frame(void)
{
  GstBuffer *b = gst_buffer_new_allocate(NULL, 64 * 48 * 3, NULL);
  gst_buffer_memset(b, 0, 7, 64 * 48 * 3);
  return b;
}

static void push_stream_start(VfIpcProducer *p)
{
  GstCaps *caps = gst_caps_from_string("video/x-raw,format=RGB,width=64,height=48");
  GstEvent *e = gst_event_new_caps(caps);
  g_assert_true(vf_ipc_producer_send_event(p, e, NULL));
  gst_event_unref(e);
  gst_caps_unref(caps);
}

/* kill -9 of the consumer at random points: with consumer-lost=drop the producer goes on and
 * finishes; with fail, a push fails naming the consumer. */
static void test_kill_consumer(void)
{
  char *path = sock("killc");
  guint fds_before = count_dir("/proc/self/fd");
  for (guint trial = 0; trial < TRIALS; trial++) {
    gboolean fail = trial % 2;
    VfIpcProducerOptions opt = { .max_in_flight = 2,
                                 .consumer_lost = fail ? VF_IPC_LOST_FAIL : VF_IPC_LOST_DROP,
                                 .wait_consumers = 1,
                                 .wait_timeout_us = 20 * G_USEC_PER_SEC };
    VfIpcProducer *p = vf_ipc_producer_new(path, &opt, NULL);
    g_assert_nonnull(p);
    push_stream_start(p);
    GPid pid = spawn_child("--child-consumer", path, NULL);
    guint kill_after = (guint)g_random_int_range(1, 30);
    gboolean ok = TRUE;
    GError *err = NULL;
    for (guint i = 0; i < kill_after + 50 && ok; i++) {
      GstBuffer *b = frame();
      ok = vf_ipc_producer_push(p, b, &err);
      gst_buffer_unref(b);
      if (i + 1 == kill_after) {
        kill(pid, SIGKILL);
        reap(pid);
        /* wait (bounded) until the producer noticed */
        for (guint w = 0; w < 2000; w++) {
          VfIpcStats s;
          vf_ipc_producer_get_stats(p, &s);
          if (s.consumers_lost == 1)
            break;
          g_usleep(1000);
        }
      }
    }
    VfIpcStats s;
    vf_ipc_producer_get_stats(p, &s);
    g_assert_cmpuint(s.consumers_lost, ==, 1);
    if (fail) {
      g_assert_false(ok);
      g_assert_nonnull(strstr(err->message, "went away"));
      g_clear_error(&err);
    } else {
      g_assert_no_error(err);
      g_assert_true(ok);
      g_assert_cmpuint(s.unsent, >=, 49); /* nobody left: the rest were counted as unsent */
      g_assert_true(vf_ipc_producer_finish(p, 5 * G_USEC_PER_SEC, NULL));
    }
    vf_ipc_producer_free(p);
  }
  g_assert_cmpuint(count_dir("/proc/self/fd"), ==, fds_before);
  g_free(path);
}

/* 1,000 consumers connect, take a frame and leave: descriptor and /dev/shm counts stay flat. */
static void test_connect_cycles(void)
{
  char *path = sock("cycles");
  VfIpcProducerOptions opt = { .max_in_flight = 2, .when_full = VF_IPC_FULL_DROP_OLDEST };
  VfIpcProducer *p = vf_ipc_producer_new(path, &opt, NULL);
  push_stream_start(p);
  guint fds_before = 0, shm_before = 0;
  for (guint i = 0; i < 1000 + WARM_UP; i++) {
    if (i == WARM_UP) { /* the producer's pool holds its shared memories from here on */
      fds_before = count_dir("/proc/self/fd");
      shm_before = count_dir("/dev/shm");
    }
    VfIpcConsumerOptions copt = { G_USEC_PER_SEC, FALSE };
    VfIpcConsumer *c = vf_ipc_consumer_new(path, &copt, NULL);
    GstBuffer *b = NULL;
    GstEvent *e = NULL;
    g_assert_cmpint(vf_ipc_consumer_pull(c, &b, &e, NULL), ==, VF_IPC_ITEM_CAPS);
    gst_event_unref(e);
    /* the producer knows it now: a frame reaches it */
    for (guint w = 0; w < 2000; w++) {
      VfIpcStats s;
      vf_ipc_producer_get_stats(p, &s);
      if (s.consumers == 1)
        break;
      g_usleep(100);
    }
    GstBuffer *f = frame();
    g_assert_true(vf_ipc_producer_push(p, f, NULL));
    gst_buffer_unref(f);
    g_assert_cmpint(vf_ipc_consumer_pull(c, &b, &e, NULL), ==, VF_IPC_ITEM_BUFFER);
    if (i % 2)
      gst_buffer_unref(b); /* released before leaving, or held after */
    vf_ipc_consumer_free(c);
    if (i % 2 == 0)
      gst_buffer_unref(b);
    for (guint w = 0; w < 2000; w++) {
      VfIpcStats s;
      vf_ipc_producer_get_stats(p, &s);
      if (s.consumers == 0)
        break;
      g_usleep(100);
    }
  }
  g_assert_cmpuint(count_dir("/proc/self/fd"), ==, fds_before);
  g_assert_cmpuint(count_dir("/dev/shm"), ==, shm_before);
  vf_ipc_producer_free(p);
  g_free(path);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  if (argc >= 3 && strcmp(argv[1], "--child-producer") == 0)
    return child_producer(argv[2], argc > 3 ? argv[3] : "-1");
  if (argc >= 3 && strcmp(argv[1], "--child-consumer") == 0)
    return child_consumer(argv[2]);
  g_test_init(&argc, &argv, NULL);
  self_exe = g_canonicalize_filename(argv[0], NULL);
  tmpdir = g_dir_make_tmp("vf-ipcp-XXXXXX", NULL);
  g_test_add_func("/ipc-process/consumer-first", test_consumer_first);
  g_test_add_func("/ipc-process/producer-first", test_producer_first);
  g_test_add_func("/ipc-process/no-producer", test_no_producer);
  g_test_add_func("/ipc-process/caps-change-zero-copy", test_caps_change_and_zero_copy);
  g_test_add_func("/ipc-process/kill-producer", test_kill_producer);
  g_test_add_func("/ipc-process/producer-comes-back", test_producer_comes_back);
  g_test_add_func("/ipc-process/kill-consumer", test_kill_consumer);
  g_test_add_func("/ipc-process/connect-cycles", test_connect_cycles);
  int r = g_test_run();
  rmdir(tmpdir);
  g_free(tmpdir);
  g_free(self_exe);
  return r;
}
