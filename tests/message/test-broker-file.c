/* vidflow tests: vfmsgbroker without a network broker: the file adapter (JSON lines), an adapter
 * library loaded by path (plugins/msgapi-sample, the "folder" protocol, whose folder can be
 * missing: an unreachable broker), the spool (bounded: drops the oldest, counted; kept across
 * restarts in a spool folder of one's own), the memory-only queue (the stream waits), and the bad
 * inputs: wrong conn-strs, unknown adapters, libraries missing symbols or of another ABI, bad
 * options and configs, each with a clear error. */
#include "spool-bytes.h"
#include "brokers.h"

static char *test_dir(const char *what)
{
  return broker_dir(what);
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The messages of a folder of the sample adapter, in file-name (send) order. */
static GPtrArray *read_folder(const char *dir)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  g_assert_nonnull(d);
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  for (const char *n; (n = g_dir_read_name(d));)
    if (g_str_has_suffix(n, ".msg"))
      g_ptr_array_add(names, g_strdup(n));
  g_dir_close(d);
  g_ptr_array_sort(names, compare_names);
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < names->len; i++) {
    char *path = g_build_filename(dir, names->pdata[i], NULL), *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_ptr_array_add(out, text);
    g_free(path);
  }
  g_ptr_array_unref(names);
  return out;
}

static void test_file_adapter(void)
{
  char *dir = test_dir("file");
  char *path = g_build_filename(dir, "events.jsonl", NULL);
  char *uri = g_filename_to_uri(path, NULL, NULL);
  const char *props[] = { "conn-str", uri, NULL };
  Publish pub = { .sources = 3, .frames = 40, .payload_type = "vidflow", .broker_props = props };
  GError *err = NULL;
  VfPipeline *p = publish_pipeline(&pub, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 120);
  vf_pipeline_free(p);
  GPtrArray *lines = test_read_lines(path);
  Delivery d = delivery_check(lines, VF_PAYLOAD_VIDFLOW, 3, 40, "file");
  delivery_assert_complete(&d);
  g_assert_cmpuint(d.duplicates, ==, 0);
  g_ptr_array_unref(lines);
  /* a plain path with proto-lib=file appends */
  const char *plain[] = { "proto-lib", "file", "conn-str", path, NULL };
  Publish more = { .sources = 1, .frames = 5, .payload_type = "vidflow", .broker_props = plain };
  p = publish_pipeline(&more, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_run(p, &err), err);
  vf_pipeline_free(p);
  lines = test_read_lines(path);
  g_assert_cmpuint(lines->len, ==, 125);
  g_ptr_array_unref(lines);

  /* one message of memory: nearly every one is read back from the spool (its files, or the
   * records not written yet), and each arrives whole, once, in order */
  g_unlink(path);
  const char *small[] = { "conn-str", uri, "queue-size", "1", NULL };
  Publish burst = { .sources = 3, .frames = 200, .payload_type = "vidflow", .broker_props = small };
  p = publish_pipeline(&burst, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 600);
  guint64 from_spool = broker_stat(p, "spooled-total");
  g_test_message("queue-size 1: %" G_GUINT64_FORMAT " of 600 messages read back from the spool",
                 from_spool);
  g_assert_cmpuint(from_spool, >, 0);
  vf_pipeline_free(p);
  lines = test_read_lines(path);
  d = delivery_check(lines, VF_PAYLOAD_VIDFLOW, 3, 200, "file, queue-size 1");
  delivery_assert_complete(&d);
  g_assert_cmpuint(d.duplicates, ==, 0);
  g_ptr_array_unref(lines);
  g_free(uri);
  g_free(path);
  test_remove_dir(dir);
}

/* The sample adapter library by path; its folder appears only after a second: the messages
 * wait (spool) and arrive in order. */
