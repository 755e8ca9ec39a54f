/* vidflow infer: the YAML config, its defaults, overrides and validation.
 *
 * One table (keys[]) drives everything: parsing a YAML value, parsing a property string, "did you
 * mean" suggestions and the list of keys. A value arrives as a Value (a scalar, a list of scalars
 * or a list of key/value pairs) with its origin ("file:line" or "property"), so one setter per
 * type serves both the file and the overrides. */
#include "config.h"

#include "short-text.h"
#include "yaml-doc.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const char *const vf_infer_builtin_parsers[]
    = { "ssd", "blazeface", "yolov5", "yolov8", "classifier", NULL };

/* --- values --- */

typedef enum { V_SCALAR, V_LIST, V_MAP } ValueKind;

typedef struct {
  ValueKind kind;
  const char *scalar; /* V_SCALAR (NULL: empty / null) */
  GPtrArray *items;   /* V_LIST: char*; V_MAP: alternating key, value char* */
  GArray *item_lines; /* line of each list item / map pair (file values), else empty */
  char *origin;       /* "file:line" or "property" */
  gboolean from_file;
} Value;

typedef enum {
  T_STRING,
  T_PATH,
  T_INT,
  T_DOUBLE,
  T_BOOL,
  T_ENUM,
  T_DOUBLE3,   /* 1 value (broadcast) or 3 */
  T_SHAPE,     /* exactly 3 positive ints */
  T_DOUBLE4,   /* exactly 4 */
  T_STRV,      /* list of names */
  T_INTLIST,   /* list of ints >= 0 */
  T_THRESHOLDS /* map label-or-id -> threshold */
} Type;

typedef struct {
  const char *name;
  Type type;
  gsize offset;
  gdouble min, max;           /* T_INT, T_DOUBLE (and list items) */
  const char *const *choices; /* T_ENUM: index = enum value */
} Key;

static const char *const layouts[] = { "NCHW", "NHWC", NULL };
static const char *const color_orders[] = { "RGB", "BGR", "GRAY", NULL };
static const char *const scalings[] = { "stretch", "letterbox", NULL };
static const char *const modes[] = { "primary", "secondary", NULL };
static const char *const activations[] = { "auto", "none", "sigmoid", "softmax", NULL };

#define OFF(field) G_STRUCT_OFFSET(VfInferConfig, field)
static const Key keys[] = {
  { "model", T_PATH, OFF(model), 0, 0, NULL },
  { "backend", T_STRING, OFF(backend), 0, 0, NULL },
  { "execution-provider", T_STRING, OFF(execution_provider), 0, 0, NULL },
  { "device-id", T_INT, OFF(device_id), 0, 64, NULL },
  { "ort-library", T_PATH, OFF(ort_library), 0, 0, NULL },
  { "threads", T_INT, OFF(threads), 0, 256, NULL },
  { "batch-size", T_INT, OFF(batch_size), 1, 64, NULL },
  { "input-name", T_STRING, OFF(input_name), 0, 0, NULL },
  { "input-shape", T_SHAPE, OFF(input_shape), 1, 16384, NULL },
  { "input-layout", T_ENUM, OFF(input_layout), 0, 0, layouts },
  { "color-order", T_ENUM, OFF(color_order), 0, 0, color_orders },
  { "scaling", T_ENUM, OFF(scaling), 0, 0, scalings },
  { "pad-value", T_DOUBLE, OFF(pad_value), 0, 255, NULL },
  { "scale", T_DOUBLE, OFF(scale), -1e6, 1e6, NULL },
  { "mean", T_DOUBLE3, OFF(mean), -1e6, 1e6, NULL },
  { "std", T_DOUBLE3, OFF(std), -1e6, 1e6, NULL },
  { "parser", T_STRING, OFF(parser), 0, 0, NULL },
  { "custom-lib", T_PATH, OFF(custom_lib), 0, 0, NULL },
  { "custom-params", T_STRING, OFF(custom_params), 0, 0, NULL },
  { "output-names", T_STRV, OFF(output_names), 0, 0, NULL },
  { "labels", T_PATH, OFF(labels_path), 0, 0, NULL },
  { "num-classes", T_INT, OFF(num_classes), 0, 1000000, NULL },
  { "threshold", T_DOUBLE, OFF(threshold), 0, 1, NULL },
  { "class-thresholds", T_THRESHOLDS, 0, 0, 1, NULL },
  { "nms-iou", T_DOUBLE, OFF(nms_iou), 0.01, 1, NULL },
  { "top-k", T_INT, OFF(top_k), 1, 100000, NULL },
  { "score-activation", T_ENUM, OFF(activation), 0, 0, activations },
  { "background-class", T_INT, OFF(background_class), -1, 1000000, NULL },
  { "anchors", T_PATH, OFF(anchors), 0, 0, NULL },
  { "box-coder-scales", T_DOUBLE4, OFF(box_coder_scales), 1e-6, 1e6, NULL },
  { "keypoints", T_BOOL, OFF(keypoints), 0, 0, NULL },
  { "interval", T_INT, OFF(interval), 0, 1000000, NULL },
  { "unique-id", T_INT, OFF(unique_id), 0, G_MAXINT, NULL },
  { "process-mode", T_ENUM, OFF(process_mode), 0, 0, modes },
  { "operate-on-unique-id", T_INT, OFF(operate_on_unique_id), -1, G_MAXINT, NULL },
  { "operate-on-classes", T_INTLIST, OFF(operate_on_classes), 0, 1000000, NULL },
  { "min-object-width", T_INT, OFF(min_object_width), 0, 1000000, NULL },
  { "min-object-height", T_INT, OFF(min_object_height), 0, 1000000, NULL },
  { "secondary-reinfer-interval", T_INT, OFF(secondary_reinfer_interval), 0, 1000000, NULL },
  { "secondary-reinfer-growth", T_DOUBLE, OFF(secondary_reinfer_growth), 0, 100, NULL },
  { "output-tensor-meta", T_BOOL, OFF(output_tensor_meta), 0, 0, NULL },
};
#undef OFF

