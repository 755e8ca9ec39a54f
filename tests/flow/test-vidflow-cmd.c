/* The vidflow command: both YAML forms, progress/summary/quiet, exit statuses, Ctrl-C (first
 * drains with EOS, second stops), and every sample in flows/ and pipelines/ run for real. */
#include "flow-util.h"

#include "../../tools/notify.h"

#include <gio/gunixsocketaddress.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* What to do, in order, while the command runs: when a line containing `after` appears on its
 * stdout or stderr or in what it tells its service manager (notify.h: VF_CMD_NOTIFY_STARTING once
 * it handles Ctrl-C and SIGTERM), send `sig`, or call `call(data)`. A moment is a condition seen,
 * never a delay. */
typedef struct {
  const char *after;
  int sig;
  /* a second signal (another one than sig: two of one kind pending merge into one) that arrives
   * together with sig: both are sent while the command is stopped (SIGSTOP, seen stopped, then
   * SIGCONT), so neither can be acted on before the other is counted */
  int sig2;
  void (*call)(gpointer data);
  gpointer data;
} Trigger;

typedef struct {
  GMainLoop *loop;
  GSubprocess *proc;
  GString *out, *err;
  guint open; /* streams not at their end yet, plus the process itself */
  const Trigger *triggers;
  guint next;      /* the next trigger */
  GSocket *notify; /* where the command's notify datagrams come (NOTIFY_SOCKET) */
  GSource *notified;
  guint timer; /* the time limit, 0 once it passed */
} Run;

static void run_done_one(Run *run)
{
  if (--run->open == 0)
    g_main_loop_quit(run->loop);
}

static gboolean pending(const Trigger *t)
{
  return t && (t->sig || t->call);
}

/* `sig` and `sig2` pending at once: sent while the process is stopped (waitid WNOWAIT sees it
 * stopped without reaping it: GLib's child watch still does that), then it continues. */
static void send_together(GSubprocess *proc, int sig, int sig2)
{
  pid_t pid = (pid_t)g_ascii_strtoll(g_subprocess_get_identifier(proc), NULL, 10);
  siginfo_t info;
  memset(&info, 0, sizeof info);
  g_assert_cmpint(kill(pid, SIGSTOP), ==, 0);
  while (waitid(P_PID, (id_t)pid, &info, WSTOPPED | WEXITED | WNOWAIT) != 0)
    g_assert_cmpint(errno, ==, EINTR);
  kill(pid, sig);
  kill(pid, sig2);
  kill(pid, SIGCONT);
}

static void fire(Run *run)
{
  const Trigger *t = &run->triggers[run->next++];
  if (t->sig && t->sig2 && g_subprocess_get_identifier(run->proc))
    send_together(run->proc, t->sig, t->sig2);
  else if (t->sig)
    g_subprocess_send_signal(run->proc, t->sig);
  if (t->call)
    t->call(t->data);
}

static void check_line(Run *run, const char *line)
{
  for (const Trigger *t = run->triggers ? &run->triggers[run->next] : NULL;
       pending(t) && strstr(line, t->after); t = &run->triggers[run->next])
    fire(run);
}

/* A datagram on the notify socket: its lines are moments too. */
static gboolean on_notify(GSocket *socket, GIOCondition condition, gpointer data)
{
  (void)condition;
  char buf[4096];
  gssize n = g_socket_receive(socket, buf, sizeof buf - 1, NULL, NULL);
  if (n <= 0)
    return G_SOURCE_CONTINUE;
  buf[n] = '\0';
  char **lines = g_strsplit(buf, "\n", -1);
  for (char **l = lines; *l; l++)
    check_line(data, *l);
  g_strfreev(lines);
  return G_SOURCE_CONTINUE;
}

