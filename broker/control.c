/*  control.c: the broker's control socket (see control.h). */
#include "control.h"
#include "feedback.h"
#include "arf.h"
#include "wire.h"
#include "diag.h"
#include "held.h"
#include "qid.h"
#include <dirent.h>
#include <unistd.h>
#include "xalloc.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct control_t {
    zsock_t *sock;
    spool_t *spool;
    const mark_t *mark;
    watch_t *watch;
    pool_t *pool;
    outcomes_t *outcomes;
};

void
control_set_outcomes (control_t *self, outcomes_t *outcomes)
{
    if (self)
        self->outcomes = outcomes;
}

control_t *
control_new (const char *endpoint, spool_t *spool, watch_t *watch, pool_t *pool, const mark_t *mark)
{
    if (strncmp (endpoint, "ipc://", 6) != 0) {
        diag_error ("control/endpoint %s: only ipc:// is allowed (its file mode guards it); "
                    "no control socket", endpoint);
        return NULL;
    }
    pid_t owner;
    if (wire_ipc_in_use (endpoint, &owner))
        diag_fatal ("control/endpoint %s is in use by process %d (another broker?): not taking it "
                    "over", endpoint, (int) owner);
    control_t *self = xcalloc (1, sizeof *self);
    self->spool = spool;
    self->mark = mark;
    self->watch = watch;
    self->pool = pool;
    self->sock = zsock_new (ZMQ_REP);
    zsock_set_linger (self->sock, 0);
    zsock_set_maxmsgsize (self->sock, ARF_MAX_BYTES + 64 * 1024);     //  a complaint, a learn batch
    unlink (endpoint + 6);
    mode_t old = umask (077);
    int rc = zsock_bind (self->sock, "%s", endpoint);
    umask (old);
    if (rc < 0) {
        diag_error ("control socket %s: %s; no control socket", endpoint, zmq_strerror (zmq_errno ()));
        zsock_destroy (&self->sock);
        free (self);
        return NULL;
    }
    chmod (endpoint + 6, 0600);
    diag_info ("control socket on %s", endpoint);
    return self;
}

void
control_destroy (control_t **self_p)
{
    control_t *self = *self_p;
    if (!self)
        return;
    zsock_destroy (&self->sock);
    free (self);
    *self_p = NULL;
}

zsock_t *control_sock (control_t *self) { return self->sock; }

static void
s_time (int64_t t, char *out, size_t n)
{
    if (t <= 0) {
        snprintf (out, n, "-");
        return;
    }
    time_t tt = (time_t) t;
    struct tm tm;
    strftime (out, n, "%Y-%m-%dT%H:%M:%SZ", gmtime_r (&tt, &tm));
}

//  The words of mode, kind and action, in the order of their enums.
#define MAILLOG_LEARN_RCPT 1000

static const char *s_modes[] = { "default", "observe", "enforce" };
static const char *s_kinds[] = { "default", "person", "bulk", "transactional" };
static const char *s_actions[] = { "default", "hold", "defer", "notify" };

static void
s_list_one (void *arg, const char *key, const sender_t *s)
{
    strbuf_t *out = arg;
    if (!s->flagged)
        return;
    char when[32];
    s_time (s->flagged_at, when, sizeof when);
    //  Domains as farm-ctl names them: @DOMAIN.
    strbuf_printf (out, "%s%s\t%s\t%s\n", key[0] == 'd' ? "@" : "", key + 2, when, s->reason);
}

