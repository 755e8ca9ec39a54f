/* GstHarness tests of vfinfer on the real models: a plain frame of dog.jpg, a batch of two
 * sources from vfmux, interval, secondary mode (a detector on objects' crops, a classifier
 * adding classifications), primary classifiers, raw tensor meta, and every setup error posted
 * as an element error naming the file. Needs data/ (tools/fetch-assets.sh): exits 77 without it.
 * The colour classifier (make-colour-classifier.py, built by meson when python3-onnx is there)
 * is in $VFT_COLOUR_MODEL_DIR; its tests are skipped without it. */
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <math.h>

#include "elements-util.h"
#include "util.h"

static char *tmp;
static VftFrame *dog, *dog_i420, *person;
static char *ssd_config;

static GstBuffer *frame_buffer(const VftFrame *f, GstVideoInfo *info)
{
  gst_video_info_set_format(info, vf_color_format_to_video_format(f->image.format), f->image.width,
                            f->image.height);
  GstBuffer *b = gst_buffer_new_memdup(f->pixels, GST_VIDEO_INFO_SIZE(info));
  GST_BUFFER_PTS(b) = 0;
  GST_BUFFER_DURATION(b) = GST_SECOND / 10;
  return b;
}

static GstHarness *harness(const char *launch)
{
  GstHarness *h = gst_harness_new_parse(launch);
  g_assert_nonnull(h);
  return h;
}

/* Push `f` through h and pull the result (transfer full). */
static GstBuffer *infer_frame(GstHarness *h, const VftFrame *f)
{
  GstVideoInfo info;
  GstBuffer *in = frame_buffer(f, &info);
  GstCaps *caps = gst_video_info_to_caps(&info);
  gst_harness_set_src_caps(h, caps);
  g_assert_cmpint(gst_harness_push(h, in), ==, GST_FLOW_OK);
  GstBuffer *out = gst_harness_pull(h);
  g_assert_nonnull(out);
  return out;
}

static gboolean has_label(GPtrArray *objects, const char *label)
{
  for (guint i = 0; i < objects->len; i++)
    if (g_strcmp0(vf_object_meta_get_label(g_ptr_array_index(objects, i)), label) == 0)
      return TRUE;
  return FALSE;
}

static gdouble iou(const VfRect *a, const VfRect *b)
{
  gdouble x0 = MAX(a->left, b->left), y0 = MAX(a->top, b->top);
  gdouble x1 = MIN(a->left + a->width, b->left + b->width);
  gdouble y1 = MIN(a->top + a->height, b->top + b->height);
  gdouble inter = MAX(0.0, x1 - x0) * MAX(0.0, y1 - y0);
  gdouble uni = a->width * a->height + b->width * b->height - inter;
  return uni > 0 ? inter / uni : 0;
}

static GPtrArray *frame_objects(GstBuffer *b, guint index)
{
  VfBatchMeta *meta = vf_batch_meta_get(b);
  g_assert_nonnull(meta);
  VfFrameMeta *frame = vf_batch_meta_get_frame(meta, index);
  g_assert_nonnull(frame);
  return vf_frame_meta_get_objects(frame);
}

/* Every config key is a property, documented with its default. */
static void test_properties(void)
{
  GstElement *e = gst_element_factory_make("vfinfer", NULL);
  g_assert_nonnull(e);
  g_assert_cmpstr(GST_OBJECT_NAME(e), ==, "vfinfer0");
  GObjectClass *klass = G_OBJECT_GET_CLASS(e);
  const char *const *keys = vf_infer_config_keys();
  guint n = 0;
  for (; keys[n]; n++) {
    GParamSpec *p = g_object_class_find_property(klass, keys[n]);
    if (p == NULL)
      g_error("config key '%s' is not a vfinfer property", keys[n]);
    g_assert_nonnull(strstr(g_param_spec_get_blurb(p), "default"));
  }
  g_assert_cmpuint(n, >=, 39);
  g_assert_nonnull(g_object_class_find_property(klass, "config-file-path"));
  gst_object_unref(e);
}

