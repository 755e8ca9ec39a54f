/* vidflow plugin: vfipcsrc, the consumer end of the cross-process transport (include/vidflow/
 * ipc.h).
 *
 * SECTION:element-vfipcsrc
 *
 * vfipcsrc connects to a vfipcsink (or VfIpcProducer) of another process on socket-path and
 * pushes what it sends: its stream-start, caps and segment, its buffers with all their vidflow
 * metadata (batches stay batches), and end of stream. Buffers are read-only views of the
 * producer's shared memory (no copy); the memory goes back to the producer when the last
 * reference here is dropped, so hold buffers only as long as needed: the producer sends at most
 * its max-in-flight buffers ahead.
 *
 * The consumer may start first: it waits up to connect-timeout for the producer's socket. When
 * the producer goes away before end of stream (killed, crashed) the source fails with an error
 * naming the socket, or, with wait-for-producer, waits for a producer on the same socket and goes
 * on with its stream. Buffers the producer dropped for this consumer (when-full=drop-oldest) are
 * counted in `dropped`.
 *
 * Properties:
 *   socket-path        string  socket name or path (default NULL: "vidflow-ipc" in
 *                              XDG_RUNTIME_DIR)
 *   connect-timeout    int64   ms to wait for the producer at start (default 10000; -1: no
 *                              limit; 0: fail at once)
 *   wait-for-producer  bool    wait for a new producer when it goes away (default false)
 *   is-live            bool    act as a live source (default false)
 *   received, dropped, reconnects (read-only counters)
 *
 * Example launch line:
 *   gst-launch-1.0 vfipcsrc socket-path=cam0 ! videoconvert ! autovideosink
 */
#include "vfipcsrc.h"

#include <vidflow/ipc.h>

GST_DEBUG_CATEGORY_STATIC(vf_ipc_src_debug);
#define GST_CAT_DEFAULT vf_ipc_src_debug

#define DEFAULT_CONNECT_TIMEOUT_MS 10000

enum {
  PROP_0,
  PROP_SOCKET_PATH,
  PROP_CONNECT_TIMEOUT,
  PROP_WAIT_FOR_PRODUCER,
  PROP_IS_LIVE,
  PROP_RECEIVED,
  PROP_DROPPED,
  PROP_RECONNECTS,
};

struct _VfIpcSrc {
  GstPushSrc parent;
  /* properties (object lock) */
  char *socket_path;
  gint64 connect_timeout_ms;
  gboolean wait_for_producer;
  /* set in start, cleared in stop */
  VfIpcConsumer *consumer;
};

static GstStaticPadTemplate src_template
    = GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

G_DEFINE_TYPE_WITH_CODE(VfIpcSrc, vf_ipc_src, GST_TYPE_PUSH_SRC,
                        GST_DEBUG_CATEGORY_INIT(vf_ipc_src_debug, "vfipcsrc", 0,
                                                "vidflow IPC source"));
GST_ELEMENT_REGISTER_DEFINE(vfipcsrc, "vfipcsrc", GST_RANK_NONE, VF_TYPE_IPC_SRC);

