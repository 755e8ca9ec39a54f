/* Seed Part 1 Pattern 3 + Part 2 Pattern 2: pipeline-to-pipeline transfer through a queue.
 *
 *   pipeline A: uridecodebin -> videoconvert -> RGB 1280x720 -> appsink + retriever -> VfFrameQueue
 *   pipeline B: VfFrameQueue -> provider -> appsrc -> videoconvert -> x264enc -> mp4 (or fakesink)
 *
 * Both run in threads of one process; frames cross the bounded queue by reference (no copy), and
 * end of stream crosses it too (the retriever closes the queue when A ends).
 * usage: pipeline-transfer [--output FILE.mp4] VIDEO */
#include <vidflow/vidflow.h>

#define WIDTH 640
#define HEIGHT 360

typedef struct {
  VfFrameQueue *queue;
  guint count;
  GHashTable *seen; /* data pointers handed over, to show nothing was copied */
  GMutex lock;
} Transfer;

static int queue_frame(VfBuffer *buffer, gpointer user_data)
{
  Transfer *t = user_data;
  VfTensor *view = vf_buffer_extract(buffer, 0, NULL);
  if (view) {
    g_mutex_lock(&t->lock);
    g_hash_table_add(t->seen, vf_tensor_get_data(view));
    g_mutex_unlock(&t->lock);
    vf_tensor_unref(view);
  }
  /* hand the buffer (a reference, not a copy) to the other pipeline; a full queue blocks until B
   * takes one, B is gone (CLOSED) or this pipeline stops (CANCELLED) */
  if (vf_frame_queue_push(t->queue, buffer, -1) != VF_QUEUE_OK)
    return VF_CONSUME_STOP;
  return VF_CONSUME_OK;
}

static VfBuffer *next_frame(gsize size, gpointer user_data, GError **error)
{
  (void)size;
  (void)error;
  Transfer *t = user_data;
  VfBuffer *buffer = NULL;
  if (vf_frame_queue_pop(t->queue, &buffer, -1) != VF_QUEUE_OK)
    return NULL; /* closed and drained (end of stream), or this pipeline stops (CANCELLED) */
  VfTensor *view = vf_buffer_extract(buffer, 0, NULL);
  g_mutex_lock(&t->lock);
  gboolean same_memory = view && g_hash_table_contains(t->seen, vf_tensor_get_data(view));
  g_mutex_unlock(&t->lock);
  if (view)
    vf_tensor_unref(view);
  if (!same_memory)
    g_printerr("frame %u was copied on its way\n", t->count);
  t->count++;
  return buffer;
}

typedef struct {
  VfPipeline *pipeline;
  VfFrameQueue *queue; /* closed when the pipeline ends, whatever the reason */
  gboolean ok;
  GError *error;
} Runner;

static gpointer run_pipeline(gpointer data)
{
  Runner *r = data;
  r->ok = vf_pipeline_run(r->pipeline, &r->error);
  vf_frame_queue_close(r->queue);
  return NULL;
}

int main(int argc, char **argv)
{
  char *output = NULL;
  GOptionEntry entries[] = { { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
                               "MP4 to write (default: discard)", "FILE" },
                             { NULL } };
  GError *err = NULL;
  GOptionContext *ctx = g_option_context_new("VIDEO - decode in one pipeline, encode in another");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2) {
    g_printerr("%s\n", err ? err->message : "usage: pipeline-transfer [--output FILE] VIDEO");
    return 2;
  }
  g_option_context_free(ctx);
  char *uri = gst_uri_is_valid(argv[1]) ? g_strdup(argv[1]) : gst_filename_to_uri(argv[1], NULL);

  Transfer t = { vf_frame_queue_new(10), 0, g_hash_table_new(NULL, NULL), { 0 } };
  g_mutex_init(&t.lock);
  VfRetrieverCallbacks retriever = { queue_frame, NULL };
  VfProviderCallbacks provider = { next_frame, NULL };
  VfProviderInfo info = { VF_COLOR_FORMAT_RGB, WIDTH, HEIGHT, 30, 1, VF_DEVICE_CPU };
  char caps[128];
  g_snprintf(caps, sizeof caps, "video/x-raw,format=RGB,width=%d,height=%d", WIDTH, HEIGHT);

  VfPipeline *a = vf_pipeline_new("source-pipeline");
  gboolean ok = vf_pipeline_add(a, "uridecodebin", "src", &err, "uri", uri, NULL)
                && vf_pipeline_add(a, "videoconvert", "convert", &err, NULL)
                && vf_pipeline_add(a, "videoscale", "scale", &err, NULL)
                && vf_pipeline_add(a, "capsfilter", "caps", &err, "caps", caps, NULL)
                && vf_pipeline_add(a, "appsink", "sink", &err, "sync", "false", NULL)
                && vf_pipeline_link(a, &err, "src", "convert", "scale", "caps", "sink", NULL)
                && vf_pipeline_attach_receiver(a, "sink", vf_receiver_new("queued", &retriever, &t),
                                               "new-sample", &err);
  VfPipeline *b = vf_pipeline_new("dest-pipeline");
  ok = ok && vf_pipeline_add(b, "appsrc", "src", &err, NULL)
       && vf_pipeline_add(b, "videoconvert", "convert", &err, NULL)
       && vf_pipeline_attach_feeder(b, "src", vf_feeder_new("from-queue", &info, &provider, &t),
                                    "need-data/enough-data", &err);
  if (ok && output)
    ok = vf_pipeline_add(b, "capsfilter", "i420", &err, "caps", "video/x-raw,format=I420", NULL)
         && vf_pipeline_add(b, "x264enc", "encoder", &err, "speed-preset", "veryfast", NULL)
         && vf_pipeline_add(b, "mp4mux", "mux", &err, NULL)
         && vf_pipeline_add(b, "filesink", "sink", &err, "location", output, NULL)
         && vf_pipeline_link(b, &err, "src", "convert", "i420", "encoder", "mux", "sink", NULL);
  else if (ok)
    ok = vf_pipeline_add(b, "fakesink", "sink", &err, NULL)
         && vf_pipeline_link(b, &err, "src", "convert", "sink", NULL);
  int status = 1;
  if (!ok) {
    g_printerr("pipeline-transfer: %s\n", err->message);
  } else {
    vf_handle_interrupts();
    Runner ra = { a, t.queue, FALSE, NULL }, rb = { b, t.queue, FALSE, NULL };
    GThread *ta = g_thread_new("A", run_pipeline, &ra), *tb = g_thread_new("B", run_pipeline, &rb);
    g_thread_join(tb);
    g_thread_join(ta);
    if (!ra.ok || !rb.ok)
      g_printerr("pipeline-transfer: %s\n", (ra.error ? ra.error : rb.error)->message);
    else {
      g_print("transferred %u frames without copying them%s%s\n", t.count,
              output ? ", encoded to " : "", output ? output : "");
      status = 0;
    }
    g_clear_error(&ra.error);
    g_clear_error(&rb.error);
  }
  g_clear_error(&err);
  vf_pipeline_free(a);
  vf_pipeline_free(b);
  vf_frame_queue_free(t.queue);
  g_hash_table_unref(t.seen);
  g_mutex_clear(&t.lock);
  g_free(uri);
  g_free(output);
  return status;
}
