/* vidflow: VfFlow, the operation framework (order checks, element names, overrides, forks) and
 * the operations on streams: decode, batch, infer, attach, fork, retrieve, render, encode. The
 * operations that start a flow are in flow-capture.c; RTSP serving in rtsp-out.c. */
#include "flow-private.h"
#include "nvidia-names.h"
#include "timeline.h"

#include <vidflow/display.h>
#include "short-text.h"

#include <vidflow/encode.h>
#include <vidflow/plugin.h>
#include <vidflow/rest.h>

#include <stdarg.h>
#include <string.h>

/* ---- handles ---- */

static void stream_free(FlowStream *s)
{
  g_free(s->element);
  g_free(s->pad);
  g_free(s->origin);
  g_free(s);
}

static VfFlow *flow_handle_new(FlowRoot *root)
{
  VfFlow *f = g_new0(VfFlow, 1);
  f->root = root;
  f->streams = g_ptr_array_new_with_free_func((GDestroyNotify)stream_free);
  g_ptr_array_add(root->flows, f);
  return f;
}

static void flow_handle_free(VfFlow *f)
{
  g_ptr_array_unref(f->streams);
  g_free(f->fork_name);
  g_free(f->ended_by);
  g_free(f->last_op);
  g_free(f);
}

VfFlow *vf_flow_new(VfPipeline *pipeline)
{
  if (pipeline == NULL)
    pipeline = vf_pipeline_new("flow");
  if (pipeline == NULL)
    return NULL;
  FlowRoot *root = g_new0(FlowRoot, 1);
  root->pipeline = pipeline;
  root->flows = g_ptr_array_new_with_free_func((GDestroyNotify)flow_handle_free);
  root->rtsp = g_ptr_array_new_with_free_func((GDestroyNotify)vf_rtsp_out_free);
  root->rest_port = -1;
  return flow_handle_new(root);
}

void vf_flow_free(VfFlow *flow)
{
  if (flow == NULL)
    return;
  FlowRoot *root = flow->root;
  vf_flow_stop(flow);
  vf_pipeline_free(root->pipeline);
  g_ptr_array_unref(root->rtsp);
  vf_flow_outputs_free(root);
  g_ptr_array_unref(root->flows);
  g_clear_error(&root->error);
  g_free(root->rest_address);
  g_free(root);
}

void vf_flow_set_rest(VfFlow *flow, const char *address, guint port)
{
  g_free(flow->root->rest_address);
  flow->root->rest_address = g_strdup(address);
  flow->root->rest_port = (gint)port;
}

VfPipeline *vf_flow_get_pipeline(VfFlow *flow)
{
  return flow ? flow->root->pipeline : NULL;
}

const GError *vf_flow_get_error(VfFlow *flow)
{
  return flow ? flow->root->error : NULL;
}

void vf_flow_stream_set(FlowStream *s, const char *element, const char *pad, VfColorFormat encoded,
                        const char *origin)
{
  char *e = g_strdup(element), *p = g_strdup(pad), *o = g_strdup(origin);
  g_free(s->element);
  g_free(s->pad);
  g_free(s->origin);
  s->element = e;
  s->pad = p;
  s->origin = o;
  s->encoded = encoded;
}

static FlowStream *stream_add(VfFlow *f, const char *element, const char *pad,
                              VfColorFormat encoded, const char *origin)
{
  FlowStream *s = g_new0(FlowStream, 1);
  vf_flow_stream_set(s, element, pad, encoded, origin);
  g_ptr_array_add(f->streams, s);
  return s;
}

void vf_flow_set_single_stream(VfFlow *flow, const char *element, const char *pad,
                               const char *origin)
{
  char *e = g_strdup(element); /* element may point into a stream being freed */
  g_ptr_array_set_size(flow->streams, 0);
  stream_add(flow, e, pad, VF_COLOR_FORMAT_UNKNOWN, origin);
  g_free(e);
}

/* ---- overrides ---- */

GPtrArray *vf_flow_collect_props(va_list ap)
{
  GPtrArray *props = g_ptr_array_new();
  for (const char *key = va_arg(ap, const char *); key; key = va_arg(ap, const char *)) {
    g_ptr_array_add(props, (gpointer)key);
    g_ptr_array_add(props, (gpointer)va_arg(ap, const char *));
  }
  g_ptr_array_add(props, NULL);
  return props;
}

static char *dashed(const char *key)
{
  char *k = g_strdup(key);
  g_strdelimit(k, "_", '-');
  return k;
}

const char *vf_flow_props_get(const char *const *props, const char *key)
{
  char *want = dashed(key);
  const char *found = NULL;
  for (guint i = 0; props && props[i]; i += 2) {
    char *k = dashed(props[i]);
    if (g_str_equal(k, want))
      found = props[i + 1];
    g_free(k);
    if (found || props[i + 1] == NULL)
      break;
  }
  g_free(want);
  return found;
}

static gboolean in_list(const char *const *list, const char *key)
{
  for (guint i = 0; list && list[i]; i++) {
    char *k = dashed(list[i]);
    gboolean same = g_str_equal(k, key);
    g_free(k);
    if (same)
      return TRUE;
  }
  return FALSE;
}

gboolean vf_flow_op_apply_overrides(FlowOp *op, const char *const *props,
                                    const char *const *reserved, GError **error)
{
  VfPipeline *p = op->flow->root->pipeline;
  for (guint i = 0; props && props[i]; i += 2) {
    if (props[i + 1] == NULL) {
      g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                  "%s(): override '%s' has no value (overrides come as name, value pairs)", op->op,
                  props[i]);
      return FALSE;
    }
    char *key = dashed(props[i]);
    if (in_list(reserved, key)) {
      g_free(key);
      continue;
    }
    gboolean found = FALSE;
    for (guint e = 0; e < op->elements->len; e++) {
      GstElement *element = vf_pipeline_get_element(p, g_ptr_array_index(op->elements, e));
      if (element == NULL
          || (!g_object_class_find_property(G_OBJECT_GET_CLASS(element), key)
              && !vf_nvidia_knows_property(element, key)))
        continue;
      found = TRUE;
      if (!vf_set_property_from_string(element, key, props[i + 1], error)) {
        g_prefix_error(error, "%s(): ", op->op);
        g_free(key);
        return FALSE;
      }
    }
    if (!found) {
      GString *names = g_string_new(NULL);
      for (guint e = 0; e < op->elements->len; e++) {
        GstElement *element = vf_pipeline_get_element(p, g_ptr_array_index(op->elements, e));
        if (element)
          g_string_append_printf(names, "%s'%s' (%s)", names->len ? ", " : "",
                                 GST_ELEMENT_NAME(element),
                                 GST_OBJECT_NAME(gst_element_get_factory(element)));
      }
      g_set_error(error, VF_ERROR, VF_ERROR_PROPERTY,
                  "%s(): no element of this operation has a property '%s' (it made %s; "
                  "gst-inspect-1.0 lists their properties)",
                  op->op, key, names->len ? names->str : "no elements");
      g_string_free(names, TRUE);
      g_free(key);
      return FALSE;
    }
    g_free(key);
  }
  return TRUE;
}

