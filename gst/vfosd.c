/* vidflow plugin: vfosd, the nvdsosd equivalent.
 *
 * SECTION:element-vfosd
 *
 * vfosd draws, on every frame of a batch from vfmux (video/x-raw(meta:VfBatch)) or on plain raw
 * video that carries a one-frame VfBatchMeta (after vfinfer, or vfdemux):
 * - each object's box in its class's colour (the tracker's box when a tracker set one), and a
 *   label above it on a background of that colour: "Person 0.87", the tracker id when there is
 *   one ("Person #12 0.87"), then the classifier results ("| glasses 0.91"); keypoints
 *   (object user meta vf-keypoints, from vfinfer) as dots. Boxes are drawn first, labels over
 *   them; a label that would cover another goes inside the top of its box, or below it;
 * - the frame's display metadata (vf_frame_meta_add_display_rect/text/line/circle);
 * - with display-trails, a line through where each tracked object's box bottom centre was over
 *   its last trail-length frames (gst/osd/trails.h), under the boxes.
 * Frames are RGB, RGBA, BGR, BGRA, RGBx, BGRx, NV12 or I420, drawn in place.
 *
 * Writing is copy-on-write per frame (vf_frame_make_writable): a frame whose buffer or memory
 * someone else holds (vfmux batches the sources' buffers without copying them; a tee shares
 * batches between branches) is replaced, in this batch only, by a copy before it is drawn on, so
 * nobody else's frame changes and the upstream buffer goes back to its pool untouched; frames
 * without anything to draw are not touched. copied-frames counts those copies.
 *
 * Frames in memory:CUDAMemory are refused with an element error for now (use cudadownload).
 *
 * Example launch line:
 *   gst-launch-1.0 filesrc location=data/footage/vtest.avi ! decodebin ! mux.sink_0 \
 *     vfmux name=mux ! vfinfer config-file-path=configs/ssd_mobilenet_v2_oid.yaml \
 *     ! vfosd border-width=3 ! vfdemux name=d  d.src_0 ! queue ! videoconvert ! autovideosink
 */
#include "vfosd.h"

#include "draw.h"
#include "trails.h"
#include "vfinfer.h"

#include <math.h>
#include <string.h>
#include <vidflow/frame-map.h>
#include <vidflow/meta.h>
#include <vidflow/source.h>
#include <vidflow/tensor.h>

GST_DEBUG_CATEGORY_STATIC(vf_osd_debug);
#define GST_CAT_DEFAULT vf_osd_debug

#define OSD_FORMATS "{ RGB, RGBA, BGR, BGRA, RGBx, BGRx, NV12, I420 }"
#define OSD_CAPS                                                                                   \
  "video/x-raw(" VF_CAPS_FEATURE_META_BATCH "), format=(string)" OSD_FORMATS "; "                  \
  "video/x-raw, format=(string)" OSD_FORMATS "; "                                                  \
  "video/x-raw(" VF_CAPS_FEATURE_MEMORY_CUDA ", " VF_CAPS_FEATURE_META_BATCH "); "                 \
  "video/x-raw(" VF_CAPS_FEATURE_MEMORY_CUDA ")"

static GstStaticPadTemplate sink_template
    = GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS(OSD_CAPS));
static GstStaticPadTemplate src_template
    = GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(OSD_CAPS));

#define DEFAULT_BORDER_WIDTH 2
#define DEFAULT_FONT "Sans Bold"
#define DEFAULT_TRAIL_LENGTH 30

typedef struct {
  gboolean bbox, labels, text, shapes, trails;
  guint trail_length;
  guint border_width;
  gdouble font_size;
  char *font;
} Settings;

struct _VfOsd {
  GstBaseTransform parent;

  /* object lock */
  Settings props;
  guint64 copied_frames;

  /* streaming thread */
  GstVideoInfo info;
  gboolean batched;
  VfOsdTrails *trails; /* (nullable) made when display-trails is first on */
};

enum {
  PROP_0,
  PROP_DISPLAY_BBOX,
  PROP_DISPLAY_LABELS,
  PROP_DISPLAY_TEXT,
  PROP_DISPLAY_SHAPES,
  PROP_BORDER_WIDTH,
  PROP_FONT_SIZE,
  PROP_FONT,
  PROP_DISPLAY_TRAILS,
  PROP_TRAIL_LENGTH,
  PROP_COPIED_FRAMES,
};

