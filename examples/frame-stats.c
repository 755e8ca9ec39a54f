/* Seed Part 2, "frame analysis": per-frame statistics logged as JSON lines.
 *
 *   uridecodebin -> videoconvert -> RGB -> appsink (+ a retriever computing mean/std)
 *
 * Each line: {"frame_number", "timestamp", "pts", "mean_intensity", "std_intensity", "shape"}.
 * usage: frame-stats [--log FILE] VIDEO */
#include <vidflow/vidflow.h>

#include <math.h>
#include <stdio.h>

typedef struct {
  FILE *log;
  guint frames;
  VfJsonWriter *json; /* vidflow's JSON writer: escaping and numbers right */
} Analyzer;

static int consume(VfBuffer *buffer, gpointer user_data)
{
  Analyzer *a = user_data;
  GError *err = NULL;
  VfTensor *t = vf_buffer_extract(buffer, 0, &err);
  if (t == NULL) {
    g_printerr("frame %u: %s\n", a->frames, err->message);
    g_clear_error(&err);
    return VF_CONSUME_ERROR;
  }
  const gint64 *shape = vf_tensor_get_shape(t), *strides = vf_tensor_get_strides(t);
  const guint8 *data = vf_tensor_get_data(t);
  double sum = 0, sum2 = 0;
  gsize n = 0;
  for (gint64 y = 0; y < shape[0]; y++) {
    const guint8 *row = data + y * strides[0];
    for (gint64 i = 0; i < shape[1] * shape[2]; i++, n++) {
      sum += row[i];
      sum2 += (double)row[i] * row[i];
    }
  }
  double mean = sum / MAX(n, 1), var = sum2 / MAX(n, 1) - mean * mean;
  GDateTime *now = g_date_time_new_now_local();
  char *ts = g_date_time_format_iso8601(now);
  VfJsonWriter *w = a->json;
  vf_json_writer_reset(w);
  vf_json_writer_begin_object(w);
  vf_json_writer_member_uint(w, "frame_number", a->frames);
  vf_json_writer_member_string(w, "timestamp", ts);
  vf_json_writer_member_double(w, "pts", vf_buffer_get_pts(buffer) / (double)GST_SECOND);
  vf_json_writer_member_double(w, "mean_intensity", mean);
  vf_json_writer_member_double(w, "std_intensity", sqrt(MAX(var, 0)));
  vf_json_writer_key(w, "shape");
  vf_json_writer_begin_array(w);
  for (guint i = 0; i < 3; i++)
    vf_json_writer_int(w, shape[i]);
  vf_json_writer_end_array(w);
  vf_json_writer_member_uint(w, "objects_detected", 0);
  vf_json_writer_key(w, "object_classes");
  vf_json_writer_begin_array(w);
  vf_json_writer_end_array(w);
  vf_json_writer_end_object(w);
  fprintf(a->log, "%s\n", vf_json_writer_get(w, NULL, NULL));
  g_free(ts);
  g_date_time_unref(now);
  vf_tensor_unref(t);
  a->frames++;
  return VF_CONSUME_OK;
}

int main(int argc, char **argv)
{
  char *log_path = NULL;
  GOptionEntry entries[] = { { "log", 'l', 0, G_OPTION_ARG_FILENAME, &log_path,
                               "JSON lines file (default analysis_log.json)", "FILE" },
                             { NULL } };
  GError *err = NULL;
  GOptionContext *ctx = g_option_context_new("VIDEO - per-frame statistics as JSON lines");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2) {
    g_printerr("%s\n", err ? err->message : "usage: frame-stats [--log FILE] VIDEO");
    return 2;
  }
  g_option_context_free(ctx);
  if (log_path == NULL)
    log_path = g_strdup("analysis_log.json");
  Analyzer analyzer = { fopen(log_path, "w"), 0, NULL };
  if (analyzer.log == NULL) {
    g_printerr("cannot write %s\n", log_path);
    return 1;
  }
  analyzer.json = vf_json_writer_new();
  char *uri = gst_uri_is_valid(argv[1]) ? g_strdup(argv[1]) : gst_filename_to_uri(argv[1], NULL);
  VfRetrieverCallbacks retriever = { consume, NULL };
  VfPipeline *p = vf_pipeline_new("frame-analyzer");
  gboolean ok
      = vf_pipeline_add(p, "uridecodebin", "src", &err, "uri", uri, NULL)
        && vf_pipeline_add(p, "videoconvert", "converter", &err, NULL)
        && vf_pipeline_add(p, "capsfilter", "caps", &err, "caps", "video/x-raw,format=RGB", NULL)
        && vf_pipeline_add(p, "appsink", "sink", &err, "sync", "false", NULL)
        && vf_pipeline_link(p, &err, "src", "converter", "caps", "sink", NULL)
        && vf_pipeline_attach_receiver(
            p, "sink", vf_receiver_new("analyzer", &retriever, &analyzer), "new-sample", &err);
  vf_handle_interrupts();
  if (ok)
    ok = vf_pipeline_run(p, &err);
  fclose(analyzer.log);
  if (ok)
    g_print("analysed %u frames into %s\n", analyzer.frames, log_path);
  else
    g_printerr("frame-stats: %s\n", err->message);
  g_clear_error(&err);
  vf_pipeline_free(p);
  vf_json_writer_free(analyzer.json);
  g_free(uri);
  g_free(log_path);
  return ok ? 0 : 1;
}
