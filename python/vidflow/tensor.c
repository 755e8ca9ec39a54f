/* vidflow Python module: Tensor (a VfTensor), DLPack both ways, the buffer protocol, as_tensor,
 * pickling. Nothing is copied except by clone() and pickling. */
#include "vfpy.h"

#include <string.h>

/* ---- dtypes ---- */

static const struct {
  VfDType dtype;
  char format; /* struct-module code of the buffer protocol */
} buffer_formats[] = {
  { VF_DTYPE_UINT8, 'B' },   { VF_DTYPE_INT8, 'b' },    { VF_DTYPE_UINT16, 'H' },
  { VF_DTYPE_INT16, 'h' },   { VF_DTYPE_INT32, 'i' },   { VF_DTYPE_INT64, 'q' },
  { VF_DTYPE_FLOAT16, 'e' }, { VF_DTYPE_FLOAT32, 'f' }, { VF_DTYPE_FLOAT64, 'd' },
};

static const char *dtype_format(VfDType dtype)
{
  static char codes[G_N_ELEMENTS(buffer_formats)][2];
  for (guint i = 0; i < G_N_ELEMENTS(buffer_formats); i++)
    if (buffer_formats[i].dtype == dtype) {
      codes[i][0] = buffer_formats[i].format;
      return codes[i];
    }
  return NULL;
}

/* The dtype of a buffer-protocol format ("B", "<f", "=q", "l"...), FALSE when unsupported. */
static gboolean dtype_from_format(const char *format, Py_ssize_t itemsize, VfDType *dtype)
{
  if (format == NULL)
    format = "B";
  if (*format == '@' || *format == '=' || (*format == '<' && G_BYTE_ORDER == G_LITTLE_ENDIAN))
    format++;
  if (format[0] == '\0' || format[1] != '\0')
    return FALSE;
  char code = format[0];
  if ((code == 'l' || code == 'q') && itemsize == 8)
    code = 'q';
  for (guint i = 0; i < G_N_ELEMENTS(buffer_formats); i++)
    if (buffer_formats[i].format == code
        && (Py_ssize_t)vf_dtype_size(buffer_formats[i].dtype) == itemsize) {
      *dtype = buffer_formats[i].dtype;
      return TRUE;
    }
  return FALSE;
}

static gboolean dtype_from_name(const char *name, VfDType *dtype)
{
  for (guint i = 0; i < G_N_ELEMENTS(buffer_formats); i++)
    if (g_str_equal(vf_dtype_to_string(buffer_formats[i].dtype), name)) {
      *dtype = buffer_formats[i].dtype;
      return TRUE;
    }
  return FALSE;
}

static gboolean layout_from_object(PyObject *object, VfLayout *layout)
{
  const char *name = NULL;
  if (object && object != Py_None) {
    if (!PyUnicode_Check(object)) {
      PyErr_Format(PyExc_TypeError, "a layout is \"HWC\" or \"CHW\", not a %s",
                   Py_TYPE(object)->tp_name);
      return FALSE;
    }
    name = PyUnicode_AsUTF8(object);
    if (name == NULL)
      return FALSE;
  }
  GError *error = NULL;
  if (!vf_layout_from_string(name, layout, &error)) {
    PyErr_SetString(PyExc_ValueError, error->message);
    g_error_free(error);
    return FALSE;
  }
  return TRUE;
}

/* ---- the Tensor type ---- */

PyObject *vfpy_tensor_new(VfTensor *tensor, gboolean readonly)
{
  VfpyTensor *self = PyObject_New(VfpyTensor, &VfpyTensor_Type);
  if (self == NULL) {
    vf_tensor_unref(tensor);
    return NULL;
  }
  self->tensor = tensor;
  self->readonly = readonly;
  guint ndim = vf_tensor_get_ndim(tensor);
  const gint64 *shape = vf_tensor_get_shape(tensor), *strides = vf_tensor_get_strides(tensor);
  gsize esize = vf_dtype_size(vf_tensor_get_dtype(tensor));
  for (guint i = 0; i < ndim; i++) {
    self->shape[i] = (Py_ssize_t)shape[i];
    self->strides[i] = (Py_ssize_t)(strides[i] * (gint64)esize);
  }
  return (PyObject *)self;
}

