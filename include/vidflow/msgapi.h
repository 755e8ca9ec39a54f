/* vidflow: the protocol adapter ABI of vfmsgbroker (shaped like DeepStream's nvds_msgapi).
 *
 * vfmsgbroker sends messages through an adapter: a shared library that exports the functions
 * below (proto-lib=/path/libmyproto.so), or one of vidflow's: mqtt, redis and kafka are such
 * libraries too (libvfmsgapi-<name>.so, found by name in VIDFLOW_MSGAPI_PATH, the build tree and
 * <libdir>/vidflow/msgapi, loaded only when used); file is built in. Plain C, no GLib needed;
 * plugins/msgapi-sample/ is a complete adapter, plugins/msgapi/ holds vidflow's.
 *
 * The contract:
 * - Threads: vfmsgbroker calls an adapter from one thread at a time (its delivery thread, and
 *   the state-change thread for the first connect). Callbacks fire only from inside
 *   vf_msgapi_connect, vf_msgapi_send_async or vf_msgapi_do_work, on the calling thread.
 * - connect: parse conn_str (and the adapter config file `config`, which may be NULL) and start
 *   connecting. Return NULL, with a sentence in `error` (error_size bytes, NUL-terminated), only
 *   when they are wrong (unparseable conn-str, unknown option, bad value): that is permanent,
 *   vfmsgbroker fails to start with the sentence. A broker that cannot be reached is not an
 *   error of connect: return the handle and report VF_MSGAPI_EVT_DISCONNECTED (now or from
 *   do_work); report VF_MSGAPI_EVT_CONNECTED once messages can be sent. After DISCONNECTED the
 *   adapter need not reconnect: vfmsgbroker disconnects the handle and, after a backoff,
 *   connects again (it spools messages meanwhile).
 * - send_async: queue one message for `topic` (never NULL) with an optional `key` (NULL: none;
 *   partitioning brokers keep one key in order) and return VF_MSGAPI_OK, then call `cb` exactly
 *   once when the broker acknowledged it (VF_MSGAPI_OK), or failed to (VF_MSGAPI_ERR: the
 *   connection broke; vfmsgbroker sends it again later) or refused it for good
 *   (VF_MSGAPI_REJECTED: too large, unknown topic, wrong type; resending would not help). A
 *   non-OK return means the message was not queued and `cb` will not fire. The payload is valid
 *   during the call only: copy it. Messages of one connection reach the broker in send order.
 * - do_work: service the connection: write what is queued, read acknowledgements and fire their
 *   callbacks, keep the connection alive. Wait up to timeout_ms for I/O (0: do not wait). A
 *   timeout above 0 means vfmsgbroker sends nothing more until acknowledgements come: an adapter
 *   that holds messages back to batch them should send them now.
 *   vfmsgbroker calls it all the time while connected, so an adapter needs no thread of its own.
 * - disconnect: close and free the handle. Callbacks of messages still pending need not fire
 *   (vfmsgbroker sends those again); no callback fires after disconnect returns.
 * - getversion: VF_MSGAPI_VERSION as the adapter was built ("major.minor"); a library with
 *   another major version is refused. get_protocol_name: "mqtt", "kafka", ... for messages.
 *
 * Every symbol is required; a library missing one is refused with an error naming it. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VF_MSGAPI_VERSION "1.0"

typedef void *VfMsgApiHandle;

typedef enum {
  VF_MSGAPI_OK = 0,
  VF_MSGAPI_ERR = 1,      /* failed now (not connected, connection broke): try again later */
  VF_MSGAPI_REJECTED = 2, /* the broker refused this message: resending would not help */
} VfMsgApiStatus;

typedef enum {
  VF_MSGAPI_EVT_CONNECTED = 0, /* messages can be sent */
  VF_MSGAPI_EVT_DISCONNECTED,  /* the broker is unreachable or the connection broke */
} VfMsgApiEvent;

/* detail: (nullable) why, for messages (valid during the call). */
typedef void (*vf_msgapi_connect_cb)(VfMsgApiHandle handle, VfMsgApiEvent event, const char *detail,
                                     void *user_ptr);
typedef void (*vf_msgapi_send_cb)(void *user_ptr, VfMsgApiStatus status, const char *detail);

/* An adapter library defines these (exported even when built with -fvisibility=hidden). */
#define VF_MSGAPI_EXPORT __attribute__((visibility("default")))

VF_MSGAPI_EXPORT VfMsgApiHandle vf_msgapi_connect(const char *conn_str, const char *config,
                                                  vf_msgapi_connect_cb connect_cb, void *user_ptr,
                                                  char *error, size_t error_size);
VF_MSGAPI_EXPORT VfMsgApiStatus vf_msgapi_send_async(VfMsgApiHandle handle, const char *topic,
                                                     const char *key, const uint8_t *payload,
                                                     size_t length, vf_msgapi_send_cb cb,
                                                     void *user_ptr);
VF_MSGAPI_EXPORT void vf_msgapi_do_work(VfMsgApiHandle handle, int timeout_ms);
VF_MSGAPI_EXPORT void vf_msgapi_disconnect(VfMsgApiHandle handle);
VF_MSGAPI_EXPORT const char *vf_msgapi_getversion(void);
VF_MSGAPI_EXPORT const char *vf_msgapi_get_protocol_name(void);

/* The same functions as a table (how vfmsgbroker holds built-in and loaded adapters). */
typedef struct {
  VfMsgApiHandle (*connect)(const char *conn_str, const char *config,
                            vf_msgapi_connect_cb connect_cb, void *user_ptr, char *error,
                            size_t error_size);
  VfMsgApiStatus (*send_async)(VfMsgApiHandle handle, const char *topic, const char *key,
                               const uint8_t *payload, size_t length, vf_msgapi_send_cb cb,
                               void *user_ptr);
  void (*do_work)(VfMsgApiHandle handle, int timeout_ms);
  void (*disconnect)(VfMsgApiHandle handle);
  const char *(*getversion)(void);
  const char *(*get_protocol_name)(void);
} VfMsgApiFunctions;

#ifdef __cplusplus
}
#endif
