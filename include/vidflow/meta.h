/* vidflow: batch → frame → object metadata (the seed's batch_meta / frame_meta / object_meta).
 *
 * A batched buffer (made by vfmux) carries one VfBatchMeta, a GstMeta. It holds one VfFrameMeta per
 * frame of the batch, in batch order; each frame holds ref-counted VfObjectMeta (detections,
 * tracks, classifications), display meta (what vfosd draws) and user meta.
 *
 * Layout of a batched buffer: its GstMemory blocks hold the frames in batch order. Frame i uses
 * the memories [memory index, memory index + memory count) (vf_frame_meta_get_memory_range), and
 * its GstVideoInfo (vf_frame_meta_get_video_info) gives format, size, plane offsets and strides,
 * the offsets counted from the first byte of that memory range. Never assume the memory can be
 * mapped to CPU memory: check its type first (frames may live in memory:CUDAMemory).
 *
 * Coordinates: every VfRect and display coordinate is in pixels of the frame *as stored in the
 * batch* (after vfmux scaled it, padding included). vf_frame_meta_to_original maps a rectangle
 * back to the source's original frame.
 *
 * Lifetime and threads:
 * - VfBatchMeta and VfFrameMeta belong to their buffer: pointers to them are (transfer none) and
 *   valid while the buffer is alive and keeps the meta.
 * - VfObjectMeta is reference counted. vf_frame_meta_get_object and vf_frame_meta_get_objects
 *   hand out references, so an object stays valid even when a probe removes it from its frame or
 *   the buffer goes away: iteration cannot dangle. Counts come without iterating.
 * - Frames are added by whoever makes the buffer (vfmux), before it is pushed; after that the
 *   frame list does not change.
 * - Each frame's lists (objects, display, user meta) are guarded by a lock of their own, so
 *   readers on several threads (after a tee) are safe. Change metadata only on a buffer you own
 *   (writable): in a probe callback, or on a buffer you made. Objects themselves are not locked:
 *   one thread at a time changes an object.
 * - The meta survives buffer copies (gst_buffer_copy, make_writable: a deep copy of the frames,
 *   objects included) and scaling of single-frame buffers (videoscale, videoconvertscale: boxes and
 *   display coordinates are scaled). A copy of a part of a buffer drops the meta.
 *
 * Labels, sensor ids and names are interned (g_intern_string): the const char * getters return
 * strings that stay valid for the life of the process.
 *
 * NULL (error.h): every function here accepts a NULL meta, object, buffer, rectangle or out
 * pointer, changes nothing and returns its neutral value (vf_frame_meta_get_objects: an empty
 * array; vf_batch_meta_add on a buffer that is not writable: NULL). */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>
#include <vidflow/export.h>

G_BEGIN_DECLS

/* The caps feature of batched streams: video/x-raw(meta:VfBatch), format=..., batch-size=N. */
#define VF_CAPS_FEATURE_META_BATCH "meta:VfBatch"
/* The caps feature of CUDA frames (GStreamer's gst-cuda library). */
#define VF_CAPS_FEATURE_MEMORY_CUDA "memory:CUDAMemory"
/* The GstMemory type name of CUDA memory (gst_memory_is_type). */
#define VF_MEMORY_TYPE_CUDA "CUDAMemory"

/* Sources coming and going. vfmux announces each as an element message (on the bus) and as a
 * serialized custom downstream event (GST_EVENT_CUSTOM_DOWNSTREAM, in order with the batches),
 * both with a structure of this name and a "source-id" (guint) field; messages also carry
 * "pad-name" (string). ADDED: a sink pad was requested; REMOVED: it was released; EOS: its
 * stream ended. */
#define VF_SOURCE_ADDED "vf-source-added"
#define VF_SOURCE_REMOVED "vf-source-removed"
#define VF_SOURCE_EOS "vf-source-eos"

/* The object id of an object no tracker has seen. */
#define VF_OBJECT_UNTRACKED G_MAXUINT64
/* class id of an object without a class. */
#define VF_CLASS_UNKNOWN (-1)

/* A rectangle in pixels (fractional values allowed). */
typedef struct {
  gfloat left;
  gfloat top;
  gfloat width;
  gfloat height;
} VfRect;

