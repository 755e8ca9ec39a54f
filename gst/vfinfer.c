/* vidflow plugin: vfinfer, the nvinfer equivalent.
 *
 * SECTION:element-vfinfer
 *
 * vfinfer runs a model (ONNX Runtime, CPU) on every frame of a batch from vfmux
 * (video/x-raw(meta:VfBatch)), or on plain raw video one frame at a time, and attaches what it
 * finds to the frames' metadata (include/vidflow/meta.h): the buffer passes through unchanged
 * (in place), only its metadata grows.
 *
 * Configuration: config-file-path names a YAML file (configs/README.md lists every key); every
 * key is also a property of the same name, and a property that is set overrides the file's value.
 * The file is read and the model opened when the element starts (READY to PAUSED): any setup
 * error (a missing or malformed file, a missing model, labels that do not match the model,
 * ONNX Runtime not found...) is posted there as an element error naming the file, the key and
 * what to do. Changing a property while running takes effect at the next start.
 *
 * Modes:
 * - primary (process-mode=primary): whole frames. A detector's boxes become VfObjectMeta in
 *   the frame (class id, label, confidence, detector box in the frame's pixels as stored in the
 *   batch, component id = unique-id). A classifier adds one object covering the frame, with the
 *   best class as its class and every class kept as a classification.
 * - secondary (process-mode=secondary): crops of the objects already in the frame, those made by
 *   the vfinfer whose unique-id is operate-on-unique-id (-1: any other), of the classes in
 *   operate-on-classes (empty: all), at least min-object-width x min-object-height. A
 *   classifier's classes are added to the object (vf_object_meta_add_classification, component
 *   id = unique-id); a detector's boxes become child objects (parent = the object).
 * Frames, or crops, of a batch run through the model batch-size at a time.
 *
 * Tracked objects (after vftracker): a secondary classifier classifies each track once and gives
 * that result again on its later frames, redone after secondary-reinfer-interval frames or when
 * the box grew by secondary-reinfer-growth (gst/infer/track-cache.h); reused-classifications
 * counts the reuses.
 *
 * interval=N infers one batch out of N+1; the batches in between pass through with their frames
 * marked VF_FRAME_META_INFER_SKIPPED (a primary detector), for vftracker to predict on. interval
 * may be changed while the element runs (the REST server's set-interval); every other key is read
 * when the element starts.
 * Plain (unbatched) raw video gets a one-frame VfBatchMeta so that downstream sees the objects.
 * Frames in memory:CUDAMemory (nvh264dec, cudaupload, vfmux of them) stay on the GPU with
 * execution-provider=cuda: the GPU preprocessing kernel (gst/cuda) turns each batch, or its
 * object crops in secondary mode, into the model input in device memory, which ONNX Runtime's
 * cuda provider reads in place; only the outputs come to the host. The caps pass through
 * unchanged. With execution-provider=cpu such caps are refused with an element error (use
 * execution-provider=cuda, or cudadownload before vfinfer).
 *
 * Overlap (overlap=auto|off|on, default auto: on with execution-provider=cuda, off with cpu): a
 * second stage. The streaming thread maps the frames and preprocesses batch n+1 (the GPU kernel,
 * or the CPU preprocessing) into its own model input slot while a vfinfer thread ("vfinfer-stage")
 * runs the model, parses and attaches the results of batch n and pushes it downstream. It is
 * bounded: two input slots, at most two buffers handed to the stage thread, so the streaming
 * thread waits (on a condition variable) when both are taken. What stays as without it: buffers
 * leave in the order they came; a serialized event (caps, segment, EOS, custom) or serialized
 * query waits until the buffers before it have been pushed; FLUSH_START drops the work not yet
 * pushed and unblocks both threads, FLUSH_STOP waits for the stage thread to be idle and resets
 * it; going to READY joins the thread. A model error in the stage thread is posted as an element
 * error, and that flow (or a push's non-OK flow from downstream) is returned upstream by the next
 * buffer. The latency query is answered as without overlap (the stage adds no buffering beyond
 * the one batch being inferred). A secondary classifier on tracked objects (its track cache needs
 * batch n's classes before batch n+1's look-ups) always runs without overlap. On the CPU
 * provider overlap=on works the same (tests/elements/test-vfinfer-overlap.c) but is not the
 * default: no clean measurement shows it helps there yet (ONNX Runtime's threads use the same
 * cores the preprocessing would overlap on).
 *
 * Locks: the object lock (properties) and stage_lock (the overlap stage) are never held together;
 * nothing is pushed, posted or called back with stage_lock held.
 *
 * Example launch line:
 *   gst-launch-1.0 filesrc location=data/footage/vtest.avi ! decodebin ! mux.sink_0 \
 *     vfmux name=mux ! vfinfer config-file-path=configs/ssd_mobilenet_v2_oid.yaml threshold=0.5 \
 *     ! vfosd ! fakesink
 */
#include "vfinfer.h"

#include "cuda-infer.h"
#include "engine.h"
#include "track-cache.h"
#include "yaml-doc.h"

#include <string.h>
#include <vidflow/frame-map.h>
#include <vidflow/meta.h>
#include <vidflow/source.h>
#include <vidflow/tensor.h>
#include <vidflow/tracker.h>

GST_DEBUG_CATEGORY_STATIC(vf_infer_debug);
#define GST_CAT_DEFAULT vf_infer_debug

#define INFER_FORMATS "{ RGB, RGBA, BGR, BGRA, RGBx, BGRx, GRAY8, NV12, I420 }"
/* System memory first (preferred); CUDA memory for execution-provider=cuda (refused clearly on
 * the cpu provider). */
#define INFER_CAPS                                                                                 \
  "video/x-raw(" VF_CAPS_FEATURE_META_BATCH "), format=(string)" INFER_FORMATS "; "                \
  "video/x-raw, format=(string)" INFER_FORMATS "; "                                                \
  "video/x-raw(" VF_CAPS_FEATURE_MEMORY_CUDA ", " VF_CAPS_FEATURE_META_BATCH "); "                 \
  "video/x-raw(" VF_CAPS_FEATURE_MEMORY_CUDA ")"

static GstStaticPadTemplate sink_template
    = GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS(INFER_CAPS));
static GstStaticPadTemplate src_template
    = GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(INFER_CAPS));

/* ---- enums of the config's choice keys (nicks = the config's spelling), and of overlap ---- */

typedef enum { VF_INFER_OVERLAP_AUTO, VF_INFER_OVERLAP_OFF, VF_INFER_OVERLAP_ON } VfInferOverlap;

#define DEFINE_ENUM(fn, name, ...)                                                                 \
  static GType fn(void)                                                                            \
  {                                                                                                \
    static GType type = 0;                                                                         \
    static const GEnumValue values[] = { __VA_ARGS__, { 0, NULL, NULL } };                         \
    if (g_once_init_enter(&type))                                                                  \
      g_once_init_leave(&type, g_enum_register_static(name, values));                              \
    return type;                                                                                   \
  }

DEFINE_ENUM(layout_get_type, "VfInferInputLayout",
            { VF_INFER_LAYOUT_NCHW, "Channels first: [batch, C, H, W]", "NCHW" },
            { VF_INFER_LAYOUT_NHWC, "Channels last: [batch, H, W, C]", "NHWC" })
DEFINE_ENUM(color_order_get_type, "VfInferColorOrder",
            { VF_INFER_COLOR_RGB, "Red, green, blue", "RGB" },
            { VF_INFER_COLOR_BGR, "Blue, green, red", "BGR" },
            { VF_INFER_COLOR_GRAY, "One grey channel", "GRAY" })
DEFINE_ENUM(scaling_get_type, "VfInferScaling",
            { VF_INFER_SCALING_STRETCH, "Squash the frame to the input size", "stretch" },
            { VF_INFER_SCALING_LETTERBOX, "Keep proportions, centred, borders of pad-value",
              "letterbox" })
DEFINE_ENUM(activation_get_type, "VfInferScoreActivation",
            { VF_INFER_ACTIVATION_AUTO, "The parser's default", "auto" },
            { VF_INFER_ACTIVATION_NONE, "Scores as the model gives them", "none" },
            { VF_INFER_ACTIVATION_SIGMOID, "Sigmoid", "sigmoid" },
            { VF_INFER_ACTIVATION_SOFTMAX, "Softmax over the classes", "softmax" })
DEFINE_ENUM(overlap_get_type, "VfInferOverlap",
            { VF_INFER_OVERLAP_AUTO, "On with execution-provider=cuda, off with cpu", "auto" },
            { VF_INFER_OVERLAP_OFF, "One thread: preprocess, infer, attach, push in turn", "off" },
            { VF_INFER_OVERLAP_ON, "Preprocess batch n+1 while a second thread infers batch n",
              "on" })
