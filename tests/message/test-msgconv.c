/* vidflow tests: the message converter (vidflow/message.h): the three schemas with their values,
 * the msg-conv config (key-file and YAML) and its errors, the frequencies (every N, on change,
 * new track ids set by hand as a tracker would), events, and payload generators from plugins. */
#include "schema-check.h"

#include <glib/gstdio.h>
#include <unistd.h>

/* A batch of one frame of source `source`, number `number`, stored 300x300 from a 600x600
 * original (boxes are reported in original pixels: twice the stored ones). */
typedef struct {
  GstBuffer *buffer;
  VfFrameMeta *frame;
} Frame;

static Frame frame_new(guint source, guint64 number)
{
  Frame f;
  f.buffer = gst_buffer_new();
  VfBatchMeta *batch = vf_batch_meta_add(f.buffer, 1);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, 300, 300);
  f.frame = vf_batch_meta_add_frame(batch, NULL, &info);
  vf_frame_meta_set_source_id(f.frame, source);
  vf_frame_meta_set_frame_number(f.frame, number);
  vf_frame_meta_set_pts(f.frame, number * GST_SECOND / 10);
  vf_frame_meta_set_original_size(f.frame, 600, 600);
  return f;
}

static VfObjectMeta *add_object(Frame *f, gint class_id, const char *label, gfloat confidence,
                                gfloat left, gfloat top, gfloat w, gfloat h, guint64 id)
{
  VfObjectMeta *o = vf_object_meta_new();
  vf_object_meta_set_class_id(o, class_id);
  vf_object_meta_set_label(o, label);
  vf_object_meta_set_confidence(o, confidence);
  VfRect r = { left, top, w, h };
  vf_object_meta_set_detector_bbox(o, &r);
  vf_object_meta_set_object_id(o, id);
  vf_frame_meta_add_object(f->frame, o);
  vf_object_meta_unref(o); /* the frame has it */
  return o;
}

static GPtrArray *convert(VfMsgConv *conv, Frame *f)
{
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)vf_payload_unref);
  GError *err = NULL;
  gint n = vf_msgconv_convert(conv, f->frame, out, &err);
  VF_ASSERT_OK(n >= 0, err);
  g_assert_cmpint(n, ==, (gint)out->len);
  return out;
}

static JsonObject *payload_object(VfPayloadSchema schema, VfPayload *p, JsonNode **keep)
{
  gsize len;
  const char *data = g_bytes_get_data(vf_payload_get_data(p), &len);
  *keep = schema_check(schema, data, len);
  return json_node_get_object(*keep);
}

static char *write_file(const char *name, const char *text)
{
  char *file = g_strdup_printf("vf-msgconv-%d-%s", (int)getpid(), name);
  char *path = g_build_filename(g_get_tmp_dir(), file, NULL);
  g_free(file);
  g_assert_true(g_file_set_contents(path, text, -1, NULL));
  return path;
}

static const char *const KEYFILE = "[sensor1]\n"
                                   "enable=1\n"
                                   "type=Camera\n"
                                   "id=CAM-\"north\"\n"
                                   "location=45.5;-75.25;48\n"
                                   "description=Entrance\n"
                                   "coordinate=5.2;10.1;11.2\n"
                                   "[place1]\n"
                                   "enable=1\n"
                                   "id=7\n"
                                   "type=garage\n"
                                   "name=Endeavor\n"
                                   "location=30.5;-40.5;100\n"
                                   "coordinate=1;2;3\n"
                                   "place-sub-field1=walsh\n"
                                   "place-sub-field2=lane1\n"
                                   "place-sub-field3=P2\n"
                                   "[analytics1]\n"
                                   "enable=1\n"
                                   "id=XYZ_1\n"
                                   "description=Vehicle detection\n"
                                   "source=vidflow\n"
                                   "version=2.0\n"
                                   "[sensor0]\n"
                                   "enable=0\n"
                                   "id=DISABLED\n";

