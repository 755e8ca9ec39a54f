/* The vidflow command: both YAML forms, progress/summary/quiet, exit statuses, Ctrl-C (first
 * drains with EOS, second stops), and every sample in flows/ and pipelines/ run for real. */
#include "flow-util.h"

#include <signal.h>

static char *clip;
static const char *cmd;
/* Environment for the next commands (name, value, ..., NULL), on top of the test's. */
static const char *extra_env[8];

typedef struct {
  int status; /* exit status, or -signal */
  char *out, *err;
} Result;

static void result_clear(Result *r)
{
  g_free(r->out);
  g_free(r->err);
}

typedef struct {
  GMainLoop *loop;
  GSubprocess *proc;
  char *out, *err;
  gboolean done;
} Run;

static void communicated(GObject *source, GAsyncResult *res, gpointer data)
{
  Run *run = data;
  g_subprocess_communicate_utf8_finish(G_SUBPROCESS(source), res, &run->out, &run->err, NULL);
  run->done = TRUE;
  g_main_loop_quit(run->loop);
}

static gboolean too_long(gpointer data)
{
  Run *run = data;
  g_subprocess_force_exit(run->proc); /* SIGKILL: the test then fails on the status */
  return G_SOURCE_REMOVE;
}

typedef struct {
  GSubprocess *proc;
  int sig;
} Signal;

static gboolean send_signal(gpointer data)
{
  Signal *s = data;
  g_subprocess_send_signal(s->proc, s->sig);
  return G_SOURCE_REMOVE;
}

/* Run `argv` (NULL-terminated), at most `seconds`; signals[i] sent at signal_ms[i] (0-ended). */
static Result run_cmd(const char *const *argv, guint seconds, const int *signals,
                      const guint *signal_ms)
{
  GError *err = NULL;
  Run run = { g_main_loop_new(NULL, FALSE), NULL, NULL, NULL, FALSE };
  GSubprocessLauncher *launcher
      = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  for (guint i = 0; extra_env[i]; i += 2)
    g_subprocess_launcher_setenv(launcher, extra_env[i], extra_env[i + 1], TRUE);
  run.proc = g_subprocess_launcher_spawnv(launcher, argv, &err);
  g_object_unref(launcher);
  VF_ASSERT_OK(run.proc != NULL, err);
  g_subprocess_communicate_utf8_async(run.proc, NULL, NULL, communicated, &run);
  guint timer = g_timeout_add_seconds(seconds, too_long, &run);
  Signal sigs[4];
  guint sig_sources[4] = { 0 };
  for (guint i = 0; signals && signals[i] && i < 4; i++) {
    sigs[i] = (Signal){ run.proc, signals[i] };
    sig_sources[i] = g_timeout_add(signal_ms[i], send_signal, &sigs[i]);
  }
  g_main_loop_run(run.loop);
  g_subprocess_wait(run.proc, NULL, NULL);
  for (guint i = 0; i < 4; i++)
    if (sig_sources[i])
      g_source_remove_by_user_data(&sigs[i]);
  g_source_remove_by_user_data(&run);
  (void)timer;
  Result r;
  r.status = g_subprocess_get_if_exited(run.proc) ? g_subprocess_get_exit_status(run.proc)
                                                  : -g_subprocess_get_term_sig(run.proc);
  r.out = run.out ? run.out : g_strdup("");
  r.err = run.err ? run.err : g_strdup("");
  g_object_unref(run.proc);
  g_main_loop_unref(run.loop);
  return r;
}

#define ASSERT_STATUS(r, expected)                                                                 \
  do {                                                                                             \
    if ((r).status != (expected))                                                                  \
      g_error("vidflow exited with %d (expected %d)\nstdout:\n%s\nstderr:\n%s", (r).status,        \
              (expected), (r).out, (r).err);                                                       \
  } while (0)

#define ASSERT_CONTAINS(text, part)                                                                \
  do {                                                                                             \
    if (strstr((text), (part)) == NULL)                                                            \
      g_error("output should contain \"%s\":\n%s", (part), (text));                                \
  } while (0)

static char *clip_yaml(const char *name, const char *text)
{
  GString *s = g_string_new(text);
  g_string_replace(s, "CLIP", clip, 0);
  char *path = flow_test_write(name, s->str);
  g_string_free(s, TRUE);
  return path;
}

