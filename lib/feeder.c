/* vidflow: VfFeeder, a provider's generate() driven by an appsrc's need-data/enough-data on a
 * thread of its own (a VfWorker: cancelled, joined with a deadline, left behind when generate()
 * does not return), with every buffer checked against the caps before it is pushed.
 *
 * Lock order: VfFeeder.lock, then the worker's (never held while generate() runs). */
#include <vidflow/feeder.h>

#include "buffer-private.h"
#include "error-private.h"
#include "pipeline-private.h"
#include "timeline.h"
#include "worker-private.h"

#include <gst/app/gstappsrc.h>
#include <vidflow/frame-map.h>

struct _VfFeeder {
  char *name;
  VfProviderInfo info;
  VfProviderCallbacks callbacks;
  gpointer user_data;
  guint max_buffers;
  VfAttachable attach; /* for vf_pipeline_attach_feeder; invalid: from vf_feeder_new */

  GstElement *appsrc; /* bound element (ref) */
  VfColorFormat format;
  gboolean raw;
  gboolean batched;   /* caps carry meta:VfBatch: buffers are batches (from a vfmux pipeline) */
  GstVideoInfo vinfo; /* raw: the negotiated frame */
  gint fps_n, fps_d;
  gboolean do_timestamp; /* the appsrc's, taken over: the feeder stamps (see timestamped()) */
  VfTimeline timeline;   /* do-timestamp: stamps given so far */
  gboolean live;         /* the appsrc's is-live */

  VfWorker *worker; /* the feeder thread */
  GMutex lock;      /* guards the fields below */
  GCond cond;
  gboolean need_data;       /* appsrc asked for data and has not said enough since */
  gboolean stopping;        /* the run ends: generate() is not called again */
  gint64 stopping_since;    /* monotonic us */
  gint64 in_generate_since; /* monotonic us; 0: not in generate() */
  guint64 frame_index;
  guint64 pushed;
};

/* What is wrong with the provider's fields, or NULL. */
static GError *check_info(const char *name, const VfProviderInfo *info)
{
  char *detail = NULL;
  gboolean raw = !vf_color_format_is_encoded(info->format);
  if ((guint)info->format > VF_COLOR_FORMAT_H264)
    detail = g_strdup_printf("format %d is not a VfColorFormat", (gint)info->format);
  else if (info->width > G_MAXINT || info->height > G_MAXINT)
    detail = g_strdup_printf("%ux%u frames are too large", info->width, info->height);
  else if (raw && (info->width == 0) != (info->height == 0))
    detail = g_strdup_printf("width is %u but height is %u: give both, or neither (then the "
                             "appsrc caps give the size)",
                             info->width, info->height);
  else if (info->fps_n < 0 || info->fps_d < 0)
    detail
        = g_strdup_printf("framerate %d/%d is negative (0/1: unknown)", info->fps_n, info->fps_d);
  else if (info->device != VF_DEVICE_CPU && info->device != VF_DEVICE_CUDA)
    detail = g_strdup_printf("device %d is not a VfDevice", (gint)info->device);
  if (detail == NULL)
    return NULL;
  GError *err
      = g_error_new(VF_ERROR, VF_ERROR_ARGUMENT, "feeder '%s': VfProviderInfo: %s", name, detail);
  g_free(detail);
  return err;
}

VfFeeder *vf_feeder_new(const char *name, const VfProviderInfo *info,
                        const VfProviderCallbacks *callbacks, gpointer user_data)
{
  VfFeeder *f = g_new0(VfFeeder, 1);
  f->name = g_strdup(name ? name : "feeder");
  if (info)
    f->info = *info;
  if (callbacks)
    f->callbacks = *callbacks;
  f->user_data = user_data;
  f->max_buffers = 4;
  f->worker = vf_worker_new();
  g_mutex_init(&f->lock);
  g_cond_init(&f->cond);
  if (callbacks == NULL || callbacks->generate == NULL)
    f->attach.invalid
        = g_error_new(VF_ERROR, VF_ERROR_ARGUMENT,
                      "feeder '%s' has no generate() callback: a provider needs one", f->name);
  else if (info)
    f->attach.invalid = check_info(f->name, info);
  return f;
}