static void
s_show (control_t *self, const char *account, strbuf_t *out, bool *ok)
{
    char key[SENDERDB_KEY];
    //  "@example.com": the domain-wide view of a From: domain.
    if (account[0] == '@')
        senderdb_key (key, 'd', account + 1);
    else
        senderdb_key (key, 'a', account);
    senderdb_t *db = watch_senders (self->watch);
    sender_t s;
    int rc = senderdb_get (db, key, &s);
    senderdb_commit (db);
    if (rc <= 0) {
        strbuf_printf (out, "no state for account %s%s%s", account, rc < 0 ? ": " : "",
                       rc < 0 ? strerror (errno) : "");
        *ok = false;
        return;
    }
    const compromise_params_t *p = watch_params (self->watch);
    sender_snap_t sn;
    sender_snapshot (&s, s.last_seen, p, &sn);
    char first[32], last[32], flagged[32], released[32];
    s_time (s.first_seen, first, sizeof first);
    s_time (s.last_seen, last, sizeof last);
    s_time (s.flagged_at, flagged, sizeof flagged);
    s_time (s.released_at, released, sizeof released);
    strbuf_printf (out, "account %s\n", account);
    strbuf_printf (out, "  flagged:        %s%s%s%s\n", s.flagged ? "YES since " : "no", s.flagged ? flagged : "",
                   s.flagged ? ": " : "", s.flagged ? s.reason : "");
    strbuf_printf (out, "  seen:           %s .. %s, %" PRIu64 " message(s), %u hour(s) of baseline\n",
                   first, last, s.total, s.hours);
    strbuf_printf (out, "  last released:  %s\n", released);
    if (s.flagged) {
        char until[32];
        s_time (s.flag_expires, until, sizeof until);
        strbuf_printf (out, "  flag:           %s%s%s\n", s.flag_by == FLAG_BY_OPERATOR ? "an operator's"
                       : s.flag_by == FLAG_BY_ESCALATION ? "the detector's, escalated" : "the detector's",
                       s.flag_expires ? ", lifts itself at " : ", until an operator acts",
                       s.flag_expires ? until : "");
    }
    char would[32];
    s_time (s.would_at, would, sizeof would);
    strbuf_printf (out, "  detector:       mode %s, kind %s, action on a flag %s; %u flag(s) in 24 hours; "
                   "%u would-be hold(s) in observe mode, the last %s\n",
                   s_modes[s.mode < MODE_COUNT ? s.mode : 0], s_kinds[s.kind < KIND_COUNT ? s.kind : 0],
                   s_actions[s.action < ACTION_COUNT ? s.action : 0],
                   s.flags_since && s.last_seen - s.flags_since < 86400 ? s.flags_day : 0, s.would_count,
                   would);
    strbuf_printf (out, "  messages:       %u this minute, %u in %.0f min, %u in the hour, %u in 24 h\n",
                   sn.msgs_1m, sn.msgs_win, p->window_min, sn.msgs_1h, sn.msgs_24h);
    strbuf_printf (out, "  expected:       %.2f an hour now (sd %.2f); all hours %.2f\n", sn.expect_1h,
                   sn.expect_sd, s.all_mean);
    strbuf_printf (out, "  by hour (UTC):  ");
    for (int h = 0; h < 24; h++)
        strbuf_printf (out, "%s%.1f", h ? " " : "", s.slot_mean[h]);
    strbuf_printf (out, "\n  recipients:     %u new in %.0f min, %u new in the hour (%.2f expected); "
                   "about %.0f distinct to %.0f domain(s) this hour and the last\n",
                   sn.new_win, p->window_min, sn.new_1h, sn.expect_new_1h, sn.rcpt_1h, sn.domains_1h);
    strbuf_printf (out, "  strangers:      %.0f%% of its recipients are usually new (%.0f recipient(s) "
                   "behind it); %u tried in the hour while slowed\n", 100 * sn.share_usual,
                   sn.share_basis, sn.tried_1h);
    strbuf_printf (out, "  content score:  recent %.3f, usual %.3f (%u scored)\n", s.score_recent,
                   s.score_usual, s.scored);
    uint32_t newlink = 0, texts = 0;
    for (int i = 0; i < 60; i++)
        newlink += s.newlink_min[i];
    for (int i = 0; i < SENDER_TEXTS; i++)
        texts += s.texts[i].sim != 0;
    strbuf_printf (out, "  lateral:        %u message(s) with links delivered; %u in the hour with a link "
                   "domain it never sent (usually %.2f an hour); %u text(s) remembered, one text to "
                   "%.1f recipient(s) at most usually; %.1f distinct recipient(s) an hour usually; "
                   "%u Reply-To, %u display name(s), %u mailer(s) known\n", s.links_sent, newlink,
                   s.newlink_mean, texts, s.text_mean, s.distinct_mean, s.present_n[0], s.present_n[1],
                   s.present_n[2]);
    feedback_state_t fb;
    feedback_judge (&s, p, &fb);
    feedback_show (&s, &fb, p, out);
    //  A domain's caps are its own only; an account's fall back on the defaults.
    const double *defaults = account[0] == '@' ? NULL : p->limit;
    strbuf_printf (out, "  limits:         sent / cap (own, default, or none) at %s\n", last);
    for (int k = 0; k < LIMIT_KINDS; k++) {
        int own;
        uint32_t cap = sender_cap (&s, (limit_kind_t) k, defaults, &own);
        char capstr[32];
        if (cap)
            snprintf (capstr, sizeof capstr, "%u", cap);
        else
            snprintf (capstr, sizeof capstr, "none");
        if (k == LIMIT_RCPT_MESSAGE)
            strbuf_printf (out, "    %-24s %s%s\n", limit_name ((limit_kind_t) k), capstr,
                           own ? " (own)" : cap ? " (default)" : "");
        else
            strbuf_printf (out, "    %-24s %" PRIu64 " / %s%s\n", limit_name ((limit_kind_t) k),
                           sender_counted (&s, s.last_seen, (limit_kind_t) k), capstr,
                           own ? " (own)" : cap ? " (default)" : "");
    }
}


