/* vidflow command: what a running pipeline says besides its progress (warnings, sources that
 * reconnect), printed to stderr naming the element. */
#pragma once

#include <vidflow/vidflow.h>

/* Watch `pipeline`'s bus and print its warnings and source reconnections to stderr (from the
 * pipeline's bus thread) until it is freed. `live`: a progress line is being rewritten on the
 * terminal, so each message clears it first. */
void vf_cmd_report_messages(VfPipeline *pipeline, gboolean live);
