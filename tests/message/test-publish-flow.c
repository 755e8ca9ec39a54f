/* vidflow tests: Flow.publish (the seed's publish(msg_broker_proto_lib, msg_broker_conn_str,
 * topic, msg_conv_config)), the test4 shape (attach add_message_meta_probe -> fork -> publish +
 * render), publish: in flow YAML, the summary of `vidflow run`, `vidflow detect --publish`, and
 * the errors of publish(). Events go to the file adapter, read back and checked. */
#include "brokers.h"

static char *clip;

static char *out_path(const char *name)
{
  return flow_test_path(name);
}

/* capture -> publish: the stream is batched first, a message per frame (compact schema). */
static void test_publish_frames(void)
{
  char *path = out_path("frames.jsonl");
  char *uri = g_strconcat("file://", path, NULL);
  const char *uris[] = { clip, NULL };
  GError *err = NULL;
  VfFlow *flow = vf_flow_new(vf_pipeline_new("publish-frames"));
  VfFlow *f = vf_flow_publish(vf_flow_capture(flow, uris, NULL, NULL), NULL, uri, NULL, NULL, &err,
                              "payload_type", "vidflow", NULL);
  VF_ASSERT_OK(f != NULL, err);
  VF_ASSERT_OK(vf_flow_run(flow, &err), err);
  vf_flow_free(flow);
  GPtrArray *lines = test_read_lines(path);
  g_assert_cmpuint(lines->len, ==, 30);
  for (guint i = 0; i < lines->len; i++) {
    JsonNode *n = schema_check(VF_PAYLOAD_VIDFLOW, lines->pdata[i], strlen(lines->pdata[i]));
    g_assert_cmpint(json_object_get_int_member(json_node_get_object(n), "frame"), ==, i);
    json_node_unref(n);
  }
  g_ptr_array_unref(lines);
  g_unlink(path);
  g_free(uri);
  g_free(path);
}

/* One Person object per frame (as a detector would). Streaming thread. */
static void one_person(VfBatchMeta *batch, gpointer user_data)
{
  (void)user_data;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(batch); i++) {
    VfObjectMeta *o = vf_object_meta_new();
    vf_object_meta_set_label(o, "Person");
    vf_object_meta_set_class_id(o, 0);
    vf_object_meta_set_confidence(o, 0.9f);
    VfRect r = { 10, 10, 20, 40 };
    vf_object_meta_set_detector_bbox(o, &r);
    vf_frame_meta_add_object(vf_batch_meta_get_frame(batch, i), o);
    vf_object_meta_unref(o);
  }
}

/* test4's shape: objects -> add_message_meta_probe (every 5th frame) -> fork -> publish (full
 * schema, the sample msg-conv config) + render DISCARD. */
static void test_test4(void)
{
  char *path = out_path("test4.jsonl");
  char *uri = g_strconcat("file://", path, NULL);
  char *config
      = g_build_filename(g_getenv("VIDFLOW_SOURCE_DIR"), "configs", "msgconv_config.txt", NULL);
  const char *uris[] = { clip, NULL };
  GError *err = NULL;
  VfProbeCallbacks cb = { .on_batch_meta = one_person };
  VfFlow *flow = vf_flow_new(vf_pipeline_new("test4"));
  VfFlow *f = vf_flow_attach(vf_flow_batch_capture(flow, uris, NULL, NULL),
                             vf_probe_new("detector", &cb, NULL), &err);
  f = vf_flow_attach_named(f, VF_PROBE_ADD_MESSAGE_META, "message_generator", &err,
                           "frame-interval", "5", NULL);
  f = vf_flow_fork(f, &err, NULL);
  VF_ASSERT_OK(vf_flow_publish(f, "file", uri, "events", config, &err, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_render(f, VF_RENDER_DISCARD, &err, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_run(flow, &err), err);
  vf_flow_free(flow);
  GPtrArray *lines = test_read_lines(path);
  g_assert_cmpuint(lines->len, ==, 6); /* frames 0, 5, ..., 25: one event each */
  for (guint i = 0; i < lines->len; i++) {
    JsonNode *n = schema_check(VF_PAYLOAD_DEEPSTREAM, lines->pdata[i], strlen(lines->pdata[i]));
    JsonObject *m = json_node_get_object(n);
    g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(m, "sensor"), "id"),
                    ==, "vtest-cam-0");
    g_assert_cmpstr(
        json_object_get_string_member(json_object_get_object_member(m, "event"), "type"), ==,
        "entry");
    json_node_unref(n);
  }
  g_ptr_array_unref(lines);
  g_unlink(path);
  g_free(config);
  g_free(uri);
  g_free(path);
}

