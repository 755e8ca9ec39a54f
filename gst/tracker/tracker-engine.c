/* vidflow tracker: the engine (streams per source, built-in or custom tracker), see engine.h. */
#include "tracker-engine.h"

#include "builtin.h"

#include <dlfcn.h>
#include <string.h>

#define ERROR_SIZE 512

typedef struct {
  void *state; /* VfTrackStream (built-in) or the library's stream */
  guint64 first_id;
} Stream;

struct _VfTrackerEngine {
  const VfTrackerConfig *cfg; /* built-in, else NULL */
  void *handle;               /* dlopen handle of a custom tracker */
  const VfTracker *lib;
  void *tracker; /* the library's create() */
  char *lib_path;
  GHashTable *streams;  /* source id -> Stream* */
  GHashTable *next_ids; /* source id -> guint64* first id of its next stream */
};

static void stream_destroy(VfTrackerEngine *e, Stream *s)
{
  if (e->lib)
    e->lib->stream_free(e->tracker, s->state);
  else
    vf_track_stream_free(s->state);
  g_free(s);
}

static VfTrackerEngine *engine_alloc(void)
{
  VfTrackerEngine *e = g_new0(VfTrackerEngine, 1);
  e->streams = g_hash_table_new(g_direct_hash, g_direct_equal);
  e->next_ids = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  return e;
}

VfTrackerEngine *vf_tracker_engine_new(const VfTrackerConfig *cfg)
{
  VfTrackerEngine *e = engine_alloc();
  e->cfg = cfg;
  return e;
}

VfTrackerEngine *vf_tracker_engine_new_from_library(const char *lib_path, const char *config_path,
                                                    GError **error)
{
  const char *help = "build a library against include/vidflow/tracker.h (plugins/tracker-sample "
                     "is an example), or leave ll-lib-file unset for the built-in trackers";
  if (lib_path == NULL || *lib_path == '\0') {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "ll-lib-file is empty: %s", help);
    return NULL;
  }
  if (strchr(lib_path, '/') && !g_file_test(lib_path, G_FILE_TEST_EXISTS)) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND, "ll-lib-file '%s' not found: %s", lib_path,
                help);
    return NULL;
  }
  void *handle = dlopen(lib_path, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    const char *why = dlerror();
    gboolean missing = why && strstr(why, "No such file");
    g_set_error(error, VF_ERROR, missing ? VF_ERROR_NOT_FOUND : VF_ERROR_VALUE,
                "ll-lib-file '%s' cannot be loaded (%s): %s", lib_path, why ? why : "?", help);
    return NULL;
  }
  VfTrackerEntry entry = (VfTrackerEntry)dlsym(handle, VF_TRACKER_ENTRY);
  const VfTracker *lib = entry ? entry() : NULL;
  const char *problem = NULL;
  if (entry == NULL && dlsym(handle, "NvMOT_Query"))
    problem = "it is a DeepStream low-level tracker library (the NvMOT_* API, as "
              "libnvds_nvmultiobjecttracker.so), which vftracker does not load: leave ll-lib-file "
              "unset for the built-in trackers (bytetrack, iou), or build a vidflow tracker "
              "library against include/vidflow/tracker.h";
  else if (entry == NULL)
    problem = "it has no " VF_TRACKER_ENTRY "() (is it a vidflow tracker library?)";
  else if (lib == NULL)
    problem = VF_TRACKER_ENTRY "() returned NULL";
  else if (lib->abi_version != VF_TRACKER_ABI)
    problem = "its ABI version is not " G_STRINGIFY(VF_TRACKER_ABI) " (rebuild it against this "
                                                                    "vidflow)";
  else if (lib->struct_size < sizeof(VfTracker))
    problem = "its VfTracker is smaller than this vidflow's (rebuild it against this vidflow)";
  else if (!lib->create || !lib->destroy || !lib->stream_new || !lib->stream_free || !lib->process)
    problem = "its VfTracker lacks a required function (create, destroy, stream_new, "
              "stream_free, process)";
  if (problem) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "ll-lib-file '%s': %s", lib_path, problem);
    dlclose(handle);
    return NULL;
  }
  char msg[ERROR_SIZE] = "";
  void *tracker = lib->create(config_path, msg, sizeof msg);
  msg[sizeof msg - 1] = '\0';
  if (tracker == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_FAILED,
                "custom tracker '%s' (ll-lib-file '%s') refused to start%s%s: %s",
                lib->name ? lib->name : "?", lib_path, config_path ? " with " : "",
                config_path ? config_path : "", msg[0] ? msg : "no reason given");
    dlclose(handle);
    return NULL;
  }
  VfTrackerEngine *e = engine_alloc();
  e->handle = handle;
  e->lib = lib;
  e->tracker = tracker;
  e->lib_path = g_strdup(lib_path);
  return e;
}

void vf_tracker_engine_free(VfTrackerEngine *e)
{
  if (e == NULL)
    return;
  vf_tracker_engine_reset(e);
  g_hash_table_destroy(e->streams);
  g_hash_table_destroy(e->next_ids);
  if (e->lib) {
    e->lib->destroy(e->tracker);
    dlclose(e->handle);
  }
  g_free(e->lib_path);
  g_free(e);
}

const char *vf_tracker_engine_get_name(const VfTrackerEngine *e)
{
  if (e->lib)
    return e->lib->name ? e->lib->name : e->lib_path;
  return e->cfg->algorithm == VF_TRACKER_ALGO_IOU ? "iou" : "bytetrack";
}

