/* vidflow plugin: vfdemux, the nvstreamdemux equivalent.
 *
 * SECTION:element-vfdemux
 *
 * vfdemux splits a batched stream (from vfmux: video/x-raw(meta:VfBatch)) back into one stream
 * per source. Request a source pad per source id: src_0 gets the frames of vfmux's sink_0, and
 * so on; frames of sources without a pad are dropped (and counted: the dropped property).
 *
 * Buffers: when vfdemux holds the only reference to a frame (the batch was not shared, e.g. by a
 * tee, and nobody else holds the frame's buffer), it pushes the frame's own buffer, the very one
 * the source produced. Otherwise it pushes a new buffer over the same pixels without copying them:
 * for system memory its memories are read-only views that hold the frame's buffer, so that buffer
 * still goes back to its pool untouched once the views are gone; other memory (CUDA) is shared.
 * Either way the buffer carries a one-frame VfBatchMeta with the frame's metadata (objects,
 * display and user meta, source id, frame number, PTS...) and the frame's GstVideoMeta.
 *
 * Streams: each frame carries its source's sticky events (meta.h), and each output rebuilds the
 * original stream from them: the source's stream-start (stream id), caps (memory:CUDAMemory frames
 * stay CUDA frames; a frame vfmux scaled or converted gets caps of what it is now, the rest of the
 * source's caps kept), segment and tags, and the frames' original timestamps. Frames without
 * sticky events (batches made by other code) get a stream of their own: caps of the frame, the
 * batch's segment, the frames' running times as timestamps.
 *
 * Put a queue on each branch (as after any demuxer): one streaming thread feeds every pad, and a
 * sink that blocks (prerolling, or slow) would stall the other sources.
 *
 * When vfmux reports that a source ended (VF_SOURCE_EOS) or left (VF_SOURCE_REMOVED), its pad
 * gets EOS; the end of the batched stream ends every pad.
 *
 * Example launch line:
 *   gst-launch-1.0 vfmux name=mux ! vfdemux name=demux \
 *     videotestsrc num-buffers=50 ! mux.sink_0  videotestsrc num-buffers=50 ! mux.sink_1 \
 *     demux.src_0 ! queue ! videoconvert ! fakesink  demux.src_1 ! queue ! fakesink
 */
#include "vfdemux.h"

#include <gst/base/gstflowcombiner.h>
#include <string.h>
#include <vidflow/frame-map.h>
#include <vidflow/meta.h>
#include <vidflow/source.h>

GST_DEBUG_CATEGORY_STATIC(vf_demux_debug);
#define GST_CAT_DEFAULT vf_demux_debug

typedef struct {
  GstPad *pad; /* ref */
  guint source_id;
  gboolean started; /* stream-start sent (and not ended since) */
  gboolean have_caps;
  GstVideoInfo info;
  gboolean segment_sent;
  gboolean eos;
  GPtrArray *sticky; /* (nullable) the source's sticky events the stream was rebuilt from */
} Output;

struct _VfDemux {
  GstElement parent;
  GstPad *sinkpad;

  /* object lock */
  GHashTable *outputs; /* source id -> Output */
  guint64 dropped;

  /* streaming thread (sink pad stream lock) */
  GstFlowCombiner *flow;
  GstSegment segment;
  gboolean have_segment;
  gboolean cuda;
  gint fps_n, fps_d;
};

enum {
  PROP_0,
  PROP_DROPPED,
};

static GstStaticPadTemplate sink_template
    = GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
                              GST_STATIC_CAPS("video/x-raw(" VF_CAPS_FEATURE_META_BATCH
                                              "); video/x-raw(" VF_CAPS_FEATURE_MEMORY_CUDA
                                              ", " VF_CAPS_FEATURE_META_BATCH ")"));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src_%u", GST_PAD_SRC, GST_PAD_REQUEST,
    GST_STATIC_CAPS("video/x-raw; video/x-raw(" VF_CAPS_FEATURE_MEMORY_CUDA ")"));

G_DEFINE_TYPE_WITH_CODE(VfDemux, vf_demux, GST_TYPE_ELEMENT,
                        GST_DEBUG_CATEGORY_INIT(vf_demux_debug, "vfdemux", 0,
                                                "vidflow batch demuxer"));
