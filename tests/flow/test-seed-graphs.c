/* Every graph of the two seed documents, and NVIDIA's deepstream_test1 YAML shape, written with
 * DeepStream's element names (nvstreammux, nvinfer, nvosdbin, nveglglessink, ...) and their
 * properties (nvbuf-memory-type, compute-hw, caps in memory:NVMM, do-timestamp), run through the
 * C API (vf_pipeline_add with the NVIDIA names, feeders with the seed's providers, probes) and
 * through `vidflow run` (the same graph as a Service Maker YAML file), the effect checked: frames
 * at the sink, objects found, files read back with GStreamer's decoders.
 *
 * Display sinks run with VIDFLOW_DISPLAY_SINK=fakesink (`vidflow run --no-display`): what a
 * display would show is what reaches the sink, counted. Graphs from the seeds are ported as they
 * are written; where the seed has a slip (a link from an element already linked, caps that do not
 * match the provider), the graph runs as intended and the slip as written is checked to be a clear
 * error. For the suite's time the frames are few and small (FRAMES of WIDTHxHEIGHT, the seeds'
 * caps say 1280x720): element names, properties and links are the seeds'.
 *
 * BATCH_CONVERT: the seeds' extraction graphs convert batches (nvstreammux ! nvvideoconvert !
 * capsfilter(video/x-raw(memory:NVMM),format=RGB) ! appsink) with vfconvert; they are in
 * needs_vfconvert[] and run like the others (vfconvert is always built). NEEDS_OTHER: Flow track()
 * and publish() need vftracker, vfmsgconv and vfmsgbroker (other branches); they skip the same way
 * until those exist. */
#include "flow-util.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <sys/wait.h>
#ifdef HAVE_MOSQUITTO
#include "../message/brokers.h"
#include "../message/mqtt-sub.h"
#endif

#define FRAMES 12   /* of the clip and of every provider */
#define CLIP_FPS 10 /* the clip's rate: vtest.avi's */
#define WIDTH 640
#define HEIGHT 360

static char *clip_uri;  /* its file:// URI */
static char *clip;      /* FRAMES frames of vtest.avi (people, cars) at WIDTHxHEIGHT, H.264 MP4 */
static char *clip_h264; /* the same as an H.264 elementary stream (deepstream_test1's input) */
static char *config;    /* vfinfer's SSD config */
static GPtrArray *rgb;  /* GBytes: the clip's frames as RGB, for the seed's providers */

/* ---- the graphs ---- */

typedef struct {
  const char *type, *name;
  const char *props[14]; /* name, value, ...; @CLIP@, @CLIPURI@, @H264@, @CONFIG@, @OUT@ replaced */
} Node;

typedef struct {
  const char *from, *to; /* "element" or "element.pad" */
} Edge;

typedef struct {
  const char *id; /* the test path */
  Node nodes[12];
  Edge edges[12];
  const char *feed[3];  /* appsrc nodes fed by the seed's providers (YAML: sample.pattern) */
  const char *count;    /* frames counted on this element's sink pad */
  const char *retrieve; /* an appsink with the seed's retriever (YAML: sample.checksum) */
  const char *infer;    /* objects counted leaving it */
  gboolean mp4;         /* @OUT@ is an MP4 of every frame, checked with a decoder */
  guint frames;         /* expected at `count` / `retrieve` (0: FRAMES) */
} Graph;

#define CAPS_RGB "video/x-raw(memory:NVMM), format=RGB, width=640, height=360, framerate=30/1"
#define CAPS_NV12 "video/x-raw(memory:NVMM), format=NV12"
#define CAPS_RGB_OUT "video/x-raw(memory:NVMM), format=RGB"

