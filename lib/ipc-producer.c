/* vidflow: the producer end of the IPC transport (ipc.h): a listening unix socket, one I/O
 * thread that accepts consumers and reads their release messages, pushes from the caller's
 * thread.
 *
 * A BUFFER message: u64 seq; u64 dropped for this consumer so far; u32 n_slots, each (u64 memory
 * id, u64 maxsize, u64 offset, u64 size, u8 its fd is attached); u8 where the common part is (0:
 * it follows; 1: u64 its size, in a memfd attached after the slots' fds, for metadata larger than
 * VF_IPC_INLINE_MAX); the part common to every consumer: u64 pts, dts, duration, offset,
 * offset_end; u32 flags; i32 the buffer's own slot (-1: no pixels); u8 has a video meta (+ video
 * info); the metadata (ipc-meta.c).
 *
 * Connections: the I/O thread accepts without waiting and keeps each new connection as a greeter
 * until its hello arrives (or hello_timeout_ms passes): a silent client never delays the others.
 * Greeters are the I/O thread's alone (not locked).
 *
 * One lock (`lock`) guards everything below it in the struct; buffers are released (to their
 * pools, possibly calling upstream code) only after it is dropped. */
#include <errno.h>
#include <gst/allocators/allocators.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "error-private.h"
#include "ipc-private.h"

GST_DEBUG_CATEGORY_STATIC(vf_ipc_producer_debug);
#define GST_CAT_DEFAULT vf_ipc_producer_debug

#define DEFAULT_MAX_IN_FLIGHT 4
/* the copy pool keeps at most this many spare memories */
#define MAX_SPARE 16
/* a consumer must say hello within this time (unless the options say otherwise) */
#define DEFAULT_HELLO_TIMEOUT_MS 2000

typedef struct {
  guint64 id;
  int fd;
  guint64 maxsize, offset, size;
} Slot;

/* One buffer as sent: shared by the consumers that hold it. */
typedef struct {
  gint refcount; /* under the producer's lock */
  guint64 seq;
  GByteArray *common;
  GArray *slots;         /* Slot */
  GPtrArray *hold;       /* GstBuffer refs kept until every consumer released */
  GPtrArray *spares;     /* GstMemory of the copy pool, back to it afterwards */
  GstMemory *common_shm; /* `common` in shared memory when it is too large to send inline */
} Outgoing;

typedef struct {
  int sock;
  guint number;
  guint32 pid;
  char name[64];
  gboolean dead;
  GHashTable *sent_ids;  /* memory ids whose fd this consumer has */
  GHashTable *in_flight; /* seq -> Outgoing */
  GQueue pending;        /* Outgoing, not sent yet (drop-oldest) */
  guint64 dropped;
  gboolean eos_sent; /* end of stream told (after the pending buffers) */
} Consumer;

/* A connection whose hello has not arrived yet. */
typedef struct {
  int sock;
  guint number;
  gint64 deadline; /* monotonic; refused then */
} Greeter;

struct _VfIpcProducer {
  char *path;
  int listen_fd;
  int wake_fd;
  GThread *thread;
  VfIpcProducerOptions opt;

  GMutex lock;
  GCond cond;
  GPtrArray *consumers; /* Consumer */
  guint next_number;
  GPtrArray *sticky; /* GByteArray: u32 type + str, in order stream-start, caps, segment */
  gboolean eos, cancelled, stopping, failed, started;
  GError *fail_error;
  guint64 seq;
  VfIpcStats stats;
  GQueue spares; /* GstMemory of spare_size */
  gsize spare_size;
  guint64 deaths_seen;
  GHashTable *reported; /* user meta types reported; the pushing thread's, not locked */
  GPtrArray *garbage;   /* Outgoing to free once the lock is dropped */
};

static void ensure_debug(void)
{
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(vf_ipc_producer_debug, "vfipcproducer", 0, "vidflow IPC producer");
    g_once_init_leave(&once, 1);
  }
}

char *vf_ipc_socket_path(const char *name, GError **error)
{
  char *path;
  if (name == NULL || *name == '\0')
    name = VF_IPC_DEFAULT_NAME;
  if (strchr(name, '/'))
    path = g_strdup(name);
  else
    path = g_build_filename(g_get_user_runtime_dir(), name, NULL);
  struct sockaddr_un sa;
  if (strlen(path) >= sizeof sa.sun_path) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "ipc: socket path \"%s\" is longer than a unix socket allows (%zu bytes): use a "
                "shorter name or directory",
                path, sizeof sa.sun_path - 1);
    g_free(path);
    return NULL;
  }
  return path;
}

/* ---- outgoing buffers ---- */

static void outgoing_unref(VfIpcProducer *p, Outgoing *o)
{
  if (--o->refcount == 0)
    g_ptr_array_add(p->garbage, o);
}

