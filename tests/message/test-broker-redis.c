/* vidflow tests: vfmsgbroker with Redis Streams against a real redis-server on loopback: every
 * message is an entry of the stream (read back with XRANGE) and validates against the schema;
 * the server killed for 5 s mid-stream and restarted loses nothing (its append-only file keeps
 * what it acknowledged); a server absent when the pipeline starts gets everything once it is
 * there; the stream is trimmed (MAXLEN). */
#include "brokers.h"

#include <hiredis/hiredis.h>

/* Every entry of `stream`, in order: the payload field's text (char*). */
static GPtrArray *read_stream(guint port, const char *stream, const char *field)
{
  redisContext *c = redisConnect("127.0.0.1", (int)port);
  g_assert_true(c && !c->err);
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  char *from = g_strdup("-");
  for (;;) {
    redisReply *r = redisCommand(c, "XRANGE %s %s + COUNT 500", stream, from);
    g_assert_nonnull(r);
    g_assert_cmpint(r->type, ==, REDIS_REPLY_ARRAY);
    size_t n = r->elements;
    for (size_t i = 0; i < n; i++) {
      redisReply *entry = r->element[i];
      redisReply *fields = entry->element[1];
      for (size_t k = 0; k + 1 < fields->elements; k += 2)
        if (g_str_equal(fields->element[k]->str, field))
          g_ptr_array_add(out, g_strndup(fields->element[k + 1]->str, fields->element[k + 1]->len));
      g_free(from);
      from = g_strdup_printf("(%s", entry->element[0]->str); /* exclusive: after this id */
    }
    freeReplyObject(r);
    if (n == 0)
      break;
  }
  g_free(from);
  redisFree(c);
  return out;
}

static void test_publish(void)
{
  Broker *b = broker_redis(TRUE);
  char *conn = g_strdup_printf("redis://127.0.0.1:%u/events", b->port);
  const char *props[] = { "conn-str", conn, NULL };
  Publish pub = { .sources = 2, .frames = 150, .payload_type = "vidflow", .broker_props = props };
  GError *err = NULL;
  VfPipeline *p = publish_pipeline(&pub, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 300);
  vf_pipeline_free(p);
  GPtrArray *got = read_stream(b->port, "events", "metadata");
  Delivery d = delivery_check(got, VF_PAYLOAD_VIDFLOW, 2, 150, "redis");
  delivery_assert_complete(&d);
  g_assert_cmpuint(d.duplicates, ==, 0);
  g_ptr_array_unref(got);

  /* DeepStream's host;port form, another field, and trimming: MAXLEN ~ 100 keeps about 100 */
  char *ds = g_strdup_printf("127.0.0.1;%u;short", b->port);
  char *cfg = g_build_filename(b->dir, "redis.cfg", NULL);
  g_assert_true(
      g_file_set_contents(cfg, "[message-broker]\nstreamsize=100\npayloadkey=msg\n", -1, NULL));
  const char *props2[] = { "proto-lib", "redis", "conn-str", ds, "config", cfg, NULL };
  Publish trim = { .sources = 1, .frames = 400, .payload_type = "vidflow", .broker_props = props2 };
  p = publish_pipeline(&trim, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 400);
  vf_pipeline_free(p);
  got = read_stream(b->port, "short", "msg");
  g_test_message("redis MAXLEN ~ 100: %u of 400 entries kept", got->len);
  g_assert_cmpuint(got->len, >=, 100);
  g_assert_cmpuint(got->len, <, 400);
  /* the newest are kept */
  JsonNode *last = schema_check(VF_PAYLOAD_VIDFLOW, got->pdata[got->len - 1],
                                strlen(got->pdata[got->len - 1]));
  g_assert_cmpint(json_object_get_int_member(json_node_get_object(last), "frame"), ==, 399);
  json_node_unref(last);
  g_ptr_array_unref(got);
  g_free(cfg);
  g_free(ds);
  g_free(conn);
  broker_free(b);
}

/* Killed (SIGKILL) for 5 s mid-stream, restarted on the same port and data. */
static void redis_down(gpointer b)
{
  broker_stop(b, SIGKILL); /* what it acknowledged is in its append-only file */
}

static void redis_up(gpointer b)
{
  broker_start(b);
}

static void test_outage(void)
{
  Broker *b = broker_redis(TRUE);
  char *conn = g_strdup_printf("redis://127.0.0.1:%u/outage", b->port);
  vf_pipeline_free(outage_run("redis outage", conn, redis_down, redis_up, b));
  GPtrArray *got = read_stream(b->port, "outage", "metadata");
  Delivery d
      = delivery_check(got, VF_PAYLOAD_VIDFLOW, OUTAGE_SOURCES, OUTAGE_FRAMES, "redis outage");
  delivery_assert_complete(&d);
  g_ptr_array_unref(got);
  g_free(conn);
  broker_free(b);
}

