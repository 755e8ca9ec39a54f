/* vidflow: VfTensor, reference-counted n-d views over memory someone keeps alive. */
#include "error-private.h"
#include "tensor-private.h"

#include <string.h>

static const struct {
  const char *name;
  gsize size;
} dtypes[] = {
  [VF_DTYPE_UINT8] = { "uint8", 1 },     [VF_DTYPE_INT8] = { "int8", 1 },
  [VF_DTYPE_UINT16] = { "uint16", 2 },   [VF_DTYPE_INT16] = { "int16", 2 },
  [VF_DTYPE_INT32] = { "int32", 4 },     [VF_DTYPE_INT64] = { "int64", 8 },
  [VF_DTYPE_FLOAT16] = { "float16", 2 }, [VF_DTYPE_FLOAT32] = { "float32", 4 },
  [VF_DTYPE_FLOAT64] = { "float64", 8 },
};

static gboolean dtype_valid(VfDType dtype)
{
  return (guint)dtype < G_N_ELEMENTS(dtypes);
}

gsize vf_dtype_size(VfDType dtype)
{
  return dtype_valid(dtype) ? dtypes[dtype].size : 0;
}

const char *vf_dtype_to_string(VfDType dtype)
{
  return dtype_valid(dtype) ? dtypes[dtype].name : "invalid";
}

gboolean vf_layout_from_string(const char *name, VfLayout *layout, GError **error)
{
  if (vf_arg_is_null(layout, "layout", G_STRFUNC, error))
    return FALSE;
  if (name == NULL || *name == '\0')
    *layout = VF_LAYOUT_NONE;
  else if (g_ascii_strcasecmp(name, "HWC") == 0)
    *layout = VF_LAYOUT_HWC;
  else if (g_ascii_strcasecmp(name, "CHW") == 0)
    *layout = VF_LAYOUT_CHW;
  else {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "unknown tensor layout '%s': use \"HWC\" or \"CHW\"", name);
    return FALSE;
  }
  return TRUE;
}

static gboolean check_shape(guint ndim, const gint64 *shape, GError **error)
{
  if (ndim == 0 || ndim > VF_TENSOR_MAX_DIMS) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "a tensor has 1 to %d dimensions, not %u",
                VF_TENSOR_MAX_DIMS, ndim);
    return FALSE;
  }
  if (shape == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "the shape of a %u-D tensor is NULL", ndim);
    return FALSE;
  }
  for (guint i = 0; i < ndim; i++)
    if (shape[i] < 0) {
      g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                  "tensor dimension %u is negative (%" G_GINT64_FORMAT ")", i, shape[i]);
      return FALSE;
    }
  return TRUE;
}

static void set_contiguous_strides(VfTensor *t)
{
  gint64 stride = 1;
  for (gint i = (gint)t->ndim - 1; i >= 0; i--) {
    t->strides[i] = stride;
    stride *= t->shape[i];
  }
}

static VfTensor *tensor_alloc(gpointer data, VfDType dtype, guint ndim, const gint64 *shape,
                              const gint64 *strides)
{
  VfTensor *t = g_new0(VfTensor, 1);
  t->refcount = 1;
  t->data = data;
  t->dtype = dtype;
  t->ndim = ndim;
  memcpy(t->shape, shape, ndim * sizeof(gint64));
  if (strides)
    memcpy(t->strides, strides, ndim * sizeof(gint64));
  else
    set_contiguous_strides(t);
  if (ndim == 3)
    t->layout = VF_LAYOUT_NONE;
  return t;
}

VfTensor *vf_tensor_new(VfDType dtype, guint ndim, const gint64 *shape, GError **error)
{
  if (!dtype_valid(dtype)) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "unknown dtype %d", dtype);
    return NULL;
  }
  if (!check_shape(ndim, shape, error))
    return NULL;
  gsize bytes = vf_dtype_size(dtype);
  for (guint i = 0; i < ndim; i++) {
    if (!g_size_checked_mul(&bytes, bytes, (gsize)shape[i])) {
      g_set_error(error, VF_ERROR, VF_ERROR_SIZE,
                  "a %s tensor of this shape overflows memory sizes", vf_dtype_to_string(dtype));
      return NULL;
    }
  }
  gpointer data = g_try_malloc0(MAX(bytes, 1));
  if (data == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_SIZE, "cannot allocate a %s tensor of %zu bytes",
                vf_dtype_to_string(dtype), bytes);
    return NULL;
  }
  VfTensor *t = tensor_alloc(data, dtype, ndim, shape, NULL);
  t->writable = TRUE;
  t->owner = data;
  t->owner_destroy = g_free;
  return t;
}

