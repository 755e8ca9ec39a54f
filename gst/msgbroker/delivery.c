/* vidflow: vfmsgbroker's delivery thread (delivery.h).
 *
 * Lock order: VfDelivery.lock only. The adapter is called without it, from one thread at a time
 * (the first connect from vf_delivery_new, everything else from the delivery thread); its
 * callbacks fire inside those calls, on that thread: on_connection takes the lock, on_sent only
 * notes the outcome in a list of the delivery thread's (no lock), which the thread applies
 * under the lock once per adapter call, so that a window of acknowledgements costs one lock
 * and one wake-up, not one each. Warnings are posted without the lock. */
#include "delivery.h"

#include "spool.h"

#include <signal.h>

GST_DEBUG_CATEGORY_EXTERN(vf_msgbroker_debug);
#define GST_CAT_DEFAULT vf_msgbroker_debug

/* How long do_work waits for I/O while messages are in flight (a message pushed meanwhile waits
 * at most this long), and how often an idle connection is serviced (keep-alives, noticing a
 * broker that went away). */
#define SERVICE_MS 5
#define IDLE_SERVICE_US (500 * G_TIME_SPAN_MILLISECOND)
/* At most one warning about dropped messages this often. */
#define DROP_WARNING_INTERVAL_US (5 * G_TIME_SPAN_SECOND)
#define ERROR_TEXT_SIZE 512
/* A connection that is not up this long after connect is given up and tried again. */
#define CONNECT_TIMEOUT_US (5 * G_TIME_SPAN_SECOND)

typedef enum {
  LINK_DOWN,       /* no handle: waiting for the next attempt */
  LINK_CONNECTING, /* handle, not connected yet */
  LINK_UP,
} LinkState;

typedef struct {
  VfDelivery *delivery;
  VfMsg *msg;
  VfMsgApiStatus send_status; /* what send_async returned (send_batch's) */
  GList link;                 /* in VfDelivery.in_flight */
} InFlight;

/* An outcome reported by the adapter, not applied yet. */
typedef struct {
  InFlight *f;
  VfMsgApiStatus status;
  char *detail; /* nullable, owned */
} Outcome;

struct _VfDelivery {
  GMutex lock;
  GCond wake;    /* the delivery thread: new messages, quit */
  GCond drained; /* producers and flushers: the log moved, state changed */
  GstElement *element;
  VfDeliveryConfig config; /* strings owned */
  VfMsgLog *log;
  GThread *thread;
  gboolean quit, flushing;
  /* who waits on the conditions: signals (a syscall each) only when someone does */
  gboolean thread_waits;
  guint drain_waiters;

  /* the link (the delivery thread's, callbacks set `broken` and `state`) */
  VfMsgApiHandle handle;
  LinkState state;
  gboolean broken;
  char *broken_detail;
  gint64 next_attempt_us;
  gint64 connect_started_us;
  guint backoff_ms;
  gboolean acked_since_connect;

  GQueue in_flight;   /* InFlight*, in send order (removed through their own links) */
  GArray *outcomes;   /* Outcome: the delivery thread's only (on_sent), no lock */
  guint64 high_water; /* highest seq sent + 1 */

  /* outage reporting */
  gboolean in_outage;
  gint64 outage_start_us;
  GPtrArray *notices; /* GstMessage* to post once the lock is released */
  gint64 last_drop_warning_us;
  guint64 dropped_warned;

  VfDeliveryStats stats; /* the counters the log does not keep */
  guint64 write_drops, skipped, lost;
  guint64 refusals; /* messages refused so far */
  gint64 last_refusal_warning_us;
  gint64 last_sync_warning_us;
};

/* Under the lock: wake the producers and flushers waiting for the log to move, if any. */
static void wake_drained(VfDelivery *d)
{
  if (d->drain_waiters)
    g_cond_broadcast(&d->drained);
}

/* Under the lock: the delivery thread waits for work until `until` (or a wake-up). */
static void thread_wait(VfDelivery *d, gint64 until)
{
  d->thread_waits = TRUE;
  g_cond_wait_until(&d->wake, &d->lock, until);
  d->thread_waits = FALSE;
}

/* Under the lock: someone waits on `drained` until `until` (-1: no limit); FALSE on timeout. */
static gboolean drain_wait(VfDelivery *d, gint64 until)
{
  d->drain_waiters++;
  gboolean woken = TRUE;
  if (until < 0)
    g_cond_wait(&d->drained, &d->lock);
  else
    woken = g_cond_wait_until(&d->drained, &d->lock, until);
  d->drain_waiters--;
  return woken;
}

