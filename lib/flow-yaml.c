/* vidflow: flow descriptions in YAML (see vidflow/yaml.h): each item of `flow:` is one Flow
 * operation with its arguments; errors point at the item's line. */
#include <vidflow/plugin.h>
#include <vidflow/yaml.h>

#include "error-private.h"
#include "flow-private.h"
#include "short-text.h"
#include "yaml-doc.h"

#include <string.h>

typedef struct {
  VfYamlDoc *doc;
} Ctx;

static const char *const op_names[]
    = { "capture", "inject", "batch_capture", "decode", "batch",  "infer",   "track",
        "attach",  "fork",   "retrieve",      "render", "encode", "publish", NULL };

/* ---- argument helpers ---- */

/* Name/value pairs of a mapping's scalar entries, leaving out `reserved` keys (NULL-terminated
 * pdata; free with g_ptr_array_unref). */
static GPtrArray *pairs(Ctx *ctx, yaml_node_t *map, const char *const *reserved, GError **error)
{
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  if (map && map->type == YAML_MAPPING_NODE) {
    VF_YAML_FOREACH_PAIR(map, pair)
    {
      yaml_node_t *k = vf_yaml_node(ctx->doc, pair->key);
      yaml_node_t *v = vf_yaml_node(ctx->doc, pair->value);
      const char *key = vf_yaml_scalar(k);
      gboolean skip = FALSE;
      for (guint i = 0; key && reserved && reserved[i]; i++) {
        char *a = g_strdup(key), *b = g_strdup(reserved[i]);
        g_strdelimit(a, "_", '-');
        g_strdelimit(b, "_", '-');
        skip = skip || g_str_equal(a, b);
        g_free(a);
        g_free(b);
      }
      if (skip)
        continue;
      char *value = vf_yaml_text(v);
      if (key == NULL || value == NULL) {
        vf_yaml_error(error, ctx->doc, v, VF_ERROR_VALUE,
                      "'%s' must be a single value (a name: value option)", key ? key : "?");
        g_free(value);
        g_ptr_array_unref(out);
        return NULL;
      }
      if (vf_yaml_is_path_key(key) && *value) {
        char *resolved = vf_yaml_resolve_path(ctx->doc, value);
        g_free(value);
        value = resolved;
      }
      g_ptr_array_add(out, g_strdup(key));
      g_ptr_array_add(out, value);
    }
  }
  g_ptr_array_add(out, NULL);
  return out;
}

/* A list of strings from a sequence or a single scalar (NULL-terminated pdata). */
static GPtrArray *strings(Ctx *ctx, yaml_node_t *node, const char *what, GError **error)
{
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  if (node && node->type == YAML_SCALAR_NODE && !vf_yaml_is_null(node)) {
    g_ptr_array_add(out, vf_yaml_text(node));
  } else if (node && node->type == YAML_SEQUENCE_NODE) {
    VF_YAML_FOREACH_ITEM(node, item)
    {
      yaml_node_t *n = vf_yaml_node(ctx->doc, *item);
      char *s = vf_yaml_text(n);
      if (s == NULL) {
        vf_yaml_error(error, ctx->doc, n, VF_ERROR_VALUE, "each %s must be a single value", what);
        g_ptr_array_unref(out);
        return NULL;
      }
      g_ptr_array_add(out, s);
    }
  }
  if (out->len == 0) {
    vf_yaml_error(error, ctx->doc, node, VF_ERROR_VALUE, "needs at least one %s", what);
    g_ptr_array_unref(out);
    return NULL;
  }
  g_ptr_array_add(out, NULL);
  return out;
}

static gboolean uint_arg(Ctx *ctx, yaml_node_t *map, const char *key, guint *out, GError **error)
{
  yaml_node_t *v = vf_yaml_get(ctx->doc, map, key);
  if (v == NULL || vf_yaml_is_null(v))
    return TRUE;
  char *text = vf_yaml_text(v);
  guint64 n = 0;
  gboolean ok = text && g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT, &n, NULL);
  if (!ok)
    vf_yaml_error(error, ctx->doc, v, VF_ERROR_VALUE,
                  "'%s' must be a whole number, not '" VF_SHORT_FMT "'", key,
                  VF_SHORT(text ? text : "a list"));
  else
    *out = (guint)n;
  g_free(text);
  return ok;
}

