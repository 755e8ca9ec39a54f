/* vidflow tests: helpers for the Flow, YAML, RTSP and command tests (clips made on the fly, free
 * ports, frame counting retrievers, a local RTSP server). */
#pragma once

#include "../test-util.h"

#include <gio/gio.h>
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
