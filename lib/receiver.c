/* vidflow: VfReceiver, a retriever's consume() on a thread of its own (a VfWorker: cancelled,
 * joined with a deadline, left behind when consume() does not return) that takes buffers from an
 * appsink, so the bound and the drop policy really apply, and every count is made where it
 * happens:
 * - VF_DROP_NONE: the appsink's own queue (max-buffers, blocking) holds the buffers; its
 *   new-sample callback wakes the thread, which pulls them.
 * - VF_DROP_OLDEST: the new-sample callback takes each sample out of the appsink at once into
 *   the receiver's queue of max-buffers; when it is full the oldest is dropped and counted there.
 * Arrivals and end of stream are seen by a probe on the appsink's pad.
 *
 * Lock order: VfReceiver.lock, then the pipeline's (end_stream); the appsink is pulled and user
 * code runs without it. */
#include <vidflow/receiver.h>

#include "error-private.h"
#include "pipeline-private.h"
#include "worker-private.h"

#include <gst/app/gstappsink.h>

/* consume() failures are reported for the first ones, then every Nth. */
#define REPORT_FIRST_FAILURES 10
#define REPORT_FAILURES_EVERY 100

struct _VfReceiver {
  char *name;
  VfRetrieverCallbacks callbacks;
  gpointer user_data;
  guint max_buffers;
  VfDropPolicy policy;
  VfAttachable attach; /* for vf_pipeline_attach_receiver; invalid: from new or set_queue */

  /* ends the stream of the pipeline it is attached to (after VF_CONSUME_STOP), any thread */
  void (*end_stream)(gpointer data);
  gpointer end_stream_data;
  GstElement *appsink; /* ref */
  GstPad *pad;         /* the appsink's sink pad, where arrivals and EOS are counted */
  gulong probe_id;

  VfWorker *worker;        /* the receiver thread */
  GMutex lock;             /* guards the fields below */
  GCond cond;              /* the thread waits here for a sample, end of stream or the stop */
  gboolean stopping;       /* the run ends: consume() is not called again */
  gint64 stopping_since;   /* monotonic us */
  gboolean got_eos;        /* end of stream reached the appsink's pad */
  gboolean stop_returned;  /* consume() said VF_CONSUME_STOP */
  gboolean ready;          /* VF_DROP_NONE: the appsink may hold a sample */
  GQueue samples;          /* VF_DROP_OLDEST: GstSample*, at most max_buffers */
  gint64 in_consume_since; /* monotonic us; 0: not in consume() */
  VfReceiverStats stats;
};

VfReceiver *vf_receiver_new(const char *name, const VfRetrieverCallbacks *callbacks,
                            gpointer user_data)
{
  VfReceiver *r = g_new0(VfReceiver, 1);
  r->name = g_strdup(name ? name : "receiver");
  if (callbacks)
    r->callbacks = *callbacks;
  r->user_data = user_data;
  r->max_buffers = 4;
  r->worker = vf_worker_new();
  g_mutex_init(&r->lock);
  g_cond_init(&r->cond);
  g_queue_init(&r->samples);
  if (callbacks == NULL || callbacks->consume == NULL)
    r->attach.invalid
        = g_error_new(VF_ERROR, VF_ERROR_ARGUMENT,
                      "receiver '%s' has no consume() callback: a retriever needs one", r->name);
  return r;
}

/* Frees everything (the receiver thread is not running). */
static void receiver_release(gpointer data)
{
  VfReceiver *receiver = data;
  if (receiver->pad) {
    gst_pad_remove_probe(receiver->pad, receiver->probe_id);
    gst_object_unref(receiver->pad);
  }
  if (receiver->appsink) {
    GstAppSinkCallbacks none = { 0 };
    gst_app_sink_set_callbacks(GST_APP_SINK(receiver->appsink), &none, NULL, NULL);
    gst_object_unref(receiver->appsink);
  }
  g_queue_clear_full(&receiver->samples, (GDestroyNotify)gst_sample_unref);
  if (receiver->callbacks.destroy)
    receiver->callbacks.destroy(receiver->user_data);
  vf_worker_free(receiver->worker);
  g_clear_error(&receiver->attach.invalid);
  g_mutex_clear(&receiver->lock);
  g_cond_clear(&receiver->cond);
  g_free(receiver->name);
  g_free(receiver);
}

/* After the pipeline stopped: now, or on the receiver thread once a consume() that was left
 * behind returns. */
static void receiver_free(gpointer data)
{
  VfReceiver *receiver = data;
  if (vf_worker_release_later(receiver->worker, receiver_release, receiver))
    receiver_release(receiver);
}

void vf_receiver_free(VfReceiver *receiver)
{
  /* An attached receiver belongs to its pipeline, which frees it. */
  if (receiver && !receiver->attach.owned)
    receiver_free(receiver);
}

