/* vidflow plugin: vftracker, the nvtracker equivalent.
 *
 * SECTION:element-vftracker
 *
 * vftracker follows the objects of each frame over time, after a detector (vfinfer): on batches
 * from vfmux (video/x-raw(meta:VfBatch)) of any number of sources, each source tracked on its
 * own, or on plain video (a one-frame batch meta is added when there is none). It reads the
 * objects without a parent that have a detector box, and writes on those it tracks the object id
 * (unique within the source, never reused), the tracker box and the tracker confidence; the
 * detector box stays (include/vidflow/tracker.h says all it writes). It never maps the pixels, so
 * frames in any memory (memory:CUDAMemory too) pass.
 *
 * Trackers: the built-in iou (greedy IoU, the cheap baseline) and bytetrack (Kalman filter,
 * two-stage association of confident then weak detections, Hungarian assignment), chosen by the
 * algorithm key; or a custom one from a shared library (ll-lib-file, the C ABI of
 * include/vidflow/tracker.h).
 *
 * Configuration: ll-config-file names a YAML file (docs/tracker.md lists every key); every key is
 * also a property of the same name, and a property that is set overrides the file's value.
 * Without a file the defaults are those of bytetrack on 25-30 fps video. The file is read when
 * the element starts (READY to PAUSED); errors name the file and line. With ll-lib-file, the file
 * is the library's (handed to it unread) and only output-shadow-tracks, predict-skipped and
 * predict-lost of the keys apply, as properties.
 *
 * Sources: the state of a source is made on its first frame and freed when vfmux says it ended
 * or was removed (the serialized vf-source-eos / vf-source-removed events, meta.h) and on a flush
 * (every source); ids are never reused even then.
 *
 * Example launch line:
 *   gst-launch-1.0 filesrc location=data/footage/vtest.avi ! decodebin ! mux.sink_0 \
 *     vfmux name=mux ! vfinfer config-file-path=configs/ssd_mobilenet_v2_oid.yaml \
 *     ! vftracker ll-config-file=configs/tracker_bytetrack.yaml ! vfosd display-trails=true \
 *     ! vfdemux name=d  d.src_0 ! queue ! videoconvert ! autovideosink
 */
#include "vftracker.h"

#include "tracker-config.h"
#include "tracker-engine.h"

#include <string.h>
#include <vidflow/meta.h>
#include <vidflow/source.h>
#include <vidflow/tracker.h>

GST_DEBUG_CATEGORY_STATIC(vf_tracker_debug);
#define GST_CAT_DEFAULT vf_tracker_debug

/* Metadata only: any format, any memory. */
#define TRACKER_CAPS "video/x-raw(ANY)"

static GstStaticPadTemplate sink_template
    = GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS(TRACKER_CAPS));
static GstStaticPadTemplate src_template
    = GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(TRACKER_CAPS));

enum {
  PROP_0,
  PROP_LL_CONFIG_FILE,
  PROP_LL_LIB_FILE,
  PROP_STREAMS,
  PROP_FIRST_KEY, /* key i of vf_tracker_config_keys() is PROP_FIRST_KEY + i */
};

struct _VfTrackerElement {
  GstBaseTransform parent;

  /* properties (object lock) */
  char *config_path;
  char *lib_path;
  GValue *values; /* one per key */
  gboolean *set;
  guint n_keys;

  /* from start() to stop() (streaming thread once started) */
  VfTrackerConfig *cfg;
  VfTrackerEngine *engine;
  gboolean shadows, predict;
  guint predict_lost;
  gboolean batched;
  GstVideoInfo info;      /* plain streams */
  char *stream_id;        /* plain streams: the current stream-start's id */
  GArray *dets;           /* VfTrackerDetection */
  GPtrArray *det_objects; /* VfObjectMeta* (no reference: the frame's snapshot holds them) */
  guint n_streams;        /* atomic: sources with a state, for the property */
};

static gpointer vf_tracker_element_parent_class;
static void vf_tracker_element_class_init(VfTrackerElementClass *klass);
static void vf_tracker_element_init(VfTrackerElement *self);

static void vf_tracker_element_class_intern_init(gpointer klass, gpointer data)
{
  (void)data;
  vf_tracker_element_parent_class = g_type_class_peek_parent(klass);
  vf_tracker_element_class_init(klass);
}

/* Registered as "VfTracker" (elements are named vftracker0, ...); the C struct is
 * VfTrackerElement because VfTracker is the custom tracker ABI's struct. */
