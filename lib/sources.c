/* vidflow: VfSources, URI sources added and removed while the pipeline runs (sources.h).
 *
 * Each source is a "slot": a small bin (this file's VfSourceSlot) holding a vfurisrcbin, with a
 * ghost "src" pad linked to a request pad of the vfmux. The slot contains the source's errors
 * (turned into vf-source-error messages) and carries the pad offset that starts the source at
 * the pipeline's running time. Structural changes (slots added, drained, released) happen on the
 * caller's thread for add() and on this object's worker thread for everything else: sending end
 * of stream into a removed source (that may block while the stream drains), releasing a source
 * once vfmux took its last frame (its vf-source-eos on the bus) or its drain marker passed the
 * muxer (keep_running, last source), and removing sources that failed or did not drain in time.
 *
 * A released slot leaves the pipeline's bin first and goes to NULL afterwards, on the worker with
 * no lock held: a source element whose stop() blocks (a dead network camera, a stuck demuxer)
 * then holds up neither the pipeline's own change to NULL (a bin's change waits on each child's
 * state lock, even a locked child's) nor vf_sources_add() (ops_lock). The worker is a VfWorker:
 * when it is still busy past the pipeline's stop deadline, vf_pipeline_free leaves it behind (a
 * warning names the source) and the worker frees the slot, then this object, when that stop()
 * finally returns. A slot out of the pipeline has no bus: its element, warning, info and error
 * messages (the smart recorder's last clip, a source's error) go to the pipeline element itself
 * (slot_post_message), so the application still sees them.
 *
 * Lock order: ops_lock (one structural change at a time), then lock (the tables and states).
 * No lock is held while GStreamer calls back into us (probes, messages take `lock` only), while
 * a slot goes to NULL, or while user code runs. */
#include <vidflow/meta.h>
#include <vidflow/source.h>
#include <vidflow/sources.h>

#include "error-private.h"
#include "pipeline-private.h"
#include "property-private.h"
#include "short-text.h"
#include "sources-private.h"
#include "worker-private.h"

#include <string.h>

/* The event a removed last source sends instead of its end of stream when the pipeline keeps
 * running (an end of stream on vfmux's last pad would end the whole stream); caught and dropped
 * at vfmux's output. */
#define DRAINED_MARKER "vf-sources-drained"

typedef enum {
  SLOT_STARTING, /* being added */
  SLOT_RUNNING,
  SLOT_ENDED,    /* its stream ended by itself */
  SLOT_REMOVING, /* remove() or an error: draining, then released */
} SlotState;

typedef struct _VfSources VfSources;

typedef struct {
  VfSources *owner;
  guint id;
  char *sensor_id, *sensor_name, *uri;
  char *element;   /* the vfurisrcbin's name */
  GstElement *bin; /* ref: the slot */
  GstElement *src; /* ref: the vfurisrcbin */
  GstPad *ghost;   /* ref: the slot's src pad */
  GstPad *mux_pad; /* ref: vfmux's sink_<id> */
  SlotState state;
  gboolean streaming;    /* caps went out of its pad */
  gboolean marker;       /* its end went out as DRAINED_MARKER */
  gboolean pipeline_eos; /* the pipeline's end of stream reached it (send_eos, Ctrl-C) */
  gboolean release_queued;
  gint64 deadline_us; /* REMOVING: released at the latest then */
  gint64 frames;      /* atomic */
  char *start_error;  /* an error while STARTING (add() reports it) */
} Slot;

typedef enum { JOB_DRAIN, JOB_RELEASE } JobType;

typedef struct {
  JobType type;
  guint id;
} Job;

struct _VfSources {
  VfAttachable attach;
  VfPipeline *pipeline;
  GstElement *mux; /* ref */
  GstElement *bin; /* ref: where the slots go (the muxer's parent) */
  char *prefix;
  guint max_sources;
  gboolean keep_running;
  GPtrArray *props; /* char*, name/value pairs, NULL-terminated */
  GstPad *mux_src;  /* ref */
  gulong mux_src_probe;
  GstElement *keeper; /* ref, in `bin` */
  GstPad *end_pad;    /* ref: the keeper's vfmux pad, once it ended the stream */
  guint watch;

  GMutex ops_lock;
  GMutex lock;
  GCond cond;
  GHashTable *slots;     /* id -> Slot*: every slot until released */
  GHashTable *by_sensor; /* sensor id -> Slot*: the listed ones (not REMOVING) */
  guint next_id;
  GstClockTime out_end; /* end of the last batch out of vfmux (running time) */
  GQueue jobs;          /* Job* */
  guint busy;           /* jobs being run */
  Slot *stopping;       /* the slot the worker is taking to NULL now (no lock held there) */
  /* Runs worker(); owned; left behind by vf_pipeline_free when busy past the stop deadline, and
   * then frees this object when it ends (sources_release). */
  VfWorker *worker;
  gboolean started; /* worker() runs (or ran) */
  /* The last sources_stop: its deadline, how long it had (G_MAXINT64: no deadline), whether the
   * worker was still busy at its end. vf_pipeline_free waits for the worker no longer. */
  gboolean stopped;
  gint64 stop_deadline, stop_window;
  gboolean stop_busy;
  gboolean quit;
  gboolean closed; /* the pipeline is being freed: no more changes */
};

/* ---- the slot bin: contains its source's errors ---- */

#define VF_TYPE_SOURCE_SLOT (vf_source_slot_get_type())
G_DECLARE_FINAL_TYPE(VfSourceSlot, vf_source_slot, VF, SOURCE_SLOT, GstBin)

struct _VfSourceSlot {
  GstBin parent;
  /* Outlives the slot's use (freed after the pipeline's elements, or by the worker after it);
   * set NULL (under VfSources.lock) by vf_pipeline_free. */
  VfSources *owner;
  guint id;
  GWeakRef pipeline; /* the GstPipeline: where its messages go once it left it */
};

G_DEFINE_TYPE(VfSourceSlot, vf_source_slot, GST_TYPE_BIN)

static void schedule(VfSources *s, JobType type, guint id);

/* An error of a source: contained (a message, the source removed) unless it is the last source
 * of a pipeline that ends without sources. */
