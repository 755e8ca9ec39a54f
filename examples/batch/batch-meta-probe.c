/* A probe that prints the metadata of each batch (the seed's BatchMetadataOperator).
 *
 * Two sources are batched by vfmux. A batch-metadata operator on the muxer adds a pretend
 * detection to each frame (what vfinfer will do), and a second one downstream prints every batch:
 * frames, their sources, frame numbers, timestamps, sizes and objects. The built-in
 * measure_fps_probe and measure_latency_probe run alongside.
 *
 *   batch-meta-probe [frames]   (default 10) */
#include <stdio.h>
#include <stdlib.h>
#include <vidflow/vidflow.h>

static void detect(VfBatchMeta *meta, gpointer user_data)
{
  (void)user_data;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(meta, i);
    const GstVideoInfo *info = vf_frame_meta_get_video_info(frame);
    VfObjectMeta *obj = vf_object_meta_new();
    VfRect box = { GST_VIDEO_INFO_WIDTH(info) / 4.0f, GST_VIDEO_INFO_HEIGHT(info) / 4.0f,
                   GST_VIDEO_INFO_WIDTH(info) / 2.0f, GST_VIDEO_INFO_HEIGHT(info) / 2.0f };
    vf_object_meta_set_class_id(obj, 0);
    vf_object_meta_set_label(obj, "person");
    vf_object_meta_set_confidence(obj, 0.9f);
    vf_object_meta_set_detector_bbox(obj, &box);
    vf_frame_meta_add_object(frame, obj);
    vf_object_meta_unref(obj);
  }
}

typedef struct {
  guint batches;
  guint objects;
} Printer;

static void print_batch(VfBatchMeta *meta, gpointer user_data)
{
  Printer *pr = user_data;
  guint n = vf_batch_meta_get_n_frames(meta);
  printf("batch %u: %u of %u frames\n", pr->batches++, n, vf_batch_meta_get_max_frames(meta));
  for (guint i = 0; i < n; i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(meta, i);
    const GstVideoInfo *info = vf_frame_meta_get_video_info(frame);
    printf("  frame %u: source %u, frame number %" G_GUINT64_FORMAT ", pts %" GST_TIME_FORMAT
           ", %dx%d %s (original %ux%u), %u object(s)\n",
           vf_frame_meta_get_batch_index(frame), vf_frame_meta_get_source_id(frame),
           vf_frame_meta_get_frame_number(frame), GST_TIME_ARGS(vf_frame_meta_get_pts(frame)),
           GST_VIDEO_INFO_WIDTH(info), GST_VIDEO_INFO_HEIGHT(info), GST_VIDEO_INFO_NAME(info),
           vf_frame_meta_get_original_width(frame), vf_frame_meta_get_original_height(frame),
           vf_frame_meta_get_n_objects(frame));
    /* A snapshot of references: safe to keep, count, iterate twice. */
    GPtrArray *objects = vf_frame_meta_get_objects(frame);
    for (guint k = 0; k < objects->len; k++) {
      VfObjectMeta *obj = g_ptr_array_index(objects, k);
      VfRect r;
      vf_object_meta_get_detector_bbox(obj, &r);
      printf("    object: class %d '%s' %.2f at (%.0f, %.0f) %.0fx%.0f\n",
             vf_object_meta_get_class_id(obj), vf_object_meta_get_label(obj),
             vf_object_meta_get_confidence(obj), r.left, r.top, r.width, r.height);
      pr->objects++;
    }
    g_ptr_array_unref(objects);
  }
}

int main(int argc, char **argv)
{
  const char *frames = argc > 1 ? argv[1] : "10";
  GError *error = NULL;
  vf_handle_interrupts();
  VfPipeline *p = vf_pipeline_new("batch-meta-probe");
  Printer printer = { 0 };
  VfProbeCallbacks detect_cb = { 0 }, print_cb = { 0 };
  detect_cb.on_batch_meta = detect;
  print_cb.on_batch_meta = print_batch;
  gboolean ok
      = p != NULL && vf_pipeline_add(p, "videotestsrc", "src0", &error, "num-buffers", frames, NULL)
        && vf_pipeline_add(p, "videotestsrc", "src1", &error, "num-buffers", frames, "pattern",
                           "ball", NULL)
        && vf_pipeline_add(p, "capsfilter", "caps1", &error, "caps",
                           "video/x-raw,width=640,height=360", NULL)
        && vf_pipeline_add(p, "vfmux", "mux", &error, "width", "320", "height", "240",
                           "enable-padding", "true", NULL)
        && vf_pipeline_add(p, "queue", "queue", &error, NULL)
        && vf_pipeline_add(p, "fakesink", "sink", &error, NULL)
        && vf_pipeline_link_pads(p, "src0", NULL, "mux", "sink_%u", &error)
        && vf_pipeline_link(p, &error, "src1", "caps1", NULL)
        && vf_pipeline_link_pads(p, "caps1", NULL, "mux", "sink_%u", &error)
        && vf_pipeline_link(p, &error, "mux", "queue", "sink", NULL)
        && vf_pipeline_attach_probe(p, "mux", NULL, vf_probe_new("detect", &detect_cb, NULL),
                                    &error)
        && vf_pipeline_attach_probe(p, "queue", "src", vf_probe_new("print", &print_cb, &printer),
                                    &error)
        && vf_pipeline_attach_builtin_probe(p, "queue", NULL, VF_PROBE_MEASURE_FPS, &error)
        && vf_pipeline_attach_builtin_probe(p, "queue", NULL, VF_PROBE_MEASURE_LATENCY, &error)
        && vf_pipeline_run(p, &error);
  if (!ok) {
    fprintf(stderr, "batch-meta-probe: %s\n", error ? error->message : "failed");
    g_clear_error(&error);
    vf_pipeline_free(p);
    return 1;
  }
  vf_pipeline_free(p);
  guint expected = (guint)g_ascii_strtoull(frames, NULL, 10);
  printf("%u batches, %u objects\n", printer.batches, printer.objects);
  return printer.batches == expected && printer.objects == 2 * expected ? 0 : 1;
}
