/* vidflow: built-in custom objects, usable by name without a plugin ("measure_fps_probe"). They
 * form the plugin with the empty name. */
#include "custom-private.h"

static gboolean init_builtins(VfPlugin *plugin, GError **error)
{
  (void)plugin;
  (void)error;
  return TRUE;
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
