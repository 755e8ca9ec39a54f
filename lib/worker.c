/* vidflow: VfWorker (worker-private.h). One lock (VfWorker.lock); user code never runs under it,
 * and the release callback runs after it is dropped. */
#include "worker-private.h"

struct _VfWorker {
  GCancellable *cancellable;
  GMutex lock;     /* guards everything below */
  GCond cond;      /* finished changed */
  GThread *thread; /* the running thread, joined or left behind (NULL then) */
  GThreadFunc func;
  gpointer data;
  gboolean finished;      /* func returned */
  gboolean left;          /* the thread was left behind: nobody joins it */
  GDestroyNotify release; /* set once the owner is freed while a left thread still runs */
  gpointer release_data;
};

VfWorker *vf_worker_new(void)
{
  VfWorker *w = g_new0(VfWorker, 1);
  w->cancellable = g_cancellable_new();
  w->finished = TRUE;
  g_mutex_init(&w->lock);
  g_cond_init(&w->cond);
  return w;
}

void vf_worker_free(VfWorker *worker)
{
  if (worker == NULL)
    return;
  g_object_unref(worker->cancellable);
  g_mutex_clear(&worker->lock);
  g_cond_clear(&worker->cond);
  g_free(worker);
}

GCancellable *vf_worker_get_cancellable(VfWorker *worker)
{
  return worker->cancellable;
}

static gpointer worker_thread(gpointer data)
{
  VfWorker *w = data;
  g_cancellable_push_current(w->cancellable);
  w->func(w->data);
  g_cancellable_pop_current(w->cancellable);
  g_mutex_lock(&w->lock);
  w->finished = TRUE;
  GDestroyNotify release = w->release;
  gpointer release_data = w->release_data;
  g_cond_broadcast(&w->cond);
  g_mutex_unlock(&w->lock);
  /* The owner went while this thread was left behind: free it (and the worker) now. Nothing
   * touches `w` after this. */
  if (release)
    release(release_data);
  return NULL;
}

gboolean vf_worker_start(VfWorker *worker, const char *name, GThreadFunc func, gpointer data)
{
  g_mutex_lock(&worker->lock);
  gboolean busy = !worker->finished;
  if (!busy) {
    g_cancellable_reset(worker->cancellable);
    worker->func = func;
    worker->data = data;
    worker->finished = FALSE;
    worker->left = FALSE;
    worker->thread = g_thread_new(name, worker_thread, worker);
  }
  g_mutex_unlock(&worker->lock);
  return !busy;
}

void vf_worker_cancel(VfWorker *worker)
{
  g_cancellable_cancel(worker->cancellable);
}

/* Under the lock: waits until the function returned, there is no thread to wait for, or
 * `deadline`. */
static void wait_finished(VfWorker *w, gint64 deadline)
{
  while (!w->finished && w->thread) {
    if (deadline == G_MAXINT64)
      g_cond_wait(&w->cond, &w->lock);
    else if (!g_cond_wait_until(&w->cond, &w->lock, deadline))
      break;
  }
}

gboolean vf_worker_wait(VfWorker *worker, gint64 deadline)
{
  g_mutex_lock(&worker->lock);
  wait_finished(worker, deadline);
  gboolean ended = worker->finished || worker->thread == NULL;
  g_mutex_unlock(&worker->lock);
  return ended;
}

gboolean vf_worker_join(VfWorker *worker, gint64 deadline)
{
  g_mutex_lock(&worker->lock);
  wait_finished(worker, deadline);
  GThread *thread = g_steal_pointer(&worker->thread);
  gboolean ended = worker->finished;
  if (thread && !ended)
    worker->left = TRUE;
  g_mutex_unlock(&worker->lock);
  if (thread == NULL)
    return TRUE;
  if (ended)
    g_thread_join(thread);
  else
    g_thread_unref(thread); /* it ends on its own */
  return ended;
}

gboolean vf_worker_release_later(VfWorker *worker, GDestroyNotify release, gpointer data)
{
  g_mutex_lock(&worker->lock);
  gboolean later = worker->left && !worker->finished;
  if (later) {
    worker->release = release;
    worker->release_data = data;
  }
  g_mutex_unlock(&worker->lock);
  return !later;
}
