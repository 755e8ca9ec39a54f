/* vidflow: linking elements by pad specs, including pads that appear later (link.c). */
#pragma once

#include <gst/gst.h>
#include <vidflow/error.h>

gboolean vf_link_pads(GstElement *src, const char *src_pad, GstElement *sink, const char *sink_pad,
                      GError **error);
