/* bench: vfmsgbroker against each broker's own client, on loopback, same messages.
 *
 * Throughput (messages/s from the first message to the last acknowledgement): N copies of one
 * message of vidflow's compact schema (a frame with 4 objects, ~500 bytes) through
 *   - vidflow: appsrc (each buffer one frame carrying the payload) ! vfmsgbroker, as users run
 *     it (spool on, max-in-flight 1000) and without the spool (spool-size=0);
 *   - the baseline: the broker's own C client in one thread doing the same sends with the same
 *     acknowledgements: libmosquitto QoS 1 with at most 1000 PUBACKs pending (mosquitto_loop),
 *     hiredis pipelining XADD MAXLEN ~ in windows of 1000, a bare idempotent acks=all
 *     librdkafka producer (produce + poll, then flush) to librdkafka's mock cluster.
 * Brokers: mosquitto and redis-server started here on free ports; a mock cluster for Kafka.
 *
 * Pipeline cost: frames per second of videotestsrc (320x240) ! vfmux ! tee, whose branches are
 * queue ! fakesink and a second queue, ending in fakesink (not publishing) or in vfmsgconv !
 * vfmsgbroker (MQTT) making 100 messages/s (frame-interval chosen from the bare pipeline's
 * fps): the same threads on both sides, the difference is what publishing costs, in a pipeline
 * of ~100 us a frame (the worst case). And the detection pipeline (decode vtest.avi + vfinfer
 * SSD, as `vidflow detect`) with the same two branches, the second publishing every object in
 * DeepStream's full schema or not. fps and this process's CPU time per frame are taken at the
 * first sink from frame WARMUP_FRAMES on, up to the last: the steady state, without the start
 * (the broker connection) and the end of stream (waiting for the last acknowledgements). CPU
 * time varies less than fps on a shared machine.
 *
 * Each side runs once unmeasured first (warm-up); then rounds alternate the order, and the
 * median of the per-round ratios and its range are reported, each figure as a BENCH line. */
#include "../bench-stats.h"
#include "../../tests/message/brokers.h"

#include <gst/app/gstappsrc.h>
#include <hiredis/hiredis.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <mosquitto.h>
#include <sys/resource.h>

#define MESSAGES 20000
#define WINDOW 1000
#define ROUNDS 7
#define PIPELINE_ROUNDS 11
#define PIPELINE_FRAMES 3000
#define DETECT_FRAMES 100
#define WARMUP_FRAMES(frames) ((frames) / 10)
#define PUBLISH_RATE 100.0

static GBytes *payload;

/* A compact message of a frame with four objects, from vidflow's own converter. */
static GBytes *make_payload(void)
{
  GstBuffer *b = gst_buffer_new();
  VfBatchMeta *batch = vf_batch_meta_add(b, 1);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 1920, 1080);
  VfFrameMeta *frame = vf_batch_meta_add_frame(batch, NULL, &info);
  vf_frame_meta_set_frame_number(frame, 123456);
  vf_frame_meta_set_pts(frame, 4115 * GST_SECOND);
  vf_frame_meta_set_sensor(frame, "camera-entrance-01", NULL);
  for (guint i = 0; i < 4; i++) {
    VfObjectMeta *o = vf_object_meta_new();
    vf_object_meta_set_class_id(o, (gint)i);
    vf_object_meta_set_label(o, i % 2 ? "Car" : "Person");
    vf_object_meta_set_confidence(o, 0.5f + i / 10.0f);
    VfRect r = { 100.25f * i, 200.5f, 64.75f, 128.125f };
    vf_object_meta_set_detector_bbox(o, &r);
    vf_object_meta_set_object_id(o, 1000 + i);
    vf_frame_meta_add_object(frame, o);
    vf_object_meta_unref(o);
  }
  VfMsgConv *conv = vf_msgconv_new(VF_PAYLOAD_VIDFLOW, NULL, NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)vf_payload_unref);
  vf_msgconv_convert(conv, frame, out, NULL);
  GBytes *bytes = g_bytes_ref(vf_payload_get_data(out->pdata[0]));
  g_ptr_array_unref(out);
  vf_msgconv_free(conv);
  gst_buffer_unref(b);
  return bytes;
}

