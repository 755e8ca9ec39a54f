/* vidflow: built-in custom objects, usable by name without a plugin ("measure_fps_probe",
 * "add_message_meta_probe"). They form the plugin with the empty name. The measuring probes are
 * the library's built-in probes (vf_probe_new_builtin), so their figures stay readable
 * (vf_probe_get_fps_stats). */
#include "custom-private.h"

static const VfParamSpec measure_params[] = {
  { "interval", VF_PARAM_DOUBLE, "1", "seconds between report lines (0: no lines, no summary)" },
  { NULL, 0, NULL, NULL },
};

static const VfParamSpec message_params[] = {
  { "frame-interval", VF_PARAM_INT, "1", "an event per object on every Nth frame of each source" },
  { "source-config", VF_PARAM_STRING, "", "source list YAML: sensor ids and URIs of the sources" },
  { "label-file", VF_PARAM_STRING, "", "labels by class id, one per line (default: the objects')" },
  { NULL, 0, NULL, NULL },
};

/* Never called: vf_custom_builtin_probe_new makes these. */
static gboolean builtin_factory(const VfParams *params, VfProbeCallbacks *callbacks,
                                gpointer *user_data, GError **error)
{
  (void)params;
  (void)callbacks;
  (void)user_data;
  g_set_error(error, VF_ERROR, VF_ERROR_FAILED, "built-in probe made the wrong way");
  return FALSE;
}

static gboolean init_builtins(VfPlugin *plugin, GError **error)
{
  return vf_plugin_add_probe(plugin, VF_PROBE_MEASURE_FPS,
                             "frames per second of each source (prints a line per interval)",
                             measure_params, builtin_factory, error)
         && vf_plugin_add_probe(plugin, VF_PROBE_MEASURE_LATENCY,
                                "time since each batch's frames reached vfmux", measure_params,
                                builtin_factory, error)
         && vf_plugin_add_probe(plugin, VF_PROBE_ADD_MESSAGE_META,
                                "events for vfmsgconv: one per object, every frame-interval "
                                "frames",
                                message_params, builtin_factory, error);
}

static const VfPluginDesc builtins
    = { VF_PLUGIN_ABI_VERSION, "", "vidflow built-in objects", init_builtins };

void vf_custom_builtins_ensure(void)
{
  static gsize done = 0;
  if (g_once_init_enter(&done)) {
    GError *err = NULL;
    if (!vf_custom_plugin_register(&builtins, &err)) {
      g_warning("vidflow built-in objects: %s", err->message);
      g_error_free(err);
    }
    g_once_init_leave(&done, 1);
  }
}

VfProbe *vf_custom_builtin_probe_new(const char *type, const char *instance, const VfParams *params,
                                     GError **error)
{
  if (g_strcmp0(type, VF_PROBE_ADD_MESSAGE_META) == 0)
    return vf_message_probe_new(instance, params, error);
  VfProbe *probe = vf_probe_new_builtin(type, instance, error);
  if (probe) {
    gdouble interval = vf_params_get_double(params, "interval");
    vf_probe_set_report_interval(probe, interval > 0 ? (GstClockTime)(interval * GST_SECOND) : 0);
  }
  return probe;
}
