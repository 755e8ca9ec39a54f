/* Seed Part 1 Pattern 3 with use_multiprocessing=True, at the Feeder/Receiver level: the same
 * two pipelines as pipeline-transfer, but in two processes, joined by a named VfIpcQueue
 * (ipc-queue.h) instead of an in-process VfFrameQueue.
 *
 *   child process:  uridecodebin -> videoconvert -> RGB 640x360 -> appsink + retriever -> queue
 *   this process:   queue -> provider -> appsrc -> videoconvert -> x264enc -> mp4 (or fakesink)
 *
 * Frames cross in shared memory (the provider hands on read-only views of the child's pages,
 * nothing is pickled or copied on this side), end of stream crosses, and a child that dies ends
 * this pipeline with an error instead of a hang. Both processes print a checksum of the frames
 * they saw, in order, so a test can tell every frame arrived intact.
 * usage: ipc-queue-transfer [--output FILE.mp4] VIDEO
 * (the child runs as: ipc-queue-transfer --produce NAME VIDEO) */
#include <sys/wait.h>
#include <unistd.h>
#include <vidflow/vidflow.h>

#define WIDTH 640
#define HEIGHT 360
#define CAPACITY 4
/* how long either side waits for the other to appear, and the producer for the last release */
#define PEER_WAIT_US (30 * G_USEC_PER_SEC)

typedef struct {
  VfIpcQueue *queue;
  guint count;
  guint64 checksum; /* over the frames' bytes, in order */
  guint64 shared;   /* frames that arrived read-only (views of the producer's memory) */
} Side;

static void add_to_checksum(Side *s, VfBuffer *buffer)
{
  GstBuffer *b = vf_buffer_get_gst_buffer(buffer);
  GstMapInfo map;
  if (b == NULL || !gst_buffer_map(b, &map, GST_MAP_READ))
    return;
  guint64 sum = 0;
  for (gsize i = 0; i < map.size; i++)
    sum += map.data[i];
  gst_buffer_unmap(b, &map);
  s->checksum = s->checksum * 1000003u + sum;
  s->count++;
}

/* Child, receiver thread: every decoded frame into the queue (waits while the queue is full). */
static int queue_frame(VfBuffer *buffer, gpointer user_data)
{
  Side *s = user_data;
  add_to_checksum(s, buffer);
  GError *err = NULL;
  VfQueueStatus status = vf_ipc_queue_push(s->queue, buffer, -1, &err);
  if (status == VF_QUEUE_OK)
    return VF_CONSUME_OK;
  if (err)
    g_printerr("ipc-queue-transfer (producer): %s\n", err->message);
  g_clear_error(&err);
  return VF_CONSUME_STOP;
}

/* This process, feeder thread: the next frame from the other process; NULL ends the stream
 * (closed: the end; an error: the pipeline fails with it). */
static VfBuffer *next_frame(gsize size, gpointer user_data, GError **error)
{
  (void)size;
  Side *s = user_data;
  VfBuffer *buffer = NULL;
  if (vf_ipc_queue_pop(s->queue, &buffer, -1, error) != VF_QUEUE_OK)
    return NULL;
  GstBuffer *b = vf_buffer_get_gst_buffer(buffer);
  if (gst_buffer_n_memory(b) == 1 && GST_MEMORY_IS_READONLY(gst_buffer_peek_memory(b, 0)))
    s->shared++;
  add_to_checksum(s, buffer);
  return buffer;
}

