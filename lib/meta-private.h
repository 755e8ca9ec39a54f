/* vidflow: the metadata's private layout, shared by batch-meta.c, frame-meta.c, object-meta.c,
 * display-meta.c and user-meta.c.
 *
 * Copy-on-write (meta.h, "Copies and writers"): copies of a buffer share the nodes below by
 * reference; a node held by more than one parent (refcount > 1) is never changed, a writer first
 * replaces it in its own (private) parent with a copy. The frame list is shared by batch metas,
 * frames by frame lists, object lists and display lists by frames, objects by object lists.
 *
 * Lock order: a batch meta's lock before a frame's lock. Objects have no lock. */
#pragma once

#include <vidflow/meta.h>

/* ---- user-meta.c: a list of typed user pointers, copied with what holds it ---- */
typedef struct {
  const char *type; /* interned */
  gpointer data;
  VfUserMetaCopyFunc copy;
  GDestroyNotify free;
} VfUserMetaEntry;

typedef struct {
  GArray *entries; /* VfUserMetaEntry, NULL while empty */
} VfUserMetaList;

void vf_user_meta_list_add(VfUserMetaList *list, const char *type, gpointer data,
                           VfUserMetaCopyFunc copy, GDestroyNotify free);
gpointer vf_user_meta_list_get(const VfUserMetaList *list, const char *type);
guint vf_user_meta_list_length(const VfUserMetaList *list);
gpointer vf_user_meta_list_nth(const VfUserMetaList *list, guint index, const char **type);
guint vf_user_meta_list_remove(VfUserMetaList *list, const char *type);
/* Copies the entries that have a copy function into `dst` (appended). */
void vf_user_meta_list_copy_into(VfUserMetaList *dst, const VfUserMetaList *src);
void vf_user_meta_list_clear(VfUserMetaList *list);

/* ---- display-meta.c: a frame's display items, shared by frame copies ---- */
typedef struct {
  gint refcount; /* frames holding it (atomic) */
  GArray *items; /* VfDisplayItem, `text` owned by the array */
} VfDisplayList;

VfDisplayList *vf_display_list_ref(VfDisplayList *list);
void vf_display_list_unref(VfDisplayList *list);
/* A private copy (refcount 1) of `src` (nullable: an empty list). */
VfDisplayList *vf_display_list_copy(const VfDisplayList *src);
void vf_display_list_scale(VfDisplayList *list, gdouble sx, gdouble sy, gdouble dx, gdouble dy);

/* ---- object-meta.c ---- */
struct _VfObjectMeta {
  gint refcount;
  gint owners; /* object lists holding it (atomic): > 1, shared by frames (copies): read-only */
  gint class_id;
  const char *label; /* interned */
  gfloat confidence;
  VfRect detector_bbox;
  VfRect tracker_bbox;
  gfloat tracker_confidence;
  guint64 object_id;
  gint component_id;
  VfObjectMeta *parent;    /* ref */
  GArray *classifications; /* VfClassification, NULL while empty */
  VfUserMetaList user;
};

void vf_object_meta_scale(VfObjectMeta *object, gdouble sx, gdouble sy, gdouble dx, gdouble dy);

/* A frame's objects, shared by frame copies. Entering the list counts as an owner of the object. */
typedef struct {
  gint refcount;      /* frames holding it (atomic) */
  GPtrArray *objects; /* VfObjectMeta refs, each counted in its `owners` */
} VfObjectList;

VfObjectList *vf_object_list_new(void);
VfObjectList *vf_object_list_ref(VfObjectList *list);
void vf_object_list_unref(VfObjectList *list);
/* A private list (refcount 1) holding the same objects (each one more owner). */
VfObjectList *vf_object_list_copy(const VfObjectList *src);
void vf_object_list_append(VfObjectList *list, VfObjectMeta *object);
/* Remove entry i; the caller gets the list's reference (transfer full), already not an owner. */
VfObjectMeta *vf_object_list_steal(VfObjectList *list, guint index);

/* ---- frame-meta.c ---- */
struct _VfFrameMeta {
  gint refcount; /* frame lists holding it (atomic): > 1, shared by copies: read-only */
  guint batch_index;
  guint source_id;
  guint64 frame_number;
  GstClockTime pts, duration, running_time;
  gint64 arrival_us;
  guint original_width, original_height;
  const char *sensor_id, *sensor_name; /* interned */
  GstVideoInfo info;
  GstBuffer *buffer; /* (nullable) ref: the frame's pixels; NULL: the carrying buffer */
  GPtrArray *sticky; /* (nullable) ref: GstEvent refs, immutable */
  VfRect content;

  GMutex lock;            /* guards the three lists (pointers and private contents), `buffer` */
  VfObjectList *objects;  /* (nullable) */
  VfDisplayList *display; /* (nullable) */
  VfUserMetaList user;    /* copied with the frame */
};

/* A new frame (refcount 1) over `buffer` (transfer none, nullable) laid out as `info`. */
VfFrameMeta *vf_frame_meta_new(guint batch_index, GstBuffer *buffer, const GstVideoInfo *info);
/* A private copy (refcount 1) with a new batch index: fields, buffer, sticky events, object and
 * display lists shared; user meta copied with its copy functions. O(user meta). */
VfFrameMeta *vf_frame_meta_copy(VfFrameMeta *src, guint batch_index);
VfFrameMeta *vf_frame_meta_ref(VfFrameMeta *frame);
void vf_frame_meta_unref(VfFrameMeta *frame);
/* On a private frame: map everything in stored-frame pixels by x * sx + dx, y * sy + dy (its
 * objects and display items become private copies first) and set the new layout. */
void vf_frame_meta_scale(VfFrameMeta *frame, const GstVideoInfo *out_info, gdouble sx, gdouble sy,
                         gdouble dx, gdouble dy);

/* ---- batch-meta.c ---- */
typedef struct {
  gint refcount;     /* batch metas holding it (atomic) */
  GPtrArray *frames; /* VfFrameMeta refs */
} VfFrameList;

struct _VfBatchMeta {
  GstMeta meta;
  GstBuffer *buffer; /* the carrying buffer (not a reference: the meta lives in it) */
  guint max_frames;
  GMutex lock;         /* guards `frames` (the pointer, a private list's contents) and `user` */
  VfFrameList *frames; /* shared by copies of the buffer */
  VfUserMetaList user; /* copied with the buffer */
};
