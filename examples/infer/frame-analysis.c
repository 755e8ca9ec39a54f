/* Seed Part 2, frame analysis with detections: for each frame, its statistics (mean and standard
 * deviation of the pixels) and what vfinfer found in it (object count, classes, confidences),
 * logged as JSON lines.
 *
 *   filesrc ! decodebin ! vfmux format=RGB ! vfinfer ! appsink (+ retriever: statistics, log)
 *                                                    ^ probe: metadata of each frame
 *
 * The probe (streaming thread) hands each frame's metadata to the retriever (receiver thread)
 * through a table keyed by (source, frame number) under a lock; the retriever takes the entry of
 * the frame it holds and frees it, so nothing is mixed up or left behind whatever the threads'
 * timing. (The metadata also travels on the buffer itself: vf_buffer_get_batch_meta in consume()
 * would do; this shows the seed's probe-to-retriever hand-over done safely.)
 *
 * Each line: {"frame_number", "source", "timestamp", "pts", "mean_intensity", "std_intensity",
 * "shape", "objects_detected", "object_classes", "confidences"}.
 * usage: frame-analysis --config YAML [--log FILE] [--max-frames N] VIDEO */
#include <math.h>
#include <stdio.h>
#include <vidflow/vidflow.h>

typedef struct {
  guint count;
  GArray *classes;     /* gint */
  GArray *confidences; /* gfloat */
} FrameInfo;

typedef struct {
  GMutex lock;
  GHashTable *pending; /* frame key -> FrameInfo* */
  FILE *log;
  VfJsonWriter *json; /* the retriever thread's (vidflow's JSON writer) */
  guint64 lines, max_batches, batches;
  VfPipeline *pipeline;
} Analyzer;

static void frame_info_free(gpointer data)
{
  FrameInfo *f = data;
  g_array_unref(f->classes);
  g_array_unref(f->confidences);
  g_free(f);
}

static gpointer frame_key(VfFrameMeta *frame)
{
  guint64 key = ((guint64)vf_frame_meta_get_source_id(frame) << 40)
                | (vf_frame_meta_get_frame_number(frame) & ((G_GUINT64_CONSTANT(1) << 40) - 1));
  return GSIZE_TO_POINTER((gsize)key);
}

/* The seed's MetadataExtractor: streaming thread. */
static void extract(VfBatchMeta *batch, gpointer user_data)
{
  Analyzer *a = user_data;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(batch); i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(batch, i);
    GPtrArray *objects = vf_frame_meta_get_objects(frame);
    FrameInfo *f = g_new0(FrameInfo, 1);
    f->count = objects->len;
    f->classes = g_array_new(FALSE, FALSE, sizeof(gint));
    f->confidences = g_array_new(FALSE, FALSE, sizeof(gfloat));
    for (guint k = 0; k < objects->len; k++) {
      VfObjectMeta *o = g_ptr_array_index(objects, k);
      gint cls = vf_object_meta_get_class_id(o);
      gfloat conf = vf_object_meta_get_confidence(o);
      g_array_append_val(f->classes, cls);
      g_array_append_val(f->confidences, conf);
    }
    g_ptr_array_unref(objects);
    g_mutex_lock(&a->lock);
    g_hash_table_replace(a->pending, frame_key(frame), f);
    g_mutex_unlock(&a->lock);
  }
}

/* The seed's FrameAnalyzer.consume: receiver thread. */
static int consume(VfBuffer *buffer, gpointer user_data)
{
  Analyzer *a = user_data;
  VfBatchMeta *batch = vf_buffer_get_batch_meta(buffer);
  for (guint i = 0; batch && i < vf_batch_meta_get_n_frames(batch); i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(batch, i);
    GError *err = NULL;
    VfTensor *t = vf_buffer_extract(buffer, i, &err); /* [H, W, 3] RGB, no copy */
    if (t == NULL) {
      g_printerr("frame-analysis: %s\n", err->message);
      g_clear_error(&err);
      return VF_CONSUME_ERROR;
    }
    const gint64 *shape = vf_tensor_get_shape(t), *strides = vf_tensor_get_strides(t);
    const guint8 *data = vf_tensor_get_data(t);
    double sum = 0, sum2 = 0;
    for (gint64 y = 0; y < shape[0]; y++) {
      const guint8 *row = data + y * strides[0];
      for (gint64 x = 0; x < shape[1] * shape[2]; x++) {
        sum += row[x];
        sum2 += (double)row[x] * row[x];
      }
    }
    double n = (double)(shape[0] * shape[1] * shape[2]), mean = sum / n;
    double std = sqrt(MAX(sum2 / n - mean * mean, 0.0));

    g_mutex_lock(&a->lock);
    FrameInfo *f = g_hash_table_lookup(a->pending, frame_key(frame));
    g_hash_table_steal(a->pending, frame_key(frame));
    g_mutex_unlock(&a->lock);

    GDateTime *now = g_date_time_new_now_local();
    char *ts = g_date_time_format_iso8601(now);
    VfJsonWriter *w = a->json;
    vf_json_writer_reset(w);
    vf_json_writer_begin_object(w);
    vf_json_writer_member_uint(w, "frame_number", vf_frame_meta_get_frame_number(frame));
    vf_json_writer_member_uint(w, "source", vf_frame_meta_get_source_id(frame));
    vf_json_writer_member_string(w, "timestamp", ts);
    vf_json_writer_member_double(w, "pts", vf_frame_meta_get_pts(frame) / (double)GST_SECOND);
    vf_json_writer_member_double(w, "mean_intensity", mean);
    vf_json_writer_member_double(w, "std_intensity", std);
    vf_json_writer_key(w, "shape");
    vf_json_writer_begin_array(w);
    for (guint k = 0; k < 3; k++)
      vf_json_writer_int(w, shape[k]);
    vf_json_writer_end_array(w);
    vf_json_writer_member_uint(w, "objects_detected", f ? f->count : 0);
    vf_json_writer_key(w, "object_classes");
    vf_json_writer_begin_array(w);
    for (guint k = 0; f && k < f->classes->len; k++)
      vf_json_writer_int(w, g_array_index(f->classes, gint, k));
    vf_json_writer_end_array(w);
    vf_json_writer_key(w, "confidences");
    vf_json_writer_begin_array(w);
    for (guint k = 0; f && k < f->confidences->len; k++)
      vf_json_writer_float(w, g_array_index(f->confidences, gfloat, k));
    vf_json_writer_end_array(w);
    vf_json_writer_end_object(w);
    fprintf(a->log, "%s\n", vf_json_writer_get(w, NULL, NULL));
    g_free(ts);
    g_date_time_unref(now);
    if (f)
      frame_info_free(f);
    vf_tensor_unref(t);
    a->lines++;
  }
  return VF_CONSUME_OK;
}

