/* vidflow infer: the engine (config + session + preprocess + parser). */
#include "engine.h"

#include <string.h>

/* Input buffers' alignment, in bytes (ORT's CPU allocator aligns to 64). */
#define INPUT_ALIGN 64

struct _VfInferEngine {
  const VfInferConfig *cfg;
  VfInferSession *session;
  const char *input_name;
  guint width, height, channels;
  guint batch_size;
  gboolean fixed_batch; /* the model's batch dimension is static: pad short batches */
  VfPreprocessParams pp;
  VfParser *parser;
  guint *output_map; /* session output index of each parser input */
  guint n_parser_outputs;
  gfloat *pad;       /* (nullable) run_input's zero-padded copy of a short CPU batch */
  gsize sample_size; /* floats per sample */
  struct {
    gfloat *input; /* (nullable until first used) batch_size samples */
    VfPreprocessTransform *transforms;
    guint *frame_sizes; /* width, height of each sample's frame */
    gdouble preprocess; /* seconds the last preprocess_slot took */
  } slots[VF_INFER_ENGINE_SLOTS];
  VfInferTensor *views;
  VfInferTimings timings;
};

static gboolean G_GNUC_PRINTF(4, 5)
    engine_error(const VfInferConfig *cfg, GError **error, const char *key, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  char *where = vf_infer_config_where(cfg, key);
  g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "%s: %s", where, msg);
  g_free(where);
  g_free(msg);
  return FALSE;
}

/* Find the model input and its size; check it against input-shape / input-layout. */
static gboolean check_input(VfInferEngine *e, GError **error)
{
  const VfInferConfig *cfg = e->cfg;
  VfInferSession *s = e->session;
  gint index = 0;
  if (cfg->input_name != NULL) {
    index = vf_infer_session_find_input(s, cfg->input_name);
    if (index < 0) {
      GString *names = g_string_new("");
      for (guint i = 0; i < s->n_inputs; i++)
        g_string_append_printf(names, "%s'%s'", i ? ", " : "", s->inputs[i].name);
      engine_error(cfg, error, "input-name", "the model has no input '%s' (it has %s)",
                   cfg->input_name, names->str);
      g_string_free(names, TRUE);
      return FALSE;
    }
  } else if (s->n_inputs != 1) {
    return engine_error(cfg, error, "model",
                        "the model has %u inputs: set input-name to the image input", s->n_inputs);
  }
  const VfInferTensorInfo *in = &s->inputs[index];
  e->input_name = in->name;
  char *shape = vf_infer_shape_to_string(in->shape, in->ndim);
  gboolean ok = FALSE;
  gboolean nchw = cfg->input_layout == VF_INFER_LAYOUT_NCHW;
  const char *layout = nchw ? "NCHW" : "NHWC";
  if (in->dtype != VF_DTYPE_FLOAT32) {
    engine_error(cfg, error, "model", "model input '%s' is %s; vidflow feeds float32", in->name,
                 vf_dtype_to_string(in->dtype));
    goto out;
  }
  if (in->ndim != 4) {
    engine_error(cfg, error, "model",
                 "model input '%s' %s is not an image batch (rank 4, NCHW or NHWC)", in->name,
                 shape);
    goto out;
  }
  gint64 c = in->shape[nchw ? 1 : 3], h = in->shape[nchw ? 2 : 1], w = in->shape[nchw ? 3 : 2];
  if (cfg->input_shape[0] > 0) {
    const gint *cs = cfg->input_shape;
    gint64 cc = cs[nchw ? 0 : 2], ch = cs[nchw ? 1 : 0], cw = cs[nchw ? 2 : 1];
    if ((c > 0 && c != cc) || (h > 0 && h != ch) || (w > 0 && w != cw)) {
      engine_error(cfg, error, "input-shape",
                   "[%d, %d, %d] (%s) does not match the model input '%s' %s%s", cs[0], cs[1],
                   cs[2], layout, in->name, shape,
                   (nchw ? in->shape[3] : in->shape[1]) == cc
                       ? ": the model looks like the other layout, check input-layout"
                       : "");
      goto out;
    }
    c = cc, h = ch, w = cw;
  }
  if (c != 1 && c != 3) {
    engine_error(cfg, error, "input-layout",
                 "model input '%s' %s read as %s has %" G_GINT64_FORMAT
                 " channels; vidflow feeds 1 or 3: set input-layout: %s",
                 in->name, shape, layout, c, nchw ? "NHWC" : "NCHW");
    goto out;
  }
  if (h <= 0 || w <= 0) {
    engine_error(cfg, error, "input-shape",
                 "model input '%s' %s has a dynamic size: set input-shape (%s, without batch)",
                 in->name, shape, nchw ? "[C, H, W]" : "[H, W, C]");
    goto out;
  }
  e->width = (guint)w;
  e->height = (guint)h;
  e->channels = (guint)c;
  e->batch_size = (guint)cfg->batch_size;
  if (in->shape[0] > 0) {
    if (in->shape[0] != cfg->batch_size) {
      engine_error(cfg, error, "batch-size",
                   "%d, but the model input '%s' %s has a fixed batch of %" G_GINT64_FORMAT,
                   cfg->batch_size, in->name, shape, in->shape[0]);
      goto out;
    }
    e->fixed_batch = TRUE;
  }
  ok = TRUE;
out:
  g_free(shape);
  return ok;
}