GST_ELEMENT_REGISTER_DEFINE(vfdemux, "vfdemux", GST_RANK_NONE, VF_TYPE_DEMUX);

static void output_reset(Output *o)
{
  o->started = o->have_caps = o->segment_sent = o->eos = FALSE;
  g_clear_pointer(&o->sticky, g_ptr_array_unref);
}

static void output_free(gpointer data)
{
  Output *o = data;
  output_reset(o);
  gst_object_unref(o->pad);
  g_free(o);
}

/* The output of `source_id` with a reference on its pad (copy, so it stays valid without the
 * lock); FALSE when there is none. */
static gboolean lookup_output(VfDemux *self, guint source_id, Output **out)
{
  GST_OBJECT_LOCK(self);
  Output *o = g_hash_table_lookup(self->outputs, GUINT_TO_POINTER(source_id));
  if (o)
    gst_object_ref(o->pad);
  GST_OBJECT_UNLOCK(self);
  *out = o;
  return o != NULL;
}

/* ---- source pads ---- */

static gboolean src_query(GstPad *pad, GstObject *parent, GstQuery *query)
{
  if (GST_QUERY_TYPE(query) == GST_QUERY_CAPS) {
    GstCaps *filter, *caps = gst_pad_get_current_caps(pad);
    gst_query_parse_caps(query, &filter);
    if (caps == NULL)
      caps = gst_pad_get_pad_template_caps(pad);
    if (filter) {
      GstCaps *tmp = gst_caps_intersect_full(filter, caps, GST_CAPS_INTERSECT_FIRST);
      gst_caps_unref(caps);
      caps = tmp;
    }
    gst_query_set_caps_result(query, caps);
    gst_caps_unref(caps);
    return TRUE;
  }
  return gst_pad_query_default(pad, parent, query);
}

static GstPad *vf_demux_request_new_pad(GstElement *element, GstPadTemplate *templ,
                                        const gchar *name, const GstCaps *caps)
{
  (void)caps;
  VfDemux *self = VF_DEMUX(element);
  guint id = 0;
  GST_OBJECT_LOCK(self);
  if (name && g_str_has_prefix(name, "src_")) {
    char *end = NULL;
    guint64 v = g_ascii_strtoull(name + 4, &end, 10);
    if (end == name + 4 || *end != '\0' || v > G_MAXUINT) {
      GST_OBJECT_UNLOCK(self);
      GST_WARNING_OBJECT(self, "pad name '%s' is not src_<source id>", name);
      return NULL;
    }
    id = (guint)v;
  } else if (name) {
    GST_OBJECT_UNLOCK(self);
    GST_WARNING_OBJECT(self, "pad name '%s' is not src_<source id>", name);
    return NULL;
  } else {
    while (g_hash_table_contains(self->outputs, GUINT_TO_POINTER(id)))
      id++;
  }
  if (g_hash_table_contains(self->outputs, GUINT_TO_POINTER(id))) {
    GST_OBJECT_UNLOCK(self);
    GST_WARNING_OBJECT(self, "pad src_%u exists already", id);
    return NULL;
  }
  char *pad_name = g_strdup_printf("src_%u", id);
  GstPad *pad = gst_pad_new_from_template(templ, pad_name);
  g_free(pad_name);
  gst_pad_set_query_function(pad, src_query);
  gst_pad_use_fixed_caps(pad);
  Output *o = g_new0(Output, 1);
  o->pad = gst_object_ref(pad);
  o->source_id = id;
  g_hash_table_insert(self->outputs, GUINT_TO_POINTER(id), o);
  GST_OBJECT_UNLOCK(self);

  GST_PAD_STREAM_LOCK(self->sinkpad);
  gst_flow_combiner_add_pad(self->flow, pad);
  GST_PAD_STREAM_UNLOCK(self->sinkpad);
  if (GST_STATE(element) >= GST_STATE_PAUSED || GST_STATE_PENDING(element) >= GST_STATE_PAUSED)
    gst_pad_set_active(pad, TRUE);
  gst_element_add_pad(element, pad);
  return pad;
}

