/* Flow: inject -> render. The seed's MyBufferProvider: 320x240 RGB frames whose every byte is
 * the frame count, 255 frames, then an empty buffer (end of stream).
 *   Flow(Pipeline("playback")).inject([p]).render()()
 *
 *   flow-inject [FRAMES]   (default 255) */
#include "example.h"

typedef struct {
  guint width, height, count, expected;
} MyBufferProvider;

static VfBuffer *generate(gsize size, gpointer user_data, GError **error)
{
  MyBufferProvider *p = user_data;
  if (p->count >= p->expected)
    return vf_buffer_new_empty(); /* Buffer(): end of stream */
  guint8 *data = g_malloc(size);
  memset(data, (int)(p->count & 0xff), size); /* [self.count] * (width * height * 3) */
  p->count++;
  return vf_buffer_new_wrapped(VF_COLOR_FORMAT_RGB, p->width, p->height, NULL, data, size, data,
                               g_free, error);
}

int main(int argc, char **argv)
{
  MyBufferProvider p = { 320, 240, 0, argc > 1 ? (guint)atoi(argv[1]) : 255 };
  VfProviderInfo info = { VF_COLOR_FORMAT_RGB, p.width, p.height, 30, 1, VF_DEVICE_CPU };
  VfProviderCallbacks callbacks = { generate, NULL };
  VfFeeder *providers[] = { vf_feeder_new("provider", &info, &callbacks, &p), NULL };
  VfFlow *flow = vf_flow_new(vf_pipeline_new("playback"));
  vf_flow_render(vf_flow_inject(flow, providers, NULL, NULL), example_render_mode(), NULL, NULL);
  int status = example_run(flow);
  printf("provided %u frames\n", p.count);
  return status == 0 && p.count == p.expected ? 0 : 1;
}