DEFINE_ENUM(process_mode_get_type, "VfInferProcessMode",
            { VF_INFER_MODE_PRIMARY, "Whole frames", "primary" },
            { VF_INFER_MODE_SECONDARY, "Crops of the objects already in the frames", "secondary" })

/* ---- the config keys as properties ---- */

typedef enum { P_STRING, P_INT, P_DOUBLE, P_BOOL, P_ENUM } PropKind;

typedef struct {
  const char *key; /* the config key and property name */
  PropKind kind;
  gdouble min, max, def; /* P_INT, P_DOUBLE; def also for P_BOOL and P_ENUM */
  GType (*enum_type)(void);
  const char *blurb; /* what it is, its default */
} KeyProp;

#define BIG 1e6
/* The one key that may change while the element runs. */
#define INTERVAL_KEY "interval"
static const KeyProp key_props[] = {
  { "model", P_STRING, 0, 0, 0, NULL, "Model file (.onnx); required (default: none)" },
  { "backend", P_STRING, 0, 0, 0, NULL, "Inference backend (default: onnxruntime, the only one)" },
  { "execution-provider", P_STRING, 0, 0, 0, NULL,
    "Execution provider: cpu or cuda (default: cpu)" },
  { "device-id", P_INT, 0, 64, 0, NULL, "GPU index for execution-provider cuda (default: 0)" },
  { "ort-library", P_STRING, 0, 0, 0, NULL,
    "libonnxruntime.so to load (default: $VIDFLOW_ORT_LIB, $VIDFLOW_DATA, the source tree's data/, "
    "the install prefix, then the loader path)" },
  { "threads", P_INT, 0, 256, 0, NULL,
    "ONNX Runtime intra-op threads (default: 0, one per physical core)" },
  { "batch-size", P_INT, 1, 64, 1, NULL,
    "Frames (or object crops) per inference run (default: 1; a model with a fixed batch must "
    "match)" },
  { "input-name", P_STRING, 0, 0, 0, NULL,
    "The model input fed with images (default: its only input)" },
  { "input-shape", P_STRING, 0, 0, 0, NULL,
    "Input shape without the batch, in input-layout order, e.g. \"3,224,224\" (default: the "
    "model's)" },
  { "input-layout", P_ENUM, 0, 0, VF_INFER_LAYOUT_NCHW, layout_get_type,
    "Model input layout (default: NCHW)" },
  { "color-order", P_ENUM, 0, 0, VF_INFER_COLOR_RGB, color_order_get_type,
    "Channel order the model expects (default: RGB)" },
  { "scaling", P_ENUM, 0, 0, VF_INFER_SCALING_STRETCH, scaling_get_type,
    "How a frame or crop is fitted to the input (default: stretch)" },
  { "pad-value", P_DOUBLE, 0, 255, 0, NULL,
    "Letterbox border, a pixel value before normalisation (default: 0)" },
  { "scale", P_DOUBLE, -BIG, BIG, 1, NULL,
    "Normalisation: value = (pixel * scale - mean[c]) / std[c] (default: 1)" },
  { "mean", P_STRING, 0, 0, 0, NULL,
    "Per-channel mean, one value or three, e.g. \"1,1,1\" (default: 0)" },
  { "std", P_STRING, 0, 0, 0, NULL,
    "Per-channel standard deviation, one value or three (default: 1)" },
  { "parser", P_STRING, 0, 0, 0, NULL,
    "Output parser: ssd, blazeface, yolov5, yolov8, classifier, or a custom parser's name "
    "(with custom-lib); required (default: none)" },
  { "custom-lib", P_STRING, 0, 0, 0, NULL,
    "Shared library with vf_custom_parser_v1 for a custom parser (default: none)" },
  { "custom-params", P_STRING, 0, 0, 0, NULL,
    "Free text handed to the custom parser (default: none)" },
  { "output-names", P_STRING, 0, 0, 0, NULL,
    "Outputs the parser reads, in its order, e.g. \"boxes,scores\" (default: all, model order)" },
  { "labels", P_STRING, 0, 0, 0, NULL,
    "Labels file, one per line; must match the model's classes (default: none)" },
  { "num-classes", P_INT, 0, BIG, 0, NULL,
    "Number of classes, for parsers that cannot tell (default: 0, from the model)" },
  { "threshold", P_DOUBLE, 0, 1, 0.5, NULL, "Confidence threshold of every class (default: 0.5)" },
  { "class-thresholds", P_STRING, 0, 0, 0, NULL,
    "Per-class thresholds by label or id, e.g. \"Person=0.4,Car=0.6\" (default: none)" },
  { "nms-iou", P_DOUBLE, 0.01, 1, 0.5, NULL,
    "Per-class NMS overlap; 1 turns NMS off (default: 0.5)" },
  { "top-k", P_INT, 1, 100000, 100, NULL,
    "Most detections (or classes) kept per frame (default: 100)" },
  { "score-activation", P_ENUM, 0, 0, VF_INFER_ACTIVATION_AUTO, activation_get_type,
    "Score activation (default: auto, the parser's: sigmoid for ssd and blazeface)" },
  { "background-class", P_INT, -2, BIG, -2, NULL,
    "Class the ssd parser skips; -1: none (default: -2, the parser's default, ssd: 0)" },
  { "anchors", P_STRING, 0, 0, 0, NULL,
    "ssd: anchors file, (ycenter, xcenter, h, w) float32 per anchor (default: none)" },
  { "box-coder-scales", P_STRING, 0, 0, 0, NULL,
    "ssd: box coder scales y,x,h,w (default: 10,10,5,5)" },
  { "keypoints", P_BOOL, 0, 0, FALSE, NULL,
    "blazeface: keep the 6 landmarks (object user meta vf-keypoints) (default: false)" },
  { INTERVAL_KEY, P_INT, 0, BIG, 0, NULL,
    "Batches skipped after each inferred batch; skipped batches pass through (default: 0)" },
  { "unique-id", P_INT, 0, G_MAXINT, 1, NULL,
    "Id stamped on this element's metadata as component id (default: 1)" },
  { "process-mode", P_ENUM, 0, 0, VF_INFER_MODE_PRIMARY, process_mode_get_type,
    "primary: whole frames; secondary: crops of the objects in them (default: primary)" },
  { "operate-on-unique-id", P_INT, -1, G_MAXINT, -1, NULL,
    "Secondary mode: objects of the vfinfer with this unique-id only; -1: any (default: -1)" },
  { "operate-on-classes", P_STRING, 0, 0, 0, NULL,
    "Secondary mode: objects of these class ids only, e.g. \"4;20\" (default: all)" },
  { "min-object-width", P_INT, 0, BIG, 0, NULL,
    "Secondary mode: narrower objects are skipped, in pixels (default: 0)" },
  { "min-object-height", P_INT, 0, BIG, 0, NULL,
    "Secondary mode: lower objects are skipped, in pixels (default: 0)" },
  { "secondary-reinfer-interval", P_INT, 0, BIG, 0, NULL,
    "Secondary classifier: a tracked object's result is reused on its later frames and redone "
    "after this many frames; 0: only when its box grows (default: 0)" },
  { "secondary-reinfer-growth", P_DOUBLE, 0, 100, 0.2, NULL,
    "Secondary classifier: redo a tracked object's result when its box area grew by more than "
    "this fraction since (0.2: 20%); 0: never by size (default: 0.2)" },
  { "output-tensor-meta", P_BOOL, 0, 0, FALSE, NULL,
    "Attach the raw output tensors as user meta vf-tensor/<unique-id>/<output> (default: false)" },
};
#undef BIG
#define N_KEYS G_N_ELEMENTS(key_props)

enum {
  PROP_0,
  PROP_CONFIG_FILE_PATH,
  PROP_REUSED_CLASSIFICATIONS,
  PROP_OVERLAP,
  PROP_FIRST_KEY, /* key_props[i] is PROP_FIRST_KEY + i */
};

/* One unit of work: a frame or an object's crop. */
typedef struct {
  guint frame;
  VfObjectMeta *object; /* (nullable) ref, secondary mode */
  VfInferRect roi;
} Item;

/* Buffers handed to the stage thread and not yet pushed (or dropped), at most. */
#define MAX_IN_FLIGHT 2

/* A buffer on its way through the overlap stage: made by the streaming thread, owned by the
 * stage thread once its last task is queued. */
typedef struct {
  GstBuffer *buf;         /* (transfer full) */
  VfBatchMeta *meta;      /* buf's */
  GArray *items;          /* Item, their object refs held */
  VfInferResult *results; /* items->len of them, filled by the stage thread */
  VfDevice device;        /* where its frames were (the input slots' kind) */
  gboolean failed;        /* preprocessing failed (error posted): dropped, not pushed */
} Job;

/* One model run of a job: items [start, start + count) preprocessed into input slot `slot`;
 * count 0: nothing to run. The job's last task attaches the results and pushes the buffer. */
typedef struct {
  Job *job; /* owned by the stage thread from the last task's queueing on */
  guint start, count, slot;
  gboolean last;
} Task;

