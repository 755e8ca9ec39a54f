/* vidflow: RTSP output. H.264 access units leave the flow through an appsink and are served by
 * gst-rtsp-server: each client gets a media of its own,
 *   appsrc ! h264parse ! rtph264pay name=pay0
 * fed from the appsink, so a client that cannot keep up holds up nobody but itself. A client
 * that joins gets frames from the next key frame on, once its media plays (one is asked for
 * then).
 *
 * Each client's queue (its appsrc) is bounded: an access unit that would take it past the bound
 * is dropped for that client, and so is every frame after it up to the next key frame (a decoder
 * cannot use them; one is asked for at once). Drops are counted (vf_rtsp_out_get_stats): the
 * flow never blocks on a client and memory stays bounded whatever the clients do.
 *
 * Servers are shared per host:port in the process (each output has its mount) and released when
 * the last output on them stops. The signal handlers given to gst-rtsp-server hold a reference
 * to the output's Feed, never to the output: a media that outlives the output (a client still
 * connected to a server another output keeps) finds a stopped feed, not freed memory.
 *
 * Threads: on_new_sample/on_eos run on the flow's streaming thread; on_media_configure and
 * on_media_unprepared on the server's thread; the rest on the application's.
 * Locks: servers_lock, then Feed.lock, then a client appsrc's object lock (its state); neither of
 * the first two is held while calling into gst-rtsp-server. */
#include "flow-private.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <string.h>

typedef struct {
  char *key; /* host:port; outputs on port 0 get a server each */
  gint refs; /* outputs started on it */
  GstRTSPServer *server;
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  GSource *source;
  guint port; /* bound */
} Server;

/* One client's queue. */
typedef enum {
  CLIENT_JOINING,    /* waits for its first key frame (not a drop) */
  CLIENT_PLAYING,    /* every access unit is queued */
  CLIENT_RECOVERING, /* its queue was full: dropping up to the next key frame */
} ClientState;

typedef struct {
  GstElement *appsrc; /* ref */
  ClientState state;
  gboolean key_asked; /* a key frame was asked for once its media played */
} Client;

/* What the flow's thread, the server's thread and the application share (refcounted). */
typedef struct {
  gint refs;
  GMutex lock;        /* guards the fields below */
  GPtrArray *clients; /* Client*, owned */
  GstCaps *caps;      /* the stream's caps, once known */
  gboolean eos;
  gboolean serving; /* between start and stop */
  guint64 max_bytes;
  guint64 frames, dropped, clients_total;
  GWeakRef appsink; /* key frames are asked for upstream of it (weak: it holds the feed) */
} Feed;

struct _VfRtspOut {
  char *host;
  guint port;
  char *mount;
  Feed *feed;
  Server *server;               /* while started */
  GstRTSPMediaFactory *factory; /* while started (ref) */
  gulong configure_id;
};

static GMutex servers_lock;
static GHashTable *servers; /* key -> Server* */

/* ---- the feed ---- */

static void client_free(Client *c)
{
  gst_object_unref(c->appsrc);
  g_free(c);
}

static Feed *feed_ref(Feed *f)
{
  g_atomic_int_inc(&f->refs);
  return f;
}

static void feed_unref(gpointer data, GClosure *closure)
{
  (void)closure;
  Feed *f = data;
  if (!g_atomic_int_dec_and_test(&f->refs))
    return;
  g_ptr_array_unref(f->clients);
  gst_clear_caps(&f->caps);
  g_weak_ref_clear(&f->appsink);
  g_mutex_clear(&f->lock);
  g_free(f);
}

static void feed_release(gpointer data)
{
  feed_unref(data, NULL);
}

/* ---- servers ---- */

static gpointer server_thread(gpointer data)
{
  Server *s = data;
  g_main_context_push_thread_default(s->context);
  g_main_loop_run(s->loop);
  g_main_context_pop_thread_default(s->context);
  return NULL;
}

static GstRTSPFilterResult remove_client(GstRTSPServer *server, GstRTSPClient *client,
                                         gpointer data)
{
  (void)server;
  (void)client;
  (void)data;
  return GST_RTSP_FILTER_REMOVE;
}

