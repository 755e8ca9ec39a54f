/* vidflow: VfFrameMeta, one frame of a batch: where it came from, the buffer holding its pixels,
 * its source's sticky events, and its objects, display meta and user meta. Frames are shared by
 * copies of their batch and copied when a writer needs one of its own (meta-private.h). */
#include "meta-private.h"

VfFrameMeta *vf_frame_meta_new(guint batch_index, GstBuffer *buffer, const GstVideoInfo *info)
{
  VfFrameMeta *f = g_new0(VfFrameMeta, 1);
  f->refcount = 1;
  f->batch_index = batch_index;
  f->pts = f->duration = f->running_time = GST_CLOCK_TIME_NONE;
  if (info)
    f->info = *info;
  else
    gst_video_info_init(&f->info);
  f->buffer = buffer ? gst_buffer_ref(buffer) : NULL;
  f->original_width = (guint)GST_VIDEO_INFO_WIDTH(&f->info);
  f->original_height = (guint)GST_VIDEO_INFO_HEIGHT(&f->info);
  f->content = (VfRect){ 0, 0, (gfloat)GST_VIDEO_INFO_WIDTH(&f->info),
                         (gfloat)GST_VIDEO_INFO_HEIGHT(&f->info) };
  g_mutex_init(&f->lock);
  return f;
}

VfFrameMeta *vf_frame_meta_copy(VfFrameMeta *src, guint batch_index)
{
  VfFrameMeta *f = g_new0(VfFrameMeta, 1);
  f->refcount = 1;
  f->batch_index = batch_index;
  f->source_id = src->source_id;
  f->frame_number = src->frame_number;
  f->pts = src->pts;
  f->duration = src->duration;
  f->running_time = src->running_time;
  f->arrival_us = src->arrival_us;
  f->original_width = src->original_width;
  f->original_height = src->original_height;
  f->sensor_id = src->sensor_id;
  f->sensor_name = src->sensor_name;
  f->info = src->info;
  f->content = src->content;
  f->sticky = src->sticky ? g_ptr_array_ref(src->sticky) : NULL;
  g_mutex_init(&f->lock);

  g_mutex_lock(&src->lock);
  f->buffer = src->buffer ? gst_buffer_ref(src->buffer) : NULL;
  f->objects = src->objects ? vf_object_list_ref(src->objects) : NULL;
  f->display = src->display ? vf_display_list_ref(src->display) : NULL;
  vf_user_meta_list_copy_into(&f->user, &src->user);
  g_mutex_unlock(&src->lock);
  return f;
}

VfFrameMeta *vf_frame_meta_ref(VfFrameMeta *frame)
{
  g_atomic_int_inc(&frame->refcount);
  return frame;
}

void vf_frame_meta_unref(VfFrameMeta *frame)
{
  if (frame == NULL || !g_atomic_int_dec_and_test(&frame->refcount))
    return;
  vf_object_list_unref(frame->objects);
  vf_display_list_unref(frame->display);
  vf_user_meta_list_clear(&frame->user);
  gst_clear_buffer(&frame->buffer);
  g_clear_pointer(&frame->sticky, g_ptr_array_unref);
  g_mutex_clear(&frame->lock);
  g_free(frame);
}

/* Copy-on-write: the frame's object list, private to it. Frame lock held. */
static VfObjectList *private_objects(VfFrameMeta *frame)
{
  VfObjectList *l = frame->objects;
  if (l != NULL && g_atomic_int_get(&l->refcount) == 1)
    return l;
  frame->objects = l ? vf_object_list_copy(l) : vf_object_list_new();
  vf_object_list_unref(l);
  return frame->objects;
}

/* Make every object of the frame its own (copies of those shared with other frames, parents
 * inside the frame pointing at the copies). Frame lock held; the replaced objects are appended
 * to `dropped` (their references, for the caller to release outside the lock). */
