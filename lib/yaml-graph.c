/* vidflow: Service Maker pipeline graphs in YAML (see vidflow/yaml.h): `deepstream: {nodes,
 * edges}` becomes a VfPipeline; errors point at the node or edge line. */
#include <vidflow/plugin.h>
#include <vidflow/yaml.h>

#include "custom-private.h"
#include "error-private.h"
#include "nvidia-names.h"
#include "pipeline-private.h"
#include "short-text.h"
#include "yaml-doc.h"

#include <string.h>

/* Node names and types are names: longer ones are refused before anything echoes them. */
#define NAME_MAX_BYTES 256

typedef struct {
  char *name;
  VfObjectKind kind; /* custom objects */
  gboolean custom;
  yaml_node_t *node;
  char *type;
  GPtrArray *params; /* probes: created when an edge attaches them */
  guint attached;
  GPtrArray *next; /* Node*: where this node's edges go (elements, not probes) */
  guint inputs;    /* edges into it */
} Node;

typedef struct {
  VfYamlDoc *doc;
  VfPipeline *pipeline;
  GHashTable *nodes; /* name -> Node* */
  GPtrArray *order;  /* Node* (owned by nodes), in file order */
} Graph;

static void node_free(Node *n)
{
  g_free(n->name);
  g_free(n->type);
  if (n->params)
    g_ptr_array_unref(n->params);
  g_ptr_array_unref(n->next);
  g_free(n);
}

/* Properties as name/value strings, paths resolved from the file's folder. */
static GPtrArray *node_properties(Graph *g, yaml_node_t *props, GError **error)
{
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  if (props && !vf_yaml_is_null(props)) {
    if (props->type != YAML_MAPPING_NODE) {
      vf_yaml_error(error, g->doc, props, VF_ERROR_VALUE,
                    "'properties' must be a mapping of name: value");
      g_ptr_array_unref(out);
      return NULL;
    }
    VF_YAML_FOREACH_PAIR(props, pair)
    {
      yaml_node_t *k = vf_yaml_node(g->doc, pair->key), *v = vf_yaml_node(g->doc, pair->value);
      const char *key = vf_yaml_scalar(k);
      char *value = vf_yaml_text(v);
      if (key == NULL || value == NULL) {
        vf_yaml_error(error, g->doc, v, VF_ERROR_VALUE, "property '%s' must be a single value",
                      key ? key : "?");
        g_free(value);
        g_ptr_array_unref(out);
        return NULL;
      }
      if (vf_yaml_is_path_key(key) && *value) {
        char *r = vf_yaml_resolve_path(g->doc, value);
        g_free(value);
        value = r;
      } else if (g_str_equal(key, "uri") && *value) {
        char *scheme = g_uri_parse_scheme(value);
        if (scheme == NULL) {
          char *r = vf_yaml_resolve_path(g->doc, value);
          g_free(value);
          value = gst_filename_to_uri(r, NULL);
          g_free(r);
        }
        g_free(scheme);
      }
      g_ptr_array_add(out, g_strdup(key));
      g_ptr_array_add(out, value);
    }
  }
  g_ptr_array_add(out, NULL);
  return out;
}