static double cpu_seconds(void)
{
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/* CPU seconds of this process during the last run (both sides run in this process; the
 * mosquitto and redis servers are processes of their own and not counted). */
static double last_cpu;

/* ---- vidflow: appsrc ! vfmsgbroker ---- */

static double run_vidflow(const char *conn, gboolean spool)
{
  GError *err = NULL;
  char *desc = g_strdup_printf("appsrc name=src ! vfmsgbroker name=broker conn-str=\"%s\" "
                               "max-in-flight=%d spool-size=%s flush-timeout=60000",
                               conn, WINDOW, spool ? "268435456" : "0");
  GstElement *pipe = gst_parse_launch(desc, &err);
  g_free(desc);
  VF_ASSERT_OK(pipe != NULL, err);
  GstElement *src = gst_bin_get_by_name(GST_BIN(pipe), "src");
  GstElement *broker = gst_bin_get_by_name(GST_BIN(pipe), "broker");
  GstBuffer **buffers = g_new(GstBuffer *, MESSAGES);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 16, 16);
  for (guint i = 0; i < MESSAGES; i++) {
    buffers[i] = gst_buffer_new();
    VfBatchMeta *batch = vf_batch_meta_add(buffers[i], 1);
    VfFrameMeta *frame = vf_batch_meta_add_frame(batch, NULL, &info);
    VfPayload *p = vf_payload_new(payload, 0, i, "camera-entrance-01");
    vf_frame_meta_add_payload(frame, p);
    vf_payload_unref(p);
  }
  gst_element_set_state(pipe, GST_STATE_PLAYING);
  double c0 = cpu_seconds();
  gint64 t0 = g_get_monotonic_time();
  for (guint i = 0; i < MESSAGES; i++)
    gst_app_src_push_buffer(GST_APP_SRC(src), buffers[i]);
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  GstMessage *msg = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(pipe), 120 * GST_SECOND,
                                               GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gint64 t1 = g_get_monotonic_time();
  last_cpu = cpu_seconds() - c0;
  if (msg == NULL || GST_MESSAGE_TYPE(msg) != GST_MESSAGE_EOS)
    g_error("vfmsgbroker to %s did not finish", conn);
  gst_message_unref(msg);
  guint64 acked = 0;
  g_object_get(broker, "acknowledged", &acked, NULL);
  if (acked != MESSAGES)
    g_error("%s: %" G_GUINT64_FORMAT " of %d acknowledged", conn, acked, MESSAGES);
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(src);
  gst_object_unref(broker);
  gst_object_unref(pipe);
  g_free(buffers);
  return MESSAGES / ((t1 - t0) / 1e6);
}

/* ---- the clients' own loops ---- */

typedef struct {
  guint acked;
} MqttRaw;

static void raw_on_publish(struct mosquitto *m, void *obj, int mid)
{
  (void)m;
  (void)mid;
  ((MqttRaw *)obj)->acked++;
}

static double run_raw_mqtt(guint port, const char *topic)
{
  MqttRaw r = { 0 };
  struct mosquitto *m = mosquitto_new(NULL, true, &r);
  mosquitto_publish_callback_set(m, raw_on_publish);
  mosquitto_max_inflight_messages_set(m, 0);
  g_assert_cmpint(mosquitto_connect(m, "127.0.0.1", (int)port, 60), ==, MOSQ_ERR_SUCCESS);
  gsize len;
  const void *data = g_bytes_get_data(payload, &len);
  double c0 = cpu_seconds();
  gint64 t0 = g_get_monotonic_time();
  guint sent = 0;
  while (r.acked < MESSAGES) {
    while (sent < MESSAGES && sent - r.acked < WINDOW) {
      g_assert_cmpint(mosquitto_publish(m, NULL, topic, (int)len, data, 1, false), ==,
                      MOSQ_ERR_SUCCESS);
      sent++;
    }
    mosquitto_loop(m, 5, 1);
  }
  gint64 t1 = g_get_monotonic_time();
  last_cpu = cpu_seconds() - c0;
  mosquitto_disconnect(m);
  mosquitto_destroy(m);
  return MESSAGES / ((t1 - t0) / 1e6);
}

