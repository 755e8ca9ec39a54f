/* RTSP: encode()/render(STREAM) served to an rtspsrc client in the same test; capture() of an RTSP
 * server that is stopped and restarted (the source reconnects and frames continue). Everything on
 * 127.0.0.1 with ports picked at run time. */
#include "flow-util.h"

#include <gst/rtsp-server/rtsp-server.h>
#include <sys/socket.h>

static char *clip;

/* ---- a client: rtspsrc -> decode -> count ---- */

typedef struct {
  GstElement *pipe;
  gint frames;
} Client;

static GstPadProbeReturn client_count(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  (void)info;
  g_atomic_int_inc(&((Client *)data)->frames);
  return GST_PAD_PROBE_OK;
}

static Client *client_start(const char *url)
{
  Client *c = g_new0(Client, 1);
  char *d = g_strdup_printf("rtspsrc location=%s latency=0 protocols=tcp ! rtph264depay ! "
                            "h264parse ! avdec_h264 ! fakesink name=sink sync=false",
                            url);
  GError *err = NULL;
  c->pipe = gst_parse_launch(d, &err);
  VF_ASSERT_OK(c->pipe != NULL, err);
  g_free(d);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(c->pipe), "sink");
  GstPad *pad = gst_element_get_static_pad(sink, "sink");
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, client_count, c, NULL);
  gst_object_unref(pad);
  gst_object_unref(sink);
  gst_element_set_state(c->pipe, GST_STATE_PLAYING);
  return c;
}

/* Waits until the client decoded `n` frames (FALSE after `seconds`); fails on a client error. */
static gboolean client_wait(Client *c, gint n, guint seconds)
{
  gint64 until = g_get_monotonic_time() + (gint64)seconds * G_TIME_SPAN_SECOND;
  while (g_atomic_int_get(&c->frames) < n && g_get_monotonic_time() < until) {
    GstMessage *msg
        = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(c->pipe), 50 * GST_MSECOND, GST_MESSAGE_ERROR);
    if (msg) {
      GError *e = NULL;
      gst_message_parse_error(msg, &e, NULL);
      g_error("RTSP client: %s", e->message);
    }
  }
  return g_atomic_int_get(&c->frames) >= n;
}

static void client_free(Client *c)
{
  gst_element_set_state(c->pipe, GST_STATE_NULL);
  gst_object_unref(c->pipe);
  g_free(c);
}

static void check_served(VfFlow *f, const char *mount)
{
  GError *err = NULL;
  VF_ASSERT_OK(vf_flow_start(f, &err), err);
  char *url = vf_flow_get_rtsp_url(f, 0);
  g_assert_nonnull(url);
  g_assert_true(g_str_has_prefix(url, "rtsp://"));
  g_assert_true(g_str_has_suffix(url, mount));
  g_assert_null(strstr(url, ":0/")); /* the bound port, not 0 */
  Client *c = client_start(url);
  g_assert_true(client_wait(c, 15, 20));
  client_free(c);
  /* a second client joins the same stream */
  c = client_start(url);
  g_assert_true(client_wait(c, 5, 20));
  client_free(c);
  vf_flow_stop(f);
  g_free(url);
}

static void test_encode_rtsp(void)
{
  const char *uris[] = { clip, NULL };
  VfFlow *f = vf_flow_new(NULL);
  GError *err = NULL;
  vf_flow_capture(f, uris, &err, "file_loop", "true", NULL);
  VF_ASSERT_OK(vf_flow_encode(f, "rtsp://127.0.0.1:0", VF_PROFILE_BASELINE, 1000000, 10, &err,
                              "sync", "true", NULL)
                   != NULL,
               err);
  check_served(f, VF_RTSP_DEFAULT_MOUNT);
  vf_flow_free(f);
}

static void test_render_stream(void)
{
  const char *uris[] = { clip, NULL };
  VfFlow *f = vf_flow_new(NULL);
  GError *err = NULL;
  vf_flow_capture(f, uris, &err, "file_loop", "true", NULL);
  VF_ASSERT_OK(
      vf_flow_render(f, VF_RENDER_STREAM, &err, "port", "0", "mount", "cam", "sync", "true", NULL)
          != NULL,
      err);
  check_served(f, "/cam");
  vf_flow_free(f);
}

