/*  bounce.c: a remote reply to its kind of outcome (see bounce.h). */
#include "bounce.h"
#include <ctype.h>
#include <string.h>
#include <strings.h>

//  Longest reply text read for the words.
#define BOUNCE_TEXT_MAX 2048

static const struct {
    bounce_kind_t kind;
    const char *words;
} s_table[] = {
    { BOUNCE_INVALID, "user unknown" }, { BOUNCE_INVALID, "unknown user" },
    { BOUNCE_INVALID, "no such user" }, { BOUNCE_INVALID, "no such mailbox" },
    { BOUNCE_INVALID, "does not exist" }, { BOUNCE_INVALID, "invalid recipient" },
    { BOUNCE_INVALID, "recipient rejected" }, { BOUNCE_INVALID, "unknown recipient" },
    { BOUNCE_INVALID, "address rejected" }, { BOUNCE_INVALID, "unrouteable" },
    { BOUNCE_INVALID, "not found" },
    { BOUNCE_MAILBOX, "mailbox full" }, { BOUNCE_MAILBOX, "over quota" },
    { BOUNCE_MAILBOX, "quota exceeded" }, { BOUNCE_MAILBOX, "insufficient storage" },
    { BOUNCE_MAILBOX, "mailbox disabled" }, { BOUNCE_MAILBOX, "inactive" },
    { BOUNCE_POLICY, "spam" }, { BOUNCE_POLICY, "blocked" }, { BOUNCE_POLICY, "blacklist" },
    { BOUNCE_POLICY, "blocklist" }, { BOUNCE_POLICY, "denylist" }, { BOUNCE_POLICY, "policy" },
    { BOUNCE_POLICY, "reputation" }, { BOUNCE_POLICY, "listed" }, { BOUNCE_POLICY, "abuse" },
    { BOUNCE_POLICY, "not authorized" },
};

const char *
bounce_kind_name (bounce_kind_t kind)
{
    static const char *names[] = { "delivered", "invalid", "mailbox", "policy", "system",
                                   "content", "other", "malformed" };
    return kind < BOUNCE_KINDS ? names[kind] : "malformed";
}

//  A number of one to three digits at *p, its value in *v; p moved past.
static bool
s_number (const char **p, int *v)
{
    int n = 0, digits = 0;
    while (isdigit ((unsigned char) **p)) {
        if (++digits > 3)
            return false;
        n = n * 10 + (**p - '0');
        (*p)++;
    }
    *v = n;
    return digits > 0;
}

//  "C.S.D" (RFC 3463: class 2, 4 or 5; subject and detail up to three
//  digits): 1 with them set, 0 when there is no status, -1 when malformed.
static int
s_status (const char *status, int *cls, int *subject)
{
    if (!status || !*status)
        return 0;
    const char *p = status;
    int detail;
    if (!s_number (&p, cls) || *p++ != '.' || !s_number (&p, subject) || *p++ != '.'
        || !s_number (&p, &detail) || (*p && !isspace ((unsigned char) *p)))
        return -1;
    return *cls == 2 || *cls == 4 || *cls == 5 ? 1 : -1;
}

static bounce_kind_t
s_by_words (const char *text)
{
    if (!text)
        return BOUNCE_OTHER;
    char low[BOUNCE_TEXT_MAX + 1];
    size_t n = 0;
    for (; text[n] && n < BOUNCE_TEXT_MAX; n++)
        low[n] = (char) tolower ((unsigned char) text[n]);
    low[n] = 0;
    for (size_t i = 0; i < sizeof s_table / sizeof s_table[0]; i++)
        if (strstr (low, s_table[i].words))
            return s_table[i].kind;
    return BOUNCE_OTHER;
}

void
bounce_classify (int code, const char *status, const char *text, bounce_t *out)
{
    memset (out, 0, sizeof *out);
    int cls = 0, subject = 0;
    int st = s_status (status, &cls, &subject);
    if (code < 200 || code > 599 || code / 100 == 3 || st < 0) {
        out->kind = BOUNCE_MALFORMED;
        return;
    }
    //  The reply's class rules; a status of another class is a confused
    //  server's, and its subject still says what kind of refusal it is.
    if (code / 100 == 2) {
        out->kind = BOUNCE_DELIVERED;
        return;
    }
    out->permanent = code / 100 == 5;
    if (st == 1 && cls != 2) {
        switch (subject) {
            case 1: out->kind = BOUNCE_INVALID; return;
            case 2: out->kind = BOUNCE_MAILBOX; return;
            case 3: case 4: case 5: out->kind = BOUNCE_SYSTEM; return;
            case 6: out->kind = BOUNCE_CONTENT; return;
            case 7: out->kind = BOUNCE_POLICY; return;
            default: break;     //  x.0.x, or a subject RFC 3463 does not name: the words
        }
    }
    out->by_words = true;
    out->kind = s_by_words (text);
}
