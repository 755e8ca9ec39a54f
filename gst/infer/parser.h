/* vidflow infer: output parsers, model output tensors -> detections or class results.
 *
 * One file per parser (parser-ssd.c, parser-blazeface.c, parser-yolo.c, parser-classifier.c,
 * parser-custom.c for shared libraries through include/vidflow/infer-parser.h); this file holds
 * what they share. A parser is made once per engine: prepare() checks the model's outputs
 * against the config (so a mismatch is an error at start), parse() then runs per frame on that
 * frame's outputs (batch dimension removed) and writes boxes in model-input pixels. */
#pragma once

#include <math.h>

#include "backend.h"
#include "config.h"
#include "detections.h"

G_BEGIN_DECLS

typedef enum { VF_PARSER_DETECTOR, VF_PARSER_CLASSIFIER } VfParserKind;

typedef struct _VfParser VfParser;
struct _VfParser {
  const char *name;
  VfParserKind kind;
  const VfInferConfig *config; /* (transfer none) */
  guint input_width, input_height;
  gint num_classes;   /* known after prepare (0: unknown) */
  gfloat *thresholds; /* num_classes entries after prepare */

  /* Check the outputs (shapes without the batch dimension, in output-names order) and learn
   * num_classes. Errors name the config key at fault. */
  gboolean (*prepare)(VfParser *self, const VfInferTensorInfo *outputs, guint n, GError **error);
  /* Parse one frame's outputs (same order as in prepare) into result. */
  gboolean (*parse)(VfParser *self, const VfInferTensor *outputs, guint n, VfInferResult *result,
                    GError **error);
  void (*finalize)(VfParser *self);
};

/* The parser the config names (built-in or custom) for a model input of width x height
 * (transfer full). */
VfParser *vf_parser_new(const VfInferConfig *config, guint input_width, guint input_height,
                        GError **error);
gboolean vf_parser_prepare(VfParser *parser, const VfInferTensorInfo *outputs, guint n,
                           GError **error);
/* Parse into result (its detections and classes are replaced), then fill labels; detectors'
 * boxes stay in model pixels. */
gboolean vf_parser_parse(VfParser *parser, const VfInferTensor *outputs, guint n,
                         VfInferResult *result, GError **error);
void vf_parser_free(VfParser *parser);

/* --- for parser implementations --- */

/* Allocate a parser struct of `size` bytes (>= sizeof(VfParser)) with the common fields set. */
gpointer vf_parser_alloc(gsize size, const char *name, VfParserKind kind,
                         const VfInferConfig *config, guint input_width, guint input_height);
/* Set num_classes and fill the per-class thresholds. Checks the labels count against
 * `model_classes` (what the model outputs; 0: unknown): an error naming the labels file when they
 * differ. `what` describes where the count came from ("output 'scores' [1917,24]"). */
gboolean vf_parser_set_classes(VfParser *parser, gint model_classes, const char *what,
                               GError **error);
/* The activation to use: the config's, or `fallback` when the config says auto. */
VfInferActivation vf_parser_activation(const VfParser *parser, VfInferActivation fallback);
/* Element count of a tensor shape. */
gsize vf_shape_size(const gint64 *shape, guint ndim);

static inline gfloat vf_sigmoid(gfloat x)
{
  return 1.f / (1.f + expf(-x));
}
/* In-place softmax over n values. */
void vf_softmax(gfloat *v, guint n);

/* Constructors of the built-in and custom parsers. */
VfParser *vf_parser_ssd_new(const VfInferConfig *config, guint w, guint h, GError **error);
VfParser *vf_parser_blazeface_new(const VfInferConfig *config, guint w, guint h, GError **error);
VfParser *vf_parser_yolo_new(const VfInferConfig *config, guint w, guint h, gint version,
                             GError **error);
VfParser *vf_parser_classifier_new(const VfInferConfig *config, guint w, guint h, GError **error);
VfParser *vf_parser_custom_new(const VfInferConfig *config, guint w, guint h, GError **error);

/* BlazeFace anchors (MediaPipe face_detection_front: strides 8,16,16,16, 2 anchors per cell at
 * stride 8 and 6 at stride 16) for a w x h input: n (x, y) centres, normalised (transfer full). */
gfloat *vf_blazeface_anchors(guint w, guint h, guint *n);

G_END_DECLS
