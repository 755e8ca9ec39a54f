/* vidflow plugin: vfmsgconv, the nvmsgconv equivalent.
 *
 * SECTION:element-vfmsgconv
 *
 * vfmsgconv turns the metadata of each frame into message payloads (vidflow/message.h) and
 * attaches them to the frame, for vfmsgbroker to send. The buffers pass unchanged otherwise.
 *
 * What a message holds is the payload-type: DeepStream's full schema (one message per event or
 * object), its minimal schema (one per frame), vidflow's compact schema (one per frame, all its
 * objects), or what a payload generator from a custom-object plugin makes
 * (payload-type=custom, payload-generator=plugin.name). Sensors, places and analytics modules
 * per source come from the msg-conv config (config). The messages are about the frame's events
 * (attached by add_message_meta_probe or any probe) or its objects (input: auto takes the
 * events of frames an event generator looked at, the objects of the others).
 *
 * How often: frequency every-frame, every-n-frames (frame-interval; frame-interval > 1 alone
 * also means every N frames, as DeepStream's), on-change (the objects changed) or new-track
 * (objects whose track id is new for the source, only those).
 *
 * Batched streams (vfmux) and plain video (a one-frame batch meta is added) are accepted. What is
 * kept per source (on-change, new-track) is freed when vfmux says the source ended or left
 * (VF_SOURCE_EOS, VF_SOURCE_REMOVED); the streams property counts the sources kept.
 *
 * Example launch line:
 *   gst-launch-1.0 filesrc location=vtest.avi ! decodebin ! mux.sink_0 vfmux name=mux \
 *     ! vfinfer config-file-path=configs/ssd_mobilenet_v2_oid.yaml \
 *     ! vfmsgconv payload-type=vidflow frequency=on-change \
 *     ! vfmsgbroker conn-str=mqtt://localhost:1883/vidflow/events
 */
#include "vfmsgconv.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <gst/video/video.h>
#include <vidflow/message.h>
#include <vidflow/source.h>

GST_DEBUG_CATEGORY_STATIC(vf_msgconv_debug);
#define GST_CAT_DEFAULT vf_msgconv_debug

#define DEFAULT_PAYLOAD_TYPE VF_PAYLOAD_DEEPSTREAM
#define DEFAULT_FREQUENCY VF_MSG_EVERY_FRAME
#define DEFAULT_FRAME_INTERVAL 1
#define DEFAULT_INPUT VF_MSG_INPUT_AUTO

enum {
  PROP_0,
  PROP_CONFIG,
  PROP_PAYLOAD_TYPE,
  PROP_PAYLOAD_GENERATOR,
  PROP_PAYLOAD_GENERATOR_PARAMS,
  PROP_FREQUENCY,
  PROP_FRAME_INTERVAL,
  PROP_DEBUG_PAYLOAD_DIR,
  PROP_INPUT,
  PROP_PAYLOADS,
  PROP_STREAMS,
};

struct _VfMsgConvElement {
  GstBaseTransform parent;
  /* properties (object lock) */
  char *config, *generator, *generator_params, *debug_dir;
  VfPayloadSchema schema;
  VfMsgFrequency frequency;
  guint interval;
  VfMsgInput input;
  /* streaming */
  VfMsgConv *conv;
  GstVideoInfo info;
  gboolean have_info;
  GPtrArray *ready;     /* VfPayload* of the buffer being converted */
  GArray *ready_frames; /* guint: the frame index of each */
  gboolean prepared;    /* it had a batch meta: ready holds its payloads */
  guint64 plain_frames; /* frames of a plain (unbatched) stream so far */
  guint64 payloads;     /* atomic */
  guint streams;        /* atomic: sources whose state conv keeps */
};

static GType payload_type_get_type(void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    { VF_PAYLOAD_DEEPSTREAM, "DeepStream's full schema, a message per event/object", "deepstream" },
    { VF_PAYLOAD_DEEPSTREAM_MINIMAL, "DeepStream's minimal schema, a message per frame",
      "deepstream-minimal" },
    { VF_PAYLOAD_VIDFLOW, "vidflow's compact schema, a message per frame with its objects",
      "vidflow" },
    { VF_PAYLOAD_CUSTOM, "a payload generator from a plugin (payload-generator)", "custom" },
    { 0, NULL, NULL },
  };
  if (g_once_init_enter(&type))
    g_once_init_leave(&type, g_enum_register_static("VfMsgConvPayloadType", values));
  return (GType)type;
}

