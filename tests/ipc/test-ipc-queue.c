/* VfIpcQueue (ipc-queue.h) across real processes: this program runs itself as the other side
 * (--producer / --consumer NAME N). Frames and their metadata arrive in order on either side,
 * end of stream crosses, a peer killed with SIGKILL gives a clear error on either side (never a
 * hang), drop-oldest counts on both sides, waits end on timeout and cancellation, bad names and
 * the wrong side of a queue are refused. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vidflow/vidflow.h>

#define W 64
#define H 48
#define FRAMES 60
/* generous bounds: a loaded machine never fails a test, a hang still ends */
#define LONG_WAIT_US (30 * G_USEC_PER_SEC)

static char *self_exe;
static char *tmpdir;

/* Frame i: every byte i % 256, PTS i × 33 ms, frame number i, i % 4 objects (class j, object id
 * i × 100 + j, confidence (i × 10 + j) / 1000, label "obj-j"). */
static VfBuffer *make_frame(guint i)
{
  GstBuffer *b = gst_buffer_new_allocate(NULL, W * H * 3, NULL);
  gst_buffer_memset(b, 0, (guint8)(i % 256), W * H * 3);
  GST_BUFFER_PTS(b) = i * 33 * GST_MSECOND;
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, W, H);
  VfBatchMeta *meta = vf_batch_meta_add_single(b, &info);
  VfFrameMeta *f = vf_batch_meta_get_frame(meta, 0);
  vf_frame_meta_set_frame_number(f, i);
  for (guint j = 0; j < i % 4; j++) {
    VfObjectMeta *o = vf_object_meta_new();
    vf_object_meta_set_class_id(o, (gint)j);
    vf_object_meta_set_object_id(o, i * 100 + j);
    vf_object_meta_set_confidence(o, (gfloat)(i * 10 + j) / 1000);
    char label[16];
    g_snprintf(label, sizeof label, "obj-%u", j);
    vf_object_meta_set_label(o, label);
    vf_frame_meta_add_object(f, o);
    vf_object_meta_unref(o);
  }
  GstCaps *caps = gst_video_info_to_caps(&info);
  VfBuffer *vb = vf_buffer_new_from_gst(b, caps);
  gst_caps_unref(caps);
  gst_buffer_unref(b);
  return vb;
}

/* Is `vb` frame i as make_frame made it (pixels, PTS, caps, metadata)? NULL: yes, else what
 * differs (transfer full). */
static char *frame_differs(VfBuffer *vb, guint i)
{
  GstBuffer *b = vf_buffer_get_gst_buffer(vb);
  if (b == NULL || gst_buffer_get_size(b) != W * H * 3)
    return g_strdup_printf("frame %u: size", i);
  if (GST_BUFFER_PTS(b) != i * 33 * GST_MSECOND)
    return g_strdup_printf("frame %u: pts %" GST_TIME_FORMAT, i, GST_TIME_ARGS(GST_BUFFER_PTS(b)));
  if (vf_buffer_get_width(vb) != W || vf_buffer_get_height(vb) != H)
    return g_strdup_printf("frame %u: caps", i);
  GstMapInfo map;
  if (!gst_buffer_map(b, &map, GST_MAP_READ))
    return g_strdup_printf("frame %u: not mappable", i);
  gboolean same = TRUE;
  for (gsize k = 0; k < map.size && same; k++)
    same = map.data[k] == (guint8)(i % 256);
  gst_buffer_unmap(b, &map);
  if (!same)
    return g_strdup_printf("frame %u: pixels", i);
  VfBatchMeta *meta = vf_buffer_get_batch_meta(vb);
  VfFrameMeta *f = vf_batch_meta_get_frame(meta, 0);
  if (f == NULL || vf_frame_meta_get_frame_number(f) != i)
    return g_strdup_printf("frame %u: frame meta", i);
  if (vf_frame_meta_get_n_objects(f) != i % 4)
    return g_strdup_printf("frame %u: %u objects", i, vf_frame_meta_get_n_objects(f));
  for (guint j = 0; j < i % 4; j++) {
    VfObjectMeta *o = vf_frame_meta_get_object(f, j);
    char label[16];
    g_snprintf(label, sizeof label, "obj-%u", j);
    gboolean same = vf_object_meta_get_class_id(o) == (gint)j
                    && vf_object_meta_get_object_id(o) == i * 100 + j
                    && vf_object_meta_get_confidence(o) == (gfloat)(i * 10 + j) / 1000
                    && g_strcmp0(vf_object_meta_get_label(o), label) == 0;
    vf_object_meta_unref(o);
    if (!same)
      return g_strdup_printf("frame %u: object %u", i, j);
  }
  return NULL;
}

