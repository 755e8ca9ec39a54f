/* Tests of the built-in output parsers on synthetic tensors with known answers. */
#include <math.h>
#include <string.h>

#include "parser.h"
#include "util.h"

static char *dir;

/* A config from YAML whose model file is a stand-in (parsers never open it). */
static VfInferConfig *config(const char *yaml)
{
  char *full = g_strdup_printf("model: m.onnx\n%s", yaml);
  GError *err = NULL;
  VfInferConfig *c = vf_infer_config_load_from_data(full, "test.yaml", dir, &err);
  g_assert_no_error(err);
  g_free(full);
  return c;
}

static VfInferTensorInfo info(const char *name, guint ndim, gint64 d0, gint64 d1, gint64 d2)
{
  VfInferTensorInfo i = { .name = (char *)name, .dtype = VF_DTYPE_FLOAT32, .ndim = ndim };
  gint64 d[3] = { d0, d1, d2 };
  memcpy(i.shape, d, sizeof d);
  return i;
}

static VfInferTensor tensor(const VfInferTensorInfo *i, gfloat *data)
{
  VfInferTensor t = { .name = i->name, .dtype = i->dtype, .ndim = i->ndim, .data = data };
  memcpy(t.shape, i->shape, sizeof t.shape);
  return t;
}

static VfParser *make(VfInferConfig *c, guint w, guint h, const VfInferTensorInfo *infos, guint n)
{
  GError *err = NULL;
  VfParser *p = vf_parser_new(c, w, h, &err);
  g_assert_no_error(err);
  g_assert_true(vf_parser_prepare(p, infos, n, &err));
  g_assert_no_error(err);
  return p;
}

static const VfDetection *det(const VfInferResult *r, guint i)
{
  return &g_array_index(r->detections, VfDetection, i);
}

static gfloat logit(gfloat p)
{
  return logf(p / (1 - p));
}

/* --- shared helpers --- */

static void test_nms(void)
{
  GArray *a = g_array_new(FALSE, FALSE, sizeof(VfDetection));
  VfDetection d[] = {
    { .class_id = 1, .confidence = 0.6f, .left = 0, .top = 0, .width = 10, .height = 10 },
    { .class_id = 1, .confidence = 0.9f, .left = 1, .top = 0, .width = 10, .height = 10 },
    { .class_id = 2, .confidence = 0.8f, .left = 1, .top = 1, .width = 10, .height = 10 },
    { .class_id = 1, .confidence = 0.7f, .left = 50, .top = 50, .width = 10, .height = 10 },
  };
  g_assert_cmpfloat_with_epsilon(vf_detection_iou(&d[0], &d[1]), 90.0 / 110.0, 1e-6);
  g_array_append_vals(a, d, 4);
  vf_detections_nms(a, 0.5f, 100, TRUE); /* per class: class 2 survives beside class 1 */
  g_assert_cmpuint(a->len, ==, 3);
  g_assert_cmpfloat(g_array_index(a, VfDetection, 0).confidence, ==, 0.9f);
  g_assert_cmpint(g_array_index(a, VfDetection, 1).class_id, ==, 2);
  g_array_set_size(a, 0);
  g_array_append_vals(a, d, 4);
  vf_detections_nms(a, 0.5f, 100, FALSE); /* class-agnostic */
  g_assert_cmpuint(a->len, ==, 2);
  g_array_set_size(a, 0);
  g_array_append_vals(a, d, 4);
  vf_detections_nms(a, 1.0f, 2, TRUE); /* no suppression, top-k 2 */
  g_assert_cmpuint(a->len, ==, 2);
  g_assert_cmpfloat(g_array_index(a, VfDetection, 1).confidence, ==, 0.8f);
  g_array_free(a, TRUE);
}

