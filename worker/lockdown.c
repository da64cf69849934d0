/*  lockdown.c: the accounts table (see lockdown.h).
 *  A line that cannot be read is skipped with a log line: skipping can only
 *  take rights away, never grant them. Matching is case-insensitive; a
 *  trailing dot on a domain is ignored. */
#include "lockdown.h"
#include "diag.h"
#include "fileio.h"
#include "recheck.h"
#include "xalloc.h"
#include <czmq.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct lockdown_t {
    char file[4096];
    recheck_t recheck;
    zhashx_t *accounts;     //  account -> zlistx of lowercase patterns
    filewatch_t watch;      //  the table as last read
};

static void
s_list_free (void **item)
{
    zlistx_t *l = *item;
    zlistx_destroy (&l);
    *item = NULL;
}

static void
s_lower (char *s)
{
    for (; *s; s++)
        *s = (char) tolower ((unsigned char) *s);
}

static bool
s_domain_ok (const char *d)
{
    size_t n = strlen (d);
    if (n == 0 || n > 253)
        return false;
    for (const char *p = d; *p; p++)
        if (!(isalnum ((unsigned char) *p) || *p == '-' || *p == '.' || *p == '_'
              || (*p == '*' && p == d && p[1] == '.')))
            return false;
    return true;
}

static zhashx_t *
s_load (const char *file, size_t *accounts, size_t *bad)
{
    FILE *f = fopen (file, "r");
    if (!f)
        return NULL;
    zhashx_t *h = zhashx_new ();
    zhashx_set_destructor (h, s_list_free);
    char line[8192];
    size_t lineno = 0;
    *accounts = *bad = 0;
    while (fgets (line, sizeof line, f)) {
        lineno++;
        char *hash = strchr (line, '#');
        if (hash)
            *hash = 0;
        char *save = NULL, *account = strtok_r (line, " \t\r\n", &save);
        if (!account)
            continue;
        zlistx_t *list = zhashx_lookup (h, account);
        bool fresh = !list;
        if (fresh) {
            list = zlistx_new ();
            zlistx_set_destructor (list, (zlistx_destructor_fn *) zstr_free);
        }
        size_t n = 0;
        for (char *d = strtok_r (NULL, " \t\r\n", &save); d; d = strtok_r (NULL, " \t\r\n", &save)) {
            s_lower (d);
            size_t dl = strlen (d);
            if (dl && d[dl - 1] == '.')
                d[dl - 1] = 0;
            if (!s_domain_ok (d)) {
                diag_warn ("%s line %zu: '%s' is not a domain; skipped", file, lineno, d);
                (*bad)++;
                continue;
            }
            zlistx_add_end (list, strdup (d));
            n++;
        }
        if (n == 0) {
            diag_warn ("%s line %zu: account %s without a domain", file, lineno, account);
            (*bad)++;
        }
        if (fresh) {
            zhashx_insert (h, account, list);
            (*accounts)++;
        }
    }
    fclose (f);
    return h;
}

lockdown_t *
lockdown_new (const char *file, int64_t check_ms)
{
    lockdown_t *self = xcalloc (1, sizeof *self);
    self->recheck.every_ms = check_ms;
    if (file && *file) {
        snprintf (self->file, sizeof self->file, "%s", file);
        lockdown_refresh (self);
        if (!self->accounts)
            diag_error ("ACCOUNTS TABLE %s CANNOT BE READ: EVERY MESSAGE IS REJECTED "
                        "(domain-lockdown) until it can be", file);
    }
    else
        diag_warn ("NO ACCOUNTS TABLE: DOMAIN LOCKDOWN IS OFF. Any account may send as, and "
                   "be signed for, any domain with a key. Give --accounts FILE in production.");
    return self;
}

void
lockdown_destroy (lockdown_t **self_p)
{
    lockdown_t *self = *self_p;
    if (!self)
        return;
    zhashx_destroy (&self->accounts);
    free (self);
    *self_p = NULL;
}

bool
lockdown_enabled (lockdown_t *self)
{
    return *self->file != 0;
}

void
lockdown_refresh (lockdown_t *self)
{
    if (!*self->file)
        return;
    if (!recheck_due (&self->recheck))
        return;
    filewatch_status_t fw = filewatch_check (&self->watch, self->file);
    if (fw == FILEWATCH_GONE)
        diag_warn ("accounts table %s: %s; %s", self->file, strerror (errno),
                   self->accounts ? "keeping the table read before" : "rejecting every message");
    if (fw != FILEWATCH_CHANGED)
        return;
    size_t accounts, bad;
    zhashx_t *h = s_load (self->file, &accounts, &bad);
    if (!h) {
        diag_error ("accounts table %s: %s; %s", self->file, strerror (errno),
                    self->accounts ? "keeping the table read before" : "rejecting every message");
        return;
    }
    zhashx_destroy (&self->accounts);
    self->accounts = h;
    diag_info ("accounts table %s: %zu account(s)%s", self->file, accounts,
               bad ? ", some lines skipped (see above)" : "");
}

bool
lockdown_loaded (lockdown_t *self)
{
    return self->accounts != NULL;
}

const char *
lockdown_file (lockdown_t *self)
{
    return self->file;
}

bool
lockdown_owns (lockdown_t *self, const char *account, const char *domain)
{
    if (!self->accounts || !account || !domain)
        return false;
    zlistx_t *list = zhashx_lookup (self->accounts, account);
    if (!list)
        return false;
    char d[256];
    size_t n = strlen (domain);
    if (n == 0 || n >= sizeof d)
        return false;
    memcpy (d, domain, n + 1);
    s_lower (d);
    if (d[n - 1] == '.')
        d[--n] = 0;
    for (const char *p = zlistx_first (list); p; p = zlistx_next (list)) {
        if (p[0] == '*') {
            //  "*.example.com": strictly below example.com.
            size_t pl = strlen (p + 1);     //  ".example.com"
            if (n > pl && strcmp (d + n - pl, p + 1) == 0)
                return true;
        }
        else if (strcmp (p, d) == 0)
            return true;
    }
    return false;
}
