/* vidflow plugin: vfconvert, the batch-aware converter (DeepStream's nvvideoconvert).
 *
 * SECTION:element-vfconvert
 *
 * vfconvert converts and/or scales every frame of a vfmux batch (video/x-raw(meta:VfBatch)), or
 * plain video frames, to the format and size its src caps ask for: the capsfilter after it says
 * what to make (format, width, height), as after nvvideoconvert. Frames that already are what is
 * asked pass unchanged (zero-copy); the others are converted by the batch converter
 * (gst/convert/convert.h), the frames of one batch in parallel across the cores. A converted
 * frame's objects, display items and content rectangle follow it (scaled and moved with the
 * picture); its original size stays, so boxes still map back to the source.
 *
 * Batches stay batches and plain video stays plain video: to take single frames out of a batch
 * use vfdemux. Caps after a batch that lack the meta:VfBatch feature (video/x-raw,format=RGB)
 * are refused with an error that names the spellings that work.
 *
 * Batches whose frames differ in size (vfmux width=0 height=0) keep each frame's size unless the
 * src caps give width and height. CUDA frames (memory:CUDAMemory) pass through when nothing is to
 * be done; converting them needs the CUDA backend of the converter (not in this build: the error
 * says so).
 *
 * Properties:
 *   scaling   stretch (default: fill the frame, as nvvideoconvert), letterbox (keep proportions,
 *             centred, black borders), pad (keep proportions, top-left, black right/bottom)
 *   method    the resampler: nearest, bilinear (default), cubic, lanczos
 *   n-threads CPU threads for the frames of one batch; 0 (default): one per core
 *   gpu-id    the CUDA device of the CUDA backend (default 0)
 *
 * Example launch lines:
 *   gst-launch-1.0 vfmux name=mux batch-size=2 ! vfconvert ! \
 *     'video/x-raw(meta:VfBatch),format=RGB,width=640,height=360' ! fakesink \
 *     videotestsrc num-buffers=100 ! mux.sink_0  videotestsrc num-buffers=100 ! mux.sink_1
 *   gst-launch-1.0 videotestsrc num-buffers=100 ! vfconvert scaling=letterbox ! \
 *     video/x-raw,format=RGB,width=300,height=300 ! fakesink
 */
#include "vfconvert.h"

#include "convert.h"

#include <vidflow/frame-map.h>
#include <vidflow/meta.h>

GST_DEBUG_CATEGORY_STATIC(vf_convert_debug);
#define GST_CAT_DEFAULT vf_convert_debug

#define DEFAULT_SCALING VF_CONVERT_SCALING_STRETCH
#define DEFAULT_METHOD VF_CONVERT_METHOD_BILINEAR
#define DEFAULT_N_THREADS 0
#define DEFAULT_GPU_ID 0

/* The spellings of a batch in another format, for errors. */
#define BATCH_SPELLINGS                                                                            \
  "'video/x-raw(meta:VfBatch),format=RGB' (the batch in RGB), or vfdemux after vfconvert for "     \
  "single frames (DeepStream's memory:NVMM caps are taken as both)"

struct _VfConvert {
  GstBaseTransform parent;

  /* properties (object lock) */
  VfConvertScaling scaling;
  VfConvertMethod method;
  guint n_threads;
  guint gpu_id;

  /* streaming thread */
  VfConverter *converter;
  gboolean batched;
  VfDevice device;
  GstVideoInfo in_info; /* plain video: the input frame */
  VfConvertTarget target;
};

enum {
  PROP_0,
  PROP_SCALING,
  PROP_METHOD,
  PROP_N_THREADS,
  PROP_GPU_ID,
};

G_DEFINE_TYPE(VfConvert, vf_convert, GST_TYPE_BASE_TRANSFORM)
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE(vfconvert, "vfconvert", GST_RANK_NONE, VF_TYPE_CONVERT,
                                      GST_DEBUG_CATEGORY_INIT(vf_convert_debug, "vfconvert", 0,
                                                              "vidflow batch converter"));

