/* vidflow infer: the ONNX Runtime backend.
 *
 * libonnxruntime.so is loaded with dlopen, never linked: a binary linked to one ORT version
 * refuses the others, and a missing library must be a clear error rather than a loader failure.
 * We ask it for the fixed API version VF_ORT_API_VERSION (1.22: the first with the plugin
 * execution-provider API that ORT's CUDA provider needs), so any ORT >= 1.22 works with the
 * headers we compile against. The library, its OrtApi and one OrtEnv are process-wide and stay
 * loaded until exit (unloading ORT while its threads may run is unsafe).
 *
 * Sessions are cached by (model, provider, device, threads): elements that use the same model
 * share one session, which ORT allows to Run concurrently. */
#include "backend.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "onnxruntime_c_api.h"

#define VF_ORT_API_VERSION 22
G_STATIC_ASSERT(ORT_API_VERSION >= VF_ORT_API_VERSION);

#define ORT_LIB_NAME "libonnxruntime.so"
#define ORT_CUDA_PROVIDER_LIB "libonnxruntime_providers_cuda.so"

typedef struct {
  VfInferSession base;
  char *key;
  OrtSession *session;
  OrtMemoryInfo *memory;      /* host memory: CPU inputs, and every output */
  OrtMemoryInfo *cuda_memory; /* (nullable) the GPU's memory ("Cuda"): the cuda provider's inputs */
  const char **output_names;  /* point into base.outputs[i].name */
} OrtSessionImpl;

/* Process-wide state, guarded by `lock`. */
static GMutex lock;
static void *lib_handle;
static char *lib_path;
static const OrtApi *ort;
static OrtEnv *ort_env;
static const char *ort_version_string;
static gboolean cuda_registered;
static GHashTable *cache; /* key -> OrtSessionImpl (transfer none) */

/* --- library lookup --- */

char **vf_ort_library_candidates(void)
{
  GPtrArray *c = g_ptr_array_new();
  const char *data = g_getenv("VIDFLOW_DATA");
  if (data != NULL && *data != '\0')
    g_ptr_array_add(c, g_build_filename(data, "onnxruntime", "lib", ORT_LIB_NAME, NULL));
  g_ptr_array_add(
      c, g_build_filename(VF_SOURCE_ROOT, "data", "onnxruntime", "lib", ORT_LIB_NAME, NULL));
  g_ptr_array_add(
      c, g_build_filename(VF_DATADIR, "vidflow", "onnxruntime", "lib", ORT_LIB_NAME, NULL));
  g_ptr_array_add(c, g_strdup(ORT_LIB_NAME));
  g_ptr_array_add(c, NULL);
  return (char **)g_ptr_array_free(c, FALSE);
}

char *vf_ort_find_library(const char *configured, GError **error)
{
  if (configured != NULL && *configured != '\0') {
    if (g_file_test(configured, G_FILE_TEST_IS_REGULAR))
      return g_strdup(configured);
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "ONNX Runtime library '%s' (ort-library) not found: fix the path, or remove the "
                "key to use the default",
                configured);
    return NULL;
  }
  const char *env = g_getenv("VIDFLOW_ORT_LIB");
  if (env != NULL && *env != '\0') {
    if (g_file_test(env, G_FILE_TEST_IS_REGULAR))
      return g_strdup(env);
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "ONNX Runtime library '%s' (from VIDFLOW_ORT_LIB) not found: fix or unset "
                "VIDFLOW_ORT_LIB",
                env);
    return NULL;
  }
  char **candidates = vf_ort_library_candidates();
  char *found = NULL;
  for (char **c = candidates; *c != NULL && found == NULL; c++) {
    if (g_path_is_absolute(*c)) {
      if (g_file_test(*c, G_FILE_TEST_IS_REGULAR))
        found = g_strdup(*c);
    } else {
      /* a bare name: ask the dynamic loader (RTLD_NOLOAD would miss a not-yet-loaded one) */
      void *h = dlopen(*c, RTLD_LAZY | RTLD_LOCAL);
      if (h != NULL) {
        found = g_strdup(*c);
        dlclose(h);
      }
    }
  }
  if (found == NULL) {
    char *list = g_strjoinv(", ", candidates);
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "ONNX Runtime library not found (tried %s): run tools/fetch-assets.sh, or set "
                "VIDFLOW_ORT_LIB or the config key ort-library to a libonnxruntime.so",
                list);
    g_free(list);
  }
  g_strfreev(candidates);
  return found;
}

