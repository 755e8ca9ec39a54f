/* Library tests for the batch → frame → object metadata API (include/vidflow/meta.h). */
#include <vidflow/vidflow.h>

#include <string.h>

/* ---- user meta with counted copy/free ---- */

typedef struct {
  gint value;
} Payload;

static gint payload_copies, payload_frees;

static gpointer payload_copy(gconstpointer data)
{
  const Payload *p = data;
  Payload *c = g_new(Payload, 1);
  c->value = p->value;
  g_atomic_int_inc(&payload_copies);
  return c;
}

static void payload_free(gpointer data)
{
  g_atomic_int_inc(&payload_frees);
  g_free(data);
}

static Payload *payload_new(gint value)
{
  Payload *p = g_new(Payload, 1);
  p->value = value;
  return p;
}

static void reset_counts(void)
{
  payload_copies = payload_frees = 0;
}

/* A batch of n frames, each a buffer of its own (the batch buffer holds no memory). */
static GstBuffer *make_batch(guint n_frames, guint width, guint height)
{
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, width, height);
  GstBuffer *buf = gst_buffer_new();
  VfBatchMeta *meta = vf_batch_meta_add(buf, 4);
  for (guint i = 0; i < n_frames; i++) {
    GstBuffer *pixels = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&info), NULL);
    VfFrameMeta *f = vf_batch_meta_add_frame(meta, pixels, &info);
    gst_buffer_unref(pixels);
    vf_frame_meta_set_source_id(f, 10 + i);
    vf_frame_meta_set_frame_number(f, 100 + i);
    vf_frame_meta_set_pts(f, i * GST_SECOND);
  }
  return buf;
}

static void test_batch_basics(void)
{
  GstBuffer *buf = make_batch(3, 64, 48);
  VfBatchMeta *meta = vf_batch_meta_get(buf);
  g_assert_nonnull(meta);
  g_assert_cmpuint(vf_batch_meta_get_n_frames(meta), ==, 3);
  g_assert_cmpuint(vf_batch_meta_get_max_frames(meta), ==, 4);
  /* Adding again returns the same meta. */
  g_assert_true(vf_batch_meta_add(buf, 8) == meta);
  for (guint i = 0; i < 3; i++) {
    VfFrameMeta *f = vf_batch_meta_get_frame(meta, i);
    g_assert_nonnull(f);
    g_assert_cmpuint(vf_frame_meta_get_batch_index(f), ==, i);
    g_assert_cmpuint(vf_frame_meta_get_source_id(f), ==, 10 + i);
    g_assert_cmpuint(vf_frame_meta_get_frame_number(f), ==, 100 + i);
    g_assert_cmpuint(vf_frame_meta_get_pts(f), ==, i * GST_SECOND);
    g_assert_cmpuint(vf_frame_meta_get_original_width(f), ==, 64);
    g_assert_cmpuint(vf_frame_meta_get_original_height(f), ==, 48);
    /* The frame's pixels are a buffer of its own; the batch buffer carries none. */
    GstBuffer *pixels = vf_frame_meta_get_buffer(f);
    g_assert_nonnull(pixels);
    g_assert_cmpuint(gst_buffer_get_size(pixels), ==, 64 * 48 * 3);
    g_assert_true(vf_frame_check(buf, f, NULL));
    g_assert_null(vf_frame_meta_get_sticky_events(f));
    g_assert_null(vf_frame_meta_get_caps(f));
    g_assert_cmpint(GST_VIDEO_INFO_WIDTH(vf_frame_meta_get_video_info(f)), ==, 64);
    g_assert_cmpint(GST_VIDEO_INFO_FORMAT(vf_frame_meta_get_video_info(f)), ==,
                    GST_VIDEO_FORMAT_RGB);
    g_assert_null(vf_frame_meta_get_sensor_id(f));
  }
  g_assert_null(vf_batch_meta_get_frame(meta, 3));
  g_assert_cmpuint(gst_buffer_n_memory(buf), ==, 0);
  g_assert_true(vf_batch_meta_get_buffer(meta) == buf);
  g_assert_true(vf_batch_meta_find_frame(meta, 11) == vf_batch_meta_get_frame(meta, 1));
  g_assert_null(vf_batch_meta_find_frame(meta, 99));

  VfFrameMeta *f = vf_batch_meta_get_frame(meta, 0);
  char id[] = "cam-0";
  vf_frame_meta_set_sensor(f, id, "front door");
  id[0] = 'X'; /* interned: the caller's buffer does not matter */
  g_assert_cmpstr(vf_frame_meta_get_sensor_id(f), ==, "cam-0");
  g_assert_cmpstr(vf_frame_meta_get_sensor_name(f), ==, "front door");
  gst_buffer_unref(buf);
}