static void vf_demux_release_pad(GstElement *element, GstPad *pad)
{
  VfDemux *self = VF_DEMUX(element);
  GST_PAD_STREAM_LOCK(self->sinkpad);
  gst_flow_combiner_remove_pad(self->flow, pad);
  GST_OBJECT_LOCK(self);
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, self->outputs);
  while (g_hash_table_iter_next(&it, &key, &value))
    if (((Output *)value)->pad == pad)
      g_hash_table_iter_remove(&it);
  GST_OBJECT_UNLOCK(self);
  GST_PAD_STREAM_UNLOCK(self->sinkpad);
  gst_pad_set_active(pad, FALSE);
  gst_element_remove_pad(element, pad);
}

/* ---- events ---- */

static void start_output(VfDemux *self, Output *o)
{
  if (o->started)
    return;
  char *id = gst_pad_create_stream_id_printf(o->pad, GST_ELEMENT(self), "source-%u", o->source_id);
  gst_pad_push_event(o->pad, gst_event_new_stream_start(id));
  g_free(id);
  o->started = TRUE;
  o->eos = FALSE;
  o->have_caps = FALSE;
  o->segment_sent = FALSE;
}

static void end_output(VfDemux *self, Output *o)
{
  if (o->eos)
    return;
  start_output(self, o);
  if (!o->segment_sent && self->have_segment) {
    gst_pad_push_event(o->pad, gst_event_new_segment(&self->segment));
    o->segment_sent = TRUE;
  }
  gst_pad_push_event(o->pad, gst_event_new_eos());
  o->eos = TRUE;
  o->started = FALSE;
}

static void end_source(VfDemux *self, guint source_id)
{
  GST_OBJECT_LOCK(self);
  Output *o = g_hash_table_lookup(self->outputs, GUINT_TO_POINTER(source_id));
  GstPad *pad = o ? gst_object_ref(o->pad) : NULL;
  GST_OBJECT_UNLOCK(self);
  if (o) {
    GST_DEBUG_OBJECT(self, "source %u ended", source_id);
    end_output(self, o);
    gst_object_unref(pad);
  }
}

/* Outputs (with their pads referenced) to act on outside the lock. */
static GPtrArray *all_outputs(VfDemux *self)
{
  GPtrArray *a = g_ptr_array_new();
  GST_OBJECT_LOCK(self);
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, self->outputs);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    gst_object_ref(((Output *)value)->pad);
    g_ptr_array_add(a, value);
  }
  GST_OBJECT_UNLOCK(self);
  return a;
}

static void release_outputs(GPtrArray *a)
{
  for (guint i = 0; i < a->len; i++)
    gst_object_unref(((Output *)g_ptr_array_index(a, i))->pad);
  g_ptr_array_unref(a);
}

