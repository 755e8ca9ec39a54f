/* vidflow: batch → frame → object metadata (the seed's batch_meta / frame_meta / object_meta).
 *
 * A batched buffer (made by vfmux) carries one VfBatchMeta, a GstMeta. It holds one VfFrameMeta per
 * frame of the batch, in batch order; each frame holds ref-counted VfObjectMeta (detections,
 * tracks, classifications), display meta (what vfosd draws) and user meta. The fields are those of
 * DeepStream's NvDsBatchMeta / NvDsFrameMeta / NvDsObjectMeta.
 *
 * Layout of a batched buffer: the batch buffer itself holds no pixels (no GstMemory): it carries
 * the VfBatchMeta, its timestamps and its caps (video/x-raw(meta:VfBatch), batch-size=N). Each
 * frame holds a reference to a GstBuffer of its own (vf_frame_meta_get_buffer), the very buffer
 * its source produced when vfmux did not have to scale or convert it (zero-copy), or a buffer from
 * vfmux's pool with the converted frame: any number of GstMemory blocks, in system memory or in
 * CUDA memory (memory:CUDAMemory caps), with its GstVideoMeta. vf_frame_meta_get_video_info gives
 * the frame's format, size, plane offsets (from the start of that buffer) and strides. A batch may
 * hold any number of frames (the batch-size property caps it, not the buffer). Read pixels with
 * vf_frame_map (frame-map.h), the one place that knows memory types: never assume a frame maps to
 * CPU memory.
 * A plain (unbatched) frame may carry a one-frame VfBatchMeta too (vf_batch_meta_add_single,
 * vfinfer on plain video, vfdemux's output): that frame has no buffer of its own
 * (vf_frame_meta_get_buffer returns NULL) and its pixels are the carrying buffer's.
 * This is NvBufSurface's surface list (one entry per frame, each with its own memory) and
 * GStreamer 1.28's GstAnalyticsBatchMeta (a buffer without memory whose meta references one buffer
 * per stream with that stream's sticky events). When vidflow moves past GStreamer 1.22, VfBatchMeta
 * sits on top of it: vfmux attaches a GstAnalyticsBatchMeta with one GstAnalyticsBatchStream per
 * source and, per frame, a GstAnalyticsBatchBuffer whose `buffer` is the frame buffer and whose
 * `sticky_events` are the frame's (vf_frame_meta_get_sticky_events); VfBatchMeta keeps only what
 * that meta has no place for (frame numbers, content rectangles, objects, display and user meta)
 * and vf_frame_meta_get_buffer / get_sticky_events read through to it. The API below stays; the
 * caps become multistream/x-analytics-batch(meta:GstAnalyticsBatchMeta) with the per-source caps
 * in its `streams` array.
 *
 * Per-stream sticky events: each frame records its source's sticky events (stream-start, caps,
 * segment, tags...) as they stood when it entered the batch (vf_frame_meta_get_sticky_events,
 * get_caps, get_segment, get_stream_id), so that vfdemux, or a transport to another process, can
 * rebuild each original stream exactly: its stream id, caps, segment and timestamps.
 *
 * Coordinates: every VfRect and display coordinate is in pixels of the frame *as stored in the
 * batch* (after vfmux scaled it, padding included). vf_frame_meta_to_original maps a rectangle
 * back to the source's original frame.
 *
 * Copies and writers (copy-on-write):
 * - Copies of a buffer share its metadata by reference: gst_buffer_copy, gst_buffer_make_writable
 *   (a probe after a tee), queue and tee cost O(1) whatever the number of frames and objects;
 *   nothing is deep-copied. Upstream buffers (the frames) are shared, not copied, so their pools
 *   get them back once the last copy of the batch is gone.
 * - Change metadata only on a buffer you own (writable): in a probe callback, in an element's
 *   in-place transform, or on a buffer you made. vf_batch_meta_get_frame on a writable buffer
 *   returns a frame private to that buffer (the shared frame list and that frame are replaced by
 *   copies the first time: O(frames) references, one frame copy); on a buffer that is not
 *   writable, it returns the frame shared by every holder: read it, never change it.
 * - A frame's object list and display list are shared with the copies of the frame until one of
 *   them adds, removes or clears an item (then that frame gets its own list: references to the
 *   same objects, copies of the display items). Frame user meta is copied with the frame (its copy
 *   functions run when vf_batch_meta_get_frame makes the frame private). Batch user meta is copied
 *   with the buffer.
 * - Objects themselves are shared by every frame (copy) that holds them. Before changing objects
 *   that are already in a frame (their fields, classifications, user meta, parent), call
 *   vf_frame_meta_make_objects_writable(frame): it replaces, in that frame only, each object that
 *   another frame also holds with a copy (parents inside the frame follow), then get the objects
 *   again. Objects you made and only added to this frame need no such call.
 * - Frame pixels are shared too: to write a frame's pixels call vf_frame_make_writable
 *   (frame-map.h), which replaces that frame's buffer reference with a writable one (a copy when
 *   someone else holds it), never writing into a buffer another holder sees.
 * - A VfFrameMeta pointer is valid while the buffer lives, keeps the meta and stays in the state
 *   (writable or not) it was in when you got the pointer: get frames again after the buffer became
 *   writable.
 *
 * Lifetime and threads:
 * - VfBatchMeta and VfFrameMeta belong to their buffer: pointers to them are (transfer none).
 * - VfObjectMeta is reference counted. vf_frame_meta_get_object and vf_frame_meta_get_objects
 *   hand out references, so an object stays valid even when a probe removes it from its frame or
 *   the buffer goes away: iteration cannot dangle. Counts come without iterating.
 * - Frames are added by whoever makes the buffer (vfmux), before it is pushed.
 * - Readers on several threads (branches after a tee) are safe: what is shared does not change.
 *   Each frame's lists (objects, display, user meta) and its buffer reference are also guarded by
 *   a lock of their own, so threads of the owner may add and remove objects of one frame at once.
 *   Objects themselves are not locked: one thread at a time changes an object.
 * - The meta survives buffer copies and scaling of single-frame buffers (videoscale,
 *   videoconvertscale: boxes and display coordinates are scaled, on copies). A copy of a part of a
 *   single frame's buffer drops the meta.
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
/* The GstMemory type name of CUDA memory (gst_memory_is_type): GStreamer 1.22 gst-cuda's
 * GST_CUDA_MEMORY_TYPE_NAME, the mem_type of nvh264dec's output (seen on the H200,
 * docs/gpu-runs.md). */
