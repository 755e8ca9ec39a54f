/* vidflow tracker: the built-in trackers (iou and bytetrack), see builtin.h. */
#include "builtin.h"

#include "assign.h"
#include "kalman.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  guint64 id; /* 0 while tentative */
  VfTrackState state;
  gint class_id;
  const char *label;
  gint component_id;
  gfloat score;
  guint age, misses, hits;
  gfloat box[4]; /* left, top, width, height: the last detection (iou), the filter's (bytetrack) */
  VfKalman kf;
  gint det;      /* the detection it took this frame, or -1 */
  gboolean dead; /* removed at the end of the frame */
} Track;

/* A detection of a stage, for the sweep over left edges. */
typedef struct {
  gfloat left;
  gint col; /* its index in the stage's columns */
} Edge;

struct _VfTrackStream {
  const VfTrackerConfig *cfg;
  guint64 next_id;
  GArray *tracks; /* Track, in birth order */
  GArray *out;    /* VfTrackerTrack */
  GArray *pairs;  /* VfAssignPair: the candidate matches of a stage */
  GArray *sweep;  /* Edge: a stage's detections by left edge */
  GArray *rows;   /* gint: track indices of a stage */
  GArray *cols;   /* gint: detection indices of a stage */
  GArray *match;  /* gint: row -> column */
  GArray *taken;  /* gchar: per detection, taken by a track */
  VfAssignWork *work;
};

VfTrackStream *vf_track_stream_new(const VfTrackerConfig *cfg, guint64 first_id)
{
  VfTrackStream *s = g_new0(VfTrackStream, 1);
  s->cfg = cfg;
  s->next_id = MAX(first_id, 1);
  s->tracks = g_array_new(FALSE, FALSE, sizeof(Track));
  s->out = g_array_new(FALSE, FALSE, sizeof(VfTrackerTrack));
  s->pairs = g_array_new(FALSE, FALSE, sizeof(VfAssignPair));
  s->sweep = g_array_new(FALSE, FALSE, sizeof(Edge));
  s->rows = g_array_new(FALSE, FALSE, sizeof(gint));
  s->cols = g_array_new(FALSE, FALSE, sizeof(gint));
  s->match = g_array_new(FALSE, FALSE, sizeof(gint));
  s->taken = g_array_new(FALSE, FALSE, sizeof(gchar));
  s->work = vf_assign_work_new();
  return s;
}

void vf_track_stream_free(VfTrackStream *s)
{
  if (s == NULL)
    return;
  g_array_unref(s->tracks);
  g_array_unref(s->out);
  g_array_unref(s->pairs);
  g_array_unref(s->sweep);
  g_array_unref(s->rows);
  g_array_unref(s->cols);
  g_array_unref(s->match);
  g_array_unref(s->taken);
  vf_assign_work_free(s->work);
  g_free(s);
}

guint vf_track_stream_get_n_tracks(const VfTrackStream *s)
{
  return s->tracks->len;
}

static inline void det_box(const VfTrackerDetection *d, gfloat *box)
{
  box[0] = d->left;
  box[1] = d->top;
  box[2] = d->width;
  box[3] = d->height;
}

static inline gfloat box_iou(const gfloat *a, const gfloat *b)
{
  gfloat iw = MIN(a[0] + a[2], b[0] + b[2]) - MAX(a[0], b[0]);
  gfloat ih = MIN(a[1] + a[3], b[1] + b[3]) - MAX(a[1], b[1]);
  if (!(iw > 0 && ih > 0))
    return 0;
  gfloat inter = iw * ih, uni = a[2] * a[3] + b[2] * b[3] - inter;
  return uni > 0 ? inter / uni : 0;
}

static inline Track *track_at(VfTrackStream *s, gint i)
{
  return &g_array_index(s->tracks, Track, i);
}

static gboolean is_bytetrack(const VfTrackStream *s)
{
  return s->cfg->algorithm == VF_TRACKER_ALGO_BYTETRACK;
}

static void confirm(VfTrackStream *s, Track *t)
{
  t->state = VF_TRACK_CONFIRMED;
  if (t->id == 0)
    t->id = s->next_id++;
}

/* Track t takes detection index d. */
static void take(VfTrackStream *s, Track *t, const VfTrackerDetection *dets, gint d)
{
  const VfTrackerDetection *det = &dets[d];
  gfloat box[4];
  det_box(det, box);
  if (is_bytetrack(s)) {
    vf_kalman_update(&t->kf, box, s->cfg->position_noise);
    vf_kalman_box(&t->kf, t->box);
  } else {
    memcpy(t->box, box, sizeof box);
  }
  t->score = det->confidence;
  t->label = det->label;
  t->component_id = det->component_id;
  t->misses = 0;
  t->hits++;
  t->det = d;
  if (t->state == VF_TRACK_LOST
      || (t->state == VF_TRACK_TENTATIVE && t->hits >= (guint)s->cfg->min_hits))
    confirm(s, t);
  g_array_index(s->taken, gchar, d) = 1;
}