static gboolean sink_event(GstPad *pad, GstObject *parent, GstEvent *event)
{
  VfDemux *self = VF_DEMUX(parent);
  switch (GST_EVENT_TYPE(event)) {
  case GST_EVENT_STREAM_START:
    /* Each output makes its own stream-start from this one (gst_pad_create_stream_id). */
    gst_event_unref(event);
    return TRUE;
  case GST_EVENT_CAPS: {
    GstCaps *caps;
    gst_event_parse_caps(event, &caps);
    GstCapsFeatures *f = gst_caps_get_features(caps, 0);
    if (f == NULL || !gst_caps_features_contains(f, VF_CAPS_FEATURE_META_BATCH)) {
      GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                        ("vfdemux '%s' needs a batched stream (video/x-raw(meta:VfBatch)): put "
                         "vfmux upstream",
                         GST_OBJECT_NAME(self)),
                        ("got caps %" GST_PTR_FORMAT, caps));
      gst_event_unref(event);
      return FALSE;
    }
    GstStructure *s = gst_caps_get_structure(caps, 0);
    self->fps_n = 0;
    self->fps_d = 1;
    gst_structure_get_fraction(s, "framerate", &self->fps_n, &self->fps_d);
    self->cuda = gst_caps_features_contains(f, VF_CAPS_FEATURE_MEMORY_CUDA);
    gst_event_unref(event);
    return TRUE;
  }
  case GST_EVENT_SEGMENT: {
    gst_event_copy_segment(event, &self->segment);
    self->have_segment = TRUE;
    GPtrArray *outs = all_outputs(self);
    for (guint i = 0; i < outs->len; i++) {
      Output *o = g_ptr_array_index(outs, i);
      /* Outputs rebuilt from their source's events keep the source's segment. */
      if (o->started && o->sticky == NULL) {
        gst_pad_push_event(o->pad, gst_event_ref(event));
        o->segment_sent = TRUE;
      }
    }
    release_outputs(outs);
    gst_event_unref(event);
    return TRUE;
  }
  case GST_EVENT_EOS: {
    GPtrArray *outs = all_outputs(self);
    for (guint i = 0; i < outs->len; i++)
      end_output(self, g_ptr_array_index(outs, i));
    release_outputs(outs);
    gst_event_unref(event);
    return TRUE;
  }
  case GST_EVENT_FLUSH_STOP:
    gst_flow_combiner_reset(self->flow);
    break;
  case GST_EVENT_CUSTOM_DOWNSTREAM: {
    guint id;
    if (vf_source_event_is_end(event, &id)) {
      end_source(self, id);
      gst_event_unref(event);
      return TRUE;
    }
    if (gst_event_has_name(event, VF_SOURCE_ADDED)) {
      gst_event_unref(event);
      return TRUE;
    }
    break;
  }
  default:
    break;
  }
  return gst_pad_event_default(pad, parent, event);
}

/* ---- data ---- */

static gboolean default_layout(const GstVideoInfo *info)
{
  GstVideoInfo d;
  if (!gst_video_info_set_format(&d, GST_VIDEO_INFO_FORMAT(info), GST_VIDEO_INFO_WIDTH(info),
                                 GST_VIDEO_INFO_HEIGHT(info)))
    return FALSE;
  for (guint p = 0; p < GST_VIDEO_INFO_N_PLANES(info); p++)
    if (GST_VIDEO_INFO_PLANE_OFFSET(&d, p) != GST_VIDEO_INFO_PLANE_OFFSET(info, p)
        || GST_VIDEO_INFO_PLANE_STRIDE(&d, p) != GST_VIDEO_INFO_PLANE_STRIDE(info, p))
      return FALSE;
  return TRUE;
}

/* A read-only view of one memory of a frame's buffer, holding that buffer. */
typedef struct {
  GstBuffer *frame; /* ref */
  GstMemory *memory;
  GstMapInfo map;
} View;

static void view_free(gpointer data)
{
  View *v = data;
  gst_memory_unmap(v->memory, &v->map);
  gst_buffer_unref(v->frame); /* after the view's memory is gone: it returns to its pool whole */
  g_free(v);
}

/* A new buffer over the pixels of `frame_buf`, which others hold too (transfer full). */
static GstBuffer *share_pixels(GstBuffer *frame_buf)
{
  guint n = gst_buffer_n_memory(frame_buf);
  gboolean views = n > 0;
  for (guint i = 0; i < n && views; i++)
    views = gst_memory_is_type(gst_buffer_peek_memory(frame_buf, i), GST_ALLOCATOR_SYSMEM);
  if (!views) /* e.g. CUDA memory: shared (its pool gets a new one) */
    return gst_buffer_copy(frame_buf);
  GstBuffer *out = gst_buffer_new();
  gst_buffer_copy_into(out, frame_buf, GST_BUFFER_COPY_METADATA, 0, -1);
  for (guint i = 0; i < n; i++) {
    View *v = g_new0(View, 1);
    v->memory = gst_buffer_peek_memory(frame_buf, i);
    if (!gst_memory_map(v->memory, &v->map, GST_MAP_READ)) {
      g_free(v);
      gst_buffer_unref(out);
      return gst_buffer_copy(frame_buf);
    }
    v->frame = gst_buffer_ref(frame_buf);
    gst_buffer_append_memory(out,
                             gst_memory_new_wrapped(GST_MEMORY_FLAG_READONLY, v->map.data,
                                                    v->map.size, 0, v->map.size, v, view_free));
  }
  return out;
}

