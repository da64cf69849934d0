/*  worker.h: the worker's connection to the broker and its job loop. */
#ifndef FARM_WORKER_H
#define FARM_WORKER_H
#include "cfg.h"
#include "keyd.h"

typedef struct worker_t worker_t;

//  hupfd: hup_open's descriptor (or -1): SIGHUP rereads the model, its
//  thresholds, the keys and the accounts table before the next job.
//  The key process (keyd.h), forked from cfg: first thing in main, before
//  any thread and before signals are blocked. Exits 1 when it cannot.
keyd_t *worker_keyd_start (cfg_t *cfg);
//  keyd: the key process, owned from here on.
worker_t *worker_new (cfg_t *cfg, int hupfd, keyd_t *keyd);
void worker_destroy (worker_t **self_p);
//  Serve jobs until SIGINT/SIGTERM; reconnects on its own. Returns 0.
int worker_run (worker_t *self);
#endif
