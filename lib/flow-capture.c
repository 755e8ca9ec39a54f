/* vidflow: the operations that start a flow: capture (a vfurisrcbin per URI), inject (an appsrc
 * per feeder), batch_capture (sources managed by a VfSources over a vfmux, from URIs or a Service
 * Maker source list, so they can be added and removed while the flow runs). */
#include "flow-private.h"
#include "source-list.h"
#include "sources-private.h"
#include "yaml-doc.h"

#include <string.h>

/* capture()'s defaults for rtsp:// sources (flow.h): seconds, attempts in a row */
#define FLOW_RTSP_RECONNECT_INTERVAL "2"
#define FLOW_RTSP_RECONNECT_ATTEMPTS "10"

gboolean vf_flow_build_capture(FlowOp *op, const char *const *uris, const char *base_dir,
                               GError **error)
{
  if (uris == NULL || uris[0] == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "%s(): needs at least one URI", op->op);
    return FALSE;
  }
  if (vf_flow_is_ipc_uri(uris[0]))
    return vf_flow_build_ipc_capture(op, uris, error);
  if (!vf_flow_require(op->op, "vfurisrcbin", "capturing", error))
    return FALSE;
  GPtrArray *resolved = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; uris[i]; i++) {
    char *uri = vf_sources_resolve_uri(op->op, uris[i], base_dir, error);
    if (uri == NULL) {
      g_ptr_array_unref(resolved);
      return FALSE;
    }
    g_ptr_array_add(resolved, uri);
  }
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < resolved->len; i++) {
    const char *uri = resolved->pdata[i];
    char id[16];
    g_snprintf(id, sizeof id, "%u", i);
    gboolean rtsp = g_str_has_prefix(uri, "rtsp");
    /* RTSP: reconnect after a loss, but not forever by default (flow.h) */
    const char *src
        = vf_flow_op_add(op, "vfurisrcbin", "src", (gint)i, error, "uri", uri, "source-id", id,
                         rtsp ? "rtsp-reconnect-interval" : NULL, FLOW_RTSP_RECONNECT_INTERVAL,
                         "rtsp-reconnect-attempts", FLOW_RTSP_RECONNECT_ATTEMPTS, NULL);
    if (src == NULL) {
      ok = FALSE;
      break;
    }
    FlowStream *s = g_new0(FlowStream, 1);
    vf_flow_stream_set(s, src, NULL, VF_COLOR_FORMAT_UNKNOWN, op->op);
    g_ptr_array_add(op->flow->streams, s);
  }
  g_ptr_array_unref(resolved);
  return ok;
}

VfFlow *vf_flow_capture_v(VfFlow *flow, const char *const *uris, const char *base_dir,
                          const char *const *props, GError **error)
{
  FlowOp op;
  GError *err = NULL;
  if (!vf_flow_op_begin(&op, flow, "capture", FLOW_OP_STARTS, error))
    return NULL;
  if (!vf_flow_build_capture(&op, uris, base_dir, &err)
      || !vf_flow_op_apply_overrides(&op, props, NULL, &err))
    return vf_flow_op_fail(&op, error, err);
  return vf_flow_op_end(&op);
}

