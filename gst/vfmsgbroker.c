/* vidflow plugin: vfmsgbroker, the nvmsgbroker equivalent.
 *
 * SECTION:element-vfmsgbroker
 *
 * vfmsgbroker sends the payloads vfmsgconv attached to the frames to a message broker, through
 * a protocol adapter (vidflow/msgapi.h): proto-lib mqtt (libmosquitto, QoS 1), redis (hiredis,
 * XADD to a stream trimmed with MAXLEN), kafka (librdkafka, idempotent, acks=all) — adapter
 * libraries loaded when used —, file (JSON lines, built in), or the path of an adapter library.
 * conn-str is DeepStream's "host;port" or a URI, mqtt://host:port/topic, redis://host:port/stream,
 * kafka://host:port/topic, file:///path (the scheme then names the adapter and the path the topic,
 * unless proto-lib / topic say otherwise).
 *
 * Delivery is at least once and in order: the streaming thread only queues (never waits for
 * the network); a thread of the element's own sends, with up to max-in-flight messages waiting
 * for their acknowledgement. While the broker cannot be reached, messages wait in an on-disk
 * spool (spool-size bytes; when it is full the oldest are dropped, counted and warned about)
 * and are sent in order once it is back; reconnection backs off from reconnect-min to
 * reconnect-max. With spool-size=0 messages wait in memory only, and the stream waits when
 * queue-size of them are pending. A spool-dir of one's own keeps what was not acknowledged for
 * the next start. At end of stream the element waits up to flush-timeout for the
 * acknowledgements before letting the end of stream through.
 *
 * Figures: the read-only properties sent, acknowledged, queued, spooled, dropped, failed and
 * the structure "stats" (all of them); `vidflow run` prints them at the end.
 *
 * Example launch line:
 *   gst-launch-1.0 videotestsrc num-buffers=100 ! vfmsgconv payload-type=vidflow \
 *     ! vfmsgbroker conn-str="localhost;1883" proto-lib=mqtt topic=vidflow/events
 *
 * Lock order: the object lock, then the delivery's (delivery.h).
 */
#include "vfmsgbroker.h"

#include "msgbroker/adapters.h"
#include "msgbroker/connstr.h"
#include "msgbroker/delivery.h"

#include <vidflow/message.h>

GST_DEBUG_CATEGORY(vf_msgbroker_debug);
#define GST_CAT_DEFAULT vf_msgbroker_debug

#define DEFAULT_QUEUE_SIZE 1000
#define DEFAULT_MAX_IN_FLIGHT 1000
#define DEFAULT_SPOOL_SIZE (64 * 1024 * 1024)
#define DEFAULT_RECONNECT_MIN_MS 100
#define DEFAULT_RECONNECT_MAX_MS 5000
#define DEFAULT_FLUSH_TIMEOUT_MS 10000

enum {
  PROP_0,
  PROP_PROTO_LIB,
  PROP_CONN_STR,
  PROP_TOPIC,
  PROP_CONFIG,
  PROP_QUEUE_SIZE,
  PROP_MAX_IN_FLIGHT,
  PROP_SPOOL_SIZE,
  PROP_SPOOL_DIR,
  PROP_RECONNECT_MIN,
  PROP_RECONNECT_MAX,
  PROP_FLUSH_TIMEOUT,
  PROP_STATS,
  PROP_SENT,
  PROP_ACKNOWLEDGED,
  PROP_QUEUED,
  PROP_SPOOLED,
  PROP_DROPPED,
  PROP_FAILED,
};

struct _VfMsgBroker {
  GstBaseSink parent;
  /* properties (object lock) */
  char *proto_lib, *conn_str, *topic, *config, *spool_dir;
  guint queue_size, max_in_flight, reconnect_min, reconnect_max, flush_timeout;
  guint64 spool_size;
  /* the delivery (object lock for the pointer; its calls are thread-safe) */
  VfDelivery *delivery;
  VfDeliveryStats last; /* after stop */
  gboolean warned_no_meta;
};

