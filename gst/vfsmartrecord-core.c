/* vidflow plugin: the smart-record core (see vfsmartrecord-core.h).
 *
 * Lock order: core->lock only. Writer pipelines are built, started and stopped outside it;
 * appsrc pushes happen under it (they never block: the appsrc queue is unbounded, its content
 * bounded by the ring and the clip). */
#include "vfsmartrecord-core.h"

#include <gst/app/gstappsrc.h>
#include <glib/gstdio.h>
#include <vidflow/record.h>

#include <string.h>

GST_DEBUG_CATEGORY_STATIC(vf_sr_debug);
#define GST_CAT_DEFAULT vf_sr_debug

/* A frame interval for streams whose buffers carry no duration. */
#define FALLBACK_FRAME_DURATION (GST_SECOND / 30)

GType vf_sr_container_get_type(void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { VF_SR_CONTAINER_MP4, "MP4 (mp4mux)", "mp4" },
    { VF_SR_CONTAINER_MKV, "Matroska (matroskamux)", "mkv" },
    { 0, NULL, NULL },
  };
  if (g_once_init_enter(&type))
    g_once_init_leave(&type, g_enum_register_static("VfSmartRecordContainer", values));
  return type;
}

typedef struct {
  GstBuffer *buffer; /* ref, timestamps as they came */
  GstClockTime pts;  /* on the recorder's timeline */
  GstClockTime dts;  /* on the timeline, NONE when the stream has none */
  GstClockTime t;    /* decode-order time: dts, else pts */
  GstClockTime end;  /* pts + duration */
  gboolean key;
  gint64 wall_us; /* when it arrived */
  gsize size;
} Entry;

typedef struct _VfSrCore VfSrCore;

typedef struct {
  VfSrCore *core;
  guint id;
  GstElement *pipe; /* ref: appsrc ! [parser] ! muxer ! filesink */
  GstElement *appsrc;
  char *part, *path;
  GstClockTime end_t;     /* the clip ends before the first frame at or after this */
  GstClockTime base;      /* timeline time of the clip's time 0 */
  gboolean started;       /* its first (key) frame was pushed */
  gboolean ended;         /* EOS given to the appsrc */
  gboolean writer_done;   /* the writer posted EOS or an error */
  gint64 deadline_us;     /* when ended: give up waiting for the muxer after this */
  GstClockTime first_pts; /* timeline */
  GstClockTime shown_end; /* end of the frames written, timeline */
  GstClockTime max_pts;   /* latest presentation time added */
  GQueue pending;         /* Pending*: the group being completed */
  gint64 first_wall_us;
  guint frames; /* written */
  char *reason;
  char *error;
} Session;

struct _VfSrCore {
  GstElement *owner;
  GMutex lock;
  GCond cond;
  /* configuration (copies) */
  guint cache_s;
  guint64 max_bytes;
  VfSrContainer container;
  char *dir, *prefix;
  guint default_duration_s;
  /* the stream */
  GstCaps *caps;
  GQueue ring; /* Entry*, oldest first, starts at a key frame */
  guint64 bytes;
  gint64 offset;         /* added to the stream's timestamps */
  gboolean rebase;       /* the next frame continues the timeline */
  GstClockTime next_t;   /* where the next frame would start on the timeline */
  GstClockTime last_t;   /* t of the newest frame */
  GstClockTime now;      /* the latest presentation time so far */
  gboolean warned_bytes; /* once per core */
  gboolean warn_bytes;   /* to post after the lock */
  /* clips */
  Session *open;    /* the clip being written, at most one */
  GList *closing;   /* Session*: ended, waiting for their muxer */
  guint finalising; /* sessions the finaliser took off `closing`, their message not posted yet */
  guint sessions;   /* ids given so far */
  GThread *thread;  /* finalises clips */
  gboolean quit;
};

static void entry_free(Entry *e)
{
  gst_buffer_unref(e->buffer);
  g_free(e);
}

static void pending_clear(Session *s);

static void session_free(Session *s)
{
  pending_clear(s);
  if (s->pipe) {
    gst_element_set_state(s->pipe, GST_STATE_NULL);
    gst_object_unref(s->pipe);
  }
  g_free(s->part);
  g_free(s->path);
  g_free(s->reason);
  g_free(s->error);
  g_free(s);
}

