/* vidflow: one-time initialisation: GStreamer, and the vidflow plugin found without user setup. */
#include <vidflow/pipeline.h>

static gboolean scan_plugin_dir(const char *dir)
{
  if (dir == NULL || *dir == '\0' || !g_file_test(dir, G_FILE_TEST_IS_DIR))
    return FALSE;
  return gst_registry_scan_path(gst_registry_get(), dir);
}

gboolean vf_init(GError **error)
{
  static gsize done = 0;
  static gboolean ok = FALSE;
  static GError *init_error = NULL;

  if (g_once_init_enter(&done)) {
    ok = gst_init_check(NULL, NULL, &init_error);
    if (ok && gst_registry_find_plugin(gst_registry_get(), "vidflow") == NULL) {
      /* GST_PLUGIN_PATH wins; otherwise the build tree (tests, examples run from a checkout),
       * then the install location. */
      if (!scan_plugin_dir(g_getenv("VIDFLOW_PLUGIN_DIR")) && !scan_plugin_dir(VF_BUILD_PLUGIN_DIR))
        scan_plugin_dir(VF_PLUGIN_DIR);
    }
    g_once_init_leave(&done, 1);
  }
  if (!ok && error != NULL)
    *error = g_error_new(VF_ERROR, VF_ERROR_FAILED, "could not initialise GStreamer: %s",
                         init_error ? init_error->message : "unknown reason");
  return ok;
}