/* A class-thresholds entry waiting for the labels: by name or id. */
typedef struct {
  char *name;
  gdouble value;
  char *origin;
} PendingThreshold;

/* Private fields live after the public struct. */
typedef struct {
  VfInferConfig pub;
  GPtrArray *pending; /* PendingThreshold* */
  char *loaded_labels_path;
} Config;

#define FIELD(cfg, key, type) ((type *)((guint8 *)(cfg) + (key)->offset))

const char *const *vf_infer_config_keys(void)
{
  static const char *names[G_N_ELEMENTS(keys) + 1];
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    for (guint i = 0; i < G_N_ELEMENTS(keys); i++)
      names[i] = keys[i].name;
    g_once_init_leave(&once, 1);
  }
  return names;
}

static char *normalise_key(const char *name)
{
  char *n = g_ascii_strdown(name, -1);
  g_strdelimit(n, "_", '-');
  return n;
}

static const Key *find_key(const char *name)
{
  char *n = normalise_key(name);
  const Key *found = NULL;
  for (guint i = 0; i < G_N_ELEMENTS(keys) && !found; i++)
    if (strcmp(keys[i].name, n) == 0)
      found = &keys[i];
  g_free(n);
  return found;
}

gboolean vf_infer_config_has_key(const char *name)
{
  return find_key(name) != NULL;
}

/* "Did you mean" stays cheap whatever the input: words and candidates longer than this are not
 * compared, and at most SUGGEST_MAX_CANDIDATES names are tried (a labels file may hold a million).
 */
#define SUGGEST_MAX_LEN 64
#define SUGGEST_MAX_CANDIDATES 100000

/* Edit distance counting a swap of two neighbours as one edit (typos), case-insensitive, of two
 * strings of at most SUGGEST_MAX_LEN bytes; any value above `limit` comes back as limit + 1. */
static guint edit_distance(const char *a, gsize la, const char *b, gsize lb, guint limit)
{
  if ((la > lb ? la - lb : lb - la) > limit)
    return limit + 1;
  /* three rows of the table: d[i][j] is a[0..i) against b[0..j) */
  guint rows[3][SUGGEST_MAX_LEN + 1];
  for (gsize j = 0; j <= lb; j++)
    rows[0][j] = (guint)j;
  for (gsize i = 1; i <= la; i++) {
    guint *row = rows[i % 3], *up = rows[(i - 1) % 3], *up2 = rows[(i - 2) % 3];
    row[0] = (guint)i;
    guint row_min = row[0];
    gchar ca = g_ascii_tolower(a[i - 1]);
    for (gsize j = 1; j <= lb; j++) {
      gchar cb = g_ascii_tolower(b[j - 1]);
      guint v = MIN(up[j] + 1, row[j - 1] + 1);
      v = MIN(v, up[j - 1] + (ca != cb));
      if (i > 1 && j > 1 && ca == g_ascii_tolower(b[j - 2]) && g_ascii_tolower(a[i - 2]) == cb)
        v = MIN(v, up2[j - 2] + 1);
      row[j] = v;
      row_min = MIN(row_min, v);
    }
    if (row_min > limit) /* every later row is at least this */
      return limit + 1;
  }
  return MIN(rows[la % 3][lb], limit + 1);
}

/* The closest of `names` to `word` when it is close enough to be a typo, else NULL. */
static const char *suggest(const char *word, const char *const *names)
{
  gsize lw = strnlen(word, SUGGEST_MAX_LEN + 1);
  if (lw > SUGGEST_MAX_LEN)
    return NULL;
  guint limit = MAX(1, (guint)lw / 3);
  const char *best = NULL;
  guint best_d = limit + 1, tried = 0;
  for (const char *const *n = names; *n && tried < SUGGEST_MAX_CANDIDATES && best_d > 0;
       n++, tried++) {
    gsize ln = strnlen(*n, SUGGEST_MAX_LEN + 1);
    if (ln > SUGGEST_MAX_LEN)
      continue;
    guint d = edit_distance(word, lw, *n, ln, best_d - 1); /* only a closer one counts */
    if (d < best_d) {
      best_d = d;
      best = *n;
    }
  }
  return best;
}

/* --- defaults, free --- */

static void pending_free(gpointer data)
{
  PendingThreshold *p = data;
  g_free(p->name);
  g_free(p->origin);
  g_free(p);
}

