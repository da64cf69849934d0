/*  mark.c: the seal on an operator's release (see mark.h). */
#include "mark.h"
#include "fileio.h"
#include "xalloc.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MARK_KEY 32

struct mark_t {
    unsigned char key[MARK_KEY];
};

mark_t *
mark_new (const char *root, char *err, size_t errlen)
{
    mark_t *self = xcalloc (1, sizeof *self);
    char path[4200];
    snprintf (path, sizeof path, "%s/broker.key", root);
    int fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        //  First start: a new key, written whole before it is used.
        if (RAND_bytes (self->key, MARK_KEY) != 1) {
            snprintf (err, errlen, "%s: no random bytes for a new key", path);
            mark_destroy (&self);
            return NULL;
        }
        char tmp[4300];
        snprintf (tmp, sizeof tmp, "%s.tmp", path);
        unlink (tmp);
        int w = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        int rc = w < 0 ? -1 : fileio_write_all (w, self->key, MARK_KEY);
        if (!rc)
            rc = fsync (w);
        if (w >= 0)
            close (w);
        if (!rc)
            rc = rename (tmp, path);
        if (rc) {
            snprintf (err, errlen, "%s: cannot make the broker's key: %s", path, strerror (errno));
            unlink (tmp);
            mark_destroy (&self);
            return NULL;
        }
        return self;
    }
    struct stat st;
    if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_size != MARK_KEY
        || fileio_pread_all (fd, self->key, MARK_KEY, 0) != MARK_KEY) {
        snprintf (err, errlen, "%s: %s (the broker's key: %d bytes, made at its first start; "
                  "remove it to make a new one)", path, fd < 0 ? strerror (errno) : "not a key",
                  MARK_KEY);
        if (fd >= 0)
            close (fd);
        mark_destroy (&self);
        return NULL;
    }
    if (st.st_mode & 077)
        fchmod (fd, 0600);      //  read by the broker alone
    close (fd);
    return self;
}

void
mark_destroy (mark_t **self_p)
{
    mark_t *self = *self_p;
    if (!self)
        return;
    OPENSSL_cleanse (self->key, sizeof self->key);
    free (self);
    *self_p = NULL;
}

void
mark_make (const mark_t *self, const char *qid, int64_t released, char out[MARK_HEX])
{
    char data[128];
    int n = snprintf (data, sizeof data, "%s:%" PRId64, qid, released);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC (EVP_sha256 (), self->key, MARK_KEY, (const unsigned char *) data, (size_t) n, mac, &len);
    for (unsigned int i = 0; i < len && i < 32; i++)
        snprintf (out + 2 * i, 3, "%02x", mac[i]);
    out[64] = 0;
}

bool
mark_check (const mark_t *self, const char *qid, int64_t released, const char *mark)
{
    if (!mark || strlen (mark) != 64 || !qid)
        return false;
    char want[MARK_HEX];
    mark_make (self, qid, released, want);
    return CRYPTO_memcmp (want, mark, 64) == 0;
}
