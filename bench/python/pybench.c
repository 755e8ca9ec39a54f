/* bench: the C side of bench_python.py, as a custom-object plugin ("pybench") so that both sides
 * run in one process with the same graph and threads: a provider handing out 1080p RGB frames
 * from a ring without copying (as the Python provider does with numpy arrays), and a retriever
 * that views frame 0 and reads its first byte (as the Python retriever does).
 *
 *   pybench.ring   provider   frames: N, width, height
 *   pybench.touch  retriever  reads one byte of every frame */
#include <vidflow/vidflow.h>

#define RING 8

typedef struct {
  guint8 *frames[RING];
  gsize size;
  guint width, height;
  gint64 total, made;
} Ring;

static VfBuffer *ring_generate(gsize size, gpointer data, GError **error)
{
  (void)size;
  Ring *r = data;
  if (r->made >= r->total)
    return vf_buffer_new_empty();
  guint8 *frame = r->frames[r->made++ % RING];
  return vf_buffer_new_wrapped(VF_COLOR_FORMAT_RGB, r->width, r->height, NULL, frame, r->size, NULL,
                               NULL, error);
}

static void ring_destroy(gpointer data)
{
  Ring *r = data;
  for (guint i = 0; i < RING; i++)
    g_free(r->frames[i]);
  g_free(r);
}

static gboolean make_ring(const VfParams *params, VfProviderInfo *info,
                          VfProviderCallbacks *callbacks, gpointer *user_data, GError **error)
{
  (void)error;
  Ring *r = g_new0(Ring, 1);
  r->width = (guint)vf_params_get_int(params, "width");
  r->height = (guint)vf_params_get_int(params, "height");
  r->total = vf_params_get_int(params, "frames");
  r->size = (gsize)r->width * r->height * 3;
  for (guint i = 0; i < RING; i++)
    r->frames[i] = g_malloc0(r->size);
  *info = (VfProviderInfo){ VF_COLOR_FORMAT_RGB, r->width, r->height, 30, 1, VF_DEVICE_CPU };
  callbacks->generate = ring_generate;
  callbacks->destroy = ring_destroy;
  *user_data = r;
  return TRUE;
}

static volatile guint touched;

static int touch_consume(VfBuffer *buffer, gpointer data)
{
  (void)data;
  VfTensor *t = vf_buffer_extract(buffer, 0, NULL);
  if (t == NULL)
    return VF_CONSUME_ERROR;
  touched += ((const guint8 *)vf_tensor_get_data(t))[0];
  vf_tensor_unref(t);
  return VF_CONSUME_OK;
}

static gboolean make_touch(const VfParams *params, VfRetrieverCallbacks *callbacks,
                           gpointer *user_data, GError **error)
{
  (void)params;
  (void)error;
  callbacks->consume = touch_consume;
  *user_data = NULL;
  return TRUE;
}

static const VfParamSpec ring_params[] = {
  { "frames", VF_PARAM_INT, "600", "frames before end of stream" },
  { "width", VF_PARAM_INT, "1920", "frame width" },
  { "height", VF_PARAM_INT, "1080", "frame height" },
  { NULL, 0, NULL, NULL },
};

static gboolean init(VfPlugin *plugin, GError **error)
{
  return vf_plugin_add_provider(plugin, "ring", "zero-copy RGB frames from a ring", ring_params,
                                make_ring, error)
         && vf_plugin_add_retriever(plugin, "touch", "reads one byte of every frame", NULL,
                                    make_touch, error);
}

VF_PLUGIN_DEFINE("pybench", "the C side of the Python benchmark", init)