/* Graphs that run now. */
static const Graph seeds[] = {
  /* 000 Part 1 Pattern 1, custom video source: appsrc -> nvvideoconvert -> nvstreammux -> nvinfer
   * -> nvosdbin -> display (the seed adds the NV12 capsfilter but links around it: kept so) */
  { "/seeds/000/part1-pattern1-custom-source",
    { { "appsrc", "src", { "caps", CAPS_RGB, "do-timestamp", "true", "format", "3" } },
      { "nvvideoconvert", "convert", { "nvbuf-memory-type", "2", "compute-hw", "1" } },
      { "capsfilter", "caps", { "caps", CAPS_NV12 } },
      { "nvstreammux", "mux", { "batch-size", "1", "width", "1280", "height", "720" } },
      { "nvinfer", "infer", { "config-file-path", "@CONFIG@" } },
      { "nvosdbin", "osd", { NULL } },
      { "nveglglessink", "sink", { "sync", "false" } } },
    { { "src", "convert" },
      { "convert", "mux.sink_%u" },
      { "mux", "infer" },
      { "infer", "osd" },
      { "osd", "sink" } },
    { "src" },
    "sink",
    NULL,
    "infer",
    FALSE,
    0 },
  /* 000 Part 1 Pattern 2, synthetic frames to MP4 */
  { "/seeds/000/part1-pattern2-synthetic-mp4",
    { { "appsrc", "src", { "caps", CAPS_RGB, "do-timestamp", "true" } },
      { "nvvideoconvert", "convert", { NULL } },
      { "nvv4l2h264enc", "encoder", { "bitrate", "4000000" } },
      { "h264parse", "parser", { NULL } },
      { "mp4mux", "mux", { NULL } },
      { "filesink", "sink", { "location", "@OUT@" } } },
    { { "src", "convert" },
      { "convert", "encoder" },
      { "encoder", "parser" },
      { "parser", "mux" },
      { "mux", "sink" } },
    { "src" },
    NULL,
    NULL,
    NULL,
    TRUE,
    0 },
  /* 000 Part 1 Pattern 3, queue injection (the destination pipeline), linked as meant: the
   * NV12 capsfilter into the mux (test_seed_slips checks the seed's own link) */
  { "/seeds/000/part1-pattern3-queue-injection",
    { { "appsrc", "src", { "caps", CAPS_RGB, "do-timestamp", "true" } },
      { "nvvideoconvert", "convert", { "nvbuf-memory-type", "2" } },
      { "capsfilter", "caps", { "caps", CAPS_NV12 } },
      { "nvstreammux", "mux", { "batch-size", "1", "width", "1280", "height", "720" } },
      { "nveglglessink", "sink", { "sync", "false" } } },
    { { "src", "convert" }, { "convert", "caps" }, { "caps", "mux.sink_%u" }, { "mux", "sink" } },
    { "src" },
    "sink",
    NULL,
    NULL,
    FALSE,
    0 },
  /* 000 Part 1, multiple custom sources: two appsrc, batched, inferred, tiled, drawn, shown */
  { "/seeds/000/part1-multi-source-injection",
    { { "appsrc", "src0", { "caps", CAPS_RGB, "do-timestamp", "true" } },
      { "nvvideoconvert", "convert0", { "nvbuf-memory-type", "2" } },
      { "appsrc", "src1", { "caps", CAPS_RGB, "do-timestamp", "true" } },
      { "nvvideoconvert", "convert1", { "nvbuf-memory-type", "2" } },
      { "nvstreammux", "mux", { "batch-size", "2", "width", "1280", "height", "720" } },
      { "nvinfer", "infer", { "config-file-path", "@CONFIG@" } },
      { "nvmultistreamtiler", "tiler", { "rows", "2", "columns", "2" } },
      { "nvosdbin", "osd", { NULL } },
      { "nveglglessink", "sink", { NULL } } },
    { { "src0", "convert0" },
      { "convert0", "mux.sink_%u" },
      { "src1", "convert1" },
      { "convert1", "mux.sink_%u" },
      { "mux", "infer" },
      { "infer", "tiler" },
      { "tiler", "osd" },
      { "osd", "sink" } },
    { "src0", "src1" },
    "sink",
    NULL,
    "infer",
    FALSE,
    0 },
  /* NVIDIA's deepstream_test1 as issue 16 found it crashing (SIGSEGV): nvurisrcbin, nvstreammux,
   * nvinferbin, nvosdbin, nveglglessink, a probe node on infer.src */
  { "/seeds/deepstream-test1/nvinferbin-probe-on-infer-src",
    { { "nvurisrcbin", "src", { "uri", "@CLIPURI@" } },
      { "nvstreammux", "mux", { "batch-size", "1", "width", "1280", "height", "720" } },
      { "nvinferbin", "infer", { "config-file-path", "@CONFIG@" } },
      { "nvosdbin", "osd", { NULL } },
      { "nveglglessink", "sink", { "sync", "false" } },
      { "measure_fps_probe.measure_fps_probe", "probe", { "interval", "0" } } },
    { { "src", "mux" },
      { "mux", "infer" },
      { "infer.src", "osd" },
      { "infer.src", "probe" },
      { "osd", "sink" } },
    { NULL },
    "sink",
    NULL,
    "infer",
    FALSE,
    0 },
};

