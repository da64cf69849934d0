/*  keys.c: the DKIM key store (see keys.h).
 *  Change detection: a cheap fingerprint of the folder (names, inodes, sizes,
 *  mtimes of every domain folder and key file); when it changes, every key is
 *  read again and the new set replaces the old only if the folder could be
 *  read. A removed folder leaves the last good keys in use, with a warning. */
#include "keys.h"
#include "diag.h"
#include "recheck.h"
#include "fileio.h"
#include "xalloc.h"
#include <czmq.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define KEY_FILE_MAX (64 * 1024)

struct keys_t {
    char dir[4096];
    recheck_t recheck;
    uint64_t fingerprint;
    signkey_t *keys;
    size_t count;
    bool warned;
};

static void
s_free_keys (signkey_t *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (keys[i].pem) {
            //  Private key material: wipe before it goes back to malloc.
            OPENSSL_cleanse (keys[i].pem, strlen (keys[i].pem));
            free (keys[i].pem);
        }
        EVP_PKEY_free (keys[i].pkey);
    }
    free (keys);
}

int
keys_load_file (const char *path, signkey_t *key, char *err, size_t errlen)
{
    struct stat st;
    if (stat (path, &st) < 0) {
        snprintf (err, errlen, "%s: %s", path, strerror (errno));
        return -1;
    }
    if (st.st_mode & 077) {
        snprintf (err, errlen, "%s: mode %04o lets group or others read a private key; "
                  "refused (chmod 600 it)", path, (unsigned) (st.st_mode & 07777));
        return -1;
    }
    if (st.st_size <= 0 || st.st_size > KEY_FILE_MAX) {
        snprintf (err, errlen, "%s: %lld bytes is not a key", path, (long long) st.st_size);
        return -1;
    }
    FILE *f = fopen (path, "r");
    if (!f) {
        snprintf (err, errlen, "%s: %s", path, strerror (errno));
        return -1;
    }
    char *pem = xmalloc ((size_t) st.st_size + 1);
    size_t n = fread (pem, 1, (size_t) st.st_size, f);
    fclose (f);
    pem[n] = 0;
    BIO *bio = BIO_new_mem_buf (pem, (int) n);
    EVP_PKEY *pk = bio ? PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL) : NULL;
    BIO_free (bio);
    int rc = 0;
    if (!pk) {
        snprintf (err, errlen, "%s: not a PEM private key", path);
        rc = -1;
    }
    else if (EVP_PKEY_base_id (pk) == EVP_PKEY_RSA) {
        key->alg = SIGNKEY_RSA;
        key->bits = EVP_PKEY_bits (pk);
        if (key->bits < 1024 || key->bits > 4096) {
            snprintf (err, errlen, "%s: RSA key of %d bits; 1024 to 4096 are allowed", path, key->bits);
            rc = -1;
        }
    }
    else if (EVP_PKEY_base_id (pk) == EVP_PKEY_ED25519) {
        key->alg = SIGNKEY_ED25519;
        key->bits = 256;
    }
    else {
        snprintf (err, errlen, "%s: neither an RSA nor an Ed25519 key", path);
        rc = -1;
    }
    if (rc) {
        EVP_PKEY_free (pk);
        OPENSSL_cleanse (pem, n);
        free (pem);
        return -1;
    }
    key->pem = pem;
    key->pkey = pk;
    return 0;
}

static uint64_t
s_mix (uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}

static uint64_t
s_hash_str (uint64_t h, const char *s)
{
    while (*s)
        h = s_mix (h, (unsigned char) *s++);
    return h;
}

static int
s_cmp_keys (const void *a, const void *b)
{
    const signkey_t *x = a, *y = b;
    int c = strcmp (x->domain, y->domain);
    return c ? c : strcmp (x->selector, y->selector);
}

