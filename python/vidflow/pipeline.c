/* vidflow Python module: Pipeline (a VfPipeline): add elements with a property dict, link them
 * (pad tuples too), attach feeders/receivers/probes by object or by name, run it.
 *
 * Ownership: the Pipeline owns its VfPipeline, and holds (in `held`) the Feeder/Receiver/Probe
 * wrappers whose C objects the VfPipeline owns, so their Python callbacks outlive every call.
 * When a Flow takes the pipeline, the Flow's root owns both from then on. */
#include "vfpy.h"

VfPipeline *vfpy_pipeline_get(VfpyPipeline *self)
{
  if (self->pipeline)
    return self->pipeline;
  PyErr_SetString(vfpy_Error, "this Pipeline belonged to a Flow that has been freed: keep the Flow "
                              "while you use its pipeline");
  return NULL;
}

int vfpy_pipeline_hold(VfpyPipeline *self, PyObject *wrapper)
{
  return PyList_Append(self->held, wrapper);
}

void vfpy_pipeline_forget(VfpyPipeline *self)
{
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(self->held); i++)
    vfpy_callback_detach(PyList_GET_ITEM(self->held, i));
}

static void stop_live(PyObject *object)
{
  VfpyPipeline *self = (VfpyPipeline *)object;
  if (self->pipeline && self->flow_root == NULL)
    VFPY_UNLOCKED(vf_pipeline_stop(self->pipeline));
}

static PyObject *pipeline_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
  static char *keywords[] = { "name", "config_file", NULL };
  const char *name = "pipeline";
  PyObject *config = NULL;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|sO&", keywords, &name, PyUnicode_FSConverter,
                                   &config))
    return NULL;
  VfpyPipeline *self = (VfpyPipeline *)type->tp_alloc(type, 0);
  if (self == NULL || (self->held = PyList_New(0)) == NULL) {
    Py_XDECREF(config);
    Py_XDECREF(self);
    return NULL;
  }
  GError *error = NULL;
  if (config) {
    /* A Service Maker graph (deepstream: {nodes, edges}); may load plugins: no GIL needed. */
    VFPY_UNLOCKED(self->pipeline = vf_pipeline_new_from_yaml(PyBytes_AS_STRING(config), &error));
    Py_DECREF(config);
  } else {
    VFPY_UNLOCKED(self->pipeline = vf_pipeline_new(name));
    if (self->pipeline == NULL)
      vf_init(&error);
  }
  if (self->pipeline == NULL) {
    Py_DECREF(self);
    return vfpy_raise_gerror(error);
  }
  vfpy_live_add((PyObject *)self, stop_live);
  return (PyObject *)self;
}

static void pipeline_release(VfpyPipeline *self)
{
  if (self->pipeline && self->flow_root == NULL) {
    VfPipeline *p = g_steal_pointer(&self->pipeline);
    VFPY_UNLOCKED(vf_pipeline_stop(p)); /* joins vidflow's threads: no callback after this */
    vfpy_pipeline_forget(self);
    VFPY_UNLOCKED(vf_pipeline_free(p));
  }
}

static int pipeline_traverse(VfpyPipeline *self, visitproc visit, void *arg)
{
  Py_VISIT(self->held);
  return 0;
}

static int pipeline_clear(VfpyPipeline *self)
{
  if (self->flow_root == NULL) { /* a Flow's pipeline is its root's to free */
    pipeline_release(self);
    Py_CLEAR(self->held);
  }
  return 0;
}

