/*  signer_openssl.h: DKIM signing on OpenSSL alone, each key parsed once (the
 *  default signer; signer_opendkim.c keeps libopendkim as the reference). For the
 *  same message, key, tags and time it returns the DKIM-Signature field
 *  libopendkim returns, byte for byte. */
#ifndef FARM_SIGNER_OPENSSL_H
#define FARM_SIGNER_OPENSSL_H
#include "header.h"
#include "keys.h"
#include "strbuf.h"
#include <stdbool.h>
#include <stdint.h>

//  The private-key step: sig (*siglen bytes room) over in, with SHA-256 for
//  RSA, as it is for Ed25519 (in is then the digest already). 0, or -1.
typedef int (signer_raw_fn) (void *arg, const signkey_t *key, const unsigned char *in, size_t inlen,
                             unsigned char *sig, size_t *siglen);
//  That step with key->pkey, in this process.
int signer_openssl_raw (const signkey_t *key, const unsigned char *in, size_t inlen,
                        unsigned char *sig, size_t *siglen);
//  Sign msg (header section parsed into hdr) with key at time t (t=),
//  relaxed header canonicalization, body relaxed or simple; append one
//  "DKIM-Signature: ..." field ending in the message's own line end to out.
//  The private-key step by sign (sign_arg), or signer_openssl_raw when sign
//  is NULL (a key process holds the key: keyd.h). 0, or -1 with err.
int signer_openssl_sign (const signkey_t *key, const char *msg, size_t len, const header_t *hdr,
                         bool body_relaxed, uint64_t t, signer_raw_fn *sign, void *sign_arg,
                         strbuf_t *out, char *err, size_t errlen);
#endif
