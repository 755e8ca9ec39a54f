/* vidflow plugin: vfmux, the nvstreammux equivalent.
 *
 * SECTION:element-vfmux
 *
 * vfmux gathers the frames of N sources (request pads sink_%u) into one batched buffer per batch
 * and describes them with a VfBatchMeta (include/vidflow/meta.h): for each frame its source id
 * (the pad index), batch index, frame number within its source, PTS, original size, sensor id and
 * name.
 *
 * Layout (meta.h): the output buffer holds no pixels; each frame's VfFrameMeta holds a reference
 * to that frame's own buffer, so a batch may hold any number of frames, in system or CUDA memory.
 * A frame that needs no scaling and no conversion is not copied: its frame meta references the
 * source's buffer itself (zero-copy), which goes back to its pool once the last copy of the batch
 * is gone. Other frames are scaled and/or converted by the batch converter (gst/convert/convert.h:
 * the frames of a batch in parallel on n-threads CPU threads) into buffers from its pools,
 * referenced the same way. Frames in memory:CUDAMemory pass
 * through zero-copy only: vfmux never maps them. Each frame also records its source's sticky
 * events (stream-start, caps, segment, tags), so that vfdemux rebuilds the original streams.
 *
 * Caps: video/x-raw(meta:VfBatch), format=F, batch-size=N, framerate=R, and width/height when
 * every frame of the batch has that size (always when the width and height properties are set;
 * when they are 0 and sources differ in size, the caps leave width and height out and each
 * frame's size is in its VfFrameMeta). The meta:VfBatch caps feature keeps elements that expect
 * one frame (videoconvert) from misreading a batch; tee, queue, appsink, fakesink accept it.
 *
 * Batches: a batch is complete when every source that has not ended contributed a frame, or when
 * batch-size frames are in (a batch never holds two frames of one source). In a live pipeline
 * (live sources, or live-source=true) an incomplete batch goes out batched-push-timeout after the
 * running time of its earliest frame; the reported latency grows by that timeout. Non-live
 * pipelines wait for every source (or its end of stream). When some sources have ended, batches
 * hold the others' frames; EOS goes downstream once every source ended.
 *
 * Threads: there is no muxer thread to hand frames to. Each source's frame is queued on its own
 * streaming thread (a few per source: up to 8 small frames, 2 once they hold 2 MiB; then that
 * thread waits), and the thread whose frame completes a batch builds it (scaling through the batch
 * converter) and pushes it downstream, going on while its own frames are in the next batches.
 * The one thread of vfmux's own, the timer thread, sleeps unless a live pipeline has an
 * incomplete batch to push at its deadline, or a complete batch holds no frame of the thread
 * that completed it (round robin, a source that ended, flushed or left): it makes those. Batches
 * go out one at a time, in order; each source's frames in order.
 *
 * Flushing seeks go to every source; downstream gets the first FLUSH_START and, once every
 * source is through its flush, one FLUSH_STOP and a new segment: no batch mixes frames from
 * before and after the seek. The latency query answers the sources' latency (live when one is,
 * or live-source is set) plus batched-push-timeout.
 *
 * Sources come and go: sink pads may be requested and released while PLAYING. Each change (and
 * each source's EOS) is posted as an element message and sent downstream as a serialized custom
 * event (VF_SOURCE_ADDED, VF_SOURCE_REMOVED, VF_SOURCE_EOS in meta.h).
 *
 * Example launch line:
 *   gst-launch-1.0 vfmux name=mux batch-size=2 width=640 height=360 ! fakesink \
 *     videotestsrc num-buffers=100 ! mux.sink_0 \
 *     videotestsrc num-buffers=100 pattern=ball ! video/x-raw,width=320,height=240 ! mux.sink_1
 */
#include "vfmux.h"

#include "convert.h"

#include <string.h>
#include <vidflow/frame-map.h>
#include <vidflow/meta.h>

GST_DEBUG_CATEGORY_STATIC(vf_mux_debug);
#define GST_CAT_DEFAULT vf_mux_debug

/* The formats vfmux accepts: those the batch converter converts between. */
#define VF_MUX_FORMATS VF_CONVERT_FORMATS

/* ---- output format property ---- */

typedef enum {
  VF_MUX_FORMAT_AUTO = 0,
  VF_MUX_FORMAT_RGB,
  VF_MUX_FORMAT_RGBA,
  VF_MUX_FORMAT_NV12,
  VF_MUX_FORMAT_I420,
} VfMuxFormat;

#define VF_TYPE_MUX_FORMAT (vf_mux_format_get_type())
static GType vf_mux_format_get_type(void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { VF_MUX_FORMAT_AUTO, "Keep the first source's format (others are converted to it)", "auto" },
    { VF_MUX_FORMAT_RGB, "RGB, packed 24-bit", "RGB" },
    { VF_MUX_FORMAT_RGBA, "RGBA, packed 32-bit", "RGBA" },
    { VF_MUX_FORMAT_NV12, "NV12, Y plane + interleaved UV plane", "NV12" },
    { VF_MUX_FORMAT_I420, "I420, Y, U and V planes", "I420" },
    { 0, NULL, NULL },
  };
  if (g_once_init_enter(&type))
    g_once_init_leave(&type, g_enum_register_static("VfMuxFormat", values));
  return type;
}

static GstVideoFormat mux_format_to_video(VfMuxFormat f)
{
  switch (f) {
  case VF_MUX_FORMAT_RGB:
    return GST_VIDEO_FORMAT_RGB;
  case VF_MUX_FORMAT_RGBA:
    return GST_VIDEO_FORMAT_RGBA;
  case VF_MUX_FORMAT_NV12:
    return GST_VIDEO_FORMAT_NV12;
  case VF_MUX_FORMAT_I420:
    return GST_VIDEO_FORMAT_I420;
  default:
    return GST_VIDEO_FORMAT_UNKNOWN;
  }
}

/* ---- locks ----
 *
 * Lock order: stream_lock (S), then lock (L), then object locks (element, pad). Nothing is pushed
 * downstream, no message posted and no upstream query made while L is held; messages are posted
 * with no lock of ours held.
 *   S  (VfMux.stream_lock): one batch at a time is built and pushed, by whichever thread holds it
 *      (the streaming thread of the source whose frame completed the batch, the timer thread, or
 *      the thread releasing a pad); the src pad's stream events; the converter; negotiation.
 *   L  (VfMux.lock): the pads' queues and stream state, the element's flags below.
 * A thread that changes what could complete a batch sets `rescan` under L and then only *tries*
 * S: when another thread holds S, that thread looks again (under L) before it lets S go, so no
 * batch is left behind and no source thread waits for another's push. */

/* How many frames a source may queue before its streaming thread waits: up to QUEUE_DEPTH small
 * frames (its thread is then woken once per half queue, not once per frame), but only QUEUE_MIN
 * once they hold QUEUE_BYTES: more big frames in flight only grow the sources' pools (fresh pages
 * to fault in) and push frames out of the caches (bench/batch/vfmux-bench, 32 and 64 sources of
 * 720p scaled by vfmux, median of 3 rounds: 2.7x and 9.6x the frame rate with 2 frames queued
 * than with 8). */
#define QUEUE_DEPTH 8
#define QUEUE_MIN 2
#define QUEUE_BYTES (2 * 1024 * 1024)

/* A source's stream as its frames were made: caps, segment and sticky events (immutable once
 * shared; a new one is made on each sticky event). Refcounted (g_atomic_rc_box). */
typedef struct {
  gboolean has_info;
  gboolean cuda;
  GstVideoInfo info;
  GstSegment segment;
  GPtrArray *sticky; /* GstEvent refs in GStreamer's sticky order, immutable */
} Stream;

static void stream_clear(Stream *st)
{
  g_clear_pointer(&st->sticky, g_ptr_array_unref);
}

static void stream_unref(Stream *st)
{
  g_atomic_rc_box_release_full(st, (GDestroyNotify)stream_clear);
}

/* A copy of `from` (nullable: an empty stream) to change (transfer full). */
static Stream *stream_new(const Stream *from)
{
  Stream *st = g_atomic_rc_box_new0(Stream);
  if (from) {
    *st = *from;
    if (st->sticky)
      g_ptr_array_ref(st->sticky);
  } else {
    gst_video_info_init(&st->info);
    gst_segment_init(&st->segment, GST_FORMAT_TIME);
  }
  return st;
}

/* A queued frame, or a gap (buffer NULL: the source has no frame for this batch). */
typedef struct {
  GstBuffer *buffer; /* transfer full, nullable */
  gsize size;        /* its bytes */
  gint64 arrival;    /* monotonic µs when it came in */
  Stream *stream;    /* transfer full */
} Item;

static void item_clear(Item *item)
{
  gst_clear_buffer(&item->buffer);
  g_clear_pointer(&item->stream, stream_unref);
}

/* ---- the sink pad ---- */

struct _VfMuxPad {
  GstPad parent;

  /* properties (pad object lock) */
  char *sensor_id;
  char *sensor_name;

  guint source_id; /* from the pad name, fixed */

  /* L */
  Item queue[QUEUE_DEPTH]; /* a ring: `len` items from `head` */
  guint head, len;
  gsize bytes;      /* of the queued frames */
  gboolean waiting; /* its streaming thread waits for room in the queue */
  guint full_at;    /* the queue's length when it began to wait */
  Stream *stream;   /* the stream as it is now (transfer full, nullable before any event) */
  gboolean eos;     /* got EOS (frames may still be queued) */
  gboolean eos_notified;
  gboolean flushing;     /* between FLUSH_START and FLUSH_STOP, or being released */
  gboolean seek_pending; /* a flushing seek went upstream: its FLUSH_STOP is still to come */
  guint64 frame_number;
};

enum {
  PAD_PROP_0,
  PAD_PROP_SENSOR_ID,
  PAD_PROP_SENSOR_NAME,
};

G_DEFINE_TYPE(VfMuxPad, vf_mux_pad, GST_TYPE_PAD)

static Item *queue_peek(VfMuxPad *pad)
{
  return pad->len ? &pad->queue[pad->head] : NULL;
}

static void queue_push(VfMuxPad *pad, GstBuffer *buffer, gint64 arrival)
{
  Item *item = &pad->queue[(pad->head + pad->len++) % QUEUE_DEPTH];
  item->buffer = buffer;
  item->size = buffer ? gst_buffer_get_size(buffer) : 0;
  item->arrival = arrival;
  pad->bytes += item->size;
  item->stream = g_atomic_rc_box_acquire(pad->stream);
}

