/* vidflow: REST requests read (rest-request.h). json-glib parses the bodies; the limits are
 * checked before it sees them (size, nesting: its parser recurses). */
#include "rest-request.h"

#include "short-text.h"

#include <json-glib/json-glib.h>
#include <vidflow/error.h>

#include <string.h>

typedef struct {
  const char *path; /* after /api/v1/ */
  const char *method;
  VfRestKind kind;
} Route;

static const Route routes[] = {
  { "stream/add", "POST", VF_REST_STREAM_ADD },
  { "stream/remove", "POST", VF_REST_STREAM_REMOVE },
  { "stream/get-stream-info", "GET", VF_REST_STREAM_INFO },
  { "health/get-dsready-state", "GET", VF_REST_HEALTH },
  { "infer/set-interval", "POST", VF_REST_INFER_INTERVAL },
  { "mux/batched-push-timeout", "POST", VF_REST_MUX_PUSH_TIMEOUT },
  { "enc/bitrate", "POST", VF_REST_ENC_BITRATE },
  { "enc/force-idr", "POST", VF_REST_ENC_FORCE_IDR },
  { "app/quit", "POST", VF_REST_APP_QUIT },
  { "record/start", "POST", VF_REST_RECORD_START },
  { "record/stop", "POST", VF_REST_RECORD_STOP },
};

#define PREFIX "/api/v1/"

static const Route *find_route(const char *path)
{
  if (path == NULL || !g_str_has_prefix(path, PREFIX))
    return NULL;
  const char *rest = path + strlen(PREFIX);
  gsize n = strlen(rest);
  while (n > 0 && rest[n - 1] == '/')
    n--; /* ".../stream/add/" too */
  for (guint i = 0; i < G_N_ELEMENTS(routes); i++)
    if (strlen(routes[i].path) == n && strncmp(routes[i].path, rest, n) == 0)
      return &routes[i];
  return NULL;
}

const char *vf_rest_allowed_method(const char *path)
{
  const Route *r = find_route(path);
  return r ? r->method : NULL;
}

void vf_rest_request_free(VfRestRequest *r)
{
  if (r == NULL)
    return;
  g_free(r->camera_id);
  g_free(r->camera_name);
  g_free(r->camera_url);
  g_free(r->stream_id);
  g_free(r);
}

static gboolean fail(guint *status, guint code, GError **error, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
static gboolean fail(guint *status, guint code, GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  *status = code;
  g_set_error_literal(error, VF_ERROR, code == 404 ? VF_ERROR_NOT_FOUND : VF_ERROR_ARGUMENT, msg);
  g_free(msg);
  return FALSE;
}

/* One scan of a JSON text, strings skipped: how deep it nests (counting stops past the limit),
 * and *first_end: where its first top-level object or array closes (0: none does). */
static guint json_shape(const char *s, gsize n, gsize *first_end)
{
  guint depth = 0, max = 0;
  gboolean in_string = FALSE;
  *first_end = 0;
  for (gsize i = 0; i < n && max <= VF_REST_MAX_DEPTH; i++) {
    char c = s[i];
    if (in_string) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_string = FALSE;
    } else if (c == '"') {
      in_string = TRUE;
    } else if (c == '{' || c == '[') {
      depth++; /* not inside MAX(), which evaluates its arguments twice */
      max = MAX(max, depth);
    } else if ((c == '}' || c == ']') && depth > 0) {
      if (--depth == 0 && *first_end == 0)
        *first_end = i + 1;
    }
  }
  return max;
}

/* The first byte of `s` (n bytes, no NUL needed) at or after `from` that is no JSON whitespace,
 * or n. */
static gsize skip_space(const char *s, gsize n, gsize from)
{
  while (from < n && s[from] != '\0' && strchr(" \t\r\n", s[from]))
    from++;
  return from;
}

/* `s` is an object, with only whitespace around it (`object_end` from json_shape; 0: the object
 * does not close, which json-glib then reports). */
