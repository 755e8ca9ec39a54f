/* Multi-stream batch extraction (seed Part 2, "Extract frames from multi-stream batches").
 *
 * Four sources are batched by vfmux (scaled to 320x240), converted to RGB as the seed writes it
 * (nvstreammux ! nvvideoconvert ! capsfilter format=RGB ! appsink: vfmux ! vfconvert !
 * video/x-raw(meta:VfBatch),format=RGB ! appsink); a retriever on the appsink gets one
 * buffer per batch and extracts every stream's frame with vf_buffer_extract(buffer, i), cloning
 * it (as the seed's buffer.extract(i).clone()) before using it. Each frame's source and frame
 * number come from the batch metadata.
 *
 *   multi-stream-extract [frames-per-source]   (default 30) */
#include <stdio.h>
#include <stdlib.h>
#include <vidflow/vidflow.h>

#define N_STREAMS 4

typedef struct {
  guint64 frames[N_STREAMS];
  guint64 batches;
  guint64 sum[N_STREAMS]; /* a checksum per stream, from the cloned frames */
} MultiBatchRetriever;

static int consume(VfBuffer *buffer, gpointer user_data)
{
  MultiBatchRetriever *r = user_data;
  VfBatchMeta *meta = vf_buffer_get_batch_meta(buffer);
  guint n = vf_buffer_get_batch_size(buffer);
  r->batches++;
  for (guint i = 0; i < n; i++) {
    GError *error = NULL;
    VfTensor *view = vf_buffer_extract(buffer, i, &error);
    VfTensor *frame = view ? vf_tensor_clone(view, &error) : NULL; /* always clone to keep */
    if (view)
      vf_tensor_unref(view);
    if (frame == NULL) {
      fprintf(stderr, "frame %u: %s\n", i, error->message);
      g_error_free(error);
      return VF_CONSUME_ERROR;
    }
    VfFrameMeta *f = vf_batch_meta_get_frame(meta, i);
    guint stream = vf_frame_meta_get_source_id(f);
    if (stream >= N_STREAMS || vf_tensor_get_color_format(frame) != VF_COLOR_FORMAT_RGB) {
      fprintf(stderr, "frame %u: source %u, not an RGB frame of sources 0..%d\n", i, stream,
              N_STREAMS - 1);
      vf_tensor_unref(frame);
      return VF_CONSUME_ERROR;
    }
    const guint8 *px = vf_tensor_get_data(frame);
    r->sum[stream] += px[0] + px[vf_tensor_get_n_elements(frame) - 1];
    if (r->frames[stream] % 10 == 0)
      printf("Stream %u, Frame %" G_GUINT64_FORMAT " (%ux%u from a %ux%u source)\n", stream,
             vf_frame_meta_get_frame_number(f), vf_tensor_get_width(frame),
             vf_tensor_get_height(frame), vf_frame_meta_get_original_width(f),
             vf_frame_meta_get_original_height(f));
    r->frames[stream]++;
    vf_tensor_unref(frame);
  }
  return VF_CONSUME_OK;
}

int main(int argc, char **argv)
{
  const char *frames = argc > 1 ? argv[1] : "30";
  static const char *patterns[N_STREAMS] = { "smpte", "ball", "snow", "pinwheel" };
  static const char *sizes[N_STREAMS]
      = { "640,height=480", "1280,height=720", "320,height=240", "160,height=120" };
  GError *error = NULL;
  vf_handle_interrupts();
  VfPipeline *p = vf_pipeline_new("multi-stream-extract");
  gboolean ok = p != NULL;
  for (guint i = 0; ok && i < N_STREAMS; i++) {
    char src[16], caps[16], capsv[96];
    g_snprintf(src, sizeof src, "src%u", i);
    g_snprintf(caps, sizeof caps, "caps%u", i);
    g_snprintf(capsv, sizeof capsv, "video/x-raw,format=I420,width=%s", sizes[i]);
    ok = vf_pipeline_add(p, "videotestsrc", src, &error, "num-buffers", frames, "pattern",
                         patterns[i], NULL)
         && vf_pipeline_add(p, "capsfilter", caps, &error, "caps", capsv, NULL)
         && vf_pipeline_link(p, &error, src, caps, NULL);
  }
  ok = ok
       && vf_pipeline_add(p, "vfmux", "mux", &error, "batch-size", "4", "width", "320", "height",
                          "240", NULL)
       && vf_pipeline_add(p, "vfconvert", "convert", &error, NULL)
       && vf_pipeline_add(p, "capsfilter", "rgb", &error, "caps",
                          "video/x-raw(meta:VfBatch),format=RGB", NULL)
       && vf_pipeline_add(p, "appsink", "sink", &error, "sync", "false", NULL);
  for (guint i = 0; ok && i < N_STREAMS; i++) {
    char caps[16];
    g_snprintf(caps, sizeof caps, "caps%u", i);
    ok = vf_pipeline_link_pads(p, caps, NULL, "mux", "sink_%u", &error);
  }
  ok = ok && vf_pipeline_link(p, &error, "mux", "convert", "rgb", "sink", NULL);

  MultiBatchRetriever retriever = { 0 };
  VfRetrieverCallbacks cb = { consume, NULL };
  ok = ok
       && vf_pipeline_attach_receiver(p, "sink", vf_receiver_new("receiver", &cb, &retriever),
                                      "new-sample", &error)
       && vf_pipeline_run(p, &error);
  if (!ok) {
    fprintf(stderr, "multi-stream-extract: %s\n", error ? error->message : "failed");
    g_clear_error(&error);
    vf_pipeline_free(p);
    return 1;
  }
  vf_pipeline_free(p);
  int status = 0;
  guint64 expected = g_ascii_strtoull(frames, NULL, 10);
  printf("%" G_GUINT64_FORMAT " batches\n", retriever.batches);
  for (guint i = 0; i < N_STREAMS; i++) {
    printf("stream %u: %" G_GUINT64_FORMAT " frames extracted\n", i, retriever.frames[i]);
    if (retriever.frames[i] != expected)
      status = 1;
  }
  return status;
}
