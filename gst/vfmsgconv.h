/* vfmsgconv: frame and object metadata into message payloads (nvmsgconv's equivalent). */
#pragma once

#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define VF_TYPE_MSGCONV (vf_msgconv_element_get_type())
G_DECLARE_FINAL_TYPE(VfMsgConvElement, vf_msgconv_element, VF, MSGCONV_ELEMENT, GstBaseTransform)

GST_ELEMENT_REGISTER_DECLARE(vfmsgconv);

G_END_DECLS
