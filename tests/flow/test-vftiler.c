/* vftiler: tiles in place (source i in tile i), black for missing sources, show-source, every
 * format, objects and display items moved into their tile, caps and errors. */
#include "flow-util.h"

#include <gst/check/gstharness.h>
#include <vidflow/meta.h>

typedef struct {
  GstSample *last; /* the last output */
  gint frames;
} Catch;

static int catch_consume(VfBuffer *buffer, gpointer data)
{
  Catch *c = data;
  GstSample *s
      = gst_sample_new(vf_buffer_get_gst_buffer(buffer), vf_buffer_get_caps(buffer), NULL, NULL);
  if (c->last)
    gst_sample_unref(c->last);
  c->last = s;
  c->frames++;
  return VF_CONSUME_OK;
}

/* Objects on source 1's frames, before the tiler. */
static void add_object(VfBatchMeta *meta, gpointer data)
{
  (void)data;
  VfFrameMeta *f = vf_batch_meta_find_frame(meta, 1);
  if (f == NULL)
    return;
  VfObjectMeta *o = vf_object_meta_new();
  VfRect r = { 8, 8, 16, 16 };
  vf_object_meta_set_detector_bbox(o, &r);
  vf_object_meta_set_class_id(o, 3);
  vf_frame_meta_add_object(f, o);
  vf_object_meta_unref(o);
  VfColor white = { 1, 1, 1, 1 };
  vf_frame_meta_add_display_text(f, 4, 4, "cam", 10, &white, NULL);
}

/* patterns: videotestsrc patterns of each source; returns the caught output. */
static Catch run_tiler(const char *format, const char *const *patterns, const char *tiler_props)
{
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new("tiler");
  guint n = 0;
  while (patterns[n])
    n++;
  char size[8];
  g_snprintf(size, sizeof size, "%u", n);
  VF_ASSERT_OK(vf_pipeline_add(p, "vfmux", "mux", &err, "batch-size", size, "width", "64", "height",
                               "48", "format", format, NULL),
               err);
  for (guint i = 0; i < n; i++) {
    char name[16], pad[16];
    g_snprintf(name, sizeof name, "src%u", i);
    g_snprintf(pad, sizeof pad, "sink_%u", i);
    VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", name, &err, "num-buffers", "5", "pattern",
                                 patterns[i], NULL),
                 err);
    VF_ASSERT_OK(vf_pipeline_link_pads(p, name, NULL, "mux", pad, &err), err);
  }
  char *pairs = g_strdelimit(g_strdup(tiler_props), "=", ' '); /* "a=1 b=2" -> a, 1, b, 2 */
  char **props = g_strsplit(pairs, " ", -1);
  VF_ASSERT_OK(vf_pipeline_addv(p, "vftiler", "tiler", (const char *const *)props, &err), err);
  g_strfreev(props);
  g_free(pairs);
  VF_ASSERT_OK(vf_pipeline_add(p, "appsink", "sink", &err, "sync", "false", NULL), err);
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "mux", "tiler", "sink", NULL), err);
  VfProbeCallbacks pcb = { .on_batch_meta = add_object };
  VF_ASSERT_OK(vf_pipeline_attach_probe(p, "mux", "src", vf_probe_new("objects", &pcb, NULL), &err),
               err);
  Catch c = { NULL, 0 };
  VfRetrieverCallbacks rcb = { catch_consume, NULL };
  VF_ASSERT_OK(
      vf_pipeline_attach_receiver(p, "sink", vf_receiver_new("catch", &rcb, &c), NULL, &err), err);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  vf_pipeline_free(p);
  g_assert_nonnull(c.last);
  return c;
}

