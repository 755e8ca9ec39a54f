/* A sample vfinfer custom parser library (see include/vidflow/infer-parser.h).
 *
 * Two parsers:
 *   decoded-boxes  a detector for models that output boxes already decoded, one output
 *                  [rows, 6] = (x0, y0, x1, y1, score, class); coordinates normalised to 0..1,
 *                  or model pixels with custom-params "coords=pixels"
 *   argmax         a classifier: the best class of a [classes] output
 * Plain C, no GLib: what a user's parser looks like. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vidflow/infer-parser.h>

#define EXPORT __attribute__((visibility("default")))

typedef struct {
  int pixels; /* coordinates are model pixels rather than normalised */
} BoxesState;

static void *boxes_create(const VfParserContext *ctx, char *error, size_t error_size)
{
  BoxesState *s = calloc(1, sizeof *s);
  if (s == NULL)
    return NULL;
  if (ctx->params != NULL && *ctx->params != '\0') {
    if (strcmp(ctx->params, "coords=pixels") == 0)
      s->pixels = 1;
    else if (strcmp(ctx->params, "coords=normalized") != 0) {
      snprintf(error, error_size, "unknown custom-params '%s' (coords=pixels or coords=normalized)",
               ctx->params);
      free(s);
      return NULL;
    }
  }
  return s;
}

static int32_t boxes_parse(void *state, const VfParserContext *ctx, const VfParserTensor *outputs,
                           int32_t n_outputs, VfParserObject *objects, int32_t max_objects,
                           char *error, size_t error_size)
{
  const BoxesState *s = state;
  if (n_outputs < 1 || outputs[0].ndim != 2 || outputs[0].shape[1] != 6) {
    snprintf(error, error_size, "decoded-boxes wants one output [rows, 6]");
    return -1;
  }
  float sx = s->pixels ? 1.f : (float)ctx->input_width;
  float sy = s->pixels ? 1.f : (float)ctx->input_height;
  int32_t found = 0;
  for (int64_t i = 0; i < outputs[0].shape[0]; i++) {
    const float *r = outputs[0].data + i * 6;
    if (r[4] <= 0.f) /* padding rows */
      continue;
    if (found < max_objects) {
      VfParserObject *o = &objects[found];
      o->class_id = (int32_t)r[5];
      o->confidence = r[4];
      o->left = r[0] * sx;
      o->top = r[1] * sy;
      o->width = (r[2] - r[0]) * sx;
      o->height = (r[3] - r[1]) * sy;
    }
    found++; /* counted even without room: vidflow calls again with more */
  }
  return found;
}

static void boxes_destroy(void *state)
{
  free(state);
}

static int32_t argmax_parse(void *state, const VfParserContext *ctx, const VfParserTensor *outputs,
                            int32_t n_outputs, VfParserObject *objects, int32_t max_objects,
                            char *error, size_t error_size)
{
  (void)state;
  (void)ctx;
  if (n_outputs < 1 || outputs[0].ndim < 1) {
    snprintf(error, error_size, "argmax wants an output of class scores");
    return -1;
  }
  int64_t n = 1;
  for (int32_t d = 0; d < outputs[0].ndim; d++)
    n *= outputs[0].shape[d];
  int64_t best = 0;
  for (int64_t i = 1; i < n; i++)
    if (outputs[0].data[i] > outputs[0].data[best])
      best = i;
  if (max_objects >= 1) {
    memset(&objects[0], 0, sizeof objects[0]);
    objects[0].class_id = (int32_t)best;
    objects[0].confidence = outputs[0].data[best];
  }
  return 1;
}

static const VfCustomParser parsers[] = {
  {
      .abi_version = VF_CUSTOM_PARSER_ABI,
      .struct_size = sizeof(VfCustomParser),
      .name = "decoded-boxes",
      .kind = VF_CUSTOM_PARSER_OBJECTS,
      .create = boxes_create,
      .parse = boxes_parse,
      .destroy = boxes_destroy,
  },
  {
      .abi_version = VF_CUSTOM_PARSER_ABI,
      .struct_size = sizeof(VfCustomParser),
      .name = "argmax",
      .kind = VF_CUSTOM_PARSER_CLASSES,
      .flags = VF_CUSTOM_PARSER_FLAG_NMS_DONE,
      .parse = argmax_parse,
  },
};

EXPORT const VfCustomParser *vf_custom_parser_v1(const char *name)
{
  for (size_t i = 0; i < sizeof parsers / sizeof parsers[0]; i++)
    if (name != NULL && strcmp(parsers[i].name, name) == 0)
      return &parsers[i];
  return NULL;
}
