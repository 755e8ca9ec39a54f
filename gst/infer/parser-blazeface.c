/* vidflow infer: the BlazeFace parser (MediaPipe face_detection_front, 128x128).
 *
 * Outputs: scores [rows, 1] (logits) and regressors [rows, 16]: box centre offset, size, then 6
 * landmarks (x, y), all in input pixels relative to an anchor. The model may split them per
 * stride (the barracuda export: [512,1] + [384,1] and [512,16] + [384,16]) or concatenate them
 * ([896,1], [896,16]); split parts are taken in model order. Anchors are generated as MediaPipe's
 * SsdAnchorsCalculator does for this model (fixed anchor size 1, offset 0.5). */
#include "parser.h"

#include <math.h>

#define BLAZEFACE_KEYPOINTS 6

typedef struct {
  VfParser base;
  gfloat *anchors; /* n_anchors x (xc, yc) */
  guint n_anchors;
  GArray *score_outputs, *box_outputs; /* output indices (guint), matched pairwise */
  guint box_columns;
  VfInferActivation activation;
} BlazeFaceParser;

gfloat *vf_blazeface_anchors(guint w, guint h, guint *n)
{
  /* layers of strides 8, 16, 16, 16; layers of one stride share a grid; each layer adds an
   * anchor of ratio 1 and an interpolated one: 2 per cell at stride 8, 6 at stride 16 */
  static const guint strides[] = { 8, 16, 16, 16 };
  GArray *a = g_array_new(FALSE, FALSE, sizeof(gfloat));
  guint layer = 0;
  while (layer < G_N_ELEMENTS(strides)) {
    guint same = layer, per_cell = 0;
    while (same < G_N_ELEMENTS(strides) && strides[same] == strides[layer]) {
      per_cell += 2;
      same++;
    }
    guint fw = (w + strides[layer] - 1) / strides[layer];
    guint fh = (h + strides[layer] - 1) / strides[layer];
    for (guint y = 0; y < fh; y++)
      for (guint x = 0; x < fw; x++)
        for (guint k = 0; k < per_cell; k++) {
          gfloat c[2] = { (x + 0.5f) / fw, (y + 0.5f) / fh };
          g_array_append_vals(a, c, 2);
        }
    layer = same;
  }
  *n = a->len / 2;
  return (gfloat *)g_array_free(a, FALSE);
}

static gboolean blazeface_prepare(VfParser *base, const VfInferTensorInfo *outs, guint n,
                                  GError **error)
{
  BlazeFaceParser *p = (BlazeFaceParser *)base;
  char *where = vf_infer_config_where(base->config, "parser");
  gboolean ok = FALSE;
  guint score_rows = 0, box_rows = 0;
  for (guint i = 0; i < n; i++) {
    const VfInferTensorInfo *t = &outs[i];
    gint64 cols = t->ndim >= 2 ? t->shape[t->ndim - 1] : -1;
    gsize rows = t->ndim >= 2 ? vf_shape_size(t->shape, t->ndim - 1) : 0;
    if (t->dtype != VF_DTYPE_FLOAT32 || rows == 0)
      continue;
    if (cols == 1) {
      g_array_append_val(p->score_outputs, i);
      score_rows += (guint)rows;
    } else if (cols >= 4) {
      if (p->box_columns != 0 && p->box_columns != cols)
        continue;
      p->box_columns = (guint)cols;
      g_array_append_val(p->box_outputs, i);
      box_rows += (guint)rows;
    }
  }
  p->anchors = vf_blazeface_anchors(base->input_width, base->input_height, &p->n_anchors);
  if (p->score_outputs->len == 0 || p->score_outputs->len != p->box_outputs->len
      || score_rows != p->n_anchors || box_rows != p->n_anchors) {
    GString *shapes = g_string_new("");
    for (guint i = 0; i < n; i++) {
      char *s = vf_infer_shape_to_string(outs[i].shape, outs[i].ndim);
      g_string_append_printf(shapes, "%s'%s' %s", i ? ", " : "", outs[i].name, s);
      g_free(s);
    }
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "%s: blazeface needs scores [rows,1] and regressors [rows,16] covering the %u "
                "anchors of a %ux%u input; the model has %s",
                where, p->n_anchors, base->input_width, base->input_height, shapes->str);
    g_string_free(shapes, TRUE);
    goto out;
  }
  ok = vf_parser_set_classes(base, 0, "blazeface", error);
  if (ok && base->num_classes == 0) { /* one class, "face", whether or not labels are given */
    base->num_classes = 1;
    base->thresholds[0] = (gfloat)vf_infer_config_get_threshold(base->config, 0);
  }
  p->activation = vf_parser_activation(base, VF_INFER_ACTIVATION_SIGMOID);