static void test_run_flow_and_graph(void)
{
  char *flow = clip_yaml("cmd-flow.yaml", "name: cmdflow\nflow:\n  - capture: [CLIP]\n"
                                          "  - render: discard\n");
  const char *argv[] = { cmd, "run", flow, NULL };
  Result r = run_cmd(argv, 60, NULL, NULL);
  ASSERT_STATUS(r, 0);
  ASSERT_CONTAINS(r.out, "cmdflow reached its end of stream");
  ASSERT_CONTAINS(r.out, "capture0-src0");
  ASSERT_CONTAINS(r.out, " 30 "); /* frames of the source */
  result_clear(&r);

  /* quiet: nothing but errors */
  const char *quiet[] = { cmd, "run", "--quiet", flow, NULL };
  r = run_cmd(quiet, 60, NULL, NULL);
  ASSERT_STATUS(r, 0);
  g_assert_cmpstr(r.out, ==, "");
  g_assert_cmpstr(r.err, ==, "");
  result_clear(&r);

  char *graph
      = clip_yaml("cmd-graph.yaml", "deepstream:\n  nodes:\n    - {type: vfurisrcbin, name: src, "
                                    "properties: {uri: CLIP}}\n    - {type: fakesink, name: sink}\n"
                                    "  edges: {src: sink}\n");
  const char *argv2[] = { cmd, "run", "--no-progress", graph, NULL };
  r = run_cmd(argv2, 60, NULL, NULL);
  ASSERT_STATUS(r, 0);
  ASSERT_CONTAINS(r.out, "src (");
  result_clear(&r);

  const char *check[] = { cmd, "check", graph, NULL };
  r = run_cmd(check, 30, NULL, NULL);
  ASSERT_STATUS(r, 0);
  ASSERT_CONTAINS(r.out, "is complete");
  result_clear(&r);
  g_unlink(flow);
  g_unlink(graph);
  g_free(flow);
  g_free(graph);
}

static void test_errors(void)
{
  char *bad = flow_test_write("cmd-bad.yaml", "flow:\n  - capture: [a.mp4\n");
  const char *argv[] = { cmd, "run", bad, NULL };
  Result r = run_cmd(argv, 30, NULL, NULL);
  ASSERT_STATUS(r, 1);
  char *where = g_strdup_printf("vidflow: error: %s:3:", bad);
  ASSERT_CONTAINS(r.err, where);
  result_clear(&r);
  g_free(where);

  /* an error while running: the message, exit 1 */
  guint port = flow_test_free_port();
  char *text = g_strdup_printf("flow:\n  - capture: ['rtsp://127.0.0.1:%u/x']\n"
                               "  - render: discard\n",
                               port);
  char *unreachable = flow_test_write("cmd-unreachable.yaml", text);
  const char *argv2[] = { cmd, "run", unreachable, NULL };
  r = run_cmd(argv2, 30, NULL, NULL);
  ASSERT_STATUS(r, 1);
  ASSERT_CONTAINS(r.err, "vidflow: error:");
  ASSERT_CONTAINS(r.err, "rtsp://127.0.0.1:");
  ASSERT_CONTAINS(r.out, "failed");
  result_clear(&r);

  /* an incomplete flow: check says so */
  char *open = clip_yaml("cmd-open.yaml", "flow:\n  - capture: [CLIP]\n");
  const char *argv3[] = { cmd, "check", open, NULL };
  r = run_cmd(argv3, 30, NULL, NULL);
  ASSERT_STATUS(r, 1);
  ASSERT_CONTAINS(r.err, "without saying where the frames go");
  result_clear(&r);

  /* usage */
  const char *none[] = { cmd, NULL };
  r = run_cmd(none, 10, NULL, NULL);
  ASSERT_STATUS(r, 2);
  ASSERT_CONTAINS(r.err, "Usage");
  result_clear(&r);
  const char *unknown[] = { cmd, "run", "--frobnicate", open, NULL };
  r = run_cmd(unknown, 10, NULL, NULL);
  ASSERT_STATUS(r, 2);
  result_clear(&r);
  const char *nofile[] = { cmd, "run", "/nonexistent.yaml", NULL };
  r = run_cmd(nofile, 10, NULL, NULL);
  ASSERT_STATUS(r, 1);
  ASSERT_CONTAINS(r.err, "/nonexistent.yaml");
  result_clear(&r);

  const char *objects[] = { cmd, "objects", NULL };
  r = run_cmd(objects, 10, NULL, NULL);
  ASSERT_STATUS(r, 0);
  ASSERT_CONTAINS(r.out, "sample.counter");
  ASSERT_CONTAINS(r.out, "measure_fps_probe");
  result_clear(&r);
  g_unlink(bad);
  g_unlink(unreachable);
  g_unlink(open);
  g_free(bad);
  g_free(unreachable);
  g_free(open);
  g_free(text);
}

