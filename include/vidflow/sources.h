/* vidflow: VfSources, URI sources added to and removed from a running pipeline (DeepStream's
 * nvmultiurisrcbin: sources owned by one bin, feeding one muxer, controlled by sensor id).
 *
 *   VfSources *s = vf_pipeline_attach_sources(p, "mux", NULL, &err);  // the pipeline owns it
 *   vf_sources_add(s, "rtsp://10.0.0.5/stream", "cam1", "Front door", NULL, &err);
 *   vf_pipeline_start(p, &err);
 *   vf_sources_add(s, "/videos/b.mp4", "cam2", NULL, NULL, &err);      // while it runs
 *   vf_sources_remove(s, "cam1", &err);                                // drained, then freed
 *
 * Each source is a vfurisrcbin (named "<mux>-src<id>", or as the Flow names it) linked to a new
 * sink pad sink_<id> of the vfmux `mux`; ids count up from 0 and are never reused in a pipeline,
 * so the id in each frame's metadata (and vfdemux's src_<id>) always means one source. The sensor
 * id and name go to the vfmux pad (every frame's metadata) and to the vfurisrcbin (its
 * recordings). A source added while the pipeline runs starts at the pipeline's current running
 * time (a pad offset), so batch timestamps never go back.
 *
 * Removing a source drains it: end of stream is sent into it, every frame it decoded still
 * reaches the batches, vfmux then announces its end downstream (VF_SOURCE_EOS, then
 * VF_SOURCE_REMOVED: vfdemux, trackers and message converters end that source's state) and on
 * the bus (source.h), and its elements are freed; the other sources never stop. Draining takes as
 * long as the frames it had decoded or queued take to leave the muxer (about 9 frames with
 * uridecodebin's queues and a threaded decoder: 0.3 s at 30 fps behind a syncing sink). A source
 * added while the pipeline runs prerolls on its own: the pipeline stays PLAYING. A source that
 * does not drain within VF_SOURCES_DRAIN_TIMEOUT (stalled camera, paused pipeline) is removed at
 * once (its frames still queued are dropped). A source whose stream ends by itself is removed the
 * same way once vfmux took its last frame.
 *
 * Batch size (vfmux batch-size): 0 makes every batch hold one frame of each live source, so it
 * follows the number of sources as they come and go (the caps' batch-size changes with it); a
 * fixed N makes batches of at most N frames, sources taking turns when there are more than N.
 * max_sources (below) bounds how many sources may be added (DeepStream's max-batch-size sets
 * both).
 *
 * Errors of a source (a URI that cannot be opened or decoded, an RTSP source that gave up
 * reconnecting) do not stop the pipeline: the source is removed and VF_SOURCE_MESSAGE_ERROR
 * (source.h) says what failed, unless it was the last source of a pipeline without keep_running:
 * then it is the pipeline's error, as for a plain source. Adding a sensor id that is there
 * already, removing an unknown one, a file that does not exist or a URI scheme nobody reads fail
 * at once with a GError, and nothing changes.
 *
 * End of the stream: with keep_running FALSE (the default) the pipeline ends (end of stream) when
 * its last source ended or was removed, as a static pipeline does. With keep_running TRUE
 * (DeepStream's drop-pipeline-eos) it keeps running without sources, waiting for new ones, until
 * the application ends it (vf_pipeline_send_eos, stop, Ctrl-C). For live cameras and a REST
 * server (rest.h) use keep_running and vfmux live-source=true (a new source is not waited for:
 * batches go out on time without it); a non-live vfmux waits for every source, new ones too.
 *
 * Threads: add, remove, list and get_info may be called from any application thread (the REST
 * server calls them from its own); never from a probe, feeder, receiver or bus-watch sync
 * callback (they change the pipeline). The recording calls may be called from any thread,
 * probes included. The VfSources belongs to its pipeline: it is valid until vf_pipeline_free. */
#pragma once

#include <vidflow/pipeline.h>
#include <vidflow/record.h>

G_BEGIN_DECLS

typedef struct _VfSources VfSources;

/* How long a removed source may take to drain before it is removed at once. */
#define VF_SOURCES_DRAIN_TIMEOUT (3 * GST_SECOND)

