/* vidflow: VfIpcQueue (ipc-queue.h), the VfFrameQueue contract across processes on the IPC
 * transport: the producer side is a VfIpcProducer that sends the stream's events when the caps
 * change, the consumer side a VfIpcConsumer whose buffers are wrapped with the latest caps.
 * A wait ends when the calling thread's current GCancellable is cancelled: its handler cancels
 * the producer or consumer (which wake their own waits). No lock of its own: each side is used
 * from one thread at a time, `closed` is atomic. */
#include <vidflow/ipc-queue.h>

#include <gio/gio.h>

#include "error-private.h"
#include "ipc-private.h"

#define DEFAULT_CAPACITY 4

struct _VfIpcQueue {
  char *name;
  VfIpcProducer *producer; /* one of the two */
  VfIpcConsumer *consumer;
  GstCaps *caps;    /* producer: the caps sent last; consumer: the caps received last */
  gboolean started; /* producer: stream-start and segment sent */
  gint closed;      /* atomic, producer */
};

static gboolean check_name(const char *name, const char *func, GError **error)
{
  if (name != NULL && *name != '\0')
    return TRUE;
  g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
              "%s: the queue needs a name (both processes open the same one, e.g. \"cameras\")",
              func);
  return FALSE;
}

static VfIpcQueue *queue_new(const char *name)
{
  VfIpcQueue *q = g_new0(VfIpcQueue, 1);
  q->name = g_strdup(name);
  return q;
}

VfIpcQueue *vf_ipc_queue_new_producer(const char *name, const VfIpcQueueOptions *options,
                                      GError **error)
{
  if (!check_name(name, G_STRFUNC, error))
    return NULL;
  VfIpcQueueOptions o = options ? *options : (VfIpcQueueOptions){ 0 };
  VfIpcProducerOptions po = {
    .max_in_flight = o.capacity ? o.capacity : DEFAULT_CAPACITY,
    .when_full = o.when_full,
    /* a consumer that goes away fails the pushes: no frame is lost silently */
    .consumer_lost = VF_IPC_LOST_FAIL,
    /* nor sent to nobody: the first push waits for the consumer */
    .wait_consumers = 1,
    .wait_timeout_us = o.connect_timeout_us,
  };
  VfIpcProducer *p = vf_ipc_producer_new(name, &po, error);
  if (p == NULL)
    return NULL;
  VfIpcQueue *q = queue_new(name);
  q->producer = p;
  return q;
}

VfIpcQueue *vf_ipc_queue_new_consumer(const char *name, const VfIpcQueueOptions *options,
                                      GError **error)
{
  if (!check_name(name, G_STRFUNC, error))
    return NULL;
  VfIpcConsumerOptions co = { options ? options->connect_timeout_us : 0, FALSE };
  VfIpcConsumer *c = vf_ipc_consumer_new(name, &co, error);
  if (c == NULL)
    return NULL;
  VfIpcQueue *q = queue_new(name);
  q->consumer = c;
  return q;
}

void vf_ipc_queue_free(VfIpcQueue *q)
{
  if (q == NULL)
    return;
  vf_ipc_producer_free(q->producer);
  vf_ipc_consumer_free(q->consumer);
  gst_clear_caps(&q->caps);
  g_free(q->name);
  g_free(q);
}

static void cancel_producer(GCancellable *cancellable, gpointer data)
{
  (void)cancellable;
  vf_ipc_producer_cancel(data);
}

static void cancel_consumer(GCancellable *cancellable, gpointer data)
{
  (void)cancellable;
  vf_ipc_consumer_cancel(data);
}

/* Connect the calling thread's current cancellable (if any) to `cancel`; *handler for
 * watch_end. */
static GCancellable *watch_begin(GCallback cancel, gpointer target, gulong *handler)
{
  GCancellable *cancellable = g_cancellable_get_current();
  *handler = cancellable ? g_cancellable_connect(cancellable, cancel, target, NULL) : 0;
  return cancellable;
}

/* Disconnect; TRUE when the cancellable fired (the caller undoes the cancel). */
static gboolean watch_end(GCancellable *cancellable, gulong handler)
{
  if (cancellable == NULL)
    return FALSE;
  g_cancellable_disconnect(cancellable, handler);
  return g_cancellable_is_cancelled(cancellable);
}

static gboolean wrong_side(VfIpcQueue *q, gboolean want_producer, const char *func, GError **error)
{
  if (want_producer ? q->producer != NULL : q->consumer != NULL)
    return FALSE;
  g_set_error(error, VF_ERROR, VF_ERROR_STATE,
              "%s: queue \"%s\" was opened as the %s side: %s on the %s side (%s)", func, q->name,
              want_producer ? "consumer" : "producer", want_producer ? "push" : "pop",
              want_producer ? "producer" : "consumer",
              want_producer ? "vf_ipc_queue_new_producer" : "vf_ipc_queue_new_consumer");
  return TRUE;
}

static gboolean send_event(VfIpcQueue *q, GstEvent *event, GError **error)
{
  gboolean ok = vf_ipc_producer_send_event(q->producer, event, error);
  gst_event_unref(event);
  return ok;
}

/* Producer: the stream's events before the first buffer, and caps again when they change. */
static gboolean send_stream(VfIpcQueue *q, GstCaps *caps, GError **error)
{
  gboolean ok = TRUE;
  if (!q->started) {
    char *id = g_strdup_printf("vf-ipc-queue/%s", q->name);
    ok = send_event(q, gst_event_new_stream_start(id), error);
    g_free(id);
  }
  if (ok && (q->caps == NULL || !gst_caps_is_equal(q->caps, caps))) {
    ok = send_event(q, gst_event_new_caps(caps), error);
    if (ok)
      gst_caps_replace(&q->caps, caps);
  }
  if (ok && !q->started) {
    GstSegment segment;
    gst_segment_init(&segment, GST_FORMAT_TIME);
    ok = send_event(q, gst_event_new_segment(&segment), error);
    q->started = ok;
  }
  return ok;
}