static gboolean contain_error(VfSources *s, guint id, GstMessage *msg)
{
  GError *err = NULL;
  char *debug = NULL;
  gst_message_parse_error(msg, &err, &debug);
  g_mutex_lock(&s->lock);
  Slot *slot = g_hash_table_lookup(s->slots, GUINT_TO_POINTER(id));
  guint others = 0;
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, s->by_sensor);
  while (g_hash_table_iter_next(&it, NULL, &v))
    others += v != slot && ((Slot *)v)->state != SLOT_ENDED;
  /* A source being removed may fail on its way out (not linked any more): nothing to say. So
   * may one already released whose bin is still on its way out of the pipeline (a second error
   * from another of its streaming threads): it is no source of the pipeline any more. */
  gboolean quiet = slot == NULL || slot->state == SLOT_REMOVING;
  gboolean contain = quiet || s->keep_running || others > 0 || slot->state == SLOT_STARTING;
  GstStructure *st = NULL;
  GstElement *from = NULL;
  if (contain && !quiet) {
    char *text = g_strdup_printf("source '%s' (%s): %s", slot->sensor_id, slot->uri, err->message);
    st = gst_structure_new(VF_SOURCE_ERROR, "source-id", G_TYPE_UINT, id, "sensor-id",
                           G_TYPE_STRING, slot->sensor_id, "uri", G_TYPE_STRING, slot->uri, "error",
                           G_TYPE_STRING, text, "debug", G_TYPE_STRING, debug, NULL);
    from = gst_object_ref(slot->src);
    if (slot->state == SLOT_STARTING) {
      if (slot->start_error == NULL)
        slot->start_error = g_strdup(text);
    } else {
      g_hash_table_remove(s->by_sensor, slot->sensor_id);
      slot->state = SLOT_REMOVING;
      slot->deadline_us = g_get_monotonic_time(); /* nothing to drain: it goes at once */
      g_cond_broadcast(&s->cond);
    }
    g_free(text);
  }
  g_mutex_unlock(&s->lock);
  if (st) {
    GST_INFO_OBJECT(from, "source %u failed and is removed: %s", id, err->message);
    gst_element_post_message(from, gst_message_new_element(GST_OBJECT(from), st));
    gst_object_unref(from);
  }
  g_error_free(err);
  g_free(debug);
  return contain;
}

static void slot_handle_message(GstBin *bin, GstMessage *msg)
{
  VfSourceSlot *self = VF_SOURCE_SLOT(bin);
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR && self->owner
      && contain_error(self->owner, self->id, msg)) {
    gst_message_unref(msg);
    return;
  }
  GST_BIN_CLASS(vf_source_slot_parent_class)->handle_message(bin, msg);
}

/* Events sent to the slot come from the pipeline (vf_pipeline_send_eos, Ctrl-C: the whole
 * stream ends); VfSources sends its own to the vfurisrcbin. */
static gboolean slot_send_event(GstElement *element, GstEvent *event)
{
  VfSourceSlot *self = VF_SOURCE_SLOT(element);
  VfSources *s = self->owner;
  if (GST_EVENT_TYPE(event) == GST_EVENT_EOS && s) {
    g_mutex_lock(&s->lock);
    Slot *slot = g_hash_table_lookup(s->slots, GUINT_TO_POINTER(self->id));
    if (slot)
      slot->pipeline_eos = TRUE;
    g_mutex_unlock(&s->lock);
  }
  return GST_ELEMENT_CLASS(vf_source_slot_parent_class)->send_event(element, event);
}

/* A released slot left the pipeline before going to NULL: what it posts meanwhile (and later,
 * from a thread of its own: the smart recorder's finaliser, a source failing on its way out)
 * reaches no bus. Element, warning, info and error messages then go to the pipeline element
 * (its post_message is where the application's watches see messages), as long as it lives.
 * Any thread; no lock held. */
static gboolean slot_post_message(GstElement *element, GstMessage *msg)
{
  VfSourceSlot *self = VF_SOURCE_SLOT(element);
  gboolean keep
      = (GST_MESSAGE_TYPE(msg)
         & (GST_MESSAGE_ELEMENT | GST_MESSAGE_WARNING | GST_MESSAGE_INFO | GST_MESSAGE_ERROR))
        != 0;
  if (keep)
    gst_message_ref(msg);
  /* FALSE: no bus (no parent any more) or one that is flushing: nothing was delivered. */
  gboolean posted = GST_ELEMENT_CLASS(vf_source_slot_parent_class)->post_message(element, msg);
  if (!keep)
    return posted;
  GstElement *pipe = posted ? NULL : g_weak_ref_get(&self->pipeline);
  if (pipe) {
    posted = gst_element_post_message(pipe, msg);
    gst_object_unref(pipe);
  } else {
    gst_message_unref(msg);
  }
  return posted;
}

static void slot_finalize(GObject *object)
{
  g_weak_ref_clear(&VF_SOURCE_SLOT(object)->pipeline);
  G_OBJECT_CLASS(vf_source_slot_parent_class)->finalize(object);
}

static void vf_source_slot_class_init(VfSourceSlotClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = slot_finalize;
  GST_BIN_CLASS(klass)->handle_message = slot_handle_message;
  GST_ELEMENT_CLASS(klass)->send_event = slot_send_event;
  GST_ELEMENT_CLASS(klass)->post_message = slot_post_message;
}

/* A source added to a running pipeline prerolls on its own: without async-handling its bin's
 * ASYNC_START would reach the pipeline, which then loses its state (PLAYING -> PAUSED until the
 * new source prerolled) and stalls every other source meanwhile. */
static void vf_source_slot_init(VfSourceSlot *self)
{
  g_weak_ref_init(&self->pipeline, NULL);
  g_object_set(self, "async-handling", TRUE, NULL);
}

/* ---- the keeper: ends a pipeline that has no source left ----
 *
 * A pipeline's end of stream (vf_pipeline_send_eos, Ctrl-C) goes to its source elements; with no
 * source left it would reach nothing and vfmux would wait for new sources forever. The keeper is
 * a source element without pads: when the end of stream reaches it and there is no source, it
 * ends vfmux through a pad of its own (stream start, segment, end of stream: vfmux announces it
 * joining and ending, as any source). */

#define VF_TYPE_SOURCES_KEEPER (vf_sources_keeper_get_type())
G_DECLARE_FINAL_TYPE(VfSourcesKeeper, vf_sources_keeper, VF, SOURCES_KEEPER, GstElement)

struct _VfSourcesKeeper {
  GstElement parent;
  VfSources *owner; /* as VfSourceSlot's */
};

G_DEFINE_TYPE(VfSourcesKeeper, vf_sources_keeper, GST_TYPE_ELEMENT)

static void end_without_sources(VfSources *s);

static gboolean keeper_send_event(GstElement *element, GstEvent *event)
{
  VfSourcesKeeper *self = VF_SOURCES_KEEPER(element);
  if (GST_EVENT_TYPE(event) == GST_EVENT_EOS && self->owner)
    end_without_sources(self->owner);
  gst_event_unref(event);
  return TRUE;
}

