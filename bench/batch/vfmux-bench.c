/* Benchmark: vfmux, each figure measured side by side with its baseline in the same run.
 *
 * 1. Zero-copy batching overhead (sources that cost nothing: videotestsrc pattern=black 16x16),
 *    batch 4, 32 and 64:
 *      baseline : N x (videotestsrc ! fakesink), N independent branches
 *      vfmux    : the same N sources -> vfmux batch-size=N -> fakesink
 *    Figure: the wall time vfmux adds per frame on this machine, 1/fps(vfmux) - 1/fps(baseline)
 *    (fps counts every source's frames), in microseconds; goal <= 15 us.
 * 2. Scaling in vfmux vs the GStreamer way, 4, 32 and 64 sources of 1280x720 I420 (pattern=black,
 *    so the sources cost little and the figure is the scaling) to 640x360:
 *      baseline : per source queue ! videoscale ! videoconvert (n-threads=<cores> each; the
 *                 converter passes through) ! 640x360 caps, into vfmux without scaling (a thread
 *                 per source, each scaler on every core; videoconvertscale measured 3.6x slower
 *                 than videoscale here, so the faster GStreamer way is the baseline)
 *      vfmux    : the sources straight into vfmux width=640 height=360 (the batch converter: the
 *                 frames of a batch in parallel on its own threads)
 *    Figure: fps(vfmux) / fps(baseline); goal >= 1.0.
 * Each round runs baseline and vfmux once, in alternating order; the figures are the median of the
 * per-round values with their range (min..max). A run is timed from NULL to EOS (set-up and
 * preroll included on both sides) with enough frames (12000 tiny or 1920 720p ones in all) that
 * set-up stays a small part; the machine is shared: read the ranges.
 *
 *   vfmux-bench [rounds [overhead|scaling]]   (default 5 rounds, both parts) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vidflow/vidflow.h>

#include "../bench-stats.h"

#define MAX_ROUNDS 50
#define TINY "video/x-raw,format=I420,width=16,height=16,framerate=30/1"
/* Colorimetry written out: without it 720p means bt709 and 360p bt601, and GStreamer's scalers
 * would convert the colour matrix too (no fast path: ~10x the work), which vfmux does not. */
#define HD "video/x-raw,format=I420,width=1280,height=720,framerate=30/1,colorimetry=bt709"
#define SMALL "video/x-raw,format=I420,width=640,height=360,colorimetry=bt709"