/* Under the lock: out of the in-flight list, freed. */
static void in_flight_remove(VfDelivery *d, InFlight *f)
{
  g_queue_unlink(&d->in_flight, &f->link);
  vf_msg_unref(f->msg);
  g_free(f);
}

/* Under the lock: every message in flight is forgotten (sent again after a rewind). */
static void in_flight_clear(VfDelivery *d)
{
  while (d->in_flight.head)
    in_flight_remove(d, d->in_flight.head->data);
}

/* ---- notices (posted without the lock) ---- */

static void notice(VfDelivery *d, GstMessageType type, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void notice(VfDelivery *d, GstMessageType type, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *text = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  GError *err = g_error_new_literal(GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_WRITE, text);
  char *debug
      = g_strdup_printf("%s %s, topic %s", d->config.protocol, d->config.conn_str, d->config.topic);
  GstMessage *m = type == GST_MESSAGE_WARNING
                      ? gst_message_new_warning(GST_OBJECT(d->element), err, debug)
                      : gst_message_new_info(GST_OBJECT(d->element), err, debug);
  if (type == GST_MESSAGE_WARNING)
    GST_WARNING_OBJECT(d->element, "%s", text);
  else
    GST_INFO_OBJECT(d->element, "%s", text);
  g_ptr_array_add(d->notices, m);
  g_error_free(err);
  g_free(debug);
  g_free(text);
}

/* Called with the lock held; releases it while posting, takes it again. */
static void post_notices(VfDelivery *d)
{
  if (d->notices->len == 0)
    return;
  GPtrArray *batch = d->notices;
  d->notices = g_ptr_array_new();
  g_mutex_unlock(&d->lock);
  for (guint i = 0; i < batch->len; i++)
    gst_element_post_message(d->element, batch->pdata[i]);
  g_ptr_array_unref(batch);
  g_mutex_lock(&d->lock);
}

/* Under the lock: warn about spool drops now and then. */
static void check_drops(VfDelivery *d)
{
  guint64 acked, refused, dropped;
  vf_msg_log_get_counts(d->log, &acked, &refused, &dropped);
  dropped += d->write_drops;
  gint64 now = g_get_monotonic_time();
  if (dropped > d->dropped_warned
      && (d->dropped_warned == 0 || now - d->last_drop_warning_us >= DROP_WARNING_INTERVAL_US)) {
    notice(d, GST_MESSAGE_WARNING,
           "%s: the spool is full (spool-size %" G_GUINT64_FORMAT
           " bytes): dropped the oldest messages, %" G_GUINT64_FORMAT
           " so far; raise spool-size to keep more through an outage",
           GST_ELEMENT_NAME(d->element), d->config.spool_size, dropped);
    d->dropped_warned = dropped;
    d->last_drop_warning_us = now;
  }
}

/* Under the lock: the messages appended since the last turn go to the spool's files (one write);
 * a disk that refuses them is warned about at most every DROP_WARNING_INTERVAL_US. */
static void sync_spool(VfDelivery *d)
{
  GError *err = NULL;
  if (vf_msg_log_sync(d->log, &err))
    return;
  gint64 now = g_get_monotonic_time();
  if (d->last_sync_warning_us == 0 || now - d->last_sync_warning_us >= DROP_WARNING_INTERVAL_US) {
    d->last_sync_warning_us = now;
    notice(d, GST_MESSAGE_WARNING, "%s: %s; free disk space or set spool-dir to another folder",
           GST_ELEMENT_NAME(d->element), err->message);
  }
  g_error_free(err);
}

/* Under the lock: a message refused for good; warned about at the first and then at most every
 * DROP_WARNING_INTERVAL_US, with the count. */
static void refused(VfDelivery *d, InFlight *f, const char *by, const char *why)
{
  guint64 seq = f->msg->seq;
  d->refusals++;
  vf_msg_log_done(d->log, seq, FALSE);
  in_flight_remove(d, f);
  gint64 now = g_get_monotonic_time();
  if (d->refusals > 1 && now - d->last_refusal_warning_us < DROP_WARNING_INTERVAL_US)
    return;
  d->last_refusal_warning_us = now;
  notice(d, GST_MESSAGE_WARNING,
         "%s: the %s %s refused message %" G_GUINT64_FORMAT
         " (%s): it is not sent again (%" G_GUINT64_FORMAT " refused so far)",
         GST_ELEMENT_NAME(d->element), d->config.protocol, by, seq, why, d->refusals);
}

/* ---- adapter callbacks (inside adapter calls, delivery thread; take the lock) ---- */

static void on_connection(VfMsgApiHandle handle, VfMsgApiEvent event, const char *detail,
                          void *user_ptr)
{
  (void)handle;
  VfDelivery *d = user_ptr;
  g_mutex_lock(&d->lock);
  if (event == VF_MSGAPI_EVT_CONNECTED) {
    d->state = LINK_UP;
    d->acked_since_connect = FALSE;
    if (d->in_outage) {
      d->in_outage = FALSE;
      notice(d, GST_MESSAGE_INFO,
             "%s: %s broker %s reachable again after %.1f s; sending the %" G_GUINT64_FORMAT
             " messages that waited",
             GST_ELEMENT_NAME(d->element), d->config.protocol, d->config.conn_str,
             (g_get_monotonic_time() - d->outage_start_us) / 1e6, vf_msg_log_unsent(d->log));
    }
  } else if (!d->broken) {
    d->broken = TRUE;
    g_free(d->broken_detail);
    d->broken_detail = g_strdup(detail ? detail : "disconnected");
  }
  wake_drained(d);
  g_mutex_unlock(&d->lock);
}

/* Inside send_async or do_work, on the delivery thread: noted, applied by apply_outcomes. */
static void on_sent(void *user_ptr, VfMsgApiStatus status, const char *detail)
{
  InFlight *f = user_ptr;
  Outcome o = { f, status, status == VF_MSGAPI_OK ? NULL : g_strdup(detail) };
  g_array_append_val(f->delivery->outcomes, o);
}

/* Under the lock, delivery thread: the outcomes noted since the last call. */
static void apply_outcomes(VfDelivery *d)
{
  if (d->outcomes->len == 0)
    return;
  for (guint i = 0; i < d->outcomes->len; i++) {
    Outcome *o = &g_array_index(d->outcomes, Outcome, i);
    guint64 seq = o->f->msg->seq;
    if (o->status == VF_MSGAPI_OK) {
      vf_msg_log_done(d->log, seq, TRUE);
      d->acked_since_connect = TRUE;
      in_flight_remove(d, o->f);
    } else if (o->status == VF_MSGAPI_REJECTED) {
      refused(d, o->f, "broker", o->detail ? o->detail : "no reason"); /* frees o->f */
    } else if (!d->broken) {
      /* the connection broke: everything in flight is sent again after reconnecting */
      d->broken = TRUE;
      g_free(d->broken_detail);
      d->broken_detail = g_strdup(o->detail ? o->detail : "a send failed");
    }
    g_free(o->detail);
  }
  g_array_set_size(d->outcomes, 0);
  wake_drained(d);
}

/* ---- the delivery thread ---- */

/* Under the lock: the connection is gone; next attempt after the backoff. */
static void schedule_reconnect(VfDelivery *d, const char *why)
{
  d->stats.disconnects++;
  d->state = LINK_DOWN;
  if (d->acked_since_connect)
    d->backoff_ms = d->config.reconnect_min_ms; /* it worked: start over */
  d->next_attempt_us = g_get_monotonic_time() + (gint64)d->backoff_ms * G_TIME_SPAN_MILLISECOND;
  if (!d->in_outage) {
    d->in_outage = TRUE;
    d->outage_start_us = g_get_monotonic_time();
    notice(d, GST_MESSAGE_WARNING,
           "%s: cannot reach the %s broker %s (%s): messages wait in the %s and are sent in "
           "order once it is back (reconnecting every %u to %u ms)",
           GST_ELEMENT_NAME(d->element), d->config.protocol, d->config.conn_str, why,
           vf_msg_log_get_dir(d->log) ? "spool" : "queue", d->config.reconnect_min_ms,
           d->config.reconnect_max_ms);
  } else {
    GST_DEBUG_OBJECT(d->element, "still unreachable: %s (next attempt in %u ms)", why,
                     d->backoff_ms);
  }
  d->backoff_ms = MIN(d->backoff_ms * 2, d->config.reconnect_max_ms);
  d->acked_since_connect = FALSE;
}

/* Under the lock, releases it during the adapter calls. */
static void teardown(VfDelivery *d)
{
  VfMsgApiHandle h = d->handle;
  d->handle = NULL;
  char *why = g_strdup(d->broken_detail ? d->broken_detail : "disconnected");
  g_mutex_unlock(&d->lock);
  d->config.api->disconnect(h);
  g_mutex_lock(&d->lock);
  apply_outcomes(d); /* from an adapter that reported during disconnect after all */
  /* no callback fires any more: what was in flight is sent again */
  in_flight_clear(d);
  vf_msg_log_rewind(d->log);
  d->broken = FALSE;
  g_clear_pointer(&d->broken_detail, g_free);
  schedule_reconnect(d, why);
  g_free(why);
}

/* Under the lock, releases it during the call. */
static void attempt_connect(VfDelivery *d)
{
  char error[ERROR_TEXT_SIZE] = "";
  d->state = LINK_CONNECTING;
  d->broken = FALSE;
  d->connect_started_us = g_get_monotonic_time();
  g_mutex_unlock(&d->lock);
  VfMsgApiHandle h = d->config.api->connect(d->config.conn_str, d->config.config, on_connection, d,
                                            error, sizeof error);
  g_mutex_lock(&d->lock);
  d->handle = h;
  if (h == NULL) {
    d->state = LINK_DOWN;
    schedule_reconnect(d, *error ? error : "connect failed");
  }
}

/* Under the lock: takes messages to send and registers them in flight. */
static GPtrArray *take_batch(VfDelivery *d)
{
  GPtrArray *batch = g_ptr_array_new();
  /* after connecting, one message until the first acknowledgement: a link that only looks up
   * (Kafka reports no connection) does not take a whole window to be sent again */
  guint window = d->acked_since_connect ? d->config.max_in_flight : 1;
  while (d->in_flight.length < window) {
    GError *err = NULL;
    guint64 skipped = 0;
    VfMsg *m = vf_msg_log_next(d->log, &skipped, &err);
    if (skipped) {
      d->skipped += skipped;
      notice(d, GST_MESSAGE_WARNING, "%s: %s: %" G_GUINT64_FORMAT " spooled messages lost",
             GST_ELEMENT_NAME(d->element), err ? err->message : "spool unreadable", skipped);
    }
    g_clear_error(&err);
    if (m == NULL) {
      if (skipped)
        continue;
      break;
    }
    InFlight *f = g_new0(InFlight, 1);
    f->delivery = d;
    f->msg = m;
    f->link.data = f;
    g_queue_push_tail_link(&d->in_flight, &f->link);
    g_ptr_array_add(batch, f);
  }
  return batch;
}

/* Under the lock, releases it while sending (once for the whole batch). */
static void send_batch(VfDelivery *d, GPtrArray *batch)
{
  if (batch->len == 0)
    return;
  guint tried = 0;
  VfMsgApiHandle h = d->handle;
  g_mutex_unlock(&d->lock);
  /* the InFlight entries stay valid: outcomes are applied under the lock, after this loop */
  while (tried < batch->len) {
    InFlight *f = batch->pdata[tried++];
    gsize len;
    const guint8 *data = g_bytes_get_data(f->msg->payload, &len);
    f->send_status
        = d->config.api->send_async(h, d->config.topic, f->msg->key, data, len, on_sent, f);
    if (f->send_status == VF_MSGAPI_ERR)
      break; /* not connected after all: the rest waits for the next connection (order kept) */
  }
  g_mutex_lock(&d->lock);
  for (guint i = 0; i < tried; i++) {
    InFlight *f = batch->pdata[i];
    VfMsg *m = f->msg;
    if (f->send_status == VF_MSGAPI_OK) {
      d->stats.sent++;
      if (m->seq < d->high_water)
        d->stats.resent++;
      d->high_water = MAX(d->high_water, m->seq + 1);
    } else if (f->send_status == VF_MSGAPI_REJECTED) {
      char *why = g_strdup_printf("%" G_GSIZE_FORMAT " bytes", g_bytes_get_size(m->payload));
      refused(d, f, "adapter", why); /* frees f */
      g_free(why);
    } else if (!d->broken) {
      d->broken = TRUE;
      g_free(d->broken_detail);
      d->broken_detail = g_strdup("send failed: not connected");
    }
  }
  apply_outcomes(d);
  wake_drained(d);
}

static gpointer delivery_thread(gpointer data)
{
  VfDelivery *d = data;
  /* a broker that closed its end must not kill the process: writes fail with EPIPE instead
   * (hiredis writes with write(), not send(MSG_NOSIGNAL)) */
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, NULL);
  g_mutex_lock(&d->lock);
  while (!d->quit) {
    sync_spool(d);
    post_notices(d);
    check_drops(d);
    if (d->quit)
      break;
    if (d->handle && d->broken) {
      teardown(d);
      continue;
    }
    if (d->handle == NULL) {
      if (g_get_monotonic_time() < d->next_attempt_us) {
        thread_wait(d, d->next_attempt_us);
        continue;
      }
      attempt_connect(d);
      continue;
    }
    if (d->state == LINK_CONNECTING
        && g_get_monotonic_time() - d->connect_started_us > CONNECT_TIMEOUT_US) {
      d->broken = TRUE;
      g_free(d->broken_detail);
      d->broken_detail = g_strdup_printf("no connection within %d s",
                                         (int)(CONNECT_TIMEOUT_US / G_TIME_SPAN_SECOND));
      continue;
    }
    if (d->state == LINK_UP) {
      GPtrArray *batch = take_batch(d);
      send_batch(d, batch);
      g_ptr_array_unref(batch);
      if (d->broken)
        continue;
    }
    gboolean idle
        = d->state == LINK_UP && d->in_flight.length == 0 && vf_msg_log_unsent(d->log) == 0;
    if (idle) {
      thread_wait(d, g_get_monotonic_time() + IDLE_SERVICE_US);
      if (d->quit)
        break;
    }
    VfMsgApiHandle h = d->handle;
    g_mutex_unlock(&d->lock);
    d->config.api->do_work(h, idle ? 0 : SERVICE_MS);
    g_mutex_lock(&d->lock);
    apply_outcomes(d);
  }
  /* stopping: collect the acknowledgements that arrived, then close */
  if (d->handle) {
    VfMsgApiHandle h = d->handle;
    d->handle = NULL;
    g_mutex_unlock(&d->lock);
    d->config.api->do_work(h, 0);
    g_mutex_lock(&d->lock);
    apply_outcomes(d);
    g_mutex_unlock(&d->lock);
    d->config.api->disconnect(h);
    g_mutex_lock(&d->lock);
    apply_outcomes(d);
  }
  in_flight_clear(d);
  vf_msg_log_rewind(d->log);
  post_notices(d);
  g_mutex_unlock(&d->lock);
  return NULL;
}

