/* vidflow tests: helpers for the inference tests. */
#include "util.h"

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <stdio.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <vidflow/vidflow.h>

const char *vft_data_dir(void)
{
  static char *dir;
  if (dir == NULL) {
    const char *env = g_getenv("VIDFLOW_DATA");
    dir = env && *env ? g_strdup(env) : g_build_filename(VFT_SOURCE_ROOT, "data", NULL);
  }
  return dir;
}

char *vft_data_path(const char *relative)
{
  return g_build_filename(vft_data_dir(), relative, NULL);
}

char *vft_source_path(const char *relative)
{
  return g_build_filename(VFT_SOURCE_ROOT, relative, NULL);
}

void vft_require_data(const char *first, ...)
{
  va_list ap;
  va_start(ap, first);
  for (const char *f = first; f != NULL; f = va_arg(ap, const char *)) {
    char *p = vft_data_path(f);
    if (!g_file_test(p, G_FILE_TEST_EXISTS)) {
      /* TAP: a plan of no tests, skipped (meson counts the program as skipped) */
      printf("1..0 # SKIP %s missing: run tools/fetch-assets.sh first\n", p);
      fprintf(stderr, "SKIP: %s missing: run tools/fetch-assets.sh first\n", p);
      exit(0);
    }
    g_free(p);
  }
  va_end(ap);
}

/* Copy a mapped video frame into a VftFrame with tight strides. */
static VftFrame *frame_from_sample(GstSample *sample)
{
  GstVideoInfo info;
  GstVideoFrame vframe;
  if (!gst_video_info_from_caps(&info, gst_sample_get_caps(sample))
      || !gst_video_frame_map(&vframe, &info, gst_sample_get_buffer(sample), GST_MAP_READ))
    return NULL;
  VftFrame *f = g_new0(VftFrame, 1);
  f->image.format = vf_color_format_from_video_format(GST_VIDEO_INFO_FORMAT(&info));
  f->image.width = GST_VIDEO_INFO_WIDTH(&info);
  f->image.height = GST_VIDEO_INFO_HEIGHT(&info);
  guint n = GST_VIDEO_FRAME_N_PLANES(&vframe);
  gsize total = 0, offsets[3];
  for (guint p = 0; p < n; p++) {
    offsets[p] = total;
    total += (gsize)GST_VIDEO_FRAME_PLANE_STRIDE(&vframe, p)
             * GST_VIDEO_FRAME_COMP_HEIGHT(&vframe, p);
  }
  f->pixels = g_malloc(total);
  for (guint p = 0; p < n; p++) {
    gsize stride = GST_VIDEO_FRAME_PLANE_STRIDE(&vframe, p);
    gsize rows = GST_VIDEO_FRAME_COMP_HEIGHT(&vframe, p);
    memcpy(f->pixels + offsets[p], GST_VIDEO_FRAME_PLANE_DATA(&vframe, p), stride * rows);
    f->image.planes[p] = f->pixels + offsets[p];
    f->image.strides[p] = stride;
  }
  gst_video_frame_unmap(&vframe);
  return f;
}

static GstElement *decode_pipeline(const char *path, VfColorFormat format, GError **error)
{
  gst_init(NULL, NULL);
  char *uri = gst_filename_to_uri(path, error);
  if (uri == NULL)
    return NULL;
  char *desc
      = g_strdup_printf("uridecodebin uri=\"%s\" ! videoconvert ! video/x-raw,format=%s ! "
                        "appsink name=sink sync=false max-buffers=4",
                        uri, gst_video_format_to_string(vf_color_format_to_video_format(format)));
  GstElement *pipe = gst_parse_launch(desc, error);
  g_free(desc);
  g_free(uri);
  return pipe;
}

VftFrame **vft_decode_video(const char *path, const guint *indices, guint n, VfColorFormat format,
                            GError **error)
{
  GstElement *pipe = decode_pipeline(path, format, error);
  if (pipe == NULL)
    return NULL;
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
  VftFrame **frames = g_new0(VftFrame *, n + 1);
  gst_element_set_state(pipe, GST_STATE_PLAYING);
  guint got = 0;
  for (guint index = 0; got < n; index++) {
    GstSample *s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 10 * GST_SECOND);
    if (s == NULL)
      break;
    if (index == indices[got])
      frames[got++] = frame_from_sample(s);
    gst_sample_unref(s);
  }
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(pipe);
  if (got < n) {
    g_set_error(error, VF_ERROR, VF_ERROR_STREAM, "%s: only %u of %u frames decoded", path, got, n);
    for (guint i = 0; i < got; i++)
      vft_frame_free(frames[i]);
    g_free(frames);
    return NULL;
  }
  return frames;
}

