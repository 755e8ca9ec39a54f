/* vidflow infer: backend dispatch and the session helpers shared by every backend. */
#include "backend.h"

static const VfInferBackend *const backends[] = { &vf_infer_backend_ort };

VfInferSession *vf_infer_session_open(const VfInferSessionOptions *options, GError **error)
{
  const char *name = options->backend ? options->backend : "onnxruntime";
  for (guint i = 0; i < G_N_ELEMENTS(backends); i++)
    if (g_ascii_strcasecmp(name, backends[i]->name) == 0)
      return backends[i]->open(options, error);
  g_set_error(error, VF_ERROR, VF_ERROR_UNSUPPORTED,
              "%s%sunknown inference backend '%s' (known: onnxruntime)",
              options->config_path ? options->config_path : "", options->config_path ? ": " : "",
              name);
  return NULL;
}

VfInferSession *vf_infer_session_ref(VfInferSession *session)
{
  g_atomic_int_inc(&session->refcount);
  return session;
}

void vf_infer_session_unref(VfInferSession *session)
{
  if (session != NULL)
    session->backend->unref(session);
}

VfInferOutputs *vf_infer_session_run(VfInferSession *session, const VfInferTensor *input,
                                     GError **error)
{
  return vf_infer_session_run_on(session, input, VF_DEVICE_CPU, error);
}

VfInferOutputs *vf_infer_session_run_on(VfInferSession *session, const VfInferTensor *input,
                                        VfDevice device, GError **error)
{
  return session->backend->run(session, input, device, error);
}

void vf_infer_outputs_free(VfInferOutputs *outputs)
{
  if (outputs == NULL)
    return;
  if (outputs->release)
    outputs->release(outputs);
  g_free(outputs->tensors);
  g_free(outputs);
}

static gint find_info(const VfInferTensorInfo *infos, guint n, const char *name)
{
  for (guint i = 0; i < n; i++)
    if (g_strcmp0(infos[i].name, name) == 0)
      return (gint)i;
  return -1;
}

gint vf_infer_session_find_input(const VfInferSession *session, const char *name)
{
  return find_info(session->inputs, session->n_inputs, name);
}

gint vf_infer_session_find_output(const VfInferSession *session, const char *name)
{
  return find_info(session->outputs, session->n_outputs, name);
}

char *vf_infer_shape_to_string(const gint64 *shape, guint ndim)
{
  GString *s = g_string_new("[");
  for (guint i = 0; i < ndim; i++) {
    if (i > 0)
      g_string_append_c(s, ',');
    if (shape[i] < 0)
      g_string_append_c(s, '?');
    else
      g_string_append_printf(s, "%" G_GINT64_FORMAT, shape[i]);
  }
  g_string_append_c(s, ']');
  return g_string_free(s, FALSE);
}
