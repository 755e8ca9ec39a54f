/* vfmsgbroker: message payloads to a broker through a protocol adapter, at least once
 * (nvmsgbroker's equivalent). */
#pragma once

#include <gst/base/gstbasesink.h>

G_BEGIN_DECLS

#define VF_TYPE_MSGBROKER (vf_msgbroker_get_type())
G_DECLARE_FINAL_TYPE(VfMsgBroker, vf_msgbroker, VF, MSGBROKER, GstBaseSink)

GST_ELEMENT_REGISTER_DECLARE(vfmsgbroker);

G_END_DECLS
