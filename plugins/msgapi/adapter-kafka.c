/* vidflow: the "kafka" adapter (librdkafka): an idempotent producer (acks=all, each partition
 * in order, no duplicates from librdkafka's own retries); a message is acknowledged by its
 * delivery report. The key (the sensor id) picks the partition, so each source stays in order.
 *
 *   conn-str: host;port, host:port or kafka://host:port[,host:port...][/topic][?property=value]
 *   properties: any librdkafka producer property, in the conn-str's query or in the
 *   [message-broker] group of the config file (its proto-cfg key holds "name=value;..." as
 *   DeepStream's does). test.mock.num.brokers=N runs against librdkafka's mock cluster.
 *
 * librdkafka reconnects by itself, but reports no "connected" event: the link counts as up
 * once the producer exists, and as down when librdkafka says all brokers are down (or raises a
 * fatal error); vfmsgbroker then makes a new producer after its backoff, and what was not
 * acknowledged is sent again. */
#include "adapter-module.h"
#include "connstr.h"

#include <librdkafka/rdkafka.h>
#include <string.h>

#define KAFKA_DEFAULT_PORT 9092
#define KAFKA_LINGER_MS "0.5"

typedef struct {
  vf_msgapi_send_cb cb;
  void *user_ptr;
} Pending;

/* Reports still due after a purge are waited for this long when disconnecting. */
#define PURGE_WAIT_MS 500

typedef struct {
  rd_kafka_t *rk;
  GHashTable *topics;  /* name -> rd_kafka_topic_t* */
  GHashTable *pending; /* Pending* set: freed by its report, or at disconnect */
  gboolean down, closing;
  vf_msgapi_connect_cb connect_cb;
  void *connect_data;
} KafkaLink;

static void link_down(KafkaLink *l, const char *why)
{
  if (l->down || l->closing)
    return;
  l->down = TRUE;
  l->connect_cb(l, VF_MSGAPI_EVT_DISCONNECTED, why, l->connect_data);
}

/* librdkafka calls these from rd_kafka_poll (do_work). */
static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
  KafkaLink *l = opaque;
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char text[512];
    rd_kafka_fatal_error(rk, text, sizeof text);
    char *why = g_strdup_printf("fatal producer error: %s", text);
    link_down(l, why);
    g_free(why);
  } else if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    link_down(l, reason);
  }
}

/* librdkafka's log lines are debug messages (G_MESSAGES_DEBUG=vfmsgapi-kafka shows them), not
 * lines on stderr: an outage is reported by vfmsgbroker once, not per connection attempt. */
static void on_log(const rd_kafka_t *rk, int level, const char *facility, const char *text)
{
  (void)rk;
  g_debug("librdkafka %s (level %d): %s", facility, level, text);
}

static VfMsgApiStatus status_of(rd_kafka_resp_err_t err)
{
  switch (err) {
  case RD_KAFKA_RESP_ERR_NO_ERROR:
    return VF_MSGAPI_OK;
  case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
  case RD_KAFKA_RESP_ERR_INVALID_MSG:
  case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
  case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
  case RD_KAFKA_RESP_ERR__INVALID_ARG:
    return VF_MSGAPI_REJECTED;
  default:
    return VF_MSGAPI_ERR; /* timeouts, purges, transport: sent again */
  }
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
  (void)rk;
  KafkaLink *l = opaque;
  Pending *p = m->_private;
  if (p == NULL || !g_hash_table_contains(l->pending, p))
    return;
  if (!l->closing)
    p->cb(p->user_ptr, status_of(m->err), m->err ? rd_kafka_err2str(m->err) : NULL);
  g_hash_table_remove(l->pending, p);
}

static gboolean set(rd_kafka_conf_t *conf, const char *name, const char *value, char *error,
                    size_t error_size)
{
  char text[512];
  if (rd_kafka_conf_set(conf, name, value, text, sizeof text) == RD_KAFKA_CONF_OK)
    return TRUE;
  vf_msg_adapter_error(error, error_size,
                       "kafka property %s=%s: %s (give librdkafka producer properties, as listed "
                       "in its CONFIGURATION.md)",
                       name, value, text);
  return FALSE;
}