#define CAPS_ONE(features)                                                                         \
  "video/x-raw(" features "), format=(string)" VF_CONVERT_FORMATS                                  \
  ", width=(int)[1, MAX], height=(int)[1, MAX], framerate=(fraction)[0/1, MAX]"
#define CAPS_BATCH(features) "video/x-raw(" features "), format=(string)" VF_CONVERT_FORMATS
#define CAPS_ALL                                                                                   \
  CAPS_BATCH(VF_CAPS_FEATURE_META_BATCH)                                                           \
  ";" CAPS_BATCH(                                                                                  \
      VF_CAPS_FEATURE_MEMORY_CUDA                                                                  \
      ", " VF_CAPS_FEATURE_META_BATCH) ";"                                                         \
                                       "video/x-raw, format=(string)" VF_CONVERT_FORMATS           \
                                       ", width=(int)[1, MAX], height=(int)[1, MAX], "             \
                                       "framerate=(fraction)[0/1, MAX];" CAPS_ONE(                 \
                                           VF_CAPS_FEATURE_MEMORY_CUDA)

static GstStaticPadTemplate sink_template
    = GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS(CAPS_ALL));
static GstStaticPadTemplate src_template
    = GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(CAPS_ALL));

/* ---- properties ---- */

#define VF_TYPE_CONVERT_SCALING (vf_convert_scaling_get_type())
static GType vf_convert_scaling_get_type(void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { VF_CONVERT_SCALING_STRETCH, "Fill the frame (proportions may change)", "stretch" },
    { VF_CONVERT_SCALING_LETTERBOX, "Keep proportions, centred, black borders", "letterbox" },
    { VF_CONVERT_SCALING_PAD, "Keep proportions, top-left, black right/bottom borders", "pad" },
    { 0, NULL, NULL },
  };
  if (g_once_init_enter(&type))
    g_once_init_leave(&type, g_enum_register_static("VfConvertScaling", values));
  return type;
}

#define VF_TYPE_CONVERT_METHOD (vf_convert_method_get_type())
static GType vf_convert_method_get_type(void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { VF_CONVERT_METHOD_NEAREST, "Nearest neighbour", "nearest" },
    { VF_CONVERT_METHOD_BILINEAR, "Bilinear", "bilinear" },
    { VF_CONVERT_METHOD_CUBIC, "Cubic", "cubic" },
    { VF_CONVERT_METHOD_LANCZOS, "Lanczos", "lanczos" },
    { 0, NULL, NULL },
  };
  if (g_once_init_enter(&type))
    g_once_init_leave(&type, g_enum_register_static("VfConvertMethod", values));
  return type;
}

