/* vidflow benchmarks: the one median of per-round figures (header only: each bench is one
 * program). */
#ifndef VF_BENCH_STATS_H
#define VF_BENCH_STATS_H

#include <glib.h>
#include <stdlib.h>

static inline int vf_bench_compare_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The median of v[0..n) (n > 0); sorts v in place, so v[0] and v[n - 1] are the range after. */
static inline double vf_bench_median(double *v, guint n)
{
  qsort(v, n, sizeof *v, vf_bench_compare_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
