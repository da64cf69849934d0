/*  sequence.h: the stream's order (spool/clock = messages, farm-replay).
 *  With a stream clock the farm must give the same verdicts however fast
 *  its workers answer, so what a verdict does to the sender state (a flag,
 *  the recipients remembered, the hour's spam) takes effect in dispatch
 *  order, at points fixed by the stream alone: the verdict of a message is
 *  applied just before the first message received latency seconds after
 *  it is dispatched (as the live farm would have it back by then), or the
 *  one lag messages after it, or when nothing is left to dispatch;
 *  whenever it arrived. The judge of every message then sees the same
 *  state in every run.
 *  This holds the messages dispatched and not yet applied, oldest first. */
#ifndef FARM_SEQUENCE_H
#define FARM_SEQUENCE_H
#include "envelope.h"
#include "qid.h"
#include "verdict.h"
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct {
    char qid[QID_SIZE];
    int64_t t;                  //  its time by the stream's clock
    char *snap;                 //  the sender-state snapshot it was sent with
    size_t snap_len;
    bool done;                  //  its verdict came: the fields below are set
    envelope_t *env;            //  owned
    off_t body_off;
    int64_t claimed_usec;
    uint64_t scan_usec;
    verdict_t verdict;          //  owned
} sequence_entry_t;

typedef struct sequence_t sequence_t;

sequence_t *sequence_new (size_t lag);
void sequence_destroy (sequence_t **self_p);
size_t sequence_lag (sequence_t *self);
size_t sequence_size (sequence_t *self);
//  A message dispatched, with the snapshot it was judged on (copied).
void sequence_add (sequence_t *self, const char *qid, int64_t t, const char *snap, size_t snap_len);
//  The oldest entry, done or not, or NULL.
sequence_entry_t *sequence_head (sequence_t *self);
//  The entry of qid not yet applied, or NULL (a message leased again after
//  its worker went keeps its place and its snapshot).
sequence_entry_t *sequence_find (sequence_t *self, const char *qid);
//  Forget qid's entry (it will not be scanned: corrupt, or gone).
void sequence_forget (sequence_t *self, const char *qid);
//  Its verdict came: env and the verdict are taken (v is left empty).
//  false when qid is not waiting here.
bool sequence_done (sequence_t *self, const char *qid, envelope_t **env, off_t body_off,
                    int64_t claimed_usec, verdict_t *v, uint64_t scan_usec);
//  The oldest entry when its verdict is here and it is due: the window is
//  full, or drain (nothing left to dispatch now). NULL otherwise.
sequence_entry_t *sequence_due (sequence_t *self, bool drain);
//  Remove the oldest entry (after applying it) and free what it still owns.
void sequence_pop (sequence_t *self);
#endif
