/* vfdisplaysink: video on the display, plain frames or vidflow batches (what vidflow runs for
 * DeepStream's nveglglessink and nv3dsink, which show batches of one as they come from
 * nvstreammux, nvinfer or nvdsosd).
 *
 * Inside, built when the element goes to READY from what its upstream can produce: batches
 * (video/x-raw(meta:VfBatch)) go through vftiler, then videoconvert, then the sink; plain video
 * through videoconvert and the sink; with sink-factory=fakesink the frames go to fakesink as
 * they are (nothing to convert for nobody). The sink is the one vf_display_sink_choose() picks
 * unless sink-factory names one: $VIDFLOW_DISPLAY_SINK, waylandsink or ximagesink; never
 * autovideosink, which without a display tries DirectFB's sink and crashes the process.
 * No display: an error when the element goes to READY.
 *
 * Properties: sink-factory (string, default NULL: chosen as above); sync (default true), async
 * (default true), qos and max-lateness (default: the sink's own) are handed to the sink.
 *
 * Example:
 *   gst-launch-1.0 vfurisrcbin uri=file:///tmp/a.mp4 ! mux.sink_0 vfmux name=mux batch-size=1 \
 *     ! vfdisplaysink sync=false
 *   VIDFLOW_DISPLAY_SINK=fakesink gst-launch-1.0 videotestsrc num-buffers=30 ! vfdisplaysink
 */
#include "vfdisplaysink.h"

#include <vidflow/display.h>
#include <vidflow/meta.h>

GST_DEBUG_CATEGORY_STATIC(vf_display_sink_debug);
#define GST_CAT_DEFAULT vf_display_sink_debug

enum {
  PROP_0,
  PROP_SINK_FACTORY,
  PROP_SYNC,
  PROP_ASYNC,
  PROP_QOS,
  PROP_MAX_LATENESS,
  N_PROPS,
};

struct _VfDisplaySink {
  GstBin parent;
  GstPad *sinkpad; /* ghost pad; its target is set when the inside is built */

  GMutex lock; /* guards the properties */
  char *factory;
  gboolean sync, async, qos;
  gint64 max_lateness;
  guint set; /* bit per property the user set: only those are handed to the sink */

