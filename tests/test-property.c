/* Property values from strings (lib/property.c): inputs the fuzzer (fuzz/fuzz-property.c) found
 * that GStreamer 1.22's own value parser mishandles are refused with an error naming the
 * property, never a critical (fatal in this suite), a crash or minutes of parsing. */
#include "test-util.h"

#include <glib/gstdio.h>

typedef struct {
  const char *factory, *property, *value;
} Case;

static void test_refused(void)
{
  GString *nested = g_string_new("video/x-raw");
  for (int i = 0; i < 60; i++)
    g_string_append(nested, ",f=[DDL");
  const Case cases[] = {
    { "capsfilter", "caps", "0*'" },               /* a critical in gst_structure_new_empty */
    { "capsfilter", "caps", "2;\xf5" },            /* the same, through bytes that are not UTF-8 */
    { "appsrc", "caps", "video/x-raw;9" },         /* a bad name after the first structure */
    { "capsfilter", "caps", nested->str },         /* time doubling with each nested bracket */
    { "rawvideoparse", "plane-offsets", "<<1>>" }, /* a crash: an int spec cast to an array */
    { "rawvideoparse", "plane-offsets", "<0,(int)10>" }, /* a crash, now and then */
    { "videotestsrc", "num-buffers", "1\xff" },          /* not UTF-8 */
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    GError *err = NULL;
    VfPipeline *p = vf_pipeline_new("property");
    g_assert_true(vf_pipeline_add(p, cases[i].factory, "e", &err, NULL));
    g_assert_false(vf_pipeline_set(p, "e", cases[i].property, cases[i].value, &err));
    g_assert_nonnull(err);
    g_test_message("%s.%s: %s", cases[i].factory, cases[i].property, err->message);
    g_assert_true(g_utf8_validate(err->message, -1, NULL));
    char *want = g_strdup_printf("cannot set property '%s' of element 'e'", cases[i].property);
    g_assert_nonnull(strstr(err->message, want));
    g_free(want);
    g_clear_error(&err);
    vf_pipeline_free(p);
  }
  g_string_free(nested, TRUE);
}

/* What the guards must not refuse. */
static void test_accepted(void)
{
  const Case cases[] = {
    { "capsfilter", "caps", "video/x-raw(memory:SystemMemory),format={RGB,BGR},width=[1,100]" },
    { "capsfilter", "caps", "video/x-raw,format=RGB; video/x-raw,format=\"I420;x\"" },
    { "capsfilter", "caps", "ANY" },
    { "rawvideoparse", "plane-offsets", "<0,10,20>" },
    { "rawvideoparse", "framerate", "30000/1001" },
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    GError *err = NULL;
    VfPipeline *p = vf_pipeline_new("property");
    g_assert_true(vf_pipeline_add(p, cases[i].factory, "e", &err, NULL));
    VF_ASSERT_OK(vf_pipeline_set(p, "e", cases[i].property, cases[i].value, &err), err);
    vf_pipeline_free(p);
  }
}

/* The fuzzer's graph with `properties: {name: fast}` renamed the element under the pipeline
 * that finds it by name (then a NULL element crashed the graph check): GstObject's name and
 * parent are refused, in the C API and in graphs. */
static void test_object_name_refused(void)
{
  const char *props[] = { "name", "parent" };
  for (guint i = 0; i < G_N_ELEMENTS(props); i++) {
    GError *err = NULL;
    VfPipeline *p = vf_pipeline_new("property");
    g_assert_false(vf_pipeline_add(p, "fakesink", "sink", &err, props[i], "fast", NULL));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, "name an element when adding it"));
    g_clear_error(&err);
    vf_pipeline_free(p);
  }
  char *path = g_build_filename(g_get_tmp_dir(), "vf-property-rename.yaml", NULL);
  g_assert_true(g_file_set_contents(path,
                                    "deepstream:\n  nodes:\n    - type: videotestsrc\n"
                                    "      name: src\n      properties:\n        name: fast\n"
                                    "    - type: fakesink\n      name: sink\n  edges:\n"
                                    "    src: sink\n",
                                    -1, NULL));
  GError *err = NULL;
  g_assert_null(vf_pipeline_new_from_yaml(path, &err));
  g_assert_nonnull(err);
  g_assert_nonnull(strstr(err->message, "'name'"));
  g_clear_error(&err);
  g_unlink(path);
  g_free(path);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  g_test_add_func("/property/refused", test_refused);
  g_test_add_func("/property/object-name-refused", test_object_name_refused);
  g_test_add_func("/property/accepted", test_accepted);
  return g_test_run();
}
