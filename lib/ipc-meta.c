/* vidflow: metadata across processes: batch, frame and object meta, display meta, sticky events
 * and registered user meta, serialized into an IPC buffer message and rebuilt on the other side.
 *
 * Layout (after the buffer's own fields, see ipc-producer.c):
 *   batch:  u8 present; u32 max_frames; user-meta list; u32 n_frames; frame...
 *   frame:  i32 slot (-1: the carrying buffer); video info; u32 source_id; u64 frame_number, pts,
 *           duration, running_time; i64 arrival; u32 original w, h; str sensor id, name;
 *           4 x f32 content rect; sticky events; objects; display items; user-meta list
 *   object: i32 class; str label; f32 confidence; 2 x rect; f32 tracker confidence; u64 object
 *           id; i32 component; i32 parent index (-1 none); classifications; user-meta list
 *   user-meta list: u32 n; (str type, bytes)... (only registered types are written)
 *   sticky events: u32 n; (u32 GstEventType, str structure)...
 *
 * The registry's lock is held only to look a type up, never while user functions run. */
#include <string.h>

#include "error-private.h"
#include "ipc-private.h"
#include "meta-private.h"

GST_DEBUG_CATEGORY_STATIC(vf_ipc_meta_debug);
#define GST_CAT_DEFAULT vf_ipc_meta_debug

typedef struct {
  VfIpcSerializeFunc serialize;
  VfIpcDeserializeFunc deserialize;
  VfUserMetaCopyFunc copy;
  GDestroyNotify free;
} Codec;

static GMutex registry_lock;
static GHashTable *registry; /* interned type -> Codec */

static void ensure_debug(void)
{
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(vf_ipc_meta_debug, "vfipcmeta", 0, "vidflow IPC metadata");
    g_once_init_leave(&once, 1);
  }
}

gboolean vf_ipc_register_user_meta(const char *type, VfIpcSerializeFunc serialize,
                                   VfIpcDeserializeFunc deserialize,
                                   gpointer (*copy)(gconstpointer data), GDestroyNotify free,
                                   GError **error)
{
  if (vf_arg_is_null(type, "type", G_STRFUNC, error)
      || vf_arg_is_null(serialize, "serialize", G_STRFUNC, error)
      || vf_arg_is_null(deserialize, "deserialize", G_STRFUNC, error))
    return FALSE;
  Codec *c = g_new(Codec, 1);
  *c = (Codec){ serialize, deserialize, copy, free };
  g_mutex_lock(&registry_lock);
  if (registry == NULL)
    registry = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  g_hash_table_replace(registry, (gpointer)g_intern_string(type), c);
  g_mutex_unlock(&registry_lock);
  return TRUE;
}

static gboolean lookup(const char *type, Codec *out)
{
  g_mutex_lock(&registry_lock);
  Codec *c = registry ? g_hash_table_lookup(registry, g_intern_string(type)) : NULL;
  if (c)
    *out = *c;
  g_mutex_unlock(&registry_lock);
  return c != NULL;
}

/* ---- pieces ---- */

static void put_rect(GByteArray *out, const VfRect *r)
{
  vf_ipc_put_f32(out, r->left);
  vf_ipc_put_f32(out, r->top);
  vf_ipc_put_f32(out, r->width);
  vf_ipc_put_f32(out, r->height);
}

static void get_rect(VfIpcReader *r, VfRect *rect)
{
  rect->left = vf_ipc_get_f32(r);
  rect->top = vf_ipc_get_f32(r);
  rect->width = vf_ipc_get_f32(r);
  rect->height = vf_ipc_get_f32(r);
}

static void put_color(GByteArray *out, const VfColor *c)
{
  vf_ipc_put_f32(out, c->red);
  vf_ipc_put_f32(out, c->green);
  vf_ipc_put_f32(out, c->blue);
  vf_ipc_put_f32(out, c->alpha);
}

static void get_color(VfIpcReader *r, VfColor *c)
{
  c->red = vf_ipc_get_f32(r);
  c->green = vf_ipc_get_f32(r);
  c->blue = vf_ipc_get_f32(r);
  c->alpha = vf_ipc_get_f32(r);
}

