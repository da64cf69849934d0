/*  broker.h: the broker: one zloop over the ROUTER socket, inotify and
 *  timers; glue between ingest, pool, lease and spooler. */
#ifndef FARM_BROKER_H
#define FARM_BROKER_H
#include "cfg.h"

typedef struct broker_t broker_t;

//  Open the spools (creating them), lock the main one, recover it and bind
//  the endpoint. Fatal errors exit with a log line.
//  hupfd: hup_open's descriptor (or -1): SIGHUP reopens the verdict log and
//  rereads compromise.cfg.
broker_t *broker_new (cfg_t *cfg, int hupfd);
void broker_destroy (broker_t **self_p);
//  Run until SIGINT/SIGTERM. Returns 0.
int broker_run (broker_t *self);
#endif
