/* vidflow: VfPipeline, a GstPipeline plus the feeders, receivers and probes attached to it, and
 * one place (a bus sync handler) where the end of a run is decided: EOS, the first error, stop().
 */
#include "pipeline-private.h"
#include "interrupt-private.h"

#include <stdarg.h>
#include <string.h>

struct _VfPipeline {
  GstElement *pipeline;
  GPtrArray *feeders;   /* VfFeeder*, owned */
  GPtrArray *receivers; /* VfReceiver*, owned */
  GPtrArray *probes;    /* VfProbe*, owned */
  GstClockTime start_timeout;

  GMutex lock; /* guards the run state below */
  GCond cond;
  gboolean running; /* threads started, not torn down */
  gboolean eos;
  gboolean stop_requested;
  GError *error; /* first error of this run */

  GMutex teardown_lock; /* one teardown at a time (wait and stop may race) */
};

static GError *error_from_message(GstMessage *msg)
{
  GError *gerr = NULL;
  char *debug = NULL;
  gst_message_parse_error(msg, &gerr, &debug);
  const char *who = GST_MESSAGE_SRC_NAME(msg);
  gboolean ours = gerr->domain == VF_ERROR; /* vidflow's own errors already name the element */
  const char *hint = "";
  if (debug && strstr(debug, "not-negotiated"))
    hint = " (the elements could not agree on a format: check the caps filters, and put a "
           "converter such as videoconvert between elements that need different formats)";
  GError *err = ours ? g_error_new(VF_ERROR, gerr->code, "%s%s", gerr->message, hint)
                     : g_error_new(VF_ERROR, VF_ERROR_STREAM, "element '%s': %s%s", who,
                                   gerr->message, hint);
  if (debug)
    g_debug("error from %s: %s (%s)", who, gerr->message, debug);
  g_error_free(gerr);
  g_free(debug);
  return err;
}

static GstBusSyncReply on_bus_message(GstBus *bus, GstMessage *msg, gpointer data)
{
  (void)bus;
  VfPipeline *p = data;
  switch (GST_MESSAGE_TYPE(msg)) {
  case GST_MESSAGE_ERROR: {
    GError *err = error_from_message(msg);
    g_mutex_lock(&p->lock);
    if (p->error == NULL)
      p->error = err;
    else
      g_error_free(err);
    g_cond_broadcast(&p->cond);
    g_mutex_unlock(&p->lock);
    break;
  }
  case GST_MESSAGE_EOS:
    g_mutex_lock(&p->lock);
    p->eos = TRUE;
    g_cond_broadcast(&p->cond);
    g_mutex_unlock(&p->lock);
    break;
  case GST_MESSAGE_WARNING: {
    GError *gerr = NULL;
    char *debug = NULL;
    gst_message_parse_warning(msg, &gerr, &debug);
    g_message("element '%s': %s", GST_MESSAGE_SRC_NAME(msg), gerr->message);
    g_error_free(gerr);
    g_free(debug);
    break;
  }
  default:
    break;
  }
  /* Nobody pops this bus: dropping keeps it from growing. */
  return GST_BUS_DROP;
}

void vf_post_error(GstElement *element, GError *error)
{
  gst_element_post_message(element, gst_message_new_error(GST_OBJECT(element), error, NULL));
  g_error_free(error);
}

VfPipeline *vf_pipeline_new(const char *name)
{
  if (!vf_init(NULL))
    return NULL;
  VfPipeline *p = g_new0(VfPipeline, 1);
  p->pipeline = gst_object_ref_sink(gst_pipeline_new(name));
  p->feeders = g_ptr_array_new_with_free_func((GDestroyNotify)vf_feeder_free);
  p->receivers = g_ptr_array_new_with_free_func((GDestroyNotify)vf_receiver_free);
  p->probes = g_ptr_array_new_with_free_func((GDestroyNotify)vf_probe_free);
  p->start_timeout = 10 * GST_SECOND;
  g_mutex_init(&p->lock);
  g_cond_init(&p->cond);
  g_mutex_init(&p->teardown_lock);
  GstBus *bus = gst_element_get_bus(p->pipeline);
  gst_bus_set_sync_handler(bus, on_bus_message, p, NULL);
  gst_object_unref(bus);
  return p;
}