static void pipeline_dealloc(VfpyPipeline *self)
{
  PyObject_GC_UnTrack(self);
  if (self->weakrefs)
    PyObject_ClearWeakRefs((PyObject *)self);
  vfpy_live_remove((PyObject *)self);
  pipeline_release(self);
  Py_CLEAR(self->held);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

/* ---- building ---- */

/* {name: value} as a NULL-terminated name/value array; the strings live in `keep`. */
static const char **properties_array(PyObject *properties, PyObject *keep)
{
  Py_ssize_t n = properties && properties != Py_None ? PyDict_Size(properties) : 0;
  if (n < 0) {
    PyErr_SetString(PyExc_TypeError, "properties are a dict {name: value}");
    return NULL;
  }
  const char **array = g_new0(const char *, 2 * n + 1);
  PyObject *key, *value;
  Py_ssize_t pos = 0, i = 0;
  while (n > 0 && PyDict_Next(properties, &pos, &key, &value)) {
    const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
    PyObject *s = k ? vfpy_property_string(k, value) : NULL;
    if (s == NULL || PyList_Append(keep, s) < 0) {
      if (k == NULL && !PyErr_Occurred())
        PyErr_SetString(PyExc_TypeError, "property names are str");
      Py_XDECREF(s);
      g_free(array);
      return NULL;
    }
    Py_DECREF(s);
    array[i++] = k;
    array[i++] = PyUnicode_AsUTF8(s);
  }
  return array;
}

static PyObject *pipeline_add(VfpyPipeline *self, PyObject *args, PyObject *kwargs)
{
  static char *keywords[] = { "factory", "name", "properties", NULL };
  const char *factory, *name;
  PyObject *properties = NULL;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "ss|O", keywords, &factory, &name, &properties))
    return NULL;
  VfPipeline *p = vfpy_pipeline_get(self);
  PyObject *keep = p ? PyList_New(0) : NULL;
  const char **props = keep ? properties_array(properties, keep) : NULL;
  GError *error = NULL;
  gboolean ok = props && vf_pipeline_addv(p, factory, name, props, &error);
  g_free(props);
  Py_XDECREF(keep);
  if (!ok)
    return error ? vfpy_raise_gerror(error) : NULL;
  return Py_NewRef(self);
}

static PyObject *pipeline_attach_sources(VfpyPipeline *self, PyObject *args, PyObject *kwargs)
{
  static char *keywords[]
      = { "mux", "max_sources", "keep_running", "source_properties", "name_prefix", NULL };
  const char *mux, *prefix = NULL;
  unsigned int max_sources = 0;
  int keep_running = 0;
  PyObject *properties = NULL;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s|$IpOz", keywords, &mux, &max_sources,
                                   &keep_running, &properties, &prefix))
    return NULL;
  VfPipeline *p = vfpy_pipeline_get(self);
  PyObject *keep = p ? PyList_New(0) : NULL;
  const char **props = keep ? properties_array(properties, keep) : NULL;
  GError *error = NULL;
  VfSourcesConfig config = { .max_sources = max_sources,
                             .keep_running = keep_running,
                             .source_properties = props,
                             .name_prefix = prefix };
  VfSources *sources = props ? vf_pipeline_attach_sources(p, mux, &config, &error) : NULL;
  g_free(props);
  Py_XDECREF(keep);
  if (sources == NULL)
    return error ? vfpy_raise_gerror(error) : NULL;
  return vfpy_sources_new((PyObject *)self, sources);
}

static PyObject *pipeline_set(VfpyPipeline *self, PyObject *args)
{
  const char *element;
  PyObject *properties;
  if (!PyArg_ParseTuple(args, "sO!", &element, &PyDict_Type, &properties))
    return NULL;
  VfPipeline *p = vfpy_pipeline_get(self);
  PyObject *keep = p ? PyList_New(0) : NULL;
  const char **props = keep ? properties_array(properties, keep) : NULL;
  GError *error = NULL;
  gboolean ok = props != NULL;
  for (guint i = 0; ok && props[i]; i += 2)
    ok = vf_pipeline_set(p, element, props[i], props[i + 1], &error);
  g_free(props);
  Py_XDECREF(keep);
  if (!ok)
    return error ? vfpy_raise_gerror(error) : NULL;
  return Py_NewRef(self);
}

