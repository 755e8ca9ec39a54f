/* vidflow: what the pipeline shares with the objects attached to it. */
#pragma once

#include <vidflow/feeder.h>
#include <vidflow/probe.h>
#include <vidflow/receiver.h>

/* property.c: a string or GValue converted by the property's type, range-checked. */
gboolean vf_set_property_from_string(GstElement *element, const char *property, const char *value,
                                     GError **error);
gboolean vf_set_property_value(GstElement *element, const char *property, const GValue *value,
                               GError **error);

/* link.c */
gboolean vf_link_pads(GstElement *src, const char *src_pad, GstElement *sink, const char *sink_pad,
                      GError **error);

/* pipeline.c */
const char *vf_pipeline_get_name(VfPipeline *pipeline);
/* Post an error on the bus as coming from `element` (any thread). */
void vf_post_error(GstElement *element, GError *error);

/* feeder.c: lifecycle driven by the pipeline. */
gboolean vf_feeder_bind(VfFeeder *feeder, GstElement *appsrc, GError **error);
void vf_feeder_start(VfFeeder *feeder);
void vf_feeder_stop(VfFeeder *feeder);

/* receiver.c */
gboolean vf_receiver_bind(VfReceiver *receiver, VfPipeline *pipeline, GstElement *appsink,
                          GError **error);
void vf_receiver_start(VfReceiver *receiver);
/* Waits until the receiver consumed what reached its appsink before EOS. */
void vf_receiver_drain(VfReceiver *receiver);
void vf_receiver_stop(VfReceiver *receiver);
/* Logs a warning if buffers were dropped. */
void vf_receiver_report(VfReceiver *receiver);

/* probe.c */
gboolean vf_probe_bind(VfProbe *probe, GstElement *element, const char *pad, GError **error);
void vf_probe_unbind(VfProbe *probe);
