/* vidflow Python module: Buffer (a VfBuffer: a frame, a batch, encoded data, or end of stream).
 *
 * Buffer() is end of stream. Buffer(data) holds bytes whose format is not known yet: the feeder
 * it is returned to gives it its provider's format and size. Buffers handed to a probe are lent:
 * valid during the callback only (the pipeline then passes the buffer on), and raise
 * ExpiredError afterwards. Buffers handed to a retriever hold their own reference: keep them as
 * long as you like. */
#include "vfpy.h"

PyObject *vfpy_buffer_new(VfBuffer *buffer, gboolean lent)
{
  VfpyBuffer *self = PyObject_New(VfpyBuffer, &VfpyBuffer_Type);
  if (self == NULL)
    return NULL;
  self->buffer = vf_buffer_ref(buffer);
  self->pending = NULL;
  self->pending_copy = FALSE;
  self->lent = lent;
  self->expired = FALSE;
  return (PyObject *)self;
}

void vfpy_buffer_expire(VfpyBuffer *self)
{
  g_clear_pointer(&self->buffer, vf_buffer_unref);
  self->expired = TRUE;
}

VfBuffer *vfpy_buffer_get(VfpyBuffer *self)
{
  if (self->buffer)
    return self->buffer;
  if (self->expired)
    vfpy_raise_expired("a Buffer handed to BufferOperator.handle_buffer()");
  else
    PyErr_SetString(PyExc_ValueError,
                    "this Buffer(data) has no format yet: return it from a BufferProvider "
                    "(its feeder gives it the provider's format), or make it with "
                    "Buffer(data, format=..., width=..., height=...)");
  return NULL;
}

/* Frame memory for `data`: a private copy for immutable bytes and for lists of ints (the
 * pipeline may draw on frames), the object's own memory (zero-copy) for writable buffers. */
static VfBuffer *buffer_from_data(PyObject *data, gboolean copy, VfColorFormat format, guint width,
                                  guint height)
{
  if (copy) {
    GError *error = NULL;
    VfBuffer *b = vf_buffer_new_copy(format, width, height, NULL, PyBytes_AS_STRING(data),
                                     (gsize)PyBytes_GET_SIZE(data), &error);
    return b ? b : (vfpy_raise_gerror(error), NULL);
  }
  return vfpy_buffer_wrap_memory(data, format, width, height);
}

static PyObject *buffer_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
  static char *keywords[] = { "data", "format", "width", "height", NULL };
  PyObject *data = NULL, *format_object = Py_None;
  unsigned int width = 0, height = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OOII", keywords, &data, &format_object, &width,
                                   &height))
    return NULL;
  VfpyBuffer *self = (VfpyBuffer *)type->tp_alloc(type, 0);
  if (self == NULL)
    return NULL;
  if (data == NULL || data == Py_None) {
    self->buffer = vf_buffer_new_empty();
    return (PyObject *)self;
  }
  /* A list/tuple of ints (the seed's Buffer([...])) becomes bytes of our own, used in place;
   * bytes objects are immutable and may be shared: they are copied. */
  gboolean copy = PyBytes_Check(data);
  PyObject *bytes = PyObject_CheckBuffer(data) ? Py_NewRef(data) : PyBytes_FromObject(data);
  if (bytes == NULL) {
    Py_DECREF(self);
    if (!PyErr_ExceptionMatches(PyExc_TypeError))
      return NULL; /* e.g. ValueError: an int out of 0..255 */
    PyErr_Format(PyExc_TypeError,
                 "Buffer(data): data is bytes, a buffer (bytearray, memoryview, numpy array) or a "
                 "list of ints 0..255, not a %s",
                 Py_TYPE(data)->tp_name);
    return NULL;
  }
  if (format_object == Py_None) {
    self->pending = bytes;
    self->pending_copy = copy;
    return (PyObject *)self;
  }
  VfColorFormat format;
  if (vfpy_color_format_from_object(format_object, &format))
    self->buffer = buffer_from_data(bytes, copy, format, width, height);
  Py_DECREF(bytes);
  if (self->buffer == NULL) {
    Py_DECREF(self);
    return NULL;
  }
  return (PyObject *)self;
}