G_DEFINE_TYPE_WITH_CODE(VfOsd, vf_osd, GST_TYPE_BASE_TRANSFORM,
                        GST_DEBUG_CATEGORY_INIT(vf_osd_debug, "vfosd", 0,
                                                "vidflow on-screen display"));
GST_ELEMENT_REGISTER_DEFINE(vfosd, "vfosd", GST_RANK_NONE, VF_TYPE_OSD);

static gboolean vf_osd_set_caps(GstBaseTransform *bt, GstCaps *incaps, GstCaps *outcaps)
{
  (void)outcaps;
  VfOsd *self = VF_OSD(bt);
  VfFrameCaps fc;
  GError *err = NULL;
  if (!vf_frame_caps_parse(incaps, &fc, &err)
      || !vf_frame_map_supported(fc.device, VF_DEVICE_CPU, &err)) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT, ("vfosd '%s': %s", GST_OBJECT_NAME(self), err->message),
                      ("caps %" GST_PTR_FORMAT, incaps));
    g_error_free(err);
    return FALSE;
  }
  self->batched = fc.batched;
  self->info = fc.info;
  return TRUE;
}

static VfOsdColor to_osd(const VfColor *c)
{
  return (VfOsdColor){ (guint8)lround(CLAMP(c->red, 0.f, 1.f) * 255),
                       (guint8)lround(CLAMP(c->green, 0.f, 1.f) * 255),
                       (guint8)lround(CLAMP(c->blue, 0.f, 1.f) * 255),
                       (guint8)lround(CLAMP(c->alpha, 0.f, 1.f) * 255) };
}

/* "Person #12 0.87 | glasses 0.91" (transfer full). */
static char *object_label(VfObjectMeta *o)
{
  GString *s = g_string_new(NULL);
  const char *label = vf_object_meta_get_label(o);
  if (label)
    g_string_append(s, label);
  else
    g_string_append_printf(s, "class %d", vf_object_meta_get_class_id(o));
  guint64 id = vf_object_meta_get_object_id(o);
  if (id != VF_OBJECT_UNTRACKED)
    g_string_append_printf(s, " #%" G_GUINT64_FORMAT, id);
  gfloat conf = vf_object_meta_get_confidence(o);
  if (conf > 0)
    g_string_append_printf(s, " %.2f", conf);
  for (guint i = 0; i < vf_object_meta_get_n_classifications(o); i++) {
    VfClassification c;
    if (!vf_object_meta_get_classification(o, i, &c))
      continue;
    if (c.label)
      g_string_append_printf(s, " | %s %.2f", c.label, c.confidence);
    else
      g_string_append_printf(s, " | class %d %.2f", c.class_id, c.confidence);
  }
  return g_string_free(s, FALSE);
}

static void object_box(VfObjectMeta *o, VfRect *r)
{
  vf_object_meta_get_detector_bbox(o, r);
  if (vf_object_meta_get_object_id(o) != VF_OBJECT_UNTRACKED) {
    VfRect t;
    vf_object_meta_get_tracker_bbox(o, &t);
    if (t.width > 0 && t.height > 0)
      *r = t;
  }
}

static void draw_box(VfOsdFrame *of, VfObjectMeta *o, const Settings *s)
{
  VfRect r;
  object_box(o, &r);
  VfOsdColor color = vf_osd_palette(vf_object_meta_get_class_id(o));
  if (s->border_width > 0)
    vf_osd_draw_rect(of, r.left, r.top, r.width, r.height, s->border_width, color, NULL);
  VfTensor *kp = vf_object_meta_get_user_meta(o, VF_INFER_KEYPOINTS_META);
  if (kp && vf_tensor_get_dtype(kp) == VF_DTYPE_FLOAT32 && vf_tensor_get_ndim(kp) == 2
      && vf_tensor_get_shape(kp)[1] == 2 && vf_tensor_is_contiguous(kp)) {
    const gfloat *xy = vf_tensor_get_data(kp);
    gdouble radius = MAX(2.0, s->border_width);
    for (gint64 i = 0; i < vf_tensor_get_shape(kp)[0]; i++)
      vf_osd_draw_circle(of, xy[2 * i], xy[2 * i + 1], radius, 0, color, &color);
  }
}

/* The trail of each tracked object of the frame, as lines in its class's colour; tracks of the
 * source gone for trail-length frames are forgotten. */
