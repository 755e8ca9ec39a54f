/* vfconvert (DeepStream's nvvideoconvert) and the batch converter under it: batches and plain
 * frames converted and scaled, compared with GStreamer's own videoscale ! videoconvert output of
 * the same frames (an independent pipeline); letterbox and pad geometry with the frames' objects
 * following the picture; zero-copy when nothing is to be done; bad input with clear errors. */
#include "batch-test-util.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include "convert.h"

#define BATCH_CAPS(fmt, w, h, n)                                                                   \
  "video/x-raw(meta:VfBatch),format=" fmt ",width=" #w ",height=" #h                               \
  ",framerate=30/1,batch-size=" #n

/* An RGB frame with a gradient in each channel (transfer full): conversions that misplace,
 * mirror or mis-scale show. */
static GstBuffer *gradient_frame(guint w, guint h, guint seed)
{
  GstBuffer *buf = gst_buffer_new_allocate(NULL, (gsize)w * h * 3, NULL);
  GstMapInfo map;
  gst_buffer_map(buf, &map, GST_MAP_WRITE);
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++) {
      guint8 *p = map.data + ((gsize)y * w + x) * 3;
      p[0] = (guint8)(x * 255 / MAX(w - 1, 1));
      p[1] = (guint8)(y * 255 / MAX(h - 1, 1));
      p[2] = (guint8)((x + y) * (255 - seed * 40) / MAX(w + h - 2, 1)); /* no wrap: smooth */
    }
  gst_buffer_unmap(buf, &map);
  GST_BUFFER_PTS(buf) = 0;
  GST_BUFFER_DURATION(buf) = GST_SECOND / 30;
  return buf;
}

/* GStreamer's way: `frame` (RGB w x h, transfer none) through videoscale ! videoconvert into
 * `caps` (transfer full). */
static GstBuffer *reference(GstBuffer *frame, guint w, guint h, const char *caps)
{
  char *desc = g_strdup_printf("appsrc name=src caps=video/x-raw,format=RGB,width=%u,height=%u,"
                               "framerate=30/1 ! videoscale method=bilinear ! videoconvert ! "
                               "%s ! appsink name=sink",
                               w, h, caps);
  GError *err = NULL;
  GstElement *p = gst_parse_launch(desc, &err);
  g_assert_no_error(err);
  g_free(desc);
  GstElement *src = gst_bin_get_by_name(GST_BIN(p), "src");
  GstElement *sink = gst_bin_get_by_name(GST_BIN(p), "sink");
  gst_element_set_state(p, GST_STATE_PLAYING);
  g_assert_cmpint(gst_app_src_push_buffer(GST_APP_SRC(src), gst_buffer_ref(frame)), ==,
                  GST_FLOW_OK);
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  GstSample *s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 5 * GST_SECOND);
  g_assert_nonnull(s);
  GstBuffer *out = gst_buffer_ref(gst_sample_get_buffer(s));
  gst_sample_unref(s);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(src);
  gst_object_unref(sink);
  gst_object_unref(p);
  return out;
}

/* Compare every plane of two frames of the same format and size: the largest difference of a
 * byte and the mean difference. */
