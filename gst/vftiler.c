/* vidflow plugin: vftiler, the nvmultistreamtiler equivalent.
 *
 * SECTION:element-vftiler
 *
 * vftiler composes the frames of a batch (video/x-raw(meta:VfBatch) from vfmux) into one picture
 * of width x height: a grid of rows x columns tiles (0: chosen from the batch size, as square as
 * possible), source id i in tile i (row-major). Each frame is scaled to its tile (GstVideoConverter
 * on the CPU, straight into the output: no intermediate copies; frames read through vf_frame_map,
 * whatever memories they span); tiles without a frame in a batch are black. With show-source=N
 * only source N is shown, on the whole picture.
 *
 * A frame whose source id has no tile (source ids at or above rows x columns: sources come and go,
 * so ids can outgrow the grid made from the batch size) is not shown: vftiler posts a warning
 * message naming the source and the grid the first time each such source appears, and counts
 * those frames (the dropped property). Set rows and columns to make room, or show-source.
 *
 * The output is one plain frame (video/x-raw, same format as the batch) carrying a one-frame
 * VfBatchMeta: every object and display item of the batch, moved into its tile's coordinates, so
 * vfosd draws detections on the tiled picture.
 *
 * Formats: RGB, RGBA, BGR, BGRA, RGBx, BGRx, NV12, I420 and GRAY8 batches in CPU memory.
 *
 * Example launch line:
 *   gst-launch-1.0 vfmux name=mux batch-size=2 width=640 height=360 ! vftiler width=1280 \
 *     height=360 ! videoconvert ! autovideosink \
 *     videotestsrc num-buffers=100 ! mux.sink_0  videotestsrc pattern=ball num-buffers=100 ! \
 *     mux.sink_1
 */
#include "vftiler.h"

#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>
#include <math.h>
#include <string.h>
#include <vidflow/frame-map.h>
#include <vidflow/meta.h>

GST_DEBUG_CATEGORY_STATIC(vf_tiler_debug);
#define GST_CAT_DEFAULT vf_tiler_debug

#define TILER_FORMATS "{ RGB, RGBA, BGR, BGRA, RGBx, BGRx, NV12, I420, GRAY8 }"
#define DEFAULT_WIDTH 1280
#define DEFAULT_HEIGHT 720

enum {
  PROP_0,
  PROP_ROWS,
  PROP_COLUMNS,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_SHOW_SOURCE,
  PROP_GPU_ID,
  PROP_DROPPED,
};

typedef struct {
  GstVideoInfo in; /* what the converter was made for */
  GstVideoConverter *converter;
} Tile;

