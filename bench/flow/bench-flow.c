/* bench-flow: a pipeline built with the Flow API vs the same pipeline built element by element
 * with the Pipeline API, measured side by side (alternating runs, medians).
 *
 * Cases (decode-bound, as fast as possible; the sources loop, each run measures 2400 frames per
 * source at the sink, from the first to the last):
 *   single : capture(video) -> render(DISCARD)            vs vfurisrcbin ! fakesink
 *   batch4 : capture(video x4) -> batch -> render(DISCARD) vs 4 x vfurisrcbin ! vfmux ! fakesink
 * The video is data/footage/vtest.avi (tools/fetch-assets.sh), or a generated 640x480 H.264 clip.
 * The Flow adds no element of its own on these paths, so the fps must match within noise.
 *
 *   bench-flow [RUNS]   (default 7 runs per side and case)
 * Prints a table and BENCH lines: BENCH flow_<case>_fps, pipeline_<case>_fps (fps) and
 * flow_vs_pipeline_<case> (x, the ratio of the medians). */
#include "../bench-stats.h"
#include <stdio.h>
#include <stdlib.h>
#include <glib/gstdio.h>
#include <vidflow/vidflow.h>

typedef struct {
  const char *name;
  guint sources;
  gboolean batch;
} Case;

static gint64 frames_seen, target;
static gint64 first_us, last_us; /* when the first and the target-th frame reached the sink */
static VfPipeline *running;

static GstPadProbeReturn count(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  (void)data;
  GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER(info);
  VfBatchMeta *meta = vf_batch_meta_get(b);
  gint64 now = g_get_monotonic_time();
  if (frames_seen == 0)
    first_us = now;
  if (frames_seen < target) {
    frames_seen += meta ? (gint64)vf_batch_meta_get_n_frames(meta) : 1; /* one streaming thread */
    last_us = now;
    if (frames_seen >= target)
      vf_pipeline_send_eos(running); /* the sources loop: end after `target` frames */
  }
  return GST_PAD_PROBE_OK;
}

/* Counts frames reaching the sink (both variants, the same way). */
static void count_at(VfPipeline *p, const char *sink)
{
  GstPad *pad = gst_element_get_static_pad(vf_pipeline_get_element(p, sink), "sink");
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, count, NULL, NULL);
  gst_object_unref(pad);
}

static double run_pipeline(VfPipeline *p)
{
  GError *err = NULL;
  frames_seen = 0;
  running = p;
  if (!vf_pipeline_run(p, &err)) {
    fprintf(stderr, "bench-flow: %s\n", err->message);
    exit(1);
  }
  /* steady state: from the first frame to the last (start-up and teardown left out) */
  double secs = (last_us - first_us) / 1e6;
  return secs > 0 ? (double)(frames_seen - 1) / secs : 0;
}

static double flow_once(const Case *c, const char *uri)
{
  const char *uris[5] = { uri, uri, uri, uri, NULL };
  uris[c->sources] = NULL;
  GError *err = NULL;
  VfFlow *f = vf_flow_new(vf_pipeline_new("flow"));
  VfFlow *t = vf_flow_capture(f, uris, &err, "file_loop", "true", NULL);
  if (c->batch)
    t = vf_flow_batch(t, 0, 768, 576, &err, NULL);
  if (vf_flow_render(t, VF_RENDER_DISCARD, &err, NULL) == NULL || !vf_flow_check(f, &err)) {
    fprintf(stderr, "bench-flow: %s\n", err->message);
    exit(1);
  }
  VfPipeline *p = vf_flow_get_pipeline(f);
  double fps = 0;
  if (c->batch) {
    count_at(p, "render2-sink0");
    fps = run_pipeline(p);
  } else {
    count_at(p, "render1-sink0");
    fps = run_pipeline(p);
  }
  vf_flow_free(f);
  return fps;
}

