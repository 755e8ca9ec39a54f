/* Benchmark: vfmux batching vs the sources alone, measured side by side in the same run.
 *
 *   sources  : 4 x videotestsrc 1080p I420 -> fakesink (four independent branches)
 *   vfmux    : the same 4 sources -> vfmux (no scaling: zero-copy) -> fakesink
 *   vfmux720 : the same 4 sources -> vfmux width=1280 height=720 (CPU scaling) -> fakesink
 *
 * Two kinds of source: "smpte" renders every frame (a source with real work per frame, like a
 * decoder) and "black" only clears it (a source that costs almost nothing: what is left is thread
 * hand-over and memory traffic). Each round runs every variant once, alternating; the table shows
 * the median over rounds and the ratios are taken within each round.
 *
 *   vfmux-bench [frames-per-source] [rounds]   (default 240 frames, 3 rounds) */
#include <stdio.h>
#include <stdlib.h>
#include <vidflow/vidflow.h>

#define N_SOURCES 4
#define CAPS "video/x-raw,format=I420,width=1920,height=1080,framerate=30/1"

typedef enum { SOURCES, MUX, MUX_720 } Variant;

static char *description(Variant v, const char *pattern, guint frames)
{
  GString *s = g_string_new(NULL);
  if (v == MUX)
    g_string_append(s, "vfmux name=mux ! fakesink ");
  else if (v == MUX_720)
    g_string_append(s, "vfmux name=mux width=1280 height=720 ! fakesink ");
  for (guint i = 0; i < N_SOURCES; i++) {
    g_string_append_printf(s, "videotestsrc num-buffers=%u pattern=%s ! " CAPS " ! ", frames,
                           pattern);
    if (v == SOURCES)
      g_string_append(s, "fakesink ");
    else
      g_string_append_printf(s, "mux.sink_%u ", i);
  }
  return g_string_free(s, FALSE);
}

/* Frames per second (all sources together) from PLAYING to EOS; < 0 on failure. */
static gdouble run(Variant v, const char *pattern, guint frames)
{
  char *desc = description(v, pattern, frames);
  GError *err = NULL;
  GstElement *p = gst_parse_launch(desc, &err);
  g_free(desc);
  if (p == NULL) {
    fprintf(stderr, "vfmux-bench: %s\n", err ? err->message : "cannot build the pipeline");
    g_clear_error(&err);
    return -1;
  }
  gst_element_set_state(p, GST_STATE_PAUSED);
  gst_element_get_state(p, NULL, NULL, 10 * GST_SECOND);
  gint64 t0 = g_get_monotonic_time();
  gst_element_set_state(p, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus(p);
  GstMessage *m
      = gst_bus_timed_pop_filtered(bus, 120 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gint64 t1 = g_get_monotonic_time();
  gdouble fps = -1;
  if (m && GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS)
    fps = N_SOURCES * (gdouble)frames / ((t1 - t0) / 1e6);
  else if (m) {
    gst_message_parse_error(m, &err, NULL);
    fprintf(stderr, "vfmux-bench: %s\n", err->message);
    g_clear_error(&err);
  }
  if (m)
    gst_message_unref(m);
  gst_object_unref(bus);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);
  return fps;
}

static int compare(const void *a, const void *b)
{
  gdouble x = *(const gdouble *)a, y = *(const gdouble *)b;
  return x < y ? -1 : x > y;
}

static gdouble median(gdouble *v, guint n)
{
  qsort(v, n, sizeof *v, compare);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
  guint frames = argc > 1 ? (guint)atoi(argv[1]) : 240;
  guint rounds = argc > 2 ? (guint)atoi(argv[2]) : 3;
  if (frames == 0 || rounds == 0 || rounds > 50) {
    fprintf(stderr, "usage: vfmux-bench [frames-per-source] [rounds (1..50)]\n");
    return 2;
  }
  GError *err = NULL;
  if (!vf_init(&err)) {
    fprintf(stderr, "vfmux-bench: %s\n", err->message);
    return 1;
  }
  const char *patterns[] = { "smpte", "black" };
  printf("vfmux: %u sources of 1920x1080 I420, %u frames each, %u rounds (median fps)\n", N_SOURCES,
         frames, rounds);
  printf("%-7s %12s %12s %12s %10s %10s\n", "source", "sources", "vfmux", "vfmux->720p", "ratio",
         "ratio720");
  int status = 0;
  for (guint k = 0; k < G_N_ELEMENTS(patterns); k++) {
    gdouble base[50], mux[50], mux720[50], r[50], r720[50];
    for (guint i = 0; i < rounds; i++) {
      base[i] = run(SOURCES, patterns[k], frames);
      mux[i] = run(MUX, patterns[k], frames);
      /* Scaling is slower: fewer frames keep the run short. */
      mux720[i] = run(MUX_720, patterns[k], MAX(frames / 4, 1));
      if (base[i] <= 0 || mux[i] <= 0 || mux720[i] <= 0)
        return 1;
      r[i] = mux[i] / base[i];
      r720[i] = mux720[i] / base[i];
    }
    gdouble mb = median(base, rounds), mm = median(mux, rounds), m7 = median(mux720, rounds);
    gdouble mr = median(r, rounds), mr7 = median(r720, rounds);
    printf("%-7s %12.1f %12.1f %12.1f %9.3fx %9.3fx\n", patterns[k], mb, mm, m7, mr, mr7);
    printf("BENCH vfmux_4x1080p_%s_sources_fps %.1f fps\n", patterns[k], mb);
    printf("BENCH vfmux_4x1080p_%s_fps %.1f fps\n", patterns[k], mm);
    printf("BENCH vfmux_4x1080p_%s_ratio %.3f x\n", patterns[k], mr);
    printf("BENCH vfmux_4x1080p_to_720p_%s_fps %.1f fps\n", patterns[k], m7);
    printf("BENCH vfmux_4x1080p_to_720p_%s_ratio %.3f x\n", patterns[k], mr7);
  }
  return status;
}
