/* vidflow: Ctrl-C handling shared with vf_pipeline_start/wait (interrupt.c). */
#pragma once

#include <glib.h>

/* The exit status of a process that a second interrupt ends while nothing acts on it. */
#define VF_EXIT_INTERRUPTED 130

/* Interrupts (SIGINT/SIGTERM) received since vf_handle_interrupts() was called. */
guint vf_interrupt_count(void);
/* A start() or wait() begins to act on interrupts: until vf_interrupt_watch_end, every interrupt
 * broadcasts `cond` under `lock` (from the interrupt thread; the caller must not hold `lock` when
 * calling begin/end). Returns the count the caller measures from: interrupts up to it were acted
 * on already; those after it (even if they came before this call) are the caller's. */
guint vf_interrupt_watch_begin(GMutex *lock, GCond *cond);
/* The watch ends; `acted` (>= what begin returned): the count up to which the caller acted on
 * interrupts, so later watches do not act on them again. */
void vf_interrupt_watch_end(GMutex *lock, GCond *cond, guint acted);