const char *vf_pipeline_get_name(VfPipeline *pipeline)
{
  return GST_ELEMENT_NAME(pipeline->pipeline);
}

static void teardown(VfPipeline *p, gboolean drained);

void vf_pipeline_free(VfPipeline *pipeline)
{
  if (pipeline == NULL)
    return;
  vf_pipeline_stop(pipeline);
  for (guint i = 0; i < pipeline->probes->len; i++)
    vf_probe_unbind(g_ptr_array_index(pipeline->probes, i));
  GstBus *bus = gst_element_get_bus(pipeline->pipeline);
  gst_bus_set_sync_handler(bus, NULL, NULL, NULL);
  gst_object_unref(bus);
  gst_object_unref(pipeline->pipeline);
  /* Elements are gone: now the user callbacks' destroy notifies can run. */
  g_ptr_array_unref(pipeline->feeders);
  g_ptr_array_unref(pipeline->receivers);
  g_ptr_array_unref(pipeline->probes);
  g_clear_error(&pipeline->error);
  g_mutex_clear(&pipeline->lock);
  g_cond_clear(&pipeline->cond);
  g_mutex_clear(&pipeline->teardown_lock);
  g_free(pipeline);
}

static gboolean check_buildable(VfPipeline *p, GError **error)
{
  if (vf_pipeline_get_state(p) != VF_STATE_NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                "pipeline '%s' is running: add, link and attach before start() or after stop()",
                vf_pipeline_get_name(p));
    return FALSE;
  }
  return TRUE;
}

static GstElement *lookup(VfPipeline *p, const char *name, GError **error)
{
  GstElement *e = name ? gst_bin_get_by_name(GST_BIN(p->pipeline), name) : NULL;
  if (e == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "pipeline '%s' has no element named '%s': add it first", vf_pipeline_get_name(p),
                name ? name : "(null)");
    return NULL;
  }
  gst_object_unref(e); /* the bin keeps it alive */
  return e;
}

GstElement *vf_pipeline_get_element(VfPipeline *pipeline, const char *name)
{
  return lookup(pipeline, name, NULL);
}

GstElement *vf_pipeline_get_gst_pipeline(VfPipeline *pipeline)
{
  return pipeline->pipeline;
}

gboolean vf_pipeline_addv(VfPipeline *pipeline, const char *factory, const char *name,
                          const char *const *properties, GError **error)
{
  g_return_val_if_fail(pipeline != NULL && factory != NULL, FALSE);
  if (!check_buildable(pipeline, error))
    return FALSE;
  if (name && lookup(pipeline, name, NULL)) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "pipeline '%s' already has an element named '%s': names must be unique",
                vf_pipeline_get_name(pipeline), name);
    return FALSE;
  }
  GstElementFactory *f = gst_element_factory_find(factory);
  if (f == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "no GStreamer element '%s': check the name (gst-inspect-1.0 lists them) or install "
                "the plugin that provides it",
                factory);
    return FALSE;
  }
  GstElement *element = gst_element_factory_create(f, name);
  gst_object_unref(f);
  if (element == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_FAILED, "element '%s' could not be created", factory);
    return FALSE;
  }
  gst_object_ref_sink(element);
  for (guint i = 0; properties && properties[i]; i += 2) {
    if (!vf_set_property_from_string(element, properties[i], properties[i + 1], error)) {
      gst_object_unref(element);
      return FALSE;
    }
  }
  gst_bin_add(GST_BIN(pipeline->pipeline), element);
  gst_object_unref(element);
  return TRUE;
}

