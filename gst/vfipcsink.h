/* vfipcsink: frames and their metadata to other processes over shared memory (ipc.h). */
#pragma once

#include <gst/base/gstbasesink.h>

G_BEGIN_DECLS

#define VF_TYPE_IPC_SINK (vf_ipc_sink_get_type())
G_DECLARE_FINAL_TYPE(VfIpcSink, vf_ipc_sink, VF, IPC_SINK, GstBaseSink)

GST_ELEMENT_REGISTER_DECLARE(vfipcsink);

G_END_DECLS
