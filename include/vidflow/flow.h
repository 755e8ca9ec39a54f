/* vidflow: VfFlow, pipelines described by what to do (the seed's Flow API).
 *
 *   VfFlow *flow = vf_flow_new(vf_pipeline_new("playback"));
 *   const char *uris[] = {"/videos/a.mp4", NULL};
 *   vf_flow_capture(flow, uris, NULL, NULL);
 *   vf_flow_render(flow, VF_RENDER_DISPLAY, NULL, NULL);
 *   if (!vf_flow_run(flow, &error)) ...        // the seed's flow()
 *   vf_flow_free(flow);
 *
 * Each operation appends elements to the flow's pipeline and takes the streams the previous
 * operation produced as its inputs. It returns the flow to continue from (transfer none: every
 * handle belongs to the flow made by vf_flow_new and goes with it), or NULL with *error set.
 * A NULL flow is accepted by every operation and passed through (NULL again, *error says why),
 * so a chain needs one check at its end; the first error is kept and vf_flow_run reports it.
 *
 * Streams: capture/inject make one stream per URI/provider; batch makes one batched stream of
 * them (vfmux); the other operations apply to every current stream.
 *
 * Order: capture, inject and batch_capture start a flow (only on an empty flow). render,
 * encode, retrieve and publish end it: nothing may follow them, unless the flow was forked first.
 * After fork(), every operation on the forked flow starts a new branch from the fork (a tee and
 * a queue per branch) and returns that branch, so
 *
 *   VfFlow *t = vf_flow_fork(vf_flow_batch(vf_flow_capture(f, uris, NULL, NULL), 0, 0, 0, NULL,
 *                                          NULL), NULL, NULL);
 *   vf_flow_encode(t, "rtsp://localhost:8554", 0, 0, 0, NULL, "sync", "true", NULL);
 *   vf_flow_encode(t, "/tmp/sample.mp4", 0, 0, 0, NULL, NULL);
 *   vf_flow_render(t, VF_RENDER_DISPLAY, NULL, "sync", "true", NULL);
 *
 * is the seed's transcode-to-RTSP-and-file-and-display example. An operation in an impossible
 * order (render twice without fork, infer after retrieve, decode of decoded video, ...) fails
 * with VF_ERROR_STATE and says why.
 *
 * Overrides: every operation ends with property name/value string pairs and a NULL, the seed's
 * kwargs; '_' stands for '-' (gpu_id is gpu-id). A property is set, converted by its type as
 * vf_pipeline_add does, on every element of the operation that has it; one that no element of
 * the operation has is an error (VF_ERROR_PROPERTY) naming them.
 *
 * Elements made by an operation are named "<op><n>-<role><stream>" for the elements of each
 * stream and "<op><n>-<role>" for the operation's single ones, n counting operations from 0:
 * "capture0-src1", "batch1-mux", "render2-sink0", "encode3-encoder", so
 * vf_pipeline_get_element finds them.
 *
 * Threads: build a flow from one thread. vf_flow_run/start/wait/stop follow the rules of the
 * corresponding VfPipeline calls (vf_flow_stop from any application thread, never from a
 * callback). */
#pragma once

#include <vidflow/feeder.h>
#include <vidflow/pipeline.h>
#include <vidflow/probe.h>
#include <vidflow/receiver.h>

G_BEGIN_DECLS

typedef struct _VfFlow VfFlow;

typedef enum {
  VF_RENDER_DISPLAY = 0, /* a window (vf_display_sink_choose); a batch is tiled first (vftiler) */
  VF_RENDER_DISCARD,     /* fakesink */
  VF_RENDER_STREAM,      /* RTSP, as encode("rtsp://localhost:8554/ds-test") */
} VfRenderMode;

/* encode() profiles, the seed's numbers. */
typedef enum {
  VF_PROFILE_BASELINE = 0,
  VF_PROFILE_CONSTRAINED_BASELINE = 1,
  VF_PROFILE_MAIN = 2,
  VF_PROFILE_HIGH = 4,
} VfEncodeProfile;

/* encode() defaults (the seed's). */
#define VF_ENCODE_DEFAULT_BITRATE 2000000
#define VF_ENCODE_DEFAULT_IFRAME_INTERVAL 10
/* encode() to a file: milliseconds of video per fragment written while the stream runs. */
#define VF_ENCODE_FRAGMENT_MS 1000
/* render(STREAM) and encode("rtsp://host:port") serve here unless the URI names a path. */
#define VF_RTSP_DEFAULT_PORT 8554
#define VF_RTSP_DEFAULT_MOUNT "/ds-test"
/* The bound of each RTSP client's queue, in bytes (option client_queue_bytes). */
#define VF_RTSP_CLIENT_QUEUE_BYTES (4u << 20)
/* batch() defaults when 0 is given: batch size = number of streams, and 1920x1080. */
#define VF_BATCH_DEFAULT_WIDTH 1920
#define VF_BATCH_DEFAULT_HEIGHT 1080