/* RGB of pixel (x, y) of the output, whatever its format. */
static void pixel(GstSample *s, guint x, guint y, guint8 rgb[3])
{
  GstVideoInfo in, out;
  g_assert_true(gst_video_info_from_caps(&in, gst_sample_get_caps(s)));
  gst_video_info_set_format(&out, GST_VIDEO_FORMAT_RGB, (guint)GST_VIDEO_INFO_WIDTH(&in),
                            (guint)GST_VIDEO_INFO_HEIGHT(&in));
  out.fps_n = in.fps_n;
  out.fps_d = in.fps_d;
  GstVideoConverter *conv = gst_video_converter_new(&in, &out, NULL);
  GstBuffer *rgbbuf = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&out), NULL);
  GstVideoFrame fi, fo;
  g_assert_true(gst_video_frame_map(&fi, &in, gst_sample_get_buffer(s), GST_MAP_READ));
  g_assert_true(gst_video_frame_map(&fo, &out, rgbbuf, GST_MAP_WRITE));
  gst_video_converter_frame(conv, &fi, &fo);
  const guint8 *d = (const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(&fo, 0)
                    + (gsize)y * GST_VIDEO_FRAME_PLANE_STRIDE(&fo, 0) + 3 * x;
  memcpy(rgb, d, 3);
  gst_video_frame_unmap(&fi);
  gst_video_frame_unmap(&fo);
  gst_buffer_unref(rgbbuf);
  gst_video_converter_free(conv);
}

static gboolean near(const guint8 rgb[3], guint r, guint g, guint b)
{
  return ABS((gint)rgb[0] - (gint)r) < 40 && ABS((gint)rgb[1] - (gint)g) < 40
         && ABS((gint)rgb[2] - (gint)b) < 40;
}

#define ASSERT_PIXEL(s, x, y, r, g, b)                                                             \
  do {                                                                                             \
    guint8 px_[3];                                                                                 \
    pixel((s), (x), (y), px_);                                                                     \
    if (!near(px_, (r), (g), (b)))                                                                 \
      g_error("pixel (%u,%u) is %u,%u,%u, expected about %u,%u,%u", (x), (y), px_[0], px_[1],      \
              px_[2], (r), (g), (b));                                                              \
  } while (0)

static void test_tiles_every_format(void)
{
  FLOW_REQUIRE("vfmux");
  const char *formats[] = { "RGB", "RGBA", "NV12", "I420" };
  const char *patterns[] = { "red", "blue", NULL };
  for (guint i = 0; i < G_N_ELEMENTS(formats); i++) {
    Catch c = run_tiler(formats[i], patterns, "rows=1 columns=2 width=128 height=48");
    g_assert_cmpint(c.frames, ==, 5);
    GstVideoInfo info;
    g_assert_true(gst_video_info_from_caps(&info, gst_sample_get_caps(c.last)));
    g_assert_cmpint(GST_VIDEO_INFO_WIDTH(&info), ==, 128);
    g_assert_cmpint(GST_VIDEO_INFO_HEIGHT(&info), ==, 48);
    g_assert_cmpstr(gst_video_format_to_string(GST_VIDEO_INFO_FORMAT(&info)), ==, formats[i]);
    ASSERT_PIXEL(c.last, 20, 20, 255, 0, 0);
    ASSERT_PIXEL(c.last, 100, 20, 0, 0, 255);
    /* metadata: one frame; the object and text moved into tile 1 */
    VfBatchMeta *meta = vf_batch_meta_get(gst_sample_get_buffer(c.last));
    g_assert_nonnull(meta);
    g_assert_cmpuint(vf_batch_meta_get_n_frames(meta), ==, 1);
    VfFrameMeta *f = vf_batch_meta_get_frame(meta, 0);
    g_assert_cmpuint(vf_frame_meta_get_n_objects(f), ==, 1);
    VfObjectMeta *o = vf_frame_meta_get_object(f, 0);
    VfRect r;
    vf_object_meta_get_detector_bbox(o, &r);
    g_assert_cmpfloat_with_epsilon(r.left, 72, 0.01);
    g_assert_cmpfloat_with_epsilon(r.top, 8, 0.01);
    g_assert_cmpfloat_with_epsilon(r.width, 16, 0.01);
    g_assert_cmpint(vf_object_meta_get_class_id(o), ==, 3);
    vf_object_meta_unref(o);
    VfDisplayItem item;
    g_assert_true(vf_frame_meta_get_display_item(f, 0, &item));
    g_assert_cmpint(item.kind, ==, VF_DISPLAY_TEXT);
    g_assert_cmpfloat_with_epsilon(item.x1, 68, 0.01);
    g_assert_cmpstr(item.text, ==, "cam");
    vf_display_item_clear(&item);
    gst_sample_unref(c.last);
  }
}