/* Pick the outputs the parser reads (output-names, or all) and prepare it. */
static gboolean prepare_parser(VfInferEngine *e, GError **error)
{
  const VfInferConfig *cfg = e->cfg;
  VfInferSession *s = e->session;
  guint n = cfg->output_names ? g_strv_length(cfg->output_names) : s->n_outputs;
  e->output_map = g_new0(guint, MAX(n, 1));
  e->n_parser_outputs = n;
  VfInferTensorInfo *infos = g_new0(VfInferTensorInfo, MAX(n, 1));
  gboolean ok = TRUE;
  for (guint i = 0; i < n && ok; i++) {
    gint idx = cfg->output_names ? vf_infer_session_find_output(s, cfg->output_names[i]) : (gint)i;
    if (idx < 0) {
      GString *names = g_string_new("");
      for (guint k = 0; k < s->n_outputs; k++)
        g_string_append_printf(names, "%s'%s'", k ? ", " : "", s->outputs[k].name);
      ok = engine_error(cfg, error, "output-names", "the model has no output '%s' (it has %s)",
                        cfg->output_names[i], names->str);
      g_string_free(names, TRUE);
      break;
    }
    const VfInferTensorInfo *o = &s->outputs[idx];
    if (o->ndim < 1) {
      ok = engine_error(cfg, error, "model", "model output '%s' is a scalar, not a batch", o->name);
      break;
    }
    e->output_map[i] = (guint)idx;
    infos[i] = *o; /* without the batch dimension */
    infos[i].ndim = o->ndim - 1;
    memmove(infos[i].shape, o->shape + 1, (o->ndim - 1) * sizeof(gint64));
  }
  if (ok) {
    e->parser = vf_parser_new(cfg, e->width, e->height, error);
    ok = e->parser != NULL && vf_parser_prepare(e->parser, infos, n, error);
  }
  g_free(infos);
  return ok;
}

VfInferEngine *vf_infer_engine_new(const VfInferConfig *cfg, GError **error)
{
  VfInferEngine *e = g_new0(VfInferEngine, 1);
  e->cfg = cfg;
  VfInferSessionOptions o = {
    .backend = cfg->backend,
    .model = cfg->model,
    .provider = cfg->execution_provider,
    .device_id = cfg->device_id,
    .threads = cfg->threads,
    .library = cfg->ort_library,
  };
  e->session = vf_infer_session_open(&o, error);
  if (e->session == NULL) {
    if (error && *error)
      g_prefix_error(error, "%s: ", cfg->path ? cfg->path : "vfinfer");
    goto fail;
  }
  if (!check_input(e, error) || !prepare_parser(e, error))
    goto fail;
  vf_preprocess_params_from_config(&e->pp, cfg, e->width, e->height, e->channels);
  e->sample_size = (gsize)e->width * e->height * e->channels;
  for (guint i = 0; i < VF_INFER_ENGINE_SLOTS; i++) {
    e->slots[i].transforms = g_new0(VfPreprocessTransform, e->batch_size);
    e->slots[i].frame_sizes = g_new0(guint, 2 * e->batch_size);
  }
  e->views = g_new0(VfInferTensor, MAX(e->n_parser_outputs, 1));
  return e;
fail:
  vf_infer_engine_free(e);
  return NULL;
}

void vf_infer_engine_free(VfInferEngine *e)
{
  if (e == NULL)
    return;
  vf_parser_free(e->parser);
  vf_infer_session_unref(e->session);
  g_free(e->output_map);
  g_aligned_free(e->pad);
  for (guint i = 0; i < VF_INFER_ENGINE_SLOTS; i++) {
    g_aligned_free(e->slots[i].input);
    g_free(e->slots[i].transforms);
    g_free(e->slots[i].frame_sizes);
  }
  g_free(e->views);
  g_free(e);
}

