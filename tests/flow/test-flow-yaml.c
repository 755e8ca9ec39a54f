/* YAML: Service Maker graphs (fan-out, custom-plugin probe node, providers/retrievers, DeepStream
 * names, built-in probes), flow descriptions (every operation, forks, source lists), and bad
 * files whose errors name the line. */
#include "flow-util.h"

#define CLIP_FRAMES 24

static char *clip;

/* A YAML file with CLIP replaced by the test clip's path (transfer full: the file's path). */
static char *yaml_file(const char *name, const char *text)
{
  GString *s = g_string_new(text);
  g_string_replace(s, "CLIP", clip, 0);
  g_string_replace(s, "DIR", g_get_tmp_dir(), 0);
  char *path = flow_test_write(name, s->str);
  g_string_free(s, TRUE);
  return path;
}

static void run_graph(const char *path)
{
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new_from_yaml(path, &err);
  VF_ASSERT_OK(p != NULL, err);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  vf_pipeline_free(p);
}

static void run_flow(const char *path)
{
  GError *err = NULL;
  VfFlow *f = vf_flow_new_from_yaml(path, &err);
  VF_ASSERT_OK(f != NULL, err);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  vf_flow_free(f);
}

static void remove_files(char **paths)
{
  for (char **p = paths; *p; p++) {
    g_unlink(*p);
    g_free(*p);
  }
}

/* ---- graphs ---- */

/* One source, two branches (a tee and a queue each are put in), a probe node from the sample
 * plugin. */
static void test_graph_fanout_probe(void)
{
  char *files[] = { flow_test_path("count.txt"), flow_test_path("a.txt"), flow_test_path("b.txt"),
                    NULL, NULL };
  char *text = g_strdup_printf("deepstream:\n"
                               "  nodes:\n"
                               "    - {type: vfurisrcbin, name: src, properties: {uri: CLIP}}\n"
                               "    - {type: videoconvert, name: convert}\n"
                               "    - type: sample.checksum\n"
                               "      name: a\n"
                               "      properties: {output: %s}\n"
                               "    - type: sample.checksum\n"
                               "      name: b\n"
                               "      properties: {output: %s}\n"
                               "    - type: sample.counter\n"
                               "      name: counter\n"
                               "      properties:\n"
                               "        output: %s\n"
                               "        label: from-yaml\n"
                               "  edges:\n"
                               "    src: convert\n"
                               "    convert: [a, b]\n"
                               "    src.src: counter\n",
                               files[1], files[2], files[0]);
  files[3] = yaml_file("fanout.yaml", text);
  run_graph(files[3]);
  g_assert_cmpint(flow_test_read_count(files[0], "buffers"), ==, CLIP_FRAMES);
  g_assert_cmpint(flow_test_read_count(files[1], "frames"), ==, CLIP_FRAMES);
  g_assert_cmpint(flow_test_read_count(files[2], "frames"), ==, CLIP_FRAMES);
  g_assert_cmpint(flow_test_read_count(files[1], "sum"), ==, flow_test_read_count(files[2], "sum"));
  /* the fan-out made a tee and a queue per branch */
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new_from_yaml(files[3], &err);
  VF_ASSERT_OK(p != NULL, err);
  g_assert_nonnull(vf_pipeline_get_element(p, "convert-fanout"));
  g_assert_nonnull(vf_pipeline_get_element(p, "convert-fanout-queue1"));
  vf_pipeline_free(p);
  remove_files(files);
  g_free(text);
}

/* DeepStream names run as vidflow's elements; a provider node and a retriever node; a built-in
 * probe node; relative paths from the file's folder. */
