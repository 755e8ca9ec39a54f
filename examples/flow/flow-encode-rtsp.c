/* Flow: capture -> encode to RTSP, served at rtsp://localhost:PORT/ds-test. A client in the same
 * program (rtspsrc) watches it for a few seconds, then the flow ends cleanly (EOS).
 *
 *   flow-encode-rtsp [VIDEO] [PORT] [SECONDS]   (port default 8554, 0: any free port; 5 s) */
#include "example.h"

static GstPadProbeReturn count(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  (void)info;
  g_atomic_int_inc((gint *)data);
  return GST_PAD_PROBE_OK;
}

int main(int argc, char **argv)
{
  const char *uris[] = { example_video(argc, argv), NULL };
  char *dest = g_strdup_printf("rtsp://127.0.0.1:%s", argc > 2 ? argv[2] : "8554");
  guint seconds = argc > 3 ? (guint)atoi(argv[3]) : 5;
  GError *error = NULL;
  VfFlow *flow = vf_flow_new(vf_pipeline_new("test"));
  vf_flow_encode(vf_flow_capture(flow, uris, NULL, "file_loop", "true", NULL), dest, 0, 0, 0, NULL,
                 "sync", "true", NULL);
  g_free(dest);
  if (!vf_flow_start(flow, &error)) {
    fprintf(stderr, "error: %s\n", error->message);
    g_error_free(error);
    vf_flow_free(flow);
    return 1;
  }
  char *url = vf_flow_get_rtsp_url(flow, 0);
  printf("serving %s\n", url);
  /* a client */
  gint frames = 0;
  char *desc = g_strdup_printf("rtspsrc location=%s latency=0 protocols=tcp ! rtph264depay ! "
                               "avdec_h264 ! fakesink name=sink sync=false",
                               url);
  GstElement *client = gst_parse_launch(desc, NULL);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(client), "sink");
  GstPad *pad = gst_element_get_static_pad(sink, "sink");
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, count, &frames, NULL);
  gst_object_unref(pad);
  gst_object_unref(sink);
  gst_element_set_state(client, GST_STATE_PLAYING);
  g_usleep(seconds * G_USEC_PER_SEC);
  gst_element_set_state(client, GST_STATE_NULL);
  gst_object_unref(client);
  g_free(desc);
  g_free(url);
  vf_pipeline_send_eos(vf_flow_get_pipeline(flow));
  gboolean ok = vf_flow_wait(flow, &error);
  if (!ok) {
    fprintf(stderr, "error: %s\n", error->message);
    g_error_free(error);
  }
  vf_flow_free(flow);
  printf("the client received %d frames\n", frames);
  return ok && frames > 0 ? 0 : 1;
}
