/*  fuzz_spoolfile.c: libFuzzer target for the spool file reader: any bytes
 *  as a whole spool file; a file that parses has its body inside the data. */
#include "spoolfile.h"
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    envelope_t *env = envelope_new ();
    char err[256];
    size_t off = 0;
    if (spoolfile_parse ((const char *) data, size, env, &off, err, sizeof err) == 0) {
        if (off > size || env->size < 0 || (size_t) env->size != size - off)
            abort ();
    }
    envelope_destroy (&env);
    return 0;
}