static void test_adapter_library(void)
{
  const char *lib = g_getenv("VIDFLOW_MSGAPI_SAMPLE");
  g_assert_nonnull(lib);
  char *dir = test_dir("folder");
  char *target = g_build_filename(dir, "out", NULL);
  const char *props[] = { "proto-lib",     lib,   "conn-str",      target,  "topic", "t",
                          "reconnect-max", "200", "flush-timeout", "10000", NULL };
  Publish pub = { .sources = 2, .frames = 60, .payload_type = "vidflow", .broker_props = props };
  GError *err = NULL;
  VfPipeline *p = publish_pipeline(&pub, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_start(p, &err), err);
  g_usleep(G_TIME_SPAN_SECOND);
  g_assert_false(broker_connected(p));
  g_assert_cmpint(g_mkdir(target, 0700), ==, 0);
  VF_ASSERT_OK(vf_pipeline_wait(p, &err), err);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 120);
  g_assert_cmpuint(broker_stat(p, "disconnects"), >=, 1);
  vf_pipeline_free(p);
  GPtrArray *got = read_folder(target);
  Delivery d = delivery_check(got, VF_PAYLOAD_VIDFLOW, 2, 60, "adapter library, absent at start");
  delivery_assert_complete(&d);
  g_ptr_array_unref(got);
  g_free(target);
  test_remove_dir(dir);
}

/* No spool: at most queue-size messages wait in memory, then the stream waits for the broker;
 * nothing is lost. Stopping while it waits does not hang. */
static void test_memory_queue(void)
{
  const char *lib = g_getenv("VIDFLOW_MSGAPI_SAMPLE");
  char *dir = test_dir("memory");
  char *target = g_build_filename(dir, "out", NULL);
  const char *props[]
      = { "proto-lib", lib,          "conn-str", target,          "topic", "t", "spool-size",
          "0",         "queue-size", "10",       "reconnect-max", "200",   NULL };
  Publish pub = { .sources = 1, .frames = 50, .payload_type = "vidflow", .broker_props = props };
  GError *err = NULL;
  VfPipeline *p = publish_pipeline(&pub, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_start(p, &err), err);
  g_usleep(G_TIME_SPAN_SECOND);
  g_assert_cmpuint(broker_stat(p, "queued"), ==, 10); /* full: the stream waits */
  g_assert_cmpuint(broker_stat(p, "dropped"), ==, 0);
  g_assert_cmpint(g_mkdir(target, 0700), ==, 0);
  VF_ASSERT_OK(vf_pipeline_wait(p, &err), err);
  vf_pipeline_free(p);
  GPtrArray *got = read_folder(target);
  Delivery d = delivery_check(got, VF_PAYLOAD_VIDFLOW, 1, 50, "memory queue");
  delivery_assert_complete(&d);
  g_ptr_array_unref(got);

  /* stopped while the stream waits on a full queue: it stops */
  char *absent = g_build_filename(dir, "never", NULL);
  props[3] = absent;
  p = publish_pipeline(&pub, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_start(p, &err), err);
  g_usleep(500 * G_TIME_SPAN_MILLISECOND);
  gint64 t0 = g_get_monotonic_time();
  vf_pipeline_stop(p);
  g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_TIME_SPAN_SECOND);
  vf_pipeline_free(p);
  g_free(absent);
  g_free(target);
  test_remove_dir(dir);
}

/* A spool of 16 KiB and a broker that never comes: the oldest messages are dropped and
 * counted, the disk used stays bounded, and the end of stream waits only flush-timeout. */
static void test_spool_full(void)
{
  char *spool = test_dir("spool");
  guint port = flow_test_free_port(); /* nobody listens */
  char *conn = g_strdup_printf("mqtt://127.0.0.1:%u/t", port);
  const char *props[] = { "conn-str",   conn, "spool-dir",     spool, "spool-size", "16384",
                          "queue-size", "10", "flush-timeout", "300", NULL };
  Publish pub = { .sources = 1, .frames = 300, .payload_type = "vidflow", .broker_props = props };
  GError *err = NULL;
  VfPipeline *p = publish_pipeline(&pub, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_run(p, &err), err);
  guint64 dropped = broker_stat(p, "dropped"), spooled = broker_stat(p, "spooled");
  guint64 on_disk = spool_segment_bytes(spool);
  g_test_message("spool of 16384 bytes: %" G_GUINT64_FORMAT " messages dropped, %" G_GUINT64_FORMAT
                 " kept (%" G_GUINT64_FORMAT " bytes on disk)",
                 dropped, spooled, on_disk);
  g_assert_cmpuint(dropped, >, 0);
  g_assert_cmpuint(spooled, >, 0);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 0);
  /* at most the spool plus one segment (an eighth, at least 4 KiB) */
  g_assert_cmpuint(on_disk, <=, 16384 + 4096);
  vf_pipeline_free(p);
  test_remove_dir(spool);
  g_free(conn);
}

