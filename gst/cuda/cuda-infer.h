/* vidflow cuda: vfinfer's GPU input path. Frames in device memory (VfImage.device ==
 * VF_DEVICE_CUDA: planes are device addresses) are preprocessed by the kernel a batch at a time
 * into a device tensor, which ONNX Runtime's cuda provider reads in place (IO binding); only the
 * outputs come to the host, for the engine's parser.
 *
 * Threads: one VfCudaInfer is used by one thread at a time (it owns one device tensor), like the
 * engine it drives. */
#pragma once

#include "cuda.h"
#include "engine.h"

G_BEGIN_DECLS

typedef struct _VfCudaInfer VfCudaInfer;

/* For `engine` (transfer none, must outlive it), whose session runs on the cuda provider of GPU
 * `device_id`: opens CUDA and allocates the batch tensor. NULL with VF_ERROR_UNSUPPORTED when
 * there is no driver/GPU/kernels (the message says which), VF_ERROR_FAILED when allocation
 * fails. */
VfCudaInfer *vf_cuda_infer_new(VfInferEngine *engine, gint device_id, GError **error);
void vf_cuda_infer_free(VfCudaInfer *infer);

/* As vf_infer_engine_process, for frames in device memory (every frames[i].image on
 * VF_DEVICE_CUDA, crops allowed). */
gboolean vf_cuda_infer_process(VfCudaInfer *infer, const VfInferFrame *frames, guint n,
                               VfInferResult *results, GError **error);

G_END_DECLS