static void vf_convert_set_property(GObject *object, guint id, const GValue *value,
                                    GParamSpec *pspec)
{
  VfConvert *self = VF_CONVERT(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_SCALING:
    self->scaling = g_value_get_enum(value);
    break;
  case PROP_METHOD:
    self->method = g_value_get_enum(value);
    break;
  case PROP_N_THREADS:
    self->n_threads = g_value_get_uint(value);
    break;
  case PROP_GPU_ID:
    self->gpu_id = g_value_get_uint(value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
  GST_OBJECT_UNLOCK(self);
}

static void vf_convert_get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  VfConvert *self = VF_CONVERT(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_SCALING:
    g_value_set_enum(value, self->scaling);
    break;
  case PROP_METHOD:
    g_value_set_enum(value, self->method);
    break;
  case PROP_N_THREADS:
    g_value_set_uint(value, self->n_threads);
    break;
  case PROP_GPU_ID:
    g_value_set_uint(value, self->gpu_id);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
  GST_OBJECT_UNLOCK(self);
}

/* ---- caps ---- */

static gboolean is_batch(GstCapsFeatures *f)
{
  return f && gst_caps_features_contains(f, VF_CAPS_FEATURE_META_BATCH);
}

/* Any format and size, the same memory and batching: what the other side may be. The caps
 * themselves come first (nothing to do is preferred). */
static GstCaps *vf_convert_transform_caps(GstBaseTransform *trans, GstPadDirection direction,
                                          GstCaps *caps, GstCaps *filter)
{
  (void)trans;
  (void)direction;
  GstCaps *any = gst_caps_new_empty();
  for (guint i = 0; i < gst_caps_get_size(caps); i++) {
    GstCapsFeatures *f = gst_caps_get_features(caps, i);
    GstStructure *s = gst_structure_copy(gst_caps_get_structure(caps, i));
    gst_structure_remove_fields(s, "format", "colorimetry", "chroma-site", NULL);
    if (is_batch(f)) {
      gst_structure_remove_fields(s, "width", "height", NULL);
    } else {
      gst_structure_set(s, "width", GST_TYPE_INT_RANGE, 1, G_MAXINT, "height", GST_TYPE_INT_RANGE,
                        1, G_MAXINT, NULL);
      if (gst_structure_has_field(s, "pixel-aspect-ratio"))
        gst_structure_set(s, "pixel-aspect-ratio", GST_TYPE_FRACTION_RANGE, 1, G_MAXINT, G_MAXINT,
                          1, NULL);
    }
    any = gst_caps_merge_structure_full(any, s, f ? gst_caps_features_copy(f) : NULL);
  }
  GstCaps *result = gst_caps_merge(gst_caps_ref(caps), any);
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full(filter, result, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref(result);
    result = tmp;
  }
  GST_DEBUG_OBJECT(trans, "%" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT, caps, result);
  return result;
}

/* The other side keeps what this side has where it may: format, width, height; a batch whose
 * size is left open keeps each frame's size. */
static GstCaps *vf_convert_fixate_caps(GstBaseTransform *trans, GstPadDirection direction,
                                       GstCaps *caps, GstCaps *othercaps)
{
  (void)trans;
  (void)direction;
  othercaps = gst_caps_truncate(othercaps);
  othercaps = gst_caps_make_writable(othercaps);
  GstStructure *in = gst_caps_get_structure(caps, 0);
  GstStructure *out = gst_caps_get_structure(othercaps, 0);
  gboolean batched = is_batch(gst_caps_get_features(othercaps, 0));
  const char *format = gst_structure_get_string(in, "format");
  if (format && gst_structure_has_field(out, "format"))
    gst_structure_fixate_field_string(out, "format", format);
  static const char *const sizes[] = { "width", "height" };
  for (guint i = 0; i < G_N_ELEMENTS(sizes); i++) {
    gint v;
    if (!gst_structure_has_field(out, sizes[i]))
      continue;
    if (gst_structure_get_int(in, sizes[i], &v))
      gst_structure_fixate_field_nearest_int(out, sizes[i], v);
    else if (batched && !gst_value_is_fixed(gst_structure_get_value(out, sizes[i])))
      gst_structure_remove_field(out, sizes[i]);
  }
  if (batched && !(gst_structure_has_field(out, "width") && gst_structure_has_field(out, "height")))
    gst_structure_remove_fields(out, "width", "height", NULL); /* both or neither */
  return gst_caps_fixate(othercaps);
}

static gboolean read_batch_caps(GstCaps *caps, GstVideoFormat *format, gint *width, gint *height)
{
  GstStructure *s = gst_caps_get_structure(caps, 0);
  const char *f = gst_structure_get_string(s, "format");
  *format = f ? gst_video_format_from_string(f) : GST_VIDEO_FORMAT_UNKNOWN;
  if (!gst_structure_get_int(s, "width", width) || !gst_structure_get_int(s, "height", height))
    *width = *height = 0;
  return *format != GST_VIDEO_FORMAT_UNKNOWN;
}

static gboolean vf_convert_set_caps(GstBaseTransform *trans, GstCaps *incaps, GstCaps *outcaps)
{
  VfConvert *self = VF_CONVERT(trans);
  VfFrameCaps in, out;
  GError *err = NULL;
  if (!vf_frame_caps_parse(incaps, &in, &err) || !vf_frame_caps_parse(outcaps, &out, &err)) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                      ("vfconvert '%s': %s", GST_OBJECT_NAME(self), err->message), (NULL));
    g_error_free(err);
    return FALSE;
  }
  if (in.batched != out.batched || in.device != out.device) {
    GST_ELEMENT_ERROR(
        self, CORE, NEGOTIATION,
        ("vfconvert '%s': it keeps batches batched and memory where it is", GST_OBJECT_NAME(self)),
        ("in %" GST_PTR_FORMAT ", out %" GST_PTR_FORMAT, incaps, outcaps));
    return FALSE;
  }
  GstVideoFormat in_format, out_format;
  gint in_w, in_h, out_w, out_h;
  if (in.batched) {
    if (!read_batch_caps(incaps, &in_format, &in_w, &in_h)
        || !read_batch_caps(outcaps, &out_format, &out_w, &out_h)) {
      GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                        ("vfconvert '%s': batch caps without a format", GST_OBJECT_NAME(self)),
                        ("in %" GST_PTR_FORMAT ", out %" GST_PTR_FORMAT, incaps, outcaps));
      return FALSE;
    }
  } else {
    in_format = GST_VIDEO_INFO_FORMAT(&in.info);
    out_format = GST_VIDEO_INFO_FORMAT(&out.info);
    in_w = GST_VIDEO_INFO_WIDTH(&in.info);
    in_h = GST_VIDEO_INFO_HEIGHT(&in.info);
    out_w = GST_VIDEO_INFO_WIDTH(&out.info);
    out_h = GST_VIDEO_INFO_HEIGHT(&out.info);
  }
  /* a batch whose out caps leave the size open keeps each frame's size */
  gboolean passthrough
      = in_format == out_format && ((in_w == out_w && in_h == out_h) || (in.batched && out_w == 0));
  if (!passthrough
      && !vf_converter_supports(self->converter, in.device, in_format, out_format, &err)) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("vfconvert '%s': %s", GST_OBJECT_NAME(self), err->message),
                      ("in %" GST_PTR_FORMAT ", out %" GST_PTR_FORMAT, incaps, outcaps));
    g_error_free(err);
    return FALSE;
  }
  self->batched = in.batched;
  self->device = in.device;
  self->in_info = in.info;
  GST_OBJECT_LOCK(self);
  self->target = (VfConvertTarget){ out_format, (guint)out_w, (guint)out_h, self->scaling };
  GST_OBJECT_UNLOCK(self);
  gst_base_transform_set_passthrough(trans, passthrough);
  GST_DEBUG_OBJECT(self, "%s%s", passthrough ? "passthrough " : "",
                   in.batched ? "batches" : "frames");
  return TRUE;
}

