/*  sent.c: the record of delivered mail, for its feedback (see sent.h). */
#include "sent.h"
#include "qid.h"
#include "sender.h"
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

//  Stored: t (8), nrcpt (4), account length (4), nrcpt hashes (4 each), the account.
#define S_HEAD 16
#define S_MAX (S_HEAD + 4 * SENT_RCPTS + SENT_ACCOUNT)

static uint32_t
s_rcpt_hash (const char *rcpt)
{
    size_t len;
    const char *r = sender_rcpt_trim (rcpt, &len);
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t) tolower ((unsigned char) r[i])) * 16777619u;
    h &= ~(SENT_DONE | SENT_FRESH);
    return h ? h : 1;
}

static size_t
s_pack (const sent_t *s, uint8_t *buf)
{
    uint32_t alen = (uint32_t) strnlen (s->account, SENT_ACCOUNT - 1);
    memcpy (buf, &s->t, 8);
    memcpy (buf + 8, &s->nrcpt, 4);
    memcpy (buf + 12, &alen, 4);
    memcpy (buf + S_HEAD, s->rcpt, 4 * (size_t) s->nrcpt);
    memcpy (buf + S_HEAD + 4 * (size_t) s->nrcpt, s->account, alen);
    return S_HEAD + 4 * (size_t) s->nrcpt + alen;
}

int
sent_record (senderdb_t *db, const char *qid, const char *account, int64_t t,
             char *const *rcpt, size_t n, const bool *fresh, uint64_t msgid)
{
    sent_t s;
    memset (&s, 0, sizeof s);
    s.t = t;
    s.nrcpt = (uint32_t) (n < SENT_RCPTS ? n : SENT_RCPTS);
    for (size_t i = 0; i < s.nrcpt; i++)
        s.rcpt[i] = s_rcpt_hash (rcpt[i]) | (fresh && fresh[i] ? SENT_FRESH : 0);
    snprintf (s.account, sizeof s.account, "%s", account);
    uint8_t buf[S_MAX];
    char key[SENDERDB_KEY];
    snprintf (key, sizeof key, "q:%s", qid);
    if (senderdb_put_raw (db, key, buf, s_pack (&s, buf)) < 0)
        return -1;
    if (!msgid)
        return 0;
    //  The Message-ID names this message, unless another account's
    //  delivered message had it too.
    char mkey[SENDERDB_KEY], was[QID_SIZE] = "";
    snprintf (mkey, sizeof mkey, "m:%016" PRIx64, msgid);
    size_t len = 0;
    int rc = senderdb_get_raw (db, mkey, was, sizeof was - 1, &len);
    if (rc < 0)
        return -1;
    const char *val = qid;
    if (rc == 1 && len == QID_LEN) {
        was[QID_LEN] = 0;
        sent_t o;
        if (sent_find (db, was, &o) == 1 && strcmp (o.account, s.account))
            val = "";
    }
    else if (rc == 1)
        val = "";       //  ambiguous already
    return senderdb_put_raw (db, mkey, val, strlen (val));
}

int
sent_find (senderdb_t *db, const char *qid, sent_t *out)
{
    if (!qid_valid (qid))
        return 0;
    char key[SENDERDB_KEY];
    snprintf (key, sizeof key, "q:%s", qid);
    uint8_t buf[S_MAX];
    size_t len = 0;
    int rc = senderdb_get_raw (db, key, buf, sizeof buf, &len);
    if (rc <= 0)
        return rc;
    memset (out, 0, sizeof *out);
    uint32_t alen;
    if (len < S_HEAD || len > sizeof buf)
        return 0;
    memcpy (&out->t, buf, 8);
    memcpy (&out->nrcpt, buf + 8, 4);
    memcpy (&alen, buf + 12, 4);
    if (out->nrcpt > SENT_RCPTS || alen >= SENT_ACCOUNT || len != S_HEAD + 4 * (size_t) out->nrcpt + alen)
        return 0;
    memcpy (out->rcpt, buf + S_HEAD, 4 * (size_t) out->nrcpt);
    memcpy (out->account, buf + S_HEAD + 4 * (size_t) out->nrcpt, alen);
    out->account[alen] = 0;
    return 1;
}

int
sent_by_msgid (senderdb_t *db, uint64_t msgid, char *qid)
{
    char key[SENDERDB_KEY];
    snprintf (key, sizeof key, "m:%016" PRIx64, msgid);
    size_t len = 0;
    int rc = senderdb_get_raw (db, key, qid, QID_SIZE - 1, &len);
    if (rc <= 0)
        return rc;
    if (len != QID_LEN)
        return 0;
    qid[QID_LEN] = 0;
    return 1;
}

int
sent_rcpt (const sent_t *s, const char *rcpt)
{
    uint32_t h = s_rcpt_hash (rcpt);
    for (uint32_t i = 0; i < s->nrcpt; i++)
        if ((s->rcpt[i] & ~(SENT_DONE | SENT_FRESH)) == h)
            return s->rcpt[i] & SENT_DONE ? -2 : (int) i;
    return -1;
}

int
sent_update (senderdb_t *db, const char *qid, const sent_t *s)
{
    uint8_t buf[S_MAX];
    char key[SENDERDB_KEY];
    snprintf (key, sizeof key, "q:%s", qid);
    return senderdb_put_raw (db, key, buf, s_pack (s, buf));
}

typedef struct {
    senderdb_t *db;
    int64_t before;
} s_prune_t;

//  q: keys sort by time: stop at the first one young enough.
static int
s_prune_q (void *arg, const char *key, const void *val, size_t len)
{
    (void) val, (void) len;
    s_prune_t *p = arg;
    if (!qid_valid (key + 2))
        return 1;
    return (int64_t) (qid_usec (key + 2) / 1000000) < p->before ? 1 : -1;
}

//  m: keys are hashes: each one's message looked at.
static int
s_prune_m (void *arg, const char *key, const void *val, size_t len)
{
    (void) key;
    s_prune_t *p = arg;
    if (len != QID_LEN)
        return 1;
    char qid[QID_SIZE];
    memcpy (qid, val, QID_LEN);
    qid[QID_LEN] = 0;
    return !qid_valid (qid) || (int64_t) (qid_usec (qid) / 1000000) < p->before;
}

size_t
sent_prune (senderdb_t *db, int64_t before, size_t max, char *cursor)
{
    char from_q[SENDERDB_KEY] = "";
    s_prune_t p = { db, before };
    size_t n = senderdb_prune (db, "q:", from_q, max, s_prune_q, &p);
    return n + senderdb_prune (db, "m:", cursor, max, s_prune_m, &p);
}
