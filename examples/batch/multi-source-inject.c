/* Inject from multiple custom sources (seed Part 1, "Inject from multiple custom sources").
 *
 * Three providers generate synthetic RGB frames (a moving gradient, each its own length); each
 * feeds its own appsrc, and vfmux batches the three streams. A batch-metadata probe on the muxer
 * counts each source's frames, and the receiver checks that every batch holds one frame per
 * source still running.
 *
 *   multi-source-inject [frames]   (default 60; the sources give frames, frames/2, frames/3) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vidflow/vidflow.h>

#define N_SOURCES 3
#define WIDTH 320
#define HEIGHT 240

typedef struct {
  guint source_id;
  guint64 frame_idx, num_frames;
} SyntheticProvider;

static VfBuffer *generate(gsize size, gpointer user_data, GError **error)
{
  SyntheticProvider *p = user_data;
  if (p->frame_idx >= p->num_frames)
    return vf_buffer_new_empty(); /* end of stream */
  VfBuffer *b = vf_buffer_new_frame(VF_COLOR_FORMAT_RGB, WIDTH, HEIGHT, error);
  if (b == NULL)
    return NULL;
  VfTensor *t = vf_buffer_extract_writable(b, 0, error);
  if (t == NULL) {
    vf_buffer_unref(b);
    return NULL;
  }
  guint8 *px = vf_tensor_get_data(t);
  guint offset = (guint)(p->frame_idx * 5 % 255);
  for (guint y = 0; y < HEIGHT; y++)
    for (guint x = 0; x < WIDTH; x++) {
      guint8 *d = px + ((gsize)y * WIDTH + x) * 3;
      d[0] = (guint8)((x * 255 / WIDTH + offset) % 255);
      d[1] = (guint8)((y * 255 / HEIGHT + offset) % 255);
      d[2] = (guint8)(64 * p->source_id);
    }
  vf_tensor_unref(t);
  (void)size;
  p->frame_idx++;
  return b;
}

typedef struct {
  guint64 frames[N_SOURCES];
} Counter;

static void count_frames(VfBatchMeta *meta, gpointer user_data)
{
  Counter *c = user_data;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++) {
    guint id = vf_frame_meta_get_source_id(vf_batch_meta_get_frame(meta, i));
    if (id < N_SOURCES)
      c->frames[id]++;
  }
}

typedef struct {
  guint64 batches, frames;
} Received;

static int consume(VfBuffer *buffer, gpointer user_data)
{
  Received *r = user_data;
  r->batches++;
  r->frames += vf_buffer_get_batch_size(buffer);
  return VF_CONSUME_OK;
}

int main(int argc, char **argv)
{
  guint64 frames = argc > 1 ? g_ascii_strtoull(argv[1], NULL, 10) : 60;
  GError *error = NULL;
  vf_handle_interrupts();
  VfPipeline *p = vf_pipeline_new("multi-source-injection");
  gboolean ok = p != NULL;
  SyntheticProvider providers[N_SOURCES];
  for (guint i = 0; ok && i < N_SOURCES; i++) {
    char name[16];
    g_snprintf(name, sizeof name, "src%u", i);
    /* No caps on the appsrc: the feeder derives them from the provider's fields. */
    ok = vf_pipeline_add(p, "appsrc", name, &error, "do-timestamp", "false", NULL);
    providers[i] = (SyntheticProvider){ i, 0, frames / (i + 1) };
    VfProviderInfo info = { VF_COLOR_FORMAT_RGB, WIDTH, HEIGHT, 30, 1, VF_DEVICE_CPU };
    VfProviderCallbacks cb = { generate, NULL };
    ok = ok
         && vf_pipeline_attach_feeder(p, name, vf_feeder_new(name, &info, &cb, &providers[i]),
                                      "need-data/enough-data", &error);
  }
  ok = ok && vf_pipeline_add(p, "vfmux", "mux", &error, "batch-size", "3", NULL)
       && vf_pipeline_add(p, "appsink", "sink", &error, "sync", "false", NULL);
  for (guint i = 0; ok && i < N_SOURCES; i++) {
    char name[16];
    g_snprintf(name, sizeof name, "src%u", i);
    ok = vf_pipeline_link_pads(p, name, NULL, "mux", "sink_%u", &error);
  }
  ok = ok && vf_pipeline_link(p, &error, "mux", "sink", NULL);

  Counter counter = { 0 };
  VfProbeCallbacks pcb = { 0 };
  pcb.on_batch_meta = count_frames;
  Received received = { 0 };
  VfRetrieverCallbacks rcb = { consume, NULL };
  ok = ok
       && vf_pipeline_attach_probe(p, "mux", NULL, vf_probe_new("counter", &pcb, &counter), &error)
       && vf_pipeline_attach_receiver(p, "sink", vf_receiver_new("receiver", &rcb, &received), NULL,
                                      &error)
       && vf_pipeline_run(p, &error);
  if (!ok) {
    fprintf(stderr, "multi-source-inject: %s\n", error ? error->message : "failed");
    g_clear_error(&error);
    vf_pipeline_free(p);
    return 1;
  }
  vf_pipeline_free(p);
  int status = 0;
  for (guint i = 0; i < N_SOURCES; i++) {
    printf("source %u: %" G_GUINT64_FORMAT " frames injected, %" G_GUINT64_FORMAT " batched\n", i,
           providers[i].frame_idx, counter.frames[i]);
    if (counter.frames[i] != frames / (i + 1))
      status = 1;
  }
  printf("%" G_GUINT64_FORMAT " batches, %" G_GUINT64_FORMAT " frames received\n", received.batches,
         received.frames);
  if (received.batches != frames || received.frames != frames + frames / 2 + frames / 3)
    status = 1;
  return status;
}
