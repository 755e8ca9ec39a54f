/* vidflow infer: YOLO parsers (Ultralytics-style exports).
 *
 *   yolov5: one output [boxes, 5 + C]: cx, cy, w, h, objectness, C class scores;
 *           confidence = objectness * best class score.
 *   yolov8: one output [4 + C, boxes] (transposed; [boxes, 4 + C] is accepted too): cx, cy, w, h,
 *           C class scores, no objectness.
 * Boxes are in input pixels. Exports usually end with the sigmoid already (score-activation
 * none, the default); set score-activation: sigmoid for raw heads. Then per-class thresholds,
 * per-class NMS and top-k. */
#include "parser.h"

typedef struct {
  VfParser base;
  gint version;
  gsize n_boxes;
  gsize box_stride, value_stride; /* element steps between boxes / between a box's values */
  VfInferActivation activation;
  gfloat min_threshold; /* the lowest class threshold */
} YoloParser;

static gboolean yolo_prepare(VfParser *base, const VfInferTensorInfo *outs, guint n, GError **error)
{
  YoloParser *p = (YoloParser *)base;
  const VfInferConfig *cfg = base->config;
  gint known = cfg->num_classes > 0 ? cfg->num_classes : (gint)cfg->n_labels;
  gint extra = p->version == 5 ? 5 : 4;
  const VfInferTensorInfo *t = n > 0 ? &outs[0] : NULL;
  char *where = vf_infer_config_where(cfg, "parser");
  char *shape = t ? vf_infer_shape_to_string(t->shape, t->ndim) : g_strdup("none");
  gboolean ok = FALSE;
  /* squeeze leading 1s: [1, 84, 8400] -> [84, 8400] */
  guint first = 0;
  while (t && t->ndim - first > 2 && t->shape[first] == 1)
    first++;
  if (t == NULL || t->ndim - first != 2 || t->dtype != VF_DTYPE_FLOAT32 || t->shape[first] <= 0
      || t->shape[first + 1] <= 0) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "%s: yolov%d needs one float32 output %s; the model's first output is %s", where,
                p->version, p->version == 5 ? "[boxes, 5+classes]" : "[4+classes, boxes]", shape);
    goto out;
  }
  gint64 d0 = t->shape[first], d1 = t->shape[first + 1];
  gboolean rows_are_boxes; /* [boxes, values] rather than [values, boxes] */
  if (known > 0 && d1 == known + extra && d0 != known + extra)
    rows_are_boxes = TRUE;
  else if (known > 0 && d0 == known + extra && d1 != known + extra)
    rows_are_boxes = FALSE;
  else /* the box count is the larger dimension */
    rows_are_boxes = d0 > d1;
  gint64 values = rows_are_boxes ? d1 : d0;
  p->n_boxes = (gsize)(rows_are_boxes ? d0 : d1);
  p->box_stride = rows_are_boxes ? (gsize)values : 1;
  p->value_stride = rows_are_boxes ? 1 : p->n_boxes;
  if (values <= extra) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "%s: yolov%d output %s has no class scores (%" G_GINT64_FORMAT
                " values per box, want %d + classes)",
                where, p->version, shape, values, extra);
    goto out;
  }
  char *what = g_strdup_printf("output '%s' %s: %" G_GINT64_FORMAT " values per box", t->name,
                               shape, values);
  ok = vf_parser_set_classes(base, (gint)(values - extra), what, error);
  g_free(what);
  p->activation = vf_parser_activation(base, VF_INFER_ACTIVATION_NONE);
  p->min_threshold = 1.f;
  for (gint c = 0; ok && c < base->num_classes; c++)
    p->min_threshold = MIN(p->min_threshold, base->thresholds[c]);
out:
  g_free(shape);
  g_free(where);
  return ok;
}

static inline gfloat activate(const YoloParser *p, gfloat v)
{
  return p->activation == VF_INFER_ACTIVATION_SIGMOID ? vf_sigmoid(v) : v;
}

static gboolean yolo_parse(VfParser *base, const VfInferTensor *outs, guint n, VfInferResult *r,
                           GError **error)
{
  YoloParser *p = (YoloParser *)base;
  (void)n;
  (void)error;
  const gfloat *data = outs[0].data;
  gint C = base->num_classes, first_class = p->version == 5 ? 5 : 4;
  gsize vs = p->value_stride;
  for (gsize i = 0; i < p->n_boxes; i++) {
    const gfloat *b = data + i * p->box_stride;
    gfloat obj = p->version == 5 ? activate(p, b[4 * vs]) : 1.f;
    if (obj < p->min_threshold)
      continue; /* objectness bounds every confidence: skip the class scan */
    gint best = -1;
    gfloat best_score = 0.f;
    for (gint c = 0; c < C; c++) {
      gfloat s = activate(p, b[(first_class + c) * vs]);
      if (best < 0 || s > best_score)
        best = c, best_score = s;
    }
    gfloat conf = obj * best_score;
    if (best < 0 || conf < base->thresholds[best])
      continue;
    gfloat cx = b[0], cy = b[vs], w = b[2 * vs], h = b[3 * vs];
    VfDetection d = { .class_id = best, .confidence = conf };
    d.left = cx - w / 2;
    d.top = cy - h / 2;
    d.width = w;
    d.height = h;
    g_array_append_val(r->detections, d);
  }
  vf_detections_nms(r->detections, (gfloat)base->config->nms_iou, base->config->top_k, TRUE);
  return TRUE;
}

VfParser *vf_parser_yolo_new(const VfInferConfig *cfg, guint w, guint h, gint version,
                             GError **error)
{
  (void)error;
  YoloParser *p = vf_parser_alloc(sizeof(YoloParser), version == 5 ? "yolov5" : "yolov8",
                                  VF_PARSER_DETECTOR, cfg, w, h);
  p->version = version;
  p->base.prepare = yolo_prepare;
  p->base.parse = yolo_parse;
  return &p->base;
}