VfTensor *vf_tensor_new_wrapped(gpointer data, VfDType dtype, guint ndim, const gint64 *shape,
                                const gint64 *strides, VfDevice device, gint device_id,
                                gpointer owner, GDestroyNotify owner_destroy, GError **error)
{
  if (data == NULL) {
    g_set_error_literal(error, VF_ERROR, VF_ERROR_ARGUMENT, "cannot wrap a NULL data pointer");
    return NULL;
  }
  if (!dtype_valid(dtype)) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "unknown dtype %d", dtype);
    return NULL;
  }
  if (device != VF_DEVICE_CPU && device != VF_DEVICE_CUDA) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "unknown device %d", device);
    return NULL;
  }
  if (!check_shape(ndim, shape, error))
    return NULL;
  VfTensor *t = tensor_alloc(data, dtype, ndim, shape, strides);
  t->device = device;
  t->device_id = device_id;
  t->writable = TRUE;
  t->owner = owner;
  t->owner_destroy = owner_destroy;
  return t;
}

guint vf_frame_n_planes(VfColorFormat format)
{
  switch (format) {
  case VF_COLOR_FORMAT_NV12:
    return 2;
  case VF_COLOR_FORMAT_I420:
    return 3;
  default:
    return 1;
  }
}

guint vf_frame_plane_height(VfColorFormat format, guint height, guint plane)
{
  if (plane > 0 && (format == VF_COLOR_FORMAT_NV12 || format == VF_COLOR_FORMAT_I420))
    return (height + 1) / 2;
  return height;
}

gsize vf_frame_plane_row_bytes(VfColorFormat format, guint width, guint plane)
{
  switch (format) {
  case VF_COLOR_FORMAT_NV12:
    return plane == 0 ? width : 2 * ((width + 1) / 2);
  case VF_COLOR_FORMAT_I420:
    return plane == 0 ? width : (width + 1) / 2;
  default:
    return (gsize)width * vf_color_format_pixel_stride(format);
  }
}

/* Planar frames whose planes lie back to back with tight rows can be seen as one [H*3/2, W]
 * array, as OpenCV does; others only as their Y plane. */
static gboolean planes_back_to_back(VfColorFormat format, guint width, guint height,
                                    guint8 *const *planes, const gsize *strides)
{
  if (width % 2 || height % 2 || strides[0] != width)
    return FALSE;
  guint n = vf_frame_n_planes(format);
  for (guint p = 1; p < n; p++) {
    gsize row = vf_frame_plane_row_bytes(format, width, p);
    gsize prev_bytes = strides[p - 1] * vf_frame_plane_height(format, height, p - 1);
    if (strides[p] != row || planes[p] != planes[p - 1] + prev_bytes)
      return FALSE;
  }
  return TRUE;
}

VfTensor *vf_tensor_new_frame_view(VfColorFormat format, guint width, guint height, guint n_planes,
                                   guint8 *const *planes, const gsize *strides, gboolean writable,
                                   gpointer owner, GDestroyNotify owner_destroy)
{
  gint64 shape[3], st[3];
  guint ndim;
  guint px = vf_color_format_pixel_stride(format);

  if (format == VF_COLOR_FORMAT_NV12 || format == VF_COLOR_FORMAT_I420) {
    ndim = 2;
    shape[0]
        = planes_back_to_back(format, width, height, planes, strides) ? height * 3 / 2 : height;
    shape[1] = width;
    st[0] = (gint64)strides[0];
    st[1] = 1;
  } else if (px == 1) {
    ndim = 2;
    shape[0] = height;
    shape[1] = width;
    st[0] = (gint64)strides[0];
    st[1] = 1;
  } else {
    ndim = 3;
    shape[0] = height;
    shape[1] = width;
    shape[2] = px;
    st[0] = (gint64)strides[0];
    st[1] = px;
    st[2] = 1;
  }
  VfTensor *t = tensor_alloc(planes[0], VF_DTYPE_UINT8, ndim, shape, st);
  t->layout = ndim == 3 ? VF_LAYOUT_HWC : VF_LAYOUT_NONE;
  t->writable = writable;
  t->color_format = format;
  t->width = width;
  t->height = height;
  t->n_planes = MIN(n_planes, VF_TENSOR_MAX_PLANES);
  for (guint p = 0; p < t->n_planes; p++) {
    t->planes[p] = planes[p];
    t->plane_strides[p] = strides[p];
  }
  t->owner = owner;
  t->owner_destroy = owner_destroy;
  return t;
}