/* Three sources in a 2x2 grid (automatic): the fourth tile is black; scaled tiles. */
static void test_grid_and_black(void)
{
  FLOW_REQUIRE("vfmux");
  const char *patterns[] = { "red", "green", "blue", NULL };
  const char *formats[] = { "RGBA", "I420" };
  for (guint i = 0; i < G_N_ELEMENTS(formats); i++) {
    Catch c = run_tiler(formats[i], patterns, "width=200 height=150");
    ASSERT_PIXEL(c.last, 50, 30, 255, 0, 0);
    ASSERT_PIXEL(c.last, 150, 30, 0, 255, 0);
    ASSERT_PIXEL(c.last, 50, 110, 0, 0, 255);
    ASSERT_PIXEL(c.last, 150, 110, 0, 0, 0);
    gst_sample_unref(c.last);
  }
}

static void test_show_source(void)
{
  FLOW_REQUIRE("vfmux");
  const char *patterns[] = { "red", "blue", NULL };
  Catch c = run_tiler("RGB", patterns, "show-source=1 width=128 height=96");
  ASSERT_PIXEL(c.last, 5, 5, 0, 0, 255);
  ASSERT_PIXEL(c.last, 120, 90, 0, 0, 255);
  VfFrameMeta *f = vf_batch_meta_get_frame(vf_batch_meta_get(gst_sample_get_buffer(c.last)), 0);
  VfObjectMeta *o = vf_frame_meta_get_object(f, 0);
  g_assert_nonnull(o);
  VfRect r;
  vf_object_meta_get_detector_bbox(o, &r); /* 64x48 -> 128x96: twice as large */
  g_assert_cmpfloat_with_epsilon(r.left, 16, 0.01);
  g_assert_cmpfloat_with_epsilon(r.height, 32, 0.01);
  vf_object_meta_unref(o);
  gst_sample_unref(c.last);
}

/* A 32x32 I420 frame of colour (y, u, v) in several memories: one per plane, or (cut) two memories
 * cut inside the Y plane. (transfer full) */
static GstBuffer *yuv_frame(guint8 y, guint8 u, guint8 v, gboolean cut)
{
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, 32, 32);
  gsize size = GST_VIDEO_INFO_SIZE(&info), uo = GST_VIDEO_INFO_PLANE_OFFSET(&info, 1),
        vo = GST_VIDEO_INFO_PLANE_OFFSET(&info, 2);
  GstBuffer *whole = gst_buffer_new_allocate(NULL, size, NULL);
  gst_buffer_memset(whole, 0, y, uo);
  gst_buffer_memset(whole, uo, u, vo - uo);
  gst_buffer_memset(whole, vo, v, size - vo);
  gsize cuts[] = { 0, cut ? 32 * 10 + 3 : uo, cut ? size : vo, size };
  GstBuffer *b = gst_buffer_new();
  for (guint i = 0; i + 1 < G_N_ELEMENTS(cuts); i++)
    if (cuts[i + 1] > cuts[i])
      gst_buffer_append_memory(b, gst_memory_copy(gst_buffer_peek_memory(whole, 0), (gssize)cuts[i],
                                                  (gssize)(cuts[i + 1] - cuts[i])));
  gst_buffer_unref(whole);
  return b;
}

/* Frames spread over several memories are tiled whole; a source id without a tile is said (a
 * warning naming it, once, and the dropped count), never silently skipped. */
