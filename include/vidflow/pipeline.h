/* vidflow: VfPipeline, build and run a GStreamer graph (the seed's Pipeline).
 *
 *   VfPipeline *p = vf_pipeline_new("demo");
 *   vf_pipeline_add(p, "videotestsrc", "src", &err, "num-buffers", "100", NULL);
 *   vf_pipeline_add(p, "fakesink", "sink", &err, NULL);
 *   vf_pipeline_link(p, &err, "src", "sink", NULL);
 *   vf_pipeline_run(p, &err);     // start + wait
 *   vf_pipeline_free(p);
 *
 * Threads: build the pipeline (add/set/link/attach) from one thread. start, wait, stop, pause,
 * resume and get_state may be called from any application thread; send_eos from any thread,
 * callbacks included. Never call stop or free from inside a feeder, receiver or probe callback
 * (they would wait for themselves): return VF_CONSUME_STOP or call vf_pipeline_send_eos instead.
 * Bus watches (below) say what their callbacks may call.
 *
 * Bad arguments (error.h): a NULL pipeline, element name or property fails with
 * VF_ERROR_ARGUMENT; vf_pipeline_free(NULL), stop(NULL) and send_eos(NULL) do nothing. */
#pragma once

#include <gst/gst.h>
#include <vidflow/error.h>

G_BEGIN_DECLS

typedef struct _VfPipeline VfPipeline;

typedef enum {
  VF_STATE_NULL = 0, /* built or stopped */
  VF_STATE_READY,
  VF_STATE_PAUSED,
  VF_STATE_PLAYING,
} VfState;

/* Initialise GStreamer and find the vidflow plugin (idempotent; vf_pipeline_new calls it). */
VF_API gboolean vf_init(GError **error);

/* A new, empty pipeline (transfer full). `name` may be NULL (GStreamer picks one). NULL only when
 * vf_init fails (vf_init(&error) says why). */
VF_API VfPipeline *vf_pipeline_new(const char *name);
/* Stops the pipeline if needed, joins every vidflow thread, frees everything, runs the destroy
 * callbacks of attached providers, retrievers and probes. NULL is ignored. */
VF_API void vf_pipeline_free(VfPipeline *pipeline);

/* Add an element made by `factory`, named `name`, followed by property name/value string pairs
 * ending with NULL. Values are converted by each property's type as gst-launch does: numbers,
 * booleans (true/false/yes/no/1/0), enums by nick, name or number, flags ("a+b"), fractions
 * ("30/1"), caps and structures. `factory` may be a DeepStream name (nvstreammux, nvinfer, ...):
 * the vidflow element that stands for it is made, its properties taken in DeepStream's spelling
 * (vidflow/nvidia.h). */
VF_API gboolean vf_pipeline_add(VfPipeline *pipeline, const char *factory, const char *name,
                                GError **error, ...) G_GNUC_NULL_TERMINATED;
/* The same with a NULL-terminated array {name, value, name, value, ..., NULL} (may be NULL). A name
 * without a value fails with VF_ERROR_VALUE. */
VF_API gboolean vf_pipeline_addv(VfPipeline *pipeline, const char *factory, const char *name,
                                 const char *const *properties, GError **error);

/* Set a property of a named element from a string (converted as in vf_pipeline_add). */
VF_API gboolean vf_pipeline_set(VfPipeline *pipeline, const char *element, const char *property,
                                const char *value, GError **error);
/* Typed setters; the value must fit the property's type and range. set_value: an initialised
 * GValue (transfer none); set_string with NULL clears a string property. */
VF_API gboolean vf_pipeline_set_value(VfPipeline *pipeline, const char *element,
                                      const char *property, const GValue *value, GError **error);
VF_API gboolean vf_pipeline_set_int(VfPipeline *pipeline, const char *element, const char *property,
                                    gint64 value, GError **error);
VF_API gboolean vf_pipeline_set_double(VfPipeline *pipeline, const char *element,
                                       const char *property, gdouble value, GError **error);
VF_API gboolean vf_pipeline_set_bool(VfPipeline *pipeline, const char *element,
                                     const char *property, gboolean value, GError **error);
VF_API gboolean vf_pipeline_set_string(VfPipeline *pipeline, const char *element,
                                       const char *property, const char *value, GError **error);

