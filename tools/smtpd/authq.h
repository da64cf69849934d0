/*  authq.h: the password checks of SMTP AUTH, on threads of their own. A
 *  yescrypt hash costs about 25 ms of CPU (on purpose); checked in the loop,
 *  every session would wait for every login, and a guesser could stall them
 *  all. The loop hands each check here and goes on; the answer comes back
 *  through a descriptor. The accounts are read again (SIGHUP) under the same
 *  lock the checks take. */
#ifndef FARM_SMTPD_AUTHQ_H
#define FARM_SMTPD_AUTHQ_H
#include "accounts.h"
#include <stdbool.h>
#include <stddef.h>

typedef struct authq_t authq_t;
//  A check is done: ok when the password was right.
typedef void (authq_done_fn) (void *arg, void *entry, bool ok);

//  Checks against accounts (taken: destroyed with the queue), on nthreads
//  threads. NULL with errno when a thread cannot start.
authq_t *authq_new (accounts_t *accounts, size_t nthreads);
//  Stops the threads; checks not done are dropped without an answer.
void authq_destroy (authq_t **self_p);
//  Readable when a check is done: call authq_poll.
int authq_fd (authq_t *self);
//  Queue a check (user and pass are copied; the copy of pass is wiped).
void authq_add (authq_t *self, const char *user, const char *pass, void *entry);
//  done for every check finished since the last call.
void authq_poll (authq_t *self, authq_done_fn *done, void *arg);
//  accounts_reload under the checks' lock: as accounts_reload.
int authq_reload (authq_t *self, char *err, size_t errlen);
size_t authq_count (authq_t *self);
#endif
