/* vidflow: VfFrameMeta, one frame of a batch: where it came from, where it lives in the buffer,
 * and its objects, display meta and user meta. */
#include "meta-private.h"

VfFrameMeta *vf_frame_meta_new(guint batch_index, const GstVideoInfo *info, guint mem_index,
                               guint n_mems)
{
  VfFrameMeta *f = g_new0(VfFrameMeta, 1);
  f->batch_index = batch_index;
  f->pts = f->duration = f->running_time = GST_CLOCK_TIME_NONE;
  if (info)
    f->info = *info;
  else
    gst_video_info_init(&f->info);
  f->mem_index = mem_index;
  f->n_mems = n_mems;
  f->original_width = (guint)GST_VIDEO_INFO_WIDTH(&f->info);
  f->original_height = (guint)GST_VIDEO_INFO_HEIGHT(&f->info);
  f->content = (VfRect){ 0, 0, (gfloat)GST_VIDEO_INFO_WIDTH(&f->info),
                         (gfloat)GST_VIDEO_INFO_HEIGHT(&f->info) };
  g_mutex_init(&f->lock);
  f->objects = g_ptr_array_new_with_free_func((GDestroyNotify)vf_object_meta_unref);
  return f;
}

VfFrameMeta *vf_frame_meta_copy(const VfFrameMeta *src, guint batch_index)
{
  VfFrameMeta *s = (VfFrameMeta *)src; /* the lock is not part of the value */
  VfFrameMeta *f = vf_frame_meta_new(batch_index, &src->info, src->mem_index, src->n_mems);
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
  f->content = src->content;

  g_mutex_lock(&s->lock);
  guint n = s->objects->len;
  /* Copy the objects; a parent inside the same frame becomes the parent's copy. */
  GHashTable *map = n > 1 ? g_hash_table_new(NULL, NULL) : NULL;
  for (guint i = 0; i < n; i++) {
    VfObjectMeta *o = g_ptr_array_index(s->objects, i);
    VfObjectMeta *c = vf_object_meta_copy(o);
    g_ptr_array_add(f->objects, c);
    if (map)
      g_hash_table_insert(map, o, c);
  }
  if (map) {
    for (guint i = 0; i < n; i++) {
      VfObjectMeta *c = g_ptr_array_index(f->objects, i);
      VfObjectMeta *parent_copy = c->parent ? g_hash_table_lookup(map, c->parent) : NULL;
      if (parent_copy)
        vf_object_meta_set_parent(c, parent_copy);
    }
    g_hash_table_unref(map);
  }
  if (s->display)
    f->display = vf_display_list_copy(s->display);
  vf_user_meta_list_copy_into(&f->user, &s->user);
  g_mutex_unlock(&s->lock);
  return f;
}

void vf_frame_meta_free(VfFrameMeta *frame)
{
  if (frame == NULL)
    return;
  g_ptr_array_unref(frame->objects);
  if (frame->display)
    g_array_free(frame->display, TRUE);
  vf_user_meta_list_clear(&frame->user);
  g_mutex_clear(&frame->lock);
  g_free(frame);
}

void vf_frame_meta_scale(VfFrameMeta *frame, const GstVideoInfo *out_info, gdouble sx, gdouble sy)
{
  g_mutex_lock(&frame->lock);
  for (guint i = 0; i < frame->objects->len; i++)
    vf_object_meta_scale(g_ptr_array_index(frame->objects, i), sx, sy);
  vf_display_list_scale(frame->display, sx, sy);
  g_mutex_unlock(&frame->lock);
  frame->content.left = (gfloat)(frame->content.left * sx);
  frame->content.top = (gfloat)(frame->content.top * sy);
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

void vf_frame_meta_get_memory_range(const VfFrameMeta *frame, guint *mem_index, guint *n_mems)
{
  if (mem_index)
    *mem_index = frame ? frame->mem_index : 0;
  if (n_mems)
    *n_mems = frame ? frame->n_mems : 0;
}

void vf_frame_meta_set_memory_range(VfFrameMeta *frame, const GstVideoInfo *info, guint mem_index,
                                    guint n_mems)
{
  if (frame == NULL)
    return;
  if (info)
    frame->info = *info;
  frame->mem_index = mem_index;
  frame->n_mems = n_mems;
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
  gboolean present = g_ptr_array_find(frame->objects, object, NULL);
  if (!present)
    g_ptr_array_add(frame->objects, vf_object_meta_ref(object));
  g_mutex_unlock(&frame->lock);
  return !present;
}

gboolean vf_frame_meta_remove_object(VfFrameMeta *frame, VfObjectMeta *object)
{
  if (frame == NULL)
    return FALSE;
  g_mutex_lock(&frame->lock);
  guint index;
  VfObjectMeta *removed = NULL;
  if (object && g_ptr_array_find(frame->objects, object, &index))
    removed = g_ptr_array_steal_index(frame->objects, index);
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
  GPtrArray *old = frame->objects;
  frame->objects = g_ptr_array_new_with_free_func((GDestroyNotify)vf_object_meta_unref);
  g_mutex_unlock(&frame->lock);
  g_ptr_array_unref(old);
}

guint vf_frame_meta_get_n_objects(VfFrameMeta *frame)
{
  if (frame == NULL)
    return 0;
  g_mutex_lock(&frame->lock);
  guint n = frame->objects->len;
  g_mutex_unlock(&frame->lock);
  return n;
}

VfObjectMeta *vf_frame_meta_get_object(VfFrameMeta *frame, guint index)
{
  if (frame == NULL)
    return NULL;
  VfObjectMeta *o = NULL;
  g_mutex_lock(&frame->lock);
  if (index < frame->objects->len)
    o = vf_object_meta_ref(g_ptr_array_index(frame->objects, index));
  g_mutex_unlock(&frame->lock);
  return o;
}

GPtrArray *vf_frame_meta_get_objects(VfFrameMeta *frame)
{
  if (frame == NULL)
    return g_ptr_array_new_with_free_func((GDestroyNotify)vf_object_meta_unref);
  g_mutex_lock(&frame->lock);
  GPtrArray *a = g_ptr_array_new_full(frame->objects->len, (GDestroyNotify)vf_object_meta_unref);
  for (guint i = 0; i < frame->objects->len; i++)
    g_ptr_array_add(a, vf_object_meta_ref(g_ptr_array_index(frame->objects, i)));
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
