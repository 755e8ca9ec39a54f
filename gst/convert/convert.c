/* vidflow convert: planning a frame's conversion, and the converter that hands a batch's jobs to
 * the backend of the frames' memory (convert.h). */
#include "convert.h"

#include <string.h>

/* ---- planning ---- */

static gboolean same_colour_model(GstVideoFormat a, GstVideoFormat b)
{
  const GstVideoFormatInfo *fa = gst_video_format_get_info(a), *fb = gst_video_format_get_info(b);
  return fa && fb && (GST_VIDEO_FORMAT_INFO_IS_YUV(fa) == GST_VIDEO_FORMAT_INFO_IS_YUV(fb))
         && (GST_VIDEO_FORMAT_INFO_IS_RGB(fa) == GST_VIDEO_FORMAT_INFO_IS_RGB(fb));
}

/* Round down to an even number: 4:2:0 and 4:2:2 pictures start on a chroma sample. */
static gint even(gint v)
{
  return v & ~1;
}

gboolean vf_convert_plan(const GstVideoInfo *in, const VfConvertTarget *target, GstVideoInfo *out,
                         VfRect *dest)
{
  gint w = GST_VIDEO_INFO_WIDTH(in), h = GST_VIDEO_INFO_HEIGHT(in);
  gboolean sized = target->width > 0 && target->height > 0;
  gint out_w = sized ? (gint)target->width : w, out_h = sized ? (gint)target->height : h;
  GstVideoFormat format
      = target->format != GST_VIDEO_FORMAT_UNKNOWN ? target->format : GST_VIDEO_INFO_FORMAT(in);
  if (format == GST_VIDEO_INFO_FORMAT(in) && out_w == w && out_h == h) {
    *out = *in;
    *dest = (VfRect){ 0, 0, (gfloat)w, (gfloat)h };
    return FALSE;
  }
  gst_video_info_set_format(out, format, (guint)out_w, (guint)out_h);
  GST_VIDEO_INFO_FPS_N(out) = GST_VIDEO_INFO_FPS_N(in);
  GST_VIDEO_INFO_FPS_D(out) = GST_VIDEO_INFO_FPS_D(in);
  if (same_colour_model(format, GST_VIDEO_INFO_FORMAT(in))) {
    /* scaling or repacking only: no matrix to apply */
    GST_VIDEO_INFO_COLORIMETRY(out) = GST_VIDEO_INFO_COLORIMETRY(in);
    GST_VIDEO_INFO_CHROMA_SITE(out) = GST_VIDEO_INFO_CHROMA_SITE(in);
  }
  gint cw = out_w, ch = out_h, cx = 0, cy = 0;
  if (target->scaling != VF_CONVERT_SCALING_STRETCH && (out_w != w || out_h != h)) {
    gdouble scale = MIN(out_w / (gdouble)w, out_h / (gdouble)h);
    cw = CLAMP((gint)(w * scale + 0.5), 1, out_w);
    ch = CLAMP((gint)(h * scale + 0.5), 1, out_h);
    if (target->scaling == VF_CONVERT_SCALING_LETTERBOX) {
      cx = even((out_w - cw) / 2);
      cy = even((out_h - ch) / 2);
    }
  }
  *dest = (VfRect){ (gfloat)cx, (gfloat)cy, (gfloat)cw, (gfloat)ch };
  return TRUE;
}

/* ---- the converter ---- */

/* The backends of this build, by the memory they work in. The CUDA build adds its own here. */
#ifdef VF_HAVE_CUDA_CONVERT
extern const VfConvertBackend vf_convert_backend_cuda;
#endif
static const VfConvertBackend *const backends[] = {
  &vf_convert_backend_cpu,
#ifdef VF_HAVE_CUDA_CONVERT
  &vf_convert_backend_cuda,
#endif
};

typedef struct {
  const VfConvertBackend *backend;
  gpointer state;
  GError *open_error; /* why it could not be opened (kept: asked again, answered the same) */
} Opened;

struct _VfConverter {
  VfConvertOptions options;
  GstElement *element; /* weak: the element owns the converter */
  Opened opened[G_N_ELEMENTS(backends)];
};

