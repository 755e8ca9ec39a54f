/* Benchmark: how the batch converter spreads a batch over its threads (convert.h's split rule).
 *
 * A batch of n frames (1080p I420, 1..8 of them) converted and scaled to 640x360 RGB (what a
 * detector's preprocessing wants) by a VfConverter with one thread per core, two ways, in the
 * same run, alternating:
 *   frames  : the frames across the threads, each GstVideoConverter on one thread
 *   stripes : the frames one after another, each GstVideoConverter on every thread (its n-threads)
 * and the AUTO rule (frames when the batch has at least as many frames as threads, otherwise
 * each frame's stripes on threads / n threads). Figure: time per batch, median of rounds, and
 * stripes time / frames time per round (> 1: frames across threads wins).
 *
 *   convert-bench [rounds]   (default 7) */
#include "convert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUNDS 51
#define MAX_BATCH 8
#define REPEAT 6 /* batches per timing */

static int compare(const void *a, const void *b)
{
  gdouble x = *(const gdouble *)a, y = *(const gdouble *)b;
  return x < y ? -1 : x > y;
}

static gdouble median(gdouble *v, guint n)
{
  qsort(v, n, sizeof *v, compare);
  return v[n / 2];
}

/* Milliseconds per batch of the n frames with `split`. */
static gdouble time_batch(VfConverter *c, GstBuffer **frames, const GstVideoInfo *in, guint n)
{
  VfConvertTarget target = { GST_VIDEO_FORMAT_RGB, 640, 360, VF_CONVERT_SCALING_STRETCH };
  gint64 t0 = g_get_monotonic_time();
  for (guint r = 0; r < REPEAT; r++) {
    VfConvertJob jobs[MAX_BATCH] = { { 0 } };
    for (guint i = 0; i < n; i++) {
      jobs[i].key = i;
      jobs[i].in = frames[i];
      jobs[i].in_info = *in;
      vf_convert_plan(in, &target, &jobs[i].out_info, &jobs[i].dest);
    }
    GError *err = NULL;
    if (!vf_converter_run(c, VF_DEVICE_CPU, jobs, n, &err)) {
      fprintf(stderr, "convert-bench: %s\n", err->message);
      exit(1);
    }
    for (guint i = 0; i < n; i++)
      vf_convert_job_clear(&jobs[i]);
  }
  return (g_get_monotonic_time() - t0) / 1e3 / REPEAT;
}

int main(int argc, char **argv)
{
  guint rounds = argc > 1 ? (guint)atoi(argv[1]) : 7;
  if (rounds == 0 || rounds > MAX_ROUNDS) {
    fprintf(stderr, "usage: convert-bench [rounds (1..%d)]\n", MAX_ROUNDS);
    return 2;
  }
  gst_init(&argc, &argv);
  GstVideoInfo in;
  gst_video_info_set_format(&in, GST_VIDEO_FORMAT_I420, 1920, 1080);
  GstBuffer *frames[MAX_BATCH];
  for (guint i = 0; i < MAX_BATCH; i++) {
    frames[i] = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&in), NULL);
    GstMapInfo map;
    gst_buffer_map(frames[i], &map, GST_MAP_WRITE);
    for (gsize k = 0; k < map.size; k++)
      map.data[k] = (guint8)(k * 7 + i);
    gst_buffer_unmap(frames[i], &map);
  }
  guint cores = g_get_num_processors();
  VfConvertOptions o = { VF_CONVERT_METHOD_BILINEAR, cores, 0, VF_CONVERT_SPLIT_FRAMES };
  VfConverter *by_frames = vf_converter_new(&o, NULL);
  o.split = VF_CONVERT_SPLIT_STRIPES;
  VfConverter *by_stripes = vf_converter_new(&o, NULL);
  o.split = VF_CONVERT_SPLIT_AUTO;
  VfConverter *automatic = vf_converter_new(&o, NULL);
  printf("convert-bench: 1920x1080 I420 -> 640x360 RGB, %u threads, %u rounds (median ms per "
         "batch)\n",
         cores, rounds);
  printf("%-6s %10s %10s %10s %16s\n", "batch", "frames", "stripes", "auto", "stripes/frames");
  static const guint sizes[] = { 1, 2, 4, 8 };
  for (guint s = 0; s < G_N_ELEMENTS(sizes); s++) {
    guint n = sizes[s];
    gdouble f[MAX_ROUNDS], st[MAX_ROUNDS], a[MAX_ROUNDS], r[MAX_ROUNDS];
    time_batch(by_frames, frames, &in, n); /* warm: converters and pools made */
    time_batch(by_stripes, frames, &in, n);
    time_batch(automatic, frames, &in, n);
    for (guint i = 0; i < rounds; i++) {
      if (i % 2) {
        st[i] = time_batch(by_stripes, frames, &in, n);
        f[i] = time_batch(by_frames, frames, &in, n);
      } else {
        f[i] = time_batch(by_frames, frames, &in, n);
        st[i] = time_batch(by_stripes, frames, &in, n);
      }
      a[i] = time_batch(automatic, frames, &in, n);
      r[i] = st[i] / f[i];
    }
    gdouble rr[MAX_ROUNDS];
    memcpy(rr, r, sizeof rr);
    qsort(rr, rounds, sizeof *rr, compare);
    gdouble mf = median(f, rounds), ms = median(st, rounds), ma = median(a, rounds);
    printf("%-6u %10.2f %10.2f %10.2f %9.3fx (%.3f..%.3f)\n", n, mf, ms, ma, rr[rounds / 2], rr[0],
           rr[rounds - 1]);
    printf("BENCH convert_batch%u_frames_ms %.2f ms\n", n, mf);
    printf("BENCH convert_batch%u_stripes_ms %.2f ms\n", n, ms);
    printf("BENCH convert_batch%u_auto_ms %.2f ms\n", n, ma);
    printf("BENCH convert_batch%u_stripes_vs_frames %.3f x\n", n, rr[rounds / 2]);
  }
  vf_converter_free(by_frames);
  vf_converter_free(by_stripes);
  vf_converter_free(automatic);
  for (guint i = 0; i < MAX_BATCH; i++)
    gst_buffer_unref(frames[i]);
  return 0;
}
