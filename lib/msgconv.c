/* vidflow: the message converter (vidflow/message.h): which frames and objects become messages
 * (the frequency, per source), and the schemas that write them: DeepStream's full and minimal
 * schemas, vidflow's compact one, or a payload generator from a plugin. */
#include "custom-private.h"
#include "msgconv-private.h"

#include <string.h>

/* DeepStream's schema versions, as its consumers expect them. */
#define FULL_SCHEMA_VERSION "1.0"
#define MINIMAL_SCHEMA_VERSION "4.0"
/* How often (in frames of a source) forgotten tracks are swept out. */
#define TRACK_SWEEP_FRAMES (VF_MSG_TRACK_MEMORY_FRAMES / 4)

typedef struct {
  guint64 id; /* first: the key of g_int64_hash */
  guint64 last_frame;
} Track;

typedef struct {
  gint class_id;
  guint64 object_id;
} ObjectKey;

typedef struct {
  GHashTable *tracks; /* Track* set (NEW_TRACK) */
  GArray *signature;  /* ObjectKey of the previous frame, sorted (ON_CHANGE) */
  gboolean have_signature;
  guint64 sweep_countdown;
} SourceState;

struct _VfMsgConv {
  VfPayloadSchema schema;
  MsgConvConfig *config;
  VfMsgFrequency frequency;
  guint interval;
  VfMsgInput input;
  VfPayloadCallbacks custom;
  gpointer custom_data;
  GHashTable *sources; /* source id -> SourceState* */
  VfJsonWriter *writer;
};

/* What a message is about: an event (with or without an object) or a bare object. */
typedef struct {
  VfObjectMeta *object; /* nullable */
  VfEvent *event;       /* nullable */
} Item;

/* Kinds of objects DeepStream's full schema has a sub-object for. */
typedef enum {
  KIND_OTHER,
  KIND_VEHICLE,
  KIND_PERSON,
  KIND_FACE,
} ObjectKind;

static ObjectKind object_kind(const char *label)
{
  static const char *const vehicles[] = { "car",  "vehicle",    "truck",     "bus",   "van",
                                          "taxi", "motorcycle", "motorbike", "lorry", NULL };
  static const char *const people[]
      = { "person", "man", "woman", "boy", "girl", "pedestrian", "human", NULL };
  static const char *const faces[] = { "face", "human face", NULL };
  const struct {
    const char *const *names;
    ObjectKind kind;
  } table[] = { { vehicles, KIND_VEHICLE }, { people, KIND_PERSON }, { faces, KIND_FACE } };
  if (label == NULL)
    return KIND_OTHER;
  for (guint t = 0; t < G_N_ELEMENTS(table); t++)
    for (guint i = 0; table[t].names[i]; i++)
      if (g_ascii_strcasecmp(label, table[t].names[i]) == 0)
        return table[t].kind;
  return KIND_OTHER;
}

gboolean vf_msgconv_is_vehicle(const char *label)
{
  return object_kind(label) == KIND_VEHICLE;
}

static void source_state_free(SourceState *s)
{
  g_hash_table_unref(s->tracks);
  g_array_unref(s->signature);
  g_free(s);
}

static VfMsgConv *conv_new(VfPayloadSchema schema, const char *config, GError **error)
{
  MsgConvConfig *c = NULL;
  if (config && *config) {
    c = vf_msgconv_config_load(config, error);
    if (c == NULL)
      return NULL;
  }
  VfMsgConv *conv = g_new0(VfMsgConv, 1);
  conv->schema = schema;
  conv->config = c;
  conv->interval = 1;
  conv->sources = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)source_state_free);
  conv->writer = vf_json_writer_new();
  return conv;
}