/* --- errors --- */

/* Turn a failed OrtStatus into *error (prefixed with `what`); TRUE when status is OK. */
static gboolean ort_check(OrtStatus *status, GError **error, VfError code, const char *what)
{
  if (status == NULL)
    return TRUE;
  g_set_error(error, VF_ERROR, code, "%s: %s", what, ort->GetErrorMessage(status));
  ort->ReleaseStatus(status);
  return FALSE;
}

/* --- loading (called with `lock` held) --- */

/* ORT's CreateEnv, alone in a function of its own: ORT leaks a few bytes inside it, once per
 * process, and its frames have no symbols, so tests/lsan.supp names this one (nothing else is
 * allocated under it). */
G_GNUC_NO_INLINE static OrtStatus *create_env(OrtEnv **env)
{
  return ort->CreateEnv(ORT_LOGGING_LEVEL_ERROR, "vidflow", env);
}

static gboolean load_library(const char *configured, GError **error)
{
  if (ort != NULL) {
    /* one ORT per process: a second, different library cannot be loaded beside it */
    if (configured != NULL && *configured != '\0' && g_strcmp0(configured, lib_path) != 0) {
      char *a = realpath(configured, NULL), *b = realpath(lib_path, NULL);
      gboolean same = a != NULL && b != NULL && strcmp(a, b) == 0;
      free(a);
      free(b);
      if (!same) {
        g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                    "ONNX Runtime is already loaded from '%s'; '%s' (ort-library) cannot be "
                    "loaded in the same process: use one library for every vfinfer",
                    lib_path, configured);
        return FALSE;
      }
    }
    return TRUE;
  }

  char *path = vf_ort_find_library(configured, error);
  if (path == NULL)
    return FALSE;
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "cannot load the ONNX Runtime library '%s': %s", path, dlerror());
    g_free(path);
    return FALSE;
  }
  typedef const OrtApiBase *(*GetApiBaseFunc)(void);
  GetApiBaseFunc get_base = (GetApiBaseFunc)dlsym(handle, "OrtGetApiBase");
  const OrtApiBase *base = get_base ? get_base() : NULL;
  const OrtApi *api = base ? base->GetApi(VF_ORT_API_VERSION) : NULL;
  if (api == NULL) {
    g_set_error(
        error, VF_ERROR, VF_ERROR_UNSUPPORTED,
        "'%s' is not a usable ONNX Runtime: %s; vidflow needs ONNX Runtime >= 1.22 (API %d)", path,
        base ? "it does not offer that API version" : "no OrtGetApiBase symbol",
        VF_ORT_API_VERSION);
    dlclose(handle);
    g_free(path);
    return FALSE;
  }
  ort = api;
  OrtEnv *env = NULL;
  if (!ort_check(create_env(&env), error, VF_ERROR_FAILED, "ONNX Runtime CreateEnv")) {
    ort = NULL;
    dlclose(handle);
    g_free(path);
    return FALSE;
  }
  lib_handle = handle;
  lib_path = path;
  ort_env = env;
  ort_version_string = base->GetVersionString();
  g_info("loaded ONNX Runtime %s from %s (API %d)", ort_version_string, path, VF_ORT_API_VERSION);
  return TRUE;
}

const char *vf_ort_version(void)
{
  g_mutex_lock(&lock);
  const char *v = ort_version_string;
  g_mutex_unlock(&lock);
  return v;
}

guint vf_ort_session_cache_size(void)
{
  g_mutex_lock(&lock);
  guint n = cache ? g_hash_table_size(cache) : 0;
  g_mutex_unlock(&lock);
  return n;
}

