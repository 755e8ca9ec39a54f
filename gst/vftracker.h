/* vidflow plugin: vftracker, gives the objects of each source an identity over time (object ids,
 * tracker boxes); the nvtracker equivalent. What it writes: include/vidflow/tracker.h. */
#pragma once

#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

#define VF_TYPE_TRACKER (vf_tracker_element_get_type())
G_DECLARE_FINAL_TYPE(VfTrackerElement, vf_tracker_element, VF, TRACKER, GstBaseTransform)

GST_ELEMENT_REGISTER_DECLARE(vftracker);

G_END_DECLS
