/* GstHarness tests of vfosd: on every format, boxes change exactly the pixels of their border
 * and labels only the strip above the box; batched and plain frames; display metadata; the
 * toggles; copy-on-write (a frame whose memory is shared upstream is copied, the upstream buffer
 * keeps its pixels); metadata made for another format (after videoconvert) and CUDA caps. */
#include "elements-util.h"

#define FILL 200

typedef struct {
  GstVideoInfo info;
  guint8 *data; /* a copy of the frame's bytes */
} Snapshot;

static Snapshot snap(GstBuffer *buf, guint mem_index, const GstVideoInfo *info)
{
  Snapshot s = { *info, NULL };
  GstMemory *mem = gst_buffer_peek_memory(buf, mem_index);
  GstMapInfo map;
  g_assert_true(gst_memory_map(mem, &map, GST_MAP_READ));
  s.data = g_memdup2(map.data, map.size);
  gst_memory_unmap(mem, &map);
  return s;
}

/* A snapshot of frame `index` of a batch: its own buffer's bytes. */
static Snapshot snap_frame(GstBuffer *batch, guint index, const GstVideoInfo *info)
{
  VfFrameMeta *f = vf_batch_meta_get_frame(vf_batch_meta_get(batch), index);
  g_assert_nonnull(f);
  GstBuffer *pixels = vf_frame_meta_get_buffer(f);
  g_assert_nonnull(pixels);
  Snapshot s = { *info, g_malloc(gst_buffer_get_size(pixels)) };
  gst_buffer_extract(pixels, 0, s.data, gst_buffer_get_size(pixels));
  return s;
}

/* Did pixel (x, y) change between a and b? Packed formats: any byte of the pixel; YUV: luma. */
static gboolean changed(const Snapshot *a, const Snapshot *b, guint x, guint y)
{
  const GstVideoInfo *i = &a->info;
  gsize off = GST_VIDEO_INFO_PLANE_OFFSET(i, 0) + (gsize)y * GST_VIDEO_INFO_PLANE_STRIDE(i, 0)
              + (gsize)x * GST_VIDEO_INFO_COMP_PSTRIDE(i, 0);
  guint bytes = GST_VIDEO_INFO_IS_YUV(i) ? 1 : (guint)GST_VIDEO_INFO_COMP_PSTRIDE(i, 0);
  return memcmp(a->data + off, b->data + off, bytes) != 0;
}

static gboolean chroma_changed(const Snapshot *a, const Snapshot *b, guint cx, guint cy)
{
  const GstVideoInfo *i = &a->info;
  for (guint p = 1; p < GST_VIDEO_INFO_N_PLANES(i); p++) {
    gsize off = GST_VIDEO_INFO_PLANE_OFFSET(i, p) + (gsize)cy * GST_VIDEO_INFO_PLANE_STRIDE(i, p)
                + (gsize)cx * GST_VIDEO_INFO_COMP_PSTRIDE(i, p);
    if (memcmp(a->data + off, b->data + off, GST_VIDEO_INFO_COMP_PSTRIDE(i, p)) != 0)
      return TRUE;
  }
  return FALSE;
}

static gboolean inside(guint x, guint y, gint x0, gint y0, gint x1, gint y1)
{
  return (gint)x >= x0 && (gint)x < x1 && (gint)y >= y0 && (gint)y < y1;
}

static GstBuffer *plain_frame(GstVideoFormat format, guint w, guint h, GstVideoInfo *info)
{
  gst_video_info_set_format(info, format, w, h);
  guint8 fill[3] = { FILL, 128, 128 };
  if (!GST_VIDEO_INFO_IS_YUV(info))
    fill[1] = fill[2] = FILL;
  return elt_solid_frame(format, w, h, fill);
}

/* A harness around a vfosd with props "name=value name=value". */
static GstHarness *osd(const char *props)
{
  GstElement *e = gst_element_factory_make("vfosd", NULL);
  g_assert_nonnull(e);
  char **pairs = g_strsplit(props ? props : "", " ", -1);
  for (char **p = pairs; *p; p++) {
    char *eq = strchr(*p, '=');
    if (eq) {
      *eq = '\0';
      gst_util_set_object_arg(G_OBJECT(e), *p, eq + 1);
    }
  }
  g_strfreev(pairs);
  GstHarness *h = gst_harness_new_with_element(e, "sink", "src");
  gst_object_unref(e);
  return h;
}