/* Frees everything (the feeder thread is not running). */
static void feeder_release(gpointer data)
{
  VfFeeder *feeder = data;
  if (feeder->appsrc)
    gst_object_unref(feeder->appsrc);
  if (feeder->callbacks.destroy)
    feeder->callbacks.destroy(feeder->user_data);
  vf_worker_free(feeder->worker);
  g_clear_error(&feeder->attach.invalid);
  g_mutex_clear(&feeder->lock);
  g_cond_clear(&feeder->cond);
  g_free(feeder->name);
  g_free(feeder);
}

/* After the pipeline stopped: now, or on the feeder thread once a generate() that was left behind
 * returns. */
static void feeder_free(gpointer data)
{
  VfFeeder *feeder = data;
  if (vf_worker_release_later(feeder->worker, feeder_release, feeder))
    feeder_release(feeder);
}

void vf_feeder_free(VfFeeder *feeder)
{
  /* An attached feeder belongs to its pipeline, which frees it. */
  if (feeder && !feeder->attach.owned)
    feeder_free(feeder);
}

void vf_feeder_set_max_buffers(VfFeeder *feeder, guint max_buffers)
{
  if (feeder)
    feeder->max_buffers = MAX(max_buffers, 1);
}

const char *vf_feeder_get_name(const VfFeeder *feeder)
{
  return feeder ? feeder->name : NULL;
}

GCancellable *vf_feeder_get_cancellable(VfFeeder *feeder)
{
  return feeder ? vf_worker_get_cancellable(feeder->worker) : NULL;
}

guint64 vf_feeder_get_pushed(const VfFeeder *feeder)
{
  if (feeder == NULL)
    return 0;
  VfFeeder *f = (VfFeeder *)feeder; /* the lock is not part of the feeder's value */
  g_mutex_lock(&f->lock);
  guint64 n = f->pushed;
  g_mutex_unlock(&f->lock);
  return n;
}

static void on_need_data(GstAppSrc *src, guint length, gpointer data)
{
  (void)src;
  (void)length;
  VfFeeder *f = data;
  g_mutex_lock(&f->lock);
  f->need_data = TRUE;
  g_cond_signal(&f->cond);
  g_mutex_unlock(&f->lock);
}

static void on_enough_data(GstAppSrc *src, gpointer data)
{
  (void)src;
  VfFeeder *f = data;
  g_mutex_lock(&f->lock);
  f->need_data = FALSE;
  g_mutex_unlock(&f->lock);
}

