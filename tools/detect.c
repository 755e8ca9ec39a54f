/* vidflow detect: the main job. Object detection on a video file, written out as an annotated
 * H.264 MP4 and as JSON lines, with progress and a summary.
 *
 *   filesrc ! decodebin ! vfmux ! vfinfer (SSD-MobileNetV2, configs/) ! vfosd ! vfdemux
 *     ! videoconvert ! x264enc ! mp4mux ! filesink           (+ a probe writing JSON lines)
 *
 * usage: vidflow detect [--input VIDEO] [--config YAML] [--output-dir DIR] [--max-frames N]
 *                       [--no-video] [--quiet]
 * Defaults: data/footage/vtest.avi, configs/ssd_mobilenet_v2_oid.yaml, out/ (in the source
 * tree). Output: DIR/detections.mp4 and DIR/detections.jsonl, one line per frame:
 *   {"frame": 12, "source": 0, "pts": 1.2, "width": 768, "height": 576, "objects": [
 *     {"class_id": 4, "label": "Person", "confidence": 0.87, "bbox": [x, y, w, h]}, ...]}
 * boxes in the frame's pixels. Ctrl-C ends the stream cleanly (the MP4 is finalised). */
#include <stdio.h>
#include <string.h>
#include <vidflow/vidflow.h>

#include "detect.h"
#include "report.h"

#ifndef VF_SOURCE_ROOT
#define VF_SOURCE_ROOT "."
#endif

typedef struct {
  VfPipeline *pipeline;
  guint64 max_frames; /* 0: all */
  guint64 batches;    /* counted at vfmux's output */
  FILE *json;
  gboolean quiet;
  guint64 frames;
  guint64 objects;
  GHashTable *per_class; /* label (interned) -> count */
  gint64 start_us, last_report_us;
} Job;

/* A JSON string literal of s (transfer full). */
static char *json_string(const char *s)
{
  GString *out = g_string_new("\"");
  for (const char *p = s ? s : ""; *p; p++) {
    guchar c = (guchar)*p;
    if (c == '"' || c == '\\')
      g_string_append_printf(out, "\\%c", c);
    else if (c < 0x20)
      g_string_append_printf(out, "\\u%04x", c);
    else
      g_string_append_c(out, (char)c);
  }
  g_string_append_c(out, '"');
  return g_string_free(out, FALSE);
}

/* The batch-metadata operator on vfinfer's output: one JSON line per frame, counts, progress.
 * Runs on the streaming thread. */
static void on_batch(VfBatchMeta *meta, gpointer user_data)
{
  Job *job = user_data;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(meta, i);
    const GstVideoInfo *info = vf_frame_meta_get_video_info(frame);
    GstClockTime pts = vf_frame_meta_get_pts(frame);
    GString *line = g_string_new(NULL);
    g_string_append_printf(line,
                           "{\"frame\": %" G_GUINT64_FORMAT ", \"source\": %u, \"pts\": %.3f, "
                           "\"width\": %d, \"height\": %d, \"objects\": [",
                           vf_frame_meta_get_frame_number(frame),
                           vf_frame_meta_get_source_id(frame),
                           GST_CLOCK_TIME_IS_VALID(pts) ? pts / (gdouble)GST_SECOND : -1.0,
                           GST_VIDEO_INFO_WIDTH(info), GST_VIDEO_INFO_HEIGHT(info));
    GPtrArray *objects = vf_frame_meta_get_objects(frame);
    for (guint k = 0; k < objects->len; k++) {
      VfObjectMeta *o = g_ptr_array_index(objects, k);
      VfRect r;
      vf_object_meta_get_detector_bbox(o, &r);
      const char *label = vf_object_meta_get_label(o);
      char *l = json_string(label);
      g_string_append_printf(line,
                             "%s{\"class_id\": %d, \"label\": %s, \"confidence\": %.3f, "
                             "\"bbox\": [%.1f, %.1f, %.1f, %.1f]}",
                             k ? ", " : "", vf_object_meta_get_class_id(o), l,
                             vf_object_meta_get_confidence(o), r.left, r.top, r.width, r.height);
      g_free(l);
      const char *key = label ? label : g_intern_string("(unlabelled)");
      g_hash_table_insert(
          job->per_class, (gpointer)key,
          GSIZE_TO_POINTER(GPOINTER_TO_SIZE(g_hash_table_lookup(job->per_class, key)) + 1));
    }
    job->objects += objects->len;
    g_ptr_array_unref(objects);
    g_string_append(line, "]}\n");
    fputs(line->str, job->json);
    g_string_free(line, TRUE);
    job->frames++;
  }
  gint64 now = g_get_monotonic_time();
  if (job->start_us == 0)
    job->start_us = job->last_report_us = now;
  if (!job->quiet && now - job->last_report_us >= 2 * G_USEC_PER_SEC) {
    gdouble s = (now - job->start_us) / 1e6;
    g_print("  %" G_GUINT64_FORMAT " frames, %.1f fps, %" G_GUINT64_FORMAT " detections\n",
            job->frames, s > 0 ? job->frames / s : 0.0, job->objects);
    job->last_report_us = now;
  }
}

