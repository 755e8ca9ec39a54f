/* vidflow: VfBuffer, a GstBuffer plus what it holds, and frame views over it. */
#include "buffer-private.h"
#include "error-private.h"
#include "tensor-private.h"

#include <vidflow/frame-map.h>
#include <vidflow/pipeline.h>

#include <string.h>

static gboolean caps_are_batched(const GstCaps *caps)
{
  VfFrameCaps fc;
  return caps && vf_frame_caps_parse(caps, &fc, NULL) && fc.batched;
}

/* ---- what a thread made or read last ----
 *
 * A feeder's generate() wraps frames of one format and a receiver reads samples of one caps, on
 * their own threads; making and parsing caps for every frame cost several times the rest of the
 * hand-over (bench-feeder: 1080p frames by reference at 100,000+ fps). So each thread keeps the
 * caps it made last, and what the caps it read last say. Thread-local: no lock; the entries hold
 * references, so a cached pointer is never a new caps at the same address, and they go when the
 * thread ends. The caps are shared, never changed (nothing writes a buffer's caps in place). */
typedef struct {
  GstCaps *made; /* of made_format, made_width x made_height */
  VfColorFormat made_format;
  guint made_width, made_height;
  GstCaps *read; /* what it says: */
  VfColorFormat read_format;
  gboolean read_batched, read_has_info;
  GstVideoInfo read_info;
} CapsCache;

static void caps_cache_free(gpointer data)
{
  CapsCache *c = data;
  gst_clear_caps(&c->made);
  gst_clear_caps(&c->read);
  g_free(c);
}

static GPrivate caps_cache_key = G_PRIVATE_INIT(caps_cache_free);

static CapsCache *caps_cache(void)
{
  CapsCache *c = g_private_get(&caps_cache_key);
  if (c == NULL) {
    c = g_new0(CapsCache, 1);
    g_private_set(&caps_cache_key, c);
  }
  return c;
}

/* The caps of a frame buffer made here (transfer full; no frame rate: a buffer has none). */
static GstCaps *frame_caps(VfColorFormat format, guint width, guint height)
{
  CapsCache *c = caps_cache();
  if (c->made == NULL || c->made_format != format || c->made_width != width
      || c->made_height != height) {
    GstCaps *caps = vf_color_format_to_caps(format, width, height, -1, 1);
    if (caps == NULL)
      return NULL;
    gst_clear_caps(&c->made);
    c->made = caps;
    c->made_format = format;
    c->made_width = width;
    c->made_height = height;
  }
  return gst_caps_ref(c->made);
}

/* What `caps` (not NULL) says about the frames of a buffer: its format, whether batched, its
 * video info when it fixes one. */
static void read_caps(GstCaps *caps, VfBuffer *b)
{
  CapsCache *c = caps_cache();
  if (c->read != caps) {
    gst_caps_replace(&c->read, caps);
    c->read_format = vf_color_format_from_caps(caps);
    c->read_batched = caps_are_batched(caps);
    c->read_has_info = c->read_format != VF_COLOR_FORMAT_UNKNOWN
                       && !vf_color_format_is_encoded(c->read_format) && !c->read_batched
                       && gst_video_info_from_caps(&c->read_info, caps);
  }
  b->format = c->read_format;
  b->has_info = c->read_has_info;
  if (b->has_info)
    b->info = c->read_info;
}

static VfBuffer *buffer_alloc(GstBuffer *gst_buffer, GstCaps *caps)
{
  VfBuffer *b = g_new0(VfBuffer, 1);
  b->refcount = 1;
  b->buffer = gst_buffer;
  b->caps = caps;
  b->format = VF_COLOR_FORMAT_UNKNOWN;
  if (caps)
    read_caps(caps, b);
  gboolean batched_caps = caps && caps_cache()->read_batched;
  /* A batch (vfmux output) is read through its meta; so is a frame whose caps say nothing. */
  VfBatchMeta *meta = gst_buffer ? vf_batch_meta_get(gst_buffer) : NULL;
  if (meta && (batched_caps || !b->has_info)) {
    b->batched = TRUE;
    VfFrameMeta *f0 = vf_batch_meta_get_frame(meta, 0);
    if (f0) {
      b->info = *vf_frame_meta_get_video_info(f0);
      b->has_info = TRUE;
      if (b->format == VF_COLOR_FORMAT_UNKNOWN)
        b->format = vf_color_format_from_video_format(GST_VIDEO_INFO_FORMAT(&b->info));
    }
  } else if (batched_caps) {
    b->batched = TRUE; /* batched caps without meta: no frames to show */
  }
  return b;
}