VfFlow *vf_flow_inject_v(VfFlow *flow, VfFeeder *const *feeders, const char *const *props,
                         GError **error)
{
  FlowOp op;
  GError *err = NULL;
  guint n = 0;
  while (feeders && feeders[n])
    n++;
  if (!vf_flow_op_begin(&op, flow, "inject", FLOW_OP_STARTS, error)) {
    for (guint i = 0; i < n; i++)
      vf_feeder_free(feeders[i]);
    return NULL;
  }
  VfPipeline *p = op.flow->root->pipeline;
  guint taken = 0; /* feeders handed to the pipeline */
  const char **srcs = g_new0(const char *, n + 1);
  if (n == 0)
    err = g_error_new(VF_ERROR, VF_ERROR_ARGUMENT, "inject(): needs at least one provider");
  for (guint i = 0; err == NULL && i < n; i++) {
    srcs[i] = vf_flow_op_add(&op, "appsrc", "src", (gint)i, &err, "format", "time", NULL);
  }
  /* Overrides first: the feeder reads the appsrc's caps, format and do-timestamp when bound. */
  if (err == NULL)
    vf_flow_op_apply_overrides(&op, props, NULL, &err);
  for (guint i = 0; err == NULL && i < n; i++) {
    taken++;
    if (!vf_pipeline_attach_feeder(p, srcs[i], feeders[i], "need-data/enough-data", &err)) {
      g_prefix_error(&err, "inject(): ");
      break;
    }
    GstCaps *caps = NULL;
    g_object_get(vf_pipeline_get_element(p, srcs[i]), "caps", &caps, NULL);
    VfColorFormat format = caps ? vf_color_format_from_caps(caps) : VF_COLOR_FORMAT_UNKNOWN;
    gst_clear_caps(&caps);
    FlowStream *s = g_new0(FlowStream, 1);
    vf_flow_stream_set(s, srcs[i], NULL,
                       vf_color_format_is_encoded(format) ? format : VF_COLOR_FORMAT_UNKNOWN,
                       "inject");
    g_ptr_array_add(op.flow->streams, s);
  }
  for (guint i = taken; i < n; i++)
    vf_feeder_free(feeders[i]);
  g_free(srcs);
  if (err)
    return vf_flow_op_fail(&op, error, err);
  return vf_flow_op_end(&op);
}

/* ---- batch_capture: DeepStream's nvmultiurisrcbin ---- */

/* Options of batch_capture that are no element's property (nvmultiurisrcbin's names). */
static const char *const batch_capture_options[]
    = { "max-batch-size", "drop-pipeline-eos", "port", "ip-address", "smart-record-config", NULL };

typedef struct {
  GPtrArray *source_props; /* char*, name/value pairs for every source (VfSourcesConfig) */
  GPtrArray *mux_props;    /* char*, name/value pairs for the muxer */
  guint max_batch_size;
  gboolean keep_running, keep_running_set;
} Capture;

static void capture_clear(Capture *c)
{
  g_ptr_array_unref(c->source_props);
  g_ptr_array_unref(c->mux_props);
}

/* Does the element `factory` make have property `name`? (Its class is referenced for the look-up:
 * no element of it may exist yet.) */
static gboolean has_property(const char *factory, const char *name)
{
  GstElementFactory *f = gst_element_factory_find(factory);
  GstPluginFeature *loaded = f ? gst_plugin_feature_load(GST_PLUGIN_FEATURE(f)) : NULL;
  GType type = loaded ? gst_element_factory_get_element_type(GST_ELEMENT_FACTORY(loaded)) : 0;
  gst_clear_object(&loaded);
  gst_clear_object(&f);
  if (type == 0)
    return FALSE;
  GObjectClass *klass = g_type_class_ref(type);
  gboolean found = g_object_class_find_property(klass, name) != NULL;
  g_type_class_unref(klass);
  return found;
}

static void add_pair(GPtrArray *to, const char *key, const char *value)
{
  char *k = g_strdup(key);
  g_strdelimit(k, "_", '-');
  g_ptr_array_add(to, k);
  g_ptr_array_add(to, g_strdup(value));
}

/* A source-config or smart_record_config property: on the muxer when it has it, else on the
 * sources; FALSE when neither has it. */
static gboolean route_property(Capture *c, const char *key, const char *value)
{
  char *k = g_strdup(key);
  g_strdelimit(k, "_", '-');
  gboolean found = TRUE;
  if (g_str_equal(k, "max-batch-size")) {
    guint64 n = 0;
    if (g_ascii_string_to_unsigned(value, 10, 0, 1024, &n, NULL))
      c->max_batch_size = (guint)n;
    else
      found = FALSE;
  } else if (g_str_equal(k, "drop-pipeline-eos")) {
    c->keep_running = g_ascii_strcasecmp(value, "true") == 0 || g_str_equal(value, "1")
                      || g_ascii_strcasecmp(value, "yes") == 0;
    c->keep_running_set = TRUE;
  } else if (has_property("vfmux", k)) {
    add_pair(c->mux_props, k, value);
  } else if (has_property("vfurisrcbin", k)) {
    add_pair(c->source_props, k, value);
  } else {
    found = FALSE;
  }
  g_free(k);
  return found;
}

