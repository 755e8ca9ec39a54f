/* vidflow: VfWorker, the thread on which a feeder's generate() or a receiver's consume() runs,
 * with what the pipeline needs to end it within a deadline: a GCancellable the user code can
 * watch, a join with a deadline, and a thread that finishes on its own when it does not return
 * in time (user code cannot be killed; its owner is then freed when it returns). */
#pragma once

#include <gio/gio.h>

typedef struct _VfWorker VfWorker;

/* A worker with no thread yet (transfer full). */
VfWorker *vf_worker_new(void);
/* Frees it. Call only when vf_worker_release_later() said so (or it never ran). */
void vf_worker_free(VfWorker *worker);
/* (transfer none) cancelled by vf_worker_cancel, reset by vf_worker_start; valid while the
 * worker lives. */
GCancellable *vf_worker_get_cancellable(VfWorker *worker);
/* Starts func(data) on a new thread called `name`, with the cancellable pushed as the thread's
 * current one (g_cancellable_get_current), reset first. FALSE (nothing started) when the thread
 * of an earlier run was left behind and has not returned yet. */
gboolean vf_worker_start(VfWorker *worker, const char *name, GThreadFunc func, gpointer data);
/* Cancels the cancellable (any thread). */
void vf_worker_cancel(VfWorker *worker);
/* TRUE once the thread's function returned (or none runs); waits for it until `deadline`
 * (g_get_monotonic_time() microseconds, G_MAXINT64: none). */
gboolean vf_worker_wait(VfWorker *worker, gint64 deadline);
/* Waits until the thread has ended or until `deadline` (g_get_monotonic_time() microseconds,
 * G_MAXINT64: none). TRUE: it ended and was joined, or there is none. FALSE: it is still running
 * and is left to end on its own (later calls return TRUE). */
gboolean vf_worker_join(VfWorker *worker, gint64 deadline);
/* For the owner's free: TRUE when nothing runs and the owner (and the worker) can be freed now.
 * FALSE: a thread left behind still runs; release(data) is called on it once it ends, and must
 * free the owner and the worker. */
gboolean vf_worker_release_later(VfWorker *worker, GDestroyNotify release, gpointer data);
