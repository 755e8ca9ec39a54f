/* vidflow: VfFrameMap, the one frame mapper: memory types, frame layouts, mapping planes of a
 * frame whatever memories they lie in, copy-on-write of a frame's pixels (frame-map.h). */
#include "error-private.h"
#include "meta-private.h"

#include <string.h>
#include <vidflow/frame-map.h>

/* ---- memory types ---- */

VfDevice vf_memory_get_device(GstMemory *memory)
{
  return memory && gst_memory_is_type(memory, VF_MEMORY_TYPE_CUDA) ? VF_DEVICE_CUDA : VF_DEVICE_CPU;
}

VfDevice vf_caps_get_device(const GstCaps *caps)
{
  if (caps == NULL || gst_caps_get_size(caps) == 0)
    return VF_DEVICE_CPU;
  GstCapsFeatures *f = gst_caps_get_features(caps, 0);
  return f && gst_caps_features_contains(f, VF_CAPS_FEATURE_MEMORY_CUDA) ? VF_DEVICE_CUDA
                                                                         : VF_DEVICE_CPU;
}

static VfDevice buffer_device(GstBuffer *buffer)
{
  for (guint i = 0; buffer && i < gst_buffer_n_memory(buffer); i++)
    if (vf_memory_get_device(gst_buffer_peek_memory(buffer, i)) == VF_DEVICE_CUDA)
      return VF_DEVICE_CUDA;
  return VF_DEVICE_CPU;
}

/* The buffer holding a frame's pixels (transfer full), or NULL. */
static GstBuffer *frame_buffer(GstBuffer *carrier, const VfFrameMeta *frame)
{
  if (frame == NULL)
    return carrier ? gst_buffer_ref(carrier) : NULL;
  VfFrameMeta *f = (VfFrameMeta *)frame; /* the lock is not part of the value */
  g_mutex_lock(&f->lock);
  GstBuffer *b = f->buffer ? gst_buffer_ref(f->buffer) : NULL;
  g_mutex_unlock(&f->lock);
  if (b == NULL && carrier)
    b = gst_buffer_ref(carrier);
  return b;
}

VfDevice vf_frame_get_device(GstBuffer *carrier, const VfFrameMeta *frame)
{
  GstBuffer *b = frame_buffer(carrier, frame);
  VfDevice d = buffer_device(b);
  if (b)
    gst_buffer_unref(b);
  return d;
}

gboolean vf_frame_caps_parse(const GstCaps *caps, VfFrameCaps *out, GError **error)
{
  if (vf_arg_is_null(out, "out", G_STRFUNC, error))
    return FALSE;
  memset(out, 0, sizeof *out);
  gst_video_info_init(&out->info);
  GstStructure *s = caps && gst_caps_get_size(caps) > 0 ? gst_caps_get_structure(caps, 0) : NULL;
  if (s == NULL || !gst_structure_has_name(s, "video/x-raw")) {
    char *text = caps ? gst_caps_to_string(caps) : g_strdup("none");
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT, "caps %s are not raw video (video/x-raw)", text);
    g_free(text);
    return FALSE;
  }
  GstCapsFeatures *f = gst_caps_get_features(caps, 0);
  out->batched = f && gst_caps_features_contains(f, VF_CAPS_FEATURE_META_BATCH);
  out->device = vf_caps_get_device(caps);
  if (!out->batched && !gst_video_info_from_caps(&out->info, caps)) {
    char *text = gst_caps_to_string(caps);
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "caps %s do not describe a frame: format, width and height are needed", text);
    g_free(text);
    return FALSE;
  }
  return TRUE;
}

void vf_frame_layout(const GstVideoInfo *info, GstBuffer *buffer, GstVideoInfo *layout)
{
  if (info == NULL || layout == NULL)
    return;
  if (layout != info)
    *layout = *info;
  GstVideoMeta *vmeta = buffer ? gst_buffer_get_video_meta(buffer) : NULL;
  for (guint p = 0; vmeta && p < vmeta->n_planes && p < GST_VIDEO_MAX_PLANES; p++) {
    GST_VIDEO_INFO_PLANE_OFFSET(layout, p) = vmeta->offset[p];
    GST_VIDEO_INFO_PLANE_STRIDE(layout, p) = vmeta->stride[p];
  }
}

