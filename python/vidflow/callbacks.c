/* vidflow Python module: Feeder, Receiver and Probe, the wrappers that call a Python provider,
 * retriever or operator from vidflow's threads (the feeder thread, the receiver thread, the
 * element's streaming thread).
 *
 * Each wrapper is the user_data of its C object (a borrowed pointer: the pipeline holding the C
 * object also holds the wrapper until the C pipeline is freed). The GIL is held only around the
 * Python call. An exception is logged with its traceback on the "vidflow" logger and counted
 * (`exceptions`): in generate() it ends the stream with an error that names it; in consume() the
 * buffer counts as an error (0) and the pipeline goes on; in a probe the buffer passes on
 * unchanged. */
#include "vfpy.h"

#include <string.h>

typedef struct {
  VfpyCallbackObject base;
  VfFeeder *feeder; /* owned until attached, then the pipeline's (NULL once detached) */
  VfProviderInfo info;
  PyObject *generate; /* the provider's bound generate */
  guint64 pushed;     /* final count once detached */
} VfpyFeeder;

typedef struct {
  VfpyCallbackObject base;
  VfReceiver *receiver; /* as VfpyFeeder.feeder; NULL for a Flow's retriever */
  PyObject *consume;
  VfReceiverStats stats; /* final counts once detached */
  gboolean warned_none;
} VfpyReceiver;

typedef struct {
  VfpyCallbackObject base;
  VfProbe *probe;
  PyObject *handle_buffer; /* either may be NULL, not both */
  PyObject *handle_metadata;
  guint64 seen, dropped; /* final counts once detached */
} VfpyProbe;

/* ---- shared ---- */

/* "TypeError: message" of the pending exception, which stays pending (g_free the result). */
static char *exception_summary(void)
{
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  PyObject *text = value ? PyObject_Str(value) : NULL;
  const char *utf8 = text ? PyUnicode_AsUTF8(text) : NULL;
  char *summary = g_strdup_printf("%s%s%s", type ? ((PyTypeObject *)type)->tp_name : "exception",
                                  utf8 && *utf8 ? ": " : "", utf8 ? utf8 : "");
  Py_XDECREF(text);
  PyErr_Clear();
  PyErr_Restore(type, value, tb);
  return summary;
}

static int base_traverse(VfpyCallbackObject *self, visitproc visit, void *arg)
{
  Py_VISIT(self->target);
  return 0;
}

static void base_clear(VfpyCallbackObject *self)
{
  Py_CLEAR(self->target);
}

static PyObject *base_get_name(VfpyCallbackObject *self, void *closure)
{
  (void)closure;
  return PyUnicode_FromString(self->name);
}

static PyObject *base_get_target(VfpyCallbackObject *self, void *closure)
{
  (void)closure;
  return Py_NewRef(self->target ? self->target : Py_None);
}

static PyObject *base_get_exceptions(VfpyCallbackObject *self, void *closure)
{
  (void)closure;
  return PyLong_FromUnsignedLongLong(self->exceptions);
}

static gboolean take_check(VfpyCallbackObject *self, const char *kind)
{
  if (!self->attached)
    return TRUE;
  PyErr_Format(PyExc_ValueError, "%s '%s' is attached already: make one %s per element", kind,
               self->name, kind);
  return FALSE;
}

static PyObject *bound_method(PyObject *target, const char *method, const char *kind,
                              gboolean required)
{
  PyObject *m = PyObject_GetAttrString(target, method);
  if (m && PyCallable_Check(m))
    return m;
  Py_XDECREF(m);
  PyErr_Clear();
  if (required)
    PyErr_Format(PyExc_TypeError, "%s: a %s has a %s() method (subclass vidflow.%s)", kind,
                 Py_TYPE(target)->tp_name, method, kind);
  return NULL;
}

/* ---- Feeder ---- */