static guint own_objects(VfFrameMeta *frame, GPtrArray *dropped)
{
  if (frame->objects == NULL)
    return 0;
  GPtrArray *objs = private_objects(frame)->objects;
  GHashTable *map = NULL;
  for (guint i = 0; i < objs->len; i++) {
    VfObjectMeta *o = g_ptr_array_index(objs, i);
    if (g_atomic_int_get(&o->owners) == 1)
      continue;
    VfObjectMeta *c = vf_object_meta_copy(o);
    c->owners = 1;
    objs->pdata[i] = c; /* the list's reference and ownership move to the copy */
    g_atomic_int_add(&o->owners, -1);
    g_ptr_array_add(dropped, o);
    if (map == NULL)
      map = g_hash_table_new(NULL, NULL);
    g_hash_table_insert(map, o, c);
  }
  if (map == NULL)
    return 0;
  for (guint i = 0; i < objs->len; i++) {
    VfObjectMeta *o = g_ptr_array_index(objs, i);
    VfObjectMeta *parent = o->parent ? g_hash_table_lookup(map, o->parent) : NULL;
    if (parent)
      vf_object_meta_set_parent(o, parent);
  }
  guint n = g_hash_table_size(map);
  g_hash_table_unref(map);
  return n;
}

guint vf_frame_meta_make_objects_writable(VfFrameMeta *frame)
{
  if (frame == NULL)
    return 0;
  GPtrArray *dropped = g_ptr_array_new_with_free_func((GDestroyNotify)vf_object_meta_unref);
  g_mutex_lock(&frame->lock);
  guint n = own_objects(frame, dropped);
  g_mutex_unlock(&frame->lock);
  g_ptr_array_unref(dropped); /* user meta free functions may run: outside the lock */
  return n;
}

void vf_frame_meta_scale(VfFrameMeta *frame, const GstVideoInfo *out_info, gdouble sx, gdouble sy,
                         gdouble dx, gdouble dy)
{
  vf_frame_meta_make_objects_writable(frame);
  g_mutex_lock(&frame->lock);
  for (guint i = 0; frame->objects && i < frame->objects->objects->len; i++)
    vf_object_meta_scale(g_ptr_array_index(frame->objects->objects, i), sx, sy, dx, dy);
  if (frame->display) {
    VfDisplayList *l = vf_display_list_copy(frame->display);
    vf_display_list_unref(frame->display);
    frame->display = l;
    vf_display_list_scale(l, sx, sy, dx, dy);
  }
  g_mutex_unlock(&frame->lock);
  frame->content.left = (gfloat)(frame->content.left * sx + dx);
  frame->content.top = (gfloat)(frame->content.top * sy + dy);
  frame->content.width = (gfloat)(frame->content.width * sx);
  frame->content.height = (gfloat)(frame->content.height * sy);
  frame->info = *out_info;
}

guint vf_frame_meta_get_source_id(const VfFrameMeta *frame)
{
  if (frame == NULL)
    return 0;
  return frame->source_id;
}

void vf_frame_meta_set_source_id(VfFrameMeta *frame, guint source_id)
{
  if (frame == NULL)
    return;
  frame->source_id = source_id;
}

guint vf_frame_meta_get_batch_index(const VfFrameMeta *frame)
{
  if (frame == NULL)
    return 0;
  return frame->batch_index;
}

guint64 vf_frame_meta_get_frame_number(const VfFrameMeta *frame)
{
  if (frame == NULL)
    return 0;
  return frame->frame_number;
}

void vf_frame_meta_set_frame_number(VfFrameMeta *frame, guint64 frame_number)
{
  if (frame == NULL)
    return;
  frame->frame_number = frame_number;
}

GstClockTime vf_frame_meta_get_pts(const VfFrameMeta *frame)
{
  if (frame == NULL)
    return GST_CLOCK_TIME_NONE;
  return frame->pts;
}

void vf_frame_meta_set_pts(VfFrameMeta *frame, GstClockTime pts)
{
  if (frame == NULL)
    return;
  frame->pts = pts;
}

