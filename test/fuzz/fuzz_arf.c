/*  fuzz_arf.c: libFuzzer target for the feedback-loop report reader: any
 *  bytes as a report, through arf_parse, and what it finds through the
 *  Message-ID hash and the Feedback-ID reader the broker applies to it. */
#include "arf.h"
#include "feedback.h"
#include "traits.h"
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    static const header_limits_t lim = { 1000, 65536, 65536 };
    arf_t a;
    arf_status_t st = arf_parse ((const char *) data, size, &lim, &a);
    if (st > ARF_MALFORMED || strlen (a.msgid) >= sizeof a.msgid || strlen (a.type) >= sizeof a.type)
        __builtin_trap ();
    traits_msgid (a.msgid, strlen (a.msgid));
    char account[256];
    if (feedback_id_account (a.feedback_id, "farm1", account, sizeof account) == 0 && !*account)
        __builtin_trap ();
    return 0;
}
