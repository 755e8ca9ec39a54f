/* vidflow Python module: Sources, the sources of a vfmux added and removed while the pipeline
 * runs, and their smart recording (include/vidflow/sources.h, DeepStream's nvmultiurisrcbin).
 * Pipeline.attach_sources() makes one. The C VfSources belongs to the C pipeline: a Sources keeps
 * its Pipeline alive, and every call first checks that the Pipeline still has its C pipeline (a
 * Flow's pipeline goes with the Flow). Calls that change the pipeline run with the GIL released
 * (vidflow's threads may be running Python callbacks). */
#include "vfpy.h"

typedef struct {
  PyObject_HEAD PyObject *pipeline; /* the VfpyPipeline (owned reference) */
  VfSources *sources;               /* transfer none: valid while the pipeline has its C one */
} VfpySources;

static PyTypeObject *source_info_type; /* vidflow.SourceInfo */

static const char *const state_names[] = {
  [VF_SOURCE_STATE_STARTING] = "STARTING",
  [VF_SOURCE_STATE_RUNNING] = "RUNNING",
  [VF_SOURCE_STATE_ENDED] = "ENDED",
};

PyObject *vfpy_sources_new(PyObject *pipeline, VfSources *sources)
{
  VfpySources *self = PyObject_GC_New(VfpySources, &VfpySources_Type);
  if (self == NULL)
    return NULL;
  self->pipeline = Py_NewRef(pipeline);
  self->sources = sources;
  PyObject_GC_Track(self);
  return (PyObject *)self;
}

/* The live C sources, or NULL with a Python exception. */
static VfSources *sources_get(VfpySources *self)
{
  return vfpy_pipeline_get((VfpyPipeline *)self->pipeline) ? self->sources : NULL;
}

static PyObject *info_new(const VfSourceInfo *info)
{
  PyObject *t = PyStructSequence_New(source_info_type);
  if (t == NULL)
    return NULL;
  const char *state
      = info->state < G_N_ELEMENTS(state_names) ? state_names[info->state] : "UNKNOWN";
  PyObject *items[] = {
    PyUnicode_FromString(info->sensor_id),
    info->sensor_name ? PyUnicode_FromString(info->sensor_name) : Py_NewRef(Py_None),
    PyUnicode_FromString(info->uri),
    PyUnicode_FromString(info->element),
    PyLong_FromUnsignedLong(info->source_id),
    PyUnicode_FromString(state),
    PyLong_FromUnsignedLongLong(info->frames),
  };
  gboolean ok = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS(items); i++) {
    ok = ok && items[i] != NULL;
    PyStructSequence_SET_ITEM(t, i, items[i] ? items[i] : Py_NewRef(Py_None));
  }
  if (!ok)
    Py_CLEAR(t);
  return t;
}

static PyObject *sources_add(VfpySources *self, PyObject *args, PyObject *kwargs)
{
  static char *keywords[] = { "uri", "sensor_id", "sensor_name", NULL };
  PyObject *uri = NULL;
  const char *sensor_id, *sensor_name = NULL;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&s|z", keywords, PyUnicode_FSConverter, &uri,
                                   &sensor_id, &sensor_name))
    return NULL;
  VfSources *s = sources_get(self);
  if (s == NULL) {
    Py_DECREF(uri);
    return NULL;
  }
  GError *error = NULL;
  guint id = 0;
  gboolean ok;
  const char *path = PyBytes_AS_STRING(uri);
  VFPY_UNLOCKED(ok = vf_sources_add(s, path, sensor_id, sensor_name, &id, &error));
  Py_DECREF(uri);
  return ok ? PyLong_FromUnsignedLong(id) : vfpy_raise_gerror(error);
}

static PyObject *sources_remove(VfpySources *self, PyObject *args)
{
  const char *sensor_id;
  if (!PyArg_ParseTuple(args, "s", &sensor_id))
    return NULL;
  VfSources *s = sources_get(self);
  if (s == NULL)
    return NULL;
  GError *error = NULL;
  gboolean ok;
  VFPY_UNLOCKED(ok = vf_sources_remove(s, sensor_id, &error));
  return ok ? Py_NewRef(Py_None) : vfpy_raise_gerror(error);
}