static void compare(GstBuffer *a, const GstVideoInfo *a_info, GstBuffer *b, const char *b_caps,
                    guint max_diff, gdouble max_mean)
{
  GstCaps *caps = gst_caps_from_string(b_caps);
  GstVideoInfo b_info;
  g_assert_true(gst_video_info_from_caps(&b_info, caps));
  gst_caps_unref(caps);
  vf_frame_layout(&b_info, b, &b_info);
  g_assert_cmpint(GST_VIDEO_INFO_FORMAT(a_info), ==, GST_VIDEO_INFO_FORMAT(&b_info));
  g_assert_cmpint(GST_VIDEO_INFO_WIDTH(a_info), ==, GST_VIDEO_INFO_WIDTH(&b_info));
  g_assert_cmpint(GST_VIDEO_INFO_HEIGHT(a_info), ==, GST_VIDEO_INFO_HEIGHT(&b_info));
  VfFrameMap ma, mb;
  GError *err = NULL;
  g_assert_true(vf_frame_map_buffer(&ma, a, a_info, VF_DEVICE_CPU, GST_MAP_READ, &err));
  g_assert_true(vf_frame_map_buffer(&mb, b, &b_info, VF_DEVICE_CPU, GST_MAP_READ, &err));
  guint worst = 0;
  gdouble sum = 0;
  gsize count = 0;
  for (guint p = 0; p < ma.n_planes; p++) {
    guint rows = GST_VIDEO_INFO_COMP_HEIGHT(a_info, p);
    guint bytes = GST_VIDEO_INFO_COMP_WIDTH(a_info, p) * GST_VIDEO_INFO_COMP_PSTRIDE(a_info, p);
    if (GST_VIDEO_FORMAT_INFO_IS_YUV(a_info->finfo) && p > 0 && ma.n_planes == 2)
      bytes = GST_VIDEO_INFO_COMP_WIDTH(a_info, 1) * 2; /* NV12's interleaved UV */
    for (guint y = 0; y < rows; y++)
      for (guint x = 0; x < bytes; x++) {
        guint d = (guint)ABS((gint)ma.data[p][y * ma.stride[p] + x]
                             - (gint)mb.data[p][y * mb.stride[p] + x]);
        worst = MAX(worst, d);
        sum += d;
        count++;
      }
  }
  vf_frame_unmap(&ma);
  vf_frame_unmap(&mb);
  g_test_message("compared %zu bytes: max difference %u, mean %.3f", count, worst, sum / count);
  g_assert_cmpuint(count, >, 0);
  g_assert_cmpuint(worst, <=, max_diff);
  g_assert_cmpfloat(sum / count, <=, max_mean);
}

static VfFrameMeta *frame_of(GstBuffer *b, guint i)
{
  VfFrameMeta *f = vf_batch_meta_get_frame(vf_batch_meta_get(b), i);
  g_assert_nonnull(f);
  return f;
}

static GstHarness *convert_harness(const char *in_caps, const char *out_caps, const char *prop, ...)
{
  GstHarness *h = gst_harness_new("vfconvert");
  if (prop) {
    va_list ap;
    va_start(ap, prop);
    g_object_set_valist(G_OBJECT(h->element), prop, ap);
    va_end(ap);
  }
  gst_harness_set_sink_caps_str(h, out_caps);
  gst_harness_set_src_caps_str(h, in_caps);
  return h;
}

/* A batch of RGB frames of sizes w[i] x h[i] (gradients), source ids 0..n-1. */
static GstBuffer *gradient_batch(guint n, const guint *w, const guint *h, GstBuffer **frames)
{
  GstBuffer *b = gst_buffer_new();
  VfBatchMeta *meta = vf_batch_meta_add(b, n);
  for (guint i = 0; i < n; i++) {
    GstVideoInfo info;
    gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, w[i], h[i]);
    frames[i] = gradient_frame(w[i], h[i], i);
    VfFrameMeta *f = vf_batch_meta_add_frame(meta, frames[i], &info);
    vf_frame_meta_set_source_id(f, i);
  }
  GST_BUFFER_PTS(b) = 0;
  return b;
}