VfQueueStatus vf_ipc_queue_push(VfIpcQueue *q, VfBuffer *buffer, gint64 timeout_us, GError **error)
{
  if (q == NULL || buffer == NULL || g_atomic_int_get(&q->closed))
    return VF_QUEUE_CLOSED;
  if (wrong_side(q, TRUE, G_STRFUNC, error))
    return VF_QUEUE_ERROR;
  GstCaps *caps = vf_buffer_get_caps(buffer);
  GstBuffer *gst = vf_buffer_get_gst_buffer(buffer);
  if (caps == NULL || gst == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "%s: queue \"%s\": the buffer has no caps (the end-of-stream marker?): close the "
                "queue to end the stream",
                G_STRFUNC, q->name);
    return VF_QUEUE_ERROR;
  }
  GError *err = NULL;
  gulong handler;
  GCancellable *cancellable = watch_begin(G_CALLBACK(cancel_producer), q->producer, &handler);
  gboolean ok = send_stream(q, caps, &err)
                && vf_ipc_producer_push_timed(q->producer, gst, timeout_us, &err);
  gboolean cancelled = watch_end(cancellable, handler);
  if (cancelled)
    vf_ipc_producer_uncancel(q->producer);
  if (ok) {
    g_clear_error(&err);
    return VF_QUEUE_OK;
  }
  VfQueueStatus status = VF_QUEUE_ERROR;
  if (cancelled && g_error_matches(err, VF_ERROR, VF_ERROR_INTERRUPTED))
    status = VF_QUEUE_CANCELLED;
  else if (g_error_matches(err, VF_ERROR, VF_ERROR_TIMEOUT))
    status = VF_QUEUE_TIMEOUT;
  if (status == VF_QUEUE_ERROR)
    g_propagate_error(error, err);
  else
    g_error_free(err);
  return status;
}

VfQueueStatus vf_ipc_queue_pop(VfIpcQueue *q, VfBuffer **buffer, gint64 timeout_us, GError **error)
{
  if (q == NULL || buffer == NULL)
    return VF_QUEUE_CLOSED;
  *buffer = NULL;
  if (wrong_side(q, FALSE, G_STRFUNC, error))
    return VF_QUEUE_ERROR;
  gint64 until = timeout_us < 0 ? G_MAXINT64 : g_get_monotonic_time() + timeout_us;
  gulong handler;
  GCancellable *cancellable = watch_begin(G_CALLBACK(cancel_consumer), q->consumer, &handler);
  VfQueueStatus status = VF_QUEUE_ERROR;
  for (gboolean more = TRUE; more;) {
    GstBuffer *b = NULL;
    GstEvent *ev = NULL;
    gint64 left = until == G_MAXINT64 ? -1 : MAX(until - g_get_monotonic_time(), 0);
    VfIpcItem item = vf_ipc_consumer_pull_timed(q->consumer, left, &b, &ev, error);
    more = FALSE;
    switch (item) {
    case VF_IPC_ITEM_BUFFER:
      if (q->caps == NULL) {
        g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                    "%s: queue \"%s\": a frame came before its caps: is the other side a "
                    "VfIpcQueue producer or vfipcsink?",
                    G_STRFUNC, q->name);
      } else {
        *buffer = vf_buffer_new_from_gst(b, q->caps);
        status = VF_QUEUE_OK;
      }
      gst_buffer_unref(b);
      break;
    case VF_IPC_ITEM_CAPS: {
      GstCaps *caps = NULL;
      gst_event_parse_caps(ev, &caps);
      gst_caps_replace(&q->caps, caps);
      more = TRUE;
      break;
    }
    case VF_IPC_ITEM_STREAM_START:
    case VF_IPC_ITEM_SEGMENT:
      more = TRUE;
      break;
    case VF_IPC_ITEM_EOS:
      status = VF_QUEUE_CLOSED;
      break;
    case VF_IPC_ITEM_TIMEOUT:
      status = VF_QUEUE_TIMEOUT;
      break;
    case VF_IPC_ITEM_CANCELLED:
      status = VF_QUEUE_CANCELLED;
      break;
    case VF_IPC_ITEM_ERROR:
    default:
      break; /* *error is set */
    }
    if (ev)
      gst_event_unref(ev);
  }
  if (watch_end(cancellable, handler))
    vf_ipc_consumer_uncancel(q->consumer);
  return status;
}

void vf_ipc_queue_close(VfIpcQueue *q)
{
  if (q == NULL || q->producer == NULL || !g_atomic_int_compare_and_exchange(&q->closed, 0, 1))
    return;
  vf_ipc_producer_end(q->producer);
}

gboolean vf_ipc_queue_drain(VfIpcQueue *q, gint64 timeout_us, GError **error)
{
  if (vf_arg_is_null(q, "queue", G_STRFUNC, error) || wrong_side(q, TRUE, G_STRFUNC, error))
    return FALSE;
  g_atomic_int_set(&q->closed, 1);
  return vf_ipc_producer_finish(q->producer, timeout_us, error);
}

guint64 vf_ipc_queue_get_dropped(VfIpcQueue *q)
{
  if (q == NULL)
    return 0;
  if (q->producer) {
    VfIpcStats s;
    vf_ipc_producer_get_stats(q->producer, &s);
    return s.dropped;
  }
  VfIpcConsumerStats s;
  vf_ipc_consumer_get_stats(q->consumer, &s);
  return s.dropped;
}
