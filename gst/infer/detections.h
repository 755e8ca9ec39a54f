/* vidflow infer: what parsers produce for one frame: detections or class results.
 *
 * Plain C values (no GStreamer): the element turns them into object / classifier metadata.
 * Boxes are in model-input pixels while a parser works, in frame pixels once
 * vf_detections_to_frame mapped them back. */
#pragma once

#include <glib.h>

#include "preprocess.h"

G_BEGIN_DECLS

#define VF_INFER_MAX_KEYPOINTS 17

typedef struct {
  gint class_id;
  gfloat confidence;
  gfloat left, top, width, height;
  const char *label; /* (transfer none, nullable) the config's label */
  guint n_keypoints;
  gfloat keypoints[VF_INFER_MAX_KEYPOINTS][2]; /* x, y in the same coordinates as the box */
} VfDetection;

typedef struct {
  gint class_id;
  gfloat confidence;
  const char *label; /* (transfer none, nullable) */
} VfInferClass;

/* The results of one frame (or crop). Initialise with vf_infer_result_init, release with
 * vf_infer_result_clear. */
typedef struct {
  GArray *detections;      /* VfDetection, best first */
  GArray *classifications; /* VfInferClass, best first */
  GPtrArray *tensors;      /* (nullable) VfInferTensor* copies of this frame's raw outputs, when
                              output-tensor-meta is set; each owns its data (g_free) */
} VfInferResult;

void vf_infer_result_init(VfInferResult *result);
void vf_infer_result_clear(VfInferResult *result);
/* Empty the lists, keep the storage. */
void vf_infer_result_reset(VfInferResult *result);

/* Intersection over union of two boxes (left, top, width, height). */
gfloat vf_detection_iou(const VfDetection *a, const VfDetection *b);
/* Sort by confidence (best first), suppress boxes overlapping a better one of the same class
 * (any class when per_class is FALSE) by more than iou (>= 1: no suppression), keep top_k. */
void vf_detections_nms(GArray *detections, gfloat iou, gint top_k, gboolean per_class);
/* Map boxes and keypoints from model pixels to frame pixels, clip them to the frame
 * (frame_width x frame_height) and drop boxes left empty. */
void vf_detections_to_frame(GArray *detections, const VfPreprocessTransform *transform,
                            guint frame_width, guint frame_height);

G_END_DECLS
