/* vidflow: Ctrl-C handling shared with vf_pipeline_wait. */
#pragma once

#include <glib.h>

/* Interrupts (SIGINT/SIGTERM) received since vf_handle_interrupts() was called. */
guint vf_interrupt_count(void);
