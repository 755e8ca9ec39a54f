/* vidflow Python module: errors, enums, the GIL rules for vidflow's threads, Ctrl-C aware
 * waiting, shutdown, and the module itself. */
#include "vfpy.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

PyObject *vfpy_Error;
PyObject *vfpy_ExpiredError;
PyObject *vfpy_ColorFormat;
PyObject *vfpy_RenderMode;
static PyObject *error_code_enum;
static PyObject *logger;           /* logging.getLogger("vidflow") */
static PyObject *threading_module; /* for main_thread() */
static int shutting_down;          /* atomic: the atexit handler ran */

/* ---- errors ---- */

PyObject *vfpy_raise_gerror(GError *error)
{
  if (error == NULL) {
    PyErr_SetString(vfpy_Error, "vidflow call failed without saying why");
    return NULL;
  }
  PyObject *exc = PyObject_CallFunction(vfpy_Error, "s", error->message);
  if (exc) {
    PyObject *code = PyObject_CallFunction(error_code_enum, "i", error->code);
    if (code == NULL) { /* a code this module does not know: keep the number */
      PyErr_Clear();
      code = PyLong_FromLong(error->code);
    }
    if (code && PyObject_SetAttrString(exc, "code", code) == 0)
      PyErr_SetObject(vfpy_Error, exc);
    Py_XDECREF(code);
    Py_DECREF(exc);
  }
  g_error_free(error);
  return NULL;
}

PyObject *vfpy_raise_expired(const char *what)
{
  PyErr_Format(vfpy_ExpiredError,
               "%s is only valid during the callback it was handed to, which has returned: copy "
               "what you need inside the callback (Buffer.clone(), Buffer.extract(i).clone(), the "
               "values of the metadata); ObjectMetadata objects stay valid",
               what);
  return NULL;
}

/* ---- the GIL on vidflow's threads ---- */

gboolean vfpy_shutting_down(void)
{
  return g_atomic_int_get(&shutting_down) != 0;
}

/* Each vidflow thread keeps its Python thread state from its first callback to its exit: made
 * and destroyed for every call, it would cost an allocation and an munmap (its frame stack) per
 * callback, hundreds of microseconds in a VM. */
static void thread_state_unpin(gpointer tstate)
{
  if (vfpy_shutting_down() || !Py_IsInitialized())
    return; /* the interpreter frees its thread states itself */
  /* At thread exit the interpreter's own thread-local slot may be gone already: delete the
   * state by hand rather than through PyGILState_Release, which looks it up there. */
  PyEval_RestoreThread(tstate);
  PyThreadState_Clear(tstate);
  PyThreadState_DeleteCurrent(); /* and releases the GIL */
}

static GPrivate pinned_thread_state = G_PRIVATE_INIT(thread_state_unpin);

gboolean vfpy_enter(PyGILState_STATE *state)
{
  if (vfpy_shutting_down() || !Py_IsInitialized() || _Py_IsFinalizing())
    return FALSE;
  if (g_private_get(&pinned_thread_state) == NULL) {
    PyGILState_Ensure(); /* this thread's state, kept (Ensure count 1) until the thread ends */
    g_private_set(&pinned_thread_state, PyEval_SaveThread());
  }
  *state = PyGILState_Ensure();
  if (vfpy_shutting_down()) { /* the atexit handler ran while this thread waited for the GIL */
    PyGILState_Release(*state);
    return FALSE;
  }
  return TRUE;
}

void vfpy_leave(PyGILState_STATE state)
{
  PyGILState_Release(state);
}

void vfpy_with_gil(void (*fn)(gpointer data), gpointer data)
{
  if (PyGILState_Check()) { /* this thread holds the GIL (a dealloc, or a callback) */
    fn(data);
    return;
  }
  if (!Py_IsInitialized() || _Py_IsFinalizing())
    return;
  PyGILState_STATE state = PyGILState_Ensure();
  fn(data);
  PyGILState_Release(state);
}

