/* bench-pipeline: end-to-end frames per second of the inference pipeline against decoding the
 * same file alone, side by side in one run.
 *
 *   bench-pipeline [-r ROUNDS] [-i VIDEO] [-c CONFIG]
 *
 * Pipelines, each on the whole file (data/footage/vtest.avi by default), fakesink sync=false:
 *   decode:          filesrc ! decodebin
 *   decode+encode:   ... ! videoconvert ! x264enc (the encode path without inference)
 *   infer:           ... ! vfmux ! vfinfer (SSD-MobileNetV2, configs/)
 *   infer+osd+enc:   ... ! vfmux ! vfinfer ! vfosd ! vfdemux ! queue ! videoconvert ! x264enc
 *   decode x4:       4 x (filesrc ! decodebin ! fakesink), the frames of all four counted
 *   infer x4:        4 x (filesrc ! decodebin ! queue) ! vfmux batch-size=4 ! vfinfer (batch 4)
 * (the x4 ratios are to "decode x4"). Bare ONNX Runtime at the same batch size and threads is
 * bench-infer's figure (infer-bare-b1/b4): the goal is end-to-end >= 0.85 x
 * min(decode fps, bare ORT fps).
 * Each round runs every pipeline once, back to back, so the drifts of a shared machine hit all;
 * a pipeline's fps is frames / time between its first and last buffer at the sink (model loading
 * and preroll excluded), the figure the median over the rounds, each ratio the median of the
 * rounds' ratios to decode. Prints a table and BENCH lines. Exit 77 without data/. */
#include "../bench-stats.h"
#include <gst/gst.h>
#include <stdio.h>
#include <vidflow/meta.h>
#include <stdlib.h>

#ifndef VFT_SOURCE_ROOT
#define VFT_SOURCE_ROOT "."
#endif

typedef struct {
  guint64 frames; /* atomic: several sinks count into it */
  gint64 first_us, last_us;
  GMutex lock;
} Count;

/* Frames in a buffer: a batch's frame count, else 1. */
static guint frames_in(GstBuffer *b)
{
  VfBatchMeta *meta = vf_batch_meta_get(b);
  return meta ? MAX(vf_batch_meta_get_n_frames(meta), 1) : 1;
}

static GstPadProbeReturn count_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  Count *c = data;
  gint64 now = g_get_monotonic_time();
  g_mutex_lock(&c->lock);
  if (c->frames == 0)
    c->first_us = now;
  c->frames += frames_in(GST_PAD_PROBE_INFO_BUFFER(info));
  c->last_us = now;
  g_mutex_unlock(&c->lock);
  return GST_PAD_PROBE_OK;
}

/* Run `desc` (its sinks called "sink", or sink0..sinkN) to the end; frames per second at the
 * sinks together, -1 on error. */
static gdouble run(const char *desc, guint64 *frames)
{
  GError *err = NULL;
  GstElement *pipe = gst_parse_launch(desc, &err);
  if (pipe == NULL) {
    fprintf(stderr, "bench-pipeline: %s: %s\n", desc, err->message);
    g_error_free(err);
    return -1;
  }
  Count c = { 0 };
  g_mutex_init(&c.lock);
  for (gint i = -1; i < 64; i++) {
    char name[16];
    g_snprintf(name, sizeof name, i < 0 ? "sink" : "sink%d", i);
    GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), name);
    if (sink == NULL)
      continue;
    GstPad *pad = gst_element_get_static_pad(sink, "sink");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, &c, NULL);
    gst_object_unref(pad);
    gst_object_unref(sink);
  }
  gst_element_set_state(pipe, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus(pipe);
  GstMessage *msg
      = gst_bus_timed_pop_filtered(bus, GST_CLOCK_TIME_NONE, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gdouble fps = -1;
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
    GError *e = NULL;
    gst_message_parse_error(msg, &e, NULL);
    fprintf(stderr, "bench-pipeline: %s\n", e->message);
    g_error_free(e);
  } else if (c.frames > 1 && c.last_us > c.first_us) {
    fps = (c.frames - 1) / ((c.last_us - c.first_us) / 1e6);
  }
  gst_message_unref(msg);
  gst_object_unref(bus);
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(pipe);
  *frames = c.frames;
  g_mutex_clear(&c.lock);
  return fps;
}

int main(int argc, char **argv)
{
  gint rounds = 3, threads = 2;
  char *only = NULL;
  char *input = NULL, *config = NULL;
  GOptionEntry entries[] = {
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "Rounds (default 3)", "N" },
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &input, "Video (data/footage/vtest.avi)", "FILE" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "vfinfer config (the SSD)", "YAML" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads,
      "vfinfer's ONNX Runtime intra-op threads (2, as bench-infer)", "N" },
    { "only", 'p', 0, G_OPTION_ARG_STRING, &only, "Run only these pipelines (ids, comma-separated)",
      "IDS" },
    { NULL },
  };
  GOptionContext *ctx = g_option_context_new("- end-to-end fps vs decode-only fps");
  g_option_context_add_main_entries(ctx, entries, NULL);
  g_option_context_add_group(ctx, gst_init_get_option_group());
  GError *err = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || rounds < 1 || threads < 1) {
    fprintf(stderr, "bench-pipeline: %s\n", err ? err->message : "bad arguments");
    return 2;
  }
  g_option_context_free(ctx);
  const char *data = g_getenv("VIDFLOW_DATA") ? g_getenv("VIDFLOW_DATA") : VFT_SOURCE_ROOT "/data";
  if (input == NULL)
    input = g_build_filename(data, "footage", "vtest.avi", NULL);
  char *model = g_build_filename(data, "models", "ssd_mobilenet_v2_oid.onnx", NULL);
  if (!g_file_test(input, G_FILE_TEST_EXISTS)
      || (config == NULL && !g_file_test(model, G_FILE_TEST_EXISTS))) {
    printf("bench-pipeline: %s or the model missing: run tools/fetch-assets.sh\n", input);
    return 77;
  }
  if (config == NULL)
    config = g_build_filename(VFT_SOURCE_ROOT, "configs", "ssd_mobilenet_v2_oid.yaml", NULL);