static void vf_sources_keeper_class_init(VfSourcesKeeperClass *klass)
{
  GST_ELEMENT_CLASS(klass)->send_event = keeper_send_event;
}

static void vf_sources_keeper_init(VfSourcesKeeper *self)
{
  GST_OBJECT_FLAG_SET(self, GST_ELEMENT_FLAG_SOURCE);
}

/* ---- URIs ---- */

/* "does not exist", or "is a directory" for one. */
static void missing_file(GError **error, const char *func, const char *path)
{
  if (g_file_test(path, G_FILE_TEST_IS_DIR))
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "%s(): '" VF_SHORT_FMT "' is a directory, not a video: name a file in it", func,
                VF_SHORT(path));
  else
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND, "%s(): file '" VF_SHORT_FMT "' does not exist",
                func, VF_SHORT(path));
}

char *vf_sources_resolve_uri(const char *func, const char *in, const char *base_dir, GError **error)
{
  char *scheme = g_uri_parse_scheme(in);
  char *uri = NULL;
  if (scheme == NULL) {
    char *abs = g_canonicalize_filename(in, base_dir);
    if (!g_file_test(abs, G_FILE_TEST_IS_REGULAR))
      missing_file(error, func, abs);
    else
      uri = gst_filename_to_uri(abs, error);
    g_free(abs);
    return uri;
  }
  if (g_str_equal(scheme, "file")) {
    char *path = g_filename_from_uri(in, NULL, NULL);
    if (path == NULL)
      g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "%s(): '%s' is not a valid file URI", func,
                  in);
    else if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
      missing_file(error, func, path);
    else
      uri = g_strdup(in);
    g_free(path);
  } else if (!gst_uri_protocol_is_supported(GST_URI_SRC, scheme)) {
    g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
                "%s(): no GStreamer source reads '%s://' URIs (use file://, rtsp://, http(s):// "
                "or a path)",
                func, scheme);
  } else {
    uri = g_strdup(in);
  }
  g_free(scheme);
  return uri;
}

/* ---- slots ---- */

static void slot_free(Slot *slot)
{
  gst_clear_object(&slot->bin);
  gst_clear_object(&slot->src);
  gst_clear_object(&slot->ghost);
  gst_clear_object(&slot->mux_pad);
  g_free(slot->sensor_id);
  g_free(slot->sensor_name);
  g_free(slot->uri);
  g_free(slot->element);
  g_free(slot->start_error);
  g_free(slot);
}

static VfSourceInfo *info_of(Slot *slot)
{
  VfSourceInfo *i = g_new0(VfSourceInfo, 1);
  i->sensor_id = g_strdup(slot->sensor_id);
  i->sensor_name = g_strdup(slot->sensor_name);
  i->uri = g_strdup(slot->uri);
  i->element = g_strdup(slot->element);
  i->source_id = slot->id;
  i->frames = (guint64)g_atomic_pointer_get(&slot->frames);
  i->state = slot->state == SLOT_ENDED      ? VF_SOURCE_STATE_ENDED
             : slot->streaming && i->frames ? VF_SOURCE_STATE_RUNNING
                                            : VF_SOURCE_STATE_STARTING;
  return i;
}

void vf_source_info_free(VfSourceInfo *info)
{
  if (info == NULL)
    return;
  g_free(info->sensor_id);
  g_free(info->sensor_name);
  g_free(info->uri);
  g_free(info->element);
  g_free(info);
}

/* Sources other than `slot` that still give frames (lock held). */
static guint live_others(VfSources *s, Slot *slot)
{
  guint n = 0;
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, s->slots);
  while (g_hash_table_iter_next(&it, NULL, &v))
    n += v != slot && (((Slot *)v)->state == SLOT_RUNNING || ((Slot *)v)->state == SLOT_STARTING);
  return n;
}

/* What leaves a source: its frames counted; its end of stream, when the pipeline keeps running,
 * the end is not the pipeline's and no other source gives frames, replaced by the drain marker
 * (an end of stream on every vfmux pad would end the whole stream). */
static GstPadProbeReturn on_slot_output(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  Slot *slot = data;
  VfSources *s = slot->owner;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    g_atomic_pointer_add(&slot->frames, 1);
    return GST_PAD_PROBE_OK;
  }
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
  if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
    g_mutex_lock(&s->lock);
    slot->streaming = TRUE;
    g_mutex_unlock(&s->lock);
  } else if (GST_EVENT_TYPE(event) == GST_EVENT_EOS) {
    g_mutex_lock(&s->lock);
    if (slot->state == SLOT_RUNNING || slot->state == SLOT_STARTING)
      slot->state = SLOT_ENDED;
    /* Only the last source's end would end the stream: the others end as at any vfmux (their
     * vf-source-eos goes downstream, then they are released). */
    gboolean marker = s->keep_running && !slot->pipeline_eos && live_others(s, slot) == 0;
    slot->marker = marker;
    g_mutex_unlock(&s->lock);
    if (marker) {
      GST_INFO_OBJECT(s->mux, "source %u ended: its end goes as a marker", slot->id);
      GstStructure *st
          = gst_structure_new(DRAINED_MARKER, "source-id", G_TYPE_UINT, slot->id, NULL);
      gst_event_unref(event);
      GST_PAD_PROBE_INFO_DATA(info) = gst_event_new_custom(GST_EVENT_CUSTOM_DOWNSTREAM, st);
    }
  }
  return GST_PAD_PROBE_OK;
}

/* What leaves vfmux: where its running time is (for the pad offset of new sources); drain
 * markers. */
static GstPadProbeReturn on_mux_output(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void)pad;
  VfSources *s = data;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER(info);
    if (GST_BUFFER_PTS_IS_VALID(b)) {
      GstClockTime end
          = GST_BUFFER_PTS(b) + (GST_BUFFER_DURATION_IS_VALID(b) ? GST_BUFFER_DURATION(b) : 0);
      g_mutex_lock(&s->lock);
      if (!GST_CLOCK_TIME_IS_VALID(s->out_end) || end > s->out_end)
        s->out_end = end;
      g_mutex_unlock(&s->lock);
    }
    return GST_PAD_PROBE_OK;
  }
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
  const GstStructure *st = gst_event_get_structure(event);
  guint id;
  if (GST_EVENT_TYPE(event) == GST_EVENT_CUSTOM_DOWNSTREAM && st
      && gst_structure_has_name(st, DRAINED_MARKER)
      && gst_structure_get_uint(st, "source-id", &id)) {
    schedule(s, JOB_RELEASE, id);
    return GST_PAD_PROBE_DROP;
  }
  return GST_PAD_PROBE_OK;
}

