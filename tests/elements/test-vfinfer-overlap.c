/* vfinfer's overlap stage (overlap=on: the streaming thread preprocesses batch n+1 while a
 * vfinfer thread infers, attaches and pushes batch n) on the CPU provider, against overlap=off on
 * the same frames: the same detections (primary, and secondary on the primary's objects); buffer
 * order kept; serialized events (a custom one, EOS)
 * after the buffers before them; a flushing seek mid-stream; a model error in the stage thread
 * (ORT's Run failing, through tests/infer's fake ORT) posted as an element error and returned
 * upstream without a hang; NULL mid-stream with work in flight and downstream blocked. Needs
 * data/ (tools/fetch-assets.sh): exits 77 without it. No timing is checked. */
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <math.h>

#include "elements-util.h"
#include "util.h"

static char *tmp;
static VftFrame *frames[3]; /* dog RGB, person RGB, dog I420 */
static char *ssd_config;

/* Frame f as a buffer at PTS i/10 s, OFFSET i (transfer full); its caps in *info. */
static GstBuffer *frame_buffer(const VftFrame *f, guint i, GstVideoInfo *info)
{
  gst_video_info_set_format(info, vf_color_format_to_video_format(f->image.format), f->image.width,
                            f->image.height);
  GstBuffer *b = gst_buffer_new_memdup(f->pixels, GST_VIDEO_INFO_SIZE(info));
  GST_BUFFER_PTS(b) = i * GST_SECOND / 10;
  GST_BUFFER_DURATION(b) = GST_SECOND / 10;
  GST_BUFFER_OFFSET(b) = i;
  return b;
}

typedef struct {
  GstClockTime pts;
  guint frame, source;
  gint class_id;
  gfloat confidence;
  VfRect box;
} Det;

/* Every object of every frame of `b`, in order, into dets (an empty frame as class -1). */
static void collect_objects(GArray *dets, GstBuffer *b)
{
  VfBatchMeta *meta = vf_batch_meta_get(b);
  g_assert_nonnull(meta);
  for (guint f = 0; f < vf_batch_meta_get_n_frames(meta); f++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(meta, f);
    GPtrArray *objects = vf_frame_meta_get_objects(frame);
    Det d = { GST_BUFFER_PTS(b), f, vf_frame_meta_get_source_id(frame), -1, 0, { 0, 0, 0, 0 } };
    if (objects->len == 0)
      g_array_append_val(dets, d);
    for (guint i = 0; i < objects->len; i++) {
      VfObjectMeta *o = g_ptr_array_index(objects, i);
      d.class_id = vf_object_meta_get_class_id(o);
      d.confidence = vf_object_meta_get_confidence(o);
      vf_object_meta_get_detector_bbox(o, &d.box);
      g_array_append_val(dets, d);
    }
    g_ptr_array_unref(objects);
  }
}

static gdouble iou(const VfRect *a, const VfRect *b)
{
  gdouble x0 = MAX(a->left, b->left), y0 = MAX(a->top, b->top);
  gdouble x1 = MIN(a->left + a->width, b->left + b->width);
  gdouble y1 = MIN(a->top + a->height, b->top + b->height);
  gdouble inter = MAX(0.0, x1 - x0) * MAX(0.0, y1 - y0);
  gdouble uni = a->width * a->height + b->width * b->height - inter;
  return uni > 0 ? inter / uni : 0;
}

/* 3 sources x `n` frames through vfmux batch-size=3 ! vfinfer batch-size=2 overlap=`overlap`
 * (each batch of 3 runs the model twice: chunks of 2 and 1) ! appsink: the detections (transfer
 * full); every batch arrives, in PTS order, then EOS. */
