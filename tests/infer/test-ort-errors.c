/* The ONNX Runtime backend's error paths, run for real: through fake-ort.c (the real ORT with
 * one call made to fail, VFT_ORT_FAIL), every OrtApi call the backend makes fails once. Each
 * failure must give a clear error naming the call's context and leave nothing behind: under
 * AddressSanitizer a dropped OrtStatus or a half-made session is a leak (tests/lsan.supp
 * suppresses only ORT's own leaks). Needs data/ (tools/fetch-assets.sh). */
#include <string.h>

#include "backend.h"
#include "util.h"

/* Calls made while a session opens; each failure makes the open fail. */
static const char *const open_calls[] = {
  "CreateSessionOptions",
  "SetIntraOpNumThreads",
  "SetSessionGraphOptimizationLevel",
  "CreateSession",
  "SessionGetInputCount",
  "SessionGetOutputCount",
  "GetAllocatorWithDefaultOptions",
  "SessionGetInputName",
  "SessionGetOutputName",
  "SessionGetInputTypeInfo",
  "SessionGetOutputTypeInfo",
  "CastTypeInfoToTensorInfo",
  "GetTensorElementType",
  "GetDimensionsCount",
  "GetDimensions",
  "CreateCpuMemoryInfo",
};

/* Calls made by a run; each failure makes the run fail. */
static const char *const run_calls[] = {
  "CreateTensorWithDataAsOrtValue",
  "Run",
  "GetTensorTypeAndShape",
  "GetDimensionsCount",
  "GetDimensions",
  "GetTensorElementType",
  "GetTensorMutableData",
};

static char *model, *fake_ort;

static VfInferSessionOptions options(void)
{
  return (VfInferSessionOptions){ .model = model, .threads = 1, .library = fake_ort };
}

static void test_open_failures(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(open_calls); i++) {
    g_setenv("VFT_ORT_FAIL", open_calls[i], TRUE);
    GError *err = NULL;
    VfInferSessionOptions o = options();
    VfInferSession *s = vf_infer_session_open(&o, &err);
    if (s != NULL)
      g_error("opening with %s failing succeeded", open_calls[i]);
    char *injected = g_strdup_printf("injected failure in %s", open_calls[i]);
    vft_assert_error(err, injected, NULL);
    g_free(injected);
    g_clear_error(&err);
  }
  /* a failing AllocatorFree only costs the name's memory ORT keeps: the session opens */
  g_setenv("VFT_ORT_FAIL", "AllocatorFree", TRUE);
  GError *err = NULL;
  VfInferSessionOptions o = options();
  VfInferSession *s = vf_infer_session_open(&o, &err);
  g_assert_no_error(err);
  vf_infer_session_unref(s);
  g_unsetenv("VFT_ORT_FAIL");
}

static void test_run_failures(void)
{
  GError *err = NULL;
  VfInferSessionOptions o = options();
  VfInferSession *s = vf_infer_session_open(&o, &err);
  g_assert_no_error(err);
  VfInferTensor in = { .dtype = VF_DTYPE_FLOAT32, .ndim = s->inputs[0].ndim };
  gsize count = 1;
  for (guint d = 0; d < in.ndim; d++) {
    in.shape[d] = MAX(s->inputs[0].shape[d], 1);
    count *= (gsize)in.shape[d];
  }
  in.data = g_new0(gfloat, count);
  for (guint i = 0; i < G_N_ELEMENTS(run_calls); i++) {
    g_setenv("VFT_ORT_FAIL", run_calls[i], TRUE);
    VfInferOutputs *out = vf_infer_session_run(s, &in, &err);
    if (out != NULL)
      g_error("running with %s failing succeeded", run_calls[i]);
    char *injected = g_strdup_printf("injected failure in %s", run_calls[i]);
    vft_assert_error(err, injected, NULL);
    g_free(injected);
    g_clear_error(&err);
  }
  g_unsetenv("VFT_ORT_FAIL");
  VfInferOutputs *out = vf_infer_session_run(s, &in, &err);
  g_assert_no_error(err);
  vf_infer_outputs_free(out);
  g_free(in.data);
  vf_infer_session_unref(s);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  vft_require_data("onnxruntime/lib/libonnxruntime.so", "models/blazeface_128.onnx", NULL);
  model = vft_data_path("models/blazeface_128.onnx");
  char *real = vft_data_path("onnxruntime/lib/libonnxruntime.so");
  g_setenv("VFT_REAL_ORT_LIB", real, TRUE);
  fake_ort = g_build_filename(VFT_FAKE_ORT_DIR, "libvft-fake-ort.so", NULL);
  g_test_add_func("/infer/ort-errors/open", test_open_failures);
  g_test_add_func("/infer/ort-errors/run", test_run_failures);
  int ret = g_test_run();
  g_free(model);
  g_free(real);
  g_free(fake_ort);
  return ret;
}
