/* vidflow infer: one-pass preprocessing (bilinear resize + colour + normalise + layout).
 *
 * Per output row: the two source rows it needs are blended once (vertical pass, contiguous and
 * vectorised), a format-specific sampler interpolates RGB (float, 0..255) from that blend
 * (horizontal pass) into a small buffer, then one writer normalises it into the model's channel
 * order and layout. Column positions and weights are computed once per call. Sampling is
 * pixel-centre aligned (as OpenCV's INTER_LINEAR): src = (dst + 0.5) * src_size / dst_size - 0.5.
 * YUV is interpolated before conversion (the conversion is linear), then clamped. */
#include "preprocess.h"

#include <math.h>
#include <string.h>

typedef struct {
  gint x0, x1; /* source columns (pixels) */
  gfloat w;    /* weight of x1 */
} Tap;

/* Source positions for n outputs covering [start, start + size) of a source of `limit` pixels. */
static void make_taps(Tap *taps, guint n, gdouble start, gdouble size, gint limit, gboolean chroma)
{
  gdouble step = size / n;
  for (guint i = 0; i < n; i++) {
    gdouble s = start + (i + 0.5) * step - 0.5;
    if (chroma) /* chroma samples sit at the centre of each 2x2 luma block */
      s = (s + 0.5) / 2.0 - 0.5;
    if (s < 0)
      s = 0;
    if (s > limit - 1)
      s = limit - 1;
    gint x0 = (gint)s;
    taps[i].x0 = x0;
    taps[i].x1 = MIN(x0 + 1, limit - 1);
    taps[i].w = (gfloat)(s - x0);
  }
}

/* Vertical pass: rows r0 and r1 blended over bytes [from, to) into v (indexed like the row).
 * Contiguous, so the compiler vectorises it. */
static void vblend(gfloat *v, const guint8 *r0, const guint8 *r1, gsize from, gsize to, gfloat wy)
{
  for (gsize k = from; k < to; k++)
    v[k] = r0[k] + (r1[k] - r0[k]) * wy;
}

static inline gfloat hlerp(const gfloat *v, gint a, gint b, gfloat w)
{
  return v[a] + (v[b] - v[a]) * w;
}

/* Horizontal pass, packed RGB/BGR/RGBA/BGRA: ri/gi/bi are the byte offsets of R, G, B. */
static void row_packed(gfloat *rgb, const Tap *tx, guint n, const gfloat *v, gint bpp, gint ri,
                       gint gi, gint bi)
{
  for (guint i = 0; i < n; i++) {
    gint a = tx[i].x0 * bpp, b = tx[i].x1 * bpp;
    gfloat w = tx[i].w;
    rgb[3 * i + 0] = hlerp(v, a + ri, b + ri, w);
    rgb[3 * i + 1] = hlerp(v, a + gi, b + gi, w);
    rgb[3 * i + 2] = hlerp(v, a + bi, b + bi, w);
  }
}

static void row_gray(gfloat *rgb, const Tap *tx, guint n, const gfloat *v)
{
  for (guint i = 0; i < n; i++)
    rgb[3 * i + 0] = rgb[3 * i + 1] = rgb[3 * i + 2] = hlerp(v, tx[i].x0, tx[i].x1, tx[i].w);
}

typedef struct {
  gfloat y, rv, gu, gv, bu; /* limited-range YUV -> RGB coefficients */
} Matrix;

static const Matrix bt601 = { 1.164383f, 1.596027f, -0.391762f, -0.812968f, 2.017232f };
static const Matrix bt709 = { 1.164383f, 1.792741f, -0.213249f, -0.532909f, 2.112402f };

static inline gfloat clamp255(gfloat v)
{
  /* max(v, 0) as (v + |v|) / 2 (exact): GCC turns "v > 0 ? v : 0" into a branch, and branches
   * on pixel values mispredict; the min does become minss */
  v = (v + fabsf(v)) * 0.5f;
  return v < 255.f ? v : 255.f;
}

/* Horizontal pass, YUV: vy the blended luma row, vu/vv the chroma rows with uv_step between
 * samples (NV12: 2 in one interleaved row, I420: 1 in separate rows). */
