/* Custom objects: the sample plugin found by name, typed parameters, errors (unknown plugin,
 * object, parameter, wrong kind, ABI version), objects registered from code, built-in probes. */
#include "flow-util.h"

#define CLIP_FRAMES 20

static char *clip;

static void test_list(void)
{
  char **list = vf_custom_list();
  gboolean counter = FALSE, pattern = FALSE, checksum = FALSE, fps = FALSE;
  for (char **l = list; *l; l++) {
    counter |= g_str_has_prefix(*l, "sample.counter\tprobe\t");
    pattern |= g_str_has_prefix(*l, "sample.pattern\tprovider\t");
    checksum |= g_str_has_prefix(*l, "sample.checksum\tretriever\t");
    fps |= g_str_has_prefix(*l, "measure_fps_probe\tprobe\t");
  }
  g_strfreev(list);
  g_assert_true(counter && pattern && checksum && fps);
  VfObjectKind kind;
  GError *err = NULL;
  VF_ASSERT_OK(vf_custom_lookup("sample.pattern", &kind, &err), err);
  g_assert_cmpint(kind, ==, VF_OBJECT_PROVIDER);
  VF_ASSERT_OK(vf_custom_lookup("measure_latency_probe", &kind, &err), err);
  g_assert_cmpint(kind, ==, VF_OBJECT_PROBE);
}