static int produce(const char *name, const char *uri)
{
  VfIpcQueueOptions opt = { CAPACITY, VF_IPC_FULL_BLOCK, PEER_WAIT_US };
  GError *err = NULL;
  Side s = { vf_ipc_queue_new_producer(name, &opt, &err), 0, 0, 0 };
  if (s.queue == NULL) {
    g_printerr("ipc-queue-transfer (producer): %s\n", err->message);
    g_clear_error(&err);
    return 1;
  }
  char caps[128];
  g_snprintf(caps, sizeof caps, "video/x-raw,format=RGB,width=%d,height=%d", WIDTH, HEIGHT);
  VfRetrieverCallbacks retriever = { queue_frame, NULL };
  VfPipeline *a = vf_pipeline_new("source-pipeline");
  gboolean ok = vf_pipeline_add(a, "uridecodebin", "src", &err, "uri", uri, NULL)
                && vf_pipeline_add(a, "videoconvert", "convert", &err, NULL)
                && vf_pipeline_add(a, "videoscale", "scale", &err, NULL)
                && vf_pipeline_add(a, "capsfilter", "caps", &err, "caps", caps, NULL)
                && vf_pipeline_add(a, "appsink", "sink", &err, "sync", "false", NULL)
                && vf_pipeline_link(a, &err, "src", "convert", "scale", "caps", "sink", NULL)
                && vf_pipeline_attach_receiver(
                    a, "sink", vf_receiver_new("to-queue", &retriever, &s), "new-sample", &err)
                && vf_pipeline_run(a, &err);
  /* the end crosses; then wait until the other side is done with our frames */
  vf_ipc_queue_close(s.queue);
  ok = ok && vf_ipc_queue_drain(s.queue, PEER_WAIT_US, &err);
  if (!ok)
    g_printerr("ipc-queue-transfer (producer): %s\n", err->message);
  else
    g_print("producer: sent %u frames, checksum %" G_GUINT64_FORMAT "\n", s.count, s.checksum);
  g_clear_error(&err);
  vf_pipeline_free(a);
  vf_ipc_queue_free(s.queue);
  return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
  char *output = NULL, *produce_name = NULL;
  GOptionEntry entries[] = { { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
                               "MP4 to write (default: discard)", "FILE" },
                             { "produce", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING,
                               &produce_name, "run as the decoding child on queue NAME", "NAME" },
                             { NULL } };
  GError *err = NULL;
  GOptionContext *ctx = g_option_context_new("VIDEO - decode in a child process, encode here");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2) {
    g_printerr("%s\n", err ? err->message : "usage: ipc-queue-transfer [--output FILE] VIDEO");
    return 2;
  }
  g_option_context_free(ctx);
  if (!vf_init(&err)) {
    g_printerr("ipc-queue-transfer: %s\n", err->message);
    return 1;
  }
  char *uri = gst_uri_is_valid(argv[1]) ? g_strdup(argv[1]) : gst_filename_to_uri(argv[1], NULL);
  if (produce_name) {
    int rc = produce(produce_name, uri);
    g_free(uri);
    g_free(produce_name);
    return rc;
  }

  /* one queue name per run, so that two runs never meet */
  char *name = g_strdup_printf("vidflow-example-%d", (int)getpid());
  VfIpcQueueOptions opt = { CAPACITY, VF_IPC_FULL_BLOCK, PEER_WAIT_US };
  Side s = { vf_ipc_queue_new_consumer(name, &opt, &err), 0, 0, 0 };
  char *self = g_file_read_link("/proc/self/exe", NULL);
  char *child_argv[] = { self, "--produce", name, argv[1], NULL };
  GPid child = 0;
  int status = 1;
  if (s.queue == NULL
      || !g_spawn_async(NULL, child_argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &child,
                        &err)) {
    g_printerr("ipc-queue-transfer: %s\n", err->message);
    g_clear_error(&err);
    goto out;
  }

  VfProviderCallbacks provider = { next_frame, NULL };
  VfProviderInfo info = { VF_COLOR_FORMAT_RGB, WIDTH, HEIGHT, 30, 1, VF_DEVICE_CPU };
  VfPipeline *b = vf_pipeline_new("dest-pipeline");
  gboolean ok
      = vf_pipeline_add(b, "appsrc", "src", &err, NULL)
        && vf_pipeline_add(b, "videoconvert", "convert", &err, NULL)
        && vf_pipeline_attach_feeder(b, "src", vf_feeder_new("from-queue", &info, &provider, &s),
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
  vf_handle_interrupts();
  ok = ok && vf_pipeline_run(b, &err);
  vf_pipeline_free(b);
  /* our views of the child's memory are gone: its drain ends, then the child */
  vf_ipc_queue_free(s.queue);
  s.queue = NULL;
  int child_status = 0;
  waitpid(child, &child_status, 0);
  g_spawn_close_pid(child);
  if (!ok) {
    g_printerr("ipc-queue-transfer: %s\n", err->message);
  } else if (!WIFEXITED(child_status) || WEXITSTATUS(child_status) != 0) {
    g_printerr("ipc-queue-transfer: the decoding process failed\n");
  } else {
    g_print("consumer: received %u frames across processes (%" G_GUINT64_FORMAT
            " read in the producer's memory), checksum %" G_GUINT64_FORMAT "%s%s\n",
            s.count, s.shared, s.checksum, output ? ", encoded to " : "", output ? output : "");
    status = 0;
  }
  g_clear_error(&err);
out:
  vf_ipc_queue_free(s.queue);
  g_free(self);
  g_free(name);
  g_free(uri);
  g_free(output);
  return status;
}