/* ---- the element's side ---- */

VfDelivery *vf_delivery_new(const VfDeliveryConfig *config, GstElement *element, GError **error)
{
  GError *err = NULL;
  VfMsgLog *log = config->spool_size > 0 ? vf_msg_log_new_spool(
                      config->spool_dir, config->spool_size, MAX(config->queue_size, 1), &err)
                                         : vf_msg_log_new_memory(config->queue_size);
  if (log == NULL) {
    g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_WRITE,
                "cannot use the spool: %s (set spool-dir to a writable folder, or spool-size=0 "
                "for no spool)",
                err->message);
    g_error_free(err);
    return NULL;
  }
  VfDelivery *d = g_new0(VfDelivery, 1);
  g_mutex_init(&d->lock);
  g_cond_init(&d->wake);
  g_cond_init(&d->drained);
  d->element = element;
  d->config = *config;
  d->config.protocol = g_strdup(config->protocol);
  d->config.conn_str = g_strdup(config->conn_str);
  d->config.config = g_strdup(config->config);
  d->config.topic = g_strdup(config->topic);
  d->config.spool_dir = g_strdup(config->spool_dir);
  d->config.max_in_flight = MAX(config->max_in_flight, 1);
  d->config.reconnect_min_ms = MAX(config->reconnect_min_ms, 1);
  d->config.reconnect_max_ms = MAX(config->reconnect_max_ms, d->config.reconnect_min_ms);
  d->backoff_ms = d->config.reconnect_min_ms;
  d->log = log;
  g_queue_init(&d->in_flight);
  d->notices = g_ptr_array_new();
  d->outcomes = g_array_new(FALSE, FALSE, sizeof(Outcome));

  /* The first connection here, so that a conn-str the adapter cannot use fails the start. */
  char text[ERROR_TEXT_SIZE] = "";
  d->state = LINK_CONNECTING;
  d->connect_started_us = g_get_monotonic_time();
  d->handle = config->api->connect(d->config.conn_str, d->config.config, on_connection, d, text,
                                   sizeof text);
  if (d->handle == NULL) {
    g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS, "%s adapter: %s",
                config->protocol, *text ? text : "refused the conn-str without saying why");
    d->state = LINK_DOWN;
    vf_delivery_free(d, NULL);
    return NULL;
  }
  g_mutex_lock(&d->lock);
  post_notices(d);
  g_mutex_unlock(&d->lock);
  d->thread = g_thread_new("vfmsgbroker", delivery_thread, d);
  return d;
}