static void test_errors(void)
{
  GError *err = NULL;
  /* unknown plugin: where it looked */
  g_assert_null(vf_custom_probe_new("nosuchplugin.probe", NULL, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  FLOW_ASSERT_MESSAGE(err, "VIDFLOW_CUSTOM_PATH");
  g_clear_error(&err);
  /* unknown object: what the plugin has */
  g_assert_null(vf_custom_probe_new("sample.nothing", NULL, NULL, &err));
  FLOW_ASSERT_MESSAGE(err, "sample.counter");
  g_clear_error(&err);
  /* wrong kind */
  g_assert_null(vf_custom_feeder_new("sample.counter", NULL, NULL, &err));
  FLOW_ASSERT_MESSAGE(err, "'sample.counter' is a probe, not a provider");
  g_clear_error(&err);
  /* unknown parameter: the ones it takes */
  const char *unknown[] = { "colour", "red", NULL };
  g_assert_null(vf_custom_probe_new("sample.counter", NULL, unknown, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_PROPERTY);
  FLOW_ASSERT_MESSAGE(err, "drop-every");
  g_clear_error(&err);
  /* wrong types */
  const char *bad_int[] = { "drop_every", "3.5", NULL };
  g_assert_null(vf_custom_probe_new("sample.counter", NULL, bad_int, &err));
  FLOW_ASSERT_MESSAGE(err, "takes an integer");
  g_clear_error(&err);
  const char *bad_bool[] = { "verbose", "maybe", NULL };
  g_assert_null(vf_custom_probe_new("sample.counter", NULL, bad_bool, &err));
  FLOW_ASSERT_MESSAGE(err, "true or false");
  g_clear_error(&err);
  const char *bad_double[] = { "interval", "soon", NULL };
  g_assert_null(vf_custom_probe_new("measure_fps_probe", NULL, bad_double, &err));
  FLOW_ASSERT_MESSAGE(err, "takes a number");
  g_clear_error(&err);
  /* the factory refuses a value */
  const char *negative[] = { "drop-every", "-1", NULL };
  g_assert_null(vf_custom_probe_new("sample.counter", NULL, negative, &err));
  FLOW_ASSERT_MESSAGE(err, "drop-every must be 0");
  g_clear_error(&err);
  /* a required parameter */
  g_assert_null(vf_custom_feeder_new("sample.image", NULL, NULL, &err));
  FLOW_ASSERT_MESSAGE(err, "needs parameter 'location'");
  g_clear_error(&err);
  /* unknown built-in */
  g_assert_null(vf_custom_probe_new("nosuch_probe", NULL, NULL, &err));
  FLOW_ASSERT_MESSAGE(err, "measure_fps_probe");
  g_clear_error(&err);
  /* a file that is not a plugin */
  char *text = flow_test_write("not-a-plugin.so", "hello");
  g_assert_false(vf_custom_plugin_load(text, &err));
  g_assert_nonnull(err);
  g_clear_error(&err);
  g_unlink(text);
  g_free(text);
  g_assert_false(vf_custom_plugin_load("/nonexistent/libx.so", &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_clear_error(&err);
}

/* ---- objects registered from code ---- */

typedef struct {
  gint64 threshold;
  gint *destroyed;
} Threshold;

static VfProbeReturn threshold_on_buffer(VfBuffer *buffer, gpointer data)
{
  (void)buffer;
  (void)data;
  return VF_PROBE_KEEP;
}

static void threshold_destroy(gpointer data)
{
  Threshold *t = data;
  (*t->destroyed)++;
  g_free(t);
}

static gint destroyed;
static gint64 last_threshold;
static char *last_name;

static gboolean make_threshold(const VfParams *params, VfProbeCallbacks *cb, gpointer *user_data,
                               GError **error)
{
  (void)error;
  Threshold *t = g_new0(Threshold, 1);
  t->threshold = vf_params_get_int(params, "threshold");
  t->destroyed = &destroyed;
  last_threshold = t->threshold;
  g_free(last_name);
  last_name = g_strdup(vf_params_get_instance_name(params));
  /* wrong-type and unknown lookups give zero values */
  g_assert_null(vf_params_get_string(params, "threshold"));
  g_assert_cmpint(vf_params_get_int(params, "nothing"), ==, 0);
  cb->on_buffer = threshold_on_buffer;
  cb->destroy = threshold_destroy;
  *user_data = t;
  return TRUE;
}

static const VfParamSpec threshold_params[] = {
  { "threshold", VF_PARAM_INT, NULL, "required" },
  { NULL, 0, NULL, NULL },
};

static gboolean init_test_plugin(VfPlugin *plugin, GError **error)
{
  return vf_plugin_add_probe(plugin, "threshold", "test probe", threshold_params, make_threshold,
                             error);
}

static gboolean init_bad_names(VfPlugin *plugin, GError **error)
{
  return vf_plugin_add_probe(plugin, "has space", "bad", NULL, make_threshold, error);
}

static void test_register_from_code(void)
{
  static const VfPluginDesc desc
      = { VF_PLUGIN_ABI_VERSION, "testplugin", "tests", init_test_plugin };
  GError *err = NULL;
  VF_ASSERT_OK(vf_custom_plugin_register(&desc, &err), err);
  /* twice: refused */
  g_assert_false(vf_custom_plugin_register(&desc, &err));
  FLOW_ASSERT_MESSAGE(err, "loaded already");
  g_clear_error(&err);
  /* a plugin of another ABI version */
  static const VfPluginDesc future = { VF_PLUGIN_ABI_VERSION + 1, "future", "x", init_test_plugin };
  g_assert_false(vf_custom_plugin_register(&future, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_UNSUPPORTED);
  FLOW_ASSERT_MESSAGE(err, "ABI");
  g_clear_error(&err);
  /* a bad object name */
  static const VfPluginDesc bad = { VF_PLUGIN_ABI_VERSION, "badnames", "x", init_bad_names };
  g_assert_false(vf_custom_plugin_register(&bad, &err));
  FLOW_ASSERT_MESSAGE(err, "has space");
  g_clear_error(&err);

  /* required parameter missing, then given */
  g_assert_null(vf_custom_probe_new("testplugin.threshold", NULL, NULL, &err));
  FLOW_ASSERT_MESSAGE(err, "needs parameter 'threshold'");
  g_clear_error(&err);
  const char *params[] = { "threshold", "42", NULL };
  VfProbe *p = vf_custom_probe_new("testplugin.threshold", "t1", params, &err);
  VF_ASSERT_OK(p != NULL, err);
  g_assert_cmpint(last_threshold, ==, 42);
  g_assert_cmpstr(last_name, ==, "t1");
  g_assert_cmpstr(vf_probe_get_name(p), ==, "t1");
  vf_probe_free(p);
  g_assert_cmpint(destroyed, ==, 1);

  /* attached by name in a flow, one instance per stream */
  const char *uris[] = { clip, clip, NULL };
  VfFlow *f = vf_flow_new(NULL);
  vf_flow_capture(f, uris, &err, NULL);
  const char *p2[] = { "threshold", "7", NULL };
  VfFlow *t = vf_flow_attach_named(f, "testplugin.threshold", "th", &err, p2[0], p2[1], NULL);
  VF_ASSERT_OK(t != NULL, err);
  g_assert_cmpstr(last_name, ==, "th1");
  VF_ASSERT_OK(vf_flow_render(t, VF_RENDER_DISCARD, &err, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  vf_flow_free(f);
  g_assert_cmpint(destroyed, ==, 3);
  g_clear_pointer(&last_name, g_free);
}

/* ---- the sample plugin in flows ---- */

static void test_sample_objects_in_flow(void)
{
  char *count = flow_test_path("plugin-count.txt");
  char *sum = flow_test_path("plugin-sum.txt");
  GError *err = NULL;
  const char *pattern[] = { "width", "64", "height", "48", "frames", "33", NULL };
  VfFeeder *feeders[]
      = { vf_custom_feeder_new("sample.pattern", "synthetic", pattern, &err), NULL };
  VF_ASSERT_OK(feeders[0] != NULL, err);
  VfFlow *f = vf_flow_new(NULL);
  VfFlow *t = vf_flow_attach_named(vf_flow_inject(f, feeders, &err, NULL), "sample.counter", NULL,
                                   &err, "output", count, "drop_every", "3", NULL);
  VF_ASSERT_OK(t != NULL, err);
  const char *out[] = { "output", sum, NULL };
  VfReceiver *r = vf_custom_receiver_new("sample.checksum", "sum", out, &err);
  VF_ASSERT_OK(r != NULL, err);
  vf_receiver_free(r); /* never attached: its destroy still runs (and writes zero frames) */
  g_assert_cmpint(flow_test_read_count(sum, "frames"), ==, 0);
  VF_ASSERT_OK(
      vf_flow_retrieve_named(t, "sample.checksum", "sum", &err, "output", sum, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  vf_flow_free(f);
  g_assert_cmpint(flow_test_read_count(count, "buffers"), ==, 33);
  g_assert_cmpint(flow_test_read_count(count, "dropped"), ==, 11);
  g_assert_cmpint(flow_test_read_count(sum, "frames"), ==, 22);
  g_unlink(count);
  g_unlink(sum);
  g_free(count);
  g_free(sum);
}

/* Built-in probes by name; their figures stay readable. */
static void test_builtin_probes(void)
{
  FLOW_REQUIRE("vfmux");
  const char *uris[] = { clip, clip, NULL };
  GError *err = NULL;
  VfFlow *f = vf_flow_new(NULL);
  VfFlow *t = vf_flow_batch_capture(f, uris, &err, "width", "160", "height", "120", NULL);
  t = vf_flow_attach_named(t, "measure_fps_probe", "fps", &err, "interval", "0", NULL);
  t = vf_flow_attach_named(t, "measure_latency_probe", NULL, &err, "interval", "0", NULL);
  VF_ASSERT_OK(vf_flow_render(t, VF_RENDER_DISCARD, &err, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  vf_flow_free(f);
  /* standalone: stats */
  const char *params[] = { "interval", "0", NULL };
  VfProbe *p = vf_custom_probe_new("measure_fps_probe", "x", params, &err);
  VF_ASSERT_OK(p != NULL, err);
  GArray *stats = vf_probe_get_fps_stats(p);
  g_assert_nonnull(stats); /* it is the library's built-in probe */
  g_array_unref(stats);
  vf_probe_free(p);
}

/* A plugin file loaded explicitly from a path. */
static void test_load_file(void)
{
  const char *dir = g_getenv("VIDFLOW_CUSTOM_BUILD_DIR");
  if (dir == NULL) {
    g_test_skip("VIDFLOW_CUSTOM_BUILD_DIR is not set (run through meson test)");
    return;
  }
  char *path = g_build_filename(dir, "sample", "libsample.so", NULL);
  GError *err = NULL;
  /* the sample plugin is loaded already (found by name): a second copy is refused clearly */
  g_assert_false(vf_custom_plugin_load(path, &err));
  FLOW_ASSERT_MESSAGE(err, "loaded already");
  g_clear_error(&err);
  g_free(path);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  clip = flow_test_clip("plugin-clip.mp4", CLIP_FRAMES, 160, 120);
  g_test_add_func("/plugin/list", test_list);
  g_test_add_func("/plugin/errors", test_errors);
  g_test_add_func("/plugin/register-from-code", test_register_from_code);
  g_test_add_func("/plugin/sample-objects-in-flow", test_sample_objects_in_flow);
  g_test_add_func("/plugin/builtin-probes", test_builtin_probes);
  g_test_add_func("/plugin/load-file", test_load_file);
  int ret = g_test_run();
  g_unlink(clip);
  g_free(clip);
  return ret;
}
