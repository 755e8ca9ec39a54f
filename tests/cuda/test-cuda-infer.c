/* GPU detections against CPU detections (issue 14 item 4): SSD-MobileNetV2 on the accuracy
 * frames (dog.jpg, vtest.avi frames 0, 100, ..., 700) through ONNX Runtime's CPU provider and its
 * CUDA provider (execution-provider: cuda), and through vfinfer's GPU input path (frames in device
 * memory, the preprocessing kernel into a device tensor, the CUDA provider reading it through IO
 * binding); each must give the CPU's detections: the same count, each CPU box matched by a box
 * of the same class with IoU >= 0.99.
 *
 *   test-cuda-infer prepare DIR   here: decodes the frames and copies the model and its config
 *                                 into DIR (so the GPU machine needs no decoders or data/)
 *   test-cuda-infer [--tap] DIR   on the GPU machine (the GPU cases skip with the reason where
 *                                 there is no GPU or no CUDA provider; VF_CUDA_REQUIRE=1 fails)
 * ORT is found as everywhere (VIDFLOW_ORT_LIB); its CUDA provider must sit next to it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cuda-infer.h"
#include "cuda.h"
#include "engine.h"
#include "util.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>
#include <vidflow/meta.h>

#define CONFIG_NAME "ssd_mobilenet_v2_oid.yaml"
#define IOU_MIN 0.99
#define N_VIDEO 8

static const char *dir; /* DIR */

typedef struct {
  char *name;
  VfImage image;
  guint8 *pixels;
  gsize size, offs[3];
} Frame;

static GPtrArray *frames; /* Frame* */

/* ---- prepare ---- */

static gsize frame_size(const VfImage *im, const guint8 *base, gsize offs[3])
{
  gsize end = 0;
  for (int p = 0; p < 3 && im->planes[p]; p++) {
    guint rows = p == 0 ? im->height : (im->height + 1) / 2;
    offs[p] = (gsize)(im->planes[p] - base);
    end = MAX(end, offs[p] + im->strides[p] * rows);
  }
  return end;
}

static void save(FILE *index, const char *name, const VftFrame *f)
{
  gsize offs[3] = { 0 };
  gsize size = frame_size(&f->image, f->pixels, offs);
  char *path = g_strdup_printf("%s/%s.raw", dir, name);
  GError *err = NULL;
  if (!g_file_set_contents(path, (const char *)f->pixels, (gssize)size, &err))
    g_error("%s", err->message);
  fprintf(index, "%s %d %u %u %zu %zu %zu %zu %zu %zu %zu\n", name, f->image.format, f->image.width,
          f->image.height, f->image.strides[0], f->image.strides[1], f->image.strides[2], offs[0],
          offs[1], offs[2], size);
  g_free(path);
}

static void copy_file(const char *from, const char *to)
{
  char *text = NULL;
  gsize len = 0;
  GError *err = NULL;
  if (!g_file_get_contents(from, &text, &len, &err) || !g_file_set_contents(to, text, len, &err))
    g_error("%s", err->message);
  g_free(text);
}

