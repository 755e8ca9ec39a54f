/* vidflow: events and payloads (vidflow/message.h), reference-counted values kept in a frame's
 * user meta. A buffer copy shares them (they are immutable once attached). */
#include <vidflow/message.h>

static const char *const event_names[]
    = { "entry", "exit", "moving", "stopped", "empty", "parked", "reset", "custom" };

struct _VfEvent {
  gint refcount;
  VfEventType type;
  char *custom_type;
  VfObjectMeta *object; /* ref, nullable */
  gint place_id, module_id;
  char *sensor_id, *video_path;
};

VfEvent *vf_event_new(VfEventType type, VfObjectMeta *object)
{
  VfEvent *e = g_new0(VfEvent, 1);
  e->refcount = 1;
  e->type = type <= VF_EVENT_CUSTOM ? type : VF_EVENT_CUSTOM;
  e->object = object ? vf_object_meta_ref(object) : NULL;
  e->place_id = e->module_id = VF_EVENT_ID_FROM_SOURCE;
  return e;
}

VfEvent *vf_event_ref(VfEvent *event)
{
  if (event)
    g_atomic_int_inc(&event->refcount);
  return event;
}

void vf_event_unref(VfEvent *event)
{
  if (event == NULL || !g_atomic_int_dec_and_test(&event->refcount))
    return;
  if (event->object)
    vf_object_meta_unref(event->object);
  g_free(event->custom_type);
  g_free(event->sensor_id);
  g_free(event->video_path);
  g_free(event);
}

VfEventType vf_event_get_event_type(const VfEvent *event)
{
  return event ? event->type : VF_EVENT_CUSTOM;
}

const char *vf_event_get_type_name(const VfEvent *event)
{
  if (event == NULL)
    return NULL;
  if (event->type == VF_EVENT_CUSTOM && event->custom_type)
    return event->custom_type;
  return event_names[event->type];
}

void vf_event_set_custom_type(VfEvent *event, const char *name)
{
  if (event == NULL)
    return;
  g_free(event->custom_type);
  event->custom_type = g_strdup(name);
  event->type = VF_EVENT_CUSTOM;
}

VfObjectMeta *vf_event_get_object(const VfEvent *event)
{
  return event && event->object ? vf_object_meta_ref(event->object) : NULL;
}

void vf_event_set_place_id(VfEvent *event, gint place_id)
{
  if (event)
    event->place_id = place_id;
}

gint vf_event_get_place_id(const VfEvent *event)
{
  return event ? event->place_id : VF_EVENT_ID_FROM_SOURCE;
}

void vf_event_set_module_id(VfEvent *event, gint module_id)
{
  if (event)
    event->module_id = module_id;
}

gint vf_event_get_module_id(const VfEvent *event)
{
  return event ? event->module_id : VF_EVENT_ID_FROM_SOURCE;
}

void vf_event_set_sensor_id(VfEvent *event, const char *sensor_id)
{
  if (event == NULL)
    return;
  g_free(event->sensor_id);
  event->sensor_id = g_strdup(sensor_id);
}

const char *vf_event_get_sensor_id(const VfEvent *event)
{
  return event ? event->sensor_id : NULL;
}

void vf_event_set_video_path(VfEvent *event, const char *path)
{
  if (event == NULL)
    return;
  g_free(event->video_path);
  event->video_path = g_strdup(path);
}

const char *vf_event_get_video_path(const VfEvent *event)
{
  return event ? event->video_path : NULL;
}

/* ---- payloads ---- */

struct _VfPayload {
  gint refcount;
  GBytes *data;
  guint source_id;
  guint64 frame_number;
  char *key;
};

VfPayload *vf_payload_new(GBytes *data, guint source_id, guint64 frame_number, const char *key)
{
  VfPayload *p = g_new0(VfPayload, 1);
  p->refcount = 1;
  p->data = data ? g_bytes_ref(data) : g_bytes_new_static("", 0);
  p->source_id = source_id;
  p->frame_number = frame_number;
  p->key = g_strdup(key);
  return p;
}

VfPayload *vf_payload_ref(VfPayload *payload)
{
  if (payload)
    g_atomic_int_inc(&payload->refcount);
  return payload;
}

void vf_payload_unref(VfPayload *payload)
{
  if (payload == NULL || !g_atomic_int_dec_and_test(&payload->refcount))
    return;
  g_bytes_unref(payload->data);
  g_free(payload->key);
  g_free(payload);
}

GBytes *vf_payload_get_data(const VfPayload *payload)
{
  return payload ? payload->data : NULL;
}

guint vf_payload_get_source_id(const VfPayload *payload)
{
  return payload ? payload->source_id : 0;
}

guint64 vf_payload_get_frame_number(const VfPayload *payload)
{
  return payload ? payload->frame_number : 0;
}

const char *vf_payload_get_key(const VfPayload *payload)
{
  return payload ? payload->key : NULL;
}

/* ---- on frames ---- */

static gpointer copy_event(gconstpointer data)
{
  return vf_event_ref((VfEvent *)data);
}

static gpointer copy_payload(gconstpointer data)
{
  return vf_payload_ref((VfPayload *)data);
}

gboolean vf_frame_meta_add_event(VfFrameMeta *frame, VfEvent *event)
{
  if (frame == NULL || event == NULL)
    return FALSE;
  vf_frame_meta_add_user_meta(frame, VF_EVENT_META_TYPE, vf_event_ref(event), copy_event,
                              (GDestroyNotify)vf_event_unref);
  return TRUE;
}

gboolean vf_frame_meta_add_payload(VfFrameMeta *frame, VfPayload *payload)
{
  if (frame == NULL || payload == NULL)
    return FALSE;
  vf_frame_meta_add_user_meta(frame, VF_PAYLOAD_META_TYPE, vf_payload_ref(payload), copy_payload,
                              (GDestroyNotify)vf_payload_unref);
  return TRUE;
}

/* References to the user meta of `type` (interned), in order. */
static GPtrArray *collect(VfFrameMeta *frame, const char *type, gpointer (*ref)(gpointer),
                          GDestroyNotify unref)
{
  GPtrArray *out = g_ptr_array_new_with_free_func(unref);
  if (frame == NULL)
    return out;
  const char *want = g_intern_static_string(type);
  guint n = vf_frame_meta_get_n_user_meta(frame);
  for (guint i = 0; i < n; i++) {
    const char *t = NULL;
    gpointer data = vf_frame_meta_get_nth_user_meta(frame, i, &t);
    if (t == want && data)
      g_ptr_array_add(out, ref(data));
  }
  return out;
}

GPtrArray *vf_frame_meta_get_events(VfFrameMeta *frame)
{
  return collect(frame, VF_EVENT_META_TYPE, (gpointer(*)(gpointer))vf_event_ref,
                 (GDestroyNotify)vf_event_unref);
}

GPtrArray *vf_frame_meta_get_payloads(VfFrameMeta *frame)
{
  return collect(frame, VF_PAYLOAD_META_TYPE, (gpointer(*)(gpointer))vf_payload_ref,
                 (GDestroyNotify)vf_payload_unref);
}

guint vf_frame_meta_remove_events(VfFrameMeta *frame)
{
  return frame ? vf_frame_meta_remove_user_meta(frame, VF_EVENT_META_TYPE) : 0;
}
