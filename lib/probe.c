/* vidflow: VfProbe, user callbacks on the buffers passing one pad: a buffer operator and a
 * batch-metadata operator, on a buffer made writable for them. */
#include "buffer-private.h"
#include "error-private.h"
#include "pipeline-private.h"
#include "probe-private.h"

VfProbe *vf_probe_new(const char *name, const VfProbeCallbacks *callbacks, gpointer user_data)
{
  VfProbe *p = g_new0(VfProbe, 1);
  p->name = g_strdup(name ? name : "probe");
  if (callbacks)
    p->callbacks = *callbacks;
  p->user_data = user_data;
  g_mutex_init(&p->lock);
  if (callbacks == NULL || (callbacks->on_buffer == NULL && callbacks->on_batch_meta == NULL))
    p->attach.invalid
        = g_error_new(VF_ERROR, VF_ERROR_ARGUMENT,
                      "probe '%s' has neither on_buffer() nor on_batch_meta(): a probe "
                      "needs one of them",
                      p->name);
  return p;
}

static void probe_unbind(gpointer data)
{
  VfProbe *probe = data;
  if (probe->pad == NULL)
    return;
  gst_pad_remove_probe(probe->pad, probe->probe_id);
  gst_clear_object(&probe->pad);
}

static void probe_free(gpointer data)
{
  VfProbe *probe = data;
  probe_unbind(probe);
  if (probe->callbacks.destroy)
    probe->callbacks.destroy(probe->user_data);
  g_clear_error(&probe->attach.invalid);
  g_mutex_clear(&probe->lock);
  g_free(probe->name);
  g_free(probe);
}

void vf_probe_free(VfProbe *probe)
{
  /* An attached probe belongs to its pipeline, which frees it. */
  if (probe && !probe->attach.owned)
    probe_free(probe);
}

const char *vf_probe_get_name(const VfProbe *probe)
{
  return probe ? probe->name : NULL;
}

guint64 vf_probe_get_seen(const VfProbe *probe)
{
  if (probe == NULL)
    return 0;
  VfProbe *p = (VfProbe *)probe;
  g_mutex_lock(&p->lock);
  guint64 n = p->seen;
  g_mutex_unlock(&p->lock);
  return n;
}

guint64 vf_probe_get_dropped(const VfProbe *probe)
{
  if (probe == NULL)
    return 0;
  VfProbe *p = (VfProbe *)probe;
  g_mutex_lock(&p->lock);
  guint64 n = p->dropped;
  g_mutex_unlock(&p->lock);
  return n;
}

static GstPadProbeReturn on_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  VfProbe *p = data;
  if (p->read_only) {
    GstCaps *caps = gst_pad_get_current_caps(pad);
    VfBuffer *buffer = vf_buffer_new_from_gst(GST_PAD_PROBE_INFO_BUFFER(info), caps);
    if (caps)
      gst_caps_unref(caps);
    p->callbacks.on_buffer(buffer, p->user_data);
    vf_buffer_unref(buffer);
    g_mutex_lock(&p->lock);
    p->seen++;
    g_mutex_unlock(&p->lock);
    return GST_PAD_PROBE_OK;
  }
  /* Take the buffer out of the probe info, writable (a shallow copy if it is shared). */
  GstBuffer *buf = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
  GST_PAD_PROBE_INFO_DATA(info) = NULL;
  VfProbeReturn ret = VF_PROBE_KEEP;
  if (p->callbacks.on_buffer) {
    GstCaps *caps = gst_pad_get_current_caps(pad);
    /* The VfBuffer holds the only reference, so the callback sees it writable. */
    VfBuffer *buffer = vf_buffer_new_take_gst(buf, caps);
    if (caps)
      gst_caps_unref(caps);
    ret = p->callbacks.on_buffer(buffer, p->user_data);
    buf = vf_buffer_release_gst(buffer);
  }
  if (ret != VF_PROBE_DROP && p->callbacks.on_batch_meta && vf_batch_meta_get(buf)) {
    buf = gst_buffer_make_writable(buf); /* on_buffer may have kept a reference */
    p->callbacks.on_batch_meta(vf_batch_meta_get(buf), p->user_data);
  }
  GST_PAD_PROBE_INFO_DATA(info) = buf;
  g_mutex_lock(&p->lock);
  p->seen++;
  if (ret == VF_PROBE_DROP)
    p->dropped++;
  g_mutex_unlock(&p->lock);
  return ret == VF_PROBE_DROP ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

/* The pad named `spec`, or the element's "src" pad, or its only source pad (transfer full). */
static GstPad *find_pad(GstElement *element, const char *spec, GError **error)
{
  GstPad *pad = NULL;
  if (spec && *spec) {
    pad = gst_element_get_static_pad(element, spec);
  } else {
    pad = gst_element_get_static_pad(element, "src");
    if (pad == NULL && element->numsrcpads == 1)
      pad = gst_object_ref(element->srcpads->data);
  }
  if (pad == NULL)
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND, "element '%s' has no pad '%s' to probe%s",
                GST_ELEMENT_NAME(element), spec && *spec ? spec : "src",
                spec && *spec ? ""
                              : " (its source pads appear later or there are several: name one, or "
                                "probe the element downstream)");
  return pad;
}

static gboolean bind(VfProbe *probe, GstElement *element, const char *pad, GError **error)
{
  if (probe->pad) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "probe '%s' is already attached", probe->name);
    return FALSE;
  }
  probe->pad = find_pad(element, pad, error);
  if (probe->pad == NULL)
    return FALSE;
  probe->probe_id
      = gst_pad_add_probe(probe->pad, GST_PAD_PROBE_TYPE_BUFFER, on_buffer, probe, NULL);
  return TRUE;
}

static const VfAttachedClass probe_class = {
  .kind = "probe",
  .constructor = "vf_probe_new",
  .unbind = probe_unbind,
  .free = probe_free,
};

gboolean vf_pipeline_attach_probe(VfPipeline *pipeline, const char *element, const char *pad,
                                  VfProbe *probe, GError **error)
{
  if (!vf_pipeline_adopt(pipeline, &probe_class, probe, probe ? &probe->attach : NULL,
                         probe ? probe->name : NULL, element, G_STRFUNC, error))
    return FALSE;
  /* Probes may be attached at any time, the pipeline running or not. */
  GstElement *e = vf_pipeline_lookup(pipeline, element, error);
  return e && bind(probe, e, pad, error);
}
