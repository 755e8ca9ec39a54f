/* vidflow tests: vfmsgbroker's spool (gst/msgbroker/spool.c) on its own: appended records wait
 * in memory until vf_msg_log_sync, and a message that left the memory cache is read back right
 * from them as from the files; after a rewind everything unacknowledged comes again, in order;
 * a spool folder of one's own keeps unacknowledged messages across a close. */
#include "spool-bytes.h"
#include "../../gst/msgbroker/spool.h"

#include <glib/gstdio.h>
#include <string.h>

GST_DEBUG_CATEGORY(vf_msgbroker_debug);

#define COUNT 40
#define CACHE 1

static VfMsg *make(guint i)
{
  char *text = g_strdup_printf("{\"message\": %u, \"padding\": \"%0*u\"}", i, (int)(i % 7) * 10, i);
  GBytes *b = g_bytes_new_take(text, strlen(text));
  char *key = g_strdup_printf("sensor-%u", i % 3);
  VfMsg *m = vf_msg_new(b, key);
  g_bytes_unref(b);
  g_free(key);
  return m;
}

/* The next message is number i, whole. */
static void expect_next(VfMsgLog *log, guint i)
{
  guint64 skipped = 0;
  GError *err = NULL;
  VfMsg *got = vf_msg_log_next(log, &skipped, &err);
  g_assert_no_error(err);
  g_assert_cmpuint(skipped, ==, 0);
  g_assert_nonnull(got);
  VfMsg *want = make(i);
  g_assert_cmpuint(got->seq, ==, i);
  g_assert_cmpstr(got->key, ==, want->key);
  g_assert_true(g_bytes_equal(got->payload, want->payload));
  vf_msg_unref(want);
  vf_msg_unref(got);
}

static void test_unwritten_and_rewind(void)
{
  char *dir = g_dir_make_tmp("vf-spool-XXXXXX", NULL);
  GError *err = NULL;
  VfMsgLog *log = vf_msg_log_new_spool(dir, 1 << 20, CACHE, &err);
  g_assert_no_error(err);
  for (guint i = 0; i < COUNT / 2; i++) {
    VfMsg *m = make(i);
    g_assert_true(vf_msg_log_append(log, m, &err));
    vf_msg_unref(m);
  }
  /* nothing written yet: the records wait in memory, and all but the cache left it */
  g_assert_cmpuint(spool_segment_bytes(dir), ==, 0);
  g_assert_cmpuint(vf_msg_log_overflowed(log), ==, COUNT / 2 - CACHE);
  for (guint i = 0; i < COUNT / 4; i++)
    expect_next(log, i);
  g_assert_true(vf_msg_log_sync(log, &err));
  g_assert_cmpuint(spool_segment_bytes(dir), >, 0);
  for (guint i = COUNT / 2; i < COUNT; i++) {
    VfMsg *m = make(i);
    g_assert_true(vf_msg_log_append(log, m, &err));
    vf_msg_unref(m);
  }
  /* half from the files, half from records not written yet */
  for (guint i = COUNT / 4; i < COUNT; i++)
    expect_next(log, i);
  g_assert_null(vf_msg_log_next(log, &(guint64){ 0 }, &err));
  /* the first five acknowledged; a broken connection: the rest again, in order */
  for (guint i = 0; i < 5; i++)
    vf_msg_log_done(log, i, TRUE);
  vf_msg_log_rewind(log);
  for (guint i = 5; i < COUNT; i++)
    expect_next(log, i);
  g_assert_cmpuint(vf_msg_log_pending(log), ==, COUNT - 5);
  vf_msg_log_free(log);

  /* a folder of one's own: what was not acknowledged (written at close) comes back */
  log = vf_msg_log_new_spool(dir, 1 << 20, CACHE, &err);
  g_assert_no_error(err);
  g_assert_cmpuint(vf_msg_log_pending(log), ==, COUNT - 5);
  for (guint i = 5; i < COUNT; i++)
    expect_next(log, i);
  for (guint i = 5; i < COUNT; i++)
    vf_msg_log_done(log, i, TRUE);
  g_assert_cmpuint(vf_msg_log_pending(log), ==, 0);
  vf_msg_log_free(log);
  char *rm[] = { "rm", "-rf", dir, NULL };
  g_spawn_sync(NULL, rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  g_free(dir);
}

int main(int argc, char **argv)
{
  /* no gst_init: the spool needs only its debug category, not the plugin registry */
  GST_DEBUG_CATEGORY_INIT(vf_msgbroker_debug, "vfmsgbroker", 0, "spool test");
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/spool/unwritten-and-rewind", test_unwritten_and_rewind);
  return g_test_run();
}