static void buffer_dealloc(VfpyBuffer *self)
{
  if (self->buffer)
    vf_buffer_unref(self->buffer);
  Py_XDECREF(self->pending);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

VfBuffer *vfpy_buffer_take_for_feeder(PyObject *object, const VfProviderInfo *info)
{
  if (!PyObject_TypeCheck(object, &VfpyBuffer_Type)) {
    PyErr_Format(PyExc_TypeError,
                 "generate() returned %s: return a Buffer (Buffer() ends the stream; "
                 "as_tensor(frame, \"HWC\").wrap(ColorFormat.RGB) wraps a frame)",
                 object == Py_None ? "None" : Py_TYPE(object)->tp_name);
    return NULL;
  }
  VfpyBuffer *self = (VfpyBuffer *)object;
  if (self->pending) {
    if (info->format == VF_COLOR_FORMAT_UNKNOWN) {
      PyErr_SetString(PyExc_ValueError,
                      "generate() returned Buffer(data) but the provider has no format: set "
                      "its format (and width/height for raw frames)");
      return NULL;
    }
    return buffer_from_data(self->pending, self->pending_copy, info->format, info->width,
                            info->height);
  }
  VfBuffer *b = vfpy_buffer_get(self);
  if (b == NULL)
    return NULL;
  if (Py_REFCNT(object) == 1 && !self->lent) /* nobody else sees it: hand over our reference */
    return g_steal_pointer(&self->buffer);
  return vf_buffer_ref(b);
}

/* ---- methods ---- */

static PyObject *buffer_extract(VfpyBuffer *self, PyObject *arg)
{
  VfBuffer *b = vfpy_buffer_get(self);
  if (b == NULL)
    return NULL;
  long index = PyLong_AsLong(arg);
  if (index == -1 && PyErr_Occurred())
    return NULL;
  guint n = vf_buffer_get_batch_size(b);
  if (index < 0 || (gulong)index >= n) {
    PyErr_Format(PyExc_IndexError, "extract(%ld): this buffer holds %u frame%s", index, n,
                 n == 1 ? "" : "s");
    return NULL;
  }
  GError *error = NULL;
  VfTensor *t = vf_buffer_extract(b, (guint)index, &error);
  if (t == NULL)
    return vfpy_raise_gerror(error);
  return vfpy_tensor_new(t, TRUE);
}

static PyObject *buffer_clone(VfpyBuffer *self, PyObject *unused)
{
  (void)unused;
  VfBuffer *b = vfpy_buffer_get(self);
  if (b == NULL)
    return NULL;
  GError *error = NULL;
  VfBuffer *copy;
  VFPY_UNLOCKED(copy = vf_buffer_clone(b, &error));
  if (copy == NULL)
    return vfpy_raise_gerror(error);
  PyObject *out = vfpy_buffer_new(copy, FALSE);
  vf_buffer_unref(copy);
  return out;
}

static PyObject *buffer_get_batch_meta(VfpyBuffer *self, void *closure)
{
  (void)closure;
  VfBuffer *b = vfpy_buffer_get(self);
  if (b == NULL)
    return NULL;
  VfBatchMeta *meta = vf_buffer_get_batch_meta(b);
  if (meta == NULL)
    Py_RETURN_NONE;
  return vfpy_batch_meta_from_buffer(self, meta);
}

static PyObject *buffer_get_batch_size(VfpyBuffer *self, void *closure)
{
  (void)closure;
  VfBuffer *b = vfpy_buffer_get(self);
  return b ? PyLong_FromUnsignedLong(vf_buffer_get_batch_size(b)) : NULL;
}

static PyObject *buffer_get_format(VfpyBuffer *self, void *closure)
{
  (void)closure;
  VfBuffer *b = vfpy_buffer_get(self);
  return b ? vfpy_color_format_to_object(vf_buffer_get_color_format(b)) : NULL;
}

static PyObject *buffer_get_width(VfpyBuffer *self, void *closure)
{
  (void)closure;
  VfBuffer *b = vfpy_buffer_get(self);
  return b ? PyLong_FromUnsignedLong(vf_buffer_get_width(b)) : NULL;
}

static PyObject *buffer_get_height(VfpyBuffer *self, void *closure)
{
  (void)closure;
  VfBuffer *b = vfpy_buffer_get(self);
  return b ? PyLong_FromUnsignedLong(vf_buffer_get_height(b)) : NULL;
}

static PyObject *buffer_get_pts(VfpyBuffer *self, void *closure)
{
  (void)closure;
  VfBuffer *b = vfpy_buffer_get(self);
  if (b == NULL)
    return NULL;
  GstClockTime pts = vf_buffer_get_pts(b);
  if (!GST_CLOCK_TIME_IS_VALID(pts))
    Py_RETURN_NONE;
  return PyLong_FromUnsignedLongLong(pts);
}

static PyObject *buffer_get_empty(VfpyBuffer *self, void *closure)
{
  (void)closure;
  if (self->pending)
    return PyBool_FromLong(PyObject_Length(self->pending) == 0);
  VfBuffer *b = vfpy_buffer_get(self);
  return b ? PyBool_FromLong(vf_buffer_is_empty(b)) : NULL;
}

static PyObject *buffer_get_size(VfpyBuffer *self, void *closure)
{
  (void)closure;
  if (self->pending)
    return PyLong_FromSsize_t(PyObject_Length(self->pending));
  VfBuffer *b = vfpy_buffer_get(self);
  if (b == NULL)
    return NULL;
  GstBuffer *g = vf_buffer_get_gst_buffer(b);
  return PyLong_FromSize_t(g ? gst_buffer_get_size(g) : 0);
}

static PyObject *buffer_repr(VfpyBuffer *self)
{
  if (self->expired)
    return PyUnicode_FromString("vidflow.Buffer(expired)");
  if (self->pending)
    return PyUnicode_FromFormat("vidflow.Buffer(%zd bytes, format from its feeder)",
                                PyObject_Length(self->pending));
  if (vf_buffer_is_empty(self->buffer))
    return PyUnicode_FromString("vidflow.Buffer(end of stream)");
  return PyUnicode_FromFormat("vidflow.Buffer(%s %ux%u, %u frame%s%s)",
                              vf_color_format_to_string(vf_buffer_get_color_format(self->buffer)),
                              vf_buffer_get_width(self->buffer), vf_buffer_get_height(self->buffer),
                              vf_buffer_get_batch_size(self->buffer),
                              vf_buffer_get_batch_size(self->buffer) == 1 ? "" : "s",
                              self->lent ? ", lent" : "");
}

static PyMethodDef buffer_methods[] = {
  { "extract", (PyCFunction)buffer_extract, METH_O,
    "extract(index)\n--\n\nFrame `index` of the batch as a zero-copy, read-only "
    "Tensor that keeps this buffer alive (HWC for RGB/RGBA, [H*3/2, W] for NV12/I420). "
    "clone() it to keep a copy that the pipeline's memory pools never reuse." },
  { "clone", (PyCFunction)buffer_clone, METH_NOARGS,
    "clone()\n--\n\nA deep copy with its own memory and metadata." },
  { NULL, NULL, 0, NULL },
};

static PyGetSetDef buffer_getset[] = {
  { "batch_meta", (getter)buffer_get_batch_meta, NULL,
    "The BatchMetadata of a batched buffer (vfmux output), or None.", NULL },
  { "batch_size", (getter)buffer_get_batch_size, NULL,
    "Frames in the buffer: those of a batch, 1 for a frame, 0 at end of stream.", NULL },
  { "format", (getter)buffer_get_format, NULL, "The ColorFormat of the frames (or None).", NULL },
  { "width", (getter)buffer_get_width, NULL, "Width of frame 0.", NULL },
  { "height", (getter)buffer_get_height, NULL, "Height of frame 0.", NULL },
  { "pts", (getter)buffer_get_pts, NULL, "Presentation time in ns, or None.", NULL },
  { "empty", (getter)buffer_get_empty, NULL, "True for Buffer(): the end of the stream.", NULL },
  { "size", (getter)buffer_get_size, NULL, "Bytes held.", NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject VfpyBuffer_Type = {
  PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vidflow.Buffer",
  .tp_basicsize = sizeof(VfpyBuffer),
  .tp_dealloc = (destructor)buffer_dealloc,
  .tp_repr = (reprfunc)buffer_repr,
  .tp_flags = Py_TPFLAGS_DEFAULT,
  .tp_doc = "Buffer(data=None, format=None, width=0, height=0)\n--\n\n"
            "What flows through a pipeline: a frame, a batch of frames, encoded data (JPEG, "
            "H.264), or, as Buffer(), the end of a stream.\n\n"
            "Buffer(data) takes bytes, a list of ints or any buffer object and gets its format "
            "from the provider it is returned from (bytes and lists are copied, writable buffers "
            "are used in place); with format=, width=, height= it is a frame at once. "
            "extract(i) views frame i as a Tensor, clone() copies, batch_meta reads the "
            "metadata of a batch.",
  .tp_methods = buffer_methods,
  .tp_getset = buffer_getset,
  .tp_new = buffer_new,
};
