/* vidflow: the command. Runs Service Maker pipeline graphs and Flow descriptions written in YAML,
 * with live progress on a terminal and a summary at the end.
 *
 *   vidflow run [--quiet] [--no-progress] [--duration=SECONDS] [--rest-port=PORT] FILE.yaml
 *
 * Progress (on a terminal, once a second): frames and fps of each source, and the objects found
 * by the detector (vfinfer) that found the most. The summary repeats them for the whole run.
 * Warnings of elements, sources that reconnect or fail and finished recordings are printed to
 * stderr as they happen (with --quiet too); sources added, ended and removed too (not with
 * --quiet). --rest-port serves DeepStream's REST API (vidflow/rest.h) for the run: sources of a
 * batch_capture added and removed with curl while it runs.
 *   vidflow check FILE.yaml        build it, report errors, do not run
 *   vidflow objects                list the custom objects (built-in and plugins)
 *
 * Exit status: 0 when the pipeline reached its end of stream (the first Ctrl-C, or --duration,
 * ends it that way too), 1 on an error (the message is printed), 2 on bad usage, 130 when a
 * second Ctrl-C stopped it at once. Under a service manager (systemd Type=notify, $NOTIFY_SOCKET)
 * `run` and `detect` say when they handle signals, run and stop (notify.h). */
#include <vidflow/vidflow.h>

#include "detect.h"
#include "notify.h"
#include "report.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define EXIT_INTERRUPTED VF_CMD_EXIT_INTERRUPTED

/* ---- progress: frames per source, objects ---- */

typedef struct {
  char *label;
  GstElement *element; /* ref */
  gint64 frames;       /* atomic */
  gint64 last_frames;  /* at the last progress line */
  gboolean is_raw;     /* counts decoded frames (else: buffers) */
  gint reconnecting;   /* atomic: the reconnection attempt under way, 0: streaming */
} Source;

typedef struct {
  GPtrArray *sources;   /* Source* */
  GPtrArray *detectors; /* gint64* per vfinfer element (atomic counters) */
  gint64 started_us;
  gint64 last_us;
  GMutex lock;
  GCond cond;
  gboolean done;
  gboolean live; /* a terminal: rewrite one line */
  guint duration_s;
  VfPipeline *pipeline;
} Progress;

static GstPadProbeReturn count_source(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  (void)info;
  Source *s = data;
  g_atomic_pointer_add(&s->frames, 1);
  g_atomic_int_set(&s->reconnecting, 0); /* frames again */
  return GST_PAD_PROBE_OK;
}

/* A source announced a reconnection (bus thread): the progress line says so until it streams. */
static void on_reconnecting(VfPipeline *pipeline, GstMessage *message, gpointer data)
{
  (void)pipeline;
  GPtrArray *sources = data;
  VfSourceMessage m;
  if (!vf_source_message_parse(message, &m) || m.type != VF_SOURCE_MESSAGE_RECONNECTING)
    return;
  for (guint i = 0; i < sources->len; i++) {
    Source *s = sources->pdata[i];
    if (g_str_equal(GST_ELEMENT_NAME(s->element), m.element))
      g_atomic_int_set(&s->reconnecting, (gint)m.attempt);
  }
}

static void watch_pad(Source *s, GstPad *pad)
{
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, count_source, s, NULL);
}

static void on_source_pad(GstElement *element, GstPad *pad, gpointer data)
{
  (void)element;
  if (GST_PAD_DIRECTION(pad) == GST_PAD_SRC)
    watch_pad(data, pad);
}

/* Objects in the batches leaving a detector. */
static GstPadProbeReturn count_objects(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  VfBatchMeta *meta = vf_batch_meta_get(GST_PAD_PROBE_INFO_BUFFER(info));
  gint64 n = 0;
  for (guint i = 0; meta && i < vf_batch_meta_get_n_frames(meta); i++)
    n += vf_frame_meta_get_n_objects(vf_batch_meta_get_frame(meta, i));
  if (n)
    g_atomic_pointer_add((gint64 *)data, (gssize)n);
  return GST_PAD_PROBE_OK;
}

static void source_free(Source *s)
{
  gst_object_unref(s->element);
  g_free(s->label);
  g_free(s);
}

