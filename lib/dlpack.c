/* vidflow: DLPack export/import, so tensors cross into other frameworks without copies. */
#include "error-private.h"
#include "tensor-private.h"

typedef struct {
  DLManagedTensor managed;
  int64_t shape[VF_TENSOR_MAX_DIMS];
  int64_t strides[VF_TENSOR_MAX_DIMS];
} ExportedTensor;

static const struct {
  VfDType dtype;
  uint8_t code;
  uint8_t bits;
} dtype_map[] = {
  { VF_DTYPE_UINT8, kDLUInt, 8 },     { VF_DTYPE_INT8, kDLInt, 8 },
  { VF_DTYPE_UINT16, kDLUInt, 16 },   { VF_DTYPE_INT16, kDLInt, 16 },
  { VF_DTYPE_INT32, kDLInt, 32 },     { VF_DTYPE_INT64, kDLInt, 64 },
  { VF_DTYPE_FLOAT16, kDLFloat, 16 }, { VF_DTYPE_FLOAT32, kDLFloat, 32 },
  { VF_DTYPE_FLOAT64, kDLFloat, 64 },
};

static void exported_deleter(DLManagedTensor *managed)
{
  vf_tensor_unref(managed->manager_ctx);
  g_free(managed);
}

DLManagedTensor *vf_tensor_to_dlpack(VfTensor *tensor, GError **error)
{
  if (vf_arg_is_null(tensor, "tensor", G_STRFUNC, error))
    return NULL;
  if ((tensor->color_format == VF_COLOR_FORMAT_NV12 || tensor->color_format == VF_COLOR_FORMAT_I420)
      && tensor->shape[0] != (gint64)tensor->height * 3 / 2) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "this %s frame's planes are not back to back, so one DLPack tensor cannot hold it: "
                "vf_tensor_clone() it first",
                vf_color_format_to_string(tensor->color_format));
    return NULL;
  }
  ExportedTensor *e = g_new0(ExportedTensor, 1);
  DLTensor *dl = &e->managed.dl_tensor;
  dl->data = tensor->data;
  dl->device.device_type = tensor->device == VF_DEVICE_CUDA ? kDLCUDA : kDLCPU;
  dl->device.device_id = tensor->device_id;
  dl->ndim = (int)tensor->ndim;
  for (guint i = 0; i < G_N_ELEMENTS(dtype_map); i++)
    if (dtype_map[i].dtype == tensor->dtype) {
      dl->dtype.code = dtype_map[i].code;
      dl->dtype.bits = dtype_map[i].bits;
      dl->dtype.lanes = 1;
    }
  for (guint i = 0; i < tensor->ndim; i++) {
    e->shape[i] = tensor->shape[i];
    e->strides[i] = tensor->strides[i];
  }
  dl->shape = e->shape;
  dl->strides = e->strides;
  dl->byte_offset = 0;
  e->managed.manager_ctx = vf_tensor_ref(tensor);
  e->managed.deleter = exported_deleter;
  return &e->managed;
}

static void call_deleter(gpointer managed)
{
  DLManagedTensor *m = managed;
  if (m->deleter)
    m->deleter(m);
}

VfTensor *vf_tensor_from_dlpack(DLManagedTensor *managed, VfLayout layout, GError **error)
{
  if (managed == NULL) {
    g_set_error_literal(error, VF_ERROR, VF_ERROR_ARGUMENT, "DLPack tensor is NULL");
    return NULL;
  }
  DLTensor *dl = &managed->dl_tensor;
  VfDevice device;
  switch (dl->device.device_type) {
  case kDLCPU:
  case kDLCUDAHost:
    device = VF_DEVICE_CPU;
    break;
  case kDLCUDA:
    device = VF_DEVICE_CUDA;
    break;
  default:
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "DLPack device type %d is not supported: use CPU or CUDA memory",
                dl->device.device_type);
    return NULL;
  }
  gboolean found = FALSE;
  VfDType dtype = VF_DTYPE_UINT8;
  for (guint i = 0; i < G_N_ELEMENTS(dtype_map); i++)
    if (dtype_map[i].code == dl->dtype.code && dtype_map[i].bits == dl->dtype.bits) {
      dtype = dtype_map[i].dtype;
      found = TRUE;
    }
  if (!found || dl->dtype.lanes != 1) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "DLPack dtype (code %u, %u bits, %u lanes) is not supported", dl->dtype.code,
                dl->dtype.bits, dl->dtype.lanes);
    return NULL;
  }
  if (dl->ndim <= 0 || dl->ndim > VF_TENSOR_MAX_DIMS) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED, "DLPack tensor has %d dimensions (1..%d)",
                dl->ndim, VF_TENSOR_MAX_DIMS);
    return NULL;
  }
  if (dl->shape == NULL || dl->data == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "DLPack tensor has no %s (NULL)",
                dl->shape == NULL ? "shape" : "data");
    return NULL;
  }
  gint64 shape[VF_TENSOR_MAX_DIMS], strides[VF_TENSOR_MAX_DIMS];
  for (int i = 0; i < dl->ndim; i++) {
    shape[i] = dl->shape[i];
    if (dl->strides)
      strides[i] = dl->strides[i];
  }
  VfTensor *t = vf_tensor_new_wrapped((guint8 *)dl->data + dl->byte_offset, dtype, (guint)dl->ndim,
                                      shape, dl->strides ? strides : NULL, device,
                                      dl->device.device_id, managed, call_deleter, error);
  if (t && !vf_tensor_set_layout(t, layout, error)) {
    t->owner_destroy = NULL; /* on failure the caller keeps `managed` */
    vf_tensor_unref(t);
    return NULL;
  }
  return t;
}