void vf_ipc_put_video_info(GByteArray *out, const GstVideoInfo *info)
{
  vf_ipc_put_u32(out, GST_VIDEO_INFO_FORMAT(info));
  vf_ipc_put_u32(out, (guint32)GST_VIDEO_INFO_WIDTH(info));
  vf_ipc_put_u32(out, (guint32)GST_VIDEO_INFO_HEIGHT(info));
  vf_ipc_put_u32(out, GST_VIDEO_INFO_INTERLACE_MODE(info));
  vf_ipc_put_i32(out, GST_VIDEO_INFO_FPS_N(info));
  vf_ipc_put_i32(out, GST_VIDEO_INFO_FPS_D(info));
  vf_ipc_put_i32(out, GST_VIDEO_INFO_PAR_N(info));
  vf_ipc_put_i32(out, GST_VIDEO_INFO_PAR_D(info));
  char *colorimetry = gst_video_colorimetry_to_string(&info->colorimetry);
  vf_ipc_put_str(out, colorimetry);
  g_free(colorimetry);
  vf_ipc_put_u32(out, info->chroma_site);
  vf_ipc_put_u64(out, GST_VIDEO_INFO_SIZE(info));
  for (guint i = 0; i < GST_VIDEO_MAX_PLANES; i++) {
    vf_ipc_put_u64(out, GST_VIDEO_INFO_PLANE_OFFSET(info, i));
    vf_ipc_put_i32(out, GST_VIDEO_INFO_PLANE_STRIDE(info, i));
  }
}

gboolean vf_ipc_get_video_info(VfIpcReader *r, GstVideoInfo *info)
{
  GstVideoFormat format = vf_ipc_get_u32(r);
  guint width = vf_ipc_get_u32(r), height = vf_ipc_get_u32(r);
  GstVideoInterlaceMode interlace = vf_ipc_get_u32(r);
  gint fps_n = vf_ipc_get_i32(r), fps_d = vf_ipc_get_i32(r);
  gint par_n = vf_ipc_get_i32(r), par_d = vf_ipc_get_i32(r);
  char *colorimetry = vf_ipc_get_str(r);
  guint chroma_site = vf_ipc_get_u32(r);
  gsize size = vf_ipc_get_u64(r);
  gsize offsets[GST_VIDEO_MAX_PLANES];
  gint strides[GST_VIDEO_MAX_PLANES];
  for (guint i = 0; i < GST_VIDEO_MAX_PLANES; i++) {
    offsets[i] = vf_ipc_get_u64(r);
    strides[i] = vf_ipc_get_i32(r);
  }
  gst_video_info_init(info);
  gboolean ok = !r->bad && format != GST_VIDEO_FORMAT_UNKNOWN
                && gst_video_format_get_info(format) != NULL
                && gst_video_info_set_interlaced_format(info, format, interlace, width, height);
  if (ok) {
    GST_VIDEO_INFO_FPS_N(info) = fps_n;
    GST_VIDEO_INFO_FPS_D(info) = fps_d;
    GST_VIDEO_INFO_PAR_N(info) = par_n;
    GST_VIDEO_INFO_PAR_D(info) = par_d;
    if (colorimetry)
      gst_video_colorimetry_from_string(&info->colorimetry, colorimetry);
    info->chroma_site = chroma_site;
    GST_VIDEO_INFO_SIZE(info) = size;
    for (guint i = 0; i < GST_VIDEO_MAX_PLANES; i++) {
      GST_VIDEO_INFO_PLANE_OFFSET(info, i) = offsets[i];
      GST_VIDEO_INFO_PLANE_STRIDE(info, i) = strides[i];
    }
  }
  g_free(colorimetry);
  return ok;
}

/* ---- user meta ---- */

