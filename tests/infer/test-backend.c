/* Tests of the ONNX Runtime backend: library lookup, clear errors, model description, runs at
 * several batch sizes, the shared session cache. Needs data/ (tools/fetch-assets.sh).
 *
 * ORT is loaded once per process, so the tests that must run before it is loaded come first
 * (GTest runs them in the order they are added). */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "util.h"

static char *ssd_model, *blazeface_model, *ort_lib;

static VfInferSessionOptions options(const char *model)
{
  return (VfInferSessionOptions){ .model = model, .threads = 1 };
}

/* Before ORT is loaded: VIDFLOW_ORT_LIB pointing nowhere, a library that is not ORT. */
static void test_library_missing(void)
{
  g_assert_null(vf_ort_version());
  g_setenv("VIDFLOW_ORT_LIB", "/nonexistent/libonnxruntime.so", TRUE);
  GError *err = NULL;
  VfInferSessionOptions o = options(ssd_model);
  g_assert_null(vf_infer_session_open(&o, &err));
  vft_assert_error(err, "/nonexistent/libonnxruntime.so", "VIDFLOW_ORT_LIB", NULL);
  g_assert_true(g_error_matches(err, VF_ERROR, VF_ERROR_NOT_FOUND));
  g_clear_error(&err);
  g_unsetenv("VIDFLOW_ORT_LIB");

  /* the config's ort-library wins over everything, and must exist */
  o.library = "/nonexistent/other/libonnxruntime.so";
  g_assert_null(vf_infer_session_open(&o, &err));
  vft_assert_error(err, "/nonexistent/other/libonnxruntime.so", "ort-library", NULL);
  g_clear_error(&err);

  /* a shared library that is not ONNX Runtime */
  char *not_ort = g_build_filename(VFT_CUSTOM_PARSER_DIR, "libvf-no-entry.so", NULL);
  o.library = not_ort;
  g_assert_null(vf_infer_session_open(&o, &err));
  vft_assert_error(err, "libvf-no-entry.so", "not a usable ONNX Runtime", "OrtGetApiBase", NULL);
  g_clear_error(&err);
  g_free(not_ort);
  g_assert_null(vf_ort_version()); /* still nothing loaded */
}

/* The lookup order, explicit. */
static void test_library_lookup(void)
{
  char *saved = g_strdup(g_getenv("VIDFLOW_DATA"));
  g_setenv("VIDFLOW_DATA", "/opt/vf-data", TRUE);
  char **c = vf_ort_library_candidates();
  g_assert_cmpstr(c[0], ==, "/opt/vf-data/onnxruntime/lib/libonnxruntime.so");
  char *src = g_build_filename(VFT_SOURCE_ROOT, "data/onnxruntime/lib/libonnxruntime.so", NULL);
  g_assert_cmpstr(c[1], ==, src);
  g_assert_true(g_str_has_suffix(c[2], "/vidflow/onnxruntime/lib/libonnxruntime.so"));
  g_assert_cmpstr(c[3], ==, "libonnxruntime.so");
  g_assert_null(c[4]);
  g_strfreev(c);
  g_unsetenv("VIDFLOW_DATA");
  c = vf_ort_library_candidates();
  g_assert_cmpstr(c[0], ==, src); /* no VIDFLOW_DATA: the source tree first */
  g_strfreev(c);
  if (saved)
    g_setenv("VIDFLOW_DATA", saved, TRUE);
  g_free(saved);

  GError *err = NULL;
  char *found = vf_ort_find_library(NULL, &err); /* data/ of the tests, by either rule */
  g_assert_no_error(err);
  g_assert_cmpstr(found, ==, ort_lib);
  g_free(found);
  g_setenv("VIDFLOW_ORT_LIB", ort_lib, TRUE); /* the environment beats the defaults */
  found = vf_ort_find_library(NULL, &err);
  g_assert_cmpstr(found, ==, ort_lib);
  g_free(found);
  found = vf_ort_find_library("/elsewhere/libonnxruntime.so", &err); /* the config beats both */
  g_assert_null(found);
  vft_assert_error(err, "/elsewhere/libonnxruntime.so", NULL);
  g_clear_error(&err);
  g_unsetenv("VIDFLOW_ORT_LIB");
  g_free(src);
}

