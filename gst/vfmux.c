/* vidflow plugin: vfmux, the nvstreammux equivalent.
 *
 * SECTION:element-vfmux
 *
 * vfmux gathers the frames of N sources (request pads sink_%u) into one batched buffer per batch
 * and describes them with a VfBatchMeta (include/vidflow/meta.h): for each frame its source id
 * (the pad index), batch index, frame number within its source, PTS, original size, sensor id and
 * name.
 *
 * Layout (meta.h): the output buffer holds no pixels; each frame's VfFrameMeta holds a reference
 * to that frame's own buffer, so a batch may hold any number of frames, in system or CUDA memory.
 * A frame that needs no scaling and no conversion is not copied: its frame meta references the
 * source's buffer itself (zero-copy), which goes back to its pool once the last copy of the batch
 * is gone. Other frames are scaled and/or converted on the CPU (GstVideoConverter, one per pad)
 * into buffers from a per-pad pool, referenced the same way. Frames in memory:CUDAMemory pass
 * through zero-copy only: vfmux never maps them. Each frame also records its source's sticky
 * events (stream-start, caps, segment, tags), so that vfdemux rebuilds the original streams.
 *
 * Caps: video/x-raw(meta:VfBatch), format=F, batch-size=N, framerate=R, and width/height when
 * every frame of the batch has that size (always when the width and height properties are set;
 * when they are 0 and sources differ in size, the caps leave width and height out and each
 * frame's size is in its VfFrameMeta). The meta:VfBatch caps feature keeps elements that expect
 * one frame (videoconvert) from misreading a batch; tee, queue, appsink, fakesink accept it.
 *
 * Batches: a batch is complete when every source that has not ended contributed a frame, or when
 * batch-size frames are in (a batch never holds two frames of one source). In a live pipeline
 * (live sources, or live-source=true) an incomplete batch goes out batched-push-timeout after the
 * running time of its earliest frame; the reported latency grows by that timeout. Non-live
 * pipelines wait for every source (or its end of stream). When some sources have ended, batches
 * hold the others' frames; EOS goes downstream once every source ended.
 *
 * Sources come and go: sink pads may be requested and released while PLAYING. Each change (and
 * each source's EOS) is posted as an element message and sent downstream as a serialized custom
 * event (VF_SOURCE_ADDED, VF_SOURCE_REMOVED, VF_SOURCE_EOS in meta.h).
 *
 * Example launch line:
 *   gst-launch-1.0 vfmux name=mux batch-size=2 width=640 height=360 ! fakesink \
 *     videotestsrc num-buffers=100 ! mux.sink_0 \
 *     videotestsrc num-buffers=100 pattern=ball ! video/x-raw,width=320,height=240 ! mux.sink_1
 */
#include "vfmux.h"

#include <string.h>
#include <vidflow/frame-map.h>
#include <vidflow/meta.h>

GST_DEBUG_CATEGORY_STATIC(vf_mux_debug);
#define GST_CAT_DEFAULT vf_mux_debug

/* The formats vfmux accepts (GstVideoConverter converts between all of them on the CPU). */
#define VF_MUX_FORMATS                                                                             \
  "{ RGB, RGBA, NV12, I420, BGR, BGRA, BGRx, RGBx, xRGB, xBGR, ARGB, ABGR, YV12, NV21, GRAY8, "    \
  "YUY2, UYVY, Y42B, Y444 }"

/* ---- output format property ---- */

typedef enum {
  VF_MUX_FORMAT_AUTO = 0,
  VF_MUX_FORMAT_RGB,
  VF_MUX_FORMAT_RGBA,
  VF_MUX_FORMAT_NV12,
  VF_MUX_FORMAT_I420,
} VfMuxFormat;

#define VF_TYPE_MUX_FORMAT (vf_mux_format_get_type())
static GType vf_mux_format_get_type(void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { VF_MUX_FORMAT_AUTO, "Keep the first source's format (others are converted to it)", "auto" },
    { VF_MUX_FORMAT_RGB, "RGB, packed 24-bit", "RGB" },
    { VF_MUX_FORMAT_RGBA, "RGBA, packed 32-bit", "RGBA" },
    { VF_MUX_FORMAT_NV12, "NV12, Y plane + interleaved UV plane", "NV12" },
    { VF_MUX_FORMAT_I420, "I420, Y, U and V planes", "I420" },
    { 0, NULL, NULL },
  };
  if (g_once_init_enter(&type))
    g_once_init_leave(&type, g_enum_register_static("VfMuxFormat", values));
  return type;
}

static GstVideoFormat mux_format_to_video(VfMuxFormat f)
{
  switch (f) {
  case VF_MUX_FORMAT_RGB:
    return GST_VIDEO_FORMAT_RGB;
  case VF_MUX_FORMAT_RGBA:
    return GST_VIDEO_FORMAT_RGBA;
  case VF_MUX_FORMAT_NV12:
    return GST_VIDEO_FORMAT_NV12;
  case VF_MUX_FORMAT_I420:
    return GST_VIDEO_FORMAT_I420;
  default:
    return GST_VIDEO_FORMAT_UNKNOWN;
  }
}

/* ---- the sink pad ---- */

#define MAX_ARRIVALS 64

struct _VfMuxPad {
  GstAggregatorPad parent;

  /* properties (object lock) */
  char *sensor_id;
  char *sensor_name;

  guint source_id; /* from the pad name, fixed */
  GMutex arrival_lock;
  GQueue arrivals; /* monotonic µs of queued buffers, in order (arrival_lock) */
  gulong probe_id;

  /* aggregate thread only (serialized events are handled there too) */
  gboolean has_info;
  GstVideoInfo info;
  gboolean cuda;
  GPtrArray *sticky; /* the source's sticky events (GstEvent refs), immutable once made */
  guint64 frame_number;
  gboolean eos_notified;
  GstVideoConverter *convert;
  GstVideoInfo conv_in, conv_out;
  VfRect conv_content;
  GstBufferPool *pool;
  GstVideoInfo pool_info;
};

enum {
  PAD_PROP_0,
  PAD_PROP_SENSOR_ID,
  PAD_PROP_SENSOR_NAME,
};

G_DEFINE_TYPE(VfMuxPad, vf_mux_pad, GST_TYPE_AGGREGATOR_PAD)

static void vf_mux_pad_reset(VfMuxPad *pad)
{
  g_clear_pointer(&pad->convert, gst_video_converter_free);
  if (pad->pool) {
    gst_buffer_pool_set_active(pad->pool, FALSE);
    gst_clear_object(&pad->pool);
  }
  pad->frame_number = 0;
  pad->eos_notified = FALSE;
  g_clear_pointer(&pad->sticky, g_ptr_array_unref);
  g_mutex_lock(&pad->arrival_lock);
  g_queue_clear(&pad->arrivals);
  g_mutex_unlock(&pad->arrival_lock);
}

static void vf_mux_pad_finalize(GObject *object)
{
  VfMuxPad *pad = VF_MUX_PAD(object);
  vf_mux_pad_reset(pad);
  g_mutex_clear(&pad->arrival_lock);
  g_free(pad->sensor_id);
  g_free(pad->sensor_name);
  G_OBJECT_CLASS(vf_mux_pad_parent_class)->finalize(object);
}