/* ---- the operation framework ---- */

static VfFlow *new_branch(VfFlow *forked, GError **error)
{
  FlowRoot *root = forked->root;
  VfFlow *b = flow_handle_new(root);
  b->batched = forked->batched;
  b->inferred = forked->inferred;
  guint k = forked->branches++;
  for (guint i = 0; i < forked->streams->len; i++) {
    FlowStream *s = g_ptr_array_index(forked->streams, i);
    char *q = g_strdup_printf("%s-branch%u-queue%u", forked->fork_name, k, i);
    gboolean ok = vf_pipeline_add(root->pipeline, "queue", q, error, NULL)
                  && vf_pipeline_link_pads(root->pipeline, s->element, s->pad, q, NULL, error);
    if (ok)
      stream_add(b, q, NULL, s->encoded, s->origin);
    g_free(q);
    if (!ok)
      return NULL;
  }
  return b;
}

static gboolean record_error(FlowRoot *root, GError **error, GError *err)
{
  if (root->error == NULL)
    root->error = g_error_copy(err);
  g_propagate_error(error, err);
  return FALSE;
}

gboolean vf_flow_op_begin(FlowOp *op, VfFlow *flow, const char *name, FlowOpFlags flags,
                          GError **error)
{
  memset(op, 0, sizeof *op);
  op->op = name;
  if (flow == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                "%s(): not added: the operation before it failed (its error says why)", name);
    return FALSE;
  }
  FlowRoot *root = flow->root;
  GError *err = NULL;
  if (root->error) {
    err = g_error_new(VF_ERROR, VF_ERROR_STATE, "%s(): not added: an earlier operation failed: %s",
                      name, root->error->message);
    g_propagate_error(error, err);
    return FALSE;
  }
  if (flags & FLOW_OP_STARTS) {
    if (flow->streams->len > 0 || flow->ended_by || flow->forked || flow != root->flows->pdata[0])
      err = g_error_new(VF_ERROR, VF_ERROR_STATE,
                        "%s() starts a flow, so it must come first; this flow already has %s(): "
                        "make another flow for more sources, or list every source in one %s()",
                        name, flow->last_op ? flow->last_op : "operations", name);
  } else if (flow->ended_by) {
    err = g_error_new(
        VF_ERROR, VF_ERROR_STATE,
        "%s(): the flow already ended with %s(), and nothing can follow render(), "
        "encode(), retrieve() or publish(); to feed several outputs, call fork() before %s()",
        name, flow->ended_by, flow->ended_by);
  } else if (flow->streams->len == 0) {
    err = g_error_new(VF_ERROR, VF_ERROR_STATE,
                      "%s(): the flow has no streams yet: start it with capture(), inject() or "
                      "batch_capture()",
                      name);
  }
  if (err)
    return record_error(root, error, err);
  if (flow->forked) {
    flow = new_branch(flow, &err);
    if (flow == NULL)
      return record_error(root, error, err);
  }
  op->flow = flow;
  op->name = g_strdup_printf("%s%u", name, root->ops++);
  op->elements = g_ptr_array_new_with_free_func(g_free);
  return TRUE;
}

static void op_clear(FlowOp *op)
{
  g_clear_pointer(&op->name, g_free);
  g_clear_pointer(&op->elements, g_ptr_array_unref);
}

VfFlow *vf_flow_op_fail(FlowOp *op, GError **error, GError *err)
{
  if (op->flow)
    record_error(op->flow->root, error, err);
  else
    g_propagate_error(error, err);
  op_clear(op);
  return NULL;
}

VfFlow *vf_flow_op_end(FlowOp *op)
{
  VfFlow *f = op->flow;
  g_free(f->last_op);
  f->last_op = g_strdup(op->op);
  op_clear(op);
  return f;
}

const char *vf_flow_op_add(FlowOp *op, const char *factory, const char *role, gint index,
                           GError **error, ...)
{
  char *name = index < 0 ? g_strdup_printf("%s-%s", op->name, role)
                         : g_strdup_printf("%s-%s%d", op->name, role, index);
  va_list ap;
  va_start(ap, error);
  GPtrArray *props = vf_flow_collect_props(ap);
  va_end(ap);
  gboolean ok = vf_pipeline_addv(op->flow->root->pipeline, factory, name,
                                 (const char *const *)props->pdata, error);
  g_ptr_array_unref(props);
  if (!ok) {
    g_prefix_error(error, "%s(): ", op->op);
    g_free(name);
    return NULL;
  }
  /* overrides are the seed's kwargs: DeepStream's property names */
  vf_nvidia_adopt(vf_pipeline_get_element(op->flow->root->pipeline, name));
  g_ptr_array_add(op->elements, name);
  return name;
}

gboolean vf_flow_op_link(FlowOp *op, const char *src, const char *src_pad, const char *sink,
                         const char *sink_pad, GError **error)
{
  if (vf_pipeline_link_pads(op->flow->root->pipeline, src, src_pad, sink, sink_pad, error))
    return TRUE;
  g_prefix_error(error, "%s(): ", op->op);
  return FALSE;
}

gboolean vf_flow_require(const char *op, const char *factory, const char *why, GError **error)
{
  vf_init(NULL);
  GstElementFactory *f = gst_element_factory_find(factory);
  if (f) {
    gst_object_unref(f);
    return TRUE;
  }
  g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
              "%s(): %s needs the GStreamer element '%s', which is not installed%s", op, why,
              factory,
              g_str_has_prefix(factory, "vf") ? " (it belongs to the vidflow plugin: is this "
                                                "build older than the element?)"
                                              : "");
  return FALSE;
}

