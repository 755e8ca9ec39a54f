/* soak: does vidflow's memory stay flat over a long run, and over many pipelines?
 *
 *   soak [-m MINUTES] [-p PIPELINES] [-i VIDEO] [-c CONFIG]      (defaults: 2, 2000)
 *
 * 1. Long run: 4 sources (vfurisrcbin, file looped) -> vfmux (batch 4) -> vfinfer (the SSD) ->
 *    vfosd -> fakesink, built with the Pipeline API, for MINUTES; the resident set size (RSS)
 *    sampled every 5 s. The first third of the run (at least 60 s) is warm-up (model, pools,
 *    caches); the figure is the least-squares slope of RSS over the rest, in MiB per hour
 *    (the target: at most 1 MiB/h), with the frames it ran.
 * 2. Create/free: PIPELINES pipelines, one after the other in this process, each
 *    videotestsrc num-buffers=2 ! fakesink made, run to its end and freed. RSS and open file
 *    descriptors after the first 100 (warm-up) and at the end: growth per 1000 pipelines (flat
 *    is 0; before the bus-message fix each pipeline kept ~250 KiB and 2 sockets).
 *
 * There is no baseline to divide by (no other run does the same work): the figures are absolute,
 * on this machine, and a slope is only as good as the run is long (MINUTES=10 or more for the
 * closing figures). Prints a table and BENCH lines. Exit 77 without data/ (tools/fetch-assets.sh).
 * Not in the test suite: `make soak` (or the soak benchmark of `make bench`, 2 minutes). */
#include <vidflow/vidflow.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef VF_SOURCE_ROOT
#define VF_SOURCE_ROOT "."
#endif

#define SOURCES 4
#define SAMPLE_US (5 * G_USEC_PER_SEC)
#define WARMUP_FRACTION 3 /* the first third */
#define WARMUP_MIN_S 60.0
#define CREATE_WARMUP 100

static double rss_mib(void)
{
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f == NULL || fscanf(f, "%ld %ld", &pages, &resident) != 2)
    resident = 0;
  if (f)
    fclose(f);
  return resident * (double)sysconf(_SC_PAGESIZE) / (1 << 20);
}

static guint open_fds(void)
{
  GDir *d = g_dir_open("/proc/self/fd", 0, NULL);
  guint n = 0;
  while (d && g_dir_read_name(d))
    n++;
  if (d)
    g_dir_close(d);
  return n;
}

/* Least-squares slope of y over x. */
static double slope(const GArray *x, const GArray *y)
{
  double n = x->len, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (guint i = 0; i < x->len; i++) {
    double a = g_array_index(x, double, i), b = g_array_index(y, double, i);
    sx += a, sy += b, sxx += a * a, sxy += a * b;
  }
  double d = n * sxx - sx * sx;
  return d > 0 ? (n * sxy - sx * sy) / d : 0;
}

static VfProbeReturn count_batch(VfBuffer *buffer, gpointer data)
{
  (void)buffer;
  g_atomic_pointer_add((gsize *)data, 1);
  return VF_PROBE_KEEP;
}

static gboolean long_run(const char *video, const char *config, double minutes)
{
  GError *err = NULL;
  char *uri = gst_filename_to_uri(video, NULL);
  VfPipeline *p = vf_pipeline_new("soak");
  gboolean ok = vf_pipeline_add(p, "vfmux", "mux", &err, "batch-size", "4", NULL)
                && vf_pipeline_add(p, "vfinfer", "infer", &err, "config-file-path", config, NULL)
                && vf_pipeline_add(p, "vfosd", "osd", &err, NULL)
                && vf_pipeline_add(p, "fakesink", "sink", &err, "sync", "false", NULL)
                && vf_pipeline_link(p, &err, "mux", "infer", "osd", "sink", NULL);
  for (int i = 0; ok && i < SOURCES; i++) {
    char name[16];
    g_snprintf(name, sizeof name, "src%d", i);
    ok = vf_pipeline_add(p, "vfurisrcbin", name, &err, "uri", uri, "file-loop", "true", NULL)
         && vf_pipeline_link_pads(p, name, NULL, "mux", "sink_%u", &err);
  }
  gsize batches = 0;
  VfProbeCallbacks cb = { .on_buffer = count_batch };
  ok = ok && vf_pipeline_attach_probe(p, "infer", NULL, vf_probe_new("count", &cb, &batches), &err)
       && vf_pipeline_start(p, &err);
  g_free(uri);
  if (!ok) {
    fprintf(stderr, "soak: %s\n", err->message);
    g_clear_error(&err);
    vf_pipeline_free(p);
    return FALSE;
  }
  GArray *t = g_array_new(FALSE, FALSE, sizeof(double));
  GArray *rss = g_array_new(FALSE, FALSE, sizeof(double));
  gint64 start = g_get_monotonic_time();
  double total_s = minutes * 60, warmup_s = MAX(WARMUP_MIN_S, total_s / WARMUP_FRACTION);
  double first = 0, last = 0, peak = 0;
  printf("%8s %10s %9s\n", "time s", "RSS MiB", "batches");
  for (gint64 next = start + SAMPLE_US;; next += SAMPLE_US) {
    while (g_get_monotonic_time() < next)
      g_usleep((gulong)MAX(next - g_get_monotonic_time(), 1));
    double s = (g_get_monotonic_time() - start) / 1e6, m = rss_mib();
    if (vf_pipeline_get_state(p) != VF_STATE_PLAYING) {
      fprintf(stderr, "soak: the pipeline stopped after %.0f s\n", s);
      break;
    }
    peak = MAX(peak, m);
    if (s >= warmup_s) {
      if (t->len == 0)
        first = m;
      last = m;
      g_array_append_val(t, s);
      g_array_append_val(rss, m);
    }
    if ((guint)(s + 0.5) % 30 < 5)
      printf("%8.0f %10.1f %9zu\n", s, m, (gsize)g_atomic_pointer_get(&batches));
    fflush(stdout);
    if (s >= total_s)
      break;
  }
  vf_pipeline_send_eos(p);
  ok = vf_pipeline_wait(p, &err);
  if (!ok) {
    fprintf(stderr, "soak: %s\n", err->message);
    g_clear_error(&err);
  }
  vf_pipeline_free(p);
  double per_hour = slope(t, rss) * 3600;
  printf("long run: %.1f min, %zu batches of %d, RSS %.1f -> %.1f MiB after %.0f s of warm-up "
         "(peak %.1f), slope %.2f MiB/h over %u samples\n",
         minutes, batches, SOURCES, first, last, warmup_s, peak, per_hour, t->len);
  printf("BENCH soak-rss-slope %.3f MiB/h\n", per_hour);
  printf("BENCH soak-batches %zu batches\n", batches);
  ok = ok && t->len >= 2;
  g_array_unref(t);
  g_array_unref(rss);
  return ok;
}

