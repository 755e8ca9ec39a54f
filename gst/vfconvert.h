/* vidflow plugin: vfconvert, converts and scales every frame of a batch (or plain video);
 * DeepStream's nvvideoconvert. */
#pragma once

#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define VF_TYPE_CONVERT (vf_convert_get_type())
G_DECLARE_FINAL_TYPE(VfConvert, vf_convert, VF, CONVERT, GstBaseTransform)

GST_ELEMENT_REGISTER_DECLARE(vfconvert);

G_END_DECLS