static gboolean add_node(Graph *g, yaml_node_t *item, guint index, GError **error)
{
  if (item->type != YAML_MAPPING_NODE) {
    vf_yaml_error(error, g->doc, item, VF_ERROR_VALUE,
                  "a node is a mapping: {type: factory, name: name, properties: {...}}");
    return FALSE;
  }
  yaml_node_t *type_node = vf_yaml_get(g->doc, item, "type");
  char *type = vf_yaml_text(type_node);
  if (type == NULL || *type == '\0') {
    vf_yaml_error(error, g->doc, item, VF_ERROR_VALUE,
                  "this node has no 'type' (a GStreamer element or plugin.object)");
    g_free(type);
    return FALSE;
  }
  if (strlen(type) > NAME_MAX_BYTES) {
    vf_yaml_error(error, g->doc, type_node, VF_ERROR_VALUE,
                  "type '" VF_SHORT_FMT "' is longer than %d bytes: no element or object has such "
                  "a name",
                  VF_SHORT(type), NAME_MAX_BYTES);
    g_free(type);
    return FALSE;
  }
  char *name = vf_yaml_text(vf_yaml_get(g->doc, item, "name"));
  if (name && strlen(name) > NAME_MAX_BYTES) {
    vf_yaml_error(error, g->doc, item, VF_ERROR_VALUE,
                  "node name '" VF_SHORT_FMT "' is longer than %d bytes: give it a shorter name",
                  VF_SHORT(name), NAME_MAX_BYTES);
    g_free(type);
    g_free(name);
    return FALSE;
  }
  if (name == NULL) {
    name = g_strdup_printf("%s%u", type, index);
    g_strdelimit(name, ".", '-');
  }
  if (strchr(name, '.') || g_hash_table_contains(g->nodes, name)) {
    vf_yaml_error(error, g->doc, item, VF_ERROR_VALUE,
                  strchr(name, '.') ? "node name '%s' has a '.' (it separates node and pad in "
                                      "edges)"
                                    : "two nodes are called '%s': names must be unique",
                  name);
    g_free(type);
    g_free(name);
    return FALSE;
  }
  GPtrArray *props = node_properties(g, vf_yaml_get(g->doc, item, "properties"), error);
  if (props == NULL) {
    g_free(type);
    g_free(name);
    return FALSE;
  }
  Node *n = g_new0(Node, 1);
  n->next = g_ptr_array_new();
  n->name = name;
  n->type = type;
  n->node = item;
  g_hash_table_insert(g->nodes, n->name, n);
  g_ptr_array_add(g->order, n);
  const char *const *kv = (const char *const *)props->pdata;
  GError *err = NULL;
  gboolean ok = TRUE;
  /* "plugin.object", or a built-in object name that is not an element ("measure_fps_probe") */
  /* DeepStream's "module.object" spelling of a built-in ("measure_fps_probe.measure_fps_probe") */
  const char *object = vf_nvidia_object_name(type);
  if (object != type) {
    char *builtin = g_strdup(object);
    g_free(type);
    n->type = type = builtin;
  }
  if (strchr(type, '.')
      || (!vf_element_factory_known(type) && vf_custom_lookup(type, NULL, NULL))) {
    n->custom = TRUE;
    ok = vf_custom_lookup(type, &n->kind, &err);
    if (ok && n->kind == VF_OBJECT_PROBE) {
      /* made when an edge attaches it (once per edge); its parameters are checked now */
      ok = vf_custom_check_params(type, kv, &err);
      n->params = g_ptr_array_ref(props);
    } else if (ok && n->kind == VF_OBJECT_PROVIDER) {
      VfFeeder *feeder = vf_custom_feeder_new(type, name, kv, &err);
      ok = feeder && vf_pipeline_add(g->pipeline, "appsrc", name, &err, "format", "time", NULL)
           && vf_pipeline_attach_feeder(g->pipeline, name, feeder, NULL, &err);
      if (feeder == NULL)
        ok = FALSE;
    } else if (ok) {
      VfReceiver *receiver = vf_custom_receiver_new(type, name, kv, &err);
      ok = receiver && vf_pipeline_add(g->pipeline, "appsink", name, &err, "sync", "false", NULL)
           && vf_pipeline_attach_receiver(g->pipeline, name, receiver, NULL, &err);
      if (receiver == NULL)
        ok = FALSE;
    }
    if (!ok)
      g_prefix_error(&err, "node '%s': ", name);
  } else {
    /* a GStreamer factory or a DeepStream name (its errors name what runs for it) */
    ok = vf_pipeline_addv(g->pipeline, type, name, kv, &err);
    if (!ok)
      g_prefix_error(&err, "node '%s': ", name);
  }
  g_ptr_array_unref(props);
  if (!ok) {
    vf_yaml_prefix(&err, g->doc, type_node ? type_node : item);
    g_propagate_error(error, err);
  }
  return ok;
}

