/* vidflow cuda: vfinfer's GPU input path. Frames in device memory (VfImage.device ==
 * VF_DEVICE_CUDA: planes are device addresses) are preprocessed by the kernel a batch at a time
 * into a device tensor, which ONNX Runtime's cuda provider reads in place (IO binding); only the
 * outputs come to the host, for the engine's parser.
 *
 * Threads: one VfCudaInfer is used by one thread at a time (it owns its device tensors), like the
 * engine it drives; as with the engine's slots, vf_cuda_infer_preprocess_slot on one thread and
 * vf_cuda_infer_run_slot on another may overlap on different slots (vfinfer's overlap). */
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

/* The two steps of process() on device input slot `slot` (< VF_INFER_ENGINE_SLOTS; the second
 * slot's tensor is allocated on first use): the kernel puts frames[0..n) (n <= batch-size) into
 * the slot's tensor and has finished when this returns (the frames may be unmapped then);
 * run_slot runs the model on it and parses the n samples into results[0..n). */
gboolean vf_cuda_infer_preprocess_slot(VfCudaInfer *infer, guint slot, const VfInferFrame *frames,
                                       guint n, GError **error);
gboolean vf_cuda_infer_run_slot(VfCudaInfer *infer, guint slot, guint n, VfInferResult *results,
                                GError **error);

G_END_DECLS