static VfBuffer *feeder_generate(gsize size, gpointer user_data, GError **error)
{
  VfpyFeeder *self = user_data;
  PyGILState_STATE state;
  if (!vfpy_enter(&state))
    return NULL; /* the interpreter is going: end of stream */
  VfBuffer *out = NULL;
  if (self->generate) {
    PyObject *arg = PyLong_FromSize_t(size);
    PyObject *r = arg ? PyObject_CallOneArg(self->generate, arg) : NULL;
    Py_XDECREF(arg);
    if (r) {
      out = vfpy_buffer_take_for_feeder(r, &self->info);
      Py_DECREF(r);
    }
    if (out == NULL) {
      self->base.exceptions++;
      char *summary = exception_summary();
      g_set_error(error, VF_ERROR, VF_ERROR_FAILED,
                  "BufferProvider.generate() of feeder '%s' raised %s (traceback in the log); the "
                  "stream ends here",
                  self->base.name, summary);
      char *context = g_strdup_printf("BufferProvider.generate() of feeder '%s' raised; the "
                                      "pipeline stops with an error",
                                      self->base.name);
      vfpy_log_exception(context);
      g_free(context);
      g_free(summary);
    }
  }
  vfpy_leave(state);
  return out;
}

static gboolean read_int_attr(PyObject *o, const char *name, long *out)
{
  PyObject *v = PyObject_GetAttrString(o, name);
  if (v == NULL) {
    PyErr_Clear();
    return TRUE;
  }
  gboolean ok = TRUE;
  if (v != Py_None) {
    *out = PyLong_AsLong(v);
    if (*out == -1 && PyErr_Occurred()) {
      PyErr_Format(PyExc_TypeError, "BufferProvider.%s must be an int", name);
      ok = FALSE;
    } else if (*out < 0) {
      PyErr_Format(PyExc_ValueError, "BufferProvider.%s must not be negative", name);
      ok = FALSE;
    }
  }
  Py_DECREF(v);
  return ok;
}

/* The seed's provider fields: format, width, height, framerate ("30/1", 30, 29.97 or (n, d)),
 * device ('cpu'/'gpu'/'cuda') or use_gpu. Missing ones come from the appsrc's caps. */
static gboolean read_provider_info(PyObject *provider, VfProviderInfo *info)
{
  memset(info, 0, sizeof *info);
  long w = 0, h = 0;
  PyObject *format = PyObject_GetAttrString(provider, "format");
  if (format == NULL)
    PyErr_Clear();
  else if (format != Py_None && (!PyUnicode_Check(format) || PyUnicode_GetLength(format) > 0)
           && !vfpy_color_format_from_object(format, &info->format)) {
    Py_DECREF(format);
    return FALSE;
  }
  Py_XDECREF(format);
  if (!read_int_attr(provider, "width", &w) || !read_int_attr(provider, "height", &h))
    return FALSE;
  info->width = (guint)w;
  info->height = (guint)h;

  PyObject *rate = PyObject_GetAttrString(provider, "framerate");
  if (rate == NULL)
    PyErr_Clear();
  gboolean ok = TRUE;
  if (rate && rate != Py_None) {
    if (PyUnicode_Check(rate)) {
      ok = sscanf(PyUnicode_AsUTF8(rate), "%d/%d", &info->fps_n, &info->fps_d) >= 1;
    } else if (PyTuple_Check(rate)) {
      ok = PyArg_ParseTuple(rate, "ii", &info->fps_n, &info->fps_d);
    } else if (PyFloat_Check(rate)) {
      double r = PyFloat_AsDouble(rate); /* 29.97 -> 30000/1001 */
      info->fps_n = (gint)(r * 1001 + 0.5);
      info->fps_d = 1001;
      if (info->fps_n % 1001 == 0) {
        info->fps_n /= 1001;
        info->fps_d = 1;
      }
    } else {
      info->fps_n = (gint)PyLong_AsLong(rate);
      info->fps_d = 1;
      ok = !PyErr_Occurred();
    }
    PyErr_Clear();
    if (!ok || info->fps_n < 0 || info->fps_d < 0) {
      PyErr_SetString(
          PyExc_ValueError,
          "BufferProvider.framerate is frames per second: 30, 29.97, \"30/1\" or (30, 1)");
      ok = FALSE;
    }
  }
  Py_XDECREF(rate);
  if (!ok)
    return FALSE;

  PyObject *device = PyObject_GetAttrString(provider, "device");
  if (device == NULL)
    PyErr_Clear();
  if (device && PyUnicode_Check(device)) {
    const char *d = PyUnicode_AsUTF8(device);
    if (g_ascii_strcasecmp(d, "gpu") == 0 || g_ascii_strcasecmp(d, "cuda") == 0
        || g_ascii_strcasecmp(d, "dgpu") == 0)
      info->device = VF_DEVICE_CUDA;
    else if (g_ascii_strcasecmp(d, "cpu") != 0 && *d != '\0') {
      PyErr_Format(PyExc_ValueError, "BufferProvider.device is 'cpu' or 'gpu', not '%s'", d);
      ok = FALSE;
    }
  } else {
    PyObject *use_gpu = PyObject_GetAttrString(provider, "use_gpu");
    if (use_gpu == NULL)
      PyErr_Clear();
    else if (PyObject_IsTrue(use_gpu) == 1)
      info->device = VF_DEVICE_CUDA;
    Py_XDECREF(use_gpu);
  }
  Py_XDECREF(device);
  return ok;
}