VfSrCore *vf_sr_core_new(GstElement *owner)
{
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(vf_sr_debug, "vfsmartrecord", 0, "vidflow smart recording");
    g_once_init_leave(&once, 1);
  }
  VfSrCore *c = g_new0(VfSrCore, 1);
  c->owner = owner;
  g_mutex_init(&c->lock);
  g_cond_init(&c->cond);
  g_queue_init(&c->ring);
  c->cache_s = VF_SR_DEFAULT_CACHE;
  c->max_bytes = VF_SR_DEFAULT_MAX_BYTES;
  c->default_duration_s = VF_SR_DEFAULT_DURATION;
  c->prefix = g_strdup(VF_SR_DEFAULT_PREFIX);
  c->next_t = c->last_t = c->now = GST_CLOCK_TIME_NONE;
  return c;
}

/* ---- the ring (lock held) ---- */

static void ring_clear(VfSrCore *c)
{
  g_queue_clear_full(&c->ring, (GDestroyNotify)entry_free);
  c->bytes = 0;
}

static void ring_drop_oldest_gop(VfSrCore *c)
{
  Entry *e = g_queue_pop_head(&c->ring);
  while (e) {
    c->bytes -= e->size;
    entry_free(e);
    e = g_queue_peek_head(&c->ring);
    if (e == NULL || e->key)
      break;
    e = g_queue_pop_head(&c->ring);
  }
}

/* The ring spans at least cache_s: drop the oldest GOP while the rest still covers it; and never
 * more than max_bytes. */
static void ring_trim(VfSrCore *c)
{
  const GstClockTime cache = (GstClockTime)c->cache_s * GST_SECOND;
  while (c->ring.length > 1) {
    GList *second = NULL;
    for (GList *l = c->ring.head->next; l; l = l->next)
      if (((Entry *)l->data)->key) {
        second = l;
        break;
      }
    if (second == NULL || c->last_t < ((Entry *)second->data)->t
        || c->last_t - ((Entry *)second->data)->t < cache)
      break;
    ring_drop_oldest_gop(c);
  }
  while (c->bytes > c->max_bytes && c->ring.length > 0) {
    if (!c->warned_bytes)
      c->warn_bytes = c->warned_bytes = TRUE; /* posted once the lock is released */
    ring_drop_oldest_gop(c);
  }
}

/* The warning ring_trim asked for, posted without the lock (watches run on this thread). */
static void post_pending_warning(VfSrCore *c, gboolean pending, guint cache_s, guint64 max_bytes)
{
  if (!pending)
    return;
  GST_ELEMENT_WARNING(c->owner, RESOURCE, NO_SPACE_LEFT,
                      ("smart record of '%s': %u s of the stream take more than "
                       "smart-rec-cache-max-bytes (%" G_GUINT64_FORMAT
                       " bytes): the cache holds less",
                       GST_ELEMENT_NAME(c->owner), cache_s, max_bytes),
                      ("raise smart-rec-cache-max-bytes or lower smart-rec-cache"));
}

/* ---- clips (lock held unless said) ---- */

/* Frames go to the file by display groups: a frame shown after every frame so far (I or P)
 * starts a group, the B frames after it in decode order complete it. A group is written once
 * the next one starts, so a clip never ends with a P frame whose B frames are missing (its time
 * would lie past the file's end, and players drop it). */
typedef struct {
  GstBuffer *buffer; /* clip timestamps */
  GstClockTime pts, end;
} Pending;

static void pending_clear(Session *s)
{
  for (GList *l = s->pending.head; l; l = l->next) {
    Pending *p = l->data;
    gst_buffer_unref(p->buffer);
    g_free(p);
  }
  g_queue_clear(&s->pending);
}

static void pending_write(Session *s)
{
  for (GList *l = s->pending.head; l; l = l->next) {
    Pending *p = l->data;
    s->frames++;
    s->shown_end = GST_CLOCK_TIME_IS_VALID(s->shown_end) ? MAX(s->shown_end, p->end) : p->end;
    gst_app_src_push_buffer(GST_APP_SRC(s->appsrc), p->buffer);
    g_free(p);
  }
  g_queue_clear(&s->pending);
}