GstClockTime vf_frame_meta_get_duration(const VfFrameMeta *frame)
{
  if (frame == NULL)
    return GST_CLOCK_TIME_NONE;
  return frame->duration;
}

void vf_frame_meta_set_duration(VfFrameMeta *frame, GstClockTime duration)
{
  if (frame == NULL)
    return;
  frame->duration = duration;
}

GstClockTime vf_frame_meta_get_running_time(const VfFrameMeta *frame)
{
  if (frame == NULL)
    return GST_CLOCK_TIME_NONE;
  return frame->running_time;
}

void vf_frame_meta_set_running_time(VfFrameMeta *frame, GstClockTime running_time)
{
  if (frame == NULL)
    return;
  frame->running_time = running_time;
}

gint64 vf_frame_meta_get_arrival_time(const VfFrameMeta *frame)
{
  if (frame == NULL)
    return 0;
  return frame->arrival_us;
}

void vf_frame_meta_set_arrival_time(VfFrameMeta *frame, gint64 monotonic_us)
{
  if (frame == NULL)
    return;
  frame->arrival_us = monotonic_us;
}

guint vf_frame_meta_get_original_width(const VfFrameMeta *frame)
{
  if (frame == NULL)
    return 0;
  return frame->original_width;
}

guint vf_frame_meta_get_original_height(const VfFrameMeta *frame)
{
  if (frame == NULL)
    return 0;
  return frame->original_height;
}

void vf_frame_meta_set_original_size(VfFrameMeta *frame, guint width, guint height)
{
  if (frame == NULL)
    return;
  frame->original_width = width;
  frame->original_height = height;
}

const char *vf_frame_meta_get_sensor_id(const VfFrameMeta *frame)
{
  if (frame == NULL)
    return NULL;
  return frame->sensor_id;
}

const char *vf_frame_meta_get_sensor_name(const VfFrameMeta *frame)
{
  if (frame == NULL)
    return NULL;
  return frame->sensor_name;
}

void vf_frame_meta_set_sensor(VfFrameMeta *frame, const char *sensor_id, const char *sensor_name)
{
  if (frame == NULL)
    return;
  frame->sensor_id = g_intern_string(sensor_id);
  frame->sensor_name = g_intern_string(sensor_name);
}

const GstVideoInfo *vf_frame_meta_get_video_info(const VfFrameMeta *frame)
{
  if (frame == NULL)
    return NULL;
  return &frame->info;
}

void vf_frame_meta_set_video_info(VfFrameMeta *frame, const GstVideoInfo *info)
{
  if (frame && info)
    frame->info = *info;
}

GstBuffer *vf_frame_meta_get_buffer(const VfFrameMeta *frame)
{
  return frame ? frame->buffer : NULL;
}

void vf_frame_meta_set_buffer(VfFrameMeta *frame, GstBuffer *buffer, const GstVideoInfo *info)
{
  if (frame == NULL)
    return;
  if (buffer)
    gst_buffer_ref(buffer);
  g_mutex_lock(&frame->lock);
  GstBuffer *old = frame->buffer;
  frame->buffer = buffer;
  if (info)
    frame->info = *info;
  g_mutex_unlock(&frame->lock);
  if (old)
    gst_buffer_unref(old); /* may go back to its pool: outside the lock */
}

void vf_frame_meta_set_converted(VfFrameMeta *frame, GstBuffer *buffer, const GstVideoInfo *info,
                                 const VfRect *dest)
{
  if (frame == NULL || info == NULL || dest == NULL)
    return;
  gint w = GST_VIDEO_INFO_WIDTH(&frame->info), h = GST_VIDEO_INFO_HEIGHT(&frame->info);
  if (w > 0 && h > 0)
    vf_frame_meta_scale(frame, info, dest->width / w, dest->height / h, dest->left, dest->top);
  vf_frame_meta_set_buffer(frame, buffer, info);
}

GPtrArray *vf_frame_meta_get_sticky_events(const VfFrameMeta *frame)
{
  return frame ? frame->sticky : NULL;
}

