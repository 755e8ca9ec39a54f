/* vidflow: events and message payloads (DeepStream's NvDsEventMsgMeta and NvDsPayload) and the
 * message converter that turns frame metadata into payloads (what vfmsgconv runs; vfmsgbroker
 * sends the payloads).
 *
 * Events: what an analytics step says happened ("this person entered"): an event type, the
 * object it is about, and which place / analytics module of the msg-conv config it belongs to.
 * Probes attach them to frames (the built-in add_message_meta_probe attaches one per object);
 * the converter turns them into messages. Streams without events are converted from their
 * objects directly (VfMsgInput).
 *
 * Payloads: the bytes of one message, with the source and frame it came from and a key (the
 * sensor id: brokers that partition, such as Kafka, keep one key in order). The converter
 * attaches them to frames; the broker sink takes them from there.
 *
 * Both live in the frame's user meta (types VF_EVENT_META_TYPE and VF_PAYLOAD_META_TYPE): they
 * are reference counted and immutable once attached, survive buffer copies, and frames hand out
 * references (vf_frame_meta_get_events / _get_payloads) that stay valid after the buffer is
 * gone. Attach them only on a writable buffer (a probe callback, an element that made the buffer
 * writable), as other metadata.
 *
 * The converter (VfMsgConv) writes one of the schemas below, for the frames and objects its
 * frequency selects, with sensor / place / analytics-module descriptions from a msg-conv config
 * file keyed by source id (DeepStream's msgconv config, key-file or YAML):
 *
 *   [sensor0]                       # source 0
 *   enable=1
 *   type=Camera
 *   id=CAMERA_ID                    # the message's sensor id (and the Kafka key)
 *   location=45.29;-75.83;48.15     # lat;lon;alt
 *   description=Entrance
 *   coordinate=5.2;10.1;11.2        # x;y;z
 *   [place0]
 *   enable=1
 *   id=1
 *   type=intersection/road
 *   name=HWY_20
 *   location=30.32;-40.55;100.0
 *   coordinate=1.0;2.0;3.0
 *   place-sub-field1=C_127_158      # aisle/entrance/parkingSpot id or name
 *   place-sub-field2=Lane 1
 *   place-sub-field3=P1             # level
 *   [analytics0]
 *   enable=1
 *   id=XYZ_1
 *   description=Vehicle Detection
 *   source=OpenALR
 *   version=1.0
 *
 * The same groups as YAML mappings (sensor0: {enable: 1, type: Camera, ...}) in a .yml/.yaml
 * file. Groups with enable=0 are ignored; a source without a group gets empty descriptions and
 * its frame's sensor id (from a source list) or "source-N" as sensor id.
 *
 * Threads: events and payloads may be read from any thread. A VfMsgConv is used by one thread
 * at a time (vfmsgconv's streaming thread). */
#pragma once

#include <vidflow/error.h>
#include <vidflow/json.h>
#include <vidflow/meta.h>

G_BEGIN_DECLS

/* User-meta type names of events and payloads on a frame; VF_EVENTS_GIVEN_META_TYPE marks a
 * frame an event generator looked at (its data is unused), so that VF_MSG_INPUT_AUTO takes
 * its events, none included, instead of its objects. */
#define VF_EVENT_META_TYPE "vidflow.event"
#define VF_PAYLOAD_META_TYPE "vidflow.payload"
#define VF_EVENTS_GIVEN_META_TYPE "vidflow.events-given"

/* ---- events ---- */

/* DeepStream's NvDsEventType, same order. */
typedef enum {
  VF_EVENT_ENTRY = 0,
  VF_EVENT_EXIT,
  VF_EVENT_MOVING,
  VF_EVENT_STOPPED,
  VF_EVENT_EMPTY,
  VF_EVENT_PARKED,
  VF_EVENT_RESET,
  VF_EVENT_CUSTOM, /* named by vf_event_set_custom_type */
} VfEventType;

/* "Use the frame's source id" for place and module ids. */
#define VF_EVENT_ID_FROM_SOURCE (-1)

typedef struct _VfEvent VfEvent;

/* (transfer full) an event about `object` (nullable: an event about the frame, e.g. EMPTY; the
 * event keeps a reference). Place and module ids: VF_EVENT_ID_FROM_SOURCE. */