/* Take the head item (transfer full into *item). */
static void queue_pop(VfMuxPad *pad, Item *item)
{
  *item = pad->queue[pad->head];
  pad->bytes -= item->size;
  memset(&pad->queue[pad->head], 0, sizeof(Item));
  pad->head = (pad->head + 1) % QUEUE_DEPTH;
  pad->len--;
}

static gboolean queue_full(const VfMuxPad *pad)
{
  return pad->len >= QUEUE_DEPTH || (pad->len >= QUEUE_MIN && pad->bytes >= QUEUE_BYTES);
}

static void queue_clear(VfMuxPad *pad)
{
  while (pad->len) {
    Item item;
    queue_pop(pad, &item);
    item_clear(&item);
  }
  pad->head = 0;
}

/* Back to a pad that has seen nothing (L held, or the element stopped). */
static void vf_mux_pad_reset(VfMuxPad *pad)
{
  queue_clear(pad);
  g_clear_pointer(&pad->stream, stream_unref);
  pad->frame_number = 0;
  pad->eos = FALSE;
  pad->eos_notified = FALSE;
  pad->flushing = FALSE;
  pad->seek_pending = FALSE;
  pad->waiting = FALSE;
}

static void vf_mux_pad_finalize(GObject *object)
{
  VfMuxPad *pad = VF_MUX_PAD(object);
  vf_mux_pad_reset(pad);
  g_free(pad->sensor_id);
  g_free(pad->sensor_name);
  G_OBJECT_CLASS(vf_mux_pad_parent_class)->finalize(object);
}

