/* vidflow cuda: the CUDA driver API through dlopen (libcuda.so.1, only when asked for), the one
 * CUDA check helper, device memory and the preprocessing kernel's launch (cuda.h).
 *
 * The driver's types are declared here (a handful of opaque handles and integers: the ABI of
 * cuda.h since CUDA 3.2), so building needs no CUDA toolkit; the kernels come as a fatbin that
 * meson.build makes with nvcc when it is there and embeds (vf_cuda_fatbin). */
#include "cuda.h"

#include <dlfcn.h>

#define CUDA_DRIVER_LIB "libcuda.so.1"
#define CU_SUCCESS 0
#define BLOCK_X 32 /* threads a block: 32 x 8 output pixels */
#define BLOCK_Y 8
#define CU_POINTER_ATTRIBUTE_CONTEXT 1
#define MAX_FOREIGN_CONTEXTS 8 /* contexts besides the primary one that frames may come from */

typedef int CUresult;
typedef int CUdevice;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;

extern const unsigned char vf_cuda_fatbin[];
extern const size_t vf_cuda_fatbin_size;

/* The driver entry points vidflow uses (the _v2 names are the current ABI). */
static struct {
  CUresult (*Init)(unsigned int);
  CUresult (*DeviceGetCount)(int *);
  CUresult (*DeviceGet)(CUdevice *, int);
  CUresult (*DeviceGetName)(char *, int, CUdevice);
  CUresult (*DevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*CtxPushCurrent)(CUcontext);
  CUresult (*CtxPopCurrent)(CUcontext *);
  CUresult (*ModuleLoadData)(CUmodule *, const void *);
  CUresult (*ModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*LaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                           unsigned, CUstream, void **, void **);
  CUresult (*CtxSynchronize)(void);
  CUresult (*MemAlloc)(VfCudaPtr *, size_t);
  CUresult (*MemFree)(VfCudaPtr);
  CUresult (*MemcpyHtoD)(VfCudaPtr, const void *, size_t);
  CUresult (*MemcpyDtoH)(void *, VfCudaPtr, size_t);
  CUresult (*MemGetInfo)(size_t *, size_t *);
  CUresult (*MemsetD8)(VfCudaPtr, unsigned char, size_t);
  CUresult (*MemcpyPeer)(VfCudaPtr, CUcontext, VfCudaPtr, CUcontext, size_t);
  CUresult (*PointerGetAttribute)(void *, int, VfCudaPtr);
  CUresult (*GetErrorName)(CUresult, const char **);
  CUresult (*GetErrorString)(CUresult, const char **);
} cu;

static struct {
  gboolean ok;
  GError *error; /* why not, for every later caller */
  gint device;
  char name[256];
  CUcontext ctx;
  CUmodule module;
  CUfunction preprocess;
} state;

/* A CUDA context other than the primary one that frames live in (GStreamer 1.22's GstCudaContext
 * makes its own with cuCtxCreate, and a context's device pointers are not valid in another): the
 * kernels loaded into it and a staging tensor there, copied into the caller's tensor
 * (cuMemcpyPeer, device to device) after each launch. Guarded by `foreign_lock`; entries live
 * until the process ends (a GstCudaContext outlives the streams that use it). */
typedef struct {
  CUcontext ctx;
  CUmodule module;
  CUfunction preprocess;
  VfCudaPtr staging;
  gsize staging_size;
} ForeignContext;

static GMutex foreign_lock;
static ForeignContext foreign[MAX_FOREIGN_CONTEXTS];
static guint n_foreign;

gboolean vf_cuda_check(int result, const char *what, GError **error)
{
  if (result == CU_SUCCESS)
    return TRUE;
  const char *name = NULL, *text = NULL;
  if (cu.GetErrorName)
    cu.GetErrorName(result, &name);
  if (cu.GetErrorString)
    cu.GetErrorString(result, &text);
  g_set_error(error, VF_ERROR, VF_ERROR_FAILED, "CUDA %s: %s (%s)", what, name ? name : "error",
              text ? text : "no description");
  return FALSE;
}