out:
  g_free(where);
  return ok;
}

static gboolean blazeface_parse(VfParser *base, const VfInferTensor *outs, guint n,
                                VfInferResult *r, GError **error)
{
  BlazeFaceParser *p = (BlazeFaceParser *)base;
  (void)n;
  (void)error;
  gfloat W = (gfloat)base->input_width, H = (gfloat)base->input_height;
  gfloat thr = base->thresholds[0];
  gboolean keypoints = base->config->keypoints && p->box_columns >= 4 + 2 * BLAZEFACE_KEYPOINTS;
  guint anchor = 0;
  for (guint part = 0; part < p->score_outputs->len; part++) {
    const VfInferTensor *st = &outs[g_array_index(p->score_outputs, guint, part)];
    const VfInferTensor *bt = &outs[g_array_index(p->box_outputs, guint, part)];
    const gfloat *scores = st->data, *boxes = bt->data;
    gsize rows = vf_shape_size(st->shape, st->ndim - 1);
    for (gsize i = 0; i < rows; i++, anchor++) {
      gfloat raw = CLAMP(scores[i], -100.f, 100.f); /* as MediaPipe: keeps exp finite */
      gfloat conf = p->activation == VF_INFER_ACTIVATION_SIGMOID ? vf_sigmoid(raw) : raw;
      if (conf < thr)
        continue;
      const gfloat *b = boxes + i * p->box_columns, *an = p->anchors + 2 * anchor;
      gfloat xc = b[0] + an[0] * W, yc = b[1] + an[1] * H; /* offsets are in input pixels */
      VfDetection d = { .class_id = 0, .confidence = conf, .label = "face" };
      d.left = xc - b[2] / 2;
      d.top = yc - b[3] / 2;
      d.width = b[2];
      d.height = b[3];
      if (keypoints) {
        d.n_keypoints = BLAZEFACE_KEYPOINTS;
        for (guint k = 0; k < BLAZEFACE_KEYPOINTS; k++) {
          d.keypoints[k][0] = b[4 + 2 * k] + an[0] * W;
          d.keypoints[k][1] = b[5 + 2 * k] + an[1] * H;
        }
      }
      g_array_append_val(r->detections, d);
    }
  }
  vf_detections_nms(r->detections, (gfloat)base->config->nms_iou, base->config->top_k, TRUE);
  return TRUE;
}

static void blazeface_finalize(VfParser *base)
{
  BlazeFaceParser *p = (BlazeFaceParser *)base;
  g_free(p->anchors);
  g_array_free(p->score_outputs, TRUE);
  g_array_free(p->box_outputs, TRUE);
}

VfParser *vf_parser_blazeface_new(const VfInferConfig *cfg, guint w, guint h, GError **error)
{
  (void)error;
  BlazeFaceParser *p
      = vf_parser_alloc(sizeof(BlazeFaceParser), "blazeface", VF_PARSER_DETECTOR, cfg, w, h);
  p->score_outputs = g_array_new(FALSE, FALSE, sizeof(guint));
  p->box_outputs = g_array_new(FALSE, FALSE, sizeof(guint));
  p->base.prepare = blazeface_prepare;
  p->base.parse = blazeface_parse;
  p->base.finalize = blazeface_finalize;
  return &p->base;
}