static char *str_arg(Ctx *ctx, yaml_node_t *map, const char *key)
{
  return vf_yaml_text(vf_yaml_get(ctx->doc, map, key));
}

#define PDATA(a) ((const char *const *)(a)->pdata)

/* ---- operations ---- */

static VfFlow *apply_list(Ctx *ctx, VfFlow *flow, yaml_node_t *list, GError **error);

/* A custom object spec: "plugin.object" or {use: plugin.object, name: x, params...}. */
static gboolean object_spec(Ctx *ctx, yaml_node_t *node, char **type, char **name,
                            GPtrArray **params, GError **error)
{
  static const char *const reserved[] = { "use", "type", "what", "name", NULL };
  *name = NULL;
  *params = NULL;
  if (node && node->type == YAML_SCALAR_NODE && !vf_yaml_is_null(node)) {
    *type = vf_yaml_text(node);
    *params = pairs(ctx, NULL, NULL, error);
    return TRUE;
  }
  if (node == NULL || node->type != YAML_MAPPING_NODE) {
    vf_yaml_error(error, ctx->doc, node, VF_ERROR_VALUE,
                  "needs a custom object: a name such as sample.counter, or {use: name, "
                  "parameter: value, ...}");
    return FALSE;
  }
  *type = str_arg(ctx, node, "use");
  if (*type == NULL)
    *type = str_arg(ctx, node, "type");
  if (*type == NULL)
    *type = str_arg(ctx, node, "what");
  if (*type == NULL) {
    vf_yaml_error(error, ctx->doc, node, VF_ERROR_VALUE,
                  "names no custom object: add 'use: plugin.object'");
    return FALSE;
  }
  *name = str_arg(ctx, node, "name");
  *params = pairs(ctx, node, reserved, error);
  if (*params == NULL) {
    g_clear_pointer(type, g_free);
    g_clear_pointer(name, g_free);
    return FALSE;
  }
  return TRUE;
}

static VfFlow *op_capture(Ctx *ctx, VfFlow *flow, yaml_node_t *args, gboolean batched,
                          GError **error)
{
  static const char *const reserved[] = { "uris", "uri", "source-list", NULL };
  yaml_node_t *list = args;
  char *source_list = NULL;
  if (args && args->type == YAML_MAPPING_NODE) {
    list = vf_yaml_get(ctx->doc, args, "uris");
    if (list == NULL)
      list = vf_yaml_get(ctx->doc, args, "uri");
    source_list = batched ? str_arg(ctx, args, "source-list") : NULL;
  } else if (batched && args && args->type == YAML_SCALAR_NODE) {
    char *text = vf_yaml_text(args);
    if (g_str_has_suffix(text, ".yaml") || g_str_has_suffix(text, ".yml"))
      source_list = text;
    else
      g_free(text);
  }
  GPtrArray *props
      = pairs(ctx, args && args->type == YAML_MAPPING_NODE ? args : NULL, reserved, error);
  if (props == NULL) {
    g_free(source_list);
    return NULL;
  }
  VfFlow *out = NULL;
  if (source_list) {
    char *path = vf_yaml_resolve_path(ctx->doc, source_list);
    out = vf_flow_batch_capture_file_v(flow, path, PDATA(props), error);
    g_free(path);
  } else {
    GPtrArray *uris = strings(ctx, list ? list : args, "URI", error);
    if (uris)
      out = batched ? vf_flow_batch_capture_v(flow, PDATA(uris), ctx->doc->dir, PDATA(props), error)
                    : vf_flow_capture_v(flow, PDATA(uris), ctx->doc->dir, PDATA(props), error);
    if (uris)
      g_ptr_array_unref(uris);
  }
  g_free(source_list);
  g_ptr_array_unref(props);
  return out;
}

