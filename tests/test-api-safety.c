/* Every public function of include/vidflow/ called with NULL and bad arguments, under the suite's
 * G_DEBUG=fatal-criticals: each call must fail with a GError that names what is wrong (or, for
 * functions without a GError, do nothing and return the documented neutral value), never log a
 * critical (fatal here) or crash. Uses only API that predates the bus dispatcher, so the same
 * program shows what older builds did with these calls. */
#include "test-util.h"

#include <gst/app/gstappsrc.h>

/* `call` failed with a VF_ERROR whose message contains `needle`. */
#define EXPECT_FAIL(ok, code, needle)                                                              \
  do {                                                                                             \
    GError *err_ = NULL;                                                                           \
    GError **error = &err_;                                                                        \
    gboolean ok_ = (ok);                                                                           \
    (void)error;                                                                                   \
    if (ok_)                                                                                       \
      g_error("%s:%d: %s succeeded", __FILE__, __LINE__, #ok);                                     \
    if (err_ == NULL)                                                                              \
      g_error("%s:%d: %s failed without an error", __FILE__, __LINE__, #ok);                       \
    g_assert_error(err_, VF_ERROR, code);                                                          \
    if (strstr(err_->message, needle) == NULL)                                                     \
      g_error("%s:%d: %s: \"%s\" does not say \"%s\"", __FILE__, __LINE__, #ok, err_->message,     \
              needle);                                                                             \
    g_test_message("%s -> %s", #ok, err_->message);                                                \
    g_error_free(err_);                                                                            \
  } while (0)

static void test_tensor(void)
{
  gint64 shape[2] = { 2, 3 };
  VfLayout layout;
  EXPECT_FAIL(vf_layout_from_string("HWC", NULL, error), VF_ERROR_ARGUMENT, "layout is NULL");
  EXPECT_FAIL(vf_tensor_new(VF_DTYPE_UINT8, 2, NULL, error) != NULL, VF_ERROR_ARGUMENT, "shape");
  EXPECT_FAIL(vf_tensor_new(99, 2, shape, error) != NULL, VF_ERROR_ARGUMENT, "dtype");
  EXPECT_FAIL(vf_tensor_new(VF_DTYPE_UINT8, 0, shape, error) != NULL, VF_ERROR_ARGUMENT,
              "dimensions");
  gint64 huge[3] = { G_MAXINT64 / 2, G_MAXINT64 / 2, 4 };
  EXPECT_FAIL(vf_tensor_new(VF_DTYPE_FLOAT32, 3, huge, error) != NULL, VF_ERROR_SIZE, "float32");
  guint8 bytes[6];
  EXPECT_FAIL(vf_tensor_new_wrapped(bytes, VF_DTYPE_UINT8, 2, NULL, NULL, VF_DEVICE_CPU, 0, NULL,
                                    NULL, error)
                  != NULL,
              VF_ERROR_ARGUMENT, "shape");
  EXPECT_FAIL(vf_tensor_new_wrapped(bytes, VF_DTYPE_UINT8, 2, shape, NULL, 7, 0, NULL, NULL, error)
                  != NULL,
              VF_ERROR_ARGUMENT, "device");
  g_assert_null(vf_tensor_ref(NULL));
  vf_tensor_unref(NULL);
  g_assert_null(vf_tensor_get_data(NULL));
  g_assert_cmpuint(vf_tensor_get_ndim(NULL), ==, 0);
  g_assert_null(vf_tensor_get_shape(NULL));
  g_assert_null(vf_tensor_get_strides(NULL));
  g_assert_cmpint(vf_tensor_get_dtype(NULL), ==, VF_DTYPE_UINT8);
  g_assert_cmpint(vf_tensor_get_device(NULL), ==, VF_DEVICE_CPU);
  g_assert_cmpint(vf_tensor_get_device_id(NULL), ==, 0);
  g_assert_cmpuint(vf_tensor_get_n_elements(NULL), ==, 0);
  g_assert_false(vf_tensor_is_contiguous(NULL));
  g_assert_cmpint(vf_tensor_get_layout(NULL), ==, VF_LAYOUT_NONE);
  EXPECT_FAIL(vf_tensor_set_layout(NULL, VF_LAYOUT_HWC, error), VF_ERROR_ARGUMENT,
              "tensor is NULL");
  g_assert_cmpint(vf_tensor_get_color_format(NULL), ==, VF_COLOR_FORMAT_UNKNOWN);
  g_assert_cmpuint(vf_tensor_get_width(NULL), ==, 0);
  g_assert_cmpuint(vf_tensor_get_height(NULL), ==, 0);
  g_assert_cmpuint(vf_tensor_get_n_planes(NULL), ==, 0);
  gpointer data = &layout;
  gsize stride = 7;
  g_assert_false(vf_tensor_get_plane(NULL, 0, &data, &stride));
  EXPECT_FAIL(vf_tensor_clone(NULL, error) != NULL, VF_ERROR_ARGUMENT, "tensor is NULL");
  EXPECT_FAIL(vf_tensor_to_dlpack(NULL, error) != NULL, VF_ERROR_ARGUMENT, "tensor is NULL");
  EXPECT_FAIL(vf_tensor_from_dlpack(NULL, VF_LAYOUT_NONE, error) != NULL, VF_ERROR_ARGUMENT,
              "NULL");
  DLManagedTensor bad = { 0 };
  bad.dl_tensor.ndim = 2;
  bad.dl_tensor.dtype.code = kDLUInt;
  bad.dl_tensor.dtype.bits = 8;
  bad.dl_tensor.dtype.lanes = 1;
  bad.dl_tensor.data = bytes;
  bad.dl_tensor.device.device_type = kDLCPU;
  EXPECT_FAIL(vf_tensor_from_dlpack(&bad, VF_LAYOUT_NONE, error) != NULL, VF_ERROR_ARGUMENT,
              "shape");
  EXPECT_FAIL(vf_tensor_save_image(NULL, "/tmp/x.png", 90, error), VF_ERROR_ARGUMENT,
              "tensor is NULL");

  VfTensor *t = vf_tensor_new(VF_DTYPE_UINT8, 2, shape, NULL);
  g_assert_nonnull(t);
  EXPECT_FAIL(vf_tensor_set_layout(t, 42, error), VF_ERROR_ARGUMENT, "VfLayout");
  EXPECT_FAIL(vf_tensor_save_image(t, NULL, 90, error), VF_ERROR_ARGUMENT, "path is NULL");
  EXPECT_FAIL(vf_tensor_wrap(NULL, VF_COLOR_FORMAT_RGB, error) != NULL, VF_ERROR_ARGUMENT,
              "tensor is NULL");
  EXPECT_FAIL(vf_tensor_wrap(t, VF_COLOR_FORMAT_RGB, error) != NULL, VF_ERROR_FORMAT, "RGB");
  vf_tensor_unref(t);
}

static void test_format(void)
{
  g_assert_cmpstr(vf_color_format_to_string(1234), ==, "UNKNOWN");
  g_assert_cmpint(vf_color_format_from_string(NULL), ==, VF_COLOR_FORMAT_UNKNOWN);
  g_assert_null(vf_color_format_to_caps(VF_COLOR_FORMAT_UNKNOWN, 2, 2, 0, 1));
  g_assert_null(vf_color_format_to_caps(1234, 2, 2, 0, 1));
  g_assert_cmpint(vf_color_format_from_caps(NULL), ==, VF_COLOR_FORMAT_UNKNOWN);
  g_assert_cmpint(vf_color_format_to_video_format(1234), ==, GST_VIDEO_FORMAT_UNKNOWN);
  g_assert_cmpuint(vf_color_format_pixel_stride(1234), ==, 0);
  g_assert_cmpstr(vf_dtype_to_string(99), ==, "invalid");
  g_assert_cmpuint(vf_dtype_size(99), ==, 0);
}

static void test_buffer(void)
{
  guint8 px[12] = { 0 };
  EXPECT_FAIL(vf_buffer_new_wrapped(VF_COLOR_FORMAT_RGB, 2, 2, NULL, NULL, 12, NULL, NULL, error)
                  != NULL,
              VF_ERROR_ARGUMENT, "empty memory");
  EXPECT_FAIL(vf_buffer_new_wrapped(1234, 2, 2, NULL, px, 12, NULL, NULL, error) != NULL,
              VF_ERROR_FORMAT, "colour format");
  EXPECT_FAIL(vf_buffer_new_copy(VF_COLOR_FORMAT_RGB, 2, 2, NULL, NULL, 12, error) != NULL,
              VF_ERROR_ARGUMENT, "empty memory");
  EXPECT_FAIL(vf_buffer_new_frame(VF_COLOR_FORMAT_RGB, 0, 2, error) != NULL, VF_ERROR_ARGUMENT,
              "frame size");
  EXPECT_FAIL(vf_buffer_new_frame(VF_COLOR_FORMAT_JPEG, 2, 2, error) != NULL, VF_ERROR_FORMAT,
              "JPEG");
  g_assert_null(vf_buffer_new_from_gst(NULL, NULL));
  g_assert_null(vf_buffer_new_from_sample(NULL));
  g_assert_null(vf_buffer_ref(NULL));
  vf_buffer_unref(NULL);
  g_assert_true(vf_buffer_is_empty(NULL));
  g_assert_null(vf_buffer_get_gst_buffer(NULL));
  g_assert_null(vf_buffer_get_caps(NULL));
  g_assert_cmpint(vf_buffer_get_color_format(NULL), ==, VF_COLOR_FORMAT_UNKNOWN);
  g_assert_cmpuint(vf_buffer_get_width(NULL), ==, 0);
  g_assert_cmpuint(vf_buffer_get_height(NULL), ==, 0);
  g_assert_cmpuint(vf_buffer_get_pts(NULL), ==, GST_CLOCK_TIME_NONE);
  g_assert_cmpuint(vf_buffer_get_batch_size(NULL), ==, 0);
  g_assert_null(vf_buffer_get_batch_meta(NULL));
  EXPECT_FAIL(vf_buffer_extract(NULL, 0, error) != NULL, VF_ERROR_ARGUMENT, "buffer is NULL");
  EXPECT_FAIL(vf_buffer_extract_writable(NULL, 0, error) != NULL, VF_ERROR_ARGUMENT,
              "buffer is NULL");
  EXPECT_FAIL(vf_buffer_clone(NULL, error) != NULL, VF_ERROR_ARGUMENT, "buffer is NULL");
  VfBuffer *empty = vf_buffer_new_empty();
  EXPECT_FAIL(vf_buffer_extract(empty, 0, error) != NULL, VF_ERROR_ARGUMENT, "out of range");
  vf_buffer_unref(empty);
}

static void test_meta(void)
{
  VfRect r = { 1, 2, 3, 4 }, out = { 0 };
  VfColor c = { 1, 0, 0, 1 };
  /* batch */
  g_assert_null(vf_batch_meta_get(NULL));
  g_assert_null(vf_batch_meta_add(NULL, 2));
  g_assert_null(vf_batch_meta_add_single(NULL, NULL));
  GstBuffer *shared = gst_buffer_new();
  gst_buffer_ref(shared); /* not writable: nothing can be added */
  g_assert_null(vf_batch_meta_add(shared, 2));
  gst_buffer_unref(shared);
  gst_buffer_unref(shared);
  g_assert_cmpuint(vf_batch_meta_get_n_frames(NULL), ==, 0);
  g_assert_cmpuint(vf_batch_meta_get_max_frames(NULL), ==, 0);
  g_assert_null(vf_batch_meta_get_frame(NULL, 0));
  g_assert_null(vf_batch_meta_find_frame(NULL, 0));
  g_assert_null(vf_batch_meta_add_frame(NULL, NULL, NULL));
  g_assert_null(vf_batch_meta_add_frame_copy(NULL, NULL, NULL, NULL));
  g_assert_null(vf_batch_meta_get_buffer(NULL));
  vf_batch_meta_add_user_meta(NULL, "t", NULL, NULL, NULL);
  g_assert_null(vf_batch_meta_get_user_meta(NULL, "t"));
  g_assert_cmpuint(vf_batch_meta_remove_user_meta(NULL, "t"), ==, 0);
  /* frame */
  VfFrameMeta *f = NULL;
  vf_frame_meta_set_source_id(f, 1);
  g_assert_cmpuint(vf_frame_meta_get_source_id(f), ==, 0);
  g_assert_cmpuint(vf_frame_meta_get_batch_index(f), ==, 0);
  vf_frame_meta_set_frame_number(f, 3);
  g_assert_cmpuint(vf_frame_meta_get_frame_number(f), ==, 0);
  vf_frame_meta_set_pts(f, 1);
  g_assert_cmpuint(vf_frame_meta_get_pts(f), ==, GST_CLOCK_TIME_NONE);
  vf_frame_meta_set_duration(f, 1);
  g_assert_cmpuint(vf_frame_meta_get_duration(f), ==, GST_CLOCK_TIME_NONE);
  vf_frame_meta_set_running_time(f, 1);
  g_assert_cmpuint(vf_frame_meta_get_running_time(f), ==, GST_CLOCK_TIME_NONE);
  vf_frame_meta_set_arrival_time(f, 1);
  g_assert_cmpint(vf_frame_meta_get_arrival_time(f), ==, 0);
  vf_frame_meta_set_original_size(f, 2, 2);
  g_assert_cmpuint(vf_frame_meta_get_original_width(f), ==, 0);
  g_assert_cmpuint(vf_frame_meta_get_original_height(f), ==, 0);
  vf_frame_meta_set_sensor(f, "a", "b");
  g_assert_null(vf_frame_meta_get_sensor_id(f));
  g_assert_null(vf_frame_meta_get_sensor_name(f));
  g_assert_null(vf_frame_meta_get_video_info(f));
  vf_frame_meta_set_video_info(f, NULL);
  g_assert_null(vf_frame_meta_get_buffer(f));
  vf_frame_meta_set_buffer(f, NULL, NULL);
  g_assert_null(vf_frame_meta_get_sticky_events(f));
  vf_frame_meta_set_sticky_events(f, NULL);
  g_assert_null(vf_frame_meta_get_caps(f));
  g_assert_null(vf_frame_meta_get_segment(f));
  g_assert_null(vf_frame_meta_get_stream_id(f));
  g_assert_cmpuint(vf_frame_meta_make_objects_writable(f), ==, 0);
  vf_frame_meta_get_content_rect(f, &out);
  vf_frame_meta_set_content_rect(f, &r);
  g_assert_false(vf_frame_meta_to_original(f, &r, &out));
  g_assert_false(vf_frame_meta_from_original(f, &r, &out));
  g_assert_false(vf_frame_meta_add_object(f, NULL));
  g_assert_false(vf_frame_meta_remove_object(f, NULL));
  vf_frame_meta_clear_objects(f);
  g_assert_cmpuint(vf_frame_meta_get_n_objects(f), ==, 0);
  g_assert_null(vf_frame_meta_get_object(f, 0));
  GPtrArray *objects = vf_frame_meta_get_objects(f);
  g_assert_cmpuint(objects->len, ==, 0);
  g_ptr_array_unref(objects);
  vf_frame_meta_add_user_meta(f, "t", NULL, NULL, NULL);
  g_assert_null(vf_frame_meta_get_user_meta(f, "t"));
  g_assert_cmpuint(vf_frame_meta_get_n_user_meta(f), ==, 0);
  const char *type = "x";
  g_assert_null(vf_frame_meta_get_nth_user_meta(f, 0, &type));
  g_assert_null(type);
  g_assert_cmpuint(vf_frame_meta_remove_user_meta(f, "t"), ==, 0);
  vf_frame_meta_add_display_rect(f, &r, 1, &c, NULL);
  vf_frame_meta_add_display_text(f, 0, 0, "x", 10, &c, NULL);
  vf_frame_meta_add_display_line(f, 0, 0, 1, 1, 1, &c);
  vf_frame_meta_add_display_circle(f, 0, 0, 1, 1, &c, NULL);
  g_assert_cmpuint(vf_frame_meta_get_n_display_items(f), ==, 0);
  VfDisplayItem item;
  g_assert_false(vf_frame_meta_get_display_item(f, 0, &item));
  g_assert_false(vf_frame_meta_get_display_item(f, 0, NULL));
  vf_frame_meta_clear_display(f);
  vf_display_item_clear(NULL);
  /* a real frame with NULL arguments */
  GstBuffer *b = gst_buffer_new();
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 4, 4);
  VfFrameMeta *real = vf_batch_meta_add_frame(vf_batch_meta_add(b, 1), NULL, &info);
  vf_frame_meta_get_content_rect(real, NULL);
  vf_frame_meta_set_content_rect(real, NULL);
  g_assert_false(vf_frame_meta_to_original(real, NULL, &out));
  g_assert_false(vf_frame_meta_from_original(real, &r, NULL));
  vf_frame_meta_add_display_rect(real, NULL, 1, &c, NULL);
  vf_frame_meta_add_display_text(real, 0, 0, NULL, 10, &c, NULL);
  g_assert_cmpuint(vf_frame_meta_get_n_display_items(real), ==, 0);
  gst_buffer_unref(b);
  /* object */
  VfObjectMeta *o = NULL;
  g_assert_null(vf_object_meta_ref(o));
  vf_object_meta_unref(o);
  g_assert_null(vf_object_meta_copy(o));
  vf_object_meta_set_class_id(o, 1);
  g_assert_cmpint(vf_object_meta_get_class_id(o), ==, VF_CLASS_UNKNOWN);
  vf_object_meta_set_label(o, "x");
  g_assert_null(vf_object_meta_get_label(o));
  vf_object_meta_set_confidence(o, 1);
  g_assert_cmpfloat(vf_object_meta_get_confidence(o), ==, 0);
  vf_object_meta_set_detector_bbox(o, &r);
  vf_object_meta_get_detector_bbox(o, &out);
  vf_object_meta_set_tracker_bbox(o, &r);
  vf_object_meta_get_tracker_bbox(o, &out);
  vf_object_meta_set_tracker_confidence(o, 1);
  g_assert_cmpfloat(vf_object_meta_get_tracker_confidence(o), ==, 0);
  vf_object_meta_set_object_id(o, 1);
  g_assert_cmpuint(vf_object_meta_get_object_id(o), ==, VF_OBJECT_UNTRACKED);
  vf_object_meta_set_component_id(o, 1);
  g_assert_cmpint(vf_object_meta_get_component_id(o), ==, 0);
  g_assert_null(vf_object_meta_get_parent(o));
  g_assert_false(vf_object_meta_set_parent(o, NULL));
  vf_object_meta_add_classification(o, 1, 1, "x", 1);
  g_assert_cmpuint(vf_object_meta_get_n_classifications(o), ==, 0);
  VfClassification cl;
  g_assert_false(vf_object_meta_get_classification(o, 0, &cl));
  vf_object_meta_clear_classifications(o);
  vf_object_meta_add_user_meta(o, "t", NULL, NULL, NULL);
  g_assert_null(vf_object_meta_get_user_meta(o, "t"));
  g_assert_cmpuint(vf_object_meta_get_n_user_meta(o), ==, 0);
  type = "x";
  g_assert_null(vf_object_meta_get_nth_user_meta(o, 0, &type));
  g_assert_null(type);
  g_assert_cmpuint(vf_object_meta_remove_user_meta(o, "t"), ==, 0);
  VfObjectMeta *obj = vf_object_meta_new();
  vf_object_meta_get_detector_bbox(obj, NULL);
  vf_object_meta_set_detector_bbox(obj, NULL);
  vf_object_meta_get_tracker_bbox(obj, NULL);
  vf_object_meta_set_tracker_bbox(obj, NULL);
  g_assert_false(vf_object_meta_get_classification(obj, 0, NULL));
  vf_object_meta_unref(obj);
}

static void test_pipeline(void)
{
  GValue v = G_VALUE_INIT;
  vf_pipeline_free(NULL);
  EXPECT_FAIL(vf_pipeline_add(NULL, "fakesink", "s", error, NULL), VF_ERROR_ARGUMENT,
              "pipeline is NULL");
  EXPECT_FAIL(vf_pipeline_addv(NULL, "fakesink", "s", NULL, error), VF_ERROR_ARGUMENT,
              "pipeline is NULL");
  EXPECT_FAIL(vf_pipeline_set(NULL, "s", "sync", "true", error), VF_ERROR_ARGUMENT,
              "pipeline is NULL");
  EXPECT_FAIL(vf_pipeline_set_value(NULL, "s", "sync", &v, error), VF_ERROR_ARGUMENT,
              "pipeline is NULL");
  EXPECT_FAIL(vf_pipeline_set_int(NULL, "s", "sync", 1, error), VF_ERROR_ARGUMENT,
              "pipeline is NULL");
  EXPECT_FAIL(vf_pipeline_set_double(NULL, "s", "sync", 1, error), VF_ERROR_ARGUMENT,
              "pipeline is NULL");
  EXPECT_FAIL(vf_pipeline_set_bool(NULL, "s", "sync", TRUE, error), VF_ERROR_ARGUMENT,
              "pipeline is NULL");
  EXPECT_FAIL(vf_pipeline_set_string(NULL, "s", "name", "x", error), VF_ERROR_ARGUMENT,
              "pipeline is NULL");
  g_assert_null(vf_pipeline_get_element(NULL, "s"));
  g_assert_null(vf_pipeline_get_gst_pipeline(NULL));
  EXPECT_FAIL(vf_pipeline_link(NULL, error, "a", "b", NULL), VF_ERROR_ARGUMENT, "pipeline is NULL");
  EXPECT_FAIL(vf_pipeline_link_pads(NULL, "a", NULL, "b", NULL, error), VF_ERROR_ARGUMENT,
              "pipeline is NULL");
  EXPECT_FAIL(vf_pipeline_start(NULL, error), VF_ERROR_ARGUMENT, "pipeline is NULL");
  EXPECT_FAIL(vf_pipeline_wait(NULL, error), VF_ERROR_ARGUMENT, "pipeline is NULL");
  EXPECT_FAIL(vf_pipeline_run(NULL, error), VF_ERROR_ARGUMENT, "pipeline is NULL");
  vf_pipeline_stop(NULL);
  vf_pipeline_send_eos(NULL);
  EXPECT_FAIL(vf_pipeline_pause(NULL, error), VF_ERROR_ARGUMENT, "pipeline is NULL");
  EXPECT_FAIL(vf_pipeline_resume(NULL, error), VF_ERROR_ARGUMENT, "pipeline is NULL");
  g_assert_cmpint(vf_pipeline_get_state(NULL), ==, VF_STATE_NULL);
  vf_pipeline_set_start_timeout(NULL, GST_SECOND);

  VfPipeline *p = vf_pipeline_new(NULL); /* GStreamer names it */
  g_assert_nonnull(p);
  EXPECT_FAIL(vf_pipeline_add(p, NULL, "s", error, NULL), VF_ERROR_ARGUMENT, "factory is NULL");
  EXPECT_FAIL(vf_pipeline_add(p, "fakesink", "s", error, "sync", NULL), VF_ERROR_VALUE,
              "'sync' has no value");
  const char *odd[] = { "sync", NULL };
  EXPECT_FAIL(vf_pipeline_addv(p, "fakesink", "s", odd, error), VF_ERROR_VALUE,
              "'sync' has no value");
  g_assert_null(vf_pipeline_get_element(p, "s")); /* nothing half-made was added */
  g_assert_true(vf_pipeline_add(p, "fakesink", "s", NULL, NULL));
  g_assert_null(vf_pipeline_get_element(p, NULL));
  EXPECT_FAIL(vf_pipeline_set(p, NULL, "sync", "true", error), VF_ERROR_ARGUMENT,
              "no element name");
  EXPECT_FAIL(vf_pipeline_set(p, "s", NULL, "true", error), VF_ERROR_ARGUMENT, "property is NULL");
  EXPECT_FAIL(vf_pipeline_set(p, "s", "sync", NULL, error), VF_ERROR_VALUE, "no value");
  EXPECT_FAIL(vf_pipeline_set_value(p, "s", "sync", NULL, error), VF_ERROR_VALUE, "sync");
  EXPECT_FAIL(vf_pipeline_set_value(p, "s", "sync", &v, error), VF_ERROR_VALUE, "not initialised");
  EXPECT_FAIL(vf_pipeline_set_int(p, "s", NULL, 1, error), VF_ERROR_ARGUMENT, "property");
  EXPECT_FAIL(vf_pipeline_set_double(p, NULL, "x", 1, error), VF_ERROR_ARGUMENT, "no element name");
  EXPECT_FAIL(vf_pipeline_set_bool(p, "s", NULL, TRUE, error), VF_ERROR_ARGUMENT, "property");
  EXPECT_FAIL(vf_pipeline_set_string(p, "s", NULL, "x", error), VF_ERROR_ARGUMENT, "property");
  EXPECT_FAIL(vf_pipeline_link(p, error, NULL, NULL), VF_ERROR_ARGUMENT, "element names");
  EXPECT_FAIL(vf_pipeline_link_pads(p, NULL, NULL, "s", NULL, error), VF_ERROR_ARGUMENT,
              "no element name");
  EXPECT_FAIL(vf_pipeline_link_pads(p, "s", NULL, NULL, NULL, error), VF_ERROR_ARGUMENT,
              "no element name");
  EXPECT_FAIL(vf_pipeline_pause(p, error), VF_ERROR_STATE, "not running");
  vf_pipeline_free(p);
}

static VfBuffer *generate(gsize size, gpointer user_data, GError **error)
{
  (void)size;
  (void)user_data;
  (void)error;
  return NULL;
}

static int consume(VfBuffer *buffer, gpointer user_data)
{
  (void)buffer;
  (void)user_data;
  return VF_CONSUME_OK;
}

static VfProbeReturn on_buffer(VfBuffer *buffer, gpointer user_data)
{
  (void)buffer;
  (void)user_data;
  return VF_PROBE_KEEP;
}

static void count_destroy(gpointer data)
{
  (*(gint *)data)++;
}

/* The README's inline idiom with a bad provider description: a GError naming what is wrong. */
static void test_feeder(void)
{
  gint destroyed = 0;
  VfProviderCallbacks pc = { generate, count_destroy };
  VfProviderCallbacks no_generate = { NULL, count_destroy };
  VfProviderInfo half = { VF_COLOR_FORMAT_RGB, 640, 0, 30, 1, VF_DEVICE_CPU };
  VfProviderInfo bad_format = { 77, 640, 480, 30, 1, VF_DEVICE_CPU };
  VfProviderInfo bad_rate = { VF_COLOR_FORMAT_RGB, 640, 480, -30, 1, VF_DEVICE_CPU };
  VfProviderInfo bad_device = { VF_COLOR_FORMAT_RGB, 640, 480, 30, 1, 5 };
  VfProviderInfo huge = { VF_COLOR_FORMAT_RGB, G_MAXUINT, 480, 30, 1, VF_DEVICE_CPU };

  vf_feeder_free(NULL);
  vf_feeder_set_max_buffers(NULL, 3);
  g_assert_null(vf_feeder_get_name(NULL));
  g_assert_cmpuint(vf_feeder_get_pushed(NULL), ==, 0);
  EXPECT_FAIL(vf_pipeline_attach_feeder(NULL, "src", NULL, NULL, error), VF_ERROR_ARGUMENT,
              "no feeder");
  /* a NULL pipeline still takes the feeder: it is freed at once */
  EXPECT_FAIL(vf_pipeline_attach_feeder(NULL, "src", vf_feeder_new("f", NULL, &pc, &destroyed),
                                        NULL, error),
              VF_ERROR_ARGUMENT, "pipeline is NULL");
  g_assert_cmpint(destroyed, ==, 1);

  VfPipeline *p = vf_pipeline_new("t");
  g_assert_true(vf_pipeline_add(p, "appsrc", "src", NULL, NULL));
  g_assert_true(vf_pipeline_add(p, "appsrc", "src2", NULL, NULL));
  EXPECT_FAIL(vf_pipeline_attach_feeder(p, "src", NULL, NULL, error), VF_ERROR_ARGUMENT, "'src'");
  EXPECT_FAIL(vf_pipeline_attach_feeder(p, "src", vf_feeder_new("cam", &half, &pc, &destroyed),
                                        "need-data/enough-data", error),
              VF_ERROR_ARGUMENT, "height is 0");
  EXPECT_FAIL(vf_pipeline_attach_feeder(
                  p, "src", vf_feeder_new("cam", &bad_format, &pc, &destroyed), NULL, error),
              VF_ERROR_ARGUMENT, "format 77");
  EXPECT_FAIL(vf_pipeline_attach_feeder(p, "src", vf_feeder_new("cam", &bad_rate, &pc, &destroyed),
                                        NULL, error),
              VF_ERROR_ARGUMENT, "framerate -30/1");
  EXPECT_FAIL(vf_pipeline_attach_feeder(
                  p, "src", vf_feeder_new("cam", &bad_device, &pc, &destroyed), NULL, error),
              VF_ERROR_ARGUMENT, "device 5");
  EXPECT_FAIL(vf_pipeline_attach_feeder(p, "src", vf_feeder_new("cam", &huge, &pc, &destroyed),
                                        NULL, error),
              VF_ERROR_ARGUMENT, "too large");
  EXPECT_FAIL(vf_pipeline_attach_feeder(
                  p, "src", vf_feeder_new("cam", NULL, &no_generate, &destroyed), NULL, error),
              VF_ERROR_ARGUMENT, "generate()");
  EXPECT_FAIL(
      vf_pipeline_attach_feeder(p, "src", vf_feeder_new("cam", NULL, NULL, NULL), NULL, error),
      VF_ERROR_ARGUMENT, "generate()");
  /* the same feeder twice: refused, and freed once (by the pipeline) */
  VfFeeder *f = vf_feeder_new("twice", NULL, &pc, &destroyed);
  EXPECT_FAIL(vf_pipeline_attach_feeder(p, NULL, f, NULL, error), VF_ERROR_ARGUMENT,
              "no element name");
  EXPECT_FAIL(vf_pipeline_attach_feeder(p, "src2", f, NULL, error), VF_ERROR_ARGUMENT, "already");
  vf_feeder_free(f); /* belongs to the pipeline: a no-op */
  g_assert_cmpint(destroyed, ==, 1);
  g_assert_cmpstr(vf_feeder_get_name(f), ==, "twice"); /* valid until the pipeline goes */
  vf_pipeline_free(p);
  g_assert_cmpint(destroyed, ==, 1 + 6 + 1);
}

static void test_receiver_and_probe(void)
{
  gint destroyed = 0;
  VfRetrieverCallbacks rc = { consume, count_destroy };
  VfRetrieverCallbacks no_consume = { NULL, count_destroy };
  VfProbeCallbacks pc = { on_buffer, count_destroy, NULL };
  VfProbeCallbacks no_op = { NULL, count_destroy, NULL };
  VfReceiverStats stats = { 1, 1, 1, 1, 1 };

  vf_receiver_free(NULL);
  vf_receiver_set_queue(NULL, 2, VF_DROP_OLDEST);
  g_assert_null(vf_receiver_get_name(NULL));
  vf_receiver_get_stats(NULL, &stats);
  g_assert_cmpuint(
      stats.received + stats.consumed + stats.errors + stats.dropped + stats.unconsumed, ==, 0);
  g_assert_null(vf_receiver_get_cancellable(NULL));
  g_assert_null(vf_feeder_get_cancellable(NULL));
  vf_receiver_get_stats(NULL, NULL);
  vf_probe_free(NULL);
  g_assert_null(vf_probe_get_name(NULL));
  g_assert_cmpuint(vf_probe_get_seen(NULL), ==, 0);
  g_assert_cmpuint(vf_probe_get_dropped(NULL), ==, 0);
  vf_probe_set_report_interval(NULL, GST_SECOND);
  g_assert_null(vf_probe_get_fps_stats(NULL));
  VfLatencyStats ls;
  g_assert_false(vf_probe_get_latency_stats(NULL, &ls));
  EXPECT_FAIL(vf_probe_new_builtin(NULL, NULL, error) != NULL, VF_ERROR_ARGUMENT, "kind is NULL");
  EXPECT_FAIL(vf_pipeline_attach_builtin_probe(NULL, "s", NULL, VF_PROBE_MEASURE_FPS, error)
                  != NULL,
              VF_ERROR_ARGUMENT, "pipeline is NULL");
  EXPECT_FAIL(vf_pipeline_attach_receiver(NULL, "sink", NULL, NULL, error), VF_ERROR_ARGUMENT,
              "no receiver");
  EXPECT_FAIL(vf_pipeline_attach_probe(NULL, "sink", NULL, NULL, error), VF_ERROR_ARGUMENT,
              "no probe");
  EXPECT_FAIL(
      vf_pipeline_attach_receiver(NULL, "sink", vf_receiver_new("r", &rc, &destroyed), NULL, error),
      VF_ERROR_ARGUMENT, "pipeline is NULL");
  EXPECT_FAIL(
      vf_pipeline_attach_probe(NULL, "sink", NULL, vf_probe_new("p", &pc, &destroyed), error),
      VF_ERROR_ARGUMENT, "pipeline is NULL");
  g_assert_cmpint(destroyed, ==, 2);

  VfPipeline *p = vf_pipeline_new("t");
  g_assert_true(vf_pipeline_add(p, "appsink", "sink", NULL, NULL));
  EXPECT_FAIL(vf_pipeline_attach_receiver(p, "sink", NULL, NULL, error), VF_ERROR_ARGUMENT,
              "'sink'");
  EXPECT_FAIL(vf_pipeline_attach_receiver(p, "sink", vf_receiver_new("r", NULL, NULL), NULL, error),
              VF_ERROR_ARGUMENT, "consume()");
  EXPECT_FAIL(vf_pipeline_attach_receiver(p, "sink", vf_receiver_new("r", &no_consume, &destroyed),
                                          NULL, error),
              VF_ERROR_ARGUMENT, "consume()");
  VfReceiver *r = vf_receiver_new("r", &rc, &destroyed);
  vf_receiver_set_queue(r, 2, 9);
  EXPECT_FAIL(vf_pipeline_attach_receiver(p, "sink", r, NULL, error), VF_ERROR_ARGUMENT,
              "drop policy 9");
  EXPECT_FAIL(vf_pipeline_attach_receiver(p, "sink", r, NULL, error), VF_ERROR_ARGUMENT, "already");
  vf_receiver_free(r); /* belongs to the pipeline: a no-op */
  EXPECT_FAIL(vf_pipeline_attach_probe(p, "sink", NULL, NULL, error), VF_ERROR_ARGUMENT,
              "no probe");
  EXPECT_FAIL(vf_pipeline_attach_probe(p, "sink", NULL, vf_probe_new("p", NULL, NULL), error),
              VF_ERROR_ARGUMENT, "on_buffer()");
  EXPECT_FAIL(
      vf_pipeline_attach_probe(p, "sink", NULL, vf_probe_new("p", &no_op, &destroyed), error),
      VF_ERROR_ARGUMENT, "on_buffer()");
  VfProbe *pr = vf_probe_new("p", &pc, &destroyed);
  EXPECT_FAIL(vf_pipeline_attach_probe(p, NULL, NULL, pr, error), VF_ERROR_ARGUMENT,
              "no element name");
  EXPECT_FAIL(vf_pipeline_attach_probe(p, "sink", NULL, pr, error), VF_ERROR_ARGUMENT, "already");
  vf_probe_free(pr); /* belongs to the pipeline: a no-op */
  EXPECT_FAIL(vf_pipeline_attach_builtin_probe(p, "sink", NULL, "nosuch", error) != NULL,
              VF_ERROR_NOT_FOUND, "nosuch");
  g_assert_cmpint(destroyed, ==, 2);
  vf_pipeline_free(p);
  g_assert_cmpint(destroyed, ==, 2 + 2 + 2);
}

static void test_frame_queue(void)
{
  VfBuffer *b = (VfBuffer *)0x1; /* must not be touched */
  vf_frame_queue_free(NULL);
  VfBuffer *empty = vf_buffer_new_empty();
  g_assert_cmpint(vf_frame_queue_push(NULL, empty, 0), ==, VF_QUEUE_CLOSED);
  vf_buffer_unref(empty);
  g_assert_cmpint(vf_frame_queue_pop(NULL, &b, 0), ==, VF_QUEUE_CLOSED);
  g_assert_null(b);
  vf_frame_queue_close(NULL);
  g_assert_cmpuint(vf_frame_queue_get_length(NULL), ==, 0);
  VfFrameQueue *q = vf_frame_queue_new(0);
  g_assert_cmpint(vf_frame_queue_push(q, NULL, 0), ==, VF_QUEUE_CLOSED);
  g_assert_cmpint(vf_frame_queue_pop(q, NULL, 0), ==, VF_QUEUE_CLOSED);
  g_assert_cmpuint(vf_frame_queue_get_length(q), ==, 0);
  vf_frame_queue_free(q);
}

static void test_flow(void)
{
  const char *no_uris[] = { NULL };
  gint destroyed = 0;
  VfRetrieverCallbacks no_consume = { NULL, count_destroy };
  vf_flow_free(NULL);
  g_assert_null(vf_flow_get_pipeline(NULL));
  g_assert_null(vf_flow_get_error(NULL));
  EXPECT_FAIL(vf_flow_capture(NULL, no_uris, error, NULL) != NULL, VF_ERROR_STATE, "capture");
  EXPECT_FAIL(vf_flow_inject(NULL, NULL, error, NULL) != NULL, VF_ERROR_STATE, "inject");
  EXPECT_FAIL(vf_flow_batch_capture(NULL, no_uris, error, NULL) != NULL, VF_ERROR_STATE,
              "batch_capture");
  EXPECT_FAIL(vf_flow_batch_capture_file(NULL, NULL, error, NULL) != NULL, VF_ERROR_STATE,
              "batch_capture");
  EXPECT_FAIL(vf_flow_decode(NULL, error, NULL) != NULL, VF_ERROR_STATE, "decode");
  EXPECT_FAIL(vf_flow_batch(NULL, 0, 0, 0, error, NULL) != NULL, VF_ERROR_STATE, "batch");
  EXPECT_FAIL(vf_flow_infer(NULL, NULL, error, NULL) != NULL, VF_ERROR_STATE, "infer");
  EXPECT_FAIL(vf_flow_attach(NULL, NULL, error) != NULL, VF_ERROR_ARGUMENT, "probe");
  EXPECT_FAIL(vf_flow_attach_named(NULL, NULL, NULL, error, NULL) != NULL, VF_ERROR_STATE,
              "attach");
  EXPECT_FAIL(vf_flow_fork(NULL, error, NULL) != NULL, VF_ERROR_STATE, "fork");
  EXPECT_FAIL(vf_flow_retrieve(NULL, NULL, NULL, error, NULL) != NULL, VF_ERROR_ARGUMENT,
              "consume()");
  EXPECT_FAIL(vf_flow_retrieve(NULL, &no_consume, &destroyed, error, NULL) != NULL,
              VF_ERROR_ARGUMENT, "consume()");
  g_assert_cmpint(destroyed, ==, 1); /* exactly once, even on failure */
  EXPECT_FAIL(vf_flow_retrieve_named(NULL, NULL, NULL, error, NULL) != NULL, VF_ERROR_STATE,
              "retrieve");
  EXPECT_FAIL(vf_flow_render(NULL, VF_RENDER_DISCARD, error, NULL) != NULL, VF_ERROR_STATE,
              "render");
  EXPECT_FAIL(vf_flow_encode(NULL, NULL, 0, 0, 0, error, NULL) != NULL, VF_ERROR_STATE, "encode");
  EXPECT_FAIL(vf_flow_check(NULL, error), VF_ERROR_ARGUMENT, "no flow");
  EXPECT_FAIL(vf_flow_start(NULL, error), VF_ERROR_ARGUMENT, "no flow");
  EXPECT_FAIL(vf_flow_wait(NULL, error), VF_ERROR_ARGUMENT, "no flow");
  EXPECT_FAIL(vf_flow_run(NULL, error), VF_ERROR_ARGUMENT, "no flow");
  vf_flow_stop(NULL);
  g_assert_null(vf_flow_get_rtsp_url(NULL, 0));

  /* NULL arguments on a real flow */
  VfFlow *f = vf_flow_new(NULL);
  EXPECT_FAIL(vf_flow_capture(f, NULL, error, NULL) != NULL, VF_ERROR_ARGUMENT, "capture");
  vf_flow_free(f);
  f = vf_flow_new(NULL);
  EXPECT_FAIL(vf_flow_batch_capture_file(f, NULL, error, NULL) != NULL, VF_ERROR_ARGUMENT,
              "batch_capture");
  vf_flow_free(f);
  f = vf_flow_new(NULL);
  VfFeeder *none[] = { NULL };
  EXPECT_FAIL(vf_flow_inject(f, none, error, NULL) != NULL, VF_ERROR_ARGUMENT, "inject");
  vf_flow_free(f);
}

static void test_plugin_and_yaml(void)
{
  VfObjectKind kind;
  VfYamlKind ykind;
  g_assert_null(vf_params_get_string(NULL, "x"));
  g_assert_cmpint(vf_params_get_int(NULL, "x"), ==, 0);
  g_assert_cmpfloat(vf_params_get_double(NULL, "x"), ==, 0);
  g_assert_false(vf_params_get_bool(NULL, "x"));
  g_assert_null(vf_params_get_instance_name(NULL));
  EXPECT_FAIL(vf_plugin_add_probe(NULL, "p", "d", NULL, NULL, error), VF_ERROR_ARGUMENT, "probe");
  EXPECT_FAIL(vf_plugin_add_provider(NULL, "p", "d", NULL, NULL, error), VF_ERROR_ARGUMENT,
              "provider");
  EXPECT_FAIL(vf_plugin_add_retriever(NULL, "p", "d", NULL, NULL, error), VF_ERROR_ARGUMENT,
              "retriever");
  EXPECT_FAIL(vf_custom_probe_new(NULL, NULL, NULL, error) != NULL, VF_ERROR_ARGUMENT, "name");
  EXPECT_FAIL(vf_custom_feeder_new(NULL, NULL, NULL, error) != NULL, VF_ERROR_ARGUMENT, "name");
  EXPECT_FAIL(vf_custom_receiver_new(NULL, NULL, NULL, error) != NULL, VF_ERROR_ARGUMENT, "name");
  EXPECT_FAIL(vf_custom_lookup(NULL, &kind, error), VF_ERROR_ARGUMENT, "name");
  EXPECT_FAIL(vf_custom_plugin_load(NULL, error), VF_ERROR_ARGUMENT, "path is NULL");
  EXPECT_FAIL(vf_custom_plugin_register(NULL, error), VF_ERROR_ARGUMENT, "descriptor");
  EXPECT_FAIL(vf_yaml_detect(NULL, &ykind, error), VF_ERROR_ARGUMENT, "path is NULL");
  EXPECT_FAIL(vf_yaml_detect("pipelines/none.yaml", NULL, error), VF_ERROR_ARGUMENT,
              "kind is NULL");
  EXPECT_FAIL(vf_pipeline_new_from_yaml(NULL, error) != NULL, VF_ERROR_ARGUMENT, "path is NULL");
  EXPECT_FAIL(vf_flow_new_from_yaml(NULL, error) != NULL, VF_ERROR_ARGUMENT, "path is NULL");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  g_test_add_func("/api-safety/tensor", test_tensor);
  g_test_add_func("/api-safety/format", test_format);
  g_test_add_func("/api-safety/buffer", test_buffer);
  g_test_add_func("/api-safety/meta", test_meta);
  g_test_add_func("/api-safety/pipeline", test_pipeline);
  g_test_add_func("/api-safety/feeder", test_feeder);
  g_test_add_func("/api-safety/receiver-and-probe", test_receiver_and_probe);
  g_test_add_func("/api-safety/frame-queue", test_frame_queue);
  g_test_add_func("/api-safety/flow", test_flow);
  g_test_add_func("/api-safety/plugin-and-yaml", test_plugin_and_yaml);
  return g_test_run();
}