static void put_user_list(GByteArray *out, const VfUserMetaList *list, guint64 *unsent,
                          GHashTable *reported, const char *who)
{
  guint at = out->len, n = 0;
  vf_ipc_put_u32(out, 0);
  for (guint i = 0; i < vf_user_meta_list_length(list); i++) {
    const char *type = NULL;
    gpointer data = vf_user_meta_list_nth(list, i, &type);
    Codec c;
    gboolean ok = lookup(type, &c);
    guint before = out->len;
    if (ok) {
      vf_ipc_put_str(out, type);
      guint size_at = out->len;
      vf_ipc_put_u32(out, 0);
      ok = c.serialize(data, out);
      guint32 size = out->len - size_at - sizeof(guint32);
      memcpy(out->data + size_at, &size, sizeof size);
    }
    if (!ok) {
      g_byte_array_set_size(out, before);
      (*unsent)++;
      if (reported && !g_hash_table_contains(reported, type)) {
        g_hash_table_add(reported, (gpointer)type);
        ensure_debug();
        g_warning("%s: user meta of type \"%s\" cannot cross processes and is not sent: register "
                  "it with vf_ipc_register_user_meta() in both processes",
                  who, type);
      }
      continue;
    }
    n++;
  }
  memcpy(out->data + at, &n, sizeof n);
}

typedef void (*AddUserFunc)(gpointer holder, const char *type, gpointer data,
                            VfUserMetaCopyFunc copy, GDestroyNotify free);

static gboolean get_user_list(VfIpcReader *r, gpointer holder, AddUserFunc add, guint64 *unsent)
{
  guint32 n = vf_ipc_get_u32(r);
  for (guint32 i = 0; i < n && !r->bad; i++) {
    char *type = vf_ipc_get_str(r);
    guint32 size = 0;
    const guint8 *data = vf_ipc_get_bytes(r, &size);
    Codec c;
    if (r->bad || type == NULL) {
      g_free(type);
      return FALSE;
    }
    GError *err = NULL;
    gpointer item = NULL;
    if (!lookup(type, &c)) {
      ensure_debug();
      GST_WARNING("user meta of type \"%s\" arrived but is not registered here: register it "
                  "with vf_ipc_register_user_meta()",
                  type);
      (*unsent)++;
    } else if ((item = c.deserialize(data ? data : (const guint8 *)"", size, &err)) == NULL) {
      ensure_debug();
      GST_WARNING("user meta of type \"%s\" could not be rebuilt: %s", type,
                  err ? err->message : "deserialize returned NULL");
      (*unsent)++;
    } else {
      add(holder, type, item, c.copy, c.free);
    }
    g_clear_error(&err);
    g_free(type);
  }
  return !r->bad;
}

static void add_batch_user(gpointer holder, const char *type, gpointer data,
                           VfUserMetaCopyFunc copy, GDestroyNotify free)
{
  vf_batch_meta_add_user_meta(holder, type, data, copy, free);
}

static void add_frame_user(gpointer holder, const char *type, gpointer data,
                           VfUserMetaCopyFunc copy, GDestroyNotify free)
{
  vf_frame_meta_add_user_meta(holder, type, data, copy, free);
}

static void add_object_user(gpointer holder, const char *type, gpointer data,
                            VfUserMetaCopyFunc copy, GDestroyNotify free)
{
  vf_object_meta_add_user_meta(holder, type, data, copy, free);
}

/* ---- sticky events ---- */

static void put_sticky(GByteArray *out, GPtrArray *events)
{
  vf_ipc_put_u32(out, events ? events->len : 0);
  for (guint i = 0; events && i < events->len; i++) {
    GstEvent *ev = g_ptr_array_index(events, i);
    const GstStructure *s = gst_event_get_structure(ev);
    char *str = s ? gst_structure_to_string(s) : NULL;
    vf_ipc_put_u32(out, GST_EVENT_TYPE(ev));
    vf_ipc_put_str(out, str);
    g_free(str);
  }
}

/* (transfer full, nullable) an event from its type and structure string */
GstEvent *vf_ipc_event_new(guint32 type, const char *structure)
{
  GstStructure *s = structure ? gst_structure_from_string(structure, NULL) : NULL;
  if (structure && s == NULL)
    return NULL;
  switch (type) {
  case GST_EVENT_STREAM_START:
  case GST_EVENT_CAPS:
  case GST_EVENT_SEGMENT:
  case GST_EVENT_TAG:
  case GST_EVENT_STREAM_COLLECTION:
  case GST_EVENT_CUSTOM_DOWNSTREAM_STICKY:
    if (s)
      return gst_event_new_custom(type, s);
    break;
  default:
    break;
  }
  if (s)
    gst_structure_free(s);
  return NULL;
}