void vf_receiver_set_queue(VfReceiver *receiver, guint max_buffers, VfDropPolicy policy)
{
  if (receiver == NULL)
    return;
  if (policy != VF_DROP_NONE && policy != VF_DROP_OLDEST) {
    if (receiver->attach.invalid == NULL)
      receiver->attach.invalid = g_error_new(VF_ERROR, VF_ERROR_ARGUMENT,
                                             "receiver '%s': drop policy %d is not a VfDropPolicy",
                                             receiver->name, (gint)policy);
    return;
  }
  receiver->max_buffers = MAX(max_buffers, 1);
  receiver->policy = policy;
}

const char *vf_receiver_get_name(const VfReceiver *receiver)
{
  return receiver ? receiver->name : NULL;
}

GCancellable *vf_receiver_get_cancellable(VfReceiver *receiver)
{
  return receiver ? vf_worker_get_cancellable(receiver->worker) : NULL;
}

void vf_receiver_get_stats(const VfReceiver *receiver, VfReceiverStats *stats)
{
  if (stats == NULL)
    return;
  if (receiver == NULL) {
    *stats = (VfReceiverStats){ 0 };
    return;
  }
  VfReceiver *r = (VfReceiver *)receiver; /* the lock is not part of the value */
  g_mutex_lock(&r->lock);
  *stats = r->stats;
  g_mutex_unlock(&r->lock);
}

/* Under the lock: the samples of the receiver's queue will never be consumed; counted, and
 * returned to be freed without the lock (transfer full). */
static GQueue take_queued(VfReceiver *r)
{
  GQueue out = r->samples;
  r->stats.unconsumed += out.length;
  g_queue_init(&r->samples);
  return out;
}

static GstPadProbeReturn on_sink_pad(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  VfReceiver *r = data;
  GQueue flushed = G_QUEUE_INIT;
  g_mutex_lock(&r->lock);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    r->stats.received++;
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    r->stats.received += gst_buffer_list_length(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
  } else {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(event) == GST_EVENT_EOS) {
      r->got_eos = TRUE;
      g_cond_broadcast(&r->cond);
    } else if (GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP
               || GST_EVENT_TYPE(event) == GST_EVENT_STREAM_START) {
      r->got_eos = FALSE;
      /* a flush empties the appsink's queue; ours goes too */
      if (GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP)
        flushed = take_queued(r);
    }
  }
  g_mutex_unlock(&r->lock);
  g_queue_clear_full(&flushed, (GDestroyNotify)gst_sample_unref);
  return GST_PAD_PROBE_OK;
}

/* The appsink queued a sample (streaming thread). */
static GstFlowReturn on_new_sample(GstAppSink *sink, gpointer data)
{
  VfReceiver *r = data;
  GstSample *sample = r->policy == VF_DROP_OLDEST ? gst_app_sink_try_pull_sample(sink, 0) : NULL;
  GstSample *dropped = NULL;
  g_mutex_lock(&r->lock);
  if (sample) {
    if (r->samples.length >= r->max_buffers) {
      dropped = g_queue_pop_head(&r->samples);
      r->stats.dropped++;
    }
    g_queue_push_tail(&r->samples, sample);
  } else {
    r->ready = TRUE;
  }
  g_cond_signal(&r->cond);
  g_mutex_unlock(&r->lock);
  if (dropped)
    gst_sample_unref(dropped);
  return GST_FLOW_OK;
}

static gboolean bind(VfReceiver *receiver, GstElement *appsink, GError **error)
{
  if (receiver->appsink) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "receiver '%s' is already attached to '%s'",
                receiver->name, GST_ELEMENT_NAME(receiver->appsink));
    return FALSE;
  }
  receiver->appsink = gst_object_ref(appsink);
  /* Never the appsink's own dropping: drops are made (and counted) by on_new_sample. */
  g_object_set(appsink, "max-buffers", receiver->max_buffers, "drop", FALSE, NULL);
  GstAppSinkCallbacks cb = { .new_sample = on_new_sample };
  gst_app_sink_set_callbacks(GST_APP_SINK(appsink), &cb, receiver, NULL);
  receiver->pad = gst_element_get_static_pad(appsink, "sink");
  receiver->probe_id = gst_pad_add_probe(receiver->pad,
                                         GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST
                                             | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM
                                             | GST_PAD_PROBE_TYPE_EVENT_FLUSH,
                                         on_sink_pad, receiver, NULL);
  return TRUE;
}