#define VF_MEMORY_TYPE_CUDA "gst.cuda.memory"

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
 * an independent copy when what holds it is copied: a batch's when the buffer is copied, a
 * frame's when a writer gets a private frame (see "Copies and writers"), an object's when it is
 * made writable; NULL: the user meta is not carried over to copies. `free` releases it (may be
 * NULL). Both may run on any thread, with the holder's lock held: do not call back into the
 * metadata API from them. */
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
 * probes work on plain streams too. The frame is the buffer itself (no buffer of its own); `info`
 * describes it (a GstVideoMeta on the buffer overrides its offsets and strides). Source id 0,
 * frame number 0, PTS and duration from the buffer (set them with the frame setters). If the
 * buffer has a batch meta already, that one is returned. (transfer none, nullable: NULL when the
 * buffer is not writable or info is NULL) */
VF_API VfBatchMeta *vf_batch_meta_add_single(GstBuffer *buffer, const GstVideoInfo *info);
/* (transfer none) the buffer carrying the meta. */
VF_API GstBuffer *vf_batch_meta_get_buffer(const VfBatchMeta *meta);

VF_API guint vf_batch_meta_get_n_frames(const VfBatchMeta *meta);
/* The batch size the producer was configured with (frames may be fewer: a partial batch). */
VF_API guint vf_batch_meta_get_max_frames(const VfBatchMeta *meta);
/* (transfer none, nullable) frame i (NULL when out of range), owned by the batch meta. On a
 * writable buffer the frame is private to it (made so now if it was shared with copies of the
 * buffer); otherwise it is shared and read-only (see "Copies and writers"). */
VF_API VfFrameMeta *vf_batch_meta_get_frame(VfBatchMeta *meta, guint index);
/* (transfer none, nullable) the frame of source `source_id`, or NULL; as vf_batch_meta_get_frame.
 */
VF_API VfFrameMeta *vf_batch_meta_find_frame(VfBatchMeta *meta, guint source_id);
/* Append a frame whose pixels are `buffer` laid out as `info` (offsets from the start of `buffer`,
 * a GstVideoMeta's strides included). `buffer` (transfer none: the frame takes a reference,
 * nullable: the frame is the carrying buffer itself, for a one-frame meta) may hold any number of
 * memories, CPU or CUDA. The meta's buffer must be writable. Its batch index is its position; the
 * content rectangle is the whole frame and the original size is the frame's size until set
 * otherwise. (transfer none, nullable: NULL when the meta's buffer is not writable or info is
 * NULL) */
VF_API VfFrameMeta *vf_batch_meta_add_frame(VfBatchMeta *meta, GstBuffer *buffer,
                                            const GstVideoInfo *info);