VfMsgConv *vf_msgconv_new(VfPayloadSchema schema, const char *config, GError **error)
{
  if (schema != VF_PAYLOAD_DEEPSTREAM && schema != VF_PAYLOAD_DEEPSTREAM_MINIMAL
      && schema != VF_PAYLOAD_VIDFLOW) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                schema == VF_PAYLOAD_CUSTOM
                    ? "payload type custom needs a payload generator (plugin.name): use "
                      "vf_msgconv_new_custom, or vfmsgconv's payload-generator property"
                    : "unknown payload type %d: use 0 (deepstream), 1 (deepstream-minimal), 2 "
                      "(vidflow) or 257 (custom)",
                (int)schema);
    return NULL;
  }
  return conv_new(schema, config, error);
}

VfMsgConv *vf_msgconv_new_custom(const char *generator, const char *const *params,
                                 const char *config, GError **error)
{
  VfPayloadCallbacks cb;
  gpointer data;
  if (generator == NULL || *generator == '\0') {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "payload type custom needs a payload generator: name it as plugin.name (vidflow "
                "objects lists them)");
    return NULL;
  }
  if (!vf_custom_payload_new(generator, NULL, params, &cb, &data, error))
    return NULL;
  VfMsgConv *conv = conv_new(VF_PAYLOAD_CUSTOM, config, error);
  if (conv == NULL) {
    if (cb.destroy)
      cb.destroy(data);
    return NULL;
  }
  conv->custom = cb;
  conv->custom_data = data;
  return conv;
}

void vf_msgconv_free(VfMsgConv *conv)
{
  if (conv == NULL)
    return;
  if (conv->custom.destroy)
    conv->custom.destroy(conv->custom_data);
  vf_msgconv_config_free(conv->config);
  g_hash_table_unref(conv->sources);
  vf_json_writer_free(conv->writer);
  g_free(conv);
}

gboolean vf_msgconv_set_frequency(VfMsgConv *conv, VfMsgFrequency frequency, guint interval,
                                  GError **error)
{
  if (conv == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "no message converter given");
    return FALSE;
  }
  if (frequency > VF_MSG_NEW_TRACK) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "unknown message frequency %d: every-frame, every-n-frames, on-change or "
                "new-track",
                (int)frequency);
    return FALSE;
  }
  if (frequency == VF_MSG_EVERY_N_FRAMES && interval == 0) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "every-n-frames needs a frame interval of at least 1 (frame-interval)");
    return FALSE;
  }
  conv->frequency = frequency;
  conv->interval = MAX(interval, 1);
  g_hash_table_remove_all(conv->sources);
  return TRUE;
}

void vf_msgconv_set_input(VfMsgConv *conv, VfMsgInput input)
{
  if (conv && input <= VF_MSG_INPUT_OBJECTS)
    conv->input = input;
}

void vf_msgconv_end_source(VfMsgConv *conv, guint source_id)
{
  if (conv)
    g_hash_table_remove(conv->sources, GUINT_TO_POINTER(source_id));
}

guint vf_msgconv_get_n_sources(VfMsgConv *conv)
{
  return conv ? g_hash_table_size(conv->sources) : 0;
}

/* ---- selection ---- */

static SourceState *source_state(VfMsgConv *conv, guint source_id)
{
  SourceState *s = g_hash_table_lookup(conv->sources, GUINT_TO_POINTER(source_id));
  if (s == NULL) {
    s = g_new0(SourceState, 1);
    s->tracks = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    s->signature = g_array_new(FALSE, FALSE, sizeof(ObjectKey));
    s->sweep_countdown = TRACK_SWEEP_FRAMES;
    g_hash_table_insert(conv->sources, GUINT_TO_POINTER(source_id), s);
  }
  return s;
}

static gint compare_keys(gconstpointer a, gconstpointer b)
{
  const ObjectKey *x = a, *y = b;
  if (x->class_id != y->class_id)
    return x->class_id < y->class_id ? -1 : 1;
  return x->object_id < y->object_id ? -1 : x->object_id > y->object_id;
}