VfBuffer *vf_buffer_new_take_gst(GstBuffer *buffer, GstCaps *caps)
{
  return buffer_alloc(buffer, caps ? gst_caps_ref(caps) : NULL);
}

GstBuffer *vf_buffer_release_gst(VfBuffer *buffer)
{
  GstBuffer *gst_buffer;
  if (g_atomic_int_get(&buffer->refcount) == 1)
    gst_buffer = g_steal_pointer(&buffer->buffer);
  else
    gst_buffer = gst_buffer_ref(buffer->buffer);
  vf_buffer_unref(buffer);
  return gst_buffer;
}

VfBuffer *vf_buffer_new_empty(void)
{
  return buffer_alloc(NULL, NULL);
}

gboolean vf_buffer_is_empty(const VfBuffer *buffer)
{
  /* A batch carries no pixels of its own (its frames are buffers of their own): never empty. */
  return buffer == NULL || buffer->buffer == NULL
         || (gst_buffer_get_size(buffer->buffer) == 0 && vf_batch_meta_get(buffer->buffer) == NULL);
}

/* Fill plane strides/offsets for a frame of `format`, checking user strides and the data size. */
static gboolean frame_layout(VfColorFormat format, guint width, guint height, const gsize *strides,
                             gsize size, GstVideoInfo *info, gsize *out_strides, gsize *out_offsets,
                             GError **error)
{
  GstVideoFormat vformat = vf_color_format_to_video_format(format);
  if (vformat == GST_VIDEO_FORMAT_UNKNOWN) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "colour format %s is not a raw frame format: use RGB, RGBA, BGR, BGRA, GRAY8, "
                "NV12 or I420",
                vf_color_format_to_string(format));
    return FALSE;
  }
  if (width == 0 || height == 0 || !gst_video_info_set_format(info, vformat, width, height)) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "invalid frame size %ux%u for %s", width,
                height, vf_color_format_to_string(format));
    return FALSE;
  }
  guint n = vf_frame_n_planes(format);
  gsize offset = 0;
  for (guint p = 0; p < n; p++) {
    gsize row = vf_frame_plane_row_bytes(format, width, p);
    gsize stride = strides ? strides[p] : row;
    if (stride < row) {
      g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                  "stride %zu of plane %u is shorter than a row of %zu bytes (%s %ux%u)", stride, p,
                  row, vf_color_format_to_string(format), width, height);
      return FALSE;
    }
    out_strides[p] = stride;
    out_offsets[p] = offset;
    offset += stride * vf_frame_plane_height(format, height, p);
  }
  if (size < offset) {
    g_set_error(error, VF_ERROR, VF_ERROR_SIZE,
                "a %s frame of %ux%u needs %zu bytes with these strides, got %zu",
                vf_color_format_to_string(format), width, height, offset, size);
    return FALSE;
  }
  return TRUE;
}

/* Describe a non-default layout with a GstVideoMeta so every element reads the right rows. */
static void add_layout_meta(GstBuffer *buffer, const GstVideoInfo *info, const gsize *strides,
                            const gsize *offsets)
{
  gboolean default_layout = TRUE;
  gint st[GST_VIDEO_MAX_PLANES] = { 0 };
  gsize off[GST_VIDEO_MAX_PLANES] = { 0 };
  for (guint p = 0; p < GST_VIDEO_INFO_N_PLANES(info); p++) {
    st[p] = (gint)strides[p];
    off[p] = offsets[p];
    if (st[p] != GST_VIDEO_INFO_PLANE_STRIDE(info, p)
        || off[p] != GST_VIDEO_INFO_PLANE_OFFSET(info, p))
      default_layout = FALSE;
  }
  if (!default_layout)
    gst_buffer_add_video_meta_full(buffer, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_INFO_FORMAT(info),
                                   GST_VIDEO_INFO_WIDTH(info), GST_VIDEO_INFO_HEIGHT(info),
                                   GST_VIDEO_INFO_N_PLANES(info), off, st);
}

