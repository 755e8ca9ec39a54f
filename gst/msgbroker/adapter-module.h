/* vidflow: what vfmsgbroker's own protocol adapters share. mqtt, redis and kafka are adapter
 * libraries of the public ABI (vidflow/msgapi.h), libvfmsgapi-<name>.so, loaded only when used
 * (so pipelines that publish nothing never load librdkafka & co.); file is built into the
 * plugin. Each adapter file defines its functions as static and names them once with
 * VF_MSGAPI_ADAPTER (the exported ABI) or in a VfMsgApiFunctions table (built in). */
#pragma once

#include <glib.h>
#include <vidflow/msgapi.h>

/* Fills `error` (error_size bytes) with a formatted sentence, for connect (connstr.c). */
void vf_msg_adapter_error(char *error, size_t error_size, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* The exported functions of an adapter library, forwarding to the file's static ones. */
#define VF_MSGAPI_ADAPTER(name_, connect_, send_async_, do_work_, disconnect_)                     \
  VfMsgApiHandle vf_msgapi_connect(const char *conn_str, const char *config,                       \
                                   vf_msgapi_connect_cb connect_cb, void *user_ptr, char *error,   \
                                   size_t error_size)                                              \
  {                                                                                                \
    return connect_(conn_str, config, connect_cb, user_ptr, error, error_size);                    \
  }                                                                                                \
  VfMsgApiStatus vf_msgapi_send_async(VfMsgApiHandle handle, const char *topic, const char *key,   \
                                      const uint8_t *payload, size_t length, vf_msgapi_send_cb cb, \
                                      void *user_ptr)                                              \
  {                                                                                                \
    return send_async_(handle, topic, key, payload, length, cb, user_ptr);                         \
  }                                                                                                \
  void vf_msgapi_do_work(VfMsgApiHandle handle, int timeout_ms)                                    \
  {                                                                                                \
    do_work_(handle, timeout_ms);                                                                  \
  }                                                                                                \
  void vf_msgapi_disconnect(VfMsgApiHandle handle)                                                 \
  {                                                                                                \
    disconnect_(handle);                                                                           \
  }                                                                                                \
  const char *vf_msgapi_getversion(void)                                                           \
  {                                                                                                \
    return VF_MSGAPI_VERSION;                                                                      \
  }                                                                                                \
  const char *vf_msgapi_get_protocol_name(void)                                                    \
  {                                                                                                \
    return name_;                                                                                  \
  }