static GPtrArray *get_sticky(VfIpcReader *r, GHashTable *cache)
{
  const guint8 *start = r->p;
  guint32 n = vf_ipc_get_u32(r);
  if (n == 0)
    return NULL;
  for (guint32 i = 0; i < n && !r->bad; i++) {
    guint32 size;
    vf_ipc_get_u32(r);
    vf_ipc_get_bytes(r, &size);
  }
  if (r->bad)
    return NULL;
  /* the serialized form is the cache key: frames of a source share one array */
  char *key = g_base64_encode(start, (gsize)(r->p - start));
  GPtrArray *events = g_hash_table_lookup(cache, key);
  if (events) {
    g_free(key);
    return events;
  }
  VfIpcReader again = { start, (gsize)(r->p - start), FALSE };
  vf_ipc_get_u32(&again);
  events = g_ptr_array_new_with_free_func((GDestroyNotify)gst_event_unref);
  for (guint32 i = 0; i < n; i++) {
    guint32 type = vf_ipc_get_u32(&again);
    char *str = vf_ipc_get_str(&again);
    GstEvent *ev = vf_ipc_event_new(type, str);
    if (ev)
      g_ptr_array_add(events, ev);
    g_free(str);
  }
  if (g_hash_table_size(cache) > 256)
    g_hash_table_remove_all(cache); /* sources come and go: keep the cache bounded */
  g_hash_table_insert(cache, key, events);
  return events;
}

/* ---- objects, display ---- */

static void put_object(GByteArray *out, VfObjectMeta *o, GPtrArray *objects, guint64 *unsent,
                       GHashTable *reported, const char *who)
{
  vf_ipc_put_i32(out, o->class_id);
  vf_ipc_put_str(out, o->label);
  vf_ipc_put_f32(out, o->confidence);
  put_rect(out, &o->detector_bbox);
  put_rect(out, &o->tracker_bbox);
  vf_ipc_put_f32(out, o->tracker_confidence);
  vf_ipc_put_u64(out, o->object_id);
  vf_ipc_put_i32(out, o->component_id);
  gint parent = -1;
  guint index;
  if (o->parent && g_ptr_array_find(objects, o->parent, &index))
    parent = (gint)index;
  vf_ipc_put_i32(out, parent);
  guint nc = o->classifications ? o->classifications->len : 0;
  vf_ipc_put_u32(out, nc);
  for (guint i = 0; i < nc; i++) {
    VfClassification *c = &g_array_index(o->classifications, VfClassification, i);
    vf_ipc_put_i32(out, c->component_id);
    vf_ipc_put_i32(out, c->class_id);
    vf_ipc_put_str(out, c->label);
    vf_ipc_put_f32(out, c->confidence);
  }
  put_user_list(out, &o->user, unsent, reported, who);
}

static VfObjectMeta *get_object(VfIpcReader *r, gint *parent, guint64 *unsent)
{
  VfObjectMeta *o = vf_object_meta_new();
  o->class_id = vf_ipc_get_i32(r);
  char *label = vf_ipc_get_str(r);
  vf_object_meta_set_label(o, label);
  g_free(label);
  o->confidence = vf_ipc_get_f32(r);
  get_rect(r, &o->detector_bbox);
  get_rect(r, &o->tracker_bbox);
  o->tracker_confidence = vf_ipc_get_f32(r);
  o->object_id = vf_ipc_get_u64(r);
  o->component_id = vf_ipc_get_i32(r);
  *parent = vf_ipc_get_i32(r);
  guint32 nc = vf_ipc_get_u32(r);
  for (guint32 i = 0; i < nc && !r->bad; i++) {
    gint component = vf_ipc_get_i32(r), class_id = vf_ipc_get_i32(r);
    char *clabel = vf_ipc_get_str(r);
    gfloat conf = vf_ipc_get_f32(r);
    if (!r->bad)
      vf_object_meta_add_classification(o, component, class_id, clabel, conf);
    g_free(clabel);
  }
  if (r->bad || !get_user_list(r, o, add_object_user, unsent)) {
    vf_object_meta_unref(o);
    return NULL;
  }
  return o;
}

