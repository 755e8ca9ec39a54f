/* vidflow: the REST server (rest.h): libsoup 3 on a thread of its own with its own main context;
 * requests are read by rest-request.c and carried out here on the pipeline and its sources.
 * Bodies that are too large, chunked, or sent to an unknown path or with the wrong method are
 * refused from the request's headers, before the body is read. */
#include <vidflow/json.h>
#include <vidflow/rest.h>
#include <vidflow/sources.h>

#include "error-private.h"
#include "pipeline-private.h"
#include "property-private.h"
#include "rest-request.h"

#include <gst/video/video.h>
#include <libsoup/soup.h>

#define DEFAULT_ADDRESS "127.0.0.1"

struct _VfRestServer {
  VfPipeline *pipeline;
  char *address;
  guint port; /* asked for, then bound */
  GMainContext *ctx;
  GMainLoop *loop;
  GThread *thread;
  GMutex lock; /* ready, error, port while starting */
  GCond cond;
  gboolean ready;
  GError *error;
};

/* ---- answers, written with the one JSON writer (json.h) ---- */

typedef void (*AddFields)(VfJsonWriter *w, gpointer data);

static void respond(SoupServerMessage *msg, guint status, const char *reason, const char *error,
                    AddFields add, gpointer data)
{
  VfJsonWriter *w = vf_json_writer_new();
  vf_json_writer_begin_object(w);
  char *line = g_strdup_printf("HTTP/1.1 %u %s", status, soup_status_get_phrase(status));
  vf_json_writer_member_string(w, "status", line);
  g_free(line);
  vf_json_writer_member_string(w, "reason", reason);
  if (error)
    vf_json_writer_member_string(w, "error", error);
  if (add)
    add(w, data);
  vf_json_writer_end_object(w);
  GError *err = NULL;
  GBytes *text = vf_json_writer_take_bytes(w, &err);
  if (text == NULL) { /* a bug of this file: say so rather than answer nothing */
    g_warning("REST answer: %s", err->message);
    g_clear_error(&err);
    status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
    text = g_bytes_new_static("{}", 2);
  }
  soup_server_message_set_status(msg, status, NULL);
  gsize n = 0;
  const char *bytes = g_bytes_get_data(text, &n);
  soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_COPY, bytes, n);
  g_bytes_unref(text);
  vf_json_writer_free(w);
}

static void add_stream_info(VfJsonWriter *w, gpointer data)
{
  GPtrArray *list = data;
  vf_json_writer_key(w, "stream-info");
  vf_json_writer_begin_object(w);
  vf_json_writer_member_uint(w, "stream-count", list->len);
  vf_json_writer_key(w, "stream-info");
  vf_json_writer_begin_array(w);
  static const char *const states[] = { "starting", "running", "ended" };
  for (guint i = 0; i < list->len; i++) {
    VfSourceInfo *s = list->pdata[i];
    vf_json_writer_begin_object(w);
    vf_json_writer_member_string(w, "camera_id", s->sensor_id);
    vf_json_writer_member_string(w, "camera_name", s->sensor_name ? s->sensor_name : "");
    vf_json_writer_member_string(w, "camera_url", s->uri);
    vf_json_writer_member_uint(w, "source_id", s->source_id);
    vf_json_writer_member_string(w, "state", states[s->state]);
    vf_json_writer_member_uint(w, "frames", s->frames);
    vf_json_writer_end_object(w);
  }
  vf_json_writer_end_array(w);
  vf_json_writer_end_object(w);
}

static void add_health(VfJsonWriter *w, gpointer data)
{
  vf_json_writer_key(w, "health-info");
  vf_json_writer_begin_object(w);
  vf_json_writer_member_string(w, "ds-ready", GPOINTER_TO_INT(data) ? "YES" : "NO");
  vf_json_writer_end_object(w);
}

typedef struct {
  const char *name;
  gint64 value;
} Field;

static void add_field(VfJsonWriter *w, gpointer data)
{
  const Field *f = data;
  vf_json_writer_member_int(w, f->name, f->value);
}

/* ---- carrying requests out ---- */