static void test_single_frame(void)
{
  char *launch = g_strdup_printf("vfinfer config-file-path=%s unique-id=7", ssd_config);
  GstHarness *h = harness(launch);
  GstBuffer *out = infer_frame(h, dog);
  VfBatchMeta *meta = vf_batch_meta_get(out);
  g_assert_nonnull(meta);
  g_assert_cmpuint(vf_batch_meta_get_n_frames(meta), ==, 1);
  GPtrArray *objects = frame_objects(out, 0);
  g_assert_cmpuint(objects->len, ==, 3);
  g_assert_true(has_label(objects, "Dog"));
  g_assert_true(has_label(objects, "Bicycle"));
  g_assert_true(has_label(objects, "Car"));
  /* the reference dog (tests/data/dog-expected.txt), normalised ymin xmin ymax xmax */
  VfRect want = { 0.163f * 768, 0.369f * 576, (0.422f - 0.163f) * 768, (0.957f - 0.369f) * 576 };
  for (guint i = 0; i < objects->len; i++) {
    VfObjectMeta *o = g_ptr_array_index(objects, i);
    VfRect r;
    vf_object_meta_get_detector_bbox(o, &r);
    g_test_message("%s %.2f at %.0f,%.0f %.0fx%.0f", vf_object_meta_get_label(o),
                   vf_object_meta_get_confidence(o), r.left, r.top, r.width, r.height);
    g_assert_cmpint(vf_object_meta_get_component_id(o), ==, 7);
    g_assert_cmpfloat(vf_object_meta_get_confidence(o), >=, 0.5);
    g_assert_cmpfloat(r.left, >=, 0);
    g_assert_cmpfloat(r.left + r.width, <=, 768.01);
    g_assert_cmpfloat(r.top + r.height, <=, 576.01);
    if (g_strcmp0(vf_object_meta_get_label(o), "Dog") == 0) {
      g_assert_cmpint(vf_object_meta_get_class_id(o), ==, 20);
      g_assert_cmpfloat(iou(&r, &want), >=, 0.7);
    }
  }
  g_ptr_array_unref(objects);
  gst_buffer_unref(out);

  /* the same frame as I420: the same three objects */
  out = infer_frame(h, dog_i420);
  objects = frame_objects(out, 0);
  g_assert_cmpuint(objects->len, ==, 3);
  g_assert_true(has_label(objects, "Dog") && has_label(objects, "Car"));
  g_ptr_array_unref(objects);
  gst_buffer_unref(out);
  gst_harness_teardown(h);
  g_free(launch);
}

/* Two sources of different sizes batched by vfmux: each frame gets its own objects, boxes in
 * its own pixels. */
