/* Custom trackers that fail, one way each (chosen by a -D at build time), for vftracker's error
 * paths: BAD_NO_ENTRY (no vf_tracker_v1), BAD_ABI (another ABI version), BAD_MISSING (no
 * process()), BAD_CREATE (create() refuses), BAD_PROCESS (process() fails on the third frame),
 * BAD_IDS (an id below the stream's first id), BAD_NVMOT (DeepStream's low-level tracker API,
 * NvMOT_Query, instead of vf_tracker_v1). */
#include <vidflow/tracker.h>

#include <stdio.h>
#include <stdlib.h>

#define EXPORT __attribute__((visibility("default")))

static VfTrackerTrack track;

static void *bad_create(const char *config_path, char *error, size_t error_size)
{
  (void)config_path;
#ifdef BAD_CREATE
  snprintf(error, error_size, "licence expired");
  return NULL;
#else
  (void)error;
  (void)error_size;
  return &track;
#endif
}

static void bad_destroy(void *tracker)
{
  (void)tracker;
}

static void *bad_stream_new(void *tracker, uint32_t source_id, uint64_t first_id, char *error,
                            size_t error_size)
{
  (void)tracker, (void)source_id, (void)error, (void)error_size;
  uint64_t *first = malloc(sizeof *first);
  *first = first_id;
  return first;
}

static void bad_stream_free(void *tracker, void *stream)
{
  (void)tracker;
  free(stream);
}

static int32_t bad_process(void *tracker, void *stream, const VfTrackerFrame *frame,
                           const VfTrackerDetection *dets, int32_t n_dets,
                           const VfTrackerTrack **tracks, char *error, size_t error_size)
{
  (void)tracker, (void)dets;
  const uint64_t *first = stream;
  if (frame->frame_number == 2) {
#ifdef BAD_PROCESS
    snprintf(error, error_size, "model exploded");
    return -1;
#endif
  }
  (void)error, (void)error_size;
  if (n_dets == 0)
    return 0;
  track = (VfTrackerTrack){ .id = *first, .detection = 0, .state = VF_TRACK_CONFIRMED };
#ifdef BAD_IDS
  track.id = *first - 1;
#endif
  *tracks = &track;
  return 1;
}

static const VfTracker bad = {
#ifdef BAD_ABI
  .abi_version = VF_TRACKER_ABI + 98,
#else
  .abi_version = VF_TRACKER_ABI,
#endif
  .struct_size = sizeof(VfTracker),
  .name = "bad",
  .create = bad_create,
  .destroy = bad_destroy,
  .stream_new = bad_stream_new,
  .stream_free = bad_stream_free,
#ifndef BAD_MISSING
  .process = bad_process,
#endif
};

#ifdef BAD_NVMOT
/* only the symbol matters: vftracker never calls it */
EXPORT int NvMOT_Query(void);
int NvMOT_Query(void)
{
  return 0;
}
#endif

#if defined(BAD_NO_ENTRY) || defined(BAD_NVMOT)
EXPORT const VfTracker *vf_not_a_tracker(void);
const VfTracker *vf_not_a_tracker(void)
#else
EXPORT const VfTracker *vf_tracker_v1(void);
const VfTracker *vf_tracker_v1(void)
#endif
{
#ifdef BAD_MISSING
  (void)bad_process;
#endif
  return &bad;
}