VfBuffer *vf_buffer_new_wrapped(VfColorFormat format, guint width, guint height,
                                const gsize *strides, gpointer data, gsize size, gpointer user_data,
                                GDestroyNotify notify, GError **error)
{
  vf_init(NULL); /* buffers may be made before any pipeline */
  if (data == NULL || size == 0) {
    g_set_error_literal(error, VF_ERROR, VF_ERROR_ARGUMENT,
                        "cannot wrap empty memory (use vf_buffer_new_empty for end of stream)");
    return NULL;
  }
  GstCaps *caps = frame_caps(format, width, height);
  if (caps == NULL) {
    g_set_error_literal(error, VF_ERROR, VF_ERROR_FORMAT, "a buffer needs a known colour format");
    return NULL;
  }
  GstVideoInfo info;
  gsize st[GST_VIDEO_MAX_PLANES], off[GST_VIDEO_MAX_PLANES];
  gboolean raw = !vf_color_format_is_encoded(format);
  if (raw && !frame_layout(format, width, height, strides, size, &info, st, off, error)) {
    gst_caps_unref(caps);
    return NULL;
  }
  GstBuffer *gst_buffer = gst_buffer_new_wrapped_full(0, data, size, 0, size, user_data, notify);
  if (raw)
    add_layout_meta(gst_buffer, &info, st, off);
  return buffer_alloc(gst_buffer, caps);
}

VfBuffer *vf_buffer_new_copy(VfColorFormat format, guint width, guint height, const gsize *strides,
                             gconstpointer data, gsize size, GError **error)
{
  vf_init(NULL); /* buffers may be made before any pipeline */
  if (data == NULL || size == 0) {
    g_set_error_literal(error, VF_ERROR, VF_ERROR_ARGUMENT, "cannot copy empty memory");
    return NULL;
  }
  if (vf_color_format_is_encoded(format)) {
    GstCaps *caps = frame_caps(format, width, height);
    return buffer_alloc(gst_buffer_new_memdup(data, size), caps);
  }
  GstVideoInfo info;
  gsize st[GST_VIDEO_MAX_PLANES], off[GST_VIDEO_MAX_PLANES];
  if (!frame_layout(format, width, height, strides, size, &info, st, off, error))
    return NULL;
  /* The copy gets GStreamer's default layout, so it needs no video meta. */
  GstBuffer *gst_buffer = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&info), NULL);
  GstMapInfo map;
  gst_buffer_map(gst_buffer, &map, GST_MAP_WRITE);
  for (guint p = 0; p < GST_VIDEO_INFO_N_PLANES(&info); p++) {
    gsize row = vf_frame_plane_row_bytes(format, width, p);
    guint rows = vf_frame_plane_height(format, height, p);
    for (guint y = 0; y < rows; y++)
      memcpy(map.data + GST_VIDEO_INFO_PLANE_OFFSET(&info, p)
                 + (gsize)y * GST_VIDEO_INFO_PLANE_STRIDE(&info, p),
             (const guint8 *)data + off[p] + y * st[p], row);
  }
  gst_buffer_unmap(gst_buffer, &map);
  return buffer_alloc(gst_buffer, frame_caps(format, width, height));
}

VfBuffer *vf_buffer_new_frame(VfColorFormat format, guint width, guint height, GError **error)
{
  vf_init(NULL); /* buffers may be made before any pipeline */
  GstVideoInfo info;
  gsize st[GST_VIDEO_MAX_PLANES], off[GST_VIDEO_MAX_PLANES];
  if (!frame_layout(format, width, height, NULL, G_MAXSIZE, &info, st, off, error))
    return NULL;
  GstBuffer *gst_buffer = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&info), NULL);
  gst_buffer_memset(gst_buffer, 0, 0, GST_VIDEO_INFO_SIZE(&info));
  return buffer_alloc(gst_buffer, frame_caps(format, width, height));
}