static gboolean resolve(void *lib, const char *symbol, void **fn, GError **error)
{
  *fn = dlsym(lib, symbol);
  if (*fn == NULL)
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "CUDA: the driver %s has no %s (driver too old: update the NVIDIA driver)",
                CUDA_DRIVER_LIB, symbol);
  return *fn != NULL;
}

static gboolean load_driver(GError **error)
{
  void *lib = dlopen(CUDA_DRIVER_LIB, RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "CUDA: no NVIDIA driver on this machine (%s: %s); GPU paths need one",
                CUDA_DRIVER_LIB, dlerror());
    return FALSE;
  }
  struct {
    const char *symbol;
    void **fn;
  } table[] = {
    { "cuInit", (void **)&cu.Init },
    { "cuDeviceGetCount", (void **)&cu.DeviceGetCount },
    { "cuDeviceGet", (void **)&cu.DeviceGet },
    { "cuDeviceGetName", (void **)&cu.DeviceGetName },
    { "cuDevicePrimaryCtxRetain", (void **)&cu.DevicePrimaryCtxRetain },
    { "cuCtxPushCurrent_v2", (void **)&cu.CtxPushCurrent },
    { "cuCtxPopCurrent_v2", (void **)&cu.CtxPopCurrent },
    { "cuModuleLoadData", (void **)&cu.ModuleLoadData },
    { "cuModuleGetFunction", (void **)&cu.ModuleGetFunction },
    { "cuLaunchKernel", (void **)&cu.LaunchKernel },
    { "cuCtxSynchronize", (void **)&cu.CtxSynchronize },
    { "cuMemAlloc_v2", (void **)&cu.MemAlloc },
    { "cuMemFree_v2", (void **)&cu.MemFree },
    { "cuMemcpyHtoD_v2", (void **)&cu.MemcpyHtoD },
    { "cuMemcpyDtoH_v2", (void **)&cu.MemcpyDtoH },
    { "cuMemGetInfo_v2", (void **)&cu.MemGetInfo },
    { "cuMemsetD8_v2", (void **)&cu.MemsetD8 },
    { "cuMemcpyPeer", (void **)&cu.MemcpyPeer },
    { "cuPointerGetAttribute", (void **)&cu.PointerGetAttribute },
    { "cuGetErrorName", (void **)&cu.GetErrorName },
    { "cuGetErrorString", (void **)&cu.GetErrorString },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(table); i++)
    if (!resolve(lib, table[i].symbol, table[i].fn, error))
      return FALSE; /* the library stays loaded: the process keeps the driver once it has it */
  return TRUE;
}

static gboolean open_device(gint device, GError **error)
{
  if (vf_cuda_fatbin_size == 0) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "CUDA: this build has no GPU kernels (nvcc was not found when it was built: "
                "install the CUDA toolkit and rebuild)");
    return FALSE;
  }
  if (!load_driver(error) || !vf_cuda_check(cu.Init(0), "cuInit", error))
    return FALSE;
  int count = 0;
  if (!vf_cuda_check(cu.DeviceGetCount(&count), "cuDeviceGetCount", error))
    return FALSE;
  if (device < 0 || device >= count) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "CUDA: no GPU %d on this machine (%d found): set device-id below %d", device, count,
                MAX(count, 1));
    return FALSE;
  }
  CUdevice dev;
  if (!vf_cuda_check(cu.DeviceGet(&dev, device), "cuDeviceGet", error)
      || !vf_cuda_check(cu.DeviceGetName(state.name, sizeof state.name, dev), "cuDeviceGetName",
                        error)
      || !vf_cuda_check(cu.DevicePrimaryCtxRetain(&state.ctx, dev), "cuDevicePrimaryCtxRetain",
                        error)
      || !vf_cuda_check(cu.CtxPushCurrent(state.ctx), "cuCtxPushCurrent", error))
    return FALSE;
  gboolean ok
      = vf_cuda_check(cu.ModuleLoadData(&state.module, vf_cuda_fatbin),
                      "loading the kernels (cuModuleLoadData: sm_90 code or compute_90 PTX)", error)
        && vf_cuda_check(
            cu.ModuleGetFunction(&state.preprocess, state.module, "vf_cuda_preprocess_kernel"),
            "cuModuleGetFunction(vf_cuda_preprocess_kernel)", error);
  CUcontext popped;
  cu.CtxPopCurrent(&popped);
  state.device = device;
  return ok;
}