static void vf_mux_pad_set_property(GObject *object, guint id, const GValue *value,
                                    GParamSpec *pspec)
{
  VfMuxPad *pad = VF_MUX_PAD(object);
  GST_OBJECT_LOCK(pad);
  switch (id) {
  case PAD_PROP_SENSOR_ID:
    g_free(pad->sensor_id);
    pad->sensor_id = g_value_dup_string(value);
    break;
  case PAD_PROP_SENSOR_NAME:
    g_free(pad->sensor_name);
    pad->sensor_name = g_value_dup_string(value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(pad);
}

static void vf_mux_pad_get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  VfMuxPad *pad = VF_MUX_PAD(object);
  GST_OBJECT_LOCK(pad);
  switch (id) {
  case PAD_PROP_SENSOR_ID:
    g_value_set_string(value, pad->sensor_id);
    break;
  case PAD_PROP_SENSOR_NAME:
    g_value_set_string(value, pad->sensor_name);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(pad);
}

static void vf_mux_pad_class_init(VfMuxPadClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  gobject_class->finalize = vf_mux_pad_finalize;
  gobject_class->set_property = vf_mux_pad_set_property;
  gobject_class->get_property = vf_mux_pad_get_property;

  g_object_class_install_property(
      gobject_class, PAD_PROP_SENSOR_ID,
      g_param_spec_string("sensor-id", "Sensor id",
                          "Id of the camera/sensor behind this source (e.g. from a source list), "
                          "copied into each frame's metadata; NULL: unknown",
                          NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property(
      gobject_class, PAD_PROP_SENSOR_NAME,
      g_param_spec_string("sensor-name", "Sensor name",
                          "Human-readable name of the camera/sensor behind this source, copied "
                          "into each frame's metadata; NULL: unknown",
                          NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

static void vf_mux_pad_init(VfMuxPad *pad)
{
  (void)pad;
}

/* ---- the element ---- */

#define DEFAULT_BATCH_SIZE 0
#define DEFAULT_WIDTH 0
#define DEFAULT_HEIGHT 0
#define DEFAULT_PUSH_TIMEOUT 40000
#define DEFAULT_LIVE_SOURCE FALSE
#define DEFAULT_ENABLE_PADDING FALSE
#define DEFAULT_FORMAT VF_MUX_FORMAT_AUTO
#define DEFAULT_GPU_ID 0
#define DEFAULT_N_THREADS 0
#define MAX_BATCH_SIZE 1024

typedef enum { LIVE_UNKNOWN, LIVE_NO, LIVE_YES } Liveness;

struct _VfMux {
  GstElement parent;
  GstPad *srcpad;

  /* properties (object lock) */
  guint batch_size;
  guint width, height;
  gint64 push_timeout_us;
  gboolean live_source;
  gboolean enable_padding;
  VfMuxFormat format;
  guint gpu_id;
  guint n_threads;
  /* object lock */
  guint n_pads;

  GMutex stream_lock; /* S */
  GMutex lock;        /* L */
  /* L: the source ids of the sink pads from their request until their release has removed them
   * from the element (two decoders' pad-added asking for sink_%u at once get different pads) */
  GHashTable *serials_taken;
  guint next_serial; /* L: the number of the next sink_%u pad asked for without a name */
  GCond space;       /* L: room in a waiting source's queue, or flushing */

  /* L */
  GPtrArray *pads;       /* the sink pads (refs), sorted by source id */
  GQueue pending_events; /* custom events for the source pad, pushed in order with batches */
  gboolean rescan;       /* something changed: look for a complete batch before letting S go */
  gboolean started;      /* READY -> PAUSED done, PAUSED -> READY not begun */
  gboolean flushing;     /* a flushing seek between its FLUSH_START and the last FLUSH_STOP */
  gboolean seek_flush;   /* a flushing seek went upstream: forward its flushes */
  gboolean eos_sent;
  GstFlowReturn flow_ret; /* the last push's result, given to every source */
  gboolean caps_dirty;    /* a source's caps changed: renegotiate before the next batch */
  guint next_pad;         /* round robin when batch-size < number of sources */
  guint64 batches;        /* batches taken so far */
  /* live batching (L): the timer thread pushes an incomplete batch on its deadline */
  Liveness live;
  GstClockTime upstream_latency; /* the sources' largest minimum latency (live) */
  gboolean playing;
  gboolean timer_quit, timer_idle, timed_out;
  gboolean relief; /* batches are complete that no source thread makes: the timer thread does */
  GCond timer_cond;
  GThread *timer;
  GstClockID timer_id; /* the deadline being waited for (nullable) */

  /* S */
  gboolean need_stream_start, need_segment;
  GstCaps *src_caps;         /* the caps pushed (nullable) */
  GstVideoFormat out_format; /* chosen at the first negotiation, kept */
  gboolean out_cuda;
  VfConverter *converter; /* scaling and conversion of the frames of a batch (start..stop) */
  GArray *slots;          /* Slot, reused from batch to batch */
};

enum {
  PROP_0,
  PROP_BATCH_SIZE,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_PUSH_TIMEOUT,
  PROP_LIVE_SOURCE,
  PROP_ENABLE_PADDING,
  PROP_FORMAT,
  PROP_GPU_ID,
  PROP_N_THREADS,
};

#define SINK_CAPS                                                                                  \
  GST_VIDEO_CAPS_MAKE(VF_MUX_FORMATS)                                                              \
  "; " GST_VIDEO_CAPS_MAKE_WITH_FEATURES(VF_CAPS_FEATURE_MEMORY_CUDA, VF_MUX_FORMATS)
#define SRC_CAPS                                                                                   \
  "video/x-raw(" VF_CAPS_FEATURE_META_BATCH "), format=(string)" VF_MUX_FORMATS                    \
  ", batch-size=(int)[1, 1024]; video/x-raw(" VF_CAPS_FEATURE_MEMORY_CUDA                          \
  ", " VF_CAPS_FEATURE_META_BATCH "), format=(string)" VF_MUX_FORMATS                              \
  ", batch-size=(int)[1, 1024]"

static GstStaticPadTemplate sink_template
    = GST_STATIC_PAD_TEMPLATE("sink_%u", GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS(SINK_CAPS));
static GstStaticPadTemplate src_template
    = GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(SRC_CAPS));

G_DEFINE_TYPE_WITH_CODE(VfMux, vf_mux, GST_TYPE_ELEMENT,
                        GST_DEBUG_CATEGORY_INIT(vf_mux_debug, "vfmux", 0,
                                                "vidflow batching muxer"));
GST_ELEMENT_REGISTER_DEFINE(vfmux, "vfmux", GST_RANK_NONE, VF_TYPE_MUX);

static void vf_mux_set_property(GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  VfMux *self = VF_MUX(object);
  gboolean renegotiate = FALSE;
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_BATCH_SIZE:
    self->batch_size = g_value_get_uint(value);
    renegotiate = TRUE;
    break;
  case PROP_WIDTH:
    self->width = g_value_get_uint(value);
    renegotiate = TRUE;
    break;
  case PROP_HEIGHT:
    self->height = g_value_get_uint(value);
    renegotiate = TRUE;
    break;
  case PROP_PUSH_TIMEOUT:
    self->push_timeout_us = g_value_get_int64(value);
    break;
  case PROP_LIVE_SOURCE:
    self->live_source = g_value_get_boolean(value);
    break;
  case PROP_ENABLE_PADDING:
    self->enable_padding = g_value_get_boolean(value);
    break;
  case PROP_FORMAT:
    self->format = g_value_get_enum(value);
    renegotiate = TRUE;
    break;
  case PROP_GPU_ID:
    self->gpu_id = g_value_get_uint(value);
    break;
  case PROP_N_THREADS:
    self->n_threads = g_value_get_uint(value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(self);
  if (renegotiate)
    gst_pad_mark_reconfigure(self->srcpad);
}

static void vf_mux_get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  VfMux *self = VF_MUX(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_BATCH_SIZE:
    g_value_set_uint(value, self->batch_size);
    break;
  case PROP_WIDTH:
    g_value_set_uint(value, self->width);
    break;
  case PROP_HEIGHT:
    g_value_set_uint(value, self->height);
    break;
  case PROP_PUSH_TIMEOUT:
    g_value_set_int64(value, self->push_timeout_us);
    break;
  case PROP_LIVE_SOURCE:
    g_value_set_boolean(value, self->live_source);
    break;
  case PROP_ENABLE_PADDING:
    g_value_set_boolean(value, self->enable_padding);
    break;
  case PROP_FORMAT:
    g_value_set_enum(value, self->format);
    break;
  case PROP_GPU_ID:
    g_value_set_uint(value, self->gpu_id);
    break;
  case PROP_N_THREADS:
    g_value_set_uint(value, self->n_threads);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(self);
}

typedef struct {
  guint batch_size, width, height;
  gboolean padding;
  VfMuxFormat format;
} Settings;

static void get_settings(VfMux *self, Settings *s)
{
  GST_OBJECT_LOCK(self);
  s->batch_size = self->batch_size ? self->batch_size : MAX(self->n_pads, 1);
  s->width = self->width;
  s->height = self->height;
  s->padding = self->enable_padding;
  s->format = self->format;
  GST_OBJECT_UNLOCK(self);
}

/* The sink pads, sorted by source id (transfer full: a GPtrArray of refs). */
static GPtrArray *get_pads(VfMux *self)
{
  GPtrArray *pads = g_ptr_array_new_with_free_func(gst_object_unref);
  GST_OBJECT_LOCK(self);
  for (GList *l = GST_ELEMENT(self)->sinkpads; l; l = l->next)
    g_ptr_array_add(pads, gst_object_ref(l->data));
  GST_OBJECT_UNLOCK(self);
  return pads;
}

static gint compare_source_id(gconstpointer a, gconstpointer b)
{
  const VfMuxPad *pa = *(VfMuxPad *const *)a, *pb = *(VfMuxPad *const *)b;
  return pa->source_id < pb->source_id ? -1 : pa->source_id > pb->source_id;
}

static gboolean format_convertible(GstVideoFormat f)
{
  static GstCaps *all = NULL;
  if (g_once_init_enter(&all)) {
    GstCaps *c = gst_caps_from_string("video/x-raw, format=(string)" VF_MUX_FORMATS);
    GST_MINI_OBJECT_FLAG_SET(c, GST_MINI_OBJECT_FLAG_MAY_BE_LEAKED);
    g_once_init_leave(&all, c);
  }
  GstCaps *one = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING,
                                     gst_video_format_to_string(f), NULL);
  gboolean ok = f != GST_VIDEO_FORMAT_UNKNOWN && gst_caps_can_intersect(one, all);
  gst_caps_unref(one);
  return ok;
}

static GstCaps *build_src_caps(GstVideoFormat format, gboolean cuda, gint width, gint height,
                               gint fps_n, gint fps_d, guint batch_size)
{
  GstCaps *caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING,
                                      gst_video_format_to_string(format), NULL);
  GstCapsFeatures *f
      = cuda ? gst_caps_features_new(VF_CAPS_FEATURE_MEMORY_CUDA, VF_CAPS_FEATURE_META_BATCH, NULL)
             : gst_caps_features_new(VF_CAPS_FEATURE_META_BATCH, NULL);
  gst_caps_set_features(caps, 0, f);
  if (width > 0 && height > 0)
    gst_caps_set_simple(caps, "width", G_TYPE_INT, width, "height", G_TYPE_INT, height, NULL);
  gst_caps_set_simple(caps, "framerate", GST_TYPE_FRACTION, fps_n, fps_d, "batch-size", G_TYPE_INT,
                      (gint)batch_size, NULL);
  return caps;
}

/* The batch caps for the sources as they are now and what downstream accepts (`downstream`,
 * nullable); S held. GST_FLOW_NOT_NEGOTIATED after posting why. */
static GstFlowReturn make_src_caps(VfMux *self, GstCaps *downstream, GstCaps **ret)
{
  Settings s;
  get_settings(self, &s);

  g_mutex_lock(&self->lock);
  const Stream *first = NULL;
  gboolean same_size = TRUE, same_rate = TRUE, any_cuda = FALSE, any_sys = FALSE;
  for (guint i = 0; i < self->pads->len; i++) {
    VfMuxPad *p = g_ptr_array_index(self->pads, i);
    const Stream *st = p->stream;
    if (st == NULL || !st->has_info)
      continue;
    if (st->cuda)
      any_cuda = TRUE;
    else
      any_sys = TRUE;
    if (first == NULL) {
      first = st;
      continue;
    }
    if (GST_VIDEO_INFO_WIDTH(&st->info) != GST_VIDEO_INFO_WIDTH(&first->info)
        || GST_VIDEO_INFO_HEIGHT(&st->info) != GST_VIDEO_INFO_HEIGHT(&first->info))
      same_size = FALSE;
    if (GST_VIDEO_INFO_FPS_N(&st->info) * GST_VIDEO_INFO_FPS_D(&first->info)
        != GST_VIDEO_INFO_FPS_N(&first->info) * GST_VIDEO_INFO_FPS_D(&st->info))
      same_rate = FALSE;
  }
  GstVideoInfo first_info;
  gboolean have_first = first != NULL;
  if (have_first)
    first_info = first->info;
  g_mutex_unlock(&self->lock);
  if (!have_first)
    return GST_FLOW_NOT_NEGOTIATED; /* not reached: a batch holds frames of sources with caps */

  if (any_cuda && any_sys) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("vfmux '%s': mixed memory types", GST_OBJECT_NAME(self)),
                      ("some sources give memory:CUDAMemory frames and others system memory; "
                       "make them agree (cudaupload or cudadownload before vfmux)"));
    return GST_FLOW_NOT_NEGOTIATED;
  }

  GstVideoFormat format = mux_format_to_video(s.format);
  if (format == GST_VIDEO_FORMAT_UNKNOWN)
    format = self->out_format != GST_VIDEO_FORMAT_UNKNOWN ? self->out_format
                                                          : GST_VIDEO_INFO_FORMAT(&first_info);
  gint width = 0, height = 0;
  if (s.width > 0 && s.height > 0) {
    width = (gint)s.width;
    height = (gint)s.height;
  } else if (same_size) {
    width = GST_VIDEO_INFO_WIDTH(&first_info);
    height = GST_VIDEO_INFO_HEIGHT(&first_info);
  }
  gint fps_n = same_rate ? GST_VIDEO_INFO_FPS_N(&first_info) : 0;
  gint fps_d = same_rate ? GST_VIDEO_INFO_FPS_D(&first_info) : 1;

  GstCaps *caps = build_src_caps(format, any_cuda, width, height, fps_n, fps_d, s.batch_size);
  if (downstream && !gst_caps_can_intersect(caps, downstream) && s.format == VF_MUX_FORMAT_AUTO
      && !any_cuda) {
    /* Downstream wants another format: take the first one it accepts that we can make. */
    for (guint i = 0; i < gst_caps_get_size(downstream); i++) {
      const GValue *v = gst_structure_get_value(gst_caps_get_structure(downstream, i), "format");
      const char *name = NULL;
      if (v && G_VALUE_HOLDS_STRING(v))
        name = g_value_get_string(v);
      else if (v && GST_VALUE_HOLDS_LIST(v) && gst_value_list_get_size(v) > 0)
        name = g_value_get_string(gst_value_list_get_value(v, 0));
      GstVideoFormat f = name ? gst_video_format_from_string(name) : GST_VIDEO_FORMAT_UNKNOWN;
      if (format_convertible(f)) {
        gst_caps_unref(caps);
        format = f;
        caps = build_src_caps(format, any_cuda, width, height, fps_n, fps_d, s.batch_size);
        break;
      }
    }
  }
  if (downstream && !gst_caps_can_intersect(caps, downstream)) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                      ("vfmux '%s': downstream refuses the batches", GST_OBJECT_NAME(self)),
                      ("vfmux makes %" GST_PTR_FORMAT
                       " but downstream accepts only %" GST_PTR_FORMAT
                       "; set vfmux's format/width/height or put vfconvert after it",
                       caps, downstream));
    gst_caps_unref(caps);
    return GST_FLOW_NOT_NEGOTIATED;
  }
  *ret = caps;
  return GST_FLOW_OK;
}

/* Stream-start, caps (made again when a source's caps, a property or downstream changed) and
 * segment on the source pad, in that order, before anything else goes out; S held. */
static GstFlowReturn push_stream_events(VfMux *self, gboolean with_caps)
{
  if (self->need_stream_start) {
    /* a stream of our own (gst_pad_create_stream_id is for elements with one sink pad) */
    char *id = g_strdup_printf("vfmux-%08x%08x", g_random_int(), g_random_int());
    GstEvent *e = gst_event_new_stream_start(id);
    gst_event_set_group_id(e, gst_util_group_id_next());
    g_free(id);
    /* a flushing pad (not active yet, or a flush under way) keeps no sticky event: try again
     * with the next batch, or data would go out before any stream-start */
    if (!gst_pad_push_event(self->srcpad, e) && GST_PAD_IS_FLUSHING(self->srcpad))
      return GST_FLOW_FLUSHING;
    self->need_stream_start = FALSE;
  }
  if (!with_caps)
    return GST_FLOW_OK;
  g_mutex_lock(&self->lock);
  gboolean dirty = self->caps_dirty;
  self->caps_dirty = FALSE;
  g_mutex_unlock(&self->lock);
  if (gst_pad_check_reconfigure(self->srcpad) || dirty || self->src_caps == NULL) {
    GstCaps *downstream = gst_pad_peer_query_caps(self->srcpad, NULL);
    GstCaps *caps = NULL;
    GstFlowReturn ret = make_src_caps(self, downstream, &caps);
    gst_clear_caps(&downstream);
    if (ret != GST_FLOW_OK) {
      gst_pad_mark_reconfigure(self->srcpad);
      return ret;
    }
    if (self->src_caps == NULL || !gst_caps_is_equal(caps, self->src_caps)) {
      GST_DEBUG_OBJECT(self, "output caps %" GST_PTR_FORMAT, caps);
      if (!gst_pad_push_event(self->srcpad, gst_event_new_caps(caps))) {
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                          ("vfmux '%s': downstream did not take caps %" GST_PTR_FORMAT,
                           GST_OBJECT_NAME(self), caps),
                          ("link vfmux to an element that accepts meta:VfBatch caps"));
        gst_caps_unref(caps);
        gst_pad_mark_reconfigure(self->srcpad);
        return GST_FLOW_NOT_NEGOTIATED;
      }
      GstStructure *st = gst_caps_get_structure(caps, 0);
      const char *name = gst_structure_get_string(st, "format");
      self->out_format = name ? gst_video_format_from_string(name) : GST_VIDEO_FORMAT_UNKNOWN;
      self->out_cuda = vf_caps_get_device(caps) == VF_DEVICE_CUDA;
      gst_caps_replace(&self->src_caps, caps);
    }
    gst_caps_unref(caps);
  }
  if (self->need_segment) {
    GstSegment seg;
    gst_segment_init(&seg, GST_FORMAT_TIME); /* batches are stamped with running times */
    if (!gst_pad_push_event(self->srcpad, gst_event_new_segment(&seg))
        && GST_PAD_IS_FLUSHING(self->srcpad))
      return GST_FLOW_FLUSHING;
    self->need_segment = FALSE;
  }
  return GST_FLOW_OK;
}

