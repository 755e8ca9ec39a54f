/* vidflow tests: helpers for the Flow, YAML, RTSP and command tests (clips made on the fly, free
 * ports, frame counting retrievers, a local RTSP server). */
#pragma once

#include "../test-util.h"

#include <gio/gio.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <glib/gstdio.h>
#include <unistd.h>

/* Run a gst-launch description to EOS (bounded). */
static inline void flow_test_launch(const char *description)
{
  GError *err = NULL;
  GstElement *pipe = gst_parse_launch(description, &err);
  VF_ASSERT_OK(pipe != NULL, err);
  gst_element_set_state(pipe, GST_STATE_PLAYING);
  GstMessage *msg = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(pipe), 60 * GST_SECOND,
                                               GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull(msg);
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
    GError *e = NULL;
    gst_message_parse_error(msg, &e, NULL);
    g_error("making a test file failed: %s (%s)", e->message, description);
  }
  gst_message_unref(msg);
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(pipe);
}

/* A path in the temp folder unique to this process (transfer full). */
static inline char *flow_test_path(const char *name)
{
  char *file = g_strdup_printf("vf-flow-%d-%s", (int)getpid(), name);
  char *path = g_build_filename(g_get_tmp_dir(), file, NULL);
  g_free(file);
  return path;
}

/* An H.264 MP4 of `frames` frames, w x h at 30 fps (transfer full: the path). */
static inline char *flow_test_clip(const char *name, guint frames, guint w, guint h)
{
  char *path = flow_test_path(name);
  char *d = g_strdup_printf(
      "videotestsrc num-buffers=%u pattern=smpte ! video/x-raw,format=I420,width=%u,height=%u,"
      "framerate=30/1 ! x264enc speed-preset=ultrafast key-int-max=15 ! h264parse ! mp4mux ! "
      "filesink location=%s",
      frames, w, h, path);
  flow_test_launch(d);
  g_free(d);
  return path;
}

/* A free TCP port on 127.0.0.1 (closed again: a tiny race, fine for tests). */
static inline guint flow_test_free_port(void)
{
  GSocket *s
      = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new(lo, 0);
  g_assert_true(g_socket_bind(s, addr, TRUE, NULL));
  GSocketAddress *bound = g_socket_get_local_address(s, NULL);
  guint port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
  g_object_unref(bound);
  g_object_unref(addr);
  g_object_unref(lo);
  g_socket_close(s, NULL);
  g_object_unref(s);
  return port;
}

/* A retriever that counts frames and remembers the first frame's shape. */
typedef struct {
  gint frames;     /* atomic */
  gint destroyed;  /* destroy() calls */
  gint stop_after; /* > 0: return VF_CONSUME_STOP after this many */
  guint ndim, width, height, batch;
  VfColorFormat format;
  GstClockTime last_pts;
  gboolean pts_went_back;
} FlowCounter;

static inline int flow_counter_consume(VfBuffer *buffer, gpointer data)
{
  FlowCounter *c = data;
  gint n = g_atomic_int_add(&c->frames, 1) + 1;
  if (n == 1) {
    VfTensor *t = vf_buffer_extract(buffer, 0, NULL);
    if (t) {
      c->ndim = vf_tensor_get_ndim(t);
      vf_tensor_unref(t);
    }
    c->width = vf_buffer_get_width(buffer);
    c->height = vf_buffer_get_height(buffer);
    c->format = vf_buffer_get_color_format(buffer);
    c->batch = vf_buffer_get_batch_size(buffer);
  }
  GstClockTime pts = vf_buffer_get_pts(buffer);
  if (GST_CLOCK_TIME_IS_VALID(pts) && GST_CLOCK_TIME_IS_VALID(c->last_pts) && pts < c->last_pts)
    c->pts_went_back = TRUE;
  c->last_pts = pts;
  return c->stop_after > 0 && n >= c->stop_after ? VF_CONSUME_STOP : VF_CONSUME_OK;
}

static inline void flow_counter_destroy(gpointer data)
{
  FlowCounter *c = data;
  g_atomic_int_inc(&c->destroyed);
}

static const VfRetrieverCallbacks flow_counter_callbacks
    = { flow_counter_consume, flow_counter_destroy };

static inline void flow_counter_init(FlowCounter *c)
{
  memset(c, 0, sizeof *c);
  c->last_pts = GST_CLOCK_TIME_NONE;
}

static inline gboolean flow_test_have(const char *factory)
{
  GstElementFactory *f = gst_element_factory_find(factory);
  if (f)
    gst_object_unref(f);
  return f != NULL;
}

