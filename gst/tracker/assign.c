/* vidflow tracker: optimal and greedy assignment, see assign.h.
 *
 * Optimal: a maximum-weight matching, pair (r, c) weighing similarity - min_similarity. Per
 * group of linked rows and columns it is an assignment problem on a dense matrix where a missing
 * pair weighs 0 (as good as unmatched), solved by the shortest-augmenting-path Hungarian method
 * (potentials u, v), O(n^2 m) for a group of n x m (n <= m). */
#include "assign.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct _VfAssignWork {
  GArray *parent;       /* gint: union-find over rows then columns */
  GArray *group;        /* gint: group of each node, -1 when it has no pair */
  GArray *local;        /* gint: a node's index within its group's matrix */
  GArray *start, *fill; /* gint: first pair of each group in `sorted`, fill positions */
  GArray *sorted;       /* VfAssignPair, by group */
  GArray *nodes;        /* gint: a group's rows then columns */
  GArray *cost;         /* gdouble: a group's cost matrix, (n + 1) x (m + 1), 1-based */
  GArray *u, *v, *minv; /* gdouble */
  GArray *p, *way;      /* gint */
  GArray *used;         /* gchar */
};

VfAssignWork *vf_assign_work_new(void)
{
  VfAssignWork *w = g_new0(VfAssignWork, 1);
  w->parent = g_array_new(FALSE, FALSE, sizeof(gint));
  w->group = g_array_new(FALSE, FALSE, sizeof(gint));
  w->local = g_array_new(FALSE, FALSE, sizeof(gint));
  w->start = g_array_new(FALSE, FALSE, sizeof(gint));
  w->fill = g_array_new(FALSE, FALSE, sizeof(gint));
  w->sorted = g_array_new(FALSE, FALSE, sizeof(VfAssignPair));
  w->nodes = g_array_new(FALSE, FALSE, sizeof(gint));
  w->cost = g_array_new(FALSE, FALSE, sizeof(gdouble));
  w->u = g_array_new(FALSE, FALSE, sizeof(gdouble));
  w->v = g_array_new(FALSE, FALSE, sizeof(gdouble));
  w->minv = g_array_new(FALSE, FALSE, sizeof(gdouble));
  w->p = g_array_new(FALSE, FALSE, sizeof(gint));
  w->way = g_array_new(FALSE, FALSE, sizeof(gint));
  w->used = g_array_new(FALSE, FALSE, sizeof(gchar));
  return w;
}

void vf_assign_work_free(VfAssignWork *w)
{
  if (w == NULL)
    return;
  GArray *arrays[] = { w->parent, w->group, w->local, w->start, w->fill, w->sorted, w->nodes,
                       w->cost,   w->u,     w->v,     w->minv,  w->p,    w->way,    w->used };
  for (guint i = 0; i < G_N_ELEMENTS(arrays); i++)
    g_array_unref(arrays[i]);
  g_free(w);
}

