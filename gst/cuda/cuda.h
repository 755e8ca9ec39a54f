/* vidflow cuda: the CUDA driver, loaded with dlopen only when asked for (CPU machines and CI
 * build and run everything without it), the one CUDA check helper, device memory, and the GPU
 * preprocessing kernel (preprocess.cu) with its CPU twin (preprocess-twin.c).
 *
 * Thread safety: vf_cuda_open is once-only and thread-safe; every other call pushes the device's
 * primary context on the calling thread for its own duration and pops it again. */
#pragma once

#include <glib.h>
#include <vidflow/error.h>

#include "preprocess-math.h"
#include "preprocess.h"

G_BEGIN_DECLS

typedef uint64_t VfCudaPtr; /* a device address (CUdeviceptr) */

/* Loads the driver (libcuda.so.1), initialises it and loads the kernels into the primary context
 * of GPU `device`. FALSE with VF_ERROR_UNSUPPORTED when there is no driver, no such GPU or this
 * build has no kernels (nvcc missing at build time); the message says which. */
gboolean vf_cuda_open(gint device, GError **error);
/* (transfer none) the GPU's name once open, else NULL. */
const char *vf_cuda_device_name(void);

/* The one check of a CUDA driver result: TRUE for success, else FALSE with VF_ERROR_FAILED
 * "CUDA <what>: <name> (<text>)". */
gboolean vf_cuda_check(int result, const char *what, GError **error);

/* Device memory (plain cuMemAlloc), copies (synchronous), free (0 is ignored). */
gboolean vf_cuda_alloc(VfCudaPtr *ptr, gsize size, GError **error);
void vf_cuda_free(VfCudaPtr ptr);
gboolean vf_cuda_upload(VfCudaPtr dst, const void *src, gsize size, GError **error);
gboolean vf_cuda_download(void *dst, VfCudaPtr src, gsize size, GError **error);
/* Zero `size` bytes at ptr (synchronous). */
gboolean vf_cuda_clear(VfCudaPtr ptr, gsize size, GError **error);
/* Free and total device memory in bytes. */
gboolean vf_cuda_mem_info(gsize *free_bytes, gsize *total_bytes, GError **error);

/* ---- preprocessing ---- */

/* The frame descriptor of `image` (planes: device addresses for the kernel, host ones for the
 * twin) or its crop `roi` (nullable) for `params` (3 channels), and the geometry as
 * vf_preprocess gives it. FALSE with VF_ERROR_ARGUMENT/FORMAT as vf_preprocess. */
gboolean vf_cuda_preprocess_describe(const VfImage *image, const VfInferRect *roi,
                                     const VfPreprocessParams *params, VfCudaFrameDesc *frame,
                                     VfCudaTensorDesc *tensor, VfPreprocessTransform *transform,
                                     GError **error);
/* The kernel: n frames into the batch tensor at `dst` (device memory of the primary context,
 * n * W * H * 3 floats); waits for it to finish. Frames may live in another CUDA context of the
 * device (GStreamer's GstCudaContext): the kernel then runs in that context, on its default stream
 * (1.22's GstCudaMemory has no stream of its own and nvh264dec waits for its copy before pushing),
 * into a staging tensor there, copied device to device into `dst`. Thread-safe. */
gboolean vf_cuda_preprocess_batch(const VfCudaFrameDesc *frames, guint n,
                                  const VfCudaTensorDesc *tensor, VfCudaPtr dst, GError **error);
/* The CPU twin: the same arithmetic over frames in host memory, into `dst` on the host. */
void vf_cuda_preprocess_batch_twin(const VfCudaFrameDesc *frames, guint n,
                                   const VfCudaTensorDesc *tensor, float *dst);

G_END_DECLS