VfBuffer *vf_tensor_wrap(VfTensor *tensor, VfColorFormat format, GError **error)
{
  if (vf_arg_is_null(tensor, "tensor", G_STRFUNC, error))
    return NULL;
  if (tensor->device != VF_DEVICE_CPU) {
    g_set_error_literal(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                        "wrapping CUDA tensors is not supported by this build");
    return NULL;
  }
  if (tensor->dtype != VF_DTYPE_UINT8) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT, "frames are uint8 tensors, this one is %s",
                vf_dtype_to_string(tensor->dtype));
    return NULL;
  }
  const char *fname = vf_color_format_to_string(format);
  const gint64 *shape = tensor->shape, *strides = tensor->strides;
  gsize size;

  if (vf_color_format_is_encoded(format)) {
    if (tensor->ndim != 1 || strides[0] != 1) {
      g_set_error(error, VF_ERROR, VF_ERROR_FORMAT, "%s data must be a contiguous 1-D uint8 tensor",
                  fname);
      return NULL;
    }
    return vf_buffer_new_wrapped(format, 0, 0, NULL, tensor->data, (gsize)shape[0],
                                 vf_tensor_ref(tensor), (GDestroyNotify)vf_tensor_unref, error);
  }

  guint width, height;
  gsize st[VF_TENSOR_MAX_PLANES];
  guint px = vf_color_format_pixel_stride(format);
  if (tensor->layout == VF_LAYOUT_CHW) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "a CHW tensor cannot be wrapped as %s: frames are HWC (interleaved); permute it "
                "to HWC first",
                fname);
    return NULL;
  }
  if (format == VF_COLOR_FORMAT_NV12 || format == VF_COLOR_FORMAT_I420) {
    if (tensor->color_format == format && tensor->n_planes > 1) {
      /* A frame view: keep its planes as they are. */
      width = tensor->width;
      height = tensor->height;
      for (guint p = 0; p < tensor->n_planes; p++)
        st[p] = tensor->plane_strides[p];
    } else {
      if (tensor->ndim != 2 || shape[0] % 3 || shape[1] % 2 || strides[1] != 1) {
        g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                    "%s needs a [H*3/2, W] uint8 tensor with even W and H, got %s", fname,
                    tensor->ndim == 2 ? "an odd size" : "another shape");
        return NULL;
      }
      width = (guint)shape[1];
      height = (guint)(shape[0] * 2 / 3);
      if (format == VF_COLOR_FORMAT_I420 && strides[0] != shape[1]) {
        g_set_error_literal(error, VF_ERROR, VF_ERROR_FORMAT,
                            "an I420 [H*3/2, W] tensor must have tight rows (stride == W)");
        return NULL;
      }
      st[0] = st[1] = (gsize)strides[0];
      st[2] = st[0] / 2;
      if (format == VF_COLOR_FORMAT_I420)
        st[1] = st[2];
    }
  } else {
    gboolean gray = px == 1;
    gboolean ok
        = gray ? (tensor->ndim == 2 && strides[1] == 1)
                     || (tensor->ndim == 3 && shape[2] == 1 && strides[1] == 1)
               : tensor->ndim == 3 && shape[2] == px && strides[2] == 1 && strides[1] == (gint64)px;
    if (!ok) {
      g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                  "%s needs an HWC uint8 tensor [H, W, %u] with interleaved pixels; got %u "
                  "dimensions%s",
                  fname, px, tensor->ndim,
                  tensor->ndim == 3 ? " with another channel count or pixel stride" : "");
      return NULL;
    }
    height = (guint)shape[0];
    width = (guint)shape[1];
    st[0] = (gsize)strides[0];
  }
  /* Memory spans from the first byte to the end of the last plane. */
  if (tensor->n_planes > 1 && tensor->color_format == format) {
    guint last = tensor->n_planes - 1;
    size = (gsize)(tensor->planes[last] - (guint8 *)tensor->data)
           + st[last] * vf_frame_plane_height(format, height, last);
  } else {
    size = 0;
    for (guint p = 0; p < vf_frame_n_planes(format); p++)
      size += st[p] * vf_frame_plane_height(format, height, p);
  }
  return vf_buffer_new_wrapped(format, width, height, st, tensor->data, size, vf_tensor_ref(tensor),
                               (GDestroyNotify)vf_tensor_unref, error);
}

VfBuffer *vf_buffer_new_from_gst(GstBuffer *buffer, GstCaps *caps)
{
  if (buffer == NULL)
    return NULL;
  return buffer_alloc(gst_buffer_ref(buffer), caps ? gst_caps_ref(caps) : NULL);
}

VfBuffer *vf_buffer_new_from_sample(GstSample *sample)
{
  if (sample == NULL)
    return NULL;
  GstBuffer *buffer = gst_sample_get_buffer(sample);
  if (buffer == NULL)
    return vf_buffer_new_empty();
  return vf_buffer_new_from_gst(buffer, gst_sample_get_caps(sample));
}

VfBuffer *vf_buffer_ref(VfBuffer *buffer)
{
  if (buffer == NULL)
    return NULL;
  g_atomic_int_inc(&buffer->refcount);
  return buffer;
}

