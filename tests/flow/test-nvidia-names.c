/* DeepStream element names (lib/nvidia-names.c): the document matches the table, every name the
 * seeds and Service Maker samples use is known, each one either runs as its vidflow element or
 * is a clear error (never a crash), properties are mapped, converted or ignored once, the C API,
 * YAML graphs and Flow kwargs share the table, memory:NVMM caps, display sinks without a display,
 * batches linked into single-frame elements. */
#include "flow-util.h"

/* Every DeepStream element the seeds and the Service Maker samples use. */
static const char *const seed_names[] = {
  "nvurisrcbin",
  "nvmultiurisrcbin",
  "nvstreammux",
  "nvstreamdemux",
  "nvinfer",
  "nvinferbin",
  "nvinferserver",
  "nvtracker",
  "nvdsosd",
  "nvosdbin",
  "nvmultistreamtiler",
  "nvvideoconvert",
  "nveglglessink",
  "nv3dsink",
  "nvv4l2h264enc",
  "nvv4l2h265enc",
  "nvv4l2decoder",
  "nvjpegdec",
  "nvmsgconv",
  "nvmsgbroker",
  "nvdsanalytics",
  "nvrtspoutsinkbin",
  NULL,
};

static const char *factory_of(GstElement *e)
{
  GstElementFactory *f = gst_element_get_factory(e);
  return f ? GST_OBJECT_NAME(f) : "";
}

static void test_document_matches_table(void)
{
  char *path = g_build_filename(g_getenv("VIDFLOW_SOURCE_DIR"), "docs", "nvidia-names.md", NULL);
  char *doc = NULL;
  GError *err = NULL;
  VF_ASSERT_OK(g_file_get_contents(path, &doc, NULL, &err), err);
  const char *begin = strstr(doc, "<!-- BEGIN vidflow names -->\n");
  const char *end = strstr(doc, "<!-- END vidflow names -->");
  g_assert_nonnull(begin);
  g_assert_nonnull(end);
  begin += strlen("<!-- BEGIN vidflow names -->\n");
  char *table = g_strndup(begin, (gsize)(end - begin));
  char *expected = vf_nvidia_names_to_markdown();
  if (!g_str_equal(table, expected))
    g_error("docs/nvidia-names.md is not the table in lib/nvidia-names.c: put what `vidflow "
            "names` prints between its markers");
  g_free(expected);
  g_free(table);
  g_free(doc);
  g_free(path);
}

