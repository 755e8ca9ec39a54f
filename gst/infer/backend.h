/* vidflow infer: the inference backend interface (a small vtable) and its sessions.
 *
 * A backend opens a model into a session, describes the model's inputs and outputs, and runs a
 * batch: one float32 input tensor in, the model's output tensors out. ONNX Runtime is the only
 * backend today (backend-ort.c); a session is shared: opening the same model with the same
 * provider, device and threads twice returns the same session with one more reference.
 *
 * Threads: every function may be called from any thread; vf_infer_session_run may run
 * concurrently on one session (ONNX Runtime allows concurrent Run calls). */
#pragma once

#include <vidflow/error.h>
#include <vidflow/tensor.h>

G_BEGIN_DECLS

#define VF_INFER_MAX_DIMS 8

/* What to open. Every pointer is (transfer none) and only read during vf_infer_session_open. */
typedef struct {
  const char *backend;  /* "onnxruntime" (NULL: the same) */
  const char *model;    /* model file */
  const char *provider; /* execution provider: "cpu" (NULL: the same) or "cuda" */
  gint device_id;       /* GPU index for "cuda" */
  gint threads;         /* intra-op threads, 0: the backend's default */
  const char *library;  /* (nullable) backend library, e.g. libonnxruntime.so; see backend-ort.c */
  const char *config_path; /* (nullable) config file, named in error messages */
} VfInferSessionOptions;

/* One model input or output. A dynamic dimension is -1. */
typedef struct {
  char *name; /* (transfer none: owned by the session) */
  VfDType dtype;
  guint ndim;
  gint64 shape[VF_INFER_MAX_DIMS];
} VfInferTensorInfo;

/* A tensor in host memory, in or out of a run. */
typedef struct {
  const char *name; /* (transfer none) */
  VfDType dtype;
  guint ndim;
  gint64 shape[VF_INFER_MAX_DIMS];
  gpointer data; /* (transfer none) row-major, dense */
} VfInferTensor;

/* The outputs of one run, in the model's output order (transfer full: free with
 * vf_infer_outputs_free). tensors[i].data stays valid until then. */
typedef struct _VfInferOutputs VfInferOutputs;
struct _VfInferOutputs {
  guint n_tensors;
  VfInferTensor *tensors;
  /* private: the backend's release function and its data */
  void (*release)(VfInferOutputs *outputs);
  gpointer priv;
};

typedef struct _VfInferSession VfInferSession;

/* The vtable a backend implements. A session struct of a backend starts with VfInferSession. */
typedef struct {
  const char *name;
  /* A new session (transfer full), or NULL with *error set. */
  VfInferSession *(*open)(const VfInferSessionOptions *options, GError **error);
  /* Run one batch. input->data is float32 on `device` (VF_DEVICE_CPU, or VF_DEVICE_CUDA: a
   * device address, for a session on the cuda provider), input->shape the full shape with the
   * batch. Outputs are in host memory either way. */
  VfInferOutputs *(*run)(VfInferSession *session, const VfInferTensor *input, VfDevice device,
                         GError **error);
  /* Drop one reference; the backend closes the session (and leaves its cache) at the last one. */
  void (*unref)(VfInferSession *session);
} VfInferBackend;

struct _VfInferSession {
  const VfInferBackend *backend;
  gint refcount; /* atomic; the backend's unref drops it under its cache lock */
  guint n_inputs, n_outputs;
  VfInferTensorInfo *inputs;  /* n_inputs entries */
  VfInferTensorInfo *outputs; /* n_outputs entries */
};

/* Open (or share) a session (transfer full: vf_infer_session_unref it). Errors: VF_ERROR_NOT_FOUND
 * (model or backend library missing), VF_ERROR_UNSUPPORTED (unknown backend or provider),
 * VF_ERROR_FAILED (the backend refused the model); the message names the file and what to do. */
VfInferSession *vf_infer_session_open(const VfInferSessionOptions *options, GError **error);
VfInferSession *vf_infer_session_ref(VfInferSession *session);
void vf_infer_session_unref(VfInferSession *session);

/* Run one batch; input is float32 [batch, ...] (transfer none). */
VfInferOutputs *vf_infer_session_run(VfInferSession *session, const VfInferTensor *input,
                                     GError **error);
/* The same with the input on `device`: VF_DEVICE_CUDA takes a device address of the GPU the
 * session's cuda provider runs on (ORT reads it in place through IO binding); a CPU-provider
 * session refuses it with VF_ERROR_UNSUPPORTED. */
VfInferOutputs *vf_infer_session_run_on(VfInferSession *session, const VfInferTensor *input,
                                        VfDevice device, GError **error);
void vf_infer_outputs_free(VfInferOutputs *outputs);

/* Index of the input/output called `name`, or -1. */
gint vf_infer_session_find_input(const VfInferSession *session, const char *name);
gint vf_infer_session_find_output(const VfInferSession *session, const char *name);

/* "[batch,300,300,3]"-style text of a shape, -1 shown as '?' (transfer full). */
char *vf_infer_shape_to_string(const gint64 *shape, guint ndim);

/* --- ONNX Runtime (backend-ort.c) --- */

extern const VfInferBackend vf_infer_backend_ort;

/* The libonnxruntime.so to load, first match wins:
 *   1. `configured` (the config's ort-library key), when set: it must exist;
 *   2. the environment variable VIDFLOW_ORT_LIB, when set: it must exist;
 *   3. $VIDFLOW_DATA/onnxruntime/lib/libonnxruntime.so, when VIDFLOW_DATA is set;
 *   4. <source tree>/data/onnxruntime/lib/libonnxruntime.so (what tools/fetch-assets.sh makes);
 *   5. <prefix>/<datadir>/vidflow/onnxruntime/lib/libonnxruntime.so (an installed copy);
 *   6. "libonnxruntime.so" on the dynamic loader's path.
 * Returns the path (transfer full), or NULL with VF_ERROR_NOT_FOUND listing what was tried. */
char *vf_ort_find_library(const char *configured, GError **error);
/* The candidates of steps 3..6 in order (transfer full, NULL-terminated; steps 1-2 aside). */
char **vf_ort_library_candidates(void);
/* Number of sessions alive in the ORT cache (for tests). */
guint vf_ort_session_cache_size(void);
/* The ORT version string once loaded, else NULL (transfer none). */
const char *vf_ort_version(void);

G_END_DECLS
