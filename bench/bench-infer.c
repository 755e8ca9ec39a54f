/* bench-infer: vidflow's inference path against a bare ONNX Runtime loop, side by side.
 *
 *   bench-infer [-t THREADS] [-n FRAMES] [-r ROUNDS] [-c FORMAT]
 *
 * Frames of data/footage/vtest.avi (decoded to I420, what a pipeline gets) go through the SSD
 * detector (configs/ssd_mobilenet_v2_oid.yaml) two ways, in the same process, with the same
 * intra-op thread count:
 *   bare:    a plain C loop over ORT's C API (CreateTensorWithDataAsOrtValue + Run) on inputs
 *            preprocessed beforehand, the outputs left unparsed: the floor;
 *   vidflow: vf_infer_engine_process on the frames: preprocessing, the shared session, the SSD
 *            parser with NMS, boxes mapped back to frame pixels.
 * Each round runs a pass of each, back to back, so drifts of a shared machine hit both; times
 * are medians over the rounds, the ratio the median of the rounds' ratios. The ratio is bare time /
 * vidflow time (1.0: vidflow costs nothing on top). Prints a table and BENCH lines. Exit 77 when
 * data/ is missing (run tools/fetch-assets.sh). */
#include "bench-stats.h"
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "onnxruntime_c_api.h"
#include "util.h"

static const OrtApi *ort;

static void check(OrtStatus *st, const char *what)
{
  if (st) {
    fprintf(stderr, "bench-infer: %s: %s\n", what, ort->GetErrorMessage(st));
    exit(1);
  }
}

typedef struct {
  OrtSession *session;
  OrtMemoryInfo *memory;
} Bare;

static void bare_open(Bare *b, const char *model, int threads)
{
  GError *err = NULL;
  char *lib = vf_ort_find_library(NULL, &err);
  void *h = lib ? dlopen(lib, RTLD_NOW | RTLD_LOCAL) : NULL;
  if (h == NULL) {
    fprintf(stderr, "bench-infer: %s\n", err ? err->message : dlerror());
    exit(1);
  }
  const OrtApiBase *(*base)(void) = (const OrtApiBase *(*)(void))dlsym(h, "OrtGetApiBase");
  ort = base()->GetApi(22);
  OrtEnv *env;
  OrtSessionOptions *so;
  check(ort->CreateEnv(ORT_LOGGING_LEVEL_ERROR, "bench", &env), "CreateEnv");
  check(ort->CreateSessionOptions(&so), "CreateSessionOptions");
  check(ort->SetIntraOpNumThreads(so, threads), "SetIntraOpNumThreads");
  check(ort->CreateSession(env, model, so, &b->session), "CreateSession");
  check(ort->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &b->memory), "MemoryInfo");
  ort->ReleaseSessionOptions(so);
  g_free(lib);
}

/* One Run on `batch` preprocessed samples; outputs released unread. */
static void bare_run(Bare *b, gfloat *input, int64_t batch)
{
  int64_t shape[4] = { batch, 300, 300, 3 };
  size_t bytes = (size_t)batch * 300 * 300 * 3 * sizeof(float);
  const char *in_name = "input", *out_names[2] = { "boxes", "scores" };
  OrtValue *in = NULL, *outs[2] = { NULL, NULL };
  check(ort->CreateTensorWithDataAsOrtValue(b->memory, input, bytes, shape, 4,
                                            ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &in),
        "CreateTensor");
  check(ort->Run(b->session, NULL, &in_name, (const OrtValue *const *)&in, 1, out_names, 2, outs),
        "Run");
  ort->ReleaseValue(outs[0]);
  ort->ReleaseValue(outs[1]);
  ort->ReleaseValue(in);
}

static gdouble now(void)
{
  return g_get_monotonic_time() / 1e6;
}

static VfInferEngine *engine(const char *config, int threads, int batch, VfInferConfig **cfg)
{
  GError *err = NULL;
  char t[16], b[16];
  g_snprintf(t, sizeof t, "%d", threads);
  g_snprintf(b, sizeof b, "%d", batch);
  *cfg = vft_load_sample_config(config, &err);
  VfInferEngine *e = NULL;
  if (*cfg && vf_infer_config_set(*cfg, "threads", t, &err)
      && vf_infer_config_set(*cfg, "batch-size", b, &err) && vf_infer_config_validate(*cfg, &err))
    e = vf_infer_engine_new(*cfg, &err);
  if (e == NULL) {
    fprintf(stderr, "bench-infer: %s\n", err->message);
    exit(1);
  }
  return e;
}

