/* vidflow tests: adapter libraries vfmsgbroker must refuse. Built twice: without
 * BAD_ADAPTER_VERSION it lacks most of the ABI's symbols; with it, it is whole but claims another
 * major version of the ABI. */
#include <vidflow/msgapi.h>

#include <stddef.h>

VfMsgApiHandle vf_msgapi_connect(const char *conn_str, const char *config,
                                 vf_msgapi_connect_cb connect_cb, void *user_ptr, char *error,
                                 size_t error_size)
{
  (void)conn_str;
  (void)config;
  (void)connect_cb;
  (void)user_ptr;
  (void)error;
  (void)error_size;
  return NULL;
}

const char *vf_msgapi_getversion(void)
{
#ifdef BAD_ADAPTER_VERSION
  return BAD_ADAPTER_VERSION;
#else
  return VF_MSGAPI_VERSION;
#endif
}

#ifdef BAD_ADAPTER_VERSION
VfMsgApiStatus vf_msgapi_send_async(VfMsgApiHandle handle, const char *topic, const char *key,
                                    const uint8_t *payload, size_t length, vf_msgapi_send_cb cb,
                                    void *user_ptr)
{
  (void)handle;
  (void)topic;
  (void)key;
  (void)payload;
  (void)length;
  (void)cb;
  (void)user_ptr;
  return VF_MSGAPI_ERR;
}

void vf_msgapi_do_work(VfMsgApiHandle handle, int timeout_ms)
{
  (void)handle;
  (void)timeout_ms;
}

void vf_msgapi_disconnect(VfMsgApiHandle handle)
{
  (void)handle;
}

const char *vf_msgapi_get_protocol_name(void)
{
  return "future";
}
#endif
