/* vidflow infer: the SSD parser (TF object-detection API SSDs, e.g. SSD-MobileNetV2).
 *
 * Outputs: box encodings [A, 4] (ty, tx, th, tw) and class scores [A, C] (logits; class 0 is
 * the background). Boxes decode against the anchors file, (ycenter, xcenter, h, w) per anchor in
 * normalised coordinates, with TF's FasterRcnnBoxCoder and its scales (box-coder-scales):
 *   yc = ty / sy * ha + ya    xc = tx / sx * wa + xa    h = exp(th / sh) * ha    w = exp(tw / sw) *
 * wa Scores go through a sigmoid (score-activation: sigmoid by default, or softmax), then the
 * per-class thresholds, per-class NMS and top-k. */
#include "parser.h"

#include <math.h>
#include <string.h>

typedef struct {
  VfParser base;
  gfloat *anchors; /* n_anchors x (yc, xc, h, w) */
  guint n_anchors;
  gint boxes_index, scores_index; /* which output is which */
  gint background;
  VfInferActivation activation;
  gfloat *logit_thresholds; /* sigmoid: per class, the logit at the threshold */
} SsdParser;

static gboolean load_anchors(SsdParser *p, GError **error)
{
  const VfInferConfig *cfg = p->base.config;
  char *data = NULL;
  gsize len = 0;
  GError *e = NULL;
  if (cfg->anchors == NULL || !g_file_get_contents(cfg->anchors, &data, &len, &e)) {
    char *where = vf_infer_config_where(cfg, "anchors");
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND, "%s: cannot read the anchors file: %s", where,
                e ? e->message : "not set");
    g_free(where);
    g_clear_error(&e);
    return FALSE;
  }
  if (len == 0 || len % 16 != 0) {
    char *where = vf_infer_config_where(cfg, "anchors");
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "%s: '%s' is %zu bytes, not a whole number of anchors (4 float32 each)", where,
                cfg->anchors, len);
    g_free(where);
    g_free(data);
    return FALSE;
  }
  p->n_anchors = (guint)(len / 16);
  p->anchors = g_new(gfloat, p->n_anchors * 4);
  for (guint i = 0; i < p->n_anchors * 4; i++) { /* the file is little-endian */
    guint32 u;
    memcpy(&u, data + 4 * i, 4);
    u = GUINT32_FROM_LE(u);
    memcpy(&p->anchors[i], &u, 4);
  }
  g_free(data);
  return TRUE;
}

/* Rows of a [..., cols] tensor: the product of every dimension but the last. */
static gsize rows_of(const VfInferTensorInfo *t)
{
  return t->ndim >= 1 ? vf_shape_size(t->shape, t->ndim - 1) : 0;
}

static gboolean ssd_prepare(VfParser *base, const VfInferTensorInfo *outs, guint n, GError **error)
{
  SsdParser *p = (SsdParser *)base;
  const VfInferConfig *cfg = base->config;
  char *where = vf_infer_config_where(cfg, "parser");
  gboolean ok = FALSE;
  if (n < 2) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "%s: ssd needs two outputs, box encodings [boxes,4] and scores [boxes,classes]; "
                "the model has %u",
                where, n);
    goto out;
  }
  if (cfg->output_names != NULL) { /* output-names: [boxes, scores] */
    p->boxes_index = 0;
    p->scores_index = 1;
  } else {
    gboolean four0 = outs[0].ndim >= 2 && outs[0].shape[outs[0].ndim - 1] == 4;
    gboolean four1 = outs[1].ndim >= 2 && outs[1].shape[outs[1].ndim - 1] == 4;
    if (four0 == four1) {
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                  "%s: cannot tell the ssd box output from the scores output by their shapes: "
                  "set output-names: [<boxes>, <scores>]",
                  where);
      goto out;
    }
    p->boxes_index = four0 ? 0 : 1;
    p->scores_index = four0 ? 1 : 0;
  }
  const VfInferTensorInfo *b = &outs[p->boxes_index], *s = &outs[p->scores_index];
  char *bs = vf_infer_shape_to_string(b->shape, b->ndim);
  char *ss = vf_infer_shape_to_string(s->shape, s->ndim);
  gint classes = s->ndim >= 2 ? (gint)s->shape[s->ndim - 1] : -1;
  if (b->ndim < 2 || b->shape[b->ndim - 1] != 4 || classes <= 0 || rows_of(b) == 0
      || rows_of(b) != rows_of(s) || b->dtype != VF_DTYPE_FLOAT32 || s->dtype != VF_DTYPE_FLOAT32) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "%s: ssd needs float32 outputs [boxes,4] and [boxes,classes]; the model has '%s' "
                "%s and '%s' %s",
                where, b->name, bs, s->name, ss);
  } else if (load_anchors(p, error)) {
    if (rows_of(b) != p->n_anchors) {
      char *aw = vf_infer_config_where(cfg, "anchors");
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                  "%s: '%s' holds %u anchors but the model's output '%s' %s has %zu boxes", aw,
                  cfg->anchors, p->n_anchors, b->name, bs, rows_of(b));
      g_free(aw);
    } else {
      char *what = g_strdup_printf("output '%s' %s", s->name, ss);
      ok = vf_parser_set_classes(base, classes, what, error);
      g_free(what);
    }
  }
  g_free(bs);
  g_free(ss);
  if (ok) {
    p->background = cfg->background_class == -2 ? 0 : cfg->background_class;
    p->activation = vf_parser_activation(base, VF_INFER_ACTIVATION_SIGMOID);
    p->logit_thresholds = g_new(gfloat, base->num_classes);
    for (gint c = 0; c < base->num_classes; c++) {
      gfloat t = base->thresholds[c];
      p->logit_thresholds[c] = t <= 0.f ? -INFINITY : t >= 1.f ? INFINITY : logf(t / (1.f - t));
    }
  }
