/* vidflow: custom objects from plugins (Service Maker's CustomFactory) — the C ABI.
 *
 * A custom-object plugin is a shared library that registers named probes, providers,
 * retrievers and payload generators (message payloads for vfmsgconv), each with typed
 * parameters. Flows and YAML files then use them by name:
 * "myplugin.myprobe" in vf_flow_attach_named / vf_custom_probe_new, `type: myplugin.myprobe` as
 * a node of a Service Maker YAML graph, `attach: myplugin.myprobe` in a flow YAML. Built-in
 * objects have names without a dot ("measure_fps_probe").
 *
 * Writing one (plugins/sample/ is a complete example built with vidflow):
 *
 *   static gboolean make_counter(const VfParams *params, VfProbeCallbacks *cb,
 *                                gpointer *user_data, GError **error) { ... }
 *   static const VfParamSpec counter_params[] = {
 *     {"every", VF_PARAM_INT, "0", "report every N buffers (0: never)"},
 *     {NULL},
 *   };
 *   static gboolean init(VfPlugin *plugin, GError **error) {
 *     return vf_plugin_add_probe(plugin, "counter", "counts buffers", counter_params,
 *                                make_counter, error);
 *   }
 *   VF_PLUGIN_DEFINE("myplugin", "my objects", init)
 *
 * Build it as a shared module linked with vidflow and name the file libmyplugin.so (or
 * myplugin.so). vidflow looks for "myplugin" the first time a "myplugin.x" name is used, in:
 * the folders of VIDFLOW_CUSTOM_PATH (':'-separated), then the build tree's plugins/ folder,
 * then <libdir>/vidflow/custom; in each folder as lib<name>.so, <name>.so and
 * <name>/lib<name>.so. vf_custom_plugin_load loads one file explicitly.
 *
 * ABI rules:
 * - The library exports one symbol, `vf_plugin_desc` (a VfPluginDesc, VF_PLUGIN_DEFINE makes
 *   it). abi_version must equal the VF_PLUGIN_ABI_VERSION vidflow was built with, or the plugin
 *   is refused with an error that says so. The name in the descriptor must be the name it was
 *   looked up by.
 * - init() runs once, on the thread that first needs the plugin, with vidflow's registry lock
 *   not held: it may call the vf_plugin_add_* functions only. A plugin is never unloaded.
 * - Factories run on the application thread that builds the flow or graph, once per instance.
 *   They fill a callbacks struct and a user data pointer, or return FALSE with *error set (the
 *   message should name the parameter at fault). After success, the callbacks' destroy (if any)
 *   frees the user data exactly once, whatever happens later. The callbacks then run on the
 *   threads their kind documents (probe.h: streaming thread; feeder.h: feeder thread;
 *   receiver.h: receiver thread).
 * - Parameters arrive validated and typed: unknown names, missing required values and values
 *   of the wrong type are refused before the factory runs. '-' and '_' are the same in names.
 * - Strings handed to the plugin are valid during the call only; the VfParams too. */
#pragma once

#include <vidflow/feeder.h>
#include <vidflow/probe.h>
#include <vidflow/receiver.h>

G_BEGIN_DECLS

#define VF_PLUGIN_ABI_VERSION 1

typedef enum {
  VF_PARAM_STRING = 0,
  VF_PARAM_INT, /* 64-bit signed */
  VF_PARAM_DOUBLE,
  VF_PARAM_BOOL, /* true/false, yes/no, 1/0 */
} VfParamType;

/* One parameter of an object. Arrays of them end with an entry whose name is NULL. */
typedef struct {
  const char *name;
  VfParamType type;
  const char *default_value; /* as text; NULL: the parameter is required */
  const char *description;
} VfParamSpec;

/* The typed values of one instance (transfer none, valid during the factory call). Asking for
 * a name that is not in the spec, or with the wrong type, returns 0 / NULL / FALSE. */
typedef struct _VfParams VfParams;
VF_API const char *vf_params_get_string(const VfParams *params, const char *name);
VF_API gint64 vf_params_get_int(const VfParams *params, const char *name);
VF_API gdouble vf_params_get_double(const VfParams *params, const char *name);
VF_API gboolean vf_params_get_bool(const VfParams *params, const char *name);
/* The instance name (the Flow attach name, the YAML node name), or the object name. */
VF_API const char *vf_params_get_instance_name(const VfParams *params);

typedef enum {
  VF_OBJECT_PROBE = 0,
  VF_OBJECT_PROVIDER,
  VF_OBJECT_RETRIEVER,
  VF_OBJECT_PAYLOAD, /* a payload generator (vfmsgconv payload-type=custom, vidflow/message.h) */
} VfObjectKind;

