/* The IPC transport (ipc.h): metadata round trip field by field, flow control and drops, several
 * consumers, late consumers, version mismatch, socket mode, producer and consumer loss, and
 * connect/disconnect cycles with descriptor counts flat. Producer and consumer run in one process
 * here (threads, a real socket); test-ipc-kill runs them in separate processes. */
#include <dirent.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <vidflow/vidflow.h>

#include "../../lib/ipc-private.h" /* the wire header, to fake a peer */

#define W 64
#define H 48

static char *tmpdir;

static char *sock_path(const char *name)
{
  return g_build_filename(tmpdir, name, NULL);
}

static GstBuffer *rgb_frame(guint8 seed)
{
  gsize size = W * H * 3;
  guint8 *data = g_malloc(size);
  for (gsize i = 0; i < size; i++)
    data[i] = (guint8)(seed + i * 7);
  GstBuffer *b = gst_buffer_new_wrapped(data, size);
  GST_BUFFER_PTS(b) = seed * GST_MSECOND;
  GST_BUFFER_DURATION(b) = 33 * GST_MSECOND;
  return b;
}

static GstCaps *rgb_caps(void)
{
  return gst_caps_from_string("video/x-raw,format=RGB,width=64,height=48,framerate=30/1");
}

static void send_stream_events(VfIpcProducer *p)
{
  GstCaps *caps = rgb_caps();
  GstEvent *ev[3] = { gst_event_new_stream_start("ipc-test"), gst_event_new_caps(caps), NULL };
  GstSegment seg;
  gst_segment_init(&seg, GST_FORMAT_TIME);
  seg.base = 5 * GST_SECOND;
  ev[2] = gst_event_new_segment(&seg);
  for (guint i = 0; i < 3; i++) {
    g_assert_true(vf_ipc_producer_send_event(p, ev[i], NULL));
    gst_event_unref(ev[i]);
  }
  gst_caps_unref(caps);
}

/* Pull until a buffer (events checked on the way); NULL on EOS. */
static GstBuffer *pull_buffer(VfIpcConsumer *c, guint *events)
{
  for (;;) {
    GstBuffer *b = NULL;
    GstEvent *e = NULL;
    GError *err = NULL;
    VfIpcItem item = vf_ipc_consumer_pull(c, &b, &e, &err);
    g_assert_no_error(err);
    if (e) {
      if (events)
        (*events)++;
      gst_event_unref(e);
    }
    if (item == VF_IPC_ITEM_BUFFER)
      return b;
    if (item == VF_IPC_ITEM_EOS)
      return NULL;
  }
}

/* ---- user meta codec ---- */
typedef struct {
  gint a;
  char *s;
} Thing;

static gboolean thing_serialize(gconstpointer data, GByteArray *out)
{
  const Thing *t = data;
  g_byte_array_append(out, (const guint8 *)&t->a, sizeof t->a);
  g_byte_array_append(out, (const guint8 *)t->s, (guint)strlen(t->s));
  return TRUE;
}

static gpointer thing_deserialize(const guint8 *data, gsize size, GError **error)
{
  if (size < sizeof(gint)) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT, "short thing");
    return NULL;
  }
  Thing *t = g_new(Thing, 1);
  memcpy(&t->a, data, sizeof t->a);
  t->s = g_strndup((const char *)data + sizeof t->a, size - sizeof t->a);
  return t;
}

static gpointer thing_copy(gconstpointer data)
{
  const Thing *t = data;
  Thing *c = g_new(Thing, 1);
  c->a = t->a;
  c->s = g_strdup(t->s);
  return c;
}

static void thing_free(gpointer data)
{
  Thing *t = data;
  g_free(t->s);
  g_free(t);
}

static Thing *thing_new(gint a, const char *s)
{
  Thing *t = g_new(Thing, 1);
  t->a = a;
  t->s = g_strdup(s);
  return t;
}