struct _VfInferElement {
  GstBaseTransform parent;

  /* properties (object lock) */
  char *config_path;
  GValue values[N_KEYS];
  gboolean set[N_KEYS];

  /* from start() to stop() (streaming thread once started) */
  VfInferConfig *cfg;
  VfInferEngine *engine;
  VfCudaInfer *cuda;  /* (nullable) frames in CUDA memory: the GPU input path */
  VfDevice frames_on; /* where the stream's frames live (its caps) */
  GstVideoInfo info;  /* plain (unbatched) streams */
  gboolean batched;
  guint64 batches;
  gint interval;            /* atomic: batches skipped after each inferred one; the config's,
                             * then the property's when it is set while running (REST) */
  GArray *items;            /* Item */
  GArray *results;          /* VfInferResult, grown as needed */
  VfInferTrackCache *cache; /* (nullable) secondary classifiers: results per track */
  gsize reused;             /* atomic: classifications taken from the cache */
  gint overlap_mode;        /* VfInferOverlap, property (object lock) */

  /* The overlap stage. `overlapping` and stage_thread are set in start() and cleared in stop();
   * the rest is under stage_lock, every change broadcast on stage_cond. */
  gboolean overlapping;
  GThread *stage_thread;
  GMutex stage_lock;
  GCond stage_cond;
  GQueue tasks;             /* Task *, in order, for the stage thread */
  guint in_flight;          /* jobs handed over, not yet pushed or dropped */
  guint free_slots;         /* bit s set: input slot s is free */
  gboolean flushing;        /* FLUSH_START..FLUSH_STOP or going to READY: drop, never wait */
  gboolean quit;            /* stop(): the stage thread ends */
  GstFlowReturn stage_flow; /* the stage thread's first non-OK flow, until FLUSH_STOP/start */
  /* where the time went, in µs, logged at stop() (GST_INFO): streaming thread waiting for the
   * stage / preprocessing; stage thread waiting for work / running the model / pushing */
  gint64 t_wait, t_pre, t_idle, t_run, t_push;
};

/* the overlap stage (below) */
static gboolean stage_start(VfInferElement *self, const VfInferConfig *cfg);
static void stage_stop(VfInferElement *self);
static void stage_flush_start(VfInferElement *self);
static void stage_flush_stop(VfInferElement *self);
static void stage_drain(VfInferElement *self);
static gboolean vf_infer_stop(GstBaseTransform *bt);

/* The type is registered as "VfInfer" (so elements are named vfinfer0, vfinfer1...); the C
 * struct is VfInferElement because the core's detections.h has a VfInferClass. */
static gpointer vf_infer_element_parent_class;
static void vf_infer_element_class_init(VfInferElementClass *klass);
static void vf_infer_element_init(VfInferElement *self);

static void vf_infer_element_class_intern_init(gpointer klass, gpointer data)
{
  (void)data;
  vf_infer_element_parent_class = g_type_class_peek_parent(klass);
  vf_infer_element_class_init(klass);
}

GType vf_infer_element_get_type(void)
{
  static gsize type = 0;
  if (g_once_init_enter(&type)) {
    GType t = g_type_register_static_simple(
        GST_TYPE_BASE_TRANSFORM, g_intern_static_string("VfInfer"), sizeof(VfInferElementClass),
        vf_infer_element_class_intern_init, sizeof(VfInferElement),
        (GInstanceInitFunc)(void (*)(void))vf_infer_element_init, 0);
    GST_DEBUG_CATEGORY_INIT(vf_infer_debug, "vfinfer", 0, "vidflow inference");
    g_once_init_leave(&type, t);
  }
  return type;
}
GST_ELEMENT_REGISTER_DEFINE(vfinfer, "vfinfer", GST_RANK_NONE, VF_TYPE_INFER_ELEMENT);

/* ---- setup ---- */

/* The string vf_infer_config_set takes for property i (transfer full), or NULL for "not set". */
static char *value_to_string(guint i, const GValue *v)
{
  const KeyProp *k = &key_props[i];
  switch (k->kind) {
  case P_STRING:
    return g_value_dup_string(v);
  case P_INT:
    if (g_strcmp0(k->key, "background-class") == 0 && g_value_get_int(v) == -2)
      return NULL; /* the parser's default */
    return g_strdup_printf("%d", g_value_get_int(v));
  case P_DOUBLE: {
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    return g_strdup(g_ascii_dtostr(buf, sizeof buf, g_value_get_double(v)));
  }
  case P_BOOL:
    return g_strdup(g_value_get_boolean(v) ? "true" : "false");
  case P_ENUM: {
    GEnumClass *ec = g_type_class_ref(k->enum_type());
    GEnumValue *ev = g_enum_get_value(ec, g_value_get_enum(v));
    char *s = g_strdup(ev ? ev->value_nick : NULL);
    g_type_class_unref(ec);
    return s;
  }
  }
  return NULL;
}

/* The config: the file (when set), the properties that were set on top, validated. */
static VfInferConfig *build_config(VfInferElement *self, GError **error)
{
  GST_OBJECT_LOCK(self);
  char *path = g_strdup(self->config_path);
  GPtrArray *overrides = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < N_KEYS; i++) {
    char *s = self->set[i] ? value_to_string(i, &self->values[i]) : NULL;
    if (s) {
      g_ptr_array_add(overrides, g_strdup(key_props[i].key));
      g_ptr_array_add(overrides, s);
    }
  }
  GST_OBJECT_UNLOCK(self);

  VfInferConfig *cfg = NULL;
  if (path && *path) {
    GError *read_error = NULL;
    char *text = vf_read_file_bounded(path, VF_YAML_MAX_BYTES, NULL, &read_error);
    if (text == NULL) {
      g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                  "config-file-path '%s' cannot be read (%s): point it at a vfinfer YAML file "
                  "(configs/README.md lists the keys)",
                  path, read_error->message);
      g_error_free(read_error);
      goto out;
    }
    char *dir = g_path_get_dirname(path);
    cfg = vf_infer_config_parse(text, path, dir, error);
    g_free(dir);
    g_free(text);
    if (cfg == NULL)
      goto out;
  } else {
    cfg = vf_infer_config_new();
  }
  for (guint i = 0; i + 1 < overrides->len; i += 2) {
    const char *key = g_ptr_array_index(overrides, i), *value = g_ptr_array_index(overrides, i + 1);
    if (!vf_infer_config_set(cfg, key, value, error)) {
      g_prefix_error(error, "property '%s': ", key);
      g_clear_pointer(&cfg, vf_infer_config_free);
      goto out;
    }
  }
  if (!vf_infer_config_validate(cfg, error)) {
    if (cfg->path == NULL)
      g_prefix_error(error, "no config-file-path, properties only: ");
    g_clear_pointer(&cfg, vf_infer_config_free);
  }
out:
  g_ptr_array_unref(overrides);
  g_free(path);
  return cfg;
}

static void post_setup_error(VfInferElement *self, GError *err)
{
  char *path = NULL;
  GST_OBJECT_LOCK(self);
  path = g_strdup(self->config_path);
  GST_OBJECT_UNLOCK(self);
  if (g_error_matches(err, VF_ERROR, VF_ERROR_NOT_FOUND))
    GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND,
                      ("vfinfer '%s': %s", GST_OBJECT_NAME(self), err->message),
                      ("config-file-path=%s", path ? path : "(none)"));
  else
    GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS,
                      ("vfinfer '%s': %s", GST_OBJECT_NAME(self), err->message),
                      ("config-file-path=%s", path ? path : "(none)"));
  g_free(path);
}

static gboolean vf_infer_start(GstBaseTransform *bt)
{
  VfInferElement *self = VF_INFER_ELEMENT(bt);
  GError *err = NULL;
  VfInferConfig *cfg = build_config(self, &err);
  VfInferEngine *engine = cfg ? vf_infer_engine_new(cfg, &err) : NULL;
  if (engine == NULL) {
    post_setup_error(self, err);
    g_clear_error(&err);
    vf_infer_config_free(cfg);
    return FALSE;
  }
  guint cores = g_get_num_processors();
  if (cfg->threads > 0 && (guint)cfg->threads > cores)
    GST_ELEMENT_WARNING(self, RESOURCE, SETTINGS,
                        ("vfinfer '%s': threads is %d but this machine has %u cores: the threads "
                         "compete for them and inference slows down many times over; use at most "
                         "%u, or 0 for one per core",
                         GST_OBJECT_NAME(self), cfg->threads, cores, cores),
                        ("threads=%d, g_get_num_processors()=%u", cfg->threads, cores));
  self->cfg = cfg;
  self->engine = engine;
  self->batches = 0;
  g_atomic_int_set(&self->interval, cfg->interval);
  if (cfg->process_mode == VF_INFER_MODE_SECONDARY
      && vf_infer_engine_get_kind(engine) == VF_PARSER_CLASSIFIER)
    self->cache = vf_infer_track_cache_new((guint)cfg->secondary_reinfer_interval,
                                           cfg->secondary_reinfer_growth);
  if (!stage_start(self, cfg)) {
    vf_infer_stop(bt);
    return FALSE;
  }
  guint w, h, c;
  vf_infer_engine_get_input_size(engine, &w, &h, &c);
  GST_INFO_OBJECT(self, "%s: model %s, input %ux%ux%u, batch %u, %s mode, %s, unique-id %d",
                  cfg->path ? cfg->path : "(properties)", cfg->model, w, h, c,
                  vf_infer_engine_get_batch_size(engine),
                  cfg->process_mode == VF_INFER_MODE_PRIMARY ? "primary" : "secondary",
                  vf_infer_engine_get_kind(engine) == VF_PARSER_DETECTOR ? "detector"
                                                                         : "classifier",
                  cfg->unique_id);
  GST_INFO_OBJECT(self, "overlap %s", self->overlapping ? "on" : "off");
  return TRUE;
}

