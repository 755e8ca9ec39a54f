/* Smart recording (record.h): clips of a source's encoded stream started from the C API, a probe
 * ("an event"), REST, and the vfsmartrecord element; each clip checked by gst-discoverer
 * (duration within one GOP of what was asked), by decoding every frame (as many as the message
 * says) and by its first frame being a key frame; clips stopped early, started and stopped in a
 * race, cut by a pipeline stop and by the source's removal are finalised and playable. */
#include "rest-util.h"

#include <sys/wait.h>

static char *clip; /* 10 s, 320x240, 30 fps, a key frame every 15 frames (0.5 s) */
#define GOP (GST_SECOND / 2)
#define FRAME (GST_SECOND / 30)

/* ---- the clips seen ---- */

typedef struct {
  char *path; /* (nullable) */
  char *reason;
  char *error;
  char *sensor_id;
  guint session, frames;
  GstClockTime start, duration;
} Clip;

typedef struct {
  GMutex lock;
  GCond cond;
  GPtrArray *clips; /* Clip* */
} Clips;

static void clip_free(Clip *c)
{
  g_free(c->path);
  g_free(c->reason);
  g_free(c->error);
  g_free(c->sensor_id);
  g_free(c);
}

static void on_recording(VfPipeline *p, const VfRecordingInfo *info, gpointer data)
{
  (void)p;
  Clips *cs = data;
  Clip *c = g_new0(Clip, 1);
  c->path = g_strdup(info->path);
  c->reason = g_strdup(info->reason);
  c->error = g_strdup(info->error);
  c->sensor_id = g_strdup(info->sensor_id);
  c->session = info->session;
  c->frames = info->frames;
  c->start = info->start;
  c->duration = info->duration;
  g_mutex_lock(&cs->lock);
  g_ptr_array_add(cs->clips, c);
  g_cond_broadcast(&cs->cond);
  g_mutex_unlock(&cs->lock);
}

static void clips_init(Clips *cs, VfPipeline *p)
{
  g_mutex_init(&cs->lock);
  g_cond_init(&cs->cond);
  cs->clips = g_ptr_array_new_with_free_func((GDestroyNotify)clip_free);
  GError *err = NULL;
  VfRecordingCallbacks cb = { .on_recording = on_recording };
  VF_ASSERT_OK(vf_pipeline_watch_recordings(p, &cb, cs, &err) != 0, err);
}

static void clips_clear(Clips *cs)
{
  g_ptr_array_unref(cs->clips);
  g_mutex_clear(&cs->lock);
  g_cond_clear(&cs->cond);
}

/* The n-th clip (0-based) once it is announced, or fails after `seconds`. */
static Clip *clips_wait(Clips *cs, guint n, guint seconds)
{
  gint64 until = g_get_monotonic_time() + (gint64)seconds * G_TIME_SPAN_SECOND;
  g_mutex_lock(&cs->lock);
  while (cs->clips->len <= n)
    if (!g_cond_wait_until(&cs->cond, &cs->lock, until))
      break;
  Clip *c = n < cs->clips->len ? cs->clips->pdata[n] : NULL;
  g_mutex_unlock(&cs->lock);
  if (c == NULL)
    g_error("clip %u was not announced within %u s", n, seconds);
  return c;
}

/* ---- checking a file ---- */

/* gst-discoverer-1.0's duration of `path`. */
static GstClockTime discovered_duration(const char *path)
{
  const char *argv[] = { "gst-discoverer-1.0", path, NULL };
  char *out = NULL;
  gint status = 0;
  GError *err = NULL;
  VF_ASSERT_OK(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                            &status, &err),
               err);
  const char *d = strstr(out, "Duration: ");
  if (!g_spawn_check_wait_status(status, NULL) || d == NULL
      || strstr(out, "Done discovering") == NULL)
    g_error("gst-discoverer-1.0 %s failed:\n%s", path, out);
  guint h = 0, m = 0, s = 0, ns = 0;
  g_assert_cmpint(sscanf(d, "Duration: %u:%u:%u.%u", &h, &m, &s, &ns), ==, 4);
  g_free(out);
  return ((GstClockTime)h * 3600 + m * 60 + s) * GST_SECOND + ns;
}

typedef struct {
  guint frames;
  gboolean first_key, seen_first;
} Decoded;

