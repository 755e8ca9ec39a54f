/* vidflow Python module: Flow (a VfFlow), pipelines described by what to do, with kwargs as
 * property overrides ('_' for '-').
 *
 * A Flow object is one handle of a flow (fork() makes branch handles); every handle shares one
 * root, which owns the VfFlow (and through it the pipeline) and the Python objects its feeders,
 * receivers and probes call. The root goes when the last handle and the Pipeline object go.
 *
 * Overrides: the C operations take them as NULL-terminated varargs, and C cannot build a va_list,
 * so every call passes a fixed list of VFPY_OVERRIDE_SLOTS pointers, NULL after the last pair
 * (the C side stops reading at the first NULL name). */
#include "vfpy.h"

#include <string.h>

#define VFPY_MAX_OVERRIDES 32
#define VFPY_OVERRIDE_SLOTS (2 * VFPY_MAX_OVERRIDES + 1)
#define SLOTS8(v, i) v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5], v[i + 6], v[i + 7]
/* All slots of an Overrides as arguments; the last slot is always NULL, given as the literal the
 * C API's sentinel check wants. */
#define OVERRIDES(o)                                                                               \
  SLOTS8((o).v, 0), SLOTS8((o).v, 8), SLOTS8((o).v, 16), SLOTS8((o).v, 24), SLOTS8((o).v, 32),     \
      SLOTS8((o).v, 40), SLOTS8((o).v, 48), SLOTS8((o).v, 56), NULL

G_STATIC_ASSERT(VFPY_OVERRIDE_SLOTS == 65);

typedef struct {
  const char *v[VFPY_OVERRIDE_SLOTS];
  PyObject *keep; /* the str objects v points into */
} Overrides;

typedef struct {
  PyObject_HEAD VfFlow *flow; /* the first handle: vf_flow_free frees the whole flow */
  VfpyPipeline *pipeline;     /* its Pipeline object (the VfPipeline belongs to the flow) */
  PyObject *held;             /* wrappers whose C objects the flow owns */
} VfpyFlowRoot;

typedef struct {
  PyObject_HEAD VfpyFlowRoot *root;
  VfFlow *flow;
} VfpyFlow;

/* ---- overrides ---- */

static void overrides_clear(Overrides *o)
{
  Py_CLEAR(o->keep);
}

/* kwargs as name/value strings; keys in `own` (NULL-terminated) are the operation's own. */
static gboolean overrides_from_kwargs(PyObject *kwargs, Overrides *o)
{
  memset(o->v, 0, sizeof o->v);
  o->keep = PyList_New(0);
  if (o->keep == NULL)
    return FALSE;
  Py_ssize_t n = kwargs ? PyDict_Size(kwargs) : 0;
  if (n > VFPY_MAX_OVERRIDES) {
    PyErr_Format(PyExc_ValueError, "at most %d overrides per operation", VFPY_MAX_OVERRIDES);
    overrides_clear(o);
    return FALSE;
  }
  PyObject *key, *value;
  Py_ssize_t pos = 0, i = 0;
  while (kwargs && PyDict_Next(kwargs, &pos, &key, &value)) {
    const char *k = PyUnicode_AsUTF8(key);
    PyObject *s = k ? vfpy_property_string(k, value) : NULL;
    if (s == NULL || PyList_Append(o->keep, s) < 0) {
      Py_XDECREF(s);
      overrides_clear(o);
      return FALSE;
    }
    Py_DECREF(s);
    o->v[i++] = k;
    o->v[i++] = PyUnicode_AsUTF8(s);
  }
  return TRUE;
}

/* Take keyword `name` out of kwargs (new reference or NULL). */
static PyObject *pop_kwarg(PyObject *kwargs, const char *name)
{
  PyObject *v = kwargs ? PyDict_GetItemString(kwargs, name) : NULL;
  if (v == NULL)
    return NULL;
  Py_INCREF(v);
  PyDict_DelItemString(kwargs, name);
  return v;
}

/* ---- handles and the root ---- */

static void root_release(VfpyFlowRoot *root)
{
  if (root->flow == NULL)
    return;
  VfFlow *flow = g_steal_pointer(&root->flow);
  VFPY_UNLOCKED(vf_flow_stop(flow)); /* joins vidflow's threads: no callback after this */
  for (Py_ssize_t i = 0; root->held && i < PyList_GET_SIZE(root->held); i++)
    vfpy_callback_detach(PyList_GET_ITEM(root->held, i));
  if (root->pipeline) /* attached through the Pipeline after the Flow took it */
    vfpy_pipeline_forget(root->pipeline);
  VFPY_UNLOCKED(vf_flow_free(flow));
  if (root->pipeline) {
    root->pipeline->pipeline = NULL;
    root->pipeline->flow_root = NULL;
  }
}