/* Lock not held. */
static void outgoing_free(VfIpcProducer *p, Outgoing *o)
{
  g_ptr_array_unref(o->hold);
  g_mutex_lock(&p->lock);
  for (guint i = 0; i < o->spares->len; i++) {
    GstMemory *m = g_ptr_array_index(o->spares, i);
    if (m->maxsize == p->spare_size && p->spares.length < MAX_SPARE) {
      g_queue_push_tail(&p->spares, m);
      o->spares->pdata[i] = NULL;
    }
  }
  g_mutex_unlock(&p->lock);
  g_ptr_array_unref(o->spares);
  if (o->common_shm)
    gst_memory_unref(o->common_shm);
  g_array_unref(o->slots);
  g_byte_array_unref(o->common);
  g_free(o);
}

/* Called with the lock held; drops it, frees what the locked section let go, takes it again. */
static void collect_garbage(VfIpcProducer *p)
{
  while (p->garbage->len) {
    GPtrArray *g = p->garbage;
    p->garbage = g_ptr_array_new();
    g_mutex_unlock(&p->lock);
    for (guint i = 0; i < g->len; i++)
      outgoing_free(p, g_ptr_array_index(g, i));
    g_ptr_array_unref(g);
    g_mutex_lock(&p->lock);
  }
}

/* ---- consumers (lock held) ---- */

static void consumer_lost(VfIpcProducer *p, Consumer *c, const char *why)
{
  if (c->dead)
    return;
  c->dead = TRUE;
  GST_INFO("%s: %s went away (%s)", p->path, c->name, why);
  p->stats.consumers_lost++;
  if (p->opt.consumer_lost == VF_IPC_LOST_FAIL && !p->eos && !p->failed && !p->stopping) {
    p->failed = TRUE;
    g_set_error(&p->fail_error, VF_ERROR, VF_ERROR_STREAM,
                "ipc producer %s: %s went away (%s); the producer was told to fail then "
                "(consumer-lost=fail: set it to drop to go on without it)",
                p->path, c->name, why);
  }
  g_cond_broadcast(&p->cond);
}

static void consumer_free(VfIpcProducer *p, Consumer *c)
{
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, c->in_flight);
  while (g_hash_table_iter_next(&it, NULL, &v))
    outgoing_unref(p, v);
  g_hash_table_unref(c->in_flight);
  Outgoing *o;
  while ((o = g_queue_pop_head(&c->pending)))
    outgoing_unref(p, o);
  g_hash_table_unref(c->sent_ids);
  close(c->sock);
  g_free(c);
}

static void reap_dead(VfIpcProducer *p)
{
  for (guint i = p->consumers->len; i-- > 0;) {
    Consumer *c = g_ptr_array_index(p->consumers, i);
    if (!c->dead)
      continue;
    g_ptr_array_remove_index(p->consumers, i);
    consumer_free(p, c);
  }
  p->stats.consumers = p->consumers->len;
}

static gboolean send_to(VfIpcProducer *p, Consumer *c, VfIpcMsgType type, const GByteArray *m,
                        const int *fds, guint n_fds)
{
  if (c->dead)
    return FALSE;
  GError *err = NULL;
  if (!vf_ipc_send(c->sock, type, m, fds, n_fds, c->name, &err)) {
    consumer_lost(p, c, err->message);
    g_error_free(err);
    return FALSE;
  }
  return TRUE;
}

static void send_buffer(VfIpcProducer *p, Consumer *c, Outgoing *o)
{
  GByteArray *m
      = g_byte_array_sized_new((o->common_shm ? 0 : o->common->len) + 64 + o->slots->len * 40);
  int fds[VF_IPC_MAX_FDS];
  guint n_fds = 0;
  vf_ipc_put_u64(m, o->seq);
  vf_ipc_put_u64(m, c->dropped);
  vf_ipc_put_u32(m, o->slots->len);
  for (guint i = 0; i < o->slots->len; i++) {
    Slot *s = &g_array_index(o->slots, Slot, i);
    gboolean has_fd = !g_hash_table_contains(c->sent_ids, &s->id);
    vf_ipc_put_u64(m, s->id);
    vf_ipc_put_u64(m, s->maxsize);
    vf_ipc_put_u64(m, s->offset);
    vf_ipc_put_u64(m, s->size);
    vf_ipc_put_u8(m, has_fd);
    if (has_fd)
      fds[n_fds++] = s->fd;
  }
  vf_ipc_put_u8(m, o->common_shm != NULL);
  if (o->common_shm) {
    vf_ipc_put_u64(m, o->common->len);
    fds[n_fds++] = gst_fd_memory_get_fd(o->common_shm);
  } else {
    g_byte_array_append(m, o->common->data, o->common->len);
  }
  if (send_to(p, c, VF_IPC_MSG_BUFFER, m, fds, n_fds)) {
    for (guint i = 0; i < o->slots->len; i++) {
      Slot *s = &g_array_index(o->slots, Slot, i);
      if (!g_hash_table_contains(c->sent_ids, &s->id)) {
        guint64 *key = g_new(guint64, 1);
        *key = s->id;
        g_hash_table_add(c->sent_ids, key);
      }
    }
    o->refcount++;
    guint64 *seq = g_new(guint64, 1);
    *seq = o->seq;
    g_hash_table_insert(c->in_flight, seq, o);
    p->stats.sent++;
  }
  g_byte_array_unref(m);
}