//  mode|kind|action ACCOUNT WORD: 0, or -1 with out saying why.
static int
s_set_word (sender_t *s, const char *cmd, const char *word, strbuf_t *out)
{
    const char **words = !strcmp (cmd, "mode") ? s_modes : !strcmp (cmd, "kind") ? s_kinds : s_actions;
    size_t n = !strcmp (cmd, "kind") ? KIND_COUNT : !strcmp (cmd, "mode") ? MODE_COUNT : ACTION_COUNT;
    for (size_t i = 0; i < n; i++)
        if (!strcmp (word, words[i])) {
            uint8_t *field = !strcmp (cmd, "mode") ? &s->mode : !strcmp (cmd, "kind") ? &s->kind : &s->action;
            *field = (uint8_t) i;
            return 0;
        }
    strbuf_printf (out, "%s ACCOUNT takes one of:", cmd);
    for (size_t i = 0; i < n; i++)
        strbuf_printf (out, " %s", words[i]);
    return -1;
}

//  limits ACCOUNT|@DOMAIN NAME=N|default|none ...: 0, or -1 with out saying why.
static int
s_set_limits (sender_t *s, char **args, size_t nargs, strbuf_t *out)
{
    uint32_t lim[LIMIT_KINDS];
    memcpy (lim, s->limit, sizeof lim);
    for (size_t i = 1; i < nargs; i++) {
        const char *eq = strchr (args[i], '=');
        int k = eq ? limit_lookup (args[i], (size_t) (eq - args[i])) : -1;
        char *e = NULL;
        unsigned long v = 0;
        if (k >= 0 && !strcmp (eq + 1, "default"))
            v = 0;
        else if (k >= 0 && !strcmp (eq + 1, "none"))
            v = LIMIT_NONE;
        else if (k >= 0) {
            v = strtoul (eq + 1, &e, 10);
            if (e == eq + 1 || *e || eq[1] == '-' || v == 0 || v >= LIMIT_NONE)
                k = -1;
        }
        if (k < 0) {
            strbuf_printf (out, "limits: '%s' is not NAME=N, NAME=default or NAME=none; NAME is one of", args[i]);
            for (int j = 0; j < LIMIT_KINDS; j++)
                strbuf_printf (out, "%s %s", j ? "," : "", limit_name ((limit_kind_t) j));
            return -1;
        }
        lim[k] = (uint32_t) v;
    }
    if (nargs < 2) {
        strbuf_printf (out, "limits ACCOUNT|@DOMAIN NAME=N|default|none ... (see farm-ctl --help)");
        return -1;
    }
    memcpy (s->limit, lim, sizeof lim);
    return 0;
}

