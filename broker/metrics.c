/*  metrics.c: counters and the Prometheus text file (see metrics.h). */
#include "metrics.h"
#include "feedback.h"
#include "diag.h"
#include "fileio.h"
#include "strbuf.h"
#include "xalloc.h"
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_REASONS 64
#define MAX_VERDICTS 8

static const double s_buckets[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define NBUCKETS (sizeof s_buckets / sizeof s_buckets[0])

struct metrics_t {
    char file[4096];
    char verdict[MAX_VERDICTS][16];
    uint64_t verdicts[MAX_VERDICTS];
    size_t nverdicts;
    char reason[MAX_REASONS][48];
    uint64_t reasons[MAX_REASONS];
    size_t nreasons;
    uint64_t other_reasons;
    uint64_t bucket[NBUCKETS], count;
    double sum;
    int64_t started;
    uint64_t writes;
    size_t flagged, reputation, complaining;   //  accounts, at the last walk
};

metrics_t *
metrics_new (const char *file)
{
    metrics_t *self = xcalloc (1, sizeof *self);
    snprintf (self->file, sizeof self->file, "%s", file);
    self->started = fileio_now_usec ();
    return self;
}

void
metrics_destroy (metrics_t **self_p)
{
    free (*self_p);
    *self_p = NULL;
}

void
metrics_finished (metrics_t *self, const char *verdict, const envelope_t *env, int64_t latency_usec)
{
    size_t v = 0;
    while (v < self->nverdicts && strcmp (self->verdict[v], verdict))
        v++;
    if (v == self->nverdicts && v < MAX_VERDICTS)
        snprintf (self->verdict[self->nverdicts++], sizeof self->verdict[0], "%s", verdict);
    if (v < MAX_VERDICTS)
        self->verdicts[v]++;
    for (size_t i = 0; env && i < env->reason_count; i++) {
        //  The reason's name: up to ':' or ' ', letters, digits and '-' only.
        char name[48];
        size_t n = 0;
        for (const char *c = env->reasons[i]; *c && *c != ':' && *c != ' ' && n < sizeof name - 1; c++)
            name[n++] = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' ? *c : '_';
        name[n] = 0;
        size_t r = 0;
        while (r < self->nreasons && strcmp (self->reason[r], name))
            r++;
        if (r == self->nreasons && r < MAX_REASONS)
            snprintf (self->reason[self->nreasons++], sizeof self->reason[0], "%s", name);
        if (r < MAX_REASONS)
            self->reasons[r]++;
        else
            self->other_reasons++;
    }
    if (!strcmp (verdict, "corrupt"))
        return;     //  never scanned: no latency
    double s = latency_usec / 1e6;
    for (size_t b = 0; b < NBUCKETS; b++)
        if (s <= s_buckets[b])
            self->bucket[b]++;
    self->count++;
    self->sum += s;
}

typedef struct {
    const compromise_params_t *p;
    size_t flagged, reputation, complaints;
} s_walk_t;

static void
s_count_flagged (void *arg, const char *key, const sender_t *s)
{
    s_walk_t *w = arg;
    w->flagged += s->flagged != 0;
    feedback_state_t f;
    feedback_judge (s, w->p, &f);
    w->reputation += f.reputation;
    w->complaints += f.complaint_warn;
}

int
metrics_write (metrics_t *self, spool_t *spool, pool_t *pool, size_t in_flight, watch_t *watch,
               outcomes_t *outcomes, bool stopping)
{
    strbuf_t o;
    strbuf_init (&o);
    //  A file left by a broker that stopped says so, and counts no workers.
    strbuf_printf (&o, "# HELP farm_broker_up 1 while the broker runs, 0 once it has stopped.\n"
                   "# TYPE farm_broker_up gauge\nfarm_broker_up %d\n", stopping ? 0 : 1);
    strbuf_adds (&o, "# HELP farm_messages_total Messages finished, by verdict.\n"
                     "# TYPE farm_messages_total counter\n");
    for (size_t v = 0; v < self->nverdicts; v++)
        strbuf_printf (&o, "farm_messages_total{verdict=\"%s\"} %llu\n", self->verdict[v],
                       (unsigned long long) self->verdicts[v]);
    strbuf_adds (&o, "# HELP farm_reasons_total Reasons given with verdicts, by name.\n"
                     "# TYPE farm_reasons_total counter\n");
    for (size_t r = 0; r < self->nreasons; r++)
        strbuf_printf (&o, "farm_reasons_total{reason=\"%s\"} %llu\n", self->reason[r],
                       (unsigned long long) self->reasons[r]);
    if (self->other_reasons)
        strbuf_printf (&o, "farm_reasons_total{reason=\"other\"} %llu\n",
                       (unsigned long long) self->other_reasons);
    strbuf_adds (&o, "# HELP farm_latency_seconds From claim to durable output.\n"
                     "# TYPE farm_latency_seconds histogram\n");
    for (size_t b = 0; b < NBUCKETS; b++)
        strbuf_printf (&o, "farm_latency_seconds_bucket{le=\"%g\"} %llu\n", s_buckets[b],
                       (unsigned long long) self->bucket[b]);
    strbuf_printf (&o, "farm_latency_seconds_bucket{le=\"+Inf\"} %llu\nfarm_latency_seconds_sum %.6f\n"
                   "farm_latency_seconds_count %llu\n", (unsigned long long) self->count, self->sum,
                   (unsigned long long) self->count);
    strbuf_adds (&o, "# HELP farm_queue_messages Files in each spool folder.\n"
                     "# TYPE farm_queue_messages gauge\n");
    static const spool_dir_t dirs[] = { SPOOL_INCOMING, SPOOL_ACTIVE, SPOOL_DEFERRED, SPOOL_HOLD,
                                        SPOOL_REJECT, SPOOL_OUTGOING, SPOOL_CORRUPT };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        strbuf_printf (&o, "farm_queue_messages{spool=\"%s\"} %zu\n", spool_dir_name (dirs[i]),
                       spool_count (spool, dirs[i]));
    strbuf_printf (&o, "# HELP farm_jobs_in_flight Jobs leased to workers, not answered yet.\n"
                   "# TYPE farm_jobs_in_flight gauge\nfarm_jobs_in_flight %zu\n", stopping ? 0 : in_flight);
    strbuf_adds (&o, "# HELP farm_workers Workers connected, by the model version they run.\n"
                     "# TYPE farm_workers gauge\n");
    //  Count by model version (few distinct ones).
    char models[16][128];
    size_t counts[16], nm = 0, total = 0;
    for (pool_worker_t *w = stopping ? NULL : pool_first (pool); w; w = pool_next (pool)) {
        total++;
        size_t m = 0;
        while (m < nm && strcmp (models[m], w->model))
            m++;
        if (m == nm && nm < 16) {
            snprintf (models[nm], sizeof models[0], "%s", w->model);
            counts[nm++] = 0;
        }
        if (m < 16)
            counts[m]++;
    }
    for (size_t m = 0; m < nm; m++)
        strbuf_printf (&o, "farm_workers{model=\"%s\"} %zu\n", *models[m] ? models[m] : "none", counts[m]);
    if (nm == 0)
        strbuf_adds (&o, "farm_workers{model=\"none\"} 0\n");
    if (watch) {
        //  Flagged accounts: a walk of the state; for a large state only
        //  every twelfth time.
        size_t records, bytes, map;
        senderdb_usage (watch_senders (watch), &records, &bytes, &map);
        if (records < 100000 || self->writes % 12 == 0) {
            s_walk_t w = { watch_params (watch), 0, 0, 0 };
            senderdb_each (watch_senders (watch), "a:", s_count_flagged, &w);
            self->flagged = w.flagged;
            self->reputation = w.reputation;
            self->complaining = w.complaints;
        }
        strbuf_printf (&o, "# HELP farm_accounts_reputation Accounts whose usual share of invalid "
                       "recipients or policy refusals is a reputation problem "
                       "(compromise/reputation-invalid, reputation-policy; farm-ctl show says which).\n"
                       "# TYPE farm_accounts_reputation gauge\nfarm_accounts_reputation %zu\n"
                       "# HELP farm_accounts_complaints Accounts whose complaints in 7 days are over "
                       "compromise/complaint-warn.\n"
                       "# TYPE farm_accounts_complaints gauge\nfarm_accounts_complaints %zu\n",
                       self->reputation, self->complaining);
        strbuf_printf (&o, "# HELP farm_accounts_flagged Accounts whose mail is held until an operator acts.\n"
                       "# TYPE farm_accounts_flagged gauge\nfarm_accounts_flagged %zu\n"
                       "# HELP farm_sender_records Records in the sender state (accounts and domains).\n"
                       "# TYPE farm_sender_records gauge\nfarm_sender_records %zu\n"
                       "# HELP farm_sender_bytes Bytes of the sender state file in use, and its map.\n"
                       "# TYPE farm_sender_bytes gauge\nfarm_sender_bytes{of=\"used\"} %zu\n"
                       "farm_sender_bytes{of=\"map\"} %zu\n", self->flagged, records, bytes, map);
        watch_counters_t c;
        watch_counters (watch, &c);
        strbuf_printf (&o, "# HELP farm_compromise_total The compromise detector's decisions since the "
                       "broker started: flags, flags that ran out (compromise/flag-ttl), flags "
                       "escalated (compromise/escalate-after), holds it would have made in observe mode.\n"
                       "# TYPE farm_compromise_total counter\n"
                       "farm_compromise_total{event=\"flag\"} %" PRIu64 "\n"
                       "farm_compromise_total{event=\"expiry\"} %" PRIu64 "\n"
                       "farm_compromise_total{event=\"escalation\"} %" PRIu64 "\n"
                       "farm_compromise_total{event=\"would_hold\"} %" PRIu64 "\n",
                       c.flags, c.expiries, c.escalations, c.would_holds);
    }
    if (outcomes) {
        outcomes_counters_t c;
        outcomes_counters (outcomes, &c);
        strbuf_adds (&o, "# HELP farm_feedback_total Recipients' delivery outcomes charged to "
                         "their accounts, by kind.\n# TYPE farm_feedback_total counter\n");
        for (int k = 0; k < FEEDBACK_KINDS; k++)
            strbuf_printf (&o, "farm_feedback_total{outcome=\"%s\"} %" PRIu64 "\n",
                           feedback_kind_name ((feedback_kind_t) k), c.kinds[k]);
        strbuf_adds (&o, "# HELP farm_feedback_lines_total Outcome lines read from SPOOL/feedback/, by "
                         "what became of them (only charged ones count against an account).\n"
                         "# TYPE farm_feedback_lines_total counter\n");
        for (int r = 0; r < OUTCOME_RESULTS; r++)
            strbuf_printf (&o, "farm_feedback_lines_total{result=\"%s\"} %" PRIu64 "\n",
                           outcome_result_name ((outcome_result_t) r), c.results[r]);
        strbuf_adds (&o, "# HELP farm_complaints_total Feedback-loop reports read from "
                         "SPOOL/complaints/, by what became of them.\n"
                         "# TYPE farm_complaints_total counter\n");
        for (int r = 0; r < COMPLAINT_RESULTS; r++)
            strbuf_printf (&o, "farm_complaints_total{result=\"%s\"} %" PRIu64 "\n",
                           complaint_result_name ((complaint_result_t) r), c.complaints[r]);
        strbuf_printf (&o, "# HELP farm_feedback_flags_total Accounts flagged for a rise of refused "
                       "recipients or for complaints.\n# TYPE farm_feedback_flags_total counter\n"
                       "farm_feedback_flags_total %" PRIu64 "\n", c.flags);
    }
    strbuf_printf (&o, "# HELP farm_up_seconds Since the broker started.\n# TYPE farm_up_seconds gauge\n"
                   "farm_up_seconds %.0f\n", (fileio_now_usec () - self->started) / 1e6);
    self->writes++;
    int rc = fileio_replace (self->file, o.data, o.len, 0644);
    if (rc < 0) {
        static int64_t warned;
        if (fileio_now_usec () - warned > 60000000) {
            diag_warn ("metrics file %s: %s", self->file, strerror (errno));
            warned = fileio_now_usec ();
        }
    }
    strbuf_free (&o);
    return rc;
}