/* Caps from the provider's fields, or the provider's fields checked against the user's caps. */
static gboolean resolve_caps(VfFeeder *f, GstElement *appsrc, GError **error)
{
  const char *src = GST_ELEMENT_NAME(appsrc);
  VfProviderInfo *info = &f->info;
  GstCaps *caps = NULL;
  g_object_get(appsrc, "caps", &caps, NULL);

  if (caps == NULL) {
    if (info->format == VF_COLOR_FORMAT_UNKNOWN
        || (!vf_color_format_is_encoded(info->format) && (info->width == 0 || info->height == 0))) {
      g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                  "appsrc '%s' has no caps and feeder '%s' gives no format, width and height: set "
                  "the provider's format/width/height/framerate or the appsrc's caps",
                  src, f->name);
      return FALSE;
    }
    caps = vf_color_format_to_caps(info->format, info->width, info->height, info->fps_n,
                                   info->fps_d);
    g_object_set(appsrc, "caps", caps, NULL);
  }
  gboolean ok = FALSE;
  GstCapsFeatures *features = gst_caps_get_features(caps, 0);
  GstStructure *s = gst_caps_get_structure(caps, 0);
  gint fps_n = 0, fps_d = 1, w = 0, h = 0;
  gst_structure_get_fraction(s, "framerate", &fps_n, &fps_d);
  gst_structure_get_int(s, "width", &w);
  gst_structure_get_int(s, "height", &h);
  f->format = vf_color_format_from_caps(caps);
  gboolean batched = features && gst_caps_features_contains(features, VF_CAPS_FEATURE_META_BATCH)
                     && vf_caps_get_device(caps) == VF_DEVICE_CPU;

  if (features && gst_caps_features_contains(features, "memory:NVMM")) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "appsrc '%s' caps ask for memory:NVMM, which is DeepStream's; use plain "
                "video/x-raw (CPU frames)",
                src);
  } else if (features && !gst_caps_features_is_any(features) && !batched
             && !gst_caps_features_contains(features, GST_CAPS_FEATURE_MEMORY_SYSTEM_MEMORY)) {
    char *fs = gst_caps_features_to_string(features);
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "appsrc '%s' caps ask for %s; this build feeds CPU memory only", src, fs);
    g_free(fs);
  } else if (info->device != VF_DEVICE_CPU) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "feeder '%s' provides CUDA frames; this build feeds CPU memory only", f->name);
  } else if (f->format == VF_COLOR_FORMAT_UNKNOWN) {
    char *cs = gst_caps_to_string(caps);
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "appsrc '%s' caps %s are not a format vidflow feeds (RGB, RGBA, BGR, BGRA, GRAY8, "
                "NV12, I420, JPEG, H264)",
                src, cs);
    g_free(cs);
  } else if (info->format != VF_COLOR_FORMAT_UNKNOWN && info->format != f->format) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "feeder '%s' provides %s but appsrc '%s' caps say %s: make them agree", f->name,
                vf_color_format_to_string(info->format), src, vf_color_format_to_string(f->format));
  } else if ((info->width && (gint)info->width != w) || (info->height && (gint)info->height != h)) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "feeder '%s' provides %ux%u frames but appsrc '%s' caps say %dx%d: make them agree",
                f->name, info->width, info->height, src, w, h);
  } else if (info->fps_n > 0 && fps_n > 0
             && (gint64)info->fps_n * fps_d != (gint64)fps_n * MAX(info->fps_d, 1)) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "feeder '%s' provides %d/%d fps but appsrc '%s' caps say %d/%d: make them agree",
                f->name, info->fps_n, MAX(info->fps_d, 1), src, fps_n, fps_d);
  } else {
    f->batched = batched;
    f->raw = !vf_color_format_is_encoded(f->format) && !batched;
    if (f->raw && !gst_video_info_from_caps(&f->vinfo, caps)) {
      char *cs = gst_caps_to_string(caps);
      g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                  "appsrc '%s' caps %s do not fix the frame (width, height and format are needed)",
                  src, cs);
      g_free(cs);
    } else {
      f->fps_n = fps_n > 0 ? fps_n : info->fps_n;
      f->fps_d = fps_n > 0 ? fps_d : MAX(info->fps_d, 1);
      ok = TRUE;
    }
  }
  gst_caps_unref(caps);
  return ok;
}

static gboolean bind(VfFeeder *feeder, GstElement *appsrc, GError **error)
{
  if (feeder->appsrc) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "feeder '%s' is already attached to '%s'",
                feeder->name, GST_ELEMENT_NAME(feeder->appsrc));
    return FALSE;
  }
  if (!resolve_caps(feeder, appsrc, error))
    return FALSE;
  feeder->appsrc = gst_object_ref(appsrc);

  GstFormat format;
  guint64 max_bytes;
  g_object_get(appsrc, "format", &format, "do-timestamp", &feeder->do_timestamp, "is-live",
               &feeder->live, "max-bytes", &max_bytes, NULL);
  if (format == GST_FORMAT_BYTES) /* appsrc's default, wrong for frames */
    g_object_set(appsrc, "format", GST_FORMAT_TIME, NULL);
  /* The feeder stamps do-timestamp buffers itself: basesrc would stamp only once the clock runs
   * (none in preroll) and would give DTS its own, later running time. */
  if (feeder->do_timestamp)
    g_object_set(appsrc, "do-timestamp", FALSE, NULL);
  /* Bound the queue in frames. For raw frames the bound is in bytes so that min-percent asks for
   * more at half full and the appsrc never runs dry while generate() works. */
  if (max_bytes == 200000) { /* appsrc's default: the user did not choose */
    if (feeder->raw)
      g_object_set(appsrc, "max-bytes",
                   (guint64)GST_VIDEO_INFO_SIZE(&feeder->vinfo) * feeder->max_buffers,
                   "min-percent", 50, NULL);
    else
      g_object_set(appsrc, "max-bytes", (guint64)0, "max-buffers", (guint64)feeder->max_buffers,
                   NULL);
  }
  GstAppSrcCallbacks cb = { 0 };
  cb.need_data = on_need_data;
  cb.enough_data = on_enough_data;
  gst_app_src_set_callbacks(GST_APP_SRC(appsrc), &cb, feeder, NULL);
  return TRUE;
}