struct _VfTiler {
  GstBaseTransform parent;
  /* properties (object lock) */
  guint rows, columns, width, height, gpu_id;
  gint show_source;
  guint64 dropped;
  /* streaming */
  GstVideoInfo out_info;
  guint batch_size;
  guint grid_rows, grid_cols;
  GArray *tiles;      /* Tile, one per tile */
  GHashTable *warned; /* source ids without a tile already reported */
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE(
    "sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS("video/x-raw(" VF_CAPS_FEATURE_META_BATCH "), format=" TILER_FORMATS));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(GST_VIDEO_CAPS_MAKE(TILER_FORMATS)));

G_DEFINE_TYPE_WITH_CODE(VfTiler, vf_tiler, GST_TYPE_BASE_TRANSFORM,
                        GST_DEBUG_CATEGORY_INIT(vf_tiler_debug, "vftiler", 0,
                                                "vidflow batch tiler"));
GST_ELEMENT_REGISTER_DEFINE(vftiler, "vftiler", GST_RANK_NONE, VF_TYPE_TILER);

static void clear_tiles(VfTiler *self)
{
  for (guint i = 0; self->tiles && i < self->tiles->len; i++) {
    Tile *t = &g_array_index(self->tiles, Tile, i);
    if (t->converter)
      gst_video_converter_free(t->converter);
  }
  if (self->tiles)
    g_array_set_size(self->tiles, 0);
}

/* ---- caps ---- */

static GstCaps *transform_caps(GstBaseTransform *trans, GstPadDirection direction, GstCaps *caps,
                               GstCaps *filter)
{
  VfTiler *self = VF_TILER(trans);
  GST_OBJECT_LOCK(self);
  gint w = (gint)(self->width ? self->width : DEFAULT_WIDTH);
  gint h = (gint)(self->height ? self->height : DEFAULT_HEIGHT);
  GST_OBJECT_UNLOCK(self);
  GstCaps *out = gst_caps_new_empty();
  for (guint i = 0; i < gst_caps_get_size(caps); i++) {
    GstStructure *s = gst_structure_copy(gst_caps_get_structure(caps, i));
    gst_structure_remove_fields(s, "width", "height", "batch-size", "pixel-aspect-ratio", NULL);
    if (direction == GST_PAD_SINK) {
      gst_structure_set(s, "width", G_TYPE_INT, w, "height", G_TYPE_INT, h, "pixel-aspect-ratio",
                        GST_TYPE_FRACTION, 1, 1, NULL);
      gst_caps_append_structure(out, s);
    } else {
      gst_caps_append_structure_full(out, s,
                                     gst_caps_features_new(VF_CAPS_FEATURE_META_BATCH, NULL));
    }
  }
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full(filter, out, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref(out);
    out = tmp;
  }
  return out;
}

/* The output is one frame of the output caps, whatever the batch's size. */
static gboolean transform_size(GstBaseTransform *trans, GstPadDirection direction, GstCaps *caps,
                               gsize size, GstCaps *othercaps, gsize *othersize)
{
  (void)trans;
  (void)caps;
  (void)size;
  GstVideoInfo info;
  if (direction != GST_PAD_SINK || !gst_video_info_from_caps(&info, othercaps))
    return FALSE;
  *othersize = GST_VIDEO_INFO_SIZE(&info);
  return TRUE;
}

static gboolean set_caps(GstBaseTransform *trans, GstCaps *incaps, GstCaps *outcaps)
{
  VfTiler *self = VF_TILER(trans);
  if (!gst_video_info_from_caps(&self->out_info, outcaps))
    return FALSE;
  gint size = 0;
  gst_structure_get_int(gst_caps_get_structure(incaps, 0), "batch-size", &size);
  self->batch_size = size > 0 ? (guint)size : 1;
  GST_OBJECT_LOCK(self);
  guint rows = self->rows, cols = self->columns;
  gboolean single = self->show_source >= 0;
  GST_OBJECT_UNLOCK(self);
  if (single) {
    rows = cols = 1;
  } else if (rows == 0 && cols == 0) {
    cols = (guint)ceil(sqrt((double)self->batch_size));
    rows = (self->batch_size + cols - 1) / cols;
  } else if (rows == 0) {
    rows = (self->batch_size + cols - 1) / cols;
  } else if (cols == 0) {
    cols = (self->batch_size + rows - 1) / rows;
  }
  self->grid_rows = MAX(rows, 1);
  self->grid_cols = MAX(cols, 1);
  clear_tiles(self);
  g_array_set_size(self->tiles, self->grid_rows * self->grid_cols);
  GST_INFO_OBJECT(self, "%u x %u tiles of a batch of %u into %dx%d", self->grid_rows,
                  self->grid_cols, self->batch_size, GST_VIDEO_INFO_WIDTH(&self->out_info),
                  GST_VIDEO_INFO_HEIGHT(&self->out_info));
  return TRUE;
}

/* ---- drawing ---- */

/* The tile's rectangle, on even pixels (4:2:0 chroma). */
static void tile_rect(VfTiler *self, guint tile, gint *x, gint *y, gint *w, gint *h)
{
  gint W = GST_VIDEO_INFO_WIDTH(&self->out_info), H = GST_VIDEO_INFO_HEIGHT(&self->out_info);
  guint r = tile / self->grid_cols, c = tile % self->grid_cols;
  gint x0 = (gint)(c * (guint)W / self->grid_cols) & ~1;
  gint x1 = c + 1 == self->grid_cols ? W : (gint)((c + 1) * (guint)W / self->grid_cols) & ~1;
  gint y0 = (gint)(r * (guint)H / self->grid_rows) & ~1;
  gint y1 = r + 1 == self->grid_rows ? H : (gint)((r + 1) * (guint)H / self->grid_rows) & ~1;
  *x = x0;
  *y = y0;
  *w = x1 - x0;
  *h = y1 - y0;
}

/* Black in the output format over the rectangle. */
static void fill_black(GstVideoFrame *frame, gint x, gint y, gint w, gint h)
{
  const GstVideoFormatInfo *finfo = frame->info.finfo;
  gboolean yuv = GST_VIDEO_FORMAT_INFO_IS_YUV(finfo);
  for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES(frame); p++) {
    gint comp[GST_VIDEO_MAX_COMPONENTS];
    gst_video_format_info_component(finfo, p, comp);
    gint px = GST_VIDEO_FORMAT_INFO_SCALE_WIDTH(finfo, comp[0], x);
    gint pw = GST_VIDEO_FORMAT_INFO_SCALE_WIDTH(finfo, comp[0], w);
    gint py = GST_VIDEO_FORMAT_INFO_SCALE_HEIGHT(finfo, comp[0], y);
    gint ph = GST_VIDEO_FORMAT_INFO_SCALE_HEIGHT(finfo, comp[0], h);
    gint pstride = GST_VIDEO_FORMAT_INFO_PSTRIDE(finfo, comp[0]);
    if (GST_VIDEO_FORMAT_INFO_N_PLANES(finfo) == 2 && p == 1)
      pstride = 2; /* NV12: interleaved UV */
    guint8 value = yuv ? (p == 0 ? 16 : 128) : 0;
    guint8 *base = GST_VIDEO_FRAME_PLANE_DATA(frame, p);
    gint stride = GST_VIDEO_FRAME_PLANE_STRIDE(frame, p);
    for (gint row = py; row < py + ph; row++) {
      guint8 *line = base + (gsize)row * stride + (gsize)px * pstride;
      memset(line, value, (gsize)pw * pstride);
      if (!yuv && GST_VIDEO_FORMAT_INFO_HAS_ALPHA(finfo)) {
        gint a = GST_VIDEO_FORMAT_INFO_POFFSET(finfo, GST_VIDEO_COMP_A);
        for (gint i = 0; i < pw; i++)
          line[i * pstride + a] = 255;
      }
    }
  }
}

/* A view of the tile's rectangle of the output frame: a frame of the tile's size whose rows
 * are the output's rows (its strides), so a converter writes straight into the tile. (The 1.22
 * converter's dest-x/dest-y options are not used: with some scale factors it also writes outside
 * the destination rectangle, over the other tiles.) */
static void tile_view(GstVideoFrame *out, gint x, gint y, gint w, gint h, GstVideoFrame *view)
{
  memset(view, 0, sizeof *view);
  gst_video_info_set_format(&view->info, GST_VIDEO_FRAME_FORMAT(out), (guint)w, (guint)h);
  view->info.colorimetry = out->info.colorimetry;
  view->info.chroma_site = out->info.chroma_site;
  const GstVideoFormatInfo *finfo = out->info.finfo;
  for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES(out); p++) {
    gint comp[GST_VIDEO_MAX_COMPONENTS];
    gst_video_format_info_component(finfo, p, comp);
    gint px = GST_VIDEO_FORMAT_INFO_SCALE_WIDTH(finfo, comp[0], x);
    gint py = GST_VIDEO_FORMAT_INFO_SCALE_HEIGHT(finfo, comp[0], y);
    gint pstride = GST_VIDEO_FORMAT_INFO_PSTRIDE(finfo, comp[0]);
    view->info.stride[p] = GST_VIDEO_FRAME_PLANE_STRIDE(out, p);
    view->data[p] = (guint8 *)GST_VIDEO_FRAME_PLANE_DATA(out, p)
                    + (gsize)py * GST_VIDEO_FRAME_PLANE_STRIDE(out, p) + (gsize)px * pstride;
  }
}

