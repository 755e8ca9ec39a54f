/* vidflow: the tensor's private layout, shared by tensor.c, dlpack.c, buffer.c and image.c. */
#pragma once

#include <vidflow/tensor.h>

struct _VfTensor {
  gint refcount;
  gpointer data;
  VfDType dtype;
  guint ndim;
  gint64 shape[VF_TENSOR_MAX_DIMS];
  gint64 strides[VF_TENSOR_MAX_DIMS]; /* elements */
  VfDevice device;
  gint device_id;
  VfLayout layout;
  gboolean writable;
  /* frames only */
  VfColorFormat color_format;
  guint width, height;
  guint n_planes;
  guint8 *planes[VF_TENSOR_MAX_PLANES];
  gsize plane_strides[VF_TENSOR_MAX_PLANES];
  /* keeps `data` alive */
  gpointer owner;
  GDestroyNotify owner_destroy;
};

/* A frame view over planes (transfer full); owner_destroy(owner) when it goes. Never fails for
 * the formats of format.h. */
VfTensor *vf_tensor_new_frame_view(VfColorFormat format, guint width, guint height, guint n_planes,
                                   guint8 *const *planes, const gsize *strides, gboolean writable,
                                   gpointer owner, GDestroyNotify owner_destroy);
/* Height in rows of plane `plane` of a frame. */
guint vf_frame_plane_height(VfColorFormat format, guint height, guint plane);
/* Bytes of pixels in one row of plane `plane`. */
gsize vf_frame_plane_row_bytes(VfColorFormat format, guint width, guint plane);
guint vf_frame_n_planes(VfColorFormat format);
