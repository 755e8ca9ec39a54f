/* vidflow convert: the batch converter, the one place where frames are converted and scaled
 * (vfmux's scaling path, vfconvert).
 *
 * Use: an element owns one VfConverter (vf_converter_new at start, vf_converter_free at stop).
 * For each batch it describes every frame that needs work as a VfConvertJob — the frame's buffer
 * and layout, the frame to make and where the picture goes in it (vf_convert_plan computes those
 * from a target format, size and scaling mode) — and calls vf_converter_run once for the whole
 * batch. The jobs of a batch are independent (no job reads another's state), so they run in
 * parallel; each gets a buffer of its own from the converter's pools, or an error of its own.
 * The frames' memory picks the backend: system memory is converted on the CPU; CUDA memory by the
 * CUDA backend once the build has one (until then vf_converter_supports says so, in words).
 *
 * CPU backend (backend-cpu.c): GstVideoConverter (any pair of the formats in VF_CONVERT_FORMATS,
 * scaling with the chosen resampler, borders black), one converter per stream (job key) reused
 * while its layouts stay the same, output buffers from a GstVideoBufferPool per output layout
 * (shared by the streams, unbounded: frames live as long as downstream holds the batch). Threads:
 * a batch of n jobs runs on min(threads, n) threads, the calling thread and helpers of the
 * converter's own GThreadPool (threads - 1 of them, exclusive), taking jobs from one atomic
 * counter; the caller waits on a condition variable for the helpers. When a batch has fewer jobs
 * than threads, each job's GstVideoConverter gets threads / n threads of its own (its n-threads:
 * stripes of the frame), so a single stream uses the cores too. Why frames across threads rather
 * than GstVideoConverter's n-threads for every frame: no hand-over per frame and no idle tail per
 * stripe; bench/batch/convert-bench.c measures the two ways side by side (figures in the issue's
 * closing note).
 *
 * ---- the backend seam (for the CUDA backend) ----
 * A backend is a const VfConvertBackend in the table of convert.c (the CUDA one under
 * VF_HAVE_CUDA_CONVERT, built by the CUDA build). It converts frames living in the memory of its
 * `device` into new frames in the same memory: system memory → system memory (CPU), GstCudaMemory
 * (memory:CUDAMemory caps) → GstCudaMemory. Its functions:
 *
 *   state = open(options, element, &error)
 *     Once per VfConverter, the first time frames of its device come, on the caller's streaming
 *     thread. CUDA: get the GstCudaContext of options->gpu_id through `element` (the element the
 *     converter works for; gst_cuda_ensure_element_context shares it with the rest of the
 *     pipeline), create one CUstream for this state: one stream per element, the frames of a
 *     batch all queued on it. NULL with *error naming what failed (no device, no context).
 *   supports(state, in_format, out_format)
 *     Whether it converts between the two formats (NULL: every pair of VF_CONVERT_FORMATS). Asked
 *     at caps negotiation, so an element refuses what its backend cannot do before data flows.
 *   run(state, jobs, n)
 *     Convert the n jobs of one batch (all need work). For each: read job->in laid out as
 *     job->in_info (CUDA: vf_frame_map_buffer(.., VF_DEVICE_CUDA, ..), the frame mapper's CUDA
 *     backend, gives the planes' device pointers and pitches, whatever memories they lie in), and
 *     set job->out (transfer full) to a new buffer laid out as job->out_info, with a GstVideoMeta,
 *     taken from a pool the state keeps per out_info (CUDA: a GstCudaBufferPool on the context:
 *     CUDA memory in, CUDA memory out, nothing crosses to the host): the picture scaled into
 *     job->dest with options->method, black (Y 16, UV 128 for YUV; 0,0,0,255 for RGB) elsewhere;
 *     or set job->error (VF_ERROR domain, naming job->key and what to do) and leave job->out
 *     NULL. Jobs may be worked on in any order and at once. Returns when every output can be
 *     read by anyone (CUDA: every kernel of the batch launched on the state's stream, then one
 *     cuStreamSynchronize: GStreamer 1.22's CUDA memory carries no fence for readers to wait on).
 *     One call at a time per state (the element's streaming thread).
 *   close(state)
 *     Release what open made (stream, pools, context reference); the streaming thread or the
 *     element's stop, never during run.
 *
 * Lifetime and threads: a VfConverter is used by one thread at a time (its element's streaming
 * thread); its backends' helper threads never call back into the caller. Buffers in jobs are
 * (transfer none) in and (transfer full) out; output buffers return to the converter's pools
 * when released, also after the converter is freed (the pools stay alive until then). */
#pragma once

#include <gst/video/video.h>
#include <vidflow/error.h>
#include <vidflow/meta.h>
#include <vidflow/tensor.h>

G_BEGIN_DECLS