/* End of stream goes to `c` once the buffers queued for it before the end were sent. */
static void send_eos_when_drained(VfIpcProducer *p, Consumer *c)
{
  if (p->eos && !c->eos_sent && c->pending.length == 0) {
    c->eos_sent = TRUE;
    send_to(p, c, VF_IPC_MSG_EOS, NULL, NULL, 0);
  }
}

static void send_pending(VfIpcProducer *p, Consumer *c)
{
  while (!c->dead && c->pending.length && g_hash_table_size(c->in_flight) < p->opt.max_in_flight) {
    Outgoing *o = g_queue_pop_head(&c->pending);
    send_buffer(p, c, o);
    outgoing_unref(p, o);
  }
  send_eos_when_drained(p, c);
}

/* Tell consumers to unmap memories that died since the last check. */
static void forget_dead_memories(VfIpcProducer *p)
{
  guint64 deaths = vf_ipc_memory_deaths();
  if (deaths == p->deaths_seen)
    return;
  p->deaths_seen = deaths;
  for (guint i = 0; i < p->consumers->len; i++) {
    Consumer *c = g_ptr_array_index(p->consumers, i);
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, c->sent_ids);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
      guint64 id = *(guint64 *)key;
      if (vf_ipc_memory_alive(id))
        continue;
      GByteArray *m = g_byte_array_new();
      vf_ipc_put_u64(m, id);
      send_to(p, c, VF_IPC_MSG_FORGET, m, NULL, 0);
      g_byte_array_unref(m);
      g_hash_table_iter_remove(&it);
    }
  }
}

/* ---- the I/O thread ---- */

/* Take a new connection as a greeter (never waits: the listening socket polled readable). */
static void accept_greeter(VfIpcProducer *p, GPtrArray *greeters)
{
  int s = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
  if (s < 0)
    return;
  Greeter *g = g_new(Greeter, 1);
  *g = (Greeter){ s, p->next_number++,
                  g_get_monotonic_time() + (gint64)p->opt.hello_timeout_ms * 1000 };
  g_ptr_array_add(greeters, g);
}

/* Greeter `g` is readable: its hello (the consumer speaks first, with its wire version) makes it
 * a consumer; anything else refuses it, telling it why. Frees `g`. */
static void greet(VfIpcProducer *p, Greeter *g)
{
  GByteArray *m = g_byte_array_new();
  VfIpcHeader h;
  int fds[VF_IPC_MAX_FDS];
  guint n_fds = 0;
  GError *err = NULL;
  char peer[64];
  g_snprintf(peer, sizeof peer, "consumer %u", g->number);
  gint r = vf_ipc_recv(g->sock, m, &h, fds, &n_fds, peer, &err);
  for (guint i = 0; i < n_fds; i++)
    close(fds[i]);
  int s = g->sock;
  guint number = g->number;
  g_free(g);
  if (r != 0 || h.type != VF_IPC_MSG_HELLO) {
    GST_WARNING("%s: refused a connection: %s", p->path,
                err ? err->message : "it did not start with a hello");
    if (err) {
      /* tell the peer why (its version may differ: the header keeps ours, the text says it) */
      GByteArray *e = g_byte_array_new();
      vf_ipc_put_str(e, err->message);
      vf_ipc_send(s, VF_IPC_MSG_ERROR, e, NULL, 0, peer, NULL);
      g_byte_array_unref(e);
    }
    g_clear_error(&err);
    g_byte_array_unref(m);
    close(s);
    return;
  }
  VfIpcReader rd = { m->data, m->len, FALSE };
  guint32 pid = vf_ipc_get_u32(&rd);
  g_byte_array_unref(m);

  Consumer *c = g_new0(Consumer, 1);
  c->sock = s;
  c->number = number;
  c->pid = pid;
  g_snprintf(c->name, sizeof c->name, "consumer %u (pid %u)", c->number, pid);
  c->sent_ids = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  c->in_flight = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  g_queue_init(&c->pending);

  g_mutex_lock(&p->lock);
  GByteArray *hello = g_byte_array_new();
  vf_ipc_put_u32(hello, (guint32)getpid());
  vf_ipc_put_u32(hello, p->opt.max_in_flight);
  send_to(p, c, VF_IPC_MSG_HELLO, hello, NULL, 0);
  g_byte_array_unref(hello);
  /* the stream so far: a late consumer starts where the others are */
  for (guint i = 0; i < p->sticky->len; i++) {
    GByteArray *ev = g_ptr_array_index(p->sticky, i);
    VfIpcReader er = { ev->data, ev->len, FALSE };
    guint32 type = vf_ipc_get_u32(&er);
    GByteArray *body = g_byte_array_new();
    g_byte_array_append(body, er.p, (guint)er.left);
    send_to(p, c,
            type == GST_EVENT_CAPS      ? VF_IPC_MSG_CAPS
            : type == GST_EVENT_SEGMENT ? VF_IPC_MSG_SEGMENT
                                        : VF_IPC_MSG_STREAM_START,
            body, NULL, 0);
    g_byte_array_unref(body);
  }
  send_eos_when_drained(p, c);
  GST_INFO("%s: %s joined", p->path, c->name);
  g_ptr_array_add(p->consumers, c);
  p->stats.consumers = p->consumers->len;
  g_cond_broadcast(&p->cond);
  g_mutex_unlock(&p->lock);
}