static void test_object_fields(void)
{
  VfObjectMeta *o = vf_object_meta_new();
  g_assert_cmpint(vf_object_meta_get_class_id(o), ==, VF_CLASS_UNKNOWN);
  g_assert_cmpuint(vf_object_meta_get_object_id(o), ==, VF_OBJECT_UNTRACKED);
  g_assert_null(vf_object_meta_get_label(o));
  g_assert_null(vf_object_meta_get_parent(o));

  vf_object_meta_set_class_id(o, 2);
  vf_object_meta_set_label(o, "car");
  vf_object_meta_set_confidence(o, 0.75f);
  VfRect d = { 1, 2, 30, 40 }, t = { 2, 3, 31, 41 }, r;
  vf_object_meta_set_detector_bbox(o, &d);
  vf_object_meta_set_tracker_bbox(o, &t);
  vf_object_meta_set_tracker_confidence(o, 0.5f);
  vf_object_meta_set_object_id(o, 42);
  vf_object_meta_set_component_id(o, 7);
  g_assert_cmpint(vf_object_meta_get_class_id(o), ==, 2);
  g_assert_cmpstr(vf_object_meta_get_label(o), ==, "car");
  g_assert_cmpfloat(vf_object_meta_get_confidence(o), ==, 0.75f);
  vf_object_meta_get_detector_bbox(o, &r);
  g_assert_true(memcmp(&r, &d, sizeof r) == 0);
  vf_object_meta_get_tracker_bbox(o, &r);
  g_assert_true(memcmp(&r, &t, sizeof r) == 0);
  g_assert_cmpfloat(vf_object_meta_get_tracker_confidence(o), ==, 0.5f);
  g_assert_cmpuint(vf_object_meta_get_object_id(o), ==, 42);
  g_assert_cmpint(vf_object_meta_get_component_id(o), ==, 7);

  vf_object_meta_add_classification(o, 3, 5, "red", 0.9f);
  vf_object_meta_add_classification(o, 4, 1, "sedan", 0.6f);
  g_assert_cmpuint(vf_object_meta_get_n_classifications(o), ==, 2);
  VfClassification c;
  g_assert_true(vf_object_meta_get_classification(o, 1, &c));
  g_assert_cmpint(c.component_id, ==, 4);
  g_assert_cmpint(c.class_id, ==, 1);
  g_assert_cmpstr(c.label, ==, "sedan");
  g_assert_cmpfloat(c.confidence, ==, 0.6f);
  g_assert_false(vf_object_meta_get_classification(o, 2, &c));

  /* Parent: a reference is held; cycles are refused. */
  VfObjectMeta *plate = vf_object_meta_new();
  g_assert_true(vf_object_meta_set_parent(plate, o));
  g_assert_false(vf_object_meta_set_parent(o, plate));
  g_assert_false(vf_object_meta_set_parent(o, o));
  VfObjectMeta *p = vf_object_meta_get_parent(plate);
  g_assert_true(p == o);
  vf_object_meta_unref(p);
  /* The parent outlives the caller's reference. */
  vf_object_meta_unref(o);
  p = vf_object_meta_get_parent(plate);
  g_assert_cmpstr(vf_object_meta_get_label(p), ==, "car");
  vf_object_meta_unref(p);

  /* Copy: same parent, own classifications. */
  VfObjectMeta *copy = vf_object_meta_copy(plate);
  p = vf_object_meta_get_parent(copy);
  g_assert_true(p != NULL);
  vf_object_meta_unref(p);
  vf_object_meta_unref(copy);

  vf_object_meta_set_parent(plate, NULL);
  g_assert_null(vf_object_meta_get_parent(plate));
  vf_object_meta_unref(plate);
}

static void test_objects_in_frame(void)
{
  GstBuffer *buf = make_batch(1, 32, 32);
  VfFrameMeta *f = vf_batch_meta_get_frame(vf_batch_meta_get(buf), 0);
  for (gint i = 0; i < 5; i++) {
    VfObjectMeta *o = vf_object_meta_new();
    vf_object_meta_set_class_id(o, i);
    g_assert_true(vf_frame_meta_add_object(f, o));
    g_assert_false(vf_frame_meta_add_object(f, o)); /* already there */
    vf_object_meta_unref(o);
  }
  g_assert_false(vf_frame_meta_add_object(f, NULL));
  g_assert_cmpuint(vf_frame_meta_get_n_objects(f), ==, 5);

  /* A snapshot stays valid while the frame changes: remove every other object while
   * iterating it. */
  GPtrArray *objs = vf_frame_meta_get_objects(f);
  g_assert_cmpuint(objs->len, ==, 5);
  for (guint i = 0; i < objs->len; i += 2)
    g_assert_true(vf_frame_meta_remove_object(f, g_ptr_array_index(objs, i)));
  g_assert_cmpuint(vf_frame_meta_get_n_objects(f), ==, 2);
  for (guint i = 0; i < objs->len; i++)
    g_assert_cmpint(vf_object_meta_get_class_id(g_ptr_array_index(objs, i)), ==, (gint)i);
  g_assert_false(vf_frame_meta_remove_object(f, g_ptr_array_index(objs, 0)));

  /* A handle kept across the buffer's death stays valid. */
  VfObjectMeta *kept = vf_frame_meta_get_object(f, 1);
  g_assert_cmpint(vf_object_meta_get_class_id(kept), ==, 3);
  g_assert_null(vf_frame_meta_get_object(f, 2));
  g_ptr_array_unref(objs);
  gst_buffer_unref(buf);
  g_assert_cmpint(vf_object_meta_get_class_id(kept), ==, 3);
  vf_object_meta_unref(kept);
}

