/* Cameras added and removed while the pipeline runs (DeepStream's nvmultiurisrcbin through the C
 * API: VfSources, vidflow/sources.h).
 *
 * Two cameras (here: a video file each) start the pipeline, sources -> vfmux -> fakesink at real
 * time. Once the first has given 10 frames a third camera is added; once that one has given 10
 * frames the first is removed: it drains (every frame it decoded still reaches the batches), its
 * end goes downstream and to the bus, and the others never stop. The pipeline ends when the last
 * camera's stream ends. A probe counts the frames of each source in the batches and a bus watch
 * prints the source messages.
 *
 *   dynamic-sources VIDEO FRAMES   (FRAMES: how many frames VIDEO has)
 *
 * Exit status 0 when every camera gave what it should: the removed one fewer than FRAMES, the
 * two others all FRAMES, each announced as added and ended once, and the removed one as removed
 * (the camera whose end ends the stream is not: vfmux keeps its pad to the end). */
#include <stdio.h>
#include <stdlib.h>
#include <vidflow/vidflow.h>

#define CAMERAS 3

typedef struct {
  GMutex lock;
  GCond cond;
  guint64 frames[CAMERAS];
  guint added[CAMERAS], ended[CAMERAS], removed[CAMERAS];
} Counts;

/* The probe (streaming thread): frames per source id. */
static void count_frames(VfBatchMeta *meta, gpointer user_data)
{
  Counts *c = user_data;
  g_mutex_lock(&c->lock);
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++) {
    guint id = vf_frame_meta_get_source_id(vf_batch_meta_get_frame(meta, i));
    if (id < CAMERAS)
      c->frames[id]++;
  }
  g_cond_broadcast(&c->cond);
  g_mutex_unlock(&c->lock);
}

/* The bus watch (the pipeline's bus thread): the source messages. */
static void on_message(VfPipeline *pipeline, GstMessage *message, gpointer user_data)
{
  (void)pipeline;
  Counts *c = user_data;
  VfSourceMessage m;
  if (!vf_source_message_parse(message, &m) || m.source_id < 0 || m.source_id >= CAMERAS)
    return;
  g_mutex_lock(&c->lock);
  if (m.type == VF_SOURCE_MESSAGE_ADDED)
    c->added[m.source_id]++;
  else if (m.type == VF_SOURCE_MESSAGE_EOS)
    c->ended[m.source_id]++;
  else if (m.type == VF_SOURCE_MESSAGE_REMOVED)
    c->removed[m.source_id]++;
  g_mutex_unlock(&c->lock);
  printf("source %d (%s:%s): %s\n", m.source_id, m.element, m.pad_name ? m.pad_name : "-",
         m.type == VF_SOURCE_MESSAGE_ADDED     ? "added"
         : m.type == VF_SOURCE_MESSAGE_EOS     ? "ended"
         : m.type == VF_SOURCE_MESSAGE_REMOVED ? "removed"
                                               : "other message");
}

/* Waits (application thread) until source `id` gave `n` frames; FALSE after 30 s. */
static gboolean wait_frames(Counts *c, guint id, guint64 n)
{
  gint64 until = g_get_monotonic_time() + 30 * G_TIME_SPAN_SECOND;
  g_mutex_lock(&c->lock);
  gboolean ok = TRUE;
  while (c->frames[id] < n && ok)
    ok = g_cond_wait_until(&c->cond, &c->lock, until);
  ok = c->frames[id] >= n;
  g_mutex_unlock(&c->lock);
  return ok;
}

int main(int argc, char **argv)
{
  if (argc < 3) {
    fprintf(stderr, "usage: dynamic-sources VIDEO FRAMES\n");
    return 2;
  }
  const char *video = argv[1];
  guint64 expected = g_ascii_strtoull(argv[2], NULL, 10);
  GError *error = NULL;
  Counts c = { 0 };
  g_mutex_init(&c.lock);
  g_cond_init(&c.cond);
  vf_handle_interrupts();

  VfPipeline *p = vf_pipeline_new("dynamic-sources");
  VfProbeCallbacks probe = { .on_batch_meta = count_frames };
  VfBusWatchCallbacks watch = { .on_message = on_message };
  VfSources *sources = NULL;
  gboolean ok
      = vf_pipeline_add(p, "vfmux", "mux", &error, "width", "320", "height", "240", "live-source",
                        "true", NULL)
        && vf_pipeline_add(p, "fakesink", "sink", &error, "sync", "true", NULL)
        && vf_pipeline_link(p, &error, "mux", "sink", NULL)
        && vf_pipeline_attach_probe(p, "mux", NULL, vf_probe_new("count", &probe, &c), &error)
        && vf_pipeline_add_bus_watch(p, GST_MESSAGE_ELEMENT, &watch, &c, &error) != 0
        && (sources = vf_pipeline_attach_sources(p, "mux", NULL, &error)) != NULL
        && vf_sources_add(sources, video, "door", "Front door", NULL, &error)
        && vf_sources_add(sources, video, "yard", "Yard", NULL, &error)
        && vf_pipeline_start(p, &error);
  /* while it runs: a third camera, then the first one goes */
  if (ok && !wait_frames(&c, 0, 10))
    g_set_error(&error, VF_ERROR, VF_ERROR_STREAM, "camera 'door' gave no 10 frames in 30 s");
  ok = ok && error == NULL && vf_sources_add(sources, video, "gate", "Gate", NULL, &error);
  if (ok && !wait_frames(&c, 2, 10))
    g_set_error(&error, VF_ERROR, VF_ERROR_STREAM, "camera 'gate' gave no 10 frames in 30 s");
  ok = ok && error == NULL && vf_sources_remove(sources, "door", &error);
  if (ok)
    printf("cameras now: %u\n", vf_sources_get_count(sources));
  /* the two others end by themselves, then the pipeline does */
  ok = ok && vf_pipeline_wait(p, &error);
  if (!ok) {
    fprintf(stderr, "dynamic-sources: %s\n", error ? error->message : "failed");
    g_clear_error(&error);
    vf_pipeline_free(p);
    return 1;
  }
  vf_pipeline_free(p);

  const char *names[CAMERAS] = { "door (removed)", "yard", "gate (added later)" };
  int status = 0;
  for (guint i = 0; i < CAMERAS; i++) {
    printf("%s: %" G_GUINT64_FORMAT " frames; added %u, ended %u, removed %u\n", names[i],
           c.frames[i], c.added[i], c.ended[i], c.removed[i]);
    gboolean right = i == 0 ? c.frames[i] >= 10 && c.frames[i] < expected : c.frames[i] == expected;
    /* the camera whose end ends the whole stream stays to the end (no "removed" for it) */
    guint removed = i == 0 ? 1 : c.removed[i];
    if (!right || c.added[i] != 1 || c.ended[i] != 1 || c.removed[i] != removed || removed > 1)
      status = 1;
  }
  g_mutex_clear(&c.lock);
  g_cond_clear(&c.cond);
  return status;
}