/* "STREAM_ADD_SUCCESS" from "stream/add" (DeepStream's names for the two GETs). */
static char *reason_for(VfRestRequest *r, gboolean ok)
{
  const char *name = r ? r->name : "request";
  if (r && r->kind == VF_REST_STREAM_INFO)
    name = "get-live-stream-info";
  else if (r && r->kind == VF_REST_HEALTH)
    name = "get-ds-readiness-info";
  char *up = g_ascii_strup(name, -1);
  g_strdelimit(up, "/-", '_');
  char *out = g_strconcat(up, ok ? "_SUCCESS" : "_FAIL", NULL);
  g_free(up);
  return out;
}

static void fail(SoupServerMessage *msg, VfRestRequest *r, guint status, const char *error)
{
  char *reason = reason_for(r, FALSE);
  respond(msg, status, reason, error, NULL, NULL);
  g_free(reason);
}

static void fail_error(SoupServerMessage *msg, VfRestRequest *r, guint status, GError *err)
{
  fail(msg, r, status, err->message);
  g_error_free(err);
}

static void succeed(SoupServerMessage *msg, VfRestRequest *r, AddFields add, gpointer data)
{
  char *reason = reason_for(r, TRUE);
  respond(msg, SOUP_STATUS_OK, reason, NULL, add, data);
  g_free(reason);
}

/* Every element made by `factory` in the pipeline (transfer full: refs). */
static GPtrArray *elements_of(VfPipeline *p, const char *factory)
{
  GPtrArray *out = g_ptr_array_new_with_free_func(gst_object_unref);
  GstIterator *it = gst_bin_iterate_recurse(GST_BIN(vf_pipeline_get_gst_pipeline(p)));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object(&item);
    GstElementFactory *f = gst_element_get_factory(e);
    if (f && g_str_equal(GST_OBJECT_NAME(f), factory))
      g_ptr_array_add(out, gst_object_ref(e));
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
  return out;
}

/* Sets `property` on every `factory` element; 409 when there is none. */
static void set_on_all(SoupServerMessage *msg, VfRestServer *server, VfRestRequest *r,
                       const char *factory, const char *property, gint64 value)
{
  GPtrArray *all = elements_of(server->pipeline, factory);
  char text[32];
  g_snprintf(text, sizeof text, "%" G_GINT64_FORMAT, value);
  GError *err = NULL;
  for (guint i = 0; err == NULL && i < all->len; i++)
    vf_set_property_from_string(all->pdata[i], property, text, &err);
  guint n = all->len;
  g_ptr_array_unref(all);
  if (err) {
    fail_error(msg, r, SOUP_STATUS_BAD_REQUEST, err);
  } else if (n == 0) {
    char *e = g_strdup_printf("pipeline '%s' has no %s element to set %s on",
                              vf_pipeline_get_name(server->pipeline), factory, property);
    fail(msg, r, SOUP_STATUS_CONFLICT, e);
    g_free(e);
  } else {
    Field f = { "elements", n };
    succeed(msg, r, add_field, &f);
  }
}

static VfSources *sources_or_fail(SoupServerMessage *msg, VfRestServer *server, VfRestRequest *r)
{
  VfSources *s = vf_pipeline_get_sources(server->pipeline);
  if (s == NULL) {
    char *e = g_strdup_printf("pipeline '%s' has no sources that can be added or removed (build "
                              "it with batch_capture() or vf_pipeline_attach_sources())",
                              vf_pipeline_get_name(server->pipeline));
    fail(msg, r, SOUP_STATUS_CONFLICT, e);
    g_free(e);
  }
  return s;
}

/* HTTP status of a VfSources error. */
static guint status_of(const GError *err)
{
  switch (err->code) {
  case VF_ERROR_NOT_FOUND:
    return SOUP_STATUS_NOT_FOUND;
  case VF_ERROR_STATE:
    return SOUP_STATUS_CONFLICT;
  case VF_ERROR_UNSUPPORTED:
  case VF_ERROR_ARGUMENT:
  case VF_ERROR_STREAM:
    return SOUP_STATUS_UNPROCESSABLE_ENTITY;
  default:
    return SOUP_STATUS_INTERNAL_SERVER_ERROR;
  }
}