static void test_user_meta(void)
{
  reset_counts();
  GstBuffer *buf = make_batch(2, 16, 16);
  VfBatchMeta *meta = vf_batch_meta_get(buf);
  VfFrameMeta *f = vf_batch_meta_get_frame(meta, 0);
  VfObjectMeta *o = vf_object_meta_new();
  vf_frame_meta_add_object(f, o);

  vf_batch_meta_add_user_meta(meta, "test.batch", payload_new(1), payload_copy, payload_free);
  vf_frame_meta_add_user_meta(f, "test.frame", payload_new(2), payload_copy, payload_free);
  vf_frame_meta_add_user_meta(f, "test.nocopy", payload_new(3), NULL, payload_free);
  vf_object_meta_add_user_meta(o, "test.object", payload_new(4), payload_copy, payload_free);
  g_assert_cmpint(((Payload *)vf_batch_meta_get_user_meta(meta, "test.batch"))->value, ==, 1);
  g_assert_cmpint(((Payload *)vf_frame_meta_get_user_meta(f, "test.frame"))->value, ==, 2);
  g_assert_cmpint(((Payload *)vf_object_meta_get_user_meta(o, "test.object"))->value, ==, 4);
  g_assert_null(vf_frame_meta_get_user_meta(f, "test.missing"));
  g_assert_cmpuint(vf_frame_meta_get_n_user_meta(f), ==, 2);
  const char *type = NULL;
  Payload *p = vf_frame_meta_get_nth_user_meta(f, 1, &type);
  g_assert_cmpstr(type, ==, "test.nocopy");
  g_assert_cmpint(p->value, ==, 3);
  g_assert_null(vf_frame_meta_get_nth_user_meta(f, 2, &type));
  g_assert_null(type);
  g_assert_cmpuint(vf_object_meta_get_n_user_meta(o), ==, 1);
  g_assert_nonnull(vf_object_meta_get_nth_user_meta(o, 0, NULL));

  /* A copy of the buffer shares its frames and objects: only batch user meta is copied. */
  GstBuffer *copy = gst_buffer_copy(buf);
  g_assert_cmpint(payload_copies, ==, 1);
  VfBatchMeta *cmeta = vf_batch_meta_get(copy);
  g_assert_true(cmeta != meta);
  g_assert_cmpint(((Payload *)vf_batch_meta_get_user_meta(cmeta, "test.batch"))->value, ==, 1);
  g_assert_true(vf_batch_meta_get_user_meta(cmeta, "test.batch")
                != vf_batch_meta_get_user_meta(meta, "test.batch"));
  /* Read through a holder that does not own it: the very frame, nothing copied. */
  gst_buffer_ref(copy);
  VfFrameMeta *shared = vf_batch_meta_get_frame(cmeta, 0);
  g_assert_cmpuint(vf_frame_meta_get_n_user_meta(shared), ==, 2);
  g_assert_cmpint(payload_copies, ==, 1);
  gst_buffer_unref(copy);
  /* The copy's owner takes the frame to change it: the frame is copied with what has a copy
   * function; the objects stay shared. */
  VfFrameMeta *cf = vf_batch_meta_get_frame(cmeta, 0);
  g_assert_true(cf != shared);
  g_assert_cmpint(payload_copies, ==, 2);
  g_assert_cmpuint(vf_frame_meta_get_n_user_meta(cf), ==, 1);
  Payload *cp = vf_frame_meta_get_user_meta(cf, "test.frame");
  g_assert_true(cp != vf_frame_meta_get_user_meta(f, "test.frame"));
  g_assert_cmpint(cp->value, ==, 2);
  VfObjectMeta *co = vf_frame_meta_get_object(cf, 0);
  g_assert_true(co == o);
  vf_object_meta_unref(co);
  /* Made writable, the copy's frame gets its own object, user meta copied. */
  g_assert_cmpuint(vf_frame_meta_make_objects_writable(cf), ==, 1);
  g_assert_cmpuint(vf_frame_meta_make_objects_writable(cf), ==, 0);
  g_assert_cmpint(payload_copies, ==, 3);
  co = vf_frame_meta_get_object(cf, 0);
  g_assert_true(co != o);
  g_assert_cmpint(((Payload *)vf_object_meta_get_user_meta(co, "test.object"))->value, ==, 4);
  vf_object_meta_unref(co);

  /* Remove frees. */
  f = vf_batch_meta_get_frame(meta, 0);
  g_assert_cmpuint(vf_frame_meta_remove_user_meta(f, "test.nocopy"), ==, 1);
  g_assert_cmpint(payload_frees, ==, 1);
  g_assert_cmpuint(vf_frame_meta_remove_user_meta(f, "test.nocopy"), ==, 0);
  g_assert_cmpuint(vf_object_meta_remove_user_meta(o, "test.object"), ==, 1);
  g_assert_cmpint(payload_frees, ==, 2);
  g_assert_cmpuint(vf_batch_meta_remove_user_meta(meta, "test.batch"), ==, 1);
  g_assert_cmpint(payload_frees, ==, 3);

  vf_object_meta_unref(o);
  gst_buffer_unref(buf);
  g_assert_cmpint(payload_frees, ==, 4); /* test.frame */
  gst_buffer_unref(copy);
  /* Every payload made (4) and copied (3) was freed exactly once. */
  g_assert_cmpint(payload_frees, ==, 7);
}

