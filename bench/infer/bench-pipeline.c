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
 * Each round runs every pipeline once, back to back, so the drifts of a shared machine hit all;
 * a pipeline's fps is frames / time between its first and last buffer at the sink (model loading
 * and preroll excluded), the figure the median over the rounds, each ratio the median of the
 * rounds' ratios to decode. Prints a table and BENCH lines. Exit 77 without data/. */
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef VFT_SOURCE_ROOT
#define VFT_SOURCE_ROOT "."
#endif

typedef struct {
  guint64 frames;
  gint64 first_us, last_us;
} Count;

static GstPadProbeReturn count_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  (void)info;
  Count *c = data;
  gint64 now = g_get_monotonic_time();
  if (c->frames++ == 0)
    c->first_us = now;
  c->last_us = now;
  return GST_PAD_PROBE_OK;
}

/* Run `desc` (its sink called "sink") to the end; frames per second at the sink, -1 on error. */
static gdouble run(const char *desc, guint64 *frames)
{
  GError *err = NULL;
  GstElement *pipe = gst_parse_launch(desc, &err);
  if (pipe == NULL) {
    fprintf(stderr, "bench-pipeline: %s: %s\n", desc, err->message);
    g_error_free(err);
    return -1;
  }
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
  GstPad *pad = gst_element_get_static_pad(sink, "sink");
  Count c = { 0 };
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, &c, NULL);
  gst_object_unref(pad);
  gst_object_unref(sink);
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
  return fps;
}

static int cmp_double(const void *a, const void *b)
{
  gdouble x = *(const gdouble *)a, y = *(const gdouble *)b;
  return x < y ? -1 : x > y;
}

static gdouble median(gdouble *v, guint n)
{
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
  gint rounds = 3;
  char *input = NULL, *config = NULL;
  GOptionEntry entries[] = {
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "Rounds (default 3)", "N" },
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &input, "Video (data/footage/vtest.avi)", "FILE" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "vfinfer config (the SSD)", "YAML" },
    { NULL },
  };
  GOptionContext *ctx = g_option_context_new("- end-to-end fps vs decode-only fps");
  g_option_context_add_main_entries(ctx, entries, NULL);
  g_option_context_add_group(ctx, gst_init_get_option_group());
  GError *err = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || rounds < 1) {
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

  const char *names[] = { "decode", "decode+encode", "infer", "infer+osd+encode" };
  const char *ids[] = { "decode", "decode_encode", "infer", "infer_osd_encode" };
  const char *enc = "videoconvert ! video/x-raw,format=I420 ! x264enc speed-preset=veryfast "
                    "bframes=0 bitrate=3000 ! fakesink name=sink sync=false";
  char *descs[4];
  descs[0] = g_strdup_printf("filesrc location=\"%s\" ! decodebin ! fakesink name=sink sync=false",
                             input);
  descs[1] = g_strdup_printf("filesrc location=\"%s\" ! decodebin ! %s", input, enc);
  descs[2] = g_strdup_printf("filesrc location=\"%s\" ! decodebin ! vfmux batch-size=1 ! vfinfer "
                             "config-file-path=\"%s\" ! fakesink name=sink sync=false",
                             input, config);
  descs[3]
      = g_strdup_printf("filesrc location=\"%s\" ! decodebin ! vfmux batch-size=1 ! vfinfer "
                        "config-file-path=\"%s\" ! vfosd ! vfdemux name=d d.src_0 ! queue ! %s",
                        input, config, enc);
  gdouble fps[4][64], ratio[4][64];
  rounds = MIN(rounds, 64);
  guint64 frames[4] = { 0 };
  printf("bench-pipeline: %s, %u CPUs, %d rounds\n", input, g_get_num_processors(), rounds);
  for (gint r = 0; r < rounds; r++) {
    for (guint k = 0; k < 4; k++) {
      fps[k][r] = run(descs[k], &frames[k]);
      if (fps[k][r] <= 0)
        return 1;
      ratio[k][r] = fps[k][r] / fps[0][r];
      printf("  round %d %-18s %6" G_GUINT64_FORMAT " frames %8.1f fps\n", r, names[k], frames[k],
             fps[k][r]);
    }
  }
  if (frames[2] != frames[0] || frames[3] != frames[0])
    printf("WARNING: pipelines saw different frame counts\n");
  printf("\n%-18s %10s %12s\n", "pipeline", "fps", "vs decode");
  gdouble m[4], mr[4];
  for (guint k = 0; k < 4; k++) {
    m[k] = median(fps[k], rounds);
    mr[k] = median(ratio[k], rounds);
    printf("%-18s %10.1f %11.3fx\n", names[k], m[k], mr[k]);
  }
  printf("\n");
  for (guint k = 0; k < 4; k++)
    printf("BENCH pipeline_%s_fps %.1f fps\n", ids[k], m[k]);
  for (guint k = 1; k < 4; k++)
    printf("BENCH pipeline_%s_vs_decode %.3f x\n", ids[k], mr[k]);
  for (guint k = 0; k < 4; k++)
    g_free(descs[k]);
  g_free(input);
  g_free(config);
  g_free(model);
  return 0;
}