/* ON_CHANGE: did the frame's objects change since the previous frame of the source? */
static gboolean objects_changed(SourceState *s, GPtrArray *objects)
{
  GArray *sig = g_array_sized_new(FALSE, FALSE, sizeof(ObjectKey), objects->len);
  for (guint i = 0; i < objects->len; i++) {
    VfObjectMeta *o = objects->pdata[i];
    ObjectKey k = { vf_object_meta_get_class_id(o), vf_object_meta_get_object_id(o) };
    g_array_append_val(sig, k);
  }
  g_array_sort(sig, compare_keys);
  gboolean changed = !s->have_signature || sig->len != s->signature->len
                     || memcmp(sig->data, s->signature->data, sig->len * sizeof(ObjectKey)) != 0;
  g_array_unref(s->signature);
  s->signature = sig;
  s->have_signature = TRUE;
  return changed;
}

static gboolean forgotten(gpointer key, gpointer value, gpointer frame)
{
  (void)value;
  const Track *t = key;
  return *(const guint64 *)frame - t->last_frame > VF_MSG_TRACK_MEMORY_FRAMES;
}

/* NEW_TRACK: remembers the frame's track ids; returns a set (pointer-keyed by object) of the
 * objects whose ids are new, or NULL when there are none. */
static GHashTable *new_tracks(SourceState *s, GPtrArray *objects, guint64 frame_number)
{
  GHashTable *fresh = NULL;
  for (guint i = 0; i < objects->len; i++) {
    VfObjectMeta *o = objects->pdata[i];
    guint64 id = vf_object_meta_get_object_id(o);
    if (id == VF_OBJECT_UNTRACKED)
      continue;
    Track *t = g_hash_table_lookup(s->tracks, &id);
    if (t == NULL) {
      t = g_new(Track, 1);
      t->id = id;
      g_hash_table_add(s->tracks, t);
      if (fresh == NULL)
        fresh = g_hash_table_new(g_int64_hash, g_int64_equal);
      g_hash_table_add(fresh, &t->id);
    }
    t->last_frame = frame_number;
  }
  if (--s->sweep_countdown == 0) {
    s->sweep_countdown = TRACK_SWEEP_FRAMES;
    g_hash_table_foreach_remove(s->tracks, forgotten, &frame_number);
  }
  return fresh;
}

static gboolean is_fresh(GHashTable *fresh, VfObjectMeta *o)
{
  guint64 id = o ? vf_object_meta_get_object_id(o) : VF_OBJECT_UNTRACKED;
  return fresh && id != VF_OBJECT_UNTRACKED && g_hash_table_contains(fresh, &id);
}

/* ---- writing ---- */

/* RFC 3339 UTC with milliseconds, as DeepStream writes @timestamp (transfer full). */
static char *timestamp_now(void)
{
  gint64 us = g_get_real_time();
  GDateTime *t = g_date_time_new_from_unix_utc(us / G_USEC_PER_SEC);
  char *date = g_date_time_format(t, "%Y-%m-%dT%H:%M:%S");
  char *out = g_strdup_printf("%s.%03dZ", date, (int)(us % G_USEC_PER_SEC / 1000));
  g_free(date);
  g_date_time_unref(t);
  return out;
}

/* The box a message reports, in the source's original pixels: the tracker's when tracked. */
static void object_box(VfFrameMeta *frame, VfObjectMeta *o, VfRect *out)
{
  VfRect r;
  vf_object_meta_get_tracker_bbox(o, &r);
  if (vf_object_meta_get_object_id(o) == VF_OBJECT_UNTRACKED || r.width <= 0 || r.height <= 0)
    vf_object_meta_get_detector_bbox(o, &r);
  if (!vf_frame_meta_to_original(frame, &r, out))
    *out = r;
}

static void write_triple(VfJsonWriter *w, const char *key, const char *const names[3],
                         const gdouble v[3])
{
  vf_json_writer_key(w, key);
  vf_json_writer_begin_object(w);
  for (guint i = 0; i < 3; i++)
    vf_json_writer_member_double(w, names[i], v[i]);
  vf_json_writer_end_object(w);
}