/* A copy of sample s of output t (for output-tensor-meta). */
static VfInferTensor *copy_sample(const VfInferTensor *t, guint s, gsize per_sample)
{
  VfInferTensor *c = g_new0(VfInferTensor, 1);
  c->name = t->name;
  c->dtype = t->dtype;
  c->ndim = t->ndim;
  memcpy(c->shape, t->shape, sizeof c->shape);
  c->shape[0] = 1;
  gsize bytes = per_sample * vf_dtype_size(t->dtype);
  c->data = g_memdup2((const guint8 *)t->data + s * bytes, bytes);
  return c;
}

gboolean vf_infer_engine_run_preprocessed(VfInferEngine *e, const gfloat *input, guint batch,
                                          const VfPreprocessTransform *transforms,
                                          const guint *frame_sizes, VfInferResult *results,
                                          GError **error)
{
  return vf_infer_engine_run_input(e, input, VF_DEVICE_CPU, batch, transforms, frame_sizes, results,
                                   error);
}

/* run_input; `padded`: a short batch at `input` already has batch-size samples, zeros past it. */
static gboolean run_tensor(VfInferEngine *e, gconstpointer input, VfDevice device, gboolean padded,
                           guint batch, const VfPreprocessTransform *transforms,
                           const guint *frame_sizes, VfInferResult *results, GError **error)
{
  if (batch < 1 || batch > e->batch_size) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "batch of %u frames, the engine takes 1..%u",
                batch, e->batch_size);
    return FALSE;
  }
  guint run_batch = batch;
  if (e->fixed_batch && batch < e->batch_size && (device != VF_DEVICE_CPU || padded)) {
    run_batch = e->batch_size; /* the caller's tensor is padded (see engine.h) */
  } else if (e->fixed_batch && batch < e->batch_size) { /* pad with zeros to the model's batch */
    if (e->pad == NULL)
      e->pad = g_aligned_alloc0(e->sample_size * e->batch_size, sizeof(gfloat), INPUT_ALIGN);
    memcpy(e->pad, input, batch * e->sample_size * sizeof(gfloat));
    memset(e->pad + batch * e->sample_size, 0,
           (e->batch_size - batch) * e->sample_size * sizeof(gfloat));
    input = e->pad;
    run_batch = e->batch_size;
  }
  VfInferTensor t
      = { .name = e->input_name, .dtype = VF_DTYPE_FLOAT32, .ndim = 4, .data = (gpointer)input };
  t.shape[0] = run_batch;
  gboolean nchw = e->cfg->input_layout == VF_INFER_LAYOUT_NCHW;
  t.shape[nchw ? 1 : 3] = e->channels;
  t.shape[nchw ? 2 : 1] = e->height;
  t.shape[nchw ? 3 : 2] = e->width;

  gint64 t0 = g_get_monotonic_time();
  VfInferOutputs *outs = vf_infer_session_run_on(e->session, &t, device, error);
  gint64 t1 = g_get_monotonic_time();
  if (outs == NULL) {
    g_prefix_error(error, "%s: ", e->cfg->path ? e->cfg->path : "vfinfer");
    return FALSE;
  }
  gboolean ok = TRUE;
  for (guint i = 0; i < outs->n_tensors && ok; i++)
    if (outs->tensors[i].ndim < 1 || outs->tensors[i].shape[0] != (gint64)run_batch) {
      g_set_error(error, VF_ERROR, VF_ERROR_STREAM,
                  "%s: model output '%s' does not have the batch (%u) as its first dimension",
                  e->cfg->path ? e->cfg->path : "vfinfer", outs->tensors[i].name, run_batch);
      ok = FALSE;
    }
  for (guint b = 0; b < batch && ok; b++) {
    VfInferResult *r = &results[b];
    vf_infer_result_reset(r);
    for (guint k = 0; k < e->n_parser_outputs; k++) {
      const VfInferTensor *o = &outs->tensors[e->output_map[k]];
      gsize per = vf_shape_size(o->shape + 1, o->ndim - 1);
      VfInferTensor *v = &e->views[k];
      v->name = o->name;
      v->dtype = o->dtype;
      v->ndim = o->ndim - 1;
      memcpy(v->shape, o->shape + 1, (o->ndim - 1) * sizeof(gint64));
      v->data = (guint8 *)o->data + b * per * vf_dtype_size(o->dtype);
    }
    ok = vf_parser_parse(e->parser, e->views, e->n_parser_outputs, r, error);
    if (!ok)
      g_prefix_error(error, "%s: ", e->cfg->path ? e->cfg->path : "vfinfer");
    if (ok && transforms != NULL)
      vf_detections_to_frame(r->detections, &transforms[b], frame_sizes[2 * b],
                             frame_sizes[2 * b + 1]);
    if (ok && e->cfg->output_tensor_meta)
      for (guint i = 0; i < outs->n_tensors; i++) {
        const VfInferTensor *o = &outs->tensors[i];
        g_ptr_array_add(r->tensors, copy_sample(o, b, vf_shape_size(o->shape + 1, o->ndim - 1)));
      }
  }
  vf_infer_outputs_free(outs);
  e->timings.inference = (t1 - t0) / 1e6;
  e->timings.parse = (g_get_monotonic_time() - t1) / 1e6;
  return ok;
}

