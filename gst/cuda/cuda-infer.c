/* vidflow cuda: vfinfer's GPU input path (cuda-infer.h). */
#include "cuda-infer.h"

struct _VfCudaInfer {
  VfInferEngine *engine; /* (transfer none) */
  guint batch_size;
  gsize sample_bytes;
  VfCudaPtr tensor; /* batch_size samples, primary context */
  VfCudaFrameDesc *frames;
  VfPreprocessTransform *transforms;
  guint *frame_sizes; /* width, height of each frame */
};

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
  ci->batch_size = vf_infer_engine_get_batch_size(engine);
  ci->sample_bytes = vf_infer_engine_get_sample_size(engine) * sizeof(gfloat);
  if (!vf_cuda_alloc(&ci->tensor, ci->sample_bytes * ci->batch_size, error)) {
    g_prefix_error(error, "the model input tensor on GPU %d: ", device_id);
    vf_cuda_infer_free(ci);
    return NULL;
  }
  ci->frames = g_new0(VfCudaFrameDesc, ci->batch_size);
  ci->transforms = g_new0(VfPreprocessTransform, ci->batch_size);
  ci->frame_sizes = g_new0(guint, 2 * ci->batch_size);
  return ci;
}

void vf_cuda_infer_free(VfCudaInfer *ci)
{
  if (ci == NULL)
    return;
  vf_cuda_free(ci->tensor);
  g_free(ci->frames);
  g_free(ci->transforms);
  g_free(ci->frame_sizes);
  g_free(ci);
}

gboolean vf_cuda_infer_process(VfCudaInfer *ci, const VfInferFrame *frames, guint n,
                               VfInferResult *results, GError **error)
{
  if (ci == NULL || (frames == NULL && n > 0) || (results == NULL && n > 0)) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "vf_cuda_infer_process: infer, frames and results must not be NULL");
    return FALSE;
  }
  const VfPreprocessParams *pp = vf_infer_engine_get_preprocess(ci->engine);
  for (guint start = 0; start < n; start += ci->batch_size) {
    guint batch = MIN(ci->batch_size, n - start);
    VfCudaTensorDesc tensor;
    for (guint i = 0; i < batch; i++) {
      const VfInferFrame *f = &frames[start + i];
      if (f->image == NULL || f->image->device != VF_DEVICE_CUDA) {
        g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                    "vf_cuda_infer_process: frame %u is not in GPU memory", start + i);
        return FALSE;
      }
      if (!vf_cuda_preprocess_describe(f->image, f->roi, pp, &ci->frames[i], &tensor,
                                       &ci->transforms[i], error))
        return FALSE;
      ci->frame_sizes[2 * i] = f->image->width;
      ci->frame_sizes[2 * i + 1] = f->image->height;
    }
    if (!vf_cuda_preprocess_batch(ci->frames, batch, &tensor, ci->tensor, error))
      return FALSE;
    if (batch < ci->batch_size /* a model with a fixed batch runs the zero samples too */
        && !vf_cuda_clear(ci->tensor + batch * ci->sample_bytes,
                          (ci->batch_size - batch) * ci->sample_bytes, error))
      return FALSE;
    if (!vf_infer_engine_run_input(ci->engine, (gconstpointer)(guintptr)ci->tensor, VF_DEVICE_CUDA,
                                   batch, ci->transforms, ci->frame_sizes, results + start, error))
      return FALSE;
  }
  return TRUE;
}
