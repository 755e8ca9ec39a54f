/* Tests of the OSD drawing core: pixels change where expected, in every format, and nothing is
 * written outside the frame whatever the coordinates (guard bytes after every row and plane). */
#include <math.h>
#include <string.h>

#include "draw.h"
#include "util.h"

#define GUARD 0xAB
#define GUARD_BYTES 7

static const VfColorFormat formats[]
    = { VF_COLOR_FORMAT_RGB,  VF_COLOR_FORMAT_BGR,  VF_COLOR_FORMAT_RGBA,
        VF_COLOR_FORMAT_BGRA, VF_COLOR_FORMAT_NV12, VF_COLOR_FORMAT_I420 };

typedef struct {
  VfOsdFrame frame;
  guint8 *buf;
  gsize size;
  gsize row_bytes[3], rows[3], offs[3];
  guint n;
} TestFrame;

/* A black frame with guard bytes after each row and after the last plane. */
static TestFrame *frame_new(VfColorFormat format, guint w, guint h)
{
  TestFrame *t = g_new0(TestFrame, 1);
  guint cw = (w + 1) / 2, ch = (h + 1) / 2;
  t->n = 1;
  t->rows[0] = h;
  switch (format) {
  case VF_COLOR_FORMAT_RGB:
  case VF_COLOR_FORMAT_BGR:
    t->row_bytes[0] = w * 3;
    break;
  case VF_COLOR_FORMAT_RGBA:
  case VF_COLOR_FORMAT_BGRA:
    t->row_bytes[0] = w * 4;
    break;
  case VF_COLOR_FORMAT_NV12:
    t->n = 2, t->row_bytes[0] = w, t->row_bytes[1] = cw * 2, t->rows[1] = ch;
    break;
  default:
    t->n = 3, t->row_bytes[0] = w, t->row_bytes[1] = t->row_bytes[2] = cw;
    t->rows[1] = t->rows[2] = ch;
    break;
  }
  gsize strides[3];
  for (guint p = 0; p < t->n; p++) {
    strides[p] = t->row_bytes[p] + GUARD_BYTES;
    t->offs[p] = t->size;
    t->size += strides[p] * t->rows[p];
  }
  t->size += GUARD_BYTES;
  t->buf = g_malloc(t->size);
  memset(t->buf, GUARD, t->size);
  guint8 *planes[3] = { NULL, NULL, NULL };
  for (guint p = 0; p < t->n; p++) {
    planes[p] = t->buf + t->offs[p];
    for (gsize r = 0; r < t->rows[p]; r++) /* black: RGB 0, YUV (16, 128, 128) */
      memset(planes[p] + r * strides[p],
             format == VF_COLOR_FORMAT_NV12 || format == VF_COLOR_FORMAT_I420 ? (p == 0 ? 16 : 128)
                                                                              : 0,
             t->row_bytes[p]);
  }
  GError *err = NULL;
  g_assert_true(vf_osd_frame_init(&t->frame, format, w, h, planes, strides, &err));
  g_assert_no_error(err);
  return t;
}

static void frame_free(TestFrame *t)
{
  g_free(t->buf);
  g_free(t);
}

/* Every guard byte still there. */
static void assert_guards(const TestFrame *t)
{
  for (guint p = 0; p < t->n; p++)
    for (gsize r = 0; r < t->rows[p]; r++) {
      const guint8 *g = t->frame.planes[p] + r * t->frame.strides[p] + t->row_bytes[p];
      for (int i = 0; i < GUARD_BYTES; i++)
        if (g[i] != GUARD)
          g_error("%s: guard byte overwritten after plane %u row %zu",
                  vf_color_format_to_string(t->frame.format), p, r);
    }
  for (int i = 0; i < GUARD_BYTES; i++)
    g_assert_cmpuint(t->buf[t->size - 1 - i], ==, GUARD);
}