static VfpyFeeder *feeder_make(PyTypeObject *type, const char *name, PyObject *provider)
{
  VfpyFeeder *self = (VfpyFeeder *)type->tp_alloc(type, 0);
  if (self == NULL)
    return NULL;
  self->base.name = g_strdup(name);
  self->base.target = Py_NewRef(provider);
  self->generate = bound_method(provider, "generate", "BufferProvider", TRUE);
  if (self->generate == NULL || !read_provider_info(provider, &self->info)) {
    Py_DECREF(self);
    return NULL;
  }
  VfProviderCallbacks callbacks = { feeder_generate, NULL };
  self->feeder = vf_feeder_new(name, &self->info, &callbacks, self);
  return self;
}

static PyObject *feeder_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
  static char *keywords[] = { "name", "provider", "max_buffers", NULL };
  const char *name;
  PyObject *provider;
  unsigned int max_buffers = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "sO|I", keywords, &name, &provider, &max_buffers))
    return NULL;
  VfpyFeeder *self = feeder_make(type, name, provider);
  if (self && max_buffers)
    vf_feeder_set_max_buffers(self->feeder, max_buffers);
  return (PyObject *)self;
}

PyObject *vfpy_feeder_for_provider(PyObject *provider, const char *name)
{
  if (PyObject_TypeCheck(provider, &VfpyFeeder_Type))
    return Py_NewRef(provider);
  return (PyObject *)feeder_make(&VfpyFeeder_Type, name, provider);
}

VfFeeder *vfpy_feeder_take(PyObject *object)
{
  VfpyFeeder *self = (VfpyFeeder *)object;
  if (!take_check(&self->base, "Feeder"))
    return NULL;
  self->base.attached = TRUE;
  return self->feeder;
}

static int feeder_traverse(VfpyFeeder *self, visitproc visit, void *arg)
{
  Py_VISIT(self->generate);
  return base_traverse(&self->base, visit, arg);
}

static int feeder_clear(VfpyFeeder *self)
{
  Py_CLEAR(self->generate); /* a running feeder then ends its stream */
  base_clear(&self->base);
  return 0;
}

