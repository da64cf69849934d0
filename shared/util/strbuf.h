/*  strbuf.h: a growable byte buffer with printf, for building spool headers,
 *  wire frames and JSON lines. Allocation failure aborts (no NULL checks). */
#ifndef FARM_STRBUF_H
#define FARM_STRBUF_H
#include <stddef.h>

typedef struct {
    char *data;     //  always NUL-terminated when non-NULL
    size_t len;
    size_t cap;
} strbuf_t;

void strbuf_init (strbuf_t *b);
void strbuf_free (strbuf_t *b);
void strbuf_reset (strbuf_t *b);
void strbuf_add (strbuf_t *b, const void *data, size_t len);
void strbuf_adds (strbuf_t *b, const char *s);
void strbuf_addc (strbuf_t *b, char c);
void strbuf_printf (strbuf_t *b, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
//  Append s as a JSON string literal, quotes included; bytes that are not valid
//  UTF-8 are escaped as \u00XX so the line stays valid JSON.
void strbuf_json_string (strbuf_t *b, const char *s);
//  Hand the buffer over (caller frees) and leave b empty.
char *strbuf_detach (strbuf_t *b);
#endif
