/* vidflow: VfBatchMeta, the GstMeta of a batched buffer: its frames, in batch order.
 *
 * A copy of the buffer (gst_buffer_copy, make_writable) shares the frame list (O(1)); the first
 * vf_batch_meta_get_frame() on a writable buffer whose list or frame is shared replaces them with
 * copies of its own (meta-private.h, meta.h "Copies and writers").
 *
 * Registered with the tags "video" and "size" so that elements that only change the format
 * (videoconvert) keep it, and elements that scale (videoscale) call the scale transform, which
 * scales the boxes of a one-frame batch. */
#include "meta-private.h"

#include <vidflow/frame-map.h>

/* ---- frame lists ---- */

static VfFrameList *frame_list_new(void)
{
  VfFrameList *l = g_new(VfFrameList, 1);
  l->refcount = 1;
  l->frames = g_ptr_array_new_with_free_func((GDestroyNotify)vf_frame_meta_unref);
  return l;
}

static VfFrameList *frame_list_ref(VfFrameList *list)
{
  g_atomic_int_inc(&list->refcount);
  return list;
}

static void frame_list_unref(VfFrameList *list)
{
  if (list == NULL || !g_atomic_int_dec_and_test(&list->refcount))
    return;
  g_ptr_array_unref(list->frames);
  g_free(list);
}

/* Copy-on-write: the meta's frame list, private to it (the same frames, referenced). Batch lock
 * held. */
static GPtrArray *private_frames(VfBatchMeta *b)
{
  VfFrameList *l = b->frames;
  if (g_atomic_int_get(&l->refcount) == 1)
    return l->frames;
  VfFrameList *c = frame_list_new();
  for (guint i = 0; i < l->frames->len; i++)
    g_ptr_array_add(c->frames, vf_frame_meta_ref(g_ptr_array_index(l->frames, i)));
  b->frames = c;
  frame_list_unref(l);
  return c->frames;
}

/* Frame i of a writable buffer's meta, private to it. Batch lock held. */
static VfFrameMeta *private_frame(VfBatchMeta *b, guint index)
{
  GPtrArray *frames = private_frames(b);
  VfFrameMeta *f = g_ptr_array_index(frames, index);
  if (g_atomic_int_get(&f->refcount) == 1)
    return f;
  VfFrameMeta *c = vf_frame_meta_copy(f, index);
  frames->pdata[index] = c;
  vf_frame_meta_unref(f);
  return c;
}

/* ---- the GstMeta ---- */

static gboolean batch_meta_init(GstMeta *meta, gpointer params, GstBuffer *buffer)
{
  (void)params;
  VfBatchMeta *b = (VfBatchMeta *)meta;
  b->buffer = buffer;
  b->max_frames = 1;
  b->frames = frame_list_new();
  g_mutex_init(&b->lock);
  b->user.entries = NULL;
  return TRUE;
}

static void batch_meta_free(GstMeta *meta, GstBuffer *buffer)
{
  (void)buffer;
  VfBatchMeta *b = (VfBatchMeta *)meta;
  frame_list_unref(b->frames);
  vf_user_meta_list_clear(&b->user);
  g_mutex_clear(&b->lock);
}

static VfBatchMeta *add_meta(GstBuffer *buffer)
{
  return (VfBatchMeta *)gst_buffer_add_meta(buffer, vf_batch_meta_get_info(), NULL);
}

