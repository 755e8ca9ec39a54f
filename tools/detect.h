/* vidflow command: `vidflow detect`, the built-in default job (object detection on the sample
 * footage to an annotated MP4 + JSON lines, with progress and a per-class summary). */
#pragma once

/* argv[0] is "detect"; returns the process exit status. */
int vf_cmd_detect(int argc, char **argv);
