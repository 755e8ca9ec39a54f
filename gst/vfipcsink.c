/* vidflow plugin: vfipcsink, the producer end of the cross-process transport (include/vidflow/
 * ipc.h).
 *
 * SECTION:element-vfipcsink
 *
 * vfipcsink listens on a unix socket (socket-path: a name in $XDG_RUNTIME_DIR, mode 0600, or a
 * path) and sends every buffer it gets to every vfipcsrc (or VfIpcConsumer) connected to it, with
 * the stream's stream-start, caps and segment, end of stream, and every piece of vidflow metadata
 * (batches from vfmux included: each frame crosses with its objects, display and user meta).
 * Pixels cross in shared memory (memfd): upstream writes straight into it when it takes the
 * buffer pool vfipcsink proposes; other frames are copied into it once.
 *
 * At most max-in-flight buffers per consumer are out and not yet released; then the sink blocks
 * (when-full=block) or queues for that consumer, dropping its oldest queued buffer
 * (when-full=drop-oldest; counted in `dropped`, and seen by the consumer). The first buffer waits
 * until wait-consumers consumers joined (wait-timeout). A consumer that goes away is forgotten
 * (consumer-lost=drop) or fails the pipeline (consumer-lost=fail). At end of stream the sink waits
 * until every consumer released every buffer, so nothing is lost when the producer exits.
 *
 * Properties:
 *   socket-path     string  socket name or path (default NULL: "vidflow-ipc" in XDG_RUNTIME_DIR)
 *   max-in-flight   uint    buffers per consumer not yet released (default 4)
 *   when-full       enum    block | drop-oldest (default block)
 *   consumer-lost   enum    drop | fail (default drop)
 *   wait-consumers  uint    consumers the first buffer waits for (default 1; 0: none)
 *   wait-timeout    int64   how long, in ms (default -1: no limit)
 *   sent, dropped, copied, zero-copy, consumers (read-only counters)
 *
 * Example launch line (two shells):
 *   gst-launch-1.0 videotestsrc num-buffers=300 ! video/x-raw,format=RGB ! \
 *     vfipcsink socket-path=cam0
 *   gst-launch-1.0 vfipcsrc socket-path=cam0 ! videoconvert ! autovideosink
 */
#include "vfipcsink.h"

#include <gst/video/video.h>
#include <vidflow/error.h>
#include <vidflow/ipc.h>
#include <vidflow/meta.h>

GST_DEBUG_CATEGORY_STATIC(vf_ipc_sink_debug);
#define GST_CAT_DEFAULT vf_ipc_sink_debug

#define DEFAULT_MAX_IN_FLIGHT 4
#define DEFAULT_WAIT_CONSUMERS 1
#define DEFAULT_WAIT_TIMEOUT_MS (-1)
/* spare buffers in the proposed pool beyond what consumers may hold */
#define POOL_EXTRA 2

enum {
  PROP_0,
  PROP_SOCKET_PATH,
  PROP_MAX_IN_FLIGHT,
  PROP_WHEN_FULL,
  PROP_CONSUMER_LOST,
  PROP_WAIT_CONSUMERS,
  PROP_WAIT_TIMEOUT,
  PROP_SENT,
  PROP_DROPPED,
  PROP_COPIED,
  PROP_ZERO_COPY,
  PROP_CONSUMERS,
};

struct _VfIpcSink {
  GstBaseSink parent;
  /* properties (object lock) */
  char *socket_path;
  VfIpcProducerOptions options;
  gint64 wait_timeout_ms;
  /* set in start, cleared in stop */
  VfIpcProducer *producer;
};

static GstStaticPadTemplate sink_template
    = GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

G_DEFINE_TYPE_WITH_CODE(VfIpcSink, vf_ipc_sink, GST_TYPE_BASE_SINK,
                        GST_DEBUG_CATEGORY_INIT(vf_ipc_sink_debug, "vfipcsink", 0,
                                                "vidflow IPC sink"));
GST_ELEMENT_REGISTER_DEFINE(vfipcsink, "vfipcsink", GST_RANK_NONE, VF_TYPE_IPC_SINK);