static double run_raw_redis(guint port, const char *stream)
{
  redisContext *c = redisConnect("127.0.0.1", (int)port);
  g_assert_true(c && !c->err);
  gsize len;
  const char *data = g_bytes_get_data(payload, &len);
  const char *argv[] = { "XADD", stream,     "MAXLEN", "~",   "10000",
                         "*",    "metadata", data,     "key", "camera-entrance-01" };
  size_t lens[G_N_ELEMENTS(argv)];
  for (guint i = 0; i < G_N_ELEMENTS(argv); i++)
    lens[i] = strlen(argv[i]);
  lens[7] = len;
  double c0 = cpu_seconds();
  gint64 t0 = g_get_monotonic_time();
  for (guint done = 0; done < MESSAGES; done += WINDOW) {
    guint n = MIN(WINDOW, MESSAGES - done);
    for (guint i = 0; i < n; i++)
      redisAppendCommandArgv(c, G_N_ELEMENTS(argv), argv, lens);
    for (guint i = 0; i < n; i++) {
      redisReply *r = NULL;
      g_assert_cmpint(redisGetReply(c, (void **)&r), ==, REDIS_OK);
      g_assert_cmpint(r->type, !=, REDIS_REPLY_ERROR);
      freeReplyObject(r);
    }
  }
  gint64 t1 = g_get_monotonic_time();
  last_cpu = cpu_seconds() - c0;
  redisFree(c);
  return MESSAGES / ((t1 - t0) / 1e6);
}

static guint kafka_delivered;

static void raw_on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
  (void)rk;
  (void)opaque;
  if (m->err == 0)
    kafka_delivered++;
}

static double run_raw_kafka(const char *bootstraps, const char *topic)
{
  char err[256];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, err, sizeof err);
  rd_kafka_conf_set(conf, "enable.idempotence", "true", err, sizeof err);
  rd_kafka_conf_set(conf, "acks", "all", err, sizeof err);
  rd_kafka_conf_set_dr_msg_cb(conf, raw_on_delivery);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  g_assert_nonnull(rk);
  rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
  gsize len;
  const void *data = g_bytes_get_data(payload, &len);
  kafka_delivered = 0;
  double c0 = cpu_seconds();
  gint64 t0 = g_get_monotonic_time();
  for (guint i = 0; i < MESSAGES; i++) {
    while (rd_kafka_produce(t, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, (void *)data, len,
                            "camera-entrance-01", 18, NULL)
           != 0)
      rd_kafka_poll(rk, 5);
    rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 60000);
  gint64 t1 = g_get_monotonic_time();
  last_cpu = cpu_seconds() - c0;
  g_assert_cmpuint(kafka_delivered, ==, MESSAGES);
  rd_kafka_topic_destroy(t);
  rd_kafka_destroy(rk);
  return MESSAGES / ((t1 - t0) / 1e6);
}

/* ---- figures ---- */

typedef struct {
  const char *id;
  char *conn;
  double (*raw)(gpointer ctx);
  gpointer ctx;
} Adapter;

static double raw_mqtt(gpointer ctx)
{
  return run_raw_mqtt(GPOINTER_TO_UINT(ctx), "bench/raw");
}

static double raw_redis(gpointer ctx)
{
  return run_raw_redis(GPOINTER_TO_UINT(ctx), "bench-raw");
}

static double raw_kafka(gpointer ctx)
{
  return run_raw_kafka(ctx, "bench-raw");
}

static void range_of(const double *v, guint n, double *lo, double *hi)
{
  *lo = *hi = v[0];
  for (guint i = 1; i < n; i++) {
    *lo = MIN(*lo, v[i]);
    *hi = MAX(*hi, v[i]);
  }
}

