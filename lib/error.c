/* vidflow: the error domain, and the helpers every concept reports with. */
#include "error-private.h"

GQuark vf_error_quark(void)
{
  return g_quark_from_static_string("vidflow-error-quark");
}

void vf_post_error(GstElement *element, GError *error)
{
  gst_element_post_message(element, gst_message_new_error(GST_OBJECT(element), error, NULL));
  g_error_free(error);
}

void vf_post_warning(GstElement *element, GError *warning)
{
  GST_WARNING_OBJECT(element, "%s", warning->message);
  gst_element_post_message(element, gst_message_new_warning(GST_OBJECT(element), warning, NULL));
  g_error_free(warning);
}

gboolean vf_arg_is_null(gconstpointer value, const char *what, const char *func, GError **error)
{
  if (value != NULL)
    return FALSE;
  g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "%s(): %s is NULL", func, what);
  return TRUE;
}
