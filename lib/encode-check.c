/* vidflow: an encode chain refuses, naming the encoder, frame sizes its encoder cannot take
 * (see vidflow/encode.h). */
#include <vidflow/encode.h>

#include "error-private.h"

typedef struct {
  GstElement *encoder; /* not owned: in the same pipeline as the pad the probe is on */
} Check;

/* Streaming thread: the caps event that starts (or changes) the video. */
static GstPadProbeReturn on_caps(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  Check *c = data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
  if (GST_EVENT_TYPE(event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  GstCaps *caps;
  gst_event_parse_caps(event, &caps);
  GstStructure *s = gst_caps_get_structure(caps, 0);
  gint w = 0, h = 0;
  if (!gst_structure_has_name(s, "video/x-raw") || !gst_structure_get_int(s, "width", &w)
      || !gst_structure_get_int(s, "height", &h) || (w >= 2 && h >= 2 && w % 2 == 0 && h % 2 == 0))
    return GST_PAD_PROBE_OK;
  GstElementFactory *f = gst_element_get_factory(c->encoder);
  vf_post_error(c->encoder,
                g_error_new(VF_ERROR, VF_ERROR_FORMAT,
                            "encoder '%s' (%s) cannot encode %dx%d video: H.264 with 4:2:0 colour "
                            "needs an even width and height; scale the video first (videoscale "
                            "and a capsfilter such as video/x-raw,width=%d,height=%d)",
                            GST_ELEMENT_NAME(c->encoder), f ? GST_OBJECT_NAME(f) : "encoder", w, h,
                            MAX(2, w + w % 2), MAX(2, h + h % 2)));
  return GST_PAD_PROBE_DROP; /* the error above is the first one: it is the one reported */
}

gboolean vf_pipeline_check_encoder_input(VfPipeline *pipeline, const char *entry,
                                         const char *encoder, GError **error)
{
  if (pipeline == NULL || entry == NULL || encoder == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "vf_pipeline_check_encoder_input(): needs a pipeline, an entry element and an "
                "encoder element");
    return FALSE;
  }
  GstElement *in = vf_pipeline_get_element(pipeline, entry);
  GstElement *enc = vf_pipeline_get_element(pipeline, encoder);
  if (in == NULL || enc == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "vf_pipeline_check_encoder_input(): no element '%s' in the pipeline: add it first",
                in == NULL ? entry : encoder);
    return FALSE;
  }
  GstPad *pad = gst_element_get_static_pad(in, "sink");
  if (pad == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "vf_pipeline_check_encoder_input(): element '%s' has no 'sink' pad: give the "
                "first element of the encode chain",
                entry);
    return FALSE;
  }
  Check *c = g_new0(Check, 1);
  c->encoder = enc;
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_caps, c, g_free);
  gst_object_unref(pad);
  return TRUE;
}