/* Under the lock (dropped while consume() runs): hand one sample to the retriever. */
static void consume(VfReceiver *r, GstSample *sample)
{
  r->in_consume_since = g_get_monotonic_time();
  g_mutex_unlock(&r->lock);
  VfBuffer *buffer = vf_buffer_new_from_sample(sample);
  int ret = r->callbacks.consume(buffer, r->user_data);
  vf_buffer_unref(buffer);
  gst_sample_unref(sample);
  g_mutex_lock(&r->lock);
  r->in_consume_since = 0;
  r->stats.consumed++;
  if (ret == VF_CONSUME_ERROR)
    r->stats.errors++;
  guint64 errors = r->stats.errors, consumed = r->stats.consumed;
  /* After the stop the pipeline may be gone: it is only told while the run lasts. */
  if (ret < 0 && !r->stopping && !r->stop_returned) {
    r->stop_returned = TRUE;
    r->end_stream(r->end_stream_data);
  }
  gboolean report = ret == VF_CONSUME_ERROR && !r->stopping
                    && (errors <= REPORT_FIRST_FAILURES || errors % REPORT_FAILURES_EVERY == 0);
  if (report) {
    g_mutex_unlock(&r->lock);
    vf_post_warning(r->appsink,
                    g_error_new(VF_ERROR, VF_ERROR_FAILED,
                                "receiver '%s': consume() failed on buffer %" G_GUINT64_FORMAT
                                " (%" G_GUINT64_FORMAT " failures so far); continuing",
                                r->name, consumed, errors));
    g_mutex_lock(&r->lock);
  }
}

static gpointer receiver_thread(gpointer data)
{
  VfReceiver *r = data;
  GstAppSink *sink = GST_APP_SINK(r->appsink);
  g_mutex_lock(&r->lock);
  while (!r->stopping) {
    GstSample *sample = NULL;
    if (r->policy == VF_DROP_OLDEST) {
      sample = g_queue_pop_head(&r->samples);
    } else if (r->ready) {
      r->ready = FALSE; /* before pulling: a sample queued after the pull sets it again */
      g_mutex_unlock(&r->lock);
      sample = gst_app_sink_try_pull_sample(sink, 0);
      g_mutex_lock(&r->lock);
      if (sample)
        r->ready = TRUE; /* there may be more */
    }
    if (sample == NULL) {
      /* A sample that came while the lock was dropped for the pull set `ready` again: take it
       * first (waiting then was a lost wake-up: the appsink full, the pipeline stalled; and at
       * the end of the stream it was a frame lost). */
      gboolean more = r->policy == VF_DROP_OLDEST ? r->samples.length > 0 : r->ready;
      if (more)
        continue;
      if (r->got_eos)
        break; /* everything before the end of stream was taken */
      g_cond_wait(&r->cond, &r->lock);
    } else if (r->stop_returned) {
      /* After VF_CONSUME_STOP: taken (so end of stream can reach the appsink), not consumed. */
      r->stats.unconsumed++;
      g_mutex_unlock(&r->lock);
      gst_sample_unref(sample);
      g_mutex_lock(&r->lock);
    } else {
      consume(r, sample);
    }
  }
  g_mutex_unlock(&r->lock);
  return NULL;
}

static gboolean receiver_start(gpointer data, GError **error)
{
  VfReceiver *receiver = data;
  if (receiver->appsink == NULL) /* never bound: attaching failed */
    return TRUE;
  g_mutex_lock(&receiver->lock);
  gboolean busy = receiver->in_consume_since != 0;
  if (!busy) {
    receiver->stopping = FALSE;
    receiver->got_eos = FALSE;
    receiver->stop_returned = FALSE;
    receiver->ready = FALSE;
    receiver->stats = (VfReceiverStats){ 0 };
  }
  g_mutex_unlock(&receiver->lock);
  if (busy || !vf_worker_start(receiver->worker, receiver->name, receiver_thread, receiver)) {
    g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                "receiver '%s' (appsink '%s'): consume() has not returned since the last run "
                "stopped, so the pipeline cannot start again yet (make consume() return when "
                "vf_receiver_get_cancellable() is cancelled)",
                receiver->name, GST_ELEMENT_NAME(receiver->appsink));
    return FALSE;
  }
  return TRUE;
}

/* End of stream reached the sinks: the thread consumes what is queued, then ends. */
static gboolean receiver_drain(gpointer data, gint64 deadline)
{
  VfReceiver *receiver = data;
  return vf_worker_wait(receiver->worker, deadline);
}

static void receiver_cancel(gpointer data)
{
  VfReceiver *receiver = data;
  g_mutex_lock(&receiver->lock);
  if (!receiver->stopping) {
    receiver->stopping = TRUE;
    receiver->stopping_since = g_get_monotonic_time();
  }
  g_cond_broadcast(&receiver->cond);
  g_mutex_unlock(&receiver->lock);
  vf_worker_cancel(receiver->worker);
}