/* A datagram socket for NOTIFY_SOCKET at `path`, watched on the default main context. */
static void notify_listen(Run *run, const char *path)
{
  GError *err = NULL;
  run->notify
      = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_DEFAULT, &err);
  VF_ASSERT_OK(run->notify != NULL, err);
  GSocketAddress *addr = g_unix_socket_address_new(path);
  VF_ASSERT_OK(g_socket_bind(run->notify, addr, FALSE, &err), err);
  g_object_unref(addr);
  run->notified = g_socket_create_source(run->notify, G_IO_IN, NULL);
  g_source_set_callback(run->notified, G_SOURCE_FUNC(on_notify), run, NULL);
  g_source_attach(run->notified, NULL);
}

/* In the child before exec: a process group of its own, so a timeout ends what it started too
 * (with-xvfb.sh's Xvfb and command). */
static void own_process_group(gpointer data)
{
  (void)data;
  setpgid(0, 0);
}

typedef struct {
  Run *run;
  GDataInputStream *in;
  GString *text;
} Reader;

static void read_line(GObject *source, GAsyncResult *res, gpointer data)
{
  Reader *r = data;
  gsize len = 0;
  char *line
      = g_data_input_stream_read_line_finish_utf8(G_DATA_INPUT_STREAM(source), res, &len, NULL);
  if (line == NULL) {
    Run *run = r->run;
    g_object_unref(r->in);
    g_free(r);
    run_done_one(run);
    return;
  }
  g_string_append_printf(r->text, "%s\n", line);
  check_line(r->run, line);
  g_free(line);
  g_data_input_stream_read_line_async(r->in, G_PRIORITY_DEFAULT, NULL, read_line, r);
}

static void read_stream(Run *run, GInputStream *stream, GString *text)
{
  Reader *r = g_new0(Reader, 1);
  r->run = run;
  r->in = g_data_input_stream_new(stream);
  r->text = text;
  run->open++;
  g_data_input_stream_read_line_async(r->in, G_PRIORITY_DEFAULT, NULL, read_line, r);
}

static void exited(GObject *source, GAsyncResult *res, gpointer data)
{
  g_subprocess_wait_finish(G_SUBPROCESS(source), res, NULL);
  run_done_one(data);
}

/* SIGKILL to the command's whole process group (so every pipe closes and the run ends): the
 * test then fails on the status. */
static gboolean too_long(gpointer data)
{
  Run *run = data;
  const char *id = g_subprocess_get_identifier(run->proc);
  if (id)
    kill(-(pid_t)g_ascii_strtoll(id, NULL, 10), SIGKILL);
  run->timer = 0;
  return G_SOURCE_REMOVE;
}

/* Run `argv` (NULL-terminated), at most `seconds`, doing `triggers` (ended by an entry without
 * sig and call; NULL: none) as their moments come. */
