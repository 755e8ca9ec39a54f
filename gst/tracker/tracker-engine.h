/* vidflow tracker: the engine behind vftracker, without GStreamer. One tracker (a built-in one,
 * or a custom library through include/vidflow/tracker.h) and one stream state per source.
 *
 * Ids: each source id has its own counter that survives its stream state: a stream made after a
 * flush or after the source came back starts above every id the source has had, so ids are
 * never reused within a source. Tracks a custom library reports are checked against that
 * (an id below the stream's first id, or VF_TRACKER_NO_ID, is an error).
 *
 * Threads: one thread at a time per engine (vftracker: the streaming thread; new/free on the
 * thread that starts/stops the element). */
#pragma once

#include "tracker-config.h"

#include <vidflow/error.h>
#include <vidflow/tracker.h>

G_BEGIN_DECLS

typedef struct _VfTrackerEngine VfTrackerEngine;

/* The built-in tracker cfg->algorithm; cfg (transfer none) must outlive the engine. */
VfTrackerEngine *vf_tracker_engine_new(const VfTrackerConfig *cfg);
/* A custom tracker from the shared library at `lib_path` (a path, or a name the loader finds),
 * created with `config_path` (nullable). NULL with VF_ERROR_NOT_FOUND (no such library),
 * VF_ERROR_VALUE (no vf_tracker_v1, wrong ABI version or struct size, a missing function) or
 * VF_ERROR_FAILED (create() refused), the message naming the library. */
VfTrackerEngine *vf_tracker_engine_new_from_library(const char *lib_path, const char *config_path,
                                                    GError **error);
void vf_tracker_engine_free(VfTrackerEngine *engine);

/* (transfer none) "iou", "bytetrack" or the library's name. */
const char *vf_tracker_engine_get_name(const VfTrackerEngine *engine);

/* Track one frame of source frame->source_id (its stream state is made on its first frame). *tracks
 * (owned by the engine, valid until the next call) receives *n_tracks tracks. FALSE with
 * VF_ERROR_STREAM when a custom tracker fails or breaks the id rules. */
gboolean vf_tracker_engine_process(VfTrackerEngine *engine, const VfTrackerFrame *frame,
                                   const VfTrackerDetection *detections, guint n_detections,
                                   const VfTrackerTrack **tracks, guint *n_tracks, GError **error);

/* Free the state of one source (it ended or was removed); its id counter stays. FALSE when it
 * had none. */
gboolean vf_tracker_engine_remove_source(VfTrackerEngine *engine, guint source_id);
/* Free every source's state (a flush); the id counters stay. */
void vf_tracker_engine_reset(VfTrackerEngine *engine);
/* Sources with a state now. */
guint vf_tracker_engine_get_n_streams(const VfTrackerEngine *engine);
/* Tracks alive in a source's state (built-in trackers; 0 for a custom one or no state). */
guint vf_tracker_engine_get_n_tracks(const VfTrackerEngine *engine, guint source_id);

G_END_DECLS
