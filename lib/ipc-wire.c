/* vidflow: the IPC wire format: a versioned header per message, host-order fields, file
 * descriptors as SCM_RIGHTS on a SOCK_SEQPACKET socket (one message per datagram). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error-private.h"
#include "ipc-private.h"

#define NULL_STRING G_MAXUINT32

void vf_ipc_put_u8(GByteArray *out, guint8 v)
{
  g_byte_array_append(out, &v, sizeof v);
}

void vf_ipc_put_u32(GByteArray *out, guint32 v)
{
  g_byte_array_append(out, (const guint8 *)&v, sizeof v);
}

void vf_ipc_put_i32(GByteArray *out, gint32 v)
{
  g_byte_array_append(out, (const guint8 *)&v, sizeof v);
}

void vf_ipc_put_u64(GByteArray *out, guint64 v)
{
  g_byte_array_append(out, (const guint8 *)&v, sizeof v);
}

void vf_ipc_put_f32(GByteArray *out, gfloat v)
{
  g_byte_array_append(out, (const guint8 *)&v, sizeof v);
}

void vf_ipc_put_f64(GByteArray *out, gdouble v)
{
  g_byte_array_append(out, (const guint8 *)&v, sizeof v);
}

void vf_ipc_put_str(GByteArray *out, const char *s)
{
  if (s == NULL) {
    vf_ipc_put_u32(out, NULL_STRING);
    return;
  }
  vf_ipc_put_bytes(out, (const guint8 *)s, (guint32)strlen(s));
}

void vf_ipc_put_bytes(GByteArray *out, const guint8 *data, guint32 size)
{
  vf_ipc_put_u32(out, size);
  if (size)
    g_byte_array_append(out, data, size);
}

static gboolean take(VfIpcReader *r, void *dst, gsize n)
{
  if (r->bad || r->left < n) {
    r->bad = TRUE;
    memset(dst, 0, n);
    return FALSE;
  }
  memcpy(dst, r->p, n);
  r->p += n;
  r->left -= n;
  return TRUE;
}

guint8 vf_ipc_get_u8(VfIpcReader *r)
{
  guint8 v;
  take(r, &v, sizeof v);
  return v;
}

guint32 vf_ipc_get_u32(VfIpcReader *r)
{
  guint32 v;
  take(r, &v, sizeof v);
  return v;
}

gint32 vf_ipc_get_i32(VfIpcReader *r)
{
  gint32 v;
  take(r, &v, sizeof v);
  return v;
}

guint64 vf_ipc_get_u64(VfIpcReader *r)
{
  guint64 v;
  take(r, &v, sizeof v);
  return v;
}

gfloat vf_ipc_get_f32(VfIpcReader *r)
{
  gfloat v;
  take(r, &v, sizeof v);
  return v;
}

gdouble vf_ipc_get_f64(VfIpcReader *r)
{
  gdouble v;
  take(r, &v, sizeof v);
  return v;
}

const guint8 *vf_ipc_get_bytes(VfIpcReader *r, guint32 *size)
{
  guint32 n = vf_ipc_get_u32(r);
  *size = 0;
  if (r->bad || n == NULL_STRING)
    return NULL;
  if (r->left < n) {
    r->bad = TRUE;
    return NULL;
  }
  const guint8 *p = r->p;
  r->p += n;
  r->left -= n;
  *size = n;
  return p;
}

char *vf_ipc_get_str(VfIpcReader *r)
{
  guint32 n = 0;
  VfIpcReader before = *r;
  const guint8 *p = vf_ipc_get_bytes(r, &n);
  if (p == NULL) {
    /* NULL string, or an empty one */
    if (!r->bad && vf_ipc_get_u32(&before) == 0)
      return g_strdup("");
    return NULL;
  }
  return g_strndup((const char *)p, n);
}