static VfFlow *op_inject(Ctx *ctx, VfFlow *flow, yaml_node_t *args, GError **error)
{
  yaml_node_t *list = args;
  GPtrArray *props = NULL;
  if (args && args->type == YAML_MAPPING_NODE && vf_yaml_get(ctx->doc, args, "providers")) {
    static const char *const reserved[] = { "providers", NULL };
    list = vf_yaml_get(ctx->doc, args, "providers");
    props = pairs(ctx, args, reserved, error);
  } else {
    props = pairs(ctx, NULL, NULL, error);
  }
  if (props == NULL)
    return NULL;
  GPtrArray *feeders = g_ptr_array_new();
  gboolean ok = TRUE;
  if (list && list->type == YAML_SEQUENCE_NODE) {
    VF_YAML_FOREACH_ITEM(list, item)
    {
      char *type, *name;
      GPtrArray *params;
      yaml_node_t *n = vf_yaml_node(ctx->doc, *item);
      ok = object_spec(ctx, n, &type, &name, &params, error);
      if (!ok)
        break;
      VfFeeder *feeder = vf_custom_feeder_new(type, name, PDATA(params), error);
      g_free(type);
      g_free(name);
      g_ptr_array_unref(params);
      if (feeder == NULL) {
        vf_yaml_prefix(error, ctx->doc, n);
        ok = FALSE;
        break;
      }
      g_ptr_array_add(feeders, feeder);
    }
  } else {
    vf_yaml_error(error, ctx->doc, args, VF_ERROR_VALUE,
                  "inject needs a list of providers: [{use: plugin.provider, ...}]");
    ok = FALSE;
  }
  VfFlow *out = NULL;
  if (ok) {
    g_ptr_array_add(feeders, NULL);
    out = vf_flow_inject_v(flow, (VfFeeder *const *)feeders->pdata, PDATA(props), error);
  } else {
    for (guint i = 0; i < feeders->len; i++)
      vf_feeder_free(feeders->pdata[i]);
  }
  g_ptr_array_unref(feeders);
  g_ptr_array_unref(props);
  return out;
}

static gboolean parse_mode(const char *text, VfRenderMode *mode)
{
  if (text == NULL || !g_ascii_strcasecmp(text, "display"))
    *mode = VF_RENDER_DISPLAY;
  else if (!g_ascii_strcasecmp(text, "discard"))
    *mode = VF_RENDER_DISCARD;
  else if (!g_ascii_strcasecmp(text, "stream"))
    *mode = VF_RENDER_STREAM;
  else
    return FALSE;
  return TRUE;
}

static VfFlow *op_render(Ctx *ctx, VfFlow *flow, yaml_node_t *args, GError **error)
{
  static const char *const reserved[] = { "mode", NULL };
  yaml_node_t *mode_node
      = args && args->type == YAML_MAPPING_NODE ? vf_yaml_get(ctx->doc, args, "mode") : args;
  if (!vf_yaml_is_null(mode_node) && mode_node->type != YAML_SCALAR_NODE) {
    vf_yaml_error(error, ctx->doc, mode_node, VF_ERROR_VALUE,
                  "render takes one mode, not a %s: write 'render: discard' (or display, stream), "
                  "or {mode: discard, ...overrides}",
                  mode_node->type == YAML_SEQUENCE_NODE ? "list" : "mapping");
    return NULL;
  }
  char *text = vf_yaml_is_null(mode_node) ? NULL : vf_yaml_text(mode_node);
  VfRenderMode mode;
  if (!parse_mode(text, &mode)) {
    vf_yaml_error(error, ctx->doc, mode_node, VF_ERROR_VALUE,
                  "unknown render mode '" VF_SHORT_FMT "': use display, discard or stream",
                  VF_SHORT(text));
    g_free(text);
    return NULL;
  }
  g_free(text);
  GPtrArray *props
      = pairs(ctx, args && args->type == YAML_MAPPING_NODE ? args : NULL, reserved, error);
  if (props == NULL)
    return NULL;
  VfFlow *out = vf_flow_render_v(flow, mode, PDATA(props), error);
  g_ptr_array_unref(props);
  return out;
}

static VfFlow *op_encode(Ctx *ctx, VfFlow *flow, yaml_node_t *args, GError **error)
{
  static const char *const reserved[] = { "uri", "profile", "bitrate", "iframeinterval", NULL };
  gboolean map = args && args->type == YAML_MAPPING_NODE;
  char *uri = map ? str_arg(ctx, args, "uri") : vf_yaml_text(args);
  guint profile = 0, bitrate = 0, iframe = 0;
  if (map
      && (!uint_arg(ctx, args, "profile", &profile, error)
          || !uint_arg(ctx, args, "bitrate", &bitrate, error)
          || !uint_arg(ctx, args, "iframeinterval", &iframe, error))) {
    g_free(uri);
    return NULL;
  }
  if (uri && !g_str_has_prefix(uri, "rtsp://")) {
    char *resolved = vf_yaml_resolve_path(ctx->doc, uri);
    g_free(uri);
    uri = resolved;
  }
  GPtrArray *props = pairs(ctx, map ? args : NULL, reserved, error);
  VfFlow *out = props ? vf_flow_encode_v(flow, uri, (VfEncodeProfile)profile, bitrate, iframe,
                                         PDATA(props), error)
                      : NULL;
  if (props)
    g_ptr_array_unref(props);
  g_free(uri);
  return out;
}