static PyObject *sources_list(VfpySources *self, PyObject *unused)
{
  (void)unused;
  VfSources *s = sources_get(self);
  if (s == NULL)
    return NULL;
  GPtrArray *infos;
  VFPY_UNLOCKED(infos = vf_sources_list(s));
  PyObject *list = PyList_New(0);
  for (guint i = 0; list && i < infos->len; i++) {
    PyObject *item = info_new(g_ptr_array_index(infos, i));
    if (item == NULL || PyList_Append(list, item) < 0)
      Py_CLEAR(list);
    Py_XDECREF(item);
  }
  g_ptr_array_unref(infos);
  return list;
}

static PyObject *sources_info(VfpySources *self, PyObject *args)
{
  const char *sensor_id;
  if (!PyArg_ParseTuple(args, "s", &sensor_id))
    return NULL;
  VfSources *s = sources_get(self);
  if (s == NULL)
    return NULL;
  GError *error = NULL;
  VfSourceInfo *info;
  VFPY_UNLOCKED(info = vf_sources_get_info(s, sensor_id, &error));
  if (info == NULL)
    return vfpy_raise_gerror(error);
  PyObject *t = info_new(info);
  vf_source_info_free(info);
  return t;
}

static PyObject *sources_start_recording(VfpySources *self, PyObject *args, PyObject *kwargs)
{
  static char *keywords[] = { "sensor_id", "seconds_before", "duration", NULL };
  const char *sensor_id;
  unsigned int before = 0, duration = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s|II", keywords, &sensor_id, &before, &duration))
    return NULL;
  VfSources *s = sources_get(self);
  if (s == NULL)
    return NULL;
  GError *error = NULL;
  guint session = 0;
  gboolean ok;
  VFPY_UNLOCKED(ok = vf_sources_start_recording(s, sensor_id, before, duration, &session, &error));
  return ok ? PyLong_FromUnsignedLong(session) : vfpy_raise_gerror(error);
}

static PyObject *sources_stop_recording(VfpySources *self, PyObject *args, PyObject *kwargs)
{
  static char *keywords[] = { "sensor_id", "session", NULL };
  const char *sensor_id;
  unsigned int session = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s|I", keywords, &sensor_id, &session))
    return NULL;
  VfSources *s = sources_get(self);
  if (s == NULL)
    return NULL;
  GError *error = NULL;
  gboolean ok;
  VFPY_UNLOCKED(ok = vf_sources_stop_recording(s, sensor_id, session, &error));
  return ok ? Py_NewRef(Py_None) : vfpy_raise_gerror(error);
}

static Py_ssize_t sources_len(VfpySources *self)
{
  VfSources *s = sources_get(self);
  return s ? (Py_ssize_t)vf_sources_get_count(s) : -1;
}

static int sources_traverse(VfpySources *self, visitproc visit, void *arg)
{
  Py_VISIT(self->pipeline);
  return 0;
}

static int sources_clear(VfpySources *self)
{
  Py_CLEAR(self->pipeline);
  return 0;
}

static void sources_dealloc(VfpySources *self)
{
  PyObject_GC_UnTrack(self);
  sources_clear(self);
  PyObject_GC_Del(self);
}

