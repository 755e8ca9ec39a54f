/* vidflow: VfPipeline, a GstPipeline plus the feeders, receivers and probes attached to it, and
 * one place where the end of a run is decided (EOS, the first error, stop()): vidflow's handler
 * of the pipeline's messages (bus.c calls it first for every message, on the posting thread).
 *
 * Lock order: teardown_lock, then lock. Neither is held while user code runs (attached objects'
 * callbacks, bus watches).
 */
#include "pipeline-private.h"
#include "bus-private.h"
#include "error-private.h"
#include "interrupt-private.h"
#include "link-private.h"
#include "property-private.h"

#include <stdarg.h>
#include <string.h>

typedef void (*AttachedFunc)(gpointer object);

typedef struct {
  const VfAttachedClass *klass;
  gpointer object;
} Attached;

struct _VfPipeline {
  GstElement *pipeline;
  GArray *attached; /* Attached, owned, in attach order */
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

/* vidflow's own handling, before the message reaches the watches and the bus (any thread). */
static void on_message(GstMessage *msg, gpointer data)
{
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
    /* The pipeline's own: every sink reached end of stream. */
    if (GST_MESSAGE_SRC(msg) != GST_OBJECT(p->pipeline))
      break;
    g_mutex_lock(&p->lock);
    p->eos = TRUE;
    g_cond_broadcast(&p->cond);
    g_mutex_unlock(&p->lock);
    break;
  default:
    /* Warnings and everything else: for the bus watches (the application decides). */
    break;
  }
}

VfPipeline *vf_pipeline_new(const char *name)
{
  if (!vf_init(NULL))
    return NULL;
  VfPipeline *p = g_new0(VfPipeline, 1);
  g_mutex_init(&p->lock);
  g_cond_init(&p->cond);
  g_mutex_init(&p->teardown_lock);
  p->attached = g_array_new(FALSE, FALSE, sizeof(Attached));
  p->start_timeout = 10 * GST_SECOND;
  p->pipeline = vf_bus_pipeline_new(name, p, on_message, p);
  return p;
}

const char *vf_pipeline_get_name(VfPipeline *pipeline)
{
  return GST_ELEMENT_NAME(pipeline->pipeline);
}

/* Calls the VfAttachedClass function at `member` (G_STRUCT_OFFSET) of every attached object, in
 * attach order. */
static void call_attached(VfPipeline *p, glong member)
{
  /* A copy: probes may be attached while the pipeline runs. */
  g_mutex_lock(&p->lock);
  GArray *attached = g_array_copy(p->attached);
  g_mutex_unlock(&p->lock);
  for (guint i = 0; i < attached->len; i++) {
    Attached *a = &g_array_index(attached, Attached, i);
    AttachedFunc fn = G_STRUCT_MEMBER(AttachedFunc, a->klass, member);
    if (fn)
      fn(a->object);
  }
  g_array_unref(attached);
}

void vf_pipeline_free(VfPipeline *pipeline)
{
  if (pipeline == NULL)
    return;
  vf_pipeline_stop(pipeline);
  call_attached(pipeline, G_STRUCT_OFFSET(VfAttachedClass, unbind));
  /* The bus thread delivers what is queued; the watches go. */
  vf_bus_shutdown(pipeline->pipeline);
  gst_object_unref(pipeline->pipeline);
  /* Elements are gone: now the user callbacks' destroy notifies can run. */
  call_attached(pipeline, G_STRUCT_OFFSET(VfAttachedClass, free));
  g_array_unref(pipeline->attached);
  g_clear_error(&pipeline->error);
  g_mutex_clear(&pipeline->lock);
  g_cond_clear(&pipeline->cond);
  g_mutex_clear(&pipeline->teardown_lock);
  g_free(pipeline);
}

void vf_pipeline_take(VfPipeline *pipeline, const VfAttachedClass *klass, gpointer object)
{
  Attached a = { klass, object };
  g_mutex_lock(&pipeline->lock);
  g_array_append_val(pipeline->attached, a);
  g_mutex_unlock(&pipeline->lock);
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

GstElement *vf_pipeline_lookup(VfPipeline *p, const char *name, GError **error)
{
  GstElement *e = name ? gst_bin_get_by_name(GST_BIN(p->pipeline), name) : NULL;
  if (e == NULL) {
    if (name == NULL)
      g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "pipeline '%s': no element name given (NULL)",
                  vf_pipeline_get_name(p));
    else
      g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                  "pipeline '%s' has no element named '%s': add it first", vf_pipeline_get_name(p),
                  name);
    return NULL;
  }
  gst_object_unref(e); /* the bin keeps it alive */
  return e;
}

GstElement *vf_pipeline_get_element(VfPipeline *pipeline, const char *name)
{
  return pipeline ? vf_pipeline_lookup(pipeline, name, NULL) : NULL;
}

