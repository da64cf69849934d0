/*  header.h: the header section of an RFC 5322 message, parsed in place.
 *  Fields point into the message (values still folded); nothing is copied
 *  until a caller asks for an unfolded value. Bounded: count of fields, length
 *  of a field, length of a line. */
#ifndef FARM_HEADER_H
#define FARM_HEADER_H
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    size_t max_fields;      //  more is an error
    size_t max_field;       //  bytes of one field, continuation lines included
    size_t max_line;        //  bytes of one physical line
} header_limits_t;

typedef struct {
    const char *name;
    size_t name_len;
    const char *value;      //  after the colon, folded, CRLF/LF kept inside
    size_t value_len;       //  up to, not including, the final line end
} header_field_t;

typedef struct {
    header_field_t *fields;
    size_t count, cap;
    size_t body_off;        //  where the body starts (len when there is none)
    bool no_blank_line;     //  the header ended without an empty line
    char error[160];        //  why parsing stopped, when header_parse fails
} header_t;

void header_init (header_t *self);
void header_free (header_t *self);
//  Parse the header section of msg. 0, or -1 with a reason in self->error
//  (a short code first: "header-count", "header-length", "line-length",
//  "header-nul", "header-syntax"). Fields parsed before the error are kept.
int header_parse (header_t *self, const char *msg, size_t len, const header_limits_t *lim);
//  The index-th field named name (case-insensitive), or NULL.
const header_field_t *header_find (const header_t *self, const char *name, size_t index);
//  How many fields are named name.
size_t header_count (const header_t *self, const char *name);
//  The field's value unfolded (line ends removed, leading white space
//  trimmed) into a new string the caller frees.
char *header_unfold (const header_field_t *field);
#endif