static const char *const LAT_LON_ALT[3] = { "lat", "lon", "alt" };
static const char *const XYZ[3] = { "x", "y", "z" };
static const gdouble ZEROS[3] = { 0, 0, 0 };

static void write_classifications(VfJsonWriter *w, VfObjectMeta *o)
{
  guint n = vf_object_meta_get_n_classifications(o);
  if (n == 0)
    return;
  vf_json_writer_key(w, "classifications");
  vf_json_writer_begin_array(w);
  for (guint i = 0; i < n; i++) {
    VfClassification c;
    vf_object_meta_get_classification(o, i, &c);
    vf_json_writer_begin_object(w);
    vf_json_writer_member_int(w, "component", c.component_id);
    vf_json_writer_member_int(w, "class_id", c.class_id);
    vf_json_writer_member_string(w, "label", c.label);
    vf_json_writer_member_float(w, "confidence", c.confidence);
    vf_json_writer_end_object(w);
  }
  vf_json_writer_end_array(w);
}

/* (transfer none, nullable) the sensor id of a frame: the config's or the frame's (a source
 * list's). */
static const char *known_sensor_id(const VfMsgConv *conv, VfFrameMeta *frame)
{
  const MsgSensor *s
      = vf_msgconv_config_sensor(conv->config, (gint)vf_frame_meta_get_source_id(frame));
  return s && *s->id ? s->id : vf_frame_meta_get_sensor_id(frame);
}

static void write_compact(VfJsonWriter *w, VfFrameMeta *frame, const char *sensor,
                          GPtrArray *objects, const char *ts)
{
  GstClockTime pts = vf_frame_meta_get_pts(frame);
  vf_json_writer_begin_object(w);
  vf_json_writer_member_uint(w, "source", vf_frame_meta_get_source_id(frame));
  if (sensor)
    vf_json_writer_member_string(w, "sensor", sensor);
  vf_json_writer_member_uint(w, "frame", vf_frame_meta_get_frame_number(frame));
  vf_json_writer_key(w, "pts");
  if (GST_CLOCK_TIME_IS_VALID(pts))
    vf_json_writer_double(w, pts / (gdouble)GST_SECOND);
  else
    vf_json_writer_null(w);
  vf_json_writer_member_string(w, "timestamp", ts);
  vf_json_writer_member_uint(w, "width", vf_frame_meta_get_original_width(frame));
  vf_json_writer_member_uint(w, "height", vf_frame_meta_get_original_height(frame));
  vf_json_writer_key(w, "objects");
  vf_json_writer_begin_array(w);
  for (guint i = 0; i < objects->len; i++) {
    VfObjectMeta *o = objects->pdata[i];
    VfRect r;
    object_box(frame, o, &r);
    vf_json_writer_begin_object(w);
    guint64 id = vf_object_meta_get_object_id(o);
    if (id != VF_OBJECT_UNTRACKED)
      vf_json_writer_member_uint(w, "id", id);
    vf_json_writer_member_int(w, "class_id", vf_object_meta_get_class_id(o));
    vf_json_writer_member_string(w, "label", vf_object_meta_get_label(o));
    vf_json_writer_member_float(w, "confidence", vf_object_meta_get_confidence(o));
    vf_json_writer_key(w, "bbox");
    vf_json_writer_begin_array(w);
    vf_json_writer_float(w, r.left);
    vf_json_writer_float(w, r.top);
    vf_json_writer_float(w, r.width);
    vf_json_writer_float(w, r.height);
    vf_json_writer_end_array(w);
    write_classifications(w, o);
    vf_json_writer_end_object(w);
  }
  vf_json_writer_end_array(w);
  vf_json_writer_end_object(w);
}

