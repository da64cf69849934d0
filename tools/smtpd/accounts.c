/*  accounts.c: the accounts file of SMTP AUTH (see accounts.h). */
#include "accounts.h"
#include "fileio.h"
#include "xalloc.h"
#include <crypt.h>
#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ACCOUNTS_MAX_BYTES (64 * 1024 * 1024)

struct accounts_t {
    char *path;
    filewatch_t watch;
    zhashx_t *hashes;       //  name -> crypt(3) hash
    char dummy[CRYPT_OUTPUT_SIZE];  //  checked for unknown users
};

static void
s_free_str (void **item)
{
    free (*item);
    *item = NULL;
}

//  Read the file into a new table. NULL with err.
static zhashx_t *
s_read (const char *path, char *err, size_t errlen)
{
    int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat (fd, &st) < 0) {
        snprintf (err, errlen, "%s: %s", path, strerror (errno));
        if (fd >= 0)
            close (fd);
        return NULL;
    }
    if (!S_ISREG (st.st_mode) || st.st_size > ACCOUNTS_MAX_BYTES || (st.st_mode & 007)) {
        snprintf (err, errlen, "%s: %s", path, !S_ISREG (st.st_mode) ? "not a regular file"
                  : (st.st_mode & 007) ? "readable by others (chmod 0600 or 0640)" : "larger than 64 MiB");
        close (fd);
        return NULL;
    }
    char *text = xmalloc ((size_t) st.st_size + 1);
    ssize_t n = fileio_pread_all (fd, text, (size_t) st.st_size, 0);
    close (fd);
    if (n != st.st_size) {
        snprintf (err, errlen, "%s: read: %s", path, n < 0 ? strerror (errno) : "short");
        free (text);
        return NULL;
    }
    text[n] = 0;
    zhashx_t *table = zhashx_new ();
    zhashx_set_destructor (table, s_free_str);
    size_t lineno = 0;
    char *save = NULL;
    bool bad = false;
    for (char *line = strtok_r (text, "\n", &save); line && !bad; line = strtok_r (NULL, "\n", &save)) {
        lineno++;
        size_t len = strlen (line);
        if (len && line[len - 1] == '\r')
            line[--len] = 0;
        if (!len || line[0] == '#')
            continue;
        char *colon = strchr (line, ':');
        if (!colon || colon == line || colon - line > 255) {
            snprintf (err, errlen, "%s: line %zu: not NAME:HASH", path, lineno);
            bad = true;
            break;
        }
        *colon = 0;
        const char *hash = colon + 1;
        if (strncmp (hash, "$y$", 3) && strncmp (hash, "$6$", 3)) {
            snprintf (err, errlen, "%s: line %zu: the hash of '%s' is not yescrypt ($y$) or "
                      "SHA-512 ($6$)", path, lineno, line);
            bad = true;
            break;
        }
        if (strpbrk (line, " \t") || zhashx_lookup (table, line)) {
            snprintf (err, errlen, "%s: line %zu: '%s' has white space or is given twice", path,
                      lineno, line);
            bad = true;
            break;
        }
        zhashx_insert (table, line, xstrdup (hash));
    }
    free (text);
    if (bad)
        zhashx_destroy (&table);
    return table;
}

accounts_t *
accounts_new (const char *path, char *err, size_t errlen)
{
    accounts_t *self = xcalloc (1, sizeof *self);
    self->path = xstrdup (path);
    filewatch_check (&self->watch, path);
    self->hashes = s_read (path, err, errlen);
    if (!self->hashes) {
        accounts_destroy (&self);
        return NULL;
    }
    //  A hash to check when the user is unknown: the same work, no answer.
    struct crypt_data cd;
    memset (&cd, 0, sizeof cd);
    const char *salt = crypt_gensalt_rn ("$y$", 0, NULL, 0, self->dummy, sizeof self->dummy);
    const char *h = salt ? crypt_r ("no such user", salt, &cd) : NULL;
    snprintf (self->dummy, sizeof self->dummy, "%s", h && *h != '*' ? h : "*");
    return self;
}

void
accounts_destroy (accounts_t **self_p)
{
    accounts_t *self = *self_p;
    if (!self)
        return;
    zhashx_destroy (&self->hashes);
    free (self->path);
    free (self);
    *self_p = NULL;
}

int
accounts_reload (accounts_t *self, char *err, size_t errlen)
{
    filewatch_status_t st = filewatch_check (&self->watch, self->path);
    if (st == FILEWATCH_SAME || st == FILEWATCH_MISSING)
        return 0;
    if (st == FILEWATCH_GONE) {
        snprintf (err, errlen, "%s: %s (the accounts read before stay)", self->path, strerror (errno));
        return -1;
    }
    zhashx_t *t = s_read (self->path, err, errlen);
    if (!t)
        return -1;
    zhashx_destroy (&self->hashes);
    self->hashes = t;
    return 1;
}

size_t
accounts_count (accounts_t *self)
{
    return zhashx_size (self->hashes);
}

bool
accounts_check (accounts_t *self, const char *user, const char *pass)
{
    const char *hash = zhashx_lookup (self->hashes, user);
    struct crypt_data *cd = xcalloc (1, sizeof *cd);
    const char *h = crypt_r (pass, hash ? hash : self->dummy, cd);
    bool ok = hash && h && *h != '*' && strlen (h) == strlen (hash) &&
              CRYPTO_memcmp (h, hash, strlen (hash)) == 0;
    free (cd);
    return ok;
}