//  release / drop QID: one held message, the account's flag as it is.
static void
s_one_message (control_t *self, const char *cmd, const char *qid, strbuf_t *out, bool *ok)
{
    bool release = !strcmp (cmd, "release");
    size_t failed = 0;
    held_select_t sel = { .qid = qid, .mark = self->mark };
    long n = held_apply (self->spool, SPOOL_HOLD, &sel, release ? HELD_RELEASE : HELD_DROP,
                         (int64_t) time (NULL), &failed, NULL);
    if (n <= 0 || failed) {
        strbuf_printf (out, "%s: %s", qid, n < 0 ? strerror (errno) : failed ? "could not be moved "
                       "(see the broker log)" : "not in hold/");
        *ok = false;
        return;
    }
    strbuf_printf (out, "%s: %s; its account's flag is as it was", qid,
                   release ? "released for delivery" : "dropped to reject/");
    diag_info ("control: %s %s: %s", cmd, qid, out->data);
}

//  learn LINES: messages from an MTA's log (farm-ctl learn), one a line,
//  "ACCOUNT<tab>TIME<tab>RCPT RCPT ...": counted as if the farm had seen
//  them. Lines that are not so are counted and skipped.
static void
s_learn (control_t *self, char *text, strbuf_t *out, bool *ok)
{
    size_t learned = 0, bad = 0;
    char *save = NULL;
    for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
        char *tab1 = strchr (line, '\t'), *tab2 = tab1 ? strchr (tab1 + 1, '\t') : NULL;
        if (!tab2 || tab1 == line || tab1 - line >= 320) {
            bad++;
            continue;
        }
        *tab1 = *tab2 = 0;
        char *end;
        long long t = strtoll (tab1 + 1, &end, 10);
        char *rcpt[MAILLOG_LEARN_RCPT];
        size_t n = 0;
        char *rs = NULL;
        for (char *r = strtok_r (tab2 + 1, " ", &rs); r && n < MAILLOG_LEARN_RCPT; r = strtok_r (NULL, " ", &rs))
            if (strlen (r) < 320)
                rcpt[n++] = r;
        if (*end || t < 946684800 || t > (long long) time (NULL) + 86400 || !n) {
            bad++;
            continue;
        }
        if (watch_learn (self->watch, line, (int64_t) t, rcpt, n) < 0) {
            strbuf_printf (out, "sender state: %s", strerror (errno));
            *ok = false;
            break;
        }
        learned++;
    }
    if (senderdb_commit (watch_senders (self->watch)) < 0 && *ok) {
        strbuf_printf (out, "sender state: %s", strerror (errno));
        *ok = false;
    }
    if (*ok)
        strbuf_printf (out, "learned %zu message(s), %zu line(s) refused", learned, bad);
}

