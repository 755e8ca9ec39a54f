/* The REST server (rest.h) against a real HTTP client (curl): stream add/remove/info, health,
 * live properties, app/quit, and the bad requests (malformed JSON, missing fields, wrong method,
 * unknown path, huge body, a taken sensor, an unknown one, a URL that cannot be opened) that get
 * 4xx with a JSON error while the pipeline runs on undisturbed. */
#include "rest-util.h"

#include <sys/wait.h>

static char *clip; /* 10 s, 320x240, 30 fps */
static char *big;  /* a 100 KiB body */

/* An error answer: the status, a JSON error naming `part`, a *_FAIL or BAD_REQUEST reason. */
static void assert_refused(const char *url, const char *method, const char *path, const char *body,
                           guint status, const char *part)
{
  Answer a = http(url, method, path, body);
  if (a.status != status)
    g_error("%s %s: HTTP %u, expected %u: %s", method, path, a.status, status, a.text);
  g_assert_nonnull(a.body);
  const char *error = member_string(a.body, "error");
  g_assert_nonnull(error);
  if (part && !strstr(error, part))
    g_error("%s %s: error '%s' does not say '%s'", method, path, error, part);
  const char *reason = member_string(a.body, "reason");
  g_assert_true(g_str_has_suffix(reason, "_FAIL") || g_str_equal(reason, "BAD_REQUEST"));
  char *line = g_strdup_printf("HTTP/1.1 %u", status);
  g_assert_true(g_str_has_prefix(member_string(a.body, "status"), line));
  g_free(line);
  answer_clear(&a);
}

static char *add_body(const char *id, const char *url)
{
  return g_strdup_printf("{\"key\": \"sensor\", \"value\": {\"camera_id\": \"%s\", "
                         "\"camera_name\": \"Cam %s\", \"camera_url\": \"%s\", "
                         "\"change\": \"camera_add\"}}",
                         id, id, url);
}

static char *remove_body(const char *id)
{
  return g_strdup_printf("{\"key\": \"sensor\", \"value\": {\"camera_id\": \"%s\", "
                         "\"change\": \"camera_remove\"}}",
                         id);
}