VfColorFormat vf_frame_color_format(GstVideoFormat format)
{
  switch (format) {
  case GST_VIDEO_FORMAT_RGBx:
    return VF_COLOR_FORMAT_RGBA;
  case GST_VIDEO_FORMAT_BGRx:
    return VF_COLOR_FORMAT_BGRA;
  case GST_VIDEO_FORMAT_RGB:
  case GST_VIDEO_FORMAT_RGBA:
  case GST_VIDEO_FORMAT_BGR:
  case GST_VIDEO_FORMAT_BGRA:
  case GST_VIDEO_FORMAT_GRAY8:
  case GST_VIDEO_FORMAT_NV12:
  case GST_VIDEO_FORMAT_I420:
    return vf_color_format_from_video_format(format);
  default:
    return VF_COLOR_FORMAT_UNKNOWN;
  }
}

/* ---- layouts ---- */

/* Bytes plane p needs from its offset: every row but the last at full stride, then the last
 * row's pixels. */
static gsize plane_bytes(const GstVideoInfo *info, guint p)
{
  gint comps[GST_VIDEO_MAX_COMPONENTS];
  gst_video_format_info_component(info->finfo, p, comps);
  gint c = comps[0] >= 0 ? comps[0] : 0;
  gsize rows = (gsize)GST_VIDEO_INFO_COMP_HEIGHT(info, c);
  gsize row
      = (gsize)GST_VIDEO_INFO_COMP_WIDTH(info, c) * (gsize)GST_VIDEO_INFO_COMP_PSTRIDE(info, c);
  if (rows == 0)
    return 0;
  return (rows - 1) * (gsize)GST_VIDEO_INFO_PLANE_STRIDE(info, p) + row;
}

/* "frame 3 of the batch (source 7)" or "the frame" (transfer full). */
static char *frame_name(const VfFrameMeta *frame)
{
  if (frame == NULL)
    return g_strdup("the frame");
  return g_strdup_printf("frame %u of the batch (source %u)", frame->batch_index, frame->source_id);
}

/* The layout fits the buffer: every plane inside its bytes, strides positive. */
static gboolean check_layout(GstBuffer *buffer, const GstVideoInfo *info, const VfFrameMeta *frame,
                             GError **error)
{
  char *name = NULL;
  gboolean ok = TRUE;
  if (info->finfo == NULL || GST_VIDEO_INFO_FORMAT(info) == GST_VIDEO_FORMAT_UNKNOWN
      || GST_VIDEO_INFO_WIDTH(info) <= 0 || GST_VIDEO_INFO_HEIGHT(info) <= 0) {
    name = frame_name(frame);
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "%s has no video layout (format and size): its metadata is broken", name);
    ok = FALSE;
  } else if (buffer == NULL || gst_buffer_n_memory(buffer) == 0) {
    name = frame_name(frame);
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "%s has no pixels: neither a buffer of its own nor memory in the buffer carrying "
                "it",
                name);
    ok = FALSE;
  } else {
    gsize total = gst_buffer_get_size(buffer);
    for (guint p = 0; ok && p < GST_VIDEO_INFO_N_PLANES(info); p++) {
      gsize off = GST_VIDEO_INFO_PLANE_OFFSET(info, p);
      if (GST_VIDEO_INFO_PLANE_STRIDE(info, p) <= 0 || off + plane_bytes(info, p) > total) {
        name = frame_name(frame);
        g_set_error(error, VF_ERROR, VF_ERROR_SIZE,
                    "%s (%s %dx%d, plane %u at %" G_GSIZE_FORMAT
                    ", stride %d) does not fit its %" G_GSIZE_FORMAT " bytes",
                    name, GST_VIDEO_INFO_NAME(info), GST_VIDEO_INFO_WIDTH(info),
                    GST_VIDEO_INFO_HEIGHT(info), p, off, GST_VIDEO_INFO_PLANE_STRIDE(info, p),
                    total);
        ok = FALSE;
      }
    }
  }
  g_free(name);
  return ok;
}

gboolean vf_frame_check(GstBuffer *carrier, const VfFrameMeta *frame, GError **error)
{
  if (vf_arg_is_null(frame, "frame", G_STRFUNC, error))
    return FALSE;
  GstBuffer *b = frame_buffer(carrier, frame);
  gboolean ok = check_layout(b, &frame->info, frame, error);
  if (b)
    gst_buffer_unref(b);
  return ok;
}