/* --max-frames: at vfmux's output, end the stream after N batches (of one frame) and drop
 * what the decoder still drains. (identity eos-after right after a decoder lets one late frame
 * through.) Streaming thread. */
static VfProbeReturn limit_frames(VfBuffer *buffer, gpointer user_data)
{
  (void)buffer;
  Job *job = user_data;
  if (job->max_frames == 0)
    return VF_PROBE_KEEP;
  guint64 n = ++job->batches;
  if (n == job->max_frames)
    vf_pipeline_send_eos(job->pipeline);
  return n <= job->max_frames ? VF_PROBE_KEEP : VF_PROBE_DROP;
}

static gint by_count(gconstpointer a, gconstpointer b, gpointer table)
{
  gsize ca = GPOINTER_TO_SIZE(g_hash_table_lookup(table, *(gconstpointer *)a));
  gsize cb = GPOINTER_TO_SIZE(g_hash_table_lookup(table, *(gconstpointer *)b));
  return ca < cb ? 1 : ca > cb ? -1 : strcmp(*(const char *const *)a, *(const char *const *)b);
}

int vf_cmd_detect(int argc, char **argv)
{
  char *input = NULL, *config = NULL, *out_dir = NULL;
  gint max_frames = 0;
  gboolean no_video = FALSE, quiet = FALSE;
  GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &input,
      "Video file (default: data/footage/vtest.avi)", "VIDEO" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config,
      "vfinfer config (default: configs/ssd_mobilenet_v2_oid.yaml)", "YAML" },
    { "output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir,
      "Where detections.mp4 and detections.jsonl go (default: out/)", "DIR" },
    { "max-frames", 'n', 0, G_OPTION_ARG_INT, &max_frames, "Stop after N frames (0: all)", "N" },
    { "no-video", 0, 0, G_OPTION_ARG_NONE, &no_video, "Only the JSON lines, no MP4", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No progress lines", NULL },
    { NULL },
  };
  GError *err = NULL;
  GOptionContext *ctx = g_option_context_new("- object detection on a video: MP4 + JSON lines");
  g_option_context_add_main_entries(ctx, entries, NULL);
  gboolean parsed = g_option_context_parse(ctx, &argc, &argv, &err);
  g_option_context_free(ctx);
  if (!parsed || argc > 1 || max_frames < 0) {
    g_printerr("vidflow detect: %s\n", err ? err->message : "bad arguments (see --help)");
    g_clear_error(&err);
    return 2;
  }
  if (input == NULL)
    input = g_build_filename(VF_SOURCE_ROOT, "data", "footage", "vtest.avi", NULL);
  if (config == NULL)
    config = g_build_filename(VF_SOURCE_ROOT, "configs", "ssd_mobilenet_v2_oid.yaml", NULL);
  if (out_dir == NULL)
    out_dir = g_build_filename(VF_SOURCE_ROOT, "out", NULL);
  if (!g_file_test(input, G_FILE_TEST_IS_REGULAR)) {
    g_printerr("vidflow detect: input '%s' not found (run tools/fetch-assets.sh for the sample "
               "footage, or pass --input)\n",
               input);
    return 1;
  }
  if (g_mkdir_with_parents(out_dir, 0755) != 0) {
    g_printerr("vidflow detect: cannot create the output directory '%s'\n", out_dir);
    return 1;
  }
  char *json_path = g_build_filename(out_dir, "detections.jsonl", NULL);
  char *mp4_path = g_build_filename(out_dir, "detections.mp4", NULL);
  Job job = { .quiet = quiet, .per_class = g_hash_table_new(NULL, NULL) };
  job.json = fopen(json_path, "w");
  if (job.json == NULL) {
    g_printerr("vidflow detect: cannot write '%s'\n", json_path);
    return 1;
  }

  VfProbeCallbacks probe = { .on_batch_meta = on_batch }, limit = { .on_buffer = limit_frames };
  VfPipeline *p = vf_pipeline_new("vidflow-detect");
  job.pipeline = p;
  job.max_frames = (guint64)max_frames;
  gboolean ok
      = p != NULL && vf_pipeline_add(p, "filesrc", "src", &err, "location", input, NULL)
        && vf_pipeline_add(p, "decodebin", "decode", &err, NULL)
        && vf_pipeline_add(p, "vfmux", "mux", &err, "batch-size", "1", NULL)
        && vf_pipeline_add(p, "vfinfer", "infer", &err, "config-file-path", config, NULL)
        && vf_pipeline_link(p, &err, "src", "decode", NULL)
        && vf_pipeline_link_pads(p, "decode", NULL, "mux", "sink_%u", &err)
        && vf_pipeline_link(p, &err, "mux", "infer", NULL)
        && vf_pipeline_attach_probe(p, "mux", NULL, vf_probe_new("limit", &limit, &job), &err)
        && vf_pipeline_attach_probe(p, "infer", NULL, vf_probe_new("json", &probe, &job), &err);
  if (ok && no_video)
    ok = vf_pipeline_add(p, "fakesink", "sink", &err, "sync", "false", NULL)
         && vf_pipeline_link(p, &err, "infer", "sink", NULL);
  else if (ok)
    ok = vf_pipeline_add(p, "vfosd", "osd", &err, NULL)
         && vf_pipeline_add(p, "vfdemux", "demux", &err, NULL)
         && vf_pipeline_add(p, "queue", "queue", &err, NULL)
         && vf_pipeline_add(p, "videoconvert", "convert", &err, NULL)
         && vf_pipeline_add(p, "capsfilter", "i420", &err, "caps", "video/x-raw,format=I420", NULL)
         /* no B-frames: with them 1.22's mp4mux + qtdemux lose the first frames */
         && vf_pipeline_add(p, "x264enc", "encode", &err, "speed-preset", "veryfast", "bframes",
                            "0", "bitrate", "3000", NULL)
         && vf_pipeline_add(p, "h264parse", "parse", &err, NULL)
         && vf_pipeline_add(p, "mp4mux", "mp4", &err, NULL)
         && vf_pipeline_add(p, "filesink", "sink", &err, "location", mp4_path, NULL)
         && vf_pipeline_link(p, &err, "infer", "osd", "demux", NULL)
         && vf_pipeline_link_pads(p, "demux", "src_0", "queue", NULL, &err)
         && vf_pipeline_link(p, &err, "queue", "convert", "i420", "encode", "parse", "mp4", "sink",
                             NULL);
  if (ok) {
    g_print("vidflow detect: %s -> vfinfer (%s)%s\n", input, config,
            no_video ? "" : " -> vfosd -> H.264 MP4");
    vf_handle_interrupts();
    vf_cmd_report_messages(p, FALSE);
    ok = vf_pipeline_run(p, &err);
  }
  gint64 end = g_get_monotonic_time();
  fclose(job.json);
  vf_pipeline_free(p);
  gdouble secs = job.start_us ? (end - job.start_us) / 1e6 : 0;
  if (!ok)
    g_printerr("vidflow detect: %s\n", err ? err->message : "failed");
  g_clear_error(&err);

  g_print("\nSummary: %" G_GUINT64_FORMAT " frames in %.1f s (%.1f fps), %" G_GUINT64_FORMAT
          " detections\n",
          job.frames, secs, secs > 0 ? job.frames / secs : 0.0, job.objects);
  GPtrArray *labels = g_ptr_array_new();
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init(&it, job.per_class);
  while (g_hash_table_iter_next(&it, &key, NULL))
    g_ptr_array_add(labels, key);
  g_ptr_array_sort_with_data(labels, by_count, job.per_class);
  for (guint i = 0; i < labels->len; i++) {
    const char *l = g_ptr_array_index(labels, i);
    gsize n = GPOINTER_TO_SIZE(g_hash_table_lookup(job.per_class, l));
    g_print("  %-16s %6zu  (%.2f per frame)\n", l, n, job.frames ? n / (gdouble)job.frames : 0.0);
  }
  g_ptr_array_unref(labels);
  g_print("Output:\n");
  if (!no_video)
    g_print("  video:         %s\n", mp4_path);
  g_print("  JSON lines:    %s\n", json_path);
  g_hash_table_unref(job.per_class);
  g_free(json_path);
  g_free(mp4_path);
  g_free(input);
  g_free(config);
  g_free(out_dir);
  return ok && job.frames > 0 ? 0 : 1;
}