/* A payload generator: makes the message of one frame for vfmsgconv (payload-type=custom,
 * payload-generator=plugin.name). */
typedef struct {
  /* The message for `frame` (transfer full), or NULL for none. `objects`: the objects the
   * converter's frequency selected (VfObjectMeta*, transfer none; the frame's events are on the
   * frame, vf_frame_meta_get_events). A NULL return with *error set stops the stream with that
   * error. Called on vfmsgconv's streaming thread, one frame at a time. */
  GBytes *(*generate)(VfFrameMeta *frame, GPtrArray *objects, gpointer user_data, GError **error);
  /* Optional: frees user_data, once (any thread). */
  void (*destroy)(gpointer user_data);
} VfPayloadCallbacks;

/* Factories (see the ABI rules above). *user_data starts NULL. */
typedef gboolean (*VfProbeFactory)(const VfParams *params, VfProbeCallbacks *callbacks,
                                   gpointer *user_data, GError **error);
/* info starts zeroed: fill format/size/rate (zero fields come from the appsrc caps). */
typedef gboolean (*VfProviderFactory)(const VfParams *params, VfProviderInfo *info,
                                      VfProviderCallbacks *callbacks, gpointer *user_data,
                                      GError **error);
typedef gboolean (*VfRetrieverFactory)(const VfParams *params, VfRetrieverCallbacks *callbacks,
                                       gpointer *user_data, GError **error);
typedef gboolean (*VfPayloadFactory)(const VfParams *params, VfPayloadCallbacks *callbacks,
                                     gpointer *user_data, GError **error);

/* Registration handle handed to init() (transfer none). */
typedef struct _VfPlugin VfPlugin;

/* Register an object called `name` (letters, digits, '_' and '-'; unique in the plugin).
 * params: (nullable) spec array, copied. FALSE with *error on a bad or duplicate name. */
VF_API gboolean vf_plugin_add_probe(VfPlugin *plugin, const char *name, const char *description,
                                    const VfParamSpec *params, VfProbeFactory factory,
                                    GError **error);
VF_API gboolean vf_plugin_add_provider(VfPlugin *plugin, const char *name, const char *description,
                                       const VfParamSpec *params, VfProviderFactory factory,
                                       GError **error);
VF_API gboolean vf_plugin_add_retriever(VfPlugin *plugin, const char *name, const char *description,
                                        const VfParamSpec *params, VfRetrieverFactory factory,
                                        GError **error);
VF_API gboolean vf_plugin_add_payload(VfPlugin *plugin, const char *name, const char *description,
                                      const VfParamSpec *params, VfPayloadFactory factory,
                                      GError **error);

typedef struct {
  guint abi_version; /* VF_PLUGIN_ABI_VERSION */
  const char *name;  /* the "myplugin" of "myplugin.object" */
  const char *description;
  gboolean (*init)(VfPlugin *plugin, GError **error);
} VfPluginDesc;

#define VF_PLUGIN_DEFINE(name_, description_, init_)                                               \
  __attribute__((visibility("default"))) const VfPluginDesc vf_plugin_desc                         \
      = { VF_PLUGIN_ABI_VERSION, name_, description_, init_ };

/* ---- for applications ---- */

/* Instances by type name ("plugin.object" or a built-in name). instance_name: (nullable);
 * params: (nullable) NULL-terminated name/value pairs. Transfer full. */
VF_API VfProbe *vf_custom_probe_new(const char *type, const char *instance_name,
                                    const char *const *params, GError **error);
VF_API VfFeeder *vf_custom_feeder_new(const char *type, const char *instance_name,
                                      const char *const *params, GError **error);
VF_API VfReceiver *vf_custom_receiver_new(const char *type, const char *instance_name,
                                          const char *const *params, GError **error);
/* The kind of object `type` names (loading its plugin if needed). */
VF_API gboolean vf_custom_lookup(const char *type, VfObjectKind *kind, GError **error);
/* Load a plugin file explicitly (its objects become "<desc name>.x"). */
VF_API gboolean vf_custom_plugin_load(const char *path, GError **error);
/* Register objects from code, as a plugin called desc->name (tests, applications). */
VF_API gboolean vf_custom_plugin_register(const VfPluginDesc *desc, GError **error);
/* Every known type name with its kind and description, one "name\tkind\tdescription" per
 * entry (loads every plugin on the search path). Free with g_strfreev. */
VF_API char **vf_custom_list(void);

G_END_DECLS