static void feeder_dealloc(VfpyFeeder *self)
{
  PyObject_GC_UnTrack(self);
  if (!self->base.attached)
    vf_feeder_free(self->feeder); /* never ran: no callback can come */
  feeder_clear(self);
  g_free(self->base.name);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *feeder_get_pushed(VfpyFeeder *self, void *closure)
{
  (void)closure;
  guint64 n = self->base.detached || self->feeder == NULL ? self->pushed
                                                          : vf_feeder_get_pushed(self->feeder);
  return PyLong_FromUnsignedLongLong(n);
}

static PyGetSetDef feeder_getset[] = {
  { "name", (getter)base_get_name, NULL, "The feeder's name.", NULL },
  { "provider", (getter)base_get_target, NULL, "The BufferProvider.", NULL },
  { "pushed", (getter)feeder_get_pushed, NULL, "Buffers pushed into the appsrc so far.", NULL },
  { "exceptions", (getter)base_get_exceptions, NULL, "generate() calls that raised.", NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject VfpyFeeder_Type = {
  PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vidflow.Feeder",
  .tp_basicsize = sizeof(VfpyFeeder),
  .tp_dealloc = (destructor)feeder_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
  .tp_doc = "Feeder(name, provider, max_buffers=4)\n--\n\n"
            "Drives a BufferProvider from an appsrc (attach it with pipeline.attach(appsrc, "
            "feeder, tips=\"need-data/enough-data\")). generate(size) runs on a thread of its "
            "own while the appsrc wants data; at most max_buffers frames wait in it. The "
            "provider's format, width, height, framerate and device are read here.",
  .tp_traverse = (traverseproc)feeder_traverse,
  .tp_clear = (inquiry)feeder_clear,
  .tp_getset = feeder_getset,
  .tp_new = feeder_new,
};

/* ---- Receiver ---- */

static int receiver_consume(VfBuffer *buffer, gpointer user_data)
{
  VfpyReceiver *self = user_data;
  PyGILState_STATE state;
  if (!vfpy_enter(&state))
    return VF_CONSUME_STOP;
  int ret = VF_CONSUME_STOP;
  PyObject *b = self->consume ? vfpy_buffer_new(buffer, FALSE) : NULL;
  PyObject *r = b ? PyObject_CallOneArg(self->consume, b) : NULL;
  Py_XDECREF(b);
  if (r == Py_None) {
    ret = VF_CONSUME_OK;
    if (!self->warned_none) {
      self->warned_none = TRUE;
      PyErr_WarnFormat(PyExc_RuntimeWarning, 1,
                       "consume() of receiver '%s' returned None, taken as 1 (ok): return 1 (ok), "
                       "0 (error, go on) or -1 (stop)",
                       self->base.name);
    }
  } else if (r && PyLong_Check(r)) {
    long v = PyLong_AsLong(r);
    ret = v < 0 ? VF_CONSUME_STOP : v == 0 ? VF_CONSUME_ERROR : VF_CONSUME_OK;
  } else if (r) {
    PyErr_Format(PyExc_TypeError, "consume() returned a %s: return 1 (ok), 0 (error) or -1 (stop)",
                 Py_TYPE(r)->tp_name);
  }
  Py_XDECREF(r);
  if (PyErr_Occurred()) {
    self->base.exceptions++;
    ret = VF_CONSUME_ERROR;
    char *context = g_strdup_printf("BufferRetriever.consume() of receiver '%s' raised; the buffer "
                                    "counts as an error (0) and the pipeline goes on",
                                    self->base.name);
    vfpy_log_exception(context);
    g_free(context);
  }
  vfpy_leave(state);
  return ret;
}

static VfpyReceiver *receiver_make(PyTypeObject *type, const char *name, PyObject *retriever)
{
  VfpyReceiver *self = (VfpyReceiver *)type->tp_alloc(type, 0);
  if (self == NULL)
    return NULL;
  self->base.name = g_strdup(name);
  self->base.target = Py_NewRef(retriever);
  self->consume = bound_method(retriever, "consume", "BufferRetriever", TRUE);
  if (self->consume == NULL) {
    Py_DECREF(self);
    return NULL;
  }
  return self;
}

static PyObject *receiver_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
  static char *keywords[] = { "name", "retriever", "max_buffers", "drop_oldest", NULL };
  const char *name;
  PyObject *retriever;
  unsigned int max_buffers = 4;
  int drop_oldest = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "sO|Ip", keywords, &name, &retriever, &max_buffers,
                                   &drop_oldest))
    return NULL;
  VfpyReceiver *self = receiver_make(type, name, retriever);
  if (self == NULL)
    return NULL;
  VfRetrieverCallbacks callbacks = { receiver_consume, NULL };
  self->receiver = vf_receiver_new(name, &callbacks, self);
  vf_receiver_set_queue(self->receiver, max_buffers, drop_oldest ? VF_DROP_OLDEST : VF_DROP_NONE);
  return (PyObject *)self;
}

