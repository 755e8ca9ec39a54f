/* vidflow: what the IPC files share (ipc-wire.c: messages on the socket; ipc-meta.c: metadata
 * serialization; ipc-shm.c: shared memory; ipc-producer.c, ipc-consumer.c: the two ends). */
#pragma once

#include <vidflow/ipc.h>
#include <vidflow/meta.h>

/* ---- ipc-wire.c: messages ---- */

#define VF_IPC_MAGIC 0x50494656u /* "VFIP" */
/* The most frame memories one buffer message names (a batch's frames and the buffer's own). */
#define VF_IPC_MAX_SLOTS 64
/* The most file descriptors one message carries: a new memory per slot, and the metadata's
 * shared memory when it does not fit in the message. */
#define VF_IPC_MAX_FDS (VF_IPC_MAX_SLOTS + 1)
/* A buffer's common part (timestamps and metadata) larger than this travels in a memfd of its
 * own instead of inside the datagram (a unix datagram is limited by the socket's send buffer,
 * about 200 KB by default). */
#define VF_IPC_INLINE_MAX (32 * 1024)

typedef enum {
  VF_IPC_MSG_HELLO = 1,    /* both ways when connecting: pid (u32) */
  VF_IPC_MSG_ERROR,        /* producer → consumer: a string, then the producer closes */
  VF_IPC_MSG_STREAM_START, /* stream id (string) */
  VF_IPC_MSG_CAPS,         /* caps (string) */
  VF_IPC_MSG_SEGMENT,      /* a segment */
  VF_IPC_MSG_EOS,
  VF_IPC_MSG_BUFFER,  /* a buffer: see ipc-producer.c */
  VF_IPC_MSG_RELEASE, /* consumer → producer: sequence number (u64) */
  VF_IPC_MSG_FORGET,  /* producer → consumer: memory id (u64) is gone, unmap it */
} VfIpcMsgType;

typedef struct {
  guint32 magic;
  guint16 version;
  guint16 type;
  guint32 length; /* of the payload after this header */
  guint32 reserved;
} VfIpcHeader;

/* Append-only writer (host order). */
void vf_ipc_put_u8(GByteArray *out, guint8 v);
void vf_ipc_put_u32(GByteArray *out, guint32 v);
void vf_ipc_put_i32(GByteArray *out, gint32 v);
void vf_ipc_put_u64(GByteArray *out, guint64 v);
void vf_ipc_put_f32(GByteArray *out, gfloat v);
void vf_ipc_put_f64(GByteArray *out, gdouble v);
/* (nullable) */
void vf_ipc_put_str(GByteArray *out, const char *s);
void vf_ipc_put_bytes(GByteArray *out, const guint8 *data, guint32 size);

/* Bounds-checked reader: a read past the end sets `bad` and gives zeros. */
typedef struct {
  const guint8 *p;
  gsize left;
  gboolean bad;
} VfIpcReader;

guint8 vf_ipc_get_u8(VfIpcReader *r);
guint32 vf_ipc_get_u32(VfIpcReader *r);
gint32 vf_ipc_get_i32(VfIpcReader *r);
guint64 vf_ipc_get_u64(VfIpcReader *r);
gfloat vf_ipc_get_f32(VfIpcReader *r);
gdouble vf_ipc_get_f64(VfIpcReader *r);
/* (transfer full, nullable) */
char *vf_ipc_get_str(VfIpcReader *r);
/* (transfer none) points into the message; *size its length. */
const guint8 *vf_ipc_get_bytes(VfIpcReader *r, guint32 *size);

/* Send one message with `n_fds` descriptors (borrowed). FALSE with *error (naming `peer`) when
 * the peer is gone or the message is too large for the socket. */
gboolean vf_ipc_send(int sock, VfIpcMsgType type, const GByteArray *payload, const int *fds,
                     guint n_fds, const char *peer, GError **error);
/* One message into *message (grown as needed); received descriptors into fds (at most
 * VF_IPC_MAX_FDS, the caller owns them). 0: message; 1: the peer closed the connection;
 * -1: error (bad magic, other version: named in *error). */
gint vf_ipc_recv(int sock, GByteArray *message, VfIpcHeader *header, int *fds, guint *n_fds,
                 const char *peer, GError **error);

/* ---- ipc-meta.c: metadata ---- */

/* Write batch `meta` (nullable: none); frame i's pixels are slot frame_slots[i] (-1: the carrying
 * buffer). Counts user meta that cannot be sent in *unsent and reports each new type once (a
 * warning naming `who`). */
void vf_ipc_meta_write(GByteArray *out, VfBatchMeta *meta, const gint *frame_slots, guint64 *unsent,
                       GHashTable *reported_types, const char *who);

/* Rebuild what vf_ipc_meta_write wrote on writable `buffer`; frame pixels from slots[i]
 * (borrowed), each laid out as the frame's video info says. `sticky` caches sticky event arrays
 * by their serialized form (string → GPtrArray). FALSE with *error on a malformed message. */
gboolean vf_ipc_meta_read(VfIpcReader *r, GstBuffer *buffer, GstBuffer **slots, guint n_slots,
                          GHashTable *sticky, guint64 *unsent, GError **error);

/* Serialized video info (format, size, offsets, strides, framerate). */
void vf_ipc_put_video_info(GByteArray *out, const GstVideoInfo *info);
gboolean vf_ipc_get_video_info(VfIpcReader *r, GstVideoInfo *info);
/* (transfer full, nullable: NULL for a type that does not cross or a malformed structure) a
 * sticky event from its GstEventType and its structure as a string. */
GstEvent *vf_ipc_event_new(guint32 type, const char *structure);

/* ---- ipc-producer.c ---- */

/* End of stream without waiting: each consumer is told after the buffers queued for it. */
void vf_ipc_producer_end(VfIpcProducer *producer);

/* ---- ipc-shm.c: shared memory ---- */

/* The id of an allocator memory (unique in the process, never reused), 0 for other memory. */
guint64 vf_ipc_memory_id(GstMemory *memory);
/* A new shared memory of `size` bytes (transfer full), or NULL with *error (memfd failed). */
GstMemory *vf_ipc_memory_new(gsize size, GError **error);
/* How many allocator memories died so far (a producer checks its consumers' mappings when it
 * changes) and whether memory `id` is alive. */
guint64 vf_ipc_memory_deaths(void);
gboolean vf_ipc_memory_alive(guint64 id);
