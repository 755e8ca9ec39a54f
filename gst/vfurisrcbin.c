/* vfurisrcbin: one decoded video stream from a URI, with file looping and RTSP reconnection.
 *
 * Inside: a uridecodebin (video only) whose decoded pad is the target of the bin's always "src"
 * ghost pad. The ghost pad never changes, so downstream stays linked while the bin loops a file
 * (flushing seek back to 0, flushes kept inside, segments rebased so running time keeps going)
 * or replaces its uridecodebin to reconnect to an RTSP server that went away. A manager thread,
 * running between PAUSED and READY, does both, and watches for RTSP streams that stop sending.
 *
 * Reconnection (rtsp-reconnect-interval > 0) starts once the stream has delivered frames: an
 * error, an end of stream, or no data for `rtsp-reconnect-interval` seconds then replaces the
 * source, after a delay that doubles with each failed attempt (interval, 2x, 4x, ..., at most
 * 30 s), until `rtsp-reconnect-attempts` (-1: forever). A first connection that fails is an error
 * at once (the address is wrong or the server is down). End of stream asked by the application
 * (send_event EOS) always ends the stream. Each attempt is announced first with an element message
 * "vf-source-reconnecting" (source-id, uri, attempt, delay: vidflow/source.h).
 *
 * Damaged files are errors, not short streams: an MP4/MOV whose frames end well before the
 * duration its index declares (a file cut short: a copy or a recording that stopped half-way) and
 * a file that gives no frame at all when file-loop would start it again. An MP4/MOV file without
 * its index (no complete moov box: its writer stopped before the end) is an error as soon as the
 * demuxer is chosen for it, read from the file's boxes: decodebin (1.22) may drop qtdemux's own
 * "no playable streams" (see check_index), and the preroll would then wait forever.
 *
 * Smart recording (smart-record=1 or 2, DeepStream's values; vidflow/record.h): the parsed
 * encoded stream inside the decoder (H.264/H.265, after the parser, before the decoding) is teed by
 * reference into a recorder (vfsmartrecord-core.h) that keeps smart-rec-cache seconds and writes
 * clips on the "start-recording" / "stop-recording" action signals; clips survive loops and
 * reconnections with the same caps, and are finalised when the stream ends or the bin stops.
 *
 * Example:
 *   gst-launch-1.0 vfurisrcbin uri=file:///tmp/a.mp4 file-loop=true ! videoconvert ! autovideosink
 *   gst-launch-1.0 vfurisrcbin uri=rtsp://127.0.0.1:8554/cam rtsp-reconnect-interval=2 ! fakesink
 */
#include "vfurisrcbin.h"

#include "vfsmartrecord-core.h"
#include "vfsmartrecord.h"

#include <vidflow/source.h>

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC(vf_uri_src_bin_debug);
#define GST_CAT_DEFAULT vf_uri_src_bin_debug

#define MAX_BACKOFF_US (30 * G_TIME_SPAN_SECOND)
/* The hint for an MP4/MOV whose demuxer found no stream (qtdemux: "no playable streams"). */
#define NO_INDEX_HINT                                                                              \
  " (an MP4 or MOV file has no index when its writer stopped before the end of the stream, or "    \
  "the file is cut short: it cannot be read)"

enum {
  PROP_0,
  PROP_URI,
  PROP_FILE_LOOP,
  PROP_RECONNECT_INTERVAL,
  PROP_RECONNECT_ATTEMPTS,
  PROP_LATENCY,
  PROP_GPU_ID,
  PROP_SOURCE_ID,
  PROP_RECONNECTS,
  PROP_LOOPS,
  PROP_SENSOR_ID,
  PROP_SMART_RECORD,
};

struct _VfUriSrcBin {
  GstBin parent;
  GstPad *srcpad; /* ghost pad, targets the current decoder's video pad */

  GMutex lock; /* guards everything below */
  GCond cond;
  /* properties */
  char *uri;
  gboolean file_loop;
  guint reconnect_interval; /* seconds, 0: off */
  gint reconnect_attempts;  /* -1: forever */
  guint latency;            /* ms, RTSP jitter buffer */
  guint gpu_id;
  gint source_id;
  /* state */
  gboolean is_rtsp;
  gboolean is_network; /* rtsp://, http(s)://: slow starts are normal */
  GstElement *child;   /* current uridecodebin (ref) */
  guint generation;
  gboolean have_video;    /* the current child's video pad is the ghost target */
  gboolean ever_streamed; /* frames flowed since READY->PAUSED */
  guint64 pass_frames;    /* frames of the current pass over a file (out, or dropped late) */
  gboolean indexed;       /* an MP4/MOV demuxer (qtdemux) reads it: its duration is exact */
  gboolean playing;
  gboolean eos_requested;
  gboolean lost; /* RTSP: the source went away and has not streamed since (reconnecting) */
  gint64 last_data_us;
  gboolean error_posted; /* an error of the current child (or about its file) left the bin */
  /* looping */
  gboolean seeking;        /* flushing seek of a loop in progress: keep flushes inside */
  gboolean rebase_segment; /* the next segment continues the running time */
  GstSegment segment;
  GstClockTime loop_base; /* running time where the current pass started */
  GstClockTime shift;     /* added to timestamps and segments of this pass (= loop_base) */
  GstClockTime loop_end;  /* running time end of the last buffer */
  guint loops;
  /* reconnecting */
  gboolean loop_pending, reconnect_pending;
  guint attempts; /* failed attempts in a row */
  guint reconnects;
  GThread *thread;
  gboolean quit;
  /* smart recording */
  char *sensor_id;
  guint smart_record; /* 0: off; 1, 2: on (DeepStream's cloud / cloud+local) */
  VfSrProps sr_props;
  VfSrCore *recorder;
  guint tapped_generation; /* generation of the child whose parser feeds the recorder, + 1 */
};

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS("video/x-raw(ANY)"));