/* A flow over `pipeline` (transfer full: the flow frees it). NULL pipeline: a new one called
 * "flow". The pipeline may already hold elements of its own. */
VF_API VfFlow *vf_flow_new(VfPipeline *pipeline);
/* Frees the whole flow (any of its handles may be given) and its pipeline; stops it first. */
VF_API void vf_flow_free(VfFlow *flow);
/* (transfer none) the flow's pipeline. */
VF_API VfPipeline *vf_flow_get_pipeline(VfFlow *flow);
/* (transfer none, nullable) the first error met while building, or NULL. */
VF_API const GError *vf_flow_get_error(VfFlow *flow);

/* ---- starting a flow (on an empty flow only) ---- */

/* One decoding source (vfurisrcbin) per URI: file://, rtsp://, http(s):// or a plain path
 * (relative paths are taken from the current directory). `uris` is NULL-terminated. Files must
 * exist. Options as overrides: file_loop, rtsp_reconnect_interval (default 2 s for rtsp://
 * sources: they reconnect after the server drops or stops sending; 0 turns it off; the delay
 * doubles with each failed attempt, up to 30 s), rtsp_reconnect_attempts (default 10 failed
 * attempts in a row, about 3.5 minutes, then the flow fails naming the URI; -1: forever), latency,
 * gpu_id. Each attempt is announced on the bus (source.h: VF_SOURCE_MESSAGE_RECONNECTING) and by
 * the vidflow command; end of stream asked for while reconnecting (the first Ctrl-C) ends the
 * stream at once.
 * "ipc://NAME" (alone: one URI) captures what another process's flow retrieves into ipc://NAME
 * (a vfipcsrc on the socket NAME in $XDG_RUNTIME_DIR, ipc.h): one batched stream with the
 * producer's metadata (its detections are drawn by render/encode). Overrides go to vfipcsrc:
 * connect_timeout (ms), wait_for_producer. */
VF_API VfFlow *vf_flow_capture(VfFlow *flow, const char *const *uris, GError **error,
                               ...) G_GNUC_NULL_TERMINATED;
/* One appsrc per feeder (NULL-terminated array; the flow takes every feeder, transfer full,
 * even on failure). JPEG and H.264 providers make encoded streams: decode() them. */
VF_API VfFlow *vf_flow_inject(VfFlow *flow, VfFeeder *const *feeders, GError **error,
                              ...) G_GNUC_NULL_TERMINATED;
/* capture(uris) + batch(), as DeepStream's nvmultiurisrcbin: the sources are a VfSources
 * (sources.h) over the muxer "<op>-mux", so sources can be added and removed while the flow runs:
 *   VfSources *s = vf_pipeline_get_sources(vf_flow_get_pipeline(flow));
 *   vf_sources_add(s, "rtsp://...", "cam7", "Gate", NULL, &err);  vf_sources_remove(s, "0", &err);
 * The first sources have sensor ids "0", "1", ... (or the source list's sensor-id). Batches hold
 * one frame of each live source (the batch size follows the sources). Overrides go to the
 * sources (every source, those added later too) and the muxer, and nvmultiurisrcbin's options:
 *   max_batch_size N       at most N sources, batches of at most N frames
 *   drop_pipeline_eos true keep running when no source is left (wait for new ones)
 *   port P, ip_address A   serve the REST API (rest.h) on A:P from vf_flow_start (0: any free
 *                          port; the default address is 127.0.0.1); implies drop_pipeline_eos
 *   smart_record_config F  DeepStream's smart record YAML (smart_rec_cache, smart_rec_dir_path,
 *                          smart_rec_container, ...): every source records (record.h) */
VF_API VfFlow *vf_flow_batch_capture(VfFlow *flow, const char *const *uris, GError **error,
                                     ...) G_GNUC_NULL_TERMINATED;
/* The same from a Service Maker source-list YAML file:
 *   source-list: [{uri: ..., sensor-id: ..., sensor-name: ...}, ...]
 *   source-config: {properties: {...}}   (optional; set on the muxer or the sources)
 * Relative URIs/paths in the file are taken from the file's directory. Sensor ids and names
 * reach each frame's metadata (vf_frame_meta_get_sensor_id). */