static GstPadProbeReturn count_decoded(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  (void)info;
  ((Decoded *)data)->frames++;
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn first_parsed(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  Decoded *d = data;
  if (!d->seen_first) {
    d->seen_first = TRUE;
    d->first_key
        = !GST_BUFFER_FLAG_IS_SET(GST_PAD_PROBE_INFO_BUFFER(info), GST_BUFFER_FLAG_DELTA_UNIT);
  }
  return GST_PAD_PROBE_OK;
}

/* Decodes every frame of `path` (an error fails the test); returns the frame count and whether
 * the first encoded frame is a key frame. */
static Decoded decode_all(const char *path)
{
  Decoded d = { 0 };
  char *desc = g_strdup_printf("filesrc location=\"%s\" ! parsebin name=parse ! identity name=enc "
                               "! avdec_h264 ! identity name=raw ! fakesink",
                               path);
  GError *err = NULL;
  GstElement *pipe = gst_parse_launch(desc, &err);
  VF_ASSERT_OK(pipe != NULL, err);
  g_free(desc);
  GstElement *enc = gst_bin_get_by_name(GST_BIN(pipe), "enc");
  GstElement *raw = gst_bin_get_by_name(GST_BIN(pipe), "raw");
  GstPad *ep = gst_element_get_static_pad(enc, "src");
  GstPad *rp = gst_element_get_static_pad(raw, "src");
  gst_pad_add_probe(ep, GST_PAD_PROBE_TYPE_BUFFER, first_parsed, &d, NULL);
  gst_pad_add_probe(rp, GST_PAD_PROBE_TYPE_BUFFER, count_decoded, &d, NULL);
  gst_object_unref(ep);
  gst_object_unref(rp);
  gst_object_unref(enc);
  gst_object_unref(raw);
  gst_element_set_state(pipe, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus(pipe);
  GstMessage *msg
      = gst_bus_timed_pop_filtered(bus, 20 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull(msg);
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
    gst_message_parse_error(msg, &err, NULL);
    g_error("decoding %s: %s", path, err->message);
  }
  gst_message_unref(msg);
  gst_object_unref(bus);
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(pipe);
  return d;
}

/* A finished clip: announced with a path, no .part left, playable to its last frame, starting at
 * a key frame, its duration as announced (gst-discoverer, within two frames). Returns the
 * discovered duration. */
static GstClockTime check_clip(const Clip *c)
{
  if (c->path == NULL)
    g_error("clip %u has no file: %s", c->session, c->error ? c->error : "?");
  g_assert_true(g_file_test(c->path, G_FILE_TEST_IS_REGULAR));
  char *part = g_strconcat(c->path, ".part", NULL);
  g_assert_false(g_file_test(part, G_FILE_TEST_EXISTS));
  g_free(part);
  GstClockTime d = discovered_duration(c->path);
  Decoded dec = decode_all(c->path);
  g_test_message("clip %u (%s): %u frames, %.3f s announced, %.3f s discovered, %u decoded",
                 c->session, c->reason, c->frames, (double)c->duration / GST_SECOND,
                 (double)d / GST_SECOND, dec.frames);
  g_assert_true(dec.first_key);
  g_assert_cmpuint(dec.frames, ==, c->frames);
  g_assert_cmpuint(c->frames, >, 0);
  GstClockTime diff = d > c->duration ? d - c->duration : c->duration - d;
  g_assert_cmpuint(diff, <=, 2 * FRAME);
  return d;
}

/* ---- a pipeline of recording sources ---- */

static VfPipeline *record_pipeline(const char *name, const char *dir, const char *container,
                                   VfSources **s, LiveWatch *w, Clips *cs)
{
  const char *props[] = {
    "smart-record", "1", "smart-rec-cache", "3", "smart-rec-dir-path", dir, "smart-rec-container",
    container,      NULL
  };
  VfSourcesConfig cfg = { .source_properties = props, .keep_running = TRUE };
  VfPipeline *p = live_pipeline(name, &cfg, TRUE, s);
  live_watch_init(w, p, "mux");
  clips_init(cs, p);
  GError *err = NULL;
  VF_ASSERT_OK(vf_sources_add(*s, clip, "cam", "Camera", NULL, &err), err);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  return p;
}

static char *make_dir(void)
{
  char *dir = g_dir_make_tmp("vf-record-XXXXXX", NULL);
  g_assert_nonnull(dir);
  return dir;
}

static void remove_dir(char *dir)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d))) {
    char *path = g_build_filename(dir, name, NULL);
    g_unlink(path);
    g_free(path);
  }
  if (d)
    g_dir_close(d);
  g_rmdir(dir);
  g_free(dir);
}

