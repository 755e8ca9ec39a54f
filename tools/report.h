/* vidflow command: what a running pipeline says besides its progress (warnings, source messages,
 * recordings), printed to stderr naming the element. */
#pragma once

#include <vidflow/vidflow.h>

/* Exit status of a run stopped by a second Ctrl-C (the shell's for SIGINT). */
#define VF_CMD_EXIT_INTERRUPTED 130

/* Watch `pipeline`'s bus and print its warnings, infos, source reconnections and failures and
 * finished recordings to stderr (from the pipeline's bus thread) until it is freed. `live`: a
 * progress line is being rewritten on the terminal, so each message clears it first. `sources`:
 * also each source added, ended and removed (vfmux's messages, source.h). */
void vf_cmd_report_messages(VfPipeline *pipeline, gboolean live, gboolean sources);
