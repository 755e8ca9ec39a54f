/* Tests of the one-pass preprocessing against a straightforward per-pixel reference. */
#include <math.h>
#include <string.h>

#include "preprocess.h"
#include "util.h"

/* An image with random pixels and padded strides (so stride mistakes show). */
typedef struct {
  VfImage image;
  guint8 *buf;
} TestImage;

static TestImage *make_image(VfColorFormat format, guint w, guint h, GRand *rand)
{
  TestImage *t = g_new0(TestImage, 1);
  VfImage *im = &t->image;
  im->format = format;
  im->width = w;
  im->height = h;
  guint cw = (w + 1) / 2, ch = (h + 1) / 2;
  gsize rows[3] = { h, 0, 0 }, bytes[3] = { w, 0, 0 };
  guint n = 1;
  switch (format) {
  case VF_COLOR_FORMAT_RGB:
  case VF_COLOR_FORMAT_BGR:
    bytes[0] = w * 3;
    break;
  case VF_COLOR_FORMAT_RGBA:
  case VF_COLOR_FORMAT_BGRA:
    bytes[0] = w * 4;
    break;
  case VF_COLOR_FORMAT_NV12:
    n = 2, bytes[1] = cw * 2, rows[1] = ch;
    break;
  case VF_COLOR_FORMAT_I420:
    n = 3, bytes[1] = bytes[2] = cw, rows[1] = rows[2] = ch;
    break;
  default:
    break;
  }
  gsize total = 0, offs[3];
  for (guint p = 0; p < n; p++) {
    im->strides[p] = bytes[p] + 5 + p; /* padding */
    offs[p] = total;
    total += im->strides[p] * rows[p];
  }
  t->buf = g_malloc(total);
  for (gsize i = 0; i < total; i++)
    t->buf[i] = (guint8)g_rand_int_range(rand, 0, 256);
  for (guint p = 0; p < n; p++)
    im->planes[p] = t->buf + offs[p];
  return t;
}

static void free_image(TestImage *t)
{
  g_free(t->buf);
  g_free(t);
}

/* --- the reference: every output value computed on its own, in doubles --- */

static double bilinear(const guint8 *plane, gsize stride, gint step, gint off, gint w, gint h,
                       double x, double y)
{
  x = CLAMP(x, 0, w - 1);
  y = CLAMP(y, 0, h - 1);
  gint x0 = (gint)floor(x), y0 = (gint)floor(y);
  gint x1 = MIN(x0 + 1, w - 1), y1 = MIN(y0 + 1, h - 1);
  double fx = x - x0, fy = y - y0;
#define P(xx, yy) ((double)plane[(gsize)(yy)*stride + (gsize)(xx)*step + off])
  double top = P(x0, y0) * (1 - fx) + P(x1, y0) * fx;
  double bot = P(x0, y1) * (1 - fx) + P(x1, y1) * fx;
#undef P
  return top * (1 - fy) + bot * fy;
}

static void ref_rgb(const VfImage *im, double x, double y, double rgb[3])
{
  gint w = im->width, h = im->height;
  switch (im->format) {
  case VF_COLOR_FORMAT_RGB:
  case VF_COLOR_FORMAT_BGR:
  case VF_COLOR_FORMAT_RGBA:
  case VF_COLOR_FORMAT_BGRA: {
    gint bpp = (im->format == VF_COLOR_FORMAT_RGBA || im->format == VF_COLOR_FORMAT_BGRA) ? 4 : 3;
    gboolean bgr = im->format == VF_COLOR_FORMAT_BGR || im->format == VF_COLOR_FORMAT_BGRA;
    for (int c = 0; c < 3; c++)
      rgb[c] = bilinear(im->planes[0], im->strides[0], bpp, bgr ? 2 - c : c, w, h, x, y);
    break;
  }
  case VF_COLOR_FORMAT_GRAY8:
    rgb[0] = rgb[1] = rgb[2] = bilinear(im->planes[0], im->strides[0], 1, 0, w, h, x, y);
    break;
  default: {
    gint cw = (w + 1) / 2, ch = (h + 1) / 2;
    /* chroma samples sit at the centres of 2x2 luma blocks */
    double cx = (x + 0.5) / 2 - 0.5, cy = (y + 0.5) / 2 - 0.5;
    double Y = bilinear(im->planes[0], im->strides[0], 1, 0, w, h, x, y), U, V;
    if (im->format == VF_COLOR_FORMAT_NV12) {
      U = bilinear(im->planes[1], im->strides[1], 2, 0, cw, ch, cx, cy);
      V = bilinear(im->planes[1], im->strides[1], 2, 1, cw, ch, cx, cy);
    } else {
      U = bilinear(im->planes[1], im->strides[1], 1, 0, cw, ch, cx, cy);
      V = bilinear(im->planes[2], im->strides[2], 1, 0, cw, ch, cx, cy);
    }
    gboolean bt709 = im->matrix == VF_YUV_MATRIX_BT709
                     || (im->matrix == VF_YUV_MATRIX_AUTO && im->height > 576);
    double kr = bt709 ? 0.2126 : 0.299, kb = bt709 ? 0.0722 : 0.114, kg = 1 - kr - kb;
    double yy = (Y - 16) * 255 / 219, u = (U - 128) * 255 / 224, v = (V - 128) * 255 / 224;
    rgb[0] = yy + 2 * (1 - kr) * v;
    rgb[2] = yy + 2 * (1 - kb) * u;
    rgb[1] = (yy - kr * rgb[0] - kb * rgb[2]) / kg;
    for (int c = 0; c < 3; c++)
      rgb[c] = CLAMP(rgb[c], 0, 255);
    break;
  }
  }
}