static void test_interrupts(void)
{
  /* an endless flow: the first Ctrl-C drains it (exit 0, a summary) */
  char *loop = clip_yaml("cmd-loop.yaml", "flow:\n  - capture: {uris: [CLIP], file-loop: true}\n"
                                          "  - render: {mode: discard, sync: true}\n");
  const char *argv[] = { cmd, "run", loop, NULL };
  const int once[] = { SIGINT, 0 };
  const guint at[] = { 1500, 0 };
  Result r = run_cmd(argv, 30, once, at);
  ASSERT_STATUS(r, 0);
  ASSERT_CONTAINS(r.out, "reached its end of stream");
  ASSERT_CONTAINS(r.err, "interrupted");
  result_clear(&r);

  /* --duration: the same clean end */
  const char *argv2[] = { cmd, "run", "--duration=1", loop, NULL };
  r = run_cmd(argv2, 30, NULL, NULL);
  ASSERT_STATUS(r, 0);
  result_clear(&r);

  /* a stream that cannot drain (an appsink nobody reads): the second Ctrl-C stops it */
  char *stuck = flow_test_write("cmd-stuck.yaml",
                                "deepstream:\n  nodes:\n    - {type: videotestsrc, name: src, "
                                "properties: {is-live: true}}\n    - {type: appsink, name: sink, "
                                "properties: {max-buffers: 1, sync: false}}\n"
                                "  edges: {src: sink}\n");
  const char *argv3[] = { cmd, "run", stuck, NULL };
  const int twice[] = { SIGINT, SIGINT, 0 };
  const guint at2[] = { 1000, 1800, 0 };
  r = run_cmd(argv3, 30, twice, at2);
  ASSERT_STATUS(r, 130);
  ASSERT_CONTAINS(r.err, "stopped");
  result_clear(&r);
  g_unlink(loop);
  g_unlink(stuck);
  g_free(loop);
  g_free(stuck);
}

/* What the pipeline says goes to stderr as it happens: a source that reconnects (the server ends
 * its stream every half second), and the built-in probes' lines (never stdout, not even with
 * --quiet: stdout belongs to the caller). */
static void test_messages_on_stderr(void)
{
  guint port = flow_test_free_port();
  FlowTestServer *server = flow_test_server_start(
      port, "( videotestsrc is-live=true num-buffers=15 ! video/x-raw,format=I420,width=160,"
            "height=120,framerate=30/1 ! x264enc speed-preset=ultrafast tune=zerolatency "
            "key-int-max=5 ! rtph264pay name=pay0 pt=96 config-interval=-1 )");
  char *text = g_strdup_printf("name: reconnects\nflow:\n  - capture: {uris: "
                               "[\"rtsp://127.0.0.1:%u/test\"], rtsp-reconnect-interval: 1, "
                               "latency: 0}\n  - attach: measure_fps_probe\n  - render: discard\n",
                               port);
  char *flow = flow_test_write("cmd-reconnect.yaml", text);
  /* Ctrl-C ends it: the first drains (0), unless the end of stream is sent while the source
   * reconnects, which does not reach the sinks yet (issue 9, "Also found" 4): then the second
   * stops it (130) */
  const char *argv[] = { cmd, "run", "--quiet", flow, NULL };
  const int signals[] = { SIGINT, SIGINT, 0 };
  const guint at_ms[] = { 5000, 5500 };
  Result r = run_cmd(argv, 60, signals, at_ms);
  if (r.status != 130)
    ASSERT_STATUS(r, 0);
  char *lost
      = g_strdup_printf("(rtsp://127.0.0.1:%u/test) lost: reconnecting, attempt 1 in 1.0 s", port);
  ASSERT_CONTAINS(r.err, "vidflow: source 'capture0-src0'");
  ASSERT_CONTAINS(r.err, lost);
  ASSERT_CONTAINS(r.err, "fps summary 'measure_fps_probe'");
  g_assert_cmpstr(r.out, ==, "");
  result_clear(&r);
  flow_test_server_stop(server);
  g_unlink(flow);
  g_free(lost);
  g_free(flow);
  g_free(text);
}