static void vf_mux_pad_set_property(GObject *object, guint id, const GValue *value,
                                    GParamSpec *pspec)
{
  VfMuxPad *pad = VF_MUX_PAD(object);
  GST_OBJECT_LOCK(pad);
  switch (id) {
  case PAD_PROP_SENSOR_ID:
    g_free(pad->sensor_id);
    pad->sensor_id = g_value_dup_string(value);
    break;
  case PAD_PROP_SENSOR_NAME:
    g_free(pad->sensor_name);
    pad->sensor_name = g_value_dup_string(value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(pad);
}

static void vf_mux_pad_get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  VfMuxPad *pad = VF_MUX_PAD(object);
  GST_OBJECT_LOCK(pad);
  switch (id) {
  case PAD_PROP_SENSOR_ID:
    g_value_set_string(value, pad->sensor_id);
    break;
  case PAD_PROP_SENSOR_NAME:
    g_value_set_string(value, pad->sensor_name);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(pad);
}

static GstFlowReturn vf_mux_pad_flush(GstAggregatorPad *aggpad, GstAggregator *agg)
{
  (void)agg;
  VfMuxPad *pad = VF_MUX_PAD(aggpad);
  g_mutex_lock(&pad->arrival_lock);
  g_queue_clear(&pad->arrivals);
  g_mutex_unlock(&pad->arrival_lock);
  return GST_FLOW_OK;
}

static void vf_mux_pad_class_init(VfMuxPadClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  gobject_class->finalize = vf_mux_pad_finalize;
  gobject_class->set_property = vf_mux_pad_set_property;
  gobject_class->get_property = vf_mux_pad_get_property;
  GST_AGGREGATOR_PAD_CLASS(klass)->flush = vf_mux_pad_flush;

  g_object_class_install_property(
      gobject_class, PAD_PROP_SENSOR_ID,
      g_param_spec_string("sensor-id", "Sensor id",
                          "Id of the camera/sensor behind this source (e.g. from a source list), "
                          "copied into each frame's metadata; NULL: unknown",
                          NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property(
      gobject_class, PAD_PROP_SENSOR_NAME,
      g_param_spec_string("sensor-name", "Sensor name",
                          "Human-readable name of the camera/sensor behind this source, copied "
                          "into each frame's metadata; NULL: unknown",
                          NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

static void vf_mux_pad_init(VfMuxPad *pad)
{
  g_mutex_init(&pad->arrival_lock);
  g_queue_init(&pad->arrivals);
  gst_video_info_init(&pad->info);
}

/* Arrival times, for the latency probe: taken before the aggregator queues the buffer. */
static GstPadProbeReturn on_sink_buffer(GstPad *gpad, GstPadProbeInfo *info, gpointer data)
{
  (void)info;
  (void)data;
  VfMuxPad *pad = VF_MUX_PAD(gpad);
  g_mutex_lock(&pad->arrival_lock);
  if (pad->arrivals.length >= MAX_ARRIVALS)
    g_queue_pop_head(&pad->arrivals);
  g_queue_push_tail(&pad->arrivals, (gpointer)(gintptr)g_get_monotonic_time());
  g_mutex_unlock(&pad->arrival_lock);
  return GST_PAD_PROBE_OK;
}

static gint64 pop_arrival(VfMuxPad *pad)
{
  g_mutex_lock(&pad->arrival_lock);
  gint64 t = pad->arrivals.length ? (gint64)(gintptr)g_queue_pop_head(&pad->arrivals) : 0;
  g_mutex_unlock(&pad->arrival_lock);
  return t;
}

/* ---- the element ---- */

#define DEFAULT_BATCH_SIZE 0
#define DEFAULT_WIDTH 0
#define DEFAULT_HEIGHT 0
#define DEFAULT_PUSH_TIMEOUT 40000
#define DEFAULT_LIVE_SOURCE FALSE
#define DEFAULT_ENABLE_PADDING FALSE
#define DEFAULT_FORMAT VF_MUX_FORMAT_AUTO
#define DEFAULT_GPU_ID 0
#define MAX_BATCH_SIZE 1024

struct _VfMux {
  GstAggregator parent;

  /* properties (object lock) */
  guint batch_size;
  guint width, height;
  gint64 push_timeout_us;
  gboolean live_source;
  gboolean enable_padding;
  VfMuxFormat format;
  guint gpu_id;

  /* object lock */
  GQueue pending_events; /* custom events for the source pad, pushed by the aggregate thread */
  guint n_pads;

  /* aggregate thread */
  GstVideoFormat out_format; /* chosen at the first negotiation, kept */
  gboolean out_cuda;
  guint next_pad; /* round robin when batch-size < number of sources */
};

enum {
  PROP_0,
  PROP_BATCH_SIZE,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_PUSH_TIMEOUT,
  PROP_LIVE_SOURCE,
  PROP_ENABLE_PADDING,
  PROP_FORMAT,
  PROP_GPU_ID,
};

#define SINK_CAPS                                                                                  \
  GST_VIDEO_CAPS_MAKE(VF_MUX_FORMATS)                                                              \
  "; " GST_VIDEO_CAPS_MAKE_WITH_FEATURES(VF_CAPS_FEATURE_MEMORY_CUDA, VF_MUX_FORMATS)
#define SRC_CAPS                                                                                   \
  "video/x-raw(" VF_CAPS_FEATURE_META_BATCH "), format=(string)" VF_MUX_FORMATS                    \
  ", batch-size=(int)[1, 1024]; video/x-raw(" VF_CAPS_FEATURE_MEMORY_CUDA                          \
  ", " VF_CAPS_FEATURE_META_BATCH "), format=(string)" VF_MUX_FORMATS                              \
  ", batch-size=(int)[1, 1024]"

static GstStaticPadTemplate sink_template
    = GST_STATIC_PAD_TEMPLATE("sink_%u", GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS(SINK_CAPS));
static GstStaticPadTemplate src_template
    = GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(SRC_CAPS));

G_DEFINE_TYPE_WITH_CODE(VfMux, vf_mux, GST_TYPE_AGGREGATOR,
                        GST_DEBUG_CATEGORY_INIT(vf_mux_debug, "vfmux", 0,
                                                "vidflow batching muxer"));
GST_ELEMENT_REGISTER_DEFINE(vfmux, "vfmux", GST_RANK_NONE, VF_TYPE_MUX);

static void update_latency(VfMux *self)
{
  GST_OBJECT_LOCK(self);
  GstClockTime latency = (GstClockTime)self->push_timeout_us * GST_USECOND;
  GST_OBJECT_UNLOCK(self);
  /* The aggregator waits up to its latency for late sources and reports it downstream. */
  g_object_set(self, "latency", latency, NULL);
}

static void vf_mux_set_property(GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  VfMux *self = VF_MUX(object);
  gboolean renegotiate = FALSE;
  switch (id) {
  case PROP_BATCH_SIZE:
    GST_OBJECT_LOCK(self);
    self->batch_size = g_value_get_uint(value);
    GST_OBJECT_UNLOCK(self);
    renegotiate = TRUE;
    break;
  case PROP_WIDTH:
    GST_OBJECT_LOCK(self);
    self->width = g_value_get_uint(value);
    GST_OBJECT_UNLOCK(self);
    renegotiate = TRUE;
    break;
  case PROP_HEIGHT:
    GST_OBJECT_LOCK(self);
    self->height = g_value_get_uint(value);
    GST_OBJECT_UNLOCK(self);
    renegotiate = TRUE;
    break;
  case PROP_PUSH_TIMEOUT:
    GST_OBJECT_LOCK(self);
    self->push_timeout_us = g_value_get_int64(value);
    GST_OBJECT_UNLOCK(self);
    update_latency(self);
    break;
  case PROP_LIVE_SOURCE:
    GST_OBJECT_LOCK(self);
    self->live_source = g_value_get_boolean(value);
    GST_OBJECT_UNLOCK(self);
    gst_aggregator_set_force_live(GST_AGGREGATOR(self), g_value_get_boolean(value));
    break;
  case PROP_ENABLE_PADDING:
    GST_OBJECT_LOCK(self);
    self->enable_padding = g_value_get_boolean(value);
    GST_OBJECT_UNLOCK(self);
    break;
  case PROP_FORMAT:
    GST_OBJECT_LOCK(self);
    self->format = g_value_get_enum(value);
    GST_OBJECT_UNLOCK(self);
    renegotiate = TRUE;
    break;
  case PROP_GPU_ID:
    GST_OBJECT_LOCK(self);
    self->gpu_id = g_value_get_uint(value);
    GST_OBJECT_UNLOCK(self);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    return;
  }
  if (renegotiate)
    gst_pad_mark_reconfigure(GST_AGGREGATOR_SRC_PAD(self));
}

static void vf_mux_get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  VfMux *self = VF_MUX(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_BATCH_SIZE:
    g_value_set_uint(value, self->batch_size);
    break;
  case PROP_WIDTH:
    g_value_set_uint(value, self->width);
    break;
  case PROP_HEIGHT:
    g_value_set_uint(value, self->height);
    break;
  case PROP_PUSH_TIMEOUT:
    g_value_set_int64(value, self->push_timeout_us);
    break;
  case PROP_LIVE_SOURCE:
    g_value_set_boolean(value, self->live_source);
    break;
  case PROP_ENABLE_PADDING:
    g_value_set_boolean(value, self->enable_padding);
    break;
  case PROP_FORMAT:
    g_value_set_enum(value, self->format);
    break;
  case PROP_GPU_ID:
    g_value_set_uint(value, self->gpu_id);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(self);
}

/* ---- sources coming and going ---- */

static void announce(VfMux *self, const char *what, guint source_id, const char *pad_name,
                     gboolean message)
{
  GstStructure *s = gst_structure_new(what, "source-id", G_TYPE_UINT, source_id, NULL);
  GST_OBJECT_LOCK(self);
  g_queue_push_tail(&self->pending_events,
                    gst_event_new_custom(GST_EVENT_CUSTOM_DOWNSTREAM, gst_structure_copy(s)));
  GST_OBJECT_UNLOCK(self);
  if (message) {
    gst_structure_set(s, "pad-name", G_TYPE_STRING, pad_name, NULL);
    gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), s));
  } else {
    gst_structure_free(s);
  }
}

static void push_pending_events(VfMux *self)
{
  while (TRUE) {
    GST_OBJECT_LOCK(self);
    GstEvent *event = g_queue_pop_head(&self->pending_events);
    GST_OBJECT_UNLOCK(self);
    if (event == NULL)
      break;
    gst_pad_push_event(GST_AGGREGATOR_SRC_PAD(self), event);
  }
}

static GstPad *vf_mux_request_new_pad(GstElement *element, GstPadTemplate *templ, const gchar *name,
                                      const GstCaps *caps)
{
  VfMux *self = VF_MUX(element);
  if (name) {
    GstPad *existing = gst_element_get_static_pad(element, name);
    if (existing) {
      GST_WARNING_OBJECT(self, "pad %s exists already: request another name or none", name);
      gst_object_unref(existing);
      return NULL;
    }
  }
  GstPad *gpad
      = GST_ELEMENT_CLASS(vf_mux_parent_class)->request_new_pad(element, templ, name, caps);
  if (gpad == NULL)
    return NULL;
  VfMuxPad *pad = VF_MUX_PAD(gpad);
  const char *num = strrchr(GST_PAD_NAME(gpad), '_');
  pad->source_id = num ? (guint)g_ascii_strtoull(num + 1, NULL, 10) : 0;
  pad->probe_id = gst_pad_add_probe(gpad, GST_PAD_PROBE_TYPE_BUFFER, on_sink_buffer, NULL, NULL);
  GST_OBJECT_LOCK(self);
  self->n_pads++;
  GST_OBJECT_UNLOCK(self);
  GST_INFO_OBJECT(self, "source %u joined (%s)", pad->source_id, GST_PAD_NAME(gpad));
  announce(self, VF_SOURCE_ADDED, pad->source_id, GST_PAD_NAME(gpad), TRUE);
  gst_pad_mark_reconfigure(GST_AGGREGATOR_SRC_PAD(self));
  return gpad;
}

static void vf_mux_release_pad(GstElement *element, GstPad *gpad)
{
  VfMux *self = VF_MUX(element);
  VfMuxPad *pad = VF_MUX_PAD(gpad);
  char *name = g_strdup(GST_PAD_NAME(gpad));
  guint source_id = pad->source_id;
  GST_OBJECT_LOCK(self);
  self->n_pads--;
  GST_OBJECT_UNLOCK(self);
  GST_ELEMENT_CLASS(vf_mux_parent_class)->release_pad(element, gpad);
  GST_INFO_OBJECT(self, "source %u left (%s)", source_id, name);
  announce(self, VF_SOURCE_REMOVED, source_id, name, TRUE);
  gst_pad_mark_reconfigure(GST_AGGREGATOR_SRC_PAD(self));
  g_free(name);
}

/* ---- caps ---- */

typedef struct {
  guint batch_size, width, height;
  gboolean padding;
  VfMuxFormat format;
} Settings;

static void get_settings(VfMux *self, Settings *s)
{
  GST_OBJECT_LOCK(self);
  s->batch_size = self->batch_size ? self->batch_size : MAX(self->n_pads, 1);
  s->width = self->width;
  s->height = self->height;
  s->padding = self->enable_padding;
  s->format = self->format;
  GST_OBJECT_UNLOCK(self);
}

/* The sink pads, sorted by source id (transfer full: a GPtrArray of refs). */
static GPtrArray *get_pads(VfMux *self)
{
  GPtrArray *pads = g_ptr_array_new_with_free_func(gst_object_unref);
  GST_OBJECT_LOCK(self);
  for (GList *l = GST_ELEMENT(self)->sinkpads; l; l = l->next)
    g_ptr_array_add(pads, gst_object_ref(l->data));
  GST_OBJECT_UNLOCK(self);
  return pads;
}

static gint compare_source_id(gconstpointer a, gconstpointer b)
{
  const VfMuxPad *pa = *(VfMuxPad *const *)a, *pb = *(VfMuxPad *const *)b;
  return pa->source_id < pb->source_id ? -1 : pa->source_id > pb->source_id;
}

static gboolean format_convertible(GstVideoFormat f)
{
  static GstCaps *all = NULL;
  if (g_once_init_enter(&all)) {
    GstCaps *c = gst_caps_from_string("video/x-raw, format=(string)" VF_MUX_FORMATS);
    GST_MINI_OBJECT_FLAG_SET(c, GST_MINI_OBJECT_FLAG_MAY_BE_LEAKED);
    g_once_init_leave(&all, c);
  }
  GstCaps *one = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING,
                                     gst_video_format_to_string(f), NULL);
  gboolean ok = f != GST_VIDEO_FORMAT_UNKNOWN && gst_caps_can_intersect(one, all);
  gst_caps_unref(one);
  return ok;
}

static GstCaps *build_src_caps(GstVideoFormat format, gboolean cuda, gint width, gint height,
                               gint fps_n, gint fps_d, guint batch_size)
{
  GstCaps *caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING,
                                      gst_video_format_to_string(format), NULL);
  GstCapsFeatures *f
      = cuda ? gst_caps_features_new(VF_CAPS_FEATURE_MEMORY_CUDA, VF_CAPS_FEATURE_META_BATCH, NULL)
             : gst_caps_features_new(VF_CAPS_FEATURE_META_BATCH, NULL);
  gst_caps_set_features(caps, 0, f);
  if (width > 0 && height > 0)
    gst_caps_set_simple(caps, "width", G_TYPE_INT, width, "height", G_TYPE_INT, height, NULL);
  gst_caps_set_simple(caps, "framerate", GST_TYPE_FRACTION, fps_n, fps_d, "batch-size", G_TYPE_INT,
                      (gint)batch_size, NULL);
  return caps;
}

static GstFlowReturn vf_mux_update_src_caps(GstAggregator *agg, GstCaps *downstream, GstCaps **ret)
{
  VfMux *self = VF_MUX(agg);
  Settings s;
  get_settings(self, &s);

  GPtrArray *pads = get_pads(self);
  g_ptr_array_sort(pads, compare_source_id);
  VfMuxPad *first = NULL;
  gboolean same_size = TRUE, same_rate = TRUE, any_cuda = FALSE, any_sys = FALSE;
  for (guint i = 0; i < pads->len; i++) {
    VfMuxPad *p = g_ptr_array_index(pads, i);
    if (!p->has_info)
      continue;
    if (p->cuda)
      any_cuda = TRUE;
    else
      any_sys = TRUE;
    if (first == NULL) {
      first = p;
      continue;
    }
    if (GST_VIDEO_INFO_WIDTH(&p->info) != GST_VIDEO_INFO_WIDTH(&first->info)
        || GST_VIDEO_INFO_HEIGHT(&p->info) != GST_VIDEO_INFO_HEIGHT(&first->info))
      same_size = FALSE;
    if (GST_VIDEO_INFO_FPS_N(&p->info) * GST_VIDEO_INFO_FPS_D(&first->info)
        != GST_VIDEO_INFO_FPS_N(&first->info) * GST_VIDEO_INFO_FPS_D(&p->info))
      same_rate = FALSE;
  }
  if (first == NULL) {
    g_ptr_array_unref(pads);
    return GST_AGGREGATOR_FLOW_NEED_DATA;
  }
  GstVideoInfo first_info = first->info;
  g_ptr_array_unref(pads);

  if (any_cuda && any_sys) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("vfmux '%s': mixed memory types", GST_OBJECT_NAME(self)),
                      ("some sources give memory:CUDAMemory frames and others system memory; "
                       "make them agree (cudaupload or cudadownload before vfmux)"));
    return GST_FLOW_NOT_NEGOTIATED;
  }

  GstVideoFormat format = mux_format_to_video(s.format);
  if (format == GST_VIDEO_FORMAT_UNKNOWN)
    format = self->out_format != GST_VIDEO_FORMAT_UNKNOWN ? self->out_format
                                                          : GST_VIDEO_INFO_FORMAT(&first_info);
  gint width = 0, height = 0;
  if (s.width > 0 && s.height > 0) {
    width = (gint)s.width;
    height = (gint)s.height;
  } else if (same_size) {
    width = GST_VIDEO_INFO_WIDTH(&first_info);
    height = GST_VIDEO_INFO_HEIGHT(&first_info);
  }
  gint fps_n = same_rate ? GST_VIDEO_INFO_FPS_N(&first_info) : 0;
  gint fps_d = same_rate ? GST_VIDEO_INFO_FPS_D(&first_info) : 1;

  GstCaps *caps = build_src_caps(format, any_cuda, width, height, fps_n, fps_d, s.batch_size);
  if (downstream && !gst_caps_can_intersect(caps, downstream) && s.format == VF_MUX_FORMAT_AUTO
      && !any_cuda) {
    /* Downstream wants another format: take the first one it accepts that we can make. */
    for (guint i = 0; i < gst_caps_get_size(downstream); i++) {
      const GValue *v = gst_structure_get_value(gst_caps_get_structure(downstream, i), "format");
      const char *name = NULL;
      if (v && G_VALUE_HOLDS_STRING(v))
        name = g_value_get_string(v);
      else if (v && GST_VALUE_HOLDS_LIST(v) && gst_value_list_get_size(v) > 0)
        name = g_value_get_string(gst_value_list_get_value(v, 0));
      GstVideoFormat f = name ? gst_video_format_from_string(name) : GST_VIDEO_FORMAT_UNKNOWN;
      if (format_convertible(f)) {
        gst_caps_unref(caps);
        format = f;
        caps = build_src_caps(format, any_cuda, width, height, fps_n, fps_d, s.batch_size);
        break;
      }
    }
  }
  if (downstream && !gst_caps_can_intersect(caps, downstream)) {
    GST_WARNING_OBJECT(self,
                       "downstream refuses %" GST_PTR_FORMAT " (it accepts %" GST_PTR_FORMAT ")",
                       caps, downstream);
    gst_caps_unref(caps);
    return GST_FLOW_NOT_NEGOTIATED;
  }
  GST_DEBUG_OBJECT(self, "output caps %" GST_PTR_FORMAT, caps);
  *ret = caps;
  return GST_FLOW_OK;
}

