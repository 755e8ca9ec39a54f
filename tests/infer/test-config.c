/* Tests of the vfinfer YAML config: defaults, parsing, errors naming file:line:key, overrides. */
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

static char *dir;   /* a temporary directory with a fake model, labels and anchors */
static char *model; /* its paths */

static const char *labels_text = "???\nBicycle\nBoot\nPerson\nCar\n";

static VfInferConfig *load(const char *yaml, GError **err)
{
  return vf_infer_config_load_from_data(yaml, "det.yaml", dir, err);
}

static void test_defaults(void)
{
  VfInferConfig *c = vf_infer_config_new();
  g_assert_cmpstr(c->backend, ==, "onnxruntime");
  g_assert_cmpstr(c->execution_provider, ==, "cpu");
  g_assert_cmpint(c->batch_size, ==, 1);
  g_assert_cmpint(c->input_layout, ==, VF_INFER_LAYOUT_NCHW);
  g_assert_cmpint(c->color_order, ==, VF_INFER_COLOR_RGB);
  g_assert_cmpint(c->scaling, ==, VF_INFER_SCALING_STRETCH);
  g_assert_cmpfloat(c->scale, ==, 1.0);
  g_assert_cmpfloat(c->std[2], ==, 1.0);
  g_assert_cmpfloat(c->threshold, ==, 0.5);
  g_assert_cmpfloat(c->nms_iou, ==, 0.5);
  g_assert_cmpint(c->top_k, ==, 100);
  g_assert_cmpfloat(c->box_coder_scales[0], ==, 10.0);
  g_assert_cmpfloat(c->box_coder_scales[3], ==, 5.0);
  g_assert_cmpint(c->interval, ==, 0);
  g_assert_cmpint(c->unique_id, ==, 1);
  g_assert_cmpint(c->process_mode, ==, VF_INFER_MODE_PRIMARY);
  g_assert_cmpint(c->operate_on_unique_id, ==, -1);
  g_assert_false(c->output_tensor_meta);
  g_assert_true(vf_infer_config_has_key("nms_iou"));
  g_assert_false(vf_infer_config_has_key("nms"));
  GError *err = NULL;
  g_assert_false(vf_infer_config_validate(c, &err)); /* no model */
  vft_assert_error(err, "model", "missing", NULL);
  g_clear_error(&err);
  vf_infer_config_free(c);
}

/* The shipped sample configs parse (their files need data/: only parse here). */
static void test_sample_configs(void)
{
  GError *err = NULL;
  char *path = vft_source_path("configs/ssd_mobilenet_v2_oid.yaml"), *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, &err));
  char *cdir = g_path_get_dirname(path);
  VfInferConfig *c = vf_infer_config_parse(text, path, cdir, &err);
  g_assert_no_error(err);
  g_assert_cmpint(c->input_layout, ==, VF_INFER_LAYOUT_NHWC);
  g_assert_cmpstr(c->parser, ==, "ssd");
  g_assert_cmpfloat_with_epsilon(c->scale, 1 / 127.5, 1e-9);
  g_assert_cmpfloat(c->mean[1], ==, 1.0);
  g_assert_cmpstr(c->output_names[1], ==, "scores");
  char *want = g_build_filename(cdir, "../data/models/ssd_mobilenet_v2_oid.onnx", NULL);
  g_assert_cmpstr(c->model, ==, want); /* relative to the config's directory */
  g_free(want);
  vf_infer_config_free(c);
  g_free(text);
  g_free(path);
  g_free(cdir);

  path = vft_source_path("configs/blazeface.yaml");
  g_assert_true(g_file_get_contents(path, &text, NULL, &err));
  c = vf_infer_config_parse(text, path, NULL, &err);
  g_assert_no_error(err);
  g_assert_cmpstr(c->parser, ==, "blazeface");
  g_assert_cmpint(c->scaling, ==, VF_INFER_SCALING_LETTERBOX);
  g_assert_true(c->keypoints);
  vf_infer_config_free(c);
  g_free(text);
  g_free(path);
}

