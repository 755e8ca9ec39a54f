/* vidflow: the consumer end of the IPC transport (ipc.h): connects to a producer's socket, maps
 * the memories it is sent (read-only, once per memory: the fd is closed after mmap) and turns
 * each buffer message into a GstBuffer over those pages whose release sends a release message.
 *
 * The socket is shared with the buffers' release notifications (any thread, any time, also after
 * the consumer is freed) through a reference-counted Link; `Link.lock` guards its socket. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "error-private.h"
#include "ipc-private.h"

GST_DEBUG_CATEGORY_STATIC(vf_ipc_consumer_debug);
#define GST_CAT_DEFAULT vf_ipc_consumer_debug

/* between two connection attempts while the producer is not there */
#define RETRY_INTERVAL_MS 20

typedef struct {
  gint refcount;
  GMutex lock;
  int sock; /* -1 once closed */
} Link;

typedef struct {
  gint refcount;
  guint8 *data;
  gsize size;
} Mapping;

/* One received buffer: its memories share it; the last one gone releases the buffer. */
typedef struct {
  gint refcount;
  Link *link;
  guint64 seq;
} Token;

typedef struct {
  Token *token;
  Mapping *mapping;
} Piece;

struct _VfIpcConsumer {
  char *path;
  VfIpcConsumerOptions opt;
  int wake_fd;
  gint cancelled; /* atomic */
  Link *link;     /* NULL while not connected */
  gboolean eos;
  GHashTable *mappings; /* memory id -> Mapping */
  GHashTable *sticky;   /* ipc-meta.c's cache */
  guint64 last_seq;
  GByteArray *message;
  VfIpcConsumerStats stats;
  GMutex stats_lock;
};

static void ensure_debug(void)
{
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(vf_ipc_consumer_debug, "vfipcconsumer", 0, "vidflow IPC consumer");
    g_once_init_leave(&once, 1);
  }
}

static Link *link_ref(Link *l)
{
  g_atomic_int_inc(&l->refcount);
  return l;
}

static void link_close(Link *l)
{
  g_mutex_lock(&l->lock);
  if (l->sock >= 0)
    close(l->sock);
  l->sock = -1;
  g_mutex_unlock(&l->lock);
}

static void link_unref(Link *l)
{
  if (!g_atomic_int_dec_and_test(&l->refcount))
    return;
  link_close(l);
  g_mutex_clear(&l->lock);
  g_free(l);
}

static void mapping_unref(gpointer data)
{
  Mapping *m = data;
  if (!g_atomic_int_dec_and_test(&m->refcount))
    return;
  munmap(m->data, m->size);
  g_free(m);
}

static void token_unref(Token *t)
{
  if (!g_atomic_int_dec_and_test(&t->refcount))
    return;
  GByteArray *msg = g_byte_array_new();
  vf_ipc_put_u64(msg, t->seq);
  g_mutex_lock(&t->link->lock);
  if (t->link->sock >= 0)
    vf_ipc_send(t->link->sock, VF_IPC_MSG_RELEASE, msg, NULL, 0, "producer", NULL);
  g_mutex_unlock(&t->link->lock);
  g_byte_array_unref(msg);
  link_unref(t->link);
  g_free(t);
}

static void piece_free(gpointer data)
{
  Piece *p = data;
  mapping_unref(p->mapping);
  token_unref(p->token);
  g_free(p);
}

VfIpcConsumer *vf_ipc_consumer_new(const char *socket, const VfIpcConsumerOptions *options,
                                   GError **error)
{
  ensure_debug();
  char *path = vf_ipc_socket_path(socket, error);
  if (path == NULL)
    return NULL;
  VfIpcConsumer *c = g_new0(VfIpcConsumer, 1);
  c->path = path;
  if (options)
    c->opt = *options;
  c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  c->mappings = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, mapping_unref);
  c->sticky
      = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  c->message = g_byte_array_new();
  g_mutex_init(&c->stats_lock);
  return c;
}

static void disconnect(VfIpcConsumer *c)
{
  if (c->link) {
    link_close(c->link);
    link_unref(c->link);
    c->link = NULL;
  }
  g_hash_table_remove_all(c->mappings);
}