void vfpy_log_exception(const char *context)
{
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  if (type == NULL)
    return;
  PyErr_NormalizeException(&type, &value, &tb);
  if (tb && value)
    PyException_SetTraceback(value, tb);
  PyObject *method = logger ? PyObject_GetAttrString(logger, "error") : NULL;
  PyObject *args = method ? Py_BuildValue("(ss)", "%s", context) : NULL;
  PyObject *kwargs = args ? Py_BuildValue("{sO}", "exc_info", value ? value : Py_None) : NULL;
  PyObject *r = kwargs ? PyObject_Call(method, args, kwargs) : NULL;
  if (r == NULL) { /* logging itself failed: say so the interpreter's way */
    PyErr_Restore(type, value, tb);
    PyErr_WriteUnraisable(NULL);
    type = value = tb = NULL;
  }
  Py_XDECREF(r);
  Py_XDECREF(kwargs);
  Py_XDECREF(args);
  Py_XDECREF(method);
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(tb);
}

/* ---- waiting with Ctrl-C ---- */

typedef struct {
  VfpyWaitFunc wait;
  gpointer target;
  gboolean ok;
  GError *error;
  int done_fd;
} WaitJob;

static gpointer wait_thread(gpointer data)
{
  WaitJob *job = data;
  job->ok = job->wait(job->target, &job->error);
  char byte = 1;
  while (write(job->done_fd, &byte, 1) < 0 && errno == EINTR)
    ;
  return NULL;
}

/* signal.set_wakeup_fd(fd): the previous fd, or -2 when it failed (the C function
 * PySignal_SetWakeupFd is not exported by Debian's interpreter). */
static int set_wakeup_fd(int fd)
{
  PyObject *signal = PyImport_ImportModule("signal");
  PyObject *r = signal ? PyObject_CallMethod(signal, "set_wakeup_fd", "i", fd) : NULL;
  int previous = r ? (int)PyLong_AsLong(r) : -2;
  Py_XDECREF(r);
  Py_XDECREF(signal);
  if (PyErr_Occurred()) {
    PyErr_Clear();
    previous = -2;
  }
  return previous;
}

static gboolean on_main_thread(void)
{
  PyObject *main = PyObject_CallMethod(threading_module, "main_thread", NULL);
  PyObject *ident = main ? PyObject_GetAttrString(main, "ident") : NULL;
  gboolean is_main = ident && PyLong_AsUnsignedLong(ident) == PyThread_get_thread_ident();
  Py_XDECREF(ident);
  Py_XDECREF(main);
  PyErr_Clear();
  return is_main;
}

int vfpy_wait_interruptible(VfpyWaitFunc wait, VfpyStopFunc stop, gpointer target, GError **error)
{
  gboolean ok;
  int done[2] = { -1, -1 }, sig[2] = { -1, -1 };
  /* Only the main thread runs Python's signal handlers: elsewhere, just wait. Python's C signal
   * handler writes the signal number to the wakeup fd: poll() wakes at once. */
  int previous = -2;
  if (!on_main_thread() || pipe2(done, O_CLOEXEC) < 0 || pipe2(sig, O_CLOEXEC | O_NONBLOCK) < 0
      || (previous = set_wakeup_fd(sig[1])) == -2) {
    for (int i = 0; i < 2; i++) {
      if (done[i] >= 0)
        close(done[i]);
      if (sig[i] >= 0)
        close(sig[i]);
    }
    VFPY_UNLOCKED(ok = wait(target, error));
    return ok ? 1 : 0;
  }
  WaitJob job = { wait, target, FALSE, NULL, done[1] };
  GThread *thread = g_thread_new("vidflow-wait", wait_thread, &job);
  gboolean interrupted = FALSE;
  while (TRUE) {
    struct pollfd fds[2] = { { done[0], POLLIN, 0 }, { sig[0], POLLIN, 0 } };
    int n;
    VFPY_UNLOCKED(n = poll(fds, 2, -1));
    if (fds[0].revents)
      break;
    if (n < 0 && errno != EINTR)
      break; /* cannot happen with valid fds; the join below still waits for the end */
    char bytes[64];
    ssize_t got;
    while ((got = read(sig[0], bytes, sizeof bytes)) > 0)
      if (previous >= 0) /* whoever set a wakeup fd before us still hears of the signal */
        (void)!write(previous, bytes, (size_t)got);
    if (PyErr_CheckSignals() < 0) {
      interrupted = TRUE;
      VFPY_UNLOCKED(stop(target));
      break;
    }
  }
  VFPY_UNLOCKED(g_thread_join(thread));
  PyObject *type, *value, *tb; /* restoring must not lose a pending KeyboardInterrupt */
  PyErr_Fetch(&type, &value, &tb);
  set_wakeup_fd(previous);
  PyErr_Restore(type, value, tb);
  for (int i = 0; i < 2; i++) {
    close(done[i]);
    close(sig[i]);
  }
  if (interrupted) {
    g_clear_error(&job.error);
    return -1;
  }
  if (!job.ok) {
    g_propagate_error(error, job.error);
    return 0;
  }
  return 1;
}

