/* Accuracy of the whole path (GStreamer decode -> preprocess -> ONNX Runtime -> parser) on real
 * pictures, against references committed in tests/data (each file says how it was made; the dog
 * and face references by tools/models/make_references.py, with none of vidflow's inference
 * code: the original TFLite model in a numpy interpreter, BlazeFace's raw ORT outputs decoded
 * in numpy):
 *   dog.jpg: Dog, Bicycle and Car, boxes IoU >= 0.7 of the reference;
 *   vtest.avi frames 0, 100, ..., 700: people counted by eye, the detector within +-1;
 *   Megamind.avi frames 30, 120, 210: BlazeFace finds the one face, IoU >= 0.7.
 * Needs data/ (tools/fetch-assets.sh). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "util.h"

/* Non-comment lines of a reference file, split on whitespace (transfer full). */
static GPtrArray *read_reference(const char *name)
{
  char *path = vft_source_path(name), *text = NULL;
  GError *err = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, &err));
  GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
  char **lines = g_strsplit(text, "\n", -1);
  for (char **l = lines; *l; l++) {
    g_strstrip(*l);
    if (**l == '\0' || **l == '#')
      continue;
    char **f = g_strsplit_set(*l, " \t", -1);
    GPtrArray *fields = g_ptr_array_new();
    for (char **x = f; *x; x++)
      if (**x)
        g_ptr_array_add(fields, g_strdup(*x));
    g_ptr_array_add(fields, NULL);
    g_ptr_array_add(rows, g_ptr_array_free(fields, FALSE));
    g_strfreev(f);
  }
  g_strfreev(lines);
  g_free(text);
  g_free(path);
  return rows;
}

static VfInferEngine *engine_for(const char *config, VfInferConfig **cfg)
{
  GError *err = NULL;
  *cfg = vft_load_sample_config(config, &err);
  g_assert_no_error(err);
  VfInferEngine *e = vf_infer_engine_new(*cfg, &err);
  g_assert_no_error(err);
  return e;
}

static void test_dog(void)
{
  GError *err = NULL;
  char *path = vft_data_path("images/dog.jpg");
  VftFrame *f = vft_decode_image(path, VF_COLOR_FORMAT_RGB, &err);
  g_assert_no_error(err);
  VfInferConfig *cfg;
  VfInferEngine *e = engine_for("ssd_mobilenet_v2_oid.yaml", &cfg);
  VfInferFrame in = { .image = &f->image };
  VfInferResult r;
  vf_infer_result_init(&r);
  g_assert_true(vf_infer_engine_process(e, &in, 1, &r, &err));
  g_assert_no_error(err);
  gdouble W = f->image.width, H = f->image.height;
  GPtrArray *ref = read_reference("tests/data/dog-expected.txt");
  g_assert_cmpuint(ref->len, ==, 3);
  for (guint i = 0; i < ref->len; i++) {
    char **row = g_ptr_array_index(ref, i);
    gdouble conf = g_ascii_strtod(row[1], NULL);
    VfDetection want
        = { .left = g_ascii_strtod(row[3], NULL) * W, .top = g_ascii_strtod(row[2], NULL) * H };
    want.width = g_ascii_strtod(row[5], NULL) * W - want.left;
    want.height = g_ascii_strtod(row[4], NULL) * H - want.top;
    gfloat best = 0;
    const VfDetection *match = NULL;
    for (guint k = 0; k < r.detections->len; k++) {
      const VfDetection *d = &g_array_index(r.detections, VfDetection, k);
      if (g_strcmp0(d->label, row[0]) == 0 && vf_detection_iou(d, &want) > best) {
        best = vf_detection_iou(d, &want);
        match = d;
      }
    }
    if (match == NULL)
      g_error("dog.jpg: no %s found", row[0]);
    g_test_message("%s: %.3f (reference %.3f), IoU %.3f with the reference box", row[0],
                   match->confidence, conf, best);
    g_assert_cmpfloat(best, >=, 0.7);
    g_assert_cmpfloat(fabs(match->confidence - conf), <=, 0.1);
  }
  g_ptr_array_unref(ref);
  vf_infer_result_clear(&r);
  vf_infer_engine_free(e);
  vf_infer_config_free(cfg);
  vft_frame_free(f);
  g_free(path);
}

