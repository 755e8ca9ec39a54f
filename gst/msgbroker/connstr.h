/* vidflow: connection strings of the built-in adapters.
 *
 *   host;port[;topic]                      DeepStream's form
 *   host:port                              plain
 *   scheme://[user[:password]@]host[:port][,host:port...][/topic][?option=value&...]
 *
 * The scheme names the adapter (mqtt://, redis://, kafka://); options are adapter settings
 * (kafka: librdkafka properties). file: a path or file:///path. */
#pragma once

#include <glib.h>

typedef struct {
  char *scheme;        /* nullable: no scheme given */
  char *hosts;         /* "host:port[,host:port...]", ports filled in with the default */
  char *host;          /* the first host */
  guint port;          /* its port */
  char *topic;         /* nullable */
  char *user;          /* nullable */
  char *password;      /* nullable */
  GHashTable *options; /* char* -> char* */
} VfConnStr;

/* Parses `text` for the adapter `scheme` (a URI of another scheme is refused) with
 * `default_port`. FALSE with a sentence in `error` (error_size bytes) naming what is wrong. */
gboolean vf_conn_str_parse(const char *text, const char *scheme, guint default_port, VfConnStr *out,
                           char *error, gsize error_size);
void vf_conn_str_clear(VfConnStr *c);
/* The scheme of a URI conn-str ("mqtt"), or NULL for the host;port forms (transfer full). */
char *vf_conn_str_scheme(const char *text);
/* The topic a conn-str names (path or third field), or NULL (transfer full). */
char *vf_conn_str_topic(const char *text);
/* Reads `group` of the key-file `path` (nullable: nothing) into `options` (key -> value),
 * without replacing options already there (the conn-str's win). FALSE with `error` set. */
gboolean vf_conn_str_read_config(const char *path, const char *group, GHashTable *options,
                                 char *error, gsize error_size);
/* vf_conn_str_parse, then the [message-broker] group of `config` (nullable) added, then options
 * not in `known` (NULL-terminated) refused, naming the adapter and the options it has. */
gboolean vf_conn_str_load(const char *conn_str, const char *config, const char *scheme,
                          guint default_port, const char *const *known, VfConnStr *out, char *error,
                          gsize error_size);
/* The whole number option `name` in [min, max] into *out (left alone when absent). */
gboolean vf_conn_str_int_option(const VfConnStr *c, const char *scheme, const char *name,
                                gint64 min, gint64 max, gint64 *out, char *error, gsize error_size);