void vf_frame_meta_set_sticky_events(VfFrameMeta *frame, GPtrArray *events)
{
  if (frame == NULL || frame->sticky == events)
    return;
  GPtrArray *old = frame->sticky;
  frame->sticky = events ? g_ptr_array_ref(events) : NULL;
  if (old)
    g_ptr_array_unref(old);
}

static GstEvent *sticky_event(const VfFrameMeta *frame, GstEventType type)
{
  for (guint i = 0; frame && frame->sticky && i < frame->sticky->len; i++) {
    GstEvent *e = g_ptr_array_index(frame->sticky, i);
    if (GST_EVENT_TYPE(e) == type)
      return e;
  }
  return NULL;
}

GstCaps *vf_frame_meta_get_caps(const VfFrameMeta *frame)
{
  GstEvent *e = sticky_event(frame, GST_EVENT_CAPS);
  GstCaps *caps = NULL;
  if (e)
    gst_event_parse_caps(e, &caps);
  return caps;
}

const GstSegment *vf_frame_meta_get_segment(const VfFrameMeta *frame)
{
  GstEvent *e = sticky_event(frame, GST_EVENT_SEGMENT);
  const GstSegment *segment = NULL;
  if (e)
    gst_event_parse_segment(e, &segment);
  return segment;
}

const char *vf_frame_meta_get_stream_id(const VfFrameMeta *frame)
{
  GstEvent *e = sticky_event(frame, GST_EVENT_STREAM_START);
  const gchar *id = NULL;
  if (e)
    gst_event_parse_stream_start(e, &id);
  return id;
}

void vf_frame_meta_get_content_rect(const VfFrameMeta *frame, VfRect *rect)
{
  if (frame == NULL || rect == NULL)
    return;
  *rect = frame->content;
}

void vf_frame_meta_set_content_rect(VfFrameMeta *frame, const VfRect *rect)
{
  if (frame == NULL || rect == NULL)
    return;
  frame->content = *rect;
}

gboolean vf_frame_meta_to_original(const VfFrameMeta *frame, const VfRect *in, VfRect *out)
{
  if (frame == NULL || in == NULL || out == NULL)
    return FALSE;
  const VfRect *c = &frame->content;
  if (c->width <= 0 || c->height <= 0)
    return FALSE;
  gdouble sx = frame->original_width / (gdouble)c->width;
  gdouble sy = frame->original_height / (gdouble)c->height;
  VfRect r = { (gfloat)((in->left - c->left) * sx), (gfloat)((in->top - c->top) * sy),
               (gfloat)(in->width * sx), (gfloat)(in->height * sy) };
  *out = r;
  return TRUE;
}

gboolean vf_frame_meta_from_original(const VfFrameMeta *frame, const VfRect *in, VfRect *out)
{
  if (frame == NULL || in == NULL || out == NULL)
    return FALSE;
  const VfRect *c = &frame->content;
  if (frame->original_width == 0 || frame->original_height == 0)
    return FALSE;
  gdouble sx = c->width / (gdouble)frame->original_width;
  gdouble sy = c->height / (gdouble)frame->original_height;
  VfRect r = { (gfloat)(in->left * sx + c->left), (gfloat)(in->top * sy + c->top),
               (gfloat)(in->width * sx), (gfloat)(in->height * sy) };
  *out = r;
  return TRUE;
}

/* ---- objects ---- */

gboolean vf_frame_meta_add_object(VfFrameMeta *frame, VfObjectMeta *object)
{
  if (frame == NULL || object == NULL)
    return FALSE;
  g_mutex_lock(&frame->lock);
  gboolean present = frame->objects && g_ptr_array_find(frame->objects->objects, object, NULL);
  if (!present)
    vf_object_list_append(private_objects(frame), object);
  g_mutex_unlock(&frame->lock);
  return !present;
}

