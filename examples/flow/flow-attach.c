/* Flow: batch_capture -> attach -> render. Probes by name (a built-in one, the seed's
 * attach(what="measure_fps_probe")) and by object (a metadata operator counting frames per
 * source).
 *
 *   flow-attach [VIDEO] */
#include "example.h"

typedef struct {
  guint64 frames[2];
} Counter;

static void handle_metadata(VfBatchMeta *meta, gpointer user_data)
{
  Counter *c = user_data;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++) {
    guint source = vf_frame_meta_get_source_id(vf_batch_meta_get_frame(meta, i));
    if (source < 2)
      c->frames[source]++;
  }
}

int main(int argc, char **argv)
{
  const char *v = example_video(argc, argv);
  const char *uris[] = { v, v, NULL };
  Counter c = { { 0, 0 } };
  VfProbeCallbacks cb = { .on_batch_meta = handle_metadata };
  VfFlow *flow = vf_flow_new(vf_pipeline_new("attach"));
  VfFlow *f = vf_flow_batch_capture(flow, uris, NULL, "width", "640", "height", "360", NULL);
  f = vf_flow_attach_named(f, "measure_fps_probe", "fps", NULL, NULL);
  f = vf_flow_attach(f, vf_probe_new("counter", &cb, &c), NULL);
  vf_flow_render(f, VF_RENDER_DISCARD, NULL, NULL);
  int status = example_run(flow);
  printf("frames: source 0 %" G_GUINT64_FORMAT ", source 1 %" G_GUINT64_FORMAT "\n", c.frames[0],
         c.frames[1]);
  return status == 0 && c.frames[0] > 0 && c.frames[0] == c.frames[1] ? 0 : 1;
}
