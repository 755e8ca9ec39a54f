/* Flow: the seed's test4 — batch_capture -> infer -> attach add_message_meta_probe -> fork ->
 * publish + render. The seed's
 *   flow = Flow(Pipeline("publish")).batch_capture(uris).infer(pgie_config)
 *              .attach(what="add_message_meta_probe", name="message_generator").fork()
 *   flow.publish(msg_broker_proto_lib=..., msg_broker_conn_str=..., topic=...,
 *                msg_conv_config=...)
 *   flow.render()
 *   flow()
 * Events (DeepStream's full schema) go to the broker CONN_STR: a JSON lines file here, or
 * mqtt://host:port/topic, redis://host:port/stream, kafka://host:port/topic, "host;port" with
 * PROTO_LIB. At the end it says how many events vfmsgconv made and the broker acknowledged,
 * and fails unless they match.
 *
 *   flow-publish [--max-frames N] CONFIG VIDEO CONN_STR [MSGCONV_CONFIG [PROTO_LIB]]
 *   (exits 77, "skipped", when vfinfer or CONFIG is missing) */
#include "example.h"

static GstElement *find(VfFlow *flow, const char *factory)
{
  GstIterator *it
      = gst_bin_iterate_elements(GST_BIN(vf_pipeline_get_gst_pipeline(vf_flow_get_pipeline(flow))));
  GValue item = G_VALUE_INIT;
  GstElement *found = NULL;
  while (!found && gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object(&item);
    if (g_str_equal(GST_OBJECT_NAME(gst_element_get_factory(e)), factory))
      found = gst_object_ref(e);
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
  return found;
}

typedef struct {
  VfPipeline *pipeline;
  guint64 max, seen;
} Limit;

/* --max-frames: end of stream after N batches, later ones dropped. Streaming thread. */
static VfProbeReturn limit(VfBuffer *buffer, gpointer user_data)
{
  (void)buffer;
  Limit *l = user_data;
  if (++l->seen == l->max)
    vf_pipeline_send_eos(l->pipeline);
  return l->max == 0 || l->seen <= l->max ? VF_PROBE_KEEP : VF_PROBE_DROP;
}

int main(int argc, char **argv)
{
  vf_init(NULL);
  Limit lim = { 0 };
  if (argc > 2 && g_str_equal(argv[1], "--max-frames")) {
    lim.max = g_ascii_strtoull(argv[2], NULL, 10);
    argc -= 2;
    argv += 2;
  }
  GstElementFactory *infer = gst_element_factory_find("vfinfer");
  if (infer == NULL || argc < 4 || !g_file_test(argv[1], G_FILE_TEST_EXISTS)) {
    fprintf(stderr, "skipped: %s\n",
            infer ? "usage: flow-publish CONFIG VIDEO CONN_STR [MSGCONV_CONFIG [PROTO_LIB]]"
                  : "this build has no vfinfer element yet");
    if (infer)
      gst_object_unref(infer);
    return EXAMPLE_SKIP;
  }
  gst_object_unref(infer);
  const char *uris[] = { argv[2], NULL };
  const char *msgconv = argc > 4 ? argv[4] : NULL, *proto_lib = argc > 5 ? argv[5] : NULL;
  VfFlow *flow = vf_flow_new(vf_pipeline_new("publish"));
  lim.pipeline = vf_flow_get_pipeline(flow);
  VfProbeCallbacks cb = { .on_buffer = limit };
  VfFlow *f = vf_flow_attach(vf_flow_batch_capture(flow, uris, NULL, NULL),
                             vf_probe_new("limit", &cb, &lim), NULL);
  f = vf_flow_infer(f, argv[1], NULL, NULL);
  f = vf_flow_attach_named(f, VF_PROBE_ADD_MESSAGE_META, "message_generator", NULL,
                           "frame-interval", "10", NULL);
  f = vf_flow_fork(f, NULL, NULL);
  vf_flow_publish(f, proto_lib, argv[3], NULL, msgconv, NULL, NULL);
  vf_flow_render(f, example_render_mode(), NULL, NULL);
  GstElement *conv = find(flow, "vfmsgconv"), *broker = find(flow, "vfmsgbroker");
  int status = example_run_keep(flow);
  guint64 made = 0, acknowledged = 0;
  if (conv && broker) {
    g_object_get(conv, "payloads", &made, NULL);
    g_object_get(broker, "acknowledged", &acknowledged, NULL);
  }
  printf("events published: %" G_GUINT64_FORMAT " made, %" G_GUINT64_FORMAT " acknowledged by %s\n",
         made, acknowledged, argv[3]);
  if (status == 0 && (made == 0 || acknowledged != made)) {
    fprintf(stderr, "error: not every event was delivered\n");
    status = 1;
  }
  if (conv)
    gst_object_unref(conv);
  if (broker)
    gst_object_unref(broker);
  vf_flow_free(flow);
  return status;
}