static gpointer ref_object(gconstpointer object, gpointer unused)
{
  (void)unused;
  return gst_object_ref((gpointer)object);
}

/* Counts what leaves source element `e`. The bins VfSources puts each source in (no factory:
 * not made by a plugin) are looked into; elements of vidflow without a factory and pads (the
 * sources' keeper) give nothing. */
static void progress_add_source(Progress *pr, GstElement *e)
{
  if (gst_element_get_factory(e) == NULL) {
    if (!GST_IS_BIN(e))
      return;
    GstIterator *it = gst_bin_iterate_elements(GST_BIN(e));
    GValue item = G_VALUE_INIT;
    while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
      GstElement *child = g_value_get_object(&item);
      if (child->numsinkpads == 0 && GST_OBJECT_FLAG_IS_SET(child, GST_ELEMENT_FLAG_SOURCE))
        progress_add_source(pr, child);
      g_value_reset(&item);
    }
    g_value_unset(&item);
    gst_iterator_free(it);
    return;
  }
  Source *s = g_new0(Source, 1);
  s->element = gst_object_ref(e);
  const char *factory = GST_OBJECT_NAME(gst_element_get_factory(e));
  s->is_raw = g_str_equal(factory, "vfurisrcbin") || g_str_equal(factory, "appsrc")
              || g_str_equal(factory, "videotestsrc");
  char *uri = NULL;
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(e), "uri"))
    g_object_get(e, "uri", &uri, NULL);
  else if (g_object_class_find_property(G_OBJECT_GET_CLASS(e), "location"))
    g_object_get(e, "location", &uri, NULL);
  char *base = uri ? g_path_get_basename(uri) : NULL;
  s->label = base ? g_strdup_printf("%s (%s)", GST_ELEMENT_NAME(e), base)
                  : g_strdup(GST_ELEMENT_NAME(e));
  g_free(base);
  g_free(uri);
  GST_OBJECT_LOCK(e);
  GList *pads = g_list_copy_deep(e->srcpads, ref_object, NULL);
  GST_OBJECT_UNLOCK(e);
  for (GList *l = pads; l; l = l->next)
    watch_pad(s, l->data);
  g_list_free_full(pads, gst_object_unref);
  g_signal_connect(e, "pad-added", G_CALLBACK(on_source_pad), s);
  g_ptr_array_add(pr->sources, s);
}

/* Every element without sink pads is a source: count what leaves it. */
static void progress_attach(Progress *pr, VfPipeline *pipeline)
{
  pr->sources = g_ptr_array_new_with_free_func((GDestroyNotify)source_free);
  pr->detectors = g_ptr_array_new_with_free_func(g_free);
  GstIterator *it = gst_bin_iterate_elements(GST_BIN(vf_pipeline_get_gst_pipeline(pipeline)));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object(&item);
    GstElementFactory *factory = gst_element_get_factory(e);
    if (factory && g_str_equal(GST_OBJECT_NAME(factory), "vfinfer")) {
      GstPad *src = gst_element_get_static_pad(e, "src");
      if (src) {
        gint64 *counter = g_new0(gint64, 1);
        g_ptr_array_add(pr->detectors, counter);
        gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER, count_objects, counter, NULL);
        gst_object_unref(src);
      }
    }
    if (e->numsinkpads == 0 && GST_OBJECT_FLAG_IS_SET(e, GST_ELEMENT_FLAG_SOURCE))
      progress_add_source(pr, e);
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
  VfBusWatchCallbacks cb = { .on_message = on_reconnecting };
  vf_pipeline_add_bus_watch(pipeline, GST_MESSAGE_ELEMENT, &cb, pr->sources, NULL);
}

static gint64 objects_found(Progress *pr)
{
  gint64 best = 0;
  for (guint i = 0; i < pr->detectors->len; i++)
    best = MAX(best, (gint64)g_atomic_pointer_get((gint64 *)pr->detectors->pdata[i]));
  return best;
}