/* Is the pending group whole although the next did not start: its frames show one after the
 * other from where the written ones end (half a frame of tolerance)? */
static gboolean pending_whole(Session *s)
{
  GstClockTime at = s->shown_end;
  guint left = s->pending.length;
  while (left > 0) {
    Pending *next = NULL;
    for (GList *l = s->pending.head; l; l = l->next) {
      Pending *p = l->data;
      GstClockTime half = (p->end - p->pts) / 2;
      if (!GST_CLOCK_TIME_IS_VALID(at) || (p->pts + half >= at && p->pts <= at + half))
        next = p;
    }
    if (next == NULL)
      return FALSE;
    at = next->end;
    left--;
  }
  return TRUE;
}

/* Adds frame `e`: TRUE when it started a group (the frames before it were written). */
static gboolean session_add(Session *s, Entry *e)
{
  if (s->started && e->pts < s->base)
    return FALSE; /* shown before the clip's first frame: it cannot be in the file */
  if (!s->started) {
    s->started = TRUE;
    s->base = GST_CLOCK_TIME_IS_VALID(e->dts) ? MIN(e->dts, e->pts) : e->pts;
    s->first_pts = e->pts;
    s->first_wall_us = e->wall_us;
  }
  gboolean starts_group = !GST_CLOCK_TIME_IS_VALID(s->max_pts) || e->pts > s->max_pts;
  if (starts_group)
    pending_write(s);
  s->max_pts = GST_CLOCK_TIME_IS_VALID(s->max_pts) ? MAX(s->max_pts, e->pts) : e->pts;
  Pending *p = g_new0(Pending, 1);
  p->buffer = gst_buffer_copy(e->buffer); /* shares the memory */
  GST_BUFFER_PTS(p->buffer) = e->pts - s->base;
  GST_BUFFER_DTS(p->buffer)
      = GST_CLOCK_TIME_IS_VALID(e->dts) ? e->dts - s->base : GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION(p->buffer) = e->end - e->pts;
  if (s->frames == 0 && s->pending.length == 0)
    GST_BUFFER_FLAG_SET(p->buffer, GST_BUFFER_FLAG_DISCONT);
  p->pts = e->pts;
  p->end = e->end;
  g_queue_push_tail(&s->pending, p);
  s->first_pts = MIN(s->first_pts, e->pts);
  return starts_group;
}

/* Ends the open clip: no more frames; the finaliser thread takes it once its muxer is done. */
static void session_end(VfSrCore *c, const char *reason)
{
  Session *s = c->open;
  if (s == NULL)
    return;
  c->open = NULL;
  if (pending_whole(s))
    pending_write(s);
  else
    pending_clear(s); /* a P frame without its B frames: players would drop it */
  s->ended = TRUE;
  s->reason = g_strdup(reason);
  s->deadline_us = g_get_monotonic_time() + VF_SR_FINISH_TIMEOUT;
  GST_INFO_OBJECT(c->owner, "clip %u ends (%s) after %u frames", s->id, reason, s->frames);
  gst_app_src_end_of_stream(GST_APP_SRC(s->appsrc));
  c->closing = g_list_append(c->closing, s);
  g_cond_broadcast(&c->cond);
}

static GstBusSyncReply on_writer_message(GstBus *bus, GstMessage *msg, gpointer data)
{
  (void)bus;
  Session *s = data;
  VfSrCore *c = s->core;
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS || GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
    g_mutex_lock(&c->lock);
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR && s->error == NULL) {
      GError *err = NULL;
      gst_message_parse_error(msg, &err, NULL);
      s->error = g_strdup_printf("writing '%s' failed: %s (%s)", s->part, err->message,
                                 GST_MESSAGE_SRC_NAME(msg));
      g_error_free(err);
    }
    s->writer_done = TRUE;
    g_cond_broadcast(&c->cond);
    g_mutex_unlock(&c->lock);
  }
  gst_message_unref(msg); /* a sync handler that drops a message unrefs it */
  return GST_BUS_DROP;
}

