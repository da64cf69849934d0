/*  hup.h: SIGHUP as an event, not a death: what logrotate and an operator's
 *  "reload" send. The signal is blocked in every thread and read from a
 *  descriptor (signalfd) that a poll loop watches like any other, so that
 *  no poll is interrupted and nothing dies of it (SIGHUP's default action
 *  ends the process). Call hup_open before any thread is started (before
 *  zsys_init), so that every thread inherits the blocked mask. */
#ifndef FARM_HUP_H
#define FARM_HUP_H
#include <stdbool.h>

//  Block SIGHUP and return a non-blocking descriptor that turns readable
//  when one arrives, or -1 with errno (SIGHUP then keeps its default).
int hup_open (void);
//  True when one or more SIGHUPs came since the last call (and take them).
bool hup_taken (int fd);
#endif
