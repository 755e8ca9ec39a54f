/* vidflow: what the tracker (vftracker, nvtracker's equivalent) puts in the metadata, and the C
 * ABI of custom trackers (vftracker's ll-lib-file).
 *
 * 1. Output metadata (include/vidflow/meta.h). On every object vftracker tracks:
 *    - vf_object_meta_get_object_id: the track's id, a 64-bit number unique within its source
 *      (the frame's source id) and never reused there: not after the track ends, not after a
 *      flush, not when the source is removed and a source with the same id comes back. Ids start
 *      at 1. Objects that no confirmed track owns keep VF_OBJECT_UNTRACKED.
 *    - vf_object_meta_get_tracker_bbox / _get_tracker_confidence: the tracker's box (smoothed by
 *      the motion model: it may differ from the detector's box, which stays as it was) and its
 *      confidence in 0..1.
 *    - Predicted objects: on frames the detector skipped (vfinfer interval=N marks them with frame
 *      user meta VF_FRAME_META_INFER_SKIPPED; predict-skipped=true), vftracker adds one object per
 *      confirmed track at its predicted place, and so it does for a track that missed its
 *      detection, on its first predict-lost missed frames (default 2): detector box empty (width
 *      0), detector confidence 0, and object user meta VF_TRACKER_META_PREDICTED (a
 *      VfTrackerObjectInfo). Objects that carry a detection have no such user meta.
 *    - Shadow tracks (output-shadow-tracks=true): confirmed tracks that missed their detection
 *      for more than predict-lost frames but are kept (lost, within max-lost frames) are listed
 *      in frame user meta VF_TRACKER_META_SHADOWS (a VfTrackerShadowList, present on every frame,
 *      empty when there are none), with their predicted boxes; they are not objects of the
 *      frame.
 *
 * 2. Custom trackers. A shared library exports one function:
 *
 *      const VfTracker *vf_tracker_v1(void);
 *
 *    and vftracker uses it instead of the built-in trackers when ll-lib-file names the library;
 *    ll-config-file is then handed to the library's create() untouched (vftracker does not read
 *    it). vftracker keeps one stream state per source: stream_new when a source's first frame
 *    arrives, stream_free when the source ends (vfmux's vf-source-eos / vf-source-removed
 *    events), on a flush (a new stream_new follows) and at stop. For each frame, process() gets
 *    the frame's detections (the objects of the frame without a parent, in frame order) and
 *    returns the tracks to report. What vftracker does with them:
 *    - detection >= 0 and state CONFIRMED: that object gets the id, the tracker box and the
 *      confidence; detections no confirmed track owns stay VF_OBJECT_UNTRACKED;
 *    - detection < 0 and state CONFIRMED on a frame the detector skipped (frame->detected == 0):
 *      a predicted object is added (predict-skipped);
 *    - state LOST with misses <= predict-lost: a predicted object is added; with more misses: a
 *      shadow track (when output-shadow-tracks is on);
 *    - TENTATIVE tracks, and CONFIRMED ones without a detection on a detected frame, are not
 *      reported.
 *    Ids must be >= the stream's first_id, below VF_TRACKER_NO_ID, unique among the stream's
 *    tracks and never reused in the stream; vftracker checks the first two and posts an element
 *    error naming the library otherwise. plugins/tracker-sample/ is a complete example.
 *
 *    Threads: create/destroy run on the thread that starts/stops the element; stream_new,
 *    stream_free and process run on the streaming thread, one call at a time per tracker.
 *    Errors: a function that fails writes a NUL-terminated message into `error` (error_size
 *    bytes); vftracker posts it as an element error naming the library.
 *
 * This header needs only the C standard library; no GLib, no GStreamer. */
#ifndef VIDFLOW_TRACKER_H
#define VIDFLOW_TRACKER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- metadata ---- */

/* Frame user meta, any data (vftracker only tests for it): the detector did not run on this
 * frame, so it has no detections; the tracker predicts instead of counting misses. */
#define VF_FRAME_META_INFER_SKIPPED "vf-infer-skipped"
/* Object user meta on predicted objects: a VfTrackerObjectInfo. */
#define VF_TRACKER_META_PREDICTED "vf-tracker-predicted"
/* Frame user meta: a VfTrackerShadowList. */
#define VF_TRACKER_META_SHADOWS "vf-tracker-shadows"

