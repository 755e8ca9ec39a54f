/* Runs MOTChallenge detection files through vftracker, all sequences as sources of one batch
 * (source k = the k-th sequence), and writes the tracks in MOTChallenge text.
 *
 *   mot-run [--prop NAME=VALUE]... OUT_DIR SEQ_DIR...
 *
 * reads SEQ_DIR/det.txt ("frame, -1, left, top, width, height, confidence, ...", frames from 1)
 * and writes OUT_DIR/<name of SEQ_DIR>.txt: "frame, id, left, top, width, height, confidence,
 * -1, -1, -1" for every object vftracker gave an id, with its tracker box. Frames run from 1 to
 * the last frame of any gt.txt or det.txt. --prop sets a vftracker property
 * (algorithm=iou, ll-config-file=...). Prints the tracker time per frame at the end. */
#include "tracker-util.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct {
  char *name;
  GArray **frames; /* per frame (0-based): TtDet */
  guint n_frames;
  FILE *out;
} Sequence;

/* The last frame number in a MOT file (0 when missing). */
static guint last_frame(const char *path)
{
  FILE *f = fopen(path, "r");
  guint last = 0;
  char line[512];
  while (f && fgets(line, sizeof line, f)) {
    guint t = (guint)strtoul(line, NULL, 10);
    last = MAX(last, t);
  }
  if (f)
    fclose(f);
  return last;
}

static gboolean read_detections(Sequence *s, const char *path, guint n_frames)
{
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    fprintf(stderr, "mot-run: cannot read %s\n", path);
    return FALSE;
  }
  s->n_frames = n_frames;
  s->frames = g_new0(GArray *, n_frames);
  for (guint i = 0; i < n_frames; i++)
    s->frames[i] = g_array_new(FALSE, FALSE, sizeof(TtDet));
  char line[512];
  guint n = 0;
  while (fgets(line, sizeof line, f)) {
    n++;
    guint t;
    gint id;
    TtDet d = { 0 };
    if (sscanf(line, "%u,%d,%f,%f,%f,%f,%f", &t, &id, &d.x, &d.y, &d.w, &d.h, &d.confidence) != 7
        || t < 1 || t > n_frames) {
      fprintf(stderr, "mot-run: %s:%u: not a detection line\n", path, n);
      fclose(f);
      return FALSE;
    }
    g_array_append_val(s->frames[t - 1], d);
  }
  fclose(f);
  return TRUE;
}

int main(int argc, char **argv)
{
  gst_init(&argc, &argv);
  GPtrArray *props = g_ptr_array_new_with_free_func(g_free);
  int a = 1;
  for (; a + 1 < argc && g_str_equal(argv[a], "--prop"); a += 2)
    g_ptr_array_add(props, g_strdup(argv[a + 1]));
  if (argc - a < 2) {
    fprintf(stderr, "usage: mot-run [--prop NAME=VALUE]... OUT_DIR SEQ_DIR...\n");
    return 2;
  }
  const char *out_dir = argv[a++];
  guint n_seq = (guint)(argc - a);
  Sequence *seqs = g_new0(Sequence, n_seq);
  guint n_frames = 0;
  for (guint k = 0; k < n_seq; k++) {
    char *gt = g_build_filename(argv[a + k], "gt.txt", NULL);
    char *det = g_build_filename(argv[a + k], "det.txt", NULL);
    n_frames = MAX(n_frames, MAX(last_frame(gt), last_frame(det)));
    g_free(gt);
    g_free(det);
  }
  g_mkdir_with_parents(out_dir, 0755);
  for (guint k = 0; k < n_seq; k++) {
    char *det = g_build_filename(argv[a + k], "det.txt", NULL);
    gboolean ok = read_detections(&seqs[k], det, n_frames);
    g_free(det);
    if (!ok)
      return 1;
    seqs[k].name = g_path_get_basename(argv[a + k]);
    char *file = g_strdup_printf("%s.txt", seqs[k].name);
    char *path = g_build_filename(out_dir, file, NULL);
    seqs[k].out = fopen(path, "w");
    if (seqs[k].out == NULL) {
      fprintf(stderr, "mot-run: cannot write %s\n", path);
      return 1;
    }
    g_free(file);
    g_free(path);
  }

  g_ptr_array_add(props, NULL);
  char *joined = g_strjoinv(" ", (char **)props->pdata);
  GstHarness *h = tt_harness(joined, n_seq);
  g_free(joined);
  if (h == NULL) {
    fprintf(stderr, "mot-run: cannot make vftracker with those properties\n");
    return 1;
  }
  gint64 spent = 0;
  guint64 objects = 0;
  for (guint t = 0; t < n_frames; t++) {
    GstBuffer *batch = tt_batch_new(n_seq, NULL, t);
    for (guint k = 0; k < n_seq; k++) {
      GArray *d = seqs[k].frames[t];
      tt_add(batch, k, (const TtDet *)(gpointer)d->data, d->len);
      objects += d->len;
    }
    gint64 t0 = g_get_monotonic_time();
    GstFlowReturn r = gst_harness_push(h, batch);
    GstBuffer *out = r == GST_FLOW_OK ? gst_harness_pull(h) : NULL;
    spent += g_get_monotonic_time() - t0;
    if (out == NULL) {
      fprintf(stderr, "mot-run: vftracker failed on frame %u (%s)\n", t + 1, gst_flow_get_name(r));
      return 1;
    }
    VfBatchMeta *meta = vf_batch_meta_get(out);
    for (guint k = 0; k < vf_batch_meta_get_n_frames(meta); k++) {
      VfFrameMeta *f = vf_batch_meta_get_frame(meta, k);
      Sequence *s = &seqs[vf_frame_meta_get_source_id(f)];
      GPtrArray *objs = vf_frame_meta_get_objects(f);
      for (guint i = 0; i < objs->len; i++) {
        VfObjectMeta *o = g_ptr_array_index(objs, i);
        guint64 id = vf_object_meta_get_object_id(o);
        if (id == VF_OBJECT_UNTRACKED)
          continue;
        VfRect r;
        vf_object_meta_get_tracker_bbox(o, &r);
        fprintf(s->out, "%u,%" G_GUINT64_FORMAT ",%.2f,%.2f,%.2f,%.2f,%.3f,-1,-1,-1\n", t + 1, id,
                r.left, r.top, r.width, r.height, vf_object_meta_get_tracker_confidence(o));
      }
      g_ptr_array_unref(objs);
    }
    gst_buffer_unref(out);
  }
  printf("mot-run: %u frames of %u sources, %" G_GUINT64_FORMAT " detections: %.2f us per batch, "
         "%.3f us per detection (push + pull through vftracker)\n",
         n_frames, n_seq, objects, n_frames ? spent / (gdouble)n_frames : 0.0,
         objects ? spent / (gdouble)objects : 0.0);
  gst_harness_teardown(h);
  for (guint k = 0; k < n_seq; k++) {
    fclose(seqs[k].out);
    for (guint t = 0; t < seqs[k].n_frames; t++)
      g_array_unref(seqs[k].frames[t]);
    g_free(seqs[k].frames);
    g_free(seqs[k].name);
  }
  g_free(seqs);
  g_ptr_array_unref(props);
  return 0;
}
