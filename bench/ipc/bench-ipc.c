/* Frames across processes: vidflow's vfipcsink -> vfipcsrc against GStreamer's shmsink -> shmsrc
 * (both across two processes) and against vidflow's in-process VfFrameQueue (two threads), for
 * 1080p RGB and NV12 frames.
 *
 * The same work everywhere: a producer thread takes a buffer from a pool, writes every byte of
 * the frame (memset), and hands it on; a consumer thread reads one byte per cache line of every
 * frame and releases it. Across processes the producer takes its pool from the sink's allocation
 * answer (vfipcsink proposes a shared-memory pool, shmsink its shared-memory allocator), so both
 * write straight into shared memory, as an upstream element would; in-process, a plain video
 * pool. At most 4 frames are in flight in each (max-in-flight=4, a queue of 4; shmsink: its
 * shared area holds what it holds). Rounds alternate the order of the three; each figure is the
 * median of the per-round ratios, with its range. fps is counted on the consumer side (first to
 * last frame); consumer CPU per frame is the consumer process's (or thread's) CPU time / frames.
 *
 *   BENCH ipc.<fmt>.vs_shm       vidflow IPC fps / shmsink-shmsrc fps  (goal >= 1.0)
 *   BENCH ipc.<fmt>.vs_inproc    vidflow IPC fps / VfFrameQueue fps    (goal >= 0.9)
 *   BENCH ipc.<fmt>.fps          vidflow IPC frames per second
 *   BENCH ipc.<fmt>.consumer_cpu vidflow IPC consumer CPU per frame (us), and .shm / .inproc
 *
 * Where the consumer's time goes (vidflow and shm, per frame): .reader is the CPU of the thread
 * that pulls and reads the frames (the work the in-process consumer thread does), .rest the
 * other threads of the consumer process (the source's streaming thread, appsink's hand-over);
 * .minflt the page faults, .csw the voluntary context switches.
 *
 * --no-shm leaves the shmsink/shmsrc baseline out (no .vs_shm, no .shm figures). It used to hang
 * under load: the producer's pool was unbounded, and once shmsink's area was full its allocator
 * waited for blocks that went back to the pool instead (plain_pool says more). */
#include <gst/app/app.h>
#include <gst/video/video.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vidflow/vidflow.h>

#include "../bench-stats.h"

#define ROUNDS 3
#define FRAMES 200
#define IN_FLIGHT 4
#define POOL_FRAMES                                                                                \
  (IN_FLIGHT + 2)           /* the producer's pool: what is in flight, and one at each end */
#define SHM_SIZE (64 << 20) /* shmsink's area: room for 10 frames of 1080p RGB */
#define CACHE_LINE 64

typedef enum { VIDFLOW, SHM, INPROC, N_KINDS } Kind;
static const char *kind_names[N_KINDS] = { "vidflow", "shm", "inproc" };

typedef struct {
  double fps, cpu_us;
  double reader_us, minflt, csw; /* per frame, across processes only */
} Result;

static char *self_exe, *tmpdir;

static double now_s(void)
{
  return g_get_monotonic_time() / 1e6;
}

