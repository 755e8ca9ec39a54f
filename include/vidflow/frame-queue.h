/* vidflow: VfFrameQueue, a bounded thread-safe queue of buffers between pipelines in one process
 * (a receiver of one pipeline pushes, a provider of another pops; no frame is copied).
 *
 * The producer closes the queue when its stream ends; the consumer then drains what is left and
 * gets VF_QUEUE_CLOSED, so end of stream crosses the queue without timeouts.
 * Stopping: called from a feeder's generate() or a receiver's consume(), push and pop that wait
 * return VF_QUEUE_CANCELLED as soon as that pipeline stops (the callback thread's current
 * GCancellable, vf_feeder_get_cancellable / vf_receiver_get_cancellable; from another thread,
 * g_cancellable_push_current() one of your own), so a callback blocked on a full or empty queue
 * gets out. */
#pragma once

#include <vidflow/buffer.h>

G_BEGIN_DECLS

typedef struct _VfFrameQueue VfFrameQueue;

typedef enum {
  VF_QUEUE_OK = 0,
  VF_QUEUE_TIMEOUT,   /* nothing happened within the timeout */
  VF_QUEUE_CLOSED,    /* closed (and, for pop, empty) */
  VF_QUEUE_CANCELLED, /* the calling thread's current GCancellable was cancelled while waiting */
  VF_QUEUE_ERROR,     /* cross-process queues (ipc-queue.h) only: the peer went away or the
                         transport failed; the GError says which and what to do */
} VfQueueStatus;

/* A queue of at most `capacity` buffers (0 is taken as 1). A NULL queue (or a NULL buffer, or a
 * NULL out pointer) makes push and pop return VF_QUEUE_CLOSED at once; free, close and get_length
 * of NULL do nothing / return 0. */
VF_API VfFrameQueue *vf_frame_queue_new(guint capacity);
VF_API void vf_frame_queue_free(VfFrameQueue *queue);
/* Push (a reference is taken), waiting up to timeout_us while full (-1: no limit). */
VF_API VfQueueStatus vf_frame_queue_push(VfFrameQueue *queue, VfBuffer *buffer, gint64 timeout_us);
/* Pop (transfer full into *buffer), waiting up to timeout_us while empty (-1: no limit). */
VF_API VfQueueStatus vf_frame_queue_pop(VfFrameQueue *queue, VfBuffer **buffer, gint64 timeout_us);
/* No more pushes; wakes every waiter. Idempotent. */
VF_API void vf_frame_queue_close(VfFrameQueue *queue);
VF_API guint vf_frame_queue_get_length(VfFrameQueue *queue);

G_END_DECLS