/* ---- backends ---- */

typedef struct {
  VfDevice memory, access;
  /* Fill map->data/stride for the planes of map->info in map->buffer; on failure leave what was
   * mapped for unmap to release. */
  gboolean (*map)(VfFrameMap *map, const VfFrameMeta *frame, GError **error);
  void (*unmap)(VfFrameMap *map);
} Backend;

/* CPU: each memory a plane lies in is mapped on its own (the buffer is never changed); a plane
 * that straddles memories is read through a copy. */
static gboolean cpu_map(VfFrameMap *m, const VfFrameMeta *frame, GError **error)
{
  for (guint p = 0; p < m->n_planes; p++) {
    gsize off = GST_VIDEO_INFO_PLANE_OFFSET(&m->info, p), need = plane_bytes(&m->info, p);
    guint idx, length;
    gsize skip;
    m->stride[p] = (gsize)GST_VIDEO_INFO_PLANE_STRIDE(&m->info, p);
    if (!gst_buffer_find_memory(m->buffer, off, MAX(need, 1), &idx, &length, &skip))
      return FALSE; /* check_layout said it fits: cannot happen */
    if (length > 1 && m->device == VF_DEVICE_CUDA) {
      char *name = frame_name(frame);
      g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                  "plane %u of %s straddles two CUDA memories: read it on the GPU only from "
                  "buffers with one memory a plane (as nvh264dec and cudaupload make)",
                  p, name);
      g_free(name);
      return FALSE;
    }
    if (length > 1) {
      m->copy[p] = g_malloc(need);
      m->copy_offset[p] = off;
      m->copy_size[p] = need;
      gst_buffer_extract(m->buffer, off, m->copy[p], need);
      m->data[p] = m->copy[p];
      continue;
    }
    GstMemory *mem = gst_buffer_peek_memory(m->buffer, idx);
    guint k = 0;
    while (k < m->n_mapped && m->mems[k] != mem)
      k++;
    if (k == m->n_mapped) {
      if (!gst_memory_map(mem, &m->maps[k], m->flags)) {
        char *name = frame_name(frame);
        gboolean write = (m->flags & GST_MAP_WRITE) != 0;
        g_set_error(error, VF_ERROR, write ? VF_ERROR_STATE : VF_ERROR_FAILED,
                    "cannot map memory %u of %s for %s%s", idx, name, write ? "writing" : "reading",
                    write ? " (shared or read-only: vf_frame_make_writable it first)" : "");
        g_free(name);
        return FALSE;
      }
      m->mems[k] = mem;
      m->n_mapped++;
    }
    m->data[p] = m->maps[k].data + skip;
  }
  return TRUE;
}

/* Write a plane read through a copy back into the memories it straddles. */
static void write_back(GstBuffer *buffer, gsize offset, const guint8 *data, gsize size)
{
  gsize start = 0;
  for (guint i = 0; i < gst_buffer_n_memory(buffer) && size > 0; i++) {
    GstMemory *mem = gst_buffer_peek_memory(buffer, i);
    gsize len = gst_memory_get_sizes(mem, NULL, NULL);
    if (offset < start + len) {
      gsize skip = offset - start, n = MIN(size, len - skip);
      GstMapInfo map;
      if (gst_memory_map(mem, &map, GST_MAP_WRITE)) {
        memcpy(map.data + skip, data, n);
        gst_memory_unmap(mem, &map);
      }
      offset += n;
      data += n;
      size -= n;
    }
    start += len;
  }
}

static void cpu_unmap(VfFrameMap *m)
{
  for (guint p = 0; p < GST_VIDEO_MAX_PLANES; p++) {
    if (m->copy[p] && (m->flags & GST_MAP_WRITE))
      write_back(m->buffer, m->copy_offset[p], m->copy[p], m->copy_size[p]);
    g_clear_pointer(&m->copy[p], g_free);
  }
  for (guint i = 0; i < m->n_mapped; i++)
    gst_memory_unmap(m->mems[i], &m->maps[i]);
  m->n_mapped = 0;
}