out:
  g_free(where);
  return ok;
}

static gboolean ssd_parse(VfParser *base, const VfInferTensor *outs, guint n, VfInferResult *r,
                          GError **error)
{
  SsdParser *p = (SsdParser *)base;
  (void)n;
  (void)error;
  const gfloat *enc = outs[p->boxes_index].data, *scores = outs[p->scores_index].data;
  const gdouble *k = base->config->box_coder_scales;
  guint C = (guint)base->num_classes, W = base->input_width, H = base->input_height;
  gfloat *probs = p->activation == VF_INFER_ACTIVATION_SOFTMAX ? g_new(gfloat, C) : NULL;

  for (guint a = 0; a < p->n_anchors; a++) {
    const gfloat *s = scores + (gsize)a * C;
    if (probs) {
      memcpy(probs, s, C * sizeof(gfloat));
      vf_softmax(probs, C);
    }
    gboolean decoded = FALSE;
    VfDetection d = { 0 };
    for (guint c = 0; c < C; c++) {
      if ((gint)c == p->background)
        continue;
      gfloat conf;
      if (probs)
        conf = probs[c];
      else if (p->activation == VF_INFER_ACTIVATION_SIGMOID) {
        if (s[c] < p->logit_thresholds[c]) /* skips the exp for almost every score */
          continue;
        conf = vf_sigmoid(s[c]);
      } else
        conf = s[c];
      if (conf < base->thresholds[c])
        continue;
      if (!decoded) {
        const gfloat *e = enc + (gsize)a * 4, *an = p->anchors + (gsize)a * 4;
        gfloat yc = e[0] / k[0] * an[2] + an[0], xc = e[1] / k[1] * an[3] + an[1];
        gfloat h = expf(e[2] / k[2]) * an[2], w = expf(e[3] / k[3]) * an[3];
        d.left = (xc - w / 2) * W;
        d.top = (yc - h / 2) * H;
        d.width = w * W;
        d.height = h * H;
        decoded = TRUE;
      }
      d.class_id = (gint)c;
      d.confidence = conf;
      g_array_append_val(r->detections, d);
    }
  }
  g_free(probs);
  vf_detections_nms(r->detections, (gfloat)base->config->nms_iou, base->config->top_k, TRUE);
  return TRUE;
}

static void ssd_finalize(VfParser *base)
{
  SsdParser *p = (SsdParser *)base;
  g_free(p->anchors);
  g_free(p->logit_thresholds);
}

VfParser *vf_parser_ssd_new(const VfInferConfig *cfg, guint w, guint h, GError **error)
{
  (void)error;
  SsdParser *p = vf_parser_alloc(sizeof(SsdParser), "ssd", VF_PARSER_DETECTOR, cfg, w, h);
  p->base.prepare = ssd_prepare;
  p->base.parse = ssd_parse;
  p->base.finalize = ssd_finalize;
  return &p->base;
}