static Result run_cmd(const char *const *argv, guint seconds, const Trigger *triggers)
{
  GError *err = NULL;
  Run run = { 0 };
  run.loop = g_main_loop_new(NULL, FALSE);
  run.out = g_string_new(NULL);
  run.err = g_string_new(NULL);
  run.triggers = triggers;
  GSubprocessLauncher *launcher
      = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  char *dir = g_dir_make_tmp("vf-cmd-notify-XXXXXX", &err);
  VF_ASSERT_OK(dir != NULL, err);
  char *socket_path = g_build_filename(dir, "notify", NULL);
  notify_listen(&run, socket_path);
  g_subprocess_launcher_setenv(launcher, "NOTIFY_SOCKET", socket_path, TRUE);
  for (guint i = 0; extra_env[i]; i += 2)
    g_subprocess_launcher_setenv(launcher, extra_env[i], extra_env[i + 1], TRUE);
  g_subprocess_launcher_set_child_setup(launcher, own_process_group, NULL, NULL);
  run.proc = g_subprocess_launcher_spawnv(launcher, argv, &err);
  g_object_unref(launcher);
  VF_ASSERT_OK(run.proc != NULL, err);
  read_stream(&run, g_subprocess_get_stdout_pipe(run.proc), run.out);
  read_stream(&run, g_subprocess_get_stderr_pipe(run.proc), run.err);
  run.open++;
  g_subprocess_wait_async(run.proc, NULL, exited, &run);
  run.timer = g_timeout_add_seconds(seconds, too_long, &run);
  g_main_loop_run(run.loop);
  if (run.timer)
    g_source_remove(run.timer);
  /* what it said last may still be queued when its exit was seen */
  while (g_socket_condition_check(run.notify, G_IO_IN) & G_IO_IN)
    on_notify(run.notify, G_IO_IN, &run);
  g_source_destroy(run.notified);
  g_source_unref(run.notified);
  g_object_unref(run.notify);
  g_unlink(socket_path);
  g_rmdir(dir);
  g_free(socket_path);
  g_free(dir);
  Result r;
  r.status = g_subprocess_get_if_exited(run.proc) ? g_subprocess_get_exit_status(run.proc)
                                                  : -g_subprocess_get_term_sig(run.proc);
  r.out = g_string_free(run.out, FALSE);
  r.err = g_string_free(run.err, FALSE);
  if (triggers && pending(&triggers[run.next]))
    g_error("the command ended before trigger %u (\"%s\") came\nstdout:\n%s\nstderr:\n%s", run.next,
            triggers[run.next].after, r.out, r.err);
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
  Result r = run_cmd(argv, 60, NULL);
  ASSERT_STATUS(r, 0);
  ASSERT_CONTAINS(r.out, "cmdflow reached its end of stream");
  ASSERT_CONTAINS(r.out, "capture0-src0");
  ASSERT_CONTAINS(r.out, " 30 "); /* frames of the source */
  result_clear(&r);

  /* quiet: nothing but errors */
  const char *quiet[] = { cmd, "run", "--quiet", flow, NULL };
  r = run_cmd(quiet, 60, NULL);
  ASSERT_STATUS(r, 0);
  g_assert_cmpstr(r.out, ==, "");
  g_assert_cmpstr(r.err, ==, "");
  result_clear(&r);

  char *graph
      = clip_yaml("cmd-graph.yaml", "deepstream:\n  nodes:\n    - {type: vfurisrcbin, name: src, "
                                    "properties: {uri: CLIP}}\n    - {type: fakesink, name: sink}\n"
                                    "  edges: {src: sink}\n");
  const char *argv2[] = { cmd, "run", "--no-progress", graph, NULL };
  r = run_cmd(argv2, 60, NULL);
  ASSERT_STATUS(r, 0);
  ASSERT_CONTAINS(r.out, "src (");
  result_clear(&r);

  const char *check[] = { cmd, "check", graph, NULL };
  r = run_cmd(check, 30, NULL);
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
  Result r = run_cmd(argv, 30, NULL);
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
  r = run_cmd(argv2, 30, NULL);
  ASSERT_STATUS(r, 1);
  ASSERT_CONTAINS(r.err, "vidflow: error:");
  ASSERT_CONTAINS(r.err, "rtsp://127.0.0.1:");
  ASSERT_CONTAINS(r.out, "failed");
  result_clear(&r);

  /* an incomplete flow: check says so */
  char *open = clip_yaml("cmd-open.yaml", "flow:\n  - capture: [CLIP]\n");
  const char *argv3[] = { cmd, "check", open, NULL };
  r = run_cmd(argv3, 30, NULL);
  ASSERT_STATUS(r, 1);
  ASSERT_CONTAINS(r.err, "without saying where the frames go");
  result_clear(&r);

  /* usage */
  const char *none[] = { cmd, NULL };
  r = run_cmd(none, 10, NULL);
  ASSERT_STATUS(r, 2);
  ASSERT_CONTAINS(r.err, "Usage");
  result_clear(&r);
  const char *unknown[] = { cmd, "run", "--frobnicate", open, NULL };
  r = run_cmd(unknown, 10, NULL);
  ASSERT_STATUS(r, 2);
  result_clear(&r);
  const char *nofile[] = { cmd, "run", "/nonexistent.yaml", NULL };
  r = run_cmd(nofile, 10, NULL);
  ASSERT_STATUS(r, 1);
  ASSERT_CONTAINS(r.err, "/nonexistent.yaml");
  result_clear(&r);

  const char *objects[] = { cmd, "objects", NULL };
  r = run_cmd(objects, 10, NULL);
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

/* Smaller bad inputs: a directory given as a file, a video no H.264 encoder takes (1x1), and
 * the outputs a failed run leaves. Before: "not found" / "input error" for a directory, the
 * demuxer blamed for the encoder, 0-byte MP4s left behind. */
static void test_bad_inputs(void)
{
  char *dir = g_dir_make_tmp("vf-cmd-XXXXXX", NULL);
  const char *as_yaml[] = { cmd, "run", dir, NULL };
  Result r = run_cmd(as_yaml, 30, NULL);
  ASSERT_STATUS(r, 1);
  ASSERT_CONTAINS(r.err, "is a directory");
  result_clear(&r);
  char *text = g_strdup_printf("flow:\n  - capture: ['%s']\n  - render: discard\n", dir);
  char *capture_dir = flow_test_write("cmd-capture-dir.yaml", text);
  g_free(text);
  const char *capture[] = { cmd, "check", capture_dir, NULL };
  r = run_cmd(capture, 30, NULL);
  ASSERT_STATUS(r, 1);
  ASSERT_CONTAINS(r.err, "is a directory, not a video");
  result_clear(&r);

  /* 1x1: decodable, but H.264 4:2:0 needs even sizes */
  char *tiny = g_build_filename(dir, "tiny.mkv", NULL);
  char *launch = g_strdup_printf("videotestsrc num-buffers=5 ! video/x-raw,format=RGB,width=1,"
                                 "height=1,framerate=10/1 ! videoconvert ! avenc_ffv1 ! "
                                 "matroskamux ! filesink location=%s",
                                 tiny);
  flow_test_launch(launch);
  g_free(launch);
  char *mp4 = g_build_filename(dir, "tiny-out.mp4", NULL);
  text = g_strdup_printf("flow:\n  - capture: ['%s']\n  - encode: '%s'\n", tiny, mp4);
  char *encode = flow_test_write("cmd-encode-tiny.yaml", text);
  g_free(text);
  const char *run_encode[] = { cmd, "run", "--quiet", encode, NULL };
  r = run_cmd(run_encode, 30, NULL);
  ASSERT_STATUS(r, 1);
  ASSERT_CONTAINS(r.err, "encoder 'encode1-encoder' (x264enc) cannot encode 1x1 video");
  ASSERT_CONTAINS(r.err, "was removed");
  g_assert_false(g_file_test(mp4, G_FILE_TEST_EXISTS));
  result_clear(&r);

  const char *data = g_getenv("VIDFLOW_DATA_DIR");
  char *model = data ? g_build_filename(data, "models", "ssd_mobilenet_v2_oid.onnx", NULL) : NULL;
  if (model && g_file_test(model, G_FILE_TEST_EXISTS)) {
    const char *detect_dir[] = { cmd, "detect", "--input", dir, NULL };
    r = run_cmd(detect_dir, 30, NULL);
    ASSERT_STATUS(r, 1);
    ASSERT_CONTAINS(r.err, "is a directory");
    result_clear(&r);
    char *out = g_build_filename(dir, "out", NULL);
    const char *detect_tiny[]
        = { cmd, "detect", "--quiet", "--input", tiny, "--output-dir", out, NULL };
    r = run_cmd(detect_tiny, 60, NULL);
    ASSERT_STATUS(r, 1);
    ASSERT_CONTAINS(r.err, "encoder 'encode' (x264enc) cannot encode 1x1 video");
    char *json = g_build_filename(out, "detections.jsonl", NULL);
    char *video = g_build_filename(out, "detections.mp4", NULL);
    g_assert_false(g_file_test(json, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(video, G_FILE_TEST_EXISTS));
    g_rmdir(out);
    result_clear(&r);
    g_free(json);
    g_free(video);
    g_free(out);
  } else {
    g_test_message("vidflow detect not tried: no data/models (tools/fetch-assets.sh)");
  }
  g_unlink(tiny);
  g_unlink(encode);
  g_unlink(capture_dir);
  g_rmdir(dir);
  g_free(model);
  g_free(tiny);
  g_free(mp4);
  g_free(encode);
  g_free(capture_dir);
  g_free(dir);
}

#define RUNNING "vidflow: running '"
#define DRAINING "interrupted: finishing the stream"

static void test_interrupts(void)
{
  /* an endless flow: the first Ctrl-C while it runs drains it (exit 0, a summary) */
  char *loop = clip_yaml("cmd-loop.yaml", "flow:\n  - capture: {uris: [CLIP], file-loop: true}\n"
                                          "  - render: {mode: discard, sync: true}\n");
  const char *argv[] = { cmd, "run", loop, NULL };
  const Trigger once[] = { { .after = RUNNING, .sig = SIGINT }, { 0 } };
  Result r = run_cmd(argv, 60, once);
  ASSERT_STATUS(r, 0);
  ASSERT_CONTAINS(r.out, "reached its end of stream");
  ASSERT_CONTAINS(r.err, DRAINING);
  result_clear(&r);

  /* Ctrl-C as soon as the command handles it (while it loads and starts the flow): not lost */
  const Trigger early[] = { { .after = VF_CMD_NOTIFY_STARTING, .sig = SIGINT }, { 0 } };
  r = run_cmd(argv, 60, early);
  ASSERT_STATUS(r, 0);
  ASSERT_CONTAINS(r.out, "reached its end of stream");
  result_clear(&r);

  /* two at that moment (SIGTERM, as a supervisor sends it, and SIGINT): stopped, 130 */
  const Trigger early_twice[]
      = { { .after = VF_CMD_NOTIFY_STARTING, .sig = SIGTERM, .sig2 = SIGINT }, { 0 } };
  r = run_cmd(argv, 60, early_twice);
  ASSERT_STATUS(r, 130);
  result_clear(&r);

  /* --duration: the same clean end */
  const char *argv2[] = { cmd, "run", "--duration=1", loop, NULL };
  r = run_cmd(argv2, 60, NULL);
  ASSERT_STATUS(r, 0);
  result_clear(&r);

  /* a stream that cannot drain (an appsink nobody reads): the second Ctrl-C stops it */
  char *stuck = flow_test_write("cmd-stuck.yaml",
                                "deepstream:\n  nodes:\n    - {type: videotestsrc, name: src, "
                                "properties: {is-live: true}}\n    - {type: appsink, name: sink, "
                                "properties: {max-buffers: 1, sync: false}}\n"
                                "  edges: {src: sink}\n");
  const char *argv3[] = { cmd, "run", stuck, NULL };
  const Trigger twice[]
      = { { .after = RUNNING, .sig = SIGINT }, { .after = DRAINING, .sig = SIGINT }, { 0 } };
  r = run_cmd(argv3, 60, twice);
  ASSERT_STATUS(r, 130);
  ASSERT_CONTAINS(r.err, "stopped");
  result_clear(&r);
  g_unlink(loop);
  g_unlink(stuck);
  g_free(loop);
  g_free(stuck);
}

static void count_call(gpointer data)
{
  (*(guint *)data)++;
}

/* A service manager (NOTIFY_SOCKET) hears STATUS=starting, READY=1 and STOPPING=1 in that order;
 * one it cannot reach is said once and the run goes on. */
static void test_notify(void)
{
  char *flow = clip_yaml("cmd-notify.yaml", "flow:\n  - capture: [CLIP]\n  - render: discard\n");
  const char *argv[] = { cmd, "run", "--quiet", flow, NULL };
  guint calls = 0;
  const Trigger order[] = { { .after = VF_CMD_NOTIFY_STARTING, .call = count_call, .data = &calls },
                            { .after = "READY=1", .call = count_call, .data = &calls },
                            { .after = VF_CMD_NOTIFY_STOPPING, .call = count_call, .data = &calls },
                            { 0 } };
  Result r = run_cmd(argv, 60, order);
  ASSERT_STATUS(r, 0);
  g_assert_cmpuint(calls, ==, 3);
  result_clear(&r);
  extra_env[0] = "NOTIFY_SOCKET";
  extra_env[1] = "/nonexistent-dir/notify";
  r = run_cmd(argv, 60, NULL);
  extra_env[0] = NULL;
  ASSERT_STATUS(r, 0);
  ASSERT_CONTAINS(r.err, "cannot notify the service manager at NOTIFY_SOCKET "
                         "'/nonexistent-dir/notify'");
  g_assert_null(strstr(strstr(r.err, "cannot notify") + 1, "cannot notify")); /* once */
  result_clear(&r);
  g_unlink(flow);
  g_free(flow);
}

/* The number of video frames `path` decodes to (-1: it does not play). */
static gint count_video_frames(const char *path)
{
  char *uri = gst_filename_to_uri(path, NULL);
  FlowCounter c;
  flow_counter_init(&c);
  VfPipeline *p = vf_pipeline_new("count");
  GError *err = NULL;
  gboolean ok
      = vf_pipeline_add(p, "uridecodebin", "src", &err, "uri", uri, "caps", "video/x-raw", NULL)
        && vf_pipeline_add(p, "appsink", "sink", &err, "sync", "false", NULL)
        && vf_pipeline_link(p, &err, "src", "sink", NULL)
        && vf_pipeline_attach_receiver(
            p, "sink", vf_receiver_new("count", &flow_counter_callbacks, &c), NULL, &err)
        && vf_pipeline_run(p, &err);
  if (!ok)
    g_test_message("%s does not play: %s", path, err->message);
  g_clear_error(&err);
  vf_pipeline_free(p);
  g_free(uri);
  return ok ? c.frames : -1;
}

static guint count_lines(const char *path)
{
  char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  guint n = 0;
  for (const char *t = text; (t = strchr(t, '\n')); t++)
    n++;
  g_free(text);
  return n;
}

/* `vidflow detect` interrupted at several moments: while it starts (the model loads) and while it
 * runs, one Ctrl-C drains to a playable MP4 holding every frame of the JSON lines; two stop it
 * (130), also when they come before anything could act on them. */
static void test_detect_interrupts(void)
{
  const char *data = g_getenv("VIDFLOW_DATA_DIR");
  char *vtest = data ? g_build_filename(data, "footage", "vtest.avi", NULL) : NULL;
  char *model = data ? g_build_filename(data, "models", "ssd_mobilenet_v2_oid.onnx", NULL) : NULL;
  if (vtest == NULL || !g_file_test(vtest, G_FILE_TEST_EXISTS)
      || !g_file_test(model, G_FILE_TEST_EXISTS)) {
    g_test_skip("vidflow detect needs data/footage/vtest.avi and the SSD model "
                "(tools/fetch-assets.sh)");
    g_free(vtest);
    g_free(model);
    return;
  }
  char *dir = g_dir_make_tmp("vf-detect-XXXXXX", NULL);
  char *mp4 = g_build_filename(dir, "detections.mp4", NULL);
  char *jsonl = g_build_filename(dir, "detections.jsonl", NULL);
  const char *argv[] = { cmd, "detect", "--output-dir", dir, NULL };
  const Trigger starting[] = { { .after = "-> H.264 MP4", .sig = SIGINT }, { 0 } };
  const Trigger running[] = { { .after = "vidflow detect: running", .sig = SIGINT }, { 0 } };
  const Trigger *drains[] = { starting, running };
  for (guint i = 0; i < G_N_ELEMENTS(drains); i++) {
    Result r = run_cmd(argv, 300, drains[i]);
    ASSERT_STATUS(r, 0);
    ASSERT_CONTAINS(r.err, DRAINING);
    guint lines = count_lines(jsonl);
    gint frames = count_video_frames(mp4);
    g_test_message("interrupted %s: %u JSON lines, %d frames in the MP4",
                   i ? "while running" : "while starting", lines, frames);
    g_assert_cmpuint(lines, >, 0);
    g_assert_cmpuint(lines, <, 795); /* vtest.avi has 795: the interrupt ended it */
    g_assert_cmpint(frames, ==, (gint)lines);
    result_clear(&r);
  }
  const Trigger twice[] = { { .after = "-> H.264 MP4", .sig = SIGINT, .sig2 = SIGTERM }, { 0 } };
  Result r = run_cmd(argv, 300, twice);
  ASSERT_STATUS(r, 130);
  result_clear(&r);
  const Trigger early[]
      = { { .after = VF_CMD_NOTIFY_STARTING, .sig = SIGTERM, .sig2 = SIGINT }, { 0 } };
  r = run_cmd(argv, 300, early);
  ASSERT_STATUS(r, 130);
  result_clear(&r);
  char *rm = g_strdup_printf("rm -rf '%s'", dir);
  g_assert_cmpint(system(rm), ==, 0);
  g_free(rm);
  g_free(dir);
  g_free(mp4);
  g_free(jsonl);
  g_free(vtest);
  g_free(model);
}

/* What the pipeline says goes to stderr as it happens: a source that reconnects (the server ends
 * its stream every half second), and the built-in probes' lines (never stdout, not even with
 * --quiet: stdout belongs to the caller). The first Ctrl-C, sent while the source reconnects,
 * drains it. */
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
  char *lost
      = g_strdup_printf("(rtsp://127.0.0.1:%u/test) lost: reconnecting, attempt 1 in 1.0 s", port);
  const char *argv[] = { cmd, "run", "--quiet", flow, NULL };
  const Trigger at_loss[] = { { .after = lost, .sig = SIGINT }, { 0 } };
  Result r = run_cmd(argv, 60, at_loss);
  ASSERT_STATUS(r, 0);
  ASSERT_CONTAINS(r.err, "vidflow: source 'capture0-src0'");
  ASSERT_CONTAINS(r.err, "fps summary 'measure_fps_probe'");
  g_assert_cmpstr(r.out, ==, "");
  result_clear(&r);
  flow_test_server_stop(server);
  g_unlink(flow);
  g_free(lost);
  g_free(flow);
  g_free(text);
}

/* A command past its time is killed with all it started (with-xvfb.sh starts Xvfb and vidflow):
 * a child left behind would hold the pipes open and the run would never end. */
static void test_timeout_kills_group(void)
{
  const char *argv[] = { "/bin/sh", "-c", "sleep 600 & exec sleep 600", NULL };
  Result r = run_cmd(argv, 1, NULL);
  g_assert_cmpint(r.status, ==, -SIGKILL);
  result_clear(&r);
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
  extra_env[4] = "VIDFLOW_REST_PORT"; /* flows/live.yaml: any free port */
  extra_env[5] = "0";
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
      Result r = run_cmd(argv, 60, NULL);
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
    g_print("1..0 # SKIP VIDFLOW_CMD is not set: run through meson test\n");
    return 0;
  }
  clip = flow_test_clip("cmd-clip.mp4", 30, 160, 120);
  g_test_add_func("/cmd/run-flow-and-graph", test_run_flow_and_graph);
  g_test_add_func("/cmd/errors", test_errors);
  g_test_add_func("/cmd/bad-inputs", test_bad_inputs);
  g_test_add_func("/cmd/interrupts", test_interrupts);
  g_test_add_func("/cmd/detect-interrupts", test_detect_interrupts);
  g_test_add_func("/cmd/notify", test_notify);
  g_test_add_func("/cmd/messages-on-stderr", test_messages_on_stderr);
  g_test_add_func("/cmd/timeout-kills-group", test_timeout_kills_group);
  g_test_add_func("/cmd/samples", test_samples);
  int ret = g_test_run();
  g_unlink(clip);
  g_free(clip);
  return ret;
}