static guint64 copied_frames(GstHarness *h)
{
  guint64 n = 0;
  g_object_get(h->element, "copied-frames", &n, NULL);
  return n;
}

static const GstVideoFormat formats[] = {
  GST_VIDEO_FORMAT_RGB,  GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_BGR,  GST_VIDEO_FORMAT_BGRA,
  GST_VIDEO_FORMAT_RGBx, GST_VIDEO_FORMAT_BGRx, GST_VIDEO_FORMAT_NV12, GST_VIDEO_FORMAT_I420,
};

/* A box of border 2 at (20, 16) 40x30: exactly its border band changes, on every format. */
static void test_box_pixels(void)
{
  for (guint f = 0; f < G_N_ELEMENTS(formats); f++) {
    GstVideoInfo info;
    GstBuffer *in = plain_frame(formats[f], 96, 72, &info);
    VfBatchMeta *meta = vf_batch_meta_add_single(in, &info);
    elt_add_object(vf_batch_meta_get_frame(meta, 0), 0, "Person", 0.87f, 20, 16, 40, 30, 1);
    Snapshot before = snap(in, 0, &info);
    GstHarness *h = osd("display-labels=false border-width=2");
    gst_harness_set_src_caps(h, gst_video_info_to_caps(&info));
    g_assert_cmpint(gst_harness_push(h, in), ==, GST_FLOW_OK);
    GstBuffer *out = gst_harness_pull(h);
    Snapshot after = snap(out, 0, &info);
    guint n_changed = 0;
    for (guint y = 0; y < 72; y++)
      for (guint x = 0; x < 96; x++) {
        /* the border band: centres within 1 px of the box's edges */
        gboolean band = inside(x, y, 19, 15, 61, 47) && !inside(x, y, 21, 17, 59, 45);
        gboolean c = changed(&before, &after, x, y);
        if (c != band)
          g_error("%s: pixel %u,%u %s", gst_video_format_to_string(formats[f]), x, y,
                  c ? "changed outside the box's border" : "of the border unchanged");
        n_changed += c;
      }
    g_assert_cmpuint(n_changed, ==, 42 * 32 - 38 * 28);
    if (GST_VIDEO_INFO_IS_YUV(&info)) { /* chroma: blocks far from the border are untouched */
      g_assert_false(chroma_changed(&before, &after, 2, 2));
      g_assert_false(chroma_changed(&before, &after, 20, 15)); /* the box's inside */
      g_assert_true(chroma_changed(&before, &after, 10, 8));   /* top-left corner */
    }
    g_test_message("%s: %u pixels changed", gst_video_format_to_string(formats[f]), n_changed);
    g_free(before.data);
    g_free(after.data);
    gst_buffer_unref(out);
    gst_harness_teardown(h);
  }
}

/* Labels: above the box, on a background: only the strip above the box changes (plus the box). */
static void test_label_pixels(void)
{
  const GstVideoFormat fmts[] = { GST_VIDEO_FORMAT_RGB, GST_VIDEO_FORMAT_I420 };
  for (guint f = 0; f < G_N_ELEMENTS(fmts); f++) {
    GstVideoInfo info;
    GstBuffer *in = plain_frame(fmts[f], 160, 120, &info);
    VfBatchMeta *meta = vf_batch_meta_add_single(in, &info);
    elt_add_object(vf_batch_meta_get_frame(meta, 0), 2, "Car", 0.5f, 30, 50, 60, 40, 1);
    Snapshot before = snap(in, 0, &info);
    GstHarness *h = osd("font-size=12");
    gst_harness_set_src_caps(h, gst_video_info_to_caps(&info));
    g_assert_cmpint(gst_harness_push(h, in), ==, GST_FLOW_OK);
    GstBuffer *out = gst_harness_pull(h);
    Snapshot after = snap(out, 0, &info);
    guint above = 0;
    for (guint y = 0; y < 120; y++)
      for (guint x = 0; x < 160; x++) {
        if (!changed(&before, &after, x, y))
          continue;
        gboolean band = inside(x, y, 29, 49, 91, 91) && !inside(x, y, 31, 51, 89, 89);
        gboolean strip = inside(x, y, 29, 20, 160, 49); /* above the box, at most 29 px high */
        if (!band && !strip)
          g_error("%s: pixel %u,%u changed outside the box and its label",
                  gst_video_format_to_string(fmts[f]), x, y);
        above += strip;
      }
    g_assert_cmpuint(above, >, 200); /* a label's background box and its text */
    g_free(before.data);
    g_free(after.data);
    gst_buffer_unref(out);
    gst_harness_teardown(h);
  }
}

