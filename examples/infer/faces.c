/* A secondary model: people found by the SSD detector, then faces looked for inside each person
 * by BlazeFace (a detector in secondary mode: its faces become child objects of the person).
 *
 *   filesrc ! decodebin ! vfmux format=RGB ! vfinfer (SSD, unique-id 1)
 *     ! vfinfer (BlazeFace, process-mode=secondary, operate-on-classes=Person, unique-id 2)
 *     ! vfosd ! appsink (+ retriever: JSON lines, annotated frames)
 *
 * --primary-faces runs BlazeFace alone on whole frames instead.
 *
 * Each line: {"frame": N, "pts": s, "people": P, "faces": [{"confidence", "bbox": [x, y, w, h],
 * "parent": "Person"|null, "keypoints": [[x, y] x 6]}]}; boxes in the frame's pixels.
 * usage: faces --detector YAML --faces YAML [--primary-faces] [--log FILE] [--save-dir DIR
 *              --save-frames 30,120] [--max-frames N] VIDEO */
#include <stdio.h>
#include <stdlib.h>
#include <vidflow/vidflow.h>

#define PERSON_CLASS                                                                               \
  "4" /* Person in the SSD's labels (data/models/ssd_mobilenet_v2_oid.labels)                      \
       */

typedef struct {
  FILE *log;
  char *save_dir;
  GArray *save_frames; /* guint64 */
  gint face_component;
  guint64 frames, people, faces, max_batches, batches;
  VfPipeline *pipeline;
} Faces;

static gboolean wanted(const Faces *f, guint64 frame)
{
  for (guint i = 0; f->save_frames && i < f->save_frames->len; i++)
    if (g_array_index(f->save_frames, guint64, i) == frame)
      return TRUE;
  return FALSE;
}

/* Receiver thread: the metadata travels with the buffer, so the retriever reads it there. */
static int consume(VfBuffer *buffer, gpointer user_data)
{
  Faces *f = user_data;
  VfBatchMeta *batch = vf_buffer_get_batch_meta(buffer);
  for (guint i = 0; batch && i < vf_batch_meta_get_n_frames(batch); i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(batch, i);
    guint64 number = vf_frame_meta_get_frame_number(frame);
    GPtrArray *objects = vf_frame_meta_get_objects(frame);
    GString *faces = g_string_new(NULL);
    guint people = 0, n_faces = 0;
    for (guint k = 0; k < objects->len; k++) {
      VfObjectMeta *o = g_ptr_array_index(objects, k);
      if (vf_object_meta_get_component_id(o) != f->face_component) {
        people++;
        continue;
      }
      VfRect r;
      vf_object_meta_get_detector_bbox(o, &r);
      VfObjectMeta *parent = vf_object_meta_get_parent(o);
      g_string_append_printf(faces,
                             "%s{\"confidence\": %.3f, \"bbox\": [%.1f, %.1f, %.1f, %.1f], "
                             "\"parent\": %s%s%s, \"keypoints\": [",
                             n_faces ? ", " : "", vf_object_meta_get_confidence(o), r.left, r.top,
                             r.width, r.height, parent ? "\"" : "",
                             parent ? vf_object_meta_get_label(parent) : "null",
                             parent ? "\"" : "");
      /* the landmarks vfinfer attaches (keypoints: true): float32 [6, 2] */
      VfTensor *kp = vf_object_meta_get_user_meta(o, "vf-keypoints");
      for (gint64 p = 0; kp && p < vf_tensor_get_shape(kp)[0]; p++) {
        const gfloat *xy = (const gfloat *)vf_tensor_get_data(kp) + 2 * p;
        g_string_append_printf(faces, "%s[%.1f, %.1f]", p ? ", " : "", xy[0], xy[1]);
      }
      g_string_append(faces, "]}");
      if (parent)
        vf_object_meta_unref(parent);
      n_faces++;
    }
    g_ptr_array_unref(objects);
    fprintf(f->log,
            "{\"frame\": %" G_GUINT64_FORMAT ", \"pts\": %.3f, \"people\": %u, \"faces\": [%s]}\n",
            number, vf_frame_meta_get_pts(frame) / (double)GST_SECOND, people, faces->str);
    g_string_free(faces, TRUE);
    f->frames++;
    f->people += people;
    f->faces += n_faces;
    if (f->save_dir && wanted(f, number)) {
      GError *err = NULL;
      VfTensor *t = vf_buffer_extract(buffer, i, &err);
      char *name = g_strdup_printf("faces_%06" G_GUINT64_FORMAT ".png", number);
      char *path = g_build_filename(f->save_dir, name, NULL);
      if (t == NULL || !vf_tensor_save_image(t, path, 90, &err)) {
        g_printerr("faces: frame %" G_GUINT64_FORMAT ": %s\n", number, err->message);
        g_clear_error(&err);
      }
      if (t)
        vf_tensor_unref(t);
      g_free(path);
      g_free(name);
    }
  }
  return VF_CONSUME_OK;
}

static VfProbeReturn limit(VfBuffer *buffer, gpointer user_data)
{
  (void)buffer;
  Faces *f = user_data;
  if (f->max_batches == 0)
    return VF_PROBE_KEEP;
  if (++f->batches == f->max_batches)
    vf_pipeline_send_eos(f->pipeline);
  return f->batches <= f->max_batches ? VF_PROBE_KEEP : VF_PROBE_DROP;
}