/* Every format pair that matters to the seeds, every frame against GStreamer's reference. */
static void test_batch_formats_and_sizes(void)
{
  static const char *const formats[] = { "NV12", "I420", "RGBA", "BGR", "RGB" };
  const guint w[] = { 64, 40, 96, 64 }, hh[] = { 32, 30, 54, 48 };
  for (guint k = 0; k < G_N_ELEMENTS(formats); k++) {
    char *out_caps = g_strdup_printf(
        "video/x-raw(meta:VfBatch),format=%s,width=48,height=24,framerate=30/1,batch-size=4",
        formats[k]);
    GstHarness *h = convert_harness(
        "video/x-raw(meta:VfBatch),format=RGB,framerate=30/1,batch-size=4", out_caps, NULL);
    GstBuffer *frames[4];
    GstBuffer *in = gradient_batch(4, w, hh, frames);
    g_assert_cmpint(gst_harness_push(h, in), ==, GST_FLOW_OK);
    GstBuffer *out = gst_harness_pull(h);
    VfBatchMeta *meta = vf_batch_meta_get(out);
    g_assert_cmpuint(vf_batch_meta_get_n_frames(meta), ==, 4);
    char *ref_caps = g_strdup_printf("video/x-raw,format=%s,width=48,height=24", formats[k]);
    for (guint i = 0; i < 4; i++) {
      VfFrameMeta *f = frame_of(out, i);
      const GstVideoInfo *info = vf_frame_meta_get_video_info(f);
      g_assert_cmpint(GST_VIDEO_INFO_FORMAT(info), ==, gst_video_format_from_string(formats[k]));
      g_assert_cmpint(GST_VIDEO_INFO_WIDTH(info), ==, 48);
      g_assert_cmpint(GST_VIDEO_INFO_HEIGHT(info), ==, 24);
      g_assert_cmpuint(vf_frame_meta_get_source_id(f), ==, i);
      g_assert_true(vf_frame_meta_get_buffer(f) != frames[i]);
      if (i % 2 == 0 || k == 0) { /* the pixels of two sizes per format (a pipeline each) */
        GstBuffer *ref = reference(frames[i], w[i], hh[i], ref_caps);
        compare(vf_frame_meta_get_buffer(f), info, ref, ref_caps, 4, 1.0);
        gst_buffer_unref(ref);
      }
      gst_buffer_unref(frames[i]);
    }
    g_free(ref_caps);
    gst_buffer_unref(out);
    gst_harness_teardown(h);
    g_free(out_caps);
  }
}

/* A batch whose caps leave the size open keeps each frame's size; only the format changes. */
static void test_batch_keeps_sizes(void)
{
  const guint w[] = { 64, 40 }, hh[] = { 32, 30 };
  GstHarness *h = convert_harness("video/x-raw(meta:VfBatch),format=RGB,batch-size=2",
                                  "video/x-raw(meta:VfBatch),format=I420", NULL);
  GstBuffer *frames[2];
  gst_harness_push(h, gradient_batch(2, w, hh, frames));
  GstBuffer *out = gst_harness_pull(h);
  for (guint i = 0; i < 2; i++) {
    const GstVideoInfo *info = vf_frame_meta_get_video_info(frame_of(out, i));
    g_assert_cmpint(GST_VIDEO_INFO_FORMAT(info), ==, GST_VIDEO_FORMAT_I420);
    g_assert_cmpint(GST_VIDEO_INFO_WIDTH(info), ==, (gint)w[i]);
    g_assert_cmpint(GST_VIDEO_INFO_HEIGHT(info), ==, (gint)hh[i]);
    char *ref_caps = g_strdup_printf("video/x-raw,format=I420,width=%u,height=%u", w[i], hh[i]);
    GstBuffer *ref = reference(frames[i], w[i], hh[i], ref_caps);
    compare(vf_frame_meta_get_buffer(frame_of(out, i)), info, ref, ref_caps, 4, 1.0);
    gst_buffer_unref(ref);
    g_free(ref_caps);
    gst_buffer_unref(frames[i]);
  }
  gst_buffer_unref(out);
  gst_harness_teardown(h);
}

