/* The tracking core without GStreamer: the optimal assignment against brute force on random
 * cases, the greedy one by hand, and the Kalman filter following a box at constant speed. */
#include "assign.h"
#include "kalman.h"

#include <math.h>

#define MIN_SIM 0.3f

/* The best total (similarity - MIN_SIM) over every matching of rows r.. (brute force). */
static gdouble best_total(const gfloat *sim, guint rows, guint cols, guint r, guint used)
{
  if (r == rows)
    return 0;
  gdouble best = best_total(sim, rows, cols, r + 1, used); /* r unmatched */
  for (guint c = 0; c < cols; c++)
    if (!(used & (1u << c)) && sim[r * cols + c] >= MIN_SIM)
      best = MAX(best, sim[r * cols + c] - MIN_SIM
                           + best_total(sim, rows, cols, r + 1, used | (1u << c)));
  return best;
}

static void test_optimal_vs_brute_force(void)
{
  GRand *rand = g_rand_new_with_seed(7);
  VfAssignWork *w = vf_assign_work_new();
  for (guint round = 0; round < 3000; round++) {
    guint rows = g_rand_int_range(rand, 1, 7), cols = g_rand_int_range(rand, 1, 7);
    gfloat sim[36];
    GArray *pairs = g_array_new(FALSE, FALSE, sizeof(VfAssignPair));
    for (guint r = 0; r < rows; r++)
      for (guint c = 0; c < cols; c++) {
        /* sparse: most pairs do not overlap at all; some sit exactly at the threshold */
        gdouble u = g_rand_double(rand);
        sim[r * cols + c] = u < 0.5 ? 0 : u < 0.55 ? MIN_SIM : (gfloat)g_rand_double(rand);
        if (sim[r * cols + c] >= MIN_SIM) {
          VfAssignPair p = { sim[r * cols + c], (gint)r, (gint)c };
          g_array_append_val(pairs, p);
        }
      }
    gint match[6];
    guint n = vf_assign_optimal(w, (VfAssignPair *)(gpointer)pairs->data, pairs->len, rows, cols,
                                MIN_SIM, match);
    gdouble total = 0;
    guint used = 0, counted = 0;
    for (guint r = 0; r < rows; r++) {
      if (match[r] < 0)
        continue;
      g_assert_cmpint(match[r], <, (gint)cols);
      g_assert_false(used & (1u << match[r])); /* a column once */
      used |= 1u << match[r];
      g_assert_cmpfloat(sim[r * cols + match[r]], >=, MIN_SIM); /* only allowed pairs */
      total += sim[r * cols + match[r]] - MIN_SIM;
      counted++;
    }
    g_assert_cmpuint(n, ==, counted);
    gdouble best = best_total(sim, rows, cols, 0, 0);
    if (fabs(total - best) > 1e-5)
      g_error("round %u (%ux%u): total %.6f, the best is %.6f", round, rows, cols, total, best);
    g_array_unref(pairs);
  }
  vf_assign_work_free(w);
  g_rand_free(rand);
}

/* Where greedy and optimal differ: greedy takes the best pair, optimal the best sum. */
static void test_greedy_vs_optimal(void)
{
  /* r0-c0 0.9, r0-c1 0.8, r1-c0 0.8: greedy r0-c0 (r1 left out); optimal r0-c1, r1-c0 */
  VfAssignPair pairs[] = { { 0.9f, 0, 0 }, { 0.8f, 0, 1 }, { 0.8f, 1, 0 } };
  VfAssignWork *w = vf_assign_work_new();
  gint match[2];
  g_assert_cmpuint(vf_assign_greedy(w, pairs, 3, 2, 2, match), ==, 1);
  g_assert_cmpint(match[0], ==, 0);
  g_assert_cmpint(match[1], ==, -1);
  VfAssignPair again[] = { { 0.9f, 0, 0 }, { 0.8f, 0, 1 }, { 0.8f, 1, 0 } };
  g_assert_cmpuint(vf_assign_optimal(w, again, 3, 2, 2, 0.2f, match), ==, 2);
  g_assert_cmpint(match[0], ==, 1);
  g_assert_cmpint(match[1], ==, 0);
  /* with a high floor the single strong pair is worth more than two weak ones */
  VfAssignPair high[] = { { 0.9f, 0, 0 }, { 0.8f, 0, 1 }, { 0.8f, 1, 0 } };
  g_assert_cmpuint(vf_assign_optimal(w, high, 3, 2, 2, 0.75f, match), ==, 1);
  g_assert_cmpint(match[0], ==, 0);
  g_assert_cmpuint(vf_assign_optimal(w, NULL, 0, 2, 2, 0.2f, match), ==, 0);
  g_assert_cmpint(match[0], ==, -1);
  vf_assign_work_free(w);
}

/* A box moving 3 px right and 1 px down per frame, measured with +-1 px noise: the filter's
 * prediction ends up on the true box and its velocity on the true one. */
static void test_kalman_constant_velocity(void)
{
  VfKalman k;
  gfloat box[4] = { 100, 50, 40, 100 };
  vf_kalman_init(&k, box, 0.05, 0.00625);
  for (guint t = 1; t <= 40; t++) {
    vf_kalman_predict(&k, 0.05, 0.00625, FALSE);
    gfloat m[4] = { 100 + 3.0f * t + (t % 2 ? 1 : -1), 50 + 1.0f * t, 40, 100 };
    vf_kalman_update(&k, m, 0.05);
  }
  vf_kalman_predict(&k, 0.05, 0.00625, FALSE);
  gfloat p[4];
  vf_kalman_box(&k, p);
  g_assert_cmpfloat(fabs(p[0] - (100 + 3.0 * 41)), <, 1.5);
  g_assert_cmpfloat(fabs(p[1] - (50 + 41.0)), <, 1.0);
  g_assert_cmpfloat(fabs(p[2] - 40), <, 0.5);
  g_assert_cmpfloat(fabs(p[3] - 100), <, 0.5);
  g_assert_cmpfloat(fabs(k.x[4] - 3), <, 0.3);
  g_assert_cmpfloat(fabs(k.x[5] - 1), <, 0.3);
  /* ten frames unseen: it goes on at that speed */
  for (guint t = 0; t < 10; t++)
    vf_kalman_predict(&k, 0.05, 0.00625, TRUE);
  vf_kalman_box(&k, p);
  g_assert_cmpfloat(fabs(p[0] - (100 + 3.0 * 51)), <, 5);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/tracker-core/optimal-vs-brute-force", test_optimal_vs_brute_force);
  g_test_add_func("/tracker-core/greedy-vs-optimal", test_greedy_vs_optimal);
  g_test_add_func("/tracker-core/kalman", test_kalman_constant_velocity);
  return g_test_run();
}