int main(int argc, char **argv)
{
  int threads = 2, n_frames = 32, rounds = 9;
  char *format_name = NULL;
  GOptionEntry entries[] = {
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "intra-op threads (2)", "N" },
    { "frames", 'n', 0, G_OPTION_ARG_INT, &n_frames, "vtest.avi frames, a multiple of 4 (32)",
      "N" },
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "rounds (9)", "N" },
    { "format", 'c', 0, G_OPTION_ARG_STRING, &format_name, "decode to (I420)", "FMT" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  GOptionContext *ctx = g_option_context_new("");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *err = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || n_frames < 4 || n_frames % 4 || rounds < 1
      || threads < 1) {
    fprintf(stderr, "bench-infer: %s\n", err ? err->message : "bad arguments");
    return 2;
  }
  g_option_context_free(ctx);
  vft_require_data("onnxruntime/lib/libonnxruntime.so", "models/ssd_mobilenet_v2_oid.onnx",
                   "footage/vtest.avi", NULL);
  VfColorFormat format
      = format_name ? vf_color_format_from_string(format_name) : VF_COLOR_FORMAT_I420;

  /* frames spread over the video */
  guint *indices = g_new(guint, n_frames);
  for (int i = 0; i < n_frames; i++)
    indices[i] = (guint)(i * 780 / n_frames);
  char *video = vft_data_path("footage/vtest.avi");
  VftFrame **frames = vft_decode_video(video, indices, n_frames, format, &err);
  if (frames == NULL) {
    fprintf(stderr, "bench-infer: %s\n", err->message);
    return 1;
  }

  const char *config = "ssd_mobilenet_v2_oid.yaml";
  VfInferConfig *c1, *c4;
  VfInferEngine *e1 = engine(config, threads, 1, &c1), *e4 = engine(config, threads, 4, &c4);
  /* the bare loop's inputs: preprocessed once, by the same code */
  gsize sample = 300 * 300 * 3;
  gfloat *inputs = g_new(gfloat, sample * n_frames);
  gdouble *pre = g_new(gdouble, rounds);
  for (int r = 0; r < rounds; r++) { /* also timed on its own, in warm buffers */
    gdouble t0 = now();
    for (int i = 0; i < n_frames; i++)
      if (!vf_preprocess(&frames[i]->image, NULL, vf_infer_engine_get_preprocess(e1),
                         inputs + i * sample, NULL, &err)) {
        fprintf(stderr, "bench-infer: %s\n", err->message);
        return 1;
      }
    pre[r] = (now() - t0) * 1e3 / n_frames;
  }
  gdouble pre_ms = vf_bench_median(pre, rounds);
  g_free(pre);
  Bare bare;
  bare_open(&bare, c1->model, threads);

  VfInferFrame *in = g_new(VfInferFrame, n_frames);
  VfInferResult *results = g_new(VfInferResult, n_frames);
  for (int i = 0; i < n_frames; i++) {
    in[i] = (VfInferFrame){ .image = &frames[i]->image };
    vf_infer_result_init(&results[i]);
  }
  /* warm-up: ORT's first runs allocate and pick kernels */
  for (int i = 0; i < 4; i++) {
    bare_run(&bare, inputs, 1);
    bare_run(&bare, inputs, 4);
  }
  vf_infer_engine_process(e1, in, 4, results, NULL);
  vf_infer_engine_process(e4, in, 4, results, NULL);

  gdouble *bare1 = g_new(gdouble, rounds), *vf1 = g_new(gdouble, rounds);
  gdouble *bare4 = g_new(gdouble, rounds), *vf4 = g_new(gdouble, rounds);
  gdouble *inf1 = g_new(gdouble, rounds), *inf4 = g_new(gdouble, rounds);
  guint detections = 0;
  for (int r = 0; r < rounds; r++) {
    /* whole passes alternate: alternating frame by frame would make each session's spinning
     * worker threads (ORT's default) compete with the other session's runs */
    gdouble t = now();
    for (int i = 0; i < n_frames; i++)
      bare_run(&bare, inputs + i * sample, 1);
    bare1[r] = (now() - t) * 1e3 / n_frames;

    t = now();
    inf1[r] = 0;
    for (int i = 0; i < n_frames; i++) {
      if (!vf_infer_engine_process(e1, &in[i], 1, &results[i], &err)) {
        fprintf(stderr, "bench-infer: %s\n", err->message);
        return 1;
      }
      VfInferTimings tm;
      vf_infer_engine_get_timings(e1, &tm);
      inf1[r] += tm.inference * 1e3 / n_frames;
    }
    vf1[r] = (now() - t) * 1e3 / n_frames;

    t = now();
    for (int i = 0; i < n_frames; i += 4)
      bare_run(&bare, inputs + i * sample, 4);
    bare4[r] = (now() - t) * 1e3 / n_frames;

    t = now();
    if (!vf_infer_engine_process(e4, in, n_frames, results, &err)) {
      fprintf(stderr, "bench-infer: %s\n", err->message);
      return 1;
    }
    vf4[r] = (now() - t) * 1e3 / n_frames;
    VfInferTimings tm;
    vf_infer_engine_get_timings(e4, &tm);
    inf4[r] = tm.inference * 1e3 / n_frames;
    if (r == 0)
      for (int i = 0; i < n_frames; i++)
        detections += results[i].detections->len;
  }
  /* the ratio of each round (its two passes ran back to back), then their median: a burst of
   * load from a neighbour spoils a round, not the figure */
  gdouble *q1 = g_new(gdouble, rounds), *q4 = g_new(gdouble, rounds);
  for (int r = 0; r < rounds; r++) {
    q1[r] = bare1[r] / vf1[r];
    q4[r] = bare4[r] / vf4[r];
  }
  gdouble r1 = vf_bench_median(q1, rounds), r4 = vf_bench_median(q4, rounds);
  gdouble b1 = vf_bench_median(bare1, rounds), v1 = vf_bench_median(vf1, rounds);
  gdouble b4 = vf_bench_median(bare4, rounds), v4 = vf_bench_median(vf4, rounds);
  gdouble i1 = vf_bench_median(inf1, rounds), i4 = vf_bench_median(inf4, rounds);

  printf("bench-infer: SSD-MobileNetV2 300x300 on %d vtest.avi frames (%s 768x576), %d threads, "
         "ONNX Runtime %s, median of %d rounds, %u detections per pass\n",
         n_frames, vf_color_format_to_string(format), threads, vf_ort_version(), rounds,
         detections);
  printf("  %-40s %10s %10s\n", "ms per frame", "batch 1", "batch 4");
  printf("  %-40s %10.2f %10.2f\n", "bare ORT loop (preprocessed inputs)", b1, b4);
  printf("  %-40s %10.2f %10.2f\n", "vidflow engine (preprocess+run+parse)", v1, v4);
  printf("  %-40s %10.2f %10.2f\n", "  of which ORT Run", i1, i4);
  printf("  %-40s %10.2f\n", "  preprocess (768x576 -> 300x300)", pre_ms);
  printf("  %-40s %9.3fx %9.3fx\n", "ratio bare / vidflow (median of rounds)", r1, r4);
  printf("  %-40s %4.2f-%4.2fx %4.2f-%4.2fx\n", "  rounds' range", q1[0], q1[rounds - 1], q4[0],
         q4[rounds - 1]);
  printf("BENCH infer-bare-b1 %.3f ms\n", b1);
  printf("BENCH infer-vidflow-b1 %.3f ms\n", v1);
  printf("BENCH infer-run-b1 %.3f ms\n", i1);
  printf("BENCH infer-bare-b4 %.3f ms\n", b4);
  printf("BENCH infer-vidflow-b4 %.3f ms\n", v4);
  printf("BENCH infer-run-b4 %.3f ms\n", i4);
  printf("BENCH infer-preprocess %.3f ms\n", pre_ms);
  printf("BENCH infer-ratio-b1 %.3f x\n", r1);
  printf("BENCH infer-ratio-b4 %.3f x\n", r4);
  g_free(q1);
  g_free(q4);

  for (int i = 0; i < n_frames; i++) {
    vf_infer_result_clear(&results[i]);
    vft_frame_free(frames[i]);
  }
  vf_infer_engine_free(e1);
  vf_infer_engine_free(e4);
  vf_infer_config_free(c1);
  vf_infer_config_free(c4);
  g_free(results);
  g_free(in);
  g_free(frames);
  g_free(inputs);
  g_free(indices);
  g_free(video);
  g_free(bare1);
  g_free(vf1);
  g_free(bare4);
  g_free(vf4);
  g_free(inf1);
  g_free(inf4);
  return 0;
}
