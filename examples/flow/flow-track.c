/* Flow: the seed's test2 sample, batch_capture -> infer (primary detector) -> track -> infer
 * (secondary classifier) -> render:
 *   Flow(Pipeline("test2")).batch_capture(uris).infer(pgie).track(ll_config_file=...)
 *       .infer(sgie).render()()
 * The detector finds people and cars, vftracker gives them ids, the secondary classifier (the
 * colour of the object, configs/colour_classifier.yaml) runs once per track and its result is
 * reused on the track's later frames. A probe after it counts tracks and colours.
 *
 *   flow-track [--frames N] DETECTOR.yaml TRACKER.yaml CLASSIFIER.yaml [VIDEO]
 * (exits 77, "skipped", when vfinfer or vftracker or a config is missing) */
#include "example.h"

#include <string.h>

typedef struct {
  VfPipeline *pipeline;
  guint64 max_frames, frames;
  guint64 objects, tracked, coloured;
  GHashTable *ids;    /* object id -> its first colour (interned label, or NULL) */
  GHashTable *colour; /* colour label -> number of tracks */
} Counts;

/* After the secondary classifier: which tracks there are and what colour each got. Streaming
 * thread. */
static void count(VfBatchMeta *meta, gpointer user_data)
{
  Counts *c = user_data;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++) {
    GPtrArray *objs = vf_frame_meta_get_objects(vf_batch_meta_get_frame(meta, i));
    for (guint k = 0; k < objs->len; k++) {
      VfObjectMeta *o = g_ptr_array_index(objs, k);
      guint64 id = vf_object_meta_get_object_id(o);
      VfClassification cls;
      gboolean has = vf_object_meta_get_classification(o, 0, &cls);
      c->objects++;
      if (id == VF_OBJECT_UNTRACKED)
        continue;
      c->tracked++;
      c->coloured += has;
      gpointer key = g_memdup2(&id, sizeof id);
      if (!g_hash_table_contains(c->ids, key) && has)
        g_hash_table_insert(
            c->colour, (gpointer)cls.label,
            GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(c->colour, cls.label)) + 1));
      if (!g_hash_table_contains(c->ids, key))
        g_hash_table_insert(c->ids, key, (gpointer)(has ? cls.label : NULL));
      else
        g_free(key);
    }
    g_ptr_array_unref(objs);
  }
  if (c->max_frames && ++c->frames == c->max_frames)
    vf_pipeline_send_eos(c->pipeline);
}

static gboolean exists(const char *path)
{
  return path && g_file_test(path, G_FILE_TEST_IS_REGULAR);
}

int main(int argc, char **argv)
{
  vf_init(NULL);
  Counts c = { 0 };
  if (argc > 2 && g_str_equal(argv[1], "--frames")) {
    c.max_frames = g_ascii_strtoull(argv[2], NULL, 10);
    argc -= 2, argv += 2;
  }
  GstElementFactory *infer = gst_element_factory_find("vfinfer");
  GstElementFactory *tracker = gst_element_factory_find("vftracker");
  gboolean ok
      = infer && tracker && argc >= 4 && exists(argv[1]) && exists(argv[2]) && exists(argv[3]);
  if (infer)
    gst_object_unref(infer);
  if (tracker)
    gst_object_unref(tracker);
  if (!ok) {
    fprintf(stderr, "skipped: needs vfinfer, vftracker and three configs "
                    "(flow-track DETECTOR.yaml TRACKER.yaml CLASSIFIER.yaml [VIDEO])\n");
    return EXAMPLE_SKIP;
  }
  const char *v = example_video(argc - 3, argv + 3);
  const char *uris[] = { v, NULL };
  c.ids = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  c.colour = g_hash_table_new(g_str_hash, g_str_equal);
  VfProbeCallbacks cb = { .on_batch_meta = count };
  VfFlow *flow = vf_flow_new(vf_pipeline_new("test2"));
  c.pipeline = vf_flow_get_pipeline(flow);
  VfFlow *f = vf_flow_batch_capture(flow, uris, NULL, NULL);
  f = vf_flow_infer(f, argv[1], NULL, NULL);                    /* primary detector */
  f = vf_flow_track(f, argv[2], NULL, NULL, NULL);              /* ids */
  f = vf_flow_infer(f, argv[3], NULL, NULL);                    /* colour, once per track */
  f = vf_flow_attach(f, vf_probe_new("tracks", &cb, &c), NULL); /* what came out */
  vf_flow_render(f, example_render_mode(), NULL, NULL);
  /* the classifier's element ("<op><n>-<role>"), for its count of reused results */
  GstElement *sgie = vf_pipeline_get_element(c.pipeline, "infer3-infer");
  if (sgie)
    gst_object_ref(sgie); /* the flow (and its elements) goes when it has run */
  int status = example_run(flow);
  guint64 reused = 0;
  if (sgie) {
    g_object_get(sgie, "reused-classifications", &reused, NULL);
    gst_object_unref(sgie);
  }
  printf("objects: %" G_GUINT64_FORMAT ", tracked: %" G_GUINT64_FORMAT ", tracks: %u\n", c.objects,
         c.tracked, g_hash_table_size(c.ids));
  printf("tracked objects with a colour: %" G_GUINT64_FORMAT ", of which reused from their "
         "track: %" G_GUINT64_FORMAT ", classified: %" G_GUINT64_FORMAT "\n",
         c.coloured, reused, c.coloured - MIN(reused, c.coloured));
  printf("first colour of each track:");
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, c.colour);
  while (g_hash_table_iter_next(&it, &key, &value))
    printf(" %s %u", (const char *)key, GPOINTER_TO_UINT(value));
  printf("\n");
  g_hash_table_unref(c.ids);
  g_hash_table_unref(c.colour);
  return status;
}
