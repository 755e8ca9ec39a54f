/* Flow.track: vf_flow_track() and `track:` in flow descriptions, built (not run: the tools test
 * runs the seed's test2): its element, its kwargs, and the wrong orders and inputs; and the
 * test2 flow's secondary classifier (configs/colour_classifier.yaml) naming colours. */
#include <glib/gstdio.h>
#include <gst/check/gstharness.h>
#include <string.h>
#include <vidflow/vidflow.h>

static char *config(const char *name)
{
  return g_build_filename(VFT_SOURCE_ROOT, "configs", name, NULL);
}

static void assert_error(const GError *e, gint code, const char *part)
{
  g_assert_nonnull(e);
  g_test_message("error: %s", e->message);
  g_assert_cmpint(e->code, ==, code);
  if (strstr(e->message, part) == NULL)
    g_error("'%s' does not say '%s'", e->message, part);
}

/* capture -> infer, on a file that exists (flows are built, not run) */
static VfFlow *detecting_flow(void)
{
  char *det = config("ssd_mobilenet_v2_oid.yaml");
  const char *uris[] = { det, NULL };
  VfFlow *flow = vf_flow_new(vf_pipeline_new("track-test"));
  VfFlow *f = vf_flow_infer(vf_flow_batch_capture(flow, uris, NULL, NULL), det, NULL, NULL);
  g_assert_nonnull(f);
  g_free(det);
  return flow;
}

static void test_track(void)
{
  VfFlow *flow = detecting_flow();
  char *bytetrack = config("tracker_bytetrack.yaml");
  GError *err = NULL;
  VfFlow *f
      = vf_flow_track(flow, bytetrack, NULL, &err, "max_lost", "25", "algorithm", "iou", NULL);
  g_assert_no_error(err);
  g_assert_nonnull(f);
  GstElement *t = vf_pipeline_get_element(vf_flow_get_pipeline(flow), "track2-tracker");
  g_assert_nonnull(t);
  gint max_lost;
  gchar *file;
  gint algorithm;
  g_object_get(t, "max-lost", &max_lost, "ll-config-file", &file, "algorithm", &algorithm, NULL);
  g_assert_cmpint(max_lost, ==, 25);
  g_assert_cmpint(algorithm, ==, 0); /* iou */
  g_assert_cmpstr(file, ==, bytetrack);
  g_free(file);
  /* a classifier after it, then render: a complete flow */
  char *colour = config("colour_classifier.yaml");
  f = vf_flow_render(vf_flow_infer(f, colour, NULL, NULL), VF_RENDER_DISCARD, &err, NULL);
  g_assert_no_error(err);
  g_assert_true(vf_flow_check(flow, &err));
  g_free(colour);
  g_free(bytetrack);
  vf_flow_free(flow);
}

static void test_track_errors(void)
{
  GError *err = NULL;
  /* before infer: nothing to track */
  char *det = config("ssd_mobilenet_v2_oid.yaml");
  const char *uris[] = { det, NULL };
  VfFlow *flow = vf_flow_new(NULL);
  g_assert_null(
      vf_flow_track(vf_flow_batch_capture(flow, uris, NULL, NULL), NULL, NULL, &err, NULL));
  assert_error(err, VF_ERROR_STATE, "call infer() before track()");
  g_clear_error(&err);
  vf_flow_free(flow);
  g_free(det);
  /* files that are not there */
  flow = detecting_flow();
  g_assert_null(vf_flow_track(flow, "/nonexistent/tracker.yaml", NULL, &err, NULL));
  assert_error(err, VF_ERROR_NOT_FOUND, "ll-config-file '/nonexistent/tracker.yaml'");
  g_clear_error(&err);
  vf_flow_free(flow);
  flow = detecting_flow();
  g_assert_null(vf_flow_track(flow, NULL, "/nonexistent/libnvds_mot.so", &err, NULL));
  assert_error(err, VF_ERROR_NOT_FOUND, "ll-lib-file");
  g_clear_error(&err);
  vf_flow_free(flow);
  /* a kwarg vftracker does not have */
  flow = detecting_flow();
  g_assert_null(vf_flow_track(flow, NULL, NULL, &err, "max_losst", "3", NULL));
  g_assert_nonnull(err);
  g_assert_cmpint(err->code, ==, VF_ERROR_PROPERTY);
  g_clear_error(&err);
  vf_flow_free(flow);
  /* a NULL flow passes through */
  g_assert_null(vf_flow_track(NULL, NULL, NULL, &err, NULL));
  g_clear_error(&err);
}