void vf_msgconv_write_frame(VfJsonWriter *writer, VfFrameMeta *frame, GPtrArray *objects)
{
  if (writer == NULL || frame == NULL)
    return;
  GPtrArray *all = objects ? NULL : vf_frame_meta_get_objects(frame);
  char *ts = timestamp_now();
  write_compact(writer, frame, vf_frame_meta_get_sensor_id(frame), objects ? objects : all, ts);
  g_free(ts);
  if (all)
    g_ptr_array_unref(all);
}

/* The place sub-object's name and its three fields, as DeepStream names them per event. */
static void write_place_sub(VfJsonWriter *w, const MsgPlace *p, const char *event_type,
                            ObjectKind kind)
{
  static const char *const aisle[] = { "aisle", "id", "name", "level" };
  static const char *const spot[] = { "parkingSpot", "id", "type", "level" };
  static const char *const entrance[] = { "entrance", "name", "lane", "level" };
  static const char *const generic[] = { "place-sub-field", "id", "name", "level" };
  const char *const *names = generic;
  if (g_str_equal(event_type, "moving") || g_str_equal(event_type, "stopped"))
    names = aisle;
  else if (g_str_equal(event_type, "empty") || g_str_equal(event_type, "parked"))
    names = spot;
  else if (g_str_equal(event_type, "entry") || g_str_equal(event_type, "exit"))
    names = kind == KIND_VEHICLE ? aisle : entrance;
  vf_json_writer_key(w, names[0]);
  vf_json_writer_begin_object(w);
  for (guint i = 0; i < 3; i++)
    vf_json_writer_member_string(w, names[i + 1], p ? p->sub_field[i] : "");
  write_triple(w, "coordinate", XYZ, p ? p->coordinate : ZEROS);
  vf_json_writer_end_object(w);
}

/* The object's type-specific sub-object (DeepStream's vehicle / person / face; other labels
 * get one named after the label). */
static void write_kind(VfJsonWriter *w, VfObjectMeta *o, ObjectKind kind)
{
  static const char *const vehicle[]
      = { "type", "make", "model", "color", "licenseState", "license", NULL };
  static const char *const person[] = { "gender", "hair", "cap", "apparel", NULL };
  static const char *const face[]
      = { "gender", "hair", "cap", "glasses", "facialhair", "name", "eyecolor", NULL };
  const char *label = vf_object_meta_get_label(o);
  const char *const *fields = NULL;
  switch (kind) {
  case KIND_VEHICLE:
    vf_json_writer_key(w, "vehicle");
    fields = vehicle;
    break;
  case KIND_PERSON:
    vf_json_writer_key(w, "person");
    fields = person;
    break;
  case KIND_FACE:
    vf_json_writer_key(w, "face");
    fields = face;
    break;
  case KIND_OTHER:
    vf_json_writer_key(w, label ? label : "unknown");
    break;
  }
  vf_json_writer_begin_object(w);
  if (kind == KIND_PERSON || kind == KIND_FACE)
    vf_json_writer_member_int(w, "age", 0);
  for (guint i = 0; fields && fields[i]; i++)
    vf_json_writer_member_string(w, fields[i], "");
  vf_json_writer_member_float(w, "confidence", vf_object_meta_get_confidence(o));
  vf_json_writer_end_object(w);
}

static gint id_or_source(gint id, guint source)
{
  return id == VF_EVENT_ID_FROM_SOURCE ? (gint)source : id;
}

