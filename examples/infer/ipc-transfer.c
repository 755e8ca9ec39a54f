/* Seed Part 1 Pattern 3, multi_pipeline_transfer(use_multiprocessing=True): two pipelines in two
 * processes. This process decodes and detects; a child process it starts draws the detections
 * and encodes. Frames cross in shared memory (vfipcsink -> vfipcsrc), each with its detections:
 * nothing is pickled, nothing is lost silently (the producer waits for the consumer, and at the
 * end until the consumer released every frame).
 *
 *   producer: filesrc ! decodebin ! vfmux format=RGB ! vfinfer ! vfipcsink
 *   consumer: vfipcsrc ! vftiler ! vfosd ! videoconvert ! x264enc ! mp4mux ! filesink
 *             ^ probe: the detections that arrived, per frame, as JSON lines (--log)
 *
 * usage: ipc-transfer --config YAML [--max-frames N] [--output OUT.mp4] [--log FILE] VIDEO
 * (the child runs as: ipc-transfer --consume SOCKET [--output ...] [--log ...]) */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vidflow/vidflow.h>

typedef struct {
  VfPipeline *pipeline;
  guint64 max_frames, frames, objects;
  FILE *log;
} Side;

/* Producer: stop after --max-frames (streaming thread). */
static VfProbeReturn limit(VfBuffer *buffer, gpointer user_data)
{
  (void)buffer;
  Side *s = user_data;
  if (s->max_frames && ++s->frames == s->max_frames)
    vf_pipeline_send_eos(s->pipeline);
  return !s->max_frames || s->frames <= s->max_frames ? VF_PROBE_KEEP : VF_PROBE_DROP;
}

/* Both sides: count the detections (producer: made here; consumer: arrived with the frames). */
static void count(VfBatchMeta *batch, gpointer user_data)
{
  Side *s = user_data;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(batch); i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(batch, i);
    GPtrArray *objects = vf_frame_meta_get_objects(frame);
    s->objects += objects->len;
    if (s->log) {
      fprintf(s->log, "{\"frame\": %" G_GUINT64_FORMAT ", \"objects\": [",
              vf_frame_meta_get_frame_number(frame));
      for (guint k = 0; k < objects->len; k++) {
        VfObjectMeta *o = g_ptr_array_index(objects, k);
        VfRect r;
        vf_object_meta_get_detector_bbox(o, &r);
        const char *label = vf_object_meta_get_label(o);
        fprintf(s->log,
                "%s{\"label\": \"%s\", \"confidence\": %.4f, \"bbox\": [%.2f, %.2f, %.2f, %.2f]}",
                k ? ", " : "", label ? label : "", vf_object_meta_get_confidence(o), r.left, r.top,
                r.width, r.height);
      }
      fprintf(s->log, "]}\n");
    }
    g_ptr_array_unref(objects);
  }
}

