/* Test helper: a libonnxruntime.so that is the real one (VFT_REAL_ORT_LIB) with failures
 * injected, so the error paths of the ORT backend run for real: every OrtApi call the backend
 * makes goes through a wrapper here, and the one named by VFT_ORT_FAIL (read on each call)
 * returns an error status made by the real ORT instead (before calling the real function, so it
 * has no outputs; AllocatorFree frees first, then fails). Under AddressSanitizer a status the
 * backend drops is then a leak. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnxruntime_c_api.h"

static const OrtApi *real;
static OrtApi fake;

/* An error status when `name` is the call to fail, else NULL. */
static OrtStatus *injected(const char *name)
{
  const char *fail = getenv("VFT_ORT_FAIL");
  if (fail == NULL || strcmp(fail, name) != 0)
    return NULL;
  char msg[128];
  snprintf(msg, sizeof msg, "injected failure in %s", name);
  return real->CreateStatus(ORT_FAIL, msg);
}

static OrtStatus *ORT_API_CALL fake_CreateSessionOptions(OrtSessionOptions **options)
{
  OrtStatus *s = injected("CreateSessionOptions");
  return s ? s : real->CreateSessionOptions(options);
}

static OrtStatus *ORT_API_CALL fake_SetIntraOpNumThreads(OrtSessionOptions *options, int n)
{
  OrtStatus *s = injected("SetIntraOpNumThreads");
  return s ? s : real->SetIntraOpNumThreads(options, n);
}

static OrtStatus *ORT_API_CALL fake_SetSessionGraphOptimizationLevel(OrtSessionOptions *options,
                                                                     GraphOptimizationLevel level)
{
  OrtStatus *s = injected("SetSessionGraphOptimizationLevel");
  return s ? s : real->SetSessionGraphOptimizationLevel(options, level);
}

static OrtStatus *ORT_API_CALL fake_CreateSession(const OrtEnv *env, const ORTCHAR_T *path,
                                                  const OrtSessionOptions *options,
                                                  OrtSession **out)
{
  OrtStatus *s = injected("CreateSession");
  return s ? s : real->CreateSession(env, path, options, out);
}

static OrtStatus *ORT_API_CALL fake_SessionGetInputCount(const OrtSession *session, size_t *out)
{
  OrtStatus *s = injected("SessionGetInputCount");
  return s ? s : real->SessionGetInputCount(session, out);
}

static OrtStatus *ORT_API_CALL fake_SessionGetOutputCount(const OrtSession *session, size_t *out)
{
  OrtStatus *s = injected("SessionGetOutputCount");
  return s ? s : real->SessionGetOutputCount(session, out);
}

static OrtStatus *ORT_API_CALL fake_GetAllocatorWithDefaultOptions(OrtAllocator **out)
{
  OrtStatus *s = injected("GetAllocatorWithDefaultOptions");
  return s ? s : real->GetAllocatorWithDefaultOptions(out);
}

static OrtStatus *ORT_API_CALL fake_SessionGetInputName(const OrtSession *session, size_t i,
                                                        OrtAllocator *allocator, char **value)
{
  OrtStatus *s = injected("SessionGetInputName");
  return s ? s : real->SessionGetInputName(session, i, allocator, value);
}

static OrtStatus *ORT_API_CALL fake_SessionGetOutputName(const OrtSession *session, size_t i,
                                                         OrtAllocator *allocator, char **value)
{
  OrtStatus *s = injected("SessionGetOutputName");
  return s ? s : real->SessionGetOutputName(session, i, allocator, value);
}

static OrtStatus *ORT_API_CALL fake_AllocatorFree(OrtAllocator *allocator, void *p)
{
  OrtStatus *s = real->AllocatorFree(allocator, p);
  if (s)
    return s;
  return injected("AllocatorFree");
}

static OrtStatus *ORT_API_CALL fake_SessionGetInputTypeInfo(const OrtSession *session, size_t i,
                                                            OrtTypeInfo **out)
{
  OrtStatus *s = injected("SessionGetInputTypeInfo");
  return s ? s : real->SessionGetInputTypeInfo(session, i, out);
}

static OrtStatus *ORT_API_CALL fake_SessionGetOutputTypeInfo(const OrtSession *session, size_t i,
                                                             OrtTypeInfo **out)
{
  OrtStatus *s = injected("SessionGetOutputTypeInfo");
  return s ? s : real->SessionGetOutputTypeInfo(session, i, out);
}

static OrtStatus *ORT_API_CALL fake_CastTypeInfoToTensorInfo(const OrtTypeInfo *info,
                                                             const OrtTensorTypeAndShapeInfo **out)
{
  OrtStatus *s = injected("CastTypeInfoToTensorInfo");
  return s ? s : real->CastTypeInfoToTensorInfo(info, out);
}

static OrtStatus *ORT_API_CALL fake_GetTensorElementType(const OrtTensorTypeAndShapeInfo *info,
                                                         ONNXTensorElementDataType *out)
{
  OrtStatus *s = injected("GetTensorElementType");
  return s ? s : real->GetTensorElementType(info, out);
}