static char *write_flow(const char *dir, const char *body)
{
  char *path = g_build_filename(dir, "flow.yaml", NULL);
  char *det = config("ssd_mobilenet_v2_oid.yaml");
  char *text = g_strdup_printf("flow:\n  - batch_capture: [%s]\n%s", det, body);
  g_assert_true(g_file_set_contents(path, text, -1, NULL));
  g_free(text);
  g_free(det);
  return path;
}

static void test_track_yaml(void)
{
  char *dir = g_dir_make_tmp("flow-track-XXXXXX", NULL);
  char *det = config("ssd_mobilenet_v2_oid.yaml");
  char *bytetrack = config("tracker_bytetrack.yaml");
  struct {
    char *body;
    const char *error; /* NULL: builds */
  } cases[] = {
    { g_strdup_printf("  - infer: %s\n  - track\n  - render: discard\n", det), NULL },
    { g_strdup_printf("  - infer: %s\n  - track: %s\n  - render: discard\n", det, bytetrack),
      NULL },
    { g_strdup_printf("  - infer: %s\n  - track: {ll_config_file: %s, max-lost: 9}\n"
                      "  - render: discard\n",
                      det, bytetrack),
      NULL },
    { g_strdup("  - track\n"), "flow.yaml:3: track(): nothing to track yet" },
    { g_strdup_printf("  - infer: %s\n  - track: {ll-config-file: missing.yaml}\n", det),
      "flow.yaml:4: track(): ll-config-file" },
    { g_strdup_printf("  - infer: %s\n  - track: [a, b]\n", det), "flow.yaml:4: track takes" },
    { g_strdup_printf("  - infer: %s\n  - track: {max-lost: many}\n", det), "flow.yaml:4" },
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *path = write_flow(dir, cases[i].body);
    GError *err = NULL;
    VfFlow *flow = vf_flow_new_from_yaml(path, &err);
    if (cases[i].error == NULL) {
      g_assert_no_error(err);
      g_assert_true(vf_flow_check(flow, &err));
      GstElement *t = vf_pipeline_get_element(vf_flow_get_pipeline(flow), "track2-tracker");
      g_assert_nonnull(t);
      if (i == 2) {
        gint max_lost;
        g_object_get(t, "max-lost", &max_lost, NULL);
        g_assert_cmpint(max_lost, ==, 9);
      }
      vf_flow_free(flow);
    } else {
      g_assert_null(flow);
      g_assert_nonnull(err);
      g_test_message("error: %s", err->message);
      if (strstr(err->message, cases[i].error) == NULL)
        g_error("'%s' does not say '%s'", err->message, cases[i].error);
      g_clear_error(&err);
    }
    g_unlink(path);
    g_free(path);
    g_free(cases[i].body);
  }
  g_rmdir(dir);
  g_free(dir);
  g_free(det);
  g_free(bytetrack);
}

/* test2's secondary model (configs/colour_classifier.yaml, made by tools/fetch-assets.sh) names
 * the colour of the middle of a person's box as a person would: shades that are none of its
 * prototypes, and boxes whose head and legs are another colour than the torso. */
