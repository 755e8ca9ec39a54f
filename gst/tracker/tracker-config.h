/* vidflow tracker: the vftracker configuration (ll-config-file, a YAML file; element properties
 * override it).
 *
 * The file is one flat mapping of key: value, the keys being the element's property names
 * (kebab-case; '_' is accepted for '-', case is ignored):
 *
 *   algorithm: bytetrack     # or iou
 *   high-threshold: 0.5
 *   max-lost: 30
 *
 * Every key, its default and meaning: docs/tracker.md (and the table below, which the element's
 * properties are made from). Errors name the file, the line and the key:
 *   "tracker.yaml:3: max-lost: 'many' is not an integer". Threads: a config is not locked; build
 * it on one thread, then share it read-only. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  VF_TRACKER_ALGO_IOU = 0,   /* greedy IoU (the cheap baseline) */
  VF_TRACKER_ALGO_BYTETRACK, /* Kalman filter + two-stage association (ByteTrack) */
} VfTrackerAlgorithm;

typedef struct {
  char *path; /* (nullable) the file it was read from */

  VfTrackerAlgorithm algorithm;
  gdouble low_threshold;         /* detections below are ignored */
  gdouble high_threshold;        /* bytetrack: first-stage detections (at least this) */
  gdouble birth_threshold;       /* a new track needs a detection of at least this */
  gdouble iou_threshold;         /* iou: least overlap to continue a track */
  gdouble match_iou;             /* bytetrack: least similarity, first stage */
  gdouble second_match_iou;      /* bytetrack: least IoU, second stage (low detections) */
  gboolean second_stage_lost;    /* bytetrack: the second stage continues lost tracks too */
  gdouble tentative_match_iou;   /* bytetrack: least similarity for unconfirmed tracks */
  gboolean fuse_score;           /* bytetrack: similarity = IoU x detection confidence */
  gint min_hits;                 /* frames with a detection before a track is confirmed */
  gint max_lost;                 /* frames a confirmed track is kept without a detection */
  gint max_tracks;               /* tracks per source; further births are refused */
  gboolean class_agnostic;       /* match detections of any class to a track */
  gdouble position_noise;        /* bytetrack Kalman: position std, fraction of box height */
  gdouble velocity_noise;        /* bytetrack Kalman: velocity std, fraction of box height */
  gboolean output_shadow_tracks; /* lost tracks as frame user meta (VF_TRACKER_META_SHADOWS) */
  gboolean predict_skipped;      /* predicted objects on frames the detector skipped */
  gint predict_lost;             /* lost tracks stay objects (predicted) this many frames */

  /* private: key -> "file:line" where it was set, or "property" */
  GHashTable *origins;
} VfTrackerConfig;

/* The keys, for the element's properties and the docs. */
typedef enum {
  VF_TRACKER_KEY_ENUM,
  VF_TRACKER_KEY_DOUBLE,
  VF_TRACKER_KEY_INT,
  VF_TRACKER_KEY_BOOL
} VfTrackerKeyType;

typedef struct {
  const char *name; /* the key and property name */
  VfTrackerKeyType type;
  gsize offset;
  gdouble min, max, def;      /* DOUBLE, INT; def also for BOOL and ENUM */
  const char *const *choices; /* ENUM: index = value */
  const char *blurb;          /* what it is, its default */
} VfTrackerKey;

/* (transfer none) the key table; *n_keys receives its length. */
const VfTrackerKey *vf_tracker_config_keys(guint *n_keys);

/* A config with every default (transfer full). */
VfTrackerConfig *vf_tracker_config_new(void);
void vf_tracker_config_free(VfTrackerConfig *config);

/* Read a YAML file (transfer full), or NULL with *error: VF_ERROR_NOT_FOUND for a missing file,
 * VF_ERROR_VALUE with "FILE:LINE: key: ..." for a bad key or value. Not validated yet. */
VfTrackerConfig *vf_tracker_config_load(const char *path, GError **error);
/* Override one key from a string, as an element property does ("0.6", "bytetrack", "true"). */
gboolean vf_tracker_config_set(VfTrackerConfig *config, const char *key, const char *value,
                               GError **error);
/* Check values against each other (low <= high <= birth, ...). */
gboolean vf_tracker_config_validate(VfTrackerConfig *config, GError **error);

G_END_DECLS