/* BATCH_CONVERT: graphs that convert batches (nvvideoconvert after nvstreammux or nvinfer). */
static const Graph needs_vfconvert[] = {
  /* 000 Part 2 Pattern 1, frame extraction (every 30th frame saved) */
  { "/seeds/000/part2-pattern1-frame-extraction",
    { { "nvurisrcbin", "src", { "uri", "@CLIPURI@" } },
      { "nvstreammux", "mux", { "batch-size", "1", "width", "1920", "height", "1080" } },
      { "nvvideoconvert", "converter", { NULL } },
      { "capsfilter", "caps", { "caps", CAPS_RGB_OUT } },
      { "appsink", "sink", { "emit-signals", "true", "sync", "false" } } },
    { { "src", "mux.sink_%u" },
      { "mux", "converter" },
      { "converter", "caps" },
      { "caps", "sink" } },
    { NULL },
    NULL,
    "sink",
    NULL,
    FALSE,
    0 },
  /* 000 Part 2 Pattern 2 (and Part 1 Pattern 3's source): frames of a pipeline into a queue */
  { "/seeds/000/part2-pattern2-queue-transfer-source",
    { { "nvurisrcbin", "src", { "uri", "@CLIPURI@" } },
      { "nvstreammux", "mux", { "batch-size", "1", "width", "1280", "height", "720" } },
      { "nvvideoconvert", "converter", { NULL } },
      { "capsfilter", "caps", { "caps", CAPS_RGB_OUT } },
      { "appsink", "sink", { "emit-signals", "true", "sync", "false" } } },
    { { "src", "mux.sink_%u" },
      { "mux", "converter" },
      { "converter", "caps" },
      { "caps", "sink" } },
    { NULL },
    NULL,
    "sink",
    NULL,
    FALSE,
    0 },
  /* 000 Part 2 Pattern 3, selective capture: a probe on nvinfer, frames after it */
  { "/seeds/000/part2-pattern3-selective-capture",
    { { "nvurisrcbin", "src", { "uri", "@CLIPURI@" } },
      { "nvstreammux", "mux", { "batch-size", "1", "width", "1920", "height", "1080" } },
      { "nvinfer", "infer", { "config-file-path", "@CONFIG@" } },
      { "nvvideoconvert", "converter", { NULL } },
      { "capsfilter", "caps", { "caps", CAPS_RGB_OUT } },
      { "appsink", "sink", { "emit-signals", "true", "sync", "false" } } },
    { { "src", "mux.sink_%u" },
      { "mux", "infer" },
      { "infer", "converter" },
      { "converter", "caps" },
      { "caps", "sink" } },
    { NULL },
    NULL,
    "sink",
    "infer",
    FALSE,
    0 },
  /* 000 Part 2, frame analysis (statistics and the frame's detections) */
  { "/seeds/000/part2-frame-analysis",
    { { "nvurisrcbin", "src", { "uri", "@CLIPURI@" } },
      { "nvstreammux", "mux", { "batch-size", "1", "width", "1920", "height", "1080" } },
      { "nvinfer", "infer", { "config-file-path", "@CONFIG@" } },
      { "nvvideoconvert", "converter", { NULL } },
      { "capsfilter", "caps", { "caps", CAPS_RGB_OUT } },
      { "appsink", "sink", { "emit-signals", "true", "sync", "false" } } },
    { { "src", "mux.sink_%u" },
      { "mux", "infer" },
      { "infer", "converter" },
      { "converter", "caps" },
      { "caps", "sink" } },
    { NULL },
    NULL,
    "sink",
    "infer",
    FALSE,
    0 },
  /* 000 Part 2, frames streamed to an external system */
  { "/seeds/000/part2-frame-streamer",
    { { "nvurisrcbin", "src", { "uri", "@CLIPURI@" } },
      { "nvstreammux", "mux", { "batch-size", "1", "width", "1280", "height", "720" } },
      { "nvvideoconvert", "converter", { NULL } },
      { "capsfilter", "caps", { "caps", CAPS_RGB_OUT } },
      { "appsink", "sink", { "emit-signals", "true", "sync", "false" } } },
    { { "src", "mux.sink_%u" },
      { "mux", "converter" },
      { "converter", "caps" },
      { "caps", "sink" } },
    { NULL },
    NULL,
    "sink",
    NULL,
    FALSE,
    0 },
  /* 000 Part 2, multi-stream extraction: two sources in one batch */
  { "/seeds/000/part2-multi-stream-extraction",
    { { "nvurisrcbin", "src0", { "uri", "@CLIPURI@" } },
      { "nvurisrcbin", "src1", { "uri", "@CLIPURI@" } },
      { "nvstreammux", "mux", { "batch-size", "2", "width", "1280", "height", "720" } },
      { "nvvideoconvert", "converter", { NULL } },
      { "capsfilter", "caps", { "caps", CAPS_RGB_OUT } },
      { "appsink", "sink", { "emit-signals", "true", "sync", "false" } } },
    { { "src0", "mux.sink_%u" },
      { "src1", "mux.sink_%u" },
      { "mux", "converter" },
      { "converter", "caps" },
      { "caps", "sink" } },
    { NULL },
    NULL,
    "sink",
    NULL,
    FALSE,
    2 * FRAMES }, /* two sources: two frames per batch */
  /* NVIDIA's deepstream_test1 C++/Python YAML (dstest1_config.yaml): an H.264 file, nvv4l2decoder,
   * nvinfer, then nvvideoconvert (batches, RGBA for the OSD), nvdsosd, the display; the sample's
   * probe on nvvideoconvert's src */
  { "/seeds/deepstream-test1/dstest1-config-yaml",
    { { "filesrc", "filesrc", { "location", "@H264@" } },
      { "h264parse", "h264parse", { NULL } },
      { "nvv4l2decoder", "nvv4l2decoder", { NULL } },
      { "nvstreammux", "nvstreammux", { "batch-size", "1", "width", "1280", "height", "720" } },
      { "nvinfer", "infer", { "config-file-path", "@CONFIG@" } },
      { "nvvideoconvert", "nvvideoconvert", { NULL } },
      { "nvdsosd", "nvdsosd", { NULL } },
      { "nveglglessink", "sink", { "sync", "false" } },
      { "measure_fps_probe.measure_fps_probe", "samplevideoprobe", { "interval", "0" } } },
    { { "filesrc", "h264parse" },
      { "h264parse", "nvv4l2decoder" },
      { "nvv4l2decoder", "nvstreammux.sink_%u" },
      { "nvstreammux", "infer" },
      { "infer", "nvvideoconvert" },
      { "nvvideoconvert.src", "nvdsosd" },
      { "nvvideoconvert.src", "samplevideoprobe" },
      { "nvdsosd", "sink" } },
    { NULL },
    "sink",
    NULL,
    "infer",
    FALSE,
    0 },
};

/* ---- helpers ---- */

static char *expand(const char *value, const char *out)
{
  const char *keys[][2] = { { "@CLIP@", clip },
                            { "@CLIPURI@", clip_uri },
                            { "@H264@", clip_h264 },
                            { "@CONFIG@", config },
                            { "@OUT@", out } };
  for (guint i = 0; i < G_N_ELEMENTS(keys); i++)
    if (g_str_equal(value, keys[i][0]))
      return g_strdup(keys[i][1]);
  return g_strdup(value);
}

static gboolean is_probe(const Node *n)
{
  return strchr(n->type, '.') != NULL;
}

static const Node *node_named(const Graph *g, const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS(g->nodes) && g->nodes[i].type; i++)
    if (g_str_equal(g->nodes[i].name, name))
      return &g->nodes[i];
  return NULL;
}

static gboolean in_list(const char *const *list, guint n, const char *name)
{
  for (guint i = 0; i < n && list[i]; i++)
    if (name && g_str_equal(list[i], name))
      return TRUE;
  return FALSE;
}

static guint feeds(const Graph *g)
{
  guint n = 0;
  while (n < G_N_ELEMENTS(g->feed) && g->feed[n])
    n++;
  return n;
}

/* The seed's providers: the clip's frames, RGB, one by one, then end of stream. */
typedef struct {
  guint next;
} Provider;

static VfBuffer *provide(gsize size, gpointer data, GError **error)
{
  Provider *p = data;
  if (p->next >= rgb->len)
    return vf_buffer_new_empty();
  GBytes *b = g_ptr_array_index(rgb, p->next++);
  gsize n;
  gconstpointer d = g_bytes_get_data(b, &n);
  g_assert_cmpuint(n, ==, size);
  return vf_buffer_new_wrapped(VF_COLOR_FORMAT_RGB, WIDTH, HEIGHT, NULL, (gpointer)d, n,
                               g_bytes_ref(b), (GDestroyNotify)g_bytes_unref, error);
}

typedef struct {
  gint frames, objects;
  VfColorFormat format;
} Counts;

static VfProbeReturn count_frame(VfBuffer *buffer, gpointer data)
{
  (void)buffer;
  g_atomic_int_inc(&((Counts *)data)->frames);
  return VF_PROBE_KEEP;
}

