/* vidflow: the msg-conv config (vidflow/message.h): sensors, places and analytics modules per
 * index, from DeepStream's key-file format or the same groups in YAML. Both are read into
 * (group, key, value) triples first, then checked by one set of rules. */
#include "msgconv-private.h"
#include "yaml-doc.h"

#include <string.h>

typedef enum {
  GROUP_SENSOR,
  GROUP_PLACE,
  GROUP_MODULE,
} GroupKind;

static const struct {
  const char *prefix;
  const char *const keys[12];
} groups[] = {
  [GROUP_SENSOR]
  = { "sensor", { "enable", "type", "id", "location", "description", "coordinate", NULL } },
  [GROUP_PLACE] = { "place",
                    { "enable", "id", "type", "name", "location", "coordinate", "place-sub-field1",
                      "place-sub-field2", "place-sub-field3", NULL } },
  [GROUP_MODULE] = { "analytics", { "enable", "id", "description", "source", "version", NULL } },
};

static void sensor_free(MsgSensor *s)
{
  g_free(s->id);
  g_free(s->type);
  g_free(s->description);
  g_free(s);
}

static void place_free(MsgPlace *p)
{
  g_free(p->id);
  g_free(p->type);
  g_free(p->name);
  for (guint i = 0; i < G_N_ELEMENTS(p->sub_field); i++)
    g_free(p->sub_field[i]);
  g_free(p);
}

static void module_free(MsgModule *m)
{
  g_free(m->id);
  g_free(m->description);
  g_free(m->source);
  g_free(m->version);
  g_free(m);
}

void vf_msgconv_config_free(MsgConvConfig *config)
{
  if (config == NULL)
    return;
  g_hash_table_unref(config->sensors);
  g_hash_table_unref(config->places);
  g_hash_table_unref(config->modules);
  g_free(config);
}

/* "where" names the place of an error: "FILE: [group] key" or "FILE:LINE: key". */
static gboolean parse_triple(const char *text, gdouble out[3], const char *where, const char *what,
                             GError **error)
{
  char **parts = g_strsplit(text, ";", -1);
  gboolean ok = g_strv_length(parts) == 3;
  for (guint i = 0; ok && i < 3; i++) {
    char *s = g_strstrip(parts[i]), *end = NULL;
    out[i] = g_ascii_strtod(s, &end);
    ok = *s && end && *end == '\0';
  }
  g_strfreev(parts);
  if (!ok)
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "%s: '%s' is not %s: write three numbers separated by ';' (e.g. 1.5;2;0)", where,
                text, what);
  return ok;
}

/* (transfer full) the value of `key`, "" when absent. */
static char *text_of(GHashTable *values, const char *key)
{
  const char *v = g_hash_table_lookup(values, key);
  return g_strdup(v ? v : "");
}

/* One group's keys: check and store. `values` maps key -> text; `where` prefixes errors. */
static gboolean add_group(MsgConvConfig *c, GroupKind kind, gint index, GHashTable *values,
                          const char *where, GError **error)
{
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, values);
  while (g_hash_table_iter_next(&it, &key, &value)) {
    gboolean known = FALSE;
    for (guint i = 0; groups[kind].keys[i]; i++)
      known = known || g_str_equal(groups[kind].keys[i], key);
    if (!known) {
      char *list = g_strjoinv(", ", (char **)groups[kind].keys);
      g_set_error(error, VF_ERROR, VF_ERROR_PROPERTY, "%s: unknown key '%s' (a %s group has: %s)",
                  where, (const char *)key, groups[kind].prefix, list);
      g_free(list);
      return FALSE;
    }
  }
  const char *enable = g_hash_table_lookup(values, "enable");
  if (enable && !g_str_equal(enable, "0") && !g_str_equal(enable, "1")
      && g_ascii_strcasecmp(enable, "true") && g_ascii_strcasecmp(enable, "false")) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "%s: enable must be 0 or 1, not '%s'", where,
                enable);
    return FALSE;
  }
  if (enable && (g_str_equal(enable, "0") || !g_ascii_strcasecmp(enable, "false")))
    return TRUE;
  const char *location = g_hash_table_lookup(values, "location");
  const char *coordinate = g_hash_table_lookup(values, "coordinate");
  gdouble loc[3] = { 0 }, coord[3] = { 0 };
  if ((location && !parse_triple(location, loc, where, "a location (lat;lon;alt)", error))
      || (coordinate && !parse_triple(coordinate, coord, where, "a coordinate (x;y;z)", error)))
    return FALSE;
  gpointer k = GINT_TO_POINTER(index);
  switch (kind) {
  case GROUP_SENSOR: {
    MsgSensor *s = g_new0(MsgSensor, 1);
    s->id = text_of(values, "id");
    s->type = text_of(values, "type");
    s->description = text_of(values, "description");
    memcpy(s->location, loc, sizeof loc);
    memcpy(s->coordinate, coord, sizeof coord);
    g_hash_table_replace(c->sensors, k, s);
    break;
  }
  case GROUP_PLACE: {
    MsgPlace *p = g_new0(MsgPlace, 1);
    p->id = text_of(values, "id");
    p->type = text_of(values, "type");
    p->name = text_of(values, "name");
    p->sub_field[0] = text_of(values, "place-sub-field1");
    p->sub_field[1] = text_of(values, "place-sub-field2");
    p->sub_field[2] = text_of(values, "place-sub-field3");
    memcpy(p->location, loc, sizeof loc);
    memcpy(p->coordinate, coord, sizeof coord);
    g_hash_table_replace(c->places, k, p);
    break;
  }
  case GROUP_MODULE: {
    MsgModule *m = g_new0(MsgModule, 1);
    m->id = text_of(values, "id");
    m->description = text_of(values, "description");
    m->source = text_of(values, "source");
    m->version = text_of(values, "version");
    g_hash_table_replace(c->modules, k, m);
    break;
  }
  }
  return TRUE;
}