static void bench_adapter(const Adapter *a)
{
  double vf[ROUNDS], vf_nospool[ROUNDS], raw[ROUNDS], ratio[ROUNDS], ratio_nospool[ROUNDS];
  double cpu_ratio[ROUNDS];
  /* one run of each side first, not counted: the broker's first topic and file, the page
   * cache, the allocator's first growth would otherwise land on whichever side runs first */
  a->raw(a->ctx);
  run_vidflow(a->conn, TRUE);
  for (guint r = 0; r < ROUNDS; r++) {
    double cpu_vf, cpu_raw;
    if (r % 2 == 0) {
      raw[r] = a->raw(a->ctx);
      cpu_raw = last_cpu;
      vf[r] = run_vidflow(a->conn, TRUE);
      cpu_vf = last_cpu;
      vf_nospool[r] = run_vidflow(a->conn, FALSE);
    } else {
      vf_nospool[r] = run_vidflow(a->conn, FALSE);
      vf[r] = run_vidflow(a->conn, TRUE);
      cpu_vf = last_cpu;
      raw[r] = a->raw(a->ctx);
      cpu_raw = last_cpu;
    }
    cpu_ratio[r] = cpu_raw / cpu_vf; /* > 1: vidflow spends less CPU per message */
    ratio[r] = vf[r] / raw[r];
    ratio_nospool[r] = vf_nospool[r] / raw[r];
    g_print("  %-6s round %u: vidflow %8.0f msg/s, no spool %8.0f msg/s, raw client %8.0f "
            "msg/s; CPU per message vidflow %.1f us, raw %.1f us\n",
            a->id, r, vf[r], vf_nospool[r], raw[r], cpu_vf / MESSAGES * 1e6,
            cpu_raw / MESSAGES * 1e6);
  }
  double lo, hi;
  range_of(ratio, ROUNDS, &lo, &hi);
  double m = vf_bench_median(ratio, ROUNDS);
  g_print("%-6s vidflow/raw: median %.3f x (range %.3f - %.3f), %u messages of %" G_GSIZE_FORMAT
          " bytes per run\n",
          a->id, m, lo, hi, MESSAGES, g_bytes_get_size(payload));
  g_print("BENCH msgbroker_%s_msgs_per_s %.0f msg/s\n", a->id, vf_bench_median(vf, ROUNDS));
  g_print("BENCH msgbroker_%s_no_spool_msgs_per_s %.0f msg/s\n", a->id,
          vf_bench_median(vf_nospool, ROUNDS));
  g_print("BENCH raw_%s_client_msgs_per_s %.0f msg/s\n", a->id, vf_bench_median(raw, ROUNDS));
  g_print("BENCH msgbroker_%s_vs_raw %.3f x\n", a->id, m);
  g_print("BENCH msgbroker_%s_no_spool_vs_raw %.3f x\n", a->id,
          vf_bench_median(ratio_nospool, ROUNDS));
  g_print("BENCH msgbroker_%s_cpu_efficiency_vs_raw %.3f x\n", a->id,
          vf_bench_median(cpu_ratio, ROUNDS));
}

/* ---- the pipeline with and without publishing ---- */

static const char *detect_config;
static const char *detect_video;

/* The first sink's clock: when frame `from` and the last frame passed, and the CPU time then. */
typedef struct {
  guint seen, from, last;
  gint64 t_from, t_last;
  double cpu_from, cpu_last;
} SinkClock;

static GstPadProbeReturn on_sink_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  (void)info;
  SinkClock *c = data;
  guint n = c->seen++;
  if (n == c->from) {
    c->t_from = g_get_monotonic_time();
    c->cpu_from = cpu_seconds();
  } else if (n == c->last) {
    c->t_last = g_get_monotonic_time();
    c->cpu_last = cpu_seconds();
  }
  return GST_PAD_PROBE_OK;
}

/* Steady-state fps at the first sink; *cpu_per_frame: this process's CPU time per frame over the
 * same frames (the broker's own is not in it). detect: the detection pipeline (decode +
 * vfinfer) publishing each object (DeepStream's full schema); else the synthetic one publishing
 * every interval-th frame. interval 0: the second branch ends in fakesink. */