typedef struct {
  /* At most this many sources at a time (0: no limit); add() beyond it fails. */
  guint max_sources;
  /* TRUE: keep running when no source is left (see above). */
  gboolean keep_running;
  /* (nullable) vfurisrcbin property name/value pairs, NULL-terminated, set on every source, now
   * and later: "file-loop", "true", "smart-record", "1", "smart-rec-cache", "10", ... */
  const char *const *source_properties;
  /* (nullable) element names are "<prefix><id>" (default "<mux>-src"). */
  const char *name_prefix;
} VfSourcesConfig;

/* Manage the sources of vfmux `mux` (a vfmux of `pipeline`, possibly inside a bin). Before
 * start() only, one VfSources per muxer. `config` (nullable: defaults) is copied. Returns the
 * sources (transfer none: the pipeline owns them; valid until vf_pipeline_free), or NULL with
 * *error set: no such element, not a vfmux, managed already, a bad source property. */
VF_API VfSources *vf_pipeline_attach_sources(VfPipeline *pipeline, const char *mux,
                                             const VfSourcesConfig *config, GError **error);
/* (transfer none, nullable) the sources attached to `pipeline` (the first, when there are
 * several), or NULL. */
VF_API VfSources *vf_pipeline_get_sources(VfPipeline *pipeline);

/* Add a source reading `uri` (file://, rtsp://, http(s):// or a path; relative paths from the
 * current folder) as sensor `sensor_id` (required, unique among the sources) named
 * `sensor_name` (nullable). *source_id (nullable) gets its id (vfmux pad sink_<id>). Before or
 * while the pipeline runs. FALSE with *error: a NULL or empty argument, the sensor id is taken,
 * max_sources reached, a file that does not exist, an unsupported scheme, a source that cannot
 * start. Later failures (cannot connect, cannot decode) arrive as VF_SOURCE_MESSAGE_ERROR. */
VF_API gboolean vf_sources_add(VfSources *sources, const char *uri, const char *sensor_id,
                               const char *sensor_name, guint *source_id, GError **error);
/* Remove sensor `sensor_id`: returns once its removal started (it is no longer listed; the same
 * sensor id may be added again at once); VF_SOURCE_MESSAGE_REMOVED follows when it is gone.
 * FALSE with VF_ERROR_NOT_FOUND for a sensor that is not a source. */
VF_API gboolean vf_sources_remove(VfSources *sources, const char *sensor_id, GError **error);

typedef enum {
  VF_SOURCE_STATE_STARTING = 0, /* added, no frame yet */
  VF_SOURCE_STATE_RUNNING,      /* frames are coming */
  VF_SOURCE_STATE_ENDED,        /* its stream ended; it goes once vfmux took its last frame */
} VfSourceState;

typedef struct {
  char *sensor_id;
  char *sensor_name; /* (nullable) */
  char *uri;
  char *element; /* the vfurisrcbin */
  guint source_id;
  VfSourceState state;
  guint64 frames; /* decoded frames it gave vfmux so far */
} VfSourceInfo;

/* The sources now, in id order (transfer full: a GPtrArray of VfSourceInfo*, freed with it). */
VF_API GPtrArray *vf_sources_list(VfSources *sources);
/* Sensor `sensor_id`'s info (transfer full: free with vf_source_info_free), or NULL with
 * VF_ERROR_NOT_FOUND. */
VF_API VfSourceInfo *vf_sources_get_info(VfSources *sources, const char *sensor_id, GError **error);
VF_API void vf_source_info_free(VfSourceInfo *info);
/* How many sources there are (removed ones no longer count). */
VF_API guint vf_sources_get_count(VfSources *sources);

/* Smart recording of sensor `sensor_id` (record.h; the sources need smart-record=1 among the
 * source properties): a clip from `seconds_before` before now to `duration` seconds after now
 * (0: smart-rec-default-duration). *session (nullable) gets the session id. Any thread, probes
 * included. */
VF_API gboolean vf_sources_start_recording(VfSources *sources, const char *sensor_id,
                                           guint seconds_before, guint duration, guint *session,
                                           GError **error);
/* End sensor `sensor_id`'s clip `session` (0: the open one) now. */
VF_API gboolean vf_sources_stop_recording(VfSources *sources, const char *sensor_id, guint session,
                                          GError **error);

G_END_DECLS
