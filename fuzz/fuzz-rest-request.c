/* libFuzzer target: REST requests (lib/rest-request.c, DeepStream's REST API shape), the reader
 * alone (no server, no GStreamer). An input is "METHOD PATH\nBODY": its first line gives the
 * method and the path, the rest is the body, any bytes. What every answer must be:
 *   - refused: with 404 exactly when the path is no endpoint, 405 for the wrong method, 413 for a
 *     body over VF_REST_MAX_BODY, else 400; and an error that says why (short, UTF-8);
 *   - read: the endpoint of the path, the method it takes, and the fields its handler relies on
 *     (a sensor id, a URL to add, values within the ranges the elements accept). */
#include "rest-request.h"

#include "fuzz-common.h"

#include <string.h>

#define FUZZ_NOW_US ((gint64)1700000000 * G_USEC_PER_SEC) /* a fixed "now": runs repeat */
#define MAX_SECONDS_BEFORE 3600
#define MAX_DURATION 86400

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void check_request(const VfRestRequest *r, const char *method, const char *path)
{
  const char *allowed = vf_rest_allowed_method(path);
  if (allowed == NULL || g_strcmp0(allowed, method) != 0 || r->name == NULL)
    abort();
  gboolean sensor = r->camera_id != NULL && *r->camera_id != '\0';
  switch (r->kind) {
  case VF_REST_STREAM_ADD:
    if (!sensor || r->camera_url == NULL || *r->camera_url == '\0')
      abort();
    break;
  case VF_REST_STREAM_REMOVE:
    if (!sensor)
      abort();
    break;
  case VF_REST_INFER_INTERVAL:
  case VF_REST_MUX_PUSH_TIMEOUT:
    if (r->value < 0)
      abort();
    break;
  case VF_REST_ENC_BITRATE:
    if (r->value < 1000)
      abort();
    break;
  case VF_REST_ENC_FORCE_IDR:
  case VF_REST_APP_QUIT:
    if (r->value != 0 && r->value != 1)
      abort();
    break;
  case VF_REST_RECORD_START:
    if (!sensor || r->seconds_before > MAX_SECONDS_BEFORE || r->duration > MAX_DURATION)
      abort();
    break;
  case VF_REST_RECORD_STOP:
    if (!sensor)
      abort();
    break;
  case VF_REST_STREAM_INFO:
  case VF_REST_HEALTH:
    break;
  default:
    abort();
  }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
  fuzz_init_logging(NULL);
  const char *text = (const char *)data;
  const char *eol = memchr(text, '\n', size);
  gsize head_len = eol ? (gsize)(eol - text) : size;
  char *head = g_strndup(text, head_len); /* up to a NUL inside, as a server would read it */
  const char *body = eol ? eol + 1 : NULL;
  gsize body_len = eol ? size - head_len - 1 : 0;
  char *space = strchr(head, ' ');
  const char *method = head, *path = space ? space + 1 : NULL;
  if (space)
    *space = '\0';
  guint status = 0;
  GError *err = NULL;
  VfRestRequest *r
      = vf_rest_request_parse(method, path, body, body_len, FUZZ_NOW_US, &status, &err);
  fuzz_check_error(r != NULL, err);
  if (r) {
    check_request(r, method, path);
  } else {
    const char *allowed = vf_rest_allowed_method(path);
    guint expected = allowed == NULL                   ? 404
                     : g_strcmp0(allowed, method) != 0 ? 405
                     : body_len > VF_REST_MAX_BODY     ? 413
                                                       : 400;
    if (status != expected) {
      fprintf(stderr, "fuzz: status %u, expected %u: %s\n", status, expected, err->message);
      abort();
    }
  }
  g_clear_error(&err);
  vf_rest_request_free(r);
  g_free(head);
  return 0;
}