/* A colour, each channel in [0, 1]. */
typedef struct {
  gfloat red;
  gfloat green;
  gfloat blue;
  gfloat alpha;
} VfColor;

typedef struct _VfBatchMeta VfBatchMeta;
typedef struct _VfFrameMeta VfFrameMeta;
typedef struct _VfObjectMeta VfObjectMeta;

/* ---- user meta ----
 * Any pointer with a type name (a string of your choice, e.g. "myapp.histogram"). `copy` makes
 * an independent copy when the buffer is copied (NULL: the user meta is not carried over to
 * copies); `free` releases it (may be NULL). Both may run on any thread. */
typedef gpointer (*VfUserMetaCopyFunc)(gconstpointer data);

/* ---- batch meta ---- */

VF_API GType vf_batch_meta_api_get_type(void);
#define VF_BATCH_META_API_TYPE (vf_batch_meta_api_get_type())
VF_API const GstMetaInfo *vf_batch_meta_get_info(void);

/* (transfer none, nullable) the batch meta of `buffer`. */
VF_API VfBatchMeta *vf_batch_meta_get(GstBuffer *buffer);
/* Add an empty batch meta to a writable buffer, for up to `max_frames` frames (the batch size;
 * at least 1) (transfer none). If the buffer has one already, that one is returned. */
VF_API VfBatchMeta *vf_batch_meta_add(GstBuffer *buffer, guint max_frames);
/* A one-frame batch meta on an unbatched (single-frame) writable buffer, so that elements and
 * probes work on plain streams too. The frame covers every memory of the buffer; `info`
 * describes it (a GstVideoMeta on the buffer overrides its offsets and strides). Source id 0,
 * frame number 0, PTS and duration from the buffer (set them with the frame setters). If the
 * buffer has a batch meta already, that one is returned. (transfer none) */
VF_API VfBatchMeta *vf_batch_meta_add_single(GstBuffer *buffer, const GstVideoInfo *info);

VF_API guint vf_batch_meta_get_n_frames(const VfBatchMeta *meta);
/* The batch size the producer was configured with (frames may be fewer: a partial batch). */
VF_API guint vf_batch_meta_get_max_frames(const VfBatchMeta *meta);
/* (transfer none, nullable) frame i (NULL when out of range), owned by the batch meta. */
VF_API VfFrameMeta *vf_batch_meta_get_frame(VfBatchMeta *meta, guint index);
/* (transfer none, nullable) the frame of source `source_id`, or NULL. */
VF_API VfFrameMeta *vf_batch_meta_find_frame(VfBatchMeta *meta, guint source_id);
/* Append a frame whose pixels are `info`, stored in memories [mem_index, mem_index + n_mems)
 * (transfer none). Its batch index is its position; the content rectangle is the whole frame and
 * the original size is the frame's size until set otherwise. */
VF_API VfFrameMeta *vf_batch_meta_add_frame(VfBatchMeta *meta, const GstVideoInfo *info,
                                            guint mem_index, guint n_mems);
/* Append a deep copy of `src` (from any batch: objects, display and user meta copied), then
 * place it at memories [mem_index, mem_index + n_mems) described by `info` (NULL: src's info).
 * (transfer none) */
VF_API VfFrameMeta *vf_batch_meta_add_frame_copy(VfBatchMeta *meta, const VfFrameMeta *src,
                                                 const GstVideoInfo *info, guint mem_index,
                                                 guint n_mems);

/* Batch-level user meta. */
VF_API void vf_batch_meta_add_user_meta(VfBatchMeta *meta, const char *type, gpointer data,
                                        VfUserMetaCopyFunc copy, GDestroyNotify free);
/* (transfer none, nullable) the data of the first user meta of `type`. */
VF_API gpointer vf_batch_meta_get_user_meta(VfBatchMeta *meta, const char *type);
/* Remove (and free) every user meta of `type`; returns how many went. */
VF_API guint vf_batch_meta_remove_user_meta(VfBatchMeta *meta, const char *type);

/* ---- frame meta ---- */