/* A batch of two frames, each a buffer of its own: objects on frame 1 only; frame 0 stays as it
 * was. */
static void test_batched(void)
{
  GstVideoInfo info;
  GstBuffer *f0 = plain_frame(GST_VIDEO_FORMAT_RGB, 64, 48, &info);
  GstBuffer *f1 = plain_frame(GST_VIDEO_FORMAT_RGB, 64, 48, &info);
  GstBuffer *batch = gst_buffer_new();
  GST_BUFFER_PTS(batch) = 0;
  VfBatchMeta *meta = vf_batch_meta_add(batch, 2);
  vf_batch_meta_add_frame(meta, f0, &info);
  VfFrameMeta *frame1 = vf_batch_meta_add_frame(meta, f1, &info);
  gst_buffer_unref(f0);
  gst_buffer_unref(f1);
  elt_add_object(frame1, 3, "Dog", 0.7f, 10, 10, 20, 20, 1);
  VfColor red = { 1, 0, 0, 1 };
  vf_frame_meta_add_display_line(frame1, 40, 40, 60, 40, 2, &red);
  Snapshot b0 = snap_frame(batch, 0, &info), b1 = snap_frame(batch, 1, &info);
  GstHarness *h = osd("display-labels=false");
  gst_harness_set_src_caps_str(h, "video/x-raw(meta:VfBatch),format=RGB,width=64,height=48,"
                                  "framerate=30/1,batch-size=2");
  g_assert_cmpint(gst_harness_push(h, batch), ==, GST_FLOW_OK);
  GstBuffer *out = gst_harness_pull(h);
  g_assert_cmpuint(vf_batch_meta_get_n_frames(vf_batch_meta_get(out)), ==, 2);
  Snapshot a0 = snap_frame(out, 0, &info), a1 = snap_frame(out, 1, &info);
  g_assert_cmpmem(a0.data, GST_VIDEO_INFO_SIZE(&info), b0.data, GST_VIDEO_INFO_SIZE(&info));
  g_assert_true(changed(&b1, &a1, 10, 10));  /* box corner */
  g_assert_true(changed(&b1, &a1, 50, 40));  /* the line */
  g_assert_false(changed(&b1, &a1, 20, 20)); /* inside the box */
  g_assert_false(changed(&b1, &a1, 62, 46));
  /* nobody else held these frames: drawn in place, no copy */
  g_assert_cmpuint(copied_frames(h), ==, 0);
  g_free(b0.data), g_free(b1.data), g_free(a0.data), g_free(a1.data);
  gst_buffer_unref(out);
  gst_harness_teardown(h);
}

/* The batch references the source's buffer without copying it (as vfmux does), and the source
 * still holds it: vfosd replaces that frame (in this batch) with a copy before drawing, so the
 * source buffer keeps its pixels. */
