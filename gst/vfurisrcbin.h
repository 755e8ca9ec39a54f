/* vfurisrcbin: one decoded video stream from a URI (file://, rtsp://, http(s)://), with file
 * looping and RTSP reconnection (nvurisrcbin's equivalent). */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define VF_TYPE_URI_SRC_BIN (vf_uri_src_bin_get_type())
G_DECLARE_FINAL_TYPE(VfUriSrcBin, vf_uri_src_bin, VF, URI_SRC_BIN, GstBin)

GST_ELEMENT_REGISTER_DECLARE(vfurisrcbin);

G_END_DECLS
