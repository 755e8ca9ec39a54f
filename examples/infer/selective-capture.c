/* Seed Part 2, Pattern 3: selective frame capture. A metadata probe counts the people vfinfer
 * found in each frame and, when there are at least --min-people, tells the retriever to save
 * that frame as a JPEG.
 *
 *   filesrc ! decodebin ! vfmux format=RGB ! vfinfer ! vfosd ! appsink (+ retriever)
 *                                            ^ probe: count people, trigger
 *
 * The probe runs on the streaming thread, the retriever on the receiver's thread, frames
 * apart: instead of the seed's single "capture next" flag (which a second frame can overwrite
 * before the retriever reads it), the trigger is a table keyed by (source, frame number), under a
 * lock: the retriever saves exactly the frames the probe chose.
 *
 * usage: selective-capture --config YAML [--min-people N] [--label L] [--output-dir DIR]
 *                          [--max-frames N] [--raw] VIDEO
 * Files: DIR/capture_<frame number>.jpg (with boxes; --raw: without). */
#include <stdio.h>
#include <vidflow/vidflow.h>

typedef struct {
  GMutex lock;
  GHashTable *chosen; /* key (source << 40 | frame number) -> people + 1 */
  guint min_people;
  const char *label; /* interned */
  const char *dir;
  guint64 frames, triggered, saved;
  guint64 max_batches, batches;
  VfPipeline *pipeline;
} Capture;

static gpointer frame_key(VfFrameMeta *frame)
{
  guint64 key = ((guint64)vf_frame_meta_get_source_id(frame) << 40)
                | (vf_frame_meta_get_frame_number(frame) & ((G_GUINT64_CONSTANT(1) << 40) - 1));
  return GSIZE_TO_POINTER((gsize)key);
}

/* The trigger (the seed's ObjectDetectionTrigger): streaming thread. */
static void count_people(VfBatchMeta *batch, gpointer user_data)
{
  Capture *c = user_data;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(batch); i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(batch, i);
    GPtrArray *objects = vf_frame_meta_get_objects(frame);
    guint people = 0;
    for (guint k = 0; k < objects->len; k++)
      people += vf_object_meta_get_label(g_ptr_array_index(objects, k)) == c->label;
    g_ptr_array_unref(objects);
    if (people >= c->min_people) {
      g_mutex_lock(&c->lock);
      g_hash_table_insert(c->chosen, frame_key(frame), GUINT_TO_POINTER(people + 1));
      c->triggered++;
      g_mutex_unlock(&c->lock);
    }
  }
}

/* The retriever (the seed's SelectiveFrameCapture.consume): receiver thread. */
static int consume(VfBuffer *buffer, gpointer user_data)
{
  Capture *c = user_data;
  VfBatchMeta *batch = vf_buffer_get_batch_meta(buffer);
  for (guint i = 0; batch && i < vf_batch_meta_get_n_frames(batch); i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(batch, i);
    g_mutex_lock(&c->lock);
    guint people = GPOINTER_TO_UINT(g_hash_table_lookup(c->chosen, frame_key(frame)));
    g_hash_table_remove(c->chosen, frame_key(frame));
    c->frames++;
    g_mutex_unlock(&c->lock);
    if (people-- == 0)
      continue;
    GError *err = NULL;
    VfTensor *t = vf_buffer_extract(buffer, i, &err); /* frame i of the batch, no copy */
    char *name = g_strdup_printf("capture_%06" G_GUINT64_FORMAT ".jpg",
                                 vf_frame_meta_get_frame_number(frame));
    char *path = g_build_filename(c->dir, name, NULL);
    if (t && vf_tensor_save_image(t, path, 90, &err)) {
      g_print("frame %" G_GUINT64_FORMAT ": %u %s(s) -> %s\n",
              vf_frame_meta_get_frame_number(frame), people, c->label, path);
      c->saved++;
    } else {
      g_printerr("frame %" G_GUINT64_FORMAT ": %s\n", vf_frame_meta_get_frame_number(frame),
                 err->message);
      g_clear_error(&err);
    }
    if (t)
      vf_tensor_unref(t);
    g_free(path);
    g_free(name);
  }
  return VF_CONSUME_OK;
}