/* Nothing to do: the frames are the input's own buffers (zero-copy), metadata untouched. */
static void test_batch_passthrough(void)
{
  const guint w[] = { 32, 32 }, hh[] = { 16, 16 };
  GstHarness *h
      = convert_harness(BATCH_CAPS("RGB", 32, 16, 2), "video/x-raw(meta:VfBatch),format=RGB", NULL);
  GstBuffer *frames[2];
  gst_harness_push(h, gradient_batch(2, w, hh, frames));
  GstBuffer *out = gst_harness_pull(h);
  for (guint i = 0; i < 2; i++) {
    g_assert_true(vf_frame_meta_get_buffer(frame_of(out, i)) == frames[i]);
    gst_buffer_unref(frames[i]);
  }
  gst_buffer_unref(out);
  gst_harness_teardown(h);
}

/* Letterbox: picture centred, black bars; the frame's objects and content rectangle follow and
 * still map back to the source. Pad: picture top-left. */
static void test_letterbox_and_objects(void)
{
  for (guint mode = 1; mode <= 2; mode++) { /* 1 letterbox, 2 pad */
    GstHarness *h = convert_harness(BATCH_CAPS("RGB", 64, 32, 1), BATCH_CAPS("RGB", 32, 32, 1),
                                    "scaling", mode, NULL);
    GstBuffer *frame = make_rgb_frame(64, 32, 200, 100, 50, 0);
    GstVideoInfo info;
    gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 64, 32);
    GstBuffer *in = make_batch_of(&frame, 1, &info, 0);
    VfFrameMeta *f = frame_of(in, 0);
    VfObjectMeta *o = vf_object_meta_new();
    VfRect box = { 16, 8, 32, 16 };
    vf_object_meta_set_detector_bbox(o, &box);
    vf_frame_meta_add_object(f, o);
    vf_frame_meta_add_display_rect(f, &box, 2, NULL, NULL);
    gst_harness_push(h, in);
    GstBuffer *out = gst_harness_pull(h);
    f = frame_of(out, 0);
    gfloat top = mode == 1 ? 8 : 0;
    VfRect c;
    vf_frame_meta_get_content_rect(f, &c);
    g_assert_cmpfloat(c.left, ==, 0);
    g_assert_cmpfloat(c.top, ==, top);
    g_assert_cmpfloat(c.width, ==, 32);
    g_assert_cmpfloat(c.height, ==, 16);
    VfObjectMeta *got = vf_frame_meta_get_object(f, 0);
    VfRect r;
    vf_object_meta_get_detector_bbox(got, &r);
    g_assert_cmpfloat(r.left, ==, 8);
    g_assert_cmpfloat(r.top, ==, top + 4);
    g_assert_cmpfloat(r.width, ==, 16);
    g_assert_cmpfloat(r.height, ==, 8);
    VfRect orig;
    g_assert_true(vf_frame_meta_to_original(f, &r, &orig));
    g_assert_cmpfloat_with_epsilon(orig.left, 16, 1e-3);
    g_assert_cmpfloat_with_epsilon(orig.top, 8, 1e-3);
    g_assert_cmpfloat_with_epsilon(orig.width, 32, 1e-3);
    VfDisplayItem item;
    g_assert_true(vf_frame_meta_get_display_item(f, 0, &item));
    g_assert_cmpfloat(item.rect.top, ==, top + 4);
    vf_display_item_clear(&item);
    vf_object_meta_unref(got);
    /* the input's object is untouched (shared objects are copied before they change) */
    vf_object_meta_get_detector_bbox(o, &r);
    g_assert_cmpfloat(r.left, ==, 16);
    vf_object_meta_unref(o);
    /* pixels: picture where the content is, black elsewhere */
    g_assert_cmpint(batch_pixel(out, 0, 16, (guint)top + 8, 0), ==, 200);
    g_assert_cmpint(batch_pixel(out, 0, 16, mode == 1 ? 2 : 28, 0), ==, 0);
    g_assert_cmpint(batch_pixel(out, 0, 16, mode == 1 ? 29 : 20, 1), ==, 0);
    gst_buffer_unref(out);
    gst_buffer_unref(frame);
    gst_harness_teardown(h);
  }
}

