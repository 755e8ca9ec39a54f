/* vidflow: VfReceiver, a retriever's consume() on a thread of its own that pulls from an appsink,
 * so the appsink's bounded queue and drop policy really apply and counts stay exact. */
#include <vidflow/receiver.h>

#include "error-private.h"
#include "pipeline-private.h"

#include <gst/app/gstappsink.h>

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

  GThread *thread;
  GMutex lock; /* guards the fields below */
  gboolean stopping;
  gboolean got_eos;
  gboolean stop_returned; /* consume() said VF_CONSUME_STOP */
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
  g_mutex_init(&r->lock);
  if (callbacks == NULL || callbacks->consume == NULL)
    r->attach.invalid
        = g_error_new(VF_ERROR, VF_ERROR_ARGUMENT,
                      "receiver '%s' has no consume() callback: a retriever needs one", r->name);
  return r;
}

static void receiver_join(VfReceiver *receiver);

static void receiver_free(gpointer data)
{
  VfReceiver *receiver = data;
  receiver_join(receiver);
  if (receiver->pad) {
    gst_pad_remove_probe(receiver->pad, receiver->probe_id);
    gst_object_unref(receiver->pad);
  }
  if (receiver->appsink)
    gst_object_unref(receiver->appsink);
  if (receiver->callbacks.destroy)
    receiver->callbacks.destroy(receiver->user_data);
  g_clear_error(&receiver->attach.invalid);
  g_mutex_clear(&receiver->lock);
  g_free(receiver->name);
  g_free(receiver);
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

static GstPadProbeReturn on_sink_pad(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  VfReceiver *r = data;
  g_mutex_lock(&r->lock);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    r->stats.received++;
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    r->stats.received += gst_buffer_list_length(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
  } else {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(event) == GST_EVENT_EOS)
      r->got_eos = TRUE;
    else if (GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP
             || GST_EVENT_TYPE(event) == GST_EVENT_STREAM_START)
      r->got_eos = FALSE;
  }
  g_mutex_unlock(&r->lock);
  return GST_PAD_PROBE_OK;
}

static gboolean bind(VfReceiver *receiver, GstElement *appsink, GError **error)
{
  if (receiver->appsink) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "receiver '%s' is already attached to '%s'",
                receiver->name, GST_ELEMENT_NAME(receiver->appsink));
    return FALSE;
  }
  receiver->appsink = gst_object_ref(appsink);
  g_object_set(appsink, "max-buffers", receiver->max_buffers, "drop",
               receiver->policy == VF_DROP_OLDEST, NULL);
  receiver->pad = gst_element_get_static_pad(appsink, "sink");
  receiver->probe_id = gst_pad_add_probe(receiver->pad,
                                         GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST
                                             | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM
                                             | GST_PAD_PROBE_TYPE_EVENT_FLUSH,
                                         on_sink_pad, receiver, NULL);
  return TRUE;
}

static void consume(VfReceiver *r, GstSample *sample)
{
  VfBuffer *buffer = vf_buffer_new_from_sample(sample);
  int ret = r->callbacks.consume(buffer, r->user_data);
  vf_buffer_unref(buffer);
  g_mutex_lock(&r->lock);
  r->stats.consumed++;
  if (ret == VF_CONSUME_ERROR)
    r->stats.errors++;
  guint64 errors = r->stats.errors, consumed = r->stats.consumed;
  if (ret < 0)
    r->stop_returned = TRUE;
  g_mutex_unlock(&r->lock);

  if (ret == VF_CONSUME_ERROR && (errors <= 10 || errors % 100 == 0))
    g_message("receiver '%s': consume() failed on buffer %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT
              " failures so far); continuing",
              r->name, consumed, errors);
  if (ret < 0)
    r->end_stream(r->end_stream_data);
}

static gpointer receiver_thread(gpointer data)
{
  VfReceiver *r = data;
  GstAppSink *sink = GST_APP_SINK(r->appsink);
  while (TRUE) {
    gint64 t0 = g_get_monotonic_time();
    GstSample *sample = gst_app_sink_try_pull_sample(sink, 100 * GST_MSECOND);
    g_mutex_lock(&r->lock);
    gboolean stopping = r->stopping, eos = r->got_eos, skip = r->stop_returned;
    g_mutex_unlock(&r->lock);
    if (sample == NULL) {
      if (stopping || eos)
        break;
      /* The appsink answers at once until it is started: do not spin. */
      if (g_get_monotonic_time() - t0 < 5000)
        g_usleep(5000);
      continue;
    }
    /* After VF_CONSUME_STOP, keep pulling (so EOS can reach the sink) without consuming. */
    if (!skip && !stopping)
      consume(r, sample);
    gst_sample_unref(sample);
  }
  return NULL;
}

static void receiver_start(gpointer data)
{
  VfReceiver *receiver = data;
  if (receiver->thread || receiver->appsink == NULL)
    return;
  g_mutex_lock(&receiver->lock);
  receiver->stopping = FALSE;
  receiver->got_eos = FALSE;
  receiver->stop_returned = FALSE;
  receiver->stats = (VfReceiverStats){ 0 };
  g_mutex_unlock(&receiver->lock);
  receiver->thread = g_thread_new(receiver->name, receiver_thread, receiver);
}

/* Waits until the receiver consumed what reached its appsink before EOS. */
static void receiver_drain(gpointer data)
{
  VfReceiver *receiver = data;
  if (receiver->thread == NULL)
    return;
  g_thread_join(receiver->thread);
  receiver->thread = NULL;
}

static void receiver_join(VfReceiver *receiver)
{
  if (receiver->thread == NULL)
    return;
  g_mutex_lock(&receiver->lock);
  receiver->stopping = TRUE;
  g_mutex_unlock(&receiver->lock);
  g_thread_join(receiver->thread);
  receiver->thread = NULL;
}

/* Logs a warning if buffers were dropped. */
static void receiver_report(VfReceiver *receiver)
{
  g_mutex_lock(&receiver->lock);
  receiver->stats.dropped
      = receiver->stats.received - MIN(receiver->stats.consumed, receiver->stats.received);
  VfReceiverStats s = receiver->stats;
  gboolean stopped = receiver->stop_returned;
  g_mutex_unlock(&receiver->lock);
  if (s.dropped > 0 && !stopped)
    g_message("receiver '%s': %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
              " buffers were not consumed (%s)",
              receiver->name, s.dropped, s.received,
              receiver->policy == VF_DROP_OLDEST ? "dropped by the drop-oldest policy, or still "
                                                   "queued when the pipeline stopped"
                                                 : "still queued when the pipeline stopped");
}

/* The pipeline is at NULL: join the thread, report drops. */
static void receiver_stop(gpointer data)
{
  receiver_join(data);
  receiver_report(data);
}

static const VfAttachedClass receiver_class = {
  .kind = "receiver",
  .constructor = "vf_receiver_new",
  .start = receiver_start,
  .drain = receiver_drain,
  .stop = receiver_stop,
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