/* A stream must hold decoded video for this operation. */
static gboolean check_decoded(FlowOp *op, GError **error)
{
  for (guint i = 0; i < op->flow->streams->len; i++) {
    FlowStream *s = g_ptr_array_index(op->flow->streams, i);
    if (s->encoded != VF_COLOR_FORMAT_UNKNOWN) {
      g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                  "%s(): stream %u from %s() carries %s data: add decode() before %s()", op->op, i,
                  s->origin, vf_color_format_to_string(s->encoded), op->op);
      return FALSE;
    }
  }
  return TRUE;
}

/* Link stream `s` into element `sink` (its pad spec may be NULL) and make it the stream. */
static gboolean chain(FlowOp *op, FlowStream *s, const char *sink, const char *sink_pad,
                      GError **error)
{
  if (!vf_flow_op_link(op, s->element, s->pad, sink, sink_pad, error))
    return FALSE;
  vf_flow_stream_set(s, sink, NULL, s->encoded, op->op);
  return TRUE;
}

#define OP_FAIL(op, error, err) return vf_flow_op_fail(op, error, err)

/* ---- decode ---- */

VfFlow *vf_flow_decode_v(VfFlow *flow, const char *const *props, GError **error)
{
  FlowOp op;
  GError *err = NULL;
  if (!vf_flow_op_begin(&op, flow, "decode", 0, error))
    return NULL;
  VfFlow *f = op.flow;
  for (guint i = 0; i < f->streams->len; i++) {
    FlowStream *s = g_ptr_array_index(f->streams, i);
    if (s->encoded == VF_COLOR_FORMAT_UNKNOWN) {
      err = g_error_new(VF_ERROR, VF_ERROR_STATE,
                        "decode(): stream %u from %s() is decoded video already; decode() is for "
                        "encoded data (JPEG, H.264) from inject()",
                        i, s->origin);
      OP_FAIL(&op, error, err);
    }
  }
  for (guint i = 0; i < f->streams->len; i++) {
    FlowStream *s = g_ptr_array_index(f->streams, i);
    const char *dec = vf_flow_op_add(&op, "decodebin", "decoder", (gint)i, &err, NULL);
    if (dec == NULL || !chain(&op, s, dec, NULL, &err))
      OP_FAIL(&op, error, err);
    s->encoded = VF_COLOR_FORMAT_UNKNOWN;
  }
  if (!vf_flow_op_apply_overrides(&op, props, NULL, &err))
    OP_FAIL(&op, error, err);
  return vf_flow_op_end(&op);
}

/* ---- batch ---- */

gboolean vf_flow_build_batch(FlowOp *op, guint batch_size, guint width, guint height,
                             GError **error)
{
  VfFlow *f = op->flow;
  if (f->batched) {
    g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                "%s(): the streams are batched already (by %s()); batch once", op->op,
                ((FlowStream *)g_ptr_array_index(f->streams, 0))->origin);
    return FALSE;
  }
  if (!check_decoded(op, error) || !vf_flow_require(op->op, "vfmux", "batching", error))
    return FALSE;
  char size[16], w[16], h[16];
  g_snprintf(size, sizeof size, "%u", batch_size ? batch_size : f->streams->len);
  g_snprintf(w, sizeof w, "%u", width ? width : VF_BATCH_DEFAULT_WIDTH);
  g_snprintf(h, sizeof h, "%u", height ? height : VF_BATCH_DEFAULT_HEIGHT);
  const char *mux = vf_flow_op_add(op, "vfmux", "mux", -1, error, "batch-size", size, "width", w,
                                   "height", h, NULL);
  if (mux == NULL)
    return FALSE;
  for (guint i = 0; i < f->streams->len; i++) {
    FlowStream *s = g_ptr_array_index(f->streams, i);
    char pad[32]; /* stream i is source i in the frame metadata */
    g_snprintf(pad, sizeof pad, "sink_%u", i);
    if (!vf_flow_op_link(op, s->element, s->pad, mux, pad, error))
      return FALSE;
  }
  vf_flow_set_single_stream(f, mux, NULL, op->op);
  f->batched = TRUE;
  return TRUE;
}

VfFlow *vf_flow_batch_v(VfFlow *flow, guint batch_size, guint width, guint height,
                        const char *const *props, GError **error)
{
  FlowOp op;
  GError *err = NULL;
  if (!vf_flow_op_begin(&op, flow, "batch", 0, error))
    return NULL;
  if (!vf_flow_build_batch(&op, batch_size, width, height, &err)
      || !vf_flow_op_apply_overrides(&op, props, NULL, &err))
    OP_FAIL(&op, error, err);
  return vf_flow_op_end(&op);
}

/* ---- infer ---- */

VfFlow *vf_flow_infer_v(VfFlow *flow, const char *config, const char *const *props, GError **error)
{
  FlowOp op;
  GError *err = NULL;
  if (!vf_flow_op_begin(&op, flow, "infer", 0, error))
    return NULL;
  VfFlow *f = op.flow;
  if (!vf_flow_require("infer", "vfinfer", "inference", &err))
    OP_FAIL(&op, error, err);
  if (config == NULL || *config == '\0')
    err = g_error_new(VF_ERROR, VF_ERROR_ARGUMENT,
                      "infer(): needs a model configuration file (config)");
  else if (!g_file_test(config, G_FILE_TEST_IS_REGULAR))
    err = g_error_new(VF_ERROR, VF_ERROR_NOT_FOUND, "infer(): model configuration '%s' %s", config,
                      g_file_test(config, G_FILE_TEST_IS_DIR) ? "is a directory: name the file"
                                                              : "does not exist: check the path");
  if (err || !check_decoded(&op, &err))
    OP_FAIL(&op, error, err);
  if (!f->batched && !vf_flow_build_batch(&op, 0, 0, 0, &err))
    OP_FAIL(&op, error, err);
  FlowStream *s = g_ptr_array_index(f->streams, 0);
  const char *infer
      = vf_flow_op_add(&op, "vfinfer", "infer", -1, &err, "config-file-path", config, NULL);
  if (infer == NULL || !chain(&op, s, infer, NULL, &err)
      || !vf_flow_op_apply_overrides(&op, props, NULL, &err))
    OP_FAIL(&op, error, err);
  f->inferred = TRUE;
  return vf_flow_op_end(&op);
}

/* ---- track ---- */

