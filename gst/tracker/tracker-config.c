/* vidflow tracker: the YAML config, its defaults, overrides and validation.
 *
 * One table (keys[]) drives parsing (file and properties), the element's properties and the
 * messages. Files are read with the project's YAML helpers (lib/yaml-doc.h), so errors carry the
 * file and line the same way the other readers' do. */
#include "tracker-config.h"

#include "yaml-doc.h"

#include <math.h>
#include <string.h>
#include <vidflow/error.h>

static const char *const algorithms[] = { "iou", "bytetrack", NULL };

#define OFF(field) G_STRUCT_OFFSET(VfTrackerConfig, field)
static const VfTrackerKey keys[] = {
  { "algorithm", VF_TRACKER_KEY_ENUM, OFF(algorithm), 0, 0, VF_TRACKER_ALGO_BYTETRACK, algorithms,
    "Tracking algorithm: iou (greedy IoU, no motion model) or bytetrack (Kalman filter, "
    "two-stage association, Hungarian assignment) (default: bytetrack)" },
  { "low-threshold", VF_TRACKER_KEY_DOUBLE, OFF(low_threshold), 0, 1, 0.1, NULL,
    "Detections of lower confidence are ignored (default: 0.1)" },
  { "high-threshold", VF_TRACKER_KEY_DOUBLE, OFF(high_threshold), 0, 1, 0.5, NULL,
    "bytetrack: detections of at least this confidence are matched first, the others (from "
    "low-threshold) only to tracks left over (default: 0.5)" },
  { "birth-threshold", VF_TRACKER_KEY_DOUBLE, OFF(birth_threshold), 0, 1, 0.5, NULL,
    "A new track needs a detection of at least this confidence (default: 0.5)" },
  { "iou-threshold", VF_TRACKER_KEY_DOUBLE, OFF(iou_threshold), 0.01, 1, 0.3, NULL,
    "iou: least overlap between a track's last box and a detection to continue it "
    "(default: 0.3)" },
  { "match-iou", VF_TRACKER_KEY_DOUBLE, OFF(match_iou), 0.01, 1, 0.3, NULL,
    "bytetrack: least similarity (IoU, times the confidence with fuse-score) of a first-stage "
    "match (default: 0.3)" },
  { "second-match-iou", VF_TRACKER_KEY_DOUBLE, OFF(second_match_iou), 0.01, 1, 0.5, NULL,
    "bytetrack: least IoU of a second-stage match, low-confidence detections (default: 0.5)" },
  { "second-stage-lost", VF_TRACKER_KEY_BOOL, OFF(second_stage_lost), 0, 0, TRUE, NULL,
    "bytetrack: the second stage gives low-confidence detections to lost tracks too, not only "
    "to tracked ones (original ByteTrack: false) (default: true)" },
  { "tentative-match-iou", VF_TRACKER_KEY_DOUBLE, OFF(tentative_match_iou), 0.01, 1, 0.3, NULL,
    "bytetrack: least similarity of a match to a track not confirmed yet (default: 0.3)" },
  { "fuse-score", VF_TRACKER_KEY_BOOL, OFF(fuse_score), 0, 0, FALSE, NULL,
    "bytetrack: weigh the IoU by the detection's confidence in the first and tentative stages, "
    "as ByteTrack does for detectors whose confidences are high (0.8-0.95); off suits detectors "
    "whose confidences sit near their threshold, as the SSD of configs/ (default: false)" },
  { "min-hits", VF_TRACKER_KEY_INT, OFF(min_hits), 1, 1000, 2, NULL,
    "Consecutive frames with a detection before a track is confirmed and gets its id; 1: "
    "at once (default: 2)" },
  { "max-lost", VF_TRACKER_KEY_INT, OFF(max_lost), 0, 100000, 60, NULL,
    "Frames a confirmed track is kept without a detection before it ends (default: 60, 2 s at "
    "30 fps)" },
  { "max-tracks", VF_TRACKER_KEY_INT, OFF(max_tracks), 1, 1000000, 1000, NULL,
    "Most tracks per source; detections that would start more stay untracked (default: 1000)" },
  { "class-agnostic", VF_TRACKER_KEY_BOOL, OFF(class_agnostic), 0, 0, FALSE, NULL,
    "Match detections of any class to a track (default: false, only the track's class)" },
  { "position-noise", VF_TRACKER_KEY_DOUBLE, OFF(position_noise), 1e-6, 10, 0.05, NULL,
    "bytetrack: Kalman position noise, standard deviation as a fraction of the box height "
    "(default: 0.05)" },
  { "velocity-noise", VF_TRACKER_KEY_DOUBLE, OFF(velocity_noise), 1e-6, 10, 0.00625, NULL,
    "bytetrack: Kalman velocity noise, standard deviation per frame as a fraction of the box "
    "height (default: 0.00625)" },
  { "output-shadow-tracks", VF_TRACKER_KEY_BOOL, OFF(output_shadow_tracks), 0, 0, FALSE, NULL,
    "List the tracks kept while lost (predicted boxes) in frame user meta vf-tracker-shadows "
    "(default: false)" },
  { "predict-skipped", VF_TRACKER_KEY_BOOL, OFF(predict_skipped), 0, 0, TRUE, NULL,
    "On frames the detector skipped (vfinfer interval), add each confirmed track as a "
    "predicted object (default: true)" },
  { "predict-lost", VF_TRACKER_KEY_INT, OFF(predict_lost), 0, 1000, 2, NULL,
    "A confirmed track that misses its detection stays an object (predicted, flagged "
    "vf-tracker-predicted) for this many frames, then only a shadow track; 0: at once "
    "(default: 2)" },
};
#undef OFF