/* --- execution providers --- */

/* ORT's execution device `device_id` of its CUDA provider, if any; *seen: how many there are. */
static gboolean find_cuda_device(gint device_id, const OrtEpDevice **chosen, gint *seen,
                                 GError **error)
{
  const OrtEpDevice *const *devices = NULL;
  size_t n_devices = 0;
  *chosen = NULL;
  *seen = 0;
  if (!ort_check(ort->GetEpDevices(ort_env, &devices, &n_devices), error, VF_ERROR_FAILED,
                 "listing ORT execution devices"))
    return FALSE;
  for (size_t i = 0; i < n_devices; i++)
    if (g_strcmp0(ort->EpDevice_EpName(devices[i]), "CUDAExecutionProvider") == 0
        && (*seen)++ == device_id)
      *chosen = devices[i];
  return TRUE;
}

/* Append ORT's CUDA provider through the plugin-EP API (the only way its GPU package works):
 * register the provider library found next to libonnxruntime.so once, pick the device.
 * ORT's environment is one per process (CreateEnv hands every caller the same one), but
 * `cuda_registered` is per copy of this file: a program that links vfinfer-core and loads the
 * vidflow plugin holds two copies, and ORT refuses a second registration of "vidflow-cuda"
 * ("already registered"). So the provider is registered only when the environment offers no
 * CUDA device yet (another copy, or the application, may have registered it). */
static gboolean append_cuda(OrtSessionOptions *so, gint device_id, GError **error)
{
  char *dir = g_path_get_dirname(lib_path);
  char *provider_lib = g_build_filename(dir, ORT_CUDA_PROVIDER_LIB, NULL);
  gboolean ok = FALSE;
  const OrtEpDevice *chosen = NULL;
  gint seen = 0;
  if (!g_file_test(provider_lib, G_FILE_TEST_IS_REGULAR)) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "execution provider 'cuda' needs %s next to the ONNX Runtime library, not found "
                "in %s: install ONNX Runtime's GPU package there, or use execution-provider: cpu",
                ORT_CUDA_PROVIDER_LIB, dir);
    goto out;
  }
  if (!cuda_registered) {
    if (!find_cuda_device(device_id, &chosen, &seen, error))
      goto out;
    if (seen > 0)
      g_info("ORT's CUDA provider is registered in this process already (%d devices): not "
             "registering %s again",
             seen, provider_lib);
    else if (!ort_check(
                 ort->RegisterExecutionProviderLibrary(ort_env, "vidflow-cuda", provider_lib),
                 error, VF_ERROR_UNSUPPORTED, "registering ORT's CUDA provider"))
      goto out;
    cuda_registered = TRUE;
  }
  if (!find_cuda_device(device_id, &chosen, &seen, error))
    goto out;
  if (chosen == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "execution provider 'cuda': no CUDA device %d (%d found): check the driver and "
                "device-id",
                device_id, seen);
    goto out;
  }
  char id[16];
  g_snprintf(id, sizeof id, "%d", device_id);
  const char *keys[] = { "device_id" }, *values[] = { id };
  ok = ort_check(
      ort->SessionOptionsAppendExecutionProvider_V2(so, ort_env, &chosen, 1, keys, values, 1),
      error, VF_ERROR_FAILED, "adding ORT's CUDA provider");
out:
  g_free(provider_lib);
  g_free(dir);
  return ok;
}

/* --- sessions --- */

static gboolean dtype_from_onnx(ONNXTensorElementDataType t, VfDType *dtype)
{
  switch (t) {
  case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT:
    *dtype = VF_DTYPE_FLOAT32;
    return TRUE;
  case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16:
    *dtype = VF_DTYPE_FLOAT16;
    return TRUE;
  case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE:
    *dtype = VF_DTYPE_FLOAT64;
    return TRUE;
  case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8:
    *dtype = VF_DTYPE_UINT8;
    return TRUE;
  case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8:
    *dtype = VF_DTYPE_INT8;
    return TRUE;
  case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16:
    *dtype = VF_DTYPE_UINT16;
    return TRUE;
  case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16:
    *dtype = VF_DTYPE_INT16;
    return TRUE;
  case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32:
    *dtype = VF_DTYPE_INT32;
    return TRUE;
  case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64:
    *dtype = VF_DTYPE_INT64;
    return TRUE;
  default:
    return FALSE;
  }
}