/* Refuse greeters whose time is up; the poll timeout (ms, -1: none) until the next deadline. */
static int expire_greeters(VfIpcProducer *p, GPtrArray *greeters)
{
  gint64 now = g_get_monotonic_time(), next = G_MAXINT64;
  for (guint i = greeters->len; i-- > 0;) {
    Greeter *g = g_ptr_array_index(greeters, i);
    if (g->deadline <= now) {
      GST_WARNING("%s: refused consumer %u: no hello within %u ms", p->path, g->number,
                  p->opt.hello_timeout_ms);
      g_ptr_array_remove_index(greeters, i); /* closes it */
    } else {
      next = MIN(next, g->deadline);
    }
  }
  return next == G_MAXINT64 ? -1 : (int)((next - now + 999) / 1000);
}

static void read_consumer(VfIpcProducer *p, Consumer *c)
{
  GByteArray *m = g_byte_array_new();
  VfIpcHeader h;
  int fds[VF_IPC_MAX_FDS];
  guint n_fds = 0;
  GError *err = NULL;
  gint r = vf_ipc_recv(c->sock, m, &h, fds, &n_fds, c->name, &err);
  for (guint i = 0; i < n_fds; i++)
    close(fds[i]);
  g_mutex_lock(&p->lock);
  if (r != 0) {
    consumer_lost(p, c, r > 0 ? "connection closed" : err->message);
  } else if (h.type == VF_IPC_MSG_RELEASE) {
    VfIpcReader rd = { m->data, m->len, FALSE };
    guint64 seq = vf_ipc_get_u64(&rd);
    Outgoing *o = g_hash_table_lookup(c->in_flight, &seq);
    if (o) {
      g_hash_table_remove(c->in_flight, &seq);
      outgoing_unref(p, o);
      send_pending(p, c);
      g_cond_broadcast(&p->cond);
    }
  }
  reap_dead(p);
  collect_garbage(p);
  g_mutex_unlock(&p->lock);
  g_clear_error(&err);
  g_byte_array_unref(m);
}

static void greeter_free(gpointer data)
{
  Greeter *g = data;
  close(g->sock);
  g_free(g);
}

static gpointer io_thread(gpointer data)
{
  VfIpcProducer *p = data;
  GArray *pfds = g_array_new(FALSE, FALSE, sizeof(struct pollfd));
  GPtrArray *who = g_ptr_array_new();
  GPtrArray *greeters = g_ptr_array_new_with_free_func(greeter_free);
  for (;;) {
    int timeout_ms = expire_greeters(p, greeters);
    g_array_set_size(pfds, 0);
    g_ptr_array_set_size(who, 0);
    struct pollfd w = { p->wake_fd, POLLIN, 0 }, l = { p->listen_fd, POLLIN, 0 };
    g_array_append_val(pfds, w);
    g_array_append_val(pfds, l);
    g_mutex_lock(&p->lock);
    if (p->stopping) {
      g_mutex_unlock(&p->lock);
      break;
    }
    for (guint i = 0; i < p->consumers->len; i++) {
      Consumer *c = g_ptr_array_index(p->consumers, i);
      struct pollfd cp = { c->sock, POLLIN, 0 };
      g_array_append_val(pfds, cp);
      g_ptr_array_add(who, c);
    }
    g_mutex_unlock(&p->lock);
    for (guint i = 0; i < greeters->len; i++) {
      struct pollfd gp = { ((Greeter *)g_ptr_array_index(greeters, i))->sock, POLLIN, 0 };
      g_array_append_val(pfds, gp);
    }
    int n = poll((struct pollfd *)pfds->data, pfds->len, timeout_ms);
    if (n < 0 && errno != EINTR)
      break;
    if (n <= 0)
      continue; /* a greeter's deadline, or a signal */
    struct pollfd *fd = (struct pollfd *)pfds->data;
    if (fd[0].revents) {
      guint64 v;
      if (read(p->wake_fd, &v, sizeof v) < 0)
        GST_DEBUG("wake read: %s", g_strerror(errno));
      continue; /* the consumer list changed, or stopping */
    }
    /* consumers are only removed on this thread: the pointers in `who` are valid */
    for (guint i = 0; i < who->len; i++)
      if (fd[2 + i].revents)
        read_consumer(p, g_ptr_array_index(who, i));
    struct pollfd *gfd = fd + 2 + who->len;
    for (guint i = greeters->len; i-- > 0;) {
      if (gfd[i].revents)
        greet(p, g_ptr_array_steal_index(greeters, i));
    }
    if (fd[1].revents & POLLIN)
      accept_greeter(p, greeters);
  }
  g_ptr_array_unref(greeters);
  g_array_unref(pfds);
  g_ptr_array_unref(who);
  return NULL;
}

static void wake(VfIpcProducer *p)
{
  guint64 one = 1;
  if (write(p->wake_fd, &one, sizeof one) < 0)
    GST_DEBUG("wake write: %s", g_strerror(errno));
}

