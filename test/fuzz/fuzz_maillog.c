/*  fuzz_maillog.c: libFuzzer target for the Postfix maillog reader of
 *  farm-ctl learn (tools/lib/maillog.c): any bytes, split into lines, give
 *  messages with an account, a time and 1 to MAILLOG_RCPT recipients, and
 *  never more messages than lines. */
#include "maillog.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
s_check (void *arg, const maillog_msg_t *m)
{
    size_t *n = arg;
    if (!m->account || !*m->account || m->nrcpt < 1 || m->nrcpt > MAILLOG_RCPT)
        abort ();
    for (size_t i = 0; i < m->nrcpt; i++)
        if (!m->rcpt[i] || !*m->rcpt[i])
            abort ();
    (*n)++;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    maillog_t *ml = maillog_new (2026);
    size_t n = 0;
    const char *p = (const char *) data, *end = p + size;
    while (p < end) {
        const char *nl = memchr (p, '\n', (size_t) (end - p));
        size_t len = (size_t) ((nl ? nl : end) - p);
        maillog_line (ml, p, len, s_check, &n);
        p = nl ? nl + 1 : end;
    }
    maillog_finish (ml, s_check, &n);
    const maillog_stats_t *st = maillog_stats (ml);
    if (st->messages != n || n > st->lines)
        abort ();
    maillog_destroy (&ml);
    return 0;
}