VftFrame *vft_decode_image(const char *path, VfColorFormat format, GError **error)
{
  guint zero = 0;
  VftFrame **frames = vft_decode_video(path, &zero, 1, format, error);
  if (frames == NULL)
    return NULL;
  VftFrame *f = frames[0];
  g_free(frames);
  return f;
}

void vft_frame_free(VftFrame *f)
{
  if (f == NULL)
    return;
  g_free(f->pixels);
  g_free(f);
}

gboolean vft_frame_save(const VftFrame *f, const char *path, GError **error)
{
  if (!vf_init(error))
    return FALSE;
  guint n = f->image.format == VF_COLOR_FORMAT_I420   ? 3
            : f->image.format == VF_COLOR_FORMAT_NV12 ? 2
                                                      : 1;
  gsize size = 0;
  for (guint p = 0; p < n; p++)
    size += f->image.strides[p] * (p == 0 ? f->image.height : (f->image.height + 1) / 2);
  VfBuffer *b = vf_buffer_new_copy(f->image.format, f->image.width, f->image.height,
                                   f->image.strides, f->pixels, size, error);
  if (b == NULL)
    return FALSE;
  VfTensor *t = vf_buffer_extract(b, 0, error);
  gboolean ok = t && vf_tensor_save_image(t, path, 90, error);
  if (t)
    vf_tensor_unref(t);
  vf_buffer_unref(b);
  return ok;
}

char *vft_make_tmpdir(void)
{
  GError *err = NULL;
  char *dir = g_dir_make_tmp("vidflow-test-XXXXXX", &err);
  g_assert_no_error(err);
  return dir;
}

void vft_remove_tree(const char *dir)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  if (d == NULL)
    return;
  const char *name;
  while ((name = g_dir_read_name(d)) != NULL) {
    char *p = g_build_filename(dir, name, NULL);
    if (g_file_test(p, G_FILE_TEST_IS_DIR))
      vft_remove_tree(p);
    else
      g_remove(p);
    g_free(p);
  }
  g_dir_close(d);
  g_rmdir(dir);
}

char *vft_write_file(const char *dir, const char *name, const char *contents, gssize len)
{
  GError *err = NULL;
  char *p = g_build_filename(dir, name, NULL);
  g_file_set_contents(p, contents, len, &err);
  g_assert_no_error(err);
  return p;
}

void vft_assert_error(GError *err, const char *first, ...)
{
  g_assert_nonnull(err);
  g_assert_true(err->domain == VF_ERROR);
  g_test_message("error: %s", err->message);
  va_list ap;
  va_start(ap, first);
  for (const char *f = first; f != NULL; f = va_arg(ap, const char *))
    if (strstr(err->message, f) == NULL)
      g_error("error message '%s' lacks '%s'", err->message, f);
  va_end(ap);
}

/* configs/NAME's text with its "../data/" paths pointing at vft_data_dir() (transfer full), its
 * path in the source tree in *path (transfer full); NULL with *error. */
static char *sample_config_text(const char *name, char **path, GError **error)
{
  char *rel = g_build_filename("configs", name, NULL);
  *path = vft_source_path(rel);
  g_free(rel);
  char *text = NULL;
  if (!g_file_get_contents(*path, &text, NULL, error))
    return NULL;
  char *data = g_strconcat(vft_data_dir(), "/", NULL);
  char **parts = g_strsplit(text, "../data/", -1);
  char *moved = g_strjoinv(data, parts);
  g_strfreev(parts);
  g_free(data);
  g_free(text);
  return moved;
}

VfInferConfig *vft_load_sample_config(const char *name, GError **error)
{
  char *path = NULL;
  char *moved = sample_config_text(name, &path, error);
  VfInferConfig *cfg = NULL;
  if (moved) {
    char *dir = g_path_get_dirname(path);
    cfg = vf_infer_config_load_from_data(moved, path, dir, error);
    g_free(dir);
    g_free(moved);
  }
  g_free(path);
  return cfg;
}

char *vft_write_sample_config(const char *dir, const char *name)
{
  char *path = NULL;
  GError *err = NULL;
  char *moved = sample_config_text(name, &path, &err);
  g_assert_no_error(err);
  char *written = vft_write_file(dir, name, moved, -1);
  g_free(moved);
  g_free(path);
  return written;
}