static void clear_items(GArray *items)
{
  for (guint i = 0; i < items->len; i++) {
    Item *it = &g_array_index(items, Item, i);
    if (it->object)
      vf_object_meta_unref(it->object);
  }
  g_array_set_size(items, 0);
}

static gboolean vf_infer_stop(GstBaseTransform *bt)
{
  VfInferElement *self = VF_INFER_ELEMENT(bt);
  stage_stop(self);
  clear_items(self->items);
  for (guint i = 0; i < self->results->len; i++)
    vf_infer_result_clear(&g_array_index(self->results, VfInferResult, i));
  g_array_set_size(self->results, 0);
  g_clear_pointer(&self->cuda, vf_cuda_infer_free);
  g_clear_pointer(&self->engine, vf_infer_engine_free);
  g_clear_pointer(&self->cfg, vf_infer_config_free);
  g_clear_pointer(&self->cache, vf_infer_track_cache_free);
  return TRUE;
}

static gboolean vf_infer_set_caps(GstBaseTransform *bt, GstCaps *incaps, GstCaps *outcaps)
{
  (void)outcaps;
  VfInferElement *self = VF_INFER_ELEMENT(bt);
  VfFrameCaps fc;
  GError *err = NULL;
  gboolean on_gpu = FALSE;
  if (vf_frame_caps_parse(incaps, &fc, &err) && fc.device == VF_DEVICE_CUDA) {
    on_gpu = TRUE;
    if (g_ascii_strcasecmp(self->cfg->execution_provider ? self->cfg->execution_provider : "cpu",
                           "cuda")
        != 0)
      g_set_error(&err, VF_ERROR, VF_ERROR_UNSUPPORTED,
                  "frames in CUDA memory (memory:CUDAMemory) need execution-provider=cuda (the "
                  "model then reads them on the GPU); with the cpu provider put cudadownload "
                  "before vfinfer (or before vfmux)");
    else if (self->cuda == NULL)
      self->cuda = vf_cuda_infer_new(self->engine, self->cfg->device_id, &err);
  }
  if (err != NULL
      || !vf_frame_map_supported(fc.device, on_gpu ? VF_DEVICE_CUDA : VF_DEVICE_CPU, &err)) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("vfinfer '%s': %s", GST_OBJECT_NAME(self), err->message),
                      ("caps %" GST_PTR_FORMAT, incaps));
    g_error_free(err);
    return FALSE;
  }
  self->batched = fc.batched;
  self->info = fc.info;
  self->frames_on = fc.device;
  GST_DEBUG_OBJECT(self, "%s stream: %" GST_PTR_FORMAT, self->batched ? "batched" : "plain",
                   incaps);
  return TRUE;
}

/* ---- per batch ---- */

static gpointer tensor_copy(gconstpointer data)
{
  return vf_tensor_ref((VfTensor *)data);
}

/* A VfTensor of the raw output `t` (its data is taken over). */
static VfTensor *wrap_output(VfInferTensor *t)
{
  VfTensor *tensor = vf_tensor_new_wrapped(t->data, t->dtype, t->ndim, t->shape, NULL,
                                           VF_DEVICE_CPU, 0, t->data, g_free, NULL);
  if (tensor)
    t->data = NULL; /* the tensor owns it now */
  return tensor;
}

static void attach_tensors(VfInferElement *self, VfInferResult *r, VfFrameMeta *frame,
                           VfObjectMeta *obj)
{
  for (guint i = 0; r->tensors && i < r->tensors->len; i++) {
    VfInferTensor *t = g_ptr_array_index(r->tensors, i);
    VfTensor *tensor = wrap_output(t);
    if (tensor == NULL)
      continue;
    char *type
        = g_strdup_printf(VF_INFER_TENSOR_META_PREFIX "%d/%s", self->cfg->unique_id, t->name);
    if (obj)
      vf_object_meta_add_user_meta(obj, type, tensor, tensor_copy, (GDestroyNotify)vf_tensor_unref);
    else
      vf_frame_meta_add_user_meta(frame, type, tensor, tensor_copy,
                                  (GDestroyNotify)vf_tensor_unref);
    g_free(type);
  }
}

static VfObjectMeta *object_from_detection(VfInferElement *self, const VfDetection *d)
{
  VfObjectMeta *o = vf_object_meta_new();
  vf_object_meta_set_class_id(o, d->class_id);
  const char *label = d->label ? d->label : vf_infer_config_get_label(self->cfg, d->class_id);
  if (label)
    vf_object_meta_set_label(o, label);
  vf_object_meta_set_confidence(o, d->confidence);
  VfRect box = { d->left, d->top, d->width, d->height };
  vf_object_meta_set_detector_bbox(o, &box);
  vf_object_meta_set_component_id(o, self->cfg->unique_id);
  if (d->n_keypoints > 0) {
    gint64 shape[2] = { d->n_keypoints, 2 };
    VfTensor *kp = vf_tensor_new(VF_DTYPE_FLOAT32, 2, shape, NULL);
    if (kp) {
      memcpy(vf_tensor_get_data(kp), d->keypoints, d->n_keypoints * 2 * sizeof(gfloat));
      vf_object_meta_add_user_meta(o, VF_INFER_KEYPOINTS_META, kp, tensor_copy,
                                   (GDestroyNotify)vf_tensor_unref);
    }
  }
  return o;
}

/* A classifier's classes (VfInferClass) onto an object. */
static void add_classes(VfInferElement *self, VfObjectMeta *object, const GArray *classes)
{
  for (guint i = 0; i < classes->len; i++) {
    const VfInferClass *c = &g_array_index(classes, VfInferClass, i);
    const char *label = c->label ? c->label : vf_infer_config_get_label(self->cfg, c->class_id);
    vf_object_meta_add_classification(object, self->cfg->unique_id, c->class_id, label,
                                      c->confidence);
  }
}

static void attach_result(VfInferElement *self, VfBatchMeta *meta, const Item *it, VfInferResult *r)
{
  VfFrameMeta *frame = vf_batch_meta_get_frame(meta, it->frame);
  gint uid = self->cfg->unique_id;
  if (vf_infer_engine_get_kind(self->engine) == VF_PARSER_DETECTOR) {
    for (guint i = 0; i < r->detections->len; i++) {
      VfObjectMeta *o = object_from_detection(self, &g_array_index(r->detections, VfDetection, i));
      if (it->object)
        vf_object_meta_set_parent(o, it->object);
      vf_frame_meta_add_object(frame, o);
      vf_object_meta_unref(o);
    }
  } else if (it->object) {
    add_classes(self, it->object, r->classifications);
    guint64 id = vf_object_meta_get_object_id(it->object);
    if (self->cache && id != VF_OBJECT_UNTRACKED && r->classifications->len > 0)
      vf_infer_track_cache_store(self->cache, vf_frame_meta_get_source_id(frame), id,
                                 vf_frame_meta_get_frame_number(frame),
                                 (gdouble)it->roi.width * it->roi.height, r->classifications);
  } else if (r->classifications->len > 0) {
    /* A whole-frame classifier: one object covering the frame, best class first. */
    const VfInferClass *best = &g_array_index(r->classifications, VfInferClass, 0);
    VfDetection d
        = { .class_id = best->class_id, .confidence = best->confidence, .label = best->label };
    const GstVideoInfo *info = vf_frame_meta_get_video_info(frame);
    d.width = GST_VIDEO_INFO_WIDTH(info);
    d.height = GST_VIDEO_INFO_HEIGHT(info);
    VfObjectMeta *o = object_from_detection(self, &d);
    for (guint i = 0; i < r->classifications->len; i++) {
      const VfInferClass *c = &g_array_index(r->classifications, VfInferClass, i);
      const char *label = c->label ? c->label : vf_infer_config_get_label(self->cfg, c->class_id);
      vf_object_meta_add_classification(o, uid, c->class_id, label, c->confidence);
    }
    vf_frame_meta_add_object(frame, o);
    vf_object_meta_unref(o);
  }
  if (self->cfg->output_tensor_meta)
    attach_tensors(self, r, frame, it->object);
}