VfFlow *vf_flow_track_v(VfFlow *flow, const char *ll_config_file, const char *ll_lib_file,
                        const char *const *props, GError **error)
{
  FlowOp op;
  GError *err = NULL;
  if (!vf_flow_op_begin(&op, flow, "track", 0, error))
    return NULL;
  VfFlow *f = op.flow;
  if (!vf_flow_require("track", "vftracker", "tracking", &err))
    OP_FAIL(&op, error, err);
  if (!f->inferred)
    OP_FAIL(&op, error,
            g_error_new(VF_ERROR, VF_ERROR_STATE,
                        "track(): nothing to track yet: it follows the objects of a detector, "
                        "call infer() before track()"));
  const char *files[2][2]
      = { { "ll-config-file", ll_config_file }, { "ll-lib-file", ll_lib_file } };
  for (guint i = 0; i < 2; i++)
    if (files[i][1] && *files[i][1] && !g_file_test(files[i][1], G_FILE_TEST_IS_REGULAR))
      OP_FAIL(&op, error,
              g_error_new(VF_ERROR, VF_ERROR_NOT_FOUND,
                          "track(): %s '%s' does not exist: check the path, or leave it out "
                          "for %s",
                          files[i][0], files[i][1],
                          i == 0 ? "the tracker's defaults" : "the built-in trackers"));
  FlowStream *s = g_ptr_array_index(f->streams, 0);
  const char *tracker = vf_flow_op_add(&op, "vftracker", "tracker", -1, &err, NULL);
  if (tracker == NULL)
    OP_FAIL(&op, error, err);
  for (guint i = 0; i < 2; i++)
    if (files[i][1] && *files[i][1]
        && !vf_pipeline_set(f->root->pipeline, tracker, files[i][0], files[i][1], &err))
      OP_FAIL(&op, error, err);
  if (!chain(&op, s, tracker, NULL, &err) || !vf_flow_op_apply_overrides(&op, props, NULL, &err))
    OP_FAIL(&op, error, err);
  return vf_flow_op_end(&op);
}

/* ---- attach ---- */

static const char *add_tap(FlowOp *op, FlowStream *s, gint index, GError **error)
{
  const char *tap = vf_flow_op_add(op, "identity", "tap", index, error, "silent", "true", NULL);
  if (tap == NULL || !chain(op, s, tap, NULL, error))
    return NULL;
  return tap;
}

VfFlow *vf_flow_attach(VfFlow *flow, VfProbe *probe, GError **error)
{
  FlowOp op;
  GError *err = NULL;
  if (probe == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "attach(): no probe given");
    return NULL;
  }
  if (!vf_flow_op_begin(&op, flow, "attach", 0, error)) {
    vf_probe_free(probe);
    return NULL;
  }
  VfFlow *f = op.flow;
  if (f->streams->len != 1) {
    err = g_error_new(VF_ERROR, VF_ERROR_STATE,
                      "attach(): the flow has %u streams but a probe object watches one: batch() "
                      "them first, or attach a probe by name (one instance per stream)",
                      f->streams->len);
    vf_probe_free(probe);
    OP_FAIL(&op, error, err);
  }
  const char *tap = add_tap(&op, g_ptr_array_index(f->streams, 0), 0, &err);
  if (tap == NULL) {
    vf_probe_free(probe);
    OP_FAIL(&op, error, err);
  }
  if (!vf_pipeline_attach_probe(f->root->pipeline, tap, "src", probe, &err)) {
    g_prefix_error(&err, "attach(): ");
    OP_FAIL(&op, error, err);
  }
  return vf_flow_op_end(&op);
}

VfFlow *vf_flow_attach_named_v(VfFlow *flow, const char *what, const char *instance_name,
                               const char *const *params, GError **error)
{
  FlowOp op;
  GError *err = NULL;
  if (!vf_flow_op_begin(&op, flow, "attach", 0, error))
    return NULL;
  VfFlow *f = op.flow;
  for (guint i = 0; i < f->streams->len; i++) {
    char *name = instance_name ? (f->streams->len > 1 ? g_strdup_printf("%s%u", instance_name, i)
                                                      : g_strdup(instance_name))
                               : NULL;
    VfProbe *probe = vf_custom_probe_new(what, name, params, &err);
    g_free(name);
    if (probe == NULL) {
      g_prefix_error(&err, "attach(): ");
      OP_FAIL(&op, error, err);
    }
    const char *tap = add_tap(&op, g_ptr_array_index(f->streams, i), (gint)i, &err);
    if (tap == NULL) {
      vf_probe_free(probe);
      OP_FAIL(&op, error, err);
    }
    if (!vf_pipeline_attach_probe(f->root->pipeline, tap, "src", probe, &err)) {
      g_prefix_error(&err, "attach(): ");
      OP_FAIL(&op, error, err);
    }
  }
  return vf_flow_op_end(&op);
}

/* ---- fork ---- */

VfFlow *vf_flow_fork_v(VfFlow *flow, const char *const *props, GError **error)
{
  FlowOp op;
  GError *err = NULL;
  if (!vf_flow_op_begin(&op, flow, "fork", 0, error))
    return NULL;
  VfFlow *f = op.flow;
  for (guint i = 0; i < f->streams->len; i++) {
    FlowStream *s = g_ptr_array_index(f->streams, i);
    const char *tee = vf_flow_op_add(&op, "tee", "tee", (gint)i, &err, NULL);
    if (tee == NULL || !vf_flow_op_link(&op, s->element, s->pad, tee, NULL, &err))
      OP_FAIL(&op, error, err);
    vf_flow_stream_set(s, tee, "src_%u", s->encoded, s->origin);
  }
  if (!vf_flow_op_apply_overrides(&op, props, NULL, &err))
    OP_FAIL(&op, error, err);
  f->forked = TRUE;
  f->fork_name = g_strdup(op.name);
  return vf_flow_op_end(&op);
}

/* ---- retrieve ---- */

/* One retriever shared by the receivers of several streams: destroy runs once, at the end. */
typedef struct {
  gint refs;
  VfRetrieverCallbacks callbacks;
  gpointer user_data;
} SharedRetriever;

static int shared_consume(VfBuffer *buffer, gpointer data)
{
  SharedRetriever *r = data;
  return r->callbacks.consume(buffer, r->user_data);
}

static void shared_unref(gpointer data)
{
  SharedRetriever *r = data;
  if (!g_atomic_int_dec_and_test(&r->refs))
    return;
  if (r->callbacks.destroy)
    r->callbacks.destroy(r->user_data);
  g_free(r);
}

/* Adds the elements in front of an appsink for stream s (RGB frames, or batches of RGB frames:
 * the seed's mux ! convert ! caps(format=RGB) ! appsink), then the appsink; returns the
 * appsink's name. */