VF_API VfEvent *vf_event_new(VfEventType type, VfObjectMeta *object);
VF_API VfEvent *vf_event_ref(VfEvent *event);
VF_API void vf_event_unref(VfEvent *event);
VF_API VfEventType vf_event_get_event_type(const VfEvent *event);
/* (transfer none) "entry", "exit", ..., or the custom type's name. */
VF_API const char *vf_event_get_type_name(const VfEvent *event);
/* The name of a VF_EVENT_CUSTOM event ("loitering"), copied; makes the event VF_EVENT_CUSTOM. */
VF_API void vf_event_set_custom_type(VfEvent *event, const char *name);
/* (transfer full, nullable) the object. */
VF_API VfObjectMeta *vf_event_get_object(const VfEvent *event);
/* The [placeN] / [analyticsN] groups of the msg-conv config this event belongs to. */
VF_API void vf_event_set_place_id(VfEvent *event, gint place_id);
VF_API gint vf_event_get_place_id(const VfEvent *event);
VF_API void vf_event_set_module_id(VfEvent *event, gint module_id);
VF_API gint vf_event_get_module_id(const VfEvent *event);
/* (nullable) the sensor id to report (overrides the config's and the frame's), copied. */
VF_API void vf_event_set_sensor_id(VfEvent *event, const char *sensor_id);
VF_API const char *vf_event_get_sensor_id(const VfEvent *event);
/* (nullable) the videoPath of the full schema (e.g. the source's URI), copied. */
VF_API void vf_event_set_video_path(VfEvent *event, const char *path);
VF_API const char *vf_event_get_video_path(const VfEvent *event);

/* The frame takes its own reference (transfer none). FALSE for NULL arguments. */
VF_API gboolean vf_frame_meta_add_event(VfFrameMeta *frame, VfEvent *event);
/* (transfer full) a GPtrArray of references to the frame's events, in the order added (frees
 * them when unreffed). */
VF_API GPtrArray *vf_frame_meta_get_events(VfFrameMeta *frame);
/* Removes every event; returns how many went. */
VF_API guint vf_frame_meta_remove_events(VfFrameMeta *frame);

/* ---- payloads ---- */

typedef struct _VfPayload VfPayload;

/* (transfer full) a payload of `data` (a reference is taken) from frame `frame_number` of
 * `source_id`; key: (nullable) the partition key, copied. */
VF_API VfPayload *vf_payload_new(GBytes *data, guint source_id, guint64 frame_number,
                                 const char *key);
VF_API VfPayload *vf_payload_ref(VfPayload *payload);
VF_API void vf_payload_unref(VfPayload *payload);
/* (transfer none) the bytes. */
VF_API GBytes *vf_payload_get_data(const VfPayload *payload);
VF_API guint vf_payload_get_source_id(const VfPayload *payload);
VF_API guint64 vf_payload_get_frame_number(const VfPayload *payload);
/* (transfer none, nullable) */
VF_API const char *vf_payload_get_key(const VfPayload *payload);

/* The frame takes its own reference (transfer none). FALSE for NULL arguments. */
VF_API gboolean vf_frame_meta_add_payload(VfFrameMeta *frame, VfPayload *payload);
/* (transfer full) a GPtrArray of references to the frame's payloads, in the order added. */
VF_API GPtrArray *vf_frame_meta_get_payloads(VfFrameMeta *frame);

/* ---- the converter ---- */

/* vfmsgconv's payload-type, DeepStream's numbers where DeepStream has them. */
typedef enum {
  /* DeepStream's full schema, one message per event (or object): messageid, mdsversion,
   * @timestamp, place, sensor, analyticsModule, object (id, type-specific sub-object, bbox
   * topleftx/toplefty/bottomrightx/bottomrighty in source pixels), event {id, type}, videoPath */
  VF_PAYLOAD_DEEPSTREAM = 0,
  /* DeepStream's minimal schema, one message per frame: version, id (frame number),
   * @timestamp, sensorId, objects ["trackingId|left|top|right|bottom|label[|#|labels|conf]"] */
  VF_PAYLOAD_DEEPSTREAM_MINIMAL = 1,
  /* vidflow's compact schema, one message per frame (also what `vidflow detect` writes):
   *   {"source": 0, "sensor": "cam-1", "frame": 12, "pts": 1.2, "timestamp": "...Z",
   *    "width": 768, "height": 576, "objects": [{"id": 7, "class_id": 4, "label": "Person",
   *    "confidence": 0.87, "bbox": [left, top, width, height]}]}
   * sensor only when known, id only for tracked objects, classifications [{component, class_id,
   * label, confidence}] only when there are some; pixels of the source's original frame */
  VF_PAYLOAD_VIDFLOW = 2,
  /* A payload generator from a custom-object plugin (vidflow/plugin.h). */
  VF_PAYLOAD_CUSTOM = 257,
} VfPayloadSchema;