static void test_to_frame(void)
{
  GArray *a = g_array_new(FALSE, FALSE, sizeof(VfDetection));
  /* a 200x100 frame letterboxed into 100x100: scale 0.5, offset y 25 */
  VfPreprocessTransform t = { .scale_x = 0.5, .scale_y = 0.5, .offset_y = 25 };
  VfDetection d[] = {
    { .left = 10,
      .top = 35,
      .width = 20,
      .height = 10,
      .n_keypoints = 1,
      .keypoints = { { 20, 40 } } },
    { .left = 90, .top = 70, .width = 40, .height = 40 },  /* partly outside: clipped */
    { .left = 10, .top = 0, .width = 10, .height = 20 },   /* in the border: dropped */
    { .left = NAN, .top = 30, .width = 10, .height = 10 }, /* dropped */
  };
  g_array_append_vals(a, d, 4);
  vf_detections_to_frame(a, &t, 200, 100);
  g_assert_cmpuint(a->len, ==, 2);
  const VfDetection *r = &g_array_index(a, VfDetection, 0);
  g_assert_cmpfloat(r->left, ==, 20);
  g_assert_cmpfloat(r->top, ==, 20);
  g_assert_cmpfloat(r->width, ==, 40);
  g_assert_cmpfloat(r->height, ==, 20);
  g_assert_cmpfloat(r->keypoints[0][0], ==, 40);
  g_assert_cmpfloat(r->keypoints[0][1], ==, 30);
  r = &g_array_index(a, VfDetection, 1);
  g_assert_cmpfloat(r->left, ==, 180);
  g_assert_cmpfloat(r->width, ==, 20);
  g_assert_cmpfloat(r->top, ==, 90);
  g_assert_cmpfloat(r->height, ==, 10);
  g_array_free(a, TRUE);
}

/* --- SSD --- */

static void test_ssd(void)
{
  /* 4 anchors (yc, xc, h, w), 3 classes: background, cat, dog */
  gfloat anchors[4][4] = { { 0.5f, 0.5f, 0.2f, 0.4f },
                           { 0.5f, 0.52f, 0.2f, 0.4f },
                           { 0.2f, 0.2f, 0.1f, 0.1f },
                           { 0.8f, 0.8f, 0.1f, 0.1f } };
  g_free(vft_write_file(dir, "ssd.anchors", (const char *)anchors, sizeof anchors));
  g_free(vft_write_file(dir, "ssd.labels", "background\ncat\ndog\n", -1));
  VfInferConfig *c = config("parser: ssd\nanchors: ssd.anchors\nlabels: ssd.labels\n"
                            "class-thresholds: {dog: 0.8}\n");
  VfInferTensorInfo infos[] = { info("scores", 2, 4, 3, 0), info("boxes", 2, 4, 4, 0) };
  VfParser *p = make(c, 300, 200, infos, 2); /* outputs told apart by shape */
  g_assert_cmpint(p->num_classes, ==, 3);

  gfloat boxes[4][4] = { { 0 } };
  boxes[3][0] = 10 * 0.05f;  /* anchor 3: yc moved by 0.05 * h: 0.8 + 0.005 */
  boxes[3][2] = 5 * logf(2); /* h doubled */
  gfloat scores[4][3] = {
    { 9, logit(0.9f), -9 },            /* cat 0.9 (background high: ignored) */
    { -9, logit(0.7f), -9 },           /* cat 0.7, overlaps anchor 0: suppressed */
    { -9, -9, logit(0.75f) },          /* dog 0.75 < its threshold 0.8 */
    { -9, logit(0.6f), logit(0.85f) }, /* cat 0.6 and dog 0.85 on one box */
  };
  VfInferTensor outs[] = { tensor(&infos[0], &scores[0][0]), tensor(&infos[1], &boxes[0][0]) };
  VfInferResult r;
  vf_infer_result_init(&r);
  GError *err = NULL;
  g_assert_true(vf_parser_parse(p, outs, 2, &r, &err));
  g_assert_cmpuint(r.detections->len, ==, 3);
  g_assert_cmpstr(det(&r, 0)->label, ==, "cat");
  g_assert_cmpfloat_with_epsilon(det(&r, 0)->confidence, 0.9, 1e-5);
  g_assert_cmpfloat_with_epsilon(det(&r, 0)->left, (0.5 - 0.2) * 300, 1e-3);
  g_assert_cmpfloat_with_epsilon(det(&r, 0)->top, (0.5 - 0.1) * 200, 1e-3);
  g_assert_cmpfloat_with_epsilon(det(&r, 0)->width, 0.4 * 300, 1e-3);
  g_assert_cmpstr(det(&r, 1)->label, ==, "dog");
  g_assert_cmpfloat_with_epsilon(det(&r, 1)->height, 0.2 * 200, 1e-3);
  g_assert_cmpfloat_with_epsilon(det(&r, 1)->top, (0.805 - 0.1) * 200, 1e-3);
  g_assert_cmpstr(det(&r, 2)->label, ==, "cat");
  g_assert_cmpfloat_with_epsilon(det(&r, 2)->confidence, 0.6, 1e-5);
  vf_parser_free(p);
  vf_infer_config_free(c);

  /* top-k 1, softmax over all classes (background included) */
  c = config("parser: ssd\nanchors: ssd.anchors\nlabels: ssd.labels\ntop-k: 1\n"
             "score-activation: softmax\nthreshold: 0.3\noutput-names: [boxes, scores]\n");
  VfInferTensorInfo named[] = { infos[1], infos[0] };
  p = make(c, 300, 200, named, 2);
  gfloat sm[4][3]
      = { { 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 }, { 0, logf(2), logf(7) } }; /* 0.1 0.2 0.7 */
  VfInferTensor outs2[] = { tensor(&named[0], &boxes[0][0]), tensor(&named[1], &sm[0][0]) };
  g_assert_true(vf_parser_parse(p, outs2, 2, &r, &err));
  g_assert_cmpuint(r.detections->len, ==, 1);
  g_assert_cmpstr(det(&r, 0)->label, ==, "dog");
  g_assert_cmpfloat_with_epsilon(det(&r, 0)->confidence, 0.7, 1e-5);
  vf_parser_free(p);
  vf_infer_config_free(c);
  vf_infer_result_clear(&r);
}