static GArray *run_batches(const char *overlap, guint n)
{
  char *desc = g_strdup_printf(
      "vfmux name=mux batch-size=3 ! vfinfer name=inf config-file-path=%s batch-size=2 "
      "%s%s ! appsink name=sink sync=false  appsrc name=a0 format=time ! mux.sink_0  "
      "appsrc name=a1 format=time ! mux.sink_1  appsrc name=a2 format=time ! mux.sink_2",
      ssd_config, *overlap == '-' ? "" : "overlap=", *overlap == '-' ? overlap + 1 : overlap);
  GError *err = NULL;
  GstElement *pipe = gst_parse_launch(desc, &err);
  g_assert_no_error(err);
  for (guint s = 0; s < 3; s++) {
    char name[8];
    g_snprintf(name, sizeof name, "a%u", s);
    GstElement *src = gst_bin_get_by_name(GST_BIN(pipe), name);
    for (guint i = 0; i < n; i++) {
      GstVideoInfo info;
      GstBuffer *b = frame_buffer(frames[(s + i) % 3], i, &info);
      if (i == 0 || frames[(s + i) % 3]->image.format != frames[(s + i - 1) % 3]->image.format
          || frames[(s + i) % 3]->image.width != frames[(s + i - 1) % 3]->image.width) {
        GstCaps *caps = gst_video_info_to_caps(&info);
        g_object_set(src, "caps", caps, NULL);
        gst_caps_unref(caps);
      }
      g_assert_cmpint(gst_app_src_push_buffer(GST_APP_SRC(src), b), ==, GST_FLOW_OK);
    }
    gst_app_src_end_of_stream(GST_APP_SRC(src));
    gst_object_unref(src);
  }
  g_assert_cmpint(gst_element_set_state(pipe, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
  GArray *out = g_array_new(FALSE, FALSE, sizeof(Det));
  GstClockTime last = GST_CLOCK_TIME_NONE;
  guint got = 0;
  GstSample *sample;
  while ((sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 60 * GST_SECOND)) != NULL) {
    GstBuffer *b = gst_sample_get_buffer(sample);
    if (last != GST_CLOCK_TIME_NONE)
      g_assert_cmpuint(GST_BUFFER_PTS(b), >, last);
    last = GST_BUFFER_PTS(b);
    collect_objects(out, b);
    got++;
    gst_sample_unref(sample);
  }
  g_assert_true(gst_app_sink_is_eos(GST_APP_SINK(sink)));
  g_assert_cmpuint(got, ==, n);
  GstBus *bus = gst_element_get_bus(pipe);
  GstMessage *m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
  if (m) {
    char *t = elt_error_text(m);
    g_error("%s", t);
  }
  gst_object_unref(bus);
  gst_object_unref(sink);
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(pipe);
  g_free(desc);
  return out;
}

static void test_property(void)
{
  GstElement *e = gst_element_factory_make("vfinfer", NULL);
  GParamSpec *p = g_object_class_find_property(G_OBJECT_GET_CLASS(e), "overlap");
  g_assert_nonnull(p);
  g_assert_nonnull(strstr(g_param_spec_get_blurb(p), "default: auto"));
  gint v = -1;
  g_object_get(e, "overlap", &v, NULL);
  GEnumValue *ev = g_enum_get_value(g_type_class_peek(G_PARAM_SPEC_VALUE_TYPE(p)), v);
  g_assert_cmpstr(ev->value_nick, ==, "auto");
  gst_util_set_object_arg(G_OBJECT(e), "overlap", "on");
  g_object_get(e, "overlap", &v, NULL);
  ev = g_enum_get_value(g_type_class_peek(G_PARAM_SPEC_VALUE_TYPE(p)), v);
  g_assert_cmpstr(ev->value_nick, ==, "on");
  gst_object_unref(e);
}

/* overlap=on gives overlap=off's detections, batch by batch, frame by frame, in order: the same
 * objects (class), boxes with IoU >= 0.95 and confidences within 0.01. Not bit-exact: two runs
 * of this pipeline with overlap=off alone (or the lead's build, without the property) give, from
 * one vfinfer instance to the next, either identical values or ones off by up to 0.4 % in
 * confidence and IoU 0.977 (the same values within one instance; cause not known yet), so exact
 * equality here would test that, not the overlap. */
static void test_same_detections(void)
{
  GArray *off = run_batches(g_getenv("VFT_OVERLAP_A") ? g_getenv("VFT_OVERLAP_A") : "off", 7);
  GArray *on = run_batches(g_getenv("VFT_OVERLAP_B") ? g_getenv("VFT_OVERLAP_B") : "on", 7);
  g_assert_cmpuint(on->len, ==, off->len);
  guint dogs = 0;
  gdouble worst_iou = 1, worst_conf = 0;
  for (guint i = 0; i < off->len; i++) {
    const Det *a = &g_array_index(off, Det, i), *b = &g_array_index(on, Det, i);
    g_assert_cmpuint(a->pts, ==, b->pts);
    g_assert_cmpuint(a->frame, ==, b->frame);
    g_assert_cmpuint(a->source, ==, b->source);
    g_assert_cmpint(a->class_id, ==, b->class_id);
    if (a->class_id < 0)
      continue;
    dogs += a->class_id == 20;
    worst_iou = MIN(worst_iou, iou(&a->box, &b->box));
    worst_conf = MAX(worst_conf, fabs(a->confidence - b->confidence));
  }
  g_test_message("%u detections, %u dogs; smallest IoU %.4f, largest confidence difference %.4f",
                 off->len, dogs, worst_iou, worst_conf);
  g_assert_cmpuint(dogs, >, 0);
  g_assert_cmpfloat(worst_iou, >=, 0.95);
  g_assert_cmpfloat(worst_conf, <=, 0.01);
  g_array_unref(on);
  g_array_unref(off);
}

/* What leaves vfinfer's src pad, in order: "B<offset>" per buffer, "E<event>" per event. */
typedef struct {
  GMutex lock;
  GString *seq;
  guint objects; /* objects on the buffers */
} Seen;

static GstPadProbeReturn record(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  Seen *seen = data;
  g_mutex_lock(&seen->lock);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER(info);
    g_string_append_printf(seen->seq, "B%" G_GUINT64_FORMAT " ", GST_BUFFER_OFFSET(b));
    VfBatchMeta *meta = vf_batch_meta_get(b);
    if (meta)
      seen->objects += vf_frame_meta_get_n_objects(vf_batch_meta_get_frame(meta, 0));
  } else {
    GstEvent *e = GST_PAD_PROBE_INFO_EVENT(info);
    GstEventType t = GST_EVENT_TYPE(e);
    if (t == GST_EVENT_CUSTOM_DOWNSTREAM)
      g_string_append_printf(seen->seq, "E%s ", gst_structure_get_name(gst_event_get_structure(e)));
    else if (t == GST_EVENT_EOS || t == GST_EVENT_FLUSH_START || t == GST_EVENT_FLUSH_STOP)
      g_string_append_printf(seen->seq, "E%s ", GST_EVENT_TYPE_NAME(e));
  }
  g_mutex_unlock(&seen->lock);
  return GST_PAD_PROBE_OK;
}

