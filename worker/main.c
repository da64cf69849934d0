/*  main.c: farm-worker: connects to the broker and scans the jobs it is given.
 *  Usage: farm-worker [--config FILE] [--endpoint EP] ... */
#include "cfg.h"
#include "diag.h"
#include "worker.h"
#include <czmq.h>
#include <stdio.h>

int
main (int argc, char **argv)
{
    diag_init ("farm-worker", false);
    cfg_t *cfg = cfg_new (CFG_WORKER);
    char err[512];
    int rc = cfg_args (cfg, &argc, argv, err, sizeof err);
    if (rc == 1) {
        cfg_help (cfg, "usage: farm-worker [options]\n\n"
                       "Connects to the broker, takes jobs as its credit allows, scans each message\n"
                       "and sends the verdict back. Stateless: run as many as there are cores.");
        cfg_destroy (&cfg);
        return 0;
    }
    if (rc < 0 || argc > 1) {
        fprintf (stderr, "farm-worker: %s\n", rc < 0 ? err : "unexpected argument (try --help)");
        cfg_destroy (&cfg);
        return 64;
    }
    int level = diag_level_parse (cfg_str (cfg, "log/level"));
    if (level < 0)
        diag_fatal ("log/level: '%s' is not error, warning, info or debug", cfg_str (cfg, "log/level"));
    diag_set_level ((diag_level_t) level);
    diag_init ("farm-worker", cfg_bool (cfg, "log/syslog"));
    zsys_init ();
    zsys_set_logstream (NULL);
    worker_t *worker = worker_new (cfg);
    worker_run (worker);
    worker_destroy (&worker);
    cfg_destroy (&cfg);
    return 0;
}