static gboolean vf_mux_negotiated_src_caps(GstAggregator *agg, GstCaps *caps)
{
  VfMux *self = VF_MUX(agg);
  GstStructure *st = gst_caps_get_structure(caps, 0);
  const char *format = gst_structure_get_string(st, "format");
  self->out_format = format ? gst_video_format_from_string(format) : GST_VIDEO_FORMAT_UNKNOWN;
  self->out_cuda = vf_caps_get_device(caps) == VF_DEVICE_CUDA;
  return self->out_format != GST_VIDEO_FORMAT_UNKNOWN;
}

/* The caps a source should produce: our output format/size first (no conversion then), then
 * anything we can convert. */
static GstCaps *sink_caps(VfMux *self, GstPad *pad, GstCaps *filter)
{
  Settings s;
  get_settings(self, &s);
  GstCaps *templ = gst_pad_get_pad_template_caps(pad);
  GstVideoFormat format = mux_format_to_video(s.format);
  if (format == GST_VIDEO_FORMAT_UNKNOWN)
    format = self->out_format;
  GstCaps *result;
  if (format != GST_VIDEO_FORMAT_UNKNOWN || (s.width && s.height)) {
    result = gst_caps_copy(templ);
    for (guint i = 0; i < gst_caps_get_size(result); i++) {
      GstStructure *st = gst_caps_get_structure(result, i);
      if (format != GST_VIDEO_FORMAT_UNKNOWN)
        gst_structure_set(st, "format", G_TYPE_STRING, gst_video_format_to_string(format), NULL);
      if (s.width && s.height)
        gst_structure_set(st, "width", G_TYPE_INT, (gint)s.width, "height", G_TYPE_INT,
                          (gint)s.height, NULL);
    }
    result = gst_caps_merge(result, gst_caps_ref(templ));
  } else {
    result = gst_caps_ref(templ);
  }
  gst_caps_unref(templ);
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full(filter, result, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref(result);
    result = tmp;
  }
  return result;
}