static GstHarness *overlap_harness(Seen *seen)
{
  char *launch = g_strdup_printf("vfinfer config-file-path=%s overlap=on", ssd_config);
  GstHarness *h = gst_harness_new_parse(launch);
  g_free(launch);
  g_assert_nonnull(h);
  g_mutex_init(&seen->lock);
  seen->seq = g_string_new(NULL);
  seen->objects = 0;
  GstPad *src = gst_element_get_static_pad(h->element, "src");
  gst_pad_add_probe(src,
                    GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM
                        | GST_PAD_PROBE_TYPE_EVENT_FLUSH,
                    record, seen, NULL);
  gst_object_unref(src);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, frames[0]->image.width,
                            frames[0]->image.height);
  gst_harness_set_src_caps(h, gst_video_info_to_caps(&info));
  return h;
}

static void seen_clear(Seen *seen)
{
  g_string_free(seen->seq, TRUE);
  g_mutex_clear(&seen->lock);
}

static GstFlowReturn push_dog(GstHarness *h, guint i)
{
  GstVideoInfo info;
  return gst_harness_push(h, frame_buffer(frames[0], i, &info));
}

/* A custom serialized event and EOS leave after the buffers before them, none overtaken. */
static void test_event_order(void)
{
  Seen seen;
  GstHarness *h = overlap_harness(&seen);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint(push_dog(h, i), ==, GST_FLOW_OK);
  g_assert_true(gst_harness_push_event(
      h, gst_event_new_custom(GST_EVENT_CUSTOM_DOWNSTREAM, gst_structure_new_empty("mark"))));
  for (guint i = 3; i < 5; i++)
    g_assert_cmpint(push_dog(h, i), ==, GST_FLOW_OK);
  g_assert_true(gst_harness_push_event(h, gst_event_new_eos()));
  g_assert_cmpstr(seen.seq->str, ==, "B0 B1 B2 Emark B3 B4 Eeos ");
  g_assert_cmpuint(seen.objects, ==, 5 * 3); /* the dog, the bicycle, the car on every frame */
  g_assert_cmpuint(gst_harness_buffers_received(h), ==, 5);
  gst_harness_teardown(h);
  seen_clear(&seen);
}

