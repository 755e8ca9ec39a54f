/* vidflow: the JSON writer (vidflow/json.h). A GString with a stack of open containers. */
#include <vidflow/error.h>
#include <vidflow/json.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Digits that always read back to the same value: FLT_DECIMAL_DIG and DBL_DECIMAL_DIG. */
#define FLOAT_MAX_DIGITS 9
#define DOUBLE_MAX_DIGITS 17

typedef enum {
  IN_OBJECT,
  IN_ARRAY,
} ContainerKind;

typedef struct {
  ContainerKind kind;
  guint members;
  gboolean have_key; /* objects: a key was written, its value is due */
} Container;

struct _VfJsonWriter {
  GString *out;
  GArray *stack; /* Container */
  gboolean done; /* the top-level value is complete */
  char *misuse;  /* the first misuse, or NULL */
};

VfJsonWriter *vf_json_writer_new(void)
{
  VfJsonWriter *w = g_new0(VfJsonWriter, 1);
  w->out = g_string_sized_new(256);
  w->stack = g_array_new(FALSE, FALSE, sizeof(Container));
  return w;
}

void vf_json_writer_free(VfJsonWriter *writer)
{
  if (writer == NULL)
    return;
  g_string_free(writer->out, TRUE);
  g_array_unref(writer->stack);
  g_free(writer->misuse);
  g_free(writer);
}

void vf_json_writer_reset(VfJsonWriter *writer)
{
  if (writer == NULL)
    return;
  g_string_truncate(writer->out, 0);
  g_array_set_size(writer->stack, 0);
  writer->done = FALSE;
  g_clear_pointer(&writer->misuse, g_free);
}

static void misuse(VfJsonWriter *w, const char *what)
{
  if (w->misuse == NULL)
    w->misuse = g_strdup_printf("%s (after \"%.60s%s\")", what, w->out->str,
                                w->out->len > 60 ? "..." : "");
}

static Container *top(VfJsonWriter *w)
{
  return w->stack->len ? &g_array_index(w->stack, Container, w->stack->len - 1) : NULL;
}

/* Before a value: checks the place is right and writes the separator. */
static gboolean value_begins(VfJsonWriter *w)
{
  if (w == NULL || w->misuse)
    return FALSE;
  Container *c = top(w);
  if (c == NULL) {
    if (w->done) {
      misuse(w, "a second top-level value (one document per writer: reset it)");
      return FALSE;
    }
    return TRUE;
  }
  if (c->kind == IN_OBJECT) {
    if (!c->have_key) {
      misuse(w, "a value inside an object without a key (call vf_json_writer_key first)");
      return FALSE;
    }
    c->have_key = FALSE;
    return TRUE;
  }
  if (c->members++ > 0)
    g_string_append_c(w->out, ',');
  return TRUE;
}

/* After a complete value. */
static void value_ends(VfJsonWriter *w)
{
  if (w->stack->len == 0)
    w->done = TRUE;
}

static void push(VfJsonWriter *w, ContainerKind kind, char open)
{
  if (!value_begins(w))
    return;
  Container c = { kind, 0, FALSE };
  g_array_append_val(w->stack, c);
  g_string_append_c(w->out, open);
}

static void pop(VfJsonWriter *w, ContainerKind kind, char close)
{
  if (w == NULL || w->misuse)
    return;
  Container *c = top(w);
  if (c == NULL || c->kind != kind) {
    misuse(w, kind == IN_OBJECT ? "end_object without an open object"
                                : "end_array without an open array");
    return;
  }
  if (c->have_key) {
    misuse(w, "end_object right after a key (the key has no value)");
    return;
  }
  g_array_set_size(w->stack, w->stack->len - 1);
  g_string_append_c(w->out, close);
  value_ends(w);
}

void vf_json_writer_begin_object(VfJsonWriter *writer)
{
  push(writer, IN_OBJECT, '{');
}

void vf_json_writer_end_object(VfJsonWriter *writer)
{
  pop(writer, IN_OBJECT, '}');
}

void vf_json_writer_begin_array(VfJsonWriter *writer)
{
  push(writer, IN_ARRAY, '[');
}