/* The custom events of sources coming, going and ending, in order with the batches; S held. */
static void push_pending_events(VfMux *self)
{
  while (TRUE) {
    g_mutex_lock(&self->lock);
    GstEvent *event = g_queue_pop_head(&self->pending_events);
    g_mutex_unlock(&self->lock);
    if (event == NULL)
      break;
    push_stream_events(self, FALSE);
    gst_pad_push_event(self->srcpad, event);
  }
}
static GstCaps *sink_caps(VfMux *self, GstPad *pad, GstCaps *filter)
{
  Settings s;
  get_settings(self, &s);
  GstCaps *templ = gst_pad_get_pad_template_caps(pad);
  GstVideoFormat format = mux_format_to_video(s.format);
  if (format == GST_VIDEO_FORMAT_UNKNOWN)
    format = self->out_format;
  GstCaps *result;
  if (format != GST_VIDEO_FORMAT_UNKNOWN || (s.width && s.height)) {
    result = gst_caps_copy(templ);
    for (guint i = 0; i < gst_caps_get_size(result); i++) {
      GstStructure *st = gst_caps_get_structure(result, i);
      if (format != GST_VIDEO_FORMAT_UNKNOWN)
        gst_structure_set(st, "format", G_TYPE_STRING, gst_video_format_to_string(format), NULL);
      if (s.width && s.height)
        gst_structure_set(st, "width", G_TYPE_INT, (gint)s.width, "height", G_TYPE_INT,
                          (gint)s.height, NULL);
    }
    result = gst_caps_merge(result, gst_caps_ref(templ));
  } else {
    result = gst_caps_ref(templ);
  }
  gst_caps_unref(templ);
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full(filter, result, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref(result);
    result = tmp;
  }
  return result;
}

static gboolean vf_mux_sink_query(GstPad *gpad, GstObject *parent, GstQuery *query)
{
  VfMux *self = VF_MUX(parent);
  switch (GST_QUERY_TYPE(query)) {
  case GST_QUERY_CAPS: {
    GstCaps *filter;
    gst_query_parse_caps(query, &filter);
    GstCaps *caps = sink_caps(self, gpad, filter);
    gst_query_set_caps_result(query, caps);
    gst_caps_unref(caps);
    return TRUE;
  }
  case GST_QUERY_ACCEPT_CAPS: {
    GstCaps *caps;
    gst_query_parse_accept_caps(query, &caps);
    GstCaps *templ = gst_pad_get_pad_template_caps(gpad);
    gst_query_set_accept_caps_result(query, gst_caps_is_subset(caps, templ));
    gst_caps_unref(templ);
    return TRUE;
  }
  case GST_QUERY_ALLOCATION:
    /* Frames with their own strides and offsets are read as they are. */
    gst_query_add_allocation_meta(query, GST_VIDEO_META_API_TYPE, NULL);
    return TRUE;
  default:
    return gst_pad_query_default(gpad, parent, query);
  }
}

/* ---- sources coming, going and ending ---- */

/* Queue the custom event of `what` for downstream (L held) and return the element message to
 * post once no lock is held (transfer full). */
static GstMessage *announce_locked(VfMux *self, const char *what, guint source_id,
                                   const char *pad_name)
{
  GstStructure *s = gst_structure_new(what, "source-id", G_TYPE_UINT, source_id, NULL);
  g_queue_push_tail(&self->pending_events,
                    gst_event_new_custom(GST_EVENT_CUSTOM_DOWNSTREAM, gst_structure_copy(s)));
  gst_structure_set(s, "pad-name", G_TYPE_STRING, pad_name, NULL);
  return gst_message_new_element(GST_OBJECT(self), s);
}

static void post(VfMux *self, GstMessage *message)
{
  if (message)
    gst_element_post_message(GST_ELEMENT(self), message);
}

/* Post the element messages in `messages` (transfer full each) and empty it. */
static void post_all(VfMux *self, GPtrArray *messages)
{
  for (guint i = 0; i < messages->len; i++)
    post(self, g_ptr_array_index(messages, i));
  g_ptr_array_set_size(messages, 0);
}

/* ---- per-source stream state ---- */

static gboolean same_slot(GstEvent *a, GstEvent *b)
{
  if (GST_EVENT_TYPE(a) != GST_EVENT_TYPE(b))
    return FALSE;
  if (GST_EVENT_TYPE(a) != GST_EVENT_CUSTOM_DOWNSTREAM_STICKY)
    return TRUE;
  const GstStructure *sa = gst_event_get_structure(a), *sb = gst_event_get_structure(b);
  return sa && sb && gst_structure_has_name(sa, gst_structure_get_name(sb));
}

/* Record a sticky event of the source in `st` (a stream not shared yet): a new immutable array
 * (frames already queued keep theirs), in GStreamer's sticky order, the event replacing the one
 * of its kind. A new stream starts a new set. */
static void record_sticky(Stream *st, GstEvent *event)
{
  GPtrArray *old = st->sticky;
  GPtrArray *set = g_ptr_array_new_with_free_func((GDestroyNotify)gst_event_unref);
  gboolean new_stream = FALSE;
  if (GST_EVENT_TYPE(event) == GST_EVENT_STREAM_START) {
    const gchar *id = NULL, *old_id = NULL;
    gst_event_parse_stream_start(event, &id);
    for (guint i = 0; old && i < old->len; i++)
      if (GST_EVENT_TYPE(g_ptr_array_index(old, i)) == GST_EVENT_STREAM_START)
        gst_event_parse_stream_start(g_ptr_array_index(old, i), &old_id);
    new_stream = g_strcmp0(id, old_id) != 0;
  }
  gboolean placed = FALSE;
  for (guint i = 0; old && !new_stream && i <= old->len; i++) {
    GstEvent *e = i < old->len ? g_ptr_array_index(old, i) : NULL;
    if (!placed && (e == NULL || GST_EVENT_TYPE(e) > GST_EVENT_TYPE(event))) {
      g_ptr_array_add(set, gst_event_ref(event));
      placed = TRUE;
    }
    if (e && !same_slot(e, event))
      g_ptr_array_add(set, gst_event_ref(e));
    else if (e && !placed) {
      g_ptr_array_add(set, gst_event_ref(event));
      placed = TRUE;
    }
  }
  if (!placed)
    g_ptr_array_add(set, gst_event_ref(event));
  st->sticky = set;
  if (old)
    g_ptr_array_unref(old);
}

/* ---- building a batch ---- */

typedef struct {
  VfMuxPad *pad; /* (transfer full) */
  guint index;   /* the pad's place in VfMux.pads when taken */
  Item item;     /* the source frame, taken from the pad's queue (transfer full) */
  guint64 frame_number;
  gboolean convert;
  VfConvertJob job; /* in: the source frame, its layout included; out_info: the frame as stored
                     * in the batch; dest: the picture in it; out: the converted frame (convert) */
} Slot;

static gint compare_slots(gconstpointer a, gconstpointer b)
{
  guint sa = ((const Slot *)a)->pad->source_id, sb = ((const Slot *)b)->pad->source_id;
  return sa < sb ? -1 : sa > sb;
}

/* Decide the stored size/format of a source frame and where the picture goes in it. */
static void plan_slot(VfMux *self, const Settings *s, Slot *slot)
{
  VfConvertJob *job = &slot->job;
  vf_frame_layout(&slot->item.stream->info, slot->item.buffer, &job->in_info);
  /* enable-padding keeps the aspect ratio: scale to fit, pad right and bottom (as nvstreammux) */
  VfConvertTarget target = { self->out_format, s->width && s->height ? s->width : 0,
                             s->width && s->height ? s->height : 0,
                             s->padding ? VF_CONVERT_SCALING_PAD : VF_CONVERT_SCALING_STRETCH };
  slot->convert = vf_convert_plan(&job->in_info, &target, &job->out_info, &job->dest);
  job->key = slot->pad->source_id;
  job->in = slot->item.buffer;
}

static char *describe(const GstVideoInfo *info)
{
  return g_strdup_printf("%s %dx%d", GST_VIDEO_INFO_NAME(info), GST_VIDEO_INFO_WIDTH(info),
                         GST_VIDEO_INFO_HEIGHT(info));
}

/* Convert the frames of a batch that need it, in parallel (the batch converter); FALSE after
 * posting the first failure, naming the pad and what to do. */
static gboolean convert_slots(VfMux *self, Slot *slots, guint n)
{
  VfConvertJob *jobs = g_new0(VfConvertJob, MAX(n, 1));
  guint *index = g_new0(guint, MAX(n, 1));
  guint n_jobs = 0;
  for (guint i = 0; i < n; i++)
    if (slots[i].convert) {
      index[n_jobs] = i;
      jobs[n_jobs++] = slots[i].job;
    }
  VfDevice device = self->out_cuda ? VF_DEVICE_CUDA : VF_DEVICE_CPU;
  GError *err = NULL;
  gboolean ok = vf_converter_run(self->converter, device, jobs, n_jobs, &err);
  for (guint k = 0; k < n_jobs; k++) {
    Slot *slot = &slots[index[k]];
    slot->job.out = g_steal_pointer(&jobs[k].out);
    if (jobs[k].error && ok == FALSE && err) {
      char *i = describe(&slot->job.in_info), *o = describe(&slot->job.out_info);
      GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                        ("vfmux '%s': pad %s gives %s%s frames that must become %s: %s",
                         GST_OBJECT_NAME(self), GST_PAD_NAME(slot->pad),
                         device == VF_DEVICE_CUDA ? "memory:CUDAMemory " : "", i, o,
                         jobs[k].error->message),
                        ("set width=0 height=0 format=auto to batch the frames as they are "
                         "(zero-copy), or make the sources produce %s",
                         o));
      g_free(i);
      g_free(o);
      g_clear_error(&err);
    }
    vf_convert_job_clear(&jobs[k]);
  }
  g_clear_error(&err);
  g_free(jobs);
  g_free(index);
  return ok;
}

static void clear_slot(Slot *slot)
{
  item_clear(&slot->item);
  gst_clear_buffer(&slot->job.out);
  gst_clear_object(&slot->pad);
}

