/* infer-probe: run a vfinfer config on a still image or on frames of a video and print what it
 * finds; how the accuracy references in tests/data were established.
 *
 *   infer-probe CONFIG FILE [-f 0,100,200] [-c RGB|I420|NV12|...] [-s DIR]
 *
 * -f picks video frames (default: frame 0), -c the colour format frames are decoded to (RGB),
 * -s saves each frame as DIR/frame-N.png with its boxes drawn (for looking at them), or
 * without them with -r. */
#include <stdio.h>
#include <stdlib.h>
#include <vidflow/vidflow.h>

#include "draw.h"
#include "engine.h"
#include "util.h"

int main(int argc, char **argv)
{
  char *frames_opt = NULL, *format_opt = NULL, *save_dir = NULL;
  gboolean raw = FALSE;
  GOptionEntry entries[] = {
    { "frames", 'f', 0, G_OPTION_ARG_STRING, &frames_opt, "video frames, e.g. 0,100,200", "LIST" },
    { "format", 'c', 0, G_OPTION_ARG_STRING, &format_opt, "decode to this format (RGB)", "FMT" },
    { "save", 's', 0, G_OPTION_ARG_FILENAME, &save_dir, "save annotated frames here", "DIR" },
    { "raw", 'r', 0, G_OPTION_ARG_NONE, &raw, "save frames without annotations", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  GError *err = NULL;
  GOptionContext *ctx = g_option_context_new("CONFIG FILE");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 3) {
    fprintf(stderr, "%s\n", err ? err->message : g_option_context_get_help(ctx, TRUE, NULL));
    return 2;
  }
  g_option_context_free(ctx);

  VfColorFormat format = format_opt ? vf_color_format_from_string(format_opt) : VF_COLOR_FORMAT_RGB;
  GArray *indices = g_array_new(FALSE, FALSE, sizeof(guint));
  char **parts = g_strsplit(frames_opt ? frames_opt : "0", ",", -1);
  for (char **p = parts; *p; p++) {
    guint i = (guint)atoi(*p);
    g_array_append_val(indices, i);
  }
  g_strfreev(parts);

  VfInferConfig *cfg = vf_infer_config_load(argv[1], &err);
  VfInferEngine *engine = cfg ? vf_infer_engine_new(cfg, &err) : NULL;
  VftFrame **frames
      = engine ? vft_decode_video(argv[2], (guint *)indices->data, indices->len, format, &err)
               : NULL;
  if (frames == NULL) {
    fprintf(stderr, "infer-probe: %s\n", err->message);
    return 1;
  }
  for (guint i = 0; i < indices->len; i++) {
    VftFrame *f = frames[i];
    VfInferFrame in = { .image = &f->image };
    VfInferResult r;
    vf_infer_result_init(&r);
    if (!vf_infer_engine_process(engine, &in, 1, &r, &err)) {
      fprintf(stderr, "infer-probe: %s\n", err->message);
      return 1;
    }
    guint persons = 0;
    for (guint k = 0; k < r.detections->len; k++)
      persons += g_strcmp0(g_array_index(r.detections, VfDetection, k).label, "Person") == 0;
    printf("frame %u: %u detections (%u Person), %ux%u\n", g_array_index(indices, guint, i),
           r.detections->len, persons, f->image.width, f->image.height);
    for (guint k = 0; k < r.detections->len; k++) {
      VfDetection *d = &g_array_index(r.detections, VfDetection, k);
      printf("  %-10s %2d %.3f  box %.1f %.1f %.1f %.1f  norm ymin,xmin,ymax,xmax %.3f %.3f %.3f "
             "%.3f\n",
             d->label ? d->label : "?", d->class_id, d->confidence, d->left, d->top, d->width,
             d->height, d->top / f->image.height, d->left / f->image.width,
             (d->top + d->height) / f->image.height, (d->left + d->width) / f->image.width);
    }
    for (guint k = 0; k < r.classifications->len; k++) {
      VfInferClass *c = &g_array_index(r.classifications, VfInferClass, k);
      printf("  class %s %d %.3f\n", c->label ? c->label : "?", c->class_id, c->confidence);
    }
    if (save_dir) {
      VfOsdFrame of;
      guint8 *planes[3] = { (guint8 *)f->image.planes[0], (guint8 *)f->image.planes[1],
                            (guint8 *)f->image.planes[2] };
      if (!vf_osd_frame_init(&of, f->image.format, f->image.width, f->image.height, planes,
                             f->image.strides, &err)) {
        fprintf(stderr, "infer-probe: %s\n", err->message);
        return 1;
      }
      for (guint k = 0; !raw && k < r.detections->len; k++) {
        VfDetection *d = &g_array_index(r.detections, VfDetection, k);
        VfOsdColor color = vf_osd_palette(d->class_id);
        vf_osd_draw_rect(&of, d->left, d->top, d->width, d->height, 2, color, NULL);
        char *text = g_strdup_printf("%s %.2f", d->label ? d->label : "?", d->confidence);
        VfOsdColor bg = color, white = { 255, 255, 255, 255 };
        guint th = 0;
        vf_osd_text_size(&of, text, NULL, 0, NULL, &th);
        vf_osd_draw_text(&of, d->left, MAX(d->top - th, 0), text, NULL, 0, white, &bg);
        g_free(text);
        for (guint p = 0; p < d->n_keypoints; p++)
          vf_osd_draw_circle(&of, d->keypoints[p][0], d->keypoints[p][1], 2, 1, color, &color);
      }
      char *path = g_strdup_printf("%s/frame-%u.png", save_dir, g_array_index(indices, guint, i));
      if (!vft_frame_save(f, path, &err)) {
        fprintf(stderr, "infer-probe: %s\n", err->message);
        return 1;
      }
      g_free(path);
    }
    vf_infer_result_clear(&r);
    vft_frame_free(f);
  }
  g_free(frames);
  g_array_free(indices, TRUE);
  vf_infer_engine_free(engine);
  vf_infer_config_free(cfg);
  return 0;
}
