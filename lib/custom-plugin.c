/* vidflow: the registry of custom objects (probes, providers, retrievers) from plugins and from
 * vidflow itself, with typed parameters. See vidflow/plugin.h for the ABI. */
#include <vidflow/plugin.h>

#include "custom-private.h"

#include <gmodule.h>
#include <string.h>

typedef struct {
  char *name;
  char *description;
  VfObjectKind kind;
  VfParamSpec *params; /* deep copy, NULL-name terminated */
  guint n_params;
  gpointer factory;
} CustomObject;

struct _VfPlugin {
  char *name;
  char *description;
  char *path;         /* NULL: registered from code */
  GPtrArray *objects; /* CustomObject*, owned */
};

typedef union {
  char *s;
  gint64 i;
  gdouble d;
  gboolean b;
} ParamValue;

struct _VfParams {
  const CustomObject *object;
  const char *instance;
  ParamValue *values; /* one per spec */
};

static GMutex registry_lock;
static GHashTable *plugins; /* name -> VfPlugin*; "" holds vidflow's own objects */

static const char *kind_name(VfObjectKind kind)
{
  switch (kind) {
  case VF_OBJECT_PROBE:
    return "probe";
  case VF_OBJECT_PROVIDER:
    return "provider";
  case VF_OBJECT_RETRIEVER:
    return "retriever";
  case VF_OBJECT_PAYLOAD:
    return "payload";
  }
  return "object";
}

static char *dashed(const char *s)
{
  char *d = g_strdup(s);
  g_strdelimit(d, "_", '-');
  return d;
}

static void object_free(CustomObject *o)
{
  for (guint i = 0; i < o->n_params; i++) {
    g_free((char *)o->params[i].name);
    g_free((char *)o->params[i].default_value);
    g_free((char *)o->params[i].description);
  }
  g_free(o->params);
  g_free(o->name);
  g_free(o->description);
  g_free(o);
}

static VfPlugin *plugin_new(const char *name, const char *description, const char *path)
{
  VfPlugin *p = g_new0(VfPlugin, 1);
  p->name = g_strdup(name);
  p->description = g_strdup(description ? description : "");
  p->path = g_strdup(path);
  p->objects = g_ptr_array_new_with_free_func((GDestroyNotify)object_free);
  return p;
}

static void plugin_free(VfPlugin *p)
{
  g_ptr_array_unref(p->objects);
  g_free(p->name);
  g_free(p->description);
  g_free(p->path);
  g_free(p);
}

static gboolean valid_name(const char *name)
{
  if (name == NULL || *name == '\0')
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!g_ascii_isalnum(*c) && *c != '_' && *c != '-')
      return FALSE;
  return TRUE;
}

static gboolean add_object(VfPlugin *plugin, const char *name, const char *description,
                           const VfParamSpec *params, VfObjectKind kind, gpointer factory,
                           GError **error)
{
  for (guint i = 0; params && params[i].name; i++) {
    if ((guint)params[i].type > VF_PARAM_BOOL) {
      g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                  "plugin '%s': %s '%s': parameter '%s' has type %d, which is not a VfParamType",
                  plugin ? plugin->name : "?", kind_name(kind), name ? name : "(null)",
                  params[i].name, (gint)params[i].type);
      return FALSE;
    }
  }
  if (plugin == NULL || factory == NULL || !valid_name(name)) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "plugin '%s': cannot register %s '%s': names use letters, digits, '_' and '-', "
                "and a factory is required",
                plugin ? plugin->name : "?", kind_name(kind), name ? name : "(null)");
    return FALSE;
  }
  for (guint i = 0; i < plugin->objects->len; i++) {
    CustomObject *o = plugin->objects->pdata[i];
    if (g_str_equal(o->name, name)) {
      g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "plugin '%s' registers '%s' twice",
                  plugin->name, name);
      return FALSE;
    }
  }
  CustomObject *o = g_new0(CustomObject, 1);
  o->name = g_strdup(name);
  o->description = g_strdup(description ? description : "");
  o->kind = kind;
  o->factory = factory;
  while (params && params[o->n_params].name)
    o->n_params++;
  o->params = g_new0(VfParamSpec, o->n_params + 1);
  for (guint i = 0; i < o->n_params; i++) {
    o->params[i].name = dashed(params[i].name);
    o->params[i].type = params[i].type;
    o->params[i].default_value = g_strdup(params[i].default_value);
    o->params[i].description = g_strdup(params[i].description ? params[i].description : "");
  }
  g_ptr_array_add(plugin->objects, o);
  return TRUE;
}

