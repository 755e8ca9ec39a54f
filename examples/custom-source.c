/* Seed Part 1, Pattern 1: a custom file-based video source.
 *
 * The provider reads a YUV4MPEG2 (.y4m) file itself — the way a user integrates a camera SDK or a
 * file format GStreamer does not know — and feeds I420 frames, without copying them again:
 *   provider -> appsrc -> videoconvert -> RGB -> fakesink  (or -> x264enc -> MP4 with --output)
 *
 * usage: custom-source [--output FILE.mp4] FILE.y4m */
#include <vidflow/vidflow.h>

#include <stdio.h>
#include <string.h>

typedef struct {
  FILE *file;
  guint width, height, fps_n, fps_d;
  gsize frame_size;
  guint frames;
} Y4mReader;

/* "YUV4MPEG2 W640 H480 F30:1 Ip A1:1 C420jpeg" */
static gboolean y4m_open(Y4mReader *r, const char *path, GError **error)
{
  char header[256];
  r->file = fopen(path, "rb");
  if (r->file == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND, "cannot open %s", path);
    return FALSE;
  }
  if (!fgets(header, sizeof header, r->file) || strncmp(header, "YUV4MPEG2 ", 10) != 0) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT, "%s is not a YUV4MPEG2 file", path);
    return FALSE;
  }
  r->fps_n = 30;
  r->fps_d = 1;
  char **tokens = g_strsplit(g_strstrip(header), " ", -1);
  gboolean ok = TRUE;
  for (guint i = 1; tokens[i]; i++) {
    const char *t = tokens[i];
    if (t[0] == 'W')
      r->width = (guint)atoi(t + 1);
    else if (t[0] == 'H')
      r->height = (guint)atoi(t + 1);
    else if (t[0] == 'F')
      sscanf(t + 1, "%u:%u", &r->fps_n, &r->fps_d);
    else if (t[0] == 'C' && !g_str_has_prefix(t, "C420"))
      ok = FALSE;
  }
  g_strfreev(tokens);
  if (!ok || r->width == 0 || r->height == 0 || r->width % 2 || r->height % 2) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "%s: only 4:2:0 files with even width and height are supported", path);
    return FALSE;
  }
  r->frame_size = (gsize)r->width * r->height * 3 / 2;
  return TRUE;
}

static VfBuffer *generate(gsize size, gpointer user_data, GError **error)
{
  (void)size;
  Y4mReader *r = user_data;
  char marker[128];
  if (!fgets(marker, sizeof marker, r->file))
    return NULL; /* end of file: end of stream */
  if (!g_str_has_prefix(marker, "FRAME")) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT, "frame %u: expected a FRAME marker", r->frames);
    return NULL;
  }
  guint8 *yuv = g_malloc(r->frame_size);
  if (fread(yuv, 1, r->frame_size, r->file) != r->frame_size) {
    g_free(yuv);
    g_set_error(error, VF_ERROR, VF_ERROR_SIZE, "frame %u is truncated", r->frames);
    return NULL;
  }
  r->frames++;
  return vf_buffer_new_wrapped(VF_COLOR_FORMAT_I420, r->width, r->height, NULL, yuv, r->frame_size,
                               yuv, g_free, error);
}

int main(int argc, char **argv)
{
  char *output = NULL;
  GOptionEntry entries[] = { { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
                               "MP4 to write (default: discard)", "FILE" },
                             { NULL } };
  GError *err = NULL;
  GOptionContext *ctx = g_option_context_new("FILE.y4m - feed a file read by our own code");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2) {
    g_printerr("%s\n", err ? err->message : "usage: custom-source [--output FILE] FILE.y4m");
    return 2;
  }
  g_option_context_free(ctx);
  Y4mReader reader = { 0 };
  if (!y4m_open(&reader, argv[1], &err)) {
    g_printerr("custom-source: %s\n", err->message);
    return 1;
  }
  VfProviderInfo info = { VF_COLOR_FORMAT_I420, reader.width,       reader.height,
                          (gint)reader.fps_n,   (gint)reader.fps_d, VF_DEVICE_CPU };
  VfProviderCallbacks provider = { generate, NULL };
  VfPipeline *p = vf_pipeline_new("custom-video-source");
  gboolean ok
      = vf_pipeline_add(p, "appsrc", "src", &err, "format", "time", NULL)
        && vf_pipeline_attach_feeder(p, "src", vf_feeder_new("y4m", &info, &provider, &reader),
                                     "need-data/enough-data", &err);
  if (ok && output)
    ok = vf_pipeline_add(p, "x264enc", "encoder", &err, "speed-preset", "veryfast", NULL)
         && vf_pipeline_add(p, "mp4mux", "mux", &err, NULL)
         && vf_pipeline_add(p, "filesink", "sink", &err, "location", output, NULL)
         && vf_pipeline_link(p, &err, "src", "encoder", "mux", "sink", NULL);
  else if (ok)
    ok = vf_pipeline_add(p, "videoconvert", "convert", &err, NULL)
         && vf_pipeline_add(p, "capsfilter", "rgb", &err, "caps", "video/x-raw,format=RGB", NULL)
         && vf_pipeline_add(p, "fakesink", "sink", &err, NULL)
         && vf_pipeline_link(p, &err, "src", "convert", "rgb", "sink", NULL);
  vf_handle_interrupts();
  if (ok)
    ok = vf_pipeline_run(p, &err);
  if (ok)
    g_print("fed %u frames of %ux%u from %s\n", reader.frames, reader.width, reader.height,
            argv[1]);
  else
    g_printerr("custom-source: %s\n", err->message);
  g_clear_error(&err);
  vf_pipeline_free(p);
  fclose(reader.file);
  g_free(output);
  return ok ? 0 : 1;
}