static void test_display_meta(void)
{
  GstBuffer *buf = make_batch(1, 100, 100);
  VfFrameMeta *f = vf_batch_meta_get_frame(vf_batch_meta_get(buf), 0);
  VfColor red = { 1, 0, 0, 1 }, black = { 0, 0, 0, 0.5f };
  VfRect r = { 10, 20, 30, 40 };
  vf_frame_meta_add_display_rect(f, &r, 2, &red, NULL);
  vf_frame_meta_add_display_text(f, 5, 6, "person 0.93", 14, &red, &black);
  vf_frame_meta_add_display_line(f, 0, 0, 99, 99, 3, &red);
  vf_frame_meta_add_display_circle(f, 50, 50, 10, 1, &red, &black);
  g_assert_cmpuint(vf_frame_meta_get_n_display_items(f), ==, 4);

  VfDisplayItem item;
  g_assert_true(vf_frame_meta_get_display_item(f, 0, &item));
  g_assert_cmpint(item.kind, ==, VF_DISPLAY_RECT);
  g_assert_cmpfloat(item.rect.width, ==, 30);
  g_assert_false(item.has_bg);
  g_assert_cmpfloat(item.line_width, ==, 2);
  vf_display_item_clear(&item);
  g_assert_true(vf_frame_meta_get_display_item(f, 1, &item));
  g_assert_cmpint(item.kind, ==, VF_DISPLAY_TEXT);
  g_assert_cmpstr(item.text, ==, "person 0.93");
  g_assert_true(item.has_bg);
  g_assert_cmpfloat(item.bg_color.alpha, ==, 0.5f);
  vf_display_item_clear(&item);
  g_assert_null(item.text);
  g_assert_true(vf_frame_meta_get_display_item(f, 3, &item));
  g_assert_cmpint(item.kind, ==, VF_DISPLAY_CIRCLE);
  g_assert_cmpfloat(item.radius, ==, 10);
  vf_display_item_clear(&item);
  g_assert_false(vf_frame_meta_get_display_item(f, 4, &item));

  /* Copies carry display meta; changing one leaves the other alone (either way round). */
  GstBuffer *copy = gst_buffer_copy(buf);
  VfFrameMeta *cf = vf_batch_meta_get_frame(vf_batch_meta_get(copy), 0);
  g_assert_cmpuint(vf_frame_meta_get_n_display_items(cf), ==, 4);
  f = vf_batch_meta_get_frame(vf_batch_meta_get(buf), 0);
  vf_frame_meta_clear_display(f);
  g_assert_cmpuint(vf_frame_meta_get_n_display_items(f), ==, 0);
  g_assert_cmpuint(vf_frame_meta_get_n_display_items(cf), ==, 4);
  vf_frame_meta_add_display_line(cf, 1, 1, 2, 2, 1, &red);
  g_assert_cmpuint(vf_frame_meta_get_n_display_items(cf), ==, 5);
  g_assert_cmpuint(vf_frame_meta_get_n_display_items(f), ==, 0);
  gst_buffer_unref(copy);
  gst_buffer_unref(buf);
}

static void test_copies_share_writers_own(void)
{
  GstBuffer *buf = make_batch(2, 64, 64);
  VfFrameMeta *f = vf_batch_meta_get_frame(vf_batch_meta_get(buf), 1);
  VfObjectMeta *car = vf_object_meta_new(), *plate = vf_object_meta_new();
  vf_object_meta_set_label(car, "car");
  vf_object_meta_set_label(plate, "plate");
  vf_object_meta_set_parent(plate, car);
  vf_frame_meta_add_object(f, car);
  vf_frame_meta_add_object(f, plate);
  GstBuffer *pixels = vf_frame_meta_get_buffer(f);

  GstBuffer *copies[] = { gst_buffer_copy(buf), gst_buffer_copy_deep(buf) };
  for (guint k = 0; k < G_N_ELEMENTS(copies); k++) {
    VfBatchMeta *cm = vf_batch_meta_get(copies[k]);
    g_assert_nonnull(cm);
    g_assert_cmpuint(vf_batch_meta_get_n_frames(cm), ==, 2);
    VfFrameMeta *cf = vf_batch_meta_get_frame(cm, 1);
    g_assert_cmpuint(vf_frame_meta_get_source_id(cf), ==, 11);
    g_assert_cmpuint(vf_frame_meta_get_n_objects(cf), ==, 2);
    /* Referenced, not copied: the same objects, the same frame buffer. */
    VfObjectMeta *ccar = vf_frame_meta_get_object(cf, 0), *cplate = vf_frame_meta_get_object(cf, 1);
    g_assert_true(ccar == car && cplate == plate);
    g_assert_true(vf_frame_meta_get_buffer(cf) == pixels);
    vf_object_meta_unref(ccar);
    vf_object_meta_unref(cplate);

    /* A writer of the copy gets objects of its own: parents follow, the original is untouched. */
    g_assert_cmpuint(vf_frame_meta_make_objects_writable(cf), ==, 2);
    ccar = vf_frame_meta_get_object(cf, 0);
    cplate = vf_frame_meta_get_object(cf, 1);
    g_assert_true(ccar != car && cplate != plate);
    VfObjectMeta *parent = vf_object_meta_get_parent(cplate);
    g_assert_true(parent == ccar);
    vf_object_meta_unref(parent);
    vf_object_meta_set_label(ccar, "truck");
    g_assert_cmpstr(vf_object_meta_get_label(car), ==, "car");
    vf_object_meta_unref(ccar);
    vf_object_meta_unref(cplate);
    /* Adding, removing, clearing: the copy's list only. */
    VfObjectMeta *extra = vf_object_meta_new();
    vf_frame_meta_add_object(cf, extra);
    vf_object_meta_unref(extra);
    g_assert_cmpuint(vf_frame_meta_get_n_objects(cf), ==, 3);
    vf_frame_meta_clear_objects(cf);
    g_assert_cmpuint(vf_frame_meta_get_n_objects(cf), ==, 0);
    vf_frame_meta_set_source_id(cf, 99);
    f = vf_batch_meta_get_frame(vf_batch_meta_get(buf), 1);
    g_assert_cmpuint(vf_frame_meta_get_n_objects(f), ==, 2);
    g_assert_cmpuint(vf_frame_meta_get_source_id(f), ==, 11);
    /* The original's owner changes its frame: the copy keeps what it had. */
    vf_frame_meta_remove_object(f, plate);
    g_assert_cmpuint(vf_frame_meta_get_n_objects(f), ==, 1);
    g_assert_cmpuint(vf_frame_meta_get_n_objects(cf), ==, 0);
    vf_frame_meta_add_object(f, plate);
    gst_buffer_unref(copies[k]);
  }

  /* A copy of part of a single frame's pixels drops the meta (it would describe other bytes). */
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 16, 16);
  GstBuffer *single = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&info), NULL);
  vf_batch_meta_add_single(single, &info);
  GstBuffer *part = gst_buffer_copy_region(single, GST_BUFFER_COPY_ALL, 10, 100);
  g_assert_null(vf_batch_meta_get(part));
  gst_buffer_unref(part);
  /* A region covering the whole buffer is a copy. */
  GstBuffer *whole
      = gst_buffer_copy_region(single, GST_BUFFER_COPY_ALL, 0, gst_buffer_get_size(single));
  g_assert_nonnull(vf_batch_meta_get(whole));
  gst_buffer_unref(whole);
  gst_buffer_unref(single);

  vf_object_meta_unref(car);
  vf_object_meta_unref(plate);
  gst_buffer_unref(buf);
}

