/* ort_run: run a single-input float32 ONNX model with ONNX Runtime's C API, raw files in/out.
 *
 *   ort_run [-l libonnxruntime.so] [-r REPEAT] [-t THREADS] MODEL.onnx INPUT.f32 N OUTDIR
 *
 * The library comes from -l, else $ORT_LIB, else "libonnxruntime.so" on the loader path.
 * It is dlopen'ed (never linked) because a binary linked to one ORT version refuses others.
 * INPUT.f32 holds N samples; the input's dynamic dims (-1) are set to N (batch).
 * Each output is written to OUTDIR/<output name>.f32 (raw float32, row-major).
 * Prints the ORT version, the output shapes and the mean run time over REPEAT runs.
 *
 * Build: cc -O2 -I DEST/onnxruntime/include -o ort_run ort_run.c -ldl
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "onnxruntime_c_api.h"

static const OrtApi *ort;

static void check(OrtStatus *st, const char *what)
{
  if (st) {
    fprintf(stderr, "ort_run: %s: %s\n", what, ort->GetErrorMessage(st));
    ort->ReleaseStatus(st);
    exit(1);
  }
}

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
  const char *lib = getenv("ORT_LIB");
  int repeat = 1, threads = 0, opt;
  while ((opt = getopt(argc, argv, "l:r:t:")) != -1) {
    if (opt == 'l')
      lib = optarg;
    else if (opt == 'r')
      repeat = atoi(optarg);
    else if (opt == 't')
      threads = atoi(optarg);
    else
      return 2;
  }
  if (argc - optind != 4 || repeat < 1) {
    fprintf(
        stderr,
        "usage: %s [-l libonnxruntime.so] [-r REPEAT] [-t THREADS] MODEL.onnx INPUT.f32 N OUTDIR\n",
        argv[0]);
    return 2;
  }
  const char *model = argv[optind], *in_path = argv[optind + 1], *outdir = argv[optind + 3];
  int64_t n = atoll(argv[optind + 2]);

  void *h = dlopen(lib ? lib : "libonnxruntime.so", RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    fprintf(stderr, "ort_run: dlopen: %s\n", dlerror());
    return 1;
  }
  const OrtApiBase *(*get_base)(void) = (const OrtApiBase *(*)(void))dlsym(h, "OrtGetApiBase");
  if (!get_base) {
    fprintf(stderr, "ort_run: no OrtGetApiBase in %s\n", lib);
    return 1;
  }
  ort = get_base()->GetApi(ORT_API_VERSION);
  if (!ort) { /* the library is older than the headers we compiled against */
    fprintf(stderr, "ort_run: library %s does not offer API version %d\n",
            get_base()->GetVersionString(), ORT_API_VERSION);
    return 1;
  }
  printf("onnxruntime %s (API %d)\n", get_base()->GetVersionString(), ORT_API_VERSION);

  OrtEnv *env;
  OrtSessionOptions *so;
  OrtSession *sess;
  OrtAllocator *alloc;
  OrtMemoryInfo *mem;
  check(ort->CreateEnv(ORT_LOGGING_LEVEL_WARNING, "ort_run", &env), "CreateEnv");
  check(ort->CreateSessionOptions(&so), "CreateSessionOptions");
  if (threads > 0)
    check(ort->SetIntraOpNumThreads(so, threads), "SetIntraOpNumThreads");
  check(ort->CreateSession(env, model, so, &sess), "CreateSession");
  check(ort->GetAllocatorWithDefaultOptions(&alloc), "GetAllocator");
  check(ort->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &mem),
        "CreateCpuMemoryInfo");

  size_t nin, nout;
  check(ort->SessionGetInputCount(sess, &nin), "SessionGetInputCount");
  check(ort->SessionGetOutputCount(sess, &nout), "SessionGetOutputCount");
  if (nin != 1) {
    fprintf(stderr, "ort_run: model has %zu inputs, want 1\n", nin);
    return 1;
  }

  /* input shape from the model, dynamic dims -> N */
  OrtTypeInfo *ti;
  const OrtTensorTypeAndShapeInfo *tsi;
  check(ort->SessionGetInputTypeInfo(sess, 0, &ti), "SessionGetInputTypeInfo");
  check(ort->CastTypeInfoToTensorInfo(ti, &tsi), "CastTypeInfoToTensorInfo");
  size_t rank;
  int64_t shape[8];
  check(ort->GetDimensionsCount(tsi, &rank), "GetDimensionsCount");
  if (rank > 8) {
    fprintf(stderr, "ort_run: rank %zu too large\n", rank);
    return 1;
  }
  check(ort->GetDimensions(tsi, shape, rank), "GetDimensions");
  ort->ReleaseTypeInfo(ti);
  size_t count = 1;
  for (size_t i = 0; i < rank; i++) {
    if (shape[i] < 0)
      shape[i] = n;
    count *= (size_t)shape[i];
  }

  float *input = malloc(count * sizeof(float));
  FILE *f = fopen(in_path, "rb");
  if (!f || fread(input, sizeof(float), count, f) != count || fgetc(f) != EOF) {
    fprintf(stderr, "ort_run: %s: want exactly %zu float32 values for batch %lld\n", in_path, count,
            (long long)n);
    return 1;
  }
  fclose(f);

  OrtValue *in_val = NULL;
  check(ort->CreateTensorWithDataAsOrtValue(mem, input, count * sizeof(float), shape, rank,
                                            ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &in_val),
        "CreateTensor");
  char *in_name, **out_names = calloc(nout, sizeof(char *));
  check(ort->SessionGetInputName(sess, 0, alloc, &in_name), "SessionGetInputName");
  for (size_t i = 0; i < nout; i++)
    check(ort->SessionGetOutputName(sess, i, alloc, &out_names[i]), "SessionGetOutputName");

  OrtValue **outs = calloc(nout, sizeof(OrtValue *));
  /* first run is warm-up (allocations, kernel choice); time the next REPEAT runs */
  check(ort->Run(sess, NULL, (const char *const *)&in_name, (const OrtValue *const *)&in_val, 1,
                 (const char *const *)out_names, nout, outs),
        "Run");
  double t0 = now();
  for (int r = 0; r < repeat; r++) {
    for (size_t i = 0; i < nout; i++) {
      ort->ReleaseValue(outs[i]);
      outs[i] = NULL;
    }
    check(ort->Run(sess, NULL, (const char *const *)&in_name, (const OrtValue *const *)&in_val, 1,
                   (const char *const *)out_names, nout, outs),
          "Run");
  }
  double ms = (now() - t0) * 1e3 / repeat;
  printf("run: %.2f ms per batch of %lld (%.2f ms per sample, mean of %d runs)\n", ms, (long long)n,
         ms / n, repeat);

  for (size_t i = 0; i < nout; i++) {
    OrtTensorTypeAndShapeInfo *oi;
    size_t elems, orank;
    int64_t oshape[8];
    float *data;
    check(ort->GetTensorTypeAndShape(outs[i], &oi), "GetTensorTypeAndShape");
    check(ort->GetTensorShapeElementCount(oi, &elems), "GetTensorShapeElementCount");
    check(ort->GetDimensionsCount(oi, &orank), "GetDimensionsCount");
    check(ort->GetDimensions(oi, oshape, orank < 8 ? orank : 8), "GetDimensions");
    ort->ReleaseTensorTypeAndShapeInfo(oi);
    check(ort->GetTensorMutableData(outs[i], (void **)&data), "GetTensorMutableData");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.f32", outdir, out_names[i]);
    FILE *o = fopen(path, "wb");
    if (!o || fwrite(data, sizeof(float), elems, o) != elems || fclose(o) != 0) {
      fprintf(stderr, "ort_run: cannot write %s\n", path);
      return 1;
    }
    printf("output %s [", out_names[i]);
    for (size_t d = 0; d < orank; d++)
      printf(d ? ",%lld" : "%lld", (long long)oshape[d]);
    printf("] -> %s\n", path);
    ort->ReleaseValue(outs[i]);
    check(ort->AllocatorFree(alloc, out_names[i]), "AllocatorFree");
  }
  check(ort->AllocatorFree(alloc, in_name), "AllocatorFree");
  ort->ReleaseValue(in_val);
  ort->ReleaseMemoryInfo(mem);
  ort->ReleaseSession(sess);
  ort->ReleaseSessionOptions(so);
  ort->ReleaseEnv(env);
  free(input);
  free(outs);
  free(out_names);
  return 0;
}