static void test_graph_deepstream_names(void)
{
  FLOW_REQUIRE("vfmux");
  char *files[] = { flow_test_path("tiled.txt"), NULL, NULL };
  char *base = g_path_get_basename(clip);
  char *text
      = g_strdup_printf("deepstream:\n"
                        "  nodes:\n"
                        "    - {type: nvurisrcbin, name: s0, properties: {uri: %s}}\n"
                        "    - {type: nvurisrcbin, name: s1, properties: {uri: CLIP}}\n"
                        "    - type: nvstreammux\n"
                        "      name: mux\n"
                        "      properties: {batch-size: 2, width: 320, height: 240}\n"
                        "    - {type: nvmultistreamtiler, name: tiler,\n"
                        "       properties: {width: 640, height: 240}}\n"
                        "    - {type: sample.checksum, name: out, properties: {output: %s}}\n"
                        "    - {type: measure_fps_probe, name: fps,\n"
                        "       properties: {interval: 0}}\n"
                        "  edges:\n"
                        "    s0: mux.sink_%%u\n"
                        "    s1: mux.sink_%%u\n"
                        "    mux: [tiler, fps]\n"
                        "    tiler: out\n",
                        base, files[0]);
  files[1] = yaml_file("deepstream.yaml", text); /* s0 is relative: next to the YAML file */
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new_from_yaml(files[1], &err);
  VF_ASSERT_OK(p != NULL, err);
  GstElement *mux = vf_pipeline_get_element(p, "mux");
  g_assert_cmpstr(GST_OBJECT_NAME(gst_element_get_factory(mux)), ==, "vfmux");
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  vf_pipeline_free(p);
  g_assert_cmpint(flow_test_read_count(files[0], "frames"), ==, CLIP_FRAMES);
  remove_files(files);
  g_free(text);
  g_free(base);
}

static void test_graph_provider_retriever(void)
{
  char *files[] = { flow_test_path("gray.txt"), NULL, NULL };
  char *text
      = g_strdup_printf("deepstream:\n"
                        "  nodes:\n"
                        "    - type: sample.pattern\n"
                        "      name: pattern\n"
                        "      properties: {width: 64, height: 48, frames: 17}\n"
                        "    - {type: videoconvert, name: convert}\n"
                        "    - {type: capsfilter, name: gray,\n"
                        "       properties: {caps: 'video/x-raw,format=GRAY8'}}\n"
                        "    - {type: sample.checksum, name: sum, properties: {output: %s}}\n"
                        "  edges: {pattern: convert, convert: gray, gray: sum}\n",
                        files[0]);
  files[1] = yaml_file("provider.yaml", text);
  run_graph(files[1]);
  g_assert_cmpint(flow_test_read_count(files[0], "frames"), ==, 17);
  remove_files(files);
  g_free(text);
}

typedef struct {
  const char *name;
  const char *text;
  const char *where; /* "FILE:LINE" part, after the file name */
  const char *says;
} BadCase;

static void check_bad_graphs(const BadCase *cases, guint n, gboolean flow)
{
  for (guint i = 0; i < n; i++) {
    char *path = yaml_file(cases[i].name, cases[i].text);
    GError *err = NULL;
    gpointer made = flow ? (gpointer)vf_flow_new_from_yaml(path, &err)
                         : (gpointer)vf_pipeline_new_from_yaml(path, &err);
    if (made) {
      /* some mistakes only show when the flow is checked */
      g_assert_true(flow);
      g_assert_false(vf_flow_check(made, &err));
      vf_flow_free(made);
    }
    g_assert_nonnull(err);
    char *where = g_strdup_printf("%s%s", path, cases[i].where);
    if (cases[i].where[0] && !g_str_has_prefix(err->message, where))
      g_error("%s: error \"%s\" should start with \"%s\"", cases[i].name, err->message, where);
    FLOW_ASSERT_MESSAGE(err, cases[i].says);
    g_clear_error(&err);
    g_free(where);
    g_unlink(path);
    g_free(path);
  }
}