/* A copy costs O(1) whatever the number of frames and objects, and reading it copies nothing. */
static void test_copy_is_o1(void)
{
  reset_counts();
  const guint n_frames = 64, n_objects = 100;
  GstBuffer *buf = make_batch(n_frames, 8, 8);
  VfBatchMeta *meta = vf_batch_meta_get(buf);
  for (guint i = 0; i < n_frames; i++) {
    VfFrameMeta *f = vf_batch_meta_get_frame(meta, i);
    for (guint k = 0; k < n_objects; k++) {
      VfObjectMeta *o = vf_object_meta_new();
      vf_object_meta_set_class_id(o, (gint)k);
      vf_object_meta_add_user_meta(o, "test.object", payload_new((gint)k), payload_copy,
                                   payload_free);
      vf_frame_meta_add_object(f, o);
      vf_object_meta_unref(o);
    }
  }
  /* What a probe after a tee does: make the shared buffer writable, read every object. */
  GstBuffer *held = gst_buffer_ref(buf); /* the tee's other branch */
  GstBuffer *w = gst_buffer_make_writable(gst_buffer_ref(buf));
  g_assert_true(w != buf);
  VfBatchMeta *wm = vf_batch_meta_get(w);
  guint seen = 0;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(wm); i++) {
    GPtrArray *objs = vf_frame_meta_get_objects(vf_batch_meta_get_frame(wm, i));
    for (guint k = 0; k < objs->len; k++)
      seen += vf_object_meta_get_class_id(g_ptr_array_index(objs, k)) == (gint)k;
    g_ptr_array_unref(objs);
  }
  g_assert_cmpuint(seen, ==, n_frames * n_objects);
  g_assert_cmpint(payload_copies, ==, 0);
  /* A writer that changes the objects of one frame copies that frame's, no others. */
  g_assert_cmpuint(vf_frame_meta_make_objects_writable(vf_batch_meta_get_frame(wm, 3)), ==,
                   n_objects);
  g_assert_cmpint(payload_copies, ==, (gint)n_objects);
  gst_buffer_unref(w);
  gst_buffer_unref(held);
  gst_buffer_unref(buf);
  g_assert_cmpint(payload_frees, ==, (gint)(n_frames * n_objects + n_objects));
}

static void test_sticky_events(void)
{
  GstBuffer *buf = make_batch(2, 8, 8);
  VfBatchMeta *meta = vf_batch_meta_get(buf);
  GPtrArray *events = g_ptr_array_new_with_free_func((GDestroyNotify)gst_event_unref);
  g_ptr_array_add(events, gst_event_new_stream_start("camera-7"));
  GstCaps *caps = gst_caps_from_string("video/x-raw,format=RGB,width=8,height=8,framerate=5/1");
  g_ptr_array_add(events, gst_event_new_caps(caps));
  GstSegment seg;
  gst_segment_init(&seg, GST_FORMAT_TIME);
  seg.start = 3 * GST_SECOND;
  g_ptr_array_add(events, gst_event_new_segment(&seg));
  VfFrameMeta *f = vf_batch_meta_get_frame(meta, 0);
  vf_frame_meta_set_sticky_events(f, events);
  g_ptr_array_unref(events);
  g_assert_cmpstr(vf_frame_meta_get_stream_id(f), ==, "camera-7");
  g_assert_true(gst_caps_is_equal(vf_frame_meta_get_caps(f), caps));
  g_assert_cmpuint(vf_frame_meta_get_segment(f)->start, ==, 3 * GST_SECOND);
  g_assert_cmpuint(vf_frame_meta_get_sticky_events(f)->len, ==, 3);
  /* Carried by copies, and by frame copies (a demuxer's). */
  GstBuffer *copy = gst_buffer_copy(buf);
  g_assert_cmpstr(vf_frame_meta_get_stream_id(vf_batch_meta_get_frame(vf_batch_meta_get(copy), 0)),
                  ==, "camera-7");
  GstBuffer *single = gst_buffer_new();
  VfFrameMeta *sf = vf_batch_meta_add_frame_copy(vf_batch_meta_add(single, 1), f, NULL, NULL);
  g_assert_true(vf_frame_meta_get_sticky_events(sf) == vf_frame_meta_get_sticky_events(f));
  g_assert_null(vf_frame_meta_get_buffer(sf));
  g_assert_null(vf_frame_meta_get_stream_id(vf_batch_meta_get_frame(meta, 1)));
  gst_caps_unref(caps);
  gst_buffer_unref(single);
  gst_buffer_unref(copy);
  gst_buffer_unref(buf);
}