/* The reference output value at model pixel (x, y), channel c. */
static double ref_value(const VfImage *im, const VfInferRect *roi, const VfPreprocessParams *p,
                        guint x, guint y, guint c)
{
  double rx = 0, ry = 0, rw = im->width, rh = im->height;
  if (roi) {
    rx = MAX(roi->x, 0), ry = MAX(roi->y, 0);
    rw = MIN(roi->x + roi->width, im->width) - rx;
    rh = MIN(roi->y + roi->height, im->height) - ry;
  }
  double nw = p->width, nh = p->height, ox = 0, oy = 0;
  if (p->scaling == VF_INFER_SCALING_LETTERBOX) {
    double s = MIN(p->width / rw, p->height / rh);
    nw = MAX(1, MIN(p->width, round(rw * s)));
    nh = MAX(1, MIN(p->height, round(rh * s)));
    ox = floor((p->width - nw) / 2);
    oy = floor((p->height - nh) / 2);
  }
  double v;
  if (x < ox || x >= ox + nw || y < oy || y >= oy + nh) {
    v = p->pad_value;
  } else {
    double rgb[3];
    ref_rgb(im, rx + (x - ox + 0.5) * rw / nw - 0.5, ry + (y - oy + 0.5) * rh / nh - 0.5, rgb);
    if (p->channels == 1)
      v = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
    else
      v = rgb[p->color_order == VF_INFER_COLOR_BGR ? 2 - c : c];
  }
  return (v * p->scale - p->mean[c]) / p->std[c];
}

static double compare(const VfImage *im, const VfInferRect *roi, const VfPreprocessParams *p,
                      const gfloat *out)
{
  double worst = 0;
  for (guint y = 0; y < p->height; y++)
    for (guint x = 0; x < p->width; x++)
      for (guint c = 0; c < p->channels; c++) {
        gsize i = p->layout == VF_INFER_LAYOUT_NCHW ? ((gsize)c * p->height + y) * p->width + x
                                                    : ((gsize)y * p->width + x) * p->channels + c;
        worst = MAX(worst, fabs(out[i] - ref_value(im, roi, p, x, y, c)));
      }
  return worst;
}

static VfPreprocessParams params(guint w, guint h, guint c)
{
  VfPreprocessParams p = { .width = w, .height = h, .channels = c, .scale = 1 / 255.f };
  for (int i = 0; i < 3; i++)
    p.std[i] = 1;
  return p;
}

/* Every format x layout x order x scaling x crop against the reference. */
static void test_reference(void)
{
  static const VfColorFormat formats[] = {
    VF_COLOR_FORMAT_RGB,   VF_COLOR_FORMAT_BGR,  VF_COLOR_FORMAT_RGBA, VF_COLOR_FORMAT_BGRA,
    VF_COLOR_FORMAT_GRAY8, VF_COLOR_FORMAT_NV12, VF_COLOR_FORMAT_I420,
  };
  static const guint sizes[][4] = { { 37, 23, 16, 12 }, { 7, 5, 20, 13 }, { 64, 48, 64, 48 } };
  GRand *rand = g_rand_new_with_seed(42);
  guint checked = 0;
  for (guint f = 0; f < G_N_ELEMENTS(formats); f++)
    for (guint s = 0; s < G_N_ELEMENTS(sizes); s++) {
      TestImage *t = make_image(formats[f], sizes[s][0], sizes[s][1], rand);
      for (guint variant = 0; variant < 8; variant++) {
        VfPreprocessParams p = params(sizes[s][2], sizes[s][3], variant == 7 ? 1 : 3);
        p.layout = variant & 1 ? VF_INFER_LAYOUT_NHWC : VF_INFER_LAYOUT_NCHW;
        p.color_order = variant == 7  ? VF_INFER_COLOR_GRAY
                        : variant & 2 ? VF_INFER_COLOR_BGR
                                      : VF_INFER_COLOR_RGB;
        p.scaling = variant & 4 ? VF_INFER_SCALING_LETTERBOX : VF_INFER_SCALING_STRETCH;
        p.pad_value = 114;
        p.mean[0] = 0.485f, p.mean[1] = 0.456f, p.mean[2] = 0.406f;
        p.std[0] = 0.229f, p.std[1] = 0.224f, p.std[2] = 0.225f;
        VfInferRect roi = { -1.5, 1.25, sizes[s][0] * 0.6, sizes[s][1] * 0.7 }; /* partly outside */
        const VfInferRect *r = variant >= 5 ? &roi : NULL;
        gfloat *out = g_new(gfloat, (gsize)p.width * p.height * p.channels);
        GError *err = NULL;
        vf_preprocess(&t->image, r, &p, out, NULL, &err);
        g_assert_no_error(err);
        double worst = compare(&t->image, r, &p, out);
        if (worst > 2e-3)
          g_error("%s %ux%u -> %ux%u variant %u: max error %g",
                  vf_color_format_to_string(formats[f]), sizes[s][0], sizes[s][1], p.width,
                  p.height, variant, worst);
        g_free(out);
        checked++;
      }
      free_image(t);
    }
  g_test_message("%u combinations match the reference", checked);
  g_rand_free(rand);
}