static gboolean class_selected(const VfInferConfig *cfg, gint class_id)
{
  GArray *classes = cfg->operate_on_classes;
  if (classes == NULL || classes->len == 0)
    return TRUE;
  for (guint i = 0; i < classes->len; i++)
    if (g_array_index(classes, gint, i) == class_id)
      return TRUE;
  return FALSE;
}

/* Secondary mode: the objects of `frame` to crop, their boxes clipped to the frame. */
static void select_objects(VfInferElement *self, VfFrameMeta *frame, guint index, GArray *items)
{
  const VfInferConfig *cfg = self->cfg;
  const GstVideoInfo *info = vf_frame_meta_get_video_info(frame);
  gdouble fw = GST_VIDEO_INFO_WIDTH(info), fh = GST_VIDEO_INFO_HEIGHT(info);
  GPtrArray *objects = vf_frame_meta_get_objects(frame);
  for (guint i = 0; i < objects->len; i++) {
    VfObjectMeta *o = g_ptr_array_index(objects, i);
    gint comp = vf_object_meta_get_component_id(o);
    if (comp == cfg->unique_id
        || (cfg->operate_on_unique_id >= 0 && comp != cfg->operate_on_unique_id)
        || !class_selected(cfg, vf_object_meta_get_class_id(o)))
      continue;
    VfRect r;
    vf_object_meta_get_detector_bbox(o, &r);
    if (r.width <= 0 || r.height <= 0)
      vf_object_meta_get_tracker_bbox(o, &r);
    gdouble x0 = CLAMP(r.left, 0.0, fw), y0 = CLAMP(r.top, 0.0, fh);
    gdouble x1 = CLAMP((gdouble)r.left + r.width, 0.0, fw);
    gdouble y1 = CLAMP((gdouble)r.top + r.height, 0.0, fh);
    if (!(x1 - x0 >= 1 && y1 - y0 >= 1) || x1 - x0 < cfg->min_object_width
        || y1 - y0 < cfg->min_object_height)
      continue;
    guint64 id = vf_object_meta_get_object_id(o);
    const GArray *cached = NULL;
    if (self->cache && id != VF_OBJECT_UNTRACKED)
      cached = vf_infer_track_cache_lookup(self->cache, vf_frame_meta_get_source_id(frame), id,
                                           vf_frame_meta_get_frame_number(frame),
                                           (x1 - x0) * (y1 - y0));
    if (cached) {
      add_classes(self, o, cached);
      g_atomic_pointer_add(&self->reused, 1);
      continue;
    }
    Item it = { index, vf_object_meta_ref(o), { x0, y0, x1 - x0, y1 - y0 } };
    g_array_append_val(items, it);
  }
  g_ptr_array_unref(objects);
}

/* The items (frames, or object crops in secondary mode) of a batch to infer, into `items`. */
static void collect_items(VfInferElement *self, VfBatchMeta *meta, GArray *items)
{
  guint n_frames = vf_batch_meta_get_n_frames(meta);
  gboolean secondary = self->cfg->process_mode == VF_INFER_MODE_SECONDARY;
  for (guint f = 0; f < n_frames; f++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(meta, f);
    if (secondary) {
      /* Results go onto these objects: this batch's own, not those copies share. */
      vf_frame_meta_make_objects_writable(frame);
      select_objects(self, frame, f, items);
    } else {
      Item it = { f, NULL, { 0, 0, 0, 0 } };
      g_array_append_val(items, it);
    }
  }
}

/* The frames of a batch mapped for preprocessing, each at most once. */
typedef struct {
  guint n_frames;
  VfFrameMap *maps;
  gboolean *mapped;
  VfImage *images;
  VfInferFrame *work; /* one per item mapped */
} FrameMaps;

static void frame_maps_init(FrameMaps *fm, guint n_frames, guint n_work)
{
  fm->n_frames = n_frames;
  fm->maps = g_new0(VfFrameMap, n_frames);
  fm->mapped = g_new0(gboolean, n_frames);
  fm->images = g_new0(VfImage, n_frames);
  fm->work = g_new0(VfInferFrame, MAX(n_work, 1));
}

static void frame_maps_unmap(FrameMaps *fm)
{
  for (guint f = 0; f < fm->n_frames; f++)
    if (fm->mapped[f]) {
      vf_frame_unmap(&fm->maps[f]);
      fm->mapped[f] = FALSE;
    }
}

static void frame_maps_clear(FrameMaps *fm)
{
  frame_maps_unmap(fm);
  g_free(fm->work);
  g_free(fm->images);
  g_free(fm->mapped);
  g_free(fm->maps);
}

/* Map the frames items[start, start + count) need (once each) and describe them in fm->work[0..
 * count). FALSE with the element error posted. */
static gboolean map_items(VfInferElement *self, GstBuffer *buf, VfBatchMeta *meta, GArray *items,
                          guint start, guint count, FrameMaps *fm)
{
  GError *err = NULL;
  for (guint i = 0; i < count; i++) {
    Item *it = &g_array_index(items, Item, start + i);
    guint f = it->frame;
    if (!fm->mapped[f]) {
      VfFrameMeta *frame = vf_batch_meta_get_frame(meta, f);
      if (!vf_frame_map(&fm->maps[f], buf, frame, self->frames_on, GST_MAP_READ, &err)) {
        GST_ELEMENT_ERROR(self, STREAM, FAILED,
                          ("vfinfer '%s': %s", GST_OBJECT_NAME(self), err->message), (NULL));
        g_error_free(err);
        return FALSE;
      }
      fm->mapped[f] = TRUE;
      VfFrameMap *m = &fm->maps[f];
      if (m->format == VF_COLOR_FORMAT_UNKNOWN) {
        GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                          ("vfinfer '%s': frame %u is %s; vfinfer reads RGB, RGBA, BGR, BGRA, "
                           "RGBx, BGRx, GRAY8, NV12 or I420 (set vfmux format=, or convert "
                           "upstream)",
                           GST_OBJECT_NAME(self), f, GST_VIDEO_INFO_NAME(&m->info)),
                          (NULL));
        return FALSE;
      }
      VfImage *img = &fm->images[f];
      img->format = m->format;
      img->width = GST_VIDEO_INFO_WIDTH(&m->info);
      img->height = GST_VIDEO_INFO_HEIGHT(&m->info);
      for (guint p = 0; p < GST_VIDEO_INFO_N_PLANES(&m->info) && p < 3; p++) {
        img->planes[p] = m->data[p];
        img->strides[p] = m->stride[p];
      }
      GstVideoColorMatrix cm = GST_VIDEO_INFO_COLORIMETRY(&m->info).matrix;
      img->matrix = cm == GST_VIDEO_COLOR_MATRIX_BT709   ? VF_YUV_MATRIX_BT709
                    : cm == GST_VIDEO_COLOR_MATRIX_BT601 ? VF_YUV_MATRIX_BT601
                                                         : VF_YUV_MATRIX_AUTO;
      img->device = self->frames_on;
    }
    fm->work[i].image = &fm->images[f];
    fm->work[i].roi = it->object ? &it->roi : NULL;
  }
  return TRUE;
}

static void log_timings(VfInferElement *self, guint n)
{
  VfInferTimings t;
  vf_infer_engine_get_timings(self->engine, &t);
  GST_LOG_OBJECT(self, "%u item(s): preprocess %.2f ms, inference %.2f ms, parse %.2f ms", n,
                 t.preprocess * 1e3, t.inference * 1e3, t.parse * 1e3);
}

/* Without overlap: the whole batch on the streaming thread. */
static GstFlowReturn run_batch(VfInferElement *self, GstBuffer *buf, VfBatchMeta *meta)
{
  clear_items(self->items);
  collect_items(self, meta, self->items);
  guint n = self->items->len;
  if (n == 0)
    return GST_FLOW_OK;

  FrameMaps fm;
  frame_maps_init(&fm, vf_batch_meta_get_n_frames(meta), n);
  GstFlowReturn ret = GST_FLOW_OK;
  GError *err = NULL;
  if (!map_items(self, buf, meta, self->items, 0, n, &fm))
    ret = GST_FLOW_ERROR;

  if (ret == GST_FLOW_OK) {
    if (self->results->len < n) {
      guint old = self->results->len;
      g_array_set_size(self->results, n);
      for (guint i = old; i < n; i++)
        vf_infer_result_init(&g_array_index(self->results, VfInferResult, i));
    }
    VfInferResult *results = (VfInferResult *)(gpointer)self->results->data;
    gboolean done = self->frames_on == VF_DEVICE_CUDA
                        ? vf_cuda_infer_process(self->cuda, fm.work, n, results, &err)
                        : vf_infer_engine_process(self->engine, fm.work, n, results, &err);
    if (!done) {
      GST_ELEMENT_ERROR(self, STREAM, FAILED,
                        ("vfinfer '%s': %s", GST_OBJECT_NAME(self), err->message), (NULL));
      ret = GST_FLOW_ERROR;
    } else {
      log_timings(self, n);
    }
    frame_maps_unmap(&fm); /* results are plain values: unmap before attaching */
    for (guint i = 0; i < n && ret == GST_FLOW_OK; i++)
      attach_result(self, meta, &g_array_index(self->items, Item, i), &results[i]);
  }
  frame_maps_clear(&fm);
  g_clear_error(&err);
  clear_items(self->items);
  return ret;
}

