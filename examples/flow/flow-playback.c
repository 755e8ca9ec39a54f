/* Flow: capture -> render. The seed's "playback a mp4 video":
 *   Flow(Pipeline("playback")).capture([video_file]).render()()
 *
 *   flow-playback [VIDEO]   (a path or URI; default data/footage/vtest.avi) */
#include "example.h"

int main(int argc, char **argv)
{
  const char *uris[] = { example_video(argc, argv), NULL };
  VfFlow *flow = vf_flow_new(vf_pipeline_new("playback"));
  vf_flow_render(vf_flow_capture(flow, uris, NULL, NULL), example_render_mode(), NULL, NULL);
  return example_run(flow);
}
