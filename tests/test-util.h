/* vidflow tests: small helpers shared by the test programs. */
#pragma once

#include <vidflow/vidflow.h>

#include <string.h>

/* Assert no error, printing it when there is one. */
#define VF_ASSERT_OK(ok, err)                                                                      \
  do {                                                                                             \
    if (!(ok))                                                                                     \
      g_error("unexpected failure at %s:%d: %s", __FILE__, __LINE__,                               \
              (err) ? (err)->message : "(no error set)");                                          \
  } while (0)

/* A provider of `count` RGB frames of w x h, pixel value = frame number. */
typedef struct {
  guint width, height, count, made;
  VfColorFormat format;
  gsize wrong_size; /* if non-zero: return buffers of this size instead */
  gboolean wrong_format;
  gboolean fail_at_first; /* set *error */
  gpointer data[64];      /* the memory of each frame made, to check zero-copy */
} TestSource;

static inline void test_free_data(gpointer data)
{
  g_free(data);
}

static inline VfBuffer *test_source_generate(gsize size, gpointer user_data, GError **error)
{
  TestSource *s = user_data;
  if (s->fail_at_first) {
    g_set_error_literal(error, VF_ERROR, VF_ERROR_FAILED, "camera unplugged");
    return NULL;
  }
  if (s->made >= s->count)
    return vf_buffer_new_empty();
  s->made++;
  if (s->wrong_size) {
    guint8 *d = g_malloc0(s->wrong_size);
    GstBuffer *b = gst_buffer_new_wrapped(d, s->wrong_size);
    VfBuffer *out = vf_buffer_new_from_gst(b, NULL); /* takes its own reference */
    gst_buffer_unref(b);
    return out;
  }
  VfColorFormat format = s->wrong_format ? VF_COLOR_FORMAT_RGBA : s->format;
  if (s->wrong_format)
    size = (gsize)s->width * s->height * 4;
  guint8 *d = g_malloc(size);
  memset(d, (int)(s->made & 0xff), size);
  if (s->made <= 64)
    s->data[s->made - 1] = d;
  return vf_buffer_new_wrapped(format, s->width, s->height, NULL, d, size, d, test_free_data,
                               error);
}