/* The running time a new source starts at: now on the clock, or where the batches are when they
 * run ahead of it (no sink syncs). */
static GstClockTime start_time(VfSources *s)
{
  GstElement *pipe = vf_pipeline_get_gst_pipeline(s->pipeline);
  GstClockTime now = 0;
  GstClock *clock = gst_element_get_clock(pipe);
  if (clock && GST_STATE(pipe) == GST_STATE_PLAYING) {
    GstClockTime t = gst_clock_get_time(clock), base = gst_element_get_base_time(pipe);
    now = t > base ? t - base : 0;
  }
  gst_clear_object(&clock);
  g_mutex_lock(&s->lock);
  if (GST_CLOCK_TIME_IS_VALID(s->out_end))
    now = MAX(now, s->out_end);
  g_mutex_unlock(&s->lock);
  return now;
}

/* Builds, links and starts slot `slot` (ops_lock held). */
static gboolean slot_build(VfSources *s, Slot *slot, GError **error)
{
  GstElement *src = gst_element_factory_make("vfurisrcbin", slot->element);
  if (src == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "vf_sources_add(): no vfurisrcbin element (the vidflow plugin is not found)");
    return FALSE;
  }
  const char *const *kv = (const char *const *)s->props->pdata;
  for (guint i = 0; kv[i]; i += 2) {
    if (!vf_set_property_from_string(src, kv[i], kv[i + 1], error)) {
      g_prefix_error(error, "vf_sources_add(): source property: ");
      gst_object_unref(src);
      return FALSE;
    }
  }
  char id[16];
  g_snprintf(id, sizeof id, "%u", slot->id);
  g_object_set(src, "uri", slot->uri, "source-id", (gint)slot->id, "sensor-id", slot->sensor_id,
               NULL);
  gboolean interval_set = FALSE;
  for (guint i = 0; kv[i]; i += 2)
    interval_set |= g_str_equal(kv[i], "rtsp-reconnect-interval")
                    || g_str_equal(kv[i], "rtsp_reconnect_interval");
  if (g_str_has_prefix(slot->uri, "rtsp") && !interval_set)
    g_object_set(src, "rtsp-reconnect-interval", 2u, NULL); /* cameras come back */
  guint smart_record = 0;
  g_object_get(src, "smart-record", &smart_record, NULL);
  if (smart_record) {
    /* Clips of each sensor apart: <prefix>_<sensor>_<id>_<session>_<date>.mp4 */
    char *prefix = NULL;
    g_object_get(src, "smart-rec-file-prefix", &prefix, NULL);
    char *sensor = g_strdup(slot->sensor_id);
    g_strcanon(sensor, G_CSET_A_2_Z G_CSET_a_2_z G_CSET_DIGITS "-_.", '_');
    char *mine = g_strdup_printf("%s_%s", prefix ? prefix : "Smart_Record", sensor);
    g_object_set(src, "smart-rec-file-prefix", mine, NULL);
    g_free(mine);
    g_free(sensor);
    g_free(prefix);
  }

  char *slot_name = g_strdup_printf("%s-slot", slot->element);
  GstElement *bin = g_object_new(VF_TYPE_SOURCE_SLOT, "name", slot_name, NULL);
  g_free(slot_name);
  VF_SOURCE_SLOT(bin)->owner = s;
  VF_SOURCE_SLOT(bin)->id = slot->id;
  g_weak_ref_set(&VF_SOURCE_SLOT(bin)->pipeline, vf_pipeline_get_gst_pipeline(s->pipeline));
  gst_bin_add(GST_BIN(bin), src);
  GstPad *target = gst_element_get_static_pad(src, "src");
  GstPad *ghost = gst_ghost_pad_new("src", target);
  gst_object_unref(target);
  gst_element_add_pad(bin, ghost);
  gst_pad_set_offset(ghost, (gint64)start_time(s));

  char pad_name[32];
  g_snprintf(pad_name, sizeof pad_name, "sink_%u", slot->id);
  GstPad *mux_pad = gst_element_request_pad_simple(s->mux, pad_name);
  if (mux_pad == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_LINK,
                "vf_sources_add(): muxer '%s' gave no pad %s (is the name taken by a static "
                "source?)",
                GST_ELEMENT_NAME(s->mux), pad_name);
    gst_object_unref(gst_object_ref_sink(bin));
    return FALSE;
  }
  g_object_set(mux_pad, "sensor-id", slot->sensor_id, "sensor-name", slot->sensor_name, NULL);
  slot->bin = gst_object_ref(bin);
  slot->src = gst_object_ref(src);
  slot->ghost = gst_object_ref(ghost);
  slot->mux_pad = mux_pad;
  gst_pad_add_probe(ghost, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                    on_slot_output, slot, NULL);
  gst_bin_add(GST_BIN(s->bin), bin);
  if (gst_pad_link(ghost, mux_pad) != GST_PAD_LINK_OK) {
    g_set_error(error, VF_ERROR, VF_ERROR_LINK,
                "vf_sources_add(): cannot link source '%s' to %s:%s", slot->sensor_id,
                GST_ELEMENT_NAME(s->mux), pad_name);
    return FALSE;
  }
  if (!gst_element_sync_state_with_parent(bin)) {
    g_set_error(error, VF_ERROR, VF_ERROR_STATE, "vf_sources_add(): source '%s' (%s) cannot start",
                slot->sensor_id, slot->uri);
    return FALSE;
  }
  return TRUE;
}

/* Takes slot `slot` out of the pipeline (ops_lock held, no other lock); slot_stop() then takes
 * it to NULL. The muxer's pad goes first: it flushes, so a source thread blocked on a full pad
 * returns before the slot stops (stopping it first would wait for that thread forever). The slot
 * leaves the bin while it still runs: once out, neither the pipeline's change to NULL nor the
 * bin's lock waits for it (slot->bin keeps it). */
static void slot_detach(VfSources *s, Slot *slot)
{
  if (slot->bin == NULL)
    return;
  gst_element_set_locked_state(slot->bin, TRUE);
  if (slot->ghost && slot->mux_pad)
    gst_pad_unlink(slot->ghost, slot->mux_pad);
  if (slot->mux_pad)
    gst_element_release_request_pad(s->mux, slot->mux_pad);
  if (GST_OBJECT_PARENT(slot->bin) == GST_OBJECT(s->bin))
    gst_bin_remove(GST_BIN(s->bin), slot->bin);
}

/* Takes a detached slot to NULL, with no lock held: a source element whose stop() blocks holds
 * up only the calling thread. */
