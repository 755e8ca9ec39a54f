/* Seed Part 1, Pattern 2: synthetic frame generation -> H.264 MP4.
 *
 * A provider draws a moving RGB gradient; the pipeline encodes it:
 *   appsrc -> videoconvert -> x264enc -> h264parse -> mp4mux -> filesink
 *
 * usage: synthetic-to-mp4 [--frames N] [--width W] [--height H] [--fps F] [--output FILE] */
#include <vidflow/vidflow.h>

typedef struct {
  guint width, height, frames, made;
} Gradient;

static VfBuffer *generate(gsize size, gpointer user_data, GError **error)
{
  Gradient *g = user_data;
  if (g->made >= g->frames)
    return NULL; /* end of stream */
  guint8 *rgb = g_malloc(size);
  guint offset = (g->made * 5) % 255;
  for (guint y = 0; y < g->height; y++) {
    guint8 *row = rgb + (gsize)y * g->width * 3;
    for (guint x = 0; x < g->width; x++) {
      row[3 * x + 0] = (guint8)((x * 255 / g->width + offset) % 255);
      row[3 * x + 1] = (guint8)((y * 255 / g->height + offset) % 255);
      row[3 * x + 2] = 128;
    }
  }
  g->made++;
  /* zero-copy: the pipeline frees the pixels with g_free when done */
  return vf_buffer_new_wrapped(VF_COLOR_FORMAT_RGB, g->width, g->height, NULL, rgb, size, rgb,
                               g_free, error);
}

int main(int argc, char **argv)
{
  gint frames = 300, width = 1280, height = 720, fps = 30;
  char *output = NULL;
  GOptionEntry entries[]
      = { { "frames", 'n', 0, G_OPTION_ARG_INT, &frames, "frames to generate", "N" },
          { "width", 'w', 0, G_OPTION_ARG_INT, &width, "frame width", "W" },
          { "height", 'h', 0, G_OPTION_ARG_INT, &height, "frame height", "H" },
          { "fps", 'f', 0, G_OPTION_ARG_INT, &fps, "frame rate", "F" },
          { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "MP4 file to write", "FILE" },
          { NULL } };
  GError *err = NULL;
  GOptionContext *ctx = g_option_context_new("- synthetic frames to an H.264 MP4");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || frames < 0 || width < 2 || height < 2
      || fps < 1) {
    g_printerr("%s\n", err ? err->message : "frames >= 0, width/height >= 2 and fps >= 1 please");
    return 2;
  }
  g_option_context_free(ctx);
  if (output == NULL)
    output = g_strdup("synthetic_output.mp4");

  Gradient gradient = { (guint)width, (guint)height, (guint)frames, 0 };
  VfProviderInfo info = { VF_COLOR_FORMAT_RGB, (guint)width, (guint)height, fps, 1, VF_DEVICE_CPU };
  VfProviderCallbacks provider = { generate, NULL };

  VfPipeline *p = vf_pipeline_new("synthetic-video");
  gboolean ok
      = vf_pipeline_add(p, "appsrc", "src", &err, NULL)
        && vf_pipeline_add(p, "videoconvert", "convert", &err, NULL)
        && vf_pipeline_add(p, "capsfilter", "i420", &err, "caps", "video/x-raw,format=I420", NULL)
        && vf_pipeline_add(p, "x264enc", "encoder", &err, "bitrate", "4000", "speed-preset",
                           "veryfast", NULL)
        && vf_pipeline_add(p, "h264parse", "parser", &err, NULL)
        && vf_pipeline_add(p, "mp4mux", "mux", &err, NULL)
        && vf_pipeline_add(p, "filesink", "sink", &err, "location", output, NULL)
        && vf_pipeline_link(p, &err, "src", "convert", "i420", "encoder", "parser", "mux", "sink",
                            NULL)
        && vf_pipeline_attach_feeder(p, "src", vf_feeder_new("feeder", &info, &provider, &gradient),
                                     "need-data/enough-data", &err);
  vf_handle_interrupts();
  if (ok)
    ok = vf_pipeline_run(p, &err);
  if (ok)
    g_print("wrote %u frames of %dx%d to %s\n", gradient.made, width, height, output);
  else
    g_printerr("synthetic-to-mp4: %s\n", err->message);
  g_clear_error(&err);
  vf_pipeline_free(p);
  g_free(output);
  return ok ? 0 : 1;
}
