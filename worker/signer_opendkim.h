/*  signer_opendkim.h: DKIM signing by libopendkim 2.11.0, kept as the
 *  reference for the OpenSSL signer (signer_openssl.h): for the same key,
 *  tags and time both return the same field byte for byte. It decodes the
 *  PEM key again for every message, and leaks about 500 bytes per Ed25519
 *  signature, so it is not the default. */
#ifndef FARM_SIGNER_OPENDKIM_H
#define FARM_SIGNER_OPENDKIM_H
#include "header.h"
#include "keys.h"
#include "strbuf.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct signer_opendkim_t signer_opendkim_t;

//  fixed_time: 0 for the clock, else the t= to use. NULL when the library
//  cannot start.
signer_opendkim_t *signer_opendkim_new (uint64_t fixed_time);
void signer_opendkim_destroy (signer_opendkim_t **self_p);
//  As signer_sign (signer.h); id names the message in the library's logs.
int signer_opendkim_sign (signer_opendkim_t *self, const signkey_t *key, const char *id,
                          const char *msg, size_t len, const header_t *hdr, bool body_relaxed,
                          strbuf_t *out, char *err, size_t errlen);
#endif