static void test_vidflow_schema(void)
{
  GError *err = NULL;
  VfMsgConv *conv = vf_msgconv_new(VF_PAYLOAD_VIDFLOW, NULL, &err);
  VF_ASSERT_OK(conv != NULL, err);
  Frame f = frame_new(2, 5);
  vf_frame_meta_set_sensor(f.frame, "cam-2", "Back door");
  VfObjectMeta *car = add_object(&f, 3, "Car", 0.87f, 10, 20, 30, 40, VF_OBJECT_UNTRACKED);
  VfObjectMeta *person = add_object(&f, 1, "Person \"A\"", 0.5f, 1, 2, 3, 4, 42);
  VfRect tracked = { 2, 3, 4, 5 };
  vf_object_meta_set_tracker_bbox(person, &tracked);
  vf_object_meta_add_classification(car, 9, 0, "red", 0.75f);
  GPtrArray *out = convert(conv, &f);
  g_assert_cmpuint(out->len, ==, 1);
  VfPayload *p = out->pdata[0];
  g_assert_cmpuint(vf_payload_get_source_id(p), ==, 2);
  g_assert_cmpuint(vf_payload_get_frame_number(p), ==, 5);
  g_assert_cmpstr(vf_payload_get_key(p), ==, "cam-2");
  JsonNode *keep;
  JsonObject *m = payload_object(VF_PAYLOAD_VIDFLOW, p, &keep);
  g_assert_cmpint(json_object_get_int_member(m, "source"), ==, 2);
  g_assert_cmpint(json_object_get_int_member(m, "frame"), ==, 5);
  g_assert_cmpfloat_with_epsilon(json_object_get_double_member(m, "pts"), 0.5, 1e-9);
  g_assert_cmpstr(json_object_get_string_member(m, "sensor"), ==, "cam-2");
  g_assert_cmpint(json_object_get_int_member(m, "width"), ==, 600);
  JsonArray *objects = json_object_get_array_member(m, "objects");
  g_assert_cmpuint(json_array_get_length(objects), ==, 2);
  JsonObject *o0 = json_array_get_object_element(objects, 0);
  g_assert_false(json_object_has_member(o0, "id")); /* untracked */
  g_assert_cmpstr(json_object_get_string_member(o0, "label"), ==, "Car");
  g_assert_cmpfloat_with_epsilon(json_object_get_double_member(o0, "confidence"), 0.87, 1e-6);
  JsonArray *b = json_object_get_array_member(o0, "bbox");
  /* original pixels: twice the stored box */
  g_assert_cmpfloat(json_array_get_double_element(b, 0), ==, 20);
  g_assert_cmpfloat(json_array_get_double_element(b, 1), ==, 40);
  g_assert_cmpfloat(json_array_get_double_element(b, 2), ==, 60);
  g_assert_cmpfloat(json_array_get_double_element(b, 3), ==, 80);
  JsonObject *c
      = json_array_get_object_element(json_object_get_array_member(o0, "classifications"), 0);
  g_assert_cmpstr(json_object_get_string_member(c, "label"), ==, "red");
  JsonObject *o1 = json_array_get_object_element(objects, 1);
  g_assert_cmpint(json_object_get_int_member(o1, "id"), ==, 42);
  g_assert_cmpstr(json_object_get_string_member(o1, "label"), ==, "Person \"A\"");
  /* a tracked object reports the tracker's box */
  g_assert_cmpfloat(json_array_get_double_element(json_object_get_array_member(o1, "bbox"), 0), ==,
                    4);
  json_node_unref(keep);
  g_ptr_array_unref(out);

  /* the same writer the vidflow command uses for its JSON lines */
  VfJsonWriter *w = vf_json_writer_new();
  vf_msgconv_write_frame(w, f.frame, NULL);
  const char *line = vf_json_writer_get(w, NULL, &err);
  VF_ASSERT_OK(line != NULL, err);
  JsonNode *n = schema_check(VF_PAYLOAD_VIDFLOW, line, strlen(line));
  json_node_unref(n);
  vf_json_writer_free(w);
  gst_buffer_unref(f.buffer);
  vf_msgconv_free(conv);
}

