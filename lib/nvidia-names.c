/* vidflow: DeepStream's element names and what vidflow runs for each (see vidflow/nvidia.h).
 *
 * rows[] is the one table: vf_pipeline_add (C API and YAML graphs) makes elements through
 * vf_element_new, Flow adopts its elements' rows (vf_nvidia_adopt) and every property set goes
 * through vf_nvidia_set_property (property.c). docs/nvidia-names.md has this table printed
 * (`vidflow names`; a test keeps the two equal).
 *
 * A property set on an element made for a DeepStream name is resolved in this order:
 *   1. the row's rule for it: set under another name (to), converted (set), or ignored (doc);
 *   2. the element's own property of that name (inside a bin: the target element's);
 *   3. common[]: what every DeepStream element has and means nothing here: ignored;
 *   4. an error naming the element, what runs for it and this table.
 * An ignored property is told once per DeepStream element and property, per process.
 *
 * Lock: `told_lock` guards `told` only (no other lock is taken while it is held). */
#include "nvidia-names.h"
#include "custom-private.h"
#include "pipeline-private.h"
#include "property-private.h"

#include <vidflow/display.h>
#include <vidflow/error.h>
#include <vidflow/meta.h>

#include <string.h>

typedef struct _Row Row;

typedef struct {
  const char *name; /* DeepStream's property */
  const char *to;   /* set under this name on the target instead, value as is */
  gboolean (*set)(GstElement *element, GstElement *target, const char *value, GError **error);
  const char *doc; /* ignored (no `to`, no `set`): why; converted: how */
} Rule;

/* Makes the element (a bin, or the fallback) for `row`; *target: the element inside that takes
 * the properties (NULL: the element itself). */
typedef GstElement *(*BuildFunc)(const Row *row, const char *name, GstElement **target,
                                 GError **error);

struct _Row {
  VfNvidiaName pub;
  BuildFunc build;          /* a bin doing what the DeepStream element does; NULL: pub.vidflow */
  BuildFunc build_fallback; /* while pub.vidflow is not in this build; NULL: pub.fallback */
  gboolean display;         /* vfdisplaysink on the sink vf_display_sink_choose() picks */
  const Rule *rules;        /* ended by a rule without a name */
};

static GQuark row_quark(void)
{
  return g_quark_from_static_string("vf-nvidia-row");
}

static GQuark target_quark(void)
{
  return g_quark_from_static_string("vf-nvidia-target");
}

/* ---- told once ---- */

static GMutex told_lock;
static GHashTable *told; /* "nvfoo/property" */

static void tell_once(const char *what, const char *message)
{
  g_mutex_lock(&told_lock);
  if (told == NULL)
    told = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  gboolean first = !g_hash_table_contains(told, what);
  if (first)
    g_hash_table_add(told, g_strdup(what));
  g_mutex_unlock(&told_lock);
  if (first)
    g_message("%s", message);
}

static void tell_ignored(const Row *row, GstElement *element, const char *property, const char *why)
{
  char *key = g_strdup_printf("%s/%s", row->pub.nvidia, property);
  char *msg = g_strdup_printf("element '%s' (DeepStream's %s): property '%s' is ignored: %s",
                              GST_ELEMENT_NAME(element), row->pub.nvidia, property, why);
  tell_once(key, msg);
  g_free(msg);
  g_free(key);
}

/* ---- converted properties ---- */

/* Set while a rule sets a property itself: the table is not asked again (a rule may set the
 * property of its own name, nvinfer's process-mode on vfinfer's). */
static GPrivate in_rule;

static gboolean set_plain(GstElement *target, const char *property, const char *value,
                          GError **error)
{
  g_private_set(&in_rule, GINT_TO_POINTER(1));
  gboolean ok = vf_set_property_from_string(target, property, value, error);
  g_private_set(&in_rule, NULL);
  return ok;
}

static gboolean set_kbit(GstElement *element, GstElement *target, const char *value, GError **error)
{
  (void)element;
  guint64 bits = 0;
  if (!g_ascii_string_to_unsigned(value, 10, 1, G_MAXUINT32, &bits, NULL)) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "bitrate '%s' of element '%s' is not a bit rate in bit/s (e.g. 4000000)", value,
                GST_ELEMENT_NAME(element));
    return FALSE;
  }
  char kbit[24];
  g_snprintf(kbit, sizeof kbit, "%" G_GUINT64_FORMAT, MAX(bits / 1000, 1));
  return set_plain(target, "bitrate", kbit, error);
}

/* nvv4l2h264enc's profile numbers (and names) as the caps after the encoder. */
static gboolean set_h264_profile(GstElement *element, GstElement *target, const char *value,
                                 GError **error)
{
  (void)target;
  static const char *const names[][2]
      = { { "0", "baseline" }, { "1", "constrained-baseline" }, { "2", "main" }, { "4", "high" } };
  const char *profile = NULL;
  for (guint i = 0; i < G_N_ELEMENTS(names) && !profile; i++)
    if (g_str_equal(value, names[i][0]) || g_str_equal(value, names[i][1]))
      profile = names[i][1];
  if (profile == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "profile '%s' of element '%s' (nvv4l2h264enc): use 0 (baseline), 1 (constrained "
                "baseline), 2 (main) or 4 (high)",
                value, GST_ELEMENT_NAME(element));
    return FALSE;
  }
  GstElement *caps = gst_bin_get_by_name(GST_BIN(element), "profile");
  char *s = g_strdup_printf("video/x-h264,profile=%s", profile);
  gboolean ok = vf_set_property_from_string(caps, "caps", s, error);
  g_free(s);
  gst_object_unref(caps);
  return ok;
}

