/* vidflow: VfFlow internals shared by flow.c (operations on streams, running), flow-capture.c
 * (operations that start a flow), rtsp-out.c and the YAML flow reader. */
#pragma once

#include <vidflow/flow.h>

#include "pipeline-private.h"
#include "property-private.h"
#include "source-list.h"

typedef struct _VfRtspOut VfRtspOut;

/* One stream at the flow's current point: the element (and source pad spec) to link from. */
typedef struct {
  char *element;
  char *pad;             /* NULL: any free source pad; "src_%u" for a tee */
  VfColorFormat encoded; /* UNKNOWN: decoded video; JPEG/H264: encoded (decode() it) */
  char *origin;          /* the operation that made it, for messages */
} FlowStream;

typedef struct {
  VfPipeline *pipeline;
  GPtrArray *flows;   /* every VfFlow handle, owned; [0] is the one vf_flow_new returned */
  GError *error;      /* first building error */
  guint ops;          /* operations so far (element names) */
  GPtrArray *rtsp;    /* VfRtspOut*, owned, in creation order */
  GPtrArray *outputs; /* (nullable) files encode() writes (flow-outputs.c) */
  char *rest_address; /* batch_capture's REST server (nullable: 127.0.0.1) */
  gint rest_port;     /* -1: none; 0: any free port */
} FlowRoot;

struct _VfFlow {
  FlowRoot *root;
  GPtrArray *streams; /* FlowStream*, owned */
  gboolean batched;
  gboolean inferred; /* objects may be in the metadata (vfosd draws them) */
  gboolean forked;
  char *fork_name; /* "fork3": names of branch queues */
  guint branches;
  char *ended_by; /* the operation that ended this flow (render, encode, retrieve) */
  char *last_op;
};

/* An operation being built: its name ("capture3"), the flow it builds on, and the elements it
 * made (targets of the overrides). */
typedef struct {
  VfFlow *flow;
  const char *op;      /* "capture" */
  char *name;          /* "capture3" */
  GPtrArray *elements; /* char*, owned */
} FlowOp;

typedef enum {
  FLOW_OP_STARTS = 1 << 0, /* only on an empty flow */
  FLOW_OP_ENDS = 1 << 1,   /* nothing may follow (render, encode, retrieve) */
} FlowOpFlags;

/* flow.c: the framework every operation uses. */
gboolean vf_flow_op_begin(FlowOp *op, VfFlow *flow, const char *name, FlowOpFlags flags,
                          GError **error);
/* Records a failure (the first one stays in the flow) and cleans the op; returns NULL. */
VfFlow *vf_flow_op_fail(FlowOp *op, GError **error, GError *err);
/* Cleans the op and returns its flow. */
VfFlow *vf_flow_op_end(FlowOp *op);
/* Add an element named "<op>-<role><index>" (index < 0: no index); returns its name
 * (transfer none, owned by the op) or NULL. */
const char *vf_flow_op_add(FlowOp *op, const char *factory, const char *role, gint index,
                           GError **error, ...) G_GNUC_NULL_TERMINATED;
gboolean vf_flow_op_link(FlowOp *op, const char *src, const char *src_pad, const char *sink,
                         const char *sink_pad, GError **error);
/* Set the overrides (name/value pairs, '_' for '-') on the op's elements; keys listed in
 * `reserved` (NULL-terminated, nullable) are options of the op and skipped. */
gboolean vf_flow_op_apply_overrides(FlowOp *op, const char *const *props,
                                    const char *const *reserved, GError **error);
/* FALSE with a clear error when a vidflow/GStreamer element the op needs is missing. */
gboolean vf_flow_require(const char *op, const char *factory, const char *why, GError **error);
/* The streams replaced by one new stream. */
void vf_flow_set_single_stream(VfFlow *flow, const char *element, const char *pad,
                               const char *origin);
void vf_flow_stream_set(FlowStream *s, const char *element, const char *pad, VfColorFormat encoded,
                        const char *origin);
/* The value of option `key` in props (either spelling), or NULL. */
const char *vf_flow_props_get(const char *const *props, const char *key);
/* Name/value pairs from a va_list up to NULL (transfer container: free with g_ptr_array_unref);
 * pdata is NULL-terminated. */
GPtrArray *vf_flow_collect_props(va_list ap);

/* The operations, with overrides as arrays (the YAML reader uses these). base_dir: where
 * relative paths are taken from (NULL: the current directory). */
