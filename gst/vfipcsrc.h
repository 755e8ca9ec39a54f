/* vfipcsrc: frames and their metadata from a vfipcsink in another process (ipc.h). */
#pragma once

#include <gst/base/gstpushsrc.h>

G_BEGIN_DECLS

#define VF_TYPE_IPC_SRC (vf_ipc_src_get_type())
G_DECLARE_FINAL_TYPE(VfIpcSrc, vf_ipc_src, VF, IPC_SRC, GstPushSrc)

GST_ELEMENT_REGISTER_DECLARE(vfipcsrc);

G_END_DECLS
