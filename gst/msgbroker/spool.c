/* vidflow: vfmsgbroker's message log (spool.h): a memory FIFO or a disk spool of segment files,
 * both with a commit point, a cursor and a tail.
 *
 * Disk layout: DIR/<first sequence number, 20 digits>.seg files of records
 *   magic u32 | payload length u32 | sequence u64 | key length u16 | 0 u16 | key | payload
 * (host byte order: a spool is read back by the machine that wrote it), and DIR/commit, the
 * sequence number of the oldest message not acknowledged, written at close. A record cut short
 * by a crash ends its segment when loading. */
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

GST_DEBUG_CATEGORY_EXTERN(vf_msgbroker_debug);
#define GST_CAT_DEFAULT vf_msgbroker_debug

#define RECORD_MAGIC 0x50534656u /* "VFSP" */
#define HEADER_BYTES 20
#define SEGMENT_SUFFIX ".seg"
#define COMMIT_FILE "commit"
#define LOCK_FILE "lock"
/* Segment files are about 1/8 of the spool: few files, and little disk held by a partly
 * acknowledged oldest segment. */
#define SEGMENTS_PER_SPOOL 8
#define MIN_SEGMENT_BYTES (4 * 1024)
#define MAX_SEGMENT_BYTES (64 * 1024 * 1024)
/* Records are read back from disk this many bytes at a time (one pread for many messages). */
#define READ_AHEAD_BYTES (64 * 1024)
/* Appended records wait in memory until this many bytes (or vf_msg_log_sync): one write for
 * many messages, not a system call each. */
#define WRITE_BUFFER_BYTES (64 * 1024)

VfMsg *vf_msg_new(GBytes *payload, const char *key)
{
  VfMsg *m = g_new0(VfMsg, 1);
  m->refcount = 1;
  m->payload = g_bytes_ref(payload);
  m->key = g_strdup(key);
  return m;
}

VfMsg *vf_msg_ref(VfMsg *msg)
{
  g_atomic_int_inc(&msg->refcount);
  return msg;
}

void vf_msg_unref(VfMsg *msg)
{
  if (msg == NULL || !g_atomic_int_dec_and_test(&msg->refcount))
    return;
  g_bytes_unref(msg->payload);
  g_free(msg->key);
  g_free(msg);
}

typedef struct {
  guint64 first_seq;
  guint64 end;           /* bytes of records: in the file, then in `unwritten` */
  guint64 written;       /* bytes in the file */
  GByteArray *unwritten; /* the records after `written`, not in the file yet */
  char *path;
  int fd;
  guint8 *ahead; /* bytes [ahead_start, ahead_start + ahead_len) of the file, or NULL */
  guint64 ahead_start;
  gsize ahead_len;
} Segment;

typedef struct {
  GList *segment; /* link in log->segments; NULL: no segment yet */
  guint64 offset;
} Pos;

typedef struct {
  guint64 seq;
  Pos pos;       /* spool: where the record is */
  guint32 size;  /* spool: record bytes */
  VfMsg *msg;    /* memory log: the message, for a rewind */
  gboolean done; /* acknowledged or refused */
  gboolean acknowledged;
} Sent;

struct _VfMsgLog {
  gboolean disk;
  guint capacity; /* memory: most messages in the log; spool: most unsent ones in memory */
  GQueue sent;    /* Sent*, the messages of [commit, cursor) */
  GQueue unsent;  /* VfMsg*: memory: [cursor, tail); spool: the newest unsent, in memory */
  guint64 commit_seq, cursor_seq, tail_seq;
  guint64 overflowed;
  guint64 acknowledged, refused, dropped;
  /* spool */
  char *dir;
  gboolean persistent;
  guint64 max_bytes, segment_bytes, bytes;
  GQueue segments; /* Segment*, oldest first */
  Pos commit, cursor;
  int lock_fd; /* holds the folder's lock (flock) */
};