static GType full_policy_get_type(void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { VF_IPC_FULL_BLOCK, "Wait for the consumer to release a buffer", "block" },
    { VF_IPC_FULL_DROP_OLDEST, "Drop the consumer's oldest queued buffer", "drop-oldest" },
    { 0, NULL, NULL },
  };
  if (g_once_init_enter(&type))
    g_once_init_leave(&type, g_enum_register_static("VfIpcFullPolicy", values));
  return type;
}

static GType lost_policy_get_type(void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { VF_IPC_LOST_DROP, "Go on with the other consumers", "drop" },
    { VF_IPC_LOST_FAIL, "Fail with an error", "fail" },
    { 0, NULL, NULL },
  };
  if (g_once_init_enter(&type))
    g_once_init_leave(&type, g_enum_register_static("VfIpcLostPolicy", values));
  return type;
}

static void set_property(GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  VfIpcSink *self = VF_IPC_SINK(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_SOCKET_PATH:
    g_free(self->socket_path);
    self->socket_path = g_value_dup_string(value);
    break;
  case PROP_MAX_IN_FLIGHT:
    self->options.max_in_flight = g_value_get_uint(value);
    break;
  case PROP_WHEN_FULL:
    self->options.when_full = g_value_get_enum(value);
    break;
  case PROP_CONSUMER_LOST:
    self->options.consumer_lost = g_value_get_enum(value);
    break;
  case PROP_WAIT_CONSUMERS:
    self->options.wait_consumers = g_value_get_uint(value);
    break;
  case PROP_WAIT_TIMEOUT:
    self->wait_timeout_ms = g_value_get_int64(value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  VfIpcSink *self = VF_IPC_SINK(object);
  VfIpcStats stats = { 0 };
  GST_OBJECT_LOCK(self);
  if (self->producer)
    vf_ipc_producer_get_stats(self->producer, &stats);
  switch (id) {
  case PROP_SOCKET_PATH:
    g_value_set_string(value, self->socket_path);
    break;
  case PROP_MAX_IN_FLIGHT:
    g_value_set_uint(value, self->options.max_in_flight);
    break;
  case PROP_WHEN_FULL:
    g_value_set_enum(value, self->options.when_full);
    break;
  case PROP_CONSUMER_LOST:
    g_value_set_enum(value, self->options.consumer_lost);
    break;
  case PROP_WAIT_CONSUMERS:
    g_value_set_uint(value, self->options.wait_consumers);
    break;
  case PROP_WAIT_TIMEOUT:
    g_value_set_int64(value, self->wait_timeout_ms);
    break;
  case PROP_SENT:
    g_value_set_uint64(value, stats.sent);
    break;
  case PROP_DROPPED:
    g_value_set_uint64(value, stats.dropped);
    break;
  case PROP_COPIED:
    g_value_set_uint64(value, stats.copied);
    break;
  case PROP_ZERO_COPY:
    g_value_set_uint64(value, stats.zero_copy);
    break;
  case PROP_CONSUMERS:
    g_value_set_uint(value, stats.consumers);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(self);
}

static gboolean start(GstBaseSink *sink)
{
  VfIpcSink *self = VF_IPC_SINK(sink);
  GST_OBJECT_LOCK(self);
  char *path = g_strdup(self->socket_path);
  VfIpcProducerOptions opt = self->options;
  opt.wait_timeout_us = self->wait_timeout_ms < 0 ? -1 : self->wait_timeout_ms * 1000;
  GST_OBJECT_UNLOCK(self);
  GError *err = NULL;
  VfIpcProducer *p = vf_ipc_producer_new(path, &opt, &err);
  g_free(path);
  if (p == NULL) {
    GST_ELEMENT_ERROR(self, RESOURCE, OPEN_WRITE, ("%s", err->message),
                      ("property socket-path of %s", GST_ELEMENT_NAME(self)));
    g_error_free(err);
    return FALSE;
  }
  GST_OBJECT_LOCK(self);
  self->producer = p;
  GST_OBJECT_UNLOCK(self);
  return TRUE;
}

static gboolean stop(GstBaseSink *sink)
{
  VfIpcSink *self = VF_IPC_SINK(sink);
  GST_OBJECT_LOCK(self);
  VfIpcProducer *p = self->producer;
  self->producer = NULL;
  GST_OBJECT_UNLOCK(self);
  vf_ipc_producer_free(p);
  return TRUE;
}

static void post_error(VfIpcSink *self, GError *err)
{
  GST_ELEMENT_ERROR(self, RESOURCE, WRITE, ("%s", err->message),
                    ("vfipcsink %s", GST_ELEMENT_NAME(self)));
}

static gboolean event(GstBaseSink *sink, GstEvent *ev)
{
  VfIpcSink *self = VF_IPC_SINK(sink);
  GError *err = NULL;
  switch (GST_EVENT_TYPE(ev)) {
  case GST_EVENT_STREAM_START:
  case GST_EVENT_CAPS:
  case GST_EVENT_SEGMENT:
    vf_ipc_producer_send_event(self->producer, ev, NULL);
    break;
  case GST_EVENT_EOS:
    /* every consumer gets end of stream and releases what it holds before we post EOS */
    if (!vf_ipc_producer_finish(self->producer, -1, &err)) {
      if (err->code != VF_ERROR_INTERRUPTED)
        post_error(self, err);
      g_error_free(err);
    }
    break;
  default:
    break;
  }
  return GST_BASE_SINK_CLASS(vf_ipc_sink_parent_class)->event(sink, ev);
}

static GstFlowReturn render(GstBaseSink *sink, GstBuffer *buffer)
{
  VfIpcSink *self = VF_IPC_SINK(sink);
  GError *err = NULL;
  if (vf_ipc_producer_push(self->producer, buffer, &err))
    return GST_FLOW_OK;
  GstFlowReturn ret = GST_FLOW_ERROR;
  if (err->code == VF_ERROR_INTERRUPTED)
    ret = GST_FLOW_FLUSHING;
  else
    post_error(self, err);
  g_error_free(err);
  return ret;
}

static gboolean unlock(GstBaseSink *sink)
{
  vf_ipc_producer_cancel(VF_IPC_SINK(sink)->producer);
  return TRUE;
}

static gboolean unlock_stop(GstBaseSink *sink)
{
  vf_ipc_producer_uncancel(VF_IPC_SINK(sink)->producer);
  return TRUE;
}

/* Offer upstream a pool of shared memory: frames written there cross without a copy. */
static gboolean propose_allocation(GstBaseSink *sink, GstQuery *query)
{
  VfIpcSink *self = VF_IPC_SINK(sink);
  GstCaps *caps = NULL;
  gboolean need_pool = FALSE;
  gst_query_parse_allocation(query, &caps, &need_pool);
  GstAllocator *allocator = vf_ipc_allocator_get();
  GstAllocationParams params;
  gst_allocation_params_init(&params);
  gst_query_add_allocation_param(query, allocator, &params);
  GstVideoInfo info;
  if (caps == NULL || !gst_video_info_from_caps(&info, caps))
    return TRUE; /* not raw video (a batch, or else): the allocator alone */
  GstCapsFeatures *f = gst_caps_get_features(caps, 0);
  if (f && !gst_caps_features_is_equal(f, GST_CAPS_FEATURES_MEMORY_SYSTEM_MEMORY))
    return TRUE;
  GST_OBJECT_LOCK(self);
  guint in_flight
      = self->options.max_in_flight ? self->options.max_in_flight : DEFAULT_MAX_IN_FLIGHT;
  GST_OBJECT_UNLOCK(self);
  GstBufferPool *pool = gst_video_buffer_pool_new();
  GstStructure *config = gst_buffer_pool_get_config(pool);
  gst_buffer_pool_config_set_params(config, caps, (guint)GST_VIDEO_INFO_SIZE(&info), 0, 0);
  gst_buffer_pool_config_set_allocator(config, allocator, &params);
  gst_buffer_pool_config_add_option(config, GST_BUFFER_POOL_OPTION_VIDEO_META);
  if (!gst_buffer_pool_set_config(pool, config)) {
    gst_object_unref(pool);
    return TRUE;
  }
  gst_query_add_allocation_pool(query, pool, (guint)GST_VIDEO_INFO_SIZE(&info),
                                in_flight + POOL_EXTRA, 0);
  gst_query_add_allocation_meta(query, GST_VIDEO_META_API_TYPE, NULL);
  gst_object_unref(pool);
  return TRUE;
}

static void finalize(GObject *object)
{
  VfIpcSink *self = VF_IPC_SINK(object);
  g_free(self->socket_path);
  G_OBJECT_CLASS(vf_ipc_sink_parent_class)->finalize(object);
}

static void vf_ipc_sink_class_init(VfIpcSinkClass *klass)
{
  GObjectClass *oc = G_OBJECT_CLASS(klass);
  GstElementClass *ec = GST_ELEMENT_CLASS(klass);
  GstBaseSinkClass *bc = GST_BASE_SINK_CLASS(klass);
  oc->set_property = set_property;
  oc->get_property = get_property;
  oc->finalize = finalize;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  g_object_class_install_property(
      oc, PROP_SOCKET_PATH,
      g_param_spec_string("socket-path", "Socket path",
                          "Socket name (in $XDG_RUNTIME_DIR) or path (with a '/'); NULL: "
                          "\"" VF_IPC_DEFAULT_NAME "\"",
                          NULL, rw));
  g_object_class_install_property(
      oc, PROP_MAX_IN_FLIGHT,
      g_param_spec_uint("max-in-flight", "Max in flight",
                        "Buffers per consumer sent and not yet released", 1, 1024,
                        DEFAULT_MAX_IN_FLIGHT, rw));
  g_object_class_install_property(
      oc, PROP_WHEN_FULL,
      g_param_spec_enum("when-full", "When full",
                        "What to do when a consumer has max-in-flight buffers",
                        full_policy_get_type(), VF_IPC_FULL_BLOCK, rw));
  g_object_class_install_property(
      oc, PROP_CONSUMER_LOST,
      g_param_spec_enum("consumer-lost", "Consumer lost",
                        "What to do when a consumer goes away before end of stream",
                        lost_policy_get_type(), VF_IPC_LOST_DROP, rw));
  g_object_class_install_property(
      oc, PROP_WAIT_CONSUMERS,
      g_param_spec_uint("wait-consumers", "Wait consumers",
                        "Consumers the first buffer waits for (0: none; buffers without consumers "
                        "are not sent)",
                        0, 1024, DEFAULT_WAIT_CONSUMERS, rw));
  g_object_class_install_property(
      oc, PROP_WAIT_TIMEOUT,
      g_param_spec_int64("wait-timeout", "Wait timeout",
                         "How long the first buffer waits for wait-consumers, in ms (-1: no limit)",
                         -1, G_MAXINT64 / 1000, DEFAULT_WAIT_TIMEOUT_MS, rw));
  g_object_class_install_property(oc, PROP_SENT,
                                  g_param_spec_uint64("sent", "Sent",
                                                      "Buffers sent, summed over consumers", 0,
                                                      G_MAXUINT64, 0, ro));
  g_object_class_install_property(
      oc, PROP_DROPPED,
      g_param_spec_uint64("dropped", "Dropped", "Buffers dropped for full consumers (drop-oldest)",
                          0, G_MAXUINT64, 0, ro));
  g_object_class_install_property(oc, PROP_COPIED,
                                  g_param_spec_uint64("copied", "Copied",
                                                      "Frames copied into shared memory", 0,
                                                      G_MAXUINT64, 0, ro));
  g_object_class_install_property(
      oc, PROP_ZERO_COPY,
      g_param_spec_uint64("zero-copy", "Zero copy",
                          "Frames sent from the shared memory upstream wrote them in", 0,
                          G_MAXUINT64, 0, ro));
  g_object_class_install_property(
      oc, PROP_CONSUMERS,
      g_param_spec_uint("consumers", "Consumers", "Consumers connected now", 0, G_MAXUINT, 0, ro));
  gst_element_class_add_static_pad_template(ec, &sink_template);
  gst_element_class_set_static_metadata(
      ec, "vidflow IPC sink", "Sink/Video",
      "Sends frames and their metadata to other processes over shared memory", "vidflow");
  bc->start = start;
  bc->stop = stop;
  bc->event = event;
  bc->render = render;
  bc->unlock = unlock;
  bc->unlock_stop = unlock_stop;
  bc->propose_allocation = propose_allocation;
}

static void vf_ipc_sink_init(VfIpcSink *self)
{
  self->options.max_in_flight = DEFAULT_MAX_IN_FLIGHT;
  self->options.wait_consumers = DEFAULT_WAIT_CONSUMERS;
  self->wait_timeout_ms = DEFAULT_WAIT_TIMEOUT_MS;
  gst_base_sink_set_sync(GST_BASE_SINK(self), FALSE);
}