static void draw_trails(VfOsd *self, VfOsdFrame *of, VfFrameMeta *frame, GPtrArray *objects,
                        const Settings *s)
{
  guint source = vf_frame_meta_get_source_id(frame);
  guint64 number = vf_frame_meta_get_frame_number(frame);
  gdouble width = MAX(1.0, s->border_width / 2.0);
  for (guint i = 0; i < objects->len; i++) {
    VfObjectMeta *o = g_ptr_array_index(objects, i);
    guint64 id = vf_object_meta_get_object_id(o);
    if (id == VF_OBJECT_UNTRACKED)
      continue;
    VfRect r;
    object_box(o, &r);
    guint n = 0;
    const VfOsdPoint *p = vf_osd_trails_add(self->trails, source, id, number, r.left + r.width / 2,
                                            r.top + r.height, &n);
    VfOsdColor color = vf_osd_palette(vf_object_meta_get_class_id(o));
    for (guint k = 1; k < n; k++)
      vf_osd_draw_line(of, p[k - 1].x, p[k - 1].y, p[k].x, p[k].y, width, color);
  }
  vf_osd_trails_prune(self->trails, source, number);
}

typedef struct {
  gdouble x0, y0, x1, y1;
} Box;

static gboolean overlaps(const GArray *placed, const Box *b)
{
  for (guint i = 0; i < placed->len; i++) {
    const Box *p = &g_array_index(placed, Box, i);
    if (b->x0 < p->x1 && p->x0 < b->x1 && b->y0 < p->y1 && p->y0 < b->y1)
      return TRUE;
  }
  return FALSE;
}

/* The label goes above the box; where that is off the frame or over a label already drawn,
 * inside the box's top, then below the box; if every place is taken, above it anyway. */
static void draw_label(VfOsdFrame *of, VfObjectMeta *o, const Settings *s, GArray *placed)
{
  VfRect r;
  object_box(o, &r);
  VfOsdColor color = vf_osd_palette(vf_object_meta_get_class_id(o));
  char *text = object_label(o);
  guint tw = 0, th = 0;
  vf_osd_text_size(of, text, s->font, s->font_size, &tw, &th);
  gdouble half = s->bbox ? s->border_width / 2.0 : 0;
  gdouble x = CLAMP(r.left - half, 0.0, MAX(0.0, (gdouble)of->width - tw));
  gdouble ys[3] = { r.top - half - th, r.top + half, r.top + r.height + half };
  Box chosen = { -1, -1, -1, -1 };
  for (guint i = 0; i < G_N_ELEMENTS(ys) && chosen.x0 < 0; i++) {
    Box b = { x, ys[i], x + tw, ys[i] + th };
    if (b.y0 >= 0 && b.y1 <= of->height && !overlaps(placed, &b))
      chosen = b;
  }
  if (chosen.x0 < 0) {
    gdouble y = CLAMP(ys[0], 0.0, MAX(0.0, (gdouble)of->height - th));
    chosen = (Box){ x, y, x + tw, y + th };
  }
  g_array_append_val(placed, chosen);
  VfOsdColor white = { 255, 255, 255, 255 };
  vf_osd_draw_text(of, chosen.x0, chosen.y0, text, s->font, s->font_size, white, &color);
  g_free(text);
}

static void draw_display(VfOsdFrame *of, const VfDisplayItem *d, const Settings *s)
{
  VfOsdColor color = to_osd(&d->color), bg = to_osd(&d->bg_color);
  const VfOsdColor *fill = d->has_bg ? &bg : NULL;
  switch (d->kind) {
  case VF_DISPLAY_RECT:
    if (s->shapes)
      vf_osd_draw_rect(of, d->rect.left, d->rect.top, d->rect.width, d->rect.height, d->line_width,
                       color, fill);
    break;
  case VF_DISPLAY_TEXT:
    if (s->text)
      vf_osd_draw_text(of, d->x1, d->y1, d->text, s->font,
                       d->font_size > 0 ? d->font_size : s->font_size, color, fill);
    break;
  case VF_DISPLAY_LINE:
    if (s->shapes)
      vf_osd_draw_line(of, d->x1, d->y1, d->x2, d->y2, d->line_width, color);
    break;
  case VF_DISPLAY_CIRCLE:
    if (s->shapes)
      vf_osd_draw_circle(of, d->x1, d->y1, d->radius, d->line_width, color, fill);
    break;
  }
}

