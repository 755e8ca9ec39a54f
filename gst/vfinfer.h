/* vidflow plugin: vfinfer, runs a model on frames (or on the objects in them) and attaches the
 * results as object metadata (include/vidflow/meta.h); the nvinfer equivalent. Its GType is
 * "VfInfer"; the C struct is VfInferElement because the core's VfInferClass (a class result)
 * takes the name G_DECLARE_FINAL_TYPE would give its class struct.
 *
 * User meta vfinfer attaches (meta.h's user meta, data a VfTensor reference, include/vidflow/
 * tensor.h; copies of the buffer share the tensor):
 * - VF_INFER_KEYPOINTS_META on an object, when the parser gives keypoints (blazeface with
 *   keypoints: true): float32 [n, 2], (x, y) in the frame's pixels as stored.
 * - "vf-tensor/<unique-id>/<output name>" with output-tensor-meta=true: the raw model output of
 *   that frame (primary mode: on the frame) or of that object's crop (secondary mode: on the
 *   object), the batch dimension kept as 1, e.g. float32 [1, 1917, 24]. */
#pragma once

#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

#define VF_INFER_KEYPOINTS_META "vf-keypoints"
#define VF_INFER_TENSOR_META_PREFIX "vf-tensor/"

#define VF_TYPE_INFER_ELEMENT (vf_infer_element_get_type())
G_DECLARE_FINAL_TYPE(VfInferElement, vf_infer_element, VF, INFER_ELEMENT, GstBaseTransform)

GST_ELEMENT_REGISTER_DECLARE(vfinfer);

G_END_DECLS
