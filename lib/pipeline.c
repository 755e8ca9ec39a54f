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
#include "nvidia-names.h"

#include <stdarg.h>
#include <string.h>

typedef struct {
  const VfAttachedClass *klass;
  gpointer object;
} Attached;

#define DEFAULT_START_TIMEOUT (10 * GST_SECOND)
#define DEFAULT_DRAIN_TIMEOUT (30 * GST_SECOND)
#define DEFAULT_STOP_TIMEOUT (5 * GST_SECOND)

struct _VfPipeline {
  GstElement *pipeline;
  GArray *attached; /* Attached, owned, in attach order */
  GstClockTime start_timeout, drain_timeout, stop_timeout;

  GMutex lock; /* guards the run state below */
  GCond cond;
  gboolean running; /* threads started, not torn down */
  gboolean playing; /* the pipeline reached PLAYING (its state-changed messages) */
  gboolean eos;
  gboolean stop_requested;
  gint64 eos_requested_at; /* monotonic us of this run's first send_eos, 0: none */
  GError *error;           /* first error of this run */

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
  case GST_MESSAGE_STATE_CHANGED: {
    if (GST_MESSAGE_SRC(msg) != GST_OBJECT(p->pipeline))
      break;
    GstState new_state, pending;
    gst_message_parse_state_changed(msg, NULL, &new_state, &pending);
    g_mutex_lock(&p->lock);
    p->playing = new_state == GST_STATE_PLAYING && pending == GST_STATE_VOID_PENDING;
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
  p->start_timeout = DEFAULT_START_TIMEOUT;
  p->drain_timeout = DEFAULT_DRAIN_TIMEOUT;
  p->stop_timeout = DEFAULT_STOP_TIMEOUT;
  p->pipeline = vf_bus_pipeline_new(name, p, on_message, p);
  return p;
}

const char *vf_pipeline_get_name(VfPipeline *pipeline)
{
  return GST_ELEMENT_NAME(pipeline->pipeline);
}

/* (transfer full) a copy of the attached objects: probes may be attached while it runs. */
static GArray *attached_copy(VfPipeline *p)
{
  g_mutex_lock(&p->lock);
  GArray *attached = g_array_copy(p->attached);
  g_mutex_unlock(&p->lock);
  return attached;
}

void vf_pipeline_free(VfPipeline *pipeline)
{
  if (pipeline == NULL)
    return;
  vf_pipeline_stop(pipeline);
  for (guint i = 0; i < pipeline->attached->len; i++) {
    Attached *a = &g_array_index(pipeline->attached, Attached, i);
    if (a->klass->unbind)
      a->klass->unbind(a->object);
  }
  /* The bus thread delivers what is queued; the watches go. */
  vf_bus_shutdown(pipeline->pipeline);
  gst_object_unref(pipeline->pipeline);
  /* Elements are gone: now the user callbacks' destroy notifies can run. */
  for (guint i = 0; i < pipeline->attached->len; i++) {
    Attached *a = &g_array_index(pipeline->attached, Attached, i);
    a->klass->free(a->object);
  }
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

gpointer vf_pipeline_find_attached(VfPipeline *pipeline, const VfAttachedClass *klass,
                                   gconstpointer after)
{
  gpointer found = NULL;
  gboolean past = after == NULL;
  g_mutex_lock(&pipeline->lock);
  for (guint i = 0; i < pipeline->attached->len && found == NULL; i++) {
    Attached *a = &g_array_index(pipeline->attached, Attached, i);
    if (a->klass == klass && past)
      found = a->object;
    else if (a->object == after)
      past = TRUE;
  }
  g_mutex_unlock(&pipeline->lock);
  return found;
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
  /* a GStreamer factory, or a DeepStream name (nvidia-names.c) */
  GstElement *element = vf_element_new(factory, name, error);
  if (element == NULL)
    return FALSE;
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

/* g_get_monotonic_time() microseconds `timeout` after `from` (G_MAXINT64 for no timeout). */
static gint64 deadline_after(gint64 from, GstClockTime timeout)
{
  if (!GST_CLOCK_TIME_IS_VALID(timeout) || timeout / GST_USECOND > (guint64)(G_MAXINT64 - from))
    return G_MAXINT64;
  return from + (gint64)(timeout / GST_USECOND);
}

static gboolean start_threads(VfPipeline *p, GError **error)
{
  g_mutex_lock(&p->lock);
  p->running = TRUE;
  p->playing = FALSE;
  p->eos = FALSE;
  p->stop_requested = FALSE;
  p->eos_requested_at = 0;
  g_clear_error(&p->error);
  g_mutex_unlock(&p->lock);
  GArray *attached = attached_copy(p);
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < attached->len; i++) {
    Attached *a = &g_array_index(attached, Attached, i);
    ok = a->klass->start == NULL || a->klass->start(a->object, error);
  }
  g_array_unref(attached);
  return ok;
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

/* (transfer full) what the attached objects are busy with, "; "-separated, for the message of a
 * run that did not end in time. */
static char *describe_busy(GArray *attached)
{
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < attached->len; i++) {
    Attached *a = &g_array_index(attached, Attached, i);
    char *what = a->klass->describe ? a->klass->describe(a->object) : NULL;
    if (what)
      g_string_append_printf(s, "%s%s", s->len ? "; " : "", what);
    g_free(what);
  }
  if (s->len == 0)
    g_string_append(s, "no feeder or receiver is busy: an element holds the end of stream back "
                       "(a blocked probe, a full queue, a sink that waits)");
  return g_string_free(s, FALSE);
}

/* Back to NULL with every vidflow thread joined, or left behind past the stop deadline (reported
 * by the object). `drained`: EOS reached the sinks, so receivers first finish what their appsinks
 * still hold, until `drain_deadline`. FALSE, with *stuck (nullable) saying what was busy, when
 * that drain did not finish in time. */
static gboolean teardown(VfPipeline *p, gboolean drained, gint64 drain_deadline, char **stuck)
{
  gboolean ok = TRUE;
  g_mutex_lock(&p->teardown_lock);
  g_mutex_lock(&p->lock);
  gboolean running = p->running;
  g_mutex_unlock(&p->lock);
  if (!running) {
    gst_element_set_state(p->pipeline, GST_STATE_NULL);
    g_mutex_unlock(&p->teardown_lock);
    return TRUE;
  }
  GArray *attached = attached_copy(p);
  for (guint i = 0; drained && i < attached->len; i++) {
    Attached *a = &g_array_index(attached, Attached, i);
    if (a->klass->drain && !a->klass->drain(a->object, drain_deadline))
      ok = FALSE;
  }
  if (!ok && stuck)
    *stuck = describe_busy(attached);
  for (guint i = 0; i < attached->len; i++) {
    Attached *a = &g_array_index(attached, Attached, i);
    if (a->klass->cancel)
      a->klass->cancel(a->object);
  }
  if (!drained || !ok)
    flush_all_sink_pads(p);
  gint64 stop_deadline = deadline_after(g_get_monotonic_time(), p->stop_timeout);
  for (guint i = 0; i < attached->len; i++) {
    Attached *a = &g_array_index(attached, Attached, i);
    if (a->klass->quiesce)
      a->klass->quiesce(a->object, stop_deadline);
  }
  gst_element_set_state(p->pipeline, GST_STATE_NULL);
  for (guint i = 0; i < attached->len; i++) {
    Attached *a = &g_array_index(attached, Attached, i);
    if (a->klass->stop)
      a->klass->stop(a->object, stop_deadline);
  }
  g_array_unref(attached);
  g_mutex_lock(&p->lock);
  p->running = FALSE;
  g_cond_broadcast(&p->cond);
  g_mutex_unlock(&p->lock);
  g_mutex_unlock(&p->teardown_lock);
  return ok;
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
  VfPipeline *p = pipeline;
  GError *start_error = NULL;
  if (!start_threads(p, &start_error)) {
    teardown(p, FALSE, 0, NULL);
    g_propagate_error(error, start_error);
    return FALSE;
  }
  /* Wait for PLAYING on the pipeline's own state-changed messages (not gst_element_get_state:
   * a signal that wakes it makes it answer FAILURE), until an error, end of stream, stop(), a
   * second pending interrupt (wait() then stops at once) or the start timeout. One interrupt lets
   * the preroll finish: wait() then drains what was prerolled, so files get their frames. */
  const guint interrupts = vf_interrupt_watch_begin(&p->lock, &p->cond);
  GstStateChangeReturn ret = gst_element_set_state(p->pipeline, GST_STATE_PLAYING);
  gint64 until = deadline_after(g_get_monotonic_time(), p->start_timeout);
  g_mutex_lock(&p->lock);
  while (ret != GST_STATE_CHANGE_FAILURE && !p->playing && !p->error && !p->eos
         && !p->stop_requested && vf_interrupt_count() - interrupts < 2) {
    if (until == G_MAXINT64)
      g_cond_wait(&p->cond, &p->lock);
    else if (!g_cond_wait_until(&p->cond, &p->lock, until))
      break; /* still prerolling: wait() reports what happens next */
  }
  gboolean failed = p->error != NULL || ret == GST_STATE_CHANGE_FAILURE;
  if (failed) {
    /* The error message may still be on its way from a streaming thread. */
    gint64 grace = g_get_monotonic_time() + G_TIME_SPAN_SECOND;
    while (p->error == NULL && g_cond_wait_until(&p->cond, &p->lock, grace))
      ;
  }
  g_mutex_unlock(&p->lock);
  vf_interrupt_watch_end(&p->lock, &p->cond, interrupts);
  if (!failed)
    return TRUE;
  teardown(p, FALSE, 0, NULL);
  if (take_error(p, error))
    g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                "pipeline '%s' could not start (an element refused to change state; run with "
                "GST_DEBUG=3 for details)",
                vf_pipeline_get_name(p));
  return FALSE;
}

/* Under the lock: when the drain of this run must be over (G_MAXINT64: not draining, or no
 * deadline). */
static gint64 drain_deadline(VfPipeline *p)
{
  return p->eos_requested_at ? deadline_after(p->eos_requested_at, p->drain_timeout) : G_MAXINT64;
}

gboolean vf_pipeline_wait(VfPipeline *pipeline, GError **error)
{
  if (vf_arg_is_null(pipeline, "pipeline", G_STRFUNC, error))
    return FALSE;
  VfPipeline *p = pipeline;
  /* Interrupts count from vf_handle_interrupts(): one that came before this call (while the
   * pipeline was built or started) is acted on now. */
  const guint from = vf_interrupt_watch_begin(&p->lock, &p->cond);
  guint acted = from;
  gboolean interrupted = FALSE, expired = FALSE;
  g_mutex_lock(&p->lock);
  while (p->running && !p->eos && !p->error && !p->stop_requested) {
    guint n = vf_interrupt_count();
    if (n != acted) {
      acted = n;
      if (n - from >= 2) {
        interrupted = TRUE;
        break;
      }
      g_mutex_unlock(&p->lock);
      g_printerr("\nvidflow: interrupted: finishing the stream (Ctrl-C again to stop now)\n");
      vf_pipeline_send_eos(p);
      g_mutex_lock(&p->lock);
      continue;
    }
    gint64 until = drain_deadline(p);
    if (until == G_MAXINT64)
      g_cond_wait(&p->cond, &p->lock);
    else if (!g_cond_wait_until(&p->cond, &p->lock, until) && g_get_monotonic_time() >= until) {
      expired = TRUE;
      break;
    }
  }
  gboolean drained = p->eos && !p->error && !interrupted && !expired;
  /* Receivers finish what is queued by the same deadline; from now when the stream ended by
   * itself. */
  gint64 until = p->eos_requested_at ? drain_deadline(p)
                                     : deadline_after(g_get_monotonic_time(), p->drain_timeout);
  g_mutex_unlock(&p->lock);
  char *stuck = NULL;
  if (expired) {
    GArray *attached = attached_copy(p);
    stuck = describe_busy(attached);
    g_array_unref(attached);
  }
  if (!teardown(p, drained, until, &stuck))
    expired = TRUE;
  vf_interrupt_watch_end(&p->lock, &p->cond, acted);
  /* The watches have seen how the run ended before wait() says it. */
  vf_bus_flush(p->pipeline);
  gboolean ok = take_error(p, error);
  if (ok && expired) {
    g_set_error(error, VF_ERROR, VF_ERROR_TIMEOUT,
                "pipeline '%s' did not finish draining within %.1f s after its end of stream "
                "(vf_pipeline_set_drain_timeout), so it was stopped: %s",
                vf_pipeline_get_name(p), (double)p->drain_timeout / GST_SECOND, stuck);
    ok = FALSE;
  } else if (ok && interrupted) {
    g_set_error(error, VF_ERROR, VF_ERROR_INTERRUPTED, "pipeline '%s' stopped by the user",
                vf_pipeline_get_name(p));
    ok = FALSE;
  }
  g_free(stuck);
  return ok;
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
  teardown(pipeline, FALSE, 0, NULL);
}

/* Under the pipeline's state lock (gst_element_send_event takes it too), so a concurrent stop is
 * either not begun (the sources' deactivation then drops the EOS they hold) or over. A source not
 * active in push mode would keep the EOS as pending, and GstBaseSrc's finalize never frees it:
 * a pipeline that is stopping, stopped or not started gets none. */
static void send_eos_async(GstElement *element, gpointer data)
{
  (void)data;
  GST_STATE_LOCK(element);
  GST_OBJECT_LOCK(element);
  gboolean active = GST_STATE_TARGET(element) >= GST_STATE_PAUSED
                    && GST_STATE(element) >= GST_STATE_READY
                    && GST_STATE_RETURN(element) != GST_STATE_CHANGE_FAILURE;
  GST_OBJECT_UNLOCK(element);
  if (active)
    gst_element_send_event(element, gst_event_new_eos());
  GST_STATE_UNLOCK(element);
}

void vf_pipeline_send_eos(VfPipeline *pipeline)
{
  if (pipeline == NULL)
    return;
  /* The drain starts now: wait() gives it drain_timeout. */
  g_mutex_lock(&pipeline->lock);
  if (pipeline->running && pipeline->eos_requested_at == 0) {
    pipeline->eos_requested_at = g_get_monotonic_time();
    g_cond_broadcast(&pipeline->cond);
  }
  g_mutex_unlock(&pipeline->lock);
  /* From a thread pool, so it is safe from any thread, streaming threads included. */
  gst_element_call_async(pipeline->pipeline, send_eos_async, NULL, NULL);
}

/* gst_element_get_state for up to `timeout`, where a wake-up by a signal (GStreamer then answers
 * FAILURE although the state change goes on) is not taken for a failure. */
static GstStateChangeReturn wait_for_state(GstElement *e, GstClockTime timeout)
{
  gint64 until = deadline_after(g_get_monotonic_time(), timeout);
  while (TRUE) {
    gint64 now = g_get_monotonic_time();
    GstClockTime left = until == G_MAXINT64 ? GST_CLOCK_TIME_NONE
                                            : (GstClockTime)MAX(until - now, 0) * GST_USECOND;
    GstStateChangeReturn ret = gst_element_get_state(e, NULL, NULL, left);
    GST_OBJECT_LOCK(e);
    gboolean really = GST_STATE_RETURN(e) == GST_STATE_CHANGE_FAILURE;
    GST_OBJECT_UNLOCK(e);
    if (ret != GST_STATE_CHANGE_FAILURE || really || g_get_monotonic_time() >= until)
      return ret;
  }
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
    ret = wait_for_state(p->pipeline, p->start_timeout);
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

void vf_pipeline_set_drain_timeout(VfPipeline *pipeline, GstClockTime timeout)
{
  if (pipeline) {
    g_mutex_lock(&pipeline->lock);
    pipeline->drain_timeout = timeout;
    g_cond_broadcast(&pipeline->cond); /* a wait() under way takes the new deadline */
    g_mutex_unlock(&pipeline->lock);
  }
}

void vf_pipeline_set_stop_timeout(VfPipeline *pipeline, GstClockTime timeout)
{
  if (pipeline)
    pipeline->stop_timeout = timeout;
}