/* Batches in, downstream takes no batch: say what to write instead (negotiation alone would end
 * in a bare not-negotiated). */
static gboolean vf_convert_sink_event(GstBaseTransform *trans, GstEvent *event)
{
  VfConvert *self = VF_CONVERT(trans);
  if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
    GstCaps *caps;
    gst_event_parse_caps(event, &caps);
    gboolean batched = is_batch(gst_caps_get_features(caps, 0));
    GstCaps *peer = gst_pad_peer_query_caps(GST_BASE_TRANSFORM_SRC_PAD(trans), NULL);
    gboolean takes = gst_caps_is_any(peer);
    for (guint i = 0; !takes && i < gst_caps_get_size(peer); i++)
      takes = is_batch(gst_caps_get_features(peer, i)) == batched;
    if (!takes && !gst_caps_is_empty(peer)) {
      char *text = gst_caps_to_string(peer);
      if (batched)
        GST_ELEMENT_ERROR(
            self, CORE, NEGOTIATION,
            ("vfconvert '%s' gets batches (video/x-raw(meta:VfBatch)) but downstream "
             "takes only single frames (%s): write the caps after vfconvert as " BATCH_SPELLINGS,
             GST_OBJECT_NAME(self), text),
            (NULL));
      else
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                          ("vfconvert '%s' gets single frames but downstream takes only batches "
                           "(%s): vfconvert does not batch; put vfmux before it",
                           GST_OBJECT_NAME(self), text),
                          (NULL));
      g_free(text);
      gst_caps_unref(peer);
      gst_event_unref(event);
      return FALSE;
    }
    gst_caps_unref(peer);
  }
  return GST_BASE_TRANSFORM_CLASS(vf_convert_parent_class)->sink_event(trans, event);
}

