/* vidflow: set element properties from strings (as gst-launch does) or typed values, with errors
 * that name the element, the property and what it accepts. */
#include "nvidia-names.h"
#include "property-private.h"
#include "short-text.h"

#include <string.h>

static GParamSpec *find_writable(GstElement *element, const char *property, GError **error)
{
  GParamSpec *pspec = g_object_class_find_property(G_OBJECT_GET_CLASS(element), property);
  if (pspec == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_PROPERTY,
                "element '%s' (%s) has no property '" VF_SHORT_FMT "': see gst-inspect-1.0 %s",
                GST_ELEMENT_NAME(element), G_OBJECT_TYPE_NAME(element), VF_SHORT(property),
                GST_OBJECT_NAME(gst_element_get_factory(element)));
    return NULL;
  }
  if (pspec->owner_type == GST_TYPE_OBJECT) {
    /* GstObject's "name" and "parent": the pipeline finds its elements by the name they were
     * added under, and a parent is what adding gives */
    g_set_error(error, VF_ERROR, VF_ERROR_PROPERTY,
                "property '%s' of element '%s' is the pipeline's to set: name an element when "
                "adding it (vf_pipeline_add's name, a graph node's 'name:')",
                property, GST_ELEMENT_NAME(element));
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
                "value '" VF_SHORT_FMT "' is out of range for property '%s' of element '%s': it "
                "takes %s",
                VF_SHORT(shown), pspec->name, GST_ELEMENT_NAME(element), accepted);
    g_free(accepted);
    return FALSE;
  }
  g_object_set_property(G_OBJECT(element), pspec->name, value);
  return TRUE;
}

/* Whether every structure name of a caps string is one gst_structure_validate_name() takes.
 * GStreamer 1.22's caps parser accepts other names and then fails an assertion (a critical)
 * making the structure, instead of returning an error: "0*'" as caps did that. */
static gboolean caps_names_valid(const char *s)
{
  if (g_str_equal(s, "ANY") || g_str_equal(s, "EMPTY") || g_str_equal(s, "NONE"))
    return TRUE;
  gboolean in_quotes = FALSE, at_name = TRUE;
  int depth = 0;
  for (const char *p = s; *p; p++) {
    if (at_name) {
      while (g_ascii_isspace(*p))
        p++;
      if (*p == '\0')
        break;
      if (!g_ascii_isalpha(*p))
        return FALSE;
      while (g_ascii_isalnum(*p) || (*p && strchr("/-_.:+", *p)))
        p++;
      if (*p != '\0' && *p != ',' && *p != ';' && *p != '(' && !g_ascii_isspace(*p))
        return FALSE;
      at_name = FALSE;
      if (*p == '\0')
        break;
    }
    if (in_quotes) {
      if (*p == '\\' && p[1])
        p++;
      else if (*p == '"')
        in_quotes = FALSE;
    } else if (*p == '"') {
      in_quotes = TRUE;
    } else if (strchr("([{<", *p)) {
      depth++;
    } else if (strchr(")]}>", *p)) {
      depth--;
    } else if (*p == ';' && depth == 0) {
      at_name = TRUE;
    }
  }
  return TRUE;
}

/* Whether brackets ([ { <) nest at most `allowed` deep, counted inside quotes too: GStreamer
 * 1.22's parser does not always take a quote where it could start a string for one (a 130-byte
 * caps string of brackets behind a quote took 14 s, found by fuzz-property), and real caps never
 * quote nested brackets. */
static gboolean nesting_within(const char *s, int allowed)
{
  int depth = 0;
  for (const char *c = s; *c; c++) {
    if (strchr("<{[", *c)) {
      if (++depth > allowed)
        return FALSE;
    } else if (strchr(">}]", *c)) {
      depth--;
    }
  }
  return TRUE;
}

/* Deepest nesting a caps or structure value may have: GStreamer 1.22 parses a bracket both as a
 * nested structure and as a list, so its time doubles with each level (a 170-byte caps string
 * of unclosed brackets took more than 10 s). Real caps nest one or two levels. */
#define CAPS_MAX_NESTING 4

/* Whether GStreamer 1.22's value parser can be given `s` for `pspec` safely: it fails badly
 * (criticals, a crash, exponential time) instead of returning an error on bytes that are not
 * UTF-8, caps structure names gst_structure_validate_name() refuses, deeply nested caps, and
 * arrays nested deeper than their element types ("<<1>>" for an array of integers casts the
 * integer spec to an array spec) or with type casts in them. */
static gboolean safe_for_gstreamer(GParamSpec *pspec, const char *s)
{
  if (!g_utf8_validate(s, -1, NULL))
    return FALSE;
  GType type = G_PARAM_SPEC_VALUE_TYPE(pspec);
  if (type == GST_TYPE_CAPS || type == GST_TYPE_STRUCTURE)
    return nesting_within(s, CAPS_MAX_NESTING) && (type != GST_TYPE_CAPS || caps_names_valid(s));
  if (GST_IS_PARAM_SPEC_ARRAY_LIST(pspec)) {
    int allowed = 0;
    for (GParamSpec *p = pspec; p && GST_IS_PARAM_SPEC_ARRAY_LIST(p);
         p = GST_PARAM_SPEC_ARRAY_LIST(p)->element_spec)
      allowed++;
    /* a type cast inside ("<0,(int)1>") sometimes crashes it too: the element type is known */
    return nesting_within(s, allowed) && strchr(s, '(') == NULL;
  }
  return TRUE;
}

gboolean vf_set_property_from_string(GstElement *element, const char *property, const char *value,
                                     GError **error)
{
  /* elements made for a DeepStream name take DeepStream's property spellings */
  VfNvidiaResult nv = vf_nvidia_set_property(element, property, value, error);
  if (nv != VF_NVIDIA_AS_IS)
    return nv == VF_NVIDIA_DONE;
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
  } else if (!safe_for_gstreamer(pspec, value)) {
    parsed = FALSE;
  } else {
    /* DeepStream's memory:NVMM caps: CPU frames (or batches) here */
    char *nvmm = G_PARAM_SPEC_VALUE_TYPE(pspec) == GST_TYPE_CAPS
                     ? vf_nvidia_translate_caps(element, value)
                     : NULL;
    parsed = gst_value_deserialize_with_pspec(&v, nvmm ? nvmm : value, pspec);
    g_free(nvmm);
  }
  gboolean ok = FALSE;
  if (!parsed) {
    char *accepted = describe_accepted(pspec);
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "cannot set property '%s' of element '%s' to '" VF_SHORT_FMT "': it takes %s",
                property, GST_ELEMENT_NAME(element), VF_SHORT(value), accepted);
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
  if (vf_nvidia_knows_property(element, property)) { /* mapped by its DeepStream name */
    char *text
        = G_VALUE_HOLDS_STRING(value) ? g_value_dup_string(value) : gst_value_serialize(value);
    gboolean ok = vf_set_property_from_string(element, property, text, error);
    g_free(text);
    return ok;
  }
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
                  "value " VF_SHORT_FMT " is out of range for property '%s' of element '%s': it "
                  "takes %s",
                  VF_SHORT(shown), property, GST_ELEMENT_NAME(element), accepted);
      g_free(accepted);
    } else {
      ok = set_checked(element, pspec, &v, shown, error);
    }
  }
  g_free(shown);
  g_value_unset(&v);
  return ok;
}