/* A spool folder of one's own keeps what was not acknowledged: the next start sends it first,
 * in order, then the new messages. */
static void test_spool_persists(void)
{
  char *spool = test_dir("persist");
  guint port = flow_test_free_port();
  char *conn = g_strdup_printf("mqtt://127.0.0.1:%u/t", port);
  const char *first[] = { "conn-str", conn, "spool-dir", spool, "flush-timeout", "300", NULL };
  Publish pub = { .sources = 1, .frames = 50, .payload_type = "vidflow", .broker_props = first };
  GError *err = NULL;
  VfPipeline *p = publish_pipeline(&pub, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(broker_stat(p, "spooled"), ==, 50);
  vf_pipeline_free(p);

  char *out = g_build_filename(spool, "delivered.jsonl", NULL);
  char *uri = g_filename_to_uri(out, NULL, NULL);
  const char *second[] = { "conn-str", uri, "spool-dir", spool, NULL };
  Publish pub2 = { .sources = 1, .frames = 20, .payload_type = "vidflow", .broker_props = second };
  p = publish_pipeline(&pub2, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 70);
  vf_pipeline_free(p);
  GPtrArray *lines = test_read_lines(out);
  g_assert_cmpuint(lines->len, ==, 70);
  for (guint i = 0; i < lines->len; i++) {
    JsonNode *n = schema_check(VF_PAYLOAD_VIDFLOW, lines->pdata[i], strlen(lines->pdata[i]));
    gint64 frame = json_object_get_int_member(json_node_get_object(n), "frame");
    g_assert_cmpint(frame, ==, i < 50 ? i : i - 50); /* the first run's, then the second's */
    json_node_unref(n);
  }
  g_ptr_array_unref(lines);
  /* everything acknowledged: no segment left */
  g_assert_cmpuint(spool_segment_bytes(spool), ==, 0);
  /* one element per spool folder: a second one is refused while the first runs */
  const char *a[] = { "conn-str", uri, "spool-dir", spool, NULL };
  Publish live
      = { .sources = 1, .frames = 300, .fps = 100, .payload_type = "vidflow", .broker_props = a };
  VfPipeline *holder = publish_pipeline(&live, &err);
  VF_ASSERT_OK(holder != NULL && vf_pipeline_start(holder, &err), err);
  p = publish_pipeline(&pub2, &err);
  VF_ASSERT_OK(p != NULL, err);
  g_assert_false(vf_pipeline_run(p, &err));
  g_assert_nonnull(strstr(err->message, "is in use by another vfmsgbroker"));
  g_clear_error(&err);
  vf_pipeline_free(p);
  vf_pipeline_stop(holder);
  vf_pipeline_free(holder);
  g_free(uri);
  g_free(out);
  g_free(conn);
  test_remove_dir(spool);
}

/* frequency=new-track in the element, with track ids a probe sets (the tracked Person of each
 * frame has an id of its own, the Car is untracked): a message per frame, holding only the
 * Person. */
static void test_new_track(void)
{
  char *dir = test_dir("tracks");
  char *path = g_build_filename(dir, "tracks.jsonl", NULL);
  char *uri = g_filename_to_uri(path, NULL, NULL);
  const char *props[] = { "conn-str", uri, NULL };
  Publish pub = { .sources = 2,
                  .frames = 20,
                  .payload_type = "vidflow",
                  .broker_props = props,
                  .frequency = "new-track" };
  GError *err = NULL;
  VfPipeline *p = publish_pipeline(&pub, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_run(p, &err), err);
  vf_pipeline_free(p);
  GPtrArray *lines = test_read_lines(path);
  g_assert_cmpuint(lines->len, ==, 40);
  for (guint i = 0; i < lines->len; i++) {
    JsonNode *n = schema_check(VF_PAYLOAD_VIDFLOW, lines->pdata[i], strlen(lines->pdata[i]));
    JsonObject *m = json_node_get_object(n);
    JsonArray *objects = json_object_get_array_member(m, "objects");
    g_assert_cmpuint(json_array_get_length(objects), ==, 1);
    JsonObject *o = json_array_get_object_element(objects, 0);
    g_assert_cmpint(json_object_get_int_member(o, "id"), ==,
                    json_object_get_int_member(m, "source") * 100000
                        + json_object_get_int_member(m, "frame"));
    json_node_unref(n);
  }
  g_ptr_array_unref(lines);
  g_unlink(path);
  g_free(uri);
  g_free(path);
  test_remove_dir(dir);
}

/* A payload generator from a plugin (plugins/sample: sample.csv), through vfmsgconv. */
static void test_plugin_payload(void)
{
  char *dir = test_dir("csv");
  char *path = g_build_filename(dir, "out.csv", NULL);
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new("csv");
  char *uri = g_filename_to_uri(path, NULL, NULL);
  gboolean ok = vf_pipeline_add(p, "videotestsrc", "src", &err, "num-buffers", "12", NULL)
                && vf_pipeline_add(p, "vfmsgconv", "conv", &err, "payload-type", "custom",
                                   "payload-generator", "sample.csv", "payload-generator-params",
                                   "separator=|", "frequency", "every-n-frames", "frame-interval",
                                   "4", NULL)
                && vf_pipeline_add(p, "vfmsgbroker", "broker", &err, "conn-str", uri, NULL)
                && vf_pipeline_link(p, &err, "src", "conv", "broker", NULL);
  VF_ASSERT_OK(ok && vf_pipeline_run(p, &err), err);
  vf_pipeline_free(p);
  GPtrArray *lines = test_read_lines(path);
  g_assert_cmpuint(lines->len, ==, 3); /* frames 0, 4, 8 */
  g_assert_cmpstr(lines->pdata[0], ==, "|0|0|");
  g_assert_cmpstr(lines->pdata[2], ==, "|8|0|");
  g_ptr_array_unref(lines);
  /* its parameters are checked */
  p = vf_pipeline_new("csv-bad");
  ok = vf_pipeline_add(p, "videotestsrc", "src", &err, "num-buffers", "2", NULL)
       && vf_pipeline_add(p, "vfmsgconv", "conv", &err, "payload-type", "custom",
                          "payload-generator", "sample.csv", "payload-generator-params",
                          "separator=", NULL)
       && vf_pipeline_add(p, "fakesink", "sink", &err, NULL)
       && vf_pipeline_link(p, &err, "src", "conv", "sink", NULL);
  VF_ASSERT_OK(ok, err);
  g_assert_false(vf_pipeline_run(p, &err));
  g_assert_nonnull(strstr(err->message, "separator must not be empty"));
  g_clear_error(&err);
  vf_pipeline_free(p);
  g_free(uri);
  g_free(path);
  test_remove_dir(dir);
}

/* The pipeline fails to start with an error that contains `fragment`. */
static void expect_error(const char *payload_type, const char *const *props, const char *fragment)
{
  Publish pub = { .sources = 1, .frames = 5, .payload_type = payload_type, .broker_props = props };
  GError *err = NULL;
  VfPipeline *p = publish_pipeline(&pub, &err);
  if (p == NULL) { /* a property value refused while building */
    g_assert_nonnull(err);
  } else {
    g_assert_false(vf_pipeline_run(p, &err));
    vf_pipeline_free(p);
  }
  g_assert_nonnull(err);
  if (!strstr(err->message, fragment))
    g_error("expected '%s' in: %s", fragment, err->message);
  g_test_message("refused: %s", err->message);
  g_error_free(err);
}

#define BAD(fragment, ...)                                                                         \
  expect_error("vidflow", (const char *const[]){ __VA_ARGS__, NULL }, fragment)

static void test_bad_inputs(void)
{
  /* conn-strs */
  BAD("no conn-str", "proto-lib", "mqtt");
  BAD("names no protocol", "conn-str", "localhost;1883");
  BAD("not a host with an optional port", "proto-lib", "mqtt", "conn-str", "localhost;port",
      "topic", "t");
  BAD("names no host", "conn-str", "mqtt:///topic");
  BAD("not a host with an optional port", "conn-str", "redis://localhost:0/s");
  BAD("is a mqtt:// address", "proto-lib", "redis", "conn-str", "mqtt://localhost/t");
  BAD("no topic", "conn-str", "mqtt://127.0.0.1:1883");
  BAD("unknown mqtt option 'colour'", "conn-str", "mqtt://127.0.0.1/t?colour=red");
  BAD("qos must be", "conn-str", "mqtt://127.0.0.1/t?qos=2");
  BAD("needs a value", "conn-str", "mqtt://127.0.0.1/t?qos");
  BAD("unknown redis option 'maxlength'", "conn-str", "redis://127.0.0.1/s?maxlength=5");
  BAD("streamsize must be", "conn-str", "redis://127.0.0.1/s?streamsize=lots");
  BAD("does not exist", "conn-str", "file:///nonexistent-folder/x.jsonl");
  BAD("the folder adapter takes an absolute folder path", "proto-lib",
      g_getenv("VIDFLOW_MSGAPI_SAMPLE"), "conn-str", "relative/folder", "topic", "t");
  /* adapters */
  BAD("unknown protocol adapter 'amqp'", "proto-lib", "amqp", "conn-str", "localhost;5672", "topic",
      "t");
  BAD("no such adapter library", "proto-lib", "/opt/nvidia/deepstream/lib/libnvds_amqp_proto.so",
      "conn-str", "localhost;5672", "topic", "t");
  BAD("no such adapter library", "proto-lib", "/nonexistent/libmyproto.so", "conn-str",
      "localhost;1", "topic", "t");
  BAD("lacks vf_msgapi_send_async, vf_msgapi_do_work, vf_msgapi_disconnect, "
      "vf_msgapi_get_protocol_name",
      "proto-lib", g_getenv("VIDFLOW_BAD_ADAPTER"), "conn-str", "x", "topic", "t");
  BAD("implements adapter ABI 2.0", "proto-lib", g_getenv("VIDFLOW_FUTURE_ADAPTER"), "conn-str",
      "x", "topic", "t");
  /* spool, converter */
  BAD("cannot use the spool", "conn-str", "file:///tmp/x.jsonl", "spool-dir",
      "/proc/vidflow-no-spool");
  expect_error("custom", (const char *const[]){ "conn-str", "file:///tmp/x.jsonl", NULL },
               "needs a payload generator");
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new("bad-conv");
  gboolean ok
      = vf_pipeline_add(p, "videotestsrc", "src", &err, "num-buffers", "2", NULL)
        && vf_pipeline_add(p, "vfmsgconv", "conv", &err, "config", "/nonexistent/msgconv.txt", NULL)
        && vf_pipeline_add(p, "fakesink", "sink", &err, NULL)
        && vf_pipeline_link(p, &err, "src", "conv", "sink", NULL);
  VF_ASSERT_OK(ok, err);
  g_assert_false(vf_pipeline_run(p, &err));
  g_assert_nonnull(strstr(err->message, "/nonexistent/msgconv.txt"));
  g_clear_error(&err);
  vf_pipeline_free(p);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/broker-file/file-adapter", test_file_adapter);
  g_test_add_func("/broker-file/adapter-library", test_adapter_library);
  g_test_add_func("/broker-file/memory-queue", test_memory_queue);
  g_test_add_func("/broker-file/spool-full", test_spool_full);
  g_test_add_func("/broker-file/spool-persists", test_spool_persists);
  g_test_add_func("/broker-file/plugin-payload", test_plugin_payload);
  g_test_add_func("/broker-file/new-track", test_new_track);
  g_test_add_func("/broker-file/bad-inputs", test_bad_inputs);
  return g_test_run();
}