/* The overrides of batch_capture: the sources' properties go to every source (those added later
 * too), the options are read; the rest is applied to the muxer by vf_flow_op_apply_overrides. */
static gboolean read_overrides(FlowOp *op, Capture *c, const char *const *props, GError **error)
{
  for (guint i = 0; props && props[i]; i += 2) {
    if (props[i + 1] == NULL)
      break; /* vf_flow_op_apply_overrides says so */
    char *k = g_strdup(props[i]);
    g_strdelimit(k, "_", '-');
    if (g_str_equal(k, "max-batch-size") || g_str_equal(k, "drop-pipeline-eos")) {
      if (!route_property(c, k, props[i + 1])) {
        g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                    "%s(): max_batch_size must be a whole number from 0 to 1024, not '%s'", op->op,
                    props[i + 1]);
        g_free(k);
        return FALSE;
      }
    } else if (has_property("vfurisrcbin", k)) {
      add_pair(c->source_props, k, props[i + 1]);
    }
    g_free(k);
  }
  return TRUE;
}

/* DeepStream's SmartRecordConfig as a YAML file: smart_rec_* keys for every source (recording
 * turned on); the message-broker keys (cloud events) are not taken. */
static gboolean read_smart_record_config(FlowOp *op, Capture *c, const char *path,
                                         const char *base_dir, GError **error)
{
  char *abs = g_canonicalize_filename(path, base_dir);
  VfYamlDoc *doc = vf_yaml_doc_load(abs, error);
  g_free(abs);
  if (doc == NULL) {
    g_prefix_error(error, "%s(): smart_record_config: ", op->op);
    return FALSE;
  }
  yaml_node_t *root = vf_yaml_root(doc);
  gboolean ok = TRUE, mode_set = FALSE;
  if (root == NULL || root->type != YAML_MAPPING_NODE) {
    vf_yaml_error(error, doc, root, VF_ERROR_VALUE,
                  "a smart record config is a mapping: {smart_rec_cache: 20, "
                  "smart_rec_dir_path: ., ...}");
    ok = FALSE;
  }
  if (ok)
    VF_YAML_FOREACH_PAIR(root, pair)
    {
      const char *key = vf_yaml_scalar(vf_yaml_node(doc, pair->key));
      yaml_node_t *vn = vf_yaml_node(doc, pair->value);
      char *value = vf_yaml_text(vn);
      char *k = g_strdup(key ? key : "");
      g_strdelimit(k, "_", '-');
      if (value == NULL) {
        vf_yaml_error(error, doc, vn, VF_ERROR_VALUE, "'%s' must be a single value", k);
        ok = FALSE;
      } else if (g_str_equal(k, "proto-lib") || g_str_equal(k, "conn-str")
                 || g_str_equal(k, "msgconv-config-file") || g_str_equal(k, "proto-config-file")
                 || g_str_equal(k, "topic-list")) {
        g_message("%s(): %s: '%s': recordings started by messages from a broker are not "
                  "supported (start them with the C API, REST or a probe): ignored",
                  op->op, doc->path, key);
      } else if (g_str_equal(k, "smart-rec-mode")) {
        if (!g_str_equal(value, "0") && !g_str_equal(value, "1")) {
          vf_yaml_error(error, doc, vn, VF_ERROR_UNSUPPORTED,
                        "smart_rec_mode %s: vidflow records video only (0 or 1)", value);
          ok = FALSE;
        }
      } else if (g_str_equal(k, "smart-record") || g_str_has_prefix(k, "smart-rec-")) {
        char *v = g_str_has_suffix(k, "-path") ? vf_yaml_resolve_path(doc, value) : g_strdup(value);
        mode_set |= g_str_equal(k, "smart-record");
        add_pair(c->source_props, k, v);
        g_free(v);
      } else {
        vf_yaml_error(error, doc, vn, VF_ERROR_PROPERTY,
                      "unknown smart record key '%s' (smart_rec_cache, smart_rec_container, "
                      "smart_rec_dir_path, smart_rec_file_prefix, smart_rec_default_duration, "
                      "smart_rec_mode)",
                      key);
        ok = FALSE;
      }
      g_free(k);
      g_free(value);
      if (!ok)
        break;
    }
  if (ok && !mode_set)
    add_pair(c->source_props, "smart-record", "1");
  vf_yaml_doc_free(doc);
  return ok;
}

