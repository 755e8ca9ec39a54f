/* vidflow infer: secondary classifier results per tracked object, see track-cache.h. */
#include "track-cache.h"

typedef struct {
  guint source_id;
  guint64 object_id;
} Key;

typedef struct {
  Key key;
  GArray *classes;  /* VfInferClass */
  guint64 inferred; /* frame it was classified at */
  guint64 seen;     /* last frame it was looked up or stored at */
  gdouble area;     /* box area when classified */
} Entry;

struct _VfInferTrackCache {
  guint interval;
  gdouble growth;
  GHashTable *entries; /* Key* -> Entry* (the key lives in the entry) */
  GHashTable *latest;  /* source id -> guint64* latest frame seen */
};

static guint key_hash(gconstpointer p)
{
  const Key *k = p;
  guint64 v = k->object_id * G_GUINT64_CONSTANT(0x9E3779B97F4A7C15) ^ k->source_id;
  return (guint)(v ^ (v >> 32));
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
  const Key *x = a, *y = b;
  return x->source_id == y->source_id && x->object_id == y->object_id;
}

static void entry_free(gpointer p)
{
  Entry *e = p;
  g_array_unref(e->classes);
  g_free(e);
}

VfInferTrackCache *vf_infer_track_cache_new(guint interval, gdouble growth)
{
  VfInferTrackCache *c = g_new0(VfInferTrackCache, 1);
  c->interval = interval;
  c->growth = growth;
  c->entries = g_hash_table_new_full(key_hash, key_equal, NULL, entry_free);
  c->latest = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  return c;
}

void vf_infer_track_cache_free(VfInferTrackCache *c)
{
  if (c == NULL)
    return;
  g_hash_table_destroy(c->entries);
  g_hash_table_destroy(c->latest);
  g_free(c);
}

static void saw(VfInferTrackCache *c, guint source_id, guint64 frame)
{
  guint64 *latest = g_hash_table_lookup(c->latest, GUINT_TO_POINTER(source_id));
  if (latest == NULL) {
    latest = g_new0(guint64, 1);
    g_hash_table_insert(c->latest, GUINT_TO_POINTER(source_id), latest);
  }
  *latest = MAX(*latest, frame);
}

const GArray *vf_infer_track_cache_lookup(VfInferTrackCache *c, guint source_id, guint64 object_id,
                                          guint64 frame, gdouble area)
{
  saw(c, source_id, frame);
  Key k = { source_id, object_id };
  Entry *e = g_hash_table_lookup(c->entries, &k);
  if (e == NULL)
    return NULL;
  e->seen = frame;
  if (c->interval > 0 && frame >= e->inferred + c->interval)
    return NULL;
  if (c->growth > 0 && area > e->area * (1.0 + c->growth))
    return NULL;
  return e->classes;
}

void vf_infer_track_cache_store(VfInferTrackCache *c, guint source_id, guint64 object_id,
                                guint64 frame, gdouble area, const GArray *classes)
{
  saw(c, source_id, frame);
  Key k = { source_id, object_id };
  Entry *e = g_hash_table_lookup(c->entries, &k);
  if (e == NULL) {
    e = g_new0(Entry, 1);
    e->key = k;
    e->classes = g_array_new(FALSE, FALSE, sizeof(VfInferClass));
    g_hash_table_insert(c->entries, &e->key, e);
  }
  g_array_set_size(e->classes, 0);
  g_array_append_vals(e->classes, classes->data, classes->len);
  e->inferred = e->seen = frame;
  e->area = area;
}

static gboolean of_source(gpointer key, gpointer value, gpointer data)
{
  (void)value;
  return ((const Key *)key)->source_id == GPOINTER_TO_UINT(data);
}

void vf_infer_track_cache_forget_source(VfInferTrackCache *c, guint source_id)
{
  g_hash_table_foreach_remove(c->entries, of_source, GUINT_TO_POINTER(source_id));
  g_hash_table_remove(c->latest, GUINT_TO_POINTER(source_id));
}

void vf_infer_track_cache_clear(VfInferTrackCache *c)
{
  g_hash_table_remove_all(c->entries);
  g_hash_table_remove_all(c->latest);
}

static gboolean stale(gpointer key, gpointer value, gpointer data)
{
  const Entry *e = value;
  const VfInferTrackCache *c = data;
  const guint64 *latest
      = g_hash_table_lookup(c->latest, GUINT_TO_POINTER(((const Key *)key)->source_id));
  guint64 forget = MAX((guint64)VF_INFER_TRACK_CACHE_FORGET, 2 * (guint64)c->interval);
  return latest && *latest > e->seen + forget;
}

void vf_infer_track_cache_sweep(VfInferTrackCache *c)
{
  g_hash_table_foreach_remove(c->entries, stale, c);
}

guint vf_infer_track_cache_size(const VfInferTrackCache *c)
{
  return g_hash_table_size(c->entries);
}