VfFlow *vf_flow_capture_v(VfFlow *flow, const char *const *uris, const char *base_dir,
                          const char *const *props, GError **error);
VfFlow *vf_flow_inject_v(VfFlow *flow, VfFeeder *const *feeders, const char *const *props,
                         GError **error);
VfFlow *vf_flow_batch_capture_v(VfFlow *flow, const char *const *uris, const char *base_dir,
                                const char *const *props, GError **error);
VfFlow *vf_flow_batch_capture_file_v(VfFlow *flow, const char *path, const char *const *props,
                                     GError **error);
VfFlow *vf_flow_decode_v(VfFlow *flow, const char *const *props, GError **error);
VfFlow *vf_flow_batch_v(VfFlow *flow, guint batch_size, guint width, guint height,
                        const char *const *props, GError **error);
VfFlow *vf_flow_infer_v(VfFlow *flow, const char *config, const char *const *props, GError **error);
VfFlow *vf_flow_track_v(VfFlow *flow, const char *ll_config_file, const char *ll_lib_file,
                        const char *const *props, GError **error);
VfFlow *vf_flow_attach_named_v(VfFlow *flow, const char *what, const char *instance_name,
                               const char *const *params, GError **error);
VfFlow *vf_flow_fork_v(VfFlow *flow, const char *const *props, GError **error);
VfFlow *vf_flow_retrieve_v(VfFlow *flow, const VfRetrieverCallbacks *callbacks, gpointer user_data,
                           const char *const *props, GError **error);
/* Retrieve into a custom-object retriever ("plugin.retriever"). */
VfFlow *vf_flow_retrieve_named_v(VfFlow *flow, const char *what, const char *instance_name,
                                 const char *const *params, GError **error);
VfFlow *vf_flow_render_v(VfFlow *flow, VfRenderMode mode, const char *const *props, GError **error);
VfFlow *vf_flow_encode_v(VfFlow *flow, const char *uri, VfEncodeProfile profile, guint bitrate,
                         guint iframeinterval, const char *const *props, GError **error);
/* flow-publish.c */
VfFlow *vf_flow_publish_v(VfFlow *flow, const char *msg_broker_proto_lib,
                          const char *msg_broker_conn_str, const char *topic,
                          const char *msg_conv_config, const char *const *props, GError **error);

/* Used inside operations (no order checks, no overrides). */
gboolean vf_flow_build_capture(FlowOp *op, const char *const *uris, const char *base_dir,
                               GError **error);
/* flow-ipc.c: ipc://NAME endpoints (one batched stream each). */
gboolean vf_flow_is_ipc_uri(const char *uri);
gboolean vf_flow_build_ipc_capture(FlowOp *op, const char *const *uris, GError **error);
gboolean vf_flow_build_ipc_retrieve(FlowOp *op, const char *uri, const char *const *props,
                                    GError **error);
gboolean vf_flow_build_batch(FlowOp *op, guint batch_size, guint width, guint height,
                             GError **error);

/* flow.c: batch_capture asked for a REST server (rest.h), started by vf_flow_start. */
void vf_flow_set_rest(VfFlow *flow, const char *address, guint port);

/* flow-outputs.c: files the flow writes; those a failed run created are removed. */
void vf_flow_outputs_add(FlowRoot *root, const char *path);
/* Before a run: which outputs exist already (they are never removed). */
void vf_flow_outputs_begin(FlowRoot *root);
/* After a failed or stopped run: remove the outputs it created, saying so in *error. */
void vf_flow_outputs_failed(FlowRoot *root, GError **error);
void vf_flow_outputs_free(FlowRoot *root);

/* rtsp-out.c: H.264 access units from an appsink served by gst-rtsp-server. */
/* client_bytes: the bound of each client's queue (0: VF_RTSP_CLIENT_QUEUE_BYTES). */
VfRtspOut *vf_rtsp_out_new(const char *host, guint port, const char *mount, guint64 client_bytes);
void vf_rtsp_out_free(VfRtspOut *out);
/* Feed from this appsink (the output keeps a reference). */
void vf_rtsp_out_bind(VfRtspOut *out, GstElement *appsink);
/* Bind the port and serve (a thread of its own). */
gboolean vf_rtsp_out_start(VfRtspOut *out, GError **error);
void vf_rtsp_out_stop(VfRtspOut *out);
/* rtsp://host:port/mount with the bound port (transfer full). */
char *vf_rtsp_out_get_url(VfRtspOut *out);
void vf_rtsp_out_get_stats(VfRtspOut *out, VfRtspStats *stats);