static void kafka_disconnect(VfMsgApiHandle handle)
{
  KafkaLink *l = handle;
  if (l == NULL)
    return;
  l->closing = TRUE;
  if (l->rk) {
    rd_kafka_purge(l->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(l->rk, PURGE_WAIT_MS); /* serves the purged messages' reports */
  }
  g_hash_table_unref(l->topics);
  if (l->rk)
    rd_kafka_destroy(l->rk);
  g_hash_table_unref(l->pending);
  g_free(l);
}

static VfMsgApiHandle kafka_connect(const char *conn_str, const char *config,
                                    vf_msgapi_connect_cb connect_cb, void *user_ptr, char *error,
                                    size_t error_size)
{
  VfConnStr c;
  if (!vf_conn_str_parse(conn_str, "kafka", KAFKA_DEFAULT_PORT, &c, error, error_size))
    return NULL;
  GHashTable *file = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  gboolean ok = vf_conn_str_read_config(config, "message-broker", file, error, error_size);
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  ok = ok && set(conf, "bootstrap.servers", c.hosts, error, error_size)
       && set(conf, "enable.idempotence", "true", error, error_size)
       && set(conf, "acks", "all", error, error_size)
       /* messages wait in librdkafka until delivered: vfmsgbroker bounds how many */
       && set(conf, "message.timeout.ms", "0", error, error_size)
       /* vfmsgbroker sends at most max-in-flight ahead of their reports, so waiting long for
        * more to batch would only idle the window (librdkafka's default is 5 ms): a short
        * linger, which the conn-str or proto-cfg may change */
       && set(conf, "linger.ms", KAFKA_LINGER_MS, error, error_size);
  /* the config file's proto-cfg, then the conn-str's options (which win) */
  const char *proto_cfg = g_hash_table_lookup(file, "proto-cfg");
  char **pairs = proto_cfg ? g_strsplit(proto_cfg, ";", -1) : NULL;
  for (char **p = pairs; ok && p && *p; p++) {
    char *entry = g_strstrip(*p), *eq = strchr(entry, '=');
    if (*entry == '\0')
      continue;
    if (eq == NULL) {
      vf_msg_adapter_error(error, error_size, "%s: proto-cfg entry '%s' is not name=value", config,
                           entry);
      ok = FALSE;
    } else {
      *eq = '\0';
      ok = set(conf, g_strstrip(entry), g_strstrip(eq + 1), error, error_size);
    }
  }
  g_strfreev(pairs);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, c.options);
  while (ok && g_hash_table_iter_next(&it, &k, &v))
    ok = set(conf, k, v, error, error_size);
  g_hash_table_unref(file);
  vf_conn_str_clear(&c);
  if (!ok) {
    rd_kafka_conf_destroy(conf);
    return NULL;
  }
  KafkaLink *l = g_new0(KafkaLink, 1);
  l->connect_cb = connect_cb;
  l->connect_data = user_ptr;
  l->topics = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify)rd_kafka_topic_destroy);
  l->pending = g_hash_table_new_full(NULL, NULL, g_free, NULL);
  rd_kafka_conf_set_opaque(conf, l);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_error_cb(conf, on_error);
  rd_kafka_conf_set_log_cb(conf, on_log);
  char text[512];
  l->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, text, sizeof text);
  if (l->rk == NULL) {
    vf_msg_adapter_error(error, error_size, "cannot make a Kafka producer: %s", text);
    rd_kafka_conf_destroy(conf);
    kafka_disconnect(l);
    return NULL;
  }
  connect_cb(l, VF_MSGAPI_EVT_CONNECTED, NULL, user_ptr);
  return l;
}

static VfMsgApiStatus kafka_send_async(VfMsgApiHandle handle, const char *topic, const char *key,
                                       const uint8_t *payload, size_t length, vf_msgapi_send_cb cb,
                                       void *user_ptr)
{
  KafkaLink *l = handle;
  if (l->down)
    return VF_MSGAPI_ERR;
  rd_kafka_topic_t *t = g_hash_table_lookup(l->topics, topic);
  if (t == NULL) {
    t = rd_kafka_topic_new(l->rk, topic, NULL);
    if (t == NULL)
      return VF_MSGAPI_REJECTED;
    g_hash_table_insert(l->topics, g_strdup(topic), t);
  }
  Pending *p = g_new(Pending, 1);
  p->cb = cb;
  p->user_ptr = user_ptr;
  g_hash_table_add(l->pending, p);
  int rc = rd_kafka_produce(t, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, (void *)payload, length,
                            key, key ? strlen(key) : 0, p);
  if (rc != 0) {
    g_hash_table_remove(l->pending, p);
    return status_of(rd_kafka_last_error()) == VF_MSGAPI_REJECTED ? VF_MSGAPI_REJECTED
                                                                  : VF_MSGAPI_ERR;
  }
  return VF_MSGAPI_OK;
}

/* Serves the delivery reports (and errors); returns after the first, so that vfmsgbroker refills
 * its window while other produce requests are still out. */
static void kafka_do_work(VfMsgApiHandle handle, int timeout_ms)
{
  KafkaLink *l = handle;
  rd_kafka_poll(l->rk, timeout_ms);
}

VF_MSGAPI_ADAPTER("kafka", kafka_connect, kafka_send_async, kafka_do_work, kafka_disconnect)