static PyObject *value_to_python(const GValue *v)
{
  GType t = G_VALUE_TYPE(v);
  switch (G_TYPE_FUNDAMENTAL(t)) {
  case G_TYPE_BOOLEAN:
    return PyBool_FromLong(g_value_get_boolean(v));
  case G_TYPE_INT:
    return PyLong_FromLong(g_value_get_int(v));
  case G_TYPE_UINT:
    return PyLong_FromUnsignedLong(g_value_get_uint(v));
  case G_TYPE_LONG:
    return PyLong_FromLong(g_value_get_long(v));
  case G_TYPE_ULONG:
    return PyLong_FromUnsignedLong(g_value_get_ulong(v));
  case G_TYPE_INT64:
    return PyLong_FromLongLong(g_value_get_int64(v));
  case G_TYPE_UINT64:
    return PyLong_FromUnsignedLongLong(g_value_get_uint64(v));
  case G_TYPE_FLOAT:
    return PyFloat_FromDouble(g_value_get_float(v));
  case G_TYPE_DOUBLE:
    return PyFloat_FromDouble(g_value_get_double(v));
  case G_TYPE_STRING:
    return g_value_get_string(v) ? PyUnicode_FromString(g_value_get_string(v)) : Py_NewRef(Py_None);
  case G_TYPE_ENUM: {
    GEnumValue *e = g_enum_get_value(g_type_class_peek(t), g_value_get_enum(v));
    return e ? PyUnicode_FromString(e->value_nick) : PyLong_FromLong(g_value_get_enum(v));
  }
  case G_TYPE_FLAGS:
    return PyLong_FromUnsignedLong(g_value_get_flags(v));
  default: {
    /* caps, fractions, structures: their string form */
    char *s = G_VALUE_HOLDS(v, GST_TYPE_CAPS) && gst_value_get_caps(v)
                  ? gst_caps_to_string(gst_value_get_caps(v))
                  : gst_value_serialize(v);
    if (s == NULL)
      Py_RETURN_NONE;
    PyObject *out = PyUnicode_FromString(s);
    g_free(s);
    return out;
  }
  }
}

static PyObject *pipeline_get(VfpyPipeline *self, PyObject *args)
{
  const char *element, *property;
  if (!PyArg_ParseTuple(args, "ss", &element, &property))
    return NULL;
  VfPipeline *p = vfpy_pipeline_get(self);
  if (p == NULL)
    return NULL;
  GstElement *e = vf_pipeline_get_element(p, element);
  if (e == NULL)
    return vfpy_raise_gerror(
        g_error_new(VF_ERROR, VF_ERROR_NOT_FOUND, "pipeline has no element '%s'", element));
  GParamSpec *spec = g_object_class_find_property(G_OBJECT_GET_CLASS(e), property);
  if (spec == NULL || !(spec->flags & G_PARAM_READABLE))
    return vfpy_raise_gerror(g_error_new(VF_ERROR, VF_ERROR_PROPERTY,
                                         "element '%s' has no readable property '%s' "
                                         "(gst-inspect-1.0 %s lists them)",
                                         element, property,
                                         GST_OBJECT_NAME(gst_element_get_factory(e))));
  GValue v = G_VALUE_INIT;
  g_value_init(&v, spec->value_type);
  g_object_get_property(G_OBJECT(e), property, &v);
  PyObject *out = value_to_python(&v);
  g_value_unset(&v);
  return out;
}

static const char *pad_spec(PyObject *o)
{
  if (o == Py_None)
    return NULL;
  return PyUnicode_Check(o) ? PyUnicode_AsUTF8(o) : NULL;
}

