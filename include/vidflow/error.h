/* vidflow: one error domain for the whole API.
 *
 * Rule (as libuv's): a call that fails returns FALSE/NULL and sets *error (when error is not NULL);
 * it never fires the callbacks it was given. Messages name the element, pad, property or file that
 * is wrong and say what to do.
 *
 * Bad arguments never abort or crash (no critical warnings either, so G_DEBUG=fatal-criticals is
 * safe): a function with a GError fails with VF_ERROR_ARGUMENT (or a more precise code) naming
 * the argument; one without a GError does nothing for a NULL object and returns its neutral value
 * (0, FALSE, NULL, *_UNKNOWN, GST_CLOCK_TIME_NONE; headers say where it is another one); free and
 * unref functions accept NULL. Constructors of objects handed to attach_* (vf_feeder_new,
 * vf_receiver_new, vf_probe_new) never return NULL: what is wrong with their arguments is
 * reported when attaching. */
#pragma once

#include <glib.h>
#include <vidflow/export.h>

G_BEGIN_DECLS

#define VF_ERROR (vf_error_quark())

typedef enum {
  VF_ERROR_FAILED,      /* anything not covered below */
  VF_ERROR_NOT_FOUND,   /* unknown element factory, element name, pad or file */
  VF_ERROR_PROPERTY,    /* unknown property */
  VF_ERROR_VALUE,       /* a value that cannot be converted or is out of range */
  VF_ERROR_LINK,        /* pads that cannot be linked (caps, direction, missing pad) */
  VF_ERROR_STATE,       /* call not allowed in the pipeline's current state */
  VF_ERROR_STREAM,      /* an error posted by an element while streaming */
  VF_ERROR_FORMAT,      /* caps or colour format mismatch */
  VF_ERROR_SIZE,        /* buffer of the wrong size */
  VF_ERROR_ARGUMENT,    /* bad argument to an API call */
  VF_ERROR_UNSUPPORTED, /* valid request that this build cannot do */
  VF_ERROR_INTERRUPTED, /* stopped by the user (second Ctrl-C) */
  VF_ERROR_TIMEOUT,     /* a deadline passed: a drain that did not finish (the message says what
                         * was stuck), a callback that did not return */
} VfError;

VF_API GQuark vf_error_quark(void);

G_END_DECLS
