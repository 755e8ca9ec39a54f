/* Flow: inject JPEG -> decode -> render. The seed's JpegBufferProvider: the same JPEG file 255
 * times, decoded by decode().
 *   Flow(Pipeline("test")).inject([JpegBufferProvider(jpeg_file)]).decode().render()()
 *
 *   flow-decode [JPEG] [FRAMES]   (default data/images/dog.jpg, 255) */
#include "example.h"

typedef struct {
  GBytes *jpeg;
  guint count, expected;
} JpegBufferProvider;

static VfBuffer *generate(gsize size, gpointer user_data, GError **error)
{
  (void)size;
  JpegBufferProvider *p = user_data;
  if (p->count >= p->expected)
    return vf_buffer_new_empty();
  p->count++;
  gsize n;
  gconstpointer data = g_bytes_get_data(p->jpeg, &n);
  return vf_buffer_new_wrapped(VF_COLOR_FORMAT_JPEG, 0, 0, NULL, (gpointer)data, n,
                               g_bytes_ref(p->jpeg), (GDestroyNotify)g_bytes_unref, error);
}

int main(int argc, char **argv)
{
  char *path
      = argc > 1
            ? g_strdup(argv[1])
            : g_build_filename(g_getenv("VIDFLOW_DATA_DIR") ? g_getenv("VIDFLOW_DATA_DIR") : "data",
                               "images", "dog.jpg", NULL);
  char *contents;
  gsize len;
  if (!g_file_get_contents(path, &contents, &len, NULL)) {
    fprintf(stderr, "cannot read %s\n", path);
    g_free(path);
    return 1;
  }
  g_free(path);
  JpegBufferProvider p
      = { g_bytes_new_take(contents, len), 0, argc > 2 ? (guint)atoi(argv[2]) : 255 };
  VfProviderInfo info = { VF_COLOR_FORMAT_JPEG, 0, 0, 30, 1, VF_DEVICE_CPU };
  VfProviderCallbacks callbacks = { generate, NULL };
  VfFeeder *providers[] = { vf_feeder_new("jpeg", &info, &callbacks, &p), NULL };
  VfFlow *flow = vf_flow_new(vf_pipeline_new("test"));
  VfFlow *f = vf_flow_decode(vf_flow_inject(flow, providers, NULL, NULL), NULL, NULL);
  vf_flow_render(f, example_render_mode(), NULL, NULL);
  int status = example_run(flow);
  g_bytes_unref(p.jpeg);
  return status;
}
