/* vidflow: the operations that start a flow: capture (a vfurisrcbin per URI), inject (an appsrc
 * per feeder), batch_capture (capture + batch, from URIs or a Service Maker source list). */
#include "flow-private.h"
#include "source-list.h"

#include <string.h>

/* A URI from a URI or a path (relative to base_dir, or the current folder); files must exist. */
static char *to_uri(const char *op, const char *in, const char *base_dir, GError **error)
{
  char *scheme = g_uri_parse_scheme(in);
  char *uri = NULL;
  if (scheme == NULL) {
    char *abs = g_canonicalize_filename(in, base_dir);
    if (!g_file_test(abs, G_FILE_TEST_IS_REGULAR))
      g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND, "%s(): file '%s' does not exist", op, abs);
    else
      uri = gst_filename_to_uri(abs, error);
    g_free(abs);
    return uri;
  }
  if (g_str_equal(scheme, "file")) {
    char *path = g_filename_from_uri(in, NULL, NULL);
    if (path == NULL)
      g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "%s(): '%s' is not a valid file URI", op, in);
    else if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
      g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND, "%s(): file '%s' does not exist", op, path);
    else
      uri = g_strdup(in);
    g_free(path);
  } else if (!gst_uri_protocol_is_supported(GST_URI_SRC, scheme)) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "%s(): no GStreamer source reads '%s://' URIs (use file://, rtsp://, http(s):// "
                "or a path)",
                op, scheme);
  } else {
    uri = g_strdup(in);
  }
  g_free(scheme);
  return uri;
}

gboolean vf_flow_build_capture(FlowOp *op, const char *const *uris, const char *base_dir,
                               GError **error)
{
  if (uris == NULL || uris[0] == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "%s(): needs at least one URI", op->op);
    return FALSE;
  }
  if (!vf_flow_require(op->op, "vfurisrcbin", "capturing", error))
    return FALSE;
  GPtrArray *resolved = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; uris[i]; i++) {
    char *uri = to_uri(op->op, uris[i], base_dir, error);
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
    const char *src
        = vf_flow_op_add(op, "vfurisrcbin", "src", (gint)i, error, "uri", uri, "source-id", id,
                         rtsp ? "rtsp-reconnect-interval" : NULL, "2", NULL);
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

VfFlow *vf_flow_batch_capture_v(VfFlow *flow, const char *const *uris, const char *base_dir,
                                const char *const *props, GError **error)
{
  FlowOp op;
  GError *err = NULL;
  if (!vf_flow_op_begin(&op, flow, "batch_capture", FLOW_OP_STARTS, error))
    return NULL;
  if (!vf_flow_build_capture(&op, uris, base_dir, &err) || !vf_flow_build_batch(&op, 0, 0, 0, &err)
      || !vf_flow_op_apply_overrides(&op, props, NULL, &err))
    return vf_flow_op_fail(&op, error, err);
  return vf_flow_op_end(&op);
}

/* source-config properties: on the muxer if it has the property, else on every source; the
 * ones vidflow has no equivalent for are reported and skipped. */
static gboolean apply_source_config(FlowOp *op, VfSourceList *list, GError **error)
{
  VfPipeline *p = op->flow->root->pipeline;
  const char *const *kv = (const char *const *)list->properties->pdata;
  for (guint i = 0; kv[i]; i += 2) {
    char *key = g_strdup(kv[i]);
    g_strdelimit(key, "_", '-');
    if (g_str_equal(key, "max-batch-size")) {
      g_free(key);
      key = g_strdup("batch-size");
    }
    GPtrArray *targets = g_ptr_array_new();
    for (guint pass = 0; pass < 2 && targets->len == 0; pass++) {
      for (guint e = 0; e < op->elements->len; e++) {
        gboolean is_mux = g_str_has_suffix(op->elements->pdata[e], "-mux");
        GstElement *el = vf_pipeline_get_element(p, op->elements->pdata[e]);
        if (el && is_mux == (pass == 0)
            && g_object_class_find_property(G_OBJECT_GET_CLASS(el), key))
          g_ptr_array_add(targets, el);
      }
    }
    gboolean ok = TRUE;
    for (guint t = 0; ok && t < targets->len; t++)
      ok = vf_set_property_from_string(targets->pdata[t], key, kv[i + 1], error);
    if (targets->len == 0)
      g_message("batch_capture(): %s: source-config property '%s' has no equivalent in vidflow: "
                "ignored",
                list->path, kv[i]);
    g_ptr_array_unref(targets);
    g_free(key);
    if (!ok) {
      g_prefix_error(error, "batch_capture(): %s: source-config: ", list->path);
      return FALSE;
    }
  }
  return TRUE;
}

VfFlow *vf_flow_batch_capture_file_v(VfFlow *flow, const char *path, const char *const *props,
                                     GError **error)
{
  FlowOp op;
  GError *err = NULL;
  if (!vf_flow_op_begin(&op, flow, "batch_capture", FLOW_OP_STARTS, error))
    return NULL;
  VfSourceList *list = path ? vf_source_list_load(path, &err) : NULL;
  if (path == NULL)
    err = g_error_new(VF_ERROR, VF_ERROR_ARGUMENT, "batch_capture(): no source list file given");
  if (err) {
    g_prefix_error(&err, "batch_capture(): ");
    return vf_flow_op_fail(&op, error, err);
  }
  g_ptr_array_add(list->uris, NULL);
  gboolean ok = vf_flow_build_capture(&op, (const char *const *)list->uris->pdata, NULL, &err)
                && vf_flow_build_batch(&op, 0, 0, 0, &err) && apply_source_config(&op, list, &err)
                && vf_flow_sensor_meta_attach(&op, list, &err)
                && vf_flow_op_apply_overrides(&op, props, NULL, &err);
  vf_source_list_free(list);
  if (!ok)
    return vf_flow_op_fail(&op, error, err);
  return vf_flow_op_end(&op);
}