GstElement *vf_pipeline_get_gst_pipeline(VfPipeline *pipeline)
{
  return pipeline ? pipeline->pipeline : NULL;
}

gboolean vf_pipeline_addv(VfPipeline *pipeline, const char *factory, const char *name,
                          const char *const *properties, GError **error)
{
  if (vf_arg_is_null(pipeline, "pipeline", G_STRFUNC, error)
      || vf_arg_is_null(factory, "factory", G_STRFUNC, error) || !check_buildable(pipeline, error))
    return FALSE;
  if (name && vf_pipeline_lookup(pipeline, name, NULL)) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "pipeline '%s' already has an element named '%s': names must be unique",
                vf_pipeline_get_name(pipeline), name);
    return FALSE;
  }
  for (guint i = 0; properties && properties[i]; i += 2) {
    if (properties[i + 1] == NULL) {
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                  "%s '%s': property '%s' has no value (give name/value pairs, then NULL)", factory,
                  name ? name : "", properties[i]);
      return FALSE;
    }
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
    const char *value = va_arg(ap, const char *);
    g_ptr_array_add(props, (gpointer)key);
    g_ptr_array_add(props, (gpointer)value);
    if (value == NULL)
      break; /* a name without a value: addv says so (reading on would pass the end) */
  }
  va_end(ap);
  g_ptr_array_add(props, NULL);
  gboolean ok = vf_pipeline_addv(pipeline, factory, name, (const char *const *)props->pdata, error);
  g_ptr_array_free(props, TRUE);
  return ok;
}

/* The element and property a setter names, checked. */
static GstElement *setter_target(VfPipeline *p, const char *element, const char *property,
                                 const char *func, GError **error)
{
  if (vf_arg_is_null(p, "pipeline", func, error)
      || vf_arg_is_null(property, "property", func, error))
    return NULL;
  return vf_pipeline_lookup(p, element, error);
}

gboolean vf_pipeline_set(VfPipeline *pipeline, const char *element, const char *property,
                         const char *value, GError **error)
{
  GstElement *e = setter_target(pipeline, element, property, G_STRFUNC, error);
  if (e && value == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "%s(): no value (NULL) for property '%s' of '%s' (vf_pipeline_set_string clears a "
                "string property)",
                G_STRFUNC, property, element);
    return FALSE;
  }
  return e && vf_set_property_from_string(e, property, value, error);
}

gboolean vf_pipeline_set_value(VfPipeline *pipeline, const char *element, const char *property,
                               const GValue *value, GError **error)
{
  GstElement *e = setter_target(pipeline, element, property, G_STRFUNC, error);
  if (e && !G_IS_VALUE(value)) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "%s(): the value for property '%s' of '%s' is NULL or not initialised "
                "(g_value_init it)",
                G_STRFUNC, property, element);
    return FALSE;
  }
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
  if (value != NULL)
    return vf_pipeline_set(pipeline, element, property, value, error);
  /* NULL clears a string property */
  GValue v = G_VALUE_INIT;
  g_value_init(&v, G_TYPE_STRING);
  gboolean ok = vf_pipeline_set_value(pipeline, element, property, &v, error);
  g_value_unset(&v);
  return ok;
}

gboolean vf_pipeline_link_pads(VfPipeline *pipeline, const char *src, const char *src_pad,
                               const char *sink, const char *sink_pad, GError **error)
{
  if (vf_arg_is_null(pipeline, "pipeline", G_STRFUNC, error) || !check_buildable(pipeline, error))
    return FALSE;
  GstElement *a = vf_pipeline_lookup(pipeline, src, error);
  GstElement *b = a ? vf_pipeline_lookup(pipeline, sink, error) : NULL;
  return b && vf_link_pads(a, src_pad, b, sink_pad, error);
}

gboolean vf_pipeline_link(VfPipeline *pipeline, GError **error, const char *first, ...)
{
  if (vf_arg_is_null(pipeline, "pipeline", G_STRFUNC, error))
    return FALSE;
  va_list ap;
  gboolean ok = TRUE;
  const char *prev = first;
  va_start(ap, first);
  for (const char *next = first ? va_arg(ap, const char *) : NULL; ok && next;
       next = va_arg(ap, const char *)) {
    ok = vf_pipeline_link_pads(pipeline, prev, NULL, next, NULL, error);
    prev = next;
  }
  va_end(ap);
  if (ok && first == NULL) {
    g_set_error_literal(error, VF_ERROR, VF_ERROR_ARGUMENT,
                        "vf_pipeline_link(): needs element names, then NULL");
    return FALSE;
  }
  return ok;
}

