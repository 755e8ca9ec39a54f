/* vidflow infer: the engine, config + backend session + preprocessing + parser.
 *
 * What vfinfer runs per batch, without GStreamer: frames (or crops of them, in secondary mode)
 * in, one VfInferResult per frame out, boxes in frame pixels. Everything that can be wrong with
 * the config or the model is checked by vf_infer_engine_new, so a bad setup fails at start:
 * model input not matching input-shape/input-layout, labels not matching the model's classes,
 * an unknown parser, a missing ONNX Runtime.
 *
 * Threads: process() calls on one engine must not overlap (it owns its input buffers); separate
 * engines, even on one model (they share the backend session), run in parallel. The two steps of
 * process() may also run on two threads (vfinfer's overlap): vf_infer_engine_preprocess_slot on
 * one (the streaming thread) fills input slot s while vf_infer_engine_run_slot on the other (the
 * stage thread) runs the model on the other slot; calls of one kind must not overlap each other,
 * nor the two kinds on the same slot, nor either with process(). */
#pragma once

#include "backend.h"
#include "config.h"
#include "detections.h"
#include "parser.h"
#include "preprocess.h"

G_BEGIN_DECLS

typedef struct _VfInferEngine VfInferEngine;

/* One unit of work: a frame, or a crop of it. */
typedef struct {
  const VfImage *image;   /* (transfer none) */
  const VfInferRect *roi; /* (nullable) secondary mode: the object's box */
} VfInferFrame;

/* Time spent in the last process() call, in seconds. */
typedef struct {
  gdouble preprocess, inference, parse;
} VfInferTimings;

/* config (transfer none) must outlive the engine. */
VfInferEngine *vf_infer_engine_new(const VfInferConfig *config, GError **error);
void vf_infer_engine_free(VfInferEngine *engine);

/* Run frames[0..n) in batches of at most batch-size; results[i] (initialised by the caller with
 * vf_infer_result_init) receives frame i's detections or classes (previous content is reset). */
gboolean vf_infer_engine_process(VfInferEngine *engine, const VfInferFrame *frames, guint n,
                                 VfInferResult *results, GError **error);

/* The steps of process() for callers that bring their own preprocessed input (the bench):
 * run the model on `batch` samples at `input` and parse them; transforms[i] maps sample i back
 * (nullable: boxes stay in model pixels). */
gboolean vf_infer_engine_run_preprocessed(VfInferEngine *engine, const gfloat *input, guint batch,
                                          const VfPreprocessTransform *transforms,
                                          const guint *frame_sizes, VfInferResult *results,
                                          GError **error);

/* The same with `input` on `device`: VF_DEVICE_CPU as above; VF_DEVICE_CUDA a device address
 * (gst/cuda) of batch-size samples whose samples past `batch` are zero (a model with a fixed
 * batch runs them all). */
gboolean vf_infer_engine_run_input(VfInferEngine *engine, gconstpointer input, VfDevice device,
                                   guint batch, const VfPreprocessTransform *transforms,
                                   const guint *frame_sizes, VfInferResult *results,
                                   GError **error);

/* Input slots: each holds batch-size preprocessed samples (the second is allocated on first use).
 */
#define VF_INFER_ENGINE_SLOTS 2

/* Preprocess frames[0..n) (n <= batch-size) into input slot `slot` (< VF_INFER_ENGINE_SLOTS);
 * a model with a fixed batch gets the samples past n zeroed. Frames need stay mapped only
 * during this call. FALSE with the error of vf_preprocess, prefixed with the config's file. */
gboolean vf_infer_engine_preprocess_slot(VfInferEngine *engine, guint slot,
                                         const VfInferFrame *frames, guint n, GError **error);
/* Run the model on the n samples preprocess_slot put into `slot` and parse them into
 * results[0..n) (as process()); boxes in the frames' pixels. */
gboolean vf_infer_engine_run_slot(VfInferEngine *engine, guint slot, guint n,
                                  VfInferResult *results, GError **error);

guint vf_infer_engine_get_batch_size(const VfInferEngine *engine);
/* Model input size and channels. */
void vf_infer_engine_get_input_size(const VfInferEngine *engine, guint *width, guint *height,
                                    guint *channels);
/* Floats in one sample of the model input (width * height * channels). */
gsize vf_infer_engine_get_sample_size(const VfInferEngine *engine);
VfParserKind vf_infer_engine_get_kind(const VfInferEngine *engine);
/* (transfer none) the parameters process() preprocesses with. */
const VfPreprocessParams *vf_infer_engine_get_preprocess(const VfInferEngine *engine);
/* (transfer none) the shared session. */
VfInferSession *vf_infer_engine_get_session(const VfInferEngine *engine);
void vf_infer_engine_get_timings(const VfInferEngine *engine, VfInferTimings *timings);

G_END_DECLS
