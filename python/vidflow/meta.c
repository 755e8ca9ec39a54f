/* vidflow Python module: batch → frame → object metadata (BatchMetadata, FrameMetadata,
 * ObjectMetadata).
 *
 * Lifetimes (never a dangling pointer):
 * - BatchMetadata and FrameMetadata are views into a buffer's VfBatchMeta. From Buffer.batch_meta
 *   they live as long as that Buffer does; handed to handle_metadata() (or taken from a lent
 *   Buffer) they are valid during the callback only and raise ExpiredError afterwards.
 * - ObjectMetadata holds a reference on its VfObjectMeta: valid for ever. It may be changed only
 *   while its batch is lent to a callback (or before it is added to a frame); elsewhere the
 *   pipeline reads it concurrently and writes raise ValueError. */
#include "vfpy.h"

typedef struct {
  PyObject_HEAD VfBatchMeta *meta; /* set for lent metadata (owner NULL) */
  PyObject *owner;                 /* the VfpyBuffer it was read from, or NULL */
  gboolean writable;               /* lent to a callback that may change it */
} VfpyBatchMeta;

typedef struct {
  PyObject_HEAD VfFrameMeta *frame;
  VfpyBatchMeta *batch; /* keeps the view's validity */
} VfpyFrameMeta;

typedef struct {
  PyObject_HEAD VfObjectMeta *object; /* a reference */
  VfpyBatchMeta *scope; /* the batch it was read from (writability); NULL: made by the user */
} VfpyObjectMeta;

typedef struct {
  PyObject_HEAD VfpyBatchMeta *batch;
  guint index;
} VfpyFrameIter;

typedef struct {
  PyObject_HEAD GPtrArray *objects; /* a snapshot of references */
  guint index;
  VfpyBatchMeta *scope;
} VfpyObjectIter;

static PyTypeObject *rect_type;           /* vidflow.Rect (left, top, width, height) */
static PyTypeObject *classification_type; /* vidflow.Classification */

/* ---- validity ---- */

static VfBatchMeta *batch_get(VfpyBatchMeta *self)
{
  if (self->owner) {
    VfpyBuffer *b = (VfpyBuffer *)self->owner;
    if (b->buffer)
      return vf_buffer_get_batch_meta(b->buffer);
    vfpy_raise_expired("the BatchMetadata of a Buffer handed to handle_buffer()");
    return NULL;
  }
  if (self->meta == NULL)
    vfpy_raise_expired("a BatchMetadata handed to handle_metadata()");
  return self->meta;
}

static gboolean batch_check_writable(VfpyBatchMeta *batch)
{
  if (batch_get(batch) == NULL)
    return FALSE;
  if (!batch->writable) {
    PyErr_SetString(PyExc_ValueError,
                    "this metadata belongs to a buffer the pipeline still reads (a retriever's): "
                    "it is read-only; change metadata in a probe (handle_metadata/handle_buffer)");
    return FALSE;
  }
  return TRUE;
}

static VfFrameMeta *frame_get(VfpyFrameMeta *self)
{
  return batch_get(self->batch) ? self->frame : NULL;
}

static gboolean object_check_writable(VfpyObjectMeta *self)
{
  return self->scope == NULL || batch_check_writable(self->scope);
}

/* ---- BatchMetadata ---- */

static PyObject *batch_new(VfBatchMeta *meta, PyObject *owner, gboolean writable)
{
  VfpyBatchMeta *self = PyObject_New(VfpyBatchMeta, &VfpyBatchMeta_Type);
  if (self == NULL)
    return NULL;
  self->meta = owner ? NULL : meta;
  self->owner = Py_XNewRef(owner);
  self->writable = writable;
  return (PyObject *)self;
}

PyObject *vfpy_batch_meta_from_buffer(VfpyBuffer *buffer, VfBatchMeta *meta)
{
  return batch_new(meta, (PyObject *)buffer, buffer->lent);
}

PyObject *vfpy_batch_meta_lend(VfBatchMeta *meta)
{
  return batch_new(meta, NULL, TRUE);
}

void vfpy_batch_meta_expire(PyObject *batch_meta)
{
  ((VfpyBatchMeta *)batch_meta)->meta = NULL;
}