static void test_full(void)
{
  GError *err = NULL;
  VfInferConfig *c = load("model: m.onnx\n"
                          "parser: ssd\n"
                          "anchors: a.anchors\n"
                          "labels: l.labels\n"
                          "input_layout: nhwc           # '_' for '-', any case\n"
                          "input-shape: [300, 300, 3]\n"
                          "color-order: BGR\n"
                          "scaling: letterbox\n"
                          "pad-value: 114\n"
                          "mean: 0.5\n"
                          "std: [0.1, 0.2, 0.3]\n"
                          "threshold: 0.6\n"
                          "class-thresholds: {Person: 0.3, 4: 0.7, bicycle: 0.2}\n"
                          "nms-iou: 0.45\n"
                          "top-k: 7\n"
                          "score-activation: softmax\n"
                          "background-class: -1\n"
                          "batch-size: 4\n"
                          "threads: 2\n"
                          "interval: 3\n"
                          "unique-id: 9\n"
                          "process-mode: secondary\n"
                          "operate-on-unique-id: 1\n"
                          "operate-on-classes: [3, 4]\n"
                          "min-object-width: 16\n"
                          "output-tensor-meta: yes\n"
                          "custom-params: ~\n",
                          &err);
  g_assert_no_error(err);
  char *want = g_build_filename(dir, "m.onnx", NULL);
  g_assert_cmpstr(c->model, ==, want);
  g_free(want);
  g_assert_cmpint(c->input_layout, ==, VF_INFER_LAYOUT_NHWC);
  g_assert_cmpint(c->input_shape[0], ==, 300);
  g_assert_cmpint(c->input_shape[2], ==, 3);
  g_assert_cmpint(c->color_order, ==, VF_INFER_COLOR_BGR);
  g_assert_cmpint(c->scaling, ==, VF_INFER_SCALING_LETTERBOX);
  g_assert_cmpfloat(c->pad_value, ==, 114);
  g_assert_cmpfloat(c->mean[2], ==, 0.5); /* one value for every channel */
  g_assert_cmpfloat(c->std[2], ==, 0.3);
  g_assert_cmpuint(c->n_labels, ==, 5);
  g_assert_cmpstr(vf_infer_config_get_label(c, 3), ==, "Person");
  g_assert_null(vf_infer_config_get_label(c, 5));
  g_assert_cmpfloat(vf_infer_config_get_threshold(c, 3), ==, 0.3); /* by label */
  g_assert_cmpfloat(vf_infer_config_get_threshold(c, 4), ==, 0.7); /* by id */
  g_assert_cmpfloat(vf_infer_config_get_threshold(c, 1), ==, 0.2); /* any case */
  g_assert_cmpfloat(vf_infer_config_get_threshold(c, 2), ==, 0.6); /* the default */
  g_assert_cmpfloat(c->nms_iou, ==, 0.45);
  g_assert_cmpint(c->top_k, ==, 7);
  g_assert_cmpint(c->activation, ==, VF_INFER_ACTIVATION_SOFTMAX);
  g_assert_cmpint(c->background_class, ==, -1);
  g_assert_cmpint(c->batch_size, ==, 4);
  g_assert_cmpint(c->threads, ==, 2);
  g_assert_cmpint(c->interval, ==, 3);
  g_assert_cmpint(c->unique_id, ==, 9);
  g_assert_cmpint(c->process_mode, ==, VF_INFER_MODE_SECONDARY);
  g_assert_cmpint(c->operate_on_unique_id, ==, 1);
  g_assert_cmpuint(c->operate_on_classes->len, ==, 2);
  g_assert_cmpint(g_array_index(c->operate_on_classes, gint, 1), ==, 4);
  g_assert_cmpint(c->min_object_width, ==, 16);
  g_assert_true(c->output_tensor_meta);
  g_assert_null(c->custom_params);
  char *where = vf_infer_config_where(c, "top-k");
  g_assert_cmpstr(where, ==, "det.yaml:15: top-k");
  g_free(where);
  where = vf_infer_config_where(c, "device-id"); /* never set: the file */
  g_assert_cmpstr(where, ==, "det.yaml: device-id");
  g_free(where);
  vf_infer_config_free(c);
}

