/*  from.h: the From: a reader sees, as both the worker (domain lockdown,
 *  signing) and the broker (the domain-wide sender state) must judge it:
 *  exactly one From: field, naming one address, with a domain. */
#ifndef FARM_FROM_H
#define FARM_FROM_H
#include "header.h"
#include <stddef.h>

typedef enum {
    FROM_OK,                //  one field, one address, a domain
    FROM_NONE,              //  no From: field
    FROM_SEVERAL,           //  more than one From: field
    FROM_SEVERAL_ADDRESSES, //  the field names more than one address
    FROM_UNREADABLE,        //  no address in it
    FROM_NO_DOMAIN,         //  the address has no domain
    FROM_TOO_LONG           //  the domain does not fit in out
} from_status_t;

//  Judge the From: of a parsed header section. The domain (lowercase) of the
//  first field's first address is put in out whenever there is one that fits
//  ("" otherwise), FROM_OK or not; *fields is set to the number of From:
//  fields when fields is not NULL.
from_status_t from_domain (const header_t *hdr, char *out, size_t outlen, size_t *fields);
#endif
