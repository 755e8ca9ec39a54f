/* vftiler: the frames of a batch composed into one tiled picture (nvmultistreamtiler's
 * equivalent). */
#pragma once

#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define VF_TYPE_TILER (vf_tiler_get_type())
G_DECLARE_FINAL_TYPE(VfTiler, vf_tiler, VF, TILER, GstBaseTransform)

GST_ELEMENT_REGISTER_DECLARE(vftiler);

G_END_DECLS
