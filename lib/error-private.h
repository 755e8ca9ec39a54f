/* vidflow: reporting errors, shared by every concept (no dependency on the pipeline). */
#pragma once

#include <gst/gst.h>
#include <vidflow/error.h>

/* Post `error` (transfer full) on the bus as an error message from `element` (any thread). */
void vf_post_error(GstElement *element, GError *error);
/* Post `warning` (transfer full) on the bus as a warning message from `element` (bus watches and
 * the vidflow command see it), also logged in GStreamer's log (GST_DEBUG=*:2). Any thread. */
void vf_post_warning(GstElement *element, GError *warning);

/* For the argument checks of public functions: TRUE when `value` is NULL, with *error set to
 * VF_ERROR_ARGUMENT "<func>(): <what> is NULL". Use as
 *   if (vf_arg_is_null(pipeline, "pipeline", G_STRFUNC, error))
 *     return FALSE; */
gboolean vf_arg_is_null(gconstpointer value, const char *what, const char *func, GError **error);
