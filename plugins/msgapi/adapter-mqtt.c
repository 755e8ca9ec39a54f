/* vidflow: the "mqtt" adapter (libmosquitto, MQTT 3.1.1, QoS 1 by default: a message is
 * acknowledged by the broker's PUBACK).
 *
 *   conn-str: host;port, host:port or mqtt://[user[:password]@]host[:port][/topic][?options]
 *   options (conn-str or the [message-broker] group of the config file): qos (0 or 1, default
 *   1), client-id (default: a random one), keepalive (seconds, default 60), username, password.
 *
 * libmosquitto runs without a thread of its own: do_work is mosquitto_loop. */
#include "adapter-module.h"
#include "connstr.h"

#include <errno.h>
#include <mosquitto.h>
#include <string.h>

#define MQTT_DEFAULT_PORT 1883
#define DEFAULT_KEEPALIVE_S 60
#define DEFAULT_QOS 1

typedef struct {
  vf_msgapi_send_cb cb;
  void *user_ptr;
} Pending;

typedef struct {
  struct mosquitto *mosq;
  int qos;
  gboolean reported_down;
  vf_msgapi_connect_cb connect_cb;
  void *connect_data;
  GHashTable *pending; /* mid -> Pending* */
} MqttLink;

static const char *const known_options[]
    = { "qos", "client-id", "keepalive", "username", "password", NULL };

static void link_down(MqttLink *l, const char *why)
{
  if (l->reported_down)
    return;
  l->reported_down = TRUE;
  l->connect_cb(l, VF_MSGAPI_EVT_DISCONNECTED, why, l->connect_data);
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
  (void)mosq;
  MqttLink *l = obj;
  if (rc == 0) {
    l->connect_cb(l, VF_MSGAPI_EVT_CONNECTED, NULL, l->connect_data);
  } else {
    char *why
        = g_strdup_printf("the broker refused the connection: %s", mosquitto_connack_string(rc));
    link_down(l, why);
    g_free(why);
  }
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
  (void)mosq;
  link_down(obj, rc == 0 ? "disconnected" : "connection lost");
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
  (void)mosq;
  MqttLink *l = obj;
  Pending *p = g_hash_table_lookup(l->pending, GINT_TO_POINTER(mid));
  if (p == NULL)
    return; /* QoS 0 messages were acknowledged when sent */
  vf_msgapi_send_cb cb = p->cb;
  void *user_ptr = p->user_ptr;
  g_hash_table_remove(l->pending, GINT_TO_POINTER(mid));
  cb(user_ptr, VF_MSGAPI_OK, NULL);
}

static gpointer init_library(gpointer unused)
{
  (void)unused;
  mosquitto_lib_init();
  return NULL;
}

static void mqtt_disconnect(VfMsgApiHandle handle)
{
  MqttLink *l = handle;
  if (l == NULL)
    return;
  l->reported_down = TRUE; /* no callback from here on */
  if (l->mosq) {
    mosquitto_disconnect(l->mosq);
    mosquitto_destroy(l->mosq);
  }
  g_hash_table_unref(l->pending);
  g_free(l);
}

static VfMsgApiHandle mqtt_connect(const char *conn_str, const char *config,
                                   vf_msgapi_connect_cb connect_cb, void *user_ptr, char *error,
                                   size_t error_size)
{
  static GOnce once = G_ONCE_INIT;
  g_once(&once, init_library, NULL);
  VfConnStr c;
  if (!vf_conn_str_load(conn_str, config, "mqtt", MQTT_DEFAULT_PORT, known_options, &c, error,
                        error_size))
    return NULL;
  gint64 qos = DEFAULT_QOS, keepalive = DEFAULT_KEEPALIVE_S;
  gboolean ok
      = vf_conn_str_int_option(&c, "mqtt", "qos", 0, 1, &qos, error, error_size)
        && vf_conn_str_int_option(&c, "mqtt", "keepalive", 5, 65535, &keepalive, error, error_size);
  if (!ok) {
    vf_conn_str_clear(&c);
    return NULL;
  }
  MqttLink *l = g_new0(MqttLink, 1);
  l->qos = (int)qos;
  l->connect_cb = connect_cb;
  l->connect_data = user_ptr;
  l->pending = g_hash_table_new_full(NULL, NULL, NULL, g_free);
  l->mosq = mosquitto_new(g_hash_table_lookup(c.options, "client-id"), true, l);
  if (l->mosq == NULL) {
    vf_msg_adapter_error(error, error_size, "cannot make an MQTT client: %s", g_strerror(errno));
    vf_conn_str_clear(&c);
    mqtt_disconnect(l);
    return NULL;
  }
  const char *user = c.user ? c.user : g_hash_table_lookup(c.options, "username");
  const char *password = c.password ? c.password : g_hash_table_lookup(c.options, "password");
  if (user)
    mosquitto_username_pw_set(l->mosq, user, password);
  mosquitto_connect_callback_set(l->mosq, on_connect);
  mosquitto_disconnect_callback_set(l->mosq, on_disconnect);
  mosquitto_publish_callback_set(l->mosq, on_publish);
  mosquitto_max_inflight_messages_set(l->mosq, 0); /* vfmsgbroker bounds what is in flight */
  int rc = mosquitto_connect_async(l->mosq, c.host, (int)c.port, (int)keepalive);
  if (rc != MOSQ_ERR_SUCCESS) {
    char *why = g_strdup_printf("cannot connect to %s:%u: %s", c.host, c.port,
                                rc == MOSQ_ERR_ERRNO ? g_strerror(errno) : mosquitto_strerror(rc));
    link_down(l, why);
    g_free(why);
  }
  vf_conn_str_clear(&c);
  return l;
}

static VfMsgApiStatus mqtt_send_async(VfMsgApiHandle handle, const char *topic, const char *key,
                                      const uint8_t *payload, size_t length, vf_msgapi_send_cb cb,
                                      void *user_ptr)
{
  (void)key;
  MqttLink *l = handle;
  if (length > G_MAXINT)
    return VF_MSGAPI_REJECTED;
  int mid = 0;
  int rc = mosquitto_publish(l->mosq, &mid, topic, (int)length, payload, l->qos, false);
  switch (rc) {
  case MOSQ_ERR_SUCCESS:
    break;
  case MOSQ_ERR_PAYLOAD_SIZE:
  case MOSQ_ERR_OVERSIZE_PACKET:
  case MOSQ_ERR_INVAL:
  case MOSQ_ERR_MALFORMED_UTF8:
    return VF_MSGAPI_REJECTED;
  default:
    return VF_MSGAPI_ERR;
  }
  if (l->qos == 0) {
    cb(user_ptr, VF_MSGAPI_OK, NULL);
    return VF_MSGAPI_OK;
  }
  Pending *p = g_new(Pending, 1);
  p->cb = cb;
  p->user_ptr = user_ptr;
  g_hash_table_replace(l->pending, GINT_TO_POINTER(mid), p);
  return VF_MSGAPI_OK;
}

static void mqtt_do_work(VfMsgApiHandle handle, int timeout_ms)
{
  MqttLink *l = handle;
  if (l->reported_down)
    return;
  int rc = mosquitto_loop(l->mosq, timeout_ms, 1);
  if (rc != MOSQ_ERR_SUCCESS) {
    char *why = g_strdup_printf("connection lost: %s",
                                rc == MOSQ_ERR_ERRNO ? g_strerror(errno) : mosquitto_strerror(rc));
    link_down(l, why);
    g_free(why);
  }
}

VF_MSGAPI_ADAPTER("mqtt", mqtt_connect, mqtt_send_async, mqtt_do_work, mqtt_disconnect)
