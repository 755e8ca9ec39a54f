/* libFuzzer target: flow descriptions (lib/flow-yaml.c, lib/yaml-doc.c and the Flow operations
 * behind them) through vf_yaml_detect(), vf_flow_new_from_yaml() and vf_flow_check(), as
 * `vidflow check` reads them. Nothing is started. */
#include <vidflow/vidflow.h>

#include <string.h>

#include "fuzz-common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void check_one(const unsigned char *data, size_t size)
{
  const char *path = fuzz_write("flow.yaml", data, size);
  GError *err = NULL;
  VfYamlKind kind;
  gboolean ok = vf_yaml_detect(path, &kind, &err);
  fuzz_check_error(ok, err);
  g_clear_error(&err);
  VfFlow *flow = vf_flow_new_from_yaml(path, &err);
  fuzz_check_error(flow != NULL, err);
  g_clear_error(&err);
  if (flow) {
    fuzz_check_error(vf_flow_check(flow, &err), err);
    g_clear_error(&err);
    vf_flow_free(flow);
  }
}

/* Once, before the inputs: every file of the corpus folders given (the arguments that are
 * folders) is checked a first time, outside libFuzzer's per-input leak checks. What GLib and
 * GStreamer keep for the process's life is then allocated here: type classes registered on first
 * use, and GLib's quark table, which never frees the array it outgrows (a flow that registers the
 * next names past a block boundary "leaks" that array; fuzz/run.sh makes the registry before the
 * run for the same reason). libFuzzer then runs the corpus again with its leak checks: a leak of
 * ours leaks again. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_init_logging(NULL);
  if (!vf_init(NULL))
    abort();
  for (int i = 1; i < *argc; i++) {
    const char *arg = (*argv)[i];
    GDir *dir = arg[0] == '-' ? NULL : g_dir_open(arg, 0, NULL);
    for (const char *name; dir && (name = g_dir_read_name(dir));) {
      char *path = g_build_filename(arg, name, NULL);
      char *text = NULL;
      gsize len = 0;
      if (g_file_get_contents(path, &text, &len, NULL))
        check_one((const unsigned char *)text, len);
      g_free(text);
      g_free(path);
    }
    if (dir)
      g_dir_close(dir);
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
  check_one(data, size);
  return 0;
}