gboolean vf_infer_engine_run_input(VfInferEngine *e, gconstpointer input, VfDevice device,
                                   guint batch, const VfPreprocessTransform *transforms,
                                   const guint *frame_sizes, VfInferResult *results, GError **error)
{
  return run_tensor(e, input, device, FALSE, batch, transforms, frame_sizes, results, error);
}

gboolean vf_infer_engine_preprocess_slot(VfInferEngine *e, guint slot, const VfInferFrame *frames,
                                         guint n, GError **error)
{
  if (slot >= VF_INFER_ENGINE_SLOTS || n < 1 || n > e->batch_size || frames == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "vf_infer_engine_preprocess_slot: slot %u of %d, %u frames of 1..%u", slot,
                VF_INFER_ENGINE_SLOTS, n, e->batch_size);
    return FALSE;
  }
  gint64 t0 = g_get_monotonic_time();
  if (e->slots[slot].input == NULL) /* aligned as ORT's own buffers (its kernels may differ) */
    e->slots[slot].input
        = g_aligned_alloc0(e->sample_size * e->batch_size, sizeof(gfloat), INPUT_ALIGN);
  gfloat *input = e->slots[slot].input;
  for (guint i = 0; i < n; i++) {
    const VfInferFrame *f = &frames[i];
    if (!vf_preprocess(f->image, f->roi, &e->pp, input + i * e->sample_size,
                       &e->slots[slot].transforms[i], error)) {
      g_prefix_error(error, "%s: ", e->cfg->path ? e->cfg->path : "vfinfer");
      return FALSE;
    }
    e->slots[slot].frame_sizes[2 * i] = f->image->width;
    e->slots[slot].frame_sizes[2 * i + 1] = f->image->height;
  }
  if (e->fixed_batch && n < e->batch_size) /* the model runs every sample: zeros past n */
    memset(input + n * e->sample_size, 0, (e->batch_size - n) * e->sample_size * sizeof(gfloat));
  e->slots[slot].preprocess = (g_get_monotonic_time() - t0) / 1e6;
  return TRUE;
}

gboolean vf_infer_engine_run_slot(VfInferEngine *e, guint slot, guint n, VfInferResult *results,
                                  GError **error)
{
  if (slot >= VF_INFER_ENGINE_SLOTS || e->slots[slot].input == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "vf_infer_engine_run_slot: slot %u was not preprocessed", slot);
    return FALSE;
  }
  gboolean ok = run_tensor(e, e->slots[slot].input, VF_DEVICE_CPU, TRUE, n,
                           e->slots[slot].transforms, e->slots[slot].frame_sizes, results, error);
  e->timings.preprocess = e->slots[slot].preprocess;
  return ok;
}

gboolean vf_infer_engine_process(VfInferEngine *e, const VfInferFrame *frames, guint n,
                                 VfInferResult *results, GError **error)
{
  VfInferTimings total = { 0 };
  for (guint start = 0; start < n; start += e->batch_size) {
    guint batch = MIN(e->batch_size, n - start);
    if (!vf_infer_engine_preprocess_slot(e, 0, frames + start, batch, error)
        || !vf_infer_engine_run_slot(e, 0, batch, results + start, error))
      return FALSE;
    total.preprocess += e->timings.preprocess;
    total.inference += e->timings.inference;
    total.parse += e->timings.parse;
  }
  e->timings = total;
  return TRUE;
}

guint vf_infer_engine_get_batch_size(const VfInferEngine *e)
{
  return e->batch_size;
}

void vf_infer_engine_get_input_size(const VfInferEngine *e, guint *w, guint *h, guint *c)
{
  if (w)
    *w = e->width;
  if (h)
    *h = e->height;
  if (c)
    *c = e->channels;
}

VfParserKind vf_infer_engine_get_kind(const VfInferEngine *e)
{
  return e->parser->kind;
}

const VfPreprocessParams *vf_infer_engine_get_preprocess(const VfInferEngine *e)
{
  return &e->pp;
}

VfInferSession *vf_infer_engine_get_session(const VfInferEngine *e)
{
  return e->session;
}

gsize vf_infer_engine_get_sample_size(const VfInferEngine *e)
{
  return e->sample_size;
}

void vf_infer_engine_get_timings(const VfInferEngine *e, VfInferTimings *t)
{
  *t = e->timings;
}
