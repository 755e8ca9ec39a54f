/* vidflow: vidflow's own custom objects (names without a dot), registered on first use. */
#pragma once

#include <vidflow/plugin.h>

/* custom-builtins.c: registers the built-in objects once (idempotent, thread-safe). */
void vf_custom_builtins_ensure(void);
