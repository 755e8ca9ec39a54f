/* vidflow tests: helpers for the live-operation tests (dynamic sources, REST, smart recording):
 * a pipeline of sources -> vfmux -> fakesink whose batches are counted per source, and the
 * source messages seen on its bus. Clips and ports come from flow-util.h. */
#pragma once

#include "../flow/flow-util.h"

/* What left vfmux, per source id (up to LIVE_MAX_SOURCES). */
#define LIVE_MAX_SOURCES 512

typedef struct {
  GMutex lock;
  GCond cond;
  guint64 frames[LIVE_MAX_SOURCES];      /* frames of each source in the batches */
  guint64 next_number[LIVE_MAX_SOURCES]; /* the frame number each source must send next */
  gint64 first_us[LIVE_MAX_SOURCES];     /* when its first frame left vfmux */
  gint64 last_us[LIVE_MAX_SOURCES];      /* when its last frame left vfmux */
  gint64 max_gap_us[LIVE_MAX_SOURCES];   /* longest time between two of its frames */
  guint broken;                          /* frames out of order or missing (must stay 0) */
  char *first_break;                     /* what the first one was */
  guint batches;
  guint max_batch;
  /* source messages */
  guint added[LIVE_MAX_SOURCES], eos[LIVE_MAX_SOURCES], removed[LIVE_MAX_SOURCES];
  gint64 removed_us[LIVE_MAX_SOURCES];
  guint errors;
  char *last_error;
  gboolean pipeline_eos;
  /* the pipeline's changes to PLAYING: 1 when it started and never lost its state since (a source
   * prerolling on its own must not take the running pipeline back to PAUSED) */
  guint to_playing;
} LiveWatch;

static GstPadProbeReturn live_on_batch(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  LiveWatch *w = data;
  VfBatchMeta *meta = vf_batch_meta_get(GST_PAD_PROBE_INFO_BUFFER(info));
  gint64 now = g_get_monotonic_time();
  g_mutex_lock(&w->lock);
  w->batches++;
  guint n = meta ? vf_batch_meta_get_n_frames(meta) : 0;
  w->max_batch = MAX(w->max_batch, n);
  for (guint i = 0; i < n; i++) {
    VfFrameMeta *f = vf_batch_meta_get_frame(meta, i);
    guint id = vf_frame_meta_get_source_id(f);
    g_assert_cmpuint(id, <, LIVE_MAX_SOURCES);
    guint64 number = vf_frame_meta_get_frame_number(f);
    if (number != w->next_number[id]) {
      if (w->broken++ == 0)
        w->first_break
            = g_strdup_printf("source %u: frame %" G_GUINT64_FORMAT " after %" G_GUINT64_FORMAT, id,
                              number, w->next_number[id]);
    }
    w->next_number[id] = number + 1;
    if (w->frames[id]++ == 0)
      w->first_us[id] = now;
    else
      w->max_gap_us[id] = MAX(w->max_gap_us[id], now - w->last_us[id]);
    w->last_us[id] = now;
  }
  g_cond_broadcast(&w->cond);
  g_mutex_unlock(&w->lock);
  return GST_PAD_PROBE_OK;
}

static void live_on_message(VfPipeline *p, GstMessage *msg, gpointer data)
{
  LiveWatch *w = data;
  VfSourceMessage m;
  g_mutex_lock(&w->lock);
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_STATE_CHANGED) {
    GstState new_state;
    gst_message_parse_state_changed(msg, NULL, &new_state, NULL);
    w->to_playing += GST_MESSAGE_SRC(msg) == GST_OBJECT(vf_pipeline_get_gst_pipeline(p))
                     && new_state == GST_STATE_PLAYING;
  } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) {
    w->pipeline_eos = TRUE;
  } else if (vf_source_message_parse(msg, &m) && m.source_id >= 0
             && m.source_id < LIVE_MAX_SOURCES) {
    if (m.type == VF_SOURCE_MESSAGE_ADDED)
      w->added[m.source_id]++;
    else if (m.type == VF_SOURCE_MESSAGE_EOS)
      w->eos[m.source_id]++;
    else if (m.type == VF_SOURCE_MESSAGE_REMOVED) {
      w->removed[m.source_id]++;
      w->removed_us[m.source_id] = g_get_monotonic_time();
    } else if (m.type == VF_SOURCE_MESSAGE_ERROR) {
      w->errors++;
      g_free(w->last_error);
      w->last_error = g_strdup(m.error);
    }
  }
  g_cond_broadcast(&w->cond);
  g_mutex_unlock(&w->lock);
}

static inline void live_watch_init(LiveWatch *w, VfPipeline *p, const char *mux)
{
  memset(w, 0, sizeof *w);
  g_mutex_init(&w->lock);
  g_cond_init(&w->cond);
  GstPad *src = gst_element_get_static_pad(vf_pipeline_get_element(p, mux), "src");
  gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER, live_on_batch, w, NULL);
  gst_object_unref(src);
  VfBusWatchCallbacks cb = { .on_message = live_on_message };
  GError *err = NULL;
  VF_ASSERT_OK(
      vf_pipeline_add_bus_watch(
          p, GST_MESSAGE_ELEMENT | GST_MESSAGE_EOS | GST_MESSAGE_STATE_CHANGED, &cb, w, &err),
      err);
}

static inline void live_watch_clear(LiveWatch *w)
{
  g_free(w->first_break);
  g_free(w->last_error);
  g_mutex_clear(&w->lock);
  g_cond_clear(&w->cond);
}

/* Waits until *counter (guarded by w->lock) reaches `n`; FALSE after `seconds`. */
static inline gboolean live_wait(LiveWatch *w, const guint *counter, guint n, guint seconds)
{
  gint64 until = g_get_monotonic_time() + (gint64)seconds * G_TIME_SPAN_SECOND;
  g_mutex_lock(&w->lock);
  gboolean ok = TRUE;
  while (*counter < n && ok)
    ok = g_cond_wait_until(&w->cond, &w->lock, until);
  ok = *counter >= n;
  g_mutex_unlock(&w->lock);
  return ok;
}

static inline gboolean live_wait_frames(LiveWatch *w, guint id, guint64 n, guint seconds)
{
  gint64 until = g_get_monotonic_time() + (gint64)seconds * G_TIME_SPAN_SECOND;
  g_mutex_lock(&w->lock);
  gboolean ok = TRUE;
  while (w->frames[id] < n && ok)
    ok = g_cond_wait_until(&w->cond, &w->lock, until);
  ok = w->frames[id] >= n;
  g_mutex_unlock(&w->lock);
  return ok;
}

static inline guint64 live_frames(LiveWatch *w, guint id)
{
  g_mutex_lock(&w->lock);
  guint64 n = w->frames[id];
  g_mutex_unlock(&w->lock);
  return n;
}

/* A pipeline "mux" (vfmux, live-source, 320x240) -> "sink" (fakesink, sync), its sources managed
 * with `config`. */
static inline VfPipeline *live_pipeline(const char *name, const VfSourcesConfig *config,
                                        gboolean live, VfSources **sources)
{
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new(name);
  VF_ASSERT_OK(vf_pipeline_add(p, "vfmux", "mux", &err, "width", "320", "height", "240",
                               "live-source", live ? "true" : "false", NULL)
                   && vf_pipeline_add(p, "fakesink", "sink", &err, "sync", live ? "true" : "false",
                                      "async", "false", NULL)
                   && vf_pipeline_link(p, &err, "mux", "sink", NULL),
               err);
  *sources = vf_pipeline_attach_sources(p, "mux", config, &err);
  VF_ASSERT_OK(*sources != NULL, err);
  return p;
}