static int prepare(void)
{
  vft_require_data("images/dog.jpg", "footage/vtest.avi", "models/ssd_mobilenet_v2_oid.onnx", NULL);
  char *models = g_build_filename(dir, "data", "models", NULL);
  char *configs = g_build_filename(dir, "configs", NULL);
  g_mkdir_with_parents(models, 0755);
  g_mkdir_with_parents(configs, 0755);
  const char *files[] = { "ssd_mobilenet_v2_oid.onnx", "ssd_mobilenet_v2_oid.labels",
                          "ssd_mobilenet_v2_oid.anchors" };
  for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
    char *rel = g_build_filename("models", files[i], NULL), *from = vft_data_path(rel);
    char *to = g_build_filename(models, files[i], NULL);
    copy_file(from, to);
    g_free(rel), g_free(from), g_free(to);
  }
  char *cfg_from = vft_source_path("configs/" CONFIG_NAME);
  char *cfg_to = g_build_filename(configs, CONFIG_NAME, NULL);
  copy_file(cfg_from, cfg_to);
  char *index_path = g_build_filename(dir, "frames.txt", NULL);
  FILE *index = fopen(index_path, "w");
  g_assert_nonnull(index);
  GError *err = NULL;
  char *dog = vft_data_path("images/dog.jpg");
  VftFrame *f = vft_decode_image(dog, VF_COLOR_FORMAT_RGB, &err);
  g_assert_no_error(err);
  save(index, "dog", f);
  vft_frame_free(f);
  char *video = vft_data_path("footage/vtest.avi");
  guint idx[N_VIDEO];
  for (guint i = 0; i < N_VIDEO; i++)
    idx[i] = i * 100;
  VftFrame **v = vft_decode_video(video, idx, N_VIDEO, VF_COLOR_FORMAT_I420, &err);
  g_assert_no_error(err);
  for (guint i = 0; i < N_VIDEO; i++) {
    char name[32];
    g_snprintf(name, sizeof name, "vtest-%u", idx[i]);
    save(index, name, v[i]);
    vft_frame_free(v[i]);
  }
  g_free(v);
  fclose(index);
  printf("prepared %s: the model, its config and %d frames\n", dir, 1 + N_VIDEO);
  g_free(models), g_free(configs), g_free(cfg_from), g_free(cfg_to), g_free(index_path);
  g_free(dog), g_free(video);
  return 0;
}

/* ---- run ---- */

static void load_frames(void)
{
  frames = g_ptr_array_new();
  char *index_path = g_build_filename(dir, "frames.txt", NULL), *text = NULL;
  GError *err = NULL;
  if (!g_file_get_contents(index_path, &text, NULL, &err))
    g_error("%s (run 'test-cuda-infer prepare %s' first)", err->message, dir);
  char **lines = g_strsplit(text, "\n", -1);
  for (char **l = lines; *l && **l; l++) {
    Frame *f = g_new0(Frame, 1);
    char name[64];
    int format;
    gsize s[3];
    if (sscanf(*l, "%63s %d %u %u %zu %zu %zu %zu %zu %zu %zu", name, &format, &f->image.width,
               &f->image.height, &s[0], &s[1], &s[2], &f->offs[0], &f->offs[1], &f->offs[2],
               &f->size)
        != 11)
      g_error("%s: bad line '%s'", index_path, *l);
    f->name = g_strdup(name);
    char *path = g_strdup_printf("%s/%s.raw", dir, name);
    gsize len = 0;
    if (!g_file_get_contents(path, (char **)&f->pixels, &len, &err) || len != f->size)
      g_error("%s: %s", path, err ? err->message : "wrong size");
    f->image.format = (VfColorFormat)format;
    for (int p = 0; p < 3; p++) {
      f->image.strides[p] = s[p];
      f->image.planes[p] = s[p] ? f->pixels + f->offs[p] : NULL;
    }
    g_ptr_array_add(frames, f);
    g_free(path);
  }
  g_strfreev(lines);
  g_free(text);
  g_free(index_path);
}

static VfInferConfig *load_config(const char *provider)
{
  char *path = g_build_filename(dir, "configs", CONFIG_NAME, NULL);
  GError *err = NULL;
  VfInferConfig *cfg = vf_infer_config_load(path, &err);
  g_assert_no_error(err);
  g_assert_true(vf_infer_config_set(cfg, "execution-provider", provider, &err));
  g_assert_true(vf_infer_config_validate(cfg, &err));
  g_assert_no_error(err);
  g_free(path);
  return cfg;
}

/* The CUDA engine, or NULL after a skip saying why (no GPU, no provider). */
static VfInferEngine *cuda_engine_or_skip(VfInferConfig *cfg)
{
  GError *err = NULL;
  VfInferEngine *e = vf_infer_engine_new(cfg, &err);
  if (e)
    return e;
  if (g_getenv("VF_CUDA_REQUIRE"))
    g_error("VF_CUDA_REQUIRE is set but the CUDA provider does not start: %s", err->message);
  g_test_skip_printf("ORT's CUDA provider is not usable here: %s", err->message);
  g_error_free(err);
  return NULL;
}