static GType frequency_get_type(void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    { VF_MSG_EVERY_FRAME, "every frame", "every-frame" },
    { VF_MSG_EVERY_N_FRAMES, "frames whose number is a multiple of frame-interval",
      "every-n-frames" },
    { VF_MSG_ON_CHANGE, "when the frame's objects changed", "on-change" },
    { VF_MSG_NEW_TRACK, "for objects with a new track id", "new-track" },
    { 0, NULL, NULL },
  };
  if (g_once_init_enter(&type))
    g_once_init_leave(&type, g_enum_register_static("VfMsgConvFrequency", values));
  return (GType)type;
}

static GType input_get_type(void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    { VF_MSG_INPUT_AUTO,
      "events where an event generator looked (add_message_meta_probe), else objects", "auto" },
    { VF_MSG_INPUT_EVENTS, "only events", "events" },
    { VF_MSG_INPUT_OBJECTS, "the objects (DeepStream's msg2p-newapi)", "objects" },
    { 0, NULL, NULL },
  };
  if (g_once_init_enter(&type))
    g_once_init_leave(&type, g_enum_register_static("VfMsgConvInput", values));
  return (GType)type;
}

static GstStaticPadTemplate sink_template
    = GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate src_template
    = GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

G_DEFINE_TYPE_WITH_CODE(VfMsgConvElement, vf_msgconv_element, GST_TYPE_BASE_TRANSFORM,
                        GST_DEBUG_CATEGORY_INIT(vf_msgconv_debug, "vfmsgconv", 0,
                                                "vidflow message converter"));
GST_ELEMENT_REGISTER_DEFINE(vfmsgconv, "vfmsgconv", GST_RANK_NONE, VF_TYPE_MSGCONV);

/* "a=1;b=x" -> {"a", "1", "b", "x", NULL} (transfer full). */
static char **split_params(const char *text, GError **error)
{
  GPtrArray *out = g_ptr_array_new();
  char **pairs = g_strsplit(text ? text : "", ";", -1);
  gboolean ok = TRUE;
  for (char **p = pairs; ok && *p; p++) {
    char *entry = g_strstrip(*p), *eq = strchr(entry, '=');
    if (*entry == '\0')
      continue;
    if (eq == NULL || eq == entry) {
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                  "payload-generator-params: '%s' is not name=value (pairs separated by ';')",
                  entry);
      ok = FALSE;
    } else {
      g_ptr_array_add(out, g_strstrip(g_strndup(entry, eq - entry)));
      g_ptr_array_add(out, g_strstrip(g_strdup(eq + 1)));
    }
  }
  g_strfreev(pairs);
  g_ptr_array_add(out, NULL);
  char **strv = (char **)g_ptr_array_free(out, FALSE);
  if (!ok) {
    g_strfreev(strv);
    return NULL;
  }
  return strv;
}

static gboolean vf_msgconv_start(GstBaseTransform *trans)
{
  VfMsgConvElement *self = VF_MSGCONV_ELEMENT(trans);
  GError *err = NULL;
  GST_OBJECT_LOCK(self);
  char *config = g_strdup(self->config), *generator = g_strdup(self->generator);
  char *params_text = g_strdup(self->generator_params);
  VfPayloadSchema schema = self->schema;
  VfMsgFrequency frequency = self->frequency;
  guint interval = self->interval;
  VfMsgInput input = self->input;
  GST_OBJECT_UNLOCK(self);
  if (frequency == VF_MSG_EVERY_FRAME && interval > 1)
    frequency = VF_MSG_EVERY_N_FRAMES;
  VfMsgConv *conv = NULL;
  if (schema == VF_PAYLOAD_CUSTOM) {
    char **params = split_params(params_text, &err);
    if (params)
      conv = vf_msgconv_new_custom(generator, (const char *const *)params, config, &err);
    g_strfreev(params);
  } else {
    if (generator && *generator)
      GST_WARNING_OBJECT(self, "payload-generator %s is not used: payload-type is not custom",
                         generator);
    conv = vf_msgconv_new(schema, config, &err);
  }
  if (conv && !vf_msgconv_set_frequency(conv, frequency, interval, &err))
    g_clear_pointer(&conv, vf_msgconv_free);
  vf_msgconv_set_input(conv, input);
  g_free(config);
  g_free(generator);
  g_free(params_text);
  if (conv == NULL) {
    GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("%s: %s", GST_ELEMENT_NAME(self), err->message),
                      (NULL));
    g_error_free(err);
    return FALSE;
  }
  self->conv = conv;
  self->ready = g_ptr_array_new_with_free_func((GDestroyNotify)vf_payload_unref);
  self->ready_frames = g_array_new(FALSE, FALSE, sizeof(guint));
  return TRUE;
}