/* publish: {msg-broker-proto-lib, msg-broker-conn-str, topic, msg-conv-config, overrides...};
 * a bare scalar is the conn-str. */
static VfFlow *op_publish(Ctx *ctx, VfFlow *flow, yaml_node_t *args, GError **error)
{
  static const char *const reserved[]
      = { "msg-broker-proto-lib", "msg-broker-conn-str", "topic", "msg-conv-config", NULL };
  gboolean map = args && args->type == YAML_MAPPING_NODE;
  char *lib = map ? str_arg(ctx, args, "msg-broker-proto-lib") : NULL;
  char *conn = map ? str_arg(ctx, args, "msg-broker-conn-str") : vf_yaml_text(args);
  char *topic = map ? str_arg(ctx, args, "topic") : NULL;
  char *config = map ? str_arg(ctx, args, "msg-conv-config") : NULL;
  char *config_path = config && *config ? vf_yaml_resolve_path(ctx->doc, config) : NULL;
  if (lib && (g_str_has_prefix(lib, "./") || g_str_has_prefix(lib, "../"))) {
    char *resolved = vf_yaml_resolve_path(ctx->doc, lib); /* an adapter library next to the file */
    g_free(lib);
    lib = resolved;
  }
  GPtrArray *props = pairs(ctx, map ? args : NULL, reserved, error);
  VfFlow *out
      = props ? vf_flow_publish_v(flow, lib, conn, topic, config_path, PDATA(props), error) : NULL;
  if (props)
    g_ptr_array_unref(props);
  g_free(lib);
  g_free(conn);
  g_free(topic);
  g_free(config);
  g_free(config_path);
  return out;
}

static VfFlow *op_batch(Ctx *ctx, VfFlow *flow, yaml_node_t *args, GError **error)
{
  static const char *const reserved[] = { "batch-size", "width", "height", NULL };
  guint size = 0, w = 0, h = 0;
  if (!uint_arg(ctx, args, "batch-size", &size, error) || !uint_arg(ctx, args, "width", &w, error)
      || !uint_arg(ctx, args, "height", &h, error))
    return NULL;
  GPtrArray *props = pairs(ctx, args, reserved, error);
  if (props == NULL)
    return NULL;
  VfFlow *out = vf_flow_batch_v(flow, size, w, h, PDATA(props), error);
  g_ptr_array_unref(props);
  return out;
}

static VfFlow *op_infer(Ctx *ctx, VfFlow *flow, yaml_node_t *args, GError **error)
{
  static const char *const reserved[] = { "config", NULL };
  gboolean map = args && args->type == YAML_MAPPING_NODE;
  char *config = map ? str_arg(ctx, args, "config") : vf_yaml_text(args);
  char *path = vf_yaml_resolve_path(ctx->doc, config);
  GPtrArray *props = pairs(ctx, map ? args : NULL, reserved, error);
  VfFlow *out = props ? vf_flow_infer_v(flow, path, PDATA(props), error) : NULL;
  if (props)
    g_ptr_array_unref(props);
  g_free(config);
  g_free(path);
  return out;
}

/* track, track: CONFIG.yaml, or track: {ll-config-file: ..., ll-lib-file: ..., overrides} */
static VfFlow *op_track(Ctx *ctx, VfFlow *flow, yaml_node_t *args, GError **error)
{
  static const char *const reserved[] = { "ll-config-file", "ll-lib-file", NULL };
  gboolean map = args && args->type == YAML_MAPPING_NODE;
  if (args && !map && args->type != YAML_SCALAR_NODE) {
    vf_yaml_error(error, ctx->doc, args, VF_ERROR_VALUE,
                  "track takes a tracker config file, or {ll-config-file: ..., ll-lib-file: ..., "
                  "property: value}");
    return NULL;
  }
  char *config = map                     ? str_arg(ctx, args, "ll-config-file")
                 : vf_yaml_is_null(args) ? NULL
                                         : vf_yaml_text(args);
  char *lib = map ? str_arg(ctx, args, "ll-lib-file") : NULL;
  char *config_path = config ? vf_yaml_resolve_path(ctx->doc, config) : NULL;
  char *lib_path = lib ? vf_yaml_resolve_path(ctx->doc, lib) : NULL;
  GPtrArray *props = pairs(ctx, map ? args : NULL, reserved, error);
  VfFlow *out = props ? vf_flow_track_v(flow, config_path, lib_path, PDATA(props), error) : NULL;
  if (props)
    g_ptr_array_unref(props);
  g_free(config);
  g_free(lib);
  g_free(config_path);
  g_free(lib_path);
  return out;
}

