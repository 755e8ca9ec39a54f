/* GPU preprocessing (gst/cuda): the CPU twin of the kernel against vfinfer's CPU preprocessing
 * (every CI run), and on a machine with a GPU the kernel against the twin and against the CPU
 * preprocessing (within 1/255 of the value range), plus its error paths. Without a GPU the GPU
 * cases skip with the reason (no driver / no kernels in this build).
 *
 *   test-cuda-preprocess [--tap]     (VF_CUDA_REQUIRE=1: fail instead of skipping without a GPU) */
#include <math.h>
#include <string.h>

#include "cuda.h"

#define W_MODEL 300 /* SSD-MobileNetV2's input */
#define H_MODEL 300
#define N_FORMATS 6
#define TWIN_TOL 1e-5   /* twin vs CPU preprocessing, in grey levels: the same arithmetic */
#define KERNEL_TOL 1e-3 /* kernel vs twin, in grey levels: float rounding of another compiler */
#define GREY_LEVEL 1.0  /* the 1/255 of the range: one grey level */

typedef struct {
  VfImage image;
  guint8 *buf;
  gsize size, offs[3];
} TestImage;

static const VfColorFormat formats[N_FORMATS] = {
  VF_COLOR_FORMAT_NV12, VF_COLOR_FORMAT_I420, VF_COLOR_FORMAT_RGBA,
  VF_COLOR_FORMAT_BGRA, VF_COLOR_FORMAT_RGB,  VF_COLOR_FORMAT_BGR,
};

/* Random pixels over a smooth gradient (so both noise and structure are resampled), padded
 * strides (stride mistakes show). */
static TestImage *make_image(VfColorFormat format, guint w, guint h, GRand *rand)
{
  TestImage *t = g_new0(TestImage, 1);
  VfImage *im = &t->image;
  im->format = format, im->width = w, im->height = h;
  guint cw = (w + 1) / 2, ch = (h + 1) / 2, n = 1;
  gsize rows[3] = { h, 0, 0 }, bytes[3] = { w, 0, 0 };
  if (format == VF_COLOR_FORMAT_RGB || format == VF_COLOR_FORMAT_BGR)
    bytes[0] = (gsize)w * 3;
  else if (format == VF_COLOR_FORMAT_RGBA || format == VF_COLOR_FORMAT_BGRA)
    bytes[0] = (gsize)w * 4;
  else if (format == VF_COLOR_FORMAT_NV12)
    n = 2, bytes[1] = (gsize)cw * 2, rows[1] = ch;
  else if (format == VF_COLOR_FORMAT_I420)
    n = 3, bytes[1] = bytes[2] = cw, rows[1] = rows[2] = ch;
  for (guint p = 0; p < n; p++) {
    im->strides[p] = bytes[p] + 7 + p;
    t->offs[p] = t->size;
    t->size += im->strides[p] * rows[p];
  }
  t->buf = g_malloc(t->size);
  for (gsize i = 0; i < t->size; i++)
    t->buf[i] = (guint8)CLAMP((gint)(i * 251 % 200) + g_rand_int_range(rand, 0, 56), 0, 255);
  for (guint p = 0; p < n; p++)
    im->planes[p] = t->buf + t->offs[p];
  return t;
}

static void free_image(TestImage *t)
{
  g_free(t->buf);
  g_free(t);
}

static void set_params(VfPreprocessParams *p, gint variant)
{
  memset(p, 0, sizeof *p);
  p->width = W_MODEL, p->height = H_MODEL, p->channels = 3;
  p->layout = variant & 1 ? VF_INFER_LAYOUT_NHWC : VF_INFER_LAYOUT_NCHW;
  p->color_order = variant & 2 ? VF_INFER_COLOR_BGR : VF_INFER_COLOR_RGB;
  p->scaling = variant & 4 ? VF_INFER_SCALING_LETTERBOX : VF_INFER_SCALING_STRETCH;
  p->pad_value = 114;
  if (variant & 8) { /* ImageNet mean/std */
    const float mean[3] = { 0.485f, 0.456f, 0.406f }, std[3] = { 0.229f, 0.224f, 0.225f };
    p->scale = 1.f / 255.f;
    memcpy(p->mean, mean, sizeof mean);
    memcpy(p->std, std, sizeof std);
  } else { /* SSD-MobileNet: -1..1 */
    p->scale = 2.f / 255.f;
    p->mean[0] = p->mean[1] = p->mean[2] = 1.f;
    p->std[0] = p->std[1] = p->std[2] = 1.f;
  }
}

