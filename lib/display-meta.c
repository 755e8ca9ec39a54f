/* vidflow: display meta, the rectangles, texts, lines and circles vfosd draws on a frame (a list
 * shared by frame copies until one of them changes it). */
#include "meta-private.h"

#include <string.h>

static const VfColor no_color = { 0, 0, 0, 0 };

static void item_clear(gpointer data)
{
  VfDisplayItem *item = data;
  g_free(item->text);
  item->text = NULL;
}

static GArray *items_new(void)
{
  GArray *a = g_array_new(FALSE, TRUE, sizeof(VfDisplayItem));
  g_array_set_clear_func(a, item_clear);
  return a;
}

VfDisplayList *vf_display_list_ref(VfDisplayList *list)
{
  g_atomic_int_inc(&list->refcount);
  return list;
}

void vf_display_list_unref(VfDisplayList *list)
{
  if (list == NULL || !g_atomic_int_dec_and_test(&list->refcount))
    return;
  g_array_unref(list->items);
  g_free(list);
}

VfDisplayList *vf_display_list_copy(const VfDisplayList *src)
{
  VfDisplayList *l = g_new(VfDisplayList, 1);
  l->refcount = 1;
  l->items = items_new();
  for (guint i = 0; src && i < src->items->len; i++) {
    VfDisplayItem item = g_array_index(src->items, VfDisplayItem, i);
    item.text = g_strdup(item.text);
    g_array_append_val(l->items, item);
  }
  return l;
}

void vf_display_list_scale(VfDisplayList *list, gdouble sx, gdouble sy, gdouble dx, gdouble dy)
{
  gdouble sr = (sx + sy) / 2; /* radii, widths and font sizes: the mean scale */
  for (guint i = 0; list && i < list->items->len; i++) {
    VfDisplayItem *d = &g_array_index(list->items, VfDisplayItem, i);
    d->rect.left = (gfloat)(d->rect.left * sx + dx);
    d->rect.top = (gfloat)(d->rect.top * sy + dy);
    d->rect.width = (gfloat)(d->rect.width * sx);
    d->rect.height = (gfloat)(d->rect.height * sy);
    d->x1 = (gfloat)(d->x1 * sx + dx);
    d->y1 = (gfloat)(d->y1 * sy + dy);
    d->x2 = (gfloat)(d->x2 * sx + dx);
    d->y2 = (gfloat)(d->y2 * sy + dy);
    d->radius = (gfloat)(d->radius * sr);
    d->font_size = (gfloat)(d->font_size * sr);
  }
}

/* Copy-on-write: the frame's list, private to it (made or copied when needed). Frame lock held. */
static VfDisplayList *private_list(VfFrameMeta *frame)
{
  VfDisplayList *l = frame->display;
  if (l != NULL && g_atomic_int_get(&l->refcount) == 1)
    return l;
  frame->display = vf_display_list_copy(l);
  vf_display_list_unref(l);
  return frame->display;
}

static void append(VfFrameMeta *frame, const VfDisplayItem *item)
{
  g_mutex_lock(&frame->lock);
  g_array_append_vals(private_list(frame)->items, item, 1);
  g_mutex_unlock(&frame->lock);
}

void vf_frame_meta_add_display_rect(VfFrameMeta *frame, const VfRect *rect, gfloat border_width,
                                    const VfColor *border, const VfColor *fill)
{
  if (frame == NULL || rect == NULL)
    return;
  VfDisplayItem d = { 0 };
  d.kind = VF_DISPLAY_RECT;
  d.rect = *rect;
  d.line_width = border_width;
  d.color = border ? *border : no_color;
  d.has_bg = fill != NULL;
  d.bg_color = fill ? *fill : no_color;
  append(frame, &d);
}

void vf_frame_meta_add_display_text(VfFrameMeta *frame, gfloat x, gfloat y, const char *text,
                                    gfloat font_size, const VfColor *color, const VfColor *bg)
{
  if (frame == NULL || text == NULL)
    return;
  VfDisplayItem d = { 0 };
  d.kind = VF_DISPLAY_TEXT;
  d.x1 = x;
  d.y1 = y;
  d.text = g_strdup(text);
  d.font_size = font_size;
  d.color = color ? *color : no_color;
  d.has_bg = bg != NULL;
  d.bg_color = bg ? *bg : no_color;
  append(frame, &d);
}

void vf_frame_meta_add_display_line(VfFrameMeta *frame, gfloat x1, gfloat y1, gfloat x2, gfloat y2,
                                    gfloat width, const VfColor *color)
{
  if (frame == NULL)
    return;
  VfDisplayItem d = { 0 };
  d.kind = VF_DISPLAY_LINE;
  d.x1 = x1;
  d.y1 = y1;
  d.x2 = x2;
  d.y2 = y2;
  d.line_width = width;
  d.color = color ? *color : no_color;
  append(frame, &d);
}

void vf_frame_meta_add_display_circle(VfFrameMeta *frame, gfloat cx, gfloat cy, gfloat radius,
                                      gfloat width, const VfColor *color, const VfColor *fill)
{
  if (frame == NULL)
    return;
  VfDisplayItem d = { 0 };
  d.kind = VF_DISPLAY_CIRCLE;
  d.x1 = cx;
  d.y1 = cy;
  d.radius = radius;
  d.line_width = width;
  d.color = color ? *color : no_color;
  d.has_bg = fill != NULL;
  d.bg_color = fill ? *fill : no_color;
  append(frame, &d);
}

guint vf_frame_meta_get_n_display_items(VfFrameMeta *frame)
{
  if (frame == NULL)
    return 0;
  g_mutex_lock(&frame->lock);
  guint n = frame->display ? frame->display->items->len : 0;
  g_mutex_unlock(&frame->lock);
  return n;
}

gboolean vf_frame_meta_get_display_item(VfFrameMeta *frame, guint index, VfDisplayItem *item)
{
  if (item == NULL)
    return FALSE;
  gboolean ok = FALSE;
  if (frame == NULL) {
    memset(item, 0, sizeof *item);
    return FALSE;
  }
  g_mutex_lock(&frame->lock);
  if (frame->display && index < frame->display->items->len) {
    *item = g_array_index(frame->display->items, VfDisplayItem, index);
    item->text = g_strdup(item->text);
    ok = TRUE;
  }
  g_mutex_unlock(&frame->lock);
  if (!ok)
    memset(item, 0, sizeof *item);
  return ok;
}

void vf_frame_meta_clear_display(VfFrameMeta *frame)
{
  if (frame == NULL)
    return;
  g_mutex_lock(&frame->lock);
  VfDisplayList *old = frame->display;
  frame->display = NULL;
  g_mutex_unlock(&frame->lock);
  vf_display_list_unref(old);
}

void vf_display_item_clear(VfDisplayItem *item)
{
  if (item)
    item_clear(item);
}
