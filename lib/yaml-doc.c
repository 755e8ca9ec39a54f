/* vidflow: YAML documents with line numbers (libyaml's document API). */
#include "yaml-doc.h"

#include <vidflow/error.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

VfYamlDoc *vf_yaml_doc_load(const char *path, GError **error)
{
  FILE *file = fopen(path, "rb");
  if (file == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND, "cannot open %s: %s", path, g_strerror(errno));
    return NULL;
  }
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_file(&parser, file);
  VfYamlDoc *doc = g_new0(VfYamlDoc, 1);
  gboolean ok = yaml_parser_load(&parser, &doc->doc);
  if (!ok) {
    const yaml_mark_t *mark = parser.context ? &parser.context_mark : &parser.problem_mark;
    if (parser.problem)
      mark = &parser.problem_mark;
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE, "%s:%zu:%zu: YAML syntax error: %s%s%s", path,
                mark->line + 1, mark->column + 1, parser.problem ? parser.problem : "invalid YAML",
                parser.context ? " " : "", parser.context ? parser.context : "");
  }
  yaml_parser_delete(&parser);
  fclose(file);
  if (!ok) {
    g_free(doc);
    return NULL;
  }
  doc->path = g_strdup(path);
  char *abs = g_canonicalize_filename(path, NULL);
  doc->dir = g_path_get_dirname(abs);
  g_free(abs);
  return doc;
}

void vf_yaml_doc_free(VfYamlDoc *doc)
{
  if (doc == NULL)
    return;
  yaml_document_delete(&doc->doc);
  g_free(doc->path);
  g_free(doc->dir);
  g_free(doc);
}

yaml_node_t *vf_yaml_root(VfYamlDoc *doc)
{
  return yaml_document_get_root_node(&doc->doc);
}

yaml_node_t *vf_yaml_node(VfYamlDoc *doc, int id)
{
  return yaml_document_get_node(&doc->doc, id);
}

const char *vf_yaml_scalar(yaml_node_t *node)
{
  return node && node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value : NULL;
}

gboolean vf_yaml_is_null(yaml_node_t *node)
{
  if (node == NULL)
    return TRUE;
  if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
    return FALSE;
  const char *s = vf_yaml_scalar(node);
  return *s == '\0' || g_str_equal(s, "~") || g_str_equal(s, "null") || g_str_equal(s, "Null")
         || g_str_equal(s, "NULL");
}

static gboolean same_key(const char *a, const char *b)
{
  for (; *a && *b; a++, b++) {
    char x = *a == '_' ? '-' : *a, y = *b == '_' ? '-' : *b;
    if (x != y)
      return FALSE;
  }
  return *a == *b;
}

yaml_node_t *vf_yaml_get(VfYamlDoc *doc, yaml_node_t *map, const char *key)
{
  if (map == NULL || map->type != YAML_MAPPING_NODE)
    return NULL;
  VF_YAML_FOREACH_PAIR(map, pair)
  {
    const char *k = vf_yaml_scalar(vf_yaml_node(doc, pair->key));
    if (k && same_key(k, key))
      return vf_yaml_node(doc, pair->value);
  }
  return NULL;
}

guint vf_yaml_line(yaml_node_t *node)
{
  return node ? (guint)node->start_mark.line + 1 : 0;
}

char *vf_yaml_text(yaml_node_t *node)
{
  const char *s = vf_yaml_scalar(node);
  if (s == NULL)
    return NULL;
  GString *out = g_string_new(NULL);
  while (*s) {
    const char *start = strstr(s, "${");
    const char *end = start ? strchr(start, '}') : NULL;
    if (start == NULL || end == NULL) {
      g_string_append(out, s);
      break;
    }
    g_string_append_len(out, s, start - s);
    char *inner = g_strndup(start + 2, (gsize)(end - start - 2));
    char *fallback = strstr(inner, ":-");
    if (fallback) {
      *fallback = '\0';
      fallback += 2;
    }
    const char *value = g_getenv(inner);
    g_string_append(out, value && *value ? value : fallback ? fallback : "");
    g_free(inner);
    s = end + 1;
  }
  return g_string_free(out, FALSE);
}

void vf_yaml_error(GError **error, VfYamlDoc *doc, yaml_node_t *node, int code, const char *fmt,
                   ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  if (node)
    g_set_error(error, VF_ERROR, code, "%s:%u: %s", doc->path, vf_yaml_line(node), msg);
  else
    g_set_error(error, VF_ERROR, code, "%s: %s", doc->path, msg);
  g_free(msg);
}

void vf_yaml_prefix(GError **error, VfYamlDoc *doc, yaml_node_t *node)
{
  if (node)
    g_prefix_error(error, "%s:%u: ", doc->path, vf_yaml_line(node));
  else
    g_prefix_error(error, "%s: ", doc->path);
}

char *vf_yaml_resolve_path(VfYamlDoc *doc, const char *value)
{
  if (value == NULL)
    return NULL;
  char *scheme = g_uri_parse_scheme(value);
  gboolean uri = scheme != NULL;
  g_free(scheme);
  if (uri || g_path_is_absolute(value) || *value == '\0')
    return g_strdup(value);
  return g_canonicalize_filename(value, doc->dir);
}

gboolean vf_yaml_is_path_key(const char *key)
{
  return g_str_equal(key, "location") || g_str_equal(key, "output")
         || g_str_has_suffix(key, "-file") || g_str_has_suffix(key, "-path")
         || g_str_has_suffix(key, "_file") || g_str_has_suffix(key, "_path");
}
