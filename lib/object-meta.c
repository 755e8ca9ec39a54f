/* vidflow: VfObjectMeta, a ref-counted detected / tracked / classified object, and the object
 * lists frames hold (shared by frame copies, see meta-private.h). */
#include "meta-private.h"

VfObjectMeta *vf_object_meta_new(void)
{
  VfObjectMeta *o = g_new0(VfObjectMeta, 1);
  o->refcount = 1;
  o->class_id = VF_CLASS_UNKNOWN;
  o->object_id = VF_OBJECT_UNTRACKED;
  return o;
}

VfObjectMeta *vf_object_meta_ref(VfObjectMeta *object)
{
  if (object == NULL)
    return NULL;
  g_atomic_int_inc(&object->refcount);
  return object;
}

void vf_object_meta_unref(VfObjectMeta *object)
{
  /* Parents are released iteratively so that a long chain cannot overflow the stack. */
  while (object != NULL && g_atomic_int_dec_and_test(&object->refcount)) {
    VfObjectMeta *parent = object->parent;
    vf_user_meta_list_clear(&object->user);
    if (object->classifications)
      g_array_free(object->classifications, TRUE);
    g_free(object);
    object = parent;
  }
}

VfObjectMeta *vf_object_meta_copy(const VfObjectMeta *object)
{
  if (object == NULL)
    return NULL;
  VfObjectMeta *o = g_new0(VfObjectMeta, 1);
  *o = *object;
  o->refcount = 1;
  o->owners = 0;
  o->user.entries = NULL;
  if (o->parent)
    vf_object_meta_ref(o->parent);
  if (object->classifications)
    o->classifications = g_array_copy(object->classifications);
  vf_user_meta_list_copy_into(&o->user, &object->user);
  return o;
}

/* ---- object lists ---- */

static void release_entry(gpointer data)
{
  VfObjectMeta *o = data;
  g_atomic_int_add(&o->owners, -1);
  vf_object_meta_unref(o);
}

VfObjectList *vf_object_list_new(void)
{
  VfObjectList *l = g_new(VfObjectList, 1);
  l->refcount = 1;
  l->objects = g_ptr_array_new_with_free_func(release_entry);
  return l;
}

VfObjectList *vf_object_list_ref(VfObjectList *list)
{
  g_atomic_int_inc(&list->refcount);
  return list;
}

void vf_object_list_unref(VfObjectList *list)
{
  if (list == NULL || !g_atomic_int_dec_and_test(&list->refcount))
    return;
  g_ptr_array_unref(list->objects);
  g_free(list);
}

void vf_object_list_append(VfObjectList *list, VfObjectMeta *object)
{
  g_atomic_int_inc(&object->owners);
  g_ptr_array_add(list->objects, vf_object_meta_ref(object));
}

VfObjectList *vf_object_list_copy(const VfObjectList *src)
{
  VfObjectList *l = vf_object_list_new();
  for (guint i = 0; src && i < src->objects->len; i++)
    vf_object_list_append(l, g_ptr_array_index(src->objects, i));
  return l;
}

VfObjectMeta *vf_object_list_steal(VfObjectList *list, guint index)
{
  VfObjectMeta *o = g_ptr_array_steal_index(list->objects, index);
  g_atomic_int_add(&o->owners, -1);
  return o;
}

/* x * sx + dx; an empty rectangle (unset) stays empty where it is. */
static void map_rect(VfRect *r, gdouble sx, gdouble sy, gdouble dx, gdouble dy)
{
  gboolean empty = r->width <= 0 && r->height <= 0;
  r->left = (gfloat)(r->left * sx + (empty ? 0 : dx));
  r->top = (gfloat)(r->top * sy + (empty ? 0 : dy));
  r->width = (gfloat)(r->width * sx);
  r->height = (gfloat)(r->height * sy);
}

void vf_object_meta_scale(VfObjectMeta *object, gdouble sx, gdouble sy, gdouble dx, gdouble dy)
{
  map_rect(&object->detector_bbox, sx, sy, dx, dy);
  map_rect(&object->tracker_bbox, sx, sy, dx, dy);
}

gint vf_object_meta_get_class_id(const VfObjectMeta *object)
{
  if (object == NULL)
    return VF_CLASS_UNKNOWN;
  return object->class_id;
}

void vf_object_meta_set_class_id(VfObjectMeta *object, gint class_id)
{
  if (object == NULL)
    return;
  object->class_id = class_id;
}

const char *vf_object_meta_get_label(const VfObjectMeta *object)
{
  if (object == NULL)
    return NULL;
  return object->label;
}

void vf_object_meta_set_label(VfObjectMeta *object, const char *label)
{
  if (object == NULL)
    return;
  object->label = g_intern_string(label);
}

gfloat vf_object_meta_get_confidence(const VfObjectMeta *object)
{
  if (object == NULL)
    return 0;
  return object->confidence;
}