static const char *add_appsink(FlowOp *op, FlowStream *s, gint index, GError **error)
{
  if (s->encoded == VF_COLOR_FORMAT_UNKNOWN) {
    gboolean batched = op->flow->batched;
    const char *conv
        = vf_flow_op_add(op, batched ? "vfconvert" : "videoconvert", "convert", index, error, NULL);
    const char *caps
        = conv ? vf_flow_op_add(op, "capsfilter", "caps", index, error, "caps",
                                batched ? "video/x-raw(" VF_CAPS_FEATURE_META_BATCH "),format=RGB"
                                        : "video/x-raw,format=RGB",
                                NULL)
               : NULL;
    if (caps == NULL || !chain(op, s, conv, NULL, error) || !chain(op, s, caps, NULL, error))
      return NULL;
  }
  const char *sink = vf_flow_op_add(op, "appsink", "sink", index, error, "sync", "false", NULL);
  if (sink == NULL || !chain(op, s, sink, NULL, error))
    return NULL;
  return sink;
}

static VfFlow *retrieve_into(FlowOp *op, VfReceiver *const *receivers, guint n,
                             const char *const *props, GError **error)
{
  GError *err = NULL;
  VfFlow *f = op->flow;
  guint attached = 0;
  for (guint i = 0; i < f->streams->len; i++) {
    const char *sink = add_appsink(op, g_ptr_array_index(f->streams, i), (gint)i, &err);
    if (sink == NULL)
      break;
    attached++;
    if (!vf_pipeline_attach_receiver(f->root->pipeline, sink, receivers[i], "new-sample", &err)) {
      g_prefix_error(&err, "retrieve(): ");
      break;
    }
  }
  for (guint i = attached; i < n; i++)
    vf_receiver_free(receivers[i]); /* never attached */
  if (err == NULL)
    vf_flow_op_apply_overrides(op, props, NULL, &err);
  if (err)
    return vf_flow_op_fail(op, error, err);
  f->ended_by = g_strdup("retrieve");
  return vf_flow_op_end(op);
}

VfFlow *vf_flow_retrieve_v(VfFlow *flow, const VfRetrieverCallbacks *callbacks, gpointer user_data,
                           const char *const *props, GError **error)
{
  FlowOp op;
  if (callbacks == NULL || callbacks->consume == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "retrieve(): needs a consume() callback");
    if (callbacks && callbacks->destroy)
      callbacks->destroy(user_data); /* exactly once, even on failure */
    return NULL;
  }
  if (!vf_flow_op_begin(&op, flow, "retrieve", FLOW_OP_ENDS, error)) {
    if (callbacks->destroy)
      callbacks->destroy(user_data);
    return NULL;
  }
  guint n = op.flow->streams->len;
  SharedRetriever *shared = g_new0(SharedRetriever, 1);
  shared->refs = (gint)n;
  shared->callbacks = *callbacks;
  shared->user_data = user_data;
  VfRetrieverCallbacks cb = { shared_consume, shared_unref };
  VfReceiver **receivers = g_new0(VfReceiver *, n);
  for (guint i = 0; i < n; i++) {
    char *name = g_strdup_printf("%s-receiver%u", op.name, i);
    receivers[i] = vf_receiver_new(name, &cb, shared);
    g_free(name);
  }
  VfFlow *out = retrieve_into(&op, receivers, n, props, error);
  g_free(receivers);
  return out;
}

VfFlow *vf_flow_retrieve_named_v(VfFlow *flow, const char *what, const char *instance_name,
                                 const char *const *params, GError **error)
{
  FlowOp op;
  GError *err = NULL;
  if (!vf_flow_op_begin(&op, flow, "retrieve", FLOW_OP_ENDS, error))
    return NULL;
  if (vf_flow_is_ipc_uri(what)) { /* to another process (flow-ipc.c) */
    if (!vf_flow_build_ipc_retrieve(&op, what, params, &err))
      return vf_flow_op_fail(&op, error, err);
    op.flow->ended_by = g_strdup("retrieve");
    return vf_flow_op_end(&op);
  }
  guint n = op.flow->streams->len;
  VfReceiver **receivers = g_new0(VfReceiver *, n);
  for (guint i = 0; i < n; i++) {
    char *name = instance_name
                     ? (n > 1 ? g_strdup_printf("%s%u", instance_name, i) : g_strdup(instance_name))
                     : NULL;
    receivers[i] = vf_custom_receiver_new(what, name, params, &err);
    g_free(name);
    if (receivers[i] == NULL) {
      for (guint j = 0; j < i; j++)
        vf_receiver_free(receivers[j]);
      g_free(receivers);
      g_prefix_error(&err, "retrieve(): ");
      return vf_flow_op_fail(&op, error, err);
    }
  }
  VfFlow *out = retrieve_into(&op, receivers, n, NULL, error);
  g_free(receivers);
  return out;
}

/* ---- render and encode ---- */

/* A batch becomes one tiled picture (vftiler); detections are drawn when there are any (vfosd,
 * when this build has it). */
static gboolean add_picture(FlowOp *op, FlowStream *s, gint index, GError **error)
{
  if (op->flow->batched) {
    if (!vf_flow_require(op->op, "vftiler", "showing a batch (tiled)", error))
      return FALSE;
    const char *tiler = vf_flow_op_add(op, "vftiler", "tiler", index, error, NULL);
    if (tiler == NULL || !chain(op, s, tiler, NULL, error))
      return FALSE;
  }
  GstElementFactory *osd = op->flow->inferred ? gst_element_factory_find("vfosd") : NULL;
  if (osd) {
    gst_object_unref(osd);
    const char *name = vf_flow_op_add(op, "vfosd", "osd", index, error, NULL);
    if (name == NULL || !chain(op, s, name, NULL, error))
      return FALSE;
  } else if (op->flow->inferred) {
    g_message("%s(): detections are not drawn: this build has no vfosd element", op->op);
  }
  return TRUE;
}

static VfFlow *encode_on(FlowOp *op, const char *uri, VfEncodeProfile profile, guint bitrate,
                         guint iframeinterval, const char *const *props,
                         const char *const *reserved, GError **error);

