/* vidflow plugin: vfosd, draws each frame's objects and display metadata onto the frame; the
 * nvdsosd equivalent. */
#pragma once

#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

#define VF_TYPE_OSD (vf_osd_get_type())
G_DECLARE_FINAL_TYPE(VfOsd, vf_osd, VF, OSD, GstBaseTransform)

GST_ELEMENT_REGISTER_DECLARE(vfosd);

G_END_DECLS