VfInferConfig *vf_infer_config_new(void)
{
  Config *c = g_new0(Config, 1);
  VfInferConfig *cfg = &c->pub;
  cfg->dir = g_get_current_dir();
  cfg->backend = g_strdup("onnxruntime");
  cfg->execution_provider = g_strdup("cpu");
  cfg->batch_size = 1;
  cfg->scale = 1.0;
  for (int i = 0; i < 3; i++)
    cfg->std[i] = 1.0;
  cfg->threshold = 0.5;
  cfg->class_thresholds = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  cfg->nms_iou = 0.5;
  cfg->top_k = 100;
  cfg->background_class = -2; /* -2: the parser's default */
  cfg->box_coder_scales[0] = cfg->box_coder_scales[1] = 10.0;
  cfg->box_coder_scales[2] = cfg->box_coder_scales[3] = 5.0;
  cfg->unique_id = 1;
  cfg->operate_on_unique_id = -1;
  cfg->operate_on_classes = g_array_new(FALSE, FALSE, sizeof(gint));
  cfg->secondary_reinfer_growth = 0.2;
  cfg->origins = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  c->pending = g_ptr_array_new_with_free_func(pending_free);
  return cfg;
}

void vf_infer_config_free(VfInferConfig *cfg)
{
  if (cfg == NULL)
    return;
  Config *c = (Config *)cfg;
  for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
    const Key *k = &keys[i];
    if (k->type == T_STRING || k->type == T_PATH)
      g_free(*FIELD(cfg, k, char *));
    else if (k->type == T_STRV)
      g_strfreev(*FIELD(cfg, k, char **));
  }
  g_ptr_array_free(c->pending, TRUE);
  g_free(c->loaded_labels_path);
  g_strfreev(cfg->labels);
  g_hash_table_destroy(cfg->class_thresholds);
  g_array_free(cfg->operate_on_classes, TRUE);
  g_hash_table_destroy(cfg->origins);
  g_free(cfg->path);
  g_free(cfg->dir);
  g_free(c);
}

/* --- messages --- */

static void set_origin(VfInferConfig *cfg, const Key *k, const char *origin)
{
  g_hash_table_replace(cfg->origins, g_strdup(k->name), g_strdup(origin));
}

char *vf_infer_config_where(const VfInferConfig *cfg, const char *key)
{
  const char *origin = g_hash_table_lookup(cfg->origins, key);
  if (origin != NULL && strcmp(origin, "property") == 0)
    return g_strdup_printf("property '%s'", key);
  if (origin != NULL)
    return g_strdup_printf("%s: %s", origin, key);
  if (cfg->path != NULL)
    return g_strdup_printf("%s: %s", cfg->path, key);
  return g_strdup_printf("config key '%s'", key);
}

/* Set *error to "<where key>: <message>". */
static gboolean G_GNUC_PRINTF(4, 5)
    key_error(const VfInferConfig *cfg, GError **error, const char *key, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  char *where = vf_infer_config_where(cfg, key);
  VfError code = strstr(msg, "not found") ? VF_ERROR_NOT_FOUND : VF_ERROR_VALUE;
  g_set_error(error, VF_ERROR, code, "%s: %s", where, msg);
  g_free(where);
  g_free(msg);
  return FALSE;
}

/* Set *error for a value: "<origin>: <key>: <message>". */
static gboolean G_GNUC_PRINTF(4, 5)
    value_error(const Value *v, const Key *k, GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  if (v->from_file)
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "%s: %s: %s", v->origin, k->name, msg);
  else
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "property '%s': %s", k->name, msg);
  g_free(msg);
  return FALSE;
}

/* --- scalar parsing --- */

static gboolean parse_double(const char *s, gdouble *out)
{
  if (s == NULL || *s == '\0')
    return FALSE;
  char *end;
  errno = 0;
  gdouble d = g_ascii_strtod(s, &end);
  while (g_ascii_isspace(*end))
    end++;
  if (errno != 0 || *end != '\0' || !isfinite(d))
    return FALSE;
  *out = d;
  return TRUE;
}