static void put_display(GByteArray *out, VfDisplayList *list)
{
  guint n = list ? list->items->len : 0;
  vf_ipc_put_u32(out, n);
  for (guint i = 0; i < n; i++) {
    const VfDisplayItem *d = &g_array_index(list->items, VfDisplayItem, i);
    vf_ipc_put_u32(out, d->kind);
    put_color(out, &d->color);
    put_color(out, &d->bg_color);
    vf_ipc_put_u8(out, d->has_bg ? 1 : 0);
    vf_ipc_put_f32(out, d->line_width);
    put_rect(out, &d->rect);
    vf_ipc_put_f32(out, d->x1);
    vf_ipc_put_f32(out, d->y1);
    vf_ipc_put_f32(out, d->x2);
    vf_ipc_put_f32(out, d->y2);
    vf_ipc_put_f32(out, d->radius);
    vf_ipc_put_f32(out, d->font_size);
    vf_ipc_put_str(out, d->text);
  }
}

static gboolean get_display(VfIpcReader *r, VfFrameMeta *frame)
{
  guint32 n = vf_ipc_get_u32(r);
  if (n == 0)
    return !r->bad;
  VfDisplayList *list = vf_display_list_copy(NULL);
  for (guint32 i = 0; i < n && !r->bad; i++) {
    VfDisplayItem d = { 0 };
    d.kind = vf_ipc_get_u32(r);
    get_color(r, &d.color);
    get_color(r, &d.bg_color);
    d.has_bg = vf_ipc_get_u8(r) != 0;
    d.line_width = vf_ipc_get_f32(r);
    get_rect(r, &d.rect);
    d.x1 = vf_ipc_get_f32(r);
    d.y1 = vf_ipc_get_f32(r);
    d.x2 = vf_ipc_get_f32(r);
    d.y2 = vf_ipc_get_f32(r);
    d.radius = vf_ipc_get_f32(r);
    d.font_size = vf_ipc_get_f32(r);
    d.text = vf_ipc_get_str(r);
    if (d.kind > VF_DISPLAY_CIRCLE)
      r->bad = TRUE;
    g_array_append_val(list->items, d); /* the array owns d.text */
  }
  g_mutex_lock(&frame->lock);
  vf_display_list_unref(frame->display);
  frame->display = list;
  g_mutex_unlock(&frame->lock);
  return !r->bad;
}

/* ---- frames, batch ---- */

static void put_frame(GByteArray *out, VfFrameMeta *f, gint slot, guint64 *unsent,
                      GHashTable *reported, const char *who)
{
  vf_ipc_put_i32(out, slot);
  vf_ipc_put_video_info(out, &f->info);
  vf_ipc_put_u32(out, f->source_id);
  vf_ipc_put_u64(out, f->frame_number);
  vf_ipc_put_u64(out, f->pts);
  vf_ipc_put_u64(out, f->duration);
  vf_ipc_put_u64(out, f->running_time);
  vf_ipc_put_u64(out, (guint64)f->arrival_us);
  vf_ipc_put_u32(out, f->original_width);
  vf_ipc_put_u32(out, f->original_height);
  vf_ipc_put_str(out, f->sensor_id);
  vf_ipc_put_str(out, f->sensor_name);
  put_rect(out, &f->content);
  put_sticky(out, f->sticky);
  GPtrArray *objects = vf_frame_meta_get_objects(f);
  vf_ipc_put_u32(out, objects->len);
  for (guint i = 0; i < objects->len; i++)
    put_object(out, g_ptr_array_index(objects, i), objects, unsent, reported, who);
  g_ptr_array_unref(objects);
  g_mutex_lock(&f->lock);
  put_display(out, f->display);
  put_user_list(out, &f->user, unsent, reported, who);
  g_mutex_unlock(&f->lock);
}