/* Same size: the pixels themselves; 2x2 -> 1x1: their mean (centre sampling). */
static void test_exact(void)
{
  guint8 px[2 * 6] = { 10, 20, 30, 50, 60, 70, 90, 100, 110, 130, 140, 150 };
  VfImage im = {
    .format = VF_COLOR_FORMAT_RGB, .width = 2, .height = 2, .planes = { px }, .strides = { 6 }
  };
  VfPreprocessParams p = params(2, 2, 3);
  p.scale = 1;
  p.layout = VF_INFER_LAYOUT_NHWC;
  gfloat out[12];
  VfPreprocessTransform t;
  g_assert_true(vf_preprocess(&im, NULL, &p, out, &t, NULL));
  for (int i = 0; i < 12; i++)
    g_assert_cmpfloat(out[i], ==, px[i]);
  g_assert_cmpfloat(t.scale_x, ==, 1.0);

  p = params(1, 1, 3);
  p.scale = 1;
  p.color_order = VF_INFER_COLOR_BGR;
  g_assert_true(vf_preprocess(&im, NULL, &p, out, NULL, NULL));
  g_assert_cmpfloat_with_epsilon(out[0], (30 + 70 + 110 + 150) / 4.0, 1e-4); /* B first */
  g_assert_cmpfloat_with_epsilon(out[2], (10 + 50 + 90 + 130) / 4.0, 1e-4);

  /* the SSD's normalisation: x / 127.5 - 1 */
  p = params(2, 2, 3);
  p.scale = 1 / 127.5f;
  p.mean[0] = p.mean[1] = p.mean[2] = 1;
  g_assert_true(vf_preprocess(&im, NULL, &p, out, NULL, NULL));
  g_assert_cmpfloat_with_epsilon(out[0], 10 / 127.5 - 1, 1e-6);
}

/* Letterbox geometry: offsets, scale, border, and the mapping back to the frame. */
static void test_letterbox(void)
{
  guint8 *px = g_malloc(200 * 100 * 3);
  memset(px, 200, 200 * 100 * 3);
  VfImage im = {
    .format = VF_COLOR_FORMAT_RGB, .width = 200, .height = 100, .planes = { px }, .strides = { 600 }
  };
  VfPreprocessParams p = params(100, 100, 3);
  p.scale = 1;
  p.scaling = VF_INFER_SCALING_LETTERBOX;
  p.pad_value = 7;
  gfloat *out = g_new(gfloat, 100 * 100 * 3);
  VfPreprocessTransform t;
  g_assert_true(vf_preprocess(&im, NULL, &p, out, &t, NULL));
  g_assert_cmpfloat(t.scale_x, ==, 0.5);
  g_assert_cmpfloat(t.scale_y, ==, 0.5);
  g_assert_cmpfloat(t.offset_x, ==, 0);
  g_assert_cmpfloat(t.offset_y, ==, 25);
  g_assert_cmpfloat(out[0], ==, 7);                    /* row 0: border */
  g_assert_cmpfloat(out[24 * 100], ==, 7);             /* row 24: border */
  g_assert_cmpfloat(out[25 * 100], ==, 200);           /* row 25: image */
  g_assert_cmpfloat(out[74 * 100 + 99], ==, 200);      /* row 74: image */
  g_assert_cmpfloat(out[75 * 100], ==, 7);             /* row 75: border */
  g_assert_cmpfloat(out[2 * 10000 + 99 * 100], ==, 7); /* last channel, last row */
  gdouble fx, fy;
  vf_preprocess_transform_to_frame(&t, 50, 50, &fx, &fy);
  g_assert_cmpfloat(fx, ==, 100);
  g_assert_cmpfloat(fy, ==, 50);
  vf_preprocess_transform_to_frame(&t, 0, 25, &fx, &fy);
  g_assert_cmpfloat(fx, ==, 0);
  g_assert_cmpfloat(fy, ==, 0);

  /* a crop maps back into the frame: model (0,0) -> the crop's corner */
  VfInferRect roi = { 40, 30, 20, 20 };
  p.scaling = VF_INFER_SCALING_STRETCH;
  g_assert_true(vf_preprocess(&im, &roi, &p, out, &t, NULL));
  vf_preprocess_transform_to_frame(&t, 0, 0, &fx, &fy);
  g_assert_cmpfloat(fx, ==, 40);
  g_assert_cmpfloat(fy, ==, 30);
  vf_preprocess_transform_to_frame(&t, 100, 100, &fx, &fy);
  g_assert_cmpfloat(fx, ==, 60);
  g_assert_cmpfloat(fy, ==, 50);
  g_free(out);
  g_free(px);
}

