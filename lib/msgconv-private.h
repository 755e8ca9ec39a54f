/* vidflow: the message converter's internals: the msg-conv config (msgconv-config.c) shared with
 * the schema writers (msgconv.c). */
#pragma once

#include <vidflow/message.h>

typedef struct {
  char *id, *type, *description;
  gdouble location[3];   /* lat, lon, alt */
  gdouble coordinate[3]; /* x, y, z */
} MsgSensor;

typedef struct {
  char *id, *type, *name;
  gdouble location[3];
  gdouble coordinate[3];
  char *sub_field[3]; /* place-sub-field1..3 */
} MsgPlace;

typedef struct {
  char *id, *description, *source, *version;
} MsgModule;

typedef struct {
  GHashTable *sensors; /* group index -> MsgSensor* (enabled groups only) */
  GHashTable *places;  /* -> MsgPlace* */
  GHashTable *modules; /* -> MsgModule* */
} MsgConvConfig;

/* Reads a key-file (DeepStream's msgconv_config.txt) or, for .yml/.yaml, a YAML file of the same
 * groups. NULL with an error naming the file, group and key. */
MsgConvConfig *vf_msgconv_config_load(const char *path, GError **error);
void vf_msgconv_config_free(MsgConvConfig *config);
/* (nullable) the enabled group of that index; config may be NULL. */
const MsgSensor *vf_msgconv_config_sensor(const MsgConvConfig *config, gint index);
const MsgPlace *vf_msgconv_config_place(const MsgConvConfig *config, gint index);
const MsgModule *vf_msgconv_config_module(const MsgConvConfig *config, gint index);

/* msgconv.c: is `label` a vehicle (car, truck, bus, ...: DeepStream's vehicle object type)? */
gboolean vf_msgconv_is_vehicle(const char *label);