static void slot_stop(Slot *slot)
{
  if (slot->bin == NULL)
    return;
  /* A decoder that failed (a file that is no video) fails the step through READY once; the
   * second try goes to NULL. */
  if (gst_element_set_state(slot->bin, GST_STATE_NULL) == GST_STATE_CHANGE_FAILURE)
    gst_element_set_state(slot->bin, GST_STATE_NULL);
}

static void end_without_sources(VfSources *s)
{
  g_mutex_lock(&s->lock);
  gboolean none = g_hash_table_size(s->slots) == 0 && s->end_pad == NULL && !s->closed;
  guint id = none ? s->next_id++ : 0;
  g_mutex_unlock(&s->lock);
  if (!none)
    return; /* the sources' own ends end the stream */
  char name[32];
  g_snprintf(name, sizeof name, "sink_%u", id);
  GstPad *pad = gst_element_request_pad_simple(s->mux, name);
  if (pad == NULL)
    return;
  GST_INFO_OBJECT(s->mux, "no source left: the stream ends through %s", name);
  GstSegment segment;
  gst_segment_init(&segment, GST_FORMAT_TIME);
  gst_pad_send_event(pad, gst_event_new_stream_start("vf-sources-end"));
  gst_pad_send_event(pad, gst_event_new_segment(&segment));
  gst_pad_send_event(pad, gst_event_new_eos());
  g_mutex_lock(&s->lock);
  s->end_pad = pad;
  g_mutex_unlock(&s->lock);
}

/* ---- the worker ---- */

static void schedule(VfSources *s, JobType type, guint id)
{
  g_mutex_lock(&s->lock);
  Slot *slot = g_hash_table_lookup(s->slots, GUINT_TO_POINTER(id));
  gboolean queue = slot && !(type == JOB_RELEASE && slot->release_queued);
  if (queue) {
    if (type == JOB_RELEASE)
      slot->release_queued = TRUE;
    Job *job = g_new0(Job, 1);
    job->type = type;
    job->id = id;
    g_queue_push_tail(&s->jobs, job);
    g_cond_broadcast(&s->cond);
  }
  g_mutex_unlock(&s->lock);
}

static void send_eos(GstElement *element, gpointer data)
{
  (void)data;
  gst_element_send_event(element, gst_event_new_eos());
}

static void run_job(VfSources *s, Job *job)
{
  g_mutex_lock(&s->lock);
  Slot *slot = g_hash_table_lookup(s->slots, GUINT_TO_POINTER(job->id));
  GstElement *src = slot && slot->src ? gst_object_ref(slot->src) : NULL;
  gboolean streaming = slot && slot->streaming;
  g_mutex_unlock(&s->lock);
  if (slot == NULL) {
    gst_clear_object(&src);
    return;
  }
  if (job->type == JOB_DRAIN) {
    if (streaming && src) {
      /* From GStreamer's thread pool: sending it may wait while the stream drains. */
      GST_INFO_OBJECT(s->mux, "draining source %u", job->id);
      gst_element_call_async(src, send_eos, NULL, NULL);
    } else {
      schedule(s, JOB_RELEASE, job->id); /* nothing came out of it: nothing to drain */
    }
    gst_clear_object(&src);
    return;
  }
  gst_clear_object(&src);
  /* No longer listed before vfmux announces it gone; still known to its error handler. */
  g_mutex_lock(&s->lock);
  if (g_hash_table_lookup(s->by_sensor, slot->sensor_id) == slot)
    g_hash_table_remove(s->by_sensor, slot->sensor_id);
  slot->state = SLOT_REMOVING;
  g_mutex_unlock(&s->lock);
  g_mutex_lock(&s->ops_lock);
  slot_detach(s, slot);
  g_mutex_unlock(&s->ops_lock);
  /* This may block (a stop() that never returns): vf_pipeline_free leaves the worker behind. */
  g_mutex_lock(&s->lock);
  s->stopping = slot;
  g_mutex_unlock(&s->lock);
  slot_stop(slot);
  g_mutex_lock(&s->lock);
  s->stopping = NULL;
  g_hash_table_remove(s->slots, GUINT_TO_POINTER(job->id));
  g_mutex_unlock(&s->lock);
  GST_INFO_OBJECT(s->mux, "source %u (%s) released", slot->id, slot->sensor_id);
  slot_free(slot);
}

/* The VfWorker's thread, from attach to vf_pipeline_free (or, left behind there, until the job
 * it was running returns). */
static gpointer worker(gpointer data)
{
  VfSources *s = data;
  g_mutex_lock(&s->lock);
  while (!s->quit) {
    Job *job = g_queue_pop_head(&s->jobs);
    if (job) {
      s->busy++;
      g_mutex_unlock(&s->lock);
      run_job(s, job);
      g_free(job);
      g_mutex_lock(&s->lock);
      s->busy--;
      g_cond_broadcast(&s->cond);
      continue;
    }
    /* Removals that did not drain in time. */
    gint64 now = g_get_monotonic_time(), next = G_MAXINT64;
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, s->slots);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
      Slot *slot = v;
      if (slot->state != SLOT_REMOVING || slot->release_queued)
        continue;
      if (now >= slot->deadline_us) {
        slot->release_queued = TRUE;
        Job *j = g_new0(Job, 1);
        j->type = JOB_RELEASE;
        j->id = slot->id;
        g_queue_push_tail(&s->jobs, j);
      } else {
        next = MIN(next, slot->deadline_us);
      }
    }
    if (s->jobs.length)
      continue;
    if (next == G_MAXINT64)
      g_cond_wait(&s->cond, &s->lock);
    else
      g_cond_wait_until(&s->cond, &s->lock, next);
  }
  g_mutex_unlock(&s->lock);
  return NULL;
}

/* Every job queued so far done, or `deadline` passed (lock held; returns with it held). */
static void wait_idle(VfSources *s, gint64 deadline)
{
  while ((s->jobs.length || s->busy) && s->started) {
    if (deadline == G_MAXINT64)
      g_cond_wait(&s->cond, &s->lock);
    else if (!g_cond_wait_until(&s->cond, &s->lock, deadline))
      break;
  }
}

/* vfmux's vf-source-eos: the source's last frame was taken, it can go, unless no other source
 * gives frames: vfmux then ends the whole stream, and must still see this pad at its end (a
 * stream ends when every pad ended; without pads it would wait for new ones). With keep_running
 * it always goes (the last source ends with the drain marker, never this way). */