static int consume(const char *socket, const char *output, const char *log)
{
  GError *err = NULL;
  Side s = { 0 };
  s.log = log ? fopen(log, "w") : NULL;
  VfPipeline *p = vf_pipeline_new("consumer");
  s.pipeline = p;
  VfProbeCallbacks counter = { .on_batch_meta = count };
  gboolean ok
      = vf_pipeline_add(p, "vfipcsrc", "src", &err, "socket-path", socket, NULL)
        && vf_pipeline_add(p, "vftiler", "tiler", &err, "width", "768", "height", "576", NULL)
        && vf_pipeline_add(p, "vfosd", "osd", &err, NULL)
        && vf_pipeline_add(p, "videoconvert", "convert", &err, NULL)
        && vf_pipeline_add(p, "x264enc", "encode", &err, "speed-preset", "ultrafast", NULL)
        && vf_pipeline_add(p, "mp4mux", "mux", &err, NULL)
        && vf_pipeline_add(p, output ? "filesink" : "fakesink", "sink", &err,
                           output ? "location" : NULL, output, NULL)
        && vf_pipeline_link(p, &err, "src", "tiler", "osd", "convert", "encode", "mux", "sink",
                            NULL)
        && vf_pipeline_attach_probe(p, "src", NULL, vf_probe_new("arrived", &counter, &s), &err)
        && vf_pipeline_run(p, &err);
  if (!ok)
    g_printerr("consumer: %s\n", err->message);
  else
    g_print("consumer: %" G_GUINT64_FORMAT " detections arrived with the frames\n", s.objects);
  g_clear_error(&err);
  vf_pipeline_free(p);
  if (s.log)
    fclose(s.log);
  return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
  char *config = NULL, *output = NULL, *log = NULL, *socket = NULL;
  gint max_frames = 0;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "vfinfer config (YAML)", "YAML" },
    { "max-frames", 'n', 0, G_OPTION_ARG_INT, &max_frames, "Stop after N frames", "N" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "MP4 the consumer writes", "FILE" },
    { "log", 'l', 0, G_OPTION_ARG_FILENAME, &log, "Detections the consumer got (JSON lines)",
      "FILE" },
    { "consume", 0, 0, G_OPTION_ARG_STRING, &socket, "Run as the consumer of SOCKET", "SOCKET" },
    { NULL },
  };
  GError *err = NULL;
  GOptionContext *ctx = g_option_context_new("VIDEO - detect here, draw and encode in a child");
  g_option_context_add_main_entries(ctx, entries, NULL);
  gboolean parsed = g_option_context_parse(ctx, &argc, &argv, &err);
  g_option_context_free(ctx);
  if (!parsed || (socket == NULL && (argc != 2 || config == NULL))) {
    g_printerr("%s\nusage: ipc-transfer --config YAML [--max-frames N] [--output OUT.mp4] "
               "[--log FILE] VIDEO\n",
               err ? err->message : "");
    g_clear_error(&err);
    return 2;
  }
  if (!vf_init(&err)) {
    g_printerr("%s\n", err->message);
    g_clear_error(&err);
    return 1;
  }
  if (socket) {
    int rc = consume(socket, output, log);
    g_free(socket);
    g_free(output);
    g_free(log);
    return rc;
  }

  /* one socket per run, in $XDG_RUNTIME_DIR */
  char *name = g_strdup_printf("ipc-transfer-%d", (int)getpid());
  char *self = g_file_read_link("/proc/self/exe", NULL);
  GPtrArray *child_argv = g_ptr_array_new();
  g_ptr_array_add(child_argv, self);
  g_ptr_array_add(child_argv, "--consume");
  g_ptr_array_add(child_argv, name);
  if (output) {
    g_ptr_array_add(child_argv, "--output");
    g_ptr_array_add(child_argv, output);
  }
  if (log) {
    g_ptr_array_add(child_argv, "--log");
    g_ptr_array_add(child_argv, log);
  }
  g_ptr_array_add(child_argv, NULL);
  GPid child = 0;
  gboolean spawned = g_spawn_async(NULL, (char **)child_argv->pdata, NULL,
                                   G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &child, &err);
  g_ptr_array_unref(child_argv);

  Side s = { 0 };
  s.max_frames = max_frames > 0 ? (guint64)max_frames : 0;
  VfPipeline *p = vf_pipeline_new("producer");
  s.pipeline = p;
  VfProbeCallbacks limiter = { .on_buffer = limit }, counter = { .on_batch_meta = count };
  gboolean ok
      = spawned && vf_pipeline_add(p, "filesrc", "src", &err, "location", argv[1], NULL)
        && vf_pipeline_add(p, "decodebin", "decode", &err, NULL)
        && vf_pipeline_add(p, "vfmux", "mux", &err, "batch-size", "1", "format", "RGB", NULL)
        && vf_pipeline_add(p, "vfinfer", "infer", &err, "config-file-path", config, NULL)
        /* the consumer is starting: wait for it (at most 30 s) rather than send to nobody */
        && vf_pipeline_add(p, "vfipcsink", "send", &err, "socket-path", name, "wait-timeout",
                           "30000", NULL)
        && vf_pipeline_link(p, &err, "src", "decode", NULL)
        && vf_pipeline_link_pads(p, "decode", NULL, "mux", "sink_%u", &err)
        && vf_pipeline_link(p, &err, "mux", "infer", "send", NULL)
        && vf_pipeline_attach_probe(p, "mux", NULL, vf_probe_new("limit", &limiter, &s), &err)
        && vf_pipeline_attach_probe(p, "infer", NULL, vf_probe_new("count", &counter, &s), &err)
        && vf_pipeline_run(p, &err);
  if (!ok)
    g_printerr("producer: %s\n", err->message);
  else
    g_print("producer: %" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT " detections sent\n",
            s.max_frames ? MIN(s.frames, s.max_frames) : s.frames, s.objects);
  g_clear_error(&err);
  vf_pipeline_free(p);
  int status = 0;
  if (spawned) {
    if (!ok)
      kill(child, SIGTERM); /* it may still wait for us */
    waitpid(child, &status, 0);
    g_spawn_close_pid(child);
  }
  gboolean child_ok = spawned && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (ok && !child_ok)
    g_printerr("the consumer process failed (status %d)\n", status);
  g_free(self);
  g_free(name);
  g_free(config);
  g_free(output);
  g_free(log);
  return ok && child_ok ? 0 : 1;
}
