/* render(DISPLAY) tested headless: a private Xvfb server (Debian xvfb), the flow shows a test
 * pattern, and a screenshot of the X screen (ximagesrc) must contain its colours; a batch is shown
 * tiled (vftiler). Without Xvfb the test says why and renders with DISCARD instead. */
#include "flow-util.h"

#include <poll.h>
#include <signal.h>

static char *smpte, *blue;
static GSubprocess *xvfb;
static char *display;

/* Start Xvfb; it picks a free display number and writes it to fd 3 when ready. */
static gboolean xvfb_start(void)
{
  char *path = g_find_program_in_path("Xvfb");
  if (path == NULL)
    return FALSE;
  g_free(path);
  int fds[2];
  g_assert_cmpint(pipe(fds), ==, 0);
  GSubprocessLauncher *l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_take_fd(l, fds[1], 3);
  GError *err = NULL;
  xvfb = g_subprocess_launcher_spawn(l, &err, "Xvfb", "-displayfd", "3", "-screen", "0",
                                     "1280x720x24", "-nolisten", "tcp", NULL);
  g_object_unref(l);
  VF_ASSERT_OK(xvfb != NULL, err);
  char buf[32] = { 0 };
  struct pollfd p = { fds[0], POLLIN, 0 };
  gsize got = 0;
  while (got < sizeof buf - 1 && poll(&p, 1, 10000) > 0) {
    ssize_t n = read(fds[0], buf + got, sizeof buf - 1 - got);
    if (n <= 0)
      break;
    got += (gsize)n;
    if (strchr(buf, '\n'))
      break;
  }
  close(fds[0]);
  g_assert_cmpuint(got, >, 0);
  display = g_strdup_printf(":%d", atoi(buf));
  g_setenv("DISPLAY", display, TRUE);
  return TRUE;
}

static void xvfb_stop(void)
{
  if (xvfb == NULL)
    return;
  g_subprocess_send_signal(xvfb, SIGTERM);
  g_subprocess_wait(xvfb, NULL, NULL);
  g_clear_object(&xvfb);
}

/* A screenshot of the whole X screen as RGB (transfer full). */
static GstSample *screenshot(void)
{
  char *d = g_strdup_printf("ximagesrc display-name=%s use-damage=false num-buffers=1 ! "
                            "videoconvert ! video/x-raw,format=RGB ! appsink name=s",
                            display);
  GError *err = NULL;
  GstElement *pipe = gst_parse_launch(d, &err);
  VF_ASSERT_OK(pipe != NULL, err);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "s");
  gst_element_set_state(pipe, GST_STATE_PLAYING);
  GstSample *sample = NULL;
  g_signal_emit_by_name(sink, "try-pull-sample", 10 * GST_SECOND, &sample);
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(pipe);
  g_free(d);
  g_assert_nonnull(sample);
  return sample;
}

typedef struct {
  guint yellow, cyan, magenta, blue;
} Colours;

/* Count pattern colours in columns [x0, x1) of the screenshot. */
static Colours count_colours(GstSample *sample, guint x0, guint x1)
{
  GstVideoInfo info;
  g_assert_true(gst_video_info_from_caps(&info, gst_sample_get_caps(sample)));
  GstVideoFrame frame;
  g_assert_true(gst_video_frame_map(&frame, &info, gst_sample_get_buffer(sample), GST_MAP_READ));
  Colours c = { 0, 0, 0, 0 };
  guint w = (guint)GST_VIDEO_INFO_WIDTH(&info), h = (guint)GST_VIDEO_INFO_HEIGHT(&info);
  for (guint y = 0; y < h; y++) {
    const guint8 *row = (const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)
                        + (gsize)y * GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0);
    for (guint x = x0; x < MIN(x1, w); x++) {
      guint r = row[3 * x], g = row[3 * x + 1], b = row[3 * x + 2];
      c.yellow += r > 180 && g > 180 && b < 80;
      c.cyan += r < 80 && g > 180 && b > 180;
      c.magenta += r > 180 && g < 80 && b > 180;
      c.blue += r < 60 && g < 60 && b > 180;
    }
  }
  gst_video_frame_unmap(&frame);
  return c;
}

