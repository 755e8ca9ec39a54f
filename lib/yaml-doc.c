/* vidflow: YAML documents with line numbers (libyaml's document API). */
#include "yaml-doc.h"

#include <vidflow/error.h>

#include "short-text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* ---- loading within bounds ---- */

typedef struct {
  int id;
  int key;      /* mappings: the key waiting for its value (0: none) */
  gsize weight; /* nodes in it so far, aliases expanded */
} Open;

typedef struct {
  yaml_parser_t parser;
  yaml_document_t *doc;
  const char *name;
  GArray *open;        /* Open: the collections being read, innermost last */
  GArray *weights;     /* gsize per node id - 1: nodes it stands for; 0 while it is open */
  GHashTable *anchors; /* anchor name (owned) -> node id */
  gsize total;         /* nodes so far, aliases expanded */
  GError *error;
} Loader;

static void load_error(Loader *l, const yaml_mark_t *mark, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void load_error(Loader *l, const yaml_mark_t *mark, const char *fmt, ...)
{
  if (l->error)
    return;
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  l->error = g_error_new(VF_ERROR, VF_ERROR_VALUE, "%s:%zu:%zu: %s", l->name, mark->line + 1,
                         mark->column + 1, msg);
  g_free(msg);
}

static gsize node_weight(Loader *l, int id)
{
  return g_array_index(l->weights, gsize, id - 1);
}

static void set_weight(Loader *l, int id, gsize weight)
{
  if ((guint)id > l->weights->len)
    g_array_set_size(l->weights, (guint)id);
  g_array_index(l->weights, gsize, id - 1) = weight;
}

/* A finished node (or an alias to one) becomes the child of the innermost open collection. */
static gboolean add_child(Loader *l, int id, const yaml_mark_t *mark)
{
  gsize weight = node_weight(l, id);
  l->total += weight;
  if (l->total > VF_YAML_MAX_NODES) {
    load_error(l, mark,
               "more than %u nodes (aliases count as every node they repeat): vidflow reads "
               "documents up to that size",
               VF_YAML_MAX_NODES);
    return FALSE;
  }
  if (l->open->len == 0)
    return TRUE; /* the root */
  Open *top = &g_array_index(l->open, Open, l->open->len - 1);
  top->weight += weight;
  yaml_node_t *parent = yaml_document_get_node(l->doc, top->id);
  int ok;
  if (parent->type == YAML_SEQUENCE_NODE) {
    ok = yaml_document_append_sequence_item(l->doc, top->id, id);
  } else if (top->key == 0) {
    top->key = id;
    ok = 1;
  } else {
    ok = yaml_document_append_mapping_pair(l->doc, top->id, top->key, id);
    top->key = 0;
  }
  if (!ok)
    load_error(l, mark, "out of memory");
  return ok;
}

static gboolean new_node(Loader *l, int id, const yaml_event_t *event, const yaml_char_t *anchor)
{
  if (id == 0) {
    load_error(l, &event->start_mark, "out of memory");
    return FALSE;
  }
  yaml_node_t *node = yaml_document_get_node(l->doc, id);
  node->start_mark = event->start_mark;
  node->end_mark = event->end_mark;
  if (anchor)
    g_hash_table_insert(l->anchors, g_strdup((const char *)anchor), GINT_TO_POINTER(id));
  return TRUE;
}

static gboolean open_collection(Loader *l, int id, const yaml_event_t *event,
                                const yaml_char_t *anchor)
{
  if (l->open->len >= VF_YAML_MAX_DEPTH) {
    load_error(l, &event->start_mark,
               "nested more than %d levels deep: vidflow reads mappings and lists up to that "
               "depth",
               VF_YAML_MAX_DEPTH);
    return FALSE;
  }
  if (!new_node(l, id, event, anchor))
    return FALSE;
  set_weight(l, id, 0); /* open: an alias to it now would be a loop */
  Open o = { id, 0, 1 };
  g_array_append_val(l->open, o);
  return TRUE;
}

static gboolean close_collection(Loader *l, const yaml_event_t *event)
{
  Open o = g_array_index(l->open, Open, l->open->len - 1);
  g_array_set_size(l->open, l->open->len - 1);
  yaml_document_get_node(l->doc, o.id)->end_mark = event->end_mark;
  set_weight(l, o.id, o.weight);
  l->total -= o.weight - 1; /* its children were counted as they came */
  return add_child(l, o.id, &event->start_mark);
}

static gboolean on_event(Loader *l, yaml_event_t *e, gboolean *done)
{
  switch (e->type) {
  case YAML_SCALAR_EVENT: {
    const Open *top = l->open->len ? &g_array_index(l->open, Open, l->open->len - 1) : NULL;
    gboolean is_key = top && top->key == 0
                      && yaml_document_get_node(l->doc, top->id)->type == YAML_MAPPING_NODE;
    if (is_key && e->data.scalar.length > VF_YAML_MAX_KEY) {
      load_error(l, &e->start_mark,
                 "a key of %zu bytes (\"" VF_SHORT_FMT "\"): keys are names of at most %u bytes",
                 e->data.scalar.length, VF_SHORT((const char *)e->data.scalar.value),
                 VF_YAML_MAX_KEY);
      return FALSE;
    }
    if (e->data.scalar.length > VF_YAML_MAX_SCALAR) {
      load_error(l, &e->start_mark,
                 "a key or value of %zu bytes: vidflow reads keys and values up to %u bytes",
                 e->data.scalar.length, VF_YAML_MAX_SCALAR);
      return FALSE;
    }
    int id = yaml_document_add_scalar(l->doc, e->data.scalar.tag, e->data.scalar.value,
                                      (int)e->data.scalar.length, e->data.scalar.style);
    if (!new_node(l, id, e, e->data.scalar.anchor))
      return FALSE;
    set_weight(l, id, 1);
    return add_child(l, id, &e->start_mark);
  }
  case YAML_SEQUENCE_START_EVENT:
    return open_collection(l,
                           yaml_document_add_sequence(l->doc, e->data.sequence_start.tag,
                                                      e->data.sequence_start.style),
                           e, e->data.sequence_start.anchor);
  case YAML_MAPPING_START_EVENT:
    return open_collection(
        l,
        yaml_document_add_mapping(l->doc, e->data.mapping_start.tag, e->data.mapping_start.style),
        e, e->data.mapping_start.anchor);
  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT:
    return close_collection(l, e);
  case YAML_ALIAS_EVENT: {
    const char *name = (const char *)e->data.alias.anchor;
    gpointer id;
    if (!g_hash_table_lookup_extended(l->anchors, name, NULL, &id)) {
      load_error(l, &e->start_mark, "alias '*" VF_SHORT_FMT "' names no anchor defined before it",
                 VF_SHORT(name));
      return FALSE;
    }
    if (node_weight(l, GPOINTER_TO_INT(id)) == 0) {
      load_error(l, &e->start_mark,
                 "alias '*" VF_SHORT_FMT "' repeats a node that contains it (a loop)",
                 VF_SHORT(name));
      return FALSE;
    }
    return add_child(l, GPOINTER_TO_INT(id), &e->start_mark);
  }
  case YAML_DOCUMENT_END_EVENT:
  case YAML_STREAM_END_EVENT:
    *done = TRUE; /* the first document only */
    return TRUE;
  default:
    return TRUE;
  }
}

static void syntax_error(Loader *l)
{
  yaml_parser_t *p = &l->parser;
  const yaml_mark_t *mark = p->context ? &p->context_mark : &p->problem_mark;
  if (p->problem)
    mark = &p->problem_mark;
  load_error(l, mark, "YAML syntax error: %s%s%s", p->problem ? p->problem : "invalid YAML",
             p->context ? " " : "", p->context ? p->context : "");
}

/* ${VAR} (no default) names a variable that is not set: the first such reference, or NULL
 * (transfer full). */
static char *unset_variable(const char *s)
{
  for (const char *start = strstr(s, "${"); start; start = strstr(start + 2, "${")) {
    const char *end = strchr(start, '}');
    if (end == NULL)
      return NULL;
    char *inner = g_strndup(start + 2, (gsize)(end - start - 2));
    if (strstr(inner, ":-") == NULL && g_getenv(inner) == NULL)
      return inner;
    g_free(inner);
  }
  return NULL;
}

static gboolean check_variables(VfYamlDoc *doc, GError **error)
{
  for (yaml_node_t *n = doc->doc.nodes.start; n < doc->doc.nodes.top; n++) {
    if (n->type != YAML_SCALAR_NODE)
      continue;
    char *name = unset_variable((const char *)n->data.scalar.value);
    if (name) {
      vf_yaml_error(error, doc, n, VF_ERROR_VALUE,
                    "${" VF_SHORT_FMT "} is not set in the environment: set it, or give a "
                    "default as ${" VF_SHORT_FMT ":-default}",
                    VF_SHORT(name), VF_SHORT(name));
      g_free(name);
      return FALSE;
    }
  }
  return TRUE;
}

VfYamlDoc *vf_yaml_doc_load_data(const char *data, gsize len, const char *name, const char *dir,
                                 GError **error)
{
  if (name == NULL)
    name = "YAML";
  if (len > VF_YAML_MAX_BYTES) {
    g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                "%s: %zu bytes: vidflow reads YAML files up to %u bytes", name, len,
                VF_YAML_MAX_BYTES);
    return NULL;
  }
  VfYamlDoc *doc = g_new0(VfYamlDoc, 1);
  Loader l = { .doc = &doc->doc, .name = name };
  l.open = g_array_new(FALSE, FALSE, sizeof(Open));
  l.weights = g_array_new(FALSE, TRUE, sizeof(gsize));
  l.anchors = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  yaml_document_initialize(&doc->doc, NULL, NULL, NULL, 1, 1);
  yaml_parser_initialize(&l.parser);
  yaml_parser_set_input_string(&l.parser, (const unsigned char *)data, len);
  for (gboolean done = FALSE; !done && l.error == NULL;) {
    yaml_event_t event;
    if (!yaml_parser_parse(&l.parser, &event)) {
      syntax_error(&l);
      break;
    }
    on_event(&l, &event, &done);
    yaml_event_delete(&event);
  }
  yaml_parser_delete(&l.parser);
  g_array_unref(l.open);
  g_array_unref(l.weights);
  g_hash_table_unref(l.anchors);
  if (l.error) {
    yaml_document_delete(&doc->doc);
    g_free(doc);
    g_propagate_error(error, l.error);
    return NULL;
  }
  doc->path = g_strdup(name);
  char *abs = dir ? g_canonicalize_filename(dir, NULL) : g_get_current_dir();
  doc->dir = abs;
  return doc;
}

