/*  fuzz_bounce.c: libFuzzer target for the reply classifier: any bytes as
 *  "CODE STATUS TEXT" (a number, an enhanced status, the reply's words),
 *  whatever they hold, through bounce_classify. */
#include "bounce.h"
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char *s = malloc (size + 1);
    if (!s)
        return 0;
    memcpy (s, data, size);
    s[size] = 0;
    char *status = strchr (s, ' ');
    char *text = NULL;
    if (status) {
        *status++ = 0;
        text = strchr (status, ' ');
        if (text)
            *text++ = 0;
    }
    bounce_t b;
    bounce_classify (atoi (s), status, text, &b);
    if (b.kind > BOUNCE_KINDS || !bounce_kind_name (b.kind))
        __builtin_trap ();
    free (s);
    return 0;
}
