/* vidflow: inject frames into a pipeline (the seed's BufferProvider + Feeder on appsrc).
 *
 * The provider's generate() runs on a feeder thread of its own. It is asked for a frame when the
 * appsrc needs data and is paused when the appsrc has enough (need-data/enough-data), so at most
 * `max-buffers` frames (default 4) wait in the appsrc: memory stays bounded whatever the speed of
 * the provider. Return a buffer to push it, or NULL / an empty buffer to end the stream; set
 * *error and return NULL to fail the pipeline with that message.
 *
 * Caps: when the appsrc has none, they come from VfProviderInfo; when it has caps and info too,
 * they must agree. Every buffer is checked against the caps (format, size in bytes) before it is
 * pushed. Batches: with batched caps on the appsrc (video/x-raw(meta:VfBatch), as vfmux makes them)
 * the provider returns batches, e.g. taken from another pipeline's receiver; each must carry its
 * VfBatchMeta (generate()'s size is then 0).
 * Timestamps: buffers without PTS get PTS/duration from the frame rate (frame n at n / rate). With
 * do-timestamp=true on the appsrc the feeder stamps them itself, never closer than one frame (at
 * the caps' rate) to the frame before, with DTS = PTS (except H.264) and the frame's duration, so
 * the stream is one every muxer accepts: on a live appsrc (is-live=true) with the clock's running
 * time when the frame is pushed; otherwise with the time the provider took to make it (a provider
 * that returns at once gets the frame rate's spacing whatever the speed of downstream, a slower
 * one, a camera, its real times). The feeder takes over the appsrc's do-timestamp, which it
 * switches off: basesrc would leave the frames made in preroll unstamped.
 * Buffers the provider stamped itself keep their stamps.
 * Stopping: when the run ends (stop(), an error, the end of wait(), a drain past its deadline),
 * generate() is not called again, and one that is running is told through the feeder's
 * GCancellable (vf_feeder_get_cancellable; it is also the thread's current cancellable, so a
 * VfFrameQueue pop inside generate() returns VF_QUEUE_CANCELLED at once). generate() should then
 * return soon (what it returns is discarded): the pipeline waits for it up to its stop timeout
 * (vf_pipeline_set_stop_timeout, 5 s), then leaves it to return on its own, posts a warning naming
 * the feeder, and frees the feeder once it has returned (destroy then runs on the feeder thread).
 */
#pragma once

#include <gio/gio.h>
#include <vidflow/buffer.h>
#include <vidflow/pipeline.h>

G_BEGIN_DECLS

typedef struct _VfFeeder VfFeeder;

/* The seed's provider fields. Zero fields are taken from the appsrc caps. */
typedef struct {
  VfColorFormat format;
  guint width;
  guint height;
  gint fps_n; /* framerate numerator (0: unknown, no timestamps from rate) */
  gint fps_d; /* denominator (0 is taken as 1) */
  VfDevice device;
} VfProviderInfo;

typedef struct {
  /* Called on the feeder thread. `size` is the size in bytes of one frame of the negotiated caps
   * (0 for encoded data). Return (transfer full) the next buffer; NULL or empty = end of stream;
   * NULL with *error set = fail. */
  VfBuffer *(*generate)(gsize size, gpointer user_data, GError **error);
  /* Optional: called once, when the feeder is freed (any thread). */
  void (*destroy)(gpointer user_data);
} VfProviderCallbacks;

/* A feeder (transfer full, never NULL) wrapping a provider. `name` may be NULL ("feeder"); `info`
 * may be NULL (everything from the caps). What is wrong with the arguments (no generate(), a
 * format that is not a VfColorFormat, a width without a height, a negative frame rate, an
 * unknown device) is kept and reported by vf_pipeline_attach_feeder as a VF_ERROR_ARGUMENT
 * naming the field, so vf_pipeline_attach_feeder(p, "src", vf_feeder_new(...), NULL, &err)
 * inline is safe. */
VF_API VfFeeder *vf_feeder_new(const char *name, const VfProviderInfo *info,
                               const VfProviderCallbacks *callbacks, gpointer user_data);
/* Frees a feeder that was never attached (runs its destroy); NULL and attached feeders (they
 * belong to their pipeline) are left alone. */
VF_API void vf_feeder_free(VfFeeder *feeder);
/* Frames queued in the appsrc before it reports enough-data (default 4, at least 1); before
 * attaching. */
VF_API void vf_feeder_set_max_buffers(VfFeeder *feeder, guint max_buffers);
/* (transfer none) NULL for NULL. */
VF_API const char *vf_feeder_get_name(const VfFeeder *feeder);
/* Buffers pushed so far (thread-safe; 0 for NULL). */
VF_API guint64 vf_feeder_get_pushed(const VfFeeder *feeder);
/* (transfer none) cancelled when the run the feeder belongs to ends (see "Stopping" above), reset
 * when the pipeline starts again; valid as long as the feeder (NULL for NULL). Watch it from
 * generate() (g_cancellable_is_cancelled, g_cancellable_connect, or pass it to GIO calls); any
 * thread. */
VF_API GCancellable *vf_feeder_get_cancellable(VfFeeder *feeder);

/* Attach to the appsrc called `element`. tips must be NULL or "need-data/enough-data". The feeder
 * is taken (transfer full) even on failure: the pipeline keeps it (still valid for queries)
 * until vf_pipeline_free; with a NULL pipeline it is freed at once. A NULL feeder, or one
 * attached before (refused: it stays its pipeline's), fails with VF_ERROR_ARGUMENT. */
VF_API gboolean vf_pipeline_attach_feeder(VfPipeline *pipeline, const char *element,
                                          VfFeeder *feeder, const char *tips, GError **error);

G_END_DECLS