/* "name" or "name.pad" -> the node and the pad spec (NULL: any). */
static Node *endpoint(Graph *g, yaml_node_t *where, const char *text, char **pad, GError **error)
{
  *pad = NULL;
  Node *n = g_hash_table_lookup(g->nodes, text);
  if (n == NULL) {
    const char *dot = strchr(text, '.');
    char *name = dot ? g_strndup(text, (gsize)(dot - text)) : g_strdup(text);
    n = g_hash_table_lookup(g->nodes, name);
    if (n && dot)
      *pad = g_strdup(dot + 1);
    g_free(name);
  }
  if (n == NULL)
    vf_yaml_error(error, g->doc, where, VF_ERROR_NOT_FOUND,
                  "edge names '" VF_SHORT_FMT "', which is not a node: declare it under 'nodes'",
                  VF_SHORT(text));
  return n;
}

static gboolean has_request_src(GstElement *e)
{
  for (GList *l = gst_element_class_get_pad_template_list(GST_ELEMENT_GET_CLASS(e)); l;
       l = l->next) {
    GstPadTemplate *t = l->data;
    if (GST_PAD_TEMPLATE_DIRECTION(t) == GST_PAD_SRC
        && GST_PAD_TEMPLATE_PRESENCE(t) == GST_PAD_REQUEST)
      return TRUE;
  }
  return FALSE;
}

static gboolean attach_probe(Graph *g, Node *probe, Node *at, const char *pad, yaml_node_t *where,
                             GError **error)
{
  char *instance = probe->attached ? g_strdup_printf("%s%u", probe->name, probe->attached)
                                   : g_strdup(probe->name);
  GError *err = NULL;
  VfProbe *p
      = vf_custom_probe_new(probe->type, instance, (const char *const *)probe->params->pdata, &err);
  g_free(instance);
  gboolean ok = p && vf_pipeline_attach_probe(g->pipeline, at->name, pad, p, &err);
  if (!ok) {
    g_prefix_error(&err, "probe node '%s': ", probe->name);
    vf_yaml_prefix(&err, g->doc, where);
    g_propagate_error(error, err);
    return FALSE;
  }
  probe->attached++;
  return TRUE;
}

/* Whether `to` already leads to `from`, so an edge from -> to would close a loop: the loop as
 * "from -> to -> ... -> from" (transfer full), or NULL. Depth-first over the edges so far. */
static gboolean leads_to(Node *at, Node *target, GHashTable *seen, GPtrArray *path)
{
  if (!g_hash_table_add(seen, at))
    return FALSE;
  g_ptr_array_add(path, at);
  if (at == target)
    return TRUE;
  for (guint i = 0; i < at->next->len; i++)
    if (leads_to(at->next->pdata[i], target, seen, path))
      return TRUE;
  g_ptr_array_remove_index(path, path->len - 1);
  return FALSE;
}

static GString *cycle_through(Node *from, Node *to)
{
  GHashTable *seen = g_hash_table_new(NULL, NULL);
  GPtrArray *path = g_ptr_array_new();
  GString *loop = NULL;
  if (leads_to(to, from, seen, path)) {
    loop = g_string_new(from->name);
    for (guint i = 0; i < path->len; i++)
      g_string_append_printf(loop, " -> %s", ((Node *)path->pdata[i])->name);
  }
  g_ptr_array_unref(path);
  g_hash_table_unref(seen);
  return loop;
}

static gboolean has_pads(GstElement *e, GstPadDirection direction)
{
  for (GList *l = gst_element_class_get_pad_template_list(GST_ELEMENT_GET_CLASS(e)); l; l = l->next)
    if (GST_PAD_TEMPLATE_DIRECTION(l->data) == direction)
      return TRUE;
  return direction == GST_PAD_SRC ? e->numsrcpads > 0 : e->numsinkpads > 0;
}

/* A graph that could never run is refused now rather than hanging or failing later: it needs a
 * source, and every element its inputs and outputs linked. */
