/* vidflow: quoting user text in messages without echoing megabytes of it, and always as valid
 * UTF-8 (a GError message must be). Text longer than VF_SHORT_MAX bytes is cut at a character
 * boundary, text with bytes that are not UTF-8 is cut before the first of them, and both end
 * with "…":
 *
 *   g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "unknown key '" VF_SHORT_FMT "'", VF_SHORT(key));
 *
 * VF_SHORT evaluates its argument three times: pass a plain variable. NULL prints as "". */
#pragma once

#include <glib.h>
#include <string.h>

#define VF_SHORT_MAX 200
#define VF_SHORT_FMT "%.*s%s"
#define VF_SHORT(s) vf_short_len(s), (s) ? (s) : "", vf_short_tail(s)

/* Bytes of `s` to print: its longest valid UTF-8 prefix of at most VF_SHORT_MAX bytes. */
static inline int vf_short_len(const char *s)
{
  if (s == NULL)
    return 0;
  const char *end;
  g_utf8_validate_len(s, strnlen(s, VF_SHORT_MAX), &end);
  return (int)(end - s);
}

/* "…" when vf_short_len() left something out. */
static inline const char *vf_short_tail(const char *s)
{
  return s && s[vf_short_len(s)] != '\0' ? "…" : "";
}