static void sent_free(Sent *s)
{
  vf_msg_unref(s->msg);
  g_free(s);
}

VfMsgLog *vf_msg_log_new_memory(guint capacity)
{
  VfMsgLog *log = g_new0(VfMsgLog, 1);
  log->lock_fd = -1;
  log->capacity = MAX(capacity, 1);
  g_queue_init(&log->sent);
  g_queue_init(&log->unsent);
  g_queue_init(&log->segments);
  return log;
}

/* ---- records ---- */

static guint32 record_size(gsize key_len, gsize payload_len)
{
  return (guint32)(HEADER_BYTES + key_len + payload_len);
}

static guint32 msg_record_size(const VfMsg *m)
{
  return record_size(m->key ? strlen(m->key) : 0, g_bytes_get_size(m->payload));
}

static gboolean write_all(int fd, const guint8 *data, gsize len)
{
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    data += n;
    len -= (gsize)n;
  }
  return TRUE;
}

static gboolean read_all(int fd, guint8 *data, gsize len, guint64 offset)
{
  while (len > 0) {
    ssize_t n = pread(fd, data, len, (off_t)offset);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    data += n;
    len -= (gsize)n;
    offset += (guint64)n;
  }
  return TRUE;
}

typedef struct {
  guint32 payload_len;
  guint64 seq;
  guint16 key_len;
} Header;

/* FALSE when the bytes are not a record header. */
static gboolean parse_header(const guint8 *b, Header *h)
{
  guint32 magic;
  memcpy(&magic, b, 4);
  memcpy(&h->payload_len, b + 4, 4);
  memcpy(&h->seq, b + 8, 8);
  memcpy(&h->key_len, b + 16, 2);
  return magic == RECORD_MAGIC;
}

static Segment *seg(GList *link)
{
  return link->data;
}

/* A position at the end of a segment that is not the last one is the next one's start. */
static void normalize(Pos *p)
{
  while (p->segment && p->offset >= seg(p->segment)->end && p->segment->next) {
    p->segment = p->segment->next;
    p->offset = 0;
  }
}

static void segment_free(Segment *s, gboolean remove)
{
  g_byte_array_unref(s->unwritten);
  g_free(s->ahead);
  if (s->fd >= 0)
    close(s->fd);
  if (remove)
    g_unlink(s->path);
  g_free(s->path);
  g_free(s);
}

/* Delete the segments wholly before the commit point (the cursor is never before it, and is
 * moved off a segment that ends where it stands too). */
static void release_segments(VfMsgLog *log)
{
  normalize(&log->commit);
  normalize(&log->cursor);
  while (log->commit.segment && log->segments.head != log->commit.segment)
    segment_free(g_queue_pop_head(&log->segments), TRUE);
}

static Segment *segment_open(VfMsgLog *log, guint64 first_seq, GError **error)
{
  Segment *s = g_new0(Segment, 1);
  s->first_seq = first_seq;
  s->unwritten = g_byte_array_new();
  char name[32];
  g_snprintf(name, sizeof name, "%020" G_GUINT64_FORMAT SEGMENT_SUFFIX, first_seq);
  s->path = g_build_filename(log->dir, name, NULL);
  s->fd = g_open(s->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (s->fd < 0) {
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                "cannot open spool file %s: %s", s->path, g_strerror(errno));
    segment_free(s, FALSE);
    return NULL;
  }
  struct stat st;
  s->end = s->written = fstat(s->fd, &st) == 0 ? (guint64)st.st_size : 0;
  return s;
}

/* `n` bytes at `offset` of a segment, through its read-ahead buffer (the files only grow, so
 * what it holds stays right). */