/* The formats the converter reads and writes (a caps format list). */
#define VF_CONVERT_FORMATS                                                                         \
  "{ RGB, RGBA, NV12, I420, BGR, BGRA, BGRx, RGBx, xRGB, xBGR, ARGB, ABGR, YV12, NV21, GRAY8, "    \
  "YUY2, UYVY, Y42B, Y444 }"

/* How a frame is fitted into a frame of another size. */
typedef enum {
  VF_CONVERT_SCALING_STRETCH = 0, /* fill the frame; proportions may change */
  VF_CONVERT_SCALING_LETTERBOX,   /* keep proportions, picture centred, black borders */
  VF_CONVERT_SCALING_PAD,         /* keep proportions, picture top-left, black right/bottom
                                   * borders (nvstreammux's enable-padding) */
} VfConvertScaling;

/* The resampler used to scale. */
typedef enum {
  VF_CONVERT_METHOD_NEAREST = 0,
  VF_CONVERT_METHOD_BILINEAR,
  VF_CONVERT_METHOD_CUBIC,
  VF_CONVERT_METHOD_LANCZOS,
} VfConvertMethod;

/* How the CPU backend spreads a batch over its threads (AUTO is the rule above; the others
 * exist for bench/batch/convert-bench.c to measure the rule). */
typedef enum {
  VF_CONVERT_SPLIT_AUTO = 0,
  VF_CONVERT_SPLIT_FRAMES,  /* frames across threads, one thread per GstVideoConverter */
  VF_CONVERT_SPLIT_STRIPES, /* frames one after another, each GstVideoConverter on every thread */
} VfConvertSplit;

typedef struct {
  VfConvertMethod method;
  guint threads; /* CPU threads for one batch; 0: one per core */
  guint gpu_id;  /* CUDA backend: the device */
  VfConvertSplit split;
} VfConvertOptions;

/* What a frame should become: a format (GST_VIDEO_FORMAT_UNKNOWN: keep the frame's), a size (0 x
 * 0: keep the frame's) and how the picture is fitted into it. */
typedef struct {
  GstVideoFormat format;
  guint width, height;
  VfConvertScaling scaling;
} VfConvertTarget;

/* One frame of a batch to convert. */
typedef struct {
  /* set by the caller */
  guint key;             /* the stream the frame belongs to (a source id): per-stream state is
                          * kept by key; a key may come twice in one batch (kept apart) */
  GstBuffer *in;         /* (transfer none) the frame's pixels */
  GstVideoInfo in_info;  /* its layout in `in`: offsets and strides included (vf_frame_layout) */
  GstVideoInfo out_info; /* the frame to make (default layout: vf_convert_plan) */
  VfRect dest;           /* where the picture goes in out_info's frame; black around it */
  /* set by vf_converter_run */
  GstBuffer *out; /* (transfer full, nullable) the new frame: out_info with a GstVideoMeta */
  GError *error;  /* (nullable) why this frame failed; freed by vf_convert_job_clear */
} VfConvertJob;

/* Plan the conversion of a frame laid out as `in` into `target`: *out (default layout; colorimetry
 * kept when the colour model does not change) and *dest (the picture's rectangle in it). TRUE
 * when the frame needs work; FALSE when it is already the target (then *out = *in and *dest is
 * the whole frame). */
gboolean vf_convert_plan(const GstVideoInfo *in, const VfConvertTarget *target, GstVideoInfo *out,
                         VfRect *dest);

typedef struct _VfConverter VfConverter;

/* A converter (transfer full) for `element` (transfer none, nullable: named in errors, and the
 * element a CUDA backend gets its context through). */
VfConverter *vf_converter_new(const VfConvertOptions *options, GstElement *element);
void vf_converter_free(VfConverter *converter);

/* Whether frames living on `device` can be converted from `in` to `out` format by this build:
 * FALSE with VF_ERROR_UNSUPPORTED and a sentence saying what to do otherwise. */
gboolean vf_converter_supports(VfConverter *converter, VfDevice device, GstVideoFormat in,
                               GstVideoFormat out, GError **error);

/* Convert the n jobs of one batch, whose frames live on `device`, in parallel. TRUE when every
 * job has its `out`; FALSE with *error a copy of the first failed job's error (every failed job
 * keeps its own). The jobs' `out` and `error` must be NULL on entry. */
gboolean vf_converter_run(VfConverter *converter, VfDevice device, VfConvertJob *jobs, guint n,
                          GError **error);

/* Release a job's output and error (the inputs are the caller's). */
void vf_convert_job_clear(VfConvertJob *job);

/* ---- backends (convert.c's table) ---- */

typedef struct {
  const char *name;
  VfDevice device; /* the memory of the frames it reads and makes */
  gpointer (*open)(const VfConvertOptions *options, GstElement *element, GError **error);
  gboolean (*supports)(gpointer state, GstVideoFormat in, GstVideoFormat out); /* nullable */
  void (*run)(gpointer state, VfConvertJob *jobs, guint n);
  void (*close)(gpointer state);
} VfConvertBackend;

extern const VfConvertBackend vf_convert_backend_cpu;

G_END_DECLS
