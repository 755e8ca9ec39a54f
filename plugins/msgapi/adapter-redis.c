/* vidflow: the "redis" adapter (hiredis): each message is an entry of a Redis stream,
 *   XADD <topic> MAXLEN ~ <streamsize> * <payloadkey> <message> [key <key>]
 * acknowledged by the entry id Redis answers; the commands are pipelined.
 *
 *   conn-str: host;port, host:port or redis://[:password@]host[:port][/stream][?options]
 *   options (conn-str or the [message-broker] group of the config file, DeepStream's names):
 *   streamsize (MAXLEN, approximate trimming; default 10000; 0: no trimming), payloadkey (the
 *   field, default "metadata"), password, db (SELECT, default 0). */
#include "adapter-module.h"
#include "connstr.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <string.h>

#define REDIS_DEFAULT_PORT 6379
#define DEFAULT_STREAM_SIZE 10000
#define DEFAULT_PAYLOAD_KEY "metadata"
/* Connecting and each blocking write give up after this long. */
#define IO_TIMEOUT_MS 2000

typedef struct {
  vf_msgapi_send_cb cb;
  void *user_ptr;
} Pending;

typedef struct {
  redisContext *c;
  char *maxlen; /* NULL: no trimming */
  char *field;
  gboolean down;
  vf_msgapi_connect_cb connect_cb;
  void *connect_data;
  GQueue pending; /* Pending*, in command order */
} RedisLink;

static const char *const known_options[] = { "streamsize", "payloadkey", "password", "db", NULL };

static void link_down(RedisLink *l, const char *why)
{
  if (l->down)
    return;
  l->down = TRUE;
  l->connect_cb(l, VF_MSGAPI_EVT_DISCONNECTED, why, l->connect_data);
}

/* A blocking command for the connection set-up; FALSE (and the link down) when it failed. */
static gboolean setup_command(RedisLink *l, const char *what, int argc, const char **argv)
{
  redisReply *r = redisCommandArgv(l->c, argc, argv, NULL);
  gboolean ok = r && r->type != REDIS_REPLY_ERROR;
  if (!ok) {
    char *why = g_strdup_printf("%s failed: %s", what, r ? r->str : l->c->errstr);
    link_down(l, why);
    g_free(why);
  }
  if (r)
    freeReplyObject(r);
  return ok;
}

static void redis_disconnect(VfMsgApiHandle handle)
{
  RedisLink *l = handle;
  if (l == NULL)
    return;
  if (l->c)
    redisFree(l->c);
  g_queue_clear_full(&l->pending, g_free);
  g_free(l->maxlen);
  g_free(l->field);
  g_free(l);
}

static VfMsgApiHandle redis_connect(const char *conn_str, const char *config,
                                    vf_msgapi_connect_cb connect_cb, void *user_ptr, char *error,
                                    size_t error_size)
{
  VfConnStr c;
  if (!vf_conn_str_load(conn_str, config, "redis", REDIS_DEFAULT_PORT, known_options, &c, error,
                        error_size))
    return NULL;
  gint64 size = DEFAULT_STREAM_SIZE, db = 0;
  if (!vf_conn_str_int_option(&c, "redis", "streamsize", 0, G_MAXINT64, &size, error, error_size)
      || !vf_conn_str_int_option(&c, "redis", "db", 0, G_MAXINT, &db, error, error_size)) {
    vf_conn_str_clear(&c);
    return NULL;
  }
  RedisLink *l = g_new0(RedisLink, 1);
  g_queue_init(&l->pending);
  l->connect_cb = connect_cb;
  l->connect_data = user_ptr;
  l->maxlen = size ? g_strdup_printf("%" G_GINT64_FORMAT, size) : NULL;
  const char *field = g_hash_table_lookup(c.options, "payloadkey");
  l->field = g_strdup(field ? field : DEFAULT_PAYLOAD_KEY);
  const char *password = c.password ? c.password : g_hash_table_lookup(c.options, "password");

  struct timeval tv = { IO_TIMEOUT_MS / 1000, (IO_TIMEOUT_MS % 1000) * 1000 };
  l->c = redisConnectWithTimeout(c.host, (int)c.port, tv);
  if (l->c == NULL || l->c->err) {
    char *why = g_strdup_printf("cannot connect to %s:%u: %s", c.host, c.port,
                                l->c ? l->c->errstr : "out of memory");
    link_down(l, why);
    g_free(why);
  } else {
    redisSetTimeout(l->c, tv);
    redisEnableKeepAlive(l->c);
    char dbnum[24];
    g_snprintf(dbnum, sizeof dbnum, "%" G_GINT64_FORMAT, db);
    const char *auth[] = { "AUTH", password };
    const char *select[] = { "SELECT", dbnum };
    if ((password == NULL || setup_command(l, "AUTH", 2, auth))
        && (db == 0 || setup_command(l, "SELECT", 2, select)))
      connect_cb(l, VF_MSGAPI_EVT_CONNECTED, NULL, user_ptr);
  }
  vf_conn_str_clear(&c);
  return l;
}

