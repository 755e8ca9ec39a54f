/* vidflow tests: helpers for the inference tests (data files, decoding images and frames). */
#pragma once

#include "preprocess.h"

/* The data/ directory ($VIDFLOW_DATA, else <source>/data) (transfer none). */
const char *vft_data_dir(void);
/* A path under data/ (transfer full). */
char *vft_data_path(const char *relative);
/* When any of the NULL-terminated data files is missing: print a TAP plan of no tests, skipped
 * with the reason ("1..0 # SKIP ...", meson counts the program as skipped), and exit 0. Call it
 * before g_test_run. */
void vft_require_data(const char *first, ...) G_GNUC_NULL_TERMINATED;
/* The path of a file in the source tree (transfer full). */
char *vft_source_path(const char *relative);

/* A decoded frame that owns its pixels. */
typedef struct {
  VfImage image;
  guint8 *pixels;
} VftFrame;

/* Decode a still image (any format GStreamer reads) into `format` (RGB, I420, ...). */
VftFrame *vft_decode_image(const char *path, VfColorFormat format, GError **error);
/* Decode frames `indices` (ascending, NULL-free array of n) of a video into `format`. */
VftFrame **vft_decode_video(const char *path, const guint *indices, guint n, VfColorFormat format,
                            GError **error);
void vft_frame_free(VftFrame *frame);
/* Save a frame as PNG/JPEG (for looking at it). */
gboolean vft_frame_save(const VftFrame *frame, const char *path, GError **error);

/* A new temporary directory (transfer full); vft_remove_tree removes it and what it holds. */
char *vft_make_tmpdir(void);
void vft_remove_tree(const char *dir);
/* Write `contents` (len bytes, -1: a string) to dir/name; returns the path (transfer full). */
char *vft_write_file(const char *dir, const char *name, const char *contents, gssize len);
/* Assert that err is set and its message contains every NULL-terminated fragment; print it. */
void vft_assert_error(GError *err, const char *first, ...) G_GNUC_NULL_TERMINATED;

/* Load configs/NAME from the source tree with its "../data/" paths pointing at vft_data_dir()
 * (the same unless VIDFLOW_DATA moves data/ elsewhere); messages still name the file. */
VfInferConfig *vft_load_sample_config(const char *name, GError **error);
/* The same configs/NAME written to dir/NAME for an element's config-file-path; returns the path
 * (transfer full). */
char *vft_write_sample_config(const char *dir, const char *name);