/* A two-frame batch with everything metadata can hold. */
static GstBuffer *rich_batch(void)
{
  GstBuffer *batch = gst_buffer_new();
  GST_BUFFER_PTS(batch) = 40 * GST_MSECOND;
  GST_BUFFER_DTS(batch) = 39 * GST_MSECOND;
  GST_BUFFER_DURATION(batch) = 33 * GST_MSECOND;
  GST_BUFFER_OFFSET(batch) = 7;
  GST_BUFFER_OFFSET_END(batch) = 8;
  GST_BUFFER_FLAG_SET(batch, GST_BUFFER_FLAG_DISCONT);
  VfBatchMeta *meta = vf_batch_meta_add(batch, 4);
  vf_batch_meta_add_user_meta(meta, "test.thing", thing_new(1, "batch"), thing_copy, thing_free);
  vf_batch_meta_add_user_meta(meta, "test.unregistered", g_strdup("x"), NULL, g_free);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, W, H);
  GPtrArray *sticky = g_ptr_array_new_with_free_func((GDestroyNotify)gst_event_unref);
  g_ptr_array_add(sticky, gst_event_new_stream_start("cam-1"));
  GstCaps *caps = rgb_caps();
  g_ptr_array_add(sticky, gst_event_new_caps(caps));
  gst_caps_unref(caps);
  GstSegment seg;
  gst_segment_init(&seg, GST_FORMAT_TIME);
  seg.start = 3 * GST_SECOND;
  g_ptr_array_add(sticky, gst_event_new_segment(&seg));
  for (guint i = 0; i < 2; i++) {
    GstBuffer *fb = rgb_frame((guint8)(10 + i));
    VfFrameMeta *f = vf_batch_meta_add_frame(meta, fb, &info);
    gst_buffer_unref(fb);
    vf_frame_meta_set_source_id(f, 3 + i);
    vf_frame_meta_set_frame_number(f, 100 + i);
    vf_frame_meta_set_pts(f, (20 + i) * GST_MSECOND);
    vf_frame_meta_set_duration(f, 33 * GST_MSECOND);
    vf_frame_meta_set_running_time(f, (21 + i) * GST_MSECOND);
    vf_frame_meta_set_arrival_time(f, 123456 + i);
    vf_frame_meta_set_original_size(f, 1920, 1080);
    vf_frame_meta_set_sensor(f, "sensor-a", i ? "Front door" : NULL);
    VfRect content = { 1, 2, 60, 40 };
    vf_frame_meta_set_content_rect(f, &content);
    vf_frame_meta_set_sticky_events(f, sticky);
    VfObjectMeta *car = vf_object_meta_new();
    vf_object_meta_set_class_id(car, 2);
    vf_object_meta_set_label(car, "car");
    vf_object_meta_set_confidence(car, 0.75f);
    VfRect box = { 4.5f, 5, 20, 10 }, tbox = { 4, 5.5f, 21, 11 };
    vf_object_meta_set_detector_bbox(car, &box);
    vf_object_meta_set_tracker_bbox(car, &tbox);
    vf_object_meta_set_tracker_confidence(car, 0.5f);
    vf_object_meta_set_object_id(car, 42 + i);
    vf_object_meta_set_component_id(car, 1);
    vf_object_meta_add_classification(car, 2, 5, "red", 0.9f);
    vf_object_meta_add_classification(car, 3, 1, "sedan", 0.6f);
    vf_object_meta_add_user_meta(car, "test.thing", thing_new(7, "object"), thing_copy, thing_free);
    VfObjectMeta *plate = vf_object_meta_new();
    vf_object_meta_set_class_id(plate, 9);
    vf_object_meta_set_parent(plate, car);
    vf_frame_meta_add_object(f, car);
    vf_frame_meta_add_object(f, plate);
    vf_object_meta_unref(car);
    vf_object_meta_unref(plate);
    VfColor red = { 1, 0, 0, 1 }, bg = { 0, 0, 0, 0.5f };
    vf_frame_meta_add_display_rect(f, &box, 2, &red, &bg);
    vf_frame_meta_add_display_text(f, 3, 4, "car 42", 12, &red, &bg);
    vf_frame_meta_add_display_line(f, 0, 0, 10, 10, 1, &red);
    vf_frame_meta_add_display_circle(f, 5, 5, 3, 1, &red, NULL);
    vf_frame_meta_add_user_meta(f, "test.thing", thing_new(3 + (gint)i, "frame"), thing_copy,
                                thing_free);
  }
  g_ptr_array_unref(sticky);
  return batch;
}

static void assert_rect_eq(const VfRect *a, const VfRect *b)
{
  g_assert_cmpfloat(a->left, ==, b->left);
  g_assert_cmpfloat(a->top, ==, b->top);
  g_assert_cmpfloat(a->width, ==, b->width);
  g_assert_cmpfloat(a->height, ==, b->height);
}

static void assert_color_eq(const VfColor *a, const VfColor *b)
{
  g_assert_cmpfloat(a->red, ==, b->red);
  g_assert_cmpfloat(a->green, ==, b->green);
  g_assert_cmpfloat(a->blue, ==, b->blue);
  g_assert_cmpfloat(a->alpha, ==, b->alpha);
}

static void assert_thing(gpointer data, gint a, const char *s)
{
  g_assert_nonnull(data);
  Thing *t = data;
  g_assert_cmpint(t->a, ==, a);
  g_assert_cmpstr(t->s, ==, s);
}

static void assert_buffer_bytes_equal(GstBuffer *a, GstBuffer *b)
{
  GstMapInfo ma, mb;
  g_assert_true(gst_buffer_map(a, &ma, GST_MAP_READ));
  g_assert_true(gst_buffer_map(b, &mb, GST_MAP_READ));
  g_assert_cmpuint(ma.size, ==, mb.size);
  g_assert_true(memcmp(ma.data, mb.data, ma.size) == 0);
  gst_buffer_unmap(a, &ma);
  gst_buffer_unmap(b, &mb);
}