/* Build one batch from `slots` (n frames, in any order) and push it; S held. */
static GstFlowReturn push_batch(VfMux *self, const Settings *s, Slot *slots, guint n)
{
  qsort(slots, n, sizeof *slots, compare_slots); /* batch order: by source id */
  for (guint i = 0; i < n; i++)
    plan_slot(self, s, &slots[i]);
  if (!convert_slots(self, slots, n)) {
    for (guint i = 0; i < n; i++)
      clear_slot(&slots[i]);
    return GST_FLOW_ERROR;
  }

  GstBuffer *out = gst_buffer_new();
  VfBatchMeta *meta = vf_batch_meta_add(out, s->batch_size);
  GstClockTime pts = GST_CLOCK_TIME_NONE, duration = GST_CLOCK_TIME_NONE;
  for (guint i = 0; i < n; i++) {
    Slot *slot = &slots[i];
    VfMuxPad *pad = slot->pad;
    GstBuffer *in = slot->item.buffer;
    const Stream *st = slot->item.stream;
    VfFrameMeta *f = slot->convert
                         ? vf_batch_meta_add_frame(meta, slot->job.out, &slot->job.out_info)
                         : vf_batch_meta_add_frame(meta, in, &slot->job.in_info);
    GstClockTime fpts = GST_BUFFER_PTS(in);
    GstClockTime rt = GST_CLOCK_TIME_IS_VALID(fpts) && st->segment.format == GST_FORMAT_TIME
                          ? gst_segment_to_running_time(&st->segment, GST_FORMAT_TIME, fpts)
                          : GST_CLOCK_TIME_NONE;
    vf_frame_meta_set_source_id(f, pad->source_id);
    vf_frame_meta_set_frame_number(f, slot->frame_number);
    vf_frame_meta_set_pts(f, fpts);
    vf_frame_meta_set_duration(f, GST_BUFFER_DURATION(in));
    vf_frame_meta_set_running_time(f, rt);
    vf_frame_meta_set_arrival_time(f, slot->item.arrival);
    vf_frame_meta_set_original_size(f, (guint)GST_VIDEO_INFO_WIDTH(&st->info),
                                    (guint)GST_VIDEO_INFO_HEIGHT(&st->info));
    vf_frame_meta_set_content_rect(f, &slot->job.dest);
    vf_frame_meta_set_sticky_events(f, st->sticky);
    GST_OBJECT_LOCK(pad);
    vf_frame_meta_set_sensor(f, pad->sensor_id, pad->sensor_name);
    GST_OBJECT_UNLOCK(pad);
    if (GST_CLOCK_TIME_IS_VALID(rt) && (!GST_CLOCK_TIME_IS_VALID(pts) || rt < pts))
      pts = rt;
    if (!GST_CLOCK_TIME_IS_VALID(duration))
      duration = GST_BUFFER_DURATION(in);
    clear_slot(slot); /* the frame holds its own references */
  }

  GST_BUFFER_PTS(out) = pts;
  GST_BUFFER_DTS(out) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION(out) = duration;
  return gst_pad_push(self->srcpad, out);
}

/* What the queue heads say (scan_locked). */
typedef struct {
  guint avail;      /* sources with a frame at the head */
  guint active;     /* sources a batch waits for: a frame, or nothing yet and not ended */
  guint waiting;    /* sources with nothing queued that have not ended */
  gboolean gaps;    /* some source said "no frame for this batch" (a GAP event) */
  gboolean all_eos; /* every source ended and gave all its frames */
} Scan;

/* Whether the frames at the heads make a batch: batch-size frames, or one of every source the
 * batch waits for. */
static gboolean scan_complete(const Scan *sc, guint batch_size)
{
  return sc->avail > 0 && (sc->avail >= batch_size || sc->avail == sc->active);
}

/* Look at the queue heads (L held), in round-robin order from next_pad. With `slots` (nullable)
 * the sources with a frame are listed there, in that order; with `notices` (nullable) each
 * source that ended and gave all its frames is announced once (its element message added). */
static void scan_locked(VfMux *self, Scan *sc, GArray *slots, GPtrArray *notices)
{
  memset(sc, 0, sizeof *sc);
  guint n = self->pads->len;
  sc->all_eos = n > 0;
  guint start = n ? self->next_pad % n : 0;
  if (slots)
    g_array_set_size(slots, 0);
  for (guint k = 0; k < n; k++) {
    guint index = (start + k) % n;
    VfMuxPad *pad = g_ptr_array_index(self->pads, index);
    const Item *head = queue_peek(pad);
    if (head && head->buffer) {
      sc->all_eos = FALSE;
      sc->active++;
      sc->avail++;
      if (slots) {
        Slot slot = { .pad = pad, .index = index };
        g_array_append_val(slots, slot);
      }
    } else if (head) {
      sc->all_eos = FALSE; /* a gap: not waited for in this batch */
      sc->gaps = TRUE;
    } else if (pad->eos) {
      if (notices && !pad->eos_notified) {
        pad->eos_notified = TRUE;
        GST_INFO_OBJECT(self, "source %u ended (%s)", pad->source_id, GST_PAD_NAME(pad));
        g_ptr_array_add(notices,
                        announce_locked(self, VF_SOURCE_EOS, pad->source_id, GST_PAD_NAME(pad)));
      }
    } else {
      sc->all_eos = FALSE;
      sc->active++;
      sc->waiting++;
    }
  }
}

/* A source whose thread waits for room gets it back once its queue is down to half of what it
 * was (L held); TRUE when someone must be woken. */
static gboolean room_made(VfMuxPad *pad)
{
  return pad->waiting && pad->len <= pad->full_at / 2;
}

/* Gap markers at the queue heads are used up: those sources were not waited for (L held). */
static gboolean drop_gaps_locked(VfMux *self)
{
  gboolean wake = FALSE;
  for (guint i = 0; i < self->pads->len; i++) {
    VfMuxPad *pad = g_ptr_array_index(self->pads, i);
    Item *head;
    while ((head = queue_peek(pad)) != NULL && head->buffer == NULL) {
      Item item;
      queue_pop(pad, &item);
      item_clear(&item);
    }
    wake |= room_made(pad);
  }
  return wake;
}

/* Wake the timer out of its clock wait or sleep (L held). */
static void timer_wake_locked(VfMux *self)
{
  if (self->timer_id)
    gst_clock_id_unschedule(self->timer_id);
  g_cond_signal(&self->timer_cond);
}

/* Make and push every batch that is complete (and, after the live deadline passed, the
 * incomplete one), the sources' custom events in order with them, and EOS once every source
 * ended. Called with S held; returns with S released (after one last look under L, so that a
 * change made while S was held is never left behind).
 * `own` (nullable): the pad whose streaming thread this is. A source's thread makes batches
 * while its own frames are in them; a batch without one is left to the timer thread (relief),
 * so that no source is kept from its own work (round robin, a source that ended, flushes or
 * leaves) and pad deactivation never waits for another source's batches. */
static void drain(VfMux *self, VfMuxPad *own)
{
  GPtrArray *notices = g_ptr_array_new();
  while (TRUE) {
    Settings s;
    get_settings(self, &s);
    g_mutex_lock(&self->lock);
    self->rescan = FALSE;
    if (self->flushing || !self->started || self->flow_ret != GST_FLOW_OK)
      break;
    Scan sc;
    scan_locked(self, &sc, self->slots, notices);
    gboolean take = scan_complete(&sc, s.batch_size) || (self->timed_out && sc.avail > 0);
    if (own && take && (own->len == 0 || own->flushing)) {
      self->relief = TRUE;
      timer_wake_locked(self);
      break;
    }
    gboolean wake = sc.gaps && (take || sc.waiting == 0) ? drop_gaps_locked(self) : FALSE;
    if (!take) {
      if (wake)
        g_cond_broadcast(&self->space);
      gboolean send_eos = sc.all_eos && !self->eos_sent;
      self->eos_sent |= send_eos;
      self->timed_out = FALSE;
      if (sc.avail > 0 && self->live != LIVE_NO && self->timer_idle)
        g_cond_signal(&self->timer_cond); /* a deadline to wait for */
      if (!send_eos && self->pending_events.length == 0)
        break;
      g_mutex_unlock(&self->lock);
      push_pending_events(self);
      if (send_eos) {
        GST_INFO_OBJECT(self, "every source ended");
        push_stream_events(self, FALSE);
        gst_pad_push_event(self->srcpad, gst_event_new_eos());
      }
      continue;
    }
    guint n = MIN(sc.avail, s.batch_size);
    Slot *slots = &g_array_index(self->slots, Slot, 0);
    self->next_pad = (slots[n - 1].index + 1) % self->pads->len;
    for (guint i = 0; i < n; i++) {
      VfMuxPad *pad = slots[i].pad;
      queue_pop(pad, &slots[i].item);
      slots[i].frame_number = pad->frame_number++;
      gst_object_ref(pad);
      wake |= room_made(pad);
    }
    self->timed_out = FALSE;
    self->batches++;
    if (wake)
      g_cond_broadcast(&self->space);
    g_mutex_unlock(&self->lock);

    GST_LOG_OBJECT(self, "batch of %u frames (%u sources ready)", n, sc.avail);
    push_pending_events(self);
    GstFlowReturn ret = push_stream_events(self, TRUE);
    if (ret == GST_FLOW_OK)
      ret = push_batch(self, &s, slots, n);
    else
      for (guint i = 0; i < n; i++)
        clear_slot(&slots[i]);
    if (ret != GST_FLOW_OK && ret != GST_FLOW_FLUSHING) {
      GST_DEBUG_OBJECT(self, "downstream said %s", gst_flow_get_name(ret));
      g_mutex_lock(&self->lock);
      if (self->flow_ret == GST_FLOW_OK)
        self->flow_ret = ret;
      g_cond_broadcast(&self->space); /* waiting sources get it too */
      g_mutex_unlock(&self->lock);
    }
    if (notices->len) {
      /* Sources ended: say so now (the timer thread may go on making batches for long), with no
       * lock held. S goes and is tried again; whoever takes it meanwhile looks again. */
      g_mutex_lock(&self->lock);
      self->rescan = TRUE;
      g_mutex_unlock(&self->stream_lock);
      g_mutex_unlock(&self->lock);
      post_all(self, notices);
      if (!g_mutex_trylock(&self->stream_lock)) {
        g_ptr_array_free(notices, TRUE);
        return;
      }
    }
  }
  /* L held: nothing changed since the last look (rescan is FALSE). */
  g_mutex_unlock(&self->stream_lock);
  g_mutex_unlock(&self->lock);
  post_all(self, notices);
  g_ptr_array_free(notices, TRUE);
}

/* Something changed that may complete a batch, end the stream or carry an event: drain here
 * (`own`: the streaming thread of that pad), or leave it to the thread draining now (which looks
 * again before it stops); with `own` NULL (an application thread) to the timer thread. No lock
 * held. */