static void tensor_dealloc(VfpyTensor *self)
{
  vf_tensor_unref(self->tensor);
  PyObject_Free(self);
}

static PyObject *int_tuple(guint n, const gint64 *values)
{
  PyObject *t = PyTuple_New(n);
  for (guint i = 0; t && i < n; i++) {
    PyObject *v = PyLong_FromLongLong(values[i]);
    if (v == NULL) {
      Py_DECREF(t);
      return NULL;
    }
    PyTuple_SET_ITEM(t, i, v);
  }
  return t;
}

static PyObject *tensor_get_shape(VfpyTensor *self, void *closure)
{
  (void)closure;
  return int_tuple(vf_tensor_get_ndim(self->tensor), vf_tensor_get_shape(self->tensor));
}

static PyObject *tensor_get_strides(VfpyTensor *self, void *closure)
{
  (void)closure;
  return int_tuple(vf_tensor_get_ndim(self->tensor), vf_tensor_get_strides(self->tensor));
}

static PyObject *tensor_get_ndim(VfpyTensor *self, void *closure)
{
  (void)closure;
  return PyLong_FromUnsignedLong(vf_tensor_get_ndim(self->tensor));
}

static PyObject *tensor_get_dtype(VfpyTensor *self, void *closure)
{
  (void)closure;
  return PyUnicode_FromString(vf_dtype_to_string(vf_tensor_get_dtype(self->tensor)));
}

static PyObject *tensor_get_device(VfpyTensor *self, void *closure)
{
  (void)closure;
  return PyUnicode_FromString(vf_tensor_get_device(self->tensor) == VF_DEVICE_CUDA ? "cuda"
                                                                                   : "cpu");
}

static PyObject *tensor_get_device_id(VfpyTensor *self, void *closure)
{
  (void)closure;
  return PyLong_FromLong(vf_tensor_get_device_id(self->tensor));
}

static PyObject *tensor_get_layout(VfpyTensor *self, void *closure)
{
  (void)closure;
  switch (vf_tensor_get_layout(self->tensor)) {
  case VF_LAYOUT_HWC:
    return PyUnicode_FromString("HWC");
  case VF_LAYOUT_CHW:
    return PyUnicode_FromString("CHW");
  default:
    Py_RETURN_NONE;
  }
}

static PyObject *tensor_get_color_format(VfpyTensor *self, void *closure)
{
  (void)closure;
  return vfpy_color_format_to_object(vf_tensor_get_color_format(self->tensor));
}

static PyObject *tensor_get_width(VfpyTensor *self, void *closure)
{
  (void)closure;
  return PyLong_FromUnsignedLong(vf_tensor_get_width(self->tensor));
}

static PyObject *tensor_get_height(VfpyTensor *self, void *closure)
{
  (void)closure;
  return PyLong_FromUnsignedLong(vf_tensor_get_height(self->tensor));
}

static PyObject *tensor_get_nbytes(VfpyTensor *self, void *closure)
{
  (void)closure;
  return PyLong_FromSize_t(vf_tensor_get_n_elements(self->tensor)
                           * vf_dtype_size(vf_tensor_get_dtype(self->tensor)));
}

static PyObject *tensor_get_data_ptr(VfpyTensor *self, void *closure)
{
  (void)closure;
  return PyLong_FromVoidPtr(vf_tensor_get_data(self->tensor));
}

static PyObject *tensor_get_readonly(VfpyTensor *self, void *closure)
{
  (void)closure;
  return PyBool_FromLong(self->readonly);
}

static PyObject *tensor_get_contiguous(VfpyTensor *self, void *closure)
{
  (void)closure;
  return PyBool_FromLong(vf_tensor_is_contiguous(self->tensor));
}

