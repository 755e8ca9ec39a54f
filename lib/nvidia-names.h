/* vidflow: DeepStream names inside the library (vidflow/nvidia.h is the public side). */
#pragma once

#include <vidflow/nvidia.h>

#include <gst/gst.h>

/* The element for `factory` (transfer full, not floating): a GStreamer factory as it is, or a
 * DeepStream name through the table (its vidflow element, the fallback, or a bin that does what
 * the DeepStream element does), then remembering the name for its properties. NULL with an error
 * naming the factory and the way out. (pipeline.c: vf_pipeline_add.) */
GstElement *vf_element_new(const char *factory, const char *name, GError **error);

/* Is `factory` a GStreamer factory, or a DeepStream name the table knows? */
gboolean vf_element_factory_known(const char *factory);

/* Flow: its elements take DeepStream's property spellings too (the seed's kwargs): `element`, made
 * for a vidflow factory, gets the row of the DeepStream element it stands for, if any. */
void vf_nvidia_adopt(GstElement *element);

/* Does `element` (made for a DeepStream name, or adopted) take `property` through the table
 * (mapped or ignored), though it has no property of that name? */
gboolean vf_nvidia_knows_property(GstElement *element, const char *property);

typedef enum {
  VF_NVIDIA_AS_IS,  /* not the table's business: set the property as it is */
  VF_NVIDIA_DONE,   /* set (mapped) or ignored */
  VF_NVIDIA_FAILED, /* *error is set */
} VfNvidiaResult;

/* property.c: a property set on an element made for a DeepStream name, in DeepStream's spelling
 * (mapped, converted, handed to the element inside a bin, or ignored and told once). */
VfNvidiaResult vf_nvidia_set_property(GstElement *element, const char *property, const char *value,
                                      GError **error);

/* property.c: caps written with DeepStream's memory:NVMM (transfer full), or NULL when `caps` has
 * none. For appsrc they are CPU frames; for other elements CPU frames or vidflow batches
 * (memory:NVMM is also what DeepStream's batches are in). Told once. */
char *vf_nvidia_translate_caps(GstElement *element, const char *caps);

/* yaml-graph.c: DeepStream's spelling of a module's custom object ("measure_fps_probe.
 * measure_fps_probe") for one vidflow has built in: the built-in's name (transfer none), else
 * `type` itself. */
const char *vf_nvidia_object_name(const char *type);