static gboolean parse_int(const char *s, gint64 *out)
{
  if (s == NULL || *s == '\0')
    return FALSE;
  char *end;
  errno = 0;
  gint64 v = g_ascii_strtoll(s, &end, 10);
  while (g_ascii_isspace(*end))
    end++;
  if (errno != 0 || *end != '\0')
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean parse_bool(const char *s, gboolean *out)
{
  static const char *const yes[] = { "true", "yes", "on", "1" }, *const no[]
                                                                 = { "false", "no", "off", "0" };
  for (guint i = 0; s && i < G_N_ELEMENTS(yes); i++) {
    if (g_ascii_strcasecmp(s, yes[i]) == 0)
      return *out = TRUE, TRUE;
    if (g_ascii_strcasecmp(s, no[i]) == 0)
      return *out = FALSE, TRUE;
  }
  return FALSE;
}

/* The numbers of a list value (or of a scalar as a one-item list). */
static gboolean value_numbers(const Value *v, const Key *k, GArray *out, gboolean integers,
                              GError **error)
{
  guint n = v->kind == V_LIST ? v->items->len : 1;
  if (v->kind == V_MAP)
    return value_error(v, k, error, "expected a number or a list of numbers, not a mapping");
  for (guint i = 0; i < n; i++) {
    const char *s = v->kind == V_LIST ? g_ptr_array_index(v->items, i) : v->scalar;
    gdouble d;
    gint64 iv;
    if (integers ? !parse_int(s, &iv) : !parse_double(s, &d))
      return value_error(v, k, error, "'" VF_SHORT_FMT "' is not %s", VF_SHORT(s),
                         integers ? "an integer" : "a number");
    if (integers)
      d = (gdouble)iv;
    if (d < k->min || d > k->max)
      return value_error(v, k, error, VF_SHORT_FMT " is out of range [%g, %g]", VF_SHORT(s), k->min,
                         k->max);
    g_array_append_val(out, d);
  }
  return TRUE;
}

static char *resolve_path(const VfInferConfig *cfg, const Value *v, const char *s)
{
  if (g_path_is_absolute(s) || !v->from_file)
    return g_strdup(s);
  return g_build_filename(cfg->dir, s, NULL);
}

/* Store value v into key k. */
static gboolean set_value(VfInferConfig *cfg, const Key *k, const Value *v, GError **error)
{
  Config *c = (Config *)cfg;
  if (k->type != T_THRESHOLDS && v->kind == V_MAP)
    return value_error(v, k, error, "expected a %s, not a mapping",
                       k->type >= T_DOUBLE3 ? "list" : "single value");
  gboolean list_type = k->type >= T_DOUBLE3 && k->type <= T_INTLIST;
  if (!list_type && k->type != T_THRESHOLDS && v->kind == V_LIST)
    return value_error(v, k, error, "expected a single value, not a list");
  const char *s = v->scalar;

  switch (k->type) {
  case T_STRING:
  case T_PATH: {
    char **field = FIELD(cfg, k, char *);
    g_free(*field);
    *field = s == NULL || *s == '\0' ? NULL
             : k->type == T_PATH     ? resolve_path(cfg, v, s)
                                     : g_strdup(s);
    break;
  }
  case T_INT: {
    gint64 iv;
    if (!parse_int(s, &iv))
      return value_error(v, k, error, "'" VF_SHORT_FMT "' is not an integer", VF_SHORT(s));
    if (iv < k->min || iv > k->max)
      return value_error(v, k, error, "%" G_GINT64_FORMAT " is out of range [%.0f, %.0f]", iv,
                         k->min, k->max);
    *FIELD(cfg, k, gint) = (gint)iv;
    break;
  }
  case T_DOUBLE: {
    gdouble d;
    if (!parse_double(s, &d))
      return value_error(v, k, error, "'" VF_SHORT_FMT "' is not a number", VF_SHORT(s));
    if (d < k->min || d > k->max)
      return value_error(v, k, error, "%g is out of range [%g, %g]", d, k->min, k->max);
    *FIELD(cfg, k, gdouble) = d;
    break;
  }
  case T_BOOL:
    if (!parse_bool(s, FIELD(cfg, k, gboolean)))
      return value_error(v, k, error, "'" VF_SHORT_FMT "' is not a boolean (true or false)",
                         VF_SHORT(s));
    break;
  case T_ENUM: {
    for (guint i = 0; k->choices[i]; i++)
      if (s && g_ascii_strcasecmp(s, k->choices[i]) == 0) {
        *FIELD(cfg, k, gint) = (gint)i;
        return TRUE;
      }
    char *all = g_strjoinv(", ", (char **)k->choices);
    const char *hint = s ? suggest(s, k->choices) : NULL;
    value_error(v, k, error, "unknown value '" VF_SHORT_FMT "' (one of: %s)%s%s%s", VF_SHORT(s),
                all, hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
    g_free(all);
    return FALSE;
  }
  case T_DOUBLE3:
  case T_DOUBLE4:
  case T_SHAPE:
  case T_INTLIST: {
    gboolean ints = k->type == T_SHAPE || k->type == T_INTLIST;
    GArray *nums = g_array_new(FALSE, FALSE, sizeof(gdouble));
    gboolean ok = value_numbers(v, k, nums, ints, error);
    guint n = nums->len;
    const gdouble *d = (const gdouble *)nums->data;
    if (ok && k->type == T_DOUBLE3 && n != 1 && n != 3)
      ok = value_error(v, k, error, "expected 1 or 3 values (one per channel), got %u", n);
    else if (ok && k->type == T_DOUBLE4 && n != 4)
      ok = value_error(v, k, error, "expected 4 values, got %u", n);
    else if (ok && k->type == T_SHAPE && n != 3)
      ok = value_error(v, k, error,
                       "expected 3 dimensions without the batch ([C, H, W] for NCHW, [H, W, C] "
                       "for NHWC), got %u",
                       n);
    if (ok) {
      if (k->type == T_DOUBLE3)
        for (int i = 0; i < 3; i++)
          FIELD(cfg, k, gdouble)[i] = d[n == 1 ? 0 : i];
      else if (k->type == T_DOUBLE4)
        memcpy(FIELD(cfg, k, gdouble), d, 4 * sizeof(gdouble));
      else if (k->type == T_SHAPE)
        for (int i = 0; i < 3; i++)
          FIELD(cfg, k, gint)[i] = (gint)d[i];
      else {
        GArray *a = *FIELD(cfg, k, GArray *);
        g_array_set_size(a, 0);
        for (guint i = 0; i < n; i++) {
          gint id = (gint)d[i];
          g_array_append_val(a, id);
        }
      }
    }
    g_array_free(nums, TRUE);
    if (!ok)
      return FALSE;
    break;
  }
  case T_STRV: {
    char ***field = FIELD(cfg, k, char **);
    guint n = v->kind == V_LIST ? v->items->len : 1;
    for (guint i = 0; v->kind == V_LIST && i < n; i++) {
      const char *item = g_ptr_array_index(v->items, i);
      if (item == NULL || *item == '\0') /* (an empty item would end the list early) */
        return value_error(v, k, error, "item %u of the list is empty: give a name", i + 1);
    }
    g_strfreev(*field);
    *field = NULL;
    if (v->kind == V_SCALAR && (s == NULL || *s == '\0'))
      break;
    GPtrArray *a = g_ptr_array_new();
    for (guint i = 0; i < n; i++)
      g_ptr_array_add(a, g_strdup(v->kind == V_LIST ? g_ptr_array_index(v->items, i) : s));
    g_ptr_array_add(a, NULL);
    *field = (char **)g_ptr_array_free(a, FALSE);
    break;
  }
  case T_THRESHOLDS: {
    if (v->kind != V_MAP && !(v->kind == V_SCALAR && (s == NULL || *s == '\0')))
      return value_error(v, k, error,
                         "expected a mapping of label or class id to threshold, e.g. "
                         "{Person: 0.4, 3: 0.6}");
    g_ptr_array_set_size(c->pending, 0);
    for (guint i = 0; v->kind == V_MAP && i + 1 < v->items->len; i += 2) {
      const char *name = g_ptr_array_index(v->items, i), *val = g_ptr_array_index(v->items, i + 1);
      gdouble d;
      if (!parse_double(val, &d) || d < 0 || d > 1)
        return value_error(v, k, error,
                           "threshold '" VF_SHORT_FMT "' of '" VF_SHORT_FMT
                           "' is not a number in [0, 1]",
                           VF_SHORT(val), VF_SHORT(name));
      PendingThreshold *p = g_new0(PendingThreshold, 1);
      p->name = g_strdup(name);
      p->value = d;
      guint line = v->item_lines->len > i / 2 ? g_array_index(v->item_lines, guint, i / 2) : 0;
      p->origin = v->from_file && cfg->path && line
                      ? g_strdup_printf("%s:%u: class-thresholds", cfg->path, line)
                      : g_strdup("property 'class-thresholds'");
      g_ptr_array_add(c->pending, p);
    }
    break;
  }
  }
  return TRUE;
}

/* --- YAML --- */

static void value_clear(Value *v)
{
  if (v->items)
    g_ptr_array_free(v->items, TRUE);
  if (v->item_lines)
    g_array_free(v->item_lines, TRUE);
  g_free(v->origin);
}

static const char *node_scalar(yaml_node_t *n)
{
  if (n == NULL || n->type != YAML_SCALAR_NODE)
    return NULL;
  const char *s = (const char *)n->data.scalar.value;
  /* a plain ~ / null / empty is "no value" */
  if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
      && (*s == '\0' || strcmp(s, "~") == 0 || g_ascii_strcasecmp(s, "null") == 0))
    return NULL;
  return s;
}

/* Convert a YAML value node to a Value; FALSE for nested structures. */
static gboolean node_to_value(VfInferConfig *cfg, yaml_document_t *doc, yaml_node_t *n,
                              const char *key, Value *v, GError **error)
{
  v->from_file = TRUE;
  v->origin = g_strdup_printf("%s:%zu", cfg->path, n->start_mark.line + 1);
  v->item_lines = g_array_new(FALSE, FALSE, sizeof(guint));
  if (n->type == YAML_SCALAR_NODE) {
    v->kind = V_SCALAR;
    v->scalar = node_scalar(n);
    return TRUE;
  }
  v->items = g_ptr_array_new_with_free_func(g_free);
  if (n->type == YAML_SEQUENCE_NODE) {
    v->kind = V_LIST;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
      yaml_node_t *item = yaml_document_get_node(doc, *it);
      if (item == NULL || item->type != YAML_SCALAR_NODE) {
        g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "%s:%zu: %s: list items must be plain values",
                    cfg->path, (item ? item : n)->start_mark.line + 1, key);
        return FALSE;
      }
      g_ptr_array_add(v->items, g_strdup(node_scalar(item)));
      guint line = (guint)item->start_mark.line + 1;
      g_array_append_val(v->item_lines, line);
    }
    return TRUE;
  }
  v->kind = V_MAP;
  for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
    yaml_node_t *pk = yaml_document_get_node(doc, p->key);
    yaml_node_t *pv = yaml_document_get_node(doc, p->value);
    if (pk == NULL || pv == NULL || pk->type != YAML_SCALAR_NODE || pv->type != YAML_SCALAR_NODE) {
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                  "%s:%zu: %s: entries must be plain 'name: value' pairs", cfg->path,
                  (pk ? pk : n)->start_mark.line + 1, key);
      return FALSE;
    }
    g_ptr_array_add(v->items, g_strdup(node_scalar(pk)));
    g_ptr_array_add(v->items, g_strdup(node_scalar(pv)));
    guint line = (guint)pk->start_mark.line + 1;
    g_array_append_val(v->item_lines, line);
  }
  return TRUE;
}

