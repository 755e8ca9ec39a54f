/* A contact sheet: every Nth frame of a video, scaled down and tiled into one JPEG, so a person can
 * see at a glance what a video holds. Built on a receiver that writes into a frame it owns.
 *
 * usage: contact-sheet [--every N] [--columns C] [--rows R] [--tile-width W] --output FILE.jpg
 * VIDEO */
#include <vidflow/vidflow.h>

#include <string.h>

typedef struct {
  guint every, columns, rows, tile_w, tile_h, count, placed;
  VfTensor *sheet; /* writable RGB canvas */
} Sheet;

static int consume(VfBuffer *buffer, gpointer user_data)
{
  Sheet *s = user_data;
  guint n = s->count++;
  if (n % s->every != 0 || s->placed >= s->columns * s->rows)
    return VF_CONSUME_OK;
  GError *err = NULL;
  VfTensor *tile = vf_buffer_extract(buffer, 0, &err);
  if (tile == NULL) {
    g_printerr("frame %u: %s\n", n, err->message);
    g_clear_error(&err);
    return VF_CONSUME_ERROR;
  }
  guint col = s->placed % s->columns, row = s->placed / s->columns;
  const guint8 *src = vf_tensor_get_data(tile);
  gint64 src_stride = vf_tensor_get_strides(tile)[0];
  guint8 *dst = vf_tensor_get_data(s->sheet);
  gint64 dst_stride = vf_tensor_get_strides(s->sheet)[0];
  for (guint y = 0; y < s->tile_h; y++)
    memcpy(dst + (row * s->tile_h + y) * dst_stride + col * s->tile_w * 3, src + y * src_stride,
           (gsize)s->tile_w * 3);
  s->placed++;
  vf_tensor_unref(tile);
  return VF_CONSUME_OK;
}

int main(int argc, char **argv)
{
  gint every = 25, columns = 4, rows = 3, tile_w = 320;
  char *output = NULL;
  GOptionEntry entries[]
      = { { "every", 'n', 0, G_OPTION_ARG_INT, &every, "take every Nth frame (default 25)", "N" },
          { "columns", 'c', 0, G_OPTION_ARG_INT, &columns, "tiles across (default 4)", "C" },
          { "rows", 'r', 0, G_OPTION_ARG_INT, &rows, "tiles down (default 3)", "R" },
          { "tile-width", 'w', 0, G_OPTION_ARG_INT, &tile_w, "tile width in pixels (default 320)",
            "W" },
          { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "JPEG to write", "FILE" },
          { NULL } };
  GError *err = NULL;
  GOptionContext *ctx = g_option_context_new("VIDEO - tile every Nth frame into one JPEG");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2 || output == NULL || every < 1
      || columns < 1 || rows < 1 || tile_w < 16) {
    g_printerr("%s\n", err ? err->message
                           : "usage: contact-sheet [--every N] [--columns C] [--rows R] "
                             "[--tile-width W] --output FILE.jpg VIDEO");
    return 2;
  }
  g_option_context_free(ctx);
  guint tile_h = (guint)tile_w * 9 / 16 / 2 * 2;
  VfBuffer *canvas = vf_buffer_new_frame(VF_COLOR_FORMAT_RGB, (guint)(columns * tile_w),
                                         (guint)rows * tile_h, &err);
  Sheet sheet = { (guint)every, (guint)columns, (guint)rows, (guint)tile_w, tile_h, 0, 0, NULL };
  sheet.sheet = vf_buffer_extract_writable(canvas, 0, &err);
  char *uri = gst_uri_is_valid(argv[1]) ? g_strdup(argv[1]) : gst_filename_to_uri(argv[1], NULL);
  char caps[128];
  g_snprintf(caps, sizeof caps, "video/x-raw,format=RGB,width=%d,height=%u,pixel-aspect-ratio=1/1",
             tile_w, tile_h);
  VfRetrieverCallbacks retriever = { consume, NULL };
  VfPipeline *p = vf_pipeline_new("contact-sheet");
  gboolean ok = sheet.sheet && vf_pipeline_add(p, "uridecodebin", "src", &err, "uri", uri, NULL)
                && vf_pipeline_add(p, "videoconvert", "convert", &err, NULL)
                && vf_pipeline_add(p, "videoscale", "scale", &err, "add-borders", "true", NULL)
                && vf_pipeline_add(p, "capsfilter", "caps", &err, "caps", caps, NULL)
                && vf_pipeline_add(p, "appsink", "sink", &err, "sync", "false", NULL)
                && vf_pipeline_link(p, &err, "src", "convert", "scale", "caps", "sink", NULL)
                && vf_pipeline_attach_receiver(
                    p, "sink", vf_receiver_new("tiles", &retriever, &sheet), "new-sample", &err)
                && vf_pipeline_run(p, &err) && vf_tensor_save_image(sheet.sheet, output, 85, &err);
  if (ok)
    g_print("contact sheet of %u frames (every %d of %u) -> %s\n", sheet.placed, every, sheet.count,
            output);
  else
    g_printerr("contact-sheet: %s\n", err->message);
  g_clear_error(&err);
  vf_pipeline_free(p);
  if (sheet.sheet)
    vf_tensor_unref(sheet.sheet);
  vf_buffer_unref(canvas);
  g_free(uri);
  g_free(output);
  return ok ? 0 : 1;
}
