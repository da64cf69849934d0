/*  fuzz_content.c: libFuzzer target for the MIME parser, the tokenizer and
 *  the sender's traits: any bytes as a message through header parse, MIME
 *  walk (base64, QP, RFC 2047, charsets, HTML), tokenization and traits_of
 *  (links, SimHash, Reply-To, display name, mailer), with small limits so
 *  that the limit paths are reached too. */
#include "cfg.h"
#include "content.h"
#include "traits.h"
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    static content_opts_t o;
    static int ready;
    if (!ready) {
        cfg_t *cfg = cfg_new (CFG_WORKER);
        content_opts (&o, cfg);
        cfg_destroy (&cfg);
        o.mime.max_depth = 8;
        o.mime.max_parts = 64;
        o.tok.explain = true;
        ready = 1;
    }
    content_t c;
    content_init (&c);
    content_tokenize (&c, (const char *) data, size, &o);
    for (size_t i = 0; i < c.tokens.n; i++)
        (void) tokens_text (&c.tokens, i);
    verdict_features_t f;
    traits_of (&f, &c.hdr, &c.mime);
    if (f.nlinks > VERDICT_LINKS)
        __builtin_trap ();
    content_free (&c);
    return 0;
}