/* Every field of `in` equals `out`'s (frame pixels too). */
static void assert_same_batch(GstBuffer *in, GstBuffer *out)
{
  g_assert_cmpuint(GST_BUFFER_PTS(out), ==, GST_BUFFER_PTS(in));
  g_assert_cmpuint(GST_BUFFER_DTS(out), ==, GST_BUFFER_DTS(in));
  g_assert_cmpuint(GST_BUFFER_DURATION(out), ==, GST_BUFFER_DURATION(in));
  g_assert_cmpuint(GST_BUFFER_OFFSET(out), ==, GST_BUFFER_OFFSET(in));
  g_assert_cmpuint(GST_BUFFER_OFFSET_END(out), ==, GST_BUFFER_OFFSET_END(in));
  g_assert_true(GST_BUFFER_FLAG_IS_SET(out, GST_BUFFER_FLAG_DISCONT));
  VfBatchMeta *mi = vf_batch_meta_get(in), *mo = vf_batch_meta_get(out);
  g_assert_nonnull(mo);
  g_assert_cmpuint(vf_batch_meta_get_max_frames(mo), ==, vf_batch_meta_get_max_frames(mi));
  g_assert_cmpuint(vf_batch_meta_get_n_frames(mo), ==, vf_batch_meta_get_n_frames(mi));
  assert_thing(vf_batch_meta_get_user_meta(mo, "test.thing"), 1, "batch");
  g_assert_null(vf_batch_meta_get_user_meta(mo, "test.unregistered"));
  for (guint i = 0; i < vf_batch_meta_get_n_frames(mi); i++) {
    VfFrameMeta *a = vf_batch_meta_get_frame(mi, i), *b = vf_batch_meta_get_frame(mo, i);
    g_assert_cmpuint(vf_frame_meta_get_batch_index(b), ==, i);
    g_assert_cmpuint(vf_frame_meta_get_source_id(b), ==, vf_frame_meta_get_source_id(a));
    g_assert_cmpuint(vf_frame_meta_get_frame_number(b), ==, vf_frame_meta_get_frame_number(a));
    g_assert_cmpuint(vf_frame_meta_get_pts(b), ==, vf_frame_meta_get_pts(a));
    g_assert_cmpuint(vf_frame_meta_get_duration(b), ==, vf_frame_meta_get_duration(a));
    g_assert_cmpuint(vf_frame_meta_get_running_time(b), ==, vf_frame_meta_get_running_time(a));
    g_assert_cmpint(vf_frame_meta_get_arrival_time(b), ==, vf_frame_meta_get_arrival_time(a));
    g_assert_cmpuint(vf_frame_meta_get_original_width(b), ==, 1920);
    g_assert_cmpuint(vf_frame_meta_get_original_height(b), ==, 1080);
    g_assert_cmpstr(vf_frame_meta_get_sensor_id(b), ==, vf_frame_meta_get_sensor_id(a));
    g_assert_cmpstr(vf_frame_meta_get_sensor_name(b), ==, vf_frame_meta_get_sensor_name(a));
    g_assert_true(
        gst_video_info_is_equal(vf_frame_meta_get_video_info(b), vf_frame_meta_get_video_info(a)));
    VfRect ra, rb;
    vf_frame_meta_get_content_rect(a, &ra);
    vf_frame_meta_get_content_rect(b, &rb);
    assert_rect_eq(&ra, &rb);
    g_assert_cmpstr(vf_frame_meta_get_stream_id(b), ==, "cam-1");
    g_assert_true(gst_caps_is_equal(vf_frame_meta_get_caps(b), vf_frame_meta_get_caps(a)));
    g_assert_cmpuint(vf_frame_meta_get_segment(b)->start, ==, 3 * GST_SECOND);
    assert_buffer_bytes_equal(vf_frame_meta_get_buffer(a), vf_frame_meta_get_buffer(b));
    /* objects */
    g_assert_cmpuint(vf_frame_meta_get_n_objects(b), ==, vf_frame_meta_get_n_objects(a));
    for (guint k = 0; k < vf_frame_meta_get_n_objects(a); k++) {
      VfObjectMeta *oa = vf_frame_meta_get_object(a, k), *ob = vf_frame_meta_get_object(b, k);
      g_assert_cmpint(vf_object_meta_get_class_id(ob), ==, vf_object_meta_get_class_id(oa));
      g_assert_cmpstr(vf_object_meta_get_label(ob), ==, vf_object_meta_get_label(oa));
      g_assert_cmpfloat(vf_object_meta_get_confidence(ob), ==, vf_object_meta_get_confidence(oa));
      VfRect x, y;
      vf_object_meta_get_detector_bbox(oa, &x);
      vf_object_meta_get_detector_bbox(ob, &y);
      assert_rect_eq(&x, &y);
      vf_object_meta_get_tracker_bbox(oa, &x);
      vf_object_meta_get_tracker_bbox(ob, &y);
      assert_rect_eq(&x, &y);
      g_assert_cmpfloat(vf_object_meta_get_tracker_confidence(ob), ==,
                        vf_object_meta_get_tracker_confidence(oa));
      g_assert_cmpuint(vf_object_meta_get_object_id(ob), ==, vf_object_meta_get_object_id(oa));
      g_assert_cmpint(vf_object_meta_get_component_id(ob), ==, vf_object_meta_get_component_id(oa));
      g_assert_cmpuint(vf_object_meta_get_n_classifications(ob), ==,
                       vf_object_meta_get_n_classifications(oa));
      for (guint c = 0; c < vf_object_meta_get_n_classifications(oa); c++) {
        VfClassification ca, cb;
        vf_object_meta_get_classification(oa, c, &ca);
        vf_object_meta_get_classification(ob, c, &cb);
        g_assert_cmpint(ca.component_id, ==, cb.component_id);
        g_assert_cmpint(ca.class_id, ==, cb.class_id);
        g_assert_cmpstr(ca.label, ==, cb.label);
        g_assert_cmpfloat(ca.confidence, ==, cb.confidence);
      }
      VfObjectMeta *pa = vf_object_meta_get_parent(oa), *pb = vf_object_meta_get_parent(ob);
      g_assert_true((pa == NULL) == (pb == NULL));
      if (pb) {
        VfObjectMeta *first = vf_frame_meta_get_object(b, 0);
        g_assert_true(pb == first); /* the parent is the frame's own object, not a copy */
        vf_object_meta_unref(first);
      }
      if (pa) {
        vf_object_meta_unref(pa);
        vf_object_meta_unref(pb);
      }
      if (vf_object_meta_get_user_meta(oa, "test.thing"))
        assert_thing(vf_object_meta_get_user_meta(ob, "test.thing"), 7, "object");
      vf_object_meta_unref(oa);
      vf_object_meta_unref(ob);
    }
    /* display */
    g_assert_cmpuint(vf_frame_meta_get_n_display_items(b), ==,
                     vf_frame_meta_get_n_display_items(a));
    for (guint k = 0; k < vf_frame_meta_get_n_display_items(a); k++) {
      VfDisplayItem da, db;
      vf_frame_meta_get_display_item(a, k, &da);
      vf_frame_meta_get_display_item(b, k, &db);
      g_assert_cmpint(da.kind, ==, db.kind);
      assert_color_eq(&da.color, &db.color);
      assert_color_eq(&da.bg_color, &db.bg_color);
      g_assert_cmpint(da.has_bg, ==, db.has_bg);
      g_assert_cmpfloat(da.line_width, ==, db.line_width);
      assert_rect_eq(&da.rect, &db.rect);
      g_assert_cmpfloat(da.x1, ==, db.x1);
      g_assert_cmpfloat(da.y1, ==, db.y1);
      g_assert_cmpfloat(da.x2, ==, db.x2);
      g_assert_cmpfloat(da.y2, ==, db.y2);
      g_assert_cmpfloat(da.radius, ==, db.radius);
      g_assert_cmpfloat(da.font_size, ==, db.font_size);
      g_assert_cmpstr(da.text, ==, db.text);
      vf_display_item_clear(&da);
      vf_display_item_clear(&db);
    }
    assert_thing(vf_frame_meta_get_user_meta(b, "test.thing"), 3 + (gint)i, "frame");
  }
}