static void count_objects(VfBatchMeta *meta, gpointer data)
{
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++)
    g_atomic_int_add(&((Counts *)data)->objects,
                     (gint)vf_frame_meta_get_n_objects(vf_batch_meta_get_frame(meta, i)));
}

static int retrieve_frame(VfBuffer *buffer, gpointer data)
{
  Counts *c = data;
  VfTensor *t = vf_buffer_extract(buffer, 0, NULL); /* the seed's buffer.extract(0) */
  if (t) {
    c->format = vf_buffer_get_color_format(buffer);
    vf_tensor_unref(t);
  }
  /* frames, as sample.checksum counts them in `vidflow run` (a batch of two is two) */
  g_atomic_int_add(&c->frames, (gint)MAX(vf_buffer_get_batch_size(buffer), 1));
  return VF_CONSUME_OK;
}

static VfRetrieverCallbacks retriever = { retrieve_frame, NULL };

/* ---- the C API ---- */

static VfPipeline *build_c(const Graph *g, const char *out, Counts *at_sink, Counts *infer,
                           Provider *providers, GError **err)
{
  VfPipeline *p = vf_pipeline_new("seed");
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < G_N_ELEMENTS(g->nodes) && g->nodes[i].type; i++) {
    const Node *n = &g->nodes[i];
    if (is_probe(n))
      continue; /* the C API attaches its probes itself (below) */
    GPtrArray *props = g_ptr_array_new_with_free_func(g_free);
    for (guint k = 0; n->props[k]; k += 2) {
      g_ptr_array_add(props, g_strdup(n->props[k]));
      g_ptr_array_add(props, expand(n->props[k + 1], out));
    }
    g_ptr_array_add(props, NULL);
    ok = vf_pipeline_addv(p, n->type, n->name, (const char *const *)props->pdata, err);
    g_ptr_array_unref(props);
  }
  for (guint i = 0; ok && i < G_N_ELEMENTS(g->edges) && g->edges[i].from; i++) {
    const Edge *e = &g->edges[i];
    char **to = g_strsplit(e->to, ".", 2), **from = g_strsplit(e->from, ".", 2);
    const Node *target = node_named(g, to[0]);
    if (is_probe(target)) { /* the probe node: the built-in it names, on that pad */
      VfProbe *probe = vf_probe_new_builtin(VF_PROBE_MEASURE_FPS, to[0], err);
      if (probe)
        vf_probe_set_report_interval(probe, 0);
      ok = probe && vf_pipeline_attach_probe(p, from[0], from[1], probe, err);
    } else
      ok = vf_pipeline_link_pads(p, from[0], from[1], to[0], to[1], err);
    g_strfreev(to);
    g_strfreev(from);
  }
  VfProviderInfo info = { VF_COLOR_FORMAT_RGB, WIDTH, HEIGHT, 30, 1, VF_DEVICE_CPU };
  VfProviderCallbacks pc = { provide, NULL };
  for (guint i = 0; ok && i < feeds(g); i++)
    ok = vf_pipeline_attach_feeder(p, g->feed[i],
                                   vf_feeder_new(g->feed[i], &info, &pc, &providers[i]),
                                   "need-data/enough-data", err);
  VfProbeCallbacks frame_cb = { .on_buffer = count_frame },
                   meta_cb = { .on_batch_meta = count_objects };
  if (ok && g->count)
    ok = vf_pipeline_attach_probe(p, g->count, "sink", vf_probe_new("count", &frame_cb, at_sink),
                                  err);
  if (ok && g->infer) /* the seed's Probe on nvinfer */
    ok = vf_pipeline_attach_probe(p, g->infer, "src", vf_probe_new("objects", &meta_cb, infer),
                                  err);
  if (ok && g->retrieve)
    ok = vf_pipeline_attach_receiver(
        p, g->retrieve, vf_receiver_new("receiver", &retriever, at_sink), "new-sample", err);
  if (!ok) {
    vf_pipeline_free(p);
    return NULL;
  }
  return p;
}

static guint expected(const Graph *g)
{
  return g->frames ? g->frames : FRAMES;
}

static void check_effect(const Graph *g, const char *out, gint frames, gint objects,
                         const char *how)
{
  if (g->count || g->retrieve)
    if ((guint)frames != expected(g))
      g_error("%s (%s): %d frames reached the sink, expected %u", g->id, how, frames, expected(g));
  if (g->infer && objects <= 0)
    g_error("%s (%s): no object detected in %u frames of vtest.avi", g->id, how, expected(g));
  if (g->mp4)
    test_assert_media(out, expected(g), expected(g) * GST_SECOND / 30);
}

static void run_c(const Graph *g)
{
  char *out = flow_test_path("seed-c.mp4");
  Counts at_sink = { 0 }, infer = { 0 };
  Provider providers[3] = { { 0 } };
  GError *err = NULL;
  VfPipeline *p = build_c(g, out, &at_sink, &infer, providers, &err);
  VF_ASSERT_OK(p != NULL, err);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  vf_pipeline_free(p);
  check_effect(g, out, at_sink.frames, infer.objects, "C API");
  if (g->retrieve)
    g_assert_cmpint(at_sink.format, ==, VF_COLOR_FORMAT_RGB);
  g_unlink(out);
  g_free(out);
}

/* ---- vidflow run ---- */

static void yaml_value(GString *y, const char *key, const char *value)
{
  char *q = g_strescape(value, NULL);
  g_string_append_printf(y, "        %s: \"%s\"\n", key, q);
  g_free(q);
}

