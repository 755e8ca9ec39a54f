/* vidflow infer: custom parsers from shared libraries (include/vidflow/infer-parser.h).
 *
 * custom-lib is dlopen'ed, vf_custom_parser_v1(parser) gives the parser description; the
 * library stays loaded until the parser is freed. Objects the parser returns go through the same
 * thresholds / NMS / top-k as the built-in parsers. */
#include "parser.h"

#include <dlfcn.h>
#include <string.h>
#include <vidflow/infer-parser.h>

#define MAX_OBJECTS_LIMIT (1 << 20)

typedef struct {
  VfParser base;
  void *handle;
  const VfCustomParser *desc;
  void *state;
  gboolean created;
  VfParserContext ctx;
  GArray *objects; /* VfParserObject buffer */
  VfParserTensor *tensors;
  guint n_tensors;
} CustomParser;

static gboolean custom_error(const CustomParser *p, GError **error, const char *key,
                             const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static gboolean custom_error(const CustomParser *p, GError **error, const char *key,
                             const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  char *where = vf_infer_config_where(p->base.config, key);
  g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "%s: %s", where, msg);
  g_free(where);
  g_free(msg);
  return FALSE;
}

static gboolean custom_prepare(VfParser *base, const VfInferTensorInfo *outs, guint n,
                               GError **error)
{
  CustomParser *p = (CustomParser *)base;
  const VfInferConfig *cfg = base->config;
  for (guint i = 0; i < n; i++)
    if (outs[i].dtype != VF_DTYPE_FLOAT32)
      return custom_error(p, error, "parser",
                          "custom parser '%s': output '%s' is %s; custom parsers get float32 "
                          "outputs only",
                          p->desc->name, outs[i].name, vf_dtype_to_string(outs[i].dtype));
  if (!vf_parser_set_classes(base, 0, "custom parser", error))
    return FALSE;
  p->ctx.input_width = base->input_width;
  p->ctx.input_height = base->input_height;
  p->ctx.num_classes = base->num_classes;
  p->ctx.labels = cfg->n_labels > 0 ? (const char *const *)cfg->labels : NULL;
  p->ctx.thresholds = base->num_classes > 0 ? base->thresholds : NULL;
  p->ctx.threshold = (float)cfg->threshold;
  p->ctx.nms_iou = (float)cfg->nms_iou;
  p->ctx.top_k = cfg->top_k;
  p->ctx.params = cfg->custom_params;
  p->n_tensors = n;
  p->tensors = g_new0(VfParserTensor, n);
  if (p->desc->create != NULL) {
    char msg[512] = "";
    p->state = p->desc->create(&p->ctx, msg, sizeof msg);
    msg[sizeof msg - 1] = '\0';
    if (p->state == NULL && msg[0] != '\0')
      return custom_error(p, error, "parser", "custom parser '%s' refused to start: %s",
                          p->desc->name, msg);
    p->created = TRUE;
  }
  return TRUE;
}

