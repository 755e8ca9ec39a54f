/* vidflow: VfFrameQueue, a bounded queue of buffer references between threads. */
#include <vidflow/frame-queue.h>

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

/* Wait on the condition until `ready` or closed or timeout; lock held. */
static gboolean wait_for(VfFrameQueue *q, gboolean (*ready)(VfFrameQueue *), gint64 timeout_us)
{
  gint64 until = timeout_us < 0 ? G_MAXINT64 : g_get_monotonic_time() + timeout_us;
  while (!ready(q) && !q->closed) {
    if (timeout_us < 0)
      g_cond_wait(&q->changed, &q->lock);
    else if (!g_cond_wait_until(&q->changed, &q->lock, until))
      return ready(q) || q->closed;
  }
  return TRUE;
}

static gboolean has_room(VfFrameQueue *q)
{
  return q->items.length < q->capacity;
}

static gboolean has_item(VfFrameQueue *q)
{
  return q->items.length > 0;
}

VfQueueStatus vf_frame_queue_push(VfFrameQueue *queue, VfBuffer *buffer, gint64 timeout_us)
{
  if (queue == NULL || buffer == NULL)
    return VF_QUEUE_CLOSED;
  VfQueueStatus status;
  g_mutex_lock(&queue->lock);
  if (!wait_for(queue, has_room, timeout_us))
    status = VF_QUEUE_TIMEOUT;
  else if (queue->closed)
    status = VF_QUEUE_CLOSED;
  else {
    g_queue_push_tail(&queue->items, vf_buffer_ref(buffer));
    g_cond_broadcast(&queue->changed);
    status = VF_QUEUE_OK;
  }
  g_mutex_unlock(&queue->lock);
  return status;
}

VfQueueStatus vf_frame_queue_pop(VfFrameQueue *queue, VfBuffer **buffer, gint64 timeout_us)
{
  if (buffer)
    *buffer = NULL;
  if (queue == NULL || buffer == NULL)
    return VF_QUEUE_CLOSED;
  VfQueueStatus status;
  g_mutex_lock(&queue->lock);
  if (!wait_for(queue, has_item, timeout_us))
    status = VF_QUEUE_TIMEOUT;
  else if (queue->items.length == 0)
    status = VF_QUEUE_CLOSED;
  else {
    *buffer = g_queue_pop_head(&queue->items);
    g_cond_broadcast(&queue->changed);
    status = VF_QUEUE_OK;
  }
  g_mutex_unlock(&queue->lock);
  return status;
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
