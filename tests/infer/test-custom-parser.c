/* Tests of custom parsers loaded by name from a shared library (include/vidflow/infer-parser.h),
 * with the sample library built in tests/custom-parser. */
#include <string.h>

#include "parser.h"
#include "util.h"

static char *dir;
static char *sample_lib, *no_entry_lib;

static VfInferConfig *config(const char *yaml, GError **err)
{
  char *full = g_strdup_printf("model: m.onnx\n%s", yaml);
  VfInferConfig *c = vf_infer_config_load_from_data(full, "custom.yaml", dir, err);
  g_free(full);
  return c;
}

static VfInferTensorInfo rows_info(gint64 rows)
{
  VfInferTensorInfo i = { .name = "dets", .dtype = VF_DTYPE_FLOAT32, .ndim = 2 };
  i.shape[0] = rows;
  i.shape[1] = 6;
  return i;
}

static VfInferTensor rows_tensor(const VfInferTensorInfo *i, gfloat *data)
{
  VfInferTensor t = { .name = i->name, .dtype = i->dtype, .ndim = i->ndim, .data = data };
  memcpy(t.shape, i->shape, sizeof t.shape);
  return t;
}

/* The sample "decoded-boxes" parser through vidflow's thresholds, NMS and labels. */
static void test_decoded_boxes(void)
{
  GError *err = NULL;
  char *yaml = g_strdup_printf("parser: decoded-boxes\ncustom-lib: %s\nlabels: l.labels\n"
                               "threshold: 0.5\nclass-thresholds: {car: 0.9}\n",
                               sample_lib);
  VfInferConfig *c = config(yaml, &err);
  g_assert_no_error(err);
  VfParser *p = vf_parser_new(c, 200, 100, &err);
  g_assert_no_error(err);
  g_assert_cmpint(p->kind, ==, VF_PARSER_DETECTOR);
  VfInferTensorInfo info = rows_info(5);
  g_assert_true(vf_parser_prepare(p, &info, 1, &err));
  g_assert_no_error(err);
  gfloat rows[5][6] = {
    { 0.1f, 0.1f, 0.3f, 0.5f, 0.9f, 0 },  /* person 0.9 */
    { 0.11f, 0.1f, 0.3f, 0.5f, 0.8f, 0 }, /* person 0.8, same box: NMS drops it */
    { 0.5f, 0.5f, 0.7f, 0.9f, 0.85f, 1 }, /* car 0.85 < 0.9 */
    { 0.6f, 0.1f, 0.9f, 0.4f, 0.95f, 1 }, /* car 0.95 */
    { 0, 0, 0, 0, 0, 0 },                 /* padding */
  };
  VfInferTensor t = rows_tensor(&info, &rows[0][0]);
  VfInferResult r;
  vf_infer_result_init(&r);
  g_assert_true(vf_parser_parse(p, &t, 1, &r, &err));
  g_assert_no_error(err);
  g_assert_cmpuint(r.detections->len, ==, 2);
  VfDetection *d = &g_array_index(r.detections, VfDetection, 0);
  g_assert_cmpstr(d->label, ==, "car");
  g_assert_cmpfloat_with_epsilon(d->left, 0.6 * 200, 1e-3);
  g_assert_cmpfloat_with_epsilon(d->height, 0.3 * 100, 1e-3);
  d = &g_array_index(r.detections, VfDetection, 1);
  g_assert_cmpstr(d->label, ==, "person");
  g_assert_cmpfloat_with_epsilon(d->confidence, 0.9, 1e-6);
  vf_parser_free(p);
  vf_infer_config_free(c);
  g_free(yaml);

  /* more objects than the first buffer holds (256): vidflow asks again with more room */
  yaml = g_strdup_printf("parser: decoded-boxes\ncustom-lib: %s\ncustom-params: coords=pixels\n"
                         "top-k: 1000\nnms-iou: 1\n",
                         sample_lib);
  c = config(yaml, &err);
  g_assert_no_error(err);
  p = vf_parser_new(c, 640, 640, &err);
  info = rows_info(300);
  g_assert_true(vf_parser_prepare(p, &info, 1, &err));
  gfloat *many = g_new0(gfloat, 300 * 6);
  for (guint i = 0; i < 300; i++) {
    gfloat *row = many + i * 6;
    row[0] = (gfloat)i, row[1] = 0, row[2] = i + 1.f, row[3] = 1, row[4] = 0.75f, row[5] = 0;
  }
  t = rows_tensor(&info, many);
  g_assert_true(vf_parser_parse(p, &t, 1, &r, &err));
  g_assert_cmpuint(r.detections->len, ==, 300);
  g_assert_cmpfloat(g_array_index(r.detections, VfDetection, 0).width, ==, 1); /* pixels */
  g_free(many);
  vf_parser_free(p);
  vf_infer_config_free(c);
  g_free(yaml);
  vf_infer_result_clear(&r);
}