static void end_pipeline(VfPipeline *p, LiveWatch *w, Clips *cs)
{
  GError *err = NULL;
  vf_pipeline_send_eos(p);
  VF_ASSERT_OK(vf_pipeline_wait(p, &err), err);
  vf_pipeline_free(p);
  live_watch_clear(w);
  clips_clear(cs);
}

/* A clip from `before` s before to `after` s after the start (moved back to a key frame: up to
 * one GOP more), once the ring holds `before` + 1 s. */
static void check_clip_of(const char *container, const char *suffix, guint before, guint after)
{
  char *dir = make_dir();
  VfSources *s;
  LiveWatch w;
  Clips cs;
  VfPipeline *p = record_pipeline(container, dir, container, &s, &w, &cs);
  GError *err = NULL;
  g_assert_true(live_wait_frames(&w, 0, (before + 1) * 30, 20));
  guint session = 0;
  VF_ASSERT_OK(vf_sources_start_recording(s, "cam", before, after, &session, &err), err);
  g_assert_cmpuint(session, >, 0);
  Clip *c = clips_wait(&cs, 0, 20);
  g_assert_cmpuint(c->session, ==, session);
  g_assert_cmpstr(c->reason, ==, "duration");
  g_assert_cmpstr(c->sensor_id, ==, "cam");
  g_assert_true(g_str_has_suffix(c->path, suffix));
  g_assert_true(g_str_has_prefix(c->path, dir));
  GstClockTime d = check_clip(c);
  g_assert_cmpuint(d, >=, (before + after) * GST_SECOND - 2 * FRAME);
  g_assert_cmpuint(d, <=, (before + after) * GST_SECOND + GOP + 2 * FRAME);
  end_pipeline(p, &w, &cs);
  remove_dir(dir);
}

static void test_clip_mp4(void)
{
  check_clip_of("mp4", ".mp4", 2, 2);
}

/* The other container: the same checks on a shorter clip (the length adds no coverage). */
static void test_clip_mkv(void)
{
  check_clip_of("mkv", ".mkv", 1, 1);
}

/* stop() ends a clip early; starts and stops in a race each give a finished file. */
static void test_stop_and_races(void)
{
  char *dir = make_dir();
  VfSources *s;
  LiveWatch w;
  Clips cs;
  VfPipeline *p = record_pipeline("races", dir, "mp4", &s, &w, &cs);
  GError *err = NULL;
  g_assert_true(live_wait_frames(&w, 0, 30, 20));
  guint session = 0;
  VF_ASSERT_OK(vf_sources_start_recording(s, "cam", 1, 30, &session, &err), err);
  g_usleep(G_USEC_PER_SEC / 2);
  VF_ASSERT_OK(vf_sources_stop_recording(s, "cam", session, &err), err);
  Clip *c = clips_wait(&cs, 0, 20);
  g_assert_cmpstr(c->reason, ==, "stopped");
  GstClockTime d = check_clip(c);
  g_assert_cmpuint(d, <, 3 * GST_SECOND); /* not the 30 s asked */
  /* nothing open any more */
  g_assert_false(vf_sources_stop_recording(s, "cam", 0, &err));
  g_assert_nonnull(err);
  g_clear_error(&err);
  /* start/stop races: each start gets its clip, finished */
  const guint races = 3;
  for (guint i = 0; i < races; i++) {
    VF_ASSERT_OK(vf_sources_start_recording(s, "cam", 1, 5, &session, &err), err);
    VF_ASSERT_OK(vf_sources_stop_recording(s, "cam", 0, &err), err);
  }
  for (guint i = 1; i <= races; i++)
    check_clip(clips_wait(&cs, i, 20));
  end_pipeline(p, &w, &cs);
  remove_dir(dir);
}

/* A probe reacts to an event ("frame 45 of the camera") by starting a clip from its streaming
 * thread. */