/* The buffer to push for `frame` of `batch` (transfer full): the frame's own buffer when we hold
 * the only reference, else the same pixels shared; without the batch's metadata. */
static GstBuffer *frame_output(GstBuffer *batch, VfFrameMeta *frame)
{
  GstBuffer *own = vf_frame_meta_get_buffer(frame), *out;
  if (own && gst_buffer_is_writable(batch) && GST_MINI_OBJECT_REFCOUNT_VALUE(own) == 1) {
    out = gst_buffer_ref(own);
    vf_frame_meta_set_buffer(frame, NULL, NULL); /* ours now, and writable */
  } else {
    out = share_pixels(own ? own : batch);
  }
  GstMeta *stale;
  while ((stale = (GstMeta *)vf_batch_meta_get(out)) != NULL)
    gst_buffer_remove_meta(out, stale);
  return out;
}

/* The caps of a frame on its own: the source's when they still describe it, else its video info
 * (with the source's rate) in the memory it lives in. (transfer full) */
static GstCaps *frame_caps(VfDemux *self, GstBuffer *batch, const VfFrameMeta *frame)
{
  (void)batch; /* the memory of its buffers does not say where a stream lives: its caps do */
  const GstVideoInfo *info = vf_frame_meta_get_video_info(frame);
  GstCaps *source = vf_frame_meta_get_caps(frame);
  GstVideoInfo si;
  if (source && gst_video_info_from_caps(&si, source)
      && GST_VIDEO_INFO_FORMAT(&si) == GST_VIDEO_INFO_FORMAT(info)
      && GST_VIDEO_INFO_WIDTH(&si) == GST_VIDEO_INFO_WIDTH(info)
      && GST_VIDEO_INFO_HEIGHT(&si) == GST_VIDEO_INFO_HEIGHT(info))
    return gst_caps_ref(source);
  GstVideoInfo ci = *info;
  if (source && GST_VIDEO_INFO_FPS_N(&si) > 0) {
    GST_VIDEO_INFO_FPS_N(&ci) = GST_VIDEO_INFO_FPS_N(&si);
    GST_VIDEO_INFO_FPS_D(&ci) = GST_VIDEO_INFO_FPS_D(&si);
  } else if (GST_VIDEO_INFO_FPS_N(&ci) == 0 && self->fps_n > 0) {
    GST_VIDEO_INFO_FPS_N(&ci) = self->fps_n;
    GST_VIDEO_INFO_FPS_D(&ci) = self->fps_d;
  }
  GstCaps *caps = gst_video_info_to_caps(&ci);
  if (self->cuda) /* the batch's caps: system-memory batches may hold GstCudaMemory (cudadownload)
                   */
    gst_caps_set_features(caps, 0, gst_caps_features_new(VF_CAPS_FEATURE_MEMORY_CUDA, NULL));
  return caps;
}

static gboolean has_event(GPtrArray *events, GstEvent *event)
{
  for (guint i = 0; events && i < events->len; i++)
    if (g_ptr_array_index(events, i) == event)
      return TRUE;
  return FALSE;
}

/* Rebuild the source's stream on `o` before `frame`: its sticky events that changed since the
 * last frame, caps adjusted to what the frame is now. */
static void rebuild_stream(VfDemux *self, GstBuffer *batch, VfFrameMeta *frame, Output *o,
                           GPtrArray *sticky)
{
  const GstVideoInfo *info = vf_frame_meta_get_video_info(frame);
  if (o->sticky == sticky && o->started && o->have_caps && gst_video_info_is_equal(&o->info, info))
    return;
  if (vf_frame_meta_get_stream_id(frame) == NULL)
    start_output(self, o); /* the source never said which stream it is: one of ours */
  for (guint i = 0; i < sticky->len; i++) {
    GstEvent *e = g_ptr_array_index(sticky, i);
    if (GST_EVENT_TYPE(e) == GST_EVENT_CAPS) {
      if (!o->have_caps || !gst_video_info_is_equal(&o->info, info) || !has_event(o->sticky, e)) {
        GstCaps *caps = frame_caps(self, batch, frame);
        gst_pad_push_event(o->pad, gst_event_new_caps(caps));
        gst_caps_unref(caps);
        o->info = *info;
        o->have_caps = TRUE;
      }
      continue;
    }
    if (has_event(o->sticky, e) && o->started)
      continue;
    gst_pad_push_event(o->pad, gst_event_ref(e));
    if (GST_EVENT_TYPE(e) == GST_EVENT_STREAM_START) {
      o->started = TRUE;
      o->eos = FALSE;
    } else if (GST_EVENT_TYPE(e) == GST_EVENT_SEGMENT) {
      o->segment_sent = TRUE;
    }
  }
  if (o->sticky != sticky) {
    g_clear_pointer(&o->sticky, g_ptr_array_unref);
    o->sticky = g_ptr_array_ref(sticky);
  }
}