static gboolean segment_read(Segment *s, guint8 *dst, gsize n, guint64 offset)
{
  if (offset >= s->written) { /* records are written whole: not in the file at all yet */
    if (offset + n > s->end)
      return FALSE;
    memcpy(dst, s->unwritten->data + (offset - s->written), n);
    return TRUE;
  }
  if (s->ahead && offset >= s->ahead_start && offset + n <= s->ahead_start + s->ahead_len) {
    memcpy(dst, s->ahead + (offset - s->ahead_start), n);
    return TRUE;
  }
  if (n >= READ_AHEAD_BYTES)
    return read_all(s->fd, dst, n, offset);
  if (s->ahead == NULL)
    s->ahead = g_malloc(READ_AHEAD_BYTES);
  ssize_t got;
  do
    got = pread(s->fd, s->ahead, READ_AHEAD_BYTES, (off_t)offset);
  while (got < 0 && errno == EINTR);
  s->ahead_start = offset;
  s->ahead_len = got > 0 ? (gsize)got : 0;
  if (s->ahead_len < n)
    return FALSE;
  memcpy(dst, s->ahead, n);
  return TRUE;
}

/* Writes the records waiting in memory (one write); FALSE with an error naming the file when
 * the disk refuses them: they stay in memory, for the next try. */
static gboolean segment_sync(Segment *s, GError **error)
{
  if (s->unwritten->len == 0)
    return TRUE;
  if (!write_all(s->fd, s->unwritten->data, s->unwritten->len)) {
    int saved = errno;
    if (ftruncate(s->fd, (off_t)s->written) != 0)
      GST_WARNING("spool file %s: cannot cut a failed write", s->path);
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved),
                "cannot write to spool file %s: %s (%u bytes of messages wait in memory)", s->path,
                g_strerror(saved), s->unwritten->len);
    return FALSE;
  }
  s->written += s->unwritten->len;
  g_byte_array_set_size(s->unwritten, 0);
  return TRUE;
}

gboolean vf_msg_log_sync(VfMsgLog *log, GError **error)
{
  for (GList *l = log->segments.head; l; l = l->next)
    if (!segment_sync(seg(l), error))
      return FALSE;
  return TRUE;
}

/* The message of the record at `p` (transfer full), checking it is number `seq`. */
static VfMsg *read_record(Pos *p, guint64 seq, guint32 *size, GError **error)
{
  Segment *s = seg(p->segment);
  guint8 head[HEADER_BYTES];
  Header h;
  if (!segment_read(s, head, sizeof head, p->offset) || !parse_header(head, &h) || h.seq != seq
      || p->offset + record_size(h.key_len, h.payload_len) > s->end) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO,
                "spool file %s: no readable record %" G_GUINT64_FORMAT
                " at byte %" G_GUINT64_FORMAT,
                s->path, seq, p->offset);
    return NULL;
  }
  gsize len = (gsize)h.key_len + h.payload_len;
  guint8 *data = g_malloc(len + 1);
  if (!segment_read(s, data, len, p->offset + HEADER_BYTES)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO,
                "spool file %s: cannot read record %" G_GUINT64_FORMAT, s->path, seq);
    g_free(data);
    return NULL;
  }
  data[len] = '\0';
  char *key = h.key_len ? g_strndup((char *)data, h.key_len) : NULL;
  GBytes *payload = g_bytes_new(data + h.key_len, h.payload_len);
  g_free(data);
  VfMsg *m = vf_msg_new(payload, key);
  m->seq = seq;
  g_bytes_unref(payload);
  g_free(key);
  *size = record_size(h.key_len, h.payload_len);
  return m;
}

/* ---- loading a spool folder ---- */

static gint compare_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Counts a segment's records (from its first sequence number), cutting it at the first one
 * that is not whole; returns the sequence number after its last record. */
static guint64 scan_segment(Segment *s)
{
  guint64 offset = 0, seq = s->first_seq;
  guint8 head[HEADER_BYTES];
  Header h;
  while (offset + HEADER_BYTES <= s->end && read_all(s->fd, head, sizeof head, offset)
         && parse_header(head, &h) && h.seq == seq
         && offset + record_size(h.key_len, h.payload_len) <= s->end) {
    offset += record_size(h.key_len, h.payload_len);
    seq++;
  }
  if (offset < s->end) {
    GST_WARNING("spool file %s: cut at byte %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                " (a record written only in part)",
                s->path, offset, s->end);
    if (ftruncate(s->fd, (off_t)offset) == 0)
      s->end = s->written = offset;
  }
  return seq;
}

