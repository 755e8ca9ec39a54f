/* Tests of the engine (config + session + preprocessing + parser) on the real models: batching,
 * crops, raw tensors, the shared session, and every bad setup failing at start with a clear
 * error. Needs data/ (tools/fetch-assets.sh). */
#include <math.h>
#include <string.h>

#include "engine.h"
#include "util.h"

static const char *ssd_config = "ssd_mobilenet_v2_oid.yaml";
static char *tmp;
static VftFrame *dog;

static VfInferConfig *load_with(const char *path, const char *const *overrides)
{
  GError *err = NULL;
  VfInferConfig *c = vft_load_sample_config(path, &err);
  g_assert_no_error(err);
  for (guint i = 0; overrides && overrides[i]; i += 2)
    g_assert_true(vf_infer_config_set(c, overrides[i], overrides[i + 1], &err));
  g_assert_true(vf_infer_config_validate(c, &err));
  g_assert_no_error(err);
  return c;
}

static void assert_engine_fails(const char *config_path, const char *first,
                                ...) G_GNUC_NULL_TERMINATED;

static void assert_engine_fails(const char *config_path, const char *first, ...)
{
  GError *err = NULL;
  VfInferConfig *c = vf_infer_config_load(config_path, &err);
  VfInferEngine *e = c ? vf_infer_engine_new(c, &err) : NULL;
  g_assert_null(e);
  g_assert_nonnull(err);
  g_test_message("error: %s", err->message);
  va_list ap;
  va_start(ap, first);
  for (const char *f = first; f; f = va_arg(ap, const char *))
    if (!strstr(err->message, f))
      g_error("'%s' lacks '%s'", err->message, f);
  va_end(ap);
  g_clear_error(&err);
  vf_infer_config_free(c);
}

static gboolean same_detections(const VfInferResult *a, const VfInferResult *b, gfloat box_tol)
{
  if (a->detections->len != b->detections->len)
    return FALSE;
  for (guint i = 0; i < a->detections->len; i++) {
    const VfDetection *x = &g_array_index(a->detections, VfDetection, i);
    const VfDetection *y = &g_array_index(b->detections, VfDetection, i);
    if (x->class_id != y->class_id || fabsf(x->confidence - y->confidence) > 1e-3
        || fabsf(x->left - y->left) > box_tol || fabsf(x->top - y->top) > box_tol
        || fabsf(x->width - y->width) > box_tol || fabsf(x->height - y->height) > box_tol)
      return FALSE;
  }
  return TRUE;
}

static void test_ssd(void)
{
  VfInferConfig *c = load_with(ssd_config, NULL);
  GError *err = NULL;
  VfInferEngine *e = vf_infer_engine_new(c, &err);
  g_assert_no_error(err);
  guint w, h, ch;
  vf_infer_engine_get_input_size(e, &w, &h, &ch);
  g_assert_cmpuint(w, ==, 300);
  g_assert_cmpuint(h, ==, 300);
  g_assert_cmpuint(ch, ==, 3);
  g_assert_cmpint(vf_infer_engine_get_kind(e), ==, VF_PARSER_DETECTOR);
  VfInferFrame f = { .image = &dog->image };
  VfInferResult r;
  vf_infer_result_init(&r);
  g_assert_true(vf_infer_engine_process(e, &f, 1, &r, &err));
  g_assert_no_error(err);
  g_assert_cmpuint(r.detections->len, ==, 3);
  g_assert_cmpuint(r.tensors->len, ==, 0);
  for (guint i = 0; i < r.detections->len; i++) {
    const VfDetection *d = &g_array_index(r.detections, VfDetection, i);
    g_assert_nonnull(d->label);
    g_assert_cmpfloat(d->left, >=, 0);
    g_assert_cmpfloat(d->left + d->width, <=, 768);
  }
  VfInferTimings t;
  vf_infer_engine_get_timings(e, &t);
  g_test_message("dog.jpg batch 1: preprocess %.2f ms, inference %.2f ms, parse %.2f ms",
                 t.preprocess * 1e3, t.inference * 1e3, t.parse * 1e3);

  /* the same config again: the same session */
  VfInferEngine *e2 = vf_infer_engine_new(c, &err);
  g_assert_true(vf_infer_engine_get_session(e) == vf_infer_engine_get_session(e2));
  vf_infer_engine_free(e2);
  vf_infer_result_clear(&r);
  vf_infer_engine_free(e);
  vf_infer_config_free(c);
}

