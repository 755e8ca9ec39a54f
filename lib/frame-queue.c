/* vidflow: VfFrameQueue, a bounded queue of buffer references between threads. A wait also ends
 * when the calling thread's current GCancellable (a feeder's or receiver's, inside generate() or
 * consume()) is cancelled. One lock (VfFrameQueue.lock), never held while connecting to or
 * disconnecting from a cancellable (its handler takes it). */
#include <vidflow/frame-queue.h>

#include <gio/gio.h>

struct _VfFrameQueue {
  GMutex lock;
  GCond changed;
  GQueue items;
  guint capacity;
  gboolean closed;
};

VfFrameQueue *vf_frame_queue_new(guint capacity)
{
  VfFrameQueue *q = g_new0(VfFrameQueue, 1);
  g_mutex_init(&q->lock);
  g_cond_init(&q->changed);
  g_queue_init(&q->items);
  q->capacity = MAX(capacity, 1);
  return q;
}

void vf_frame_queue_free(VfFrameQueue *queue)
{
  if (queue == NULL)
    return;
  g_queue_clear_full(&queue->items, (GDestroyNotify)vf_buffer_unref);
  g_mutex_clear(&queue->lock);
  g_cond_clear(&queue->changed);
  g_free(queue);
}

static void wake(GCancellable *cancellable, gpointer data)
{
  (void)cancellable;
  VfFrameQueue *q = data;
  g_mutex_lock(&q->lock);
  g_cond_broadcast(&q->changed);
  g_mutex_unlock(&q->lock);
}

/* Lock held: can the push (or pop) go ahead now? */
static gboolean ready(VfFrameQueue *q, gboolean push)
{
  return q->closed || (push ? q->items.length < q->capacity : q->items.length > 0);
}

/* Push `in` (push) or pop into *out, waiting up to timeout_us while full (empty), or until the
 * calling thread's current cancellable is cancelled. */
static VfQueueStatus transfer(VfFrameQueue *q, gboolean push, VfBuffer *in, VfBuffer **out,
                              gint64 timeout_us)
{
  gint64 until = timeout_us < 0 ? G_MAXINT64 : g_get_monotonic_time() + timeout_us;
  GCancellable *cancellable = NULL;
  gulong handler = 0;
  VfQueueStatus status = VF_QUEUE_OK;
  g_mutex_lock(&q->lock);
  if (!ready(q, push) && timeout_us != 0 && (cancellable = g_cancellable_get_current())) {
    /* The handler takes the lock (at once, if it is cancelled already). */
    g_mutex_unlock(&q->lock);
    handler = g_cancellable_connect(cancellable, G_CALLBACK(wake), q, NULL);
    g_mutex_lock(&q->lock);
  }
  while (!ready(q, push)) {
    if (cancellable && g_cancellable_is_cancelled(cancellable)) {
      status = VF_QUEUE_CANCELLED;
      break;
    }
    if (until == G_MAXINT64)
      g_cond_wait(&q->changed, &q->lock);
    else if (!g_cond_wait_until(&q->changed, &q->lock, until) && !ready(q, push)) {
      status = VF_QUEUE_TIMEOUT;
      break;
    }
  }
  if (status == VF_QUEUE_OK) {
    if (push && !q->closed)
      g_queue_push_tail(&q->items, vf_buffer_ref(in));
    else if (!push && q->items.length > 0)
      *out = g_queue_pop_head(&q->items);
    else
      status = VF_QUEUE_CLOSED;
    if (status == VF_QUEUE_OK)
      g_cond_broadcast(&q->changed);
  }
  g_mutex_unlock(&q->lock);
  if (handler)
    g_cancellable_disconnect(cancellable, handler);
  return status;
}

VfQueueStatus vf_frame_queue_push(VfFrameQueue *queue, VfBuffer *buffer, gint64 timeout_us)
{
  if (queue == NULL || buffer == NULL)
    return VF_QUEUE_CLOSED;
  return transfer(queue, TRUE, buffer, NULL, timeout_us);
}

VfQueueStatus vf_frame_queue_pop(VfFrameQueue *queue, VfBuffer **buffer, gint64 timeout_us)
{
  if (buffer)
    *buffer = NULL;
  if (queue == NULL || buffer == NULL)
    return VF_QUEUE_CLOSED;
  return transfer(queue, FALSE, NULL, buffer, timeout_us);
}

void vf_frame_queue_close(VfFrameQueue *queue)
{
  if (queue == NULL)
    return;
  g_mutex_lock(&queue->lock);
  queue->closed = TRUE;
  g_cond_broadcast(&queue->changed);
  g_mutex_unlock(&queue->lock);
}

guint vf_frame_queue_get_length(VfFrameQueue *queue)
{
  if (queue == NULL)
    return 0;
  g_mutex_lock(&queue->lock);
  guint n = queue->items.length;
  g_mutex_unlock(&queue->lock);
  return n;
}