/* Batches between two sweeps of the track cache. */
#define CACHE_SWEEP_BATCHES 128

static gpointer same_pointer(gconstpointer data)
{
  return (gpointer)data;
}

/* A primary detector that skips a batch says so on each frame, for vftracker (tracker.h). */
static void mark_skipped(VfInferElement *self, VfBatchMeta *meta)
{
  if (self->cfg->process_mode != VF_INFER_MODE_PRIMARY
      || vf_infer_engine_get_kind(self->engine) != VF_PARSER_DETECTOR)
    return;
  for (guint f = 0; f < vf_batch_meta_get_n_frames(meta); f++)
    vf_frame_meta_add_user_meta(vf_batch_meta_get_frame(meta, f), VF_FRAME_META_INFER_SKIPPED,
                                (gpointer) "vfinfer", same_pointer, NULL);
}

/* Sources that end and flushes drop the cached classifications of their tracks. */
static gboolean vf_infer_sink_event(GstBaseTransform *bt, GstEvent *event)
{
  VfInferElement *self = VF_INFER_ELEMENT(bt);
  guint source_id;
  if (GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_START)
    stage_flush_start(self);
  else if (GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP)
    stage_flush_stop(self);
  else if (GST_EVENT_IS_SERIALIZED(event))
    stage_drain(self); /* after the buffers before it */
  if (self->cache && GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP)
    vf_infer_track_cache_clear(self->cache);
  else if (self->cache && vf_source_event_is_end(event, &source_id))
    vf_infer_track_cache_forget_source(self->cache, source_id);
  return GST_BASE_TRANSFORM_CLASS(vf_infer_element_parent_class)->sink_event(bt, event);
}

/* The batch meta of `buf` (made for a plain frame) and whether this batch is inferred (interval);
 * a skipped batch is marked. Non-OK with the element error posted. */
static GstFlowReturn batch_of(VfInferElement *self, GstBuffer *buf, VfBatchMeta **out,
                              gboolean *infer)
{
  *infer = FALSE;
  if (self->engine == NULL)
    return GST_FLOW_NOT_NEGOTIATED;
  VfBatchMeta *meta = vf_batch_meta_get(buf);
  if (!self->batched) {
    /* A plain frame: a one-frame batch, its layout from the caps (and a GstVideoMeta). */
    if (meta == NULL)
      meta = vf_batch_meta_add_single(buf, &self->info);
    VfFrameMeta *frame
        = meta && vf_batch_meta_get_n_frames(meta) == 1 ? vf_batch_meta_get_frame(meta, 0) : NULL;
    if (frame && vf_frame_meta_get_buffer(frame) == NULL) {
      GstVideoInfo info;
      vf_frame_layout(&self->info, buf, &info);
      vf_frame_meta_set_video_info(frame, &info);
    }
  }
  if (meta == NULL) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("vfinfer '%s' got a batched buffer without batch metadata: put vfmux "
                       "upstream",
                       GST_OBJECT_NAME(self)),
                      (NULL));
    return GST_FLOW_ERROR;
  }
  *out = meta;
  guint64 index = self->batches++;
  gint interval = g_atomic_int_get(&self->interval);
  if (index % ((guint64)interval + 1) != 0) {
    GST_LOG_OBJECT(self, "batch %" G_GUINT64_FORMAT " skipped (interval %d)", index, interval);
    mark_skipped(self, meta);
    return GST_FLOW_OK;
  }
  if (self->cache && index % CACHE_SWEEP_BATCHES == 0)
    vf_infer_track_cache_sweep(self->cache);
  *infer = TRUE;
  return GST_FLOW_OK;
}

static GstFlowReturn vf_infer_transform_ip(GstBaseTransform *bt, GstBuffer *buf)
{
  VfInferElement *self = VF_INFER_ELEMENT(bt);
  VfBatchMeta *meta = NULL;
  gboolean infer;
  GstFlowReturn ret = batch_of(self, buf, &meta, &infer);
  if (ret != GST_FLOW_OK || !infer)
    return ret;
  return run_batch(self, buf, meta);
}

/* ---- the overlap stage ---- */

static void job_free(Job *job)
{
  for (guint i = 0; i < job->items->len; i++)
    vf_infer_result_clear(&job->results[i]);
  clear_items(job->items);
  g_array_unref(job->items);
  g_free(job->results);
  gst_clear_buffer(&job->buf);
  g_free(job);
}

/* Streaming thread: hand a task to the stage thread (never blocks). */
static void stage_queue(VfInferElement *self, Job *job, guint start, guint count, guint slot,
                        gboolean last)
{
  Task *t = g_new0(Task, 1);
  *t = (Task){ job, start, count, slot, last };
  g_mutex_lock(&self->stage_lock);
  g_queue_push_tail(&self->tasks, t);
  g_cond_broadcast(&self->stage_cond);
  g_mutex_unlock(&self->stage_lock);
}

/* The flow the streaming thread returns while the stage cannot take work (lock held). */
static GstFlowReturn stage_state_locked(VfInferElement *self)
{
  return self->flushing ? GST_FLOW_FLUSHING : self->stage_flow;
}

/* Streaming thread: wait until a job may be handed over; counts it in. */
static GstFlowReturn stage_enter(VfInferElement *self)
{
  g_mutex_lock(&self->stage_lock);
  while (stage_state_locked(self) == GST_FLOW_OK && self->in_flight >= MAX_IN_FLIGHT)
    g_cond_wait(&self->stage_cond, &self->stage_lock);
  GstFlowReturn ret = stage_state_locked(self);
  if (ret == GST_FLOW_OK)
    self->in_flight++;
  g_mutex_unlock(&self->stage_lock);
  return ret;
}

/* Streaming thread: wait for a free input slot and take it. */
static GstFlowReturn stage_take_slot(VfInferElement *self, guint *slot)
{
  g_mutex_lock(&self->stage_lock);
  while (stage_state_locked(self) == GST_FLOW_OK && self->free_slots == 0)
    g_cond_wait(&self->stage_cond, &self->stage_lock);
  GstFlowReturn ret = stage_state_locked(self);
  if (ret == GST_FLOW_OK) {
    *slot = (guint)g_bit_nth_lsf(self->free_slots, -1);
    self->free_slots &= ~(1u << *slot);
  }
  g_mutex_unlock(&self->stage_lock);
  return ret;
}

static void stage_give_slot(VfInferElement *self, guint slot)
{
  g_mutex_lock(&self->stage_lock);
  self->free_slots |= 1u << slot;
  g_cond_broadcast(&self->stage_cond);
  g_mutex_unlock(&self->stage_lock);
}

/* Streaming thread, overlap on: preprocess `buf` (transfer full) chunk by chunk into free input
 * slots and hand it to the stage thread. */