static double run_pipeline(guint interval, guint mqtt_port, guint64 *messages,
                           double *cpu_per_frame, gboolean detect)
{
  char *branch = !interval ? g_strdup("t. ! queue ! fakesink sync=false")
                 : detect  ? g_strdup_printf("t. ! queue ! vfmsgconv payload-type=deepstream "
                                              "input=objects ! vfmsgbroker name=broker "
                                              "conn-str=mqtt://127.0.0.1:%u/bench/detect",
                                             mqtt_port)
                           : g_strdup_printf("t. ! queue ! vfmsgconv payload-type=vidflow "
                                              "frame-interval=%u ! vfmsgbroker name=broker "
                                              "conn-str=mqtt://127.0.0.1:%u/bench/pipeline",
                                             interval, mqtt_port);
  guint frames = detect ? DETECT_FRAMES : PIPELINE_FRAMES;
  char *desc = detect ? g_strdup_printf("filesrc location=%s ! decodebin ! identity eos-after=%u ! "
                                        "vfmux name=mux batch-size=1 ! vfinfer "
                                        "config-file-path=%s ! tee name=t ! queue ! fakesink "
                                        "name=sink sync=false %s",
                                        detect_video, frames, detect_config, branch)
                      : g_strdup_printf("videotestsrc num-buffers=%u pattern=smpte ! "
                                        "video/x-raw,format=RGB,width=320,height=240,framerate=30/"
                                        "1 ! vfmux name=mux batch-size=1 ! tee name=t ! queue ! "
                                        "fakesink name=sink sync=false %s",
                                        frames, branch);
  GError *err = NULL;
  GstElement *pipe = gst_parse_launch(desc, &err);
  VF_ASSERT_OK(pipe != NULL, err);
  SinkClock clock = { .from = WARMUP_FRAMES(frames), .last = frames - 1 };
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
  GstPad *pad = gst_element_get_static_pad(sink, "sink");
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_sink_buffer, &clock, NULL);
  gst_object_unref(pad);
  gst_object_unref(sink);
  gst_element_set_state(pipe, GST_STATE_PLAYING);
  GstMessage *msg = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(pipe), 300 * GST_SECOND,
                                               GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (msg == NULL || GST_MESSAGE_TYPE(msg) != GST_MESSAGE_EOS || clock.seen != frames)
    g_error("bench pipeline failed (%u of %u frames): %s", clock.seen, frames, desc);
  gst_message_unref(msg);
  guint measured = clock.last - clock.from;
  *cpu_per_frame = (clock.cpu_last - clock.cpu_from) / measured;
  if (interval) {
    GstElement *b = gst_bin_get_by_name(GST_BIN(pipe), "broker");
    g_object_get(b, "acknowledged", messages, NULL);
    gst_object_unref(b);
  }
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(pipe);
  g_free(desc);
  g_free(branch);
  return measured / ((clock.t_last - clock.t_from) / 1e6);
}

static void bench_pipeline(guint mqtt_port, gboolean detect)
{
  const char *id = detect ? "detect" : "pipeline";
  guint frames = detect ? DETECT_FRAMES : PIPELINE_FRAMES;
  double bare[3], cpu;
  for (guint i = 0; !detect && i < 3; i++)
    bare[i] = run_pipeline(0, 0, NULL, &cpu, FALSE);
  guint interval = detect ? 1 : MAX((guint)(vf_bench_median(bare, 3) / PUBLISH_RATE + 0.5), 1);
  double plain[PIPELINE_ROUNDS], published[PIPELINE_ROUNDS], ratio[PIPELINE_ROUNDS];
  double rate[PIPELINE_ROUNDS], cpu_ratio[PIPELINE_ROUNDS];
  for (guint r = 0; r < PIPELINE_ROUNDS; r++) {
    guint64 messages = 0;
    double cpu_plain, cpu_pub;
    if (r % 2 == 0) {
      plain[r] = run_pipeline(0, 0, NULL, &cpu_plain, detect);
      published[r] = run_pipeline(interval, mqtt_port, &messages, &cpu_pub, detect);
    } else {
      published[r] = run_pipeline(interval, mqtt_port, &messages, &cpu_pub, detect);
      plain[r] = run_pipeline(0, 0, NULL, &cpu_plain, detect);
    }
    ratio[r] = published[r] / plain[r];
    cpu_ratio[r] = cpu_pub / cpu_plain;
    rate[r] = messages * published[r] / frames;
    g_print("  %s round %u: %7.1f fps without, %7.1f fps publishing %.0f messages/s; CPU "
            "per frame %.1f us without, %.1f us with\n",
            id, r, plain[r], published[r], rate[r], cpu_plain * 1e6, cpu_pub * 1e6);
  }
  double lo, hi, clo, chi;
  range_of(ratio, PIPELINE_ROUNDS, &lo, &hi);
  range_of(cpu_ratio, PIPELINE_ROUNDS, &clo, &chi);
  double m = vf_bench_median(ratio, PIPELINE_ROUNDS),
         c = vf_bench_median(cpu_ratio, PIPELINE_ROUNDS);
  g_print("%s fps publishing/not: median %.3f x (range %.3f - %.3f); CPU per frame "
          "publishing/not: median %.3f x (range %.3f - %.3f)\n",
          id, m, lo, hi, c, clo, chi);
  g_print("BENCH %s_fps_without_publish %.1f fps\n", id, vf_bench_median(plain, PIPELINE_ROUNDS));
  g_print("BENCH %s_fps_publishing %.1f fps\n", id, vf_bench_median(published, PIPELINE_ROUNDS));
  g_print("BENCH %s_publish_messages_per_s %.1f msg/s\n", id,
          vf_bench_median(rate, PIPELINE_ROUNDS));
  g_print("BENCH %s_fps_publish_vs_not %.3f x\n", id, m);
  g_print("BENCH %s_cpu_per_frame_publish_vs_not %.3f x\n", id, c);
}

