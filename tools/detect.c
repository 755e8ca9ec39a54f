/* vidflow detect: the main job. Object detection on a video file, written out as an annotated
 * H.264 MP4 and as JSON lines, with progress and a summary.
 *
 *   filesrc ! decodebin ! vfmux ! vfinfer (SSD-MobileNetV2, configs/) ! vfosd ! vfdemux
 *     ! videoconvert ! x264enc ! mp4mux ! filesink           (+ a probe writing JSON lines)
 *
 * usage: vidflow detect [--input VIDEO] [--config YAML] [--output-dir DIR] [--max-frames N]
 *                       [--track] [--tracker-config YAML] [--no-video] [--publish URI] [--quiet]
 * Defaults: data/footage/vtest.avi, configs/ssd_mobilenet_v2_oid.yaml, out/ (in the source
 * tree). Output: DIR/detections.mp4 and DIR/detections.jsonl, one line per frame in vidflow's
 * compact message schema (vidflow/message.h):
 *   {"source":0,"frame":12,"pts":1.2,"timestamp":"...Z","width":768,"height":576,"objects":[
 *     {"class_id":4,"label":"Person","confidence":0.87,"bbox":[x,y,w,h]},...]}
 * boxes in the frame's pixels. With --track, vftracker follows the objects (bytetrack, or
 * --tracker-config): tracked objects have "id" (their track id) and the tracker's box, objects a
 * track holds through a missed detection are listed with confidence 0, and the video shows the
 * ids and short trails. --publish URI also sends those messages to a broker
 * (vfmsgconv + vfmsgbroker: mqtt://host:port/topic, redis://host:port/stream,
 * kafka://host:port/topic, file:///path.jsonl). Ctrl-C ends the stream cleanly (the MP4 is
 * finalised, the messages flushed). */
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include <vidflow/vidflow.h>

#include "detect.h"
#include "notify.h"
#include "report.h"

#ifndef VF_SOURCE_ROOT
#define VF_SOURCE_ROOT "."
#endif

typedef struct {
  VfPipeline *pipeline;
  guint64 max_frames; /* 0: all */
  guint64 batches;    /* counted at vfmux's output */
  FILE *json;
  VfJsonWriter *writer;
  gboolean quiet;
  guint64 frames;
  guint64 objects;
  GHashTable *per_class; /* label (interned) -> count */
  GHashTable *ids;       /* --track: the track ids seen (guint64*) */
  guint64 held;          /* --track: objects the tracker predicted (no detection) */
  gint64 start_us, last_report_us;
} Job;

/* The batch-metadata operator on vfinfer's output: one JSON line per frame, counts, progress.
 * Runs on the streaming thread. */