GType vf_tracker_element_get_type(void)
{
  static gsize type = 0;
  if (g_once_init_enter(&type)) {
    GType t = g_type_register_static_simple(
        GST_TYPE_BASE_TRANSFORM, g_intern_static_string("VfTracker"), sizeof(VfTrackerElementClass),
        vf_tracker_element_class_intern_init, sizeof(VfTrackerElement),
        (GInstanceInitFunc)(void (*)(void))vf_tracker_element_init, 0);
    GST_DEBUG_CATEGORY_INIT(vf_tracker_debug, "vftracker", 0, "vidflow object tracker");
    g_once_init_leave(&type, t);
  }
  return type;
}
GST_ELEMENT_REGISTER_DEFINE(vftracker, "vftracker", GST_RANK_NONE, VF_TYPE_TRACKER);

static GType algorithm_get_type(void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { VF_TRACKER_ALGO_IOU, "Greedy IoU, no motion model", "iou" },
    { VF_TRACKER_ALGO_BYTETRACK, "Kalman filter, two-stage Hungarian association", "bytetrack" },
    { 0, NULL, NULL },
  };
  if (g_once_init_enter(&type))
    g_once_init_leave(&type, g_enum_register_static("VfTrackerAlgorithm", values));
  return type;
}

/* ---- setup ---- */

/* The string vf_tracker_config_set takes for key i's value (transfer full). */
static char *value_to_string(const VfTrackerKey *k, const GValue *v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  switch (k->type) {
  case VF_TRACKER_KEY_ENUM:
    return g_strdup(k->choices[g_value_get_enum(v)]);
  case VF_TRACKER_KEY_DOUBLE:
    return g_strdup(g_ascii_dtostr(buf, sizeof buf, g_value_get_double(v)));
  case VF_TRACKER_KEY_INT:
    return g_strdup_printf("%d", g_value_get_int(v));
  case VF_TRACKER_KEY_BOOL:
    return g_strdup(g_value_get_boolean(v) ? "true" : "false");
  }
  return NULL;
}

static gboolean key_applies_to_library(const char *key)
{
  return g_str_equal(key, "output-shadow-tracks") || g_str_equal(key, "predict-skipped")
         || g_str_equal(key, "predict-lost");
}

/* The config (file, then the properties set) and the engine; FALSE with an element error. */
static gboolean vf_tracker_start(GstBaseTransform *bt)
{
  VfTrackerElement *self = VF_TRACKER(bt);
  const VfTrackerKey *keys = vf_tracker_config_keys(NULL);
  GST_OBJECT_LOCK(self);
  char *config_path = g_strdup(self->config_path), *lib_path = g_strdup(self->lib_path);
  GPtrArray *overrides = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < self->n_keys; i++)
    if (self->set[i]) {
      g_ptr_array_add(overrides, g_strdup(keys[i].name));
      g_ptr_array_add(overrides, value_to_string(&keys[i], &self->values[i]));
    }
  GST_OBJECT_UNLOCK(self);

  GError *err = NULL;
  gboolean library = lib_path && *lib_path;
  VfTrackerConfig *cfg = NULL;
  if (config_path && *config_path && !library)
    cfg = vf_tracker_config_load(config_path, &err);
  else
    cfg = vf_tracker_config_new();
  for (guint i = 0; cfg && i + 1 < overrides->len; i += 2) {
    const char *key = g_ptr_array_index(overrides, i);
    if (library && !key_applies_to_library(key)) {
      GST_ELEMENT_WARNING(self, LIBRARY, SETTINGS,
                          ("vftracker '%s': property '%s' has no effect with ll-lib-file (the "
                           "custom tracker reads its own ll-config-file)",
                           GST_OBJECT_NAME(self), key),
                          (NULL));
      continue;
    }
    if (!vf_tracker_config_set(cfg, key, g_ptr_array_index(overrides, i + 1), &err))
      g_clear_pointer(&cfg, vf_tracker_config_free);
  }
  if (cfg && !vf_tracker_config_validate(cfg, &err))
    g_clear_pointer(&cfg, vf_tracker_config_free);
  VfTrackerEngine *engine = NULL;
  if (cfg)
    engine = library ? vf_tracker_engine_new_from_library(
                 lib_path, config_path && *config_path ? config_path : NULL, &err)
                     : vf_tracker_engine_new(cfg);
  g_ptr_array_unref(overrides);
  if (engine == NULL) {
    if (g_error_matches(err, VF_ERROR, VF_ERROR_NOT_FOUND))
      GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND,
                        ("vftracker '%s': %s", GST_OBJECT_NAME(self), err->message),
                        ("ll-config-file=%s ll-lib-file=%s", config_path ? config_path : "(none)",
                         lib_path ? lib_path : "(none)"));
    else
      GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS,
                        ("vftracker '%s': %s", GST_OBJECT_NAME(self), err->message),
                        ("ll-config-file=%s ll-lib-file=%s", config_path ? config_path : "(none)",
                         lib_path ? lib_path : "(none)"));
    g_clear_error(&err);
    vf_tracker_config_free(cfg);
    g_free(config_path);
    g_free(lib_path);
    return FALSE;
  }
  self->cfg = cfg;
  self->engine = engine;
  self->shadows = cfg->output_shadow_tracks;
  self->predict = cfg->predict_skipped;
  self->predict_lost = (guint)cfg->predict_lost;
  GST_INFO_OBJECT(self, "tracker %s (%s%s)", vf_tracker_engine_get_name(engine),
                  config_path ? config_path : "defaults", library ? ", custom library" : "");
  g_free(config_path);
  g_free(lib_path);
  return TRUE;
}