void vf_ipc_consumer_free(VfIpcConsumer *c)
{
  if (c == NULL)
    return;
  disconnect(c);
  close(c->wake_fd);
  g_hash_table_unref(c->mappings);
  g_hash_table_unref(c->sticky);
  g_byte_array_unref(c->message);
  g_mutex_clear(&c->stats_lock);
  g_free(c->path);
  g_free(c);
}

void vf_ipc_consumer_cancel(VfIpcConsumer *c)
{
  if (c == NULL)
    return;
  g_atomic_int_set(&c->cancelled, 1);
  guint64 one = 1;
  if (write(c->wake_fd, &one, sizeof one) < 0)
    GST_DEBUG("wake: %s", g_strerror(errno));
}

void vf_ipc_consumer_uncancel(VfIpcConsumer *c)
{
  if (c == NULL)
    return;
  g_atomic_int_set(&c->cancelled, 0);
  guint64 v;
  if (read(c->wake_fd, &v, sizeof v) < 0)
    GST_DEBUG("wake drained already");
}

void vf_ipc_consumer_get_stats(VfIpcConsumer *c, VfIpcConsumerStats *stats)
{
  if (c == NULL || stats == NULL)
    return;
  g_mutex_lock(&c->stats_lock);
  *stats = c->stats;
  g_mutex_unlock(&c->stats_lock);
}

/* Wait until `sock` is readable (1), cancelled (0) or timeout_ms passed (-1: never) (2). */
static gint wait_readable(VfIpcConsumer *c, int sock, int timeout_ms)
{
  struct pollfd fds[2] = { { c->wake_fd, POLLIN, 0 }, { sock, POLLIN, 0 } };
  for (;;) {
    if (g_atomic_int_get(&c->cancelled))
      return 0;
    int n = poll(fds, sock >= 0 ? 2 : 1, timeout_ms);
    if (n < 0 && errno == EINTR)
      continue;
    if (g_atomic_int_get(&c->cancelled))
      return 0;
    if (n == 0)
      return 2;
    return 1;
  }
}

/* Connect and exchange hellos. VF_IPC_ITEM_BUFFER stands for "connected". */
static VfIpcItem connect_producer(VfIpcConsumer *c, gint64 timeout_us, GError **error)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  g_strlcpy(sa.sun_path, c->path, sizeof sa.sun_path);
  gint64 until = timeout_us < 0 ? G_MAXINT64 : g_get_monotonic_time() + timeout_us;
  int s = -1;
  for (;;) {
    s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (s >= 0 && connect(s, (struct sockaddr *)&sa, sizeof sa) == 0)
      break;
    int e = errno;
    if (s >= 0)
      close(s);
    s = -1;
    if (g_get_monotonic_time() >= until) {
      g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                  "ipc consumer: no producer at %s (%s): start the producer (vfipcsink), or let "
                  "the consumer wait for it (connect-timeout)",
                  c->path, g_strerror(e));
      return VF_IPC_ITEM_ERROR;
    }
    /* the producer is not there yet: wait a little (cancellable), then try again */
    if (wait_readable(c, -1, RETRY_INTERVAL_MS) == 0)
      return VF_IPC_ITEM_CANCELLED;
  }
  GByteArray *hello = g_byte_array_new();
  vf_ipc_put_u32(hello, (guint32)getpid());
  gboolean sent = vf_ipc_send(s, VF_IPC_MSG_HELLO, hello, NULL, 0, c->path, error);
  g_byte_array_unref(hello);
  if (!sent) {
    close(s);
    return VF_IPC_ITEM_ERROR;
  }
  Link *l = g_new0(Link, 1);
  l->refcount = 1;
  g_mutex_init(&l->lock);
  l->sock = s;
  c->link = l;
  return VF_IPC_ITEM_BUFFER;
}

