/* vidflow: DeepStream's element names.
 *
 * Pipelines written with NVIDIA's factory names run with vidflow's elements: vf_pipeline_add(p,
 * "nvstreammux", ...), Service Maker YAML graphs (type: nvinfer) and Flow overrides (the seed's
 * kwargs, gpu_id=1) all go through one table, listed in docs/nvidia-names.md (`vidflow names`
 * prints it). For each DeepStream element it says what vidflow runs, and for properties that
 * differ how they are mapped (nvv4l2h264enc's bitrate in bit/s becomes x264enc's kbit/s, nvinfer's
 * gpu-id vfinfer's device-id) or that they are ignored (nvbuf-memory-type, compute-hw: told once
 * per run). A name with no counterpart, or whose vidflow element is not in this build, is a clear
 * error when the element is added. Elements made for a DeepStream name keep it: their properties
 * take DeepStream's spellings. Caps written with DeepStream's memory:NVMM (appsrc, capsfilter)
 * mean CPU frames, or batches after nvstreammux.
 *
 * Display sinks (nveglglessink, nv3dsink) run as vfdisplaysink on the sink vf_display_sink_choose()
 * picks; without a display adding one is an error, unless VIDFLOW_DISPLAY_SINK=fakesink (or
 * `vidflow run --no-display`) asks to run without showing the video.
 *
 * Adding a name: one row in lib/nvidia-names.c (see the comment above its table), then the
 * table in docs/nvidia-names.md replaced with what `vidflow names` prints (a test checks that the
 * document matches the table). */
#pragma once

#include <glib.h>
#include <vidflow/export.h>

G_BEGIN_DECLS

/* One DeepStream element and what vidflow runs for it (all strings static). */
typedef struct {
  const char *nvidia;   /* DeepStream's factory, e.g. "nvstreammux" */
  const char *vidflow;  /* the vidflow element that runs for it; NULL: none (adding it fails) */
  const char *fallback; /* what runs while `vidflow` is not in this build; NULL: adding fails */
  const char *note;     /* one line: what differs */
} VfNvidiaName;

/* The row for DeepStream factory `nvidia`, or NULL when the table does not know it (transfer
 * none, static). Any thread. */
VF_API const VfNvidiaName *vf_nvidia_name_lookup(const char *nvidia);
/* Every row, in the table's order; *n_names gets how many (transfer none, static). */
VF_API const VfNvidiaName *vf_nvidia_names(guint *n_names);
/* The table in Markdown (as docs/nvidia-names.md has it): every element, what vidflow runs for it,
 * its properties that are mapped or ignored (transfer full). */
VF_API char *vf_nvidia_names_to_markdown(void);

G_END_DECLS
