/*  html.h: text/html to plain text for the tokenizer: tags dropped (block
 *  tags become line breaks), script and style content and comments dropped,
 *  character entities decoded, link and image targets kept. Input and output
 *  are UTF-8; output is never longer than the input plus a line end per tag. */
#ifndef FARM_HTML_H
#define FARM_HTML_H
#include "strbuf.h"
#include <stddef.h>

//  Append the text of html to text, each href/src target, one a line, to
//  urls, and (when tags is not NULL, up to 8 KB) the name of each opening tag
//  and each "tag.attribute", space-separated, lowercased.
void html_to_text (const char *html, size_t len, strbuf_t *text, strbuf_t *urls, strbuf_t *tags);
//  Append the UTF-8 encoding of code point cp (invalid ones become U+FFFD).
void html_utf8 (strbuf_t *out, unsigned long cp);
#endif