gboolean vf_ipc_send(int sock, VfIpcMsgType type, const GByteArray *payload, const int *fds,
                     guint n_fds, const char *peer, GError **error)
{
  VfIpcHeader h
      = { VF_IPC_MAGIC, VF_IPC_WIRE_VERSION, (guint16)type, payload ? payload->len : 0, 0 };
  struct iovec iov[2] = { { &h, sizeof h }, { payload ? payload->data : NULL, h.length } };
  struct msghdr msg = { 0 };
  msg.msg_iov = iov;
  msg.msg_iovlen = h.length ? 2 : 1;
  union {
    char buf[CMSG_SPACE(sizeof(int) * VF_IPC_MAX_FDS)];
    struct cmsghdr align;
  } control;
  if (n_fds > VF_IPC_MAX_FDS) {
    g_set_error(error, VF_ERROR, VF_ERROR_FAILED, "ipc %s: %u memories in one message, at most %d",
                peer, n_fds, VF_IPC_MAX_FDS);
    return FALSE;
  }
  if (n_fds) {
    memset(&control, 0, sizeof control);
    msg.msg_control = control.buf;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
  }
  ssize_t n;
  do
    n = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    int e = errno;
    if (e == EMSGSIZE)
      g_set_error(error, VF_ERROR, VF_ERROR_SIZE,
                  "ipc %s: a message of %u bytes is larger than the socket takes (too much "
                  "metadata on one buffer: send fewer objects or display items)",
                  peer, h.length);
    else
      g_set_error(error, VF_ERROR, VF_ERROR_STREAM, "ipc %s: send failed: %s", peer, g_strerror(e));
    return FALSE;
  }
  return TRUE;
}

gint vf_ipc_recv(int sock, GByteArray *message, VfIpcHeader *header, int *fds, guint *n_fds,
                 const char *peer, GError **error)
{
  *n_fds = 0;
  /* the datagram's full length first (MSG_TRUNC reports it), then the datagram itself */
  char probe;
  ssize_t len;
  do
    len = recv(sock, &probe, 1, MSG_PEEK | MSG_TRUNC);
  while (len < 0 && errno == EINTR);
  if (len == 0)
    return 1;
  if (len < 0) {
    if (errno == ECONNRESET)
      return 1;
    g_set_error(error, VF_ERROR, VF_ERROR_STREAM, "ipc %s: receive failed: %s", peer,
                g_strerror(errno));
    return -1;
  }
  g_byte_array_set_size(message, (guint)len);
  struct iovec iov = { message->data, (gsize)len };
  union {
    char buf[CMSG_SPACE(sizeof(int) * VF_IPC_MAX_FDS)];
    struct cmsghdr align;
  } control;
  struct msghdr msg = { 0 };
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  ssize_t n;
  do
    n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n == 0)
    return 1;
  if (n < 0) {
    if (errno == ECONNRESET)
      return 1;
    g_set_error(error, VF_ERROR, VF_ERROR_STREAM, "ipc %s: receive failed: %s", peer,
                g_strerror(errno));
    return -1;
  }
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
      continue;
    guint k = (guint)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    int *in = (int *)CMSG_DATA(c);
    for (guint i = 0; i < k; i++) {
      if (*n_fds < VF_IPC_MAX_FDS)
        fds[(*n_fds)++] = in[i];
      else
        close(in[i]);
    }
  }
  if ((gsize)n < sizeof(VfIpcHeader)) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "ipc %s: a message of %zd bytes is shorter than a header", peer, n);
    goto bad;
  }
  memcpy(header, message->data, sizeof *header);
  if (header->magic != VF_IPC_MAGIC) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "ipc %s: not a vidflow IPC peer (bad magic 0x%08x): check the socket path", peer,
                header->magic);
    goto bad;
  }
  if (header->version != VF_IPC_WIRE_VERSION) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "ipc %s: wire format version %u, this side speaks version %u: run both sides "
                "with the same vidflow",
                peer, header->version, VF_IPC_WIRE_VERSION);
    goto bad;
  }
  if (header->length != (gsize)n - sizeof(VfIpcHeader)) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT, "ipc %s: a message says %u bytes but holds %zu",
                peer, header->length, (gsize)n - sizeof(VfIpcHeader));
    goto bad;
  }
  g_byte_array_remove_range(message, 0, sizeof(VfIpcHeader));
  return 0;
bad:
  for (guint i = 0; i < *n_fds; i++)
    close(fds[i]);
  *n_fds = 0;
  return -1;
}