G_DEFINE_TYPE(VfUriSrcBin, vf_uri_src_bin, GST_TYPE_BIN)
GST_ELEMENT_REGISTER_DEFINE(vfurisrcbin, "vfurisrcbin", GST_RANK_NONE, VF_TYPE_URI_SRC_BIN)

static gboolean uri_is_rtsp(const char *uri)
{
  char *scheme = uri ? g_uri_parse_scheme(uri) : NULL;
  gboolean rtsp = scheme && g_str_has_prefix(scheme, "rtsp");
  g_free(scheme);
  return rtsp;
}

/* rtsp:// or http(s)://: a server may be slow or down. */
static gboolean uri_is_network(const char *uri)
{
  char *scheme = uri ? g_uri_parse_scheme(uri) : NULL;
  gboolean network
      = scheme && (g_str_has_prefix(scheme, "rtsp") || g_str_has_prefix(scheme, "http"));
  g_free(scheme);
  return network;
}

/* ---- the decoder child ---- */

static void on_pad_added(GstElement *dec, GstPad *pad, gpointer data)
{
  VfUriSrcBin *self = data;
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC)
    return;
  GstCaps *caps = gst_pad_get_current_caps(pad);
  if (caps == NULL)
    caps = gst_pad_query_caps(pad, NULL);
  gboolean video
      = caps && !gst_caps_is_empty(caps)
        && g_str_has_prefix(gst_structure_get_name(gst_caps_get_structure(caps, 0)), "video/");
  gst_clear_caps(&caps);
  if (!video)
    return;
  g_mutex_lock(&self->lock);
  gboolean take = dec == self->child && !self->have_video;
  if (take)
    self->have_video = TRUE;
  g_mutex_unlock(&self->lock);
  if (!take) {
    GST_DEBUG_OBJECT(self, "ignoring extra video pad %s", GST_PAD_NAME(pad));
    return;
  }
  GST_DEBUG_OBJECT(self, "decoded video on %s:%s", GST_DEBUG_PAD_NAME(pad));
  gst_ghost_pad_set_target(GST_GHOST_PAD(self->srcpad), pad);
}

static void on_no_more_pads(GstElement *dec, gpointer data)
{
  VfUriSrcBin *self = data;
  g_mutex_lock(&self->lock);
  gboolean missing = dec == self->child && !self->have_video;
  char *uri = g_strdup(self->uri);
  g_mutex_unlock(&self->lock);
  if (missing)
    GST_ELEMENT_ERROR(self, STREAM, WRONG_TYPE,
                      ("'%s' has no video stream vidflow can decode", uri),
                      ("uridecodebin exposed no video pad"));
  g_free(uri);
}

static void on_source_setup(GstElement *dec, GstElement *source, gpointer data)
{
  (void)dec;
  VfUriSrcBin *self = data;
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(source), "latency")
      && G_IS_PARAM_SPEC_UINT(g_object_class_find_property(G_OBJECT_GET_CLASS(source), "latency")))
    g_object_set(source, "latency", self->latency, NULL);
}

/* ---- the index of an MP4/MOV file ---- */

typedef enum {
  INDEX_COMPLETE, /* a moov box, whole */
  INDEX_MISSING,  /* the top-level boxes end (or the file is cut inside one) with no moov */
  INDEX_CUT,      /* a moov box that the file ends inside */
  INDEX_UNKNOWN,  /* unreadable, or not ISO boxes: the demuxer says what is wrong */
} IndexState;

#define BOX_HEADER 8        /* 32-bit size, 4-character type */
#define BOX_LARGE_HEADER 16 /* size 1: a 64-bit size follows */

/* The index state of the local file `path`, from its top-level boxes (ISO/IEC 14496-12 4.2). */
static IndexState file_index_state(const char *path)
{
  FILE *f = g_fopen(path, "rb");
  GStatBuf st;
  if (f == NULL || g_stat(path, &st) != 0) {
    if (f)
      fclose(f);
    return INDEX_UNKNOWN;
  }
  IndexState state = INDEX_MISSING;
  guint64 size = (guint64)st.st_size;
  for (guint64 at = 0; at < size;) {
    guint8 h[BOX_LARGE_HEADER];
    if (fseeko(f, (off_t)at, SEEK_SET) != 0 || fread(h, 1, BOX_HEADER, f) != BOX_HEADER)
      break; /* cut inside a box header */
    guint64 box = GST_READ_UINT32_BE(h), header = BOX_HEADER;
    if (box == 1) {
      if (fread(h + BOX_HEADER, 1, BOX_HEADER, f) != BOX_HEADER)
        break;
      box = GST_READ_UINT64_BE(h + BOX_HEADER);
      header = BOX_LARGE_HEADER;
    } else if (box == 0) {
      box = size - at; /* the last box: to the end of the file */
    }
    if (box < header) {
      state = INDEX_UNKNOWN; /* not boxes, or damaged: the demuxer tells */
      break;
    }
    gboolean whole = box <= size - at;
    if (memcmp(h + 4, "moov", 4) == 0) {
      state = whole ? INDEX_COMPLETE : INDEX_CUT;
      break;
    }
    if (!whole)
      break;
    at += box;
  }
  fclose(f);
  return state;
}

/* qtdemux was chosen for the current child's file. decodebin (GStreamer 1.22) drops the errors an
 * element posts while decodebin is still setting it to PAUSED (its error filter for elements on
 * trial); qtdemux starts its streaming task in that very state change and, on a file without its
 * index, says "no playable streams" inside that window about one time in two: nothing else
 * happens (no pad, no end of stream), and the preroll would wait forever. So a local file's index
 * is read here, before qtdemux runs, and a missing one is this bin's error. Streaming thread. */
