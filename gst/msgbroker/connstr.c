/* vidflow: connection strings of the built-in adapters (connstr.h). */
#include "connstr.h"

#include "adapter-module.h"

#include <stdarg.h>
#include <string.h>

void vf_conn_str_clear(VfConnStr *c)
{
  g_free(c->scheme);
  g_free(c->hosts);
  g_free(c->host);
  g_free(c->topic);
  g_free(c->user);
  g_free(c->password);
  if (c->options)
    g_hash_table_unref(c->options);
  memset(c, 0, sizeof *c);
}

char *vf_conn_str_scheme(const char *text)
{
  const char *sep = text ? strstr(text, "://") : NULL;
  return sep && sep > text ? g_ascii_strdown(text, sep - text) : NULL;
}

static char *unescape(const char *s, gssize len)
{
  char *raw = len < 0 ? g_strdup(s) : g_strndup(s, (gsize)len);
  char *out = g_uri_unescape_string(raw, NULL);
  g_free(raw);
  return out;
}

char *vf_conn_str_topic(const char *text)
{
  if (text == NULL)
    return NULL;
  const char *sep = strstr(text, "://");
  if (sep) {
    const char *path = strchr(sep + 3, '/');
    if (path == NULL || path[1] == '\0' || path[1] == '?')
      return NULL;
    const char *query = strchr(path, '?');
    return unescape(path + 1, query ? query - path - 1 : -1);
  }
  char **f = g_strsplit(text, ";", 3);
  char *topic = g_strv_length(f) == 3 && *g_strstrip(f[2]) ? g_strdup(f[2]) : NULL;
  g_strfreev(f);
  return topic;
}

/* "host[:port]" or "[v6]:port" into host and port. */
static gboolean parse_host(const char *text, guint default_port, char **host, guint *port)
{
  const char *colon;
  if (*text == '[') {
    const char *close = strchr(text, ']');
    if (close == NULL || close == text + 1)
      return FALSE;
    *host = g_strndup(text + 1, close - text - 1);
    colon = close[1] == ':' ? close + 1 : NULL;
    if (close[1] && !colon) {
      g_clear_pointer(host, g_free);
      return FALSE;
    }
  } else {
    colon = strrchr(text, ':');
    *host = colon ? g_strndup(text, colon - text) : g_strdup(text);
  }
  guint64 p = default_port;
  if (**host == '\0' || (colon && !g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &p, NULL))) {
    g_clear_pointer(host, g_free);
    return FALSE;
  }
  *port = (guint)p;
  return TRUE;
}

