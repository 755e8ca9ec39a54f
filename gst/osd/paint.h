/* vidflow osd: blending spans of pixels in one colour (shared by draw.c and text.c). */
#pragma once

#include "draw.h"

typedef struct {
  const VfOsdFrame *frame;
  guint8 v[3]; /* packed: R, G, B; YUV: Y, U, V */
  guint alpha; /* 0..255 */
  gint bpp, ri, gi, bi;
  gboolean yuv, nv12;
} VfOsdPaint;

void vf_osd_paint_init(VfOsdPaint *paint, const VfOsdFrame *frame, VfOsdColor color);
/* Blend pixels [x0, x1) of row y; clips to the frame. */
void vf_osd_paint_span(const VfOsdPaint *paint, gint y, gint x0, gint x1);
/* Blend n pixels from (x0, y) with per-pixel coverage mask[i] (0..255); clips to the frame. */
void vf_osd_paint_mask(const VfOsdPaint *paint, gint y, gint x0, const guint8 *mask, gint n);
/* Fill the pixels whose centres lie in [x0, x1) x [y0, y1); clips and copes with NaN. */
void vf_osd_paint_rect(const VfOsdPaint *paint, gdouble x0, gdouble y0, gdouble x1, gdouble y1);
