/*  control.h: the broker's control socket, for farm-ctl. A ZeroMQ REP
 *  socket on control/endpoint (ipc:// only; the socket file is made 0600, so
 *  only the broker's user may steer it). A request is frames
 *  [command] [argument...]; the reply is ["ok" | "error"] [text].
 *
 *    list                        flagged accounts, one a line
 *    show ACCOUNT                its state: rates, baselines, scores, flag
 *    release ACCOUNT             held mail back to be scanned, signed and
 *                                delivered; the flag cleared; the burst learned
 *    drop ACCOUNT                held mail to reject/; the flag cleared
 *    flag ACCOUNT REASON         flag by hand: its mail is held from now on
 *    limits ACCOUNT MIN HOUR     its caps a minute and an hour (0: defaults)
 *    stats                       records, bytes a record, file size
 *    complaint REPORT            an ARF report, charged to the account it names
 *    queues, workers, requeue, purge: see control.c */
#ifndef FARM_CONTROL_H
#define FARM_CONTROL_H
#include "mark.h"
#include "pool.h"
#include "spool.h"
#include "watch.h"
#include "outcomes.h"
#include <czmq.h>

typedef struct control_t control_t;
//  NULL when the endpoint cannot be bound (logged). watch may be NULL (the
//  sender state is off): then only stats answers, saying so.
control_t *control_new (const char *endpoint, spool_t *spool, watch_t *watch, pool_t *pool,
                        const mark_t *mark);
void control_destroy (control_t **self_p);
//  Where "complaint REPORT" goes (outcomes.h); none: refused.
void control_set_outcomes (control_t *self, outcomes_t *outcomes);
zsock_t *control_sock (control_t *self);
//  Answer one request waiting on the socket.
void control_handle (control_t *self);
#endif