//  release / drop / flag / unflag / limits: change the record, move the mail.
//  ACCOUNT, or @DOMAIN (flag, unflag, limits: the domain-wide record, which
//  dispatch checks as it checks the account's), or a queue id (release,
//  drop: that message alone).
static void
s_change (control_t *self, const char *cmd, char **args, size_t nargs, strbuf_t *out, bool *ok)
{
    const char *account = args[0];
    bool domain = account[0] == '@';
    if (qid_valid (account) && (!strcmp (cmd, "release") || !strcmp (cmd, "drop"))) {
        s_one_message (self, cmd, account, out, ok);
        return;
    }
    if (domain && (!strcmp (cmd, "release") || !strcmp (cmd, "drop"))) {
        strbuf_printf (out, "%s takes an account or a queue id; a domain's held mail is released or "
                       "dropped account by account", cmd);
        *ok = false;
        return;
    }
    char key[SENDERDB_KEY];
    senderdb_key (key, domain ? 'd' : 'a', domain ? account + 1 : account);
    senderdb_t *db = watch_senders (self->watch);
    sender_t s;
    int rc = senderdb_get (db, key, &s);
    if (rc < 0) {
        strbuf_printf (out, "sender state: %s", strerror (errno));
        *ok = false;
        return;
    }
    bool setting = !strcmp (cmd, "limits") || !strcmp (cmd, "mode") || !strcmp (cmd, "kind")
                   || !strcmp (cmd, "action");
    if (rc == 0 && !setting) {
        //  Flagging or clearing what never sent mail is a typo, not an intent.
        strbuf_printf (out, "%s %s has sent no mail through this broker (see farm-ctl list, show)",
                       domain ? "domain" : "account", account);
        *ok = false;
        senderdb_commit (db);
        return;
    }
    if (rc == 0)
        //  Caps set ahead of the account's first mail: its windows start
        //  with that mail's time (a replay's may be long ago), not now.
        sender_init (&s, 0);
    if (!strcmp (cmd, "flag")) {
        sender_flag (&s, (int64_t) time (NULL), nargs > 1 ? args[1] : "flagged by an operator");
        strbuf_printf (out, "%s %s flagged: its mail is held from now on", domain ? "domain" : "account",
                       account);
    }
    else if (!strcmp (cmd, "unflag")) {
        s.flagged = 0;
        strbuf_printf (out, "%s %s: flag cleared; its held mail stays in hold/ (release or drop it)",
                       domain ? "domain" : "account", account);
    }
    else if (!strcmp (cmd, "mode") || !strcmp (cmd, "kind") || !strcmp (cmd, "action")) {
        if (domain || s_set_word (&s, cmd, nargs > 1 ? args[1] : "", out) < 0) {
            if (domain)
                strbuf_printf (out, "%s is set on an account, not a domain", cmd);
            *ok = false;
            senderdb_commit (db);
            return;
        }
        strbuf_printf (out, "account %s: %s %s", account, cmd, args[1]);
    }
    else if (!strcmp (cmd, "limits")) {
        if (s_set_limits (&s, args, nargs, out) < 0) {
            *ok = false;
            senderdb_commit (db);
            return;
        }
        strbuf_printf (out, "%s %s: limits", domain ? "domain" : "account", account);
        for (int k = 0; k < LIMIT_KINDS; k++) {
            uint32_t c = s.limit[k];
            strbuf_printf (out, "%s %s=", k ? "," : "", limit_name ((limit_kind_t) k));
            if (c == LIMIT_NONE)
                strbuf_adds (out, "none");
            else if (c == 0)
                strbuf_adds (out, domain ? "none" : "default");
            else
                strbuf_printf (out, "%u", c);
        }
    }
    else {
        bool release = !strcmp (cmd, "release");
        size_t failed = 0;
        held_select_t sel = { .account = account, .mark = self->mark };
        long n = held_apply (self->spool, SPOOL_HOLD, &sel, release ? HELD_RELEASE : HELD_DROP,
                             (int64_t) time (NULL), &failed, NULL);
        if (n < 0) {
            strbuf_printf (out, "hold/: %s", strerror (errno));
            *ok = false;
            senderdb_commit (db);
            return;
        }
        if (release)
            sender_release (&s, s.last_seen);
        else
            sender_drop (&s);       //  the burst was not the account's: it counts no more
        strbuf_printf (out, "account %s: %ld held message(s) %s%s; flag cleared%s", account, n,
                       release ? "released for delivery" : "dropped to reject/",
                       failed ? " (some could not be moved: see the broker log)" : "",
                       release ? "; its burst taken as normal for it" : "; its burst forgotten");
        if (failed)
            *ok = false;
    }
    if (senderdb_put (db, key, &s) < 0 || senderdb_commit (db) < 0) {
        strbuf_printf (out, "\nsender state not saved: %s", strerror (errno));
        *ok = false;
    }
    diag_info ("control: %s %s: %s", cmd, account, out->data);
}

