/* vfsmartrecord: smart recording of an encoded stream (DeepStream's smart record bin), for
 * pipelines that have the parsed stream at hand: ... ! h264parse ! vfsmartrecord. */
#pragma once

#include <gst/base/gstbasesink.h>

G_BEGIN_DECLS

#define VF_TYPE_SMART_RECORD (vf_smart_record_get_type())
G_DECLARE_FINAL_TYPE(VfSmartRecord, vf_smart_record, VF, SMART_RECORD, GstBaseSink)

GST_ELEMENT_REGISTER_DECLARE(vfsmartrecord);

/* The smart-rec-* properties, shared with vfurisrcbin (same names, ranges and defaults). */
enum {
  VF_SR_PROP_CACHE = 1000,
  VF_SR_PROP_CACHE_MAX_BYTES,
  VF_SR_PROP_CONTAINER,
  VF_SR_PROP_DIR_PATH,
  VF_SR_PROP_FILE_PREFIX,
  VF_SR_PROP_DEFAULT_DURATION,
  VF_SR_PROP_CACHED,       /* read-only: what the ring holds now */
  VF_SR_PROP_CACHED_BYTES, /* read-only */
};
typedef struct _VfSrCore VfSrCore;
typedef struct {
  guint cache_s;
  guint64 max_bytes;
  gint container;
  char *dir, *prefix;
  guint default_duration_s;
} VfSrProps;

/* Installs the smart-rec-* properties on `oclass` (ids above). */
void vf_sr_props_install(GObjectClass *oclass);
void vf_sr_props_init(VfSrProps *props);
void vf_sr_props_clear(VfSrProps *props);
/* TRUE when `id` is one of them (set/get done). `core` (nullable) gets the new configuration. */
gboolean vf_sr_props_set(VfSrProps *props, VfSrCore *core, guint id, const GValue *value);
gboolean vf_sr_props_get(const VfSrProps *props, guint id, GValue *value);
/* TRUE when `id` is one of the read-only ring figures (read from `core`, which takes its own
 * lock: call it without the element's lock). */
gboolean vf_sr_stats_get(VfSrCore *core, guint id, GValue *value);
/* Installs the action signals on element type `type`:
 *   guint start-recording (guint seconds_before, guint duration, gpointer error)
 *     -> the session id, 0 on failure with *(GError **)error set (error may be NULL)
 *   gboolean stop-recording (guint session, gpointer error)
 * with `start` and `stop` (G_CALLBACK of functions of those signatures, the element first) as
 * their class handlers. vf_pipeline_start_recording (lib/record.c) emits them. */
void vf_sr_signals_install(GType type, GCallback start, GCallback stop);

G_END_DECLS
