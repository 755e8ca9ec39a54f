/* vidflow plugin: vfsmartrecord, smart recording of an encoded stream (see vidflow/record.h).
 *
 * SECTION:element-vfsmartrecord
 *
 * A sink for a parsed H.264/H.265 stream: it keeps the last smart-rec-cache seconds (from a key
 * frame, references to the buffers, no copy) and writes clips around events to MP4 or MKV files
 * without re-encoding. Start and stop clips with the "start-recording" and "stop-recording" action
 * signals (vf_pipeline_start_recording from C, the REST server); each finished clip is announced
 * with a VF_RECORDING_DONE element message. Clips still open at end of stream or when the element
 * stops are finalised. vfurisrcbin records its sources the same way (smart-record=1).
 *
 * Properties (DeepStream's smart record names):
 *   smart-rec-cache            seconds kept (default 20)
 *   smart-rec-cache-max-bytes  at most this much is kept (default 64 MiB)
 *   smart-rec-container        mp4 (0, default) or mkv (1)
 *   smart-rec-dir-path         folder of the clips (default: the current folder)
 *   smart-rec-file-prefix      file names <prefix>_<source>_<session>_<date>.mp4
 *                              (default Smart_Record)
 *   smart-rec-default-duration seconds after the event when start gives 0 (default 10)
 *   smart-rec-cached, smart-rec-cached-bytes  (read-only) what the cache holds now
 *   source-id, sensor-id       copied into the messages and file names
 *
 * Example launch line (a tee keeps the decoder path; clips are started from the application):
 *   gst-launch-1.0 filesrc location=in.mp4 ! qtdemux ! h264parse ! tee name=t \
 *     t. ! queue ! avdec_h264 ! fakesink  t. ! queue ! vfsmartrecord smart-rec-cache=10
 */
#include "vfsmartrecord.h"

#include "vfsmartrecord-core.h"

GST_DEBUG_CATEGORY_STATIC(vf_smart_record_debug);
#define GST_CAT_DEFAULT vf_smart_record_debug

/* ---- the smart-rec-* properties (shared with vfurisrcbin) ---- */

void vf_sr_props_init(VfSrProps *p)
{
  p->cache_s = VF_SR_DEFAULT_CACHE;
  p->max_bytes = VF_SR_DEFAULT_MAX_BYTES;
  p->container = VF_SR_CONTAINER_MP4;
  p->dir = NULL;
  p->prefix = g_strdup(VF_SR_DEFAULT_PREFIX);
  p->default_duration_s = VF_SR_DEFAULT_DURATION;
}

void vf_sr_props_clear(VfSrProps *p)
{
  g_clear_pointer(&p->dir, g_free);
  g_clear_pointer(&p->prefix, g_free);
}

void vf_sr_props_install(GObjectClass *oclass)
{
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING;
  g_object_class_install_property(
      oclass, VF_SR_PROP_CACHE,
      g_param_spec_uint("smart-rec-cache", "Smart record cache",
                        "Seconds of the encoded stream kept for recordings that start in the past "
                        "(from a key frame: up to one GOP more is kept)",
                        1, 3600, VF_SR_DEFAULT_CACHE, rw));
  g_object_class_install_property(
      oclass, VF_SR_PROP_CACHE_MAX_BYTES,
      g_param_spec_uint64("smart-rec-cache-max-bytes", "Smart record cache bytes",
                          "Most bytes the cache holds (older GOPs go first)", 1 << 16, G_MAXUINT64,
                          VF_SR_DEFAULT_MAX_BYTES, rw));
  g_object_class_install_property(oclass, VF_SR_PROP_CONTAINER,
                                  g_param_spec_enum("smart-rec-container", "Smart record container",
                                                    "File format of the clips",
                                                    VF_TYPE_SR_CONTAINER, VF_SR_CONTAINER_MP4, rw));
  g_object_class_install_property(
      oclass, VF_SR_PROP_DIR_PATH,
      g_param_spec_string("smart-rec-dir-path", "Smart record folder",
                          "Folder the clips are written to (it must exist; NULL: the current "
                          "folder)",
                          NULL, rw));
  g_object_class_install_property(oclass, VF_SR_PROP_FILE_PREFIX,
                                  g_param_spec_string("smart-rec-file-prefix",
                                                      "Smart record file prefix",
                                                      "Start of the clips' file names: "
                                                      "<prefix>_<source>_<session>_<date-time>.mp4",
                                                      VF_SR_DEFAULT_PREFIX, rw));
  g_object_class_install_property(
      oclass, VF_SR_PROP_DEFAULT_DURATION,
      g_param_spec_uint("smart-rec-default-duration", "Smart record default duration",
                        "Seconds recorded after the event when a start gives no duration (0)", 1,
                        86400, VF_SR_DEFAULT_DURATION, rw));
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  g_object_class_install_property(
      oclass, VF_SR_PROP_CACHED,
      g_param_spec_uint64("smart-rec-cached", "Smart record cached time",
                          "Nanoseconds of the stream the cache holds now (from its first key "
                          "frame; at most smart-rec-cache plus one GOP)",
                          0, G_MAXUINT64, 0, ro));
  g_object_class_install_property(
      oclass, VF_SR_PROP_CACHED_BYTES,
      g_param_spec_uint64("smart-rec-cached-bytes", "Smart record cached bytes",
                          "Bytes the cache holds now (at most smart-rec-cache-max-bytes)", 0,
                          G_MAXUINT64, 0, ro));
}