/* The largest difference between two model inputs, in grey levels (value / mul). */
static double max_diff_levels(const float *a, const float *b, guint n_samples,
                              const VfCudaTensorDesc *t)
{
  double worst = 0;
  for (guint z = 0; z < n_samples; z++)
    for (gint y = 0; y < t->height; y++)
      for (gint x = 0; x < t->width; x++)
        for (gint c = 0; c < 3; c++) {
          guint64 k = vf_cuda_tensor_index(t, z, x, y, c);
          double d = fabs((double)a[k] - b[k]) / fabs(t->mul[c]);
          if (!(d <= worst)) /* NaN counts as worst */
            worst = isnan(d) ? INFINITY : d;
        }
  return worst;
}

/* ---- CPU: the twin against vfinfer's preprocessing ---- */

static void test_twin_matches_cpu(void)
{
  GRand *rand = g_rand_new_with_seed(14);
  gsize plane = (gsize)W_MODEL * H_MODEL * 3;
  float *cpu = g_new(float, plane), *twin = g_new(float, plane);
  double worst = 0;
  for (guint f = 0; f < N_FORMATS; f++) {
    TestImage *im = make_image(formats[f], 641, 361, rand); /* odd sizes: chroma rounding */
    for (gint variant = 0; variant < 16; variant++) {
      VfPreprocessParams p;
      set_params(&p, variant);
      VfInferRect crop = { 100.5, 40.25, 333, 211 };
      const VfInferRect *roi = variant & 1 ? &crop : NULL;
      VfPreprocessTransform tc, tt;
      VfCudaFrameDesc fd;
      VfCudaTensorDesc td;
      GError *err = NULL;
      g_assert_true(vf_preprocess(&im->image, roi, &p, cpu, &tc, &err));
      g_assert_no_error(err);
      g_assert_true(vf_cuda_preprocess_describe(&im->image, roi, &p, &fd, &td, &tt, &err));
      g_assert_no_error(err);
      g_assert_cmpmem(&tc, sizeof tc, &tt, sizeof tt);
      memset(twin, 0xff, plane * sizeof *twin); /* NaN: an unwritten value shows */
      vf_cuda_preprocess_batch_twin(&fd, 1, &td, twin);
      double d = max_diff_levels(cpu, twin, 1, &td);
      if (d > TWIN_TOL)
        g_error("twin vs CPU: %s variant %d differs by %g grey levels",
                vf_color_format_to_string(formats[f]), variant, d);
      worst = MAX(worst, d);
    }
    free_image(im);
  }
  g_test_message("twin vs CPU preprocessing: at most %g grey levels over %d formats x 16 cases",
                 worst, N_FORMATS);
  g_free(cpu);
  g_free(twin);
  g_rand_free(rand);
}