#define FIELD(cfg, key, type) ((type *)((guint8 *)(cfg) + (key)->offset))

const VfTrackerKey *vf_tracker_config_keys(guint *n_keys)
{
  if (n_keys)
    *n_keys = G_N_ELEMENTS(keys);
  return keys;
}

static gboolean same_name(const char *a, const char *b)
{
  for (; *a && *b; a++, b++) {
    char x = *a == '_' ? '-' : g_ascii_tolower(*a), y = *b == '_' ? '-' : g_ascii_tolower(*b);
    if (x != y)
      return FALSE;
  }
  return *a == *b;
}

static const VfTrackerKey *find_key(const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS(keys); i++)
    if (same_name(keys[i].name, name))
      return &keys[i];
  return NULL;
}

static char *key_list(void)
{
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < G_N_ELEMENTS(keys); i++)
    g_string_append_printf(s, "%s%s", i ? ", " : "", keys[i].name);
  return g_string_free(s, FALSE);
}

VfTrackerConfig *vf_tracker_config_new(void)
{
  VfTrackerConfig *cfg = g_new0(VfTrackerConfig, 1);
  for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
    const VfTrackerKey *k = &keys[i];
    switch (k->type) {
    case VF_TRACKER_KEY_DOUBLE:
      *FIELD(cfg, k, gdouble) = k->def;
      break;
    case VF_TRACKER_KEY_INT:
    case VF_TRACKER_KEY_ENUM:
      *FIELD(cfg, k, gint) = (gint)k->def;
      break;
    case VF_TRACKER_KEY_BOOL:
      *FIELD(cfg, k, gboolean) = k->def != 0;
      break;
    }
  }
  cfg->origins = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
  return cfg;
}

void vf_tracker_config_free(VfTrackerConfig *cfg)
{
  if (cfg == NULL)
    return;
  g_hash_table_destroy(cfg->origins);
  g_free(cfg->path);
  g_free(cfg);
}

