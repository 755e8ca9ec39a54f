/* vidflow tests: small helpers shared by the test programs. */
#pragma once

#include <gio/gio.h>
#include <vidflow/vidflow.h>

#include <string.h>

/* Assert no error, printing it when there is one. */
#define VF_ASSERT_OK(ok, err)                                                                      \
  do {                                                                                             \
    if (!(ok))                                                                                     \
      g_error("unexpected failure at %s:%d: %s", __FILE__, __LINE__,                               \
              (err) ? (err)->message : "(no error set)");                                          \
  } while (0)

/* A provider of `count` RGB frames of w x h, pixel value = frame number. */
typedef struct {
  guint width, height, count, made;
  VfColorFormat format;
  gsize wrong_size; /* if non-zero: return buffers of this size instead */
  gboolean wrong_format;
  gboolean fail_at_first; /* set *error */
  gpointer data[64];      /* the memory of each frame made, to check zero-copy */
  guint sleep_us;         /* time each frame takes to make (0: returns at once) */
} TestSource;

static inline void test_free_data(gpointer data)
{
  g_free(data);
}

static inline VfBuffer *test_source_generate(gsize size, gpointer user_data, GError **error)
{
  TestSource *s = user_data;
  if (s->fail_at_first) {
    g_set_error_literal(error, VF_ERROR, VF_ERROR_FAILED, "camera unplugged");
    return NULL;
  }
  if (s->made >= s->count)
    return vf_buffer_new_empty();
  if (s->sleep_us)
    g_usleep(s->sleep_us);
  s->made++;
  if (s->wrong_size) {
    guint8 *d = g_malloc0(s->wrong_size);
    GstBuffer *b = gst_buffer_new_wrapped(d, s->wrong_size);
    VfBuffer *out = vf_buffer_new_from_gst(b, NULL); /* takes its own reference */
    gst_buffer_unref(b);
    return out;
  }
  VfColorFormat format = s->wrong_format ? VF_COLOR_FORMAT_RGBA : s->format;
  if (s->wrong_format)
    size = (gsize)s->width * s->height * 4;
  guint8 *d = g_malloc(size);
  memset(d, (int)(s->made & 0xff), size);
  if (s->made <= 64)
    s->data[s->made - 1] = d;
  return vf_buffer_new_wrapped(format, s->width, s->height, NULL, d, size, d, test_free_data,
                               error);
}

/* What a media file decodes to, read with GStreamer's own decoders (uridecodebin), not vidflow. */
typedef struct {
  guint frames;
  GstClockTime first_pts, end; /* first PTS; the latest PTS + duration */
  gboolean monotonic;          /* every decoded PTS later than the one before */
  GstClockTime duration;       /* the container's (duration query), NONE if it has none */
  GstClockTime last_pts;
} TestMediaInfo;

static inline GstPadProbeReturn test_media_count(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  TestMediaInfo *m = data;
  GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER(info);
  GstClockTime pts = GST_BUFFER_PTS(b);
  if (!GST_CLOCK_TIME_IS_VALID(pts)
      || (m->frames > 0 && GST_CLOCK_TIME_IS_VALID(m->last_pts) && pts <= m->last_pts))
    m->monotonic = FALSE;
  if (m->frames == 0)
    m->first_pts = pts;
  m->last_pts = pts;
  if (GST_CLOCK_TIME_IS_VALID(pts)) {
    GstClockTime end = pts + (GST_BUFFER_DURATION_IS_VALID(b) ? GST_BUFFER_DURATION(b) : 0);
    if (!GST_CLOCK_TIME_IS_VALID(m->end) || end > m->end)
      m->end = end;
  }
  m->frames++;
  return GST_PAD_PROBE_OK;
}

/* Decodes `path` to the end (at most 60 s); FALSE with the decoder's message in *error. */
static inline gboolean test_media_info(const char *path, TestMediaInfo *m, char **error)
{
  memset(m, 0, sizeof *m);
  m->first_pts = m->end = m->duration = m->last_pts = GST_CLOCK_TIME_NONE;
  m->monotonic = TRUE;
  char *uri = gst_filename_to_uri(path, NULL);
  char *d = g_strdup_printf("uridecodebin uri=\"%s\" caps=video/x-raw ! fakesink name=sink", uri);
  GstElement *pipe = gst_parse_launch(d, NULL);
  g_free(d);
  g_free(uri);
  g_assert_nonnull(pipe);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
  GstPad *pad = gst_element_get_static_pad(sink, "sink");
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, test_media_count, m, NULL);
  gst_object_unref(pad);
  gst_element_set_state(pipe, GST_STATE_PLAYING);
  GstMessage *msg = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(pipe), 60 * GST_SECOND,
                                               GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gboolean ok = msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
  if (msg && !ok) {
    GError *e = NULL;
    gst_message_parse_error(msg, &e, NULL);
    *error = g_strdup(e->message);
    g_error_free(e);
  } else if (!ok) {
    *error = g_strdup("no end of stream within 60 s");
  }
  gint64 dur = -1;
  if (ok && gst_element_query_duration(pipe, GST_FORMAT_TIME, &dur) && dur >= 0)
    m->duration = (GstClockTime)dur;
  if (msg)
    gst_message_unref(msg);
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(pipe);
  return ok;
}

/* Asserts that `path` decodes to `frames` frames, in order, spanning `duration` (within one
 * frame; with `at_least`, `duration` or more), and that its container says so too. */
