/* vidflow tests: checks that a payload is a valid message of its schema (vidflow/message.h),
 * field by field, read with json-glib (not with vidflow's writer). Each check fails the test with
 * the payload and the field at fault. */
#pragma once

#include "../test-util.h"

#include <json-glib/json-glib.h>

typedef struct {
  const char *payload;
  const char *path;
} SchemaCtx;

#define SCHEMA_FAIL(ctx, ...)                                                                      \
  g_error("schema: %s: %s in %s", (ctx)->path, g_strdup_printf(__VA_ARGS__), (ctx)->payload)

static inline JsonNode *schema_member(SchemaCtx *ctx, JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member(o, name);
  if (n == NULL)
    SCHEMA_FAIL(ctx, "no member '%s'", name);
  return n;
}

static inline gboolean schema_is_int(JsonNode *n)
{
  return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64;
}

static inline gboolean schema_is_number(JsonNode *n)
{
  return JSON_NODE_HOLDS_VALUE(n)
         && (json_node_get_value_type(n) == G_TYPE_INT64
             || json_node_get_value_type(n) == G_TYPE_DOUBLE);
}

static inline gboolean schema_is_string(JsonNode *n)
{
  return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING;
}

static inline const char *schema_string(SchemaCtx *ctx, JsonObject *o, const char *name)
{
  JsonNode *n = schema_member(ctx, o, name);
  if (!schema_is_string(n))
    SCHEMA_FAIL(ctx, "'%s' is not a string", name);
  return json_node_get_string(n);
}

static inline gint64 schema_int(SchemaCtx *ctx, JsonObject *o, const char *name)
{
  JsonNode *n = schema_member(ctx, o, name);
  if (!schema_is_int(n))
    SCHEMA_FAIL(ctx, "'%s' is not an integer", name);
  return json_node_get_int(n);
}

static inline gdouble schema_number(SchemaCtx *ctx, JsonObject *o, const char *name)
{
  JsonNode *n = schema_member(ctx, o, name);
  if (!schema_is_number(n))
    SCHEMA_FAIL(ctx, "'%s' is not a number", name);
  return json_node_get_double(n);
}

static inline JsonObject *schema_object(SchemaCtx *ctx, JsonObject *o, const char *name)
{
  JsonNode *n = schema_member(ctx, o, name);
  if (!JSON_NODE_HOLDS_OBJECT(n))
    SCHEMA_FAIL(ctx, "'%s' is not an object", name);
  return json_node_get_object(n);
}

static inline JsonArray *schema_array(SchemaCtx *ctx, JsonObject *o, const char *name)
{
  JsonNode *n = schema_member(ctx, o, name);
  if (!JSON_NODE_HOLDS_ARRAY(n))
    SCHEMA_FAIL(ctx, "'%s' is not an array", name);
  return json_node_get_array(n);
}

/* 2024-01-31T12:34:56.789Z */
static inline void schema_timestamp(SchemaCtx *ctx, const char *ts)
{
  if (!g_regex_match_simple("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$", ts, 0, 0))
    SCHEMA_FAIL(ctx, "'%s' is not an RFC 3339 UTC timestamp with milliseconds", ts);
}

static inline void schema_triple(SchemaCtx *ctx, JsonObject *o, const char *name, const char *a,
                                 const char *b, const char *c)
{
  JsonObject *t = schema_object(ctx, o, name);
  schema_number(ctx, t, a);
  schema_number(ctx, t, b);
  schema_number(ctx, t, c);
}

/* vidflow's compact schema. */
static inline void schema_check_vidflow(SchemaCtx *ctx, JsonObject *root)
{
  schema_int(ctx, root, "source");
  schema_int(ctx, root, "frame");
  JsonNode *pts = schema_member(ctx, root, "pts");
  if (!JSON_NODE_HOLDS_NULL(pts) && !schema_is_number(pts))
    SCHEMA_FAIL(ctx, "pts is neither a number nor null");
  schema_timestamp(ctx, schema_string(ctx, root, "timestamp"));
  if (json_object_has_member(root, "sensor"))
    schema_string(ctx, root, "sensor");
  schema_int(ctx, root, "width");
  schema_int(ctx, root, "height");
  JsonArray *objects = schema_array(ctx, root, "objects");
  for (guint i = 0; i < json_array_get_length(objects); i++) {
    JsonNode *n = json_array_get_element(objects, i);
    if (!JSON_NODE_HOLDS_OBJECT(n))
      SCHEMA_FAIL(ctx, "objects[%u] is not an object", i);
    JsonObject *o = json_node_get_object(n);
    if (json_object_has_member(o, "id"))
      schema_int(ctx, o, "id");
    schema_int(ctx, o, "class_id");
    JsonNode *label = schema_member(ctx, o, "label");
    if (!JSON_NODE_HOLDS_NULL(label) && !schema_is_string(label))
      SCHEMA_FAIL(ctx, "objects[%u].label is neither a string nor null", i);
    gdouble c = schema_number(ctx, o, "confidence");
    if (c < 0 || c > 1)
      SCHEMA_FAIL(ctx, "objects[%u].confidence %g is outside [0, 1]", i, c);
    JsonArray *bbox = schema_array(ctx, o, "bbox");
    if (json_array_get_length(bbox) != 4)
      SCHEMA_FAIL(ctx, "objects[%u].bbox does not have 4 numbers", i);
    for (guint k = 0; k < 4; k++)
      if (!schema_is_number(json_array_get_element(bbox, k)))
        SCHEMA_FAIL(ctx, "objects[%u].bbox[%u] is not a number", i, k);
  }
}