static void row_yuv(gfloat *rgb, const Tap *tx, const Tap *tc, guint n, const gfloat *vy,
                    const gfloat *vu, const gfloat *vv, gint uv_step, const Matrix *m)
{
  for (guint i = 0; i < n; i++) {
    gfloat y = (hlerp(vy, tx[i].x0, tx[i].x1, tx[i].w) - 16.f) * m->y;
    gint a = tc[i].x0 * uv_step, b = tc[i].x1 * uv_step;
    gfloat u = hlerp(vu, a, b, tc[i].w) - 128.f;
    gfloat v = hlerp(vv, a, b, tc[i].w) - 128.f;
    rgb[3 * i + 0] = clamp255(y + m->rv * v);
    rgb[3 * i + 1] = clamp255(y + m->gu * u + m->gv * v);
    rgb[3 * i + 2] = clamp255(y + m->bu * u);
  }
}

void vf_preprocess_params_from_config(VfPreprocessParams *p, const VfInferConfig *cfg, guint width,
                                      guint height, guint channels)
{
  p->width = width;
  p->height = height;
  p->channels = channels;
  p->layout = cfg->input_layout;
  p->color_order = channels == 1 ? VF_INFER_COLOR_GRAY : cfg->color_order;
  p->scaling = cfg->scaling;
  p->pad_value = (gfloat)cfg->pad_value;
  p->scale = (gfloat)cfg->scale;
  for (int c = 0; c < 3; c++) {
    p->mean[c] = (gfloat)cfg->mean[c];
    p->std[c] = (gfloat)cfg->std[c];
  }
}

void vf_preprocess_transform_to_frame(const VfPreprocessTransform *t, gdouble mx, gdouble my,
                                      gdouble *fx, gdouble *fy)
{
  *fx = (mx - t->offset_x) / t->scale_x + t->roi_x;
  *fy = (my - t->offset_y) / t->scale_y + t->roi_y;
}

static gboolean check_image(const VfImage *im, GError **error)
{
  guint n_planes = 1;
  gsize row = 0;
  switch (im->format) {
  case VF_COLOR_FORMAT_RGB:
  case VF_COLOR_FORMAT_BGR:
    row = (gsize)im->width * 3;
    break;
  case VF_COLOR_FORMAT_RGBA:
  case VF_COLOR_FORMAT_BGRA:
    row = (gsize)im->width * 4;
    break;
  case VF_COLOR_FORMAT_GRAY8:
    row = im->width;
    break;
  case VF_COLOR_FORMAT_NV12:
    n_planes = 2;
    row = im->width;
    break;
  case VF_COLOR_FORMAT_I420:
    n_planes = 3;
    row = im->width;
    break;
  default:
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "preprocess: frames in %s cannot be fed to a model (use RGB, RGBA, BGR, BGRA, "
                "GRAY8, NV12 or I420)",
                vf_color_format_to_string(im->format));
    return FALSE;
  }
  if (im->width == 0 || im->height == 0 || im->width > 65536 || im->height > 65536) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "preprocess: bad frame size %ux%u", im->width,
                im->height);
    return FALSE;
  }
  for (guint i = 0; i < n_planes; i++) {
    gsize need = i == 0                               ? row
                 : im->format == VF_COLOR_FORMAT_NV12 ? (im->width + 1) / 2 * 2
                                                      : (im->width + 1) / 2;
    if (im->planes[i] == NULL || im->strides[i] < need) {
      g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                  "preprocess: plane %u of the %ux%u %s frame is missing or its stride %zu is "
                  "below %zu bytes",
                  i, im->width, im->height, vf_color_format_to_string(im->format), im->strides[i],
                  need);
      return FALSE;
    }
  }
  return TRUE;
}