/* nvinfer's process-mode: 1 primary, 2 secondary. */
static gboolean set_process_mode(GstElement *element, GstElement *target, const char *value,
                                 GError **error)
{
  (void)element;
  const char *mode = g_str_equal(value, "1")   ? "primary"
                     : g_str_equal(value, "2") ? "secondary"
                                               : value;
  return set_plain(target, "process-mode", mode, error);
}

/* nvinfer's infer-on-class-ids "0:2:3" (vfinfer's lists take ';' or ','). */
static gboolean set_class_ids(GstElement *element, GstElement *target, const char *value,
                              GError **error)
{
  (void)element;
  char *ids = g_strdup(value);
  g_strdelimit(ids, ":", ';');
  gboolean ok = set_plain(target, "operate-on-classes", ids, error);
  g_free(ids);
  return ok;
}

/* nvinfer's config files ([property] groups, key=value or YAML) are not vfinfer's. */
static gboolean set_infer_config(GstElement *element, GstElement *target, const char *value,
                                 GError **error)
{
  char *text = NULL;
  if (g_file_get_contents(value, &text, NULL, NULL)) {
    gboolean deepstream = strstr(text, "[property]") != NULL || g_str_has_prefix(text, "property:")
                          || strstr(text, "\nproperty:") != NULL;
    g_free(text);
    if (deepstream) {
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                  "config-file-path '%s' of element '%s' is a DeepStream nvinfer config (a "
                  "'property' group): vfinfer, which runs for it, reads its own YAML config "
                  "(model, parser, labels: configs/README.md)",
                  value, GST_ELEMENT_NAME(element));
      return FALSE;
    }
  }
  return set_plain(target, "config-file-path", value, error);
}

/* ---- bins doing what a DeepStream element does ---- */

static GstElement *make_bin(const char *name, const char *const *factories, GstElement **target,
                            guint target_index, GError **error)
{
  GstElement *bin = gst_element_factory_make("bin", name);
  GstElement *prev = NULL, *first = NULL;
  for (guint i = 0; factories[i]; i++) {
    const char *factory = factories[i], *child = NULL;
    char *split = NULL;
    if (strchr(factory, ' ')) { /* "capsfilter name" */
      split = g_strdup(factory);
      char *space = strchr(split, ' ');
      *space = '\0';
      factory = split;
      child = space + 1;
    }
    GstElement *e = gst_element_factory_make(factory, child);
    if (e == NULL) {
      g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                  "element '%s' needs the GStreamer element '%s', which is not installed", name,
                  factory);
      g_free(split);
      gst_object_unref(bin);
      return NULL;
    }
    g_free(split);
    gst_bin_add(GST_BIN(bin), e);
    if (prev)
      gst_element_link(prev, e);
    else
      first = e;
    if (i == target_index)
      *target = e;
    prev = e;
  }
  GstPad *in = gst_element_get_static_pad(first, "sink");
  GstPad *out = gst_element_get_static_pad(prev, "src");
  gst_element_add_pad(bin, gst_ghost_pad_new("sink", in));
  gst_element_add_pad(bin, gst_ghost_pad_new("src", out));
  gst_object_unref(in);
  gst_object_unref(out);
  return bin;
}

static gboolean set_child(GstElement *bin, const char *child, const char *property,
                          const char *value)
{
  GstElement *e = gst_bin_get_by_name(GST_BIN(bin), child);
  gboolean ok = vf_set_property_from_string(e, property, value, NULL);
  gst_object_unref(e);
  return ok;
}

/* nvv4l2h264enc: 4:2:0 in, low latency (no B-frames), bit/s, a profile of its own. */
static GstElement *build_h264enc(const Row *row, const char *name, GstElement **target,
                                 GError **error)
{
  (void)row;
  static const char *const parts[]
      = { "videoconvert", "capsfilter yuv420", "x264enc", "capsfilter profile", NULL };
  GstElement *bin = make_bin(name, parts, target, 2, error);
  if (bin) {
    set_child(bin, "yuv420", "caps", "video/x-raw,format={I420,NV12}");
    set_child(bin, "profile", "caps", "video/x-h264,profile=baseline");
    /* nvv4l2h264enc's defaults: 4 Mbit/s, an I-frame every 30 */
    g_object_set(*target, "bitrate", 4000, "key-int-max", 30, NULL);
    vf_set_property_from_string(*target, "speed-preset", "veryfast", NULL);
    vf_set_property_from_string(*target, "tune", "zerolatency", NULL);
  }
  return bin;
}