static void test_describe(void)
{
  GError *err = NULL;
  VfInferSessionOptions o = options(ssd_model);
  VfInferSession *s = vf_infer_session_open(&o, &err);
  g_assert_no_error(err);
  g_test_message("ONNX Runtime %s", vf_ort_version());
  g_assert_nonnull(vf_ort_version());
  g_assert_cmpuint(s->n_inputs, ==, 1);
  g_assert_cmpstr(s->inputs[0].name, ==, "input");
  g_assert_cmpint(s->inputs[0].dtype, ==, VF_DTYPE_FLOAT32);
  char *shape = vf_infer_shape_to_string(s->inputs[0].shape, s->inputs[0].ndim);
  g_assert_cmpstr(shape, ==, "[?,300,300,3]");
  g_free(shape);
  g_assert_cmpuint(s->n_outputs, ==, 2);
  g_assert_cmpint(vf_infer_session_find_output(s, "scores"), ==, 1);
  g_assert_cmpint(vf_infer_session_find_output(s, "nope"), ==, -1);
  shape = vf_infer_shape_to_string(s->outputs[1].shape, s->outputs[1].ndim);
  g_assert_cmpstr(shape, ==, "[?,1917,24]");
  g_free(shape);
  vf_infer_session_unref(s);

  o = options(blazeface_model);
  s = vf_infer_session_open(&o, &err);
  g_assert_no_error(err);
  g_assert_cmpuint(s->n_outputs, ==, 4);
  shape = vf_infer_shape_to_string(s->inputs[0].shape, s->inputs[0].ndim);
  g_assert_cmpstr(shape, ==, "[1,128,128,3]");
  g_free(shape);
  vf_infer_session_unref(s);
}

static VfInferOutputs *run(VfInferSession *s, guint batch, gfloat *input)
{
  VfInferTensor t
      = { .dtype = VF_DTYPE_FLOAT32, .ndim = 4, .shape = { batch, 300, 300, 3 }, .data = input };
  GError *err = NULL;
  VfInferOutputs *o = vf_infer_session_run(s, &t, &err);
  g_assert_no_error(err);
  return o;
}

/* Batch 3 gives, sample by sample, what batch 1 gives. */
static void test_run_batches(void)
{
  GError *err = NULL;
  VfInferSessionOptions o = options(ssd_model);
  VfInferSession *s = vf_infer_session_open(&o, &err);
  g_assert_no_error(err);
  gsize sample = 300 * 300 * 3;
  gfloat *in = g_new(gfloat, 3 * sample);
  GRand *rand = g_rand_new_with_seed(7);
  for (gsize i = 0; i < 3 * sample; i++)
    in[i] = (gfloat)g_rand_double_range(rand, -1, 1);
  g_rand_free(rand);
  VfInferOutputs *b3 = run(s, 3, in);
  g_assert_cmpuint(b3->n_tensors, ==, 2);
  g_assert_cmpint(b3->tensors[0].shape[0], ==, 3);
  g_assert_cmpint(b3->tensors[1].shape[2], ==, 24);
  g_assert_cmpstr(b3->tensors[1].name, ==, "scores");
  for (guint k = 0; k < 3; k++) {
    VfInferOutputs *b1 = run(s, 1, in + k * sample);
    for (guint t = 0; t < 2; t++) {
      gsize n = 1917 * (t ? 24 : 4);
      const gfloat *a = b1->tensors[t].data, *b = (const gfloat *)b3->tensors[t].data + k * n;
      gfloat worst = 0;
      for (gsize i = 0; i < n; i++)
        worst = MAX(worst, fabsf(a[i] - b[i]));
      g_assert_cmpfloat(worst, <, 1e-3);
    }
    vf_infer_outputs_free(b1);
  }
  vf_infer_outputs_free(b3);

  /* a wrong input shape: an error from ORT, not a crash */
  VfInferTensor bad
      = { .dtype = VF_DTYPE_FLOAT32, .ndim = 4, .shape = { 1, 3, 300, 300 }, .data = in };
  g_assert_null(vf_infer_session_run(s, &bad, &err));
  vft_assert_error(err, "ONNX Runtime Run", NULL);
  g_clear_error(&err);
  g_free(in);
  vf_infer_session_unref(s);
}

/* One session per (model, provider, threads), shared and reference counted. */
static void test_cache(void)
{
  GError *err = NULL;
  guint before = vf_ort_session_cache_size();
  VfInferSessionOptions o = options(ssd_model);
  VfInferSession *a = vf_infer_session_open(&o, &err);
  VfInferSession *b = vf_infer_session_open(&o, &err);
  g_assert_true(a == b);
  g_assert_cmpuint(vf_ort_session_cache_size(), ==, before + 1);
  o.threads = 2;
  VfInferSession *c = vf_infer_session_open(&o, &err);
  g_assert_true(c != a);
  g_assert_cmpuint(vf_ort_session_cache_size(), ==, before + 2);
  char *link = g_build_filename(g_get_tmp_dir(), "vf-test-ssd-link.onnx", NULL);
  g_unlink(link);
  g_assert_cmpint(symlink(ssd_model, link), ==, 0);
  o.threads = 1;
  o.model = link; /* another name for the same file: the same session */
  VfInferSession *d = vf_infer_session_open(&o, &err);
  g_assert_true(d == a);
  g_unlink(link);
  g_free(link);
  vf_infer_session_unref(a);
  vf_infer_session_unref(b);
  vf_infer_session_unref(d);
  g_assert_cmpuint(vf_ort_session_cache_size(), ==, before + 1);
  vf_infer_session_unref(c);
  g_assert_cmpuint(vf_ort_session_cache_size(), ==, before);
  g_assert_no_error(err);
}

