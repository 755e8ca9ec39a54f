/* vidflow: finding vfmsgbroker's protocol adapters (adapters.h): the built-in table, DeepStream
 * adapter names, and adapter libraries loaded by path with every symbol checked. */
#include "adapters.h"

#include <gmodule.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

GST_DEBUG_CATEGORY_EXTERN(vf_msgbroker_debug);
#define GST_CAT_DEFAULT vf_msgbroker_debug

typedef struct {
  const char *name;
  const VfMsgApiFunctions *api;
} Builtin;

static const Builtin builtins[] = {
  { "file", &vf_msg_adapter_file },
};

/* vidflow's adapter libraries (libvfmsgapi-<name>.so), with the Debian package each needs when
 * vidflow is built. */
static const struct {
  const char *name, *package;
} protocols[] = {
  { "mqtt", "libmosquitto-dev" },
  { "redis", "libhiredis-dev" },
  { "kafka", "librdkafka-dev" },
};

typedef struct {
  char *protocol;
  VfMsgApiFunctions api;
} Loaded;

static GMutex loaded_lock;
static GHashTable *loaded; /* path -> Loaded* (never freed: libraries stay loaded) */

const char *vf_msg_adapter_builtin_names(void)
{
  static gsize done = 0;
  static char *names;
  if (g_once_init_enter(&done)) {
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < G_N_ELEMENTS(builtins); i++)
      g_string_append_printf(s, "%s%s", i ? ", " : "", builtins[i].name);
    for (guint i = 0; i < G_N_ELEMENTS(protocols); i++)
      g_string_append_printf(s, ", %s", protocols[i].name);
    names = g_string_free(s, FALSE);
    g_once_init_leave(&done, 1);
  }
  return names;
}

/* The folders searched for libvfmsgapi-<name>.so: VIDFLOW_MSGAPI_PATH (':'-separated), this
 * build's, the installed one (transfer full). */
static char **library_dirs(void)
{
  const char *env = g_getenv("VIDFLOW_MSGAPI_PATH");
  char *all = g_strjoin(G_SEARCHPATH_SEPARATOR_S, env ? env : "", VF_BUILD_MSGAPI_DIR,
                        VF_MSGAPI_DIR, NULL);
  char **dirs = g_strsplit(all, G_SEARCHPATH_SEPARATOR_S, -1);
  g_free(all);
  return dirs;
}

/* The path of vidflow's adapter library for `name`, or NULL; *looked: where (transfer full). */
static char *find_library(const char *name, char **looked)
{
  char *file = g_strdup_printf("libvfmsgapi-%s.%s", name, G_MODULE_SUFFIX);
  char **dirs = library_dirs();
  char *found = NULL;
  GString *where = g_string_new(NULL);
  for (char **d = dirs; *d && !found; d++) {
    if (**d == '\0')
      continue;
    char *path = g_build_filename(*d, file, NULL);
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
      found = path;
    else
      g_free(path);
    g_string_append_printf(where, "%s%s", where->len ? ", " : "", *d);
  }
  g_strfreev(dirs);
  g_free(file);
  *looked = g_string_free(where, FALSE);
  return found;
}

static const VfMsgApiFunctions *builtin(const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS(builtins); i++)
    if (g_ascii_strcasecmp(builtins[i].name, name) == 0)
      return builtins[i].api;
  return NULL;
}

/* "libnvds_kafka_proto.so" -> "kafka"; NULL for other names (transfer full). */
static char *deepstream_protocol(const char *proto_lib)
{
  char *base = g_path_get_basename(proto_lib);
  char *out = NULL;
  if (g_str_has_prefix(base, "libnvds_") && g_str_has_suffix(base, "_proto.so"))
    out = g_strndup(base + strlen("libnvds_"),
                    strlen(base) - strlen("libnvds_") - strlen("_proto.so"));
  g_free(base);
  return out;
}