/* Store `text` into key k; on failure *error says why (without where). */
static gboolean set_value(VfTrackerConfig *cfg, const VfTrackerKey *k, const char *text,
                          GError **error)
{
  const char *s = text ? text : "";
  switch (k->type) {
  case VF_TRACKER_KEY_ENUM:
    for (guint i = 0; k->choices[i]; i++)
      if (g_ascii_strcasecmp(s, k->choices[i]) == 0) {
        *FIELD(cfg, k, gint) = (gint)i;
        return TRUE;
      }
    {
      char *all = g_strjoinv(", ", (char **)k->choices);
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "unknown value '%s' (one of: %s)", s, all);
      g_free(all);
    }
    return FALSE;
  case VF_TRACKER_KEY_DOUBLE: {
    char *end = NULL;
    gdouble d = g_ascii_strtod(s, &end);
    while (end && g_ascii_isspace(*end))
      end++;
    if (*s == '\0' || end == NULL || *end != '\0' || !isfinite(d)) {
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "'%s' is not a number", s);
      return FALSE;
    }
    if (d < k->min || d > k->max) {
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "%g is out of range [%g, %g]", d, k->min,
                  k->max);
      return FALSE;
    }
    *FIELD(cfg, k, gdouble) = d;
    return TRUE;
  }
  case VF_TRACKER_KEY_INT: {
    gint64 v = 0;
    if (!g_ascii_string_to_signed(s, 10, G_MININT64, G_MAXINT64, &v, NULL)) {
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "'%s' is not an integer", s);
      return FALSE;
    }
    if (v < k->min || v > k->max) {
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                  "%" G_GINT64_FORMAT " is out of range [%.0f, %.0f]", v, k->min, k->max);
      return FALSE;
    }
    *FIELD(cfg, k, gint) = (gint)v;
    return TRUE;
  }
  case VF_TRACKER_KEY_BOOL: {
    static const char *const yes[] = { "true", "yes", "on", "1" };
    static const char *const no[] = { "false", "no", "off", "0" };
    for (guint i = 0; i < G_N_ELEMENTS(yes); i++) {
      if (g_ascii_strcasecmp(s, yes[i]) == 0)
        return *FIELD(cfg, k, gboolean) = TRUE, TRUE;
      if (g_ascii_strcasecmp(s, no[i]) == 0)
        return *FIELD(cfg, k, gboolean) = FALSE, TRUE;
    }
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "'%s' is not a boolean (true or false)", s);
    return FALSE;
  }
  }
  return FALSE;
}

gboolean vf_tracker_config_set(VfTrackerConfig *cfg, const char *key, const char *value,
                               GError **error)
{
  const VfTrackerKey *k = key ? find_key(key) : NULL;
  if (k == NULL) {
    char *all = key_list();
    g_set_error(error, VF_ERROR, VF_ERROR_PROPERTY, "vftracker has no key '%s' (keys: %s)",
                key ? key : "(null)", all);
    g_free(all);
    return FALSE;
  }
  if (!set_value(cfg, k, value, error)) {
    g_prefix_error(error, "property '%s': ", k->name);
    return FALSE;
  }
  g_hash_table_replace(cfg->origins, (gpointer)k->name, g_strdup("property"));
  return TRUE;
}

/* DeepStream's NvMultiObjectTracker configs (config_tracker_NvDCF_perf.yml, ...): OpenCV-style
 * YAML ("%YAML:1.0", which libyaml refuses) of these sections. */
static const char *const nvidia_sections[] = {
  "BaseConfig",
  "TargetManagement",
  "TrajectoryManagement",
  "DataAssociator",
  "StateEstimator",
  "VisualTracker",
  "ReID",
  NULL,
};

/* TRUE with *error set when `path` is an NvMultiObjectTracker config, which vftracker does not
 * read: the message says what to use instead. */
static gboolean refuse_nvidia_config(const char *path, GError **error)
{
  char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return FALSE; /* the YAML reader says why */
  guint line = 0;
  const char *what = NULL;
  if (g_str_has_prefix(text, "%YAML:1.0")) {
    line = 1;
    what = "'%YAML:1.0'";
  }
  char **lines = g_strsplit(text, "\n", -1);
  for (guint i = 0; what == NULL && lines[i]; i++)
    for (guint k = 0; nvidia_sections[k]; k++) {
      gsize n = strlen(nvidia_sections[k]);
      if (strncmp(lines[i], nvidia_sections[k], n) == 0
          && (lines[i][n] == ':' || lines[i][n] == ' ')) {
        line = i + 1;
        what = nvidia_sections[k];
        break;
      }
    }
  g_strfreev(lines);
  g_free(text);
  if (what == NULL)
    return FALSE;
  g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
              "%s:%u: %s: this is a DeepStream NvMultiObjectTracker config (NvDCF, IOU, NvSORT, "
              "NvDeepSORT), which vftracker does not read: use configs/tracker_bytetrack.yaml or "
              "configs/tracker_iou.yaml, or write vftracker's keys (docs/tracker.md; "
              "minDetectorConfidence is low-threshold, probationAge min-hits, "
              "maxShadowTrackingAge max-lost, maxTargetsPerStream max-tracks)",
              path, line, what);
  return TRUE;
}