/* Before NULL, the stream stopped or flushed: the thread ends (or is left behind at `deadline`,
 * with a warning); what is still queued is counted as never consumed. */
static void receiver_quiesce(gpointer data, gint64 deadline)
{
  VfReceiver *receiver = data;
  if (!vf_worker_join(receiver->worker, deadline)) {
    g_mutex_lock(&receiver->lock);
    gint64 since = receiver->stopping_since;
    g_mutex_unlock(&receiver->lock);
    vf_post_warning(receiver->appsink,
                    g_error_new(VF_ERROR, VF_ERROR_TIMEOUT,
                                "receiver '%s' (appsink '%s'): consume() has not returned %.1f s "
                                "after the pipeline stopped; its thread is left to end on its own "
                                "(make consume() return when vf_receiver_get_cancellable() is "
                                "cancelled)",
                                receiver->name, GST_ELEMENT_NAME(receiver->appsink),
                                (g_get_monotonic_time() - since) / 1e6));
  }
  if (receiver->appsink == NULL)
    return;
  guint64 left = 0;
  for (GstSample *s; (s = gst_app_sink_try_pull_sample(GST_APP_SINK(receiver->appsink), 0));) {
    gst_sample_unref(s);
    left++;
  }
  g_mutex_lock(&receiver->lock);
  GQueue queued = take_queued(receiver);
  receiver->stats.unconsumed += left;
  g_mutex_unlock(&receiver->lock);
  g_queue_clear_full(&queued, (GDestroyNotify)gst_sample_unref);
}

/* The pipeline is at NULL: report what was lost. */
static void receiver_stop(gpointer data, gint64 deadline)
{
  (void)deadline;
  VfReceiver *receiver = data;
  if (receiver->appsink == NULL)
    return;
  g_mutex_lock(&receiver->lock);
  VfReceiverStats s = receiver->stats;
  gboolean stopped = receiver->stop_returned;
  g_mutex_unlock(&receiver->lock);
  GString *what = g_string_new(NULL);
  if (s.dropped > 0)
    g_string_append_printf(what,
                           "%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                           " buffers were dropped by the drop-oldest policy",
                           s.dropped, s.received);
  if (s.unconsumed > 0 && !stopped)
    g_string_append_printf(what,
                           "%s%" G_GUINT64_FORMAT " buffers were still queued when the "
                           "pipeline stopped and were not consumed",
                           what->len ? "; " : "", s.unconsumed);
  if (what->len)
    vf_post_warning(receiver->appsink,
                    g_error_new(VF_ERROR, VF_ERROR_FAILED, "receiver '%s' (appsink '%s'): %s",
                                receiver->name, GST_ELEMENT_NAME(receiver->appsink), what->str));
  g_string_free(what, TRUE);
}

static char *receiver_describe(gpointer data)
{
  VfReceiver *receiver = data;
  if (receiver->appsink == NULL)
    return NULL;
  g_mutex_lock(&receiver->lock);
  gint64 since = receiver->in_consume_since;
  gboolean eos = receiver->got_eos;
  g_mutex_unlock(&receiver->lock);
  const char *sink = GST_ELEMENT_NAME(receiver->appsink);
  if (since)
    return g_strdup_printf("receiver '%s' (appsink '%s') has been in consume() for %.1f s",
                           receiver->name, sink, (g_get_monotonic_time() - since) / 1e6);
  if (!eos)
    return g_strdup_printf("receiver '%s' (appsink '%s') is waiting for the end of stream",
                           receiver->name, sink);
  return NULL;
}

static const VfAttachedClass receiver_class = {
  .kind = "receiver",
  .constructor = "vf_receiver_new",
  .start = receiver_start,
  .drain = receiver_drain,
  .cancel = receiver_cancel,
  .quiesce = receiver_quiesce,
  .stop = receiver_stop,
  .describe = receiver_describe,
  .free = receiver_free,
};

static void end_pipeline_stream(gpointer pipeline)
{
  vf_pipeline_send_eos(pipeline);
}

gboolean vf_pipeline_attach_receiver(VfPipeline *pipeline, const char *element,
                                     VfReceiver *receiver, const char *tips, GError **error)
{
  if (!vf_pipeline_adopt(pipeline, &receiver_class, receiver, receiver ? &receiver->attach : NULL,
                         receiver ? receiver->name : NULL, element, G_STRFUNC, error))
    return FALSE;
  receiver->end_stream = end_pipeline_stream;
  receiver->end_stream_data = pipeline;
  GstElement *appsink
      = vf_pipeline_lookup_for_attach(pipeline, element, "appsink", tips, "new-sample", error);
  return appsink && bind(receiver, appsink, error);
}
