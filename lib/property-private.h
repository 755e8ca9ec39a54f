/* vidflow: element properties set from strings or GValues (property.c). */
#pragma once

#include <gst/gst.h>
#include <vidflow/error.h>

/* A string or GValue converted by the property's type, range-checked. */
gboolean vf_set_property_from_string(GstElement *element, const char *property, const char *value,
                                     GError **error);
gboolean vf_set_property_value(GstElement *element, const char *property, const GValue *value,
                               GError **error);
