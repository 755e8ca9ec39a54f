/* Flow: capture -> retrieve. The seed's MyBufferRetriever: each decoded frame is a 3-D (HWC)
 * tensor; count them.
 *   Flow(Pipeline("retrieve")).capture([video_file]).retrieve(MyBufferRetriever())()
 *
 *   flow-retrieve [VIDEO] */
#include "example.h"

typedef struct {
  guint frames;
} MyBufferRetriever;

static int consume(VfBuffer *buffer, gpointer user_data)
{
  MyBufferRetriever *r = user_data;
  VfTensor *tensor = vf_buffer_extract(buffer, 0, NULL);
  if (tensor == NULL || vf_tensor_get_ndim(tensor) != 3) {
    fprintf(stderr, "frame %u is not an HWC tensor\n", r->frames);
    if (tensor)
      vf_tensor_unref(tensor);
    return VF_CONSUME_STOP;
  }
  vf_tensor_unref(tensor);
  r->frames++;
  return VF_CONSUME_OK;
}

int main(int argc, char **argv)
{
  MyBufferRetriever r = { 0 };
  VfRetrieverCallbacks callbacks = { consume, NULL };
  const char *uris[] = { example_video(argc, argv), NULL };
  VfFlow *flow = vf_flow_new(vf_pipeline_new("retrieve"));
  vf_flow_retrieve(vf_flow_capture(flow, uris, NULL, NULL), &callbacks, &r, NULL, NULL);
  int status = example_run(flow);
  printf("retrieved %u frames\n", r.frames);
  return status == 0 && r.frames > 0 ? 0 : 1;
}