/* Every sample in flows/ and pipelines/ runs (2 s each, DISPLAY on a private Xvfb). */
static void test_samples(void)
{
  const char *src = g_getenv("VIDFLOW_SOURCE_DIR");
  const char *data = g_getenv("VIDFLOW_DATA_DIR");
  char *vtest = data ? g_build_filename(data, "footage", "vtest.avi", NULL) : NULL;
  char *dog = data ? g_build_filename(data, "images", "dog.jpg", NULL) : NULL;
  if (src == NULL || vtest == NULL || !g_file_test(vtest, G_FILE_TEST_EXISTS)
      || !g_file_test(dog, G_FILE_TEST_EXISTS)) {
    g_test_skip("the samples need data/footage/vtest.avi and data/images/dog.jpg "
                "(tools/fetch-assets.sh) and VIDFLOW_SOURCE_DIR");
    g_free(vtest);
    g_free(dog);
    return;
  }
  char *wrapper = g_build_filename(src, "tests", "flow", "with-xvfb.sh", NULL);
  char *tmp = g_dir_make_tmp("vf-samples-XXXXXX", NULL);
  char port[16];
  extra_env[0] = "TMPDIR";
  extra_env[1] = tmp;
  extra_env[2] = "VIDFLOW_RTSP_PORT";
  extra_env[3] = port;
  const char *dirs[] = { "flows", "pipelines" };
  guint ran = 0;
  for (guint d = 0; d < G_N_ELEMENTS(dirs); d++) {
    char *dir = g_build_filename(src, dirs[d], NULL);
    GDir *gd = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(gd);
    for (const char *name; (name = g_dir_read_name(gd));) {
      if (!g_str_has_suffix(name, ".yaml") || g_str_equal(name, "sources.yaml"))
        continue;
      char *path = g_build_filename(dir, name, NULL);
      g_snprintf(port, sizeof port, "%u", flow_test_free_port());
      const char *argv[] = { wrapper, cmd, "run", "--duration=2", path, NULL };
      Result r = run_cmd(argv, 60, NULL, NULL);
      gboolean needs_infer
          = strstr(r.err, "vfinfer")
            && (strstr(r.err, "not installed") || strstr(r.err, "no GStreamer element"));
      if (needs_infer) {
        g_test_message("%s/%s: skipped, this build has no vfinfer yet", dirs[d], name);
      } else {
        if (r.status != 0)
          g_error("%s/%s: vidflow exited with %d\n%s\n%s", dirs[d], name, r.status, r.out, r.err);
        ASSERT_CONTAINS(r.out, "reached its end of stream");
        ran++;
      }
      result_clear(&r);
      g_free(path);
    }
    g_dir_close(gd);
    g_free(dir);
  }
  g_assert_cmpuint(ran, >=, 14);
  extra_env[0] = NULL;
  char *rm = g_strdup_printf("rm -rf '%s'", tmp);
  g_assert_cmpint(system(rm), ==, 0);
  g_free(rm);
  g_free(tmp);
  g_free(wrapper);
  g_free(vtest);
  g_free(dog);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  cmd = g_getenv("VIDFLOW_CMD");
  if (cmd == NULL) {
    g_printerr("VIDFLOW_CMD is not set: run through meson test\n");
    return 77;
  }
  clip = flow_test_clip("cmd-clip.mp4", 30, 160, 120);
  g_test_add_func("/cmd/run-flow-and-graph", test_run_flow_and_graph);
  g_test_add_func("/cmd/errors", test_errors);
  g_test_add_func("/cmd/interrupts", test_interrupts);
  g_test_add_func("/cmd/messages-on-stderr", test_messages_on_stderr);
  g_test_add_func("/cmd/samples", test_samples);
  int ret = g_test_run();
  g_unlink(clip);
  g_free(clip);
  return ret;
}