static GstVideoConverter *converter_for(Tile *t, const GstVideoInfo *in, const GstVideoInfo *tile)
{
  if (t->converter && gst_video_info_is_equal(&t->in, in))
    return t->converter;
  if (t->converter)
    gst_video_converter_free(t->converter);
  GstStructure *config
      = gst_structure_new("vftiler", GST_VIDEO_CONVERTER_OPT_THREADS, G_TYPE_UINT, 1, NULL);
  GstVideoInfo dest = *tile; /* the converter wants the same rate and interlacing */
  dest.fps_n = in->fps_n;
  dest.fps_d = in->fps_d;
  dest.interlace_mode = in->interlace_mode;
  t->converter = gst_video_converter_new((GstVideoInfo *)in, &dest, config);
  t->in = *in;
  return t->converter;
}

/* Move one frame's objects and display items into the tile. */
static void copy_meta(VfFrameMeta *from, VfFrameMeta *to, const GstVideoInfo *in, gint x, gint y,
                      gint w, gint h)
{
  gfloat sx = (gfloat)w / (gfloat)GST_VIDEO_INFO_WIDTH(in);
  gfloat sy = (gfloat)h / (gfloat)GST_VIDEO_INFO_HEIGHT(in);
  GPtrArray *objects = vf_frame_meta_get_objects(from);
  for (guint i = 0; i < objects->len; i++) {
    VfObjectMeta *o = vf_object_meta_copy(objects->pdata[i]);
    VfRect r;
    vf_object_meta_get_detector_bbox(o, &r);
    VfRect moved = { x + r.left * sx, y + r.top * sy, r.width * sx, r.height * sy };
    vf_object_meta_set_detector_bbox(o, &moved);
    vf_object_meta_get_tracker_bbox(o, &r);
    VfRect tmoved = { x + r.left * sx, y + r.top * sy, r.width * sx, r.height * sy };
    vf_object_meta_set_tracker_bbox(o, &tmoved);
    vf_frame_meta_add_object(to, o);
    vf_object_meta_unref(o);
  }
  g_ptr_array_unref(objects);
  guint n = vf_frame_meta_get_n_display_items(from);
  for (guint i = 0; i < n; i++) {
    VfDisplayItem d;
    if (!vf_frame_meta_get_display_item(from, i, &d))
      continue;
    switch (d.kind) {
    case VF_DISPLAY_RECT: {
      VfRect r
          = { x + d.rect.left * sx, y + d.rect.top * sy, d.rect.width * sx, d.rect.height * sy };
      vf_frame_meta_add_display_rect(to, &r, d.line_width, &d.color, d.has_bg ? &d.bg_color : NULL);
      break;
    }
    case VF_DISPLAY_TEXT:
      vf_frame_meta_add_display_text(to, x + d.x1 * sx, y + d.y1 * sy, d.text, d.font_size,
                                     &d.color, d.has_bg ? &d.bg_color : NULL);
      break;
    case VF_DISPLAY_LINE:
      vf_frame_meta_add_display_line(to, x + d.x1 * sx, y + d.y1 * sy, x + d.x2 * sx, y + d.y2 * sy,
                                     d.line_width, &d.color);
      break;
    case VF_DISPLAY_CIRCLE:
      vf_frame_meta_add_display_circle(to, x + d.x1 * sx, y + d.y1 * sy, d.radius * MIN(sx, sy),
                                       d.line_width, &d.color, d.has_bg ? &d.bg_color : NULL);
      break;
    }
    vf_display_item_clear(&d);
  }
}