/* FLUSH_START with buffers in flight: some of them may be dropped, none after the flush, none out
 * of order; after FLUSH_STOP the new buffers all come, with their objects. */
static void test_flush(void)
{
  Seen seen;
  GstHarness *h = overlap_harness(&seen);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint(push_dog(h, i), ==, GST_FLOW_OK);
  g_assert_true(gst_harness_push_event(h, gst_event_new_flush_start()));
  g_assert_true(gst_harness_push_event(h, gst_event_new_flush_stop(TRUE)));
  GstSegment seg;
  gst_segment_init(&seg, GST_FORMAT_TIME);
  g_assert_true(gst_harness_push_event(h, gst_event_new_segment(&seg)));
  g_mutex_lock(&seen.lock);
  guint objects_before = seen.objects;
  g_mutex_unlock(&seen.lock);
  for (guint i = 10; i < 14; i++)
    g_assert_cmpint(push_dog(h, i), ==, GST_FLOW_OK);
  g_assert_true(gst_harness_push_event(h, gst_event_new_eos()));
  g_test_message("seen: %s", seen.seq->str);
  const char *after = strstr(seen.seq->str, "Eflush-stop ");
  g_assert_nonnull(after);
  g_assert_cmpstr(after, ==, "Eflush-stop B10 B11 B12 B13 Eeos ");
  /* before the flush: a prefix of B0..B3, in order */
  const char *before[] = { "Eflush-start ", "B0 Eflush-start ", "B0 B1 Eflush-start ",
                           "B0 B1 B2 Eflush-start ", "B0 B1 B2 B3 Eflush-start " };
  gboolean prefix = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS(before); i++)
    prefix |= strncmp(seen.seq->str, before[i], strlen(before[i])) == 0
              && strncmp(seen.seq->str + strlen(before[i]), "Eflush-stop", 11) == 0;
  g_assert_true(prefix);
  g_assert_cmpuint(seen.objects - objects_before, ==, 4 * 3);
  gst_harness_teardown(h);
  seen_clear(&seen);
}

/* A real flushing seek on a running pipeline (videotestsrc, backpressure from appsink
 * max-buffers=2): the first buffer after it is at the seek position and EOS arrives. */