static void test_ssd_errors(void)
{
  GError *err = NULL;
  g_free(vft_write_file(dir, "bad.labels", "a\nb\n", -1));
  VfInferConfig *c = config("parser: ssd\nanchors: ssd.anchors\nlabels: bad.labels\n");
  VfParser *p = vf_parser_new(c, 300, 300, &err);
  VfInferTensorInfo ok[] = { info("boxes", 2, 4, 4, 0), info("scores", 2, 4, 3, 0) };
  g_assert_false(vf_parser_prepare(p, ok, 2, &err)); /* 2 labels, 3 classes */
  vft_assert_error(err, "test.yaml:4: labels", "2 labels", "3 classes", "'scores' [4,3]", NULL);
  g_clear_error(&err);
  vf_parser_free(p);
  vf_infer_config_free(c);

  c = config("parser: ssd\nanchors: ssd.anchors\n");
  VfInferTensorInfo more[] = { info("boxes", 2, 5, 4, 0), info("scores", 2, 5, 3, 0) };
  p = vf_parser_new(c, 300, 300, &err);
  g_assert_false(vf_parser_prepare(p, more, 2, &err)); /* 4 anchors in the file, 5 rows */
  vft_assert_error(err, "anchors", "4 anchors", "5 boxes", NULL);
  g_clear_error(&err);
  vf_parser_free(p);
  p = vf_parser_new(c, 300, 300, &err);
  g_assert_false(vf_parser_prepare(p, more, 1, &err));
  vft_assert_error(err, "two outputs", NULL);
  g_clear_error(&err);
  vf_parser_free(p);
  VfInferTensorInfo same[] = { info("a", 2, 4, 4, 0), info("b", 2, 4, 4, 0) };
  p = vf_parser_new(c, 300, 300, &err);
  g_assert_false(vf_parser_prepare(p, same, 2, &err));
  vft_assert_error(err, "output-names", NULL);
  g_clear_error(&err);
  vf_parser_free(p);
  vf_infer_config_free(c);
}

/* --- BlazeFace --- */