static gboolean run_one(void)
{
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new("one");
  gboolean ok = vf_pipeline_add(p, "videotestsrc", "src", &err, "num-buffers", "2", NULL)
                && vf_pipeline_add(p, "fakesink", "sink", &err, NULL)
                && vf_pipeline_link(p, &err, "src", "sink", NULL) && vf_pipeline_run(p, &err);
  if (!ok) {
    fprintf(stderr, "soak: %s\n", err->message);
    g_clear_error(&err);
  }
  vf_pipeline_free(p);
  return ok;
}

static gboolean create_free(guint n)
{
  double rss0 = 0, fd0 = 0;
  gint64 t0 = g_get_monotonic_time();
  for (guint i = 0; i < n; i++) {
    if (!run_one())
      return FALSE;
    if (i + 1 == CREATE_WARMUP) {
      rss0 = rss_mib();
      fd0 = open_fds();
    }
  }
  double rss1 = rss_mib(), fd1 = open_fds(), per = 1000.0 / MAX(n - CREATE_WARMUP, 1);
  printf("create/free: %u pipelines in %.1f s; after %d: RSS %.1f MiB, %.0f fds; at the end: RSS "
         "%.1f MiB, %.0f fds\n",
         n, (g_get_monotonic_time() - t0) / 1e6, CREATE_WARMUP, rss0, fd0, rss1, fd1);
  printf("BENCH create-free-rss-growth %.3f MiB/1000-pipelines\n", (rss1 - rss0) * per);
  printf("BENCH create-free-fd-growth %.1f fds/1000-pipelines\n", (fd1 - fd0) * per);
  return TRUE;
}

int main(int argc, char **argv)
{
  double minutes = 2;
  guint pipelines = 2000;
  char *video = NULL, *config = NULL;
  const char *env = g_getenv("VF_SOAK_MINUTES");
  if (env)
    minutes = g_ascii_strtod(env, NULL);
  for (int i = 1; i + 1 < argc; i += 2) {
    if (g_str_equal(argv[i], "-m"))
      minutes = g_ascii_strtod(argv[i + 1], NULL);
    else if (g_str_equal(argv[i], "-p"))
      pipelines = (guint)atoi(argv[i + 1]);
    else if (g_str_equal(argv[i], "-i"))
      video = g_strdup(argv[i + 1]);
    else if (g_str_equal(argv[i], "-c"))
      config = g_strdup(argv[i + 1]);
  }
  if (video == NULL)
    video = g_build_filename(VF_SOURCE_ROOT, "data", "footage", "vtest.avi", NULL);
  if (config == NULL)
    config = g_build_filename(VF_SOURCE_ROOT, "configs", "ssd_mobilenet_v2_oid.yaml", NULL);
  if (!g_file_test(video, G_FILE_TEST_EXISTS)) {
    fprintf(stderr, "soak: %s missing: run tools/fetch-assets.sh\n", video);
    return 77;
  }
  GError *err = NULL;
  if (!vf_init(&err)) {
    fprintf(stderr, "soak: %s\n", err->message);
    return 1;
  }
  gboolean ok = TRUE;
  if (minutes > 0)
    ok = long_run(video, config, minutes);
  if (pipelines > 0)
    ok = create_free(pipelines) && ok;
  g_free(video);
  g_free(config);
  return ok ? 0 : 1;
}