static gint owner_source_id(VfSrCore *c)
{
  gint id = -1;
  GParamSpec *p = g_object_class_find_property(G_OBJECT_GET_CLASS(c->owner), "source-id");
  if (p && p->value_type == G_TYPE_INT)
    g_object_get(c->owner, "source-id", &id, NULL);
  return id;
}

static char *owner_sensor_id(VfSrCore *c)
{
  char *id = NULL;
  GParamSpec *p = g_object_class_find_property(G_OBJECT_GET_CLASS(c->owner), "sensor-id");
  if (p && p->value_type == G_TYPE_STRING)
    g_object_get(c->owner, "sensor-id", &id, NULL);
  return id;
}

/* Finaliser thread, no lock held: the writer to NULL, the file renamed, the message posted. */
static void session_finalise(VfSrCore *c, Session *s)
{
  gst_element_set_state(s->pipe, GST_STATE_NULL);
  if (s->error == NULL && s->frames == 0)
    s->error = g_strdup("no frames were recorded (the stream ended or stopped before a key frame)");
  if (s->error == NULL && g_rename(s->part, s->path) != 0)
    s->error
        = g_strdup_printf("cannot rename '%s' to '%s': %s", s->part, s->path, g_strerror(errno));
  if (s->error)
    g_unlink(s->part);
  GstClockTime duration
      = s->frames && GST_CLOCK_TIME_IS_VALID(s->shown_end) ? s->shown_end - s->first_pts : 0;
  char *sensor = owner_sensor_id(c);
  GstStructure *st = gst_structure_new(
      VF_RECORDING_DONE, "session", G_TYPE_UINT, s->id, "start", G_TYPE_UINT64,
      (guint64)(s->frames ? s->first_pts : 0), "duration", G_TYPE_UINT64, (guint64)duration,
      "start-wallclock", G_TYPE_INT64, s->first_wall_us, "frames", G_TYPE_UINT, s->frames, "reason",
      G_TYPE_STRING, s->reason ? s->reason : "shutdown", "source-id", G_TYPE_INT,
      owner_source_id(c), NULL);
  if (s->error)
    gst_structure_set(st, "error", G_TYPE_STRING, s->error, NULL);
  else
    gst_structure_set(st, "path", G_TYPE_STRING, s->path, NULL);
  if (sensor)
    gst_structure_set(st, "sensor-id", G_TYPE_STRING, sensor, NULL);
  g_free(sensor);
  if (s->error)
    GST_WARNING_OBJECT(c->owner, "clip %u: %s", s->id, s->error);
  else
    GST_INFO_OBJECT(c->owner, "clip %u done: %s, %u frames, %" GST_TIME_FORMAT, s->id, s->path,
                    s->frames, GST_TIME_ARGS(duration));
  gst_element_post_message(c->owner, gst_message_new_element(GST_OBJECT(c->owner), st));
  session_free(s);
}

static gpointer finaliser_thread(gpointer data)
{
  VfSrCore *c = data;
  g_mutex_lock(&c->lock);
  while (!c->quit || c->closing) {
    Session *ready = NULL;
    gint64 next_deadline = G_MAXINT64, now = g_get_monotonic_time();
    for (GList *l = c->closing; l && !ready; l = l->next) {
      Session *s = l->data;
      if (!s->writer_done && now >= s->deadline_us) {
        s->error = g_strdup_printf("the muxer did not finish '%s' within %d s", s->part,
                                   (int)(VF_SR_FINISH_TIMEOUT / G_TIME_SPAN_SECOND));
        s->writer_done = TRUE;
      }
      if (s->writer_done)
        ready = s;
      else
        next_deadline = MIN(next_deadline, s->deadline_us);
    }
    if (ready == NULL) {
      if (next_deadline == G_MAXINT64)
        g_cond_wait(&c->cond, &c->lock);
      else
        g_cond_wait_until(&c->cond, &c->lock, next_deadline);
      continue;
    }
    c->closing = g_list_remove(c->closing, ready);
    c->finalising++;
    g_mutex_unlock(&c->lock);
    session_finalise(c, ready);
    g_mutex_lock(&c->lock);
    c->finalising--;
    g_cond_broadcast(&c->cond); /* finish() waits until every clip was finalised */
  }
  g_mutex_unlock(&c->lock);
  return NULL;
}