static double process_cpu_s(struct rusage *ru)
{
  getrusage(RUSAGE_SELF, ru);
  return ru->ru_utime.tv_sec + ru->ru_stime.tv_sec
         + (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
}

static double thread_cpu_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static guint64 read_frame(const guint8 *data, gsize size)
{
  guint64 sum = 0;
  for (gsize i = 0; i < size; i += CACHE_LINE)
    sum += data[i];
  return sum;
}

static GstBufferPool *plain_pool(GstCaps *caps, GstAllocator *allocator)
{
  GstVideoInfo info;
  gst_video_info_from_caps(&info, caps);
  GstBufferPool *pool = gst_video_buffer_pool_new();
  GstStructure *config = gst_buffer_pool_get_config(pool);
  /* Bounded (acquire waits for a frame to come back): shmsink's allocator has room for so many
   * frames in its area, and an unbounded pool asking it for one more once the area is full waits
   * forever (the blocks it would get back go to the pool, not to the allocator: GStreamer 1.22's
   * shmsink/shmsrc "deadlock" that made this baseline hang under load). */
  gst_buffer_pool_config_set_params(config, caps, (guint)info.size, POOL_FRAMES, POOL_FRAMES);
  if (allocator)
    gst_buffer_pool_config_set_allocator(config, allocator, NULL);
  gst_buffer_pool_set_config(pool, config);
  return pool;
}

static void write_frame(GstBuffer *b, guint n)
{
  GstMapInfo map;
  gst_buffer_map(b, &map, GST_MAP_WRITE);
  memset(map.data, (int)(n & 0xff), map.size);
  gst_buffer_unmap(b, &map);
}

/* ---- consumer process ---- */

static int run_consumer(Kind kind, const char *socket, const char *caps_str)
{
  char *desc = kind == VIDFLOW
                   ? g_strdup_printf("vfipcsrc socket-path=%s connect-timeout=30000 ! appsink "
                                     "name=sink sync=false",
                                     socket)
                   : g_strdup_printf("shmsrc socket-path=%s ! capsfilter caps=\"%s\" ! appsink "
                                     "name=sink sync=false",
                                     socket, caps_str);
  GstElement *p = gst_parse_launch(desc, NULL);
  g_free(desc);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(p), "sink");
  gst_element_set_state(p, GST_STATE_PLAYING);
  guint n = 0;
  double t0 = 0, t1 = 0, c0 = 0, r0 = 0;
  struct rusage ru0, ru1;
  guint64 sum = 0;
  GstSample *s;
  while (n < FRAMES && (s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 30 * GST_SECOND))) {
    GstBuffer *b = gst_sample_get_buffer(s);
    GstMapInfo map;
    gst_buffer_map(b, &map, GST_MAP_READ);
    sum += read_frame(map.data, map.size);
    gst_buffer_unmap(b, &map);
    gst_sample_unref(s);
    if (n++ == 0) {
      t0 = now_s();
      c0 = process_cpu_s(&ru0);
      r0 = thread_cpu_s();
    }
    t1 = now_s();
  }
  double cpu = process_cpu_s(&ru1) - c0, reader = thread_cpu_s() - r0;
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(p);
  if (n < FRAMES)
    return 1;
  printf("RESULT %f %f %f %f %f %" G_GUINT64_FORMAT "\n", (n - 1) / (t1 - t0), cpu * 1e6 / (n - 1),
         reader * 1e6 / (n - 1), (double)(ru1.ru_minflt - ru0.ru_minflt) / (n - 1),
         (double)(ru1.ru_nvcsw - ru0.ru_nvcsw) / (n - 1), sum);
  return 0;
}

/* ---- producer (this process) ---- */

static Result run_across(Kind kind, const char *caps_str)
{
  Result r = { .fps = 0 };
  char *socket = kind == VIDFLOW ? g_strdup_printf("bench-ipc-%d", (int)getpid())
                                 : g_build_filename(tmpdir, "shm", NULL);
  char *desc = kind == VIDFLOW
                   ? g_strdup_printf(
                       "appsrc name=src format=time block=true max-bytes=1 caps=\"%s\" ! vfipcsink "
                       "socket-path=%s max-in-flight=%d",
                       caps_str, socket, IN_FLIGHT)
                   : g_strdup_printf(
                       "appsrc name=src format=time block=true max-bytes=1 caps=\"%s\" ! shmsink "
                       "socket-path=%s wait-for-connection=true sync=false "
                       "shm-size=%d",
                       caps_str, socket, SHM_SIZE);
  GstElement *p = gst_parse_launch(desc, NULL);
  g_free(desc);
  GstElement *src = gst_bin_get_by_name(GST_BIN(p), "src");
  gst_element_set_state(p, GST_STATE_PLAYING);
  /* the consumer once the sink's socket exists (shmsrc does not wait for it) */
  char *argv[]
      = { self_exe, "--consumer", (char *)kind_names[kind], socket, (char *)caps_str, NULL };
  GPid pid;
  int out = -1;
  g_assert(g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                                    NULL, &out, NULL, NULL));
  /* take the pool (or allocator) the sink proposes, as an upstream element would */
  GstCaps *caps = gst_caps_from_string(caps_str);
  GstQuery *q = gst_query_new_allocation(caps, TRUE);
  GstPad *pad = gst_element_get_static_pad(src, "src");
  gst_pad_peer_query(pad, q);
  gst_object_unref(pad);
  GstBufferPool *pool = NULL;
  if (gst_query_get_n_allocation_pools(q) > 0)
    gst_query_parse_nth_allocation_pool(q, 0, &pool, NULL, NULL, NULL);
  if (pool == NULL) {
    GstAllocator *allocator = NULL;
    if (gst_query_get_n_allocation_params(q) > 0)
      gst_query_parse_nth_allocation_param(q, 0, &allocator, NULL);
    pool = plain_pool(caps, allocator);
    if (allocator)
      gst_object_unref(allocator);
  }
  gst_query_unref(q);
  gst_buffer_pool_set_active(pool, TRUE);
  for (guint i = 0; i < FRAMES + 1; i++) {
    GstBuffer *b = NULL;
    if (gst_buffer_pool_acquire_buffer(pool, &b, NULL) != GST_FLOW_OK)
      break;
    write_frame(b, i);
    GST_BUFFER_PTS(b) = i * GST_MSECOND;
    if (gst_app_src_push_buffer(GST_APP_SRC(src), b) != GST_FLOW_OK)
      break;
  }
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  GstMessage *m = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(p), 60 * GST_SECOND,
                                             GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (m)
    gst_message_unref(m);
  int status = 0;
  waitpid(pid, &status, 0);
  g_spawn_close_pid(pid);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_buffer_pool_set_active(pool, FALSE);
  gst_object_unref(pool);
  gst_object_unref(src);
  gst_object_unref(p);
  gst_caps_unref(caps);
  char line[256] = { 0 };
  FILE *f = fdopen(out, "r");
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "RESULT %lf %lf %lf %lf %lf", &r.fps, &r.cpu_us, &r.reader_us, &r.minflt,
               &r.csw)
        == 5)
      break;
  if (f)
    fclose(f);
  g_free(socket);
  return r;
}

