/* vidflow: checks for encode chains built with the Pipeline API.
 *
 * H.264 in 4:2:0 (what x264enc and the hardware encoders produce for players) needs an even
 * width and height. A video of another size (a 1x1 clip, 641x481 frames) fails inside the encode
 * chain's converter before the encoder sees it, and GStreamer then reports "Internal data stream
 * error" from whatever element pushed first, often the demuxer. With the check in place the
 * encoder is named instead, with the size and what to do. The Flow API's encode() and the
 * `vidflow detect` job use it. */
#pragma once

#include <vidflow/pipeline.h>

G_BEGIN_DECLS

/* Frames entering the encode chain at element `entry` (its sink pad: the first element after
 * the decoded video, before any converter) are checked; a size `encoder` cannot take makes
 * `encoder` post an error (VF_ERROR_FORMAT) naming it, the size and the way out. Call while
 * building (not running). FALSE with an error when an element is unknown or `entry` has no
 * sink pad. */
VF_API gboolean vf_pipeline_check_encoder_input(VfPipeline *pipeline, const char *entry,
                                                const char *encoder, GError **error);

G_END_DECLS