void vf_json_writer_end_array(VfJsonWriter *writer)
{
  pop(writer, IN_ARRAY, ']');
}

/* A JSON string literal of `len` bytes of `s`: escapes, invalid UTF-8 as U+FFFD. */
static void append_quoted(GString *out, const char *s, gsize len)
{
  static const char hex[] = "0123456789abcdef";
  const char *p = s, *end = s + len;
  g_string_append_c(out, '"');
  while (p < end) {
    const char *valid_end;
    g_utf8_validate_len(p, (gsize)(end - p), &valid_end);
    const char *run = p;
    for (; p < valid_end; p++) {
      guchar c = (guchar)*p;
      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      g_string_append_len(out, run, p - run);
      run = p + 1;
      switch (c) {
      case '"':
        g_string_append(out, "\\\"");
        break;
      case '\\':
        g_string_append(out, "\\\\");
        break;
      case '\n':
        g_string_append(out, "\\n");
        break;
      case '\r':
        g_string_append(out, "\\r");
        break;
      case '\t':
        g_string_append(out, "\\t");
        break;
      case '\b':
        g_string_append(out, "\\b");
        break;
      case '\f':
        g_string_append(out, "\\f");
        break;
      default:
        g_string_append(out, "\\u00");
        g_string_append_c(out, hex[c >> 4]);
        g_string_append_c(out, hex[c & 0xf]);
      }
    }
    g_string_append_len(out, run, p - run);
    if (p < end) { /* a NUL (valid, but where validation stops) or one invalid byte */
      g_string_append(out, *p == '\0' ? "\\u0000" : "\\ufffd");
      p++;
    }
  }
  g_string_append_c(out, '"');
}

void vf_json_writer_key(VfJsonWriter *writer, const char *key)
{
  if (writer == NULL || writer->misuse)
    return;
  Container *c = top(writer);
  if (c == NULL || c->kind != IN_OBJECT) {
    misuse(writer, "a key outside an object");
    return;
  }
  if (c->have_key) {
    misuse(writer, "two keys in a row (the first has no value)");
    return;
  }
  if (key == NULL) {
    misuse(writer, "a NULL key");
    return;
  }
  if (c->members++ > 0)
    g_string_append_c(writer->out, ',');
  append_quoted(writer->out, key, strlen(key));
  g_string_append_c(writer->out, ':');
  c->have_key = TRUE;
}

void vf_json_writer_string_len(VfJsonWriter *writer, const char *value, gssize length)
{
  if (!value_begins(writer))
    return;
  if (value == NULL)
    g_string_append(writer->out, "null");
  else
    append_quoted(writer->out, value, length < 0 ? strlen(value) : (gsize)length);
  value_ends(writer);
}

void vf_json_writer_string(VfJsonWriter *writer, const char *value)
{
  vf_json_writer_string_len(writer, value, -1);
}

void vf_json_writer_int(VfJsonWriter *writer, gint64 value)
{
  if (!value_begins(writer))
    return;
  g_string_append_printf(writer->out, "%" G_GINT64_FORMAT, value);
  value_ends(writer);
}

void vf_json_writer_uint(VfJsonWriter *writer, guint64 value)
{
  if (!value_begins(writer))
    return;
  g_string_append_printf(writer->out, "%" G_GUINT64_FORMAT, value);
  value_ends(writer);
}

/* Fixed notation for exponents in this range (100, not 1e+02); scientific outside it. */
#define FIXED_MIN_EXPONENT (-4)
#define FIXED_MAX_EXPONENT 16

/* %.Ng with N from 1 to max_digits: the smallest N that reads back (as a float when
 * `as_float`). Reading back is monotonic in N, so a binary search finds it. */
