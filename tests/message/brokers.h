/* vidflow tests: brokers on loopback for the vfmsgbroker tests, started and stopped by the tests
 * (mosquitto and redis-server from Debian, on free ports picked at run time; each dies with the
 * test process if the test aborts), the pipeline that publishes, and the delivery check:
 * every message of every source arrived, first copies in order, duplicates counted. */
#pragma once

#include "../flow/flow-util.h"
#include "schema-check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

/* ---- files ---- */

/* The non-empty lines of a file (char*); none when it does not exist. */
static inline GPtrArray *test_read_lines(const char *path)
{
  char *text = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return out;
  char **lines = g_strsplit(text, "\n", -1);
  for (char **l = lines; *l; l++)
    if (**l)
      g_ptr_array_add(out, g_strdup(*l));
  g_strfreev(lines);
  g_free(text);
  return out;
}

/* rm -rf `dir`, and free the string. */
static inline void test_remove_dir(char *dir)
{
  char *rm[] = { "rm", "-rf", dir, NULL };
  g_spawn_sync(NULL, rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  g_free(dir);
}

/* ---- broker processes ---- */

typedef struct {
  GPid pid;
  guint port;
  char *dir; /* its data (persistence) */
  char **argv;
} Broker;

static void broker_child_setup(gpointer unused)
{
  (void)unused;
  prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the test */
}

static inline gboolean broker_port_open(guint port)
{
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  gboolean open = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
  close(fd);
  return open;
}

/* Starts (or restarts, same port and data) and waits until it accepts connections. */
static inline void broker_start(Broker *b)
{
  GError *err = NULL;
  gboolean ok = g_spawn_async(NULL, b->argv, NULL,
                              G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL
                                  | G_SPAWN_STDERR_TO_DEV_NULL | G_SPAWN_SEARCH_PATH,
                              broker_child_setup, NULL, &b->pid, &err);
  VF_ASSERT_OK(ok, err);
  gint64 deadline = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND;
  while (!broker_port_open(b->port)) {
    if (g_get_monotonic_time() > deadline)
      g_error("%s did not listen on port %u within 10 s", b->argv[0], b->port);
    g_usleep(20 * G_TIME_SPAN_MILLISECOND);
  }
}

/* Stops it with `sig` and waits for it to be gone. */
static inline void broker_stop(Broker *b, int sig)
{
  if (b->pid <= 0)
    return;
  kill(b->pid, sig);
  int status;
  waitpid(b->pid, &status, 0);
  g_spawn_close_pid(b->pid);
  b->pid = 0;
}

static inline void broker_free(Broker *b)
{
  broker_stop(b, SIGKILL);
  test_remove_dir(b->dir);
  g_strfreev(b->argv);
  g_free(b);
}

static inline char *broker_dir(const char *what)
{
  char *tmpl = g_strdup_printf("vf-%s-XXXXXX", what);
  char *dir = g_dir_make_tmp(tmpl, NULL);
  g_free(tmpl);
  g_assert_nonnull(dir);
  return dir;
}

/* mosquitto with persistence (sessions and queued messages survive a SIGTERM) and `settings`
 * (lines of mosquitto.conf). */
static inline Broker *broker_mosquitto_with(const char *settings)
{
  Broker *b = g_new0(Broker, 1);
  b->port = flow_test_free_port();
  b->dir = broker_dir("mosquitto");
  char *conf = g_build_filename(b->dir, "mosquitto.conf", NULL);
  char *text = g_strdup_printf("listener %u 127.0.0.1\n%s"
                               "persistence true\npersistence_location %s/\n"
                               "max_queued_messages 100000\nuser root\n",
                               b->port, settings, b->dir);
  g_assert_true(g_file_set_contents(conf, text, -1, NULL));
  g_free(text);
  b->argv = g_strsplit("mosquitto -c X", " ", -1);
  g_free(b->argv[2]);
  b->argv[2] = conf;
  broker_start(b);
  return b;
}

/* mosquitto for anyone. */
static inline Broker *broker_mosquitto(void)
{
  return broker_mosquitto_with("allow_anonymous true\n");
}

/* redis-server with an append-only file written before each reply: what it acknowledged
 * survives a SIGKILL. */
static inline Broker *broker_redis(gboolean start)
{
  Broker *b = g_new0(Broker, 1);
  b->port = flow_test_free_port();
  b->dir = broker_dir("redis");
  char *port = g_strdup_printf("%u", b->port);
  const char *argv[] = { "redis-server", "--port",        port,     "--bind",
                         "127.0.0.1",    "--save",        "",       "--appendonly",
                         "yes",          "--appendfsync", "always", "--dir",
                         b->dir,         "--daemonize",   "no",     NULL };
  b->argv = g_strdupv((char **)argv);
  g_free(port);
  if (start)
    broker_start(b);
  return b;
}

/* ---- the publishing pipeline ---- */

typedef struct {
  guint sources, frames, fps;      /* fps 0: as fast as possible */
  const char *payload_type;        /* vfmsgconv payload-type */
  const char *const *broker_props; /* name, value, ..., NULL */
  const char *frequency;           /* nullable: vfmsgconv's frequency (every-frame) */
} Publish;

/* Two objects per frame: a tracked Person (id: source * 100000 + frame) and an untracked Car;
 * streaming thread. */
static void add_test_objects(VfBatchMeta *batch, gpointer user_data)
{
  (void)user_data;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(batch); i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(batch, i);
    guint64 n = vf_frame_meta_get_frame_number(frame);
    VfObjectMeta *person = vf_object_meta_new();
    vf_object_meta_set_class_id(person, 1);
    vf_object_meta_set_label(person, "Person");
    vf_object_meta_set_confidence(person, 0.75f);
    VfRect r = { (gfloat)(n % 40), 2, 10, 20 };
    vf_object_meta_set_detector_bbox(person, &r);
    vf_object_meta_set_object_id(person, vf_frame_meta_get_source_id(frame) * 100000 + n);
    VfObjectMeta *car = vf_object_meta_new();
    vf_object_meta_set_class_id(car, 3);
    vf_object_meta_set_label(car, "Car");
    vf_object_meta_set_confidence(car, 0.5f);
    VfRect c = { 30, 20, 16, 8 };
    vf_object_meta_set_detector_bbox(car, &c);
    vf_frame_meta_add_object(frame, person);
    vf_frame_meta_add_object(frame, car);
    vf_object_meta_unref(person);
    vf_object_meta_unref(car);
  }
}

