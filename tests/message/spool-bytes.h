/* vidflow message tests: what the spool keeps on disk. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>

/* Bytes of the spool's segment files (*.seg) in `dir`; 0 when there is none or no folder. */
static inline guint64 spool_segment_bytes(const char *dir)
{
  guint64 total = 0;
  GDir *d = g_dir_open(dir, 0, NULL);
  for (const char *n; d && (n = g_dir_read_name(d));) {
    if (!g_str_has_suffix(n, ".seg"))
      continue;
    char *path = g_build_filename(dir, n, NULL);
    GStatBuf st;
    if (g_stat(path, &st) == 0)
      total += (guint64)st.st_size;
    g_free(path);
  }
  if (d)
    g_dir_close(d);
  return total;
}