typedef struct {
  VfFrameQueue *queue;
  Result r;
} InProc;

static gpointer inproc_consumer(gpointer data)
{
  InProc *ip = data;
  guint n = 0;
  double t0 = 0, t1 = 0, c0 = 0;
  guint64 sum = 0;
  VfBuffer *b;
  while (n < FRAMES && vf_frame_queue_pop(ip->queue, &b, -1) == VF_QUEUE_OK) {
    GstBuffer *gb = vf_buffer_get_gst_buffer(b);
    GstMapInfo map;
    gst_buffer_map(gb, &map, GST_MAP_READ);
    sum += read_frame(map.data, map.size);
    gst_buffer_unmap(gb, &map);
    vf_buffer_unref(b);
    if (n++ == 0) {
      t0 = now_s();
      c0 = thread_cpu_s();
    }
    t1 = now_s();
  }
  ip->r.fps = (n - 1) / (t1 - t0);
  ip->r.cpu_us = (thread_cpu_s() - c0) * 1e6 / (n - 1);
  vf_frame_queue_close(ip->queue);
  return GSIZE_TO_POINTER((gsize)sum);
}

static Result run_inproc(const char *caps_str)
{
  GstCaps *caps = gst_caps_from_string(caps_str);
  GstBufferPool *pool = plain_pool(caps, NULL);
  gst_buffer_pool_set_active(pool, TRUE);
  InProc ip = { .queue = vf_frame_queue_new(IN_FLIGHT) };
  GThread *t = g_thread_new("consumer", inproc_consumer, &ip);
  for (guint i = 0; i < FRAMES + 1; i++) {
    GstBuffer *b = NULL;
    if (gst_buffer_pool_acquire_buffer(pool, &b, NULL) != GST_FLOW_OK)
      break;
    write_frame(b, i);
    VfBuffer *vb = vf_buffer_new_from_gst(b, caps);
    gst_buffer_unref(b);
    VfQueueStatus st = vf_frame_queue_push(ip.queue, vb, -1);
    vf_buffer_unref(vb);
    if (st != VF_QUEUE_OK)
      break;
  }
  vf_frame_queue_close(ip.queue);
  g_thread_join(t);
  vf_frame_queue_free(ip.queue);
  gst_buffer_pool_set_active(pool, FALSE);
  gst_object_unref(pool);
  gst_caps_unref(caps);
  return ip.r;
}

static void report(const char *id, double *v, guint n, const char *unit)
{
  double median = vf_bench_median(v, n);
  printf("%-28s median %.3f  range %.3f .. %.3f %s\n", id, median, v[0], v[n - 1], unit);
  printf("BENCH %s %.3f %s\n", id, median, unit);
}

