/*  outcomes.h: what comes back about delivered mail, read by the broker and
 *  charged to the account that sent it (shared/sender/feedback.h):
 *
 *    SPOOL/feedback/    small files of outcome lines, from farm-relay or any
 *                       MTA: one recipient's outcome a line,
 *                           QID <tab> RCPT <tab> CODE <tab> STATUS <tab> TEXT
 *                       (the farm's queue id, the recipient as in the
 *                       envelope, the reply's basic code, its enhanced
 *                       status or "-", its text); lines of at most
 *                       OUTCOMES_MAX_LINE bytes, files of at most
 *                       OUTCOMES_MAX_FILE, names not starting with "."
 *                       (write one as .NAME, then rename it)
 *    SPOOL/complaints/  ARF feedback-loop reports (RFC 5965), one a file
 *                       (farm-ctl complaint writes them), matched by the
 *                       original's Message-ID, else by the farm's own
 *                       Feedback-ID header (feedback/sender-id)
 *
 *  Each file is read once and removed, at most feedback/max-files of each
 *  folder a tick (every OUTCOMES_EVERY_MS) and for at most OUTCOMES_TICK_MS
 *  of it, so that a flood never stalls the broker. farm-relay writes one
 *  file a pass over outgoing/, not one a message. An outcome is
 *  charged only when the queue id is one the broker delivered (sent.h) and
 *  the recipient one of its own, once per recipient (deferrals aside);
 *  everything else is counted by kind and logged once a minute per kind,
 *  never charged to anyone. */
#ifndef FARM_OUTCOMES_H
#define FARM_OUTCOMES_H
#include "cfg.h"
#include "spool.h"
#include "watch.h"

#define OUTCOMES_MAX_LINE 2048
#define OUTCOMES_MAX_FILE (1u << 20)
#define OUTCOMES_TICK_MS 10
#define OUTCOMES_EVERY_MS 25

typedef enum {
    OUTCOME_CHARGED, OUTCOME_UNKNOWN_QID, OUTCOME_UNKNOWN_RCPT, OUTCOME_DUPLICATE,
    OUTCOME_MALFORMED, OUTCOME_BAD_LINE, OUTCOME_BAD_FILE, OUTCOME_NO_ACCOUNT, OUTCOME_RESULTS
} outcome_result_t;
typedef enum {
    COMPLAINT_CHARGED, COMPLAINT_UNMATCHED, COMPLAINT_NOT_REPORT, COMPLAINT_NO_ORIGINAL,
    COMPLAINT_MALFORMED, COMPLAINT_RESULTS
} complaint_result_t;

typedef struct {
    uint64_t kinds[FEEDBACK_KINDS];         //  outcomes charged, by kind
    uint64_t results[OUTCOME_RESULTS];      //  outcome lines by what became of them
    uint64_t complaints[COMPLAINT_RESULTS]; //  reports by what became of them
    uint64_t flags;                         //  accounts flagged for a rise or complaints
    uint64_t pruned;                        //  records of delivered mail forgotten
} outcomes_counters_t;

typedef struct outcomes_t outcomes_t;

outcomes_t *outcomes_new (cfg_t *cfg, spool_t *spool, watch_t *watch);
void outcomes_destroy (outcomes_t **self_p);
//  Read what is waiting (bounded) and forget old records of delivered mail.
//  How many files were read.
size_t outcomes_tick (outcomes_t *self);
//  One outcome line (text, len bytes, no line end), as from a file.
outcome_result_t outcomes_line (outcomes_t *self, const char *text, size_t len);
//  One report (msg, len bytes); the account charged into account.
complaint_result_t outcomes_complaint (outcomes_t *self, const char *msg, size_t len, char *account,
                                       size_t alen);
void outcomes_counters (outcomes_t *self, outcomes_counters_t *out);
const char *outcome_result_name (outcome_result_t r);
const char *complaint_result_name (complaint_result_t r);
#endif