static gint by_left(gconstpointer a, gconstpointer b)
{
  gfloat x = ((const Edge *)a)->left, y = ((const Edge *)b)->left;
  return x < y ? -1 : x > y;
}

/* One association stage: the tracks in s->rows against the detections in s->cols. Only pairs
 * whose boxes overlap are looked at: the detections sorted by left edge, each track scans those
 * that start within its width (and the widest detection) of it. */
static void match_stage(VfTrackStream *s, const VfTrackerDetection *dets, gdouble min_sim,
                        gboolean fuse, gboolean optimal)
{
  guint nr = s->rows->len, nc = s->cols->len;
  if (nr == 0 || nc == 0)
    return;
  g_array_set_size(s->sweep, nc);
  Edge *edges = (Edge *)(gpointer)s->sweep->data;
  gfloat widest = 0;
  for (guint c = 0; c < nc; c++) {
    const VfTrackerDetection *d = &dets[g_array_index(s->cols, gint, c)];
    edges[c] = (Edge){ d->left, (gint)c };
    widest = MAX(widest, d->width);
  }
  qsort(edges, nc, sizeof *edges, (int (*)(const void *, const void *))by_left);
  g_array_set_size(s->pairs, 0);
  gboolean agnostic = s->cfg->class_agnostic;
  for (guint r = 0; r < nr; r++) {
    const Track *t = track_at(s, g_array_index(s->rows, gint, r));
    gfloat from = t->box[0] - widest, to = t->box[0] + t->box[2];
    guint lo = 0, hi = nc; /* first edge at or after `from` */
    while (lo < hi) {
      guint mid = (lo + hi) / 2;
      if (edges[mid].left < from)
        lo = mid + 1;
      else
        hi = mid;
    }
    for (guint k = lo; k < nc && edges[k].left < to; k++) {
      const VfTrackerDetection *d = &dets[g_array_index(s->cols, gint, edges[k].col)];
      if (!agnostic && d->class_id != t->class_id)
        continue;
      gfloat box[4];
      det_box(d, box);
      gfloat v = box_iou(t->box, box);
      if (fuse)
        v *= d->confidence;
      if (v >= min_sim && v > 0) {
        VfAssignPair p = { v, (gint)r, edges[k].col };
        g_array_append_val(s->pairs, p);
      }
    }
  }
  g_array_set_size(s->match, nr);
  gint *match = (gint *)(gpointer)s->match->data;
  VfAssignPair *pairs = (VfAssignPair *)(gpointer)s->pairs->data;
  if (optimal)
    vf_assign_optimal(s->work, pairs, s->pairs->len, nr, nc, (gfloat)min_sim, match);
  else
    vf_assign_greedy(s->work, pairs, s->pairs->len, nr, nc, match);
  for (guint r = 0; r < nr; r++)
    if (match[r] >= 0)
      take(s, track_at(s, g_array_index(s->rows, gint, r)), dets,
           g_array_index(s->cols, gint, match[r]));
}

/* s->rows := tracks in `state` (any state when state < 0) without a detection this frame. */
static void rows_in_state(VfTrackStream *s, gint state, gint state2)
{
  g_array_set_size(s->rows, 0);
  for (guint i = 0; i < s->tracks->len; i++) {
    const Track *t = track_at(s, (gint)i);
    if (t->det < 0 && (state < 0 || (gint)t->state == state || (gint)t->state == state2)) {
      gint v = (gint)i;
      g_array_append_val(s->rows, v);
    }
  }
}

/* s->cols := detections not taken with confidence in [lo, hi). */
static void cols_in_range(VfTrackStream *s, const VfTrackerDetection *dets, guint n, gdouble lo,
                          gdouble hi)
{
  g_array_set_size(s->cols, 0);
  for (guint d = 0; d < n; d++) {
    gfloat c = dets[d].confidence;
    if (!g_array_index(s->taken, gchar, d) && c >= lo && c < hi) {
      gint v = (gint)d;
      g_array_append_val(s->cols, v);
    }
  }
}

static void births(VfTrackStream *s, const VfTrackerDetection *dets, guint n)
{
  const VfTrackerConfig *cfg = s->cfg;
  for (guint d = 0; d < n; d++) {
    const VfTrackerDetection *det = &dets[d];
    if (g_array_index(s->taken, gchar, d) || !(det->confidence >= cfg->birth_threshold))
      continue;
    if (s->tracks->len >= (guint)cfg->max_tracks)
      break;
    Track t = { .state = VF_TRACK_TENTATIVE,
                .class_id = det->class_id,
                .label = det->label,
                .component_id = det->component_id };
    det_box(det, t.box);
    if (is_bytetrack(s)) {
      vf_kalman_init(&t.kf, t.box, cfg->position_noise, cfg->velocity_noise);
      vf_kalman_box(&t.kf, t.box);
    }
    t.score = det->confidence;
    t.hits = 1;
    t.det = (gint)d;
    g_array_index(s->taken, gchar, d) = 1;
    if (t.hits >= (guint)cfg->min_hits)
      confirm(s, &t);
    g_array_append_val(s->tracks, t);
  }
}