/* GstCudaMemory's map flag for the device pointer (GST_MAP_CUDA of gst/cuda/gstcudamemory.h,
 * GST_MAP_FLAG_LAST << 1, whose headers this build does not need). */
#define VF_GST_MAP_CUDA ((GstMapFlags)(GST_MAP_FLAG_LAST << 1))

/* CUDA: device pointers of GstCudaMemory (mapped with GST_MAP_CUDA: the memory is brought up to
 * date on the device, no copy to the host), one memory a plane. */
static gboolean cuda_map(VfFrameMap *m, const VfFrameMeta *frame, GError **error)
{
  m->flags |= VF_GST_MAP_CUDA;
  return cpu_map(m, frame, error);
}

static const Backend backends[] = {
  { VF_DEVICE_CPU, VF_DEVICE_CPU, cpu_map, cpu_unmap },
  { VF_DEVICE_CUDA, VF_DEVICE_CUDA, cuda_map, cpu_unmap },
};

static const Backend *find_backend(VfDevice memory, VfDevice access)
{
  for (guint i = 0; i < G_N_ELEMENTS(backends); i++)
    if (backends[i].memory == memory && backends[i].access == access)
      return &backends[i];
  return NULL;
}

gboolean vf_frame_map_supported(VfDevice memory, VfDevice access, GError **error)
{
  if (find_backend(memory, access))
    return TRUE;
  if (memory == VF_DEVICE_CUDA && access == VF_DEVICE_CPU)
    g_set_error_literal(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                        "frames in CUDA memory (memory:CUDAMemory) cannot be mapped to the CPU "
                        "by this build: download them first (cudadownload before vfmux) or read "
                        "them on the GPU");
  else if (memory == VF_DEVICE_CPU && access == VF_DEVICE_CUDA)
    g_set_error_literal(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                        "frames in system memory cannot be read on the GPU in place: upload them "
                        "first (cudaupload)");
  else
    g_set_error_literal(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                        "this build has no CUDA frame mapper: frames in CUDA memory can only be "
                        "passed on, or downloaded (cudadownload) and read on the CPU");
  return FALSE;
}

/* ---- mapping ---- */

static gboolean map_frame(VfFrameMap *m, GstBuffer *buffer, const GstVideoInfo *info,
                          const VfFrameMeta *frame, VfDevice access, GstMapFlags flags,
                          GError **error)
{
  memset(m, 0, sizeof *m);
  if (!check_layout(buffer, info, frame, error)) {
    if (buffer)
      gst_buffer_unref(buffer);
    return FALSE;
  }
  m->buffer = buffer; /* our reference */
  VfDevice memory = buffer_device(buffer);
  /* GstCudaMemory maps to the CPU (it downloads into its host staging copy): GStreamer 1.22's
   * cudadownload passes such buffers on under system-memory caps. Elements refuse
   * memory:CUDAMemory caps themselves (vf_frame_map_supported), so this is no silent download of
   * a CUDA stream, only the CPU reading what the stream says is CPU-readable. */
  const Backend *backend = find_backend(
      memory == VF_DEVICE_CUDA && access == VF_DEVICE_CPU ? VF_DEVICE_CPU : memory, access);
  GError *why = NULL;
  if (backend == NULL && !vf_frame_map_supported(memory, access, &why)) {
    char *name = frame_name(frame);
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED, "%s: %s", name, why->message);
    g_free(name);
    g_error_free(why);
    gst_clear_buffer(&m->buffer);
    return FALSE;
  }
  m->info = *info;
  m->format = vf_frame_color_format(GST_VIDEO_INFO_FORMAT(info));
  m->device = access;
  m->n_planes = GST_VIDEO_INFO_N_PLANES(info);
  m->flags = flags;
  m->backend = backend;
  if (!backend->map(m, frame, error)) {
    vf_frame_unmap(m);
    return FALSE;
  }
  return TRUE;
}

gboolean vf_frame_map(VfFrameMap *map, GstBuffer *carrier, const VfFrameMeta *frame,
                      VfDevice access, GstMapFlags flags, GError **error)
{
  if (map)
    memset(map, 0, sizeof *map);
  if (vf_arg_is_null(map, "map", G_STRFUNC, error)
      || vf_arg_is_null(frame, "frame", G_STRFUNC, error))
    return FALSE;
  return map_frame(map, frame_buffer(carrier, frame), &frame->info, frame, access, flags, error);
}