/* (transfer none, nullable) the element called `name`, or NULL. */
VF_API GstElement *vf_pipeline_get_element(VfPipeline *pipeline, const char *name);
/* (transfer none) the underlying GstPipeline (NULL for a NULL pipeline). Its bus: see "the bus"
 * below before installing a sync handler or a bus watch of your own. */
VF_API GstElement *vf_pipeline_get_gst_pipeline(VfPipeline *pipeline);

/* Link a chain of named elements, NULL-terminated: link(p, &err, "a", "b", "c", NULL).
 * Sources whose pads appear later (uridecodebin, decodebin, demuxers) link when they appear. */
VF_API gboolean vf_pipeline_link(VfPipeline *pipeline, GError **error, const char *first,
                                 ...) G_GNUC_NULL_TERMINATED;
/* Link with pad specs, the seed's link(("src", "mux"), ("", "sink_%u")). A pad spec is NULL or ""
 * (any compatible pad), a pad name ("src_1"), or a request template ("sink_%u"). A request pad is
 * only requested once the source pad exists, so a source that never produces a pad leaves no
 * dangling pad on a muxer. */
VF_API gboolean vf_pipeline_link_pads(VfPipeline *pipeline, const char *src, const char *src_pad,
                                      const char *sink, const char *sink_pad, GError **error);

/* Set PLAYING and return once it is running (or prerolling sources take longer than `timeout`,
 * see vf_pipeline_set_start_timeout: then it returns TRUE and wait() reports later errors). */
VF_API gboolean vf_pipeline_start(VfPipeline *pipeline, GError **error);
/* Block until end of stream reached every sink and every receiver consumed its last buffer, or an
 * error, or stop(). Then the pipeline is stopped (NULL). Returns FALSE with the error (naming the
 * element) on error. A retriever returning VF_CONSUME_STOP ends it with TRUE.
 * The end of a run has deadlines, so wait() always returns:
 * - the drain (end of stream asked for with send_eos, the first Ctrl-C or VF_CONSUME_STOP, until
 *   it reached every sink and every receiver consumed what was queued; or from the moment it
 *   reached the sinks by itself) gets the drain timeout (default 30 s). Past it the pipeline is
 *   stopped and wait() fails with VF_ERROR_TIMEOUT naming what was stuck ("receiver 'r' (appsink
 *   'sink') has been in consume() for 31.0 s").
 * - once the run ends, every feeder and receiver is told (vf_feeder_get_cancellable,
 *   vf_receiver_get_cancellable; a VfFrameQueue push/pop inside the callback returns
 *   VF_QUEUE_CANCELLED) and gets the stop timeout (default 5 s) to return from generate() or
 *   consume(). One that does not is left to return on its own thread (its feeder/receiver is freed
 *   once it does) and a warning naming it is posted on the bus (watches see it before wait()
 *   returns). */
VF_API gboolean vf_pipeline_wait(VfPipeline *pipeline, GError **error);
/* start + wait. */
VF_API gboolean vf_pipeline_run(VfPipeline *pipeline, GError **error);
/* Stop at once (to NULL), dropping what is in flight; wakes a concurrent wait(). Idempotent.
 * Returns within the stop timeout even when a generate() or consume() does not return (see
 * wait()). */
VF_API void vf_pipeline_stop(VfPipeline *pipeline);
/* Ask for a clean end: end of stream from every source; wait() returns once it drained (or the
 * drain timeout passed). On a pipeline that is not running (not started, stopping, stopped) it
 * does nothing. */
VF_API void vf_pipeline_send_eos(VfPipeline *pipeline);
VF_API gboolean vf_pipeline_pause(VfPipeline *pipeline, GError **error);
VF_API gboolean vf_pipeline_resume(VfPipeline *pipeline, GError **error);
VF_API VfState vf_pipeline_get_state(VfPipeline *pipeline);
/* How long start() waits for prerolling (default 10 s). */
VF_API void vf_pipeline_set_start_timeout(VfPipeline *pipeline, GstClockTime timeout);
/* How long a drain may take before wait() stops the pipeline (see wait(); default 30 s,
 * GST_CLOCK_TIME_NONE: no limit). Any thread, also while wait() runs. */
VF_API void vf_pipeline_set_drain_timeout(VfPipeline *pipeline, GstClockTime timeout);
/* How long stopping waits for a generate() or consume() to return once told to (see wait();
 * default 5 s, GST_CLOCK_TIME_NONE: no limit). Before start(). */
VF_API void vf_pipeline_set_stop_timeout(VfPipeline *pipeline, GstClockTime timeout);

