/* Tracker speed: time per frame and per object of the built-in trackers (iou, bytetrack).
 *
 * Scenes: N people (N = 10, 100) walking at constant speeds over a 1920x1080 frame, boxes
 * jittered, 5% of detections missed, one false positive per frame; 600 frames. Three
 * measurements:
 * - core: the tracking engine alone (gst/tracker: association, Kalman filter, track life), the
 *   detections prepared beforehand;
 * - element: the same frames as batches through vftracker in a GstHarness (the objects' metadata
 *   read and written too), minus the same harness around identity with the same batches (the
 *   baseline: the push/pull and the batch-making cost that is not the tracker's);
 * - 64 sources batched: 64 such scenes of 10 people, one batch of 64 frames per step, through
 *   the element.
 * Rounds alternate the order of the two trackers; figures are medians over the rounds, with the
 * range of the per-round ratio bytetrack / iou. Times are the thread's CPU time (the harness
 * runs the element on the calling thread), so other work on the machine does not count. Prints a
 * table and BENCH lines (us per object per frame; ratios in x). Goals (issue 10): iou <= 2 us,
 * bytetrack <= 10 us per object per frame. */
#include "../bench-stats.h"
#include "tracker-engine.h"
#include "tracker-util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define FRAMES 600
#define ROUNDS 5
#define FW 1920
#define FH 1080

/* CPU time of this thread, in microseconds: what the work costs, whatever else the shared
 * machine runs at the time (the harness pushes and pulls on this thread). */