typedef struct {
  const char *yaml;
  const char *fragments[4];
} BadCase;

/* Every bad config fails with a message naming the file, line and key. */
static void test_errors(void)
{
  static const BadCase cases[] = {
    { "model: m.onnx\nparser: ssd\nanchors: a.anchors\ntreshold: 0.3\n",
      { "det.yaml:4: unknown key 'treshold' (did you mean 'threshold'?)" } },
    { "model: m.onnx\nparser: ssd\nanchors: a.anchors\nfoo: 1\n",
      { "det.yaml:4: unknown key 'foo'", "configs/README.md" } },
    { "model: m.onnx\nparser: ssd\n  anchors: [1, 2\n", { "det.yaml:", "YAML syntax error" } },
    { "model: m.onnx\nparser: [ssd\n", { "det.yaml:", "YAML syntax error" } },
    { "- model\n- parser\n", { "det.yaml:1:", "mapping" } },
    { "", { "det.yaml", "empty" } },
    { "model: missing.onnx\nparser: ssd\n", { "det.yaml:1: model", "missing.onnx", "not found" } },
    { "parser: ssd\n", { "model", "missing" } },
    { "model: m.onnx\nparser: sdd\nanchors: a.anchors\n",
      { "det.yaml:2: parser", "unknown parser 'sdd'", "did you mean 'ssd'", "custom-lib" } },
    { "model: m.onnx\n", { "parser", "missing" } },
    { "model: m.onnx\nparser: ssd\n", { "anchors", "missing" } },
    { "model: m.onnx\nparser: ssd\nanchors: nope.anchors\n",
      { "det.yaml:3: anchors", "nope.anchors", "not found" } },
    { "model: m.onnx\nparser: yolov8\ninput-layout: NWHC\n",
      { "det.yaml:3: input-layout", "NWHC", "did you mean 'NHWC'" } },
    { "model: m.onnx\nparser: yolov8\nthreshold: 1.5\n", { "det.yaml:3: threshold", "range" } },
    { "model: m.onnx\nparser: yolov8\nthreshold: high\n",
      { "det.yaml:3: threshold", "not a number" } },
    { "model: m.onnx\nparser: yolov8\nmean: [1, 2]\n", { "det.yaml:3: mean", "1 or 3 values" } },
    { "model: m.onnx\nparser: yolov8\nstd: 0\n", { "std", "zero" } },
    { "model: m.onnx\nparser: yolov8\ninput-shape: [300, 300]\n", { "det.yaml:3: input-shape" } },
    { "model: m.onnx\nparser: yolov8\ninput-shape: [300, 300, 3]\n",
      { "input-shape", "300 channels", "input-layout" } },
    { "model: m.onnx\nparser: yolov8\nbatch-size: 0\n", { "det.yaml:3: batch-size", "range" } },
    { "model: m.onnx\nparser: yolov8\nbatch-size: 2.5\n", { "batch-size", "not an integer" } },
    { "model: m.onnx\nparser: yolov8\nkeypoints: maybe\n", { "keypoints", "boolean" } },
    { "model: m.onnx\nparser: yolov8\ntop-k: {a: 1}\n", { "det.yaml:3: top-k", "mapping" } },
    { "model: m.onnx\nparser: yolov8\ntop-k: [1, 2]\n", { "top-k", "single value" } },
    { "model: m.onnx\nparser: yolov8\nmodel: m.onnx\n", { "det.yaml:3", "twice", "det.yaml:1" } },
    { "model: m.onnx\nparser: yolov8\nlabels: none.labels\n",
      { "det.yaml:3: labels", "not found" } },
    { "model: m.onnx\nparser: yolov8\nlabels: l.labels\nnum-classes: 80\n",
      { "labels", "5 labels", "num-classes is 80" } },
    { "model: m.onnx\nparser: yolov8\nlabels: l.labels\nclass-thresholds: {Prson: 0.3}\n",
      { "det.yaml:4: class-thresholds", "no class 'Prson'", "did you mean 'Person'" } },
    { "model: m.onnx\nparser: yolov8\nclass-thresholds: {Person: 2}\n",
      { "class-thresholds", "[0, 1]" } },
    { "model: m.onnx\nparser: yolov8\nclass-thresholds: 0.5\n", { "class-thresholds", "mapping" } },
    /* found by fuzz-infer-config: an empty item ended the list early and leaked the rest */
    { "model: m.onnx\nparser: yolov8\noutput-names: [boxes, !, scores]\n",
      { "det.yaml:3: output-names", "item 2 of the list is empty" } },
    { "model: m.onnx\nparser: yolov8\nexecution-provider: tpu\n",
      { "execution-provider", "tpu", "cpu, cuda" } },
    { "model: m.onnx\nparser: yolov8\nbackend: tensorrt\n", { "backend", "tensorrt" } },
    { "model: m.onnx\nparser: yolov8\nort-library: /nonexistent/libonnxruntime.so\n",
      { "det.yaml:3: ort-library", "/nonexistent/libonnxruntime.so", "not found" } },
    { "model: m.onnx\nparser: mine\ncustom-lib: ./libmine.so\n",
      { "det.yaml:3: custom-lib", "libmine.so", "not found" } },
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    GError *err = NULL;
    VfInferConfig *c = load(cases[i].yaml, &err);
    if (c != NULL)
      g_error("case %u loaded:\n%s", i, cases[i].yaml);
    vft_assert_error(err, cases[i].fragments[0], cases[i].fragments[1], cases[i].fragments[2],
                     cases[i].fragments[3], NULL);
    g_clear_error(&err);
  }
}