static void wait_running(VfFlow *f, guint ms)
{
  (void)f;
  g_usleep(ms * 1000);
}

static void test_display_single(void)
{
  if (display == NULL) {
    g_test_message("Xvfb (Debian package xvfb) is not installed, so DISPLAY cannot be tested "
                   "headless: rendering with DISCARD instead");
    const char *uris[] = { smpte, NULL };
    VfFlow *f = vf_flow_new(NULL);
    GError *err = NULL;
    vf_flow_render(vf_flow_capture(f, uris, &err, NULL), VF_RENDER_DISCARD, &err, NULL);
    VF_ASSERT_OK(vf_flow_run(f, &err), err);
    vf_flow_free(f);
    g_test_skip("no Xvfb: DISPLAY was not tested (DISCARD ran instead)");
    return;
  }
  const char *uris[] = { smpte, NULL };
  VfFlow *f = vf_flow_new(NULL);
  GError *err = NULL;
  vf_flow_capture(f, uris, &err, "file_loop", "true", NULL);
  VF_ASSERT_OK(vf_flow_render(f, VF_RENDER_DISPLAY, &err, NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_start(f, &err), err);
  wait_running(f, 1500);
  GstSample *shot = screenshot();
  vf_flow_stop(f);
  vf_flow_free(f);
  Colours c = count_colours(shot, 0, 1280);
  gst_sample_unref(shot);
  g_test_message("yellow %u cyan %u magenta %u", c.yellow, c.cyan, c.magenta);
  g_assert_cmpuint(c.yellow, >, 200);
  g_assert_cmpuint(c.cyan, >, 200);
  g_assert_cmpuint(c.magenta, >, 200);
}

static void test_display_tiled(void)
{
  FLOW_REQUIRE("vfmux");
  if (display == NULL) {
    g_test_skip("Xvfb (Debian package xvfb) is not installed: DISPLAY cannot be tested headless");
    return;
  }
  const char *uris[] = { smpte, blue, NULL };
  VfFlow *f = vf_flow_new(NULL);
  GError *err = NULL;
  VfFlow *t = vf_flow_batch(vf_flow_capture(f, uris, &err, "file_loop", "true", NULL), 0, 320, 240,
                            &err, NULL);
  /* tiled 2 x 1 into the whole 1280x720 screen */
  VF_ASSERT_OK(
      vf_flow_render(t, VF_RENDER_DISPLAY, &err, "rows", "1", "columns", "2", NULL) != NULL, err);
  VF_ASSERT_OK(vf_flow_start(f, &err), err);
  wait_running(f, 2000);
  GstSample *shot = screenshot();
  vf_flow_stop(f);
  vf_flow_free(f);
  Colours left = count_colours(shot, 0, 640), right = count_colours(shot, 640, 1280);
  gst_sample_unref(shot);
  g_test_message("left: yellow %u blue %u; right: yellow %u blue %u", left.yellow, left.blue,
                 right.yellow, right.blue);
  g_assert_cmpuint(left.yellow, >, 1000);  /* source 0: the bars, tile 0 */
  g_assert_cmpuint(right.blue, >, 100000); /* source 1: blue, tile 1 */
  g_assert_cmpuint(right.yellow, <, 100);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(vf_init(NULL));
  smpte = flow_test_clip("smpte.mp4", 30, 320, 240);
  blue = flow_test_path("blue.mp4");
  char *d = g_strdup_printf("videotestsrc num-buffers=30 pattern=blue ! video/x-raw,format=I420,"
                            "width=320,height=240,framerate=30/1 ! x264enc speed-preset=ultrafast "
                            "! h264parse ! mp4mux ! filesink location=%s",
                            blue);
  flow_test_launch(d);
  g_free(d);
  xvfb_start();
  g_test_add_func("/display/single", test_display_single);
  g_test_add_func("/display/tiled", test_display_tiled);
  int ret = g_test_run();
  xvfb_stop();
  g_unlink(smpte);
  g_unlink(blue);
  g_free(smpte);
  g_free(blue);
  g_free(display);
  return ret;
}