static void set_property(GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  VfIpcSrc *self = VF_IPC_SRC(object);
  switch (id) {
  case PROP_SOCKET_PATH:
    GST_OBJECT_LOCK(self);
    g_free(self->socket_path);
    self->socket_path = g_value_dup_string(value);
    GST_OBJECT_UNLOCK(self);
    break;
  case PROP_CONNECT_TIMEOUT:
    GST_OBJECT_LOCK(self);
    self->connect_timeout_ms = g_value_get_int64(value);
    GST_OBJECT_UNLOCK(self);
    break;
  case PROP_WAIT_FOR_PRODUCER:
    GST_OBJECT_LOCK(self);
    self->wait_for_producer = g_value_get_boolean(value);
    GST_OBJECT_UNLOCK(self);
    break;
  case PROP_IS_LIVE:
    gst_base_src_set_live(GST_BASE_SRC(self), g_value_get_boolean(value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    break;
  }
}

static void get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  VfIpcSrc *self = VF_IPC_SRC(object);
  VfIpcConsumerStats stats = { 0 };
  GST_OBJECT_LOCK(self);
  if (self->consumer)
    vf_ipc_consumer_get_stats(self->consumer, &stats);
  switch (id) {
  case PROP_SOCKET_PATH:
    g_value_set_string(value, self->socket_path);
    break;
  case PROP_CONNECT_TIMEOUT:
    g_value_set_int64(value, self->connect_timeout_ms);
    break;
  case PROP_WAIT_FOR_PRODUCER:
    g_value_set_boolean(value, self->wait_for_producer);
    break;
  case PROP_IS_LIVE:
    GST_OBJECT_UNLOCK(self);
    g_value_set_boolean(value, gst_base_src_is_live(GST_BASE_SRC(self)));
    return;
  case PROP_RECEIVED:
    g_value_set_uint64(value, stats.received);
    break;
  case PROP_DROPPED:
    g_value_set_uint64(value, stats.dropped);
    break;
  case PROP_RECONNECTS:
    g_value_set_uint64(value, stats.reconnects);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(self);
}

static gboolean start(GstBaseSrc *src)
{
  VfIpcSrc *self = VF_IPC_SRC(src);
  GST_OBJECT_LOCK(self);
  char *path = g_strdup(self->socket_path);
  VfIpcConsumerOptions opt = {
    self->connect_timeout_ms < 0 ? -1 : self->connect_timeout_ms * 1000,
    self->wait_for_producer,
  };
  GST_OBJECT_UNLOCK(self);
  GError *err = NULL;
  VfIpcConsumer *c = vf_ipc_consumer_new(path, &opt, &err);
  g_free(path);
  if (c == NULL) {
    GST_ELEMENT_ERROR(self, RESOURCE, OPEN_READ, ("%s", err->message),
                      ("property socket-path of %s", GST_ELEMENT_NAME(self)));
    g_error_free(err);
    return FALSE;
  }
  GST_OBJECT_LOCK(self);
  self->consumer = c;
  GST_OBJECT_UNLOCK(self);
  return TRUE;
}

static gboolean stop(GstBaseSrc *src)
{
  VfIpcSrc *self = VF_IPC_SRC(src);
  GST_OBJECT_LOCK(self);
  VfIpcConsumer *c = self->consumer;
  self->consumer = NULL;
  GST_OBJECT_UNLOCK(self);
  vf_ipc_consumer_free(c);
  return TRUE;
}

/* The caps come from the producer (in create): nothing to negotiate before. */
static gboolean negotiate(GstBaseSrc *src)
{
  (void)src;
  return TRUE;
}

static GstFlowReturn create(GstPushSrc *src, GstBuffer **out)
{
  VfIpcSrc *self = VF_IPC_SRC(src);
  GstBaseSrc *base = GST_BASE_SRC(src);
  for (;;) {
    GstBuffer *b = NULL;
    GstEvent *ev = NULL;
    GError *err = NULL;
    VfIpcItem item = vf_ipc_consumer_pull(self->consumer, &b, &ev, &err);
    switch (item) {
    case VF_IPC_ITEM_BUFFER:
      *out = b;
      return GST_FLOW_OK;
    case VF_IPC_ITEM_STREAM_START:
      gst_pad_push_event(GST_BASE_SRC_PAD(base), ev);
      break;
    case VF_IPC_ITEM_CAPS: {
      GstCaps *caps = NULL;
      gst_event_parse_caps(ev, &caps);
      gboolean ok = gst_base_src_set_caps(base, caps);
      if (!ok) {
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                          ("%s: downstream does not accept the producer's caps %" GST_PTR_FORMAT,
                           GST_ELEMENT_NAME(self), caps),
                          ("add a videoconvert after the source, or change the producer's caps"));
        gst_event_unref(ev);
        return GST_FLOW_NOT_NEGOTIATED;
      }
      gst_event_unref(ev);
      break;
    }
    case VF_IPC_ITEM_SEGMENT: {
      const GstSegment *seg = NULL;
      gst_event_parse_segment(ev, &seg);
      if (seg->format == GST_FORMAT_TIME)
        gst_base_src_new_segment(base, seg);
      gst_event_unref(ev);
      break;
    }
    case VF_IPC_ITEM_EOS:
      return GST_FLOW_EOS;
    case VF_IPC_ITEM_CANCELLED:
      return GST_FLOW_FLUSHING;
    case VF_IPC_ITEM_ERROR:
    default:
      GST_ELEMENT_ERROR(self, RESOURCE, READ, ("%s", err ? err->message : "ipc error"),
                        ("vfipcsrc %s", GST_ELEMENT_NAME(self)));
      g_clear_error(&err);
      return GST_FLOW_ERROR;
    }
  }
}

static gboolean unlock(GstBaseSrc *src)
{
  vf_ipc_consumer_cancel(VF_IPC_SRC(src)->consumer);
  return TRUE;
}

static gboolean unlock_stop(GstBaseSrc *src)
{
  vf_ipc_consumer_uncancel(VF_IPC_SRC(src)->consumer);
  return TRUE;
}

static void finalize(GObject *object)
{
  VfIpcSrc *self = VF_IPC_SRC(object);
  g_free(self->socket_path);
  G_OBJECT_CLASS(vf_ipc_src_parent_class)->finalize(object);
}

static void vf_ipc_src_class_init(VfIpcSrcClass *klass)
{
  GObjectClass *oc = G_OBJECT_CLASS(klass);
  GstElementClass *ec = GST_ELEMENT_CLASS(klass);
  GstBaseSrcClass *bc = GST_BASE_SRC_CLASS(klass);
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
      oc, PROP_CONNECT_TIMEOUT,
      g_param_spec_int64("connect-timeout", "Connect timeout",
                         "How long to wait for the producer at start, in ms (-1: no limit)", -1,
                         G_MAXINT64 / 1000, DEFAULT_CONNECT_TIMEOUT_MS, rw));
  g_object_class_install_property(
      oc, PROP_WAIT_FOR_PRODUCER,
      g_param_spec_boolean("wait-for-producer", "Wait for producer",
                           "When the producer goes away, wait for a new one instead of failing",
                           FALSE, rw));
  g_object_class_install_property(
      oc, PROP_IS_LIVE,
      g_param_spec_boolean("is-live", "Is live", "Act as a live source", FALSE, rw));
  g_object_class_install_property(
      oc, PROP_RECEIVED,
      g_param_spec_uint64("received", "Received", "Buffers received", 0, G_MAXUINT64, 0, ro));
  g_object_class_install_property(
      oc, PROP_DROPPED,
      g_param_spec_uint64("dropped", "Dropped", "Buffers the producer dropped for this consumer", 0,
                          G_MAXUINT64, 0, ro));
  g_object_class_install_property(oc, PROP_RECONNECTS,
                                  g_param_spec_uint64("reconnects", "Reconnects",
                                                      "Times a new producer was joined", 0,
                                                      G_MAXUINT64, 0, ro));
  gst_element_class_add_static_pad_template(ec, &src_template);
  gst_element_class_set_static_metadata(
      ec, "vidflow IPC source", "Source/Video",
      "Receives frames and their metadata from a vfipcsink in another process", "vidflow");
  bc->start = start;
  bc->stop = stop;
  bc->negotiate = negotiate;
  bc->unlock = unlock;
  bc->unlock_stop = unlock_stop;
  GST_PUSH_SRC_CLASS(klass)->create = create;
}

static void vf_ipc_src_init(VfIpcSrc *self)
{
  self->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
  gst_base_src_set_format(GST_BASE_SRC(self), GST_FORMAT_TIME);
}
