/* vidflow: Flow.publish, the seed's publish(msg_broker_proto_lib, msg_broker_conn_str, topic,
 * msg_conv_config): vfmsgconv + vfmsgbroker at the end of a (batched) flow. */
#include "flow-private.h"

#include <stdarg.h>

VfFlow *vf_flow_publish_v(VfFlow *flow, const char *msg_broker_proto_lib,
                          const char *msg_broker_conn_str, const char *topic,
                          const char *msg_conv_config, const char *const *props, GError **error)
{
  FlowOp op;
  GError *err = NULL;
  if (!vf_flow_op_begin(&op, flow, "publish", FLOW_OP_ENDS, error))
    return NULL;
  VfFlow *f = op.flow;
  if (!vf_flow_require("publish", "vfmsgconv", "publishing", &err)
      || !vf_flow_require("publish", "vfmsgbroker", "publishing", &err))
    return vf_flow_op_fail(&op, error, err);
  if (msg_broker_conn_str == NULL || *msg_broker_conn_str == '\0')
    err = g_error_new(VF_ERROR, VF_ERROR_ARGUMENT,
                      "publish(): needs msg_broker_conn_str, the broker: host;port or a URI "
                      "(mqtt://host:port/topic, redis://..., kafka://..., file:///path)");
  else if (msg_conv_config && *msg_conv_config
           && !g_file_test(msg_conv_config, G_FILE_TEST_IS_REGULAR))
    err = g_error_new(VF_ERROR, VF_ERROR_NOT_FOUND,
                      "publish(): msg_conv_config '%s' does not exist: check the path",
                      msg_conv_config);
  if (err || (!f->batched && !vf_flow_build_batch(&op, 0, 0, 0, &err)))
    return vf_flow_op_fail(&op, error, err);
  FlowStream *s = g_ptr_array_index(f->streams, 0);
  const char *conv = vf_flow_op_add(&op, "vfmsgconv", "conv", -1, &err, NULL);
  const char *broker = conv ? vf_flow_op_add(&op, "vfmsgbroker", "broker", -1, &err, "conn-str",
                                             msg_broker_conn_str, NULL)
                            : NULL;
  VfPipeline *p = f->root->pipeline;
  gboolean ok
      = broker != NULL
        && (msg_conv_config == NULL || *msg_conv_config == '\0'
            || vf_pipeline_set(p, conv, "config", msg_conv_config, &err))
        && (msg_broker_proto_lib == NULL || *msg_broker_proto_lib == '\0'
            || vf_pipeline_set(p, broker, "proto-lib", msg_broker_proto_lib, &err))
        && (topic == NULL || *topic == '\0' || vf_pipeline_set(p, broker, "topic", topic, &err))
        && vf_flow_op_link(&op, s->element, s->pad, conv, NULL, &err)
        && vf_flow_op_link(&op, conv, NULL, broker, NULL, &err)
        && vf_flow_op_apply_overrides(&op, props, NULL, &err);
  if (!ok)
    return vf_flow_op_fail(&op, error, err);
  vf_flow_stream_set(s, broker, NULL, s->encoded, op.op);
  f->ended_by = g_strdup("publish");
  return vf_flow_op_end(&op);
}

VfFlow *vf_flow_publish(VfFlow *flow, const char *msg_broker_proto_lib,
                        const char *msg_broker_conn_str, const char *topic,
                        const char *msg_conv_config, GError **error, ...)
{
  va_list ap;
  va_start(ap, error);
  GPtrArray *props = vf_flow_collect_props(ap);
  va_end(ap);
  VfFlow *out = vf_flow_publish_v(flow, msg_broker_proto_lib, msg_broker_conn_str, topic,
                                  msg_conv_config, (const char *const *)props->pdata, error);
  g_ptr_array_unref(props);
  return out;
}