/* Frames without sticky events: a stream of our own, the batch's time base. */
static void make_stream(VfDemux *self, GstBuffer *batch, VfFrameMeta *frame, Output *o)
{
  const GstVideoInfo *info = vf_frame_meta_get_video_info(frame);
  start_output(self, o);
  if (!o->have_caps || !gst_video_info_is_equal(&o->info, info)) {
    GstCaps *caps = frame_caps(self, batch, frame);
    gst_pad_push_event(o->pad, gst_event_new_caps(caps));
    gst_caps_unref(caps);
    o->info = *info;
    o->have_caps = TRUE;
  }
  if (!o->segment_sent) {
    GstSegment seg;
    if (self->have_segment)
      seg = self->segment;
    else
      gst_segment_init(&seg, GST_FORMAT_TIME);
    gst_pad_push_event(o->pad, gst_event_new_segment(&seg));
    o->segment_sent = TRUE;
  }
}

static GstFlowReturn push_frame(VfDemux *self, GstBuffer *batch, VfFrameMeta *frame, Output *o)
{
  GError *err = NULL;
  if (!vf_frame_check(batch, frame, &err)) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("vfdemux '%s': %s", GST_OBJECT_NAME(self), err->message), (NULL));
    g_error_free(err);
    return GST_FLOW_ERROR;
  }
  const GstVideoInfo *info = vf_frame_meta_get_video_info(frame);
  GPtrArray *sticky = vf_frame_meta_get_sticky_events(frame);
  if (sticky)
    rebuild_stream(self, batch, frame, o, sticky);
  else
    make_stream(self, batch, frame, o);

  GstBuffer *out = frame_output(batch, frame);
  VfBatchMeta *meta = vf_batch_meta_add(out, 1);
  vf_batch_meta_add_frame_copy(meta, frame, NULL, info);
  if (gst_buffer_get_video_meta(out) == NULL && !default_layout(info)) {
    gsize offsets[GST_VIDEO_MAX_PLANES];
    gint strides[GST_VIDEO_MAX_PLANES];
    for (guint p = 0; p < GST_VIDEO_INFO_N_PLANES(info); p++) {
      offsets[p] = GST_VIDEO_INFO_PLANE_OFFSET(info, p);
      strides[p] = GST_VIDEO_INFO_PLANE_STRIDE(info, p);
    }
    gst_buffer_add_video_meta_full(out, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_INFO_FORMAT(info),
                                   GST_VIDEO_INFO_WIDTH(info), GST_VIDEO_INFO_HEIGHT(info),
                                   GST_VIDEO_INFO_N_PLANES(info), offsets, strides);
  }
  if (sticky) {
    GST_BUFFER_PTS(out) = vf_frame_meta_get_pts(frame); /* in the source's own segment */
  } else {
    GstClockTime rt = vf_frame_meta_get_running_time(frame);
    GST_BUFFER_PTS(out) = GST_CLOCK_TIME_IS_VALID(rt) ? rt : GST_BUFFER_PTS(batch);
  }
  GST_BUFFER_DTS(out) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION(out) = vf_frame_meta_get_duration(frame);
  return gst_pad_push(o->pad, out);
}