static void test_missing_file(void)
{
  GError *err = NULL;
  g_assert_null(vf_infer_config_load("/nonexistent/det.yaml", &err));
  vft_assert_error(err, "/nonexistent/det.yaml", NULL);
  g_assert_true(g_error_matches(err, VF_ERROR, VF_ERROR_NOT_FOUND));
  g_clear_error(&err);

  /* and from a real file: paths resolve against its directory, messages name it */
  char *path = vft_write_file(dir, "det.yaml", "model: m.onnx\nparser: yolov8\nnms-iou: 2\n", -1);
  g_assert_null(vf_infer_config_load(path, &err));
  char *where = g_strdup_printf("%s:3: nms-iou", path);
  vft_assert_error(err, where, NULL);
  g_free(where);
  g_clear_error(&err);
  g_free(vft_write_file(dir, "det.yaml", "model: m.onnx\nparser: yolov8\n", -1));
  VfInferConfig *c = vf_infer_config_load(path, &err);
  g_assert_no_error(err);
  g_assert_cmpstr(c->model, ==, model);
  vf_infer_config_free(c);
  g_free(path);
}

/* Element properties override keys by name, with the same parsing. */
static void test_overrides(void)
{
  GError *err = NULL;
  VfInferConfig *c
      = load("model: m.onnx\nparser: ssd\nanchors: a.anchors\nlabels: l.labels\n", &err);
  g_assert_no_error(err);
  g_assert_true(vf_infer_config_set(c, "threshold", "0.25", &err));
  g_assert_true(vf_infer_config_set(c, "input-layout", "nhwc", &err));
  g_assert_true(vf_infer_config_set(c, "mean", "0.5,0.25,0.125", &err));
  g_assert_true(vf_infer_config_set(c, "std", "[2, 2, 2]", &err));
  g_assert_true(vf_infer_config_set(c, "batch_size", "8", &err));
  g_assert_true(vf_infer_config_set(c, "output-names", "boxes;scores", &err));
  g_assert_true(vf_infer_config_set(c, "operate-on-classes", "1,3", &err));
  g_assert_true(vf_infer_config_set(c, "class-thresholds", "Person=0.9, Car:0.8", &err));
  g_assert_true(vf_infer_config_set(c, "output-tensor-meta", "true", &err));
  g_assert_no_error(err);
  g_assert_true(vf_infer_config_validate(c, &err));
  g_assert_no_error(err);
  g_assert_cmpfloat(c->threshold, ==, 0.25);
  g_assert_cmpint(c->input_layout, ==, VF_INFER_LAYOUT_NHWC);
  g_assert_cmpfloat(c->mean[2], ==, 0.125);
  g_assert_cmpfloat(c->std[0], ==, 2);
  g_assert_cmpint(c->batch_size, ==, 8);
  g_assert_cmpstr(c->output_names[0], ==, "boxes");
  g_assert_cmpstr(c->output_names[1], ==, "scores");
  g_assert_cmpint(g_array_index(c->operate_on_classes, gint, 1), ==, 3);
  g_assert_cmpfloat(vf_infer_config_get_threshold(c, 3), ==, 0.9);
  g_assert_cmpfloat(vf_infer_config_get_threshold(c, 4), ==, 0.8);
  g_assert_cmpfloat(vf_infer_config_get_threshold(c, 1), ==, 0.25);
  g_assert_true(c->output_tensor_meta);
  char *where = vf_infer_config_where(c, "threshold");
  g_assert_cmpstr(where, ==, "property 'threshold'");
  g_free(where);

  g_assert_false(vf_infer_config_set(c, "threshhold", "0.3", &err));
  vft_assert_error(err, "unknown", "threshhold", "did you mean 'threshold'", NULL);
  g_assert_true(g_error_matches(err, VF_ERROR, VF_ERROR_PROPERTY));
  g_clear_error(&err);
  g_assert_false(vf_infer_config_set(c, "nms-iou", "lots", &err));
  vft_assert_error(err, "property 'nms-iou'", "not a number", NULL);
  g_clear_error(&err);
  g_assert_false(vf_infer_config_set(c, "scaling", "crop", &err));
  vft_assert_error(err, "property 'scaling'", "stretch, letterbox", NULL);
  g_clear_error(&err);
  g_assert_cmpfloat(c->nms_iou, ==, 0.5); /* unchanged by the failed sets */

  /* a path override is relative to the working directory, and checked by validate */
  g_assert_true(vf_infer_config_set(c, "model", "no-such-model.onnx", &err));
  g_assert_cmpstr(c->model, ==, "no-such-model.onnx");
  g_assert_false(vf_infer_config_validate(c, &err));
  vft_assert_error(err, "property 'model'", "no-such-model.onnx", "not found", NULL);
  g_clear_error(&err);
  g_assert_true(vf_infer_config_set(c, "model", model, &err));
  g_assert_true(vf_infer_config_set(c, "parser", "nonsense", &err));
  g_assert_false(vf_infer_config_validate(c, &err));
  vft_assert_error(err, "property 'parser'", "unknown parser 'nonsense'", NULL);
  g_clear_error(&err);
  vf_infer_config_free(c);
}

