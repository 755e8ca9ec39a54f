/* vidflow cuda: vfinfer's GPU input path (cuda-infer.h). */
#include "cuda-infer.h"

typedef struct {
  VfCudaPtr tensor; /* batch_size samples, primary context; 0 until first used */
  VfCudaFrameDesc *frames;
  VfPreprocessTransform *transforms;
  guint *frame_sizes; /* width, height of each frame */
} Slot;

struct _VfCudaInfer {
  VfInferEngine *engine; /* (transfer none) */
  gint device_id;
  guint batch_size;
  gsize sample_bytes;
  Slot slots[VF_INFER_ENGINE_SLOTS];
};

static gboolean slot_alloc(VfCudaInfer *ci, Slot *s, GError **error)
{
  if (s->tensor != 0)
    return TRUE;
  if (!vf_cuda_alloc(&s->tensor, ci->sample_bytes * ci->batch_size, error)) {
    g_prefix_error(error, "the model input tensor on GPU %d: ", ci->device_id);
    return FALSE;
  }
  return TRUE;
}

VfCudaInfer *vf_cuda_infer_new(VfInferEngine *engine, gint device_id, GError **error)
{
  if (engine == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "vf_cuda_infer_new: engine is NULL");
    return NULL;
  }
  if (!vf_cuda_open(device_id, error))
    return NULL;
  VfCudaInfer *ci = g_new0(VfCudaInfer, 1);
  ci->engine = engine;
  ci->device_id = device_id;
  ci->batch_size = vf_infer_engine_get_batch_size(engine);
  ci->sample_bytes = vf_infer_engine_get_sample_size(engine) * sizeof(gfloat);
  for (guint i = 0; i < VF_INFER_ENGINE_SLOTS; i++) {
    ci->slots[i].frames = g_new0(VfCudaFrameDesc, ci->batch_size);
    ci->slots[i].transforms = g_new0(VfPreprocessTransform, ci->batch_size);
    ci->slots[i].frame_sizes = g_new0(guint, 2 * ci->batch_size);
  }
  if (!slot_alloc(ci, &ci->slots[0], error)) {
    vf_cuda_infer_free(ci);
    return NULL;
  }
  return ci;
}

void vf_cuda_infer_free(VfCudaInfer *ci)
{
  if (ci == NULL)
    return;
  for (guint i = 0; i < VF_INFER_ENGINE_SLOTS; i++) {
    vf_cuda_free(ci->slots[i].tensor);
    g_free(ci->slots[i].frames);
    g_free(ci->slots[i].transforms);
    g_free(ci->slots[i].frame_sizes);
  }
  g_free(ci);
}

gboolean vf_cuda_infer_preprocess_slot(VfCudaInfer *ci, guint slot, const VfInferFrame *frames,
                                       guint n, GError **error)
{
  if (ci == NULL || frames == NULL || slot >= VF_INFER_ENGINE_SLOTS || n < 1
      || n > ci->batch_size) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "vf_cuda_infer_preprocess_slot: slot %u of %d, %u frames of 1..%u", slot,
                VF_INFER_ENGINE_SLOTS, n, ci ? ci->batch_size : 0);
    return FALSE;
  }
  Slot *s = &ci->slots[slot];
  if (!slot_alloc(ci, s, error))
    return FALSE;
  const VfPreprocessParams *pp = vf_infer_engine_get_preprocess(ci->engine);
  VfCudaTensorDesc tensor;
  for (guint i = 0; i < n; i++) {
    const VfInferFrame *f = &frames[i];
    if (f->image == NULL || f->image->device != VF_DEVICE_CUDA) {
      g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                  "vf_cuda_infer_process: frame %u is not in GPU memory", i);
      return FALSE;
    }
    if (!vf_cuda_preprocess_describe(f->image, f->roi, pp, &s->frames[i], &tensor,
                                     &s->transforms[i], error))
      return FALSE;
    s->frame_sizes[2 * i] = f->image->width;
    s->frame_sizes[2 * i + 1] = f->image->height;
  }
  if (!vf_cuda_preprocess_batch(s->frames, n, &tensor, s->tensor, error))
    return FALSE;
  return n == ci->batch_size /* a model with a fixed batch runs the zero samples too */
         || vf_cuda_clear(s->tensor + n * ci->sample_bytes, (ci->batch_size - n) * ci->sample_bytes,
                          error);
}

gboolean vf_cuda_infer_run_slot(VfCudaInfer *ci, guint slot, guint n, VfInferResult *results,
                                GError **error)
{
  if (ci == NULL || results == NULL || slot >= VF_INFER_ENGINE_SLOTS
      || ci->slots[slot].tensor == 0) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "vf_cuda_infer_run_slot: slot %u was not preprocessed", slot);
    return FALSE;
  }
  Slot *s = &ci->slots[slot];
  return vf_infer_engine_run_input(ci->engine, (gconstpointer)(guintptr)s->tensor, VF_DEVICE_CUDA,
                                   n, s->transforms, s->frame_sizes, results, error);
}

gboolean vf_cuda_infer_process(VfCudaInfer *ci, const VfInferFrame *frames, guint n,
                               VfInferResult *results, GError **error)
{
  if (ci == NULL || (frames == NULL && n > 0) || (results == NULL && n > 0)) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "vf_cuda_infer_process: infer, frames and results must not be NULL");
    return FALSE;
  }
  for (guint start = 0; start < n; start += ci->batch_size) {
    guint batch = MIN(ci->batch_size, n - start);
    if (!vf_cuda_infer_preprocess_slot(ci, 0, frames + start, batch, error)
        || !vf_cuda_infer_run_slot(ci, 0, batch, results + start, error))
      return FALSE;
  }
  return TRUE;
}