#define N_PIPES 6
  const char *names[] = { "decode",           "decode+encode", "infer",
                          "infer+osd+encode", "decode x4",     "infer x4 (batch 4)" };
  const char *ids[]
      = { "decode", "decode_encode", "infer", "infer_osd_encode", "decode_x4", "infer_x4_b4" };
  const guint base[] = { 0, 0, 0, 0, 4, 4 }; /* the ratio's baseline */
  const char *enc = "videoconvert ! video/x-raw,format=I420 ! x264enc speed-preset=veryfast "
                    "bframes=0 bitrate=3000 ! fakesink name=sink sync=false";
  char *descs[N_PIPES];
  descs[0] = g_strdup_printf("filesrc location=\"%s\" ! decodebin ! fakesink name=sink sync=false",
                             input);
  descs[1] = g_strdup_printf("filesrc location=\"%s\" ! decodebin ! %s", input, enc);
  descs[2] = g_strdup_printf("filesrc location=\"%s\" ! decodebin ! vfmux batch-size=1 ! vfinfer "
                             "config-file-path=\"%s\" threads=%d ! fakesink name=sink sync=false",
                             input, config, threads);
  descs[3]
      = g_strdup_printf("filesrc location=\"%s\" ! decodebin ! vfmux batch-size=1 ! vfinfer "
                        "config-file-path=\"%s\" ! vfosd ! vfdemux name=d d.src_0 ! queue ! %s",
                        input, config, enc);
  GString *d4 = g_string_new(NULL), *i4 = g_string_new(NULL);
  g_string_append_printf(i4,
                         "vfmux name=mux batch-size=4 ! vfinfer config-file-path=\"%s\" "
                         "batch-size=4 threads=%d ! fakesink name=sink sync=false",
                         config, threads);
  for (guint i = 0; i < 4; i++) {
    g_string_append_printf(d4,
                           " filesrc location=\"%s\" ! decodebin ! fakesink name=sink%u "
                           "sync=false",
                           input, i);
    g_string_append_printf(i4, " filesrc location=\"%s\" ! decodebin ! queue ! mux.sink_%u", input,
                           i);
  }
  descs[4] = g_string_free(d4, FALSE);
  descs[5] = g_string_free(i4, FALSE);
  gboolean want[N_PIPES];
  char **wanted = only ? g_strsplit(only, ",", -1) : NULL;
  for (guint k = 0; k < N_PIPES; k++)
    want[k] = wanted == NULL || g_strv_contains((const char *const *)wanted, ids[k]);
  g_strfreev(wanted);
  gdouble fps[N_PIPES][64], ratio[N_PIPES][64];
  rounds = MIN(rounds, 64);
  guint64 frames[N_PIPES] = { 0 };
  printf("bench-pipeline: %s, %u CPUs, %d rounds\n", input, g_get_num_processors(), rounds);
  for (gint r = 0; r < rounds; r++) {
    for (guint j = 0; j < N_PIPES; j++) {
      guint k = r % 2 ? N_PIPES - 1 - j : j; /* alternate the order */
      fps[k][r] = 0;
      if (!want[k])
        continue;
      fps[k][r] = run(descs[k], &frames[k]);
      if (fps[k][r] <= 0)
        return 1;
      printf("  round %d %-18s %6" G_GUINT64_FORMAT " frames %8.1f fps\n", r, names[k], frames[k],
             fps[k][r]);
    }
    for (guint k = 0; k < N_PIPES; k++)
      ratio[k][r] = want[k] && want[base[k]] ? fps[k][r] / fps[base[k]][r] : 0;
  }
  for (guint k = 0; k < N_PIPES; k++)
    if (want[k] && want[base[k]] && frames[k] != frames[base[k]])
      printf("WARNING: %s saw %" G_GUINT64_FORMAT " frames, %s %" G_GUINT64_FORMAT "\n", ids[k],
             frames[k], ids[base[k]], frames[base[k]]);
  printf("\n%-18s %10s %12s\n", "pipeline", "fps", "vs decode");
  gdouble m[N_PIPES], mr[N_PIPES];
  for (guint k = 0; k < N_PIPES; k++) {
    if (!want[k])
      continue;
    m[k] = vf_bench_median(fps[k], rounds);
    mr[k] = vf_bench_median(ratio[k], rounds);
    printf("%-18s %10.1f %11.3fx\n", names[k], m[k], mr[k]);
  }
  printf("\n");
  for (guint k = 0; k < N_PIPES; k++)
    if (want[k])
      printf("BENCH pipeline_%s_fps %.1f fps\n", ids[k], m[k]);
  for (guint k = 0; k < N_PIPES; k++)
    if (k != base[k] && want[k] && want[base[k]])
      printf("BENCH pipeline_%s_vs_%s %.3f x\n", ids[k], ids[base[k]], mr[k]);
  for (guint k = 0; k < N_PIPES; k++)
    g_free(descs[k]);
  g_free(input);
  g_free(config);
  g_free(model);
  g_free(only);
  return 0;
}