static void on_message(VfPipeline *pipeline, GstMessage *msg, gpointer data)
{
  (void)pipeline;
  VfSources *s = data;
  VfSourceMessage m;
  if (GST_MESSAGE_SRC(msg) != GST_OBJECT(s->mux) || !vf_source_message_parse(msg, &m)
      || m.type != VF_SOURCE_MESSAGE_EOS || m.source_id < 0)
    return;
  g_mutex_lock(&s->lock);
  Slot *slot = g_hash_table_lookup(s->slots, GUINT_TO_POINTER((guint)m.source_id));
  gboolean release = slot && !slot->pipeline_eos && (s->keep_running || live_others(s, slot) > 0);
  g_mutex_unlock(&s->lock);
  if (release)
    schedule(s, JOB_RELEASE, (guint)m.source_id);
}

/* ---- attached to the pipeline ---- */

/* The pipeline stopped: removals in progress complete now (nothing can drain any more), by
 * `deadline`; past it they are left to the worker, a warning names them, and vf_pipeline_free
 * waits for the worker no longer than that deadline (it is left behind then). */
static void sources_stop(gpointer object, gint64 deadline)
{
  VfSources *s = object;
  gint64 entered = g_get_monotonic_time();
  g_mutex_lock(&s->lock);
  GstPad *end = g_steal_pointer(&s->end_pad);
  g_mutex_unlock(&s->lock);
  if (end) {
    gst_element_release_request_pad(s->mux, end);
    gst_object_unref(end);
  }
  g_mutex_lock(&s->lock);
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, s->slots);
  while (g_hash_table_iter_next(&it, NULL, &v))
    if (((Slot *)v)->state == SLOT_REMOVING)
      ((Slot *)v)->deadline_us = 0;
  g_cond_broadcast(&s->cond);
  g_mutex_unlock(&s->lock);
  g_mutex_lock(&s->lock);
  s->stopped = TRUE;
  s->stop_deadline = deadline;
  s->stop_window = deadline == G_MAXINT64 ? G_MAXINT64 : MAX(deadline - entered, 0);
  /* the worker queues the releases on its next pass: let it run them */
  gint64 since = g_get_monotonic_time();
  gboolean busy = TRUE;
  guint removing = 0;
  while (s->started && busy) {
    removing = 0;
    g_hash_table_iter_init(&it, s->slots);
    while (g_hash_table_iter_next(&it, NULL, &v))
      removing += ((Slot *)v)->state == SLOT_REMOVING;
    busy = removing > 0 || s->jobs.length || s->busy;
    if (busy && !g_cond_wait_until(&s->cond, &s->lock, deadline))
      break;
  }
  busy = busy && s->started;
  s->stop_busy = busy;
  char *which = NULL;
  if (busy && s->stopping)
    which = g_strdup_printf("source '%s' (element '%s', %s)", s->stopping->sensor_id,
                            s->stopping->element, s->stopping->uri);
  g_mutex_unlock(&s->lock);
  double waited = (g_get_monotonic_time() - since) / 1e6;
  if (busy && which)
    vf_post_warning(s->mux,
                    g_error_new(VF_ERROR, VF_ERROR_TIMEOUT,
                                "vfmux '%s': %s has not reached NULL by the pipeline's stop "
                                "deadline (vf_pipeline_set_stop_timeout): a source element's "
                                "stop() blocks (a camera or server that does not answer); "
                                "vf_pipeline_free does not wait for it, the source is freed when "
                                "that stop() returns (%u removed source(s) not released yet)",
                                GST_ELEMENT_NAME(s->mux), which, removing));
  else if (busy)
    vf_post_warning(s->mux,
                    g_error_new(VF_ERROR, VF_ERROR_TIMEOUT,
                                "vfmux '%s': its sources' worker is still busy %.1f s after the "
                                "pipeline stopped (%u removed source(s) not released yet); "
                                "vf_pipeline_free does not wait for it, it finishes on its own",
                                GST_ELEMENT_NAME(s->mux), waited, removing));
  g_free(which);
}

/* vf_pipeline_free, before the elements go: the jobs queued so far run, then the worker ends. It
 * is waited for no longer than the last stop allowed: not at all when that stop found it still
 * busy (its deadline passed), as long as that stop had otherwise (a pipeline stopped a while
 * ago: jobs queued since then), without a deadline when the pipeline never ran (no source
 * started: nothing can block). Past it, busy with a slot that does not reach NULL, the worker
 * is left behind and finishes that job on its own (sources_free then leaves this object to it). */
static void sources_unbind(gpointer object)
{
  VfSources *s = object;
  g_mutex_lock(&s->lock);
  gint64 deadline = G_MAXINT64;
  if (s->stopped && s->stop_busy)
    deadline = s->stop_deadline;
  else if (s->stopped && s->stop_window != G_MAXINT64)
    deadline = g_get_monotonic_time() + s->stop_window;
  wait_idle(s, deadline);
  s->quit = TRUE;
  s->closed = TRUE;
  g_cond_broadcast(&s->cond);
  if (s->keeper)
    VF_SOURCES_KEEPER(s->keeper)->owner = NULL;
  /* The slots in the pipeline go with it, a slot the worker still stops goes with the worker:
   * they must not call us any more. */
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, s->slots);
  while (g_hash_table_iter_next(&it, NULL, &v))
    if (((Slot *)v)->bin)
      VF_SOURCE_SLOT(((Slot *)v)->bin)->owner = NULL;
  g_mutex_unlock(&s->lock);
  if (s->started && !vf_worker_join(s->worker, deadline))
    GST_WARNING_OBJECT(s->mux, "the sources' worker is left behind: a source does not reach NULL");
  if (s->mux_src && s->mux_src_probe)
    gst_pad_remove_probe(s->mux_src, s->mux_src_probe);
  s->mux_src_probe = 0;
}

/* Now, or on the worker once the job it was left behind in returns (no lock held either way):
 * the slots still known (not released: they were in the pipeline, now gone) and the rest. */
static void sources_release(gpointer object)
{
  VfSources *s = object;
  g_hash_table_unref(s->by_sensor);
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, s->slots);
  while (g_hash_table_iter_next(&it, NULL, &v))
    slot_free(v);
  g_hash_table_unref(s->slots);
  g_queue_clear_full(&s->jobs, g_free);
  gst_clear_object(&s->mux_src);
  gst_clear_object(&s->end_pad);
  gst_clear_object(&s->keeper);
  gst_clear_object(&s->mux);
  gst_clear_object(&s->bin);
  g_ptr_array_unref(s->props);
  g_free(s->prefix);
  g_mutex_clear(&s->ops_lock);
  g_mutex_clear(&s->lock);
  g_cond_clear(&s->cond);
  g_clear_error(&s->attach.invalid);
  vf_worker_free(s->worker);
  g_free(s);
}