static GstFlowReturn overlap_submit(VfInferElement *self, GstBuffer *buf)
{
  gint64 t0 = g_get_monotonic_time();
  GstFlowReturn ret = stage_enter(self);
  self->t_wait += g_get_monotonic_time() - t0;
  if (ret != GST_FLOW_OK) {
    gst_buffer_unref(buf);
    return ret;
  }
  Job *job = g_new0(Job, 1);
  job->buf = buf;
  job->items = g_array_new(FALSE, FALSE, sizeof(Item));
  job->device = self->frames_on;
  gboolean infer = FALSE;
  ret = batch_of(self, buf, &job->meta, &infer);
  if (ret == GST_FLOW_OK && infer)
    collect_items(self, job->meta, job->items);
  guint n = job->items->len;
  job->results = g_new0(VfInferResult, MAX(n, 1));
  for (guint i = 0; i < n; i++)
    vf_infer_result_init(&job->results[i]);

  guint bs = self->engine ? vf_infer_engine_get_batch_size(self->engine) : 1;
  FrameMaps fm;
  frame_maps_init(&fm, job->meta ? vf_batch_meta_get_n_frames(job->meta) : 0, bs);
  gboolean queued_last = FALSE;
  for (guint start = 0; ret == GST_FLOW_OK && start < n; start += bs) {
    guint count = MIN(bs, n - start), slot = 0;
    gint64 t1 = g_get_monotonic_time();
    ret = stage_take_slot(self, &slot);
    gint64 t2 = g_get_monotonic_time();
    self->t_wait += t2 - t1;
    if (ret != GST_FLOW_OK)
      break;
    GError *err = NULL;
    if (!map_items(self, buf, job->meta, job->items, start, count, &fm)) {
      ret = GST_FLOW_ERROR;
    } else if (!(job->device == VF_DEVICE_CUDA
                     ? vf_cuda_infer_preprocess_slot(self->cuda, slot, fm.work, count, &err)
                     : vf_infer_engine_preprocess_slot(self->engine, slot, fm.work, count, &err))) {
      GST_ELEMENT_ERROR(self, STREAM, FAILED,
                        ("vfinfer '%s': %s", GST_OBJECT_NAME(self), err->message), (NULL));
      g_error_free(err);
      ret = GST_FLOW_ERROR;
    }
    frame_maps_unmap(&fm); /* the input slot holds what the model needs */
    self->t_pre += g_get_monotonic_time() - t2;
    if (ret != GST_FLOW_OK) {
      stage_give_slot(self, slot);
      break;
    }
    queued_last = start + count >= n;
    stage_queue(self, job, start, count, slot, queued_last); /* job is the stage's once last */
  }
  frame_maps_clear(&fm);
  if (!queued_last) { /* nothing to infer (skipped, no objects), or it failed: a last task */
    job->failed = ret != GST_FLOW_OK;
    stage_queue(self, job, 0, 0, 0, TRUE);
  }
  return ret;
}

/* Stage thread: one task's model run. */
static GstFlowReturn stage_run(VfInferElement *self, const Task *t)
{
  GError *err = NULL;
  VfInferResult *results = t->job->results + t->start;
  gboolean ok = t->job->device == VF_DEVICE_CUDA
                    ? vf_cuda_infer_run_slot(self->cuda, t->slot, t->count, results, &err)
                    : vf_infer_engine_run_slot(self->engine, t->slot, t->count, results, &err);
  if (!ok) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED,
                      ("vfinfer '%s': %s", GST_OBJECT_NAME(self), err->message), (NULL));
    g_error_free(err);
    return GST_FLOW_ERROR;
  }
  log_timings(self, t->count);
  return GST_FLOW_OK;
}

/* The stage thread: runs the tasks in order; the last of a job attaches and pushes. */
static gpointer stage_main(gpointer data)
{
  VfInferElement *self = data;
  g_mutex_lock(&self->stage_lock);
  while (!self->quit) {
    Task *t = g_queue_pop_head(&self->tasks);
    if (t == NULL) {
      gint64 t0 = g_get_monotonic_time();
      g_cond_wait(&self->stage_cond, &self->stage_lock);
      self->t_idle += g_get_monotonic_time() - t0;
      continue;
    }
    gboolean drop = self->flushing || self->stage_flow != GST_FLOW_OK;
    g_mutex_unlock(&self->stage_lock);

    GstFlowReturn ret = GST_FLOW_OK;
    Job *job = t->job;
    gboolean last = t->last;
    gint64 t0 = g_get_monotonic_time();
    if (!drop && t->count > 0)
      ret = stage_run(self, t);
    gint64 t1 = g_get_monotonic_time();
    if (t->count > 0)
      stage_give_slot(self, t->slot);
    if (last) {
      if (!drop && ret == GST_FLOW_OK && !job->failed) {
        for (guint i = 0; i < job->items->len; i++)
          attach_result(self, job->meta, &g_array_index(job->items, Item, i), &job->results[i]);
        GstBuffer *buf = job->buf;
        job->buf = NULL;
        ret = gst_pad_push(GST_BASE_TRANSFORM_SRC_PAD(self), buf);
        if (ret != GST_FLOW_OK)
          GST_DEBUG_OBJECT(self, "push: %s", gst_flow_get_name(ret));
      }
      job_free(job);
    }
    g_free(t);
    gint64 t2 = g_get_monotonic_time();
    self->t_run += t1 - t0;
    self->t_push += t2 - t1;

    g_mutex_lock(&self->stage_lock);
    if (ret != GST_FLOW_OK && self->stage_flow == GST_FLOW_OK)
      self->stage_flow = ret;
    if (last)
      self->in_flight--;
    g_cond_broadcast(&self->stage_cond);
  }
  g_mutex_unlock(&self->stage_lock);
  return NULL;
}

/* start(): whether this run overlaps, and its thread. FALSE with the element error posted. */
static gboolean stage_start(VfInferElement *self, const VfInferConfig *cfg)
{
  GST_OBJECT_LOCK(self);
  gint mode = self->overlap_mode;
  GST_OBJECT_UNLOCK(self);
  gboolean cuda
      = g_ascii_strcasecmp(cfg->execution_provider ? cfg->execution_provider : "cpu", "cuda") == 0;
  gboolean on = mode == VF_INFER_OVERLAP_ON || (mode == VF_INFER_OVERLAP_AUTO && cuda);
  if (on && self->cache) {
    GST_INFO_OBJECT(self, "overlap off: a secondary classifier's track cache needs each batch's "
                          "results before the next batch's look-ups");
    on = FALSE;
  }
  g_mutex_lock(&self->stage_lock);
  self->flushing = FALSE;
  self->quit = FALSE;
  self->stage_flow = GST_FLOW_OK;
  self->in_flight = 0;
  self->free_slots = (1u << VF_INFER_ENGINE_SLOTS) - 1;
  self->t_wait = self->t_pre = self->t_idle = self->t_run = self->t_push = 0;
  g_mutex_unlock(&self->stage_lock);
  self->overlapping = on;
  if (!on)
    return TRUE;
  GError *err = NULL;
  self->stage_thread = g_thread_try_new("vfinfer-stage", stage_main, self, &err);
  if (self->stage_thread == NULL) {
    GST_ELEMENT_ERROR(self, RESOURCE, FAILED,
                      ("vfinfer '%s': cannot start its inference thread (%s): set overlap=off",
                       GST_OBJECT_NAME(self), err->message),
                      (NULL));
    g_error_free(err);
    self->overlapping = FALSE;
    return FALSE;
  }
  return TRUE;
}

/* stop() (streaming stopped): end and join the stage thread, drop what it had not done. */
static void stage_stop(VfInferElement *self)
{
  if (self->stage_thread) {
    g_mutex_lock(&self->stage_lock);
    self->quit = TRUE;
    self->flushing = TRUE;
    g_cond_broadcast(&self->stage_cond);
    g_mutex_unlock(&self->stage_lock);
    g_thread_join(self->stage_thread);
    self->stage_thread = NULL;
    GST_INFO_OBJECT(self,
                    "overlap stage: streaming thread waited %.3f s, preprocessed %.3f s; stage "
                    "thread idle %.3f s, model %.3f s, attach+push %.3f s",
                    self->t_wait / 1e6, self->t_pre / 1e6, self->t_idle / 1e6, self->t_run / 1e6,
                    self->t_push / 1e6);
  }
  Task *t;
  while ((t = g_queue_pop_head(&self->tasks)) != NULL) {
    if (t->last)
      job_free(t->job);
    g_free(t);
  }
  self->in_flight = 0;
  self->overlapping = FALSE;
}

/* FLUSH_START, or going to READY: drop the work not pushed, wake both threads. */
static void stage_flush_start(VfInferElement *self)
{
  g_mutex_lock(&self->stage_lock);
  self->flushing = TRUE;
  g_cond_broadcast(&self->stage_cond);
  g_mutex_unlock(&self->stage_lock);
}

/* FLUSH_STOP: once the stage thread has dropped or pushed everything, take work again. */
static void stage_flush_stop(VfInferElement *self)
{
  g_mutex_lock(&self->stage_lock);
  while (self->in_flight > 0 && self->stage_thread != NULL)
    g_cond_wait(&self->stage_cond, &self->stage_lock);
  self->flushing = FALSE;
  self->stage_flow = GST_FLOW_OK;
  g_mutex_unlock(&self->stage_lock);
}

/* A serialized event or query: wait until the buffers before it have left (or a flush). */
static void stage_drain(VfInferElement *self)
{
  if (!self->overlapping)
    return;
  g_mutex_lock(&self->stage_lock);
  while (self->in_flight > 0 && !self->flushing)
    g_cond_wait(&self->stage_cond, &self->stage_lock);
  g_mutex_unlock(&self->stage_lock);
}

/* With overlap the streaming thread hands the buffer to the stage thread, which pushes it;
 * without, the base class's transform_ip path. */
