/*  envelope.c: the `key: value` envelope reader and writer.
 *  Hostile input: every line is bounded (ENVELOPE_MAX_LINE), the number of
 *  lines too (ENVELOPE_MAX_LINES), values may not hold control characters, and
 *  numbers must be plain decimals that fit. A failed parse leaves self in a
 *  valid state for envelope_destroy. */
#include "envelope.h"
#include "xalloc.h"
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

envelope_t *
envelope_new (void)
{
    envelope_t *self = xcalloc (1, sizeof *self);
    self->received_at = ENVELOPE_NO_TIME;
    self->size = -1;
    self->spam = NAN;
    return self;
}

static void
s_free_list (char ***list, size_t *count)
{
    for (size_t i = 0; i < *count; i++)
        free ((*list)[i]);
    free (*list);
    *list = NULL;
    *count = 0;
}

void
envelope_destroy (envelope_t **self_p)
{
    envelope_t *self = *self_p;
    if (!self)
        return;
    free (self->qid);
    free (self->account);
    free (self->mail_from);
    free (self->client_ip);
    free (self->source);
    free (self->verdict);
    free (self->released_mark);
    free (self->deferred_by);
    for (size_t i = 0; i < self->rcpt_count; i++)
        free (self->rcpt_dsn[i]);
    free (self->rcpt_dsn);
    free (self->dsn_ret);
    free (self->dsn_envid);
    s_free_list (&self->rcpt, &self->rcpt_count);
    s_free_list (&self->reasons, &self->reason_count);
    s_free_list (&self->dkim, &self->dkim_count);
    free (self);
    *self_p = NULL;
}

void
envelope_set (char **field, const char *value)
{
    free (*field);
    *field = value ? xstrdup (value) : NULL;
}

static void
s_append (char ***list, size_t *count, const char *value)
{
    //  Grow in powers of two: count is the only size we keep.
    if ((*count & (*count - 1)) == 0)
        *list = xrealloc (*list, (*count ? *count * 2 : 1) * sizeof **list);
    (*list)[(*count)++] = xstrdup (value);
}

void
envelope_add_rcpt (envelope_t *self, const char *rcpt)
{
    size_t n = self->rcpt_count;
    if ((n & (n - 1)) == 0)
        self->rcpt_dsn = xrealloc (self->rcpt_dsn, (n ? n * 2 : 1) * sizeof *self->rcpt_dsn);
    self->rcpt_dsn[n] = NULL;
    s_append (&self->rcpt, &self->rcpt_count, rcpt);
}

void
envelope_set_rcpt_dsn (envelope_t *self, const char *params)
{
    if (self->rcpt_count)
        envelope_set (&self->rcpt_dsn[self->rcpt_count - 1], params);
}

bool
envelope_rcpt_wants_failure (const envelope_t *self, size_t i)
{
    const char *dsn = i < self->rcpt_count ? self->rcpt_dsn[i] : NULL;
    const char *notify = dsn ? strstr (dsn, "NOTIFY=") : NULL;
    if (!notify)
        return true;
    notify += 7;
    size_t n = strcspn (notify, " ");
    for (const char *f = notify; f && f < notify + n; f = memchr (f, ',', (size_t) (notify + n - f))) {
        if (*f == ',')
            f++;
        if ((size_t) (notify + n - f) >= 7 && !strncmp (f, "FAILURE", 7))
            return true;
    }
    return false;
}

int
envelope_rcpt_dsn_ok (const char *params)
{
    size_t n = strlen (params);
    if (n == 0 || n > ENVELOPE_MAX_PATH * 3)
        return 0;
    bool notify = false, orcpt = false;
    const char *p = params;
    while (*p) {
        bool *seen = !strncmp (p, "NOTIFY=", 7) ? &notify : !strncmp (p, "ORCPT=", 6) ? &orcpt : NULL;
        if (!seen || *seen)
            return 0;
        *seen = true;
        p = strchr (p, '=') + 1;
        size_t v = 0;
        while (p[v] > 0x20 && p[v] < 0x7f && p[v] != '=')
            v++;
        if (v == 0 || (p[v] && p[v] != ' ') || (p[v] == ' ' && !p[v + 1]))
            return 0;
        p += v + (p[v] == ' ');
    }
    return 1;
}

void
envelope_add_reason (envelope_t *self, const char *reason)
{
    s_append (&self->reasons, &self->reason_count, reason);
}