static guint64 *next_id(VfTrackerEngine *e, guint source_id)
{
  guint64 *n = g_hash_table_lookup(e->next_ids, GUINT_TO_POINTER(source_id));
  if (n == NULL) {
    n = g_new(guint64, 1);
    *n = 1;
    g_hash_table_insert(e->next_ids, GUINT_TO_POINTER(source_id), n);
  }
  return n;
}

static Stream *get_stream(VfTrackerEngine *e, guint source_id, GError **error)
{
  Stream *s = g_hash_table_lookup(e->streams, GUINT_TO_POINTER(source_id));
  if (s)
    return s;
  guint64 first = *next_id(e, source_id);
  void *state;
  if (e->lib) {
    char msg[ERROR_SIZE] = "";
    state = e->lib->stream_new(e->tracker, source_id, first, msg, sizeof msg);
    msg[sizeof msg - 1] = '\0';
    if (state == NULL) {
      g_set_error(error, VF_ERROR, VF_ERROR_STREAM,
                  "custom tracker '%s' (%s) could not make the state of source %u: %s",
                  vf_tracker_engine_get_name(e), e->lib_path, source_id,
                  msg[0] ? msg : "no reason given");
      return NULL;
    }
  } else {
    state = vf_track_stream_new(e->cfg, first);
  }
  s = g_new0(Stream, 1);
  s->state = state;
  s->first_id = first;
  g_hash_table_insert(e->streams, GUINT_TO_POINTER(source_id), s);
  return s;
}

/* A custom tracker's output, checked. */
static gboolean check_tracks(VfTrackerEngine *e, const Stream *s, const VfTrackerFrame *frame,
                             const VfTrackerTrack *tracks, gint32 n, guint n_dets, GError **error)
{
  for (gint32 i = 0; i < n; i++) {
    const VfTrackerTrack *t = &tracks[i];
    const char *problem = NULL;
    if (t->state != VF_TRACK_TENTATIVE && (t->id == VF_TRACKER_NO_ID || t->id < s->first_id))
      problem = "an id below the stream's first id (or VF_TRACKER_NO_ID)";
    else if (t->detection >= (gint32)n_dets)
      problem = "a detection index beyond the frame's detections";
    else if (t->state > VF_TRACK_LOST)
      problem = "an unknown track state";
    if (problem) {
      g_set_error(error, VF_ERROR, VF_ERROR_STREAM,
                  "custom tracker '%s' (%s) reported %s: track %d, id %" G_GUINT64_FORMAT
                  ", source %u, frame %" G_GUINT64_FORMAT " (first id %" G_GUINT64_FORMAT ")",
                  vf_tracker_engine_get_name(e), e->lib_path, problem, i, t->id, frame->source_id,
                  frame->frame_number, s->first_id);
      return FALSE;
    }
  }
  return TRUE;
}

gboolean vf_tracker_engine_process(VfTrackerEngine *e, const VfTrackerFrame *frame,
                                   const VfTrackerDetection *dets, guint n_dets,
                                   const VfTrackerTrack **tracks, guint *n_tracks, GError **error)
{
  *tracks = NULL;
  *n_tracks = 0;
  Stream *s = get_stream(e, frame->source_id, error);
  if (s == NULL)
    return FALSE;
  const VfTrackerTrack *out = NULL;
  guint n = 0;
  if (e->lib) {
    char msg[ERROR_SIZE] = "";
    gint32 r = e->lib->process(e->tracker, s->state, frame, dets, (int32_t)n_dets, &out, msg,
                               sizeof msg);
    msg[sizeof msg - 1] = '\0';
    if (r < 0 || (r > 0 && out == NULL)) {
      g_set_error(error, VF_ERROR, VF_ERROR_STREAM,
                  "custom tracker '%s' (%s) failed on source %u, frame %" G_GUINT64_FORMAT ": %s",
                  vf_tracker_engine_get_name(e), e->lib_path, frame->source_id, frame->frame_number,
                  r < 0 ? (msg[0] ? msg : "no reason given") : "it returned tracks but no array");
      return FALSE;
    }
    if (!check_tracks(e, s, frame, out, r, n_dets, error))
      return FALSE;
    n = (guint)r;
  } else {
    n = vf_track_stream_process(s->state, frame, dets, n_dets, &out);
  }
  guint64 *next = next_id(e, frame->source_id);
  for (guint i = 0; i < n; i++)
    if (out[i].state != VF_TRACK_TENTATIVE && out[i].id >= *next)
      *next = out[i].id + 1;
  *tracks = out;
  *n_tracks = n;
  return TRUE;
}

gboolean vf_tracker_engine_remove_source(VfTrackerEngine *e, guint source_id)
{
  Stream *s = g_hash_table_lookup(e->streams, GUINT_TO_POINTER(source_id));
  if (s == NULL)
    return FALSE;
  g_hash_table_remove(e->streams, GUINT_TO_POINTER(source_id));
  stream_destroy(e, s);
  return TRUE;
}

void vf_tracker_engine_reset(VfTrackerEngine *e)
{
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, e->streams);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    stream_destroy(e, value);
    g_hash_table_iter_remove(&it);
  }
}

guint vf_tracker_engine_get_n_streams(const VfTrackerEngine *e)
{
  return g_hash_table_size(e->streams);
}

guint vf_tracker_engine_get_n_tracks(const VfTrackerEngine *e, guint source_id)
{
  Stream *s = g_hash_table_lookup(e->streams, GUINT_TO_POINTER(source_id));
  return s && !e->lib ? vf_track_stream_get_n_tracks(s->state) : 0;
}