gboolean vf_pipeline_add(VfPipeline *pipeline, const char *factory, const char *name,
                         GError **error, ...)
{
  GPtrArray *props = g_ptr_array_new();
  va_list ap;
  va_start(ap, error);
  for (const char *key = va_arg(ap, const char *); key; key = va_arg(ap, const char *)) {
    g_ptr_array_add(props, (gpointer)key);
    g_ptr_array_add(props, (gpointer)va_arg(ap, const char *));
  }
  va_end(ap);
  g_ptr_array_add(props, NULL);
  gboolean ok = vf_pipeline_addv(pipeline, factory, name, (const char *const *)props->pdata, error);
  g_ptr_array_free(props, TRUE);
  return ok;
}

gboolean vf_pipeline_set(VfPipeline *pipeline, const char *element, const char *property,
                         const char *value, GError **error)
{
  GstElement *e = lookup(pipeline, element, error);
  return e && vf_set_property_from_string(e, property, value, error);
}

gboolean vf_pipeline_set_value(VfPipeline *pipeline, const char *element, const char *property,
                               const GValue *value, GError **error)
{
  GstElement *e = lookup(pipeline, element, error);
  return e && vf_set_property_value(e, property, value, error);
}

/* Numbers and booleans go through the string path: it knows enums by number, ranges and
 * overflow for every property type. */
gboolean vf_pipeline_set_int(VfPipeline *pipeline, const char *element, const char *property,
                             gint64 value, GError **error)
{
  char s[32];
  g_snprintf(s, sizeof s, "%" G_GINT64_FORMAT, value);
  return vf_pipeline_set(pipeline, element, property, s, error);
}

gboolean vf_pipeline_set_double(VfPipeline *pipeline, const char *element, const char *property,
                                gdouble value, GError **error)
{
  GValue v = G_VALUE_INIT;
  g_value_init(&v, G_TYPE_DOUBLE);
  g_value_set_double(&v, value);
  gboolean ok = vf_pipeline_set_value(pipeline, element, property, &v, error);
  g_value_unset(&v);
  return ok;
}

gboolean vf_pipeline_set_bool(VfPipeline *pipeline, const char *element, const char *property,
                              gboolean value, GError **error)
{
  return vf_pipeline_set(pipeline, element, property, value ? "true" : "false", error);
}

gboolean vf_pipeline_set_string(VfPipeline *pipeline, const char *element, const char *property,
                                const char *value, GError **error)
{
  return vf_pipeline_set(pipeline, element, property, value, error);
}

gboolean vf_pipeline_link_pads(VfPipeline *pipeline, const char *src, const char *src_pad,
                               const char *sink, const char *sink_pad, GError **error)
{
  if (!check_buildable(pipeline, error))
    return FALSE;
  GstElement *a = lookup(pipeline, src, error);
  GstElement *b = a ? lookup(pipeline, sink, error) : NULL;
  return b && vf_link_pads(a, src_pad, b, sink_pad, error);
}

gboolean vf_pipeline_link(VfPipeline *pipeline, GError **error, const char *first, ...)
{
  va_list ap;
  gboolean ok = TRUE;
  const char *prev = first;
  va_start(ap, first);
  for (const char *next = va_arg(ap, const char *); ok && next; next = va_arg(ap, const char *)) {
    ok = vf_pipeline_link_pads(pipeline, prev, NULL, next, NULL, error);
    prev = next;
  }
  va_end(ap);
  if (ok && first == NULL) {
    g_set_error_literal(error, VF_ERROR, VF_ERROR_ARGUMENT, "link needs element names");
    return FALSE;
  }
  return ok;
}