/* One log per folder: two writing one spool would corrupt it. */
static gboolean lock_folder(VfMsgLog *log, GError **error)
{
  char *path = g_build_filename(log->dir, LOCK_FILE, NULL);
  log->lock_fd = g_open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  gboolean ok = log->lock_fd >= 0 && flock(log->lock_fd, LOCK_EX | LOCK_NB) == 0;
  if (!ok)
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                "spool folder %s is in use by another vfmsgbroker (give each its own spool-dir)",
                log->dir);
  g_free(path);
  return ok;
}

static gboolean load_spool(VfMsgLog *log, GError **error)
{
  if (!lock_folder(log, error))
    return FALSE;
  GDir *dir = g_dir_open(log->dir, 0, error);
  if (dir == NULL)
    return FALSE;
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  for (const char *n; (n = g_dir_read_name(dir));)
    if (g_str_has_suffix(n, SEGMENT_SUFFIX))
      g_ptr_array_add(names, g_strdup(n));
  g_dir_close(dir);
  g_ptr_array_sort(names, compare_names);

  char *commit_path = g_build_filename(log->dir, COMMIT_FILE, NULL), *text = NULL;
  guint64 commit = 0;
  gboolean have_commit
      = g_file_get_contents(commit_path, &text, NULL, NULL)
        && g_ascii_string_to_unsigned(g_strstrip(text), 10, 0, G_MAXUINT64, &commit, NULL);
  g_free(text);
  g_free(commit_path);

  gboolean ok = TRUE;
  guint64 next_seq = 0;
  for (guint i = 0; ok && i < names->len; i++) {
    guint64 first;
    const char *name = names->pdata[i];
    char *digits = g_strndup(name, strlen(name) - strlen(SEGMENT_SUFFIX));
    gboolean numbered = g_ascii_string_to_unsigned(digits, 10, 0, G_MAXUINT64, &first, NULL);
    g_free(digits);
    if (!numbered)
      continue;
    if (log->segments.length > 0 && first != next_seq) {
      GST_WARNING("spool %s: %s does not follow the segment before it: ignored", log->dir, name);
      continue;
    }
    Segment *s = segment_open(log, first, error);
    ok = s != NULL;
    if (ok) {
      g_queue_push_tail(&log->segments, s);
      next_seq = scan_segment(s);
    }
  }
  g_ptr_array_unref(names);
  if (!ok)
    return FALSE;
  if (log->segments.length == 0) {
    log->commit_seq = log->cursor_seq = log->tail_seq = have_commit ? commit : 0;
    return TRUE;
  }
  /* Walk to the commit point, counting the bytes after it. */
  guint64 first = seg(log->segments.head)->first_seq;
  if (!have_commit || commit < first)
    commit = first;
  commit = MIN(commit, next_seq);
  Pos p = { log->segments.head, 0 };
  guint64 seq = first;
  while (seq < next_seq) {
    normalize(&p);
    guint8 head[HEADER_BYTES];
    Header h;
    if (!read_all(seg(p.segment)->fd, head, sizeof head, p.offset) || !parse_header(head, &h))
      break;
    guint32 size = record_size(h.key_len, h.payload_len);
    if (seq == commit)
      log->commit = p;
    if (seq >= commit)
      log->bytes += size;
    p.offset += size;
    seq++;
  }
  if (commit == next_seq)
    log->commit = p;
  log->cursor = log->commit;
  log->commit_seq = log->cursor_seq = commit;
  log->tail_seq = next_seq;
  release_segments(log);
  if (log->tail_seq > log->commit_seq)
    GST_INFO("spool %s: %" G_GUINT64_FORMAT " messages from an earlier run to send", log->dir,
             log->tail_seq - log->commit_seq);
  return TRUE;
}