static void test_seek(void)
{
  GError *err = NULL;
  char *desc = g_strdup_printf(
      "videotestsrc num-buffers=45 pattern=ball ! video/x-raw,format=RGB,width=320,height=240,"
      "framerate=30/1 ! vfinfer config-file-path=%s overlap=on ! appsink name=sink sync=false "
      "max-buffers=2",
      ssd_config);
  GstElement *pipe = gst_parse_launch(desc, &err);
  g_assert_no_error(err);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
  g_assert_cmpint(gst_element_set_state(pipe, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  for (guint i = 0; i < 5; i++) {
    GstSample *s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 60 * GST_SECOND);
    g_assert_nonnull(s);
    g_assert_cmpuint(GST_BUFFER_PTS(gst_sample_get_buffer(s)), ==, i * GST_SECOND / 30);
    gst_sample_unref(s);
  }
  GstClockTime pos = GST_SECOND; /* frame 30 */
  g_assert_true(gst_element_seek_simple(pipe, GST_FORMAT_TIME,
                                        GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, pos));
  GstSample *s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 60 * GST_SECOND);
  g_assert_nonnull(s);
  g_assert_cmpuint(GST_BUFFER_PTS(gst_sample_get_buffer(s)), ==, pos);
  g_assert_nonnull(vf_batch_meta_get(gst_sample_get_buffer(s))); /* it went through vfinfer */
  gst_sample_unref(s);
  guint frame = 31; /* every frame after the seek position, in order */
  while ((s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 60 * GST_SECOND)) != NULL) {
    g_assert_cmpuint(GST_BUFFER_PTS(gst_sample_get_buffer(s)), ==,
                     gst_util_uint64_scale_int(frame++, GST_SECOND, 30));
    gst_sample_unref(s);
  }
  g_assert_cmpuint(frame, >, 40); /* (videotestsrc counts num-buffers again from a seek) */
  g_assert_true(gst_app_sink_is_eos(GST_APP_SINK(sink)));
  GstBus *bus = gst_element_get_bus(pipe);
  g_assert_null(gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR));
  gst_object_unref(bus);
  gst_object_unref(sink);
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(pipe);
  g_free(desc);
}

/* ORT's Run fails in the stage thread (fake ORT, in a process of its own: ORT stays loaded): an
 * element error naming vfinfer, GST_FLOW_ERROR back upstream within the two buffers in flight,
 * no hang, a clean teardown. */