static void test_server_arguments(void)
{
  GError *err = NULL;
  VfSources *s;
  VfPipeline *p = live_pipeline("rest-args", NULL, TRUE, &s);
  g_assert_null(vf_pipeline_serve_rest(NULL, NULL, 0, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_assert_null(vf_pipeline_serve_rest(p, "not-an-address", 0, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_assert_nonnull(strstr(err->message, "not-an-address"));
  g_clear_error(&err);
  g_assert_null(vf_pipeline_serve_rest(p, NULL, 70000, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_assert_null(vf_pipeline_get_rest_server(p));
  VfRestServer *r = vf_pipeline_serve_rest(p, NULL, 0, &err);
  VF_ASSERT_OK(r != NULL, err);
  g_assert_true(vf_pipeline_get_rest_server(p) == r);
  guint port = vf_rest_server_get_port(r);
  g_assert_cmpuint(port, >, 0);
  char *url = vf_rest_server_get_url(r);
  g_assert_true(g_str_has_prefix(url, "http://127.0.0.1:")); /* this machine only by default */
  g_free(url);
  g_assert_null(vf_pipeline_serve_rest(p, NULL, 0, &err)); /* one per pipeline */
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_clear_error(&err);
  /* the port is taken: another pipeline cannot have it */
  VfPipeline *q = vf_pipeline_new("rest-args-2");
  g_assert_null(vf_pipeline_serve_rest(q, NULL, port, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_assert_nonnull(strstr(err->message, "port"));
  g_clear_error(&err);
  vf_pipeline_free(q);
  g_assert_cmpuint(vf_rest_server_get_port(NULL), ==, 0);
  g_assert_null(vf_rest_server_get_url(NULL));
  vf_pipeline_free(p);
}

static void test_rest(void)
{
  if (curl == NULL) {
    g_test_skip("curl is not installed (tools/setup.sh installs it)");
    return;
  }
  GError *err = NULL;
  VfSources *s;
  /* looping: no source ends by itself however slow the machine (AddressSanitizer) */
  const char *loop[] = { "file-loop", "true", NULL };
  VfSourcesConfig cfg = { .keep_running = TRUE, .max_sources = 3, .source_properties = loop };
  VfPipeline *p = live_pipeline("rest", &cfg, TRUE, &s);
  LiveWatch w;
  live_watch_init(&w, p, "mux");
  VfRestServer *r = vf_pipeline_serve_rest(p, NULL, 0, &err);
  VF_ASSERT_OK(r != NULL, err);
  char *url = vf_rest_server_get_url(r);

  /* before it runs: not ready */
  Answer a = http(url, "GET", "/api/v1/health/get-dsready-state", NULL);
  g_assert_cmpuint(a.status, ==, 200);
  JsonObject *o = json_node_get_object(a.body);
  g_assert_cmpstr(
      json_object_get_string_member(json_object_get_object_member(o, "health-info"), "ds-ready"),
      ==, "NO");
  answer_clear(&a);

  VF_ASSERT_OK(vf_sources_add(s, clip, "cam0", NULL, NULL, &err), err);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  g_assert_true(live_wait_frames(&w, 0, 5, 20));
  a = http(url, "GET", "/api/v1/health/get-dsready-state", NULL);
  g_assert_cmpuint(a.status, ==, 200);
  o = json_node_get_object(a.body);
  g_assert_cmpstr(
      json_object_get_string_member(json_object_get_object_member(o, "health-info"), "ds-ready"),
      ==, "YES");
  answer_clear(&a);

  /* add over REST */
  char *body = add_body("door", clip);
  gint64 t0 = g_get_monotonic_time();
  a = http(url, "POST", "/api/v1/stream/add", body);
  g_assert_cmpuint(a.status, ==, 200);
  g_assert_cmpstr(member_string(a.body, "reason"), ==, "STREAM_ADD_SUCCESS");
  g_assert_cmpint(json_object_get_int_member(json_node_get_object(a.body), "source_id"), ==, 1);
  answer_clear(&a);
  g_assert_true(live_wait_frames(&w, 1, 1, 20));
  g_test_message("REST add: first frame after %.1f ms", (w.first_us[1] - t0) / 1000.0);
  /* the same camera again: a conflict, nothing changes */
  assert_refused(url, "POST", "/api/v1/stream/add", body, 409, "door");
  g_free(body);

  a = http(url, "GET", "/api/v1/stream/get-stream-info", NULL);
  g_assert_cmpuint(a.status, ==, 200);
  JsonObject *info = json_object_get_object_member(json_node_get_object(a.body), "stream-info");
  g_assert_cmpint(json_object_get_int_member(info, "stream-count"), ==, 2);
  JsonArray *list = json_object_get_array_member(info, "stream-info");
  g_assert_cmpuint(json_array_get_length(list), ==, 2);
  JsonObject *door = json_array_get_object_element(list, 1);
  g_assert_cmpstr(json_object_get_string_member(door, "camera_id"), ==, "door");
  g_assert_cmpstr(json_object_get_string_member(door, "camera_name"), ==, "Cam door");
  g_assert_cmpint(json_object_get_int_member(door, "source_id"), ==, 1);
  g_assert_true(g_str_has_prefix(json_object_get_string_member(door, "camera_url"), "file://"));
  answer_clear(&a);

  /* bad requests: 4xx with a JSON error, the pipeline undisturbed */
  guint64 before = live_frames(&w, 0);
  assert_refused(url, "POST", "/api/v1/stream/add", "{\"key\": \"sensor\", \"value\": {", 400,
                 NULL);
  assert_refused(url, "POST", "/api/v1/stream/add", "[1, 2, 3]", 400, NULL);
  assert_refused(url, "POST", "/api/v1/stream/add",
                 "{\"key\": \"sensor\", \"value\": {\"camera_id\": \"x\"}}", 400, "camera_url");
  assert_refused(url, "POST", "/api/v1/stream/add", "\xff\xfe garbage \x01", 400, NULL);
  char *nested = g_strnfill(200, '[');
  assert_refused(url, "POST", "/api/v1/stream/add", nested, 400, NULL);
  g_free(nested);
  body = add_body("ghost", "/no/such/file.mp4");
  assert_refused(url, "POST", "/api/v1/stream/add", body, 422, "/no/such/file.mp4");
  g_free(body);
  body = add_body("odd", "nosuchscheme://x/y");
  assert_refused(url, "POST", "/api/v1/stream/add", body, 422, "nosuchscheme");
  g_free(body);
  body = remove_body("nobody");
  assert_refused(url, "POST", "/api/v1/stream/remove", body, 404, "nobody");
  g_free(body);
  /* many objects side by side are no deep nesting (the depth count once went up twice per
   * object: 40 siblings read as nested too deep, 400 instead of this 404) */
  GString *wide = g_string_new("{\"extra\": [");
  for (guint i = 0; i < 40; i++)
    g_string_append(wide, i ? ", {}" : "{}");
  g_string_append(wide, "], \"key\": \"sensor\", \"value\": {\"camera_id\": \"nobody\", "
                        "\"change\": \"camera_remove\"}}");
  assert_refused(url, "POST", "/api/v1/stream/remove", wide->str, 404, "nobody");
  g_string_free(wide, TRUE);
  /* one object and nothing else (json-glib 1.6 alone took "1 {...}" for one value) */
  assert_refused(url, "POST", "/api/v1/stream/remove", "1 {\"key\": \"sensor\"}", 400,
                 "one JSON object");
  assert_refused(url, "POST", "/api/v1/stream/remove", "{\"key\": \"sensor\"} {}", 400,
                 "one JSON object");
  assert_refused(url, "GET", "/api/v1/stream/add", NULL, 405, NULL);
  a = http(url, "DELETE", "/api/v1/stream/get-stream-info", NULL);
  g_assert_cmpuint(a.status, ==, 405);
  g_assert_nonnull(strstr(a.headers, "Allow: GET"));
  answer_clear(&a);
  assert_refused(url, "GET", "/api/v1/no/such/thing", NULL, 404, NULL);
  assert_refused(url, "GET", "/", NULL, 404, NULL);
  assert_refused(url, "POST", "/api/v1/stream/add", big, 413, NULL);
  /* no vfinfer in this pipeline: a conflict that says so */
  assert_refused(url, "POST", "/api/v1/infer/set-interval",
                 "{\"stream\": {\"stream_id\": \"0\", \"interval\": 2}}", 409, "vfinfer");
  assert_refused(url, "POST", "/api/v1/infer/set-interval", "{\"stream\": {\"interval\": -3}}", 400,
                 NULL);
  g_assert_cmpuint(vf_sources_get_count(s), ==, 2);
  g_assert_true(live_wait_frames(&w, 0, before + 10, 20));
  g_assert_cmpint(vf_pipeline_get_state(p), ==, VF_STATE_PLAYING);

  /* a live property of the muxer */
  a = http(url, "POST", "/api/v1/mux/batched-push-timeout",
           "{\"stream\": {\"batched_push_timeout\": 50000}}");
  g_assert_cmpuint(a.status, ==, 200);
  answer_clear(&a);
  gint timeout = 0;
  g_object_get(vf_pipeline_get_element(p, "mux"), "batched-push-timeout", &timeout, NULL);
  g_assert_cmpint(timeout, ==, 50000);

  /* max_sources (3): the third is taken, a fourth is a conflict */
  body = add_body("third", clip);
  a = http(url, "POST", "/api/v1/stream/add", body);
  g_assert_cmpuint(a.status, ==, 200);
  answer_clear(&a);
  g_free(body);
  body = add_body("fourth", clip);
  assert_refused(url, "POST", "/api/v1/stream/add", body, 409, "max_sources");
  g_free(body);

  /* remove over REST: drained, announced, gone */
  body = remove_body("door");
  t0 = g_get_monotonic_time();
  a = http(url, "POST", "/api/v1/stream/remove", body);
  g_assert_cmpuint(a.status, ==, 200);
  g_assert_cmpstr(member_string(a.body, "reason"), ==, "STREAM_REMOVE_SUCCESS");
  answer_clear(&a);
  g_free(body);
  g_assert_true(live_wait(&w, &w.removed[1], 1, 10));
  g_test_message("REST remove: gone after %.1f ms", (w.removed_us[1] - t0) / 1000.0);
  g_assert_cmpuint(w.eos[1], ==, 1);
  a = http(url, "GET", "/api/v1/stream/get-stream-info", NULL);
  info = json_object_get_object_member(json_node_get_object(a.body), "stream-info");
  g_assert_cmpint(json_object_get_int_member(info, "stream-count"), ==, 2);
  answer_clear(&a);

  /* app/quit: the stream ends cleanly */
  a = http(url, "POST", "/api/v1/app/quit", "{\"stream\": {\"app_quit\": 1}}");
  g_assert_cmpuint(a.status, ==, 200);
  answer_clear(&a);
  VF_ASSERT_OK(vf_pipeline_wait(p, &err), err);
  g_assert_true(w.pipeline_eos);
  g_assert_cmpuint(w.broken, ==, 0);
  g_free(url);
  vf_pipeline_free(p);
  live_watch_clear(&w);
}

/* `vidflow run --rest-port=0` on a flow with batch_capture: a source added with curl shows in the
 * progress output, removed again, then app/quit ends the run with status 0. */
static void test_vidflow_run(void)
{
  if (curl == NULL) {
    g_test_skip("curl is not installed (tools/setup.sh installs it)");
    return;
  }
  char *yaml_text = g_strdup_printf("flow:\n"
                                    "  - batch_capture:\n"
                                    "      uris: ['%s']\n"
                                    "      drop_pipeline_eos: true\n"
                                    "      live_source: true\n"
                                    "  - render: discard\n",
                                    clip);
  char *yaml = flow_test_write("rest-run.yaml", yaml_text);
  g_free(yaml_text);
  const char *argv[]
      = { g_getenv("VIDFLOW_CMD"), "run", "--no-progress", "--rest-port=0", yaml, NULL };
  GPid pid;
  gint err_fd;
  GError *err = NULL;
  VF_ASSERT_OK(g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
                                        G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                        NULL, NULL, &pid, NULL, NULL, &err_fd, &err),
               err);
  GIOChannel *ch = g_io_channel_unix_new(err_fd);
  g_io_channel_set_close_on_unref(ch, TRUE);
  GString *seen = g_string_new(NULL);
  char *url = NULL;
  gboolean added = FALSE, removed = FALSE;
  for (;;) {
    char *line = NULL;
    if (g_io_channel_read_line(ch, &line, NULL, NULL, NULL) != G_IO_STATUS_NORMAL)
      break;
    g_string_append(seen, line);
    const char *at = strstr(line, "REST server at ");
    if (at && url == NULL) {
      url = g_strndup(at + strlen("REST server at "), strcspn(at + 15, "\n") - strlen("/api/v1/"));
      char *body = add_body("extra", clip);
      Answer a = http(url, "POST", "/api/v1/stream/add", body);
      g_assert_cmpuint(a.status, ==, 200);
      answer_clear(&a);
      g_free(body);
    } else if (url && !added && strstr(line, "source 1 added")) {
      added = TRUE;
      char *body = remove_body("extra");
      Answer a = http(url, "POST", "/api/v1/stream/remove", body);
      g_assert_cmpuint(a.status, ==, 200);
      answer_clear(&a);
      g_free(body);
    } else if (added && !removed && strstr(line, "source 1 removed")) {
      removed = TRUE;
      Answer a = http(url, "POST", "/api/v1/app/quit", "{\"stream\": {\"app_quit\": 1}}");
      g_assert_cmpuint(a.status, ==, 200);
      answer_clear(&a);
    }
    g_free(line);
  }
  g_io_channel_unref(ch);
  gint status = 0;
  waitpid(pid, &status, 0);
  g_spawn_close_pid(pid);
  if (!removed || !g_spawn_check_wait_status(status, NULL))
    g_error("vidflow run --rest-port: added %d removed %d, status %d:\n%s", added, removed, status,
            seen->str);
  g_string_free(seen, TRUE);
  g_free(url);
  g_unlink(yaml);
  g_free(yaml);
}

/* ---- live properties against real elements: their effect on the stream ---- */

#define GATE_FRAMES 128

/* A pad probe that holds the stream at chosen frames until the test did its request, so that
 * every frame is known to come before or after the change. */
typedef struct {
  GMutex lock;
  GCond cond;
  guint frames;       /* frames that went past the gate */
  const guint *stops; /* frame numbers to hold at, ascending, G_MAXUINT-terminated */
  guint next;         /* the next stop */
  gboolean held;      /* the stream waits at stops[next] */
} Gate;

static GstPadProbeReturn gate_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  (void)info;
  Gate *g = data;
  g_mutex_lock(&g->lock);
  if (g->frames == g->stops[g->next]) {
    g->held = TRUE;
    g_cond_broadcast(&g->cond);
    while (g->held)
      g_cond_wait(&g->cond, &g->lock);
    g->next++;
  }
  g->frames++;
  g_mutex_unlock(&g->lock);
  return GST_PAD_PROBE_OK;
}

static void gate_init(Gate *g, GstElement *element, const guint *stops)
{
  memset(g, 0, sizeof *g);
  g_mutex_init(&g->lock);
  g_cond_init(&g->cond);
  g->stops = stops;
  GstPad *sink = gst_element_get_static_pad(element, "sink");
  gst_pad_add_probe(sink, GST_PAD_PROBE_TYPE_BUFFER, gate_probe, g, NULL);
  gst_object_unref(sink);
}

/* Waits until the stream is held at the next stop (FALSE after 60 s). */
static gboolean gate_wait(Gate *g)
{
  gint64 until = g_get_monotonic_time() + 60 * G_TIME_SPAN_SECOND;
  g_mutex_lock(&g->lock);
  gboolean ok = TRUE;
  while (!g->held && ok)
    ok = g_cond_wait_until(&g->cond, &g->lock, until);
  ok = g->held;
  g_mutex_unlock(&g->lock);
  return ok;
}

static void gate_release(Gate *g)
{
  g_mutex_lock(&g->lock);
  g->held = FALSE;
  g_cond_broadcast(&g->cond);
  g_mutex_unlock(&g->lock);
}

static void gate_clear(Gate *g)
{
  g_mutex_clear(&g->lock);
  g_cond_clear(&g->cond);
}

/* Per frame after an element: objects found (vfinfer) or bytes and key frames (an encoder). */
typedef struct {
  guint frames;
  guint objects[GATE_FRAMES];
  gsize bytes[GATE_FRAMES];
  gboolean key[GATE_FRAMES];
} Tally;

static GstPadProbeReturn tally_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  Tally *t = data; /* one streaming thread writes it; read after the pipeline ended */
  GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER(info);
  if (t->frames < GATE_FRAMES) {
    VfBatchMeta *meta = vf_batch_meta_get(b);
    t->objects[t->frames] = meta && vf_batch_meta_get_n_frames(meta)
                                ? vf_frame_meta_get_n_objects(vf_batch_meta_get_frame(meta, 0))
                                : 0;
    t->bytes[t->frames] = gst_buffer_get_size(b);
    t->key[t->frames] = !GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_DELTA_UNIT);
  }
  t->frames++;
  return GST_PAD_PROBE_OK;
}

static void tally_after(VfPipeline *p, const char *element, Tally *t)
{
  memset(t, 0, sizeof *t);
  GstPad *src = gst_element_get_static_pad(vf_pipeline_get_element(p, element), "src");
  gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER, tally_probe, t, NULL);
  gst_object_unref(src);
}

static void post_ok(const char *url, const char *path, const char *body)
{
  Answer a = http(url, "POST", path, body);
  if (a.status != 200)
    g_error("POST %s: HTTP %u: %s", path, a.status, a.text);
  answer_clear(&a);
}

/* set-interval on a running vfinfer: 5 frames of the sample footage inferred one by one, then
 * interval 4: one frame in 5 gets objects (people in every frame of vtest.avi). Frames go to the
 * model's size in vfmux (one scaling). */
static void test_infer_interval(void)
{
  const char *data = g_getenv("VIDFLOW_DATA_DIR"), *configs = g_getenv("VIDFLOW_CONFIGS");
  char *model = g_build_filename(data ? data : "data", "models", "ssd_mobilenet_v2_oid.onnx", NULL);
  char *video = g_build_filename(data ? data : "data", "footage", "vtest.avi", NULL);
  char *config = g_build_filename(configs ? configs : "configs", "ssd_mobilenet_v2_oid.yaml", NULL);
  if (curl == NULL || !g_file_test(model, G_FILE_TEST_EXISTS)
      || !g_file_test(video, G_FILE_TEST_EXISTS)) {
    g_test_skip(curl ? "no SSD model or footage: run tools/fetch-assets.sh" : "curl is missing");
    g_free(model);
    g_free(video);
    g_free(config);
    return;
  }
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new("live-interval");
  VF_ASSERT_OK(
      vf_pipeline_add(p, "filesrc", "file", &err, "location", video, NULL)
          && vf_pipeline_add(p, "decodebin", "dec", &err, NULL)
          && vf_pipeline_add(p, "vfmux", "mux", &err, "width", "300", "height", "300", NULL)
          && vf_pipeline_add(p, "vfinfer", "infer", &err, "config-file-path", config, NULL)
          && vf_pipeline_add(p, "fakesink", "sink", &err, NULL)
          && vf_pipeline_link(p, &err, "file", "dec", NULL)
          && vf_pipeline_link_pads(p, "dec", NULL, "mux", "sink_%u", &err)
          && vf_pipeline_link(p, &err, "mux", "infer", "sink", NULL),
      err);
  VfRestServer *r = vf_pipeline_serve_rest(p, NULL, 0, &err);
  VF_ASSERT_OK(r != NULL, err);
  char *url = vf_rest_server_get_url(r);
  static const guint stops[] = { 5, 25, G_MAXUINT };
  Gate g;
  gate_init(&g, vf_pipeline_get_element(p, "infer"), stops);
  Tally t;
  tally_after(p, "infer", &t);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  g_assert_true(gate_wait(&g));
  post_ok(url, "/api/v1/infer/set-interval",
          "{\"stream\": {\"stream_id\": \"0\", \"interval\": 4}}");
  gint interval = -1;
  g_object_get(vf_pipeline_get_element(p, "infer"), "interval", &interval, NULL);
  g_assert_cmpint(interval, ==, 4);
  gate_release(&g);
  g_assert_true(gate_wait(&g)); /* 20 frames later: enough */
  vf_pipeline_send_eos(p);
  gate_release(&g);
  VF_ASSERT_OK(vf_pipeline_wait(p, &err), err);
  g_assert_cmpuint(t.frames, >=, 25);
  guint before = 0, inferred = 0, on_skipped = 0;
  for (guint i = 0; i < 5; i++)
    before += t.objects[i] > 0;
  for (guint i = 5; i < 25; i++) {
    if (i % 5 == 0)
      inferred += t.objects[i] > 0;
    else
      on_skipped += t.objects[i] > 0;
  }
  g_test_message("frames with objects: %u of 5 at interval 0; at interval 4, %u of 4 inferred "
                 "and %u of 16 skipped",
                 before, inferred, on_skipped);
  g_assert_cmpuint(before, >=, 4);
  g_assert_cmpuint(inferred, >=, 3);
  g_assert_cmpuint(on_skipped, ==, 0);
  gate_clear(&g);
  g_free(url);
  vf_pipeline_free(p);
  g_free(model);
  g_free(video);
  g_free(config);
}

/* bitrate and force-idr on a running x264enc (noise: every bit the rate allows is used; one key
 * frame every 300 frames): the bitrate property changes and the bytes per frame drop; a forced
 * key frame comes at once, long before the next GOP. */
static void test_encoder(void)
{
  if (curl == NULL) {
    g_test_skip("curl is not installed (tools/setup.sh installs it)");
    return;
  }
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new("live-encoder");
  VF_ASSERT_OK(
      vf_pipeline_add(p, "videotestsrc", "src", &err, "pattern", "snow", "num-buffers", "90", NULL)
          && vf_pipeline_add(p, "capsfilter", "caps", &err, "caps",
                             "video/x-raw,format=I420,width=320,height=240,"
                             "framerate=30/1",
                             NULL)
          && vf_pipeline_add(p, "x264enc", "enc", &err, "bitrate", "2000", "tune", "zerolatency",
                             "speed-preset", "ultrafast", "key-int-max", "300", NULL)
          && vf_pipeline_add(p, "fakesink", "sink", &err, NULL)
          && vf_pipeline_link(p, &err, "src", "caps", "enc", "sink", NULL),
      err);
  VfRestServer *r = vf_pipeline_serve_rest(p, NULL, 0, &err);
  VF_ASSERT_OK(r != NULL, err);
  char *url = vf_rest_server_get_url(r);
  static const guint stops[] = { 30, 60, G_MAXUINT };
  Gate g;
  gate_init(&g, vf_pipeline_get_element(p, "enc"), stops);
  Tally t;
  tally_after(p, "enc", &t);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  g_assert_true(gate_wait(&g)); /* frame 30: a tenth of the bitrate */
  post_ok(url, "/api/v1/enc/bitrate", "{\"stream\": {\"stream_id\": \"0\", \"bitrate\": 200000}}");
  guint kbps = 0;
  g_object_get(vf_pipeline_get_element(p, "enc"), "bitrate", &kbps, NULL);
  g_assert_cmpuint(kbps, ==, 200);
  gate_release(&g);
  g_assert_true(gate_wait(&g)); /* frame 60: a key frame now */
  post_ok(url, "/api/v1/enc/force-idr", "{\"stream\": {\"stream_id\": \"0\", \"force_idr\": 1}}");
  gate_release(&g);
  VF_ASSERT_OK(vf_pipeline_wait(p, &err), err);
  g_assert_cmpuint(t.frames, ==, 90);
  gsize high = 0, low = 0;
  for (guint i = 10; i < 30; i++)
    high += t.bytes[i];
  for (guint i = 40; i < 60; i++)
    low += t.bytes[i];
  guint first_key = 0;
  for (guint i = 1; i < t.frames && first_key == 0; i++)
    first_key = t.key[i] ? i : 0;
  g_test_message("bytes per second: %.0f at 2000 kbit/s, %.0f at 200 kbit/s; first key frame "
                 "after frame 0: %u (forced at 60, GOP 300)",
                 high * 30.0 / 20, low * 30.0 / 20, first_key);
  g_assert_true(t.key[0]);
  g_assert_cmpuint(low * 2, <, high);
  g_assert_cmpuint(first_key, >=, 60);
  g_assert_cmpuint(first_key, <=, 62);
  gate_clear(&g);
  g_free(url);
  vf_pipeline_free(p);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  clip = flow_test_clip("rest-10s.mp4", 300, 320, 240);
  curl = g_find_program_in_path("curl");
  char *filler = g_strnfill(100 * 1024, ' ');
  big = g_strdup_printf("{\"key\": \"sensor\"%s}", filler);
  g_free(filler);
  g_test_add_func("/rest/server-arguments", test_server_arguments);
  g_test_add_func("/rest/requests", test_rest);
  g_test_add_func("/rest/vidflow-run", test_vidflow_run);
  g_test_add_func("/rest/live-infer-interval", test_infer_interval);
  g_test_add_func("/rest/live-encoder", test_encoder);
  int ret = g_test_run();
  g_unlink(clip);
  g_free(clip);
  g_free(curl);
  g_free(big);
  return ret;
}