static void test_shared_upstream(void)
{
  GstVideoInfo info;
  GstBuffer *source = plain_frame(GST_VIDEO_FORMAT_NV12, 64, 48, &info);
  Snapshot original = snap(source, 0, &info);
  GstBuffer *batch = gst_buffer_new();
  VfBatchMeta *meta = vf_batch_meta_add(batch, 1);
  elt_add_object(vf_batch_meta_add_frame(meta, source, &info), 1, "Bicycle", 0.6f, 8, 8, 30, 30, 1);
  GstHarness *h = osd(NULL);
  gst_harness_set_src_caps_str(h, "video/x-raw(meta:VfBatch),format=NV12,width=64,height=48,"
                                  "framerate=30/1,batch-size=1");
  g_assert_cmpint(gst_harness_push(h, batch), ==, GST_FLOW_OK);
  GstBuffer *out = gst_harness_pull(h);
  Snapshot drawn = snap_frame(out, 0, &info), now = snap(source, 0, &info);
  g_assert_true(changed(&original, &drawn, 8, 8));
  g_assert_cmpmem(now.data, GST_VIDEO_INFO_SIZE(&info), original.data, GST_VIDEO_INFO_SIZE(&info));
  GstBuffer *drawn_on
      = vf_frame_meta_get_buffer(vf_batch_meta_get_frame(vf_batch_meta_get(out), 0));
  g_assert_true(drawn_on != source);
  g_assert_true(gst_buffer_peek_memory(drawn_on, 0) != gst_buffer_peek_memory(source, 0));
  g_assert_cmpuint(copied_frames(h), ==, 1);
  g_free(drawn.data), g_free(now.data);
  gst_buffer_unref(out);
  /* the batch is gone: the source's buffer and memory are its own again */
  g_assert_cmpint(GST_MINI_OBJECT_REFCOUNT_VALUE(source), ==, 1);
  g_assert_true(gst_buffer_is_all_memory_writable(source));

  /* a plain buffer someone else still holds (a tee's other branch): the same */
  GstBuffer *plain = gst_buffer_copy(source);
  vf_batch_meta_add_single(plain, &info);
  elt_add_object(vf_batch_meta_get_frame(vf_batch_meta_get(plain), 0), 1, "Bicycle", 0.6f, 8, 8, 30,
                 30, 1);
  gst_harness_set_src_caps_str(h, "video/x-raw,format=NV12,width=64,height=48,framerate=30/1");
  g_assert_cmpint(gst_harness_push(h, gst_buffer_ref(plain)), ==, GST_FLOW_OK);
  out = gst_harness_pull(h);
  drawn = snap(out, 0, &info);
  now = snap(plain, 0, &info);
  g_assert_true(changed(&original, &drawn, 8, 8));
  g_assert_cmpmem(now.data, GST_VIDEO_INFO_SIZE(&info), original.data, GST_VIDEO_INFO_SIZE(&info));
  g_assert_cmpuint(copied_frames(h), ==, 2);
  g_free(drawn.data), g_free(now.data), g_free(original.data);
  gst_buffer_unref(out);
  gst_buffer_unref(plain);
  gst_buffer_unref(source);
  gst_harness_teardown(h);
}

/* A frame spread over two read-only memories, the cut inside its Y plane (a plane straddles
 * memories): it is drawn through a contiguous copy written back, and the frame keeps its two
 * memories. */
static void test_split_memory(void)
{
  GstVideoInfo info;
  GstBuffer *whole = plain_frame(GST_VIDEO_FORMAT_I420, 64, 48, &info);
  Snapshot before = snap(whole, 0, &info);
  gsize size = GST_VIDEO_INFO_SIZE(&info), cut = 64 * 20 + 7;
  GstBuffer *pixels = gst_buffer_new();
  gst_buffer_append_memory(pixels, gst_memory_share(gst_buffer_peek_memory(whole, 0), 0, cut));
  gst_buffer_append_memory(pixels,
                           gst_memory_share(gst_buffer_peek_memory(whole, 0), cut, size - cut));
  gst_buffer_unref(whole); /* the shares keep the memory alive; they are read-only */
  GstBuffer *batch = gst_buffer_new();
  VfBatchMeta *meta = vf_batch_meta_add(batch, 1);
  elt_add_object(vf_batch_meta_add_frame(meta, pixels, &info), 1, "Bicycle", 0.6f, 8, 8, 30, 30, 1);
  gst_buffer_unref(pixels);
  GstHarness *h = osd("display-labels=false");
  gst_harness_set_src_caps_str(h, "video/x-raw(meta:VfBatch),format=I420,width=64,height=48,"
                                  "framerate=30/1,batch-size=1");
  g_assert_cmpint(gst_harness_push(h, batch), ==, GST_FLOW_OK);
  GstBuffer *out = gst_harness_pull(h);
  GstBuffer *drawn = vf_frame_meta_get_buffer(vf_batch_meta_get_frame(vf_batch_meta_get(out), 0));
  g_assert_cmpuint(gst_buffer_n_memory(drawn), ==, 2);
  Snapshot after = { info, g_malloc(size) };
  g_assert_cmpuint(gst_buffer_extract(drawn, 0, after.data, size), ==, size);
  g_assert_true(changed(&before, &after, 8, 8));
  g_assert_true(changed(&before, &after, 8, 20)); /* the row the cut goes through */
  g_assert_true(changed(&before, &after, 37, 37));
  g_assert_false(changed(&before, &after, 20, 20));
  g_assert_false(changed(&before, &after, 50, 40));
  g_free(before.data), g_free(after.data);
  gst_buffer_unref(out);
  gst_harness_teardown(h);
}

