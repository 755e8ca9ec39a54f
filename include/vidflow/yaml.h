/* vidflow: pipelines from YAML files, in two forms. Errors name the file and line
 * ("flows/x.yaml:12: ..."), syntax errors the column too.
 *
 * 1. Service Maker pipeline graphs:
 *
 *   deepstream:
 *     nodes:
 *       - {type: vfurisrcbin, name: src, properties: {uri: clip.mp4}}
 *       - {type: tee, name: t}
 *       - {type: fakesink, name: sink1}
 *       - {type: fakesink, name: sink2}
 *       - {type: sample.counter, name: count, properties: {output: /tmp/n.txt}}
 *     edges:
 *       src: t                  # link src to t
 *       t: [sink1, sink2]       # one source, several targets
 *       src.src: count          # attach the probe node "count" to src's "src" pad
 *
 *   Nodes: `type` is a GStreamer element factory, or "plugin.object" for a custom object
 *   (vidflow/plugin.h): a provider becomes an appsrc named `name` fed by it, a retriever an appsink
 *   consumed by it, a probe is attached where an edge points at it. `properties` are element
 *   properties (converted by type, as vf_pipeline_add does) or the custom object's parameters.
 *   DeepStream factory names run as vidflow's elements when the nv* element is not installed,
 *   their properties mapped, as vf_pipeline_add does (vidflow/nvidia.h, docs/nvidia-names.md);
 *   DeepStream's module spelling of a built-in custom object ("measure_fps_probe.
 *   measure_fps_probe") is that built-in.
 *   Relative paths in properties named uri, location, *-file and *-path are taken from the YAML
 *   file's folder.
 *   Edges: `a: b` links a to b; `a: [b, c]` links a to each (a tee with a queue per branch is put
 *   in when a has no request source pads of its own); "a.pad" and "b.pad" name pads (a pad name
 *   or template such as sink_%u).
 *
 * 2. Flow descriptions, the Flow API's operations in order (the seed's flows without C):
 *
 *   name: playback                       # optional: the pipeline's name
 *   flow:
 *     - capture: [clip.mp4]              # or {uris: [...], file-loop: true, ...overrides}
 *     - batch: {width: 1280, height: 720}  # batch-size/width/height, then overrides
 *     - attach: measure_fps_probe        # or {what: sample.counter, name: c, ...parameters}
 *     - fork:                            # a list of branches, each a list of operations
 *         - [{encode: {uri: "rtsp://localhost:8554", sync: true}}]
 *         - [{encode: /tmp/sample.mp4}]
 *         - render                       # a branch of one operation
 *
 *   Operations: capture (URIs), inject (providers by custom-object name: [{use: sample.pattern,
 *   width: 320}]), batch_capture (URIs or a source-list YAML file), decode, batch, infer (config),
 *   track (a tracker config, or {ll-config-file, ll-lib-file, overrides}; bare: the defaults),
 *   attach, fork, retrieve (a custom retriever: {use: sample.checksum, ...}), render (display,
 *   discard or stream), encode (uri, profile, bitrate, iframeinterval), publish
 *   (msg-broker-conn-str, msg-broker-proto-lib, topic, msg-conv-config; a bare value is the
 *   conn-str; overrides go to vfmsgconv / vfmsgbroker). Each takes its own
 *   arguments; every other key is an override ('_' and '-' alike). A bare name ("- render") runs
 *   the operation with its defaults. ${VAR} and ${VAR:-default} in values come from the
 *   environment; relative paths are taken from the YAML file's folder. */
#pragma once

#include <vidflow/flow.h>

G_BEGIN_DECLS

typedef enum {
  VF_YAML_GRAPH = 1, /* deepstream: {nodes, edges} */
  VF_YAML_FLOW,      /* flow: [operations] */
} VfYamlKind;

/* Which form a file has (reads it); FALSE with the reason when it is neither. */
VF_API gboolean vf_yaml_detect(const char *path, VfYamlKind *kind, GError **error);
/* A pipeline built from a Service Maker graph (transfer full), not started. */
VF_API VfPipeline *vf_pipeline_new_from_yaml(const char *path, GError **error);
/* A flow built from a flow description (transfer full), not started. */
VF_API VfFlow *vf_flow_new_from_yaml(const char *path, GError **error);

G_END_DECLS
