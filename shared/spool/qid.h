/*  qid.h: queue ids. 24 lowercase hex digits: 14 of the creation time in
 *  microseconds (so ids sort in submission order) and 10 of randomness from
 *  getrandom(2) (so ids made in the same microsecond, by other processes or
 *  after a restart with the clock set back, still differ). */
#ifndef FARM_QID_H
#define FARM_QID_H
#include <stdbool.h>
#include <stdint.h>

#define QID_LEN 24
#define QID_SIZE (QID_LEN + 1)

//  Write a new id into buf (QID_SIZE bytes).
void qid_make (char *buf);
//  An id made from a time and a serial number instead of the clock and
//  randomness: the same in every run (farm-replay's, serial its order).
void qid_at (char *buf, uint64_t usec, uint64_t serial);
//  True when s is exactly a well-formed id.
bool qid_valid (const char *s);
//  The creation time encoded in a valid id, in microseconds since the epoch.
uint64_t qid_usec (const char *qid);
#endif
