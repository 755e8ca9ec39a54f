/* A sample custom tracker for vftracker (include/vidflow/tracker.h): nearest centre.
 *
 * Each detection continues the track whose last centre is nearest, if it is within max-distance
 * pixels and of the same class (each track taken once, nearest pairs first); the others start
 * new tracks, confirmed at once. A track that misses its detection is LOST for up to max-lost
 * frames. It is deliberately simple: it shows the ABI, not good tracking (the built-in
 * bytetrack is far better).
 *
 * Config (ll-config-file, optional): lines "key = value"; '#' starts a comment.
 *   max-distance = 80    # pixels (default 50)
 *   max-lost = 10        # frames (default 5)
 *
 *   gst-launch-1.0 ... ! vftracker ll-lib-file=build/plugins/tracker-sample/libvf-tracker-sample.so
 * \ ll-config-file=sample.conf ! ...
 *
 * Only the C standard library: a tracker library needs neither GLib nor GStreamer. */
#include <vidflow/tracker.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

typedef struct {
  float max_distance;
  uint32_t max_lost;
} Sample;

typedef struct {
  VfTrackerTrack *tracks; /* alive tracks; the first n_out of `out` are reported */
  int32_t n_tracks, cap;
  VfTrackerTrack *out;
  int32_t out_cap;
  uint64_t next_id;
} Stream;

static void *sample_create(const char *config_path, char *error, size_t error_size)
{
  Sample *s = calloc(1, sizeof *s);
  if (s == NULL) {
    snprintf(error, error_size, "out of memory");
    return NULL;
  }
  s->max_distance = 50;
  s->max_lost = 5;
  if (config_path == NULL)
    return s;
  FILE *f = fopen(config_path, "r");
  if (f == NULL) {
    snprintf(error, error_size, "cannot read %s", config_path);
    free(s);
    return NULL;
  }
  char line[256];
  for (int n = 1; fgets(line, sizeof line, f); n++) {
    char *hash = strchr(line, '#');
    if (hash)
      *hash = '\0';
    char key[64];
    double value;
    char rest;
    if (sscanf(line, " %63[a-z-] = %lf %c", key, &value, &rest) == 2 && value >= 0) {
      if (strcmp(key, "max-distance") == 0) {
        s->max_distance = (float)value;
        continue;
      }
      if (strcmp(key, "max-lost") == 0) {
        s->max_lost = (uint32_t)value;
        continue;
      }
    }
    int blank = 1;
    for (char *p = line; *p; p++)
      blank &= *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
    if (!blank) {
      snprintf(error, error_size, "%s:%d: expected 'max-distance = N' or 'max-lost = N'",
               config_path, n);
      fclose(f);
      free(s);
      return NULL;
    }
  }
  fclose(f);
  return s;
}

static void sample_destroy(void *tracker)
{
  free(tracker);
}

static void *sample_stream_new(void *tracker, uint32_t source_id, uint64_t first_id, char *error,
                               size_t error_size)
{
  (void)tracker;
  (void)source_id;
  Stream *st = calloc(1, sizeof *st);
  if (st == NULL)
    snprintf(error, error_size, "out of memory");
  else
    st->next_id = first_id;
  return st;
}

static void sample_stream_free(void *tracker, void *stream)
{
  (void)tracker;
  Stream *st = stream;
  free(st->tracks);
  free(st->out);
  free(st);
}

static int grow(VfTrackerTrack **array, int32_t *cap, int32_t need)
{
  if (need <= *cap)
    return 1;
  int32_t c = need * 2;
  VfTrackerTrack *a = realloc(*array, (size_t)c * sizeof **array);
  if (a == NULL)
    return 0;
  *array = a;
  *cap = c;
  return 1;
}

