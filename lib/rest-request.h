/* vidflow: REST requests (DeepStream's REST API shape) read from method, path and body, apart
 * from the server so that a fuzzer can call the parser directly (fuzz/). No GStreamer, no I/O. */
#pragma once

#include <glib.h>

/* Bodies larger than this are refused (413) before they are read. */
#define VF_REST_MAX_BODY (64 * 1024)
/* JSON nested deeper than this is refused (400) before it is parsed. */
#define VF_REST_MAX_DEPTH 32

typedef enum {
  VF_REST_STREAM_ADD = 1,   /* POST /api/v1/stream/add */
  VF_REST_STREAM_REMOVE,    /* POST /api/v1/stream/remove */
  VF_REST_STREAM_INFO,      /* GET  /api/v1/stream/get-stream-info */
  VF_REST_HEALTH,           /* GET  /api/v1/health/get-dsready-state */
  VF_REST_INFER_INTERVAL,   /* POST /api/v1/infer/set-interval {stream: {interval}} */
  VF_REST_MUX_PUSH_TIMEOUT, /* POST /api/v1/mux/batched-push-timeout {stream: {...}} */
  VF_REST_ENC_BITRATE,      /* POST /api/v1/enc/bitrate {stream: {bitrate}} */
  VF_REST_ENC_FORCE_IDR,    /* POST /api/v1/enc/force-idr {stream: {force_idr: 1}} */
  VF_REST_APP_QUIT,         /* POST /api/v1/app/quit {stream: {app_quit: 1}} */
  VF_REST_RECORD_START,     /* POST /api/v1/record/start {sensor: {id}, start, end} */
  VF_REST_RECORD_STOP,      /* POST /api/v1/record/stop {sensor: {id}, session} */
} VfRestKind;

typedef struct {
  VfRestKind kind;
  const char *name;  /* "stream/add": the path after /api/v1/, for messages and reasons */
  char *camera_id;   /* stream add/remove, record: the sensor id */
  char *camera_name; /* (nullable) stream add */
  char *camera_url;  /* stream add; (nullable) remove */
  char *stream_id;   /* (nullable) per-stream settings: DeepStream applies them to all */
  gint64 value;      /* interval, batched_push_timeout (µs), bitrate (bit/s), force_idr */
  guint seconds_before, duration; /* record/start (0: the recorder's default duration) */
  guint session;                  /* record/stop (0: the open clip) */
} VfRestRequest;

/* Reads a request. `now_us` (g_get_real_time()) turns record/start's ISO 8601 "start"/"end"
 * into seconds before/after now. Returns the request (free with vf_rest_request_free), or NULL
 * with *status set to the HTTP status to answer (400 malformed body or fields, 404 unknown path,
 * 405 wrong method, 413 body too large) and *error saying what is wrong. `body` may hold any
 * bytes (not NUL-terminated). */
VfRestRequest *vf_rest_request_parse(const char *method, const char *path, const char *body,
                                     gsize length, gint64 now_us, guint *status, GError **error);
void vf_rest_request_free(VfRestRequest *request);
/* The methods allowed on `path` ("GET", "POST"), or NULL for an unknown path. */
const char *vf_rest_allowed_method(const char *path);
