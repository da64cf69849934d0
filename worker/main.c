/*  main.c: farm-worker: connects to the broker and scans the jobs it is given.
 *  Usage: farm-worker [--config FILE] [--endpoint EP] ...
 *  SIGTERM, SIGINT: stop cleanly; SIGHUP: reread the model, its thresholds,
 *  the keys and the accounts table. */
#include "cfg.h"
#include "hup.h"
#include "worker.h"
#include <czmq.h>

int
main (int argc, char **argv)
{
    cfg_t *cfg = cfg_new (CFG_WORKER);
    int rc = cfg_daemon_start (cfg, "farm-worker", argc, argv,
        "usage: farm-worker [options]\n\n"
        "Connects to the broker, takes jobs as its credit allows, scans each message\n"
        "and sends the verdict back. Stateless: run as many as there are cores.");
    if (rc < 0) {
        //  The keys in a process of their own, forked before anything else
        //  (keyd.h): this one parses the mail and never holds a key.
        keyd_t *keyd = worker_keyd_start (cfg);
        //  Before any thread, so that all block them: SIGHUP reloads, SIGTERM and
        //  SIGINT stop, both read in the loop, so that no czmq call (a socket
        //  monitor starting, say) is interrupted halfway by the stop.
        int hupfd = hup_open (true);
        zsys_init ();
        zsys_set_logstream (NULL);
        worker_t *worker = worker_new (cfg, hupfd, keyd);
        worker_run (worker);
        worker_destroy (&worker);
        rc = 0;
    }
    cfg_destroy (&cfg);
    return rc;
}
