/*  sample.c: reading sample spools (see sample.h).
 *  mbox: messages start at "From " lines at the start of the file or after
 *  an empty line; ">From " quoting (mboxrd) is undone on load. */
#include "sample.h"
#include "address.h"
#include "fileio.h"
#include "header.h"
#include "rfcdate.h"
#include "spoolfile.h"
#include "xalloc.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SAMPLE_MAX_DEPTH 8
#define SAMPLE_MAX_RCPT 10000

typedef struct {
    char *name;
    off_t off;      //  mbox only
    size_t len;     //  mbox only
} s_item_t;

struct sample_t {
    char *root;
    bool mbox;
    bool single;    //  root is one spool file
    s_item_t *items;
    size_t count, cap;
};

static void
s_push (sample_t *self, const char *name, off_t off, size_t len)
{
    if (self->count == self->cap) {
        self->cap = self->cap ? self->cap * 2 : 256;
        self->items = xrealloc (self->items, self->cap * sizeof *self->items);
    }
    self->items[self->count++] = (s_item_t) { xstrdup (name), off, len };
}

static int
s_cmp_items (const void *a, const void *b)
{
    return strcmp (((const s_item_t *) a)->name, ((const s_item_t *) b)->name);
}

static void
s_walk (sample_t *self, const char *rel, int depth)
{
    char path[4096];
    snprintf (path, sizeof path, "%s%s%s", self->root, *rel ? "/" : "", rel);
    dirwalk_t *d = dirwalk_open (path);
    if (!d)
        return;
    for (const char *name; (name = dirwalk_next (d));) {
        if (name[0] == '.')
            continue;
        size_t n = strlen (name);
        if (n > 4 && strcmp (name + n - 4, ".env") == 0)
            continue;
        char sub[4096], full[8192];
        snprintf (sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", name);
        snprintf (full, sizeof full, "%s/%s", self->root, sub);
        struct stat st;
        if (stat (full, &st) < 0)
            continue;
        if (S_ISDIR (st.st_mode) && depth < SAMPLE_MAX_DEPTH)
            s_walk (self, sub, depth + 1);
        else if (S_ISREG (st.st_mode))
            s_push (self, sub, 0, 0);
    }
    dirwalk_destroy (&d);
}

static int
s_index_mbox (sample_t *self, char *err, size_t errlen)
{
    int fd = open (self->root, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat (fd, &st) < 0) {
        snprintf (err, errlen, "%s: %s", self->root, strerror (errno));
        if (fd >= 0)
            close (fd);
        return -1;
    }
    if (st.st_size == 0) {
        close (fd);
        return 0;
    }
    const char *m = mmap (NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close (fd);
    if (m == MAP_FAILED) {
        snprintf (err, errlen, "%s: mmap: %s", self->root, strerror (errno));
        return -1;
    }
    size_t len = (size_t) st.st_size, start = (size_t) -1, n = 0;
    for (size_t pos = 0; pos < len;) {
        bool sep = len - pos >= 5 && memcmp (m + pos, "From ", 5) == 0
                   && (pos == 0 || (pos >= 2 && m[pos - 1] == '\n' && m[pos - 2] == '\n')
                       || (pos >= 3 && m[pos - 1] == '\n' && m[pos - 2] == '\r' && m[pos - 3] == '\n'));
        const char *nl = memchr (m + pos, '\n', len - pos);
        size_t next = nl ? (size_t) (nl - m) + 1 : len;
        if (sep) {
            if (start != (size_t) -1) {
                char name[64];
                snprintf (name, sizeof name, "mbox:%zu", ++n);
                s_push (self, name, (off_t) start, pos - start);
            }
            start = next;   //  the message starts after the From_ line
        }
        pos = next;
    }
    if (start != (size_t) -1 && start <= len) {
        char name[64];
        snprintf (name, sizeof name, "mbox:%zu", ++n);
        s_push (self, name, (off_t) start, len - start);
    }
    munmap ((void *) m, len);
    return 0;
}

//  Does the file start as a spool file does ("farm-spool: 1")?
static bool
s_is_spool_file (const char *path)
{
    char head[12] = "";
    FILE *f = fopen (path, "r");
    size_t n = f ? fread (head, 1, 11, f) : 0;
    if (f)
        fclose (f);
    return n == 11 && memcmp (head, "farm-spool:", 11) == 0;
}

sample_t *
sample_open (const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat (path, &st) < 0) {
        snprintf (err, errlen, "%s: %s", path, strerror (errno));
        return NULL;
    }
    sample_t *self = xcalloc (1, sizeof *self);
    self->root = xstrdup (path);
    if (S_ISDIR (st.st_mode)) {
        s_walk (self, "", 0);
        if (self->count)
            qsort (self->items, self->count, sizeof *self->items, s_cmp_items);
    }
    else if (s_is_spool_file (path)) {
        //  One spool file (reject/QID, hold/QID): one message.
        const char *base = strrchr (path, '/');
        s_push (self, base ? base + 1 : path, 0, 0);
        self->single = true;
    }
    else {
        self->mbox = true;
        if (s_index_mbox (self, err, errlen) < 0) {
            sample_destroy (&self);
            return NULL;
        }
    }
    return self;
}

void
sample_destroy (sample_t **self_p)
{
    sample_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->count; i++)
        free (self->items[i].name);
    free (self->items);
    free (self->root);
    free (self);
    *self_p = NULL;
}

size_t
sample_count (sample_t *self)
{
    return self->count;
}

const char *
sample_name (sample_t *self, size_t i)
{
    return self->items[i].name;
}

