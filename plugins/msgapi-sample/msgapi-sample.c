/* vidflow: a sample protocol adapter library for vfmsgbroker (vidflow/msgapi.h), in plain C.
 *
 * The "folder" protocol: each message becomes a file NNNNNNNN.msg (a counter, so the names sort
 * in send order) in the folder the conn-str names. It shows the ABI's parts:
 * - connect refuses a conn-str that cannot work (not an absolute path) with a sentence, but not
 *   a folder that is missing: that is an unreachable "broker" (DISCONNECTED); vfmsgbroker spools
 *   and connects again later;
 * - send_async queues, and the acknowledgement comes later, from do_work (after the file was
 *   renamed into place, so a reader never sees half a message);
 * - disconnect frees what is pending without calling back.
 *
 *   gst-launch-1.0 videotestsrc num-buffers=10 ! vfmsgconv payload-type=vidflow ! vfmsgbroker \
 *     proto-lib=build/plugins/msgapi-sample/libvfmsgapi-sample.so conn-str=/tmp/messages \
 *     topic=unused */
#include <vidflow/msgapi.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_SIZE 4096

typedef struct {
  vf_msgapi_send_cb cb;
  void *user_ptr;
} Ack;

typedef struct {
  char *dir;
  unsigned long next; /* file counter */
  int down;
  vf_msgapi_connect_cb connect_cb;
  void *connect_data;
  Ack *acks; /* written, to acknowledge in do_work */
  size_t n_acks, cap_acks;
} Folder;

static int is_dir(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void go_down(Folder *f, const char *why)
{
  if (f->down)
    return;
  f->down = 1;
  f->connect_cb(f, VF_MSGAPI_EVT_DISCONNECTED, why, f->connect_data);
}

VfMsgApiHandle vf_msgapi_connect(const char *conn_str, const char *config,
                                 vf_msgapi_connect_cb connect_cb, void *user_ptr, char *error,
                                 size_t error_size)
{
  (void)config;
  if (conn_str == NULL || conn_str[0] != '/') {
    snprintf(error, error_size, "the folder adapter takes an absolute folder path, not '%s'",
             conn_str ? conn_str : "");
    return NULL;
  }
  Folder *f = calloc(1, sizeof *f);
  f->dir = strdup(conn_str);
  f->connect_cb = connect_cb;
  f->connect_data = user_ptr;
  if (!is_dir(f->dir)) {
    char why[PATH_SIZE + 256];
    snprintf(why, sizeof why, "folder %s does not exist (yet)", f->dir);
    go_down(f, why);
    return f;
  }
  /* continue after the files already there */
  char path[PATH_SIZE];
  do
    snprintf(path, sizeof path, "%s/%08lu.msg", f->dir, ++f->next);
  while (access(path, F_OK) == 0);
  f->next--;
  connect_cb(f, VF_MSGAPI_EVT_CONNECTED, NULL, user_ptr);
  return f;
}

VfMsgApiStatus vf_msgapi_send_async(VfMsgApiHandle handle, const char *topic, const char *key,
                                    const uint8_t *payload, size_t length, vf_msgapi_send_cb cb,
                                    void *user_ptr)
{
  (void)topic;
  (void)key;
  Folder *f = handle;
  if (f->down)
    return VF_MSGAPI_ERR;
  char tmp[PATH_SIZE], path[PATH_SIZE];
  snprintf(tmp, sizeof tmp, "%s/.%08lu.tmp", f->dir, f->next + 1);
  snprintf(path, sizeof path, "%s/%08lu.msg", f->dir, f->next + 1);
  FILE *out = fopen(tmp, "wb");
  int ok = out && fwrite(payload, 1, length, out) == length;
  ok = out && fclose(out) == 0 && ok;
  if (!ok || rename(tmp, path) != 0) {
    char why[PATH_SIZE + 256];
    snprintf(why, sizeof why, "cannot write %s: %s", path, strerror(errno));
    remove(tmp);
    go_down(f, why);
    return VF_MSGAPI_ERR;
  }
  f->next++;
  if (f->n_acks == f->cap_acks) {
    f->cap_acks = f->cap_acks ? f->cap_acks * 2 : 64;
    f->acks = realloc(f->acks, f->cap_acks * sizeof *f->acks);
  }
  f->acks[f->n_acks++] = (Ack){ cb, user_ptr };
  return VF_MSGAPI_OK;
}

void vf_msgapi_do_work(VfMsgApiHandle handle, int timeout_ms)
{
  (void)timeout_ms; /* nothing to wait for: acknowledgements are ready */
  Folder *f = handle;
  if (!f->down && !is_dir(f->dir)) {
    go_down(f, "the folder went away");
    return;
  }
  size_t n = f->n_acks;
  f->n_acks = 0;
  for (size_t i = 0; i < n && !f->down; i++)
    f->acks[i].cb(f->acks[i].user_ptr, VF_MSGAPI_OK, NULL);
}

void vf_msgapi_disconnect(VfMsgApiHandle handle)
{
  Folder *f = handle;
  free(f->acks);
  free(f->dir);
  free(f);
}

const char *vf_msgapi_getversion(void)
{
  return VF_MSGAPI_VERSION;
}

const char *vf_msgapi_get_protocol_name(void)
{
  return "folder";
}
