/* vidflow: the bus dispatcher. Every message a VfPipeline's GstPipeline posts passes through its
 * post_message (a private subclass of GstPipeline), on the posting thread, before it reaches the
 * GstBus: vidflow's own handler sees it first, then the watches' sync callbacks; messages for
 * async callbacks are queued for the pipeline's bus thread. The GstBus itself only drops (and
 * frees) messages, so an application that replaces that sync handler cannot blind vidflow.
 *
 * One lock (VfGstPipeline.lock). It is never held while vidflow's handler, a user callback or a
 * destroy notify runs, nor while chaining up to GstBin's post_message. */
#include "bus-private.h"

#define VF_TYPE_GST_PIPELINE (vf_gst_pipeline_get_type())
G_DECLARE_FINAL_TYPE(VfGstPipeline, vf_gst_pipeline, VF, GST_PIPELINE, GstPipeline)

typedef struct {
  gint refs; /* the watch list's, and one per call in progress */
  guint id;
  GstMessageType types;
  VfBusWatchCallbacks callbacks;
  gpointer user_data;
  guint64 since; /* the first message (serial) it gets: none posted before it was added */
  gint removed;  /* atomic */
} Watch;

typedef struct {
  GstMessage *message; /* ref */
  guint64 serial;
} Queued;

struct _VfGstPipeline {
  GstPipeline parent;

  GMutex lock; /* guards everything below */
  GCond cond;  /* in_flight, the queue and delivery changed */
  VfPipeline *owner;
  gboolean live; /* handler and callbacks are called; FALSE once shut down */
  VfBusHandler handler;
  gpointer handler_data;
  guint in_flight;    /* post_message calls using the handler or callbacks now */
  GPtrArray *watches; /* Watch*, one ref each */
  guint next_id;
  guint64 serial;     /* messages posted so far */
  GQueue queue;       /* Queued*, for the bus thread, in serial order */
  GThread *thread;    /* the bus thread, started with the first async watch */
  guint64 delivering; /* serial of the message the bus thread is delivering, 0: none */
  gboolean quit;
};

G_DEFINE_FINAL_TYPE(VfGstPipeline, vf_gst_pipeline, GST_TYPE_PIPELINE)

static Watch *watch_ref(Watch *w)
{
  g_atomic_int_inc(&w->refs);
  return w;
}

/* Never under the lock: destroy is user code. */
static void watch_unref(Watch *w)
{
  if (!g_atomic_int_dec_and_test(&w->refs))
    return;
  if (w->callbacks.destroy)
    w->callbacks.destroy(w->user_data);
  g_free(w);
}

static gboolean watch_wants(const Watch *w, GstMessage *message)
{
  return (w->types & GST_MESSAGE_TYPE(message)) && !g_atomic_int_get(&w->removed);
}

static gboolean post_message(GstElement *element, GstMessage *message)
{
  VfGstPipeline *self = VF_GST_PIPELINE(element);
  GPtrArray *sync = NULL; /* watches to call here, refs */
  g_mutex_lock(&self->lock);
  gboolean live = self->live;
  VfPipeline *owner = self->owner;
  if (live) {
    self->in_flight++;
    guint64 serial = ++self->serial;
    gboolean queue = FALSE;
    for (guint i = 0; i < self->watches->len; i++) {
      Watch *w = g_ptr_array_index(self->watches, i);
      if (!watch_wants(w, message))
        continue;
      if (w->callbacks.on_sync_message) {
        if (sync == NULL)
          sync = g_ptr_array_new_with_free_func((GDestroyNotify)watch_unref);
        g_ptr_array_add(sync, watch_ref(w));
      }
      queue = queue || w->callbacks.on_message != NULL;
    }
    if (queue) {
      Queued *q = g_new(Queued, 1);
      q->message = gst_message_ref(message);
      q->serial = serial;
      g_queue_push_tail(&self->queue, q);
      g_cond_broadcast(&self->cond);
    }
  }
  g_mutex_unlock(&self->lock);

  if (live) {
    self->handler(message, self->handler_data);
    for (guint i = 0; sync && i < sync->len; i++) {
      Watch *w = g_ptr_array_index(sync, i);
      if (!g_atomic_int_get(&w->removed))
        w->callbacks.on_sync_message(owner, message, w->user_data);
    }
    if (sync)
      g_ptr_array_unref(sync);
    g_mutex_lock(&self->lock);
    self->in_flight--;
    g_cond_broadcast(&self->cond);
    g_mutex_unlock(&self->lock);
  }
  /* GstBin's post_message takes the message and puts it on the bus. */
  return GST_ELEMENT_CLASS(vf_gst_pipeline_parent_class)->post_message(element, message);
}

static gpointer bus_thread(gpointer data)
{
  VfGstPipeline *self = data;
  g_mutex_lock(&self->lock);
  while (TRUE) {
    while (g_queue_is_empty(&self->queue) && !self->quit)
      g_cond_wait(&self->cond, &self->lock);
    Queued *q = g_queue_pop_head(&self->queue);
    if (q == NULL)
      break; /* quit, and everything delivered */
    self->delivering = q->serial;
    GPtrArray *calls = g_ptr_array_new_with_free_func((GDestroyNotify)watch_unref);
    for (guint i = 0; i < self->watches->len; i++) {
      Watch *w = g_ptr_array_index(self->watches, i);
      if (w->callbacks.on_message && q->serial >= w->since && watch_wants(w, q->message))
        g_ptr_array_add(calls, watch_ref(w));
    }
    VfPipeline *owner = self->owner;
    g_mutex_unlock(&self->lock);
    for (guint i = 0; i < calls->len; i++) {
      Watch *w = g_ptr_array_index(calls, i);
      if (!g_atomic_int_get(&w->removed))
        w->callbacks.on_message(owner, q->message, w->user_data);
    }
    g_ptr_array_unref(calls);
    gst_message_unref(q->message);
    g_free(q);
    g_mutex_lock(&self->lock);
    self->delivering = 0;
    g_cond_broadcast(&self->cond);
  }
  g_mutex_unlock(&self->lock);
  return NULL;
}