static void test_blazeface_anchors(void)
{
  guint n = 0;
  gfloat *a = vf_blazeface_anchors(128, 128, &n);
  g_assert_cmpuint(n, ==, 896);
  /* stride 8: 16x16 cells x 2; first cell centre (0.5/16) */
  g_assert_cmpfloat(a[0], ==, 0.5f / 16);
  g_assert_cmpfloat(a[2], ==, 0.5f / 16); /* second anchor, same cell */
  g_assert_cmpfloat(a[2 * 2], ==, 1.5f / 16);
  g_assert_cmpfloat(a[2 * 511 + 1], ==, 15.5f / 16);
  /* stride 16: 8x8 cells x 6 from anchor 512 */
  g_assert_cmpfloat(a[2 * 512], ==, 0.5f / 8);
  g_assert_cmpfloat(a[2 * 517], ==, 0.5f / 8);
  g_assert_cmpfloat(a[2 * 518], ==, 1.5f / 8);
  g_assert_cmpfloat(a[2 * 895], ==, 7.5f / 8);
  g_assert_cmpfloat(a[2 * 895 + 1], ==, 7.5f / 8);
  g_free(a);
}

static void test_blazeface(void)
{
  VfInferConfig *c = config("parser: blazeface\nkeypoints: true\nthreshold: 0.75\nnms-iou: 0.3\n");
  /* the split layout of the barracuda export, in its output order */
  VfInferTensorInfo infos[] = { info("s8", 2, 512, 1, 0), info("s16", 2, 384, 1, 0),
                                info("r8", 2, 512, 16, 0), info("r16", 2, 384, 16, 0) };
  VfParser *p = make(c, 128, 128, infos, 4);
  gfloat *s8 = g_new0(gfloat, 512), *s16 = g_new0(gfloat, 384);
  gfloat *r8 = g_new0(gfloat, 512 * 16), *r16 = g_new0(gfloat, 384 * 16);
  for (guint i = 0; i < 512; i++)
    s8[i] = -20;
  for (guint i = 0; i < 384; i++)
    s16[i] = -20;
  /* a face at stride-8 anchor 2*(3*16+5): cell (x 5, y 3), centre (44, 28), moved by (+2, -1) */
  guint a = 2 * (3 * 16 + 5);
  s8[a] = logit(0.95f);
  gfloat *r = r8 + a * 16;
  r[0] = 2, r[1] = -1, r[2] = 20, r[3] = 24;
  r[4] = -4, r[5] = -3;    /* keypoint 0 relative to the anchor */
  s8[a + 1] = logit(0.9f); /* the same face again from the twin anchor: suppressed */
  r8[(a + 1) * 16 + 2] = 20, r8[(a + 1) * 16 + 3] = 24;
  s16[6 * 10] = logit(0.6f); /* below the threshold */
  VfInferTensor outs[] = { tensor(&infos[0], s8), tensor(&infos[1], s16), tensor(&infos[2], r8),
                           tensor(&infos[3], r16) };
  VfInferResult res;
  vf_infer_result_init(&res);
  GError *err = NULL;
  g_assert_true(vf_parser_parse(p, outs, 4, &res, &err));
  g_assert_cmpuint(res.detections->len, ==, 1);
  const VfDetection *d = det(&res, 0);
  g_assert_cmpstr(d->label, ==, "face");
  g_assert_cmpfloat_with_epsilon(d->confidence, 0.95, 1e-5);
  g_assert_cmpfloat_with_epsilon(d->left, 44 + 2 - 10, 1e-4);
  g_assert_cmpfloat_with_epsilon(d->top, 28 - 1 - 12, 1e-4);
  g_assert_cmpfloat_with_epsilon(d->width, 20, 1e-4);
  g_assert_cmpfloat_with_epsilon(d->height, 24, 1e-4);
  g_assert_cmpuint(d->n_keypoints, ==, 6);
  g_assert_cmpfloat_with_epsilon(d->keypoints[0][0], 40, 1e-4);
  g_assert_cmpfloat_with_epsilon(d->keypoints[0][1], 25, 1e-4);
  vf_parser_free(p);
  vf_infer_config_free(c);

  /* the concatenated layout [896,1] + [896,16], no keypoints */
  c = config("parser: blazeface\n");
  VfInferTensorInfo cat[] = { info("regressors", 2, 896, 16, 0), info("scores", 2, 896, 1, 0) };
  p = make(c, 128, 128, cat, 2);
  gfloat *scores = g_new(gfloat, 896), *regs = g_new0(gfloat, 896 * 16);
  for (guint i = 0; i < 896; i++)
    scores[i] = i == 600 ? 3.f : -20.f;
  regs[600 * 16 + 2] = regs[600 * 16 + 3] = 30;
  VfInferTensor outs2[] = { tensor(&cat[0], regs), tensor(&cat[1], scores) };
  g_assert_true(vf_parser_parse(p, outs2, 2, &res, &err));
  g_assert_cmpuint(res.detections->len, ==, 1);
  g_assert_cmpuint(det(&res, 0)->n_keypoints, ==, 0);
  /* anchor 600 = 512 + 88: stride-16 cell 88 / 6 = 14 -> (x 6, y 1): centre (104, 24) */
  g_assert_cmpfloat_with_epsilon(det(&res, 0)->left, 104 - 15, 1e-4);
  g_assert_cmpfloat_with_epsilon(det(&res, 0)->top, 24 - 15, 1e-4);
  vf_parser_free(p);

  /* a model whose outputs do not cover the anchors */
  VfInferTensorInfo wrong[] = { info("regressors", 2, 100, 16, 0), info("scores", 2, 100, 1, 0) };
  p = vf_parser_new(c, 128, 128, &err);
  g_assert_false(vf_parser_prepare(p, wrong, 2, &err));
  vft_assert_error(err, "blazeface", "896 anchors", "'scores' [100,1]", NULL);
  g_clear_error(&err);
  vf_parser_free(p);
  vf_infer_config_free(c);
  vf_infer_result_clear(&res);
  g_free(scores);
  g_free(regs);
  g_free(s8);
  g_free(s16);
  g_free(r8);
  g_free(r16);
}

