/* libFuzzer target: element properties from strings (lib/property.c), as gst-launch does and as
 * every YAML reader and vf_pipeline_set() use: caps, enums, flags, numbers of every width,
 * booleans, fractions, arrays and plain strings. The first byte picks the property, the rest is
 * its value. */
#include "property-private.h"

#include <string.h>

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* element factory, property (each a different type or parsing path) */
static const char *const properties[][2] = {
  { "capsfilter", "caps" },               /* GstCaps */
  { "capsfilter", "caps-change-mode" },   /* enum */
  { "videotestsrc", "pattern" },          /* enum, by nick or number */
  { "videotestsrc", "num-buffers" },      /* gint */
  { "videotestsrc", "is-live" },          /* gboolean */
  { "videotestsrc", "timestamp-offset" }, /* gint64 */
  { "videotestsrc", "foreground-color" }, /* guint */
  { "videotestsrc", "kx2" },              /* gint, ranged */
  { "queue", "leaky" },                   /* enum */
  { "queue", "max-size-time" },           /* guint64 */
  { "queue", "max-size-bytes" },          /* guint */
  { "videorate", "rate" },                /* gdouble, ranged */
  { "identity", "drop-probability" },     /* gfloat */
  { "identity", "drop-buffer-flags" },    /* flags */
  { "identity", "error-after" },          /* gint */
  { "fakesink", "ts-offset" },            /* gint64 */
  { "fakesink", "max-lateness" },         /* gint64 */
  { "fakesink", "name" },                 /* string */
  { "appsrc", "caps" },                   /* GstCaps */
  { "appsrc", "format" },                 /* GstFormat enum */
  { "appsrc", "max-bytes" },              /* guint64 */
  { "appsrc", "leaky-type" },             /* enum */
  { "aspectratiocrop", "aspect-ratio" },  /* GstFraction */
  { "rawvideoparse", "framerate" },       /* GstFraction */
  { "rawvideoparse", "plane-offsets" },   /* GValueArray */
  /* (not rawvideoparse's "format": GStreamer 1.22 takes "unknown" and then raises a critical in
   * gst_video_info_set_format, its own bug) */
  { "videotestsrc", "animation-mode" },   /* enum */
  { "videoconvert", "dither" },           /* enum */
  { "videoconvert", "matrix-mode" },      /* enum */
  { "videoscale", "method" },             /* enum */
  { "videobox", "left" },                 /* gint, negative range */
  { "jpegenc", "quality" },               /* gint 0..100 */
  { "x264enc", "tune" },                  /* flags joined by '+' */
  { "x264enc", "speed-preset" },          /* enum */
  { "x264enc", "bitrate" },               /* guint */
  { "x264enc", "option-string" },         /* string */
  { "h264parse", "config-interval" },     /* gint -1.. */
  { "filesrc", "location" },              /* string (a path) */
  { "tee", "allow-not-linked" },          /* gboolean */
  { "funnel", "forward-sticky-events" },  /* gboolean */
  { "nosuchproperty", "nosuchproperty" }, /* (an unknown property on every element) */
};

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
  static GstElement *elements[G_N_ELEMENTS(properties)];
  static gboolean ready;
  fuzz_init_logging("GStreamer");
  if (!ready) {
    gst_init(NULL, NULL);
    for (guint i = 0; i < G_N_ELEMENTS(properties); i++) {
      const char *factory
          = g_str_equal(properties[i][0], "nosuchproperty") ? "identity" : properties[i][0];
      elements[i] = gst_element_factory_make(factory, NULL);
      if (elements[i] == NULL) {
        fprintf(stderr, "fuzz: no element %s: install the GStreamer plugins (tools/setup.sh)\n",
                factory);
        abort();
      }
      gst_object_ref_sink(elements[i]);
    }
    ready = TRUE;
  }
  if (size == 0)
    return 0;
  guint which = data[0] % G_N_ELEMENTS(properties);
  char *value = g_strndup((const char *)data + 1, size - 1);
  GError *err = NULL;
  gboolean ok = vf_set_property_from_string(elements[which], properties[which][1], value, &err);
  fuzz_check_error(ok, err);
  g_clear_error(&err);
  g_free(value);
  return 0;
}
