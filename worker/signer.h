/*  signer.h: DKIM signing (RFC 6376, RFC 8463 for Ed25519), by either of two
 *  signers: OpenSSL directly with each key parsed once (signer_openssl.c, the
 *  default: four to ten times faster, no leak), or libopendkim (the
 *  reference in signer_opendkim.c, which decodes the PEM key again for every
 *  message). Both
 *  return the same field byte for byte (test dkim_signers).
 *  Signs From (oversigned, so a second From cannot be added unnoticed), To,
 *  Cc, Subject, Date, Message-ID, Reply-To, MIME-Version, Content-Type and the
 *  other fields a verifier expects, when present; t= always, never l=. */
#ifndef FARM_SIGNER_H
#define FARM_SIGNER_H
#include "header.h"
#include "keys.h"
#include "signer_openssl.h"
#include "strbuf.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct signer_t signer_t;

//  Header fields signed when present, NULL-terminated; the same for both.
extern const char *signer_fields[];

typedef enum { SIGNER_OPENSSL, SIGNER_OPENDKIM } signer_kind_t;

//  fixed_time: 0 for the clock, else the t= to use (tests, known answers).
signer_t *signer_new (uint64_t fixed_time, signer_kind_t kind);
void signer_destroy (signer_t **self_p);
//  Sign the message msg (header section parsed into hdr) with key, appending
//  one "DKIM-Signature: ..." header field, ending in the message's own line
//  end, to out. body_relaxed: relaxed or simple body canonicalization; the
//  header canonicalization is always relaxed (see signer_opendkim.c). 0, or -1 with
//  the library's reason in err.
int signer_sign (signer_t *self, const signkey_t *key, const char *id, const char *msg,
                 size_t len, const header_t *hdr, bool body_relaxed, strbuf_t *out, char *err,
                 size_t errlen);
signer_kind_t signer_kind (const signer_t *self);

//  Keys held by another process (keyd.h: a key without pem or pkey here):
//  the OpenSSL signer sends it the private-key step (raw, a digest or the
//  header data), the libopendkim one the whole message (whole).
typedef int (signer_msg_fn) (void *arg, const signkey_t *key, const char *id, const char *msg,
                             size_t len, bool body_relaxed, strbuf_t *out, char *err, size_t errlen);
void signer_set_remote (signer_t *self, signer_raw_fn *raw, signer_msg_fn *whole, void *arg);
#endif