static gboolean parse_document(VfInferConfig *cfg, yaml_document_t *doc, GError **error)
{
  yaml_node_t *root = yaml_document_get_root_node(doc);
  if (root == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "%s: the config is empty (it needs at least "
                "'model' and 'parser')",
                cfg->path);
    return FALSE;
  }
  if (root->type != YAML_MAPPING_NODE) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "%s:%zu: the config must be a mapping of 'key: value' lines", cfg->path,
                root->start_mark.line + 1);
    return FALSE;
  }
  GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
  gboolean ok = TRUE;
  for (yaml_node_pair_t *p = root->data.mapping.pairs.start; ok && p < root->data.mapping.pairs.top;
       p++) {
    yaml_node_t *kn = yaml_document_get_node(doc, p->key);
    yaml_node_t *vn = yaml_document_get_node(doc, p->value);
    gsize line = kn ? kn->start_mark.line + 1 : 0;
    const char *name = node_scalar(kn);
    if (name == NULL || vn == NULL) {
      g_set_error(error, VF_ERROR, VF_ERROR_FORMAT, "%s:%zu: keys must be plain names", cfg->path,
                  line);
      ok = FALSE;
      break;
    }
    const Key *k = find_key(name);
    if (k == NULL) {
      char *n = normalise_key(name);
      const char *hint = suggest(n, vf_infer_config_keys());
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "%s:%zu: unknown key '" VF_SHORT_FMT "'%s%s%s",
                  cfg->path, line, VF_SHORT(name),
                  hint ? " (did you mean '" : " (see configs/README.md for the keys)",
                  hint ? hint : "", hint ? "'?)" : "");
      g_free(n);
      ok = FALSE;
      break;
    }
    if (g_hash_table_contains(seen, k->name)) {
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "%s:%zu: key '%s' is set twice (first at %s)",
                  cfg->path, line, k->name,
                  (const char *)g_hash_table_lookup(cfg->origins, k->name));
      ok = FALSE;
      break;
    }
    g_hash_table_add(seen, (gpointer)k->name);
    Value v = { 0 };
    ok = node_to_value(cfg, doc, vn, k->name, &v, error);
    if (ok) {
      g_free(v.origin); /* errors name the key's line */
      v.origin = g_strdup_printf("%s:%zu", cfg->path, line);
      ok = set_value(cfg, k, &v, error);
      if (ok)
        set_origin(cfg, k, v.origin);
    }
    value_clear(&v);
  }
  g_hash_table_destroy(seen);
  return ok;
}