static void root_stop_live(PyObject *object)
{
  VfpyFlowRoot *root = (VfpyFlowRoot *)object;
  if (root->flow)
    VFPY_UNLOCKED(vf_flow_stop(root->flow));
}

static int root_traverse(VfpyFlowRoot *self, visitproc visit, void *arg)
{
  Py_VISIT(self->held);
  Py_VISIT(self->pipeline);
  return 0;
}

static int root_clear(VfpyFlowRoot *self)
{
  root_release(self);
  Py_CLEAR(self->held);
  Py_CLEAR(self->pipeline);
  return 0;
}

static void root_dealloc(VfpyFlowRoot *self)
{
  PyObject_GC_UnTrack(self);
  vfpy_live_remove((PyObject *)self);
  root_clear(self);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

PyTypeObject VfpyFlowRoot_Type = {
  PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vidflow._FlowRoot",
  .tp_basicsize = sizeof(VfpyFlowRoot),
  .tp_dealloc = (destructor)root_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
  .tp_traverse = (traverseproc)root_traverse,
  .tp_clear = (inquiry)root_clear,
};

/* A handle of `type` (Flow or a subclass). */
static PyObject *handle_new(PyTypeObject *type, VfpyFlowRoot *root, VfFlow *flow)
{
  VfpyFlow *self = (VfpyFlow *)type->tp_alloc(type, 0);
  if (self == NULL)
    return NULL;
  self->root = (VfpyFlowRoot *)Py_NewRef(root);
  self->flow = flow;
  return (PyObject *)self;
}

static PyObject *flow_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
  static char *keywords[] = { "pipeline", NULL };
  PyObject *pipeline = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O", keywords, &pipeline))
    return NULL;
  if (pipeline == Py_None)
    pipeline = PyObject_CallFunction((PyObject *)&VfpyPipeline_Type, "s", "flow");
  else if (!PyObject_TypeCheck(pipeline, &VfpyPipeline_Type)) {
    PyErr_Format(PyExc_TypeError, "Flow(pipeline): a vidflow.Pipeline, not a %s",
                 Py_TYPE(pipeline)->tp_name);
    return NULL;
  } else
    Py_INCREF(pipeline);
  if (pipeline == NULL)
    return NULL;
  VfpyPipeline *p = (VfpyPipeline *)pipeline;
  if (p->flow_root || vfpy_pipeline_get(p) == NULL) {
    if (p->flow_root)
      PyErr_SetString(PyExc_ValueError, "this Pipeline has a Flow already: one Flow per Pipeline "
                                        "(fork() it for more branches)");
    Py_DECREF(pipeline);
    return NULL;
  }
  VfpyFlowRoot *root = PyObject_GC_New(VfpyFlowRoot, &VfpyFlowRoot_Type);
  if (root == NULL) {
    Py_DECREF(pipeline);
    return NULL;
  }
  /* The flow takes the C pipeline, and with it the wrappers attached to it so far. */
  root->flow = vf_flow_new(p->pipeline);
  root->pipeline = p; /* our reference */
  root->held = p->held;
  p->held = PyList_New(0);
  p->flow_root = (PyObject *)root;
  PyObject_GC_Track(root);
  vfpy_live_add((PyObject *)root, root_stop_live);
  PyObject *handle = handle_new(type, root, root->flow);
  Py_DECREF(root);
  return handle;
}

static int flow_traverse(VfpyFlow *self, visitproc visit, void *arg)
{
  Py_VISIT(self->root);
  return 0;
}

static int flow_clear(VfpyFlow *self)
{
  Py_CLEAR(self->root);
  return 0;
}