/* vf_pipeline_free, after the elements went. */
static void sources_free(gpointer object)
{
  VfSources *s = object;
  if (vf_worker_release_later(s->worker, sources_release, s))
    sources_release(s);
}

static const VfAttachedClass sources_class = {
  .kind = "sources",
  .constructor = "vf_pipeline_attach_sources",
  .stop = sources_stop,
  .unbind = sources_unbind,
  .free = sources_free,
};

VfSources *vf_pipeline_attach_sources(VfPipeline *pipeline, const char *mux,
                                      const VfSourcesConfig *config, GError **error)
{
  if (vf_arg_is_null(pipeline, "pipeline", G_STRFUNC, error))
    return NULL;
  GstElement *m = vf_pipeline_lookup_for_attach(pipeline, mux, "vfmux", NULL, NULL, error);
  if (m == NULL) {
    g_prefix_error(error, "%s(): ", G_STRFUNC);
    return NULL;
  }
  for (VfSources *other = vf_pipeline_find_attached(pipeline, &sources_class, NULL); other;
       other = vf_pipeline_find_attached(pipeline, &sources_class, other))
    if (other->mux == m) {
      g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                  "%s(): the sources of muxer '%s' are managed already (attach once)", G_STRFUNC,
                  mux);
      return NULL;
    }
  const char *const *kv = config ? config->source_properties : NULL;
  for (guint i = 0; kv && kv[i]; i += 2)
    if (kv[i + 1] == NULL) {
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                  "%s(): source property '%s' has no value (give name/value pairs, then NULL)",
                  G_STRFUNC, kv[i]);
      return NULL;
    }
  /* Check the source properties on a vfurisrcbin now, not at the first add(). */
  GstElement *probe = gst_element_factory_make("vfurisrcbin", NULL);
  if (probe == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "%s(): no vfurisrcbin element (the vidflow plugin is not found)", G_STRFUNC);
    return NULL;
  }
  gst_object_ref_sink(probe);
  for (guint i = 0; kv && kv[i]; i += 2)
    if (!vf_set_property_from_string(probe, kv[i], kv[i + 1], error)) {
      g_prefix_error(error, "%s(): source property: ", G_STRFUNC);
      gst_object_unref(probe);
      return NULL;
    }
  gst_object_unref(probe);

  VfSources *s = g_new0(VfSources, 1);
  s->pipeline = pipeline;
  s->mux = gst_object_ref(m);
  GstObject *parent = gst_object_get_parent(GST_OBJECT(m));
  s->bin = GST_ELEMENT(parent);
  s->prefix = g_strdup(config && config->name_prefix ? config->name_prefix : NULL);
  if (s->prefix == NULL)
    s->prefix = g_strdup_printf("%s-src", mux);
  s->max_sources = config ? config->max_sources : 0;
  s->keep_running = config && config->keep_running;
  s->props = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; kv && kv[i]; i++)
    g_ptr_array_add(s->props, g_strdup(kv[i]));
  g_ptr_array_add(s->props, NULL);
  g_mutex_init(&s->ops_lock);
  g_mutex_init(&s->lock);
  g_cond_init(&s->cond);
  s->worker = vf_worker_new();
  s->slots = g_hash_table_new(NULL, NULL);
  s->by_sensor = g_hash_table_new(g_str_hash, g_str_equal);
  g_queue_init(&s->jobs);
  s->out_end = GST_CLOCK_TIME_NONE;
  /* Ids after every pad the muxer has already (sources linked statically). */
  GST_OBJECT_LOCK(m);
  for (GList *l = m->sinkpads; l; l = l->next) {
    const char *num = strrchr(GST_PAD_NAME(l->data), '_');
    guint id = num ? (guint)g_ascii_strtoull(num + 1, NULL, 10) : 0;
    s->next_id = MAX(s->next_id, id + 1);
  }
  GST_OBJECT_UNLOCK(m);
  if (!vf_pipeline_adopt(pipeline, &sources_class, s, &s->attach, mux, mux, G_STRFUNC, error))
    return NULL;
  s->mux_src = gst_element_get_static_pad(m, "src");
  s->mux_src_probe = gst_pad_add_probe(
      s->mux_src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_mux_output, s,
      NULL);
  VfBusWatchCallbacks cb = { .on_message = on_message };
  s->watch = vf_pipeline_add_bus_watch(pipeline, GST_MESSAGE_ELEMENT, &cb, s, error);
  if (s->watch == 0)
    return NULL; /* the pipeline owns it already: it goes with it */
  char *keeper = g_strdup_printf("%s-keeper", mux);
  s->keeper = g_object_new(VF_TYPE_SOURCES_KEEPER, "name", keeper, NULL);
  g_free(keeper);
  VF_SOURCES_KEEPER(s->keeper)->owner = s;
  gst_bin_add(GST_BIN(s->bin), gst_object_ref(s->keeper));
  s->started = vf_worker_start(s->worker, "vf-sources", worker, s); /* a new worker: TRUE */
  return s;
}

VfSources *vf_pipeline_get_sources(VfPipeline *pipeline)
{
  return pipeline ? vf_pipeline_find_attached(pipeline, &sources_class, NULL) : NULL;
}

/* ---- add, remove, list ---- */

static gboolean check_sensor(const char *sensor_id, const char *func, GError **error)
{
  if (vf_arg_is_null(sensor_id, "sensor_id", func, error))
    return FALSE;
  if (*sensor_id == '\0') {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "%s(): the sensor id is empty", func);
    return FALSE;
  }
  return TRUE;
}

