/* vidflow: the metadata's private layout, shared by batch-meta.c, frame-meta.c, object-meta.c,
 * display-meta.c and user-meta.c. */
#pragma once

#include <vidflow/meta.h>

/* ---- user-meta.c: a list of typed user pointers ---- */
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

/* ---- display-meta.c ---- */
/* Items are stored as VfDisplayItem with `text` owned by the array. */
GArray *vf_display_list_new(void);
GArray *vf_display_list_copy(const GArray *src);
void vf_display_list_scale(GArray *list, gdouble sx, gdouble sy);

/* ---- object-meta.c ---- */
struct _VfObjectMeta {
  gint refcount;
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

void vf_object_meta_scale(VfObjectMeta *object, gdouble sx, gdouble sy);

/* ---- frame-meta.c ---- */
struct _VfFrameMeta {
  guint batch_index;
  guint source_id;
  guint64 frame_number;
  GstClockTime pts, duration, running_time;
  gint64 arrival_us;
  guint original_width, original_height;
  const char *sensor_id, *sensor_name; /* interned */
  GstVideoInfo info;
  guint mem_index, n_mems;
  VfRect content;

  GMutex lock;        /* guards the three lists */
  GPtrArray *objects; /* VfObjectMeta refs */
  GArray *display;    /* VfDisplayItem */
  VfUserMetaList user;
};

VfFrameMeta *vf_frame_meta_new(guint batch_index, const GstVideoInfo *info, guint mem_index,
                               guint n_mems);
/* A deep copy with a new batch index (objects copied, parents remapped inside the frame). */
VfFrameMeta *vf_frame_meta_copy(const VfFrameMeta *src, guint batch_index);
void vf_frame_meta_free(VfFrameMeta *frame);
/* Scale everything in stored-frame pixels by (sx, sy) and set the new info. */
void vf_frame_meta_scale(VfFrameMeta *frame, const GstVideoInfo *out_info, gdouble sx, gdouble sy);

/* ---- batch-meta.c ---- */
struct _VfBatchMeta {
  GstMeta meta;
  guint max_frames;
  GPtrArray *frames; /* VfFrameMeta, owned */
  GMutex lock;       /* guards the user meta list */
  VfUserMetaList user;
};