static GstFlowReturn vf_infer_generate_output(GstBaseTransform *bt, GstBuffer **outbuf)
{
  VfInferElement *self = VF_INFER_ELEMENT(bt);
  if (!self->overlapping)
    return GST_BASE_TRANSFORM_CLASS(vf_infer_element_parent_class)->generate_output(bt, outbuf);
  *outbuf = NULL;
  GstBuffer *inbuf = bt->queued_buf, *buf = NULL;
  bt->queued_buf = NULL;
  if (inbuf == NULL)
    return GST_FLOW_OK;
  /* in place, as the base class would: the input made writable */
  GstFlowReturn ret = GST_BASE_TRANSFORM_GET_CLASS(bt)->prepare_output_buffer(bt, inbuf, &buf);
  if (buf != inbuf)
    gst_buffer_unref(inbuf);
  if (ret != GST_FLOW_OK || buf == NULL) {
    if (buf)
      gst_buffer_unref(buf);
    return ret;
  }
  return overlap_submit(self, buf);
}

static gboolean vf_infer_query(GstBaseTransform *bt, GstPadDirection direction, GstQuery *query)
{
  if (direction == GST_PAD_SINK && GST_QUERY_IS_SERIALIZED(query))
    stage_drain(VF_INFER_ELEMENT(bt));
  return GST_BASE_TRANSFORM_CLASS(vf_infer_element_parent_class)->query(bt, direction, query);
}

static GstStateChangeReturn vf_infer_change_state(GstElement *element, GstStateChange transition)
{
  /* a streaming thread waiting for the stage must return before the sink pad can deactivate */
  VfInferElement *self = VF_INFER_ELEMENT(element);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY)
    stage_flush_start(self);
  GstStateChangeReturn ret
      = GST_ELEMENT_CLASS(vf_infer_element_parent_class)->change_state(element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY && ret == GST_STATE_CHANGE_FAILURE
      && self->stage_thread != NULL)
    stage_flush_stop(self); /* still running: take work again */
  return ret;
}

/* ---- properties ---- */

static void vf_infer_set_property(GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  VfInferElement *self = VF_INFER_ELEMENT(object);
  GST_OBJECT_LOCK(self);
  if (id == PROP_CONFIG_FILE_PATH) {
    g_free(self->config_path);
    self->config_path = g_value_dup_string(value);
  } else if (id == PROP_OVERLAP) {
    self->overlap_mode = g_value_get_enum(value);
  } else if (id >= PROP_FIRST_KEY && id < PROP_FIRST_KEY + N_KEYS) {
    guint i = id - PROP_FIRST_KEY;
    g_value_copy(value, g_value_reset(&self->values[i]));
    /* a string set to NULL (or "") is "not set": the file's value stands */
    self->set[i] = key_props[i].kind != P_STRING
                   || (g_value_get_string(value) && *g_value_get_string(value));
    /* the one key that changes a running element (DeepStream's interval, REST set-interval) */
    if (g_str_equal(key_props[i].key, INTERVAL_KEY))
      g_atomic_int_set(&self->interval, g_value_get_int(value));
  } else {
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
  GST_OBJECT_UNLOCK(self);
}

static void vf_infer_get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  VfInferElement *self = VF_INFER_ELEMENT(object);
  GST_OBJECT_LOCK(self);
  if (id == PROP_CONFIG_FILE_PATH)
    g_value_set_string(value, self->config_path);
  else if (id == PROP_REUSED_CLASSIFICATIONS)
    g_value_set_uint64(value, (guint64)g_atomic_pointer_get(&self->reused));
  else if (id == PROP_OVERLAP)
    g_value_set_enum(value, self->overlap_mode);
  else if (id >= PROP_FIRST_KEY && id < PROP_FIRST_KEY + N_KEYS)
    g_value_copy(&self->values[id - PROP_FIRST_KEY], value);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  GST_OBJECT_UNLOCK(self);
}

static void vf_infer_finalize(GObject *object)
{
  VfInferElement *self = VF_INFER_ELEMENT(object);
  vf_infer_stop(GST_BASE_TRANSFORM(self));
  g_array_unref(self->items);
  g_array_unref(self->results);
  g_mutex_clear(&self->stage_lock);
  g_cond_clear(&self->stage_cond);
  for (guint i = 0; i < N_KEYS; i++)
    g_value_unset(&self->values[i]);
  g_free(self->config_path);
  G_OBJECT_CLASS(vf_infer_element_parent_class)->finalize(object);
}

static GParamSpec *key_pspec(const KeyProp *k)
{
  const GParamFlags flags
      = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
        | (g_str_equal(k->key, INTERVAL_KEY) ? GST_PARAM_MUTABLE_PLAYING : GST_PARAM_MUTABLE_READY);
  char *blurb = g_strconcat(k->blurb, ". Overrides the config file's key of the same name", NULL);
  const char *b = g_intern_string(blurb); /* param specs keep it for the process's life */
  g_free(blurb);
  switch (k->kind) {
  case P_STRING:
    return g_param_spec_string(k->key, k->key, b, NULL, flags);
  case P_INT:
    return g_param_spec_int(k->key, k->key, b, (gint)k->min, (gint)k->max, (gint)k->def, flags);
  case P_DOUBLE:
    return g_param_spec_double(k->key, k->key, b, k->min, k->max, k->def, flags);
  case P_BOOL:
    return g_param_spec_boolean(k->key, k->key, b, k->def != 0, flags);
  case P_ENUM:
    return g_param_spec_enum(k->key, k->key, b, k->enum_type(), (gint)k->def, flags);
  }
  return NULL;
}

static void vf_infer_element_class_init(VfInferElementClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  GstBaseTransformClass *bt_class = GST_BASE_TRANSFORM_CLASS(klass);
  gobject_class->set_property = vf_infer_set_property;
  gobject_class->get_property = vf_infer_get_property;
  gobject_class->finalize = vf_infer_finalize;

  g_object_class_install_property(
      gobject_class, PROP_CONFIG_FILE_PATH,
      g_param_spec_string("config-file-path", "Config file",
                          "vfinfer YAML config (configs/README.md); properties set on the "
                          "element override its keys (default: none, properties only)",
                          NULL,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  for (guint i = 0; i < N_KEYS; i++)
    g_object_class_install_property(gobject_class, PROP_FIRST_KEY + i, key_pspec(&key_props[i]));
  g_object_class_install_property(
      gobject_class, PROP_REUSED_CLASSIFICATIONS,
      g_param_spec_uint64("reused-classifications", "Reused classifications",
                          "Secondary classifier: tracked objects given their track's earlier "
                          "result instead of running the model (read-only; default: 0)",
                          0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property(
      gobject_class, PROP_OVERLAP,
      g_param_spec_enum("overlap", "Overlap",
                        "Preprocess batch n+1 on the streaming thread while a second vfinfer "
                        "thread infers, attaches and pushes batch n (2 input slots, at most 2 "
                        "buffers in flight); auto: on with execution-provider=cuda, off with cpu "
                        "(default: auto)",
                        overlap_get_type(), VF_INFER_OVERLAP_AUTO,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  gst_type_mark_as_plugin_api(overlap_get_type(), 0);
  element_class->change_state = GST_DEBUG_FUNCPTR(vf_infer_change_state);

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(
      element_class, "vidflow inference", "Filter/Analyzer/Video",
      "Runs a model (ONNX Runtime) on batched or plain frames, or on the objects in them, and "
      "attaches detections, classifications and raw tensors as metadata",
      "vidflow");
  bt_class->start = GST_DEBUG_FUNCPTR(vf_infer_start);
  bt_class->stop = GST_DEBUG_FUNCPTR(vf_infer_stop);
  bt_class->set_caps = GST_DEBUG_FUNCPTR(vf_infer_set_caps);
  bt_class->transform_ip = GST_DEBUG_FUNCPTR(vf_infer_transform_ip);
  bt_class->sink_event = GST_DEBUG_FUNCPTR(vf_infer_sink_event);
  bt_class->generate_output = GST_DEBUG_FUNCPTR(vf_infer_generate_output);
  bt_class->query = GST_DEBUG_FUNCPTR(vf_infer_query);
  bt_class->passthrough_on_same_caps = FALSE;
  bt_class->transform_ip_on_passthrough = FALSE;
  for (guint i = 0; i < N_KEYS; i++)
    if (key_props[i].kind == P_ENUM)
      gst_type_mark_as_plugin_api(key_props[i].enum_type(), 0);
}

static void vf_infer_element_init(VfInferElement *self)
{
  gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
  self->items = g_array_new(FALSE, FALSE, sizeof(Item));
  self->results = g_array_new(FALSE, FALSE, sizeof(VfInferResult));
  g_mutex_init(&self->stage_lock);
  g_cond_init(&self->stage_cond);
  g_queue_init(&self->tasks);
  self->stage_flow = GST_FLOW_OK;
  GObjectClass *klass = G_OBJECT_GET_CLASS(self);
  for (guint i = 0; i < N_KEYS; i++) {
    GParamSpec *p = g_object_class_find_property(klass, key_props[i].key);
    g_value_init(&self->values[i], G_PARAM_SPEC_VALUE_TYPE(p));
    g_param_value_set_default(p, &self->values[i]);
  }
}