static void test_describe_bad_input(void)
{
  GRand *rand = g_rand_new_with_seed(1);
  TestImage *im = make_image(VF_COLOR_FORMAT_NV12, 64, 48, rand);
  VfPreprocessParams p;
  set_params(&p, 0);
  VfCudaFrameDesc fd;
  VfCudaTensorDesc td;
  GError *err = NULL;
  p.channels = 1; /* grey models: CPU only */
  g_assert_false(vf_cuda_preprocess_describe(&im->image, NULL, &p, &fd, &td, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_UNSUPPORTED);
  g_assert_nonnull(strstr(err->message, "channel"));
  g_clear_error(&err);
  p.channels = 3;
  VfInferRect outside = { 500, 500, 10, 10 };
  g_assert_false(vf_cuda_preprocess_describe(&im->image, &outside, &p, &fd, &td, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  im->image.format = VF_COLOR_FORMAT_JPEG;
  g_assert_false(vf_cuda_preprocess_describe(&im->image, NULL, &p, &fd, &td, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_FORMAT);
  g_clear_error(&err);
  /* the CPU path refuses frames that say they are in GPU memory, naming the way out */
  im->image.format = VF_COLOR_FORMAT_NV12;
  im->image.device = VF_DEVICE_CUDA;
  float *dst = g_new(float, (gsize)W_MODEL *H_MODEL * 3);
  g_assert_false(vf_preprocess(&im->image, NULL, &p, dst, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_UNSUPPORTED);
  g_assert_nonnull(strstr(err->message, "CUDA"));
  g_clear_error(&err);
  g_free(dst);
  free_image(im);
  g_rand_free(rand);
}

/* ---- GPU ---- */

static gboolean gpu_or_skip(void)
{
  GError *err = NULL;
  if (vf_cuda_open(0, &err))
    return TRUE;
  g_assert_error(err, VF_ERROR, VF_ERROR_UNSUPPORTED);
  if (g_getenv("VF_CUDA_REQUIRE"))
    g_error("VF_CUDA_REQUIRE is set but CUDA is not usable: %s", err->message);
  g_test_skip_printf("no GPU here: %s", err->message);
  g_error_free(err);
  return FALSE;
}

/* Uploads `im` and points a copy of its descriptor's planes at device memory. */
static VfCudaPtr upload(const TestImage *im, VfCudaFrameDesc *fd)
{
  GError *err = NULL;
  VfCudaPtr d = 0;
  g_assert_true(vf_cuda_alloc(&d, im->size, &err));
  g_assert_true(vf_cuda_upload(d, im->buf, im->size, &err));
  g_assert_no_error(err);
  for (int p = 0; p < 3; p++)
    if (im->image.planes[p])
      fd->planes[p] = d + im->offs[p];
  return d;
}

static void test_kernel_matches_twin_and_cpu(void)
{
  if (!gpu_or_skip())
    return;
  g_test_message("GPU: %s", vf_cuda_device_name());
  GRand *rand = g_rand_new_with_seed(90);
  enum { N = 4 }; /* a batch: frames of different sizes and crops */
  const guint sizes[N][2] = { { 1920, 1080 }, { 1280, 720 }, { 641, 361 }, { 97, 55 } };
  gsize plane = (gsize)W_MODEL * H_MODEL * 3;
  float *cpu = g_new(float, plane *N), *twin = g_new(float, plane *N);
  float *gpu = g_new(float, plane *N);
  VfCudaPtr dst = 0;
  GError *err = NULL;
  g_assert_true(vf_cuda_alloc(&dst, plane * N * sizeof(float), &err));
  double worst_twin = 0, worst_cpu = 0;
  for (guint f = 0; f < N_FORMATS; f++)
    for (gint variant = 0; variant < 16; variant++) {
      TestImage *ims[N];
      VfCudaFrameDesc host[N], dev[N];
      VfCudaPtr mem[N];
      VfCudaTensorDesc td;
      VfPreprocessParams p;
      set_params(&p, variant);
      for (guint i = 0; i < N; i++) {
        ims[i] = make_image(formats[f], sizes[i][0], sizes[i][1], rand);
        VfInferRect crop
            = { sizes[i][0] * 0.21, sizes[i][1] * 0.13, sizes[i][0] * 0.5, sizes[i][1] * 0.6 };
        const VfInferRect *roi = (variant + i) & 1 ? &crop : NULL;
        g_assert_true(vf_preprocess(&ims[i]->image, roi, &p, cpu + plane * i, NULL, &err));
        g_assert_true(
            vf_cuda_preprocess_describe(&ims[i]->image, roi, &p, &host[i], &td, NULL, &err));
        g_assert_no_error(err);
        dev[i] = host[i];
        mem[i] = upload(ims[i], &dev[i]);
      }
      vf_cuda_preprocess_batch_twin(host, N, &td, twin);
      g_assert_true(vf_cuda_preprocess_batch(dev, N, &td, dst, &err));
      g_assert_no_error(err);
      memset(gpu, 0xff, plane * N * sizeof *gpu);
      g_assert_true(vf_cuda_download(gpu, dst, plane * N * sizeof(float), &err));
      double dt = max_diff_levels(gpu, twin, N, &td), dc = max_diff_levels(gpu, cpu, N, &td);
      if (dt > KERNEL_TOL || dc > GREY_LEVEL)
        g_error("GPU %s variant %d: %g grey levels from the twin, %g from the CPU",
                vf_color_format_to_string(formats[f]), variant, dt, dc);
      worst_twin = MAX(worst_twin, dt), worst_cpu = MAX(worst_cpu, dc);
      for (guint i = 0; i < N; i++) {
        vf_cuda_free(mem[i]);
        free_image(ims[i]);
      }
    }
  g_test_message("GPU preprocessing: at most %g grey levels from the twin, %g from the CPU "
                 "(%d formats x 16 cases, batches of %d)",
                 worst_twin, worst_cpu, N_FORMATS, N);
  vf_cuda_free(dst);
  g_free(cpu);
  g_free(twin);
  g_free(gpu);
  g_rand_free(rand);
}

/* 64 NV12 1080p frames into a 64x3x300x300 batch: the time it takes, and device memory flat over
 * many batches (no leak in the launch path). */
static void test_kernel_batch_64_1080p(void)
{
  if (!gpu_or_skip())
    return;
  enum { N = 64, ROUNDS = 200 };
  GRand *rand = g_rand_new_with_seed(64);
  TestImage *im = make_image(VF_COLOR_FORMAT_NV12, 1920, 1080, rand);
  VfPreprocessParams p;
  set_params(&p, 4); /* NCHW RGB letterbox */
  VfCudaFrameDesc fd[N];
  VfCudaTensorDesc td;
  GError *err = NULL;
  g_assert_true(vf_cuda_preprocess_describe(&im->image, NULL, &p, &fd[0], &td, NULL, &err));
  VfCudaPtr frames[N], dst = 0;
  for (guint i = 0; i < N; i++) {
    fd[i] = fd[0];
    frames[i] = upload(im, &fd[i]);
  }
  gsize plane = (gsize)W_MODEL * H_MODEL * 3;
  g_assert_true(vf_cuda_alloc(&dst, plane * N * sizeof(float), &err));
  g_assert_true(vf_cuda_preprocess_batch(fd, N, &td, dst, &err)); /* warm-up */
  gsize free0, free1, total;
  g_assert_true(vf_cuda_mem_info(&free0, &total, &err));
  gint64 t0 = g_get_monotonic_time();
  for (guint r = 0; r < ROUNDS; r++)
    g_assert_true(vf_cuda_preprocess_batch(fd, N, &td, dst, &err));
  gint64 t1 = g_get_monotonic_time();
  g_assert_true(vf_cuda_mem_info(&free1, &total, &err));
  g_assert_no_error(err);
  double us = (double)(t1 - t0) / ROUNDS;
  g_test_message("GPU preprocessing, 64 x NV12 1920x1080 -> 64x3x300x300 float: %.1f us a batch "
                 "(%.0f frames/s, launch and sync included); device memory free before %zu, "
                 "after %u batches %zu",
                 us, N * 1e6 / us, free0, ROUNDS, free1);
  g_print("BENCH gpu-preprocess-64x1080p-nv12-us %.1f us\n", us);
  g_assert_cmpuint(free1, ==, free0);
  /* the one sample checked against the CPU */
  float *cpu = g_new(float, plane), *gpu = g_new(float, plane);
  g_assert_true(vf_preprocess(&im->image, NULL, &p, cpu, NULL, &err));
  g_assert_true(
      vf_cuda_download(gpu, dst + plane * sizeof(float) * (N - 1), plane * sizeof(float), &err));
  g_assert_cmpfloat(max_diff_levels(gpu, cpu, 1, &td), <=, GREY_LEVEL);
  g_free(cpu);
  g_free(gpu);
  for (guint i = 0; i < N; i++)
    vf_cuda_free(frames[i]);
  vf_cuda_free(dst);
  free_image(im);
  g_rand_free(rand);
}

static void test_kernel_bad_input(void)
{
  if (!gpu_or_skip())
    return;
  VfCudaTensorDesc td = { 0 };
  VfCudaFrameDesc fd = { 0 };
  GError *err = NULL;
  td.width = W_MODEL, td.height = H_MODEL;
  g_assert_false(vf_cuda_preprocess_batch(&fd, 0, &td, 0, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_assert_false(vf_cuda_open(7, &err)); /* one GPU a process */
  g_assert_error(err, VF_ERROR, VF_ERROR_UNSUPPORTED);
  g_clear_error(&err);
  VfCudaPtr huge = 0;
  g_assert_false(vf_cuda_alloc(&huge, (gsize)1 << 50, &err)); /* a PiB: out of memory */
  g_assert_error(err, VF_ERROR, VF_ERROR_FAILED);
  g_assert_nonnull(strstr(err->message, "cuMemAlloc"));
  g_clear_error(&err);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/cuda/twin-matches-cpu", test_twin_matches_cpu);
  g_test_add_func("/cuda/describe-bad-input", test_describe_bad_input);
  g_test_add_func("/cuda/kernel-matches-twin-and-cpu", test_kernel_matches_twin_and_cpu);
  g_test_add_func("/cuda/kernel-batch-64-1080p", test_kernel_batch_64_1080p);
  g_test_add_func("/cuda/kernel-bad-input", test_kernel_bad_input);
  return g_test_run();
}
