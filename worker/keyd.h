/*  keyd.h: the DKIM private keys in a process of their own, as OpenSMTPD's
 *  ca.c keeps them. farm-worker forks it first thing, before any thread and
 *  before a key is read; it loads and watches KEYS/ (keys.h) and answers,
 *  over a socketpair, in typed frames: which keys a domain has (names and
 *  kinds, never the key), and a signature: of a digest or header data sent
 *  to it (the OpenSSL signer), or of a whole message (libopendkim, which
 *  parses the header section itself). The worker process, which parses
 *  hostile MIME, HTML and charsets, never holds a private key; a bug there
 *  can ask for signatures while it runs, and nothing more. The key process
 *  ends when the worker does (its end of the socket closes). */
#ifndef FARM_KEYD_H
#define FARM_KEYD_H
#include "header.h"
#include "keys.h"
#include "signer.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct keyd_t keyd_t;

//  Fork the key process for dir ("" or NULL: no keys, no process), reading
//  it again every check_ms; signing as kind at fixed_time (0: the clock)
//  with the header limits lim. NULL with err when it cannot be started.
keyd_t *keyd_start (const char *dir, int64_t check_ms, signer_kind_t kind, uint64_t fixed_time,
                    const header_limits_t *lim, char *err, size_t errlen);
void keyd_stop (keyd_t **self_p);
bool keyd_enabled (keyd_t *self);
//  The keys of domain, at most max (no key material: domain, selector, alg,
//  bits), valid until the next call. Returns how many.
size_t keyd_find (keyd_t *self, const char *domain, const signkey_t **out, size_t max);
size_t keyd_count (keyd_t *self);
//  Look at KEYS/ again at once (SIGHUP).
void keyd_reload (keyd_t *self);
//  For signer_set_remote (arg: the keyd_t).
signer_raw_fn keyd_sign_raw;
signer_msg_fn keyd_sign_message;
#endif