typedef struct {
  VfInferSession *s;
  gfloat *input;
  gfloat first_score;
} Worker;

static gpointer worker(gpointer data)
{
  Worker *w = data;
  for (int i = 0; i < 3; i++) {
    VfInferOutputs *o = run(w->s, 1, w->input);
    w->first_score = ((const gfloat *)o->tensors[1].data)[5];
    vf_infer_outputs_free(o);
  }
  return NULL;
}

/* Elements on different threads share a session and run it at the same time. */
static void test_concurrent(void)
{
  GError *err = NULL;
  VfInferSessionOptions o = options(ssd_model);
  Worker w[3];
  GThread *t[3];
  gfloat *input = g_new0(gfloat, 300 * 300 * 3);
  for (int i = 0; i < 3; i++) {
    w[i] = (Worker){ .s = vf_infer_session_open(&o, &err), .input = input };
    t[i] = g_thread_new("vf-test", worker, &w[i]);
  }
  for (int i = 0; i < 3; i++) {
    g_thread_join(t[i]);
    g_assert_cmpfloat(w[i].first_score, ==, w[0].first_score);
    vf_infer_session_unref(w[i].s);
  }
  g_free(input);
  g_assert_no_error(err);
}

static void test_errors(void)
{
  GError *err = NULL;
  VfInferSessionOptions o = options("/nonexistent/model.onnx");
  o.config_path = "det.yaml";
  g_assert_null(vf_infer_session_open(&o, &err));
  vft_assert_error(err, "det.yaml", "/nonexistent/model.onnx", "not found", NULL);
  g_clear_error(&err);

  char *dir = vft_make_tmpdir();
  char *junk = vft_write_file(dir, "junk.onnx", "this is not a protobuf", -1);
  o = options(junk);
  g_assert_null(vf_infer_session_open(&o, &err));
  vft_assert_error(err, "ONNX Runtime cannot load model", "junk.onnx", NULL);
  g_clear_error(&err);
  vft_remove_tree(dir);
  g_free(dir);
  g_free(junk);

  o = options(ssd_model);
  o.provider = "tpu";
  g_assert_null(vf_infer_session_open(&o, &err));
  vft_assert_error(err, "unknown execution provider 'tpu'", "cpu, cuda", NULL);
  g_clear_error(&err);

  /* cuda without ORT's CUDA provider library next to libonnxruntime.so */
  o.provider = "cuda";
  g_assert_null(vf_infer_session_open(&o, &err));
  vft_assert_error(err, "'cuda'", "libonnxruntime_providers_cuda.so", "execution-provider: cpu",
                   NULL);
  g_clear_error(&err);

  o.provider = NULL;
  o.backend = "tensorrt";
  g_assert_null(vf_infer_session_open(&o, &err));
  vft_assert_error(err, "unknown inference backend 'tensorrt'", NULL);
  g_clear_error(&err);

  /* once ORT is loaded, another library cannot be */
  o.backend = NULL;
  char *other = g_build_filename(VFT_CUSTOM_PARSER_DIR, "libvf-sample-parser.so", NULL);
  o.library = other;
  g_assert_null(vf_infer_session_open(&o, &err));
  vft_assert_error(err, "already loaded", NULL);
  g_clear_error(&err);
  g_free(other);
  o.library = ort_lib; /* the loaded one itself is fine */
  VfInferSession *s = vf_infer_session_open(&o, &err);
  g_assert_no_error(err);
  vf_infer_session_unref(s);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  vft_require_data("onnxruntime/lib/libonnxruntime.so", "models/ssd_mobilenet_v2_oid.onnx",
                   "models/blazeface_128.onnx", NULL);
  ssd_model = vft_data_path("models/ssd_mobilenet_v2_oid.onnx");
  blazeface_model = vft_data_path("models/blazeface_128.onnx");
  ort_lib = vft_data_path("onnxruntime/lib/libonnxruntime.so");
  g_unsetenv("VIDFLOW_ORT_LIB");
  g_test_add_func("/infer/backend/library-missing", test_library_missing);
  g_test_add_func("/infer/backend/library-lookup", test_library_lookup);
  g_test_add_func("/infer/backend/describe", test_describe);
  g_test_add_func("/infer/backend/run-batches", test_run_batches);
  g_test_add_func("/infer/backend/cache", test_cache);
  g_test_add_func("/infer/backend/concurrent", test_concurrent);
  g_test_add_func("/infer/backend/errors", test_errors);
  int rc = g_test_run();
  g_free(ssd_model);
  g_free(blazeface_model);
  g_free(ort_lib);
  return rc;
}