static void test_classifier_kind(void)
{
  GError *err = NULL;
  char *yaml = g_strdup_printf("parser: argmax\ncustom-lib: %s\nlabels: l.labels\n", sample_lib);
  VfInferConfig *c = config(yaml, &err);
  g_assert_no_error(err);
  VfParser *p = vf_parser_new(c, 64, 64, &err);
  g_assert_cmpint(p->kind, ==, VF_PARSER_CLASSIFIER);
  VfInferTensorInfo info
      = { .name = "probs", .dtype = VF_DTYPE_FLOAT32, .ndim = 1, .shape = { 2 } };
  g_assert_true(vf_parser_prepare(p, &info, 1, &err));
  gfloat probs[2] = { 0.3f, 0.7f };
  VfInferTensor t
      = { .name = "probs", .dtype = VF_DTYPE_FLOAT32, .ndim = 1, .shape = { 2 }, .data = probs };
  VfInferResult r;
  vf_infer_result_init(&r);
  g_assert_true(vf_parser_parse(p, &t, 1, &r, &err));
  g_assert_cmpuint(r.classifications->len, ==, 1);
  g_assert_cmpstr(g_array_index(r.classifications, VfInferClass, 0).label, ==, "car");
  g_assert_cmpuint(r.detections->len, ==, 0);
  vf_infer_result_clear(&r);
  vf_parser_free(p);
  vf_infer_config_free(c);
  g_free(yaml);
}

static void test_errors(void)
{
  GError *err = NULL;
  /* a name the library does not have */
  char *yaml = g_strdup_printf("parser: nope\ncustom-lib: %s\n", sample_lib);
  VfInferConfig *c = config(yaml, &err);
  g_assert_no_error(err);
  g_assert_null(vf_parser_new(c, 64, 64, &err));
  vft_assert_error(err, "custom.yaml:2: parser", "has no parser called 'nope'", NULL);
  g_clear_error(&err);
  vf_infer_config_free(c);
  g_free(yaml);

  /* a library without the entry point */
  yaml = g_strdup_printf("parser: decoded-boxes\ncustom-lib: %s\n", no_entry_lib);
  c = config(yaml, &err);
  g_assert_null(vf_parser_new(c, 64, 64, &err));
  vft_assert_error(err, "custom.yaml:3: custom-lib", "vf_custom_parser_v1", "infer-parser.h", NULL);
  g_clear_error(&err);
  vf_infer_config_free(c);
  g_free(yaml);

  /* not a library at all */
  g_free(vft_write_file(dir, "libjunk.so", "junk", -1));
  c = config("parser: decoded-boxes\ncustom-lib: ./libjunk.so\n", &err);
  g_assert_no_error(err);
  g_assert_null(vf_parser_new(c, 64, 64, &err));
  vft_assert_error(err, "custom.yaml:3: custom-lib", "cannot load", "libjunk.so", NULL);
  g_clear_error(&err);
  vf_infer_config_free(c);

  /* a missing library: the config says so at load */
  g_assert_null(config("parser: decoded-boxes\ncustom-lib: ./libmissing.so\n", &err));
  vft_assert_error(err, "custom.yaml:3: custom-lib", "libmissing.so", "not found", NULL);
  g_clear_error(&err);

  /* the parser's create() refuses its params: the message comes through */
  yaml = g_strdup_printf("parser: decoded-boxes\ncustom-lib: %s\ncustom-params: coords=feet\n",
                         sample_lib);
  c = config(yaml, &err);
  VfParser *p = vf_parser_new(c, 64, 64, &err);
  g_assert_no_error(err);
  VfInferTensorInfo info = rows_info(4);
  g_assert_false(vf_parser_prepare(p, &info, 1, &err));
  vft_assert_error(err, "refused to start", "coords=feet", NULL);
  g_clear_error(&err);
  vf_parser_free(p);
  vf_infer_config_free(c);
  g_free(yaml);

  /* parse() failing at run time: an error, not a crash */
  yaml = g_strdup_printf("parser: decoded-boxes\ncustom-lib: %s\n", sample_lib);
  c = config(yaml, &err);
  p = vf_parser_new(c, 64, 64, &err);
  VfInferTensorInfo wrong
      = { .name = "x", .dtype = VF_DTYPE_FLOAT32, .ndim = 2, .shape = { 4, 5 } };
  g_assert_true(vf_parser_prepare(p, &wrong, 1, &err));
  gfloat data[20] = { 0 };
  VfInferTensor t
      = { .name = "x", .dtype = VF_DTYPE_FLOAT32, .ndim = 2, .shape = { 4, 5 }, .data = data };
  VfInferResult r;
  vf_infer_result_init(&r);
  g_assert_false(vf_parser_parse(p, &t, 1, &r, &err));
  vft_assert_error(err, "custom parser 'decoded-boxes' failed", "[rows, 6]", NULL);
  g_clear_error(&err);
  vf_infer_result_clear(&r);
  vf_parser_free(p);
  vf_infer_config_free(c);
  g_free(yaml);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  const char *libdir = g_getenv("VIDFLOW_TEST_CUSTOM_PARSER_DIR");
  if (libdir == NULL || *libdir == '\0')
    libdir = VFT_CUSTOM_PARSER_DIR;
  sample_lib = g_build_filename(libdir, "libvf-sample-parser.so", NULL);
  no_entry_lib = g_build_filename(libdir, "libvf-no-entry.so", NULL);
  dir = vft_make_tmpdir();
  g_free(vft_write_file(dir, "m.onnx", "stand-in", -1));
  g_free(vft_write_file(dir, "l.labels", "person\ncar\n", -1));
  g_test_add_func("/infer/custom-parser/decoded-boxes", test_decoded_boxes);
  g_test_add_func("/infer/custom-parser/classifier-kind", test_classifier_kind);
  g_test_add_func("/infer/custom-parser/errors", test_errors);
  int rc = g_test_run();
  vft_remove_tree(dir);
  g_free(dir);
  g_free(sample_lib);
  g_free(no_entry_lib);
  return rc;
}
