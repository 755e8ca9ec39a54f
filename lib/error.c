/* vidflow: the error domain. */
#include <vidflow/error.h>

GQuark vf_error_quark(void)
{
  return g_quark_from_static_string("vidflow-error-quark");
}