/* --- YOLO --- */

static void test_yolov5(void)
{
  g_free(vft_write_file(dir, "yolo.labels", "person\ncar\n", -1));
  VfInferConfig *c = config("parser: yolov5\nlabels: yolo.labels\nthreshold: 0.5\n");
  VfInferTensorInfo infos[] = { info("output0", 2, 4, 7, 0) }; /* 4 boxes x (5 + 2) */
  VfParser *p = make(c, 640, 640, infos, 1);
  gfloat rows[4][7] = {
    { 100, 100, 40, 80, 0.9f, 0.9f, 0.1f },  /* person 0.81 */
    { 102, 100, 40, 80, 0.8f, 0.9f, 0.1f },  /* person 0.72, overlaps: suppressed */
    { 300, 200, 60, 30, 0.7f, 0.2f, 0.95f }, /* car 0.665 */
    { 500, 500, 10, 10, 0.4f, 1.0f, 0.0f },  /* objectness too low */
  };
  VfInferTensor outs[] = { tensor(&infos[0], &rows[0][0]) };
  VfInferResult r;
  vf_infer_result_init(&r);
  GError *err = NULL;
  g_assert_true(vf_parser_parse(p, outs, 1, &r, &err));
  g_assert_cmpuint(r.detections->len, ==, 2);
  g_assert_cmpstr(det(&r, 0)->label, ==, "person");
  g_assert_cmpfloat_with_epsilon(det(&r, 0)->confidence, 0.81, 1e-5);
  g_assert_cmpfloat_with_epsilon(det(&r, 0)->left, 80, 1e-4);
  g_assert_cmpfloat_with_epsilon(det(&r, 0)->top, 60, 1e-4);
  g_assert_cmpstr(det(&r, 1)->label, ==, "car");
  g_assert_cmpfloat_with_epsilon(det(&r, 1)->confidence, 0.665, 1e-5);
  vf_parser_free(p);
  vf_infer_config_free(c);

  /* raw heads: score-activation sigmoid */
  c = config("parser: yolov5\nlabels: yolo.labels\nscore-activation: sigmoid\n");
  p = make(c, 640, 640, infos, 1);
  gfloat raw[4][7] = { { 10, 10, 4, 4, logit(0.8f), logit(0.9f), -9 } };
  for (int i = 1; i < 4; i++)
    raw[i][4] = -20;
  VfInferTensor outs2[] = { tensor(&infos[0], &raw[0][0]) };
  g_assert_true(vf_parser_parse(p, outs2, 1, &r, &err));
  g_assert_cmpuint(r.detections->len, ==, 1);
  g_assert_cmpfloat_with_epsilon(det(&r, 0)->confidence, 0.72, 1e-4);
  vf_parser_free(p);
  vf_infer_config_free(c);
  vf_infer_result_clear(&r);
}