static void server_unref(Server *s)
{
  g_mutex_lock(&servers_lock);
  gboolean last = --s->refs == 0;
  if (last && servers)
    g_hash_table_remove(servers, s->key);
  g_mutex_unlock(&servers_lock);
  if (!last)
    return;
  g_list_free_full(gst_rtsp_server_client_filter(s->server, remove_client, NULL), g_object_unref);
  g_main_loop_quit(s->loop);
  g_thread_join(s->thread);
  g_source_destroy(s->source);
  g_source_unref(s->source);
  g_object_unref(s->server);
  g_main_loop_unref(s->loop);
  g_main_context_unref(s->context);
  g_free(s->key);
  g_free(s);
}

static Server *server_get(const char *host, guint port, GError **error)
{
  char *key = port ? g_strdup_printf("%s:%u", host, port) : NULL;
  g_mutex_lock(&servers_lock);
  if (servers == NULL)
    servers = g_hash_table_new(g_str_hash, g_str_equal);
  Server *s = key ? g_hash_table_lookup(servers, key) : NULL;
  if (s) {
    s->refs++;
    g_mutex_unlock(&servers_lock);
    g_free(key);
    return s;
  }
  s = g_new0(Server, 1);
  s->refs = 1;
  s->server = gst_rtsp_server_new();
  char service[16];
  g_snprintf(service, sizeof service, "%u", port);
  gst_rtsp_server_set_address(s->server, host);
  gst_rtsp_server_set_service(s->server, service);
  GError *err = NULL;
  s->source = gst_rtsp_server_create_source(s->server, NULL, &err);
  if (s->source == NULL) {
    g_mutex_unlock(&servers_lock);
    g_set_error(error, VF_ERROR, VF_ERROR_FAILED,
                "encode(): cannot serve RTSP on %s:%u: %s (is the port in use? pick another "
                "port, or 0 for any free one)",
                host, port, err ? err->message : "unknown reason");
    g_clear_error(&err);
    g_object_unref(s->server);
    g_free(s);
    g_free(key);
    return NULL;
  }
  s->port = (guint)gst_rtsp_server_get_bound_port(s->server);
  s->key = key ? key : g_strdup_printf("%s:0:%p", host, (void *)s);
  s->context = g_main_context_new();
  s->loop = g_main_loop_new(s->context, FALSE);
  g_source_attach(s->source, s->context);
  s->thread = g_thread_new("vf-rtsp-server", server_thread, s);
  g_hash_table_insert(servers, s->key, s);
  g_mutex_unlock(&servers_lock);
  return s;
}

/* ---- feeding the clients ---- */

