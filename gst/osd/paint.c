/* vidflow osd: span blending in every supported format. */
#include "paint.h"

#include <math.h>

void vf_osd_paint_init(VfOsdPaint *p, const VfOsdFrame *f, VfOsdColor c)
{
  *p = (VfOsdPaint){ .frame = f, .alpha = c.a, .bpp = 3, .ri = 0, .gi = 1, .bi = 2 };
  switch (f->format) {
  case VF_COLOR_FORMAT_BGR:
    p->ri = 2, p->bi = 0;
    break;
  case VF_COLOR_FORMAT_RGBA:
    p->bpp = 4;
    break;
  case VF_COLOR_FORMAT_BGRA:
    p->bpp = 4, p->ri = 2, p->bi = 0;
    break;
  case VF_COLOR_FORMAT_NV12:
    p->nv12 = TRUE; /* fall through */
  case VF_COLOR_FORMAT_I420:
    p->yuv = TRUE;
    break;
  default:
    break;
  }
  if (p->yuv) { /* RGB -> limited-range YUV */
    gdouble kr = f->bt709 ? 0.2126 : 0.299, kb = f->bt709 ? 0.0722 : 0.114, kg = 1 - kr - kb;
    gdouble y = kr * c.r + kg * c.g + kb * c.b;
    p->v[0] = (guint8)lround(16 + y * 219.0 / 255.0);
    p->v[1] = (guint8)lround(128 + (c.b - y) / (2 * (1 - kb)) * 224.0 / 255.0);
    p->v[2] = (guint8)lround(128 + (c.r - y) / (2 * (1 - kr)) * 224.0 / 255.0);
  } else {
    p->v[0] = c.r, p->v[1] = c.g, p->v[2] = c.b;
  }
}

static inline void blend(guint8 *d, guint8 v, guint a)
{
  *d = (guint8)((*d * (255 - a) + v * a + 127) / 255);
}

/* Chroma of the 2x2 blocks touched by pixels [x0, x1) of row y, with coverage a. Translucent
 * paint blends chroma on even rows only, so a block is not blended twice. */
static void paint_chroma(const VfOsdPaint *p, gint y, gint x0, gint x1, const guint8 *mask, guint a)
{
  const VfOsdFrame *f = p->frame;
  if (a < 255 && mask == NULL && (y & 1))
    return;
  if (mask != NULL && (y & 1))
    return;
  gint cy = y / 2;
  for (gint cx = x0 / 2; cx <= (x1 - 1) / 2; cx++) {
    guint ca = a;
    if (mask) { /* the stronger of the block's pixels on this row */
      gint i0 = 2 * cx - x0, i1 = i0 + 1;
      guint m0 = i0 >= 0 && i0 < x1 - x0 ? mask[i0] : 0,
            m1 = i1 >= 0 && i1 < x1 - x0 ? mask[i1] : 0;
      ca = MAX(m0, m1) * a / 255;
    }
    if (ca == 0)
      continue;
    if (p->nv12) {
      guint8 *uv = f->planes[1] + (gsize)cy * f->strides[1] + 2 * (gsize)cx;
      blend(uv, p->v[1], ca);
      blend(uv + 1, p->v[2], ca);
    } else {
      blend(f->planes[1] + (gsize)cy * f->strides[1] + cx, p->v[1], ca);
      blend(f->planes[2] + (gsize)cy * f->strides[2] + cx, p->v[2], ca);
    }
  }
}

static void paint_run(const VfOsdPaint *p, gint y, gint x0, gint x1, const guint8 *mask)
{
  const VfOsdFrame *f = p->frame;
  if (p->alpha == 0 || y < 0 || y >= (gint)f->height)
    return;
  gint cx0 = MAX(x0, 0), cx1 = MIN(x1, (gint)f->width);
  if (cx0 >= cx1)
    return;
  if (mask)
    mask += cx0 - x0;
  guint8 *row = f->planes[0] + (gsize)y * f->strides[0];
  for (gint x = cx0; x < cx1; x++) {
    guint a = mask ? mask[x - cx0] * p->alpha / 255 : p->alpha;
    if (a == 0)
      continue;
    if (p->yuv) {
      blend(row + x, p->v[0], a);
    } else {
      guint8 *px = row + (gsize)x * p->bpp;
      blend(px + p->ri, p->v[0], a);
      blend(px + p->gi, p->v[1], a);
      blend(px + p->bi, p->v[2], a);
    }
  }
  if (p->yuv)
    paint_chroma(p, y, cx0, cx1, mask, p->alpha);
}

void vf_osd_paint_span(const VfOsdPaint *p, gint y, gint x0, gint x1)
{
  paint_run(p, y, x0, x1, NULL);
}

void vf_osd_paint_mask(const VfOsdPaint *p, gint y, gint x0, const guint8 *mask, gint n)
{
  paint_run(p, y, x0, x0 + n, mask);
}

/* First pixel whose centre is at or after v, clamped to [0, limit]; NaN -> limit (empty). */
static gint pixel_from(gdouble v, gint limit)
{
  if (!(v <= limit))
    return limit;
  if (v < 0)
    return 0;
  return (gint)ceil(v - 0.5);
}

void vf_osd_paint_rect(const VfOsdPaint *p, gdouble x0, gdouble y0, gdouble x1, gdouble y1)
{
  if (isnan(x0) || isnan(y0) || isnan(x1) || isnan(y1))
    return;
  gint w = (gint)p->frame->width, h = (gint)p->frame->height;
  gint px0 = pixel_from(x0, w), px1 = pixel_from(x1, w);
  gint py0 = pixel_from(y0, h), py1 = pixel_from(y1, h);
  for (gint y = py0; y < py1; y++)
    vf_osd_paint_span(p, y, px0, px1);
}