/* Every CPU detection has a CUDA one of its class with IoU >= IOU_MIN, and the counts agree;
 * returns the smallest IoU. */
static double compare(const char *what, const Frame *f, const VfInferResult *cpu,
                      const VfInferResult *gpu)
{
  if (cpu->detections->len != gpu->detections->len)
    g_error("%s, %s: %u detections on the CPU, %u on the GPU", what, f->name, cpu->detections->len,
            gpu->detections->len);
  double worst = 1;
  for (guint i = 0; i < cpu->detections->len; i++) {
    const VfDetection *a = &g_array_index(cpu->detections, VfDetection, i);
    double best = 0;
    for (guint k = 0; k < gpu->detections->len; k++) {
      const VfDetection *b = &g_array_index(gpu->detections, VfDetection, k);
      if (b->class_id == a->class_id)
        best = MAX(best, vf_detection_iou(a, b));
    }
    if (best < IOU_MIN)
      g_error("%s, %s: CPU detection %u (class %d, %.3f) has no GPU match (best IoU %.4f)", what,
              f->name, i, a->class_id, a->confidence, best);
    worst = MIN(worst, best);
  }
  return worst;
}

static void run_all(VfInferEngine *e, VfInferResult *results)
{
  for (guint i = 0; i < frames->len; i++) {
    Frame *f = g_ptr_array_index(frames, i);
    VfInferFrame in = { .image = &f->image };
    GError *err = NULL;
    vf_infer_result_init(&results[i]);
    g_assert_true(vf_infer_engine_process(e, &in, 1, &results[i], &err));
    g_assert_no_error(err);
  }
}

static double seconds_per_frame(VfInferEngine *e, guint rounds)
{
  VfInferResult r;
  vf_infer_result_init(&r);
  gint64 t0 = g_get_monotonic_time();
  for (guint k = 0; k < rounds; k++)
    for (guint i = 0; i < frames->len; i++) {
      Frame *f = g_ptr_array_index(frames, i);
      VfInferFrame in = { .image = &f->image };
      g_assert_true(vf_infer_engine_process(e, &in, 1, &r, NULL));
    }
  vf_infer_result_clear(&r);
  return (g_get_monotonic_time() - t0) / 1e6 / (rounds * frames->len);
}

static void test_cuda_provider_matches_cpu(void)
{
  VfInferConfig *ccpu = load_config("cpu"), *cgpu = load_config("cuda");
  GError *err = NULL;
  VfInferEngine *ecpu = vf_infer_engine_new(ccpu, &err);
  g_assert_no_error(err);
  VfInferEngine *egpu = cuda_engine_or_skip(cgpu);
  if (egpu) {
    VfInferResult *rc = g_new(VfInferResult, frames->len), *rg = g_new(VfInferResult, frames->len);
    run_all(ecpu, rc);
    run_all(egpu, rg);
    double worst = 1;
    guint total = 0;
    for (guint i = 0; i < frames->len; i++) {
      worst = MIN(worst, compare("CUDA provider", g_ptr_array_index(frames, i), &rc[i], &rg[i]));
      total += rc[i].detections->len;
      vf_infer_result_clear(&rc[i]);
      vf_infer_result_clear(&rg[i]);
    }
    g_test_message("CUDA provider vs CPU: %u detections on %u frames, all matched, smallest IoU "
                   "%.4f",
                   total, frames->len, worst);
    g_assert_cmpuint(total, >, 0); /* the frames hold objects: an empty match proves nothing */
    double tc = seconds_per_frame(ecpu, 3), tg = seconds_per_frame(egpu, 10);
    g_test_message("batch 1, CPU frames: %.2f ms a frame with the CPU provider, %.2f ms with the "
                   "CUDA provider (preprocessing on the CPU, input copied by ORT)",
                   tc * 1e3, tg * 1e3);
    printf("BENCH gpu-ort-cuda-vs-cpu-batch1 %.2f x\n", tc / tg);
    g_free(rc);
    g_free(rg);
    vf_infer_engine_free(egpu);
  }
  vf_infer_engine_free(ecpu);
  vf_infer_config_free(ccpu);
  vf_infer_config_free(cgpu);
}