static PyGetSetDef tensor_getset[] = {
  { "shape", (getter)tensor_get_shape, NULL, "Sizes of the dimensions (tuple).", NULL },
  { "strides", (getter)tensor_get_strides, NULL,
    "Strides in elements (as DLPack and torch count them).", NULL },
  { "ndim", (getter)tensor_get_ndim, NULL, "Number of dimensions.", NULL },
  { "dtype", (getter)tensor_get_dtype, NULL, "Element type: 'uint8', 'float32', ...", NULL },
  { "device", (getter)tensor_get_device, NULL, "'cpu' or 'cuda'.", NULL },
  { "device_id", (getter)tensor_get_device_id, NULL, "The CUDA device (0 on the CPU).", NULL },
  { "layout", (getter)tensor_get_layout, NULL, "'HWC', 'CHW' or None.", NULL },
  { "color_format", (getter)tensor_get_color_format, NULL,
    "The ColorFormat of a frame, None for plain tensors.", NULL },
  { "width", (getter)tensor_get_width, NULL, "Width of a frame (pixels).", NULL },
  { "height", (getter)tensor_get_height, NULL, "Height of a frame (pixels).", NULL },
  { "nbytes", (getter)tensor_get_nbytes, NULL, "Bytes of the elements (shape x item size).", NULL },
  { "data_ptr", (getter)tensor_get_data_ptr, NULL, "Address of the first element.", NULL },
  { "readonly", (getter)tensor_get_readonly, NULL,
    "True for a view of a pipeline's buffer (extract()): clone() it to write.", NULL },
  { "is_contiguous", (getter)tensor_get_contiguous, NULL, "Rows packed without gaps.", NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

static PyObject *tensor_clone(VfpyTensor *self, PyObject *unused)
{
  (void)unused;
  GError *error = NULL;
  VfTensor *copy;
  VFPY_UNLOCKED(copy = vf_tensor_clone(self->tensor, &error)); /* a frame copy takes a while */
  if (copy == NULL)
    return vfpy_raise_gerror(error);
  return vfpy_tensor_new(copy, FALSE);
}

static PyObject *tensor_wrap(VfpyTensor *self, PyObject *format_object)
{
  VfColorFormat format;
  if (!vfpy_color_format_from_object(format_object, &format))
    return NULL;
  GError *error = NULL;
  VfBuffer *buffer = vf_tensor_wrap(self->tensor, format, &error);
  if (buffer == NULL)
    return vfpy_raise_gerror(error);
  PyObject *out = vfpy_buffer_new(buffer, FALSE);
  vf_buffer_unref(buffer);
  return out;
}

static PyObject *tensor_save(VfpyTensor *self, PyObject *args, PyObject *kwargs)
{
  static char *keywords[] = { "path", "quality", NULL };
  PyObject *path = NULL;
  int quality = 90;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|i", keywords, PyUnicode_FSConverter, &path,
                                   &quality))
    return NULL;
  GError *error = NULL;
  gboolean ok;
  VFPY_UNLOCKED(ok = vf_tensor_save_image(self->tensor, PyBytes_AS_STRING(path), quality, &error));
  Py_DECREF(path);
  if (!ok)
    return vfpy_raise_gerror(error);
  Py_RETURN_NONE;
}

/* ---- DLPack export ---- */

static void capsule_destroy(PyObject *capsule)
{
  /* Only a capsule nobody consumed still owns its tensor (consumers rename it). */
  if (!PyCapsule_IsValid(capsule, "dltensor"))
    return;
  DLManagedTensor *managed = PyCapsule_GetPointer(capsule, "dltensor");
  if (managed && managed->deleter)
    managed->deleter(managed);
}

static PyObject *tensor_dlpack(VfpyTensor *self, PyObject *args, PyObject *kwargs)
{
  static char *keywords[] = { "stream", NULL };
  PyObject *stream = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$O", keywords, &stream))
    return NULL;
  /* CUDA consumers pass their stream: vidflow hands out frames whose data is complete (no work
   * is pending on any stream), so there is nothing to order against it. */
  if (stream != Py_None && !PyLong_Check(stream)) {
    PyErr_Format(PyExc_TypeError, "__dlpack__(stream=...) takes an int or None, not a %s",
                 Py_TYPE(stream)->tp_name);
    return NULL;
  }
  GError *error = NULL;
  DLManagedTensor *managed = vf_tensor_to_dlpack(self->tensor, &error);
  if (managed == NULL)
    return vfpy_raise_gerror(error);
  PyObject *capsule = PyCapsule_New(managed, "dltensor", capsule_destroy);
  if (capsule == NULL)
    managed->deleter(managed);
  return capsule;
}