static gboolean vf_tracker_stop(GstBaseTransform *bt)
{
  VfTrackerElement *self = VF_TRACKER(bt);
  g_clear_pointer(&self->engine, vf_tracker_engine_free);
  g_clear_pointer(&self->cfg, vf_tracker_config_free);
  g_clear_pointer(&self->stream_id, g_free);
  g_atomic_int_set(&self->n_streams, 0);
  return TRUE;
}

static gboolean vf_tracker_set_caps(GstBaseTransform *bt, GstCaps *incaps, GstCaps *outcaps)
{
  (void)outcaps;
  VfTrackerElement *self = VF_TRACKER(bt);
  GstCapsFeatures *f = gst_caps_get_features(incaps, 0);
  self->batched = f && gst_caps_features_contains(f, VF_CAPS_FEATURE_META_BATCH);
  if (!self->batched && !gst_video_info_from_caps(&self->info, incaps)) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                      ("vftracker '%s': caps %" GST_PTR_FORMAT " are not raw video: put it after "
                       "vfinfer (or vfmux)",
                       GST_OBJECT_NAME(self), incaps),
                      (NULL));
    return FALSE;
  }
  return TRUE;
}

/* ---- per frame ---- */

static gpointer copy_info(gconstpointer data)
{
  return g_memdup2(data, sizeof(VfTrackerObjectInfo));
}

static gpointer copy_shadows(gconstpointer data)
{
  const VfTrackerShadowList *l = data;
  return g_memdup2(l, sizeof *l + l->n_shadows * sizeof(VfTrackerShadow));
}

/* A predicted object for a confirmed track on a frame the detector skipped. */
static void add_predicted(VfFrameMeta *frame, const VfTrackerTrack *t)
{
  VfObjectMeta *o = vf_object_meta_new();
  VfRect box = { t->left, t->top, t->width, t->height };
  vf_object_meta_set_class_id(o, t->class_id);
  vf_object_meta_set_label(o, t->label);
  vf_object_meta_set_component_id(o, t->component_id);
  vf_object_meta_set_object_id(o, t->id);
  vf_object_meta_set_tracker_bbox(o, &box);
  vf_object_meta_set_tracker_confidence(o, t->confidence);
  VfTrackerObjectInfo info = { t->state, t->age, t->misses };
  vf_object_meta_add_user_meta(o, VF_TRACKER_META_PREDICTED, g_memdup2(&info, sizeof info),
                               copy_info, g_free);
  vf_frame_meta_add_object(frame, o);
  vf_object_meta_unref(o);
}

/* TRUE when the frame has user meta of `type` (whatever its data, NULL included). */
static gboolean has_user_meta(VfFrameMeta *frame, const char *type)
{
  guint n = vf_frame_meta_get_n_user_meta(frame);
  for (guint i = 0; i < n; i++) {
    const char *t = NULL;
    vf_frame_meta_get_nth_user_meta(frame, i, &t);
    if (g_strcmp0(t, type) == 0)
      return TRUE;
  }
  return FALSE;
}