gboolean vfpy_retriever_callbacks(PyObject *retriever, const char *name,
                                  VfRetrieverCallbacks *callbacks, PyObject **wrapper)
{
  VfpyReceiver *self;
  if (PyObject_TypeCheck(retriever, &VfpyReceiver_Type)) {
    PyErr_SetString(PyExc_TypeError,
                    "retrieve() takes the BufferRetriever itself, not a Receiver: the flow makes "
                    "the receivers");
    return FALSE;
  }
  self = receiver_make(&VfpyReceiver_Type, name, retriever);
  if (self == NULL)
    return FALSE;
  self->base.attached = TRUE; /* the flow's receivers call it */
  callbacks->consume = receiver_consume;
  callbacks->destroy = NULL;
  *wrapper = (PyObject *)self;
  return TRUE;
}

VfReceiver *vfpy_receiver_take(PyObject *object)
{
  VfpyReceiver *self = (VfpyReceiver *)object;
  if (!take_check(&self->base, "Receiver"))
    return NULL;
  self->base.attached = TRUE;
  return self->receiver;
}

static int receiver_traverse(VfpyReceiver *self, visitproc visit, void *arg)
{
  Py_VISIT(self->consume);
  return base_traverse(&self->base, visit, arg);
}

static int receiver_clear(VfpyReceiver *self)
{
  Py_CLEAR(self->consume);
  base_clear(&self->base);
  return 0;
}

