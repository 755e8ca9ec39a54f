/* vidflow tests: the JSON writer (vidflow/json.h). Every document is read back with json-glib's
 * parser, an independent implementation, and compared with what was written. */
#include "../test-util.h"

#include <json-glib/json-glib.h>
#include <math.h>

static JsonNode *parse(const char *text)
{
  JsonParser *p = json_parser_new();
  GError *err = NULL;
  gboolean ok = json_parser_load_from_data(p, text, -1, &err);
  if (!ok)
    g_error("not JSON (%s): %s", err->message, text);
  JsonNode *root = json_node_copy(json_parser_get_root(p));
  g_object_unref(p);
  return root;
}

static const char *get(VfJsonWriter *w)
{
  GError *err = NULL;
  const char *s = vf_json_writer_get(w, NULL, &err);
  VF_ASSERT_OK(s != NULL, err);
  return s;
}

static void test_document(void)
{
  VfJsonWriter *w = vf_json_writer_new();
  vf_json_writer_begin_object(w);
  vf_json_writer_member_string(w, "label", "Person");
  vf_json_writer_member_int(w, "class_id", -3);
  vf_json_writer_member_uint(w, "frame", G_MAXUINT64);
  vf_json_writer_member_bool(w, "tracked", TRUE);
  vf_json_writer_key(w, "none");
  vf_json_writer_null(w);
  vf_json_writer_key(w, "bbox");
  vf_json_writer_begin_array(w);
  vf_json_writer_float(w, 1.5f);
  vf_json_writer_begin_object(w);
  vf_json_writer_end_object(w);
  vf_json_writer_begin_array(w);
  vf_json_writer_end_array(w);
  vf_json_writer_end_array(w);
  vf_json_writer_end_object(w);
  g_assert_cmpstr(get(w), ==,
                  "{\"label\":\"Person\",\"class_id\":-3,\"frame\":18446744073709551615,"
                  "\"tracked\":true,\"none\":null,\"bbox\":[1.5,{},[]]}");
  /* reset: the next document */
  vf_json_writer_reset(w);
  vf_json_writer_int(w, G_MININT64);
  g_assert_cmpstr(get(w), ==, "-9223372036854775808");
  vf_json_writer_free(w);
}

