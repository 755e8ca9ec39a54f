/* vidflow tracker: assignment of tracks (rows) to detections (columns).
 *
 * Both take the candidate pairs, each with its similarity (higher is better), already at least
 * the least similarity a match may have (`min_similarity`): pairs not given never match, so the
 * cost follows the pairs that overlap at all, not rows x columns.
 * - vf_assign_optimal: the matching of largest total (similarity - min_similarity), i.e. a pair
 *   is matched when that is worth more than leaving both unmatched (the cost_limit rule of lapjv,
 *   which ByteTrack uses). Rows and columns linked by pairs form independent groups, each solved
 *   by the Hungarian method.
 * - vf_assign_greedy: pairs in decreasing similarity, each row and column used once.
 * row_to_col[r] receives the matched column or -1. A workspace holds the scratch memory between
 * calls (one per thread). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VfAssignWork VfAssignWork;

typedef struct {
  gfloat similarity;
  gint row, col;
} VfAssignPair;

VfAssignWork *vf_assign_work_new(void);
void vf_assign_work_free(VfAssignWork *work);

/* Returns the number of matches; `pairs` (rows < n_rows, cols < n_cols, no pair twice) may be
 * reordered. */
guint vf_assign_optimal(VfAssignWork *work, VfAssignPair *pairs, guint n_pairs, guint n_rows,
                        guint n_cols, gfloat min_similarity, gint *row_to_col);
guint vf_assign_greedy(VfAssignWork *work, VfAssignPair *pairs, guint n_pairs, guint n_rows,
                       guint n_cols, gint *row_to_col);

G_END_DECLS
