/* vidflow command: warnings, infos (a message broker reachable again), source messages and
 * finished recordings of a running pipeline, on stderr. */
#include "report.h"

enum { REPORT_LIVE = 1 << 0, REPORT_SOURCES = 1 << 1 };

static void on_message(VfPipeline *pipeline, GstMessage *message, gpointer data)
{
  (void)pipeline;
  guint flags = GPOINTER_TO_UINT(data);
  const char *clear = flags & REPORT_LIVE ? "\r\033[K" : "";
  gboolean lifecycle = flags & REPORT_SOURCES;
  VfSourceMessage source;
  VfRecordingInfo clip;
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_WARNING) {
    GError *err = NULL;
    gst_message_parse_warning(message, &err, NULL);
    g_printerr("%svidflow: warning: element '%s': %s\n", clear, GST_MESSAGE_SRC_NAME(message),
               err->message);
    g_error_free(err);
  } else if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_INFO) { /* e.g. a broker back */
    GError *err = NULL;
    gst_message_parse_info(message, &err, NULL);
    g_printerr("%svidflow: element '%s': %s\n", clear, GST_MESSAGE_SRC_NAME(message), err->message);
    g_error_free(err);
  } else if (vf_source_message_parse(message, &source)) {
    switch (source.type) {
    case VF_SOURCE_MESSAGE_RECONNECTING:
      g_printerr("%svidflow: source '%s' (%s) lost: reconnecting, attempt %u in %.1f s\n", clear,
                 source.element, source.uri ? source.uri : "?", source.attempt,
                 (double)source.delay / GST_SECOND);
      break;
    case VF_SOURCE_MESSAGE_ADDED:
      if (lifecycle)
        g_printerr("%svidflow: source %d added (%s:%s)\n", clear, source.source_id, source.element,
                   source.pad_name ? source.pad_name : "?");
      break;
    case VF_SOURCE_MESSAGE_EOS:
      if (lifecycle)
        g_printerr("%svidflow: source %d ended (%s:%s)\n", clear, source.source_id, source.element,
                   source.pad_name ? source.pad_name : "?");
      break;
    case VF_SOURCE_MESSAGE_REMOVED:
      if (lifecycle)
        g_printerr("%svidflow: source %d removed (%s:%s)\n", clear, source.source_id,
                   source.element, source.pad_name ? source.pad_name : "?");
      break;
    case VF_SOURCE_MESSAGE_ERROR:
      g_printerr("%svidflow: source %d failed and is removed: %s\n", clear, source.source_id,
                 source.error ? source.error : "?");
      break;
    }
  } else if (vf_recording_message_parse(message, &clip)) {
    if (clip.path)
      g_printerr("%svidflow: recording '%s': %u frames, %.2f s (%s)\n", clear, clip.path,
                 clip.frames, (double)clip.duration / GST_SECOND, clip.reason);
    else
      g_printerr("%svidflow: recording of '%s' failed: %s\n", clear, clip.element,
                 clip.error ? clip.error : "?");
  }
}

void vf_cmd_report_messages(VfPipeline *pipeline, gboolean live, gboolean sources)
{
  guint flags = (live ? REPORT_LIVE : 0) | (sources ? REPORT_SOURCES : 0);
  VfBusWatchCallbacks cb = { .on_message = on_message };
  GError *err = NULL;
  if (vf_pipeline_add_bus_watch(pipeline,
                                GST_MESSAGE_WARNING | GST_MESSAGE_INFO | GST_MESSAGE_ELEMENT, &cb,
                                GUINT_TO_POINTER(flags), &err)
      == 0) {
    g_printerr("vidflow: warnings will not be shown: %s\n", err->message);
    g_error_free(err);
  }
}