/* ---- public ---- */

static int listen_on(const char *path, GError **error)
{
  int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (s < 0) {
    g_set_error(error, VF_ERROR, VF_ERROR_FAILED, "ipc producer %s: socket: %s", path,
                g_strerror(errno));
    return -1;
  }
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  g_strlcpy(sa.sun_path, path, sizeof sa.sun_path);
  if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 && errno == EADDRINUSE) {
    /* a socket file is there: in use by a live producer, or left by a dead one */
    int probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    gboolean alive = probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof sa) == 0;
    if (probe >= 0)
      close(probe);
    if (alive) {
      g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                  "ipc producer %s: another producer listens on this socket: give this one "
                  "another socket-path",
                  path);
      close(s);
      return -1;
    }
    unlink(path);
    errno = 0;
    bind(s, (struct sockaddr *)&sa, sizeof sa);
  }
  if (errno != 0 && access(path, F_OK) != 0) {
    g_set_error(error, VF_ERROR, VF_ERROR_FAILED,
                "ipc producer %s: cannot create the socket: %s (does its directory exist and is "
                "it writable?)",
                path, g_strerror(errno));
    close(s);
    return -1;
  }
  /* 0600 before listen(): nobody can connect before the mode is right */
  if (chmod(path, S_IRUSR | S_IWUSR) < 0 || listen(s, 64) < 0) {
    g_set_error(error, VF_ERROR, VF_ERROR_FAILED, "ipc producer %s: cannot listen: %s", path,
                g_strerror(errno));
    close(s);
    unlink(path);
    return -1;
  }
  return s;
}

VfIpcProducer *vf_ipc_producer_new(const char *socket, const VfIpcProducerOptions *options,
                                   GError **error)
{
  ensure_debug();
  vf_ipc_allocator_get();
  char *path = vf_ipc_socket_path(socket, error);
  if (path == NULL)
    return NULL;
  errno = 0;
  int l = listen_on(path, error);
  if (l < 0) {
    g_free(path);
    return NULL;
  }
  VfIpcProducer *p = g_new0(VfIpcProducer, 1);
  p->path = path;
  p->listen_fd = l;
  p->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (options)
    p->opt = *options;
  if (p->opt.max_in_flight == 0)
    p->opt.max_in_flight = DEFAULT_MAX_IN_FLIGHT;
  if (p->opt.hello_timeout_ms == 0)
    p->opt.hello_timeout_ms = DEFAULT_HELLO_TIMEOUT_MS;
  g_mutex_init(&p->lock);
  g_cond_init(&p->cond);
  p->consumers = g_ptr_array_new();
  p->sticky = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
  g_queue_init(&p->spares);
  p->reported = g_hash_table_new(g_direct_hash, g_direct_equal);
  p->garbage = g_ptr_array_new();
  p->deaths_seen = vf_ipc_memory_deaths();
  p->thread = g_thread_new("vf-ipc-producer", io_thread, p);
  return p;
}

void vf_ipc_producer_free(VfIpcProducer *p)
{
  if (p == NULL)
    return;
  g_mutex_lock(&p->lock);
  p->stopping = TRUE;
  g_cond_broadcast(&p->cond);
  g_mutex_unlock(&p->lock);
  wake(p);
  g_thread_join(p->thread);
  g_mutex_lock(&p->lock);
  for (guint i = 0; i < p->consumers->len; i++)
    consumer_free(p, g_ptr_array_index(p->consumers, i));
  g_ptr_array_set_size(p->consumers, 0);
  collect_garbage(p);
  g_mutex_unlock(&p->lock);
  close(p->listen_fd);
  close(p->wake_fd);
  unlink(p->path);
  GstMemory *m;
  while ((m = g_queue_pop_head(&p->spares)))
    gst_memory_unref(m);
  g_ptr_array_unref(p->consumers);
  g_ptr_array_unref(p->sticky);
  g_ptr_array_unref(p->garbage);
  g_hash_table_unref(p->reported);
  g_clear_error(&p->fail_error);
  g_mutex_clear(&p->lock);
  g_cond_clear(&p->cond);
  g_free(p->path);
  g_free(p);
}

const char *vf_ipc_producer_get_path(VfIpcProducer *p)
{
  return p ? p->path : NULL;
}

static void broadcast(VfIpcProducer *p, VfIpcMsgType type, const GByteArray *m)
{
  for (guint i = 0; i < p->consumers->len; i++)
    send_to(p, g_ptr_array_index(p->consumers, i), type, m, NULL, 0);
}

