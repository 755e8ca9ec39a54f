/* vidflow: built-in probes attachable by name: "measure_fps_probe" (frames per second of each
 * source) and "measure_latency_probe" (time since each batch's frames reached vfmux). Their lines
 * go to stderr (stdout is the application's: TAP output, JSON lines, ...). */
#include "error-private.h"
#include "probe-private.h"

#include <string.h>

#define DEFAULT_INTERVAL_US G_TIME_SPAN_SECOND

typedef struct {
  guint source_id;
  guint64 frames;
  gint64 first_us, last_us;
  guint64 frames_at_report;
  gdouble fps;
  gboolean have_fps;
} SourceFps;

typedef struct {
  GMutex lock;
  char *name;
  VfProbeKind kind;
  gint64 interval_us; /* 0: never print */
  gint64 last_report_us;
  /* fps */
  GHashTable *sources; /* source id -> SourceFps */
  /* latency */
  VfLatencyStats latency;
  gdouble latency_sum_ms;
  guint64 batches_at_report;
} Builtin;

static void builtin_free(gpointer data)
{
  Builtin *b = data;
  g_mutex_clear(&b->lock);
  if (b->sources)
    g_hash_table_unref(b->sources);
  g_free(b->name);
  g_free(b);
}

static gint compare_fps(gconstpointer a, gconstpointer b)
{
  const VfFpsStats *x = a, *y = b;
  return x->source_id < y->source_id ? -1 : x->source_id > y->source_id;
}

/* Under b->lock. */
static GArray *fps_snapshot(Builtin *b)
{
  GArray *a = g_array_new(FALSE, FALSE, sizeof(VfFpsStats));
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, b->sources);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    SourceFps *s = value;
    gdouble span = (s->last_us - s->first_us) / (gdouble)G_TIME_SPAN_SECOND;
    VfFpsStats st = { s->source_id, s->frames, 0, 0 };
    st.average_fps = s->frames > 1 && span > 0 ? (s->frames - 1) / span : 0;
    st.fps = s->have_fps ? s->fps : st.average_fps;
    g_array_append_val(a, st);
  }
  g_array_sort(a, compare_fps);
  return a;
}

static void print_fps(Builtin *b, GArray *stats, const char *what)
{
  GString *line = g_string_new(NULL);
  g_string_append_printf(line, "%s '%s':", what, b->name);
  for (guint i = 0; i < stats->len; i++) {
    VfFpsStats *s = &g_array_index(stats, VfFpsStats, i);
    g_string_append_printf(line, "%s source %u: %.2f fps (avg %.2f, %" G_GUINT64_FORMAT " frames)",
                           i ? "," : "", s->source_id, s->fps, s->average_fps, s->frames);
  }
  if (stats->len == 0)
    g_string_append(line, " no frames yet");
  g_printerr("%s\n", line->str);
  g_string_free(line, TRUE);
}

static void count_frame(Builtin *b, guint source_id, gint64 now)
{
  SourceFps *s = g_hash_table_lookup(b->sources, GUINT_TO_POINTER(source_id));
  if (s == NULL) {
    s = g_new0(SourceFps, 1);
    s->source_id = source_id;
    s->first_us = now;
    g_hash_table_insert(b->sources, GUINT_TO_POINTER(source_id), s);
  }
  s->frames++;
  s->last_us = now;
}

static VfProbeReturn fps_on_buffer(VfBuffer *buffer, gpointer data)
{
  Builtin *b = data;
  gint64 now = g_get_monotonic_time();
  VfBatchMeta *meta = vf_buffer_get_batch_meta(buffer);
  g_mutex_lock(&b->lock);
  if (meta) {
    for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++)
      count_frame(b, vf_frame_meta_get_source_id(vf_batch_meta_get_frame(meta, i)), now);
  } else {
    count_frame(b, 0, now);
  }
  GArray *report = NULL;
  if (b->last_report_us == 0)
    b->last_report_us = now;
  gdouble dt = (now - b->last_report_us) / (gdouble)G_TIME_SPAN_SECOND;
  gint64 interval = b->interval_us > 0 ? b->interval_us : DEFAULT_INTERVAL_US;
  if (now - b->last_report_us >= interval) {
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, b->sources);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
      SourceFps *s = value;
      s->fps = (s->frames - s->frames_at_report) / dt;
      s->have_fps = TRUE;
      s->frames_at_report = s->frames;
    }
    b->last_report_us = now;
    if (b->interval_us > 0)
      report = fps_snapshot(b);
  }
  g_mutex_unlock(&b->lock);
  if (report) {
    print_fps(b, report, "fps");
    g_array_unref(report);
  }
  return VF_PROBE_KEEP;
}

static void print_latency(Builtin *b, const VfLatencyStats *l, const char *what)
{
  if (l->batches == 0)
    g_printerr("%s '%s': no batch with arrival times yet\n", what, b->name);
  else
    g_printerr("%s '%s': %" G_GUINT64_FORMAT
               " batches, last %.2f ms, avg %.2f ms, min %.2f ms, max "
               "%.2f ms\n",
               what, b->name, l->batches, l->last_ms, l->average_ms, l->min_ms, l->max_ms);
}