static GstElement *build_h265enc(const Row *row, const char *name, GstElement **target,
                                 GError **error)
{
  (void)row;
  static const char *const parts[] = { "videoconvert", "capsfilter yuv420", "x265enc", NULL };
  GstElement *bin = make_bin(name, parts, target, 2, error);
  if (bin) {
    set_child(bin, "yuv420", "caps", "video/x-raw,format=I420");
    g_object_set(*target, "bitrate", 4000, "key-int-max", 30, NULL);
    vf_set_property_from_string(*target, "speed-preset", "veryfast", NULL);
    vf_set_property_from_string(*target, "tune", "zerolatency", NULL);
  }
  return bin;
}

/* nvmultiurisrcbin: a vfurisrcbin per URI of uri-list into a vfmux, one batched source pad. */
static GstElement *build_multiurisrcbin(const Row *row, const char *name, GstElement **target,
                                        GError **error)
{
  (void)row;
  GstElement *bin = gst_element_factory_make("bin", name);
  GstElement *mux = gst_element_factory_make("vfmux", "mux");
  if (mux == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "element '%s' (nvmultiurisrcbin) needs vidflow's vfmux, which is not in this build",
                name);
    gst_object_unref(bin);
    return NULL;
  }
  gst_bin_add(GST_BIN(bin), mux);
  GstPad *out = gst_element_get_static_pad(mux, "src");
  gst_element_add_pad(bin, gst_ghost_pad_new("src", out));
  gst_object_unref(out);
  *target = mux;
  return bin;
}

/* uri-list, sensor-id-list, sensor-name-list: kept on the bin, the sources remade from them. */
static gboolean multiuri_apply(GstElement *bin, GError **error)
{
  const char *uris = g_object_get_data(G_OBJECT(bin), "uri-list");
  if (uris == NULL)
    return TRUE;
  const char *ids = g_object_get_data(G_OBJECT(bin), "sensor-id-list");
  const char *names = g_object_get_data(G_OBJECT(bin), "sensor-name-list");
  const char *loop = g_object_get_data(G_OBJECT(bin), "file-loop");
  GstElement *mux = gst_bin_get_by_name(GST_BIN(bin), "mux");
  /* remove the sources of an earlier uri-list */
  for (guint i = 0;; i++) {
    char *src_name = g_strdup_printf("src%u", i);
    GstElement *old = gst_bin_get_by_name(GST_BIN(bin), src_name);
    g_free(src_name);
    if (old == NULL)
      break;
    GstPad *src = gst_element_get_static_pad(old, "src");
    GstPad *peer = gst_pad_get_peer(src);
    if (peer) {
      gst_pad_unlink(src, peer);
      gst_element_release_request_pad(mux, peer);
      gst_object_unref(peer);
    }
    gst_object_unref(src);
    gst_bin_remove(GST_BIN(bin), old);
    gst_object_unref(old);
  }
  char **u = g_strsplit(uris, ",", -1), **id = ids ? g_strsplit(ids, ";", -1) : NULL;
  char **nm = names ? g_strsplit(names, ";", -1) : NULL;
  gboolean ok = TRUE;
  for (guint i = 0; ok && u[i]; i++) {
    char *text = g_strstrip(g_strdup(u[i]));
    char *scheme = g_uri_parse_scheme(text);
    char *uri = scheme ? g_strdup(text) : gst_filename_to_uri(text, NULL);
    g_free(scheme);
    g_free(text);
    char *src_name = g_strdup_printf("src%u", i), *sink_name = g_strdup_printf("sink_%u", i);
    GstElement *src = gst_element_factory_make("vfurisrcbin", src_name);
    ok = src != NULL;
    if (ok) {
      g_object_set(src, "uri", uri, "source-id", (gint)i, NULL);
      if (loop)
        vf_set_property_from_string(src, "file-loop", loop, NULL);
      gst_bin_add(GST_BIN(bin), src);
      GstPad *sink = gst_element_request_pad_simple(mux, sink_name);
      if (id && id[i] && *id[i])
        g_object_set(sink, "sensor-id", id[i], NULL);
      if (nm && nm[i] && *nm[i])
        g_object_set(sink, "sensor-name", nm[i], NULL);
      GstPad *srcpad = gst_element_get_static_pad(src, "src");
      ok = gst_pad_link(srcpad, sink) == GST_PAD_LINK_OK;
      gst_object_unref(srcpad);
      gst_object_unref(sink);
    }
    if (!ok)
      g_set_error(error, VF_ERROR, VF_ERROR_LINK,
                  "element '%s' (nvmultiurisrcbin) could not add a source for '%s'",
                  GST_ELEMENT_NAME(bin), uri);
    g_free(src_name);
    g_free(sink_name);
    g_free(uri);
  }
  g_strfreev(u);
  g_strfreev(id);
  g_strfreev(nm);
  gst_object_unref(mux);
  return ok;
}

static gboolean set_multiuri(GstElement *element, const char *key, const char *value,
                             GError **error)
{
  g_object_set_data_full(G_OBJECT(element), key, g_strdup(value), g_free);
  return multiuri_apply(element, error);
}

static gboolean set_uri_list(GstElement *element, GstElement *target, const char *value,
                             GError **error)
{
  (void)target;
  return set_multiuri(element, "uri-list", value, error);
}

static gboolean set_sensor_ids(GstElement *element, GstElement *target, const char *value,
                               GError **error)
{
  (void)target;
  return set_multiuri(element, "sensor-id-list", value, error);
}