static PyObject *pipeline_link(VfpyPipeline *self, PyObject *args)
{
  VfPipeline *p = vfpy_pipeline_get(self);
  if (p == NULL)
    return NULL;
  Py_ssize_t n = PyTuple_GET_SIZE(args);
  GError *error = NULL;
  /* link(("src", "mux"), ("", "sink_%u")): two elements and their pad specs */
  if (n == 2 && PyTuple_Check(PyTuple_GET_ITEM(args, 0))) {
    PyObject *names = PyTuple_GET_ITEM(args, 0), *pads = PyTuple_GET_ITEM(args, 1);
    if (!PyTuple_Check(pads) || PyTuple_GET_SIZE(names) != 2 || PyTuple_GET_SIZE(pads) != 2) {
      PyErr_SetString(PyExc_TypeError, "link((src, sink), (src_pad, sink_pad)): two pairs");
      return NULL;
    }
    const char *src = pad_spec(PyTuple_GET_ITEM(names, 0));
    const char *sink = pad_spec(PyTuple_GET_ITEM(names, 1));
    const char *src_pad = pad_spec(PyTuple_GET_ITEM(pads, 0));
    const char *sink_pad = pad_spec(PyTuple_GET_ITEM(pads, 1));
    if (src == NULL || sink == NULL || PyErr_Occurred()) {
      PyErr_Clear();
      PyErr_SetString(PyExc_TypeError, "link((src, sink), (src_pad, sink_pad)): element names "
                                       "are str, pad specs str or None");
      return NULL;
    }
    if (!vf_pipeline_link_pads(p, src, src_pad, sink, sink_pad, &error))
      return vfpy_raise_gerror(error);
    return Py_NewRef(self);
  }
  if (n < 2) {
    PyErr_SetString(PyExc_TypeError, "link(a, b, ...) needs two element names or more");
    return NULL;
  }
  for (Py_ssize_t i = 0; i < n; i++)
    if (!PyUnicode_Check(PyTuple_GET_ITEM(args, i))) {
      PyErr_SetString(PyExc_TypeError, "link(a, b, ...): element names are str");
      return NULL;
    }
  for (Py_ssize_t i = 0; i + 1 < n; i++) /* what vf_pipeline_link does, from an argument tuple */
    if (!vf_pipeline_link_pads(p, PyUnicode_AsUTF8(PyTuple_GET_ITEM(args, i)), NULL,
                               PyUnicode_AsUTF8(PyTuple_GET_ITEM(args, i + 1)), NULL, &error))
      return vfpy_raise_gerror(error);
  return Py_NewRef(self);
}

/* attach(element, what, name=None, tips=None, pad=None, **parameters) */
static PyObject *pipeline_attach(VfpyPipeline *self, PyObject *args, PyObject *kwargs)
{
  static char *keywords[] = { "element", "what", "name", "tips", "pad", NULL };
  const char *element, *name = NULL, *tips = NULL, *pad = NULL;
  PyObject *what;
  /* the remaining keywords are a custom object's parameters */
  PyObject *params = kwargs ? PyDict_Copy(kwargs) : PyDict_New();
  PyObject *named = PyDict_New();
  for (guint i = 0; params && named && keywords[i]; i++) {
    PyObject *v = PyDict_GetItemString(params, keywords[i]);
    if (v) {
      PyDict_SetItemString(named, keywords[i], v);
      PyDict_DelItemString(params, keywords[i]);
    }
  }
  gboolean ok = params && named
                && PyArg_ParseTupleAndKeywords(args, named, "sO|zzz", keywords, &element, &what,
                                               &name, &tips, &pad);
  Py_XDECREF(named);
  VfPipeline *p = ok ? vfpy_pipeline_get(self) : NULL;
  if (p == NULL) {
    Py_XDECREF(params);
    return NULL;
  }
  GError *error = NULL;
  gboolean is_custom = PyUnicode_Check(what);
  if (!is_custom && PyDict_Size(params) > 0) {
    Py_DECREF(params);
    PyErr_SetString(PyExc_TypeError,
                    "attach(): parameters are for objects attached by name (a plugin's or a "
                    "built-in probe); configure a Python object in its constructor");
    return NULL;
  }
  if (PyObject_TypeCheck(what, &VfpyFeeder_Type) || PyObject_TypeCheck(what, &VfpyReceiver_Type)
      || PyObject_TypeCheck(what, &VfpyProbe_Type)) {
    Py_DECREF(params);
    gboolean feeder = PyObject_TypeCheck(what, &VfpyFeeder_Type);
    gboolean receiver = PyObject_TypeCheck(what, &VfpyReceiver_Type);
    gpointer c = feeder     ? (gpointer)vfpy_feeder_take(what)
                 : receiver ? (gpointer)vfpy_receiver_take(what)
                            : (gpointer)vfpy_probe_take(what);
    if (c == NULL)
      return NULL;
    /* The C pipeline owns the C object from now on, even if attaching fails. */
    if (vfpy_pipeline_hold(self, what) < 0)
      return NULL;
    ok = feeder     ? vf_pipeline_attach_feeder(p, element, c, tips, &error)
         : receiver ? vf_pipeline_attach_receiver(p, element, c, tips, &error)
                    : vf_pipeline_attach_probe(p, element, pad, c, &error);
    return ok ? Py_NewRef(self) : vfpy_raise_gerror(error);
  }
  if (!is_custom) {
    Py_DECREF(params);
    PyErr_Format(PyExc_TypeError,
                 "attach() takes a Feeder, a Receiver, a Probe, or the name of an object from a "
                 "plugin or a built-in probe (\"measure_fps_probe\"), not a %s; wrap a provider "
                 "as Feeder(\"name\", provider), a retriever as Receiver(...), an operator as "
                 "Probe(...)",
                 Py_TYPE(what)->tp_name);
    return NULL;
  }
  /* By name: "plugin.object" or a built-in ("measure_fps_probe") */
  const char *type = PyUnicode_AsUTF8(what);
  PyObject *keep = PyList_New(0);
  const char **plist = keep ? properties_array(params, keep) : NULL;
  Py_DECREF(params);
  VfObjectKind kind;
  ok = plist && vf_custom_lookup(type, &kind, &error);
  if (ok && kind == VF_OBJECT_PROBE) {
    VfProbe *probe = vf_custom_probe_new(type, name, plist, &error);
    ok = probe && vf_pipeline_attach_probe(p, element, pad, probe, &error);
  } else if (ok && kind == VF_OBJECT_PROVIDER) {
    VfFeeder *feeder = vf_custom_feeder_new(type, name, plist, &error);
    ok = feeder && vf_pipeline_attach_feeder(p, element, feeder, tips, &error);
  } else if (ok) {
    VfReceiver *receiver = vf_custom_receiver_new(type, name, plist, &error);
    ok = receiver && vf_pipeline_attach_receiver(p, element, receiver, tips, &error);
  }
  g_free(plist);
  Py_XDECREF(keep);
  if (!ok)
    return error ? vfpy_raise_gerror(error) : NULL;
  return Py_NewRef(self);
}