gboolean vf_preprocess_plan(const VfImage *im, const VfInferRect *roi, const VfPreprocessParams *p,
                            VfPreprocessPlan *plan, VfPreprocessTransform *transform,
                            GError **error)
{
  if (!check_image(im, error))
    return FALSE;
  if (p->width == 0 || p->height == 0 || (p->channels != 1 && p->channels != 3)) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "preprocess: bad model input %ux%u with %u channels (1 or 3)", p->width, p->height,
                p->channels);
    return FALSE;
  }

  /* the crop, clipped to the frame */
  gdouble rx = 0, ry = 0, rw = im->width, rh = im->height;
  if (roi != NULL) {
    gdouble x0 = MAX(roi->x, 0.0), y0 = MAX(roi->y, 0.0);
    gdouble x1 = MIN(roi->x + roi->width, (gdouble)im->width);
    gdouble y1 = MIN(roi->y + roi->height, (gdouble)im->height);
    gboolean finite
        = isfinite(roi->x) && isfinite(roi->y) && isfinite(roi->width) && isfinite(roi->height);
    if (!finite || !(x1 - x0 >= 1.0 && y1 - y0 >= 1.0)) {
      g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                  "preprocess: crop %.1fx%.1f at (%.1f, %.1f) is empty inside the %ux%u frame",
                  roi->width, roi->height, roi->x, roi->y, im->width, im->height);
      return FALSE;
    }
    rx = x0, ry = y0, rw = x1 - x0, rh = y1 - y0;
  }

  /* where the image lands in the model input */
  guint W = p->width, H = p->height;
  guint ox = 0, oy = 0, nw = W, nh = H;
  if (p->scaling == VF_INFER_SCALING_LETTERBOX) {
    gdouble s = MIN(W / rw, H / rh);
    nw = CLAMP((guint)lround(rw * s), 1, W);
    nh = CLAMP((guint)lround(rh * s), 1, H);
    ox = (W - nw) / 2;
    oy = (H - nh) / 2;
  }
  if (transform) {
    transform->scale_x = nw / rw;
    transform->scale_y = nh / rh;
    transform->offset_x = ox;
    transform->offset_y = oy;
    transform->roi_x = rx;
    transform->roi_y = ry;
  }
  plan->rx = rx, plan->ry = ry, plan->rw = rw, plan->rh = rh;
  plan->nw = nw, plan->nh = nh, plan->ox = ox, plan->oy = oy;

  /* normalisation folded into one multiply-add per value, in model channel order */
  for (guint c = 0; c < 3; c++) {
    plan->mul[c] = p->scale / p->std[c];
    plan->add[c] = -p->mean[c] / p->std[c];
  }
  const Matrix *m = im->matrix == VF_YUV_MATRIX_BT709                        ? &bt709
                    : im->matrix == VF_YUV_MATRIX_BT601 || im->height <= 576 ? &bt601
                                                                             : &bt709;
  plan->yuv[0] = m->y, plan->yuv[1] = m->rv, plan->yuv[2] = m->gu, plan->yuv[3] = m->gv;
  plan->yuv[4] = m->bu;
  return TRUE;
}