gboolean vf_sr_stats_get(VfSrCore *core, guint id, GValue *value)
{
  if (id != VF_SR_PROP_CACHED && id != VF_SR_PROP_CACHED_BYTES)
    return FALSE;
  GstClockTime cached = 0;
  guint64 bytes = 0;
  vf_sr_core_get_stats(core, &cached, &bytes, NULL);
  g_value_set_uint64(value, id == VF_SR_PROP_CACHED ? cached : bytes);
  return TRUE;
}

static void props_apply(const VfSrProps *p, VfSrCore *core)
{
  VfSrConfig cfg
      = { p->cache_s, p->max_bytes, p->container, p->dir, p->prefix, p->default_duration_s };
  vf_sr_core_configure(core, &cfg);
}

gboolean vf_sr_props_set(VfSrProps *p, VfSrCore *core, guint id, const GValue *value)
{
  switch (id) {
  case VF_SR_PROP_CACHE:
    p->cache_s = g_value_get_uint(value);
    break;
  case VF_SR_PROP_CACHE_MAX_BYTES:
    p->max_bytes = g_value_get_uint64(value);
    break;
  case VF_SR_PROP_CONTAINER:
    p->container = g_value_get_enum(value);
    break;
  case VF_SR_PROP_DIR_PATH:
    g_free(p->dir);
    p->dir = g_value_dup_string(value);
    break;
  case VF_SR_PROP_FILE_PREFIX:
    g_free(p->prefix);
    p->prefix = g_value_dup_string(value);
    break;
  case VF_SR_PROP_DEFAULT_DURATION:
    p->default_duration_s = g_value_get_uint(value);
    break;
  default:
    return FALSE;
  }
  if (core)
    props_apply(p, core);
  return TRUE;
}

gboolean vf_sr_props_get(const VfSrProps *p, guint id, GValue *value)
{
  switch (id) {
  case VF_SR_PROP_CACHE:
    g_value_set_uint(value, p->cache_s);
    break;
  case VF_SR_PROP_CACHE_MAX_BYTES:
    g_value_set_uint64(value, p->max_bytes);
    break;
  case VF_SR_PROP_CONTAINER:
    g_value_set_enum(value, p->container);
    break;
  case VF_SR_PROP_DIR_PATH:
    g_value_set_string(value, p->dir);
    break;
  case VF_SR_PROP_FILE_PREFIX:
    g_value_set_string(value, p->prefix);
    break;
  case VF_SR_PROP_DEFAULT_DURATION:
    g_value_set_uint(value, p->default_duration_s);
    break;
  default:
    return FALSE;
  }
  return TRUE;
}

void vf_sr_signals_install(GType type, GCallback start, GCallback stop)
{
  g_signal_new_class_handler("start-recording", type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION, start,
                             NULL, NULL, NULL, G_TYPE_UINT, 3, G_TYPE_UINT, G_TYPE_UINT,
                             G_TYPE_POINTER);
  g_signal_new_class_handler("stop-recording", type, G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION, stop,
                             NULL, NULL, NULL, G_TYPE_BOOLEAN, 2, G_TYPE_UINT, G_TYPE_POINTER);
}

/* ---- the element ---- */

enum {
  PROP_0,
  PROP_SOURCE_ID,
  PROP_SENSOR_ID,
};

struct _VfSmartRecord {
  GstBaseSink parent;
  VfSrCore *core;
  GMutex lock; /* the properties below and props */
  VfSrProps props;
  gint source_id;
  char *sensor_id;
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE(
    "sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS("video/x-h264, stream-format=(string){avc, avc3, byte-stream}, "
                    "alignment=(string)au; video/x-h265, stream-format=(string){hvc1, hev1, "
                    "byte-stream}, alignment=(string)au"));

G_DEFINE_TYPE(VfSmartRecord, vf_smart_record, GST_TYPE_BASE_SINK)
GST_ELEMENT_REGISTER_DEFINE(vfsmartrecord, "vfsmartrecord", GST_RANK_NONE, VF_TYPE_SMART_RECORD)