/* Draw one frame; FALSE with an element error posted. */
static gboolean draw_frame(VfOsd *self, GstBuffer *buf, VfFrameMeta *frame, const Settings *s)
{
  guint n_objects = (s->bbox || s->labels) ? vf_frame_meta_get_n_objects(frame) : 0;
  guint n_items = (s->text || s->shapes) ? vf_frame_meta_get_n_display_items(frame) : 0;
  if (n_objects == 0 && n_items == 0)
    return TRUE;
  gboolean copied = FALSE;
  GError *err = NULL;
  if (!vf_frame_make_writable(buf, frame, &copied, &err)) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("vfosd '%s': %s", GST_OBJECT_NAME(self), err->message),
                      (NULL));
    g_error_free(err);
    return FALSE;
  }
  if (copied) {
    GST_OBJECT_LOCK(self);
    self->copied_frames++;
    GST_OBJECT_UNLOCK(self);
  }
  VfFrameMap map;
  if (!vf_frame_map(&map, buf, frame, VF_DEVICE_CPU, GST_MAP_READWRITE, &err)) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("vfosd '%s': %s", GST_OBJECT_NAME(self), err->message),
                      (NULL));
    g_error_free(err);
    return FALSE;
  }
  VfOsdFrame of;
  guint8 *planes[3] = { map.data[0], map.data[1], map.data[2] };
  gsize strides[3] = { map.stride[0], map.stride[1], map.stride[2] };
  if (map.format == VF_COLOR_FORMAT_GRAY8 || map.format == VF_COLOR_FORMAT_UNKNOWN
      || !vf_osd_frame_init(&of, map.format, GST_VIDEO_INFO_WIDTH(&map.info),
                            GST_VIDEO_INFO_HEIGHT(&map.info), planes, strides, &err)) {
    GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                      ("vfosd '%s': cannot draw on frame %u (%s): vfosd draws on RGB, RGBA, BGR, "
                       "BGRA, RGBx, BGRx, NV12 and I420 (set vfmux format=, or convert upstream)",
                       GST_OBJECT_NAME(self), vf_frame_meta_get_batch_index(frame),
                       GST_VIDEO_INFO_NAME(&map.info)),
                      ("%s", err ? err->message : ""));
    g_clear_error(&err);
    vf_frame_unmap(&map);
    return FALSE;
  }
  GstVideoColorMatrix cm = GST_VIDEO_INFO_COLORIMETRY(&map.info).matrix;
  if (cm == GST_VIDEO_COLOR_MATRIX_BT709)
    of.bt709 = TRUE;
  else if (cm == GST_VIDEO_COLOR_MATRIX_BT601)
    of.bt709 = FALSE;

  if (n_objects > 0) {
    /* boxes first, then labels, so that no box crosses a label */
    GPtrArray *objects = vf_frame_meta_get_objects(frame);
    if (s->trails && self->trails)
      draw_trails(self, &of, frame, objects, s);
    for (guint i = 0; s->bbox && i < objects->len; i++)
      draw_box(&of, g_ptr_array_index(objects, i), s);
    GArray *placed = g_array_new(FALSE, FALSE, sizeof(Box));
    for (guint i = 0; s->labels && i < objects->len; i++)
      draw_label(&of, g_ptr_array_index(objects, i), s, placed);
    g_array_unref(placed);
    g_ptr_array_unref(objects);
  }
  for (guint i = 0; i < n_items; i++) {
    VfDisplayItem item;
    if (!vf_frame_meta_get_display_item(frame, i, &item))
      continue;
    draw_display(&of, &item, s);
    vf_display_item_clear(&item);
  }
  vf_frame_unmap(&map);
  return TRUE;
}