static inline void test_assert_media_span(const char *path, guint frames, GstClockTime duration,
                                          gboolean at_least)
{
  TestMediaInfo m;
  char *error = NULL;
  if (!test_media_info(path, &m, &error))
    g_error("%s does not decode: %s", path, error);
  g_assert_cmpuint(m.frames, ==, frames);
  g_assert_true(m.monotonic);
  GstClockTime frame = frames ? duration / frames : 0;
  GstClockTime span = m.end - m.first_pts;
  g_assert_true(GST_CLOCK_TIME_IS_VALID(m.duration));
  GstClockTime said[] = { span, m.duration };
  for (guint i = 0; i < 2; i++)
    if (said[i] + frame < duration || (!at_least && said[i] > duration + frame))
      g_error("%s %s %" GST_TIME_FORMAT ", expected %s%" GST_TIME_FORMAT, path,
              i ? "says it lasts" : "spans", GST_TIME_ARGS(said[i]), at_least ? "at least " : "",
              GST_TIME_ARGS(duration));
}

static inline void test_assert_media(const char *path, guint frames, GstClockTime duration)
{
  test_assert_media_span(path, frames, duration, FALSE);
}

/* Polls `done(data)` every few milliseconds until it is TRUE; a test that is stuck fails after
 * `hang_s` seconds (a guard against hangs, never a measure of speed). */
static inline void test_wait_for(gboolean (*done)(gpointer), gpointer data, guint hang_s,
                                 const char *what)
{
  gint64 give_up = g_get_monotonic_time() + (gint64)hang_s * G_TIME_SPAN_SECOND;
  while (!done(data)) {
    if (g_get_monotonic_time() > give_up)
      g_error("still waiting for %s after %u s", what, hang_s);
    g_usleep(2000);
  }
}

/* A gate user callbacks block on until the test opens it, or until the cancellable they were
 * given is cancelled. */
typedef struct {
  GMutex lock;
  GCond cond;
  gboolean open;
  guint waiting; /* callbacks blocked now */
  guint passed;  /* callbacks that came through (opened or cancelled) */
} TestGate;

static inline void test_gate_init(TestGate *g)
{
  memset(g, 0, sizeof *g);
  g_mutex_init(&g->lock);
  g_cond_init(&g->cond);
}

static inline void test_gate_clear(TestGate *g)
{
  g_mutex_clear(&g->lock);
  g_cond_clear(&g->cond);
}

static inline void test_gate_wake(GCancellable *cancellable, gpointer data)
{
  (void)cancellable;
  TestGate *g = data;
  g_mutex_lock(&g->lock);
  g_cond_broadcast(&g->cond);
  g_mutex_unlock(&g->lock);
}

/* Blocks until the gate opens (TRUE) or `cancellable` (nullable: ignore cancellation) is
 * cancelled (FALSE). */
static inline gboolean test_gate_pass(TestGate *g, GCancellable *cancellable)
{
  gulong id
      = cancellable ? g_cancellable_connect(cancellable, G_CALLBACK(test_gate_wake), g, NULL) : 0;
  g_mutex_lock(&g->lock);
  g->waiting++;
  g_cond_broadcast(&g->cond);
  while (!g->open && !(cancellable && g_cancellable_is_cancelled(cancellable)))
    g_cond_wait(&g->cond, &g->lock);
  gboolean opened = g->open;
  g->waiting--;
  g->passed++;
  g_cond_broadcast(&g->cond);
  g_mutex_unlock(&g->lock);
  if (id)
    g_cancellable_disconnect(cancellable, id);
  return opened;
}

static inline void test_gate_open(TestGate *g)
{
  g_mutex_lock(&g->lock);
  g->open = TRUE;
  g_cond_broadcast(&g->cond);
  g_mutex_unlock(&g->lock);
}

/* Waits until a callback is blocked at the gate (a hang fails after 60 s). */
static inline void test_gate_wait_blocked(TestGate *g)
{
  gint64 give_up = g_get_monotonic_time() + 60 * G_TIME_SPAN_SECOND;
  g_mutex_lock(&g->lock);
  while (g->waiting == 0)
    if (!g_cond_wait_until(&g->cond, &g->lock, give_up))
      g_error("no callback reached the gate");
  g_mutex_unlock(&g->lock);
}

/* The warnings a pipeline posts, collected by a bus watch (read them after wait/stop). */
typedef struct {
  GMutex lock;
  GString *text; /* one warning per line */
} TestWarnings;

static inline void test_warnings_on_message(VfPipeline *p, GstMessage *msg, gpointer data)
{
  (void)p;
  TestWarnings *w = data;
  GError *err = NULL;
  gst_message_parse_warning(msg, &err, NULL);
  g_mutex_lock(&w->lock);
  g_string_append_printf(w->text, "%s\n", err->message);
  g_mutex_unlock(&w->lock);
  g_error_free(err);
}

static inline void test_warnings_watch(VfPipeline *p, TestWarnings *w)
{
  g_mutex_init(&w->lock);
  w->text = g_string_new(NULL);
  VfBusWatchCallbacks cb = { .on_message = test_warnings_on_message };
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_add_bus_watch(p, GST_MESSAGE_WARNING, &cb, w, &err) != 0, err);
}

/* (transfer full) what was collected so far. */
static inline char *test_warnings_get(TestWarnings *w)
{
  g_mutex_lock(&w->lock);
  char *s = g_strdup(w->text->str);
  g_mutex_unlock(&w->lock);
  return s;
}

static inline void test_warnings_clear(TestWarnings *w)
{
  g_string_free(w->text, TRUE);
  g_mutex_clear(&w->lock);
}

/* Assert that `text` contains `part`, printing it when not. */
#define TEST_ASSERT_CONTAINS(text, part)                                                           \
  do {                                                                                             \
    const char *test_text_ = (text);                                                               \
    if (test_text_ == NULL || strstr(test_text_, (part)) == NULL)                                  \
      g_error("%s:%d: \"%s\" should contain \"%s\"", __FILE__, __LINE__,                           \
              test_text_ ? test_text_ : "(null)", (part));                                         \
  } while (0)
