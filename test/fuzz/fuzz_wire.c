/*  fuzz_wire.c: libFuzzer target for the wire decoder. The input is cut into
 *  frames (a length byte, then that many bytes, repeated) and decoded as a
 *  message from a peer; a decoded VERDICT must pass verdict_check. */
#include "wire.h"
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    zmsg_t *msg = zmsg_new ();
    //  Start most inputs with a valid signature, so the decoder is reached.
    if (size && (data[0] & 1))
        zmsg_addstr (msg, WIRE_SIGNATURE);
    size_t i = size ? 1 : 0;
    while (i < size) {
        size_t n = data[i++];
        if (n > size - i)
            n = size - i;
        zmsg_addmem (msg, data + i, n);
        i += n;
    }
    wire_msg_t m;
    wire_msg_init (&m);
    char err[256];
    if (wire_decode (msg, &m, err, sizeof err) == 0 && m.cmd == WIRE_VERDICT
        && verdict_check (&m.verdict, err, sizeof err) != 0)
        abort ();
    wire_msg_free (&m);
    zmsg_destroy (&msg);
    return 0;
}