static guint unregistered_reports;

/* The unregistered user meta type is reported with a warning: count it (not fatal here). */
static GLogWriterOutput count_unregistered(GLogLevelFlags level, const GLogField *fields,
                                           gsize n_fields, gpointer data)
{
  for (gsize i = 0; i < n_fields; i++) {
    if (g_strcmp0(fields[i].key, "MESSAGE") == 0 && fields[i].length < 0
        && strstr(fields[i].value, "test.unregistered")) {
      unregistered_reports++;
      return G_LOG_WRITER_HANDLED;
    }
  }
  return g_log_writer_default(level, fields, n_fields, data);
}

static VfIpcProducer *producer_new(const char *name, const VfIpcProducerOptions *opt)
{
  char *path = sock_path(name);
  GError *err = NULL;
  VfIpcProducer *p = vf_ipc_producer_new(path, opt, &err);
  g_assert_no_error(err);
  g_free(path);
  return p;
}

static VfIpcConsumer *consumer_new(const char *name, gint64 timeout_us, gboolean wait)
{
  char *path = sock_path(name);
  VfIpcConsumerOptions opt = { timeout_us, wait };
  VfIpcConsumer *c = vf_ipc_consumer_new(path, &opt, NULL);
  g_free(path);
  g_assert_nonnull(c);
  return c;
}

/* Wait (bounded) until the producer counts `n` consumers. */
static void wait_consumers(VfIpcProducer *p, guint n)
{
  for (guint i = 0; i < 2000; i++) {
    VfIpcStats s;
    vf_ipc_producer_get_stats(p, &s);
    if (s.consumers == n)
      return;
    g_usleep(1000);
  }
  g_assert_not_reached();
}

/* The consumer connects on its first pull: a thread pulls N buffers into an array. */
typedef struct {
  VfIpcConsumer *c;
  guint want;
  GPtrArray *got;
  guint events;
  gboolean eos;
} Puller;

static gpointer puller(gpointer data)
{
  Puller *pl = data;
  while (pl->got->len < pl->want) {
    GstBuffer *b = pull_buffer(pl->c, &pl->events);
    if (b == NULL) {
      pl->eos = TRUE;
      break;
    }
    g_ptr_array_add(pl->got, b);
  }
  return NULL;
}