VfFlow *vf_flow_render_v(VfFlow *flow, VfRenderMode mode, const char *const *props, GError **error)
{
  FlowOp op;
  GError *err = NULL;
  if (!vf_flow_op_begin(&op, flow, "render", FLOW_OP_ENDS, error))
    return NULL;
  VfFlow *f = op.flow;
  if (!check_decoded(&op, &err))
    OP_FAIL(&op, error, err);
  if (mode == VF_RENDER_STREAM) {
    const char *port = vf_flow_props_get(props, "port");
    const char *mount = vf_flow_props_get(props, "mount");
    char *uri = g_strdup_printf(
        "rtsp://localhost:%s%s%s", port ? port : G_STRINGIFY(VF_RTSP_DEFAULT_PORT),
        mount && *mount != '/' ? "/" : "", mount ? mount : VF_RTSP_DEFAULT_MOUNT);
    const char *reserved[] = { "port", "mount", NULL };
    VfFlow *out = encode_on(&op, uri, VF_PROFILE_BASELINE, 0, 0, props, reserved, error);
    g_free(uri);
    return out;
  }
  if (mode != VF_RENDER_DISPLAY && mode != VF_RENDER_DISCARD) {
    err = g_error_new(VF_ERROR, VF_ERROR_ARGUMENT,
                      "render(): unknown mode %d: use DISPLAY, DISCARD or STREAM", (int)mode);
    OP_FAIL(&op, error, err);
  }
  char *display = NULL; /* the sink that shows video here (never autovideosink: it may crash) */
  if (mode == VF_RENDER_DISPLAY && (display = vf_display_sink_choose(&err)) == NULL) {
    GError *why
        = g_error_new(err->domain, err->code,
                      "render(DISPLAY): %s; or render with DISCARD or STREAM", err->message);
    g_error_free(err);
    OP_FAIL(&op, error, why);
  }
  for (guint i = 0; i < f->streams->len; i++) {
    FlowStream *s = g_ptr_array_index(f->streams, i);
    gint index = (gint)i;
    const char *sink;
    if (mode == VF_RENDER_DISCARD) {
      sink = vf_flow_op_add(&op, "fakesink", "sink", index, &err, "sync", "false", NULL);
    } else {
      const char *conv = NULL;
      if (add_picture(&op, s, index, &err))
        conv = vf_flow_op_add(&op, "videoconvert", "convert", index, &err, NULL);
      if (conv == NULL || !chain(&op, s, conv, NULL, &err)) {
        g_free(display);
        OP_FAIL(&op, error, err);
      }
      sink = vf_flow_op_add(&op, display, "sink", index, &err, "sync", "true", NULL);
    }
    if (sink == NULL || !chain(&op, s, sink, NULL, &err)) {
      g_free(display);
      OP_FAIL(&op, error, err);
    }
  }
  g_free(display);
  if (!vf_flow_op_apply_overrides(&op, props, NULL, &err))
    OP_FAIL(&op, error, err);
  f->ended_by = g_strdup("render");
  return vf_flow_op_end(&op);
}

static const char *profile_name(VfEncodeProfile profile)
{
  switch (profile) {
  case VF_PROFILE_BASELINE:
    return "baseline";
  case VF_PROFILE_CONSTRAINED_BASELINE:
    return "constrained-baseline";
  case VF_PROFILE_MAIN:
    return "main";
  case VF_PROFILE_HIGH:
    return "high";
  }
  return NULL;
}

/* rtsp://host:port[/mount]: FALSE when it is not an RTSP URI; an error when it is a bad one. */
static gboolean parse_rtsp(const char *uri, char **host, guint *port, char **mount, GError **error)
{
  if (!g_str_has_prefix(uri, "rtsp://"))
    return FALSE;
  GUri *u = g_uri_parse(uri, G_URI_FLAGS_NONE, NULL);
  if (u == NULL || g_uri_get_host(u) == NULL || g_uri_get_port(u) < 0) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "encode(): '%s' needs a host and a port, as rtsp://localhost:8554 (0 for any "
                "free port)",
                uri);
    if (u)
      g_uri_unref(u);
    return TRUE;
  }
  *host = g_strdup(g_uri_get_host(u));
  *port = (guint)g_uri_get_port(u);
  const char *path = g_uri_get_path(u);
  *mount = g_strdup(path && *path && !g_str_equal(path, "/") ? path : VF_RTSP_DEFAULT_MOUNT);
  g_uri_unref(u);
  return TRUE;
}

/* Frames reach the encoder with strictly increasing PTS, whatever the source: avidemux gives
 * MPEG-4 frames with B-frames DTS only, and the decoder then repeats and skips PTS (Megamind.avi),
 * which x264enc turns into frames without PTS that mp4mux refuses. */
static gboolean repair_timestamps(FlowOp *op, const char *encoder)
{
  GstElement *e = vf_pipeline_get_element(op->flow->root->pipeline, encoder);
  GstPad *pad = gst_element_get_static_pad(e, "sink");
  vf_timeline_repair_pad(pad);
  gst_object_unref(pad);
  return TRUE;
}

