/* vidflow command: warnings and source reconnections of a running pipeline, on stderr. */
#include "report.h"

static void on_message(VfPipeline *pipeline, GstMessage *message, gpointer data)
{
  (void)pipeline;
  const char *clear = GPOINTER_TO_INT(data) ? "\r\033[K" : "";
  VfSourceMessage source;
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_WARNING) {
    GError *err = NULL;
    gst_message_parse_warning(message, &err, NULL);
    g_printerr("%svidflow: warning: element '%s': %s\n", clear, GST_MESSAGE_SRC_NAME(message),
               err->message);
    g_error_free(err);
  } else if (vf_source_message_parse(message, &source)
             && source.type == VF_SOURCE_MESSAGE_RECONNECTING) {
    g_printerr("%svidflow: source '%s' (%s) lost: reconnecting, attempt %u in %.1f s\n", clear,
               source.element, source.uri ? source.uri : "?", source.attempt,
               (double)source.delay / GST_SECOND);
  }
}

void vf_cmd_report_messages(VfPipeline *pipeline, gboolean live)
{
  VfBusWatchCallbacks cb = { .on_message = on_message };
  GError *err = NULL;
  if (vf_pipeline_add_bus_watch(pipeline, GST_MESSAGE_WARNING | GST_MESSAGE_ELEMENT, &cb,
                                GINT_TO_POINTER(live), &err)
      == 0) {
    g_printerr("vidflow: warnings will not be shown: %s\n", err->message);
    g_error_free(err);
  }
}