/* Name, element type and shape of input/output i. */
static gboolean describe(OrtSession *s, gboolean input, size_t i, VfInferTensorInfo *info,
                         const char *model, GError **error)
{
  OrtAllocator *alloc = NULL;
  char *name = NULL;
  OrtTypeInfo *ti = NULL;
  const OrtTensorTypeAndShapeInfo *tsi = NULL;
  ONNXTensorElementDataType et = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  size_t rank = 0;
  const char *kind = input ? "input" : "output";
  gboolean ok = FALSE;

  if (!ort_check(ort->GetAllocatorWithDefaultOptions(&alloc), error, VF_ERROR_FAILED,
                 "ONNX Runtime allocator"))
    return FALSE;
  if (!ort_check(input ? ort->SessionGetInputName(s, i, alloc, &name)
                       : ort->SessionGetOutputName(s, i, alloc, &name),
                 error, VF_ERROR_FAILED, model))
    return FALSE;
  info->name = g_strdup(name);
  ort_check(ort->AllocatorFree(alloc, name), NULL, VF_ERROR_FAILED, "");
  if (!ort_check(input ? ort->SessionGetInputTypeInfo(s, i, &ti)
                       : ort->SessionGetOutputTypeInfo(s, i, &ti),
                 error, VF_ERROR_FAILED, model))
    return FALSE;
  if (!ort_check(ort->CastTypeInfoToTensorInfo(ti, &tsi), error, VF_ERROR_FAILED, model))
    goto out;
  if (tsi == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "model '%s': %s '%s' is not a tensor (sequences and maps are not supported)", model,
                kind, info->name);
    goto out;
  }
  if (!ort_check(ort->GetTensorElementType(tsi, &et), error, VF_ERROR_FAILED, model)
      || !ort_check(ort->GetDimensionsCount(tsi, &rank), error, VF_ERROR_FAILED, model))
    goto out;
  if (!dtype_from_onnx(et, &info->dtype) || rank > VF_INFER_MAX_DIMS) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "model '%s': %s '%s' has an unsupported element type (%d) or rank (%zu)", model,
                kind, info->name, (int)et, rank);
    goto out;
  }
  info->ndim = (guint)rank;
  int64_t dims[VF_INFER_MAX_DIMS];
  if (!ort_check(ort->GetDimensions(tsi, dims, rank), error, VF_ERROR_FAILED, model))
    goto out;
  for (size_t d = 0; d < rank; d++)
    info->shape[d] = dims[d] > 0 ? dims[d] : -1; /* symbolic dims come as -1 or 0 */
  ok = TRUE;
out:
  ort->ReleaseTypeInfo(ti);
  return ok;
}

static void session_free(OrtSessionImpl *impl)
{
  for (guint i = 0; i < impl->base.n_inputs; i++)
    g_free(impl->base.inputs[i].name);
  for (guint i = 0; i < impl->base.n_outputs; i++)
    g_free(impl->base.outputs[i].name);
  g_free(impl->base.inputs);
  g_free(impl->base.outputs);
  g_free(impl->output_names);
  if (impl->memory)
    ort->ReleaseMemoryInfo(impl->memory);
  if (impl->cuda_memory)
    ort->ReleaseMemoryInfo(impl->cuda_memory);
  if (impl->session)
    ort->ReleaseSession(impl->session);
  g_free(impl->key);
  g_free(impl);
}