static void test_stage_error(void)
{
  if (g_test_subprocess()) {
    char *real = vft_data_path("onnxruntime/lib/libonnxruntime.so");
    g_setenv("VFT_REAL_ORT_LIB", real, TRUE);
    g_setenv("VIDFLOW_ORT_LIB", VFT_FAKE_ORT, TRUE);
    g_free(real);
    Seen seen;
    GstHarness *h = overlap_harness(&seen);
    GstBus *bus = gst_bus_new();
    gst_element_set_bus(h->element, bus);
    g_assert_cmpint(push_dog(h, 0), ==, GST_FLOW_OK);
    GstBuffer *out = gst_harness_pull(h);
    g_assert_nonnull(out);
    gst_buffer_unref(out);
    g_setenv("VFT_ORT_FAIL", "Run", TRUE);
    GstFlowReturn r = GST_FLOW_OK;
    guint pushed = 0;
    while (r == GST_FLOW_OK && pushed < 6)
      r = push_dog(h, 1 + pushed++);
    g_assert_cmpint(r, ==, GST_FLOW_ERROR);
    g_test_message("GST_FLOW_ERROR after %u buffers", pushed);
    GstMessage *m = elt_wait_error(bus);
    g_assert_nonnull(m);
    char *text = elt_error_text(m);
    g_test_message("%s", text);
    g_assert_nonnull(strstr(text, "vfinfer 'vfinfer"));
    g_assert_nonnull(strstr(text, "injected failure in Run"));
    g_free(text);
    gst_message_unref(m);
    /* EOS still goes through (nothing waits for the failed work) */
    g_assert_true(gst_harness_push_event(h, gst_event_new_eos()));
    g_assert_nonnull(strstr(seen.seq->str, "B0 "));
    g_assert_null(strstr(seen.seq->str, "B1 "));
    gst_element_set_bus(h->element, NULL);
    gst_object_unref(bus);
    gst_harness_teardown(h);
    seen_clear(&seen);
    return;
  }
  g_test_trap_subprocess(NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed();
}

/* A frame the preprocessing refuses (the streaming thread's half): an element error, the flow
 * back upstream at once, and the buffers before it still come out. */
static void test_preprocess_error(void)
{
  Seen seen;
  GstHarness *h = overlap_harness(&seen);
  GstBus *bus = gst_bus_new();
  gst_element_set_bus(h->element, bus);
  g_assert_cmpint(push_dog(h, 0), ==, GST_FLOW_OK);
  /* a batched caps stream whose buffer has no batch meta */
  gst_harness_set_src_caps_str(h, "video/x-raw(meta:VfBatch),format=RGB,width=64,height=48,"
                                  "framerate=30/1");
  guint8 fill[1] = { 7 };
  g_assert_cmpint(gst_harness_push(h, elt_solid_frame(GST_VIDEO_FORMAT_RGB, 64, 48, fill)), ==,
                  GST_FLOW_ERROR);
  GstMessage *m = elt_wait_error(bus);
  g_assert_nonnull(m);
  char *text = elt_error_text(m);
  g_assert_nonnull(strstr(text, "vfmux"));
  g_free(text);
  gst_message_unref(m);
  g_assert_true(gst_harness_push_event(h, gst_event_new_eos()));
  g_assert_cmpstr(seen.seq->str, ==, "B0 Eeos ");
  gst_element_set_bus(h->element, NULL);
  gst_object_unref(bus);
  gst_harness_teardown(h);
  seen_clear(&seen);
}

/* NULL mid-stream while the stage thread is blocked pushing (appsink max-buffers=1, not pulled)
 * and the streaming thread waits for it: returns, nothing leaks (ASan). */
static void test_null_mid_stream(void)
{
  char *desc = g_strdup_printf("appsrc name=src format=time ! vfinfer config-file-path=%s "
                               "overlap=on ! appsink name=sink sync=false max-buffers=1",
                               ssd_config);
  GError *err = NULL;
  GstElement *pipe = gst_parse_launch(desc, &err);
  g_assert_no_error(err);
  GstElement *src = gst_bin_get_by_name(GST_BIN(pipe), "src");
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
  for (guint i = 0; i < 8; i++) {
    GstVideoInfo info;
    GstBuffer *b = frame_buffer(frames[0], i, &info);
    if (i == 0) {
      GstCaps *caps = gst_video_info_to_caps(&info);
      g_object_set(src, "caps", caps, NULL);
      gst_caps_unref(caps);
    }
    g_assert_cmpint(gst_app_src_push_buffer(GST_APP_SRC(src), b), ==, GST_FLOW_OK);
  }
  g_assert_cmpint(gst_element_set_state(pipe, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  GstSample *s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 60 * GST_SECOND);
  g_assert_nonnull(s);
  gst_sample_unref(s);
  /* the next one fills appsink: the stage thread blocks pushing the one after, the streaming
   * thread waits for a slot or the stage */
  s = gst_app_sink_try_pull_preroll(GST_APP_SINK(sink), 0);
  if (s)
    gst_sample_unref(s);
  g_usleep(G_USEC_PER_SEC / 2); /* let both threads get stuck (not a timing check) */
  g_assert_cmpint(gst_element_set_state(pipe, GST_STATE_NULL), ==, GST_STATE_CHANGE_SUCCESS);
  gst_object_unref(src);
  gst_object_unref(sink);
  gst_object_unref(pipe);
  g_free(desc);
}

/* Secondary mode through two stages (primary and secondary vfinfer, both overlap=`overlap`):
 * the children found in the Dog objects of 3 frames, as "label/parent label" text (transfer
 * full). */
static char *secondary_children(const char *overlap)
{
  char *launch = g_strdup_printf(
      "vfinfer config-file-path=%s overlap=%s ! vfinfer config-file-path=%s overlap=%s "
      "process-mode=secondary unique-id=2 operate-on-unique-id=1 operate-on-classes=20",
      ssd_config, overlap, ssd_config, overlap);
  GstHarness *h = gst_harness_new_parse(launch);
  g_free(launch);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, frames[0]->image.width,
                            frames[0]->image.height);
  gst_harness_set_src_caps(h, gst_video_info_to_caps(&info));
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint(gst_harness_push(h, frame_buffer(frames[0], i, &info)), ==, GST_FLOW_OK);
  GString *text = g_string_new(NULL);
  for (guint i = 0; i < 3; i++) {
    GstBuffer *out = gst_harness_pull(h);
    g_assert_nonnull(out);
    g_assert_cmpuint(GST_BUFFER_OFFSET(out), ==, i);
    VfFrameMeta *frame = vf_batch_meta_get_frame(vf_batch_meta_get(out), 0);
    GPtrArray *objects = vf_frame_meta_get_objects(frame);
    guint children = 0;
    for (guint k = 0; k < objects->len; k++) {
      VfObjectMeta *o = g_ptr_array_index(objects, k);
      if (vf_object_meta_get_component_id(o) != 2)
        continue;
      VfObjectMeta *parent = vf_object_meta_get_parent(o);
      g_assert_nonnull(parent);
      g_string_append_printf(text, "%s/%s ", vf_object_meta_get_label(o),
                             vf_object_meta_get_label(parent));
      vf_object_meta_unref(parent);
      children++;
    }
    g_assert_cmpuint(children, >=, 1);
    g_string_append(text, "| ");
    g_ptr_array_unref(objects);
    gst_buffer_unref(out);
  }
  gst_harness_teardown(h);
  return g_string_free(text, FALSE);
}

/* The secondary (crop) path with overlap: the same children as without. */
static void test_secondary(void)
{
  char *off = secondary_children("off"), *on = secondary_children("on");
  g_test_message("children: %s", on);
  g_assert_cmpstr(on, ==, off);
  g_free(on);
  g_free(off);
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  vft_require_data("images/dog.jpg", "images/person.jpg", "models/ssd_mobilenet_v2_oid.onnx",
                   "onnxruntime/lib/libonnxruntime.so", NULL);
  GError *err = NULL;
  char *dog = vft_data_path("images/dog.jpg"), *person = vft_data_path("images/person.jpg");
  frames[0] = vft_decode_image(dog, VF_COLOR_FORMAT_RGB, &err);
  g_assert_no_error(err);
  frames[1] = vft_decode_image(person, VF_COLOR_FORMAT_RGB, &err);
  g_assert_no_error(err);
  frames[2] = vft_decode_image(dog, VF_COLOR_FORMAT_I420, &err);
  g_assert_no_error(err);
  g_free(dog);
  g_free(person);
  tmp = vft_make_tmpdir();
  ssd_config = vft_write_sample_config(tmp, "ssd_mobilenet_v2_oid.yaml");

  g_test_add_func("/vfinfer-overlap/property", test_property);
  g_test_add_func("/vfinfer-overlap/same-detections", test_same_detections);
  g_test_add_func("/vfinfer-overlap/event-order", test_event_order);
  g_test_add_func("/vfinfer-overlap/flush", test_flush);
  g_test_add_func("/vfinfer-overlap/seek", test_seek);
  g_test_add_func("/vfinfer-overlap/stage-error", test_stage_error);
  g_test_add_func("/vfinfer-overlap/preprocess-error", test_preprocess_error);
  g_test_add_func("/vfinfer-overlap/null-mid-stream", test_null_mid_stream);
  g_test_add_func("/vfinfer-overlap/secondary", test_secondary);
  int ret = g_test_run();
  for (guint i = 0; i < G_N_ELEMENTS(frames); i++)
    vft_frame_free(frames[i]);
  g_free(ssd_config);
  vft_remove_tree(tmp);
  g_free(tmp);
  return ret;
}
