/* vidflow: VfBatchMeta, the GstMeta of a batched buffer: its frames, in batch order.
 *
 * Registered with the tags "video" and "size" so that elements that only change the format
 * (videoconvert) keep it, and elements that scale (videoscale) call the scale transform, which
 * scales the boxes of a one-frame batch. */
#include "meta-private.h"

#include <string.h>

static gboolean batch_meta_init(GstMeta *meta, gpointer params, GstBuffer *buffer)
{
  (void)params;
  (void)buffer;
  VfBatchMeta *b = (VfBatchMeta *)meta;
  b->max_frames = 1;
  b->frames = g_ptr_array_new_with_free_func((GDestroyNotify)vf_frame_meta_free);
  g_mutex_init(&b->lock);
  b->user.entries = NULL;
  return TRUE;
}

static void batch_meta_free(GstMeta *meta, GstBuffer *buffer)
{
  (void)buffer;
  VfBatchMeta *b = (VfBatchMeta *)meta;
  g_ptr_array_unref(b->frames);
  vf_user_meta_list_clear(&b->user);
  g_mutex_clear(&b->lock);
}

static VfBatchMeta *add_meta(GstBuffer *buffer)
{
  return (VfBatchMeta *)gst_buffer_add_meta(buffer, vf_batch_meta_get_info(), NULL);
}

static void copy_contents(VfBatchMeta *dst, VfBatchMeta *src)
{
  dst->max_frames = src->max_frames;
  for (guint i = 0; i < src->frames->len; i++)
    g_ptr_array_add(dst->frames, vf_frame_meta_copy(g_ptr_array_index(src->frames, i), i));
  g_mutex_lock(&src->lock);
  vf_user_meta_list_copy_into(&dst->user, &src->user);
  g_mutex_unlock(&src->lock);
}

static gboolean batch_meta_transform(GstBuffer *dest, GstMeta *meta, GstBuffer *buffer, GQuark type,
                                     gpointer data)
{
  VfBatchMeta *src = (VfBatchMeta *)meta;

  if (GST_META_TRANSFORM_IS_COPY(type)) {
    GstMetaTransformCopy *copy = data;
    if (copy->region) {
      /* A part of the buffer: memory indices would not hold any more. The whole buffer is
       * still a copy. */
      gsize size = gst_buffer_get_size(buffer);
      if (copy->offset != 0 || (copy->size != (gsize)-1 && copy->size != size))
        return TRUE;
    }
    if (vf_batch_meta_get(dest) != NULL)
      return TRUE; /* already there (copied twice) */
    VfBatchMeta *dst = add_meta(dest);
    if (dst == NULL)
      return FALSE;
    copy_contents(dst, src);
    return TRUE;
  }

  if (GST_VIDEO_META_TRANSFORM_IS_SCALE(type)) {
    GstVideoMetaTransform *trans = data;
    /* Only a single frame can be scaled as a whole; batches never reach scalers (their caps
     * carry meta:VfBatch). */
    if (src->frames->len != 1)
      return FALSE;
    gint in_w = GST_VIDEO_INFO_WIDTH(trans->in_info), in_h = GST_VIDEO_INFO_HEIGHT(trans->in_info);
    if (in_w <= 0 || in_h <= 0 || vf_batch_meta_get(dest) != NULL)
      return FALSE;
    VfBatchMeta *dst = add_meta(dest);
    if (dst == NULL)
      return FALSE;
    copy_contents(dst, src);
    VfFrameMeta *f = g_ptr_array_index(dst->frames, 0);
    gdouble sx = GST_VIDEO_INFO_WIDTH(trans->out_info) / (gdouble)in_w;
    gdouble sy = GST_VIDEO_INFO_HEIGHT(trans->out_info) / (gdouble)in_h;
    vf_frame_meta_scale(f, trans->out_info, sx, sy);
    f->mem_index = 0;
    f->n_mems = MAX(gst_buffer_n_memory(dest), 1);
    return TRUE;
  }
  return FALSE;
}

GType vf_batch_meta_api_get_type(void)
{
  static GType type = 0;
  static const gchar *tags[] = { GST_META_TAG_VIDEO_STR, GST_META_TAG_VIDEO_SIZE_STR, NULL };
  if (g_once_init_enter(&type)) {
    GType t = gst_meta_api_type_register("VfBatchMetaAPI", tags);
    g_once_init_leave(&type, t);
  }
  return type;
}

const GstMetaInfo *vf_batch_meta_get_info(void)
{
  static const GstMetaInfo *info = NULL;
  if (g_once_init_enter((GstMetaInfo **)&info)) {
    const GstMetaInfo *i
        = gst_meta_register(VF_BATCH_META_API_TYPE, "VfBatchMeta", sizeof(VfBatchMeta),
                            batch_meta_init, batch_meta_free, batch_meta_transform);
    g_once_init_leave((GstMetaInfo **)&info, (GstMetaInfo *)i);
  }
  return info;
}

