/* vidflow plugin: the smart-record core shared by vfurisrcbin (fed by its parser, before the
 * decoder) and the vfsmartrecord element (fed by its sink pad).
 *
 * A ring of the encoded stream (buffer references, no copy, no re-encode) that always starts at a
 * key frame and spans at least `cache` (at most cache + one GOP, and never more than max-bytes).
 * start() opens a clip: from the last key frame at or before (now - before) up to (now +
 * duration); the frames cached since then go to it at once, later frames as they come. Each clip
 * is written by a small pipeline of its own (appsrc ! parser ! mp4mux|matroskamux ! filesink)
 * into "<name>.part", renamed "<name>" once the muxer finalised it; then the owner posts
 * VF_RECORDING_DONE (vidflow/record.h). A clip ends when its duration is reached, on stop(), when
 * the stream ends, when its caps change, or when the owner stops (finish()): every clip is
 * finalised in each case.
 *
 * Timeline: the recorder's times are the stream's timestamps made continuous: after a flush, a
 * new segment (a file that loops) or new caps (a source that reconnected), the next frame
 * follows the last one, so "now" and durations never jump back.
 *
 * Threads: caps/segment/buffer/end from the owner's streaming thread; start/stop from any thread
 * (application, REST server, a probe on another streaming thread): they never block on the
 * stream. One thread per core finalises clips (sets their pipeline to NULL, renames, posts).
 * Lock order: the core's lock only (writer pipelines are changed outside it). */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef enum {
  VF_SR_CONTAINER_MP4 = 0,
  VF_SR_CONTAINER_MKV = 1,
} VfSrContainer;

#define VF_TYPE_SR_CONTAINER (vf_sr_container_get_type())
GType vf_sr_container_get_type(void);

/* Defaults of the smart-rec-* properties (DeepStream's names). */
#define VF_SR_DEFAULT_CACHE 20             /* seconds */
#define VF_SR_DEFAULT_DURATION 10          /* seconds, when start() gives 0 */
#define VF_SR_DEFAULT_MAX_BYTES (64 << 20) /* the ring's bound */
#define VF_SR_DEFAULT_PREFIX "Smart_Record"
/* How long finish() waits for a clip's muxer to finalise it. */
#define VF_SR_FINISH_TIMEOUT (10 * G_TIME_SPAN_SECOND)

typedef struct {
  guint cache_s;
  guint64 max_bytes;
  VfSrContainer container;
  const char *dir;    /* (nullable) NULL: the current folder */
  const char *prefix; /* file names: <prefix>_<session>_<date-time>.mp4 */
  guint default_duration_s;
} VfSrConfig;

typedef struct _VfSrCore VfSrCore;

/* `owner` (transfer none, must outlive the core) posts the messages; `source_id` and
 * `sensor_id` read from its properties of these names when it has them. */
VfSrCore *vf_sr_core_new(GstElement *owner);
/* finish() + frees. NULL is ignored. */
void vf_sr_core_free(VfSrCore *core);
/* Copied; applies to clips started afterwards (the ring's bounds at once). */
void vf_sr_core_configure(VfSrCore *core, const VfSrConfig *config);

/* ---- the stream (owner's streaming thread) ---- */
/* Caps of the encoded stream (transfer none). Other caps than before end the open clips and
 * empty the ring. */
void vf_sr_core_caps(VfSrCore *core, GstCaps *caps);
/* A flush or a new segment: the next frame continues the timeline. */
void vf_sr_core_discont(VfSrCore *core);
/* One encoded frame (transfer none: the ring takes a reference). */
void vf_sr_core_buffer(VfSrCore *core, GstBuffer *buffer);
/* The stream ended (or the source went away): open clips end and are finalised (not waited
 * for), the ring empties. `reason` goes into the messages ("source-ended"). */
void vf_sr_core_end(VfSrCore *core, const char *reason);

/* ---- control (any thread) ---- */
/* Opens a clip from `before_s` seconds before now for `duration_s` seconds after now (0: the
 * default duration). A clip that is open already is extended instead (same session). Returns
 * the session id (> 0), or 0 with *error set (no stream yet, a codec no container takes, the
 * folder cannot be written). When no key frame is cached yet, the clip starts at the next. */
guint vf_sr_core_start(VfSrCore *core, guint before_s, guint duration_s, GError **error);
/* Ends clip `session` now (0: the open one). FALSE with *error when no such clip is open. */
gboolean vf_sr_core_stop(VfSrCore *core, guint session, GError **error);
/* Ends every open clip and returns once each was finalised (at most VF_SR_FINISH_TIMEOUT each);
 * also empties the ring. For the owner's PAUSED->READY and teardown. */
void vf_sr_core_finish(VfSrCore *core, const char *reason);
/* What the ring holds now (for tests and stats). */
void vf_sr_core_get_stats(VfSrCore *core, GstClockTime *cached, guint64 *bytes, guint *frames);

G_END_DECLS