VfConverter *vf_converter_new(const VfConvertOptions *options, GstElement *element)
{
  VfConverter *c = g_new0(VfConverter, 1);
  if (options)
    c->options = *options;
  c->element = element;
  for (guint i = 0; i < G_N_ELEMENTS(backends); i++)
    c->opened[i].backend = backends[i];
  return c;
}

void vf_converter_free(VfConverter *converter)
{
  if (converter == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS(backends); i++) {
    Opened *o = &converter->opened[i];
    if (o->state)
      o->backend->close(o->state);
    g_clear_error(&o->open_error);
  }
  g_free(converter);
}

static const char *device_memory(VfDevice device)
{
  return device == VF_DEVICE_CUDA ? "CUDA memory (memory:CUDAMemory)" : "system memory";
}

/* The opened backend for `device`, or NULL with *error. */
static Opened *backend_for(VfConverter *c, VfDevice device, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS(backends); i++) {
    Opened *o = &c->opened[i];
    if (o->backend->device != device)
      continue;
    if (o->state == NULL && o->open_error == NULL) {
      o->state = o->backend->open(&c->options, c->element, &o->open_error);
      if (o->state == NULL && o->open_error == NULL)
        g_set_error(&o->open_error, VF_ERROR, VF_ERROR_FAILED, "the %s converter did not start",
                    o->backend->name);
    }
    if (o->state)
      return o;
    g_propagate_error(error, g_error_copy(o->open_error));
    return NULL;
  }
  if (device == VF_DEVICE_CUDA)
    g_set_error_literal(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                        "frames in CUDA memory (memory:CUDAMemory) need the CUDA converter, which "
                        "this build does not have yet: pass them on unchanged (same format and "
                        "size), or download them (cudadownload) and convert on the CPU");
  else
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED, "this build cannot convert frames in %s",
                device_memory(device));
  return NULL;
}

gboolean vf_converter_supports(VfConverter *converter, VfDevice device, GstVideoFormat in,
                               GstVideoFormat out, GError **error)
{
  if (converter == NULL) {
    g_set_error_literal(error, VF_ERROR, VF_ERROR_ARGUMENT,
                        "vf_converter_supports(): no converter");
    return FALSE;
  }
  Opened *o = backend_for(converter, device, error);
  if (o == NULL)
    return FALSE;
  if (o->backend->supports == NULL || o->backend->supports(o->state, in, out))
    return TRUE;
  g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
              "the %s converter cannot convert %s frames to %s: choose another format",
              o->backend->name, gst_video_format_to_string(in), gst_video_format_to_string(out));
  return FALSE;
}

gboolean vf_converter_run(VfConverter *converter, VfDevice device, VfConvertJob *jobs, guint n,
                          GError **error)
{
  if (converter == NULL || (jobs == NULL && n > 0)) {
    g_set_error_literal(error, VF_ERROR, VF_ERROR_ARGUMENT,
                        "vf_converter_run(): no converter or jobs");
    return FALSE;
  }
  if (n == 0)
    return TRUE;
  GError *why = NULL;
  Opened *o = backend_for(converter, device, &why);
  if (o == NULL) {
    for (guint i = 0; i < n; i++)
      jobs[i].error = g_error_copy(why);
    g_propagate_error(error, why);
    return FALSE;
  }
  o->backend->run(o->state, jobs, n);
  for (guint i = 0; i < n; i++) {
    if (jobs[i].error) {
      g_propagate_error(error, g_error_copy(jobs[i].error));
      return FALSE;
    }
    if (jobs[i].out == NULL) {
      jobs[i].error
          = g_error_new(VF_ERROR, VF_ERROR_FAILED, "the %s converter made no frame for stream %u",
                        o->backend->name, jobs[i].key);
      g_propagate_error(error, g_error_copy(jobs[i].error));
      return FALSE;
    }
  }
  return TRUE;
}

void vf_convert_job_clear(VfConvertJob *job)
{
  if (job == NULL)
    return;
  gst_clear_buffer(&job->out);
  g_clear_error(&job->error);
}