VfMsgLog *vf_msg_log_new_spool(const char *dir, guint64 max_bytes, guint cache, GError **error)
{
  VfMsgLog *log = vf_msg_log_new_memory(cache);
  log->disk = TRUE;
  log->max_bytes = max_bytes;
  log->segment_bytes = CLAMP(max_bytes / SEGMENTS_PER_SPOOL, MIN_SEGMENT_BYTES, MAX_SEGMENT_BYTES);
  GError *err = NULL;
  if (dir && *dir) {
    log->persistent = TRUE;
    log->dir = g_strdup(dir);
    if (g_mkdir_with_parents(dir, 0700) != 0)
      g_set_error(&err, G_FILE_ERROR, g_file_error_from_errno(errno),
                  "cannot create spool folder %s: %s", dir, g_strerror(errno));
  } else {
    log->dir = g_dir_make_tmp("vfmsgbroker-XXXXXX", &err);
  }
  if (err == NULL)
    load_spool(log, &err);
  if (err) {
    g_propagate_error(error, err);
    log->persistent = TRUE; /* keep whatever is there */
    vf_msg_log_free(log);
    return NULL;
  }
  return log;
}

void vf_msg_log_free(VfMsgLog *log)
{
  if (log == NULL)
    return;
  g_queue_clear_full(&log->sent, (GDestroyNotify)sent_free);
  g_queue_clear_full(&log->unsent, (GDestroyNotify)vf_msg_unref);
  if (log->disk) {
    gboolean keep = log->persistent && log->commit_seq < log->tail_seq;
    GError *err = NULL;
    if (keep && !vf_msg_log_sync(log, &err)) {
      GST_WARNING("spool %s: %s", log->dir, err->message);
      g_error_free(err);
    }
    if (log->persistent && log->dir) {
      char *commit_path = g_build_filename(log->dir, COMMIT_FILE, NULL);
      char text[24];
      g_snprintf(text, sizeof text, "%" G_GUINT64_FORMAT "\n", log->commit_seq);
      if (!g_file_set_contents(commit_path, text, -1, NULL))
        GST_WARNING("spool %s: cannot write its commit point", log->dir);
      g_free(commit_path);
    }
    Segment *s;
    while ((s = g_queue_pop_head(&log->segments)))
      segment_free(s, !keep);
    char *lock_path = g_build_filename(log->dir ? log->dir : ".", LOCK_FILE, NULL);
    if (!log->persistent && log->dir) {
      char *commit_path = g_build_filename(log->dir, COMMIT_FILE, NULL);
      g_unlink(commit_path);
      g_free(commit_path);
      g_unlink(lock_path);
      g_rmdir(log->dir);
    }
    g_free(lock_path);
    if (log->lock_fd >= 0)
      close(log->lock_fd); /* releases the lock */
  }
  g_free(log->dir);
  g_free(log);
}

const char *vf_msg_log_get_dir(VfMsgLog *log)
{
  return log->disk ? log->dir : NULL;
}

gboolean vf_msg_log_is_persistent(VfMsgLog *log)
{
  return log->disk && log->persistent;
}

gboolean vf_msg_log_is_full(VfMsgLog *log)
{
  return !log->disk && log->tail_seq - log->commit_seq >= log->capacity;
}

/* ---- appending, dropping ---- */

/* A done message leaves the log. */
static void count_done(VfMsgLog *log, const Sent *s)
{
  if (s->acknowledged)
    log->acknowledged++;
  else
    log->refused++;
}

