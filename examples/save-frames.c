/* Seed Part 2, Pattern 1: extract every Nth frame of a video and save it as a JPEG.
 *
 *   uridecodebin -> videoconvert -> RGB -> appsink (+ a retriever that saves frames)
 *
 * usage: save-frames [--every N] [--output-dir DIR] VIDEO */
#include <vidflow/vidflow.h>

#include <glib/gstdio.h>

typedef struct {
  const char *dir;
  guint every, count, saved;
} FrameSaver;

static int consume(VfBuffer *buffer, gpointer user_data)
{
  FrameSaver *s = user_data;
  guint n = s->count++;
  if (n % s->every != 0)
    return VF_CONSUME_OK;
  GError *err = NULL;
  /* a view, not a copy: it keeps the frame alive as long as we hold it */
  VfTensor *frame = vf_buffer_extract(buffer, 0, &err);
  char *name = g_strdup_printf("%s/frame_%06u.jpg", s->dir, n);
  gboolean ok = frame && vf_tensor_save_image(frame, name, 90, &err);
  if (ok) {
    g_print("saved %s\n", name);
    s->saved++;
  } else {
    g_printerr("frame %u: %s\n", n, err->message);
    g_clear_error(&err);
  }
  g_free(name);
  if (frame)
    vf_tensor_unref(frame);
  return ok ? VF_CONSUME_OK : VF_CONSUME_ERROR;
}

int main(int argc, char **argv)
{
  gint every = 30;
  char *dir = NULL;
  GOptionEntry entries[]
      = { { "every", 'n', 0, G_OPTION_ARG_INT, &every, "save every Nth frame (default 30)", "N" },
          { "output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &dir, "where to write (default ./frames)",
            "DIR" },
          { NULL } };
  GError *err = NULL;
  GOptionContext *ctx = g_option_context_new("VIDEO - save every Nth frame as JPEG");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2 || every < 1) {
    g_printerr("%s\n",
               err ? err->message : "usage: save-frames [--every N] [--output-dir DIR] VIDEO");
    return 2;
  }
  g_option_context_free(ctx);
  if (dir == NULL)
    dir = g_strdup("frames");
  if (g_mkdir_with_parents(dir, 0755) != 0) {
    g_printerr("cannot create %s\n", dir);
    return 1;
  }
  char *uri = gst_uri_is_valid(argv[1]) ? g_strdup(argv[1]) : gst_filename_to_uri(argv[1], NULL);

  FrameSaver saver = { dir, (guint)every, 0, 0 };
  VfRetrieverCallbacks retriever = { consume, NULL };
  VfPipeline *p = vf_pipeline_new("frame-extractor");
  gboolean ok
      = vf_pipeline_add(p, "uridecodebin", "src", &err, "uri", uri, NULL)
        && vf_pipeline_add(p, "videoconvert", "converter", &err, NULL)
        && vf_pipeline_add(p, "capsfilter", "caps", &err, "caps", "video/x-raw,format=RGB", NULL)
        && vf_pipeline_add(p, "appsink", "sink", &err, "sync", "false", NULL)
        && vf_pipeline_link(p, &err, "src", "converter", "caps", "sink", NULL)
        && vf_pipeline_attach_receiver(p, "sink", vf_receiver_new("receiver", &retriever, &saver),
                                       "new-sample", &err);
  vf_handle_interrupts();
  if (ok)
    ok = vf_pipeline_run(p, &err);
  if (ok)
    g_print("%u frames, %u saved in %s\n", saver.count, saver.saved, dir);
  else
    g_printerr("save-frames: %s\n", err->message);
  g_clear_error(&err);
  vf_pipeline_free(p);
  g_free(uri);
  g_free(dir);
  return ok ? 0 : 1;
}
