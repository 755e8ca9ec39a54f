/* vidflow: the JSON writer, the one JSON serializer of vidflow (message payloads, JSON lines of
 * the vidflow command and the examples).
 *
 *   VfJsonWriter *w = vf_json_writer_new();
 *   vf_json_writer_begin_object(w);
 *   vf_json_writer_member_string(w, "label", "Person");
 *   vf_json_writer_member_float(w, "confidence", 0.87f);
 *   vf_json_writer_key(w, "bbox");
 *   vf_json_writer_begin_array(w);
 *   ... vf_json_writer_double(w, x) ...
 *   vf_json_writer_end_array(w);
 *   vf_json_writer_end_object(w);
 *   const char *json = vf_json_writer_get(w, NULL, &error);  // {"label":"Person",...}
 *   vf_json_writer_reset(w);                                 // next document, same memory
 *
 * What it guarantees (and json-glib 1.6's generator does not: it writes 0.1 as
 * 0.10000000000000001, NaN as -nan.0 and passes invalid UTF-8 through):
 * - strings: valid UTF-8 out whatever comes in (invalid bytes become U+FFFD), '"', '\\' and
 *   every control character escaped;
 * - numbers: integers exact; doubles and floats in the shortest form that reads back to the same
 *   value (0.1 stays 0.1, a float 0.87f is 0.87), locale-independent ('.' always); NaN and
 *   infinities, which JSON cannot hold, are written as null;
 * - structure: a value inside an object needs a key first, keys only inside objects, ends match
 *   their begins, one value at the top. A misuse does not abort: the writer remembers the first
 *   one, ignores what follows, and vf_json_writer_get reports it.
 * Compact output (no spaces), one document per writer until reset.
 *
 * Threads: a writer is used by one thread at a time; separate writers are independent. */
#pragma once

#include <glib.h>
#include <vidflow/export.h>

G_BEGIN_DECLS

typedef struct _VfJsonWriter VfJsonWriter;

/* (transfer full) an empty writer. */
VF_API VfJsonWriter *vf_json_writer_new(void);
VF_API void vf_json_writer_free(VfJsonWriter *writer);
/* Forget the document (and any misuse) and start again, keeping the memory. */
VF_API void vf_json_writer_reset(VfJsonWriter *writer);

VF_API void vf_json_writer_begin_object(VfJsonWriter *writer);
VF_API void vf_json_writer_end_object(VfJsonWriter *writer);
VF_API void vf_json_writer_begin_array(VfJsonWriter *writer);
VF_API void vf_json_writer_end_array(VfJsonWriter *writer);
/* The key of the next member (inside an object only); NULL is a misuse. */
VF_API void vf_json_writer_key(VfJsonWriter *writer, const char *key);

/* Values. string: NULL writes null. string_len: `length` bytes (-1: up to the NUL). */
VF_API void vf_json_writer_string(VfJsonWriter *writer, const char *value);
VF_API void vf_json_writer_string_len(VfJsonWriter *writer, const char *value, gssize length);
VF_API void vf_json_writer_int(VfJsonWriter *writer, gint64 value);
VF_API void vf_json_writer_uint(VfJsonWriter *writer, guint64 value);
VF_API void vf_json_writer_double(VfJsonWriter *writer, gdouble value);
/* The shortest form that reads back to the same float (fewer digits than the double form). */
VF_API void vf_json_writer_float(VfJsonWriter *writer, gfloat value);
VF_API void vf_json_writer_bool(VfJsonWriter *writer, gboolean value);
VF_API void vf_json_writer_null(VfJsonWriter *writer);

/* key + value in one call. */
VF_API void vf_json_writer_member_string(VfJsonWriter *writer, const char *key, const char *value);
VF_API void vf_json_writer_member_int(VfJsonWriter *writer, const char *key, gint64 value);
VF_API void vf_json_writer_member_uint(VfJsonWriter *writer, const char *key, guint64 value);
VF_API void vf_json_writer_member_double(VfJsonWriter *writer, const char *key, gdouble value);
VF_API void vf_json_writer_member_float(VfJsonWriter *writer, const char *key, gfloat value);
VF_API void vf_json_writer_member_bool(VfJsonWriter *writer, const char *key, gboolean value);

/* (transfer none) the document, NUL-terminated, valid until the next call on the writer; its
 * length in *length (nullable). NULL with VF_ERROR_STATE when it is incomplete (an object or
 * array still open, nothing written) or the writer was misused (the message says how). */
VF_API const char *vf_json_writer_get(VfJsonWriter *writer, gsize *length, GError **error);
/* (transfer full) the document as bytes, or NULL as vf_json_writer_get; the writer is reset. */
VF_API GBytes *vf_json_writer_take_bytes(VfJsonWriter *writer, GError **error);

G_END_DECLS