VfInferConfig *vf_infer_config_parse(const char *yaml, const char *name, const char *dir,
                                     GError **error)
{
  VfInferConfig *cfg = vf_infer_config_new();
  cfg->path = g_strdup(name ? name : "config");
  if (dir != NULL) {
    g_free(cfg->dir);
    cfg->dir = g_strdup(dir);
  }
  GError *err = NULL;
  VfYamlDoc *doc = vf_yaml_doc_load_data(yaml, strlen(yaml), cfg->path, cfg->dir, &err);
  gboolean ok = doc != NULL;
  if (ok) {
    ok = parse_document(cfg, &doc->doc, error);
    vf_yaml_doc_free(doc);
  } else {
    err->code = VF_ERROR_FORMAT; /* malformed, or past the bounds every YAML reader keeps */
    g_propagate_error(error, err);
  }
  if (!ok) {
    vf_infer_config_free(cfg);
    return NULL;
  }
  return cfg;
}

VfInferConfig *vf_infer_config_load_from_data(const char *yaml, const char *name, const char *dir,
                                              GError **error)
{
  VfInferConfig *cfg = vf_infer_config_parse(yaml, name, dir, error);
  if (cfg != NULL && !vf_infer_config_validate(cfg, error)) {
    vf_infer_config_free(cfg);
    return NULL;
  }
  return cfg;
}

VfInferConfig *vf_infer_config_load(const char *path, GError **error)
{
  GError *read_error = NULL;
  char *text = vf_read_file_bounded(path, VF_YAML_MAX_BYTES, NULL, &read_error);
  if (text == NULL) {
    g_set_error(error, VF_ERROR, read_error->code, "config file: %s", read_error->message);
    g_error_free(read_error);
    return NULL;
  }
  char *dir = g_path_get_dirname(path);
  VfInferConfig *cfg = vf_infer_config_load_from_data(text, path, dir, error);
  g_free(dir);
  g_free(text);
  return cfg;
}

/* --- overrides --- */

/* Split "a,b", "a;b", "[a, b]" into items. */
static GPtrArray *split_list(const char *s)
{
  char *t = g_strstrip(g_strdup(s));
  gsize len = strlen(t);
  if (len >= 2 && ((t[0] == '[' && t[len - 1] == ']') || (t[0] == '{' && t[len - 1] == '}'))) {
    t[len - 1] = '\0';
    memmove(t, t + 1, len - 1);
  }
  char **parts = g_strsplit_set(t, ",;", -1);
  GPtrArray *items = g_ptr_array_new_with_free_func(g_free);
  for (char **p = parts; *p; p++) {
    g_strstrip(*p);
    if (**p != '\0')
      g_ptr_array_add(items, g_strdup(*p));
  }
  g_strfreev(parts);
  g_free(t);
  return items;
}