static gboolean vf_msgconv_stop(GstBaseTransform *trans)
{
  VfMsgConvElement *self = VF_MSGCONV_ELEMENT(trans);
  g_clear_pointer(&self->conv, vf_msgconv_free);
  g_clear_pointer(&self->ready, g_ptr_array_unref);
  g_clear_pointer(&self->ready_frames, g_array_unref);
  self->have_info = FALSE;
  self->plain_frames = 0;
  g_atomic_int_set(&self->streams, 0);
  return TRUE;
}

static gboolean vf_msgconv_set_caps(GstBaseTransform *trans, GstCaps *incaps, GstCaps *outcaps)
{
  (void)outcaps;
  VfMsgConvElement *self = VF_MSGCONV_ELEMENT(trans);
  self->have_info = gst_video_info_from_caps(&self->info, incaps);
  return TRUE;
}

static void write_debug_payload(VfMsgConvElement *self, const char *dir, VfPayload *p, guint n)
{
  char name[64];
  g_snprintf(name, sizeof name, "%u-%" G_GUINT64_FORMAT "-%u.json", vf_payload_get_source_id(p),
             vf_payload_get_frame_number(p), n);
  char *path = g_build_filename(dir, name, NULL);
  gsize len;
  const char *data = g_bytes_get_data(vf_payload_get_data(p), &len);
  GError *err = NULL;
  if (!g_file_set_contents(path, data, (gssize)len, &err)) {
    GST_WARNING_OBJECT(self, "debug-payload-dir: %s", err->message);
    g_error_free(err);
  }
  g_free(path);
}

/* The payloads of every frame of `batch` into self->ready (their frames' indices in
 * self->ready_frames); FALSE after posting the error. */
static gboolean convert_batch(VfMsgConvElement *self, VfBatchMeta *batch)
{
  g_ptr_array_set_size(self->ready, 0);
  g_array_set_size(self->ready_frames, 0);
  for (guint i = 0; i < vf_batch_meta_get_n_frames(batch); i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(batch, i);
    GError *err = NULL;
    guint before = self->ready->len;
    if (vf_msgconv_convert(self->conv, frame, self->ready, &err) < 0) {
      GST_ELEMENT_ERROR(self, STREAM, FAILED, ("%s: %s", GST_ELEMENT_NAME(self), err->message),
                        ("source %u, frame %" G_GUINT64_FORMAT, vf_frame_meta_get_source_id(frame),
                         vf_frame_meta_get_frame_number(frame)));
      g_error_free(err);
      return FALSE;
    }
    for (guint k = before; k < self->ready->len; k++)
      g_array_append_val(self->ready_frames, i);
  }
  return TRUE;
}

/* The messages are made from the input buffer here, before it is made writable: a buffer that
 * gets no message (most, with a frequency) passes without the copy of its metadata. */
static GstFlowReturn vf_msgconv_prepare_output_buffer(GstBaseTransform *trans, GstBuffer *input,
                                                      GstBuffer **outbuf)
{
  VfMsgConvElement *self = VF_MSGCONV_ELEMENT(trans);
  VfBatchMeta *batch = vf_batch_meta_get(input);
  self->prepared = batch != NULL;
  if (batch) {
    if (!convert_batch(self, batch))
      return GST_FLOW_ERROR;
    if (self->ready->len == 0) {
      *outbuf = input; /* nothing to attach */
      return GST_FLOW_OK;
    }
  } else if (!self->have_info) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("%s: the stream is neither batched (vfmux) nor raw video: no frames to "
                       "make messages of",
                       GST_ELEMENT_NAME(self)),
                      (NULL));
    return GST_FLOW_ERROR;
  }
  *outbuf = gst_buffer_is_writable(input) ? input : gst_buffer_copy(input);
  return GST_FLOW_OK;
}