static char *write_yaml(const Graph *g, const char *out, const char *counted, const char *checked)
{
  GString *y = g_string_new("deepstream:\n  nodes:\n");
  for (guint i = 0; i < G_N_ELEMENTS(g->nodes) && g->nodes[i].type; i++) {
    const Node *n = &g->nodes[i];
    gboolean feed = in_list(g->feed, G_N_ELEMENTS(g->feed), n->name);
    gboolean retrieve = g->retrieve && g_str_equal(n->name, g->retrieve);
    /* a YAML graph has no C provider or retriever: the sample plugin's stand in */
    const char *type = feed ? "sample.pattern" : retrieve ? "sample.checksum" : n->type;
    g_string_append_printf(y, "    - type: %s\n      name: %s\n      properties:\n", type, n->name);
    if (feed) {
      g_string_append_printf(y, "        width: %d\n        height: %d\n        frames: %d\n",
                             WIDTH, HEIGHT, FRAMES);
    } else if (retrieve) {
      yaml_value(y, "output", checked);
    } else {
      for (guint k = 0; n->props[k]; k += 2) {
        char *v = expand(n->props[k + 1], out);
        yaml_value(y, n->props[k], v);
        g_free(v);
      }
    }
  }
  if (g->count)
    g_string_append_printf(y,
                           "    - type: sample.counter\n      name: counted\n      properties:\n"
                           "        output: \"%s\"\n",
                           counted);
  g_string_append(y, "  edges:\n");
  /* one key per source, its targets in a list */
  GPtrArray *done = g_ptr_array_new();
  for (guint i = 0; i < G_N_ELEMENTS(g->edges) && g->edges[i].from; i++) {
    const char *from = g->edges[i].from;
    if (in_list((const char *const *)done->pdata, done->len, from))
      continue;
    g_ptr_array_add(done, (gpointer)from);
    g_string_append_printf(y, "    %s: [", from);
    guint n = 0;
    for (guint j = i; j < G_N_ELEMENTS(g->edges) && g->edges[j].from; j++)
      if (g_str_equal(g->edges[j].from, from))
        g_string_append_printf(y, "%s\"%s\"", n++ ? ", " : "", g->edges[j].to);
    g_string_append(y, "]\n");
  }
  g_ptr_array_unref(done);
  if (g->count)
    g_string_append_printf(y, "    %s.sink: counted\n", g->count);
  char *path = flow_test_write("seed.yaml", y->str);
  g_string_free(y, TRUE);
  return path;
}

typedef struct {
  gint status;
  char *out, *err;
} Run;

/* `vidflow run [--no-display] FILE` (bounded by the test's timeout). */
static Run run_vidflow(const char *file, gboolean display)
{
  Run r = { 0 };
  const char *argv[]
      = { g_getenv("VIDFLOW_CMD"), "run", "--no-progress", display ? file : "--no-display",
          display ? NULL : file,   NULL };
  GError *err = NULL;
  VF_ASSERT_OK(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r.out, &r.err,
                            &r.status, &err),
               err);
  return r;
}

static void run_clear(Run *r)
{
  g_free(r->out);
  g_free(r->err);
}

static gint summary_objects(const char *out)
{
  const char *at = strstr(out, "objects detected: ");
  return at ? atoi(at + strlen("objects detected: ")) : -1;
}

static void run_yaml(const Graph *g)
{
  char *out = flow_test_path("seed-yaml.mp4"), *counted = flow_test_path("seed-counted.txt");
  char *checked = flow_test_path("seed-checked.txt");
  char *file = write_yaml(g, out, counted, checked);
  Run r = run_vidflow(file, FALSE);
  if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)
    g_error("%s: vidflow run exited with %d\n%s\n%s", g->id, r.status, r.out, r.err);
  g_assert_nonnull(strstr(r.out, "reached its end of stream"));
  gint frames = g->count      ? (gint)flow_test_read_count(counted, "buffers")
                : g->retrieve ? (gint)flow_test_read_count(checked, "frames")
                              : 0;
  /* synthetic frames (sample.pattern) hold nothing to detect: objects only from the clip */
  gint objects = g->infer && feeds(g) ? 1 : summary_objects(r.out);
  check_effect(g, out, frames, objects, "vidflow run");
  run_clear(&r);
  g_unlink(file);
  g_unlink(out);
  g_unlink(counted);
  g_unlink(checked);
  g_free(file);
  g_free(out);
  g_free(counted);
  g_free(checked);
}

static gboolean needs_infer(const Graph *g)
{
  return g->infer != NULL;
}

static void run_seed(gconstpointer data)
{
  const Graph *g = data;
  if (needs_infer(g) && !flow_test_have("vfinfer")) {
    g_test_skip("needs vfinfer (a build with inference)");
    return;
  }
  run_c(g);
  run_yaml(g);
}

/* BATCH_CONVERT cases: they need vfconvert, which every build has. */
static void run_needs_vfconvert(gconstpointer data)
{
  g_assert_true(flow_test_have("vfconvert"));
  run_seed(data);
}

/* ---- the seed's slips, as written: clear errors ---- */

