/*  host.c: this host's fully qualified name (see host.h). */
#include "host.h"
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void
host_name (char *out, size_t len)
{
    char shortname[256];
    if (gethostname (shortname, sizeof shortname - 1) < 0 || !*shortname) {
        snprintf (out, len, "localhost");
        return;
    }
    shortname[sizeof shortname - 1] = 0;
    snprintf (out, len, "%s", shortname);
    if (strchr (shortname, '.'))
        return;         //  already qualified
    struct addrinfo hints = { .ai_flags = AI_CANONNAME, .ai_family = AF_UNSPEC }, *res = NULL;
    if (getaddrinfo (shortname, NULL, &hints, &res) == 0 && res && res->ai_canonname
        && strchr (res->ai_canonname, '.'))
        snprintf (out, len, "%s", res->ai_canonname);
    if (res)
        freeaddrinfo (res);
}