static void expect_flow_error(VfFlow *f, GError **error, const char *fragment)
{
  const GError *err = *error;
  g_assert_null(f);
  g_assert_nonnull(err);
  if (!strstr(err->message, fragment))
    g_error("expected '%s' in: %s", fragment, err->message);
}

static void test_errors(void)
{
  const char *uris[] = { clip, NULL };
  GError *err = NULL;
  VfFlow *flow = vf_flow_new(NULL);
  VfFlow *f = vf_flow_capture(flow, uris, NULL, NULL);
  expect_flow_error(vf_flow_publish(f, "mqtt", NULL, NULL, NULL, &err, NULL), &err,
                    "needs msg_broker_conn_str");
  g_clear_error(&err);
  vf_flow_free(flow);

  flow = vf_flow_new(NULL);
  f = vf_flow_capture(flow, uris, NULL, NULL);
  expect_flow_error(
      vf_flow_publish(f, NULL, "file:///tmp/x.jsonl", NULL, "/nonexistent.txt", &err, NULL), &err,
      "msg_conv_config '/nonexistent.txt' does not exist");
  g_clear_error(&err);
  vf_flow_free(flow);

  flow = vf_flow_new(NULL);
  f = vf_flow_capture(flow, uris, NULL, NULL);
  expect_flow_error(vf_flow_publish(f, NULL, "file:///tmp/x.jsonl", NULL, NULL, &err,
                                    "no_such_option", "1", NULL),
                    &err, "no element of this operation has a property 'no-such-option'");
  g_clear_error(&err);
  vf_flow_free(flow);

  /* publish ends the flow */
  flow = vf_flow_new(NULL);
  f = vf_flow_publish(vf_flow_capture(flow, uris, NULL, NULL), NULL, "file:///tmp/x.jsonl", NULL,
                      NULL, &err, NULL);
  VF_ASSERT_OK(f != NULL, err);
  expect_flow_error(vf_flow_render(f, VF_RENDER_DISCARD, &err, NULL), &err,
                    "already ended with publish()");
  g_clear_error(&err);
  vf_flow_free(flow);
}

/* publish: in a flow YAML (relative msg-conv-config from the file's folder), run by the vidflow
 * command, whose summary gives the figures. */
static void test_yaml_and_command(void)
{
  char *dir = broker_dir("publish-yaml");
  char *config = g_build_filename(dir, "sensors.txt", NULL);
  g_assert_true(g_file_set_contents(config, "[sensor0]\nid=yaml-sensor\n", -1, NULL));
  char *events = g_build_filename(dir, "events.jsonl", NULL);
  char *yaml = g_build_filename(dir, "flow.yaml", NULL);
  char *text = g_strdup_printf("flow:\n"
                               "  - capture: [%s]\n"
                               "  - publish:\n"
                               "      msg_broker_conn_str: file://%s\n"
                               "      msg_conv_config: sensors.txt\n"
                               "      payload-type: deepstream-minimal\n"
                               "      input: objects\n",
                               clip, events);
  g_assert_true(g_file_set_contents(yaml, text, -1, NULL));
  const char *cmd = g_getenv("VIDFLOW_CMD");
  char *argv[] = { (char *)cmd, "run", "--no-progress", yaml, NULL };
  char *out = NULL, *errout = NULL;
  int status = 0;
  GError *err = NULL;
  VF_ASSERT_OK(
      g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &errout, &status, &err),
      err);
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("vidflow run failed:\n%s\n%s", out, errout);
  /* no objects in the clip: the minimal schema makes no message, and says so */
  if (!strstr(out, "messages (publish1-broker): 0 published"))
    g_error("no message figures in the summary:\n%s", out);
  g_free(out);
  g_free(errout);

  /* the compact schema: a message per frame, sensor from the config */
  g_free(text);
  text = g_strdup_printf("flow:\n"
                         "  - capture: [%s]\n"
                         "  - publish: {msg-broker-conn-str: 'file://%s', msg-conv-config: "
                         "sensors.txt, payload_type: vidflow}\n",
                         clip, events);
  g_assert_true(g_file_set_contents(yaml, text, -1, NULL));
  VF_ASSERT_OK(
      g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &errout, &status, &err),
      err);
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("vidflow run failed:\n%s\n%s", out, errout);
  if (!strstr(out, "30 published, 30 sent (0 resent), 30 acknowledged"))
    g_error("wrong message figures in the summary:\n%s", out);
  GPtrArray *lines = test_read_lines(events);
  g_assert_cmpuint(lines->len, ==, 30);
  JsonNode *n = schema_check(VF_PAYLOAD_VIDFLOW, lines->pdata[0], strlen(lines->pdata[0]));
  g_assert_cmpstr(json_object_get_string_member(json_node_get_object(n), "sensor"), ==,
                  "yaml-sensor");
  json_node_unref(n);
  g_ptr_array_unref(lines);
  g_free(out);
  g_free(errout);

  /* a publish without a conn-str: the error names the line */
  g_free(text);
  text = g_strdup_printf("flow:\n  - capture: [%s]\n  - publish: {topic: t}\n", clip);
  g_assert_true(g_file_set_contents(yaml, text, -1, NULL));
  char *check[] = { (char *)cmd, "check", yaml, NULL };
  VF_ASSERT_OK(
      g_spawn_sync(NULL, check, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &errout, &status, &err),
      err);
  g_assert_false(g_spawn_check_wait_status(status, NULL));
  g_assert_nonnull(strstr(errout, "flow.yaml:3:"));
  g_assert_nonnull(strstr(errout, "needs msg_broker_conn_str"));
  g_free(out);
  g_free(errout);
  g_free(text);
  g_free(yaml);
  g_free(events);
  g_free(config);
  test_remove_dir(dir);
}