static gboolean custom_parse(VfParser *base, const VfInferTensor *outs, guint n, VfInferResult *r,
                             GError **error)
{
  CustomParser *p = (CustomParser *)base;
  const VfInferConfig *cfg = base->config;
  for (guint i = 0; i < n && i < p->n_tensors; i++) {
    p->tensors[i].name = outs[i].name;
    p->tensors[i].ndim = (int32_t)outs[i].ndim;
    p->tensors[i].shape = (const int64_t *)outs[i].shape;
    p->tensors[i].data = outs[i].data;
  }
  gint found;
  for (;;) {
    char msg[512] = "";
    found = p->desc->parse(p->state, &p->ctx, p->tensors, (int32_t)MIN(n, p->n_tensors),
                           (VfParserObject *)p->objects->data, (int32_t)p->objects->len, msg,
                           sizeof msg);
    msg[sizeof msg - 1] = '\0';
    if (found < 0) {
      g_set_error(error, VF_ERROR, VF_ERROR_STREAM, "custom parser '%s' failed: %s", p->desc->name,
                  msg[0] ? msg : "no reason given");
      return FALSE;
    }
    if ((guint)found <= p->objects->len)
      break;
    if (found > MAX_OBJECTS_LIMIT) {
      g_set_error(error, VF_ERROR, VF_ERROR_STREAM,
                  "custom parser '%s' asked for room for %d objects (limit %d)", p->desc->name,
                  found, MAX_OBJECTS_LIMIT);
      return FALSE;
    }
    g_array_set_size(p->objects, (guint)found); /* more room, then again */
  }
  for (gint i = 0; i < found; i++) {
    const VfParserObject *o = &g_array_index(p->objects, VfParserObject, i);
    gfloat thr = o->class_id >= 0 && o->class_id < base->num_classes ? base->thresholds[o->class_id]
                                                                     : (gfloat)cfg->threshold;
    if (!(o->confidence >= thr)) /* also drops NaN */
      continue;
    if (p->desc->kind == VF_CUSTOM_PARSER_CLASSES) {
      VfInferClass c = { .class_id = o->class_id, .confidence = o->confidence };
      g_array_append_val(r->classifications, c);
    } else {
      VfDetection d = { .class_id = o->class_id, .confidence = o->confidence };
      d.left = o->left;
      d.top = o->top;
      d.width = o->width;
      d.height = o->height;
      g_array_append_val(r->detections, d);
    }
  }
  gboolean nms = !(p->desc->flags & VF_CUSTOM_PARSER_FLAG_NMS_DONE);
  vf_detections_nms(r->detections, nms ? (gfloat)cfg->nms_iou : 1.f, cfg->top_k, TRUE);
  /* classifications: best first, top-k (same ordering helper through a detection-free path) */
  GArray *cl = r->classifications;
  for (guint i = 1; i < cl->len; i++) /* insertion sort: a handful of classes */
    for (guint j = i; j > 0; j--) {
      VfInferClass *a = &g_array_index(cl, VfInferClass, j - 1);
      VfInferClass *b = &g_array_index(cl, VfInferClass, j);
      if (a->confidence >= b->confidence)
        break;
      VfInferClass t = *a;
      *a = *b;
      *b = t;
    }
  if (cl->len > (guint)cfg->top_k)
    g_array_set_size(cl, (guint)cfg->top_k);
  return TRUE;
}

static void custom_finalize(VfParser *base)
{
  CustomParser *p = (CustomParser *)base;
  if (p->created && p->desc->destroy)
    p->desc->destroy(p->state);
  if (p->objects)
    g_array_free(p->objects, TRUE);
  g_free(p->tensors);
  if (p->handle)
    dlclose(p->handle);
}

VfParser *vf_parser_custom_new(const VfInferConfig *cfg, guint w, guint h, GError **error)
{
  CustomParser *p = vf_parser_alloc(sizeof(CustomParser), "custom", VF_PARSER_DETECTOR, cfg, w, h);
  p->base.prepare = custom_prepare;
  p->base.parse = custom_parse;
  p->base.finalize = custom_finalize;
  p->objects = g_array_sized_new(FALSE, TRUE, sizeof(VfParserObject), 256);
  g_array_set_size(p->objects, 256);

  p->handle = dlopen(cfg->custom_lib, RTLD_NOW | RTLD_LOCAL);
  if (p->handle == NULL) {
    custom_error(p, error, "custom-lib", "cannot load '%s': %s", cfg->custom_lib, dlerror());
    goto fail;
  }
  VfCustomParserEntry entry = (VfCustomParserEntry)dlsym(p->handle, VF_CUSTOM_PARSER_ENTRY);
  if (entry == NULL) {
    custom_error(p, error, "custom-lib",
                 "'%s' does not export %s(): see include/vidflow/infer-parser.h", cfg->custom_lib,
                 VF_CUSTOM_PARSER_ENTRY);
    goto fail;
  }
  p->desc = entry(cfg->parser);
  if (p->desc == NULL) {
    custom_error(p, error, "parser", "'%s' has no parser called '%s'", cfg->custom_lib,
                 cfg->parser);
    goto fail;
  }
  if (p->desc->abi_version != VF_CUSTOM_PARSER_ABI
      || p->desc->struct_size < G_STRUCT_OFFSET(VfCustomParser, destroy) + sizeof(void *)
      || p->desc->parse == NULL) {
    custom_error(p, error, "custom-lib",
                 "parser '%s' in '%s' speaks ABI %u (struct of %u bytes, parse %s); vidflow "
                 "speaks ABI %d: rebuild it against include/vidflow/infer-parser.h",
                 cfg->parser, cfg->custom_lib, p->desc->abi_version, p->desc->struct_size,
                 p->desc->parse ? "set" : "missing", VF_CUSTOM_PARSER_ABI);
    p->desc = NULL;
    goto fail;
  }
  if (p->desc->kind == VF_CUSTOM_PARSER_CLASSES)
    p->base.kind = VF_PARSER_CLASSIFIER;
  return &p->base;
fail:
  vf_parser_free(&p->base);
  return NULL;
}