VF_API VfFlow *vf_flow_batch_capture_file(VfFlow *flow, const char *source_list_yaml,
                                          GError **error, ...) G_GNUC_NULL_TERMINATED;

/* ---- operations on streams ---- */

/* A decoder (decodebin) per encoded stream (JPEG, H.264 from inject()). */
VF_API VfFlow *vf_flow_decode(VfFlow *flow, GError **error, ...) G_GNUC_NULL_TERMINATED;
/* Batch every stream into one (vfmux). 0 means the default: batch_size = number of streams,
 * width x height = 1920x1080. */
VF_API VfFlow *vf_flow_batch(VfFlow *flow, guint batch_size, guint width, guint height,
                             GError **error, ...) G_GNUC_NULL_TERMINATED;
/* Inference (vfinfer) with the model configuration file `config`; overrides are vfinfer
 * properties. Streams not batched yet are batched first, as batch() with defaults. */
VF_API VfFlow *vf_flow_infer(VfFlow *flow, const char *config, GError **error,
                             ...) G_GNUC_NULL_TERMINATED;
/* Tracking (vftracker) of the objects infer() found: each object gets an id over time. The seed's
 * track(ll_config_file=..., ll_lib_file=...): ll_config_file (nullable) is vftracker's YAML
 * config (docs/tracker.md; NULL: the built-in bytetrack with its defaults), ll_lib_file
 * (nullable) a custom tracker library (include/vidflow/tracker.h; NULL: the built-in trackers).
 * Overrides are vftracker properties (algorithm, max_lost, ...). Must follow infer(); files must
 * exist. */
VF_API VfFlow *vf_flow_track(VfFlow *flow, const char *ll_config_file, const char *ll_lib_file,
                             GError **error, ...) G_GNUC_NULL_TERMINATED;
/* A probe on the flow's stream at this point (transfer full, even on failure). The flow must
 * have one stream (batch several first). */
VF_API VfFlow *vf_flow_attach(VfFlow *flow, VfProbe *probe, GError **error);
/* A probe by name: a built-in probe ("measure_fps_probe", ...) or "plugin.probe" from a
 * custom-object plugin (vidflow/plugin.h), made with `instance_name` (nullable) and the
 * name/value parameters that follow (typed by the probe's parameter list). One instance per
 * stream. */
VF_API VfFlow *vf_flow_attach_named(VfFlow *flow, const char *what, const char *instance_name,
                                    GError **error, ...) G_GNUC_NULL_TERMINATED;
/* Fork (tee): the operations that follow on the returned flow each start a branch (a queue
 * from the tee), and return that branch to continue it. */
VF_API VfFlow *vf_flow_fork(VfFlow *flow, GError **error, ...) G_GNUC_NULL_TERMINATED;

/* ---- ending a flow ---- */

/* Frames to a retriever (an appsink + receiver per stream). Single streams arrive as RGB
 * frames (HWC tensors); a batch arrives as produced by vfmux (extract(i) per frame). With several
 * unbatched streams, consume() is called from one receiver thread per stream (the callbacks must
 * be thread-safe then). destroy(user_data) runs exactly once, even when the operation fails, at
 * the latest when the flow is freed. Overrides go to the appsink (sync defaults to false) and the
 * converter. */
VF_API VfFlow *vf_flow_retrieve(VfFlow *flow, const VfRetrieverCallbacks *callbacks,
                                gpointer user_data, GError **error, ...) G_GNUC_NULL_TERMINATED;
/* Frames to a retriever by name: "plugin.retriever" from a custom-object plugin (plugin.h), with
 * its name/value parameters; one instance per stream.
 * "ipc://NAME" sends the frames with all their metadata to other processes (a vfipcsink on the
 * socket NAME in $XDG_RUNTIME_DIR, ipc.h; capture "ipc://NAME" there): the streams are batched
 * first if they are not yet; the parameters are vfipcsink's properties (max_in_flight,
 * when_full, consumer_lost, wait_consumers, wait_timeout). */
VF_API VfFlow *vf_flow_retrieve_named(VfFlow *flow, const char *what, const char *instance_name,
                                      GError **error, ...) G_GNUC_NULL_TERMINATED;
/* Display (sync defaults to true), discard (sync false) or stream over RTSP. STREAM takes two
 * more options besides element properties: port (default 8554) and mount (default
 * /ds-test). */