static gboolean vf_mux_sink_query(GstAggregator *agg, GstAggregatorPad *aggpad, GstQuery *query)
{
  VfMux *self = VF_MUX(agg);
  switch (GST_QUERY_TYPE(query)) {
  case GST_QUERY_CAPS: {
    GstCaps *filter;
    gst_query_parse_caps(query, &filter);
    GstCaps *caps = sink_caps(self, GST_PAD(aggpad), filter);
    gst_query_set_caps_result(query, caps);
    gst_caps_unref(caps);
    return TRUE;
  }
  case GST_QUERY_ACCEPT_CAPS: {
    GstCaps *caps;
    gst_query_parse_accept_caps(query, &caps);
    GstCaps *templ = gst_pad_get_pad_template_caps(GST_PAD(aggpad));
    gst_query_set_accept_caps_result(query, gst_caps_is_subset(caps, templ));
    gst_caps_unref(templ);
    return TRUE;
  }
  case GST_QUERY_ALLOCATION:
    /* Frames with their own strides and offsets are read as they are. */
    gst_query_add_allocation_meta(query, GST_VIDEO_META_API_TYPE, NULL);
    return TRUE;
  default:
    return GST_AGGREGATOR_CLASS(vf_mux_parent_class)->sink_query(agg, aggpad, query);
  }
}