static VfProbeReturn limit(VfBuffer *buffer, gpointer user_data)
{
  (void)buffer;
  Analyzer *a = user_data;
  if (a->max_batches == 0)
    return VF_PROBE_KEEP;
  if (++a->batches == a->max_batches)
    vf_pipeline_send_eos(a->pipeline);
  return a->batches <= a->max_batches ? VF_PROBE_KEEP : VF_PROBE_DROP;
}

int main(int argc, char **argv)
{
  char *config = NULL, *log_path = NULL;
  gint max_frames = 0;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "vfinfer config (YAML)", "YAML" },
    { "log", 'l', 0, G_OPTION_ARG_FILENAME, &log_path, "JSON lines (analysis_log.json)", "FILE" },
    { "max-frames", 'n', 0, G_OPTION_ARG_INT, &max_frames, "Stop after N frames", "N" },
    { NULL },
  };
  GError *err = NULL;
  GOptionContext *ctx = g_option_context_new("VIDEO - per-frame statistics and detections");
  g_option_context_add_main_entries(ctx, entries, NULL);
  gboolean parsed = g_option_context_parse(ctx, &argc, &argv, &err);
  g_option_context_free(ctx);
  if (!parsed || argc != 2 || config == NULL || max_frames < 0) {
    g_printerr("frame-analysis: %s\n",
               err ? err->message : "usage: frame-analysis --config YAML VIDEO");
    g_clear_error(&err);
    return 2;
  }
  if (log_path == NULL)
    log_path = g_strdup("analysis_log.json");
  Analyzer a = { .pending = g_hash_table_new_full(NULL, NULL, NULL, frame_info_free),
                 .log = fopen(log_path, "w"),
                 .json = vf_json_writer_new(),
                 .max_batches = (guint64)max_frames };
  if (a.log == NULL) {
    g_printerr("frame-analysis: cannot write %s\n", log_path);
    return 1;
  }
  g_mutex_init(&a.lock);
  VfProbeCallbacks extractor = { .on_batch_meta = extract }, limiter = { .on_buffer = limit };
  VfRetrieverCallbacks analyzer = { .consume = consume };
  VfPipeline *p = a.pipeline = vf_pipeline_new("frame-analysis");
  gboolean ok
      = vf_pipeline_add(p, "filesrc", "src", &err, "location", argv[1], NULL)
        && vf_pipeline_add(p, "decodebin", "decode", &err, NULL)
        && vf_pipeline_add(p, "vfmux", "mux", &err, "batch-size", "1", "format", "RGB", NULL)
        && vf_pipeline_add(p, "vfinfer", "infer", &err, "config-file-path", config, NULL)
        && vf_pipeline_add(p, "appsink", "sink", &err, "sync", "false", NULL)
        && vf_pipeline_link(p, &err, "src", "decode", NULL)
        && vf_pipeline_link_pads(p, "decode", NULL, "mux", "sink_%u", &err)
        && vf_pipeline_link(p, &err, "mux", "infer", "sink", NULL)
        && vf_pipeline_attach_probe(p, "mux", NULL, vf_probe_new("limit", &limiter, &a), &err)
        && vf_pipeline_attach_probe(p, "infer", NULL, vf_probe_new("extract", &extractor, &a), &err)
        && vf_pipeline_attach_receiver(p, "sink", vf_receiver_new("analyzer", &analyzer, &a),
                                       "new-sample", &err);
  vf_handle_interrupts();
  if (ok)
    ok = vf_pipeline_run(p, &err);
  vf_pipeline_free(p);
  fclose(a.log);
  vf_json_writer_free(a.json);
  guint left = g_hash_table_size(a.pending);
  if (ok)
    g_print("analysed %" G_GUINT64_FORMAT " frames into %s (%u metadata entries left over)\n",
            a.lines, log_path, left);
  else
    g_printerr("frame-analysis: %s\n", err ? err->message : "failed");
  g_clear_error(&err);
  g_hash_table_unref(a.pending);
  g_mutex_clear(&a.lock);
  g_free(config);
  g_free(log_path);
  return ok ? 0 : 1;
}
