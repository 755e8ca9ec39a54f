/* vidflow plugin: helpers shared by vfmux and vfdemux. */
#include "batch-common.h"

#include <string.h>
#include <vidflow/meta.h>

typedef struct {
  GstMiniObjectDisposeFunction dispose; /* the buffer's own */
  GPtrArray *held;                      /* GstBuffer refs */
} Hold;

static GQuark hold_quark(void)
{
  static gsize q = 0;
  if (g_once_init_enter(&q))
    g_once_init_leave(&q, g_quark_from_static_string("vf-buffer-hold"));
  return (GQuark)q;
}

static void hold_free(gpointer data)
{
  Hold *h = data;
  g_ptr_array_unref(h->held);
  g_free(h);
}

/* Runs when the last reference goes: drop the memories first, then the held buffers. */
static gboolean hold_dispose(GstMiniObject *obj)
{
  Hold *h = gst_mini_object_steal_qdata(obj, hold_quark());
  if (h == NULL)
    return TRUE; /* cannot happen: the hook is only set with a hold */
  obj->dispose = h->dispose;
  /* Resurrect (0 -> 1) to own the buffer while it is changed, then let it go for good: the
   * inner unref disposes with the buffer's own function and frees it. */
  GstBuffer *buffer = gst_buffer_ref(GST_BUFFER_CAST(obj));
  gst_buffer_remove_all_memory(buffer);
  gst_buffer_unref(buffer);
  hold_free(h);
  return FALSE; /* already freed above */
}

void vf_gst_buffer_hold(GstBuffer *buffer, GstBuffer *held)
{
  GstMiniObject *obj = GST_MINI_OBJECT_CAST(buffer);
  Hold *h = gst_mini_object_get_qdata(obj, hold_quark());
  if (h == NULL) {
    h = g_new0(Hold, 1);
    h->held = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);
    h->dispose = obj->dispose;
    /* The destroy notify only runs if the hook never did (it frees the buffer itself). */
    gst_mini_object_set_qdata(obj, hold_quark(), h, hold_free);
    obj->dispose = hold_dispose;
  }
  g_ptr_array_add(h->held, held);
}

gboolean vf_gst_buffer_has_cuda_memory(GstBuffer *buffer, guint first, guint n)
{
  guint len = gst_buffer_n_memory(buffer);
  for (guint i = first; i < first + n && i < len; i++)
    if (gst_memory_is_type(gst_buffer_peek_memory(buffer, i), VF_MEMORY_TYPE_CUDA))
      return TRUE;
  return FALSE;
}

gboolean vf_gst_caps_is_cuda(const GstCaps *caps)
{
  if (caps == NULL || gst_caps_get_size(caps) == 0)
    return FALSE;
  GstCapsFeatures *f = gst_caps_get_features(caps, 0);
  return f && gst_caps_features_contains(f, VF_CAPS_FEATURE_MEMORY_CUDA);
}

void vf_gst_video_frame_view(GstVideoFrame *frame, const GstVideoInfo *info, guint8 *base)
{
  memset(frame, 0, sizeof *frame);
  frame->info = *info;
  for (guint p = 0; p < GST_VIDEO_INFO_N_PLANES(info); p++)
    frame->data[p] = base + GST_VIDEO_INFO_PLANE_OFFSET(info, p);
}