static PyObject *tensor_dlpack_device(VfpyTensor *self, PyObject *unused)
{
  (void)unused;
  gboolean cuda = vf_tensor_get_device(self->tensor) == VF_DEVICE_CUDA;
  return Py_BuildValue("(ii)", cuda ? kDLCUDA : kDLCPU, vf_tensor_get_device_id(self->tensor));
}

/* ---- pickling (the seed's multiprocessing.Queue): the elements travel as bytes ---- */

/* Bytes from the first to the last byte of a clone's planes (back to back by construction). */
static gsize frame_span(const VfTensor *frame)
{
  guint n = vf_tensor_get_n_planes(frame);
  gpointer first = NULL, last = NULL;
  gsize stride = 0;
  vf_tensor_get_plane(frame, 0, &first, NULL);
  vf_tensor_get_plane(frame, n - 1, &last, &stride);
  VfColorFormat format = vf_tensor_get_color_format(frame);
  guint height = vf_tensor_get_height(frame);
  gboolean chroma = n > 1 && (format == VF_COLOR_FORMAT_NV12 || format == VF_COLOR_FORMAT_I420);
  guint rows = chroma ? (height + 1) / 2 : height;
  return (gsize)((guint8 *)last - (guint8 *)first) + stride * rows;
}

static PyObject *tensor_reduce(VfpyTensor *self, PyObject *unused)
{
  (void)unused;
  if (vf_tensor_get_device(self->tensor) != VF_DEVICE_CPU) {
    PyErr_SetString(PyExc_TypeError, "a CUDA tensor cannot be pickled: copy it to the CPU first");
    return NULL;
  }
  GError *error = NULL;
  VfTensor *copy = vf_tensor_clone(self->tensor, &error); /* contiguous, planes back to back */
  if (copy == NULL)
    return vfpy_raise_gerror(error);
  gboolean frame = vf_tensor_get_color_format(copy) != VF_COLOR_FORMAT_UNKNOWN
                   && vf_tensor_get_n_planes(copy) > 0;
  gsize size = frame ? frame_span(copy)
                     : vf_tensor_get_n_elements(copy) * vf_dtype_size(vf_tensor_get_dtype(copy));
  PyObject *data = PyBytes_FromStringAndSize(vf_tensor_get_data(copy), (Py_ssize_t)size);
  PyObject *shape = tensor_get_shape(self, NULL);
  PyObject *layout = tensor_get_layout(self, NULL);
  PyObject *unpickle
      = PyObject_GetAttrString(PyImport_AddModule("vidflow._vidflow"), "_tensor_unpickle");
  PyObject *out = NULL;
  if (data && shape && layout && unpickle)
    out = Py_BuildValue("(O(OsOOiII))", unpickle, data,
                        vf_dtype_to_string(vf_tensor_get_dtype(copy)), shape, layout,
                        (int)vf_tensor_get_color_format(copy), vf_tensor_get_width(copy),
                        vf_tensor_get_height(copy));
  Py_XDECREF(unpickle);
  Py_XDECREF(layout);
  Py_XDECREF(shape);
  Py_XDECREF(data);
  vf_tensor_unref(copy);
  return out;
}