/* The frames in device memory (VfImage on VF_DEVICE_CUDA, as vfinfer maps memory:CUDAMemory)
 * through vfinfer's GPU input path: the kernel preprocesses them in batches into the device
 * tensor, ORT's CUDA provider reads it in place (IO binding), only the outputs come back. Batch 4
 * over the 9 frames: two full batches and a short one. The CPU path's detections again. */
static void test_gpu_input_path_detections(void)
{
  GError *err = NULL;
  if (!vf_cuda_open(0, &err)) {
    if (g_getenv("VF_CUDA_REQUIRE"))
      g_error("VF_CUDA_REQUIRE is set but CUDA is not usable: %s", err->message);
    g_test_skip_printf("no GPU here: %s", err->message);
    g_error_free(err);
    return;
  }
  VfInferConfig *ccpu = load_config("cpu"), *cgpu = load_config("cuda");
  g_assert_true(vf_infer_config_set(cgpu, "batch-size", "4", &err));
  g_assert_no_error(err);
  VfInferEngine *ecpu = vf_infer_engine_new(ccpu, &err);
  g_assert_no_error(err);
  VfInferEngine *egpu = cuda_engine_or_skip(cgpu);
  if (egpu) {
    guint n = frames->len;
    VfCudaInfer *ci = vf_cuda_infer_new(egpu, 0, &err);
    g_assert_no_error(err);
    VfCudaPtr *mem = g_new0(VfCudaPtr, n);
    VfImage *dev = g_new0(VfImage, n);
    VfInferFrame *in = g_new0(VfInferFrame, n);
    for (guint i = 0; i < n; i++) {
      Frame *f = g_ptr_array_index(frames, i);
      g_assert_true(vf_cuda_alloc(&mem[i], f->size, &err));
      g_assert_true(vf_cuda_upload(mem[i], f->pixels, f->size, &err));
      g_assert_no_error(err);
      dev[i] = f->image;
      dev[i].device = VF_DEVICE_CUDA;
      for (int k = 0; k < 3; k++)
        if (f->image.planes[k])
          dev[i].planes[k] = (const guint8 *)(guintptr)(mem[i] + f->offs[k]);
      in[i].image = &dev[i];
    }
    VfInferResult *rc = g_new(VfInferResult, n), *rg = g_new(VfInferResult, n);
    for (guint i = 0; i < n; i++)
      vf_infer_result_init(&rg[i]);
    run_all(ecpu, rc);
    g_assert_true(vf_cuda_infer_process(ci, in, n, rg, &err));
    g_assert_no_error(err);
    double worst = 1;
    guint total = 0;
    for (guint i = 0; i < n; i++) {
      worst = MIN(worst, compare("GPU input path (kernel + IO binding)",
                                 g_ptr_array_index(frames, i), &rc[i], &rg[i]));
      total += rc[i].detections->len;
      vf_infer_result_clear(&rc[i]);
      vf_infer_result_clear(&rg[i]);
    }
    g_assert_cmpuint(total, >, 0);
    g_test_message("GPU input path (frames in device memory, batches of 4, IO binding) vs CPU: "
                   "%u detections, all matched, smallest IoU %.4f",
                   total, worst);
    /* A frame in host memory is refused with a clear error, not read as a device address. */
    VfInferResult r;
    vf_infer_result_init(&r);
    VfInferFrame host = { .image = &((Frame *)g_ptr_array_index(frames, 0))->image };
    g_assert_false(vf_cuda_infer_process(ci, &host, 1, &r, &err));
    g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
    g_clear_error(&err);
    vf_infer_result_clear(&r);
    for (guint i = 0; i < n; i++)
      vf_cuda_free(mem[i]);
    vf_cuda_infer_free(ci);
    g_free(mem), g_free(dev), g_free(in), g_free(rc), g_free(rg);
    vf_infer_engine_free(egpu);
  }
  vf_infer_engine_free(ecpu);
  vf_infer_config_free(ccpu);
  vf_infer_config_free(cgpu);
}

/* The first error on pipe's bus, with its debug text (transfer full; leaked by the g_error
 * callers), or a sentence saying there is none. */