static void write_full(VfMsgConv *conv, VfJsonWriter *w, VfFrameMeta *frame, const Item *item,
                       const char *sensor_id, const char *ts, const char *default_event)
{
  guint source = vf_frame_meta_get_source_id(frame);
  VfEvent *e = item->event;
  VfObjectMeta *o = item->object;
  const MsgSensor *sensor = vf_msgconv_config_sensor(conv->config, (gint)source);
  const MsgPlace *place
      = vf_msgconv_config_place(conv->config, id_or_source(vf_event_get_place_id(e), source));
  const MsgModule *module
      = vf_msgconv_config_module(conv->config, id_or_source(vf_event_get_module_id(e), source));
  const char *event_type = e ? vf_event_get_type_name(e) : default_event;
  ObjectKind kind = o ? object_kind(vf_object_meta_get_label(o)) : KIND_OTHER;
  char *message_id = g_uuid_string_random(), *event_id = g_uuid_string_random();

  vf_json_writer_begin_object(w);
  vf_json_writer_member_string(w, "messageid", message_id);
  vf_json_writer_member_string(w, "mdsversion", FULL_SCHEMA_VERSION);
  vf_json_writer_member_string(w, "@timestamp", ts);

  vf_json_writer_key(w, "place");
  vf_json_writer_begin_object(w);
  vf_json_writer_member_string(w, "id", place ? place->id : "");
  vf_json_writer_member_string(w, "name", place ? place->name : "");
  vf_json_writer_member_string(w, "type", place ? place->type : "");
  write_triple(w, "location", LAT_LON_ALT, place ? place->location : ZEROS);
  write_place_sub(w, place, event_type, kind);
  vf_json_writer_end_object(w);

  vf_json_writer_key(w, "sensor");
  vf_json_writer_begin_object(w);
  vf_json_writer_member_string(w, "id",
                               vf_event_get_sensor_id(e) ? vf_event_get_sensor_id(e) : sensor_id);
  vf_json_writer_member_string(w, "type", sensor ? sensor->type : "");
  vf_json_writer_member_string(
      w, "description",
      sensor ? sensor->description
             : (vf_frame_meta_get_sensor_name(frame) ? vf_frame_meta_get_sensor_name(frame) : ""));
  write_triple(w, "location", LAT_LON_ALT, sensor ? sensor->location : ZEROS);
  write_triple(w, "coordinate", XYZ, sensor ? sensor->coordinate : ZEROS);
  vf_json_writer_end_object(w);

  vf_json_writer_key(w, "analyticsModule");
  vf_json_writer_begin_object(w);
  vf_json_writer_member_string(w, "id", module ? module->id : "");
  vf_json_writer_member_string(w, "description", module ? module->description : "");
  vf_json_writer_member_string(w, "source", module ? module->source : "");
  vf_json_writer_member_string(w, "version", module ? module->version : "");
  vf_json_writer_end_object(w);

  vf_json_writer_key(w, "object");
  vf_json_writer_begin_object(w);
  if (o) {
    char id[24];
    g_snprintf(id, sizeof id, "%" G_GUINT64_FORMAT, vf_object_meta_get_object_id(o));
    VfRect r;
    object_box(frame, o, &r);
    vf_json_writer_member_string(w, "id", id);
    vf_json_writer_member_double(w, "speed", 0);
    vf_json_writer_member_double(w, "direction", 0);
    vf_json_writer_member_double(w, "orientation", 0);
    write_kind(w, o, kind);
    vf_json_writer_key(w, "bbox");
    vf_json_writer_begin_object(w);
    vf_json_writer_member_int(w, "topleftx", (gint64)r.left);
    vf_json_writer_member_int(w, "toplefty", (gint64)r.top);
    vf_json_writer_member_int(w, "bottomrightx", (gint64)(r.left + r.width));
    vf_json_writer_member_int(w, "bottomrighty", (gint64)(r.top + r.height));
    vf_json_writer_end_object(w);
    write_triple(w, "location", LAT_LON_ALT, ZEROS);
    write_triple(w, "coordinate", XYZ, ZEROS);
    write_classifications(w, o);
  }
  vf_json_writer_end_object(w);

  vf_json_writer_key(w, "event");
  vf_json_writer_begin_object(w);
  vf_json_writer_member_string(w, "id", event_id);
  vf_json_writer_member_string(w, "type", event_type);
  vf_json_writer_end_object(w);

  const char *video = vf_event_get_video_path(e);
  vf_json_writer_member_string(w, "videoPath", video ? video : "");
  vf_json_writer_end_object(w);
  g_free(message_id);
  g_free(event_id);
}