static GstStaticPadTemplate sink_template
    = GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

G_DEFINE_TYPE_WITH_CODE(VfMsgBroker, vf_msgbroker, GST_TYPE_BASE_SINK,
                        GST_DEBUG_CATEGORY_INIT(vf_msgbroker_debug, "vfmsgbroker", 0,
                                                "vidflow message broker sink"));
GST_ELEMENT_REGISTER_DEFINE(vfmsgbroker, "vfmsgbroker", GST_RANK_NONE, VF_TYPE_MSGBROKER);

static gboolean vf_msgbroker_start(GstBaseSink *sink)
{
  VfMsgBroker *self = VF_MSGBROKER(sink);
  GST_OBJECT_LOCK(self);
  char *proto_lib = g_strdup(self->proto_lib), *conn_str = g_strdup(self->conn_str);
  char *topic = g_strdup(self->topic), *config = g_strdup(self->config);
  char *spool_dir = g_strdup(self->spool_dir);
  VfDeliveryConfig cfg = { .queue_size = self->queue_size,
                           .max_in_flight = self->max_in_flight,
                           .spool_size = self->spool_size,
                           .reconnect_min_ms = self->reconnect_min,
                           .reconnect_max_ms = self->reconnect_max };
  GST_OBJECT_UNLOCK(self);
  GError *err = NULL;
  if (conn_str == NULL || *conn_str == '\0')
    g_set_error(&err, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
                "no conn-str: give the broker as host;port or a URI (mqtt://host:port/topic, "
                "redis://host:port/stream, kafka://host:port/topic, file:///path)");
  char *scheme = err ? NULL : vf_conn_str_scheme(conn_str);
  const char *protocol = NULL;
  const VfMsgApiFunctions *api = NULL;
  if (err == NULL) {
    if ((proto_lib == NULL || *proto_lib == '\0') && scheme == NULL)
      g_set_error(&err, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
                  "conn-str '%s' names no protocol: set proto-lib (%s, or an adapter library's "
                  "path) or write the conn-str as a URI (mqtt://host:port/topic)",
                  conn_str, vf_msg_adapter_builtin_names());
    else
      api = vf_msg_adapter_find(proto_lib && *proto_lib ? proto_lib : scheme, &protocol, &err);
  }
  if (api && (topic == NULL || *topic == '\0')) {
    g_free(topic);
    topic = vf_conn_str_topic(conn_str);
    if (topic == NULL && !g_str_equal(protocol, "file"))
      g_set_error(&err, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
                  "no topic: set topic, or name it in the conn-str (%s://host:port/TOPIC or "
                  "host;port;TOPIC)",
                  protocol);
  }
  VfDelivery *d = NULL;
  if (err == NULL) {
    cfg.api = api;
    cfg.protocol = protocol;
    cfg.conn_str = conn_str;
    cfg.config = config;
    cfg.topic = topic ? topic : "";
    cfg.spool_dir = spool_dir;
    d = vf_delivery_new(&cfg, GST_ELEMENT(self), &err);
  }
  if (d == NULL) {
    GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("%s: %s", GST_ELEMENT_NAME(self), err->message),
                      ("proto-lib %s, conn-str %s", proto_lib ? proto_lib : "(none)",
                       conn_str ? conn_str : "(none)"));
    g_error_free(err);
  } else {
    GST_INFO_OBJECT(self, "sending to %s %s, topic %s", protocol, conn_str, cfg.topic);
  }
  GST_OBJECT_LOCK(self);
  self->delivery = d;
  memset(&self->last, 0, sizeof self->last);
  self->warned_no_meta = FALSE;
  GST_OBJECT_UNLOCK(self);
  g_free(scheme);
  g_free(proto_lib);
  g_free(conn_str);
  g_free(topic);
  g_free(config);
  g_free(spool_dir);
  return d != NULL;
}

