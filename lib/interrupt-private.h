/* vidflow: Ctrl-C handling shared with vf_pipeline_wait. */
#pragma once

#include <glib.h>

/* Interrupts (SIGINT/SIGTERM) received since vf_handle_interrupts() was called. */
guint vf_interrupt_count(void);
/* Marks the start of a wait (the count a third interrupt is measured from); returns the count. */
guint vf_interrupt_begin_wait(void);