static float centre_distance(const VfTrackerTrack *t, const VfTrackerDetection *d)
{
  float dx = (t->left + t->width / 2) - (d->left + d->width / 2);
  float dy = (t->top + t->height / 2) - (d->top + d->height / 2);
  return sqrtf(dx * dx + dy * dy);
}

static int32_t sample_process(void *tracker, void *stream, const VfTrackerFrame *frame,
                              const VfTrackerDetection *dets, int32_t n_dets,
                              const VfTrackerTrack **tracks, char *error, size_t error_size)
{
  Sample *s = tracker;
  Stream *st = stream;
  if (!grow(&st->tracks, &st->cap, st->n_tracks + n_dets)) {
    snprintf(error, error_size, "out of memory");
    return -1;
  }
  for (int32_t i = 0; i < st->n_tracks; i++) {
    st->tracks[i].detection = -1;
    st->tracks[i].age++;
  }
  /* nearest pairs first: repeatedly take the closest free (track, detection) pair */
  char *taken = calloc((size_t)n_dets + 1, 1);
  if (taken == NULL) {
    snprintf(error, error_size, "out of memory");
    return -1;
  }
  for (;;) {
    int32_t bt = -1, bd = -1;
    float best = s->max_distance;
    for (int32_t i = 0; i < st->n_tracks; i++) {
      if (st->tracks[i].detection >= 0)
        continue;
      for (int32_t d = 0; d < n_dets; d++) {
        float dist = centre_distance(&st->tracks[i], &dets[d]);
        if (!taken[d] && dets[d].class_id == st->tracks[i].class_id && dist <= best) {
          best = dist;
          bt = i;
          bd = d;
        }
      }
    }
    if (bt < 0)
      break;
    VfTrackerTrack *t = &st->tracks[bt];
    const VfTrackerDetection *d = &dets[bd];
    t->detection = bd;
    t->state = VF_TRACK_CONFIRMED;
    t->left = d->left, t->top = d->top, t->width = d->width, t->height = d->height;
    t->confidence = d->confidence;
    t->label = d->label;
    t->component_id = d->component_id;
    t->misses = 0;
    taken[bd] = 1;
  }
  /* misses and ends (a frame the detector skipped is not a miss) */
  int32_t keep = 0;
  for (int32_t i = 0; i < st->n_tracks; i++) {
    VfTrackerTrack *t = &st->tracks[i];
    if (t->detection < 0 && frame->detected) {
      t->misses++;
      t->state = VF_TRACK_LOST;
    }
    if (t->misses <= s->max_lost)
      st->tracks[keep++] = *t;
  }
  st->n_tracks = keep;
  /* births */
  for (int32_t d = 0; d < n_dets; d++) {
    if (taken[d])
      continue;
    const VfTrackerDetection *det = &dets[d];
    st->tracks[st->n_tracks++] = (VfTrackerTrack){
      .id = st->next_id++,
      .detection = d,
      .state = VF_TRACK_CONFIRMED,
      .left = det->left,
      .top = det->top,
      .width = det->width,
      .height = det->height,
      .confidence = det->confidence,
      .class_id = det->class_id,
      .label = det->label,
      .component_id = det->component_id,
    };
  }
  free(taken);
  if (!grow(&st->out, &st->out_cap, st->n_tracks)) {
    snprintf(error, error_size, "out of memory");
    return -1;
  }
  memcpy(st->out, st->tracks, (size_t)st->n_tracks * sizeof *st->out);
  *tracks = st->out;
  return st->n_tracks;
}

static const VfTracker sample_tracker = {
  .abi_version = VF_TRACKER_ABI,
  .struct_size = sizeof(VfTracker),
  .name = "sample-nearest-centre",
  .create = sample_create,
  .destroy = sample_destroy,
  .stream_new = sample_stream_new,
  .stream_free = sample_stream_free,
  .process = sample_process,
};

EXPORT const VfTracker *vf_tracker_v1(void);

const VfTracker *vf_tracker_v1(void)
{
  return &sample_tracker;
}
