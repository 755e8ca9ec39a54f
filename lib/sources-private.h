/* vidflow: what the Flow's batch_capture shares with VfSources (sources.c). */
#pragma once

#include <vidflow/sources.h>

/* A URI from a URI or a path (relative to base_dir, NULL: the current folder); files must exist
 * and the scheme must have a GStreamer source. Errors name `func`. (transfer full) or NULL. */
char *vf_sources_resolve_uri(const char *func, const char *in, const char *base_dir,
                             GError **error);
