/* vidflow infer: secondary classifier results cached per tracked object (as nvinfer does for
 * objects a tracker follows).
 *
 * In secondary mode a classifier's result for an object with a tracker id is kept, per (source,
 * object id), and given again on that track's later frames instead of running the model; it is
 * redone when secondary-reinfer-interval frames have passed since (0: never by time), or when
 * the object's box area grew by more than secondary-reinfer-growth (0.2: 20%; 0: never by size),
 * as a bigger view gives a better answer. (vfinfer keeps only results with a class: an object
 * the classifier was not sure about is classified again on its next frame.) Entries of tracks not
 * seen for a while (the larger of VF_INFER_TRACK_CACHE_FORGET frames and twice the interval) are
 * dropped, and those of a source when it ends; a flush drops them all.
 *
 * Threads: one thread at a time (vfinfer's streaming thread). */
#pragma once

#include "detections.h"

G_BEGIN_DECLS

#define VF_INFER_TRACK_CACHE_FORGET 300

typedef struct _VfInferTrackCache VfInferTrackCache;

VfInferTrackCache *vf_infer_track_cache_new(guint reinfer_interval, gdouble reinfer_growth);
void vf_infer_track_cache_free(VfInferTrackCache *cache);

/* (transfer none, nullable) the classes kept for track (source_id, object_id) when they are
 * still good at `frame` for a box of `area` pixels, else NULL (classify it again). Valid until
 * the next store, forget or sweep. */
const GArray *vf_infer_track_cache_lookup(VfInferTrackCache *cache, guint source_id,
                                          guint64 object_id, guint64 frame, gdouble area);
/* Keep `classes` (VfInferClass, copied) for the track, classified at `frame` with a box of
 * `area`. */
void vf_infer_track_cache_store(VfInferTrackCache *cache, guint source_id, guint64 object_id,
                                guint64 frame, gdouble area, const GArray *classes);
/* Drop a source's entries (it ended or was removed) / every entry (a flush). */
void vf_infer_track_cache_forget_source(VfInferTrackCache *cache, guint source_id);
void vf_infer_track_cache_clear(VfInferTrackCache *cache);
/* Drop the entries of tracks not seen lately (call now and then). */
void vf_infer_track_cache_sweep(VfInferTrackCache *cache);
guint vf_infer_track_cache_size(const VfInferTrackCache *cache);

G_END_DECLS
