/* Graph shape checks of the Pipeline API: a link that would close a loop is refused with the loop
 * named (before, src -> funnel -> identity -> tee -> funnel linked and the pipeline overflowed the
 * stack in a pad query going round it), whether the links exist already or wait for a pad. */
#include "test-util.h"

static VfPipeline *pipeline_of(const char *const *elements)
{
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new("graph");
  for (guint i = 0; elements[i]; i += 2)
    VF_ASSERT_OK(vf_pipeline_add(p, elements[i], elements[i + 1], &err, NULL), err);
  return p;
}

static void assert_cycle(GError *err, const char *loop)
{
  g_assert_nonnull(err);
  g_assert_true(g_error_matches(err, VF_ERROR, VF_ERROR_LINK));
  if (!strstr(err->message, "closes a cycle") || !strstr(err->message, loop))
    g_error("error \"%s\" should name the cycle %s", err->message, loop);
}

static void test_cycle_through_funnel(void)
{
  const char *const elements[] = { "videotestsrc", "src", "funnel",   "f",    "identity", "i",
                                   "tee",          "t",   "fakesink", "sink", NULL };
  VfPipeline *p = pipeline_of(elements);
  GError *err = NULL;
  VF_ASSERT_OK(vf_pipeline_link(p, &err, "src", "f", "i", "t", "sink", NULL), err);
  g_assert_false(vf_pipeline_link(p, &err, "t", "f", NULL));
  assert_cycle(err, "t -> f -> i -> t");
  g_clear_error(&err);
  /* the refused link left nothing behind: the pipeline still runs */
  vf_pipeline_set(p, "src", "num-buffers", "5", &err);
  VF_ASSERT_OK(vf_pipeline_run(p, &err), err);
  vf_pipeline_free(p);
}

static void test_self_link(void)
{
  const char *const elements[] = { "funnel", "f", NULL };
  VfPipeline *p = pipeline_of(elements);
  GError *err = NULL;
  g_assert_false(vf_pipeline_link_pads(p, "f", NULL, "f", "sink_%u", &err));
  assert_cycle(err, "f -> f");
  g_clear_error(&err);
  vf_pipeline_free(p);
}

/* decodebin's source pads appear later: the link waiting for one counts as an edge. */
static void test_cycle_through_later_link(void)
{
  for (int order = 0; order < 2; order++) {
    const char *const elements[] = { "decodebin", "d", "identity", "i", NULL };
    VfPipeline *p = pipeline_of(elements);
    GError *err = NULL;
    gboolean ok = order == 0 ? vf_pipeline_link(p, &err, "d", "i", NULL)
                             : vf_pipeline_link(p, &err, "i", "d", NULL);
    VF_ASSERT_OK(ok, err);
    ok = order == 0 ? vf_pipeline_link(p, &err, "i", "d", NULL)
                    : vf_pipeline_link(p, &err, "d", "i", NULL);
    g_assert_false(ok);
    assert_cycle(err, order == 0 ? "i -> d -> i" : "d -> i -> d");
    g_clear_error(&err);
    vf_pipeline_free(p);
  }
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  g_test_add_func("/graph/cycle-through-funnel", test_cycle_through_funnel);
  g_test_add_func("/graph/self-link", test_self_link);
  g_test_add_func("/graph/cycle-through-later-link", test_cycle_through_later_link);
  return g_test_run();
}
