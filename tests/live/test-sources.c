/* Dynamic sources (VfSources, sources.h): sources added and removed while the pipeline runs, their
 * frames counted per source at vfmux's output (frame numbers must run on without a gap), the
 * source messages on the bus, the bad inputs, and add/remove 100 times beside 4 sources. */
#include "live-util.h"

#include <gst/base/gstbasesrc.h>

static char *clip;       /* 10 s, 320x240, 30 fps, H.264 */
static char *short_clip; /* 1 s */
static char *garbage;    /* not a video */

/* ---- bad inputs: clear errors, nothing changes ---- */

static void test_bad_inputs(void)
{
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new("bad");
  VF_ASSERT_OK(vf_pipeline_add(p, "vfmux", "mux", &err, NULL)
                   && vf_pipeline_add(p, "fakesink", "sink", &err, NULL)
                   && vf_pipeline_link(p, &err, "mux", "sink", NULL),
               err);
  g_assert_null(vf_pipeline_attach_sources(p, "sink", NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_assert_nonnull(strstr(err->message, "vfmux"));
  g_clear_error(&err);
  g_assert_null(vf_pipeline_attach_sources(p, "nope", NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_clear_error(&err);
  g_assert_null(vf_pipeline_attach_sources(NULL, "mux", NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  const char *bad_props[] = { "no-such-property", "1", NULL };
  VfSourcesConfig bad = { .source_properties = bad_props };
  g_assert_null(vf_pipeline_attach_sources(p, "mux", &bad, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_PROPERTY);
  g_clear_error(&err);

  VfSourcesConfig cfg = { .max_sources = 2 };
  VfSources *s = vf_pipeline_attach_sources(p, "mux", &cfg, &err);
  VF_ASSERT_OK(s != NULL, err);
  g_assert_true(vf_pipeline_get_sources(p) == s);
  g_assert_null(vf_pipeline_attach_sources(p, "mux", NULL, &err)); /* managed already */
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_clear_error(&err);

  g_assert_false(vf_sources_add(s, NULL, "a", NULL, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_assert_false(vf_sources_add(s, clip, "", NULL, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_assert_false(vf_sources_add(s, clip, NULL, NULL, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_assert_false(vf_sources_add(s, "/no/such/file.mp4", "a", NULL, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_assert_nonnull(strstr(err->message, "/no/such/file.mp4"));
  g_clear_error(&err);
  g_assert_false(vf_sources_add(s, "nosuchscheme://x/y", "a", NULL, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_UNSUPPORTED);
  g_clear_error(&err);
  g_assert_cmpuint(vf_sources_get_count(s), ==, 0);

  guint id = 99;
  VF_ASSERT_OK(vf_sources_add(s, clip, "a", "first", &id, &err), err);
  g_assert_cmpuint(id, ==, 0);
  g_assert_false(vf_sources_add(s, clip, "a", NULL, NULL, &err)); /* the same sensor twice */
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_assert_nonnull(strstr(err->message, "'a'"));
  g_clear_error(&err);
  VF_ASSERT_OK(vf_sources_add(s, clip, "b", NULL, &id, &err), err);
  g_assert_cmpuint(id, ==, 1);
  g_assert_false(vf_sources_add(s, clip, "c", NULL, NULL, &err)); /* max_sources */
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_clear_error(&err);
  g_assert_false(vf_sources_remove(s, "nobody", &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_assert_nonnull(strstr(err->message, "nobody"));
  g_clear_error(&err);
  g_assert_false(vf_sources_remove(NULL, "a", &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);

  GPtrArray *list = vf_sources_list(s);
  g_assert_cmpuint(list->len, ==, 2);
  VfSourceInfo *a = list->pdata[0];
  g_assert_cmpstr(a->sensor_id, ==, "a");
  g_assert_cmpstr(a->sensor_name, ==, "first");
  g_assert_cmpstr(a->element, ==, "mux-src0");
  g_assert_true(g_str_has_prefix(a->uri, "file://"));
  g_ptr_array_unref(list);
  g_assert_null(vf_sources_get_info(s, "zz", &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_clear_error(&err);
  /* removed before it ever ran: gone at once */
  VF_ASSERT_OK(vf_sources_remove(s, "b", &err), err);
  g_assert_cmpuint(vf_sources_get_count(s), ==, 1);
  /* the pipeline runs and can be attached to no more */
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  g_assert_null(vf_pipeline_attach_sources(p, "mux", NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_clear_error(&err);
  vf_pipeline_free(p);
}

/* ---- add and remove while running; messages; frames of the others go on ---- */

static void test_add_remove_running(void)
{
  GError *err = NULL;
  VfSources *s;
  VfPipeline *p = live_pipeline("add-remove", NULL, TRUE, &s);
  LiveWatch w;
  live_watch_init(&w, p, "mux");
  VF_ASSERT_OK(vf_sources_add(s, clip, "cam0", "zero", NULL, &err), err);
  VF_ASSERT_OK(vf_sources_add(s, clip, "cam1", "one", NULL, &err), err);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  g_assert_true(live_wait_frames(&w, 0, 10, 20));
  g_assert_true(live_wait_frames(&w, 1, 10, 20));

  guint id;
  gint64 t0 = g_get_monotonic_time();
  VF_ASSERT_OK(vf_sources_add(s, short_clip, "cam2", "two", &id, &err), err);
  g_assert_cmpuint(id, ==, 2);
  g_assert_true(live_wait(&w, &w.added[2], 1, 10));
  g_assert_true(live_wait_frames(&w, 2, 1, 20));
  g_test_message("add: first frame after %.1f ms", (w.first_us[2] - t0) / 1000.0);
  /* a short file that ends by itself: it ends, then leaves */
  g_assert_true(live_wait(&w, &w.removed[2], 1, 20));
  g_assert_cmpuint(w.eos[2], ==, 1);
  g_assert_cmpuint(live_frames(&w, 2), ==, 30); /* every frame of the 1 s clip */
  g_assert_cmpuint(vf_sources_get_count(s), ==, 2);
  g_assert_null(vf_sources_get_info(s, "cam2", NULL));

  /* remove a running one: drained, announced, gone; the other goes on */
  guint64 before = live_frames(&w, 0);
  t0 = g_get_monotonic_time();
  VF_ASSERT_OK(vf_sources_remove(s, "cam1", &err), err);
  g_assert_true(live_wait(&w, &w.removed[1], 1, 10));
  g_test_message("remove: gone after %.1f ms", (w.removed_us[1] - t0) / 1000.0);
  g_assert_cmpuint(w.eos[1], ==, 1);
  g_assert_true(live_wait_frames(&w, 0, before + 15, 20));
  g_assert_cmpuint(w.to_playing, ==, 1); /* the adds did not pause the others */
  /* the same sensor again at once: a new source id */
  VF_ASSERT_OK(vf_sources_add(s, clip, "cam1", NULL, &id, &err), err);
  g_assert_cmpuint(id, ==, 3);
  g_assert_true(live_wait_frames(&w, 3, 5, 20));
  vf_pipeline_send_eos(p);
  VF_ASSERT_OK(vf_pipeline_wait(p, &err), err);
  g_assert_cmpuint(w.broken, ==, 0);
  /* every frame a source gave vfmux left it in a batch */
  GPtrArray *list = vf_sources_list(s);
  for (guint i = 0; i < list->len; i++) {
    VfSourceInfo *info = list->pdata[i];
    g_assert_cmpuint(info->frames, ==, live_frames(&w, info->source_id));
  }
  g_ptr_array_unref(list);
  vf_pipeline_free(p);
  live_watch_clear(&w);
}

/* ---- sources that fail: reported, removed; the others go on ---- */

static void test_failing_sources(void)
{
  GError *err = NULL;
  VfSources *s;
  VfPipeline *p = live_pipeline("failing", NULL, TRUE, &s);
  LiveWatch w;
  live_watch_init(&w, p, "mux");
  VF_ASSERT_OK(vf_sources_add(s, clip, "good", NULL, NULL, &err), err);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  g_assert_true(live_wait_frames(&w, 0, 5, 20));
  /* a file that is no video: add() says so, or an error message follows */
  if (vf_sources_add(s, garbage, "junk", NULL, NULL, &err))
    g_assert_true(live_wait(&w, &w.errors, 1, 10));
  else
    g_clear_error(&err);
  /* an RTSP server that is not there */
  char *rtsp = g_strdup_printf("rtsp://127.0.0.1:%u/none", flow_test_free_port());
  guint errors = w.errors;
  if (vf_sources_add(s, rtsp, "gone", NULL, NULL, &err))
    g_assert_true(live_wait(&w, &w.errors, errors + 1, 20));
  else
    g_clear_error(&err);
  g_free(rtsp);
  g_mutex_lock(&w.lock);
  g_assert_nonnull(w.last_error);
  g_assert_nonnull(strstr(w.last_error, "'gone'")); /* names the sensor and what failed */
  g_mutex_unlock(&w.lock);
  /* both gone, the good one still running */
  gint64 until = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;
  while (vf_sources_get_count(s) != 1 && g_get_monotonic_time() < until)
    g_usleep(10000);
  g_assert_cmpuint(vf_sources_get_count(s), ==, 1);
  guint64 now = live_frames(&w, 0);
  g_assert_true(live_wait_frames(&w, 0, now + 10, 10));
  g_assert_cmpint(vf_pipeline_get_state(p), ==, VF_STATE_PLAYING);
  vf_pipeline_send_eos(p);
  VF_ASSERT_OK(vf_pipeline_wait(p, &err), err); /* the errors were not the pipeline's */
  g_assert_cmpuint(w.broken, ==, 0);
  vf_pipeline_free(p);
  live_watch_clear(&w);
}

/* The last source failing without keep_running is the pipeline's error. */
static void test_last_source_fails(void)
{
  GError *err = NULL;
  VfSources *s;
  VfPipeline *p = live_pipeline("last-fails", NULL, TRUE, &s);
  VF_ASSERT_OK(vf_sources_add(s, garbage, "junk", NULL, NULL, &err), err);
  gboolean ok = vf_pipeline_run(p, &err);
  g_assert_false(ok);
  g_assert_error(err, VF_ERROR, VF_ERROR_STREAM);
  g_clear_error(&err);
  vf_pipeline_free(p);
}

/* ---- keep_running: no source left, the pipeline waits; send_eos still ends it ---- */

static void test_keep_running(void)
{
  GError *err = NULL;
  VfSources *s;
  VfSourcesConfig cfg = { .keep_running = TRUE };
  VfPipeline *p = live_pipeline("keep-running", &cfg, TRUE, &s);
  LiveWatch w;
  live_watch_init(&w, p, "mux");
  VF_ASSERT_OK(vf_sources_add(s, short_clip, "a", NULL, NULL, &err), err);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  /* it ends by itself: removed, the pipeline runs on */
  g_assert_true(live_wait(&w, &w.removed[0], 1, 20));
  g_assert_cmpuint(live_frames(&w, 0), ==, 30);
  g_assert_cmpuint(vf_sources_get_count(s), ==, 0);
  g_usleep(200 * 1000);
  g_assert_false(w.pipeline_eos);
  g_assert_cmpint(vf_pipeline_get_state(p), ==, VF_STATE_PLAYING);
  /* a new one; removed while it runs */
  VF_ASSERT_OK(vf_sources_add(s, clip, "b", NULL, NULL, &err), err);
  g_assert_true(live_wait_frames(&w, 1, 10, 20));
  VF_ASSERT_OK(vf_sources_remove(s, "b", &err), err);
  g_assert_true(live_wait(&w, &w.removed[1], 1, 10));
  g_usleep(200 * 1000);
  g_assert_false(w.pipeline_eos);
  /* no source at all: the end of stream ends it */
  vf_pipeline_send_eos(p);
  VF_ASSERT_OK(vf_pipeline_wait(p, &err), err);
  g_assert_true(w.pipeline_eos);
  g_assert_cmpuint(w.broken, ==, 0);
  vf_pipeline_free(p);
  live_watch_clear(&w);
}

/* Without keep_running, removing the last source ends the stream. */
static void test_remove_last_ends(void)
{
  GError *err = NULL;
  VfSources *s;
  VfPipeline *p = live_pipeline("remove-last", NULL, TRUE, &s);
  LiveWatch w;
  live_watch_init(&w, p, "mux");
  VF_ASSERT_OK(vf_sources_add(s, clip, "a", NULL, NULL, &err), err);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  g_assert_true(live_wait_frames(&w, 0, 5, 20));
  VF_ASSERT_OK(vf_sources_remove(s, "a", &err), err);
  VF_ASSERT_OK(vf_pipeline_wait(p, &err), err);
  g_assert_true(w.pipeline_eos);
  g_assert_cmpuint(w.eos[0], ==, 1);
  vf_pipeline_free(p);
  live_watch_clear(&w);
}

/* ---- the per-source end downstream: vfdemux, vftracker, vfmsgconv ---- */

/* What reached vfdemux (after vftracker and vfmsgconv), per source id. */
typedef struct {
  GMutex lock;
  GCond cond;
  GstElement *tracker, *conv; /* (transfer none) */
  guint max_tracker_streams, max_conv_streams;
  guint payloads[LIVE_MAX_SOURCES]; /* messages of each source */
  guint late_payloads;              /* messages of a source after its end */
  gboolean gone[LIVE_MAX_SOURCES];  /* its VF_SOURCE_REMOVED passed */
  guint tracker_streams_at_end[LIVE_MAX_SOURCES], conv_streams_at_end[LIVE_MAX_SOURCES];
  guint64 pad_buffers[LIVE_MAX_SOURCES]; /* buffers out of vfdemux's src_<id> */
  gboolean pad_eos[LIVE_MAX_SOURCES];    /* src_<id> got EOS */
} Downstream;

static guint uint_property(GstElement *e, const char *name)
{
  guint v = 0;
  g_object_get(e, name, &v, NULL);
  return v;
}

/* One pretend detection per frame (a detector's output) for the tracker and converter to keep. */
static void detect_one(VfBatchMeta *meta, gpointer data)
{
  (void)data;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++) {
    VfObjectMeta *obj = vf_object_meta_new();
    VfRect box = { 100, 80, 60, 120 };
    vf_object_meta_set_class_id(obj, 0);
    vf_object_meta_set_label(obj, "Person");
    vf_object_meta_set_confidence(obj, 0.9f);
    vf_object_meta_set_detector_bbox(obj, &box);
    vf_frame_meta_add_object(vf_batch_meta_get_frame(meta, i), obj);
    vf_object_meta_unref(obj);
  }
}

/* vfdemux's sink pad: the batches and per-source ends after vftracker and vfmsgconv (serialized:
 * what those elements did with an event is done when it gets here). */
static GstPadProbeReturn at_demux(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  Downstream *d = data;
  g_mutex_lock(&d->lock);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    d->max_tracker_streams = MAX(d->max_tracker_streams, uint_property(d->tracker, "streams"));
    d->max_conv_streams = MAX(d->max_conv_streams, uint_property(d->conv, "streams"));
    VfBatchMeta *meta = vf_batch_meta_get(GST_PAD_PROBE_INFO_BUFFER(info));
    for (guint i = 0; meta && i < vf_batch_meta_get_n_frames(meta); i++) {
      GPtrArray *payloads = vf_frame_meta_get_payloads(vf_batch_meta_get_frame(meta, i));
      for (guint k = 0; k < payloads->len; k++) {
        guint id = vf_payload_get_source_id(payloads->pdata[k]);
        g_assert_cmpuint(id, <, LIVE_MAX_SOURCES);
        d->payloads[id]++;
        d->late_payloads += d->gone[id];
      }
      g_ptr_array_unref(payloads);
    }
  } else {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
    guint id;
    if (gst_event_has_name(event, VF_SOURCE_REMOVED) && vf_source_event_is_end(event, &id)
        && id < LIVE_MAX_SOURCES) {
      d->gone[id] = TRUE;
      d->tracker_streams_at_end[id] = uint_property(d->tracker, "streams");
      d->conv_streams_at_end[id] = uint_property(d->conv, "streams");
    }
  }
  g_cond_broadcast(&d->cond);
  g_mutex_unlock(&d->lock);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn at_demux_output(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Downstream *d = data;
  guint id = (guint)g_ascii_strtoull(GST_PAD_NAME(pad) + strlen("src_"), NULL, 10);
  g_assert_cmpuint(id, <, LIVE_MAX_SOURCES);
  g_mutex_lock(&d->lock);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    d->pad_buffers[id]++;
  else if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_EOS)
    d->pad_eos[id] = TRUE;
  g_cond_broadcast(&d->cond);
  g_mutex_unlock(&d->lock);
  return GST_PAD_PROBE_OK;
}

/* vfdemux's src_<id> (a request pad, as nvstreamdemux's) to a fakesink of its own. */
static void demux_output(VfPipeline *p, guint id, Downstream *d)
{
  GError *err = NULL;
  char pad[16], sink[16];
  g_snprintf(pad, sizeof pad, "src_%u", id);
  g_snprintf(sink, sizeof sink, "out%u", id);
  VF_ASSERT_OK(vf_pipeline_add(p, "fakesink", sink, &err, "sync", "false", "async", "false", NULL)
                   && vf_pipeline_link_pads(p, "demux", pad, sink, NULL, &err),
               err);
  GstPad *src = gst_element_get_static_pad(vf_pipeline_get_element(p, "demux"), pad);
  g_assert_nonnull(src);
  gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                    at_demux_output, d, NULL);
  gst_object_unref(src);
}

static gboolean downstream_wait(Downstream *d, const gboolean *flag, guint seconds)
{
  gint64 until = g_get_monotonic_time() + (gint64)seconds * G_TIME_SPAN_SECOND;
  g_mutex_lock(&d->lock);
  gboolean ok = TRUE;
  while (!*flag && ok)
    ok = g_cond_wait_until(&d->cond, &d->lock, until);
  ok = *flag;
  g_mutex_unlock(&d->lock);
  return ok;
}

static gboolean downstream_wait_buffers(Downstream *d, guint id, guint64 n, guint seconds)
{
  gint64 until = g_get_monotonic_time() + (gint64)seconds * G_TIME_SPAN_SECOND;
  g_mutex_lock(&d->lock);
  gboolean ok = TRUE;
  while (d->pad_buffers[id] < n && ok)
    ok = g_cond_wait_until(&d->cond, &d->lock, until);
  ok = d->pad_buffers[id] >= n;
  g_mutex_unlock(&d->lock);
  return ok;
}

/* Sources -> vfmux -> vftracker -> vfmsgconv (new-track) -> vfdemux: a source removed while the
 * other goes on, then one that ends by itself (paced at 30 fps by identity sync). Each end frees
 * the tracker's and the converter's state of that source (their streams counters, read when the end
 * passed them), ends its vfdemux pad with every frame delivered, and no message of it follows; the
 * other source never stops. */
static void test_end_downstream(void)
{
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new("end-downstream");
  VfProbeCallbacks detect_cb = { .on_batch_meta = detect_one };
  VF_ASSERT_OK(vf_pipeline_add(p, "vfmux", "mux", &err, "width", "320", "height", "240",
                               "live-source", "true", NULL)
                   && vf_pipeline_add(p, "identity", "pace", &err, "sync", "true", NULL)
                   && vf_pipeline_add(p, "vftracker", "tracker", &err, NULL)
                   && vf_pipeline_add(p, "vfmsgconv", "conv", &err, "payload-type", "vidflow",
                                      "frequency", "new-track", NULL)
                   && vf_pipeline_add(p, "vfdemux", "demux", &err, NULL)
                   && vf_pipeline_link(p, &err, "mux", "pace", "tracker", "conv", "demux", NULL)
                   && vf_pipeline_attach_probe(p, "mux", NULL,
                                               vf_probe_new("detect", &detect_cb, NULL), &err),
               err);
  VfSources *s = vf_pipeline_attach_sources(p, "mux", NULL, &err);
  VF_ASSERT_OK(s != NULL, err);
  Downstream d = { .tracker = vf_pipeline_get_element(p, "tracker"),
                   .conv = vf_pipeline_get_element(p, "conv") };
  g_mutex_init(&d.lock);
  g_cond_init(&d.cond);
  GstElement *demux = vf_pipeline_get_element(p, "demux");
  for (guint id = 0; id < 3; id++) /* the two first sources and the one added later */
    demux_output(p, id, &d);
  GstPad *demux_sink = gst_element_get_static_pad(demux, "sink");
  gst_pad_add_probe(demux_sink, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                    at_demux, &d, NULL);
  gst_object_unref(demux_sink);
  LiveWatch w;
  live_watch_init(&w, p, "mux");

  VF_ASSERT_OK(vf_sources_add(s, clip, "cam0", NULL, NULL, &err), err);
  VF_ASSERT_OK(vf_sources_add(s, clip, "cam1", NULL, NULL, &err), err);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  g_assert_true(downstream_wait_buffers(&d, 0, 10, 20));
  g_assert_true(downstream_wait_buffers(&d, 1, 10, 20));
  g_mutex_lock(&d.lock);
  g_assert_cmpuint(d.max_tracker_streams, ==, 2); /* both sources' state is kept */
  g_assert_cmpuint(d.max_conv_streams, ==, 2);
  g_assert_cmpuint(d.payloads[0], >=, 1); /* the new track of each made a message */
  g_assert_cmpuint(d.payloads[1], >=, 1);
  g_mutex_unlock(&d.lock);

  /* removed while running */
  VF_ASSERT_OK(vf_sources_remove(s, "cam0", &err), err);
  g_assert_true(downstream_wait(&d, &d.gone[0], 20));
  g_assert_true(downstream_wait(&d, &d.pad_eos[0], 20));
  g_mutex_lock(&d.lock);
  g_assert_cmpuint(d.tracker_streams_at_end[0], ==, 1); /* only cam1's is left */
  g_assert_cmpuint(d.conv_streams_at_end[0], ==, 1);
  g_assert_false(d.pad_eos[1]);
  guint64 cam1 = d.pad_buffers[1];
  g_mutex_unlock(&d.lock);
  g_assert_true(downstream_wait_buffers(&d, 1, cam1 + 10, 20)); /* the other goes on */
  g_assert_cmpuint(d.pad_buffers[0], ==, live_frames(&w, 0));   /* every frame came out */

  /* a short one that ends by itself */
  guint id;
  VF_ASSERT_OK(vf_sources_add(s, short_clip, "cam2", NULL, &id, &err), err);
  g_assert_cmpuint(id, ==, 2);
  g_assert_true(downstream_wait(&d, &d.gone[2], 30));
  g_assert_true(downstream_wait(&d, &d.pad_eos[2], 20));
  g_mutex_lock(&d.lock);
  g_assert_cmpuint(d.pad_buffers[2], ==, 30); /* the whole 1 s clip */
  g_assert_cmpuint(d.payloads[2], >=, 1);
  g_assert_cmpuint(d.tracker_streams_at_end[2], ==, 1);
  g_assert_cmpuint(d.conv_streams_at_end[2], ==, 1);
  g_assert_false(d.pad_eos[1]);
  g_mutex_unlock(&d.lock);

  vf_pipeline_send_eos(p);
  VF_ASSERT_OK(vf_pipeline_wait(p, &err), err);
  g_mutex_lock(&d.lock);
  g_assert_true(d.pad_eos[1]);
  g_assert_cmpuint(d.late_payloads, ==, 0); /* nothing about a source after its end */
  g_assert_cmpuint(d.pad_buffers[1], ==, w.frames[1]);
  g_mutex_unlock(&d.lock);
  g_assert_cmpuint(w.broken, ==, 0);
  vf_pipeline_free(p);
  live_watch_clear(&w);
  g_mutex_clear(&d.lock);
  g_cond_clear(&d.cond);
}

/* ---- add and remove 100 times beside 4 sources ---- */

#define CHURN_THREADS 4
#define CHURN_CYCLES 100

typedef struct {
  VfSources *sources;
  LiveWatch *watch;
  guint thread;
  GArray *add_ms, *remove_ms, *drained; /* drained: frames that left vfmux after remove() */
  GMutex *lock;
} Churn;

/* Churn sources that took VF_SOURCES_DRAIN_TIMEOUT to go: removed at once by design (a machine
 * too busy to drain in time, e.g. under AddressSanitizer), so without their end of stream. */
static gboolean drain_timed_out[LIVE_MAX_SOURCES];

static gpointer churn(gpointer data)
{
  Churn *c = data;
  char sensor[32];
  g_snprintf(sensor, sizeof sensor, "churn%u", c->thread);
  for (guint k = 0; k < CHURN_CYCLES / CHURN_THREADS; k++) {
    GError *err = NULL;
    guint id;
    gint64 t0 = g_get_monotonic_time();
    VF_ASSERT_OK(vf_sources_add(c->sources, clip, sensor, NULL, &id, &err), err);
    g_assert_true(live_wait_frames(c->watch, id, 1, 20)); /* it delivered */
    double add = (c->watch->first_us[id] - t0) / 1000.0;
    gint64 t1 = g_get_monotonic_time();
    double at_remove = (double)live_frames(c->watch, id);
    VF_ASSERT_OK(vf_sources_remove(c->sources, sensor, &err), err);
    g_assert_true(live_wait(c->watch, &c->watch->removed[id], 1, 20));
    double rm = (c->watch->removed_us[id] - t1) / 1000.0;
    double drained = (double)live_frames(c->watch, id) - at_remove;
    g_mutex_lock(c->lock);
    drain_timed_out[id] = rm >= (double)VF_SOURCES_DRAIN_TIMEOUT / GST_MSECOND;
    g_array_append_val(c->add_ms, add);
    g_array_append_val(c->remove_ms, rm);
    g_array_append_val(c->drained, drained);
    g_mutex_unlock(c->lock);
  }
  return NULL;
}

static gint cmp_double(gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void report(const char *what, GArray *values, const char *unit)
{
  g_array_sort(values, cmp_double);
  double *v = (double *)values->data;
  guint n = values->len;
  g_test_message("%s over %u: median %.1f %s, p90 %.1f, max %.1f", what, n, v[n / 2], unit,
                 v[n * 9 / 10], v[n - 1]);
  g_print("# BENCH live-%s-median %.1f %s\n", what, v[n / 2], unit);
}

static void test_churn(void)
{
  GError *err = NULL;
  VfSources *s;
  const char *props[] = { "file-loop", "true", NULL };
  VfSourcesConfig cfg = { .source_properties = props };
  VfPipeline *p = live_pipeline("churn", &cfg, TRUE, &s);
  LiveWatch w;
  live_watch_init(&w, p, "mux");
  for (guint i = 0; i < 4; i++) {
    char id[16];
    g_snprintf(id, sizeof id, "steady%u", i);
    VF_ASSERT_OK(vf_sources_add(s, clip, id, NULL, NULL, &err), err);
  }
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  for (guint i = 0; i < 4; i++)
    g_assert_true(live_wait_frames(&w, i, 5, 20));
  guint64 before[4];
  for (guint i = 0; i < 4; i++)
    before[i] = live_frames(&w, i);
  gint64 t0 = g_get_monotonic_time();
  GMutex lock;
  g_mutex_init(&lock);
  Churn c[CHURN_THREADS];
  GThread *t[CHURN_THREADS];
  GArray *add_ms = g_array_new(FALSE, FALSE, sizeof(double));
  GArray *remove_ms = g_array_new(FALSE, FALSE, sizeof(double));
  GArray *drained = g_array_new(FALSE, FALSE, sizeof(double));
  for (guint i = 0; i < CHURN_THREADS; i++) {
    c[i] = (Churn){ s, &w, i, add_ms, remove_ms, drained, &lock };
    t[i] = g_thread_new("churn", churn, &c[i]);
  }
  for (guint i = 0; i < CHURN_THREADS; i++)
    g_thread_join(t[i]);
  double secs = (g_get_monotonic_time() - t0) / 1e6;
  g_assert_cmpuint(add_ms->len, ==, CHURN_CYCLES);
  report("add-latency", add_ms, "ms");
  report("remove-latency", remove_ms, "ms");
  /* a removal drains: the frames the source had decoded still go out, at the sink's pace */
  report("remove-drained-frames", drained, "frames");
  /* the steady sources never stopped: frames in order, none missing, and as many as the time
   * allowed (30 fps, paced by the sink) */
  g_assert_cmpuint(w.broken, ==, 0);
  for (guint i = 0; i < 4; i++) {
    guint64 got = live_frames(&w, i) - before[i];
    g_test_message("steady%u: %" G_GUINT64_FORMAT " frames in %.1f s during the churn, longest "
                   "gap %.0f ms",
                   i, got, secs, w.max_gap_us[i] / 1000.0);
    g_assert_cmpuint(got, >=, (guint64)(secs * 30 * 0.5));
  }
  /* adding sources never paused the running pipeline (a lost state stalls every source) */
  g_assert_cmpuint(w.to_playing, ==, 1);
  /* every churn source joined, ended (drained) and left once */
  guint timed_out = 0;
  for (guint id = 4; id < 4 + CHURN_CYCLES; id++) {
    g_assert_cmpuint(w.added[id], ==, 1);
    if (drain_timed_out[id])
      timed_out++;
    else
      g_assert_cmpuint(w.eos[id], ==, 1);
    g_assert_cmpuint(w.removed[id], ==, 1);
  }
  if (timed_out)
    g_test_message("%u of %u churn sources did not drain within %.0f s (a busy machine): removed "
                   "at once, as documented",
                   timed_out, CHURN_CYCLES, (double)VF_SOURCES_DRAIN_TIMEOUT / GST_SECOND);
  g_assert_cmpuint(vf_sources_get_count(s), ==, 4);
  vf_pipeline_send_eos(p);
  VF_ASSERT_OK(vf_pipeline_wait(p, &err), err);
  GPtrArray *list = vf_sources_list(s);
  g_assert_cmpuint(list->len, ==, 4);
  for (guint i = 0; i < list->len; i++) {
    VfSourceInfo *info = list->pdata[i];
    g_assert_cmpuint(info->frames, ==, live_frames(&w, info->source_id)); /* nothing lost */
  }
  g_ptr_array_unref(list);
  g_array_unref(add_ms);
  g_array_unref(remove_ms);
  g_array_unref(drained);
  g_mutex_clear(&lock);
  vf_pipeline_free(p);
  live_watch_clear(&w);
}

/* ---- the Flow API: batch_capture's sources added and removed while the flow runs ---- */

static void test_flow_batch_capture(void)
{
  GError *err = NULL;
  const char *uris[] = { clip, NULL };
  VfFlow *f = vf_flow_new(NULL);
  VfFlow *t = vf_flow_batch_capture(f, uris, &err, "drop_pipeline_eos", "true", "live_source",
                                    "true", "max_batch_size", "3", NULL);
  VF_ASSERT_OK(t != NULL, err);
  VF_ASSERT_OK(vf_flow_render(t, VF_RENDER_DISCARD, &err, NULL) != NULL, err);
  VfPipeline *p = vf_flow_get_pipeline(f);
  VfSources *s = vf_pipeline_get_sources(p);
  g_assert_nonnull(s);
  LiveWatch w;
  live_watch_init(&w, p, "batch_capture0-mux");
  VF_ASSERT_OK(vf_flow_start(f, &err), err);
  g_assert_true(live_wait_frames(&w, 0, 5, 20));
  VfSourceInfo *first = vf_sources_get_info(s, "0", &err); /* the first sources' ids: "0", ... */
  VF_ASSERT_OK(first != NULL, err);
  g_assert_cmpstr(first->element, ==, "batch_capture0-src0");
  vf_source_info_free(first);
  guint id;
  VF_ASSERT_OK(vf_sources_add(s, clip, "gate", "Gate", &id, &err), err);
  g_assert_cmpuint(id, ==, 1);
  g_assert_true(live_wait_frames(&w, 1, 10, 20));
  /* batches follow the sources: two frames now */
  g_mutex_lock(&w.lock);
  guint max_batch = w.max_batch;
  g_mutex_unlock(&w.lock);
  g_assert_cmpuint(max_batch, ==, 2);
  VF_ASSERT_OK(vf_sources_remove(s, "0", &err), err);
  g_assert_true(live_wait(&w, &w.removed[0], 1, 10));
  g_assert_cmpuint(w.eos[0], ==, 1); /* its end went downstream as a per-source end */
  guint64 gate = live_frames(&w, 1);
  g_assert_true(live_wait_frames(&w, 1, gate + 10, 20)); /* the other goes on */
  /* the last one removed: drop_pipeline_eos keeps the flow running */
  VF_ASSERT_OK(vf_sources_remove(s, "gate", &err), err);
  g_assert_true(live_wait(&w, &w.removed[1], 1, 10));
  g_usleep(200 * 1000);
  g_assert_false(w.pipeline_eos);
  vf_pipeline_send_eos(p);
  VF_ASSERT_OK(vf_flow_wait(f, &err), err);
  g_assert_true(w.pipeline_eos);
  g_assert_cmpuint(w.broken, ==, 0);
  vf_flow_free(f);
  live_watch_clear(&w);

  /* bad options: clear errors */
  static const char *const bad[][3] = {
    { "max_batch_size", "lots", "max_batch_size" },
    { "port", "99999", "port" },
    { "smart_record_config", "/no/such/sr.yaml", "/no/such/sr.yaml" },
    { "no_such_option", "1", "no-such-option" },
  };
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    f = vf_flow_new(NULL);
    g_assert_null(vf_flow_batch_capture(f, uris, &err, bad[i][0], bad[i][1], NULL));
    g_assert_nonnull(err);
    FLOW_ASSERT_MESSAGE(err, bad[i][2]);
    g_clear_error(&err);
    vf_flow_free(f);
  }
}

/* Sources still running when the pipeline is freed go with it. Their slots used to stay behind,
 * never finalised, and LeakSanitizer did not report it: this checks the element itself. */
static void test_freed_with_pipeline(void)
{
  GError *err = NULL;
  VfSources *s;
  VfPipeline *p = live_pipeline("freed", NULL, TRUE, &s);
  LiveWatch w;
  live_watch_init(&w, p, "mux");
  VF_ASSERT_OK(vf_sources_add(s, clip, "a", NULL, NULL, &err), err);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  g_assert_true(live_wait_frames(&w, 0, 5, 20));
  GstElement *src = gst_bin_get_by_name(GST_BIN(vf_pipeline_get_gst_pipeline(p)), "mux-src0");
  g_assert_nonnull(src);
  GWeakRef ref;
  g_weak_ref_init(&ref, src);
  gst_object_unref(src);
  vf_pipeline_free(p);
  GObject *left = g_weak_ref_get(&ref);
  g_assert_null(left); /* the source element is gone with the pipeline */
  g_weak_ref_clear(&ref);
  live_watch_clear(&w);
}

/* ---- a source that never reaches NULL: vf_pipeline_free does not wait for it ---- */

/* vfstucksrc (URIs "vfstuck://..."): a live source that gives nothing and whose stop() blocks,
 * once it ran, until the test lets it return (a dead network camera, a stuck demuxer). The
 * stop() of basesrc's start/stop probe (uridecodebin's scheduling query) returns at once. */
#define TEST_TYPE_STUCK_SRC (test_stuck_src_get_type())
G_DECLARE_FINAL_TYPE(TestStuckSrc, test_stuck_src, TEST, STUCK_SRC, GstBaseSrc)

struct _TestStuckSrc {
  GstBaseSrc parent;
  char *uri;
  gboolean unlocked; /* under stuck.lock */
  gboolean ran;      /* create() was called (under stuck.lock) */
};

static struct {
  GMutex lock;
  GCond cond;
  guint stopping;  /* stop() calls blocked now */
  gboolean let_go; /* stop() may return */
  guint finalized; /* instances gone */
} stuck;

static GstStaticPadTemplate stuck_src_template
    = GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

static GstURIType stuck_uri_type(GType type)
{
  (void)type;
  return GST_URI_SRC;
}

static const char *const *stuck_protocols(GType type)
{
  (void)type;
  static const char *const protocols[] = { "vfstuck", NULL };
  return protocols;
}

static char *stuck_get_uri(GstURIHandler *handler)
{
  return g_strdup(TEST_STUCK_SRC(handler)->uri);
}

static gboolean stuck_set_uri(GstURIHandler *handler, const char *uri, GError **error)
{
  (void)error;
  g_free(TEST_STUCK_SRC(handler)->uri);
  TEST_STUCK_SRC(handler)->uri = g_strdup(uri);
  return TRUE;
}

static void stuck_uri_init(gpointer iface, gpointer data)
{
  (void)data;
  GstURIHandlerInterface *i = iface;
  i->get_type = stuck_uri_type;
  i->get_protocols = stuck_protocols;
  i->get_uri = stuck_get_uri;
  i->set_uri = stuck_set_uri;
}

G_DEFINE_TYPE_WITH_CODE(TestStuckSrc, test_stuck_src, GST_TYPE_BASE_SRC,
                        G_IMPLEMENT_INTERFACE(GST_TYPE_URI_HANDLER, stuck_uri_init))

/* Nothing comes, until flushed. */
static GstFlowReturn stuck_create(GstBaseSrc *src, guint64 offset, guint size, GstBuffer **buf)
{
  (void)offset;
  (void)size;
  (void)buf;
  TestStuckSrc *self = TEST_STUCK_SRC(src);
  g_mutex_lock(&stuck.lock);
  self->ran = TRUE;
  while (!self->unlocked)
    g_cond_wait(&stuck.cond, &stuck.lock);
  g_mutex_unlock(&stuck.lock);
  return GST_FLOW_FLUSHING;
}

static gboolean stuck_unlock(GstBaseSrc *src)
{
  g_mutex_lock(&stuck.lock);
  TEST_STUCK_SRC(src)->unlocked = TRUE;
  g_cond_broadcast(&stuck.cond);
  g_mutex_unlock(&stuck.lock);
  return TRUE;
}

static gboolean stuck_unlock_stop(GstBaseSrc *src)
{
  g_mutex_lock(&stuck.lock);
  TEST_STUCK_SRC(src)->unlocked = FALSE;
  g_mutex_unlock(&stuck.lock);
  return TRUE;
}

static gboolean stuck_stop(GstBaseSrc *src)
{
  g_mutex_lock(&stuck.lock);
  if (!TEST_STUCK_SRC(src)->ran) {
    g_mutex_unlock(&stuck.lock);
    return TRUE;
  }
  stuck.stopping++;
  g_cond_broadcast(&stuck.cond);
  while (!stuck.let_go)
    g_cond_wait(&stuck.cond, &stuck.lock);
  stuck.stopping--;
  g_mutex_unlock(&stuck.lock);
  return TRUE;
}

static void stuck_finalize(GObject *object)
{
  g_free(TEST_STUCK_SRC(object)->uri);
  G_OBJECT_CLASS(test_stuck_src_parent_class)->finalize(object);
  g_mutex_lock(&stuck.lock);
  stuck.finalized++;
  g_cond_broadcast(&stuck.cond);
  g_mutex_unlock(&stuck.lock);
}

static void test_stuck_src_class_init(TestStuckSrcClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = stuck_finalize;
  gst_element_class_add_static_pad_template(GST_ELEMENT_CLASS(klass), &stuck_src_template);
  gst_element_class_set_static_metadata(GST_ELEMENT_CLASS(klass), "Stuck source", "Source",
                                        "A source whose stop() blocks (tests)", "vidflow");
  GstBaseSrcClass *base = GST_BASE_SRC_CLASS(klass);
  base->create = stuck_create;
  base->unlock = stuck_unlock;
  base->unlock_stop = stuck_unlock_stop;
  base->stop = stuck_stop;
}

static void test_stuck_src_init(TestStuckSrc *self)
{
  gst_base_src_set_live(GST_BASE_SRC(self), TRUE);
  gst_base_src_set_format(GST_BASE_SRC(self), GST_FORMAT_TIME);
}

/* Waits (stuck.lock held) until *value >= n, at most `seconds`. */
static gboolean stuck_wait(guint *value, guint n, guint seconds)
{
  gint64 until = g_get_monotonic_time() + (gint64)seconds * G_TIME_SPAN_SECOND;
  gboolean ok = TRUE;
  while (*value < n && ok)
    ok = g_cond_wait_until(&stuck.cond, &stuck.lock, until);
  return *value >= n;
}

/* A call on a thread of its own that may never return (a hang shows as a failed test, not as
 * the test program's timeout). */
typedef struct {
  GMutex lock;
  GCond cond;
  gboolean done;
  void (*func)(gpointer data);
  gpointer data;
} Bounded;

static gpointer bounded_thread(gpointer data)
{
  Bounded *b = data;
  b->func(b->data);
  g_mutex_lock(&b->lock);
  b->done = TRUE;
  g_cond_broadcast(&b->cond);
  g_mutex_unlock(&b->lock);
  return NULL;
}

/* FALSE when func(data) has not returned after `seconds` (the thread and `b` are then left: the
 * test fails). */
static gboolean run_bounded(void (*func)(gpointer data), gpointer data, guint seconds)
{
  Bounded *b = g_new0(Bounded, 1);
  g_mutex_init(&b->lock);
  g_cond_init(&b->cond);
  b->func = func;
  b->data = data;
  GThread *t = g_thread_new("bounded", bounded_thread, b);
  gint64 until = g_get_monotonic_time() + (gint64)seconds * G_TIME_SPAN_SECOND;
  g_mutex_lock(&b->lock);
  while (!b->done && g_cond_wait_until(&b->cond, &b->lock, until))
    ;
  gboolean done = b->done;
  g_mutex_unlock(&b->lock);
  if (!done)
    return FALSE;
  g_thread_join(t);
  g_mutex_clear(&b->lock);
  g_cond_clear(&b->cond);
  g_free(b);
  return TRUE;
}

typedef struct {
  VfSources *sources;
  gboolean ok;
} AddCall;

static void add_second_camera(gpointer data)
{
  AddCall *a = data;
  GError *err = NULL;
  a->ok = vf_sources_add(a->sources, clip, "cam2", NULL, NULL, &err);
  g_clear_error(&err);
}

static void free_pipeline(gpointer data)
{
  vf_pipeline_free(data);
}

static void on_warning(VfPipeline *p, GstMessage *msg, gpointer data)
{
  (void)p;
  GString *texts = data;
  GError *err = NULL;
  gst_message_parse_warning(msg, &err, NULL);
  g_string_append_printf(texts, "%s\n", err->message);
  g_error_free(err);
}

static void test_stuck_release(void)
{
  GError *err = NULL;
  VfSources *s;
  const char *props[] = { "file-loop", "true", NULL }; /* the cameras run until the end */
  VfSourcesConfig cfg = { .source_properties = props };
  VfPipeline *p = live_pipeline("stuck", &cfg, TRUE, &s);
  vf_pipeline_set_stop_timeout(p, GST_SECOND);
  LiveWatch w;
  live_watch_init(&w, p, "mux");
  GString *warnings = g_string_new(NULL); /* written on the bus thread, read after free */
  VfBusWatchCallbacks cb = { .on_message = on_warning };
  VF_ASSERT_OK(vf_pipeline_add_bus_watch(p, GST_MESSAGE_WARNING, &cb, warnings, &err), err);
  VF_ASSERT_OK(vf_sources_add(s, clip, "cam", NULL, NULL, &err), err);
  VF_ASSERT_OK(vf_sources_add(s, "vfstuck://camera-7", "dead", NULL, NULL, &err), err);
  VF_ASSERT_OK(vf_pipeline_start(p, &err), err);
  g_assert_true(live_wait_frames(&w, 0, 5, 20));
  /* the dead camera goes: its stop() blocks on the worker */
  VF_ASSERT_OK(vf_sources_remove(s, "dead", &err), err);
  g_mutex_lock(&stuck.lock);
  g_assert_true(stuck_wait(&stuck.stopping, 1, 20));
  g_mutex_unlock(&stuck.lock);
  /* sources still come and go, and the others run on */
  AddCall add = { .sources = s };
  g_assert_true(run_bounded(add_second_camera, &add, 20));
  g_assert_true(add.ok);
  g_assert_true(live_wait_frames(&w, 2, 5, 20));
  guint64 now = live_frames(&w, 0);
  g_assert_true(live_wait_frames(&w, 0, now + 5, 20));
  /* freed without waiting for it (the bound is a hang detector: the stop deadline is 1 s) */
  gint64 t0 = g_get_monotonic_time();
  g_assert_true(run_bounded(free_pipeline, p, 20));
  g_test_message("vf_pipeline_free returned after %.2f s; warnings: %s",
                 (g_get_monotonic_time() - t0) / 1e6, warnings->str);
  g_assert_nonnull(strstr(warnings->str, "vfmux 'mux'"));
  g_assert_nonnull(strstr(warnings->str, "source 'dead'"));
  g_assert_nonnull(strstr(warnings->str, "vfstuck://camera-7"));
  g_string_free(warnings, TRUE);
  live_watch_clear(&w);
  /* the stop() returns: the slot (and the sources' state) are freed then */
  g_mutex_lock(&stuck.lock);
  g_assert_cmpuint(stuck.finalized, ==, 0);
  stuck.let_go = TRUE;
  g_cond_broadcast(&stuck.cond);
  g_assert_true(stuck_wait(&stuck.finalized, 1, 20));
  g_mutex_unlock(&stuck.lock);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  clip = flow_test_clip("sources-10s.mp4", 300, 320, 240);
  short_clip = flow_test_clip("sources-1s.mp4", 30, 320, 240);
  garbage = flow_test_path("garbage.mp4");
  g_file_set_contents(garbage, "this is not a video file at all, just text", -1, NULL);
  g_test_add_func("/sources/bad-inputs", test_bad_inputs);
  g_test_add_func("/sources/add-remove-running", test_add_remove_running);
  g_test_add_func("/sources/failing", test_failing_sources);
  g_test_add_func("/sources/last-source-fails", test_last_source_fails);
  g_test_add_func("/sources/keep-running", test_keep_running);
  g_test_add_func("/sources/remove-last-ends", test_remove_last_ends);
  g_test_add_func("/sources/flow-batch-capture", test_flow_batch_capture);
  g_test_add_func("/sources/end-downstream", test_end_downstream);
  g_test_add_func("/sources/add-remove-100", test_churn);
  g_test_add_func("/sources/freed-with-pipeline", test_freed_with_pipeline);
  gst_element_register(NULL, "vfstucksrc", GST_RANK_PRIMARY, TEST_TYPE_STUCK_SRC);
  g_test_add_func("/sources/stuck-release-left-behind", test_stuck_release);
  int ret = g_test_run();
  g_unlink(clip);
  g_unlink(short_clip);
  g_unlink(garbage);
  g_free(clip);
  g_free(short_clip);
  g_free(garbage);
  return ret;
}