gboolean vf_sources_add(VfSources *sources, const char *uri, const char *sensor_id,
                        const char *sensor_name, guint *source_id, GError **error)
{
  if (source_id)
    *source_id = 0;
  if (vf_arg_is_null(sources, "sources", G_STRFUNC, error)
      || vf_arg_is_null(uri, "uri", G_STRFUNC, error) || !check_sensor(sensor_id, G_STRFUNC, error))
    return FALSE;
  char *resolved = vf_sources_resolve_uri(G_STRFUNC, uri, NULL, error);
  if (resolved == NULL)
    return FALSE;
  VfSources *s = sources;
  g_mutex_lock(&s->lock);
  Slot *taken = g_hash_table_lookup(s->by_sensor, sensor_id);
  guint count = g_hash_table_size(s->by_sensor);
  if (s->closed || taken || (s->max_sources && count >= s->max_sources)) {
    if (s->closed)
      g_set_error(error, VF_ERROR, VF_ERROR_STATE, "%s(): the pipeline is being freed", G_STRFUNC);
    else if (taken)
      g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT,
                  "%s(): sensor '%s' is a source already (source %u, %s): remove it first or use "
                  "another sensor id",
                  G_STRFUNC, sensor_id, taken->id, taken->uri);
    else
      g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                  "%s(): %u sources already, the most this pipeline takes (max_sources): remove "
                  "one first",
                  G_STRFUNC, count);
    g_mutex_unlock(&s->lock);
    g_free(resolved);
    return FALSE;
  }
  Slot *slot = g_new0(Slot, 1);
  slot->owner = s;
  slot->id = s->next_id++;
  slot->sensor_id = g_strdup(sensor_id);
  slot->sensor_name = g_strdup(sensor_name);
  slot->uri = resolved;
  slot->element = g_strdup_printf("%s%u", s->prefix, slot->id);
  slot->state = SLOT_STARTING;
  g_hash_table_insert(s->slots, GUINT_TO_POINTER(slot->id), slot);
  g_hash_table_insert(s->by_sensor, slot->sensor_id, slot);
  g_mutex_unlock(&s->lock);

  g_mutex_lock(&s->ops_lock);
  GError *err = NULL;
  gboolean ok = slot_build(s, slot, &err);
  g_mutex_lock(&s->lock);
  if (ok && slot->start_error)
    err = g_error_new(VF_ERROR, VF_ERROR_STREAM, "%s(): %s", G_STRFUNC, slot->start_error);
  ok = ok && err == NULL;
  if (ok && slot->state == SLOT_STARTING)
    slot->state = SLOT_RUNNING;
  if (!ok) {
    g_hash_table_remove(s->slots, GUINT_TO_POINTER(slot->id));
    g_hash_table_remove(s->by_sensor, slot->sensor_id);
  }
  g_mutex_unlock(&s->lock);
  if (!ok)
    slot_detach(s, slot);
  g_mutex_unlock(&s->ops_lock);
  if (!ok) {
    slot_stop(slot);
    slot_free(slot);
    g_propagate_error(error, err);
    return FALSE;
  }
  GST_INFO_OBJECT(s->mux, "source %u added: sensor '%s', %s", slot->id, sensor_id, uri);
  if (source_id)
    *source_id = slot->id;
  return TRUE;
}

gboolean vf_sources_remove(VfSources *sources, const char *sensor_id, GError **error)
{
  if (vf_arg_is_null(sources, "sources", G_STRFUNC, error)
      || !check_sensor(sensor_id, G_STRFUNC, error))
    return FALSE;
  VfSources *s = sources;
  g_mutex_lock(&s->lock);
  Slot *slot = s->closed ? NULL : g_hash_table_lookup(s->by_sensor, sensor_id);
  guint id = slot ? slot->id : 0;
  if (slot) {
    g_hash_table_remove(s->by_sensor, sensor_id);
    slot->state = SLOT_REMOVING;
    slot->deadline_us = g_get_monotonic_time() + VF_SOURCES_DRAIN_TIMEOUT / GST_USECOND;
    g_cond_broadcast(&s->cond);
  }
  g_mutex_unlock(&s->lock);
  if (slot == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "%s(): no source has sensor id '%s' (vf_sources_list() lists them)", G_STRFUNC,
                sensor_id);
    return FALSE;
  }
  GST_INFO_OBJECT(s->mux, "removing source %u (sensor '%s')", id, sensor_id);
  schedule(s, JOB_DRAIN, id);
  return TRUE;
}

static gint by_id(gconstpointer a, gconstpointer b)
{
  const VfSourceInfo *x = *(VfSourceInfo *const *)a, *y = *(VfSourceInfo *const *)b;
  return x->source_id < y->source_id ? -1 : x->source_id > y->source_id;
}

GPtrArray *vf_sources_list(VfSources *sources)
{
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)vf_source_info_free);
  if (sources == NULL)
    return out;
  g_mutex_lock(&sources->lock);
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, sources->by_sensor);
  while (g_hash_table_iter_next(&it, NULL, &v))
    g_ptr_array_add(out, info_of(v));
  g_mutex_unlock(&sources->lock);
  g_ptr_array_sort(out, by_id);
  return out;
}

VfSourceInfo *vf_sources_get_info(VfSources *sources, const char *sensor_id, GError **error)
{
  if (vf_arg_is_null(sources, "sources", G_STRFUNC, error)
      || !check_sensor(sensor_id, G_STRFUNC, error))
    return NULL;
  g_mutex_lock(&sources->lock);
  Slot *slot = g_hash_table_lookup(sources->by_sensor, sensor_id);
  VfSourceInfo *info = slot ? info_of(slot) : NULL;
  g_mutex_unlock(&sources->lock);
  if (info == NULL)
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND, "%s(): no source has sensor id '%s'",
                G_STRFUNC, sensor_id);
  return info;
}

guint vf_sources_get_count(VfSources *sources)
{
  if (sources == NULL)
    return 0;
  g_mutex_lock(&sources->lock);
  guint n = g_hash_table_size(sources->by_sensor);
  g_mutex_unlock(&sources->lock);
  return n;
}

/* ---- recording ---- */

/* The element recording sensor `sensor_id` (transfer full), or NULL with *error. */
static char *recorder_of(VfSources *s, const char *sensor_id, const char *func, GError **error)
{
  if (vf_arg_is_null(s, "sources", func, error) || !check_sensor(sensor_id, func, error))
    return NULL;
  g_mutex_lock(&s->lock);
  Slot *slot = g_hash_table_lookup(s->by_sensor, sensor_id);
  char *element = slot ? g_strdup(slot->element) : NULL;
  g_mutex_unlock(&s->lock);
  if (element == NULL)
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND, "%s(): no source has sensor id '%s'", func,
                sensor_id);
  return element;
}

gboolean vf_sources_start_recording(VfSources *sources, const char *sensor_id, guint seconds_before,
                                    guint duration, guint *session, GError **error)
{
  if (session)
    *session = 0;
  char *element = recorder_of(sources, sensor_id, G_STRFUNC, error);
  gboolean ok = element
                && vf_pipeline_start_recording(sources->pipeline, element, seconds_before, duration,
                                               session, error);
  g_free(element);
  return ok;
}

gboolean vf_sources_stop_recording(VfSources *sources, const char *sensor_id, guint session,
                                   GError **error)
{
  char *element = recorder_of(sources, sensor_id, G_STRFUNC, error);
  gboolean ok = element && vf_pipeline_stop_recording(sources->pipeline, element, session, error);
  g_free(element);
  return ok;
}