static void test_vfmux_batch(void)
{
  char *desc = g_strdup_printf("vfmux name=mux batch-size=2 ! vfinfer config-file-path=%s ! "
                               "appsink name=sink sync=false  appsrc name=a0 format=time ! "
                               "mux.sink_0  appsrc name=a1 format=time ! mux.sink_1",
                               ssd_config);
  GError *err = NULL;
  GstElement *pipe = gst_parse_launch(desc, &err);
  g_assert_no_error(err);
  const VftFrame *frames[2] = { dog, person };
  for (guint i = 0; i < 2; i++) {
    char name[8];
    g_snprintf(name, sizeof name, "a%u", i);
    GstElement *src = gst_bin_get_by_name(GST_BIN(pipe), name);
    GstVideoInfo info;
    GstBuffer *b = frame_buffer(frames[i], &info);
    GstCaps *caps = gst_video_info_to_caps(&info);
    g_object_set(src, "caps", caps, NULL);
    gst_caps_unref(caps);
    g_assert_cmpint(gst_app_src_push_buffer(GST_APP_SRC(src), b), ==, GST_FLOW_OK);
    gst_app_src_end_of_stream(GST_APP_SRC(src));
    gst_object_unref(src);
  }
  g_assert_cmpint(gst_element_set_state(pipe, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
  GstSample *s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 30 * GST_SECOND);
  g_assert_nonnull(s);
  GstBuffer *out = gst_sample_get_buffer(s);
  VfBatchMeta *meta = vf_batch_meta_get(out);
  g_assert_nonnull(meta);
  g_assert_cmpuint(vf_batch_meta_get_n_frames(meta), ==, 2);
  for (guint i = 0; i < 2; i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(meta, i);
    guint src = vf_frame_meta_get_source_id(frame);
    const GstVideoInfo *info = vf_frame_meta_get_video_info(frame);
    g_assert_cmpint(GST_VIDEO_INFO_WIDTH(info), ==, frames[src]->image.width);
    GPtrArray *objects = vf_frame_meta_get_objects(frame);
    g_test_message("source %u: %u objects", src, objects->len);
    if (src == 0) {
      g_assert_cmpuint(objects->len, ==, 3);
      g_assert_true(has_label(objects, "Dog") && has_label(objects, "Bicycle"));
    } else {
      g_assert_true(has_label(objects, "Person") && has_label(objects, "Dog"));
      g_assert_false(has_label(objects, "Bicycle"));
    }
    for (guint k = 0; k < objects->len; k++) {
      VfRect r;
      vf_object_meta_get_detector_bbox(g_ptr_array_index(objects, k), &r);
      g_assert_cmpfloat(r.left + r.width, <=, GST_VIDEO_INFO_WIDTH(info) + 0.01);
      g_assert_cmpfloat(r.top + r.height, <=, GST_VIDEO_INFO_HEIGHT(info) + 0.01);
    }
    g_ptr_array_unref(objects);
  }
  gst_sample_unref(s);
  gst_object_unref(sink);
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(pipe);
  g_free(desc);
}

/* interval=2: one frame in three is inferred, the others pass through without objects, marked
 * as skipped (for vftracker). */
static void test_interval(void)
{
  char *launch = g_strdup_printf("vfinfer config-file-path=%s interval=2", ssd_config);
  GstHarness *h = harness(launch);
  for (guint i = 0; i < 7; i++) {
    GstBuffer *out = infer_frame(h, dog);
    GPtrArray *objects = frame_objects(out, 0);
    g_assert_cmpuint(objects->len, ==, i % 3 == 0 ? 3 : 0);
    VfFrameMeta *f = vf_batch_meta_get_frame(vf_batch_meta_get(out), 0);
    g_assert_true((vf_frame_meta_get_user_meta(f, VF_FRAME_META_INFER_SKIPPED) != NULL)
                  == (i % 3 != 0));
    g_ptr_array_unref(objects);
    gst_buffer_unref(out);
  }
  gst_harness_teardown(h);
  g_free(launch);
}

/* Secondary detector: the SSD again on the Dog objects (class 20) of the primary: child objects
 * with the dog as parent, component id 2, inside the dog's box. */
static void test_secondary_detector(void)
{
  char *launch = g_strdup_printf(
      "vfinfer config-file-path=%s ! vfinfer config-file-path=%s process-mode=secondary "
      "unique-id=2 operate-on-unique-id=1 operate-on-classes=20",
      ssd_config, ssd_config);
  GstHarness *h = harness(launch);
  GstBuffer *out = infer_frame(h, dog);
  GPtrArray *objects = frame_objects(out, 0);
  guint children = 0;
  for (guint i = 0; i < objects->len; i++) {
    VfObjectMeta *o = g_ptr_array_index(objects, i);
    VfObjectMeta *parent = vf_object_meta_get_parent(o);
    if (vf_object_meta_get_component_id(o) == 1) {
      g_assert_null(parent);
      continue;
    }
    g_assert_cmpint(vf_object_meta_get_component_id(o), ==, 2);
    g_assert_nonnull(parent);
    g_assert_cmpstr(vf_object_meta_get_label(parent), ==, "Dog");
    VfRect r, p;
    vf_object_meta_get_detector_bbox(o, &r);
    vf_object_meta_get_detector_bbox(parent, &p);
    g_test_message("child %s %.2f in the dog", vf_object_meta_get_label(o),
                   vf_object_meta_get_confidence(o));
    g_assert_cmpfloat(r.left, >=, p.left - 0.01);
    g_assert_cmpfloat(r.top, >=, p.top - 0.01);
    g_assert_cmpfloat(r.left + r.width, <=, p.left + p.width + 0.01);
    g_assert_cmpfloat(r.top + r.height, <=, p.top + p.height + 0.01);
    vf_object_meta_unref(parent);
    children++;
  }
  g_assert_cmpuint(children, >=, 1);
  g_ptr_array_unref(objects);
  gst_buffer_unref(out);
  gst_harness_teardown(h);
  g_free(launch);

  /* objects of another component: nothing to do */
  launch = g_strdup_printf("vfinfer config-file-path=%s ! vfinfer config-file-path=%s "
                           "process-mode=secondary unique-id=2 operate-on-unique-id=5",
                           ssd_config, ssd_config);
  h = harness(launch);
  out = infer_frame(h, dog);
  objects = frame_objects(out, 0);
  g_assert_cmpuint(objects->len, ==, 3);
  g_ptr_array_unref(objects);
  gst_buffer_unref(out);
  gst_harness_teardown(h);
  g_free(launch);
}

static char *colour_launch(const char *extra)
{
  const char *dir = g_getenv("VFT_COLOUR_MODEL_DIR");
  char *model = dir ? g_build_filename(dir, "colour.onnx", NULL) : NULL;
  char *labels = dir ? g_build_filename(dir, "colour.labels", NULL) : NULL;
  char *launch = NULL;
  if (model && g_file_test(model, G_FILE_TEST_EXISTS))
    launch = g_strdup_printf("vfinfer model=%s labels=%s parser=classifier scale=0.00392156862745 "
                             "score-activation=softmax threshold=0.3 top-k=1 unique-id=3 %s",
                             model, labels, extra);
  g_free(model);
  g_free(labels);
  return launch;
}

/* 160x120 RGB: grey, a red block at (10,10) 40x40, a blue one at (100,60) 40x40. */
static GstBuffer *blocks_frame(GstVideoInfo *info)
{
  guint8 grey[1] = { 128 };
  GstBuffer *b = elt_solid_frame(GST_VIDEO_FORMAT_RGB, 160, 120, grey);
  gst_video_info_set_format(info, GST_VIDEO_FORMAT_RGB, 160, 120);
  GstMapInfo map;
  gst_buffer_map(b, &map, GST_MAP_WRITE);
  for (guint y = 0; y < 40; y++)
    for (guint x = 0; x < 40; x++) {
      guint8 *red = map.data + (10 + y) * GST_VIDEO_INFO_PLANE_STRIDE(info, 0) + (10 + x) * 3;
      guint8 *blue = map.data + (60 + y) * GST_VIDEO_INFO_PLANE_STRIDE(info, 0) + (100 + x) * 3;
      red[0] = 250, red[1] = 10, red[2] = 10;
      blue[0] = 10, blue[1] = 10, blue[2] = 250;
    }
  gst_buffer_unmap(b, &map);
  return b;
}

/* Secondary classifier: classes added to the objects they were computed on; objects of other
 * components or classes left alone. */
static void test_secondary_classifier(void)
{
  char *launch = colour_launch("process-mode=secondary operate-on-unique-id=1 "
                               "operate-on-classes=4;9 output-tensor-meta=true");
  if (launch == NULL) {
    g_test_skip("no colour classifier (python3-onnx missing at configure time)");
    return;
  }
  GstHarness *h = harness(launch);
  GstVideoInfo info;
  GstBuffer *in = blocks_frame(&info);
  VfBatchMeta *meta = vf_batch_meta_add_single(in, &info);
  VfFrameMeta *frame = vf_batch_meta_get_frame(meta, 0);
  elt_add_object(frame, 4, "Person", 0.9f, 10, 10, 40, 40, 1);   /* red block */
  elt_add_object(frame, 9, "Thing", 0.8f, 100, 60, 40, 40, 1);   /* blue block */
  elt_add_object(frame, 4, "Person", 0.9f, 100, 60, 40, 40, 8);  /* another component */
  elt_add_object(frame, 5, "Chair", 0.9f, 10, 10, 40, 40, 1);    /* another class */
  elt_add_object(frame, 4, "Person", 0.9f, 500, 500, 40, 40, 1); /* outside the frame */
  gst_harness_set_src_caps(h, gst_video_info_to_caps(&info));
  g_assert_cmpint(gst_harness_push(h, in), ==, GST_FLOW_OK);
  GstBuffer *out = gst_harness_pull(h);
  GPtrArray *objects = frame_objects(out, 0);
  g_assert_cmpuint(objects->len, ==, 5);
  const char *want[] = { "red", "blue", NULL, NULL, NULL };
  for (guint i = 0; i < objects->len; i++) {
    VfObjectMeta *o = g_ptr_array_index(objects, i);
    if (want[i] == NULL) {
      g_assert_cmpuint(vf_object_meta_get_n_classifications(o), ==, 0);
      continue;
    }
    g_assert_cmpuint(vf_object_meta_get_n_classifications(o), ==, 1);
    VfClassification c;
    g_assert_true(vf_object_meta_get_classification(o, 0, &c));
    g_assert_cmpstr(c.label, ==, want[i]);
    g_assert_cmpint(c.component_id, ==, 3);
    g_assert_cmpfloat(c.confidence, >, 0.9);
    /* the crop's raw output, on the object */
    VfTensor *t = vf_object_meta_get_user_meta(o, "vf-tensor/3/scores");
    g_assert_nonnull(t);
    g_assert_cmpint(vf_tensor_get_shape(t)[0], ==, 1);
    g_assert_cmpint(vf_tensor_get_shape(t)[1], ==, 3);
  }
  g_ptr_array_unref(objects);
  gst_buffer_unref(out);
  gst_harness_teardown(h);
  g_free(launch);
}

/* 160x120 RGB, grey, with a block of colour `a` at (10,10) 40x40 and `b` at (100,60) 40x40. */
static GstBuffer *two_blocks(GstVideoInfo *info, const guint8 *a, const guint8 *b)
{
  GstBuffer *buf = blocks_frame(info);
  GstMapInfo map;
  gst_buffer_map(buf, &map, GST_MAP_WRITE);
  for (guint y = 0; y < 40; y++)
    for (guint x = 0; x < 40; x++) {
      memcpy(map.data + (10 + y) * GST_VIDEO_INFO_PLANE_STRIDE(info, 0) + (10 + x) * 3, a, 3);
      memcpy(map.data + (60 + y) * GST_VIDEO_INFO_PLANE_STRIDE(info, 0) + (100 + x) * 3, b, 3);
    }
  gst_buffer_unmap(buf, &map);
  return buf;
}

/* The label of the first classification of object i of the frame (or NULL). */
static const char *class_of(GstBuffer *out, guint i)
{
  VfObjectMeta *o = vf_frame_meta_get_object(vf_batch_meta_get_frame(vf_batch_meta_get(out), 0), i);
  VfClassification c = { 0 };
  gboolean any = vf_object_meta_get_classification(o, 0, &c);
  g_assert_cmpuint(vf_object_meta_get_n_classifications(o), <=, 1);
  vf_object_meta_unref(o);
  return any ? c.label : NULL;
}

/* Secondary classifier on tracked objects: a track is classified once and its result reused
 * (the block under it changes colour, the answer does not) until secondary-reinfer-interval
 * frames passed or its box grew by more than 20%; untracked objects are classified every frame;
 * the source's end forgets its tracks. */
static void test_secondary_tracked(void)
{
  char *launch
      = colour_launch("name=classifier process-mode=secondary secondary-reinfer-interval=5");
  if (launch == NULL) {
    g_test_skip("no colour classifier (python3-onnx missing at configure time)");
    return;
  }
  static const guint8 red[3] = { 250, 10, 10 }, green[3] = { 10, 250, 10 },
                      blue[3] = { 10, 10, 250 };
  static const struct {
    const guint8 *a, *b;
    gfloat a_size;
    const char *a_class, *b_class;
  } frames[] = {
    { red, blue, 40, "red", "blue" },     /* 0: classified */
    { green, blue, 40, "red", "blue" },   /* 1: reused (the block changed, the answer not) */
    { green, green, 40, "red", "green" }, /* 2: the untracked one is classified again */
    { green, blue, 40, "red", "blue" },   /* 3 */
    { green, blue, 40, "red", "blue" },   /* 4 */
    { green, blue, 40, "green", "blue" }, /* 5: 5 frames later: classified again */
    { red, blue, 50, "red", "blue" },     /* 6: the box grew by 56%: classified again */
    { green, blue, 50, "red", "blue" },   /* 7: reused */
    { green, blue, 50, "green", "blue" }, /* 8: after the source's end: classified again */
  };
  GstHarness *h = harness(launch);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 160, 120);
  gst_harness_set_src_caps(h, gst_video_info_to_caps(&info));
  for (guint t = 0; t < G_N_ELEMENTS(frames); t++) {
    if (t == 8) {
      GstStructure *s = gst_structure_new(VF_SOURCE_EOS, "source-id", G_TYPE_UINT, 0, NULL);
      g_assert_true(
          gst_harness_push_event(h, gst_event_new_custom(GST_EVENT_CUSTOM_DOWNSTREAM, s)));
    }
    GstBuffer *in = two_blocks(&info, frames[t].a, frames[t].b);
    VfBatchMeta *meta = vf_batch_meta_add_single(in, &info);
    VfFrameMeta *frame = vf_batch_meta_get_frame(meta, 0);
    vf_frame_meta_set_frame_number(frame, t);
    gfloat off = (frames[t].a_size - 40) / 2;
    elt_add_object(frame, 4, "Person", 0.9f, 10 - off, 10 - off, frames[t].a_size, frames[t].a_size,
                   1);
    elt_add_object(frame, 4, "Person", 0.9f, 100, 60, 40, 40, 1);
    VfObjectMeta *a = vf_frame_meta_get_object(frame, 0);
    vf_object_meta_set_object_id(a, 7); /* a tracker's id */
    vf_object_meta_unref(a);
    g_assert_cmpint(gst_harness_push(h, in), ==, GST_FLOW_OK);
    GstBuffer *out = gst_harness_pull(h);
    g_test_message("frame %u: %s, %s", t, class_of(out, 0), class_of(out, 1));
    g_assert_cmpstr(class_of(out, 0), ==, frames[t].a_class);
    g_assert_cmpstr(class_of(out, 1), ==, frames[t].b_class);
    gst_buffer_unref(out);
  }
  /* frames 1-4 and 7 reused the track's result */
  GstElement *e = gst_bin_get_by_name(GST_BIN(h->element), "classifier");
  guint64 reused = 0;
  g_object_get(e, "reused-classifications", &reused, NULL);
  g_assert_cmpuint(reused, ==, 5);
  gst_object_unref(e);
  gst_harness_teardown(h);
  g_free(launch);
}

