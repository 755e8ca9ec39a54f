/* vidflow: Service Maker source-list YAML files:
 *   source-list:
 *     - uri: file:///videos/a.mp4        (a path or a URI; relative to the file's folder)
 *       sensor-id: cam-1                 (optional)
 *       sensor-name: Entrance            (optional)
 *   source-config:                       (optional)
 *     properties: {batched-push-timeout: 33000, ...}
 */
#pragma once

#include <glib.h>

typedef struct {
  GPtrArray *uris;         /* char*, resolved */
  GPtrArray *sensor_ids;   /* char*, NULL entries when absent */
  GPtrArray *sensor_names; /* char*, NULL entries when absent */
  GPtrArray *properties;   /* name, value, ..., NULL (source-config properties) */
  char *path;
} VfSourceList;

/* Errors name the file and line. */
VfSourceList *vf_source_list_load(const char *path, GError **error);
void vf_source_list_free(VfSourceList *list);