typedef struct {
  VfSources *sources;
  guint session;
  gboolean fired;
  char *error;
} Trigger;

static void on_batch(VfBatchMeta *meta, gpointer data)
{
  Trigger *t = data;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta) && !t->fired; i++) {
    VfFrameMeta *f = vf_batch_meta_get_frame(meta, i);
    if (vf_frame_meta_get_frame_number(f) >= 45) {
      GError *err = NULL;
      t->fired = TRUE;
      if (!vf_sources_start_recording(t->sources, "cam", 1, 1, &t->session, &err)) {
        t->error = g_strdup(err->message);
        g_error_free(err);
      }
    }
  }
}

static void test_probe_event(void)
{
  char *dir = make_dir();
  VfSources *s;
  LiveWatch w;
  Clips cs;
  const char *props[]
      = { "smart-record", "1", "smart-rec-cache", "3", "smart-rec-dir-path", dir, NULL };
  VfSourcesConfig cfg = { .source_properties = props, .keep_running = TRUE };
  VfPipeline *p = live_pipeline("probe-event", &cfg, TRUE, &s);
  live_watch_init(&w, p, "mux");
  clips_init(&cs, p);
  Trigger t = { .sources = s };
  VfProbeCallbacks cb = { .on_batch_meta = on_batch };
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_attach_probe(p, "mux", NULL, vf_probe_new("event", &cb, &t), &err), err);
  VF_ASSERT_OK(vf_sources_add(s, clip, "cam", NULL, NULL, &err), err);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  Clip *c = clips_wait(&cs, 0, 20);
  g_assert_null(t.error);
  g_assert_cmpuint(c->session, ==, t.session);
  GstClockTime d = check_clip(c);
  g_assert_cmpuint(d, >=, 2 * GST_SECOND - 2 * FRAME);
  g_assert_cmpuint(d, <=, 2 * GST_SECOND + GOP + 2 * FRAME);
  end_pipeline(p, &w, &cs);
  remove_dir(dir);
}

/* Clips cut by the source's removal and by the pipeline's stop are finalised. */
static void test_cut_short(void)
{
  char *dir = make_dir();
  VfSources *s;
  LiveWatch w;
  Clips cs;
  VfPipeline *p = record_pipeline("cut", dir, "mp4", &s, &w, &cs);
  GError *err = NULL;
  g_assert_true(live_wait_frames(&w, 0, 30, 20));
  VF_ASSERT_OK(vf_sources_start_recording(s, "cam", 1, 30, NULL, &err), err);
  g_usleep(G_USEC_PER_SEC / 2);
  VF_ASSERT_OK(vf_sources_remove(s, "cam", &err), err); /* the source goes mid-clip */
  Clip *c = clips_wait(&cs, 0, 20);
  g_assert_cmpstr(c->reason, ==, "source-ended");
  check_clip(c);

  /* a new source; the pipeline stops mid-clip: the clip is finalised before stop returns */
  VF_ASSERT_OK(vf_sources_add(s, clip, "cam2", NULL, NULL, &err), err);
  g_assert_true(live_wait_frames(&w, 1, 30, 20));
  VF_ASSERT_OK(vf_sources_start_recording(s, "cam2", 1, 30, NULL, &err), err);
  g_usleep(G_USEC_PER_SEC / 2);
  vf_pipeline_stop(p);
  GDir *d = g_dir_open(dir, 0, NULL);
  const char *name;
  char *found = NULL;
  while ((name = g_dir_read_name(d))) {
    g_assert_false(g_str_has_suffix(name, ".part"));
    if (strstr(name, "_cam2_"))
      found = g_build_filename(dir, name, NULL);
  }
  g_dir_close(d);
  g_assert_nonnull(found);
  Decoded dec = decode_all(found);
  g_assert_true(dec.first_key);
  g_assert_cmpuint(dec.frames, >=, 30);
  discovered_duration(found);
  g_free(found);
  vf_pipeline_free(p);
  live_watch_clear(&w);
  clips_clear(&cs);
  remove_dir(dir);
}

