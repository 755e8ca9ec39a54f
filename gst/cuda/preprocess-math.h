/* vidflow cuda: the arithmetic of GPU preprocessing, one source for the CUDA kernel
 * (preprocess.cu) and its CPU twin (preprocess-twin.c), so both compute the same values.
 *
 * One output pixel of one model input: inside the image area a bilinear sample of the frame
 * (pixel-centre aligned, vertical blend first, then horizontal: the order gst/infer/preprocess.c
 * uses), YUV converted after interpolation and clamped to 0..255, then value = rgb * mul + add in
 * the model's channel order and layout; outside it (letterbox border) the padded value. Plain C
 * (no GLib) so nvcc compiles it too; built with -fmad=false on the GPU and without FMA contraction
 * on the CPU, so the two agree to float rounding. */
#pragma once

#include <stdint.h>

#ifdef __CUDACC__
#define VF_CUDA_HD static __host__ __device__ inline
#else
#define VF_CUDA_HD static inline
#endif

enum {
  VF_CUDA_PIX_PACKED = 0, /* RGB, BGR, RGBA, BGRA, GRAY8: bpp bytes a pixel, R/G/B at ri/gi/bi */
  VF_CUDA_PIX_NV12 = 1,   /* Y plane, interleaved UV plane (half size) */
  VF_CUDA_PIX_I420 = 2,   /* Y, U, V planes (chroma half size) */
};

/* One frame of the batch and where it lands in its model input (filled on the host). */
typedef struct {
  uint64_t planes[3];  /* addresses of the planes (device memory for the kernel) */
  uint64_t strides[3]; /* row stride in bytes of each plane */
  int32_t kind;        /* VF_CUDA_PIX_* */
  int32_t bpp, ri, gi, bi;
  int32_t width, height;             /* the frame */
  double roi_x, roi_y, roi_w, roi_h; /* the crop, clipped to the frame */
  int32_t nw, nh, ox, oy;            /* the image area in the model input */
  float yuv[5];                      /* limited-range YUV -> RGB: y, rv, gu, gv, bu */
} VfCudaFrameDesc;

/* The model input (the same for every frame of a batch). */
typedef struct {
  int32_t width, height; /* W, H; 3 channels */
  int32_t nchw;          /* 1: NCHW, 0: NHWC */
  int32_t bgr;           /* 1: channel 0 is blue */
  float mul[3], add[3];  /* value = rgb * mul[c] + add[c], in model channel order */
  float pad[3];          /* the letterbox border, already normalised */
} VfCudaTensorDesc;

typedef struct {
  int32_t x0, x1;
  float w;
} VfCudaTap;

/* The source position of output `i` of `n` over [start, start + size) of `limit` samples, as
 * gst/infer/preprocess.c's make_taps (chroma: samples at the centre of each 2x2 luma block). */
VF_CUDA_HD VfCudaTap vf_cuda_tap(double s, int32_t limit, int chroma)
{
  if (chroma)
    s = (s + 0.5) / 2.0 - 0.5;
  if (s < 0)
    s = 0;
  if (s > limit - 1)
    s = limit - 1;
  VfCudaTap t;
  t.x0 = (int32_t)s;
  t.x1 = t.x0 + 1 < limit ? t.x0 + 1 : limit - 1;
  t.w = (float)(s - t.x0);
  return t;
}

VF_CUDA_HD float vf_cuda_lerp(float a, float b, float w)
{
  return a + (b - a) * w;
}

/* Bilinear sample of byte `k` of a pixel: rows y0/y1 blended first (as the CPU's vertical pass). */
VF_CUDA_HD float vf_cuda_sample(uint64_t plane, uint64_t stride, VfCudaTap ty, int32_t a, int32_t b,
                                float wx)
{
  const uint8_t *r0 = (const uint8_t *)(uintptr_t)(plane + (uint64_t)ty.x0 * stride);
  const uint8_t *r1 = (const uint8_t *)(uintptr_t)(plane + (uint64_t)ty.x1 * stride);
  float va = r0[a] + (r1[a] - r0[a]) * ty.w;
  float vb = r0[b] + (r1[b] - r0[b]) * ty.w;
  return vf_cuda_lerp(va, vb, wx);
}