static void kick(VfMux *self, VfMuxPad *own)
{
  g_mutex_lock(&self->lock);
  self->rescan = TRUE;
  if (own == NULL) {
    self->relief = TRUE;
    timer_wake_locked(self);
  }
  g_mutex_unlock(&self->lock);
  if (own && g_mutex_trylock(&self->stream_lock))
    drain(self, own);
}

/* ---- the sources' data ---- */

/* Wait until the pad's queue has room (L held); the flow to return instead of queuing. */
static GstFlowReturn wait_room_locked(VfMux *self, VfMuxPad *pad)
{
  /* A source out of a flushing seek queues its new frames while the others still flush. */
  while (queue_full(pad) && !pad->flushing && self->started && self->flow_ret == GST_FLOW_OK) {
    pad->waiting = TRUE;
    pad->full_at = pad->len;
    g_cond_wait(&self->space, &self->lock);
  }
  pad->waiting = FALSE;
  if (pad->flushing || !self->started)
    return GST_FLOW_FLUSHING;
  if (pad->eos)
    return GST_FLOW_EOS;
  return self->flow_ret;
}

/* Queue a frame (or a gap: `buffer` NULL) of `pad` (transfer full); the batch is made here when
 * this frame completes it (no hand-over to another thread). No lock held. */
static GstFlowReturn queue_frame(VfMux *self, VfMuxPad *pad, GstBuffer *buffer)
{
  gint64 arrival = g_get_monotonic_time();
  Settings s;
  get_settings(self, &s);
  g_mutex_lock(&self->lock);
  GstFlowReturn ret = wait_room_locked(self, pad);
  gboolean no_caps
      = ret == GST_FLOW_OK && buffer && (pad->stream == NULL || !pad->stream->has_info);
  if (ret != GST_FLOW_OK || no_caps) {
    g_mutex_unlock(&self->lock);
    gst_clear_buffer(&buffer);
    if (no_caps) {
      GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                        ("vfmux '%s': pad %s got a frame before its caps", GST_OBJECT_NAME(self),
                         GST_PAD_NAME(pad)),
                        ("the source must send a caps event (video/x-raw) before its frames"));
      return GST_FLOW_NOT_NEGOTIATED;
    }
    return ret;
  }
  queue_push(pad, buffer, arrival);
  Scan sc;
  scan_locked(self, &sc, NULL, NULL);
  /* a gap may complete a batch too: the source is not waited for */
  gboolean complete = scan_complete(&sc, s.batch_size) || (sc.gaps && sc.waiting == 0);
  self->rescan |= complete;
  if (!complete && self->live != LIVE_NO && self->timer_idle)
    g_cond_signal(&self->timer_cond); /* live: the timer may have a deadline to wait for */
  g_mutex_unlock(&self->lock);
  if (complete && g_mutex_trylock(&self->stream_lock))
    drain(self, pad);
  return GST_FLOW_OK;
}

static GstFlowReturn vf_mux_pad_chain(GstPad *gpad, GstObject *parent, GstBuffer *buffer)
{
  return queue_frame(VF_MUX(parent), VF_MUX_PAD(gpad), buffer);
}

/* A sticky event of a source: a new stream state for the frames that follow. */
static void update_stream(VfMux *self, VfMuxPad *pad, GstEvent *event, const GstVideoInfo *info,
                          gboolean cuda)
{
  g_mutex_lock(&self->lock);
  Stream *st = stream_new(pad->stream);
  record_sticky(st, event);
  switch (GST_EVENT_TYPE(event)) {
  case GST_EVENT_CAPS:
    st->info = *info;
    st->has_info = TRUE;
    st->cuda = cuda;
    self->caps_dirty = TRUE;
    break;
  case GST_EVENT_SEGMENT:
    gst_event_copy_segment(event, &st->segment);
    break;
  case GST_EVENT_STREAM_START:
    pad->eos = FALSE;
    pad->eos_notified = FALSE;
    break;
  default:
    break;
  }
  if (pad->stream)
    stream_unref(pad->stream);
  pad->stream = st;
  g_mutex_unlock(&self->lock);
}

static gboolean flush_start(VfMux *self, VfMuxPad *pad, GstEvent *event)
{
  g_mutex_lock(&self->lock);
  pad->flushing = TRUE;
  queue_clear(pad);
  gboolean forward = self->seek_flush && !self->flushing;
  if (forward)
    self->flushing = TRUE;
  g_cond_broadcast(&self->space);
  g_mutex_unlock(&self->lock);
  if (forward)
    return gst_pad_push_event(self->srcpad, event);
  gst_event_unref(event);
  return TRUE;
}

/* Once every source is out of the flushing seek (its FLUSH_STOP came, or it refused the seek):
 * FLUSH_STOP downstream (`stop`, transfer full, nullable: a new one) and a new segment before the
 * next batch. Until then no batch is made, so none mixes frames from before and after the seek.
 * S held. */
static gboolean end_flush(VfMux *self, GstEvent *stop)
{
  g_mutex_lock(&self->lock);
  gboolean forward = self->flushing;
  for (guint i = 0; i < self->pads->len && forward; i++) {
    const VfMuxPad *p = g_ptr_array_index(self->pads, i);
    forward = !p->flushing && !p->seek_pending;
  }
  if (forward) {
    self->flushing = FALSE;
    self->seek_flush = FALSE;
    self->flow_ret = GST_FLOW_OK;
    self->eos_sent = FALSE;
    self->need_segment = TRUE;
  }
  g_mutex_unlock(&self->lock);
  if (!forward) {
    if (stop)
      gst_event_unref(stop);
    return TRUE;
  }
  return gst_pad_push_event(self->srcpad, stop ? stop : gst_event_new_flush_stop(TRUE));
}

static gboolean flush_stop(VfMux *self, VfMuxPad *pad, GstEvent *event)
{
  g_mutex_lock(&self->stream_lock);
  g_mutex_lock(&self->lock);
  pad->flushing = FALSE;
  pad->seek_pending = FALSE;
  pad->eos = FALSE;
  pad->eos_notified = FALSE;
  g_mutex_unlock(&self->lock);
  gboolean ok = end_flush(self, event);
  g_mutex_unlock(&self->stream_lock);
  kick(self, pad);
  return ok;
}

static gboolean vf_mux_sink_event(GstPad *gpad, GstObject *parent, GstEvent *event)
{
  VfMux *self = VF_MUX(parent);
  VfMuxPad *pad = VF_MUX_PAD(gpad);
  switch (GST_EVENT_TYPE(event)) {
  case GST_EVENT_CAPS: {
    GstCaps *caps;
    gst_event_parse_caps(event, &caps);
    GstVideoInfo info;
    if (!gst_video_info_from_caps(&info, caps)) {
      GST_ELEMENT_ERROR(
          self, STREAM, FORMAT,
          ("vfmux '%s': pad %s got caps it cannot read", GST_OBJECT_NAME(self), GST_PAD_NAME(pad)),
          ("caps %" GST_PTR_FORMAT, caps));
      gst_event_unref(event);
      return FALSE;
    }
    GST_DEBUG_OBJECT(pad, "caps %" GST_PTR_FORMAT, caps);
    update_stream(self, pad, event, &info, vf_caps_get_device(caps) == VF_DEVICE_CUDA);
    gst_event_unref(event); /* ours go downstream, not the sources' */
    return TRUE;
  }
  case GST_EVENT_GAP:
    /* No frame of this source for the coming batch. */
    gst_event_unref(event);
    return queue_frame(self, pad, NULL) == GST_FLOW_OK;
  case GST_EVENT_EOS:
    g_mutex_lock(&self->lock);
    pad->eos = TRUE;
    g_mutex_unlock(&self->lock);
    gst_event_unref(event);
    kick(self, pad); /* batches need not wait for it; the last one ends the stream */
    return TRUE;
  case GST_EVENT_FLUSH_START:
    return flush_start(self, pad, event);
  case GST_EVENT_FLUSH_STOP:
    return flush_stop(self, pad, event);
  default:
    if (GST_EVENT_IS_STICKY(event)) {
      /* stream-start, segment, tags...: kept per frame for vfdemux, not sent on */
      update_stream(self, pad, event, NULL, FALSE);
      gst_event_unref(event);
      return TRUE;
    }
    return gst_pad_event_default(gpad, parent, event);
  }
}

/* ---- latency and the live deadline ---- */

/* Ask every source for its latency: live when any source is (or live-source is set); min/max
 * are the sources' plus batched-push-timeout. Remembers the answer for the timer. No lock
 * held. */
static void query_latency(VfMux *self, gboolean *live, GstClockTime *min, GstClockTime *max)
{
  GPtrArray *pads = get_pads(self);
  gboolean any_live = FALSE;
  GstClockTime lo = 0, hi = GST_CLOCK_TIME_NONE;
  for (guint i = 0; i < pads->len; i++) {
    GstQuery *q = gst_query_new_latency();
    if (gst_pad_peer_query(g_ptr_array_index(pads, i), q)) {
      gboolean l;
      GstClockTime mn, mx;
      gst_query_parse_latency(q, &l, &mn, &mx);
      if (l) {
        any_live = TRUE;
        lo = MAX(lo, mn);
        if (GST_CLOCK_TIME_IS_VALID(mx))
          hi = GST_CLOCK_TIME_IS_VALID(hi) ? MIN(hi, mx) : mx;
      }
    }
    gst_query_unref(q);
  }
  g_ptr_array_unref(pads);
  GST_OBJECT_LOCK(self);
  gboolean forced = self->live_source;
  GstClockTime ours = (GstClockTime)self->push_timeout_us * GST_USECOND;
  GST_OBJECT_UNLOCK(self);
  if (GST_CLOCK_TIME_IS_VALID(hi) && hi < lo)
    GST_WARNING_OBJECT(self,
                       "sources' latencies do not fit: one needs %" GST_TIME_FORMAT
                       " and another allows %" GST_TIME_FORMAT " at most",
                       GST_TIME_ARGS(lo), GST_TIME_ARGS(hi));
  g_mutex_lock(&self->lock);
  self->live = any_live || forced ? LIVE_YES : LIVE_NO;
  self->upstream_latency = lo;
  g_mutex_unlock(&self->lock);
  *live = any_live || forced;
  *min = lo + ours;
  *max = GST_CLOCK_TIME_IS_VALID(hi) ? hi + ours : GST_CLOCK_TIME_NONE;
}

