/* vidflow infer: preprocessing, a frame (or a crop of it) to a model input in one pass.
 *
 * One call reads the source pixels once: bilinear resize (stretch or letterbox), colour
 * conversion (YUV -> RGB, channel order, grey), normalisation and layout (NCHW or NHWC), writing
 * float32. The geometry it used comes back as a VfPreprocessTransform so boxes found in model
 * pixels map back to frame pixels.
 *
 * The signature is device-neutral: a CUDA implementation (device pointers in VfImage.planes and
 * `dst`, image.device == VF_DEVICE_CUDA) can stand behind it later. Thread-safe (no state). */
#pragma once

#include <vidflow/format.h>
#include <vidflow/tensor.h>

#include "config.h"

G_BEGIN_DECLS

typedef enum {
  VF_YUV_MATRIX_AUTO = 0, /* BT.601 up to 576 lines, BT.709 above (GStreamer's guess) */
  VF_YUV_MATRIX_BT601,
  VF_YUV_MATRIX_BT709,
} VfYuvMatrix;

/* A frame in memory (transfer none: the caller keeps the planes alive during the call). */
typedef struct {
  VfColorFormat format; /* RGB, RGBA, BGR, BGRA, GRAY8, NV12 or I420 */
  guint width, height;
  const guint8 *planes[3]; /* packed/GRAY8: 1 plane; NV12: Y, UV; I420: Y, U, V */
  gsize strides[3];        /* row stride in bytes of each plane */
  VfYuvMatrix matrix;      /* NV12/I420, limited range */
  VfDevice device;         /* VF_DEVICE_CPU here; VF_DEVICE_CUDA: gst/cuda/cuda.h */
} VfImage;

/* A rectangle in frame pixels. */
typedef struct {
  gdouble x, y, width, height;
} VfInferRect;

/* The model input to produce. */
typedef struct {
  guint width, height, channels; /* channels: 1 (GRAY) or 3 */
  VfInferLayout layout;
  VfInferColorOrder color_order; /* GRAY for channels == 1 */
  VfInferScaling scaling;
  gfloat pad_value;              /* letterbox border, a pixel value before normalisation */
  gfloat scale, mean[3], std[3]; /* value = (pixel * scale - mean[c]) / std[c] */
} VfPreprocessParams;

/* model = (frame - roi) * scale + offset, per axis. */
typedef struct {
  gdouble scale_x, scale_y;   /* model pixels per frame pixel */
  gdouble offset_x, offset_y; /* model position of the roi's top-left corner (letterbox border) */
  gdouble roi_x, roi_y;       /* frame position of the roi's top-left corner */
} VfPreprocessTransform;

/* What vf_preprocess checks and computes before it reads a pixel (shared with the CUDA path). */
typedef struct {
  gdouble rx, ry, rw, rh; /* the crop, clipped to the frame */
  guint nw, nh, ox, oy;   /* the image area inside the model input (letterbox: centred) */
  gfloat mul[3], add[3];  /* value = pixel * mul[c] + add[c], model channel order */
  gfloat yuv[5];          /* NV12/I420 limited range -> RGB: y, rv, gu, gv, bu */
} VfPreprocessPlan;

/* Checks `image` (any device), `roi` and `params` as vf_preprocess does and fills *plan and
 * `transform` (nullable). */
gboolean vf_preprocess_plan(const VfImage *image, const VfInferRect *roi,
                            const VfPreprocessParams *params, VfPreprocessPlan *plan,
                            VfPreprocessTransform *transform, GError **error);

/* Fill params from a config and the model input size. */
void vf_preprocess_params_from_config(VfPreprocessParams *params, const VfInferConfig *config,
                                      guint width, guint height, guint channels);

/* Frame `image`, or its crop `roi` (nullable: the whole frame; clipped to the frame), into one
 * model input sample at `dst` (width * height * channels floats). `transform` (nullable) gets
 * the geometry. FALSE with VF_ERROR_ARGUMENT/FORMAT for a bad image, params or an empty crop. */
gboolean vf_preprocess(const VfImage *image, const VfInferRect *roi,
                       const VfPreprocessParams *params, gfloat *dst,
                       VfPreprocessTransform *transform, GError **error);

/* Model pixels -> frame pixels. */
void vf_preprocess_transform_to_frame(const VfPreprocessTransform *t, gdouble mx, gdouble my,
                                      gdouble *fx, gdouble *fy);

G_END_DECLS