/* Plain video in, plain video out (nvvideoconvert before nvstreammux). */
static void test_plain_frames(void)
{
  GstHarness *h
      = convert_harness("video/x-raw,format=RGB,width=64,height=48,framerate=30/1",
                        "video/x-raw,format=NV12,width=32,height=24,framerate=30/1", NULL);
  GstBuffer *frame = gradient_frame(64, 48, 1);
  GST_BUFFER_PTS(frame) = 5 * GST_SECOND;
  gst_harness_push(h, gst_buffer_ref(frame));
  GstBuffer *out = gst_harness_pull(h);
  g_assert_cmpuint(GST_BUFFER_PTS(out), ==, 5 * GST_SECOND);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_NV12, 32, 24);
  vf_frame_layout(&info, out, &info);
  GstBuffer *ref = reference(frame, 64, 48, "video/x-raw,format=NV12,width=32,height=24");
  compare(out, &info, ref, "video/x-raw,format=NV12,width=32,height=24", 4, 1.0);
  gst_buffer_unref(ref);
  gst_buffer_unref(out);
  gst_buffer_unref(frame);
  gst_harness_teardown(h);

  /* the same caps: the buffer itself */
  h = convert_harness("video/x-raw,format=RGB,width=8,height=8,framerate=30/1",
                      "video/x-raw,format=RGB,width=8,height=8,framerate=30/1", NULL);
  frame = make_rgb_frame(8, 8, 1, 2, 3, 0);
  gst_harness_push(h, gst_buffer_ref(frame));
  out = gst_harness_pull(h);
  g_assert_true(out == frame);
  gst_buffer_unref(out);
  gst_buffer_unref(frame);
  gst_harness_teardown(h);
}

/* A plain frame's one-frame meta (vfinfer on plain video) is scaled with it. */
static void test_plain_frame_meta(void)
{
  GstHarness *h = convert_harness("video/x-raw,format=RGB,width=64,height=32,framerate=30/1",
                                  "video/x-raw,format=RGB,width=32,height=16,framerate=30/1", NULL);
  GstBuffer *frame = make_rgb_frame(64, 32, 9, 9, 9, 0);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 64, 32);
  VfBatchMeta *meta = vf_batch_meta_add_single(frame, &info);
  VfObjectMeta *o = vf_object_meta_new();
  VfRect box = { 32, 16, 16, 8 };
  vf_object_meta_set_detector_bbox(o, &box);
  vf_frame_meta_add_object(vf_batch_meta_get_frame(meta, 0), o);
  vf_object_meta_unref(o);
  gst_harness_push(h, frame);
  GstBuffer *out = gst_harness_pull(h);
  VfFrameMeta *f = frame_of(out, 0);
  g_assert_cmpint(GST_VIDEO_INFO_WIDTH(vf_frame_meta_get_video_info(f)), ==, 32);
  VfObjectMeta *got = vf_frame_meta_get_object(f, 0);
  VfRect r;
  vf_object_meta_get_detector_bbox(got, &r);
  g_assert_cmpfloat(r.left, ==, 16);
  g_assert_cmpfloat(r.width, ==, 8);
  vf_object_meta_unref(got);
  gst_buffer_unref(out);
  gst_harness_teardown(h);
}

static char *wait_error_text(GstBus *bus)
{
  GstMessage *m = gst_bus_timed_pop_filtered(bus, 5 * GST_SECOND, GST_MESSAGE_ERROR);
  g_assert_nonnull(m);
  GError *err = NULL;
  gst_message_parse_error(m, &err, NULL);
  char *text = g_strdup(err->message);
  g_error_free(err);
  gst_message_unref(m);
  return text;
}

