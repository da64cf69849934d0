/*  hup.h: SIGHUP as an event, not a death: what logrotate and an operator's
 *  "reload" send. The signal is blocked in every thread and read from a
 *  descriptor (signalfd) that a poll loop watches like any other, so that
 *  no poll is interrupted and nothing dies of it (SIGHUP's default action
 *  ends the process). Call hup_open before any thread is started (before
 *  zsys_init), so that every thread inherits the blocked mask. */
#ifndef FARM_HUP_H
#define FARM_HUP_H
#include <stdbool.h>

//  Block SIGHUP (and, with stop_too, SIGTERM and SIGINT) and return a
//  non-blocking descriptor that turns readable when one arrives, or -1 with
//  errno (the signals then keep their handlers). A process whose loop reads
//  its stop from here is never interrupted inside a library call by it.
int hup_open (bool stop_too);
//  What came since the last call, taken: HUP_RELOAD (a SIGHUP), HUP_STOP
//  (SIGTERM or SIGINT), or both; 0 for nothing.
#define HUP_RELOAD 1
#define HUP_STOP 2
int hup_take (int fd);
//  True when one or more SIGHUPs came since the last call (and take them).
bool hup_taken (int fd);
#endif
