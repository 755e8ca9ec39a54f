/* libFuzzer target: the vfinfer config (gst/infer/config.c, lib/yaml-doc.c). The input is read
 * as a config file, then validated (its files almost never exist: that path is an error too);
 * its first line is also taken as "key=value", an override as an element property sets one
 * (vf_infer_config_set), on a fresh config. */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
  fuzz_init_logging(NULL);
  char *text = g_strndup((const char *)data, size); /* the parser reads up to a NUL */
  GError *err = NULL;
  VfInferConfig *cfg = vf_infer_config_parse(text, "fuzz.yaml", fuzz_path(""), &err);
  fuzz_check_error(cfg != NULL, err);
  g_clear_error(&err);
  if (cfg) {
    fuzz_check_error(vf_infer_config_validate(cfg, &err), err);
    g_clear_error(&err);
    vf_infer_config_free(cfg);
  }
  char *eq = strchr(text, '=');
  char *nl = strchr(text, '\n');
  if (eq && (nl == NULL || eq < nl)) {
    *eq = '\0';
    if (nl)
      *nl = '\0';
    cfg = vf_infer_config_new();
    fuzz_check_error(vf_infer_config_set(cfg, text, eq + 1, &err), err);
    g_clear_error(&err);
    vf_infer_config_free(cfg);
  }
  g_free(text);
  return 0;
}