/* The pad index of the vfmux sink pad the frame came from (sink_%u). */
VF_API guint vf_frame_meta_get_source_id(const VfFrameMeta *frame);
VF_API void vf_frame_meta_set_source_id(VfFrameMeta *frame, guint source_id);
/* Position in the batch (0-based). */
VF_API guint vf_frame_meta_get_batch_index(const VfFrameMeta *frame);
/* Frame number within its source, counted from 0 by vfmux; only increases. */
VF_API guint64 vf_frame_meta_get_frame_number(const VfFrameMeta *frame);
VF_API void vf_frame_meta_set_frame_number(VfFrameMeta *frame, guint64 frame_number);
/* The frame's PTS as its source stamped it (in its source's segment). */
VF_API GstClockTime vf_frame_meta_get_pts(const VfFrameMeta *frame);
VF_API void vf_frame_meta_set_pts(VfFrameMeta *frame, GstClockTime pts);
VF_API GstClockTime vf_frame_meta_get_duration(const VfFrameMeta *frame);
VF_API void vf_frame_meta_set_duration(VfFrameMeta *frame, GstClockTime duration);
/* The frame's running time (PTS in the pipeline's time base, the batch's time base). */
VF_API GstClockTime vf_frame_meta_get_running_time(const VfFrameMeta *frame);
VF_API void vf_frame_meta_set_running_time(VfFrameMeta *frame, GstClockTime running_time);
/* When the frame reached vfmux, in g_get_monotonic_time() microseconds (0: unknown). The latency
 * probe measures from here. */
VF_API gint64 vf_frame_meta_get_arrival_time(const VfFrameMeta *frame);
VF_API void vf_frame_meta_set_arrival_time(VfFrameMeta *frame, gint64 monotonic_us);
/* Size of the frame as its source produced it (before any scaling). */
VF_API guint vf_frame_meta_get_original_width(const VfFrameMeta *frame);
VF_API guint vf_frame_meta_get_original_height(const VfFrameMeta *frame);
VF_API void vf_frame_meta_set_original_size(VfFrameMeta *frame, guint width, guint height);
/* (transfer none, nullable) sensor id / name (e.g. from a source list), interned; NULL when
 * unknown. */
VF_API const char *vf_frame_meta_get_sensor_id(const VfFrameMeta *frame);
VF_API const char *vf_frame_meta_get_sensor_name(const VfFrameMeta *frame);
VF_API void vf_frame_meta_set_sensor(VfFrameMeta *frame, const char *sensor_id,
                                     const char *sensor_name);

/* (transfer none) the frame as stored in the batch: format, size, plane offsets (from the start
 * of its memory range) and strides. */
VF_API const GstVideoInfo *vf_frame_meta_get_video_info(const VfFrameMeta *frame);
/* Where the frame lives in the buffer: memories [*mem_index, *mem_index + *n_mems). */
VF_API void vf_frame_meta_get_memory_range(const VfFrameMeta *frame, guint *mem_index,
                                           guint *n_mems);
/* Move the frame to other memories / another layout. */
VF_API void vf_frame_meta_set_memory_range(VfFrameMeta *frame, const GstVideoInfo *info,
                                           guint mem_index, guint n_mems);
/* The part of the stored frame that holds the source picture (smaller than the frame when vfmux
 * padded it to keep the aspect ratio). */
VF_API void vf_frame_meta_get_content_rect(const VfFrameMeta *frame, VfRect *rect);
VF_API void vf_frame_meta_set_content_rect(VfFrameMeta *frame, const VfRect *rect);
/* Map a rectangle in stored-frame pixels to the original frame's pixels (undoing scaling and
 * padding). FALSE (out untouched) when the content rectangle is empty. */
VF_API gboolean vf_frame_meta_to_original(const VfFrameMeta *frame, const VfRect *in, VfRect *out);
/* The reverse: original-frame pixels to stored-frame pixels. */
VF_API gboolean vf_frame_meta_from_original(const VfFrameMeta *frame, const VfRect *in,
                                            VfRect *out);

/* Objects. add: the frame takes its own reference (transfer none); FALSE if the object is NULL or
 * already in this frame. remove: drops the frame's reference; FALSE if not found. */