static void test_roundtrip(void)
{
  VfIpcProducerOptions opt = { .wait_consumers = 1, .wait_timeout_us = 10 * G_USEC_PER_SEC };
  VfIpcProducer *p = producer_new("rt", &opt);
  VfIpcConsumer *c = consumer_new("rt", G_USEC_PER_SEC, FALSE);
  Puller pl = { c, 3, g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref), 0, FALSE };
  GThread *t = g_thread_new("puller", puller, &pl);
  send_stream_events(p);
  GstBuffer *in = rich_batch();
  GstBuffer *plain = rgb_frame(99);
  unregistered_reports = 0;
  g_assert_true(vf_ipc_producer_push(p, in, NULL));
  g_assert_cmpuint(unregistered_reports, ==, 1); /* reported */
  g_assert_true(vf_ipc_producer_push(p, plain, NULL));
  GstBuffer *again = rich_batch();
  g_assert_true(vf_ipc_producer_push(p, again, NULL));
  gst_buffer_unref(again);
  g_assert_cmpuint(unregistered_reports, ==, 1); /* once */
  g_thread_join(t);
  g_assert_cmpuint(pl.got->len, ==, 3);
  g_assert_cmpuint(pl.events, ==, 3); /* stream-start, caps, segment */
  assert_same_batch(in, g_ptr_array_index(pl.got, 0));
  assert_buffer_bytes_equal(plain, g_ptr_array_index(pl.got, 1));
  g_assert_cmpuint(GST_BUFFER_PTS((GstBuffer *)g_ptr_array_index(pl.got, 1)), ==,
                   GST_BUFFER_PTS(plain));
  /* the received frames are read-only views of the shared memory */
  GstBuffer *rb = g_ptr_array_index(pl.got, 1);
  g_assert_true(GST_MEMORY_IS_READONLY(gst_buffer_peek_memory(rb, 0)));
  VfIpcStats s;
  vf_ipc_producer_get_stats(p, &s);
  g_assert_cmpuint(s.sent, ==, 3);
  g_assert_cmpuint(s.copied, ==, 5); /* two frames per batch, the plain frame */
  g_assert_cmpuint(s.meta_unsent, ==, 2);
  /* not released yet: finish times out */
  GError *err = NULL;
  g_assert_false(vf_ipc_producer_finish(p, 100 * 1000, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_clear_error(&err);
  g_ptr_array_set_size(pl.got, 0); /* released: the memory goes back */
  g_assert_true(vf_ipc_producer_finish(p, 5 * G_USEC_PER_SEC, &err));
  g_assert_no_error(err);
  g_assert_null(pull_buffer(c, NULL)); /* end of stream */
  g_ptr_array_unref(pl.got);
  gst_buffer_unref(in);
  gst_buffer_unref(plain);
  vf_ipc_consumer_free(c);
  vf_ipc_producer_free(p);
}

/* Frames upstream wrote into the IPC allocator's memory cross without a copy. */
static void test_zero_copy(void)
{
  VfIpcProducerOptions opt = { .wait_consumers = 1, .wait_timeout_us = 10 * G_USEC_PER_SEC };
  VfIpcProducer *p = producer_new("zc", &opt);
  VfIpcConsumer *c = consumer_new("zc", G_USEC_PER_SEC, FALSE);
  Puller pl = { c, 1, g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref), 0, FALSE };
  GThread *t = g_thread_new("puller", puller, &pl);
  send_stream_events(p);
  GstBuffer *b = gst_buffer_new_allocate(vf_ipc_allocator_get(), W * H * 3, NULL);
  gst_buffer_memset(b, 0, 0xab, W * H * 3);
  g_assert_true(vf_ipc_producer_push(p, b, NULL));
  g_thread_join(t);
  VfIpcStats s;
  vf_ipc_producer_get_stats(p, &s);
  g_assert_cmpuint(s.zero_copy, ==, 1);
  g_assert_cmpuint(s.copied, ==, 0);
  assert_buffer_bytes_equal(b, g_ptr_array_index(pl.got, 0));
  /* the consumer sees the producer's pages: a write on this side shows there */
  GstMapInfo m;
  GstMemory *mem = gst_buffer_peek_memory(b, 0);
  g_assert_true(gst_memory_map(mem, &m, GST_MAP_WRITE));
  m.data[10] = 0x5a;
  gst_memory_unmap(mem, &m);
  gst_buffer_map(g_ptr_array_index(pl.got, 0), &m, GST_MAP_READ);
  g_assert_cmpuint(m.data[10], ==, 0x5a);
  gst_buffer_unmap(g_ptr_array_index(pl.got, 0), &m);
  g_ptr_array_unref(pl.got);
  g_assert_true(vf_ipc_producer_finish(p, 5 * G_USEC_PER_SEC, NULL));
  gst_buffer_unref(b);
  vf_ipc_consumer_free(c);
  vf_ipc_producer_free(p);
}

/* A consumer that does not release: block waits, drop-oldest drops and both sides count it. */
static void test_drop_oldest(void)
{
  VfIpcProducerOptions opt = { .max_in_flight = 2,
                               .when_full = VF_IPC_FULL_DROP_OLDEST,
                               .wait_consumers = 1,
                               .wait_timeout_us = 10 * G_USEC_PER_SEC };
  VfIpcProducer *p = producer_new("drop", &opt);
  VfIpcConsumer *c = consumer_new("drop", G_USEC_PER_SEC, FALSE);
  Puller pl = { c, 2, g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref), 0, FALSE };
  GThread *t = g_thread_new("puller", puller, &pl);
  send_stream_events(p);
  for (guint i = 0; i < 10; i++) {
    GstBuffer *b = rgb_frame((guint8)i);
    g_assert_true(vf_ipc_producer_push(p, b, NULL)); /* never blocks */
    gst_buffer_unref(b);
  }
  g_thread_join(t);
  /* 2 sent and held, 2 queued (the newest: 8, 9), 6 dropped */
  VfIpcStats s;
  vf_ipc_producer_get_stats(p, &s);
  g_assert_cmpuint(s.sent, ==, 2);
  g_assert_cmpuint(s.dropped, ==, 6);
  g_ptr_array_set_size(pl.got, 0); /* release both: the queued two follow */
  pl.want = 2;
  t = g_thread_new("puller", puller, &pl);
  g_thread_join(t);
  g_assert_cmpuint(pl.got->len, ==, 2);
  g_assert_cmpuint(GST_BUFFER_PTS((GstBuffer *)g_ptr_array_index(pl.got, 0)), ==, 8 * GST_MSECOND);
  g_assert_cmpuint(GST_BUFFER_PTS((GstBuffer *)g_ptr_array_index(pl.got, 1)), ==, 9 * GST_MSECOND);
  VfIpcConsumerStats cs;
  vf_ipc_consumer_get_stats(c, &cs);
  g_assert_cmpuint(cs.dropped, ==, 6); /* seen from the sequence numbers on this side */
  g_assert_cmpuint(cs.received, ==, 4);
  g_ptr_array_unref(pl.got);
  vf_ipc_producer_free(p);
  vf_ipc_consumer_free(c);
}