/* The writer for `caps`, PLAYING and waiting for frames; NULL with *error. No lock held. */
static GstElement *writer_new(GstCaps *caps, VfSrContainer container, const char *part,
                              GstElement **appsrc, GError **error)
{
  const char *media = gst_structure_get_name(gst_caps_get_structure(caps, 0));
  const char *parser = g_str_equal(media, "video/x-h264")   ? "h264parse"
                       : g_str_equal(media, "video/x-h265") ? "h265parse"
                                                            : NULL;
  const char *muxer = container == VF_SR_CONTAINER_MKV ? "matroskamux" : "mp4mux";
  GstElement *pipe = gst_pipeline_new(NULL);
  GstElement *src = gst_element_factory_make("appsrc", NULL);
  GstElement *parse = parser ? gst_element_factory_make(parser, NULL) : NULL;
  GstElement *mux = gst_element_factory_make(muxer, NULL);
  GstElement *sink = gst_element_factory_make("filesink", NULL);
  if (src == NULL || mux == NULL || sink == NULL || (parser && parse == NULL)) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                "smart record needs appsrc, %s%s%s and filesink (install "
                "gstreamer1.0-plugins-base/-good/-bad)",
                parser ? parser : "", parser ? ", " : "", muxer);
    gst_clear_object(&src);
    gst_clear_object(&parse);
    gst_clear_object(&mux);
    gst_clear_object(&sink);
    gst_object_unref(pipe);
    return NULL;
  }
  g_object_set(src, "caps", caps, "format", GST_FORMAT_TIME, "is-live", FALSE, "max-bytes",
               (guint64)0, "block", FALSE, NULL);
  g_object_set(sink, "location", part, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add_many(GST_BIN(pipe), src, mux, sink, NULL);
  gboolean linked;
  if (parse) {
    gst_bin_add(GST_BIN(pipe), parse);
    linked = gst_element_link_many(src, parse, mux, sink, NULL);
  } else {
    linked = gst_element_link_many(src, mux, sink, NULL);
  }
  if (!linked) {
    g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
                "%s cannot hold this stream (%s): record H.264 or H.265 (or choose "
                "smart-rec-container=mkv)",
                muxer, media);
    gst_object_unref(pipe);
    return NULL;
  }
  if (gst_element_set_state(pipe, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_WRITE,
                "cannot write '%s' (check smart-rec-dir-path: the folder must exist and be "
                "writable)",
                part);
    gst_element_set_state(pipe, GST_STATE_NULL);
    gst_object_unref(pipe);
    return NULL;
  }
  *appsrc = src;
  return gst_object_ref_sink(pipe);
}

/* A container that takes `media`? Checked on the muxer's templates (no lock needed). */
static gboolean container_takes(VfSrContainer container, GstCaps *caps)
{
  GstElementFactory *f
      = gst_element_factory_find(container == VF_SR_CONTAINER_MKV ? "matroskamux" : "mp4mux");
  if (f == NULL)
    return TRUE; /* writer_new says what is missing */
  GstCaps *media
      = gst_caps_new_empty_simple(gst_structure_get_name(gst_caps_get_structure(caps, 0)));
  gboolean ok = FALSE;
  for (const GList *l = gst_element_factory_get_static_pad_templates(f); l && !ok; l = l->next) {
    GstStaticPadTemplate *t = l->data;
    if (t->direction != GST_PAD_SINK)
      continue;
    GstCaps *tc = gst_static_pad_template_get_caps(t);
    ok = gst_caps_can_intersect(tc, media);
    gst_caps_unref(tc);
  }
  gst_caps_unref(media);
  gst_object_unref(f);
  return ok;
}

static char *clip_name(VfSrCore *c, const char *dir, const char *prefix, guint id,
                       VfSrContainer container)
{
  GDateTime *now = g_date_time_new_now_local();
  char *when = g_date_time_format(now, "%Y%m%d-%H%M%S");
  g_date_time_unref(now);
  gint source = owner_source_id(c);
  char *who = source >= 0 ? g_strdup_printf("%d", source) : g_strdup(GST_ELEMENT_NAME(c->owner));
  const char *ext = container == VF_SR_CONTAINER_MKV ? "mkv" : "mp4";
  char *base = g_strdup_printf("%s_%s_%u_%s", prefix, who, id, when);
  char *path = g_strdup_printf("%s.%s", base, ext);
  char *full = g_build_filename(dir ? dir : ".", path, NULL);
  for (guint n = 1; g_file_test(full, G_FILE_TEST_EXISTS); n++) {
    g_free(path);
    g_free(full);
    path = g_strdup_printf("%s-%u.%s", base, n, ext);
    full = g_build_filename(dir ? dir : ".", path, NULL);
  }
  g_free(base);
  g_free(path);
  g_free(who);
  g_free(when);
  return full;
}

