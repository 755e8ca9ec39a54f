/* vidflow: the source messages of vfmux and vfurisrcbin, read into a VfSourceMessage, and its
 * source events (a source ended or left). */
#include <vidflow/source.h>

static const struct {
  const char *name;
  VfSourceMessageType type;
} kinds[] = {
  { VF_SOURCE_ADDED, VF_SOURCE_MESSAGE_ADDED },
  { VF_SOURCE_REMOVED, VF_SOURCE_MESSAGE_REMOVED },
  { VF_SOURCE_EOS, VF_SOURCE_MESSAGE_EOS },
  { VF_SOURCE_RECONNECTING, VF_SOURCE_MESSAGE_RECONNECTING },
  { VF_SOURCE_ERROR, VF_SOURCE_MESSAGE_ERROR },
};

gboolean vf_source_message_parse(GstMessage *message, VfSourceMessage *out)
{
  if (out)
    *out = (VfSourceMessage){ 0 };
  if (message == NULL || out == NULL || GST_MESSAGE_TYPE(message) != GST_MESSAGE_ELEMENT)
    return FALSE;
  const GstStructure *s = gst_message_get_structure(message);
  VfSourceMessageType type = 0;
  for (guint i = 0; s && i < G_N_ELEMENTS(kinds) && type == 0; i++)
    if (gst_structure_has_name(s, kinds[i].name))
      type = kinds[i].type;
  if (type == 0)
    return FALSE;
  out->type = type;
  out->element = GST_MESSAGE_SRC_NAME(message);
  out->delay = GST_CLOCK_TIME_NONE;
  out->source_id = -1;
  guint id;
  if (gst_structure_get_uint(s, "source-id", &id))
    out->source_id = (gint)id;
  else
    gst_structure_get_int(s, "source-id", &out->source_id);
  out->pad_name = gst_structure_get_string(s, "pad-name");
  if (type == VF_SOURCE_MESSAGE_ERROR) {
    out->uri = gst_structure_get_string(s, "uri");
    out->sensor_id = gst_structure_get_string(s, "sensor-id");
    out->error = gst_structure_get_string(s, "error");
  }
  if (type == VF_SOURCE_MESSAGE_RECONNECTING) {
    out->uri = gst_structure_get_string(s, "uri");
    gst_structure_get_uint(s, "attempt", &out->attempt);
    gst_structure_get_uint64(s, "delay", &out->delay);
  }
  return TRUE;
}

gboolean vf_source_event_is_end(GstEvent *event, guint *source_id)
{
  if (event == NULL || GST_EVENT_TYPE(event) != GST_EVENT_CUSTOM_DOWNSTREAM)
    return FALSE;
  const GstStructure *s = gst_event_get_structure(event);
  guint id;
  if (s == NULL
      || !(gst_structure_has_name(s, VF_SOURCE_EOS) || gst_structure_has_name(s, VF_SOURCE_REMOVED))
      || !gst_structure_get_uint(s, "source-id", &id))
    return FALSE;
  if (source_id)
    *source_id = id;
  return TRUE;
}
