/* vidflow infer: the classifier parser.
 *
 * Output: class scores [C] (any shape whose product is C, e.g. [C,1,1]). Optional softmax
 * (score-activation: softmax; the default, none, takes the scores as they are, for models that
 * end in a softmax), then the classes at or above their threshold, best first, at most top-k. */
#include "parser.h"

#include <string.h>

typedef struct {
  VfParser base;
  gint output; /* which output holds the scores */
  VfInferActivation activation;
  gfloat *scratch;
} ClassifierParser;

static gboolean classifier_prepare(VfParser *base, const VfInferTensorInfo *outs, guint n,
                                   GError **error)
{
  ClassifierParser *p = (ClassifierParser *)base;
  char *where = vf_infer_config_where(base->config, "parser");
  p->output = -1;
  for (guint i = 0; i < n && p->output < 0; i++)
    if (outs[i].dtype == VF_DTYPE_FLOAT32 && vf_shape_size(outs[i].shape, outs[i].ndim) > 0)
      p->output = (gint)i;
  gboolean ok = FALSE;
  if (p->output < 0) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "%s: classifier needs a float32 output of class scores with a fixed size", where);
  } else {
    const VfInferTensorInfo *t = &outs[p->output];
    char *shape = vf_infer_shape_to_string(t->shape, t->ndim);
    char *what = g_strdup_printf("output '%s' %s", t->name, shape);
    ok = vf_parser_set_classes(base, (gint)vf_shape_size(t->shape, t->ndim), what, error);
    g_free(what);
    g_free(shape);
  }
  p->activation = vf_parser_activation(base, VF_INFER_ACTIVATION_NONE);
  if (ok)
    p->scratch = g_new(gfloat, base->num_classes);
  g_free(where);
  return ok;
}

static gint by_confidence(gconstpointer pa, gconstpointer pb)
{
  const VfInferClass *a = pa, *b = pb;
  return a->confidence < b->confidence ? 1 : a->confidence > b->confidence ? -1 : 0;
}

static gboolean classifier_parse(VfParser *base, const VfInferTensor *outs, guint n,
                                 VfInferResult *r, GError **error)
{
  ClassifierParser *p = (ClassifierParser *)base;
  (void)n;
  (void)error;
  guint C = (guint)base->num_classes;
  gfloat *s = p->scratch;
  memcpy(s, outs[p->output].data, C * sizeof(gfloat));
  if (p->activation == VF_INFER_ACTIVATION_SOFTMAX)
    vf_softmax(s, C);
  else if (p->activation == VF_INFER_ACTIVATION_SIGMOID)
    for (guint c = 0; c < C; c++)
      s[c] = vf_sigmoid(s[c]);
  for (guint c = 0; c < C; c++)
    if (s[c] >= base->thresholds[c]) {
      VfInferClass k = { .class_id = (gint)c, .confidence = s[c] };
      g_array_append_val(r->classifications, k);
    }
  g_array_sort(r->classifications, by_confidence);
  if (r->classifications->len > (guint)base->config->top_k)
    g_array_set_size(r->classifications, (guint)base->config->top_k);
  return TRUE;
}

static void classifier_finalize(VfParser *base)
{
  g_free(((ClassifierParser *)base)->scratch);
}

VfParser *vf_parser_classifier_new(const VfInferConfig *cfg, guint w, guint h, GError **error)
{
  (void)error;
  ClassifierParser *p
      = vf_parser_alloc(sizeof(ClassifierParser), "classifier", VF_PARSER_CLASSIFIER, cfg, w, h);
  p->base.prepare = classifier_prepare;
  p->base.parse = classifier_parse;
  p->base.finalize = classifier_finalize;
  return &p->base;
}
