/* bench: 1080p RGB frames per second through vidflow's feeder -> queue -> receiver, against the
 * same graph written directly with GstAppSrc/GstAppSink, in the same run; zero-copy and copying
 * variants. Prints a table and BENCH lines.
 *
 * Like for like: both sides have the same threads. vidflow: a feeder thread calling generate()
 * while the appsrc wants data, the queue's streaming thread, a receiver thread pulling samples
 * from the appsink (appsink queue of 4). Raw: a producer thread pushing while the appsrc wants
 * data (same queue bound), the queue's thread, a consumer thread pulling samples from the appsink
 * (max-buffers 4), reading the first byte of each frame as consume() does. Both are timed from
 * start to the pipeline stopped (vf_pipeline_run tears down before it returns: the raw side's
 * clock stops after its threads are joined and it is in NULL too). Rounds alternate which side
 * runs first; the figure is the median of the per-round ratios, with their range. */
#include <vidflow/vidflow.h>

#include <dirent.h>
#include <execinfo.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define W 1920
#define H 1080
#define FRAME_SIZE ((gsize)W * H * 3)
#define RING 8

#define STALL_S 30 /* a run this much longer than it should take has stalled: say which, abort */

static guint8 *frames[RING];
static guint n_frames;
static volatile guint sink_checksum;

/* ---- vidflow ---- */

typedef struct {
  guint made;
  gboolean copy;
} Provider;

static VfBuffer *vf_generate(gsize size, gpointer user_data, GError **error)
{
  (void)size;
  Provider *p = user_data;
  if (p->made >= n_frames)
    return NULL;
  guint8 *src = frames[p->made++ % RING];
  if (p->copy)
    return vf_buffer_new_copy(VF_COLOR_FORMAT_RGB, W, H, NULL, src, FRAME_SIZE, error);
  return vf_buffer_new_wrapped(VF_COLOR_FORMAT_RGB, W, H, NULL, src, FRAME_SIZE, NULL, NULL, error);
}

static int vf_consume(VfBuffer *buffer, gpointer user_data)
{
  (void)user_data;
  VfTensor *t = vf_buffer_extract(buffer, 0, NULL);
  sink_checksum += ((guint8 *)vf_tensor_get_data(t))[0];
  vf_tensor_unref(t);
  return VF_CONSUME_OK;
}

static double run_vidflow(gboolean copy)
{
  Provider provider = { 0, copy };
  VfProviderInfo info = { VF_COLOR_FORMAT_RGB, W, H, 30, 1, VF_DEVICE_CPU };
  VfProviderCallbacks pc = { vf_generate, NULL };
  VfRetrieverCallbacks rc = { vf_consume, NULL };
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new("bench");
  gboolean ok
      = vf_pipeline_add(p, "appsrc", "src", &err, NULL)
        && vf_pipeline_add(p, "queue", "queue", &err, NULL)
        && vf_pipeline_add(p, "appsink", "sink", &err, "sync", "false", NULL)
        && vf_pipeline_link(p, &err, "src", "queue", "sink", NULL)
        && vf_pipeline_attach_feeder(p, "src", vf_feeder_new("f", &info, &pc, &provider), NULL,
                                     &err)
        && vf_pipeline_attach_receiver(p, "sink", vf_receiver_new("r", &rc, NULL), NULL, &err);
  gint64 t0 = g_get_monotonic_time();
  ok = ok && vf_pipeline_run(p, &err);
  gint64 t1 = g_get_monotonic_time();
  if (!ok)
    g_error("vidflow run failed: %s", err->message);
  vf_pipeline_free(p);
  return n_frames / ((t1 - t0) / 1e6);
}

/* ---- the same with GstAppSrc/GstAppSink callbacks ---- */

typedef struct {
  GstAppSrc *src;
  guint made;
  gboolean copy;
  GMutex lock;
  GCond cond;
  gboolean need, done;
} Raw;

static void raw_need_data(GstAppSrc *src, guint length, gpointer data)
{
  (void)src;
  (void)length;
  Raw *r = data;
  g_mutex_lock(&r->lock);
  r->need = TRUE;
  g_cond_signal(&r->cond);
  g_mutex_unlock(&r->lock);
}

static void raw_enough_data(GstAppSrc *src, gpointer data)
{
  (void)src;
  Raw *r = data;
  g_mutex_lock(&r->lock);
  r->need = FALSE;
  g_mutex_unlock(&r->lock);
}