static guint action_start(VfSmartRecord *self, guint before, guint duration, gpointer error)
{
  return vf_sr_core_start(self->core, before, duration, error);
}

static gboolean action_stop(VfSmartRecord *self, guint session, gpointer error)
{
  return vf_sr_core_stop(self->core, session, error);
}

static GstFlowReturn render(GstBaseSink *sink, GstBuffer *buffer)
{
  vf_sr_core_buffer(VF_SMART_RECORD(sink)->core, buffer);
  return GST_FLOW_OK;
}

static gboolean event(GstBaseSink *sink, GstEvent *event)
{
  VfSmartRecord *self = VF_SMART_RECORD(sink);
  switch (GST_EVENT_TYPE(event)) {
  case GST_EVENT_SEGMENT:
  case GST_EVENT_FLUSH_STOP:
    vf_sr_core_discont(self->core);
    break;
  case GST_EVENT_EOS:
    vf_sr_core_end(self->core, "source-ended");
    break;
  default:
    break;
  }
  return GST_BASE_SINK_CLASS(vf_smart_record_parent_class)->event(sink, event);
}

static gboolean set_caps(GstBaseSink *sink, GstCaps *caps)
{
  vf_sr_core_caps(VF_SMART_RECORD(sink)->core, caps);
  return TRUE;
}

static gboolean stop(GstBaseSink *sink)
{
  vf_sr_core_finish(VF_SMART_RECORD(sink)->core, "shutdown");
  return TRUE;
}

static void set_property(GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  VfSmartRecord *self = VF_SMART_RECORD(object);
  g_mutex_lock(&self->lock);
  if (!vf_sr_props_set(&self->props, self->core, id, value)) {
    switch (id) {
    case PROP_SOURCE_ID:
      self->source_id = g_value_get_int(value);
      break;
    case PROP_SENSOR_ID:
      g_free(self->sensor_id);
      self->sensor_id = g_value_dup_string(value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
      break;
    }
  }
  g_mutex_unlock(&self->lock);
}

static void get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  VfSmartRecord *self = VF_SMART_RECORD(object);
  if (vf_sr_stats_get(self->core, id, value))
    return;
  g_mutex_lock(&self->lock);
  if (!vf_sr_props_get(&self->props, id, value)) {
    switch (id) {
    case PROP_SOURCE_ID:
      g_value_set_int(value, self->source_id);
      break;
    case PROP_SENSOR_ID:
      g_value_set_string(value, self->sensor_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
      break;
    }
  }
  g_mutex_unlock(&self->lock);
}

static void finalize(GObject *object)
{
  VfSmartRecord *self = VF_SMART_RECORD(object);
  vf_sr_core_free(self->core);
  vf_sr_props_clear(&self->props);
  g_free(self->sensor_id);
  g_mutex_clear(&self->lock);
  G_OBJECT_CLASS(vf_smart_record_parent_class)->finalize(object);
}

static void vf_smart_record_class_init(VfSmartRecordClass *klass)
{
  GObjectClass *oclass = G_OBJECT_CLASS(klass);
  GstElementClass *eclass = GST_ELEMENT_CLASS(klass);
  GstBaseSinkClass *bclass = GST_BASE_SINK_CLASS(klass);
  oclass->set_property = set_property;
  oclass->get_property = get_property;
  oclass->finalize = finalize;
  bclass->render = render;
  bclass->event = event;
  bclass->set_caps = set_caps;
  bclass->stop = stop;

  vf_sr_props_install(oclass);
  g_object_class_install_property(
      oclass, PROP_SOURCE_ID,
      g_param_spec_int("source-id", "Source id",
                       "Id of the source recorded, in messages and file names (-1: none, the "
                       "element's name is used)",
                       -1, G_MAXINT, -1, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property(oclass, PROP_SENSOR_ID,
                                  g_param_spec_string("sensor-id", "Sensor id",
                                                      "Sensor id copied into the messages", NULL,
                                                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  vf_sr_signals_install(VF_TYPE_SMART_RECORD, G_CALLBACK(action_start), G_CALLBACK(action_stop));

  gst_element_class_add_static_pad_template(eclass, &sink_template);
  gst_element_class_set_static_metadata(
      eclass, "vidflow smart record", "Sink/Video",
      "Keeps the last seconds of an encoded stream and writes clips around events (no "
      "re-encoding)",
      "vidflow");
  GST_DEBUG_CATEGORY_INIT(vf_smart_record_debug, "vfsmartrecord-element", 0,
                          "vidflow smart record element");
}

static void vf_smart_record_init(VfSmartRecord *self)
{
  g_mutex_init(&self->lock);
  vf_sr_props_init(&self->props);
  self->source_id = -1;
  self->core = vf_sr_core_new(GST_ELEMENT(self));
  gst_base_sink_set_sync(GST_BASE_SINK(self), FALSE);
}