static gboolean attach_check(VfPipeline *p, const char *element, const char *factory,
                             const char *tips, const char *expected_tips, GstElement **out,
                             GError **error)
{
  if (!check_buildable(p, error))
    return FALSE;
  GstElement *e = lookup(p, element, error);
  if (e == NULL)
    return FALSE;
  const char *have = GST_OBJECT_NAME(gst_element_get_factory(e));
  if (!g_str_equal(have, factory)) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "element '%s' is a %s; this attaches to an %s",
                element, have, factory);
    return FALSE;
  }
  if (tips && *tips && !g_str_equal(tips, expected_tips)) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "unknown tips '%s' for an %s: use \"%s\"", tips,
                factory, expected_tips);
    return FALSE;
  }
  *out = e;
  return TRUE;
}

gboolean vf_pipeline_attach_feeder(VfPipeline *pipeline, const char *element, VfFeeder *feeder,
                                   const char *tips, GError **error)
{
  g_ptr_array_add(pipeline->feeders, feeder);
  GstElement *appsrc;
  return attach_check(pipeline, element, "appsrc", tips, "need-data/enough-data", &appsrc, error)
         && vf_feeder_bind(feeder, appsrc, error);
}

gboolean vf_pipeline_attach_receiver(VfPipeline *pipeline, const char *element,
                                     VfReceiver *receiver, const char *tips, GError **error)
{
  g_ptr_array_add(pipeline->receivers, receiver);
  GstElement *appsink;
  return attach_check(pipeline, element, "appsink", tips, "new-sample", &appsink, error)
         && vf_receiver_bind(receiver, pipeline, appsink, error);
}

gboolean vf_pipeline_attach_probe(VfPipeline *pipeline, const char *element, const char *pad,
                                  VfProbe *probe, GError **error)
{
  g_ptr_array_add(pipeline->probes, probe);
  GstElement *e = lookup(pipeline, element, error);
  return e && vf_probe_bind(probe, e, pad, error);
}

/* ---- running ---- */

static void start_threads(VfPipeline *p)
{
  g_mutex_lock(&p->lock);
  p->running = TRUE;
  p->eos = FALSE;
  p->stop_requested = FALSE;
  g_clear_error(&p->error);
  g_mutex_unlock(&p->lock);
  for (guint i = 0; i < p->feeders->len; i++)
    vf_feeder_start(g_ptr_array_index(p->feeders, i));
  for (guint i = 0; i < p->receivers->len; i++)
    vf_receiver_start(g_ptr_array_index(p->receivers, i));
}

/* Unblock every streaming thread: FLUSH_START sent into each element's sink pads (sources are
 * left alone: their locks may be held by an EOS being sent into the stalled stream). Needed before
 * NULL when something holds the pipeline's state lock while waiting for a blocked stream. */
static gpointer ref_pad(gconstpointer pad, gpointer unused)
{
  (void)unused;
  return gst_object_ref((gpointer)pad);
}

static void flush_all_sink_pads(VfPipeline *p)
{
  GstIterator *it = gst_bin_iterate_recurse(GST_BIN(p->pipeline));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object(&item);
    if (!GST_IS_BIN(e) && e->numsinkpads > 0) {
      GST_OBJECT_LOCK(e);
      GList *pads = g_list_copy_deep(e->sinkpads, ref_pad, NULL);
      GST_OBJECT_UNLOCK(e);
      for (GList *l = pads; l; l = l->next)
        gst_pad_send_event(l->data, gst_event_new_flush_start());
      g_list_free_full(pads, gst_object_unref);
    }
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
}

/* Back to NULL with every vidflow thread joined. `drained`: EOS reached the sinks, so receivers
 * first finish what their appsinks still hold. */
