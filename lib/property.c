/* vidflow: set element properties from strings (as gst-launch does) or typed values, with errors
 * that name the element, the property and what it accepts. */
#include "property-private.h"

static GParamSpec *find_writable(GstElement *element, const char *property, GError **error)
{
  GParamSpec *pspec = g_object_class_find_property(G_OBJECT_GET_CLASS(element), property);
  if (pspec == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_PROPERTY,
                "element '%s' (%s) has no property '%s': see gst-inspect-1.0 %s",
                GST_ELEMENT_NAME(element), G_OBJECT_TYPE_NAME(element), property,
                GST_OBJECT_NAME(gst_element_get_factory(element)));
    return NULL;
  }
  if (!(pspec->flags & G_PARAM_WRITABLE)) {
    g_set_error(error, VF_ERROR, VF_ERROR_PROPERTY, "property '%s' of element '%s' is read-only",
                property, GST_ELEMENT_NAME(element));
    return NULL;
  }
  if (pspec->flags & G_PARAM_CONSTRUCT_ONLY) {
    g_set_error(error, VF_ERROR, VF_ERROR_PROPERTY,
                "property '%s' of element '%s' can only be set at construction", property,
                GST_ELEMENT_NAME(element));
    return NULL;
  }
  return pspec;
}

/* What a property accepts, for error messages. */
static char *describe_accepted(GParamSpec *pspec)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE(pspec);
  if (G_IS_PARAM_SPEC_ENUM(pspec)) {
    GEnumClass *klass = G_PARAM_SPEC_ENUM(pspec)->enum_class;
    GString *s = g_string_new("one of");
    for (guint i = 0; i < klass->n_values; i++)
      g_string_append_printf(s, "%s %s (%d)", i ? "," : "", klass->values[i].value_nick,
                             klass->values[i].value);
    return g_string_free(s, FALSE);
  }
  if (G_IS_PARAM_SPEC_FLAGS(pspec)) {
    GFlagsClass *klass = G_PARAM_SPEC_FLAGS(pspec)->flags_class;
    GString *s = g_string_new("flags joined by '+' from");
    for (guint i = 0; i < klass->n_values; i++)
      g_string_append_printf(s, "%s %s", i ? "," : "", klass->values[i].value_nick);
    return g_string_free(s, FALSE);
  }
#define RANGE(T, CAST, FMT)                                                                        \
  if (G_IS_PARAM_SPEC_##T(pspec))                                                                  \
    return g_strdup_printf("a number from " FMT " to " FMT,                                        \
                           (CAST)G_PARAM_SPEC_##T(pspec)->minimum,                                 \
                           (CAST)G_PARAM_SPEC_##T(pspec)->maximum);
  RANGE(INT, gint64, "%" G_GINT64_FORMAT)
  RANGE(UINT, guint64, "%" G_GUINT64_FORMAT)
  RANGE(LONG, gint64, "%" G_GINT64_FORMAT)
  RANGE(ULONG, guint64, "%" G_GUINT64_FORMAT)
  RANGE(INT64, gint64, "%" G_GINT64_FORMAT)
  RANGE(UINT64, guint64, "%" G_GUINT64_FORMAT)
  RANGE(DOUBLE, gdouble, "%g")
  RANGE(FLOAT, gdouble, "%g")
#undef RANGE
  if (type == G_TYPE_BOOLEAN)
    return g_strdup("true or false");
  if (type == GST_TYPE_CAPS)
    return g_strdup("caps such as \"video/x-raw,format=RGB,width=640,height=480\"");
  if (type == GST_TYPE_FRACTION)
    return g_strdup("a fraction such as 30/1");
  return g_strdup_printf("a %s", g_type_name(type));
}

static gboolean set_checked(GstElement *element, GParamSpec *pspec, GValue *value,
                            const char *shown, GError **error)
{
  /* g_param_value_validate clamps and says so: out of range is an error, not a silent clamp. */
  if (g_param_value_validate(pspec, value)) {
    char *accepted = describe_accepted(pspec);
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "value '%s' is out of range for property '%s' of element '%s': it takes %s", shown,
                pspec->name, GST_ELEMENT_NAME(element), accepted);
    g_free(accepted);
    return FALSE;
  }
  g_object_set_property(G_OBJECT(element), pspec->name, value);
  return TRUE;
}

gboolean vf_set_property_from_string(GstElement *element, const char *property, const char *value,
                                     GError **error)
{
  GParamSpec *pspec = find_writable(element, property, error);
  if (pspec == NULL)
    return FALSE;
  if (value == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "property '%s' of element '%s' has no value",
                property, GST_ELEMENT_NAME(element));
    return FALSE;
  }
  GValue v = G_VALUE_INIT;
  g_value_init(&v, G_PARAM_SPEC_VALUE_TYPE(pspec));
  gboolean parsed;
  if (G_PARAM_SPEC_VALUE_TYPE(pspec) == G_TYPE_STRING) {
    g_value_set_string(&v, value); /* taken as is: no quoting rules for plain strings */
    parsed = TRUE;
  } else {
    parsed = gst_value_deserialize_with_pspec(&v, value, pspec);
  }
  gboolean ok = FALSE;
  if (!parsed) {
    char *accepted = describe_accepted(pspec);
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "cannot set property '%s' of element '%s' to '%s': it takes %s", property,
                GST_ELEMENT_NAME(element), value, accepted);
    g_free(accepted);
  } else {
    ok = set_checked(element, pspec, &v, value, error);
  }
  g_value_unset(&v);
  return ok;
}

gboolean vf_set_property_value(GstElement *element, const char *property, const GValue *value,
                               GError **error)
{
  GParamSpec *pspec = find_writable(element, property, error);
  if (pspec == NULL)
    return FALSE;
  GType want = G_PARAM_SPEC_VALUE_TYPE(pspec);
  GValue v = G_VALUE_INIT;
  g_value_init(&v, want);
  gboolean ok = FALSE;
  char *shown = g_strdup_value_contents(value);
  if (!g_value_type_transformable(G_VALUE_TYPE(value), want) || !g_value_transform(value, &v)) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "property '%s' of element '%s' is a %s; a %s cannot be converted to it", property,
                GST_ELEMENT_NAME(element), g_type_name(want), g_type_name(G_VALUE_TYPE(value)));
  } else {
    /* A transform may have truncated (gint64 -> gint): compare back before setting. */
    GValue back = G_VALUE_INIT;
    g_value_init(&back, G_VALUE_TYPE(value));
    gboolean same
        = g_value_transform(&v, &back) && gst_value_compare(&back, value) == GST_VALUE_EQUAL;
    g_value_unset(&back);
    if (!same && G_VALUE_HOLDS(value, G_TYPE_INT64)) {
      char *accepted = describe_accepted(pspec);
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                  "value %s is out of range for property '%s' of element '%s': it takes %s", shown,
                  property, GST_ELEMENT_NAME(element), accepted);
      g_free(accepted);
    } else {
      ok = set_checked(element, pspec, &v, shown, error);
    }
  }
  g_free(shown);
  g_value_unset(&v);
  return ok;
}