/* Skip the current test (with the reason) when a vidflow element is not in this build yet. */
#define FLOW_REQUIRE(factory)                                                                      \
  do {                                                                                             \
    if (!flow_test_have(factory)) {                                                                \
      g_test_skip("element '" factory "' is not in this build yet (it comes with its own "         \
                  "branch): this test runs once it exists");                                       \
      return;                                                                                      \
    }                                                                                              \
  } while (0)

/* Write `text` to a file in the temp folder (transfer full: its path). */
static inline char *flow_test_write(const char *name, const char *text)
{
  char *path = flow_test_path(name);
  g_assert_true(g_file_set_contents(path, text, -1, NULL));
  return path;
}

/* The number after "key " in a file written by the sample plugin ("frames 30"); -1 if absent. */
static inline gint64 flow_test_read_count(const char *path, const char *key)
{
  char *text = NULL;
  gint64 value = -1;
  if (g_file_get_contents(path, &text, NULL, NULL)) {
    char **lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
      char *prefix = g_strdup_printf("%s ", key);
      if (g_str_has_prefix(*l, prefix))
        value = g_ascii_strtoll(*l + strlen(prefix), NULL, 10);
      g_free(prefix);
    }
    g_strfreev(lines);
  }
  g_free(text);
  return value;
}

/* Assert that an error message contains `part` (printing the message when not). */
#define FLOW_ASSERT_MESSAGE(err, part)                                                             \
  do {                                                                                             \
    g_assert_nonnull(err);                                                                         \
    if (strstr((err)->message, (part)) == NULL)                                                    \
      g_error("error message \"%s\" should contain \"%s\"", (err)->message, (part));               \
  } while (0)

/* ---- a local RTSP server that can be stopped and restarted ---- */

typedef struct {
  GstRTSPServer *server;
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  GSource *source;
} FlowTestServer;

static inline gpointer flow_test_server_run(gpointer data)
{
  FlowTestServer *s = data;
  g_main_context_push_thread_default(s->context);
  g_main_loop_run(s->loop);
  g_main_context_pop_thread_default(s->context);
  return NULL;
}

/* Serves `media` (a gst-rtsp-server launch line; NULL: an endless live test stream shared by
 * every client, else one media per client) at rtsp://127.0.0.1:port/test, on a thread of its
 * own (transfer full: stop it with flow_test_server_stop). */
static inline FlowTestServer *flow_test_server_start(guint port, const char *media)
{
  FlowTestServer *s = g_new0(FlowTestServer, 1);
  s->server = gst_rtsp_server_new();
  char service[16];
  g_snprintf(service, sizeof service, "%u", port);
  gst_rtsp_server_set_address(s->server, "127.0.0.1");
  gst_rtsp_server_set_service(s->server, service);
  GstRTSPMediaFactory *factory = gst_rtsp_media_factory_new();
  gst_rtsp_media_factory_set_launch(
      factory,
      media ? media
            : "( videotestsrc is-live=true ! video/x-raw,format=I420,width=160,height=120,"
              "framerate=30/1 ! x264enc speed-preset=ultrafast tune=zerolatency key-int-max=10 ! "
              "rtph264pay name=pay0 pt=96 config-interval=-1 )");
  gst_rtsp_media_factory_set_shared(factory, media == NULL);
  GstRTSPMountPoints *mounts = gst_rtsp_server_get_mount_points(s->server);
  gst_rtsp_mount_points_add_factory(mounts, "/test", factory);
  g_object_unref(mounts);
  s->context = g_main_context_new();
  s->loop = g_main_loop_new(s->context, FALSE);
  GError *err = NULL;
  s->source = gst_rtsp_server_create_source(s->server, NULL, &err);
  VF_ASSERT_OK(s->source != NULL, err);
  g_source_attach(s->source, s->context);
  s->thread = g_thread_new("test-rtsp-server", flow_test_server_run, s);
  return s;
}

static inline GstRTSPFilterResult flow_test_drop_client(GstRTSPServer *server,
                                                        GstRTSPClient *client, gpointer data)
{
  (void)server;
  (void)client;
  (void)data;
  return GST_RTSP_FILTER_REMOVE;
}

/* The server goes away: clients are dropped, the port is closed. */
static inline void flow_test_server_stop(FlowTestServer *s)
{
  GstRTSPMountPoints *mounts = gst_rtsp_server_get_mount_points(s->server);
  gst_rtsp_mount_points_remove_factory(mounts, "/test");
  g_object_unref(mounts);
  g_list_free_full(gst_rtsp_server_client_filter(s->server, flow_test_drop_client, NULL),
                   g_object_unref);
  g_main_loop_quit(s->loop);
  g_thread_join(s->thread);
  g_source_destroy(s->source);
  g_source_unref(s->source);
  g_object_unref(s->server);
  g_main_loop_unref(s->loop);
  g_main_context_unref(s->context);
  g_free(s);
}