static OrtSessionImpl *session_create(const VfInferSessionOptions *o, const char *model,
                                      const char *provider, GError **error)
{
  OrtSessionOptions *so = NULL;
  OrtSessionImpl *impl = g_new0(OrtSessionImpl, 1);
  impl->base.backend = &vf_infer_backend_ort;
  impl->base.refcount = 1;

  if (!ort_check(ort->CreateSessionOptions(&so), error, VF_ERROR_FAILED, "ONNX Runtime options"))
    goto fail;
  if (o->threads > 0
      && !ort_check(ort->SetIntraOpNumThreads(so, o->threads), error, VF_ERROR_VALUE, "threads"))
    goto fail;
  if (!ort_check(ort->SetSessionGraphOptimizationLevel(so, ORT_ENABLE_ALL), error, VF_ERROR_FAILED,
                 "ONNX Runtime options"))
    goto fail;
  if (g_ascii_strcasecmp(provider, "cuda") == 0 && !append_cuda(so, o->device_id, error))
    goto fail;

  char *what = g_strdup_printf("ONNX Runtime cannot load model '%s'", model);
  gboolean created = ort_check(ort->CreateSession(ort_env, model, so, &impl->session), error,
                               VF_ERROR_FAILED, what);
  g_free(what);
  if (!created)
    goto fail;

  size_t n_in = 0, n_out = 0;
  if (!ort_check(ort->SessionGetInputCount(impl->session, &n_in), error, VF_ERROR_FAILED, model)
      || !ort_check(ort->SessionGetOutputCount(impl->session, &n_out), error, VF_ERROR_FAILED,
                    model))
    goto fail;
  impl->base.n_inputs = (guint)n_in;
  impl->base.n_outputs = (guint)n_out;
  impl->base.inputs = g_new0(VfInferTensorInfo, n_in);
  impl->base.outputs = g_new0(VfInferTensorInfo, n_out);
  impl->output_names = g_new0(const char *, n_out);
  for (size_t i = 0; i < n_in; i++)
    if (!describe(impl->session, TRUE, i, &impl->base.inputs[i], model, error))
      goto fail;
  for (size_t i = 0; i < n_out; i++) {
    if (!describe(impl->session, FALSE, i, &impl->base.outputs[i], model, error))
      goto fail;
    impl->output_names[i] = impl->base.outputs[i].name;
  }
  if (!ort_check(ort->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &impl->memory),
                 error, VF_ERROR_FAILED, "ONNX Runtime memory info"))
    goto fail;
  if (g_ascii_strcasecmp(provider, "cuda") == 0
      && !ort_check(ort->CreateMemoryInfo("Cuda", OrtDeviceAllocator, o->device_id,
                                          OrtMemTypeDefault, &impl->cuda_memory),
                    error, VF_ERROR_FAILED, "ONNX Runtime CUDA memory info"))
    goto fail;
  ort->ReleaseSessionOptions(so);
  return impl;
fail:
  if (so)
    ort->ReleaseSessionOptions(so);
  session_free(impl);
  return NULL;
}

static VfInferSession *ort_open(const VfInferSessionOptions *o, GError **error)
{
  const char *provider = o->provider && *o->provider ? o->provider : "cpu";
  const char *cfg = o->config_path;
  if (g_ascii_strcasecmp(provider, "cpu") != 0 && g_ascii_strcasecmp(provider, "cuda") != 0) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "%s%sunknown execution provider '%s' (known: cpu, cuda)", cfg ? cfg : "",
                cfg ? ": " : "", provider);
    return NULL;
  }
  if (o->model == NULL || !g_file_test(o->model, G_FILE_TEST_IS_REGULAR)) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "%s%smodel file '%s' not found: fix 'model', or run tools/fetch-assets.sh for the "
                "bundled models",
                cfg ? cfg : "", cfg ? ": " : "", o->model ? o->model : "(none)");
    return NULL;
  }
  char *real = realpath(o->model, NULL);
  char *key
      = g_strdup_printf("%s|%s|%d|%d", real ? real : o->model, provider,
                        g_ascii_strcasecmp(provider, "cuda") == 0 ? o->device_id : 0, o->threads);
  free(real);

  OrtSessionImpl *impl = NULL;
  g_mutex_lock(&lock);
  if (load_library(o->library, error)) {
    if (cache == NULL)
      cache = g_hash_table_new(g_str_hash, g_str_equal);
    impl = g_hash_table_lookup(cache, key);
    if (impl != NULL) {
      g_atomic_int_inc(&impl->base.refcount);
    } else {
      /* created under the lock: two elements opening one model at once get one session */
      impl = session_create(o, o->model, provider, error);
      if (impl != NULL) {
        impl->key = g_strdup(key);
        g_hash_table_insert(cache, impl->key, impl);
      }
    }
  }
  g_mutex_unlock(&lock);
  g_free(key);
  return impl ? &impl->base : NULL;
}

