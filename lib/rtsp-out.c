/* vidflow: RTSP output. H.264 access units leave the flow through an appsink and are served by
 * gst-rtsp-server: each client's media (shared between clients) is
 *   appsrc ! h264parse ! rtph264pay name=pay0
 * fed from the appsink. A client that joins gets frames from the next key frame on (one is asked
 * for at once). Servers are shared per host:port in the process; each output has its mount. */
#include "flow-private.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/rtsp-server/rtsp-server.h>

typedef struct {
  char *key; /* host:port; outputs on port 0 get a server each */
  gint refs;
  GstRTSPServer *server;
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  GSource *source;
  guint port; /* bound */
} Server;

struct _VfRtspOut {
  char *host;
  guint port;
  char *mount;
  GstElement *appsink; /* ref */
  Server *server;      /* while started */
  GMutex lock;         /* guards the fields below */
  GPtrArray *appsrcs;  /* GstElement* (ref): the appsrcs of the media being served */
  GstCaps *caps;       /* the stream's caps, once known */
  gboolean eos;
};

static GMutex servers_lock;
static GHashTable *servers; /* key -> Server* */

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

static void request_key_frame(VfRtspOut *out)
{
  GstPad *pad = gst_element_get_static_pad(out->appsink, "sink");
  gst_pad_push_event(pad,
                     gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
  gst_object_unref(pad);
}

static GstFlowReturn on_new_sample(GstAppSink *sink, gpointer data)
{
  VfRtspOut *out = data;
  GstSample *sample = gst_app_sink_pull_sample(sink);
  if (sample == NULL)
    return GST_FLOW_OK;
  GstBuffer *buffer = gst_sample_get_buffer(sample);
  gboolean key = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  gboolean want_key = FALSE;
  g_mutex_lock(&out->lock);
  if (out->caps == NULL && gst_sample_get_caps(sample))
    out->caps = gst_caps_ref(gst_sample_get_caps(sample));
  for (guint i = 0; i < out->appsrcs->len; i++) {
    GstElement *src = out->appsrcs->pdata[i];
    if (g_object_get_data(G_OBJECT(src), "vf-need-key")) {
      if (!key) {
        want_key = TRUE;
        continue;
      }
      g_object_set_data(G_OBJECT(src), "vf-need-key", NULL);
    }
    /* The media stamps buffers itself (do-timestamp): clients see the pace they arrive at. */
    GstBuffer *copy = gst_buffer_copy(buffer);
    GST_BUFFER_PTS(copy) = GST_BUFFER_DTS(copy) = GST_BUFFER_DURATION(copy) = GST_CLOCK_TIME_NONE;
    gst_app_src_push_buffer(GST_APP_SRC(src), copy);
  }
  g_mutex_unlock(&out->lock);
  gst_sample_unref(sample);
  (void)want_key; /* asked for when the client joined; x264 answers within a frame or two */
  return GST_FLOW_OK;
}

static void on_eos(GstAppSink *sink, gpointer data)
{
  (void)sink;
  VfRtspOut *out = data;
  g_mutex_lock(&out->lock);
  out->eos = TRUE;
  for (guint i = 0; i < out->appsrcs->len; i++)
    gst_app_src_end_of_stream(GST_APP_SRC(out->appsrcs->pdata[i]));
  g_mutex_unlock(&out->lock);
}

static void on_media_unprepared(GstRTSPMedia *media, gpointer data)
{
  VfRtspOut *out = data;
  GstElement *src = g_object_get_data(G_OBJECT(media), "vf-appsrc");
  g_mutex_lock(&out->lock);
  if (src)
    g_ptr_array_remove(out->appsrcs, src);
  g_mutex_unlock(&out->lock);
}

static void on_media_configure(GstRTSPMediaFactory *factory, GstRTSPMedia *media, gpointer data)
{
  (void)factory;
  VfRtspOut *out = data;
  GstElement *bin = gst_rtsp_media_get_element(media);
  GstElement *src = gst_bin_get_by_name_recurse_up(GST_BIN(bin), "vfsrc");
  gst_object_unref(bin);
  if (src == NULL)
    return;
  g_mutex_lock(&out->lock);
  GstCaps *caps = out->caps ? gst_caps_ref(out->caps)
                            : gst_caps_from_string("video/x-h264,stream-format=byte-stream,"
                                                   "alignment=au");
  g_object_set(src, "caps", caps, "format", GST_FORMAT_TIME, "is-live", TRUE, "do-timestamp", TRUE,
               "max-bytes", (guint64)(4 * 1024 * 1024), NULL);
  gst_caps_unref(caps);
  g_object_set_data(G_OBJECT(src), "vf-need-key", GINT_TO_POINTER(1));
  g_ptr_array_add(out->appsrcs, gst_object_ref(src));
  if (out->eos)
    gst_app_src_end_of_stream(GST_APP_SRC(src));
  g_mutex_unlock(&out->lock);
  g_object_set_data_full(G_OBJECT(media), "vf-appsrc", src, gst_object_unref);
  g_signal_connect(media, "unprepared", G_CALLBACK(on_media_unprepared), out);
  request_key_frame(out);
}

/* ---- the output ---- */

VfRtspOut *vf_rtsp_out_new(const char *host, guint port, const char *mount)
{
  VfRtspOut *out = g_new0(VfRtspOut, 1);
  out->host = g_strdup(host);
  out->port = port;
  out->mount = g_strdup(mount);
  out->appsrcs = g_ptr_array_new_with_free_func(gst_object_unref);
  g_mutex_init(&out->lock);
  return out;
}

void vf_rtsp_out_bind(VfRtspOut *out, GstElement *appsink)
{
  out->appsink = gst_object_ref(appsink);
  GstAppSinkCallbacks cb = { 0 };
  cb.new_sample = on_new_sample;
  cb.eos = on_eos;
  gst_app_sink_set_callbacks(GST_APP_SINK(appsink), &cb, out, NULL);
}

gboolean vf_rtsp_out_start(VfRtspOut *out, GError **error)
{
  if (out->server)
    return TRUE;
  Server *s = server_get(out->host, out->port, error);
  if (s == NULL)
    return FALSE;
  GstRTSPMountPoints *mounts = gst_rtsp_server_get_mount_points(s->server);
  GstRTSPMediaFactory *factory = gst_rtsp_media_factory_new();
  gst_rtsp_media_factory_set_launch(
      factory, "( appsrc name=vfsrc ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 )");
  gst_rtsp_media_factory_set_shared(factory, TRUE);
  g_signal_connect(factory, "media-configure", G_CALLBACK(on_media_configure), out);
  gst_rtsp_mount_points_add_factory(mounts, out->mount, factory);
  g_object_unref(mounts);
  g_mutex_lock(&out->lock);
  out->eos = FALSE;
  g_clear_pointer(&out->caps, gst_caps_unref);
  g_mutex_unlock(&out->lock);
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
  g_mutex_lock(&out->lock);
  for (guint i = 0; i < out->appsrcs->len; i++)
    gst_app_src_end_of_stream(GST_APP_SRC(out->appsrcs->pdata[i]));
  g_mutex_unlock(&out->lock);
  server_unref(out->server);
  out->server = NULL;
  g_mutex_lock(&out->lock);
  g_ptr_array_set_size(out->appsrcs, 0);
  g_mutex_unlock(&out->lock);
}

char *vf_rtsp_out_get_url(VfRtspOut *out)
{
  guint port = out->server ? out->server->port : out->port;
  return g_strdup_printf("rtsp://%s:%u%s", out->host, port, out->mount);
}

void vf_rtsp_out_free(VfRtspOut *out)
{
  if (out == NULL)
    return;
  vf_rtsp_out_stop(out);
  if (out->appsink) {
    GstAppSinkCallbacks cb = { 0 };
    gst_app_sink_set_callbacks(GST_APP_SINK(out->appsink), &cb, NULL, NULL);
    gst_object_unref(out->appsink);
  }
  g_ptr_array_unref(out->appsrcs);
  gst_clear_caps(&out->caps);
  g_mutex_clear(&out->lock);
  g_free(out->host);
  g_free(out->mount);
  g_free(out);
}