static gint64 cpu_us(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

typedef struct {
  GArray **frames; /* per frame: TtDet */
  guint n_frames;
  guint64 objects;
} Scene;

static void scene_make(Scene *s, guint people, guint seed)
{
  GRand *r = g_rand_new_with_seed(seed);
  s->n_frames = FRAMES;
  s->frames = g_new0(GArray *, FRAMES);
  s->objects = 0;
  gdouble *x = g_new(gdouble, people), *y = g_new(gdouble, people), *vx = g_new(gdouble, people),
          *vy = g_new(gdouble, people);
  for (guint i = 0; i < people; i++) {
    x[i] = g_rand_double_range(r, 0, FW - 40);
    y[i] = g_rand_double_range(r, 0, FH - 100);
    vx[i] = g_rand_double_range(r, -4, 4);
    vy[i] = g_rand_double_range(r, -2, 2);
  }
  for (guint t = 0; t < FRAMES; t++) {
    GArray *a = s->frames[t] = g_array_new(FALSE, FALSE, sizeof(TtDet));
    for (guint i = 0; i < people; i++) {
      x[i] += vx[i], y[i] += vy[i];
      if (x[i] < 0 || x[i] > FW - 40)
        vx[i] = -vx[i];
      if (y[i] < 0 || y[i] > FH - 100)
        vy[i] = -vy[i];
      if (g_rand_double(r) < 0.05)
        continue;
      TtDet d = { (gfloat)(x[i] + g_rand_double_range(r, -2, 2)),
                  (gfloat)(y[i] + g_rand_double_range(r, -2, 2)),
                  40,
                  100,
                  (gfloat)g_rand_double_range(r, 0.3, 0.95),
                  0 };
      g_array_append_val(a, d);
    }
    TtDet fp = { (gfloat)g_rand_double_range(r, 0, FW - 40),
                 (gfloat)g_rand_double_range(r, 0, FH - 100),
                 40,
                 100,
                 (gfloat)g_rand_double_range(r, 0.1, 0.6),
                 0 };
    g_array_append_val(a, fp);
    s->objects += a->len;
  }
  g_free(x), g_free(y), g_free(vx), g_free(vy);
  g_rand_free(r);
}

static void scene_free(Scene *s)
{
  for (guint t = 0; t < s->n_frames; t++)
    g_array_unref(s->frames[t]);
  g_free(s->frames);
}

/* The engine alone: microseconds per object. */
static gdouble run_core(VfTrackerAlgorithm algo, const Scene *s)
{
  VfTrackerConfig *cfg = vf_tracker_config_new();
  cfg->algorithm = algo;
  VfTrackerEngine *e = vf_tracker_engine_new(cfg);
  guint max = 0;
  for (guint t = 0; t < s->n_frames; t++)
    max = MAX(max, s->frames[t]->len);
  VfTrackerDetection *dets = g_new0(VfTrackerDetection, max);
  gint64 spent = 0;
  for (guint t = 0; t < s->n_frames; t++) {
    GArray *a = s->frames[t];
    for (guint i = 0; i < a->len; i++) {
      const TtDet *d = &g_array_index(a, TtDet, i);
      dets[i] = (VfTrackerDetection){ d->x, d->y, d->w, d->h, d->confidence, 0, "Person", 1 };
    }
    VfTrackerFrame f = { 0, t, -1, FW, FH, 1 };
    const VfTrackerTrack *tracks;
    guint n;
    gint64 t0 = cpu_us();
    if (!vf_tracker_engine_process(e, &f, dets, a->len, &tracks, &n, NULL))
      g_error("tracking failed");
    spent += cpu_us() - t0;
  }
  g_free(dets);
  vf_tracker_engine_free(e);
  vf_tracker_config_free(cfg);
  return spent / (gdouble)s->objects;
}

/* Batches of the scenes (one frame each) through `element` ("identity" or "vftracker ..."):
 * microseconds per object for the pushes and pulls. */
static gdouble run_element(const char *launch, const Scene *scenes, guint n_scenes)
{
  GstHarness *h = gst_harness_new_parse(launch);
  gst_harness_set_src_caps_str(h, tt_batch_caps(n_scenes));
  gint64 spent = 0;
  guint64 objects = 0;
  for (guint t = 0; t < FRAMES; t++) {
    GstBuffer *b = tt_batch_new(n_scenes, NULL, t);
    for (guint k = 0; k < n_scenes; k++) {
      GArray *a = scenes[k].frames[t];
      tt_add(b, k, (const TtDet *)(gpointer)a->data, a->len);
      objects += a->len;
    }
    gint64 t0 = cpu_us();
    if (gst_harness_push(h, b) != GST_FLOW_OK)
      g_error("%s: push failed", launch);
    gst_buffer_unref(gst_harness_pull(h));
    spent += cpu_us() - t0;
  }
  gst_harness_teardown(h);
  return spent / (gdouble)objects;
}

typedef struct {
  const char *id;
  gdouble iou[ROUNDS], bt[ROUNDS], ratio[ROUNDS];
} Figure;

static void report(Figure *f)
{
  gdouble lo = f->ratio[0], hi = f->ratio[0];
  for (guint i = 1; i < ROUNDS; i++)
    lo = MIN(lo, f->ratio[i]), hi = MAX(hi, f->ratio[i]);
  gdouble mi = vf_bench_median(f->iou, ROUNDS), mb = vf_bench_median(f->bt, ROUNDS),
          mr = vf_bench_median(f->ratio, ROUNDS);
  printf("%-22s %8.3f %10.3f   %6.2f (%.2f..%.2f)\n", f->id, mi, mb, mr, lo, hi);
  printf("BENCH tracker_%s_iou_us_per_object %.3f us\n", f->id, mi);
  printf("BENCH tracker_%s_bytetrack_us_per_object %.3f us\n", f->id, mb);
  printf("BENCH tracker_%s_bytetrack_vs_iou %.3f x\n", f->id, mr);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  GstElementFactory *f = gst_element_factory_find("vftracker");
  if (f == NULL) {
    printf("skipped: vftracker not found (GST_PLUGIN_PATH)\n");
    return 77;
  }
  gst_object_unref(f);
  Scene s10, s100, s64[64];
  scene_make(&s10, 10, 1);
  scene_make(&s100, 100, 2);
  for (guint k = 0; k < 64; k++)
    scene_make(&s64[k], 10, 100 + k);
  Figure core10 = { .id = "core_10obj" }, core100 = { .id = "core_100obj" },
         el100 = { .id = "element_100obj" }, src64 = { .id = "element_64sources" };
  for (guint r = 0; r < ROUNDS; r++) {
    for (guint k = 0; k < 2; k++) {
      gboolean bt = (k + r) % 2; /* alternate which goes first */
      VfTrackerAlgorithm a = bt ? VF_TRACKER_ALGO_BYTETRACK : VF_TRACKER_ALGO_IOU;
      const char *launch = bt ? "vftracker algorithm=bytetrack" : "vftracker algorithm=iou";
      (bt ? core10.bt : core10.iou)[r] = run_core(a, &s10);
      (bt ? core100.bt : core100.iou)[r] = run_core(a, &s100);
      gdouble base100 = run_element("identity", &s100, 1);
      (bt ? el100.bt : el100.iou)[r] = run_element(launch, &s100, 1) - base100;
      gdouble base64 = run_element("identity", s64, 64);
      (bt ? src64.bt : src64.iou)[r] = run_element(launch, s64, 64) - base64;
    }
    core10.ratio[r] = core10.bt[r] / core10.iou[r];
    core100.ratio[r] = core100.bt[r] / core100.iou[r];
    el100.ratio[r] = el100.bt[r] / el100.iou[r];
    src64.ratio[r] = src64.bt[r] / src64.iou[r];
  }
  printf("tracker CPU time per object per frame (us), median of %d rounds; element figures are "
         "net of an identity element fed the same batches\n",
         ROUNDS);
  printf("%-22s %8s %10s   %s\n", "case", "iou", "bytetrack", "bytetrack/iou (range)");
  report(&core10);
  report(&core100);
  report(&el100);
  report(&src64);
  scene_free(&s10);
  scene_free(&s100);
  for (guint k = 0; k < 64; k++)
    scene_free(&s64[k]);
  return 0;
}