/* Bytes a frame needs given its video meta (custom strides) or the caps (default layout). */
static gboolean check_buffer(VfFeeder *f, VfBuffer *b, GError **error)
{
  const char *src = GST_ELEMENT_NAME(f->appsrc);
  if (b->format != VF_COLOR_FORMAT_UNKNOWN && b->format != f->format) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "feeder '%s' returned a %s buffer but appsrc '%s' caps say %s", f->name,
                vf_color_format_to_string(b->format), src, vf_color_format_to_string(f->format));
    return FALSE;
  }
  VfBatchMeta *batch = f->batched ? vf_buffer_get_batch_meta(b) : NULL;
  if (f->batched && batch == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "feeder '%s' returned a buffer without batch metadata, but appsrc '%s' caps are "
                "batched (meta:VfBatch): feed batches received from a vfmux pipeline, or use "
                "plain video/x-raw caps",
                f->name, src);
    return FALSE;
  }
  for (guint i = 0; batch && i < vf_batch_meta_get_n_frames(batch); i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(batch, i);
    GError *why = NULL;
    if (!vf_frame_check(b->buffer, frame, &why)
        || !vf_frame_map_supported(vf_frame_get_device(b->buffer, frame), VF_DEVICE_CPU, &why)) {
      g_set_error(error, VF_ERROR, why->code, "feeder '%s' returned a batch for appsrc '%s': %s",
                  f->name, src, why->message);
      g_error_free(why);
      return FALSE;
    }
  }
  if (!f->raw)
    return TRUE;
  guint w = GST_VIDEO_INFO_WIDTH(&f->vinfo), h = GST_VIDEO_INFO_HEIGHT(&f->vinfo);
  if (b->has_info
      && (GST_VIDEO_INFO_WIDTH(&b->info) != (gint)w
          || GST_VIDEO_INFO_HEIGHT(&b->info) != (gint)h)) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT,
                "feeder '%s' returned a %dx%d frame but appsrc '%s' caps say %ux%u", f->name,
                GST_VIDEO_INFO_WIDTH(&b->info), GST_VIDEO_INFO_HEIGHT(&b->info), src, w, h);
    return FALSE;
  }
  gsize size = gst_buffer_get_size(b->buffer);
  GstVideoMeta *meta = gst_buffer_get_video_meta(b->buffer);
  if (meta) {
    gsize needed = 0;
    for (guint p = 0; p < meta->n_planes; p++) {
      gint comp[GST_VIDEO_MAX_COMPONENTS];
      gst_video_format_info_component(f->vinfo.finfo, p, comp);
      gsize rows = GST_VIDEO_FORMAT_INFO_SCALE_HEIGHT(f->vinfo.finfo, comp[0], h);
      needed = MAX(needed, meta->offset[p] + (gsize)meta->stride[p] * rows);
    }
    if (size >= needed)
      return TRUE;
    g_set_error(error, VF_ERROR, VF_ERROR_SIZE,
                "feeder '%s' returned %zu bytes; a %s %ux%u frame with its strides needs %zu",
                f->name, size, vf_color_format_to_string(f->format), w, h, needed);
    return FALSE;
  }
  if (size != GST_VIDEO_INFO_SIZE(&f->vinfo)) {
    g_set_error(error, VF_ERROR, VF_ERROR_SIZE,
                "feeder '%s' returned %zu bytes; a %s %ux%u frame (appsrc '%s' caps) is %zu bytes",
                f->name, size, vf_color_format_to_string(f->format), w, h, src,
                GST_VIDEO_INFO_SIZE(&f->vinfo));
    return FALSE;
  }
  return TRUE;
}

/* PTS/duration for buffers that have none. From the frame rate: frame n at n / rate. With
 * do-timestamp, never closer than one frame (at the caps' rate) to the frame before, DTS = PTS,
 * durations, so every muxer takes the stream:
 * - a live appsrc (is-live): the clock's running time when the frame is pushed, as appsrc would;
 * - otherwise: the time the provider took to make the frame. Frames come as fast as downstream
 *   takes them (an encoder slower than real time holds the feeder back; in preroll it takes
 *   dozens before the clock even runs), so the clock would stamp the pipeline's speed; the
 *   provider's own time is the source's: a provider that returns at once gets the frame rate's
 *   spacing, one slower than its rate (a camera read, a queue waited on) its real times.
 * `made_in`: nanoseconds generate() took for this frame. */