static VfIpcQueue *producer_new(const char *name, guint capacity, VfIpcFullPolicy when_full)
{
  VfIpcQueueOptions opt = { capacity, when_full, LONG_WAIT_US };
  GError *err = NULL;
  VfIpcQueue *q = vf_ipc_queue_new_producer(name, &opt, &err);
  g_assert_no_error(err);
  g_assert_nonnull(q);
  return q;
}

static VfIpcQueue *consumer_new(const char *name)
{
  VfIpcQueueOptions opt = { 0, VF_IPC_FULL_BLOCK, LONG_WAIT_US };
  GError *err = NULL;
  VfIpcQueue *q = vf_ipc_queue_new_consumer(name, &opt, &err);
  g_assert_no_error(err);
  g_assert_nonnull(q);
  return q;
}

/* ---- children ---- */

/* Push n frames (n < 0: until killed), close, wait for the consumer to release them. */
static int child_producer(const char *name, gint n)
{
  VfIpcQueue *q = producer_new(name, 4, VF_IPC_FULL_BLOCK);
  int rc = 0;
  for (gint i = 0; n < 0 || i < n; i++) {
    VfBuffer *vb = make_frame((guint)i);
    GError *err = NULL;
    VfQueueStatus s = vf_ipc_queue_push(q, vb, -1, &err);
    vf_buffer_unref(vb);
    if (s != VF_QUEUE_OK) {
      g_printerr("producer: push %d: status %d: %s\n", i, s, err ? err->message : "");
      g_clear_error(&err);
      rc = 3;
      break;
    }
  }
  vf_ipc_queue_close(q);
  GError *err = NULL;
  if (rc == 0 && !vf_ipc_queue_drain(q, LONG_WAIT_US, &err)) {
    g_printerr("producer: drain: %s\n", err->message);
    g_clear_error(&err);
    rc = 4;
  }
  vf_ipc_queue_free(q);
  return rc;
}

/* Pop and check n frames (n < 0: until killed), then expect end of stream. */
static int child_consumer(const char *name, gint n)
{
  VfIpcQueue *q = consumer_new(name);
  int rc = 0;
  for (gint i = 0; n < 0 || i <= n; i++) {
    VfBuffer *vb = NULL;
    GError *err = NULL;
    VfQueueStatus s = vf_ipc_queue_pop(q, &vb, LONG_WAIT_US, &err);
    if (i == n) {
      if (s != VF_QUEUE_CLOSED) {
        g_printerr("consumer: expected the end, got status %d\n", s);
        rc = 5;
      }
    } else if (s != VF_QUEUE_OK) {
      g_printerr("consumer: pop %d: status %d: %s\n", i, s, err ? err->message : "");
      rc = 3;
    } else {
      char *why = frame_differs(vb, (guint)i);
      if (why) {
        g_printerr("consumer: %s\n", why);
        g_free(why);
        rc = 1;
      }
    }
    g_clear_error(&err);
    if (vb)
      vf_buffer_unref(vb);
    if (rc)
      break;
  }
  vf_ipc_queue_free(q);
  return rc;
}