static gboolean check_complete(Graph *g, yaml_node_t *nodes, GError **error)
{
  GPtrArray *elements = g_ptr_array_new(); /* Node*, in file order; probes left out */
  for (guint i = 0; i < g->order->len; i++) {
    Node *n = g->order->pdata[i];
    if (!(n->custom && n->kind == VF_OBJECT_PROBE))
      g_ptr_array_add(elements, n);
  }
  gboolean ok = FALSE;
  Node *source = NULL;
  for (guint i = 0; i < elements->len && source == NULL; i++) {
    Node *n = elements->pdata[i];
    if (!has_pads(vf_pipeline_get_element(g->pipeline, n->name), GST_PAD_SINK))
      source = n;
  }
  if (elements->len == 0) {
    vf_yaml_error(error, g->doc, nodes, VF_ERROR_VALUE,
                  "the graph has no elements, so nothing would ever run: list them under "
                  "'nodes:', a source (vfurisrcbin, videotestsrc, a provider, ...) first");
  } else if (source == NULL) {
    vf_yaml_error(error, g->doc, nodes, VF_ERROR_VALUE,
                  "the graph has no source: every node takes input, so nothing would ever "
                  "produce a frame; add one (vfurisrcbin, filesrc, videotestsrc, a provider, ...) "
                  "and an edge from it");
  } else {
    ok = TRUE;
    for (guint i = 0; ok && i < elements->len; i++) {
      Node *n = elements->pdata[i];
      GstElement *e = vf_pipeline_get_element(g->pipeline, n->name);
      const char *factory = GST_OBJECT_NAME(gst_element_get_factory(e));
      if (has_pads(e, GST_PAD_SINK) && has_pads(e, GST_PAD_SRC) && n->inputs == 0
          && n->next->len == 0) {
        /* a filter linked to nothing at all: no frame ever reaches it, so it cannot stop the
         * graph (the seed's graphs declare a capsfilter they never link); said, not refused. A
         * sink linked to nothing would hold the pipeline's preroll forever: refused below. */
        g_message("%s:%zu: node '%s' (%s) is linked to nothing, so no frame goes through it: "
                  "link it or remove it",
                  g->doc->path, n->node->start_mark.line + 1, n->name, factory);
      } else if (has_pads(e, GST_PAD_SRC) && n->next->len == 0) {
        vf_yaml_error(error, g->doc, n->node, VF_ERROR_LINK,
                      "node '%s' (%s) is linked to nothing downstream, so its output would go "
                      "nowhere (\"Internal data stream error\"): add an edge '%s: <next node>'",
                      n->name, factory, n->name);
        ok = FALSE;
      } else if (has_pads(e, GST_PAD_SINK) && n->inputs == 0) {
        vf_yaml_error(error, g->doc, n->node, VF_ERROR_LINK,
                      "node '%s' (%s) has nothing linked into it, so it would wait for input "
                      "forever: add an edge '<previous node>: %s'",
                      n->name, factory, n->name);
        ok = FALSE;
      }
    }
  }
  g_ptr_array_unref(elements);
  return ok;
}