static void ort_unref(VfInferSession *session)
{
  OrtSessionImpl *impl = (OrtSessionImpl *)session;
  g_mutex_lock(&lock);
  gboolean last = g_atomic_int_dec_and_test(&impl->base.refcount);
  if (last)
    g_hash_table_remove(cache, impl->key);
  g_mutex_unlock(&lock);
  if (last)
    session_free(impl);
}

static void outputs_release(VfInferOutputs *outputs)
{
  OrtValue **values = outputs->priv;
  for (guint i = 0; i < outputs->n_tensors; i++)
    if (values[i])
      ort->ReleaseValue(values[i]);
  g_free(values);
}

/* The outputs `values` (n_outputs, transfer full: released with the outputs, or here on failure)
 * as VfInferOutputs. */
static VfInferOutputs *collect_outputs(VfInferSession *session, OrtValue **values, GError **error)
{
  guint n = session->n_outputs;
  VfInferOutputs *outs = g_new0(VfInferOutputs, 1);
  outs->n_tensors = n;
  outs->tensors = g_new0(VfInferTensor, n);
  outs->release = outputs_release;
  outs->priv = values;
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < n; i++) {
    VfInferTensor *t = &outs->tensors[i];
    OrtTensorTypeAndShapeInfo *tsi = NULL;
    size_t rank = 0;
    ONNXTensorElementDataType et;
    int64_t dims[VF_INFER_MAX_DIMS];
    t->name = session->outputs[i].name;
    ok = values[i] != NULL
         && ort_check(ort->GetTensorTypeAndShape(values[i], &tsi), error, VF_ERROR_FAILED, t->name)
         && ort_check(ort->GetDimensionsCount(tsi, &rank), error, VF_ERROR_FAILED, t->name)
         && rank <= VF_INFER_MAX_DIMS
         && ort_check(ort->GetDimensions(tsi, dims, rank), error, VF_ERROR_FAILED, t->name)
         && ort_check(ort->GetTensorElementType(tsi, &et), error, VF_ERROR_FAILED, t->name)
         && ort_check(ort->GetTensorMutableData(values[i], &t->data), error, VF_ERROR_FAILED,
                      t->name);
    if (tsi)
      ort->ReleaseTensorTypeAndShapeInfo(tsi);
    if (!ok)
      break;
    t->ndim = (guint)rank;
    for (size_t d = 0; d < rank; d++)
      t->shape[d] = dims[d];
    t->dtype = session->outputs[i].dtype;
  }
  if (!ok) {
    if (error && *error == NULL)
      g_set_error(error, VF_ERROR, VF_ERROR_FAILED, "ONNX Runtime returned a bad output");
    vf_infer_outputs_free(outs);
    return NULL;
  }
  return outs;
}

/* A device input through IO binding: the input an OrtValue over the device tensor (memory info
 * "Cuda"), every output bound to host memory, so only the outputs cross to the host. */