/* The vfsmartrecord element after a parser, driven by element name. */
static void test_element(void)
{
  char *dir = make_dir();
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new("element");
  VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "src", &err, "is-live", "true", NULL)
                   && vf_pipeline_add(p, "capsfilter", "caps", &err, "caps",
                                      "video/x-raw,width=320,height=240,framerate=30/1", NULL)
                   && vf_pipeline_add(p, "x264enc", "enc", &err, "speed-preset", "ultrafast",
                                      "key-int-max", "15", "tune", "zerolatency", NULL)
                   && vf_pipeline_add(p, "h264parse", "parse", &err, NULL)
                   && vf_pipeline_add(p, "vfsmartrecord", "rec", &err, "smart-rec-cache", "2",
                                      "smart-rec-dir-path", dir, NULL)
                   && vf_pipeline_link(p, &err, "src", "caps", "enc", "parse", "rec", NULL),
               err);
  Clips cs;
  clips_init(&cs, p);
  g_assert_false(vf_pipeline_start_recording(p, "enc", 1, 1, NULL, &err)); /* not a recorder */
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_assert_false(vf_pipeline_start_recording(p, "nope", 1, 1, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_clear_error(&err);
  g_assert_false(vf_pipeline_start_recording(p, "rec", 1, 1, NULL, &err)); /* no stream yet */
  g_assert_nonnull(err);
  g_clear_error(&err);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  g_usleep(3 * G_USEC_PER_SEC / 2);
  guint session = 0;
  VF_ASSERT_OK(vf_pipeline_start_recording(p, "rec", 1, 1, &session, &err), err);
  Clip *c = clips_wait(&cs, 0, 20);
  g_assert_cmpuint(c->session, ==, session);
  GstClockTime d = check_clip(c);
  g_assert_cmpuint(d, >=, 2 * GST_SECOND - 2 * FRAME);
  g_assert_cmpuint(d, <=, 2 * GST_SECOND + GOP + 2 * FRAME);
  /* bounded: the cache holds smart-rec-cache (2 s) and at most one GOP more */
  guint64 cached = 0, bytes = 0;
  GstElement *rec = vf_pipeline_get_element(p, "rec");
  g_object_get(rec, "smart-rec-cached", &cached, "smart-rec-cached-bytes", &bytes, NULL);
  g_test_message("cache: %.3f s, %" G_GUINT64_FORMAT " bytes", (double)cached / GST_SECOND, bytes);
  g_assert_cmpuint(cached, >=, 2 * GST_SECOND - FRAME);
  g_assert_cmpuint(cached, <=, 2 * GST_SECOND + GOP + FRAME);
  /* a byte bound below that: the cache shrinks to it, with a warning */
  g_object_set(rec, "smart-rec-cache-max-bytes", (guint64)(bytes / 2 < 65536 ? 65536 : bytes / 2),
               NULL);
  g_usleep(G_USEC_PER_SEC / 5);
  guint64 bound = 0;
  g_object_get(rec, "smart-rec-cached-bytes", &bytes, "smart-rec-cache-max-bytes", &bound, NULL);
  g_assert_cmpuint(bytes, <=, bound);
  vf_pipeline_stop(p);
  vf_pipeline_free(p);
  clips_clear(&cs);
  remove_dir(dir);
}

/* Clips started and stopped over REST (DeepStream's smart record message and seconds). */
static void test_rest(void)
{
  if (curl == NULL) {
    g_test_skip("curl is not installed (tools/setup.sh installs it)");
    return;
  }
  char *dir = make_dir();
  VfSources *s;
  LiveWatch w;
  Clips cs;
  VfPipeline *p = record_pipeline("record-rest", dir, "mp4", &s, &w, &cs);
  GError *err = NULL;
  VfRestServer *r = vf_pipeline_serve_rest(p, NULL, 0, &err);
  VF_ASSERT_OK(r != NULL, err);
  char *url = vf_rest_server_get_url(r);
  g_assert_true(live_wait_frames(&w, 0, 45, 20));
  Answer a = http(url, "POST", "/api/v1/record/start",
                  "{\"sensor\": {\"id\": \"cam\"}, \"start_before\": 1, \"duration\": 1}");
  g_assert_cmpuint(a.status, ==, 200);
  gint64 session = json_object_get_int_member(json_node_get_object(a.body), "session");
  g_assert_cmpint(session, >, 0);
  answer_clear(&a);
  Clip *c = clips_wait(&cs, 0, 20);
  g_assert_cmpint(c->session, ==, session);
  GstClockTime d = check_clip(c);
  g_assert_cmpuint(d, >=, 2 * GST_SECOND - 2 * FRAME);
  g_assert_cmpuint(d, <=, 2 * GST_SECOND + GOP + 2 * FRAME);
  /* DeepStream's message: start/end as ISO 8601 times; then stopped over REST */
  GDateTime *now = g_date_time_new_now_utc();
  GDateTime *from = g_date_time_add_seconds(now, -1);
  GDateTime *to = g_date_time_add_seconds(now, 20);
  char *t0 = g_date_time_format_iso8601(from), *t1 = g_date_time_format_iso8601(to);
  char *body = g_strdup_printf("{\"command\": \"start-recording\", \"sensor\": {\"id\": \"cam\"}, "
                               "\"start\": \"%s\", \"end\": \"%s\"}",
                               t0, t1);
  a = http(url, "POST", "/api/v1/record/start", body);
  if (a.status != 200)
    g_error("record/start with ISO times: %u %s", a.status, a.text);
  answer_clear(&a);
  g_free(body);
  g_free(t0);
  g_free(t1);
  g_date_time_unref(now);
  g_date_time_unref(from);
  g_date_time_unref(to);
  g_usleep(G_USEC_PER_SEC / 2);
  a = http(url, "POST", "/api/v1/record/stop", "{\"sensor\": {\"id\": \"cam\"}}");
  g_assert_cmpuint(a.status, ==, 200);
  answer_clear(&a);
  c = clips_wait(&cs, 1, 20);
  g_assert_cmpstr(c->reason, ==, "stopped");
  check_clip(c);
  /* bad requests */
  a = http(url, "POST", "/api/v1/record/start", "{\"sensor\": {\"id\": \"nobody\"}}");
  g_assert_cmpuint(a.status, ==, 404);
  answer_clear(&a);
  a = http(url, "POST", "/api/v1/record/start", "{\"sensor\": 7}");
  g_assert_cmpuint(a.status, ==, 400);
  answer_clear(&a);
  a = http(url, "POST", "/api/v1/record/stop", "{\"sensor\": {\"id\": \"cam\"}}");
  g_assert_cmpuint(a.status / 100, ==, 4); /* nothing open */
  answer_clear(&a);
  g_free(url);
  end_pipeline(p, &w, &cs);
  remove_dir(dir);
}

/* The Flow: batch_capture's smart_record_config (DeepStream's YAML) makes every source record. */
static void test_flow_config(void)
{
  char *dir = make_dir();
  char *text = g_strdup_printf("smart_rec_cache: 2\nsmart_rec_container: 1\n"
                               "smart_rec_dir_path: %s\nsmart_rec_file_prefix: flow\n"
                               "smart_rec_default_duration: 1\n",
                               dir);
  char *config = flow_test_write("sr-config.yaml", text);
  g_free(text);
  const char *uris[] = { clip, NULL };
  VfFlow *f = vf_flow_new(NULL);
  GError *err = NULL;
  VfFlow *t = vf_flow_batch_capture(f, uris, &err, "smart_record_config", config,
                                    "drop_pipeline_eos", "true", "live_source", "true", NULL);
  VF_ASSERT_OK(t != NULL, err);
  VF_ASSERT_OK(vf_flow_render(t, VF_RENDER_DISCARD, &err, NULL) != NULL, err);
  VfPipeline *p = vf_flow_get_pipeline(f);
  Clips cs;
  clips_init(&cs, p);
  LiveWatch w;
  live_watch_init(&w, p, "batch_capture0-mux");
  VF_ASSERT_OK(vf_flow_start(f, &err), err);
  g_assert_true(live_wait_frames(&w, 0, 45, 20));
  VfSources *s = vf_pipeline_get_sources(p);
  VF_ASSERT_OK(vf_sources_start_recording(s, "0", 1, 0, NULL, &err), err); /* default: 1 s */
  Clip *c = clips_wait(&cs, 0, 20);
  g_assert_true(g_str_has_suffix(c->path, ".mkv"));
  char *base = g_path_get_basename(c->path);
  g_assert_true(g_str_has_prefix(base, "flow_"));
  g_free(base);
  GstClockTime d = check_clip(c);
  g_assert_cmpuint(d, <=, 2 * GST_SECOND + GOP + 2 * FRAME);
  vf_pipeline_send_eos(p);
  VF_ASSERT_OK(vf_flow_wait(f, &err), err);
  vf_flow_free(f);
  clips_clear(&cs);
  live_watch_clear(&w);
  /* a bad key: a clear error naming it */
  char *bad = flow_test_write("sr-bad.yaml", "smart_rec_cache: 2\nsmart_rec_colour: red\n");
  f = vf_flow_new(NULL);
  g_assert_null(vf_flow_batch_capture(f, uris, &err, "smart_record_config", bad, NULL));
  FLOW_ASSERT_MESSAGE(err, "smart-rec-colour");
  g_clear_error(&err);
  vf_flow_free(f);
  g_unlink(bad);
  g_free(bad);
  g_unlink(config);
  g_free(config);
  remove_dir(dir);
}

/* Bad inputs of the recording calls. */
static void test_bad_inputs(void)
{
  GError *err = NULL;
  VfSources *s;
  VfPipeline *p = live_pipeline("record-bad", NULL, TRUE, &s);
  VF_ASSERT_OK(vf_sources_add(s, clip, "plain", NULL, NULL, &err), err);
  g_assert_false(vf_sources_start_recording(s, "nobody", 1, 1, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_clear_error(&err);
  g_assert_false(vf_sources_start_recording(NULL, "plain", 1, 1, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_assert_false(vf_sources_start_recording(s, "plain", 1, 1, NULL, &err)); /* smart-record off */
  g_assert_nonnull(err);
  g_assert_nonnull(strstr(err->message, "smart-record"));
  g_clear_error(&err);
  g_assert_false(vf_pipeline_start_recording(NULL, "x", 1, 1, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  VfRecordingCallbacks none = { 0 };
  g_assert_cmpuint(vf_pipeline_watch_recordings(p, &none, NULL, &err), ==, 0);
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  VfRecordingInfo info;
  g_assert_false(vf_recording_message_parse(NULL, &info));
  g_assert_false(vf_recording_message_parse(NULL, NULL));
  g_assert_false(vf_pipeline_stop_recording(NULL, "x", 0, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_assert_false(vf_pipeline_stop_recording(p, NULL, 0, &err));
  g_assert_nonnull(err);
  g_clear_error(&err);
  g_assert_false(vf_sources_stop_recording(NULL, "plain", 0, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_assert_false(vf_sources_start_recording(s, NULL, 1, 1, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_assert_cmpuint(vf_pipeline_watch_recordings(NULL, &none, NULL, &err), ==, 0);
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_assert_cmpuint(vf_pipeline_watch_recordings(p, NULL, NULL, &err), ==, 0);
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  /* the sources' getters with NULL: neutral values */
  GPtrArray *list = vf_sources_list(NULL);
  g_assert_cmpuint(list->len, ==, 0);
  g_ptr_array_unref(list);
  g_assert_cmpuint(vf_sources_get_count(NULL), ==, 0);
  g_assert_null(vf_sources_get_info(NULL, "plain", &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_assert_null(vf_sources_get_info(s, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  vf_source_info_free(NULL);
  g_assert_null(vf_pipeline_get_sources(NULL));
  g_assert_null(vf_pipeline_attach_sources(p, NULL, NULL, &err));
  g_assert_nonnull(err);
  g_clear_error(&err);
  vf_pipeline_free(p);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  clip = flow_test_clip("record-10s.mp4", 300, 320, 240);
  curl = g_find_program_in_path("curl");
  g_test_add_func("/record/bad-inputs", test_bad_inputs);
  g_test_add_func("/record/clip-mp4", test_clip_mp4);
  g_test_add_func("/record/clip-mkv", test_clip_mkv);
  g_test_add_func("/record/stop-and-races", test_stop_and_races);
  g_test_add_func("/record/probe-event", test_probe_event);
  g_test_add_func("/record/cut-short", test_cut_short);
  g_test_add_func("/record/element", test_element);
  g_test_add_func("/record/rest", test_rest);
  g_test_add_func("/record/flow-config", test_flow_config);
  int ret = g_test_run();
  g_unlink(clip);
  g_free(clip);
  g_free(curl);
  return ret;
}