static void receiver_dealloc(VfpyReceiver *self)
{
  PyObject_GC_UnTrack(self);
  if (!self->base.attached && self->receiver)
    vf_receiver_free(self->receiver);
  receiver_clear(self);
  g_free(self->base.name);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static VfReceiverStats receiver_stats(VfpyReceiver *self)
{
  VfReceiverStats s = self->stats;
  if (!self->base.detached && self->receiver)
    vf_receiver_get_stats(self->receiver, &s);
  return s;
}

enum { STAT_RECEIVED, STAT_CONSUMED, STAT_ERRORS, STAT_DROPPED };

static PyObject *receiver_get_stat(VfpyReceiver *self, void *closure)
{
  VfReceiverStats s = receiver_stats(self);
  guint64 v[] = { s.received, s.consumed, s.errors, s.dropped };
  return PyLong_FromUnsignedLongLong(v[GPOINTER_TO_INT(closure)]);
}

static PyGetSetDef receiver_getset[] = {
  { "name", (getter)base_get_name, NULL, "The receiver's name.", NULL },
  { "retriever", (getter)base_get_target, NULL, "The BufferRetriever.", NULL },
  { "received", (getter)receiver_get_stat, NULL, "Buffers that reached the appsink.",
    GINT_TO_POINTER(STAT_RECEIVED) },
  { "consumed", (getter)receiver_get_stat, NULL, "consume() calls.",
    GINT_TO_POINTER(STAT_CONSUMED) },
  { "errors", (getter)receiver_get_stat, NULL, "consume() calls that returned 0 or raised.",
    GINT_TO_POINTER(STAT_ERRORS) },
  { "dropped", (getter)receiver_get_stat, NULL,
    "Buffers dropped (drop_oldest) or left unconsumed after consume() returned -1.",
    GINT_TO_POINTER(STAT_DROPPED) },
  { "exceptions", (getter)base_get_exceptions, NULL, "consume() calls that raised.", NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject VfpyReceiver_Type = {
  PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vidflow.Receiver",
  .tp_basicsize = sizeof(VfpyReceiver),
  .tp_dealloc = (destructor)receiver_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
  .tp_doc = "Receiver(name, retriever, max_buffers=4, drop_oldest=False)\n--\n\n"
            "Calls a BufferRetriever's consume(buffer) for every buffer reaching an appsink "
            "(attach it with pipeline.attach(appsink, receiver, tips=\"new-sample\")), on a "
            "thread of its own. The appsink holds at most max_buffers: a slow consumer slows the "
            "pipeline down, or with drop_oldest the oldest waiting buffers are dropped and "
            "counted. consume returns 1 (ok), 0 (error, go on) or -1 (stop the pipeline).",
  .tp_traverse = (traverseproc)receiver_traverse,
  .tp_clear = (inquiry)receiver_clear,
  .tp_getset = receiver_getset,
  .tp_new = receiver_new,
};

/* ---- Probe ---- */

static void probe_log(VfpyProbe *self, const char *method)
{
  self->base.exceptions++;
  char *context
      = g_strdup_printf("%s() of probe '%s' raised; the buffer passes on", method, self->base.name);
  vfpy_log_exception(context);
  g_free(context);
}

static VfProbeReturn probe_on_buffer(VfBuffer *buffer, gpointer user_data)
{
  VfpyProbe *self = user_data;
  PyGILState_STATE state;
  if (!vfpy_enter(&state))
    return VF_PROBE_KEEP;
  VfProbeReturn ret = VF_PROBE_KEEP;
  PyObject *b = self->handle_buffer ? vfpy_buffer_new(buffer, TRUE) : NULL;
  if (b) {
    PyObject *r = PyObject_CallOneArg(self->handle_buffer, b);
    vfpy_buffer_expire((VfpyBuffer *)b); /* the pipeline passes the buffer on now */
    Py_DECREF(b);
    int keep = r == NULL ? 1 : r == Py_None ? 1 : PyObject_IsTrue(r);
    Py_XDECREF(r);
    if (keep == 0)
      ret = VF_PROBE_DROP;
  }
  if (PyErr_Occurred())
    probe_log(self, "BufferOperator.handle_buffer");
  vfpy_leave(state);
  return ret;
}

static void probe_on_batch_meta(VfBatchMeta *meta, gpointer user_data)
{
  VfpyProbe *self = user_data;
  PyGILState_STATE state;
  if (!vfpy_enter(&state))
    return;
  PyObject *m = self->handle_metadata ? vfpy_batch_meta_lend(meta) : NULL;
  if (m) {
    PyObject *r = PyObject_CallOneArg(self->handle_metadata, m);
    vfpy_batch_meta_expire(m);
    Py_DECREF(m);
    Py_XDECREF(r);
  }
  if (PyErr_Occurred())
    probe_log(self, "BatchMetadataOperator.handle_metadata");
  vfpy_leave(state);
}

static VfpyProbe *probe_make(PyTypeObject *type, const char *name, PyObject *operator)
{
  VfpyProbe *self = (VfpyProbe *)type->tp_alloc(type, 0);
  if (self == NULL)
    return NULL;
  self->base.name = g_strdup(name);
  self->base.target = Py_NewRef(operator);
  self->handle_buffer = bound_method(operator, "handle_buffer", "BufferOperator", FALSE);
  self->handle_metadata = bound_method(operator, "handle_metadata", "BatchMetadataOperator", FALSE);
  if (self->handle_buffer == NULL && self->handle_metadata == NULL) {
    PyErr_Format(PyExc_TypeError,
                 "Probe '%s': a %s has neither handle_buffer() nor handle_metadata(): subclass "
                 "vidflow.BufferOperator or vidflow.BatchMetadataOperator",
                 name, Py_TYPE(operator)->tp_name);
    Py_DECREF(self);
    return NULL;
  }
  VfProbeCallbacks callbacks = { self->handle_buffer ? probe_on_buffer : NULL, NULL,
                                 self->handle_metadata ? probe_on_batch_meta : NULL };
  self->probe = vf_probe_new(name, &callbacks, self);
  return self;
}

static PyObject *probe_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
  static char *keywords[] = { "name", "operator", NULL };
  const char *name;
  PyObject *operator;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "sO", keywords, &name, &operator))
    return NULL;
  return (PyObject *)probe_make(type, name, operator);
}