static void check_index(VfUriSrcBin *self)
{
  g_mutex_lock(&self->lock);
  self->indexed = TRUE;
  char *path = self->is_network ? NULL : g_filename_from_uri(self->uri, NULL, NULL);
  char *uri = g_strdup(self->uri);
  g_mutex_unlock(&self->lock);
  IndexState state = path ? file_index_state(path) : INDEX_UNKNOWN;
  if (state == INDEX_MISSING || state == INDEX_CUT) {
    g_mutex_lock(&self->lock);
    self->error_posted = TRUE;
    g_mutex_unlock(&self->lock);
    GST_ELEMENT_ERROR(
        self, STREAM, DEMUX,
        ("cannot read '%s': %s%s", uri,
         state == INDEX_CUT ? "its index (moov box) is cut short" : "it has no index (moov box)",
         NO_INDEX_HINT),
        ("read from the file's top-level boxes before qtdemux ran"));
  }
  g_free(path);
  g_free(uri);
}

static void on_element_added(GstBin *bin, GstBin *sub_bin, GstElement *element, gpointer data)
{
  (void)bin;
  (void)sub_bin;
  GstElementFactory *f = gst_element_get_factory(element);
  if (f && g_str_equal(GST_OBJECT_NAME(f), "qtdemux"))
    check_index(data);
}

/* ---- smart recording: the parsed stream, teed by reference before the decoder ---- */

static GstPadProbeReturn on_parsed(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  VfUriSrcBin *self = data;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    vf_sr_core_buffer(self->recorder, GST_PAD_PROBE_INFO_BUFFER(info));
    return GST_PAD_PROBE_OK;
  }
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
  switch (GST_EVENT_TYPE(event)) {
  case GST_EVENT_CAPS: {
    GstCaps *caps;
    gst_event_parse_caps(event, &caps);
    vf_sr_core_caps(self->recorder, caps);
    break;
  }
  case GST_EVENT_SEGMENT:
  case GST_EVENT_FLUSH_STOP:
    vf_sr_core_discont(self->recorder);
    break;
  default:
    break;
  }
  return GST_PAD_PROBE_OK;
}

/* The first video parser of the current decoder feeds the recorder. */
static void on_deep_element_added(GstBin *bin, GstBin *sub_bin, GstElement *element, gpointer data)
{
  (void)bin;
  (void)sub_bin;
  VfUriSrcBin *self = data;
  GstElementFactory *f = gst_element_get_factory(element);
  const char *klass = f ? gst_element_factory_get_metadata(f, GST_ELEMENT_METADATA_KLASS) : NULL;
  if (klass == NULL || !strstr(klass, "Parser") || !strstr(klass, "Video"))
    return;
  g_mutex_lock(&self->lock);
  gboolean take = self->smart_record > 0 && self->child
                  && gst_object_has_as_ancestor(GST_OBJECT(element), GST_OBJECT(self->child))
                  && self->tapped_generation != self->generation;
  if (take)
    self->tapped_generation = self->generation;
  g_mutex_unlock(&self->lock);
  GstPad *src = take ? gst_element_get_static_pad(element, "src") : NULL;
  if (src == NULL)
    return;
  GST_DEBUG_OBJECT(self, "recording the stream of %s", GST_ELEMENT_NAME(element));
  gst_pad_add_probe(src,
                    GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM
                        | GST_PAD_PROBE_TYPE_EVENT_FLUSH,
                    on_parsed, self, NULL);
  gst_object_unref(src);
}

static VfSrCore *recorder_of(VfUriSrcBin *self, GError **error)
{
  g_mutex_lock(&self->lock);
  gboolean on = self->smart_record > 0;
  g_mutex_unlock(&self->lock);
  if (!on)
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED,
                "'%s' does not record: set smart-record=1 on it (before it starts)",
                GST_ELEMENT_NAME(self));
  return on ? self->recorder : NULL;
}

static guint action_start_recording(VfUriSrcBin *self, guint before, guint duration, gpointer error)
{
  VfSrCore *core = recorder_of(self, error);
  return core ? vf_sr_core_start(core, before, duration, error) : 0;
}

static gboolean action_stop_recording(VfUriSrcBin *self, guint session, gpointer error)
{
  VfSrCore *core = recorder_of(self, error);
  return core && vf_sr_core_stop(core, session, error);
}

/* A new uridecodebin, added to the bin (the caller syncs its state). */
static gboolean add_child(VfUriSrcBin *self)
{
  g_mutex_lock(&self->lock);
  char *name = g_strdup_printf("decoder%u", self->generation++);
  char *uri = g_strdup(self->uri);
  g_mutex_unlock(&self->lock);
  GstElement *dec = gst_element_factory_make("uridecodebin", name);
  g_free(name);
  if (dec == NULL) {
    GST_ELEMENT_ERROR(self, CORE, MISSING_PLUGIN, ("uridecodebin is missing"),
                      ("install gstreamer1.0-plugins-base"));
    g_free(uri);
    return FALSE;
  }
  GstCaps *caps = gst_caps_from_string("video/x-raw(ANY)");
  g_object_set(dec, "uri", uri, "caps", caps, "expose-all-streams", FALSE, NULL);
  gst_caps_unref(caps);
  g_free(uri);
  g_signal_connect(dec, "pad-added", G_CALLBACK(on_pad_added), self);
  g_signal_connect(dec, "no-more-pads", G_CALLBACK(on_no_more_pads), self);
  g_signal_connect(dec, "source-setup", G_CALLBACK(on_source_setup), self);
  g_signal_connect(dec, "deep-element-added", G_CALLBACK(on_element_added), self);
  g_mutex_lock(&self->lock);
  self->child = gst_object_ref(dec);
  self->have_video = FALSE;
  self->indexed = FALSE;
  g_mutex_unlock(&self->lock);
  gst_bin_add(GST_BIN(self), dec);
  return TRUE;
}

