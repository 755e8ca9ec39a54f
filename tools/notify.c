/* vidflow command: systemd's notify protocol, the sending side (notify.h). One lock (lock). */
#include "notify.h"

#include <glib.h>

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static GMutex lock;
static int sock = -1;   /* guarded by lock: the datagram socket, once opened */
static gboolean warned; /* guarded by lock: a failure was said */

/* $NOTIFY_SOCKET as an address; FALSE when it does not fit one. */
static gboolean notify_address(const char *name, struct sockaddr_un *addr, socklen_t *len)
{
  gsize n = strlen(name);
  if (n == 0 || n >= sizeof addr->sun_path)
    return FALSE;
  memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  memcpy(addr->sun_path, name, n);
  if (name[0] == '@')
    addr->sun_path[0] = '\0'; /* an abstract name */
  *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
  return TRUE;
}

void vf_cmd_notify(const char *state)
{
  const char *name = g_getenv("NOTIFY_SOCKET");
  if (name == NULL || state == NULL)
    return;
  struct sockaddr_un addr;
  socklen_t len = 0;
  g_mutex_lock(&lock);
  const char *failed = NULL;
  if (!notify_address(name, &addr, &len))
    failed = "not a unix socket address";
  if (failed == NULL && sock < 0)
    sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (failed == NULL && sock < 0)
    failed = g_strerror(errno);
  if (failed == NULL
      && sendto(sock, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&addr, len) < 0)
    failed = g_strerror(errno);
  if (failed && !warned)
    g_printerr("vidflow: cannot notify the service manager at NOTIFY_SOCKET '%s': %s (the run "
               "goes on; unset NOTIFY_SOCKET or fix the unit)\n",
               name, failed);
  warned |= failed != NULL;
  g_mutex_unlock(&lock);
}