static PyObject *tensor_unpickle(PyObject *module, PyObject *args)
{
  (void)module;
  Py_buffer data;
  const char *dtype_name;
  PyObject *shape_object, *layout_object;
  int format;
  unsigned int width, height;
  if (!PyArg_ParseTuple(args, "y*sOOiII", &data, &dtype_name, &shape_object, &layout_object,
                        &format, &width, &height))
    return NULL;
  GError *error = NULL;
  VfTensor *tensor = NULL;
  VfDType dtype;
  VfLayout layout = VF_LAYOUT_NONE;
  if (format != VF_COLOR_FORMAT_UNKNOWN) {
    VfBuffer *frame = vf_buffer_new_copy((VfColorFormat)format, width, height, NULL, data.buf,
                                         (gsize)data.len, &error);
    if (frame) {
      tensor = vf_buffer_extract_writable(frame, 0, &error);
      vf_buffer_unref(frame);
    }
  } else if (!dtype_from_name(dtype_name, &dtype) || !PyTuple_Check(shape_object)
             || PyTuple_GET_SIZE(shape_object) > VF_TENSOR_MAX_DIMS
             || !layout_from_object(layout_object, &layout)) {
    PyBuffer_Release(&data);
    if (!PyErr_Occurred())
      PyErr_SetString(PyExc_ValueError, "not a pickled vidflow Tensor");
    return NULL;
  } else {
    gint64 shape[VF_TENSOR_MAX_DIMS];
    guint ndim = (guint)PyTuple_GET_SIZE(shape_object);
    for (guint i = 0; i < ndim; i++)
      shape[i] = PyLong_AsLongLong(PyTuple_GET_ITEM(shape_object, i));
    tensor = PyErr_Occurred() ? NULL : vf_tensor_new(dtype, ndim, shape, &error);
    gsize size = tensor ? vf_tensor_get_n_elements(tensor) * vf_dtype_size(dtype) : 0;
    if (tensor && size != (gsize)data.len) {
      vf_tensor_unref(tensor);
      tensor = NULL;
      PyErr_SetString(PyExc_ValueError, "pickled Tensor: data size does not match its shape");
    } else if (tensor) {
      memcpy(vf_tensor_get_data(tensor), data.buf, size);
      if (!vf_tensor_set_layout(tensor, layout, &error))
        g_clear_pointer(&tensor, vf_tensor_unref);
    }
  }
  PyBuffer_Release(&data);
  if (tensor == NULL)
    return PyErr_Occurred() ? NULL : vfpy_raise_gerror(error);
  return vfpy_tensor_new(tensor, FALSE);
}

static PyObject *tensor_repr(VfpyTensor *self)
{
  GString *s = g_string_new("vidflow.Tensor(shape=(");
  guint ndim = vf_tensor_get_ndim(self->tensor);
  for (guint i = 0; i < ndim; i++)
    g_string_append_printf(s, "%s%" G_GINT64_FORMAT, i ? ", " : "",
                           vf_tensor_get_shape(self->tensor)[i]);
  g_string_append_printf(s, "%s), dtype=%s, device=%s", ndim == 1 ? "," : "",
                         vf_dtype_to_string(vf_tensor_get_dtype(self->tensor)),
                         vf_tensor_get_device(self->tensor) == VF_DEVICE_CUDA ? "cuda" : "cpu");
  VfColorFormat format = vf_tensor_get_color_format(self->tensor);
  if (format != VF_COLOR_FORMAT_UNKNOWN)
    g_string_append_printf(s, ", format=%s", vf_color_format_to_string(format));
  if (self->readonly)
    g_string_append(s, ", readonly");
  g_string_append_c(s, ')');
  PyObject *r = PyUnicode_FromString(s->str);
  g_string_free(s, TRUE);
  return r;
}

/* ---- the buffer protocol (memoryview(t), numpy.asarray(t)) ---- */

