/* Flow: batch_capture x4 -> infer -> render. The seed's
 *   Flow(Pipeline("infer")).batch_capture(uri_list).infer(pgie_config).render()()
 * A probe counts the objects found (the seed's BatchMetadataOperator).
 *
 *   flow-infer CONFIG [VIDEO]   (exits 77, "skipped", when vfinfer or CONFIG is missing) */
#include "example.h"

static void count_objects(VfBatchMeta *meta, gpointer user_data)
{
  guint64 *objects = user_data;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++)
    *objects += vf_frame_meta_get_n_objects(vf_batch_meta_get_frame(meta, i));
}

int main(int argc, char **argv)
{
  vf_init(NULL);
  GstElementFactory *infer = gst_element_factory_find("vfinfer");
  if (infer == NULL || argc < 2 || !g_file_test(argv[1], G_FILE_TEST_EXISTS)) {
    fprintf(stderr, "skipped: %s\n",
            infer ? "no model configuration given (flow-infer CONFIG)"
                  : "this build has no vfinfer element yet");
    if (infer)
      gst_object_unref(infer);
    return EXAMPLE_SKIP;
  }
  gst_object_unref(infer);
  const char *v = example_video(argc - 1, argv + 1);
  const char *uris[] = { v, v, v, v, NULL };
  guint64 objects = 0;
  VfProbeCallbacks cb = { .on_batch_meta = count_objects };
  VfFlow *flow = vf_flow_new(vf_pipeline_new("infer"));
  VfFlow *f = vf_flow_infer(vf_flow_batch_capture(flow, uris, NULL, NULL), argv[1], NULL, NULL);
  f = vf_flow_attach(f, vf_probe_new("objects", &cb, &objects), NULL);
  vf_flow_render(f, example_render_mode(), NULL, NULL);
  int status = example_run(flow);
  printf("objects found: %" G_GUINT64_FORMAT "\n", objects);
  return status;
}