gboolean vf_frame_meta_remove_object(VfFrameMeta *frame, VfObjectMeta *object)
{
  if (frame == NULL || object == NULL)
    return FALSE;
  g_mutex_lock(&frame->lock);
  guint index;
  VfObjectMeta *removed = NULL;
  if (frame->objects && g_ptr_array_find(frame->objects->objects, object, &index))
    removed = vf_object_list_steal(private_objects(frame), index);
  g_mutex_unlock(&frame->lock);
  /* Unref outside the lock: user meta free functions may run. */
  vf_object_meta_unref(removed);
  return removed != NULL;
}

void vf_frame_meta_clear_objects(VfFrameMeta *frame)
{
  if (frame == NULL)
    return;
  g_mutex_lock(&frame->lock);
  VfObjectList *old = frame->objects;
  frame->objects = NULL;
  g_mutex_unlock(&frame->lock);
  vf_object_list_unref(old);
}

guint vf_frame_meta_get_n_objects(VfFrameMeta *frame)
{
  if (frame == NULL)
    return 0;
  g_mutex_lock(&frame->lock);
  guint n = frame->objects ? frame->objects->objects->len : 0;
  g_mutex_unlock(&frame->lock);
  return n;
}

VfObjectMeta *vf_frame_meta_get_object(VfFrameMeta *frame, guint index)
{
  if (frame == NULL)
    return NULL;
  VfObjectMeta *o = NULL;
  g_mutex_lock(&frame->lock);
  if (frame->objects && index < frame->objects->objects->len)
    o = vf_object_meta_ref(g_ptr_array_index(frame->objects->objects, index));
  g_mutex_unlock(&frame->lock);
  return o;
}

GPtrArray *vf_frame_meta_get_objects(VfFrameMeta *frame)
{
  if (frame == NULL)
    return g_ptr_array_new_with_free_func((GDestroyNotify)vf_object_meta_unref);
  g_mutex_lock(&frame->lock);
  guint n = frame->objects ? frame->objects->objects->len : 0;
  GPtrArray *a = g_ptr_array_new_full(n, (GDestroyNotify)vf_object_meta_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add(a, vf_object_meta_ref(g_ptr_array_index(frame->objects->objects, i)));
  g_mutex_unlock(&frame->lock);
  return a;
}

/* ---- user meta ---- */

void vf_frame_meta_add_user_meta(VfFrameMeta *frame, const char *type, gpointer data,
                                 VfUserMetaCopyFunc copy, GDestroyNotify free)
{
  if (frame == NULL)
    return;
  g_mutex_lock(&frame->lock);
  vf_user_meta_list_add(&frame->user, type, data, copy, free);
  g_mutex_unlock(&frame->lock);
}

gpointer vf_frame_meta_get_user_meta(VfFrameMeta *frame, const char *type)
{
  if (frame == NULL)
    return NULL;
  g_mutex_lock(&frame->lock);
  gpointer data = vf_user_meta_list_get(&frame->user, type);
  g_mutex_unlock(&frame->lock);
  return data;
}

guint vf_frame_meta_get_n_user_meta(VfFrameMeta *frame)
{
  if (frame == NULL)
    return 0;
  g_mutex_lock(&frame->lock);
  guint n = vf_user_meta_list_length(&frame->user);
  g_mutex_unlock(&frame->lock);
  return n;
}

gpointer vf_frame_meta_get_nth_user_meta(VfFrameMeta *frame, guint index, const char **type)
{
  if (frame == NULL) {
    if (type)
      *type = NULL;
    return NULL;
  }
  g_mutex_lock(&frame->lock);
  gpointer data = vf_user_meta_list_nth(&frame->user, index, type);
  g_mutex_unlock(&frame->lock);
  return data;
}

guint vf_frame_meta_remove_user_meta(VfFrameMeta *frame, const char *type)
{
  if (frame == NULL)
    return 0;
  g_mutex_lock(&frame->lock);
  guint n = vf_user_meta_list_remove(&frame->user, type);
  g_mutex_unlock(&frame->lock);
  return n;
}