gboolean vf_infer_config_set(VfInferConfig *cfg, const char *key, const char *value, GError **error)
{
  const Key *k = find_key(key);
  if (k == NULL) {
    char *n = normalise_key(key);
    const char *hint = suggest(n, vf_infer_config_keys());
    g_set_error(error, VF_ERROR, VF_ERROR_PROPERTY,
                "unknown vfinfer setting '" VF_SHORT_FMT "'%s%s%s", VF_SHORT(key),
                hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
    g_free(n);
    return FALSE;
  }
  Value v = { .kind = V_SCALAR, .scalar = value, .origin = g_strdup("property") };
  v.item_lines = g_array_new(FALSE, FALSE, sizeof(guint));
  if (k->type >= T_DOUBLE3 && k->type <= T_INTLIST) {
    v.kind = V_LIST;
    v.items = split_list(value ? value : "");
  } else if (k->type == T_THRESHOLDS && value && *value) {
    /* "Person=0.4,Car=0.6" or "Person:0.4;3:0.6" */
    v.kind = V_MAP;
    v.items = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *pairs = split_list(value);
    for (guint i = 0; i < pairs->len; i++) {
      const char *pair = g_ptr_array_index(pairs, i);
      const char *sep = strpbrk(pair, "=:");
      g_ptr_array_add(v.items, sep ? g_strstrip(g_strndup(pair, sep - pair)) : g_strdup(pair));
      g_ptr_array_add(v.items, sep ? g_strstrip(g_strdup(sep + 1)) : NULL);
    }
    g_ptr_array_free(pairs, TRUE);
  }
  gboolean ok = set_value(cfg, k, &v, error);
  if (ok)
    set_origin(cfg, k, "property");
  value_clear(&v);
  return ok;
}

/* --- validation --- */

static gboolean file_exists(const VfInferConfig *cfg, const char *key, const char *path,
                            const char *what, GError **error)
{
  if (path != NULL && g_file_test(path, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  return key_error(cfg, error, key, "%s '" VF_SHORT_FMT "' not found%s", what, VF_SHORT(path),
                   strstr(path, "data/") ? ": run tools/fetch-assets.sh, or fix the path"
                                         : ": fix the path");
}

/* Bounds of a labels file: as many classes as num-classes allows, one short name each. */
#define LABELS_MAX_COUNT 1000000
#define LABEL_MAX_BYTES 1024
#define LABELS_MAX_BYTES (16u << 20)

/* The lines of `len` bytes of text, each stripped of surrounding blanks (transfer full). One pass
 * with memchr: g_strsplit's strstr per line reads the rest of the text each time under
 * AddressSanitizer and valgrind (a 150,000-line file took minutes). */
static char **split_lines(const char *text, gsize len)
{
  GPtrArray *lines = g_ptr_array_new();
  const char *end = text + len;
  for (const char *p = text;;) {
    const char *nl = memchr(p, '\n', (gsize)(end - p));
    g_ptr_array_add(lines, g_strstrip(g_strndup(p, (gsize)((nl ? nl : end) - p))));
    if (nl == NULL)
      break;
    p = nl + 1;
  }
  g_ptr_array_add(lines, NULL);
  return (char **)g_ptr_array_free(lines, FALSE);
}

static gboolean load_labels(VfInferConfig *cfg, GError **error)
{
  Config *c = (Config *)cfg;
  if (g_strcmp0(c->loaded_labels_path, cfg->labels_path) == 0)
    return TRUE;
  g_strfreev(cfg->labels);
  cfg->labels = NULL;
  cfg->n_labels = 0;
  g_clear_pointer(&c->loaded_labels_path, g_free);
  if (cfg->labels_path == NULL)
    return TRUE;
  if (!file_exists(cfg, "labels", cfg->labels_path, "labels file", error))
    return FALSE;
  GError *e = NULL;
  gsize len = 0;
  char *text = vf_read_file_bounded(cfg->labels_path, LABELS_MAX_BYTES, &len, &e);
  if (text == NULL) {
    key_error(cfg, error, "labels", "%s", e->message);
    g_error_free(e);
    return FALSE;
  }
  char **lines = split_lines(text, len);
  g_free(text);
  guint n = g_strv_length(lines);
  while (n > 0 && *lines[n - 1] == '\0') /* drop trailing blank lines */
    g_free(lines[--n]), lines[n] = NULL;
  for (guint i = 0; i < n; i++) {
    if (strlen(lines[i]) > LABEL_MAX_BYTES) {
      g_strfreev(lines);
      return key_error(cfg, error, "labels",
                       VF_SHORT_FMT ":%u: a label of more than %d bytes: labels are one short name "
                                    "per line",
                       VF_SHORT(cfg->labels_path), i + 1, LABEL_MAX_BYTES);
    }
  }
  if (n > LABELS_MAX_COUNT) {
    g_strfreev(lines);
    return key_error(cfg, error, "labels", VF_SHORT_FMT ": %u labels: vidflow reads up to %d",
                     VF_SHORT(cfg->labels_path), n, LABELS_MAX_COUNT);
  }
  if (n == 0) {
    g_strfreev(lines);
    return key_error(cfg, error, "labels", "'" VF_SHORT_FMT "' holds no labels (one per line)",
                     VF_SHORT(cfg->labels_path));
  }
  cfg->labels = lines;
  cfg->n_labels = n;
  c->loaded_labels_path = g_strdup(cfg->labels_path);
  return TRUE;
}

static gboolean resolve_thresholds(VfInferConfig *cfg, GError **error)
{
  Config *c = (Config *)cfg;
  g_hash_table_remove_all(cfg->class_thresholds);
  for (guint i = 0; i < c->pending->len; i++) {
    PendingThreshold *p = g_ptr_array_index(c->pending, i);
    gint64 id = -1;
    if (p->name && !parse_int(p->name, &id)) {
      for (guint l = 0; l < cfg->n_labels && id < 0; l++)
        if (g_ascii_strcasecmp(cfg->labels[l], p->name) == 0)
          id = l;
      if (id < 0) {
        const char *hint = cfg->labels ? suggest(p->name, (const char *const *)cfg->labels) : NULL;
        const char *in = cfg->labels_path ? cfg->labels_path : "the labels (no 'labels' set)";
        g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                    "%s: no class '" VF_SHORT_FMT "' in " VF_SHORT_FMT "%s%s%s", p->origin,
                    VF_SHORT(p->name), VF_SHORT(in), hint ? " (did you mean '" : "",
                    hint ? hint : "", hint ? "'?)" : "");
        return FALSE;
      }
    }
    if (id < 0 || id > 1000000) {
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                  "%s: '" VF_SHORT_FMT "' is not a label or a class id", p->origin,
                  VF_SHORT(p->name));
      return FALSE;
    }
    gdouble *v = g_new(gdouble, 1);
    *v = p->value;
    g_hash_table_replace(cfg->class_thresholds, GINT_TO_POINTER((gint)id), v);
  }
  return TRUE;
}

static gboolean is_builtin_parser(const char *name)
{
  return name && g_strv_contains(vf_infer_builtin_parsers, name);
}

gboolean vf_infer_config_validate(VfInferConfig *cfg, GError **error)
{
  if (cfg->model == NULL)
    return key_error(cfg, error, "model", "missing: set the model file (an .onnx)");
  if (!file_exists(cfg, "model", cfg->model, "model file", error))
    return FALSE;
  if (g_ascii_strcasecmp(cfg->backend, "onnxruntime") != 0)
    return key_error(cfg, error, "backend",
                     "unknown backend '" VF_SHORT_FMT "' (known: onnxruntime)",
                     VF_SHORT(cfg->backend));
  if (g_ascii_strcasecmp(cfg->execution_provider, "cpu") != 0
      && g_ascii_strcasecmp(cfg->execution_provider, "cuda") != 0)
    return key_error(cfg, error, "execution-provider",
                     "unknown provider '" VF_SHORT_FMT "' (known: cpu, cuda)",
                     VF_SHORT(cfg->execution_provider));
  if (cfg->ort_library
      && !file_exists(cfg, "ort-library", cfg->ort_library, "ONNX Runtime library", error))
    return FALSE;

  if (cfg->parser == NULL) {
    char *all = g_strjoinv(", ", (char **)vf_infer_builtin_parsers);
    key_error(cfg, error, "parser",
              "missing: set the output parser (%s, or a custom parser's "
              "name with custom-lib)",
              all);
    g_free(all);
    return FALSE;
  }
  if (cfg->custom_lib == NULL && !is_builtin_parser(cfg->parser)) {
    char *all = g_strjoinv(", ", (char **)vf_infer_builtin_parsers);
    const char *hint = suggest(cfg->parser, vf_infer_builtin_parsers);
    key_error(cfg, error, "parser",
              "unknown parser '" VF_SHORT_FMT "'%s%s%s: the built-in ones are %s; a custom "
              "parser needs custom-lib",
              VF_SHORT(cfg->parser), hint ? " (did you mean '" : "", hint ? hint : "",
              hint ? "'?)" : "", all);
    g_free(all);
    return FALSE;
  }
  /* a custom-lib given as a bare name is left to the dynamic loader's search path */
  if (cfg->custom_lib && strchr(cfg->custom_lib, '/')
      && !file_exists(cfg, "custom-lib", cfg->custom_lib, "custom parser library", error))
    return FALSE;
  if (g_strcmp0(cfg->parser, "ssd") == 0 && cfg->custom_lib == NULL) {
    if (cfg->anchors == NULL)
      return key_error(cfg, error, "anchors", "missing: the ssd parser needs an anchors file");
    if (!file_exists(cfg, "anchors", cfg->anchors, "anchors file", error))
      return FALSE;
  }

  for (int i = 0; i < 3; i++)
    if (cfg->std[i] == 0.0)
      return key_error(cfg, error, "std", "a standard deviation of 0 divides by zero");
  if (cfg->input_shape[0] > 0) {
    gint c = cfg->input_layout == VF_INFER_LAYOUT_NCHW ? cfg->input_shape[0] : cfg->input_shape[2];
    if (c != 1 && c != 3)
      return key_error(cfg, error, "input-shape",
                       "%d channels at the %s channel position: vidflow feeds 1 (GRAY) or 3 "
                       "(RGB/BGR); check input-layout",
                       c, cfg->input_layout == VF_INFER_LAYOUT_NCHW ? "NCHW" : "NHWC");
  }

  if (!load_labels(cfg, error))
    return FALSE;
  if (cfg->num_classes > 0 && cfg->n_labels > 0 && (guint)cfg->num_classes != cfg->n_labels)
    return key_error(cfg, error, "labels", "'" VF_SHORT_FMT "' has %u labels but num-classes is %d",
                     VF_SHORT(cfg->labels_path), cfg->n_labels, cfg->num_classes);
  if (!resolve_thresholds(cfg, error))
    return FALSE;
  if (cfg->process_mode == VF_INFER_MODE_PRIMARY && cfg->operate_on_classes->len > 0)
    g_info("%s: operate-on-classes is ignored in primary mode", cfg->path ? cfg->path : "config");
  return TRUE;
}

/* --- lookups --- */

gdouble vf_infer_config_get_threshold(const VfInferConfig *cfg, gint class_id)
{
  const gdouble *v = g_hash_table_lookup(cfg->class_thresholds, GINT_TO_POINTER(class_id));
  return v ? *v : cfg->threshold;
}

const char *vf_infer_config_get_label(const VfInferConfig *cfg, gint class_id)
{
  if (class_id < 0 || (guint)class_id >= cfg->n_labels)
    return NULL;
  return cfg->labels[class_id];
}