static void remove_child(VfUriSrcBin *self)
{
  g_mutex_lock(&self->lock);
  GstElement *old = g_steal_pointer(&self->child);
  self->have_video = FALSE;
  g_mutex_unlock(&self->lock);
  if (old == NULL)
    return;
  gst_ghost_pad_set_target(GST_GHOST_PAD(self->srcpad), NULL);
  gst_element_set_locked_state(old, TRUE);
  gst_element_set_state(old, GST_STATE_NULL);
  gst_bin_remove(GST_BIN(self), old);
  gst_object_unref(old);
}

/* ---- what leaves the bin ---- */

/* Did this pass over a file end where the file says it ends? Called at its end of stream with the
 * lock held; on FALSE an error is posted (the lock is released meanwhile). A file cut short keeps
 * its declared duration (MP4/MOV: in the index) but its frames stop early; tolerance: a second or
 * 2 % of the duration, whichever is more (audio tracks may outlast the video). */
static gboolean file_complete_locked(VfUriSrcBin *self)
{
  guint64 frames = self->pass_frames;
  gboolean loop = self->file_loop, indexed = self->indexed;
  GstClockTime end = GST_CLOCK_TIME_IS_VALID(self->loop_end) && self->loop_end > self->loop_base
                         ? self->loop_end - self->loop_base
                         : 0;
  char *uri = g_strdup(self->uri);
  g_mutex_unlock(&self->lock);
  gint64 duration = -1;
  if (indexed && !gst_pad_query_duration(self->srcpad, GST_FORMAT_TIME, &duration))
    duration = -1;
  GstClockTime slack = MAX(GST_SECOND, (GstClockTime)MAX(duration, 0) / 50);
  gboolean ok = TRUE;
  if (indexed && duration > 0 && end + slack < (GstClockTime)duration) {
    GST_ELEMENT_ERROR(self, STREAM, DEMUX,
                      ("'%s' is cut short: its frames end at %.1f s but its index says it lasts "
                       "%.1f s (an incomplete copy or a recording that stopped half-way)",
                       uri, (double)end / GST_SECOND, (double)duration / GST_SECOND),
                      ("%" G_GUINT64_FORMAT " frames", frames));
    ok = FALSE;
  } else if (loop && frames == 0) {
    GST_ELEMENT_ERROR(
        self, STREAM, DECODE,
        ("'%s' gave no frame, so file-loop cannot start it again: is it damaged?", uri), (NULL));
    ok = FALSE;
  }
  g_free(uri);
  g_mutex_lock(&self->lock);
  return ok;
}

static GstPadProbeReturn on_src_data(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  VfUriSrcBin *self = data;
  GstPadProbeReturn ret = GST_PAD_PROBE_OK;
  g_mutex_lock(&self->lock);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
    if (self->shift > 0) {
      /* Later passes of a loop: timestamps go on increasing. */
      buf = gst_buffer_make_writable(buf);
      if (GST_BUFFER_PTS_IS_VALID(buf))
        GST_BUFFER_PTS(buf) += self->shift;
      if (GST_BUFFER_DTS_IS_VALID(buf))
        GST_BUFFER_DTS(buf) += self->shift;
      GST_PAD_PROBE_INFO_DATA(info) = buf;
    }
    self->last_data_us = g_get_monotonic_time();
    if (!self->ever_streamed)
      g_cond_broadcast(&self->cond); /* the manager starts watching for stalls */
    self->ever_streamed = TRUE;
    self->pass_frames++;
    self->lost = FALSE;
    self->attempts = 0;
    if (GST_BUFFER_PTS_IS_VALID(buf) && self->segment.format == GST_FORMAT_TIME) {
      GstClockTime end = GST_BUFFER_PTS(buf)
                         + (GST_BUFFER_DURATION_IS_VALID(buf) ? GST_BUFFER_DURATION(buf) : 0);
      GstClockTime rt = gst_segment_to_running_time(&self->segment, GST_FORMAT_TIME, end);
      if (GST_CLOCK_TIME_IS_VALID(rt)
          && (!GST_CLOCK_TIME_IS_VALID(self->loop_end) || rt > self->loop_end))
        self->loop_end = rt;
    }
  } else if (info->type & (GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM | GST_PAD_PROBE_TYPE_EVENT_FLUSH)) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
    switch (GST_EVENT_TYPE(event)) {
    case GST_EVENT_FLUSH_START:
    case GST_EVENT_FLUSH_STOP:
      if (self->seeking)
        ret = GST_PAD_PROBE_DROP;
      break;
    case GST_EVENT_SEGMENT: {
      const GstSegment *in;
      gst_event_parse_segment(event, &in);
      GstSegment seg = *in;
      if (self->rebase_segment && seg.format == GST_FORMAT_TIME) {
        self->shift = self->loop_base;
        self->rebase_segment = FALSE;
        self->seeking = FALSE;
      }
      if (self->shift > 0 && seg.format == GST_FORMAT_TIME) {
        /* Shift the pass by `shift`: running time and stream time continue where the last pass
         * ended. */
        seg.start += self->shift;
        if (GST_CLOCK_TIME_IS_VALID(seg.stop))
          seg.stop += self->shift;
        seg.time += self->shift;
        seg.position += self->shift;
        seg.base += self->shift;
        GstEvent *shifted = gst_event_new_segment(&seg);
        gst_event_set_seqnum(shifted, gst_event_get_seqnum(event));
        gst_event_unref(event);
        GST_PAD_PROBE_INFO_DATA(info) = shifted;
      }
      self->segment = seg;
      break;
    }
    case GST_EVENT_EOS:
      if (self->eos_requested) {
        vf_sr_core_end(self->recorder, "source-ended");
        break;
      }
      if (!self->is_rtsp && !file_complete_locked(self)) {
        g_mutex_unlock(&self->lock);
        return GST_PAD_PROBE_DROP; /* an error is posted: the stream does not end normally */
      }
      if (self->file_loop && !self->is_rtsp) {
        self->loop_pending = TRUE;
        g_cond_broadcast(&self->cond);
        ret = GST_PAD_PROBE_DROP;
      } else if (self->is_rtsp && self->reconnect_interval > 0 && self->ever_streamed) {
        GST_INFO_OBJECT(self, "end of stream from the RTSP server: reconnecting");
        self->reconnect_pending = TRUE;
        self->lost = TRUE;
        g_cond_broadcast(&self->cond);
        ret = GST_PAD_PROBE_DROP;
      } else {
        vf_sr_core_end(self->recorder, "source-ended");
      }
      break;
    default:
      break;
    }
  }
  g_mutex_unlock(&self->lock);
  return ret;
}