/* The usual hand-written producer: a thread pushing while the appsrc wants data. */
static gpointer raw_producer(gpointer data)
{
  Raw *r = data;
  for (guint i = 0; i < n_frames; i++) {
    g_mutex_lock(&r->lock);
    while (!r->need)
      g_cond_wait(&r->cond, &r->lock);
    g_mutex_unlock(&r->lock);
    guint8 *src = frames[i % RING];
    GstBuffer *b = r->copy
                       ? gst_buffer_new_memdup(src, FRAME_SIZE)
                       : gst_buffer_new_wrapped_full(0, src, FRAME_SIZE, 0, FRAME_SIZE, NULL, NULL);
    GST_BUFFER_PTS(b) = gst_util_uint64_scale(i, GST_SECOND, 30);
    GST_BUFFER_DURATION(b) = GST_SECOND / 30;
    gst_app_src_push_buffer(r->src, b);
  }
  gst_app_src_end_of_stream(r->src);
  return NULL;
}

/* The usual hand-written consumer: a thread pulling samples until the end of the stream. */
static gpointer raw_consumer(gpointer data)
{
  GstAppSink *sink = data;
  GstSample *s;
  while ((s = gst_app_sink_pull_sample(sink)) != NULL) {
    GstMapInfo map;
    GstBuffer *b = gst_sample_get_buffer(s);
    gst_buffer_map(b, &map, GST_MAP_READ);
    sink_checksum += map.data[0];
    gst_buffer_unmap(b, &map);
    gst_sample_unref(s);
  }
  return NULL;
}

static double run_raw(gboolean copy)
{
  GstElement *pipe = gst_parse_launch(
      "appsrc name=src format=time ! queue ! appsink name=sink sync=false", NULL);
  GstElement *src = gst_bin_get_by_name(GST_BIN(pipe), "src");
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
  GstCaps *caps
      = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "RGB", "width", G_TYPE_INT, W,
                            "height", G_TYPE_INT, H, "framerate", GST_TYPE_FRACTION, 30, 1, NULL);
  /* the same queue bound as the feeder's default: 4 frames, asking again at half full */
  g_object_set(src, "caps", caps, "max-bytes", (guint64)FRAME_SIZE * 4, "min-percent", 50, NULL);
  g_object_set(sink, "max-buffers", 4, NULL);
  gst_caps_unref(caps);
  Raw r = { GST_APP_SRC(src), 0, copy, { 0 }, { 0 }, FALSE, FALSE };
  g_mutex_init(&r.lock);
  g_cond_init(&r.cond);
  GstAppSrcCallbacks scb = { 0 };
  scb.need_data = raw_need_data;
  scb.enough_data = raw_enough_data;
  gst_app_src_set_callbacks(GST_APP_SRC(src), &scb, &r, NULL);

  gint64 t0 = g_get_monotonic_time();
  GThread *producer = g_thread_new("raw-producer", raw_producer, &r);
  gst_element_set_state(pipe, GST_STATE_PLAYING);
  /* Only now: an appsink not yet started answers a pull with NULL, as at the end of the stream
   * (the consumer then left at once and the pipeline waited for it forever). */
  GThread *consumer = g_thread_new("raw-consumer", raw_consumer, sink);
  GstMessage *msg = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(pipe), GST_CLOCK_TIME_NONE,
                                               GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_EOS)
    g_error("raw pipeline failed");
  gst_message_unref(msg);
  g_thread_join(producer);
  g_thread_join(consumer);
  gst_element_set_state(pipe, GST_STATE_NULL);
  /* the same end as vf_pipeline_run's: the consumer took the last frame, and the pipeline is
   * down (its threads joined) */
  gint64 t1 = g_get_monotonic_time();
  gst_object_unref(src);
  gst_object_unref(sink);
  gst_object_unref(pipe);
  g_mutex_clear(&r.lock);
  g_cond_clear(&r.cond);
  return n_frames / ((t1 - t0) / 1e6);
}

/* ---- a watchdog: a run that stalls is named, not waited for ---- */

static struct {
  GMutex lock;
  GCond cond;
  const char *run; /* the run in progress, NULL between runs */
  guint serial;    /* counts runs */
} watch;

#define MAX_FRAMES_SHOWN 32

/* SIGUSR1: the thread that gets it writes its stack to stderr (module+offset: addr2line reads
 * them on the build machine, where the same binaries are). */