/* ---- helpers ---- */

static GPid spawn_child(const char *mode, const char *name, gint n)
{
  char count[16];
  g_snprintf(count, sizeof count, "%d", n);
  char *argv[] = { self_exe, (char *)mode, (char *)name, count, NULL };
  GPid pid = 0;
  GError *err = NULL;
  g_assert_true(g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &err));
  g_assert_no_error(err);
  return pid;
}

static int reap(GPid pid)
{
  int status = 0;
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_spawn_close_pid(pid);
  return status;
}

/* ---- tests ---- */

/* A producer process; this one pops every frame, in order, with its metadata, then the end. The
 * frames are read-only views of the producer's shared memory. */
static void test_frames_from_process(void)
{
  GPid pid = spawn_child("--producer", "q-frames", FRAMES);
  VfIpcQueue *q = consumer_new("q-frames");
  for (guint i = 0; i <= FRAMES; i++) {
    VfBuffer *vb = NULL;
    GError *err = NULL;
    VfQueueStatus s = vf_ipc_queue_pop(q, &vb, LONG_WAIT_US, &err);
    g_assert_no_error(err);
    if (i == FRAMES) {
      g_assert_cmpint(s, ==, VF_QUEUE_CLOSED);
      g_assert_null(vb);
      break;
    }
    g_assert_cmpint(s, ==, VF_QUEUE_OK);
    char *why = frame_differs(vb, i);
    g_assert_cmpstr(why, ==, NULL);
    GstMemory *mem = gst_buffer_peek_memory(vf_buffer_get_gst_buffer(vb), 0);
    g_assert_true(GST_MEMORY_IS_READONLY(mem));
    vf_buffer_unref(vb);
  }
  /* closed stays closed */
  VfBuffer *vb = NULL;
  g_assert_cmpint(vf_ipc_queue_pop(q, &vb, 0, NULL), ==, VF_QUEUE_CLOSED);
  g_assert_cmpuint(vf_ipc_queue_get_dropped(q), ==, 0);
  g_assert_cmpint(reap(pid), ==, 0);
  vf_ipc_queue_free(q);
}

/* This process produces, a consumer process checks every frame and the end (its exit status). */
static void test_frames_to_process(void)
{
  VfIpcQueue *q = producer_new("q-to", 4, VF_IPC_FULL_BLOCK);
  GPid pid = spawn_child("--consumer", "q-to", FRAMES);
  for (guint i = 0; i < FRAMES; i++) {
    VfBuffer *vb = make_frame(i);
    GError *err = NULL;
    g_assert_cmpint(vf_ipc_queue_push(q, vb, LONG_WAIT_US, &err), ==, VF_QUEUE_OK);
    g_assert_no_error(err);
    vf_buffer_unref(vb);
  }
  vf_ipc_queue_close(q);
  VfBuffer *vb = make_frame(0);
  g_assert_cmpint(vf_ipc_queue_push(q, vb, 0, NULL), ==, VF_QUEUE_CLOSED);
  vf_buffer_unref(vb);
  GError *err = NULL;
  g_assert_true(vf_ipc_queue_drain(q, LONG_WAIT_US, &err));
  g_assert_no_error(err);
  int status = reap(pid);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 0);
  vf_ipc_queue_free(q);
}

