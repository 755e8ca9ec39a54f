/* vidflow Python module (_vidflow): what the files of the extension share.
 *
 * The module wraps the public C API (include/vidflow) only. One file per concept: module.c
 * (errors, enums, the GIL rules, Ctrl-C aware waiting, shutdown), tensor.c (Tensor, DLPack both
 * ways, as_tensor), buffer.c (Buffer), meta.c (batch/frame/object metadata), callbacks.c
 * (Feeder/Receiver/Probe: Python code called from vidflow's threads), pipeline.c (Pipeline),
 * sources.c (Sources: sources added and removed while running), flow.c (Flow).
 *
 * Threads and the GIL (the rules every file keeps):
 * - Every vidflow call that can block or wait for another thread (start, wait, stop, pause,
 *   resume, free, run) is made with the GIL released, so vidflow's threads can run Python
 *   callbacks meanwhile.
 * - vidflow's threads (feeder, receiver, streaming threads) take the GIL only around Python code:
 *   vfpy_enter()/vfpy_leave(). Once the interpreter shuts down, vfpy_enter() refuses and the
 *   callbacks answer as if the stream ended.
 * - Python memory that C holds (the views of wrapped arrays, DLPack producers' tensors) is
 *   released through vfpy_with_gil(), which takes the GIL when the thread has not got it.
 */
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <vidflow/vidflow.h>

/* Run `statement` with the GIL released (for calls that block or wait for vidflow's threads). */
#define VFPY_UNLOCKED(statement)                                                                   \
  do {                                                                                             \
    PyThreadState *vfpy_saved_ = PyEval_SaveThread();                                              \
    statement;                                                                                     \
    PyEval_RestoreThread(vfpy_saved_);                                                             \
  } while (0)

/* ---- module.c ---- */

extern PyObject *vfpy_Error;        /* vidflow.Error(RuntimeError), with .code */
extern PyObject *vfpy_ExpiredError; /* vidflow.ExpiredError(vidflow.Error) */
extern PyObject *vfpy_ColorFormat;  /* enum.IntEnum made from VfColorFormat */
extern PyObject *vfpy_RenderMode;   /* enum.IntEnum made from VfRenderMode */

/* Raise vidflow.Error from `error` (freed); returns NULL. */
PyObject *vfpy_raise_gerror(GError *error);
/* Raise vidflow.ExpiredError saying what expired and why; returns NULL. */
PyObject *vfpy_raise_expired(const char *what);

/* Take the GIL on a vidflow thread; FALSE (GIL not taken) once the interpreter is shutting down. */
gboolean vfpy_enter(PyGILState_STATE *state);
void vfpy_leave(PyGILState_STATE state);
/* Run fn(data) holding the GIL, from any thread (a GDestroyNotify or a DLPack deleter that
 * releases Python memory); skipped once the interpreter is gone (its objects went with it). */
void vfpy_with_gil(void (*fn)(gpointer data), gpointer data);
/* Log the pending Python exception with its traceback on the "vidflow" logger, prefixed with
 * `context` (clears it). Called with the GIL held. */
void vfpy_log_exception(const char *context);
/* TRUE after the module's atexit handler ran: no Python code may be called any more. */
gboolean vfpy_shutting_down(void);
/* Live objects that run pipelines (Pipeline, the root of a Flow): the atexit handler calls
 * stop(object) for each, with the GIL released, before the interpreter goes. Borrowed pointers:
 * remove them in their dealloc. */
void vfpy_live_add(PyObject *object, void (*stop)(PyObject *object));
void vfpy_live_remove(PyObject *object);

/* Wait for something that blocks (pipeline or flow) with the GIL released. On the main thread a
 * signal (Ctrl-C) wakes it: Python's handler runs, and if it raises (KeyboardInterrupt), stop()
 * ends the wait and the exception propagates. Returns 1 (done), 0 (*error set) or -1 (a Python
 * exception is set). */
typedef gboolean (*VfpyWaitFunc)(gpointer target, GError **error);
typedef void (*VfpyStopFunc)(gpointer target);
int vfpy_wait_interruptible(VfpyWaitFunc wait, VfpyStopFunc stop, gpointer target, GError **error);

/* A Python value as a property string ("true"/"false", numbers, str, os.PathLike): new
 * reference to a str, or NULL with TypeError naming `key`. */
PyObject *vfpy_property_string(const char *key, PyObject *value);
/* ColorFormat, its name ("RGB", "GRAY") or an int → VfColorFormat; FALSE with ValueError. */
gboolean vfpy_color_format_from_object(PyObject *object, VfColorFormat *format);
/* VfColorFormat → ColorFormat member (new reference), or None for UNKNOWN. */
PyObject *vfpy_color_format_to_object(VfColorFormat format);

/* ---- tensor.c ---- */

typedef struct {
  PyObject_HEAD VfTensor *tensor; /* owned */
  gboolean readonly;              /* a view of a pipeline's buffer */
  Py_ssize_t shape[VF_TENSOR_MAX_DIMS];
  Py_ssize_t strides[VF_TENSOR_MAX_DIMS]; /* bytes, for the buffer protocol */
} VfpyTensor;

extern PyTypeObject VfpyTensor_Type;
/* A Tensor taking `tensor` (transfer full). */
PyObject *vfpy_tensor_new(VfTensor *tensor, gboolean readonly);
/* The module functions of tensor.c (as_tensor, the unpickler). */
extern PyMethodDef vfpy_tensor_functions[];

/* Wrap memory Python owns as a VfBuffer (zero-copy): the buffer protocol view of `data` stays
 * until the pipeline is done with the memory. NULL with a Python exception. */