static gboolean batch_meta_transform(GstBuffer *dest, GstMeta *meta, GstBuffer *buffer, GQuark type,
                                     gpointer data)
{
  VfBatchMeta *src = (VfBatchMeta *)meta;

  if (GST_META_TRANSFORM_IS_COPY(type)) {
    GstMetaTransformCopy *copy = data;
    if (copy->region) {
      /* A part of a frame's pixels (the carrying buffer of a single frame): the metadata does not
       * describe it. The whole buffer is still a copy. */
      gsize size = gst_buffer_get_size(buffer);
      if (copy->offset != 0 || (copy->size != (gsize)-1 && copy->size != size))
        return TRUE;
    }
    if (vf_batch_meta_get(dest) != NULL)
      return TRUE; /* already there (copied twice) */
    VfBatchMeta *dst = add_meta(dest);
    if (dst == NULL)
      return FALSE;
    g_mutex_lock(&src->lock);
    dst->max_frames = src->max_frames;
    frame_list_unref(dst->frames);
    dst->frames = frame_list_ref(src->frames); /* shared: O(1) */
    vf_user_meta_list_copy_into(&dst->user, &src->user);
    g_mutex_unlock(&src->lock);
    return TRUE;
  }

  if (GST_VIDEO_META_TRANSFORM_IS_SCALE(type)) {
    GstVideoMetaTransform *trans = data;
    gint in_w = GST_VIDEO_INFO_WIDTH(trans->in_info), in_h = GST_VIDEO_INFO_HEIGHT(trans->in_info);
    if (in_w <= 0 || in_h <= 0 || vf_batch_meta_get(dest) != NULL)
      return FALSE;
    g_mutex_lock(&src->lock);
    /* Only a frame that is the buffer can be scaled with it; batches never reach scalers (their
     * caps carry meta:VfBatch). */
    VfFrameMeta *f
        = src->frames->frames->len == 1 ? g_ptr_array_index(src->frames->frames, 0) : NULL;
    f = f && f->buffer == NULL ? vf_frame_meta_copy(f, 0) : NULL;
    guint max_frames = src->max_frames;
    VfUserMetaList user = { NULL };
    vf_user_meta_list_copy_into(&user, &src->user);
    g_mutex_unlock(&src->lock);
    VfBatchMeta *dst = f ? add_meta(dest) : NULL;
    if (dst == NULL) {
      vf_frame_meta_unref(f);
      vf_user_meta_list_clear(&user);
      return FALSE;
    }
    dst->max_frames = max_frames;
    dst->user = user;
    vf_frame_meta_scale(f, trans->out_info, GST_VIDEO_INFO_WIDTH(trans->out_info) / (gdouble)in_w,
                        GST_VIDEO_INFO_HEIGHT(trans->out_info) / (gdouble)in_h, 0, 0);
    g_ptr_array_add(dst->frames->frames, f);
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
  GstVideoInfo layout;
  vf_frame_layout(info, buffer, &layout);
  VfFrameMeta *f = vf_batch_meta_add_frame(b, NULL, &layout);
  f->pts = GST_BUFFER_PTS(buffer);
  f->duration = GST_BUFFER_DURATION(buffer);
  return b;
}

GstBuffer *vf_batch_meta_get_buffer(const VfBatchMeta *meta)
{
  return meta ? meta->buffer : NULL;
}

guint vf_batch_meta_get_n_frames(const VfBatchMeta *meta)
{
  if (meta == NULL)
    return 0;
  VfBatchMeta *b = (VfBatchMeta *)meta; /* the lock is not part of the value */
  g_mutex_lock(&b->lock);
  guint n = b->frames->frames->len;
  g_mutex_unlock(&b->lock);
  return n;
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
  VfFrameMeta *f = NULL;
  g_mutex_lock(&meta->lock);
  if (index < meta->frames->frames->len)
    f = gst_buffer_is_writable(meta->buffer) ? private_frame(meta, index)
                                             : g_ptr_array_index(meta->frames->frames, index);
  g_mutex_unlock(&meta->lock);
  return f;
}

VfFrameMeta *vf_batch_meta_find_frame(VfBatchMeta *meta, guint source_id)
{
  if (meta == NULL)
    return NULL;
  guint index = G_MAXUINT;
  g_mutex_lock(&meta->lock);
  for (guint i = 0; i < meta->frames->frames->len && index == G_MAXUINT; i++)
    if (((VfFrameMeta *)g_ptr_array_index(meta->frames->frames, i))->source_id == source_id)
      index = i;
  g_mutex_unlock(&meta->lock);
  return index == G_MAXUINT ? NULL : vf_batch_meta_get_frame(meta, index);
}

/* Append `f` (transfer full) to a meta on a writable buffer. */
static VfFrameMeta *append(VfBatchMeta *meta, VfFrameMeta *f)
{
  g_mutex_lock(&meta->lock);
  GPtrArray *frames = private_frames(meta);
  f->batch_index = frames->len;
  g_ptr_array_add(frames, f);
  if (frames->len > meta->max_frames)
    meta->max_frames = frames->len;
  g_mutex_unlock(&meta->lock);
  return f;
}

VfFrameMeta *vf_batch_meta_add_frame(VfBatchMeta *meta, GstBuffer *buffer, const GstVideoInfo *info)
{
  if (meta == NULL || info == NULL || !gst_buffer_is_writable(meta->buffer))
    return NULL;
  return append(meta, vf_frame_meta_new(0, buffer, info));
}

VfFrameMeta *vf_batch_meta_add_frame_copy(VfBatchMeta *meta, const VfFrameMeta *src,
                                          GstBuffer *buffer, const GstVideoInfo *info)
{
  if (meta == NULL || src == NULL || !gst_buffer_is_writable(meta->buffer))
    return NULL;
  VfFrameMeta *f = vf_frame_meta_copy((VfFrameMeta *)src, 0);
  gst_clear_buffer(&f->buffer);
  f->buffer = buffer ? gst_buffer_ref(buffer) : NULL;
  if (info)
    f->info = *info;
  return append(meta, f);
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