/* ---- the manager thread: loops and reconnections ---- */

static void do_loop(VfUriSrcBin *self)
{
  g_mutex_lock(&self->lock);
  self->seeking = TRUE;
  self->rebase_segment = TRUE;
  if (GST_CLOCK_TIME_IS_VALID(self->loop_end))
    self->loop_base = self->loop_end;
  self->loops++;
  self->pass_frames = 0;
  g_mutex_unlock(&self->lock);
  GST_DEBUG_OBJECT(self, "looping; running time continues at %" GST_TIME_FORMAT,
                   GST_TIME_ARGS(self->loop_base));
  GstEvent *seek = gst_event_new_seek(1.0, GST_FORMAT_TIME, GST_SEEK_FLAG_FLUSH, GST_SEEK_TYPE_SET,
                                      0, GST_SEEK_TYPE_NONE, GST_CLOCK_TIME_NONE);
  if (!gst_pad_send_event(self->srcpad, seek)) {
    g_mutex_lock(&self->lock);
    self->seeking = FALSE;
    self->rebase_segment = FALSE;
    char *uri = g_strdup(self->uri);
    g_mutex_unlock(&self->lock);
    GST_ELEMENT_ERROR(self, STREAM, FAILED,
                      ("cannot loop '%s': it cannot seek back to the start", uri),
                      ("set file-loop=false for sources that cannot seek"));
    g_free(uri);
  }
}

static void do_reconnect(VfUriSrcBin *self)
{
  GST_INFO_OBJECT(self, "reconnecting to %s", self->uri);
  remove_child(self);
  if (!add_child(self))
    return;
  g_mutex_lock(&self->lock);
  GstElement *child = self->child ? gst_object_ref(self->child) : NULL;
  self->reconnects++;
  self->last_data_us = g_get_monotonic_time();
  g_mutex_unlock(&self->lock);
  if (child) {
    gst_element_sync_state_with_parent(child);
    gst_object_unref(child);
  }
}

static gpointer manager_thread(gpointer data)
{
  VfUriSrcBin *self = data;
  g_mutex_lock(&self->lock);
  while (!self->quit) {
    if (self->loop_pending) {
      self->loop_pending = FALSE;
      g_mutex_unlock(&self->lock);
      do_loop(self);
      g_mutex_lock(&self->lock);
      continue;
    }
    gint64 now = g_get_monotonic_time();
    gint64 interval_us = (gint64)self->reconnect_interval * G_TIME_SPAN_SECOND;
    gboolean stalled = self->is_rtsp && interval_us > 0 && self->playing && self->ever_streamed
                       && !self->eos_requested && now - self->last_data_us > interval_us;
    if ((self->reconnect_pending || stalled) && !self->eos_requested) {
      self->reconnect_pending = FALSE;
      self->lost = TRUE;
      if (self->reconnect_attempts >= 0 && self->attempts >= (guint)self->reconnect_attempts) {
        char *uri = g_strdup(self->uri);
        guint n = self->attempts;
        self->quit = TRUE;
        g_mutex_unlock(&self->lock);
        GST_ELEMENT_ERROR(self, RESOURCE, READ,
                          ("lost '%s' and gave up after %u reconnection attempts", uri, n),
                          ("raise rtsp-reconnect-attempts (-1: forever)"));
        g_free(uri);
        g_mutex_lock(&self->lock);
        break;
      }
      /* Back off: interval, 2x, 4x, ... at most 30 s. */
      gint64 delay = interval_us;
      for (guint i = 0; i < self->attempts && delay < MAX_BACKOFF_US; i++)
        delay *= 2;
      delay = MIN(delay, MAX(MAX_BACKOFF_US, interval_us));
      self->attempts++;
      gint64 until = g_get_monotonic_time() + delay;
      GST_INFO_OBJECT(self, "reconnection attempt %u in %" G_GINT64_FORMAT " ms", self->attempts,
                      delay / 1000);
      /* Tell the application (vidflow/source.h), without our lock: handlers run right here. */
      GstStructure *msg = gst_structure_new(VF_SOURCE_RECONNECTING, "source-id", G_TYPE_INT,
                                            self->source_id, "uri", G_TYPE_STRING, self->uri,
                                            "attempt", G_TYPE_UINT, self->attempts, "delay",
                                            G_TYPE_UINT64, (guint64)delay * GST_USECOND, NULL);
      g_mutex_unlock(&self->lock);
      gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), msg));
      g_mutex_lock(&self->lock);
      while (!self->quit && !self->eos_requested
             && g_cond_wait_until(&self->cond, &self->lock, until))
        ;
      if (self->quit || self->eos_requested)
        continue;
      g_mutex_unlock(&self->lock);
      do_reconnect(self);
      g_mutex_lock(&self->lock);
      continue;
    }
    /* Sleep until something changes (every change broadcasts the condition) or the moment an
     * RTSP stream has sent nothing for the interval. */
    if (self->is_rtsp && interval_us > 0 && self->playing && self->ever_streamed
        && !self->eos_requested)
      g_cond_wait_until(&self->cond, &self->lock, self->last_data_us + interval_us + 1);
    else
      g_cond_wait(&self->cond, &self->lock);
  }
  g_mutex_unlock(&self->lock);
  return NULL;
}

