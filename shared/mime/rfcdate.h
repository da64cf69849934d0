/*  rfcdate.h: RFC 5322 Date: values (and the obsolete forms real mail
 *  carries) to unix seconds. */
#ifndef FARM_RFCDATE_H
#define FARM_RFCDATE_H
#include <stdint.h>

//  Parse value; 0 with *out set, or -1 when it is not a date.
int rfcdate_parse (const char *value, int64_t *out);
#endif