gboolean vf_pipeline_adopt(VfPipeline *pipeline, const VfAttachedClass *klass, gpointer object,
                           VfAttachable *state, const char *name, const char *element,
                           const char *func, GError **error)
{
  if (object == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "%s(): no %s (NULL) for '%s': make one with %s",
                func, klass->kind, element ? element : "(null)", klass->constructor);
    return FALSE;
  }
  if (state->owned) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "%s(): %s '%s' belongs to a pipeline already (attach each %s once)", func,
                klass->kind, name, klass->kind);
    return FALSE;
  }
  if (vf_arg_is_null(pipeline, "pipeline", func, error)) {
    klass->free(object); /* taken even on failure */
    return FALSE;
  }
  state->owned = TRUE;
  vf_pipeline_take(pipeline, klass, object);
  if (state->invalid) {
    g_propagate_error(error, g_error_copy(state->invalid));
    return FALSE;
  }
  return TRUE;
}

GstElement *vf_pipeline_lookup_for_attach(VfPipeline *pipeline, const char *element,
                                          const char *factory, const char *tips,
                                          const char *expected_tips, GError **error)
{
  if (!check_buildable(pipeline, error))
    return NULL;
  GstElement *e = vf_pipeline_lookup(pipeline, element, error);
  if (e == NULL)
    return NULL;
  GstElementFactory *f = gst_element_get_factory(e);
  const char *have = f ? GST_OBJECT_NAME(f) : G_OBJECT_TYPE_NAME(e);
  if (factory && !g_str_equal(have, factory)) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "element '%s' is a %s; this attaches to an %s",
                element, have, factory);
    return NULL;
  }
  if (expected_tips && tips && *tips && !g_str_equal(tips, expected_tips)) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "unknown tips '%s' for an %s: use \"%s\"", tips,
                factory, expected_tips);
    return NULL;
  }
  return e;
}

/* ---- the bus ---- */

guint vf_pipeline_add_bus_watch(VfPipeline *pipeline, GstMessageType types,
                                const VfBusWatchCallbacks *callbacks, gpointer user_data,
                                GError **error)
{
  if (vf_arg_is_null(pipeline, "pipeline", G_STRFUNC, error)
      || vf_arg_is_null(callbacks, "callbacks", G_STRFUNC, error))
    return 0;
  if (callbacks->on_message == NULL && callbacks->on_sync_message == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "%s(): pipeline '%s': the callbacks have neither on_message nor on_sync_message",
                G_STRFUNC, vf_pipeline_get_name(pipeline));
    return 0;
  }
  if (types == 0) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "%s(): pipeline '%s': no message types to watch (GST_MESSAGE_ANY watches all)",
                G_STRFUNC, vf_pipeline_get_name(pipeline));
    return 0;
  }
  guint id = vf_bus_add_watch(pipeline->pipeline, types, callbacks, user_data);
  if (id == 0)
    g_set_error(error, VF_ERROR, VF_ERROR_STATE, "%s(): pipeline '%s' is being freed", G_STRFUNC,
                vf_pipeline_get_name(pipeline));
  return id;
}

gboolean vf_pipeline_remove_bus_watch(VfPipeline *pipeline, guint id, GError **error)
{
  if (vf_arg_is_null(pipeline, "pipeline", G_STRFUNC, error))
    return FALSE;
  if (!vf_bus_remove_watch(pipeline->pipeline, id)) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "pipeline '%s' has no bus watch %u (removed already?)",
                vf_pipeline_get_name(pipeline), id);
    return FALSE;
  }
  return TRUE;
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
  call_attached(p, G_STRUCT_OFFSET(VfAttachedClass, start));
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
      call_attached(p, G_STRUCT_OFFSET(VfAttachedClass, drain));
    else
      flush_all_sink_pads(p);
    gst_element_set_state(p->pipeline, GST_STATE_NULL);
    call_attached(p, G_STRUCT_OFFSET(VfAttachedClass, stop));
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
  if (vf_arg_is_null(pipeline, "pipeline", G_STRFUNC, error))
    return FALSE;
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
  if (vf_arg_is_null(pipeline, "pipeline", G_STRFUNC, error))
    return FALSE;
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
  /* The watches have seen how the run ended before wait() says it. */
  vf_bus_flush(pipeline->pipeline);
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
  if (pipeline == NULL)
    return;
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
  if (pipeline == NULL)
    return;
  /* From a thread pool, so it is safe from any thread, streaming threads included. */
  gst_element_call_async(pipeline->pipeline, send_eos_async, NULL, NULL);
}

static gboolean change_state(VfPipeline *p, GstState state, const char *func, GError **error)
{
  if (vf_arg_is_null(p, "pipeline", func, error))
    return FALSE;
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
  return change_state(pipeline, GST_STATE_PAUSED, G_STRFUNC, error);
}

gboolean vf_pipeline_resume(VfPipeline *pipeline, GError **error)
{
  return change_state(pipeline, GST_STATE_PLAYING, G_STRFUNC, error);
}

VfState vf_pipeline_get_state(VfPipeline *pipeline)
{
  if (pipeline == NULL)
    return VF_STATE_NULL;
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
  if (pipeline)
    pipeline->start_timeout = timeout;
}