VfTensor *vf_tensor_ref(VfTensor *tensor)
{
  if (tensor == NULL)
    return NULL;
  g_atomic_int_inc(&tensor->refcount);
  return tensor;
}

void vf_tensor_unref(VfTensor *tensor)
{
  if (tensor == NULL || !g_atomic_int_dec_and_test(&tensor->refcount))
    return;
  if (tensor->owner_destroy)
    tensor->owner_destroy(tensor->owner);
  g_free(tensor);
}

gpointer vf_tensor_get_data(const VfTensor *tensor)
{
  if (tensor == NULL)
    return NULL;
  return tensor->data;
}

guint vf_tensor_get_ndim(const VfTensor *tensor)
{
  if (tensor == NULL)
    return 0;
  return tensor->ndim;
}

const gint64 *vf_tensor_get_shape(const VfTensor *tensor)
{
  if (tensor == NULL)
    return NULL;
  return tensor->shape;
}

const gint64 *vf_tensor_get_strides(const VfTensor *tensor)
{
  if (tensor == NULL)
    return NULL;
  return tensor->strides;
}

VfDType vf_tensor_get_dtype(const VfTensor *tensor)
{
  if (tensor == NULL)
    return VF_DTYPE_UINT8;
  return tensor->dtype;
}

VfDevice vf_tensor_get_device(const VfTensor *tensor)
{
  if (tensor == NULL)
    return VF_DEVICE_CPU;
  return tensor->device;
}

gint vf_tensor_get_device_id(const VfTensor *tensor)
{
  if (tensor == NULL)
    return 0;
  return tensor->device_id;
}

gsize vf_tensor_get_n_elements(const VfTensor *tensor)
{
  if (tensor == NULL)
    return 0;
  gsize n = 1;
  for (guint i = 0; i < tensor->ndim; i++)
    n *= (gsize)tensor->shape[i];
  return n;
}

gboolean vf_tensor_is_contiguous(const VfTensor *tensor)
{
  if (tensor == NULL)
    return FALSE;
  gint64 expected = 1;
  for (gint i = (gint)tensor->ndim - 1; i >= 0; i--) {
    if (tensor->shape[i] != 1 && tensor->strides[i] != expected)
      return FALSE;
    expected *= tensor->shape[i];
  }
  return TRUE;
}

VfLayout vf_tensor_get_layout(const VfTensor *tensor)
{
  if (tensor == NULL)
    return VF_LAYOUT_NONE;
  return tensor->layout;
}

gboolean vf_tensor_set_layout(VfTensor *tensor, VfLayout layout, GError **error)
{
  if (vf_arg_is_null(tensor, "tensor", G_STRFUNC, error))
    return FALSE;
  if ((guint)layout > VF_LAYOUT_CHW) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "layout %d is not a VfLayout", (gint)layout);
    return FALSE;
  }
  if (layout != VF_LAYOUT_NONE && tensor->ndim != 3) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "layout %s needs a 3-D tensor, this one has %u dimensions",
                layout == VF_LAYOUT_HWC ? "HWC" : "CHW", tensor->ndim);
    return FALSE;
  }
  tensor->layout = layout;
  return TRUE;
}

VfColorFormat vf_tensor_get_color_format(const VfTensor *tensor)
{
  if (tensor == NULL)
    return VF_COLOR_FORMAT_UNKNOWN;
  return tensor->color_format;
}

