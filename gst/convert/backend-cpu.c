/* vidflow convert: the CPU backend (convert.h). GstVideoConverter per stream, output buffers from a
 * GstVideoBufferPool per output layout, the jobs of a batch spread over a GThreadPool.
 *
 * Lock order: CpuState.lock (the batch's completion count) is the only lock; the converters and
 * pools are touched by the thread that runs one job, never by two at once. */
#include "convert.h"

#include <string.h>
#include <vidflow/frame-map.h>

GST_DEBUG_CATEGORY_STATIC(vf_convert_cpu_debug);
#define GST_CAT_DEFAULT vf_convert_cpu_debug

/* Converters not used for this many batches are freed (a stream that went away). */
#define STALE_BATCHES 256

/* One stream's converter (kept from batch to batch while its layouts stay the same). */
typedef struct {
  GstVideoConverter *convert;
  GstVideoInfo in, out;
  VfRect dest;
  guint threads;
  VfConvertMethod method;
  guint64 used; /* the batch serial it was last used in */
} Entry;

typedef struct {
  GstVideoInfo info;
  GstBufferPool *pool;
} Pool;

typedef struct CpuState CpuState;

/* What one job needs from its thread. */
typedef struct {
  VfConvertJob *job;
  Entry *entry;
  guint threads; /* GstVideoConverter threads for this job */
} Work;

/* One batch handed to helper threads. */
typedef struct {
  CpuState *state;
  Work *work;
  guint n;
  gint next;          /* atomic: the next job to take */
  guint helpers_left; /* under state->lock */
} Batch;

struct CpuState {
  VfConvertOptions options;
  guint threads;     /* resolved: at least 1 */
  GThreadPool *pool; /* helpers (threads - 1 of them), NULL with one thread */
  GMutex lock;
  GCond done;
  GHashTable *entries; /* key -> GPtrArray of Entry* (a key twice in a batch: two entries) */
  GArray *pools;       /* Pool */
  guint64 serial;
};

static void entry_free(gpointer data)
{
  Entry *e = data;
  g_clear_pointer(&e->convert, gst_video_converter_free);
  g_free(e);
}

static void free_entries(gpointer data)
{
  g_ptr_array_unref(data);
}

static GstVideoResamplerMethod resampler(VfConvertMethod m)
{
  switch (m) {
  case VF_CONVERT_METHOD_NEAREST:
    return GST_VIDEO_RESAMPLER_METHOD_NEAREST;
  case VF_CONVERT_METHOD_CUBIC:
    return GST_VIDEO_RESAMPLER_METHOD_CUBIC;
  case VF_CONVERT_METHOD_LANCZOS:
    return GST_VIDEO_RESAMPLER_METHOD_LANCZOS;
  default:
    return GST_VIDEO_RESAMPLER_METHOD_LINEAR;
  }
}

static char *describe(const GstVideoInfo *info)
{
  return g_strdup_printf("%s %dx%d", GST_VIDEO_INFO_NAME(info), GST_VIDEO_INFO_WIDTH(info),
                         GST_VIDEO_INFO_HEIGHT(info));
}

/* The entry's converter for the job's layouts, made anew when they changed. */
static gboolean ensure_converter(Entry *e, const VfConvertJob *job, guint threads,
                                 VfConvertMethod method)
{
  if (e->convert && e->threads == threads && e->method == method
      && gst_video_info_is_equal(&e->in, &job->in_info)
      && gst_video_info_is_equal(&e->out, &job->out_info)
      && memcmp(&e->dest, &job->dest, sizeof e->dest) == 0)
    return TRUE;
  g_clear_pointer(&e->convert, gst_video_converter_free);
  gint ow = GST_VIDEO_INFO_WIDTH(&job->out_info), oh = GST_VIDEO_INFO_HEIGHT(&job->out_info);
  gboolean bordered = job->dest.left > 0 || job->dest.top > 0 || (gint)job->dest.width < ow
                      || (gint)job->dest.height < oh;
  GstStructure *config = gst_structure_new(
      "vf-convert", GST_VIDEO_CONVERTER_OPT_RESAMPLER_METHOD, GST_TYPE_VIDEO_RESAMPLER_METHOD,
      resampler(method), GST_VIDEO_CONVERTER_OPT_DEST_X, G_TYPE_INT, (gint)job->dest.left,
      GST_VIDEO_CONVERTER_OPT_DEST_Y, G_TYPE_INT, (gint)job->dest.top,
      GST_VIDEO_CONVERTER_OPT_DEST_WIDTH, G_TYPE_INT, (gint)job->dest.width,
      GST_VIDEO_CONVERTER_OPT_DEST_HEIGHT, G_TYPE_INT, (gint)job->dest.height,
      GST_VIDEO_CONVERTER_OPT_FILL_BORDER, G_TYPE_BOOLEAN, bordered,
      GST_VIDEO_CONVERTER_OPT_BORDER_ARGB, G_TYPE_UINT, 0xff000000u, /* opaque black */
      GST_VIDEO_CONVERTER_OPT_THREADS, G_TYPE_UINT, threads, NULL);
  e->convert = gst_video_converter_new((GstVideoInfo *)&job->in_info,
                                       (GstVideoInfo *)&job->out_info, config);
  if (e->convert == NULL)
    return FALSE;
  e->in = job->in_info;
  e->out = job->out_info;
  e->dest = job->dest;
  e->threads = threads;
  e->method = method;
  return TRUE;
}