/* Moves the commit point past its message (a spool at its size limit). */
static void drop_oldest(VfMsgLog *log)
{
  Sent *s = g_queue_pop_head(&log->sent);
  if (s) {
    log->bytes -= s->size;
    log->commit_seq = s->seq + 1;
    Sent *next = g_queue_peek_head(&log->sent);
    log->commit = next ? next->pos : log->cursor;
    if (s->done)
      count_done(log, s);
    else
      log->dropped++;
    sent_free(s);
  } else {
    /* unsent: from memory when it is there, else read its size from disk */
    VfMsg *m = g_queue_peek_head(&log->unsent);
    guint32 size = 0;
    if (m && m->seq == log->cursor_seq) {
      size = msg_record_size(m);
      vf_msg_unref(g_queue_pop_head(&log->unsent));
    } else {
      normalize(&log->cursor);
      guint8 head[HEADER_BYTES];
      Header h;
      if (segment_read(seg(log->cursor.segment), head, sizeof head, log->cursor.offset)
          && parse_header(head, &h))
        size = record_size(h.key_len, h.payload_len);
      else /* unreadable: drop the rest of its segment */
        size = (guint32)(seg(log->cursor.segment)->end - log->cursor.offset);
    }
    log->cursor.offset += size;
    log->bytes -= MIN(size, log->bytes);
    log->cursor_seq++;
    log->commit_seq = log->cursor_seq;
    log->commit = log->cursor;
    log->dropped++;
  }
  release_segments(log);
}

gboolean vf_msg_log_append(VfMsgLog *log, VfMsg *msg, GError **error)
{
  if (!log->disk) {
    msg->seq = log->tail_seq++;
    g_queue_push_tail(&log->unsent, vf_msg_ref(msg));
    return TRUE;
  }
  gsize key_len = msg->key ? strlen(msg->key) : 0;
  gsize payload_len = g_bytes_get_size(msg->payload);
  guint32 size = record_size(key_len, payload_len);
  if (size > log->max_bytes || key_len > G_MAXUINT16) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOSPC,
                "a message of %u bytes does not fit in the spool of %" G_GUINT64_FORMAT
                " bytes (raise spool-size)",
                size, log->max_bytes);
    return FALSE;
  }
  while (log->bytes + size > log->max_bytes && log->commit_seq < log->tail_seq)
    drop_oldest(log);
  Segment *tail = log->segments.tail ? seg(log->segments.tail) : NULL;
  if (tail == NULL || tail->end >= log->segment_bytes) {
    tail = segment_open(log, log->tail_seq, error);
    if (tail == NULL)
      return FALSE;
    g_queue_push_tail(&log->segments, tail);
    if (log->cursor.segment == NULL)
      log->cursor = (Pos){ log->segments.tail, 0 };
    if (log->commit.segment == NULL)
      log->commit = (Pos){ log->segments.tail, 0 };
  }
  guint32 magic = RECORD_MAGIC, plen = (guint32)payload_len;
  guint64 seq = log->tail_seq;
  guint16 klen = (guint16)key_len, zero = 0;
  GByteArray *out = tail->unwritten;
  g_byte_array_append(out, (const guint8 *)&magic, 4);
  g_byte_array_append(out, (const guint8 *)&plen, 4);
  g_byte_array_append(out, (const guint8 *)&seq, 8);
  g_byte_array_append(out, (const guint8 *)&klen, 2);
  g_byte_array_append(out, (const guint8 *)&zero, 2);
  g_byte_array_append(out, (const guint8 *)msg->key, (guint)key_len);
  g_byte_array_append(out, g_bytes_get_data(msg->payload, NULL), (guint)payload_len);
  tail->end += size;
  log->bytes += size;
  GError *err = NULL;
  if (out->len >= WRITE_BUFFER_BYTES && !segment_sync(tail, &err)) {
    /* the records stay in memory; vf_msg_log_sync says why */
    GST_DEBUG("%s", err->message);
    g_error_free(err);
  }
  msg->seq = log->tail_seq++;
  g_queue_push_tail(&log->unsent, vf_msg_ref(msg));
  if (log->unsent.length > log->capacity) {
    vf_msg_unref(g_queue_pop_head(&log->unsent)); /* it stays on disk */
    log->overflowed++;
  }
  return TRUE;
}

