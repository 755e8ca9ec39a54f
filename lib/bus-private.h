/* vidflow: the pipeline's messages, seen before they reach its GstBus (bus.c). */
#pragma once

#include <vidflow/pipeline.h>

/* vidflow's own handling of a message (the pipeline's run state), on the posting thread. */
typedef void (*VfBusHandler)(GstMessage *message, gpointer data);

/* A GstPipeline called `name` (transfer full, not floating) whose messages go, on the thread that
 * posts them and before they reach its GstBus, first to handler(handler_data), then to the sync
 * callbacks of the watches, then (queued) to the async callbacks on the pipeline's bus thread.
 * Callbacks get `owner`. Its GstBus frees every message (a sync handler that drops them). */
GstElement *vf_bus_pipeline_new(const char *name, VfPipeline *owner, VfBusHandler handler,
                                gpointer handler_data);
/* See vf_pipeline_add_bus_watch (arguments checked there); 0 once shut down. */
guint vf_bus_add_watch(GstElement *pipeline, GstMessageType types,
                       const VfBusWatchCallbacks *callbacks, gpointer user_data);
/* FALSE when there is no watch `id`. */
gboolean vf_bus_remove_watch(GstElement *pipeline, guint id);
/* Returns once the bus thread delivered every message queued before the call (at once on the
 * bus thread itself, or when there is none). */
void vf_bus_flush(GstElement *pipeline);
/* Before the owner goes: the handler and the callbacks are not called again (waits for calls in
 * progress on other threads), the bus thread delivers what is queued and ends, every watch is
 * removed. Later messages go straight to the GstBus. */
void vf_bus_shutdown(GstElement *pipeline);