void vf_object_meta_set_confidence(VfObjectMeta *object, gfloat confidence)
{
  if (object == NULL)
    return;
  object->confidence = confidence;
}

void vf_object_meta_get_detector_bbox(const VfObjectMeta *object, VfRect *rect)
{
  if (object == NULL || rect == NULL)
    return;
  *rect = object->detector_bbox;
}

void vf_object_meta_set_detector_bbox(VfObjectMeta *object, const VfRect *rect)
{
  if (object == NULL || rect == NULL)
    return;
  object->detector_bbox = *rect;
}

void vf_object_meta_get_tracker_bbox(const VfObjectMeta *object, VfRect *rect)
{
  if (object == NULL || rect == NULL)
    return;
  *rect = object->tracker_bbox;
}

void vf_object_meta_set_tracker_bbox(VfObjectMeta *object, const VfRect *rect)
{
  if (object == NULL || rect == NULL)
    return;
  object->tracker_bbox = *rect;
}

gfloat vf_object_meta_get_tracker_confidence(const VfObjectMeta *object)
{
  if (object == NULL)
    return 0;
  return object->tracker_confidence;
}

void vf_object_meta_set_tracker_confidence(VfObjectMeta *object, gfloat confidence)
{
  if (object == NULL)
    return;
  object->tracker_confidence = confidence;
}

guint64 vf_object_meta_get_object_id(const VfObjectMeta *object)
{
  if (object == NULL)
    return VF_OBJECT_UNTRACKED;
  return object->object_id;
}

void vf_object_meta_set_object_id(VfObjectMeta *object, guint64 object_id)
{
  if (object == NULL)
    return;
  object->object_id = object_id;
}

gint vf_object_meta_get_component_id(const VfObjectMeta *object)
{
  if (object == NULL)
    return 0;
  return object->component_id;
}

void vf_object_meta_set_component_id(VfObjectMeta *object, gint component_id)
{
  if (object == NULL)
    return;
  object->component_id = component_id;
}

VfObjectMeta *vf_object_meta_get_parent(const VfObjectMeta *object)
{
  if (object == NULL)
    return NULL;
  return object->parent ? vf_object_meta_ref(object->parent) : NULL;
}

gboolean vf_object_meta_set_parent(VfObjectMeta *object, VfObjectMeta *parent)
{
  if (object == NULL)
    return FALSE;
  for (VfObjectMeta *p = parent; p != NULL; p = p->parent)
    if (p == object)
      return FALSE;
  if (parent)
    vf_object_meta_ref(parent);
  VfObjectMeta *old = object->parent;
  object->parent = parent;
  vf_object_meta_unref(old);
  return TRUE;
}

void vf_object_meta_add_classification(VfObjectMeta *object, gint component_id, gint class_id,
                                       const char *label, gfloat confidence)
{
  if (object == NULL)
    return;
  if (object->classifications == NULL)
    object->classifications = g_array_new(FALSE, FALSE, sizeof(VfClassification));
  VfClassification c = { component_id, class_id, g_intern_string(label), confidence };
  g_array_append_val(object->classifications, c);
}

guint vf_object_meta_get_n_classifications(const VfObjectMeta *object)
{
  if (object == NULL)
    return 0;
  return object->classifications ? object->classifications->len : 0;
}

gboolean vf_object_meta_get_classification(const VfObjectMeta *object, guint index,
                                           VfClassification *out)
{
  if (object == NULL || out == NULL)
    return FALSE;
  if (index >= vf_object_meta_get_n_classifications(object))
    return FALSE;
  *out = g_array_index(object->classifications, VfClassification, index);
  return TRUE;
}

void vf_object_meta_clear_classifications(VfObjectMeta *object)
{
  if (object == NULL)
    return;
  if (object->classifications)
    g_array_set_size(object->classifications, 0);
}

void vf_object_meta_add_user_meta(VfObjectMeta *object, const char *type, gpointer data,
                                  VfUserMetaCopyFunc copy, GDestroyNotify free)
{
  if (object == NULL)
    return;
  vf_user_meta_list_add(&object->user, type, data, copy, free);
}

gpointer vf_object_meta_get_user_meta(VfObjectMeta *object, const char *type)
{
  if (object == NULL)
    return NULL;
  return vf_user_meta_list_get(&object->user, type);
}

guint vf_object_meta_get_n_user_meta(VfObjectMeta *object)
{
  if (object == NULL)
    return 0;
  return vf_user_meta_list_length(&object->user);
}

gpointer vf_object_meta_get_nth_user_meta(VfObjectMeta *object, guint index, const char **type)
{
  if (object == NULL) {
    if (type)
      *type = NULL;
    return NULL;
  }
  return vf_user_meta_list_nth(&object->user, index, type);
}

guint vf_object_meta_remove_user_meta(VfObjectMeta *object, const char *type)
{
  if (object == NULL)
    return 0;
  return vf_user_meta_list_remove(&object->user, type);
}
