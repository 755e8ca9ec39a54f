/* CUDA memory as GStreamer 1.22 gives it, faked on the CPU (no GPU needed): an allocator whose
 * memories have GstCudaMemory's type name ("gst.cuda.memory") over host bytes.
 * - vf_memory_get_device sees them as CUDA memory (seen missing on the H200: docs/gpu-runs.md);
 * - under system-memory caps (what cudadownload passes on) the frame mapper reads them on the CPU
 *   and vfmux scales them, instead of refusing the batch (the density bench's first failure);
 * - read on the GPU (VF_DEVICE_CUDA access, what vfinfer does on the cuda provider) the mapper asks
 *   for the device pointer (GST_MAP_CUDA) and refuses a plane that straddles two memories. */
#include <string.h>

#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <vidflow/vidflow.h>

#define W 64
#define H 48

typedef struct {
  GstMemory mem;
  guint8 *data;
} FakeCudaMemory;

/* GstCudaMemory's GST_MAP_CUDA (gst/cuda/gstcudamemory.h): map for the device pointer. */
#define FAKE_MAP_CUDA ((GstMapFlags)(GST_MAP_FLAG_LAST << 1))
/* What the fake gives as the "device pointer" of a memory: its bytes plus this, so that a test
 * sees which mapping the frame mapper asked for. */
#define FAKE_DEVICE_OFFSET 1

typedef GstAllocator FakeCudaAllocator;
typedef GstAllocatorClass FakeCudaAllocatorClass;
GType fake_cuda_allocator_get_type(void);
G_DEFINE_TYPE(FakeCudaAllocator, fake_cuda_allocator, GST_TYPE_ALLOCATOR)

static gpointer fake_map(GstMemory *mem, gsize maxsize, GstMapFlags flags)
{
  (void)maxsize;
  guint8 *data = ((FakeCudaMemory *)mem)->data;
  return (flags & FAKE_MAP_CUDA) ? data + FAKE_DEVICE_OFFSET : data;
}

static void fake_unmap(GstMemory *mem)
{
  (void)mem;
}

static void fake_free(GstAllocator *allocator, GstMemory *mem)
{
  (void)allocator;
  g_free(((FakeCudaMemory *)mem)->data);
  g_free(mem);
}

static void fake_cuda_allocator_class_init(FakeCudaAllocatorClass *klass)
{
  klass->free = fake_free;
}

static void fake_cuda_allocator_init(FakeCudaAllocator *a)
{
  a->mem_type = VF_MEMORY_TYPE_CUDA;
  a->mem_map = fake_map;
  a->mem_unmap = fake_unmap;
  GST_OBJECT_FLAG_SET(a, GST_ALLOCATOR_FLAG_CUSTOM_ALLOC);
}

/* An NV12 frame in one fake CUDA memory, every byte `value`. (transfer full) */
static GstBuffer *make_frame(GstAllocator *alloc, guint8 value)
{
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_NV12, W, H);
  FakeCudaMemory *m = g_new0(FakeCudaMemory, 1);
  m->data = g_malloc(info.size);
  memset(m->data, value, info.size);
  gst_memory_init(GST_MEMORY_CAST(m), 0, alloc, NULL, info.size, 0, 0, info.size);
  GstBuffer *b = gst_buffer_new();
  gst_buffer_append_memory(b, GST_MEMORY_CAST(m));
  GST_BUFFER_PTS(b) = 0;
  GST_BUFFER_DURATION(b) = GST_SECOND / 30;
  return b;
}

static void test_device_and_cpu_map(void)
{
  GstAllocator *alloc = g_object_new(fake_cuda_allocator_get_type(), NULL);
  GstBuffer *b = make_frame(alloc, 77);
  g_assert_cmpint(vf_memory_get_device(gst_buffer_peek_memory(b, 0)), ==, VF_DEVICE_CUDA);
  g_assert_cmpint(vf_frame_get_device(b, NULL), ==, VF_DEVICE_CUDA);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_NV12, W, H);
  VfFrameMap map;
  GError *err = NULL;
  g_assert_true(vf_frame_map_buffer(&map, b, &info, VF_DEVICE_CPU, GST_MAP_READ, &err));
  g_assert_no_error(err);
  g_assert_cmpuint(map.data[0][0], ==, 77);
  g_assert_cmpuint(map.data[1][W - 1], ==, 77);
  vf_frame_unmap(&map);
  /* memory:CUDAMemory caps stay refused for the CPU: a CUDA stream is never downloaded silently */
  g_assert_false(vf_frame_map_supported(VF_DEVICE_CUDA, VF_DEVICE_CPU, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_UNSUPPORTED);
  g_clear_error(&err);
  gst_buffer_unref(b);
  gst_object_unref(alloc);
}