static GstBuffer *timestamped(VfFeeder *f, GstBuffer *buffer, GstClockTime made_in)
{
  if (GST_BUFFER_PTS_IS_VALID(buffer)) {
    if (f->do_timestamp) /* the provider's own stamp: later stamps continue from it */
      f->timeline.last = GST_BUFFER_PTS(buffer);
    return buffer;
  }
  if (!f->do_timestamp && f->fps_n <= 0)
    return buffer;
  buffer = gst_buffer_make_writable(buffer); /* shallow: memory is shared, not copied */
  GstClockTime frame = f->fps_n > 0
                           ? gst_util_uint64_scale((guint64)f->fps_d, GST_SECOND, (guint64)f->fps_n)
                           : GST_CLOCK_TIME_NONE;
  if (f->do_timestamp) {
    GstClockTime when = GST_CLOCK_TIME_NONE; /* the frame's own time, NONE: not known */
    if (f->live) {
      /* Before PLAYING the base time is not set yet: no running time. */
      GstClock *clock
          = GST_STATE(f->appsrc) == GST_STATE_PLAYING ? gst_element_get_clock(f->appsrc) : NULL;
      if (clock) {
        GstClockTime now = gst_clock_get_time(clock), base = gst_element_get_base_time(f->appsrc);
        when = now > base ? now - base : 0;
        gst_object_unref(clock);
      }
    } else if (GST_CLOCK_TIME_IS_VALID(f->timeline.last)) {
      when = f->timeline.last + made_in;
    }
    GstClockTime step = GST_CLOCK_TIME_IS_VALID(frame) ? frame : VF_TIMELINE_MIN_STEP;
    GST_BUFFER_PTS(buffer) = vf_timeline_next(&f->timeline, when, step, step);
    if (f->format != VF_COLOR_FORMAT_H264) /* raw and JPEG frames: decode order is display order */
      GST_BUFFER_DTS(buffer) = GST_BUFFER_PTS(buffer);
    GST_BUFFER_DURATION(buffer) = frame;
    return buffer;
  }
  GST_BUFFER_PTS(buffer)
      = gst_util_uint64_scale(f->frame_index, (guint64)f->fps_d * GST_SECOND, (guint64)f->fps_n);
  GST_BUFFER_DURATION(buffer) = frame;
  return buffer;
}

static gpointer feeder_thread(gpointer data)
{
  VfFeeder *f = data;
  gsize size = f->raw ? GST_VIDEO_INFO_SIZE(&f->vinfo) : 0;

  g_mutex_lock(&f->lock);
  while (TRUE) {
    while (!f->need_data && !f->stopping)
      g_cond_wait(&f->cond, &f->lock);
    if (f->stopping)
      break;
    f->in_generate_since = g_get_monotonic_time();
    g_mutex_unlock(&f->lock);

    GError *error = NULL;
    gint64 asked = g_get_monotonic_time();
    VfBuffer *b = f->callbacks.generate(size, f->user_data, &error);
    GstClockTime made_in = (GstClockTime)(g_get_monotonic_time() - asked) * GST_USECOND;
    g_mutex_lock(&f->lock);
    f->in_generate_since = 0;
    gboolean stopping = f->stopping;
    g_mutex_unlock(&f->lock);
    gboolean done = FALSE;
    if (stopping) {
      /* The run ended meanwhile (maybe long ago, the pipeline gone): what it made goes nowhere. */
      g_clear_error(&error);
      done = TRUE;
    } else if (error) {
      g_prefix_error(&error, "feeder '%s' (appsrc '%s'): ", f->name, GST_ELEMENT_NAME(f->appsrc));
      vf_post_error(f->appsrc, error);
      done = TRUE;
    } else if (vf_buffer_is_empty(b)) {
      gst_app_src_end_of_stream(GST_APP_SRC(f->appsrc));
      done = TRUE;
    } else if (!check_buffer(f, b, &error)) {
      vf_post_error(f->appsrc, error);
      done = TRUE;
    } else {
      /* Sole owner of the VfBuffer: take its GstBuffer, so stamping needs no copy of it. */
      GstBuffer *out = g_atomic_int_get(&b->refcount) == 1 ? g_steal_pointer(&b->buffer)
                                                           : gst_buffer_ref(b->buffer);
      out = timestamped(f, out, made_in);
      GstFlowReturn ret = gst_app_src_push_buffer(GST_APP_SRC(f->appsrc), out);
      f->frame_index++;
      g_mutex_lock(&f->lock);
      f->pushed++;
      g_mutex_unlock(&f->lock);
      done = ret != GST_FLOW_OK; /* flushing (stopped) or EOS (drained by send_eos) */
    }
    if (b)
      vf_buffer_unref(b);
    g_mutex_lock(&f->lock);
    if (done)
      break;
  }
  g_mutex_unlock(&f->lock);
  return NULL;
}