gboolean vf_ipc_producer_send_event(VfIpcProducer *p, GstEvent *event, GError **error)
{
  if (vf_arg_is_null(p, "producer", G_STRFUNC, error)
      || vf_arg_is_null(event, "event", G_STRFUNC, error))
    return FALSE;
  VfIpcMsgType type;
  switch (GST_EVENT_TYPE(event)) {
  case GST_EVENT_STREAM_START:
    type = VF_IPC_MSG_STREAM_START;
    break;
  case GST_EVENT_CAPS:
    type = VF_IPC_MSG_CAPS;
    break;
  case GST_EVENT_SEGMENT:
    type = VF_IPC_MSG_SEGMENT;
    break;
  default:
    return TRUE; /* other events stay in this process */
  }
  char *s = gst_structure_to_string(gst_event_get_structure(event));
  GByteArray *body = g_byte_array_new();
  vf_ipc_put_str(body, s);
  g_free(s);
  GByteArray *stored = g_byte_array_new();
  vf_ipc_put_u32(stored, GST_EVENT_TYPE(event));
  g_byte_array_append(stored, body->data, body->len);
  g_mutex_lock(&p->lock);
  /* keep the latest of each kind; a new stream-start starts a new stream */
  if (type == VF_IPC_MSG_STREAM_START)
    g_ptr_array_set_size(p->sticky, 0);
  for (guint i = 0; i < p->sticky->len; i++) {
    GByteArray *old = g_ptr_array_index(p->sticky, i);
    if (*(guint32 *)old->data == GST_EVENT_TYPE(event)) {
      g_ptr_array_remove_index(p->sticky, i);
      break;
    }
  }
  g_ptr_array_add(p->sticky, stored);
  p->eos = FALSE;
  for (guint i = 0; i < p->consumers->len; i++)
    ((Consumer *)g_ptr_array_index(p->consumers, i))->eos_sent = FALSE;
  broadcast(p, type, body);
  g_mutex_unlock(&p->lock);
  wake(p);
  g_byte_array_unref(body);
  return TRUE;
}

/* One frame buffer as a slot: its own memory when it is ours, else a copy into the pool. */
static gboolean add_slot(VfIpcProducer *p, Outgoing *o, GstBuffer *b, GError **error)
{
  guint n = gst_buffer_n_memory(b);
  for (guint i = 0; i < n; i++) {
    if (gst_memory_is_type(gst_buffer_peek_memory(b, i), VF_MEMORY_TYPE_CUDA)) {
      g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                  "ipc producer %s: CUDA frames cannot cross processes yet: download them first "
                  "(cudadownload) before the IPC sink",
                  p->path);
      return FALSE;
    }
  }
  GstMemory *mem = n == 1 ? gst_buffer_peek_memory(b, 0) : NULL;
  guint64 id = mem ? vf_ipc_memory_id(mem) : 0;
  Slot s;
  if (id) {
    s = (Slot){ id, gst_fd_memory_get_fd(mem), 0, (guint64)mem->offset, (guint64)mem->size };
    GstMemory *root = mem->parent ? mem->parent : mem;
    s.maxsize = root->maxsize;
    g_ptr_array_add(o->hold, gst_buffer_ref(b));
    p->stats.zero_copy++;
  } else {
    gsize size = gst_buffer_get_size(b);
    GstMemory *m = NULL;
    g_mutex_lock(&p->lock);
    if (p->spare_size != MAX(size, 1)) {
      /* the frame size changed: the spares are useless now */
      GstMemory *old;
      while ((old = g_queue_pop_head(&p->spares)))
        g_ptr_array_add(o->spares, old); /* freed with `o` (wrong size) */
      p->spare_size = MAX(size, 1);
    }
    m = g_queue_pop_head(&p->spares);
    p->stats.copied++;
    g_mutex_unlock(&p->lock);
    if (m == NULL && (m = vf_ipc_memory_new(MAX(size, 1), error)) == NULL)
      return FALSE;
    GstMapInfo map;
    if (!gst_memory_map(m, &map, GST_MAP_WRITE)) {
      gst_memory_unref(m);
      g_set_error(error, VF_ERROR, VF_ERROR_FAILED, "ipc producer %s: cannot map shared memory",
                  p->path);
      return FALSE;
    }
    gst_buffer_extract(b, 0, map.data, size);
    gst_memory_unmap(m, &map);
    g_ptr_array_add(o->spares, m);
    s = (Slot){ vf_ipc_memory_id(m), gst_fd_memory_get_fd(m), m->maxsize, 0, size };
  }
  g_array_append_val(o->slots, s);
  return TRUE;
}

static void memory_unref_nullable(gpointer m)
{
  if (m)
    gst_memory_unref(m);
}

/* Move `o`'s common part into shared memory of its own (it is too large for a datagram). */
static gboolean common_to_shm(VfIpcProducer *p, Outgoing *o, GError **error)
{
  GstMemory *m = vf_ipc_memory_new(o->common->len, error);
  if (m == NULL)
    return FALSE;
  GstMapInfo map;
  if (!gst_memory_map(m, &map, GST_MAP_WRITE)) {
    gst_memory_unref(m);
    g_set_error(error, VF_ERROR, VF_ERROR_FAILED,
                "ipc producer %s: cannot map shared memory for %u bytes of metadata", p->path,
                o->common->len);
    return FALSE;
  }
  memcpy(map.data, o->common->data, o->common->len);
  gst_memory_unmap(m, &map);
  o->common_shm = m;
  return TRUE;
}