static void print_line(Progress *pr, gboolean final)
{
  gint64 now = g_get_monotonic_time();
  double secs = (now - pr->started_us) / 1e6;
  double dt = MAX((now - pr->last_us) / 1e6, 1e-3);
  GString *line = g_string_new(NULL);
  g_string_append_printf(line, "%7.1f s", secs);
  for (guint i = 0; i < pr->sources->len; i++) {
    Source *s = pr->sources->pdata[i];
    gint64 n = (gint64)g_atomic_pointer_get(&s->frames);
    gint attempt = g_atomic_int_get(&s->reconnecting);
    if (attempt > 0)
      g_string_append_printf(line, " | %s %" G_GINT64_FORMAT " %s, reconnecting (attempt %d)",
                             GST_ELEMENT_NAME(s->element), n, s->is_raw ? "fr" : "buf", attempt);
    else
      g_string_append_printf(line, " | %s %" G_GINT64_FORMAT " %s %.1f fps",
                             GST_ELEMENT_NAME(s->element), n, s->is_raw ? "fr" : "buf",
                             (n - s->last_frames) / dt);
    s->last_frames = n;
  }
  gint64 objects = objects_found(pr);
  if (pr->detectors->len > 0)
    g_string_append_printf(line, " | %" G_GINT64_FORMAT " objects", objects);
  pr->last_us = now;
  if (pr->live)
    g_printerr("\r%s\033[K%s", line->str, final ? "\n" : "");
  g_string_free(line, TRUE);
}

static gpointer progress_thread(gpointer data)
{
  Progress *pr = data;
  gint64 next_line = g_get_monotonic_time() + G_TIME_SPAN_SECOND;
  gint64 deadline
      = pr->duration_s ? pr->started_us + (gint64)pr->duration_s * G_TIME_SPAN_SECOND : G_MAXINT64;
  g_mutex_lock(&pr->lock);
  while (!pr->done) {
    gint64 until = MIN(next_line, deadline);
    if (!g_cond_wait_until(&pr->cond, &pr->lock, until)) {
      gint64 now = g_get_monotonic_time();
      if (now >= deadline) {
        deadline = G_MAXINT64;
        vf_pipeline_send_eos(pr->pipeline); /* --duration: a clean end, as the first Ctrl-C */
      }
      if (now >= next_line) {
        g_mutex_unlock(&pr->lock);
        print_line(pr, FALSE);
        g_mutex_lock(&pr->lock);
        next_line = now + G_TIME_SPAN_SECOND;
      }
    }
  }
  g_mutex_unlock(&pr->lock);
  return NULL;
}

static void print_summary(Progress *pr, VfFlow *flow, const char *name, const char *how)
{
  double secs = (g_get_monotonic_time() - pr->started_us) / 1e6;
  g_print("vidflow: %s %s after %.2f s\n", name, how, secs);
  guint width = 6;
  for (guint i = 0; i < pr->sources->len; i++)
    width = MAX(width, (guint)strlen(((Source *)pr->sources->pdata[i])->label));
  g_print("  %-*s %10s %9s\n", (int)width, "source", "frames", "avg fps");
  for (guint i = 0; i < pr->sources->len; i++) {
    Source *s = pr->sources->pdata[i];
    gint64 n = (gint64)g_atomic_pointer_get(&s->frames);
    g_print("  %-*s %10" G_GINT64_FORMAT " %9.1f%s\n", (int)width, s->label, n,
            secs > 0 ? n / secs : 0.0, s->is_raw ? "" : " (buffers)");
  }
  gint64 objects = objects_found(pr);
  if (pr->detectors->len > 0)
    g_print("  objects detected: %" G_GINT64_FORMAT "\n", objects);
  VfRtspStats st;
  for (guint i = 0; vf_flow_get_rtsp_stats(flow, i, &st); i++) {
    char *url = vf_flow_get_rtsp_url(flow, i);
    g_print("  %s: %" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT " clients, %" G_GUINT64_FORMAT
            " frames dropped for clients that could not keep up\n",
            url, st.frames, st.clients_total, st.dropped);
    g_free(url);
  }
}