/* Primary classifier: one object covering the frame, the best class. */
static void test_primary_classifier(void)
{
  char *launch = colour_launch("");
  if (launch == NULL) {
    g_test_skip("no colour classifier (python3-onnx missing at configure time)");
    return;
  }
  GstHarness *h = harness(launch);
  guint8 green[1] = { 0 };
  GstBuffer *in = elt_solid_frame(GST_VIDEO_FORMAT_RGB, 64, 48, green);
  GstMapInfo map;
  gst_buffer_map(in, &map, GST_MAP_WRITE);
  for (gsize i = 1; i < map.size; i += 3)
    map.data[i] = 240;
  gst_buffer_unmap(in, &map);
  char *caps = elt_caps_string(GST_VIDEO_FORMAT_RGB, 64, 48);
  gst_harness_set_src_caps_str(h, caps);
  g_assert_cmpint(gst_harness_push(h, in), ==, GST_FLOW_OK);
  GstBuffer *out = gst_harness_pull(h);
  GPtrArray *objects = frame_objects(out, 0);
  g_assert_cmpuint(objects->len, ==, 1);
  VfObjectMeta *o = g_ptr_array_index(objects, 0);
  g_assert_cmpstr(vf_object_meta_get_label(o), ==, "green");
  g_assert_cmpint(vf_object_meta_get_class_id(o), ==, 1);
  VfRect r;
  vf_object_meta_get_detector_bbox(o, &r);
  g_assert_cmpfloat(r.width, ==, 64);
  g_assert_cmpfloat(r.height, ==, 48);
  g_assert_cmpuint(vf_object_meta_get_n_classifications(o), ==, 1);
  g_ptr_array_unref(objects);
  gst_buffer_unref(out);
  gst_harness_teardown(h);
  g_free(caps);
  g_free(launch);
}