/* Two consumers get every buffer; one joining late gets the caps first. */
static void test_several_consumers(void)
{
  VfIpcProducerOptions opt = { .wait_consumers = 1, .wait_timeout_us = 10 * G_USEC_PER_SEC };
  VfIpcProducer *p = producer_new("multi", &opt);
  VfIpcConsumer *c1 = consumer_new("multi", G_USEC_PER_SEC, FALSE);
  Puller p1 = { c1, 4, g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref), 0, FALSE };
  GThread *t1 = g_thread_new("puller", puller, &p1);
  send_stream_events(p);
  GstBuffer *b = rgb_frame(1);
  g_assert_true(vf_ipc_producer_push(p, b, NULL));
  gst_buffer_unref(b);
  VfIpcConsumer *c2 = consumer_new("multi", G_USEC_PER_SEC, FALSE);
  Puller p2 = { c2, 3, g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref), 0, FALSE };
  GThread *t2 = g_thread_new("puller", puller, &p2);
  wait_consumers(p, 2);
  for (guint i = 2; i <= 4; i++) {
    b = rgb_frame((guint8)i);
    g_assert_true(vf_ipc_producer_push(p, b, NULL));
    gst_buffer_unref(b);
  }
  g_thread_join(t1);
  g_thread_join(t2);
  g_assert_cmpuint(p1.got->len, ==, 4);
  g_assert_cmpuint(p2.got->len, ==, 3);
  g_assert_cmpuint(p2.events, ==, 3); /* the late one got stream-start, caps, segment */
  for (guint i = 0; i < 3; i++)
    assert_buffer_bytes_equal(g_ptr_array_index(p1.got, i + 1), g_ptr_array_index(p2.got, i));
  g_ptr_array_unref(p1.got);
  g_ptr_array_unref(p2.got);
  g_assert_true(vf_ipc_producer_finish(p, 5 * G_USEC_PER_SEC, NULL));
  g_assert_null(pull_buffer(c1, NULL));
  g_assert_null(pull_buffer(c2, NULL));
  /* a consumer joining after the end gets end of stream at once */
  VfIpcConsumer *c3 = consumer_new("multi", G_USEC_PER_SEC, FALSE);
  guint events = 0;
  g_assert_null(pull_buffer(c3, &events));
  g_assert_cmpuint(events, ==, 3);
  vf_ipc_consumer_free(c1);
  vf_ipc_consumer_free(c2);
  vf_ipc_consumer_free(c3);
  vf_ipc_producer_free(p);
}

