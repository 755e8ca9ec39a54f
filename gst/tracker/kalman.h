/* vidflow tracker: a constant-velocity Kalman filter of a box (ByteTrack's / DeepSORT's).
 *
 * State: centre x, centre y, aspect ratio w/h, height, and their velocities per frame. Noise is
 * proportional to the box height (position_noise, velocity_noise: standard deviations as
 * fractions of it). The process and measurement noise being diagonal and the motion model moving
 * each coordinate by its own velocity, the 8x8 covariance stays block diagonal: four independent
 * 2x2 blocks (a coordinate and its velocity), which is what is kept here, exactly equivalent to
 * the full filter and a fraction of its cost. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gdouble x[8];    /* cx, cy, a, h, then their velocities */
  gdouble p[4][3]; /* per coordinate: variance of it, covariance with its velocity, variance of
                      the velocity */
} VfKalman;

/* Measurement noise of the aspect ratio, and process noise of it and of its velocity (fixed, as
 * in ByteTrack). */
#define VF_KALMAN_ASPECT_MEASURE_STD 1e-1
#define VF_KALMAN_ASPECT_STD 1e-2
#define VF_KALMAN_ASPECT_VELOCITY_STD 1e-5

/* box: left, top, width, height. */
static inline void vf_kalman_init(VfKalman *k, const gfloat *box, gdouble wp, gdouble wv)
{
  gdouble h = box[3];
  k->x[0] = box[0] + box[2] / 2.0;
  k->x[1] = box[1] + box[3] / 2.0;
  k->x[2] = box[3] > 0 ? box[2] / (gdouble)box[3] : 1.0;
  k->x[3] = h;
  for (int i = 4; i < 8; i++)
    k->x[i] = 0;
  gdouble sp[4] = { 2 * wp * h, 2 * wp * h, VF_KALMAN_ASPECT_STD, 2 * wp * h };
  gdouble sv[4] = { 10 * wv * h, 10 * wv * h, VF_KALMAN_ASPECT_VELOCITY_STD, 10 * wv * h };
  for (int i = 0; i < 4; i++) {
    k->p[i][0] = sp[i] * sp[i];
    k->p[i][1] = 0;
    k->p[i][2] = sv[i] * sv[i];
  }
}

/* One frame ahead. freeze_height: the height stops changing (a track not seen lately). */
static inline void vf_kalman_predict(VfKalman *k, gdouble wp, gdouble wv, gboolean freeze_height)
{
  if (freeze_height)
    k->x[7] = 0;
  gdouble h = k->x[3];
  gdouble sp[4] = { wp * h, wp * h, VF_KALMAN_ASPECT_STD, wp * h };
  gdouble sv[4] = { wv * h, wv * h, VF_KALMAN_ASPECT_VELOCITY_STD, wv * h };
  for (int i = 0; i < 4; i++) {
    gdouble *p = k->p[i];
    k->x[i] += k->x[i + 4];
    p[0] += 2 * p[1] + p[2] + sp[i] * sp[i];
    p[1] += p[2];
    p[2] += sv[i] * sv[i];
  }
}

/* Correct with a measured box (left, top, width, height). */
static inline void vf_kalman_update(VfKalman *k, const gfloat *box, gdouble wp)
{
  gdouble h = k->x[3];
  gdouble z[4] = { box[0] + box[2] / 2.0, box[1] + box[3] / 2.0,
                   box[3] > 0 ? box[2] / (gdouble)box[3] : k->x[2], box[3] };
  gdouble r[4] = { wp * h, wp * h, VF_KALMAN_ASPECT_MEASURE_STD, wp * h };
  for (int i = 0; i < 4; i++) {
    gdouble *p = k->p[i];
    gdouble s = p[0] + r[i] * r[i];
    gdouble k0 = p[0] / s, k1 = p[1] / s, y = z[i] - k->x[i];
    k->x[i] += k0 * y;
    k->x[i + 4] += k1 * y;
    p[2] -= k1 * p[1];
    p[1] *= 1 - k0;
    p[0] *= 1 - k0;
  }
}

/* The state's box: left, top, width, height. */
static inline void vf_kalman_box(const VfKalman *k, gfloat *box)
{
  gdouble h = MAX(k->x[3], 0.0), w = MAX(k->x[2], 0.0) * h;
  box[0] = (gfloat)(k->x[0] - w / 2);
  box[1] = (gfloat)(k->x[1] - h / 2);
  box[2] = (gfloat)w;
  box[3] = (gfloat)h;
}

G_END_DECLS
