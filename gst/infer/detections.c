/* vidflow infer: detection lists, NMS and the mapping back to frame pixels. */
#include "detections.h"

#include "backend.h"

static void tensor_free(gpointer p)
{
  VfInferTensor *t = p;
  g_free(t->data);
  g_free(t);
}

void vf_infer_result_init(VfInferResult *r)
{
  r->detections = g_array_new(FALSE, FALSE, sizeof(VfDetection));
  r->classifications = g_array_new(FALSE, FALSE, sizeof(VfInferClass));
  r->tensors = g_ptr_array_new_with_free_func(tensor_free);
}

void vf_infer_result_reset(VfInferResult *r)
{
  g_array_set_size(r->detections, 0);
  g_array_set_size(r->classifications, 0);
  g_ptr_array_set_size(r->tensors, 0);
}

void vf_infer_result_clear(VfInferResult *r)
{
  g_clear_pointer(&r->detections, g_array_unref);
  g_clear_pointer(&r->classifications, g_array_unref);
  g_clear_pointer(&r->tensors, g_ptr_array_unref);
}

gfloat vf_detection_iou(const VfDetection *a, const VfDetection *b)
{
  gfloat x0 = MAX(a->left, b->left), y0 = MAX(a->top, b->top);
  gfloat x1 = MIN(a->left + a->width, b->left + b->width);
  gfloat y1 = MIN(a->top + a->height, b->top + b->height);
  gfloat inter = MAX(x1 - x0, 0.f) * MAX(y1 - y0, 0.f);
  gfloat uni = a->width * a->height + b->width * b->height - inter;
  return uni > 0.f ? inter / uni : 0.f;
}

static gint by_confidence(gconstpointer pa, gconstpointer pb)
{
  const VfDetection *a = pa, *b = pb;
  return a->confidence < b->confidence ? 1 : a->confidence > b->confidence ? -1 : 0;
}

void vf_detections_nms(GArray *dets, gfloat iou, gint top_k, gboolean per_class)
{
  g_array_sort(dets, by_confidence);
  VfDetection *d = (VfDetection *)dets->data;
  guint kept = 0;
  /* greedy: a box survives unless a better kept box overlaps it too much */
  for (guint i = 0; i < dets->len && (top_k <= 0 || kept < (guint)top_k); i++) {
    gboolean keep = TRUE;
    for (guint j = 0; iou < 1.f && keep && j < kept; j++)
      if ((!per_class || d[j].class_id == d[i].class_id) && vf_detection_iou(&d[j], &d[i]) > iou)
        keep = FALSE;
    if (keep)
      d[kept++] = d[i];
  }
  g_array_set_size(dets, kept);
}

void vf_detections_to_frame(GArray *dets, const VfPreprocessTransform *t, guint fw, guint fh)
{
  guint out = 0;
  for (guint i = 0; i < dets->len; i++) {
    VfDetection d = g_array_index(dets, VfDetection, i);
    gdouble x0, y0, x1, y1;
    vf_preprocess_transform_to_frame(t, d.left, d.top, &x0, &y0);
    vf_preprocess_transform_to_frame(t, d.left + d.width, d.top + d.height, &x1, &y1);
    x0 = CLAMP(x0, 0.0, (gdouble)fw);
    x1 = CLAMP(x1, 0.0, (gdouble)fw);
    y0 = CLAMP(y0, 0.0, (gdouble)fh);
    y1 = CLAMP(y1, 0.0, (gdouble)fh);
    if (!(x1 - x0 > 0.0 && y1 - y0 > 0.0)) /* also drops NaN */
      continue;
    d.left = (gfloat)x0;
    d.top = (gfloat)y0;
    d.width = (gfloat)(x1 - x0);
    d.height = (gfloat)(y1 - y0);
    for (guint k = 0; k < d.n_keypoints; k++) {
      gdouble kx, ky;
      vf_preprocess_transform_to_frame(t, d.keypoints[k][0], d.keypoints[k][1], &kx, &ky);
      d.keypoints[k][0] = (gfloat)kx;
      d.keypoints[k][1] = (gfloat)ky;
    }
    g_array_index(dets, VfDetection, out++) = d;
  }
  g_array_set_size(dets, out);
}