static VfFlow *op_object(Ctx *ctx, VfFlow *flow, yaml_node_t *args, gboolean probe, GError **error)
{
  char *type, *name;
  GPtrArray *params;
  if (!object_spec(ctx, args, &type, &name, &params, error))
    return NULL;
  VfFlow *out = probe ? vf_flow_attach_named_v(flow, type, name, PDATA(params), error)
                      : vf_flow_retrieve_named_v(flow, type, name, PDATA(params), error);
  g_free(type);
  g_free(name);
  g_ptr_array_unref(params);
  return out;
}

static VfFlow *op_simple(Ctx *ctx, VfFlow *flow, yaml_node_t *args, gboolean fork, GError **error)
{
  static const char *const reserved[] = { "branches", NULL };
  yaml_node_t *branches = NULL;
  yaml_node_t *map = NULL;
  if (fork && args && args->type == YAML_SEQUENCE_NODE)
    branches = args;
  else if (args && args->type == YAML_MAPPING_NODE) {
    map = args;
    branches = fork ? vf_yaml_get(ctx->doc, args, "branches") : NULL;
  } else if (!vf_yaml_is_null(args)) {
    vf_yaml_error(error, ctx->doc, args, VF_ERROR_VALUE,
                  fork ? "fork takes a list of branches, each a list of operations"
                       : "decode takes only overrides (name: value)");
    return NULL;
  }
  GPtrArray *props = pairs(ctx, map, reserved, error);
  if (props == NULL)
    return NULL;
  VfFlow *out = fork ? vf_flow_fork_v(flow, PDATA(props), error)
                     : vf_flow_decode_v(flow, PDATA(props), error);
  g_ptr_array_unref(props);
  if (!fork || out == NULL || branches == NULL)
    return out;
  if (branches->type != YAML_SEQUENCE_NODE) {
    vf_yaml_error(error, ctx->doc, branches, VF_ERROR_VALUE,
                  "fork's branches must be a list, each a list of operations");
    return NULL;
  }
  VF_YAML_FOREACH_ITEM(branches, item)
  {
    yaml_node_t *branch = vf_yaml_node(ctx->doc, *item);
    if (apply_list(ctx, out, branch, error) == NULL)
      return NULL;
  }
  return out;
}