static void batch_dealloc(VfpyBatchMeta *self)
{
  Py_XDECREF(self->owner);
  PyObject_Free(self);
}

static PyObject *batch_get_n_frames(VfpyBatchMeta *self, void *closure)
{
  (void)closure;
  VfBatchMeta *m = batch_get(self);
  return m ? PyLong_FromUnsignedLong(vf_batch_meta_get_n_frames(m)) : NULL;
}

static PyObject *batch_get_max_frames(VfpyBatchMeta *self, void *closure)
{
  (void)closure;
  VfBatchMeta *m = batch_get(self);
  return m ? PyLong_FromUnsignedLong(vf_batch_meta_get_max_frames(m)) : NULL;
}

static PyObject *batch_get_frame_items(VfpyBatchMeta *self, void *closure)
{
  (void)closure;
  if (batch_get(self) == NULL)
    return NULL;
  VfpyFrameIter *it = PyObject_New(VfpyFrameIter, &VfpyFrameIter_Type);
  if (it == NULL)
    return NULL;
  it->batch = (VfpyBatchMeta *)Py_NewRef(self);
  it->index = 0;
  return (PyObject *)it;
}

static PyObject *frame_new(VfpyBatchMeta *batch, VfFrameMeta *frame);

static PyObject *batch_get_frame(VfpyBatchMeta *self, PyObject *arg)
{
  VfBatchMeta *m = batch_get(self);
  if (m == NULL)
    return NULL;
  long i = PyLong_AsLong(arg);
  if (i == -1 && PyErr_Occurred())
    return NULL;
  VfFrameMeta *f = i >= 0 ? vf_batch_meta_get_frame(m, (guint)i) : NULL;
  if (f == NULL) {
    PyErr_Format(PyExc_IndexError, "frame %ld: the batch holds %u frames", i,
                 vf_batch_meta_get_n_frames(m));
    return NULL;
  }
  return frame_new(self, f);
}

static PyObject *batch_get_valid(VfpyBatchMeta *self, void *closure)
{
  (void)closure;
  gboolean valid = self->owner ? ((VfpyBuffer *)self->owner)->buffer != NULL : self->meta != NULL;
  return PyBool_FromLong(valid);
}