static void notify_eos(VfMux *self, VfMuxPad *pad);

static gboolean same_slot(GstEvent *a, GstEvent *b)
{
  if (GST_EVENT_TYPE(a) != GST_EVENT_TYPE(b))
    return FALSE;
  if (GST_EVENT_TYPE(a) != GST_EVENT_CUSTOM_DOWNSTREAM_STICKY)
    return TRUE;
  const GstStructure *sa = gst_event_get_structure(a), *sb = gst_event_get_structure(b);
  return sa && sb && gst_structure_has_name(sa, gst_structure_get_name(sb));
}

/* Record a sticky event of the source: a new immutable array (frames already made keep theirs),
 * in GStreamer's sticky order, the event replacing the one of its kind. A new stream starts a
 * new set. */
static void record_sticky(VfMuxPad *pad, GstEvent *event)
{
  GPtrArray *old = pad->sticky;
  GPtrArray *set = g_ptr_array_new_with_free_func((GDestroyNotify)gst_event_unref);
  gboolean new_stream = FALSE;
  if (GST_EVENT_TYPE(event) == GST_EVENT_STREAM_START) {
    const gchar *id = NULL, *old_id = NULL;
    gst_event_parse_stream_start(event, &id);
    for (guint i = 0; old && i < old->len; i++)
      if (GST_EVENT_TYPE(g_ptr_array_index(old, i)) == GST_EVENT_STREAM_START)
        gst_event_parse_stream_start(g_ptr_array_index(old, i), &old_id);
    new_stream = g_strcmp0(id, old_id) != 0;
  }
  gboolean placed = FALSE;
  for (guint i = 0; old && !new_stream && i <= old->len; i++) {
    GstEvent *e = i < old->len ? g_ptr_array_index(old, i) : NULL;
    if (!placed && (e == NULL || GST_EVENT_TYPE(e) > GST_EVENT_TYPE(event))) {
      g_ptr_array_add(set, gst_event_ref(event));
      placed = TRUE;
    }
    if (e && !same_slot(e, event))
      g_ptr_array_add(set, gst_event_ref(e));
    else if (e && !placed) {
      g_ptr_array_add(set, gst_event_ref(event));
      placed = TRUE;
    }
  }
  if (!placed)
    g_ptr_array_add(set, gst_event_ref(event));
  pad->sticky = set;
  if (old)
    g_ptr_array_unref(old);
}

static gboolean vf_mux_sink_event(GstAggregator *agg, GstAggregatorPad *aggpad, GstEvent *event)
{
  VfMux *self = VF_MUX(agg);
  VfMuxPad *pad = VF_MUX_PAD(aggpad);
  /* Serialized events come here on the aggregate thread, in order with the pad's buffers. */
  if (GST_EVENT_IS_STICKY(event) && GST_EVENT_TYPE(event) != GST_EVENT_EOS)
    record_sticky(pad, event);
  if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
    GstCaps *caps;
    gst_event_parse_caps(event, &caps);
    GstVideoInfo info;
    if (!gst_video_info_from_caps(&info, caps)) {
      GST_ELEMENT_ERROR(
          self, STREAM, FORMAT,
          ("vfmux '%s': pad %s got caps it cannot read", GST_OBJECT_NAME(self), GST_PAD_NAME(pad)),
          ("caps %" GST_PTR_FORMAT, caps));
      gst_event_unref(event);
      return FALSE;
    }
    GST_DEBUG_OBJECT(pad, "caps %" GST_PTR_FORMAT, caps);
    pad->info = info;
    pad->has_info = TRUE;
    pad->cuda = vf_caps_get_device(caps) == VF_DEVICE_CUDA;
    gst_pad_mark_reconfigure(GST_AGGREGATOR_SRC_PAD(self));
    gst_event_unref(event); /* ours go downstream, not the sources' */
    return TRUE;
  }
  if (GST_EVENT_TYPE(event) == GST_EVENT_STREAM_START)
    pad->eos_notified = FALSE;
  else if (GST_EVENT_TYPE(event) == GST_EVENT_EOS)
    notify_eos(self, pad); /* serialized: every frame of this source was taken before */
  return GST_AGGREGATOR_CLASS(vf_mux_parent_class)->sink_event(agg, aggpad, event);
}

/* ---- timing ---- */

/* Live mode: an incomplete batch goes out `latency` (batched-push-timeout + upstream latency)
 * after the running time of the earliest waiting frame. */
static GstClockTime vf_mux_get_next_time(GstAggregator *agg)
{
  GstClockTime earliest = GST_CLOCK_TIME_NONE;
  GST_OBJECT_LOCK(agg);
  for (GList *l = GST_ELEMENT(agg)->sinkpads; l; l = l->next) {
    GstAggregatorPad *p = l->data;
    GstBuffer *b = gst_aggregator_pad_peek_buffer(p);
    if (b == NULL)
      continue;
    GstClockTime rt = GST_CLOCK_TIME_NONE;
    if (GST_BUFFER_PTS_IS_VALID(b) && p->segment.format == GST_FORMAT_TIME)
      rt = gst_segment_to_running_time(&p->segment, GST_FORMAT_TIME, GST_BUFFER_PTS(b));
    if (!GST_CLOCK_TIME_IS_VALID(rt))
      rt = 0; /* no timestamp: due now */
    if (!GST_CLOCK_TIME_IS_VALID(earliest) || rt < earliest)
      earliest = rt;
    gst_buffer_unref(b);
  }
  GST_OBJECT_UNLOCK(agg);
  return earliest;
}

/* ---- building a batch ---- */

typedef struct {
  VfMuxPad *pad;
  GstBuffer *buffer; /* the source frame, popped (transfer full) */
  GPtrArray *sticky; /* the source's sticky events for this frame (ref) */
  gboolean convert;
  GstVideoInfo in_info;  /* the source frame, its layout included */
  GstVideoInfo out_info; /* the frame as stored in the batch */
  VfRect content;
  GstBuffer *converted; /* convert: the frame made from `buffer` (transfer full) */
  GError *error;        /* why conversion failed */
} Slot;

static gint compare_slots(gconstpointer a, gconstpointer b)
{
  guint sa = ((const Slot *)a)->pad->source_id, sb = ((const Slot *)b)->pad->source_id;
  return sa < sb ? -1 : sa > sb;
}

