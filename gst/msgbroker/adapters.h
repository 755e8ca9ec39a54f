/* vidflow: finding vfmsgbroker's protocol adapters (vidflow/msgapi.h): the file adapter built
 * in, vidflow's adapter libraries (libvfmsgapi-mqtt/redis/kafka.so, adapter-module.h) found by
 * name, and adapter libraries given by path. */
#pragma once

#include "adapter-module.h"

#include <gst/gst.h>

/* The adapter `proto_lib` names: vidflow's ("mqtt", "redis", "kafka": its libraries, searched
 * in VIDFLOW_MSGAPI_PATH, the build tree and <libdir>/vidflow/msgapi; "file", built in), a
 * DeepStream adapter library name (libnvds_kafka_proto.so and the like: vidflow's adapter of
 * that protocol, when no such file exists), or the path of an adapter library (loaded once,
 * never unloaded). *protocol (transfer none) gets its protocol name. NULL with an error that
 * names what is missing and what exists. Thread-safe. */
const VfMsgApiFunctions *vf_msg_adapter_find(const char *proto_lib, const char **protocol,
                                             GError **error);
/* The adapter names vidflow knows, ", "-separated (transfer none). */
const char *vf_msg_adapter_builtin_names(void);

/* The built-in file adapter. */
extern const VfMsgApiFunctions vf_msg_adapter_file;