void vf_buffer_unref(VfBuffer *buffer)
{
  if (buffer == NULL || !g_atomic_int_dec_and_test(&buffer->refcount))
    return;
  if (buffer->buffer)
    gst_buffer_unref(buffer->buffer);
  if (buffer->caps)
    gst_caps_unref(buffer->caps);
  g_free(buffer);
}

GstBuffer *vf_buffer_get_gst_buffer(const VfBuffer *buffer)
{
  return buffer ? buffer->buffer : NULL;
}

GstCaps *vf_buffer_get_caps(const VfBuffer *buffer)
{
  return buffer ? buffer->caps : NULL;
}

VfColorFormat vf_buffer_get_color_format(const VfBuffer *buffer)
{
  return buffer ? buffer->format : VF_COLOR_FORMAT_UNKNOWN;
}

guint vf_buffer_get_width(const VfBuffer *buffer)
{
  if (buffer == NULL)
    return 0;
  if (buffer->has_info)
    return GST_VIDEO_INFO_WIDTH(&buffer->info);
  gint w = 0;
  if (buffer->caps && gst_caps_get_size(buffer->caps) > 0)
    gst_structure_get_int(gst_caps_get_structure(buffer->caps, 0), "width", &w);
  return (guint)MAX(w, 0);
}

guint vf_buffer_get_height(const VfBuffer *buffer)
{
  if (buffer == NULL)
    return 0;
  if (buffer->has_info)
    return GST_VIDEO_INFO_HEIGHT(&buffer->info);
  gint h = 0;
  if (buffer->caps && gst_caps_get_size(buffer->caps) > 0)
    gst_structure_get_int(gst_caps_get_structure(buffer->caps, 0), "height", &h);
  return (guint)MAX(h, 0);
}

GstClockTime vf_buffer_get_pts(const VfBuffer *buffer)
{
  return buffer && buffer->buffer ? GST_BUFFER_PTS(buffer->buffer) : GST_CLOCK_TIME_NONE;
}

guint vf_buffer_get_batch_size(const VfBuffer *buffer)
{
  if (buffer == NULL || buffer->buffer == NULL)
    return 0;
  if (buffer->batched) {
    VfBatchMeta *meta = vf_batch_meta_get(buffer->buffer);
    return meta ? vf_batch_meta_get_n_frames(meta) : 0;
  }
  return vf_buffer_is_empty(buffer) ? 0 : 1;
}

VfBatchMeta *vf_buffer_get_batch_meta(const VfBuffer *buffer)
{
  return buffer && buffer->buffer ? vf_batch_meta_get(buffer->buffer) : NULL;
}

/* What a frame tensor holds on to: the mapped frame (the map holds the frame's buffer) and our
 * VfBuffer; or, for encoded data, the mapped bytes. */
typedef struct {
  VfFrameMap frame;
  GstMapInfo map;
  gboolean is_frame;
  GstBuffer *mapped;
  VfBuffer *owner;
} FrameHold;

static void frame_hold_free(gpointer data)
{
  FrameHold *hold = data;
  if (hold->is_frame)
    vf_frame_unmap(&hold->frame);
  else
    gst_buffer_unmap(hold->mapped, &hold->map);
  vf_buffer_unref(hold->owner);
  g_free(hold);
}

/* A tensor view of a mapped frame (transfer full), or NULL with *error set. */
static VfTensor *frame_view(FrameHold *hold, guint index, gboolean writable, GError **error)
{
  VfFrameMap *m = &hold->frame;
  if (m->format == VF_COLOR_FORMAT_UNKNOWN) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "frame %u is %s, which tensors do not describe: ask vfmux for format=RGB, RGBA, "
                "NV12 or I420 (or convert upstream)",
                index, GST_VIDEO_INFO_NAME(&m->info));
    frame_hold_free(hold);
    return NULL;
  }
  guint8 *planes[VF_TENSOR_MAX_PLANES];
  gsize strides[VF_TENSOR_MAX_PLANES];
  guint n_planes = MIN(m->n_planes, VF_TENSOR_MAX_PLANES);
  for (guint p = 0; p < n_planes; p++) {
    planes[p] = m->data[p];
    strides[p] = m->stride[p];
  }
  return vf_tensor_new_frame_view(m->format, GST_VIDEO_INFO_WIDTH(&m->info),
                                  GST_VIDEO_INFO_HEIGHT(&m->info), n_planes, planes, strides,
                                  writable, hold, frame_hold_free);
}

