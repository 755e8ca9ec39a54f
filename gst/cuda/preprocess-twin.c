/* vidflow cuda: the host side of GPU preprocessing: frame descriptors from vfinfer's VfImage
 * (the checks and geometry are gst/infer's vf_preprocess_plan) and the CPU twin of the kernel,
 * which runs preprocess-math.h's per-pixel arithmetic over frames in host memory. */
#include "cuda.h"

#include <string.h>

gboolean vf_cuda_preprocess_describe(const VfImage *im, const VfInferRect *roi,
                                     const VfPreprocessParams *p, VfCudaFrameDesc *f,
                                     VfCudaTensorDesc *t, VfPreprocessTransform *transform,
                                     GError **error)
{
  VfPreprocessPlan plan;
  if (!vf_preprocess_plan(im, roi, p, &plan, transform, error))
    return FALSE;
  if (p->channels != 3) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "preprocess on the GPU: the model takes %u channel(s); grey inputs are "
                "preprocessed on the CPU only (set execution-provider: cpu or use a 3-channel "
                "model)",
                p->channels);
    return FALSE;
  }
  memset(f, 0, sizeof *f);
  f->width = (int32_t)im->width, f->height = (int32_t)im->height;
  f->kind = VF_CUDA_PIX_PACKED;
  f->bpp = 1, f->ri = 0, f->gi = 0, f->bi = 0;
  switch (im->format) {
  case VF_COLOR_FORMAT_NV12:
    f->kind = VF_CUDA_PIX_NV12;
    break;
  case VF_COLOR_FORMAT_I420:
    f->kind = VF_CUDA_PIX_I420;
    break;
  case VF_COLOR_FORMAT_RGB:
    f->bpp = 3, f->ri = 0, f->gi = 1, f->bi = 2;
    break;
  case VF_COLOR_FORMAT_BGR:
    f->bpp = 3, f->ri = 2, f->gi = 1, f->bi = 0;
    break;
  case VF_COLOR_FORMAT_RGBA:
    f->bpp = 4, f->ri = 0, f->gi = 1, f->bi = 2;
    break;
  case VF_COLOR_FORMAT_BGRA:
    f->bpp = 4, f->ri = 2, f->gi = 1, f->bi = 0;
    break;
  default: /* GRAY8: one byte a pixel read as R = G = B (vf_preprocess_plan refused the rest) */
    break;
  }
  for (int i = 0; i < 3; i++) {
    f->planes[i] = (uint64_t)(uintptr_t)im->planes[i];
    f->strides[i] = im->strides[i];
  }
  f->roi_x = plan.rx, f->roi_y = plan.ry, f->roi_w = plan.rw, f->roi_h = plan.rh;
  f->nw = (int32_t)plan.nw, f->nh = (int32_t)plan.nh;
  f->ox = (int32_t)plan.ox, f->oy = (int32_t)plan.oy;
  memcpy(f->yuv, plan.yuv, sizeof f->yuv);

  memset(t, 0, sizeof *t);
  t->width = (int32_t)p->width, t->height = (int32_t)p->height;
  t->nchw = p->layout == VF_INFER_LAYOUT_NCHW;
  t->bgr = p->color_order == VF_INFER_COLOR_BGR;
  for (int c = 0; c < 3; c++) {
    t->mul[c] = plan.mul[c];
    t->add[c] = plan.add[c];
    t->pad[c] = p->pad_value * plan.mul[c] + plan.add[c];
  }
  return TRUE;
}

void vf_cuda_preprocess_batch_twin(const VfCudaFrameDesc *frames, guint n,
                                   const VfCudaTensorDesc *t, float *dst)
{
  for (guint z = 0; z < n; z++)
    for (int32_t y = 0; y < t->height; y++)
      for (int32_t x = 0; x < t->width; x++) {
        float v[3];
        vf_cuda_preprocess_pixel(&frames[z], t, x, y, v);
        for (int32_t c = 0; c < 3; c++)
          dst[vf_cuda_tensor_index(t, z, x, y, c)] = v[c];
      }
}