static GstFlowReturn vf_osd_transform_ip(GstBaseTransform *bt, GstBuffer *buf)
{
  VfOsd *self = VF_OSD(bt);
  VfBatchMeta *meta = vf_batch_meta_get(buf);
  if (meta == NULL) {
    if (self->batched) {
      GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                        ("vfosd '%s' got a batched buffer without batch metadata: put vfmux "
                         "upstream",
                         GST_OBJECT_NAME(self)),
                        (NULL));
      return GST_FLOW_ERROR;
    }
    return GST_FLOW_OK; /* a plain frame without metadata: nothing to draw */
  }
  if (!self->batched && vf_batch_meta_get_n_frames(meta) == 1) {
    /* A plain frame: its layout is what the caps (and a GstVideoMeta) say now, whatever
     * converted it since the metadata was made. */
    VfFrameMeta *frame = vf_batch_meta_get_frame(meta, 0);
    GstVideoInfo info;
    vf_frame_layout(&self->info, buf, &info);
    if (vf_frame_meta_get_buffer(frame) == NULL)
      vf_frame_meta_set_video_info(frame, &info);
  }
  Settings s;
  GST_OBJECT_LOCK(self);
  s = self->props;
  s.font = g_strdup(self->props.font);
  GST_OBJECT_UNLOCK(self);
  if (s.trails && self->trails == NULL)
    self->trails = vf_osd_trails_new(s.trail_length);
  GstFlowReturn ret = GST_FLOW_OK;
  for (guint i = 0; i < vf_batch_meta_get_n_frames(meta) && ret == GST_FLOW_OK; i++)
    if (!draw_frame(self, buf, vf_batch_meta_get_frame(meta, i), &s))
      ret = GST_FLOW_ERROR;
  g_free(s.font);
  return ret;
}