/* Bad input: clear errors, no crash. */
static void test_bad_input(void)
{
  /* a batch into caps without the batch feature: the error names the spellings that work */
  GstHarness *h = gst_harness_new("vfconvert");
  GstBus *bus = gst_bus_new();
  gst_element_set_bus(h->element, bus);
  gst_harness_set_sink_caps_str(h, "video/x-raw,format=RGB");
  gst_harness_set_src_caps_str(h, BATCH_CAPS("RGB", 32, 16, 1));
  GstBuffer *frame = make_rgb_frame(32, 16, 0, 0, 0, 0);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 32, 16);
  g_assert_cmpint(gst_harness_push(h, make_batch_of(&frame, 1, &info, 0)), !=, GST_FLOW_OK);
  char *text = wait_error_text(bus);
  g_test_message("%s", text);
  g_assert_nonnull(strstr(text, "video/x-raw(meta:VfBatch),format=RGB"));
  g_assert_nonnull(strstr(text, "vfdemux"));
  g_free(text);
  gst_element_set_bus(h->element, NULL);
  gst_harness_teardown(h);
  gst_bus_set_flushing(bus, TRUE); /* the next case's errors only */
  gst_bus_set_flushing(bus, FALSE);

  /* a buffer with batch caps but no batch meta */
  h = convert_harness(BATCH_CAPS("RGB", 32, 16, 1), BATCH_CAPS("NV12", 32, 16, 1), NULL);
  gst_element_set_bus(h->element, bus);
  g_assert_cmpint(gst_harness_push(h, gst_buffer_ref(frame)), ==, GST_FLOW_ERROR);
  text = wait_error_text(bus);
  g_assert_nonnull(strstr(text, "no batch meta"));
  g_free(text);
  gst_element_set_bus(h->element, NULL);
  gst_harness_teardown(h);
  gst_bus_set_flushing(bus, TRUE); /* the next case's errors only */
  gst_bus_set_flushing(bus, FALSE);

  /* CUDA frames that would need converting: this build has no CUDA converter, it says so */
  h = gst_harness_new("vfconvert");
  gst_element_set_bus(h->element, bus);
  gst_harness_set_sink_caps_str(
      h, "video/x-raw(memory:CUDAMemory),format=RGBA,width=32,height=16,framerate=30/1");
  gst_harness_set_src_caps_str(
      h, "video/x-raw(memory:CUDAMemory),format=NV12,width=32,height=16,framerate=30/1");
  g_assert_cmpint(gst_harness_push(h, gst_buffer_new_allocate(NULL, 32 * 16 * 3 / 2, NULL)), !=,
                  GST_FLOW_OK);
  text = wait_error_text(bus);
  g_test_message("%s", text);
  g_assert_nonnull(strstr(text, "CUDA"));
  g_assert_nonnull(strstr(text, "cudadownload"));
  g_free(text);
  gst_element_set_bus(h->element, NULL);
  gst_harness_teardown(h);
  gst_bus_set_flushing(bus, TRUE); /* the next case's errors only */
  gst_bus_set_flushing(bus, FALSE);

  /* a format the converter does not read: refused, naming the format and what it reads */
  h = gst_harness_new("vfconvert");
  gst_element_set_bus(h->element, bus);
  gst_harness_set_sink_caps_str(h, "video/x-raw,format=RGB,width=32,height=16");
  gst_harness_set_src_caps_str(h, "video/x-raw,format=v210,width=32,height=16,framerate=30/1");
  g_assert_cmpint(gst_harness_push(h, gst_buffer_new_allocate(NULL, 4096, NULL)), !=, GST_FLOW_OK);
  text = wait_error_text(bus);
  g_test_message("%s", text);
  g_assert_nonnull(strstr(text, "v210"));
  g_assert_nonnull(strstr(text, "NV12"));
  g_free(text);
  gst_element_set_bus(h->element, NULL);
  gst_harness_teardown(h);
  gst_bus_set_flushing(bus, TRUE); /* the next case's errors only */
  gst_bus_set_flushing(bus, FALSE);

  gst_buffer_unref(frame);
  gst_object_unref(bus);
}

