/* vidflow: frames and their metadata across processes (the seed's multiprocess transfer).
 *
 * A producer (VfIpcProducer, or the vfipcsink element) listens on a unix-domain socket; any number
 * of consumers (VfIpcConsumer, or vfipcsrc) connect to it. Every consumer gets every buffer, in
 * order, with the stream's caps, segment and end of stream, and every piece of vidflow metadata:
 * batch, frame and object meta (classifications, track ids, parents), display meta, and user meta
 * whose type was registered with vf_ipc_register_user_meta on both sides (an unregistered type is
 * reported once per producer with a warning, and counted: never dropped silently).
 *
 * Pixels travel in shared memory: each frame lies in a memfd; its file descriptor crosses the
 * socket (SCM_RIGHTS) the first time that memory is sent to a consumer, which maps it read-only
 * and keeps the mapping. The consumer's buffers point into the very pages the producer wrote;
 * when the consumer's last reference to a buffer goes, a release message returns the memory to
 * the producer (to its pool, or to the upstream pool that allocated it). Frames upstream wrote
 * into memory from vf_ipc_allocator_get() (vfipcsink proposes it) cross without a copy; other
 * frames are copied once into the producer's own memfd pool.
 *
 * Flow control: at most `max_in_flight` buffers per consumer are sent and not yet released. When a
 * consumer is full the producer blocks (VF_IPC_FULL_BLOCK) or queues the buffer for it, dropping
 * the oldest queued one when `max_in_flight` are queued already (VF_IPC_FULL_DROP_OLDEST). Drops
 * are counted on both sides (vf_ipc_producer_get_stats, vf_ipc_consumer_get_stats: each buffer
 * carries a sequence number, the consumer counts the gaps).
 *
 * Metadata of any size: a buffer whose metadata does not fit in one datagram (thousands of
 * objects) sends it in a sealed memfd of its own, read once by each consumer.
 *
 * Connections: the producer's I/O thread never waits for a client: one that connects and says
 * nothing is refused after hello_timeout_ms while the others go on.
 *
 * Wire format: messages on a SOCK_SEQPACKET socket, each with a header carrying a magic and
 * VF_IPC_WIRE_VERSION; the two sides exchange versions when they connect and a mismatch fails
 * with an error naming both versions. Both ends are on one host, so fields are in host order.
 *
 * Sockets: a name without '/' is a socket of that name in $XDG_RUNTIME_DIR (the Flow endpoint
 * `ipc://NAME`); the producer creates it with mode 0600 and removes it when freed (a stale socket
 * left by a killed producer is replaced).
 *
 * The Feeder/Receiver-level queue on this transport (the VfFrameQueue contract across
 * processes) is VfIpcQueue, ipc-queue.h.
 *
 * Not done: CUDA memory (CUDA IPC handles); CUDA frames are refused with an error. */
#pragma once

#include <gst/gst.h>
#include <vidflow/export.h>

G_BEGIN_DECLS

/* The wire format's version; both sides must speak the same. */
#define VF_IPC_WIRE_VERSION 2
/* The socket name used when none is given. */
#define VF_IPC_DEFAULT_NAME "vidflow-ipc"

/* (transfer full) the socket path of `name_or_path`: a path containing '/' is returned as is, a
 * bare name is placed in $XDG_RUNTIME_DIR (g_get_user_runtime_dir()). NULL or "" gives
 * VF_IPC_DEFAULT_NAME. NULL with VF_ERROR_ARGUMENT when the name is too long for a unix socket. */
VF_API char *vf_ipc_socket_path(const char *name_or_path, GError **error);

/* ---- user meta across processes ----
 * serialize: append `data`'s bytes to `out`; FALSE: this item cannot be sent (reported like an
 * unregistered type). deserialize: (transfer full) a new item from `size` bytes (NULL with
 * *error set: the item is reported and skipped). copy / free as in meta.h (given to the
 * deserialized item). Called on the producer's / consumer's streaming thread, without vidflow
 * locks held. */
typedef gboolean (*VfIpcSerializeFunc)(gconstpointer data, GByteArray *out);
typedef gpointer (*VfIpcDeserializeFunc)(const guint8 *data, gsize size, GError **error);

