/*  address.h: addresses out of RFC 5322 address-list header values (From,
 *  To, Cc): display names, comments, quoted strings, groups and angle
 *  brackets are understood; what comes out is the bare addr-spec. */
#ifndef FARM_ADDRESS_H
#define FARM_ADDRESS_H
#include <stddef.h>

//  Extract at most max addresses from value into out[] (each a new string,
//  domain lowercased). Returns how many; *more is set when some were left out.
//  Entries without an @ are returned as they are (the caller judges them).
size_t address_list (const char *value, char **out, size_t max, int *more);
//  The domain of addr (after the last @), or NULL.
const char *address_domain (const char *addr);
#endif