static void teardown(VfPipeline *p, gboolean drained)
{
  g_mutex_lock(&p->teardown_lock);
  g_mutex_lock(&p->lock);
  gboolean running = p->running;
  g_mutex_unlock(&p->lock);
  if (running) {
    if (drained)
      for (guint i = 0; i < p->receivers->len; i++)
        vf_receiver_drain(g_ptr_array_index(p->receivers, i));
    else
      flush_all_sink_pads(p);
    gst_element_set_state(p->pipeline, GST_STATE_NULL);
    for (guint i = 0; i < p->feeders->len; i++)
      vf_feeder_stop(g_ptr_array_index(p->feeders, i));
    for (guint i = 0; i < p->receivers->len; i++) {
      vf_receiver_stop(g_ptr_array_index(p->receivers, i));
      vf_receiver_report(g_ptr_array_index(p->receivers, i));
    }
    g_mutex_lock(&p->lock);
    p->running = FALSE;
    g_cond_broadcast(&p->cond);
    g_mutex_unlock(&p->lock);
  } else {
    gst_element_set_state(p->pipeline, GST_STATE_NULL);
  }
  g_mutex_unlock(&p->teardown_lock);
}

static gboolean take_error(VfPipeline *p, GError **error)
{
  g_mutex_lock(&p->lock);
  GError *err = g_steal_pointer(&p->error);
  g_mutex_unlock(&p->lock);
  if (err == NULL)
    return TRUE;
  g_propagate_error(error, err);
  return FALSE;
}

gboolean vf_pipeline_start(VfPipeline *pipeline, GError **error)
{
  g_return_val_if_fail(pipeline != NULL, FALSE);
  if (vf_pipeline_get_state(pipeline) == VF_STATE_PLAYING)
    return TRUE;
  start_threads(pipeline);
  GstStateChangeReturn ret = gst_element_set_state(pipeline->pipeline, GST_STATE_PLAYING);
  /* Wait for preroll in slices, so an error posted meanwhile ends the wait at once. */
  gint64 deadline = g_get_monotonic_time() + (gint64)(pipeline->start_timeout / GST_USECOND);
  while (ret == GST_STATE_CHANGE_ASYNC) {
    g_mutex_lock(&pipeline->lock);
    gboolean stop = pipeline->error || pipeline->eos || pipeline->stop_requested;
    g_mutex_unlock(&pipeline->lock);
    if (stop || g_get_monotonic_time() > deadline)
      break;
    ret = gst_element_get_state(pipeline->pipeline, NULL, NULL, 20 * GST_MSECOND);
  }
  g_mutex_lock(&pipeline->lock);
  gboolean failed = pipeline->error != NULL || ret == GST_STATE_CHANGE_FAILURE;
  g_mutex_unlock(&pipeline->lock);
  if (!failed)
    return TRUE;
  /* The error message may still be on its way from a streaming thread. */
  g_mutex_lock(&pipeline->lock);
  gint64 until = g_get_monotonic_time() + G_TIME_SPAN_SECOND;
  while (pipeline->error == NULL && g_cond_wait_until(&pipeline->cond, &pipeline->lock, until))
    ;
  g_mutex_unlock(&pipeline->lock);
  teardown(pipeline, FALSE);
  if (take_error(pipeline, error))
    g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                "pipeline '%s' could not start (an element refused to change state; run with "
                "GST_DEBUG=3 for details)",
                vf_pipeline_get_name(pipeline));
  return FALSE;
}

