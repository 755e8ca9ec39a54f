/* Smart recording on an event: a clip of a camera's encoded stream from a few seconds before a
 * person appeared to a few seconds after (DeepStream's Smart Video Record; vidflow/record.h).
 *
 * The camera (an H.264 file here) is a VfSources source with smart-record on: its encoded stream
 * is kept in a ring (no re-encoding). sources -> vfmux -> vfinfer (SSD, people and cars) ->
 * fakesink. A probe after vfinfer watches the people count; when it rises (someone appeared)
 * once the ring holds BEFORE seconds, it starts a recording from BEFORE seconds before now to
 * AFTER seconds after now: vf_sources_start_recording may be called from a probe. The completion
 * callback gets the finished file (written as .part, renamed once the muxer finalised it), its
 * start, duration and frames, then ends the pipeline.
 *
 *   record-on-person CONFIG VIDEO FOLDER [BEFORE AFTER]   (default 2 s before, 3 s after)
 *
 * Prints "clip PATH duration SECONDS frames N" and exits 0 once a clip is written; the suite
 * (check-record.sh) checks the file decodes, every frame, to BEFORE + AFTER seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <vidflow/vidflow.h>

#define PERSON_CONFIDENCE 0.5f

typedef struct {
  VfSources *sources;
  guint before, after;
  /* streaming thread only */
  gint last_persons; /* -1: no frame yet */
  gboolean started;
  /* the bus thread, read after the pipeline ended */
  char *path;
  GstClockTime start, duration;
  guint frames;
  char *failure;
} Recorder;

static guint count_persons(VfFrameMeta *frame)
{
  guint n = 0;
  GPtrArray *objects = vf_frame_meta_get_objects(frame);
  for (guint i = 0; i < objects->len; i++) {
    VfObjectMeta *o = objects->pdata[i];
    const char *label = vf_object_meta_get_label(o);
    n += label && g_str_equal(label, "Person")
         && vf_object_meta_get_confidence(o) >= PERSON_CONFIDENCE;
  }
  g_ptr_array_unref(objects);
  return n;
}

/* The probe after vfinfer (streaming thread): the event, and the recording it starts. */
static void watch_people(VfBatchMeta *meta, gpointer user_data)
{
  Recorder *r = user_data;
  if (r->started || vf_batch_meta_get_n_frames(meta) == 0)
    return;
  VfFrameMeta *frame = vf_batch_meta_get_frame(meta, 0);
  if (vf_frame_meta_get_user_meta(frame, VF_FRAME_META_INFER_SKIPPED))
    return; /* vfinfer's interval: a frame it did not look at */
  gint persons = (gint)count_persons(frame);
  gboolean ring_ready = vf_frame_meta_get_pts(frame) >= r->before * GST_SECOND;
  if (ring_ready && r->last_persons >= 0 && persons > r->last_persons) {
    GError *error = NULL;
    guint session = 0;
    printf("frame %" G_GUINT64_FORMAT " at %.1f s: %d people (was %d): recording\n",
           vf_frame_meta_get_frame_number(frame), (double)vf_frame_meta_get_pts(frame) / GST_SECOND,
           persons, r->last_persons);
    if (vf_sources_start_recording(r->sources, "cam0", r->before, r->after, &session, &error)) {
      printf("recording session %u started\n", session);
    } else {
      fprintf(stderr, "record-on-person: %s\n", error->message);
      g_error_free(error);
    }
    r->started = TRUE;
  }
  r->last_persons = persons;
}

/* The completion callback (bus thread): the clip is finished; the pipeline may end. */
static void on_recording(VfPipeline *pipeline, const VfRecordingInfo *info, gpointer user_data)
{
  Recorder *r = user_data;
  if (info->path) {
    r->path = g_strdup(info->path);
    r->start = info->start;
    r->duration = info->duration;
    r->frames = info->frames;
  } else {
    r->failure = g_strdup(info->error ? info->error : "no file");
  }
  printf("recording %u of %s done (%s)\n", info->session, info->sensor_id ? info->sensor_id : "?",
         info->reason);
  vf_pipeline_send_eos(pipeline);
}

int main(int argc, char **argv)
{
  if (argc < 4) {
    fprintf(stderr, "usage: record-on-person CONFIG VIDEO FOLDER [BEFORE AFTER]\n");
    return 2;
  }
  Recorder r = { .before = argc > 5 ? (guint)atoi(argv[4]) : 2,
                 .after = argc > 5 ? (guint)atoi(argv[5]) : 3,
                 .last_persons = -1 };
  GError *error = NULL;
  vf_handle_interrupts();
  /* the ring holds a little more than the seconds asked for before the event */
  char cache[16];
  g_snprintf(cache, sizeof cache, "%u", r.before + 2);
  const char *props[] = { "smart-record",
                          "1",
                          "smart-rec-dir-path",
                          argv[3],
                          "smart-rec-cache",
                          cache,
                          "smart-rec-file-prefix",
                          "person",
                          NULL };
  VfSourcesConfig config = { .source_properties = props };
  VfPipeline *p = vf_pipeline_new("record-on-person");
  VfProbeCallbacks probe = { .on_batch_meta = watch_people };
  VfRecordingCallbacks done = { .on_recording = on_recording };
  gboolean ok
      = vf_pipeline_add(p, "vfmux", "mux", &error, "width", "384", "height", "288", NULL)
        && vf_pipeline_add(p, "vfinfer", "infer", &error, "config-file-path", argv[1], "interval",
                           "1", NULL)
        && vf_pipeline_add(p, "fakesink", "sink", &error, NULL)
        && vf_pipeline_link(p, &error, "mux", "infer", "sink", NULL)
        && vf_pipeline_attach_probe(p, "infer", NULL, vf_probe_new("people", &probe, &r), &error)
        && vf_pipeline_watch_recordings(p, &done, &r, &error) != 0
        && (r.sources = vf_pipeline_attach_sources(p, "mux", &config, &error)) != NULL
        && vf_sources_add(r.sources, argv[2], "cam0", "Hall", NULL, &error)
        && vf_pipeline_run(p, &error);
  vf_pipeline_free(p);
  int status = 0;
  if (!ok) {
    fprintf(stderr, "record-on-person: %s\n", error ? error->message : "failed");
    g_clear_error(&error);
    status = 1;
  } else if (r.path == NULL) {
    fprintf(stderr, "record-on-person: no clip: %s\n",
            r.failure   ? r.failure
            : r.started ? "the recording did not finish"
                        : "nobody appeared in the video");
    status = 1;
  } else {
    printf("clip %s duration %.3f frames %u (from %.3f s of the camera's stream)\n", r.path,
           (double)r.duration / GST_SECOND, r.frames, (double)r.start / GST_SECOND);
  }
  g_free(r.path);
  g_free(r.failure);
  return status;
}