static double pipeline_once(const Case *c, const char *uri)
{
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new("pipeline");
  gboolean ok = vf_pipeline_add(p, "fakesink", "sink", &err, "sync", "false", NULL);
  char n[8];
  g_snprintf(n, sizeof n, "%u", c->sources);
  if (ok && c->batch)
    ok = vf_pipeline_add(p, "vfmux", "mux", &err, "batch-size", n, "width", "768", "height", "576",
                         NULL)
         && vf_pipeline_link(p, &err, "mux", "sink", NULL);
  for (guint i = 0; ok && i < c->sources; i++) {
    char name[16];
    g_snprintf(name, sizeof name, "src%u", i);
    ok = vf_pipeline_add(p, "vfurisrcbin", name, &err, "uri", uri, "file-loop", "true", NULL)
         && (c->batch ? vf_pipeline_link_pads(p, name, NULL, "mux", "sink_%u", &err)
                      : vf_pipeline_link(p, &err, name, "sink", NULL));
  }
  if (!ok) {
    fprintf(stderr, "bench-flow: %s\n", err->message);
    exit(1);
  }
  count_at(p, "sink");
  double fps = run_pipeline(p);
  vf_pipeline_free(p);
  return fps;
}

int main(int argc, char **argv)
{
  guint runs = argc > 1 ? (guint)atoi(argv[1]) : 7;
  runs = CLAMP(runs, 1, 50);
  GError *err = NULL;
  if (!vf_init(&err)) {
    fprintf(stderr, "bench-flow: %s\n", err->message);
    return 1;
  }
  const char *data = g_getenv("VIDFLOW_DATA_DIR");
  char *video = g_build_filename(data ? data : "data", "footage", "vtest.avi", NULL);
  char *made = NULL;
  if (!g_file_test(video, G_FILE_TEST_EXISTS)) {
    made = g_build_filename(g_get_tmp_dir(), "vf-bench-flow.mp4", NULL);
    char *d = g_strdup_printf(
        "videotestsrc num-buffers=600 ! video/x-raw,format=I420,width=640,height=480,"
        "framerate=30/1 ! x264enc speed-preset=ultrafast ! h264parse ! mp4mux ! filesink "
        "location=%s",
        made);
    GstElement *gen = gst_parse_launch(d, NULL);
    gst_element_set_state(gen, GST_STATE_PLAYING);
    gst_message_unref(gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(gen), GST_CLOCK_TIME_NONE,
                                                 GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    gst_element_set_state(gen, GST_STATE_NULL);
    gst_object_unref(gen);
    g_free(d);
    g_free(video);
    video = g_strdup(made);
  }
  char *uri = gst_filename_to_uri(video, NULL);
  const Case cases[] = { { "single", 1, FALSE }, { "batch4", 4, TRUE } };
  printf("bench-flow: %s, %u runs per side (alternating), median fps\n", video, runs);
  printf("%-8s %12s %12s %8s\n", "case", "Flow API", "Pipeline API", "ratio");
  for (guint c = 0; c < G_N_ELEMENTS(cases); c++) {
    double *flow = g_new(double, runs), *pipe = g_new(double, runs);
    target = cases[c].sources * 2400; /* frames per run: about a second of work */
    flow_once(&cases[c], uri);        /* warm-up: caches, decoder start-up */
    pipeline_once(&cases[c], uri);
    for (guint i = 0; i < runs; i++) {
      /* alternate which goes first, so drift hits both sides alike */
      if (i % 2) {
        pipe[i] = pipeline_once(&cases[c], uri);
        flow[i] = flow_once(&cases[c], uri);
      } else {
        flow[i] = flow_once(&cases[c], uri);
        pipe[i] = pipeline_once(&cases[c], uri);
      }
    }
    double mf = vf_bench_median(flow, runs), mp = vf_bench_median(pipe, runs);
    printf("%-8s %12.1f %12.1f %8.3f\n", cases[c].name, mf, mp, mf / mp);
    printf("BENCH flow_%s_fps %.1f fps\n", cases[c].name, mf);
    printf("BENCH pipeline_%s_fps %.1f fps\n", cases[c].name, mp);
    printf("BENCH flow_vs_pipeline_%s %.3f x\n", cases[c].name, mf / mp);
    g_free(flow);
    g_free(pipe);
  }
  if (made)
    g_unlink(made);
  g_free(made);
  g_free(video);
  g_free(uri);
  return 0;
}
