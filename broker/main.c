/*  main.c: farm-broker: pulls messages from the ingest spools, leases them to
 *  workers over ZeroMQ, writes verdicts to the output spools.
 *  Usage: farm-broker [--config FILE] [--spool DIR] [--endpoint EP] ... */
#include "broker.h"
#include "cfg.h"
#include "diag.h"
#include <czmq.h>
#include <stdio.h>

int
main (int argc, char **argv)
{
    diag_init ("farm-broker", false);
    cfg_t *cfg = cfg_new (CFG_BROKER);
    char err[512];
    int rc = cfg_args (cfg, &argc, argv, err, sizeof err);
    if (rc == 1) {
        cfg_help (cfg, "usage: farm-broker [options]\n\n"
                       "Claims messages from the spool's incoming/ (and the extra ingest spools),\n"
                       "leases them to farm-worker processes and writes each verdict to outgoing/,\n"
                       "hold/, reject/ or deferred/. Stops cleanly on SIGTERM or SIGINT.");
        cfg_destroy (&cfg);
        return 0;
    }
    if (rc < 0 || argc > 1) {
        fprintf (stderr, "farm-broker: %s\n", rc < 0 ? err : "unexpected argument (try --help)");
        cfg_destroy (&cfg);
        return 64;
    }
    int level = diag_level_parse (cfg_str (cfg, "log/level"));
    if (level < 0)
        diag_fatal ("log/level: '%s' is not error, warning, info or debug", cfg_str (cfg, "log/level"));
    diag_set_level ((diag_level_t) level);
    diag_init ("farm-broker", cfg_bool (cfg, "log/syslog"));
    zsys_init ();
    zsys_set_logstream (NULL);
    broker_t *broker = broker_new (cfg);
    broker_run (broker);
    broker_destroy (&broker);
    cfg_destroy (&cfg);
    return 0;
}
