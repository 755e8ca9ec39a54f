/* vidflow: probes, callbacks on the buffers leaving an element's pad (the seed's Probe).
 *
 * on_buffer runs on the element's streaming thread, for every buffer, before it goes downstream;
 * keep it short. Its return value keeps or drops the buffer. */
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
  /* Called on the streaming thread (transfer none: vf_buffer_ref to keep). */
  VfProbeReturn (*on_buffer)(VfBuffer *buffer, gpointer user_data);
  /* Optional: called once when the probe is freed. */
  void (*destroy)(gpointer user_data);
} VfProbeCallbacks;

VF_API VfProbe *vf_probe_new(const char *name, const VfProbeCallbacks *callbacks,
                             gpointer user_data);
VF_API void vf_probe_free(VfProbe *probe);
VF_API const char *vf_probe_get_name(const VfProbe *probe);
/* Buffers seen and dropped so far (thread-safe). */
VF_API guint64 vf_probe_get_seen(const VfProbe *probe);
VF_API guint64 vf_probe_get_dropped(const VfProbe *probe);

/* Attach to the pad `pad` of `element` (NULL: its "src" pad, or its only source pad). The pipeline
 * takes the probe (transfer full) even on failure. */
VF_API gboolean vf_pipeline_attach_probe(VfPipeline *pipeline, const char *element,
                                         const char *pad, VfProbe *probe, GError **error);

G_END_DECLS
