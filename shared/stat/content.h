/*  content.h: a message to Bayes tokens in one call: header section, MIME
 *  walk, tokenizer. The trainer, the worker and the benchmark all use it, so
 *  a model always meets the tokens it was trained on. Buffers are reused from
 *  message to message. */
#ifndef FARM_CONTENT_H
#define FARM_CONTENT_H
#include "cfg.h"
#include "header.h"
#include "mime.h"
#include "tokenize.h"

typedef struct {
    mime_limits_t mime;
    tokenize_opts_t tok;
} content_opts_t;

typedef struct {
    header_t hdr;
    mime_t mime;
    tokens_t tokens;
} content_t;

//  Options from the limits/ keys of cfg (bigrams on, explain off).
void content_opts (content_opts_t *o, cfg_t *cfg);
void content_init (content_t *self);
void content_free (content_t *self);
//  Tokenize msg. Returns 0, or -1 when the header section could not be
//  parsed (the tokens of what was parsed are still there).
int content_tokenize (content_t *self, const char *msg, size_t len, const content_opts_t *o);
//  The same for a message whose header section is already parsed (hdr), as
//  the worker's pipeline has it: the header section is not parsed twice.
void content_tokenize_parsed (content_t *self, const char *msg, size_t len, const header_t *hdr,
                              const content_opts_t *o);
//  The tokenizer's settings as stored in a model ("tok4 bigrams=1").
void content_settings (const content_opts_t *o, char *out, size_t outlen);
#endif
