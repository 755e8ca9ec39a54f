/* vidflow command: telling a service manager how a run goes, with systemd's notify protocol
 * (sd_notify(3); a unit with Type=notify), so a supervisor (or a test) acts on moments, never
 * on delays. */
#pragma once

/* Send `state` ("VAR=value" lines: "READY=1", "STATUS=...", "STOPPING=1"; borrowed) as one
 * datagram to the unix socket named by $NOTIFY_SOCKET (a path, or an abstract name written with
 * a leading '@'). Without $NOTIFY_SOCKET it does nothing; a socket that cannot be reached is
 * said once on stderr, and the run goes on. Any thread; not from a signal handler.
 * The command sends, in this order: "STATUS=starting" once Ctrl-C and SIGTERM are handled
 * (before the file loads or the model), "READY=1\nSTATUS=running" once the pipeline runs,
 * "STOPPING=1" when the run ends. */
void vf_cmd_notify(const char *state);

/* The states the command sends (what a supervisor may wait for). */
#define VF_CMD_NOTIFY_STARTING "STATUS=starting"
#define VF_CMD_NOTIFY_READY "READY=1\nSTATUS=running"
#define VF_CMD_NOTIFY_STOPPING "STOPPING=1"