static Outgoing *outgoing_new(VfIpcProducer *p, GstBuffer *buffer, GError **error)
{
  Outgoing *o = g_new0(Outgoing, 1);
  o->refcount = 1;
  o->common = g_byte_array_sized_new(256);
  o->slots = g_array_new(FALSE, FALSE, sizeof(Slot));
  o->hold = g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref);
  o->spares = g_ptr_array_new_with_free_func(memory_unref_nullable);
  GByteArray *c = o->common;
  vf_ipc_put_u64(c, GST_BUFFER_PTS(buffer));
  vf_ipc_put_u64(c, GST_BUFFER_DTS(buffer));
  vf_ipc_put_u64(c, GST_BUFFER_DURATION(buffer));
  vf_ipc_put_u64(c, GST_BUFFER_OFFSET(buffer));
  vf_ipc_put_u64(c, GST_BUFFER_OFFSET_END(buffer));
  vf_ipc_put_u32(c, GST_BUFFER_FLAGS(buffer));
  gboolean ok = TRUE;
  gint own = -1;
  if (gst_buffer_n_memory(buffer) > 0) {
    ok = add_slot(p, o, buffer, error);
    own = 0;
  }
  vf_ipc_put_i32(c, own);
  GstVideoMeta *vm = gst_buffer_get_video_meta(buffer);
  vf_ipc_put_u8(c, vm ? 1 : 0);
  if (vm) {
    GstVideoInfo info;
    gst_video_info_set_format(&info, vm->format, vm->width, vm->height);
    for (guint i = 0; i < GST_VIDEO_MAX_PLANES; i++) {
      GST_VIDEO_INFO_PLANE_OFFSET(&info, i) = vm->offset[i];
      GST_VIDEO_INFO_PLANE_STRIDE(&info, i) = vm->stride[i];
    }
    vf_ipc_put_video_info(c, &info);
  }
  VfBatchMeta *meta = vf_batch_meta_get(buffer);
  guint nf = meta ? vf_batch_meta_get_n_frames(meta) : 0;
  gint *frame_slots = g_newa(gint, nf + 1);
  for (guint i = 0; ok && i < nf; i++) {
    GstBuffer *fb = vf_frame_meta_get_buffer(vf_batch_meta_get_frame(meta, i));
    frame_slots[i] = -1;
    if (fb && o->slots->len >= VF_IPC_MAX_SLOTS) {
      g_set_error(error, VF_ERROR, VF_ERROR_SIZE,
                  "ipc producer %s: a batch of %u frames is more than one message carries (%d): "
                  "use a smaller batch-size before the IPC sink",
                  p->path, nf, VF_IPC_MAX_SLOTS - 1);
      ok = FALSE;
    } else if (fb) {
      frame_slots[i] = (gint)o->slots->len;
      ok = add_slot(p, o, fb, error);
    }
  }
  if (ok) {
    guint64 unsent = 0;
    /* `reported` is the pushing thread's alone (one pusher at a time) */
    vf_ipc_meta_write(c, meta, frame_slots, &unsent, p->reported, p->path);
    g_mutex_lock(&p->lock);
    p->stats.meta_unsent += unsent;
    g_mutex_unlock(&p->lock);
  }
  if (ok && c->len > VF_IPC_INLINE_MAX)
    ok = common_to_shm(p, o, error);
  if (!ok) {
    outgoing_free(p, o);
    return NULL;
  }
  return o;
}

static gboolean check_state(VfIpcProducer *p, GError **error)
{
  if (p->failed) {
    if (error)
      *error = g_error_copy(p->fail_error);
    return FALSE;
  }
  if (p->cancelled || p->stopping) {
    g_set_error(error, VF_ERROR, VF_ERROR_INTERRUPTED, "ipc producer %s: flushing", p->path);
    return FALSE;
  }
  return TRUE;
}

/* Lock held, VF_IPC_FULL_BLOCK: is any live consumer full? */
static gboolean any_full(VfIpcProducer *p)
{
  for (guint i = 0; i < p->consumers->len; i++) {
    Consumer *c = g_ptr_array_index(p->consumers, i);
    if (!c->dead && g_hash_table_size(c->in_flight) >= p->opt.max_in_flight)
      return TRUE;
  }
  return FALSE;
}

gboolean vf_ipc_producer_push(VfIpcProducer *p, GstBuffer *buffer, GError **error)
{
  return vf_ipc_producer_push_timed(p, buffer, -1, error);
}

