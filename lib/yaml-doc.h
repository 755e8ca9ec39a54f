/* vidflow: a loaded YAML document whose nodes know their line, for the YAML readers (Service
 * Maker graphs, flow descriptions, source lists). Errors read "FILE:LINE: message". */
#pragma once

#include <glib.h>
#include <yaml.h>

typedef struct {
  yaml_document_t doc;
  char *path;
  char *dir; /* the file's folder: relative paths in the file are taken from here */
} VfYamlDoc;

/* NULL with "FILE:LINE:COLUMN: YAML syntax error: ..." when the file is not valid YAML. */
VfYamlDoc *vf_yaml_doc_load(const char *path, GError **error);
void vf_yaml_doc_free(VfYamlDoc *doc);

/* (nullable) the root node; NULL for an empty file. */
yaml_node_t *vf_yaml_root(VfYamlDoc *doc);
/* (nullable) the value of `key` in a mapping ('-' and '_' alike); NULL if absent or not a
 * mapping. */
yaml_node_t *vf_yaml_get(VfYamlDoc *doc, yaml_node_t *map, const char *key);
yaml_node_t *vf_yaml_node(VfYamlDoc *doc, int id);
/* (nullable) a scalar's text. */
const char *vf_yaml_scalar(yaml_node_t *node);
gboolean vf_yaml_is_null(yaml_node_t *node);
/* 1-based line of a node. */
guint vf_yaml_line(yaml_node_t *node);
/* A scalar with ${VAR} and ${VAR:-default} expanded (transfer full); NULL for non-scalars. */
char *vf_yaml_text(yaml_node_t *node);
/* "FILE:LINE: " + message, in VF_ERROR. node may be NULL (no line). */
void vf_yaml_error(GError **error, VfYamlDoc *doc, yaml_node_t *node, int code, const char *fmt,
                   ...) G_GNUC_PRINTF(5, 6);
/* Prefix an existing error with "FILE:LINE: ". */
void vf_yaml_prefix(GError **error, VfYamlDoc *doc, yaml_node_t *node);
/* A path or URI from the file: a relative path becomes absolute from the file's folder
 * (transfer full). URIs are left alone. */
char *vf_yaml_resolve_path(VfYamlDoc *doc, const char *value);

/* Keys whose values are file paths: location, *-file, *-path (and the '_' spellings), output. */
gboolean vf_yaml_is_path_key(const char *key);

/* Iterate a mapping's pairs / a sequence's items. */
#define VF_YAML_FOREACH_PAIR(node, pair)                                                           \
  for (yaml_node_pair_t *pair = (node)->data.mapping.pairs.start;                                  \
       pair < (node)->data.mapping.pairs.top; pair++)
#define VF_YAML_FOREACH_ITEM(node, item)                                                           \
  for (yaml_node_item_t *item = (node)->data.sequence.items.start;                                 \
       item < (node)->data.sequence.items.top; item++)
