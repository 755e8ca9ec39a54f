/* vidflow: the display sink (see vidflow/display.h). */
#include <vidflow/display.h>
#include <vidflow/error.h>

#include <gst/gst.h>

#include <string.h>

/* Is there an X server at DISPLAY? For local displays (":N"), its socket must be there; remote
 * ones are trusted (the sink says at start when it cannot connect). Opening the display to ask
 * would be worse: a bare Xvfb resets when its last client leaves, and refuses the sink that
 * connects next. */
static gboolean x_server_listens(const char *display)
{
  if (display[0] != ':')
    return TRUE;
  char *number = g_strndup(display + 1, strcspn(display + 1, "."));
  char *socket = g_strdup_printf("/tmp/.X11-unix/X%s", number);
  gboolean there = g_file_test(socket, G_FILE_TEST_EXISTS);
  g_free(socket);
  g_free(number);
  return there;
}

char *vf_display_sink_choose(GError **error)
{
  const char *chosen = g_getenv(VF_DISPLAY_SINK_ENV);
  if (chosen && *chosen) {
    GstElementFactory *f = gst_element_factory_find(chosen);
    if (f == NULL) {
      g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                  "%s=%s names no GStreamer element: set it to a video sink such as fakesink or "
                  "ximagesink",
                  VF_DISPLAY_SINK_ENV, chosen);
      return NULL;
    }
    gst_object_unref(f);
    return g_strdup(chosen);
  }
  const char *wayland = g_getenv("WAYLAND_DISPLAY"), *x11 = g_getenv("DISPLAY");
  if ((!wayland || !*wayland) && (!x11 || !*x11)) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set): run under a "
                "display or a virtual one (xvfb-run), or set %s=fakesink (vidflow run "
                "--no-display) to run without showing the video",
                VF_DISPLAY_SINK_ENV);
    return NULL;
  }
  const char *sink = wayland && *wayland ? "waylandsink" : "ximagesink";
  if (!(wayland && *wayland) && !x_server_listens(x11)) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "DISPLAY is '%s' but no X server listens there: start it (or a virtual one: "
                "xvfb-run), fix DISPLAY, or set %s=fakesink (vidflow run --no-display) to run "
                "without showing the video",
                x11, VF_DISPLAY_SINK_ENV);
    return NULL;
  }
  GstElementFactory *f = gst_element_factory_find(sink);
  if (f == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "the display sink %s is not installed (Debian: gstreamer1.0-plugins-%s), or set "
                "%s to another video sink",
                sink, g_str_equal(sink, "ximagesink") ? "base" : "bad", VF_DISPLAY_SINK_ENV);
    return NULL;
  }
  gst_object_unref(f);
  return g_strdup(sink);
}