/* ---- values ---- */

PyObject *vfpy_property_string(const char *key, PyObject *value)
{
  if (PyBool_Check(value))
    return PyUnicode_FromString(value == Py_True ? "true" : "false");
  if (PyLong_Check(value)) { /* IntEnum members too: their number, not "Enum.NAME" */
    PyObject *number = PyNumber_Long(value);
    PyObject *s = number ? PyObject_Str(number) : NULL;
    Py_XDECREF(number);
    return s;
  }
  if (PyFloat_Check(value))
    return PyObject_Repr(value);
  if (PyUnicode_Check(value))
    return Py_NewRef(value);
  if (PyObject_HasAttrString(value, "__fspath__")) {
    PyObject *path = PyOS_FSPath(value);
    if (path && PyBytes_Check(path)) {
      PyObject *s = PyUnicode_DecodeFSDefault(PyBytes_AS_STRING(path));
      Py_DECREF(path);
      return s;
    }
    return path;
  }
  PyErr_Format(PyExc_TypeError,
               "property '%s': a %s cannot be a property value; use str, int, float or bool (caps, "
               "enums and fractions as strings: \"video/x-raw,format=RGB\", \"time\", \"30/1\")",
               key, Py_TYPE(value)->tp_name);
  return NULL;
}

gboolean vfpy_color_format_from_object(PyObject *object, VfColorFormat *format)
{
  if (PyUnicode_Check(object)) {
    const char *name = PyUnicode_AsUTF8(object);
    if (name == NULL)
      return FALSE;
    *format = vf_color_format_from_string(name);
    if (*format != VF_COLOR_FORMAT_UNKNOWN)
      return TRUE;
    PyErr_Format(PyExc_ValueError,
                 "unknown colour format '%s': use RGB, RGBA, BGR, BGRA, GRAY, NV12, I420, JPEG "
                 "or H264",
                 name);
    return FALSE;
  }
  if (PyLong_Check(object)) {
    long n = PyLong_AsLong(object);
    if (n > VF_COLOR_FORMAT_UNKNOWN && n <= VF_COLOR_FORMAT_H264) {
      *format = (VfColorFormat)n;
      return TRUE;
    }
    if (!PyErr_Occurred())
      PyErr_Format(PyExc_ValueError, "unknown colour format %ld: use a ColorFormat member", n);
    return FALSE;
  }
  PyErr_Format(PyExc_TypeError, "a colour format is a ColorFormat or its name, not a %s",
               Py_TYPE(object)->tp_name);
  return FALSE;
}

PyObject *vfpy_color_format_to_object(VfColorFormat format)
{
  if (format == VF_COLOR_FORMAT_UNKNOWN)
    Py_RETURN_NONE;
  return PyObject_CallFunction(vfpy_ColorFormat, "i", (int)format);
}

/* ---- live pipelines and shutdown ---- */

typedef struct {
  PyObject *object;
  void (*stop)(PyObject *object);
} LiveEntry;

static GArray *live; /* LiveEntry, guarded by the GIL */

void vfpy_live_add(PyObject *object, void (*stop)(PyObject *object))
{
  if (live == NULL)
    live = g_array_new(FALSE, FALSE, sizeof(LiveEntry));
  LiveEntry e = { object, stop };
  g_array_append_val(live, e);
}

void vfpy_live_remove(PyObject *object)
{
  for (guint i = 0; live && i < live->len; i++)
    if (g_array_index(live, LiveEntry, i).object == object) {
      g_array_remove_index_fast(live, i);
      return;
    }
}

/* atexit: stop what still runs, while the interpreter can still run the callbacks' last calls;
 * from then on callbacks answer "end of stream" without touching Python. */
