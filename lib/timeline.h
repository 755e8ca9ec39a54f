/* vidflow: timelines that only go forward, for the stamps muxers demand (strictly increasing PTS,
 * one frame's duration apart at least where the frame rate is known).
 *
 * Used by the feeder (do-timestamp: the clock's running time, but never closer than one frame to
 * the frame before, so frames made faster than real time, or in preroll before the clock runs,
 * still get a frame rate's spacing) and by Flow encode (a probe repairing the missing and
 * duplicated stamps some demuxers and decoders give, avidemux with MPEG-4 B-frames for one). */
#pragma once

#include <gst/gst.h>

/* Spacing used where the frame rate is unknown (variable-rate caps). */
#define VF_TIMELINE_MIN_STEP (GST_MSECOND)

typedef struct {
  GstClockTime last; /* PTS given to the last frame; GST_CLOCK_TIME_NONE before the first */
} VfTimeline;

static inline void vf_timeline_reset(VfTimeline *timeline)
{
  timeline->last = GST_CLOCK_TIME_NONE;
}

/* The PTS for a frame whose own time is `pts` (GST_CLOCK_TIME_NONE: unknown): `pts` when it is at
 * least `min_gap` after the last frame's, else the last frame's plus `step`. The first frame
 * keeps its `pts` (0 when unknown). */
GstClockTime vf_timeline_next(VfTimeline *timeline, GstClockTime pts, GstClockTime min_gap,
                              GstClockTime step);

/* The duration of one frame of `caps` (framerate), or GST_CLOCK_TIME_NONE (no or variable rate). */
GstClockTime vf_timeline_frame_duration(const GstCaps *caps);

/* Adds a probe on `pad` (a raw video pad, e.g. an encoder's sink pad) giving every buffer a PTS
 * later than the one before: missing and repeated stamps become the last one plus the frame's
 * duration (its own, else the caps' frame rate). The timeline starts again at each segment and
 * flush. */
void vf_timeline_repair_pad(GstPad *pad);
