/*  keys.h: the DKIM private keys a worker signs with: KEYS/<domain>/<selector>.pem,
 *  RSA (1024 to 4096 bits) or Ed25519, in PEM. Loaded once, reloaded when the
 *  folder changes; a key file readable by group or others is refused, as ssh
 *  refuses such a private key. */
#ifndef FARM_KEYS_H
#define FARM_KEYS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { SIGNKEY_RSA = 1, SIGNKEY_ED25519 = 2 } signkey_alg_t;

typedef struct {
    char domain[256];       //  lowercase
    char selector[64];
    signkey_alg_t alg;
    int bits;
    char *pem;              //  the private key, as read (libopendkim parses PEM)
    struct evp_pkey_st *pkey;   //  the same, parsed once (the OpenSSL signer)
} signkey_t;

typedef struct keys_t keys_t;

//  dir "" or NULL: no keys, no signing. check_ms: how often to look for changes.
keys_t *keys_new (const char *dir, int64_t check_ms);
void keys_destroy (keys_t **self_p);
//  True when a keys folder is configured (signing is on).
bool keys_enabled (keys_t *self);
//  Reload if it is time to look and something changed.
void keys_refresh (keys_t *self);
//  Keys for exactly this domain (case-insensitive), at most max, in selector
//  order. Returns how many.
size_t keys_find (keys_t *self, const char *domain, const signkey_t **out, size_t max);
size_t keys_count (keys_t *self);
//  Load one key file, checking mode, type and size: 0, or -1 with err.
int keys_load_file (const char *path, signkey_t *key, char *err, size_t errlen);
#endif
