/* vidflow: symbol visibility. Everything not marked VF_API stays private (-fvisibility=hidden). */
#pragma once

#if defined(VF_COMPILATION)
#define VF_API __attribute__((visibility("default")))
#else
#define VF_API
#endif