/* Track states, as process() reports them. */
typedef enum {
  VF_TRACK_TENTATIVE = 0, /* born, not confirmed yet (min-hits): not reported */
  VF_TRACK_CONFIRMED = 1, /* tracked */
  VF_TRACK_LOST = 2,      /* confirmed, missed its detection lately, kept for max-lost frames */
} VfTrackState;

typedef struct {
  uint32_t state;  /* VfTrackState */
  uint32_t age;    /* frames since the track was born */
  uint32_t misses; /* frames since it last had a detection */
} VfTrackerObjectInfo;

typedef struct {
  uint64_t id;
  int32_t class_id;
  float left, top, width, height; /* predicted box, frame pixels as stored in the batch */
  float confidence;               /* tracker confidence */
  uint32_t misses;                /* frames since it last had a detection (>= 1) */
} VfTrackerShadow;

typedef struct {
  uint32_t n_shadows;
  VfTrackerShadow shadows[]; /* n_shadows entries */
} VfTrackerShadowList;

/* ---- the custom tracker ABI ---- */

#define VF_TRACKER_ABI 1
#define VF_TRACKER_ENTRY "vf_tracker_v1"
/* Not an id: the largest value is VF_OBJECT_UNTRACKED of meta.h. */
#define VF_TRACKER_NO_ID UINT64_MAX

/* One detection handed to process() (owned by vftracker, valid during the call). */
typedef struct {
  float left, top, width, height; /* the detector's box, frame pixels as stored in the batch */
  float confidence;               /* the detector's confidence, 0..1 */
  int32_t class_id;
  const char *label;    /* (nullable) the object's label, valid for the process's life */
  int32_t component_id; /* the detector that made it (vfinfer's unique-id) */
} VfTrackerDetection;

/* The frame being tracked (owned by vftracker, valid during the call). */
typedef struct {
  uint32_t source_id;
  uint64_t frame_number; /* within the source, counted from 0; only increases */
  int64_t pts;           /* nanoseconds, -1 when unknown */
  uint32_t width, height;
  int32_t detected; /* 1: the detector ran (the detections are all it found); 0: it skipped the
                     * frame (no detections: predict) */
} VfTrackerFrame;

/* One track reported by process() (owned by the library, valid until the next call on that
 * stream). */
typedef struct {
  uint64_t id;
  int32_t detection;              /* index of the detection it owns in this frame, -1: none */
  uint32_t state;                 /* VfTrackState */
  float left, top, width, height; /* the tracker's box */
  float confidence;               /* 0..1 */
  int32_t class_id;
  const char *label;    /* (nullable) and component_id: those of the detection it last took */
  int32_t component_id; /* (vftracker names predicted objects with them) */
  uint32_t age;         /* frames since the track was born */
  uint32_t misses;      /* frames since it last had a detection (0 when detection >= 0) */
} VfTrackerTrack;

typedef struct {
  uint32_t abi_version; /* VF_TRACKER_ABI */
  uint32_t struct_size; /* sizeof(VfTracker) */
  const char *name;     /* for messages */

  /* Required. The tracker, from its configuration file (config_path is NULL when ll-config-file
   * is not set). NULL with a message in `error` to refuse. */
  void *(*create)(const char *config_path, char *error, size_t error_size);
  /* Required. Frees what create made (streams are freed before). */
  void (*destroy)(void *tracker);
  /* Required. State for one source whose ids start at first_id. NULL with a message to fail. */
  void *(*stream_new)(void *tracker, uint32_t source_id, uint64_t first_id, char *error,
                      size_t error_size);
  /* Required. */
  void (*stream_free)(void *tracker, void *stream);
  /* Required. Track one frame of the stream: set *tracks to the tracks to report (an array the
   * library owns) and return how many; -1 with a message on error. */
  int32_t (*process)(void *tracker, void *stream, const VfTrackerFrame *frame,
                     const VfTrackerDetection *detections, int32_t n_detections,
                     const VfTrackerTrack **tracks, char *error, size_t error_size);
} VfTracker;

/* The signature of the exported entry point. */
typedef const VfTracker *(*VfTrackerEntry)(void);

#ifdef __cplusplus
}
#endif

#endif /* VIDFLOW_TRACKER_H */