void vf_ipc_meta_write(GByteArray *out, VfBatchMeta *meta, const gint *frame_slots, guint64 *unsent,
                       GHashTable *reported, const char *who)
{
  vf_ipc_put_u8(out, meta ? 1 : 0);
  if (meta == NULL)
    return;
  vf_ipc_put_u32(out, meta->max_frames);
  g_mutex_lock(&meta->lock);
  put_user_list(out, &meta->user, unsent, reported, who);
  g_mutex_unlock(&meta->lock);
  guint n = vf_batch_meta_get_n_frames(meta);
  vf_ipc_put_u32(out, n);
  for (guint i = 0; i < n; i++)
    put_frame(out, vf_batch_meta_get_frame(meta, i), frame_slots[i], unsent, reported, who);
}

static gboolean get_frame(VfIpcReader *r, VfBatchMeta *meta, GstBuffer **slots, guint n_slots,
                          GHashTable *sticky, guint64 *unsent)
{
  gint slot = vf_ipc_get_i32(r);
  GstVideoInfo info;
  if (!vf_ipc_get_video_info(r, &info) || slot < -1 || slot >= (gint)n_slots)
    return FALSE;
  VfFrameMeta *f = vf_batch_meta_add_frame(meta, slot >= 0 ? slots[slot] : NULL, &info);
  if (f == NULL)
    return FALSE;
  f->source_id = vf_ipc_get_u32(r);
  f->frame_number = vf_ipc_get_u64(r);
  f->pts = vf_ipc_get_u64(r);
  f->duration = vf_ipc_get_u64(r);
  f->running_time = vf_ipc_get_u64(r);
  f->arrival_us = (gint64)vf_ipc_get_u64(r);
  f->original_width = vf_ipc_get_u32(r);
  f->original_height = vf_ipc_get_u32(r);
  char *sid = vf_ipc_get_str(r), *sname = vf_ipc_get_str(r);
  vf_frame_meta_set_sensor(f, sid, sname);
  g_free(sid);
  g_free(sname);
  get_rect(r, &f->content);
  GPtrArray *events = get_sticky(r, sticky);
  if (events)
    vf_frame_meta_set_sticky_events(f, events);
  guint32 n_objects = vf_ipc_get_u32(r);
  GPtrArray *objects = g_ptr_array_new_with_free_func((GDestroyNotify)vf_object_meta_unref);
  GArray *parents = g_array_new(FALSE, FALSE, sizeof(gint));
  for (guint32 i = 0; i < n_objects && !r->bad; i++) {
    gint parent = -1;
    VfObjectMeta *o = get_object(r, &parent, unsent);
    if (o == NULL)
      break;
    g_ptr_array_add(objects, o);
    g_array_append_val(parents, parent);
  }
  gboolean ok = !r->bad && objects->len == n_objects;
  for (guint i = 0; ok && i < objects->len; i++) {
    gint p = g_array_index(parents, gint, i);
    if (p >= 0 && (guint)p < objects->len && (guint)p != i)
      vf_object_meta_set_parent(g_ptr_array_index(objects, i), g_ptr_array_index(objects, p));
    vf_frame_meta_add_object(f, g_ptr_array_index(objects, i));
  }
  g_array_unref(parents);
  g_ptr_array_unref(objects);
  return ok && get_display(r, f) && get_user_list(r, f, add_frame_user, unsent);
}

gboolean vf_ipc_meta_read(VfIpcReader *r, GstBuffer *buffer, GstBuffer **slots, guint n_slots,
                          GHashTable *sticky, guint64 *unsent, GError **error)
{
  if (!vf_ipc_get_u8(r))
    return !r->bad;
  guint32 max_frames = vf_ipc_get_u32(r);
  VfBatchMeta *meta = vf_batch_meta_add(buffer, MAX(max_frames, 1));
  gboolean ok = meta && !r->bad && get_user_list(r, meta, add_batch_user, unsent);
  guint32 n = ok ? vf_ipc_get_u32(r) : 0;
  for (guint32 i = 0; ok && i < n; i++)
    ok = get_frame(r, meta, slots, n_slots, sticky, unsent);
  if (!ok || r->bad) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "ipc: a buffer's metadata is malformed (the producer and this consumer disagree "
                "on the wire format)");
    return FALSE;
  }
  return TRUE;
}