/* The running time of the earliest frame waiting for a batch (L held); NONE when none. */
static GstClockTime earliest_locked(VfMux *self)
{
  GstClockTime earliest = GST_CLOCK_TIME_NONE;
  for (guint i = 0; i < self->pads->len; i++) {
    const Item *head = queue_peek(g_ptr_array_index(self->pads, i));
    if (head == NULL || head->buffer == NULL)
      continue;
    GstClockTime pts = GST_BUFFER_PTS(head->buffer), rt = 0; /* no timestamp: due now */
    if (GST_CLOCK_TIME_IS_VALID(pts) && head->stream->segment.format == GST_FORMAT_TIME)
      rt = gst_segment_to_running_time(&head->stream->segment, GST_FORMAT_TIME, pts);
    if (!GST_CLOCK_TIME_IS_VALID(rt))
      rt = 0;
    if (!GST_CLOCK_TIME_IS_VALID(earliest) || rt < earliest)
      earliest = rt;
  }
  return earliest;
}

/* The timer thread (READY -> PAUSED .. PAUSED -> READY): in a live pipeline, an incomplete batch
 * goes out batched-push-timeout + the sources' latency after the running time of its earliest
 * frame, on the pipeline clock. It sleeps on timer_cond otherwise (non-live pipelines: always). */
static gpointer timer_main(gpointer data)
{
  VfMux *self = data;
  guint64 batches_seen = G_MAXUINT64;
  GstClockTime fired = GST_CLOCK_TIME_NONE;
  g_mutex_lock(&self->lock);
  while (!self->timer_quit) {
    if (self->relief) {
      /* the batches no source thread makes */
      self->relief = FALSE;
      self->rescan = TRUE;
      g_mutex_unlock(&self->lock);
      if (g_mutex_trylock(&self->stream_lock))
        drain(self, NULL);
      g_mutex_lock(&self->lock);
      continue;
    }
    GstClockTime rt
        = self->playing && self->live != LIVE_NO ? earliest_locked(self) : GST_CLOCK_TIME_NONE;
    /* The frame we fired for is still there and no batch went out since: wait for news. */
    gboolean stuck = rt == fired && self->batches == batches_seen;
    GstClock *clock = GST_CLOCK_TIME_IS_VALID(rt) && !stuck && self->live == LIVE_YES
                          ? gst_element_get_clock(GST_ELEMENT(self))
                          : NULL;
    if (GST_CLOCK_TIME_IS_VALID(rt) && !stuck && self->live == LIVE_UNKNOWN) {
      g_mutex_unlock(&self->lock);
      gboolean live;
      GstClockTime min, max;
      query_latency(self, &live, &min, &max);
      g_mutex_lock(&self->lock);
      continue;
    }
    if (clock == NULL) {
      self->timer_idle = TRUE;
      g_cond_wait(&self->timer_cond, &self->lock);
      self->timer_idle = FALSE;
      continue;
    }
    GST_OBJECT_LOCK(self);
    GstClockTime deadline = GST_ELEMENT(self)->base_time + rt + self->upstream_latency
                            + (GstClockTime)self->push_timeout_us * GST_USECOND;
    GST_OBJECT_UNLOCK(self);
    GstClockID id = gst_clock_new_single_shot_id(clock, deadline);
    gst_object_unref(clock);
    self->timer_id = id;
    g_mutex_unlock(&self->lock);
    GstClockReturn r = gst_clock_id_wait(id, NULL);
    g_mutex_lock(&self->lock);
    self->timer_id = NULL;
    gst_clock_id_unref(id);
    if ((r == GST_CLOCK_OK || r == GST_CLOCK_EARLY) && !self->timer_quit && self->playing
        && earliest_locked(self) == rt) {
      GST_LOG_OBJECT(self, "deadline of %" GST_TIME_FORMAT " passed", GST_TIME_ARGS(rt));
      self->timed_out = TRUE;
      self->rescan = TRUE;
      fired = rt;
      batches_seen = self->batches;
      g_mutex_unlock(&self->lock);
      if (g_mutex_trylock(&self->stream_lock))
        drain(self, NULL);
      g_mutex_lock(&self->lock);
    }
  }
  g_mutex_unlock(&self->lock);
  return NULL;
}

/* ---- the source pad ---- */

static gboolean vf_mux_src_event(GstPad *gpad, GstObject *parent, GstEvent *event)
{
  VfMux *self = VF_MUX(parent);
  if (GST_EVENT_TYPE(event) != GST_EVENT_SEEK)
    return gst_pad_event_default(gpad, parent, event);
  GstSeekFlags flags;
  gst_event_parse_seek(event, NULL, NULL, &flags, NULL, NULL, NULL, NULL);
  gboolean flush = (flags & GST_SEEK_FLAG_FLUSH) != 0;
  if (flush) {
    /* The sources' flushes go downstream once: the first FLUSH_START, the last FLUSH_STOP. */
    g_mutex_lock(&self->lock);
    self->seek_flush = TRUE;
    for (guint i = 0; i < self->pads->len; i++)
      VF_MUX_PAD(g_ptr_array_index(self->pads, i))->seek_pending = TRUE;
    g_mutex_unlock(&self->lock);
  }
  /* To every source; one that refuses it will not flush. */
  GPtrArray *pads = get_pads(self);
  gboolean ok = FALSE;
  for (guint i = 0; i < pads->len; i++) {
    VfMuxPad *pad = g_ptr_array_index(pads, i);
    if (gst_pad_push_event(GST_PAD(pad), gst_event_ref(event))) {
      ok = TRUE;
      continue;
    }
    GST_WARNING_OBJECT(self, "the source of %s refused the seek", GST_PAD_NAME(pad));
    g_mutex_lock(&self->lock);
    pad->seek_pending = FALSE;
    g_mutex_unlock(&self->lock);
  }
  g_ptr_array_unref(pads);
  gst_event_unref(event);
  if (flush) {
    g_mutex_lock(&self->lock);
    gboolean flushing = self->flushing;
    if (!flushing)
      self->seek_flush = FALSE; /* no source flushed */
    g_mutex_unlock(&self->lock);
    if (flushing) { /* downstream flushes: no push is blocked there, S comes free */
      g_mutex_lock(&self->stream_lock);
      end_flush(self, NULL);
      g_mutex_unlock(&self->stream_lock);
      kick(self, NULL);
    }
  }
  return ok;
}

static gboolean vf_mux_src_query(GstPad *gpad, GstObject *parent, GstQuery *query)
{
  VfMux *self = VF_MUX(parent);
  if (GST_QUERY_TYPE(query) != GST_QUERY_LATENCY)
    return gst_pad_query_default(gpad, parent, query);
  gboolean live;
  GstClockTime min, max;
  query_latency(self, &live, &min, &max);
  gst_query_set_latency(query, live, min, max);
  return TRUE;
}

/* ---- sources coming and going ---- */

static GstPad *vf_mux_request_new_pad(GstElement *element, GstPadTemplate *templ, const gchar *name,
                                      const GstCaps *caps)
{
  (void)caps;
  VfMux *self = VF_MUX(element);
  guint64 serial = 0;
  if (name
      && (!g_str_has_prefix(name, "sink_")
          || !g_ascii_string_to_unsigned(name + 5, 10, 0, G_MAXINT, &serial, NULL))) {
    GST_WARNING_OBJECT(self, "no pad %s: ask for sink_%%u or sink_<number>", name);
    return NULL;
  }
  GST_OBJECT_LOCK(self);
  gboolean forced = self->live_source;
  GST_OBJECT_UNLOCK(self);
  /* The id is taken under L in one step, so concurrent requests never pick the same one. */
  g_mutex_lock(&self->lock);
  if (name == NULL)
    serial = self->next_serial;
  gboolean taken = g_hash_table_contains(self->serials_taken, GUINT_TO_POINTER((guint)serial));
  if (!taken) {
    g_hash_table_add(self->serials_taken, GUINT_TO_POINTER((guint)serial));
    self->next_serial = MAX(self->next_serial, (guint)serial + 1);
  }
  g_mutex_unlock(&self->lock);
  if (taken) {
    GST_WARNING_OBJECT(self, "pad sink_%u exists already: request another name or none",
                       (guint)serial);
    return NULL;
  }
  char *pad_name = g_strdup_printf("sink_%u", (guint)serial);
  GstPad *gpad = g_object_new(VF_TYPE_MUX_PAD, "name", pad_name, "direction", GST_PAD_SINK,
                              "template", templ, NULL);
  g_free(pad_name);
  VfMuxPad *pad = VF_MUX_PAD(gpad);
  pad->source_id = (guint)serial;
  gst_pad_set_chain_function(gpad, GST_DEBUG_FUNCPTR(vf_mux_pad_chain));
  gst_pad_set_event_function(gpad, GST_DEBUG_FUNCPTR(vf_mux_sink_event));
  gst_pad_set_query_function(gpad, GST_DEBUG_FUNCPTR(vf_mux_sink_query));

  g_mutex_lock(&self->lock);
  g_ptr_array_add(self->pads, gst_object_ref(gpad));
  g_ptr_array_sort(self->pads, compare_source_id);
  if (!forced)
    self->live = LIVE_UNKNOWN;
  GstMessage *added = announce_locked(self, VF_SOURCE_ADDED, pad->source_id, GST_PAD_NAME(gpad));
  g_mutex_unlock(&self->lock);
  GST_OBJECT_LOCK(self);
  self->n_pads++;
  gboolean active = GST_STATE(self) > GST_STATE_READY || GST_STATE_PENDING(self) > GST_STATE_READY;
  GST_OBJECT_UNLOCK(self);
  if (active)
    gst_pad_set_active(gpad, TRUE);
  gst_element_add_pad(element, gpad);
  GST_INFO_OBJECT(self, "source %u joined (%s)", pad->source_id, GST_PAD_NAME(gpad));
  post(self, added);
  gst_pad_mark_reconfigure(self->srcpad);
  return gpad;
}