static void test_deepstream_schema(void)
{
  char *config = write_file("config.txt", KEYFILE);
  GError *err = NULL;
  VfMsgConv *conv = vf_msgconv_new(VF_PAYLOAD_DEEPSTREAM, config, &err);
  VF_ASSERT_OK(conv != NULL, err);
  Frame f = frame_new(1, 3);
  add_object(&f, 3, "Car", 0.9f, 10.7f, 20, 30, 40, 11);
  add_object(&f, 1, "Person", 0.6f, 50, 60, 5, 10, VF_OBJECT_UNTRACKED);
  /* no events: a message per object */
  GPtrArray *out = convert(conv, &f);
  g_assert_cmpuint(out->len, ==, 2);
  JsonNode *keep;
  JsonObject *m = payload_object(VF_PAYLOAD_DEEPSTREAM, out->pdata[0], &keep);
  JsonObject *sensor = json_object_get_object_member(m, "sensor");
  g_assert_cmpstr(json_object_get_string_member(sensor, "id"), ==, "CAM-\"north\"");
  g_assert_cmpstr(json_object_get_string_member(sensor, "description"), ==, "Entrance");
  g_assert_cmpfloat(
      json_object_get_double_member(json_object_get_object_member(sensor, "location"), "lon"), ==,
      -75.25);
  JsonObject *place = json_object_get_object_member(m, "place");
  g_assert_cmpstr(json_object_get_string_member(place, "name"), ==, "Endeavor");
  JsonObject *sub = json_object_get_object_member(place, "place-sub-field");
  g_assert_nonnull(sub);
  g_assert_cmpstr(json_object_get_string_member(sub, "id"), ==, "walsh");
  g_assert_cmpstr(
      json_object_get_string_member(json_object_get_object_member(m, "analyticsModule"), "version"),
      ==, "2.0");
  JsonObject *object = json_object_get_object_member(m, "object");
  g_assert_cmpstr(json_object_get_string_member(object, "id"), ==, "11");
  g_assert_true(json_object_has_member(object, "vehicle"));
  JsonObject *bbox = json_object_get_object_member(object, "bbox");
  g_assert_cmpint(json_object_get_int_member(bbox, "topleftx"), ==, 21); /* 2 x 10.7, truncated */
  g_assert_cmpint(json_object_get_int_member(bbox, "bottomrighty"), ==, 120);
  g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(m, "event"), "type"),
                  ==, "");
  json_node_unref(keep);
  m = payload_object(VF_PAYLOAD_DEEPSTREAM, out->pdata[1], &keep);
  object = json_object_get_object_member(m, "object");
  g_assert_true(json_object_has_member(object, "person"));
  g_assert_cmpstr(json_object_get_string_member(object, "id"), ==, "18446744073709551615");
  json_node_unref(keep);
  g_ptr_array_unref(out);
  gst_buffer_unref(f.buffer);

  /* events: their types, place sub-objects and sensor override; one message per event */
  f = frame_new(1, 4);
  VfObjectMeta *car = add_object(&f, 3, "Car", 0.9f, 10, 20, 30, 40, 11);
  VfObjectMeta *person = add_object(&f, 1, "Person", 0.6f, 50, 60, 5, 10, 12);
  VfEvent *parked = vf_event_new(VF_EVENT_PARKED, car);
  vf_event_set_video_path(parked, "file:///videos/a.mp4");
  VfEvent *entry = vf_event_new(VF_EVENT_ENTRY, person);
  vf_event_set_sensor_id(entry, "override");
  vf_event_set_place_id(entry, 5); /* no [place5]: empty place */
  VfEvent *loiter = vf_event_new(VF_EVENT_CUSTOM, person);
  vf_event_set_custom_type(loiter, "loitering");
  vf_frame_meta_add_event(f.frame, parked);
  vf_frame_meta_add_event(f.frame, entry);
  vf_frame_meta_add_event(f.frame, loiter);
  vf_event_unref(parked);
  vf_event_unref(entry);
  vf_event_unref(loiter);
  out = convert(conv, &f);
  g_assert_cmpuint(out->len, ==, 3);
  m = payload_object(VF_PAYLOAD_DEEPSTREAM, out->pdata[0], &keep);
  g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(m, "event"), "type"),
                  ==, "parked");
  g_assert_true(json_object_has_member(json_object_get_object_member(m, "place"), "parkingSpot"));
  g_assert_cmpstr(json_object_get_string_member(m, "videoPath"), ==, "file:///videos/a.mp4");
  json_node_unref(keep);
  m = payload_object(VF_PAYLOAD_DEEPSTREAM, out->pdata[1], &keep);
  place = json_object_get_object_member(m, "place");
  g_assert_true(json_object_has_member(place, "entrance")); /* entry of a non-vehicle */
  g_assert_cmpstr(json_object_get_string_member(place, "name"), ==, "");
  g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(m, "sensor"), "id"),
                  ==, "override");
  json_node_unref(keep);
  m = payload_object(VF_PAYLOAD_DEEPSTREAM, out->pdata[2], &keep);
  g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(m, "event"), "type"),
                  ==, "loitering");
  json_node_unref(keep);
  g_ptr_array_unref(out);
  gst_buffer_unref(f.buffer);

  /* a disabled group is not used: source 0 gets the defaults */
  f = frame_new(0, 0);
  add_object(&f, 3, "Dog", 0.9f, 1, 1, 1, 1, 1);
  out = convert(conv, &f);
  m = payload_object(VF_PAYLOAD_DEEPSTREAM, out->pdata[0], &keep);
  g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(m, "sensor"), "id"),
                  ==, "source-0");
  g_assert_true(json_object_has_member(json_object_get_object_member(m, "object"), "Dog"));
  json_node_unref(keep);
  g_ptr_array_unref(out);
  gst_buffer_unref(f.buffer);
  vf_msgconv_free(conv);
  g_unlink(config);
  g_free(config);
}