static void test_errors(void)
{
  guint8 px[64 * 3] = { 0 };
  gfloat out[16 * 3];
  VfPreprocessParams p = params(4, 4, 3);
  GError *err = NULL;
  VfImage im = {
    .format = VF_COLOR_FORMAT_RGB, .width = 8, .height = 8, .planes = { px }, .strides = { 8 }
  }; /* stride < 24 */
  g_assert_false(vf_preprocess(&im, NULL, &p, out, NULL, &err));
  vft_assert_error(err, "stride", NULL);
  g_clear_error(&err);
  im.strides[0] = 24;
  im.format = VF_COLOR_FORMAT_JPEG;
  g_assert_false(vf_preprocess(&im, NULL, &p, out, NULL, &err));
  vft_assert_error(err, "JPEG", NULL);
  g_clear_error(&err);
  im.format = VF_COLOR_FORMAT_NV12; /* no UV plane */
  g_assert_false(vf_preprocess(&im, NULL, &p, out, NULL, &err));
  vft_assert_error(err, "plane 1", NULL);
  g_clear_error(&err);
  im.format = VF_COLOR_FORMAT_RGB;
  VfInferRect outside = { 100, 100, 10, 10 }, nan_roi = { NAN, 0, 4, 4 }, empty = { 2, 2, 0.5, 4 };
  const VfInferRect *bad[] = { &outside, &nan_roi, &empty };
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_assert_false(vf_preprocess(&im, bad[i], &p, out, NULL, &err));
    vft_assert_error(err, "crop", "empty", NULL);
    g_clear_error(&err);
  }
  p.channels = 4;
  g_assert_false(vf_preprocess(&im, NULL, &p, out, NULL, &err));
  vft_assert_error(err, "channels", NULL);
  g_clear_error(&err);
  im.width = 0;
  p.channels = 3;
  g_assert_false(vf_preprocess(&im, NULL, &p, out, NULL, &err));
  g_clear_error(&err);
}

/* 768x576 (vtest's size) -> 300x300 NHWC, the SSD's input: reported, not gated. */
static void test_speed(void)
{
  GRand *rand = g_rand_new_with_seed(1);
  static const VfColorFormat formats[] = { VF_COLOR_FORMAT_RGB, VF_COLOR_FORMAT_I420 };
  for (guint f = 0; f < G_N_ELEMENTS(formats); f++) {
    TestImage *t = make_image(formats[f], 768, 576, rand);
    VfPreprocessParams p = params(300, 300, 3);
    p.layout = VF_INFER_LAYOUT_NHWC;
    gfloat *out = g_new(gfloat, 300 * 300 * 3);
    guint n = 50;
    gint64 t0 = g_get_monotonic_time();
    for (guint i = 0; i < n; i++)
      g_assert_true(vf_preprocess(&t->image, NULL, &p, out, NULL, NULL));
    gdouble ms = (g_get_monotonic_time() - t0) / 1e3 / n;
    g_test_message("preprocess %s 768x576 -> 300x300 NHWC float: %.3f ms",
                   vf_color_format_to_string(formats[f]), ms);
    g_free(out);
    free_image(t);
  }
  g_rand_free(rand);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/infer/preprocess/reference", test_reference);
  g_test_add_func("/infer/preprocess/exact", test_exact);
  g_test_add_func("/infer/preprocess/letterbox", test_letterbox);
  g_test_add_func("/infer/preprocess/errors", test_errors);
  g_test_add_func("/infer/preprocess/speed", test_speed);
  return g_test_run();
}
