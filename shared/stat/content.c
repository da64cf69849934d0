/*  content.c: header parse + MIME + tokenize (see content.h). */
#include "content.h"
#include <stdio.h>
#include <string.h>

void
content_opts (content_opts_t *o, cfg_t *cfg)
{
    o->mime.max_depth = (size_t) cfg_int (cfg, "limits/mime-depth");
    o->mime.max_parts = (size_t) cfg_int (cfg, "limits/mime-parts");
    o->mime.max_text = (size_t) cfg_int (cfg, "limits/text-bytes");
    o->mime.header.max_fields = (size_t) cfg_int (cfg, "limits/headers");
    o->mime.header.max_field = (size_t) cfg_int (cfg, "limits/header-length");
    o->mime.header.max_line = (size_t) cfg_int (cfg, "limits/line-length");
    o->tok.bigrams = true;
    o->tok.max_tokens = 20000;
    o->tok.explain = false;
}

void
content_init (content_t *self)
{
    header_init (&self->hdr);
    mime_init (&self->mime);
    tokens_init (&self->tokens);
}

void
content_free (content_t *self)
{
    header_free (&self->hdr);
    mime_free (&self->mime);
    tokens_free (&self->tokens);
}

int
content_tokenize (content_t *self, const char *msg, size_t len, const content_opts_t *o)
{
    int rc = header_parse (&self->hdr, msg, len, &o->mime.header);
    if (rc < 0)
        self->hdr.body_off = len;   //  tokenize the headers that parsed, no body
    content_tokenize_parsed (self, msg, len, &self->hdr, o);
    return rc;
}

void
content_tokenize_parsed (content_t *self, const char *msg, size_t len, const header_t *hdr,
                         const content_opts_t *o)
{
    mime_parse (&self->mime, msg, len, hdr, &o->mime);
    tokenize (&self->tokens, hdr, &self->mime, &o->tok);
}

void
content_settings (const content_opts_t *o, char *out, size_t outlen)
{
    snprintf (out, outlen, "%s bigrams=%d", TOKENIZE_VERSION, o->tok.bigrams ? 1 : 0);
}
