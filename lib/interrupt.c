/* vidflow: Ctrl-C for programs.
 *
 * The signal handler only counts (and writes a byte to a pipe: async-signal-safe); a thread of
 * its own reads the pipe and wakes every start()/wait() that watches interrupts, which then act:
 * the first pending interrupt drains with end of stream, the second stops. An interrupt counts
 * from the moment vf_handle_interrupts() installed the handler, whether a wait() runs yet or not
 * ("pending" until a wait() acts on it). With nobody acting, a second pending interrupt ends the
 * process at once (exit status VF_EXIT_INTERRUPTED); with a wait() acting, a third does (the
 * program is stuck outside vidflow's deadlines).
 *
 * One lock (watch_lock), taken before the watchers' locks. */
#include <vidflow/pipeline.h>

#include "interrupt-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <unistd.h>

/* atomic: received since installed. Two signals can run the handler at once on two threads (a
 * second Ctrl-C delivered while the first one's handler runs): a plain increment would lose one. */
static gint interrupts;
G_STATIC_ASSERT(__atomic_always_lock_free(sizeof(gint), 0));
static gint acted;    /* atomic: count some wait() acted on up to */
static gint watchers; /* atomic: start()/wait() calls watching now */
static int wake_pipe[2] = { -1, -1 };

typedef struct {
  GMutex *lock;
  GCond *cond;
} Watcher;

static GMutex watch_lock;
static GArray *watch_list; /* Watcher, guarded by watch_lock */

static void on_signal(int signum)
{
  (void)signum;
  int saved = errno;
  gint received = g_atomic_int_add(&interrupts, 1) + 1; /* lock-free: async-signal-safe */
  gint pending = received - g_atomic_int_get(&acted);
  if (pending >= (g_atomic_int_get(&watchers) > 0 ? 3 : 2))
    _exit(VF_EXIT_INTERRUPTED); /* nobody acts on it: stop now, as the second Ctrl-C says */
  char byte = 0;
  if (write(wake_pipe[1], &byte, 1) < 0) {
    /* the pipe is full: the thread has wake-ups queued already */
  }
  errno = saved;
}

static gpointer interrupt_thread(gpointer data)
{
  (void)data;
  char buf[64];
  while (TRUE) {
    ssize_t n = read(wake_pipe[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    g_mutex_lock(&watch_lock);
    for (guint i = 0; watch_list && i < watch_list->len; i++) {
      Watcher *w = &g_array_index(watch_list, Watcher, i);
      g_mutex_lock(w->lock);
      g_cond_broadcast(w->cond);
      g_mutex_unlock(w->lock);
    }
    g_mutex_unlock(&watch_lock);
  }
  return NULL;
}

void vf_handle_interrupts(void)
{
  static gsize installed = 0;
  if (g_once_init_enter(&installed)) {
    if (!g_unix_open_pipe(wake_pipe, FD_CLOEXEC, NULL)
        || !g_unix_set_fd_nonblocking(wake_pipe[1], TRUE, NULL)) {
      g_printerr("vidflow: Ctrl-C is not handled: no pipe for the interrupt thread (%s)\n",
                 g_strerror(errno));
      g_once_init_leave(&installed, 1);
      return;
    }
    g_thread_unref(g_thread_new("vf-interrupts", interrupt_thread, NULL));
    struct sigaction sa = { 0 };
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    g_once_init_leave(&installed, 1);
  }
}

guint vf_interrupt_count(void)
{
  return (guint)g_atomic_int_get(&interrupts);
}

guint vf_interrupt_watch_begin(GMutex *lock, GCond *cond)
{
  g_mutex_lock(&watch_lock);
  if (watch_list == NULL)
    watch_list = g_array_new(FALSE, FALSE, sizeof(Watcher));
  Watcher w = { lock, cond };
  g_array_append_val(watch_list, w);
  g_atomic_int_inc(&watchers);
  guint from = (guint)g_atomic_int_get(&acted);
  g_mutex_unlock(&watch_lock);
  return from;
}

void vf_interrupt_watch_end(GMutex *lock, GCond *cond, guint done)
{
  g_mutex_lock(&watch_lock);
  for (guint i = 0; i < watch_list->len; i++) {
    Watcher *w = &g_array_index(watch_list, Watcher, i);
    if (w->lock == lock && w->cond == cond) {
      g_array_remove_index(watch_list, i);
      break;
    }
  }
  if ((gint)done > g_atomic_int_get(&acted))
    g_atomic_int_set(&acted, (gint)done);
  g_atomic_int_add(&watchers, -1);
  g_mutex_unlock(&watch_lock);
}