VfBuffer *vfpy_buffer_wrap_memory(PyObject *data, VfColorFormat format, guint width, guint height);

/* ---- buffer.c ---- */

typedef struct {
  PyObject_HEAD VfBuffer *buffer; /* owned; NULL once a lent buffer expired, or while `pending` */
  PyObject *pending;     /* Buffer(data) without a format: bytes waiting for a feeder's format */
  gboolean pending_copy; /* pending is shared (a bytes object): copy it, never use it in place */
  gboolean lent;         /* handed to a probe: valid during the callback only */
  gboolean expired;
} VfpyBuffer;

extern PyTypeObject VfpyBuffer_Type;
/* A Buffer holding a reference to `buffer` (transfer none). lent: see vfpy_buffer_expire. */
PyObject *vfpy_buffer_new(VfBuffer *buffer, gboolean lent);
/* End a lent buffer's validity (its callback returned): later use raises ExpiredError. */
void vfpy_buffer_expire(VfpyBuffer *self);
/* The VfBuffer to push for what generate() returned (transfer full): Buffer(data) gets the
 * feeder's format here. NULL with a Python exception. */
VfBuffer *vfpy_buffer_take_for_feeder(PyObject *object, const VfProviderInfo *info);
/* The VfBuffer of a live Buffer (transfer none), or NULL with ExpiredError/ValueError. */
VfBuffer *vfpy_buffer_get(VfpyBuffer *self);

/* ---- meta.c ---- */

extern PyTypeObject VfpyBatchMeta_Type, VfpyFrameMeta_Type, VfpyObjectMeta_Type;
extern PyTypeObject VfpyFrameIter_Type, VfpyObjectIter_Type;
/* Batch metadata owned by a Buffer object (valid while that Buffer is). */
PyObject *vfpy_batch_meta_from_buffer(VfpyBuffer *buffer, VfBatchMeta *meta);
/* Batch metadata lent to handle_metadata(): valid until vfpy_batch_meta_expire. */
PyObject *vfpy_batch_meta_lend(VfBatchMeta *meta);
void vfpy_batch_meta_expire(PyObject *batch_meta);

/* ---- callbacks.c ---- */

/* A Python wrapper around a C feeder, receiver or probe. `detach` runs when the pipeline that
 * owns the C object is freed: the wrapper keeps its final counts and forgets the pointer. */
typedef struct {
  PyObject_HEAD char *name;
  PyObject *target;   /* the provider / retriever / operator */
  guint64 exceptions; /* callbacks that raised */
  gboolean attached;  /* the C object now belongs to a pipeline */
  gboolean detached;  /* ... which is gone */
} VfpyCallbackObject;

extern PyTypeObject VfpyFeeder_Type, VfpyReceiver_Type, VfpyProbe_Type;
/* The C object to attach (transfer full: the wrapper is marked attached and the pipeline owns the
 * C object from now on); NULL with a Python exception (already attached). */
VfFeeder *vfpy_feeder_take(PyObject *feeder);
VfReceiver *vfpy_receiver_take(PyObject *receiver);
VfProbe *vfpy_probe_take(PyObject *probe);
/* The C pipeline owning the wrapper's C object is freed: keep the final counts. */
void vfpy_callback_detach(PyObject *wrapper);
/* Retriever callbacks for a Python retriever object (Flow.retrieve): user_data is a Receiver
 * wrapper made here (new reference in *wrapper). */
gboolean vfpy_retriever_callbacks(PyObject *retriever, const char *name,
                                  VfRetrieverCallbacks *callbacks, PyObject **wrapper);
/* A Feeder wrapper for a provider object (Flow.inject), new reference. */
PyObject *vfpy_feeder_for_provider(PyObject *provider, const char *name);
/* A Probe wrapper for an operator object or a Probe (Flow.attach), new reference. */
PyObject *vfpy_probe_for_operator(PyObject *operator_or_probe, const char *name);

/* ---- pipeline.c ---- */

typedef struct {
  PyObject_HEAD VfPipeline *pipeline; /* owned, unless `flow` took it; NULL once its flow is gone */
  PyObject *flow_root; /* set when a Flow took the pipeline (borrowed: the root owns us) */
  PyObject *held;      /* list: wrappers whose C objects the pipeline owns */
  PyObject *weakrefs;
} VfpyPipeline;

extern PyTypeObject VfpyPipeline_Type;
/* The live C pipeline, or NULL with a Python exception. */
VfPipeline *vfpy_pipeline_get(VfpyPipeline *self);
/* Keep `wrapper` with the pipeline (its C object now belongs to the C pipeline). */
int vfpy_pipeline_hold(VfpyPipeline *self, PyObject *wrapper);
/* The C pipeline is freed (by the Pipeline or by its Flow): detach the held wrappers. */
void vfpy_pipeline_forget(VfpyPipeline *self);

/* ---- sources.c ---- */

extern PyTypeObject VfpySources_Type;
/* A Sources for `sources` (transfer none: the C pipeline of `pipeline`, a VfpyPipeline that the
 * Sources keeps a reference to, owns it). New reference, or NULL with a Python exception. */
PyObject *vfpy_sources_new(PyObject *pipeline, VfSources *sources);
/* Module init of sources.c (Sources, SourceInfo). */
int vfpy_sources_init(PyObject *module);

/* ---- flow.c ---- */

extern PyTypeObject VfpyFlow_Type, VfpyFlowRoot_Type;

/* Module init of meta.c (Rect, Classification). */
int vfpy_meta_init(PyObject *module);