gboolean vf_preprocess(const VfImage *im, const VfInferRect *roi, const VfPreprocessParams *p,
                       gfloat *dst, VfPreprocessTransform *transform, GError **error)
{
  VfPreprocessPlan plan;
  if (!vf_preprocess_plan(im, roi, p, &plan, transform, error))
    return FALSE;
  if (im->device != VF_DEVICE_CPU) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "preprocess: frames in GPU memory go through the CUDA preprocessing "
                "(gst/cuda), not the CPU one");
    return FALSE;
  }
  guint W = p->width, H = p->height, C = p->channels;
  guint ox = plan.ox, oy = plan.oy, nw = plan.nw, nh = plan.nh;
  gdouble rx = plan.rx, ry = plan.ry, rw = plan.rw, rh = plan.rh;
  const gfloat *mul = plan.mul, *add = plan.add;
  const Matrix mm = { plan.yuv[0], plan.yuv[1], plan.yuv[2], plan.yuv[3], plan.yuv[4] };
  const Matrix *m = &mm;
  gboolean bgr = p->color_order == VF_INFER_COLOR_BGR;
  gsize plane = (gsize)W * H;

  if (nw != W || nh != H) { /* letterbox border */
    for (guint c = 0; c < C; c++) {
      gfloat v = p->pad_value * mul[c] + add[c];
      for (guint y = 0; y < H; y++)
        for (guint x = 0; x < W; x++) {
          if (y >= oy && y < oy + nh && x >= ox && x < ox + nw)
            continue;
          if (p->layout == VF_INFER_LAYOUT_NCHW)
            dst[c * plane + (gsize)y * W + x] = v;
          else
            dst[((gsize)y * W + x) * C + c] = v;
        }
    }
  }

  gboolean yuv = im->format == VF_COLOR_FORMAT_NV12 || im->format == VF_COLOR_FORMAT_I420;
  gboolean nv12 = im->format == VF_COLOR_FORMAT_NV12;
  gint cw = (gint)(im->width + 1) / 2, chh = (gint)(im->height + 1) / 2;
  Tap *tx = g_new(Tap, nw), *tc = yuv ? g_new(Tap, nw) : NULL;
  gfloat *rgb = g_new(gfloat, (gsize)nw * 3);
  make_taps(tx, nw, rx, rw, (gint)im->width, FALSE);
  if (yuv)
    make_taps(tc, nw, rx, rw, cw, TRUE);
  gint ri = 0, gi = 1, bi = 2, bpp = 1;
  if (!yuv && im->format != VF_COLOR_FORMAT_GRAY8)
    bpp = 3;
  if (im->format == VF_COLOR_FORMAT_BGR || im->format == VF_COLOR_FORMAT_BGRA)
    ri = 2, bi = 0;
  if (im->format == VF_COLOR_FORMAT_RGBA || im->format == VF_COLOR_FORMAT_BGRA)
    bpp = 4;
  /* the bytes of a row the taps touch (taps are monotonic) */
  gsize from = (gsize)tx[0].x0 * bpp, to = (gsize)(tx[nw - 1].x1 + 1) * bpp;
  gint uv_step = nv12 ? 2 : 1;
  gsize cfrom = yuv ? (gsize)tc[0].x0 * uv_step : 0;
  gsize cto = yuv ? (gsize)(tc[nw - 1].x1 + 1) * uv_step : 0;
  gfloat *vrow = g_new(gfloat, to), *vu = yuv ? g_new(gfloat, cto) : NULL;
  gfloat *vv = yuv && !nv12 ? g_new(gfloat, cto) : NULL;

  for (guint j = 0; j < nh; j++) {
    Tap ty;
    make_taps(&ty, 1, ry + j * (rh / nh), rh / nh, (gint)im->height, FALSE);
    vblend(vrow, im->planes[0] + (gsize)ty.x0 * im->strides[0],
           im->planes[0] + (gsize)ty.x1 * im->strides[0], from, to, ty.w);
    if (yuv) {
      Tap tcy;
      make_taps(&tcy, 1, ry + j * (rh / nh), rh / nh, chh, TRUE);
      gsize r0 = (gsize)tcy.x0 * im->strides[1], r1 = (gsize)tcy.x1 * im->strides[1];
      vblend(vu, im->planes[1] + r0, im->planes[1] + r1, cfrom, cto, tcy.w);
      if (!nv12) {
        r0 = (gsize)tcy.x0 * im->strides[2], r1 = (gsize)tcy.x1 * im->strides[2];
        vblend(vv, im->planes[2] + r0, im->planes[2] + r1, cfrom, cto, tcy.w);
      }
      row_yuv(rgb, tx, tc, nw, vrow, vu, nv12 ? vu + 1 : vv, uv_step, m);
    } else if (im->format == VF_COLOR_FORMAT_GRAY8) {
      row_gray(rgb, tx, nw, vrow);
    } else {
      row_packed(rgb, tx, nw, vrow, bpp, ri, gi, bi);
    }

    /* normalise + layout */
    gsize y = oy + j;
    if (C == 1) {
      gfloat *out = dst + y * W + ox; /* NCHW and NHWC agree for one channel */
      for (guint i = 0; i < nw; i++) {
        gfloat g = 0.299f * rgb[3 * i] + 0.587f * rgb[3 * i + 1] + 0.114f * rgb[3 * i + 2];
        out[i] = g * mul[0] + add[0];
      }
    } else if (p->layout == VF_INFER_LAYOUT_NHWC) {
      gfloat *out = dst + (y * W + ox) * 3;
      gint c0 = bgr ? 2 : 0, c2 = bgr ? 0 : 2;
      for (guint i = 0; i < nw; i++) {
        out[3 * i + 0] = rgb[3 * i + c0] * mul[0] + add[0];
        out[3 * i + 1] = rgb[3 * i + 1] * mul[1] + add[1];
        out[3 * i + 2] = rgb[3 * i + c2] * mul[2] + add[2];
      }
    } else {
      for (guint c = 0; c < 3; c++) {
        gint src = bgr ? 2 - (gint)c : (gint)c;
        gfloat *out = dst + c * plane + y * W + ox;
        for (guint i = 0; i < nw; i++)
          out[i] = rgb[3 * i + src] * mul[c] + add[c];
      }
    }
  }
  g_free(rgb);
  g_free(tx);
  g_free(tc);
  g_free(vrow);
  g_free(vu);
  g_free(vv);
  return TRUE;
}