/* Nobody pops this bus (vidflow does not need it): freeing each message keeps it empty. */
static GstBusSyncReply drop_message(GstBus *bus, GstMessage *message, gpointer data)
{
  (void)bus;
  (void)data;
  gst_message_unref(message);
  return GST_BUS_DROP;
}

static void vf_gst_pipeline_finalize(GObject *object)
{
  VfGstPipeline *self = VF_GST_PIPELINE(object);
  /* vf_bus_shutdown ran: no thread, no watch, nothing queued. */
  g_ptr_array_unref(self->watches);
  g_mutex_clear(&self->lock);
  g_cond_clear(&self->cond);
  G_OBJECT_CLASS(vf_gst_pipeline_parent_class)->finalize(object);
}

static void vf_gst_pipeline_class_init(VfGstPipelineClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = vf_gst_pipeline_finalize;
  GST_ELEMENT_CLASS(klass)->post_message = post_message;
}

static void vf_gst_pipeline_init(VfGstPipeline *self)
{
  g_mutex_init(&self->lock);
  g_cond_init(&self->cond);
  self->watches = g_ptr_array_new();
  g_queue_init(&self->queue);
  self->next_id = 1;
}

GstElement *vf_bus_pipeline_new(const char *name, VfPipeline *owner, VfBusHandler handler,
                                gpointer handler_data)
{
  VfGstPipeline *self = g_object_new(VF_TYPE_GST_PIPELINE, "name", name, NULL);
  gst_object_ref_sink(self);
  self->owner = owner;
  self->handler = handler;
  self->handler_data = handler_data;
  self->live = TRUE;
  GstBus *bus = gst_element_get_bus(GST_ELEMENT(self));
  gst_bus_set_sync_handler(bus, drop_message, NULL, NULL);
  gst_object_unref(bus);
  return GST_ELEMENT(self);
}

guint vf_bus_add_watch(GstElement *pipeline, GstMessageType types,
                       const VfBusWatchCallbacks *callbacks, gpointer user_data)
{
  VfGstPipeline *self = VF_GST_PIPELINE(pipeline);
  Watch *w = g_new0(Watch, 1);
  w->refs = 1;
  w->types = types;
  w->callbacks = *callbacks;
  w->user_data = user_data;
  g_mutex_lock(&self->lock);
  if (!self->live) { /* being freed */
    g_mutex_unlock(&self->lock);
    g_free(w);
    return 0;
  }
  w->id = self->next_id++;
  w->since = self->serial + 1;
  g_ptr_array_add(self->watches, w);
  if (callbacks->on_message && self->thread == NULL)
    self->thread = g_thread_new("vf-bus", bus_thread, self);
  guint id = w->id;
  g_mutex_unlock(&self->lock);
  return id;
}

gboolean vf_bus_remove_watch(GstElement *pipeline, guint id)
{
  VfGstPipeline *self = VF_GST_PIPELINE(pipeline);
  Watch *found = NULL;
  g_mutex_lock(&self->lock);
  for (guint i = 0; i < self->watches->len && found == NULL; i++) {
    Watch *w = g_ptr_array_index(self->watches, i);
    if (w->id == id)
      found = g_ptr_array_steal_index(self->watches, i);
  }
  if (found)
    g_atomic_int_set(&found->removed, TRUE);
  g_mutex_unlock(&self->lock);
  if (found)
    watch_unref(found); /* the list's reference: destroy runs here unless a call is running */
  return found != NULL;
}

/* Under the lock: is a message posted up to `serial` still to be delivered? */
static gboolean pending_until(VfGstPipeline *self, guint64 serial)
{
  Queued *head = g_queue_peek_head(&self->queue);
  return (self->delivering && self->delivering <= serial) || (head && head->serial <= serial);
}

void vf_bus_flush(GstElement *pipeline)
{
  VfGstPipeline *self = VF_GST_PIPELINE(pipeline);
  g_mutex_lock(&self->lock);
  if (self->thread && self->thread != g_thread_self()) {
    guint64 serial = self->serial;
    while (pending_until(self, serial))
      g_cond_wait(&self->cond, &self->lock);
  }
  g_mutex_unlock(&self->lock);
}

void vf_bus_shutdown(GstElement *pipeline)
{
  VfGstPipeline *self = VF_GST_PIPELINE(pipeline);
  g_mutex_lock(&self->lock);
  self->live = FALSE;
  while (self->in_flight > 0)
    g_cond_wait(&self->cond, &self->lock);
  GThread *thread = g_steal_pointer(&self->thread);
  self->quit = TRUE;
  g_cond_broadcast(&self->cond);
  g_mutex_unlock(&self->lock);
  if (thread)
    g_thread_join(thread); /* it delivers what is queued first */
  g_mutex_lock(&self->lock);
  GPtrArray *watches = self->watches;
  self->watches = g_ptr_array_new();
  self->owner = NULL;
  g_mutex_unlock(&self->lock);
  for (guint i = 0; i < watches->len; i++) {
    Watch *w = g_ptr_array_index(watches, i);
    g_atomic_int_set(&w->removed, TRUE);
    watch_unref(w);
  }
  g_ptr_array_unref(watches);
}
