/* vidflow: colour formats of frames (the seed's ColorFormat) and their GStreamer names. */
#pragma once

#include <gst/video/video.h>
#include <vidflow/export.h>

G_BEGIN_DECLS

typedef enum {
  VF_COLOR_FORMAT_UNKNOWN = 0,
  VF_COLOR_FORMAT_RGB,   /* packed 24-bit */
  VF_COLOR_FORMAT_RGBA,  /* packed 32-bit */
  VF_COLOR_FORMAT_BGR,   /* packed 24-bit */
  VF_COLOR_FORMAT_BGRA,  /* packed 32-bit */
  VF_COLOR_FORMAT_GRAY8, /* one 8-bit plane ("GRAY" in the seeds) */
  VF_COLOR_FORMAT_NV12,  /* Y plane + interleaved UV plane, 4:2:0 */
  VF_COLOR_FORMAT_I420,  /* Y, U, V planes, 4:2:0 */
  VF_COLOR_FORMAT_JPEG,  /* encoded: one JPEG image per buffer */
  VF_COLOR_FORMAT_H264,  /* encoded: H.264 byte-stream, one access unit per buffer */
} VfColorFormat;

/* "RGB", "NV12", ... (never NULL). */
VF_API const char *vf_color_format_to_string(VfColorFormat format);
/* Case-insensitive; accepts "GRAY" for GRAY8. UNKNOWN when the name is not known. */
VF_API VfColorFormat vf_color_format_from_string(const char *name);
/* GST_VIDEO_FORMAT_UNKNOWN for encoded formats. */
VF_API GstVideoFormat vf_color_format_to_video_format(VfColorFormat format);
VF_API VfColorFormat vf_color_format_from_video_format(GstVideoFormat format);
/* TRUE for JPEG and H264. */
VF_API gboolean vf_color_format_is_encoded(VfColorFormat format);
/* Bytes per pixel of a packed format (3 for RGB), 1 for GRAY8, 0 for planar or encoded formats. */
VF_API guint vf_color_format_pixel_stride(VfColorFormat format);

/* Caps for frames of this format (transfer full). fps_n may be 0 (unknown/still images). */
VF_API GstCaps *vf_color_format_to_caps(VfColorFormat format, guint width, guint height, gint fps_n,
                                        gint fps_d);
/* The colour format of caps (raw video, image/jpeg or video/x-h264), or UNKNOWN. */
VF_API VfColorFormat vf_color_format_from_caps(const GstCaps *caps);

G_END_DECLS
