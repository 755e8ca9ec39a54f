/* vidflow: smart recording (DeepStream's Smart Video Record): clips of a source's encoded stream,
 * cut around an event without re-encoding.
 *
 * A recorder keeps a ring of the encoded frames of one source (H.264 or H.265, taken after the
 * parser, before the decoder): `smart-rec-cache` seconds starting at a key frame (the ring never
 * holds more than that plus one GOP, nor more than smart-rec-cache-max-bytes). Starting a
 * recording writes a clip from `seconds_before` seconds before now (moved back to the key frame
 * at or before it, so a clip may start up to one GOP earlier, or later when the ring does not
 * reach back that far) to `duration` seconds after now (0: smart-rec-default-duration); a start
 * while a clip is open extends that clip. Clips are MP4 (smart-rec-container=mp4, default) or
 * MKV files in smart-rec-dir-path named <smart-rec-file-prefix>_<source>_<session>_<date>.mp4,
 * written as "<name>.part" and renamed once the muxer finalised them. Every clip is finalised,
 * also when the source ends or is removed and when the pipeline stops; then its element posts a
 * VF_RECORDING_DONE element message, read with vf_recording_message_parse (or get it as a
 * callback with vf_pipeline_watch_recordings).
 *
 * Where recorders are:
 * - vfurisrcbin with smart-record=1 (or 2, DeepStream's values): its stream is teed after the
 *   parser, before the decoder. Dynamic sources (sources.h) pass smart-rec-* to each source and
 *   start/stop by sensor id (vf_sources_start_recording).
 * - the vfsmartrecord element, after a parser: ... ! h264parse ! vfsmartrecord smart-rec-cache=10
 * Both take start/stop through vf_pipeline_start_recording / vf_pipeline_stop_recording (by
 * element name), and through the REST server (rest.h).
 *
 * Threads: start and stop may be called from any thread, a probe's callback included (they do not
 * wait for the stream): "a person appeared" in a probe -> vf_sources_start_recording(...). */
#pragma once

#include <vidflow/pipeline.h>

G_BEGIN_DECLS

/* The element message posted when a clip is complete (or could not be written). Fields:
 * session (guint), path (string, absent on error), start (guint64 ns), duration (guint64 ns),
 * start-wallclock (gint64 µs since 1970), frames (guint), reason (string), error (string, only on
 * error), source-id (gint), sensor-id (string, when the element has one). */
#define VF_RECORDING_DONE "vf-recording-done"

typedef struct {
  const char *element;   /* the recording element (a vfurisrcbin or vfsmartrecord) */
  gint source_id;        /* its source-id, -1: none */
  const char *sensor_id; /* (nullable) its sensor-id */
  guint session;         /* as start returned it */
  const char *path;      /* (nullable) the finished file; NULL when it could not be written */
  /* Time of the clip's first frame on the source's timeline (its timestamps made continuous over
   * loops and reconnections: about the time since the source started). */
  GstClockTime start;
  GstClockTime duration;  /* from the first frame's start to the last frame's end */
  gint64 start_wallclock; /* when the first frame was received, µs since 1970 (g_get_real_time) */
  guint frames;           /* frames in the file */
  /* Why it ended: "duration", "stopped", "source-ended", "caps-changed", "shutdown". */
  const char *reason;
  const char *error; /* (nullable) why the clip could not be written */
} VfRecordingInfo;

/* TRUE, with *out filled, for a VF_RECORDING_DONE message; FALSE (out zeroed) otherwise. Strings
 * are (transfer none), valid while the message lives. Any thread. */
VF_API gboolean vf_recording_message_parse(GstMessage *message, VfRecordingInfo *out);

/* Start a recording on the recorder of element `element` (a vfurisrcbin with smart-record on, or
 * a vfsmartrecord): from `seconds_before` before now to `duration` seconds after now (0: its
 * default duration). *session (nullable) gets the clip's session id. FALSE with *error: no such
 * element, not a recorder, smart-record off, no stream yet, a codec the container does not take,
 * a folder that cannot be written. Any thread (see above). */
VF_API gboolean vf_pipeline_start_recording(VfPipeline *pipeline, const char *element,
                                            guint seconds_before, guint duration, guint *session,
                                            GError **error);
/* End clip `session` of `element` now (0: its open clip). FALSE with *error when none is open. */
VF_API gboolean vf_pipeline_stop_recording(VfPipeline *pipeline, const char *element, guint session,
                                           GError **error);

/* Called once per finished clip, on the pipeline's bus thread (a bus watch, pipeline.h), with
 * the info (transfer none, valid during the call). */
typedef struct {
  void (*on_recording)(VfPipeline *pipeline, const VfRecordingInfo *info, gpointer user_data);
  void (*destroy)(gpointer user_data); /* optional, as VfBusWatchCallbacks.destroy */
} VfRecordingCallbacks;

/* Watch the clips of every recorder of `pipeline`. Returns a bus watch id
 * (vf_pipeline_remove_bus_watch removes it), 0 with *error set. */
VF_API guint vf_pipeline_watch_recordings(VfPipeline *pipeline,
                                          const VfRecordingCallbacks *callbacks, gpointer user_data,
                                          GError **error);

G_END_DECLS