/* ---- sending ---- */

VfMsg *vf_msg_log_next(VfMsgLog *log, guint64 *skipped, GError **error)
{
  if (log->cursor_seq >= log->tail_seq)
    return NULL;
  Sent *s = g_new0(Sent, 1);
  s->seq = log->cursor_seq;
  VfMsg *m = NULL;
  if (!log->disk) {
    m = g_queue_pop_head(&log->unsent);
    s->msg = vf_msg_ref(m);
  } else {
    normalize(&log->cursor);
    s->pos = log->cursor;
    VfMsg *cached = g_queue_peek_head(&log->unsent);
    if (cached && cached->seq == log->cursor_seq) {
      m = g_queue_pop_head(&log->unsent);
      s->size = msg_record_size(m);
    } else {
      m = read_record(&log->cursor, log->cursor_seq, &s->size, error);
      if (m == NULL) {
        /* skip the rest of this segment: its records cannot be trusted */
        Segment *bad = seg(log->cursor.segment);
        guint64 lost = 1;
        GST_WARNING("spool file %s unreadable from byte %" G_GUINT64_FORMAT, bad->path,
                    log->cursor.offset);
        log->bytes -= MIN(bad->end - log->cursor.offset, log->bytes);
        guint64 next_first
            = log->cursor.segment->next ? seg(log->cursor.segment->next)->first_seq : log->tail_seq;
        lost = next_first - log->cursor_seq;
        log->cursor.offset = bad->end;
        log->cursor_seq = next_first;
        if (log->sent.length == 0) {
          log->commit_seq = log->cursor_seq;
          log->commit = log->cursor;
          release_segments(log);
        }
        *skipped += lost;
        g_free(s);
        return NULL;
      }
    }
    log->cursor.offset += s->size;
  }
  log->cursor_seq++;
  g_queue_push_tail(&log->sent, s);
  return m;
}

void vf_msg_log_done(VfMsgLog *log, guint64 seq, gboolean acknowledged)
{
  if (seq < log->commit_seq || seq >= log->cursor_seq)
    return;
  for (GList *l = log->sent.head; l; l = l->next) {
    Sent *s = l->data;
    if (s->seq == seq) {
      s->done = TRUE;
      s->acknowledged = acknowledged;
      break;
    }
  }
  gboolean moved = FALSE;
  Sent *s;
  while ((s = g_queue_peek_head(&log->sent)) && s->done) {
    g_queue_pop_head(&log->sent);
    log->bytes -= MIN(s->size, log->bytes);
    log->commit_seq = s->seq + 1;
    count_done(log, s);
    sent_free(s);
    moved = TRUE;
  }
  if (moved && log->disk) {
    Sent *next = g_queue_peek_head(&log->sent);
    log->commit = next ? next->pos : log->cursor;
    release_segments(log);
  }
}

void vf_msg_log_rewind(VfMsgLog *log)
{
  Sent *s;
  while ((s = g_queue_pop_tail(&log->sent))) {
    if (!log->disk)
      g_queue_push_head(&log->unsent, vf_msg_ref(s->msg));
    sent_free(s);
  }
  log->cursor_seq = log->commit_seq;
  log->cursor = log->commit;
}

guint64 vf_msg_log_pending(VfMsgLog *log)
{
  return log->tail_seq - log->commit_seq;
}

guint64 vf_msg_log_unsent(VfMsgLog *log)
{
  return log->tail_seq - log->cursor_seq;
}

guint64 vf_msg_log_in_memory(VfMsgLog *log)
{
  return log->unsent.length;
}

guint64 vf_msg_log_overflowed(VfMsgLog *log)
{
  return log->overflowed;
}

void vf_msg_log_get_counts(VfMsgLog *log, guint64 *acknowledged, guint64 *refused, guint64 *dropped)
{
  *acknowledged = log->acknowledged;
  *refused = log->refused;
  *dropped = log->dropped;
}
