/* vidflow: the Flow API's ipc://NAME endpoints (ipc.h): capture from another process's flow
 * (a vfipcsrc) and retrieve into one (a vfipcsink), over the socket NAME in $XDG_RUNTIME_DIR.
 *
 * An ipc endpoint carries one batched stream (video/x-raw(meta:VfBatch) with its metadata): a
 * flow that is not batched yet is batched before it is sent, and a flow captured from an ipc
 * endpoint is batched, with whatever the producer inferred in its metadata. */
#include "flow-private.h"

#include <string.h>
#include <vidflow/ipc.h>

#define IPC_SCHEME "ipc://"

gboolean vf_flow_is_ipc_uri(const char *uri)
{
  return uri && g_str_has_prefix(uri, IPC_SCHEME);
}

static const char *ipc_name(const char *op, const char *uri, GError **error)
{
  const char *name = uri + strlen(IPC_SCHEME);
  if (*name == '\0') {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "%s(): '%s' names no socket: write ipc://NAME (a socket in $XDG_RUNTIME_DIR)", op,
                uri);
    return NULL;
  }
  char *path = vf_ipc_socket_path(name, error);
  if (path == NULL) {
    g_prefix_error(error, "%s(): ", op);
    return NULL;
  }
  g_free(path);
  return name;
}

gboolean vf_flow_build_ipc_capture(FlowOp *op, const char *const *uris, GError **error)
{
  if (!g_str_equal(op->op, "capture")) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "%s(): '%s': an ipc:// endpoint is captured alone (capture, not %s: it carries "
                "a batch already)",
                op->op, uris[0], op->op);
    return FALSE;
  }
  if (uris[1] != NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                "%s(): an ipc:// endpoint carries a whole batch: capture one ipc:// endpoint per "
                "flow, alone",
                op->op);
    return FALSE;
  }
  const char *name = ipc_name(op->op, uris[0], error);
  if (name == NULL || !vf_flow_require(op->op, "vfipcsrc", "capturing from ipc://", error))
    return FALSE;
  const char *src = vf_flow_op_add(op, "vfipcsrc", "src", 0, error, "socket-path", name, NULL);
  if (src == NULL)
    return FALSE;
  vf_flow_set_single_stream(op->flow, src, NULL, op->op);
  op->flow->batched = TRUE;
  op->flow->inferred = TRUE; /* the producer's detections come with the frames */
  return TRUE;
}

gboolean vf_flow_build_ipc_retrieve(FlowOp *op, const char *uri, const char *const *props,
                                    GError **error)
{
  const char *name = ipc_name(op->op, uri, error);
  if (name == NULL || !vf_flow_require(op->op, "vfipcsink", "retrieving into ipc://", error))
    return FALSE;
  if (!op->flow->batched && !vf_flow_build_batch(op, 0, 0, 0, error))
    return FALSE;
  FlowStream *s = g_ptr_array_index(op->flow->streams, 0);
  const char *sink = vf_flow_op_add(op, "vfipcsink", "sink", -1, error, "socket-path", name, NULL);
  if (sink == NULL || !vf_flow_op_link(op, s->element, s->pad, sink, NULL, error))
    return FALSE;
  vf_flow_stream_set(s, sink, NULL, s->encoded, op->op);
  return vf_flow_op_apply_overrides(op, props, NULL, error);
}