char *vf_read_file_bounded(const char *path, gsize max, gsize *len, GError **error)
{
  if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND,
                "'" VF_SHORT_FMT "' is a directory, not a file: name the file inside it",
                VF_SHORT(path));
    return NULL;
  }
  FILE *file = fopen(path, "rb");
  if (file == NULL) {
    g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND, "cannot open " VF_SHORT_FMT ": %s",
                VF_SHORT(path), g_strerror(errno));
    return NULL;
  }
  /* sized from the file when it is a regular one; read one byte more than the bound to tell a
   * file at the bound from a bigger one (pipes and devices have no size) */
  struct stat st;
  gsize cap = fstat(fileno(file), &st) == 0 && S_ISREG(st.st_mode) ? MIN((gsize)st.st_size, max) + 1
                                                                   : MIN(max + 1, (gsize)64 << 10);
  char *data = g_malloc(cap + 1);
  gsize n = 0;
  for (;;) {
    n += fread(data + n, 1, cap - n, file);
    if (n < cap || cap == max + 1)
      break;
    cap = MIN(cap * 2, max + 1); /* it grew, or has no size: read on */
    data = g_realloc(data, cap + 1);
  }
  int read_errno = errno;
  gboolean failed = ferror(file);
  fclose(file);
  if (failed || n > max) {
    if (failed)
      g_set_error(error, VF_ERROR, VF_ERROR_NOT_FOUND, "cannot read " VF_SHORT_FMT ": %s",
                  VF_SHORT(path), g_strerror(read_errno));
    else
      g_set_error(error, VF_ERROR, VF_ERROR_VALUE,
                  VF_SHORT_FMT ": more than %zu bytes: vidflow reads files of this kind up to "
                               "that size",
                  VF_SHORT(path), max);
    g_free(data);
    return NULL;
  }
  data[n] = '\0';
  if (len)
    *len = n;
  return data;
}

VfYamlDoc *vf_yaml_doc_load(const char *path, GError **error)
{
  gsize len;
  char *data = vf_read_file_bounded(path, VF_YAML_MAX_BYTES, &len, error);
  if (data == NULL)
    return NULL;
  char *abs = g_canonicalize_filename(path, NULL);
  char *dir = g_path_get_dirname(abs);
  VfYamlDoc *doc = vf_yaml_doc_load_data(data, len, path, dir, error);
  g_free(dir);
  g_free(abs);
  g_free(data);
  if (doc && !check_variables(doc, error)) {
    vf_yaml_doc_free(doc);
    return NULL;
  }
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