static void test_labels(void)
{
  GError *err = NULL;
  g_free(vft_write_file(dir, "crlf.labels", "background\r\nface\r\n\r\n\n", -1));
  VfInferConfig *c = load("model: m.onnx\nparser: blazeface\nlabels: crlf.labels\n", &err);
  g_assert_no_error(err);
  g_assert_cmpuint(c->n_labels, ==, 2); /* trailing blank lines dropped, \r stripped */
  g_assert_cmpstr(vf_infer_config_get_label(c, 1), ==, "face");
  vf_infer_config_free(c);
  g_free(vft_write_file(dir, "empty.labels", "\n\n", -1));
  g_assert_null(load("model: m.onnx\nparser: blazeface\nlabels: empty.labels\n", &err));
  vft_assert_error(err, "det.yaml:3: labels", "no labels", NULL);
  g_clear_error(&err);
}

/* A string of `n` copies of `c` (transfer full). */
static char *repeat(char c, gsize n)
{
  char *s = g_malloc(n + 1);
  memset(s, c, n);
  s[n] = '\0';
  return s;
}

/* An error that quotes user text keeps it short: no message of a hostile input is long. */
static void assert_short_error(GError *err, const char *fragment)
{
  g_assert_nonnull(err);
  vft_assert_error(err, fragment, NULL);
  g_test_message("%zu bytes: %.160s", strlen(err->message), err->message);
  g_assert_cmpuint(strlen(err->message), <, 1000);
}

