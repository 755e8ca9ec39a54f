/* vidflow: the built-in "add_message_meta_probe" (Service Maker's message meta generator): on
 * every frame-interval-th frame of each source, one event per object, for vfmsgconv to turn
 * into messages. Vehicles are MOVING events, everything else ENTRY events (as Service Maker's
 * generator does); the sensor id and video path come from a source list when one is given. */
#include "custom-private.h"
#include "msgconv-private.h"
#include "probe-private.h"
#include "source-list.h"

typedef struct {
  gint64 interval;
  VfSourceList *sources; /* nullable */
  GPtrArray *labels;     /* char*, by class id; nullable */
  GHashTable *frames;    /* source id -> frames seen (guint64 in the pointer) */
} MessageProbe;

static void message_probe_free(gpointer data)
{
  MessageProbe *m = data;
  if (m->sources)
    vf_source_list_free(m->sources);
  if (m->labels)
    g_ptr_array_unref(m->labels);
  g_hash_table_unref(m->frames);
  g_free(m);
}

static const char *label_of(MessageProbe *m, VfObjectMeta *o)
{
  gint class_id = vf_object_meta_get_class_id(o);
  if (m->labels && class_id >= 0 && (guint)class_id < m->labels->len)
    return m->labels->pdata[class_id];
  return vf_object_meta_get_label(o);
}

static const char events_given[] = "events given";

static gpointer copy_mark(gconstpointer data)
{
  return (gpointer)data;
}

/* Streaming thread. */
static void add_events(VfBatchMeta *batch, gpointer user_data)
{
  MessageProbe *m = user_data;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(batch); i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(batch, i);
    guint source = vf_frame_meta_get_source_id(frame);
    /* vfmsgconv: this frame's events are all there is, none included */
    if (vf_frame_meta_get_user_meta(frame, VF_EVENTS_GIVEN_META_TYPE) == NULL)
      vf_frame_meta_add_user_meta(frame, VF_EVENTS_GIVEN_META_TYPE, (gpointer)events_given,
                                  copy_mark, NULL);
    gpointer key = GUINT_TO_POINTER(source);
    guint64 seen = (guint64)GPOINTER_TO_SIZE(g_hash_table_lookup(m->frames, key));
    g_hash_table_insert(m->frames, key, GSIZE_TO_POINTER((gsize)(seen + 1)));
    if (seen % (guint64)m->interval != 0)
      continue;
    const char *sensor = NULL, *uri = NULL;
    if (m->sources && source < m->sources->uris->len) {
      sensor = g_ptr_array_index(m->sources->sensor_ids, source);
      uri = g_ptr_array_index(m->sources->uris, source);
    }
    GPtrArray *objects = vf_frame_meta_get_objects(frame);
    for (guint k = 0; k < objects->len; k++) {
      VfObjectMeta *o = objects->pdata[k];
      VfEvent *e = vf_event_new(
          vf_msgconv_is_vehicle(label_of(m, o)) ? VF_EVENT_MOVING : VF_EVENT_ENTRY, o);
      if (sensor)
        vf_event_set_sensor_id(e, sensor);
      if (uri)
        vf_event_set_video_path(e, uri);
      vf_frame_meta_add_event(frame, e);
      vf_event_unref(e);
    }
    g_ptr_array_unref(objects);
  }
}

static GPtrArray *read_labels(const char *path, GError **error)
{
  char *text = NULL;
  GError *err = NULL;
  if (!g_file_get_contents(path, &text, NULL, &err)) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND, "%s: label-file: %s",
                VF_PROBE_ADD_MESSAGE_META, err->message);
    g_error_free(err);
    return NULL;
  }
  GPtrArray *labels = g_ptr_array_new_with_free_func(g_free);
  char **lines = g_strsplit(text, "\n", -1);
  for (char **l = lines; *l; l++) {
    g_strstrip(*l);
    if (**l || l[1]) /* a blank last line is the file's final newline */
      g_ptr_array_add(labels, g_strdup(*l));
  }
  g_strfreev(lines);
  g_free(text);
  return labels;
}

VfProbe *vf_message_probe_new(const char *instance, const VfParams *params, GError **error)
{
  gint64 interval = vf_params_get_int(params, "frame-interval");
  const char *source_config = vf_params_get_string(params, "source-config");
  const char *label_file = vf_params_get_string(params, "label-file");
  if (interval < 1) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "%s: frame-interval must be at least 1 (1: every frame), not %" G_GINT64_FORMAT,
                VF_PROBE_ADD_MESSAGE_META, interval);
    return NULL;
  }
  MessageProbe *m = g_new0(MessageProbe, 1);
  m->interval = interval;
  m->frames = g_hash_table_new(NULL, NULL);
  gboolean ok = TRUE;
  if (source_config && *source_config) {
    m->sources = vf_source_list_load(source_config, error);
    ok = m->sources != NULL;
  }
  if (ok && label_file && *label_file) {
    m->labels = read_labels(label_file, error);
    ok = m->labels != NULL;
  }
  if (!ok) {
    message_probe_free(m);
    return NULL;
  }
  VfProbeCallbacks cb = { .on_batch_meta = add_events, .destroy = message_probe_free };
  return vf_probe_new(instance ? instance : VF_PROBE_ADD_MESSAGE_META, &cb, m);
}