//  mboxrd: ">From " -> "From ", ">>From " -> ">From " at line starts.
static size_t
s_unquote (char *m, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        bool bol = i == 0 || m[i - 1] == '\n';
        if (bol && m[i] == '>') {
            size_t j = i;
            while (j < len && m[j] == '>')
                j++;
            if (len - j >= 5 && memcmp (m + j, "From ", 5) == 0)
                i++;
        }
        m[o++] = m[i++];
    }
    return o;
}

static void
s_derive (envelope_t *env, const char *msg, size_t len, time_t mtime)
{
    header_t h;
    header_init (&h);
    header_limits_t lim = { 10000, 1 << 20, 1 << 20 };
    header_parse (&h, msg, len, &lim);     //  what parsed is enough to derive from
    char *addrs[64];
    int more;
    if (!env->mail_from || !env->account) {
        const header_field_t *f = header_find (&h, "From", 0);
        if (f) {
            char *v = header_unfold (f);
            size_t n = address_list (v, addrs, 1, &more);
            if (n) {
                if (!env->mail_from)
                    envelope_set (&env->mail_from, envelope_value_ok (addrs[0]) ? addrs[0] : "");
                if (!env->account && envelope_value_ok (addrs[0]))
                    envelope_set (&env->account, addrs[0]);
                free (addrs[0]);
            }
            free (v);
        }
    }
    if (env->rcpt_count == 0) {
        const char *names[] = { "To", "Cc" };
        for (size_t k = 0; k < 2; k++)
            for (size_t i = 0;; i++) {
                const header_field_t *f = header_find (&h, names[k], i);
                if (!f)
                    break;
                char *v = header_unfold (f);
                size_t n = address_list (v, addrs, 64, &more);
                for (size_t a = 0; a < n; a++) {
                    if (strchr (addrs[a], '@') && envelope_value_ok (addrs[a])
                        && env->rcpt_count < SAMPLE_MAX_RCPT)
                        envelope_add_rcpt (env, addrs[a]);
                    free (addrs[a]);
                }
                free (v);
            }
    }
    if (env->received_at == ENVELOPE_NO_TIME) {
        const header_field_t *f = header_find (&h, "Date", 0);
        int64_t t;
        char *v = f ? header_unfold (f) : NULL;
        env->received_at = v && rfcdate_parse (v, &t) == 0 ? t : (int64_t) mtime;
        free (v);
    }
    header_free (&h);
}

int
sample_load (sample_t *self, size_t i, size_t max_bytes, char **msg, size_t *len,
             int *truncated, envelope_t *env, char *err, size_t errlen)
{
    s_item_t *it = &self->items[i];
    char path[8192];
    if (self->mbox || self->single)
        snprintf (path, sizeof path, "%s", self->root);
    else
        snprintf (path, sizeof path, "%s/%s", self->root, it->name);
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat (fd, &st) < 0) {
        snprintf (err, errlen, "%s: %s", path, strerror (errno));
        if (fd >= 0)
            close (fd);
        return -1;
    }
    size_t want = self->mbox ? it->len : (size_t) st.st_size;
    *truncated = want > max_bytes;
    if (want > max_bytes)
        want = max_bytes;
    char *buf = xmalloc (want + 1);
    ssize_t rd = fileio_pread_all (fd, buf, want, it->off);
    close (fd);
    if (rd < 0) {
        snprintf (err, errlen, "%s: %s", path, strerror (errno));
        free (buf);
        return -1;
    }
    size_t got = (size_t) rd;
    if (self->mbox)
        got = s_unquote (buf, got);
    buf[got] = 0;
    //  A spool file (incoming/, hold/, reject/ ...): the message after its
    //  header block, with the envelope it holds; never the block as text.
    if (!self->mbox && got >= 11 && memcmp (buf, "farm-spool:", 11) == 0) {
        size_t body;
        char why[256];
        if (*truncated || spoolfile_parse (buf, got, env, &body, why, sizeof why) != 0) {
            snprintf (err, errlen, "%s: a spool file, but not a whole one%s%s", path,
                      *truncated ? "" : ": ", *truncated ? "" : why);
            free (buf);
            return -1;
        }
        memmove (buf, buf + body, got - body);
        got -= body;
        buf[got] = 0;
        s_derive (env, buf, got, st.st_mtime);
        *msg = buf;
        *len = got;
        return 0;
    }
    //  NAME.env beside a file gives its envelope.
    if (!self->mbox) {
        char envpath[8200];
        snprintf (envpath, sizeof envpath, "%s.env", path);
        size_t n = strlen (path);
        //  NAME.eml -> NAME.env as the design brief says.
        if (n > 4 && strcmp (path + n - 4, ".eml") == 0)
            snprintf (envpath, sizeof envpath, "%.*s.env", (int) (n - 4), path);
        FILE *f = fopen (envpath, "r");
        if (f) {
            //  As large as a spool file's header block may be, no more.
            size_t cap = 4 << 20;
            char *text = xmalloc (cap);
            size_t tl = fread (text, 1, cap, f);
            fclose (f);
            int bad = envelope_parse (env, text, tl, err, errlen) < 0;
            free (text);
            if (!bad && tl == cap) {
                snprintf (err, errlen, "longer than %zu bytes", cap);
                bad = 1;
            }
            if (bad) {
                char why[256];
                snprintf (why, sizeof why, "%s", err);
                snprintf (err, errlen, "%s: %s", envpath, why);
                free (buf);
                return -1;
            }
        }
    }
    s_derive (env, buf, got, st.st_mtime);
    //  File names may hold anything; the spool header may not.
    char *name = xstrdup (it->name);
    for (char *p = name; *p; p++)
        if ((unsigned char) *p < 0x20 || *p == 0x7f)
            *p = '?';
    if (strlen (name) > 1024)
        name[1024] = 0;
    envelope_set (&env->source, name);
    free (name);
    *msg = buf;
    *len = got;
    return 0;
}
