/* vidflow: save a frame tensor as JPEG or PNG with GStreamer's own encoders. */
#include <vidflow/buffer.h>

#include "error-private.h"
#include "tensor-private.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

gboolean vf_tensor_save_image(const VfTensor *tensor, const char *path, gint quality,
                              GError **error)
{
  if (vf_arg_is_null(tensor, "tensor", G_STRFUNC, error)
      || vf_arg_is_null(path, "path", G_STRFUNC, error))
    return FALSE;
  const char *encoder;
  if (g_str_has_suffix(path, ".jpg") || g_str_has_suffix(path, ".jpeg")
      || g_str_has_suffix(path, ".JPG"))
    encoder = "jpegenc";
  else if (g_str_has_suffix(path, ".png") || g_str_has_suffix(path, ".PNG"))
    encoder = "pngenc";
  else {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "cannot tell the image type of '%s': name it .jpg, .jpeg or .png", path);
    return FALSE;
  }

  /* Plain tensors are taken as RGB/RGBA/GRAY8 by their channel count. */
  VfColorFormat format = tensor->color_format;
  if (format == VF_COLOR_FORMAT_UNKNOWN)
    format = tensor->ndim == 2                            ? VF_COLOR_FORMAT_GRAY8
             : tensor->ndim == 3 && tensor->shape[2] == 4 ? VF_COLOR_FORMAT_RGBA
                                                          : VF_COLOR_FORMAT_RGB;
  VfBuffer *frame = vf_tensor_wrap((VfTensor *)tensor, format, error);
  if (frame == NULL)
    return FALSE;

  GstElement *pipe = gst_pipeline_new("vf-save-image");
  GstElement *src = gst_element_factory_make("appsrc", NULL);
  GstElement *convert = gst_element_factory_make("videoconvert", NULL);
  GstElement *enc = gst_element_factory_make(encoder, NULL);
  GstElement *sink = gst_element_factory_make("appsink", NULL);
  gboolean ok = FALSE;
  if (!src || !convert || !enc || !sink) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "GStreamer elements appsrc/videoconvert/%s are missing: install "
                "gstreamer1.0-plugins-base and -good",
                encoder);
    gst_clear_object(&src);
    gst_clear_object(&convert);
    gst_clear_object(&enc);
    gst_clear_object(&sink);
    goto out;
  }
  if (g_str_equal(encoder, "jpegenc"))
    g_object_set(enc, "quality", CLAMP(quality, 1, 100), NULL);
  GstCaps *caps = vf_color_format_to_caps(format, vf_tensor_get_width(tensor),
                                          vf_tensor_get_height(tensor), 0, 1);
  g_object_set(src, "caps", caps, "format", GST_FORMAT_TIME, NULL);
  gst_caps_unref(caps);
  gst_bin_add_many(GST_BIN(pipe), src, convert, enc, sink, NULL);
  gst_element_link_many(src, convert, enc, sink, NULL);
  gst_element_set_state(pipe, GST_STATE_PLAYING);
  gst_app_src_push_buffer(GST_APP_SRC(src), gst_buffer_ref(vf_buffer_get_gst_buffer(frame)));
  gst_app_src_end_of_stream(GST_APP_SRC(src));

  GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 10 * GST_SECOND);
  if (sample == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_FAILED, "%s produced no image for '%s'", encoder, path);
  } else {
    GstMapInfo map;
    GstBuffer *out = gst_sample_get_buffer(sample);
    if (gst_buffer_map(out, &map, GST_MAP_READ)) {
      ok = g_file_set_contents(path, (const char *)map.data, (gssize)map.size, error);
      gst_buffer_unmap(out, &map);
    }
    gst_sample_unref(sample);
  }
  gst_element_set_state(pipe, GST_STATE_NULL);
out:
  gst_object_unref(pipe);
  vf_buffer_unref(frame);
  return ok;
}