/* A frame whose source has no tile: counted, and reported once per source. */
static void no_tile(VfTiler *self, guint source, guint n_tiles)
{
  GST_OBJECT_LOCK(self);
  self->dropped++;
  gboolean first = g_hash_table_add(self->warned, GUINT_TO_POINTER(source));
  GST_OBJECT_UNLOCK(self);
  if (first)
    GST_ELEMENT_WARNING(self, STREAM, FAILED,
                        ("vftiler '%s': source %u has no tile in the %u x %u grid (tiles 0..%u): "
                         "its frames are not shown; set rows and columns for more tiles, or "
                         "show-source",
                         GST_OBJECT_NAME(self), source, self->grid_rows, self->grid_cols,
                         n_tiles - 1),
                        (NULL));
  else
    GST_LOG_OBJECT(self, "frame of source %u not shown: no tile", source);
}

static GstFlowReturn transform(GstBaseTransform *trans, GstBuffer *inbuf, GstBuffer *outbuf)
{
  VfTiler *self = VF_TILER(trans);
  VfBatchMeta *batch = vf_batch_meta_get(inbuf);
  if (batch == NULL) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("vftiler: a buffer without batch metadata"),
                      ("put vfmux upstream"));
    return GST_FLOW_ERROR;
  }
  GST_OBJECT_LOCK(self);
  gint show = self->show_source;
  GST_OBJECT_UNLOCK(self);
  /* the meta first: a mapped frame holds a reference, and metas go on writable buffers only */
  VfBatchMeta *out_meta = vf_batch_meta_add_single(outbuf, &self->out_info);
  VfFrameMeta *out_frame = out_meta ? vf_batch_meta_get_frame(out_meta, 0) : NULL;
  if (out_frame == NULL) {
    GST_ELEMENT_ERROR(self, CORE, FAILED, ("vftiler: cannot add metadata to its output"), (NULL));
    return GST_FLOW_ERROR;
  }
  VfFrameMap out_map;
  GError *err = NULL;
  if (!vf_frame_map_buffer(&out_map, outbuf, &self->out_info, VF_DEVICE_CPU, GST_MAP_WRITE, &err)) {
    GST_ELEMENT_ERROR(self, CORE, FAILED,
                      ("vftiler '%s': its output: %s", GST_OBJECT_NAME(self), err->message),
                      (NULL));
    g_error_free(err);
    return GST_FLOW_ERROR;
  }
  GstVideoFrame out;
  vf_frame_map_to_video_frame(&out_map, &out);
  guint n_tiles = self->grid_rows * self->grid_cols;
  gboolean *drawn = g_newa(gboolean, n_tiles);
  memset(drawn, 0, sizeof(gboolean) * n_tiles);
  GstFlowReturn ret = GST_FLOW_OK;
  guint n = vf_batch_meta_get_n_frames(batch);
  for (guint i = 0; i < n && ret == GST_FLOW_OK; i++) {
    VfFrameMeta *frame = vf_batch_meta_get_frame(batch, i);
    guint source = vf_frame_meta_get_source_id(frame);
    guint tile;
    if (show >= 0) {
      if (source != (guint)show)
        continue;
      tile = 0;
    } else {
      tile = source;
    }
    if (tile >= n_tiles) {
      no_tile(self, source, n_tiles);
      continue;
    }
    if (drawn[tile])
      continue;
    const GstVideoInfo *in = vf_frame_meta_get_video_info(frame);
    if (GST_VIDEO_INFO_FORMAT(in) != GST_VIDEO_INFO_FORMAT(&self->out_info)) {
      GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                        ("vftiler '%s': frame of source %u is %s, the batch's caps say %s",
                         GST_OBJECT_NAME(self), source, GST_VIDEO_INFO_NAME(in),
                         GST_VIDEO_INFO_NAME(&self->out_info)),
                        (NULL));
      ret = GST_FLOW_ERROR;
      break;
    }
    VfFrameMap map;
    if (!vf_frame_map(&map, inbuf, frame, VF_DEVICE_CPU, GST_MAP_READ, &err)) {
      GST_ELEMENT_ERROR(self, STREAM, FAILED,
                        ("vftiler '%s': %s", GST_OBJECT_NAME(self), err->message), (NULL));
      g_clear_error(&err);
      ret = GST_FLOW_ERROR;
      break;
    }
    GstVideoFrame src;
    vf_frame_map_to_video_frame(&map, &src);
    gint x, y, w, h;
    tile_rect(self, tile, &x, &y, &w, &h);
    GST_LOG_OBJECT(self, "source %u -> tile %u (%d,%d %dx%d): %s %dx%d strides %d/%d/%d", source,
                   tile, x, y, w, h, GST_VIDEO_INFO_NAME(in), GST_VIDEO_INFO_WIDTH(in),
                   GST_VIDEO_INFO_HEIGHT(in), in->stride[0], in->stride[1], in->stride[2]);
    GstVideoFrame view;
    tile_view(&out, x, y, w, h, &view);
    GstVideoConverter *conv
        = converter_for(&g_array_index(self->tiles, Tile, tile), &src.info, &view.info);
    gst_video_converter_frame(conv, &src, &view);
    vf_frame_unmap(&map);
    drawn[tile] = TRUE;
    copy_meta(frame, out_frame, in, x, y, w, h);
  }
  for (guint t = 0; t < n_tiles && ret == GST_FLOW_OK; t++) {
    if (drawn[t] || (show >= 0 && t > 0))
      continue;
    gint x, y, w, h;
    tile_rect(self, t, &x, &y, &w, &h);
    fill_black(&out, x, y, w, h);
  }
  vf_frame_unmap(&out_map);
  return ret;
}