static gboolean add_edge(Graph *g, yaml_node_t *key, yaml_node_t *value, GError **error)
{
  const char *from_text = vf_yaml_scalar(key);
  if (from_text == NULL) {
    vf_yaml_error(error, g->doc, key, VF_ERROR_VALUE, "an edge's source must be a node name");
    return FALSE;
  }
  char *from_pad = NULL;
  Node *from = endpoint(g, key, from_text, &from_pad, error);
  if (from == NULL)
    return FALSE;
  if (from->custom && from->kind == VF_OBJECT_PROBE) {
    vf_yaml_error(error, g->doc, key, VF_ERROR_VALUE,
                  "probe node '%s' has no output: point an edge at it instead (element: %s)",
                  from->name, from->name);
    g_free(from_pad);
    return FALSE;
  }
  /* targets */
  GPtrArray *targets = g_ptr_array_new(); /* yaml_node_t* */
  if (value->type == YAML_SCALAR_NODE)
    g_ptr_array_add(targets, value);
  else if (value->type == YAML_SEQUENCE_NODE) {
    VF_YAML_FOREACH_ITEM(value, item)
    g_ptr_array_add(targets, vf_yaml_node(g->doc, *item));
  }
  gboolean ok = targets->len > 0;
  if (!ok)
    vf_yaml_error(error, g->doc, value, VF_ERROR_VALUE,
                  "an edge's target is a node name or a list of node names");
  /* Probes attach; elements link (through a tee when one source feeds several). */
  GPtrArray *elements = g_ptr_array_new();                  /* Node* */
  GPtrArray *pads = g_ptr_array_new_with_free_func(g_free); /* char* */
  GPtrArray *where = g_ptr_array_new();                     /* yaml_node_t* */
  for (guint i = 0; ok && i < targets->len; i++) {
    yaml_node_t *t = targets->pdata[i];
    const char *text = vf_yaml_scalar(t);
    char *pad = NULL;
    Node *to = text ? endpoint(g, t, text, &pad, error) : NULL;
    if (text == NULL)
      vf_yaml_error(error, g->doc, t, VF_ERROR_VALUE, "an edge's target must be a node name");
    if (to == NULL) {
      ok = FALSE;
    } else if (to->custom && to->kind == VF_OBJECT_PROBE) {
      ok = attach_probe(g, to, from, from_pad, t, error);
      g_free(pad);
    } else {
      g_ptr_array_add(elements, to);
      g_ptr_array_add(pads, pad);
      g_ptr_array_add(where, t);
    }
  }
  GstElement *src = ok ? vf_pipeline_get_element(g->pipeline, from->name) : NULL;
  const char *link_from = from->name;
  const char *link_pad = from_pad;
  char *tee = NULL;
  if (ok && elements->len > 1 && !has_request_src(src)) {
    tee = g_strdup_printf("%s-fanout", from->name);
    GError *err = NULL;
    ok = vf_pipeline_add(g->pipeline, "tee", tee, &err, NULL)
         && vf_pipeline_link_pads(g->pipeline, from->name, from_pad, tee, NULL, &err);
    if (!ok) {
      vf_yaml_prefix(&err, g->doc, key);
      g_propagate_error(error, err);
    }
    link_from = tee;
    link_pad = "src_%u";
  }
  for (guint i = 0; ok && i < elements->len; i++) {
    Node *to = elements->pdata[i];
    GError *err = NULL;
    GString *loop = cycle_through(from, to);
    if (loop) {
      vf_yaml_error(
          error, g->doc, where->pdata[i], VF_ERROR_LINK,
          "edge %s -> %s closes a cycle (%s): frames cannot go round in a loop (GStreamer "
          "would query the pads round it forever); remove one of these edges",
          from->name, to->name, loop->str);
      g_string_free(loop, TRUE);
      ok = FALSE;
      break;
    }
    const char *sink = to->name;
    char *queue = NULL;
    GstElement *target = vf_pipeline_get_element(g->pipeline, sink);
    gboolean is_queue = target && GST_IS_ELEMENT_FACTORY(gst_element_get_factory(target))
                        && g_str_equal(GST_OBJECT_NAME(gst_element_get_factory(target)), "queue");
    if (elements->len > 1 && !is_queue) {
      /* each branch of a fan-out gets a queue (a thread), or they block each other */
      queue = g_strdup_printf("%s-queue%u", tee ? tee : from->name, i);
      ok = vf_pipeline_add(g->pipeline, "queue", queue, &err, NULL)
           && vf_pipeline_link_pads(g->pipeline, link_from, link_pad, queue, NULL, &err);
      ok = ok && vf_pipeline_link_pads(g->pipeline, queue, NULL, sink, pads->pdata[i], &err);
    } else {
      ok = vf_pipeline_link_pads(g->pipeline, link_from, link_pad, sink, pads->pdata[i], &err);
    }
    g_free(queue);
    if (ok) {
      g_ptr_array_add(from->next, to);
      to->inputs++;
    }
    if (!ok) {
      const char *to_text = vf_yaml_scalar(where->pdata[i]);
      g_prefix_error(&err, "edge " VF_SHORT_FMT " -> " VF_SHORT_FMT ": ", VF_SHORT(from_text),
                     VF_SHORT(to_text));
      vf_yaml_prefix(&err, g->doc, where->pdata[i]);
      g_propagate_error(error, err);
    }
  }
  g_free(tee);
  g_ptr_array_unref(pads);
  g_ptr_array_unref(elements);
  g_ptr_array_unref(where);
  g_ptr_array_unref(targets);
  g_free(from_pad);
  return ok;
}