static void vf_osd_set_property(GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  VfOsd *self = VF_OSD(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_DISPLAY_BBOX:
    self->props.bbox = g_value_get_boolean(value);
    break;
  case PROP_DISPLAY_LABELS:
    self->props.labels = g_value_get_boolean(value);
    break;
  case PROP_DISPLAY_TEXT:
    self->props.text = g_value_get_boolean(value);
    break;
  case PROP_DISPLAY_SHAPES:
    self->props.shapes = g_value_get_boolean(value);
    break;
  case PROP_BORDER_WIDTH:
    self->props.border_width = g_value_get_uint(value);
    break;
  case PROP_FONT_SIZE:
    self->props.font_size = g_value_get_double(value);
    break;
  case PROP_DISPLAY_TRAILS:
    self->props.trails = g_value_get_boolean(value);
    break;
  case PROP_TRAIL_LENGTH:
    self->props.trail_length = g_value_get_uint(value);
    break;
  case PROP_FONT:
    g_free(self->props.font);
    self->props.font = g_value_dup_string(value);
    if (self->props.font == NULL || *self->props.font == '\0') {
      g_free(self->props.font);
      self->props.font = g_strdup(DEFAULT_FONT);
    }
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void vf_osd_get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  VfOsd *self = VF_OSD(object);
  GST_OBJECT_LOCK(self);
  switch (id) {
  case PROP_DISPLAY_BBOX:
    g_value_set_boolean(value, self->props.bbox);
    break;
  case PROP_DISPLAY_LABELS:
    g_value_set_boolean(value, self->props.labels);
    break;
  case PROP_DISPLAY_TEXT:
    g_value_set_boolean(value, self->props.text);
    break;
  case PROP_DISPLAY_SHAPES:
    g_value_set_boolean(value, self->props.shapes);
    break;
  case PROP_BORDER_WIDTH:
    g_value_set_uint(value, self->props.border_width);
    break;
  case PROP_FONT_SIZE:
    g_value_set_double(value, self->props.font_size);
    break;
  case PROP_FONT:
    g_value_set_string(value, self->props.font);
    break;
  case PROP_DISPLAY_TRAILS:
    g_value_set_boolean(value, self->props.trails);
    break;
  case PROP_TRAIL_LENGTH:
    g_value_set_uint(value, self->props.trail_length);
    break;
  case PROP_COPIED_FRAMES:
    g_value_set_uint64(value, self->copied_frames);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(self);
}

/* Sources that end and flushes forget their trails. */
static gboolean vf_osd_sink_event(GstBaseTransform *bt, GstEvent *event)
{
  VfOsd *self = VF_OSD(bt);
  guint source_id;
  if (self->trails && GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP)
    vf_osd_trails_clear(self->trails);
  else if (self->trails && vf_source_event_is_end(event, &source_id))
    vf_osd_trails_forget_source(self->trails, source_id);
  return GST_BASE_TRANSFORM_CLASS(vf_osd_parent_class)->sink_event(bt, event);
}

/* trail-length may change between runs: the store is made again at the next start. */
static gboolean vf_osd_stop(GstBaseTransform *bt)
{
  VfOsd *self = VF_OSD(bt);
  g_clear_pointer(&self->trails, vf_osd_trails_free);
  return TRUE;
}

static void vf_osd_finalize(GObject *object)
{
  VfOsd *self = VF_OSD(object);
  vf_osd_trails_free(self->trails);
  g_free(self->props.font);
  G_OBJECT_CLASS(vf_osd_parent_class)->finalize(object);
}

static void vf_osd_class_init(VfOsdClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  GstBaseTransformClass *bt_class = GST_BASE_TRANSFORM_CLASS(klass);
  gobject_class->set_property = vf_osd_set_property;
  gobject_class->get_property = vf_osd_get_property;
  gobject_class->finalize = vf_osd_finalize;

  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING;
  g_object_class_install_property(
      gobject_class, PROP_DISPLAY_BBOX,
      g_param_spec_boolean("display-bbox", "Display boxes",
                           "Draw each object's box in its class's colour, and its keypoints "
                           "(default: true)",
                           TRUE, rw));
  g_object_class_install_property(
      gobject_class, PROP_DISPLAY_LABELS,
      g_param_spec_boolean("display-labels", "Display labels",
                           "Draw each object's label above its box: label, tracker id, "
                           "confidence, classifier results (default: true)",
                           TRUE, rw));
  g_object_class_install_property(
      gobject_class, PROP_DISPLAY_TEXT,
      g_param_spec_boolean("display-text", "Display text",
                           "Draw the text items of the frames' display metadata (default: true)",
                           TRUE, rw));
  g_object_class_install_property(
      gobject_class, PROP_DISPLAY_SHAPES,
      g_param_spec_boolean("display-shapes", "Display shapes",
                           "Draw the rectangles, lines and circles of the frames' display "
                           "metadata (default: true)",
                           TRUE, rw));
  g_object_class_install_property(
      gobject_class, PROP_BORDER_WIDTH,
      g_param_spec_uint("border-width", "Border width",
                        "Width of object boxes in pixels; 0: no box (default: 2)", 0, 64,
                        DEFAULT_BORDER_WIDTH, rw));
  g_object_class_install_property(
      gobject_class, PROP_FONT_SIZE,
      g_param_spec_double("font-size", "Font size",
                          "Label text height in pixels; 0: from the frame height (height / 36, "
                          "at least 12) (default: 0)",
                          0, 512, 0, rw));
  g_object_class_install_property(
      gobject_class, PROP_FONT,
      g_param_spec_string("font", "Font",
                          "Pango font of the labels (default: \"" DEFAULT_FONT "\")", DEFAULT_FONT,
                          rw));
  g_object_class_install_property(
      gobject_class, PROP_DISPLAY_TRAILS,
      g_param_spec_boolean("display-trails", "Display trails",
                           "Draw a line through where each tracked object (one with an object "
                           "id, after vftracker) was over its last trail-length frames "
                           "(default: false)",
                           FALSE, rw));
  g_object_class_install_property(
      gobject_class, PROP_TRAIL_LENGTH,
      g_param_spec_uint("trail-length", "Trail length",
                        "Frames a trail goes back; taken when the element starts "
                        "(default: 30)",
                        2, 1000, DEFAULT_TRAIL_LENGTH,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property(
      gobject_class, PROP_COPIED_FRAMES,
      g_param_spec_uint64("copied-frames", "Copied frames",
                          "Frames copied before drawing because their memory was shared "
                          "(copy-on-write; default: 0)",
                          0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(
      element_class, "vidflow on-screen display", "Filter/Editor/Video",
      "Draws object boxes, labels and display metadata on batched or plain frames", "vidflow");
  bt_class->set_caps = GST_DEBUG_FUNCPTR(vf_osd_set_caps);
  bt_class->transform_ip = GST_DEBUG_FUNCPTR(vf_osd_transform_ip);
  bt_class->sink_event = GST_DEBUG_FUNCPTR(vf_osd_sink_event);
  bt_class->stop = GST_DEBUG_FUNCPTR(vf_osd_stop);
  bt_class->passthrough_on_same_caps = FALSE;
  bt_class->transform_ip_on_passthrough = FALSE;
}

static void vf_osd_init(VfOsd *self)
{
  gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
  self->props = (Settings){ .bbox = TRUE,
                            .labels = TRUE,
                            .text = TRUE,
                            .shapes = TRUE,
                            .trails = FALSE,
                            .trail_length = DEFAULT_TRAIL_LENGTH,
                            .border_width = DEFAULT_BORDER_WIDTH,
                            .font_size = 0,
                            .font = g_strdup(DEFAULT_FONT) };
}
