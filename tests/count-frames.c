/* Test helper: print how many video frames a file decodes to (uses vidflow itself). */
#include <vidflow/vidflow.h>

static VfProbeReturn count(VfBuffer *buffer, gpointer user_data)
{
  (void)buffer;
  (*(guint *)user_data)++;
  return VF_PROBE_KEEP;
}

int main(int argc, char **argv)
{
  if (argc != 2) {
    g_printerr("usage: count-frames FILE\n");
    return 2;
  }
  GError *err = NULL;
  guint frames = 0;
  char *uri = gst_filename_to_uri(argv[1], NULL);
  VfProbeCallbacks cb = { .on_buffer = count };
  VfPipeline *p = vf_pipeline_new("count");
  gboolean ok
      = vf_pipeline_add(p, "uridecodebin", "src", &err, "uri", uri, "caps", "video/x-raw", NULL)
        && vf_pipeline_add(p, "fakesink", "sink", &err, "sync", "false", NULL)
        && vf_pipeline_link(p, &err, "src", "sink", NULL)
        && vf_pipeline_attach_probe(p, "sink", "sink", vf_probe_new("count", &cb, &frames), &err)
        && vf_pipeline_run(p, &err);
  if (ok)
    g_print("%u\n", frames);
  else
    g_printerr("count-frames: %s\n", err->message);
  vf_pipeline_free(p);
  g_free(uri);
  return ok ? 0 : 1;
}
