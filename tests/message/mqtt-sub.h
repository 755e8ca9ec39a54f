/* vidflow tests: an MQTT subscriber (libmosquitto, QoS 1, a persistent session) that collects
 * every payload published on a topic of a test broker (brokers.h), for the vfmsgbroker tests
 * and the seed's publish. Its callbacks run on libmosquitto's thread and take Sub.lock. */
#pragma once

#include <glib.h>
#include <mosquitto.h>
#include <unistd.h>

typedef struct {
  struct mosquitto *mosq;
  GMutex lock;
  GCond cond;
  GPtrArray *payloads; /* char* */
  gboolean subscribed;
  char *topic;
} Sub;

static void sub_on_connect(struct mosquitto *m, void *obj, int rc)
{
  Sub *s = obj;
  if (rc == 0)
    mosquitto_subscribe(m, NULL, s->topic, 1);
}

static void sub_on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *qos)
{
  (void)m;
  (void)mid;
  (void)n;
  (void)qos;
  Sub *s = obj;
  g_mutex_lock(&s->lock);
  s->subscribed = TRUE;
  g_cond_broadcast(&s->cond);
  g_mutex_unlock(&s->lock);
}

static void sub_on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
  (void)m;
  Sub *s = obj;
  g_mutex_lock(&s->lock);
  g_ptr_array_add(s->payloads, g_strndup(msg->payload, (gsize)msg->payloadlen));
  g_cond_broadcast(&s->cond);
  g_mutex_unlock(&s->lock);
}

/* A subscriber with a persistent session (QoS 1): what the broker queued for it while it was
 * away arrives when it is back. Its libmosquitto thread reconnects by itself. */
static inline Sub *sub_new(guint port, const char *topic)
{
  Sub *s = g_new0(Sub, 1);
  g_mutex_init(&s->lock);
  g_cond_init(&s->cond);
  s->payloads = g_ptr_array_new_with_free_func(g_free);
  s->topic = g_strdup(topic);
  char *id = g_strdup_printf("vftest-sub-%d", (int)getpid());
  s->mosq = mosquitto_new(id, false, s);
  g_free(id);
  mosquitto_connect_callback_set(s->mosq, sub_on_connect);
  mosquitto_subscribe_callback_set(s->mosq, sub_on_subscribe);
  mosquitto_message_callback_set(s->mosq, sub_on_message);
  mosquitto_reconnect_delay_set(s->mosq, 1, 1, false);
  g_assert_cmpint(mosquitto_connect(s->mosq, "127.0.0.1", (int)port, 60), ==, MOSQ_ERR_SUCCESS);
  g_assert_cmpint(mosquitto_loop_start(s->mosq), ==, MOSQ_ERR_SUCCESS);
  gint64 deadline = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND;
  g_mutex_lock(&s->lock);
  while (!s->subscribed)
    if (!g_cond_wait_until(&s->cond, &s->lock, deadline))
      g_error("the test subscriber could not subscribe within 10 s");
  g_mutex_unlock(&s->lock);
  return s;
}

/* Waits (bounded) until `count` messages arrived; returns what arrived. */
static inline GPtrArray *sub_wait(Sub *s, guint count, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time() + timeout_us;
  g_mutex_lock(&s->lock);
  while (s->payloads->len < count)
    if (!g_cond_wait_until(&s->cond, &s->lock, deadline))
      break;
  /* a moment for duplicates still in flight */
  g_cond_wait_until(&s->cond, &s->lock, g_get_monotonic_time() + 200 * G_TIME_SPAN_MILLISECOND);
  GPtrArray *out = g_ptr_array_ref(s->payloads);
  g_mutex_unlock(&s->lock);
  return out;
}

static inline void sub_free(Sub *s)
{
  mosquitto_disconnect(s->mosq);
  mosquitto_loop_stop(s->mosq, false);
  mosquitto_destroy(s->mosq);
  g_ptr_array_unref(s->payloads);
  g_mutex_clear(&s->lock);
  g_cond_clear(&s->cond);
  g_free(s->topic);
  g_free(s);
}
