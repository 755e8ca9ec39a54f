/* vidflow: the whole public API. */
#pragma once

#include <vidflow/error.h>
#include <vidflow/format.h>
#include <vidflow/tensor.h>
#include <vidflow/meta.h>
#include <vidflow/buffer.h>
#include <vidflow/frame-map.h>
#include <vidflow/pipeline.h>
#include <vidflow/feeder.h>
#include <vidflow/receiver.h>
#include <vidflow/probe.h>
#include <vidflow/frame-queue.h>
#include <vidflow/source.h>
#include <vidflow/flow.h>
#include <vidflow/plugin.h>
#include <vidflow/yaml.h>
