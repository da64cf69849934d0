/*  notice.c: bounces of the farm's own rejects (see notice.h). */
#include "notice.h"
#include "dsn.h"
#include "fileio.h"
#include "host.h"
#include "xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct notice_t {
    bool on;                    //  reject/notify = sender
    char quiet[1024];           //  ",bayes,domain-lockdown," (with commas around)
    char reporting[256];        //  relay/helo, or this host's name
};

//  What each reason means to the customer who sent the message, and the
//  status a program reads (RFC 3463). Matched on the word before the colon.
static const struct {
    const char *code, *status, *words;
} s_words[] = {
    { "domain-lockdown", "5.7.1",
      "Your account may not send mail from the address in the message's From: line.\n"
      "Send from an address at a domain registered to your account, or ask your\n"
      "provider to add the domain to it." },
    { "bayes", "5.7.1",
      "The message was refused because its content looks like spam to the outgoing\n"
      "filter. If it is not spam, ask your provider to look at it; links through\n"
      "shorteners and unusual attachments make mail look like spam." },
    { "message-size", "5.3.4",
      "The message is larger than this service accepts. Send large files as a link\n"
      "instead of an attachment." },
    { "too-many-recipients", "5.5.3",
      "The message has more recipients than this service accepts in one message.\n"
      "Send it in several parts, or use a mailing list." },
    { "no-from", "5.6.0", "The message has no From: line. Check the settings of the program that sent it." },
    { "several-from", "5.6.0",
      "The message has more than one From: line. Check the settings of the program that sent it." },
    { "several-from-addresses", "5.6.0",
      "The message's From: line names more than one address. Name exactly one sender." },
    { "from-unreadable", "5.6.0",
      "The message's From: line holds no address that can be read. Check the settings\n"
      "of the program that sent it." },
    { "from-no-domain", "5.6.0",
      "The address in the message's From: line has no domain (name@example.com).\n"
      "Check the settings of the program that sent it." },
    { "no-headers", "5.6.0", "The message has no header section. Check the program that made it." },
    { "no-recipients", "5.5.1", "The message had no recipients." },
    { "empty-message", "5.6.0", "The message was empty." },
};

void
notice_words (const char *reason, const char **status, const char **words)
{
    size_t n = strcspn (reason, ":");
    for (size_t i = 0; i < sizeof s_words / sizeof s_words[0]; i++)
        if (strlen (s_words[i].code) == n && !strncmp (reason, s_words[i].code, n)) {
            *status = s_words[i].status;
            *words = s_words[i].words;
            return;
        }
    //  The header limits, the envelope, the MIME structure: malformed.
    static const char *malformed[] = { "header-", "line-length", "envelope", "mime" };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++)
        if (!strncmp (reason, malformed[i], strlen (malformed[i]))) {
            *status = "5.6.0";
            *words = "The message is malformed, or larger in some part than this service accepts.\n"
                     "Check the program that made it.";
            return;
        }
    *status = "5.7.1";
    *words = "The message was refused by your provider's outgoing filter.";
}

notice_t *
notice_new (cfg_t *cfg)
{
    notice_t *self = xcalloc (1, sizeof *self);
    self->on = cfg_enum (cfg, "reject/notify") == 0;
    snprintf (self->quiet, sizeof self->quiet, ",%s,", cfg_str (cfg, "reject/quiet"));
    for (char *p = self->quiet; *p; p++)
        if (*p == ' ')
            memmove (p, p + 1, strlen (p)), p--;
    snprintf (self->reporting, sizeof self->reporting, "%s", cfg_str (cfg, "relay/helo"));
    if (!*self->reporting)
        host_name (self->reporting, sizeof self->reporting);
    return self;
}

void
notice_destroy (notice_t **self_p)
{
    free (*self_p);
    *self_p = NULL;
}

//  The reason that decided the reject: the last one (stages add warnings
//  before they decide), or "" when there is none.
static void
s_deciding (const verdict_t *v, char *out, size_t len)
{
    out[0] = 0;
    const char *r = v->reasons.data, *last = NULL;
    for (const char *p = r; p && *p; p = strchr (p, '\n') ? strchr (p, '\n') + 1 : p + strlen (p))
        last = p;
    if (last)
        snprintf (out, len, "%.*s", (int) strcspn (last, "\n"), last);
}

bool
notice_make (notice_t *self, const envelope_t *env, const verdict_t *v, int in, off_t body_off,
             strbuf_t *msg, envelope_t *benv)
{
    if (!self->on || v->code != VERDICT_REJECT || !env->mail_from || !*env->mail_from
        || !strcmp (env->mail_from, "<>"))
        return false;
    char reason[VERDICT_MAX_REASON], code[64];
    s_deciding (v, reason, sizeof reason);
    snprintf (code, sizeof code, ",%.*s,", (int) strcspn (reason, ":"), reason);
    if (strstr (self->quiet, code))
        return false;
    const char *status, *words;
    notice_words (reason, &status, &words);
    //  The header section is all a DSN returns: 64 KB of the message at most.
    size_t want = env->size > 65536 ? 65536 : (size_t) (env->size > 0 ? env->size : 0);
    char *head = xmalloc (want + 1);
    ssize_t got = fileio_pread_all (in, head, want, body_off);
    size_t n = got > 0 ? (size_t) got : 0;
    dsn_rcpt_t *list = xcalloc (env->rcpt_count ? env->rcpt_count : 1, sizeof *list);
    char diag[VERDICT_MAX_REASON + 32];
    snprintf (diag, sizeof diag, "550 %s %s", status, reason);
    //  Only the recipients whose client wants a failure report (RFC 3461).
    size_t nlist = 0;
    for (size_t i = 0; i < env->rcpt_count; i++)
        if (envelope_rcpt_wants_failure (env, i))
            list[nlist++] = (dsn_rcpt_t) { env->rcpt[i], status, diag };
    if (env->rcpt_count && !nlist) {
        free (list);
        free (head);
        return false;
    }
    char explain[1024];
    snprintf (explain, sizeof explain, "Your message was not sent to any of its recipients.\n\n%s\n\n"
              "The reason, for your provider: %s", words, reason);
    int64_t now = (int64_t) time (NULL);
    dsn_format (msg, env, head, n, list, nlist, self->reporting, "", explain, now);
    free (list);
    free (head);
    envelope_set (&benv->account, env->account ? env->account : "");
    envelope_set (&benv->mail_from, "");
    envelope_add_rcpt (benv, env->mail_from);
    envelope_set (&benv->verdict, "deliver");
    envelope_add_reason (benv, "dsn: the bounce of a rejected message");
    benv->received_at = now;
    return true;
}
