/* The sample custom-object plugin: one object of each kind, with typed parameters.
 *
 *   sample.counter   probe      counts buffers and frames; can drop every Nth buffer; writes
 *                               its counts to a file when the pipeline is freed
 *   sample.pattern   provider   synthetic frames (a moving gradient)
 *   sample.image     provider   one encoded image file (JPEG) given again and again, for decode()
 *   sample.checksum  retriever  counts frames and sums their bytes; writes both to a file
 *   sample.csv       payload    a message per frame as one CSV line (vfmsgconv
 *                               payload-type=custom payload-generator=sample.csv)
 *
 * Use: attach("sample.counter", output=/tmp/n.txt), `type: sample.counter` in a Service Maker
 * graph, `inject: [{use: sample.pattern, width: 320}]` in a flow description. */
#include <vidflow/vidflow.h>

#include <stdio.h>
#include <string.h>

/* ---- sample.counter ---- */

typedef struct {
  char *label;
  char *output;
  gint64 drop_every;
  gboolean verbose;
  guint64 buffers, frames, dropped; /* streaming thread only */
} Counter;

static VfProbeReturn counter_on_buffer(VfBuffer *buffer, gpointer data)
{
  Counter *c = data;
  c->buffers++;
  c->frames += MAX(vf_buffer_get_batch_size(buffer), 1);
  if (c->verbose && c->buffers % 100 == 0)
    g_print("%s: %" G_GUINT64_FORMAT " buffers\n", c->label, c->buffers);
  if (c->drop_every > 0 && c->buffers % (guint64)c->drop_every == 0) {
    c->dropped++;
    return VF_PROBE_DROP;
  }
  return VF_PROBE_KEEP;
}

static void counter_destroy(gpointer data)
{
  Counter *c = data;
  if (c->output && *c->output) {
    char *text = g_strdup_printf("label %s\nbuffers %" G_GUINT64_FORMAT
                                 "\nframes %" G_GUINT64_FORMAT "\ndropped %" G_GUINT64_FORMAT "\n",
                                 c->label, c->buffers, c->frames, c->dropped);
    if (!g_file_set_contents(c->output, text, -1, NULL))
      g_printerr("sample.counter: cannot write %s\n", c->output);
    g_free(text);
  }
  g_free(c->label);
  g_free(c->output);
  g_free(c);
}

static gboolean make_counter(const VfParams *params, VfProbeCallbacks *callbacks,
                             gpointer *user_data, GError **error)
{
  gint64 drop = vf_params_get_int(params, "drop-every");
  if (drop < 0) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "sample.counter: drop-every must be 0 (never) or more, not %" G_GINT64_FORMAT,
                drop);
    return FALSE;
  }
  Counter *c = g_new0(Counter, 1);
  const char *label = vf_params_get_string(params, "label");
  c->label = g_strdup(*label ? label : vf_params_get_instance_name(params));
  c->output = g_strdup(vf_params_get_string(params, "output"));
  c->drop_every = drop;
  c->verbose = vf_params_get_bool(params, "verbose");
  callbacks->on_buffer = counter_on_buffer;
  callbacks->destroy = counter_destroy;
  *user_data = c;
  return TRUE;
}

static const VfParamSpec counter_params[] = {
  { "output", VF_PARAM_STRING, "", "file to write the counts to when the pipeline is freed" },
  { "drop-every", VF_PARAM_INT, "0", "drop every Nth buffer (0: never)" },
  { "label", VF_PARAM_STRING, "", "name in messages (default: the instance name)" },
  { "verbose", VF_PARAM_BOOL, "false", "print a line every 100 buffers" },
  { NULL, 0, NULL, NULL },
};

/* ---- sample.pattern ---- */

typedef struct {
  guint width, height;
  gint64 frames, made;
} Pattern;

static VfBuffer *pattern_generate(gsize size, gpointer data, GError **error)
{
  Pattern *p = data;
  if (p->frames >= 0 && p->made >= p->frames)
    return vf_buffer_new_empty();
  VfBuffer *b = vf_buffer_new_frame(VF_COLOR_FORMAT_RGB, p->width, p->height, error);
  VfTensor *t = b ? vf_buffer_extract_writable(b, 0, error) : NULL;
  if (t == NULL) {
    if (b)
      vf_buffer_unref(b);
    return NULL;
  }
  guint8 *px = vf_tensor_get_data(t);
  const gint64 *strides = vf_tensor_get_strides(t);
  guint offset = (guint)(p->made * 4);
  for (guint y = 0; y < p->height; y++)
    for (guint x = 0; x < p->width; x++) {
      guint8 *d = px + y * strides[0] + x * strides[1];
      d[0] = (guint8)(x + offset);
      d[1] = (guint8)(y + offset);
      d[2] = 128;
    }
  vf_tensor_unref(t);
  (void)size;
  p->made++;
  return b;
}

