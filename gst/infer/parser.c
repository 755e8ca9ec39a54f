/* vidflow infer: parser dispatch and the helpers parsers share. */
#include "parser.h"

#include <string.h>

VfParser *vf_parser_new(const VfInferConfig *cfg, guint w, guint h, GError **error)
{
  const char *name = cfg->parser ? cfg->parser : "";
  if (cfg->custom_lib != NULL)
    return vf_parser_custom_new(cfg, w, h, error);
  if (strcmp(name, "ssd") == 0)
    return vf_parser_ssd_new(cfg, w, h, error);
  if (strcmp(name, "blazeface") == 0)
    return vf_parser_blazeface_new(cfg, w, h, error);
  if (strcmp(name, "yolov5") == 0)
    return vf_parser_yolo_new(cfg, w, h, 5, error);
  if (strcmp(name, "yolov8") == 0)
    return vf_parser_yolo_new(cfg, w, h, 8, error);
  if (strcmp(name, "classifier") == 0)
    return vf_parser_classifier_new(cfg, w, h, error);
  char *where = vf_infer_config_where(cfg, "parser");
  char *all = g_strjoinv(", ", (char **)vf_infer_builtin_parsers);
  g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
              "%s: unknown parser '%s' (built-in: %s; a custom parser needs custom-lib)", where,
              name, all);
  g_free(all);
  g_free(where);
  return NULL;
}

gpointer vf_parser_alloc(gsize size, const char *name, VfParserKind kind, const VfInferConfig *cfg,
                         guint w, guint h)
{
  VfParser *p = g_malloc0(size);
  p->name = name;
  p->kind = kind;
  p->config = cfg;
  p->input_width = w;
  p->input_height = h;
  return p;
}

gboolean vf_parser_set_classes(VfParser *p, gint model_classes, const char *what, GError **error)
{
  const VfInferConfig *cfg = p->config;
  gint n = model_classes;
  if (n > 0 && cfg->n_labels > 0 && (guint)n != cfg->n_labels) {
    char *where = vf_infer_config_where(cfg, "labels");
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "%s: '%s' has %u labels but the model has %d classes (%s): use the labels file "
                "made for this model",
                where, cfg->labels_path, cfg->n_labels, n, what);
    g_free(where);
    return FALSE;
  }
  if (n > 0 && cfg->num_classes > 0 && n != cfg->num_classes) {
    char *where = vf_infer_config_where(cfg, "num-classes");
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "%s: num-classes is %d but the model has %d classes (%s)", where, cfg->num_classes,
                n, what);
    g_free(where);
    return FALSE;
  }
  if (n <= 0)
    n = cfg->num_classes > 0 ? cfg->num_classes : (gint)cfg->n_labels;
  p->num_classes = n;
  g_free(p->thresholds);
  p->thresholds = g_new(gfloat, MAX(n, 1));
  for (gint c = 0; c < n; c++)
    p->thresholds[c] = (gfloat)vf_infer_config_get_threshold(cfg, c);
  return TRUE;
}

VfInferActivation vf_parser_activation(const VfParser *p, VfInferActivation fallback)
{
  return p->config->activation == VF_INFER_ACTIVATION_AUTO ? fallback : p->config->activation;
}

gsize vf_shape_size(const gint64 *shape, guint ndim)
{
  gsize n = 1;
  for (guint i = 0; i < ndim; i++)
    n *= shape[i] > 0 ? (gsize)shape[i] : 0;
  return n;
}

void vf_softmax(gfloat *v, guint n)
{
  if (n == 0)
    return;
  gfloat max = v[0], sum = 0.f;
  for (guint i = 1; i < n; i++)
    max = MAX(max, v[i]);
  for (guint i = 0; i < n; i++)
    sum += v[i] = expf(v[i] - max);
  for (guint i = 0; i < n; i++)
    v[i] /= sum;
}

gboolean vf_parser_prepare(VfParser *p, const VfInferTensorInfo *outputs, guint n, GError **error)
{
  return p->prepare(p, outputs, n, error);
}

gboolean vf_parser_parse(VfParser *p, const VfInferTensor *outputs, guint n, VfInferResult *result,
                         GError **error)
{
  g_array_set_size(result->detections, 0);
  g_array_set_size(result->classifications, 0);
  if (!p->parse(p, outputs, n, result, error))
    return FALSE;
  /* the config's labels win; a parser may name classes itself (blazeface: "face") */
  for (guint i = 0; i < result->detections->len; i++) {
    VfDetection *d = &g_array_index(result->detections, VfDetection, i);
    const char *label = vf_infer_config_get_label(p->config, d->class_id);
    if (label != NULL || d->label == NULL)
      d->label = label;
  }
  for (guint i = 0; i < result->classifications->len; i++) {
    VfInferClass *c = &g_array_index(result->classifications, VfInferClass, i);
    const char *label = vf_infer_config_get_label(p->config, c->class_id);
    if (label != NULL || c->label == NULL)
      c->label = label;
  }
  return TRUE;
}

void vf_parser_free(VfParser *p)
{
  if (p == NULL)
    return;
  if (p->finalize)
    p->finalize(p);
  g_free(p->thresholds);
  g_free(p);
}