static void test_seed_slips(void)
{
  /* Part 1 Pattern 3 links convert to caps, then convert to the mux again */
  VfPipeline *p = vf_pipeline_new("slip");
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_add(p, "appsrc", "src", &err, "caps", CAPS_RGB, NULL)
                   && vf_pipeline_add(p, "nvvideoconvert", "convert", &err, NULL)
                   && vf_pipeline_add(p, "capsfilter", "caps", &err, "caps", CAPS_NV12, NULL)
                   && vf_pipeline_add(p, "nvstreammux", "mux", &err, "batch-size", "1", NULL)
                   && vf_pipeline_link(p, &err, "src", "convert", "caps", NULL),
               err);
  g_assert_false(vf_pipeline_link_pads(p, "convert", NULL, "mux", "sink_%u", &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_LINK);
  g_assert_nonnull(strstr(err->message, "'convert'"));
  g_assert_nonnull(strstr(err->message, "already linked"));
  g_clear_error(&err);
  vf_pipeline_free(p);
  /* Part 1 Pattern 1's caps say 1920x1080, its provider gives the file's size */
  p = vf_pipeline_new("slip");
  VfProviderInfo info = { VF_COLOR_FORMAT_RGB, WIDTH, HEIGHT, 30, 1, VF_DEVICE_CPU };
  VfProviderCallbacks pc = { provide, NULL };
  Provider pr = { 0 };
  VF_ASSERT_OK(vf_pipeline_add(p, "appsrc", "src", &err, "caps",
                               "video/x-raw(memory:NVMM), format=RGB, width=1920, height=1080, "
                               "framerate=30/1",
                               NULL),
               err);
  g_assert_false(vf_pipeline_attach_feeder(p, "src", vf_feeder_new("feeder", &info, &pc, &pr),
                                           "need-data/enough-data", &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_FORMAT);
  g_assert_nonnull(strstr(err->message, "1920x1080"));
  g_clear_error(&err);
  vf_pipeline_free(p);
}

/* deepstream_test1 (issue 16's crash): without a display it is a clear error, exit status 1,
 * not SIGSEGV in DirectFB (what autovideosink ended in). */
static void test_test1_without_display(void)
{
  const Graph *g = &seeds[G_N_ELEMENTS(seeds) - 1]; /* the test1 shape is the last seed */
  g_assert_nonnull(strstr(g->id, "deepstream-test1"));
  char *file = write_yaml(g, "/dev/null", "/dev/null", "/dev/null");
  char *saved = g_strdup(g_getenv("DISPLAY")), *saved_w = g_strdup(g_getenv("WAYLAND_DISPLAY"));
  g_unsetenv("DISPLAY");
  g_unsetenv("WAYLAND_DISPLAY");
  g_unsetenv(VF_DISPLAY_SINK_ENV);
  const char *displays[] = { NULL, ":77" }; /* none; one nothing listens at */
  for (guint i = 0; i < G_N_ELEMENTS(displays); i++) {
    if (displays[i])
      g_setenv("DISPLAY", displays[i], TRUE);
    Run r = run_vidflow(file, TRUE);
    g_assert_true(WIFEXITED(r.status)); /* not a signal */
    g_assert_cmpint(WEXITSTATUS(r.status), ==, 1);
    g_assert_nonnull(strstr(r.err, "nveglglessink"));
    g_assert_nonnull(strstr(r.err, "--no-display"));
    run_clear(&r);
  }
  if (saved)
    g_setenv("DISPLAY", saved, TRUE);
  else
    g_unsetenv("DISPLAY");
  if (saved_w)
    g_setenv("WAYLAND_DISPLAY", saved_w, TRUE);
  g_setenv(VF_DISPLAY_SINK_ENV, "fakesink", TRUE);
  g_free(saved);
  g_free(saved_w);
  g_unlink(file);
  g_free(file);
}

/* ---- the Flow API's seeds (003, and 000's Flow samples) through `vidflow run` ---- */

typedef struct {
  const char *id;
  const char *flow; /* the flow: lines, "@CLIP@", "@CONFIG@", "@OUT@", "@PORT@" replaced;
                       "@MQTTPORT@": a mosquitto started here, whose topic "seeds" must then
                       hold one event per object detected */
  guint frames;     /* at the sources, in the summary (0: not checked) */
  gboolean objects, mp4;
  const char *needs; /* an element this build may lack: skip until it is there */
  const char *why;   /* the skip's reason */
} FlowSeed;

static const FlowSeed flow_seeds[] = {
  { "/seeds/003/capture-render", "  - capture: [@CLIP@]\n  - render: display\n", FRAMES, FALSE,
    FALSE, NULL, NULL },
  { "/seeds/003/inject-render",
    "  - inject: [{use: sample.pattern, width: 320, height: 240, frames: 12}]\n"
    "  - render: display\n",
    FRAMES, FALSE, FALSE, NULL, NULL },
  { "/seeds/003/capture-retrieve",
    "  - capture: [@CLIP@]\n  - retrieve: {use: sample.checksum, output: @OUT@}\n", FRAMES, FALSE,
    FALSE, NULL, NULL },
  { "/seeds/003/inject-decode-render",
    "  - inject: [{use: sample.image, location: @JPEG@, frames: 12, fps: 30}]\n"
    "  - decode\n  - render: display\n",
    FRAMES, FALSE, FALSE, NULL, NULL },
  { "/seeds/003/capture-batch-render",
    "  - capture: [@CLIP@, @CLIP@]\n  - batch\n"
    "  - render: display\n",
    2 * FRAMES, FALSE, FALSE, NULL, NULL },
  { "/seeds/003/batch-capture-render",
    "  - batch_capture: [@CLIP@, @CLIP@]\n"
    "  - render: display\n",
    2 * FRAMES, FALSE, FALSE, NULL, NULL },
  { "/seeds/003/render-discard", "  - capture: [@CLIP@]\n  - render: discard\n", FRAMES, FALSE,
    FALSE, NULL, NULL },
  { "/seeds/003/encode", "  - capture: [@CLIP@]\n  - encode: {uri: @OUT@, sync: false}\n", FRAMES,
    FALSE, TRUE, NULL, NULL },
  { "/seeds/003/infer",
    "  - batch_capture: [@CLIP@, @CLIP@]\n  - infer: @CONFIG@\n"
    "  - render: display\n",
    2 * FRAMES, TRUE, FALSE, "vfinfer", "needs vfinfer (a build with inference)" },
  { "/seeds/003/fork",
    "  - capture: [@CLIP@]\n  - batch\n  - fork:\n"
    "      - [{encode: \"rtsp://127.0.0.1:@PORT@\"}]\n"
    "      - [{encode: @OUT@}]\n"
    "      - [{render: display}]\n",
    FRAMES, FALSE, TRUE, NULL, NULL },
  { "/seeds/000/flow-inject-infer-render",
    "  - inject: [{use: sample.pattern, width: 320, height: 240, frames: 12}]\n"
    "  - infer: @CONFIG@\n  - render: display\n",
    FRAMES, FALSE, FALSE, "vfinfer", "needs vfinfer (a build with inference)" },
  { "/seeds/000/flow-batch-capture-retrieve",
    "  - batch_capture: [@CLIP@]\n  - retrieve: {use: sample.checksum, output: @OUT@}\n", FRAMES,
    FALSE, FALSE, NULL, NULL },
  /* NEEDS_OTHER: elements other branches are writing */
  { "/seeds/003/track",
    "  - batch_capture: [@CLIP@]\n  - infer: @CONFIG@\n  - track\n"
    "  - render: display\n",
    FRAMES, TRUE, FALSE, "vftracker",
    "needs vftracker and Flow track() (issue 10, another branch), not in this build" },
  { "/seeds/003/publish",
    "  - batch_capture: [@CLIP@]\n  - infer: @CONFIG@\n"
    "  - attach: add_message_meta_probe\n"
    "  - publish: {msg_broker_proto_lib: mqtt, "
    "msg_broker_conn_str: \"127.0.0.1;@MQTTPORT@\", topic: seeds}\n",
    FRAMES, TRUE, FALSE, "vfmsgbroker", "needs vfmsgconv, vfmsgbroker and Flow publish()" },
};

static char *jpeg;

static gint summary_frames(const char *out)
{
  /* the rows under "source  frames  avg fps", up to "objects detected" */
  const char *at = strstr(out, " avg fps\n");
  gint total = 0;
  if (at == NULL)
    return -1;
  char **lines = g_strsplit(at + strlen(" avg fps\n"), "\n", -1);
  for (guint i = 0;
       lines[i] && g_str_has_prefix(lines[i], "  ") && !strstr(lines[i], "objects detected"); i++) {
    char **f = g_strsplit_set(g_strstrip(lines[i]), " ", -1);
    guint n = g_strv_length(f), k = 0;
    char *cols[8] = { NULL };
    for (guint j = 0; j < n; j++)
      if (*f[j] && k < 8)
        cols[k++] = f[j];
    /* label (file), frames, fps[, (buffers)] */
    for (guint j = 0; j + 1 < k; j++)
      if (g_ascii_isdigit(cols[j][0]) && strchr(cols[j + 1], '.')) {
        total += atoi(cols[j]);
        break;
      }
    g_strfreev(f);
  }
  g_strfreev(lines);
  return total;
}

#ifdef HAVE_MOSQUITTO
/* What the seed's publish sent: one message per object detected (add_message_meta_probe on
 * every frame), each in DeepStream's full schema, about an object inside the frame. */
static void check_published(const FlowSeed *s, Sub *sub, gint objects)
{
  g_assert_cmpint(objects, >, 0);
  GPtrArray *got = sub_wait(sub, (guint)objects, 30 * G_TIME_SPAN_SECOND);
  if (got->len != (guint)objects)
    g_error("%s: %u events arrived at the broker, for %d objects detected", s->id, got->len,
            objects);
  g_test_message("%s: %u events arrived at the broker, one per object detected", s->id, got->len);
  for (guint i = 0; i < got->len; i++) {
    const char *text = got->pdata[i];
    JsonNode *n = schema_check(VF_PAYLOAD_DEEPSTREAM, text, strlen(text));
    JsonObject *object = json_object_get_object_member(json_node_get_object(n), "object");
    JsonObject *bbox = json_object_get_object_member(object, "bbox");
    if (json_object_get_int_member(bbox, "topleftx") < 0
        || json_object_get_int_member(bbox, "toplefty") < 0
        || json_object_get_int_member(bbox, "bottomrightx") > WIDTH
        || json_object_get_int_member(bbox, "bottomrighty") > HEIGHT)
      g_error("%s: event %u holds an object outside the %dx%d frame: %s", s->id, i, WIDTH, HEIGHT,
              text);
    json_node_unref(n);
  }
  g_ptr_array_unref(got);
}
#endif

static void run_flow_seed(gconstpointer data)
{
  const FlowSeed *s = data;
  if (s->needs && !flow_test_have(s->needs)) {
    g_test_skip(s->why);
    return;
  }
#ifdef HAVE_MOSQUITTO
  gboolean mqtt = strstr(s->flow, "@MQTTPORT@") != NULL;
  Broker *broker = mqtt ? broker_mosquitto() : NULL;
  Sub *sub = broker ? sub_new(broker->port, "seeds") : NULL;
  char mqtt_port[16];
  g_snprintf(mqtt_port, sizeof mqtt_port, "%u", broker ? broker->port : 0);
#else
  if (strstr(s->flow, "@MQTTPORT@")) {
    g_test_skip("needs libmosquitto (this build has none) for a subscriber");
    return;
  }
  const char *mqtt_port = "0";
#endif
  char *out = flow_test_path(s->mp4 ? "flow-seed.mp4" : "flow-seed.txt");
  char port[16];
  g_snprintf(port, sizeof port, "%u", flow_test_free_port());
  GString *y = g_string_new("flow:\n");
  g_string_append(y, s->flow);
  const char *keys[][2] = { { "@CLIP@", clip }, { "@CONFIG@", config },      { "@OUT@", out },
                            { "@PORT@", port }, { "@MQTTPORT@", mqtt_port }, { "@JPEG@", jpeg } };
  for (guint i = 0; i < G_N_ELEMENTS(keys); i++)
    g_string_replace(y, keys[i][0], keys[i][1], 0);
  char *file = flow_test_write("flow-seed.yaml", y->str);
  g_string_free(y, TRUE);
  Run r = run_vidflow(file, FALSE);
  if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)
    g_error("%s: vidflow run exited with %d\n%s\n%s", s->id, r.status, r.out, r.err);
  if (s->frames && summary_frames(r.out) != (gint)s->frames)
    g_error("%s: %d frames left the sources, expected %u\n%s", s->id, summary_frames(r.out),
            s->frames, r.out);
  if (s->objects && summary_objects(r.out) <= 0)
    g_error("%s: no object detected\n%s", s->id, r.out);
  if (strstr(s->flow, "sample.checksum"))
    g_assert_cmpint(flow_test_read_count(out, "frames"), ==, s->frames);
  if (s->mp4) /* every flow that writes an MP4 reads the clip */
    test_assert_media(out, s->frames, s->frames * GST_SECOND / CLIP_FPS);
#ifdef HAVE_MOSQUITTO
  if (sub) {
    check_published(s, sub, summary_objects(r.out));
    sub_free(sub);
    broker_free(broker);
  }
#endif
  run_clear(&r);
  g_unlink(file);
  g_unlink(out);
  g_free(file);
  g_free(out);
}