static char *bus_error(GstElement *pipe)
{
  GstMessage *m = gst_bus_pop_filtered(GST_ELEMENT_BUS(pipe), GST_MESSAGE_ERROR);
  if (m == NULL)
    return g_strdup("no error posted");
  GError *e = NULL;
  char *debug = NULL;
  gst_message_parse_error(m, &e, &debug);
  char *text = g_strdup_printf("%s: %s (%s)", GST_OBJECT_NAME(GST_MESSAGE_SRC(m)), e->message,
                               debug ? debug : "");
  g_error_free(e);
  g_free(debug);
  gst_message_unref(m);
  return text;
}

/* The element: the I420 frames through appsrc ! cudaupload (real GstCudaMemory, in GStreamer's
 * own CUDA context) ! vfinfer execution-provider=cuda ! appsink; the objects vfinfer attaches must
 * be the CPU engine's detections (same count, IoU >= 0.99), the caps must stay memory:CUDAMemory.
 */
static void test_element_cuda_frames(void)
{
  GError *err = NULL;
  GstElement *probe = gst_element_factory_make("cudaupload", NULL);
  if (probe == NULL || !vf_cuda_open(0, &err)) {
    const char *why = probe ? err->message : "GStreamer's nvcodec plugin (cudaupload) is missing";
    if (g_getenv("VF_CUDA_REQUIRE"))
      g_error("VF_CUDA_REQUIRE is set but CUDA frames cannot be made here: %s", why);
    g_test_skip_printf("no CUDA frames here: %s", why);
    g_clear_error(&err);
    if (probe)
      gst_object_unref(probe);
    return;
  }
  gst_object_unref(probe);
  GPtrArray *yuv = g_ptr_array_new(); /* the I420 frames, all one size */
  for (guint i = 0; i < frames->len; i++) {
    Frame *f = g_ptr_array_index(frames, i);
    if (f->image.format == VF_COLOR_FORMAT_I420)
      g_ptr_array_add(yuv, f);
  }
  g_assert_cmpuint(yuv->len, >, 0);
  Frame *f0 = g_ptr_array_index(yuv, 0);
  char *config = g_build_filename(dir, "configs", CONFIG_NAME, NULL);
  char *desc = g_strdup_printf(
      "appsrc name=src format=time caps=video/x-raw,format=I420,width=%u,height=%u,"
      "framerate=30/1 ! cudaupload ! video/x-raw(memory:CUDAMemory) ! vfinfer name=infer "
      "config-file-path=\"%s\" execution-provider=cuda ! appsink name=sink sync=false",
      f0->image.width, f0->image.height, config);
  GstElement *pipe = gst_parse_launch(desc, &err);
  g_assert_no_error(err);
  GstElement *src = gst_bin_get_by_name(GST_BIN(pipe), "src");
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
  if (gst_element_set_state(pipe, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    g_error("'%s' does not start: %s", desc, bus_error(pipe));
  for (guint i = 0; i < yuv->len; i++) {
    Frame *f = g_ptr_array_index(yuv, i);
    GstBuffer *b = gst_buffer_new_memdup(f->pixels, f->size);
    gsize offs[GST_VIDEO_MAX_PLANES] = { f->offs[0], f->offs[1], f->offs[2] };
    gint strides[GST_VIDEO_MAX_PLANES]
        = { (gint)f->image.strides[0], (gint)f->image.strides[1], (gint)f->image.strides[2] };
    gst_buffer_add_video_meta_full(b, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_FORMAT_I420,
                                   f->image.width, f->image.height, 3, offs, strides);
    GST_BUFFER_PTS(b) = i * GST_SECOND / 30;
    g_assert_cmpint(gst_app_src_push_buffer(GST_APP_SRC(src), b), ==, GST_FLOW_OK);
  }
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  VfInferConfig *ccpu = load_config("cpu");
  VfInferEngine *ecpu = vf_infer_engine_new(ccpu, &err);
  g_assert_no_error(err);
  double worst = 1;
  guint total = 0;
  for (guint i = 0; i < yuv->len; i++) {
    GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 120 * GST_SECOND);
    if (sample == NULL)
      g_error("frame %u never came out of vfinfer: %s", i, bus_error(pipe));
    GstCapsFeatures *feat = gst_caps_get_features(gst_sample_get_caps(sample), 0);
    g_assert_true(gst_caps_features_contains(feat, "memory:CUDAMemory"));
    VfBatchMeta *bm = vf_batch_meta_get(gst_sample_get_buffer(sample));
    g_assert_nonnull(bm);
    VfFrameMeta *fm = vf_batch_meta_get_frame(bm, 0);
    /* as GPU detections for compare(): the element's objects */
    VfInferResult rg, rc;
    vf_infer_result_init(&rg);
    vf_infer_result_init(&rc);
    for (guint k = 0; k < vf_frame_meta_get_n_objects(fm); k++) {
      VfObjectMeta *o = vf_frame_meta_get_object(fm, k);
      VfRect r;
      vf_object_meta_get_detector_bbox(o, &r);
      VfDetection d = { .class_id = vf_object_meta_get_class_id(o),
                        .confidence = vf_object_meta_get_confidence(o),
                        .left = r.left,
                        .top = r.top,
                        .width = r.width,
                        .height = r.height };
      g_array_append_val(rg.detections, d);
    }
    Frame *f = g_ptr_array_index(yuv, i);
    VfInferFrame in = { .image = &f->image };
    g_assert_true(vf_infer_engine_process(ecpu, &in, 1, &rc, &err));
    g_assert_no_error(err);
    worst = MIN(worst, compare("vfinfer on CUDA frames", f, &rc, &rg));
    total += rc.detections->len;
    vf_infer_result_clear(&rg);
    vf_infer_result_clear(&rc);
    gst_sample_unref(sample);
  }
  g_assert_cmpuint(total, >, 0);
  g_test_message("vfinfer on memory:CUDAMemory frames (cudaupload) vs the CPU engine: %u "
                 "detections on %u frames, all matched, smallest IoU %.4f",
                 total, yuv->len, worst);
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(src);
  gst_object_unref(sink);
  gst_object_unref(pipe);
  vf_infer_engine_free(ecpu);
  vf_infer_config_free(ccpu);
  g_free(desc);
  g_free(config);
  g_ptr_array_free(yuv, TRUE);
}

/* A device tensor on a session of the CPU provider: refused with a clear error. */
static void test_device_input_on_cpu_provider(void)
{
  VfInferConfig *cfg = load_config("cpu");
  GError *err = NULL;
  VfInferEngine *e = vf_infer_engine_new(cfg, &err);
  g_assert_no_error(err);
  VfInferResult r;
  vf_infer_result_init(&r);
  g_assert_false(vf_infer_engine_run_input(e, (gconstpointer)(guintptr)0x1000, VF_DEVICE_CUDA, 1,
                                           NULL, NULL, &r, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_UNSUPPORTED);
  g_assert_nonnull(strstr(err->message, "execution-provider: cuda"));
  g_clear_error(&err);
  vf_infer_result_clear(&r);
  vf_infer_engine_free(e);
  vf_infer_config_free(cfg);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  if (argc == 3 && strcmp(argv[1], "prepare") == 0) {
    dir = argv[2];
    return prepare();
  }
  if (argc != 2) {
    fprintf(stderr, "usage: %s prepare DIR | %s [--tap] DIR\n", argv[0], argv[0]);
    return 2;
  }
  dir = argv[1];
  load_frames();
  g_test_add_func("/cuda/ort-cuda-provider-matches-cpu", test_cuda_provider_matches_cpu);
  g_test_add_func("/cuda/gpu-input-path-detections", test_gpu_input_path_detections);
  g_test_add_func("/cuda/device-input-on-cpu-provider", test_device_input_on_cpu_provider);
  /* last, after this program's own engines on the CUDA provider: the plugin's copy of
   * vfinfer-core then meets ORT's one environment with the provider registered by ours (runs 13
   * and 15 in docs/gpu-runs.md: a second registration was refused, vfinfer did not start) */
  g_test_add_func("/cuda/element-cuda-frames", test_element_cuda_frames);
  return g_test_run();
}