static void test_single_and_scale(void)
{
  GstVideoInfo in, out;
  gst_video_info_set_format(&in, GST_VIDEO_FORMAT_I420, 640, 480);
  gst_video_info_set_format(&out, GST_VIDEO_FORMAT_I420, 320, 240);
  GstBuffer *buf = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&in), NULL);
  GST_BUFFER_PTS(buf) = 5 * GST_SECOND;
  VfBatchMeta *meta = vf_batch_meta_add_single(buf, &in);
  g_assert_nonnull(meta);
  g_assert_true(vf_batch_meta_add_single(buf, &in) == meta);
  g_assert_cmpuint(vf_batch_meta_get_n_frames(meta), ==, 1);
  VfFrameMeta *f = vf_batch_meta_get_frame(meta, 0);
  g_assert_cmpuint(vf_frame_meta_get_pts(f), ==, 5 * GST_SECOND);
  g_assert_null(vf_frame_meta_get_buffer(f)); /* the frame is the buffer itself */
  VfObjectMeta *o = vf_object_meta_new();
  VfRect box = { 100, 50, 200, 100 };
  vf_object_meta_set_detector_bbox(o, &box);
  vf_frame_meta_add_object(f, o);
  vf_object_meta_unref(o);
  vf_frame_meta_add_display_circle(f, 320, 240, 20, 2, NULL, NULL);

  /* What videoscale does with size-tagged metas. */
  g_assert_true(gst_meta_api_type_has_tag(VF_BATCH_META_API_TYPE,
                                          g_quark_from_string(GST_META_TAG_VIDEO_SIZE_STR)));
  GstBuffer *scaled = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&out), NULL);
  GstVideoMetaTransform trans = { &in, &out };
  const GstMetaInfo *info = vf_batch_meta_get_info();
  g_assert_true(info->transform_func(scaled, (GstMeta *)meta, buf,
                                     gst_video_meta_transform_scale_get_quark(), &trans));
  VfFrameMeta *sf = vf_batch_meta_get_frame(vf_batch_meta_get(scaled), 0);
  g_assert_cmpint(GST_VIDEO_INFO_WIDTH(vf_frame_meta_get_video_info(sf)), ==, 320);
  g_assert_cmpuint(vf_frame_meta_get_original_width(sf), ==, 640);
  VfObjectMeta *so = vf_frame_meta_get_object(sf, 0);
  VfRect r;
  vf_object_meta_get_detector_bbox(so, &r);
  g_assert_cmpfloat(r.left, ==, 50);
  g_assert_cmpfloat(r.top, ==, 25);
  g_assert_cmpfloat(r.width, ==, 100);
  g_assert_cmpfloat(r.height, ==, 50);
  vf_object_meta_unref(so);
  VfDisplayItem item;
  g_assert_true(vf_frame_meta_get_display_item(sf, 0, &item));
  g_assert_cmpfloat(item.x1, ==, 160);
  g_assert_cmpfloat(item.radius, ==, 10);
  vf_display_item_clear(&item);
  /* Back to the original frame: the scaled box maps to the detector's box. */
  VfRect orig;
  g_assert_true(vf_frame_meta_to_original(sf, &r, &orig));
  g_assert_cmpfloat(orig.left, ==, 100);
  g_assert_cmpfloat(orig.width, ==, 200);
  VfRect back;
  g_assert_true(vf_frame_meta_from_original(sf, &orig, &back));
  g_assert_cmpfloat(back.left, ==, 50);
  gst_buffer_unref(scaled);
  gst_buffer_unref(buf);
}

static void test_padding_mapping(void)
{
  /* A 1920x1080 source letterboxed into 640x640: content 640x360 at the top left. */
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 640, 640);
  GstBuffer *buf = gst_buffer_new();
  VfBatchMeta *meta = vf_batch_meta_add(buf, 1);
  VfFrameMeta *f = vf_batch_meta_add_frame(meta, NULL, &info);
  vf_frame_meta_set_original_size(f, 1920, 1080);
  VfRect content = { 0, 0, 640, 360 };
  vf_frame_meta_set_content_rect(f, &content);
  VfRect in = { 320, 180, 64, 36 }, out;
  g_assert_true(vf_frame_meta_to_original(f, &in, &out));
  g_assert_cmpfloat(out.left, ==, 960);
  g_assert_cmpfloat(out.top, ==, 540);
  g_assert_cmpfloat(out.width, ==, 192);
  g_assert_cmpfloat(out.height, ==, 108);
  VfRect empty = { 0, 0, 0, 0 };
  vf_frame_meta_set_content_rect(f, &empty);
  g_assert_false(vf_frame_meta_to_original(f, &in, &out));
  gst_buffer_unref(buf);
}