static void vf_mux_release_pad(GstElement *element, GstPad *gpad)
{
  VfMux *self = VF_MUX(element);
  VfMuxPad *pad = VF_MUX_PAD(gpad);
  GST_OBJECT_LOCK(self);
  self->n_pads--;
  gboolean forced = self->live_source;
  GST_OBJECT_UNLOCK(self);
  g_mutex_lock(&self->lock);
  pad->flushing = TRUE; /* its streaming thread stops waiting for room */
  queue_clear(pad);
  g_cond_broadcast(&self->space);
  if (!forced)
    self->live = LIVE_UNKNOWN;
  GstMessage *removed
      = announce_locked(self, VF_SOURCE_REMOVED, pad->source_id, GST_PAD_NAME(gpad));
  GST_INFO_OBJECT(self, "source %u left (%s)", pad->source_id, GST_PAD_NAME(gpad));
  g_ptr_array_remove(self->pads, gpad);
  g_mutex_unlock(&self->lock);
  guint source_id = pad->source_id; /* the pad may be gone once the element lets it go */
  gst_element_remove_pad(element, gpad);
  g_mutex_lock(&self->lock);
  g_hash_table_remove(self->serials_taken, GUINT_TO_POINTER(source_id));
  g_mutex_unlock(&self->lock);
  post(self, removed);
  gst_pad_mark_reconfigure(self->srcpad);
  kick(self, NULL); /* batches stop waiting for it */
}

/* ---- lifecycle ---- */

static void vf_mux_start(VfMux *self)
{
  GST_OBJECT_LOCK(self);
  VfConvertOptions options
      = { VF_CONVERT_METHOD_BILINEAR, self->n_threads, self->gpu_id, VF_CONVERT_SPLIT_AUTO };
  gboolean forced = self->live_source;
  GST_OBJECT_UNLOCK(self);
  g_mutex_lock(&self->stream_lock);
  self->need_stream_start = TRUE;
  self->need_segment = TRUE;
  gst_clear_caps(&self->src_caps);
  self->out_format = GST_VIDEO_FORMAT_UNKNOWN;
  self->out_cuda = FALSE;
  self->converter = vf_converter_new(&options, GST_ELEMENT(self));
  g_mutex_lock(&self->lock);
  for (guint i = 0; i < self->pads->len; i++)
    vf_mux_pad_reset(g_ptr_array_index(self->pads, i));
  self->started = TRUE;
  self->flushing = FALSE;
  self->seek_flush = FALSE;
  self->eos_sent = FALSE;
  self->flow_ret = GST_FLOW_OK;
  self->caps_dirty = TRUE;
  self->next_pad = 0;
  self->live = forced ? LIVE_YES : LIVE_UNKNOWN;
  self->upstream_latency = 0;
  self->playing = FALSE;
  self->timer_quit = FALSE;
  self->timed_out = FALSE;
  self->relief = FALSE;
  g_mutex_unlock(&self->lock);
  g_mutex_unlock(&self->stream_lock);
  self->timer = g_thread_new("vfmux-timer", timer_main, self);
}

/* Stop every wait (sources waiting for room, the timer) and the timer thread. */
static void vf_mux_stop_threads(VfMux *self)
{
  g_mutex_lock(&self->lock);
  self->started = FALSE;
  self->timer_quit = TRUE;
  timer_wake_locked(self);
  g_cond_broadcast(&self->space);
  g_mutex_unlock(&self->lock);
  if (self->timer)
    g_thread_join(g_steal_pointer(&self->timer));
}

static void vf_mux_stop(VfMux *self)
{
  g_mutex_lock(&self->stream_lock);
  g_mutex_lock(&self->lock);
  for (guint i = 0; i < self->pads->len; i++)
    vf_mux_pad_reset(g_ptr_array_index(self->pads, i));
  g_queue_clear_full(&self->pending_events, (GDestroyNotify)gst_event_unref);
  g_mutex_unlock(&self->lock);
  g_clear_pointer(&self->converter, vf_converter_free);
  gst_clear_caps(&self->src_caps);
  g_mutex_unlock(&self->stream_lock);
}

static GstStateChangeReturn vf_mux_change_state(GstElement *element, GstStateChange transition)
{
  VfMux *self = VF_MUX(element);
  switch (transition) {
  case GST_STATE_CHANGE_READY_TO_PAUSED:
    vf_mux_start(self);
    break;
  case GST_STATE_CHANGE_PAUSED_TO_PLAYING:
    g_mutex_lock(&self->lock);
    self->playing = TRUE;
    timer_wake_locked(self);
    g_mutex_unlock(&self->lock);
    break;
  case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
    g_mutex_lock(&self->lock);
    self->playing = FALSE;
    timer_wake_locked(self);
    g_mutex_unlock(&self->lock);
    break;
  case GST_STATE_CHANGE_PAUSED_TO_READY:
    vf_mux_stop_threads(self);
    break;
  default:
    break;
  }
  GstStateChangeReturn ret
      = GST_ELEMENT_CLASS(vf_mux_parent_class)->change_state(element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY)
    vf_mux_stop(self);
  return ret;
}

static void vf_mux_finalize(GObject *object)
{
  VfMux *self = VF_MUX(object);
  vf_mux_stop_threads(self);
  vf_mux_stop(self);
  g_ptr_array_unref(self->pads);
  g_hash_table_unref(self->serials_taken);
  g_array_unref(self->slots);
  g_mutex_clear(&self->stream_lock);
  g_mutex_clear(&self->lock);
  g_cond_clear(&self->space);
  g_cond_clear(&self->timer_cond);
  G_OBJECT_CLASS(vf_mux_parent_class)->finalize(object);
}

static void vf_mux_class_init(VfMuxClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);

  gobject_class->set_property = vf_mux_set_property;
  gobject_class->get_property = vf_mux_get_property;
  gobject_class->finalize = vf_mux_finalize;

  g_object_class_install_property(
      gobject_class, PROP_BATCH_SIZE,
      g_param_spec_uint("batch-size", "Batch size",
                        "Most frames in a batch (one per source at most); 0: the number of sink "
                        "pads (sources)",
                        0, MAX_BATCH_SIZE, DEFAULT_BATCH_SIZE,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property(
      gobject_class, PROP_WIDTH,
      g_param_spec_uint("width", "Width",
                        "Width of every frame in the batch (frames are scaled to it); 0 (with "
                        "height 0): keep each source's size",
                        0, G_MAXINT, DEFAULT_WIDTH,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property(
      gobject_class, PROP_HEIGHT,
      g_param_spec_uint("height", "Height",
                        "Height of every frame in the batch (frames are scaled to it); 0 (with "
                        "width 0): keep each source's size",
                        0, G_MAXINT, DEFAULT_HEIGHT,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property(
      gobject_class, PROP_PUSH_TIMEOUT,
      g_param_spec_int64("batched-push-timeout", "Batched push timeout",
                         "Live pipelines: microseconds an incomplete batch waits for late sources "
                         "after its earliest frame was due; also added to the reported latency. "
                         "Non-live pipelines wait for every source",
                         0, G_MAXINT64 / 1000, DEFAULT_PUSH_TIMEOUT,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property(
      gobject_class, PROP_LIVE_SOURCE,
      g_param_spec_boolean("live-source", "Live source",
                           "Batch by the clock (push incomplete batches on timeout) even when no "
                           "upstream source reports itself live",
                           DEFAULT_LIVE_SOURCE,
                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property(
      gobject_class, PROP_ENABLE_PADDING,
      g_param_spec_boolean("enable-padding", "Enable padding",
                           "When scaling, keep the aspect ratio: fit the picture in width x "
                           "height and fill the right/bottom border with black (each frame's "
                           "content rectangle says where the picture is)",
                           DEFAULT_ENABLE_PADDING,
                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property(
      gobject_class, PROP_FORMAT,
      g_param_spec_enum("format", "Output format",
                        "Pixel format of the frames in the batch; sources in another format are "
                        "converted (on the CPU)",
                        VF_TYPE_MUX_FORMAT, DEFAULT_FORMAT,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property(
      gobject_class, PROP_GPU_ID,
      g_param_spec_uint("gpu-id", "GPU id",
                        "CUDA device for scaling/conversion of CUDA frames (reserved: this build "
                        "converts on the CPU and passes CUDA frames through zero-copy only)",
                        0, G_MAXINT, DEFAULT_GPU_ID,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property(
      gobject_class, PROP_N_THREADS,
      g_param_spec_uint("n-threads", "Threads",
                        "CPU threads scaling/converting the frames of one batch (the batch "
                        "converter); 0: one per core",
                        0, G_MAXINT, DEFAULT_N_THREADS,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));

  gst_element_class_add_static_pad_template_with_gtype(element_class, &sink_template,
                                                       VF_TYPE_MUX_PAD);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(
      element_class, "vidflow batch muxer", "Video/Muxer",
      "Batches the frames of several sources into one buffer with batch/frame metadata "
      "(sources come and go with request pads sink_%u)",
      "vidflow");

  element_class->request_new_pad = GST_DEBUG_FUNCPTR(vf_mux_request_new_pad);
  element_class->release_pad = GST_DEBUG_FUNCPTR(vf_mux_release_pad);
  element_class->change_state = GST_DEBUG_FUNCPTR(vf_mux_change_state);

  gst_type_mark_as_plugin_api(VF_TYPE_MUX_PAD, 0);
  gst_type_mark_as_plugin_api(VF_TYPE_MUX_FORMAT, 0);
}

static void vf_mux_init(VfMux *self)
{
  self->batch_size = DEFAULT_BATCH_SIZE;
  self->width = DEFAULT_WIDTH;
  self->height = DEFAULT_HEIGHT;
  self->push_timeout_us = DEFAULT_PUSH_TIMEOUT;
  self->live_source = DEFAULT_LIVE_SOURCE;
  self->enable_padding = DEFAULT_ENABLE_PADDING;
  self->format = DEFAULT_FORMAT;
  self->gpu_id = DEFAULT_GPU_ID;
  self->n_threads = DEFAULT_N_THREADS;
  self->out_format = GST_VIDEO_FORMAT_UNKNOWN;
  g_mutex_init(&self->stream_lock);
  g_mutex_init(&self->lock);
  g_cond_init(&self->space);
  g_cond_init(&self->timer_cond);
  self->pads = g_ptr_array_new_with_free_func(gst_object_unref);
  self->serials_taken = g_hash_table_new(g_direct_hash, g_direct_equal);
  self->slots = g_array_new(FALSE, TRUE, sizeof(Slot));
  g_queue_init(&self->pending_events);
  self->flow_ret = GST_FLOW_OK;

  self->srcpad = gst_pad_new_from_static_template(&src_template, "src");
  gst_pad_set_event_function(self->srcpad, GST_DEBUG_FUNCPTR(vf_mux_src_event));
  gst_pad_set_query_function(self->srcpad, GST_DEBUG_FUNCPTR(vf_mux_src_query));
  gst_pad_use_fixed_caps(self->srcpad);
  gst_element_add_pad(GST_ELEMENT(self), self->srcpad);
}
