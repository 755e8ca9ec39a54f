/* vidflow fuzzing: what every libFuzzer target shares. A target defines
 * LLVMFuzzerTestOneInput() and uses these to reach the parser under test through a file (the
 * readers take paths) and to check what every error must be: set when a call fails, and short
 * (no echo of a huge input) valid UTF-8. A check that fails aborts, which libFuzzer records as a
 * crash with the input that caused it. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* What shared libraries allocate in their constructors at load time, before main() (GLib's
 * first quark block, its type system), is kept for the process's life by design; tests/lsan.supp
 * says so with `leak:_dl_init`, a frame the fast unwinder of the fuzz runs cannot see (GLib has
 * no frame pointers: the traces stop at g_malloc). GLib even drops that first quark block when its
 * quark table grows past 2,048 names (readers may still hold it, so it is never freed): a 16 KiB
 * "leak" on the first input that interns that many. So LeakSanitizer is told the same thing
 * another way: allocations on the main thread are ignored from before the libraries' constructors
 * (this executable's .preinit_array runs first) until this executable's own constructor (which
 * runs after theirs). Plugins loaded later (dlopen) are checked as everything else. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/lsan_interface.h>
static void fuzz_ignore_library_init(void)
{
  __lsan_disable();
}
__attribute__((section(".preinit_array"), used)) static void (*const fuzz_preinit)(void)
    = fuzz_ignore_library_init;
__attribute__((constructor)) static void fuzz_check_after_library_init(void)
{
  __lsan_enable();
}
#endif
#endif

/* Criticals are bugs (a check failed on our input): abort, which libFuzzer records with the
 * input (G_DEBUG=fatal-criticals would raise SIGTRAP, which it does not catch). A target may
 * tolerate the criticals of one log domain that is not ours (GStreamer's value parsers raise
 * some on malformed text and then fail cleanly: their bugs, see README.md): those are counted
 * and the first few printed. Call once at start. */
static const char *fuzz_tolerated_domain;
static guint fuzz_tolerated;

static GLogWriterOutput fuzz_log_writer(GLogLevelFlags level, const GLogField *fields,
                                        gsize n_fields, gpointer data)
{
  const char *domain = NULL;
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal(fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;
  gboolean critical = level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR | G_LOG_FLAG_FATAL);
  if (critical && fuzz_tolerated_domain && g_strcmp0(domain, fuzz_tolerated_domain) == 0
      && !(level & G_LOG_LEVEL_ERROR)) {
    if (fuzz_tolerated++ < 5)
      g_log_writer_standard_streams(level, fields, n_fields, data);
    return G_LOG_WRITER_HANDLED;
  }
  GLogWriterOutput out = g_log_writer_standard_streams(level, fields, n_fields, data);
  if (critical)
    abort();
  return out;
}

static inline void fuzz_init_logging(const char *tolerated_domain)
{
  static gboolean done;
  if (!done) {
    fuzz_tolerated_domain = tolerated_domain;
    g_log_set_writer_func(fuzz_log_writer, NULL, NULL);
  }
  done = TRUE;
}

/* Errors quote names and values cut short (lib/short-text.h); a message past this is a bug. */
#define FUZZ_MAX_MESSAGE 4096

/* A path in a folder for this process's files (transfer none): $VF_FUZZ_DIR when set (run.sh
 * points it at a folder next to links to data/ and configs/, so the relative paths of the seed
 * flows resolve), else a folder of its own on tmpfs. Names carry the process id: parallel
 * workers never share a file. */
static inline const char *fuzz_path(const char *name)
{
  static char *dir;
  if (dir == NULL) {
    const char *env = g_getenv("VF_FUZZ_DIR");
    if (env && *env) {
      dir = g_strdup(env);
      if (g_mkdir_with_parents(dir, 0755) != 0)
        abort();
    } else {
      const char *base = g_file_test("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir();
      dir = g_mkdtemp(g_build_filename(base, "vf-fuzz-XXXXXX", NULL));
      if (dir == NULL)
        abort();
    }
  }
  static GHashTable *paths;
  if (paths == NULL)
    paths = g_hash_table_new(g_str_hash, g_str_equal);
  char *path = g_hash_table_lookup(paths, name);
  if (path == NULL) {
    char *file = g_strdup_printf("%d-%s", (int)getpid(), name);
    path = g_build_filename(dir, file, NULL);
    g_free(file);
    g_hash_table_insert(paths, g_strdup(name), path);
  }
  return path;
}

/* `data` written to the file `name` (its path, transfer none). */
static inline const char *fuzz_write(const char *name, const unsigned char *data, size_t size)
{
  const char *path = fuzz_path(name);
  FILE *f = fopen(path, "wb");
  if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
    abort();
  return path;
}

/* A failed call must say why, briefly and in valid UTF-8. */
static inline void fuzz_check_error(gboolean ok, const GError *err)
{
  if (ok && err != NULL) {
    fprintf(stderr, "fuzz: success with an error set: %s\n", err->message);
    abort();
  }
  if (ok)
    return;
  if (err == NULL || err->message == NULL) {
    fprintf(stderr, "fuzz: failure without an error\n");
    abort();
  }
  size_t n = strlen(err->message);
  if (n > FUZZ_MAX_MESSAGE || !g_utf8_validate(err->message, -1, NULL)) {
    fprintf(stderr, "fuzz: error message of %zu bytes%s: %.300s\n", n,
            g_utf8_validate(err->message, -1, NULL) ? "" : " (not UTF-8)", err->message);
    abort();
  }
}