static void stop_thread(VfUriSrcBin *self)
{
  g_mutex_lock(&self->lock);
  GThread *t = g_steal_pointer(&self->thread);
  self->quit = TRUE;
  g_cond_broadcast(&self->cond);
  g_mutex_unlock(&self->lock);
  if (t)
    g_thread_join(t);
}

/* ---- element ---- */

/* A frame that an element inside dropped late (a QoS message: the decoder or a converter skipped
 * it because the sink is behind, as a display sink under load makes them do) was still read from
 * the file: it counts for the cut-short check (file_complete_locked), which otherwise takes the
 * frames it never saw for a file that ends early. Called on the streaming thread that dropped the
 * frame, before that thread pushes the later frames and the end of stream. */
static void note_dropped_frame(VfUriSrcBin *self, GstMessage *msg)
{
  gboolean live;
  guint64 running_time, stream_time, timestamp, duration;
  gst_message_parse_qos(msg, &live, &running_time, &stream_time, &timestamp, &duration);
  if (!GST_CLOCK_TIME_IS_VALID(timestamp))
    return;
  g_mutex_lock(&self->lock);
  if (self->child && gst_object_has_as_ancestor(GST_MESSAGE_SRC(msg), GST_OBJECT(self->child))
      && self->segment.format == GST_FORMAT_TIME) {
    /* the element's own timestamps: later passes of a loop are shifted as on_src_data shifts */
    GstClockTime end = timestamp + self->shift + (GST_CLOCK_TIME_IS_VALID(duration) ? duration : 0);
    GstClockTime rt = gst_segment_to_running_time(&self->segment, GST_FORMAT_TIME, end);
    if (GST_CLOCK_TIME_IS_VALID(rt)
        && (!GST_CLOCK_TIME_IS_VALID(self->loop_end) || rt > self->loop_end))
      self->loop_end = rt;
    self->pass_frames++;
  }
  g_mutex_unlock(&self->lock);
}

static void handle_message(GstBin *bin, GstMessage *msg)
{
  VfUriSrcBin *self = VF_URI_SRC_BIN(bin);
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_QOS)
    note_dropped_frame(self, msg);
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR && GST_MESSAGE_SRC(msg) != GST_OBJECT(self)) {
    g_mutex_lock(&self->lock);
    gboolean reconnecting = self->is_rtsp && self->reconnect_interval > 0 && self->ever_streamed
                            && !self->eos_requested && !self->quit;
    gboolean current
        = self->child && gst_object_has_as_ancestor(GST_MESSAGE_SRC(msg), GST_OBJECT(self->child));
    if (reconnecting && current) {
      self->reconnect_pending = TRUE;
      self->lost = TRUE;
      g_cond_broadcast(&self->cond);
    }
    char *uri = g_strdup(self->uri);
    gboolean network = self->is_network;
    if (!reconnecting && current)
      self->error_posted = TRUE;
    g_mutex_unlock(&self->lock);
    if (reconnecting) {
      GError *err = NULL;
      gst_message_parse_error(msg, &err, NULL);
      GST_INFO_OBJECT(self, "lost %s (%s): reconnecting", uri, err->message);
      g_error_free(err);
      g_free(uri);
      gst_message_unref(msg);
      return;
    }
    /* Say which URI failed, from this element. */
    GError *err = NULL;
    char *debug = NULL;
    gst_message_parse_error(msg, &err, &debug);
    /* qtdemux says "no playable streams" for an MP4 without its index (written last) */
    gboolean no_index = !network && err->domain == GST_STREAM_ERROR
                        && err->code == GST_STREAM_ERROR_DEMUX && debug
                        && strstr(debug, "no known streams found");
    GError *better
        = g_error_new(err->domain, err->code, "cannot read '%s': %s%s", uri, err->message,
                      network    ? " (is the server running and the address right?)"
                      : no_index ? NO_INDEX_HINT
                                 : "");
    GstMessage *out = gst_message_new_error(GST_OBJECT(self), better, debug);
    gst_message_unref(msg);
    msg = out;
    g_error_free(err);
    g_error_free(better);
    g_free(debug);
    g_free(uri);
  }
  GST_BIN_CLASS(vf_uri_src_bin_parent_class)->handle_message(bin, msg);
}

/* Sends `event` (transfer full) straight to what follows the bin: the source pad may hold the
 * lost stream's end of stream (sticky, though it was dropped), which refuses another one. */
static gboolean end_stream_here(VfUriSrcBin *self, GstEvent *event)
{
  GstPad *peer = gst_pad_get_peer(self->srcpad);
  if (peer == NULL) {
    gst_event_unref(event);
    return FALSE;
  }
  gboolean ok = gst_pad_send_event(peer, event);
  gst_object_unref(peer);
  return ok;
}

static gboolean send_event(GstElement *element, GstEvent *event)
{
  VfUriSrcBin *self = VF_URI_SRC_BIN(element);
  if (GST_EVENT_TYPE(event) == GST_EVENT_EOS) {
    g_mutex_lock(&self->lock);
    self->eos_requested = TRUE;
    gboolean connected = self->have_video && !self->lost;
    g_cond_broadcast(&self->cond);
    g_mutex_unlock(&self->lock);
    /* Between two connections (or while the lost one is still there, waiting to be replaced)
     * there is no source that could end the stream: end it here. */
    if (!connected)
      return end_stream_here(self, event);
    gst_event_ref(event);
    gboolean ok = GST_ELEMENT_CLASS(vf_uri_src_bin_parent_class)->send_event(element, event);
    if (!ok)
      ok = end_stream_here(self, event);
    else
      gst_event_unref(event);
    return ok;
  }
  return GST_ELEMENT_CLASS(vf_uri_src_bin_parent_class)->send_event(element, event);
}