  GPtrArray *inside; /* the elements built at READY (refs), in stream order */
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE(
    "sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS("video/x-raw(ANY)"));

G_DEFINE_TYPE(VfDisplaySink, vf_display_sink, GST_TYPE_BIN)
GST_ELEMENT_REGISTER_DEFINE(vfdisplaysink, "vfdisplaysink", GST_RANK_NONE, VF_TYPE_DISPLAY_SINK)

/* Can upstream produce only batches? (Asked before data flows: links are known, caps not yet.) */
static gboolean upstream_is_batched(VfDisplaySink *self)
{
  GstCaps *caps = gst_pad_peer_query_caps(self->sinkpad, NULL);
  gboolean batched = caps && !gst_caps_is_any(caps) && !gst_caps_is_empty(caps);
  for (guint i = 0; batched && i < gst_caps_get_size(caps); i++) {
    GstCapsFeatures *f = gst_caps_get_features(caps, i);
    batched = f && gst_caps_features_contains(f, VF_CAPS_FEATURE_META_BATCH);
  }
  gst_clear_caps(&caps);
  return batched;
}

static void clear_inside(VfDisplaySink *self)
{
  gst_ghost_pad_set_target(GST_GHOST_PAD(self->sinkpad), NULL);
  for (guint i = 0; i < self->inside->len; i++) {
    GstElement *e = self->inside->pdata[i];
    gst_element_set_state(e, GST_STATE_NULL);
    gst_bin_remove(GST_BIN(self), e);
  }
  g_ptr_array_set_size(self->inside, 0);
}

static gboolean add_inside(VfDisplaySink *self, const char *factory)
{
  GstElement *e = gst_element_factory_make(factory, NULL);
  if (e == NULL) {
    GST_ELEMENT_ERROR(self, CORE, MISSING_PLUGIN,
                      ("vfdisplaysink needs '%s', which is missing", factory), (NULL));
    return FALSE;
  }
  gst_bin_add(GST_BIN(self), e);
  g_ptr_array_add(self->inside, gst_object_ref(e));
  return TRUE;
}

static gboolean build_inside(VfDisplaySink *self)
{
  g_mutex_lock(&self->lock);
  char *factory = g_strdup(self->factory);
  g_mutex_unlock(&self->lock);
  if (factory == NULL) {
    GError *err = NULL;
    factory = vf_display_sink_choose(&err);
    if (factory == NULL) {
      GST_ELEMENT_ERROR(self, RESOURCE, OPEN_WRITE, ("%s", err->message), (NULL));
      g_error_free(err);
      return FALSE;
    }
  }
  gboolean discard = g_str_equal(factory, "fakesink");
  gboolean batched = !discard && upstream_is_batched(self);
  GST_INFO_OBJECT(self, "showing %s with %s", batched ? "batches (tiled)" : "video", factory);
  gboolean ok = (!batched || add_inside(self, "vftiler"))
                && (discard || add_inside(self, "videoconvert")) && add_inside(self, factory);
  if (ok) {
    GstElement *sink = g_ptr_array_index(self->inside, self->inside->len - 1);
    g_mutex_lock(&self->lock);
    if (self->set & (1u << PROP_SYNC))
      g_object_set(sink, "sync", self->sync, NULL);
    if (self->set & (1u << PROP_ASYNC))
      g_object_set(sink, "async", self->async, NULL);
    if (self->set & (1u << PROP_QOS))
      g_object_set(sink, "qos", self->qos, NULL);
    if (self->set & (1u << PROP_MAX_LATENESS))
      g_object_set(sink, "max-lateness", self->max_lateness, NULL);
    g_mutex_unlock(&self->lock);
    for (guint i = 0; ok && i + 1 < self->inside->len; i++)
      ok = gst_element_link(self->inside->pdata[i], self->inside->pdata[i + 1]);
    GstPad *first = ok ? gst_element_get_static_pad(self->inside->pdata[0], "sink") : NULL;
    ok = first && gst_ghost_pad_set_target(GST_GHOST_PAD(self->sinkpad), first);
    gst_clear_object(&first);
    if (!ok)
      GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("vfdisplaysink could not link its %s", factory),
                        (NULL));
  }
  g_free(factory);
  return ok;
}

static GstStateChangeReturn change_state(GstElement *element, GstStateChange transition)
{
  VfDisplaySink *self = VF_DISPLAY_SINK(element);
  if (transition == GST_STATE_CHANGE_NULL_TO_READY && !build_inside(self)) {
    clear_inside(self);
    return GST_STATE_CHANGE_FAILURE;
  }
  GstStateChangeReturn ret
      = GST_ELEMENT_CLASS(vf_display_sink_parent_class)->change_state(element, transition);
  if (transition == GST_STATE_CHANGE_READY_TO_NULL)
    clear_inside(self); /* rebuilt at the next start: upstream may have changed */
  return ret;
}

static void set_property(GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  VfDisplaySink *self = VF_DISPLAY_SINK(object);
  g_mutex_lock(&self->lock);
  switch (id) {
  case PROP_SINK_FACTORY:
    g_free(self->factory);
    self->factory = g_value_dup_string(value);
    break;
  case PROP_SYNC:
    self->sync = g_value_get_boolean(value);
    break;
  case PROP_ASYNC:
    self->async = g_value_get_boolean(value);
    break;
  case PROP_QOS:
    self->qos = g_value_get_boolean(value);
    break;
  case PROP_MAX_LATENESS:
    self->max_lateness = g_value_get_int64(value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    g_mutex_unlock(&self->lock);
    return;
  }
  self->set |= 1u << id;
  g_mutex_unlock(&self->lock);
}

static void get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  VfDisplaySink *self = VF_DISPLAY_SINK(object);
  g_mutex_lock(&self->lock);
  switch (id) {
  case PROP_SINK_FACTORY:
    g_value_set_string(value, self->factory);
    break;
  case PROP_SYNC:
    g_value_set_boolean(value, self->sync);
    break;
  case PROP_ASYNC:
    g_value_set_boolean(value, self->async);
    break;
  case PROP_QOS:
    g_value_set_boolean(value, self->qos);
    break;
  case PROP_MAX_LATENESS:
    g_value_set_int64(value, self->max_lateness);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    break;
  }
  g_mutex_unlock(&self->lock);
}

static void finalize(GObject *object)
{
  VfDisplaySink *self = VF_DISPLAY_SINK(object);
  g_ptr_array_unref(self->inside);
  g_free(self->factory);
  g_mutex_clear(&self->lock);
  G_OBJECT_CLASS(vf_display_sink_parent_class)->finalize(object);
}

static void vf_display_sink_class_init(VfDisplaySinkClass *klass)
{
  GObjectClass *oclass = G_OBJECT_CLASS(klass);
  GstElementClass *eclass = GST_ELEMENT_CLASS(klass);
  oclass->set_property = set_property;
  oclass->get_property = get_property;
  oclass->finalize = finalize;
  eclass->change_state = change_state;

  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  g_object_class_install_property(
      oclass, PROP_SINK_FACTORY,
      g_param_spec_string("sink-factory", "Sink factory",
                          "Video sink to show the frames with; fakesink drops them (default: none, "
                          "$" VF_DISPLAY_SINK_ENV ", else the sink that opens the display)",
                          NULL, rw));
  g_object_class_install_property(
      oclass, PROP_SYNC,
      g_param_spec_boolean("sync", "Sync", "Show each frame at its time (default: true)", TRUE,
                           rw));
  g_object_class_install_property(
      oclass, PROP_ASYNC,
      g_param_spec_boolean("async", "Async", "Preroll before playing (default: true)", TRUE, rw));
  g_object_class_install_property(
      oclass, PROP_QOS,
      g_param_spec_boolean("qos", "QoS",
                           "Send quality-of-service events upstream (default: the sink's)", FALSE,
                           rw));
  g_object_class_install_property(
      oclass, PROP_MAX_LATENESS,
      g_param_spec_int64("max-lateness", "Max lateness",
                         "Nanoseconds a frame may be late before it is dropped; -1: never "
                         "(default: the sink's)",
                         -1, G_MAXINT64, -1, rw));

  gst_element_class_add_static_pad_template(eclass, &sink_template);
  gst_element_class_set_static_metadata(
      eclass, "vidflow display sink", "Sink/Video",
      "Shows video, or vidflow batches tiled, on the display (DeepStream's nveglglessink and "
      "nv3dsink); the sink is chosen as vf_display_sink_choose() says",
      "vidflow");
  GST_DEBUG_CATEGORY_INIT(vf_display_sink_debug, "vfdisplaysink", 0, "vidflow display sink");
}

static void vf_display_sink_init(VfDisplaySink *self)
{
  g_mutex_init(&self->lock);
  self->sync = TRUE;
  self->async = TRUE;
  self->max_lateness = -1;
  self->inside = g_ptr_array_new_with_free_func(gst_object_unref);
  GstPadTemplate *templ = gst_static_pad_template_get(&sink_template);
  self->sinkpad = gst_ghost_pad_new_no_target_from_template("sink", templ);
  gst_object_unref(templ);
  gst_element_add_pad(GST_ELEMENT(self), self->sinkpad);
  GST_OBJECT_FLAG_SET(self, GST_ELEMENT_FLAG_SINK);
}