/* The batch meta describes the batch: the output gets its own one-frame meta instead, */
static gboolean transform_meta(GstBaseTransform *trans, GstBuffer *outbuf, GstMeta *meta,
                               GstBuffer *inbuf)
{
  /* nor do metas about the input's frames (a GstVideoMeta with the batch's strides) */
  if (meta->info->api == VF_BATCH_META_API_TYPE
      || gst_meta_api_type_has_tag(meta->info->api,
                                   g_quark_from_static_string(GST_META_TAG_VIDEO_STR)))
    return FALSE;
  return GST_BASE_TRANSFORM_CLASS(vf_tiler_parent_class)
      ->transform_meta(trans, outbuf, meta, inbuf);
}

static gboolean stop(GstBaseTransform *trans)
{
  VfTiler *self = VF_TILER(trans);
  clear_tiles(self);
  GST_OBJECT_LOCK(self);
  g_hash_table_remove_all(self->warned);
  GST_OBJECT_UNLOCK(self);
  return TRUE;
}

/* ---- properties ---- */

static void set_property(GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  VfTiler *self = VF_TILER(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_ROWS:
    self->rows = g_value_get_uint(value);
    break;
  case PROP_COLUMNS:
    self->columns = g_value_get_uint(value);
    break;
  case PROP_WIDTH:
    self->width = g_value_get_uint(value);
    break;
  case PROP_HEIGHT:
    self->height = g_value_get_uint(value);
    break;
  case PROP_SHOW_SOURCE:
    self->show_source = g_value_get_int(value);
    break;
  case PROP_GPU_ID:
    self->gpu_id = g_value_get_uint(value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(self);
  if (id != PROP_GPU_ID)
    gst_base_transform_reconfigure_src(GST_BASE_TRANSFORM(self));
}

static void get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  VfTiler *self = VF_TILER(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_ROWS:
    g_value_set_uint(value, self->rows);
    break;
  case PROP_COLUMNS:
    g_value_set_uint(value, self->columns);
    break;
  case PROP_WIDTH:
    g_value_set_uint(value, self->width);
    break;
  case PROP_HEIGHT:
    g_value_set_uint(value, self->height);
    break;
  case PROP_SHOW_SOURCE:
    g_value_set_int(value, self->show_source);
    break;
  case PROP_GPU_ID:
    g_value_set_uint(value, self->gpu_id);
    break;
  case PROP_DROPPED:
    g_value_set_uint64(value, self->dropped);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void finalize(GObject *object)
{
  VfTiler *self = VF_TILER(object);
  clear_tiles(self);
  g_array_unref(self->tiles);
  g_hash_table_unref(self->warned);
  G_OBJECT_CLASS(vf_tiler_parent_class)->finalize(object);
}

static void vf_tiler_class_init(VfTilerClass *klass)
{
  GObjectClass *oclass = G_OBJECT_CLASS(klass);
  GstElementClass *eclass = GST_ELEMENT_CLASS(klass);
  GstBaseTransformClass *tclass = GST_BASE_TRANSFORM_CLASS(klass);
  oclass->set_property = set_property;
  oclass->get_property = get_property;
  oclass->finalize = finalize;
  tclass->transform_caps = transform_caps;
  tclass->set_caps = set_caps;
  tclass->transform_size = transform_size;
  tclass->transform = transform;
  tclass->stop = stop;
  tclass->transform_meta = transform_meta;
  tclass->passthrough_on_same_caps = FALSE;

  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  g_object_class_install_property(
      oclass, PROP_ROWS,
      g_param_spec_uint("rows", "Rows", "Rows of tiles (0: from the batch size)", 0, 64, 0, rw));
  g_object_class_install_property(oclass, PROP_COLUMNS,
                                  g_param_spec_uint("columns", "Columns",
                                                    "Columns of tiles (0: from the batch size)", 0,
                                                    64, 0, rw));
  g_object_class_install_property(
      oclass, PROP_WIDTH,
      g_param_spec_uint("width", "Width", "Width of the tiled picture (0: 1280)", 0, 16384, 0, rw));
  g_object_class_install_property(oclass, PROP_HEIGHT,
                                  g_param_spec_uint("height", "Height",
                                                    "Height of the tiled picture (0: 720)", 0,
                                                    16384, 0, rw));
  g_object_class_install_property(
      oclass, PROP_SHOW_SOURCE,
      g_param_spec_int("show-source", "Show source",
                       "Show only this source id on the whole picture (-1: every source, tiled)",
                       -1, G_MAXINT, -1, rw));
  g_object_class_install_property(
      oclass, PROP_GPU_ID,
      g_param_spec_uint("gpu-id", "GPU id", "CUDA device (composition is on the CPU in this build)",
                        0, G_MAXUINT, 0, rw));
  g_object_class_install_property(
      oclass, PROP_DROPPED,
      g_param_spec_uint64("dropped", "Dropped frames",
                          "Frames not shown because their source id has no tile (default: 0)", 0,
                          G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  gst_element_class_add_static_pad_template(eclass, &sink_template);
  gst_element_class_add_static_pad_template(eclass, &src_template);
  gst_element_class_set_static_metadata(eclass, "vidflow tiler", "Filter/Converter/Video",
                                        "Composes the frames of a batch into one tiled picture",
                                        "vidflow");
}

static void vf_tiler_init(VfTiler *self)
{
  self->show_source = -1;
  self->tiles = g_array_new(FALSE, TRUE, sizeof(Tile));
  self->warned = g_hash_table_new(NULL, NULL);
}