VF_API gboolean vf_frame_meta_add_object(VfFrameMeta *frame, VfObjectMeta *object);
VF_API gboolean vf_frame_meta_remove_object(VfFrameMeta *frame, VfObjectMeta *object);
VF_API void vf_frame_meta_clear_objects(VfFrameMeta *frame);
VF_API guint vf_frame_meta_get_n_objects(VfFrameMeta *frame);
/* (transfer full, nullable) object i, or NULL when out of range. */
VF_API VfObjectMeta *vf_frame_meta_get_object(VfFrameMeta *frame, guint index);
/* (transfer full) a snapshot: a GPtrArray of references to the frame's objects, in order; it
 * frees them when unreffed (g_ptr_array_unref). Changing the frame later does not change it. */
VF_API GPtrArray *vf_frame_meta_get_objects(VfFrameMeta *frame);

/* Frame-level user meta. */
VF_API void vf_frame_meta_add_user_meta(VfFrameMeta *frame, const char *type, gpointer data,
                                        VfUserMetaCopyFunc copy, GDestroyNotify free);
VF_API gpointer vf_frame_meta_get_user_meta(VfFrameMeta *frame, const char *type);
VF_API guint vf_frame_meta_get_n_user_meta(VfFrameMeta *frame);
/* (transfer none, nullable) data of user meta i; *type (interned) when type is not NULL. */
VF_API gpointer vf_frame_meta_get_nth_user_meta(VfFrameMeta *frame, guint index, const char **type);
VF_API guint vf_frame_meta_remove_user_meta(VfFrameMeta *frame, const char *type);

/* ---- display meta: what vfosd draws on a frame ---- */

typedef enum {
  VF_DISPLAY_RECT = 0,
  VF_DISPLAY_TEXT,
  VF_DISPLAY_LINE,
  VF_DISPLAY_CIRCLE,
} VfDisplayKind;

/* One display element, as returned by vf_frame_meta_get_display_item (a copy). */
typedef struct {
  VfDisplayKind kind;
  VfColor color;    /* rect border, text, line, circle outline */
  VfColor bg_color; /* rect / circle fill, text background (when has_bg) */
  gboolean has_bg;
  gfloat line_width; /* rect border, line, circle outline width in pixels */
  VfRect rect;       /* RECT */
  gfloat x1, y1;     /* LINE start, TEXT top-left, CIRCLE centre */
  gfloat x2, y2;     /* LINE end */
  gfloat radius;     /* CIRCLE */
  gfloat font_size;  /* TEXT, in pixels */
  char *text;        /* TEXT (owned by the item: vf_display_item_clear frees it) */
} VfDisplayItem;

/* bg / fill colours are (nullable): NULL means none. Colours are copied. */
VF_API void vf_frame_meta_add_display_rect(VfFrameMeta *frame, const VfRect *rect,
                                           gfloat border_width, const VfColor *border,
                                           const VfColor *fill);
VF_API void vf_frame_meta_add_display_text(VfFrameMeta *frame, gfloat x, gfloat y, const char *text,
                                           gfloat font_size, const VfColor *color,
                                           const VfColor *bg);
VF_API void vf_frame_meta_add_display_line(VfFrameMeta *frame, gfloat x1, gfloat y1, gfloat x2,
                                           gfloat y2, gfloat width, const VfColor *color);
VF_API void vf_frame_meta_add_display_circle(VfFrameMeta *frame, gfloat cx, gfloat cy,
                                             gfloat radius, gfloat width, const VfColor *color,
                                             const VfColor *fill);
VF_API guint vf_frame_meta_get_n_display_items(VfFrameMeta *frame);
/* Copy item i into *item (FALSE when out of range); release it with vf_display_item_clear. */
VF_API gboolean vf_frame_meta_get_display_item(VfFrameMeta *frame, guint index,
                                               VfDisplayItem *item);
VF_API void vf_frame_meta_clear_display(VfFrameMeta *frame);
VF_API void vf_display_item_clear(VfDisplayItem *item);

/* ---- object meta ---- */

/* A new object (transfer full): class VF_CLASS_UNKNOWN, no label, confidence 0, empty boxes,
 * tracker confidence 0, object id VF_OBJECT_UNTRACKED, no parent, component id 0. */