gboolean vf_plugin_add_probe(VfPlugin *plugin, const char *name, const char *description,
                             const VfParamSpec *params, VfProbeFactory factory, GError **error)
{
  return add_object(plugin, name, description, params, VF_OBJECT_PROBE, (gpointer)factory, error);
}

gboolean vf_plugin_add_provider(VfPlugin *plugin, const char *name, const char *description,
                                const VfParamSpec *params, VfProviderFactory factory,
                                GError **error)
{
  return add_object(plugin, name, description, params, VF_OBJECT_PROVIDER, (gpointer)factory,
                    error);
}

gboolean vf_plugin_add_retriever(VfPlugin *plugin, const char *name, const char *description,
                                 const VfParamSpec *params, VfRetrieverFactory factory,
                                 GError **error)
{
  return add_object(plugin, name, description, params, VF_OBJECT_RETRIEVER, (gpointer)factory,
                    error);
}

gboolean vf_plugin_add_payload(VfPlugin *plugin, const char *name, const char *description,
                               const VfParamSpec *params, VfPayloadFactory factory, GError **error)
{
  return add_object(plugin, name, description, params, VF_OBJECT_PAYLOAD, (gpointer)factory, error);
}

/* ---- loading ---- */

static void ensure_table(void)
{
  if (plugins == NULL)
    plugins = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)plugin_free);
}

/* Runs desc->init and adds the plugin; FALSE if one of that name is there already. */
static gboolean install(const VfPluginDesc *desc, const char *path, GError **error)
{
  const char *where = path ? path : "(registered from code)";
  if (desc->abi_version != VF_PLUGIN_ABI_VERSION) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "custom plugin %s was built for plugin ABI %u; this vidflow reads ABI %u: "
                "rebuild the plugin against this vidflow",
                where, desc->abi_version, VF_PLUGIN_ABI_VERSION);
    return FALSE;
  }
  if (desc->name == NULL || (*desc->name && !valid_name(desc->name)) || desc->init == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "custom plugin %s has no valid name or init function in its descriptor", where);
    return FALSE;
  }
  VfPlugin *plugin = plugin_new(desc->name, desc->description, path);
  GError *err = NULL;
  if (!desc->init(plugin, &err)) {
    if (err == NULL)
      err = g_error_new(VF_ERROR, VF_ERROR_FAILED, "its init() failed without saying why");
    g_set_error(error, VF_ERROR, VF_ERROR_FAILED, "custom plugin '%s' (%s) did not load: %s",
                desc->name, where, err->message);
    g_error_free(err);
    plugin_free(plugin);
    return FALSE;
  }
  g_mutex_lock(&registry_lock);
  ensure_table();
  gboolean fresh = !g_hash_table_contains(plugins, plugin->name);
  if (fresh)
    g_hash_table_insert(plugins, plugin->name, plugin);
  g_mutex_unlock(&registry_lock);
  if (!fresh) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "a custom plugin called '%s' is loaded already (%s not loaded)", desc->name, where);
    plugin_free(plugin);
    return FALSE;
  }
  return TRUE;
}

gboolean vf_custom_plugin_register(const VfPluginDesc *desc, GError **error)
{
  if (desc == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "no plugin descriptor given");
    return FALSE;
  }
  return install(desc, NULL, error);
}

static gboolean load_file(const char *path, const char *expected_name, GError **error)
{
  GModule *module = g_module_open(path, G_MODULE_BIND_LOCAL);
  if (module == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_FAILED, "cannot load custom plugin %s: %s", path,
                g_module_error());
    return FALSE;
  }
  gpointer symbol = NULL;
  if (!g_module_symbol(module, "vf_plugin_desc", &symbol) || symbol == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_FAILED,
                "%s is not a vidflow custom plugin: it has no vf_plugin_desc (use "
                "VF_PLUGIN_DEFINE)",
                path);
    g_module_close(module);
    return FALSE;
  }
  const VfPluginDesc *desc = symbol;
  if (expected_name && (desc->name == NULL || !g_str_equal(desc->name, expected_name))) {
    g_set_error(error, VF_ERROR, VF_ERROR_FAILED,
                "%s calls itself '%s', not '%s': name the file after the plugin", path,
                desc->name ? desc->name : "(null)", expected_name);
    g_module_close(module);
    return FALSE;
  }
  if (!install(desc, path, error)) {
    g_module_close(module);
    return FALSE;
  }
  g_module_make_resident(module);
  return TRUE;
}