static GstBuffer *wrap(VfIpcConsumer *c, Token *t, guint64 id, guint64 offset, guint64 size)
{
  Mapping *m = g_hash_table_lookup(c->mappings, &id);
  if (m == NULL || offset > m->size || size > m->size - offset)
    return NULL;
  Piece *p = g_new(Piece, 1);
  g_atomic_int_inc(&m->refcount);
  g_atomic_int_inc(&t->refcount);
  *p = (Piece){ t, m };
  GstMemory *mem = gst_memory_new_wrapped(GST_MEMORY_FLAG_READONLY, m->data, m->size, offset, size,
                                          p, piece_free);
  GstBuffer *b = gst_buffer_new();
  gst_buffer_append_memory(b, mem);
  return b;
}

static gboolean malformed(GError **error, const char *path, const char *what)
{
  g_set_error(error, VF_ERROR, VF_ERROR_FORMAT, "ipc consumer %s: malformed %s from the producer",
              path, what);
  return FALSE;
}

static gboolean read_buffer(VfIpcConsumer *c, VfIpcReader *r, int *fds, guint n_fds,
                            GstBuffer **out, GError **error)
{
  guint64 seq = vf_ipc_get_u64(r);
  vf_ipc_get_u64(r); /* the producer's drop count for us: the sequence gaps say the same */
  guint32 n_slots = vf_ipc_get_u32(r);
  if (r->bad || n_slots > VF_IPC_MAX_SLOTS) {
    for (guint i = 0; i < n_fds; i++)
      close(fds[i]);
    return malformed(error, c->path, "buffer");
  }
  Token *t = g_new0(Token, 1);
  t->refcount = 1;
  t->link = link_ref(c->link);
  t->seq = seq;
  GstBuffer *slots[VF_IPC_MAX_SLOTS] = { NULL };
  guint next_fd = 0;
  gboolean ok = TRUE;
  for (guint32 i = 0; i < n_slots; i++) {
    guint64 id = vf_ipc_get_u64(r), maxsize = vf_ipc_get_u64(r), offset = vf_ipc_get_u64(r),
            size = vf_ipc_get_u64(r);
    gboolean has_fd = vf_ipc_get_u8(r);
    if (r->bad) {
      ok = FALSE;
      break;
    }
    if (has_fd && next_fd < n_fds) {
      int fd = fds[next_fd++];
      void *data = mmap(NULL, maxsize, PROT_READ, MAP_SHARED, fd, 0);
      close(fd);
      if (data == MAP_FAILED) {
        g_set_error(error, VF_ERROR, VF_ERROR_FAILED,
                    "ipc consumer %s: cannot map a shared frame of %" G_GUINT64_FORMAT " bytes: %s",
                    c->path, maxsize, g_strerror(errno));
        ok = FALSE;
        break;
      }
      Mapping *m = g_new(Mapping, 1);
      *m = (Mapping){ 1, data, maxsize };
      guint64 *key = g_new(guint64, 1);
      *key = id;
      g_hash_table_replace(c->mappings, key, m);
    }
    slots[i] = wrap(c, t, id, offset, size);
    if (slots[i] == NULL) {
      ok = malformed(error, c->path, "frame reference (unknown shared memory)");
      break;
    }
  }
  /* the common part: in the message, or (large metadata) in a memfd of its own */
  void *common = MAP_FAILED;
  gsize common_size = 0;
  VfIpcReader shared;
  if (ok && vf_ipc_get_u8(r)) {
    common_size = vf_ipc_get_u64(r);
    struct stat st;
    if (r->bad || next_fd >= n_fds || common_size == 0 || fstat(fds[next_fd], &st) < 0
        || (guint64)st.st_size < common_size) {
      ok = malformed(error, c->path, "buffer (shared metadata)");
    } else {
      common = mmap(NULL, common_size, PROT_READ, MAP_SHARED, fds[next_fd], 0);
      if (common == MAP_FAILED) {
        g_set_error(error, VF_ERROR, VF_ERROR_FAILED,
                    "ipc consumer %s: cannot map %" G_GSIZE_FORMAT " bytes of metadata: %s",
                    c->path, common_size, g_strerror(errno));
        ok = FALSE;
      } else {
        shared = (VfIpcReader){ common, common_size, FALSE };
        r = &shared;
      }
    }
  }
  for (; next_fd < n_fds; next_fd++)
    close(fds[next_fd]);
  GstBuffer *b = NULL;
  if (ok) {
    GstClockTime pts = vf_ipc_get_u64(r), dts = vf_ipc_get_u64(r), dur = vf_ipc_get_u64(r);
    guint64 off = vf_ipc_get_u64(r), off_end = vf_ipc_get_u64(r);
    guint32 flags = vf_ipc_get_u32(r);
    gint own = vf_ipc_get_i32(r);
    if (r->bad || own < -1 || own >= (gint)n_slots)
      ok = malformed(error, c->path, "buffer");
    if (ok) {
      b = own >= 0 ? gst_buffer_copy(slots[own]) : gst_buffer_new();
      GST_BUFFER_PTS(b) = pts;
      GST_BUFFER_DTS(b) = dts;
      GST_BUFFER_DURATION(b) = dur;
      GST_BUFFER_OFFSET(b) = off;
      GST_BUFFER_OFFSET_END(b) = off_end;
      GST_BUFFER_FLAGS(b) = flags
                            & ~(GST_MINI_OBJECT_FLAG_LOCKABLE | GST_MINI_OBJECT_FLAG_LOCK_READONLY
                                | GST_MINI_OBJECT_FLAG_MAY_BE_LEAKED);
      if (vf_ipc_get_u8(r)) {
        GstVideoInfo info;
        if (!vf_ipc_get_video_info(r, &info))
          ok = malformed(error, c->path, "video meta");
        else
          gst_buffer_add_video_meta_full(b, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_INFO_FORMAT(&info),
                                         GST_VIDEO_INFO_WIDTH(&info), GST_VIDEO_INFO_HEIGHT(&info),
                                         GST_VIDEO_INFO_N_PLANES(&info), info.offset, info.stride);
      }
    }
    guint64 unsent = 0;
    if (ok)
      ok = vf_ipc_meta_read(r, b, slots, n_slots, c->sticky, &unsent, error);
    g_mutex_lock(&c->stats_lock);
    c->stats.meta_unsent += unsent;
    c->stats.received++;
    if (c->last_seq && seq > c->last_seq + 1)
      c->stats.dropped += seq - c->last_seq - 1;
    g_mutex_unlock(&c->stats_lock);
    c->last_seq = seq;
  }
  if (common != MAP_FAILED)
    munmap(common, common_size);
  for (guint i = 0; i < n_slots; i++)
    if (slots[i])
      gst_buffer_unref(slots[i]);
  token_unref(t);
  if (!ok) {
    if (b)
      gst_buffer_unref(b);
    return FALSE;
  }
  *out = b;
  return TRUE;
}