/* Two outputs of one flow on one server: the seed's fork, RTSP + file. */
static void test_fork_rtsp_and_file(void)
{
  guint port = flow_test_free_port();
  char *dest = g_strdup_printf("rtsp://127.0.0.1:%u", port);
  char *out = flow_test_path("fork-rtsp.mp4");
  const char *uris[] = { clip, NULL };
  VfFlow *f = vf_flow_new(NULL);
  GError *err = NULL;
  VfFlow *t = vf_flow_fork(vf_flow_capture(f, uris, &err, "file_loop", "true", NULL), &err, NULL);
  VF_ASSERT_OK(vf_flow_encode(t, dest, 0, 0, 0, &err, "sync", "true", NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_encode(t, out, 0, 0, 0, &err, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_render(t, VF_RENDER_DISCARD, &err, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_start(f, &err), err);
  char *url = vf_flow_get_rtsp_url(f, 0);
  char *expected = g_strdup_printf("%s/ds-test", dest);
  g_assert_cmpstr(url, ==, expected);
  Client *c = client_start(url);
  g_assert_true(client_wait(c, 10, 20));
  client_free(c);
  /* drain: the file is finalised */
  vf_pipeline_send_eos(vf_flow_get_pipeline(f));
  VF_ASSERT_OK(vf_flow_wait(f, &err), err);
  vf_flow_free(f);
  g_assert_true(g_file_test(out, G_FILE_TEST_IS_REGULAR));
  g_unlink(out);
  g_free(out);
  g_free(url);
  g_free(expected);
  g_free(dest);

  /* a port that is taken: a clear error at start */
  GSocket *s
      = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new(lo, 0);
  g_assert_true(g_socket_bind(s, addr, FALSE, NULL));
  g_assert_true(g_socket_listen(s, NULL));
  GSocketAddress *bound = g_socket_get_local_address(s, NULL);
  port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
  dest = g_strdup_printf("rtsp://127.0.0.1:%u", port);
  f = vf_flow_new(NULL);
  vf_flow_capture(f, uris, &err, NULL);
  VF_ASSERT_OK(vf_flow_encode(f, dest, 0, 0, 0, &err, NULL) != NULL, err);
  g_assert_false(vf_flow_run(f, &err));
  g_assert_nonnull(err);
  g_assert_nonnull(strstr(err->message, "port"));
  g_clear_error(&err);
  vf_flow_free(f);
  g_free(dest);
  g_object_unref(bound);
  g_object_unref(addr);
  g_object_unref(lo);
  g_object_unref(s);
}

/* ---- a client that stops reading ---- */

/* One RTSP request on `s` and its response's headers (transfer full; the body is read and
 * dropped). */
static char *rtsp_request(GSocket *s, const char *request)
{
  GError *err = NULL;
  g_assert_cmpint(g_socket_send(s, request, strlen(request), NULL, &err), ==, strlen(request));
  GString *head = g_string_new(NULL);
  while (!g_str_has_suffix(head->str, "\r\n\r\n")) {
    char c;
    gssize n = g_socket_receive(s, &c, 1, NULL, &err);
    VF_ASSERT_OK(n == 1, err);
    g_string_append_c(head, c);
  }
  const char *len = strstr(head->str, "Content-Length:");
  for (gint64 left = len ? g_ascii_strtoll(len + 15, NULL, 10) : 0; left > 0;) {
    char buf[512];
    gssize n = g_socket_receive(s, buf, MIN((gint64)sizeof buf, left), NULL, &err);
    VF_ASSERT_OK(n > 0, err);
    left -= n;
  }
  g_assert_nonnull(strstr(head->str, "RTSP/1.0 200"));
  return g_string_free(head, FALSE);
}

/* Connects to `url` (rtsp://127.0.0.1:PORT/MOUNT), asks for RTP over the RTSP connection, plays,
 * and never reads again (a tiny receive buffer, so the server's side fills at once). */
static GSocket *stalled_client(const char *url)
{
  GError *err = NULL;
  GUri *u = g_uri_parse(url, G_URI_FLAGS_NONE, &err);
  VF_ASSERT_OK(u != NULL, err);
  GSocket *s
      = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &err);
  VF_ASSERT_OK(s != NULL, err);
  g_assert_true(g_socket_set_option(s, SOL_SOCKET, SO_RCVBUF, 2048, NULL));
  GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new(lo, (guint16)g_uri_get_port(u));
  VF_ASSERT_OK(g_socket_connect(s, addr, NULL, &err), err);
  g_object_unref(addr);
  g_object_unref(lo);
  g_uri_unref(u);
  char *r
      = g_strdup_printf("DESCRIBE %s RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n", url);
  g_free(rtsp_request(s, r));
  g_free(r);
  r = g_strdup_printf("SETUP %s/stream=0 RTSP/1.0\r\nCSeq: 2\r\n"
                      "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n",
                      url);
  char *head = rtsp_request(s, r);
  g_free(r);
  const char *session = strstr(head, "Session: ");
  g_assert_nonnull(session);
  char *id = g_strndup(session + 9, strcspn(session + 9, ";\r"));
  r = g_strdup_printf("PLAY %s RTSP/1.0\r\nCSeq: 3\r\nSession: %s\r\n\r\n", url, id);
  g_free(rtsp_request(s, r));
  g_free(r);
  g_free(id);
  g_free(head);
  return s;
}

static VfRtspStats stats_of(VfFlow *f)
{
  VfRtspStats st;
  g_assert_true(vf_flow_get_rtsp_stats(f, 0, &st));
  return st;
}

/* A client that stops reading used to grow its queue without bound (100 KB against
 * max-bytes=1000). Now its queue stays within client_queue_bytes, what it misses is counted,
 * and the flow and the other clients go on. */
static void test_stalled_client(void)
{
  const guint64 limit = 65536;
  /* noise: large frames at 8 Mbit/s, so the stalled connection fills fast */
  char *noise = flow_test_path("rtsp-noise.mp4");
  char *d = g_strdup_printf("videotestsrc num-buffers=30 pattern=snow ! video/x-raw,format=I420,"
                            "width=320,height=240,framerate=30/1 ! x264enc speed-preset=ultrafast "
                            "bitrate=8000 ! h264parse ! mp4mux ! filesink location=%s",
                            noise);
  flow_test_launch(d);
  g_free(d);
  const char *uris[] = { noise, NULL };
  VfFlow *f = vf_flow_new(NULL);
  GError *err = NULL;
  vf_flow_capture(f, uris, &err, "file_loop", "true", NULL);
  char *limit_text = g_strdup_printf("%" G_GUINT64_FORMAT, limit);
  VF_ASSERT_OK(vf_flow_encode(f, "rtsp://127.0.0.1:0", VF_PROFILE_BASELINE, 8000000, 30, &err,
                              "sync", "true", "client_queue_bytes", limit_text, NULL)
                   != NULL,
               err);
  g_free(limit_text);
  VF_ASSERT_OK(vf_flow_start(f, &err), err);
  char *url = vf_flow_get_rtsp_url(f, 0);
  Client *good = client_start(url);
  g_assert_true(client_wait(good, 10, 20));
  GSocket *stalled = stalled_client(url);

  /* the stalled client's queue fills: drops start, the queues stay bounded */
  gint64 until = g_get_monotonic_time() + 30 * G_TIME_SPAN_SECOND;
  VfRtspStats st = stats_of(f);
  while (st.dropped < 50 && g_get_monotonic_time() < until) {
    g_assert_cmpuint(st.queued_bytes, <=, st.clients * limit);
    g_usleep(50000);
    st = stats_of(f);
  }
  g_test_message("%" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT
                 " dropped, %u clients, %" G_GUINT64_FORMAT " bytes queued",
                 st.frames, st.dropped, st.clients, st.queued_bytes);
  g_assert_cmpuint(st.dropped, >=, 50);
  g_assert_cmpuint(st.clients, ==, 2);
  g_assert_cmpuint(st.queued_bytes, <=, 2 * limit);

  /* ... while the flow goes on and the client that reads keeps decoding */
  gint decoded = g_atomic_int_get(&good->frames);
  guint64 frames = st.frames;
  g_assert_true(client_wait(good, decoded + 30, 20));
  st = stats_of(f);
  g_assert_cmpuint(st.frames, >=, frames + 20);
  g_assert_cmpuint(st.queued_bytes, <=, 2 * limit);
  client_free(good);
  g_socket_close(stalled, NULL);
  g_object_unref(stalled);
  vf_flow_stop(f);
  vf_flow_free(f);
  g_free(url);
  g_unlink(noise);
  g_free(noise);
}

/* Two outputs share a server (one host:port): the first to stop leaves the other serving, the
 * last releases the port. */
static void test_shared_server(void)
{
  guint port = flow_test_free_port();
  const char *uris[] = { clip, NULL };
  VfFlow *flows[2];
  GError *err = NULL;
  for (int i = 0; i < 2; i++) {
    char *dest = g_strdup_printf("rtsp://127.0.0.1:%u/out%d", port, i);
    flows[i] = vf_flow_new(NULL);
    vf_flow_capture(flows[i], uris, &err, "file_loop", "true", NULL);
    VF_ASSERT_OK(vf_flow_encode(flows[i], dest, 0, 0, 0, &err, "sync", "true", NULL) != NULL, err);
    VF_ASSERT_OK(vf_flow_start(flows[i], &err), err);
    g_free(dest);
  }
  char *url0 = vf_flow_get_rtsp_url(flows[0], 0), *url1 = vf_flow_get_rtsp_url(flows[1], 0);
  Client *c0 = client_start(url0), *c = client_start(url1);
  g_assert_true(client_wait(c0, 5, 20));
  g_assert_true(client_wait(c, 5, 20));
  /* the first output goes while a client still watches it: its media outlives the output (the
   * server stays, for the second), and its handlers must not reach the freed output */
  vf_flow_stop(flows[0]);
  vf_flow_free(flows[0]);
  gint before = g_atomic_int_get(&c->frames);
  g_assert_true(client_wait(c, before + 10, 20)); /* still served */
  client_free(c0);
  before = g_atomic_int_get(&c->frames);
  g_assert_true(client_wait(c, before + 10, 20));
  client_free(c);
  g_free(url0);
  vf_flow_stop(flows[1]);
  vf_flow_free(flows[1]);
  /* the port is free again */
  GSocket *s
      = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new(lo, (guint16)port);
  VF_ASSERT_OK(g_socket_bind(s, addr, TRUE, &err), err);
  g_object_unref(addr);
  g_object_unref(lo);
  g_object_unref(s);
  g_free(url1);
}

static gboolean wait_frames(FlowCounter *c, gint n, guint seconds)
{
  gint64 until = g_get_monotonic_time() + (gint64)seconds * G_TIME_SPAN_SECOND;
  while (g_atomic_int_get(&c->frames) < n && g_get_monotonic_time() < until)
    g_usleep(20000);
  return g_atomic_int_get(&c->frames) >= n;
}

/* The sources' reconnection messages (vidflow/source.h), from the pipeline's bus thread. */
typedef struct {
  GMutex lock;
  GPtrArray *reconnecting; /* GstMessage refs */
} Reconnects;

static void on_element_message(VfPipeline *pipeline, GstMessage *message, gpointer data)
{
  (void)pipeline;
  Reconnects *r = data;
  VfSourceMessage s;
  if (vf_source_message_parse(message, &s) && s.type == VF_SOURCE_MESSAGE_RECONNECTING) {
    g_mutex_lock(&r->lock);
    g_ptr_array_add(r->reconnecting, gst_message_ref(message));
    g_mutex_unlock(&r->lock);
  }
}

static void test_capture_rtsp_reconnect(void)
{
  Reconnects seen
      = { .reconnecting = g_ptr_array_new_with_free_func((GDestroyNotify)gst_message_unref) };
  g_mutex_init(&seen.lock);
  VfBusWatchCallbacks watch = { .on_message = on_element_message };
  guint port = flow_test_free_port();
  FlowTestServer *server = flow_test_server_start(port, NULL);
  char *uri = g_strdup_printf("rtsp://127.0.0.1:%u/test", port);
  const char *uris[] = { uri, NULL };
  FlowCounter c;
  flow_counter_init(&c);
  VfFlow *f = vf_flow_new(NULL);
  GError *err = NULL;
  vf_flow_capture(f, uris, &err, "rtsp_reconnect_interval", "1", "latency", "0", NULL);
  VF_ASSERT_OK(vf_flow_retrieve(f, &flow_counter_callbacks, &c, &err, NULL) != NULL, err);
  VF_ASSERT_OK(
      vf_pipeline_add_bus_watch(vf_flow_get_pipeline(f), GST_MESSAGE_ELEMENT, &watch, &seen, &err)
          > 0,
      err);
  VF_ASSERT_OK(vf_flow_start(f, &err), err);
  g_assert_true(wait_frames(&c, 20, 20));

  /* the server drops: frames stop */
  flow_test_server_stop(server);
  g_usleep(1500 * 1000);
  gint before = g_atomic_int_get(&c.frames);

  /* it comes back on the same port: the source reconnects and frames continue */
  server = flow_test_server_start(port, NULL);
  g_assert_true(wait_frames(&c, before + 20, 30));
  guint reconnects = 0;
  g_object_get(vf_pipeline_get_element(vf_flow_get_pipeline(f), "capture0-src0"), "reconnects",
               &reconnects, NULL);
  g_assert_cmpuint(reconnects, >=, 1);

  /* end of stream asked by the application ends it cleanly */
  vf_pipeline_send_eos(vf_flow_get_pipeline(f));
  VF_ASSERT_OK(vf_flow_wait(f, &err), err);
  /* each attempt was announced: the first one after the interval */
  g_assert_cmpuint(seen.reconnecting->len, >=, 1);
  VfSourceMessage first;
  g_assert_true(vf_source_message_parse(seen.reconnecting->pdata[0], &first));
  g_assert_cmpstr(first.element, ==, "capture0-src0");
  g_assert_cmpint(first.source_id, ==, 0);
  g_assert_cmpstr(first.uri, ==, uri);
  g_assert_cmpuint(first.attempt, ==, 1);
  g_assert_cmpuint(first.delay, ==, GST_SECOND);
  vf_flow_free(f);
  flow_test_server_stop(server);
  g_ptr_array_unref(seen.reconnecting);
  g_mutex_clear(&seen.lock);
  g_free(uri);
}

/* Without reconnection, a server that goes away is an error naming the URI. */
static void test_capture_rtsp_no_reconnect(void)
{
  guint port = flow_test_free_port();
  FlowTestServer *server = flow_test_server_start(port, NULL);
  char *uri = g_strdup_printf("rtsp://127.0.0.1:%u/test", port);
  const char *uris[] = { uri, NULL };
  FlowCounter c;
  flow_counter_init(&c);
  VfFlow *f = vf_flow_new(NULL);
  GError *err = NULL;
  vf_flow_capture(f, uris, &err, "rtsp_reconnect_interval", "0", NULL);
  VF_ASSERT_OK(vf_flow_retrieve(f, &flow_counter_callbacks, &c, &err, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_start(f, &err), err);
  g_assert_true(wait_frames(&c, 10, 20));
  flow_test_server_stop(server);
  gboolean ok = vf_flow_wait(f, &err);
  /* the server's teardown may end the stream (EOS) or break it (error): never a hang */
  if (!ok) {
    g_assert_nonnull(strstr(err->message, uri));
    g_clear_error(&err);
  }
  vf_flow_free(f);
  g_free(uri);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  clip = flow_test_clip("rtsp-clip.mp4", 30, 160, 120);
  g_test_add_func("/rtsp/encode-rtsp", test_encode_rtsp);
  g_test_add_func("/rtsp/render-stream", test_render_stream);
  g_test_add_func("/rtsp/fork-rtsp-and-file", test_fork_rtsp_and_file);
  g_test_add_func("/rtsp/stalled-client", test_stalled_client);
  g_test_add_func("/rtsp/shared-server", test_shared_server);
  g_test_add_func("/rtsp/capture-reconnect", test_capture_rtsp_reconnect);
  g_test_add_func("/rtsp/capture-no-reconnect", test_capture_rtsp_no_reconnect);
  int ret = g_test_run();
  g_unlink(clip);
  g_free(clip);
  return ret;
}