static PyMethodDef sources_methods[] = {
  { "add", (PyCFunction)(void (*)(void))sources_add, METH_VARARGS | METH_KEYWORDS,
    "add(uri, sensor_id, sensor_name=None)\n--\n\n"
    "Add a source reading `uri` (file://, rtsp://, http(s):// or a path) as sensor "
    "`sensor_id` (unique among the sources), before or while the pipeline runs; returns its "
    "source id (vfmux pad sink_<id>, the source id of its frames' metadata). Raises "
    "vidflow.Error for a taken sensor id, max_sources reached, a missing file or an unknown "
    "scheme. Not from a callback of this pipeline (a probe, a feeder, a receiver)." },
  { "remove", (PyCFunction)sources_remove, METH_VARARGS,
    "remove(sensor_id)\n--\n\n"
    "Remove a source: its end of stream is sent into it, every frame it decoded still reaches "
    "the batches, then it is freed; the other sources go on. Returns once the removal started "
    "(the sensor id is free again at once). vidflow.Error (code NOT_FOUND) for an unknown "
    "sensor id." },
  { "list", (PyCFunction)sources_list, METH_NOARGS,
    "list()\n--\n\nThe sources now, in source id order: [SourceInfo, ...]." },
  { "info", (PyCFunction)sources_info, METH_VARARGS,
    "info(sensor_id)\n--\n\nOne source's SourceInfo; vidflow.Error (NOT_FOUND) if none." },
  { "start_recording", (PyCFunction)(void (*)(void))sources_start_recording,
    METH_VARARGS | METH_KEYWORDS,
    "start_recording(sensor_id, seconds_before=0, duration=0)\n--\n\n"
    "Smart recording (the sources need {\"smart-record\": 1} among source_properties): a clip "
    "of the source's encoded stream from `seconds_before` before now to `duration` seconds "
    "after (0: smart-rec-default-duration). Returns the session id. Any thread, callbacks "
    "included." },
  { "stop_recording", (PyCFunction)(void (*)(void))sources_stop_recording,
    METH_VARARGS | METH_KEYWORDS,
    "stop_recording(sensor_id, session=0)\n--\n\nEnd clip `session` (0: the open one) now." },
  { NULL, NULL, 0, NULL },
};

static PySequenceMethods sources_as_sequence = {
  .sq_length = (lenfunc)sources_len,
};

PyTypeObject VfpySources_Type = {
  PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vidflow.Sources",
  .tp_basicsize = sizeof(VfpySources),
  .tp_dealloc = (destructor)sources_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
  .tp_doc = "The sources of a vfmux, added and removed while the pipeline runs (DeepStream's "
            "nvmultiurisrcbin); made by Pipeline.attach_sources().\n\n"
            "    p = Pipeline(\"cams\")\n"
            "    p.add(\"vfmux\", \"mux\", {\"live-source\": True}).add(\"fakesink\", \"sink\")\n"
            "    p.link(\"mux\", \"sink\")\n"
            "    sources = p.attach_sources(\"mux\", keep_running=True)\n"
            "    sources.add(\"rtsp://10.0.0.5/stream\", \"cam1\", \"Front door\")\n"
            "    p.start()\n"
            "    sources.add(\"/videos/b.mp4\", \"cam2\")     # while it runs\n"
            "    sources.remove(\"cam1\")                    # drained, then freed\n\n"
            "len(sources) is how many there are. Valid as long as its Pipeline is.",
  .tp_traverse = (traverseproc)sources_traverse,
  .tp_clear = (inquiry)sources_clear,
  .tp_methods = sources_methods,
  .tp_as_sequence = &sources_as_sequence,
};

int vfpy_sources_init(PyObject *module)
{
  static PyStructSequence_Field fields[] = {
    { "sensor_id", "the sensor id it was added as" },
    { "sensor_name", "its name, or None" },
    { "uri", "what it reads" },
    { "element", "its vfurisrcbin's name" },
    { "source_id", "its source id (vfmux pad sink_<id>)" },
    { "state", "'STARTING' (no frame yet), 'RUNNING' or 'ENDED' (its stream ended)" },
    { "frames", "decoded frames it gave vfmux so far" },
    { NULL, NULL },
  };
  static PyStructSequence_Desc desc
      = { "vidflow.SourceInfo", "One source of a Sources.", fields, G_N_ELEMENTS(fields) - 1 };
  source_info_type = PyStructSequence_NewType(&desc);
  if (source_info_type == NULL || PyType_Ready(&VfpySources_Type) < 0)
    return -1;
  if (PyModule_AddObjectRef(module, "SourceInfo", (PyObject *)source_info_type) < 0
      || PyModule_AddObjectRef(module, "Sources", (PyObject *)&VfpySources_Type) < 0)
    return -1;
  return 0;
}
