/* vidflow: colour formats <-> GStreamer video formats and caps. */
#include <vidflow/format.h>

typedef struct {
  VfColorFormat format;
  const char *name;
  GstVideoFormat video_format;
  guint pixel_stride;
} FormatEntry;

static const FormatEntry formats[] = {
  { VF_COLOR_FORMAT_UNKNOWN, "UNKNOWN", GST_VIDEO_FORMAT_UNKNOWN, 0 },
  { VF_COLOR_FORMAT_RGB, "RGB", GST_VIDEO_FORMAT_RGB, 3 },
  { VF_COLOR_FORMAT_RGBA, "RGBA", GST_VIDEO_FORMAT_RGBA, 4 },
  { VF_COLOR_FORMAT_BGR, "BGR", GST_VIDEO_FORMAT_BGR, 3 },
  { VF_COLOR_FORMAT_BGRA, "BGRA", GST_VIDEO_FORMAT_BGRA, 4 },
  { VF_COLOR_FORMAT_GRAY8, "GRAY8", GST_VIDEO_FORMAT_GRAY8, 1 },
  { VF_COLOR_FORMAT_NV12, "NV12", GST_VIDEO_FORMAT_NV12, 0 },
  { VF_COLOR_FORMAT_I420, "I420", GST_VIDEO_FORMAT_I420, 0 },
  { VF_COLOR_FORMAT_JPEG, "JPEG", GST_VIDEO_FORMAT_UNKNOWN, 0 },
  { VF_COLOR_FORMAT_H264, "H264", GST_VIDEO_FORMAT_UNKNOWN, 0 },
};

static const FormatEntry *entry_of(VfColorFormat format)
{
  for (guint i = 0; i < G_N_ELEMENTS(formats); i++)
    if (formats[i].format == format)
      return &formats[i];
  return &formats[0];
}

const char *vf_color_format_to_string(VfColorFormat format)
{
  return entry_of(format)->name;
}

VfColorFormat vf_color_format_from_string(const char *name)
{
  if (name == NULL)
    return VF_COLOR_FORMAT_UNKNOWN;
  if (g_ascii_strcasecmp(name, "GRAY") == 0)
    return VF_COLOR_FORMAT_GRAY8;
  for (guint i = 1; i < G_N_ELEMENTS(formats); i++)
    if (g_ascii_strcasecmp(name, formats[i].name) == 0)
      return formats[i].format;
  return VF_COLOR_FORMAT_UNKNOWN;
}

GstVideoFormat vf_color_format_to_video_format(VfColorFormat format)
{
  return entry_of(format)->video_format;
}

VfColorFormat vf_color_format_from_video_format(GstVideoFormat video_format)
{
  if (video_format == GST_VIDEO_FORMAT_UNKNOWN)
    return VF_COLOR_FORMAT_UNKNOWN;
  for (guint i = 1; i < G_N_ELEMENTS(formats); i++)
    if (formats[i].video_format == video_format)
      return formats[i].format;
  return VF_COLOR_FORMAT_UNKNOWN;
}

gboolean vf_color_format_is_encoded(VfColorFormat format)
{
  return format == VF_COLOR_FORMAT_JPEG || format == VF_COLOR_FORMAT_H264;
}

guint vf_color_format_pixel_stride(VfColorFormat format)
{
  return entry_of(format)->pixel_stride;
}

GstCaps *vf_color_format_to_caps(VfColorFormat format, guint width, guint height, gint fps_n,
                                 gint fps_d)
{
  GstCaps *caps;

  switch (format) {
  case VF_COLOR_FORMAT_UNKNOWN:
    return NULL;
  case VF_COLOR_FORMAT_JPEG:
    caps = gst_caps_new_empty_simple("image/jpeg");
    break;
  case VF_COLOR_FORMAT_H264:
    caps = gst_caps_new_simple("video/x-h264", "stream-format", G_TYPE_STRING, "byte-stream",
                               "alignment", G_TYPE_STRING, "au", NULL);
    break;
  default:
    if (entry_of(format)->format == VF_COLOR_FORMAT_UNKNOWN)
      return NULL; /* not a VfColorFormat */
    caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING,
                               gst_video_format_to_string(vf_color_format_to_video_format(format)),
                               NULL);
    break;
  }
  if (width > 0 && height > 0)
    gst_caps_set_simple(caps, "width", G_TYPE_INT, (gint)width, "height", G_TYPE_INT, (gint)height,
                        NULL);
  if (fps_d <= 0)
    fps_d = 1;
  if (fps_n >= 0 && !(vf_color_format_is_encoded(format) && fps_n == 0))
    gst_caps_set_simple(caps, "framerate", GST_TYPE_FRACTION, fps_n, fps_d, NULL);
  return caps;
}

VfColorFormat vf_color_format_from_caps(const GstCaps *caps)
{
  if (caps == NULL || gst_caps_get_size(caps) == 0)
    return VF_COLOR_FORMAT_UNKNOWN;
  const GstStructure *s = gst_caps_get_structure(caps, 0);
  if (gst_structure_has_name(s, "image/jpeg"))
    return VF_COLOR_FORMAT_JPEG;
  if (gst_structure_has_name(s, "video/x-h264"))
    return VF_COLOR_FORMAT_H264;
  if (!gst_structure_has_name(s, "video/x-raw"))
    return VF_COLOR_FORMAT_UNKNOWN;
  const char *name = gst_structure_get_string(s, "format");
  return name ? vf_color_format_from_video_format(gst_video_format_from_string(name))
              : VF_COLOR_FORMAT_UNKNOWN;
}
