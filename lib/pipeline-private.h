/* vidflow: what the pipeline offers the objects attached to it (feeders, receivers, probes: each
 * concept's attach_* lives in its own .c) and the builders (Flow, YAML graphs). An attached object
 * knows nothing of VfPipeline's insides: the pipeline drives it through its VfAttachedClass. */
#pragma once

#include <vidflow/pipeline.h>

/* How the pipeline drives an attached object; every function may be NULL. They run on the
 * application thread that calls start/wait/stop/free, never with a pipeline lock held. Deadlines
 * are g_get_monotonic_time() microseconds (G_MAXINT64: none). At the end of a run the pipeline
 * calls, in this order: drain (only when end of stream reached the sinks), cancel, quiesce,
 * (the pipeline goes to NULL), stop. */
typedef struct {
  const char *kind;        /* "feeder", for messages */
  const char *constructor; /* "vf_feeder_new", for messages */
  /* before the pipeline goes to PLAYING; FALSE with *error set makes start() fail */
  gboolean (*start)(gpointer object, GError **error);
  /* end of stream reached the sinks: finish what is queued by `deadline`; FALSE: not done */
  gboolean (*drain)(gpointer object, gint64 deadline);
  /* the run ends: tell the user code (its cancellable) and the object's threads to stop */
  void (*cancel)(gpointer object);
  /* before NULL, after cancel (and the sinks flushed when not drained): join by `deadline` */
  void (*quiesce)(gpointer object, gint64 deadline);
  /* the pipeline is at NULL: join what is left by `deadline`, report */
  void (*stop)(gpointer object, gint64 deadline);
  /* (transfer full, nullable) what the object is busy with, naming it ("receiver 'r' (appsink
   * 'sink') has been in consume() for 3.0 s"), for the message of a run that is stuck */
  char *(*describe)(gpointer object);
  void (*unbind)(gpointer object); /* vf_pipeline_free, before the elements go */
  void (*free)(gpointer object);   /* vf_pipeline_free, after the elements went */
} VfAttachedClass;

/* What every attachable object keeps for attach_*. */
typedef struct {
  GError *invalid; /* what its constructor found wrong (reported when attaching), or NULL */
  gboolean owned;  /* a pipeline took it */
} VfAttachable;

/* The first half of every attach_*: checks `object` (its `state` and `name`; all NULL for a NULL
 * object) and hands it to the pipeline, which then owns it even when this fails; with a NULL
 * pipeline it is freed at once (klass->free). FALSE with *error set (naming `func`, the caller,
 * and `element`) for a NULL object, one owned already (left to its pipeline), a NULL pipeline or
 * what the constructor found wrong; TRUE: bind it. */
gboolean vf_pipeline_adopt(VfPipeline *pipeline, const VfAttachedClass *klass, gpointer object,
                           VfAttachable *state, const char *name, const char *element,
                           const char *func, GError **error);
/* (transfer none) the pipeline's name, for messages. */
const char *vf_pipeline_get_name(VfPipeline *pipeline);
/* (transfer none, nullable) the first object attached with `klass` after `after` (NULL: the first
 * one), in attach order. */
gpointer vf_pipeline_find_attached(VfPipeline *pipeline, const VfAttachedClass *klass,
                                   gconstpointer after);
/* The pipeline takes `object` (it frees it with klass->free in vf_pipeline_free). */
void vf_pipeline_take(VfPipeline *pipeline, const VfAttachedClass *klass, gpointer object);
/* (transfer none) the element called `name`, or NULL with *error set (VF_ERROR_NOT_FOUND). */
GstElement *vf_pipeline_lookup(VfPipeline *pipeline, const char *name, GError **error);
/* For attach_*: (transfer none) the element called `element`, once checked that the pipeline is
 * not running, that a `factory` made it (NULL: any factory) and that `tips` is NULL, "" or
 * `expected_tips` (when expected_tips is not NULL). NULL with *error set otherwise. */
GstElement *vf_pipeline_lookup_for_attach(VfPipeline *pipeline, const char *element,
                                          const char *factory, const char *tips,
                                          const char *expected_tips, GError **error);