VF_API VfObjectMeta *vf_object_meta_new(void);
VF_API VfObjectMeta *vf_object_meta_ref(VfObjectMeta *object);
VF_API void vf_object_meta_unref(VfObjectMeta *object);
/* A deep copy (transfer full): fields, classifications, user meta that has a copy function; the
 * copy has the same parent. */
VF_API VfObjectMeta *vf_object_meta_copy(const VfObjectMeta *object);

VF_API gint vf_object_meta_get_class_id(const VfObjectMeta *object);
VF_API void vf_object_meta_set_class_id(VfObjectMeta *object, gint class_id);
/* (transfer none, nullable) interned label. */
VF_API const char *vf_object_meta_get_label(const VfObjectMeta *object);
VF_API void vf_object_meta_set_label(VfObjectMeta *object, const char *label);
VF_API gfloat vf_object_meta_get_confidence(const VfObjectMeta *object);
VF_API void vf_object_meta_set_confidence(VfObjectMeta *object, gfloat confidence);
/* The detector's box, in stored-frame pixels. */
VF_API void vf_object_meta_get_detector_bbox(const VfObjectMeta *object, VfRect *rect);
VF_API void vf_object_meta_set_detector_bbox(VfObjectMeta *object, const VfRect *rect);
/* The tracker's box and confidence, in stored-frame pixels. */
VF_API void vf_object_meta_get_tracker_bbox(const VfObjectMeta *object, VfRect *rect);
VF_API void vf_object_meta_set_tracker_bbox(VfObjectMeta *object, const VfRect *rect);
VF_API gfloat vf_object_meta_get_tracker_confidence(const VfObjectMeta *object);
VF_API void vf_object_meta_set_tracker_confidence(VfObjectMeta *object, gfloat confidence);
/* The tracker's id, or VF_OBJECT_UNTRACKED. */
VF_API guint64 vf_object_meta_get_object_id(const VfObjectMeta *object);
VF_API void vf_object_meta_set_object_id(VfObjectMeta *object, guint64 object_id);
/* The id of the component (element instance) that made the object, e.g. vfinfer's
 * unique-id. */
VF_API gint vf_object_meta_get_component_id(const VfObjectMeta *object);
VF_API void vf_object_meta_set_component_id(VfObjectMeta *object, gint component_id);
/* (transfer full, nullable) the parent object (e.g. the car of a licence plate). */
VF_API VfObjectMeta *vf_object_meta_get_parent(const VfObjectMeta *object);
/* The object keeps a reference on its parent (NULL clears it). FALSE (nothing changed) when
 * that would make a cycle. */
VF_API gboolean vf_object_meta_set_parent(VfObjectMeta *object, VfObjectMeta *parent);

/* Classifier results (a secondary model's class for this object). */
typedef struct {
  gint component_id; /* the classifier's unique id */
  gint class_id;
  const char *label; /* interned, nullable */
  gfloat confidence;
} VfClassification;

VF_API void vf_object_meta_add_classification(VfObjectMeta *object, gint component_id,
                                              gint class_id, const char *label, gfloat confidence);
VF_API guint vf_object_meta_get_n_classifications(const VfObjectMeta *object);
/* Copy classification i into *out; FALSE when out of range. */
VF_API gboolean vf_object_meta_get_classification(const VfObjectMeta *object, guint index,
                                                  VfClassification *out);
VF_API void vf_object_meta_clear_classifications(VfObjectMeta *object);

/* Object-level user meta. */
VF_API void vf_object_meta_add_user_meta(VfObjectMeta *object, const char *type, gpointer data,
                                         VfUserMetaCopyFunc copy, GDestroyNotify free);
VF_API gpointer vf_object_meta_get_user_meta(VfObjectMeta *object, const char *type);
VF_API guint vf_object_meta_get_n_user_meta(VfObjectMeta *object);
VF_API gpointer vf_object_meta_get_nth_user_meta(VfObjectMeta *object, guint index,
                                                 const char **type);
VF_API guint vf_object_meta_remove_user_meta(VfObjectMeta *object, const char *type);

G_END_DECLS
