/*  traits.h: what a message shows of its sender, for the lateral signals
 *  of compromise detection (shared/sender/lateral.h): the registrable
 *  domains of its links (the public suffix list, libpsl's built-in copy),
 *  a SimHash of its normalised text and link domains (so that one text
 *  sent to many, each copy with its own greeting or number, is seen as
 *  one), and hashes of its Reply-To address, From display name and mailer,
 *  and of its Message-ID (for complaints, shared/sender/feedback.h).
 *  Only hashes leave the worker; never the text. */
#ifndef FARM_TRAITS_H
#define FARM_TRAITS_H
#include "header.h"
#include "mime.h"
#include "verdict.h"

//  Texts whose SimHashes differ in at most this many bits are the same text.
#define TRAITS_SAME_BITS 6

//  The features of a parsed message into out (zeroed first).
void traits_of (verdict_features_t *out, const header_t *h, const mime_t *m);
//  The registrable domain of host (lowercase, no trailing dot) into out:
//  the public suffix list's, the address itself for an IP literal, the
//  host itself when the list has none. "" for no host.
void traits_domain (const char *host, char *out, size_t outlen);
//  The hash of a Message-ID field's value (value, len bytes): of the id
//  between its first "<" and the ">" after it, or of the value trimmed;
//  0 when it is empty. What the broker records of delivered mail, and
//  looks up for a complaint (shared/mime/arf.h).
uint64_t traits_msgid (const char *value, size_t len);
//  Bits in which two SimHashes differ.
int traits_distance (uint64_t a, uint64_t b);
#endif