/* Messages of every vfmsgbroker: what was sent, acknowledged, and what waits or was lost. */
static void print_publish_summary(VfPipeline *pipeline)
{
  GstIterator *it = gst_bin_iterate_recurse(GST_BIN(vf_pipeline_get_gst_pipeline(pipeline)));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object(&item);
    GstElementFactory *f = gst_element_get_factory(e);
    if (f && g_str_equal(GST_OBJECT_NAME(f), "vfmsgbroker")) {
      GstStructure *st = NULL;
      g_object_get(e, "stats", &st, NULL);
      guint64 v[8] = { 0 };
      const char *names[] = { "accepted", "sent",    "resent",  "acknowledged",
                              "queued",   "spooled", "dropped", "failed" };
      for (guint i = 0; i < G_N_ELEMENTS(names); i++)
        gst_structure_get_uint64(st, names[i], &v[i]);
      g_print("  messages (%s): %" G_GUINT64_FORMAT " published, %" G_GUINT64_FORMAT
              " sent (%" G_GUINT64_FORMAT " resent), %" G_GUINT64_FORMAT
              " acknowledged, %" G_GUINT64_FORMAT " queued, %" G_GUINT64_FORMAT
              " spooled, %" G_GUINT64_FORMAT " dropped, %" G_GUINT64_FORMAT " failed\n",
              GST_ELEMENT_NAME(e), v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
      gst_structure_free(st);
    }
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
}

/* ---- commands ---- */

typedef struct {
  gboolean quiet, no_progress;
  guint duration;
  gint rest_port;           /* -1: no REST server (--rest-port) */
  const char *rest_address; /* (nullable) --rest-address, default 127.0.0.1 */
} Options;

static int fail(GError *err)
{
  g_printerr("vidflow: error: %s\n", err->message);
  g_error_free(err);
  return 1;
}

/* Build what the file describes: a flow or a plain pipeline. */
static gboolean load(const char *path, VfFlow **flow, VfPipeline **pipeline, GError **error)
{
  VfYamlKind kind;
  *flow = NULL;
  *pipeline = NULL;
  if (!vf_yaml_detect(path, &kind, error))
    return FALSE;
  if (kind == VF_YAML_FLOW) {
    *flow = vf_flow_new_from_yaml(path, error);
    if (*flow && !vf_flow_check(*flow, error)) {
      vf_flow_free(*flow);
      *flow = NULL;
    }
    *pipeline = *flow ? vf_flow_get_pipeline(*flow) : NULL;
  } else {
    *pipeline = vf_pipeline_new_from_yaml(path, error);
  }
  return *pipeline != NULL;
}

static int cmd_run(const char *path, const Options *opt)
{
  GError *err = NULL;
  VfFlow *flow;
  VfPipeline *pipeline;
  vf_handle_interrupts(); /* Ctrl-C counts from here: while the file loads too */
  vf_cmd_notify(VF_CMD_NOTIFY_STARTING);
  if (!load(path, &flow, &pipeline, &err)) {
    vf_cmd_notify(VF_CMD_NOTIFY_STOPPING);
    return fail(err);
  }
  Progress pr = { 0 };
  g_mutex_init(&pr.lock);
  g_cond_init(&pr.cond);
  pr.live = !opt->quiet && !opt->no_progress && isatty(STDERR_FILENO);
  pr.duration_s = opt->duration;
  pr.pipeline = pipeline;
  progress_attach(&pr, pipeline);
  vf_cmd_report_messages(pipeline, pr.live, !opt->quiet);
  /* --rest-port: a server unless the flow has one (batch_capture's port) */
  gboolean ok = opt->rest_port < 0 || vf_pipeline_get_rest_server(pipeline)
                || vf_pipeline_serve_rest(pipeline, opt->rest_address, (guint)opt->rest_port, &err);
  const char *name = GST_ELEMENT_NAME(vf_pipeline_get_gst_pipeline(pipeline));
  pr.started_us = pr.last_us = g_get_monotonic_time();
  ok = ok && (flow ? vf_flow_start(flow, &err) : vf_pipeline_start(pipeline, &err));
  GThread *thread = ok ? g_thread_new("vidflow-progress", progress_thread, &pr) : NULL;
  if (ok)
    vf_cmd_notify(VF_CMD_NOTIFY_READY);
  if (ok && !opt->quiet)
    g_printerr("vidflow: running '%s' (Ctrl-C: finish the stream cleanly; twice: stop)\n", name);
  VfRestServer *rest = ok ? vf_pipeline_get_rest_server(pipeline) : NULL;
  if (rest && !opt->quiet) {
    char *url = vf_rest_server_get_url(rest);
    g_printerr("vidflow: REST server at %s/api/v1/\n", url);
    g_free(url);
  }
  if (ok && !opt->quiet && flow)
    for (guint i = 0;; i++) {
      char *url = vf_flow_get_rtsp_url(flow, i);
      if (url == NULL)
        break;
      g_printerr("vidflow: streaming at %s\n", url);
      g_free(url);
    }
  if (ok)
    ok = flow ? vf_flow_wait(flow, &err) : vf_pipeline_wait(pipeline, &err);
  vf_cmd_notify(VF_CMD_NOTIFY_STOPPING);
  if (thread) {
    g_mutex_lock(&pr.lock);
    pr.done = TRUE;
    g_cond_broadcast(&pr.cond);
    g_mutex_unlock(&pr.lock);
    g_thread_join(thread);
    if (pr.live)
      print_line(&pr, TRUE);
  }
  int status = 0;
  const char *how = "reached its end of stream";
  if (!ok) {
    status = g_error_matches(err, VF_ERROR, VF_ERROR_INTERRUPTED) ? EXIT_INTERRUPTED : 1;
    how = status == EXIT_INTERRUPTED ? "was stopped" : "failed";
  }
  if (!opt->quiet) {
    print_summary(&pr, flow, name, how);
    print_publish_summary(pipeline);
  }
  if (err)
    g_printerr("vidflow: %s: %s\n", status == EXIT_INTERRUPTED ? "stopped" : "error", err->message);
  g_clear_error(&err);
  if (flow)
    vf_flow_free(flow);
  else
    vf_pipeline_free(pipeline);
  /* after the pipeline: its watch (on_reconnecting) uses them until then */
  g_ptr_array_unref(pr.sources);
  g_ptr_array_unref(pr.detectors);
  g_mutex_clear(&pr.lock);
  g_cond_clear(&pr.cond);
  return status;
}

static int cmd_check(const char *path)
{
  GError *err = NULL;
  VfFlow *flow;
  VfPipeline *pipeline;
  if (!load(path, &flow, &pipeline, &err))
    return fail(err);
  g_print("vidflow: %s: %s '%s' is complete\n", path, flow ? "flow" : "pipeline",
          GST_ELEMENT_NAME(vf_pipeline_get_gst_pipeline(pipeline)));
  if (flow)
    vf_flow_free(flow);
  else
    vf_pipeline_free(pipeline);
  return 0;
}

static int cmd_objects(void)
{
  char **list = vf_custom_list();
  g_print("%-28s %-10s %s\n", "name", "kind", "description");
  for (char **l = list; *l; l++) {
    char **f = g_strsplit(*l, "\t", 3);
    g_print("%-28s %-10s %s\n", f[0], f[1] ? f[1] : "", f[1] && f[2] ? f[2] : "");
    g_strfreev(f);
  }
  g_strfreev(list);
  return 0;
}

/* The DeepStream names table, as docs/nvidia-names.md has it. */
static int cmd_names(void)
{
  char *md = vf_nvidia_names_to_markdown();
  g_print("%s", md);
  g_free(md);
  return 0;
}

static void usage(FILE *out)
{
  fprintf(out,
          "Usage:\n"
          "  vidflow detect [--input VIDEO] [--config YAML] [--output-dir DIR] ...\n"
          "                 the built-in default: detection on the sample footage\n"
          "  vidflow run [--quiet] [--no-progress] [--duration=SECONDS] [--no-display]\n"
          "              [--rest-port=PORT [--rest-address=IP]] FILE.yaml\n"
          "  vidflow check FILE.yaml\n"
          "  vidflow objects\n"
          "  vidflow names      DeepStream's element names and what vidflow runs for each\n"
          "\n"
          "FILE.yaml is a Service Maker pipeline graph (deepstream: {nodes, edges}) or a\n"
          "flow description (flow: [capture: ..., render: ...]); see vidflow/yaml.h.\n"
          "  -q, --quiet        print errors only (no progress, no summary)\n"
          "  --no-progress      no live progress line (the summary is still printed)\n"
          "  --duration=SECONDS end the stream cleanly after SECONDS (as Ctrl-C does)\n"
          "  --no-display       display sinks drop the frames (VIDFLOW_DISPLAY_SINK=fakesink)\n"
          "  --rest-port=PORT   serve DeepStream's REST API (stream add/remove/info, ...) at\n"
          "                     http://127.0.0.1:PORT/api/v1/ (0: any free port, printed)\n"
          "  --rest-address=IP  listen there instead (0.0.0.0: every interface)\n"
          "Ctrl-C once: finish the stream cleanly; twice: stop at once.\n"
          "With $NOTIFY_SOCKET (systemd Type=notify): STATUS=starting, READY=1, STOPPING=1.\n"
          "Exit status: 0 at end of stream, 1 on error, 2 on bad usage, 130 when stopped.\n");
}

int main(int argc, char **argv)
{
  setvbuf(stdout, NULL, _IOLBF, 0); /* whole lines, as they come, to a pipe too */
  /* `detect` has options of its own: hand it the rest of the command line. */
  if (argc > 1 && g_str_equal(argv[1], "detect"))
    return vf_cmd_detect(argc - 1, argv + 1);
  Options opt = { .rest_port = -1 };
  const char *command = NULL, *file = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (g_str_equal(a, "-q") || g_str_equal(a, "--quiet"))
      opt.quiet = TRUE;
    else if (g_str_equal(a, "--no-progress"))
      opt.no_progress = TRUE;
    else if (g_str_equal(a, "--no-display"))
      g_setenv(VF_DISPLAY_SINK_ENV, "fakesink", TRUE);
    else if (g_str_has_prefix(a, "--duration=")) {
      guint64 d;
      if (!g_ascii_string_to_unsigned(a + strlen("--duration="), 10, 1, 86400 * 365, &d, NULL)) {
        fprintf(stderr, "vidflow: --duration takes a whole number of seconds\n");
        return EXIT_USAGE;
      }
      opt.duration = (guint)d;
    } else if (g_str_has_prefix(a, "--rest-port=")) {
      guint64 port;
      if (!g_ascii_string_to_unsigned(a + strlen("--rest-port="), 10, 0, 65535, &port, NULL)) {
        fprintf(stderr, "vidflow: --rest-port takes a TCP port, 0 to 65535 (0: any free one)\n");
        return EXIT_USAGE;
      }
      opt.rest_port = (gint)port;
    } else if (g_str_has_prefix(a, "--rest-address=")) {
      opt.rest_address = a + strlen("--rest-address=");
    } else if (g_str_equal(a, "-h") || g_str_equal(a, "--help")) {
      usage(stdout);
      return 0;
    } else if (g_str_equal(a, "--version")) {
      g_print("vidflow %s\n", VIDFLOW_VERSION);
      return 0;
    } else if (a[0] == '-') {
      fprintf(stderr, "vidflow: unknown option '%s'\n", a);
      usage(stderr);
      return EXIT_USAGE;
    } else if (command == NULL)
      command = a;
    else if (file == NULL)
      file = a;
    else {
      fprintf(stderr, "vidflow: one file at a time ('%s' is extra)\n", a);
      return EXIT_USAGE;
    }
  }
  GError *err = NULL;
  if (command == NULL) {
    usage(stderr);
    return EXIT_USAGE;
  }
  if (!vf_init(&err))
    return fail(err);
  if (g_str_equal(command, "objects"))
    return cmd_objects();
  if (g_str_equal(command, "names"))
    return cmd_names();
  if (!g_str_equal(command, "run") && !g_str_equal(command, "check")) {
    fprintf(stderr, "vidflow: unknown command '%s'\n", command);
    usage(stderr);
    return EXIT_USAGE;
  }
  if (file == NULL) {
    fprintf(stderr, "vidflow: %s needs a YAML file\n", command);
    return EXIT_USAGE;
  }
  return g_str_equal(command, "run") ? cmd_run(file, &opt) : cmd_check(file);
}