static GstFlowReturn sink_chain(GstPad *pad, GstObject *parent, GstBuffer *batch)
{
  (void)pad;
  VfDemux *self = VF_DEMUX(parent);
  VfBatchMeta *meta = vf_batch_meta_get(batch);
  if (meta == NULL) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("vfdemux '%s' got a buffer without batch metadata: put vfmux upstream",
                       GST_OBJECT_NAME(self)),
                      (NULL));
    gst_buffer_unref(batch);
    return GST_FLOW_ERROR;
  }
  GstFlowReturn ret = GST_FLOW_OK;
  gboolean pushed = FALSE;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta); i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(meta, i);
    Output *o;
    if (!lookup_output(self, vf_frame_meta_get_source_id(frame), &o)) {
      GST_OBJECT_LOCK(self);
      self->dropped++;
      GST_OBJECT_UNLOCK(self);
      GST_LOG_OBJECT(self, "no pad for source %u: frame dropped",
                     vf_frame_meta_get_source_id(frame));
      continue;
    }
    GstPad *opad = o->pad; /* referenced by lookup_output */
    GstFlowReturn r = push_frame(self, batch, frame, o);
    if (r == GST_FLOW_ERROR) {
      gst_object_unref(opad);
      ret = r;
      break;
    }
    ret = gst_flow_combiner_update_pad_flow(self->flow, opad, r);
    pushed = TRUE;
    gst_object_unref(opad);
    if (ret != GST_FLOW_OK && ret != GST_FLOW_NOT_LINKED)
      break;
  }
  if (!pushed && ret == GST_FLOW_OK)
    ret = GST_FLOW_OK;
  gst_buffer_unref(batch);
  return ret;
}

/* ---- element ---- */

static GstStateChangeReturn vf_demux_change_state(GstElement *element, GstStateChange transition)
{
  VfDemux *self = VF_DEMUX(element);
  GstStateChangeReturn ret
      = GST_ELEMENT_CLASS(vf_demux_parent_class)->change_state(element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    gst_flow_combiner_reset(self->flow);
    self->have_segment = FALSE;
    GPtrArray *outs = all_outputs(self);
    for (guint i = 0; i < outs->len; i++) {
      output_reset(g_ptr_array_index(outs, i));
    }
    release_outputs(outs);
  }
  return ret;
}

static void vf_demux_get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  VfDemux *self = VF_DEMUX(object);
  switch (id) {
  case PROP_DROPPED:
    GST_OBJECT_LOCK(self);
    g_value_set_uint64(value, self->dropped);
    GST_OBJECT_UNLOCK(self);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    break;
  }
}

static void vf_demux_finalize(GObject *object)
{
  VfDemux *self = VF_DEMUX(object);
  g_hash_table_unref(self->outputs);
  gst_flow_combiner_free(self->flow);
  G_OBJECT_CLASS(vf_demux_parent_class)->finalize(object);
}

static void vf_demux_class_init(VfDemuxClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  gobject_class->get_property = vf_demux_get_property;
  gobject_class->finalize = vf_demux_finalize;

  g_object_class_install_property(
      gobject_class, PROP_DROPPED,
      g_param_spec_uint64("dropped", "Dropped frames",
                          "Frames dropped because their source has no src_<source id> pad", 0,
                          G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(
      element_class, "vidflow batch demuxer", "Video/Demuxer",
      "Splits a batched stream (from vfmux) into one stream per source (request pads src_%u, "
      "%u = source id), each frame keeping its metadata",
      "vidflow");
  element_class->request_new_pad = GST_DEBUG_FUNCPTR(vf_demux_request_new_pad);
  element_class->release_pad = GST_DEBUG_FUNCPTR(vf_demux_release_pad);
  element_class->change_state = GST_DEBUG_FUNCPTR(vf_demux_change_state);
}

static void vf_demux_init(VfDemux *self)
{
  self->sinkpad = gst_pad_new_from_static_template(&sink_template, "sink");
  gst_pad_set_chain_function(self->sinkpad, GST_DEBUG_FUNCPTR(sink_chain));
  gst_pad_set_event_function(self->sinkpad, GST_DEBUG_FUNCPTR(sink_event));
  gst_element_add_pad(GST_ELEMENT(self), self->sinkpad);
  self->outputs = g_hash_table_new_full(NULL, NULL, NULL, output_free);
  self->flow = gst_flow_combiner_new();
  self->fps_d = 1;
  gst_segment_init(&self->segment, GST_FORMAT_TIME);
}