/* Batches of 4 (5 frames: a full batch and a short one) give what batch 1 gives. */
static void test_batches(void)
{
  VfInferConfig *c1 = load_with(ssd_config, NULL);
  const char *const four[] = { "batch-size", "4", NULL };
  VfInferConfig *c4 = load_with(ssd_config, four);
  GError *err = NULL;
  VfInferEngine *e1 = vf_infer_engine_new(c1, &err), *e4 = vf_infer_engine_new(c4, &err);
  g_assert_no_error(err);
  g_assert_cmpuint(vf_infer_engine_get_batch_size(e4), ==, 4);
  VfInferRect crop = { 0, 100, 500, 476 };
  VfInferFrame frames[5];
  for (guint i = 0; i < 5; i++)
    frames[i] = (VfInferFrame){ .image = &dog->image, .roi = i == 2 ? &crop : NULL };
  VfInferResult single[5], batched[5];
  for (guint i = 0; i < 5; i++) {
    vf_infer_result_init(&single[i]);
    vf_infer_result_init(&batched[i]);
  }
  gint64 t0 = g_get_monotonic_time();
  for (guint i = 0; i < 5; i++)
    g_assert_true(vf_infer_engine_process(e1, &frames[i], 1, &single[i], &err));
  gint64 t1 = g_get_monotonic_time();
  g_assert_true(vf_infer_engine_process(e4, frames, 5, batched, &err));
  gint64 t2 = g_get_monotonic_time();
  g_assert_no_error(err);
  g_test_message("5 frames: batch 1 %.2f ms/frame, batch 4 %.2f ms/frame", (t1 - t0) / 5e3,
                 (t2 - t1) / 5e3);
  for (guint i = 0; i < 5; i++) {
    g_assert_cmpuint(single[i].detections->len, >, 0);
    g_assert_true(same_detections(&single[i], &batched[i], 0.5f));
    vf_infer_result_clear(&single[i]);
    vf_infer_result_clear(&batched[i]);
  }
  vf_infer_engine_free(e1);
  vf_infer_engine_free(e4);
  vf_infer_config_free(c1);
  vf_infer_config_free(c4);
}

/* Secondary mode: a crop in, boxes out in frame pixels inside the crop. */
static void test_crop(void)
{
  VfInferConfig *c = load_with(ssd_config, NULL);
  GError *err = NULL;
  VfInferEngine *e = vf_infer_engine_new(c, &err);
  VfInferRect crop = { 60, 180, 300, 396 }; /* around the dog */
  VfInferFrame f = { .image = &dog->image, .roi = &crop };
  VfInferResult r;
  vf_infer_result_init(&r);
  g_assert_true(vf_infer_engine_process(e, &f, 1, &r, &err));
  g_assert_no_error(err);
  gboolean dog_found = FALSE;
  for (guint i = 0; i < r.detections->len; i++) {
    const VfDetection *d = &g_array_index(r.detections, VfDetection, i);
    g_test_message("crop: %s %.2f at %.0f,%.0f %.0fx%.0f", d->label, d->confidence, d->left, d->top,
                   d->width, d->height);
    g_assert_cmpfloat(d->left, >=, crop.x - 0.01);
    g_assert_cmpfloat(d->top, >=, crop.y - 0.01);
    g_assert_cmpfloat(d->left + d->width, <=, crop.x + crop.width + 0.01);
    g_assert_cmpfloat(d->top + d->height, <=, crop.y + crop.height + 0.01);
    if (g_strcmp0(d->label, "Dog") == 0) {
      dog_found = TRUE;
      /* the reference dog box: x 125..325, y 212..551 */
      g_assert_cmpfloat(fabsf(d->left - 125), <, 30);
      g_assert_cmpfloat(fabsf(d->top + d->height - 551), <, 30);
    }
  }
  g_assert_true(dog_found);
  vf_infer_result_clear(&r);
  vf_infer_engine_free(e);
  vf_infer_config_free(c);
}