static GstFlowReturn vf_msgconv_transform_ip(GstBaseTransform *trans, GstBuffer *buffer)
{
  VfMsgConvElement *self = VF_MSGCONV_ELEMENT(trans);
  VfBatchMeta *batch = vf_batch_meta_get(buffer);
  if (!self->prepared) { /* plain video: a one-frame batch meta of our own */
    batch = vf_batch_meta_add_single(buffer, &self->info);
    vf_frame_meta_set_frame_number(vf_batch_meta_get_frame(batch, 0), self->plain_frames++);
    if (!convert_batch(self, batch))
      return GST_FLOW_ERROR;
  }
  GST_OBJECT_LOCK(self);
  char *debug_dir = g_strdup(self->debug_dir);
  GST_OBJECT_UNLOCK(self);
  for (guint k = 0; k < self->ready->len; k++) {
    VfPayload *p = self->ready->pdata[k];
    vf_frame_meta_add_payload(
        vf_batch_meta_get_frame(batch, g_array_index(self->ready_frames, guint, k)), p);
    if (debug_dir)
      write_debug_payload(self, debug_dir, p, k);
  }
  g_atomic_pointer_add(&self->payloads, (gssize)self->ready->len);
  g_atomic_int_set(&self->streams, vf_msgconv_get_n_sources(self->conv));
  g_ptr_array_set_size(self->ready, 0);
  g_free(debug_dir);
  return GST_FLOW_OK;
}

/* A source that ended or left: what is kept of it goes (the streaming thread, as convert). */
static gboolean vf_msgconv_sink_event(GstBaseTransform *trans, GstEvent *event)
{
  VfMsgConvElement *self = VF_MSGCONV_ELEMENT(trans);
  guint source_id;
  if (self->conv && vf_source_event_is_end(event, &source_id)) {
    vf_msgconv_end_source(self->conv, source_id);
    g_atomic_int_set(&self->streams, vf_msgconv_get_n_sources(self->conv));
    GST_DEBUG_OBJECT(self, "source %u ended: its state is gone", source_id);
  }
  return GST_BASE_TRANSFORM_CLASS(vf_msgconv_element_parent_class)->sink_event(trans, event);
}