/* A format it does not read: say so (a refused caps event alone ends in a bare not-negotiated). */
static gboolean vf_convert_accept_caps(GstBaseTransform *trans, GstPadDirection direction,
                                       GstCaps *caps)
{
  if (GST_BASE_TRANSFORM_CLASS(vf_convert_parent_class)->accept_caps(trans, direction, caps))
    return TRUE;
  GstStructure *s = gst_caps_get_size(caps) > 0 ? gst_caps_get_structure(caps, 0) : NULL;
  const char *format = s ? gst_structure_get_string(s, "format") : NULL;
  GstCaps *templ = gst_static_pad_template_get_caps(&sink_template);
  GstCaps *one = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, format, NULL);
  gboolean known = format == NULL || gst_caps_can_intersect(one, templ);
  gst_caps_unref(one);
  gst_caps_unref(templ);
  if (direction == GST_PAD_SINK && s && gst_structure_has_name(s, "video/x-raw") && !known)
    GST_ELEMENT_ERROR(trans, STREAM, FORMAT,
                      ("vfconvert '%s' cannot read %s frames: it converts " VF_CONVERT_FORMATS
                       "; put videoconvert before it",
                       GST_OBJECT_NAME(trans), format),
                      ("caps %" GST_PTR_FORMAT, caps));
  return FALSE;
}

/* ---- allocation ---- */

static gboolean vf_convert_propose_allocation(GstBaseTransform *trans, GstQuery *decide,
                                              GstQuery *query)
{
  if (gst_base_transform_is_passthrough(trans))
    return GST_BASE_TRANSFORM_CLASS(vf_convert_parent_class)
        ->propose_allocation(trans, decide, query);
  /* frames with their own offsets and strides are read as they are */
  gst_query_add_allocation_meta(query, GST_VIDEO_META_API_TYPE, NULL);
  return TRUE;
}

/* Output frames come from the converter's pools, not from downstream's. */
static gboolean vf_convert_decide_allocation(GstBaseTransform *trans, GstQuery *query)
{
  (void)trans;
  while (gst_query_get_n_allocation_pools(query) > 0)
    gst_query_remove_nth_allocation_pool(query, 0);
  return TRUE;
}

/* The batch meta of a plain frame (vfinfer on plain video) goes with it: fixed up after. */
static gboolean vf_convert_transform_meta(GstBaseTransform *trans, GstBuffer *outbuf, GstMeta *meta,
                                          GstBuffer *inbuf)
{
  if (meta->info->api == VF_BATCH_META_API_TYPE)
    return TRUE;
  return GST_BASE_TRANSFORM_CLASS(vf_convert_parent_class)
      ->transform_meta(trans, outbuf, meta, inbuf);
}

/* ---- converting ---- */

static GstFlowReturn fail(VfConvert *self, GError *err)
{
  GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                    ("vfconvert '%s': %s", GST_OBJECT_NAME(self), err->message), (NULL));
  g_error_free(err);
  return GST_FLOW_ERROR;
}