static VfIpcItem lost(VfIpcConsumer *c, const char *why, GError **error)
{
  disconnect(c);
  if (c->opt.wait_for_producer)
    return VF_IPC_ITEM_SEGMENT; /* stands for "reconnect" */
  g_set_error(error, VF_ERROR, VF_ERROR_STREAM,
              "ipc consumer: the producer at %s went away (%s) before end of stream: restart it, "
              "or set wait-for-producer to wait for it",
              c->path, why);
  return VF_IPC_ITEM_ERROR;
}

VfIpcItem vf_ipc_consumer_pull(VfIpcConsumer *c, GstBuffer **buffer, GstEvent **event,
                               GError **error)
{
  return vf_ipc_consumer_pull_timed(c, -1, buffer, event, error);
}

/* Milliseconds from now until `until` (G_MAXINT64: -1, no limit), rounded up. */
static int ms_until(gint64 until)
{
  if (until == G_MAXINT64)
    return -1;
  gint64 left = until - g_get_monotonic_time();
  return left <= 0 ? 0 : (int)MIN((left + 999) / 1000, G_MAXINT);
}

VfIpcItem vf_ipc_consumer_pull_timed(VfIpcConsumer *c, gint64 timeout_us, GstBuffer **buffer,
                                     GstEvent **event, GError **error)
{
  if (vf_arg_is_null(c, "consumer", G_STRFUNC, error)
      || vf_arg_is_null(buffer, "buffer", G_STRFUNC, error)
      || vf_arg_is_null(event, "event", G_STRFUNC, error))
    return VF_IPC_ITEM_ERROR;
  *buffer = NULL;
  *event = NULL;
  gint64 until = timeout_us < 0 ? G_MAXINT64 : g_get_monotonic_time() + timeout_us;
  for (;;) {
    if (g_atomic_int_get(&c->cancelled))
      return VF_IPC_ITEM_CANCELLED;
    if (c->eos)
      return VF_IPC_ITEM_EOS;
    if (c->link == NULL) {
      gboolean again = c->stats.received > 0 || c->last_seq > 0;
      VfIpcItem r = connect_producer(c, again ? -1 : c->opt.connect_timeout_us, error);
      if (r != VF_IPC_ITEM_BUFFER)
        return r;
      if (again) {
        g_mutex_lock(&c->stats_lock);
        c->stats.reconnects++;
        g_mutex_unlock(&c->stats_lock);
        c->last_seq = 0; /* a new producer counts from 1 */
      }
    }
    int sock = c->link->sock;
    gint ready = wait_readable(c, sock, ms_until(until));
    if (ready == 0)
      return VF_IPC_ITEM_CANCELLED;
    if (ready == 2)
      return VF_IPC_ITEM_TIMEOUT;
    VfIpcHeader h;
    int fds[VF_IPC_MAX_FDS];
    guint n_fds = 0;
    GError *err = NULL;
    gint r = vf_ipc_recv(sock, c->message, &h, fds, &n_fds, c->path, &err);
    if (r != 0) {
      VfIpcItem item = r > 0 ? lost(c, "connection closed", error)
                             : (disconnect(c), g_propagate_error(error, err), VF_IPC_ITEM_ERROR);
      if (item == VF_IPC_ITEM_SEGMENT)
        continue;
      return item;
    }
    VfIpcReader rd = { c->message->data, c->message->len, FALSE };
    if (h.type != VF_IPC_MSG_BUFFER)
      for (guint i = 0; i < n_fds; i++)
        close(fds[i]);
    switch (h.type) {
    case VF_IPC_MSG_HELLO:
      continue;
    case VF_IPC_MSG_ERROR: {
      char *text = vf_ipc_get_str(&rd);
      g_set_error(error, VF_ERROR, VF_ERROR_STREAM, "ipc consumer %s: the producer refused: %s",
                  c->path, text ? text : "(no reason)");
      g_free(text);
      disconnect(c);
      return VF_IPC_ITEM_ERROR;
    }
    case VF_IPC_MSG_STREAM_START:
    case VF_IPC_MSG_CAPS:
    case VF_IPC_MSG_SEGMENT: {
      char *text = vf_ipc_get_str(&rd);
      guint32 type = h.type == VF_IPC_MSG_CAPS      ? GST_EVENT_CAPS
                     : h.type == VF_IPC_MSG_SEGMENT ? GST_EVENT_SEGMENT
                                                    : GST_EVENT_STREAM_START;
      *event = vf_ipc_event_new(type, text);
      g_free(text);
      if (*event == NULL) {
        malformed(error, c->path, "stream event");
        return VF_IPC_ITEM_ERROR;
      }
      return h.type == VF_IPC_MSG_CAPS      ? VF_IPC_ITEM_CAPS
             : h.type == VF_IPC_MSG_SEGMENT ? VF_IPC_ITEM_SEGMENT
                                            : VF_IPC_ITEM_STREAM_START;
    }
    case VF_IPC_MSG_EOS:
      c->eos = TRUE;
      return VF_IPC_ITEM_EOS;
    case VF_IPC_MSG_FORGET: {
      guint64 id = vf_ipc_get_u64(&rd);
      g_hash_table_remove(c->mappings, &id);
      continue;
    }
    case VF_IPC_MSG_BUFFER:
      if (!read_buffer(c, &rd, fds, n_fds, buffer, error))
        return VF_IPC_ITEM_ERROR;
      return VF_IPC_ITEM_BUFFER;
    default:
      continue; /* a message this version does not know: skip it */
    }
  }
}
