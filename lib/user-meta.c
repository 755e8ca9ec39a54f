/* vidflow: user meta, typed user pointers with copy/free functions, for batches, frames and
 * objects. */
#include "meta-private.h"

void vf_user_meta_list_add(VfUserMetaList *list, const char *type, gpointer data,
                           VfUserMetaCopyFunc copy, GDestroyNotify free)
{
  if (list->entries == NULL)
    list->entries = g_array_new(FALSE, FALSE, sizeof(VfUserMetaEntry));
  VfUserMetaEntry e = { g_intern_string(type ? type : ""), data, copy, free };
  g_array_append_val(list->entries, e);
}

gpointer vf_user_meta_list_get(const VfUserMetaList *list, const char *type)
{
  if (list->entries == NULL)
    return NULL;
  const char *t = g_intern_string(type ? type : "");
  for (guint i = 0; i < list->entries->len; i++) {
    VfUserMetaEntry *e = &g_array_index(list->entries, VfUserMetaEntry, i);
    if (e->type == t)
      return e->data;
  }
  return NULL;
}

guint vf_user_meta_list_length(const VfUserMetaList *list)
{
  return list->entries ? list->entries->len : 0;
}

gpointer vf_user_meta_list_nth(const VfUserMetaList *list, guint index, const char **type)
{
  if (index >= vf_user_meta_list_length(list)) {
    if (type)
      *type = NULL;
    return NULL;
  }
  VfUserMetaEntry *e = &g_array_index(list->entries, VfUserMetaEntry, index);
  if (type)
    *type = e->type;
  return e->data;
}

static void entry_free(VfUserMetaEntry *e)
{
  if (e->free)
    e->free(e->data);
}

guint vf_user_meta_list_remove(VfUserMetaList *list, const char *type)
{
  if (list->entries == NULL)
    return 0;
  const char *t = g_intern_string(type ? type : "");
  guint removed = 0;
  for (guint i = list->entries->len; i-- > 0;) {
    VfUserMetaEntry *e = &g_array_index(list->entries, VfUserMetaEntry, i);
    if (e->type != t)
      continue;
    VfUserMetaEntry copy = *e;
    g_array_remove_index(list->entries, i);
    entry_free(&copy);
    removed++;
  }
  return removed;
}

void vf_user_meta_list_copy_into(VfUserMetaList *dst, const VfUserMetaList *src)
{
  for (guint i = 0; i < vf_user_meta_list_length(src); i++) {
    VfUserMetaEntry *e = &g_array_index(src->entries, VfUserMetaEntry, i);
    if (e->copy == NULL)
      continue;
    vf_user_meta_list_add(dst, e->type, e->copy(e->data), e->copy, e->free);
  }
}

void vf_user_meta_list_clear(VfUserMetaList *list)
{
  if (list->entries == NULL)
    return;
  GArray *entries = list->entries;
  list->entries = NULL;
  for (guint i = 0; i < entries->len; i++)
    entry_free(&g_array_index(entries, VfUserMetaEntry, i));
  g_array_free(entries, TRUE);
}