static gboolean wanted(int argc, char **argv, const char *what)
{
  for (int i = 1; i < argc; i++)
    if (g_str_equal(argv[i], what))
      return TRUE;
  return argc < 2;
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  vf_init(NULL);
  mosquitto_lib_init();
  payload = make_payload();
  Broker *mosq = broker_mosquitto();
  Broker *redis = broker_redis(TRUE);
  char *err_text = g_malloc(256);
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", err_text, 256);
  rd_kafka_t *mock_rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err_text, 256);
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(mock_rk, 1);
  char *bootstraps = g_strdup(rd_kafka_mock_cluster_bootstraps(mc));
  g_free(err_text);

  Adapter adapters[] = {
    { "mqtt", g_strdup_printf("mqtt://127.0.0.1:%u/bench/vidflow", mosq->port), raw_mqtt,
      GUINT_TO_POINTER(mosq->port) },
    { "redis", g_strdup_printf("redis://127.0.0.1:%u/bench-vidflow", redis->port), raw_redis,
      GUINT_TO_POINTER(redis->port) },
    { "kafka", g_strdup_printf("kafka://%s/bench-vidflow", bootstraps), raw_kafka, bootstraps },
  };
  /* bench-msgbroker [mqtt] [redis] [kafka] [pipeline]: only those (default: all) */
  for (guint i = 0; i < G_N_ELEMENTS(adapters); i++) {
    if (wanted(argc, argv, adapters[i].id))
      bench_adapter(&adapters[i]);
    g_free(adapters[i].conn);
  }
  if (wanted(argc, argv, "pipeline"))
    bench_pipeline(mosq->port, FALSE);
  /* the detection pipeline of `vidflow detect`, when the model and footage are there */
  char *config
      = g_build_filename(g_getenv("VIDFLOW_SOURCE_DIR") ? g_getenv("VIDFLOW_SOURCE_DIR") : ".",
                         "configs", "ssd_mobilenet_v2_oid.yaml", NULL);
  char *video
      = g_build_filename(g_getenv("VIDFLOW_DATA_DIR") ? g_getenv("VIDFLOW_DATA_DIR") : "data",
                         "footage", "vtest.avi", NULL);
  GstElementFactory *infer = gst_element_factory_find("vfinfer");
  if (wanted(argc, argv, "detect") && infer && g_file_test(config, G_FILE_TEST_EXISTS)
      && g_file_test(video, G_FILE_TEST_EXISTS)) {
    detect_config = config;
    detect_video = video;
    bench_pipeline(mosq->port, TRUE);
  } else if (wanted(argc, argv, "detect")) {
    g_print("detect: skipped (needs vfinfer, %s and %s)\n", config, video);
  }
  if (infer)
    gst_object_unref(infer);
  g_free(config);
  g_free(video);

  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(mock_rk);
  g_free(bootstraps);
  broker_free(redis);
  broker_free(mosq);
  g_bytes_unref(payload);
  mosquitto_lib_cleanup();
  return 0;
}