static void test_cuda_access_map(void)
{
  GstAllocator *alloc = g_object_new(fake_cuda_allocator_get_type(), NULL);
  GstBuffer *b = make_frame(alloc, 5);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_NV12, W, H);
  guint8 *bytes = ((FakeCudaMemory *)gst_buffer_peek_memory(b, 0))->data;
  VfFrameMap map;
  GError *err = NULL;
  g_assert_true(vf_frame_map_buffer(&map, b, &info, VF_DEVICE_CUDA, GST_MAP_READ, &err));
  g_assert_no_error(err);
  g_assert_cmpint(map.device, ==, VF_DEVICE_CUDA);
  g_assert_true(map.data[0] == bytes + FAKE_DEVICE_OFFSET); /* the device mapping, not the host */
  g_assert_true(map.data[1] == bytes + FAKE_DEVICE_OFFSET + GST_VIDEO_INFO_PLANE_OFFSET(&info, 1));
  g_assert_cmpuint(map.stride[1], ==, GST_VIDEO_INFO_PLANE_STRIDE(&info, 1));
  vf_frame_unmap(&map);
  /* The Y plane split over two memories: refused (no host copy of device memory). */
  GstBuffer *split = gst_buffer_new();
  gsize half = (gsize)W * H / 2;
  for (int k = 0; k < 2; k++) {
    FakeCudaMemory *m = g_new0(FakeCudaMemory, 1);
    gsize size = k == 0 ? half : info.size - half;
    m->data = g_malloc0(size);
    gst_memory_init(GST_MEMORY_CAST(m), 0, alloc, NULL, size, 0, 0, size);
    gst_buffer_append_memory(split, GST_MEMORY_CAST(m));
  }
  g_assert_false(vf_frame_map_buffer(&map, split, &info, VF_DEVICE_CUDA, GST_MAP_READ, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_UNSUPPORTED);
  g_assert_nonnull(strstr(err->message, "straddles"));
  g_clear_error(&err);
  /* System memory read on the GPU: refused, saying to upload. */
  GstBuffer *host = gst_buffer_new_allocate(NULL, info.size, NULL);
  g_assert_false(vf_frame_map_buffer(&map, host, &info, VF_DEVICE_CUDA, GST_MAP_READ, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_UNSUPPORTED);
  g_assert_nonnull(strstr(err->message, "cudaupload"));
  g_clear_error(&err);
  gst_buffer_unref(host);
  gst_buffer_unref(split);
  gst_buffer_unref(b);
  gst_object_unref(alloc);
}

static void test_vfmux_scales_downloaded_frames(void)
{
  GstAllocator *alloc = g_object_new(fake_cuda_allocator_get_type(), NULL);
  GstElement *mux = gst_element_factory_make("vfmux", NULL);
  g_assert_nonnull(mux);
  g_object_set(mux, "batch-size", 1, "width", W / 2, "height", H / 2, NULL);
  GstHarness *h = gst_harness_new_with_element(mux, "sink_%u", "src");
  gst_harness_set_src_caps_str(h, "video/x-raw,format=NV12,width=64,height=48,framerate=30/1");
  gst_harness_play(h);
  g_assert_cmpint(gst_harness_push(h, make_frame(alloc, 200)), ==, GST_FLOW_OK);
  GstBuffer *out = gst_harness_pull(h);
  g_assert_nonnull(out);
  VfBatchMeta *bm = vf_batch_meta_get(out);
  g_assert_nonnull(bm);
  g_assert_cmpuint(vf_batch_meta_get_n_frames(bm), ==, 1);
  VfFrameMeta *f = vf_batch_meta_get_frame(bm, 0);
  g_assert_cmpint(vf_frame_get_device(out, f), ==, VF_DEVICE_CPU); /* scaled into system memory */
  VfFrameMap map;
  GError *err = NULL;
  g_assert_true(vf_frame_map(&map, out, f, VF_DEVICE_CPU, GST_MAP_READ, &err));
  g_assert_no_error(err);
  g_assert_cmpuint(map.info.width, ==, W / 2);
  g_assert_cmpuint(map.data[0][0], ==, 200); /* a flat frame scales to the same value */
  vf_frame_unmap(&map);
  gst_buffer_unref(out);
  gst_harness_teardown(h);
  gst_object_unref(mux);
  gst_object_unref(alloc);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  GError *err = NULL;
  if (!vf_init(&err))
    g_error("%s", err->message);
  g_test_add_func("/cuda/memory/device-and-cpu-map", test_device_and_cpu_map);
  g_test_add_func("/cuda/memory/cuda-access-map", test_cuda_access_map);
  g_test_add_func("/cuda/memory/vfmux-scales-downloaded-frames",
                  test_vfmux_scales_downloaded_frames);
  return g_test_run();
}