/* The colour at (x, y), as RGB (YUV converted back, BT.601 limited range). */
static void pixel(const TestFrame *t, guint x, guint y, gint rgb[3])
{
  const VfOsdFrame *f = &t->frame;
  if (f->format == VF_COLOR_FORMAT_NV12 || f->format == VF_COLOR_FORMAT_I420) {
    gdouble Y = f->planes[0][y * f->strides[0] + x], U, V;
    if (f->format == VF_COLOR_FORMAT_NV12) {
      U = f->planes[1][(y / 2) * f->strides[1] + (x / 2) * 2];
      V = f->planes[1][(y / 2) * f->strides[1] + (x / 2) * 2 + 1];
    } else {
      U = f->planes[1][(y / 2) * f->strides[1] + x / 2];
      V = f->planes[2][(y / 2) * f->strides[2] + x / 2];
    }
    gdouble c = (Y - 16) * 1.164, d = U - 128, e = V - 128;
    rgb[0] = (gint)lround(CLAMP(c + 1.596 * e, 0, 255));
    rgb[1] = (gint)lround(CLAMP(c - 0.392 * d - 0.813 * e, 0, 255));
    rgb[2] = (gint)lround(CLAMP(c + 2.017 * d, 0, 255));
    return;
  }
  gint bpp = f->format == VF_COLOR_FORMAT_RGB || f->format == VF_COLOR_FORMAT_BGR ? 3 : 4;
  gboolean bgr = f->format == VF_COLOR_FORMAT_BGR || f->format == VF_COLOR_FORMAT_BGRA;
  const guint8 *p = f->planes[0] + y * f->strides[0] + x * bpp;
  rgb[0] = p[bgr ? 2 : 0];
  rgb[1] = p[1];
  rgb[2] = p[bgr ? 0 : 2];
}

static void assert_pixel(const TestFrame *t, guint x, guint y, gint r, gint g, gint b, gint tol)
{
  gint rgb[3];
  pixel(t, x, y, rgb);
  if (ABS(rgb[0] - r) > tol || ABS(rgb[1] - g) > tol || ABS(rgb[2] - b) > tol)
    g_error("%s (%u,%u): (%d,%d,%d), want (%d,%d,%d) +-%d",
            vf_color_format_to_string(t->frame.format), x, y, rgb[0], rgb[1], rgb[2], r, g, b, tol);
}

static const VfOsdColor red = { 255, 0, 0, 255 }, green = { 0, 255, 0, 255 },
                        blue = { 0, 0, 255, 255 }, white = { 255, 255, 255, 255 };

static void test_rect(void)
{
  for (guint f = 0; f < G_N_ELEMENTS(formats); f++) {
    TestFrame *t = frame_new(formats[f], 100, 80);
    VfOsdColor fill = { 0, 255, 0, 128 };
    vf_osd_draw_rect(&t->frame, 20, 10, 40, 30, 2, red, &fill);
    gint tol = t->n > 1 ? 12 : 0;
    assert_pixel(t, 20, 20, 255, 0, 0, tol); /* left edge */
    assert_pixel(t, 40, 10, 255, 0, 0, tol); /* top edge */
    assert_pixel(t, 60, 30, 255, 0, 0, tol); /* right edge (x + w) */
    assert_pixel(t, 40, 40, 255, 0, 0, tol); /* bottom edge */
    assert_pixel(t, 40, 24, 0, 128, 0, tol); /* inside: half green */
    assert_pixel(t, 10, 60, 0, 0, 0, tol);   /* outside: untouched */
    assert_pixel(t, 70, 50, 0, 0, 0, tol);
    assert_guards(t);
    frame_free(t);
  }
}

static void test_line_circle(void)
{
  for (guint f = 0; f < G_N_ELEMENTS(formats); f++) {
    TestFrame *t = frame_new(formats[f], 100, 80);
    gint tol = t->n > 1 ? 12 : 0;
    vf_osd_draw_line(&t->frame, 10, 60, 90, 60, 4, green);
    assert_pixel(t, 50, 60, 0, 255, 0, tol);
    assert_pixel(t, 10, 60, 0, 255, 0, tol); /* round cap */
    assert_pixel(t, 50, 66, 0, 0, 0, tol);
    vf_osd_draw_line(&t->frame, 0, 0, 79, 79, 2, blue); /* diagonal */
    assert_pixel(t, 40, 40, 0, 0, 255, tol);
    assert_pixel(t, 40, 30, 0, 0, 0, tol);
    vf_osd_draw_line(&t->frame, 95, 5, 95, 5, 4, red); /* a point: a disc */
    assert_pixel(t, 95, 5, 255, 0, 0, tol);

    vf_osd_draw_circle(&t->frame, 50, 30, 16, 2, red, NULL);
    assert_pixel(t, 66, 30, 255, 0, 0, tol);
    assert_pixel(t, 50, 14, 255, 0, 0, tol);
    assert_pixel(t, 56, 30, 0, 0, 0, tol); /* inside the ring: untouched */
    vf_osd_draw_circle(&t->frame, 50, 30, 16, 2, red, &white);
    assert_pixel(t, 56, 30, 255, 255, 255, tol);
    assert_pixel(t, 66, 30, 255, 0, 0, tol);
    assert_pixel(t, 80, 30, 0, 0, 0, tol);
    assert_guards(t);
    frame_free(t);
  }
}