/* No server when the pipeline starts: a warning, the messages wait, and arrive once it is up. */
static void test_absent_at_start(void)
{
  Broker *b = broker_redis(FALSE);
  char *conn = g_strdup_printf("redis://127.0.0.1:%u/late", b->port);
  const char *props[]
      = { "conn-str", conn, "reconnect-max", "300", "flush-timeout", "20000", NULL };
  Publish pub = { .sources = 1, .frames = 100, .payload_type = "vidflow", .broker_props = props };
  GError *err = NULL;
  VfPipeline *p = publish_pipeline(&pub, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_start(p, &err), err);
  g_usleep(G_TIME_SPAN_SECOND);
  g_assert_false(broker_connected(p));
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 0);
  broker_start(b);
  VF_ASSERT_OK(vf_pipeline_wait(p, &err), err); /* the end of stream waited for them */
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 100);
  vf_pipeline_free(p);
  GPtrArray *got = read_stream(b->port, "late", "metadata");
  Delivery d = delivery_check(got, VF_PAYLOAD_VIDFLOW, 1, 100, "redis absent at start");
  delivery_assert_complete(&d);
  g_assert_cmpuint(d.duplicates, ==, 0);
  g_ptr_array_unref(got);
  g_free(conn);
  broker_free(b);
}

/* A stream key of another type: Redis refuses each XADD; the messages count as failed, with a
 * warning, and the stream still ends. */
static void test_refused(void)
{
  Broker *b = broker_redis(TRUE);
  redisContext *c = redisConnect("127.0.0.1", (int)b->port);
  freeReplyObject(redisCommand(c, "SET notastream x"));
  redisFree(c);
  char *conn = g_strdup_printf("redis://127.0.0.1:%u/notastream", b->port);
  const char *props[] = { "conn-str", conn, NULL };
  Publish pub = { .sources = 1, .frames = 10, .payload_type = "vidflow", .broker_props = props };
  GError *err = NULL;
  VfPipeline *p = publish_pipeline(&pub, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_run(p, &err), err);
  g_assert_cmpuint(broker_stat(p, "failed"), ==, 10);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 0);
  vf_pipeline_free(p);
  g_free(conn);
  broker_free(b);
}

/* XLEN of `stream` in database `db` (authenticating with `password` when not NULL). */
static long long stream_length(guint port, const char *password, int db, const char *stream)
{
  redisContext *c = redisConnect("127.0.0.1", (int)port);
  g_assert_true(c && !c->err);
  redisReply *r;
  if (password) {
    r = redisCommand(c, "AUTH %s", password);
    g_assert_true(r && r->type == REDIS_REPLY_STATUS);
    freeReplyObject(r);
  }
  r = redisCommand(c, "SELECT %d", db);
  g_assert_true(r && r->type == REDIS_REPLY_STATUS);
  freeReplyObject(r);
  r = redisCommand(c, "XLEN %s", stream);
  g_assert_true(r && r->type == REDIS_REPLY_INTEGER);
  long long n = r->integer;
  freeReplyObject(r);
  redisFree(c);
  return n;
}

/* The adapter's options: db selects the database; a server that wants a password gets it from
 * the URI or the password option (a wrong one: nothing acknowledged, the link counted down);
 * wrong values are refused, naming the option. */
static void test_options(void)
{
  Broker *b = broker_redis(TRUE);
  char *conn = g_strdup_printf("redis://127.0.0.1:%u/picked?db=3", b->port);
  VfPipeline *p = publish_to(conn);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 20);
  vf_pipeline_free(p);
  g_free(conn);
  g_assert_cmpint(stream_length(b->port, NULL, 3, "picked"), ==, 20);
  g_assert_cmpint(stream_length(b->port, NULL, 0, "picked"), ==, 0);

  redisContext *c = redisConnect("127.0.0.1", (int)b->port);
  g_assert_true(c && !c->err);
  redisReply *r = redisCommand(c, "CONFIG SET requirepass s3cret");
  g_assert_true(r && r->type == REDIS_REPLY_STATUS);
  freeReplyObject(r);
  redisFree(c);
  conn = g_strdup_printf("redis://:s3cret@127.0.0.1:%u/authed", b->port);
  p = publish_to(conn);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 20);
  vf_pipeline_free(p);
  g_free(conn);
  conn = g_strdup_printf("redis://127.0.0.1:%u/authed?password=s3cret", b->port);
  p = publish_to(conn);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 20);
  vf_pipeline_free(p);
  g_free(conn);
  g_assert_cmpint(stream_length(b->port, "s3cret", 0, "authed"), ==, 40);
  conn = g_strdup_printf("redis://:wrong@127.0.0.1:%u/authed", b->port);
  p = publish_to(conn);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, 0);
  g_assert_cmpuint(broker_stat(p, "disconnects"), >=, 1);
  vf_pipeline_free(p);
  g_free(conn);

  const char *bad[][2] = { { "redis://127.0.0.1:1/t?db=-1", "db" },
                           { "redis://127.0.0.1:1/t?streamsize=many", "streamsize" },
                           { "redis://127.0.0.1:1/t?maxlen=5", "unknown redis option 'maxlen'" } };
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    const char *props[] = { "conn-str", bad[i][0], NULL };
    publish_expect_error(props, bad[i][1]);
  }
  broker_free(b);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/broker-redis/publish", test_publish);
  g_test_add_func("/broker-redis/outage", test_outage);
  g_test_add_func("/broker-redis/absent-at-start", test_absent_at_start);
  g_test_add_func("/broker-redis/refused", test_refused);
  g_test_add_func("/broker-redis/options", test_options);
  return g_test_run();
}
