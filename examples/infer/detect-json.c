/* Object detection on one or more videos, one JSON line per frame.
 *
 *   filesrc ! decodebin ! vfmux (one sink pad per video) ! vfinfer ! fakesink
 *   + a batch-metadata probe on vfinfer's output writing the lines
 *
 * Each line is vidflow's compact message (vidflow/message.h, the one JSON writer of vidflow):
 * {"source":S,"frame":N,"pts":seconds,"timestamp":...,"width":W,"height":H,"objects":[
 * {"class_id","label","confidence","bbox":[left,top,width,height]}]}; boxes in the frame's
 * pixels.
 *
 * usage: detect-json --config YAML [--output FILE] [--max-frames N] [--format F] VIDEO...
 *   --max-frames: stop after N frames of each video; --format: vfmux's output format
 *   (auto: the decoder's; RGB, RGBA, NV12, I420). */
#include <stdio.h>
#include <vidflow/vidflow.h>

typedef struct {
  VfPipeline *pipeline;
  FILE *out;
  VfJsonWriter *writer;
  guint64 max_frames, frames, objects;
  guint n_sources;
  guint64 seen[64]; /* frames seen per source at vfmux's output */
  gboolean eos_sent;
} Detector;

/* The seed's BatchMetadataOperator.handle_metadata: runs on the streaming thread. */
static void write_lines(VfBatchMeta *batch, gpointer user_data)
{
  Detector *d = user_data;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(batch); i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(batch, i);
    if (d->max_frames && vf_frame_meta_get_frame_number(frame) >= d->max_frames)
      continue; /* past --max-frames for its source: in flight while the stream ends */
    GPtrArray *objects = vf_frame_meta_get_objects(frame); /* references: safe to use */
    vf_json_writer_reset(d->writer);
    vf_msgconv_write_frame(d->writer, frame, objects);
    fprintf(d->out, "%s\n", vf_json_writer_get(d->writer, NULL, NULL));
    d->objects += objects->len;
    d->frames++;
    g_ptr_array_unref(objects);
  }
}

/* --max-frames, at vfmux's output: once every source gave N frames, end the stream. Sources
 * start at different times (decodebin pads appear late), so a batch may lack one: count frames
 * per source from the batch meta rather than batches. */
static VfProbeReturn limit(VfBuffer *buffer, gpointer user_data)
{
  Detector *d = user_data;
  VfBatchMeta *batch = vf_buffer_get_batch_meta(buffer);
  if (d->max_frames == 0 || batch == NULL)
    return VF_PROBE_KEEP;
  gboolean wanted = FALSE, all_done = TRUE;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(batch); i++) {
    guint source = vf_frame_meta_get_source_id(vf_batch_meta_get_frame(batch, i));
    if (source < G_N_ELEMENTS(d->seen) && d->seen[source]++ < d->max_frames)
      wanted = TRUE;
  }
  for (guint s = 0; s < d->n_sources && s < G_N_ELEMENTS(d->seen); s++)
    all_done = all_done && d->seen[s] >= d->max_frames;
  if (all_done && !d->eos_sent) {
    d->eos_sent = TRUE;
    vf_pipeline_send_eos(d->pipeline);
  }
  return wanted ? VF_PROBE_KEEP : VF_PROBE_DROP;
}

int main(int argc, char **argv)
{
  char *config = NULL, *output = NULL, *format = NULL;
  gint max_frames = 0;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "vfinfer config (YAML)", "YAML" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "JSON lines file (default: stdout)",
      "FILE" },
    { "max-frames", 'n', 0, G_OPTION_ARG_INT, &max_frames, "Stop after N frames per video", "N" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "Frame format of the batches (auto)", "F" },
    { NULL },
  };
  GError *err = NULL;
  GOptionContext *ctx = g_option_context_new("VIDEO... - detections as JSON lines");
  g_option_context_add_main_entries(ctx, entries, NULL);
  gboolean parsed = g_option_context_parse(ctx, &argc, &argv, &err);
  g_option_context_free(ctx);
  if (!parsed || argc < 2 || config == NULL || max_frames < 0) {
    g_printerr("detect-json: %s\n",
               err ? err->message : "usage: detect-json --config YAML VIDEO...");
    g_clear_error(&err);
    return 2;
  }
  Detector d = { .out = output ? fopen(output, "w") : stdout,
                 .writer = vf_json_writer_new(),
                 .max_frames = (guint64)max_frames };
  if (d.out == NULL) {
    g_printerr("detect-json: cannot write %s\n", output);
    vf_json_writer_free(d.writer);
    return 1;
  }
  guint n = (guint)argc - 1;
  d.n_sources = n;
  char batch[16];
  g_snprintf(batch, sizeof batch, "%u", n);
  VfPipeline *p = d.pipeline = vf_pipeline_new("detect-json");
  VfProbeCallbacks writer = { .on_batch_meta = write_lines }, limiter = { .on_buffer = limit };
  gboolean ok
      = vf_pipeline_add(p, "vfmux", "mux", &err, "batch-size", batch, "format",
                        format ? format : "auto", NULL)
        && vf_pipeline_add(p, "vfinfer", "infer", &err, "config-file-path", config, NULL)
        && vf_pipeline_add(p, "fakesink", "sink", &err, "sync", "false", NULL)
        && vf_pipeline_link(p, &err, "mux", "infer", "sink", NULL)
        && vf_pipeline_attach_probe(p, "mux", NULL, vf_probe_new("limit", &limiter, &d), &err)
        && vf_pipeline_attach_probe(p, "infer", NULL, vf_probe_new("json", &writer, &d), &err);
  for (guint i = 0; ok && i < n; i++) {
    char src[32], dec[32];
    g_snprintf(src, sizeof src, "src%u", i);
    g_snprintf(dec, sizeof dec, "decode%u", i);
    ok = vf_pipeline_add(p, "filesrc", src, &err, "location", argv[i + 1], NULL)
         && vf_pipeline_add(p, "decodebin", dec, &err, NULL)
         && vf_pipeline_link(p, &err, src, dec, NULL)
         && vf_pipeline_link_pads(p, dec, NULL, "mux", "sink_%u", &err); /* sink_0, sink_1... */
  }
  vf_handle_interrupts();
  if (ok)
    ok = vf_pipeline_run(p, &err);
  if (output)
    fclose(d.out);
  if (ok)
    g_printerr("detect-json: %" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT " objects\n",
               d.frames, d.objects);
  else
    g_printerr("detect-json: %s\n", err ? err->message : "failed");
  g_clear_error(&err);
  vf_pipeline_free(p);
  vf_json_writer_free(d.writer);
  g_free(config);
  g_free(output);
  g_free(format);
  return ok ? 0 : 1;
}
