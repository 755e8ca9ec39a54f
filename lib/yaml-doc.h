/* vidflow: a loaded YAML document whose nodes know their line, for the YAML readers (Service
 * Maker graphs, flow descriptions, source lists, vfinfer configs). Errors read
 * "FILE:LINE: message".
 *
 * Every document is read within bounds, so a hostile or broken file gets an error in well under a
 * second instead of hours of parsing or gigabytes of memory: at most VF_YAML_MAX_BYTES of text,
 * values of at most VF_YAML_MAX_SCALAR bytes, mapping keys (names) of at most VF_YAML_MAX_KEY,
 * collections nested at most VF_YAML_MAX_DEPTH deep, and at most VF_YAML_MAX_NODES nodes, an alias
 * counting as all the nodes it repeats (so "billion laughs" files are refused); an alias to a
 * collection that contains it (a loop) is refused too. Only the first document of a file is read.
 */
#pragma once

#include <glib.h>
#include <yaml.h>

typedef struct {
  yaml_document_t doc;
  char *path;
  char *dir; /* the file's folder: relative paths in the file are taken from here */
} VfYamlDoc;

#define VF_YAML_MAX_BYTES (4u << 20)
#define VF_YAML_MAX_SCALAR (64u << 10)
#define VF_YAML_MAX_KEY 1024u
#define VF_YAML_MAX_DEPTH 64
#define VF_YAML_MAX_NODES 100000u

/* A file (errors name it as given). NULL with VF_ERROR_NOT_FOUND when it cannot be opened or is a
 * directory, "FILE:LINE:COLUMN: YAML syntax error: ..." (VF_ERROR_VALUE) when it is not valid
 * YAML, "FILE:LINE:COLUMN: ..." naming the bound a file goes past. Files are what ${VAR} is
 * expanded in (vf_yaml_text): every ${VAR} without a default must be set in the environment
 * when the file is loaded, or loading fails naming the variable and its line. */
VfYamlDoc *vf_yaml_doc_load(const char *path, GError **error);
/* The bytes of a file of at most `max` bytes, NUL-terminated (transfer full; *len: without the
 * NUL), or NULL with VF_ERROR_NOT_FOUND (cannot be opened, or a directory) or VF_ERROR_VALUE
 * (bigger than `max`). */
char *vf_read_file_bounded(const char *path, gsize max, gsize *len, GError **error);
/* The same from memory (`len` bytes, no NUL needed): `name` is used in messages, relative paths
 * are taken from `dir` (NULL: the current directory). ${VAR} references are not checked. */
VfYamlDoc *vf_yaml_doc_load_data(const char *data, gsize len, const char *name, const char *dir,
                                 GError **error);
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
/* A scalar with ${VAR} and ${VAR:-default} expanded (transfer full); NULL for non-scalars.
 * ${VAR:-default} gives the default when VAR is unset or empty; an unset ${VAR} without a
 * default expands to "" (vf_yaml_doc_load refuses such files, so readers never see one). */
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