static gboolean make_pattern(const VfParams *params, VfProviderInfo *info,
                             VfProviderCallbacks *callbacks, gpointer *user_data, GError **error)
{
  gint64 w = vf_params_get_int(params, "width"), h = vf_params_get_int(params, "height");
  gint64 fps = vf_params_get_int(params, "fps");
  if (w < 2 || h < 2 || w > 8192 || h > 8192 || fps < 1) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "sample.pattern: width and height must be 2..8192 and fps at least 1");
    return FALSE;
  }
  Pattern *p = g_new0(Pattern, 1);
  p->width = (guint)w;
  p->height = (guint)h;
  p->frames = vf_params_get_int(params, "frames");
  info->format = VF_COLOR_FORMAT_RGB;
  info->width = p->width;
  info->height = p->height;
  info->fps_n = (gint)fps;
  info->fps_d = 1;
  callbacks->generate = pattern_generate;
  callbacks->destroy = g_free;
  *user_data = p;
  return TRUE;
}

static const VfParamSpec pattern_params[] = {
  { "width", VF_PARAM_INT, "320", "frame width" },
  { "height", VF_PARAM_INT, "240", "frame height" },
  { "frames", VF_PARAM_INT, "100", "frames before end of stream (-1: endless)" },
  { "fps", VF_PARAM_INT, "30", "frame rate" },
  { NULL, 0, NULL, NULL },
};

/* ---- sample.image ---- */

typedef struct {
  GBytes *bytes;
  gint64 frames, made;
} Image;

static VfBuffer *image_generate(gsize size, gpointer data, GError **error)
{
  (void)size;
  Image *im = data;
  if (im->made >= im->frames)
    return vf_buffer_new_empty();
  im->made++;
  gsize n;
  gconstpointer bytes = g_bytes_get_data(im->bytes, &n);
  /* zero-copy: the buffer keeps the bytes alive */
  return vf_buffer_new_wrapped(VF_COLOR_FORMAT_JPEG, 0, 0, NULL, (gpointer)bytes, n,
                               g_bytes_ref(im->bytes), (GDestroyNotify)g_bytes_unref, error);
}

static void image_destroy(gpointer data)
{
  Image *im = data;
  g_bytes_unref(im->bytes);
  g_free(im);
}

static gboolean make_image(const VfParams *params, VfProviderInfo *info,
                           VfProviderCallbacks *callbacks, gpointer *user_data, GError **error)
{
  const char *location = vf_params_get_string(params, "location");
  char *contents = NULL;
  gsize len = 0;
  if (!g_file_get_contents(location, &contents, &len, NULL) || len < 4) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND, "sample.image: cannot read '%s'", location);
    g_free(contents);
    return FALSE;
  }
  if ((guint8)contents[0] != 0xff || (guint8)contents[1] != 0xd8) {
    g_set_error(error, VF_ERROR, VF_ERROR_FORMAT, "sample.image: '%s' is not a JPEG file",
                location);
    g_free(contents);
    return FALSE;
  }
  Image *im = g_new0(Image, 1);
  im->bytes = g_bytes_new_take(contents, len);
  im->frames = vf_params_get_int(params, "frames");
  info->format = VF_COLOR_FORMAT_JPEG;
  info->fps_n = (gint)vf_params_get_int(params, "fps");
  info->fps_d = 1;
  callbacks->generate = image_generate;
  callbacks->destroy = image_destroy;
  *user_data = im;
  return TRUE;
}

static const VfParamSpec image_params[] = {
  { "location", VF_PARAM_STRING, NULL, "the JPEG file" },
  { "frames", VF_PARAM_INT, "255", "times it is given before end of stream" },
  { "fps", VF_PARAM_INT, "0", "frame rate (0: none, as still images)" },
  { NULL, 0, NULL, NULL },
};

/* ---- sample.checksum ---- */

typedef struct {
  char *output;
  guint64 frames, sum; /* receiver thread only */
} Checksum;

