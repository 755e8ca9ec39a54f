/* vidflow: shared memory for IPC: a GstFdAllocator whose memories are memfds (sealed against
 * shrinking), each with a process-unique id, kept mapped. Memories of this allocator cross to
 * consumers without a copy; a registry of live ids lets producers tell consumers to unmap
 * memories that died (vf_ipc_memory_deaths). */
#include <errno.h>
#include <fcntl.h>
#include <gst/allocators/allocators.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error-private.h"
#include "ipc-private.h"

typedef struct {
  GstFdAllocator parent;
} VfIpcAllocator;

typedef struct {
  GstFdAllocatorClass parent_class;
} VfIpcAllocatorClass;

static GType vf_ipc_allocator_get_type(void);
G_DEFINE_TYPE(VfIpcAllocator, vf_ipc_allocator, GST_TYPE_FD_ALLOCATOR)

static GQuark id_quark;
static GMutex live_lock;
static GHashTable *live; /* id -> id: memories alive */
static guint64 next_id = 1;
static guint64 deaths;

static void memory_died(gpointer data)
{
  guint64 id = GPOINTER_TO_SIZE(data);
  g_mutex_lock(&live_lock);
  g_hash_table_remove(live, &id);
  deaths++;
  g_mutex_unlock(&live_lock);
}

static GstMemory *wrap_fd(GstAllocator *allocator, int fd, gsize maxsize)
{
  GstMemory *mem = gst_fd_allocator_alloc(allocator, fd, maxsize, GST_FD_MEMORY_FLAG_KEEP_MAPPED);
  if (mem == NULL) {
    close(fd);
    return NULL;
  }
  g_mutex_lock(&live_lock);
  guint64 id = next_id++;
  guint64 *key = g_new(guint64, 1);
  *key = id;
  g_hash_table_add(live, key);
  g_mutex_unlock(&live_lock);
  gst_mini_object_set_qdata(GST_MINI_OBJECT(mem), id_quark, GSIZE_TO_POINTER(id), memory_died);
  return mem;
}

static int memfd_of_size(gsize size)
{
  int fd = memfd_create("vidflow-ipc", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    return -1;
  if (ftruncate(fd, (off_t)size) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  /* consumers map the whole size: it must never shrink under them */
  fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
  return fd;
}

static GstMemory *shm_alloc(GstAllocator *allocator, gsize size, GstAllocationParams *params)
{
  gsize maxsize = size + params->prefix + params->padding;
  int fd = memfd_of_size(maxsize);
  if (fd < 0) {
    GST_WARNING("memfd of %" G_GSIZE_FORMAT " bytes failed: %s", maxsize, g_strerror(errno));
    return NULL;
  }
  GstMemory *mem = wrap_fd(allocator, fd, maxsize);
  if (mem && (params->prefix || params->padding))
    gst_memory_resize(mem, (gssize)params->prefix, size);
  return mem;
}

static void vf_ipc_allocator_class_init(VfIpcAllocatorClass *klass)
{
  GST_ALLOCATOR_CLASS(klass)->alloc = shm_alloc;
}

static void vf_ipc_allocator_init(VfIpcAllocator *self)
{
  (void)self;
}

GstAllocator *vf_ipc_allocator_get(void)
{
  static GstAllocator *allocator;
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    id_quark = g_quark_from_static_string("vf-ipc-memory-id");
    live = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    allocator = g_object_new(vf_ipc_allocator_get_type(), NULL);
    gst_object_ref_sink(allocator);
    GST_OBJECT_FLAG_SET(allocator, GST_OBJECT_FLAG_MAY_BE_LEAKED);
    g_once_init_leave(&once, 1);
  }
  return allocator;
}

guint64 vf_ipc_memory_id(GstMemory *memory)
{
  GstAllocator *ours = vf_ipc_allocator_get();
  while (memory && memory->parent)
    memory = memory->parent;
  if (memory == NULL || memory->allocator != ours)
    return 0;
  return GPOINTER_TO_SIZE(gst_mini_object_get_qdata(GST_MINI_OBJECT(memory), id_quark));
}

GstMemory *vf_ipc_memory_new(gsize size, GError **error)
{
  GstAllocator *allocator = vf_ipc_allocator_get();
  int fd = memfd_of_size(size);
  if (fd < 0) {
    g_set_error(error, VF_ERROR, VF_ERROR_FAILED,
                "ipc: shared memory of %" G_GSIZE_FORMAT " bytes (memfd_create) failed: %s", size,
                g_strerror(errno));
    return NULL;
  }
  return wrap_fd(allocator, fd, size);
}

guint64 vf_ipc_memory_deaths(void)
{
  g_mutex_lock(&live_lock);
  guint64 n = deaths;
  g_mutex_unlock(&live_lock);
  return n;
}

gboolean vf_ipc_memory_alive(guint64 id)
{
  g_mutex_lock(&live_lock);
  gboolean alive = live && g_hash_table_contains(live, &id);
  g_mutex_unlock(&live_lock);
  return alive;
}