/* "sensor3" -> GROUP_SENSOR, 3. */
static gboolean parse_group_name(const char *name, GroupKind *kind, gint *index, const char *where,
                                 GError **error)
{
  for (guint g = 0; g < G_N_ELEMENTS(groups); g++) {
    gsize n = strlen(groups[g].prefix);
    guint64 i;
    if (strncmp(name, groups[g].prefix, n) == 0 && name[n]
        && g_ascii_string_to_unsigned(name + n, 10, 0, G_MAXINT, &i, NULL)) {
      *kind = (GroupKind)g;
      *index = (gint)i;
      return TRUE;
    }
  }
  g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
              "%s: unknown group '%s': the groups are sensorN, placeN and analyticsN (N: the "
              "source id, 0, 1, ...)",
              where, name);
  return FALSE;
}

static MsgConvConfig *config_new(void)
{
  MsgConvConfig *c = g_new0(MsgConvConfig, 1);
  c->sensors = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)sensor_free);
  c->places = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)place_free);
  c->modules = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)module_free);
  return c;
}

static gboolean load_keyfile(MsgConvConfig *c, const char *path, GError **error)
{
  GKeyFile *kf = g_key_file_new();
  GError *err = NULL;
  if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &err)) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "msg-conv config %s: %s", path, err->message);
    g_error_free(err);
    g_key_file_unref(kf);
    return FALSE;
  }
  gboolean ok = TRUE;
  char **names = g_key_file_get_groups(kf, NULL);
  for (char **g = names; ok && *g; g++) {
    char *where = g_strdup_printf("msg-conv config %s: [%s]", path, *g);
    GroupKind kind;
    gint index;
    ok = parse_group_name(*g, &kind, &index, where, error);
    if (ok) {
      GHashTable *values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
      char **keys = g_key_file_get_keys(kf, *g, NULL, NULL);
      for (char **k = keys; keys && *k; k++)
        g_hash_table_replace(values, g_strdup(*k), g_key_file_get_value(kf, *g, *k, NULL));
      g_strfreev(keys);
      ok = add_group(c, kind, index, values, where, error);
      g_hash_table_unref(values);
    }
    g_free(where);
  }
  g_strfreev(names);
  g_key_file_unref(kf);
  return ok;
}

static gboolean load_yaml(MsgConvConfig *c, const char *path, GError **error)
{
  VfYamlDoc *doc = vf_yaml_doc_load(path, error);
  if (doc == NULL)
    return FALSE;
  yaml_node_t *root = vf_yaml_root(doc);
  gboolean ok = TRUE;
  if (root == NULL || root->type != YAML_MAPPING_NODE) {
    vf_yaml_error(error, doc, root, VF_ERROR_VALUE,
                  "a msg-conv config is a mapping of groups (sensor0: {id: ..., type: ...}, "
                  "place0: ..., analytics0: ...)");
    ok = FALSE;
  }
  for (yaml_node_pair_t *pair = ok ? root->data.mapping.pairs.start : NULL;
       ok && pair < root->data.mapping.pairs.top; pair++) {
    yaml_node_t *k = vf_yaml_node(doc, pair->key), *v = vf_yaml_node(doc, pair->value);
    const char *name = vf_yaml_scalar(k);
    char *where = g_strdup_printf("%s:%u: %s", doc->path, vf_yaml_line(k), name ? name : "?");
    GroupKind kind;
    gint index;
    ok = name && parse_group_name(name, &kind, &index, where, error);
    if (ok && (v == NULL || v->type != YAML_MAPPING_NODE)) {
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "%s: a group is a mapping of key: value", where);
      ok = FALSE;
    }
    GHashTable *values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (yaml_node_pair_t *e = ok ? v->data.mapping.pairs.start : NULL;
         ok && e < v->data.mapping.pairs.top; e++) {
      const char *key = vf_yaml_scalar(vf_yaml_node(doc, e->key));
      char *text = vf_yaml_text(vf_yaml_node(doc, e->value));
      if (key == NULL || text == NULL) {
        g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "%s: '%s' must be a single value", where,
                    key ? key : "?");
        g_free(text);
        ok = FALSE;
      } else {
        g_hash_table_replace(values, g_strdup(key), text);
      }
    }
    if (ok)
      ok = add_group(c, kind, index, values, where, error);
    g_hash_table_unref(values);
    g_free(where);
  }
  vf_yaml_doc_free(doc);
  return ok;
}

MsgConvConfig *vf_msgconv_config_load(const char *path, GError **error)
{
  if (path == NULL || !g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "msg-conv config '%s' does not exist (give the path of a msgconv config file)",
                path ? path : "(null)");
    return NULL;
  }
  MsgConvConfig *c = config_new();
  gboolean yaml = g_str_has_suffix(path, ".yml") || g_str_has_suffix(path, ".yaml");
  if (!(yaml ? load_yaml(c, path, error) : load_keyfile(c, path, error))) {
    vf_msgconv_config_free(c);
    return NULL;
  }
  return c;
}

const MsgSensor *vf_msgconv_config_sensor(const MsgConvConfig *config, gint index)
{
  return config ? g_hash_table_lookup(config->sensors, GINT_TO_POINTER(index)) : NULL;
}

const MsgPlace *vf_msgconv_config_place(const MsgConvConfig *config, gint index)
{
  return config ? g_hash_table_lookup(config->places, GINT_TO_POINTER(index)) : NULL;
}

const MsgModule *vf_msgconv_config_module(const MsgConvConfig *config, gint index)
{
  return config ? g_hash_table_lookup(config->modules, GINT_TO_POINTER(index)) : NULL;
}