/* Writes what hiredis has buffered (blocking, bounded by the socket timeout). */
static gboolean flush_output(RedisLink *l)
{
  int done = 0;
  while (!done) {
    if (redisBufferWrite(l->c, &done) != REDIS_OK) {
      char *why = g_strdup_printf("connection lost: %s", l->c->errstr);
      link_down(l, why);
      g_free(why);
      return FALSE;
    }
  }
  return TRUE;
}

static VfMsgApiStatus redis_send_async(VfMsgApiHandle handle, const char *topic, const char *key,
                                       const uint8_t *payload, size_t length, vf_msgapi_send_cb cb,
                                       void *user_ptr)
{
  RedisLink *l = handle;
  if (l->down)
    return VF_MSGAPI_ERR;
  const char *argv[10];
  size_t lens[10];
  int n = 0;
#define ARG(s, len) (argv[n] = (s), lens[n] = (len), n++)
  ARG("XADD", 4);
  ARG(topic, strlen(topic));
  if (l->maxlen) {
    ARG("MAXLEN", 6);
    ARG("~", 1);
    ARG(l->maxlen, strlen(l->maxlen));
  }
  ARG("*", 1);
  ARG(l->field, strlen(l->field));
  ARG((const char *)payload, length);
  if (key) {
    ARG("key", 3);
    ARG(key, strlen(key));
  }
#undef ARG
  if (redisAppendCommandArgv(l->c, n, argv, lens) != REDIS_OK)
    return VF_MSGAPI_ERR;
  Pending *p = g_new(Pending, 1);
  p->cb = cb;
  p->user_ptr = user_ptr;
  g_queue_push_tail(&l->pending, p);
  return VF_MSGAPI_OK;
}

/* Errors of a server that cannot take writes for now (restarting and loading its data, busy
 * with a script, a replica without its master): not the message's fault. */
static gboolean transient(const char *error)
{
  static const char *const prefixes[] = { "LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "READONLY" };
  for (guint i = 0; i < G_N_ELEMENTS(prefixes); i++)
    if (g_str_has_prefix(error, prefixes[i]))
      return TRUE;
  return FALSE;
}

static void redis_do_work(VfMsgApiHandle handle, int timeout_ms)
{
  RedisLink *l = handle;
  if (l->down || !flush_output(l))
    return;
  if (l->pending.length == 0)
    return;
  struct pollfd fd = { l->c->fd, POLLIN, 0 };
  if (poll(&fd, 1, timeout_ms) <= 0)
    return;
  if (redisBufferRead(l->c) != REDIS_OK) {
    char *why = g_strdup_printf("connection lost: %s", l->c->errstr);
    link_down(l, why);
    g_free(why);
    return;
  }
  redisReply *r = NULL;
  while (l->pending.length && redisGetReplyFromReader(l->c, (void **)&r) == REDIS_OK && r) {
    Pending *p = g_queue_pop_head(&l->pending);
    if (r->type == REDIS_REPLY_ERROR && transient(r->str))
      p->cb(p->user_ptr, VF_MSGAPI_ERR, r->str); /* sent again after reconnecting */
    else if (r->type == REDIS_REPLY_ERROR)
      p->cb(p->user_ptr, VF_MSGAPI_REJECTED, r->str);
    else
      p->cb(p->user_ptr, VF_MSGAPI_OK, NULL);
    g_free(p);
    freeReplyObject(r);
    r = NULL;
  }
}

VF_MSGAPI_ADAPTER("redis", redis_connect, redis_send_async, redis_do_work, redis_disconnect)