static OrtValue **run_bound(OrtSessionImpl *impl, const char *in_name, OrtValue *in_value,
                            GError **error)
{
  guint n = impl->base.n_outputs;
  OrtIoBinding *binding = NULL;
  OrtAllocator *allocator = NULL;
  OrtValue **bound = NULL;
  size_t n_bound = 0;
  gboolean ok = ort_check(ort->CreateIoBinding(impl->session, &binding), error, VF_ERROR_FAILED,
                          "ONNX Runtime IO binding")
                && ort_check(ort->BindInput(binding, in_name, in_value), error, VF_ERROR_FAILED,
                             "ONNX Runtime IO binding (input on the GPU)");
  for (guint i = 0; ok && i < n; i++)
    ok = ort_check(ort->BindOutputToDevice(binding, impl->output_names[i], impl->memory), error,
                   VF_ERROR_FAILED, "ONNX Runtime IO binding (outputs to the host)");
  ok = ok
       && ort_check(ort->RunWithBinding(impl->session, NULL, binding), error, VF_ERROR_STREAM,
                    "ONNX Runtime Run (IO binding)")
       && ort_check(ort->GetAllocatorWithDefaultOptions(&allocator), error, VF_ERROR_FAILED,
                    "ONNX Runtime allocator")
       && ort_check(ort->GetBoundOutputValues(binding, allocator, &bound, &n_bound), error,
                    VF_ERROR_FAILED, "ONNX Runtime bound outputs");
  OrtValue **values = NULL;
  if (ok && n_bound == n) {
    values = g_new0(OrtValue *, n);
    memcpy(values, bound, n * sizeof *values);
  } else if (ok) {
    g_set_error(error, VF_ERROR, VF_ERROR_FAILED,
                "ONNX Runtime gave %zu bound outputs for the model's %u", n_bound, n);
    for (size_t i = 0; i < n_bound; i++)
      ort->ReleaseValue(bound[i]);
  }
  if (bound)
    allocator->Free(allocator, bound);
  if (binding)
    ort->ReleaseIoBinding(binding);
  return values;
}

static VfInferOutputs *ort_run(VfInferSession *session, const VfInferTensor *input, VfDevice device,
                               GError **error)
{
  OrtSessionImpl *impl = (OrtSessionImpl *)session;
  if (input->dtype != VF_DTYPE_FLOAT32) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "ONNX Runtime backend: the input must be float32");
    return NULL;
  }
  if (device == VF_DEVICE_CUDA && impl->cuda_memory == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "ONNX Runtime backend: the input is in GPU memory but the session runs on the "
                "CPU provider: use execution-provider: cuda (or download the frames)");
    return NULL;
  }
  const char *in_name = input->name ? input->name : session->inputs[0].name;
  gsize count = 1;
  int64_t shape[VF_INFER_MAX_DIMS];
  for (guint d = 0; d < input->ndim; d++) {
    shape[d] = input->shape[d];
    count *= (gsize)input->shape[d];
  }
  OrtValue *in_value = NULL;
  if (!ort_check(ort->CreateTensorWithDataAsOrtValue(
                     device == VF_DEVICE_CUDA ? impl->cuda_memory : impl->memory, input->data,
                     count * sizeof(float), shape, input->ndim, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT,
                     &in_value),
                 error, VF_ERROR_FAILED, "ONNX Runtime input tensor"))
    return NULL;

  OrtValue **values = NULL;
  if (device == VF_DEVICE_CUDA) {
    values = run_bound(impl, in_name, in_value, error);
  } else {
    values = g_new0(OrtValue *, session->n_outputs);
    if (!ort_check(ort->Run(impl->session, NULL, &in_name, (const OrtValue *const *)&in_value, 1,
                            impl->output_names, session->n_outputs, values),
                   error, VF_ERROR_STREAM, "ONNX Runtime Run")) {
      for (guint i = 0; i < session->n_outputs; i++)
        if (values[i])
          ort->ReleaseValue(values[i]);
      g_clear_pointer(&values, g_free);
    }
  }
  ort->ReleaseValue(in_value);
  return values ? collect_outputs(session, values, error) : NULL;
}

const VfInferBackend vf_infer_backend_ort = {
  .name = "onnxruntime",
  .open = ort_open,
  .run = ort_run,
  .unref = ort_unref,
};
