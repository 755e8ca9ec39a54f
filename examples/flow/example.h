/* Helpers shared by the Flow examples: inputs from the command line, the render mode, errors. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <vidflow/vidflow.h>

/* Exit status meaning "skipped" for the test suite. */
#define EXAMPLE_SKIP 77

/* DISPLAY where there is a display; otherwise DISCARD, saying so (the same flow, frames
 * dropped instead of shown). */
static inline VfRenderMode example_render_mode(void)
{
  if (g_getenv("DISPLAY") || g_getenv("WAYLAND_DISPLAY"))
    return VF_RENDER_DISPLAY;
  fprintf(stderr, "no display (DISPLAY is not set): rendering with DISCARD instead of DISPLAY\n");
  return VF_RENDER_DISCARD;
}

/* The video to use: argv[1], or the footage from tools/fetch-assets.sh. */
static inline const char *example_video(int argc, char **argv)
{
  if (argc > 1)
    return argv[1];
  static char path[4096];
  const char *data = g_getenv("VIDFLOW_DATA_DIR");
  g_snprintf(path, sizeof path, "%s/footage/vtest.avi", data ? data : "data");
  return path;
}

/* Run the flow (the seed's flow()), print the error if any; the exit status. */
static inline int example_run_keep(VfFlow *flow)
{
  GError *error = NULL;
  vf_handle_interrupts();
  int status = vf_flow_run(flow, &error) ? 0 : 1;
  if (error) {
    fprintf(stderr, "error: %s\n", error->message);
    g_error_free(error);
  }
  return status;
}

/* The same, then free the flow. */
static inline int example_run(VfFlow *flow)
{
  int status = example_run_keep(flow);
  vf_flow_free(flow);
  return status;
}
