/*  fuzz_envelope.c: libFuzzer target for the envelope reader (NAME.env
 *  files, spool header blocks, the JOB frame) and its writer: whatever
 *  parses must format and parse again to the same text. */
#include "envelope.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    envelope_t *env = envelope_new ();
    char err[256];
    if (envelope_parse (env, (const char *) data, size, err, sizeof err) == 0) {
        strbuf_t a, b;
        strbuf_init (&a);
        strbuf_init (&b);
        envelope_format (env, &a);
        envelope_t *again = envelope_new ();
        if (envelope_parse (again, a.data ? a.data : "", a.len, err, sizeof err) != 0)
            abort ();       //  what we write, we must read
        envelope_format (again, &b);
        if (a.len != b.len || (a.len && memcmp (a.data, b.data, a.len) != 0))
            abort ();
        envelope_destroy (&again);
        strbuf_free (&a);
        strbuf_free (&b);
    }
    envelope_destroy (&env);
    return 0;
}
