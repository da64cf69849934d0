/*  worker.h: the worker's connection to the broker and its job loop. */
#ifndef FARM_WORKER_H
#define FARM_WORKER_H
#include "cfg.h"

typedef struct worker_t worker_t;

//  hupfd: hup_open's descriptor (or -1): SIGHUP rereads the model, its
//  thresholds, the keys and the accounts table before the next job.
worker_t *worker_new (cfg_t *cfg, int hupfd);
void worker_destroy (worker_t **self_p);
//  Serve jobs until SIGINT/SIGTERM; reconnects on its own. Returns 0.
int worker_run (worker_t *self);
#endif