/* Frames per second (every source's frames) from NULL to EOS; < 0 on failure. */
static gdouble run(const char *desc, guint total_frames)
{
  GError *err = NULL;
  GstElement *p = gst_parse_launch(desc, &err);
  if (p == NULL) {
    fprintf(stderr, "vfmux-bench: %s\n", err ? err->message : "cannot build the pipeline");
    g_clear_error(&err);
    return -1;
  }
  /* Timed from the start: while the sink prerolls, queues and vfmux's per-source queues fill
   * (the baseline's branches convert up to a queue's worth of frames then), so timing from
   * PLAYING would leave different amounts of work out on the two sides. */
  gint64 t0 = g_get_monotonic_time();
  gst_element_set_state(p, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus(p);
  GstMessage *m
      = gst_bus_timed_pop_filtered(bus, 300 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gint64 t1 = g_get_monotonic_time();
  gdouble fps = -1;
  if (m && GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS)
    fps = total_frames / ((t1 - t0) / 1e6);
  else if (m) {
    gst_message_parse_error(m, &err, NULL);
    fprintf(stderr, "vfmux-bench: %s\n", err->message);
    g_clear_error(&err);
  } else {
    fprintf(stderr, "vfmux-bench: no end of stream within 300 s\n");
  }
  if (m)
    gst_message_unref(m);
  gst_object_unref(bus);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
  return fps;
}

typedef struct {
  gdouble median, min, max;
} Stat;

static Stat stat(const gdouble *values, guint n)
{
  gdouble v[MAX_ROUNDS];
  memcpy(v, values, n * sizeof *v);
  gdouble median = vf_bench_median(v, n); /* sorts v */
  return (Stat){ median, v[0], v[n - 1] };
}

/* N sources of `caps`, each through `branch` (NULL: none) into `sink` ("fakesink" per source,
 * or "mux.sink_%u" with `mux` in front). */
static char *graph(guint n, guint frames, const char *caps, const char *branch, const char *mux)
{
  GString *s = g_string_new(mux ? mux : "");
  for (guint i = 0; i < n; i++) {
    g_string_append_printf(s, " videotestsrc num-buffers=%u pattern=black ! %s", frames, caps);
    if (branch)
      g_string_append_printf(s, " ! %s", branch);
    if (mux)
      g_string_append_printf(s, " ! mux.sink_%u", i);
    else
      g_string_append(s, " ! fakesink");
  }
  return g_string_free(s, FALSE);
}

/* Runs baseline and vfmux `rounds` times, alternating which goes first; values[i] = f(b, m). */
static gboolean measure(const char *base, const char *mux, guint total, guint rounds,
                        gdouble *base_fps, gdouble *mux_fps)
{
  for (guint i = 0; i < rounds; i++) {
    gboolean base_first = i % 2 == 0;
    if (base_first)
      base_fps[i] = run(base, total);
    mux_fps[i] = run(mux, total);
    if (!base_first)
      base_fps[i] = run(base, total);
    if (base_fps[i] <= 0 || mux_fps[i] <= 0)
      return FALSE;
  }
  return TRUE;
}

static gboolean overhead(guint n, guint rounds)
{
  guint frames = MAX(12000 / n, 100);
  char *base = graph(n, frames, TINY, NULL, NULL);
  char *mux_head = g_strdup_printf("vfmux name=mux batch-size=%u ! fakesink", n);
  char *mux = graph(n, frames, TINY, NULL, mux_head);
  gdouble b[MAX_ROUNDS], m[MAX_ROUNDS], us[MAX_ROUNDS];
  gboolean ok = measure(base, mux, n * frames, rounds, b, m);
  for (guint i = 0; ok && i < rounds; i++)
    us[i] = (1 / m[i] - 1 / b[i]) * 1e6;
  if (ok) {
    Stat sb = stat(b, rounds), sm = stat(m, rounds), su = stat(us, rounds);
    printf("overhead  batch %-3u %11.0f %11.0f   %+7.2f us/frame (%+.2f..%+.2f)\n", n, sb.median,
           sm.median, su.median, su.min, su.max);
    printf("BENCH vfmux_zero_copy_overhead_batch%u %.2f us\n", n, su.median);
  }
  g_free(base);
  g_free(mux_head);
  g_free(mux);
  return ok;
}

static gboolean scaling(guint n, guint rounds)
{
  guint frames = MAX(1920 / n, 24);
  guint cores = g_get_num_processors();
  char *scaler = g_strdup_printf(
      "queue ! videoscale n-threads=%u method=bilinear ! videoconvert n-threads=%u ! " SMALL, cores,
      cores);
  char *base_head = g_strdup_printf("vfmux name=mux batch-size=%u ! fakesink", n);
  char *base = graph(n, frames, HD, scaler, base_head);
  char *mux_head
      = g_strdup_printf("vfmux name=mux batch-size=%u width=640 height=360 ! fakesink", n);
  char *mux = graph(n, frames, HD, NULL, mux_head);
  gdouble b[MAX_ROUNDS], m[MAX_ROUNDS], r[MAX_ROUNDS];
  gboolean ok = measure(base, mux, n * frames, rounds, b, m);
  for (guint i = 0; ok && i < rounds; i++)
    r[i] = m[i] / b[i];
  if (ok) {
    Stat sb = stat(b, rounds), sm = stat(m, rounds), sr = stat(r, rounds);
    printf("scaling   %-3u src   %11.1f %11.1f   %7.3fx (%.3f..%.3f)\n", n, sb.median, sm.median,
           sr.median, sr.min, sr.max);
    printf("BENCH vfmux_scale_720p_to_360p_%usrc_vs_videoscale %.3f x\n", n, sr.median);
  }
  g_free(scaler);
  g_free(base_head);
  g_free(base);
  g_free(mux_head);
  g_free(mux);
  return ok;
}

int main(int argc, char **argv)
{
  guint rounds = argc > 1 ? (guint)atoi(argv[1]) : 5;
  const char *part = argc > 2 ? argv[2] : NULL;
  if (rounds == 0 || rounds > MAX_ROUNDS
      || (part && strcmp(part, "overhead") != 0 && strcmp(part, "scaling") != 0)) {
    fprintf(stderr, "usage: vfmux-bench [rounds (1..%d) [overhead|scaling]]\n", MAX_ROUNDS);
    return 2;
  }
  GError *err = NULL;
  if (!vf_init(&err)) {
    fprintf(stderr, "vfmux-bench: %s\n", err->message);
    return 1;
  }
  printf("vfmux-bench: %u rounds, %u cores; median of rounds (range)\n", rounds,
         g_get_num_processors());
  printf("%-25s %11s %11s   %s\n", "case", "base fps", "vfmux fps", "figure");
  static const guint sizes[] = { 4, 32, 64 };
  for (guint i = 0; i < G_N_ELEMENTS(sizes) && g_strcmp0(part, "scaling") != 0; i++)
    if (!overhead(sizes[i], rounds))
      return 1;
  for (guint i = 0; i < G_N_ELEMENTS(sizes) && g_strcmp0(part, "overhead") != 0; i++)
    if (!scaling(sizes[i], rounds))
      return 1;
  return 0;
}