static gboolean set_sensor_names(GstElement *element, GstElement *target, const char *value,
                                 GError **error)
{
  (void)target;
  return set_multiuri(element, "sensor-name-list", value, error);
}

static gboolean set_file_loop(GstElement *element, GstElement *target, const char *value,
                              GError **error)
{
  (void)target;
  return set_multiuri(element, "file-loop", value, error);
}

/* ---- the table ----
 * A row is one of RUNS, BIN, UNTIL, SHOWS, NONE (below the rules). Rules: { DeepStream property,
 * vidflow property (same value), converter, doc }; IGNORED(name, why) is a property that means
 * nothing here. Properties the vidflow element has under the same name need no rule. After adding
 * a row, put what `vidflow names` prints in docs/nvidia-names.md (tests/flow/test-nvidia-names.c
 * checks it). */

#define IGNORED(name, why)                                                                         \
  {                                                                                                \
    name, NULL, NULL, why                                                                          \
  }
#define END                                                                                        \
  {                                                                                                \
    NULL, NULL, NULL, NULL                                                                         \
  }

/* What every DeepStream element may have and means nothing here (rule 3). */
static const Rule common[] = {
  IGNORED("gpu-id", "the GPU to use: this element runs on the CPU in vidflow"),
  IGNORED("nvbuf-memory-type", "NvBufSurface memory: vidflow chooses the memory of its frames"),
  IGNORED("compute-hw", "GPU or VIC: vidflow converts on the CPU"),
  IGNORED("cudadec-memtype", "the memory NVDEC decodes into: vidflow chooses it"),
  IGNORED("num-extra-surfaces", "NVDEC surfaces: vidflow's decoders allocate their own"),
  END,
};

static const Rule uri_rules[] = {
  IGNORED("drop-on-latency", "RTSP: vidflow's jitter buffer keeps late packets"),
  IGNORED("select-rtp-protocol", "RTSP transport: chosen by rtspsrc"),
  END,
};

static const Rule multiuri_rules[] = {
  { "uri-list", NULL, set_uri_list, "comma-separated URIs: a vfurisrcbin for each" },
  { "sensor-id-list", NULL, set_sensor_ids, "';'-separated: each source's sensor-id (vfmux pad)" },
  { "sensor-name-list", NULL, set_sensor_names, "';'-separated: each source's sensor-name" },
  { "file-loop", NULL, set_file_loop, "set on every source" },
  { "max-batch-size", "batch-size", NULL, "the vfmux's" },
  IGNORED("port", "the REST server that adds and removes sources: not in this build"),
  IGNORED("ip-address", "the REST server that adds and removes sources: not in this build"),
  IGNORED("drop-pipeline-eos", "each source ends the stream at its end"),
  IGNORED("mode", "video only"),
  IGNORED("disable-audio", "video only"),
  END,
};

static const Rule mux_rules[] = {
  IGNORED("attach-sys-ts", "vidflow stamps frames with the pipeline's running time"),
  IGNORED("buffer-pool-size", "vidflow's pools size themselves"),
  IGNORED("interpolation-method", "vfmux scales bilinearly"),
  IGNORED("sync-inputs", "vfmux batches by time when the sources are live"),
  IGNORED("frame-num-reset-on-eos", "frame numbers go on counting"),
  IGNORED("frame-num-reset-on-stream-reset", "frame numbers go on counting"),
  IGNORED("config-file-path", "the new nvstreammux's config: vfmux takes properties"),
  IGNORED("max-latency", "vfmux reports its latency (batched-push-timeout)"),
  IGNORED("async-process", "vfmux batches on its sources' streaming threads"),
  END,
};

static const Rule infer_rules[] = {
  { "config-file-path", NULL, set_infer_config, "a vfinfer YAML config (not nvinfer's)" },
  { "gpu-id", "device-id", NULL, "the GPU of execution-provider cuda" },
  { "process-mode", NULL, set_process_mode, "1: primary, 2: secondary" },
  { "infer-on-gie-id", "operate-on-unique-id", NULL, "secondary mode: whose objects" },
  { "infer-on-class-ids", NULL, set_class_ids, "operate-on-classes ('0:2' as '0;2')" },
  IGNORED("model-engine-file", "a TensorRT engine: vfinfer runs the ONNX model its config names"),
  IGNORED("raw-output-file-write", "use output-tensor-meta and a probe"),
  END,
};

static const Rule osd_rules[] = {
  IGNORED("process-mode", "CPU or GPU drawing: vfosd draws on the CPU"),
  IGNORED("display-clock", "no clock overlay in vfosd"),
  IGNORED("clock-font", "no clock overlay in vfosd"),
  IGNORED("clock-font-size", "no clock overlay in vfosd"),
  IGNORED("clock-color", "no clock overlay in vfosd"),
  IGNORED("x-clock-offset", "no clock overlay in vfosd"),
  IGNORED("y-clock-offset", "no clock overlay in vfosd"),
  IGNORED("display-mask", "no segmentation masks in vfosd"),
  IGNORED("hw-blend-color-attr", "hardware blending: vfosd draws on the CPU"),
  END,
};

static const Rule tiler_rules[] = {
  IGNORED("interpolation-method", "vftiler scales bilinearly"),
  END,
};