static void test_tensor_meta(void)
{
  char *launch = g_strdup_printf("vfinfer config-file-path=%s output-tensor-meta=true", ssd_config);
  GstHarness *h = harness(launch);
  GstBuffer *out = infer_frame(h, dog);
  VfFrameMeta *frame = vf_batch_meta_get_frame(vf_batch_meta_get(out), 0);
  VfTensor *scores = vf_frame_meta_get_user_meta(frame, "vf-tensor/1/scores");
  VfTensor *boxes = vf_frame_meta_get_user_meta(frame, "vf-tensor/1/boxes");
  g_assert_nonnull(scores);
  g_assert_nonnull(boxes);
  g_assert_cmpuint(vf_tensor_get_ndim(scores), ==, 3);
  g_assert_cmpint(vf_tensor_get_shape(scores)[0], ==, 1);
  g_assert_cmpint(vf_tensor_get_shape(scores)[1], ==, 1917);
  g_assert_cmpint(vf_tensor_get_shape(scores)[2], ==, 24);
  g_assert_cmpint(vf_tensor_get_shape(boxes)[2], ==, 4);
  g_assert_cmpint(vf_tensor_get_dtype(scores), ==, VF_DTYPE_FLOAT32);
  /* copies of the buffer share the tensors */
  GstBuffer *copy = gst_buffer_copy(out);
  VfFrameMeta *cf = vf_batch_meta_get_frame(vf_batch_meta_get(copy), 0);
  g_assert_true(vf_frame_meta_get_user_meta(cf, "vf-tensor/1/scores") == scores);
  gst_buffer_unref(copy);
  gst_buffer_unref(out);
  gst_harness_teardown(h);
  g_free(launch);
}

