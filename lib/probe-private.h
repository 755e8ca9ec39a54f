/* vidflow: VfProbe internals shared by probe.c and builtin-probes.c. */
#pragma once

#include <vidflow/probe.h>

#include "pipeline-private.h"

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
  VfAttachable attach; /* for vf_pipeline_attach_probe; invalid: from vf_probe_new */
  VfProbeKind kind;    /* built-in probes: user_data is their state */
  gboolean read_only;  /* built-in probes only look: no need to make buffers writable */
};
