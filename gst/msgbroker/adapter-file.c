/* vidflow: the "file" adapter: each message as one line of a file (JSON lines).
 *
 *   conn-str: a path or file:///path. The file is appended to (created if needed); its folder
 *   must exist. A message is acknowledged once written to the file (the OS has it; no fsync).
 *   Messages that hold a newline are refused: a line is a message. The topic is not used. */
#include "adapters.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  char *path;
  int fd;
  vf_msgapi_connect_cb connect_cb;
  void *connect_data;
} FileLink;

static void file_disconnect(VfMsgApiHandle handle)
{
  FileLink *l = handle;
  if (l == NULL)
    return;
  if (l->fd >= 0)
    close(l->fd);
  g_free(l->path);
  g_free(l);
}

static VfMsgApiHandle file_connect(const char *conn_str, const char *config,
                                   vf_msgapi_connect_cb connect_cb, void *user_ptr, char *error,
                                   size_t error_size)
{
  (void)config;
  char *path = NULL;
  if (conn_str && g_str_has_prefix(conn_str, "file://")) {
    GError *err = NULL;
    path = g_filename_from_uri(conn_str, NULL, &err);
    if (path == NULL) {
      vf_msg_adapter_error(error, error_size, "conn-str '%s' is not a file URI: %s", conn_str,
                           err->message);
      g_error_free(err);
      return NULL;
    }
  } else if (conn_str && *conn_str && strstr(conn_str, "://") == NULL) {
    path = g_strdup(conn_str);
  } else {
    vf_msg_adapter_error(error, error_size,
                         "conn-str '%s': the file adapter takes a path or file:///path",
                         conn_str ? conn_str : "");
    return NULL;
  }
  char *dir = g_path_get_dirname(path);
  gboolean have_dir = g_file_test(dir, G_FILE_TEST_IS_DIR);
  if (!have_dir)
    vf_msg_adapter_error(error, error_size, "cannot write %s: folder %s does not exist", path, dir);
  g_free(dir);
  if (!have_dir) {
    g_free(path);
    return NULL;
  }
  FileLink *l = g_new0(FileLink, 1);
  l->path = path;
  l->connect_cb = connect_cb;
  l->connect_data = user_ptr;
  l->fd = g_open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (l->fd < 0) {
    char *why = g_strdup_printf("cannot open %s: %s", path, g_strerror(errno));
    connect_cb(l, VF_MSGAPI_EVT_DISCONNECTED, why, user_ptr);
    g_free(why);
  } else {
    connect_cb(l, VF_MSGAPI_EVT_CONNECTED, NULL, user_ptr);
  }
  return l;
}

static VfMsgApiStatus file_send_async(VfMsgApiHandle handle, const char *topic, const char *key,
                                      const uint8_t *payload, size_t length, vf_msgapi_send_cb cb,
                                      void *user_ptr)
{
  (void)topic;
  (void)key;
  FileLink *l = handle;
  if (l->fd < 0)
    return VF_MSGAPI_ERR;
  if (memchr(payload, '\n', length))
    return VF_MSGAPI_REJECTED;
  /* one write of line + newline: appends of several writers do not interleave */
  guint8 *line = g_malloc(length + 1);
  memcpy(line, payload, length);
  line[length] = '\n';
  gsize left = length + 1;
  const guint8 *p = line;
  int saved = 0;
  while (left > 0) {
    ssize_t n = write(l->fd, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      saved = errno;
      break;
    }
    p += n;
    left -= (gsize)n;
  }
  g_free(line);
  if (left > 0) {
    char *why = g_strdup_printf("cannot write %s: %s", l->path, g_strerror(saved));
    close(l->fd);
    l->fd = -1;
    l->connect_cb(l, VF_MSGAPI_EVT_DISCONNECTED, why, l->connect_data);
    g_free(why);
    return VF_MSGAPI_ERR;
  }
  cb(user_ptr, VF_MSGAPI_OK, NULL);
  return VF_MSGAPI_OK;
}

static void file_do_work(VfMsgApiHandle handle, int timeout_ms)
{
  (void)handle;
  (void)timeout_ms; /* writes complete in send_async: nothing to wait for */
}

static const char *file_version(void)
{
  return VF_MSGAPI_VERSION;
}

static const char *file_name(void)
{
  return "file";
}

const VfMsgApiFunctions vf_msg_adapter_file = {
  file_connect, file_send_async, file_do_work, file_disconnect, file_version, file_name,
};
