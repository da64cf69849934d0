/*  codec.h: content decoders for MIME: base64 and quoted-printable transfer
 *  encodings, RFC 2047 encoded words, and charset conversion to UTF-8.
 *  Every decoder writes at most a bounded multiple of its input, never reads
 *  past it, and accepts broken input (spam is full of it), decoding what can
 *  be decoded and saying so when something could not. */
#ifndef FARM_CODEC_H
#define FARM_CODEC_H
#include "strbuf.h"
#include <stdbool.h>
#include <stddef.h>

//  Append the base64 decoding of in to out; characters outside the alphabet
//  are skipped. Returns how many were skipped (0 for clean input).
size_t codec_base64 (const char *in, size_t len, strbuf_t *out);
//  Append the quoted-printable decoding of in to out. Returns how many '='
//  sequences were invalid (kept as they were).
size_t codec_qp (const char *in, size_t len, bool header, strbuf_t *out);
//  Append in, converted from charset to UTF-8, to out. Unknown charsets are
//  read as windows-1252; invalid sequences become U+FFFD. Returns -1 when
//  the charset was unknown, else the number of invalid sequences.
int codec_to_utf8 (const char *charset, const char *in, size_t len, strbuf_t *out);
//  Decode RFC 2047 encoded words in a header value into UTF-8 (new string).
char *codec_header (const char *value);
#endif