static void test_multi_memory_and_no_tile(void)
{
  GstElement *tiler = gst_element_factory_make("vftiler", NULL);
  g_object_set(tiler, "rows", 1, "columns", 2, "width", 64, "height", 32, NULL);
  GstBus *bus = gst_bus_new();
  gst_element_set_bus(tiler, bus);
  GstHarness *h = gst_harness_new_with_element(tiler, "sink", "src");
  gst_harness_set_src_caps_str(h, "video/x-raw(meta:VfBatch),format=I420,width=32,height=32,"
                                  "framerate=30/1,batch-size=3");
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, 32, 32);
  for (guint round = 0; round < 2; round++) {
    /* red in three memories, blue cut inside Y, green from source 5 (no tile 5 in 1 x 2) */
    GstBuffer *frames[3] = { yuv_frame(81, 90, 240, FALSE), yuv_frame(41, 240, 110, TRUE),
                             yuv_frame(145, 54, 34, FALSE) };
    guint ids[3] = { 0, 1, 5 };
    GstBuffer *batch = gst_buffer_new();
    VfBatchMeta *meta = vf_batch_meta_add(batch, 3);
    for (guint i = 0; i < 3; i++) {
      vf_frame_meta_set_source_id(vf_batch_meta_add_frame(meta, frames[i], &info), ids[i]);
      gst_buffer_unref(frames[i]);
    }
    GST_BUFFER_PTS(batch) = round * GST_SECOND / 30;
    g_assert_cmpint(gst_harness_push(h, batch), ==, GST_FLOW_OK);
    GstBuffer *out = gst_harness_pull(h);
    GstCaps *caps = gst_pad_get_current_caps(h->sinkpad);
    GstSample *s = gst_sample_new(out, caps, NULL, NULL);
    ASSERT_PIXEL(s, 5, 5, 255, 0, 0);
    ASSERT_PIXEL(s, 16, 28, 255, 0, 0);
    ASSERT_PIXEL(s, 40, 5, 0, 0, 255);
    ASSERT_PIXEL(s, 60, 28, 0, 0, 255);
    gst_sample_unref(s);
    gst_caps_unref(caps);
    gst_buffer_unref(out);
    guint64 dropped = 0;
    g_object_get(tiler, "dropped", &dropped, NULL);
    g_assert_cmpuint(dropped, ==, round + 1);
  }
  GstMessage *m = gst_bus_pop_filtered(bus, GST_MESSAGE_WARNING);
  g_assert_nonnull(m);
  GError *err = NULL;
  gst_message_parse_warning(m, &err, NULL);
  g_assert_nonnull(strstr(err->message, "source 5 has no tile"));
  g_error_free(err);
  gst_message_unref(m);
  g_assert_null(gst_bus_pop_filtered(bus, GST_MESSAGE_WARNING)); /* said once */
  gst_harness_teardown(h);
  gst_element_set_bus(tiler, NULL);
  gst_object_unref(bus);
  gst_object_unref(tiler);
}

/* Plain (unbatched) video cannot link to vftiler: a clear link error. */
static void test_needs_batch(void)
{
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new("t");
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "src", &err, NULL), err);
  VF_ASSERT_OK(vf_pipeline_add(p, "vftiler", "tiler", &err, NULL), err);
  g_assert_false(vf_pipeline_link(p, &err, "src", "tiler", NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_LINK);
  g_clear_error(&err);
  vf_pipeline_free(p);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  g_test_add_func("/vftiler/tiles-every-format", test_tiles_every_format);
  g_test_add_func("/vftiler/grid-and-black", test_grid_and_black);
  g_test_add_func("/vftiler/show-source", test_show_source);
  g_test_add_func("/vftiler/needs-batch", test_needs_batch);
  g_test_add_func("/vftiler/multi-memory-frames-and-sources-without-tile",
                  test_multi_memory_and_no_tile);
  return g_test_run();
}