/* Start vfinfer with `props` (name, value string pairs) and return the element error's text
 * (transfer full). */
static char *start_error(const char *first, ...) G_GNUC_NULL_TERMINATED;
static char *start_error(const char *first, ...)
{
  GstElement *e = gst_element_factory_make("vfinfer", NULL);
  GstBus *bus = gst_bus_new();
  gst_element_set_bus(e, bus);
  va_list ap;
  va_start(ap, first);
  for (const char *name = first; name; name = va_arg(ap, const char *))
    gst_util_set_object_arg(G_OBJECT(e), name, va_arg(ap, const char *));
  va_end(ap);
  g_assert_cmpint(gst_element_set_state(e, GST_STATE_PAUSED), ==, GST_STATE_CHANGE_FAILURE);
  GstMessage *m = elt_wait_error(bus);
  g_assert_nonnull(m);
  char *text = elt_error_text(m);
  g_test_message("error: %s", text);
  gst_message_unref(m);
  gst_element_set_state(e, GST_STATE_NULL);
  gst_element_set_bus(e, NULL);
  gst_object_unref(bus);
  gst_object_unref(e);
  return text;
}

static void assert_contains(const char *text, const char *part)
{
  if (strstr(text, part) == NULL)
    g_error("'%s' lacks '%s'", text, part);
}

