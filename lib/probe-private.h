/* vidflow: VfProbe internals shared by probe.c and builtin-probes.c. */
#pragma once

#include <vidflow/probe.h>

typedef enum {
  VF_PROBE_KIND_USER = 0,
  VF_PROBE_KIND_FPS,
  VF_PROBE_KIND_LATENCY,
} VfProbeKind;

struct _VfProbe {
  char *name;
  VfProbeCallbacks callbacks;
  gpointer user_data;
  GstPad *pad; /* ref */
  gulong probe_id;
  GMutex lock;
  guint64 seen, dropped;
  GError *invalid;    /* what vf_probe_new found wrong: attaching reports it */
  gboolean owned;     /* a pipeline took it (vf_pipeline_attach_probe) */
  VfProbeKind kind;   /* built-in probes: user_data is their state */
  gboolean read_only; /* built-in probes only look: no need to make buffers writable */
};