gboolean vf_cuda_open(gint device, GError **error)
{
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    state.ok = open_device(device, &state.error);
    g_once_init_leave(&once, 1);
  }
  if (!state.ok) {
    g_propagate_error(error, g_error_copy(state.error));
    return FALSE;
  }
  if (device != state.device) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "CUDA: this process uses GPU %d; one GPU a process for now (asked for %d)",
                state.device, device);
    return FALSE;
  }
  return TRUE;
}

const char *vf_cuda_device_name(void)
{
  return state.ok ? state.name : NULL;
}

/* Runs with the primary context current on this thread. */
static gboolean push(GError **error)
{
  if (!state.ok) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED, "CUDA: not open (vf_cuda_open first)");
    return FALSE;
  }
  return vf_cuda_check(cu.CtxPushCurrent(state.ctx), "cuCtxPushCurrent", error);
}

static gboolean pop(gboolean ok)
{
  CUcontext popped;
  cu.CtxPopCurrent(&popped);
  return ok;
}

gboolean vf_cuda_alloc(VfCudaPtr *ptr, gsize size, GError **error)
{
  *ptr = 0;
  return push(error) && pop(vf_cuda_check(cu.MemAlloc(ptr, size), "cuMemAlloc", error));
}

void vf_cuda_free(VfCudaPtr ptr)
{
  if (ptr && push(NULL))
    pop(cu.MemFree(ptr) == CU_SUCCESS);
}

gboolean vf_cuda_upload(VfCudaPtr dst, const void *src, gsize size, GError **error)
{
  return push(error) && pop(vf_cuda_check(cu.MemcpyHtoD(dst, src, size), "cuMemcpyHtoD", error));
}

gboolean vf_cuda_download(void *dst, VfCudaPtr src, gsize size, GError **error)
{
  return push(error) && pop(vf_cuda_check(cu.MemcpyDtoH(dst, src, size), "cuMemcpyDtoH", error));
}

gboolean vf_cuda_mem_info(gsize *free_bytes, gsize *total_bytes, GError **error)
{
  size_t f = 0, t = 0;
  gboolean ok = push(error) && pop(vf_cuda_check(cu.MemGetInfo(&f, &t), "cuMemGetInfo", error));
  *free_bytes = f, *total_bytes = t;
  return ok;
}

gboolean vf_cuda_clear(VfCudaPtr ptr, gsize size, GError **error)
{
  return push(error) && pop(vf_cuda_check(cu.MemsetD8(ptr, 0, size), "cuMemsetD8", error));
}

/* One launch over n frames into dst, in the context current on this thread; waits for it. */
static gboolean launch(CUfunction fn, const VfCudaFrameDesc *frames, guint n,
                       const VfCudaTensorDesc *tensor, VfCudaPtr dst, GError **error)
{
  VfCudaPtr descs = 0;
  gsize size = sizeof *frames * n;
  VfCudaTensorDesc t = *tensor;
  gboolean ok = vf_cuda_check(cu.MemAlloc(&descs, size), "cuMemAlloc (frame descriptors)", error)
                && vf_cuda_check(cu.MemcpyHtoD(descs, frames, size), "cuMemcpyHtoD", error);
  if (ok) {
    void *args[] = { &descs, &t, &dst };
    ok = vf_cuda_check(cu.LaunchKernel(fn, (t.width + BLOCK_X - 1) / BLOCK_X,
                                       (t.height + BLOCK_Y - 1) / BLOCK_Y, n, BLOCK_X, BLOCK_Y, 1,
                                       0, NULL, args, NULL),
                       "launching vf_cuda_preprocess_kernel", error)
         && vf_cuda_check(cu.CtxSynchronize(), "vf_cuda_preprocess_kernel", error);
  }
  if (descs)
    cu.MemFree(descs);
  return ok;
}