static gboolean vf_msgbroker_stop(GstBaseSink *sink)
{
  VfMsgBroker *self = VF_MSGBROKER(sink);
  GST_OBJECT_LOCK(self);
  VfDelivery *d = self->delivery;
  self->delivery = NULL;
  GST_OBJECT_UNLOCK(self);
  VfDeliveryStats final = { 0 };
  vf_delivery_free(d, &final);
  GST_OBJECT_LOCK(self);
  self->last = final;
  GST_OBJECT_UNLOCK(self);
  return TRUE;
}

static GstFlowReturn vf_msgbroker_render(GstBaseSink *sink, GstBuffer *buffer)
{
  VfMsgBroker *self = VF_MSGBROKER(sink);
  VfBatchMeta *batch = vf_batch_meta_get(buffer);
  if (batch == NULL) {
    if (!self->warned_no_meta) {
      self->warned_no_meta = TRUE;
      GST_ELEMENT_WARNING(self, STREAM, FORMAT,
                          ("%s: buffers without frame metadata carry no messages: put vfmsgconv "
                           "before vfmsgbroker",
                           GST_ELEMENT_NAME(self)),
                          (NULL));
    }
    return GST_FLOW_OK;
  }
  for (guint i = 0; i < vf_batch_meta_get_n_frames(batch); i++) {
    GPtrArray *payloads = vf_frame_meta_get_payloads(vf_batch_meta_get_frame(batch, i));
    gboolean ok = TRUE;
    for (guint k = 0; ok && k < payloads->len; k++) {
      VfPayload *p = payloads->pdata[k];
      ok = vf_delivery_push(self->delivery, vf_payload_get_data(p), vf_payload_get_key(p));
    }
    g_ptr_array_unref(payloads);
    if (!ok)
      return GST_FLOW_FLUSHING;
  }
  return GST_FLOW_OK;
}

static gboolean vf_msgbroker_event(GstBaseSink *sink, GstEvent *event)
{
  VfMsgBroker *self = VF_MSGBROKER(sink);
  if (GST_EVENT_TYPE(event) == GST_EVENT_EOS && self->delivery) {
    GST_OBJECT_LOCK(self);
    guint timeout = self->flush_timeout;
    gboolean kept = self->spool_dir != NULL && self->spool_size > 0;
    GST_OBJECT_UNLOCK(self);
    if (!vf_delivery_flush(self->delivery, (gint64)timeout * G_TIME_SPAN_MILLISECOND)) {
      VfDeliveryStats st;
      vf_delivery_get_stats(self->delivery, &st);
      guint64 pending = MAX(st.spooled, st.queued + st.in_flight);
      if (pending > 0)
        GST_ELEMENT_WARNING(self, RESOURCE, WRITE,
                            ("%s: end of stream: %" G_GUINT64_FORMAT " messages still not "
                             "acknowledged after flush-timeout (%u ms)%s",
                             GST_ELEMENT_NAME(self), pending, timeout,
                             kept ? "; they stay in the spool for the next start"
                                  : "; they are lost when the pipeline stops"),
                            (NULL));
    }
  }
  return GST_BASE_SINK_CLASS(vf_msgbroker_parent_class)->event(sink, event);
}

static gboolean vf_msgbroker_unlock(GstBaseSink *sink)
{
  VfMsgBroker *self = VF_MSGBROKER(sink);
  if (self->delivery)
    vf_delivery_set_flushing(self->delivery, TRUE);
  return TRUE;
}

static gboolean vf_msgbroker_unlock_stop(GstBaseSink *sink)
{
  VfMsgBroker *self = VF_MSGBROKER(sink);
  if (self->delivery)
    vf_delivery_set_flushing(self->delivery, FALSE);
  return TRUE;
}

/* Under the object lock. */
static VfDeliveryStats current_stats(VfMsgBroker *self)
{
  VfDeliveryStats st = self->last;
  if (self->delivery)
    vf_delivery_get_stats(self->delivery, &st);
  return st;
}