/* One field of a minimal-schema object string: '|' separates fields, so it cannot appear. */
static void append_field(GString *s, const char *text)
{
  g_string_append_c(s, '|');
  for (const char *c = text ? text : ""; *c; c++)
    g_string_append_c(s, *c == '|' ? '_' : *c);
}

static void append_number(GString *s, gdouble v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd(buf, sizeof buf, "%g", v); /* C++ stream formatting, as DeepStream */
  append_field(s, buf);
}

static void write_minimal(VfJsonWriter *w, VfFrameMeta *frame, GArray *items, const char *sensor,
                          const char *ts)
{
  char frame_id[24];
  g_snprintf(frame_id, sizeof frame_id, "%" G_GUINT64_FORMAT,
             vf_frame_meta_get_frame_number(frame));
  vf_json_writer_begin_object(w);
  vf_json_writer_member_string(w, "version", MINIMAL_SCHEMA_VERSION);
  vf_json_writer_member_string(w, "id", frame_id);
  vf_json_writer_member_string(w, "@timestamp", ts);
  vf_json_writer_member_string(w, "sensorId", sensor);
  vf_json_writer_key(w, "objects");
  vf_json_writer_begin_array(w);
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < items->len; i++) {
    VfObjectMeta *o = g_array_index(items, Item, i).object;
    if (o == NULL)
      continue;
    VfRect r;
    object_box(frame, o, &r);
    g_string_printf(s, "%" G_GUINT64_FORMAT, vf_object_meta_get_object_id(o));
    append_number(s, r.left);
    append_number(s, r.top);
    append_number(s, r.left + r.width);
    append_number(s, r.top + r.height);
    const char *label = vf_object_meta_get_label(o);
    append_field(s, label ? label : "Unknown");
    guint n = vf_object_meta_get_n_classifications(o);
    if (n > 0) {
      append_field(s, "#");
      for (guint k = 0; k < n; k++) {
        VfClassification c;
        vf_object_meta_get_classification(o, k, &c);
        append_field(s, c.label);
      }
      append_number(s, vf_object_meta_get_confidence(o));
    }
    vf_json_writer_string_len(w, s->str, (gssize)s->len);
  }
  g_string_free(s, TRUE);
  vf_json_writer_end_array(w);
  vf_json_writer_end_object(w);
}

/* ---- converting ---- */

static gboolean emit(VfMsgConv *conv, VfFrameMeta *frame, const char *key, GPtrArray *payloads,
                     GError **error)
{
  GBytes *bytes = vf_json_writer_take_bytes(conv->writer, error);
  if (bytes == NULL)
    return FALSE;
  g_ptr_array_add(payloads, vf_payload_new(bytes, vf_frame_meta_get_source_id(frame),
                                           vf_frame_meta_get_frame_number(frame), key));
  g_bytes_unref(bytes);
  return TRUE;
}

