/*  main.c: farm-broker: pulls messages from the ingest spools, leases them to
 *  workers over ZeroMQ, writes verdicts to the output spools.
 *  Usage: farm-broker [--config FILE] [--spool DIR] [--endpoint EP] ...
 *  SIGTERM, SIGINT: stop cleanly; SIGHUP: reopen the verdict log, reread
 *  compromise.cfg. */
#include "broker.h"
#include "cfg.h"
#include "hup.h"
#include <czmq.h>

int
main (int argc, char **argv)
{
    cfg_t *cfg = cfg_new (CFG_BROKER);
    int rc = cfg_daemon_start (cfg, "farm-broker", argc, argv,
        "usage: farm-broker [options]\n\n"
        "Claims messages from the spool's incoming/ (and the extra ingest spools),\n"
        "leases them to farm-worker processes and writes each verdict to outgoing/,\n"
        "hold/, reject/ or deferred/. Stops cleanly on SIGTERM or SIGINT.");
    if (rc < 0) {
        int hupfd = hup_open (false);        //  before any thread, so that all block it
        zsys_init ();
        //  czmq's own log lines (zauth's, for CURVE) go where ours go.
        if (cfg_bool (cfg, "log/syslog"))
            zsys_set_logsystem (true), zsys_set_logstream (NULL);
        else
            zsys_set_logstream (stderr);
        broker_t *broker = broker_new (cfg, hupfd);
        broker_run (broker);
        broker_destroy (&broker);
        rc = 0;
    }
    cfg_destroy (&cfg);
    return rc;
}