/* Doubles and floats: the shortest text that reads back to the same value. */
static void test_numbers(void)
{
  VfJsonWriter *w = vf_json_writer_new();
  const struct {
    gdouble v;
    const char *text;
  } doubles[] = { { 0.1, "0.1" },
                  { 1.0 / 3, "0.3333333333333333" },
                  { 100, "100" },
                  { -0.0, "-0" },
                  { 1e300, "1e+300" },
                  { 5e-324, "5e-324" },
                  { 123456.789, "123456.789" } };
  for (guint i = 0; i < G_N_ELEMENTS(doubles); i++) {
    vf_json_writer_reset(w);
    vf_json_writer_double(w, doubles[i].v);
    g_assert_cmpstr(get(w), ==, doubles[i].text);
  }
  vf_json_writer_reset(w);
  vf_json_writer_float(w, 0.87f); /* as a double it would be 0.87000000476837158 */
  g_assert_cmpstr(get(w), ==, "0.87");
  /* NaN and infinities are not JSON: null */
  vf_json_writer_reset(w);
  vf_json_writer_begin_array(w);
  vf_json_writer_double(w, NAN);
  vf_json_writer_double(w, INFINITY);
  vf_json_writer_float(w, -INFINITY);
  vf_json_writer_end_array(w);
  g_assert_cmpstr(get(w), ==, "[null,null,null]");

  /* random values read back exactly by another parser */
  GRand *r = g_rand_new_with_seed(11);
  for (guint i = 0; i < 2000; i++) {
    gdouble d = (g_rand_double(r) - 0.5) * pow(10, g_rand_int_range(r, -30, 30));
    gfloat f = (gfloat)((g_rand_double(r) - 0.5) * pow(10, g_rand_int_range(r, -8, 8)));
    vf_json_writer_reset(w);
    vf_json_writer_begin_array(w);
    vf_json_writer_double(w, d);
    vf_json_writer_float(w, f);
    vf_json_writer_end_array(w);
    JsonNode *n = parse(get(w));
    JsonArray *a = json_node_get_array(n);
    g_assert_true(json_array_get_double_element(a, 0) == d);
    g_assert_true((gfloat)json_array_get_double_element(a, 1) == f);
    /* and no longer than needed: %.9g always reads back for floats */
    char longest[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(longest, sizeof longest, "%.9g", f);
    const char *text = get(w);
    const char *comma = strchr(text, ',');
    g_assert_cmpuint(strlen(comma + 1) - 1, <=, strlen(longest));
    json_node_unref(n);
  }
  g_rand_free(r);
  vf_json_writer_free(w);
}

static void test_strings(void)
{
  VfJsonWriter *w = vf_json_writer_new();
  const char *input = "quote\" back\\ nl\n tab\t bell\a del\x7f é \xe2\x82\xac";
  vf_json_writer_string(w, input);
  const char *text = get(w);
  g_assert_nonnull(strstr(text, "\\\""));
  g_assert_nonnull(strstr(text, "\\n"));
  g_assert_nonnull(strstr(text, "\\u0007"));
  JsonNode *n = parse(text);
  g_assert_cmpstr(json_node_get_string(n), ==, input);
  json_node_unref(n);

  /* invalid UTF-8 becomes U+FFFD; an embedded NUL with an explicit length is escaped */
  vf_json_writer_reset(w);
  vf_json_writer_begin_array(w);
  vf_json_writer_string(w, "a\xff"
                           "b\xc3");
  vf_json_writer_string_len(w, "x\0y", 3);
  vf_json_writer_string(w, NULL);
  vf_json_writer_end_array(w);
  text = get(w);
  g_assert_true(g_utf8_validate(text, -1, NULL));
  g_assert_cmpstr(text, ==, "[\"a\\ufffdb\\ufffd\",\"x\\u0000y\",null]");
  n = parse(text);
  g_assert_cmpstr(json_array_get_string_element(json_node_get_array(n), 0), ==,
                  "a\xef\xbf\xbd"
                  "b\xef\xbf\xbd");
  json_node_unref(n);

  /* keys are escaped the same way */
  vf_json_writer_reset(w);
  vf_json_writer_begin_object(w);
  vf_json_writer_member_string(w, "@time\"stamp", "x");
  vf_json_writer_end_object(w);
  n = parse(get(w));
  g_assert_cmpstr(json_object_get_string_member(json_node_get_object(n), "@time\"stamp"), ==, "x");
  json_node_unref(n);
  vf_json_writer_free(w);
}

static void expect_misuse(VfJsonWriter *w, const char *fragment)
{
  GError *err = NULL;
  g_assert_null(vf_json_writer_get(w, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_STATE);
  if (!strstr(err->message, fragment))
    g_error("expected '%s' in: %s", fragment, err->message);
  g_error_free(err);
  vf_json_writer_reset(w);
}

static void test_misuse(void)
{
  VfJsonWriter *w = vf_json_writer_new();
  expect_misuse(w, "nothing written");
  vf_json_writer_begin_object(w);
  vf_json_writer_int(w, 1);
  expect_misuse(w, "without a key");
  vf_json_writer_begin_array(w);
  vf_json_writer_key(w, "k");
  expect_misuse(w, "key outside an object");
  vf_json_writer_begin_array(w);
  vf_json_writer_end_object(w);
  expect_misuse(w, "end_object without an open object");
  vf_json_writer_begin_object(w);
  vf_json_writer_key(w, "a");
  vf_json_writer_key(w, "b");
  expect_misuse(w, "two keys in a row");
  vf_json_writer_begin_object(w);
  vf_json_writer_key(w, "a");
  vf_json_writer_end_object(w);
  expect_misuse(w, "key has no value");
  vf_json_writer_int(w, 1);
  vf_json_writer_int(w, 2);
  expect_misuse(w, "second top-level value");
  vf_json_writer_begin_object(w);
  expect_misuse(w, "incomplete");
  /* after a misuse the rest is ignored, and the first one is reported */
  vf_json_writer_key(w, "x");
  vf_json_writer_int(w, 1);
  expect_misuse(w, "key outside an object");
  /* NULL writers are refused, not crashed on */
  GError *err = NULL;
  vf_json_writer_int(NULL, 1);
  g_assert_null(vf_json_writer_get(NULL, NULL, &err));
  g_assert_error(err, VF_ERROR, VF_ERROR_ARGUMENT);
  g_error_free(err);
  vf_json_writer_free(w);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/json/document", test_document);
  g_test_add_func("/json/numbers", test_numbers);
  g_test_add_func("/json/strings", test_strings);
  g_test_add_func("/json/misuse", test_misuse);
  return g_test_run();
}