/* The muxer, the VfSources over it and the first sources: `uris` resolved already; ids and names
 * (nullable arrays, NULL entries: the index, none). */
static gboolean build_batch_capture(FlowOp *op, const char *const *uris,
                                    const char *const *sensor_ids, const char *const *sensor_names,
                                    const char *const *props, const char *base_dir, Capture *c,
                                    GError **error)
{
  VfFlow *f = op->flow;
  VfPipeline *p = f->root->pipeline;
  const char *sr_config = vf_flow_props_get(props, "smart_record_config");
  const char *port = vf_flow_props_get(props, "port");
  const char *address = vf_flow_props_get(props, "ip_address");
  if (!read_overrides(op, c, props, error)
      || (sr_config && !read_smart_record_config(op, c, sr_config, base_dir, error))
      || !vf_flow_require(op->op, "vfurisrcbin", "capturing", error)
      || !vf_flow_require(op->op, "vfmux", "batching", error))
    return FALSE;
  guint64 rest_port = 0;
  if (port && !g_ascii_string_to_unsigned(port, 10, 0, 65535, &rest_port, NULL)) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "%s(): port (of the REST server) must be 0 to 65535 (0: any free port), not '%s'",
                op->op, port);
    return FALSE;
  }
  char size[16], w[16], h[16];
  g_snprintf(size, sizeof size, "%u", c->max_batch_size); /* 0: follows the sources */
  g_snprintf(w, sizeof w, "%u", VF_BATCH_DEFAULT_WIDTH);
  g_snprintf(h, sizeof h, "%u", VF_BATCH_DEFAULT_HEIGHT);
  const char *mux = vf_flow_op_add(op, "vfmux", "mux", -1, error, "batch-size", size, "width", w,
                                   "height", h, NULL);
  if (mux == NULL)
    return FALSE;
  GstElement *m = vf_pipeline_get_element(p, mux);
  const char *const *mp = (const char *const *)c->mux_props->pdata;
  for (guint i = 0; i + 1 < c->mux_props->len; i += 2)
    if (!vf_set_property_from_string(m, mp[i], mp[i + 1], error)) {
      g_prefix_error(error, "%s(): source-config: ", op->op);
      return FALSE;
    }
  g_ptr_array_add(c->source_props, NULL);
  char *prefix = g_strdup_printf("%s-src", op->name);
  VfSourcesConfig cfg = {
    .max_sources = c->max_batch_size,
    /* a pipeline controlled over REST waits for sources when it has none */
    .keep_running = c->keep_running_set ? c->keep_running : port != NULL,
    .source_properties = (const char *const *)c->source_props->pdata,
    .name_prefix = prefix,
  };
  VfSources *sources = vf_pipeline_attach_sources(p, mux, &cfg, error);
  g_free(prefix);
  if (sources == NULL) {
    g_prefix_error(error, "%s(): ", op->op);
    return FALSE;
  }
  for (guint i = 0; uris[i]; i++) {
    char index[16];
    g_snprintf(index, sizeof index, "%u", i);
    const char *id = sensor_ids && sensor_ids[i] ? sensor_ids[i] : index;
    guint source_id;
    if (!vf_sources_add(sources, uris[i], id, sensor_names ? sensor_names[i] : NULL, &source_id,
                        error)) {
      g_prefix_error(error, "%s(): ", op->op);
      return FALSE;
    }
    g_ptr_array_add(op->elements, g_strdup_printf("%s-src%u", op->name, source_id));
  }
  if (port)
    vf_flow_set_rest(f, address, (guint)rest_port);
  vf_flow_set_single_stream(f, mux, NULL, op->op);
  f->batched = TRUE;
  return TRUE;
}