/* sources x videotestsrc (64x48) -> vfmux -> objects probe -> vfmsgconv -> vfmsgbroker
 * ("broker"). */
static inline VfPipeline *publish_pipeline(const Publish *pub, GError **error)
{
  VfPipeline *p = vf_pipeline_new("publish");
  char batch[16];
  g_snprintf(batch, sizeof batch, "%u", pub->sources);
  gboolean ok
      = vf_pipeline_add(p, "vfmux", "mux", error, "batch-size", batch, NULL)
        && vf_pipeline_add(p, "vfmsgconv", "conv", error, "payload-type", pub->payload_type,
                           "frequency", pub->frequency ? pub->frequency : "every-frame", NULL)
        && vf_pipeline_addv(p, "vfmsgbroker", "broker", pub->broker_props, error)
        && vf_pipeline_link(p, error, "mux", "conv", "broker", NULL);
  for (guint s = 0; ok && s < pub->sources; s++) {
    char src[16], caps[16], pad[16], frames[16], desc[96];
    g_snprintf(src, sizeof src, "src%u", s);
    g_snprintf(caps, sizeof caps, "caps%u", s);
    g_snprintf(pad, sizeof pad, "sink_%u", s);
    g_snprintf(frames, sizeof frames, "%u", pub->frames);
    g_snprintf(desc, sizeof desc, "video/x-raw,format=RGB,width=64,height=48,framerate=%u/1",
               pub->fps ? pub->fps : 30);
    ok = vf_pipeline_add(p, "videotestsrc", src, error, "num-buffers", frames, "pattern", "black",
                         "is-live", pub->fps ? "true" : "false", NULL)
         && vf_pipeline_add(p, "capsfilter", caps, error, "caps", desc, NULL)
         && vf_pipeline_link(p, error, src, caps, NULL)
         && vf_pipeline_link_pads(p, caps, NULL, "mux", pad, error);
  }
  VfProbeCallbacks objects = { .on_batch_meta = add_test_objects };
  ok = ok
       && vf_pipeline_attach_probe(p, "mux", NULL, vf_probe_new("objects", &objects, NULL), error);
  if (!ok) {
    vf_pipeline_free(p);
    return NULL;
  }
  return p;
}

