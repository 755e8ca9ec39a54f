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
 * encode and retrieve end it: nothing may follow them, unless the flow was forked first.
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
  VF_RENDER_DISPLAY = 0, /* a window (autovideosink); a batch is tiled first (vftiler) */
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
/* render(STREAM) and encode("rtsp://host:port") serve here unless the URI names a path. */
#define VF_RTSP_DEFAULT_PORT 8554
#define VF_RTSP_DEFAULT_MOUNT "/ds-test"
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
 * sources: they reconnect after the server drops; 0 turns it off), rtsp_reconnect_attempts,
 * latency, gpu_id. */
VF_API VfFlow *vf_flow_capture(VfFlow *flow, const char *const *uris, GError **error,
                               ...) G_GNUC_NULL_TERMINATED;
/* One appsrc per feeder (NULL-terminated array; the flow takes every feeder, transfer full,
 * even on failure). JPEG and H.264 providers make encoded streams: decode() them. */
VF_API VfFlow *vf_flow_inject(VfFlow *flow, VfFeeder *const *feeders, GError **error,
                              ...) G_GNUC_NULL_TERMINATED;
/* capture(uris) + batch() with defaults; overrides go to the sources and the muxer. */
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
 * its name/value parameters; one instance per stream. */
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
 * (0: 10). A batch is tiled first. sync (default false) is an override of the sink. */
VF_API VfFlow *vf_flow_encode(VfFlow *flow, const char *uri, VfEncodeProfile profile, guint bitrate,
                              guint iframeinterval, GError **error, ...) G_GNUC_NULL_TERMINATED;

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

G_END_DECLS
