/* vidflow osd: frames, the palette, rectangles, lines and circles.
 *
 * Shapes are rasterised row by row as spans: for each pixel row the shape's intersection with
 * the row's centre line is an interval (rectangles, discs, rings: two), computed exactly, so the
 * cost follows the shape's height rather than its bounding box area, and clipping is one clamp. */
#include <math.h>

#include "paint.h"

gboolean vf_osd_frame_init(VfOsdFrame *f, VfColorFormat format, guint width, guint height,
                           guint8 *const *planes, const gsize *strides, GError **error)
{
  guint n = 1;
  gsize row = 0;
  switch (format) {
  case VF_COLOR_FORMAT_RGB:
  case VF_COLOR_FORMAT_BGR:
    row = (gsize)width * 3;
    break;
  case VF_COLOR_FORMAT_RGBA:
  case VF_COLOR_FORMAT_BGRA:
    row = (gsize)width * 4;
    break;
  case VF_COLOR_FORMAT_NV12:
    n = 2, row = width;
    break;
  case VF_COLOR_FORMAT_I420:
    n = 3, row = width;
    break;
  default:
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "osd: cannot draw on %s frames (RGB, RGBA, BGR, BGRA, NV12 or I420)",
                vf_color_format_to_string(format));
    return FALSE;
  }
  *f = (VfOsdFrame){ .format = format, .width = width, .height = height, .bt709 = height > 576 };
  for (guint i = 0; i < n; i++) {
    gsize need = i == 0                           ? row
                 : format == VF_COLOR_FORMAT_NV12 ? (width + 1) / 2 * 2
                                                  : (width + 1) / 2;
    if (planes[i] == NULL || strides[i] < need || width == 0 || height == 0) {
      g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                  "osd: plane %u of the %ux%u %s frame is missing or its stride is too short", i,
                  width, height, vf_color_format_to_string(format));
      return FALSE;
    }
    f->planes[i] = planes[i];
    f->strides[i] = strides[i];
  }
  return TRUE;
}

VfOsdColor vf_osd_palette(gint class_id)
{
  /* distinct, saturated enough to read on video, dark enough for white text */
  static const guint8 rgb[][3] = {
    { 230, 25, 75 },  { 60, 180, 75 },  { 0, 130, 200 }, { 245, 130, 48 },  { 145, 30, 180 },
    { 70, 170, 170 }, { 240, 50, 230 }, { 128, 128, 0 }, { 0, 128, 128 },   { 170, 110, 40 },
    { 128, 0, 0 },    { 0, 0, 128 },    { 200, 160, 0 }, { 100, 100, 100 }, { 220, 80, 120 },
    { 30, 100, 60 },  { 90, 60, 200 },  { 180, 70, 20 }, { 0, 160, 100 },   { 110, 40, 90 },
  };
  guint n = G_N_ELEMENTS(rgb), i = (guint)(class_id < 0 ? -(gint64)class_id : class_id) % n;
  return (VfOsdColor){ rgb[i][0], rgb[i][1], rgb[i][2], 255 };
}

/* Finite and not absurd: clamp coordinates so int conversions never overflow. */
static gboolean sane(gdouble v)
{
  return isfinite(v) && fabs(v) < 1e7;
}

void vf_osd_draw_rect(VfOsdFrame *f, gdouble x, gdouble y, gdouble w, gdouble h, gdouble border,
                      VfOsdColor color, const VfOsdColor *fill)
{
  if (!sane(x) || !sane(y) || !sane(w) || !sane(h) || !(border >= 0 && border < 1e4))
    return;
  if (w < 0)
    x += w, w = -w;
  if (h < 0)
    y += h, h = -h;
  gdouble t = border / 2;
  if (fill != NULL) {
    VfOsdPaint p;
    vf_osd_paint_init(&p, f, *fill);
    vf_osd_paint_rect(&p, x + t, y + t, x + w - t, y + h - t);
  }
  if (border <= 0)
    return;
  VfOsdPaint p;
  vf_osd_paint_init(&p, f, color);
  /* four bands that do not overlap, so translucent borders blend once */
  vf_osd_paint_rect(&p, x - t, y - t, x + w + t, y + t);         /* top */
  vf_osd_paint_rect(&p, x - t, y + h - t, x + w + t, y + h + t); /* bottom */
  vf_osd_paint_rect(&p, x - t, y + t, x + t, y + h - t);         /* left */
  vf_osd_paint_rect(&p, x + w - t, y + t, x + w + t, y + h - t); /* right */
}