static PyGetSetDef batch_getset[] = {
  { "frame_items", (getter)batch_get_frame_items, NULL,
    "An iterator over the FrameMetadata of the batch, in batch order.", NULL },
  { "n_frames", (getter)batch_get_n_frames, NULL, "Frames in the batch (no iteration).", NULL },
  { "max_frames", (getter)batch_get_max_frames, NULL,
    "The batch size the muxer was configured with (a partial batch has fewer frames).", NULL },
  { "valid", (getter)batch_get_valid, NULL,
    "False once the callback this metadata was lent to has returned.", NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

static PyMethodDef batch_methods[] = {
  { "frame", (PyCFunction)batch_get_frame, METH_O,
    "frame(index)\n--\n\nFrame `index` of the batch." },
  { NULL, NULL, 0, NULL },
};

PyTypeObject VfpyBatchMeta_Type = {
  PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vidflow.BatchMetadata",
  .tp_basicsize = sizeof(VfpyBatchMeta),
  .tp_dealloc = (destructor)batch_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT,
  .tp_doc = "The metadata of a batch (vfmux output): frame_items iterates its frames.\n\n"
            "Handed to BatchMetadataOperator.handle_metadata() it is valid during that call "
            "only; afterwards every use raises ExpiredError (never a crash). Read from a "
            "retriever's Buffer.batch_meta it lives as long as the Buffer, read-only.",
  .tp_methods = batch_methods,
  .tp_getset = batch_getset,
};

static PyObject *frame_iter_next(VfpyFrameIter *self)
{
  VfBatchMeta *m = batch_get(self->batch);
  if (m == NULL)
    return NULL;
  VfFrameMeta *f = vf_batch_meta_get_frame(m, self->index);
  if (f == NULL)
    return NULL; /* StopIteration */
  self->index++;
  return frame_new(self->batch, f);
}

static void frame_iter_dealloc(VfpyFrameIter *self)
{
  Py_DECREF(self->batch);
  PyObject_Free(self);
}

PyTypeObject VfpyFrameIter_Type = {
  PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vidflow.FrameIterator",
  .tp_basicsize = sizeof(VfpyFrameIter),
  .tp_dealloc = (destructor)frame_iter_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT,
  .tp_iter = PyObject_SelfIter,
  .tp_iternext = (iternextfunc)frame_iter_next,
};

/* ---- FrameMetadata ---- */

static PyObject *frame_new(VfpyBatchMeta *batch, VfFrameMeta *frame)
{
  VfpyFrameMeta *self = PyObject_New(VfpyFrameMeta, &VfpyFrameMeta_Type);
  if (self == NULL)
    return NULL;
  self->frame = frame;
  self->batch = (VfpyBatchMeta *)Py_NewRef(batch);
  return (PyObject *)self;
}

static void frame_dealloc(VfpyFrameMeta *self)
{
  Py_DECREF(self->batch);
  PyObject_Free(self);
}

static PyObject *object_new(VfObjectMeta *object, VfpyBatchMeta *scope);

enum {
  FRAME_NUMBER,
  FRAME_SOURCE_ID,
  FRAME_BATCH_ID,
  FRAME_PTS,
  FRAME_DURATION,
  FRAME_RUNNING_TIME,
  FRAME_SOURCE_WIDTH,
  FRAME_SOURCE_HEIGHT,
  FRAME_WIDTH,
  FRAME_HEIGHT,
  FRAME_N_OBJECTS,
};

static PyObject *clock_time(GstClockTime t)
{
  if (!GST_CLOCK_TIME_IS_VALID(t))
    Py_RETURN_NONE;
  return PyLong_FromUnsignedLongLong(t);
}

static PyObject *frame_get_number(VfpyFrameMeta *self, void *closure)
{
  VfFrameMeta *f = frame_get(self);
  if (f == NULL)
    return NULL;
  switch (GPOINTER_TO_INT(closure)) {
  case FRAME_NUMBER:
    return PyLong_FromUnsignedLongLong(vf_frame_meta_get_frame_number(f));
  case FRAME_SOURCE_ID:
    return PyLong_FromUnsignedLong(vf_frame_meta_get_source_id(f));
  case FRAME_BATCH_ID:
    return PyLong_FromUnsignedLong(vf_frame_meta_get_batch_index(f));
  case FRAME_PTS:
    return clock_time(vf_frame_meta_get_pts(f));
  case FRAME_DURATION:
    return clock_time(vf_frame_meta_get_duration(f));
  case FRAME_RUNNING_TIME:
    return clock_time(vf_frame_meta_get_running_time(f));
  case FRAME_SOURCE_WIDTH:
    return PyLong_FromUnsignedLong(vf_frame_meta_get_original_width(f));
  case FRAME_SOURCE_HEIGHT:
    return PyLong_FromUnsignedLong(vf_frame_meta_get_original_height(f));
  case FRAME_WIDTH:
    return PyLong_FromLong(GST_VIDEO_INFO_WIDTH(vf_frame_meta_get_video_info(f)));
  case FRAME_HEIGHT:
    return PyLong_FromLong(GST_VIDEO_INFO_HEIGHT(vf_frame_meta_get_video_info(f)));
  default:
    return PyLong_FromUnsignedLong(vf_frame_meta_get_n_objects(f));
  }
}

static PyObject *optional_string(const char *s)
{
  if (s == NULL)
    Py_RETURN_NONE;
  return PyUnicode_FromString(s);
}

static PyObject *frame_get_sensor_id(VfpyFrameMeta *self, void *closure)
{
  (void)closure;
  VfFrameMeta *f = frame_get(self);
  return f ? optional_string(vf_frame_meta_get_sensor_id(f)) : NULL;
}

static PyObject *frame_get_sensor_name(VfpyFrameMeta *self, void *closure)
{
  (void)closure;
  VfFrameMeta *f = frame_get(self);
  return f ? optional_string(vf_frame_meta_get_sensor_name(f)) : NULL;
}

static PyObject *rect_new(const VfRect *r)
{
  PyObject *t = PyStructSequence_New(rect_type);
  if (t == NULL)
    return NULL;
  PyStructSequence_SET_ITEM(t, 0, PyFloat_FromDouble(r->left));
  PyStructSequence_SET_ITEM(t, 1, PyFloat_FromDouble(r->top));
  PyStructSequence_SET_ITEM(t, 2, PyFloat_FromDouble(r->width));
  PyStructSequence_SET_ITEM(t, 3, PyFloat_FromDouble(r->height));
  return t;
}

static gboolean rect_from_object(PyObject *o, VfRect *r)
{
  PyObject *t = PySequence_Check(o) ? PySequence_Tuple(o) : NULL;
  gboolean ok = t
                && PyArg_ParseTuple(t, "ffff;a rectangle is (left, top, width, height)", &r->left,
                                    &r->top, &r->width, &r->height);
  if (t == NULL && !PyErr_Occurred())
    PyErr_SetString(PyExc_TypeError, "a rectangle is (left, top, width, height)");
  Py_XDECREF(t);
  return ok;
}

static PyObject *frame_get_content_rect(VfpyFrameMeta *self, void *closure)
{
  (void)closure;
  VfFrameMeta *f = frame_get(self);
  if (f == NULL)
    return NULL;
  VfRect r;
  vf_frame_meta_get_content_rect(f, &r);
  return rect_new(&r);
}

static PyObject *frame_get_object_items(VfpyFrameMeta *self, void *closure)
{
  (void)closure;
  VfFrameMeta *f = frame_get(self);
  if (f == NULL)
    return NULL;
  VfpyObjectIter *it = PyObject_New(VfpyObjectIter, &VfpyObjectIter_Type);
  if (it == NULL)
    return NULL;
  /* Objects may be changed through a lent batch: this batch's own, not those copies share. */
  if (self->batch->writable)
    vf_frame_meta_make_objects_writable(f);
  it->objects = vf_frame_meta_get_objects(f);
  it->index = 0;
  it->scope = (VfpyBatchMeta *)Py_NewRef(self->batch);
  return (PyObject *)it;
}

static PyObject *frame_get_valid(VfpyFrameMeta *self, void *closure)
{
  return batch_get_valid(self->batch, closure);
}

static PyObject *frame_add_object(VfpyFrameMeta *self, PyObject *arg)
{
  if (!PyObject_TypeCheck(arg, &VfpyObjectMeta_Type)) {
    PyErr_Format(PyExc_TypeError, "append() takes an ObjectMetadata, not a %s",
                 Py_TYPE(arg)->tp_name);
    return NULL;
  }
  VfFrameMeta *f = frame_get(self);
  if (f == NULL || !batch_check_writable(self->batch))
    return NULL;
  VfpyObjectMeta *o = (VfpyObjectMeta *)arg;
  if (!vf_frame_meta_add_object(f, o->object)) {
    PyErr_SetString(PyExc_ValueError, "append(): this object is in this frame already");
    return NULL;
  }
  if (o->scope == NULL) /* from now on the pipeline reads it: writable only while lent */
    o->scope = (VfpyBatchMeta *)Py_NewRef(self->batch);
  Py_RETURN_NONE;
}

static PyObject *frame_remove_object(VfpyFrameMeta *self, PyObject *arg)
{
  if (!PyObject_TypeCheck(arg, &VfpyObjectMeta_Type)) {
    PyErr_Format(PyExc_TypeError, "remove() takes an ObjectMetadata, not a %s",
                 Py_TYPE(arg)->tp_name);
    return NULL;
  }
  VfFrameMeta *f = frame_get(self);
  if (f == NULL || !batch_check_writable(self->batch))
    return NULL;
  if (!vf_frame_meta_remove_object(f, ((VfpyObjectMeta *)arg)->object)) {
    PyErr_SetString(PyExc_ValueError, "remove(): this object is not in this frame");
    return NULL;
  }
  Py_RETURN_NONE;
}

static PyGetSetDef frame_getset[] = {
  { "frame_number", (getter)frame_get_number, NULL,
    "Frame number within its source, from 0 (vfmux counts).", GINT_TO_POINTER(FRAME_NUMBER) },
  { "source_id", (getter)frame_get_number, NULL, "The vfmux sink pad index (sink_%u).",
    GINT_TO_POINTER(FRAME_SOURCE_ID) },
  { "pad_index", (getter)frame_get_number, NULL, "Same as source_id (DeepStream's name).",
    GINT_TO_POINTER(FRAME_SOURCE_ID) },
  { "batch_id", (getter)frame_get_number, NULL, "Position in the batch (extract(batch_id)).",
    GINT_TO_POINTER(FRAME_BATCH_ID) },
  { "buffer_pts", (getter)frame_get_number, NULL, "PTS as the source stamped it (ns) or None.",
    GINT_TO_POINTER(FRAME_PTS) },
  { "duration", (getter)frame_get_number, NULL, "Duration (ns) or None.",
    GINT_TO_POINTER(FRAME_DURATION) },
  { "running_time", (getter)frame_get_number, NULL, "Running time (ns) or None.",
    GINT_TO_POINTER(FRAME_RUNNING_TIME) },
  { "source_width", (getter)frame_get_number, NULL, "Width as the source produced it.",
    GINT_TO_POINTER(FRAME_SOURCE_WIDTH) },
  { "source_height", (getter)frame_get_number, NULL, "Height as the source produced it.",
    GINT_TO_POINTER(FRAME_SOURCE_HEIGHT) },
  { "width", (getter)frame_get_number, NULL, "Width as stored in the batch.",
    GINT_TO_POINTER(FRAME_WIDTH) },
  { "height", (getter)frame_get_number, NULL, "Height as stored in the batch.",
    GINT_TO_POINTER(FRAME_HEIGHT) },
  { "n_objects", (getter)frame_get_number, NULL, "Objects in the frame (no iteration).",
    GINT_TO_POINTER(FRAME_N_OBJECTS) },
  { "sensor_id", (getter)frame_get_sensor_id, NULL, "Sensor id from a source list, or None.",
    NULL },
  { "sensor_name", (getter)frame_get_sensor_name, NULL, "Sensor name from a source list, or None.",
    NULL },
  { "content_rect", (getter)frame_get_content_rect, NULL,
    "The part of the stored frame holding the picture (vfmux padding excluded).", NULL },
  { "object_items", (getter)frame_get_object_items, NULL,
    "An iterator over the frame's objects (a snapshot: list() it to use it twice).", NULL },
  { "valid", (getter)frame_get_valid, NULL,
    "False once the callback this metadata was lent to has returned.", NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

static PyMethodDef frame_methods[] = {
  { "append", (PyCFunction)frame_add_object, METH_O,
    "append(obj)\n--\n\nAdd an ObjectMetadata to the frame (in a probe)." },
  { "remove", (PyCFunction)frame_remove_object, METH_O,
    "remove(obj)\n--\n\nRemove an object from the frame (in a probe); the ObjectMetadata "
    "stays valid." },
  { NULL, NULL, 0, NULL },
};

PyTypeObject VfpyFrameMeta_Type = {
  PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vidflow.FrameMetadata",
  .tp_basicsize = sizeof(VfpyFrameMeta),
  .tp_dealloc = (destructor)frame_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT,
  .tp_doc = "The metadata of one frame of a batch: its numbers, size, sensor, and its objects "
            "(object_items, n_objects). Valid as long as its BatchMetadata is.",
  .tp_methods = frame_methods,
  .tp_getset = frame_getset,
};

static PyObject *object_iter_next(VfpyObjectIter *self)
{
  if (self->index >= self->objects->len)
    return NULL;
  VfObjectMeta *o = g_ptr_array_index(self->objects, self->index++);
  return object_new(vf_object_meta_ref(o), self->scope);
}

static void object_iter_dealloc(VfpyObjectIter *self)
{
  g_ptr_array_unref(self->objects);
  Py_DECREF(self->scope);
  PyObject_Free(self);
}

PyTypeObject VfpyObjectIter_Type = {
  PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vidflow.ObjectIterator",
  .tp_basicsize = sizeof(VfpyObjectIter),
  .tp_dealloc = (destructor)object_iter_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT,
  .tp_iter = PyObject_SelfIter,
  .tp_iternext = (iternextfunc)object_iter_next,
};

/* ---- ObjectMetadata ---- */

/* Takes `object` (transfer full). */
static PyObject *object_new(VfObjectMeta *object, VfpyBatchMeta *scope)
{
  VfpyObjectMeta *self = PyObject_New(VfpyObjectMeta, &VfpyObjectMeta_Type);
  if (self == NULL) {
    vf_object_meta_unref(object);
    return NULL;
  }
  self->object = object;
  self->scope = (VfpyBatchMeta *)Py_XNewRef(scope);
  return (PyObject *)self;
}

static PyObject *object_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
  if (PyTuple_GET_SIZE(args) > 0) {
    PyErr_SetString(PyExc_TypeError, "ObjectMetadata() takes fields as keywords only");
    return NULL;
  }
  VfpyObjectMeta *self = (VfpyObjectMeta *)type->tp_alloc(type, 0);
  if (self == NULL)
    return NULL;
  self->object = vf_object_meta_new();
  self->scope = NULL;
  /* ObjectMetadata(class_id=2, confidence=0.9, rect=(...), label="Car") */
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  while (kwargs && PyDict_Next(kwargs, &pos, &key, &value))
    if (PyObject_SetAttr((PyObject *)self, key, value) < 0) {
      Py_DECREF(self);
      return NULL;
    }
  return (PyObject *)self;
}

static void object_dealloc(VfpyObjectMeta *self)
{
  vf_object_meta_unref(self->object);
  Py_XDECREF(self->scope);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

enum {
  OBJ_CLASS_ID,
  OBJ_CONFIDENCE,
  OBJ_TRACKER_CONFIDENCE,
  OBJ_OBJECT_ID,
  OBJ_COMPONENT_ID,
  OBJ_RECT,
  OBJ_TRACKER_RECT,
  OBJ_LABEL,
};

static PyObject *object_get(VfpyObjectMeta *self, void *closure)
{
  VfObjectMeta *o = self->object;
  VfRect r;
  switch (GPOINTER_TO_INT(closure)) {
  case OBJ_CLASS_ID:
    return PyLong_FromLong(vf_object_meta_get_class_id(o));
  case OBJ_CONFIDENCE:
    return PyFloat_FromDouble(vf_object_meta_get_confidence(o));
  case OBJ_TRACKER_CONFIDENCE:
    return PyFloat_FromDouble(vf_object_meta_get_tracker_confidence(o));
  case OBJ_OBJECT_ID: {
    guint64 id = vf_object_meta_get_object_id(o);
    if (id == VF_OBJECT_UNTRACKED)
      Py_RETURN_NONE;
    return PyLong_FromUnsignedLongLong(id);
  }
  case OBJ_COMPONENT_ID:
    return PyLong_FromLong(vf_object_meta_get_component_id(o));
  case OBJ_RECT:
    vf_object_meta_get_detector_bbox(o, &r);
    return rect_new(&r);
  case OBJ_TRACKER_RECT:
    vf_object_meta_get_tracker_bbox(o, &r);
    return rect_new(&r);
  default:
    return optional_string(vf_object_meta_get_label(o));
  }
}

static int object_set(VfpyObjectMeta *self, PyObject *value, void *closure)
{
  if (value == NULL) {
    PyErr_SetString(PyExc_AttributeError, "metadata fields cannot be deleted");
    return -1;
  }
  if (!object_check_writable(self))
    return -1;
  VfObjectMeta *o = self->object;
  VfRect r;
  int which = GPOINTER_TO_INT(closure);
  switch (which) {
  case OBJ_CLASS_ID:
  case OBJ_COMPONENT_ID: {
    long v = PyLong_AsLong(value);
    if (v == -1 && PyErr_Occurred())
      return -1;
    if (which == OBJ_CLASS_ID)
      vf_object_meta_set_class_id(o, (gint)v);
    else
      vf_object_meta_set_component_id(o, (gint)v);
    return 0;
  }
  case OBJ_CONFIDENCE:
  case OBJ_TRACKER_CONFIDENCE: {
    double v = PyFloat_AsDouble(value);
    if (v == -1.0 && PyErr_Occurred())
      return -1;
    if (which == OBJ_CONFIDENCE)
      vf_object_meta_set_confidence(o, (gfloat)v);
    else
      vf_object_meta_set_tracker_confidence(o, (gfloat)v);
    return 0;
  }
  case OBJ_OBJECT_ID: {
    guint64 id = VF_OBJECT_UNTRACKED;
    if (value != Py_None) {
      id = PyLong_AsUnsignedLongLong(value);
      if (PyErr_Occurred())
        return -1;
    }
    vf_object_meta_set_object_id(o, id);
    return 0;
  }
  case OBJ_RECT:
  case OBJ_TRACKER_RECT:
    if (!rect_from_object(value, &r))
      return -1;
    if (which == OBJ_RECT)
      vf_object_meta_set_detector_bbox(o, &r);
    else
      vf_object_meta_set_tracker_bbox(o, &r);
    return 0;
  default:
    if (value == Py_None) {
      vf_object_meta_set_label(o, NULL);
      return 0;
    }
    if (!PyUnicode_Check(value)) {
      PyErr_SetString(PyExc_TypeError, "label is a str or None");
      return -1;
    }
    vf_object_meta_set_label(o, PyUnicode_AsUTF8(value));
    return 0;
  }
}

static PyObject *object_get_parent(VfpyObjectMeta *self, void *closure)
{
  (void)closure;
  VfObjectMeta *parent = vf_object_meta_get_parent(self->object);
  if (parent == NULL)
    Py_RETURN_NONE;
  return object_new(parent, self->scope);
}

static int object_set_parent(VfpyObjectMeta *self, PyObject *value, void *closure)
{
  (void)closure;
  if (value == NULL || (value != Py_None && !PyObject_TypeCheck(value, &VfpyObjectMeta_Type))) {
    PyErr_SetString(PyExc_TypeError, "parent is an ObjectMetadata or None");
    return -1;
  }
  if (!object_check_writable(self))
    return -1;
  VfObjectMeta *parent = value == Py_None ? NULL : ((VfpyObjectMeta *)value)->object;
  if (!vf_object_meta_set_parent(self->object, parent)) {
    PyErr_SetString(PyExc_ValueError, "parent: that would make a cycle of parents");
    return -1;
  }
  return 0;
}

static PyObject *object_get_classifications(VfpyObjectMeta *self, void *closure)
{
  (void)closure;
  guint n = vf_object_meta_get_n_classifications(self->object);
  PyObject *list = PyList_New(n);
  for (guint i = 0; list && i < n; i++) {
    VfClassification c;
    vf_object_meta_get_classification(self->object, i, &c);
    PyObject *item = PyStructSequence_New(classification_type);
    if (item == NULL) {
      Py_CLEAR(list);
      break;
    }
    PyStructSequence_SET_ITEM(item, 0, PyLong_FromLong(c.component_id));
    PyStructSequence_SET_ITEM(item, 1, PyLong_FromLong(c.class_id));
    PyStructSequence_SET_ITEM(item, 2, optional_string(c.label));
    PyStructSequence_SET_ITEM(item, 3, PyFloat_FromDouble(c.confidence));
    PyList_SET_ITEM(list, i, item);
  }
  return list;
}

static PyObject *object_repr(VfpyObjectMeta *self)
{
  VfRect r;
  vf_object_meta_get_detector_bbox(self->object, &r);
  const char *label = vf_object_meta_get_label(self->object);
  char *s = g_strdup_printf("vidflow.ObjectMetadata(class_id=%d, label=%s, confidence=%.3f, "
                            "rect=(%.1f, %.1f, %.1f, %.1f))",
                            vf_object_meta_get_class_id(self->object), label ? label : "None",
                            vf_object_meta_get_confidence(self->object), r.left, r.top, r.width,
                            r.height);
  PyObject *out = PyUnicode_FromString(s);
  g_free(s);
  return out;
}

static PyObject *object_richcompare(PyObject *a, PyObject *b, int op)
{
  if (!PyObject_TypeCheck(b, &VfpyObjectMeta_Type) || (op != Py_EQ && op != Py_NE))
    Py_RETURN_NOTIMPLEMENTED;
  gboolean same = ((VfpyObjectMeta *)a)->object == ((VfpyObjectMeta *)b)->object;
  return PyBool_FromLong(op == Py_EQ ? same : !same);
}

static Py_hash_t object_hash(VfpyObjectMeta *self)
{
  PyObject *address = PyLong_FromVoidPtr(self->object);
  Py_hash_t h = address ? PyObject_Hash(address) : -1;
  Py_XDECREF(address);
  return h;
}

static PyGetSetDef object_getset[] = {
  { "class_id", (getter)object_get, (setter)object_set, "Class index (-1: none).",
    GINT_TO_POINTER(OBJ_CLASS_ID) },
  { "label", (getter)object_get, (setter)object_set, "Class label, or None.",
    GINT_TO_POINTER(OBJ_LABEL) },
  { "confidence", (getter)object_get, (setter)object_set, "Detector confidence.",
    GINT_TO_POINTER(OBJ_CONFIDENCE) },
  { "rect", (getter)object_get, (setter)object_set,
    "Detector box Rect(left, top, width, height) in stored-frame pixels.",
    GINT_TO_POINTER(OBJ_RECT) },
  { "tracker_rect", (getter)object_get, (setter)object_set, "The tracker's box.",
    GINT_TO_POINTER(OBJ_TRACKER_RECT) },
  { "tracker_confidence", (getter)object_get, (setter)object_set, "The tracker's confidence.",
    GINT_TO_POINTER(OBJ_TRACKER_CONFIDENCE) },
  { "object_id", (getter)object_get, (setter)object_set, "The tracker's id, or None.",
    GINT_TO_POINTER(OBJ_OBJECT_ID) },
  { "component_id", (getter)object_get, (setter)object_set,
    "Unique id of the element that made the object (vfinfer's unique-id).",
    GINT_TO_POINTER(OBJ_COMPONENT_ID) },
  { "parent", (getter)object_get_parent, (setter)object_set_parent,
    "The parent object (e.g. the car of a plate), or None.", NULL },
  { "classifications", (getter)object_get_classifications, NULL,
    "Secondary classifier results: a list of Classification.", NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject VfpyObjectMeta_Type = {
  PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vidflow.ObjectMetadata",
  .tp_basicsize = sizeof(VfpyObjectMeta),
  .tp_dealloc = (destructor)object_dealloc,
  .tp_repr = (reprfunc)object_repr,
  .tp_hash = (hashfunc)object_hash,
  .tp_richcompare = object_richcompare,
  .tp_flags = Py_TPFLAGS_DEFAULT,
  .tp_doc = "ObjectMetadata(**fields)\n--\n\n"
            "A detected, tracked or classified object. It holds a reference on the object, so "
            "it stays valid after the callback and after the buffer is gone; it can be changed "
            "while its batch is lent to a probe (or before it is added to a frame).",
  .tp_getset = object_getset,
  .tp_new = object_tp_new,
};

/* ---- init ---- */

int vfpy_meta_init(PyObject *module)
{
  static PyStructSequence_Field rect_fields[] = {
    { "left", "left edge (pixels)" },
    { "top", "top edge (pixels)" },
    { "width", "width (pixels)" },
    { "height", "height (pixels)" },
    { NULL, NULL },
  };
  static PyStructSequence_Desc rect_desc
      = { "vidflow.Rect", "A rectangle in pixels: (left, top, width, height).", rect_fields, 4 };
  static PyStructSequence_Field classification_fields[] = {
    { "component_id", "the classifier's unique id" },
    { "class_id", "class index" },
    { "label", "class label or None" },
    { "confidence", "confidence" },
    { NULL, NULL },
  };
  static PyStructSequence_Desc classification_desc
      = { "vidflow.Classification", "A classifier's result for an object.", classification_fields,
          4 };
  rect_type = PyStructSequence_NewType(&rect_desc);
  classification_type = PyStructSequence_NewType(&classification_desc);
  if (rect_type == NULL || classification_type == NULL)
    return -1;
  if (PyModule_AddObjectRef(module, "Rect", (PyObject *)rect_type) < 0
      || PyModule_AddObjectRef(module, "Classification", (PyObject *)classification_type) < 0)
    return -1;
  return 0;
}