static const Rule convert_rules[] = {
  IGNORED("interpolation-method", "vfconvert's method property chooses the resampler"),
  END,
};

static const Rule h264enc_rules[] = {
  { "bitrate", NULL, set_kbit, "bit/s, set as x264enc's kbit/s" },
  { "iframeinterval", "key-int-max", NULL, "frames between I-frames" },
  { "profile", NULL, set_h264_profile, "0 baseline, 1 constrained baseline, 2 main, 4 high" },
  IGNORED("idrinterval", "every I-frame x264enc makes at key-int-max is an IDR frame"),
  IGNORED("insert-sps-pps", "h264parse (config-interval) repeats SPS/PPS"),
  IGNORED("preset-level", "NVENC presets: x264enc runs speed-preset veryfast"),
  IGNORED("control-rate", "x264enc's rate control is constant bit rate"),
  IGNORED("maxperf-enable", "NVENC clocks"),
  IGNORED("tuning-info-id", "NVENC tuning: x264enc runs tune zerolatency"),
  IGNORED("qp-range", "x264enc's rate control chooses the quantisers"),
  END,
};

static const Rule h265enc_rules[] = {
  { "bitrate", NULL, set_kbit, "bit/s, set as x265enc's kbit/s" },
  { "iframeinterval", "key-int-max", NULL, "frames between I-frames" },
  IGNORED("profile", "x265enc encodes Main for 8-bit 4:2:0"),
  IGNORED("idrinterval", "x265enc decides the IDR frames"),
  IGNORED("insert-sps-pps", "h265parse (config-interval) repeats VPS/SPS/PPS"),
  IGNORED("preset-level", "NVENC presets: x265enc runs speed-preset veryfast"),
  IGNORED("control-rate", "x265enc's rate control"),
  IGNORED("maxperf-enable", "NVENC clocks"),
  IGNORED("tuning-info-id", "NVENC tuning: x265enc runs tune zerolatency"),
  END,
};

static const Rule decoder_rules[] = {
  IGNORED("enable-max-performance", "NVDEC clocks"),
  IGNORED("low-latency-mode", "the software decoders do not hold frames back"),
  IGNORED("disable-dpb", "the software decoders keep their reference frames"),
  IGNORED("skip-frames", "every frame is decoded"),
  END,
};

static const Rule display_rules[] = {
  IGNORED("window-x", "the window is placed by the window manager"),
  IGNORED("window-y", "the window is placed by the window manager"),
  IGNORED("window-width", "the window takes the video's size"),
  IGNORED("window-height", "the window takes the video's size"),
  IGNORED("show-latency", "vidflow run shows the progress instead"),
  IGNORED("display-id", "the display is DISPLAY's or WAYLAND_DISPLAY's"),
  END,
};

static const Rule tracker_rules[] = {
  IGNORED("ll-lib-file", "NVIDIA's low-level tracker library: vftracker has trackers of its own"),
  END,
};

static const Rule none[] = { END };

/* The kinds of row: */
/* runs vidflow's (or GStreamer's) element `vf` */
#define RUNS(nv, vf, rules, note)                                                                  \
  {                                                                                                \
    { nv, vf, NULL, note }, NULL, NULL, FALSE, rules                                               \
  }
/* runs a bin that `build` makes (`vf`: what is inside, for the docs) */
#define BIN(nv, vf, build, rules, note)                                                            \
  {                                                                                                \
    { nv, vf, NULL, note }, build, NULL, FALSE, rules                                              \
  }
/* runs `vf`; while it is not in this build, the bin `build_fb` makes (`fb`, for the docs) */
#define UNTIL(nv, vf, fb, build_fb, rules, note)                                                   \
  {                                                                                                \
    { nv, vf, fb, note }, NULL, build_fb, FALSE, rules                                             \
  }
/* a display sink: vfdisplaysink on the sink vf_display_sink_choose() picks */
#define SHOWS(nv, rules, note)                                                                     \
  {                                                                                                \
    { nv, "vfdisplaysink", NULL, note }, NULL, NULL, TRUE, rules                                   \
  }
/* no counterpart: adding it is an error that says `note` */
#define NONE(nv, note)                                                                             \
  {                                                                                                \
    { nv, NULL, NULL, note }, NULL, NULL, FALSE, none                                              \
  }