/* Register how user meta of `type` crosses processes (do it in both processes, before the first
 * buffer). A type registered again replaces the earlier functions. FALSE with VF_ERROR_ARGUMENT
 * when type, serialize or deserialize is NULL. Thread-safe. */
VF_API gboolean vf_ipc_register_user_meta(const char *type, VfIpcSerializeFunc serialize,
                                          VfIpcDeserializeFunc deserialize,
                                          gpointer (*copy)(gconstpointer data), GDestroyNotify free,
                                          GError **error);

/* (transfer none) the allocator of shared (memfd) memory: frames written into its memories cross
 * without a copy. Lives for the process. */
VF_API GstAllocator *vf_ipc_allocator_get(void);

/* ---- producer ---- */

typedef enum {
  VF_IPC_FULL_BLOCK = 0,   /* wait until the consumer releases a buffer */
  VF_IPC_FULL_DROP_OLDEST, /* queue it; the oldest queued buffer is dropped (counted) */
} VfIpcFullPolicy;

typedef enum {
  VF_IPC_LOST_DROP = 0, /* a consumer that goes away is forgotten; the others go on */
  VF_IPC_LOST_FAIL,     /* a consumer that goes away fails the producer (push returns FALSE) */
} VfIpcLostPolicy;

typedef struct {
  guint max_in_flight; /* per consumer; 0 is taken as 4 */
  VfIpcFullPolicy when_full;
  VfIpcLostPolicy consumer_lost;
  guint wait_consumers;   /* the first push waits until this many consumers joined (0: none) */
  gint64 wait_timeout_us; /* for wait_consumers; -1: no limit */
  guint hello_timeout_ms; /* a connection that says no hello within this time is refused; 0:
                             2000 (waiting for it never delays other consumers) */
} VfIpcProducerOptions;

typedef struct {
  guint64 sent;           /* buffers sent (summed over consumers) */
  guint64 dropped;        /* buffers dropped for a full consumer (summed over consumers) */
  guint64 unsent;         /* buffers pushed while no consumer was connected */
  guint64 copied;         /* frames copied into the producer's pool (not in shared memory) */
  guint64 zero_copy;      /* frames sent from the memory they were written in */
  guint consumers;        /* connected now */
  guint64 consumers_lost; /* consumers that went away without saying goodbye */
  guint64 meta_unsent;    /* user meta items that could not be sent (unregistered types) */
} VfIpcStats;

typedef struct _VfIpcProducer VfIpcProducer;

/* Listen on `socket` (a name or path, see vf_ipc_socket_path) (transfer full, nullable: NULL with
 * *error set when the socket cannot be made, e.g. another producer listens there). `options`
 * (nullable: the defaults, all zero) is copied. */
VF_API VfIpcProducer *vf_ipc_producer_new(const char *socket, const VfIpcProducerOptions *options,
                                          GError **error);
/* Stop listening, disconnect consumers (they see the producer gone unless it finished), remove
 * the socket. NULL is ignored. */
VF_API void vf_ipc_producer_free(VfIpcProducer *producer);
/* (transfer none) the socket's path. */
VF_API const char *vf_ipc_producer_get_path(VfIpcProducer *producer);
/* The stream's sticky events: stream-start, caps, segment (other events are ignored). Sent to
 * every consumer in order with the buffers, and to consumers that join later. */
VF_API gboolean vf_ipc_producer_send_event(VfIpcProducer *producer, GstEvent *event,
                                           GError **error);
/* Send `buffer` (transfer none) to every consumer. Call from one thread at a time. FALSE with
 * *error when the buffer cannot be sent (CUDA memory, no caps yet, too much metadata), when a
 * consumer went away under VF_IPC_LOST_FAIL, or after vf_ipc_producer_cancel. */
VF_API gboolean vf_ipc_producer_push(VfIpcProducer *producer, GstBuffer *buffer, GError **error);
/* The same, waiting at most timeout_us (-1: no limit) for room at every consumer
 * (VF_IPC_FULL_BLOCK): FALSE with VF_ERROR_TIMEOUT then, the buffer sent to none. */
