/* Flow: batch_capture -> render. The seed's
 *   Flow(Pipeline("playback")).batch_capture(uri_list).render()()
 * With a .yaml argument, the sources come from a Service Maker source-list file (sensor ids and
 * names then reach the frame metadata; a probe prints them for the first batch).
 *
 *   flow-batch-capture [VIDEO | SOURCES.yaml] */
#include "example.h"

static void print_sensors(VfBatchMeta *meta, gpointer user_data)
{
  gboolean *printed = user_data;
  if (*printed)
    return;
  *printed = TRUE;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(meta, i);
    const char *id = vf_frame_meta_get_sensor_id(frame);
    const char *name = vf_frame_meta_get_sensor_name(frame);
    printf("source %u: sensor %s (%s)\n", vf_frame_meta_get_source_id(frame), id ? id : "-",
           name ? name : "-");
  }
}

int main(int argc, char **argv)
{
  const char *v = example_video(argc, argv);
  gboolean printed = FALSE;
  VfFlow *flow = vf_flow_new(vf_pipeline_new("playback"));
  VfFlow *f;
  if (g_str_has_suffix(v, ".yaml") || g_str_has_suffix(v, ".yml")) {
    f = vf_flow_batch_capture_file(flow, v, NULL, NULL);
  } else {
    const char *uris[] = { v, v, v, v, NULL };
    f = vf_flow_batch_capture(flow, uris, NULL, NULL);
  }
  VfProbeCallbacks cb = { .on_batch_meta = print_sensors };
  f = vf_flow_attach(f, vf_probe_new("sensors", &cb, &printed), NULL);
  vf_flow_render(f, example_render_mode(), NULL, NULL);
  return example_run(flow);
}