static GstStateChangeReturn change_state(GstElement *element, GstStateChange transition)
{
  VfUriSrcBin *self = VF_URI_SRC_BIN(element);
  switch (transition) {
  case GST_STATE_CHANGE_NULL_TO_READY: {
    g_mutex_lock(&self->lock);
    gboolean have_uri = self->uri && *self->uri;
    gboolean have_child = self->child != NULL;
    self->is_rtsp = uri_is_rtsp(self->uri);
    self->is_network = uri_is_network(self->uri);
    g_mutex_unlock(&self->lock);
    if (!have_uri) {
      GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND, ("no 'uri' set"),
                        ("set the uri property to file://, rtsp:// or http(s)://"));
      return GST_STATE_CHANGE_FAILURE;
    }
    if (!have_child && !add_child(self))
      return GST_STATE_CHANGE_FAILURE;
    break;
  }
  case GST_STATE_CHANGE_READY_TO_PAUSED:
    g_mutex_lock(&self->lock);
    self->ever_streamed = FALSE;
    self->pass_frames = 0;
    self->eos_requested = FALSE;
    self->lost = FALSE;
    self->error_posted = FALSE;
    self->seeking = self->rebase_segment = FALSE;
    self->loop_pending = self->reconnect_pending = FALSE;
    self->loop_base = 0;
    self->shift = 0;
    self->loop_end = GST_CLOCK_TIME_NONE;
    self->attempts = 0;
    self->quit = FALSE;
    gst_segment_init(&self->segment, GST_FORMAT_UNDEFINED);
    self->thread = g_thread_new("vfurisrcbin", manager_thread, self);
    g_mutex_unlock(&self->lock);
    break;
  case GST_STATE_CHANGE_PAUSED_TO_PLAYING:
    g_mutex_lock(&self->lock);
    self->playing = TRUE;
    self->last_data_us = g_get_monotonic_time();
    g_cond_broadcast(&self->cond); /* the manager starts watching for stalls */
    g_mutex_unlock(&self->lock);
    break;
  case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
    g_mutex_lock(&self->lock);
    self->playing = FALSE;
    g_mutex_unlock(&self->lock);
    break;
  case GST_STATE_CHANGE_PAUSED_TO_READY:
    stop_thread(self);
    vf_sr_core_finish(self->recorder, "shutdown");
    break;
  default:
    break;
  }
  return GST_ELEMENT_CLASS(vf_uri_src_bin_parent_class)->change_state(element, transition);
}

static void set_property(GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  VfUriSrcBin *self = VF_URI_SRC_BIN(object);
  g_mutex_lock(&self->lock);
  if (vf_sr_props_set(&self->sr_props, self->recorder, id, value)) {
    g_mutex_unlock(&self->lock);
    return;
  }
  switch (id) {
  case PROP_SENSOR_ID:
    g_free(self->sensor_id);
    self->sensor_id = g_value_dup_string(value);
    break;
  case PROP_SMART_RECORD:
    self->smart_record = g_value_get_uint(value);
    break;
  case PROP_URI:
    g_free(self->uri);
    self->uri = g_value_dup_string(value);
    self->is_rtsp = uri_is_rtsp(self->uri);
    self->is_network = uri_is_network(self->uri);
    if (self->child)
      g_object_set(self->child, "uri", self->uri, NULL);
    break;
  case PROP_FILE_LOOP:
    self->file_loop = g_value_get_boolean(value);
    break;
  case PROP_RECONNECT_INTERVAL:
    self->reconnect_interval = g_value_get_uint(value);
    break;
  case PROP_RECONNECT_ATTEMPTS:
    self->reconnect_attempts = g_value_get_int(value);
    break;
  case PROP_LATENCY:
    self->latency = g_value_get_uint(value);
    break;
  case PROP_GPU_ID:
    self->gpu_id = g_value_get_uint(value);
    break;
  case PROP_SOURCE_ID:
    self->source_id = g_value_get_int(value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    break;
  }
  g_mutex_unlock(&self->lock);
}

static void get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  VfUriSrcBin *self = VF_URI_SRC_BIN(object);
  if (vf_sr_stats_get(self->recorder, id, value))
    return;
  g_mutex_lock(&self->lock);
  if (vf_sr_props_get(&self->sr_props, id, value)) {
    g_mutex_unlock(&self->lock);
    return;
  }
  switch (id) {
  case PROP_SENSOR_ID:
    g_value_set_string(value, self->sensor_id);
    break;
  case PROP_SMART_RECORD:
    g_value_set_uint(value, self->smart_record);
    break;
  case PROP_URI:
    g_value_set_string(value, self->uri);
    break;
  case PROP_FILE_LOOP:
    g_value_set_boolean(value, self->file_loop);
    break;
  case PROP_RECONNECT_INTERVAL:
    g_value_set_uint(value, self->reconnect_interval);
    break;
  case PROP_RECONNECT_ATTEMPTS:
    g_value_set_int(value, self->reconnect_attempts);
    break;
  case PROP_LATENCY:
    g_value_set_uint(value, self->latency);
    break;
  case PROP_GPU_ID:
    g_value_set_uint(value, self->gpu_id);
    break;
  case PROP_SOURCE_ID:
    g_value_set_int(value, self->source_id);
    break;
  case PROP_RECONNECTS:
    g_value_set_uint(value, self->reconnects);
    break;
  case PROP_LOOPS:
    g_value_set_uint(value, self->loops);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    break;
  }
  g_mutex_unlock(&self->lock);
}

