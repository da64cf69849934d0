/*  fuzz_snapshot.c: libFuzzer target for the sender snapshot a worker reads
 *  from the JOB frame, and the compromise decision on whatever it yields. */
#include "compromise.h"
#include <stdint.h>
#include <stdlib.h>
#include <math.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    sender_snap_t s;
    if (sender_snap_parse ((const char *) data, size, &s) == 0) {
        compromise_params_t p;
        compromise_params_default (&p);
        compromise_t c;
        compromise_judge (&s, 0.5, &p, &c);
        if (!isfinite (c.score) || c.score < 0)
            abort ();
        char line[512];
        compromise_reason (&c, &s, &p, line, sizeof line);
    }
    return 0;
}