gboolean vf_pipeline_wait(VfPipeline *pipeline, GError **error)
{
  g_return_val_if_fail(pipeline != NULL, FALSE);
  const guint interrupts_at_start = vf_interrupt_begin_wait();
  guint interrupts_seen = interrupts_at_start;
  gboolean interrupted = FALSE;
  g_mutex_lock(&pipeline->lock);
  while (pipeline->running && !pipeline->eos && !pipeline->error && !pipeline->stop_requested) {
    gint64 until = g_get_monotonic_time() + 100 * G_TIME_SPAN_MILLISECOND;
    g_cond_wait_until(&pipeline->cond, &pipeline->lock, until);
    guint n = vf_interrupt_count();
    if (n != interrupts_seen) {
      interrupts_seen = n;
      g_mutex_unlock(&pipeline->lock);
      if (n - interrupts_at_start == 1) {
        g_printerr("\nvidflow: interrupted: finishing the stream (Ctrl-C again to stop now)\n");
        vf_pipeline_send_eos(pipeline);
      } else {
        interrupted = TRUE;
      }
      g_mutex_lock(&pipeline->lock);
      if (interrupted)
        break;
    }
  }
  gboolean drained = pipeline->eos && !pipeline->error;
  g_mutex_unlock(&pipeline->lock);
  teardown(pipeline, drained && !interrupted);
  if (!take_error(pipeline, error))
    return FALSE;
  if (interrupted) {
    g_set_error(error, VF_ERROR, VF_ERROR_INTERRUPTED, "pipeline '%s' stopped by the user",
                vf_pipeline_get_name(pipeline));
    return FALSE;
  }
  return TRUE;
}

gboolean vf_pipeline_run(VfPipeline *pipeline, GError **error)
{
  return vf_pipeline_start(pipeline, error) && vf_pipeline_wait(pipeline, error);
}

void vf_pipeline_stop(VfPipeline *pipeline)
{
  g_return_if_fail(pipeline != NULL);
  g_mutex_lock(&pipeline->lock);
  pipeline->stop_requested = TRUE;
  g_cond_broadcast(&pipeline->cond);
  g_mutex_unlock(&pipeline->lock);
  teardown(pipeline, FALSE);
}

static void send_eos_async(GstElement *element, gpointer data)
{
  (void)data;
  gst_element_send_event(element, gst_event_new_eos());
}

void vf_pipeline_send_eos(VfPipeline *pipeline)
{
  /* From a thread pool, so it is safe from any thread, streaming threads included. */
  gst_element_call_async(pipeline->pipeline, send_eos_async, NULL, NULL);
}

static gboolean change_state(VfPipeline *p, GstState state, GError **error)
{
  if (vf_pipeline_get_state(p) == VF_STATE_NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_STATE, "pipeline '%s' is not running: start() it first",
                vf_pipeline_get_name(p));
    return FALSE;
  }
  GstStateChangeReturn ret = gst_element_set_state(p->pipeline, state);
  if (ret == GST_STATE_CHANGE_ASYNC)
    ret = gst_element_get_state(p->pipeline, NULL, NULL, p->start_timeout);
  if (ret == GST_STATE_CHANGE_FAILURE) {
    if (take_error(p, error))
      g_set_error(error, VF_ERROR, VF_ERROR_STATE, "pipeline '%s' could not change to %s",
                  vf_pipeline_get_name(p), gst_element_state_get_name(state));
    return FALSE;
  }
  return TRUE;
}

gboolean vf_pipeline_pause(VfPipeline *pipeline, GError **error)
{
  return change_state(pipeline, GST_STATE_PAUSED, error);
}

gboolean vf_pipeline_resume(VfPipeline *pipeline, GError **error)
{
  return change_state(pipeline, GST_STATE_PLAYING, error);
}

VfState vf_pipeline_get_state(VfPipeline *pipeline)
{
  GstState state = GST_STATE_NULL, pending = GST_STATE_VOID_PENDING;
  gst_element_get_state(pipeline->pipeline, &state, &pending, 0);
  /* A pipeline on its way to PLAYING counts as playing. */
  if (pending == GST_STATE_PLAYING)
    state = GST_STATE_PLAYING;
  switch (state) {
  case GST_STATE_READY:
    return VF_STATE_READY;
  case GST_STATE_PAUSED:
    return VF_STATE_PAUSED;
  case GST_STATE_PLAYING:
    return VF_STATE_PLAYING;
  default:
    return VF_STATE_NULL;
  }
}

void vf_pipeline_set_start_timeout(VfPipeline *pipeline, GstClockTime timeout)
{
  pipeline->start_timeout = timeout;
}