/* DeepStream's full schema. */
static inline void schema_check_deepstream(SchemaCtx *ctx, JsonObject *root)
{
  const char *id = schema_string(ctx, root, "messageid");
  if (!g_uuid_string_is_valid(id))
    SCHEMA_FAIL(ctx, "messageid '%s' is not a UUID", id);
  if (g_strcmp0(schema_string(ctx, root, "mdsversion"), "1.0"))
    SCHEMA_FAIL(ctx, "mdsversion is not 1.0");
  schema_timestamp(ctx, schema_string(ctx, root, "@timestamp"));
  JsonObject *place = schema_object(ctx, root, "place");
  schema_string(ctx, place, "id");
  schema_string(ctx, place, "name");
  schema_string(ctx, place, "type");
  schema_triple(ctx, place, "location", "lat", "lon", "alt");
  static const char *const subs[] = { "aisle", "parkingSpot", "entrance", "place-sub-field" };
  guint found = 0;
  for (guint i = 0; i < G_N_ELEMENTS(subs); i++)
    if (json_object_has_member(place, subs[i])) {
      found++;
      schema_triple(ctx, schema_object(ctx, place, subs[i]), "coordinate", "x", "y", "z");
    }
  if (found != 1)
    SCHEMA_FAIL(ctx, "place has %u sub-places (aisle, parkingSpot, entrance...), not 1", found);
  JsonObject *sensor = schema_object(ctx, root, "sensor");
  schema_string(ctx, sensor, "id");
  schema_string(ctx, sensor, "type");
  schema_string(ctx, sensor, "description");
  schema_triple(ctx, sensor, "location", "lat", "lon", "alt");
  schema_triple(ctx, sensor, "coordinate", "x", "y", "z");
  JsonObject *module = schema_object(ctx, root, "analyticsModule");
  schema_string(ctx, module, "id");
  schema_string(ctx, module, "description");
  schema_string(ctx, module, "source");
  schema_string(ctx, module, "version");
  JsonObject *object = schema_object(ctx, root, "object");
  if (json_object_get_size(object) > 0) {
    schema_string(ctx, object, "id");
    schema_number(ctx, object, "speed");
    schema_number(ctx, object, "direction");
    schema_number(ctx, object, "orientation");
    JsonObject *bbox = schema_object(ctx, object, "bbox");
    gint64 l = schema_int(ctx, bbox, "topleftx"), t = schema_int(ctx, bbox, "toplefty");
    gint64 r = schema_int(ctx, bbox, "bottomrightx"), b = schema_int(ctx, bbox, "bottomrighty");
    if (r < l || b < t)
      SCHEMA_FAIL(ctx, "object.bbox has its corners swapped");
    schema_triple(ctx, object, "location", "lat", "lon", "alt");
    schema_triple(ctx, object, "coordinate", "x", "y", "z");
  }
  JsonObject *event = schema_object(ctx, root, "event");
  if (!g_uuid_string_is_valid(schema_string(ctx, event, "id")))
    SCHEMA_FAIL(ctx, "event.id is not a UUID");
  schema_string(ctx, event, "type");
  schema_string(ctx, root, "videoPath");
}

/* DeepStream's minimal schema. */
static inline void schema_check_minimal(SchemaCtx *ctx, JsonObject *root)
{
  if (g_strcmp0(schema_string(ctx, root, "version"), "4.0"))
    SCHEMA_FAIL(ctx, "version is not 4.0");
  const char *id = schema_string(ctx, root, "id");
  if (!g_regex_match_simple("^\\d+$", id, 0, 0))
    SCHEMA_FAIL(ctx, "id '%s' is not a frame number", id);
  schema_timestamp(ctx, schema_string(ctx, root, "@timestamp"));
  schema_string(ctx, root, "sensorId");
  JsonArray *objects = schema_array(ctx, root, "objects");
  for (guint i = 0; i < json_array_get_length(objects); i++) {
    JsonNode *n = json_array_get_element(objects, i);
    if (!schema_is_string(n)
        || !g_regex_match_simple(
            "^\\d+(\\|-?[0-9.e+-]+){4}\\|[^|]+(\\|#(\\|[^|]*)+\\|[0-9.e+-]+)?$",
            json_node_get_string(n), 0, 0))
      SCHEMA_FAIL(ctx, "objects[%u] is not id|left|top|right|bottom|label[|#|...|confidence]", i);
  }
}

/* Parses and checks; returns the root object's node (transfer full). */
static inline JsonNode *schema_check(VfPayloadSchema schema, const char *payload, gsize length)
{
  char *text = g_strndup(payload, length);
  JsonParser *p = json_parser_new();
  GError *err = NULL;
  if (!json_parser_load_from_data(p, text, (gssize)length, &err))
    g_error("schema: not JSON (%s): %s", err->message, text);
  JsonNode *root = json_node_copy(json_parser_get_root(p));
  g_object_unref(p);
  SchemaCtx ctx = { text, schema == VF_PAYLOAD_VIDFLOW              ? "vidflow"
                          : schema == VF_PAYLOAD_DEEPSTREAM_MINIMAL ? "deepstream-minimal"
                                                                    : "deepstream" };
  if (!JSON_NODE_HOLDS_OBJECT(root))
    SCHEMA_FAIL(&ctx, "the message is not an object");
  JsonObject *o = json_node_get_object(root);
  if (schema == VF_PAYLOAD_VIDFLOW)
    schema_check_vidflow(&ctx, o);
  else if (schema == VF_PAYLOAD_DEEPSTREAM_MINIMAL)
    schema_check_minimal(&ctx, o);
  else
    schema_check_deepstream(&ctx, o);
  g_free(text);
  return root;
}