static void on_batch(VfBatchMeta *meta, gpointer user_data)
{
  Job *job = user_data;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(meta, i);
    GPtrArray *objects = vf_frame_meta_get_objects(frame);
    /* vidflow's compact message schema, one line per frame (vidflow/message.h) */
    vf_json_writer_reset(job->writer);
    vf_msgconv_write_frame(job->writer, frame, objects);
    gsize len;
    const char *line = vf_json_writer_get(job->writer, &len, NULL);
    if (line) {
      fwrite(line, 1, len, job->json);
      fputc('\n', job->json);
    }
    for (guint k = 0; k < objects->len; k++) {
      VfObjectMeta *o = g_ptr_array_index(objects, k);
      const char *label = vf_object_meta_get_label(o);
      guint64 id = vf_object_meta_get_object_id(o);
      if (id != VF_OBJECT_UNTRACKED && !g_hash_table_contains(job->ids, &id))
        g_hash_table_add(job->ids, g_memdup2(&id, sizeof id));
      VfRect r;
      vf_object_meta_get_detector_bbox(o, &r);
      if (r.width <= 0) { /* held by the tracker through a missed detection: not a detection */
        job->held++;
        continue;
      }
      const char *key = label ? label : g_intern_string("(unlabelled)");
      g_hash_table_insert(
          job->per_class, (gpointer)key,
          GSIZE_TO_POINTER(GPOINTER_TO_SIZE(g_hash_table_lookup(job->per_class, key)) + 1));
      job->objects++;
    }
    g_ptr_array_unref(objects);
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
  /* Ctrl-C counts from here: while the model loads too. */
  vf_handle_interrupts();
  vf_cmd_notify(VF_CMD_NOTIFY_STARTING);
  char *input = NULL, *config = NULL, *out_dir = NULL, *publish = NULL, *tracker_config = NULL;
  gint max_frames = 0;
  gboolean no_video = FALSE, quiet = FALSE, track = FALSE;
  GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &input,
      "Video file (default: data/footage/vtest.avi)", "VIDEO" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config,
      "vfinfer config (default: configs/ssd_mobilenet_v2_oid.yaml)", "YAML" },
    { "output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir,
      "Where detections.mp4 and detections.jsonl go (default: out/)", "DIR" },
    { "max-frames", 'n', 0, G_OPTION_ARG_INT, &max_frames, "Stop after N frames (0: all)", "N" },
    { "track", 't', 0, G_OPTION_ARG_NONE, &track,
      "Track the objects (vftracker): ids in the JSON lines and on the video", NULL },
    { "tracker-config", 0, 0, G_OPTION_ARG_FILENAME, &tracker_config,
      "vftracker config with --track (default: configs/tracker_bytetrack.yaml)", "YAML" },
    { "no-video", 0, 0, G_OPTION_ARG_NONE, &no_video, "Only the JSON lines, no MP4", NULL },
    { "publish", 'p', 0, G_OPTION_ARG_STRING, &publish,
      "Also send the messages to a broker: mqtt://, redis://, kafka:// or file:// URI", "URI" },
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
  if (g_file_test(input, G_FILE_TEST_IS_DIR)) {
    g_printerr("vidflow detect: input '%s' is a directory: pass a video file in it\n", input);
    return 1;
  }
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
  if (track && tracker_config == NULL)
    tracker_config = g_build_filename(VF_SOURCE_ROOT, "configs", "tracker_bytetrack.yaml", NULL);
  Job job = { .quiet = quiet,
              .per_class = g_hash_table_new(NULL, NULL),
              .ids = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL),
              .writer = vf_json_writer_new() };
  /* a failed run removes the outputs it created (an MP4 without its index cannot be played) */
  gboolean had_json = g_file_test(json_path, G_FILE_TEST_EXISTS);
  gboolean had_mp4 = g_file_test(mp4_path, G_FILE_TEST_EXISTS);
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
        && vf_pipeline_attach_probe(p, "mux", NULL, vf_probe_new("limit", &limit, &job), &err);
  /* the objects come out of `objects`: vfinfer, or the tracker after it (--track) */
  const char *objects = track ? "track" : "infer";
  if (ok && track)
    ok = vf_pipeline_add(p, "vftracker", "track", &err, "ll-config-file", tracker_config, NULL)
         && vf_pipeline_link(p, &err, "infer", "track", NULL);
  ok = ok && vf_pipeline_attach_probe(p, objects, NULL, vf_probe_new("json", &probe, &job), &err);
  /* --publish: a branch of its own, objects ! tee ! queue ! vfmsgconv ! vfmsgbroker */
  const char *detections = publish ? "publish-tee" : objects;
  if (ok && publish)
    ok = vf_pipeline_add(p, "tee", "publish-tee", &err, NULL)
         && vf_pipeline_add(p, "queue", "publish-queue", &err, NULL)
         && vf_pipeline_add(p, "vfmsgconv", "msgconv", &err, "payload-type", "vidflow", NULL)
         && vf_pipeline_add(p, "vfmsgbroker", "msgbroker", &err, "conn-str", publish, NULL)
         && vf_pipeline_link(p, &err, objects, "publish-tee", "publish-queue", "msgconv",
                             "msgbroker", NULL);
  if (ok && no_video)
    ok = vf_pipeline_add(p, "fakesink", "sink", &err, "sync", "false", NULL)
         && vf_pipeline_link(p, &err, detections, "sink", NULL);
  else if (ok)
    ok = vf_pipeline_add(p, "vfosd", "osd", &err, "display-trails", track ? "true" : "false", NULL)
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
         && vf_pipeline_link(p, &err, detections, "osd", "demux", NULL)
         && vf_pipeline_link_pads(p, "demux", "src_0", "queue", NULL, &err)
         && vf_pipeline_link(p, &err, "queue", "convert", "i420", "encode", "parse", "mp4", "sink",
                             NULL)
         && vf_pipeline_check_encoder_input(p, "queue", "encode", &err);
  if (ok) {
    g_print("vidflow detect: %s -> vfinfer (%s)%s%s%s%s\n", input, config,
            track ? " -> vftracker (" : "", track ? tracker_config : "", track ? ")" : "",
            no_video ? "" : " -> vfosd -> H.264 MP4");
    vf_cmd_report_messages(p, FALSE, FALSE);
    ok = vf_pipeline_start(p, &err);
    if (ok)
      vf_cmd_notify(VF_CMD_NOTIFY_READY);
    if (ok && !quiet)
      g_print("vidflow detect: running (Ctrl-C: finish the video cleanly; twice: stop)\n");
    ok = ok && vf_pipeline_wait(p, &err);
    vf_cmd_notify(VF_CMD_NOTIFY_STOPPING);
  }
  gboolean interrupted = g_error_matches(err, VF_ERROR, VF_ERROR_INTERRUPTED);
  gint64 end = g_get_monotonic_time();
  fclose(job.json);
  guint64 sent = 0, acknowledged = 0;
  if (publish && vf_pipeline_get_element(p, "msgbroker"))
    g_object_get(vf_pipeline_get_element(p, "msgbroker"), "sent", &sent, "acknowledged",
                 &acknowledged, NULL);
  vf_pipeline_free(p);
  vf_json_writer_free(job.writer);
  gdouble secs = job.start_us ? (end - job.start_us) / 1e6 : 0;
  if (!ok)
    g_printerr("vidflow detect: %s\n", err ? err->message : "failed");
  else if (job.frames == 0)
    g_printerr("vidflow detect: no frame reached the detector\n");
  gboolean good = ok && job.frames > 0;
  if (!good) {
    if (!had_json && g_unlink(json_path) == 0)
      g_printerr("vidflow detect: removed the incomplete %s\n", json_path);
    if (!no_video && !had_mp4 && g_unlink(mp4_path) == 0)
      g_printerr("vidflow detect: removed the incomplete %s\n", mp4_path);
  }
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
  if (track)
    g_print("  tracks           %6u  (%" G_GUINT64_FORMAT " objects predicted, not detected)\n",
            g_hash_table_size(job.ids), job.held);
  g_print("Output:%s\n", good ? "" : " (none: the run failed)");
  if (good && !no_video)
    g_print("  video:         %s\n", mp4_path);
  if (good)
    g_print("  JSON lines:    %s\n", json_path);
  if (publish)
    g_print("  published to:  %s (%" G_GUINT64_FORMAT " messages sent, %" G_GUINT64_FORMAT
            " acknowledged)\n",
            publish, sent, acknowledged);
  g_hash_table_unref(job.per_class);
  g_hash_table_unref(job.ids);
  g_free(tracker_config);
  g_free(json_path);
  g_free(mp4_path);
  g_free(input);
  g_free(config);
  g_free(out_dir);
  g_free(publish);
  return interrupted ? VF_CMD_EXIT_INTERRUPTED : good ? 0 : 1;
}