/* The producer process killed mid-stream: the pops end with an error saying so, never a hang. */
static void test_producer_killed(void)
{
  GPid pid = spawn_child("--producer", "q-kp", -1);
  VfIpcQueue *q = consumer_new("q-kp");
  for (guint i = 0; i < 5; i++) {
    VfBuffer *vb = NULL;
    g_assert_cmpint(vf_ipc_queue_pop(q, &vb, LONG_WAIT_US, NULL), ==, VF_QUEUE_OK);
    vf_buffer_unref(vb);
  }
  kill(pid, SIGKILL);
  reap(pid);
  VfQueueStatus s;
  GError *err = NULL;
  VfBuffer *vb = NULL;
  /* what was sent before the kill may still come; then the error */
  while ((s = vf_ipc_queue_pop(q, &vb, LONG_WAIT_US, &err)) == VF_QUEUE_OK)
    vf_buffer_unref(vb);
  g_assert_cmpint(s, ==, VF_QUEUE_ERROR);
  g_assert_error(err, VF_ERROR, VF_ERROR_STREAM);
  g_assert_nonnull(strstr(err->message, "went away"));
  g_assert_nonnull(strstr(err->message, "q-kp"));
  g_clear_error(&err);
  vf_ipc_queue_free(q);
}

/* The consumer process killed: pushes fail with an error saying so (no frame sent to nobody). */
static void test_consumer_killed(void)
{
  VfIpcQueue *q = producer_new("q-kc", 2, VF_IPC_FULL_BLOCK);
  GPid pid = spawn_child("--consumer", "q-kc", -1);
  for (guint i = 0; i < 5; i++) {
    VfBuffer *vb = make_frame(i);
    g_assert_cmpint(vf_ipc_queue_push(q, vb, LONG_WAIT_US, NULL), ==, VF_QUEUE_OK);
    vf_buffer_unref(vb);
  }
  kill(pid, SIGKILL);
  reap(pid);
  VfQueueStatus s = VF_QUEUE_OK;
  GError *err = NULL;
  /* the loss is seen once the I/O thread reads the hang-up: a bounded number of pushes later */
  for (guint i = 5; s == VF_QUEUE_OK && i < 10000; i++) {
    VfBuffer *vb = make_frame(i);
    s = vf_ipc_queue_push(q, vb, LONG_WAIT_US, &err);
    vf_buffer_unref(vb);
  }
  g_assert_cmpint(s, ==, VF_QUEUE_ERROR);
  g_assert_error(err, VF_ERROR, VF_ERROR_STREAM);
  g_assert_nonnull(strstr(err->message, "went away"));
  g_clear_error(&err);
  vf_ipc_queue_free(q);
}

typedef struct {
  VfIpcQueue *q;
  guint n;
} Pusher;

static gpointer push_frames(gpointer data)
{
  Pusher *p = data;
  for (guint i = 0; i < p->n; i++) {
    VfBuffer *vb = make_frame(i);
    g_assert_cmpint(vf_ipc_queue_push(p->q, vb, LONG_WAIT_US, NULL), ==, VF_QUEUE_OK);
    vf_buffer_unref(vb);
  }
  vf_ipc_queue_close(p->q);
  return NULL;
}

/* Drop-oldest with capacity 2: while the consumer holds frames 0 and 1, frames 2..7 of 2..9 are
 * dropped; 8 and 9 come after, then the end; both sides count 6. */
static void test_drop_oldest(void)
{
  VfIpcQueue *p = producer_new("q-drop", 2, VF_IPC_FULL_DROP_OLDEST);
  VfIpcQueue *c = consumer_new("q-drop");
  Pusher pu = { p, 10 };
  GThread *t = g_thread_new("pusher", push_frames, &pu);
  VfBuffer *first = NULL, *second = NULL;
  g_assert_cmpint(vf_ipc_queue_pop(c, &first, LONG_WAIT_US, NULL), ==, VF_QUEUE_OK);
  g_thread_join(t); /* every push done while frames 0 and 1 are unreleased */
  g_assert_cmpuint(vf_ipc_queue_get_dropped(p), ==, 6);
  g_assert_cmpint(vf_ipc_queue_pop(c, &second, LONG_WAIT_US, NULL), ==, VF_QUEUE_OK);
  char *why = frame_differs(first, 0);
  g_assert_cmpstr(why, ==, NULL);
  why = frame_differs(second, 1);
  g_assert_cmpstr(why, ==, NULL);
  vf_buffer_unref(first);
  vf_buffer_unref(second);
  for (guint i = 8; i < 10; i++) {
    VfBuffer *vb = NULL;
    g_assert_cmpint(vf_ipc_queue_pop(c, &vb, LONG_WAIT_US, NULL), ==, VF_QUEUE_OK);
    why = frame_differs(vb, i);
    g_assert_cmpstr(why, ==, NULL);
    vf_buffer_unref(vb);
  }
  VfBuffer *vb = NULL;
  g_assert_cmpint(vf_ipc_queue_pop(c, &vb, LONG_WAIT_US, NULL), ==, VF_QUEUE_CLOSED);
  g_assert_cmpuint(vf_ipc_queue_get_dropped(c), ==, 6);
  vf_ipc_queue_free(c);
  vf_ipc_queue_free(p);
}