static VfFlow *encode_on(FlowOp *op, const char *uri, VfEncodeProfile profile, guint bitrate,
                         guint iframeinterval, const char *const *props,
                         const char *const *reserved, GError **error)
{
  GError *err = NULL;
  VfFlow *f = op->flow;
  char *host = NULL, *mount = NULL, *path = NULL;
  guint port = 0;
  const char *pname = profile_name(profile);
  if (uri == NULL || *uri == '\0')
    err = g_error_new(VF_ERROR, VF_ERROR_ARGUMENT,
                      "encode(): needs a destination: a file path, file://... or "
                      "rtsp://host:port");
  else if (pname == NULL)
    err = g_error_new(VF_ERROR, VF_ERROR_VALUE,
                      "encode(): unknown profile %d: use 0 (baseline), 1 (constrained "
                      "baseline), 2 (main) or 4 (high)",
                      (int)profile);
  else if (f->streams->len != 1)
    err = g_error_new(VF_ERROR, VF_ERROR_STATE,
                      "encode(): the flow has %u streams and one output takes one: batch() them "
                      "first (a batch is encoded tiled)",
                      f->streams->len);
  if (err == NULL && !parse_rtsp(uri, &host, &port, &mount, &err)) {
    char *scheme = g_uri_parse_scheme(uri);
    if (scheme && !g_str_equal(scheme, "file"))
      err = g_error_new(VF_ERROR, VF_ERROR_ARGUMENT,
                        "encode(): cannot write to '%s': use a file path, file://... or "
                        "rtsp://host:port",
                        uri);
    else if (scheme)
      path = g_filename_from_uri(uri, NULL, &err);
    else
      path = g_strdup(uri);
    g_free(scheme);
    if (path) {
      char *dir = g_path_get_dirname(path);
      if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
        err = g_error_new(VF_ERROR, VF_ERROR_NOT_FOUND,
                          "encode(): cannot write '%s': folder '%s' does not exist", path, dir);
      g_free(dir);
    }
  }
  if (err == NULL)
    check_decoded(op, &err);
  if (err) {
    g_free(host);
    g_free(mount);
    g_free(path);
    return vf_flow_op_fail(op, error, err);
  }
  FlowStream *s = g_ptr_array_index(f->streams, 0);
  char kbps[16], gop[16], caps[64];
  g_snprintf(kbps, sizeof kbps, "%u",
             MAX((bitrate ? bitrate : VF_ENCODE_DEFAULT_BITRATE) / 1000, 1));
  g_snprintf(gop, sizeof gop, "%u",
             iframeinterval ? iframeinterval : VF_ENCODE_DEFAULT_IFRAME_INTERVAL);
  g_snprintf(caps, sizeof caps, "video/x-h264,profile=%s", pname);
  gboolean rtsp = host != NULL;
  const char *e, *entry = NULL, *encoder = NULL;
  gboolean ok = add_picture(op, s, -1, &err)
                && (e = entry = vf_flow_op_add(op, "videoconvert", "convert", -1, &err, NULL))
                && chain(op, s, e, NULL, &err)
                && (e = vf_flow_op_add(op, "capsfilter", "raw", -1, &err, "caps",
                                       "video/x-raw,format=I420", NULL))
                && chain(op, s, e, NULL, &err)
                /* zerolatency: frames out as they come in; an encoder that holds a second of frames
                 * would keep a fork's other branches from prerolling (they wait on full queues) */
                && (e = encoder = vf_flow_op_add(op, "x264enc", "encoder", -1, &err, "bitrate",
                                                 kbps, "key-int-max", gop, "speed-preset",
                                                 "veryfast", "tune", "zerolatency", NULL))
                && repair_timestamps(op, e) && chain(op, s, e, NULL, &err)
                && vf_pipeline_check_encoder_input(f->root->pipeline, entry, encoder, &err)
                && (e = vf_flow_op_add(op, "capsfilter", "profile", -1, &err, "caps", caps, NULL))
                && chain(op, s, e, NULL, &err)
                && (e = vf_flow_op_add(op, "h264parse", "parser", -1, &err, "config-interval",
                                       rtsp ? "-1" : "0", NULL))
                && chain(op, s, e, NULL, &err);
  if (ok && rtsp) {
    ok = (e = vf_flow_op_add(op, "appsink", "sink", -1, &err, "sync", "false", "max-buffers", "30",
                             "drop", "true", NULL))
         && chain(op, s, e, NULL, &err);
    guint64 queue_bytes = 0;
    const char *queue = vf_flow_props_get(props, "client-queue-bytes");
    if (ok && queue && !g_ascii_string_to_unsigned(queue, 10, 1, G_MAXUINT64, &queue_bytes, NULL)) {
      err = g_error_new(
          VF_ERROR, VF_ERROR_VALUE,
          "%s(): client_queue_bytes must be a number of bytes above 0, not '" VF_SHORT_FMT "'",
          op->op, VF_SHORT(queue));
      ok = FALSE;
    }
    if (ok) {
      VfRtspOut *out = vf_rtsp_out_new(host, port, mount, queue_bytes);
      vf_rtsp_out_bind(out, vf_pipeline_get_element(f->root->pipeline, e));
      g_ptr_array_add(f->root->rtsp, out);
    }
  } else if (ok) {
    /* Fragments while it runs, a regular MP4 at the end: a failed or killed run leaves a file
     * that plays up to its last fragment, never one without its index (moov). */
    ok = (e = vf_flow_op_add(op, "mp4mux", "muxer", -1, &err, "fragment-duration",
                             G_STRINGIFY(VF_ENCODE_FRAGMENT_MS), "fragment-mode",
                             "first-moov-then-finalise", NULL))
         && chain(op, s, e, NULL, &err)
         && (e = vf_flow_op_add(op, "filesink", "sink", -1, &err, "location", path, "sync", "false",
                                NULL))
         && chain(op, s, e, NULL, &err);
    if (ok)
      vf_flow_outputs_add(f->root, path);
  }
  g_free(host);
  g_free(mount);
  g_free(path);
  /* options of the RTSP output, not of an element (a file output has no such option) */
  const char *options[8] = { rtsp ? "client-queue-bytes" : NULL };
  for (guint i = 0, n = rtsp; reserved && reserved[i] && n + 1 < G_N_ELEMENTS(options); i++)
    options[n++] = reserved[i];
  if (!ok || !vf_flow_op_apply_overrides(op, props, options, &err))
    return vf_flow_op_fail(op, error, err);
  f->ended_by = g_strdup(g_str_equal(op->op, "render") ? "render" : "encode");
  return vf_flow_op_end(op);
}

VfFlow *vf_flow_encode_v(VfFlow *flow, const char *uri, VfEncodeProfile profile, guint bitrate,
                         guint iframeinterval, const char *const *props, GError **error)
{
  FlowOp op;
  if (!vf_flow_op_begin(&op, flow, "encode", FLOW_OP_ENDS, error))
    return NULL;
  return encode_on(&op, uri, profile, bitrate, iframeinterval, props, NULL, error);
}

/* ---- public varargs wrappers ---- */

#define WITH_PROPS(last, call)                                                                     \
  va_list ap;                                                                                      \
  va_start(ap, last);                                                                              \
  GPtrArray *props = vf_flow_collect_props(ap);                                                    \
  va_end(ap);                                                                                      \
  VfFlow *out = call;                                                                              \
  g_ptr_array_unref(props);                                                                        \
  return out

#define PROPS ((const char *const *)props->pdata)

VfFlow *vf_flow_capture(VfFlow *flow, const char *const *uris, GError **error, ...)
{
  WITH_PROPS(error, vf_flow_capture_v(flow, uris, NULL, PROPS, error));
}

VfFlow *vf_flow_inject(VfFlow *flow, VfFeeder *const *feeders, GError **error, ...)
{
  WITH_PROPS(error, vf_flow_inject_v(flow, feeders, PROPS, error));
}

VfFlow *vf_flow_batch_capture(VfFlow *flow, const char *const *uris, GError **error, ...)
{
  WITH_PROPS(error, vf_flow_batch_capture_v(flow, uris, NULL, PROPS, error));
}