/* Narrow [lo, hi] to the x where a*x + b lies in [min, max]. */
static void clip_linear(gdouble a, gdouble b, gdouble min, gdouble max, gdouble *lo, gdouble *hi)
{
  if (fabs(a) < 1e-12) {
    if (b < min || b > max)
      *lo = 1, *hi = 0;
    return;
  }
  gdouble x0 = (min - b) / a, x1 = (max - b) / a;
  if (x0 > x1) {
    gdouble t = x0;
    x0 = x1, x1 = t;
  }
  *lo = MAX(*lo, x0);
  *hi = MIN(*hi, x1);
}

/* Span [lo, hi] (inclusive, in pixel-centre coordinates) to pixels on row y. */
static void span(const VfOsdPaint *p, gint y, gdouble lo, gdouble hi)
{
  if (!(lo <= hi))
    return;
  gdouble w = p->frame->width;
  lo = CLAMP(lo, -1.0, w + 1);
  hi = CLAMP(hi, -1.0, w + 1);
  vf_osd_paint_span(p, y, (gint)ceil(lo - 0.5), (gint)floor(hi - 0.5) + 1);
}

void vf_osd_draw_line(VfOsdFrame *f, gdouble x0, gdouble y0, gdouble x1, gdouble y1, gdouble width,
                      VfOsdColor color)
{
  if (!sane(x0) || !sane(y0) || !sane(x1) || !sane(y1) || !(width > 0 && width < 1e4))
    return;
  VfOsdPaint p;
  vf_osd_paint_init(&p, f, color);
  gdouble r = width / 2, dx = x1 - x0, dy = y1 - y0, len = hypot(dx, dy);
  gint ya = (gint)floor(MIN(y0, y1) - r), yb = (gint)ceil(MAX(y0, y1) + r);
  ya = MAX(ya, 0);
  yb = MIN(yb, (gint)f->height - 1);
  for (gint y = ya; y <= yb; y++) {
    gdouble yc = y + 0.5, lo = INFINITY, hi = -INFINITY;
    /* the round caps: discs at both ends */
    for (int e = 0; e < 2; e++) {
      gdouble ex = e ? x1 : x0, ey = e ? y1 : y0, d = yc - ey;
      if (fabs(d) <= r) {
        gdouble half = sqrt(r * r - d * d);
        lo = MIN(lo, ex - half);
        hi = MAX(hi, ex + half);
      }
    }
    /* the body: 0 <= projection <= len and |distance| <= r, both linear in x */
    if (len > 0) {
      gdouble blo = -INFINITY, bhi = INFINITY;
      clip_linear(dx / len, (yc - y0) * dy / len - x0 * dx / len, 0, len, &blo, &bhi);
      clip_linear(-dy / len, (yc - y0) * dx / len + x0 * dy / len, -r, r, &blo, &bhi);
      if (blo <= bhi) {
        lo = MIN(lo, blo);
        hi = MAX(hi, bhi);
      }
    }
    span(&p, y, lo, hi);
  }
}

void vf_osd_draw_circle(VfOsdFrame *f, gdouble cx, gdouble cy, gdouble radius, gdouble width,
                        VfOsdColor color, const VfOsdColor *fill)
{
  if (!sane(cx) || !sane(cy) || !(radius >= 0 && radius < 1e6) || !(width >= 0 && width < 1e4))
    return;
  VfOsdPaint ring, inside;
  vf_osd_paint_init(&ring, f, color);
  if (fill)
    vf_osd_paint_init(&inside, f, *fill);
  gdouble ro = radius + width / 2, ri = MAX(radius - width / 2, 0.0);
  gint ya = MAX((gint)floor(cy - ro), 0), yb = MIN((gint)ceil(cy + ro), (gint)f->height - 1);
  for (gint y = ya; y <= yb; y++) {
    gdouble d = y + 0.5 - cy;
    if (fabs(d) > ro)
      continue;
    gdouble xo = sqrt(ro * ro - d * d);
    gdouble xi = fabs(d) < ri ? sqrt(ri * ri - d * d) : -1;
    if (xi < 0 || width <= 0) {
      if (width > 0)
        span(&ring, y, cx - xo, cx + xo);
      else if (fill)
        span(&inside, y, cx - xo, cx + xo);
      continue;
    }
    span(&ring, y, cx - xo, cx - xi);
    span(&ring, y, cx + xi, cx + xo);
    if (fill) /* strictly between the ring's two spans */
      span(&inside, y, cx - xi + 1e-9, cx + xi - 1e-9);
  }
}