/* Display metadata: rectangles (with fill), lines, circles and text where they are said to be;
 * display-shapes and display-text turn them off. */
static void test_display_meta(void)
{
  const char *props[] = { "", "display-shapes=false", "display-text=false" };
  for (guint k = 0; k < G_N_ELEMENTS(props); k++) {
    GstVideoInfo info;
    GstBuffer *in = plain_frame(GST_VIDEO_FORMAT_RGBA, 120, 90, &info);
    VfFrameMeta *frame = vf_batch_meta_get_frame(vf_batch_meta_add_single(in, &info), 0);
    VfColor red = { 1, 0, 0, 1 }, green = { 0, 1, 0, 0.5f }, white = { 1, 1, 1, 1 };
    VfColor black = { 0, 0, 0, 1 };
    VfRect r = { 10, 10, 20, 20 };
    vf_frame_meta_add_display_rect(frame, &r, 2, &red, &green);
    vf_frame_meta_add_display_line(frame, 50, 10, 90, 10, 3, &red);
    vf_frame_meta_add_display_circle(frame, 70, 50, 10, 2, &red, NULL);
    vf_frame_meta_add_display_text(frame, 5, 60, "Hi", 16, &white, &black);
    Snapshot before = snap(in, 0, &info);
    GstHarness *h = osd(props[k]);
    gst_harness_set_src_caps(h, gst_video_info_to_caps(&info));
    g_assert_cmpint(gst_harness_push(h, in), ==, GST_FLOW_OK);
    GstBuffer *out = gst_harness_pull(h);
    Snapshot after = snap(out, 0, &info);
    gboolean shapes = k != 1, text = k != 2;
    g_assert_true(changed(&before, &after, 10, 20) == shapes); /* rect border */
    g_assert_true(changed(&before, &after, 20, 20) == shapes); /* rect fill */
    g_assert_true(changed(&before, &after, 70, 10) == shapes); /* line */
    g_assert_true(changed(&before, &after, 80, 50) == shapes); /* circle outline */
    g_assert_false(changed(&before, &after, 70, 50));          /* circle centre: no fill */
    g_assert_true(changed(&before, &after, 6, 61) == text);    /* text background */
    g_assert_false(changed(&before, &after, 110, 85));
    g_assert_false(changed(&before, &after, 100, 30));
    g_free(before.data);
    g_free(after.data);
    gst_buffer_unref(out);
    gst_harness_teardown(h);
  }
}

