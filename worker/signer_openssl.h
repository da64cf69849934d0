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

//  Sign msg (header section parsed into hdr) with key at time t (t=),
//  relaxed header canonicalization, body relaxed or simple; append one
//  "DKIM-Signature: ..." field ending in the message's own line end to out.
//  0, or -1 with the reason in err.
int signer_openssl_sign (const signkey_t *key, const char *msg, size_t len, const header_t *hdr,
                         bool body_relaxed, uint64_t t, strbuf_t *out, char *err, size_t errlen);
#endif