static void test_graph_errors(void)
{
  const BadCase cases[] = {
    { "syntax.yaml",
      "deepstream:\n  nodes:\n    - type: fakesink\n      properties: {sync: [1, 2}\n",
      ":4:", "YAML syntax error" },
    { "tab.yaml", "deepstream:\n  nodes:\n\t- type: fakesink\n", ":3:", "YAML syntax error" },
    { "element.yaml",
      "deepstream:\n  nodes:\n    - {type: fakesink, name: a}\n    - type: nosuchelement\n"
      "      name: b\n",
      ":4:", "no GStreamer element 'nosuchelement'" },
    { "property.yaml",
      "deepstream:\n  nodes:\n    - type: fakesink\n      name: a\n      properties:\n"
      "        nosuchprop: 1\n",
      ":3:", "no property 'nosuchprop'" },
    { "value.yaml",
      "deepstream:\n  nodes:\n    - type: fakesink\n      name: a\n      properties:\n"
      "        sync: perhaps\n",
      ":3:", "'perhaps'" },
    { "edge.yaml",
      "deepstream:\n  nodes:\n    - {type: fakesrc, name: a}\n  edges:\n    a: nowhere\n",
      ":5:", "'nowhere', which is not a node" },
    { "probe.yaml",
      "deepstream:\n  nodes:\n    - {type: fakesrc, name: a}\n    - {type: fakesink, name: b}\n"
      "    - {type: sample.counter, name: c}\n  edges:\n    a: b\n",
      ":5:", "probe node 'c' is attached nowhere" },
    { "param.yaml",
      "deepstream:\n  nodes:\n    - {type: fakesrc, name: a}\n"
      "    - {type: sample.counter, name: c, properties: {drop-every: lots}}\n  edges:\n"
      "    a: c\n",
      ":4:", "parameter 'drop-every' takes an integer" },
    { "plugin.yaml", "deepstream:\n  nodes:\n    - {type: nosuchplugin.thing, name: x}\n",
      ":3:", "no custom plugin 'nosuchplugin'" },
    { "nodes.yaml", "deepstream:\n  edges: {a: b}\n", ":2:", "needs 'nodes:'" },
    { "duplicate.yaml",
      "deepstream:\n  nodes:\n    - {type: fakesink, name: a}\n    - {type: fakesink, name: a}\n",
      ":4:", "two nodes are called 'a'" },
    /* a loop through a multi-input element used to pass check and overflow the stack in run */
    { "cycle.yaml",
      "deepstream:\n  nodes:\n    - {type: videotestsrc, name: src}\n    - {type: funnel, name: "
      "f}\n"
      "    - {type: identity, name: i}\n    - {type: fakesink, name: sink}\n  edges:\n"
      "    src: f\n    f: i\n    i: [f, sink]\n",
      ":10:", "edge i -> f closes a cycle (i -> f -> i)" },
    { "cycle2.yaml",
      "deepstream:\n  nodes:\n    - {type: identity, name: a}\n    - {type: identity, name: b}\n"
      "  edges:\n    a: b\n    b: a\n",
      ":7:", "edge b -> a closes a cycle (b -> a -> b)" },
    { "self.yaml", "deepstream:\n  nodes:\n    - {type: funnel, name: a}\n  edges:\n    a: a\n",
      ":5:", "edge a -> a closes a cycle (a -> a)" },
    /* no source: run used to hang forever */
    { "empty.yaml", "deepstream:\n  nodes: []\n", ":2:", "the graph has no elements" },
    { "sinks.yaml",
      "deepstream:\n  nodes:\n    - {type: fakesink, name: a}\n    - {type: fakesink, name: b}\n",
      ":3:", "the graph has no source" },
    /* an unlinked source used to fail at run time with "Internal data stream error" only */
    { "unlinked.yaml", "deepstream:\n  nodes:\n    - {type: videotestsrc, name: s}\n",
      ":3:", "node 's' (videotestsrc) is linked to nothing downstream" },
    { "unfed.yaml",
      "deepstream:\n  nodes:\n    - {type: videotestsrc, name: s}\n    - {type: fakesink, name: "
      "a}\n"
      "    - {type: fakesink, name: b}\n  edges:\n    s: a\n",
      ":5:", "node 'b' (fakesink) has nothing linked into it" },
  };
  check_bad_graphs(cases, G_N_ELEMENTS(cases), FALSE);
}

/* A string of `n` copies of `c` (transfer full). */
static char *repeat(char c, gsize n)
{
  char *s = g_malloc(n + 1);
  memset(s, c, n);
  s[n] = '\0';
  return s;
}

/* Hostile sizes get a short error at once from every YAML reader (graphs, flows, source lists)
 * and from property conversion: nothing echoes megabytes, nothing takes seconds. */