gboolean vf_ipc_producer_push_timed(VfIpcProducer *p, GstBuffer *buffer, gint64 timeout_us,
                                    GError **error)
{
  if (vf_arg_is_null(p, "producer", G_STRFUNC, error)
      || vf_arg_is_null(buffer, "buffer", G_STRFUNC, error))
    return FALSE;
  g_mutex_lock(&p->lock);
  gboolean ok = check_state(p, error);
  if (ok && !p->started && p->opt.wait_consumers > 0) {
    gint64 until
        = p->opt.wait_timeout_us < 0 ? G_MAXINT64 : g_get_monotonic_time() + p->opt.wait_timeout_us;
    while ((ok = check_state(p, error)) && p->consumers->len < p->opt.wait_consumers) {
      if (!g_cond_wait_until(&p->cond, &p->lock, until)) {
        g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                    "ipc producer %s: %u consumer(s) awaited, %u came within the time allowed: "
                    "start the consumers, or lower wait-consumers",
                    p->path, p->opt.wait_consumers, p->consumers->len);
        ok = FALSE;
        break;
      }
    }
  }
  p->started |= ok; /* a first push that found no consumer leaves the next one waiting too */
  g_mutex_unlock(&p->lock);
  if (!ok)
    return FALSE;

  Outgoing *o = outgoing_new(p, buffer, error);
  if (o == NULL)
    return FALSE;

  g_mutex_lock(&p->lock);
  if (p->opt.when_full == VF_IPC_FULL_BLOCK) {
    /* room for it at every consumer first (only this thread fills them): all get it, or none */
    gint64 until = timeout_us < 0 ? G_MAXINT64 : g_get_monotonic_time() + timeout_us;
    while ((ok = check_state(p, error)) && any_full(p)) {
      if (!g_cond_wait_until(&p->cond, &p->lock, until)) {
        g_set_error(error, VF_ERROR, VF_ERROR_TIMEOUT,
                    "ipc producer %s: a consumer still holds %u buffers after %" G_GINT64_FORMAT
                    " us: it is slow or stuck",
                    p->path, p->opt.max_in_flight, timeout_us);
        ok = FALSE;
        break;
      }
    }
  }
  if (ok)
    o->seq = ++p->seq;
  forget_dead_memories(p);
  if (ok && p->consumers->len == 0)
    p->stats.unsent++;
  for (guint i = 0; ok && i < p->consumers->len; i++) {
    Consumer *c = g_ptr_array_index(p->consumers, i);
    if (p->opt.when_full == VF_IPC_FULL_BLOCK) {
      send_buffer(p, c, o);
    } else {
      o->refcount++;
      g_queue_push_tail(&c->pending, o);
      if (c->pending.length > p->opt.max_in_flight) {
        outgoing_unref(p, g_queue_pop_head(&c->pending));
        c->dropped++;
        p->stats.dropped++;
      }
      send_pending(p, c);
    }
  }
  if (ok)
    ok = check_state(p, error);
  outgoing_unref(p, o);
  gboolean any_dead = FALSE;
  for (guint i = 0; i < p->consumers->len; i++)
    any_dead |= ((Consumer *)g_ptr_array_index(p->consumers, i))->dead;
  collect_garbage(p);
  g_mutex_unlock(&p->lock);
  if (any_dead)
    wake(p); /* the I/O thread reaps them */
  return ok;
}

static guint in_flight_total(VfIpcProducer *p)
{
  guint n = 0;
  for (guint i = 0; i < p->consumers->len; i++) {
    Consumer *c = g_ptr_array_index(p->consumers, i);
    if (!c->dead)
      n += g_hash_table_size(c->in_flight) + c->pending.length;
  }
  return n;
}

void vf_ipc_producer_end(VfIpcProducer *p)
{
  g_mutex_lock(&p->lock);
  p->eos = TRUE;
  for (guint i = 0; i < p->consumers->len; i++)
    send_eos_when_drained(p, g_ptr_array_index(p->consumers, i));
  g_mutex_unlock(&p->lock);
}

gboolean vf_ipc_producer_finish(VfIpcProducer *p, gint64 timeout_us, GError **error)
{
  if (vf_arg_is_null(p, "producer", G_STRFUNC, error))
    return FALSE;
  vf_ipc_producer_end(p);
  g_mutex_lock(&p->lock);
  gint64 until = timeout_us < 0 ? G_MAXINT64 : g_get_monotonic_time() + timeout_us;
  gboolean ok = TRUE;
  while (in_flight_total(p) > 0 && (ok = check_state(p, error))) {
    if (!g_cond_wait_until(&p->cond, &p->lock, until)) {
      g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                  "ipc producer %s: %u buffer(s) still unreleased by consumers at end of stream",
                  p->path, in_flight_total(p));
      ok = FALSE;
      break;
    }
  }
  g_mutex_unlock(&p->lock);
  wake(p);
  return ok;
}

void vf_ipc_producer_cancel(VfIpcProducer *p)
{
  if (p == NULL)
    return;
  g_mutex_lock(&p->lock);
  p->cancelled = TRUE;
  g_cond_broadcast(&p->cond);
  g_mutex_unlock(&p->lock);
}

void vf_ipc_producer_uncancel(VfIpcProducer *p)
{
  if (p == NULL)
    return;
  g_mutex_lock(&p->lock);
  p->cancelled = FALSE;
  g_mutex_unlock(&p->lock);
}

void vf_ipc_producer_get_stats(VfIpcProducer *p, VfIpcStats *stats)
{
  if (p == NULL || stats == NULL)
    return;
  g_mutex_lock(&p->lock);
  *stats = p->stats;
  stats->consumers = 0;
  for (guint i = 0; i < p->consumers->len; i++)
    stats->consumers += !((Consumer *)g_ptr_array_index(p->consumers, i))->dead;
  g_mutex_unlock(&p->lock);
}
