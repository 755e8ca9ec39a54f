/* vidflow: smart recording from the application (record.h): start/stop through the recorders'
 * action signals (vfurisrcbin, vfsmartrecord), their VF_RECORDING_DONE messages read. */
#include <vidflow/record.h>

#include "error-private.h"
#include "pipeline-private.h"

/* A recorder's GError (GStreamer domains; transfer full: freed) in VF_ERROR, its text kept. */
static void to_vf_error(GError *in, GError **error)
{
  VfError code = VF_ERROR_FAILED;
  if (in->domain == GST_STREAM_ERROR && in->code == GST_STREAM_ERROR_FORMAT)
    code = VF_ERROR_UNSUPPORTED;
  else if (in->domain == GST_STREAM_ERROR || in->domain == GST_CORE_ERROR)
    code = in->code == GST_CORE_ERROR_MISSING_PLUGIN && in->domain == GST_CORE_ERROR
               ? VF_ERROR_NOT_FOUND
               : VF_ERROR_STATE;
  else if (in->domain == GST_RESOURCE_ERROR && in->code == GST_RESOURCE_ERROR_NOT_FOUND)
    code = VF_ERROR_NOT_FOUND;
  g_set_error_literal(error, VF_ERROR, code, in->message);
  g_error_free(in);
}

static GstElement *recorder(VfPipeline *pipeline, const char *element, const char *func,
                            GError **error)
{
  if (vf_arg_is_null(pipeline, "pipeline", func, error))
    return NULL;
  GstElement *e = vf_pipeline_lookup(pipeline, element, error);
  if (e && g_signal_lookup("start-recording", G_OBJECT_TYPE(e)) == 0) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "%s(): element '%s' (%s) does not record: smart recording is done by vfurisrcbin "
                "(smart-record=1) and vfsmartrecord",
                func, element, G_OBJECT_TYPE_NAME(e));
    return NULL;
  }
  return e;
}

gboolean vf_pipeline_start_recording(VfPipeline *pipeline, const char *element,
                                     guint seconds_before, guint duration, guint *session,
                                     GError **error)
{
  if (session)
    *session = 0;
  GstElement *e = recorder(pipeline, element, G_STRFUNC, error);
  if (e == NULL)
    return FALSE;
  guint id = 0;
  GError *err = NULL;
  g_signal_emit_by_name(e, "start-recording", seconds_before, duration, &err, &id);
  if (id == 0) {
    if (err == NULL)
      err = g_error_new(GST_CORE_ERROR, GST_CORE_ERROR_FAILED, "'%s' could not start a recording",
                        element);
    to_vf_error(err, error);
    return FALSE;
  }
  g_clear_error(&err);
  if (session)
    *session = id;
  return TRUE;
}

gboolean vf_pipeline_stop_recording(VfPipeline *pipeline, const char *element, guint session,
                                    GError **error)
{
  GstElement *e = recorder(pipeline, element, G_STRFUNC, error);
  if (e == NULL)
    return FALSE;
  gboolean ok = FALSE;
  GError *err = NULL;
  g_signal_emit_by_name(e, "stop-recording", session, &err, &ok);
  if (!ok) {
    if (err == NULL)
      err = g_error_new(GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, "'%s' is not recording",
                        element);
    to_vf_error(g_steal_pointer(&err), error); /* takes it */
  }
  g_clear_error(&err);
  return ok;
}

gboolean vf_recording_message_parse(GstMessage *message, VfRecordingInfo *out)
{
  if (out)
    *out = (VfRecordingInfo){ 0 };
  if (message == NULL || out == NULL || GST_MESSAGE_TYPE(message) != GST_MESSAGE_ELEMENT)
    return FALSE;
  const GstStructure *s = gst_message_get_structure(message);
  if (s == NULL || !gst_structure_has_name(s, VF_RECORDING_DONE))
    return FALSE;
  guint64 start = 0, duration = 0;
  out->element = GST_MESSAGE_SRC_NAME(message);
  out->source_id = -1;
  gst_structure_get_int(s, "source-id", &out->source_id);
  out->sensor_id = gst_structure_get_string(s, "sensor-id");
  gst_structure_get_uint(s, "session", &out->session);
  out->path = gst_structure_get_string(s, "path");
  gst_structure_get_uint64(s, "start", &start);
  gst_structure_get_uint64(s, "duration", &duration);
  out->start = start;
  out->duration = duration;
  gst_structure_get_int64(s, "start-wallclock", &out->start_wallclock);
  gst_structure_get_uint(s, "frames", &out->frames);
  out->reason = gst_structure_get_string(s, "reason");
  out->error = gst_structure_get_string(s, "error");
  return TRUE;
}

/* ---- the callback: a bus watch that reads the messages ---- */

typedef struct {
  VfRecordingCallbacks callbacks;
  gpointer user_data;
} Watch;

static void on_message(VfPipeline *pipeline, GstMessage *message, gpointer data)
{
  Watch *w = data;
  VfRecordingInfo info;
  if (vf_recording_message_parse(message, &info))
    w->callbacks.on_recording(pipeline, &info, w->user_data);
}

static void watch_free(gpointer data)
{
  Watch *w = data;
  if (w->callbacks.destroy)
    w->callbacks.destroy(w->user_data);
  g_free(w);
}

guint vf_pipeline_watch_recordings(VfPipeline *pipeline, const VfRecordingCallbacks *callbacks,
                                   gpointer user_data, GError **error)
{
  if (vf_arg_is_null(pipeline, "pipeline", G_STRFUNC, error)
      || vf_arg_is_null(callbacks, "callbacks", G_STRFUNC, error))
    return 0;
  if (callbacks->on_recording == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "%s(): the callbacks have no on_recording",
                G_STRFUNC);
    return 0;
  }
  Watch *w = g_new0(Watch, 1);
  w->callbacks = *callbacks;
  w->user_data = user_data;
  VfBusWatchCallbacks cb = { .on_message = on_message, .destroy = watch_free };
  guint id = vf_pipeline_add_bus_watch(pipeline, GST_MESSAGE_ELEMENT, &cb, w, error);
  if (id == 0)
    g_free(w); /* no callback ran: user_data stays the caller's */
  return id;
}