/* Decide the stored size/format of a source frame and where the picture goes in it. */
static void plan_slot(VfMux *self, const Settings *s, Slot *slot)
{
  const GstVideoInfo *in = &slot->pad->info;
  gint w = GST_VIDEO_INFO_WIDTH(in), h = GST_VIDEO_INFO_HEIGHT(in);
  gint out_w = s->width && s->height ? (gint)s->width : w;
  gint out_h = s->width && s->height ? (gint)s->height : h;
  GstVideoFormat format = self->out_format;
  slot->convert = format != GST_VIDEO_INFO_FORMAT(in) || out_w != w || out_h != h;
  vf_frame_layout(in, slot->buffer, &slot->in_info);
  if (!slot->convert) {
    slot->out_info = slot->in_info;
    slot->content = (VfRect){ 0, 0, (gfloat)w, (gfloat)h };
    return;
  }
  gst_video_info_set_format(&slot->out_info, format, (guint)out_w, (guint)out_h);
  GST_VIDEO_INFO_FPS_N(&slot->out_info) = GST_VIDEO_INFO_FPS_N(in);
  GST_VIDEO_INFO_FPS_D(&slot->out_info) = GST_VIDEO_INFO_FPS_D(in);
  gint cw = out_w, ch = out_h;
  if (s->padding && (out_w != w || out_h != h)) {
    /* Keep the aspect ratio: scale to fit, pad right and bottom (as nvstreammux). */
    gdouble scale = MIN(out_w / (gdouble)w, out_h / (gdouble)h);
    cw = CLAMP((gint)(w * scale + 0.5), 1, out_w);
    ch = CLAMP((gint)(h * scale + 0.5), 1, out_h);
  }
  slot->content = (VfRect){ 0, 0, (gfloat)cw, (gfloat)ch };
}

/* ---- converting frames ----
 * Each slot that needs scaling or conversion is one independent job: its input buffer, its pad's
 * converter and pool, its output buffer and error. No job touches another's state or the element,
 * so the jobs of a batch can run in parallel, and a CUDA backend converts CUDA frames in place of
 * the CPU one (convert_slot picks by the frame's memory). */

static gboolean ensure_converter(VfMuxPad *pad, const GstVideoInfo *in, const GstVideoInfo *out,
                                 const VfRect *content)
{
  if (pad->convert && gst_video_info_is_equal(&pad->conv_in, in)
      && gst_video_info_is_equal(&pad->conv_out, out)
      && memcmp(&pad->conv_content, content, sizeof *content) == 0)
    return TRUE;
  g_clear_pointer(&pad->convert, gst_video_converter_free);
  gboolean padded
      = content->width < GST_VIDEO_INFO_WIDTH(out) || content->height < GST_VIDEO_INFO_HEIGHT(out);
  GstStructure *config = gst_structure_new(
      "vfmux-convert", GST_VIDEO_CONVERTER_OPT_RESAMPLER_METHOD, GST_TYPE_VIDEO_RESAMPLER_METHOD,
      GST_VIDEO_RESAMPLER_METHOD_LINEAR, GST_VIDEO_CONVERTER_OPT_DEST_X, G_TYPE_INT,
      (gint)content->left, GST_VIDEO_CONVERTER_OPT_DEST_Y, G_TYPE_INT, (gint)content->top,
      GST_VIDEO_CONVERTER_OPT_DEST_WIDTH, G_TYPE_INT, (gint)content->width,
      GST_VIDEO_CONVERTER_OPT_DEST_HEIGHT, G_TYPE_INT, (gint)content->height,
      GST_VIDEO_CONVERTER_OPT_FILL_BORDER, G_TYPE_BOOLEAN, padded,
      GST_VIDEO_CONVERTER_OPT_BORDER_ARGB, G_TYPE_UINT, 0xff000000u, NULL);
  pad->convert = gst_video_converter_new((GstVideoInfo *)in, (GstVideoInfo *)out, config);
  if (pad->convert == NULL)
    return FALSE;
  pad->conv_in = *in;
  pad->conv_out = *out;
  pad->conv_content = *content;
  return TRUE;
}

static GstBufferPool *ensure_pool(VfMuxPad *pad, const GstVideoInfo *info)
{
  if (pad->pool && gst_video_info_is_equal(&pad->pool_info, info))
    return pad->pool;
  if (pad->pool) {
    gst_buffer_pool_set_active(pad->pool, FALSE);
    gst_clear_object(&pad->pool);
  }
  GstBufferPool *pool = gst_video_buffer_pool_new();
  GstStructure *config = gst_buffer_pool_get_config(pool);
  GstCaps *caps = gst_video_info_to_caps(info);
  gst_buffer_pool_config_set_params(config, caps, (guint)GST_VIDEO_INFO_SIZE(info), 2, 0);
  gst_caps_unref(caps);
  if (!gst_buffer_pool_set_config(pool, config) || !gst_buffer_pool_set_active(pool, TRUE)) {
    gst_object_unref(pool);
    return NULL;
  }
  pad->pool = pool;
  pad->pool_info = *info;
  return pool;
}

static char *describe(const GstVideoInfo *info)
{
  return g_strdup_printf("%s %dx%d", GST_VIDEO_INFO_NAME(info), GST_VIDEO_INFO_WIDTH(info),
                         GST_VIDEO_INFO_HEIGHT(info));
}

/* CPU backend: scale / convert / pad the slot's frame into a buffer of its pad's pool. */
static gboolean convert_slot_cpu(Slot *slot)
{
  VfMuxPad *pad = slot->pad;
  GstBufferPool *pool = ensure_pool(pad, &slot->out_info);
  GstBuffer *out = NULL;
  if (pool == NULL || gst_buffer_pool_acquire_buffer(pool, &out, NULL) != GST_FLOW_OK) {
    char *o = describe(&slot->out_info);
    g_set_error(&slot->error, VF_ERROR, VF_ERROR_FAILED,
                "no buffer for a %s frame of pad %s (the buffer pool could not be set up or "
                "allocate)",
                o, GST_PAD_NAME(pad));
    g_free(o);
    return FALSE;
  }
  if (!ensure_converter(pad, &slot->in_info, &slot->out_info, &slot->content)) {
    char *i = describe(&slot->in_info), *o = describe(&slot->out_info);
    g_set_error(&slot->error, VF_ERROR, VF_ERROR_FORMAT,
                "pad %s: GstVideoConverter cannot convert %s to %s", GST_PAD_NAME(pad), i, o);
    g_free(i);
    g_free(o);
    gst_buffer_unref(out);
    return FALSE;
  }
  VfFrameMap src, dst;
  GError *err = NULL;
  if (!vf_frame_map_buffer(&src, slot->buffer, &slot->in_info, VF_DEVICE_CPU, GST_MAP_READ, &err)
      || !vf_frame_map_buffer(&dst, out, &slot->out_info, VF_DEVICE_CPU, GST_MAP_WRITE, &err)) {
    g_set_error(&slot->error, VF_ERROR, err->code, "pad %s: %s", GST_PAD_NAME(pad), err->message);
    g_error_free(err);
    vf_frame_unmap(&src);
    gst_buffer_unref(out);
    return FALSE;
  }
  GstVideoFrame in_frame, out_frame;
  vf_frame_map_to_video_frame(&src, &in_frame);
  vf_frame_map_to_video_frame(&dst, &out_frame);
  gst_video_converter_frame(pad->convert, &in_frame, &out_frame);
  vf_frame_unmap(&dst);
  vf_frame_unmap(&src);
  slot->converted = out;
  return TRUE;
}

static gboolean convert_slot(Slot *slot)
{
  VfDevice device = slot->pad->cuda ? VF_DEVICE_CUDA : VF_DEVICE_CPU;
  GError *why = NULL;
  /* The backend for the frame's memory: the CPU one in this build. */
  if (device == VF_DEVICE_CPU && vf_frame_get_device(slot->buffer, NULL) == VF_DEVICE_CPU)
    return convert_slot_cpu(slot);
  vf_frame_map_supported(VF_DEVICE_CUDA, VF_DEVICE_CPU, &why);
  char *i = describe(&slot->in_info), *o = describe(&slot->out_info);
  g_set_error(&slot->error, VF_ERROR, VF_ERROR_UNSUPPORTED,
              "pad %s gives memory:CUDAMemory frames (%s) that must be scaled or converted to %s, "
              "which this build does on the CPU only (%s); set width=0 height=0 format=auto to "
              "batch them zero-copy, or make the sources produce %s",
              GST_PAD_NAME(slot->pad), i, o, why->message, o);
  g_free(i);
  g_free(o);
  g_error_free(why);
  return FALSE;
}

