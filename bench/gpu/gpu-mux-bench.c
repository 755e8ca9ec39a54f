/* gpu-mux-bench: N NVDEC decoders (nvh264dec, memory:CUDAMemory) into vfmux batch-size=N
 * (zero-copy batching) against the same N decoders into N fakesinks, in one process, order
 * alternated per round (issue 8 item 6). Needs a GPU with NVDEC and GStreamer's nvcodec plugin:
 * run it on the GPU machine through bench/gpu/run-mux-bench.sh.
 *
 *   gpu-mux-bench [--infer CONFIG | --infer-download CONFIG] CLIP.mp4 ROUNDS N...
 *
 * With --infer (the density bench, issue 14 item 5) the batched side becomes the detection
 * pipeline: each decoder's memory:CUDAMemory frames into vfmux batch-size=N ! vfinfer
 * config-file-path=CONFIG execution-provider=cuda batch-size=min(N, 64) ! fakesink (frames stay
 * on the GPU: vfinfer's GPU input path), against the decoders alone (the decode-only ceiling), and
 * it prints aggregate and per-stream fps (as fast as possible; real-time pacing is not done).
 * VF_DENSITY_INFER_PROPS (environment) adds vfinfer properties, e.g. "overlap=off" (the
 * overlap on/off comparison runs the bench once per setting, alternated: run-gpu-tests.sh).
 * --infer-download is the host path for comparison: each decoder ! cudadownload ! NV12 into the
 * same vfmux ! vfinfer (CPU preprocessing, the input copied up by ORT).
 *
 * Per N and round it times PLAYING → EOS of each variant, counts the frames that reach the sinks
 * (in vfmux's batches: VfBatchMeta frames, each checked to be CUDA memory referenced, not
 * copied), and fails when a variant does not reach EOS within the deadline or loses frames. It
 * prints one BENCH line per figure: decoders-alone fps, through-vfmux fps (medians) and the median
 * of the per-round ratios vfmux/decoders with its range. Threads: GStreamer's own (one streaming
 * thread per source, one for vfmux's output), the same on both sides apart from vfmux itself. */
#include "../bench-stats.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gst/gst.h>
#include <vidflow/vidflow.h>

#define EOS_DEADLINE_S 300 /* one variant must reach EOS within this many seconds */
#define MAX_ROUNDS 9
#define MAX_INFER_BATCH 64 /* vfinfer's batch-size range */

static const char *infer_config; /* --infer CONFIG: the density bench */
static gboolean infer_download;  /* --infer-download: frames through cudadownload */

typedef struct {
  gint64 frames;        /* frames that reached a sink */
  gint64 batches;       /* batches (vfmux) or buffers (decoders alone) */
  gint64 cpu_frames;    /* batched frames whose pixels are not CUDA memory (must stay 0) */
  gint64 copied_frames; /* batched frames without a buffer of their own (copied into the batch) */
  gint64 objects;       /* objects on the batched frames (--infer: what vfinfer found) */
} Counts;