void vf_delivery_free(VfDelivery *d, VfDeliveryStats *final)
{
  if (d == NULL)
    return;
  if (d->thread) {
    g_mutex_lock(&d->lock);
    d->quit = TRUE;
    g_cond_broadcast(&d->wake);
    g_mutex_unlock(&d->lock);
    g_thread_join(d->thread);
  } else if (d->handle) {
    d->config.api->disconnect(d->handle);
  }
  guint64 pending = vf_msg_log_pending(d->log);
  if (pending > 0 && vf_msg_log_is_persistent(d->log)) {
    GST_INFO_OBJECT(d->element,
                    "%" G_GUINT64_FORMAT " messages kept in spool %s for the next start", pending,
                    vf_msg_log_get_dir(d->log));
  } else if (pending > 0) {
    d->lost = pending;
    GST_ELEMENT_WARNING(d->element, RESOURCE, WRITE,
                        ("%s: %" G_GUINT64_FORMAT " messages were not acknowledged by the %s "
                         "broker before stopping and are lost (set spool-dir to keep them for "
                         "the next start)",
                         GST_ELEMENT_NAME(d->element), pending, d->config.protocol),
                        ("%s %s", d->config.protocol, d->config.conn_str));
  }
  if (final) {
    vf_delivery_get_stats(d, final);
    /* nothing waits in memory any more; on disk only in a spool of one's own */
    final->queued = final->in_flight = 0;
    if (!vf_msg_log_is_persistent(d->log))
      final->spooled = 0;
  }
  vf_msg_log_free(d->log);
  d->log = NULL;
  in_flight_clear(d);
  g_ptr_array_unref(d->notices);
  g_array_unref(d->outcomes);
  g_free((char *)d->config.protocol);
  g_free((char *)d->config.conn_str);
  g_free((char *)d->config.config);
  g_free((char *)d->config.topic);
  g_free((char *)d->config.spool_dir);
  g_free(d->broken_detail);
  g_mutex_clear(&d->lock);
  g_cond_clear(&d->wake);
  g_cond_clear(&d->drained);
  g_free(d);
}

