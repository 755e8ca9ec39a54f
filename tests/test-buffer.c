/* Buffers and tensors: formats, planes, strides, zero-copy views, clone, DLPack, images. */
#include "test-util.h"

#include <glib/gstdio.h>

static void count_free(gpointer data)
{
  (*(gint *)data)++;
}

static void test_wrap_packed_zero_copy(void)
{
  guint8 *pixels = g_malloc(4 * 3 * 2);
  for (guint i = 0; i < 24; i++)
    pixels[i] = (guint8)i;
  gint freed = 0;
  GError *err = NULL;
  /* user data gets freed by our counter; pixels freed by us at the end */
  VfBuffer *b = vf_buffer_new_wrapped(VF_COLOR_FORMAT_RGB, 4, 2, NULL, pixels, 24, &freed,
                                      count_free, &err);
  VF_ASSERT_OK(b, err);
  g_assert_cmpuint(vf_buffer_get_batch_size(b), ==, 1);
  g_assert_cmpuint(vf_buffer_get_width(b), ==, 4);
  g_assert_cmpint(vf_buffer_get_color_format(b), ==, VF_COLOR_FORMAT_RGB);
  VfTensor *t = vf_buffer_extract(b, 0, &err);
  VF_ASSERT_OK(t, err);
  /* zero-copy: the tensor points into our memory */
  g_assert_true(vf_tensor_get_data(t) == pixels);
  g_assert_cmpuint(vf_tensor_get_ndim(t), ==, 3);
  g_assert_cmpint(vf_tensor_get_shape(t)[0], ==, 2);
  g_assert_cmpint(vf_tensor_get_shape(t)[1], ==, 4);
  g_assert_cmpint(vf_tensor_get_shape(t)[2], ==, 3);
  g_assert_cmpint(vf_tensor_get_layout(t), ==, VF_LAYOUT_HWC);
  /* the view keeps the buffer alive after the buffer's last user reference goes */
  vf_buffer_unref(b);
  g_assert_cmpint(freed, ==, 0);
  g_assert_cmpuint(((guint8 *)vf_tensor_get_data(t))[23], ==, 23);
  vf_tensor_unref(t);
  g_assert_cmpint(freed, ==, 1);
  g_free(pixels);

  /* out of range index, wrong size */
  guint8 small[10];
  g_assert_null(
      vf_buffer_new_wrapped(VF_COLOR_FORMAT_RGB, 4, 2, NULL, small, 10, NULL, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_SIZE);
  g_assert_nonnull(strstr(err->message, "24"));
  g_clear_error(&err);
}

static void test_strides_add_video_meta(void)
{
  /* RGB 5x2 with a 32-byte row stride */
  gsize stride = 32;
  guint8 *pixels = g_malloc0(stride * 2);
  pixels[stride + 14] = 77; /* row 1, x 4, channel 2 */
  GError *err = NULL;
  VfBuffer *b = vf_buffer_new_wrapped(VF_COLOR_FORMAT_RGB, 5, 2, &stride, pixels, stride * 2,
                                      pixels, g_free, &err);
  VF_ASSERT_OK(b, err);
  GstVideoMeta *meta = gst_buffer_get_video_meta(vf_buffer_get_gst_buffer(b));
  g_assert_nonnull(meta);
  g_assert_cmpint(meta->stride[0], ==, 32);
  VfTensor *t = vf_buffer_extract(b, 0, &err);
  VF_ASSERT_OK(t, err);
  g_assert_cmpint(vf_tensor_get_strides(t)[0], ==, 32);
  g_assert_false(vf_tensor_is_contiguous(t));
  const guint8 *d = vf_tensor_get_data(t);
  g_assert_cmpuint(d[1 * 32 + 4 * 3 + 2], ==, 77);
  /* clone: contiguous copy with the same pixels */
  VfTensor *c = vf_tensor_clone(t, &err);
  VF_ASSERT_OK(c, err);
  g_assert_true(vf_tensor_is_contiguous(c));
  g_assert_false(vf_tensor_get_data(c) == vf_tensor_get_data(t));
  g_assert_cmpuint(((guint8 *)vf_tensor_get_data(c))[1 * 15 + 4 * 3 + 2], ==, 77);
  vf_tensor_unref(c);
  vf_tensor_unref(t);
  vf_buffer_unref(b);

  /* a stride shorter than a row is refused */
  gsize bad = 10;
  guint8 dummy[64];
  g_assert_null(
      vf_buffer_new_wrapped(VF_COLOR_FORMAT_RGB, 5, 2, &bad, dummy, 64, NULL, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
}

typedef struct {
  VfColorFormat format;
  guint planes;
  gsize size; /* for 6x4 */
} PlanarCase;

static void test_all_formats(void)
{
  const PlanarCase cases[] = {
    { VF_COLOR_FORMAT_RGB, 1, 6 * 4 * 3 },      { VF_COLOR_FORMAT_BGR, 1, 6 * 4 * 3 },
    { VF_COLOR_FORMAT_RGBA, 1, 6 * 4 * 4 },     { VF_COLOR_FORMAT_BGRA, 1, 6 * 4 * 4 },
    { VF_COLOR_FORMAT_GRAY8, 1, 6 * 4 },        { VF_COLOR_FORMAT_NV12, 2, 6 * 4 * 3 / 2 },
    { VF_COLOR_FORMAT_I420, 3, 6 * 4 * 3 / 2 },
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    GError *err = NULL;
    guint8 *data = g_malloc(cases[i].size);
    for (gsize k = 0; k < cases[i].size; k++)
      data[k] = (guint8)k;
    VfBuffer *b = vf_buffer_new_copy(cases[i].format, 6, 4, NULL, data, cases[i].size, &err);
    VF_ASSERT_OK(b, err);
    VfTensor *t = vf_buffer_extract(b, 0, &err);
    VF_ASSERT_OK(t, err);
    g_assert_cmpuint(vf_tensor_get_n_planes(t), ==, cases[i].planes);
    g_assert_cmpint(vf_tensor_get_color_format(t), ==, cases[i].format);
    g_assert_cmpuint(vf_tensor_get_width(t), ==, 6);
    g_assert_cmpuint(vf_tensor_get_height(t), ==, 4);
    /* the last plane's last byte came through */
    gpointer plane;
    gsize stride;
    g_assert_true(vf_tensor_get_plane(t, cases[i].planes - 1, &plane, &stride));
    VfTensor *c = vf_tensor_clone(t, &err);
    VF_ASSERT_OK(c, err);
    g_assert_true(vf_tensor_is_contiguous(c));
    g_assert_cmpmem(vf_tensor_get_data(c), cases[i].size, data, cases[i].size);
    /* a frame tensor wraps back into a frame of the same format */
    VfBuffer *again = vf_tensor_wrap(c, cases[i].format, &err);
    VF_ASSERT_OK(again, err);
    g_assert_cmpuint(gst_buffer_get_size(vf_buffer_get_gst_buffer(again)), ==, cases[i].size);
    vf_buffer_unref(again);
    vf_tensor_unref(c);
    vf_tensor_unref(t);
    vf_buffer_unref(b);
    g_free(data);
  }
  /* planar formats with padding: the Y view plus planes; DLPack refuses until cloned */
  gsize strides[3] = { 8, 8, 8 };
  gsize size = 8 * 4 + 8 * 2;
  guint8 *nv12 = g_malloc0(size);
  GError *err = NULL;
  VfBuffer *b
      = vf_buffer_new_wrapped(VF_COLOR_FORMAT_NV12, 6, 4, strides, nv12, size, nv12, g_free, &err);
  VF_ASSERT_OK(b, err);
  VfTensor *t = vf_buffer_extract(b, 0, &err);
  VF_ASSERT_OK(t, err);
  g_assert_cmpint(vf_tensor_get_shape(t)[0], ==, 4);
  g_assert_null(vf_tensor_to_dlpack(t, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_FORMAT);
  g_clear_error(&err);
  VfTensor *c = vf_tensor_clone(t, &err);
  g_assert_cmpint(vf_tensor_get_shape(c)[0], ==, 6);
  DLManagedTensor *dl = vf_tensor_to_dlpack(c, &err);
  VF_ASSERT_OK(dl, err);
  dl->deleter(dl);
  vf_tensor_unref(c);
  vf_tensor_unref(t);
  vf_buffer_unref(b);
}

static void test_tensor_wrap(void)
{
  GError *err = NULL;
  gint64 shape[3] = { 4, 6, 3 };
  VfTensor *t = vf_tensor_new(VF_DTYPE_UINT8, 3, shape, &err);
  VF_ASSERT_OK(t, err);
  VF_ASSERT_OK(vf_tensor_set_layout(t, VF_LAYOUT_HWC, &err), err);
  VfBuffer *b = vf_tensor_wrap(t, VF_COLOR_FORMAT_RGB, &err);
  VF_ASSERT_OK(b, err);
  /* zero-copy: the frame is the tensor's memory */
  GstMapInfo map;
  gst_buffer_map(vf_buffer_get_gst_buffer(b), &map, GST_MAP_READ);
  g_assert_true(map.data == vf_tensor_get_data(t));
  gst_buffer_unmap(vf_buffer_get_gst_buffer(b), &map);
  vf_buffer_unref(b);
  /* wrong channel count, wrong layout, wrong dtype */
  g_assert_null(vf_tensor_wrap(t, VF_COLOR_FORMAT_RGBA, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_FORMAT);
  g_clear_error(&err);
  VF_ASSERT_OK(vf_tensor_set_layout(t, VF_LAYOUT_CHW, &err), err);
  g_assert_null(vf_tensor_wrap(t, VF_COLOR_FORMAT_RGB, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_FORMAT);
  g_assert_nonnull(strstr(err->message, "CHW"));
  g_clear_error(&err);
  vf_tensor_unref(t);
  gint64 fshape[3] = { 4, 6, 3 };
  VfTensor *f = vf_tensor_new(VF_DTYPE_FLOAT32, 3, fshape, &err);
  g_assert_null(vf_tensor_wrap(f, VF_COLOR_FORMAT_RGB, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_FORMAT);
  g_clear_error(&err);
  vf_tensor_unref(f);
  /* bad layout string, bad shapes */
  VfLayout layout;
  g_assert_false(vf_layout_from_string("WHC", &layout, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_VALUE);
  g_clear_error(&err);
  gint64 neg[2] = { 2, -1 };
  g_assert_null(vf_tensor_new(VF_DTYPE_UINT8, 2, neg, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
}

/* A producer's DLPack tensor, as a framework would hand it over. */
typedef struct {
  DLManagedTensor managed;
  int64_t shape[3];
  float data[2 * 3 * 4];
  gboolean *deleted;
} Foreign;

static void foreign_delete(DLManagedTensor *m)
{
  Foreign *f = m->manager_ctx;
  *f->deleted = TRUE;
  g_free(f);
}

static void test_dlpack_round_trip(void)
{
  gboolean deleted = FALSE;
  Foreign *f = g_new0(Foreign, 1);
  f->deleted = &deleted;
  f->shape[0] = 2;
  f->shape[1] = 3;
  f->shape[2] = 4;
  for (int i = 0; i < 24; i++)
    f->data[i] = (float)i * 0.5f;
  f->managed.dl_tensor.data = f->data;
  f->managed.dl_tensor.device = (DLDevice){ kDLCPU, 0 };
  f->managed.dl_tensor.ndim = 3;
  f->managed.dl_tensor.dtype = (DLDataType){ kDLFloat, 32, 1 };
  f->managed.dl_tensor.shape = f->shape;
  f->managed.manager_ctx = f;
  f->managed.deleter = foreign_delete;

  GError *err = NULL;
  VfTensor *t = vf_tensor_from_dlpack(&f->managed, VF_LAYOUT_CHW, &err);
  VF_ASSERT_OK(t, err);
  g_assert_cmpint(vf_tensor_get_dtype(t), ==, VF_DTYPE_FLOAT32);
  g_assert_cmpint(vf_tensor_get_strides(t)[0], ==, 12);
  g_assert_true(vf_tensor_get_data(t) == f->data);
  /* export again: same memory, keeps our tensor alive */
  DLManagedTensor *out = vf_tensor_to_dlpack(t, &err);
  VF_ASSERT_OK(out, err);
  vf_tensor_unref(t);
  g_assert_false(deleted);
  g_assert_true(out->dl_tensor.data == f->data);
  g_assert_cmpint(out->dl_tensor.shape[2], ==, 4);
  g_assert_cmpint(out->dl_tensor.strides[1], ==, 4);
  g_assert_cmpuint(out->dl_tensor.dtype.code, ==, kDLFloat);
  g_assert_cmpfloat(((float *)out->dl_tensor.data)[23], ==, 11.5f);
  out->deleter(out);
  g_assert_true(deleted);

  /* unsupported dtype: the caller keeps its tensor */
  DLManagedTensor bad = { 0 };
  int64_t shape1 = 4;
  float x[4];
  bad.dl_tensor.data = x;
  bad.dl_tensor.ndim = 1;
  bad.dl_tensor.shape = &shape1;
  bad.dl_tensor.dtype = (DLDataType){ kDLBfloat, 16, 1 };
  g_assert_null(vf_tensor_from_dlpack(&bad, VF_LAYOUT_NONE, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_UNSUPPORTED);
  g_clear_error(&err);
}

static void test_clone_buffer_and_empty(void)
{
  GError *err = NULL;
  VfBuffer *e = vf_buffer_new_empty();
  g_assert_true(vf_buffer_is_empty(e));
  g_assert_cmpuint(vf_buffer_get_batch_size(e), ==, 0);
  g_assert_null(vf_buffer_extract(e, 0, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  vf_buffer_unref(e);

  guint8 data[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
  VfBuffer *b = vf_buffer_new_copy(VF_COLOR_FORMAT_GRAY8, 4, 3, NULL, data, 12, &err);
  VF_ASSERT_OK(b, err);
  g_assert_null(vf_buffer_extract(b, 1, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  VfBuffer *c = vf_buffer_clone(b, &err);
  VF_ASSERT_OK(c, err);
  VfTensor *w = vf_buffer_extract_writable(c, 0, &err);
  VF_ASSERT_OK(w, err);
  ((guint8 *)vf_tensor_get_data(w))[0] = 99;
  vf_tensor_unref(w);
  VfTensor *orig = vf_buffer_extract(b, 0, &err);
  g_assert_cmpuint(((guint8 *)vf_tensor_get_data(orig))[0], ==, 1); /* the clone is independent */
  /* a buffer shared with someone else (a pipeline holds a reference): no writable access */
  VfBuffer *shared = vf_buffer_new_from_gst(vf_buffer_get_gst_buffer(b), vf_buffer_get_caps(b));
  g_assert_null(vf_buffer_extract_writable(shared, 0, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_clear_error(&err);
  vf_buffer_unref(shared);
  vf_tensor_unref(orig);
  vf_buffer_unref(c);
  vf_buffer_unref(b);
}

static void test_encoded_buffers(void)
{
  GError *err = NULL;
  const guint8 jpeg[] = { 0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10 };
  VfBuffer *b = vf_buffer_new_copy(VF_COLOR_FORMAT_JPEG, 0, 0, NULL, jpeg, sizeof jpeg, &err);
  VF_ASSERT_OK(b, err);
  GstStructure *s = gst_caps_get_structure(vf_buffer_get_caps(b), 0);
  g_assert_true(gst_structure_has_name(s, "image/jpeg"));
  VfTensor *t = vf_buffer_extract(b, 0, &err);
  VF_ASSERT_OK(t, err);
  g_assert_cmpuint(vf_tensor_get_ndim(t), ==, 1);
  g_assert_cmpint(vf_tensor_get_shape(t)[0], ==, 6);
  vf_tensor_unref(t);
  vf_buffer_unref(b);
}

static void test_save_image(void)
{
  GError *err = NULL;
  VfBuffer *b = vf_buffer_new_frame(VF_COLOR_FORMAT_RGB, 64, 48, &err);
  VF_ASSERT_OK(b, err);
  VfTensor *t = vf_buffer_extract_writable(b, 0, &err);
  VF_ASSERT_OK(t, err);
  memset(vf_tensor_get_data(t), 200, 64 * 48 * 3);
  char *jpg = g_build_filename(g_get_tmp_dir(), "vf-test-save.jpg", NULL);
  char *png = g_build_filename(g_get_tmp_dir(), "vf-test-save.png", NULL);
  VF_ASSERT_OK(vf_tensor_save_image(t, jpg, 90, &err), err);
  VF_ASSERT_OK(vf_tensor_save_image(t, png, 0, &err), err);
  gchar *contents;
  gsize len;
  g_assert_true(g_file_get_contents(jpg, &contents, &len, NULL));
  g_assert_cmpuint(len, >, 100);
  g_assert_cmpuint((guint8)contents[0], ==, 0xff);
  g_assert_cmpuint((guint8)contents[1], ==, 0xd8);
  g_free(contents);
  g_assert_true(g_file_get_contents(png, &contents, &len, NULL));
  g_assert_cmpmem(contents + 1, 3, "PNG", 3);
  g_free(contents);
  g_assert_false(vf_tensor_save_image(t, "/tmp/x.bmp", 90, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_unlink(jpg);
  g_unlink(png);
  g_free(jpg);
  g_free(png);
  vf_tensor_unref(t);
  vf_buffer_unref(b);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  g_test_add_func("/buffer/wrap-packed-zero-copy", test_wrap_packed_zero_copy);
  g_test_add_func("/buffer/strides-add-video-meta", test_strides_add_video_meta);
  g_test_add_func("/buffer/all-formats", test_all_formats);
  g_test_add_func("/buffer/tensor-wrap", test_tensor_wrap);
  g_test_add_func("/buffer/dlpack-round-trip", test_dlpack_round_trip);
  g_test_add_func("/buffer/clone-and-empty", test_clone_buffer_and_empty);
  g_test_add_func("/buffer/encoded", test_encoded_buffers);
  g_test_add_func("/buffer/save-image", test_save_image);
  return g_test_run();
}