static gboolean track_frame(VfTrackerElement *self, VfFrameMeta *frame)
{
  const GstVideoInfo *vinfo = vf_frame_meta_get_video_info(frame);
  GstClockTime pts = vf_frame_meta_get_pts(frame);
  VfTrackerFrame tf = {
    .source_id = vf_frame_meta_get_source_id(frame),
    .frame_number = vf_frame_meta_get_frame_number(frame),
    .pts = GST_CLOCK_TIME_IS_VALID(pts) ? (gint64)pts : -1,
    .width = (guint32)GST_VIDEO_INFO_WIDTH(vinfo),
    .height = (guint32)GST_VIDEO_INFO_HEIGHT(vinfo),
    .detected = !has_user_meta(frame, VF_FRAME_META_INFER_SKIPPED),
  };
  /* ids and tracker boxes go onto these objects: this batch's own, not those copies share */
  vf_frame_meta_make_objects_writable(frame);
  GPtrArray *objects = vf_frame_meta_get_objects(frame);
  g_array_set_size(self->dets, 0);
  g_ptr_array_set_size(self->det_objects, 0);
  for (guint i = 0; i < objects->len; i++) {
    VfObjectMeta *o = g_ptr_array_index(objects, i);
    VfObjectMeta *parent = vf_object_meta_get_parent(o);
    if (parent) {
      vf_object_meta_unref(parent);
      continue;
    }
    VfRect r;
    vf_object_meta_get_detector_bbox(o, &r);
    if (!(r.width > 0 && r.height > 0)) /* predicted by an earlier tracker, or no box */
      continue;
    VfTrackerDetection d = {
      .left = r.left,
      .top = r.top,
      .width = r.width,
      .height = r.height,
      .confidence = vf_object_meta_get_confidence(o),
      .class_id = vf_object_meta_get_class_id(o),
      .label = vf_object_meta_get_label(o),
      .component_id = vf_object_meta_get_component_id(o),
    };
    g_array_append_val(self->dets, d);
    g_ptr_array_add(self->det_objects, o);
  }
  const VfTrackerTrack *tracks = NULL;
  guint n = 0;
  GError *err = NULL;
  gboolean ok = vf_tracker_engine_process(self->engine, &tf,
                                          (const VfTrackerDetection *)(gpointer)self->dets->data,
                                          self->dets->len, &tracks, &n, &err);
  g_atomic_int_set(&self->n_streams, vf_tracker_engine_get_n_streams(self->engine));
  if (!ok) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED,
                      ("vftracker '%s': %s", GST_OBJECT_NAME(self), err->message), (NULL));
    g_error_free(err);
    g_ptr_array_unref(objects);
    return FALSE;
  }
  guint n_shadows = 0;
  for (guint i = 0; i < n; i++) {
    const VfTrackerTrack *t = &tracks[i];
    if (t->state == VF_TRACK_CONFIRMED && t->detection >= 0) {
      VfObjectMeta *o = g_ptr_array_index(self->det_objects, t->detection);
      VfRect box = { t->left, t->top, t->width, t->height };
      vf_object_meta_set_object_id(o, t->id);
      vf_object_meta_set_tracker_bbox(o, &box);
      vf_object_meta_set_tracker_confidence(o, t->confidence);
    } else if (t->state == VF_TRACK_CONFIRMED && !tf.detected && self->predict) {
      add_predicted(frame, t);
    } else if (t->state == VF_TRACK_LOST && t->misses <= self->predict_lost) {
      add_predicted(frame, t);
    } else if (t->state == VF_TRACK_LOST) {
      n_shadows++;
    }
  }
  if (self->shadows) {
    VfTrackerShadowList *list = g_malloc0(sizeof *list + n_shadows * sizeof(VfTrackerShadow));
    for (guint i = 0; i < n; i++) {
      const VfTrackerTrack *t = &tracks[i];
      if (t->state == VF_TRACK_LOST && t->misses > self->predict_lost)
        list->shadows[list->n_shadows++] = (VfTrackerShadow){
          t->id, t->class_id, t->left, t->top, t->width, t->height, t->confidence, t->misses,
        };
    }
    vf_frame_meta_add_user_meta(frame, VF_TRACKER_META_SHADOWS, list, copy_shadows, g_free);
  }
  g_ptr_array_unref(objects);
  return TRUE;
}

