/* vidflow infer: the vfinfer configuration (a YAML file; element properties override it).
 *
 * The file is one flat mapping of key: value. Keys are the element's property names
 * (kebab-case; '_' is accepted for '-'), so a property overrides the key of the same name.
 * Relative paths in the file are resolved against the file's directory; relative paths given as
 * overrides, against the working directory. Every key, its default and meaning: configs/README.md.
 *
 *   model: ../data/models/ssd_mobilenet_v2_oid.onnx
 *   parser: ssd
 *   input-layout: NHWC
 *   scale: 0.0078431372549    # value = (pixel * scale - mean[c]) / std[c]
 *   mean: [1, 1, 1]
 *   class-thresholds: {Person: 0.4, Car: 0.6}
 *
 * Errors name the file, the line and the key: "detector.yaml:7: unknown key 'treshold' (did you
 * mean 'threshold'?)". Threads: a config is not locked; build it on one thread, then share it
 * read-only. */
#pragma once

#include <vidflow/error.h>

G_BEGIN_DECLS

typedef enum { VF_INFER_LAYOUT_NCHW = 0, VF_INFER_LAYOUT_NHWC } VfInferLayout;
typedef enum { VF_INFER_COLOR_RGB = 0, VF_INFER_COLOR_BGR, VF_INFER_COLOR_GRAY } VfInferColorOrder;
typedef enum { VF_INFER_SCALING_STRETCH = 0, VF_INFER_SCALING_LETTERBOX } VfInferScaling;
typedef enum { VF_INFER_MODE_PRIMARY = 0, VF_INFER_MODE_SECONDARY } VfInferProcessMode;
typedef enum {
  VF_INFER_ACTIVATION_AUTO = 0, /* the parser's default */
  VF_INFER_ACTIVATION_NONE,
  VF_INFER_ACTIVATION_SIGMOID,
  VF_INFER_ACTIVATION_SOFTMAX,
} VfInferActivation;

/* The built-in parsers' names: "ssd", "blazeface", "yolov5", "yolov8", "classifier". */
extern const char *const vf_infer_builtin_parsers[];

typedef struct {
  char *path; /* (nullable) the config file, NULL for a config built in code */
  char *dir;  /* directory relative paths of the file resolve against */

  /* model and backend */
  char *model;              /* model file (required) */
  char *backend;            /* "onnxruntime" */
  char *execution_provider; /* "cpu" (default) or "cuda" */
  gint device_id;           /* GPU for "cuda" */
  char *ort_library;        /* (nullable) libonnxruntime.so to load (see backend.h) */
  gint threads;             /* intra-op threads, 0: ONNX Runtime's default */
  gint batch_size;          /* frames per inference run (1..64) */

  /* input and preprocessing */
  char *input_name;    /* (nullable) the model input to feed (NULL: its only input) */
  gint input_shape[3]; /* without batch, in input_layout order; all 0: take the model's */
  VfInferLayout input_layout;
  VfInferColorOrder color_order;
  VfInferScaling scaling;
  gdouble pad_value; /* letterbox border, a pixel value (0..255) before normalisation */
  gdouble scale;     /* value = (pixel * scale - mean[c]) / std[c], c in model channel order */
  gdouble mean[3];
  gdouble std[3];

  /* output parsing */
  char *parser;        /* built-in parser name, or a custom parser's name (with custom_lib) */
  char *custom_lib;    /* (nullable) shared library with vf_custom_parser_v1 */
  char *custom_params; /* (nullable) free text handed to the custom parser */
  char **output_names; /* (nullable) NULL-terminated: the outputs the parser reads, in order */
  char *labels_path;   /* (nullable) one label per line */
  char **labels;       /* (nullable) NULL-terminated, loaded by validate */
  guint n_labels;
  gint num_classes;             /* 0: from the model / labels */
  gdouble threshold;            /* default per-class confidence threshold */
  GHashTable *class_thresholds; /* class id (GINT_TO_POINTER) -> gdouble* */
  gdouble nms_iou;              /* 1.0 disables NMS */
  gint top_k;                   /* most detections (or classes) kept per frame */
  VfInferActivation activation;
  gint background_class;       /* -1: none; -2 (not set): the parser's default (ssd: 0) */
  char *anchors;               /* ssd: anchors file, (ycenter, xcenter, h, w) float32 per anchor */
  gdouble box_coder_scales[4]; /* ssd: y, x, h, w (TF FasterRcnnBoxCoder), default 10,10,5,5 */
  gboolean keypoints;          /* blazeface: keep the 6 landmarks */

  /* scheduling and metadata */
  gint interval; /* frames skipped after each inferred frame (0: every frame) */
  gint unique_id;
  VfInferProcessMode process_mode;
  gint operate_on_unique_id;  /* secondary: objects of this upstream vfinfer (-1: any) */
  GArray *operate_on_classes; /* secondary: gint class ids (empty: all) */
  gint min_object_width;      /* secondary: smaller objects are skipped */
  gint min_object_height;
  gint secondary_reinfer_interval;  /* secondary classifier: redo a track's result after this
                                       many frames (0: never by time) */
  gdouble secondary_reinfer_growth; /* ... or when its box area grew by more (0: never) */
  gboolean output_tensor_meta;      /* attach the raw output tensors as user meta */

  /* private: key -> "file:line" where it was set, or "property" */
  GHashTable *origins;
} VfInferConfig;

/* A config with every default and no model (transfer full). */
VfInferConfig *vf_infer_config_new(void);
void vf_infer_config_free(VfInferConfig *config);

/* Parse and validate a YAML file (transfer full), or NULL with *error: VF_ERROR_NOT_FOUND for a
 * missing file (the config, model, labels, anchors or custom-lib), VF_ERROR_VALUE for a bad
 * key or value, VF_ERROR_FORMAT for malformed YAML. */
VfInferConfig *vf_infer_config_load(const char *path, GError **error);
/* The same from text; `name` is used in messages, relative paths resolve against `dir`. */
VfInferConfig *vf_infer_config_load_from_data(const char *yaml, const char *name, const char *dir,
                                              GError **error);
/* Parse only (no file checks); for tools that edit a config before validating it. */
VfInferConfig *vf_infer_config_parse(const char *yaml, const char *name, const char *dir,
                                     GError **error);

/* Override one key by name from a string, as an element property does ("0.6", "NHWC",
 * "[1, 1, 1]" or "1,1,1", "Person=0.4,Car=0.6"). Call validate afterwards. */
gboolean vf_infer_config_set(VfInferConfig *config, const char *key, const char *value,
                             GError **error);
/* Check values and files, (re)load the labels, resolve class-threshold names. */
gboolean vf_infer_config_validate(VfInferConfig *config, GError **error);

/* The threshold of class `class_id` (class-thresholds, else threshold). */
gdouble vf_infer_config_get_threshold(const VfInferConfig *config, gint class_id);
/* (transfer none, nullable) the label of class `class_id`. */
const char *vf_infer_config_get_label(const VfInferConfig *config, gint class_id);
/* Where `key` was set, for messages: "det.yaml:7: labels", "det.yaml: labels" (a default), or
 * "property 'labels'" (transfer full). */
char *vf_infer_config_where(const VfInferConfig *config, const char *key);
/* TRUE when `name` is a key (after '_' -> '-'). */
gboolean vf_infer_config_has_key(const char *name);
/* The keys (transfer none, NULL-terminated). */
const char *const *vf_infer_config_keys(void);

G_END_DECLS
