/* Flow: capture -> render(DISCARD). The seed's
 *   Flow(Pipeline("playback")).capture([video_file]).render(mode=RenderMode.DISCARD)()
 *
 *   flow-discard [VIDEO] */
#include "example.h"

int main(int argc, char **argv)
{
  const char *uris[] = { example_video(argc, argv), NULL };
  VfFlow *flow = vf_flow_new(vf_pipeline_new("playback"));
  vf_flow_render(vf_flow_capture(flow, uris, NULL, NULL), VF_RENDER_DISCARD, NULL, NULL);
  return example_run(flow);
}