static void vf_msgbroker_set_property(GObject *object, guint id, const GValue *value,
                                      GParamSpec *pspec)
{
  VfMsgBroker *self = VF_MSGBROKER(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_PROTO_LIB:
    g_free(self->proto_lib);
    self->proto_lib = g_value_dup_string(value);
    break;
  case PROP_CONN_STR:
    g_free(self->conn_str);
    self->conn_str = g_value_dup_string(value);
    break;
  case PROP_TOPIC:
    g_free(self->topic);
    self->topic = g_value_dup_string(value);
    break;
  case PROP_CONFIG:
    g_free(self->config);
    self->config = g_value_dup_string(value);
    break;
  case PROP_QUEUE_SIZE:
    self->queue_size = g_value_get_uint(value);
    break;
  case PROP_MAX_IN_FLIGHT:
    self->max_in_flight = g_value_get_uint(value);
    break;
  case PROP_SPOOL_SIZE:
    self->spool_size = g_value_get_uint64(value);
    break;
  case PROP_SPOOL_DIR:
    g_free(self->spool_dir);
    self->spool_dir = g_value_dup_string(value);
    break;
  case PROP_RECONNECT_MIN:
    self->reconnect_min = g_value_get_uint(value);
    break;
  case PROP_RECONNECT_MAX:
    self->reconnect_max = g_value_get_uint(value);
    break;
  case PROP_FLUSH_TIMEOUT:
    self->flush_timeout = g_value_get_uint(value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
  GST_OBJECT_UNLOCK(self);
}

static void vf_msgbroker_get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  VfMsgBroker *self = VF_MSGBROKER(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_PROTO_LIB:
    g_value_set_string(value, self->proto_lib);
    break;
  case PROP_CONN_STR:
    g_value_set_string(value, self->conn_str);
    break;
  case PROP_TOPIC:
    g_value_set_string(value, self->topic);
    break;
  case PROP_CONFIG:
    g_value_set_string(value, self->config);
    break;
  case PROP_QUEUE_SIZE:
    g_value_set_uint(value, self->queue_size);
    break;
  case PROP_MAX_IN_FLIGHT:
    g_value_set_uint(value, self->max_in_flight);
    break;
  case PROP_SPOOL_SIZE:
    g_value_set_uint64(value, self->spool_size);
    break;
  case PROP_SPOOL_DIR:
    g_value_set_string(value, self->spool_dir);
    break;
  case PROP_RECONNECT_MIN:
    g_value_set_uint(value, self->reconnect_min);
    break;
  case PROP_RECONNECT_MAX:
    g_value_set_uint(value, self->reconnect_max);
    break;
  case PROP_FLUSH_TIMEOUT:
    g_value_set_uint(value, self->flush_timeout);
    break;
  case PROP_STATS: {
    VfDeliveryStats st = current_stats(self);
    g_value_take_boxed(
        value, gst_structure_new(
                   "vfmsgbroker-stats", "accepted", G_TYPE_UINT64, st.accepted, "sent",
                   G_TYPE_UINT64, st.sent, "resent", G_TYPE_UINT64, st.resent, "acknowledged",
                   G_TYPE_UINT64, st.acknowledged, "queued", G_TYPE_UINT64, st.queued, "in-flight",
                   G_TYPE_UINT64, st.in_flight, "spooled", G_TYPE_UINT64, st.spooled,
                   "spooled-total", G_TYPE_UINT64, st.spooled_total, "dropped", G_TYPE_UINT64,
                   st.dropped, "failed", G_TYPE_UINT64, st.failed, "disconnects", G_TYPE_UINT64,
                   st.disconnects, "connected", G_TYPE_BOOLEAN, st.connected, NULL));
    break;
  }
  case PROP_SENT:
    g_value_set_uint64(value, current_stats(self).sent);
    break;
  case PROP_ACKNOWLEDGED:
    g_value_set_uint64(value, current_stats(self).acknowledged);
    break;
  case PROP_QUEUED:
    g_value_set_uint64(value, current_stats(self).queued);
    break;
  case PROP_SPOOLED:
    g_value_set_uint64(value, current_stats(self).spooled);
    break;
  case PROP_DROPPED:
    g_value_set_uint64(value, current_stats(self).dropped);
    break;
  case PROP_FAILED:
    g_value_set_uint64(value, current_stats(self).failed);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
  GST_OBJECT_UNLOCK(self);
}

static void vf_msgbroker_finalize(GObject *object)
{
  VfMsgBroker *self = VF_MSGBROKER(object);
  g_free(self->proto_lib);
  g_free(self->conn_str);
  g_free(self->topic);
  g_free(self->config);
  g_free(self->spool_dir);
  G_OBJECT_CLASS(vf_msgbroker_parent_class)->finalize(object);
}

static void install_counter(GObjectClass *klass, guint id, const char *name, const char *blurb)
{
  g_object_class_install_property(klass, id,
                                  g_param_spec_uint64(name, name, blurb, 0, G_MAXUINT64, 0,
                                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

static void vf_msgbroker_class_init(VfMsgBrokerClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  GstBaseSinkClass *sink_class = GST_BASE_SINK_CLASS(klass);
  gobject_class->set_property = vf_msgbroker_set_property;
  gobject_class->get_property = vf_msgbroker_get_property;
  gobject_class->finalize = vf_msgbroker_finalize;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;

  g_object_class_install_property(
      gobject_class, PROP_PROTO_LIB,
      g_param_spec_string("proto-lib", "Protocol adapter",
                          "mqtt, redis, kafka, file, a DeepStream adapter's name "
                          "(libnvds_kafka_proto.so: the built-in kafka adapter) or the path of an "
                          "adapter library (vidflow/msgapi.h); NULL: the conn-str's URI scheme",
                          NULL, rw));
  g_object_class_install_property(
      gobject_class, PROP_CONN_STR,
      g_param_spec_string("conn-str", "Connection string",
                          "The broker: host;port[;topic], host:port, or a URI "
                          "(mqtt://host:port/topic?options, redis://host:port/stream, "
                          "kafka://host:port,host:port/topic?librdkafka.property=value, "
                          "file:///path)",
                          NULL, rw));
  g_object_class_install_property(
      gobject_class, PROP_TOPIC,
      g_param_spec_string("topic", "Topic",
                          "MQTT topic, Redis stream or Kafka topic; NULL: the conn-str's", NULL,
                          rw));
  g_object_class_install_property(
      gobject_class, PROP_CONFIG,
      g_param_spec_string("config", "Adapter config",
                          "The adapter's key-file config ([message-broker] group: the adapter's "
                          "options, as in the conn-str's query); NULL: none",
                          NULL, rw));
  g_object_class_install_property(
      gobject_class, PROP_QUEUE_SIZE,
      g_param_spec_uint("queue-size", "Queue size",
                        "Messages waiting in memory: with a spool, the newest unsent ones (older "
                        "ones are read back from disk); without, the most pending before the "
                        "stream waits",
                        1, G_MAXINT, DEFAULT_QUEUE_SIZE, rw));
  g_object_class_install_property(gobject_class, PROP_MAX_IN_FLIGHT,
                                  g_param_spec_uint("max-in-flight", "Most in flight",
                                                    "Messages sent and not acknowledged yet", 1,
                                                    G_MAXINT, DEFAULT_MAX_IN_FLIGHT, rw));
  g_object_class_install_property(
      gobject_class, PROP_SPOOL_SIZE,
      g_param_spec_uint64("spool-size", "Spool size",
                          "Bytes of messages kept on disk while the broker cannot be reached; "
                          "when full the oldest are dropped; 0: no spool (memory only)",
                          0, G_MAXUINT64, DEFAULT_SPOOL_SIZE, rw));
  g_object_class_install_property(
      gobject_class, PROP_SPOOL_DIR,
      g_param_spec_string("spool-dir", "Spool folder",
                          "Where the spool lives (one element per folder); it keeps what was not "
                          "acknowledged for the next start; NULL: a private temporary folder, "
                          "removed at stop",
                          NULL, rw));
  g_object_class_install_property(
      gobject_class, PROP_RECONNECT_MIN,
      g_param_spec_uint("reconnect-min", "Reconnect backoff minimum",
                        "Milliseconds before the first reconnection attempt (doubling up to "
                        "reconnect-max)",
                        1, G_MAXINT, DEFAULT_RECONNECT_MIN_MS, rw));
  g_object_class_install_property(
      gobject_class, PROP_RECONNECT_MAX,
      g_param_spec_uint("reconnect-max", "Reconnect backoff maximum",
                        "Most milliseconds between reconnection attempts", 1, G_MAXINT,
                        DEFAULT_RECONNECT_MAX_MS, rw));
  g_object_class_install_property(
      gobject_class, PROP_FLUSH_TIMEOUT,
      g_param_spec_uint("flush-timeout", "Flush timeout",
                        "Milliseconds the end of stream waits for every message to be "
                        "acknowledged",
                        0, G_MAXINT, DEFAULT_FLUSH_TIMEOUT_MS, rw));
  g_object_class_install_property(
      gobject_class, PROP_STATS,
      g_param_spec_boxed("stats", "Statistics",
                         "vfmsgbroker-stats: accepted, sent, resent, acknowledged, queued, "
                         "in-flight, spooled, spooled-total, dropped, failed (guint64), "
                         "disconnects, connected",
                         GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  install_counter(gobject_class, PROP_SENT, "sent",
                  "Sends the adapter accepted (resends after a broken connection included)");
  install_counter(gobject_class, PROP_ACKNOWLEDGED, "acknowledged",
                  "Messages the broker acknowledged (each once)");
  install_counter(gobject_class, PROP_QUEUED, "queued",
                  "Messages waiting in memory now, not sent yet");
  install_counter(gobject_class, PROP_SPOOLED, "spooled",
                  "Messages in the spool now, not acknowledged yet");
  install_counter(gobject_class, PROP_DROPPED, "dropped",
                  "Messages discarded because the spool was full");
  install_counter(gobject_class, PROP_FAILED, "failed",
                  "Messages the broker refused, or not delivered when the element stopped");

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_set_static_metadata(
      element_class, "vidflow message broker", "Sink/Network",
      "Sends the payloads of vfmsgconv to MQTT, Redis Streams, Kafka or a file, at least once, "
      "through broker outages",
      "vidflow");
  sink_class->start = GST_DEBUG_FUNCPTR(vf_msgbroker_start);
  sink_class->stop = GST_DEBUG_FUNCPTR(vf_msgbroker_stop);
  sink_class->render = GST_DEBUG_FUNCPTR(vf_msgbroker_render);
  sink_class->event = GST_DEBUG_FUNCPTR(vf_msgbroker_event);
  sink_class->unlock = GST_DEBUG_FUNCPTR(vf_msgbroker_unlock);
  sink_class->unlock_stop = GST_DEBUG_FUNCPTR(vf_msgbroker_unlock_stop);
}

static void vf_msgbroker_init(VfMsgBroker *self)
{
  self->queue_size = DEFAULT_QUEUE_SIZE;
  self->max_in_flight = DEFAULT_MAX_IN_FLIGHT;
  self->spool_size = DEFAULT_SPOOL_SIZE;
  self->reconnect_min = DEFAULT_RECONNECT_MIN_MS;
  self->reconnect_max = DEFAULT_RECONNECT_MAX_MS;
  self->flush_timeout = DEFAULT_FLUSH_TIMEOUT_MS;
  gst_base_sink_set_sync(GST_BASE_SINK(self), FALSE);
}
