/* vidflow osd: trails of tracked objects, see trails.h. */
#include "trails.h"

#include <string.h>

typedef struct {
  guint source_id;
  guint64 id;
} Key;

typedef struct {
  Key key;
  guint64 last; /* frame of the newest point */
  guint n;      /* points kept, at most length */
  VfOsdPoint points[];
} Trail;

struct _VfOsdTrails {
  guint length;
  GHashTable *trails; /* Key* -> Trail* (the key lives in the trail) */
};

static guint key_hash(gconstpointer p)
{
  const Key *k = p;
  guint64 v = k->id * G_GUINT64_CONSTANT(0x9E3779B97F4A7C15) ^ k->source_id;
  return (guint)(v ^ (v >> 32));
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
  const Key *x = a, *y = b;
  return x->source_id == y->source_id && x->id == y->id;
}

VfOsdTrails *vf_osd_trails_new(guint length)
{
  VfOsdTrails *t = g_new0(VfOsdTrails, 1);
  t->length = MAX(length, 2);
  t->trails = g_hash_table_new_full(key_hash, key_equal, NULL, g_free);
  return t;
}

void vf_osd_trails_free(VfOsdTrails *t)
{
  if (t == NULL)
    return;
  g_hash_table_destroy(t->trails);
  g_free(t);
}

const VfOsdPoint *vf_osd_trails_add(VfOsdTrails *t, guint source_id, guint64 id, guint64 frame,
                                    gfloat x, gfloat y, guint *n)
{
  Key k = { source_id, id };
  Trail *tr = g_hash_table_lookup(t->trails, &k);
  if (tr == NULL) {
    tr = g_malloc0(sizeof *tr + t->length * sizeof(VfOsdPoint));
    tr->key = k;
    g_hash_table_insert(t->trails, &tr->key, tr);
  }
  if (tr->n == t->length) { /* full: drop the oldest */
    memmove(tr->points, tr->points + 1, (t->length - 1) * sizeof(VfOsdPoint));
    tr->n--;
  }
  tr->points[tr->n++] = (VfOsdPoint){ x, y };
  tr->last = frame;
  *n = tr->n;
  return tr->points;
}

typedef struct {
  guint source_id;
  guint64 before;
  gboolean all; /* every track of the source */
} Which;

static gboolean matches(gpointer key, gpointer value, gpointer data)
{
  const Trail *tr = value;
  const Which *w = data;
  (void)key;
  return tr->key.source_id == w->source_id && (w->all || tr->last < w->before);
}

void vf_osd_trails_prune(VfOsdTrails *t, guint source_id, guint64 frame)
{
  if (frame < t->length)
    return;
  Which w = { source_id, frame - t->length, FALSE };
  g_hash_table_foreach_remove(t->trails, matches, &w);
}

void vf_osd_trails_forget_source(VfOsdTrails *t, guint source_id)
{
  Which w = { source_id, 0, TRUE };
  g_hash_table_foreach_remove(t->trails, matches, &w);
}

void vf_osd_trails_clear(VfOsdTrails *t)
{
  g_hash_table_remove_all(t->trails);
}

guint vf_osd_trails_size(const VfOsdTrails *t)
{
  return g_hash_table_size(t->trails);
}