/* ---- running ---- */

static PyObject *pipeline_start(VfpyPipeline *self, PyObject *unused)
{
  (void)unused;
  VfPipeline *p = vfpy_pipeline_get(self);
  if (p == NULL)
    return NULL;
  GError *error = NULL;
  gboolean ok;
  VFPY_UNLOCKED(ok = vf_pipeline_start(p, &error));
  return ok ? Py_NewRef(self) : vfpy_raise_gerror(error);
}

static PyObject *pipeline_wait(VfpyPipeline *self, PyObject *unused)
{
  (void)unused;
  VfPipeline *p = vfpy_pipeline_get(self);
  if (p == NULL)
    return NULL;
  GError *error = NULL;
  int r = vfpy_wait_interruptible((VfpyWaitFunc)vf_pipeline_wait, (VfpyStopFunc)vf_pipeline_stop, p,
                                  &error);
  if (r == 0)
    return vfpy_raise_gerror(error);
  return r < 0 ? NULL : Py_NewRef(self);
}

static PyObject *pipeline_run(VfpyPipeline *self, PyObject *unused)
{
  PyObject *started = pipeline_start(self, unused);
  if (started == NULL)
    return NULL;
  Py_DECREF(started);
  return pipeline_wait(self, unused);
}

static PyObject *pipeline_stop(VfpyPipeline *self, PyObject *unused)
{
  (void)unused;
  VfPipeline *p = vfpy_pipeline_get(self);
  if (p == NULL)
    return NULL;
  VFPY_UNLOCKED(vf_pipeline_stop(p));
  return Py_NewRef(self);
}

static PyObject *pipeline_send_eos(VfpyPipeline *self, PyObject *unused)
{
  (void)unused;
  VfPipeline *p = vfpy_pipeline_get(self);
  if (p == NULL)
    return NULL;
  vf_pipeline_send_eos(p);
  return Py_NewRef(self);
}

