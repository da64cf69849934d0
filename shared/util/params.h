/*  params.h: the table of every configuration key of every farm program. */
#ifndef FARM_PARAMS_H
#define FARM_PARAMS_H
#include "cfg.h"
extern const cfg_key_t params_table[];
extern const size_t params_count;
#endif