guint vf_sr_core_start(VfSrCore *c, guint before_s, guint duration_s, GError **error)
{
  g_mutex_lock(&c->lock);
  if (c->caps == NULL) {
    g_mutex_unlock(&c->lock);
    g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
                "'%s' has no encoded stream yet (a recording needs the stream to have started)",
                GST_ELEMENT_NAME(c->owner));
    return 0;
  }
  guint duration = duration_s ? duration_s : c->default_duration_s;
  if (c->open) {
    /* Another event while recording: the clip goes on for `duration` from now. */
    Session *s = c->open;
    GstClockTime end
        = (GST_CLOCK_TIME_IS_VALID(c->now) ? c->now : 0) + (GstClockTime)duration * GST_SECOND;
    s->end_t = MAX(s->end_t, end);
    guint id = s->id;
    g_mutex_unlock(&c->lock);
    return id;
  }
  GstCaps *caps = gst_caps_ref(c->caps);
  VfSrContainer container = c->container;
  char *dir = g_strdup(c->dir), *prefix = g_strdup(c->prefix);
  guint id = ++c->sessions;
  g_mutex_unlock(&c->lock);

  Session *s = NULL;
  GstElement *appsrc = NULL, *pipe = NULL;
  if (!container_takes(container, caps)) {
    g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
                "'%s': %s cannot hold a %s stream (smart record takes H.264 or H.265)",
                GST_ELEMENT_NAME(c->owner), container == VF_SR_CONTAINER_MKV ? "MKV" : "MP4",
                gst_structure_get_name(gst_caps_get_structure(caps, 0)));
  } else if (dir && !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
    g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
                "'%s': smart-rec-dir-path '%s' is not a folder: create it first",
                GST_ELEMENT_NAME(c->owner), dir);
  } else {
    s = g_new0(Session, 1);
    s->core = c;
    s->id = id;
    s->path = clip_name(c, dir, prefix, id, container);
    s->part = g_strconcat(s->path, ".part", NULL);
    s->first_pts = s->shown_end = s->max_pts = GST_CLOCK_TIME_NONE;
    g_queue_init(&s->pending);
    pipe = writer_new(caps, container, s->part, &appsrc, error);
    if (pipe == NULL) {
      g_prefix_error(error, "'%s': ", GST_ELEMENT_NAME(c->owner));
      session_free(s);
      s = NULL;
    }
  }
  gst_caps_unref(caps);
  g_free(dir);
  g_free(prefix);
  if (s == NULL)
    return 0;
  s->pipe = pipe;
  s->appsrc = appsrc;
  GstBus *bus = gst_element_get_bus(pipe);
  gst_bus_set_sync_handler(bus, on_writer_message, s, NULL);
  gst_object_unref(bus);

  g_mutex_lock(&c->lock);
  if (c->open) {
    /* Another start won the race: extend that clip instead. */
    Session *other = c->open;
    other->end_t = MAX(other->end_t, c->now + (GstClockTime)duration * GST_SECOND);
    guint other_id = other->id;
    g_mutex_unlock(&c->lock);
    session_free(s);
    return other_id;
  }
  if (c->thread == NULL)
    c->thread = g_thread_new("vfsmartrecord", finaliser_thread, c);
  /* Times in presentation order: "now" is the latest frame to show. */
  GstClockTime now = GST_CLOCK_TIME_IS_VALID(c->now) ? c->now : 0;
  GstClockTime from
      = now > (GstClockTime)before_s * GST_SECOND ? now - (GstClockTime)before_s * GST_SECOND : 0;
  s->end_t = now + (GstClockTime)duration * GST_SECOND;
  /* The last key frame at or before `from`, else the oldest one. */
  GList *start = NULL;
  for (GList *l = c->ring.head; l; l = l->next) {
    Entry *e = l->data;
    if (!e->key)
      continue;
    if (start == NULL || e->pts <= from)
      start = l;
    if (e->pts > from)
      break;
  }
  for (GList *l = start; l; l = l->next)
    session_add(s, l->data);
  c->open = s;
  GST_INFO_OBJECT(
      c->owner, "clip %u: %s, from %" GST_TIME_FORMAT " (%u frames cached) to %" GST_TIME_FORMAT,
      id, s->path, GST_TIME_ARGS(s->started ? s->base : now), s->frames, GST_TIME_ARGS(s->end_t));
  g_mutex_unlock(&c->lock);
  return id;
}