static void test_tensor_meta(void)
{
  const char *const o[] = { "output-tensor-meta", "true", NULL };
  VfInferConfig *c = load_with(ssd_config, o);
  GError *err = NULL;
  VfInferEngine *e = vf_infer_engine_new(c, &err);
  VfInferFrame f = { .image = &dog->image };
  VfInferResult r;
  vf_infer_result_init(&r);
  g_assert_true(vf_infer_engine_process(e, &f, 1, &r, &err));
  g_assert_cmpuint(r.tensors->len, ==, 2);
  const VfInferTensor *t = g_ptr_array_index(r.tensors, 1);
  g_assert_cmpstr(t->name, ==, "scores");
  g_assert_cmpint(t->shape[0], ==, 1);
  g_assert_cmpint(t->shape[1], ==, 1917);
  g_assert_cmpint(t->shape[2], ==, 24);
  g_assert_nonnull(t->data);
  vf_infer_result_clear(&r);
  vf_infer_engine_free(e);
  vf_infer_config_free(c);
}

/* A config file in the temporary directory; "@M" in the text stands for data/models. */
static char *write_config(const char *name, const char *text)
{
  char *models = vft_data_path("models");
  char **parts = g_strsplit(text, "@M", -1);
  char *full = g_strjoinv(models, parts);
  char *path = vft_write_file(tmp, name, full, -1);
  g_strfreev(parts);
  g_free(full);
  g_free(models);
  return path;
}

#define SSD_MODEL "model: @M/ssd_mobilenet_v2_oid.onnx\n"
#define SSD_FILES SSD_MODEL "anchors: @M/ssd_mobilenet_v2_oid.anchors\nparser: ssd\n"

/* Every bad setup fails in vf_infer_engine_new (or the config load) with a clear message. */
static void test_bad_setups(void)
{
  /* labels count not matching the model's classes: 23 of the 24 labels */
  char *labels = vft_data_path("models/ssd_mobilenet_v2_oid.labels"), *text = NULL;
  g_assert_true(g_file_get_contents(labels, &text, NULL, NULL));
  *strrchr(text, '\n') = '\0';
  *(strrchr(text, '\n') + 1) = '\0';
  g_free(vft_write_file(tmp, "short.labels", text, -1));
  g_free(text);
  g_free(labels);
  char *p = write_config("labels.yaml", SSD_FILES "labels: short.labels\ninput-layout: NHWC\n");
  assert_engine_fails(p, "labels.yaml:4: labels", "23 labels", "24 classes", "'scores'", NULL);
  g_free(p);

  /* the model input not matching the config */
  p = write_config("nchw.yaml", SSD_FILES);
  assert_engine_fails(p, "nchw.yaml: input-layout", "[?,300,300,3]", "300 channels",
                      "set input-layout: NHWC", NULL);
  g_free(p);
  p = write_config("shape.yaml", SSD_FILES "input-shape: [3, 300, 300]\n");
  assert_engine_fails(p, "shape.yaml:4: input-shape", "does not match the model input 'input'",
                      "check input-layout", NULL);
  g_free(p);
  p = write_config("size.yaml", SSD_FILES "input-layout: NHWC\ninput-shape: [320, 320, 3]\n");
  assert_engine_fails(p, "size.yaml:5: input-shape", "[320, 320, 3]", "[?,300,300,3]", NULL);
  g_free(p);
  p = write_config("input.yaml", SSD_FILES "input-layout: NHWC\ninput-name: image\n");
  assert_engine_fails(p, "input.yaml:5: input-name", "no input 'image'", "'input'", NULL);
  g_free(p);
  p = write_config("outputs.yaml", SSD_FILES "input-layout: NHWC\noutput-names: [boxes, logits]\n");
  assert_engine_fails(p, "outputs.yaml:5: output-names", "no output 'logits'", "'scores'", NULL);
  g_free(p);

  /* parser setups that do not fit the model */
  g_free(vft_write_file(tmp, "few.anchors", "0123456789abcdef0123456789abcdef", 32));
  p = write_config("anchors.yaml",
                   SSD_MODEL "anchors: few.anchors\nparser: ssd\ninput-layout: NHWC\n");
  assert_engine_fails(p, "anchors.yaml:2: anchors", "2 anchors", "1917 boxes", NULL);
  g_free(p);
  p = write_config("yolo.yaml", SSD_MODEL "parser: yolov8\ninput-layout: NHWC\n");
  assert_engine_fails(p, "yolo.yaml:2: parser", "yolov8", NULL);
  g_free(p);
  p = write_config("bf4.yaml", "model: @M/blazeface_128.onnx\nparser: blazeface\n"
                               "input-layout: NHWC\nbatch-size: 4\n");
  assert_engine_fails(p, "bf4.yaml:4: batch-size", "fixed batch of 1", NULL);
  g_free(p);
  p = write_config("bfssd.yaml", "model: @M/blazeface_128.onnx\nparser: ssd\n"
                                 "input-layout: NHWC\nanchors: @M/ssd_mobilenet_v2_oid.anchors\n");
  assert_engine_fails(p, "bfssd.yaml:2: parser", "ssd", NULL);
  g_free(p);

  /* missing model, unknown parser, missing ONNX Runtime: at config load */
  p = write_config("model.yaml", "model: gone.onnx\nparser: ssd\n");
  assert_engine_fails(p, "model.yaml:1: model", "gone.onnx", "not found", NULL);
  g_free(p);
  p = write_config("parser.yaml", SSD_MODEL "parser: retinanet\n");
  assert_engine_fails(p, "parser.yaml:2: parser", "unknown parser 'retinanet'", NULL);
  g_free(p);
  p = write_config("ort.yaml", SSD_FILES "ort-library: /opt/none/libonnxruntime.so\n");
  assert_engine_fails(p, "ort.yaml:4: ort-library", "/opt/none/libonnxruntime.so", "not found",
                      NULL);
  g_free(p);
}

