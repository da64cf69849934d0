/*  recheck.h: "is it time to look again?" for what a worker reloads between
 *  jobs (model, keys, accounts table): at most once every `every_ms`. */
#ifndef FARM_RECHECK_H
#define FARM_RECHECK_H
#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int64_t every_ms, next;     //  zclock_mono times
} recheck_t;

//  True when the interval has passed (and start the next one).
static inline bool
recheck_due (recheck_t *self)
{
    int64_t now = zclock_mono ();
    if (now < self->next)
        return false;
    self->next = now + self->every_ms;
    return true;
}
#endif
