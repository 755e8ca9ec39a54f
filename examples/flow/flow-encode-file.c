/* Flow: capture -> encode to a file. The seed's
 *   Flow(pipeline).capture([video_file]).encode("output.mp4", sync=True)()
 *
 *   flow-encode-file [VIDEO] [OUTPUT.mp4]   (default output.mp4 in the temp folder) */
#include "example.h"

int main(int argc, char **argv)
{
  const char *uris[] = { example_video(argc, argv), NULL };
  char *out = argc > 2 ? g_strdup(argv[2]) : g_build_filename(g_get_tmp_dir(), "output.mp4", NULL);
  VfFlow *flow = vf_flow_new(vf_pipeline_new("test"));
  vf_flow_encode(vf_flow_capture(flow, uris, NULL, NULL), out, VF_PROFILE_BASELINE, 0, 0, NULL,
                 "sync", "true", NULL);
  int status = example_run(flow);
  if (status == 0)
    printf("wrote %s\n", out);
  g_free(out);
  return status;
}