gboolean vf_custom_plugin_load(const char *path, GError **error)
{
  if (path == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "vf_custom_plugin_load(): path is NULL");
    return FALSE;
  }
  if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND, "custom plugin file %s does not exist", path);
    return FALSE;
  }
  return load_file(path, NULL, error);
}

static GPtrArray *search_dirs(void)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
  const char *env = g_getenv("VIDFLOW_CUSTOM_PATH");
  if (env) {
    char **parts = g_strsplit(env, G_SEARCHPATH_SEPARATOR_S, -1);
    for (char **p = parts; *p; p++)
      if (**p)
        g_ptr_array_add(dirs, g_strdup(*p));
    g_strfreev(parts);
  }
  g_ptr_array_add(dirs, g_strdup(VF_BUILD_CUSTOM_DIR));
  g_ptr_array_add(dirs, g_strdup(VF_CUSTOM_DIR));
  return dirs;
}

static char *find_file(const char *name, GString *looked)
{
  GPtrArray *dirs = search_dirs();
  char *found = NULL;
  for (guint i = 0; i < dirs->len && !found; i++) {
    const char *dir = dirs->pdata[i];
    g_string_append_printf(looked, "%s%s", looked->len ? ", " : "", dir);
    char *lib = g_strdup_printf("lib%s.%s", name, G_MODULE_SUFFIX);
    char *plain = g_strdup_printf("%s.%s", name, G_MODULE_SUFFIX);
    char *candidates[] = { g_build_filename(dir, lib, NULL), g_build_filename(dir, plain, NULL),
                           g_build_filename(dir, name, lib, NULL) };
    for (guint c = 0; c < G_N_ELEMENTS(candidates); c++) {
      if (!found && g_file_test(candidates[c], G_FILE_TEST_IS_REGULAR))
        found = g_strdup(candidates[c]);
      g_free(candidates[c]);
    }
    g_free(lib);
    g_free(plain);
  }
  g_ptr_array_unref(dirs);
  return found;
}

static VfPlugin *get_plugin(const char *name, GError **error)
{
  vf_custom_builtins_ensure();
  g_mutex_lock(&registry_lock);
  ensure_table();
  VfPlugin *p = g_hash_table_lookup(plugins, name);
  g_mutex_unlock(&registry_lock);
  if (p || *name == '\0')
    return p;
  GString *looked = g_string_new(NULL);
  char *path = find_file(name, looked);
  if (path == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "no custom plugin '%s': looked for lib%s.so in %s (set VIDFLOW_CUSTOM_PATH to "
                "the folder that has it)",
                name, name, looked->str);
    g_string_free(looked, TRUE);
    return NULL;
  }
  g_string_free(looked, TRUE);
  GError *err = NULL;
  gboolean ok = load_file(path, name, &err);
  g_free(path);
  g_mutex_lock(&registry_lock);
  p = g_hash_table_lookup(plugins, name);
  g_mutex_unlock(&registry_lock);
  if (p == NULL)
    g_propagate_error(error, err);
  else
    g_clear_error(&err); /* another thread loaded it meanwhile */
  (void)ok;
  return p;
}

static CustomObject *find_object(const char *type, GError **error)
{
  if (type == NULL || *type == '\0') {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "no custom object name given");
    return NULL;
  }
  const char *dot = strchr(type, '.');
  char *plugin_name = dot ? g_strndup(type, (gsize)(dot - type)) : g_strdup("");
  const char *object = dot ? dot + 1 : type;
  VfPlugin *plugin = get_plugin(plugin_name, error);
  CustomObject *found = NULL;
  if (plugin) {
    for (guint i = 0; i < plugin->objects->len && !found; i++) {
      CustomObject *o = plugin->objects->pdata[i];
      if (g_str_equal(o->name, object))
        found = o;
    }
  }
  if (found == NULL && (plugin || *plugin_name == '\0')) {
    GString *names = g_string_new(NULL);
    for (guint i = 0; plugin && i < plugin->objects->len; i++) {
      CustomObject *o = plugin->objects->pdata[i];
      g_string_append_printf(names, "%s%s%s%s", names->len ? ", " : "", plugin_name,
                             *plugin_name ? "." : "", o->name);
    }
    if (*plugin_name)
      g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                  "custom plugin '%s' has no object '%s' (it has: %s)", plugin_name, object,
                  names->len ? names->str : "nothing");
    else
      g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                  "no built-in object '%s' (built-in: %s); objects from plugins are named "
                  "plugin.object",
                  type, names->len ? names->str : "none in this build");
    g_string_free(names, TRUE);
  }
  g_free(plugin_name);
  return found;
}

