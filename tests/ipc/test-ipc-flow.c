/* The Flow API's ipc://NAME endpoints: one flow captures a file and retrieves into ipc://NAME, a
 * second captures ipc://NAME and retrieves the frames (batched, with their metadata); bad
 * endpoints get clear errors. Both flows run in this process (threads); the transport is the
 * same as across processes (test-ipc-process). */
#include <string.h>
#include <unistd.h>
#include <vidflow/vidflow.h>

#define FRAMES 25

static char *tmpdir;

static char *make_clip(void)
{
  char *path = g_build_filename(tmpdir, "clip.mp4", NULL);
  char *desc = g_strdup_printf("videotestsrc num-buffers=%d ! video/x-raw,format=I420,width=160,"
                               "height=120,framerate=25/1 ! x264enc speed-preset=ultrafast ! "
                               "h264parse ! mp4mux ! filesink location=%s",
                               FRAMES, path);
  GstElement *p = gst_parse_launch(desc, NULL);
  g_free(desc);
  gst_element_set_state(p, GST_STATE_PLAYING);
  GstMessage *m = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(p), 30 * GST_SECOND,
                                             GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_cmpint(GST_MESSAGE_TYPE(m), ==, GST_MESSAGE_EOS);
  gst_message_unref(m);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
  return path;
}

typedef struct {
  guint frames, batched;
} Count;

static int consume(VfBuffer *buffer, gpointer user_data)
{
  Count *c = user_data;
  VfBatchMeta *meta = vf_buffer_get_batch_meta(buffer);
  c->frames += meta ? vf_batch_meta_get_n_frames(meta) : 1;
  c->batched += meta != NULL;
  return VF_CONSUME_OK;
}

typedef struct {
  VfFlow *flow;
  gboolean ok;
  GError *err;
} Run;

static gpointer run_flow(gpointer data)
{
  Run *r = data;
  r->ok = vf_flow_run(r->flow, &r->err);
  return NULL;
}

static void test_flow_endpoints(void)
{
  char *clip = make_clip();
  const char *uris[] = { clip, NULL }, *ipc[] = { "ipc://flow-test", NULL };
  GError *err = NULL;
  VfPipeline *pp = vf_pipeline_new("producer"), *cp = vf_pipeline_new("consumer");
  VfFlow *prod = vf_flow_new(pp), *cons = vf_flow_new(cp);
  Count count = { 0, 0 };
  VfRetrieverCallbacks cb = { consume, NULL };
  g_assert_nonnull(vf_flow_capture(prod, uris, &err, NULL));
  g_assert_nonnull(
      vf_flow_retrieve_named(prod, "ipc://flow-test", NULL, &err, "max_in_flight", "2", NULL));
  g_assert_no_error(err);
  g_assert_nonnull(vf_flow_capture(cons, ipc, &err, NULL));
  g_assert_nonnull(vf_flow_retrieve(cons, &cb, &count, &err, NULL));
  g_assert_no_error(err);
  Run rp = { prod, FALSE, NULL }, rc = { cons, FALSE, NULL };
  GThread *tc = g_thread_new("consumer", run_flow, &rc);
  GThread *tp = g_thread_new("producer", run_flow, &rp);
  g_thread_join(tp);
  g_thread_join(tc);
  g_assert_no_error(rp.err);
  g_assert_no_error(rc.err);
  g_assert_true(rp.ok && rc.ok);
  g_assert_cmpuint(count.frames, ==, FRAMES); /* every frame, as a batch */
  g_assert_cmpuint(count.batched, ==, FRAMES);
  vf_flow_free(prod); /* and its pipeline */
  vf_flow_free(cons);
  g_free(clip);
}

static void expect_capture_error(const char *const *uris, gboolean batch, const char *what)
{
  VfPipeline *p = vf_pipeline_new("bad");
  VfFlow *f = vf_flow_new(p);
  GError *err = NULL;
  VfFlow *r
      = batch ? vf_flow_batch_capture(f, uris, &err, NULL) : vf_flow_capture(f, uris, &err, NULL);
  g_assert_null(r);
  g_assert_nonnull(err);
  g_assert_true(err->domain == VF_ERROR);
  g_assert_nonnull(strstr(err->message, what));
  g_clear_error(&err);
  vf_flow_free(f);
}

static void test_bad_endpoints(void)
{
  const char *empty[] = { "ipc://", NULL }, *two[] = { "ipc://a", "ipc://b", NULL },
             *one[] = { "ipc://a", NULL };
  expect_capture_error(empty, FALSE, "names no socket");
  expect_capture_error(two, FALSE, "one ipc:// endpoint");
  expect_capture_error(one, TRUE, "ipc://"); /* batch_capture refuses it (its URI check) */
  char *longname = g_strnfill(200, 'x');
  char *uri = g_strconcat("ipc://", longname, NULL);
  const char *toolong[] = { uri, NULL };
  expect_capture_error(toolong, FALSE, "longer than a unix socket");
  g_free(uri);
  g_free(longname);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp("vf-ipcf-XXXXXX", NULL);
  g_setenv("XDG_RUNTIME_DIR", tmpdir, TRUE);
  g_test_add_func("/ipc-flow/endpoints", test_flow_endpoints);
  g_test_add_func("/ipc-flow/bad-endpoints", test_bad_endpoints);
  int r = g_test_run();
  char *clip = g_build_filename(tmpdir, "clip.mp4", NULL);
  unlink(clip);
  g_free(clip);
  rmdir(tmpdir);
  g_free(tmpdir);
  return r;
}
