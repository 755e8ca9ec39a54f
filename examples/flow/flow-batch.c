/* Flow: capture x4 -> batch -> render (tiled). The seed's
 *   Flow(Pipeline("playback")).capture(uri_list).batch().render()()
 * batch() defaults: batch size = number of streams, 1920x1080.
 *
 *   flow-batch [VIDEO] */
#include "example.h"

int main(int argc, char **argv)
{
  const char *v = example_video(argc, argv);
  const char *uris[] = { v, v, v, v, NULL };
  VfFlow *flow = vf_flow_new(vf_pipeline_new("playback"));
  VfFlow *f = vf_flow_batch(vf_flow_capture(flow, uris, NULL, NULL), 0, 0, 0, NULL, NULL);
  vf_flow_render(f, example_render_mode(), NULL, NULL);
  return example_run(flow);
}