/* More intra-op threads than cores used to be taken silently (20 frames took 62 s with 256 on 2
 * cores): vfinfer starts, and warns naming the cores. */
static void test_threads_warning(void)
{
  guint cores = g_get_num_processors();
  for (guint threads = 1; threads <= cores + 1; threads += cores) {
    GstElement *e = gst_element_factory_make("vfinfer", NULL);
    GstBus *bus = gst_bus_new();
    gst_element_set_bus(e, bus);
    char *n = g_strdup_printf("%u", threads);
    gst_util_set_object_arg(G_OBJECT(e), "config-file-path", ssd_config);
    gst_util_set_object_arg(G_OBJECT(e), "threads", n);
    g_assert_cmpint(gst_element_set_state(e, GST_STATE_PAUSED), !=, GST_STATE_CHANGE_FAILURE);
    /* posted while starting, so it is on the bus once the state change returned */
    GstMessage *m = gst_bus_pop_filtered(bus, GST_MESSAGE_WARNING);
    if (threads <= cores) {
      g_assert_null(m);
    } else {
      g_assert_nonnull(m);
      GError *w = NULL;
      gst_message_parse_warning(m, &w, NULL);
      g_test_message("warning: %s", w->message);
      char *want = g_strdup_printf("threads is %u but this machine has %u cores", threads, cores);
      assert_contains(w->message, want);
      g_free(want);
      g_error_free(w);
      gst_message_unref(m);
    }
    gst_element_set_state(e, GST_STATE_NULL);
    gst_element_set_bus(e, NULL);
    gst_object_unref(bus);
    gst_object_unref(e);
    g_free(n);
  }
}

static void test_errors(void)
{
  /* no such config file */
  char *missing = g_build_filename(tmp, "nothere.yaml", NULL);
  char *t = start_error("config-file-path", missing, NULL);
  assert_contains(t, missing);
  assert_contains(t, "config-file-path");
  g_free(t);

  /* malformed YAML: the file and the line */
  char *bad = vft_write_file(tmp, "bad.yaml", "model: x.onnx\nparser: [ssd\n", -1);
  t = start_error("config-file-path", bad, NULL);
  assert_contains(t, bad);
  assert_contains(t, "YAML syntax error");
  g_free(t);

  /* a misspelt key */
  char *typo = vft_write_file(tmp, "typo.yaml", "model: x.onnx\ntreshold: 0.3\n", -1);
  t = start_error("config-file-path", typo, NULL);
  assert_contains(t, "typo.yaml:2");
  assert_contains(t, "did you mean 'threshold'");
  g_free(t);

  /* a missing model: the model file and the config line */
  char *nomodel = vft_write_file(tmp, "nomodel.yaml", "parser: ssd\nmodel: gone.onnx\n", -1);
  t = start_error("config-file-path", nomodel, NULL);
  assert_contains(t, "gone.onnx");
  assert_contains(t, "nomodel.yaml:2");
  g_free(t);

  /* a property overriding the model with a missing file */
  t = start_error("config-file-path", ssd_config, "model", "/nonexistent/m.onnx", NULL);
  assert_contains(t, "/nonexistent/m.onnx");
  assert_contains(t, "property");
  g_free(t);

  /* labels that do not match the model's classes */
  char *labels = vft_write_file(tmp, "short.labels", "Person\nb\nc\n", -1);
  t = start_error("config-file-path", ssd_config, "labels", labels, NULL);
  assert_contains(t, "short.labels");
  assert_contains(t, "3 labels");
  g_free(t);

  /* nothing configured */
  t = start_error("unique-id", "3", NULL);
  assert_contains(t, "model");
  g_free(t);
  g_free(labels);
  g_free(nomodel);
  g_free(typo);
  g_free(bad);
  g_free(missing);
}