//  requeue / purge SPOOL ID|@ACCOUNT|all [older-than=DAYS] [dry-run]
static void
s_move (control_t *self, const char *cmd, char **args, size_t n, strbuf_t *out, bool *ok)
{
    static const struct { const char *name; spool_dir_t dir; } from[] = {
        { "hold", SPOOL_HOLD }, { "reject", SPOOL_REJECT }, { "deferred", SPOOL_DEFERRED } };
    int k = -1;
    for (int i = 0; i < 3; i++)
        if (!strcmp (args[0], from[i].name))
            k = i;
    if (k < 0 || n < 2) {
        strbuf_printf (out, "%s SPOOL ID|@ACCOUNT|all [older-than=DAYS] [dry-run]: SPOOL is hold, "
                       "reject or deferred", cmd);
        *ok = false;
        return;
    }
    int64_t now = (int64_t) time (NULL);
    held_select_t sel = { 0 };
    const char *what = args[1];
    if (what[0] == '@')
        sel.account = what + 1;
    else if (strcmp (what, "all") != 0) {
        if (!qid_valid (what)) {
            strbuf_printf (out, "'%s' is not a queue id, @ACCOUNT or all", what);
            *ok = false;
            return;
        }
        sel.qid = what;
    }
    double days = 0;
    for (size_t i = 2; i < n; i++) {
        char *e = NULL;
        if (!strcmp (args[i], "dry-run"))
            sel.dry_run = true;
        else if (!strncmp (args[i], "older-than=", 11) && (days = strtod (args[i] + 11, &e)) > 0
                 && e != args[i] + 11 && !*e && days < 100000)
            sel.before = now - (int64_t) (days * 86400);
        else {
            strbuf_printf (out, "'%s' is neither older-than=DAYS (a number of days, 0.5 for 12 "
                           "hours) nor dry-run", args[i]);
            *ok = false;
            return;
        }
    }
    size_t failed = 0;
    held_action_t action = !strcmp (cmd, "purge") ? HELD_PURGE : HELD_REQUEUE;
    strbuf_t list;
    strbuf_init (&list);
    long moved = held_apply (self->spool, from[k].dir, &sel, action, now, &failed, &list);
    if (moved < 0) {
        strbuf_printf (out, "%s/: %s", from[k].name, strerror (errno));
        *ok = false;
    }
    else if (sel.dry_run)
        strbuf_printf (out, "dry run: %ld message(s) of %s/ would be %s%s\n%s", moved, from[k].name,
                       action == HELD_PURGE ? "purged (deleted)" : "requeued",
                       moved > 100 ? " (the first 100 listed)" : "", list.data ? list.data : "");
    else {
        strbuf_printf (out, "%ld message(s) of %s/ %s%s", moved, from[k].name,
                       action == HELD_PURGE ? "purged (deleted)" : "requeued: they are scanned again",
                       failed ? "; some could not be moved (see the broker log)" : "");
        if (failed || (sel.qid && moved == 0))
            *ok = false;
    }
    strbuf_free (&list);
}