VF_API VfFlow *vf_flow_render(VfFlow *flow, VfRenderMode mode, GError **error,
                              ...) G_GNUC_NULL_TERMINATED;
/* H.264 to `uri`: "file://path" or a plain path (MP4), or "rtsp://host:port[/mount]" (served
 * by gst-rtsp-server at rtsp://host:port/mount, mount default "/ds-test"; the port is
 * required). profile: VfEncodeProfile; bitrate in bit/s (0: 2000000); iframeinterval in frames
 * (0: 10). A batch is tiled first. sync (default false) is an override of the sink.
 * Frames reach the encoder with strictly increasing timestamps (missing and repeated ones, as
 * some AVI files give, are repaired). The MP4 is written in fragments of
 * VF_ENCODE_FRAGMENT_MS and made a regular MP4 at the end of the stream: a run that fails or is
 * killed half-way still leaves a playable file of what was written.
 * RTSP: each client has a queue of its own, bounded by the option client_queue_bytes (default
 * VF_RTSP_CLIENT_QUEUE_BYTES): a client that cannot keep up loses frames (up to the next key
 * frame, which is asked for), counted in vf_flow_get_rtsp_stats(); the flow never waits for a
 * client. */
VF_API VfFlow *vf_flow_encode(VfFlow *flow, const char *uri, VfEncodeProfile profile, guint bitrate,
                              guint iframeinterval, GError **error, ...) G_GNUC_NULL_TERMINATED;

/* Events to a message broker (the seed's publish): vfmsgconv turns each frame's metadata into
 * messages (DeepStream's full schema by default; events from add_message_meta_probe when
 * attached, else the objects), vfmsgbroker sends them at least once, through broker outages
 * (an on-disk spool). msg_broker_proto_lib: (nullable) mqtt, redis, kafka, file, a DeepStream
 * adapter name (libnvds_kafka_proto.so) or an adapter library's path (vidflow/msgapi.h); NULL:
 * the conn-str's URI scheme. msg_broker_conn_str: host;port or a URI (mqtt://host:port/topic,
 * redis://..., kafka://host:port/topic, file:///path). topic: (nullable) the conn-str's when
 * NULL. msg_conv_config: (nullable) sensors/places/modules per source (vidflow/message.h).
 * Overrides go to vfmsgconv and vfmsgbroker (payload_type, frequency, spool_dir, ...). Streams
 * not batched yet are batched first. Nothing may follow (fork first for more outputs). */
VF_API VfFlow *vf_flow_publish(VfFlow *flow, const char *msg_broker_proto_lib,
                               const char *msg_broker_conn_str, const char *topic,
                               const char *msg_conv_config, GError **error,
                               ...) G_GNUC_NULL_TERMINATED;

/* ---- running ---- */

/* Is the flow complete: built without errors, every branch ending in render, encode or
 * retrieve, every fork followed by a branch? (vf_flow_start checks this first.) */
VF_API gboolean vf_flow_check(VfFlow *flow, GError **error);
/* Check the flow is complete (every branch ends in render, encode or retrieve), then start it:
 * RTSP servers first, then the pipeline. */
VF_API gboolean vf_flow_start(VfFlow *flow, GError **error);
/* vf_pipeline_wait, then stop the RTSP servers. */
VF_API gboolean vf_flow_wait(VfFlow *flow, GError **error);
/* The seed's flow(): start + wait; the first building error if there was one. */
VF_API gboolean vf_flow_run(VfFlow *flow, GError **error);
/* vf_pipeline_stop, RTSP servers included. */
VF_API void vf_flow_stop(VfFlow *flow);

/* RTSP outputs: the URL clients use for output `index` (0-based, in the order encode/render
 * made them), transfer full, or NULL when there is none. */
VF_API char *vf_flow_get_rtsp_url(VfFlow *flow, guint index);

/* What an RTSP output did since the flow started. */
typedef struct {
  guint clients;         /* watching now */
  guint64 clients_total; /* that joined */
  guint64 frames;        /* access units the flow produced for it */
  guint64 dropped;       /* access units clients lost because their queue was full (counted per
                          * client: two slow clients missing one frame count 2) */
  guint64 queued_bytes;  /* in the clients' queues now (at most clients x client_queue_bytes) */
} VfRtspStats;

/* The figures of RTSP output `index` (see vf_flow_get_rtsp_url); any thread. FALSE, with
 * *stats zeroed, when there is no such output. */
VF_API gboolean vf_flow_get_rtsp_stats(VfFlow *flow, guint index, VfRtspStats *stats);

G_END_DECLS
