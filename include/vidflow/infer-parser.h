/* vidflow: the C ABI of custom output parsers for vfinfer (as nvinfer's custom-lib).
 *
 * A custom parser turns a model's raw output tensors into objects (a detector) or class results
 * (a classifier) when none of the built-in parsers (ssd, blazeface, yolov5, yolov8, classifier)
 * fits. It lives in a shared library that exports one function:
 *
 *   const VfCustomParser *vf_custom_parser_v1(const char *name);
 *
 * returning the parser called `name` (one library may hold several), or NULL when it has none of
 * that name. The config selects it:
 *
 *   parser: my-detector          # the name passed to vf_custom_parser_v1
 *   custom-lib: libmyparser.so   # a path (relative to the config) or a name on the loader path
 *   custom-params: "anything"    # optional text handed to the parser (VfParserContext.params)
 *
 * What vidflow does around it: it slices the batch, so the parser always sees ONE frame's outputs
 * (the batch dimension removed); outputs are float32 (other output types are refused at start).
 * After parse(), vidflow drops objects below their class threshold, runs per-class NMS (unless the
 * parser sets VF_CUSTOM_PARSER_FLAG_NMS_DONE), keeps top-k, attaches labels and maps boxes from
 * model-input pixels to frame pixels (undoing letterbox/stretch).
 *
 * Threads: create/destroy run on the thread that starts the element; parse() runs on a streaming
 * thread. One state is never used by two threads at once; different states may be.
 *
 * This header needs only the C standard library; no GLib, no GStreamer. tests/custom-parser/ has
 * a complete example. */
#ifndef VIDFLOW_INFER_PARSER_H
#define VIDFLOW_INFER_PARSER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VF_CUSTOM_PARSER_ABI 1
#define VF_CUSTOM_PARSER_ENTRY "vf_custom_parser_v1"

/* One output tensor of one frame (all pointers owned by vidflow, valid during the call). */
typedef struct {
  const char *name;     /* the model's output name */
  int32_t ndim;         /* without the batch dimension */
  const int64_t *shape; /* ndim entries */
  const float *data;    /* dense, row-major */
} VfParserTensor;

/* One result written by parse(). */
typedef struct {
  int32_t class_id;
  float confidence;               /* 0..1 */
  float left, top, width, height; /* detectors: model-input pixels; classifiers: ignored */
} VfParserObject;

/* What the parser knows about its setting (owned by vidflow, valid until destroy). */
typedef struct {
  uint32_t input_width, input_height; /* model input, pixels */
  int32_t num_classes;                /* from the labels file or num-classes; 0: unknown */
  const char *const *labels;          /* num_classes entries, or NULL */
  const float *thresholds;            /* per class (num_classes entries), or NULL */
  float threshold;                    /* the default threshold */
  float nms_iou;
  int32_t top_k;
  const char *params; /* custom-params, or NULL */
} VfParserContext;

enum {
  VF_CUSTOM_PARSER_OBJECTS = 0, /* a detector: objects with boxes */
  VF_CUSTOM_PARSER_CLASSES = 1, /* a classifier: class results, boxes ignored */
};

enum {
  VF_CUSTOM_PARSER_FLAG_NMS_DONE = 1u << 0, /* parse() already suppressed overlaps */
};

typedef struct {
  uint32_t abi_version; /* VF_CUSTOM_PARSER_ABI */
  uint32_t struct_size; /* sizeof(VfCustomParser) */
  const char *name;
  uint32_t kind;  /* VF_CUSTOM_PARSER_OBJECTS or VF_CUSTOM_PARSER_CLASSES */
  uint32_t flags; /* VF_CUSTOM_PARSER_FLAG_* */

  /* Optional. Make per-element state (e.g. from ctx->params) at start. Return the state; to fail,
   * return NULL after writing a message into `error` (error_size bytes, NUL-terminated). A NULL
   * return with an empty message means "no state". */
  void *(*create)(const VfParserContext *ctx, char *error, size_t error_size);

  /* Required. Parse one frame: write up to max_objects results into `objects` and return how
   * many were found. A return above max_objects means "more space needed": vidflow calls again
   * with a buffer of at least that size. Return -1 on error with a message in `error`. */
  int32_t (*parse)(void *state, const VfParserContext *ctx, const VfParserTensor *outputs,
                   int32_t n_outputs, VfParserObject *objects, int32_t max_objects, char *error,
                   size_t error_size);

  /* Optional. Free the state made by create. */
  void (*destroy)(void *state);
} VfCustomParser;

/* The signature of the exported entry point. */
typedef const VfCustomParser *(*VfCustomParserEntry)(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* VIDFLOW_INFER_PARSER_H */