static inline guint64 broker_stat(VfPipeline *p, const char *name)
{
  GstStructure *s = NULL;
  g_object_get(vf_pipeline_get_element(p, "broker"), "stats", &s, NULL);
  guint64 v = 0;
  g_assert_true(gst_structure_get_uint64(s, name, &v));
  gst_structure_free(s);
  return v;
}

static inline gboolean broker_connected(VfPipeline *p)
{
  GstStructure *s = NULL;
  g_object_get(vf_pipeline_get_element(p, "broker"), "stats", &s, NULL);
  gboolean connected = TRUE;
  g_assert_true(gst_structure_get_boolean(s, "connected", &connected));
  gst_structure_free(s);
  return connected;
}

/* Runs a 20-frame publishing pipeline to `conn` (flush-timeout 1 s); the pipeline (transfer
 * full), at end of stream. */
static inline VfPipeline *publish_to(const char *conn)
{
  const char *props[] = { "conn-str", conn, "flush-timeout", "1000", NULL };
  Publish pub = { .sources = 1, .frames = 20, .payload_type = "vidflow", .broker_props = props };
  GError *err = NULL;
  VfPipeline *p = publish_pipeline(&pub, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_run(p, &err), err);
  return p;
}

/* A publishing pipeline (5 frames) with these vfmsgbroker properties fails to start, with an
 * error holding `fragment`. */
static inline void publish_expect_error(const char *const *props, const char *fragment)
{
  Publish pub = { .sources = 1, .frames = 5, .payload_type = "vidflow", .broker_props = props };
  GError *err = NULL;
  VfPipeline *p = publish_pipeline(&pub, &err);
  VF_ASSERT_OK(p != NULL, err);
  g_assert_false(vf_pipeline_run(p, &err));
  g_assert_nonnull(err);
  if (!strstr(err->message, fragment))
    g_error("expected '%s' in: %s", fragment, err->message);
  g_error_free(err);
  vf_pipeline_free(p);
}

/* ---- the outage ---- */

#define OUTAGE_SOURCES 2
#define OUTAGE_FRAMES 700 /* 7 s at 100 frames/s */

typedef void (*BrokerSwitch)(gpointer ctx);

/* 2 live sources at 100 frames/s (a message each) to `conn`; 1.5 s in the broker goes down
 * (`down`), 5 s later it is back (`up`). Checks what vfmsgbroker says (every message
 * acknowledged once, nothing dropped, the link broke, messages waited in the spool) and
 * returns the pipeline, at end of stream, for more checks (transfer full). */