/* vidflow detect --publish URI: the messages of the JSON lines, to a broker too. */
static void test_detect_publish(void)
{
  const char *data = g_getenv("VIDFLOW_DATA_DIR");
  char *model = g_build_filename(data, "models", "ssd_mobilenet_v2_oid.onnx", NULL);
  if (!g_file_test(model, G_FILE_TEST_EXISTS)) {
    g_test_skip("needs the SSD model (tools/fetch-assets.sh)");
    g_free(model);
    return;
  }
  char *dir = broker_dir("detect");
  char *events = g_build_filename(dir, "events.jsonl", NULL);
  char *uri = g_strconcat("file://", events, NULL);
  char *input = g_build_filename(data, "footage", "vtest.avi", NULL);
  char *cfg_src = g_build_filename(g_getenv("VIDFLOW_SOURCE_DIR"), "configs",
                                   "ssd_mobilenet_v2_oid.yaml", NULL);
  char *argv[] = { (char *)g_getenv("VIDFLOW_CMD"),
                   "detect",
                   "--quiet",
                   "--no-video",
                   "--max-frames",
                   "5",
                   "--input",
                   input,
                   "--config",
                   cfg_src,
                   "--output-dir",
                   dir,
                   "--publish",
                   uri,
                   NULL };
  char *out = NULL, *errout = NULL;
  int status = 0;
  GError *err = NULL;
  VF_ASSERT_OK(
      g_spawn_sync(dir, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &errout, &status, &err),
      err);
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("vidflow detect failed:\n%s\n%s", out, errout);
  g_assert_nonnull(strstr(out, "5 messages sent, 5 acknowledged"));
  GPtrArray *published = test_read_lines(events);
  char *jsonl = g_build_filename(dir, "detections.jsonl", NULL);
  GPtrArray *written = test_read_lines(jsonl);
  g_assert_cmpuint(published->len, ==, 5);
  g_assert_cmpuint(written->len, ==, 5);
  for (guint i = 0; i < 5; i++) {
    JsonNode *a
        = schema_check(VF_PAYLOAD_VIDFLOW, published->pdata[i], strlen(published->pdata[i]));
    JsonNode *b = schema_check(VF_PAYLOAD_VIDFLOW, written->pdata[i], strlen(written->pdata[i]));
    JsonObject *pa = json_node_get_object(a), *pb = json_node_get_object(b);
    g_assert_cmpint(json_object_get_int_member(pa, "frame"), ==, i);
    /* the same objects in both */
    JsonNode *oa = json_object_get_member(pa, "objects"),
             *ob = json_object_get_member(pb, "objects");
    g_assert_true(json_node_equal(oa, ob));
    g_assert_cmpuint(json_array_get_length(json_node_get_array(oa)), >, 0);
    json_node_unref(a);
    json_node_unref(b);
  }
  g_ptr_array_unref(published);
  g_ptr_array_unref(written);
  g_free(jsonl);
  g_free(out);
  g_free(errout);
  g_free(cfg_src);
  g_free(input);
  g_free(uri);
  g_free(events);
  g_free(model);
  test_remove_dir(dir);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  clip = flow_test_clip("publish-clip.mp4", 30, 160, 120);
  g_test_add_func("/publish-flow/frames", test_publish_frames);
  g_test_add_func("/publish-flow/test4", test_test4);
  g_test_add_func("/publish-flow/errors", test_errors);
  g_test_add_func("/publish-flow/yaml-and-command", test_yaml_and_command);
  g_test_add_func("/publish-flow/detect-publish", test_detect_publish);
  int rc = g_test_run();
  g_unlink(clip);
  g_free(clip);
  return rc;
}