static VfFlow *batch_capture(VfFlow *flow, const char *const *uris, const char *const *ids,
                             const char *const *names, VfSourceList *list, const char *base_dir,
                             const char *const *props, GError **error)
{
  FlowOp op;
  GError *err = NULL;
  if (!vf_flow_op_begin(&op, flow, "batch_capture", FLOW_OP_STARTS, error))
    return NULL;
  Capture c = { .source_props = g_ptr_array_new_with_free_func(g_free),
                .mux_props = g_ptr_array_new_with_free_func(g_free) };
  GPtrArray *resolved = g_ptr_array_new_with_free_func(g_free);
  if (uris == NULL || uris[0] == NULL)
    err = g_error_new(VF_ERROR, VF_ERROR_ARGUMENT, "batch_capture(): needs at least one URI");
  for (guint i = 0; err == NULL && uris[i]; i++) {
    char *uri = vf_sources_resolve_uri(op.op, uris[i], base_dir, &err);
    if (uri)
      g_ptr_array_add(resolved, uri);
  }
  g_ptr_array_add(resolved, NULL);
  /* source-config properties: the muxer's, else the sources'; the others are reported */
  const char *const *kv = list ? (const char *const *)list->properties->pdata : NULL;
  for (guint i = 0; err == NULL && kv && kv[i]; i += 2)
    if (!route_property(&c, kv[i], kv[i + 1]))
      g_message("batch_capture(): %s: source-config property '%s' has no equivalent in vidflow: "
                "ignored",
                list->path, kv[i]);
  gboolean ok = err == NULL
                && build_batch_capture(&op, (const char *const *)resolved->pdata, ids, names, props,
                                       base_dir, &c, &err)
                && vf_flow_op_apply_overrides(&op, props, batch_capture_options, &err);
  g_ptr_array_unref(resolved);
  capture_clear(&c);
  if (!ok)
    return vf_flow_op_fail(&op, error, err);
  return vf_flow_op_end(&op);
}

VfFlow *vf_flow_batch_capture_v(VfFlow *flow, const char *const *uris, const char *base_dir,
                                const char *const *props, GError **error)
{
  return batch_capture(flow, uris, NULL, NULL, NULL, base_dir, props, error);
}

VfFlow *vf_flow_batch_capture_file_v(VfFlow *flow, const char *path, const char *const *props,
                                     GError **error)
{
  GError *err = NULL;
  VfSourceList *list = path ? vf_source_list_load(path, &err) : NULL;
  if (path == NULL)
    err = g_error_new(VF_ERROR, VF_ERROR_ARGUMENT, "batch_capture(): no source list file given");
  if (err) {
    g_prefix_error(&err, "batch_capture(): ");
    FlowOp op;
    if (!vf_flow_op_begin(&op, flow, "batch_capture", FLOW_OP_STARTS, error)) {
      g_error_free(err);
      return NULL;
    }
    return vf_flow_op_fail(&op, error, err);
  }
  g_ptr_array_add(list->uris, NULL);
  char *dir = g_path_get_dirname(list->path);
  VfFlow *out = batch_capture(
      flow, (const char *const *)list->uris->pdata, (const char *const *)list->sensor_ids->pdata,
      (const char *const *)list->sensor_names->pdata, list, dir, props, error);
  g_free(dir);
  vf_source_list_free(list);
  return out;
}