static void test_bounds(void)
{
  char *huge = repeat('v', 60000); /* under the value bound (64 KiB), over any name */
  char *big = repeat('v', 100000); /* over the value bound */
  GString *deep = g_string_new(NULL);
  for (int i = 0; i < 100000; i++)
    g_string_append_c(deep, '[');
  struct {
    const char *name;
    char *text;
    gboolean flow;
    const char *says;
  } cases[] = {
    { "b1.yaml", g_strdup_printf("deepstream:\n  nodes:\n    - {type: %s}\n", huge), FALSE,
      ":3: type 'vvv" },
    { "b2.yaml", g_strdup_printf("deepstream:\n  nodes:\n    - {type: fakesink, name: %s}\n", huge),
      FALSE, ":3: node name 'vvv" },
    { "b3.yaml",
      g_strdup_printf("deepstream:\n  nodes:\n    - {type: videotestsrc, properties: "
                      "{pattern: %s}}\n",
                      huge),
      FALSE, "cannot set property 'pattern' of element 'videotestsrc0' to 'vvv" },
    { "b4.yaml", g_strdup_printf("deepstream:\n  nodes: []\n  edges: {%s: x}\n", big), FALSE,
      ":3:" },
    { "b5.yaml", g_strdup_printf("deepstream:\n  nodes: %s\n", deep->str), FALSE,
      "nested more than 64 levels deep" },
    { "b6.yaml", g_strdup_printf("flow:\n  - %s: x\n", huge), TRUE, ":2:" },
    { "b7.yaml", g_strdup_printf("flow:\n  - capture: [CLIP]\n  - render: %s\n", huge), TRUE,
      ":3: unknown render mode 'vvv" },
    { "b8.yaml", g_strdup_printf("flow:\n  - capture: [CLIP]\n  - batch: {width: %s}\n", huge),
      TRUE, ":3: 'width' must be a whole number, not 'vvv" },
    { "b9.yaml", g_strdup_printf("flow:\n  - capture: %s\n", deep->str), TRUE,
      "nested more than 64 levels deep" },
    { "b10.yaml", g_strdup_printf("flow:\n  - batch_capture: {source-list: %s.yaml}\n", huge), TRUE,
      "cannot open" },
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *path = yaml_file(cases[i].name, cases[i].text);
    GError *err = NULL;
    gint64 t0 = g_get_monotonic_time();
    gpointer made = cases[i].flow ? (gpointer)vf_flow_new_from_yaml(path, &err)
                                  : (gpointer)vf_pipeline_new_from_yaml(path, &err);
    if (made && cases[i].flow) {
      g_assert_false(vf_flow_check(made, &err));
      vf_flow_free(made);
    }
    g_assert_null(made && !cases[i].flow ? (vf_pipeline_free(made), made) : NULL);
    g_assert_nonnull(err);
    g_test_message("%s: %.2f s, %zu bytes: %.160s", cases[i].name,
                   (g_get_monotonic_time() - t0) / 1e6, strlen(err->message), err->message);
    FLOW_ASSERT_MESSAGE(err, cases[i].says);
    g_assert_cmpuint(strlen(err->message), <, 1500);
    g_clear_error(&err);
    g_unlink(path);
    g_free(path);
    g_free(cases[i].text);
  }

  /* a source list with a huge sensor name is read; one with a huge value past the bound not */
  char *text = g_strdup_printf("source-list:\n  - {uri: %s, sensor-name: %s}\n", clip, big);
  char *list = flow_test_write("big-sources.yaml", text);
  VfFlow *f = vf_flow_new(NULL);
  GError *err = NULL;
  g_assert_null(vf_flow_batch_capture_file(f, list, &err, NULL));
  FLOW_ASSERT_MESSAGE(err, ":2:");
  FLOW_ASSERT_MESSAGE(err, "a key or value of 100000 bytes");
  g_clear_error(&err);
  vf_flow_free(f);
  g_unlink(list);
  g_free(list);
  g_free(text);

  /* property conversion through the C API quotes the value cut short */
  VfPipeline *p = vf_pipeline_new("bounds");
  g_assert_true(vf_pipeline_add(p, "videotestsrc", "src", &err, NULL));
  g_free(big);
  big = repeat('7', 50u << 20);
  g_assert_false(vf_pipeline_set(p, "src", "num-buffers", big, &err));
  FLOW_ASSERT_MESSAGE(err, "num-buffers");
  FLOW_ASSERT_MESSAGE(err, "…");
  g_assert_cmpuint(strlen(err->message), <, 1000);
  g_clear_error(&err);
  vf_pipeline_free(p);
  g_string_free(deep, TRUE);
  g_free(huge);
  g_free(big);
}