gboolean vf_custom_lookup(const char *type, VfObjectKind *kind, GError **error)
{
  CustomObject *o = find_object(type, error);
  if (o && kind)
    *kind = o->kind;
  return o != NULL;
}

/* ---- parameters ---- */

static gboolean parse_value(const VfParamSpec *spec, const char *text, ParamValue *out,
                            GError **error, const char *type)
{
  switch (spec->type) {
  case VF_PARAM_STRING:
    out->s = g_strdup(text);
    return TRUE;
  case VF_PARAM_INT:
    if (g_ascii_string_to_signed(text, 10, G_MININT64, G_MAXINT64, &out->i, NULL))
      return TRUE;
    break;
  case VF_PARAM_DOUBLE: {
    char *end = NULL;
    out->d = g_ascii_strtod(text, &end);
    if (end && end != text && *end == '\0')
      return TRUE;
    break;
  }
  case VF_PARAM_BOOL:
    if (!g_ascii_strcasecmp(text, "true") || !g_ascii_strcasecmp(text, "yes")
        || g_str_equal(text, "1")) {
      out->b = TRUE;
      return TRUE;
    }
    if (!g_ascii_strcasecmp(text, "false") || !g_ascii_strcasecmp(text, "no")
        || g_str_equal(text, "0")) {
      out->b = FALSE;
      return TRUE;
    }
    break;
  }
  static const char *type_names[] = { "a string", "an integer", "a number", "true or false" };
  g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "%s: parameter '%s' takes %s, not '%s'", type,
              spec->name, type_names[spec->type], text);
  return FALSE;
}

static void params_free(VfParams *p)
{
  if (p == NULL)
    return;
  for (guint i = 0; i < p->object->n_params; i++)
    if (p->object->params[i].type == VF_PARAM_STRING)
      g_free(p->values[i].s);
  g_free(p->values);
  g_free(p);
}

static VfParams *params_new(const CustomObject *o, const char *type, const char *instance,
                            const char *const *kv, GError **error)
{
  VfParams *p = g_new0(VfParams, 1);
  p->object = o;
  p->instance = instance ? instance : o->name;
  p->values = g_new0(ParamValue, o->n_params + 1);
  gboolean *given = g_new0(gboolean, o->n_params + 1);
  gboolean ok = TRUE;
  for (guint i = 0; ok && kv && kv[i]; i += 2) {
    char *key = dashed(kv[i]);
    guint j = 0;
    while (j < o->n_params && !g_str_equal(o->params[j].name, key))
      j++;
    if (j == o->n_params) {
      GString *names = g_string_new(NULL);
      for (guint k = 0; k < o->n_params; k++)
        g_string_append_printf(names, "%s%s", k ? ", " : "", o->params[k].name);
      g_set_error(error, VF_ERROR, VF_ERROR_PROPERTY, "%s has no parameter '%s' (it takes: %s)",
                  type, key, names->len ? names->str : "none");
      g_string_free(names, TRUE);
      ok = FALSE;
    } else if (kv[i + 1] == NULL) {
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "%s: parameter '%s' has no value", type, key);
      ok = FALSE;
    } else {
      if (given[j] && o->params[j].type == VF_PARAM_STRING)
        g_free(p->values[j].s);
      ok = parse_value(&o->params[j], kv[i + 1], &p->values[j], error, type);
      given[j] = ok;
    }
    g_free(key);
  }
  for (guint j = 0; ok && j < o->n_params; j++) {
    if (given[j])
      continue;
    if (o->params[j].default_value == NULL) {
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "%s needs parameter '%s' (%s)", type,
                  o->params[j].name, o->params[j].description);
      ok = FALSE;
    } else {
      ok = parse_value(&o->params[j], o->params[j].default_value, &p->values[j], error, type);
      given[j] = ok;
    }
  }
  /* strings not parsed stay NULL: params_free copes */
  g_free(given);
  if (!ok) {
    params_free(p);
    return NULL;
  }
  return p;
}

