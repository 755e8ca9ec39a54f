/* vidflow: sources coming, going and reconnecting, as the application sees them on the bus.
 *
 * vfmux posts an element message when a source joins the batch (a sink pad was requested), leaves
 * it (the pad was released) or ends (its stream reached end of stream); vfurisrcbin posts one
 * each time it is about to reconnect to a lost RTSP source. Watch them with
 * vf_pipeline_add_bus_watch (pipeline.h, GST_MESSAGE_ELEMENT) and read them with
 * vf_source_message_parse:
 *
 *   static void on_message(VfPipeline *p, GstMessage *msg, gpointer data) {
 *     VfSourceMessage s;
 *     if (vf_source_message_parse(msg, &s) && s.type == VF_SOURCE_MESSAGE_RECONNECTING)
 *       g_printerr("%s: reconnecting to %s (attempt %u)\n", s.element, s.uri, s.attempt);
 *   }
 *
 * Sources added and removed while running (VfSources, sources.h) report through the same
 * messages, and VF_SOURCE_MESSAGE_ERROR when one fails.
 *
 * The structures (names in meta.h and below) and their fields, for code that reads them directly:
 *   vf-source-added / vf-source-removed / vf-source-eos (vfmux):
 *     source-id (guint, the sink_%u pad index), pad-name (string)
 *   vf-source-reconnecting (vfurisrcbin):
 *     source-id (gint, its source-id property, -1: none), uri (string), attempt (guint, 1 for the
 *     first attempt after the loss), delay (guint64, nanoseconds until the attempt)
 *   vf-source-error (a source of VfSources, sources.h, that failed and is removed; the pipeline
 *     goes on): source-id (guint), sensor-id (string), uri (string), error (string: what
 *     failed, naming the element), debug (string, nullable) */
#pragma once

#include <gst/gst.h>
#include <vidflow/export.h>
#include <vidflow/meta.h>

G_BEGIN_DECLS

#define VF_SOURCE_RECONNECTING "vf-source-reconnecting"
#define VF_SOURCE_ERROR "vf-source-error"

typedef enum {
  VF_SOURCE_MESSAGE_ADDED = 1,    /* vfmux: a source joined (VF_SOURCE_ADDED) */
  VF_SOURCE_MESSAGE_REMOVED,      /* vfmux: a source left (VF_SOURCE_REMOVED) */
  VF_SOURCE_MESSAGE_EOS,          /* vfmux: a source's stream ended (VF_SOURCE_EOS) */
  VF_SOURCE_MESSAGE_RECONNECTING, /* vfurisrcbin: lost its RTSP source, reconnects after `delay` */
  VF_SOURCE_MESSAGE_ERROR,        /* VfSources: a source failed (`error`) and is being removed */
} VfSourceMessageType;

typedef struct {
  VfSourceMessageType type;
  const char *element;   /* the element that posted it (a vfmux or a vfurisrcbin) */
  gint source_id;        /* vfmux: the sink_%u pad index; vfurisrcbin: its source-id (-1: none) */
  const char *pad_name;  /* (nullable) vfmux's sink pad ("sink_0"); NULL for RECONNECTING */
  const char *uri;       /* (nullable) RECONNECTING, ERROR: the source's URI; NULL otherwise */
  const char *sensor_id; /* (nullable) ERROR: the source's sensor id; NULL otherwise */
  const char *error;     /* (nullable) ERROR: what failed; NULL otherwise */
  guint attempt;         /* RECONNECTING: 1 for the first attempt after the loss; 0 otherwise */
  GstClockTime delay;    /* RECONNECTING: time until the attempt; GST_CLOCK_TIME_NONE otherwise */
} VfSourceMessage;

/* TRUE, with *out filled, when `message` is one of the source messages above; FALSE (out zeroed)
 * for any other message or a NULL one. Strings are (transfer none), valid while the message
 * lives. Any thread. */
VF_API gboolean vf_source_message_parse(GstMessage *message, VfSourceMessage *out);

/* TRUE, with *source_id set, when `event` is vfmux's serialized custom downstream event saying
 * a source ended (vf-source-eos) or left the batch (vf-source-removed): what an element keeps
 * per source (tracks, caches) can go. FALSE (source_id untouched) for any other event or a NULL
 * one. (transfer none) event; source_id (nullable). Any thread. */
VF_API gboolean vf_source_event_is_end(GstEvent *event, guint *source_id);

G_END_DECLS
