/*  tokenize.h: the Bayes tokens of a message, hashed to 64 bits. Words of the
 *  decoded text and of chosen headers, each prefixed by where it came from
 *  ("s:" Subject, "fn:" From display name, "fd:" From domain, "m:" mailer,
 *  "ct:" content types, "u:" link hosts, "hn:" header names present, "t:" HTML
 *  tags and tag.attributes, "pn:" runs of !?*%, "C:" SHOUTED words as written),
 *  ASCII lowercased; optionally adjacent word pairs. The buffer is reused from
 *  message to message: no allocation per token once it has grown. */
#ifndef FARM_TOKENIZE_H
#define FARM_TOKENIZE_H
#include "header.h"
#include "mime.h"
#include "strbuf.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  The tokenizer's identity, stored in every model: a model built by another
//  tokenizer would score nonsense, so the worker refuses it.
#define TOKENIZE_VERSION "tok4"

typedef struct {
    uint64_t h;
    uint32_t off;           //  into words (explain mode), else UINT32_MAX
} token_t;

typedef struct {
    bool bigrams;           //  adjacent word pairs of the body and Subject
    size_t max_tokens;      //  tokens kept per message at most
    bool explain;           //  keep each token's text (for --explain)
} tokenize_opts_t;

typedef struct {
    token_t *t;
    size_t n, cap;
    strbuf_t words;         //  NUL-separated token texts (explain mode)
    uint64_t *seen;         //  open-addressing set of the hashes kept so far
    size_t seen_cap;
    bool full;
} tokens_t;

void tokens_init (tokens_t *self);
void tokens_free (tokens_t *self);
//  Tokenize a parsed message into self (emptied first); each token once, in
//  the order first seen.
void tokenize (tokens_t *self, const header_t *h, const mime_t *m, const tokenize_opts_t *o);
//  The text of token i ("" when not in explain mode).
const char *tokens_text (const tokens_t *self, size_t i);
//  The hash of one prefixed word, as tokenize computes it.
uint64_t tokenize_hash (const char *prefix, const char *word, size_t len);
#endif
