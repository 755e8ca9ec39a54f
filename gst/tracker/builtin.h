/* vidflow tracker: the built-in trackers, iou and bytetrack, one stream (source) at a time.
 *
 * Both keep the same track life: a detection of at least birth-threshold that no track takes
 * starts a TENTATIVE track; min-hits consecutive frames with a detection confirm it and give it
 * the stream's next id; a confirmed track that misses its detection is LOST (kept, its box
 * predicted) and ends after max-lost frames without one; a tentative track that misses one ends
 * at once. They differ in how tracks and detections are matched:
 * - iou: no motion model (a track's box is its last detection); every detection of at least
 *   low-threshold against every track, greedily by IoU, at least iou-threshold;
 * - bytetrack: a Kalman filter per track predicts its box; then (1) detections of at least
 *   high-threshold against the confirmed and lost tracks, (2) the other detections (from
 *   low-threshold) against the confirmed tracks left, (3) the high detections left against the
 *   tentative tracks, each an optimal (Hungarian) assignment on IoU (x confidence with
 *   fuse-score). (ByteTrack also drops a lost track that overlaps a tracked one; not here: that
 *   is what the one behind does at a crossing.)
 * Tracker confidence: the last detection's confidence, scaled down by (1 - misses / (max-lost +
 * 1)) while the track is lost or predicted.
 *
 * Threads: a stream is used by one thread at a time; streams are independent. */
#pragma once

#include "tracker-config.h"

#include <vidflow/tracker.h>

G_BEGIN_DECLS

typedef struct _VfTrackStream VfTrackStream;

/* cfg (transfer none) must outlive the stream. Ids start at first_id. */
VfTrackStream *vf_track_stream_new(const VfTrackerConfig *cfg, guint64 first_id);
void vf_track_stream_free(VfTrackStream *stream);

/* Track one frame; *tracks (owned by the stream, valid until the next call) receives the tracks
 * to report: confirmed ones (with their detection, or predicted on a frame the detector skipped)
 * and lost ones. Returns how many. */
guint vf_track_stream_process(VfTrackStream *stream, const VfTrackerFrame *frame,
                              const VfTrackerDetection *detections, guint n_detections,
                              const VfTrackerTrack **tracks);

/* Tracks alive (tentative, confirmed and lost), for tests and statistics. */
guint vf_track_stream_get_n_tracks(const VfTrackStream *stream);

G_END_DECLS