VF_API gboolean vf_ipc_producer_push_timed(VfIpcProducer *producer, GstBuffer *buffer,
                                           gint64 timeout_us, GError **error);
/* End of stream: tell every consumer, then wait up to timeout_us (-1: no limit) until they
 * released every buffer (or went away). Consumers joining later get end of stream at once. */
VF_API gboolean vf_ipc_producer_finish(VfIpcProducer *producer, gint64 timeout_us, GError **error);
/* Wake a push or finish that waits, making it fail (flushing); uncancel lets pushes go on. */
VF_API void vf_ipc_producer_cancel(VfIpcProducer *producer);
VF_API void vf_ipc_producer_uncancel(VfIpcProducer *producer);
VF_API void vf_ipc_producer_get_stats(VfIpcProducer *producer, VfIpcStats *stats);

/* ---- consumer ---- */

typedef struct {
  gint64 connect_timeout_us;  /* wait this long for the producer's socket; 0: fail at once, -1: no
                                 limit */
  gboolean wait_for_producer; /* when the producer goes away: FALSE, fail with an error; TRUE,
                                 wait for a producer on the same socket and go on */
} VfIpcConsumerOptions;

typedef enum {
  VF_IPC_ITEM_BUFFER = 0,   /* *buffer is the next buffer */
  VF_IPC_ITEM_CAPS,         /* *event is a caps event */
  VF_IPC_ITEM_SEGMENT,      /* *event is a segment event */
  VF_IPC_ITEM_STREAM_START, /* *event is a stream-start event */
  VF_IPC_ITEM_EOS,          /* end of stream (nothing more comes) */
  VF_IPC_ITEM_ERROR,        /* *error says what went wrong (producer gone, version mismatch, ...) */
  VF_IPC_ITEM_CANCELLED,    /* vf_ipc_consumer_cancel was called */
  VF_IPC_ITEM_TIMEOUT,      /* vf_ipc_consumer_pull_timed: nothing came within the timeout */
} VfIpcItem;

typedef struct _VfIpcConsumer VfIpcConsumer;

/* A consumer of `socket` (a name or path); it connects on the first pull. (transfer full; NULL
 * with VF_ERROR_ARGUMENT for a bad path.) `options` (nullable: connect_timeout_us 0, no waiting)
 * is copied. */
VF_API VfIpcConsumer *vf_ipc_consumer_new(const char *socket, const VfIpcConsumerOptions *options,
                                          GError **error);
/* Disconnect. Buffers still held stay valid (their memory is released when they go). */
VF_API void vf_ipc_consumer_free(VfIpcConsumer *consumer);
/* The next item, waiting as long as it takes (cancel to stop). BUFFER: *buffer (transfer full), a
 * read-only buffer over the producer's shared memory with its metadata; releasing it returns the
 * memory to the producer. CAPS/SEGMENT/STREAM_START: *event (transfer full). ERROR: *error. Call
 * from one thread at a time. */
VF_API VfIpcItem vf_ipc_consumer_pull(VfIpcConsumer *consumer, GstBuffer **buffer, GstEvent **event,
                                      GError **error);
/* The same, waiting at most timeout_us (-1: no limit; 0: only what has arrived) for the next
 * message: VF_IPC_ITEM_TIMEOUT when none came. Connecting waits as the options say. */
VF_API VfIpcItem vf_ipc_consumer_pull_timed(VfIpcConsumer *consumer, gint64 timeout_us,
                                            GstBuffer **buffer, GstEvent **event, GError **error);
/* Make a waiting (and every later) pull return VF_IPC_ITEM_CANCELLED; any thread. */
VF_API void vf_ipc_consumer_cancel(VfIpcConsumer *consumer);
VF_API void vf_ipc_consumer_uncancel(VfIpcConsumer *consumer);
/* received: buffers received; dropped: buffers the producer dropped for this consumer (gaps in
 * the sequence); meta_unsent: user meta items that could not be rebuilt here. */
typedef struct {
  guint64 received;
  guint64 dropped;
  guint64 meta_unsent;
  guint64 reconnects;
} VfIpcConsumerStats;
VF_API void vf_ipc_consumer_get_stats(VfIpcConsumer *consumer, VfIpcConsumerStats *stats);

G_END_DECLS