static void stream_add(SoupServerMessage *msg, VfRestServer *server, VfRestRequest *r)
{
  VfSources *s = sources_or_fail(msg, server, r);
  if (s == NULL)
    return;
  GError *err = NULL;
  VfSourceInfo *taken = vf_sources_get_info(s, r->camera_id, NULL);
  if (taken) {
    char *e = g_strdup_printf("camera_id '%s' is a source already (source %u, %s): remove it "
                              "first or use another id",
                              r->camera_id, taken->source_id, taken->uri);
    vf_source_info_free(taken);
    fail(msg, r, SOUP_STATUS_CONFLICT, e);
    g_free(e);
    return;
  }
  guint id = 0;
  if (!vf_sources_add(s, r->camera_url, r->camera_id, r->camera_name, &id, &err)) {
    /* a taken id (raced) or too many sources: a conflict; a URL that cannot be used: 422 */
    guint status = err->code == VF_ERROR_ARGUMENT && vf_sources_get_info(s, r->camera_id, NULL)
                       ? SOUP_STATUS_CONFLICT
                       : status_of(err);
    if (err->code == VF_ERROR_NOT_FOUND)
      status = SOUP_STATUS_UNPROCESSABLE_ENTITY; /* the camera_url's file */
    fail_error(msg, r, status, err);
    return;
  }
  Field f = { "source_id", id };
  succeed(msg, r, add_field, &f);
}

static void stream_remove(SoupServerMessage *msg, VfRestServer *server, VfRestRequest *r)
{
  VfSources *s = sources_or_fail(msg, server, r);
  GError *err = NULL;
  if (s == NULL)
    return;
  if (!vf_sources_remove(s, r->camera_id, &err))
    fail_error(msg, r, status_of(err), err);
  else
    succeed(msg, r, NULL, NULL);
}

static void stream_info(SoupServerMessage *msg, VfRestServer *server, VfRestRequest *r)
{
  VfSources *s = vf_pipeline_get_sources(server->pipeline);
  GPtrArray *list = vf_sources_list(s); /* empty without sources */
  succeed(msg, r, add_stream_info, list);
  g_ptr_array_unref(list);
}

static void record(SoupServerMessage *msg, VfRestServer *server, VfRestRequest *r)
{
  VfSources *s = sources_or_fail(msg, server, r);
  if (s == NULL)
    return;
  GError *err = NULL;
  guint session = r->session;
  gboolean ok = r->kind == VF_REST_RECORD_START
                    ? vf_sources_start_recording(s, r->camera_id, r->seconds_before, r->duration,
                                                 &session, &err)
                    : vf_sources_stop_recording(s, r->camera_id, r->session, &err);
  if (!ok) {
    fail_error(msg, r, status_of(err), err);
    return;
  }
  Field f = { "session", session };
  succeed(msg, r, add_field, &f);
}