static const Row rows[] = {
  /* sources and decoders */
  RUNS("nvurisrcbin", "vfurisrcbin", uri_rules, "decoded video from a file, RTSP or HTTP URI"),
  BIN("nvmultiurisrcbin", "vfurisrcbin + vfmux", build_multiurisrcbin, multiuri_rules,
      "a bin: a vfurisrcbin per URI of uri-list, batched by a vfmux; no REST server"),
  RUNS("nvvideotestsrc", "videotestsrc", none, "test patterns"),
  NONE("nvdsudpsrc", "no counterpart: use udpsrc and a depayloader"),
  RUNS("nvv4l2decoder", "decodebin", decoder_rules, "picks the software decoder for the stream"),
  RUNS("nvjpegdec", "jpegdec", none, "software JPEG decoding"),
  RUNS("nvimagedec", "decodebin", none, "software image decoding"),
  /* batching */
  RUNS("nvstreammux", "vfmux", mux_rules, "batches the sources, scales to width x height"),
  RUNS("nvstreamdemux", "vfdemux", none, "a batch back into one stream per source"),
  /* inference and tracking */
  RUNS("nvinfer", "vfinfer", infer_rules,
       "ONNX Runtime; config-file-path is a vfinfer YAML config"),
  RUNS("nvinferbin", "vfinfer", infer_rules, "as nvinfer"),
  RUNS("nvinferserver", "vfinfer", infer_rules,
       "ONNX Runtime in-process, no Triton: config-file-path is a vfinfer YAML config"),
  NONE("nvdspreprocess", "no counterpart: vfinfer scales and normalises its input itself"),
  NONE("nvdspostprocess", "no counterpart: vfinfer's parsers (or a custom parser) do it"),
  RUNS("nvtracker", "vftracker", tracker_rules, "IOU and Kalman trackers of vidflow's own"),
  NONE("nvdsanalytics", "no counterpart yet (ROI filtering, line crossing, crowding)"),
  /* drawing and composition */
  RUNS("nvdsosd", "vfosd", osd_rules, "boxes, labels, display metadata, on the CPU"),
  RUNS("nvosdbin", "vfosd", osd_rules, "as nvdsosd"),
  RUNS("nvmultistreamtiler", "vftiler", tiler_rules, "a batch tiled into one picture"),
  NONE("nvsegvisual", "no counterpart: no segmentation masks yet"),
  NONE("nvdewarper", "no counterpart"),
  NONE("nvof", "no counterpart: no optical flow"),
  NONE("nvofvisual", "no counterpart: no optical flow"),
  NONE("nvdsvideotemplate", "no counterpart: write a probe, or a GStreamer element"),
  /* conversion and encoding */
  RUNS("nvvideoconvert", "vfconvert", convert_rules,
       "converts and scales every frame of a batch, or plain frames (CPU; scaling: stretch, "
       "letterbox or pad)"),
  BIN("nvv4l2h264enc", "x264enc", build_h264enc, h264enc_rules,
      "a bin: videoconvert, 4:2:0 caps, x264enc (veryfast, zerolatency), profile caps"),
  BIN("nvv4l2h265enc", "x265enc", build_h265enc, h265enc_rules,
      "a bin: videoconvert, I420 caps, x265enc (veryfast, zerolatency)"),
  RUNS("nvjpegenc", "jpegenc", none, "software JPEG encoding"),
  RUNS("nvimageenc", "jpegenc", none, "software JPEG encoding"),
  /* messages */
  RUNS("nvmsgconv", "vfmsgconv", none, "metadata to JSON messages"),
  RUNS("nvmsgbroker", "vfmsgbroker", none, "messages to MQTT, Kafka or Redis"),
  /* sinks */
  SHOWS("nveglglessink", display_rules,
        "the display sink vidflow picks (X11, Wayland); batches tiled; no display: an error, or "
        "fakesink with VIDFLOW_DISPLAY_SINK=fakesink"),
  SHOWS("nv3dsink", display_rules, "as nveglglessink"),
  NONE("nvrtspoutsinkbin", "no counterpart element: Flow encode(\"rtsp://host:port\") serves RTSP"),
  NONE("nvvideoencfilesinkbin", "no counterpart element: Flow encode(\"file.mp4\") writes MP4"),
  NONE("nvdsudpsink", "no counterpart: use an RTP payloader and udpsink"),
};

static const Row *find_row(const char *nvidia)
{
  for (guint i = 0; nvidia && i < G_N_ELEMENTS(rows); i++)
    if (g_str_equal(rows[i].pub.nvidia, nvidia))
      return &rows[i];
  return NULL;
}

static const Rule *find_rule(const Rule *rules, const char *property)
{
  for (guint i = 0; rules && rules[i].name; i++)
    if (g_str_equal(rules[i].name, property))
      return &rules[i];
  return NULL;
}

static gboolean factory_exists(const char *factory)
{
  GstElementFactory *f = gst_element_factory_find(factory);
  if (f)
    gst_object_unref(f);
  return f != NULL;
}

/* ---- public ---- */

const VfNvidiaName *vf_nvidia_name_lookup(const char *nvidia)
{
  const Row *row = find_row(nvidia);
  return row ? &row->pub : NULL;
}

const VfNvidiaName *vf_nvidia_names(guint *n_names)
{
  static VfNvidiaName names[G_N_ELEMENTS(rows)];
  static gsize done = 0;
  if (g_once_init_enter(&done)) {
    for (guint i = 0; i < G_N_ELEMENTS(rows); i++)
      names[i] = rows[i].pub;
    g_once_init_leave(&done, 1);
  }
  if (n_names)
    *n_names = G_N_ELEMENTS(rows);
  return names;
}

static void rules_markdown(GString *s, const Rule *rules)
{
  GString *mapped = g_string_new(NULL), *ignored = g_string_new(NULL);
  for (guint i = 0; rules && rules[i].name; i++) {
    const Rule *r = &rules[i];
    if (r->to || r->set)
      g_string_append_printf(mapped, "%s`%s`%s%s%s: %s", mapped->len ? "; " : "", r->name,
                             r->to ? " -> `" : "", r->to ? r->to : "", r->to ? "`" : "", r->doc);
    else
      g_string_append_printf(ignored, "%s`%s`", ignored->len ? ", " : "", r->name);
  }
  if (mapped->len)
    g_string_append_printf(s, "mapped: %s", mapped->str);
  if (ignored->len)
    g_string_append_printf(s, "%signored: %s", mapped->len ? "<br>" : "", ignored->str);
  g_string_free(mapped, TRUE);
  g_string_free(ignored, TRUE);
}