static PyObject *pipeline_change(VfpyPipeline *self, gboolean pause)
{
  VfPipeline *p = vfpy_pipeline_get(self);
  if (p == NULL)
    return NULL;
  GError *error = NULL;
  gboolean ok;
  VFPY_UNLOCKED(ok = pause ? vf_pipeline_pause(p, &error) : vf_pipeline_resume(p, &error));
  return ok ? Py_NewRef(self) : vfpy_raise_gerror(error);
}

static PyObject *pipeline_pause(VfpyPipeline *self, PyObject *unused)
{
  (void)unused;
  return pipeline_change(self, TRUE);
}

static PyObject *pipeline_resume(VfpyPipeline *self, PyObject *unused)
{
  (void)unused;
  return pipeline_change(self, FALSE);
}

static PyObject *pipeline_get_state(VfpyPipeline *self, void *closure)
{
  (void)closure;
  VfPipeline *p = vfpy_pipeline_get(self);
  if (p == NULL)
    return NULL;
  static const char *const names[] = { "NULL", "READY", "PAUSED", "PLAYING" };
  VfState s;
  VFPY_UNLOCKED(s = vf_pipeline_get_state(p));
  return PyUnicode_FromString(names[s]);
}

static PyObject *pipeline_get_name(VfpyPipeline *self, void *closure)
{
  (void)closure;
  VfPipeline *p = vfpy_pipeline_get(self);
  return p ? PyUnicode_FromString(GST_OBJECT_NAME(vf_pipeline_get_gst_pipeline(p))) : NULL;
}

static PyObject *pipeline_get_elements(VfpyPipeline *self, void *closure)
{
  (void)closure;
  VfPipeline *p = vfpy_pipeline_get(self);
  if (p == NULL)
    return NULL;
  GstBin *bin = GST_BIN(vf_pipeline_get_gst_pipeline(p));
  PyObject *list = PyList_New(0);
  GST_OBJECT_LOCK(bin);
  for (GList *l = g_list_last(bin->children); list && l; l = l->prev) { /* in order of adding */
    /* bins the pipeline makes itself (a dynamic source's) have no factory: None */
    GstElementFactory *factory = gst_element_get_factory(l->data);
    PyObject *item = Py_BuildValue("(sz)", GST_OBJECT_NAME(l->data),
                                   factory ? GST_OBJECT_NAME(factory) : NULL);
    if (item == NULL || PyList_Append(list, item) < 0)
      Py_CLEAR(list);
    Py_XDECREF(item);
  }
  GST_OBJECT_UNLOCK(bin);
  return list;
}

