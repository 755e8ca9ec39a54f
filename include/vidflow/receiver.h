/* vidflow: take buffers out of a pipeline (the seed's BufferRetriever + Receiver on appsink).
 *
 * consume() runs on a receiver thread of its own, which pulls from the appsink; the appsink holds
 * at most `max-buffers` (default 4). With VF_DROP_NONE (default) a slow consumer slows the pipeline
 * down (nothing is lost); with VF_DROP_OLDEST the oldest waiting buffer is dropped and counted, and
 * the count is reported when the pipeline ends. emit-signals on the appsink is not needed.
 * consume() is never called after vf_pipeline_wait/stop returned. */
#pragma once

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

typedef struct {
  guint64 received; /* buffers that reached the appsink */
  guint64 consumed; /* consume() calls */
  guint64 errors;   /* consume() returned VF_CONSUME_ERROR */
  guint64 dropped;  /* dropped by VF_DROP_OLDEST, or left unconsumed after VF_CONSUME_STOP */
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
/* A NULL receiver gives zeroed stats. */
VF_API void vf_receiver_get_stats(const VfReceiver *receiver, VfReceiverStats *stats);

/* Attach to the appsink called `element`. tips must be NULL or "new-sample". The receiver is taken
 * (transfer full) even on failure: the pipeline keeps it (still valid for queries) until
 * vf_pipeline_free; with a NULL pipeline it is freed at once. A NULL receiver, or one attached
 * before (refused: it stays its pipeline's), fails with VF_ERROR_ARGUMENT. */
VF_API gboolean vf_pipeline_attach_receiver(VfPipeline *pipeline, const char *element,
                                            VfReceiver *receiver, const char *tips, GError **error);

G_END_DECLS