VfPipeline *vf_pipeline_new_from_yaml(const char *path, GError **error)
{
  if (vf_arg_is_null(path, "path", G_STRFUNC, error))
    return NULL;
  VfYamlDoc *doc = vf_yaml_doc_load(path, error);
  if (doc == NULL)
    return NULL;
  yaml_node_t *root = vf_yaml_root(doc);
  yaml_node_t *ds = vf_yaml_get(doc, root, "deepstream");
  yaml_node_t *nodes = ds ? vf_yaml_get(doc, ds, "nodes") : NULL;
  yaml_node_t *edges = ds ? vf_yaml_get(doc, ds, "edges") : NULL;
  GError *err = NULL;
  if (ds == NULL || ds->type != YAML_MAPPING_NODE)
    vf_yaml_error(&err, doc, ds ? ds : root, VF_ERROR_VALUE,
                  "a pipeline graph needs 'deepstream:' with 'nodes:' and 'edges:'");
  else if (nodes == NULL || nodes->type != YAML_SEQUENCE_NODE)
    vf_yaml_error(&err, doc, nodes ? nodes : ds, VF_ERROR_VALUE,
                  "'deepstream:' needs 'nodes:', a list of {type, name, properties}");
  else if (edges && !vf_yaml_is_null(edges) && edges->type != YAML_MAPPING_NODE)
    vf_yaml_error(&err, doc, edges, VF_ERROR_VALUE,
                  "'edges:' must be a mapping of source: target (or [targets])");
  if (err) {
    vf_yaml_doc_free(doc);
    g_propagate_error(error, err);
    return NULL;
  }
  VF_YAML_FOREACH_PAIR(ds, pair)
  {
    const char *k = vf_yaml_scalar(vf_yaml_node(doc, pair->key));
    if (k && !g_str_equal(k, "nodes") && !g_str_equal(k, "edges"))
      g_message("%s:%u: '%s' under 'deepstream:' is not used by vidflow", doc->path,
                vf_yaml_line(vf_yaml_node(doc, pair->key)), k);
  }
  char *base = g_path_get_basename(path);
  char *dot = strrchr(base, '.');
  if (dot)
    *dot = '\0';
  Graph g = { doc, vf_pipeline_new(base),
              g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)node_free),
              g_ptr_array_new() };
  g_free(base);
  gboolean ok = g.pipeline != NULL;
  guint index = 0;
  VF_YAML_FOREACH_ITEM(nodes, item)
  {
    if (!ok)
      break;
    ok = add_node(&g, vf_yaml_node(doc, *item), index++, &err);
  }
  if (ok && edges && edges->type == YAML_MAPPING_NODE) {
    VF_YAML_FOREACH_PAIR(edges, pair)
    {
      if (!ok)
        break;
      ok = add_edge(&g, vf_yaml_node(doc, pair->key), vf_yaml_node(doc, pair->value), &err);
    }
  }
  if (ok) {
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, g.nodes);
    while (ok && g_hash_table_iter_next(&it, NULL, &value)) {
      Node *n = value;
      if (n->custom && n->kind == VF_OBJECT_PROBE && n->attached == 0) {
        vf_yaml_error(&err, doc, n->node, VF_ERROR_VALUE,
                      "probe node '%s' is attached nowhere: add an edge 'element: %s'", n->name,
                      n->name);
        ok = FALSE;
      }
    }
  }
  if (ok)
    ok = check_complete(&g, nodes, &err);
  g_ptr_array_unref(g.order);
  g_hash_table_unref(g.nodes);
  vf_yaml_doc_free(doc);
  if (!ok) {
    vf_pipeline_free(g.pipeline);
    g_propagate_error(error, err);
    return NULL;
  }
  return g.pipeline;
}