static void test_minimal_schema(void)
{
  char *config = write_file("config.yaml", "sensor1:\n"
                                           "  enable: 1\n"
                                           "  id: yaml-cam\n"
                                           "  location: 1;2;3\n"
                                           "place1: {id: p, name: lot}\n");
  GError *err = NULL;
  VfMsgConv *conv = vf_msgconv_new(VF_PAYLOAD_DEEPSTREAM_MINIMAL, config, &err);
  VF_ASSERT_OK(conv != NULL, err);
  Frame f = frame_new(1, 9);
  /* no objects: no message */
  GPtrArray *out = convert(conv, &f);
  g_assert_cmpuint(out->len, ==, 0);
  g_ptr_array_unref(out);
  VfObjectMeta *car = add_object(&f, 3, "Car|x", 0.5f, 10, 20, 30, 40, 7);
  vf_object_meta_add_classification(car, 2, 1, "sedan", 0.8f);
  add_object(&f, 1, "Person", 0.25f, 0.25f, 1, 2, 3, VF_OBJECT_UNTRACKED);
  out = convert(conv, &f);
  g_assert_cmpuint(out->len, ==, 1);
  JsonNode *keep;
  JsonObject *m = payload_object(VF_PAYLOAD_DEEPSTREAM_MINIMAL, out->pdata[0], &keep);
  g_assert_cmpstr(json_object_get_string_member(m, "id"), ==, "9");
  g_assert_cmpstr(json_object_get_string_member(m, "sensorId"), ==, "yaml-cam");
  JsonArray *objects = json_object_get_array_member(m, "objects");
  g_assert_cmpstr(json_array_get_string_element(objects, 0), ==,
                  "7|20|40|80|120|Car_x|#|sedan|0.5");
  g_assert_cmpstr(json_array_get_string_element(objects, 1), ==,
                  "18446744073709551615|0.5|2|4.5|8|Person");
  json_node_unref(keep);
  g_ptr_array_unref(out);
  gst_buffer_unref(f.buffer);
  vf_msgconv_free(conv);
  g_unlink(config);
  g_free(config);
}

static void expect_config_error(const char *name, const char *text, const char *fragment)
{
  char *path = text ? write_file(name, text) : g_strdup("/nonexistent/msgconv.txt");
  GError *err = NULL;
  VfMsgConv *conv = vf_msgconv_new(VF_PAYLOAD_DEEPSTREAM, path, &err);
  g_assert_null(conv);
  g_assert_nonnull(err);
  if (!strstr(err->message, fragment))
    g_error("expected '%s' in: %s", fragment, err->message);
  if (text && !strstr(err->message, path))
    g_error("the error does not name the file: %s", err->message);
  g_error_free(err);
  if (text)
    g_unlink(path);
  g_free(path);
}

