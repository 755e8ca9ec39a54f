/* vidflow osd: drawing on video frames in memory (the core of vfosd).
 *
 * Rectangles (border, optional translucent fill), lines, circles and text with a background box
 * on RGB, RGBA, BGR, BGRA, NV12 and I420 frames given as planes + strides. Coordinates are frame
 * pixels as doubles; anything partly or wholly outside the frame is clipped, never a crash
 * (NaN, infinities and huge values included). On NV12/I420 the chroma of a 2x2 block takes the
 * colour where its top-left pixel is drawn.
 *
 * Text goes through Pango + Cairo (Debian's fonts-dejavu-core gives "Sans"): each string is
 * rendered once to an A8 coverage mask, kept in a small cache, and blended in any colour.
 * Threads: drawing on different frames from different threads is safe. */
#pragma once

#include <vidflow/error.h>
#include <vidflow/format.h>

G_BEGIN_DECLS

typedef struct {
  guint8 r, g, b, a; /* a: 255 opaque, 0 invisible */
} VfOsdColor;

/* A writable frame (transfer none: the caller owns the planes). */
typedef struct {
  VfColorFormat format;
  guint width, height;
  guint8 *planes[3];
  gsize strides[3];
  gboolean bt709; /* NV12/I420: BT.709 colours, else BT.601 (limited range) */
} VfOsdFrame;

/* Describe a frame; planes/strides as many as the format has. bt709 is guessed from the height
 * (above 576 lines). FALSE with VF_ERROR_FORMAT for other formats, VF_ERROR_ARGUMENT for
 * missing planes or short strides. */
gboolean vf_osd_frame_init(VfOsdFrame *frame, VfColorFormat format, guint width, guint height,
                           guint8 *const *planes, const gsize *strides, GError **error);

/* The colour of a class in a fixed 20-colour palette (any id, negative ones too). */
VfOsdColor vf_osd_palette(gint class_id);

/* A rectangle outline of `border` pixels centred on its edges, and when fill is not NULL the
 * inside blended with fill (its alpha: translucency). border 0: fill only. */
void vf_osd_draw_rect(VfOsdFrame *frame, gdouble x, gdouble y, gdouble width, gdouble height,
                      gdouble border, VfOsdColor color, const VfOsdColor *fill);
/* A line `width` pixels thick with round ends. */
void vf_osd_draw_line(VfOsdFrame *frame, gdouble x0, gdouble y0, gdouble x1, gdouble y1,
                      gdouble width, VfOsdColor color);
/* A circle outline `width` pixels thick centred on the radius; fill (nullable) inside. */
void vf_osd_draw_circle(VfOsdFrame *frame, gdouble cx, gdouble cy, gdouble radius, gdouble width,
                        VfOsdColor color, const VfOsdColor *fill);

/* Text whose box (text + padding) has its top-left corner at (x, y). font: a Pango description
 * ("Sans Bold", NULL for that); size: pixel height of the font, 0 for one that reads well at the
 * frame's size (height / 36, at least 12). background (nullable) fills the box. */
void vf_osd_draw_text(VfOsdFrame *frame, gdouble x, gdouble y, const char *text, const char *font,
                      gdouble size, VfOsdColor color, const VfOsdColor *background);
/* The size of that box, to place it (e.g. above an object's box). */
void vf_osd_text_size(const VfOsdFrame *frame, const char *text, const char *font, gdouble size,
                      guint *width, guint *height);
/* Drop the cached text masks (tests; memory). */
void vf_osd_text_cache_clear(void);

G_END_DECLS