/* ${VAR:-default} is the documented way to have a default; the default is used when VAR is
 * unset or empty. */
static void test_variables(void)
{
  char *out = flow_test_path("vars.txt");
  g_unsetenv("VF_TEST_UNSET_VARIABLE");
  g_setenv("VF_TEST_EMPTY_VARIABLE", "", TRUE);
  char *text = g_strdup_printf("flow:\n"
                               "  - capture: ['${VF_TEST_UNSET_VARIABLE:-CLIP}']\n"
                               "  - retrieve: {use: sample.checksum, output: "
                               "'${VF_TEST_EMPTY_VARIABLE:-%s}'}\n",
                               out);
  char *path = yaml_file("vars.yaml", text);
  run_flow(path);
  g_assert_cmpint(flow_test_read_count(out, "frames"), ==, CLIP_FRAMES);
  g_unlink(out);
  g_unlink(path);
  g_free(out);
  g_free(path);
  g_free(text);
}

/* ---- flow descriptions ---- */

static void test_flow_operations(void)
{
  char *files[] = { flow_test_path("r1.txt"),
                    flow_test_path("r2.txt"),
                    flow_test_path("c.txt"),
                    flow_test_path("out.mp4"),
                    NULL,
                    NULL };
  g_setenv("VF_TEST_CLIP", clip, TRUE);
  char *text = g_strdup_printf("name: ops\n"
                               "flow:\n"
                               "  - capture:\n"
                               "      uris: ['${VF_TEST_CLIP}']\n"
                               "      latency: 200\n"
                               "  - attach: {what: sample.counter, name: c, output: %s}\n"
                               "  - fork:\n"
                               "      - - retrieve: {use: sample.checksum, output: %s}\n"
                               "      - [{encode: {uri: %s, profile: 2, bitrate: 500000}}]\n"
                               "      - render: discard\n"
                               "      - - fork\n"
                               "        - retrieve: {use: sample.checksum, output: %s}\n",
                               files[2], files[0], files[3], files[1]);
  files[4] = flow_test_write("ops.yaml", text);
  GError *err = NULL;
  VfFlow *f = vf_flow_new_from_yaml(files[4], &err);
  VF_ASSERT_OK(f != NULL, err);
  g_assert_cmpstr(GST_ELEMENT_NAME(vf_pipeline_get_gst_pipeline(vf_flow_get_pipeline(f))), ==,
                  "ops");
  guint latency = 0;
  g_object_get(vf_pipeline_get_element(vf_flow_get_pipeline(f), "capture0-src0"), "latency",
               &latency, NULL);
  g_assert_cmpuint(latency, ==, 200);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  vf_flow_free(f);
  g_assert_cmpint(flow_test_read_count(files[0], "frames"), ==, CLIP_FRAMES);
  g_assert_cmpint(flow_test_read_count(files[1], "frames"), ==, CLIP_FRAMES);
  g_assert_cmpint(flow_test_read_count(files[2], "buffers"), ==, CLIP_FRAMES);
  g_assert_true(g_file_test(files[3], G_FILE_TEST_IS_REGULAR));
  remove_files(files);
  g_free(text);
}

static void test_flow_inject_decode(void)
{
  char *jpeg = flow_test_path("yaml-still.jpg");
  char *d = g_strdup_printf("videotestsrc num-buffers=1 ! video/x-raw,width=96,height=64 ! "
                            "jpegenc ! filesink location=%s",
                            jpeg);
  flow_test_launch(d);
  char *base = g_path_get_basename(jpeg);
  char *files[] = { flow_test_path("decoded.txt"), NULL, NULL };
  char *text = g_strdup_printf("flow:\n"
                               "  - inject: [{use: sample.image, location: %s, frames: 9}]\n"
                               "  - decode\n"
                               "  - retrieve: {use: sample.checksum, output: %s}\n",
                               base, files[0]); /* relative location: next to the YAML file */
  files[1] = flow_test_write("inject.yaml", text);
  run_flow(files[1]);
  g_assert_cmpint(flow_test_read_count(files[0], "frames"), ==, 9);
  remove_files(files);
  g_unlink(jpeg);
  g_free(jpeg);
  g_free(base);
  g_free(text);
  g_free(d);
}