gboolean vf_sr_core_stop(VfSrCore *c, guint session, GError **error)
{
  g_mutex_lock(&c->lock);
  gboolean ok = c->open && (session == 0 || c->open->id == session);
  if (ok)
    session_end(c, "stopped");
  g_mutex_unlock(&c->lock);
  if (!ok && session)
    g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
                "'%s' is not recording session %u (it ended, or was never started)",
                GST_ELEMENT_NAME(c->owner), session);
  else if (!ok)
    g_set_error(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
                "'%s' is not recording (the clip ended, or none was started)",
                GST_ELEMENT_NAME(c->owner));
  return ok;
}

/* ---- the stream ---- */

void vf_sr_core_caps(VfSrCore *c, GstCaps *caps)
{
  g_mutex_lock(&c->lock);
  if (c->caps == NULL || !gst_caps_is_equal(c->caps, caps)) {
    if (c->caps)
      GST_INFO_OBJECT(c->owner, "new caps: clips end, the cache starts again");
    session_end(c, "caps-changed");
    ring_clear(c);
    gst_caps_replace(&c->caps, caps);
    c->rebase = TRUE;
  }
  g_mutex_unlock(&c->lock);
}

void vf_sr_core_discont(VfSrCore *c)
{
  g_mutex_lock(&c->lock);
  c->rebase = TRUE;
  g_mutex_unlock(&c->lock);
}

void vf_sr_core_buffer(VfSrCore *c, GstBuffer *buffer)
{
  GstClockTime pts = GST_BUFFER_PTS(buffer), dts = GST_BUFFER_DTS(buffer);
  GstClockTime raw = GST_CLOCK_TIME_IS_VALID(dts) ? dts : pts;
  g_mutex_lock(&c->lock);
  if (c->caps == NULL) {
    g_mutex_unlock(&c->lock);
    return;
  }
  /* Timeline: continue after the last frame across loops and reconnections. */
  if (!GST_CLOCK_TIME_IS_VALID(raw)) {
    raw = GST_CLOCK_TIME_IS_VALID(c->next_t) ? c->next_t - c->offset : 0;
    pts = dts = GST_CLOCK_TIME_NONE;
  }
  if (GST_CLOCK_TIME_IS_VALID(c->next_t)
      && (c->rebase || (gint64)raw + c->offset < (gint64)c->last_t))
    c->offset = (gint64)c->next_t - (gint64)raw;
  else if (!GST_CLOCK_TIME_IS_VALID(c->next_t))
    c->offset = 0;
  c->rebase = FALSE;
  Entry *e = g_new0(Entry, 1);
  e->buffer = gst_buffer_ref(buffer);
  e->t = (GstClockTime)MAX((gint64)raw + c->offset, 0);
  e->dts = GST_CLOCK_TIME_IS_VALID(dts) ? (GstClockTime)MAX((gint64)dts + c->offset, 0)
                                        : GST_CLOCK_TIME_NONE;
  e->pts = GST_CLOCK_TIME_IS_VALID(pts) ? (GstClockTime)MAX((gint64)pts + c->offset, 0) : e->t;
  if (GST_CLOCK_TIME_IS_VALID(e->dts) && e->pts < e->dts)
    e->pts = e->dts;
  GstClockTime dur = GST_BUFFER_DURATION_IS_VALID(buffer) ? GST_BUFFER_DURATION(buffer)
                     : GST_CLOCK_TIME_IS_VALID(c->last_t) && e->t > c->last_t
                         ? e->t - c->last_t
                         : FALLBACK_FRAME_DURATION;
  e->end = e->pts + dur;
  e->key = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  e->wall_us = g_get_real_time();
  e->size = gst_buffer_get_size(buffer);
  c->last_t = e->t;
  c->next_t = e->t + dur;
  c->now = GST_CLOCK_TIME_IS_VALID(c->now) ? MAX(c->now, e->pts) : e->pts;

  /* The clip ends before the first group that starts at or after its end. */
  Session *s = c->open;
  if (s && s->started && e->pts >= s->end_t && e->pts > s->max_pts)
    session_end(c, "duration");
  else if (s && (s->started || e->key))
    session_add(s, e);

  if (c->ring.length > 0 || e->key) {
    g_queue_push_tail(&c->ring, e);
    c->bytes += e->size;
    ring_trim(c);
  } else {
    entry_free(e); /* the ring starts at a key frame */
  }
  gboolean warn = c->warn_bytes;
  c->warn_bytes = FALSE;
  guint cache_s = c->cache_s;
  guint64 max_bytes = c->max_bytes;
  g_mutex_unlock(&c->lock);
  post_pending_warning(c, warn, cache_s, max_bytes);
}