static VfProbeReturn latency_on_buffer(VfBuffer *buffer, gpointer data)
{
  Builtin *b = data;
  VfBatchMeta *meta = vf_buffer_get_batch_meta(buffer);
  if (meta == NULL)
    return VF_PROBE_KEEP;
  gint64 oldest = 0;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++) {
    gint64 t = vf_frame_meta_get_arrival_time(vf_batch_meta_get_frame(meta, i));
    if (t > 0 && (oldest == 0 || t < oldest))
      oldest = t;
  }
  if (oldest == 0)
    return VF_PROBE_KEEP;
  gint64 now = g_get_monotonic_time();
  gdouble ms = (now - oldest) / 1000.0;
  g_mutex_lock(&b->lock);
  VfLatencyStats *l = &b->latency;
  l->batches++;
  l->last_ms = ms;
  l->min_ms = l->batches == 1 ? ms : MIN(l->min_ms, ms);
  l->max_ms = MAX(l->max_ms, ms);
  b->latency_sum_ms += ms;
  l->average_ms = b->latency_sum_ms / l->batches;
  gboolean report = FALSE;
  if (b->last_report_us == 0)
    b->last_report_us = now;
  if (b->interval_us > 0 && now - b->last_report_us >= b->interval_us) {
    report = TRUE;
    b->last_report_us = now;
  }
  VfLatencyStats copy = *l;
  g_mutex_unlock(&b->lock);
  if (report)
    print_latency(b, &copy, "latency");
  return VF_PROBE_KEEP;
}

static void builtin_destroy(gpointer data)
{
  Builtin *b = data;
  g_mutex_lock(&b->lock);
  /* A summary of what was measured (nothing for a probe that saw nothing). */
  gboolean print = b->interval_us > 0;
  GArray *fps = print && b->kind == VF_PROBE_KIND_FPS ? fps_snapshot(b) : NULL;
  VfLatencyStats l = b->latency;
  g_mutex_unlock(&b->lock);
  if (fps) {
    if (fps->len > 0)
      print_fps(b, fps, "fps summary");
    g_array_unref(fps);
  } else if (print && b->kind == VF_PROBE_KIND_LATENCY && l.batches > 0) {
    print_latency(b, &l, "latency summary");
  }
  builtin_free(b);
}

VfProbe *vf_probe_new_builtin(const char *kind, const char *name, GError **error)
{
  if (vf_arg_is_null(kind, "kind", G_STRFUNC, error))
    return NULL;
  VfProbeKind k;
  VfProbeCallbacks cb = { 0 };
  if (g_strcmp0(kind, VF_PROBE_MEASURE_FPS) == 0) {
    k = VF_PROBE_KIND_FPS;
    cb.on_buffer = fps_on_buffer;
  } else if (g_strcmp0(kind, VF_PROBE_MEASURE_LATENCY) == 0) {
    k = VF_PROBE_KIND_LATENCY;
    cb.on_buffer = latency_on_buffer;
  } else {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "no built-in probe '%s': use \"" VF_PROBE_MEASURE_FPS
                "\" or \"" VF_PROBE_MEASURE_LATENCY "\"",
                kind);
    return NULL;
  }
  cb.destroy = builtin_destroy;
  Builtin *b = g_new0(Builtin, 1);
  g_mutex_init(&b->lock);
  b->kind = k;
  b->name = g_strdup(name ? name : kind);
  b->interval_us = DEFAULT_INTERVAL_US;
  if (k == VF_PROBE_KIND_FPS)
    b->sources = g_hash_table_new_full(NULL, NULL, NULL, g_free);
  VfProbe *p = vf_probe_new(b->name, &cb, b);
  p->kind = k;
  p->read_only = TRUE;
  return p;
}

VfProbe *vf_pipeline_attach_builtin_probe(VfPipeline *pipeline, const char *element,
                                          const char *pad, const char *kind, GError **error)
{
  VfProbe *p = vf_probe_new_builtin(kind, NULL, error);
  if (p == NULL)
    return NULL;
  /* The pipeline owns the probe from here, even when attaching fails. */
  return vf_pipeline_attach_probe(pipeline, element, pad, p, error) ? p : NULL;
}

static Builtin *builtin_of(const VfProbe *probe, VfProbeKind kind)
{
  return probe && probe->kind == kind ? probe->user_data : NULL;
}

void vf_probe_set_report_interval(VfProbe *probe, GstClockTime interval)
{
  if (probe == NULL || probe->kind == VF_PROBE_KIND_USER)
    return;
  Builtin *b = probe->user_data;
  g_mutex_lock(&b->lock);
  b->interval_us = GST_CLOCK_TIME_IS_VALID(interval) ? (gint64)(interval / GST_USECOND) : 0;
  g_mutex_unlock(&b->lock);
}

GArray *vf_probe_get_fps_stats(const VfProbe *probe)
{
  Builtin *b = builtin_of(probe, VF_PROBE_KIND_FPS);
  if (b == NULL)
    return NULL;
  g_mutex_lock(&b->lock);
  GArray *a = fps_snapshot(b);
  g_mutex_unlock(&b->lock);
  return a;
}

gboolean vf_probe_get_latency_stats(const VfProbe *probe, VfLatencyStats *stats)
{
  Builtin *b = builtin_of(probe, VF_PROBE_KIND_LATENCY);
  if (b == NULL)
    return FALSE;
  g_mutex_lock(&b->lock);
  *stats = b->latency;
  g_mutex_unlock(&b->lock);
  return TRUE;
}