static VfTensor *extract(VfBuffer *buffer, guint index, gboolean writable, const char *func,
                         GError **error)
{
  if (vf_arg_is_null(buffer, "buffer", func, error))
    return NULL;
  guint n = vf_buffer_get_batch_size(buffer);
  if (index >= n) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "frame index %u is out of range: this buffer holds %u frame%s", index, n,
                n == 1 ? "" : "s");
    return NULL;
  }
  GstMapFlags flags = writable ? GST_MAP_READWRITE : GST_MAP_READ;
  if (writable && !gst_buffer_is_writable(buffer->buffer)) {
    g_set_error_literal(error, VF_ERROR, VF_ERROR_STATE,
                        "this buffer is shared with a pipeline: vf_buffer_clone() it to write");
    return NULL;
  }
  FrameHold *hold = g_new0(FrameHold, 1);
  hold->owner = vf_buffer_ref(buffer);

  if (buffer->batched) {
    /* Frame i of the batch: its own buffer, planes where its VfFrameMeta says. */
    VfFrameMeta *frame = vf_batch_meta_get_frame(vf_batch_meta_get(buffer->buffer), index);
    gboolean ok = !writable || vf_frame_make_writable(buffer->buffer, frame, NULL, error);
    if (!ok || !vf_frame_map(&hold->frame, buffer->buffer, frame, VF_DEVICE_CPU, flags, error))
      goto failed;
    hold->is_frame = TRUE;
    return frame_view(hold, index, writable, error);
  }
  if (!buffer->has_info) {
    /* Encoded or unknown data: its bytes as a 1-D tensor. */
    hold->mapped = buffer->buffer;
    if (!gst_buffer_map(buffer->buffer, &hold->map, flags)) {
      g_set_error(error, VF_ERROR, VF_ERROR_FAILED, "cannot map the buffer's %zu bytes for %s",
                  gst_buffer_get_size(buffer->buffer), writable ? "writing" : "reading");
      goto failed;
    }
    gint64 shape = (gint64)hold->map.size;
    VfTensor *t = vf_tensor_new_wrapped(hold->map.data, VF_DTYPE_UINT8, 1, &shape, NULL,
                                        VF_DEVICE_CPU, 0, hold, frame_hold_free, error);
    if (t) {
      t->writable = writable;
      t->color_format = buffer->format;
    }
    return t;
  }
  GstVideoInfo layout;
  vf_frame_layout(&buffer->info, buffer->buffer, &layout);
  gboolean ok = !writable || vf_frame_make_writable(buffer->buffer, NULL, NULL, error);
  if (!ok
      || !vf_frame_map_buffer(&hold->frame, buffer->buffer, &layout, VF_DEVICE_CPU, flags, error))
    goto failed;
  hold->is_frame = TRUE;
  return frame_view(hold, index, writable, error);

failed:
  vf_buffer_unref(hold->owner);
  g_free(hold);
  return NULL;
}

VfTensor *vf_buffer_extract(VfBuffer *buffer, guint index, GError **error)
{
  return extract(buffer, index, FALSE, G_STRFUNC, error);
}

VfTensor *vf_buffer_extract_writable(VfBuffer *buffer, guint index, GError **error)
{
  return extract(buffer, index, TRUE, G_STRFUNC, error);
}

VfBuffer *vf_buffer_clone(const VfBuffer *buffer, GError **error)
{
  if (vf_arg_is_null(buffer, "buffer", G_STRFUNC, error))
    return NULL;
  if (buffer->buffer == NULL)
    return vf_buffer_new_empty();
  GstBuffer *copy = gst_buffer_copy_deep(buffer->buffer);
  /* The copy's frames (private to it) get deep copies of their own buffers. */
  VfBatchMeta *meta = vf_batch_meta_get(copy);
  guint n = meta ? vf_batch_meta_get_n_frames(meta) : 0;
  for (guint i = 0; i < n; i++) {
    VfFrameMeta *f = vf_batch_meta_get_frame(meta, i);
    GstBuffer *own = vf_frame_meta_get_buffer(f);
    if (own == NULL)
      continue;
    GstBuffer *pixels = gst_buffer_copy_deep(own);
    if (pixels == NULL) {
      g_set_error(error, VF_ERROR, VF_ERROR_FAILED, "cannot copy the pixels of frame %u", i);
      gst_buffer_unref(copy);
      return NULL;
    }
    vf_frame_meta_set_buffer(f, pixels, NULL);
    gst_buffer_unref(pixels);
  }
  return buffer_alloc(copy, buffer->caps ? gst_caps_ref(buffer->caps) : NULL);
}