/* Several threads read, add and remove objects of one frame at once. */
typedef struct {
  VfFrameMeta *frame;
  gint writer;
} ThreadArgs;

static gpointer hammer(gpointer data)
{
  ThreadArgs *a = data;
  for (gint i = 0; i < 2000; i++) {
    if (a->writer) {
      VfObjectMeta *o = vf_object_meta_new();
      vf_frame_meta_add_object(a->frame, o);
      if (i % 2)
        vf_frame_meta_remove_object(a->frame, o);
      vf_object_meta_unref(o);
    } else {
      GPtrArray *objs = vf_frame_meta_get_objects(a->frame);
      for (guint k = 0; k < objs->len; k++)
        (void)vf_object_meta_get_class_id(g_ptr_array_index(objs, k));
      g_ptr_array_unref(objs);
      VfObjectMeta *o = vf_frame_meta_get_object(a->frame, 0);
      vf_object_meta_unref(o);
    }
  }
  return NULL;
}

static void test_threads(void)
{
  GstBuffer *buf = make_batch(1, 8, 8);
  VfFrameMeta *f = vf_batch_meta_get_frame(vf_batch_meta_get(buf), 0);
  ThreadArgs args[4] = { { f, 1 }, { f, 1 }, { f, 0 }, { f, 0 } };
  GThread *threads[4];
  for (guint i = 0; i < 4; i++)
    threads[i] = g_thread_new("hammer", hammer, &args[i]);
  for (guint i = 0; i < 4; i++)
    g_thread_join(threads[i]);
  g_assert_cmpuint(vf_frame_meta_get_n_objects(f), ==, 2000);
  gst_buffer_unref(buf);
}

/* After a tee: readers on several threads read one shared batch while a writer (a probe or an
 * in-place element on another branch) makes it writable and changes frames, objects, frame buffers
 * and display items of its copy. The readers always see the batch as it was. */
typedef struct {
  GstBuffer *batch; /* shared, read only */
  gint errors;
} SharedArgs;

static gpointer shared_reader(gpointer data)
{
  SharedArgs *a = data;
  VfBatchMeta *meta = vf_batch_meta_get(a->batch);
  for (gint i = 0; i < 500; i++) {
    for (guint k = 0; k < vf_batch_meta_get_n_frames(meta); k++) {
      VfFrameMeta *f = vf_batch_meta_get_frame(meta, k);
      GPtrArray *objs = vf_frame_meta_get_objects(f);
      gboolean ok = objs->len == 3 && vf_frame_meta_get_source_id(f) == 10 + k
                    && vf_frame_meta_get_n_display_items(f) == 0
                    && gst_buffer_get_size(vf_frame_meta_get_buffer(f)) == 8 * 8 * 3;
      for (guint j = 0; ok && j < objs->len; j++)
        ok = vf_object_meta_get_class_id(g_ptr_array_index(objs, j)) == (gint)j;
      g_ptr_array_unref(objs);
      VfFrameMap map;
      ok = ok && vf_frame_map(&map, a->batch, f, VF_DEVICE_CPU, GST_MAP_READ, NULL);
      if (ok) {
        ok = map.data[0][0] == 0;
        vf_frame_unmap(&map);
      }
      if (!ok)
        g_atomic_int_inc(&a->errors);
    }
  }
  return NULL;
}

static gpointer shared_writer(gpointer data)
{
  SharedArgs *a = data;
  for (gint i = 0; i < 200; i++) {
    GstBuffer *w = gst_buffer_make_writable(gst_buffer_ref(a->batch));
    VfBatchMeta *meta = vf_batch_meta_get(w);
    for (guint k = 0; k < vf_batch_meta_get_n_frames(meta); k++) {
      VfFrameMeta *f = vf_batch_meta_get_frame(meta, k);
      vf_frame_meta_set_source_id(f, 99);
      vf_frame_meta_make_objects_writable(f);
      VfObjectMeta *o = vf_frame_meta_get_object(f, 0);
      vf_object_meta_set_class_id(o, 77);
      vf_frame_meta_remove_object(f, o);
      vf_object_meta_unref(o);
      VfRect r = { 0, 0, 1, 1 };
      vf_frame_meta_add_display_rect(f, &r, 1, NULL, NULL);
      VfFrameMap map;
      if (!vf_frame_make_writable(w, f, NULL, NULL)
          || !vf_frame_map(&map, w, f, VF_DEVICE_CPU, GST_MAP_READWRITE, NULL)) {
        g_atomic_int_inc(&a->errors);
        continue;
      }
      map.data[0][0] = 255;
      vf_frame_unmap(&map);
    }
    gst_buffer_unref(w);
  }
  return NULL;
}

static void test_threads_shared_batch(void)
{
  GstBuffer *batch = make_batch(4, 8, 8);
  VfBatchMeta *meta = vf_batch_meta_get(batch);
  for (guint k = 0; k < 4; k++) {
    VfFrameMeta *f = vf_batch_meta_get_frame(meta, k);
    gst_buffer_memset(vf_frame_meta_get_buffer(f), 0, 0, 8 * 8 * 3);
    for (gint j = 0; j < 3; j++) {
      VfObjectMeta *o = vf_object_meta_new();
      vf_object_meta_set_class_id(o, j);
      vf_frame_meta_add_object(f, o);
      vf_object_meta_unref(o);
    }
  }
  SharedArgs args = { batch, 0 };
  gst_buffer_ref(batch); /* shared from now on: the tee's branches */
  GThread *threads[4];
  for (guint i = 0; i < 3; i++)
    threads[i] = g_thread_new("reader", shared_reader, &args);
  threads[3] = g_thread_new("writer", shared_writer, &args);
  for (guint i = 0; i < 4; i++)
    g_thread_join(threads[i]);
  g_assert_cmpint(args.errors, ==, 0);
  gst_buffer_unref(batch);
  gst_buffer_unref(batch);
}

