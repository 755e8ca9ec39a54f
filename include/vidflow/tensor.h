/* vidflow: VfTensor, one frame or one n-dimensional array (the seed's Tensor).
 *
 * A tensor is a reference-counted view: a data pointer, dtype, shape and strides (in elements, as
 * DLPack), the device the data lives on, and an owner that keeps the data alive. A tensor taken
 * from a buffer (vf_buffer_extract) keeps that buffer alive, so it never dangles, even after the
 * callback that received the buffer returns; vf_tensor_clone makes an independent copy.
 *
 * Frames: packed formats (RGB, RGBA, BGR, BGRA) are [H, W, C] (HWC); GRAY8 is [H, W]; NV12 and I420
 * are [H*3/2, W] when their planes lie back to back with the default strides (as OpenCV's YUV
 * views), otherwise [H, W] over the Y plane with every plane reachable through vf_tensor_get_plane.
 *
 * Thread-safety: ref/unref are atomic; a tensor's data is not locked: writers must coordinate. */
#pragma once

#include <dlpack/dlpack.h>
#include <vidflow/error.h>
#include <vidflow/format.h>

G_BEGIN_DECLS

#define VF_TENSOR_MAX_DIMS 8
#define VF_TENSOR_MAX_PLANES 4

typedef enum { VF_DEVICE_CPU = 0, VF_DEVICE_CUDA = 1 } VfDevice;

typedef enum {
  VF_DTYPE_UINT8 = 0,
  VF_DTYPE_INT8,
  VF_DTYPE_UINT16,
  VF_DTYPE_INT16,
  VF_DTYPE_INT32,
  VF_DTYPE_INT64,
  VF_DTYPE_FLOAT16,
  VF_DTYPE_FLOAT32,
  VF_DTYPE_FLOAT64,
} VfDType;

typedef enum {
  VF_LAYOUT_NONE = 0, /* a plain array */
  VF_LAYOUT_HWC,      /* height, width, channels (interleaved pixels) */
  VF_LAYOUT_CHW,      /* channels, height, width (planar) */
} VfLayout;

typedef struct _VfTensor VfTensor;

VF_API gsize vf_dtype_size(VfDType dtype);
VF_API const char *vf_dtype_to_string(VfDType dtype);
/* "HWC", "CHW" (case-insensitive) or "" / NULL for NONE; FALSE for anything else. */
VF_API gboolean vf_layout_from_string(const char *name, VfLayout *layout, GError **error);

/* A new zeroed, contiguous CPU tensor (transfer full). */
VF_API VfTensor *vf_tensor_new(VfDType dtype, guint ndim, const gint64 *shape, GError **error);

/* Wrap memory without copying (transfer full). strides are in elements (NULL: contiguous,
 * row-major). owner_destroy(owner) runs when the last reference goes, on whichever thread drops
 * it. On failure owner_destroy is NOT called: the caller still owns the memory. */
VF_API VfTensor *vf_tensor_new_wrapped(gpointer data, VfDType dtype, guint ndim,
                                       const gint64 *shape, const gint64 *strides, VfDevice device,
                                       gint device_id, gpointer owner, GDestroyNotify owner_destroy,
                                       GError **error);

VF_API VfTensor *vf_tensor_ref(VfTensor *tensor);
VF_API void vf_tensor_unref(VfTensor *tensor);

VF_API gpointer vf_tensor_get_data(const VfTensor *tensor);
VF_API guint vf_tensor_get_ndim(const VfTensor *tensor);
/* (transfer none) arrays of ndim entries, valid while the tensor lives. */
VF_API const gint64 *vf_tensor_get_shape(const VfTensor *tensor);
VF_API const gint64 *vf_tensor_get_strides(const VfTensor *tensor);
VF_API VfDType vf_tensor_get_dtype(const VfTensor *tensor);
VF_API VfDevice vf_tensor_get_device(const VfTensor *tensor);
VF_API gint vf_tensor_get_device_id(const VfTensor *tensor);
/* Number of elements (product of the shape). */
VF_API gsize vf_tensor_get_n_elements(const VfTensor *tensor);
VF_API gboolean vf_tensor_is_contiguous(const VfTensor *tensor);

VF_API VfLayout vf_tensor_get_layout(const VfTensor *tensor);
/* Declare how a 3-D tensor is laid out (the seed's as_tensor(t, "HWC")). */
VF_API gboolean vf_tensor_set_layout(VfTensor *tensor, VfLayout layout, GError **error);

/* Frames: their colour format (UNKNOWN for plain tensors), size and planes. */
VF_API VfColorFormat vf_tensor_get_color_format(const VfTensor *tensor);
VF_API guint vf_tensor_get_width(const VfTensor *tensor);
VF_API guint vf_tensor_get_height(const VfTensor *tensor);
VF_API guint vf_tensor_get_n_planes(const VfTensor *tensor);
/* Plane i of a frame: its first byte and row stride in bytes. FALSE when i is out of range. */
VF_API gboolean vf_tensor_get_plane(const VfTensor *tensor, guint i, gpointer *data, gsize *stride);

/* A deep, contiguous copy (transfer full) that owns its memory. Frames keep their colour format
 * and come out in the default packed layout (planes back to back). */
VF_API VfTensor *vf_tensor_clone(const VfTensor *tensor, GError **error);

/* DLPack export: the returned tensor holds a reference on `tensor` until its deleter runs
 * (transfer full: the consumer calls managed->deleter(managed) exactly once). Fails for frames
 * whose planes are not back to back (clone them first). */
VF_API DLManagedTensor *vf_tensor_to_dlpack(VfTensor *tensor, GError **error);
/* DLPack import (the seed's from_dlpack/as_tensor): takes ownership of `managed` on success and
 * calls its deleter when the tensor goes; on failure the caller keeps it. */
VF_API VfTensor *vf_tensor_from_dlpack(DLManagedTensor *managed, VfLayout layout, GError **error);

/* Save a frame tensor as a JPEG (quality 1..100) or PNG, chosen by the file name's extension. */
VF_API gboolean vf_tensor_save_image(const VfTensor *tensor, const char *path, gint quality,
                                     GError **error);

G_END_DECLS