static PyObject *module_shutdown(PyObject *self, PyObject *unused)
{
  (void)self;
  (void)unused;
  while (live && live->len > 0) {
    LiveEntry e = g_array_index(live, LiveEntry, live->len - 1);
    g_array_remove_index(live, live->len - 1);
    Py_INCREF(e.object);
    e.stop(e.object);
    Py_DECREF(e.object);
  }
  g_atomic_int_set(&shutting_down, 1);
  Py_RETURN_NONE;
}

/* ---- the module ---- */

static PyObject *make_enum(const char *name, const char *doc, const char *const *names,
                           const int *values, guint n)
{
  PyObject *enum_module = PyImport_ImportModule("enum");
  if (enum_module == NULL)
    return NULL;
  PyObject *members = PyList_New(0);
  for (guint i = 0; members && i < n; i++) {
    PyObject *item = Py_BuildValue("(si)", names[i], values[i]);
    if (item == NULL || PyList_Append(members, item) < 0)
      Py_CLEAR(members);
    Py_XDECREF(item);
  }
  PyObject *cls = NULL;
  if (members) {
    PyObject *int_enum = PyObject_GetAttrString(enum_module, "IntEnum");
    PyObject *args = Py_BuildValue("(sO)", name, members);
    PyObject *kwargs = Py_BuildValue("{ss}", "module", "vidflow");
    if (int_enum && args && kwargs)
      cls = PyObject_Call(int_enum, args, kwargs);
    if (cls && PyObject_SetAttrString(cls, "__doc__", PyUnicode_FromString(doc)) < 0)
      Py_CLEAR(cls);
    Py_XDECREF(int_enum);
    Py_XDECREF(args);
    Py_XDECREF(kwargs);
  }
  Py_XDECREF(members);
  Py_DECREF(enum_module);
  return cls;
}

static int add_enums(PyObject *m)
{
  static const char *const cf_names[]
      = { "RGB", "RGBA", "BGR", "BGRA", "GRAY8", "GRAY", "NV12", "I420", "JPEG", "H264" };
  static const int cf_values[]
      = { VF_COLOR_FORMAT_RGB,   VF_COLOR_FORMAT_RGBA,  VF_COLOR_FORMAT_BGR,  VF_COLOR_FORMAT_BGRA,
          VF_COLOR_FORMAT_GRAY8, VF_COLOR_FORMAT_GRAY8, VF_COLOR_FORMAT_NV12, VF_COLOR_FORMAT_I420,
          VF_COLOR_FORMAT_JPEG,  VF_COLOR_FORMAT_H264 };
  static const char *const rm_names[] = { "DISPLAY", "DISCARD", "STREAM" };
  static const int rm_values[] = { VF_RENDER_DISPLAY, VF_RENDER_DISCARD, VF_RENDER_STREAM };
  static const char *const ec_names[]
      = { "FAILED", "NOT_FOUND", "PROPERTY", "VALUE",    "LINK",        "STATE",
          "STREAM", "FORMAT",    "SIZE",     "ARGUMENT", "UNSUPPORTED", "INTERRUPTED" };
  static const int ec_values[]
      = { VF_ERROR_FAILED, VF_ERROR_NOT_FOUND, VF_ERROR_PROPERTY,    VF_ERROR_VALUE,
          VF_ERROR_LINK,   VF_ERROR_STATE,     VF_ERROR_STREAM,      VF_ERROR_FORMAT,
          VF_ERROR_SIZE,   VF_ERROR_ARGUMENT,  VF_ERROR_UNSUPPORTED, VF_ERROR_INTERRUPTED };
  vfpy_ColorFormat = make_enum(
      "ColorFormat", "Pixel format of frames (GRAY is GRAY8; JPEG and H264 are encoded data).",
      cf_names, cf_values, G_N_ELEMENTS(cf_names));
  vfpy_RenderMode
      = make_enum("RenderMode", "How Flow.render() shows frames: a window, nowhere, or over RTSP.",
                  rm_names, rm_values, G_N_ELEMENTS(rm_names));
  error_code_enum = make_enum("ErrorCode", "The code of a vidflow.Error (VfError in C).", ec_names,
                              ec_values, G_N_ELEMENTS(ec_names));
  if (!vfpy_ColorFormat || !vfpy_RenderMode || !error_code_enum)
    return -1;
  if (PyModule_AddObjectRef(m, "ColorFormat", vfpy_ColorFormat) < 0
      || PyModule_AddObjectRef(m, "RenderMode", vfpy_RenderMode) < 0
      || PyModule_AddObjectRef(m, "ErrorCode", error_code_enum) < 0)
    return -1;
  return 0;
}