char *vf_nvidia_names_to_markdown(void)
{
  GString *s = g_string_new(NULL);
  g_string_append(s, "| DeepStream element | vidflow runs | properties that differ | notes |\n"
                     "|---|---|---|---|\n");
  for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
    const Row *row = &rows[i];
    g_string_append_printf(s, "| `%s` | ", row->pub.nvidia);
    if (row->pub.vidflow)
      g_string_append_printf(s, "`%s`", row->pub.vidflow);
    else
      g_string_append(s, "none (an error)");
    if (row->pub.fallback)
      g_string_append_printf(s, " (until it is in the build: `%s`)", row->pub.fallback);
    g_string_append(s, " | ");
    rules_markdown(s, row->rules);
    g_string_append_printf(s, " | %s |\n", row->pub.note);
  }
  g_string_append(s, "\nIgnored on every DeepStream element that has them (the vidflow element "
                     "has no such property), told once per run: ");
  for (guint i = 0; common[i].name; i++)
    g_string_append_printf(s, "%s`%s` (%s)", i ? ", " : "", common[i].name, common[i].doc);
  g_string_append(s, ".\n");
  return g_string_free(s, FALSE);
}

/* ---- inside the library ---- */

gboolean vf_element_factory_known(const char *factory)
{
  return factory && (factory_exists(factory) || find_row(factory) != NULL);
}

static void remember(GstElement *element, const Row *row, GstElement *target)
{
  g_object_set_qdata(G_OBJECT(element), row_quark(), (gpointer)row);
  if (target && target != element)
    g_object_set_qdata(G_OBJECT(element), target_quark(), target); /* a child: lives as long */
}

static GstElement *make_for(const Row *row, const char *name, GError **error)
{
  const char *nv = row->pub.nvidia;
  GstElement *target = NULL, *e = NULL;
  if (row->pub.vidflow == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "'%s' is a DeepStream element vidflow has no counterpart for (%s): "
                "docs/nvidia-names.md lists what vidflow runs for DeepStream's elements",
                nv, row->pub.note);
    return NULL;
  }
  if (row->display) {
    char *sink = vf_display_sink_choose(error);
    if (sink == NULL) {
      g_prefix_error(error,
                     "'%s' (DeepStream's display sink, run as vidflow's vfdisplaysink): ", nv);
      return NULL;
    }
    e = factory_exists("vfdisplaysink") ? gst_element_factory_make("vfdisplaysink", name) : NULL;
    if (e)
      g_object_set(e, "sink-factory", sink, NULL);
    g_free(sink);
  } else if (row->build) {
    if ((e = row->build(row, name, &target, error)) == NULL)
      return NULL;
  } else if (factory_exists(row->pub.vidflow)) {
    e = gst_element_factory_make(row->pub.vidflow, name);
  } else if (row->build_fallback || row->pub.fallback) {
    char *key = g_strdup_printf("%s/fallback", nv);
    char *msg = g_strdup_printf("DeepStream's %s runs as %s while vidflow's %s is not in this "
                                "build (see docs/nvidia-names.md)",
                                nv, row->pub.fallback, row->pub.vidflow);
    tell_once(key, msg);
    g_free(msg);
    g_free(key);
    e = row->build_fallback ? row->build_fallback(row, name, &target, error)
                            : gst_element_factory_make(row->pub.fallback, name);
    if (e == NULL && row->build_fallback)
      return NULL;
  }
  if (e == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "DeepStream's %s runs as vidflow's %s, which is not in this build (%s): use a "
                "vidflow build that has it, or leave the element out",
                nv, row->pub.vidflow, row->pub.note);
    return NULL;
  }
  gst_object_ref_sink(e);
  remember(e, row, target);
  return e;
}

GstElement *vf_element_new(const char *factory, const char *name, GError **error)
{
  GstElementFactory *f = gst_element_factory_find(factory);
  if (f == NULL) {
    const Row *row = find_row(factory);
    if (row)
      return make_for(row, name, error);
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "no GStreamer element '%s': check the name (gst-inspect-1.0 lists them) or install "
                "the plugin that provides it%s",
                factory,
                g_str_has_prefix(factory, "nv") ? " (DeepStream's elements that vidflow runs are "
                                                  "listed in docs/nvidia-names.md)"
                                                : "");
    return NULL;
  }
  GstElement *element = gst_element_factory_create(f, name);
  gst_object_unref(f);
  if (element == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_FAILED, "element '%s' could not be created", factory);
    return NULL;
  }
  return gst_object_ref_sink(element);
}