static GstFlowReturn convert_batch(VfConvert *self, const VfConvertTarget *target, GstBuffer *inbuf,
                                   GstBuffer **outbuf)
{
  if (vf_batch_meta_get(inbuf) == NULL)
    return fail(self, g_error_new_literal(VF_ERROR, VF_ERROR_FORMAT,
                                          "a buffer with batch caps (meta:VfBatch) carries no "
                                          "batch meta: batches come from vfmux"));
  GstBuffer *out = gst_buffer_copy(inbuf); /* the batch's metadata, shared (O(1)) */
  VfBatchMeta *meta = vf_batch_meta_get(out);
  guint n = vf_batch_meta_get_n_frames(meta);
  VfConvertJob *jobs = g_new0(VfConvertJob, MAX(n, 1));
  VfFrameMeta **frames = g_new0(VfFrameMeta *, MAX(n, 1));
  guint n_jobs = 0;
  GError *err = NULL;
  for (guint i = 0; i < n && err == NULL; i++) {
    VfFrameMeta *f = vf_batch_meta_get_frame(meta, i); /* private: `out` is writable */
    GstBuffer *buffer = vf_frame_meta_get_buffer(f);
    VfConvertJob *job = &jobs[n_jobs];
    if (buffer == NULL) {
      err = g_error_new(VF_ERROR, VF_ERROR_FORMAT,
                        "frame %u of the batch has no buffer of its own (not a vfmux batch)", i);
      break;
    }
    if (!vf_convert_plan(vf_frame_meta_get_video_info(f), target, &job->out_info, &job->dest))
      continue; /* already what is asked: zero-copy */
    if (vf_frame_get_device(out, f) != self->device) {
      err = g_error_new(VF_ERROR, VF_ERROR_FORMAT,
                        "frame %u of the batch lives in other memory than the caps say", i);
      break;
    }
    job->key = vf_frame_meta_get_source_id(f);
    job->in = buffer;
    job->in_info = *vf_frame_meta_get_video_info(f);
    frames[n_jobs++] = f;
  }
  if (err == NULL)
    vf_converter_run(self->converter, self->device, jobs, n_jobs, &err);
  for (guint i = 0; i < n_jobs && err == NULL; i++)
    vf_frame_meta_set_converted(frames[i], jobs[i].out, &jobs[i].out_info, &jobs[i].dest);
  for (guint i = 0; i < n_jobs; i++)
    vf_convert_job_clear(&jobs[i]);
  g_free(jobs);
  g_free(frames);
  if (err) {
    gst_buffer_unref(out);
    return fail(self, err);
  }
  *outbuf = out;
  return GST_FLOW_OK;
}

static GstFlowReturn convert_frame(VfConvert *self, const VfConvertTarget *target, GstBuffer *inbuf,
                                   GstBuffer **outbuf)
{
  VfConvertJob job = { 0 };
  vf_frame_layout(&self->in_info, inbuf, &job.in_info);
  vf_convert_plan(&self->in_info, target, &job.out_info, &job.dest);
  job.in = inbuf;
  GError *err = NULL;
  if (!vf_converter_run(self->converter, self->device, &job, 1, &err)) {
    vf_convert_job_clear(&job);
    return fail(self, err);
  }
  GstBuffer *out = g_steal_pointer(&job.out);
  vf_convert_job_clear(&job);
  GstBaseTransformClass *klass = GST_BASE_TRANSFORM_GET_CLASS(self);
  if (klass->copy_metadata && !klass->copy_metadata(GST_BASE_TRANSFORM(self), inbuf, out))
    GST_WARNING_OBJECT(self, "could not copy the frame's metadata");
  VfBatchMeta *meta = vf_batch_meta_get(out);
  VfFrameMeta *f = meta ? vf_batch_meta_get_frame(meta, 0) : NULL;
  if (f && vf_frame_meta_get_buffer(f) == NULL && vf_batch_meta_get_n_frames(meta) == 1)
    vf_frame_meta_set_converted(f, NULL, &job.out_info, &job.dest);
  *outbuf = out;
  return GST_FLOW_OK;
}

static GstFlowReturn vf_convert_prepare_output_buffer(GstBaseTransform *trans, GstBuffer *inbuf,
                                                      GstBuffer **outbuf)
{
  VfConvert *self = VF_CONVERT(trans);
  if (gst_base_transform_is_passthrough(trans)) {
    *outbuf = inbuf;
    return GST_FLOW_OK;
  }
  GST_OBJECT_LOCK(self);
  VfConvertTarget target = self->target;
  target.scaling = self->scaling;
  GST_OBJECT_UNLOCK(self);
  return self->batched ? convert_batch(self, &target, inbuf, outbuf)
                       : convert_frame(self, &target, inbuf, outbuf);
}

/* The work is done in prepare_output_buffer (the output comes from the converter's pools). */
static GstFlowReturn vf_convert_transform(GstBaseTransform *trans, GstBuffer *inbuf,
                                          GstBuffer *outbuf)
{
  (void)trans;
  (void)inbuf;
  (void)outbuf;
  return GST_FLOW_OK;
}