static const ParamValue *param(const VfParams *params, const char *name, VfParamType type)
{
  if (params == NULL || name == NULL)
    return NULL;
  char *key = dashed(name);
  const ParamValue *v = NULL;
  for (guint i = 0; i < params->object->n_params && !v; i++)
    if (g_str_equal(params->object->params[i].name, key) && params->object->params[i].type == type)
      v = &params->values[i];
  g_free(key);
  return v;
}

const char *vf_params_get_string(const VfParams *params, const char *name)
{
  const ParamValue *v = param(params, name, VF_PARAM_STRING);
  return v ? v->s : NULL;
}

gint64 vf_params_get_int(const VfParams *params, const char *name)
{
  const ParamValue *v = param(params, name, VF_PARAM_INT);
  return v ? v->i : 0;
}

gdouble vf_params_get_double(const VfParams *params, const char *name)
{
  const ParamValue *v = param(params, name, VF_PARAM_DOUBLE);
  return v ? v->d : 0.0;
}

gboolean vf_params_get_bool(const VfParams *params, const char *name)
{
  const ParamValue *v = param(params, name, VF_PARAM_BOOL);
  return v ? v->b : FALSE;
}

const char *vf_params_get_instance_name(const VfParams *params)
{
  return params ? params->instance : NULL;
}

gboolean vf_custom_check_params(const char *type, const char *const *params, GError **error)
{
  CustomObject *o = find_object(type, error);
  VfParams *p = o ? params_new(o, type, NULL, params, error) : NULL;
  params_free(p);
  return p != NULL;
}

/* ---- instances ---- */

static CustomObject *find_kind(const char *type, VfObjectKind kind, GError **error)
{
  CustomObject *o = find_object(type, error);
  if (o && o->kind != kind) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "'%s' is a %s, not a %s", type,
                kind_name(o->kind), kind_name(kind));
    return NULL;
  }
  return o;
}

static void factory_failed(GError **error, GError *err, const char *type)
{
  if (err == NULL)
    err = g_error_new(VF_ERROR, VF_ERROR_FAILED, "%s refused its parameters", type);
  g_propagate_error(error, err);
}

VfProbe *vf_custom_probe_new(const char *type, const char *instance_name, const char *const *params,
                             GError **error)
{
  CustomObject *o = find_kind(type, VF_OBJECT_PROBE, error);
  VfParams *p = o ? params_new(o, type, instance_name, params, error) : NULL;
  if (p == NULL)
    return NULL;
  if (strchr(type, '.') == NULL) {
    VfProbe *probe = vf_custom_builtin_probe_new(type, instance_name, p, error);
    params_free(p);
    return probe;
  }
  VfProbeCallbacks cb = { 0 };
  gpointer user_data = NULL;
  GError *err = NULL;
  gboolean ok = ((VfProbeFactory)o->factory)(p, &cb, &user_data, &err);
  params_free(p);
  if (!ok || (cb.on_buffer == NULL && cb.on_batch_meta == NULL)) {
    if (ok && cb.destroy)
      cb.destroy(user_data);
    factory_failed(error, err, type);
    return NULL;
  }
  return vf_probe_new(instance_name ? instance_name : type, &cb, user_data);
}

VfFeeder *vf_custom_feeder_new(const char *type, const char *instance_name,
                               const char *const *params, GError **error)
{
  CustomObject *o = find_kind(type, VF_OBJECT_PROVIDER, error);
  VfParams *p = o ? params_new(o, type, instance_name, params, error) : NULL;
  if (p == NULL)
    return NULL;
  VfProviderCallbacks cb = { 0 };
  VfProviderInfo info = { 0 };
  gpointer user_data = NULL;
  GError *err = NULL;
  gboolean ok = ((VfProviderFactory)o->factory)(p, &info, &cb, &user_data, &err);
  params_free(p);
  if (!ok || cb.generate == NULL) {
    if (ok && cb.destroy)
      cb.destroy(user_data);
    factory_failed(error, err, type);
    return NULL;
  }
  return vf_feeder_new(instance_name ? instance_name : type, &info, &cb, user_data);
}

