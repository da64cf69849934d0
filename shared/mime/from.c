/*  from.c: the one judgement of the From: field (see from.h). */
#include "from.h"
#include "address.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

from_status_t
from_domain (const header_t *hdr, char *out, size_t outlen, size_t *fields)
{
    out[0] = 0;
    size_t n = header_count (hdr, "From");
    if (fields)
        *fields = n;
    if (n == 0)
        return FROM_NONE;
    char *value = header_unfold (header_find (hdr, "From", 0));
    char *addrs[2];
    int more;
    size_t na = address_list (value, addrs, 2, &more);
    free (value);
    const char *domain = na >= 1 ? address_domain (addrs[0]) : NULL;
    bool fits = domain && strlen (domain) < outlen;
    if (fits)
        snprintf (out, outlen, "%s", domain);
    for (size_t i = 0; i < na; i++)
        free (addrs[i]);
    if (n > 1)
        return FROM_SEVERAL;
    if (na == 0)
        return FROM_UNREADABLE;
    if (na > 1)
        return FROM_SEVERAL_ADDRESSES;
    if (!domain)
        return FROM_NO_DOMAIN;
    return fits ? FROM_OK : FROM_TOO_LONG;
}