gboolean vf_conn_str_parse(const char *text, const char *scheme, guint default_port, VfConnStr *out,
                           char *error, gsize error_size)
{
  memset(out, 0, sizeof *out);
  out->options = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  const char *usage = "host;port, host:port or %s://host:port/topic";
  char *how = g_strdup_printf(usage, scheme);
  char *s = g_strstrip(g_strdup(text ? text : ""));
  if (*s == '\0') {
    g_snprintf(error, error_size, "no conn-str: give %s", how);
    g_free(how);
    g_free(s);
    vf_conn_str_clear(out);
    return FALSE;
  }
  char *hostlist = NULL;
  gboolean ok = TRUE;
  char *sep = strstr(s, "://");
  if (sep) {
    out->scheme = g_ascii_strdown(s, sep - s);
    if (!g_str_equal(out->scheme, scheme)) {
      g_snprintf(error, error_size,
                 "conn-str '%s' is a %s:// address; the %s adapter takes %s (or set proto-lib "
                 "to %s)",
                 text, out->scheme, scheme, how, out->scheme);
      ok = FALSE;
    }
    char *rest = sep + 3;
    char *query = strchr(rest, '?');
    if (ok && query) {
      *query++ = '\0';
      char **pairs = g_strsplit(query, "&", -1);
      for (char **p = pairs; ok && *p; p++) {
        if (**p == '\0')
          continue;
        char *eq = strchr(*p, '=');
        if (eq == NULL || eq == *p) {
          g_snprintf(error, error_size,
                     "conn-str '%s': option '%s' needs a value (name=value, separated by &)", text,
                     *p);
          ok = FALSE;
        } else {
          g_hash_table_replace(out->options, unescape(*p, eq - *p), unescape(eq + 1, -1));
        }
      }
      g_strfreev(pairs);
    }
    char *path = ok ? strchr(rest, '/') : NULL;
    if (path) {
      *path++ = '\0';
      if (*path)
        out->topic = unescape(path, -1);
    }
    char *at = ok ? strrchr(rest, '@') : NULL;
    if (at) {
      *at = '\0';
      char *colon = strchr(rest, ':');
      out->user = unescape(rest, colon ? colon - rest : -1);
      if (colon)
        out->password = unescape(colon + 1, -1);
      rest = at + 1;
    }
    hostlist = g_strdup(rest);
  } else if (strchr(s, ';')) {
    char **f = g_strsplit(s, ";", 3);
    guint n = g_strv_length(f);
    if (n >= 2 && *g_strstrip(f[0]) && *g_strstrip(f[1])) {
      hostlist = g_strdup_printf("%s:%s", f[0], f[1]);
      if (n == 3 && *g_strstrip(f[2]))
        out->topic = g_strdup(f[2]);
    } else {
      g_snprintf(error, error_size, "conn-str '%s' is not host;port: give %s", text, how);
      ok = FALSE;
    }
    g_strfreev(f);
  } else {
    hostlist = g_strdup(s);
  }
  if (ok) {
    GString *hosts = g_string_new(NULL);
    char **list = g_strsplit(hostlist, ",", -1);
    for (char **h = list; ok && *h; h++) {
      char *host = NULL;
      guint port = 0;
      if (!parse_host(g_strstrip(*h), default_port, &host, &port)) {
        g_snprintf(error, error_size,
                   "conn-str '%s': '%s' is not a host with an optional port 1-65535: give %s", text,
                   *h, how);
        ok = FALSE;
        break;
      }
      gboolean v6 = strchr(host, ':') != NULL;
      g_string_append_printf(hosts, "%s%s%s%s:%u", hosts->len ? "," : "", v6 ? "[" : "", host,
                             v6 ? "]" : "", port);
      if (out->host == NULL) {
        out->host = host;
        out->port = port;
      } else {
        g_free(host);
      }
    }
    g_strfreev(list);
    if (ok && out->host == NULL) {
      g_snprintf(error, error_size, "conn-str '%s' names no host: give %s", text, how);
      ok = FALSE;
    }
    out->hosts = g_string_free(hosts, !ok);
  }
  g_free(hostlist);
  g_free(s);
  g_free(how);
  if (!ok)
    vf_conn_str_clear(out);
  return ok;
}

gboolean vf_conn_str_read_config(const char *path, const char *group, GHashTable *options,
                                 char *error, gsize error_size)
{
  if (path == NULL || *path == '\0')
    return TRUE;
  GKeyFile *kf = g_key_file_new();
  GError *err = NULL;
  gboolean ok = g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &err);
  if (!ok) {
    g_snprintf(error, error_size, "adapter config %s: %s", path, err->message);
    g_error_free(err);
  } else if (g_key_file_has_group(kf, group)) {
    char **keys = g_key_file_get_keys(kf, group, NULL, NULL);
    for (char **k = keys; keys && *k; k++)
      if (!g_hash_table_contains(options, *k))
        g_hash_table_insert(options, g_strdup(*k), g_key_file_get_value(kf, group, *k, NULL));
    g_strfreev(keys);
  }
  g_key_file_unref(kf);
  return ok;
}

gboolean vf_conn_str_load(const char *conn_str, const char *config, const char *scheme,
                          guint default_port, const char *const *known, VfConnStr *out, char *error,
                          gsize error_size)
{
  if (!vf_conn_str_parse(conn_str, scheme, default_port, out, error, error_size))
    return FALSE;
  gboolean ok = vf_conn_str_read_config(config, "message-broker", out->options, error, error_size);
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init(&it, out->options);
  while (ok && g_hash_table_iter_next(&it, &key, NULL)) {
    if (!g_strv_contains(known, key)) {
      char *list = g_strjoinv(", ", (char **)known);
      g_snprintf(error, error_size, "unknown %s option '%s' (options: %s)", scheme,
                 (const char *)key, list);
      g_free(list);
      ok = FALSE;
    }
  }
  if (!ok)
    vf_conn_str_clear(out);
  return ok;
}

gboolean vf_conn_str_int_option(const VfConnStr *c, const char *scheme, const char *name,
                                gint64 min, gint64 max, gint64 *out, char *error, gsize error_size)
{
  const char *v = g_hash_table_lookup(c->options, name);
  if (v == NULL || g_ascii_string_to_signed(v, 10, min, max, out, NULL))
    return TRUE;
  g_snprintf(error, error_size,
             "%s option %s must be a whole number from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
             ", not '%s'",
             scheme, name, min, max, v);
  return FALSE;
}

void vf_msg_adapter_error(char *error, size_t error_size, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  if (error && error_size)
    g_vsnprintf(error, error_size, fmt, ap);
  va_end(ap);
}