static GstFlowReturn vf_tracker_transform_ip(GstBaseTransform *bt, GstBuffer *buf)
{
  VfTrackerElement *self = VF_TRACKER(bt);
  if (self->engine == NULL)
    return GST_FLOW_NOT_NEGOTIATED;
  VfBatchMeta *meta = vf_batch_meta_get(buf);
  if (meta == NULL && !self->batched)
    meta = vf_batch_meta_add_single(buf, &self->info);
  if (meta == NULL) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("vftracker '%s' got a batched buffer without batch metadata: put vfmux "
                       "upstream",
                       GST_OBJECT_NAME(self)),
                      (NULL));
    return GST_FLOW_ERROR;
  }
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++)
    if (!track_frame(self, vf_batch_meta_get_frame(meta, i)))
      return GST_FLOW_ERROR;
  return GST_FLOW_OK;
}

/* ---- events ---- */

static void forget_source(VfTrackerElement *self, guint source_id, const char *why)
{
  if (self->engine && vf_tracker_engine_remove_source(self->engine, source_id))
    GST_DEBUG_OBJECT(self, "source %u %s: its tracks are gone", source_id, why);
  if (self->engine)
    g_atomic_int_set(&self->n_streams, vf_tracker_engine_get_n_streams(self->engine));
}

static gboolean vf_tracker_sink_event(GstBaseTransform *bt, GstEvent *event)
{
  VfTrackerElement *self = VF_TRACKER(bt);
  guint source_id;
  switch (GST_EVENT_TYPE(event)) {
  case GST_EVENT_CUSTOM_DOWNSTREAM:
    if (vf_source_event_is_end(event, &source_id))
      forget_source(self, source_id,
                    gst_event_has_name(event, VF_SOURCE_EOS) ? "ended" : "was removed");
    break;
  case GST_EVENT_FLUSH_STOP:
    if (self->engine) {
      vf_tracker_engine_reset(self->engine);
      g_atomic_int_set(&self->n_streams, 0);
      GST_DEBUG_OBJECT(self, "flush: every source's tracks are gone");
    }
    break;
  case GST_EVENT_STREAM_START: {
    /* plain video: a new stream (not a repeat of the current one) starts afresh */
    const char *id = NULL;
    gst_event_parse_stream_start(event, &id);
    if (!self->batched && self->stream_id && g_strcmp0(id, self->stream_id) != 0 && self->engine)
      forget_source(self, 0, "started a new stream");
    g_free(self->stream_id);
    self->stream_id = g_strdup(id);
    break;
  }
  default:
    break;
  }
  return GST_BASE_TRANSFORM_CLASS(vf_tracker_element_parent_class)->sink_event(bt, event);
}

/* ---- properties ---- */

static void vf_tracker_set_property(GObject *object, guint id, const GValue *value,
                                    GParamSpec *pspec)
{
  VfTrackerElement *self = VF_TRACKER(object);
  GST_OBJECT_LOCK(self);
  if (id == PROP_LL_CONFIG_FILE) {
    g_free(self->config_path);
    self->config_path = g_value_dup_string(value);
  } else if (id == PROP_LL_LIB_FILE) {
    g_free(self->lib_path);
    self->lib_path = g_value_dup_string(value);
  } else if (id >= PROP_FIRST_KEY && id < PROP_FIRST_KEY + self->n_keys) {
    guint i = id - PROP_FIRST_KEY;
    g_value_copy(value, g_value_reset(&self->values[i]));
    self->set[i] = TRUE;
  } else {
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
  GST_OBJECT_UNLOCK(self);
}

static void vf_tracker_get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  VfTrackerElement *self = VF_TRACKER(object);
  if (id == PROP_STREAMS) {
    g_value_set_uint(value, (guint)g_atomic_int_get(&self->n_streams));
    return;
  }
  GST_OBJECT_LOCK(self);
  if (id == PROP_LL_CONFIG_FILE)
    g_value_set_string(value, self->config_path);
  else if (id == PROP_LL_LIB_FILE)
    g_value_set_string(value, self->lib_path);
  else if (id >= PROP_FIRST_KEY && id < PROP_FIRST_KEY + self->n_keys)
    g_value_copy(&self->values[id - PROP_FIRST_KEY], value);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  GST_OBJECT_UNLOCK(self);
}

static void vf_tracker_finalize(GObject *object)
{
  VfTrackerElement *self = VF_TRACKER(object);
  vf_tracker_stop(GST_BASE_TRANSFORM(self));
  for (guint i = 0; i < self->n_keys; i++)
    g_value_unset(&self->values[i]);
  g_free(self->values);
  g_free(self->set);
  g_array_unref(self->dets);
  g_ptr_array_unref(self->det_objects);
  g_free(self->config_path);
  g_free(self->lib_path);
  G_OBJECT_CLASS(vf_tracker_element_parent_class)->finalize(object);
}

