/* vidflow tests: vfmsgbroker with Kafka against librdkafka's mock cluster (no Kafka server exists
 * on these machines): every message reaches the topic (read back with a consumer from the first
 * offset) and validates against the schema; each source stays in order (its sensor id is the
 * key, so one partition); the broker set down for 5 s mid-stream loses nothing; the
 * test.mock.num.brokers property works from the conn-str; bad properties are refused. */
#include "brokers.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define PARTITIONS 2

typedef struct {
  rd_kafka_t *rk; /* holds the cluster */
  rd_kafka_mock_cluster_t *mc;
  char *bootstraps;
} Mock;

static Mock mock_new(void)
{
  Mock m;
  char err[256];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  m.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  g_assert_nonnull(m.rk);
  m.mc = rd_kafka_mock_cluster_new(m.rk, 1);
  g_assert_nonnull(m.mc);
  m.bootstraps = g_strdup(rd_kafka_mock_cluster_bootstraps(m.mc));
  return m;
}

static void mock_free(Mock *m)
{
  rd_kafka_mock_cluster_destroy(m->mc);
  rd_kafka_destroy(m->rk);
  g_free(m->bootstraps);
}

/* Every message of `topic`, partition by partition from the first offset. */
static GPtrArray *consume_all(const char *bootstraps, const char *topic)
{
  char err[256];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  g_assert_cmpint(rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, err, sizeof err), ==,
                  RD_KAFKA_CONF_OK);
  rd_kafka_conf_set(conf, "group.id", "vftest", err, sizeof err);
  rd_kafka_conf_set(conf, "enable.partition.eof", "true", err, sizeof err);
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  g_assert_nonnull(c);
  rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(PARTITIONS);
  for (int i = 0; i < PARTITIONS; i++)
    rd_kafka_topic_partition_list_add(parts, topic, i)->offset = RD_KAFKA_OFFSET_BEGINNING;
  g_assert_cmpint(rd_kafka_assign(c, parts), ==, 0);
  rd_kafka_topic_partition_list_destroy(parts);
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  guint eof = 0;
  gint64 deadline = g_get_monotonic_time() + 20 * G_TIME_SPAN_SECOND;
  while (eof < PARTITIONS && g_get_monotonic_time() < deadline) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
    if (m == NULL)
      continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
      eof++;
    else if (m->err == 0)
      g_ptr_array_add(out, g_strndup(m->payload, m->len));
    rd_kafka_message_destroy(m);
  }
  g_assert_cmpuint(eof, ==, PARTITIONS);
  rd_kafka_consumer_close(c);
  rd_kafka_destroy(c);
  return out;
}

static void test_publish(void)
{
  Mock m = mock_new();
  g_assert_cmpint(rd_kafka_mock_topic_create(m.mc, "events", PARTITIONS, 1), ==, 0);
  char *conn = g_strdup_printf("kafka://%s/events", m.bootstraps);
  const char *props[] = { "conn-str", conn, NULL };
  Publish pub = { .sources = 2, .frames = 150, .payload_type = "vidflow", .broker_props = props };
  GError *err = NULL;
  VfPipeline *p = publish_pipeline(&pub, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 300);
  vf_pipeline_free(p);
  GPtrArray *got = consume_all(m.bootstraps, "events");
  Delivery d = delivery_check(got, VF_PAYLOAD_VIDFLOW, 2, 150, "kafka");
  delivery_assert_complete(&d);
  g_assert_cmpuint(d.duplicates, ==, 0); /* idempotent producer, no outage */
  g_ptr_array_unref(got);
  g_free(conn);
  mock_free(&m);

  /* a mock cluster of the producer's own, from the conn-str alone */
  const char *own[] = { "conn-str", "kafka://localhost/own?test.mock.num.brokers=1", NULL };
  Publish pub2
      = { .sources = 1, .frames = 30, .payload_type = "deepstream-minimal", .broker_props = own };
  p = publish_pipeline(&pub2, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 30);
  vf_pipeline_free(p);
}

/* The only broker set down for 5 s mid-stream, then up again. */
static void mock_down(gpointer m)
{
  g_assert_cmpint(rd_kafka_mock_broker_set_down(((Mock *)m)->mc, 1), ==, 0);
}

static void mock_up(gpointer m)
{
  g_assert_cmpint(rd_kafka_mock_broker_set_up(((Mock *)m)->mc, 1), ==, 0);
}

static void test_outage(void)
{
  Mock m = mock_new();
  g_assert_cmpint(rd_kafka_mock_topic_create(m.mc, "outage", PARTITIONS, 1), ==, 0);
  char *conn = g_strdup_printf("kafka://%s/outage", m.bootstraps);
  vf_pipeline_free(outage_run("kafka outage", conn, mock_down, mock_up, &m));
  GPtrArray *got = consume_all(m.bootstraps, "outage");
  Delivery d
      = delivery_check(got, VF_PAYLOAD_VIDFLOW, OUTAGE_SOURCES, OUTAGE_FRAMES, "kafka outage");
  delivery_assert_complete(&d);
  g_ptr_array_unref(got);
  g_free(conn);
  mock_free(&m);
}

static void expect_start_error(const char *conn, const char *fragment)
{
  const char *props[] = { "conn-str", conn, NULL };
  publish_expect_error(props, fragment);
}

static void test_bad_properties(void)
{
  expect_start_error("kafka://127.0.0.1:9/t?no.such.property=1", "kafka property no.such.property");
  expect_start_error("kafka://127.0.0.1:9/t?acks=sometimes", "kafka property acks=sometimes");
  expect_start_error("kafka://127.0.0.1:99999/t", "not a host with an optional port");
}

/* DeepStream's adapter config: librdkafka properties in [message-broker] proto-cfg, "name=value;
 * ...". Here they make the producer's own mock cluster: nothing listens on the conn-str's
 * host, so the messages are acknowledged only if proto-cfg was applied. Bad entries are refused
 * with the file and the entry named. */
static void test_proto_cfg(void)
{
  char *dir = broker_dir("kafka-cfg");
  char *cfg = g_build_filename(dir, "kafka.txt", NULL);
  g_assert_true(g_file_set_contents(
      cfg, "[message-broker]\nproto-cfg = test.mock.num.brokers=1; linger.ms=1\n", -1, NULL));
  const char *props[] = { "conn-str", "kafka://127.0.0.1:9/cfg", "config", cfg, NULL };
  Publish pub = { .sources = 1, .frames = 20, .payload_type = "vidflow", .broker_props = props };
  GError *err = NULL;
  VfPipeline *p = publish_pipeline(&pub, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 20);
  vf_pipeline_free(p);

  g_assert_true(g_file_set_contents(cfg, "[message-broker]\nproto-cfg = linger.ms\n", -1, NULL));
  publish_expect_error(props, "proto-cfg entry 'linger.ms' is not name=value");
  g_assert_true(
      g_file_set_contents(cfg, "[message-broker]\nproto-cfg = no.such.property=1\n", -1, NULL));
  publish_expect_error(props, "kafka property no.such.property=1");
  g_unlink(cfg);
  g_free(cfg);
  test_remove_dir(dir);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/broker-kafka/publish", test_publish);
  g_test_add_func("/broker-kafka/outage", test_outage);
  g_test_add_func("/broker-kafka/bad-properties", test_bad_properties);
  g_test_add_func("/broker-kafka/proto-cfg", test_proto_cfg);
  return g_test_run();
}