typedef struct {
  VfIpcQueue *q;
  GCancellable *cancellable;
  VfQueueStatus status;
} Popper;

static gpointer pop_cancellable(gpointer data)
{
  Popper *p = data;
  g_cancellable_push_current(p->cancellable);
  VfBuffer *vb = NULL;
  p->status = vf_ipc_queue_pop(p->q, &vb, -1, NULL);
  g_cancellable_pop_current(p->cancellable);
  return NULL;
}

/* A pop times out when nothing comes, and a waiting pop ends when its thread's cancellable is
 * cancelled (the feeder's, when its pipeline stops); the queue goes on afterwards. */
static void test_timeout_and_cancel(void)
{
  VfIpcQueue *p = producer_new("q-wait", 2, VF_IPC_FULL_BLOCK);
  VfIpcQueue *c = consumer_new("q-wait");
  VfBuffer *vb = NULL;
  g_assert_cmpint(vf_ipc_queue_pop(c, &vb, 50 * 1000, NULL), ==, VF_QUEUE_TIMEOUT);
  Popper po = { c, g_cancellable_new(), VF_QUEUE_OK };
  GThread *t = g_thread_new("popper", pop_cancellable, &po);
  g_cancellable_cancel(po.cancellable);
  g_thread_join(t);
  g_assert_cmpint(po.status, ==, VF_QUEUE_CANCELLED);
  g_object_unref(po.cancellable);
  /* not cancelled any more: a frame still comes through */
  VfBuffer *in = make_frame(3);
  g_assert_cmpint(vf_ipc_queue_push(p, in, LONG_WAIT_US, NULL), ==, VF_QUEUE_OK);
  vf_buffer_unref(in);
  g_assert_cmpint(vf_ipc_queue_pop(c, &vb, LONG_WAIT_US, NULL), ==, VF_QUEUE_OK);
  char *why = frame_differs(vb, 3);
  g_assert_cmpstr(why, ==, NULL);
  vf_buffer_unref(vb);
  vf_ipc_queue_free(c);
  vf_ipc_queue_free(p);
}