/* Run the conversion jobs of a batch; FALSE after posting the first failure. */
static gboolean convert_slots(VfMux *self, Slot *slots, guint n)
{
  for (guint i = 0; i < n; i++)
    if (slots[i].convert)
      convert_slot(&slots[i]);
  for (guint i = 0; i < n; i++) {
    if (slots[i].error == NULL)
      continue;
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("vfmux '%s': %s", GST_OBJECT_NAME(self), slots[i].error->message), (NULL));
    return FALSE;
  }
  return TRUE;
}

static void clear_slot(Slot *slot)
{
  gst_clear_buffer(&slot->buffer);
  gst_clear_buffer(&slot->converted);
  g_clear_pointer(&slot->sticky, g_ptr_array_unref);
  g_clear_error(&slot->error);
}

static void notify_eos(VfMux *self, VfMuxPad *pad)
{
  if (pad->eos_notified)
    return;
  pad->eos_notified = TRUE;
  GST_INFO_OBJECT(self, "source %u ended (%s)", pad->source_id, GST_PAD_NAME(pad));
  announce(self, VF_SOURCE_EOS, pad->source_id, GST_PAD_NAME(pad), TRUE);
}

/* Build one batch from `slots` (n frames, in any order) and push it. */
static GstFlowReturn push_batch(VfMux *self, const Settings *s, Slot *slots, guint n)
{
  GstAggregator *agg = GST_AGGREGATOR(self);
  qsort(slots, n, sizeof *slots, compare_slots); /* batch order: by source id */
  for (guint i = 0; i < n; i++) {
    Slot *slot = &slots[i];
    slot->buffer = gst_aggregator_pad_pop_buffer(GST_AGGREGATOR_PAD(slot->pad));
    slot->sticky = slot->pad->sticky ? g_ptr_array_ref(slot->pad->sticky) : NULL;
    plan_slot(self, s, slot);
  }
  if (!convert_slots(self, slots, n)) {
    for (guint i = 0; i < n; i++)
      clear_slot(&slots[i]);
    return GST_FLOW_ERROR;
  }

  GstBuffer *out = gst_buffer_new();
  VfBatchMeta *meta = vf_batch_meta_add(out, s->batch_size);
  GstClockTime pts = GST_CLOCK_TIME_NONE, duration = GST_CLOCK_TIME_NONE;
  for (guint i = 0; i < n; i++) {
    Slot *slot = &slots[i];
    VfMuxPad *pad = slot->pad;
    VfFrameMeta *f = slot->convert ? vf_batch_meta_add_frame(meta, slot->converted, &slot->out_info)
                                   : vf_batch_meta_add_frame(meta, slot->buffer, &slot->in_info);
    GstSegment *seg = &GST_AGGREGATOR_PAD(pad)->segment;
    GstClockTime fpts = GST_BUFFER_PTS(slot->buffer);
    GstClockTime rt = GST_CLOCK_TIME_IS_VALID(fpts) && seg->format == GST_FORMAT_TIME
                          ? gst_segment_to_running_time(seg, GST_FORMAT_TIME, fpts)
                          : GST_CLOCK_TIME_NONE;
    vf_frame_meta_set_source_id(f, pad->source_id);
    vf_frame_meta_set_frame_number(f, pad->frame_number++);
    vf_frame_meta_set_pts(f, fpts);
    vf_frame_meta_set_duration(f, GST_BUFFER_DURATION(slot->buffer));
    vf_frame_meta_set_running_time(f, rt);
    vf_frame_meta_set_arrival_time(f, pop_arrival(pad));
    vf_frame_meta_set_original_size(f, (guint)GST_VIDEO_INFO_WIDTH(&pad->info),
                                    (guint)GST_VIDEO_INFO_HEIGHT(&pad->info));
    vf_frame_meta_set_content_rect(f, &slot->content);
    vf_frame_meta_set_sticky_events(f, slot->sticky);
    GST_OBJECT_LOCK(pad);
    vf_frame_meta_set_sensor(f, pad->sensor_id, pad->sensor_name);
    GST_OBJECT_UNLOCK(pad);
    if (GST_CLOCK_TIME_IS_VALID(rt) && (!GST_CLOCK_TIME_IS_VALID(pts) || rt < pts))
      pts = rt;
    if (!GST_CLOCK_TIME_IS_VALID(duration))
      duration = GST_BUFFER_DURATION(slot->buffer);
    clear_slot(slot); /* the frame holds its own references */
  }

  GST_BUFFER_PTS(out) = pts;
  GST_BUFFER_DTS(out) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION(out) = duration;
  if (GST_CLOCK_TIME_IS_VALID(pts)) {
    GST_OBJECT_LOCK(self);
    GST_AGGREGATOR_PAD(agg->srcpad)->segment.position = pts;
    GST_OBJECT_UNLOCK(self);
  }
  return gst_aggregator_finish_buffer(agg, out);
}

/* Gap buffers (from GAP events) carry no frame: the source simply has none for this batch.
 * TRUE when gaps were dropped. */
static gboolean drop_gaps(GstAggregatorPad *pad)
{
  GstBuffer *b;
  gboolean dropped = FALSE;
  while ((b = gst_aggregator_pad_peek_buffer(pad)) != NULL) {
    gboolean gap = GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_GAP) && gst_buffer_get_size(b) == 0;
    gst_buffer_unref(b);
    if (!gap)
      break;
    gst_aggregator_pad_drop_buffer(pad);
    pop_arrival(VF_MUX_PAD(pad));
    dropped = TRUE;
  }
  return dropped;
}

/* Called when every source that has not ended has a frame, or (live) when the deadline of the
 * earliest waiting frame passed (`timeout`). Makes as many batches as are complete: batch-size
 * frames, or one frame of every source still running; on timeout, whatever is there. */
static GstFlowReturn vf_mux_aggregate(GstAggregator *agg, gboolean timeout)
{
  VfMux *self = VF_MUX(agg);
  GstFlowReturn ret = GST_FLOW_OK;
  gboolean produced = FALSE, all_eos = FALSE;

  while (ret == GST_FLOW_OK) {
    /* Properties or source caps changed while a batch was pushed: let the aggregator
     * renegotiate first; it calls again. */
    if (produced && gst_pad_needs_reconfigure(agg->srcpad))
      break;
    Settings s;
    get_settings(self, &s);
    /* Pads may come and go while a batch is pushed: look again each time. */
    GPtrArray *pads = get_pads(self);
    g_ptr_array_sort(pads, compare_source_id);
    guint n_pads = pads->len;
    Slot *slots = g_new0(Slot, MAX(n_pads, 1));
    /* Who has a frame, in round-robin order from next_pad. */
    guint avail = 0, active = 0;
    all_eos = n_pads > 0;
    guint start = n_pads ? self->next_pad % n_pads : 0;
    for (guint k = 0; k < n_pads; k++) {
      VfMuxPad *pad = g_ptr_array_index(pads, (start + k) % n_pads);
      GstAggregatorPad *ap = GST_AGGREGATOR_PAD(pad);
      gboolean gap = drop_gaps(ap);
      if (gst_aggregator_pad_has_buffer(ap) && pad->has_info) {
        all_eos = FALSE;
        active++;
        memset(&slots[avail], 0, sizeof(Slot));
        slots[avail++].pad = pad;
      } else if (gst_aggregator_pad_is_eos(ap)) {
        notify_eos(self, pad);
      } else {
        all_eos = FALSE;
        if (!gap) /* a source that just said "nothing now" is not waited for */
          active++;
      }
    }
    push_pending_events(self);
    gboolean complete = avail >= s.batch_size || avail == active;
    if (avail == 0 || (!complete && !timeout)) {
      g_free(slots);
      g_ptr_array_unref(pads);
      break;
    }
    guint n = MIN(avail, s.batch_size);
    /* The next batch starts after the last source taken. */
    for (guint k = 0; k < n_pads; k++)
      if (g_ptr_array_index(pads, k) == slots[n - 1].pad)
        self->next_pad = (k + 1) % n_pads;
    GST_LOG_OBJECT(self, "batch of %u frames (%u of %u sources ready, timeout %d)", n, avail,
                   n_pads, timeout);
    ret = push_batch(self, &s, slots, n);
    produced = TRUE;
    /* Frames still waiting get their own deadline (get_next_time), unless complete. */
    timeout = FALSE;
    g_free(slots);
    g_ptr_array_unref(pads);
  }
  if (ret == GST_FLOW_OK && !produced && all_eos)
    ret = GST_FLOW_EOS;
  return ret;
}