static GstPadProbeReturn count_plain(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  (void)info;
  Counts *c = data;
  /* one fakesink thread per source: count atomically */
  __atomic_add_fetch(&c->batches, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&c->frames, 1, __ATOMIC_RELAXED);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn count_batch(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  Counts *c = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
  VfBatchMeta *bm = vf_batch_meta_get(buf);
  if (!bm)
    return GST_PAD_PROBE_OK;
  guint n = vf_batch_meta_get_n_frames(bm);
  for (guint i = 0; i < n; i++) {
    /* read-only access: the probe's buffer is not ours to make writable */
    VfFrameMeta *f = vf_batch_meta_get_frame(bm, i);
    if (!f)
      continue;
    if (!vf_frame_meta_get_buffer(f))
      c->copied_frames++;
    c->objects += vf_frame_meta_get_n_objects(f);
    if (vf_frame_get_device(buf, f) != VF_DEVICE_CUDA)
      c->cpu_frames++;
  }
  c->frames += n;
  c->batches++;
  return GST_PAD_PROBE_OK;
}

static char *describe(const char *clip, guint n, gboolean mux)
{
  GString *s = g_string_new(NULL);
  if (mux && infer_config)
    g_string_append_printf(s,
                           "vfmux name=mux batch-size=%u ! vfinfer config-file-path=\"%s\" "
                           "execution-provider=cuda batch-size=%u %s ! fakesink name=out "
                           "sync=false ",
                           n, infer_config, MIN(n, MAX_INFER_BATCH),
                           g_getenv("VF_DENSITY_INFER_PROPS") ? g_getenv("VF_DENSITY_INFER_PROPS")
                                                              : "");
  else if (mux)
    g_string_append_printf(s, "vfmux name=mux batch-size=%u ! fakesink name=out sync=false ", n);
  for (guint i = 0; i < n; i++) {
    g_string_append_printf(
        s,
        "filesrc location=\"%s\" ! qtdemux ! h264parse ! nvh264dec ! "
        "video/x-raw(memory:CUDAMemory) ! %s",
        clip, mux && infer_download ? "cudadownload ! video/x-raw,format=NV12 ! " : "");
    if (mux)
      g_string_append_printf(s, "mux.sink_%u ", i);
    else
      g_string_append_printf(s, "fakesink name=out%u sync=false ", i);
  }
  return g_string_free(s, FALSE);
}

/* Runs one variant; returns seconds from PLAYING to EOS, or a negative value on failure. */
static double run_once(const char *clip, guint n, gboolean mux, Counts *c)
{
  char *desc = describe(clip, n, mux);
  GError *err = NULL;
  GstElement *pipe = gst_parse_launch(desc, &err);
  g_free(desc);
  if (!pipe || err) {
    fprintf(stderr, "gpu-mux-bench: cannot build the %s pipeline for %u sources: %s\n",
            mux ? (infer_config ? "detect" : "vfmux") : "decoders", n,
            err ? err->message : "unknown error");
    g_clear_error(&err);
    if (pipe)
      gst_object_unref(pipe);
    return -1;
  }
  memset(c, 0, sizeof *c);
  for (guint i = 0; i < (mux ? 1 : n); i++) {
    char name[32];
    if (mux)
      g_strlcpy(name, "out", sizeof name);
    else
      g_snprintf(name, sizeof name, "out%u", i);
    GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), name);
    GstPad *pad = gst_element_get_static_pad(sink, "sink");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, mux ? count_batch : count_plain, c, NULL);
    gst_object_unref(pad);
    gst_object_unref(sink);
  }
  /* PAUSED first so that start-up (CUDA contexts, parsing the headers) is not timed */
  gst_element_set_state(pipe, GST_STATE_PAUSED);
  GstStateChangeReturn r = gst_element_get_state(pipe, NULL, NULL, 60 * GST_SECOND);
  double secs = -1;
  if (r == GST_STATE_CHANGE_FAILURE) {
    GstBus *bus = gst_element_get_bus(pipe);
    GstMessage *m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    GError *e = NULL;
    char *dbg = NULL;
    if (m)
      gst_message_parse_error(m, &e, &dbg);
    fprintf(stderr, "gpu-mux-bench: %u sources (%s) failed to pause: %s: %s (%s)\n", n,
            mux ? (infer_config ? "detect" : "vfmux") : "decoders",
            m ? GST_OBJECT_NAME(GST_MESSAGE_SRC(m)) : "?", e ? e->message : "no error message",
            dbg ? dbg : "");
    g_clear_error(&e);
    g_free(dbg);
    if (m)
      gst_message_unref(m);
    gst_object_unref(bus);
  } else {
    gint64 t0 = g_get_monotonic_time();
    gst_element_set_state(pipe, GST_STATE_PLAYING);
    GstBus *bus = gst_element_get_bus(pipe);
    GstMessage *m = gst_bus_timed_pop_filtered(bus, EOS_DEADLINE_S * GST_SECOND,
                                               GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    gint64 t1 = g_get_monotonic_time();
    if (!m) {
      fprintf(stderr, "gpu-mux-bench: %u sources (%s) did not reach EOS within %d s\n", n,
              mux ? (infer_config ? "detect" : "vfmux") : "decoders", EOS_DEADLINE_S);
    } else if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
      GError *e = NULL;
      gst_message_parse_error(m, &e, NULL);
      fprintf(stderr, "gpu-mux-bench: %u sources (%s): error from %s: %s\n", n,
              mux ? (infer_config ? "detect" : "vfmux") : "decoders",
              GST_OBJECT_NAME(GST_MESSAGE_SRC(m)), e->message);
      g_error_free(e);
    } else {
      secs = (t1 - t0) / 1e6;
    }
    if (m)
      gst_message_unref(m);
    gst_object_unref(bus);
  }
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(pipe);
  return secs;
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  if (argc > 2 && (strcmp(argv[1], "--infer") == 0 || strcmp(argv[1], "--infer-download") == 0)) {
    infer_config = argv[2];
    infer_download = strcmp(argv[1], "--infer-download") == 0;
    argv += 2, argc -= 2;
  }
  if (argc < 4) {
    fprintf(stderr, "usage: gpu-mux-bench [--infer CONFIG | --infer-download CONFIG] CLIP.mp4 "
                    "ROUNDS N...   (e.g. clip.mp4 3 "
                    "16 32 64 128)\n");
    return 2;
  }
  GError *err = NULL;
  if (!vf_init(&err)) {
    fprintf(stderr, "gpu-mux-bench: %s\n", err->message);
    return 1;
  }
  const char *clip = argv[1];
  guint rounds = (guint)atoi(argv[2]);
  if (rounds < 1 || rounds > MAX_ROUNDS) {
    fprintf(stderr, "gpu-mux-bench: ROUNDS must be 1..%d, not '%s'\n", MAX_ROUNDS, argv[2]);
    return 2;
  }
  if (!g_file_test(clip, G_FILE_TEST_IS_REGULAR)) {
    fprintf(stderr, "gpu-mux-bench: no clip '%s' (bench/gpu/run-mux-bench.sh makes it)\n", clip);
    return 2;
  }
  int failed = 0;
  for (int a = 3; a < argc; a++) {
    guint n = (guint)atoi(argv[a]);
    if (n < 1) {
      fprintf(stderr, "gpu-mux-bench: source count must be >= 1, not '%s'\n", argv[a]);
      return 2;
    }
    double fps_dec[MAX_ROUNDS], fps_mux[MAX_ROUNDS], ratio[MAX_ROUNDS];
    gint64 expect = -1;
    for (guint r = 0; r < rounds; r++) {
      double secs[2] = { -1, -1 };
      Counts c[2];
      for (int k = 0; k < 2; k++) {
        gboolean mux = (k + r) % 2 == 1; /* round 0: decoders first, round 1: vfmux first, ... */
        secs[mux] = run_once(clip, n, mux, &c[mux]);
      }
      if (secs[0] < 0 || secs[1] < 0) {
        failed = 1;
        goto next_n;
      }
      if (expect < 0)
        expect = c[0].frames;
      if (c[0].frames != expect || c[1].frames != expect || expect % n != 0) {
        fprintf(stderr,
                "gpu-mux-bench: %u sources round %u: frames decoders %" G_GINT64_FORMAT
                ", vfmux %" G_GINT64_FORMAT ", first round %" G_GINT64_FORMAT " (lost frames)\n",
                n, r, c[0].frames, c[1].frames, expect);
        failed = 1;
      }
      if (!infer_download && (c[1].cpu_frames || c[1].copied_frames)) {
        fprintf(stderr,
                "gpu-mux-bench: %u sources: %" G_GINT64_FORMAT " batched frames not in CUDA "
                "memory, %" G_GINT64_FORMAT " copied into the batch (must be 0: zero-copy)\n",
                n, c[1].cpu_frames, c[1].copied_frames);
        failed = 1;
      }
      if (infer_config && c[1].objects == 0) {
        fprintf(stderr,
                "gpu-mux-bench: %u sources: vfinfer found no object in %" G_GINT64_FORMAT
                " frames (is it running?)\n",
                n, c[1].frames);
        failed = 1;
      }
      if (infer_config)
        printf("# N=%u round %u: %" G_GINT64_FORMAT " objects detected\n", n, r, c[1].objects);
      fps_dec[r] = c[0].frames / secs[0];
      fps_mux[r] = c[1].frames / secs[1];
      ratio[r] = fps_mux[r] / fps_dec[r];
      printf("# N=%u round %u: decoders %.0f fps (%" G_GINT64_FORMAT " frames, %.2f s), vfmux "
             "%.0f fps (%" G_GINT64_FORMAT " frames in %" G_GINT64_FORMAT " batches, %.2f s), "
             "ratio %.3f\n",
             n, r, fps_dec[r], c[0].frames, secs[0], fps_mux[r], c[1].frames, c[1].batches, secs[1],
             ratio[r]);
      fflush(stdout);
    }
    if (infer_config) {
      double lo = ratio[0], hi = ratio[0];
      for (guint r = 1; r < rounds; r++) {
        lo = MIN(lo, ratio[r]);
        hi = MAX(hi, ratio[r]);
      }
      double agg = vf_bench_median(fps_mux, rounds);
      printf("BENCH gpu-density-%u-decode-only-fps %.0f fps\n", n,
             vf_bench_median(fps_dec, rounds));
      printf("BENCH gpu-density-%u-detect-fps %.0f fps\n", n, agg);
      printf("BENCH gpu-density-%u-detect-per-stream-fps %.1f fps\n", n, agg / n);
      printf("# N=%u: detect/decode-only per-round ratio range %.3f-%.3f over %u rounds\n", n, lo,
             hi, rounds);
      printf("BENCH gpu-density-%u-detect-vs-decode-only %.3f x\n", n,
             vf_bench_median(ratio, rounds));
      fflush(stdout);
    } else {
      double lo = ratio[0], hi = ratio[0];
      for (guint r = 1; r < rounds; r++) {
        lo = MIN(lo, ratio[r]);
        hi = MAX(hi, ratio[r]);
      }
      printf("BENCH gpu-nvdec-%u-decoders-fps %.0f fps\n", n, vf_bench_median(fps_dec, rounds));
      printf("BENCH gpu-nvdec-%u-vfmux-fps %.0f fps\n", n, vf_bench_median(fps_mux, rounds));
      printf(
          "# N=%u: vfmux/decoders per-round ratio range %.3f-%.3f over %u rounds, %" G_GINT64_FORMAT
          " frames a round\n",
          n, lo, hi, rounds, expect);
      printf("BENCH gpu-nvdec-%u-vfmux-vs-decoders %.3f x\n", n, vf_bench_median(ratio, rounds));
      fflush(stdout);
    }
  next_n:;
  }
  return failed;
}