/* ONNX Runtime missing (in a process of its own: ORT, once loaded, stays loaded). */
static void test_ort_missing(void)
{
  if (g_test_subprocess()) {
    g_setenv("VIDFLOW_ORT_LIB", "/nonexistent/libonnxruntime.so", TRUE);
    char *t = start_error("config-file-path", ssd_config, NULL);
    assert_contains(t, "/nonexistent/libonnxruntime.so");
    assert_contains(t, "VIDFLOW_ORT_LIB");
    g_free(t);
    return;
  }
  g_test_trap_subprocess(NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed();
}

/* CUDA frames into vfinfer with `props`: the element error's text (transfer full). */
static char *cuda_caps_error(const char *props)
{
  char *launch = g_strdup_printf("vfinfer config-file-path=%s %s", ssd_config, props);
  GstHarness *h = harness(launch);
  GstBus *bus = gst_bus_new();
  gst_element_set_bus(h->element, bus);
  gst_harness_set_src_caps_str(
      h, "video/x-raw(memory:CUDAMemory),format=NV12,width=64,height=48,framerate=30/1");
  guint8 fill[2] = { 16, 128 };
  GstFlowReturn r = gst_harness_push(h, elt_solid_frame(GST_VIDEO_FORMAT_NV12, 64, 48, fill));
  g_assert_cmpint(r, !=, GST_FLOW_OK);
  GstMessage *m = elt_wait_error(bus);
  g_assert_nonnull(m);
  char *text = elt_error_text(m);
  gst_message_unref(m);
  gst_element_set_bus(h->element, NULL);
  gst_object_unref(bus);
  gst_harness_teardown(h);
  g_free(launch);
  return text;
}

/* CUDA frames on the cpu provider: a clear error saying what to do, not a crash or a silent
 * download. */
static void test_cuda_caps(void)
{
  char *text = cuda_caps_error("execution-provider=cpu");
  assert_contains(text, "CUDAMemory");
  assert_contains(text, "execution-provider=cuda");
  assert_contains(text, "cudadownload");
  g_free(text);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  vft_require_data("images/dog.jpg", "images/person.jpg", "models/ssd_mobilenet_v2_oid.onnx", NULL);
  GError *err = NULL;
  char *path = vft_data_path("images/dog.jpg");
  dog = vft_decode_image(path, VF_COLOR_FORMAT_RGB, &err);
  g_assert_no_error(err);
  dog_i420 = vft_decode_image(path, VF_COLOR_FORMAT_I420, &err);
  g_assert_no_error(err);
  g_free(path);
  path = vft_data_path("images/person.jpg");
  person = vft_decode_image(path, VF_COLOR_FORMAT_RGB, &err);
  g_assert_no_error(err);
  g_free(path);
  tmp = vft_make_tmpdir();
  ssd_config = vft_write_sample_config(tmp, "ssd_mobilenet_v2_oid.yaml");

  g_test_add_func("/vfinfer/properties", test_properties);
  g_test_add_func("/vfinfer/single-frame", test_single_frame);
  g_test_add_func("/vfinfer/vfmux-batch", test_vfmux_batch);
  g_test_add_func("/vfinfer/interval", test_interval);
  g_test_add_func("/vfinfer/secondary-detector", test_secondary_detector);
  g_test_add_func("/vfinfer/secondary-classifier", test_secondary_classifier);
  g_test_add_func("/vfinfer/secondary-tracked", test_secondary_tracked);
  g_test_add_func("/vfinfer/primary-classifier", test_primary_classifier);
  g_test_add_func("/vfinfer/tensor-meta", test_tensor_meta);
  g_test_add_func("/vfinfer/errors", test_errors);
  g_test_add_func("/vfinfer/threads-warning", test_threads_warning);
  g_test_add_func("/vfinfer/ort-missing", test_ort_missing);
  g_test_add_func("/vfinfer/cuda-caps", test_cuda_caps);
  int ret = g_test_run();
  vft_frame_free(dog);
  vft_frame_free(dog_i420);
  vft_frame_free(person);
  vft_remove_tree(tmp);
  g_free(tmp);
  g_free(ssd_config);
  return ret;
}
