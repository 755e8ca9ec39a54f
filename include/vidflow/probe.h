/* vidflow: probes, callbacks on the buffers leaving an element's pad (the seed's Probe).
 *
 * Two operators, both called on the element's streaming thread before the buffer goes downstream
 * (keep them short):
 * - on_buffer, the buffer operator: inspect the buffer, change it, or drop it (its return value).
 * - on_batch_meta, the batch-metadata operator (the seed's BatchMetadataOperator.handle_metadata):
 *   for buffers that carry a VfBatchMeta (meta.h), after on_buffer kept them.
 * During the callbacks the buffer is writable (the probe made it so: a shallow copy when it was
 * shared, e.g. after a tee; O(1), the metadata is shared by reference, meta.h): change pixels
 * through vf_buffer_extract_writable, add, remove or change objects (call
 * vf_frame_meta_make_objects_writable on a frame before changing objects already in it), display
 * meta and user meta; downstream sees the changes, the tee's other branches do not. */
#pragma once

#include <vidflow/buffer.h>
#include <vidflow/pipeline.h>

G_BEGIN_DECLS

typedef struct _VfProbe VfProbe;

typedef enum {
  VF_PROBE_KEEP = 0, /* pass the buffer on */
  VF_PROBE_DROP,     /* drop it (downstream never sees it) */
} VfProbeReturn;

typedef struct {
  /* Called on the streaming thread for every buffer (transfer none: vf_buffer_ref to keep; a
   * kept buffer is shared, so downstream then gets it unwritable). May be NULL. */
  VfProbeReturn (*on_buffer)(VfBuffer *buffer, gpointer user_data);
  /* Optional: called once when the probe is freed (any thread). */
  void (*destroy)(gpointer user_data);
  /* Called on the streaming thread for each kept buffer that has batch metadata (transfer none,
   * valid during the call; take object references to keep objects). May be NULL, but not
   * together with on_buffer. */
  void (*on_batch_meta)(VfBatchMeta *meta, gpointer user_data);
} VfProbeCallbacks;

/* A probe (transfer full, never NULL). `name` may be NULL ("probe"). Callbacks that have neither
 * operator (or NULL callbacks) make a probe that vf_pipeline_attach_probe refuses with
 * VF_ERROR_ARGUMENT saying so, so vf_pipeline_attach_probe(p, "e", NULL, vf_probe_new(...), &err)
 * inline is safe. */
VF_API VfProbe *vf_probe_new(const char *name, const VfProbeCallbacks *callbacks,
                             gpointer user_data);
/* Frees a probe that was never attached (runs its destroy); NULL and attached probes (they belong
 * to their pipeline) are left alone. */
VF_API void vf_probe_free(VfProbe *probe);
VF_API const char *vf_probe_get_name(const VfProbe *probe);
/* Buffers seen and dropped so far (thread-safe). */
VF_API guint64 vf_probe_get_seen(const VfProbe *probe); /* 0 for NULL, as every getter here */
VF_API guint64 vf_probe_get_dropped(const VfProbe *probe);

/* Attach to the pad `pad` of `element` (NULL: its "src" pad, or its only source pad), before or
 * while the pipeline runs. The probe is taken (transfer full) even on failure: the pipeline keeps
 * it (still valid for queries) until vf_pipeline_free; with a NULL pipeline it is freed at once.
 * A NULL probe, a probe attached before (refused, still owned by its pipeline), a bad element or
 * pad fail with a VF_ERROR naming them. */
VF_API gboolean vf_pipeline_attach_probe(VfPipeline *pipeline, const char *element, const char *pad,
                                         VfProbe *probe, GError **error);

/* ---- built-in probes (Service Maker's probes attachable by name) ----
 * "measure_fps_probe": frames per second of each source (source ids from the batch meta; 0 for
 * unbatched buffers). "measure_latency_probe": for each batch, the time since its frames reached
 * vfmux (the oldest frame counts; frames without an arrival time are ignored).
 * Both print a line to stderr every report interval (default 1 s, from the streaming thread) and
 * a summary when freed, and keep figures readable below. */
#define VF_PROBE_MEASURE_FPS "measure_fps_probe"
#define VF_PROBE_MEASURE_LATENCY "measure_latency_probe"
/* "add_message_meta_probe" (made by name: vf_custom_probe_new, vf_flow_attach_named, attach: in
 * YAML): one event (vidflow/message.h) per object on every frame-interval-th frame of each
 * source, for vfmsgconv. Parameters: frame-interval (1), source-config (a source list: sensor
 * ids and URIs per source), label-file (labels by class id, one per line). */
#define VF_PROBE_ADD_MESSAGE_META "add_message_meta_probe"

/* A built-in probe of `kind` (transfer full), or NULL with VF_ERROR_NOT_FOUND for an unknown kind.
 * `name` may be NULL (the kind is used). */
VF_API VfProbe *vf_probe_new_builtin(const char *kind, const char *name, GError **error);
/* Make and attach one (see vf_pipeline_attach_probe for element/pad). Returns the probe (transfer
 * none: the pipeline owns it; valid until vf_pipeline_free) or NULL with *error set. */
VF_API VfProbe *vf_pipeline_attach_builtin_probe(VfPipeline *pipeline, const char *element,
                                                 const char *pad, const char *kind, GError **error);
/* How often a built-in probe prints (0: never, not even the summary). Thread-safe. */
VF_API void vf_probe_set_report_interval(VfProbe *probe, GstClockTime interval);

typedef struct {
  guint source_id;
  guint64 frames;      /* frames seen */
  gdouble fps;         /* over the last report interval (the average until one passed) */
  gdouble average_fps; /* from the first frame to the last */
} VfFpsStats;

/* (transfer full, nullable) a GArray of VfFpsStats sorted by source id (g_array_unref it); NULL
 * when `probe` is not a measure_fps_probe. Thread-safe. */
VF_API GArray *vf_probe_get_fps_stats(const VfProbe *probe);

typedef struct {
  guint64 batches; /* batches measured */
  gdouble last_ms, min_ms, max_ms, average_ms;
} VfLatencyStats;

/* FALSE when `probe` is not a measure_latency_probe. Thread-safe. */
VF_API gboolean vf_probe_get_latency_stats(const VfProbe *probe, VfLatencyStats *stats);

G_END_DECLS