/* The context the device address `ptr` belongs to (NULL: host memory or unknown). */
static CUcontext context_of(VfCudaPtr ptr)
{
  CUcontext ctx = NULL;
  if (cu.PointerGetAttribute(&ctx, CU_POINTER_ATTRIBUTE_CONTEXT, ptr) != CU_SUCCESS)
    return NULL;
  return ctx;
}

/* Runs frames[0..n) (all in the foreign context ctx) into dst through ctx's staging tensor.
 * Called with foreign_lock held and nothing pushed. */
static gboolean run_foreign(CUcontext ctx, const VfCudaFrameDesc *frames, guint n,
                            const VfCudaTensorDesc *tensor, VfCudaPtr dst, GError **error)
{
  ForeignContext *fc = NULL;
  for (guint i = 0; i < n_foreign && fc == NULL; i++)
    if (foreign[i].ctx == ctx)
      fc = &foreign[i];
  if (fc == NULL && n_foreign == MAX_FOREIGN_CONTEXTS) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "preprocess on the GPU: frames come from more than %d CUDA contexts; share one "
                "GstCudaContext between the decoders (one pipeline)",
                MAX_FOREIGN_CONTEXTS);
    return FALSE;
  }
  if (!vf_cuda_check(cu.CtxPushCurrent(ctx), "cuCtxPushCurrent (the frames' context)", error))
    return FALSE;
  gboolean ok = TRUE;
  if (fc == NULL) {
    ForeignContext f = { .ctx = ctx };
    ok = vf_cuda_check(cu.ModuleLoadData(&f.module, vf_cuda_fatbin),
                       "loading the kernels into the frames' context", error)
         && vf_cuda_check(
             cu.ModuleGetFunction(&f.preprocess, f.module, "vf_cuda_preprocess_kernel"),
             "cuModuleGetFunction(vf_cuda_preprocess_kernel)", error);
    if (ok) {
      foreign[n_foreign] = f;
      fc = &foreign[n_foreign++];
    }
  }
  gsize bytes = (gsize)n * tensor->width * tensor->height * 3 * sizeof(float);
  if (ok && fc->staging_size < bytes) {
    if (fc->staging)
      cu.MemFree(fc->staging);
    fc->staging = 0;
    fc->staging_size = 0;
    ok = vf_cuda_check(cu.MemAlloc(&fc->staging, bytes), "cuMemAlloc (staging tensor)", error);
    if (ok)
      fc->staging_size = bytes;
  }
  ok = ok && launch(fc->preprocess, frames, n, tensor, fc->staging, error)
       && vf_cuda_check(cu.MemcpyPeer(dst, state.ctx, fc->staging, ctx, bytes),
                        "cuMemcpyPeer (staging tensor to the input tensor)", error);
  CUcontext popped;
  cu.CtxPopCurrent(&popped);
  return ok;
}

gboolean vf_cuda_preprocess_batch(const VfCudaFrameDesc *frames, guint n,
                                  const VfCudaTensorDesc *tensor, VfCudaPtr dst, GError **error)
{
  if (n == 0 || n > 65535 || tensor->width <= 0 || tensor->height <= 0) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "preprocess on the GPU: %u frames (1..65535) into a %dx%d input", n, tensor->width,
                tensor->height);
    return FALSE;
  }
  if (!state.ok) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED, "CUDA: not open (vf_cuda_open first)");
    return FALSE;
  }
  gsize sample = (gsize)tensor->width * tensor->height * 3 * sizeof(float);
  gboolean ok = TRUE;
  /* Runs of consecutive frames in one context: one launch each, in that context. */
  for (guint start = 0, end; start < n && ok; start = end) {
    CUcontext ctx = context_of(frames[start].planes[0]);
    for (end = start + 1; end < n && context_of(frames[end].planes[0]) == ctx; end++)
      ;
    VfCudaPtr out = dst + start * sample;
    if (ctx == NULL || ctx == state.ctx) {
      ok = push(error)
           && pop(launch(state.preprocess, frames + start, end - start, tensor, out, error));
    } else {
      g_mutex_lock(&foreign_lock);
      ok = run_foreign(ctx, frames + start, end - start, tensor, out, error);
      g_mutex_unlock(&foreign_lock);
    }
  }
  return ok;
}