/* ---- the bus: every message of the pipeline, for the application ----
 *
 * Each message the pipeline posts goes first to vidflow (end of stream, errors: what wait()
 * returns on), then to every watch whose `types` include the message's type:
 * - on_sync_message runs on the thread that posted the message (a streaming thread, or the
 *   application thread changing the pipeline's state), before the message reaches the GstBus.
 *   For what must be answered at once, e.g. GST_MESSAGE_NEED_CONTEXT (gst_element_set_context on
 *   the message's source). Keep it short and never block; never stop, pause, resume, wait or
 *   free the pipeline from it (vf_pipeline_send_eos is fine).
 * - on_message runs later on the pipeline's bus thread (one per pipeline, started by the first
 *   watch that has an on_message), one message at a time, in posting order: errors, warnings,
 *   source messages (source.h), state changes, element messages such as `level`'s. It may call
 *   send_eos, stop, pause, resume and add/remove watches; never wait or free.
 * Neither runs with a vidflow lock held. The pipeline (transfer none) and the message (transfer
 * none: gst_message_ref it to keep it) are valid during the call. A watch gets the messages
 * posted after it was added. vf_pipeline_wait returns only after on_message was called for
 * every message posted until the pipeline stopped, so watches see the end of stream or the error
 * that ended a run before wait() returns (an on_message that blocks holds wait() up);
 * vf_pipeline_free delivers what is still queued, then removes every watch.
 *
 * The GstBus: vidflow does not read it. Its sync handler frees every message, so nothing piles up
 * and nobody needs to pop it, and gst_bus_add_watch / gst_bus_pop see nothing. To use GStreamer's
 * bus API instead (a GMainLoop bus watch, gst_bus_timed_pop), clear that handler first with
 * gst_bus_set_sync_handler(bus, NULL, NULL, NULL): messages then queue on the bus as usual (pop
 * them, or the queue grows; GstPipeline flushes its bus when it goes to NULL unless
 * auto-flush-bus is FALSE) and vf_pipeline_wait keeps working, as it sees messages before the
 * bus does. (Setting a sync handler over an installed one is refused by GStreamer.) */
typedef struct {
  /* On the posting thread (see above). May be NULL. */
  void (*on_sync_message)(VfPipeline *pipeline, GstMessage *message, gpointer user_data);
  /* On the pipeline's bus thread (see above). May be NULL, but not together with
   * on_sync_message. */
  void (*on_message)(VfPipeline *pipeline, GstMessage *message, gpointer user_data);
  /* Optional: frees user_data once the watch is removed (or the pipeline freed) and its last call
   * returned; on the thread that removes it or that ends that last call. */
  void (*destroy)(gpointer user_data);
} VfBusWatchCallbacks;

/* Watch the pipeline's messages of `types` (a GstMessageType mask; GST_MESSAGE_ANY: all).
 * Returns the watch's id (> 0), or 0 with *error set; then no callback runs, destroy included
 * (user_data stays the caller's). Any thread, any time before vf_pipeline_free, from a bus
 * callback too. */
VF_API guint vf_pipeline_add_bus_watch(VfPipeline *pipeline, GstMessageType types,
                                       const VfBusWatchCallbacks *callbacks, gpointer user_data,
                                       GError **error);
/* Remove watch `id`: its callbacks are not called again, messages already queued for it included
 * (a call that already started on another thread may still be running); then destroy runs as
 * said above.
 * FALSE with VF_ERROR_NOT_FOUND for an unknown id. Any thread, from the watch's own callbacks
 * too. */
VF_API gboolean vf_pipeline_remove_bus_watch(VfPipeline *pipeline, guint id, GError **error);

/* For programs: the first Ctrl-C (SIGINT/SIGTERM) sends end of stream to the pipelines being
 * waited on, so files are finalised; a second one stops them and wait() fails with
 * VF_ERROR_INTERRUPTED. Installs the signal handlers once per process (and a thread that wakes
 * start() and wait()); call it first thing.
 * Interrupts count from this call on: one that comes while the program builds or starts a
 * pipeline is acted on as soon as wait() runs (it drains what start() prerolled; two make start()
 * return at once and wait() stop). An interrupt a wait() acted on is not acted on again by a later
 * wait(). When no start() or wait() runs, a second pending interrupt ends the process at
 * once with exit status 130; while one runs, a third does (the program is stuck outside
 * vidflow). */
VF_API void vf_handle_interrupts(void);

G_END_DECLS