static void test_vtest_persons(void)
{
  GPtrArray *ref = read_reference("tests/data/vtest-persons.txt");
  guint n = ref->len, *indices = g_new(guint, n);
  for (guint i = 0; i < n; i++)
    indices[i] = (guint)atoi(((char **)g_ptr_array_index(ref, i))[0]);
  GError *err = NULL;
  char *path = vft_data_path("footage/vtest.avi");
  /* I420: what the decoder gives a pipeline, so the YUV path of preprocessing is the one
   * measured */
  VftFrame **frames = vft_decode_video(path, indices, n, VF_COLOR_FORMAT_I420, &err);
  g_assert_no_error(err);
  VfInferConfig *cfg;
  VfInferEngine *e = engine_for("ssd_mobilenet_v2_oid.yaml", &cfg);
  guint bad = 0;
  for (guint i = 0; i < n; i++) {
    VfInferFrame in = { .image = &frames[i]->image };
    VfInferResult r;
    vf_infer_result_init(&r);
    g_assert_true(vf_infer_engine_process(e, &in, 1, &r, &err));
    gint persons = 0;
    for (guint k = 0; k < r.detections->len; k++)
      persons += g_strcmp0(g_array_index(r.detections, VfDetection, k).label, "Person") == 0;
    gint want = atoi(((char **)g_ptr_array_index(ref, i))[1]);
    g_test_message("vtest frame %u: %d people found, %d expected", indices[i], persons, want);
    bad += ABS(persons - want) > 1;
    vf_infer_result_clear(&r);
    vft_frame_free(frames[i]);
  }
  g_assert_cmpuint(bad, ==, 0);
  g_free(frames);
  g_free(indices);
  g_ptr_array_unref(ref);
  vf_infer_engine_free(e);
  vf_infer_config_free(cfg);
  g_free(path);
}

static void test_blazeface(void)
{
  GPtrArray *ref = read_reference("tests/data/megamind-faces.txt");
  guint n = ref->len, *indices = g_new(guint, n);
  for (guint i = 0; i < n; i++)
    indices[i] = (guint)atoi(((char **)g_ptr_array_index(ref, i))[0]);
  GError *err = NULL;
  char *path = vft_data_path("footage/Megamind.avi");
  VftFrame **frames = vft_decode_video(path, indices, n, VF_COLOR_FORMAT_RGB, &err);
  g_assert_no_error(err);
  VfInferConfig *cfg;
  VfInferEngine *e = engine_for("blazeface.yaml", &cfg);
  for (guint i = 0; i < n; i++) {
    char **row = g_ptr_array_index(ref, i);
    VfDetection want = { .left = g_ascii_strtod(row[1], NULL),
                         .top = g_ascii_strtod(row[2], NULL),
                         .width = g_ascii_strtod(row[3], NULL),
                         .height = g_ascii_strtod(row[4], NULL) };
    VfInferFrame in = { .image = &frames[i]->image };
    VfInferResult r;
    vf_infer_result_init(&r);
    g_assert_true(vf_infer_engine_process(e, &in, 1, &r, &err));
    g_assert_cmpuint(r.detections->len, ==, 1);
    const VfDetection *d = &g_array_index(r.detections, VfDetection, 0);
    gfloat iou = vf_detection_iou(d, &want);
    g_test_message("Megamind frame %u: face %.2f, IoU %.3f with the reference", indices[i],
                   d->confidence, iou);
    g_assert_cmpstr(d->label, ==, "face");
    g_assert_cmpfloat(iou, >=, 0.7);
    g_assert_cmpuint(d->n_keypoints, ==, 6);
    for (guint k = 0; k < 2; k++) { /* the eyes: inside the box, in its upper half */
      g_assert_cmpfloat(d->keypoints[k][0], >, d->left);
      g_assert_cmpfloat(d->keypoints[k][0], <, d->left + d->width);
      g_assert_cmpfloat(d->keypoints[k][1], >, d->top);
      g_assert_cmpfloat(d->keypoints[k][1], <, d->top + d->height / 2);
    }
    vf_infer_result_clear(&r);
    vft_frame_free(frames[i]);
  }
  g_free(frames);
  g_free(indices);
  g_ptr_array_unref(ref);
  vf_infer_engine_free(e);
  vf_infer_config_free(cfg);
  g_free(path);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  vft_require_data("onnxruntime/lib/libonnxruntime.so", "models/ssd_mobilenet_v2_oid.onnx",
                   "models/blazeface_128.onnx", "images/dog.jpg", "footage/vtest.avi",
                   "footage/Megamind.avi", NULL);
  g_test_add_func("/infer/accuracy/dog", test_dog);
  g_test_add_func("/infer/accuracy/vtest-persons", test_vtest_persons);
  g_test_add_func("/infer/accuracy/blazeface", test_blazeface);
  return g_test_run();
}