VF_CUDA_HD float vf_cuda_clamp255(float v)
{
  v = (v + (v < 0 ? -v : v)) * 0.5f;
  return v < 255.f ? v : 255.f;
}

/* The model values of output pixel (x, y) into out[0..2], in model channel order. */
VF_CUDA_HD void vf_cuda_preprocess_pixel(const VfCudaFrameDesc *f, const VfCudaTensorDesc *t,
                                         int32_t x, int32_t y, float out[3])
{
  int32_t i = x - f->ox, j = y - f->oy;
  if (i < 0 || j < 0 || i >= f->nw || j >= f->nh) {
    out[0] = t->pad[0], out[1] = t->pad[1], out[2] = t->pad[2];
    return;
  }
  double sx = f->roi_w / f->nw, sy = f->roi_h / f->nh;
  double px = f->roi_x + (i + 0.5) * sx - 0.5;
  double py = (f->roi_y + j * sy) + 0.5 * sy - 0.5; /* the CPU's per-row form */
  VfCudaTap tx = vf_cuda_tap(px, f->width, 0), ty = vf_cuda_tap(py, f->height, 0);
  float rgb[3];
  if (f->kind == VF_CUDA_PIX_PACKED) {
    int32_t a = tx.x0 * f->bpp, b = tx.x1 * f->bpp;
    rgb[0] = vf_cuda_sample(f->planes[0], f->strides[0], ty, a + f->ri, b + f->ri, tx.w);
    rgb[1] = vf_cuda_sample(f->planes[0], f->strides[0], ty, a + f->gi, b + f->gi, tx.w);
    rgb[2] = vf_cuda_sample(f->planes[0], f->strides[0], ty, a + f->bi, b + f->bi, tx.w);
  } else {
    int32_t cw = (f->width + 1) / 2, ch = (f->height + 1) / 2;
    VfCudaTap cx = vf_cuda_tap(px, cw, 1), cy = vf_cuda_tap(py, ch, 1);
    float yy
        = (vf_cuda_sample(f->planes[0], f->strides[0], ty, tx.x0, tx.x1, tx.w) - 16.f) * f->yuv[0];
    float u, v;
    if (f->kind == VF_CUDA_PIX_NV12) {
      u = vf_cuda_sample(f->planes[1], f->strides[1], cy, cx.x0 * 2, cx.x1 * 2, cx.w) - 128.f;
      v = vf_cuda_sample(f->planes[1], f->strides[1], cy, cx.x0 * 2 + 1, cx.x1 * 2 + 1, cx.w)
          - 128.f;
    } else {
      u = vf_cuda_sample(f->planes[1], f->strides[1], cy, cx.x0, cx.x1, cx.w) - 128.f;
      v = vf_cuda_sample(f->planes[2], f->strides[2], cy, cx.x0, cx.x1, cx.w) - 128.f;
    }
    rgb[0] = vf_cuda_clamp255(yy + f->yuv[1] * v);
    rgb[1] = vf_cuda_clamp255(yy + f->yuv[2] * u + f->yuv[3] * v);
    rgb[2] = vf_cuda_clamp255(yy + f->yuv[4] * u);
  }
  int32_t c0 = t->bgr ? 2 : 0, c2 = t->bgr ? 0 : 2;
  out[0] = rgb[c0] * t->mul[0] + t->add[0];
  out[1] = rgb[1] * t->mul[1] + t->add[1];
  out[2] = rgb[c2] * t->mul[2] + t->add[2];
}

/* Where value c of pixel (x, y) of sample z goes in the batch tensor. */
VF_CUDA_HD uint64_t vf_cuda_tensor_index(const VfCudaTensorDesc *t, uint32_t z, int32_t x,
                                         int32_t y, int32_t c)
{
  uint64_t plane = (uint64_t)t->width * t->height;
  uint64_t base = (uint64_t)z * plane * 3;
  return t->nchw ? base + c * plane + (uint64_t)y * t->width + x
                 : base + ((uint64_t)y * t->width + x) * 3 + c;
}