static void force_idr(SoupServerMessage *msg, VfRestServer *server, VfRestRequest *r)
{
  GPtrArray *all = elements_of(server->pipeline, "x264enc");
  for (guint i = 0; r->value && i < all->len; i++) {
    GstPad *src = gst_element_get_static_pad(all->pdata[i], "src");
    if (src) {
      gst_pad_send_event(src,
                         gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
      gst_object_unref(src);
    }
  }
  guint n = all->len;
  g_ptr_array_unref(all);
  if (n == 0) {
    fail(msg, r, SOUP_STATUS_CONFLICT, "the pipeline has no encoder (x264enc)");
    return;
  }
  Field f = { "elements", n };
  succeed(msg, r, add_field, &f);
}

static void carry_out(SoupServerMessage *msg, VfRestServer *server, VfRestRequest *r)
{
  switch (r->kind) {
  case VF_REST_STREAM_ADD:
    stream_add(msg, server, r);
    break;
  case VF_REST_STREAM_REMOVE:
    stream_remove(msg, server, r);
    break;
  case VF_REST_STREAM_INFO:
    stream_info(msg, server, r);
    break;
  case VF_REST_HEALTH:
    succeed(msg, r, add_health,
            GINT_TO_POINTER(vf_pipeline_get_state(server->pipeline) == VF_STATE_PLAYING));
    break;
  case VF_REST_INFER_INTERVAL:
    set_on_all(msg, server, r, "vfinfer", "interval", r->value);
    break;
  case VF_REST_MUX_PUSH_TIMEOUT:
    set_on_all(msg, server, r, "vfmux", "batched-push-timeout", r->value);
    break;
  case VF_REST_ENC_BITRATE:
    set_on_all(msg, server, r, "x264enc", "bitrate", MAX(r->value / 1000, 1)); /* kbit/s */
    break;
  case VF_REST_ENC_FORCE_IDR:
    force_idr(msg, server, r);
    break;
  case VF_REST_APP_QUIT:
    if (r->value)
      vf_pipeline_send_eos(server->pipeline);
    succeed(msg, r, NULL, NULL);
    break;
  case VF_REST_RECORD_START:
  case VF_REST_RECORD_STOP:
    record(msg, server, r);
    break;
  }
}

/* ---- the server ---- */

/* From the headers, before the body is read: unknown paths, wrong methods, bodies too large or
 * of unknown length. Setting a status here makes libsoup answer without reading the body. */
static void on_headers(SoupServer *soup, SoupServerMessage *msg, const char *path,
                       GHashTable *query, gpointer data)
{
  (void)soup;
  (void)query;
  (void)data;
  const char *method = soup_server_message_get_method(msg);
  const char *allowed = vf_rest_allowed_method(path);
  SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
  SoupEncoding encoding = soup_message_headers_get_encoding(h);
  goffset length
      = encoding == SOUP_ENCODING_CONTENT_LENGTH ? soup_message_headers_get_content_length(h) : 0;
  GError *err = NULL;
  guint status = 0;
  if (allowed == NULL || !g_str_equal(allowed, method)) {
    VfRestRequest *r = vf_rest_request_parse(method, path, NULL, 0, 0, &status, &err);
    vf_rest_request_free(r); /* NULL: the path or method is wrong */
    if (status == SOUP_STATUS_METHOD_NOT_ALLOWED)
      soup_message_headers_append(soup_server_message_get_response_headers(msg), "Allow", allowed);
  } else if (encoding == SOUP_ENCODING_CHUNKED || encoding == SOUP_ENCODING_EOF) {
    status = SOUP_STATUS_LENGTH_REQUIRED;
    err = g_error_new(VF_ERROR, VF_ERROR_ARGUMENT,
                      "send the body with a Content-Length (at most %d bytes)", VF_REST_MAX_BODY);
  } else if (length > VF_REST_MAX_BODY) {
    status = SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
    err = g_error_new(VF_ERROR, VF_ERROR_ARGUMENT,
                      "the body has %" G_GOFFSET_FORMAT " bytes; at most %d are read", length,
                      VF_REST_MAX_BODY);
  }
  if (status) {
    respond(msg, status, "BAD_REQUEST", err ? err->message : NULL, NULL, NULL);
    soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Connection",
                                 "close");
    g_clear_error(&err);
  }
}

static void on_request(SoupServer *soup, SoupServerMessage *msg, const char *path,
                       GHashTable *query, gpointer data)
{
  (void)soup;
  (void)query;
  VfRestServer *server = data;
  if (soup_server_message_get_status(msg) != SOUP_STATUS_NONE)
    return; /* answered from the headers */
  SoupMessageBody *body = soup_server_message_get_request_body(msg);
  GBytes *bytes = soup_message_body_flatten(body);
  gsize n = 0;
  const char *text = g_bytes_get_data(bytes, &n);
  guint status = 0;
  GError *err = NULL;
  VfRestRequest *r = vf_rest_request_parse(soup_server_message_get_method(msg), path, text, n,
                                           g_get_real_time(), &status, &err);
  g_bytes_unref(bytes);
  if (r == NULL) {
    respond(msg, status, "BAD_REQUEST", err->message, NULL, NULL);
    g_error_free(err);
    return;
  }
  carry_out(msg, server, r);
  vf_rest_request_free(r);
}

static gboolean quit_loop(gpointer data)
{
  g_main_loop_quit(data);
  return G_SOURCE_REMOVE;
}