VfBatchMeta *vf_batch_meta_get(GstBuffer *buffer)
{
  if (!GST_IS_BUFFER(buffer))
    return NULL;
  return (VfBatchMeta *)gst_buffer_get_meta(buffer, VF_BATCH_META_API_TYPE);
}

VfBatchMeta *vf_batch_meta_add(GstBuffer *buffer, guint max_frames)
{
  if (!GST_IS_BUFFER(buffer))
    return NULL;
  VfBatchMeta *b = vf_batch_meta_get(buffer);
  if (b)
    return b;
  if (!gst_buffer_is_writable(buffer))
    return NULL;
  b = add_meta(buffer);
  if (b)
    b->max_frames = MAX(max_frames, 1);
  return b;
}

VfBatchMeta *vf_batch_meta_add_single(GstBuffer *buffer, const GstVideoInfo *info)
{
  if (!GST_IS_BUFFER(buffer) || info == NULL)
    return NULL;
  VfBatchMeta *b = vf_batch_meta_get(buffer);
  if (b)
    return b;
  b = vf_batch_meta_add(buffer, 1);
  if (b == NULL)
    return NULL;
  GstVideoInfo vinfo = *info;
  GstVideoMeta *vmeta = gst_buffer_get_video_meta(buffer);
  if (vmeta) {
    for (guint p = 0; p < vmeta->n_planes && p < GST_VIDEO_MAX_PLANES; p++) {
      GST_VIDEO_INFO_PLANE_OFFSET(&vinfo, p) = vmeta->offset[p];
      GST_VIDEO_INFO_PLANE_STRIDE(&vinfo, p) = vmeta->stride[p];
    }
  }
  VfFrameMeta *f = vf_batch_meta_add_frame(b, &vinfo, 0, MAX(gst_buffer_n_memory(buffer), 1));
  f->pts = GST_BUFFER_PTS(buffer);
  f->duration = GST_BUFFER_DURATION(buffer);
  return b;
}

guint vf_batch_meta_get_n_frames(const VfBatchMeta *meta)
{
  if (meta == NULL)
    return 0;
  return meta->frames->len;
}

guint vf_batch_meta_get_max_frames(const VfBatchMeta *meta)
{
  if (meta == NULL)
    return 0;
  return meta->max_frames;
}

VfFrameMeta *vf_batch_meta_get_frame(VfBatchMeta *meta, guint index)
{
  if (meta == NULL)
    return NULL;
  return index < meta->frames->len ? g_ptr_array_index(meta->frames, index) : NULL;
}

VfFrameMeta *vf_batch_meta_find_frame(VfBatchMeta *meta, guint source_id)
{
  if (meta == NULL)
    return NULL;
  for (guint i = 0; i < meta->frames->len; i++) {
    VfFrameMeta *f = g_ptr_array_index(meta->frames, i);
    if (f->source_id == source_id)
      return f;
  }
  return NULL;
}

VfFrameMeta *vf_batch_meta_add_frame(VfBatchMeta *meta, const GstVideoInfo *info, guint mem_index,
                                     guint n_mems)
{
  if (meta == NULL)
    return NULL;
  VfFrameMeta *f = vf_frame_meta_new(meta->frames->len, info, mem_index, n_mems);
  g_ptr_array_add(meta->frames, f);
  if (meta->frames->len > meta->max_frames)
    meta->max_frames = meta->frames->len;
  return f;
}

VfFrameMeta *vf_batch_meta_add_frame_copy(VfBatchMeta *meta, const VfFrameMeta *src,
                                          const GstVideoInfo *info, guint mem_index, guint n_mems)
{
  if (meta == NULL || src == NULL)
    return NULL;
  VfFrameMeta *f = vf_frame_meta_copy(src, meta->frames->len);
  vf_frame_meta_set_memory_range(f, info, mem_index, n_mems);
  g_ptr_array_add(meta->frames, f);
  if (meta->frames->len > meta->max_frames)
    meta->max_frames = meta->frames->len;
  return f;
}

void vf_batch_meta_add_user_meta(VfBatchMeta *meta, const char *type, gpointer data,
                                 VfUserMetaCopyFunc copy, GDestroyNotify free)
{
  if (meta == NULL)
    return;
  g_mutex_lock(&meta->lock);
  vf_user_meta_list_add(&meta->user, type, data, copy, free);
  g_mutex_unlock(&meta->lock);
}

gpointer vf_batch_meta_get_user_meta(VfBatchMeta *meta, const char *type)
{
  if (meta == NULL)
    return NULL;
  g_mutex_lock(&meta->lock);
  gpointer data = vf_user_meta_list_get(&meta->user, type);
  g_mutex_unlock(&meta->lock);
  return data;
}

guint vf_batch_meta_remove_user_meta(VfBatchMeta *meta, const char *type)
{
  if (meta == NULL)
    return 0;
  g_mutex_lock(&meta->lock);
  guint n = vf_user_meta_list_remove(&meta->user, type);
  g_mutex_unlock(&meta->lock);
  return n;
}