//  Walk the folder: fingerprint only (load false), or load every key.
static int
s_walk (keys_t *self, bool load, uint64_t *fp, signkey_t **keys, size_t *count)
{
    dirwalk_t *d = dirwalk_open (self->dir);
    if (!d)
        return -1;
    uint64_t h = 1469598103934665603ull;
    size_t cap = 0;
    for (const char *dom; (dom = dirwalk_next (d));) {
        if (dom[0] == '.' || strlen (dom) >= sizeof ((signkey_t *) 0)->domain)
            continue;
        char sub[8192];
        snprintf (sub, sizeof sub, "%s/%s", self->dir, dom);
        dirwalk_t *dd = dirwalk_open (sub);
        if (!dd)
            continue;
        for (const char *file; (file = dirwalk_next (dd));) {
            size_t n = strlen (file);
            if (file[0] == '.' || n < 5 || strcmp (file + n - 4, ".pem") != 0
                || n - 4 >= sizeof ((signkey_t *) 0)->selector)
                continue;
            char path[12288];
            snprintf (path, sizeof path, "%s/%s", sub, file);
            struct stat st;
            if (stat (path, &st) < 0)
                continue;
            h = s_hash_str (s_hash_str (h, dom), file);
            h = s_mix (s_mix (s_mix (s_mix (h, st.st_ino), (uint64_t) st.st_size),
                              (uint64_t) st.st_mtim.tv_nsec), (uint64_t) st.st_mtime ^ st.st_mode);
            if (!load)
                continue;
            signkey_t key;
            memset (&key, 0, sizeof key);
            char err[600];
            if (keys_load_file (path, &key, err, sizeof err) < 0) {
                diag_error ("dkim key %s", err);
                continue;
            }
            for (size_t i = 0; dom[i]; i++)
                key.domain[i] = (char) tolower ((unsigned char) dom[i]);
            memcpy (key.selector, file, n - 4);
            if (*count == cap) {
                cap = cap ? cap * 2 : 16;
                *keys = xrealloc (*keys, cap * sizeof **keys);
            }
            (*keys)[(*count)++] = key;
        }
        dirwalk_destroy (&dd);
    }
    dirwalk_destroy (&d);
    *fp = h;
    if (load && *count)
        qsort (*keys, *count, sizeof **keys, s_cmp_keys);
    return 0;
}

keys_t *
keys_new (const char *dir, int64_t check_ms)
{
    keys_t *self = xcalloc (1, sizeof *self);
    self->recheck.every_ms = check_ms;
    if (dir && *dir) {
        snprintf (self->dir, sizeof self->dir, "%s", dir);
        keys_refresh (self);
        if (!self->count)
            diag_warn ("no usable DKIM key in %s: messages will be delivered unsigned (reason no-key)", dir);
    }
    return self;
}

void
keys_destroy (keys_t **self_p)
{
    keys_t *self = *self_p;
    if (!self)
        return;
    s_free_keys (self->keys, self->count);
    free (self);
    *self_p = NULL;
}

bool
keys_enabled (keys_t *self)
{
    return *self->dir != 0;
}

void
keys_refresh (keys_t *self)
{
    if (!*self->dir)
        return;
    if (!recheck_due (&self->recheck))
        return;
    uint64_t fp;
    if (s_walk (self, false, &fp, NULL, NULL) < 0) {
        if (!self->warned)
            diag_warn ("keys folder %s: %s; %s", self->dir, strerror (errno),
                       self->count ? "keeping the keys loaded before" : "not signing");
        self->warned = true;
        return;
    }
    self->warned = false;
    if (fp == self->fingerprint && self->keys)
        return;
    signkey_t *keys = NULL;
    size_t count = 0;
    if (s_walk (self, true, &fp, &keys, &count) < 0) {
        s_free_keys (keys, count);
        return;
    }
    s_free_keys (self->keys, self->count);
    self->keys = keys;
    self->count = count;
    self->fingerprint = fp;
    diag_info ("%zu DKIM key(s) loaded from %s", count, self->dir);
}

size_t
keys_find (keys_t *self, const char *domain, const signkey_t **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < self->count && n < max; i++)
        if (strcasecmp (self->keys[i].domain, domain) == 0)
            out[n++] = &self->keys[i];
    return n;
}

size_t
keys_count (keys_t *self)
{
    return self->count;
}