static void test_colour_classifier(void)
{
  const char *data_env = g_getenv("VIDFLOW_DATA_DIR");
  char *data = data_env ? g_strdup(data_env) : g_build_filename(VFT_SOURCE_ROOT, "data", NULL);
  char *model = g_build_filename(data, "models", "colour_classifier.onnx", NULL);
  char *labels = g_build_filename(data, "models", "colour_classifier.labels", NULL);
  g_free(data);
  if (!g_file_test(model, G_FILE_TEST_IS_REGULAR)) {
    g_test_skip("no data/models/colour_classifier.onnx: run tools/fetch-assets.sh");
    g_free(model);
    g_free(labels);
    return;
  }
  static const struct {
    guint8 torso[3], rest[3]; /* the box's middle (the model's window), the rest of the box */
    const char *colour;
  } boxes[] = {
    { { 10, 10, 10 }, { 10, 10, 10 }, "black" },
    { { 128, 128, 128 }, { 128, 128, 128 }, "grey" },
    { { 240, 240, 240 }, { 240, 240, 240 }, "white" },
    { { 220, 20, 30 }, { 220, 20, 30 }, "red" },
    { { 230, 200, 40 }, { 230, 200, 40 }, "yellow" },
    { { 40, 140, 60 }, { 40, 140, 60 }, "green" },
    { { 40, 70, 180 }, { 40, 70, 180 }, "blue" },
    { { 120, 80, 40 }, { 120, 80, 40 }, "brown" },
    { { 40, 70, 180 }, { 240, 240, 240 }, "blue" }, /* blue coat, white trousers */
    { { 220, 20, 30 }, { 10, 10, 10 }, "red" },     /* red coat, black trousers */
  };
  const guint bw = 40, bh = 80, gap = 10, n = G_N_ELEMENTS(boxes);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, (gint)(gap + n * (bw + gap)),
                            bh + 2 * gap);
  GstBuffer *in = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&info), NULL);
  GstMapInfo map;
  g_assert_true(gst_buffer_map(in, &map, GST_MAP_WRITE));
  memset(map.data, 90, map.size); /* a grey-green background around the boxes */
  VfBatchMeta *meta = vf_batch_meta_add_single(in, &info);
  VfFrameMeta *frame = vf_batch_meta_get_frame(meta, 0);
  for (guint i = 0; i < n; i++) {
    guint x0 = gap + i * (bw + gap), y0 = gap;
    for (guint y = 0; y < bh; y++)
      for (guint x = 0; x < bw; x++) {
        /* a standing person's torso: rows 15%..60%, columns 20%..80% of the box */
        gboolean torso
            = y >= bh * 15 / 100 && y < bh * 60 / 100 && x >= bw * 20 / 100 && x < bw * 80 / 100;
        memcpy(map.data + (y0 + y) * GST_VIDEO_INFO_PLANE_STRIDE(&info, 0) + (x0 + x) * 3,
               torso ? boxes[i].torso : boxes[i].rest, 3);
      }
    VfObjectMeta *o = vf_object_meta_new();
    VfRect r = { (gfloat)x0, (gfloat)y0, (gfloat)bw, (gfloat)bh };
    vf_object_meta_set_detector_bbox(o, &r);
    vf_object_meta_set_class_id(o, 4); /* Person, of the detector (unique-id 1) */
    vf_object_meta_set_label(o, "Person");
    vf_object_meta_set_confidence(o, 0.9f);
    vf_object_meta_set_component_id(o, 1);
    vf_frame_meta_add_object(frame, o);
    vf_object_meta_unref(o);
  }
  gst_buffer_unmap(in, &map);
  char *cfg = config("colour_classifier.yaml");
  char *launch
      = g_strdup_printf("vfinfer config-file-path=%s model=%s labels=%s", cfg, model, labels);
  GstHarness *h = gst_harness_new_parse(launch);
  g_assert_nonnull(h);
  gst_harness_set_src_caps(h, gst_video_info_to_caps(&info));
  g_assert_cmpint(gst_harness_push(h, in), ==, GST_FLOW_OK);
  GstBuffer *out = gst_harness_pull(h);
  g_assert_nonnull(out);
  VfFrameMeta *f = vf_batch_meta_get_frame(vf_batch_meta_get(out), 0);
  g_assert_cmpuint(vf_frame_meta_get_n_objects(f), ==, n);
  for (guint i = 0; i < n; i++) {
    VfObjectMeta *o = vf_frame_meta_get_object(f, i);
    VfClassification c = { 0 };
    gboolean any = vf_object_meta_get_classification(o, 0, &c);
    g_test_message("box %u: %s %.2f (a person says %s)", i, any ? c.label : "(none)",
                   any ? c.confidence : 0.0, boxes[i].colour);
    g_assert_true(any);
    g_assert_cmpstr(c.label, ==, boxes[i].colour);
    g_assert_cmpint(c.component_id, ==, 2);
    vf_object_meta_unref(o);
  }
  gst_buffer_unref(out);
  gst_harness_teardown(h);
  g_free(launch);
  g_free(cfg);
  g_free(model);
  g_free(labels);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  g_test_add_func("/flow-track/track", test_track);
  g_test_add_func("/flow-track/errors", test_track_errors);
  g_test_add_func("/flow-track/yaml", test_track_yaml);
  g_test_add_func("/flow-track/colour-classifier", test_colour_classifier);
  return g_test_run();
}