/* ---- inputs ---- */

/* The first FRAMES frames of vtest.avi (people, cars), RGB at WIDTHxHEIGHT, read with GStreamer's
 * own decoders; then the clip made of them (H.264 MP4 and elementary stream, CLIP_FPS). */
static void make_inputs(void)
{
  char *vtest = g_build_filename(g_getenv("VIDFLOW_DATA_DIR"), "footage", "vtest.avi", NULL);
  clip = flow_test_path("seed-clip.mp4");
  clip_h264 = flow_test_path("seed-clip.h264");
  clip_uri = gst_filename_to_uri(clip, NULL);
  jpeg = flow_test_path("seed-still.jpg");
  config = g_build_filename(g_getenv("VIDFLOW_SOURCE_DIR"), "configs", "ssd_mobilenet_v2_oid.yaml",
                            NULL);
  rgb = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
  char *d = g_strdup_printf("filesrc location=%s ! decodebin ! videoconvert ! videoscale ! "
                            "video/x-raw,format=RGB,width=%d,height=%d ! appsink name=sink "
                            "sync=false max-buffers=4",
                            vtest, WIDTH, HEIGHT);
  GError *err = NULL;
  GstElement *read = gst_parse_launch(d, &err);
  VF_ASSERT_OK(read, err);
  g_free(d);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(read), "sink");
  gst_element_set_state(read, GST_STATE_PLAYING);
  while (rgb->len < FRAMES) {
    GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 60 * GST_SECOND);
    g_assert_nonnull(sample);
    GstMapInfo map;
    g_assert_true(gst_buffer_map(gst_sample_get_buffer(sample), &map, GST_MAP_READ));
    g_assert_cmpuint(map.size, ==, (gsize)WIDTH * HEIGHT * 3);
    g_ptr_array_add(rgb, g_bytes_new(map.data, map.size));
    gst_buffer_unmap(gst_sample_get_buffer(sample), &map);
    gst_sample_unref(sample);
  }
  gst_element_set_state(read, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(read);

  d = g_strdup_printf("appsrc name=src format=time caps=video/x-raw,format=RGB,width=%d,height=%d,"
                      "framerate=%d/1 ! videoconvert ! video/x-raw,format=I420 ! x264enc "
                      "speed-preset=ultrafast key-int-max=12 ! tee name=t t. ! queue ! h264parse ! "
                      "mp4mux ! filesink location=%s t. ! queue ! h264parse ! "
                      "video/x-h264,stream-format=byte-stream ! filesink location=%s",
                      WIDTH, HEIGHT, CLIP_FPS, clip, clip_h264);
  GstElement *write = gst_parse_launch(d, &err);
  VF_ASSERT_OK(write, err);
  g_free(d);
  GstElement *src = gst_bin_get_by_name(GST_BIN(write), "src");
  gst_element_set_state(write, GST_STATE_PLAYING);
  for (guint i = 0; i < rgb->len; i++) {
    GstBuffer *b = gst_buffer_new_wrapped_bytes(g_ptr_array_index(rgb, i));
    GST_BUFFER_PTS(b) = i * GST_SECOND / CLIP_FPS;
    GST_BUFFER_DURATION(b) = GST_SECOND / CLIP_FPS;
    g_assert_cmpint(gst_app_src_push_buffer(GST_APP_SRC(src), b), ==, GST_FLOW_OK);
  }
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  GstMessage *msg = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(write), 60 * GST_SECOND,
                                               GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_true(msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS);
  gst_message_unref(msg);
  gst_element_set_state(write, GST_STATE_NULL);
  gst_object_unref(src);
  gst_object_unref(write);

  d = g_strdup_printf("videotestsrc num-buffers=1 ! video/x-raw,width=320,height=240 ! jpegenc ! "
                      "filesink location=%s",
                      jpeg);
  flow_test_launch(d);
  g_free(d);
  g_free(vtest);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  /* display sinks of the C API runs: dropped frames (the command gets --no-display) */
  g_setenv(VF_DISPLAY_SINK_ENV, "fakesink", TRUE);
  char *vtest = g_build_filename(g_getenv("VIDFLOW_DATA_DIR"), "footage", "vtest.avi", NULL);
  gboolean have_data = g_file_test(vtest, G_FILE_TEST_EXISTS) && flow_test_have("vfmux");
  g_free(vtest);
  if (have_data)
    make_inputs();
  for (guint i = 0; have_data && i < G_N_ELEMENTS(seeds); i++)
    g_test_add_data_func(seeds[i].id, &seeds[i], run_seed);
  for (guint i = 0; have_data && i < G_N_ELEMENTS(needs_vfconvert); i++)
    g_test_add_data_func(needs_vfconvert[i].id, &needs_vfconvert[i], run_needs_vfconvert);
  for (guint i = 0; have_data && i < G_N_ELEMENTS(flow_seeds); i++)
    g_test_add_data_func(flow_seeds[i].id, &flow_seeds[i], run_flow_seed);
  if (have_data) {
    g_test_add_func("/seeds/000/slips-as-written", test_seed_slips);
    g_test_add_func("/seeds/deepstream-test1/without-display", test_test1_without_display);
  } else {
    g_printerr("seed graphs need data/footage/vtest.avi (tools/fetch-assets.sh) and vfmux\n");
    return 77; /* skipped, and meson says so */
  }
  int ret = g_test_run();
  g_unlink(clip);
  g_unlink(clip_h264);
  g_unlink(jpeg);
  g_free(clip);
  g_free(clip_uri);
  g_free(clip_h264);
  g_free(jpeg);
  g_free(config);
  g_ptr_array_unref(rgb);
  return ret;
}