gboolean vf_delivery_push(VfDelivery *d, GBytes *payload, const char *key)
{
  VfMsg *m = vf_msg_new(payload, key);
  g_mutex_lock(&d->lock);
  while (vf_msg_log_is_full(d->log) && !d->flushing)
    drain_wait(d, -1);
  gboolean ok = !d->flushing;
  if (ok) {
    GError *err = NULL;
    d->stats.accepted++;
    if (!vf_msg_log_append(d->log, m, &err)) {
      d->write_drops++;
      notice(d, GST_MESSAGE_WARNING, "%s: message dropped: %s", GST_ELEMENT_NAME(d->element),
             err->message);
      g_error_free(err);
    }
    if (d->thread_waits)
      g_cond_signal(&d->wake);
  }
  g_mutex_unlock(&d->lock);
  vf_msg_unref(m);
  return ok;
}

gboolean vf_delivery_flush(VfDelivery *d, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time() + timeout_us;
  g_mutex_lock(&d->lock);
  while (vf_msg_log_pending(d->log) > 0 && !d->flushing)
    if (!drain_wait(d, deadline))
      break;
  gboolean done = vf_msg_log_pending(d->log) == 0;
  g_mutex_unlock(&d->lock);
  return done;
}

void vf_delivery_set_flushing(VfDelivery *d, gboolean flushing)
{
  g_mutex_lock(&d->lock);
  d->flushing = flushing;
  g_cond_broadcast(&d->drained);
  g_mutex_unlock(&d->lock);
}

void vf_delivery_get_stats(VfDelivery *d, VfDeliveryStats *stats)
{
  g_mutex_lock(&d->lock);
  *stats = d->stats;
  guint64 refused = 0, dropped = 0;
  if (d->log) {
    vf_msg_log_get_counts(d->log, &stats->acknowledged, &refused, &dropped);
    stats->queued = vf_msg_log_in_memory(d->log);
    stats->spooled = vf_msg_log_get_dir(d->log) ? vf_msg_log_pending(d->log) : 0;
    stats->spooled_total = vf_msg_log_overflowed(d->log);
  }
  stats->in_flight = d->in_flight.length;
  stats->dropped = dropped + d->write_drops;
  stats->failed = refused + d->skipped + d->lost;
  stats->connected = d->state == LINK_UP && d->handle != NULL;
  g_mutex_unlock(&d->lock);
}