static void vf_msgconv_set_property(GObject *object, guint id, const GValue *value,
                                    GParamSpec *pspec)
{
  VfMsgConvElement *self = VF_MSGCONV_ELEMENT(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_CONFIG:
    g_free(self->config);
    self->config = g_value_dup_string(value);
    break;
  case PROP_PAYLOAD_TYPE:
    self->schema = (VfPayloadSchema)g_value_get_enum(value);
    break;
  case PROP_PAYLOAD_GENERATOR:
    g_free(self->generator);
    self->generator = g_value_dup_string(value);
    break;
  case PROP_PAYLOAD_GENERATOR_PARAMS:
    g_free(self->generator_params);
    self->generator_params = g_value_dup_string(value);
    break;
  case PROP_FREQUENCY:
    self->frequency = (VfMsgFrequency)g_value_get_enum(value);
    break;
  case PROP_FRAME_INTERVAL:
    self->interval = g_value_get_uint(value);
    break;
  case PROP_DEBUG_PAYLOAD_DIR:
    g_free(self->debug_dir);
    self->debug_dir = g_value_dup_string(value);
    break;
  case PROP_INPUT:
    self->input = (VfMsgInput)g_value_get_enum(value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
  GST_OBJECT_UNLOCK(self);
}

static void vf_msgconv_get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  VfMsgConvElement *self = VF_MSGCONV_ELEMENT(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_CONFIG:
    g_value_set_string(value, self->config);
    break;
  case PROP_PAYLOAD_TYPE:
    g_value_set_enum(value, self->schema);
    break;
  case PROP_PAYLOAD_GENERATOR:
    g_value_set_string(value, self->generator);
    break;
  case PROP_PAYLOAD_GENERATOR_PARAMS:
    g_value_set_string(value, self->generator_params);
    break;
  case PROP_FREQUENCY:
    g_value_set_enum(value, self->frequency);
    break;
  case PROP_FRAME_INTERVAL:
    g_value_set_uint(value, self->interval);
    break;
  case PROP_DEBUG_PAYLOAD_DIR:
    g_value_set_string(value, self->debug_dir);
    break;
  case PROP_INPUT:
    g_value_set_enum(value, self->input);
    break;
  case PROP_PAYLOADS:
    g_value_set_uint64(value, (guint64)g_atomic_pointer_get(&self->payloads));
    break;
  case PROP_STREAMS:
    g_value_set_uint(value, (guint)g_atomic_int_get(&self->streams));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
  GST_OBJECT_UNLOCK(self);
}

static void vf_msgconv_finalize(GObject *object)
{
  VfMsgConvElement *self = VF_MSGCONV_ELEMENT(object);
  g_free(self->config);
  g_free(self->generator);
  g_free(self->generator_params);
  g_free(self->debug_dir);
  G_OBJECT_CLASS(vf_msgconv_element_parent_class)->finalize(object);
}

static void vf_msgconv_element_class_init(VfMsgConvElementClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS(klass);
  gobject_class->set_property = vf_msgconv_set_property;
  gobject_class->get_property = vf_msgconv_get_property;
  gobject_class->finalize = vf_msgconv_finalize;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;

  g_object_class_install_property(
      gobject_class, PROP_CONFIG,
      g_param_spec_string("config", "Msg-conv config",
                          "Sensors, places and analytics modules per source id: DeepStream's "
                          "msgconv config (key-file, or YAML for .yml/.yaml); NULL: none",
                          NULL, rw));
  g_object_class_install_property(
      gobject_class, PROP_PAYLOAD_TYPE,
      g_param_spec_enum("payload-type", "Payload type", "The schema of the messages",
                        payload_type_get_type(), DEFAULT_PAYLOAD_TYPE, rw));
  g_object_class_install_property(
      gobject_class, PROP_PAYLOAD_GENERATOR,
      g_param_spec_string("payload-generator", "Payload generator",
                          "payload-type=custom: the payload generator plugin.name of a "
                          "custom-object plugin (vidflow/plugin.h; `vidflow objects` lists them)",
                          NULL, rw));
  g_object_class_install_property(
      gobject_class, PROP_PAYLOAD_GENERATOR_PARAMS,
      g_param_spec_string("payload-generator-params", "Payload generator parameters",
                          "Parameters of the payload generator: name=value pairs separated by ';'",
                          NULL, rw));
  g_object_class_install_property(gobject_class, PROP_FREQUENCY,
                                  g_param_spec_enum("frequency", "Frequency",
                                                    "Which frames make messages, per source",
                                                    frequency_get_type(), DEFAULT_FREQUENCY, rw));
  g_object_class_install_property(
      gobject_class, PROP_FRAME_INTERVAL,
      g_param_spec_uint("frame-interval", "Frame interval",
                        "every-n-frames: frames whose number is a multiple of this; more than 1 "
                        "with frequency every-frame means every-n-frames",
                        1, G_MAXUINT, DEFAULT_FRAME_INTERVAL, rw));
  g_object_class_install_property(
      gobject_class, PROP_DEBUG_PAYLOAD_DIR,
      g_param_spec_string("debug-payload-dir", "Debug payload folder",
                          "Also write each payload to SOURCE-FRAME-N.json in this (existing) "
                          "folder; NULL: no",
                          NULL, rw));
  g_object_class_install_property(
      gobject_class, PROP_INPUT,
      g_param_spec_enum("input", "Input",
                        "What messages are about: the frames' events or their objects",
                        input_get_type(), DEFAULT_INPUT, rw));
  g_object_class_install_property(gobject_class, PROP_PAYLOADS,
                                  g_param_spec_uint64("payloads", "Payloads",
                                                      "Payloads made so far", 0, G_MAXUINT64, 0,
                                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property(
      gobject_class, PROP_STREAMS,
      g_param_spec_uint("streams", "Streams",
                        "Sources whose state (on-change, new-track) is kept now (read-only; "
                        "default: 0)",
                        0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(
      element_class, "vidflow message converter", "Filter/Metadata",
      "Turns frame and object metadata into message payloads (DeepStream's full and minimal "
      "schemas, vidflow's compact one, or a plugin's) for vfmsgbroker",
      "vidflow");
  trans_class->start = GST_DEBUG_FUNCPTR(vf_msgconv_start);
  trans_class->stop = GST_DEBUG_FUNCPTR(vf_msgconv_stop);
  trans_class->set_caps = GST_DEBUG_FUNCPTR(vf_msgconv_set_caps);
  trans_class->prepare_output_buffer = GST_DEBUG_FUNCPTR(vf_msgconv_prepare_output_buffer);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR(vf_msgconv_transform_ip);
  trans_class->sink_event = GST_DEBUG_FUNCPTR(vf_msgconv_sink_event);
  trans_class->passthrough_on_same_caps = FALSE;
  gst_type_mark_as_plugin_api(payload_type_get_type(), 0);
  gst_type_mark_as_plugin_api(frequency_get_type(), 0);
  gst_type_mark_as_plugin_api(input_get_type(), 0);
}

static void vf_msgconv_element_init(VfMsgConvElement *self)
{
  self->schema = DEFAULT_PAYLOAD_TYPE;
  self->frequency = DEFAULT_FREQUENCY;
  self->interval = DEFAULT_FRAME_INTERVAL;
  self->input = DEFAULT_INPUT;
  gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
}