static OrtStatus *ORT_API_CALL fake_GetDimensionsCount(const OrtTensorTypeAndShapeInfo *info,
                                                       size_t *out)
{
  OrtStatus *s = injected("GetDimensionsCount");
  return s ? s : real->GetDimensionsCount(info, out);
}

static OrtStatus *ORT_API_CALL fake_GetDimensions(const OrtTensorTypeAndShapeInfo *info,
                                                  int64_t *dims, size_t n)
{
  OrtStatus *s = injected("GetDimensions");
  return s ? s : real->GetDimensions(info, dims, n);
}

static OrtStatus *ORT_API_CALL fake_CreateCpuMemoryInfo(enum OrtAllocatorType type,
                                                        enum OrtMemType mem, OrtMemoryInfo **out)
{
  OrtStatus *s = injected("CreateCpuMemoryInfo");
  return s ? s : real->CreateCpuMemoryInfo(type, mem, out);
}

static OrtStatus *ORT_API_CALL fake_CreateTensorWithDataAsOrtValue(
    const OrtMemoryInfo *info, void *data, size_t len, const int64_t *shape, size_t shape_len,
    ONNXTensorElementDataType type, OrtValue **out)
{
  OrtStatus *s = injected("CreateTensorWithDataAsOrtValue");
  return s ? s : real->CreateTensorWithDataAsOrtValue(info, data, len, shape, shape_len, type, out);
}

static OrtStatus *ORT_API_CALL fake_Run(OrtSession *session, const OrtRunOptions *options,
                                        const char *const *input_names,
                                        const OrtValue *const *inputs, size_t n_inputs,
                                        const char *const *output_names, size_t n_outputs,
                                        OrtValue **outputs)
{
  OrtStatus *s = injected("Run");
  return s ? s
           : real->Run(session, options, input_names, inputs, n_inputs, output_names, n_outputs,
                       outputs);
}

static OrtStatus *ORT_API_CALL fake_GetTensorTypeAndShape(const OrtValue *value,
                                                          OrtTensorTypeAndShapeInfo **out)
{
  OrtStatus *s = injected("GetTensorTypeAndShape");
  return s ? s : real->GetTensorTypeAndShape(value, out);
}

static OrtStatus *ORT_API_CALL fake_GetTensorMutableData(OrtValue *value, void **out)
{
  OrtStatus *s = injected("GetTensorMutableData");
  return s ? s : real->GetTensorMutableData(value, out);
}

static const OrtApi *ORT_API_CALL get_api(uint32_t version)
{
  if (real == NULL) {
    const char *path = getenv("VFT_REAL_ORT_LIB");
    void *lib = path ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
    const OrtApiBase *(*get_base)(void) = lib ? dlsym(lib, "OrtGetApiBase") : NULL;
    real = get_base ? get_base()->GetApi(version) : NULL;
    if (real == NULL) {
      fprintf(stderr, "fake-ort: set VFT_REAL_ORT_LIB to a libonnxruntime.so\n");
      return NULL;
    }
    fake = *real;
    fake.CreateSessionOptions = fake_CreateSessionOptions;
    fake.SetIntraOpNumThreads = fake_SetIntraOpNumThreads;
    fake.SetSessionGraphOptimizationLevel = fake_SetSessionGraphOptimizationLevel;
    fake.CreateSession = fake_CreateSession;
    fake.SessionGetInputCount = fake_SessionGetInputCount;
    fake.SessionGetOutputCount = fake_SessionGetOutputCount;
    fake.GetAllocatorWithDefaultOptions = fake_GetAllocatorWithDefaultOptions;
    fake.SessionGetInputName = fake_SessionGetInputName;
    fake.SessionGetOutputName = fake_SessionGetOutputName;
    fake.AllocatorFree = fake_AllocatorFree;
    fake.SessionGetInputTypeInfo = fake_SessionGetInputTypeInfo;
    fake.SessionGetOutputTypeInfo = fake_SessionGetOutputTypeInfo;
    fake.CastTypeInfoToTensorInfo = fake_CastTypeInfoToTensorInfo;
    fake.GetTensorElementType = fake_GetTensorElementType;
    fake.GetDimensionsCount = fake_GetDimensionsCount;
    fake.GetDimensions = fake_GetDimensions;
    fake.CreateCpuMemoryInfo = fake_CreateCpuMemoryInfo;
    fake.CreateTensorWithDataAsOrtValue = fake_CreateTensorWithDataAsOrtValue;
    fake.Run = fake_Run;
    fake.GetTensorTypeAndShape = fake_GetTensorTypeAndShape;
    fake.GetTensorMutableData = fake_GetTensorMutableData;
  }
  return &fake;
}

static const char *ORT_API_CALL get_version(void)
{
  return "fake (failures injected)";
}

static const OrtApiBase base = { get_api, get_version };

__attribute__((visibility("default"))) const OrtApiBase *OrtGetApiBase(void)
{
  return &base;
}
