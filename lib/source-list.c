/* vidflow: Service Maker source-list YAML files (see source-list.h). */
#include "source-list.h"

#include "yaml-doc.h"

#include <vidflow/error.h>

void vf_source_list_free(VfSourceList *list)
{
  if (list == NULL)
    return;
  g_ptr_array_unref(list->uris);
  g_ptr_array_unref(list->sensor_ids);
  g_ptr_array_unref(list->sensor_names);
  g_ptr_array_unref(list->properties);
  g_free(list->path);
  g_free(list);
}

static char *scalar_field(VfYamlDoc *doc, yaml_node_t *item, const char *key, GError **error)
{
  yaml_node_t *v = vf_yaml_get(doc, item, key);
  if (v == NULL || vf_yaml_is_null(v))
    return NULL;
  char *text = vf_yaml_text(v);
  if (text == NULL)
    vf_yaml_error(error, doc, v, VF_ERROR_VALUE, "'%s' must be a single value", key);
  return text;
}

VfSourceList *vf_source_list_load(const char *path, GError **error)
{
  VfYamlDoc *doc = vf_yaml_doc_load(path, error);
  if (doc == NULL)
    return NULL;
  VfSourceList *list = g_new0(VfSourceList, 1);
  list->uris = g_ptr_array_new_with_free_func(g_free);
  list->sensor_ids = g_ptr_array_new_with_free_func(g_free);
  list->sensor_names = g_ptr_array_new_with_free_func(g_free);
  list->properties = g_ptr_array_new_with_free_func(g_free);
  list->path = g_strdup(path);
  GError *err = NULL;
  yaml_node_t *root = vf_yaml_root(doc);
  yaml_node_t *sources = vf_yaml_get(doc, root, "source-list");
  if (root == NULL || root->type != YAML_MAPPING_NODE || sources == NULL)
    vf_yaml_error(&err, doc, root, VF_ERROR_VALUE,
                  "not a source list: it needs a 'source-list:' with one entry per source "
                  "({uri, sensor-id, sensor-name})");
  else if (sources->type != YAML_SEQUENCE_NODE
           || sources->data.sequence.items.start == sources->data.sequence.items.top)
    vf_yaml_error(&err, doc, sources, VF_ERROR_VALUE,
                  "'source-list' must be a non-empty list of sources");
  if (err == NULL) {
    VF_YAML_FOREACH_ITEM(sources, item)
    {
      yaml_node_t *node = vf_yaml_node(doc, *item);
      char *uri = NULL;
      if (node->type == YAML_SCALAR_NODE) {
        uri = vf_yaml_text(node);
      } else if (node->type == YAML_MAPPING_NODE) {
        uri = scalar_field(doc, node, "uri", &err);
      }
      if (err)
        break;
      if (uri == NULL || *uri == '\0') {
        g_free(uri);
        vf_yaml_error(&err, doc, node, VF_ERROR_VALUE, "this source has no 'uri'");
        break;
      }
      g_ptr_array_add(list->uris, vf_yaml_resolve_path(doc, uri));
      g_free(uri);
      char *id
          = node->type == YAML_MAPPING_NODE ? scalar_field(doc, node, "sensor-id", &err) : NULL;
      char *name = node->type == YAML_MAPPING_NODE && !err
                       ? scalar_field(doc, node, "sensor-name", &err)
                       : NULL;
      g_ptr_array_add(list->sensor_ids, id);
      g_ptr_array_add(list->sensor_names, name);
      if (err)
        break;
    }
  }
  yaml_node_t *config = err ? NULL : vf_yaml_get(doc, root, "source-config");
  yaml_node_t *props = config ? vf_yaml_get(doc, config, "properties") : NULL;
  if (config && !vf_yaml_is_null(config) && config->type != YAML_MAPPING_NODE)
    vf_yaml_error(&err, doc, config, VF_ERROR_VALUE, "'source-config' must be a mapping");
  else if (props && !vf_yaml_is_null(props) && props->type != YAML_MAPPING_NODE)
    vf_yaml_error(&err, doc, props, VF_ERROR_VALUE,
                  "'source-config: properties' must be a mapping of property: value");
  else if (props && props->type == YAML_MAPPING_NODE) {
    VF_YAML_FOREACH_PAIR(props, pair)
    {
      yaml_node_t *k = vf_yaml_node(doc, pair->key), *v = vf_yaml_node(doc, pair->value);
      char *value = vf_yaml_text(v);
      if (vf_yaml_scalar(k) == NULL || value == NULL) {
        vf_yaml_error(&err, doc, v, VF_ERROR_VALUE,
                      "source-config properties must be name: single value");
        g_free(value);
        break;
      }
      g_ptr_array_add(list->properties, g_strdup(vf_yaml_scalar(k)));
      g_ptr_array_add(list->properties, value);
    }
  }
  g_ptr_array_add(list->properties, NULL);
  vf_yaml_doc_free(doc);
  if (err) {
    g_propagate_error(error, err);
    vf_source_list_free(list);
    return NULL;
  }
  return list;
}