static VfFlow *apply_op(Ctx *ctx, VfFlow *flow, yaml_node_t *item, GError **error)
{
  const char *name = NULL;
  yaml_node_t *args = NULL;
  if (item->type == YAML_SCALAR_NODE) {
    name = vf_yaml_scalar(item);
  } else if (item->type == YAML_MAPPING_NODE
             && item->data.mapping.pairs.top - item->data.mapping.pairs.start == 1) {
    name = vf_yaml_scalar(vf_yaml_node(ctx->doc, item->data.mapping.pairs.start->key));
    args = vf_yaml_node(ctx->doc, item->data.mapping.pairs.start->value);
  }
  if (name == NULL) {
    vf_yaml_error(error, ctx->doc, item, VF_ERROR_VALUE,
                  "an operation is 'name: arguments' (one key) or a bare name");
    return NULL;
  }
  char *op = g_strdup(name);
  g_strdelimit(op, "-", '_');
  GError *err = NULL;
  VfFlow *out = NULL;
  if (g_str_equal(op, "capture"))
    out = op_capture(ctx, flow, args, FALSE, &err);
  else if (g_str_equal(op, "batch_capture"))
    out = op_capture(ctx, flow, args, TRUE, &err);
  else if (g_str_equal(op, "inject"))
    out = op_inject(ctx, flow, args, &err);
  else if (g_str_equal(op, "decode"))
    out = op_simple(ctx, flow, args, FALSE, &err);
  else if (g_str_equal(op, "fork"))
    out = op_simple(ctx, flow, args, TRUE, &err);
  else if (g_str_equal(op, "batch"))
    out = op_batch(ctx, flow, args, &err);
  else if (g_str_equal(op, "infer"))
    out = op_infer(ctx, flow, args, &err);
  else if (g_str_equal(op, "track"))
    out = op_track(ctx, flow, args, &err);
  else if (g_str_equal(op, "attach"))
    out = op_object(ctx, flow, args, TRUE, &err);
  else if (g_str_equal(op, "retrieve"))
    out = op_object(ctx, flow, args, FALSE, &err);
  else if (g_str_equal(op, "render"))
    out = op_render(ctx, flow, args, &err);
  else if (g_str_equal(op, "encode"))
    out = op_encode(ctx, flow, args, &err);
  else if (g_str_equal(op, "publish"))
    out = op_publish(ctx, flow, args, &err);
  else {
    char *known = g_strjoinv(", ", (char **)op_names);
    vf_yaml_error(&err, ctx->doc, item, VF_ERROR_VALUE,
                  "unknown operation '" VF_SHORT_FMT "' (operations: %s)", VF_SHORT(name), known);
    g_free(known);
  }
  g_free(op);
  if (out == NULL && err) {
    /* errors from the readers carry their line already */
    if (!g_str_has_prefix(err->message, ctx->doc->path))
      vf_yaml_prefix(&err, ctx->doc, item);
    g_propagate_error(error, err);
  }
  return out;
}

/* A list of operations (or one), each on the flow the previous one returned. */
static VfFlow *apply_list(Ctx *ctx, VfFlow *flow, yaml_node_t *list, GError **error)
{
  if (list->type != YAML_SEQUENCE_NODE)
    return apply_op(ctx, flow, list, error);
  VF_YAML_FOREACH_ITEM(list, item)
  {
    flow = apply_op(ctx, flow, vf_yaml_node(ctx->doc, *item), error);
    if (flow == NULL)
      return NULL;
  }
  return flow;
}

VfFlow *vf_flow_new_from_yaml(const char *path, GError **error)
{
  if (vf_arg_is_null(path, "path", G_STRFUNC, error))
    return NULL;
  VfYamlDoc *doc = vf_yaml_doc_load(path, error);
  if (doc == NULL)
    return NULL;
  Ctx ctx = { doc };
  yaml_node_t *root = vf_yaml_root(doc);
  yaml_node_t *ops = vf_yaml_get(doc, root, "flow");
  VfFlow *flow = NULL;
  if (ops == NULL || ops->type != YAML_SEQUENCE_NODE) {
    vf_yaml_error(error, doc, ops ? ops : root, VF_ERROR_VALUE,
                  "a flow description needs 'flow:' with a list of operations (capture, batch, "
                  "render, ...)");
  } else {
    char *name = str_arg(&ctx, root, "name");
    if (name == NULL) {
      name = g_path_get_basename(path);
      char *dot = strrchr(name, '.');
      if (dot && dot != name)
        *dot = '\0';
    }
    flow = vf_flow_new(vf_pipeline_new(name));
    g_free(name);
    if (apply_list(&ctx, flow, ops, error) == NULL) {
      vf_flow_free(flow);
      flow = NULL;
    }
  }
  vf_yaml_doc_free(doc);
  return flow;
}

gboolean vf_yaml_detect(const char *path, VfYamlKind *kind, GError **error)
{
  if (vf_arg_is_null(path, "path", G_STRFUNC, error)
      || vf_arg_is_null(kind, "kind", G_STRFUNC, error))
    return FALSE;
  VfYamlDoc *doc = vf_yaml_doc_load(path, error);
  if (doc == NULL)
    return FALSE;
  yaml_node_t *root = vf_yaml_root(doc);
  gboolean ok = TRUE;
  if (vf_yaml_get(doc, root, "deepstream"))
    *kind = VF_YAML_GRAPH;
  else if (vf_yaml_get(doc, root, "flow"))
    *kind = VF_YAML_FLOW;
  else {
    vf_yaml_error(error, doc, root, VF_ERROR_VALUE,
                  "neither a pipeline graph ('deepstream:' with nodes and edges) nor a flow "
                  "description ('flow:' with a list of operations)");
    ok = FALSE;
  }
  vf_yaml_doc_free(doc);
  return ok;
}
