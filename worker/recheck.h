/*  recheck.h: "is it time to look again?" for what a worker reloads between
 *  jobs (model, keys, accounts table): at most once every `every_ms`, and at
 *  once after recheck_all (SIGHUP). */
#ifndef FARM_RECHECK_H
#define FARM_RECHECK_H
#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int64_t every_ms, next;     //  zclock_mono times
    unsigned generation;        //  recheck_generation when last due
} recheck_t;

//  Bumped by recheck_all: every recheck_t is due at its next look.
extern unsigned recheck_generation;
static inline void
recheck_all (void)
{
    recheck_generation++;
}

//  True when the interval has passed, or recheck_all was called since the
//  last time (and start the next interval).
static inline bool
recheck_due (recheck_t *self)
{
    int64_t now = zclock_mono ();
    if (now < self->next && self->generation == recheck_generation)
        return false;
    self->generation = recheck_generation;
    self->next = now + self->every_ms;
    return true;
}
#endif