static void request_key_frame(GstElement *appsink)
{
  GstPad *pad = gst_element_get_static_pad(appsink, "sink");
  gst_pad_push_event(pad,
                     gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
  gst_object_unref(pad);
}

static gboolean element_playing(GstElement *element)
{
  GST_OBJECT_LOCK(element);
  gboolean playing = GST_STATE(element) == GST_STATE_PLAYING;
  GST_OBJECT_UNLOCK(element);
  return playing;
}

/* Streaming thread of the flow. */
static GstFlowReturn on_new_sample(GstAppSink *sink, gpointer data)
{
  Feed *f = data;
  GstSample *sample = gst_app_sink_pull_sample(sink);
  if (sample == NULL)
    return GST_FLOW_OK;
  GstBuffer *buffer = gst_sample_get_buffer(sample);
  gboolean key = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  gsize size = gst_buffer_get_size(buffer);
  gboolean want_key = FALSE;
  g_mutex_lock(&f->lock);
  f->frames++;
  if (f->caps == NULL && gst_sample_get_caps(sample))
    f->caps = gst_caps_ref(gst_sample_get_caps(sample));
  for (guint i = 0; i < f->clients->len; i++) {
    Client *c = f->clients->pdata[i];
    if (c->state == CLIENT_JOINING) {
      /* Nothing before its media plays: appsrc cannot stamp what comes earlier (do-timestamp),
       * and an unstamped access unit ahead of stamped ones could keep the media's sink waiting
       * on the clock with no frame going out. The first key frame is asked for then. */
      if (!element_playing(c->appsrc))
        continue;
      want_key = want_key || !c->key_asked;
      c->key_asked = TRUE;
    }
    if (c->state != CLIENT_PLAYING && !key) {
      f->dropped += c->state == CLIENT_RECOVERING;
      continue;
    }
    GstAppSrc *src = GST_APP_SRC(c->appsrc);
    if (gst_app_src_get_current_level_bytes(src) + size > f->max_bytes) {
      /* full: this client loses frames up to the next key frame, which is asked for now */
      want_key = want_key || c->state == CLIENT_PLAYING;
      f->dropped++;
      c->state = CLIENT_RECOVERING;
      continue;
    }
    c->state = CLIENT_PLAYING;
    /* The media stamps buffers itself (do-timestamp): clients see the pace they arrive at. A
     * copy shares the memory. */
    GstBuffer *copy = gst_buffer_copy(buffer);
    GST_BUFFER_PTS(copy) = GST_BUFFER_DTS(copy) = GST_BUFFER_DURATION(copy) = GST_CLOCK_TIME_NONE;
    gst_app_src_push_buffer(src, copy);
  }
  g_mutex_unlock(&f->lock);
  gst_sample_unref(sample);
  if (want_key)
    request_key_frame(GST_ELEMENT(sink));
  return GST_FLOW_OK;
}

static void on_eos(GstAppSink *sink, gpointer data)
{
  (void)sink;
  Feed *f = data;
  g_mutex_lock(&f->lock);
  f->eos = TRUE;
  for (guint i = 0; i < f->clients->len; i++)
    gst_app_src_end_of_stream(GST_APP_SRC(((Client *)f->clients->pdata[i])->appsrc));
  g_mutex_unlock(&f->lock);
}

/* Server thread: the client's media goes away (it left, or the server closed it). */
static void on_media_unprepared(GstRTSPMedia *media, gpointer data)
{
  Feed *f = data;
  GstElement *src = g_object_get_data(G_OBJECT(media), "vf-appsrc");
  g_mutex_lock(&f->lock);
  for (guint i = 0; src && i < f->clients->len; i++)
    if (((Client *)f->clients->pdata[i])->appsrc == src) {
      g_ptr_array_remove_index(f->clients, i);
      break;
    }
  g_mutex_unlock(&f->lock);
}

/* Server thread: a client's media is made. */
static void on_media_configure(GstRTSPMediaFactory *factory, GstRTSPMedia *media, gpointer data)
{
  (void)factory;
  Feed *f = data;
  GstElement *bin = gst_rtsp_media_get_element(media);
  GstElement *src = gst_bin_get_by_name_recurse_up(GST_BIN(bin), "vfsrc");
  gst_object_unref(bin);
  if (src == NULL)
    return;
  g_mutex_lock(&f->lock);
  if (!f->serving) {
    g_mutex_unlock(&f->lock);
    gst_object_unref(src);
    return;
  }
  GstCaps *caps = f->caps ? gst_caps_ref(f->caps)
                          : gst_caps_from_string("video/x-h264,stream-format=byte-stream,"
                                                 "alignment=au");
  /* max-bytes also makes appsrc say enough-data; the bound itself is kept in on_new_sample */
  g_object_set(src, "caps", caps, "format", GST_FORMAT_TIME, "is-live", TRUE, "do-timestamp", TRUE,
               "block", FALSE, "max-bytes", f->max_bytes, NULL);
  gst_caps_unref(caps);
  Client *c = g_new0(Client, 1);
  c->appsrc = gst_object_ref(src);
  c->state = CLIENT_JOINING;
  g_ptr_array_add(f->clients, c);
  f->clients_total++;
  if (f->eos)
    gst_app_src_end_of_stream(GST_APP_SRC(src));
  g_mutex_unlock(&f->lock);
  g_object_set_data_full(G_OBJECT(media), "vf-appsrc", src, gst_object_unref);
  g_signal_connect_data(media, "unprepared", G_CALLBACK(on_media_unprepared), feed_ref(f),
                        feed_unref, 0);
}

/* ---- the output ---- */

VfRtspOut *vf_rtsp_out_new(const char *host, guint port, const char *mount, guint64 client_bytes)
{
  VfRtspOut *out = g_new0(VfRtspOut, 1);
  out->host = g_strdup(host);
  out->port = port;
  out->mount = g_strdup(mount);
  Feed *f = g_new0(Feed, 1);
  f->refs = 1;
  g_mutex_init(&f->lock);
  f->clients = g_ptr_array_new_with_free_func((GDestroyNotify)client_free);
  g_weak_ref_init(&f->appsink, NULL);
  f->max_bytes = client_bytes ? client_bytes : VF_RTSP_CLIENT_QUEUE_BYTES;
  out->feed = f;
  return out;
}

void vf_rtsp_out_bind(VfRtspOut *out, GstElement *appsink)
{
  g_weak_ref_set(&out->feed->appsink, appsink);
  GstAppSinkCallbacks cb = { 0 };
  cb.new_sample = on_new_sample;
  cb.eos = on_eos;
  gst_app_sink_set_callbacks(GST_APP_SINK(appsink), &cb, feed_ref(out->feed), feed_release);
}

gboolean vf_rtsp_out_start(VfRtspOut *out, GError **error)
{
  if (out->server)
    return TRUE;
  Server *s = server_get(out->host, out->port, error);
  if (s == NULL)
    return FALSE;
  Feed *f = out->feed;
  g_mutex_lock(&f->lock);
  f->eos = FALSE;
  f->serving = TRUE;
  f->frames = f->dropped = f->clients_total = 0;
  g_clear_pointer(&f->caps, gst_caps_unref);
  g_mutex_unlock(&f->lock);
  out->factory = gst_rtsp_media_factory_new();
  gst_rtsp_media_factory_set_launch(
      out->factory,
      "( appsrc name=vfsrc ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 )");
  gst_rtsp_media_factory_set_shared(out->factory, FALSE); /* a queue per client */
  out->configure_id = g_signal_connect_data(
      out->factory, "media-configure", G_CALLBACK(on_media_configure), feed_ref(f), feed_unref, 0);
  GstRTSPMountPoints *mounts = gst_rtsp_server_get_mount_points(s->server);
  gst_rtsp_mount_points_add_factory(mounts, out->mount, g_object_ref(out->factory));
  g_object_unref(mounts);
  out->server = s;
  return TRUE;
}

void vf_rtsp_out_stop(VfRtspOut *out)
{
  if (out->server == NULL)
    return;
  GstRTSPMountPoints *mounts = gst_rtsp_server_get_mount_points(out->server->server);
  gst_rtsp_mount_points_remove_factory(mounts, out->mount);
  g_object_unref(mounts);
  /* no new client is configured from now on; the ones there get their end of stream and are
   * forgotten (their media keeps the feed alive, not the output) */
  g_signal_handler_disconnect(out->factory, out->configure_id);
  g_clear_object(&out->factory);
  Feed *f = out->feed;
  g_mutex_lock(&f->lock);
  f->serving = FALSE;
  for (guint i = 0; i < f->clients->len; i++)
    gst_app_src_end_of_stream(GST_APP_SRC(((Client *)f->clients->pdata[i])->appsrc));
  g_ptr_array_set_size(f->clients, 0);
  g_mutex_unlock(&f->lock);
  server_unref(out->server);
  out->server = NULL;
}

char *vf_rtsp_out_get_url(VfRtspOut *out)
{
  guint port = out->server ? out->server->port : out->port;
  return g_strdup_printf("rtsp://%s:%u%s", out->host, port, out->mount);
}

void vf_rtsp_out_get_stats(VfRtspOut *out, VfRtspStats *stats)
{
  Feed *f = out->feed;
  memset(stats, 0, sizeof *stats);
  g_mutex_lock(&f->lock);
  stats->clients = f->clients->len;
  stats->clients_total = f->clients_total;
  stats->frames = f->frames;
  stats->dropped = f->dropped;
  for (guint i = 0; i < f->clients->len; i++)
    stats->queued_bytes += gst_app_src_get_current_level_bytes(
        GST_APP_SRC(((Client *)f->clients->pdata[i])->appsrc));
  g_mutex_unlock(&f->lock);
}

void vf_rtsp_out_free(VfRtspOut *out)
{
  if (out == NULL)
    return;
  vf_rtsp_out_stop(out);
  GstElement *appsink = g_weak_ref_get(&out->feed->appsink);
  if (appsink) {
    GstAppSinkCallbacks cb = { 0 };
    gst_app_sink_set_callbacks(GST_APP_SINK(appsink), &cb, NULL, NULL); /* drops its feed ref */
    gst_object_unref(appsink);
  }
  feed_unref(out->feed, NULL);
  g_free(out->host);
  g_free(out->mount);
  g_free(out);
}
