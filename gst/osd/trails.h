/* vidflow osd: short trails of tracked objects (where each track's box bottom centre was over its
 * last frames), for vfosd's display-trails.
 *
 * Points are kept per (source, object id), at most `length` per track; a track not seen for
 * `length` frames of its source is forgotten. Threads: one thread at a time (vfosd's streaming
 * thread). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VfOsdTrails VfOsdTrails;

typedef struct {
  gfloat x, y;
} VfOsdPoint;

VfOsdTrails *vf_osd_trails_new(guint length);
void vf_osd_trails_free(VfOsdTrails *trails);
/* Add the point of track (source_id, id) at frame `frame` and return its trail, oldest point
 * first (transfer none, valid until the next call); *n receives the number of points. */
const VfOsdPoint *vf_osd_trails_add(VfOsdTrails *trails, guint source_id, guint64 id, guint64 frame,
                                    gfloat x, gfloat y, guint *n);
/* Forget the tracks of `source_id` not seen since `frame` - length. */
void vf_osd_trails_prune(VfOsdTrails *trails, guint source_id, guint64 frame);
/* Forget a source's tracks (it ended) / every track (a flush). */
void vf_osd_trails_forget_source(VfOsdTrails *trails, guint source_id);
void vf_osd_trails_clear(VfOsdTrails *trails);
guint vf_osd_trails_size(const VfOsdTrails *trails);

G_END_DECLS
