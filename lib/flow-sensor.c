/* vidflow: sensor ids and names from a source list into the frame metadata: set on the vfmux sink
 * pad of each source (its sensor-id / sensor-name pad properties), which stamps every frame. */
#include "flow-private.h"

gboolean vf_flow_sensor_meta_attach(FlowOp *op, VfSourceList *list, GError **error)
{
  FlowStream *s = g_ptr_array_index(op->flow->streams, 0);
  GstElement *mux = vf_pipeline_get_element(op->flow->root->pipeline, s->element);
  for (guint i = 0; mux && i < list->sensor_ids->len; i++) {
    const char *id = g_ptr_array_index(list->sensor_ids, i);
    const char *name = g_ptr_array_index(list->sensor_names, i);
    if (id == NULL && name == NULL)
      continue;
    char pad_name[32];
    g_snprintf(pad_name, sizeof pad_name, "sink_%u", i);
    GstPad *pad = gst_element_get_static_pad(mux, pad_name);
    if (pad == NULL || !g_object_class_find_property(G_OBJECT_GET_CLASS(pad), "sensor-id")) {
      g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                  "%s(): %s: source %u has a sensor id/name but muxer '%s' has no pad %s with "
                  "sensor-id/sensor-name",
                  op->op, list->path, i, s->element, pad_name);
      if (pad)
        gst_object_unref(pad);
      return FALSE;
    }
    if (id)
      g_object_set(pad, "sensor-id", id, NULL);
    if (name)
      g_object_set(pad, "sensor-name", name, NULL);
    gst_object_unref(pad);
  }
  return TRUE;
}
