/* libFuzzer target: Service Maker source lists (lib/source-list.c, lib/yaml-doc.c), the reader
 * alone (no GStreamer): vf_source_list_load() on the input as a file. */
#include "source-list.h"

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
  fuzz_init_logging(NULL);
  const char *path = fuzz_write("sources.yaml", data, size);
  GError *err = NULL;
  VfSourceList *list = vf_source_list_load(path, &err);
  fuzz_check_error(list != NULL, err);
  g_clear_error(&err);
  if (list) {
    /* what the flow reads: one uri per source, ids and names alongside, properties in pairs */
    if (list->uris->len == 0 || list->sensor_ids->len != list->uris->len
        || list->sensor_names->len != list->uris->len || list->properties->len % 2 != 1)
      abort();
    for (guint i = 0; i < list->uris->len; i++)
      if (list->uris->pdata[i] == NULL)
        abort();
  }
  vf_source_list_free(list);
  return 0;
}