PyObject *vfpy_probe_for_operator(PyObject *operator, const char * name)
{
  if (PyObject_TypeCheck(operator, & VfpyProbe_Type))
    return Py_NewRef(operator);
  return (PyObject *)probe_make(&VfpyProbe_Type, name, operator);
}

VfProbe *vfpy_probe_take(PyObject *object)
{
  VfpyProbe *self = (VfpyProbe *)object;
  if (!take_check(&self->base, "Probe"))
    return NULL;
  self->base.attached = TRUE;
  return self->probe;
}

static int probe_traverse(VfpyProbe *self, visitproc visit, void *arg)
{
  Py_VISIT(self->handle_buffer);
  Py_VISIT(self->handle_metadata);
  return base_traverse(&self->base, visit, arg);
}

static int probe_clear(VfpyProbe *self)
{
  Py_CLEAR(self->handle_buffer);
  Py_CLEAR(self->handle_metadata);
  base_clear(&self->base);
  return 0;
}

static void probe_dealloc(VfpyProbe *self)
{
  PyObject_GC_UnTrack(self);
  if (!self->base.attached)
    vf_probe_free(self->probe);
  probe_clear(self);
  g_free(self->base.name);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *probe_get_seen(VfpyProbe *self, void *closure)
{
  gboolean live = !self->base.detached && self->probe;
  if (closure)
    return PyLong_FromUnsignedLongLong(live ? vf_probe_get_dropped(self->probe) : self->dropped);
  return PyLong_FromUnsignedLongLong(live ? vf_probe_get_seen(self->probe) : self->seen);
}

static PyGetSetDef probe_getset[] = {
  { "name", (getter)base_get_name, NULL, "The probe's name.", NULL },
  { "operator", (getter)base_get_target, NULL, "The BufferOperator / BatchMetadataOperator.",
    NULL },
  { "seen", (getter)probe_get_seen, NULL, "Buffers seen so far.", NULL },
  { "dropped", (getter)probe_get_seen, NULL, "Buffers handle_buffer() dropped.",
    GINT_TO_POINTER(1) },
  { "exceptions", (getter)base_get_exceptions, NULL, "Operator calls that raised.", NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject VfpyProbe_Type = {
  PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vidflow.Probe",
  .tp_basicsize = sizeof(VfpyProbe),
  .tp_dealloc = (destructor)probe_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
  .tp_doc = "Probe(name, operator)\n--\n\n"
            "Calls an operator on the buffers leaving an element (pipeline.attach(element, "
            "probe) or, for another pad, pad=...), on the element's streaming thread: keep it "
            "short. A BufferOperator's handle_buffer(buffer) may change the buffer and returns "
            "False to drop it; a BatchMetadataOperator's handle_metadata(batch_meta) reads or "
            "changes the batch's metadata. Both objects are lent: valid during the call only.",
  .tp_traverse = (traverseproc)probe_traverse,
  .tp_clear = (inquiry)probe_clear,
  .tp_getset = probe_getset,
  .tp_new = probe_new,
};

/* ---- detaching ---- */

void vfpy_callback_detach(PyObject *wrapper)
{
  VfpyCallbackObject *base = (VfpyCallbackObject *)wrapper;
  if (base->detached)
    return;
  if (PyObject_TypeCheck(wrapper, &VfpyFeeder_Type)) {
    VfpyFeeder *f = (VfpyFeeder *)wrapper;
    f->pushed = vf_feeder_get_pushed(f->feeder);
    f->feeder = NULL;
  } else if (PyObject_TypeCheck(wrapper, &VfpyReceiver_Type)) {
    VfpyReceiver *r = (VfpyReceiver *)wrapper;
    if (r->receiver)
      vf_receiver_get_stats(r->receiver, &r->stats);
    r->receiver = NULL;
  } else if (PyObject_TypeCheck(wrapper, &VfpyProbe_Type)) {
    VfpyProbe *p = (VfpyProbe *)wrapper;
    p->seen = vf_probe_get_seen(p->probe);
    p->dropped = vf_probe_get_dropped(p->probe);
    p->probe = NULL;
  }
  base->detached = TRUE;
}