gint vf_msgconv_convert(VfMsgConv *conv, VfFrameMeta *frame, GPtrArray *payloads, GError **error)
{
  if (conv == NULL || frame == NULL || payloads == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "vf_msgconv_convert: needs a converter, a frame and an array for the payloads");
    return -1;
  }
  SourceState *st = source_state(conv, vf_frame_meta_get_source_id(frame));
  guint64 number = vf_frame_meta_get_frame_number(frame);
  GPtrArray *objects = vf_frame_meta_get_objects(frame);
  GHashTable *fresh = NULL;
  gboolean wanted = TRUE;
  switch (conv->frequency) {
  case VF_MSG_EVERY_FRAME:
    break;
  case VF_MSG_EVERY_N_FRAMES:
    wanted = number % conv->interval == 0;
    break;
  case VF_MSG_ON_CHANGE:
    wanted = objects_changed(st, objects);
    break;
  case VF_MSG_NEW_TRACK:
    fresh = new_tracks(st, objects, number);
    wanted = fresh != NULL;
    break;
  }
  if (!wanted) {
    g_ptr_array_unref(objects);
    return 0;
  }

  /* What the messages are about: the frame's events, or its objects (VfMsgInput); only new
   * tracks in NEW_TRACK mode. */
  GPtrArray *events = vf_frame_meta_get_events(frame);
  gboolean use_events
      = conv->input == VF_MSG_INPUT_EVENTS
        || (conv->input == VF_MSG_INPUT_AUTO
            && (events->len > 0
                || vf_frame_meta_get_user_meta(frame, VF_EVENTS_GIVEN_META_TYPE) != NULL));
  if (!use_events)
    g_ptr_array_set_size(events, 0);
  GArray *items = g_array_new(FALSE, FALSE, sizeof(Item));
  GPtrArray *item_objects = g_ptr_array_new_with_free_func((GDestroyNotify)vf_object_meta_unref);
  for (guint i = 0; i < events->len; i++) {
    VfEvent *e = events->pdata[i];
    VfObjectMeta *o = vf_event_get_object(e);
    if (conv->frequency != VF_MSG_NEW_TRACK || is_fresh(fresh, o)) {
      Item it = { o, e };
      g_array_append_val(items, it);
      if (o)
        g_ptr_array_add(item_objects, vf_object_meta_ref(o));
    }
    if (o)
      vf_object_meta_unref(o); /* item_objects keeps the reference the item uses */
  }
  for (guint i = 0; !use_events && i < objects->len; i++) {
    VfObjectMeta *o = objects->pdata[i];
    if (conv->frequency != VF_MSG_NEW_TRACK || is_fresh(fresh, o)) {
      Item it = { o, NULL };
      g_array_append_val(items, it);
      g_ptr_array_add(item_objects, vf_object_meta_ref(o));
    }
  }

  const char *known = known_sensor_id(conv, frame);
  char *sensor
      = known ? g_strdup(known) : g_strdup_printf("source-%u", vf_frame_meta_get_source_id(frame));
  char *ts = timestamp_now();
  guint before = payloads->len;
  gboolean ok = TRUE;
  switch (conv->schema) {
  case VF_PAYLOAD_DEEPSTREAM:
    for (guint i = 0; ok && i < items->len; i++) {
      write_full(conv, conv->writer, frame, &g_array_index(items, Item, i), sensor, ts,
                 conv->frequency == VF_MSG_NEW_TRACK ? "entry" : "");
      ok = emit(conv, frame, sensor, payloads, error);
    }
    break;
  case VF_PAYLOAD_DEEPSTREAM_MINIMAL:
    if (item_objects->len > 0) {
      write_minimal(conv->writer, frame, items, sensor, ts);
      ok = emit(conv, frame, sensor, payloads, error);
    }
    break;
  case VF_PAYLOAD_VIDFLOW:
    write_compact(conv->writer, frame, known, item_objects, ts);
    ok = emit(conv, frame, sensor, payloads, error);
    break;
  case VF_PAYLOAD_CUSTOM: {
    GError *err = NULL;
    GBytes *bytes = conv->custom.generate(frame, item_objects, conv->custom_data, &err);
    if (bytes) {
      g_ptr_array_add(payloads,
                      vf_payload_new(bytes, vf_frame_meta_get_source_id(frame), number, sensor));
      g_bytes_unref(bytes);
    } else if (err) {
      g_propagate_prefixed_error(error, err, "payload generator: ");
      ok = FALSE;
    }
    break;
  }
  }
  g_free(ts);
  g_free(sensor);
  g_array_unref(items);
  g_ptr_array_unref(item_objects);
  g_ptr_array_unref(events);
  g_ptr_array_unref(objects);
  if (fresh)
    g_hash_table_unref(fresh);
  if (!ok) {
    g_ptr_array_remove_range(payloads, before, payloads->len - before);
    return -1;
  }
  return (gint)(payloads->len - before);
}