/* The pool of frames laid out as `info` (made on first use; unbounded: frames live as long as
 * downstream holds the batch). Calling thread only. */
static GstBufferPool *pool_for(CpuState *s, const GstVideoInfo *info, GError **error)
{
  for (guint i = 0; i < s->pools->len; i++) {
    Pool *p = &g_array_index(s->pools, Pool, i);
    if (gst_video_info_is_equal(&p->info, info))
      return p->pool;
  }
  GstBufferPool *pool = gst_video_buffer_pool_new();
  GstStructure *config = gst_buffer_pool_get_config(pool);
  GstCaps *caps = gst_video_info_to_caps((GstVideoInfo *)info);
  gst_buffer_pool_config_set_params(config, caps, (guint)GST_VIDEO_INFO_SIZE(info), 0, 0);
  gst_buffer_pool_config_add_option(config, GST_BUFFER_POOL_OPTION_VIDEO_META);
  gst_caps_unref(caps);
  if (!gst_buffer_pool_set_config(pool, config) || !gst_buffer_pool_set_active(pool, TRUE)) {
    char *d = describe(info);
    g_set_error(error, VF_ERROR, VF_ERROR_FAILED,
                "could not set up a buffer pool for %s frames (out of memory?)", d);
    g_free(d);
    gst_object_unref(pool);
    return NULL;
  }
  Pool p = { *info, pool };
  g_array_append_val(s->pools, p);
  return pool;
}

static void run_one(CpuState *s, Work *w)
{
  VfConvertJob *job = w->job;
  if (!ensure_converter(w->entry, job, w->threads, s->options.method)) {
    char *i = describe(&job->in_info), *o = describe(&job->out_info);
    job->error = g_error_new(VF_ERROR, VF_ERROR_FORMAT,
                             "stream %u: GstVideoConverter cannot convert %s to %s; choose "
                             "another output format",
                             job->key, i, o);
    g_free(i);
    g_free(o);
    gst_clear_buffer(&job->out);
    return;
  }
  VfFrameMap src, dst;
  GError *err = NULL;
  if (!vf_frame_map_buffer(&src, job->in, &job->in_info, VF_DEVICE_CPU, GST_MAP_READ, &err)
      || !vf_frame_map_buffer(&dst, job->out, &job->out_info, VF_DEVICE_CPU, GST_MAP_WRITE, &err)) {
    job->error = g_error_new(VF_ERROR, err->code, "stream %u: %s", job->key, err->message);
    g_error_free(err);
    vf_frame_unmap(&src);
    gst_clear_buffer(&job->out);
    return;
  }
  GstVideoFrame in_frame, out_frame;
  vf_frame_map_to_video_frame(&src, &in_frame);
  vf_frame_map_to_video_frame(&dst, &out_frame);
  gst_video_converter_frame(w->entry->convert, &in_frame, &out_frame);
  vf_frame_unmap(&dst);
  vf_frame_unmap(&src);
}

/* Take jobs until none is left (the calling thread and each helper). */
static void drain(Batch *b)
{
  for (;;) {
    gint i = g_atomic_int_add(&b->next, 1);
    if (i >= (gint)b->n)
      return;
    run_one(b->state, &b->work[i]);
  }
}

static void helper(gpointer data, gpointer user_data)
{
  Batch *b = data;
  (void)user_data;
  drain(b);
  g_mutex_lock(&b->state->lock);
  if (--b->helpers_left == 0)
    g_cond_signal(&b->state->done);
  g_mutex_unlock(&b->state->lock);
}

static gpointer cpu_open(const VfConvertOptions *options, GstElement *element, GError **error)
{
  (void)element;
  GST_DEBUG_CATEGORY_INIT(vf_convert_cpu_debug, "vfconvert-cpu", 0, "vidflow CPU converter");
  CpuState *s = g_new0(CpuState, 1);
  s->options = *options;
  s->threads = options->threads ? options->threads : MAX(g_get_num_processors(), 1);
  g_mutex_init(&s->lock);
  g_cond_init(&s->done);
  s->entries = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_entries);
  s->pools = g_array_new(FALSE, TRUE, sizeof(Pool));
  if (s->threads > 1) {
    s->pool = g_thread_pool_new(helper, s, (gint)s->threads - 1, TRUE, error);
    if (s->pool == NULL) {
      g_prefix_error(error, "the CPU converter could not start %u threads: ", s->threads - 1);
      g_hash_table_unref(s->entries);
      g_array_unref(s->pools);
      g_free(s);
      return NULL;
    }
  }
  return s;
}