/* Wrong uses are refused with an error, nothing changes. */
static void test_bad_inputs(void)
{
  GstBuffer *batch = make_batch(1, 8, 8);
  VfBatchMeta *meta = vf_batch_meta_get(batch);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 8, 8);
  g_assert_null(vf_batch_meta_add_frame(NULL, NULL, &info));
  g_assert_null(vf_batch_meta_add_frame(meta, NULL, NULL));
  g_assert_null(vf_batch_meta_get(NULL));
  g_assert_null(vf_batch_meta_add_single(batch, NULL));
  /* A shared buffer: no frames added, no writing. */
  gst_buffer_ref(batch);
  g_assert_null(vf_batch_meta_add_frame(meta, NULL, &info));
  g_assert_cmpuint(vf_batch_meta_get_n_frames(meta), ==, 1);
  VfFrameMeta *f = vf_batch_meta_get_frame(meta, 0);
  GError *err = NULL;
  g_assert_false(vf_frame_make_writable(batch, f, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_assert_nonnull(strstr(err->message, "frame 0 of the batch (source 10)"));
  g_clear_error(&err);
  gst_buffer_unref(batch);
  /* A frame whose layout does not fit its buffer, one without pixels. */
  GstVideoInfo big;
  gst_video_info_set_format(&big, GST_VIDEO_FORMAT_RGB, 64, 64);
  vf_frame_meta_set_video_info(vf_batch_meta_get_frame(meta, 0), &big);
  VfFrameMap map;
  g_assert_false(vf_frame_map(&map, batch, vf_batch_meta_get_frame(meta, 0), VF_DEVICE_CPU,
                              GST_MAP_READ, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_SIZE);
  g_assert_nonnull(strstr(err->message, "does not fit"));
  g_clear_error(&err);
  vf_frame_unmap(&map); /* harmless after a failure */
  VfFrameMeta *bare = vf_batch_meta_add_frame(meta, NULL, &info);
  g_assert_false(vf_frame_check(batch, bare, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_FORMAT);
  g_assert_nonnull(strstr(err->message, "no pixels"));
  g_clear_error(&err);
  g_assert_false(vf_frame_map(&map, NULL, NULL, VF_DEVICE_CPU, GST_MAP_READ, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  /* System memory read on the GPU, and CUDA memory read on the CPU: refused. */
  vf_frame_meta_set_video_info(vf_batch_meta_get_frame(meta, 0), &info);
  g_assert_true(vf_frame_check(batch, vf_batch_meta_get_frame(meta, 0), NULL));
  g_assert_false(vf_frame_map(&map, batch, vf_batch_meta_get_frame(meta, 0), VF_DEVICE_CUDA,
                              GST_MAP_READ, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_UNSUPPORTED);
  g_clear_error(&err);
  g_assert_false(vf_frame_map_supported(VF_DEVICE_CUDA, VF_DEVICE_CPU, &err));
  g_assert_nonnull(strstr(err->message, "cudadownload"));
  g_clear_error(&err);
  /* A write mapping of memory someone else holds. */
  GstBuffer *pixels = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&info), NULL);
  GstBuffer *other = gst_buffer_copy(pixels); /* shares the memory */
  g_assert_false(vf_frame_map_buffer(&map, pixels, &info, VF_DEVICE_CPU, GST_MAP_WRITE, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_clear_error(&err);
  gst_buffer_unref(other);
  gst_buffer_unref(pixels);
  /* Caps that are not raw video. */
  VfFrameCaps fc;
  GstCaps *caps = gst_caps_from_string("audio/x-raw");
  g_assert_false(vf_frame_caps_parse(caps, &fc, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_FORMAT);
  g_clear_error(&err);
  gst_caps_unref(caps);
  caps = gst_caps_from_string("video/x-raw(memory:CUDAMemory, meta:VfBatch),format=NV12");
  g_assert_true(vf_frame_caps_parse(caps, &fc, &err));
  g_assert_true(fc.batched);
  g_assert_cmpint(fc.device, ==, VF_DEVICE_CUDA);
  gst_caps_unref(caps);
  gst_buffer_unref(batch);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/meta/batch-basics", test_batch_basics);
  g_test_add_func("/meta/object-fields", test_object_fields);
  g_test_add_func("/meta/objects-in-frame", test_objects_in_frame);
  g_test_add_func("/meta/user-meta-copy-free", test_user_meta);
  g_test_add_func("/meta/display-meta", test_display_meta);
  g_test_add_func("/meta/copies-share-writers-own", test_copies_share_writers_own);
  g_test_add_func("/meta/copy-is-o1", test_copy_is_o1);
  g_test_add_func("/meta/sticky-events", test_sticky_events);
  g_test_add_func("/meta/single-frame-and-scale", test_single_and_scale);
  g_test_add_func("/meta/padding-mapping", test_padding_mapping);
  g_test_add_func("/meta/threads", test_threads);
  g_test_add_func("/meta/threads-shared-batch", test_threads_shared_batch);
  g_test_add_func("/meta/bad-inputs", test_bad_inputs);
  return g_test_run();
}
