/* vidflow tests: requests to the REST server (rest.h) with a real HTTP client, curl, and their
 * JSON answers read with json-glib. */
#pragma once

#include "live-util.h"

#include <json-glib/json-glib.h>

static char *curl; /* (nullable) the curl program: g_find_program_in_path("curl") in main() */

typedef struct {
  guint status;
  JsonNode *body; /* (nullable) the JSON answer */
  char *text;
  char *headers;
} Answer;

static inline void answer_clear(Answer *a)
{
  if (a->body)
    json_node_unref(a->body);
  g_free(a->text);
  g_free(a->headers);
}

/* curl -X method url [--data-binary body]; body starting with '@' is a file. */
static inline Answer http(const char *url, const char *method, const char *path, const char *body)
{
  Answer a = { 0 };
  char *full = g_strconcat(url, path, NULL);
  char *head_file = flow_test_path("rest-headers.txt");
  GPtrArray *argv = g_ptr_array_new();
  const char *fixed[] = { curl, "-s", "-S", "--max-time",     "10", "-D",   head_file,
                          "-o", "-",  "-w", "\n%{http_code}", "-X", method, NULL };
  for (guint i = 0; fixed[i]; i++)
    g_ptr_array_add(argv, (gpointer)fixed[i]);
  if (body) {
    g_ptr_array_add(argv, "-H");
    g_ptr_array_add(argv, "Content-Type: application/json");
    g_ptr_array_add(argv, "--data-binary");
    g_ptr_array_add(argv, (gpointer)body);
  }
  g_ptr_array_add(argv, full);
  g_ptr_array_add(argv, NULL);
  char *out = NULL, *err = NULL;
  gint wait = 0;
  GError *error = NULL;
  VF_ASSERT_OK(g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                            &err, &wait, &error),
               error);
  g_ptr_array_unref(argv);
  char *nl = strrchr(out, '\n');
  g_assert_nonnull(nl);
  a.status = (guint)g_ascii_strtoull(nl + 1, NULL, 10);
  *nl = '\0';
  a.text = out;
  g_file_get_contents(head_file, &a.headers, NULL, NULL);
  g_unlink(head_file);
  g_free(head_file);
  if (*out) {
    a.body = json_from_string(out, &error);
    if (a.body == NULL)
      g_error("%s %s answered %u with no JSON: '%s' (%s)", method, path, a.status, out,
              error->message);
  }
  g_free(err);
  g_free(full);
  return a;
}

static inline const char *member_string(JsonNode *n, const char *name)
{
  g_assert_true(JSON_NODE_HOLDS_OBJECT(n));
  JsonObject *o = json_node_get_object(n);
  return json_object_has_member(o, name) ? json_object_get_string_member(o, name) : NULL;
}