static int checksum_consume(VfBuffer *buffer, gpointer data)
{
  Checksum *c = data;
  GstBuffer *gb = vf_buffer_get_gst_buffer(buffer);
  GstMapInfo map;
  if (gb == NULL || !gst_buffer_map(gb, &map, GST_MAP_READ))
    return VF_CONSUME_ERROR;
  for (gsize i = 0; i < map.size; i += 64)
    c->sum += map.data[i];
  gst_buffer_unmap(gb, &map);
  c->frames += MAX(vf_buffer_get_batch_size(buffer), 1);
  return VF_CONSUME_OK;
}

static void checksum_destroy(gpointer data)
{
  Checksum *c = data;
  if (c->output && *c->output) {
    char *text = g_strdup_printf("frames %" G_GUINT64_FORMAT "\nsum %" G_GUINT64_FORMAT "\n",
                                 c->frames, c->sum);
    if (!g_file_set_contents(c->output, text, -1, NULL))
      g_printerr("sample.checksum: cannot write %s\n", c->output);
    g_free(text);
  }
  g_free(c->output);
  g_free(c);
}

static gboolean make_checksum(const VfParams *params, VfRetrieverCallbacks *callbacks,
                              gpointer *user_data, GError **error)
{
  (void)error;
  Checksum *c = g_new0(Checksum, 1);
  c->output = g_strdup(vf_params_get_string(params, "output"));
  callbacks->consume = checksum_consume;
  callbacks->destroy = checksum_destroy;
  *user_data = c;
  return TRUE;
}

static const VfParamSpec checksum_params[] = {
  { "output", VF_PARAM_STRING, "", "file to write 'frames N' and 'sum S' to at the end" },
  { NULL, 0, NULL, NULL },
};

/* ---- sample.csv ---- */

typedef struct {
  char *separator;
} Csv;

/* sensor,frame,objects,label label ...: one line per frame; vfmsgconv's streaming thread. */
static GBytes *csv_generate(VfFrameMeta *frame, GPtrArray *objects, gpointer data, GError **error)
{
  (void)error;
  Csv *c = data;
  const char *sensor = vf_frame_meta_get_sensor_id(frame);
  GString *line = g_string_new(NULL);
  g_string_append_printf(line, "%s%s%" G_GUINT64_FORMAT "%s%u%s", sensor ? sensor : "",
                         c->separator, vf_frame_meta_get_frame_number(frame), c->separator,
                         objects->len, c->separator);
  for (guint i = 0; i < objects->len; i++) {
    const char *label = vf_object_meta_get_label(objects->pdata[i]);
    g_string_append_printf(line, "%s%s", i ? " " : "", label ? label : "?");
  }
  return g_string_free_to_bytes(line);
}

static void csv_destroy(gpointer data)
{
  Csv *c = data;
  g_free(c->separator);
  g_free(c);
}

static gboolean make_csv(const VfParams *params, VfPayloadCallbacks *callbacks, gpointer *user_data,
                         GError **error)
{
  const char *separator = vf_params_get_string(params, "separator");
  if (separator == NULL || *separator == '\0') {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "sample.csv: separator must not be empty");
    return FALSE;
  }
  Csv *c = g_new0(Csv, 1);
  c->separator = g_strdup(separator);
  callbacks->generate = csv_generate;
  callbacks->destroy = csv_destroy;
  *user_data = c;
  return TRUE;
}

static const VfParamSpec csv_params[] = {
  { "separator", VF_PARAM_STRING, ",", "between the fields" },
  { NULL, 0, NULL, NULL },
};

static gboolean init(VfPlugin *plugin, GError **error)
{
  return vf_plugin_add_probe(plugin, "counter", "counts (and optionally drops) buffers",
                             counter_params, make_counter, error)
         && vf_plugin_add_provider(plugin, "pattern", "synthetic RGB frames", pattern_params,
                                   make_pattern, error)
         && vf_plugin_add_provider(plugin, "image", "an encoded (JPEG) image, again and again",
                                   image_params, make_image, error)
         && vf_plugin_add_retriever(plugin, "checksum", "counts frames and sums their bytes",
                                    checksum_params, make_checksum, error)
         && vf_plugin_add_payload(plugin, "csv", "a message per frame as a CSV line", csv_params,
                                  make_csv, error);
}

VF_PLUGIN_DEFINE("sample", "vidflow's sample custom objects", init)