void
control_handle (control_t *self)
{
    zmsg_t *req = zmsg_recv (self->sock);
    if (!req)
        return;
    char *args[8] = { 0 };
    size_t n = 0;
    //  Every frame a string without a NUL inside ("alice\0bob" must not
    //  act on alice), and no more frames than a command takes.
    bool bad = zmsg_size (req) > 9;
    for (zframe_t *f = zmsg_first (req); f; f = zmsg_next (req))
        bad = bad || memchr (zframe_data (f), 0, zframe_size (f)) != NULL;
    char *cmd = bad ? NULL : zmsg_popstr (req);
    while (!bad && n < 8 && (args[n] = zmsg_popstr (req)) != NULL)
        n++;
    zmsg_destroy (&req);
    strbuf_t out;
    strbuf_init (&out);
    bool ok = true;
    if (bad)
        ok = false, strbuf_adds (&out, "a request with a NUL byte inside an argument, or too many "
                                 "arguments: refused");
    else if (!cmd)
        ok = false, strbuf_adds (&out, "empty request");
    else if (!strcmp (cmd, "queues")) {
        static const spool_dir_t dirs[] = { SPOOL_INCOMING, SPOOL_ACTIVE, SPOOL_DEFERRED, SPOOL_HOLD,
                                            SPOOL_REJECT, SPOOL_OUTGOING, SPOOL_CORRUPT };
        for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
            strbuf_printf (&out, "%-9s %zu\n", spool_dir_name (dirs[i]),
                           spool_count (self->spool, dirs[i]));
    }
    else if (!strcmp (cmd, "workers")) {
        size_t nw = 0;
        for (pool_worker_t *w = pool_first (self->pool); w; w = pool_next (self->pool), nw++)
            strbuf_printf (&out, "%s\tmodel %s\tjobs %u\tcredit %u\n", w->name, *w->model ? w->model : "none",
                           w->jobs, w->credit);
        if (!nw)
            strbuf_adds (&out, "no worker connected\n");
    }
    else if ((!strcmp (cmd, "requeue") || !strcmp (cmd, "purge")) && n >= 2)
        s_move (self, cmd, args, n, &out, &ok);
    else if (!self->watch && strcmp (cmd, "stats") != 0)
        ok = false, strbuf_adds (&out, "the sender state is off on this broker (state/watch = false)");
    else if (!strcmp (cmd, "stats")) {
        if (!self->watch)
            strbuf_adds (&out, "sender state: off (state/watch = false)");
        else {
            size_t records, bytes, map;
            senderdb_usage (watch_senders (self->watch), &records, &bytes, &map);
            strbuf_printf (&out, "sender state: %zu record(s) (accounts and domains), %zu bytes a record, "
                           "%zu KiB in use (%.0f bytes a record with the B-tree), map %zu MiB",
                           records, sizeof (sender_t), bytes >> 10,
                           records ? (double) bytes / (double) records : 0.0, map >> 20);
        }
    }
    else if (!strcmp (cmd, "list")) {
        if (senderdb_each (watch_senders (self->watch), "a:", s_list_one, &out) < 0
            || senderdb_each (watch_senders (self->watch), "d:", s_list_one, &out) < 0)
            ok = false, strbuf_printf (&out, "sender state: %s", strerror (errno));
    }
    else if (!strcmp (cmd, "show") && n >= 1)
        s_show (self, args[0], &out, &ok);
    else if (!strcmp (cmd, "complaint") && n == 1 && self->outcomes) {
        char account[256] = "";
        complaint_result_t r = outcomes_complaint (self->outcomes, args[0], strlen (args[0]),
                                                   account, sizeof account);
        if (r == COMPLAINT_CHARGED)
            strbuf_printf (&out, "complaint charged to %s", account);
        else
            ok = false, strbuf_printf (&out, "complaint not charged: %s", complaint_result_name (r));
    }
    else if (!strcmp (cmd, "learn") && n == 1)
        s_learn (self, args[0], &out, &ok);
    else if ((!strcmp (cmd, "mode") || !strcmp (cmd, "kind") || !strcmp (cmd, "action")) && n == 2)
        s_change (self, cmd, args, n, &out, &ok);
    else if ((!strcmp (cmd, "release") || !strcmp (cmd, "drop") || !strcmp (cmd, "flag")
              || !strcmp (cmd, "unflag") || !strcmp (cmd, "limits")) && n >= 1)
        s_change (self, cmd, args, n, &out, &ok);
    else
        ok = false, strbuf_printf (&out, "unknown request %s (or an argument missing)", cmd);
    zmsg_t *rep = zmsg_new ();
    zmsg_addstr (rep, ok ? "ok" : "error");
    zmsg_addmem (rep, out.data ? out.data : "", out.len);
    zmsg_send (&rep, self->sock);
    strbuf_free (&out);
    free (cmd);
    for (size_t i = 0; i < n; i++)
        free (args[i]);
}