void vf_nvidia_adopt(GstElement *element)
{
  GstElementFactory *f = gst_element_get_factory(element);
  if (f == NULL || g_object_get_qdata(G_OBJECT(element), row_quark()))
    return;
  const char *factory = GST_OBJECT_NAME(f);
  for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
    /* the first row that runs this very element (nvinfer for vfinfer), not bins */
    if (rows[i].pub.vidflow && !rows[i].build && !rows[i].display
        && g_str_equal(rows[i].pub.vidflow, factory)) {
      remember(element, &rows[i], NULL);
      return;
    }
  }
}

static GstElement *target_of(GstElement *element)
{
  GstElement *t = g_object_get_qdata(G_OBJECT(element), target_quark());
  return t ? t : element;
}

static gboolean has_property(GstElement *e, const char *property)
{
  return g_object_class_find_property(G_OBJECT_GET_CLASS(e), property) != NULL;
}

gboolean vf_nvidia_knows_property(GstElement *element, const char *property)
{
  const Row *row = element ? g_object_get_qdata(G_OBJECT(element), row_quark()) : NULL;
  if (row == NULL)
    return FALSE;
  return find_rule(row->rules, property) != NULL
         || (!has_property(element, property)
             && (has_property(target_of(element), property) || find_rule(common, property)));
}

VfNvidiaResult vf_nvidia_set_property(GstElement *element, const char *property, const char *value,
                                      GError **error)
{
  const Row *row = g_object_get_qdata(G_OBJECT(element), row_quark());
  if (row == NULL || property == NULL || value == NULL || g_private_get(&in_rule))
    return VF_NVIDIA_AS_IS;
  GstElement *target = target_of(element);
  const Rule *rule = find_rule(row->rules, property);
  gboolean ok = TRUE;
  if (rule && rule->set) {
    ok = rule->set(element, target, value, error);
  } else if (rule && rule->to) {
    ok = set_plain(target, rule->to, value, error);
  } else if (rule) {
    tell_ignored(row, element, property, rule->doc);
  } else if (has_property(element, property)) {
    return VF_NVIDIA_AS_IS;
  } else if (has_property(target, property)) {
    ok = set_plain(target, property, value, error);
  } else if ((rule = find_rule(common, property))) {
    tell_ignored(row, element, property, rule->doc);
  } else {
    GstElementFactory *f = gst_element_get_factory(target);
    g_set_error(error, VF_ERROR, VF_ERROR_PROPERTY,
                "element '%s' (DeepStream's %s, run as %s) has no property '%s': vidflow has no "
                "counterpart for it (docs/nvidia-names.md lists what is mapped; gst-inspect-1.0 "
                "%s lists what it takes)",
                GST_ELEMENT_NAME(element), row->pub.nvidia,
                f ? GST_OBJECT_NAME(f) : row->pub.vidflow, property,
                f ? GST_OBJECT_NAME(f) : row->pub.vidflow);
    return VF_NVIDIA_FAILED;
  }
  if (!ok && error && *error)
    g_prefix_error(error, "element '%s' (DeepStream's %s): ", GST_ELEMENT_NAME(element),
                   row->pub.nvidia);
  return ok ? VF_NVIDIA_DONE : VF_NVIDIA_FAILED;
}

char *vf_nvidia_translate_caps(GstElement *element, const char *caps)
{
  if (caps == NULL || !strstr(caps, "memory:NVMM"))
    return NULL;
  GstCaps *in = gst_caps_from_string(caps);
  if (in == NULL)
    return NULL; /* the property setter says what is wrong with it */
  GstElementFactory *f = gst_element_get_factory(element);
  gboolean frames_only = f && g_str_equal(GST_OBJECT_NAME(f), "appsrc"); /* the feeder's frames */
  GstCaps *out = gst_caps_new_empty();
  for (guint i = 0; i < gst_caps_get_size(in); i++) {
    GstCapsFeatures *features = gst_caps_get_features(in, i);
    GstStructure *s = gst_caps_get_structure(in, i);
    if (features == NULL || !gst_caps_features_contains(features, "memory:NVMM")) {
      gst_caps_append_structure_full(out, gst_structure_copy(s),
                                     features ? gst_caps_features_copy(features) : NULL);
      continue;
    }
    gst_caps_append_structure_full(out, gst_structure_copy(s), NULL);
    if (!frames_only)
      gst_caps_append_structure_full(out, gst_structure_copy(s),
                                     gst_caps_features_new(VF_CAPS_FEATURE_META_BATCH, NULL));
  }
  char *result = gst_caps_to_string(out);
  gst_caps_unref(in);
  gst_caps_unref(out);
  char *msg = g_strdup_printf("caps with memory:NVMM (DeepStream's GPU memory) are taken as %s: "
                              "e.g. '%s' for element '%s'",
                              frames_only ? "CPU frames" : "CPU frames, or batches after vfmux",
                              result, GST_ELEMENT_NAME(element));
  tell_once(frames_only ? "caps/NVMM/appsrc" : "caps/NVMM", msg);
  g_free(msg);
  return result;
}

const char *vf_nvidia_object_name(const char *type)
{
  const char *dot = type ? strchr(type, '.') : NULL;
  if (dot == NULL || strlen(dot + 1) != (gsize)(dot - type) || strncmp(type, dot + 1, dot - type))
    return type;
  /* "x.x": DeepStream's module x with its object x; a built-in x stands for it */
  return vf_custom_lookup(dot + 1, NULL, NULL) ? dot + 1 : type;
}