static void finalize(GObject *object)
{
  VfUriSrcBin *self = VF_URI_SRC_BIN(object);
  stop_thread(self);
  vf_sr_core_free(self->recorder);
  vf_sr_props_clear(&self->sr_props);
  g_free(self->sensor_id);
  gst_clear_object(&self->child);
  g_free(self->uri);
  g_mutex_clear(&self->lock);
  g_cond_clear(&self->cond);
  G_OBJECT_CLASS(vf_uri_src_bin_parent_class)->finalize(object);
}

static void vf_uri_src_bin_class_init(VfUriSrcBinClass *klass)
{
  GObjectClass *oclass = G_OBJECT_CLASS(klass);
  GstElementClass *eclass = GST_ELEMENT_CLASS(klass);
  GstBinClass *bclass = GST_BIN_CLASS(klass);
  oclass->set_property = set_property;
  oclass->get_property = get_property;
  oclass->finalize = finalize;
  eclass->change_state = change_state;
  eclass->send_event = send_event;
  bclass->handle_message = handle_message;

  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  g_object_class_install_property(
      oclass, PROP_URI,
      g_param_spec_string("uri", "URI", "file://, rtsp://, http(s):// URI to decode", NULL, rw));
  g_object_class_install_property(
      oclass, PROP_FILE_LOOP,
      g_param_spec_boolean("file-loop", "File loop",
                           "Start again from the beginning at the end of a file", FALSE, rw));
  g_object_class_install_property(
      oclass, PROP_RECONNECT_INTERVAL,
      g_param_spec_uint(
          "rtsp-reconnect-interval", "RTSP reconnect interval",
          "Seconds without data (or after an error) before reconnecting to an RTSP "
          "source that was streaming; doubles per failed attempt (0: never reconnect)",
          0, 3600, 0, rw));
  g_object_class_install_property(
      oclass, PROP_RECONNECT_ATTEMPTS,
      g_param_spec_int("rtsp-reconnect-attempts", "RTSP reconnect attempts",
                       "Failed reconnection attempts in a row before giving up with an error (-1: "
                       "forever)",
                       -1, G_MAXINT, -1, rw));
  g_object_class_install_property(oclass, PROP_LATENCY,
                                  g_param_spec_uint("latency", "Latency",
                                                    "RTSP jitter buffer size in milliseconds", 0,
                                                    G_MAXUINT, 100, rw));
  g_object_class_install_property(
      oclass, PROP_GPU_ID,
      g_param_spec_uint("gpu-id", "GPU id",
                        "CUDA device for hardware decoding (decoding is on the CPU in builds "
                        "without CUDA)",
                        0, G_MAXUINT, 0, rw));
  g_object_class_install_property(
      oclass, PROP_SOURCE_ID,
      g_param_spec_int("source-id", "Source id", "Application-chosen id of this source (-1: none)",
                       -1, G_MAXINT, -1, rw));
  g_object_class_install_property(oclass, PROP_RECONNECTS,
                                  g_param_spec_uint("reconnects", "Reconnects",
                                                    "Reconnections made so far", 0, G_MAXUINT, 0,
                                                    ro));
  g_object_class_install_property(
      oclass, PROP_LOOPS,
      g_param_spec_uint("loops", "Loops", "Times the file started again", 0, G_MAXUINT, 0, ro));
  g_object_class_install_property(
      oclass, PROP_SENSOR_ID,
      g_param_spec_string("sensor-id", "Sensor id",
                          "Application-chosen sensor id of this source, copied into its "
                          "recording messages (NULL: none)",
                          NULL, rw));
  g_object_class_install_property(
      oclass, PROP_SMART_RECORD,
      g_param_spec_uint("smart-record", "Smart record",
                        "Keep the encoded stream (H.264/H.265) for clips started with the "
                        "start-recording action signal: 0 off; 1 or 2 on (DeepStream's cloud and "
                        "cloud+local events: vidflow takes them from the C API, REST and probes)",
                        0, 2, 0, rw | GST_PARAM_MUTABLE_READY));
  vf_sr_props_install(oclass);
  vf_sr_signals_install(VF_TYPE_URI_SRC_BIN, G_CALLBACK(action_start_recording),
                        G_CALLBACK(action_stop_recording));

  gst_element_class_add_static_pad_template(eclass, &src_template);
  gst_element_class_set_static_metadata(
      eclass, "vidflow URI source", "Source/Video/Bin",
      "Decoded video from a URI, with file looping and RTSP reconnection", "vidflow");
  GST_DEBUG_CATEGORY_INIT(vf_uri_src_bin_debug, "vfurisrcbin", 0, "vidflow URI source");
}

static void vf_uri_src_bin_init(VfUriSrcBin *self)
{
  g_mutex_init(&self->lock);
  g_cond_init(&self->cond);
  self->reconnect_attempts = -1;
  self->latency = 100;
  self->source_id = -1;
  vf_sr_props_init(&self->sr_props);
  self->recorder = vf_sr_core_new(GST_ELEMENT(self));
  g_signal_connect(self, "deep-element-added", G_CALLBACK(on_deep_element_added), self);
  self->loop_end = GST_CLOCK_TIME_NONE;
  gst_segment_init(&self->segment, GST_FORMAT_UNDEFINED);
  GstPadTemplate *t = gst_static_pad_template_get(&src_template);
  self->srcpad = gst_ghost_pad_new_no_target_from_template("src", t);
  gst_object_unref(t);
  gst_pad_add_probe(self->srcpad,
                    GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM
                        | GST_PAD_PROBE_TYPE_EVENT_FLUSH,
                    on_src_data, self, NULL);
  gst_element_add_pad(GST_ELEMENT(self), self->srcpad);
  GST_OBJECT_FLAG_SET(self, GST_ELEMENT_FLAG_SOURCE);
}
