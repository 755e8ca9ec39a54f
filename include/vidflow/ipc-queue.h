/* vidflow: VfIpcQueue, the VfFrameQueue contract between two processes (the seed's
 * multi_pipeline_transfer with multiprocessing.Queue, without pickling a frame).
 *
 * One process opens the producer side of a named queue and pushes the VfBuffers its receiver
 * (retriever) gets; another opens the consumer side and pops them in its provider's generate().
 * Frames, their caps and every piece of vidflow metadata (batch, frame and object meta, display
 * meta, registered user meta) arrive in order. The transport is VfIpcProducer / VfIpcConsumer
 * (ipc.h): frames lie in shared memory (memfd); a popped buffer maps the producer's pages
 * (read-only, no copy) and its memory goes back to the producer when the consumer's last
 * reference goes.
 *
 * Semantics (as VfFrameQueue, frame-queue.h):
 * - bounded: at most `capacity` frames are pushed and not yet released by the consumer; when full
 *   a push waits (VF_IPC_FULL_BLOCK, up to its timeout) or the oldest frame not yet sent is
 *   dropped (VF_IPC_FULL_DROP_OLDEST, counted in vf_ipc_queue_get_dropped on both sides);
 * - end of stream: vf_ipc_queue_close on the producer side; the consumer drains what was sent
 *   and then gets VF_QUEUE_CLOSED;
 * - stopping: push and pop that wait return VF_QUEUE_CANCELLED as soon as the calling thread's
 *   current GCancellable is cancelled (inside generate() / consume(): that pipeline stops);
 * - the peer dying (kill -9) or a transport failure: VF_QUEUE_ERROR with *error naming the queue
 *   and the way out, never a hang; a consumer that went away makes pushes fail, frames are never
 *   lost silently.
 * One producer and one consumer per name (a second producer on a live name is refused).
 *
 * Names: as vf_ipc_socket_path (ipc.h): a bare NAME is a socket in $XDG_RUNTIME_DIR (the Flow
 * endpoint ipc://NAME can be the other side), a name with '/' is a socket path.
 *
 * Threads: push from one thread at a time, pop from one thread at a time (any thread each);
 * close and get_dropped from any thread. */
#pragma once

#include <vidflow/buffer.h>
#include <vidflow/frame-queue.h>
#include <vidflow/ipc.h>

G_BEGIN_DECLS

typedef struct _VfIpcQueue VfIpcQueue;

typedef struct {
  guint capacity;            /* frames in flight (pushed, not released by the consumer); 0: 4 */
  VfIpcFullPolicy when_full; /* producer side: block (default) or drop the oldest unsent */
  gint64 connect_timeout_us; /* consumer: wait this long for the producer to appear; producer:
                                the first push waits this long for the consumer to connect
                                (0: do not wait; -1: no limit) */
} VfIpcQueueOptions;

/* The producer side of queue `name` (transfer full; NULL with *error: a NULL or empty name
 * (VF_ERROR_ARGUMENT), a name too long for a socket, another producer on it (VF_ERROR_STATE)).
 * `options` (nullable: capacity 4, blocking, no waiting) is copied. */
VF_API VfIpcQueue *vf_ipc_queue_new_producer(const char *name, const VfIpcQueueOptions *options,
                                             GError **error);
/* The consumer side of queue `name` (transfer full; NULL with *error for a bad name). It
 * connects on the first pop, waiting options->connect_timeout_us for the producer. */
VF_API VfIpcQueue *vf_ipc_queue_new_consumer(const char *name, const VfIpcQueueOptions *options,
                                             GError **error);
/* Producer side: the frames pushed but not sent are dropped, consumers see end of stream if the
 * queue was closed (else the producer gone). Consumer side: disconnects; popped buffers stay
 * valid. NULL is ignored. */
VF_API void vf_ipc_queue_free(VfIpcQueue *queue);

/* Producer side: send `buffer` (transfer none; its caps are sent when they change), waiting up to
 * timeout_us (-1: no limit) for room. OK; TIMEOUT (nothing sent); CLOSED (closed already, or a
 * NULL queue or buffer); CANCELLED; ERROR with *error (the consumer went away, the wrong side of
 * the queue, a frame that cannot cross: CUDA memory). */
VF_API VfQueueStatus vf_ipc_queue_push(VfIpcQueue *queue, VfBuffer *buffer, gint64 timeout_us,
                                       GError **error);
/* Consumer side: the next frame (transfer full into *buffer, read-only over shared memory),
 * waiting up to timeout_us (-1: no limit). OK; TIMEOUT; CLOSED (end of stream, or a NULL queue or
 * out pointer); CANCELLED; ERROR with *error (no producer within the connect timeout, the
 * producer died before closing, the wrong side of the queue). */
VF_API VfQueueStatus vf_ipc_queue_pop(VfIpcQueue *queue, VfBuffer **buffer, gint64 timeout_us,
                                      GError **error);
/* Producer side: end of stream after the frames pushed so far; later pushes return CLOSED.
 * Idempotent; nothing on the consumer side. */
VF_API void vf_ipc_queue_close(VfIpcQueue *queue);
/* Producer side: close (if not yet), then wait up to timeout_us (-1: no limit) until the
 * consumer released every frame sent (so this process may exit without cutting a frame short).
 * FALSE with *error on timeout. */
VF_API gboolean vf_ipc_queue_drain(VfIpcQueue *queue, gint64 timeout_us, GError **error);
/* Frames dropped for a full queue (drop-oldest): counted by the producer on its side, from the
 * sequence gaps on the consumer's. */
VF_API guint64 vf_ipc_queue_get_dropped(VfIpcQueue *queue);

G_END_DECLS