VfReceiver *vf_custom_receiver_new(const char *type, const char *instance_name,
                                   const char *const *params, GError **error)
{
  CustomObject *o = find_kind(type, VF_OBJECT_RETRIEVER, error);
  VfParams *p = o ? params_new(o, type, instance_name, params, error) : NULL;
  if (p == NULL)
    return NULL;
  VfRetrieverCallbacks cb = { 0 };
  gpointer user_data = NULL;
  GError *err = NULL;
  gboolean ok = ((VfRetrieverFactory)o->factory)(p, &cb, &user_data, &err);
  params_free(p);
  if (!ok || cb.consume == NULL) {
    if (ok && cb.destroy)
      cb.destroy(user_data);
    factory_failed(error, err, type);
    return NULL;
  }
  return vf_receiver_new(instance_name ? instance_name : type, &cb, user_data);
}

gboolean vf_custom_payload_new(const char *type, const char *instance_name,
                               const char *const *params, VfPayloadCallbacks *callbacks,
                               gpointer *user_data, GError **error)
{
  CustomObject *o = find_kind(type, VF_OBJECT_PAYLOAD, error);
  VfParams *p = o ? params_new(o, type, instance_name, params, error) : NULL;
  if (p == NULL)
    return FALSE;
  VfPayloadCallbacks cb = { 0 };
  gpointer data = NULL;
  GError *err = NULL;
  gboolean ok = ((VfPayloadFactory)o->factory)(p, &cb, &data, &err);
  params_free(p);
  if (!ok || cb.generate == NULL) {
    if (ok && cb.destroy)
      cb.destroy(data);
    factory_failed(error, err, type);
    return FALSE;
  }
  *callbacks = cb;
  *user_data = data;
  return TRUE;
}

/* ---- listing ---- */

static void load_all(void)
{
  GPtrArray *dirs = search_dirs();
  for (guint i = 0; i < dirs->len; i++) {
    GDir *dir = g_dir_open(dirs->pdata[i], 0, NULL);
    for (const char *entry; dir && (entry = g_dir_read_name(dir));) {
      char *path = g_build_filename(dirs->pdata[i], entry, NULL);
      char *name = NULL;
      if (g_file_test(path, G_FILE_TEST_IS_DIR))
        name = g_strdup(entry);
      else if (g_str_has_suffix(entry, "." G_MODULE_SUFFIX))
        name = g_strndup(g_str_has_prefix(entry, "lib") ? entry + 3 : entry,
                         strlen(entry) - strlen("." G_MODULE_SUFFIX)
                             - (g_str_has_prefix(entry, "lib") ? 3 : 0));
      if (name && valid_name(name)) {
        GString *looked = g_string_new(NULL);
        char *file = find_file(name, looked);
        g_mutex_lock(&registry_lock);
        ensure_table();
        gboolean loaded = g_hash_table_contains(plugins, name);
        g_mutex_unlock(&registry_lock);
        if (file && !loaded)
          load_file(file, name, NULL); /* not a vidflow plugin: skipped */
        g_free(file);
        g_string_free(looked, TRUE);
      }
      g_free(name);
      g_free(path);
    }
    if (dir)
      g_dir_close(dir);
  }
  g_ptr_array_unref(dirs);
}

static gint compare_strings(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(char *const *)a, *(char *const *)b); /* pointers to the elements */
}

char **vf_custom_list(void)
{
  vf_custom_builtins_ensure();
  load_all();
  GPtrArray *out = g_ptr_array_new();
  g_mutex_lock(&registry_lock);
  ensure_table();
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, plugins);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    VfPlugin *p = value;
    for (guint i = 0; i < p->objects->len; i++) {
      CustomObject *o = p->objects->pdata[i];
      g_ptr_array_add(out, g_strdup_printf("%s%s%s\t%s\t%s", p->name, *p->name ? "." : "", o->name,
                                           kind_name(o->kind), o->description));
    }
  }
  g_mutex_unlock(&registry_lock);
  g_ptr_array_sort(out, compare_strings);
  g_ptr_array_add(out, NULL);
  return (char **)g_ptr_array_free(out, FALSE);
}