/* Append a copy of `src` (from any batch) whose pixels are `buffer` (transfer none, nullable: the
 * carrying buffer) laid out as `info` (nullable: src's layout). Fields and sticky events are
 * copied, the objects and display items shared with `src` until either changes them, user meta
 * copied with its copy functions: O(user meta). vfdemux and transports rebuild frames with it.
 * (transfer none, nullable: NULL when the meta's buffer is not writable) */
VF_API VfFrameMeta *vf_batch_meta_add_frame_copy(VfBatchMeta *meta, const VfFrameMeta *src,
                                                 GstBuffer *buffer, const GstVideoInfo *info);

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

/* (transfer none) the frame as stored: format, size, plane offsets (from the start of its buffer,
 * or of the carrying buffer) and strides. */
VF_API const GstVideoInfo *vf_frame_meta_get_video_info(const VfFrameMeta *frame);
/* Describe the frame's pixels anew (e.g. a plain frame that videoconvert changed since the meta
 * was made); `info` is copied. Private frames only (a writable buffer's). */
VF_API void vf_frame_meta_set_video_info(VfFrameMeta *frame, const GstVideoInfo *info);
/* (transfer none, nullable) the GstBuffer holding the frame's pixels (system or CUDA memory, any
 * number of memories, its GstVideoMeta), or NULL when the frame is the carrying buffer itself (a
 * one-frame meta on a plain frame). Shared: never write into it (vf_frame_make_writable). Valid
 * while the frame is (see "Copies and writers"). Safe to read from several threads. */
VF_API GstBuffer *vf_frame_meta_get_buffer(const VfFrameMeta *frame);
/* Replace the frame's pixels by `buffer` (transfer none: a reference is taken; nullable: the
 * carrying buffer), laid out as `info` (nullable: unchanged). The old buffer is released (to its
 * pool). Private frames only (a writable buffer's). */
VF_API void vf_frame_meta_set_buffer(VfFrameMeta *frame, GstBuffer *buffer,
                                     const GstVideoInfo *info);
/* Replace the frame's pixels by a converted or scaled picture of them (vfconvert does this):
 * `buffer` (transfer none: a reference is taken; nullable: the carrying buffer, for a one-frame
 * meta on a plain frame) laid out as `info`, the old frame's whole picture
 * now at `dest` in it. Everything in stored-frame pixels follows (objects' boxes, display items,
 * the content rectangle: scaled by dest's size over the old frame's, moved to dest's corner);
 * the original size stays, so vf_frame_meta_to_original still maps to the source. Private frames
 * only (a writable buffer's); a NULL frame, info or dest changes nothing. */
VF_API void vf_frame_meta_set_converted(VfFrameMeta *frame, GstBuffer *buffer,
                                        const GstVideoInfo *info, const VfRect *dest);
/* (transfer none, nullable) the sticky events of the frame's source when the frame entered the
 * batch (stream-start, caps, segment, tags, ... in GStreamer's sticky order), a GPtrArray of
 * GstEvent *; NULL when the producer recorded none. The array is shared by the frames of a source
 * and never changes: do not modify it. */
VF_API GPtrArray *vf_frame_meta_get_sticky_events(const VfFrameMeta *frame);
/* Record the source's sticky events: the frame keeps a reference on `events` (transfer none,
 * nullable), an array of GstEvent * (with gst_event_unref as free function) that must not change
 * any more. Producers (vfmux, transports) call it; private frames only. */
VF_API void vf_frame_meta_set_sticky_events(VfFrameMeta *frame, GPtrArray *events);
/* (transfer none, nullable) from the sticky events: the source's caps (the frame as its source
 * made it, before any scaling), its segment (the frame's PTS is in it) and its stream id. */
VF_API GstCaps *vf_frame_meta_get_caps(const VfFrameMeta *frame);
VF_API const GstSegment *vf_frame_meta_get_segment(const VfFrameMeta *frame);
VF_API const char *vf_frame_meta_get_stream_id(const VfFrameMeta *frame);
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
/* Before changing objects already in the frame: each object that another frame (a copy of the
 * buffer, another batch) also holds is replaced, in this frame only, by a copy (user meta copied
 * with its copy functions); parents inside the frame are moved to the copies. Take the objects
 * again afterwards (references taken before still point at the shared ones). Returns how many
 * were copied (0: they were all this frame's already). Private frames only. */
VF_API guint vf_frame_meta_make_objects_writable(VfFrameMeta *frame);

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
/* A deep copy (transfer full), in no frame: fields, classifications, user meta that has a copy
 * function; the copy has the same parent. */
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
