/* vidflow osd: text through Pango + Cairo.
 *
 * A string is laid out and rendered once into an A8 (coverage) cairo surface, cached by
 * (font, size, text), and blended in the requested colour through the span painter, so the same
 * label in another colour or place costs only the blend. The cache is bounded (emptied when it
 * grows past CACHE_MAX masks) and locked: rendering and blending of one mask happen under the
 * lock, which keeps a mask alive while it is in use. */
#include <cairo.h>
#include <math.h>
#include <pango/pangocairo.h>

#include "paint.h"

#define CACHE_MAX 512
#define PAD 2 /* pixels around the text inside its background box */

typedef struct {
  gint width, height, stride;
  guint8 *alpha;
} Mask;

static GMutex lock;
static GHashTable *cache; /* "font|size|text" -> Mask* */

static void mask_free(gpointer data)
{
  Mask *m = data;
  g_free(m->alpha);
  g_free(m);
}

static gint font_px(const VfOsdFrame *f, gdouble size)
{
  if (size > 0 && size < 1000)
    return (gint)lround(size);
  return MAX(12, (gint)f->height / 36);
}

/* The mask of `text` (transfer none, valid while `lock` is held). */
static const Mask *render(const char *text, const char *font, gint px)
{
  char *valid = g_utf8_make_valid(text, -1); /* labels come from files: never trust them */
  char *key = g_strdup_printf("%s|%d|%s", font, px, valid);
  if (cache == NULL)
    cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, mask_free);
  Mask *m = g_hash_table_lookup(cache, key);
  if (m != NULL) {
    g_free(key);
    g_free(valid);
    return m;
  }
  if (g_hash_table_size(cache) >= CACHE_MAX)
    g_hash_table_remove_all(cache);

  cairo_surface_t *probe = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
  cairo_t *cr = cairo_create(probe);
  PangoLayout *layout = pango_cairo_create_layout(cr);
  PangoFontDescription *desc = pango_font_description_from_string(font);
  pango_font_description_set_absolute_size(desc, px * PANGO_SCALE);
  pango_layout_set_font_description(layout, desc);
  pango_layout_set_text(layout, valid, -1);
  gint w = 0, h = 0;
  pango_layout_get_pixel_size(layout, &w, &h);
  w = CLAMP(w, 1, 4096);
  h = CLAMP(h, 1, 4096);

  cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_A8, w, h);
  m = g_new0(Mask, 1);
  if (cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS) {
    cairo_t *cr2 = cairo_create(surface);
    cairo_set_source_rgba(cr2, 1, 1, 1, 1);
    pango_cairo_update_layout(cr2, layout);
    pango_cairo_show_layout(cr2, layout);
    cairo_destroy(cr2);
    cairo_surface_flush(surface);
    m->width = w;
    m->height = h;
    m->stride = cairo_image_surface_get_stride(surface);
    m->alpha = g_memdup2(cairo_image_surface_get_data(surface), (gsize)m->stride * h);
  } else { /* out of memory: an empty mask, the text is skipped */
    g_warning("osd: cannot render text '%s': %s", valid,
              cairo_status_to_string(cairo_surface_status(surface)));
  }
  g_hash_table_insert(cache, key, m);
  g_free(valid);

  cairo_surface_destroy(surface);
  pango_font_description_free(desc);
  g_object_unref(layout);
  cairo_destroy(cr);
  cairo_surface_destroy(probe);
  return m;
}

void vf_osd_text_size(const VfOsdFrame *f, const char *text, const char *font, gdouble size,
                      guint *width, guint *height)
{
  g_mutex_lock(&lock);
  const Mask *m = render(text ? text : "", font ? font : "Sans Bold", font_px(f, size));
  if (width)
    *width = (guint)m->width + 2 * PAD;
  if (height)
    *height = (guint)m->height + 2 * PAD;
  g_mutex_unlock(&lock);
}

void vf_osd_draw_text(VfOsdFrame *f, gdouble x, gdouble y, const char *text, const char *font,
                      gdouble size, VfOsdColor color, const VfOsdColor *background)
{
  if (text == NULL || *text == '\0' || !isfinite(x) || !isfinite(y) || fabs(x) > 1e7
      || fabs(y) > 1e7)
    return;
  g_mutex_lock(&lock);
  const Mask *m = render(text, font ? font : "Sans Bold", font_px(f, size));
  gint x0 = (gint)lround(x), y0 = (gint)lround(y);
  if (background != NULL) {
    VfOsdPaint bg;
    vf_osd_paint_init(&bg, f, *background);
    vf_osd_paint_rect(&bg, x0, y0, x0 + m->width + 2 * PAD, y0 + m->height + 2 * PAD);
  }
  VfOsdPaint p;
  vf_osd_paint_init(&p, f, color);
  for (gint r = 0; r < m->height; r++)
    vf_osd_paint_mask(&p, y0 + PAD + r, x0 + PAD, m->alpha + (gsize)r * m->stride, m->width);
  g_mutex_unlock(&lock);
}

void vf_osd_text_cache_clear(void)
{
  g_mutex_lock(&lock);
  if (cache)
    g_hash_table_remove_all(cache);
  g_mutex_unlock(&lock);
}