void vf_sr_core_end(VfSrCore *c, const char *reason)
{
  g_mutex_lock(&c->lock);
  session_end(c, reason);
  ring_clear(c);
  c->rebase = TRUE;
  g_mutex_unlock(&c->lock);
}

void vf_sr_core_finish(VfSrCore *c, const char *reason)
{
  g_mutex_lock(&c->lock);
  session_end(c, reason);
  ring_clear(c);
  c->rebase = TRUE;
  /* Until each clip's message was posted too: an owner that stops next (a dynamic source going
   * to NULL, then freed) must still be there to pass it on. The finaliser gives up on a muxer
   * after VF_SR_FINISH_TIMEOUT. Not on the finaliser itself (a sync handler of its message that
   * stops the owner): it would wait for itself. */
  gboolean finaliser = c->thread == g_thread_self();
  while (!finaliser && (c->closing || c->finalising))
    g_cond_wait(&c->cond, &c->lock);
  g_mutex_unlock(&c->lock);
}

void vf_sr_core_configure(VfSrCore *c, const VfSrConfig *cfg)
{
  g_mutex_lock(&c->lock);
  c->cache_s = cfg->cache_s;
  c->max_bytes = cfg->max_bytes;
  c->container = cfg->container;
  g_free(c->dir);
  c->dir = g_strdup(cfg->dir && *cfg->dir ? cfg->dir : NULL);
  g_free(c->prefix);
  c->prefix = g_strdup(cfg->prefix && *cfg->prefix ? cfg->prefix : VF_SR_DEFAULT_PREFIX);
  c->default_duration_s = cfg->default_duration_s;
  ring_trim(c);
  gboolean warn = c->warn_bytes;
  c->warn_bytes = FALSE;
  g_mutex_unlock(&c->lock);
  post_pending_warning(c, warn, cfg->cache_s, cfg->max_bytes);
}

void vf_sr_core_get_stats(VfSrCore *c, GstClockTime *cached, guint64 *bytes, guint *frames)
{
  g_mutex_lock(&c->lock);
  Entry *first = g_queue_peek_head(&c->ring);
  if (cached)
    *cached = first ? c->next_t - first->t : 0;
  if (bytes)
    *bytes = c->bytes;
  if (frames)
    *frames = c->ring.length;
  g_mutex_unlock(&c->lock);
}

void vf_sr_core_free(VfSrCore *c)
{
  if (c == NULL)
    return;
  vf_sr_core_finish(c, "shutdown");
  g_mutex_lock(&c->lock);
  GThread *t = g_steal_pointer(&c->thread);
  c->quit = TRUE;
  g_cond_broadcast(&c->cond);
  g_mutex_unlock(&c->lock);
  if (t)
    g_thread_join(t);
  ring_clear(c);
  gst_clear_caps(&c->caps);
  g_free(c->dir);
  g_free(c->prefix);
  g_mutex_clear(&c->lock);
  g_cond_clear(&c->cond);
  g_free(c);
}