static int tensor_getbuffer(VfpyTensor *self, Py_buffer *view, int flags)
{
  if (vf_tensor_get_device(self->tensor) != VF_DEVICE_CPU) {
    PyErr_SetString(PyExc_BufferError,
                    "a CUDA tensor has no CPU memory to view: use DLPack (torch.from_dlpack)");
    return -1;
  }
  if ((flags & PyBUF_WRITABLE) && self->readonly) {
    PyErr_SetString(PyExc_BufferError,
                    "this tensor is a read-only view of a pipeline's buffer: clone() it to write");
    return -1;
  }
  guint ndim = vf_tensor_get_ndim(self->tensor);
  gsize esize = vf_dtype_size(vf_tensor_get_dtype(self->tensor));
  if (!(flags & PyBUF_STRIDES) && !vf_tensor_is_contiguous(self->tensor)) {
    PyErr_SetString(PyExc_BufferError, "this tensor has strides: ask for a strided view");
    return -1;
  }
  view->buf = vf_tensor_get_data(self->tensor);
  view->obj = Py_NewRef(self);
  view->len = (Py_ssize_t)(vf_tensor_get_n_elements(self->tensor) * esize);
  view->itemsize = (Py_ssize_t)esize;
  view->readonly = self->readonly;
  view->ndim = (int)ndim;
  view->format
      = (flags & PyBUF_FORMAT) ? (char *)dtype_format(vf_tensor_get_dtype(self->tensor)) : NULL;
  view->shape = (flags & PyBUF_ND) ? self->shape : NULL;
  view->strides = (flags & PyBUF_STRIDES) ? self->strides : NULL;
  view->suboffsets = NULL;
  view->internal = NULL;
  return 0;
}

static PyBufferProcs tensor_as_buffer = { (getbufferproc)tensor_getbuffer, NULL };

static PyMethodDef tensor_methods[] = {
  { "clone", (PyCFunction)tensor_clone, METH_NOARGS,
    "clone()\n--\n\nA deep, contiguous copy with its own memory (frames keep their "
    "format). Keep clones, not views, when the data must outlive the next frames." },
  { "wrap", (PyCFunction)tensor_wrap, METH_O,
    "wrap(color_format)\n--\n\nA frame Buffer over this tensor's memory, zero-copy "
    "(the Buffer keeps the tensor alive): HWC uint8 for RGB/RGBA/BGR/BGRA, [H, W] for GRAY, "
    "[H*3/2, W] for NV12/I420, 1-D uint8 for JPEG/H264." },
  { "save", (PyCFunction)(void (*)(void))tensor_save, METH_VARARGS | METH_KEYWORDS,
    "save(path, quality=90)\n--\n\nWrite a frame as JPEG (quality 1..100) or PNG, by the "
    "file name's extension." },
  { "__dlpack__", (PyCFunction)(void (*)(void))tensor_dlpack, METH_VARARGS | METH_KEYWORDS,
    "__dlpack__(*, stream=None)\n--\n\nExport as a DLPack capsule (zero-copy): "
    "torch.utils.dlpack.from_dlpack(t), numpy.from_dlpack(t)." },
  { "__dlpack_device__", (PyCFunction)tensor_dlpack_device, METH_NOARGS,
    "__dlpack_device__()\n--\n\n(device type, device id) as DLPack numbers them." },
  { "__reduce__", (PyCFunction)tensor_reduce, METH_NOARGS,
    "Pickle support: the elements travel as bytes (multiprocessing.Queue)." },
  { NULL, NULL, 0, NULL },
};

PyTypeObject VfpyTensor_Type = {
  PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vidflow.Tensor",
  .tp_basicsize = sizeof(VfpyTensor),
  .tp_dealloc = (destructor)tensor_dealloc,
  .tp_repr = (reprfunc)tensor_repr,
  .tp_as_buffer = &tensor_as_buffer,
  .tp_flags = Py_TPFLAGS_DEFAULT,
  .tp_doc = "A frame or n-dimensional array (the seed's Tensor): a view with shape, strides, "
            "dtype and device over memory it keeps alive.\n\n"
            "Make one with as_tensor(x, layout) or Buffer.extract(i). It exports through DLPack "
            "(torch.utils.dlpack.from_dlpack, numpy.from_dlpack) and the buffer protocol "
            "(memoryview, numpy.asarray) without copying; tensor.wrap(ColorFormat.RGB) makes a "
            "frame Buffer of it. Views of a pipeline's buffers are read-only and keep that "
            "buffer alive: they never dangle.",
  .tp_methods = tensor_methods,
  .tp_getset = tensor_getset,
};