/* Nothing to draw: the buffer passes untouched and nothing is copied. */
static void test_toggles_off(void)
{
  GstVideoInfo info;
  GstBuffer *source = plain_frame(GST_VIDEO_FORMAT_RGB, 64, 48, &info);
  VfBatchMeta *meta = vf_batch_meta_add_single(source, &info);
  elt_add_object(vf_batch_meta_get_frame(meta, 0), 0, "Person", 0.9f, 8, 8, 30, 30, 1);
  Snapshot before = snap(source, 0, &info);
  GstHarness *h = osd("display-bbox=false display-labels=false");
  gst_harness_set_src_caps(h, gst_video_info_to_caps(&info));
  g_assert_cmpint(gst_harness_push(h, gst_buffer_ref(source)), ==, GST_FLOW_OK);
  GstBuffer *out = gst_harness_pull(h);
  Snapshot after = snap(out, 0, &info);
  g_assert_cmpmem(after.data, GST_VIDEO_INFO_SIZE(&info), before.data, GST_VIDEO_INFO_SIZE(&info));
  g_assert_cmpuint(copied_frames(h), ==, 0);
  g_assert_true(gst_buffer_peek_memory(out, 0) == gst_buffer_peek_memory(source, 0));
  g_free(before.data), g_free(after.data);
  gst_buffer_unref(out);
  gst_buffer_unref(source);
  gst_harness_teardown(h);
}

/* Metadata made when the frame was RGB, the buffer now I420 (videoconvert kept the meta): vfosd
 * draws with the layout the caps give. Plain frames without metadata pass through. */
static void test_stale_layout(void)
{
  GstVideoInfo rgb, info;
  gst_video_info_set_format(&rgb, GST_VIDEO_FORMAT_RGB, 64, 48);
  GstBuffer *in = plain_frame(GST_VIDEO_FORMAT_I420, 64, 48, &info);
  VfBatchMeta *meta = vf_batch_meta_add_single(in, &rgb);
  elt_add_object(vf_batch_meta_get_frame(meta, 0), 0, "Person", 0.9f, 8, 8, 30, 30, 1);
  Snapshot before = snap(in, 0, &info);
  GstHarness *h = osd("display-labels=false");
  gst_harness_set_src_caps(h, gst_video_info_to_caps(&info));
  g_assert_cmpint(gst_harness_push(h, in), ==, GST_FLOW_OK);
  GstBuffer *out = gst_harness_pull(h);
  Snapshot after = snap(out, 0, &info);
  g_assert_true(changed(&before, &after, 8, 8));
  g_assert_false(changed(&before, &after, 20, 20));
  g_free(before.data), g_free(after.data);
  gst_buffer_unref(out);

  GstBuffer *bare = plain_frame(GST_VIDEO_FORMAT_I420, 64, 48, &info);
  g_assert_cmpint(gst_harness_push(h, bare), ==, GST_FLOW_OK);
  out = gst_harness_pull(h);
  g_assert_null(vf_batch_meta_get(out));
  gst_buffer_unref(out);
  gst_harness_teardown(h);
}

static void test_cuda_caps(void)
{
  GstHarness *h = osd(NULL);
  GstBus *bus = gst_bus_new();
  gst_element_set_bus(h->element, bus);
  gst_harness_set_src_caps_str(
      h, "video/x-raw(memory:CUDAMemory),format=NV12,width=64,height=48,framerate=30/1");
  guint8 fill[2] = { 16, 128 };
  g_assert_cmpint(gst_harness_push(h, elt_solid_frame(GST_VIDEO_FORMAT_NV12, 64, 48, fill)), !=,
                  GST_FLOW_OK);
  GstMessage *m = elt_wait_error(bus);
  g_assert_nonnull(m);
  char *text = elt_error_text(m);
  g_assert_nonnull(strstr(text, "CUDAMemory"));
  g_free(text);
  gst_message_unref(m);
  gst_element_set_bus(h->element, NULL);
  gst_object_unref(bus);
  gst_harness_teardown(h);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/vfosd/box-pixels", test_box_pixels);
  g_test_add_func("/vfosd/label-pixels", test_label_pixels);
  g_test_add_func("/vfosd/batched", test_batched);
  g_test_add_func("/vfosd/shared-upstream", test_shared_upstream);
  g_test_add_func("/vfosd/split-memory", test_split_memory);
  g_test_add_func("/vfosd/display-meta", test_display_meta);
  g_test_add_func("/vfosd/toggles-off", test_toggles_off);
  g_test_add_func("/vfosd/stale-layout", test_stale_layout);
  g_test_add_func("/vfosd/cuda-caps", test_cuda_caps);
  return g_test_run();
}