static void test_yolov8(void)
{
  VfInferConfig *c = config("parser: yolov8\nlabels: yolo.labels\nthreshold: 0.5\n");
  /* [1, 4 + 2, 5]: values are rows, boxes are columns (the batch 1 squeezed) */
  VfInferTensorInfo infos[] = { info("output0", 3, 1, 6, 5) };
  VfParser *p = make(c, 640, 640, infos, 1);
  gfloat t[6][5] = {
    { 100, 400, 101, 0, 0 },       /* cx */
    { 100, 400, 100, 0, 0 },       /* cy */
    { 20, 50, 20, 0, 0 },          /* w */
    { 40, 50, 40, 0, 0 },          /* h */
    { 0.9f, 0.1f, 0.8f, 0.3f, 0 }, /* person */
    { 0.1f, 0.7f, 0.1f, 0.2f, 0 }, /* car */
  };
  VfInferTensor outs[] = { tensor(&infos[0], &t[0][0]) };
  VfInferResult r;
  vf_infer_result_init(&r);
  GError *err = NULL;
  g_assert_true(vf_parser_parse(p, outs, 1, &r, &err));
  g_assert_cmpuint(r.detections->len, ==, 2); /* box 2 suppressed by box 0 */
  g_assert_cmpstr(det(&r, 0)->label, ==, "person");
  g_assert_cmpfloat_with_epsilon(det(&r, 0)->left, 90, 1e-4);
  g_assert_cmpfloat_with_epsilon(det(&r, 0)->top, 80, 1e-4);
  g_assert_cmpstr(det(&r, 1)->label, ==, "car");
  g_assert_cmpfloat_with_epsilon(det(&r, 1)->width, 50, 1e-4);
  vf_parser_free(p);

  /* the same boxes as [boxes, 4 + C] */
  VfInferTensorInfo rows_info[] = { info("output0", 2, 5, 6, 0) };
  p = make(c, 640, 640, rows_info, 1);
  gfloat rows[5][6];
  for (int i = 0; i < 5; i++)
    for (int k = 0; k < 6; k++)
      rows[i][k] = t[k][i];
  VfInferTensor outs2[] = { tensor(&rows_info[0], &rows[0][0]) };
  g_assert_true(vf_parser_parse(p, outs2, 1, &r, &err));
  g_assert_cmpuint(r.detections->len, ==, 2);
  g_assert_cmpfloat_with_epsilon(det(&r, 1)->width, 50, 1e-4);
  vf_parser_free(p);
  vf_infer_config_free(c);

  /* 80 classes in the model, 2 labels */
  c = config("parser: yolov8\nlabels: yolo.labels\n");
  VfInferTensorInfo coco[] = { info("output0", 3, 1, 84, 8400) };
  p = vf_parser_new(c, 640, 640, &err);
  g_assert_false(vf_parser_prepare(p, coco, 1, &err));
  vft_assert_error(err, "test.yaml:3: labels", "2 labels", "80 classes", NULL);
  g_clear_error(&err);
  vf_parser_free(p);
  VfInferTensorInfo none[] = { info("output0", 3, 1, 4, 10) };
  p = vf_parser_new(c, 640, 640, &err);
  g_assert_false(vf_parser_prepare(p, none, 1, &err));
  vft_assert_error(err, "yolov8", "no class scores", NULL);
  g_clear_error(&err);
  vf_parser_free(p);
  vf_infer_config_free(c);
  vf_infer_result_clear(&r);
}

