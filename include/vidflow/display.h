/* vidflow: where video is shown. One rule for every display sink vidflow makes: Flow
 * render(DISPLAY), DeepStream's nveglglessink/nv3dsink (vfdisplaysink), `vidflow run`. */
#pragma once

#include <glib.h>
#include <vidflow/export.h>

G_BEGIN_DECLS

/* Set to a sink factory to show video with it instead; "fakesink" runs display graphs headless
 * (the frames flow and are dropped), as `vidflow run --no-display` does. */
#define VF_DISPLAY_SINK_ENV "VIDFLOW_DISPLAY_SINK"

/* The sink factory that shows video here (transfer full): $VIDFLOW_DISPLAY_SINK when set, else
 * waylandsink under Wayland (WAYLAND_DISPLAY), else ximagesink (DISPLAY; set
 * VIDFLOW_DISPLAY_SINK=xvimagesink for Xv scaling). Never autovideosink: with no usable display it
 * goes on to console sinks, and DirectFB's crashes the process. NULL with an error
 * (VF_ERROR_UNSUPPORTED) naming the way out when nothing can show video: no display, or a local X
 * display (":N") with no server listening; VF_ERROR_NOT_FOUND when the sink is not installed.
 * Any thread. */
VF_API char *vf_display_sink_choose(GError **error);

G_END_DECLS