static inline VfPipeline *outage_run(const char *what, const char *conn, BrokerSwitch down,
                                     BrokerSwitch up, gpointer ctx)
{
  const char *props[]
      = { "conn-str", conn, "reconnect-max", "500", "queue-size", "100", "flush-timeout",
          "20000",    NULL };
  Publish pub = { .sources = OUTAGE_SOURCES,
                  .frames = OUTAGE_FRAMES,
                  .fps = 100,
                  .payload_type = "vidflow",
                  .broker_props = props };
  GError *err = NULL;
  VfPipeline *p = publish_pipeline(&pub, &err);
  VF_ASSERT_OK(p != NULL && vf_pipeline_start(p, &err), err);
  g_usleep(1500 * G_TIME_SPAN_MILLISECOND);
  down(ctx);
  g_usleep(5 * G_TIME_SPAN_SECOND);
  guint64 spooled = broker_stat(p, "spooled");
  up(ctx);
  VF_ASSERT_OK(vf_pipeline_wait(p, &err), err);
  g_test_message("%s: sent %" G_GUINT64_FORMAT " (resent %" G_GUINT64_FORMAT
                 "), acknowledged %" G_GUINT64_FORMAT ", disconnects %" G_GUINT64_FORMAT
                 ", waiting in the spool when the broker came back %" G_GUINT64_FORMAT,
                 what, broker_stat(p, "sent"), broker_stat(p, "resent"),
                 broker_stat(p, "acknowledged"), broker_stat(p, "disconnects"), spooled);
  g_assert_cmpuint(broker_stat(p, "acknowledged"), ==, OUTAGE_SOURCES * OUTAGE_FRAMES);
  g_assert_cmpuint(broker_stat(p, "dropped"), ==, 0);
  g_assert_cmpuint(broker_stat(p, "disconnects"), >=, 1);
  g_assert_cmpuint(spooled, >, 0);
  return p;
}

/* ---- checking what arrived ---- */

typedef struct {
  guint64 received, unique, duplicates, lost, out_of_order;
} Delivery;

/* `payloads`: char* of every message received, in arrival order. Each is checked against the
 * schema; per source, frame numbers 0..frames-1 must all be there, their first copies in order. */
static inline Delivery delivery_check(GPtrArray *payloads, VfPayloadSchema schema, guint sources,
                                      guint frames, const char *what)
{
  Delivery d = { 0 };
  GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  gint64 *next = g_new0(gint64, sources);
  for (guint i = 0; i < payloads->len; i++) {
    const char *text = payloads->pdata[i];
    JsonNode *root = schema_check(schema, text, strlen(text));
    JsonObject *m = json_node_get_object(root);
    gint64 source = json_object_get_int_member(m, "source");
    gint64 frame = json_object_get_int_member(m, "frame");
    g_assert_cmpint(source, >=, 0);
    g_assert_cmpint(source, <, sources);
    /* the probe's objects, as the probe made them */
    JsonArray *objects = json_object_get_array_member(m, "objects");
    g_assert_cmpuint(json_array_get_length(objects), ==, 2);
    JsonObject *person = json_array_get_object_element(objects, 0);
    g_assert_cmpint(json_object_get_int_member(person, "id"), ==, source * 100000 + frame);
    g_assert_cmpstr(json_object_get_string_member(person, "label"), ==, "Person");
    g_assert_cmpfloat(
        json_array_get_double_element(json_object_get_array_member(person, "bbox"), 0), ==,
        frame % 40);
    g_assert_false(json_object_has_member(json_array_get_object_element(objects, 1), "id"));
    json_node_unref(root);
    d.received++;
    char *key = g_strdup_printf("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, source, frame);
    if (g_hash_table_contains(seen, key)) {
      d.duplicates++;
      g_free(key);
      continue;
    }
    g_hash_table_add(seen, key);
    d.unique++;
    if (frame != next[source])
      d.out_of_order++;
    next[source] = frame + 1;
  }
  d.lost = (guint64)sources * frames - d.unique;
  g_test_message("%s: published %u, received %" G_GUINT64_FORMAT ", duplicates %" G_GUINT64_FORMAT
                 ", lost %" G_GUINT64_FORMAT ", out of order %" G_GUINT64_FORMAT,
                 what, sources * frames, d.received, d.duplicates, d.lost, d.out_of_order);
  g_hash_table_unref(seen);
  g_free(next);
  return d;
}

static inline void delivery_assert_complete(const Delivery *d)
{
  g_assert_cmpuint(d->lost, ==, 0);
  g_assert_cmpuint(d->out_of_order, ==, 0);
}