/* Entries of keys not seen for STALE_BATCHES batches go. */
static void sweep(CpuState *s)
{
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, s->entries);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    GPtrArray *list = value;
    for (guint i = list->len; i > 0; i--)
      if (((Entry *)g_ptr_array_index(list, i - 1))->used + STALE_BATCHES < s->serial)
        g_ptr_array_remove_index(list, i - 1);
    if (list->len == 0)
      g_hash_table_iter_remove(&it);
  }
}

static void cpu_run(gpointer state, VfConvertJob *jobs, guint n)
{
  CpuState *s = state;
  s->serial++;
  if (s->serial % STALE_BATCHES == 0)
    sweep(s);
  /* How the threads are spread: frames across threads, or each frame's stripes across them. */
  VfConvertSplit split = s->options.split;
  if (split == VF_CONVERT_SPLIT_AUTO)
    split = n >= s->threads ? VF_CONVERT_SPLIT_FRAMES : VF_CONVERT_SPLIT_STRIPES;
  guint workers = split == VF_CONVERT_SPLIT_FRAMES ? MIN(s->threads, n) : 1;
  guint per_job = split == VF_CONVERT_SPLIT_FRAMES ? 1 : s->threads;
  if (s->options.split == VF_CONVERT_SPLIT_AUTO && split == VF_CONVERT_SPLIT_STRIPES && n > 1) {
    /* fewer frames than threads: each frame on its own share of them, all at once */
    workers = n;
    per_job = MAX(s->threads / n, 1);
  }

  Work *work = g_new0(Work, n);
  GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal); /* key -> times in batch */
  guint valid = 0;
  for (guint i = 0; i < n; i++) {
    VfConvertJob *job = &jobs[i];
    guint k = GPOINTER_TO_UINT(g_hash_table_lookup(seen, GUINT_TO_POINTER(job->key)));
    g_hash_table_insert(seen, GUINT_TO_POINTER(job->key), GUINT_TO_POINTER(k + 1));
    GPtrArray *list = g_hash_table_lookup(s->entries, GUINT_TO_POINTER(job->key));
    if (list == NULL) {
      list = g_ptr_array_new_with_free_func(entry_free);
      g_hash_table_insert(s->entries, GUINT_TO_POINTER(job->key), list);
    }
    while (list->len <= k)
      g_ptr_array_add(list, g_new0(Entry, 1));
    Entry *e = g_ptr_array_index(list, k);
    e->used = s->serial;
    GError *err = NULL;
    GstBufferPool *pool = pool_for(s, &job->out_info, &err);
    if (pool && gst_buffer_pool_acquire_buffer(pool, &job->out, NULL) != GST_FLOW_OK) {
      char *d = describe(&job->out_info);
      g_set_error(&err, VF_ERROR, VF_ERROR_FAILED, "no buffer for a %s frame (out of memory?)", d);
      g_free(d);
    }
    if (err) {
      job->error = g_error_new(VF_ERROR, err->code, "stream %u: %s", job->key, err->message);
      g_error_free(err);
      continue;
    }
    work[valid++] = (Work){ job, e, per_job };
  }
  g_hash_table_unref(seen);

  Batch b = { s, work, valid, 0, 0 };
  guint helpers = s->pool ? MIN(workers, valid) : 0;
  helpers = helpers > 0 ? helpers - 1 : 0; /* the calling thread works too */
  b.helpers_left = helpers;
  for (guint i = 0; i < helpers; i++)
    g_thread_pool_push(s->pool, &b, NULL);
  drain(&b);
  g_mutex_lock(&s->lock);
  while (b.helpers_left > 0)
    g_cond_wait(&s->done, &s->lock);
  g_mutex_unlock(&s->lock);
  g_free(work);
}

static void cpu_close(gpointer state)
{
  CpuState *s = state;
  if (s->pool)
    g_thread_pool_free(s->pool, FALSE, TRUE);
  g_hash_table_unref(s->entries);
  for (guint i = 0; i < s->pools->len; i++) {
    Pool *p = &g_array_index(s->pools, Pool, i);
    gst_buffer_pool_set_active(p->pool, FALSE);
    gst_object_unref(p->pool);
  }
  g_array_unref(s->pools);
  g_mutex_clear(&s->lock);
  g_cond_clear(&s->done);
  g_free(s);
}

const VfConvertBackend vf_convert_backend_cpu = {
  "CPU", VF_DEVICE_CPU, cpu_open, NULL, cpu_run, cpu_close,
};
