/*  qid.c: queue id creation and validation. */
#include "qid.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <unistd.h>

void
qid_make (char *buf)
{
    struct timeval tv;
    gettimeofday (&tv, NULL);
    uint64_t usec = (uint64_t) tv.tv_sec * 1000000u + (uint64_t) tv.tv_usec;
    uint64_t rnd = 0;
    if (getrandom (&rnd, sizeof rnd, 0) != (ssize_t) sizeof rnd) {
        //  No entropy yet (very early boot): fall back on time and pid mixing.
        static uint64_t counter;
        rnd = (usec * 6364136223846793005ull) ^ ((uint64_t) getpid () << 20) ^ ++counter;
    }
    snprintf (buf, QID_SIZE, "%014" PRIx64 "%010" PRIx64,
              (uint64_t) (usec & 0xFFFFFFFFFFFFFFu), (uint64_t) (rnd & 0xFFFFFFFFFFu));
}

void
qid_at (char *buf, uint64_t usec, uint64_t serial)
{
    snprintf (buf, QID_SIZE, "%014" PRIx64 "%010" PRIx64, (uint64_t) (usec & 0xFFFFFFFFFFFFFFu),
              (uint64_t) (serial & 0xFFFFFFFFFFu));
}

bool
qid_valid (const char *s)
{
    for (int i = 0; i < QID_LEN; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return s[QID_LEN] == 0;
}

uint64_t
qid_usec (const char *qid)
{
    uint64_t v = 0;
    for (int i = 0; i < 14; i++)
        v = v * 16 + (uint64_t) (qid[i] <= '9' ? qid[i] - '0' : qid[i] - 'a' + 10);
    return v;
}