/* Huge keys, values, labels and deep nesting get a short error at once. Before the bounds, a
 * 50 MB key spent > 300 s in "did you mean", and a 50 MB label 178 s and 4 GiB. */
static void test_bounds(void)
{
  GError *err = NULL;
  gint64 t0 = g_get_monotonic_time();
  /* past the 4 MiB bound on a whole file (the 50 MB only costs the test time) */
  char *huge = repeat('k', 5u << 20);
  VfInferConfig *c = vf_infer_config_new();
  g_assert_false(vf_infer_config_set(c, huge, "1", &err)); /* a property name, no YAML */
  assert_short_error(err, "unknown vfinfer setting 'kkkk");
  g_assert_nonnull(strstr(err->message, "…"));
  g_clear_error(&err);
  g_assert_false(vf_infer_config_set(c, "threshold", huge, &err));
  assert_short_error(err, "property 'threshold'");
  g_clear_error(&err);
  /* found by fuzz-infer-config: a key that is not UTF-8 was quoted as is */
  g_assert_false(vf_infer_config_set(c, "cl\xffss-thresh0noo4.", ",Car:0.>6", &err));
  assert_short_error(err, "unknown vfinfer setting 'cl…'");
  g_assert_true(g_utf8_validate(err->message, -1, NULL));
  g_clear_error(&err);
  g_assert_false(vf_infer_config_set(c, "input-layout", huge, &err)); /* suggestion over enum */
  assert_short_error(err, "unknown value");
  g_clear_error(&err);
  vf_infer_config_free(c);

  /* the whole text is bounded (4 MiB), then each key (1 KiB) and value (64 KiB) */
  char *yaml = g_strdup_printf("%s: 1\n", huge);
  g_assert_null(load(yaml, &err));
  assert_short_error(err, "det.yaml");
  vft_assert_error(err, "vidflow reads YAML files up to", NULL);
  g_clear_error(&err);
  g_free(yaml);
  huge[60000] = '\0';
  yaml = g_strdup_printf("model: m.onnx\n? %s\n: 1\n", huge); /* an explicit key: any length */
  g_assert_null(load(yaml, &err));
  assert_short_error(err, "det.yaml:2:3: a key of 60000 bytes");
  g_clear_error(&err);
  g_free(yaml);
  huge[1000] = '\0'; /* under the key bound: the unknown key is quoted cut short */
  yaml = g_strdup_printf("model: m.onnx\n%s: 1\n", huge);
  g_assert_null(load(yaml, &err));
  assert_short_error(err, "det.yaml:2: unknown key 'kkk");
  g_assert_nonnull(strstr(err->message, "…"));
  g_clear_error(&err);
  g_free(yaml);
  huge[1000] = 'k';
  huge[60000] = 'k';
  huge[100000] = '\0';
  yaml = g_strdup_printf("model: m.onnx\nparser: %s\n", huge);
  g_assert_null(load(yaml, &err));
  assert_short_error(err, "det.yaml:2:9: a key or value of 100000 bytes");
  g_clear_error(&err);
  g_free(yaml);
  huge[60000] = '\0'; /* a value under the bound, quoted cut short */
  yaml = g_strdup_printf("model: m.onnx\nparser: yolov8\nthreshold: %s\n", huge);
  g_assert_null(load(yaml, &err));
  assert_short_error(err, "det.yaml:3: threshold: 'kkk");
  g_clear_error(&err);
  g_free(yaml);

  /* nesting: libyaml's time grows with the square of the depth (100k levels took 21 s) */
  GString *deep = g_string_new("model: ");
  for (int i = 0; i < 100000; i++)
    g_string_append_c(deep, '[');
  g_assert_null(load(deep->str, &err));
  assert_short_error(err, "nested more than 64 levels deep");
  g_clear_error(&err);
  g_string_free(deep, TRUE);
  /* aliases count as what they repeat ("billion laughs"), and cannot loop */
  GString *laughs = g_string_new("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
  for (int i = 1; i < 9; i++)
    g_string_append_printf(laughs,
                           "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
                           "*a%d]\n",
                           i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
                           i - 1);
  g_assert_null(load(laughs->str, &err));
  assert_short_error(err, "more than 100000 nodes");
  g_clear_error(&err);
  g_string_free(laughs, TRUE);
  g_assert_null(load("a: &x [1, *x]\n", &err));
  assert_short_error(err, "alias '*x' repeats a node that contains it");
  g_clear_error(&err);

  /* labels: the file (16 MiB), each label (1 KiB); a close name is still suggested among more
   * labels than "did you mean" compares (100,000) */
  g_free(vft_write_file(dir, "huge.labels", huge, -1));
  g_assert_null(load("model: m.onnx\nparser: yolov8\nlabels: huge.labels\n", &err));
  assert_short_error(err, "det.yaml:3: labels");
  vft_assert_error(err, "huge.labels:1: a label of more than 1024 bytes", NULL);
  g_clear_error(&err);
  /* one byte past the bound, sparse: nothing to write */
  char *big = g_build_filename(dir, "big.labels", NULL);
  g_assert_true(g_file_set_contents(big, "", 0, NULL));
  g_assert_cmpint(truncate(big, (16 << 20) + 1), ==, 0);
  g_free(big);
  g_assert_null(load("model: m.onnx\nparser: yolov8\nlabels: big.labels\n", &err));
  assert_short_error(err, "more than 16777216 bytes");
  g_clear_error(&err);
  GString *many = g_string_new(labels_text);
  for (int i = 0; i < 150000; i++)
    g_string_append_printf(many, "class%d\n", i);
  g_free(vft_write_file(dir, "many.labels", many->str, -1));
  g_string_free(many, TRUE);
  yaml = g_strdup("model: m.onnx\nparser: yolov8\nlabels: many.labels\n"
                  "class-thresholds: {Prson: 0.3}\n");
  g_assert_null(load(yaml, &err));
  assert_short_error(err, "no class 'Prson'");
  vft_assert_error(err, "did you mean 'Person'", NULL);
  g_clear_error(&err);
  g_free(yaml);
  yaml = g_strdup_printf("model: m.onnx\nparser: yolov8\nlabels: many.labels\n"
                         "class-thresholds: {Person: 0.3, %.1000s: 0.2}\n",
                         huge);
  g_assert_null(load(yaml, &err));
  assert_short_error(err, "no class 'kkk");
  g_clear_error(&err);
  g_free(yaml);
  g_free(huge);
  g_test_message("all bounds checked in %.2f s", (g_get_monotonic_time() - t0) / 1e6);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  dir = vft_make_tmpdir();
  model = vft_write_file(dir, "m.onnx", "not really a model", -1);
  g_free(vft_write_file(dir, "l.labels", labels_text, -1));
  g_free(vft_write_file(dir, "a.anchors", "0123456789abcdef", 16));
  g_test_add_func("/infer/config/defaults", test_defaults);
  g_test_add_func("/infer/config/sample-configs", test_sample_configs);
  g_test_add_func("/infer/config/full", test_full);
  g_test_add_func("/infer/config/errors", test_errors);
  g_test_add_func("/infer/config/missing-file", test_missing_file);
  g_test_add_func("/infer/config/overrides", test_overrides);
  g_test_add_func("/infer/config/labels", test_labels);
  g_test_add_func("/infer/config/bounds", test_bounds);
  int rc = g_test_run();
  vft_remove_tree(dir);
  g_free(dir);
  g_free(model);
  return rc;
}