/* --- classifier --- */

static void test_classifier(void)
{
  g_free(vft_write_file(dir, "cls.labels", "cat\ndog\nbird\nfish\n", -1));
  VfInferConfig *c = config("parser: classifier\nlabels: cls.labels\nthreshold: 0.2\ntop-k: 2\n"
                            "score-activation: softmax\n");
  VfInferTensorInfo infos[] = { info("logits", 3, 4, 1, 1) }; /* [4,1,1]: 4 classes */
  VfParser *p = make(c, 224, 224, infos, 1);
  g_assert_cmpint(p->kind, ==, VF_PARSER_CLASSIFIER);
  gfloat logits[4] = { logf(1), logf(5), logf(3), logf(1) }; /* softmax 0.1 0.5 0.3 0.1 */
  VfInferTensor outs[] = { tensor(&infos[0], logits) };
  VfInferResult r;
  vf_infer_result_init(&r);
  GError *err = NULL;
  g_assert_true(vf_parser_parse(p, outs, 1, &r, &err));
  g_assert_cmpuint(r.classifications->len, ==, 2);
  VfInferClass *k = &g_array_index(r.classifications, VfInferClass, 0);
  g_assert_cmpstr(k->label, ==, "dog");
  g_assert_cmpfloat_with_epsilon(k->confidence, 0.5, 1e-5);
  k = &g_array_index(r.classifications, VfInferClass, 1);
  g_assert_cmpstr(k->label, ==, "bird");
  g_assert_cmpfloat_with_epsilon(k->confidence, 0.3, 1e-5);
  vf_parser_free(p);
  vf_infer_config_free(c);

  /* probabilities as they are, per-class threshold */
  c = config("parser: classifier\nlabels: cls.labels\nthreshold: 0.5\n"
             "class-thresholds: {fish: 0.05}\n");
  p = make(c, 224, 224, infos, 1);
  gfloat probs[4] = { 0.6f, 0.2f, 0.1f, 0.1f };
  VfInferTensor outs2[] = { tensor(&infos[0], probs) };
  g_assert_true(vf_parser_parse(p, outs2, 1, &r, &err));
  g_assert_cmpuint(r.classifications->len, ==, 2);
  g_assert_cmpstr(g_array_index(r.classifications, VfInferClass, 1).label, ==, "fish");
  vf_parser_free(p);
  VfInferTensorInfo five[] = { info("logits", 1, 5, 0, 0) };
  p = vf_parser_new(c, 224, 224, &err);
  g_assert_false(vf_parser_prepare(p, five, 1, &err));
  vft_assert_error(err, "labels", "4 labels", "5 classes", NULL);
  g_clear_error(&err);
  vf_parser_free(p);
  vf_infer_config_free(c);
  vf_infer_result_clear(&r);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  dir = vft_make_tmpdir();
  g_free(vft_write_file(dir, "m.onnx", "stand-in", -1));
  g_test_add_func("/infer/parsers/nms", test_nms);
  g_test_add_func("/infer/parsers/to-frame", test_to_frame);
  g_test_add_func("/infer/parsers/ssd", test_ssd);
  g_test_add_func("/infer/parsers/ssd-errors", test_ssd_errors);
  g_test_add_func("/infer/parsers/blazeface-anchors", test_blazeface_anchors);
  g_test_add_func("/infer/parsers/blazeface", test_blazeface);
  g_test_add_func("/infer/parsers/yolov5", test_yolov5);
  g_test_add_func("/infer/parsers/yolov8", test_yolov8);
  g_test_add_func("/infer/parsers/classifier", test_classifier);
  int rc = g_test_run();
  vft_remove_tree(dir);
  g_free(dir);
  return rc;
}