/* Adding each name: its vidflow element (or fallback, or a bin) runs, or a clear error. */
static void test_every_name_added(void)
{
  g_setenv(VF_DISPLAY_SINK_ENV, "fakesink", TRUE); /* display sinks are tested below */
  for (guint i = 0; seed_names[i]; i++)
    g_assert_nonnull(vf_nvidia_name_lookup(seed_names[i]));
  guint n = 0;
  const VfNvidiaName *names = vf_nvidia_names(&n);
  g_assert_cmpuint(n, >=, 30);
  for (guint i = 0; i < n; i++) {
    const VfNvidiaName *row = &names[i];
    VfPipeline *p = vf_pipeline_new("names");
    GError *err = NULL;
    gboolean ok = vf_pipeline_add(p, row->nvidia, "e", &err, NULL);
    if (row->vidflow == NULL) {
      g_assert_false(ok);
      g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
      g_assert_nonnull(strstr(err->message, row->nvidia));
      g_assert_nonnull(strstr(err->message, "no counterpart"));
    } else if (ok) {
      const char *f = factory_of(vf_pipeline_get_element(p, "e"));
      /* the element itself, its fallback, vfdisplaysink, or a bin doing what it does */
      g_assert_true(strstr(row->vidflow, f) || (row->fallback && g_str_equal(f, "bin"))
                    || g_str_equal(f, "bin") || g_str_equal(f, "vfdisplaysink"));
      if (!flow_test_have(row->vidflow) && row->fallback)
        g_assert_cmpstr(f, ==, "bin"); /* nvvideoconvert: videoconvert for single frames */
    } else {
      /* a vidflow element not in this build yet: the error names it */
      g_assert_false(flow_test_have(row->vidflow));
      g_assert_nonnull(strstr(err->message, row->vidflow));
      g_assert_nonnull(strstr(err->message, "not in this build"));
    }
    g_clear_error(&err);
    vf_pipeline_free(p);
  }
  /* a name nobody knows */
  VfPipeline *p = vf_pipeline_new("names");
  GError *err = NULL;
  g_assert_false(vf_pipeline_add(p, "nvfoobar", "e", &err, NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_assert_nonnull(strstr(err->message, "docs/nvidia-names.md"));
  g_clear_error(&err);
  vf_pipeline_free(p);
  g_unsetenv(VF_DISPLAY_SINK_ENV);
}

/* Messages of the vidflow log domain, counted by a substring. */
typedef struct {
  const char *needle;
  guint seen;
} LogCount;

static LogCount *counting; /* the test that counts now, or NULL (test thread only) */

static GLogWriterOutput count_log(GLogLevelFlags level, const GLogField *fields, gsize n,
                                  gpointer data)
{
  LogCount *c = counting;
  for (gsize i = 0; c && i < n; i++)
    if (g_str_equal(fields[i].key, "MESSAGE") && strstr(fields[i].value, c->needle))
      c->seen++;
  return g_log_writer_default(level, fields, n, data);
}

static void test_properties(void)
{
  VfPipeline *p = vf_pipeline_new("props");
  GError *err = NULL;
  LogCount told = { "'attach-sys-ts' is ignored", 0 };
  counting = &told;
  /* same names, ignored ones (told once for two elements), a native gpu-id */
  VF_ASSERT_OK(vf_pipeline_add(p, "nvstreammux", "mux", &err, "batch-size", "2", "width", "640",
                               "height", "480", "nvbuf-memory-type", "2", "attach-sys-ts", "true",
                               "gpu-id", "0", NULL),
               err);
  VF_ASSERT_OK(vf_pipeline_add(p, "nvstreammux", "mux2", &err, "attach-sys-ts", "1", NULL), err);
  counting = NULL;
  g_assert_cmpuint(told.seen, ==, 1);
  guint batch = 0, width = 0;
  g_object_get(vf_pipeline_get_element(p, "mux"), "batch-size", &batch, "width", &width, NULL);
  g_assert_cmpuint(batch, ==, 2);
  g_assert_cmpuint(width, ==, 640);
  /* set later, by name, still in DeepStream's spelling */
  VF_ASSERT_OK(vf_pipeline_set(p, "mux", "nvbuf-memory-type", "3", &err), err);
  VF_ASSERT_OK(vf_pipeline_set_int(p, "mux", "compute-hw", 1, &err), err);
  /* a property with no counterpart: an error naming element, DeepStream name, property */
  g_assert_false(vf_pipeline_set(p, "mux", "no-such-thing", "1", &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_PROPERTY);
  g_assert_nonnull(strstr(err->message, "'mux'"));
  g_assert_nonnull(strstr(err->message, "nvstreammux"));
  g_assert_nonnull(strstr(err->message, "no-such-thing"));
  g_clear_error(&err);

  /* encoder: bit/s to kbit/s, iframeinterval, profile as caps; bad values are errors */
  VF_ASSERT_OK(vf_pipeline_add(p, "nvv4l2h264enc", "enc", &err, "bitrate", "3000000",
                               "iframeinterval", "15", "profile", "2", "insert-sps-pps", "1", NULL),
               err);
  GstElement *enc = vf_pipeline_get_element(p, "enc");
  GstElement *x264 = NULL, *profile = gst_bin_get_by_name(GST_BIN(enc), "profile");
  GstIterator *it = gst_bin_iterate_elements(GST_BIN(enc));
  GValue v = G_VALUE_INIT;
  while (gst_iterator_next(it, &v) == GST_ITERATOR_OK) {
    if (g_str_equal(factory_of(g_value_get_object(&v)), "x264enc"))
      x264 = g_value_get_object(&v);
    g_value_reset(&v);
  }
  g_value_unset(&v);
  gst_iterator_free(it);
  g_assert_nonnull(x264);
  guint kbps = 0, gop = 0;
  g_object_get(x264, "bitrate", &kbps, "key-int-max", &gop, NULL);
  g_assert_cmpuint(kbps, ==, 3000);
  g_assert_cmpuint(gop, ==, 15);
  GstCaps *caps = NULL;
  g_object_get(profile, "caps", &caps, NULL);
  g_assert_cmpstr(gst_structure_get_string(gst_caps_get_structure(caps, 0), "profile"), ==, "main");
  gst_caps_unref(caps);
  gst_object_unref(profile);
  g_assert_false(vf_pipeline_set(p, "enc", "profile", "3", &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_VALUE);
  g_clear_error(&err);
  g_assert_false(vf_pipeline_set(p, "enc", "bitrate", "fast", &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_VALUE);
  g_clear_error(&err);

  /* memory:NVMM caps on a capsfilter: CPU frames or batches */
  VF_ASSERT_OK(vf_pipeline_add(p, "capsfilter", "caps", &err, "caps",
                               "video/x-raw(memory:NVMM), format=RGB", NULL),
               err);
  g_object_get(vf_pipeline_get_element(p, "caps"), "caps", &caps, NULL);
  g_assert_cmpuint(gst_caps_get_size(caps), ==, 2);
  g_assert_true(
      gst_caps_features_contains(gst_caps_get_features(caps, 1), VF_CAPS_FEATURE_META_BATCH));
  char *cs = gst_caps_to_string(caps);
  g_assert_null(strstr(cs, "NVMM"));
  g_free(cs);
  gst_caps_unref(caps);
  vf_pipeline_free(p);
}

static void test_infer_properties(void)
{
  FLOW_REQUIRE("vfinfer");
  VfPipeline *p = vf_pipeline_new("infer");
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_add(p, "nvinfer", "infer", &err, "gpu-id", "1", "process-mode", "2",
                               "infer-on-class-ids", "0:2", "infer-on-gie-id", "1",
                               "model-engine-file", "/x.engine", NULL),
               err);
  GstElement *e = vf_pipeline_get_element(p, "infer");
  g_assert_cmpstr(factory_of(e), ==, "vfinfer");
  gint device = -1, unique = 0;
  g_object_get(e, "device-id", &device, "operate-on-unique-id", &unique, NULL);
  g_assert_cmpint(device, ==, 1);
  g_assert_cmpint(unique, ==, 1);
  GParamSpec *ps = g_object_class_find_property(G_OBJECT_GET_CLASS(e), "process-mode");
  GValue mode = G_VALUE_INIT;
  g_value_init(&mode, ps->value_type);
  g_object_get_property(G_OBJECT(e), "process-mode", &mode);
  GEnumValue *ev = g_enum_get_value(g_type_class_peek(ps->value_type), g_value_get_enum(&mode));
  g_assert_cmpstr(ev->value_nick, ==, "secondary");
  g_value_unset(&mode);
  /* DeepStream's own nvinfer config is refused with a sentence saying why */
  char *ds = flow_test_write("dstest1_pgie_config.txt",
                             "[property]\ngpu-id=0\nnet-scale-factor=0.0039\n");
  g_assert_false(vf_pipeline_set(p, "infer", "config-file-path", ds, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_VALUE);
  g_assert_nonnull(strstr(err->message, "DeepStream nvinfer config"));
  g_clear_error(&err);
  g_unlink(ds);
  g_free(ds);
  vf_pipeline_free(p);
}

/* Display sinks: no display is an error when the element is added (not a crash at start), an
 * unreachable one too; fakesink when asked. */
static void test_display_sinks(void)
{
  char *saved = g_strdup(g_getenv("DISPLAY")), *saved_w = g_strdup(g_getenv("WAYLAND_DISPLAY"));
  g_unsetenv("DISPLAY");
  g_unsetenv("WAYLAND_DISPLAY");
  g_unsetenv(VF_DISPLAY_SINK_ENV);
  const char *sinks[] = { "nveglglessink", "nv3dsink" };
  for (guint i = 0; i < G_N_ELEMENTS(sinks); i++) {
    VfPipeline *p = vf_pipeline_new("display");
    GError *err = NULL;
    g_assert_false(vf_pipeline_add(p, sinks[i], "sink", &err, "sync", "false", NULL));
    g_assert_error(err, VF_ERROR, VF_ERROR_UNSUPPORTED);
    g_assert_nonnull(strstr(err->message, sinks[i]));
    g_assert_nonnull(strstr(err->message, VF_DISPLAY_SINK_ENV "=fakesink"));
    g_clear_error(&err);
    g_setenv("DISPLAY", ":77", TRUE); /* nothing listens there */
    g_assert_false(vf_pipeline_add(p, sinks[i], "sink", &err, NULL));
    g_assert_error(err, VF_ERROR, VF_ERROR_UNSUPPORTED);
    g_assert_nonnull(strstr(err->message, ":77"));
    g_clear_error(&err);
    g_unsetenv("DISPLAY");
    /* asked to run headless: frames flow, batches included, into fakesink */
    g_setenv(VF_DISPLAY_SINK_ENV, "fakesink", TRUE);
    VF_ASSERT_OK(vf_pipeline_add(p, "videotestsrc", "src", &err, "num-buffers", "5", NULL)
                     && vf_pipeline_add(p, sinks[i], "sink", &err, "sync", "false", "window-width",
                                        "640", NULL)
                     && vf_pipeline_link(p, &err, "src", "sink", NULL) && vf_pipeline_run(p, &err),
                 err);
    g_unsetenv(VF_DISPLAY_SINK_ENV);
    vf_pipeline_free(p);
  }
  g_setenv(VF_DISPLAY_SINK_ENV, "no-such-sink", TRUE);
  VfPipeline *p = vf_pipeline_new("display");
  GError *err = NULL;
  g_assert_false(vf_pipeline_add(p, "nveglglessink", "sink", &err, NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_clear_error(&err);
  vf_pipeline_free(p);
  g_unsetenv(VF_DISPLAY_SINK_ENV);
  if (saved)
    g_setenv("DISPLAY", saved, TRUE);
  if (saved_w)
    g_setenv("WAYLAND_DISPLAY", saved_w, TRUE);
  g_free(saved);
  g_free(saved_w);
}

/* A batch linked into something that takes single frames: the error says what works. */
static void test_batch_into_single_frames(void)
{
  FLOW_REQUIRE("vfmux");
  char *clip = flow_test_clip("names-clip.mp4", 10, 160, 120);
  const char *into[] = { "nvvideoconvert", "videoconvert" };
  for (guint i = 0; i < G_N_ELEMENTS(into); i++) {
    VfPipeline *p = vf_pipeline_new("batch");
    GError *err = NULL;
    VF_ASSERT_OK(vf_pipeline_add(p, "nvurisrcbin", "src", &err, "uri", clip, NULL)
                     && vf_pipeline_add(p, "nvstreammux", "mux", &err, "batch-size", "1", "width",
                                        "160", "height", "120", NULL)
                     && vf_pipeline_add(p, into[i], "convert", &err, NULL)
                     && vf_pipeline_add(p, "capsfilter", "caps", &err, "caps",
                                        "video/x-raw,format=RGB", NULL)
                     && vf_pipeline_link_pads(p, "src", NULL, "mux", "sink_%u", &err),
                 err);
    /* vfconvert converts batches into batches: caps without meta:VfBatch after it still take
     * single frames only, and the error says what to write (the seed's memory:NVMM caps are
     * taken as both and link) */
    gboolean ok = vf_pipeline_link(p, &err, "mux", "convert", "caps", NULL);
    g_assert_false(ok);
    g_assert_error(err, VF_ERROR, VF_ERROR_LINK);
    const char *ways[] = { "vfconvert", "nvvideoconvert", "vfmux format=RGB",
                           "video/x-raw(meta:VfBatch),format=RGB" };
    for (guint w = 0; w < G_N_ELEMENTS(ways); w++)
      if (!strstr(err->message, ways[w]))
        g_error("the error does not name '%s': %s", ways[w], err->message);
    g_assert_null(strstr(err->message, "put a converter (videoconvert)"));
    g_clear_error(&err);
    vf_pipeline_free(p);
  }
  g_unlink(clip);
  g_free(clip);
}

/* nvmultiurisrcbin: a source per URI, batched. */
static void test_multiurisrcbin(void)
{
  FLOW_REQUIRE("vfmux");
  char *clip = flow_test_clip("names-multi.mp4", 12, 160, 120);
  char *uris = g_strdup_printf("%s,%s", clip, clip);
  VfPipeline *p = vf_pipeline_new("multi");
  GError *err = NULL;
  guint frames = 0;
  VF_ASSERT_OK(vf_pipeline_add(p, "nvmultiurisrcbin", "src", &err, "uri-list", uris,
                               "sensor-id-list", "cam-a;cam-b", "max-batch-size", "2", "width",
                               "160", "height", "120", "port", "9000", NULL)
                   && vf_pipeline_add(p, "appsink", "sink", &err, "sync", "false", NULL)
                   && vf_pipeline_link(p, &err, "src", "sink", NULL),
               err);
  FlowCounter c;
  flow_counter_init(&c);
  VF_ASSERT_OK(vf_pipeline_attach_receiver(
                   p, "sink", vf_receiver_new("count", &flow_counter_callbacks, &c), NULL, &err),
               err);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  frames = (guint)c.frames;
  g_assert_cmpuint(frames, >=, 6); /* batches of two frames */
  g_assert_cmpint(c.batch, ==, 2);
  vf_pipeline_free(p);
  g_free(uris);
  g_unlink(clip);
  g_free(clip);
}

/* YAML graphs and Flow kwargs go through the same table. */
static void test_yaml_and_flow(void)
{
  FLOW_REQUIRE("vfmux");
  char *clip = flow_test_clip("names-yaml.mp4", 8, 160, 120);
  char *text = g_strdup_printf("deepstream:\n"
                               "  nodes:\n"
                               "    - {type: nvurisrcbin, name: src, properties: {uri: %s,\n"
                               "       cudadec-memtype: 0}}\n"
                               "    - {type: nvstreammux, name: mux, properties: {batch-size: 1,\n"
                               "       width: 160, height: 120, nvbuf-memory-type: 2}}\n"
                               "    - {type: nvstreamdemux, name: demux}\n"
                               "    - {type: fakesink, name: sink}\n"
                               "    - {type: measure_fps_probe.measure_fps_probe, name: fps,\n"
                               "       properties: {interval: 0}}\n"
                               "  edges:\n"
                               "    src: mux\n"
                               "    mux: [demux, fps]\n"
                               "    demux.src_0: sink\n",
                               clip);
  char *graph = flow_test_write("names.yaml", text);
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new_from_yaml(graph, &err);
  VF_ASSERT_OK(p, err);
  g_assert_cmpstr(factory_of(vf_pipeline_get_element(p, "mux")), ==, "vfmux");
  g_assert_cmpstr(factory_of(vf_pipeline_get_element(p, "demux")), ==, "vfdemux");
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  vf_pipeline_free(p);

  /* the seed's kwargs: gpu_id on capture (vfurisrcbin has it), nvbuf_memory_type ignored */
  const char *uris[] = { clip, NULL };
  VfFlow *f = vf_flow_new(NULL);
  VF_ASSERT_OK(vf_flow_capture(f, uris, &err, "gpu_id", "1", "cudadec_memtype", "0", NULL), err);
  VF_ASSERT_OK(vf_flow_batch(f, 1, 160, 120, &err, "nvbuf_memory_type", "2", NULL), err);
  VF_ASSERT_OK(vf_flow_render(f, VF_RENDER_DISCARD, &err, NULL), err);
  guint gpu = 0;
  g_object_get(vf_pipeline_get_element(vf_flow_get_pipeline(f), "capture0-src0"), "gpu-id", &gpu,
               NULL);
  g_assert_cmpuint(gpu, ==, 1);
  VF_ASSERT_OK(vf_flow_run(f, &err), err);
  vf_flow_free(f);
  f = vf_flow_new(NULL);
  g_assert_null(vf_flow_capture(f, uris, &err, "no_such_kwarg", "1", NULL));
  g_assert_error(err, VF_ERROR, VF_ERROR_PROPERTY);
  g_clear_error(&err);
  vf_flow_free(f);
  if (flow_test_have("vfinfer")) {
    char *config = g_build_filename(g_getenv("VIDFLOW_SOURCE_DIR"), "configs",
                                    "ssd_mobilenet_v2_oid.yaml", NULL);
    f = vf_flow_new(NULL);
    vf_flow_batch_capture(f, uris, &err, NULL);
    VF_ASSERT_OK(vf_flow_infer(f, config, &err, "gpu_id", "2", "process_mode", "1", NULL), err);
    gint device = -1;
    g_object_get(vf_pipeline_get_element(vf_flow_get_pipeline(f), "infer1-infer"), "device-id",
                 &device, NULL);
    g_assert_cmpint(device, ==, 2);
    vf_flow_free(f);
    g_free(config);
  }
  g_unlink(graph);
  g_free(graph);
  g_free(text);
  g_unlink(clip);
  g_free(clip);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  g_log_set_writer_func(count_log, NULL, NULL);
  g_test_add_func("/nvidia-names/document-matches-table", test_document_matches_table);
  g_test_add_func("/nvidia-names/every-name-added", test_every_name_added);
  g_test_add_func("/nvidia-names/properties", test_properties);
  g_test_add_func("/nvidia-names/infer-properties", test_infer_properties);
  g_test_add_func("/nvidia-names/display-sinks", test_display_sinks);
  g_test_add_func("/nvidia-names/batch-into-single-frames", test_batch_into_single_frames);
  g_test_add_func("/nvidia-names/multiurisrcbin", test_multiurisrcbin);
  g_test_add_func("/nvidia-names/yaml-and-flow", test_yaml_and_flow);
  return g_test_run();
}
