/* vidflow: vfmsgbroker's message log: the ordered messages not yet acknowledged by the broker.
 *
 * Every message gets a sequence number when appended and leaves the log only when the broker
 * acknowledged (or refused) it and every older message: the log keeps a commit point (oldest
 * unacknowledged message), a cursor (next to send) and a tail. After a broken connection the
 * cursor goes back to the commit point, so everything unacknowledged is sent again, in order.
 *
 * Two kinds:
 * - memory (no spool): at most `capacity` messages; vf_msg_log_is_full says when the producer
 *   must wait;
 * - disk spool: every message is written to segment files in a folder (page cache, no fsync),
 *   many at a time: appended records wait in memory until vf_msg_log_sync (the delivery thread
 *   calls it every turn, a few milliseconds apart) or until 64 KiB wait, so that the streaming
 *   thread makes no system call per message. The newest `capacity` unsent ones are also kept in
 *   memory, so reading from disk only
 *   happens after an outage or a backlog. At most `max_bytes` of messages: when an append would
 *   pass it, the oldest messages are dropped. A spool folder of one's own survives restarts:
 *   the commit point is written at close, and what was not acknowledged is sent after the next
 *   open (messages after the commit point may arrive twice: at least once).
 *
 * Threads: not thread-safe; the caller (delivery.c) holds its lock around every call. */
#pragma once

#include <gst/gst.h>

typedef struct {
  gint refcount;
  guint64 seq;
  char *key; /* nullable */
  GBytes *payload;
} VfMsg;

VfMsg *vf_msg_new(GBytes *payload, const char *key);
VfMsg *vf_msg_ref(VfMsg *msg);
void vf_msg_unref(VfMsg *msg);

typedef struct _VfMsgLog VfMsgLog;

/* A memory log of `capacity` messages. */
VfMsgLog *vf_msg_log_new_memory(guint capacity);
/* A disk spool of `max_bytes` in folder `dir` (created if needed; NULL: a private temporary
 * folder, removed at close), keeping up to `cache` unsent messages in memory too. Messages
 * left by an earlier run in `dir` are loaded. NULL with an error naming the folder. */
VfMsgLog *vf_msg_log_new_spool(const char *dir, guint64 max_bytes, guint cache, GError **error);
/* Closes (a spool of one's own keeps its files and commit point) and frees. */
void vf_msg_log_free(VfMsgLog *log);

/* (transfer none) the spool folder, or NULL for a memory log. */
const char *vf_msg_log_get_dir(VfMsgLog *log);
/* TRUE when the log keeps its messages after close (a spool folder given by the user). */
gboolean vf_msg_log_is_persistent(VfMsgLog *log);
/* A memory log at capacity (the producer waits); a spool is never full (it drops). */
gboolean vf_msg_log_is_full(VfMsgLog *log);

/* Appends (sets msg->seq; the log takes a reference). A spool buffers it for its file
 * (vf_msg_log_sync); on a full spool the oldest messages are dropped to make room (counted, see
 * vf_msg_log_get_counts; one that was in flight may still arrive). FALSE with an error when the
 * message cannot be written (a segment file that cannot be made, larger than the spool): it is not
 * in the log. A failing write of records already appended is vf_msg_log_sync's to report. */
gboolean vf_msg_log_append(VfMsgLog *log, VfMsg *msg, GError **error);
/* Writes the appended records still in memory to the spool's files. FALSE with an error naming
 * the file when the disk refuses them: they stay in memory (at most the spool's size) and the
 * next call tries again. TRUE at once for a memory log. */
gboolean vf_msg_log_sync(VfMsgLog *log, GError **error);
/* (transfer full, nullable) the message at the cursor, which moves on; NULL when everything
 * was sent. NULL with an error when the spool could not be read (unreadable records are
 * skipped and *skipped counts them). */
VfMsg *vf_msg_log_next(VfMsgLog *log, guint64 *skipped, GError **error);
/* A sent message is done: acknowledged (TRUE) or refused by the broker (FALSE). The commit point
 * moves past it once every older one is done. Unknown sequence numbers (dropped, or from
 * before a rewind) are ignored. */
void vf_msg_log_done(VfMsgLog *log, guint64 seq, gboolean acknowledged);
/* Back to the commit point: every sent message not done will be sent again. */
void vf_msg_log_rewind(VfMsgLog *log);

/* Counts. pending: in the log (tail - commit). unsent: not sent since the last rewind.
 * in_memory: unsent messages held in memory (all unsent for a memory log). */
guint64 vf_msg_log_pending(VfMsgLog *log);
guint64 vf_msg_log_unsent(VfMsgLog *log);
guint64 vf_msg_log_in_memory(VfMsgLog *log);
/* Messages that left the memory cache unsent (so are read from disk later). */
guint64 vf_msg_log_overflowed(VfMsgLog *log);
/* Messages that left the log: past the commit point acknowledged or refused (each counted
 * once, however often it was sent), or dropped by a full spool. */
void vf_msg_log_get_counts(VfMsgLog *log, guint64 *acknowledged, guint64 *refused,
                           guint64 *dropped);