static gint find_root(gint *parent, gint x)
{
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

#define IDX(a, i) (((gint *)(gpointer)(a)->data)[i])

/* Hungarian method on the 1-based n x m matrix in w->cost (n <= m): p[j] = row of column j. */
static void hungarian(VfAssignWork *w, guint n, guint m)
{
  g_array_set_size(w->u, n + 1);
  g_array_set_size(w->v, m + 1);
  g_array_set_size(w->minv, m + 1);
  g_array_set_size(w->p, m + 1);
  g_array_set_size(w->way, m + 1);
  g_array_set_size(w->used, m + 1);
  const gdouble *a = (const gdouble *)(gpointer)w->cost->data;
  gdouble *u = (gdouble *)(gpointer)w->u->data, *v = (gdouble *)(gpointer)w->v->data;
  gdouble *minv = (gdouble *)(gpointer)w->minv->data;
  gint *p = (gint *)(gpointer)w->p->data, *way = (gint *)(gpointer)w->way->data;
  gchar *used = w->used->data;
  memset(u, 0, (n + 1) * sizeof *u);
  memset(v, 0, (m + 1) * sizeof *v);
  memset(p, 0, (m + 1) * sizeof *p);
  for (guint i = 1; i <= n; i++) {
    p[0] = (gint)i;
    guint j0 = 0;
    for (guint j = 0; j <= m; j++)
      minv[j] = INFINITY;
    memset(used, 0, m + 1);
    do {
      used[j0] = 1;
      guint i0 = (guint)p[j0], j1 = 0;
      gdouble delta = INFINITY;
      for (guint j = 1; j <= m; j++) {
        if (used[j])
          continue;
        gdouble cur = a[i0 * (m + 1) + j] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = (gint)j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (guint j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      guint j1 = (guint)way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 != 0);
  }
}

/* One group of pairs: the best pair of a star, else the Hungarian method. */
static guint solve_group(VfAssignWork *w, const VfAssignPair *pairs, guint n_pairs, guint n_rows,
                         gfloat min_sim, gint *row_to_col)
{
  /* the group's rows and columns, numbered locally */
  g_array_set_size(w->nodes, 0);
  guint nr = 0, nc = 0;
  for (int pass = 0; pass < 2; pass++)
    for (guint k = 0; k < n_pairs; k++) {
      gint node = pass == 0 ? pairs[k].row : (gint)n_rows + pairs[k].col;
      if (IDX(w->local, node) >= 0)
        continue;
      IDX(w->local, node) = (gint)(pass == 0 ? nr++ : nc++);
      g_array_append_val(w->nodes, node);
    }
  guint matches = 0;
  if (nr == 1 || nc == 1) {
    const VfAssignPair *best = &pairs[0];
    for (guint k = 1; k < n_pairs; k++)
      if (pairs[k].similarity > best->similarity)
        best = &pairs[k];
    row_to_col[best->row] = best->col;
    matches = 1;
  } else {
    gboolean flip = nr > nc; /* matrix rows are the smaller side */
    guint n = flip ? nc : nr, m = flip ? nr : nc;
    g_array_set_size(w->cost, (n + 1) * (m + 1));
    gdouble *a = (gdouble *)(gpointer)w->cost->data;
    memset(a, 0, (n + 1) * (m + 1) * sizeof *a);
    for (guint k = 0; k < n_pairs; k++) {
      guint r = (guint)IDX(w->local, pairs[k].row) + 1;
      guint c = (guint)IDX(w->local, (gint)n_rows + pairs[k].col) + 1;
      /* a pair at exactly min_sim still beats no pair */
      a[(flip ? c : r) * (m + 1) + (flip ? r : c)]
          = -((gdouble)pairs[k].similarity - min_sim) - 1e-9;
    }
    hungarian(w, n, m);
    const gint *p = (const gint *)(gpointer)w->p->data;
    for (guint j = 1; j <= m; j++) {
      guint i = (guint)p[j];
      if (i == 0 || !(a[i * (m + 1) + j] < 0)) /* unmatched, or not a pair */
        continue;
      guint r = flip ? j : i, c = flip ? i : j;
      gint row = IDX(w->nodes, r - 1), col = IDX(w->nodes, nr + c - 1) - (gint)n_rows;
      row_to_col[row] = col;
      matches++;
    }
  }
  for (guint i = 0; i < w->nodes->len; i++)
    IDX(w->local, IDX(w->nodes, i)) = -1;
  return matches;
}

guint vf_assign_optimal(VfAssignWork *w, VfAssignPair *pairs, guint n_pairs, guint n_rows,
                        guint n_cols, gfloat min_sim, gint *row_to_col)
{
  for (guint r = 0; r < n_rows; r++)
    row_to_col[r] = -1;
  if (n_pairs == 0)
    return 0;
  guint n_nodes = n_rows + n_cols;
  g_array_set_size(w->parent, n_nodes);
  g_array_set_size(w->group, n_nodes);
  g_array_set_size(w->local, n_nodes);
  gint *parent = (gint *)(gpointer)w->parent->data, *group = (gint *)(gpointer)w->group->data;
  for (guint i = 0; i < n_nodes; i++) {
    parent[i] = (gint)i;
    group[i] = -1;
    IDX(w->local, i) = -1;
  }
  for (guint k = 0; k < n_pairs; k++) {
    gint a = find_root(parent, pairs[k].row), b = find_root(parent, (gint)n_rows + pairs[k].col);
    if (a != b)
      parent[MAX(a, b)] = MIN(a, b);
  }
  /* number the groups, then bucket the pairs by group */
  guint n_groups = 0;
  for (guint k = 0; k < n_pairs; k++) {
    gint root = find_root(parent, pairs[k].row);
    if (group[root] < 0)
      group[root] = (gint)n_groups++;
  }
  g_array_set_size(w->start, n_groups + 1);
  g_array_set_size(w->fill, n_groups);
  gint *start = (gint *)(gpointer)w->start->data, *fill = (gint *)(gpointer)w->fill->data;
  memset(start, 0, (n_groups + 1) * sizeof *start);
  for (guint k = 0; k < n_pairs; k++)
    start[group[find_root(parent, pairs[k].row)] + 1]++;
  for (guint g = 0; g < n_groups; g++)
    start[g + 1] += start[g];
  memcpy(fill, start, n_groups * sizeof *fill);
  g_array_set_size(w->sorted, n_pairs);
  VfAssignPair *sorted = (VfAssignPair *)(gpointer)w->sorted->data;
  for (guint k = 0; k < n_pairs; k++)
    sorted[fill[group[find_root(parent, pairs[k].row)]]++] = pairs[k];
  guint matches = 0;
  for (guint g = 0; g < n_groups; g++)
    matches += solve_group(w, sorted + start[g], (guint)(start[g + 1] - start[g]), n_rows, min_sim,
                           row_to_col);
  return matches;
}

static gint by_similarity(gconstpointer a, gconstpointer b)
{
  const VfAssignPair *x = a, *y = b;
  if (x->similarity != y->similarity)
    return x->similarity > y->similarity ? -1 : 1;
  if (x->row != y->row) /* deterministic order for ties */
    return x->row < y->row ? -1 : 1;
  return x->col < y->col ? -1 : x->col > y->col;
}

guint vf_assign_greedy(VfAssignWork *w, VfAssignPair *pairs, guint n_pairs, guint n_rows,
                       guint n_cols, gint *row_to_col)
{
  for (guint r = 0; r < n_rows; r++)
    row_to_col[r] = -1;
  qsort(pairs, n_pairs, sizeof *pairs, (int (*)(const void *, const void *))by_similarity);
  g_array_set_size(w->used, n_cols);
  gchar *col_used = w->used->data;
  memset(col_used, 0, n_cols);
  guint matches = 0;
  for (guint k = 0; k < n_pairs; k++) {
    const VfAssignPair *pr = &pairs[k];
    if (row_to_col[pr->row] >= 0 || col_used[pr->col])
      continue;
    row_to_col[pr->row] = pr->col;
    col_used[pr->col] = 1;
    matches++;
  }
  return matches;
}