static void test_bad_names_and_sides(void)
{
  GError *err = NULL;
  g_assert_null(vf_ipc_queue_new_producer(NULL, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_assert_nonnull(strstr(err->message, "name"));
  g_clear_error(&err);
  g_assert_null(vf_ipc_queue_new_consumer("", NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  char *long_name = g_strnfill(300, 'x');
  g_assert_null(vf_ipc_queue_new_producer(long_name, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_assert_nonnull(strstr(err->message, "shorter name"));
  g_clear_error(&err);
  g_assert_null(vf_ipc_queue_new_consumer(long_name, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_free(long_name);
  g_assert_null(vf_ipc_queue_new_producer("/no/such/dir/q", NULL, &err));
  g_assert_nonnull(strstr(err->message, "/no/such/dir/q"));
  g_clear_error(&err);

  /* nobody produces: the pop says so at once (connect timeout 0) */
  VfIpcQueue *c = vf_ipc_queue_new_consumer("q-nobody", NULL, &err);
  g_assert_no_error(err);
  VfBuffer *vb = NULL;
  g_assert_cmpint(vf_ipc_queue_pop(c, &vb, LONG_WAIT_US, &err), ==, VF_QUEUE_ERROR);
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_assert_nonnull(strstr(err->message, "q-nobody"));
  g_clear_error(&err);
  /* the wrong side */
  VfBuffer *frame = make_frame(1);
  g_assert_cmpint(vf_ipc_queue_push(c, frame, 0, &err), ==, VF_QUEUE_ERROR);
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_assert_nonnull(strstr(err->message, "consumer side"));
  g_clear_error(&err);
  vf_ipc_queue_free(c);

  VfIpcQueue *p = producer_new("q-twice", 2, VF_IPC_FULL_BLOCK);
  g_assert_null(vf_ipc_queue_new_producer("q-twice", NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_assert_nonnull(strstr(err->message, "another producer"));
  g_clear_error(&err);
  g_assert_cmpint(vf_ipc_queue_pop(p, &vb, 0, &err), ==, VF_QUEUE_ERROR);
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_clear_error(&err);
  /* the end-of-stream marker is not a frame: close the queue instead */
  VfBuffer *empty = vf_buffer_new_empty();
  g_assert_cmpint(vf_ipc_queue_push(p, empty, 0, &err), ==, VF_QUEUE_ERROR);
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  vf_buffer_unref(empty);
  /* no consumer within the (zero) wait: a clear error, not a frame sent to nobody */
  VfIpcQueueOptions now = { 2, VF_IPC_FULL_BLOCK, 0 };
  VfIpcQueue *alone = vf_ipc_queue_new_producer("q-alone", &now, &err);
  g_assert_no_error(err);
  g_assert_cmpint(vf_ipc_queue_push(alone, frame, 0, &err), ==, VF_QUEUE_ERROR);
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_assert_nonnull(strstr(err->message, "consumer"));
  g_clear_error(&err);
  vf_ipc_queue_free(alone);
  vf_buffer_unref(frame);
  vf_ipc_queue_free(p);

  /* NULLs */
  g_assert_cmpint(vf_ipc_queue_push(NULL, NULL, 0, NULL), ==, VF_QUEUE_CLOSED);
  g_assert_cmpint(vf_ipc_queue_pop(NULL, &vb, 0, NULL), ==, VF_QUEUE_CLOSED);
  g_assert_false(vf_ipc_queue_drain(NULL, 0, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  vf_ipc_queue_close(NULL);
  vf_ipc_queue_free(NULL);
  g_assert_cmpuint(vf_ipc_queue_get_dropped(NULL), ==, 0);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  if (argc == 4 && strcmp(argv[1], "--producer") == 0)
    return child_producer(argv[2], atoi(argv[3]));
  if (argc == 4 && strcmp(argv[1], "--consumer") == 0)
    return child_consumer(argv[2], atoi(argv[3]));
  self_exe = g_file_read_link("/proc/self/exe", NULL);
  tmpdir = g_dir_make_tmp("vf-ipcq-XXXXXX", NULL);
  g_setenv("XDG_RUNTIME_DIR", tmpdir, TRUE); /* the children inherit it: same names */
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/ipc-queue/frames-from-process", test_frames_from_process);
  g_test_add_func("/ipc-queue/frames-to-process", test_frames_to_process);
  g_test_add_func("/ipc-queue/producer-killed", test_producer_killed);
  g_test_add_func("/ipc-queue/consumer-killed", test_consumer_killed);
  g_test_add_func("/ipc-queue/drop-oldest", test_drop_oldest);
  g_test_add_func("/ipc-queue/timeout-and-cancel", test_timeout_and_cancel);
  g_test_add_func("/ipc-queue/bad-names-and-sides", test_bad_names_and_sides);
  int r = g_test_run();
  rmdir(tmpdir);
  g_free(tmpdir);
  g_free(self_exe);
  return r;
}