static void test_socket_mode_and_default_dir(void)
{
  GError *err = NULL;
  VfIpcProducer *p = vf_ipc_producer_new("ipc-mode-test", NULL, &err);
  g_assert_no_error(err);
  char *expected = g_build_filename(g_get_user_runtime_dir(), "ipc-mode-test", NULL);
  g_assert_cmpstr(vf_ipc_producer_get_path(p), ==, expected);
  struct stat st;
  g_assert_cmpint(stat(expected, &st), ==, 0);
  g_assert_true(S_ISSOCK(st.st_mode));
  g_assert_cmpint(st.st_mode & 0777, ==, 0600);
  /* a second producer on the same socket is refused, naming it */
  g_assert_null(vf_ipc_producer_new("ipc-mode-test", NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  g_assert_nonnull(strstr(err->message, expected));
  g_clear_error(&err);
  vf_ipc_producer_free(p);
  g_assert_cmpint(access(expected, F_OK), !=, 0); /* removed */
  /* a stale socket file (a killed producer's) is replaced */
  int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  g_strlcpy(sa.sun_path, expected, sizeof sa.sun_path);
  g_assert_cmpint(bind(s, (struct sockaddr *)&sa, sizeof sa), ==, 0);
  close(s);
  p = vf_ipc_producer_new("ipc-mode-test", NULL, &err);
  g_assert_no_error(err);
  vf_ipc_producer_free(p);
  /* too long a name */
  char *longname = g_strnfill(200, 'x');
  g_assert_null(vf_ipc_producer_new(longname, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_assert_null(vf_ipc_consumer_new(longname, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_free(longname);
  g_free(expected);
}

static void test_bad_arguments(void)
{
  GError *err = NULL;
  g_assert_false(vf_ipc_producer_push(NULL, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_assert_false(vf_ipc_register_user_meta("t", NULL, thing_deserialize, NULL, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  GstBuffer *b = NULL;
  GstEvent *e = NULL;
  g_assert_cmpint(vf_ipc_consumer_pull(NULL, &b, &e, &err), ==, VF_IPC_ITEM_ERROR);
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  vf_ipc_producer_free(NULL);
  vf_ipc_consumer_free(NULL);
  /* no producer, no waiting: a clear error naming the socket */
  VfIpcConsumer *c = consumer_new("nobody", 0, FALSE);
  g_assert_cmpint(vf_ipc_consumer_pull(c, &b, &e, &err), ==, VF_IPC_ITEM_ERROR);
  g_assert_error(err, VF_ERROR, VF_ERROR_NOT_FOUND);
  g_assert_nonnull(strstr(err->message, "nobody"));
  g_clear_error(&err);
  vf_ipc_consumer_free(c);
}

/* Metadata far larger than one datagram (5,000 objects, about 1 MB) crosses through shared
 * memory, every object intact; a small buffer after it goes inline again. */
#define MANY_OBJECTS 5000
static void test_large_metadata(void)
{
  VfIpcProducerOptions opt = { .wait_consumers = 1, .wait_timeout_us = 30 * G_USEC_PER_SEC };
  VfIpcProducer *p = producer_new("big", &opt);
  VfIpcConsumer *c = consumer_new("big", 10 * G_USEC_PER_SEC, FALSE);
  Puller pl = { c, 2, g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref), 0, FALSE };
  GThread *t = g_thread_new("puller", puller, &pl);
  send_stream_events(p);
  GstBuffer *batch = gst_buffer_new();
  VfBatchMeta *meta = vf_batch_meta_add(batch, 1);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, W, H);
  GstBuffer *fb = rgb_frame(5);
  VfFrameMeta *f = vf_batch_meta_add_frame(meta, fb, &info);
  for (guint i = 0; i < MANY_OBJECTS; i++) {
    VfObjectMeta *o = vf_object_meta_new();
    vf_object_meta_set_class_id(o, (gint)(i % 7));
    vf_object_meta_set_confidence(o, (gfloat)i / MANY_OBJECTS);
    VfRect box = { (gfloat)i, (gfloat)(i % 100), 10, 20 };
    vf_object_meta_set_detector_bbox(o, &box);
    vf_object_meta_set_label(o, i % 2 ? "person-with-a-long-label" : "car");
    vf_object_meta_set_object_id(o, 1000000 + i);
    vf_object_meta_add_classification(o, 1, 2, "red", 0.5f);
    vf_frame_meta_add_object(f, o);
    vf_object_meta_unref(o);
  }
  GError *err = NULL;
  g_assert_true(vf_ipc_producer_push(p, batch, &err));
  g_assert_no_error(err);
  GstBuffer *plain = rgb_frame(6);
  g_assert_true(vf_ipc_producer_push(p, plain, &err));
  g_assert_no_error(err);
  g_thread_join(t);
  g_assert_cmpuint(pl.got->len, ==, 2);
  VfBatchMeta *out = vf_batch_meta_get(g_ptr_array_index(pl.got, 0));
  g_assert_nonnull(out);
  g_assert_cmpuint(vf_batch_meta_get_n_frames(out), ==, 1);
  VfFrameMeta *of = vf_batch_meta_get_frame(out, 0);
  assert_buffer_bytes_equal(fb, vf_frame_meta_get_buffer(of));
  g_assert_cmpuint(vf_frame_meta_get_n_objects(of), ==, MANY_OBJECTS);
  for (guint i = 0; i < MANY_OBJECTS; i++) {
    VfObjectMeta *o = vf_frame_meta_get_object(of, i);
    g_assert_cmpint(vf_object_meta_get_class_id(o), ==, (gint)(i % 7));
    g_assert_cmpfloat(vf_object_meta_get_confidence(o), ==, (gfloat)i / MANY_OBJECTS);
    VfRect box;
    vf_object_meta_get_detector_bbox(o, &box);
    g_assert_cmpfloat(box.left, ==, (gfloat)i);
    g_assert_cmpfloat(box.top, ==, (gfloat)(i % 100));
    g_assert_cmpstr(vf_object_meta_get_label(o), ==, i % 2 ? "person-with-a-long-label" : "car");
    g_assert_cmpuint(vf_object_meta_get_object_id(o), ==, 1000000 + i);
    vf_object_meta_unref(o);
  }
  assert_buffer_bytes_equal(plain, g_ptr_array_index(pl.got, 1));
  g_ptr_array_set_size(pl.got, 0);
  g_assert_true(vf_ipc_producer_finish(p, 10 * G_USEC_PER_SEC, &err));
  g_assert_no_error(err);
  g_ptr_array_unref(pl.got);
  gst_buffer_unref(fb);
  gst_buffer_unref(batch);
  gst_buffer_unref(plain);
  vf_ipc_consumer_free(c);
  vf_ipc_producer_free(p);
}

static int connect_silently(const char *name)
{
  int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  char *path = sock_path(name);
  g_strlcpy(sa.sun_path, path, sizeof sa.sun_path);
  g_free(path);
  g_assert_cmpint(connect(s, (struct sockaddr *)&sa, sizeof sa), ==, 0);
  return s;
}

/* A client that connects and never says hello does not hold up a well-behaved consumer: with a
 * hello timeout of a minute, the consumer joins and gets its frames while the silent one is still
 * waited for (before, the I/O thread sat in the silent client's hello until the timeout, and the
 * pushes' 30 s wait for a consumer failed). Then the silent one is refused at its timeout. */
static void test_silent_client(void)
{
  VfIpcProducerOptions opt = { .wait_consumers = 1,
                               .wait_timeout_us = 30 * G_USEC_PER_SEC,
                               .hello_timeout_ms = 60 * 1000 };
  VfIpcProducer *p = producer_new("silent", &opt);
  int silent = connect_silently("silent");
  VfIpcConsumer *c = consumer_new("silent", 10 * G_USEC_PER_SEC, FALSE);
  Puller pl = { c, 3, g_ptr_array_new_with_free_func((GDestroyNotify)gst_buffer_unref), 0, FALSE };
  GThread *t = g_thread_new("puller", puller, &pl);
  send_stream_events(p);
  GError *err = NULL;
  for (guint8 i = 0; i < 3; i++) {
    GstBuffer *b = rgb_frame(i);
    g_assert_true(vf_ipc_producer_push(p, b, &err));
    g_assert_no_error(err);
    gst_buffer_unref(b);
  }
  g_thread_join(t);
  g_assert_cmpuint(pl.got->len, ==, 3);
  struct pollfd pfd = { silent, POLLIN, 0 };
  g_assert_cmpint(poll(&pfd, 1, 0), ==, 0); /* still connected, still waited for */
  g_ptr_array_unref(pl.got);
  vf_ipc_consumer_free(c);
  vf_ipc_producer_free(p);
  close(silent);

  /* a short hello timeout: the silent client is hung up on */
  VfIpcProducerOptions quick = { .hello_timeout_ms = 50 };
  p = producer_new("silent", &quick);
  silent = connect_silently("silent");
  pfd = (struct pollfd){ silent, POLLIN, 0 };
  g_assert_cmpint(poll(&pfd, 1, 30 * 1000), ==, 1);
  char byte;
  g_assert_cmpint(recv(silent, &byte, 1, 0), ==, 0); /* closed by the producer */
  close(silent);
  vf_ipc_producer_free(p);
}

static gpointer fake_producer(gpointer data)
{
  int s = accept(GPOINTER_TO_INT(data), NULL, NULL);
  struct {
    VfIpcHeader h;
    guint32 pid;
  } hello = { { VF_IPC_MAGIC, VF_IPC_WIRE_VERSION + 1, VF_IPC_MSG_HELLO, 4, 0 }, 1 };
  char buf[64];
  g_assert_cmpint(recv(s, buf, sizeof buf, 0), >, 0); /* the consumer's hello */
  g_assert_cmpint(send(s, &hello, sizeof hello, 0), ==, sizeof hello);
  g_usleep(100 * 1000);
  close(s);
  return NULL;
}

/* A peer speaking another wire version gets an error naming both versions, on both sides. */
static void test_version_mismatch(void)
{
  VfIpcProducer *p = producer_new("ver", NULL);
  int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  char *path = sock_path("ver");
  g_strlcpy(sa.sun_path, path, sizeof sa.sun_path);
  g_assert_cmpint(connect(s, (struct sockaddr *)&sa, sizeof sa), ==, 0);
  struct {
    VfIpcHeader h;
    guint32 pid;
  } hello = { { VF_IPC_MAGIC, VF_IPC_WIRE_VERSION + 1, VF_IPC_MSG_HELLO, 4, 0 }, 1 };
  g_assert_cmpint(send(s, &hello, sizeof hello, 0), ==, sizeof hello);
  char reply[1024];
  ssize_t got = recv(s, reply, sizeof reply - 1, 0);
  g_assert_cmpint(got, >, (gssize)(sizeof(VfIpcHeader) + 4));
  VfIpcHeader h;
  memcpy(&h, reply, sizeof h);
  g_assert_cmpint(h.type, ==, VF_IPC_MSG_ERROR);
  char *text = g_strndup(reply + sizeof h + 4, (gsize)got - sizeof h - 4);
  GError *err = NULL;
  char *theirs = g_strdup_printf("version %d", VF_IPC_WIRE_VERSION + 1);
  char *ours = g_strdup_printf("version %d", VF_IPC_WIRE_VERSION);
  g_assert_nonnull(strstr(text, theirs));
  g_assert_nonnull(strstr(text, ours));
  g_free(text);
  close(s);
  vf_ipc_producer_free(p);

  /* a fake producer of another version: the consumer's error says so */
  int l = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  g_assert_cmpint(bind(l, (struct sockaddr *)&sa, sizeof sa), ==, 0);
  g_assert_cmpint(listen(l, 1), ==, 0);
  GThread *t = g_thread_new("fake-producer", fake_producer, GINT_TO_POINTER(l));
  VfIpcConsumer *c = consumer_new("ver", G_USEC_PER_SEC, FALSE);
  GstBuffer *b = NULL;
  GstEvent *e = NULL;
  g_assert_cmpint(vf_ipc_consumer_pull(c, &b, &e, &err), ==, VF_IPC_ITEM_ERROR);
  g_assert_error(err, VF_ERROR, VF_ERROR_FORMAT);
  g_assert_nonnull(strstr(err->message, theirs));
  g_clear_error(&err);
  g_free(theirs);
  g_free(ours);
  g_thread_join(t);
  vf_ipc_consumer_free(c);
  close(l);
  unlink(path);
  g_free(path);
}

int main(int argc, char **argv)
{
  g_log_set_writer_func(count_unregistered, NULL, NULL);
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp("vf-ipc-XXXXXX", NULL);
  g_setenv("XDG_RUNTIME_DIR", tmpdir, TRUE);
  g_assert_true(vf_ipc_register_user_meta("test.thing", thing_serialize, thing_deserialize,
                                          thing_copy, thing_free, NULL));
  g_test_add_func("/ipc/roundtrip", test_roundtrip);
  g_test_add_func("/ipc/zero-copy", test_zero_copy);
  g_test_add_func("/ipc/drop-oldest", test_drop_oldest);
  g_test_add_func("/ipc/several-consumers", test_several_consumers);
  g_test_add_func("/ipc/socket-mode", test_socket_mode_and_default_dir);
  g_test_add_func("/ipc/bad-arguments", test_bad_arguments);
  g_test_add_func("/ipc/version-mismatch", test_version_mismatch);
  g_test_add_func("/ipc/large-metadata", test_large_metadata);
  g_test_add_func("/ipc/silent-client", test_silent_client);
  int r = g_test_run();
  rmdir(tmpdir);
  g_free(tmpdir);
  return r;
}