static gboolean one_object(const char *s, gsize n, gsize object_end)
{
  gsize start = skip_space(s, n, 0);
  return start < n && s[start] == '{' && (object_end == 0 || skip_space(s, n, object_end) == n);
}

/* A member of `o` as a string: strings as they are, whole numbers written out (DeepStream's
 * clients send "stream_id": "0" and 0 alike). NULL when absent or another type. */
static char *member_string(JsonObject *o, const char *name)
{
  JsonNode *n = o ? json_object_get_member(o, name) : NULL;
  if (n == NULL || JSON_NODE_TYPE(n) != JSON_NODE_VALUE)
    return NULL;
  GType t = json_node_get_value_type(n);
  if (t == G_TYPE_STRING)
    return g_strdup(json_node_get_string(n));
  if (t == G_TYPE_INT64)
    return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(n));
  return NULL;
}

/* A whole number member (a number or a string of one) within [min, max]. */
static gboolean member_int(JsonObject *o, const char *name, gint64 min, gint64 max, gint64 *out,
                           const char *where, guint *status, GError **error)
{
  JsonNode *n = o ? json_object_get_member(o, name) : NULL;
  gint64 v = 0;
  gboolean ok = FALSE;
  if (n && JSON_NODE_TYPE(n) == JSON_NODE_VALUE) {
    GType t = json_node_get_value_type(n);
    if (t == G_TYPE_INT64) {
      v = json_node_get_int(n);
      ok = TRUE;
    } else if (t == G_TYPE_BOOLEAN) {
      v = json_node_get_boolean(n);
      ok = TRUE;
    } else if (t == G_TYPE_STRING) {
      ok = g_ascii_string_to_signed(json_node_get_string(n), 10, min, max, &v, NULL);
    }
  }
  if (!ok || v < min || v > max)
    return fail(status, 400, error,
                "%s: \"%s\" must be a whole number from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                where, name, min, max);
  *out = v;
  return TRUE;
}

static JsonObject *member_object(JsonObject *o, const char *name)
{
  JsonNode *n = o ? json_object_get_member(o, name) : NULL;
  return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

/* {"key": "sensor", "value": {"camera_id", "camera_name", "camera_url", "change"}} */
static gboolean read_sensor(JsonObject *root, VfRestRequest *r, guint *status, GError **error)
{
  gboolean add = r->kind == VF_REST_STREAM_ADD;
  char *key = member_string(root, "key");
  gboolean key_ok = key == NULL || g_str_equal(key, "sensor");
  g_free(key);
  JsonObject *v = member_object(root, "value");
  if (!key_ok || v == NULL)
    return fail(status, 400, error,
                "%s: the body is {\"key\": \"sensor\", \"value\": {\"camera_id\": ..., "
                "\"camera_url\": ..., \"change\": \"camera_%s\"}}",
                r->name, add ? "add" : "remove");
  r->camera_id = member_string(v, "camera_id");
  r->camera_name = member_string(v, "camera_name");
  r->camera_url = member_string(v, "camera_url");
  char *change = member_string(v, "change");
  gboolean change_ok = change && strstr(change, add ? "add" : "remove");
  g_free(change);
  if (r->camera_id == NULL || *r->camera_id == '\0')
    return fail(status, 400, error, "%s: value.camera_id (a string) is missing or empty", r->name);
  if (add && (r->camera_url == NULL || *r->camera_url == '\0'))
    return fail(status, 400, error, "%s: value.camera_url (a string) is missing or empty", r->name);
  if (!change_ok)
    return fail(status, 400, error, "%s: value.change must contain \"%s\" (\"camera_%s\")", r->name,
                add ? "add" : "remove", add ? "add" : "remove");
  return TRUE;
}

/* DeepStream's per-component settings: {"stream": {"stream_id": "0", "<name>": value}} */
static gboolean read_setting(JsonObject *root, VfRestRequest *r, const char *name, gint64 min,
                             gint64 max, guint *status, GError **error)
{
  JsonObject *st = member_object(root, "stream");
  if (st == NULL)
    return fail(status, 400, error,
                "%s: the body is {\"stream\": {\"stream_id\": \"0\", \"%s\": "
                "...}}",
                r->name, name);
  r->stream_id = member_string(st, "stream_id");
  return member_int(st, name, min, max, &r->value, r->name, status, error);
}

/* Seconds from `now_us` to an ISO 8601 time (negative: in the past), or FALSE. */
static gboolean iso_seconds(JsonObject *o, const char *name, gint64 now_us, gint64 *out,
                            gboolean *given, const char *where, guint *status, GError **error)
{
  char *text = member_string(o, name);
  *given = text != NULL;
  if (text == NULL)
    return TRUE;
  GDateTime *t = g_date_time_new_from_iso8601(text, NULL);
  if (t == NULL) {
    gboolean r = fail(status, 400, error,
                      "%s: \"%s\" must be an ISO 8601 time with a zone, as "
                      "\"2024-05-18T20:02:00.051Z\", not '" VF_SHORT_FMT "'",
                      where, name, VF_SHORT(text));
    g_free(text);
    return r;
  }
  g_free(text);
  *out = (g_date_time_to_unix(t) * G_USEC_PER_SEC + g_date_time_get_microsecond(t) - now_us)
         / G_USEC_PER_SEC;
  g_date_time_unref(t);
  return TRUE;
}

/* DeepStream's smart record message: {"command": "start-recording", "start": ISO, "end": ISO,
 * "sensor": {"id": "cam1"}}, or seconds: {"sensor": {"id"}, "start_before": 2, "duration": 5};
 * stop: {"sensor": {"id"}, "session": 3}. */
static gboolean read_record(JsonObject *root, VfRestRequest *r, gint64 now_us, guint *status,
                            GError **error)
{
  gboolean start = r->kind == VF_REST_RECORD_START;
  r->camera_id = member_string(member_object(root, "sensor"), "id");
  if (r->camera_id == NULL || *r->camera_id == '\0')
    return fail(status, 400, error,
                "%s: sensor.id (a string) is missing: {\"sensor\": {\"id\": "
                "\"cam1\"}, ...}",
                r->name);
  char *command = member_string(root, "command");
  gboolean command_ok
      = command == NULL || g_str_equal(command, start ? "start-recording" : "stop-recording");
  g_free(command);
  if (!command_ok)
    return fail(status, 400, error, "%s: \"command\" must be \"%s\" here", r->name,
                start ? "start-recording" : "stop-recording");
  gint64 v = 0;
  if (!start) {
    if (json_object_has_member(root, "session")) {
      if (!member_int(root, "session", 0, G_MAXUINT, &v, r->name, status, error))
        return FALSE;
      r->session = (guint)v;
    }
    return TRUE;
  }
  gint64 from = 0, to = 0;
  gboolean have_from, have_to;
  if (!iso_seconds(root, "start", now_us, &from, &have_from, r->name, status, error)
      || !iso_seconds(root, "end", now_us, &to, &have_to, r->name, status, error))
    return FALSE;
  if (have_from && have_to && to < from)
    return fail(status, 400, error, "%s: \"end\" is before \"start\"", r->name);
  r->seconds_before = have_from && from < 0 ? (guint)MIN(-from, 3600) : 0;
  r->duration = have_to && to > 0 ? (guint)MIN(to, 86400) : have_to ? 1 : 0;
  if (json_object_has_member(root, "start_before")) {
    if (!member_int(root, "start_before", 0, 3600, &v, r->name, status, error))
      return FALSE;
    r->seconds_before = (guint)v;
  }
  if (json_object_has_member(root, "duration")) {
    if (!member_int(root, "duration", 0, 86400, &v, r->name, status, error))
      return FALSE;
    r->duration = (guint)v;
  }
  return TRUE;
}

VfRestRequest *vf_rest_request_parse(const char *method, const char *path, const char *body,
                                     gsize length, gint64 now_us, guint *status, GError **error)
{
  const Route *route = find_route(path);
  if (route == NULL) {
    fail(status, 404, error,
         "no such endpoint '" VF_SHORT_FMT "' (the API is under /api/v1/: stream/add, "
         "stream/remove, stream/get-stream-info, health/get-dsready-state, ...)",
         VF_SHORT(path));
    return NULL;
  }
  if (method == NULL || !g_str_equal(method, route->method)) {
    fail(status, 405, error, PREFIX "%s takes %s, not " VF_SHORT_FMT, route->path, route->method,
         VF_SHORT(method));
    return NULL;
  }
  if (length > VF_REST_MAX_BODY) {
    fail(status, 413, error, "the body has %" G_GSIZE_FORMAT " bytes; at most %d are read", length,
         VF_REST_MAX_BODY);
    return NULL;
  }
  VfRestRequest *r = g_new0(VfRestRequest, 1);
  r->kind = route->kind;
  r->name = route->path;
  if (g_str_equal(route->method, "GET")) /* a body (curl -d '{}') is allowed and ignored */
    return r;
  JsonParser *parser = NULL;
  JsonObject *root = NULL;
  gsize object_end = 0;
  gboolean ok;
  if (length == 0 || body == NULL) {
    ok = fail(status, 400, error, "%s needs a JSON body", route->path);
  } else if (json_shape(body, length, &object_end) > VF_REST_MAX_DEPTH) {
    ok = fail(status, 400, error, "%s: the JSON is nested more than %d levels", route->path,
              VF_REST_MAX_DEPTH);
  } else if (!g_utf8_validate_len(body, length, NULL)) {
    ok = fail(status, 400, error, "%s: the body is not UTF-8 text", route->path);
  } else if (!one_object(body, length, object_end)) {
    /* One object and nothing else: json-glib 1.6 takes "1 {...}" or "{...} {...}" for one
     * value, and leaks what it parsed after the first. */
    ok = fail(status, 400, error, "%s: the body must be one JSON object ({...}) and nothing else",
              route->path);
  } else {
    GError *jerr = NULL;
    parser = json_parser_new_immutable();
    ok = json_parser_load_from_data(parser, body, (gssize)length, &jerr);
    if (!ok) {
      /* json-glib quotes the token it choked on as it decoded it: "\ud800" gives bytes that are
       * no UTF-8, and an error must be */
      fail(status, 400, error, "%s: malformed JSON: " VF_SHORT_FMT, route->path,
           VF_SHORT(jerr->message));
      g_error_free(jerr);
    } else if (json_parser_get_root(parser) == NULL
               || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
      ok = fail(status, 400, error, "%s: the body must be a JSON object ({...})", route->path);
    } else {
      root = json_node_get_object(json_parser_get_root(parser));
    }
  }
  if (ok) {
    switch (r->kind) {
    case VF_REST_STREAM_ADD:
    case VF_REST_STREAM_REMOVE:
      ok = read_sensor(root, r, status, error);
      break;
    case VF_REST_INFER_INTERVAL:
      ok = read_setting(root, r, "interval", 0, G_MAXINT, status, error);
      break;
    case VF_REST_MUX_PUSH_TIMEOUT:
      ok = read_setting(root, r, "batched_push_timeout", 0, G_MAXINT64 / 1000, status, error);
      break;
    case VF_REST_ENC_BITRATE:
      ok = read_setting(root, r, "bitrate", 1000, G_MAXUINT * (gint64)1000, status, error);
      break;
    case VF_REST_ENC_FORCE_IDR:
      ok = read_setting(root, r, "force_idr", 0, 1, status, error);
      break;
    case VF_REST_APP_QUIT:
      ok = read_setting(root, r, "app_quit", 0, 1, status, error);
      break;
    case VF_REST_RECORD_START:
    case VF_REST_RECORD_STOP:
      ok = read_record(root, r, now_us, status, error);
      break;
    default:
      break;
    }
  }
  if (parser)
    g_object_unref(parser);
  if (!ok) {
    vf_rest_request_free(r);
    return NULL;
  }
  return r;
}