/* The converter module on its own: planning and argument checks. */
static void test_converter_api(void)
{
  GstVideoInfo in, out;
  VfRect dest;
  gst_video_info_set_format(&in, GST_VIDEO_FORMAT_NV12, 1920, 1080);
  VfConvertTarget same = { GST_VIDEO_FORMAT_UNKNOWN, 0, 0, VF_CONVERT_SCALING_STRETCH };
  g_assert_false(vf_convert_plan(&in, &same, &out, &dest));
  VfConvertTarget box = { GST_VIDEO_FORMAT_RGB, 300, 300, VF_CONVERT_SCALING_LETTERBOX };
  g_assert_true(vf_convert_plan(&in, &box, &out, &dest));
  g_assert_cmpint(GST_VIDEO_INFO_FORMAT(&out), ==, GST_VIDEO_FORMAT_RGB);
  g_assert_cmpfloat(dest.width, ==, 300);
  g_assert_cmpfloat(dest.height, ==, 169); /* 1080 * 300 / 1920 = 168.75 */
  g_assert_cmpfloat(dest.top, ==, 64);     /* (300 - 169) / 2 = 65.5, even: 64 */
  GError *err = NULL;
  g_assert_false(vf_converter_run(NULL, VF_DEVICE_CPU, NULL, 0, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  VfConverter *c = vf_converter_new(NULL, NULL);
  g_assert_true(vf_converter_run(c, VF_DEVICE_CPU, NULL, 0, &err));
  g_assert_false(
      vf_converter_supports(c, VF_DEVICE_CUDA, GST_VIDEO_FORMAT_NV12, GST_VIDEO_FORMAT_RGB, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_UNSUPPORTED);
  g_clear_error(&err);
  /* the jobs of a batch, one stream twice, more jobs than threads, each on its own */
  VfConvertJob jobs[5] = { { 0 } };
  GstBuffer *frames[5];
  for (guint i = 0; i < 5; i++) {
    frames[i] = gradient_frame(16 + 8 * i, 16, i);
    gst_video_info_set_format(&jobs[i].in_info, GST_VIDEO_FORMAT_RGB, 16 + 8 * i, 16);
    VfConvertTarget t = { GST_VIDEO_FORMAT_I420, 16, 16, VF_CONVERT_SCALING_STRETCH };
    g_assert_true(vf_convert_plan(&jobs[i].in_info, &t, &jobs[i].out_info, &jobs[i].dest));
    jobs[i].key = i % 2;
    jobs[i].in = frames[i];
  }
  g_assert_true(vf_converter_run(c, VF_DEVICE_CPU, jobs, 5, &err));
  g_assert_no_error(err);
  for (guint i = 0; i < 5; i++) {
    g_assert_nonnull(jobs[i].out);
    if (i == 1 || i == 4) { /* a stream's second job, and the last */
      GstBuffer *ref
          = reference(frames[i], 16 + 8 * i, 16, "video/x-raw,format=I420,width=16,height=16");
      compare(jobs[i].out, &jobs[i].out_info, ref, "video/x-raw,format=I420,width=16,height=16", 4,
              2.0);
      gst_buffer_unref(ref);
    }
    vf_convert_job_clear(&jobs[i]);
    gst_buffer_unref(frames[i]);
  }
  vf_converter_free(c);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/vfconvert/batch-formats-and-sizes", test_batch_formats_and_sizes);
  g_test_add_func("/vfconvert/batch-keeps-sizes", test_batch_keeps_sizes);
  g_test_add_func("/vfconvert/batch-passthrough-zero-copy", test_batch_passthrough);
  g_test_add_func("/vfconvert/letterbox-pad-and-objects", test_letterbox_and_objects);
  g_test_add_func("/vfconvert/plain-frames", test_plain_frames);
  g_test_add_func("/vfconvert/plain-frame-meta", test_plain_frame_meta);
  g_test_add_func("/vfconvert/bad-input", test_bad_input);
  g_test_add_func("/convert/converter-api", test_converter_api);
  return g_test_run();
}
