/* vidflow: vidflow's own custom objects (names without a dot), registered on first use. */
#pragma once

#include <vidflow/plugin.h>

/* custom-builtins.c: registers the built-in objects once (idempotent, thread-safe). */
void vf_custom_builtins_ensure(void);
/* The built-in probes that are the library's own (measure_fps_probe, ...): made by
 * vf_probe_new_builtin with the validated parameters. */
VfProbe *vf_custom_builtin_probe_new(const char *type, const char *instance, const VfParams *params,
                                     GError **error);

/* custom-plugin.c: check parameters against the object's spec without making an instance. */
gboolean vf_custom_check_params(const char *type, const char *const *params, GError **error);

/* custom-plugin.c: a payload generator instance ("plugin.name"): its callbacks and user data
 * (freed by callbacks->destroy). */
gboolean vf_custom_payload_new(const char *type, const char *instance_name,
                               const char *const *params, VfPayloadCallbacks *callbacks,
                               gpointer *user_data, GError **error);

/* message-probe.c: the add_message_meta_probe with its validated parameters. */
VfProbe *vf_message_probe_new(const char *instance, const VfParams *params, GError **error);
