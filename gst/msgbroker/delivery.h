/* vidflow: vfmsgbroker's delivery: a thread of its own that owns the adapter connection and
 * sends the message log (spool.h) in order, at least once.
 *
 * - The streaming thread only appends to the log (vf_delivery_push): it never waits for the
 *   network; with a memory log it waits while the log is full (bounded queue), with a spool it
 *   never waits (a full spool drops its oldest messages, counted and warned about).
 * - The delivery thread connects (the adapter's connect), sends one message, and once it is
 *   acknowledged up to max-in-flight messages at a time,
 *   services the connection (do_work) and moves the log's commit point as acknowledgements
 *   come. When the connection breaks it disconnects, rewinds the log (every unacknowledged
 *   message is sent again: duplicates are possible, losses are not) and reconnects with an
 *   exponential backoff between reconnect-min and reconnect-max. It posts a warning when the
 *   broker becomes unreachable and an info message when it is back.
 * - vf_delivery_flush (end of stream) waits, bounded, for every message to be acknowledged.
 *
 * Lock order: VfDelivery.lock only (adapter calls are made without it; adapter callbacks take
 * it). */
#pragma once

#include <gst/gst.h>
#include <vidflow/msgapi.h>

typedef struct {
  const VfMsgApiFunctions *api;
  const char *protocol; /* adapter name, for messages */
  const char *conn_str;
  const char *config; /* nullable: the adapter's config file */
  const char *topic;
  guint queue_size;      /* memory log capacity, or the spool's in-memory part */
  guint max_in_flight;   /* sent, not yet acknowledged */
  guint64 spool_size;    /* bytes; 0: no spool (memory only) */
  const char *spool_dir; /* nullable: a private temporary folder */
  guint reconnect_min_ms, reconnect_max_ms;
} VfDeliveryConfig;

typedef struct {
  guint64 accepted;      /* messages handed to vfmsgbroker */
  guint64 sent;          /* sends the adapter accepted (resends included) */
  guint64 resent;        /* of those, sends of messages sent before (after a broken connection) */
  guint64 acknowledged;  /* messages the broker acknowledged (each once) */
  guint64 queued;        /* now waiting in memory, not sent yet */
  guint64 in_flight;     /* now sent, not acknowledged */
  guint64 spooled;       /* now in the spool, not acknowledged (sent or not) */
  guint64 spooled_total; /* messages that left memory unsent, read back from disk later */
  guint64 dropped;       /* discarded by a full spool (or a spool write error) */
  guint64 failed;        /* refused by the broker, or not delivered at stop */
  guint64 disconnects;   /* times the connection broke or could not be made */
  gboolean connected;
} VfDeliveryStats;

typedef struct _VfDelivery VfDelivery;

/* Makes the log, connects once (a conn-str or config the adapter refuses is an error; an
 * unreachable broker is not: the messages wait) and starts the delivery thread. `element`
 * (transfer none) posts the warnings and must outlive the delivery. */
VfDelivery *vf_delivery_new(const VfDeliveryConfig *config, GstElement *element, GError **error);
/* Stops the thread and disconnects. Messages not acknowledged stay in a spool folder of one's
 * own for the next start, or are lost (counted as failed, with a warning). `final`
 * (nullable) gets the last figures. */
void vf_delivery_free(VfDelivery *delivery, VfDeliveryStats *final);

/* Streaming thread: one message. FALSE when flushing (the element is stopping). */
gboolean vf_delivery_push(VfDelivery *delivery, GBytes *payload, const char *key);
/* Waits until every message is acknowledged (TRUE), or timeout_us passed / flushing (FALSE). */
gboolean vf_delivery_flush(VfDelivery *delivery, gint64 timeout_us);
/* While flushing, push and flush return at once (GstBaseSink unlock / unlock_stop). */
void vf_delivery_set_flushing(VfDelivery *delivery, gboolean flushing);
void vf_delivery_get_stats(VfDelivery *delivery, VfDeliveryStats *stats);