guint vf_tensor_get_width(const VfTensor *tensor)
{
  if (tensor == NULL)
    return 0;
  if (tensor->color_format != VF_COLOR_FORMAT_UNKNOWN)
    return tensor->width;
  if (tensor->ndim >= 2)
    return (guint)(tensor->layout == VF_LAYOUT_CHW ? tensor->shape[2] : tensor->shape[1]);
  return 0;
}

guint vf_tensor_get_height(const VfTensor *tensor)
{
  if (tensor == NULL)
    return 0;
  if (tensor->color_format != VF_COLOR_FORMAT_UNKNOWN)
    return tensor->height;
  if (tensor->ndim >= 2)
    return (guint)(tensor->layout == VF_LAYOUT_CHW ? tensor->shape[1] : tensor->shape[0]);
  return 0;
}

guint vf_tensor_get_n_planes(const VfTensor *tensor)
{
  if (tensor == NULL)
    return 0;
  return tensor->n_planes;
}

gboolean vf_tensor_get_plane(const VfTensor *tensor, guint i, gpointer *data, gsize *stride)
{
  if (tensor == NULL || i >= tensor->n_planes)
    return FALSE;
  if (data)
    *data = tensor->planes[i];
  if (stride)
    *stride = tensor->plane_strides[i];
  return TRUE;
}

/* Copy a strided n-d array into a contiguous one, innermost dimension by memcpy when it is dense.
 */
static void copy_strided(guint8 *dst, const guint8 *src, guint ndim, const gint64 *shape,
                         const gint64 *strides, gsize esize, gsize *written)
{
  if (ndim == 1) {
    if (strides[0] == 1) {
      memcpy(dst + *written, src, (gsize)shape[0] * esize);
      *written += (gsize)shape[0] * esize;
    } else {
      for (gint64 i = 0; i < shape[0]; i++) {
        memcpy(dst + *written, src + i * strides[0] * (gint64)esize, esize);
        *written += esize;
      }
    }
    return;
  }
  for (gint64 i = 0; i < shape[0]; i++)
    copy_strided(dst, src + i * strides[0] * (gint64)esize, ndim - 1, shape + 1, strides + 1, esize,
                 written);
}

static VfTensor *clone_frame(const VfTensor *t)
{
  guint n = t->n_planes;
  gsize row[VF_TENSOR_MAX_PLANES], total = 0;
  guint8 *planes[VF_TENSOR_MAX_PLANES];

  for (guint p = 0; p < n; p++) {
    row[p] = vf_frame_plane_row_bytes(t->color_format, t->width, p);
    total += row[p] * vf_frame_plane_height(t->color_format, t->height, p);
  }
  guint8 *data = g_malloc(MAX(total, 1));
  guint8 *out = data;
  for (guint p = 0; p < n; p++) {
    planes[p] = out;
    guint rows = vf_frame_plane_height(t->color_format, t->height, p);
    for (guint y = 0; y < rows; y++, out += row[p])
      memcpy(out, t->planes[p] + y * t->plane_strides[p], row[p]);
  }
  VfTensor *c = vf_tensor_new_frame_view(t->color_format, t->width, t->height, n, planes, row, TRUE,
                                         data, g_free);
  return c;
}

VfTensor *vf_tensor_clone(const VfTensor *tensor, GError **error)
{
  if (vf_arg_is_null(tensor, "tensor", G_STRFUNC, error))
    return NULL;
  if (tensor->device != VF_DEVICE_CPU) {
    g_set_error_literal(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                        "cloning CUDA tensors is not supported by this build");
    return NULL;
  }
  if (tensor->color_format != VF_COLOR_FORMAT_UNKNOWN && tensor->n_planes > 0)
    return clone_frame(tensor);

  VfTensor *c = vf_tensor_new(tensor->dtype, tensor->ndim, tensor->shape, error);
  if (c == NULL)
    return NULL;
  gsize written = 0;
  if (vf_tensor_get_n_elements(tensor) > 0)
    copy_strided(c->data, tensor->data, tensor->ndim, tensor->shape, tensor->strides,
                 vf_dtype_size(tensor->dtype), &written);
  c->layout = tensor->layout;
  return c;
}
