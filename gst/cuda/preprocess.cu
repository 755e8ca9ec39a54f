/* vidflow cuda: vfinfer preprocessing on the GPU, one thread per output pixel of one frame of the
 * batch (grid z = the frame), straight from the frames' device memory into the model input
 * tensor in device memory. The arithmetic is preprocess-math.h's (the CPU twin's). Built with
 * nvcc -fatbin for sm_90 plus compute_90 PTX (meson.build) and loaded with the driver API. */
#include "preprocess-math.h"

extern "C" __global__ void vf_cuda_preprocess_kernel(const VfCudaFrameDesc *frames,
                                                     VfCudaTensorDesc t, float *dst)
{
  int32_t x = blockIdx.x * blockDim.x + threadIdx.x;
  int32_t y = blockIdx.y * blockDim.y + threadIdx.y;
  uint32_t z = blockIdx.z;
  if (x >= t.width || y >= t.height)
    return;
  VfCudaFrameDesc f = frames[z];
  float v[3];
  vf_cuda_preprocess_pixel(&f, &t, x, y, v);
  for (int32_t c = 0; c < 3; c++)
    dst[vf_cuda_tensor_index(&t, z, x, y, c)] = v[c];
}