/* The consumer's split for `kind` (vidflow or shm) over the rounds. */
static void report_split(const char *fmt, const char *kind, Result (*res)[N_KINDS], Kind k)
{
  const char *what[] = { "reader", "rest", "minflt", "csw" };
  const char *units[] = { "us", "us", "faults", "switches" };
  for (guint w = 0; w < G_N_ELEMENTS(what); w++) {
    double v[ROUNDS];
    for (guint r = 0; r < ROUNDS; r++) {
      Result *x = &res[r][k];
      v[r] = w == 0   ? x->reader_us
             : w == 1 ? x->cpu_us - x->reader_us
             : w == 2 ? x->minflt
                      : x->csw;
    }
    char id[64];
    g_snprintf(id, sizeof id, "ipc.%s.consumer_%s.%s", fmt, what[w], kind);
    report(id, v, ROUNDS, units[w]);
  }
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  if (argc == 5 && strcmp(argv[1], "--consumer") == 0)
    return run_consumer(strcmp(argv[2], "vidflow") == 0 ? VIDFLOW : SHM, argv[3], argv[4]);
  self_exe = g_file_read_link("/proc/self/exe", NULL);
  tmpdir = g_dir_make_tmp("vf-bench-ipc-XXXXXX", NULL);
  gboolean with_shm = !(argc == 2 && strcmp(argv[1], "--no-shm") == 0);
  const char *formats[] = { "RGB", "NV12" };
  for (guint f = 0; f < G_N_ELEMENTS(formats); f++) {
    char *caps = g_strdup_printf("video/x-raw,format=%s,width=1920,height=1080,framerate=30/1",
                                 formats[f]);
    double vs_shm[ROUNDS], vs_inproc[ROUNDS], fps[ROUNDS], cpu[N_KINDS][ROUNDS];
    Result all[ROUNDS][N_KINDS];
    printf("# 1080p %s, %d frames per run, %d rounds\n# round  vidflow-fps  shm-fps  inproc-fps"
           "  (consumer CPU us/frame: vidflow shm inproc)\n",
           formats[f], FRAMES, ROUNDS);
    for (guint r = 0; r < ROUNDS; r++) {
      Result res[N_KINDS];
      for (guint k = 0; k < N_KINDS; k++) {
        Kind kind = (Kind)((k + r) % N_KINDS); /* rotate the order each round */
        if (kind == SHM && !with_shm)
          res[kind] = (Result){ .fps = 0 };
        else
          res[kind] = kind == INPROC ? run_inproc(caps) : run_across(kind, caps);
      }
      printf("  %u  %10.1f %10.1f %10.1f   (%.0f %.0f %.0f)\n", r, res[VIDFLOW].fps, res[SHM].fps,
             res[INPROC].fps, res[VIDFLOW].cpu_us, res[SHM].cpu_us, res[INPROC].cpu_us);
      vs_shm[r] = res[SHM].fps > 0 ? res[VIDFLOW].fps / res[SHM].fps : 0;
      vs_inproc[r] = res[INPROC].fps > 0 ? res[VIDFLOW].fps / res[INPROC].fps : 0;
      fps[r] = res[VIDFLOW].fps;
      for (guint k = 0; k < N_KINDS; k++) {
        cpu[k][r] = res[k].cpu_us;
        all[r][k] = res[k];
      }
    }
    char *fmt = g_ascii_strdown(formats[f], -1);
    char id[64];
    if (with_shm) {
      g_snprintf(id, sizeof id, "ipc.%s.vs_shm", fmt);
      report(id, vs_shm, ROUNDS, "x");
    }
    g_snprintf(id, sizeof id, "ipc.%s.vs_inproc", fmt);
    report(id, vs_inproc, ROUNDS, "x");
    g_snprintf(id, sizeof id, "ipc.%s.fps", fmt);
    report(id, fps, ROUNDS, "fps");
    g_snprintf(id, sizeof id, "ipc.%s.consumer_cpu", fmt);
    report(id, cpu[VIDFLOW], ROUNDS, "us");
    if (with_shm) {
      g_snprintf(id, sizeof id, "ipc.%s.consumer_cpu.shm", fmt);
      report(id, cpu[SHM], ROUNDS, "us");
    }
    g_snprintf(id, sizeof id, "ipc.%s.consumer_cpu.inproc", fmt);
    report(id, cpu[INPROC], ROUNDS, "us");
    report_split(fmt, "vidflow", all, VIDFLOW);
    if (with_shm)
      report_split(fmt, "shm", all, SHM);
    g_free(fmt);
    g_free(caps);
  }
  char *shm = g_build_filename(tmpdir, "shm", NULL);
  unlink(shm);
  g_free(shm);
  rmdir(tmpdir);
  g_free(tmpdir);
  g_free(self_exe);
  return 0;
}
