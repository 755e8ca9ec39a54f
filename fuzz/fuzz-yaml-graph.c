/* libFuzzer target: Service Maker pipeline graphs (lib/yaml-graph.c, lib/yaml-doc.c) through
 * vf_pipeline_new_from_yaml(), as `vidflow check` reads them. */
#include <vidflow/vidflow.h>

#include <string.h>

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
  static gboolean ready;
  fuzz_init_logging(NULL);
  if (!ready && !(ready = vf_init(NULL)))
    abort();
  const char *path = fuzz_write("graph.yaml", data, size);
  GError *err = NULL;
  VfPipeline *p = vf_pipeline_new_from_yaml(path, &err);
  fuzz_check_error(p != NULL, err);
  g_clear_error(&err);
  vf_pipeline_free(p);
  return 0;
}