/* A frame the engine cannot take: an error naming the config, no crash. */
static void test_bad_frame(void)
{
  VfInferConfig *c = load_with(ssd_config, NULL);
  GError *err = NULL;
  VfInferEngine *e = vf_infer_engine_new(c, &err);
  VfImage jpeg = dog->image;
  jpeg.format = VF_COLOR_FORMAT_JPEG;
  VfInferFrame f = { .image = &jpeg };
  VfInferResult r;
  vf_infer_result_init(&r);
  g_assert_false(vf_infer_engine_process(e, &f, 1, &r, &err));
  vft_assert_error(err, "ssd_mobilenet_v2_oid.yaml", "JPEG", NULL);
  g_clear_error(&err);
  vf_infer_result_clear(&r);
  vf_infer_engine_free(e);
  vf_infer_config_free(c);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  vft_require_data("onnxruntime/lib/libonnxruntime.so", "models/ssd_mobilenet_v2_oid.onnx",
                   "models/ssd_mobilenet_v2_oid.anchors", "models/blazeface_128.onnx",
                   "images/dog.jpg", NULL);
  tmp = vft_make_tmpdir();
  char *dog_path = vft_data_path("images/dog.jpg");
  GError *err = NULL;
  dog = vft_decode_image(dog_path, VF_COLOR_FORMAT_RGB, &err);
  g_assert_no_error(err);
  g_free(dog_path);
  g_test_add_func("/infer/engine/ssd", test_ssd);
  g_test_add_func("/infer/engine/batches", test_batches);
  g_test_add_func("/infer/engine/crop", test_crop);
  g_test_add_func("/infer/engine/tensor-meta", test_tensor_meta);
  g_test_add_func("/infer/engine/bad-setups", test_bad_setups);
  g_test_add_func("/infer/engine/bad-frame", test_bad_frame);
  int rc = g_test_run();
  vft_frame_free(dog);
  vft_remove_tree(tmp);
  g_free(tmp);
  return rc;
}
