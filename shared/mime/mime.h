/*  mime.h: the decoded content of a message, for the tokenizer. Walks the
 *  MIME tree (bounded depth and part count), decodes base64 and
 *  quoted-printable, converts every text part to UTF-8, turns HTML into text
 *  and keeps its link targets, and notes what it could not parse. */
#ifndef FARM_MIME_H
#define FARM_MIME_H
#include "header.h"
#include "strbuf.h"
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    size_t max_depth;       //  multipart nesting
    size_t max_parts;       //  entities in all
    size_t max_text;        //  bytes of decoded text kept
    header_limits_t header; //  for the headers of each part
} mime_limits_t;

typedef struct {
    strbuf_t text;          //  the text of every text part, UTF-8, parts separated by \n
    strbuf_t urls;          //  link and image targets from HTML, one a line
    strbuf_t types;         //  content type of every part, one a line
    strbuf_t tags;          //  HTML tags and tag.attribute names, space-separated
    strbuf_t problems;      //  what could not be parsed, one a line
    size_t parts, depth;
    bool html;              //  some text came from HTML
    size_t max_text_hint;   //  private: the limit of the current walk
    strbuf_t scratch1, scratch2;
} mime_t;

void mime_init (mime_t *self);
void mime_free (mime_t *self);
//  Walk the message msg whose top-level header section is top. Always
//  succeeds as far as it can; problems are listed in self->problems.
void mime_parse (mime_t *self, const char *msg, size_t len, const header_t *top,
                 const mime_limits_t *lim);
//  Each link host the walk found: the host of every "scheme://host" among
//  the HTML link targets (urls), then in the text; fn (arg, host, len) for
//  each (host as written: letters, digits, dots, hyphens), and fn (arg,
//  NULL, 0) for a mailto: target.
typedef void (mime_host_fn) (void *arg, const char *host, size_t len);
void mime_link_hosts (const mime_t *self, mime_host_fn *fn, void *arg);
//  The parameter name of a structured header value (Content-Type:
//  charset, boundary) into out; 0, or -1 when absent.
int mime_param (const char *value, const char *name, char *out, size_t outlen);
#endif
