/* vidflow plugin: CPU access to one frame of a batched buffer (see frame-map.h). */
#include "frame-map.h"

#include <vidflow/meta.h>

#include <string.h>
#include <vidflow/error.h>

VfColorFormat vf_gst_frame_color_format(GstVideoFormat format)
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

gboolean vf_gst_frame_map(VfGstFrameMap *m, GstBuffer *buffer, const VfFrameMeta *frame,
                          GstMapFlags flags, GError **error)
{
  memset(m, 0, sizeof *m);
  m->info = *vf_frame_meta_get_video_info(frame);
  m->format = vf_gst_frame_color_format(GST_VIDEO_INFO_FORMAT(&m->info));
  m->buffer = buffer;
  m->flags = flags;
  vf_frame_meta_get_memory_range(frame, &m->first, &m->n);
  guint len = gst_buffer_n_memory(buffer);
  if (m->n == 0 || m->n > VF_GST_FRAME_MAX_MEMS || m->first + m->n > len) {
    g_set_error(error, VF_ERROR, VF_ERROR_STREAM,
                "frame %u of the batch points at memories %u..%u, the buffer has %u",
                vf_frame_meta_get_batch_index(frame), m->first, m->first + m->n, len);
    return FALSE;
  }
  gsize starts[VF_GST_FRAME_MAX_MEMS + 1];
  starts[0] = 0;
  for (guint i = 0; i < m->n; i++) {
    m->mems[i] = gst_buffer_peek_memory(buffer, m->first + i);
    if (gst_memory_is_type(m->mems[i], VF_MEMORY_TYPE_CUDA)) {
      g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                  "frame %u of the batch is in CUDA memory, which this build cannot map",
                  vf_frame_meta_get_batch_index(frame));
      vf_gst_frame_unmap(m);
      return FALSE;
    }
    if (!gst_memory_map(m->mems[i], &m->maps[i], flags)) {
      g_set_error(error, VF_ERROR, VF_ERROR_STREAM, "cannot map memory %u of frame %u for %s",
                  m->first + i, vf_frame_meta_get_batch_index(frame),
                  (flags & GST_MAP_WRITE) ? "writing" : "reading");
      vf_gst_frame_unmap(m);
      return FALSE;
    }
    m->n_mapped++;
    starts[i + 1] = starts[i] + m->maps[i].size;
  }
  gsize total = starts[m->n];
  guint planes = GST_VIDEO_INFO_N_PLANES(&m->info);
  gboolean straddles = FALSE;
  for (guint p = 0; p < planes; p++) {
    gsize off = GST_VIDEO_INFO_PLANE_OFFSET(&m->info, p), need = plane_bytes(&m->info, p);
    if (GST_VIDEO_INFO_PLANE_STRIDE(&m->info, p) <= 0 || off + need > total) {
      g_set_error(error, VF_ERROR, VF_ERROR_STREAM,
                  "frame %u (%s %dx%d) does not fit its %" G_GSIZE_FORMAT " bytes of memory",
                  vf_frame_meta_get_batch_index(frame), GST_VIDEO_INFO_NAME(&m->info),
                  GST_VIDEO_INFO_WIDTH(&m->info), GST_VIDEO_INFO_HEIGHT(&m->info), total);
      vf_gst_frame_unmap(m);
      return FALSE;
    }
    guint k = 0;
    while (k + 1 < m->n && off >= starts[k + 1])
      k++;
    if (off + need > starts[k + 1])
      straddles = TRUE;
    else
      m->data[p] = m->maps[k].data + (off - starts[k]);
    m->stride[p] = (gsize)GST_VIDEO_INFO_PLANE_STRIDE(&m->info, p);
  }
  if (straddles) { /* rare: work on a contiguous copy of the range */
    m->copy = g_malloc(total);
    m->copy_size = total;
    for (guint i = 0; i < m->n; i++)
      memcpy(m->copy + starts[i], m->maps[i].data, m->maps[i].size);
    for (guint p = 0; p < planes; p++)
      m->data[p] = m->copy + GST_VIDEO_INFO_PLANE_OFFSET(&m->info, p);
  }
  return TRUE;
}

void vf_gst_frame_unmap(VfGstFrameMap *m)
{
  if (m->copy && (m->flags & GST_MAP_WRITE)) {
    gsize at = 0;
    for (guint i = 0; i < m->n_mapped; i++) {
      memcpy(m->maps[i].data, m->copy + at, m->maps[i].size);
      at += m->maps[i].size;
    }
  }
  g_clear_pointer(&m->copy, g_free);
  for (guint i = 0; i < m->n_mapped; i++)
    gst_memory_unmap(m->mems[i], &m->maps[i]);
  m->n_mapped = 0;
}

gint vf_gst_frame_make_writable(GstBuffer *buffer, guint first, guint n)
{
  if (!gst_buffer_is_writable(buffer) || first + n > gst_buffer_n_memory(buffer))
    return -1;
  gint copied = 0;
  for (guint i = first; i < first + n; i++) {
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

gboolean vf_frame_map_read_caps(GstElement *element, GstCaps *incaps, gboolean *batched,
                                GstVideoInfo *info)
{
  const char *factory = GST_OBJECT_NAME(gst_element_get_factory(element));
  GstCapsFeatures *f = gst_caps_get_features(incaps, 0);
  if (f && gst_caps_features_contains(f, VF_CAPS_FEATURE_MEMORY_CUDA)) {
    GST_ELEMENT_ERROR(element, STREAM, FORMAT,
                      ("%s '%s': frames in memory:CUDAMemory are not supported yet: put "
                       "cudadownload before vfmux (or before %s)",
                       factory, GST_OBJECT_NAME(element), factory),
                      ("caps %" GST_PTR_FORMAT, incaps));
    return FALSE;
  }
  *batched = f && gst_caps_features_contains(f, VF_CAPS_FEATURE_META_BATCH);
  if (!*batched && !gst_video_info_from_caps(info, incaps)) {
    GST_ELEMENT_ERROR(element, STREAM, FORMAT,
                      ("%s '%s': cannot read the caps", factory, GST_OBJECT_NAME(element)),
                      ("caps %" GST_PTR_FORMAT, incaps));
    return FALSE;
  }
  return TRUE;
}