/* ---- DLPack import: a deleter that takes the GIL (producers such as numpy 1.24 need it, and
 * vidflow may drop the last reference on any thread) ---- */

typedef struct {
  DLManagedTensor managed; /* handed to vidflow */
  DLManagedTensor *original;
} GilDeleter;

static void call_original_deleter(gpointer data)
{
  DLManagedTensor *original = data;
  original->deleter(original);
}

static void gil_deleter(DLManagedTensor *managed)
{
  GilDeleter *g = (GilDeleter *)managed;
  DLManagedTensor *original = g->original;
  g_free(g);
  if (original->deleter)
    vfpy_with_gil(call_original_deleter, original);
}

static PyObject *tensor_from_capsule(PyObject *capsule, VfLayout layout)
{
  if (!PyCapsule_IsValid(capsule, "dltensor")) {
    PyErr_SetString(PyExc_ValueError,
                    "__dlpack__() did not return an unused DLPack capsule (named \"dltensor\")");
    return NULL;
  }
  DLManagedTensor *original = PyCapsule_GetPointer(capsule, "dltensor");
  GilDeleter *g = g_new0(GilDeleter, 1);
  g->managed.dl_tensor = original->dl_tensor;
  g->managed.manager_ctx = original->manager_ctx;
  g->managed.deleter = gil_deleter;
  g->original = original;
  GError *error = NULL;
  VfTensor *tensor = vf_tensor_from_dlpack(&g->managed, layout, &error);
  if (tensor == NULL) {
    g_free(g); /* the capsule still owns `original` */
    return vfpy_raise_gerror(error);
  }
  /* Consumed: the capsule must not delete it any more (the DLPack protocol's rename). */
  PyCapsule_SetName(capsule, "used_dltensor");
  return vfpy_tensor_new(tensor, FALSE);
}

/* ---- buffer-protocol import (bytes, bytearray, memoryview, read-only numpy arrays) ---- */

static void release_view_locked(gpointer data)
{
  PyBuffer_Release(data);
}

static void release_view(gpointer data)
{
  vfpy_with_gil(release_view_locked, data);
  g_free(data);
}

static PyObject *tensor_from_buffer_protocol(PyObject *object, VfLayout layout)
{
  Py_buffer *view = g_new0(Py_buffer, 1);
  if (PyObject_GetBuffer(object, view, PyBUF_RECORDS_RO) < 0) {
    g_free(view);
    return NULL;
  }
  VfDType dtype;
  const char *why = NULL;
  gint64 shape[VF_TENSOR_MAX_DIMS], strides[VF_TENSOR_MAX_DIMS];
  if (!dtype_from_format(view->format, view->itemsize, &dtype))
    why = "its element type is not one vidflow has (uint8/16, int8/16/32/64, float16/32/64)";
  else if (view->ndim < 1 || view->ndim > VF_TENSOR_MAX_DIMS)
    why = "it has no dimensions or more than 8";
  for (int i = 0; why == NULL && i < view->ndim; i++) {
    shape[i] = view->shape[i];
    if (view->strides[i] % view->itemsize != 0)
      why = "its strides are not whole elements";
    strides[i] = view->strides[i] / view->itemsize;
  }
  if (why) {
    PyErr_Format(PyExc_ValueError, "as_tensor(): cannot view this %s: %s", Py_TYPE(object)->tp_name,
                 why);
    PyBuffer_Release(view);
    g_free(view);
    return NULL;
  }
  gboolean readonly = view->readonly;
  GError *error = NULL;
  VfTensor *tensor = vf_tensor_new_wrapped(view->buf, dtype, (guint)view->ndim, shape, strides,
                                           VF_DEVICE_CPU, 0, view, release_view, &error);
  if (tensor && !vf_tensor_set_layout(tensor, layout, &error))
    g_clear_pointer(&tensor, vf_tensor_unref); /* released the view */
  else if (tensor == NULL) {
    PyBuffer_Release(view);
    g_free(view);
  }
  if (tensor == NULL)
    return vfpy_raise_gerror(error);
  return vfpy_tensor_new(tensor, readonly);
}

