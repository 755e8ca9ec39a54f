/* vidflow: the REST control plane (DeepStream's REST API server, as nvmultiurisrcbin serves it).
 *
 *   vf_pipeline_serve_rest(p, NULL, 9000, &err);   // http://127.0.0.1:9000/api/v1/...
 *
 * Endpoints (JSON bodies as DeepStream's; answers {"status": "HTTP/1.1 200 OK", "reason": ...}):
 *   POST /api/v1/stream/add      {"key": "sensor", "value": {"camera_id": "cam1",
 *                                 "camera_name": "Door", "camera_url": "rtsp://...",
 *                                 "change": "camera_add"}}
 *   POST /api/v1/stream/remove   {"key": "sensor", "value": {"camera_id": "cam1",
 *                                 "change": "camera_remove"}}
 *   GET  /api/v1/stream/get-stream-info    {"stream-info": {"stream-count": N, "stream-info":
 *                                 [{"camera_id", "camera_name", "camera_url", "source_id",
 *                                 "state", "frames"}]}, ...}
 *   GET  /api/v1/health/get-dsready-state  {"health-info": {"ds-ready": "YES" | "NO"}, ...}
 *   POST /api/v1/infer/set-interval        {"stream": {"stream_id": "0", "interval": 2}}
 *                                 (every vfinfer; DeepStream too applies it to all streams)
 *   POST /api/v1/mux/batched-push-timeout  {"stream": {"batched_push_timeout": 40000}} (µs)
 *   POST /api/v1/enc/bitrate               {"stream": {"stream_id": "0", "bitrate": 2000000}}
 *   POST /api/v1/enc/force-idr             {"stream": {"stream_id": "0", "force_idr": 1}}
 *   POST /api/v1/app/quit                  {"stream": {"app_quit": 1}} (end of stream: the
 *                                 pipeline drains and ends)
 *   POST /api/v1/record/start    DeepStream's smart record message {"command":
 *                                 "start-recording", "sensor": {"id": "cam1"}, "start": ISO 8601,
 *                                 "end": ISO 8601}, or seconds: {"sensor": {"id": "cam1"},
 *                                 "start_before": 2, "duration": 5}; answers the "session"
 *   POST /api/v1/record/stop     {"sensor": {"id": "cam1"}, "session": 3 (optional)}
 *
 * Errors are JSON too, {"status": "HTTP/1.1 4xx ...", "reason": "..._FAIL", "error": "what is
 * wrong"}, with the HTTP status: 400 malformed JSON or missing fields, 404 unknown path or
 * sensor, 405 wrong method (with Allow), 409 a sensor id that is taken, a pipeline without the
 * element the request needs (sources, vfinfer, an encoder), 411 a body without Content-Length,
 * 413 a body over 64 KiB (not read), 422 a camera_url that cannot be opened. Bad requests never
 * reach the pipeline.
 *
 * Stream add/remove, info and recording act on the pipeline's sources (sources.h:
 * vf_pipeline_attach_sources, or the Flow's batch_capture). The server runs on a thread of its
 * own; requests are answered one at a time. */
#pragma once

#include <vidflow/pipeline.h>

G_BEGIN_DECLS

typedef struct _VfRestServer VfRestServer;

/* Serve `pipeline` at http://address:port (address NULL: 127.0.0.1, only this machine; give
 * "0.0.0.0" to be reachable from others; port 0: any free port, see vf_rest_server_get_port).
 * Listens at once, before or while the pipeline runs, until vf_pipeline_free (the pipeline owns
 * the server). Returns it (transfer none), or NULL with *error: a bad address, a port in use, a
 * server already running for this pipeline. Any application thread. */
VF_API VfRestServer *vf_pipeline_serve_rest(VfPipeline *pipeline, const char *address, guint port,
                                            GError **error);
/* (transfer none, nullable) the pipeline's REST server, or NULL. */
VF_API VfRestServer *vf_pipeline_get_rest_server(VfPipeline *pipeline);
/* The port it listens on (the one chosen when 0 was asked); 0 for NULL. */
VF_API guint vf_rest_server_get_port(VfRestServer *server);
/* "http://127.0.0.1:9000" (transfer full), NULL for NULL. */
VF_API char *vf_rest_server_get_url(VfRestServer *server);

G_END_DECLS