VfFlow *vf_flow_batch_capture_file(VfFlow *flow, const char *source_list_yaml, GError **error, ...)
{
  WITH_PROPS(error, vf_flow_batch_capture_file_v(flow, source_list_yaml, PROPS, error));
}

VfFlow *vf_flow_decode(VfFlow *flow, GError **error, ...)
{
  WITH_PROPS(error, vf_flow_decode_v(flow, PROPS, error));
}

VfFlow *vf_flow_batch(VfFlow *flow, guint batch_size, guint width, guint height, GError **error,
                      ...)
{
  WITH_PROPS(error, vf_flow_batch_v(flow, batch_size, width, height, PROPS, error));
}

VfFlow *vf_flow_infer(VfFlow *flow, const char *config, GError **error, ...)
{
  WITH_PROPS(error, vf_flow_infer_v(flow, config, PROPS, error));
}

VfFlow *vf_flow_track(VfFlow *flow, const char *ll_config_file, const char *ll_lib_file,
                      GError **error, ...)
{
  WITH_PROPS(error, vf_flow_track_v(flow, ll_config_file, ll_lib_file, PROPS, error));
}

VfFlow *vf_flow_attach_named(VfFlow *flow, const char *what, const char *instance_name,
                             GError **error, ...)
{
  WITH_PROPS(error, vf_flow_attach_named_v(flow, what, instance_name, PROPS, error));
}

VfFlow *vf_flow_fork(VfFlow *flow, GError **error, ...)
{
  WITH_PROPS(error, vf_flow_fork_v(flow, PROPS, error));
}

VfFlow *vf_flow_retrieve(VfFlow *flow, const VfRetrieverCallbacks *callbacks, gpointer user_data,
                         GError **error, ...)
{
  WITH_PROPS(error, vf_flow_retrieve_v(flow, callbacks, user_data, PROPS, error));
}

VfFlow *vf_flow_retrieve_named(VfFlow *flow, const char *what, const char *instance_name,
                               GError **error, ...)
{
  WITH_PROPS(error, vf_flow_retrieve_named_v(flow, what, instance_name, PROPS, error));
}

VfFlow *vf_flow_render(VfFlow *flow, VfRenderMode mode, GError **error, ...)
{
  WITH_PROPS(error, vf_flow_render_v(flow, mode, PROPS, error));
}

VfFlow *vf_flow_encode(VfFlow *flow, const char *uri, VfEncodeProfile profile, guint bitrate,
                       guint iframeinterval, GError **error, ...)
{
  WITH_PROPS(error, vf_flow_encode_v(flow, uri, profile, bitrate, iframeinterval, PROPS, error));
}

/* ---- running ---- */

static gboolean validate(FlowRoot *root, GError **error)
{
  if (root->error) {
    g_set_error(error, VF_ERROR, root->error->code, "the flow was not built: %s",
                root->error->message);
    return FALSE;
  }
  VfFlow *first = root->flows->pdata[0];
  if (first->streams->len == 0 && !first->ended_by) {
    g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                "the flow is empty: start it with capture(), inject() or batch_capture()");
    return FALSE;
  }
  for (guint i = 0; i < root->flows->len; i++) {
    VfFlow *f = root->flows->pdata[i];
    if (f->forked && f->branches == 0) {
      g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                  "%s(): nothing follows the fork: add the operations of each branch (render, "
                  "encode, retrieve, ...) after fork()",
                  "fork");
      return FALSE;
    }
    if (!f->forked && !f->ended_by && f->streams->len > 0) {
      g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                  "the flow ends after %s() without saying where the frames go: end it with "
                  "render(), encode(), retrieve() or publish()",
                  f->last_op ? f->last_op : "its last operation");
      return FALSE;
    }
  }
  return TRUE;
}

gboolean vf_flow_check(VfFlow *flow, GError **error)
{
  if (flow == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "no flow (an operation failed)");
    return FALSE;
  }
  return validate(flow->root, error);
}

static void stop_rtsp(FlowRoot *root)
{
  for (guint i = 0; i < root->rtsp->len; i++)
    vf_rtsp_out_stop(root->rtsp->pdata[i]);
}

gboolean vf_flow_start(VfFlow *flow, GError **error)
{
  if (flow == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "no flow to run (an operation failed)");
    return FALSE;
  }
  FlowRoot *root = flow->root;
  if (!validate(root, error))
    return FALSE;
  vf_flow_outputs_begin(root);
  if (root->rest_port >= 0 && vf_pipeline_get_rest_server(root->pipeline) == NULL
      && vf_pipeline_serve_rest(root->pipeline, root->rest_address, (guint)root->rest_port, error)
             == NULL)
    return FALSE;
  for (guint i = 0; i < root->rtsp->len; i++) {
    if (!vf_rtsp_out_start(root->rtsp->pdata[i], error)) {
      stop_rtsp(root);
      return FALSE;
    }
  }
  if (!vf_pipeline_start(root->pipeline, error)) {
    stop_rtsp(root);
    vf_flow_outputs_failed(root, error);
    return FALSE;
  }
  return TRUE;
}

gboolean vf_flow_wait(VfFlow *flow, GError **error)
{
  if (flow == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "no flow to wait for (an operation failed)");
    return FALSE;
  }
  gboolean ok = vf_pipeline_wait(flow->root->pipeline, error);
  stop_rtsp(flow->root);
  if (!ok)
    vf_flow_outputs_failed(flow->root, error);
  return ok;
}

gboolean vf_flow_run(VfFlow *flow, GError **error)
{
  return vf_flow_start(flow, error) && vf_flow_wait(flow, error);
}

void vf_flow_stop(VfFlow *flow)
{
  if (flow == NULL)
    return;
  vf_pipeline_stop(flow->root->pipeline);
  stop_rtsp(flow->root);
}

char *vf_flow_get_rtsp_url(VfFlow *flow, guint index)
{
  if (flow == NULL || index >= flow->root->rtsp->len)
    return NULL;
  return vf_rtsp_out_get_url(flow->root->rtsp->pdata[index]);
}

gboolean vf_flow_get_rtsp_stats(VfFlow *flow, guint index, VfRtspStats *stats)
{
  if (stats == NULL)
    return FALSE;
  memset(stats, 0, sizeof *stats);
  if (flow == NULL || index >= flow->root->rtsp->len)
    return FALSE;
  vf_rtsp_out_get_stats(flow->root->rtsp->pdata[index], stats);
  return TRUE;
}