static VfProbeReturn limit(VfBuffer *buffer, gpointer user_data)
{
  (void)buffer;
  Capture *c = user_data;
  if (c->max_batches == 0)
    return VF_PROBE_KEEP;
  if (++c->batches == c->max_batches)
    vf_pipeline_send_eos(c->pipeline);
  return c->batches <= c->max_batches ? VF_PROBE_KEEP : VF_PROBE_DROP;
}

int main(int argc, char **argv)
{
  char *config = NULL, *dir = NULL, *label = NULL;
  gint min_people = 2, max_frames = 0;
  gboolean raw = FALSE;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "vfinfer config (YAML)", "YAML" },
    { "min-people", 'm', 0, G_OPTION_ARG_INT, &min_people, "Capture frames with at least N (2)",
      "N" },
    { "label", 'l', 0, G_OPTION_ARG_STRING, &label, "What to count (default: Person)", "L" },
    { "output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &dir, "Where the JPEGs go (captured/)", "DIR" },
    { "max-frames", 'n', 0, G_OPTION_ARG_INT, &max_frames, "Stop after N frames", "N" },
    { "raw", 0, 0, G_OPTION_ARG_NONE, &raw, "Save frames without boxes", NULL },
    { NULL },
  };
  GError *err = NULL;
  GOptionContext *ctx = g_option_context_new("VIDEO - save the frames with enough people");
  g_option_context_add_main_entries(ctx, entries, NULL);
  gboolean parsed = g_option_context_parse(ctx, &argc, &argv, &err);
  g_option_context_free(ctx);
  if (!parsed || argc != 2 || config == NULL || min_people < 1 || max_frames < 0) {
    g_printerr("selective-capture: %s\n",
               err ? err->message : "usage: selective-capture --config YAML VIDEO");
    g_clear_error(&err);
    return 2;
  }
  if (dir == NULL)
    dir = g_strdup("captured");
  g_mkdir_with_parents(dir, 0755);
  Capture c = { .chosen = g_hash_table_new(NULL, NULL),
                .min_people = (guint)min_people,
                .label = g_intern_string(label ? label : "Person"),
                .dir = dir,
                .max_batches = (guint64)max_frames };
  g_mutex_init(&c.lock);

  VfProbeCallbacks trigger = { .on_batch_meta = count_people }, limiter = { .on_buffer = limit };
  VfRetrieverCallbacks retriever = { .consume = consume };
  VfPipeline *p = c.pipeline = vf_pipeline_new("selective-capture");
  gboolean ok
      = vf_pipeline_add(p, "filesrc", "src", &err, "location", argv[1], NULL)
        && vf_pipeline_add(p, "decodebin", "decode", &err, NULL)
        && vf_pipeline_add(p, "vfmux", "mux", &err, "batch-size", "1", "format", "RGB", NULL)
        && vf_pipeline_add(p, "vfinfer", "infer", &err, "config-file-path", config, NULL)
        && vf_pipeline_add(p, raw ? "identity" : "vfosd", "osd", &err, NULL)
        && vf_pipeline_add(p, "appsink", "sink", &err, "sync", "false", NULL)
        && vf_pipeline_link(p, &err, "src", "decode", NULL)
        && vf_pipeline_link_pads(p, "decode", NULL, "mux", "sink_%u", &err)
        && vf_pipeline_link(p, &err, "mux", "infer", "osd", "sink", NULL)
        && vf_pipeline_attach_probe(p, "mux", NULL, vf_probe_new("limit", &limiter, &c), &err)
        && vf_pipeline_attach_probe(p, "infer", NULL, vf_probe_new("trigger", &trigger, &c), &err)
        && vf_pipeline_attach_receiver(p, "sink", vf_receiver_new("capture", &retriever, &c),
                                       "new-sample", &err);
  vf_handle_interrupts();
  if (ok)
    ok = vf_pipeline_run(p, &err);
  vf_pipeline_free(p);
  if (ok)
    g_print("%" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT " with at least %u %s(s), "
            "%" G_GUINT64_FORMAT " saved in %s\n",
            c.frames, c.triggered, c.min_people, c.label, c.saved, dir);
  else
    g_printerr("selective-capture: %s\n", err ? err->message : "failed");
  g_clear_error(&err);
  g_hash_table_unref(c.chosen);
  g_mutex_clear(&c.lock);
  g_free(config);
  g_free(dir);
  g_free(label);
  return ok && c.saved == c.triggered ? 0 : 1;
}