/* How often messages are made, per source. */
typedef enum {
  VF_MSG_EVERY_FRAME = 0,
  VF_MSG_EVERY_N_FRAMES, /* frames whose frame number is a multiple of the interval */
  VF_MSG_ON_CHANGE,      /* when the frame's objects differ from the previous frame's: another
                          * count per class, or (tracked objects) another set of track ids */
  VF_MSG_NEW_TRACK,      /* for objects whose track id the source has not had before (untracked
                          * objects never count); only those objects are in the message */
} VfMsgFrequency;

/* What messages are about. */
typedef enum {
  /* the frame's events when an event generator looked at the frame (add_message_meta_probe
   * marks every frame it sees, with or without events) or the frame has events; else its
   * objects */
  VF_MSG_INPUT_AUTO = 0,
  VF_MSG_INPUT_EVENTS,  /* only events: frames without events make no message */
  VF_MSG_INPUT_OBJECTS, /* the objects, whatever events there are (DeepStream's msg2p-newapi) */
} VfMsgInput;

/* A track id not seen for this many frames of its source is forgotten (NEW_TRACK mode), so the
 * memory stays bounded; a track that comes back after that is new again. */
#define VF_MSG_TRACK_MEMORY_FRAMES 900

typedef struct _VfMsgConv VfMsgConv;

/* (transfer full) a converter for `schema` (not CUSTOM: see vf_msgconv_new_custom), with the
 * msg-conv config file `config` (nullable); NULL with an error naming the file, group and key
 * when the config is wrong. Frequency: every frame. */
VF_API VfMsgConv *vf_msgconv_new(VfPayloadSchema schema, const char *config, GError **error);
/* (transfer full) a converter whose payloads come from the payload generator `generator`
 * ("plugin.name", vidflow/plugin.h) made with the name/value `params` (nullable,
 * NULL-terminated). */
VF_API VfMsgConv *vf_msgconv_new_custom(const char *generator, const char *const *params,
                                        const char *config, GError **error);
VF_API void vf_msgconv_free(VfMsgConv *conv);
/* interval: for VF_MSG_EVERY_N_FRAMES (at least 1). FALSE with an error for a bad value. */
VF_API gboolean vf_msgconv_set_frequency(VfMsgConv *conv, VfMsgFrequency frequency, guint interval,
                                         GError **error);
VF_API void vf_msgconv_set_input(VfMsgConv *conv, VfMsgInput input);
/* Forget what `conv` keeps of source `source_id` (the previous objects of on-change, the track ids
 * of new-track): its stream ended or it was removed (vfmsgconv calls it on vfmux's per-source
 * end, VF_SOURCE_EOS / VF_SOURCE_REMOVED). Unknown ids and NULL are ignored. */
VF_API void vf_msgconv_end_source(VfMsgConv *conv, guint source_id);
/* How many sources `conv` keeps state for now (0 for NULL). */
VF_API guint vf_msgconv_get_n_sources(VfMsgConv *conv);
/* The payloads of `frame` per the schema and frequency, appended to `payloads` (VfPayload*,
 * transfer full: the array should free them, g_ptr_array_new_with_free_func(vf_payload_unref)).
 * Returns how many; -1 with *error set when a custom generator failed. */
VF_API gint vf_msgconv_convert(VfMsgConv *conv, VfFrameMeta *frame, GPtrArray *payloads,
                               GError **error);

/* The compact schema's message for one frame and `objects` (VfObjectMeta*; NULL: all of the
 * frame's objects) into `writer` (one complete document). */
VF_API void vf_msgconv_write_frame(VfJsonWriter *writer, VfFrameMeta *frame, GPtrArray *objects);

G_END_DECLS