/* A Service Maker source list: sensor ids/names reach the frames (C API and YAML). */
static void check_sensors(VfBatchMeta *meta, gpointer data)
{
  gint *checked = data;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(meta, i);
    guint source = vf_frame_meta_get_source_id(frame);
    const char *id = vf_frame_meta_get_sensor_id(frame);
    const char *name = vf_frame_meta_get_sensor_name(frame);
    if (source == 0) {
      g_assert_cmpstr(id, ==, "cam-entrance");
      g_assert_cmpstr(name, ==, "Entrance");
    } else {
      g_assert_cmpstr(id, ==, "cam-parking");
      g_assert_null(name);
    }
    g_atomic_int_inc(checked);
  }
}

static void test_source_list(void)
{
  FLOW_REQUIRE("vfmux");
  char *base = g_path_get_basename(clip);
  char *text = g_strdup_printf("source-list:\n"
                               "  - uri: %s\n"
                               "    sensor-id: cam-entrance\n"
                               "    sensor-name: Entrance\n"
                               "  - {uri: CLIP, sensor-id: cam-parking}\n"
                               "source-config:\n"
                               "  properties:\n"
                               "    width: 320\n"
                               "    height: 240\n"
                               "    batched-push-timeout: 40000\n"
                               "    ip-address: localhost\n",
                               base);
  char *list = yaml_file("sources.yaml", text);
  gint checked = 0;
  VfProbeCallbacks cb = { .on_batch_meta = check_sensors };
  VfFlow *f = vf_flow_new(NULL);
  GError *err = NULL;
  VfFlow *t = vf_flow_batch_capture_file(f, list, &err, NULL);
  VF_ASSERT_OK(t != NULL, err);
  guint w = 0;
  g_object_get(vf_pipeline_get_element(vf_flow_get_pipeline(f), "batch_capture0-mux"), "width", &w,
               NULL);
  g_assert_cmpuint(w, ==, 320); /* source-config reached the muxer */
  vf_flow_attach(t, vf_probe_new("sensors", &cb, &checked), &err);
  VF_ASSERT_OK(vf_flow_render(t, VF_RENDER_DISCARD, &err, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  vf_flow_free(f);
  g_assert_cmpint(checked, ==, 2 * CLIP_FRAMES);

  /* the same from a flow description */
  char *files[] = { flow_test_path("sl.txt"), NULL, NULL };
  char *flow = g_strdup_printf("flow:\n"
                               "  - batch_capture: %s\n"
                               "  - retrieve: {use: sample.checksum, output: %s}\n",
                               list, files[0]);
  files[1] = flow_test_write("sl.yaml", flow);
  run_flow(files[1]);
  g_assert_cmpint(flow_test_read_count(files[0], "frames"), ==, 2 * CLIP_FRAMES);
  remove_files(files);

  /* a source list without sources */
  char *bad = flow_test_write("bad-sources.yaml", "source-list: []\n");
  f = vf_flow_new(NULL);
  g_assert_null(vf_flow_batch_capture_file(f, bad, &err, NULL));
  FLOW_ASSERT_MESSAGE(err, ":1:");
  FLOW_ASSERT_MESSAGE(err, "non-empty list");
  g_clear_error(&err);
  vf_flow_free(f);
  g_unlink(bad);
  g_unlink(list);
  g_free(bad);
  g_free(list);
  g_free(flow);
  g_free(text);
  g_free(base);
}

static void test_flow_errors(void)
{
  const BadCase cases[] = {
    { "op.yaml", "flow:\n  - capture: [CLIP]\n  - rendr: discard\n",
      ":3:", "unknown operation 'rendr'" },
    { "order.yaml", "flow:\n  - capture: [CLIP]\n  - render: discard\n  - infer: x.yml\n",
      ":4:", "infer(): the flow already ended with render()" },
    { "twice.yaml", "flow:\n  - capture: [CLIP]\n  - render: discard\n  - render: discard\n",
      ":4:", "render(): the flow already ended with render()" },
    { "missing.yaml", "flow:\n  - capture: [/nonexistent/video.mp4]\n  - render: discard\n",
      ":2:", "does not exist" },
    { "mode.yaml", "flow:\n  - capture: [CLIP]\n  - render: sideways\n",
      ":3:", "unknown render mode 'sideways'" },
    { "number.yaml", "flow:\n  - capture: [CLIP]\n  - batch: {width: wide}\n",
      ":3:", "'width' must be a whole number" },
    { "override.yaml", "flow:\n  - capture: {uris: [CLIP], nosuch_prop: 1}\n",
      ":2:", "nosuch-prop" },
    { "open.yaml", "flow:\n  - capture: [CLIP]\n", "", "without saying where the frames go" },
    { "flowless.yaml", "name: x\n", ":1:", "needs 'flow:'" },
    { "two-keys.yaml", "flow:\n  - {capture: [CLIP], render: discard}\n",
      ":2:", "an operation is 'name: arguments'" },
    /* a list used to be taken as display */
    { "mode-list.yaml", "flow:\n  - capture: [CLIP]\n  - render: [discard]\n",
      ":3:", "render takes one mode, not a list" },
    /* an unset variable used to expand to "" without a word */
    { "unset.yaml", "flow:\n  - capture: ['${VF_TEST_UNSET_VARIABLE}']\n  - render: discard\n",
      ":2:", "${VF_TEST_UNSET_VARIABLE} is not set in the environment" },
    /* a directory used to be "does not exist" */
    { "dir.yaml", "flow:\n  - capture: [DIR]\n  - render: discard\n", ":2:", "is a directory" },
  };
  check_bad_graphs(cases, G_N_ELEMENTS(cases), TRUE);
}

static void test_detect(void)
{
  char *g = flow_test_write("kind-graph.yaml", "deepstream: {nodes: []}\n");
  char *f = flow_test_write("kind-flow.yaml", "flow: []\n");
  char *n = flow_test_write("kind-none.yaml", "something: else\n");
  VfYamlKind kind;
  GError *err = NULL;
  VF_ASSERT_OK(vf_yaml_detect(g, &kind, &err), err);
  g_assert_cmpint(kind, ==, VF_YAML_GRAPH);
  VF_ASSERT_OK(vf_yaml_detect(f, &kind, &err), err);
  g_assert_cmpint(kind, ==, VF_YAML_FLOW);
  g_assert_false(vf_yaml_detect(n, &kind, &err));
  FLOW_ASSERT_MESSAGE(err, "neither a pipeline graph");
  g_clear_error(&err);
  g_assert_false(vf_yaml_detect("/nonexistent.yaml", &kind, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_clear_error(&err);
  char *all[] = { g, f, n, NULL };
  remove_files(all);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  clip = flow_test_clip("yaml-clip.mp4", CLIP_FRAMES, 160, 120);
  g_test_add_func("/yaml/graph-fanout-probe", test_graph_fanout_probe);
  g_test_add_func("/yaml/graph-deepstream-names", test_graph_deepstream_names);
  g_test_add_func("/yaml/graph-provider-retriever", test_graph_provider_retriever);
  g_test_add_func("/yaml/graph-errors", test_graph_errors);
  g_test_add_func("/yaml/flow-operations", test_flow_operations);
  g_test_add_func("/yaml/flow-inject-decode", test_flow_inject_decode);
  g_test_add_func("/yaml/source-list", test_source_list);
  g_test_add_func("/yaml/flow-errors", test_flow_errors);
  g_test_add_func("/yaml/bounds", test_bounds);
  g_test_add_func("/yaml/variables", test_variables);
  g_test_add_func("/yaml/detect", test_detect);
  int ret = g_test_run();
  g_unlink(clip);
  g_free(clip);
  return ret;
}
