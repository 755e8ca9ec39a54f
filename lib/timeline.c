/* vidflow: timelines that only go forward (see timeline.h). */
#include "timeline.h"

#include <gst/video/video.h>

GstClockTime vf_timeline_next(VfTimeline *timeline, GstClockTime pts, GstClockTime min_gap,
                              GstClockTime step)
{
  GstClockTime out;
  if (!GST_CLOCK_TIME_IS_VALID(timeline->last))
    out = GST_CLOCK_TIME_IS_VALID(pts) ? pts : 0;
  else if (GST_CLOCK_TIME_IS_VALID(pts) && pts >= timeline->last + MAX(min_gap, 1))
    out = pts;
  else
    out = timeline->last + MAX(step, 1);
  timeline->last = out;
  return out;
}

GstClockTime vf_timeline_frame_duration(const GstCaps *caps)
{
  gint n = 0, d = 1;
  if (caps == NULL || gst_caps_get_size(caps) == 0
      || !gst_structure_get_fraction(gst_caps_get_structure(caps, 0), "framerate", &n, &d) || n <= 0
      || d <= 0)
    return GST_CLOCK_TIME_NONE;
  return gst_util_uint64_scale_int(GST_SECOND, d, n);
}

typedef struct {
  VfTimeline timeline;
  GstClockTime frame; /* from the caps; NONE: unknown */
  guint repaired;
} Repair;

static GstPadProbeReturn repair_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Repair *r = data;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
    GstClockTime dur = GST_BUFFER_DURATION_IS_VALID(buf) ? GST_BUFFER_DURATION(buf) : r->frame;
    if (!GST_CLOCK_TIME_IS_VALID(dur))
      dur = VF_TIMELINE_MIN_STEP;
    GstClockTime pts = vf_timeline_next(&r->timeline, GST_BUFFER_PTS(buf), 1, dur);
    if (pts != GST_BUFFER_PTS(buf)) {
      if (r->repaired++ == 0)
        GST_INFO_OBJECT(pad, "repairing timestamps: %" GST_TIME_FORMAT " becomes %" GST_TIME_FORMAT,
                        GST_TIME_ARGS(GST_BUFFER_PTS(buf)), GST_TIME_ARGS(pts));
      buf = gst_buffer_make_writable(buf); /* shallow: the memory is shared */
      GST_BUFFER_PTS(buf) = pts;
      GST_PAD_PROBE_INFO_DATA(info) = buf;
    }
    return GST_PAD_PROBE_OK;
  }
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);
  switch (GST_EVENT_TYPE(event)) {
  case GST_EVENT_CAPS: {
    GstCaps *caps;
    gst_event_parse_caps(event, &caps);
    r->frame = vf_timeline_frame_duration(caps);
    break;
  }
  case GST_EVENT_SEGMENT:
  case GST_EVENT_FLUSH_STOP:
    vf_timeline_reset(&r->timeline);
    break;
  default:
    break;
  }
  return GST_PAD_PROBE_OK;
}

void vf_timeline_repair_pad(GstPad *pad)
{
  Repair *r = g_new0(Repair, 1);
  vf_timeline_reset(&r->timeline);
  r->frame = GST_CLOCK_TIME_NONE;
  gst_pad_add_probe(pad,
                    GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM
                        | GST_PAD_PROBE_TYPE_EVENT_FLUSH,
                    repair_probe, r, g_free);
}