/* Shapes partly or wholly outside, absurd coordinates: clipped, never a crash or a stray write. */
static void test_clipping(void)
{
  const gdouble big = 1e12;
  for (guint f = 0; f < G_N_ELEMENTS(formats); f++) {
    TestFrame *t = frame_new(formats[f], 37, 21); /* odd sizes: the last chroma column/row */
    /* wholly outside: nothing changes at all */
    guint8 *before = g_memdup2(t->buf, t->size);
    vf_osd_draw_rect(&t->frame, 100, 100, 10, 10, 3, red, &green);
    vf_osd_draw_rect(&t->frame, -50, -50, 10, 10, 3, red, &green);
    vf_osd_draw_line(&t->frame, -100, -10, -5, -50, 3, red);
    vf_osd_draw_circle(&t->frame, 200, 200, 30, 3, red, &green);
    vf_osd_draw_text(&t->frame, 500, 500, "far away", NULL, 0, white, &blue);
    vf_osd_draw_text(&t->frame, -3000, 5, "far left", NULL, 0, white, &blue);
    vf_osd_draw_rect(&t->frame, NAN, 0, 10, 10, 2, red, &green);
    vf_osd_draw_rect(&t->frame, 0, 0, INFINITY, 10, 2, red, &green);
    vf_osd_draw_rect(&t->frame, 0, 0, 10, 10, NAN, red, &green);
    vf_osd_draw_line(&t->frame, 0, 0, NAN, 10, 2, red);
    vf_osd_draw_circle(&t->frame, 10, 10, NAN, 2, red, &green);
    vf_osd_draw_text(&t->frame, NAN, 0, "nan", NULL, 0, white, &blue);
    vf_osd_draw_rect(&t->frame, 5, 5, 10, 10, 2, (VfOsdColor){ 255, 0, 0, 0 }, NULL); /* alpha 0 */
    g_assert_true(memcmp(before, t->buf, t->size) == 0);
    g_free(before);

    /* partly outside, huge, negative sizes */
    vf_osd_draw_rect(&t->frame, -10, -10, 30, 20, 4, red, &green);
    vf_osd_draw_rect(&t->frame, 30, 15, 100, 100, 9, red, &green);
    vf_osd_draw_rect(&t->frame, -big, -big, 2 * big, 2 * big, 5, red, &green);
    vf_osd_draw_rect(&t->frame, 30, 15, -20, -10, 2, blue, NULL);
    vf_osd_draw_line(&t->frame, -1000, -1000, 5000, 3000, 7, blue);
    vf_osd_draw_line(&t->frame, -big, 10, big, 10, 3, blue);
    vf_osd_draw_circle(&t->frame, 36, 20, 1000, 50, red, &green);
    vf_osd_draw_circle(&t->frame, 0, 0, 30, 0, red, &green);
    vf_osd_draw_text(&t->frame, 30, 15, "Person 0.93 spilling over", NULL, 0, white, &blue);
    vf_osd_draw_text(&t->frame, -8, -8, "corner", "Sans 40", 0, white, &blue);
    vf_osd_draw_text(&t->frame, 0, 0, "", NULL, 0, white, &blue);
    vf_osd_draw_text(&t->frame, 0, 0, NULL, NULL, 0, white, &blue);
    vf_osd_draw_text(&t->frame, 2, 2, "bad \xff\xfe utf-8", NULL, 0, white, &blue);
    assert_guards(t);
    frame_free(t);
  }
}