void
envelope_clear_reasons (envelope_t *self)
{
    s_free_list (&self->reasons, &self->reason_count);
}

void
envelope_add_dkim (envelope_t *self, const char *sig)
{
    s_append (&self->dkim, &self->dkim_count, sig);
}

void
envelope_clear_dkim (envelope_t *self)
{
    s_free_list (&self->dkim, &self->dkim_count);
}

int
envelope_path_ok (const char *a)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *) a; *p; p++, n++)
        if (*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>')
            return 0;
    return n <= ENVELOPE_MAX_PATH;
}

int
envelope_value_ok (const char *value)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *) value; *p; p++, n++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            return 0;
    return n < ENVELOPE_MAX_LINE - 32;
}

//  Parse a decimal integer in [min, max]; 0 on success.
static int
s_number (const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (*s == 0 || strlen (s) > 20)
        return -1;
    const char *p = s;
    if (*p == '-')
        p++;
    for (; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    errno = 0;
    char *end;
    long long v = strtoll (s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

//  Split one line (NUL-terminated, in place) into key and value, trimmed.
//  1 for a blank or comment line, 0, or -1 with the reason in err.
static int
s_split (char *line, size_t lineno, char **key, char **val, char *err, size_t errlen)
{
    char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    //  Blank lines and # comments are allowed in .env files.
    if (*p == 0 || *p == '#')
        return 1;
    char *colon = strchr (p, ':');
    if (!colon || colon == p) {
        snprintf (err, errlen, "line %zu is not 'key: value'", lineno);
        return -1;
    }
    char *kend = colon;
    while (kend > p && (kend[-1] == ' ' || kend[-1] == '\t'))
        kend--;
    *kend = 0;
    for (char *k = p; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z')
              || (*k >= '0' && *k <= '9') || *k == '-' || *k == '_')) {
            snprintf (err, errlen, "line %zu: bad character in key", lineno);
            return -1;
        }
    char *value = colon + 1;
    while (*value == ' ' || *value == '\t')
        value++;
    char *vend = value + strlen (value);
    while (vend > value && (vend[-1] == ' ' || vend[-1] == '\t'))
        *--vend = 0;
    if (!envelope_value_ok (value)) {
        snprintf (err, errlen, "line %zu: control character in value of %s", lineno, p);
        return -1;
    }
    *key = p;
    *val = value;
    return 0;
}

//  The keys whose values are whole numbers: their range and what a bad one is.
static const struct {
    const char *key;
    int64_t min, max;
    const char *bad;
} s_numbers[] = {
    { "farm-spool", 1, 1000, "bad farm-spool version" },
    { "received-at", INT64_MIN / 2, INT64_MAX / 2, "received-at is not a number" },
    { "retry-at", 0, INT64_MAX / 2, "retry-at is not a number" },
    { "released", 0, INT64_MAX / 2, "released is not a number" },
    { "attempts", 0, UINT32_MAX, "attempts is not a number" },
    { "size", 0, INT64_MAX / 2, "size is not a number" },
    { "rescan", 0, INT64_MAX / 2, "rescan is not a number" },
};

//  A numeric key: 0 when set, -1 with the reason in err, 1 when key is not one.
static int
s_apply_number (envelope_t *self, const char *key, const char *value, size_t lineno, char *err,
                size_t errlen)
{
    for (size_t i = 0; i < sizeof s_numbers / sizeof s_numbers[0]; i++) {
        if (strcasecmp (key, s_numbers[i].key) != 0)
            continue;
        int64_t num;
        if (s_number (value, s_numbers[i].min, s_numbers[i].max, &num)) {
            snprintf (err, errlen, "line %zu: %s", lineno, s_numbers[i].bad);
            return -1;
        }
        switch (i) {
            case 0: self->version = (int) num; break;
            case 1: self->received_at = num; break;
            case 2: self->retry_at = num; break;
            case 3: self->released = num; break;
            case 4: self->attempts = (uint32_t) num; break;
            case 5: self->size = num; break;
            default: self->rescan = num; break;
        }
        return 0;
    }
    return 1;
}

//  An address key's value without its angle brackets (<> is the null sender).
static char *
s_unbracket (char *value)
{
    size_t vl = strlen (value);
    if (vl >= 2 && value[0] == '<' && value[vl - 1] == '>') {
        value[vl - 1] = 0;
        value++;
    }
    return value;
}

//  One key: value into self. 0, or -1 with the reason in err. Keys we do
//  not know are skipped, so older readers accept newer files.
static int
s_apply (envelope_t *self, const char *key, char *value, size_t lineno, char *err, size_t errlen)
{
    int rc = s_apply_number (self, key, value, lineno, err, errlen);
    if (rc <= 0)
        return rc;
    if (strcasecmp (key, "queue-id") == 0)
        envelope_set (&self->qid, value);
    else if (strcasecmp (key, "account") == 0)
        envelope_set (&self->account, value);
    else if (strcasecmp (key, "mail-from") == 0)
    {
        value = s_unbracket (value);
        if (!envelope_path_ok (value)) {
            snprintf (err, errlen, "line %zu: mail-from is not one address (white space, a "
                      "bracket or an ESMTP parameter in it)", lineno);
            return -1;
        }
        envelope_set (&self->mail_from, value);
    }
    else if (strcasecmp (key, "rcpt-to") == 0) {
        value = s_unbracket (value);
        if (*value == 0) {
            snprintf (err, errlen, "line %zu: empty rcpt-to", lineno);
            return -1;
        }
        if (!envelope_path_ok (value)) {
            snprintf (err, errlen, "line %zu: rcpt-to is not one address (white space, a "
                      "bracket or an ESMTP parameter in it)", lineno);
            return -1;
        }
        envelope_add_rcpt (self, value);
    }
    else if (strcasecmp (key, "rcpt-dsn") == 0) {
        if (!self->rcpt_count || !envelope_rcpt_dsn_ok (value)) {
            snprintf (err, errlen, "line %zu: rcpt-dsn is not NOTIFY=... ORCPT=... after a rcpt-to",
                      lineno);
            return -1;
        }
        envelope_set_rcpt_dsn (self, value);
    }
    else if (strcasecmp (key, "dsn-ret") == 0) {
        if (strcmp (value, "FULL") && strcmp (value, "HDRS")) {
            snprintf (err, errlen, "line %zu: dsn-ret is neither FULL nor HDRS", lineno);
            return -1;
        }
        envelope_set (&self->dsn_ret, value);
    }
    else if (strcasecmp (key, "dsn-envid") == 0) {
        if (strlen (value) > 100 || strpbrk (value, " =")) {
            snprintf (err, errlen, "line %zu: dsn-envid is not xtext of at most 100 bytes", lineno);
            return -1;
        }
        envelope_set (&self->dsn_envid, value);
    }
    else if (strcasecmp (key, "client-ip") == 0)
        envelope_set (&self->client_ip, value);
    else if (strcasecmp (key, "source") == 0)
        envelope_set (&self->source, value);
    else if (strcasecmp (key, "verdict") == 0)
        envelope_set (&self->verdict, value);
    else if (strcasecmp (key, "reason") == 0)
        envelope_add_reason (self, value);
    else if (strcasecmp (key, "dkim") == 0)
        envelope_add_dkim (self, value);
    else if (strcasecmp (key, "released-mark") == 0) {
        if (strlen (value) > 128 || strspn (value, "0123456789abcdef") != strlen (value)) {
            snprintf (err, errlen, "line %zu: released-mark is not a seal", lineno);
            return -1;
        }
        envelope_set (&self->released_mark, value);
    }
    else if (strcasecmp (key, "deferred-by") == 0)
        envelope_set (&self->deferred_by, value);
    else if (strcasecmp (key, "spam") == 0) {
        char *end;
        double d = strtod (value, &end);
        if (*end || !(d >= 0.0 && d <= 1.0)) {
            snprintf (err, errlen, "line %zu: spam is not a probability", lineno);
            return -1;
        }
        self->spam = d;
    }
    return 0;
}

int
envelope_parse (envelope_t *self, const char *text, size_t len, char *err, size_t errlen)
{
    size_t pos = 0, lineno = 0;
    char line[ENVELOPE_MAX_LINE + 1];
    while (pos < len) {
        lineno++;
        if (lineno > ENVELOPE_MAX_LINES) {
            snprintf (err, errlen, "more than %d lines", ENVELOPE_MAX_LINES);
            return -1;
        }
        const char *start = text + pos;
        const char *nl = memchr (start, '\n', len - pos);
        size_t n = nl ? (size_t) (nl - start) : len - pos;
        pos += n + (nl ? 1 : 0);
        if (n > 0 && start[n - 1] == '\r')
            n--;
        if (n > ENVELOPE_MAX_LINE) {
            snprintf (err, errlen, "line %zu longer than %d bytes", lineno, ENVELOPE_MAX_LINE);
            return -1;
        }
        memcpy (line, start, n);
        line[n] = 0;
        if (memchr (start, 0, n)) {
            snprintf (err, errlen, "line %zu holds a NUL byte", lineno);
            return -1;
        }
        char *key, *value;
        int rc = s_split (line, lineno, &key, &value, err, errlen);
        if (rc < 0 || (rc == 0 && s_apply (self, key, value, lineno, err, errlen) < 0))
            return -1;
    }
    return 0;
}

static void
s_line (strbuf_t *out, const char *key, const char *value)
{
    if (value)
        strbuf_printf (out, "%s: %s\n", key, value);
}

void
envelope_format (const envelope_t *self, strbuf_t *out)
{
    if (self->version)
        strbuf_printf (out, "farm-spool: %d\n", self->version);
    s_line (out, "queue-id", self->qid);
    s_line (out, "account", self->account);
    if (self->mail_from)
        strbuf_printf (out, "mail-from: <%s>\n", self->mail_from);
    for (size_t i = 0; i < self->rcpt_count; i++) {
        strbuf_printf (out, "rcpt-to: <%s>\n", self->rcpt[i]);
        s_line (out, "rcpt-dsn", self->rcpt_dsn[i]);
    }
    s_line (out, "dsn-ret", self->dsn_ret);
    s_line (out, "dsn-envid", self->dsn_envid);
    s_line (out, "client-ip", self->client_ip);
    if (self->received_at != ENVELOPE_NO_TIME)
        strbuf_printf (out, "received-at: %" PRId64 "\n", self->received_at);
    s_line (out, "source", self->source);
    s_line (out, "verdict", self->verdict);
    for (size_t i = 0; i < self->reason_count; i++)
        s_line (out, "reason", self->reasons[i]);
    for (size_t i = 0; i < self->dkim_count; i++)
        s_line (out, "dkim", self->dkim[i]);
    if (self->retry_at)
        strbuf_printf (out, "retry-at: %" PRId64 "\n", self->retry_at);
    if (self->released)
        strbuf_printf (out, "released: %" PRId64 "\n", self->released);
    if (self->released && self->released_mark)
        s_line (out, "released-mark", self->released_mark);
    if (self->rescan)
        strbuf_printf (out, "rescan: %" PRId64 "\n", self->rescan);
    s_line (out, "deferred-by", self->deferred_by);
    if (!isnan (self->spam))
        strbuf_printf (out, "spam: %.6f\n", self->spam);
    if (self->attempts)
        strbuf_printf (out, "attempts: %" PRIu32 "\n", self->attempts);
    if (self->size >= 0)
        strbuf_printf (out, "size: %" PRId64 "\n", self->size);
}

int
envelope_time_plausible (int64_t t, int64_t now)
{
    return t != ENVELOPE_NO_TIME && t >= 946684800 && t <= now + 86400;
}

void
envelope_json_tail (const envelope_t *env, strbuf_t *j)
{
    if (env && !isnan (env->spam))
        strbuf_printf (j, ",\"spam\":%.6f", env->spam);
    else
        strbuf_adds (j, ",\"spam\":null");
    strbuf_adds (j, ",\"reasons\":[");
    for (size_t i = 0; env && i < env->reason_count; i++) {
        if (i)
            strbuf_addc (j, ',');
        strbuf_json_string (j, env->reasons[i]);
    }
    strbuf_adds (j, "],\"dkim\":[");
    for (size_t i = 0; env && i < env->dkim_count; i++) {
        if (i)
            strbuf_addc (j, ',');
        strbuf_json_string (j, env->dkim[i]);
    }
    //  Observe mode's would-be hold (the worker's "would-hold:" reason).
    bool would = false;
    for (size_t i = 0; env && i < env->reason_count && !would; i++)
        would = !strncmp (env->reasons[i], "would-hold:", 11);
    strbuf_adds (j, would ? "],\"would\":\"hold\"" : "],\"would\":null");
    strbuf_adds (j, ",\"deferred_by\":");
    if (env && env->deferred_by)
        strbuf_json_string (j, env->deferred_by);
    else
        strbuf_adds (j, "null");
    strbuf_printf (j, ",\"received_at\":%" PRId64 "}\n",
                   env && env->received_at != ENVELOPE_NO_TIME ? env->received_at : -1);
}