static int add_errors(PyObject *m)
{
  vfpy_Error = PyErr_NewExceptionWithDoc(
      "vidflow.Error",
      "A vidflow call failed. The message names the element, pad, property or file at fault "
      "and says what to do; `code` is an ErrorCode.",
      PyExc_RuntimeError, NULL);
  if (vfpy_Error == NULL)
    return -1;
  vfpy_ExpiredError = PyErr_NewExceptionWithDoc(
      "vidflow.ExpiredError",
      "A Buffer or batch/frame metadata lent to a callback was used after the callback "
      "returned. Copy what you need inside the callback.",
      vfpy_Error, NULL);
  if (vfpy_ExpiredError == NULL)
    return -1;
  if (PyModule_AddObjectRef(m, "Error", vfpy_Error) < 0
      || PyModule_AddObjectRef(m, "ExpiredError", vfpy_ExpiredError) < 0)
    return -1;
  return 0;
}

static PyObject *module_version(PyObject *self, PyObject *unused)
{
  (void)self;
  (void)unused;
  return PyUnicode_FromString(VFPY_VERSION);
}

static PyMethodDef module_functions[] = {
  { "_shutdown", module_shutdown, METH_NOARGS,
    "_shutdown()\n--\n\nStop every running pipeline (registered with atexit)." },
  { "version", module_version, METH_NOARGS, "version()\n--\n\nThe vidflow version." },
  { NULL, NULL, 0, NULL },
};

static struct PyModuleDef module_def = {
  PyModuleDef_HEAD_INIT,
  "vidflow._vidflow",
  "The C core of the vidflow package (import vidflow, not this).",
  -1,
  module_functions,
  NULL,
  NULL,
  NULL,
  NULL,
};

static int add_type(PyObject *m, PyTypeObject *type, const char *name)
{
  if (PyType_Ready(type) < 0)
    return -1;
  return name ? PyModule_AddObjectRef(m, name, (PyObject *)type) : 0;
}

PyMODINIT_FUNC PyInit__vidflow(void)
{
  PyObject *m = PyModule_Create(&module_def);
  if (m == NULL)
    return NULL;
  PyObject *logging = PyImport_ImportModule("logging");
  logger = logging ? PyObject_CallMethod(logging, "getLogger", "s", "vidflow") : NULL;
  Py_XDECREF(logging);
  threading_module = PyImport_ImportModule("threading");
  PyObject *atexit = PyImport_ImportModule("atexit");
  PyObject *shutdown = PyObject_GetAttrString(m, "_shutdown");
  PyObject *registered
      = atexit && shutdown ? PyObject_CallMethod(atexit, "register", "O", shutdown) : NULL;
  Py_XDECREF(atexit);
  Py_XDECREF(shutdown);
  gboolean ok = logger && threading_module && registered && add_errors(m) == 0 && add_enums(m) == 0
                && add_type(m, &VfpyTensor_Type, "Tensor") == 0
                && add_type(m, &VfpyBuffer_Type, "Buffer") == 0
                && add_type(m, &VfpyBatchMeta_Type, "BatchMetadata") == 0
                && add_type(m, &VfpyFrameMeta_Type, "FrameMetadata") == 0
                && add_type(m, &VfpyObjectMeta_Type, "ObjectMetadata") == 0
                && add_type(m, &VfpyFrameIter_Type, NULL) == 0
                && add_type(m, &VfpyObjectIter_Type, NULL) == 0
                && add_type(m, &VfpyFeeder_Type, "Feeder") == 0
                && add_type(m, &VfpyReceiver_Type, "Receiver") == 0
                && add_type(m, &VfpyProbe_Type, "Probe") == 0
                && add_type(m, &VfpyPipeline_Type, "Pipeline") == 0
                && add_type(m, &VfpyFlowRoot_Type, NULL) == 0
                && add_type(m, &VfpyFlow_Type, "Flow") == 0
                && PyModule_AddFunctions(m, vfpy_tensor_functions) == 0 && vfpy_meta_init(m) == 0
                && vfpy_sources_init(m) == 0;
  Py_XDECREF(registered);
  if (!ok) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