/* Text readable at 720p: a sizeable mask, drawn where asked, in any colour, with its box. */
static void test_text(void)
{
  for (guint f = 0; f < G_N_ELEMENTS(formats); f++) {
    TestFrame *t = frame_new(formats[f], 1280, 720);
    guint w = 0, h = 0, w2 = 0;
    vf_osd_text_size(&t->frame, "Person 0.87", NULL, 0, &w, &h);
    vf_osd_text_size(&t->frame, "Person 0.87 and more", NULL, 0, &w2, NULL);
    g_assert_cmpuint(h, >=, 20); /* 720 / 36 = 20 px font, plus padding */
    g_assert_cmpuint(h, <=, 40);
    g_assert_cmpuint(w, >=, 80);
    g_assert_cmpuint(w2, >, w);
    VfOsdColor bg = { 0, 0, 200, 255 };
    vf_osd_draw_text(&t->frame, 100, 100, "Person 0.87", NULL, 0, white, &bg);
    guint text_px = 0, bg_px = 0;
    for (guint y = 100; y < 100 + h; y++)
      for (guint x = 100; x < 100 + w; x++) {
        gint rgb[3];
        pixel(t, x, y, rgb);
        if (rgb[0] > 200 && rgb[1] > 200 && rgb[2] > 200)
          text_px++;
        else if (rgb[2] > 150 && rgb[0] < 60)
          bg_px++;
      }
    g_test_message("%s: text box %ux%u, %u text pixels, %u background pixels",
                   vf_color_format_to_string(formats[f]), w, h, text_px, bg_px);
    g_assert_cmpuint(text_px, >, 100);
    g_assert_cmpuint(bg_px, >, w * h / 3);
    assert_pixel(t, 100 + w + 2, 100, 0, 0, 0, t->n > 1 ? 12 : 0); /* right of the box */
    assert_pixel(t, 100, 100 + h + 2, 0, 0, 0, t->n > 1 ? 12 : 0); /* below it */
    /* the cached mask in another colour */
    vf_osd_draw_text(&t->frame, 100, 300, "Person 0.87", NULL, 0, red, NULL);
    guint red_px = 0;
    for (guint y = 300; y < 300 + h; y++)
      for (guint x = 100; x < 100 + w; x++) {
        gint rgb[3];
        pixel(t, x, y, rgb);
        red_px += rgb[0] > 200 && rgb[1] < 60;
      }
    g_assert_cmpuint(red_px, >, 100);
    assert_guards(t);
    frame_free(t);
  }
  vf_osd_text_cache_clear();
}

static void test_palette(void)
{
  for (gint i = 0; i < 20; i++)
    for (gint j = i + 1; j < 20; j++) {
      VfOsdColor a = vf_osd_palette(i), b = vf_osd_palette(j);
      g_assert_false(a.r == b.r && a.g == b.g && a.b == b.b);
    }
  VfOsdColor a = vf_osd_palette(3), b = vf_osd_palette(23), c = vf_osd_palette(-3);
  g_assert_true(a.r == b.r && a.g == b.g && a.b == b.b && a.a == 255);
  g_assert_true(c.a == 255);
  (void)vf_osd_palette(G_MININT);
}

static void test_frame_init(void)
{
  guint8 buf[64];
  guint8 *planes[3] = { buf, buf, buf };
  gsize strides[3] = { 8, 8, 8 };
  VfOsdFrame f;
  GError *err = NULL;
  g_assert_false(vf_osd_frame_init(&f, VF_COLOR_FORMAT_GRAY8, 8, 8, planes, strides, &err));
  g_assert_true(g_error_matches(err, VF_ERROR, VF_ERROR_FORMAT));
  g_clear_error(&err);
  g_assert_false(vf_osd_frame_init(&f, VF_COLOR_FORMAT_RGB, 8, 8, planes, strides, &err));
  vft_assert_error(err, "stride", NULL);
  g_clear_error(&err);
  planes[1] = NULL;
  g_assert_false(vf_osd_frame_init(&f, VF_COLOR_FORMAT_NV12, 8, 8, planes, strides, &err));
  vft_assert_error(err, "plane 1", NULL);
  g_clear_error(&err);
  g_assert_true(vf_osd_frame_init(&f, VF_COLOR_FORMAT_I420, 8, 4, (guint8 *[]){ buf, buf, buf },
                                  strides, &err));
  g_assert_false(f.bt709);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/osd/rect", test_rect);
  g_test_add_func("/osd/line-circle", test_line_circle);
  g_test_add_func("/osd/clipping", test_clipping);
  g_test_add_func("/osd/text", test_text);
  g_test_add_func("/osd/palette", test_palette);
  g_test_add_func("/osd/frame-init", test_frame_init);
  return g_test_run();
}