static void test_config_errors(void)
{
  expect_config_error(NULL, NULL, "does not exist");
  expect_config_error("bad-group.txt", "[sensr0]\nid=x\n", "unknown group 'sensr0'");
  expect_config_error("bad-key.txt", "[sensor0]\nidd=x\n", "unknown key 'idd'");
  expect_config_error("bad-location.txt", "[place2]\nlocation=1;2\n", "lat;lon;alt");
  expect_config_error("bad-enable.txt", "[analytics0]\nenable=2\n", "enable must be 0 or 1");
  expect_config_error("bad-syntax.txt", "sensor0\n", "msg-conv config");
  expect_config_error("bad.yaml", "sensor0: [1, 2]\n", "a group is a mapping");
  expect_config_error("bad2.yaml", "- 1\n", "mapping of groups");
  /* bad arguments */
  GError *err = NULL;
  g_assert_null(vf_msgconv_new(VF_PAYLOAD_CUSTOM, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  g_assert_null(vf_msgconv_new((VfPayloadSchema)77, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  VfMsgConv *conv = vf_msgconv_new(VF_PAYLOAD_VIDFLOW, NULL, NULL);
  g_assert_false(vf_msgconv_set_frequency(conv, VF_MSG_EVERY_N_FRAMES, 0, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_VALUE);
  g_clear_error(&err);
  g_assert_cmpint(vf_msgconv_convert(conv, NULL, NULL, &err), ==, -1);
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
  vf_msgconv_free(conv);
}

/* Frames (one source) with the given objects: counts[i] objects of class 1, untracked. */
static GArray *run_counts(VfMsgConv *conv, const guint *counts, guint n, guint source)
{
  GArray *frames = g_array_new(FALSE, FALSE, sizeof(guint64));
  for (guint i = 0; i < n; i++) {
    Frame f = frame_new(source, i);
    for (guint k = 0; k < counts[i]; k++)
      add_object(&f, 1, "Person", 0.5f, k, k, 1, 1, VF_OBJECT_UNTRACKED);
    GPtrArray *out = convert(conv, &f);
    for (guint k = 0; k < out->len; k++) {
      guint64 number = vf_payload_get_frame_number(out->pdata[k]);
      g_array_append_val(frames, number);
    }
    g_ptr_array_unref(out);
    gst_buffer_unref(f.buffer);
  }
  return frames;
}

static void assert_frames(GArray *got, const guint64 *want, guint n)
{
  if (got->len != n) {
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < got->len; i++)
      g_string_append_printf(s, " %" G_GUINT64_FORMAT, g_array_index(got, guint64, i));
    g_error("messages for frames%s, expected %u of them", s->str, n);
  }
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint(g_array_index(got, guint64, i), ==, want[i]);
  g_array_unref(got);
}

static void test_frequency(void)
{
  const guint counts[] = { 0, 0, 1, 1, 2, 1, 1, 0 };
  VfMsgConv *conv = vf_msgconv_new(VF_PAYLOAD_VIDFLOW, NULL, NULL);
  GError *err = NULL;
  /* every frame */
  assert_frames(run_counts(conv, counts, 8, 0), (const guint64[]){ 0, 1, 2, 3, 4, 5, 6, 7 }, 8);
  /* every 3rd frame number */
  g_assert_true(vf_msgconv_set_frequency(conv, VF_MSG_EVERY_N_FRAMES, 3, &err));
  assert_frames(run_counts(conv, counts, 8, 0), (const guint64[]){ 0, 3, 6 }, 3);
  /* on change: the first frame, then each change of the count */
  g_assert_true(vf_msgconv_set_frequency(conv, VF_MSG_ON_CHANGE, 1, &err));
  assert_frames(run_counts(conv, counts, 8, 0), (const guint64[]){ 0, 2, 4, 5, 7 }, 5);
  /* per source: source 1 starts afresh */
  assert_frames(run_counts(conv, counts, 3, 1), (const guint64[]){ 0, 2 }, 2);
  vf_msgconv_free(conv);
}

/* Track ids set by hand (as a tracker would): only new ids make messages, and only those objects
 * are in them. */
static void test_new_track(void)
{
  const guint64 ids[][3] = {
    { 1, 0, 0 },                   /* frame 0: track 1 new */
    { 1, 2, 0 },                   /* frame 1: track 2 new */
    { 2, VF_OBJECT_UNTRACKED, 0 }, /* frame 2: nothing new (untracked never counts) */
    { 3, 1, 0 },                   /* frame 3: track 3 new, 1 seen before */
    { 0, 0, 0 },                   /* frame 4: no objects */
  };
  const guint n_ids[] = { 1, 2, 2, 2, 0 };
  VfMsgConv *conv = vf_msgconv_new(VF_PAYLOAD_VIDFLOW, NULL, NULL);
  GError *err = NULL;
  g_assert_true(vf_msgconv_set_frequency(conv, VF_MSG_NEW_TRACK, 1, &err));
  GPtrArray *messages = g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
  for (guint i = 0; i < G_N_ELEMENTS(n_ids); i++) {
    Frame f = frame_new(0, i);
    for (guint k = 0; k < n_ids[i]; k++)
      add_object(&f, 1, "Person", 0.5f, 1, 1, 1, 1, ids[i][k]);
    GPtrArray *out = convert(conv, &f);
    for (guint k = 0; k < out->len; k++) {
      JsonNode *keep;
      payload_object(VF_PAYLOAD_VIDFLOW, out->pdata[k], &keep);
      g_ptr_array_add(messages, keep);
    }
    g_ptr_array_unref(out);
    gst_buffer_unref(f.buffer);
  }
  const gint64 want_frame[] = { 0, 1, 3 }, want_id[] = { 1, 2, 3 };
  g_assert_cmpuint(messages->len, ==, 3);
  for (guint i = 0; i < 3; i++) {
    JsonObject *m = json_node_get_object(messages->pdata[i]);
    g_assert_cmpint(json_object_get_int_member(m, "frame"), ==, want_frame[i]);
    JsonArray *objects = json_object_get_array_member(m, "objects");
    g_assert_cmpuint(json_array_get_length(objects), ==, 1);
    g_assert_cmpint(json_object_get_int_member(json_array_get_object_element(objects, 0), "id"), ==,
                    want_id[i]);
  }
  g_ptr_array_unref(messages);

  /* the full schema calls new tracks entries; a track not seen for a long time is new again */
  VfMsgConv *full = vf_msgconv_new(VF_PAYLOAD_DEEPSTREAM, NULL, NULL);
  g_assert_true(vf_msgconv_set_frequency(full, VF_MSG_NEW_TRACK, 1, &err));
  guint made = 0;
  for (guint64 i = 0; i <= VF_MSG_TRACK_MEMORY_FRAMES * 2 + 2; i++) {
    Frame f = frame_new(0, i);
    if (i == 0 || i == VF_MSG_TRACK_MEMORY_FRAMES * 2 + 2)
      add_object(&f, 1, "Person", 0.5f, 1, 1, 1, 1, 77);
    GPtrArray *out = convert(full, &f);
    for (guint k = 0; k < out->len; k++) {
      JsonNode *keep;
      JsonObject *m = payload_object(VF_PAYLOAD_DEEPSTREAM, out->pdata[k], &keep);
      g_assert_cmpstr(
          json_object_get_string_member(json_object_get_object_member(m, "event"), "type"), ==,
          "entry");
      json_node_unref(keep);
      made++;
    }
    g_ptr_array_unref(out);
    gst_buffer_unref(f.buffer);
  }
  g_assert_cmpuint(made, ==, 2);
  vf_msgconv_free(full);
  vf_msgconv_free(conv);
}

/* ---- payload generators from a plugin ---- */

typedef struct {
  char *prefix;
} Gen;

static GBytes *gen_generate(VfFrameMeta *frame, GPtrArray *objects, gpointer user_data,
                            GError **error)
{
  Gen *g = user_data;
  if (vf_frame_meta_get_frame_number(frame) == 13) {
    g_set_error(error, VF_ERROR, VF_ERROR_FAILED, "frame 13 is unlucky");
    return NULL;
  }
  if (objects->len == 0)
    return NULL; /* no message for an empty frame */
  char *text = g_strdup_printf("%s frame=%" G_GUINT64_FORMAT " objects=%u", g->prefix,
                               vf_frame_meta_get_frame_number(frame), objects->len);
  return g_bytes_new_take(text, strlen(text));
}

static void gen_free(gpointer data)
{
  Gen *g = data;
  g_free(g->prefix);
  g_free(g);
}

static gboolean make_gen(const VfParams *params, VfPayloadCallbacks *cb, gpointer *user_data,
                         GError **error)
{
  const char *prefix = vf_params_get_string(params, "prefix");
  if (g_str_equal(prefix, "refuse")) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "prefix 'refuse' is refused");
    return FALSE;
  }
  Gen *g = g_new0(Gen, 1);
  g->prefix = g_strdup(prefix);
  cb->generate = gen_generate;
  cb->destroy = gen_free;
  *user_data = g;
  return TRUE;
}

static gboolean gen_init(VfPlugin *plugin, GError **error)
{
  static const VfParamSpec params[] = {
    { "prefix", VF_PARAM_STRING, "msg", "text before the figures" },
    { NULL, 0, NULL, NULL },
  };
  return vf_plugin_add_payload(plugin, "counter", "frame number and object count", params, make_gen,
                               error);
}

static void test_custom_generator(void)
{
  static const VfPluginDesc desc
      = { VF_PLUGIN_ABI_VERSION, "msgtest", "test generators", gen_init };
  GError *err = NULL;
  VF_ASSERT_OK(vf_custom_plugin_register(&desc, &err), err);
  VfObjectKind kind;
  g_assert_true(vf_custom_lookup("msgtest.counter", &kind, &err));
  g_assert_cmpint(kind, ==, VF_OBJECT_PAYLOAD);
  const char *params[] = { "prefix", "cam", NULL };
  VfMsgConv *conv = vf_msgconv_new_custom("msgtest.counter", params, NULL, &err);
  VF_ASSERT_OK(conv != NULL, err);
  Frame f = frame_new(0, 4);
  GPtrArray *out = convert(conv, &f); /* no objects: the generator makes none */
  g_assert_cmpuint(out->len, ==, 0);
  g_ptr_array_unref(out);
  add_object(&f, 1, "Person", 0.5f, 1, 1, 1, 1, VF_OBJECT_UNTRACKED);
  out = convert(conv, &f);
  g_assert_cmpuint(out->len, ==, 1);
  gsize len;
  const char *data = g_bytes_get_data(vf_payload_get_data(out->pdata[0]), &len);
  g_assert_cmpmem(data, len, "cam frame=4 objects=1", strlen("cam frame=4 objects=1"));
  g_ptr_array_unref(out);
  gst_buffer_unref(f.buffer);
  /* its error reaches the caller */
  f = frame_new(0, 13);
  out = g_ptr_array_new_with_free_func((GDestroyNotify)vf_payload_unref);
  g_assert_cmpint(vf_msgconv_convert(conv, f.frame, out, &err), ==, -1);
  g_assert_nonnull(strstr(err->message, "unlucky"));
  g_clear_error(&err);
  g_ptr_array_unref(out);
  gst_buffer_unref(f.buffer);
  vf_msgconv_free(conv);

  /* bad names and parameters */
  const char *bad[] = { "prefix", "refuse", NULL };
  g_assert_null(vf_msgconv_new_custom("msgtest.counter", bad, NULL, &err));
  g_assert_nonnull(strstr(err->message, "refused"));
  g_clear_error(&err);
  const char *unknown[] = { "colour", "red", NULL };
  g_assert_null(vf_msgconv_new_custom("msgtest.counter", unknown, NULL, &err));
  g_assert_nonnull(strstr(err->message, "no parameter 'colour'"));
  g_clear_error(&err);
  g_assert_null(vf_msgconv_new_custom("msgtest.nothing", NULL, NULL, &err));
  g_assert_nonnull(strstr(err->message, "has no object 'nothing'"));
  g_clear_error(&err);
  g_assert_null(vf_msgconv_new_custom(VF_PROBE_MEASURE_FPS, NULL, NULL, &err));
  g_assert_nonnull(strstr(err->message, "is a probe, not a payload"));
  g_clear_error(&err);
  g_assert_null(vf_msgconv_new_custom(NULL, NULL, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_clear_error(&err);
}

/* Events and payloads survive buffer copies (they are shared, immutable). */
static void test_meta_copies(void)
{
  Frame f = frame_new(0, 1);
  VfObjectMeta *o = add_object(&f, 1, "Person", 0.5f, 1, 1, 1, 1, 5);
  VfEvent *e = vf_event_new(VF_EVENT_EXIT, o);
  g_assert_true(vf_frame_meta_add_event(f.frame, e));
  vf_event_unref(e);
  GBytes *b = g_bytes_new_static("{}", 2);
  VfPayload *p = vf_payload_new(b, 0, 1, "k");
  g_bytes_unref(b);
  g_assert_true(vf_frame_meta_add_payload(f.frame, p));
  vf_payload_unref(p);
  g_assert_false(vf_frame_meta_add_event(NULL, NULL));
  GstBuffer *copy = gst_buffer_copy(f.buffer);
  gst_buffer_unref(f.buffer);
  VfFrameMeta *frame = vf_batch_meta_get_frame(vf_batch_meta_get(copy), 0);
  GPtrArray *events = vf_frame_meta_get_events(frame);
  g_assert_cmpuint(events->len, ==, 1);
  g_assert_cmpstr(vf_event_get_type_name(events->pdata[0]), ==, "exit");
  VfObjectMeta *about = vf_event_get_object(events->pdata[0]);
  g_assert_cmpuint(vf_object_meta_get_object_id(about), ==, 5);
  vf_object_meta_unref(about);
  GPtrArray *payloads = vf_frame_meta_get_payloads(frame);
  g_assert_cmpuint(payloads->len, ==, 1);
  g_assert_cmpstr(vf_payload_get_key(payloads->pdata[0]), ==, "k");
  gst_buffer_unref(copy);
  /* the references outlive the buffer */
  g_assert_cmpuint(vf_event_get_event_type(events->pdata[0]), ==, VF_EVENT_EXIT);
  g_assert_cmpuint(g_bytes_get_size(vf_payload_get_data(payloads->pdata[0])), ==, 2);
  g_ptr_array_unref(events);
  g_ptr_array_unref(payloads);
  /* removing the events of a frame leaves its other user meta */
  Frame g = frame_new(0, 2);
  VfEvent *e2 = vf_event_new(VF_EVENT_EMPTY, NULL);
  vf_frame_meta_add_event(g.frame, e2);
  vf_frame_meta_add_event(g.frame, e2);
  vf_event_unref(e2);
  vf_frame_meta_add_user_meta(g.frame, "test.other", (gpointer) "x", NULL, NULL);
  g_assert_cmpuint(vf_frame_meta_remove_events(g.frame), ==, 2);
  GPtrArray *none = vf_frame_meta_get_events(g.frame);
  g_assert_cmpuint(none->len, ==, 0);
  g_ptr_array_unref(none);
  g_assert_nonnull(vf_frame_meta_get_user_meta(g.frame, "test.other"));
  gst_buffer_unref(g.buffer);
}

/* Events or objects: auto takes events where an event generator looked, objects elsewhere. */
static void test_input(void)
{
  VfMsgConv *conv = vf_msgconv_new(VF_PAYLOAD_DEEPSTREAM, NULL, NULL);
  const struct {
    VfMsgInput input;
    gboolean event, marked;
    guint messages;
  } cases[] = {
    { VF_MSG_INPUT_AUTO, FALSE, FALSE, 2 },   /* no generator: the 2 objects */
    { VF_MSG_INPUT_AUTO, TRUE, FALSE, 1 },    /* the one event */
    { VF_MSG_INPUT_AUTO, FALSE, TRUE, 0 },    /* a generator looked and found nothing */
    { VF_MSG_INPUT_EVENTS, FALSE, FALSE, 0 }, /* only events */
    { VF_MSG_INPUT_OBJECTS, TRUE, TRUE, 2 },  /* objects whatever the events */
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    vf_msgconv_set_input(conv, cases[i].input);
    Frame f = frame_new(0, i);
    VfObjectMeta *o = add_object(&f, 1, "Person", 0.5f, 1, 1, 1, 1, 1);
    add_object(&f, 1, "Person", 0.5f, 2, 2, 1, 1, 2);
    if (cases[i].event) {
      VfEvent *e = vf_event_new(VF_EVENT_EXIT, o);
      vf_frame_meta_add_event(f.frame, e);
      vf_event_unref(e);
    }
    if (cases[i].marked)
      vf_frame_meta_add_user_meta(f.frame, VF_EVENTS_GIVEN_META_TYPE, (gpointer) "x", NULL, NULL);
    GPtrArray *out = convert(conv, &f);
    g_assert_cmpuint(out->len, ==, cases[i].messages);
    g_ptr_array_unref(out);
    gst_buffer_unref(f.buffer);
  }
  vf_msgconv_free(conv);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/msgconv/vidflow", test_vidflow_schema);
  g_test_add_func("/msgconv/deepstream", test_deepstream_schema);
  g_test_add_func("/msgconv/minimal", test_minimal_schema);
  g_test_add_func("/msgconv/config-errors", test_config_errors);
  g_test_add_func("/msgconv/frequency", test_frequency);
  g_test_add_func("/msgconv/new-track", test_new_track);
  g_test_add_func("/msgconv/custom-generator", test_custom_generator);
  g_test_add_func("/msgconv/meta-copies", test_meta_copies);
  g_test_add_func("/msgconv/input", test_input);
  return g_test_run();
}