int main(int argc, char **argv)
{
  char *detector = NULL, *face_config = NULL, *log_path = NULL, *save_dir = NULL, *save = NULL;
  gboolean primary_faces = FALSE;
  gint max_frames = 0;
  GOptionEntry entries[] = {
    { "detector", 'd', 0, G_OPTION_ARG_FILENAME, &detector, "person detector config (SSD)",
      "YAML" },
    { "faces", 'f', 0, G_OPTION_ARG_FILENAME, &face_config, "face detector config (BlazeFace)",
      "YAML" },
    { "primary-faces", 0, 0, G_OPTION_ARG_NONE, &primary_faces,
      "BlazeFace on whole frames, no person detector", NULL },
    { "log", 'l', 0, G_OPTION_ARG_FILENAME, &log_path, "JSON lines (faces.jsonl)", "FILE" },
    { "save-dir", 's', 0, G_OPTION_ARG_FILENAME, &save_dir, "Save annotated frames here", "DIR" },
    { "save-frames", 0, 0, G_OPTION_ARG_STRING, &save, "Frame numbers to save, e.g. 30,120",
      "LIST" },
    { "max-frames", 'n', 0, G_OPTION_ARG_INT, &max_frames, "Stop after N frames", "N" },
    { NULL },
  };
  GError *err = NULL;
  GOptionContext *ctx = g_option_context_new("VIDEO - faces of the people in a video");
  g_option_context_add_main_entries(ctx, entries, NULL);
  gboolean parsed = g_option_context_parse(ctx, &argc, &argv, &err);
  g_option_context_free(ctx);
  if (!parsed || argc != 2 || face_config == NULL || (!primary_faces && detector == NULL)
      || max_frames < 0) {
    g_printerr("faces: %s\n",
               err ? err->message : "usage: faces --detector YAML --faces YAML VIDEO");
    g_clear_error(&err);
    return 2;
  }
  Faces f = { .log = fopen(log_path ? log_path : "faces.jsonl", "w"),
              .save_dir = save_dir,
              .face_component = 2,
              .max_batches = (guint64)max_frames };
  if (f.log == NULL) {
    g_printerr("faces: cannot write %s\n", log_path ? log_path : "faces.jsonl");
    return 1;
  }
  if (save) {
    f.save_frames = g_array_new(FALSE, FALSE, sizeof(guint64));
    char **parts = g_strsplit(save, ",", -1);
    for (char **p = parts; *p; p++) {
      guint64 v = g_ascii_strtoull(*p, NULL, 10);
      g_array_append_val(f.save_frames, v);
    }
    g_strfreev(parts);
  }
  if (save_dir)
    g_mkdir_with_parents(save_dir, 0755);

  VfProbeCallbacks limiter = { .on_buffer = limit };
  VfRetrieverCallbacks retriever = { .consume = consume };
  VfPipeline *p = f.pipeline = vf_pipeline_new("faces");
  gboolean ok
      = vf_pipeline_add(p, "filesrc", "src", &err, "location", argv[1], NULL)
        && vf_pipeline_add(p, "decodebin", "decode", &err, NULL)
        && vf_pipeline_add(p, "vfmux", "mux", &err, "batch-size", "1", "format", "RGB", NULL)
        && vf_pipeline_add(p, "vfosd", "osd", &err, NULL)
        && vf_pipeline_add(p, "appsink", "sink", &err, "sync", "false", NULL)
        && vf_pipeline_link(p, &err, "src", "decode", NULL)
        && vf_pipeline_link_pads(p, "decode", NULL, "mux", "sink_%u", &err);
  if (ok && primary_faces)
    ok = vf_pipeline_add(p, "vfinfer", "faces", &err, "config-file-path", face_config, "unique-id",
                         "2", NULL)
         && vf_pipeline_link(p, &err, "mux", "faces", "osd", "sink", NULL);
  else if (ok)
    ok = vf_pipeline_add(p, "vfinfer", "people", &err, "config-file-path", detector, "unique-id",
                         "1", NULL)
         && vf_pipeline_add(p, "vfinfer", "faces", &err, "config-file-path", face_config,
                            "unique-id", "2", "process-mode", "secondary", "operate-on-unique-id",
                            "1", "operate-on-classes", PERSON_CLASS, "min-object-width", "32",
                            "min-object-height", "32", NULL)
         && vf_pipeline_link(p, &err, "mux", "people", "faces", "osd", "sink", NULL);
  ok = ok && vf_pipeline_attach_probe(p, "mux", NULL, vf_probe_new("limit", &limiter, &f), &err)
       && vf_pipeline_attach_receiver(p, "sink", vf_receiver_new("faces", &retriever, &f),
                                      "new-sample", &err);
  vf_handle_interrupts();
  if (ok)
    ok = vf_pipeline_run(p, &err);
  vf_pipeline_free(p);
  fclose(f.log);
  if (ok)
    g_print("%" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT " people, %" G_GUINT64_FORMAT
            " faces\n",
            f.frames, f.people, f.faces);
  else
    g_printerr("faces: %s\n", err ? err->message : "failed");
  g_clear_error(&err);
  if (f.save_frames)
    g_array_unref(f.save_frames);
  g_free(detector);
  g_free(face_config);
  g_free(log_path);
  g_free(save_dir);
  g_free(save);
  return ok ? 0 : 1;
}