static gpointer serve(gpointer data)
{
  VfRestServer *r = data;
  g_main_context_push_thread_default(r->ctx);
  SoupServer *soup = soup_server_new("server-header", "vidflow ", NULL);
  soup_server_add_early_handler(soup, NULL, on_headers, r, NULL);
  soup_server_add_handler(soup, NULL, on_request, r, NULL);
  GInetAddress *a = g_inet_address_new_from_string(r->address);
  GSocketAddress *sa = g_inet_socket_address_new(a, (guint16)r->port);
  GError *err = NULL;
  gboolean ok = soup_server_listen(soup, sa, 0, &err);
  g_object_unref(sa);
  g_object_unref(a);
  guint port = 0;
  GSList *listeners = ok ? soup_server_get_listeners(soup) : NULL;
  if (listeners) {
    GSocketAddress *local = g_socket_get_local_address(listeners->data, NULL);
    if (local) {
      port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local));
      g_object_unref(local);
    }
  }
  g_slist_free(listeners);
  g_mutex_lock(&r->lock);
  r->ready = TRUE;
  r->port = port;
  if (!ok)
    r->error = err;
  g_cond_broadcast(&r->cond);
  g_mutex_unlock(&r->lock);
  if (ok)
    g_main_loop_run(r->loop);
  soup_server_disconnect(soup);
  g_object_unref(soup);
  g_main_context_pop_thread_default(r->ctx);
  return NULL;
}

static void server_stop(VfRestServer *r)
{
  if (r->thread == NULL)
    return;
  g_main_context_invoke(r->ctx, quit_loop, r->loop);
  g_thread_join(r->thread);
  r->thread = NULL;
}

static void server_free(gpointer object)
{
  VfRestServer *r = object;
  server_stop(r);
  g_main_loop_unref(r->loop);
  g_main_context_unref(r->ctx);
  g_clear_error(&r->error);
  g_free(r->address);
  g_mutex_clear(&r->lock);
  g_cond_clear(&r->cond);
  g_free(r);
}

static void server_unbind(gpointer object)
{
  server_stop(object); /* before the elements and the sources go */
}

static const VfAttachedClass rest_class = {
  .kind = "REST server",
  .constructor = "vf_pipeline_serve_rest",
  .unbind = server_unbind,
  .free = server_free,
};

VfRestServer *vf_pipeline_serve_rest(VfPipeline *pipeline, const char *address, guint port,
                                     GError **error)
{
  if (vf_arg_is_null(pipeline, "pipeline", G_STRFUNC, error))
    return NULL;
  if (port > 65535) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "%s(): port %u is not a TCP port (0-65535; 0: any free port)", G_STRFUNC, port);
    return NULL;
  }
  if (address == NULL || g_str_equal(address, "localhost"))
    address = DEFAULT_ADDRESS;
  GInetAddress *check = g_inet_address_new_from_string(address);
  if (check == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "%s(): '%s' is not an IP address (127.0.0.1 serves this machine only, 0.0.0.0 "
                "every interface)",
                G_STRFUNC, address);
    return NULL;
  }
  g_object_unref(check);
  VfRestServer *other = vf_pipeline_find_attached(pipeline, &rest_class, NULL);
  if (other) {
    g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                "%s(): pipeline '%s' has a REST server already (port %u)", G_STRFUNC,
                vf_pipeline_get_name(pipeline), other->port);
    return NULL;
  }
  VfRestServer *r = g_new0(VfRestServer, 1);
  r->pipeline = pipeline;
  r->address = g_strdup(address);
  r->port = port;
  r->ctx = g_main_context_new();
  r->loop = g_main_loop_new(r->ctx, FALSE);
  g_mutex_init(&r->lock);
  g_cond_init(&r->cond);
  r->thread = g_thread_new("vf-rest", serve, r);
  g_mutex_lock(&r->lock);
  while (!r->ready)
    g_cond_wait(&r->cond, &r->lock);
  GError *err = g_steal_pointer(&r->error);
  g_mutex_unlock(&r->lock);
  if (err) {
    g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                "%s(): cannot serve on %s:%u: %s (another server on that port? choose another, "
                "or 0 for any free port)",
                G_STRFUNC, address, port, err->message);
    g_error_free(err);
    server_free(r);
    return NULL;
  }
  vf_pipeline_take(pipeline, &rest_class, r);
  return r;
}

VfRestServer *vf_pipeline_get_rest_server(VfPipeline *pipeline)
{
  return pipeline ? vf_pipeline_find_attached(pipeline, &rest_class, NULL) : NULL;
}

guint vf_rest_server_get_port(VfRestServer *server)
{
  return server ? server->port : 0;
}

char *vf_rest_server_get_url(VfRestServer *server)
{
  if (server == NULL)
    return NULL;
  gboolean v6 = strchr(server->address, ':') != NULL;
  return g_strdup_printf("http://%s%s%s:%u", v6 ? "[" : "", server->address, v6 ? "]" : "",
                         server->port);
}
