/* vidflow: Ctrl-C for programs. The handler only counts (async-signal-safe); vf_pipeline_wait
 * polls the count and acts: first interrupt drains with EOS, second stops, third kills. */
#include <vidflow/pipeline.h>

#include "interrupt-private.h"

#include <signal.h>

static volatile sig_atomic_t interrupts;
static volatile sig_atomic_t interrupts_at_wait; /* count when the current wait() began */

static void on_signal(int signum)
{
  interrupts = interrupts + 1;
  if (interrupts - interrupts_at_wait >= 3) {
    /* The program is stuck outside wait(): let the next one end it the usual way. */
    signal(signum, SIG_DFL);
    raise(signum);
  }
}

void vf_handle_interrupts(void)
{
  static gsize installed = 0;
  if (g_once_init_enter(&installed)) {
    struct sigaction sa = { 0 };
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    g_once_init_leave(&installed, 1);
  }
}

guint vf_interrupt_begin_wait(void)
{
  interrupts_at_wait = interrupts;
  return (guint)interrupts_at_wait;
}

guint vf_interrupt_count(void)
{
  return (guint)interrupts;
}