static const VfMsgApiFunctions *load_library(const char *path, const char **protocol,
                                             GError **error)
{
  g_mutex_lock(&loaded_lock);
  if (loaded == NULL)
    loaded = g_hash_table_new(g_str_hash, g_str_equal);
  Loaded *l = g_hash_table_lookup(loaded, path);
  if (l) {
    g_mutex_unlock(&loaded_lock);
    *protocol = l->protocol;
    return &l->api;
  }
  GModule *module = g_module_open(path, G_MODULE_BIND_LOCAL);
  if (module == NULL) {
    g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
                "cannot load adapter library %s: %s", path, g_module_error());
    g_mutex_unlock(&loaded_lock);
    return NULL;
  }
  static const char *const symbols[]
      = { "vf_msgapi_connect",    "vf_msgapi_send_async", "vf_msgapi_do_work",
          "vf_msgapi_disconnect", "vf_msgapi_getversion", "vf_msgapi_get_protocol_name" };
  gpointer fn[G_N_ELEMENTS(symbols)];
  GString *missing = g_string_new(NULL);
  for (guint i = 0; i < G_N_ELEMENTS(symbols); i++)
    if (!g_module_symbol(module, symbols[i], &fn[i]) || fn[i] == NULL)
      g_string_append_printf(missing, "%s%s", missing->len ? ", " : "", symbols[i]);
  if (missing->len) {
    gboolean deepstream = g_module_symbol(module, "nvds_msgapi_connect", &fn[0]);
    g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
                "%s is not a vidflow adapter library: it lacks %s%s (see vidflow/msgapi.h and "
                "plugins/msgapi-sample)",
                path, missing->str,
                deepstream ? "; it is a DeepStream nvds_msgapi adapter, whose ABI differs: use "
                             "vidflow's own adapter of that protocol instead"
                           : "");
    g_string_free(missing, TRUE);
    g_module_close(module);
    g_mutex_unlock(&loaded_lock);
    return NULL;
  }
  g_string_free(missing, TRUE);
  const char *(*version)(void) = fn[4];
  const char *(*name)(void) = fn[5];
  const char *v = version();
  if (v == NULL || strtol(v, NULL, 10) != strtol(VF_MSGAPI_VERSION, NULL, 10)) {
    g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
                "adapter library %s implements adapter ABI %s; this vidflow reads %s: rebuild "
                "it against this vidflow",
                path, v ? v : "(none)", VF_MSGAPI_VERSION);
    g_module_close(module);
    g_mutex_unlock(&loaded_lock);
    return NULL;
  }
  g_module_make_resident(module);
  l = g_new0(Loaded, 1);
  l->protocol = g_strdup(name() ? name() : path);
  l->api.connect = fn[0];
  l->api.send_async = fn[1];
  l->api.do_work = fn[2];
  l->api.disconnect = fn[3];
  l->api.getversion = version;
  l->api.get_protocol_name = name;
  g_hash_table_insert(loaded, g_strdup(path), l);
  g_mutex_unlock(&loaded_lock);
  *protocol = l->protocol;
  return &l->api;
}

const VfMsgApiFunctions *vf_msg_adapter_find(const char *proto_lib, const char **protocol,
                                             GError **error)
{
  if (proto_lib == NULL || *proto_lib == '\0') {
    g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
                "no protocol adapter: set proto-lib to %s or an adapter library's path, or give "
                "a URI conn-str (mqtt://host:port/topic)",
                vf_msg_adapter_builtin_names());
    return NULL;
  }
  const VfMsgApiFunctions *api = builtin(proto_lib);
  if (api) {
    *protocol = api->get_protocol_name();
    return api;
  }
  char *ds = deepstream_protocol(proto_lib);
  gboolean is_path = strchr(proto_lib, '/') != NULL || g_str_has_suffix(proto_lib, ".so");
  if (is_path && g_file_test(proto_lib, G_FILE_TEST_EXISTS)) {
    g_free(ds);
    return load_library(proto_lib, protocol, error);
  }
  if (ds && (api = builtin(ds))) {
    GST_INFO("proto-lib %s: DeepStream's %s adapter; using vidflow's own", proto_lib, ds);
    g_free(ds);
    *protocol = api->get_protocol_name();
    return api;
  }
  const char *wanted = ds ? ds : proto_lib;
  for (guint i = 0; i < G_N_ELEMENTS(protocols); i++) {
    if (g_ascii_strcasecmp(protocols[i].name, wanted) == 0) {
      char *looked = NULL, *path = find_library(protocols[i].name, &looked);
      if (path) {
        if (ds)
          GST_INFO("proto-lib %s: DeepStream's %s adapter; using vidflow's own (%s)", proto_lib, ds,
                   path);
        api = load_library(path, protocol, error);
      } else {
        g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
                    "proto-lib %s: vidflow's %s adapter libvfmsgapi-%s.so is not in %s (set "
                    "VIDFLOW_MSGAPI_PATH to its folder; it is built when %s is installed)",
                    proto_lib, protocols[i].name, protocols[i].name, looked, protocols[i].package);
      }
      g_free(path);
      g_free(looked);
      g_free(ds);
      return api;
    }
  }
  if (is_path)
    g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
                "proto-lib %s: no such adapter library%s (built-in adapters: %s)", proto_lib,
                ds ? " (and vidflow has no adapter for that DeepStream protocol)" : "",
                vf_msg_adapter_builtin_names());
  else
    g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
                "unknown protocol adapter '%s': use %s, or the path of an adapter library "
                "(vidflow/msgapi.h)",
                proto_lib, vf_msg_adapter_builtin_names());
  g_free(ds);
  return NULL;
}