static PyMethodDef pipeline_methods[] = {
  { "add", (PyCFunction)(void (*)(void))pipeline_add, METH_VARARGS | METH_KEYWORDS,
    "add(factory, name, properties=None)\n--\n\n"
    "Add an element made by `factory`, named `name`, with a {property: value} dict (values "
    "converted by each property's type as gst-launch does: True, 30, 0.5, \"30/1\", caps "
    "strings, enum nicks)." },
  { "attach_sources", (PyCFunction)(void (*)(void))pipeline_attach_sources,
    METH_VARARGS | METH_KEYWORDS,
    "attach_sources(mux, *, max_sources=0, keep_running=False, source_properties=None, "
    "name_prefix=None)\n--\n\n"
    "Manage the sources of vfmux `mux` (before start(), one Sources per muxer): returns a "
    "Sources to add and remove sources with while the pipeline runs. max_sources: at most this "
    "many at a time (0: no limit). keep_running: keep running when no source is left, until "
    "send_eos()/stop() (else the stream ends with the last source). source_properties: "
    "{vfurisrcbin property: value} for every source (\"file-loop\": True, \"smart-record\": "
    "1, ...). name_prefix: the sources' element names are <prefix><id> (default <mux>-src)." },
  { "set", (PyCFunction)pipeline_set, METH_VARARGS,
    "set(element, properties)\n--\n\nSet properties of a named element." },
  { "get", (PyCFunction)pipeline_get, METH_VARARGS,
    "get(element, property)\n--\n\nRead a property of a named element (enums as nicks, caps "
    "and fractions as strings)." },
  { "link", (PyCFunction)pipeline_link, METH_VARARGS,
    "link(*elements)\n--\n\nlink(a, b, ...) or link((src, sink), (src_pad, sink_pad)).\n"
    "Link a chain of named elements, or two elements by pad spec: a pad name, a request "
    "template such as \"sink_%u\", or \"\" for any compatible pad. Pads that appear later "
    "(decodebin, uridecodebin) link when they appear." },
  { "attach", (PyCFunction)(void (*)(void))pipeline_attach, METH_VARARGS | METH_KEYWORDS,
    "attach(element, what, name=None, tips=None, pad=None, **parameters)\n--\n\n"
    "Attach a Feeder (to an appsrc, tips=\"need-data/enough-data\"), a Receiver (to an "
    "appsink, tips=\"new-sample\") or a Probe (to the element's src pad, or `pad`). `what` "
    "may also name an object of a custom-object plugin (\"plugin.object\") or a built-in "
    "probe (\"measure_fps_probe\"), made as instance `name` with **parameters." },
  { "start", (PyCFunction)pipeline_start, METH_NOARGS,
    "start()\n--\n\nSet the pipeline playing; returns once it runs." },
  { "wait", (PyCFunction)pipeline_wait, METH_NOARGS,
    "wait()\n--\n\nBlock (without the GIL) until end of stream reached every sink "
    "and every receiver consumed its last buffer, or an error (raised as vidflow.Error), or "
    "stop(). Ctrl-C raises KeyboardInterrupt here after stopping the pipeline." },
  { "run", (PyCFunction)pipeline_run, METH_NOARGS, "run()\n--\n\nstart() + wait()." },
  { "stop", (PyCFunction)pipeline_stop, METH_NOARGS,
    "stop()\n--\n\nStop at once, dropping what is in flight (from any thread "
    "except vidflow's callbacks)." },
  { "send_eos", (PyCFunction)pipeline_send_eos, METH_NOARGS,
    "send_eos()\n--\n\nAsk for a clean end: end of stream from every source "
    "(files get finalised); wait() returns once it drained. Safe from callbacks." },
  { "pause", (PyCFunction)pipeline_pause, METH_NOARGS, "pause()\n--\n\nPause." },
  { "resume", (PyCFunction)pipeline_resume, METH_NOARGS,
    "resume()\n--\n\nPlay again after pause()." },
  { NULL, NULL, 0, NULL },
};

static PyGetSetDef pipeline_getset[] = {
  { "name", (getter)pipeline_get_name, NULL, "The pipeline's name.", NULL },
  { "state", (getter)pipeline_get_state, NULL, "'NULL', 'READY', 'PAUSED' or 'PLAYING'.", NULL },
  { "elements", (getter)pipeline_get_elements, NULL,
    "[(name, factory), ...] of the top-level elements, in the order they were added.", NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject VfpyPipeline_Type = {
  PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vidflow.Pipeline",
  .tp_basicsize = sizeof(VfpyPipeline),
  .tp_dealloc = (destructor)pipeline_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
  .tp_doc = "Pipeline(name='pipeline', config_file=None)\n--\n\n"
            "A GStreamer graph built element by element (the seed's Pipeline), or from a Service "
            "Maker YAML graph file (deepstream: {nodes, edges}).\n\n"
            "    p = Pipeline(\"demo\")\n"
            "    p.add(\"videotestsrc\", \"src\", {\"num-buffers\": 100})\n"
            "    p.add(\"fakesink\", \"sink\")\n"
            "    p.link(\"src\", \"sink\")\n"
            "    p.start().wait()\n\n"
            "Errors raise vidflow.Error naming the element, pad or property and what to do. "
            "Dropping the last reference stops the pipeline.",
  .tp_traverse = (traverseproc)pipeline_traverse,
  .tp_clear = (inquiry)pipeline_clear,
  .tp_weaklistoffset = offsetof(VfpyPipeline, weakrefs),
  .tp_methods = pipeline_methods,
  .tp_getset = pipeline_getset,
  .tp_new = pipeline_new,
};
