/* vidflow: the files a flow writes (encode to MP4). A run that fails or is stopped leaves no
 * incomplete output behind: files it created are removed (an MP4 without its index cannot be
 * played, and a 0-byte file looks like a result); files that were there before it are left
 * alone. */
#include "flow-private.h"

#include "short-text.h"

#include <glib/gstdio.h>

typedef struct {
  char *path;
  gboolean existed; /* before the run started */
} FlowOutput;

static void output_free(FlowOutput *o)
{
  g_free(o->path);
  g_free(o);
}

void vf_flow_outputs_add(FlowRoot *root, const char *path)
{
  if (root->outputs == NULL)
    root->outputs = g_ptr_array_new_with_free_func((GDestroyNotify)output_free);
  FlowOutput *o = g_new0(FlowOutput, 1);
  o->path = g_strdup(path);
  g_ptr_array_add(root->outputs, o);
}

void vf_flow_outputs_begin(FlowRoot *root)
{
  for (guint i = 0; root->outputs && i < root->outputs->len; i++) {
    FlowOutput *o = root->outputs->pdata[i];
    o->existed = g_file_test(o->path, G_FILE_TEST_EXISTS);
  }
}

void vf_flow_outputs_failed(FlowRoot *root, GError **error)
{
  GString *removed = g_string_new(NULL);
  for (guint i = 0; root->outputs && i < root->outputs->len; i++) {
    FlowOutput *o = root->outputs->pdata[i];
    if (!o->existed && g_unlink(o->path) == 0)
      g_string_append_printf(removed, "%s'" VF_SHORT_FMT "'", removed->len ? ", " : "",
                             VF_SHORT(o->path));
  }
  if (removed->len && error && *error) {
    char *message = g_strdup_printf("%s (the incomplete output %s was removed)", (*error)->message,
                                    removed->str);
    g_free((*error)->message);
    (*error)->message = message;
  }
  g_string_free(removed, TRUE);
}

void vf_flow_outputs_free(FlowRoot *root)
{
  g_clear_pointer(&root->outputs, g_ptr_array_unref);
}