/* After association: misses, losses and ends; dead tracks leave the list. */
static void settle(VfTrackStream *s, gboolean detected)
{
  const VfTrackerConfig *cfg = s->cfg;
  for (guint i = 0; i < s->tracks->len; i++) {
    Track *t = track_at(s, (gint)i);
    if (t->det >= 0)
      continue;
    if (!detected && t->state != VF_TRACK_LOST)
      continue; /* a skipped frame: predicted, not missed */
    t->misses++;
    if (t->state == VF_TRACK_TENTATIVE)
      t->dead = TRUE;
    else
      t->state = VF_TRACK_LOST;
    if (t->misses > (guint)cfg->max_lost)
      t->dead = TRUE;
  }
  guint keep = 0;
  for (guint i = 0; i < s->tracks->len; i++)
    if (!track_at(s, (gint)i)->dead)
      g_array_index(s->tracks, Track, keep++) = *track_at(s, (gint)i);
  g_array_set_size(s->tracks, keep);
}

static void report(VfTrackStream *s, gboolean detected)
{
  const VfTrackerConfig *cfg = s->cfg;
  g_array_set_size(s->out, 0);
  for (guint i = 0; i < s->tracks->len; i++) {
    const Track *t = track_at(s, (gint)i);
    gboolean shown = t->state == VF_TRACK_LOST
                     || (t->state == VF_TRACK_CONFIRMED && (t->det >= 0 || !detected));
    if (!shown)
      continue;
    VfTrackerTrack o = {
      .id = t->id,
      .detection = t->det,
      .state = t->state,
      .left = t->box[0],
      .top = t->box[1],
      .width = t->box[2],
      .height = t->box[3],
      .confidence = t->score * (1.0f - (gfloat)t->misses / (gfloat)(cfg->max_lost + 1)),
      .class_id = t->class_id,
      .label = t->label,
      .component_id = t->component_id,
      .age = t->age,
      .misses = t->misses,
    };
    g_array_append_val(s->out, o);
  }
}

guint vf_track_stream_process(VfTrackStream *s, const VfTrackerFrame *frame,
                              const VfTrackerDetection *dets, guint n,
                              const VfTrackerTrack **tracks)
{
  const VfTrackerConfig *cfg = s->cfg;
  gboolean bt = is_bytetrack(s);
  gboolean detected = frame->detected != 0;
  if (!detected)
    n = 0;
  for (guint i = 0; i < s->tracks->len; i++) {
    Track *t = track_at(s, (gint)i);
    t->det = -1;
    t->age++;
    if (bt) {
      vf_kalman_predict(&t->kf, cfg->position_noise, cfg->velocity_noise,
                        t->state != VF_TRACK_CONFIRMED);
      vf_kalman_box(&t->kf, t->box);
    }
  }
  g_array_set_size(s->taken, n);
  if (n > 0)
    memset(s->taken->data, 0, n);
  /* detections that are not boxes (or NaN) take part in nothing */
  for (guint d = 0; d < n; d++)
    if (!(dets[d].width > 0 && dets[d].height > 0 && isfinite(dets[d].left) && isfinite(dets[d].top)
          && isfinite(dets[d].width) && isfinite(dets[d].height)))
      g_array_index(s->taken, gchar, d) = 1;

  if (n > 0 && bt) {
    /* 1: confident detections against confirmed and lost tracks */
    rows_in_state(s, VF_TRACK_CONFIRMED, VF_TRACK_LOST);
    cols_in_range(s, dets, n, cfg->high_threshold, INFINITY);
    match_stage(s, dets, cfg->match_iou, cfg->fuse_score, TRUE);
    /* 2: the other detections against the confirmed tracks left */
    rows_in_state(s, VF_TRACK_CONFIRMED,
                  cfg->second_stage_lost ? VF_TRACK_LOST : VF_TRACK_CONFIRMED);
    cols_in_range(s, dets, n, cfg->low_threshold, cfg->high_threshold);
    match_stage(s, dets, cfg->second_match_iou, FALSE, TRUE);
    /* 3: confident detections left against the tentative tracks */
    rows_in_state(s, VF_TRACK_TENTATIVE, VF_TRACK_TENTATIVE);
    cols_in_range(s, dets, n, cfg->high_threshold, INFINITY);
    match_stage(s, dets, cfg->tentative_match_iou, cfg->fuse_score, TRUE);
  } else if (n > 0) {
    rows_in_state(s, -1, -1);
    cols_in_range(s, dets, n, cfg->low_threshold, INFINITY);
    match_stage(s, dets, cfg->iou_threshold, FALSE, FALSE);
  }
  settle(s, detected);
  births(s, dets, n);
  report(s, detected);
  *tracks = (const VfTrackerTrack *)(gconstpointer)s->out->data;
  return s->out->len;
}