VfBuffer *vfpy_buffer_wrap_memory(PyObject *data, VfColorFormat format, guint width, guint height)
{
  Py_buffer *view = g_new0(Py_buffer, 1);
  if (PyObject_GetBuffer(data, view, PyBUF_C_CONTIGUOUS) < 0) {
    g_free(view);
    return NULL;
  }
  GError *error = NULL;
  VfBuffer *buffer = vf_buffer_new_wrapped(format, width, height, NULL, view->buf, (gsize)view->len,
                                           view, release_view, &error);
  if (buffer == NULL) { /* the notify was not called: release here */
    PyBuffer_Release(view);
    g_free(view);
    vfpy_raise_gerror(error);
  }
  return buffer;
}

/* ---- as_tensor ---- */

static PyObject *as_tensor(PyObject *module, PyObject *args, PyObject *kwargs)
{
  (void)module;
  static char *keywords[] = { "data", "layout", NULL };
  PyObject *data, *layout_object = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O", keywords, &data, &layout_object))
    return NULL;
  VfLayout layout;
  if (!layout_from_object(layout_object, &layout))
    return NULL;

  if (PyObject_TypeCheck(data, &VfpyTensor_Type)) {
    VfpyTensor *t = (VfpyTensor *)data;
    if (layout == vf_tensor_get_layout(t->tensor) || layout == VF_LAYOUT_NONE)
      return Py_NewRef(data);
    /* A new view with the layout: the original keeps its own. */
    GError *error = NULL;
    VfTensor *src = t->tensor;
    VfTensor *view = vf_tensor_new_wrapped(
        vf_tensor_get_data(src), vf_tensor_get_dtype(src), vf_tensor_get_ndim(src),
        vf_tensor_get_shape(src), vf_tensor_get_strides(src), vf_tensor_get_device(src),
        vf_tensor_get_device_id(src), vf_tensor_ref(src), (GDestroyNotify)vf_tensor_unref, &error);
    if (view && !vf_tensor_set_layout(view, layout, &error))
      g_clear_pointer(&view, vf_tensor_unref);
    if (view == NULL)
      return vfpy_raise_gerror(error);
    return vfpy_tensor_new(view, t->readonly);
  }

  PyObject *export = PyObject_GetAttrString(data, "__dlpack__");
  if (export) {
    PyObject *capsule = PyObject_CallNoArgs(export);
    Py_DECREF(export);
    if (capsule) {
      PyObject *out = tensor_from_capsule(capsule, layout);
      Py_DECREF(capsule);
      return out;
    }
    /* numpy refuses read-only arrays (DLPack cannot say read-only): view them instead */
    if (!PyErr_ExceptionMatches(PyExc_BufferError) || !PyObject_CheckBuffer(data))
      return NULL;
    PyErr_Clear();
  } else {
    PyErr_Clear();
  }
  if (PyObject_CheckBuffer(data))
    return tensor_from_buffer_protocol(data, layout);
  PyErr_Format(PyExc_TypeError,
               "as_tensor() takes a torch tensor, a numpy array, a vidflow Tensor, or any object "
               "with __dlpack__ or the buffer protocol; got a %s",
               Py_TYPE(data)->tp_name);
  return NULL;
}

PyMethodDef vfpy_tensor_functions[] = {
  { "as_tensor", (PyCFunction)(void (*)(void))as_tensor, METH_VARARGS | METH_KEYWORDS,
    "as_tensor(data, layout=None)\n--\n\n"
    "View `data` as a vidflow Tensor without copying: a torch tensor or any object with "
    "__dlpack__ (CPU or CUDA), a numpy array, or anything with the buffer protocol. layout is "
    "\"HWC\" (height, width, channels) or \"CHW\" for 3-D data. The tensor keeps `data` alive; "
    "tensor.wrap(ColorFormat.RGB) makes a frame of it." },
  { "_tensor_unpickle", tensor_unpickle, METH_VARARGS, "Rebuild a pickled Tensor." },
  { NULL, NULL, 0, NULL },
};
