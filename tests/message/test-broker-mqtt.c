/* vidflow tests: vfmsgbroker with MQTT against a real mosquitto on loopback: every message
 * arrives at a subscriber and validates against its schema (vidflow's and DeepStream's), and
 * through a 5 s broker outage mid-stream nothing is lost and order holds (duplicates counted:
 * at least once). */
#include "brokers.h"

#include "mqtt-sub.h"

/* N events published = N received, schema-valid, for the compact and the full schema. */
static void test_publish(void)
{
  Broker *b = broker_mosquitto();
  Sub *sub = sub_new(b->port, "vidflow/test");
  char *conn = g_strdup_printf("mqtt://127.0.0.1:%u/vidflow/test", b->port);
  const char *props[] = { "conn-str", conn, NULL };
  Publish pub = { .sources = 2, .frames = 150, .payload_type = "vidflow", .broker_props = props };
  GError *err = NULL;
  VfPipeline *p = publish_pipeline(&pub, &err);
  VF_ASSERT_OK(p != NULL, err);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 300);
  g_assert_cmpuint(broker_stat(p, "failed"), ==, 0);
  vf_pipeline_free(p);
  GPtrArray *got = sub_wait(sub, 300, 10 * G_TIME_SPAN_SECOND);
  Delivery d = delivery_check(got, VF_PAYLOAD_VIDFLOW, 2, 150, "mqtt");
  delivery_assert_complete(&d);
  g_assert_cmpuint(d.duplicates, ==, 0); /* no outage: exactly once */
  g_ptr_array_unref(got);
  sub_free(sub);

  /* DeepStream's full schema over DeepStream's host;port conn-str: a message per object */
  Sub *ds = sub_new(b->port, "ds");
  char *ds_conn = g_strdup_printf("127.0.0.1;%u", b->port);
  const char *ds_props[] = { "proto-lib", "mqtt", "conn-str", ds_conn, "topic", "ds", NULL };
  Publish dpub
      = { .sources = 1, .frames = 20, .payload_type = "deepstream", .broker_props = ds_props };
  p = publish_pipeline(&dpub, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_run(p, &err), err);
  vf_pipeline_free(p);
  got = sub_wait(ds, 40, 10 * G_TIME_SPAN_SECOND);
  g_assert_cmpuint(got->len, ==, 40);
  for (guint i = 0; i < got->len; i++) {
    const char *text = got->pdata[i];
    JsonNode *n = schema_check(VF_PAYLOAD_DEEPSTREAM, text, strlen(text));
    json_node_unref(n);
  }
  g_ptr_array_unref(got);
  sub_free(ds);
  g_free(ds_conn);
  g_free(conn);
  broker_free(b);
}

/* The broker stopped for 5 s mid-stream (2 live sources, 100 messages/s each) and started again:
 * every message arrives, first copies in order per source. */
static void mosquitto_down(gpointer b)
{
  broker_stop(b, SIGTERM); /* it saves its sessions and queued messages */
}

static void mosquitto_up(gpointer b)
{
  broker_start(b);
}

static void test_outage(void)
{
  Broker *b = broker_mosquitto();
  Sub *sub = sub_new(b->port, "outage");
  char *conn = g_strdup_printf("mqtt://127.0.0.1:%u/outage", b->port);
  vf_pipeline_free(outage_run("mqtt outage", conn, mosquitto_down, mosquitto_up, b));
  guint total = OUTAGE_SOURCES * OUTAGE_FRAMES;
  GPtrArray *got = sub_wait(sub, total, 15 * G_TIME_SPAN_SECOND);
  Delivery d
      = delivery_check(got, VF_PAYLOAD_VIDFLOW, OUTAGE_SOURCES, OUTAGE_FRAMES, "mqtt outage");
  delivery_assert_complete(&d);
  g_ptr_array_unref(got);
  sub_free(sub);
  g_free(conn);
  broker_free(b);
}

/* The adapter's options: user and password (in the URI or as options) reach a broker that
 * admits only them (a wrong password: nothing acknowledged, the link counted down), qos=0
 * arrives without acknowledgements to wait for, client-id and keepalive are taken; wrong values
 * and unknown options are refused, naming the option. */
static void test_options(void)
{
  char *auth = broker_dir("mosquitto-auth");
  char *passwd = g_build_filename(auth, "passwd", NULL);
  char *argv[] = { "mosquitto_passwd", "-b", "-c", passwd, "vfuser", "s3cret", NULL };
  gint status = -1;
  GError *err = NULL;
  VF_ASSERT_OK(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                            NULL, NULL, NULL, NULL, &status, &err),
               err);
  g_assert_cmpint(status, ==, 0);
  char *settings = g_strdup_printf("allow_anonymous false\npassword_file %s\n", passwd);
  Broker *b = broker_mosquitto_with(settings);
  g_free(settings);
  g_free(passwd);

  char *conn = g_strdup_printf("mqtt://vfuser:s3cret@127.0.0.1:%u/opts", b->port);
  VfPipeline *p = publish_to(conn);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 20);
  vf_pipeline_free(p);
  g_free(conn);
  conn = g_strdup_printf("mqtt://127.0.0.1:%u/opts?username=vfuser&password=s3cret&qos=0&"
                         "client-id=vftest-options&keepalive=5",
                         b->port);
  p = publish_to(conn);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 20);
  vf_pipeline_free(p);
  g_free(conn);
  conn = g_strdup_printf("mqtt://vfuser:wrong@127.0.0.1:%u/opts", b->port);
  p = publish_to(conn);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 0);
  g_assert_cmpuint(broker_stat(p, "disconnects"), >=, 1);
  vf_pipeline_free(p);
  g_free(conn);

  const char *bad[][2] = { { "mqtt://127.0.0.1:1/t?qos=2", "qos" },
                           { "mqtt://127.0.0.1:1/t?keepalive=1", "keepalive" },
                           { "mqtt://127.0.0.1:1/t?retain=1", "unknown mqtt option 'retain'" } };
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    const char *props[] = { "conn-str", bad[i][0], NULL };
    publish_expect_error(props, bad[i][1]);
  }
  broker_free(b);
  test_remove_dir(auth);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  mosquitto_lib_init();
  g_test_add_func("/broker-mqtt/publish", test_publish);
  g_test_add_func("/broker-mqtt/outage", test_outage);
  g_test_add_func("/broker-mqtt/options", test_options);
  int rc = g_test_run();
  mosquitto_lib_cleanup();
  return rc;
}