/* ---- lifecycle ---- */

static gboolean vf_convert_start(GstBaseTransform *trans)
{
  VfConvert *self = VF_CONVERT(trans);
  GST_OBJECT_LOCK(self);
  VfConvertOptions options = { self->method, self->n_threads, self->gpu_id, VF_CONVERT_SPLIT_AUTO };
  GST_OBJECT_UNLOCK(self);
  self->converter = vf_converter_new(&options, GST_ELEMENT(self));
  return TRUE;
}

static gboolean vf_convert_stop(GstBaseTransform *trans)
{
  VfConvert *self = VF_CONVERT(trans);
  g_clear_pointer(&self->converter, vf_converter_free);
  return TRUE;
}

static void vf_convert_class_init(VfConvertClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS(klass);

  gobject_class->set_property = vf_convert_set_property;
  gobject_class->get_property = vf_convert_get_property;

  g_object_class_install_property(
      gobject_class, PROP_SCALING,
      g_param_spec_enum("scaling", "Scaling",
                        "How a frame is fitted into another size: stretch (fill it), letterbox "
                        "(keep proportions, centred, black borders), pad (keep proportions, "
                        "top-left)",
                        VF_TYPE_CONVERT_SCALING, DEFAULT_SCALING,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property(
      gobject_class, PROP_METHOD,
      g_param_spec_enum("method", "Method", "The resampler used to scale", VF_TYPE_CONVERT_METHOD,
                        DEFAULT_METHOD,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property(
      gobject_class, PROP_N_THREADS,
      g_param_spec_uint("n-threads", "Threads",
                        "CPU threads converting the frames of one batch; 0: one per core", 0,
                        G_MAXINT, DEFAULT_N_THREADS,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property(
      gobject_class, PROP_GPU_ID,
      g_param_spec_uint("gpu-id", "GPU id",
                        "CUDA device converting CUDA frames (the CUDA backend; this build "
                        "converts on the CPU)",
                        0, G_MAXINT, DEFAULT_GPU_ID,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(
      element_class, "vidflow converter", "Filter/Converter/Video/Scaler",
      "Converts and scales every frame of a batch (or plain video frames); DeepStream's "
      "nvvideoconvert",
      "vidflow");

  trans_class->transform_caps = GST_DEBUG_FUNCPTR(vf_convert_transform_caps);
  trans_class->fixate_caps = GST_DEBUG_FUNCPTR(vf_convert_fixate_caps);
  trans_class->set_caps = GST_DEBUG_FUNCPTR(vf_convert_set_caps);
  trans_class->sink_event = GST_DEBUG_FUNCPTR(vf_convert_sink_event);
  trans_class->accept_caps = GST_DEBUG_FUNCPTR(vf_convert_accept_caps);
  trans_class->propose_allocation = GST_DEBUG_FUNCPTR(vf_convert_propose_allocation);
  trans_class->decide_allocation = GST_DEBUG_FUNCPTR(vf_convert_decide_allocation);
  trans_class->transform_meta = GST_DEBUG_FUNCPTR(vf_convert_transform_meta);
  trans_class->prepare_output_buffer = GST_DEBUG_FUNCPTR(vf_convert_prepare_output_buffer);
  trans_class->transform = GST_DEBUG_FUNCPTR(vf_convert_transform);
  trans_class->start = GST_DEBUG_FUNCPTR(vf_convert_start);
  trans_class->stop = GST_DEBUG_FUNCPTR(vf_convert_stop);
  trans_class->passthrough_on_same_caps = FALSE;

  gst_type_mark_as_plugin_api(VF_TYPE_CONVERT_SCALING, 0);
  gst_type_mark_as_plugin_api(VF_TYPE_CONVERT_METHOD, 0);
}

static void vf_convert_init(VfConvert *self)
{
  self->scaling = DEFAULT_SCALING;
  self->method = DEFAULT_METHOD;
  self->n_threads = DEFAULT_N_THREADS;
  self->gpu_id = DEFAULT_GPU_ID;
}