static void show_stack(int sig)
{
  (void)sig;
  void *pcs[MAX_FRAMES_SHOWN];
  int n = backtrace(pcs, MAX_FRAMES_SHOWN);
  char head[64];
  int len = snprintf(head, sizeof head, "--- thread %ld\n", (long)syscall(SYS_gettid));
  if (write(2, head, (size_t)len) < 0)
    return;
  backtrace_symbols_fd(pcs, n, 2);
}

/* Every thread of the process writes its stack (the device machine has no debugger). */
static void show_all_stacks(void)
{
  signal(SIGUSR1, show_stack);
  DIR *d = opendir("/proc/self/task");
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL) {
    long tid = strtol(e->d_name, NULL, 10);
    if (tid > 0 && tid != (long)syscall(SYS_gettid)) {
      syscall(SYS_tgkill, (long)getpid(), tid, SIGUSR1);
      g_usleep(G_USEC_PER_SEC / 10); /* one stack at a time on stderr */
    }
  }
  if (d)
    closedir(d);
}

static gpointer watchdog(gpointer data)
{
  (void)data;
  g_mutex_lock(&watch.lock);
  while (TRUE) {
    while (watch.run == NULL)
      g_cond_wait(&watch.cond, &watch.lock);
    guint serial = watch.serial;
    gint64 until = g_get_monotonic_time() + STALL_S * G_TIME_SPAN_SECOND;
    while (watch.run && watch.serial == serial)
      if (!g_cond_wait_until(&watch.cond, &watch.lock, until)) {
        g_printerr("bench-feeder: the %s run stalled (no end after %d s)\n", watch.run, STALL_S);
        show_all_stacks();
        abort();
      }
  }
  return NULL;
}

static double watched(const char *name, double (*run)(gboolean), gboolean copy)
{
  g_mutex_lock(&watch.lock);
  watch.run = name;
  watch.serial++;
  g_cond_broadcast(&watch.cond);
  g_mutex_unlock(&watch.lock);
  double fps = run(copy);
  g_mutex_lock(&watch.lock);
  watch.run = NULL;
  g_cond_broadcast(&watch.cond);
  g_mutex_unlock(&watch.lock);
  return fps;
}

static int compare(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  vf_init(NULL);
  g_thread_unref(g_thread_new("watchdog", watchdog, NULL));
  /* Enough frames that start-up is noise: zero-copy frames cost microseconds, copies ~0.5 ms. */
  const guint frames_for[2] = { 20000, 1000 };
  for (guint i = 0; i < RING; i++) {
    frames[i] = g_malloc(FRAME_SIZE);
    memset(frames[i], (int)i, FRAME_SIZE);
  }
  const guint rounds = 7;
  g_print("%-12s %8s %12s %12s %8s   (%dx%d RGB, median of %u alternating rounds; ratio: median "
          "of per-round ratios (range))\n",
          "variant", "frames", "vidflow fps", "raw fps", "ratio", W, H, rounds);
  for (int copy = 0; copy <= 1; copy++) {
    n_frames = frames_for[copy];
    double vf[rounds], raw[rounds], ratio[rounds];
    for (guint r = 0; r < rounds; r++) {
      if (r % 2 == 0) {
        raw[r] = watched("raw", run_raw, copy);
        vf[r] = watched("vidflow", run_vidflow, copy);
      } else {
        vf[r] = watched("vidflow", run_vidflow, copy);
        raw[r] = watched("raw", run_raw, copy);
      }
      ratio[r] = vf[r] / raw[r];
    }
    qsort(vf, rounds, sizeof(double), compare);
    qsort(raw, rounds, sizeof(double), compare);
    qsort(ratio, rounds, sizeof(double), compare);
    double v = vf[rounds / 2], w = raw[rounds / 2];
    const char *id = copy ? "copy" : "zero_copy";
    g_print("%-12s %8u %12.0f %12.0f %8.3f (%.3f..%.3f)\n", id, n_frames, v, w, ratio[rounds / 2],
            ratio[0], ratio[rounds - 1]);
    g_print("BENCH feeder_receiver_%s_fps %.1f fps\n", id, v);
    g_print("BENCH raw_appsrc_appsink_%s_fps %.1f fps\n", id, w);
    g_print("BENCH feeder_receiver_vs_raw_%s %.3f x\n", id, ratio[rounds / 2]);
  }
  for (guint i = 0; i < RING; i++)
    g_free(frames[i]);
  return 0;
}
