/* Flow: fork. The seed's transcode to RTSP and to a file while showing it:
 *   flow = Flow(pipeline).capture([...]).batch().fork()
 *   flow.encode(dest, sync=True); flow.encode("/tmp/sample.mp4"); flow.render(sync=True); flow()
 * The RTSP stream is at rtsp://localhost:PORT/ds-test.
 *
 *   flow-fork [VIDEO] [PORT]   (port default 8554; 0: any free port) */
#include "example.h"

int main(int argc, char **argv)
{
  const char *uris[] = { example_video(argc, argv), NULL };
  char *dest = g_strdup_printf("rtsp://localhost:%s", argc > 2 ? argv[2] : "8554");
  char *file = g_build_filename(g_get_tmp_dir(), "sample.mp4", NULL);
  VfFlow *flow = vf_flow_new(vf_pipeline_new("test"));
  VfFlow *forked = vf_flow_fork(
      vf_flow_batch(vf_flow_capture(flow, uris, NULL, NULL), 0, 640, 360, NULL, NULL), NULL, NULL);
  vf_flow_encode(forked, dest, 0, 0, 0, NULL, "sync", "true", NULL);
  vf_flow_encode(forked, file, 0, 0, 0, NULL, NULL);
  vf_flow_render(forked, example_render_mode(), NULL, "sync", "true", NULL);
  int status = example_run(flow);
  if (status == 0)
    printf("wrote %s\n", file);
  g_free(dest);
  g_free(file);
  return status;
}
