/* vidflow: take buffers out of a pipeline (the seed's BufferRetriever + Receiver on appsink).
 *
 * consume() runs on a receiver thread of its own, which takes buffers from the appsink; at most
 * `max-buffers` (default 4) wait for it. With VF_DROP_NONE (default) a slow consumer slows the
 * pipeline down (nothing is lost); with VF_DROP_OLDEST the oldest waiting buffer is dropped when a
 * new one arrives and the queue is full, and counted at that moment (vf_receiver_get_stats shows it
 * while the pipeline runs). emit-signals on the appsink is not needed (the receiver sets the
 * appsink's callbacks: do not set your own).
 * When the pipeline ends, buffers that were dropped, or still queued and never consumed, are
 * reported in a warning on the bus (from the appsink; the vidflow command prints it).
 * Stopping: consume() is never called after vf_pipeline_wait/stop returned. When the run ends
 * without draining (stop(), an error, a drain past its deadline), a consume() that is running is
 * told through the receiver's GCancellable (vf_receiver_get_cancellable; also the thread's current
 * cancellable, so a VfFrameQueue push inside consume() returns VF_QUEUE_CANCELLED at once) and
 * should return soon: the pipeline waits for it up to its stop timeout
 * (vf_pipeline_set_stop_timeout, 5 s), then leaves it to return on its own, posts a warning naming
 * the receiver, and frees the receiver once it has returned (destroy then runs on the receiver
 * thread). During a drain (end of stream asked for) consume() goes on with what is queued, until
 * the drain timeout (vf_pipeline_set_drain_timeout). */
#pragma once

#include <gio/gio.h>
#include <vidflow/buffer.h>
#include <vidflow/pipeline.h>

G_BEGIN_DECLS

typedef struct _VfReceiver VfReceiver;

typedef enum {
  VF_CONSUME_STOP = -1, /* stop: the pipeline ends cleanly (EOS), no more consume() calls */
  VF_CONSUME_ERROR = 0, /* this buffer failed: counted and logged, go on */
  VF_CONSUME_OK = 1,
} VfConsumeResult;

typedef enum {
  VF_DROP_NONE = 0, /* back-pressure: the pipeline waits for the consumer */
  VF_DROP_OLDEST,   /* keep the newest buffers, drop (and count) the oldest */
} VfDropPolicy;

typedef struct {
  /* Called on the receiver thread with a buffer (transfer none: vf_buffer_ref it to keep it). */
  int (*consume)(VfBuffer *buffer, gpointer user_data);
  /* Optional: called once when the receiver is freed. */
  void (*destroy)(gpointer user_data);
} VfRetrieverCallbacks;

/* Each counted where it happens (live while the pipeline runs). At the end of a run that drained,
 * received == consumed + dropped + unconsumed. */
typedef struct {
  guint64 received;   /* buffers that reached the appsink's pad */
  guint64 consumed;   /* consume() calls */
  guint64 errors;     /* consume() returned VF_CONSUME_ERROR (counted in consumed too) */
  guint64 dropped;    /* dropped by VF_DROP_OLDEST, as each was dropped */
  guint64 unconsumed; /* taken but never consumed: still queued when the pipeline stopped or a
                       * flush came, or arriving after consume() returned VF_CONSUME_STOP */
} VfReceiverStats;

/* A receiver (transfer full, never NULL). `name` may be NULL ("receiver"). NULL callbacks or no
 * consume() are kept and reported by vf_pipeline_attach_receiver (VF_ERROR_ARGUMENT), so making
 * it inline in the attach call is safe. */
VF_API VfReceiver *vf_receiver_new(const char *name, const VfRetrieverCallbacks *callbacks,
                                   gpointer user_data);
/* Frees a receiver that was never attached (runs its destroy); NULL and attached receivers (they
 * belong to their pipeline) are left alone. */
VF_API void vf_receiver_free(VfReceiver *receiver);
/* The appsink's bound (at least 1) and what happens when it is full. Before attaching. A policy
 * that is not a VfDropPolicy is reported when attaching. */
VF_API void vf_receiver_set_queue(VfReceiver *receiver, guint max_buffers, VfDropPolicy policy);
/* (transfer none) NULL for NULL. */
VF_API const char *vf_receiver_get_name(const VfReceiver *receiver);
/* The counts so far (any thread, while running too). A NULL receiver gives zeroed stats. */
VF_API void vf_receiver_get_stats(const VfReceiver *receiver, VfReceiverStats *stats);
/* (transfer none) cancelled when the run the receiver belongs to stops without draining (see
 * "Stopping" above), reset when the pipeline starts again; valid as long as the receiver (NULL for
 * NULL). Watch it from consume() (g_cancellable_is_cancelled, g_cancellable_connect, or pass it
 * to GIO calls); any thread. */
VF_API GCancellable *vf_receiver_get_cancellable(VfReceiver *receiver);

/* Attach to the appsink called `element`. tips must be NULL or "new-sample". The receiver is taken
 * (transfer full) even on failure: the pipeline keeps it (still valid for queries) until
 * vf_pipeline_free; with a NULL pipeline it is freed at once. A NULL receiver, or one attached
 * before (refused: it stays its pipeline's), fails with VF_ERROR_ARGUMENT. */
VF_API gboolean vf_pipeline_attach_receiver(VfPipeline *pipeline, const char *element,
                                            VfReceiver *receiver, const char *tips, GError **error);

G_END_DECLS