static gboolean feeder_start(gpointer data, GError **error)
{
  VfFeeder *feeder = data;
  if (feeder->appsrc == NULL) /* never bound: attaching failed */
    return TRUE;
  g_mutex_lock(&feeder->lock);
  /* A generate() left behind by the last run must still see that it stopped. */
  gboolean busy = feeder->in_generate_since != 0;
  if (!busy) {
    feeder->stopping = FALSE;
    feeder->need_data = FALSE;
    feeder->frame_index = 0;
    vf_timeline_reset(&feeder->timeline);
  }
  g_mutex_unlock(&feeder->lock);
  if (busy || !vf_worker_start(feeder->worker, feeder->name, feeder_thread, feeder)) {
    g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                "feeder '%s' (appsrc '%s'): generate() has not returned since the last run "
                "stopped, so the pipeline cannot start again yet (make generate() return when "
                "vf_feeder_get_cancellable() is cancelled)",
                feeder->name, GST_ELEMENT_NAME(feeder->appsrc));
    return FALSE;
  }
  return TRUE;
}

static void feeder_cancel(gpointer data)
{
  VfFeeder *feeder = data;
  g_mutex_lock(&feeder->lock);
  if (!feeder->stopping) {
    feeder->stopping = TRUE;
    feeder->stopping_since = g_get_monotonic_time();
  }
  g_cond_broadcast(&feeder->cond);
  g_mutex_unlock(&feeder->lock);
  vf_worker_cancel(feeder->worker);
}

/* The pipeline is at NULL: the thread ends (or is left behind, with a warning, at `deadline`). */
static void feeder_stop(gpointer data, gint64 deadline)
{
  VfFeeder *feeder = data;
  feeder_cancel(feeder); /* already done by the pipeline; cheap, and stop() may come alone */
  if (vf_worker_join(feeder->worker, deadline))
    return;
  g_mutex_lock(&feeder->lock);
  gint64 since = feeder->stopping_since;
  g_mutex_unlock(&feeder->lock);
  vf_post_warning(feeder->appsrc,
                  g_error_new(VF_ERROR, VF_ERROR_TIMEOUT,
                              "feeder '%s' (appsrc '%s'): generate() has not returned %.1f s "
                              "after the pipeline stopped; its thread is left to end on its own "
                              "(make generate() return when vf_feeder_get_cancellable() is "
                              "cancelled)",
                              feeder->name, GST_ELEMENT_NAME(feeder->appsrc),
                              (g_get_monotonic_time() - since) / 1e6));
}

static char *feeder_describe(gpointer data)
{
  VfFeeder *feeder = data;
  g_mutex_lock(&feeder->lock);
  gint64 since = feeder->in_generate_since;
  g_mutex_unlock(&feeder->lock);
  if (since == 0)
    return NULL;
  return g_strdup_printf("feeder '%s' (appsrc '%s') has been in generate() for %.1f s",
                         feeder->name, GST_ELEMENT_NAME(feeder->appsrc),
                         (g_get_monotonic_time() - since) / 1e6);
}

static const VfAttachedClass feeder_class = {
  .kind = "feeder",
  .constructor = "vf_feeder_new",
  .start = feeder_start,
  .cancel = feeder_cancel,
  .stop = feeder_stop,
  .describe = feeder_describe,
  .free = feeder_free,
};

gboolean vf_pipeline_attach_feeder(VfPipeline *pipeline, const char *element, VfFeeder *feeder,
                                   const char *tips, GError **error)
{
  if (!vf_pipeline_adopt(pipeline, &feeder_class, feeder, feeder ? &feeder->attach : NULL,
                         feeder ? feeder->name : NULL, element, G_STRFUNC, error))
    return FALSE;
  GstElement *appsrc = vf_pipeline_lookup_for_attach(pipeline, element, "appsrc", tips,
                                                     "need-data/enough-data", error);
  return appsrc && bind(feeder, appsrc, error);
}