static void append_shortest(GString *out, gdouble value, gboolean as_float, guint max_digits)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE], best[G_ASCII_DTOSTR_BUF_SIZE];
  char format[8];
  guint lo = 1, hi = max_digits;
  g_snprintf(format, sizeof format, "%%.%ug", hi);
  g_ascii_formatd(best, sizeof best, format, value);
  while (lo < hi) {
    guint mid = (lo + hi) / 2;
    g_snprintf(format, sizeof format, "%%.%ug", mid);
    g_ascii_formatd(buf, sizeof buf, format, value);
    gdouble back = g_ascii_strtod(buf, NULL);
    gboolean same = as_float ? (gfloat)back == (gfloat)value : back == value;
    if (same) {
      hi = mid;
      memcpy(best, buf, sizeof best);
    } else {
      lo = mid + 1;
    }
  }
  const char *e = strchr(best, 'e');
  if (e) {
    gint exponent = atoi(e + 1);
    if (exponent >= FIXED_MIN_EXPONENT && exponent <= FIXED_MAX_EXPONENT) {
      g_snprintf(format, sizeof format, "%%.%df", MAX((gint)hi - 1 - exponent, 0));
      g_ascii_formatd(best, sizeof best, format, value);
    }
  }
  g_string_append(out, best);
}

void vf_json_writer_double(VfJsonWriter *writer, gdouble value)
{
  if (!value_begins(writer))
    return;
  if (!isfinite(value))
    g_string_append(writer->out, "null");
  else
    append_shortest(writer->out, value, FALSE, DOUBLE_MAX_DIGITS);
  value_ends(writer);
}

void vf_json_writer_float(VfJsonWriter *writer, gfloat value)
{
  if (!value_begins(writer))
    return;
  if (!isfinite(value))
    g_string_append(writer->out, "null");
  else
    append_shortest(writer->out, value, TRUE, FLOAT_MAX_DIGITS);
  value_ends(writer);
}

void vf_json_writer_bool(VfJsonWriter *writer, gboolean value)
{
  if (!value_begins(writer))
    return;
  g_string_append(writer->out, value ? "true" : "false");
  value_ends(writer);
}

void vf_json_writer_null(VfJsonWriter *writer)
{
  if (!value_begins(writer))
    return;
  g_string_append(writer->out, "null");
  value_ends(writer);
}

void vf_json_writer_member_string(VfJsonWriter *writer, const char *key, const char *value)
{
  vf_json_writer_key(writer, key);
  vf_json_writer_string(writer, value);
}

void vf_json_writer_member_int(VfJsonWriter *writer, const char *key, gint64 value)
{
  vf_json_writer_key(writer, key);
  vf_json_writer_int(writer, value);
}

void vf_json_writer_member_uint(VfJsonWriter *writer, const char *key, guint64 value)
{
  vf_json_writer_key(writer, key);
  vf_json_writer_uint(writer, value);
}

void vf_json_writer_member_double(VfJsonWriter *writer, const char *key, gdouble value)
{
  vf_json_writer_key(writer, key);
  vf_json_writer_double(writer, value);
}

void vf_json_writer_member_float(VfJsonWriter *writer, const char *key, gfloat value)
{
  vf_json_writer_key(writer, key);
  vf_json_writer_float(writer, value);
}

void vf_json_writer_member_bool(VfJsonWriter *writer, const char *key, gboolean value)
{
  vf_json_writer_key(writer, key);
  vf_json_writer_bool(writer, value);
}

const char *vf_json_writer_get(VfJsonWriter *writer, gsize *length, GError **error)
{
  if (writer == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_ARGUMENT, "JSON writer: no writer given");
    return NULL;
  }
  if (writer->misuse) {
    g_set_error(error, VF_ERROR, VF_ERROR_STATE, "JSON writer misused: %s", writer->misuse);
    return NULL;
  }
  if (!writer->done) {
    if (writer->stack->len)
      g_set_error(error, VF_ERROR, VF_ERROR_STATE,
                  "JSON writer: the document is incomplete (%u object(s) or array(s) still open)",
                  writer->stack->len);
    else
      g_set_error(error, VF_ERROR, VF_ERROR_STATE, "JSON writer: nothing written yet");
    return NULL;
  }
  if (length)
    *length = writer->out->len;
  return writer->out->str;
}

GBytes *vf_json_writer_take_bytes(VfJsonWriter *writer, GError **error)
{
  gsize len;
  const char *s = vf_json_writer_get(writer, &len, error);
  if (s == NULL)
    return NULL;
  GBytes *b = g_bytes_new(s, len);
  vf_json_writer_reset(writer);
  return b;
}