static void flow_dealloc(VfpyFlow *self)
{
  PyObject_GC_UnTrack(self);
  flow_clear(self);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static VfFlow *flow_get(VfpyFlow *self)
{
  if (self->root && self->root->flow)
    return self->flow;
  PyErr_SetString(vfpy_Error, "this Flow has been freed");
  return NULL;
}

/* The handle for what an operation returned: this one, or a new branch handle. */
static PyObject *flow_result(VfpyFlow *self, VfFlow *next, GError *error, Overrides *o)
{
  if (o)
    overrides_clear(o);
  if (next == NULL)
    return vfpy_raise_gerror(error);
  if (next == self->flow)
    return Py_NewRef(self);
  return handle_new(Py_TYPE(self), self->root, next);
}

static gboolean no_positional(const char *op, PyObject *args, Py_ssize_t max)
{
  if (PyTuple_GET_SIZE(args) <= max)
    return TRUE;
  PyErr_Format(PyExc_TypeError, "%s() takes %zd positional argument%s; overrides are keywords", op,
               max, max == 1 ? "" : "s");
  return FALSE;
}

/* A NULL-terminated array of the strings of a list/tuple of str or paths (or of one str). */
static const char **string_array(PyObject *list, PyObject *keep, const char *op)
{
  PyObject *seq = PyUnicode_Check(list) || PyObject_HasAttrString(list, "__fspath__")
                      ? PyTuple_Pack(1, list)
                      : PySequence_Fast(list, "");
  if (seq == NULL) {
    PyErr_Format(PyExc_TypeError, "%s(): a list of URIs or paths", op);
    return NULL;
  }
  Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
  const char **array = g_new0(const char *, n + 1);
  for (Py_ssize_t i = 0; i < n; i++) {
    PyObject *s = vfpy_property_string("uri", PySequence_Fast_GET_ITEM(seq, i));
    if (s == NULL || PyList_Append(keep, s) < 0) {
      Py_XDECREF(s);
      Py_DECREF(seq);
      g_free(array);
      return NULL;
    }
    array[i] = PyUnicode_AsUTF8(s);
    Py_DECREF(s);
  }
  Py_DECREF(seq);
  return array;
}

/* ---- operations that take only overrides: adding one is one line here ---- */

typedef VfFlow *(*PlainOp)(VfFlow *flow, GError **error, ...);

#define VFPY_FLOW_PLAIN_OPS(X)                                                                     \
  X(decode, vf_flow_decode,                                                                        \
    "decode(**overrides)\n--\n\nA decoder per encoded stream (JPEG, H.264 from "                   \
    "inject()).")                                                                                  \
  X(fork, vf_flow_fork,                                                                            \
    "fork(**overrides)\n--\n\nFork the flow (a tee): each operation called on the "                \
    "returned Flow starts a branch and returns that branch.")

static PyObject *flow_plain(VfpyFlow *self, PyObject *args, PyObject *kwargs, const char *op,
                            PlainOp fn)
{
  VfFlow *flow = flow_get(self);
  Overrides o;
  if (flow == NULL || !no_positional(op, args, 0) || !overrides_from_kwargs(kwargs, &o))
    return NULL;
  GError *error = NULL;
  VfFlow *next = fn(flow, &error, OVERRIDES(o));
  return flow_result(self, next, error, &o);
}

#define DEFINE_PLAIN_OP(name, fn, doc)                                                             \
  static PyObject *flow_##name(VfpyFlow *self, PyObject *args, PyObject *kwargs)                   \
  {                                                                                                \
    return flow_plain(self, args, kwargs, #name, (PlainOp)fn);                                     \
  }
VFPY_FLOW_PLAIN_OPS(DEFINE_PLAIN_OP)

/* ---- operations with arguments of their own ---- */

static PyObject *flow_uris_op(VfpyFlow *self, PyObject *args, PyObject *kwargs, const char *op,
                              gboolean batched)
{
  VfFlow *flow = flow_get(self);
  PyObject *uris = NULL;
  if (flow == NULL || !PyArg_ParseTuple(args, "O", &uris))
    return NULL;
  Overrides o;
  if (!overrides_from_kwargs(kwargs, &o))
    return NULL;
  GError *error = NULL;
  VfFlow *next = NULL;
  /* batch_capture("sources.yaml"): a Service Maker source list */
  PyObject *path = batched && (PyUnicode_Check(uris) || PyObject_HasAttrString(uris, "__fspath__"))
                       ? vfpy_property_string("source list", uris)
                       : NULL;
  const char *p = path ? PyUnicode_AsUTF8(path) : NULL;
  if (p && (g_str_has_suffix(p, ".yaml") || g_str_has_suffix(p, ".yml"))) {
    next = vf_flow_batch_capture_file(flow, p, &error, OVERRIDES(o));
  } else {
    const char **array = string_array(uris, o.keep, op);
    if (array == NULL) {
      Py_XDECREF(path);
      overrides_clear(&o);
      return NULL;
    }
    next = batched ? vf_flow_batch_capture(flow, array, &error, OVERRIDES(o))
                   : vf_flow_capture(flow, array, &error, OVERRIDES(o));
    g_free(array);
  }
  Py_XDECREF(path);
  return flow_result(self, next, error, &o);
}

static PyObject *flow_capture(VfpyFlow *self, PyObject *args, PyObject *kwargs)
{
  return flow_uris_op(self, args, kwargs, "capture", FALSE);
}

static PyObject *flow_batch_capture(VfpyFlow *self, PyObject *args, PyObject *kwargs)
{
  return flow_uris_op(self, args, kwargs, "batch_capture", TRUE);
}

static PyObject *flow_inject(VfpyFlow *self, PyObject *args, PyObject *kwargs)
{
  VfFlow *flow = flow_get(self);
  PyObject *providers;
  if (flow == NULL || !PyArg_ParseTuple(args, "O", &providers))
    return NULL;
  PyObject *seq = PySequence_Fast(providers, "inject(): a list of BufferProvider objects");
  if (seq == NULL)
    return NULL;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
  VfFeeder **feeders = g_new0(VfFeeder *, n + 1);
  PyObject *wrappers = PyList_New(0);
  gboolean ok = wrappers != NULL;
  for (Py_ssize_t i = 0; ok && i < n; i++) {
    char *name = g_strdup_printf("inject-feeder%zd", i);
    PyObject *w = vfpy_feeder_for_provider(PySequence_Fast_GET_ITEM(seq, i), name);
    g_free(name);
    ok = w && PyList_Append(wrappers, w) == 0;
    Py_XDECREF(w);
  }
  /* Only once every provider is a feeder: the flow takes them all, even on failure. */
  for (Py_ssize_t i = 0; ok && i < n; i++) {
    feeders[i] = vfpy_feeder_take(PyList_GET_ITEM(wrappers, i));
    ok = feeders[i] != NULL;
  }
  for (Py_ssize_t i = 0; ok && i < n; i++)
    ok = PyList_Append(self->root->held, PyList_GET_ITEM(wrappers, i)) == 0;
  Overrides o = { { NULL }, NULL };
  ok = ok && overrides_from_kwargs(kwargs, &o);
  Py_DECREF(seq);
  Py_XDECREF(wrappers);
  if (!ok) {
    g_free(feeders);
    return NULL;
  }
  GError *error = NULL;
  VfFlow *next = vf_flow_inject(flow, feeders, &error, OVERRIDES(o));
  g_free(feeders);
  return flow_result(self, next, error, &o);
}

static PyObject *flow_batch(VfpyFlow *self, PyObject *args, PyObject *kwargs)
{
  VfFlow *flow = flow_get(self);
  if (flow == NULL)
    return NULL;
  unsigned int size = 0, width = 0, height = 0;
  PyObject *own[3] = { pop_kwarg(kwargs, "batch_size"), pop_kwarg(kwargs, "width"),
                       pop_kwarg(kwargs, "height") };
  unsigned int *out[3] = { &size, &width, &height };
  gboolean ok = PyArg_ParseTuple(args, "|III", &size, &width, &height);
  for (int i = 0; i < 3; i++) {
    if (ok && own[i]) {
      *out[i] = (unsigned int)PyLong_AsUnsignedLong(own[i]);
      ok = !PyErr_Occurred();
    }
    Py_XDECREF(own[i]);
  }
  Overrides o;
  if (!ok || !overrides_from_kwargs(kwargs, &o))
    return NULL;
  GError *error = NULL;
  VfFlow *next = vf_flow_batch(flow, size, width, height, &error, OVERRIDES(o));
  return flow_result(self, next, error, &o);
}

static PyObject *flow_infer(VfpyFlow *self, PyObject *args, PyObject *kwargs)
{
  VfFlow *flow = flow_get(self);
  PyObject *config = NULL;
  if (flow == NULL)
    return NULL;
  PyObject *kw_config = pop_kwarg(kwargs, "config");
  if (!PyArg_ParseTuple(args, kw_config ? "" : "O&", PyUnicode_FSConverter, &config)) {
    Py_XDECREF(kw_config);
    return NULL;
  }
  if (kw_config) {
    int ok = PyUnicode_FSConverter(kw_config, &config);
    Py_DECREF(kw_config);
    if (!ok)
      return NULL;
  }
  Overrides o;
  if (!overrides_from_kwargs(kwargs, &o)) {
    Py_DECREF(config);
    return NULL;
  }
  GError *error = NULL;
  VfFlow *next = vf_flow_infer(flow, PyBytes_AS_STRING(config), &error, OVERRIDES(o));
  Py_DECREF(config);
  return flow_result(self, next, error, &o);
}

/* A positional-or-keyword argument: new reference or NULL (with an exception when both). */
static gboolean take_argument(PyObject *positional, PyObject *kwargs, const char *op,
                              const char *name, PyObject **out)
{
  PyObject *keyword = pop_kwarg(kwargs, name);
  if (keyword && positional) {
    Py_DECREF(keyword);
    PyErr_Format(PyExc_TypeError, "%s(): '%s' given twice", op, name);
    return FALSE;
  }
  *out = keyword ? keyword : Py_XNewRef(positional);
  return TRUE;
}

static const char *optional_name(PyObject *name_object, gboolean *ok)
{
  if (!*ok || name_object == NULL || name_object == Py_None)
    return NULL;
  const char *name = PyUnicode_Check(name_object) ? PyUnicode_AsUTF8(name_object) : NULL;
  if (name == NULL) {
    PyErr_SetString(PyExc_TypeError, "name is a str");
    *ok = FALSE;
  }
  return name;
}

/* The positional-or-keyword arguments `names` of `op` (at most n positionally) as file-system
 * strings (str, bytes or os.PathLike) in out[] (NULL: absent or None); bytes[] keeps them (the
 * caller releases them with paths_clear, also on failure). */
static gboolean take_paths(PyObject *args, PyObject *kwargs, const char *op,
                           const char *const *names, Py_ssize_t n, PyObject **bytes,
                           const char **out)
{
  for (Py_ssize_t i = 0; i < n; i++) {
    bytes[i] = NULL;
    out[i] = NULL;
  }
  if (!no_positional(op, args, n))
    return FALSE;
  for (Py_ssize_t i = 0; i < n; i++) {
    PyObject *positional = i < PyTuple_GET_SIZE(args) ? PyTuple_GET_ITEM(args, i) : NULL, *value;
    if (!take_argument(positional, kwargs, op, names[i], &value))
      return FALSE;
    int ok = value == NULL || value == Py_None || PyUnicode_FSConverter(value, &bytes[i]);
    Py_XDECREF(value);
    if (!ok)
      return FALSE;
    out[i] = bytes[i] ? PyBytes_AS_STRING(bytes[i]) : NULL;
  }
  return TRUE;
}

static void paths_clear(PyObject **bytes, Py_ssize_t n)
{
  for (Py_ssize_t i = 0; i < n; i++)
    Py_CLEAR(bytes[i]);
}

/* track(ll_config_file=None, ll_lib_file=None, **overrides) */
static PyObject *flow_track(VfpyFlow *self, PyObject *args, PyObject *kwargs)
{
  static const char *const names[] = { "ll_config_file", "ll_lib_file" };
  enum { N = G_N_ELEMENTS(names) };
  PyObject *bytes[N];
  const char *files[N];
  VfFlow *flow = flow_get(self);
  Overrides o;
  if (flow == NULL)
    return NULL;
  if (!take_paths(args, kwargs, "track", names, N, bytes, files)
      || !overrides_from_kwargs(kwargs, &o)) {
    paths_clear(bytes, N);
    return NULL;
  }
  GError *error = NULL;
  VfFlow *next = vf_flow_track(flow, files[0], files[1], &error, OVERRIDES(o));
  paths_clear(bytes, N);
  return flow_result(self, next, error, &o);
}

/* publish(msg_broker_proto_lib=None, msg_broker_conn_str, topic=None, msg_conv_config=None,
 * **overrides) */
static PyObject *flow_publish(VfpyFlow *self, PyObject *args, PyObject *kwargs)
{
  static const char *const names[]
      = { "msg_broker_proto_lib", "msg_broker_conn_str", "topic", "msg_conv_config" };
  enum { N = G_N_ELEMENTS(names) };
  PyObject *bytes[N];
  const char *a[N];
  VfFlow *flow = flow_get(self);
  Overrides o;
  if (flow == NULL)
    return NULL;
  if (!take_paths(args, kwargs, "publish", names, N, bytes, a)
      || !overrides_from_kwargs(kwargs, &o)) {
    paths_clear(bytes, N);
    return NULL;
  }
  GError *error = NULL;
  VfFlow *next = vf_flow_publish(flow, a[0], a[1], a[2], a[3], &error, OVERRIDES(o));
  paths_clear(bytes, N);
  return flow_result(self, next, error, &o);
}

/* attach(what, name=None, **parameters): a Probe / operator object, or a probe by name. */
static PyObject *flow_attach(VfpyFlow *self, PyObject *args, PyObject *kwargs)
{
  VfFlow *flow = flow_get(self);
  PyObject *what_arg = NULL, *name_arg = NULL, *what = NULL, *name_object = NULL;
  if (flow == NULL || !PyArg_ParseTuple(args, "|OO", &what_arg, &name_arg))
    return NULL;
  gboolean ok = take_argument(what_arg, kwargs, "attach", "what", &what)
                && take_argument(name_arg, kwargs, "attach", "name", &name_object);
  if (ok && what == NULL) {
    PyErr_SetString(PyExc_TypeError, "attach(what): a Probe, an operator or a probe's name");
    ok = FALSE;
  }
  const char *name = optional_name(name_object, &ok);
  GError *error = NULL;
  VfFlow *next = NULL;
  Overrides o = { { NULL }, NULL };
  if (ok && PyUnicode_Check(what)) {
    ok = overrides_from_kwargs(kwargs, &o);
    if (ok)
      next = vf_flow_attach_named(flow, PyUnicode_AsUTF8(what), name, &error, OVERRIDES(o));
  } else if (ok) {
    if (kwargs && PyDict_Size(kwargs) > 0) {
      PyErr_SetString(PyExc_TypeError, "attach(): parameters are for probes attached by name");
      ok = FALSE;
    }
    PyObject *probe = ok ? vfpy_probe_for_operator(what, name ? name : "probe") : NULL;
    VfProbe *c = probe ? vfpy_probe_take(probe) : NULL;
    ok = c && PyList_Append(self->root->held, probe) == 0;
    Py_XDECREF(probe);
    if (ok)
      next = vf_flow_attach(flow, c, &error);
  }
  Py_XDECREF(what);
  Py_XDECREF(name_object);
  if (!ok) {
    overrides_clear(&o);
    return NULL;
  }
  return flow_result(self, next, error, &o);
}

static PyObject *flow_retrieve(VfpyFlow *self, PyObject *args, PyObject *kwargs)
{
  VfFlow *flow = flow_get(self);
  PyObject *retriever_arg = NULL, *retriever = NULL, *name_object = NULL;
  if (flow == NULL || !PyArg_ParseTuple(args, "|O", &retriever_arg))
    return NULL;
  gboolean ok = take_argument(retriever_arg, kwargs, "retrieve", "retriever", &retriever)
                && take_argument(NULL, kwargs, "retrieve", "name", &name_object);
  if (ok && retriever == NULL) {
    PyErr_SetString(PyExc_TypeError,
                    "retrieve(retriever): a BufferRetriever or a retriever's name");
    ok = FALSE;
  }
  const char *name = optional_name(name_object, &ok);
  Overrides o = { { NULL }, NULL };
  ok = ok && overrides_from_kwargs(kwargs, &o);
  GError *error = NULL;
  VfFlow *next = NULL;
  if (ok && PyUnicode_Check(retriever)) {
    next = vf_flow_retrieve_named(flow, PyUnicode_AsUTF8(retriever), name, &error, OVERRIDES(o));
  } else if (ok) {
    VfRetrieverCallbacks callbacks;
    PyObject *wrapper = NULL;
    ok = vfpy_retriever_callbacks(retriever, name ? name : "retriever", &callbacks, &wrapper)
         && PyList_Append(self->root->held, wrapper) == 0;
    Py_XDECREF(wrapper); /* the root holds it */
    if (ok)
      next = vf_flow_retrieve(flow, &callbacks, wrapper, &error, OVERRIDES(o));
  }
  Py_XDECREF(retriever);
  Py_XDECREF(name_object);
  if (!ok) {
    overrides_clear(&o);
    return NULL;
  }
  return flow_result(self, next, error, &o);
}

static PyObject *flow_render(VfpyFlow *self, PyObject *args, PyObject *kwargs)
{
  VfFlow *flow = flow_get(self);
  if (flow == NULL)
    return NULL;
  PyObject *mode_object = pop_kwarg(kwargs, "mode");
  int mode = VF_RENDER_DISPLAY;
  gboolean ok
      = mode_object ? no_positional("render", args, 0) : PyArg_ParseTuple(args, "|i", &mode);
  if (ok && mode_object) {
    mode = (int)PyLong_AsLong(mode_object);
    ok = !PyErr_Occurred();
  }
  Py_XDECREF(mode_object);
  Overrides o;
  if (!ok || !overrides_from_kwargs(kwargs, &o))
    return NULL;
  GError *error = NULL;
  VfFlow *next = vf_flow_render(flow, (VfRenderMode)mode, &error, OVERRIDES(o));
  return flow_result(self, next, error, &o);
}

static PyObject *flow_encode(VfpyFlow *self, PyObject *args, PyObject *kwargs)
{
  VfFlow *flow = flow_get(self);
  if (flow == NULL)
    return NULL;
  static const char *const own_names[] = { "uri", "profile", "bitrate", "iframeinterval" };
  PyObject *own[4];
  for (int i = 0; i < 4; i++)
    own[i] = pop_kwarg(kwargs, own_names[i]);
  PyObject *uri = NULL;
  int profile = VF_PROFILE_BASELINE;
  unsigned int bitrate = 0, gop = 0;
  gboolean ok = PyArg_ParseTuple(args, "|OiII", &uri, &profile, &bitrate, &gop);
  if (ok && own[0])
    uri = own[0];
  if (ok && own[1])
    profile = (int)PyLong_AsLong(own[1]);
  if (ok && own[2])
    bitrate = (unsigned int)PyLong_AsUnsignedLong(own[2]);
  if (ok && own[3])
    gop = (unsigned int)PyLong_AsUnsignedLong(own[3]);
  ok = ok && !PyErr_Occurred();
  if (ok && uri == NULL) {
    PyErr_SetString(PyExc_TypeError, "encode(uri): a file path, file://... or rtsp://host:port");
    ok = FALSE;
  }
  PyObject *uri_string = ok ? vfpy_property_string("uri", uri) : NULL;
  for (int i = 0; i < 4; i++)
    Py_XDECREF(own[i]);
  Overrides o;
  if (uri_string == NULL || !overrides_from_kwargs(kwargs, &o)) {
    Py_XDECREF(uri_string);
    return NULL;
  }
  GError *error = NULL;
  VfFlow *next = vf_flow_encode(flow, PyUnicode_AsUTF8(uri_string), (VfEncodeProfile)profile,
                                bitrate, gop, &error, OVERRIDES(o));
  Py_DECREF(uri_string);
  return flow_result(self, next, error, &o);
}

/* ---- running ---- */

static PyObject *flow_start(VfpyFlow *self, PyObject *unused)
{
  (void)unused;
  VfFlow *flow = flow_get(self);
  if (flow == NULL)
    return NULL;
  GError *error = NULL;
  gboolean ok;
  VFPY_UNLOCKED(ok = vf_flow_start(flow, &error));
  return ok ? Py_NewRef(self) : vfpy_raise_gerror(error);
}

static PyObject *flow_wait(VfpyFlow *self, PyObject *unused)
{
  (void)unused;
  VfFlow *flow = flow_get(self);
  if (flow == NULL)
    return NULL;
  GError *error = NULL;
  int r = vfpy_wait_interruptible((VfpyWaitFunc)vf_flow_wait, (VfpyStopFunc)vf_flow_stop, flow,
                                  &error);
  if (r == 0)
    return vfpy_raise_gerror(error);
  return r < 0 ? NULL : Py_NewRef(self);
}

static PyObject *flow_call(VfpyFlow *self, PyObject *args, PyObject *kwargs)
{
  if (!no_positional("flow", args, 0) || (kwargs && PyDict_Size(kwargs) > 0)) {
    if (!PyErr_Occurred())
      PyErr_SetString(PyExc_TypeError, "flow() takes no arguments");
    return NULL;
  }
  PyObject *started = flow_start(self, NULL);
  if (started == NULL)
    return NULL;
  Py_DECREF(started);
  PyObject *done = flow_wait(self, NULL);
  if (done == NULL)
    return NULL;
  Py_DECREF(done);
  Py_RETURN_NONE;
}

static PyObject *flow_stop(VfpyFlow *self, PyObject *unused)
{
  (void)unused;
  VfFlow *flow = flow_get(self);
  if (flow == NULL)
    return NULL;
  VFPY_UNLOCKED(vf_flow_stop(flow));
  return Py_NewRef(self);
}

static PyObject *flow_rtsp_url(VfpyFlow *self, PyObject *args)
{
  unsigned int index = 0;
  VfFlow *flow = flow_get(self);
  if (flow == NULL || !PyArg_ParseTuple(args, "|I", &index))
    return NULL;
  char *url = vf_flow_get_rtsp_url(flow, index);
  if (url == NULL)
    Py_RETURN_NONE;
  PyObject *out = PyUnicode_FromString(url);
  g_free(url);
  return out;
}

static PyObject *flow_get_pipeline(VfpyFlow *self, void *closure)
{
  (void)closure;
  if (flow_get(self) == NULL)
    return NULL;
  return Py_NewRef((PyObject *)self->root->pipeline);
}

#define PLAIN_OP_ENTRY(name, fn, doc)                                                              \
  { #name, (PyCFunction)(void (*)(void))flow_##name, METH_VARARGS | METH_KEYWORDS, doc },

static PyMethodDef flow_methods[] = {
  { "capture", (PyCFunction)(void (*)(void))flow_capture, METH_VARARGS | METH_KEYWORDS,
    "capture(uris, **overrides)\n--\n\nStart the flow with a decoding source "
    "(vfurisrcbin) per URI or path: one stream each. Overrides: file_loop, latency, gpu_id, "
    "rtsp_reconnect_interval, ..." },
  { "inject", (PyCFunction)(void (*)(void))flow_inject, METH_VARARGS | METH_KEYWORDS,
    "inject(providers, **overrides)\n--\n\nStart the flow with an appsrc per "
    "BufferProvider (or Feeder): one stream each. JPEG/H264 providers need decode()." },
  { "batch_capture", (PyCFunction)(void (*)(void))flow_batch_capture, METH_VARARGS | METH_KEYWORDS,
    "batch_capture(uris_or_source_list, **overrides)\n--\n\ncapture() + batch(); "
    "a .yaml path is a Service Maker source list (source-list: [{uri, sensor-id, "
    "sensor-name}])." },
  { "batch", (PyCFunction)(void (*)(void))flow_batch, METH_VARARGS | METH_KEYWORDS,
    "batch(batch_size=0, width=0, height=0, **overrides)\n--\n\nBatch every stream "
    "into one (vfmux); 0: the number of streams, 1920x1080." },
  { "infer", (PyCFunction)(void (*)(void))flow_infer, METH_VARARGS | METH_KEYWORDS,
    "infer(config, **overrides)\n--\n\nInference (vfinfer) with a model configuration "
    "file; overrides are vfinfer properties." },
  { "track", (PyCFunction)(void (*)(void))flow_track, METH_VARARGS | METH_KEYWORDS,
    "track(ll_config_file=None, ll_lib_file=None, **overrides)\n--\n\nTracking (vftracker) "
    "of the objects infer() found: ll_config_file is vftracker's YAML config (None: the "
    "built-in bytetrack with its defaults), ll_lib_file a custom tracker library (None: the "
    "built-in trackers); overrides are vftracker properties (algorithm, max_lost, ...). Must "
    "follow infer()." },
  { "attach", (PyCFunction)(void (*)(void))flow_attach, METH_VARARGS | METH_KEYWORDS,
    "attach(what, name=None, **parameters)\n--\n\nA Probe (or an operator object) on "
    "the flow's stream, or a probe by name: a built-in (\"measure_fps_probe\") or "
    "\"plugin.probe\" with its parameters." },
  { "retrieve", (PyCFunction)(void (*)(void))flow_retrieve, METH_VARARGS | METH_KEYWORDS,
    "retrieve(retriever, **overrides)\n--\n\nEnd the flow in a BufferRetriever "
    "(single streams as RGB frames, a batch as vfmux made it), or a \"plugin.retriever\" by "
    "name." },
  { "render", (PyCFunction)(void (*)(void))flow_render, METH_VARARGS | METH_KEYWORDS,
    "render(mode=0, **overrides)\n--\n\nmode: RenderMode.DISPLAY (0), DISCARD or STREAM. End the "
    "flow in a window "
    "(a batch is tiled), nowhere (DISCARD), or an RTSP stream (STREAM, port=, mount=)." },
  { "encode", (PyCFunction)(void (*)(void))flow_encode, METH_VARARGS | METH_KEYWORDS,
    "encode(uri, profile=0, bitrate=0, iframeinterval=0, **overrides)\n--\n\nEnd the "
    "flow in H.264: an MP4 file (a path or file://...) or an RTSP server "
    "(rtsp://host:port[/mount], port 0: any free port)." },
  { "publish", (PyCFunction)(void (*)(void))flow_publish, METH_VARARGS | METH_KEYWORDS,
    "publish(msg_broker_proto_lib=None, msg_broker_conn_str=None, topic=None, "
    "msg_conv_config=None, **overrides)\n--\n\nEnd the flow in events to a message broker "
    "(vfmsgconv + vfmsgbroker). msg_broker_conn_str (required): host;port or a URI "
    "(mqtt://host:port/topic, redis://..., kafka://..., file:///path); msg_broker_proto_lib: "
    "mqtt, redis, kafka, file or an adapter library (None: the conn-str's scheme); topic (None: "
    "the conn-str's); msg_conv_config: sensors/places/modules per source. Overrides go to "
    "vfmsgconv and vfmsgbroker (payload_type, frequency, ...)." },
  VFPY_FLOW_PLAIN_OPS(PLAIN_OP_ENTRY){ "start", (PyCFunction)flow_start, METH_NOARGS,
                                       "start()\n--\n\nCheck the flow and start it." },
  { "wait", (PyCFunction)flow_wait, METH_NOARGS,
    "wait()\n--\n\nBlock (without the GIL) until the flow ends; errors raise "
    "vidflow.Error, Ctrl-C raises KeyboardInterrupt after stopping it." },
  { "stop", (PyCFunction)flow_stop, METH_NOARGS, "stop()\n--\n\nStop at once." },
  { "rtsp_url", (PyCFunction)flow_rtsp_url, METH_VARARGS,
    "rtsp_url(index=0)\n--\n\nThe URL clients use for RTSP output `index`." },
  { NULL, NULL, 0, NULL },
};

static PyGetSetDef flow_getset[] = {
  { "pipeline", (getter)flow_get_pipeline, NULL, "The flow's Pipeline.", NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject VfpyFlow_Type = {
  PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vidflow.Flow",
  .tp_basicsize = sizeof(VfpyFlow),
  .tp_dealloc = (destructor)flow_dealloc,
  .tp_call = (ternaryfunc)flow_call,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
  .tp_doc = "Flow(pipeline=None)\n--\n\n"
            "A pipeline described by what to do (the seed's Flow API):\n\n"
            "    Flow(Pipeline(\"p\")).batch_capture([\"a.mp4\"]).infer(\"model.yaml\")"
            ".render()()\n\n"
            "Every operation returns the Flow to continue from and takes element properties as "
            "keyword overrides, '_' for '-' (gpu_id=1). render(), encode() and retrieve() end a "
            "flow; after fork() each operation starts a branch. Calling the flow runs it.",
  .tp_traverse = (traverseproc)flow_traverse,
  .tp_clear = (inquiry)flow_clear,
  .tp_methods = flow_methods,
  .tp_getset = flow_getset,
  .tp_new = flow_new,
};