static GParamSpec *key_pspec(const VfTrackerKey *k)
{
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;
  char *blurb = g_strconcat(k->blurb, ". Overrides the ll-config-file key of the same name", NULL);
  const char *b = g_intern_string(blurb); /* param specs keep it for the process's life */
  g_free(blurb);
  switch (k->type) {
  case VF_TRACKER_KEY_ENUM:
    return g_param_spec_enum(k->name, k->name, b, algorithm_get_type(), (gint)k->def, flags);
  case VF_TRACKER_KEY_DOUBLE:
    return g_param_spec_double(k->name, k->name, b, k->min, k->max, k->def, flags);
  case VF_TRACKER_KEY_INT:
    return g_param_spec_int(k->name, k->name, b, (gint)k->min, (gint)k->max, (gint)k->def, flags);
  case VF_TRACKER_KEY_BOOL:
    return g_param_spec_boolean(k->name, k->name, b, k->def != 0, flags);
  }
  return NULL;
}

static void vf_tracker_element_class_init(VfTrackerElementClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  GstBaseTransformClass *bt_class = GST_BASE_TRANSFORM_CLASS(klass);
  gobject_class->set_property = vf_tracker_set_property;
  gobject_class->get_property = vf_tracker_get_property;
  gobject_class->finalize = vf_tracker_finalize;

  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;
  g_object_class_install_property(
      gobject_class, PROP_LL_CONFIG_FILE,
      g_param_spec_string("ll-config-file", "Tracker config file",
                          "vftracker YAML config (docs/tracker.md); properties set on the element "
                          "override its keys. With ll-lib-file: the custom tracker's own config, "
                          "handed to it (default: none, the defaults)",
                          NULL, rw));
  g_object_class_install_property(
      gobject_class, PROP_LL_LIB_FILE,
      g_param_spec_string("ll-lib-file", "Custom tracker library",
                          "Shared library implementing include/vidflow/tracker.h "
                          "(vf_tracker_v1), used instead of the built-in trackers (default: "
                          "none, the built-in tracker of the algorithm key)",
                          NULL, rw));
  g_object_class_install_property(
      gobject_class, PROP_STREAMS,
      g_param_spec_uint("streams", "Streams",
                        "Sources whose tracks are kept now (read-only; default: 0)", 0, G_MAXUINT,
                        0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  guint n_keys;
  const VfTrackerKey *keys = vf_tracker_config_keys(&n_keys);
  for (guint i = 0; i < n_keys; i++)
    g_object_class_install_property(gobject_class, PROP_FIRST_KEY + i, key_pspec(&keys[i]));

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(
      element_class, "vidflow object tracker", "Filter/Analyzer/Video",
      "Tracks the objects of batched or plain frames over time: object ids, tracker boxes "
      "(greedy IoU, ByteTrack, or a custom tracker library)",
      "vidflow");
  bt_class->start = GST_DEBUG_FUNCPTR(vf_tracker_start);
  bt_class->stop = GST_DEBUG_FUNCPTR(vf_tracker_stop);
  bt_class->set_caps = GST_DEBUG_FUNCPTR(vf_tracker_set_caps);
  bt_class->sink_event = GST_DEBUG_FUNCPTR(vf_tracker_sink_event);
  bt_class->transform_ip = GST_DEBUG_FUNCPTR(vf_tracker_transform_ip);
  bt_class->passthrough_on_same_caps = FALSE;
  bt_class->transform_ip_on_passthrough = FALSE;
  gst_type_mark_as_plugin_api(algorithm_get_type(), 0);
}

static void vf_tracker_element_init(VfTrackerElement *self)
{
  gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
  self->dets = g_array_new(FALSE, FALSE, sizeof(VfTrackerDetection));
  self->det_objects = g_ptr_array_new();
  const VfTrackerKey *keys = vf_tracker_config_keys(&self->n_keys);
  self->values = g_new0(GValue, self->n_keys);
  self->set = g_new0(gboolean, self->n_keys);
  GObjectClass *klass = G_OBJECT_GET_CLASS(self);
  for (guint i = 0; i < self->n_keys; i++) {
    GParamSpec *p = g_object_class_find_property(klass, keys[i].name);
    g_value_init(&self->values[i], G_PARAM_SPEC_VALUE_TYPE(p));
    g_param_value_set_default(p, &self->values[i]);
  }
}