VfTrackerConfig *vf_tracker_config_load(const char *path, GError **error)
{
  if (path == NULL || *path == '\0') {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "no tracker config file given");
    return NULL;
  }
  if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "ll-config-file '%s' not found: point it at a vftracker YAML file "
                "(docs/tracker.md lists the keys), or leave it unset for the defaults",
                path);
    return NULL;
  }
  if (refuse_nvidia_config(path, error))
    return NULL;
  VfYamlDoc *doc = vf_yaml_doc_load(path, error);
  if (doc == NULL)
    return NULL;
  VfTrackerConfig *cfg = vf_tracker_config_new();
  cfg->path = g_strdup(path);
  yaml_node_t *root = vf_yaml_root(doc);
  gboolean ok = TRUE;
  if (root != NULL && !vf_yaml_is_null(root) && root->type != YAML_MAPPING_NODE) {
    vf_yaml_error(error, doc, root, VF_ERROR_VALUE,
                  "a tracker config is a mapping of 'key: value' lines (docs/tracker.md)");
    ok = FALSE;
  }
  if (ok && root != NULL && root->type == YAML_MAPPING_NODE) {
    VF_YAML_FOREACH_PAIR(root, pair)
    {
      yaml_node_t *kn = vf_yaml_node(doc, pair->key), *vn = vf_yaml_node(doc, pair->value);
      const char *name = vf_yaml_scalar(kn);
      const VfTrackerKey *k = name ? find_key(name) : NULL;
      if (k == NULL) {
        char *all = key_list();
        vf_yaml_error(error, doc, kn, VF_ERROR_VALUE, "unknown key '%s' (keys: %s)",
                      name ? name : "?", all);
        g_free(all);
        ok = FALSE;
        break;
      }
      const char *first = g_hash_table_lookup(cfg->origins, k->name);
      if (first) {
        vf_yaml_error(error, doc, kn, VF_ERROR_VALUE, "key '%s' is set twice (first at %s)",
                      k->name, first);
        ok = FALSE;
        break;
      }
      char *text = vf_yaml_text(vn);
      GError *err = NULL;
      if (text == NULL) {
        vf_yaml_error(error, doc, vn, VF_ERROR_VALUE, "%s: expected a single value", k->name);
        ok = FALSE;
      } else if (!set_value(cfg, k, text, &err)) {
        vf_yaml_error(error, doc, vn, VF_ERROR_VALUE, "%s: %s", k->name, err->message);
        g_error_free(err);
        ok = FALSE;
      }
      g_free(text);
      if (!ok)
        break;
      g_hash_table_replace(cfg->origins, (gpointer)k->name,
                           g_strdup_printf("%s:%u", path, vf_yaml_line(kn)));
    }
  }
  vf_yaml_doc_free(doc);
  if (!ok) {
    vf_tracker_config_free(cfg);
    return NULL;
  }
  return cfg;
}

/* "tracker.yaml:4: high-threshold", "property 'high-threshold'" or "high-threshold" (the
 * default), for messages (transfer full). */
static char *where(const VfTrackerConfig *cfg, const char *key)
{
  const char *origin = g_hash_table_lookup(cfg->origins, key);
  if (origin && g_str_equal(origin, "property"))
    return g_strdup_printf("property '%s'", key);
  if (origin)
    return g_strdup_printf("%s: %s", origin, key);
  return g_strdup_printf("%s (the default)", key);
}

/* a <= b, else an error naming both keys. */
static gboolean check_order(const VfTrackerConfig *cfg, const char *ka, gdouble a, const char *kb,
                            gdouble b, GError **error)
{
  if (a <= b)
    return TRUE;
  char *wa = where(cfg, ka), *wb = where(cfg, kb);
  g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
              "%s = %g must not be above %s = %g: lower the first or raise the second", wa, a, wb,
              b);
  g_free(wa);
  g_free(wb);
  return FALSE;
}

gboolean vf_tracker_config_validate(VfTrackerConfig *cfg, GError **error)
{
  if (!check_order(cfg, "low-threshold", cfg->low_threshold, "birth-threshold",
                   cfg->birth_threshold, error))
    return FALSE;
  if (cfg->algorithm == VF_TRACKER_ALGO_BYTETRACK
      && !check_order(cfg, "low-threshold", cfg->low_threshold, "high-threshold",
                      cfg->high_threshold, error))
    return FALSE;
  return TRUE;
}