/* ---- lifecycle ---- */

static gboolean vf_mux_start(GstAggregator *agg)
{
  VfMux *self = VF_MUX(agg);
  self->out_format = GST_VIDEO_FORMAT_UNKNOWN;
  self->out_cuda = FALSE;
  self->next_pad = 0;
  return TRUE;
}

static gboolean vf_mux_stop(GstAggregator *agg)
{
  VfMux *self = VF_MUX(agg);
  GPtrArray *pads = get_pads(self);
  for (guint i = 0; i < pads->len; i++)
    vf_mux_pad_reset(g_ptr_array_index(pads, i));
  g_ptr_array_unref(pads);
  GST_OBJECT_LOCK(self);
  g_queue_clear_full(&self->pending_events, (GDestroyNotify)gst_event_unref);
  GST_OBJECT_UNLOCK(self);
  return TRUE;
}

static void vf_mux_finalize(GObject *object)
{
  VfMux *self = VF_MUX(object);
  g_queue_clear_full(&self->pending_events, (GDestroyNotify)gst_event_unref);
  G_OBJECT_CLASS(vf_mux_parent_class)->finalize(object);
}

static void vf_mux_class_init(VfMuxClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  GstAggregatorClass *agg_class = GST_AGGREGATOR_CLASS(klass);

  gobject_class->set_property = vf_mux_set_property;
  gobject_class->get_property = vf_mux_get_property;
  gobject_class->finalize = vf_mux_finalize;

  g_object_class_install_property(
      gobject_class, PROP_BATCH_SIZE,
      g_param_spec_uint("batch-size", "Batch size",
                        "Most frames in a batch (one per source at most); 0: the number of sink "
                        "pads (sources)",
                        0, MAX_BATCH_SIZE, DEFAULT_BATCH_SIZE,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property(
      gobject_class, PROP_WIDTH,
      g_param_spec_uint("width", "Width",
                        "Width of every frame in the batch (frames are scaled to it); 0 (with "
                        "height 0): keep each source's size",
                        0, G_MAXINT, DEFAULT_WIDTH,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property(
      gobject_class, PROP_HEIGHT,
      g_param_spec_uint("height", "Height",
                        "Height of every frame in the batch (frames are scaled to it); 0 (with "
                        "width 0): keep each source's size",
                        0, G_MAXINT, DEFAULT_HEIGHT,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property(
      gobject_class, PROP_PUSH_TIMEOUT,
      g_param_spec_int64("batched-push-timeout", "Batched push timeout",
                         "Live pipelines: microseconds an incomplete batch waits for late sources "
                         "after its earliest frame was due; also added to the reported latency. "
                         "Non-live pipelines wait for every source",
                         0, G_MAXINT64 / 1000, DEFAULT_PUSH_TIMEOUT,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property(
      gobject_class, PROP_LIVE_SOURCE,
      g_param_spec_boolean("live-source", "Live source",
                           "Batch by the clock (push incomplete batches on timeout) even when no "
                           "upstream source reports itself live",
                           DEFAULT_LIVE_SOURCE,
                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property(
      gobject_class, PROP_ENABLE_PADDING,
      g_param_spec_boolean("enable-padding", "Enable padding",
                           "When scaling, keep the aspect ratio: fit the picture in width x "
                           "height and fill the right/bottom border with black (each frame's "
                           "content rectangle says where the picture is)",
                           DEFAULT_ENABLE_PADDING,
                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property(
      gobject_class, PROP_FORMAT,
      g_param_spec_enum("format", "Output format",
                        "Pixel format of the frames in the batch; sources in another format are "
                        "converted (on the CPU)",
                        VF_TYPE_MUX_FORMAT, DEFAULT_FORMAT,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property(
      gobject_class, PROP_GPU_ID,
      g_param_spec_uint("gpu-id", "GPU id",
                        "CUDA device for scaling/conversion of CUDA frames (reserved: this build "
                        "converts on the CPU and passes CUDA frames through zero-copy only)",
                        0, G_MAXINT, DEFAULT_GPU_ID,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));

  gst_element_class_add_static_pad_template_with_gtype(element_class, &sink_template,
                                                       VF_TYPE_MUX_PAD);
  gst_element_class_add_static_pad_template_with_gtype(element_class, &src_template,
                                                       GST_TYPE_AGGREGATOR_PAD);
  gst_element_class_set_static_metadata(
      element_class, "vidflow batch muxer", "Video/Muxer",
      "Batches the frames of several sources into one buffer with batch/frame metadata "
      "(sources come and go with request pads sink_%u)",
      "vidflow");

  element_class->request_new_pad = GST_DEBUG_FUNCPTR(vf_mux_request_new_pad);
  element_class->release_pad = GST_DEBUG_FUNCPTR(vf_mux_release_pad);

  agg_class->aggregate = GST_DEBUG_FUNCPTR(vf_mux_aggregate);
  agg_class->get_next_time = GST_DEBUG_FUNCPTR(vf_mux_get_next_time);
  agg_class->update_src_caps = GST_DEBUG_FUNCPTR(vf_mux_update_src_caps);
  agg_class->negotiated_src_caps = GST_DEBUG_FUNCPTR(vf_mux_negotiated_src_caps);
  agg_class->sink_query = GST_DEBUG_FUNCPTR(vf_mux_sink_query);
  agg_class->sink_event = GST_DEBUG_FUNCPTR(vf_mux_sink_event);
  agg_class->start = GST_DEBUG_FUNCPTR(vf_mux_start);
  agg_class->stop = GST_DEBUG_FUNCPTR(vf_mux_stop);

  gst_type_mark_as_plugin_api(VF_TYPE_MUX_PAD, 0);
  gst_type_mark_as_plugin_api(VF_TYPE_MUX_FORMAT, 0);
}

static void vf_mux_init(VfMux *self)
{
  self->batch_size = DEFAULT_BATCH_SIZE;
  self->width = DEFAULT_WIDTH;
  self->height = DEFAULT_HEIGHT;
  self->push_timeout_us = DEFAULT_PUSH_TIMEOUT;
  self->live_source = DEFAULT_LIVE_SOURCE;
  self->enable_padding = DEFAULT_ENABLE_PADDING;
  self->format = DEFAULT_FORMAT;
  self->gpu_id = DEFAULT_GPU_ID;
  self->out_format = GST_VIDEO_FORMAT_UNKNOWN;
  g_queue_init(&self->pending_events);
  update_latency(self);
}