gboolean vf_frame_map_buffer(VfFrameMap *map, GstBuffer *buffer, const GstVideoInfo *info,
                             VfDevice access, GstMapFlags flags, GError **error)
{
  if (map)
    memset(map, 0, sizeof *map);
  if (vf_arg_is_null(map, "map", G_STRFUNC, error)
      || vf_arg_is_null(buffer, "buffer", G_STRFUNC, error)
      || vf_arg_is_null(info, "info", G_STRFUNC, error))
    return FALSE;
  return map_frame(map, gst_buffer_ref(buffer), info, NULL, access, flags, error);
}

void vf_frame_unmap(VfFrameMap *map)
{
  if (map == NULL || map->buffer == NULL)
    return;
  if (map->backend)
    ((const Backend *)map->backend)->unmap(map);
  gst_clear_buffer(&map->buffer);
  map->backend = NULL;
}

void vf_frame_map_to_video_frame(const VfFrameMap *map, GstVideoFrame *frame)
{
  if (map == NULL || frame == NULL)
    return;
  memset(frame, 0, sizeof *frame);
  frame->info = map->info;
  frame->buffer = map->buffer;
  for (guint p = 0; p < map->n_planes; p++) {
    frame->data[p] = map->data[p];
    GST_VIDEO_INFO_PLANE_STRIDE(&frame->info, p) = (gint)map->stride[p];
  }
}

/* ---- copy-on-write ---- */

/* Replace the memories of the writable `buffer` that someone else holds (or that are read-only)
 * by copies. -1 when a copy failed, else how many were copied. */
static gint own_memories(GstBuffer *buffer)
{
  gint copied = 0;
  for (guint i = 0; i < gst_buffer_n_memory(buffer); i++) {
    GstMemory *mem = gst_buffer_peek_memory(buffer, i);
    /* is_writable: in no other buffer; READONLY: e.g. a share, or wrapped read-only data */
    if (gst_memory_is_writable(mem) && !GST_MEMORY_IS_READONLY(mem))
      continue;
    GstMemory *copy = gst_memory_copy(mem, 0, -1);
    if (copy == NULL)
      return -1;
    gst_buffer_replace_memory(buffer, i, copy);
    copied++;
  }
  return copied;
}

gboolean vf_frame_make_writable(GstBuffer *carrier, VfFrameMeta *frame, gboolean *copied,
                                GError **error)
{
  if (copied)
    *copied = FALSE;
  if (vf_arg_is_null(carrier, "carrier", G_STRFUNC, error))
    return FALSE;
  char *name = frame_name(frame);
  gint n = -2;
  gboolean replaced = FALSE;
  if (!gst_buffer_is_writable(carrier)) {
    g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                "cannot write %s: the buffer carrying it is shared (gst_buffer_make_writable it "
                "first)",
                name);
  } else if (frame && g_atomic_int_get(&frame->refcount) > 1) {
    g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                "cannot write %s: the frame is shared with copies of its batch (take it with "
                "vf_batch_meta_get_frame from the writable buffer)",
                name);
  } else {
    /* The frame is ours: only this thread changes its buffer reference. */
    GstBuffer *own = frame ? frame->buffer : NULL;
    if (own == NULL) {
      n = own_memories(carrier);
    } else if (gst_buffer_is_writable(own)) {
      n = own_memories(own); /* the frame holds the only reference */
    } else {
      /* Someone else holds it (another frame, a tee upstream of vfmux): a copy of our own, which
       * shares the memories until own_memories copies them, so the original stays as it was. */
      GstBuffer *copy = gst_buffer_copy(own);
      n = own_memories(copy);
      if (n >= 0) {
        vf_frame_meta_set_buffer(frame, copy, NULL);
        replaced = TRUE;
      }
      gst_buffer_unref(copy);
    }
    if (n < 0)
      g_set_error(error, VF_ERROR, VF_ERROR_FAILED, "cannot copy the memory of %s to write it",
                  name);
  }
  g_free(name);
  if (n < 0)
    return FALSE;
  if (copied)
    *copied = replaced || n > 0;
  return TRUE;
}
