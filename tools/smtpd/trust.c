/*  trust.c: trusted networks (see trust.h). */
#include "trust.h"
#include "xalloc.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRUST_MAX 256

typedef struct {
    int family;             //  AF_INET or AF_INET6
    uint8_t addr[16];
    unsigned bits;
} s_net_t;

struct trust_t {
    s_net_t nets[TRUST_MAX];
    size_t count;
};

trust_t *
trust_new (const char *list, char *err, size_t errlen)
{
    trust_t *self = xcalloc (1, sizeof *self);
    char copy[8192];
    snprintf (copy, sizeof copy, "%s", list);
    char *save = NULL;
    for (char *w = strtok_r (copy, ", ", &save); w; w = strtok_r (NULL, ", ", &save)) {
        if (self->count == TRUST_MAX) {
            snprintf (err, errlen, "smtpd/trusted: more than %d networks", TRUST_MAX);
            trust_destroy (&self);
            return NULL;
        }
        s_net_t *n = &self->nets[self->count];
        char *slash = strchr (w, '/');
        if (slash)
            *slash = 0;
        n->family = strchr (w, ':') ? AF_INET6 : AF_INET;
        unsigned max = n->family == AF_INET ? 32 : 128;
        n->bits = max;
        char *end = NULL;
        if (slash) {
            unsigned long b = strtoul (slash + 1, &end, 10);
            if (!slash[1] || *end || b > max) {
                snprintf (err, errlen, "smtpd/trusted: '%s/%s' has a bad prefix length", w, slash + 1);
                trust_destroy (&self);
                return NULL;
            }
            n->bits = (unsigned) b;
        }
        if (inet_pton (n->family, w, n->addr) != 1) {
            snprintf (err, errlen, "smtpd/trusted: '%s' is not an IPv4 or IPv6 address", w);
            trust_destroy (&self);
            return NULL;
        }
        self->count++;
    }
    return self;
}

void
trust_destroy (trust_t **self_p)
{
    free (*self_p);
    *self_p = NULL;
}

static bool
s_prefix (const uint8_t *a, const uint8_t *b, unsigned bits)
{
    unsigned whole = bits / 8, rest = bits % 8;
    if (memcmp (a, b, whole))
        return false;
    if (!rest)
        return true;
    uint8_t mask = (uint8_t) (0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

bool
trust_match (const trust_t *self, const struct sockaddr *sa)
{
    uint8_t addr[16];
    int family = sa->sa_family;
    if (family == AF_INET)
        memcpy (addr, &((const struct sockaddr_in *) sa)->sin_addr, 4);
    else if (family == AF_INET6) {
        const struct in6_addr *a6 = &((const struct sockaddr_in6 *) sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED (a6)) {
            family = AF_INET;
            memcpy (addr, a6->s6_addr + 12, 4);
        }
        else
            memcpy (addr, a6->s6_addr, 16);
    }
    else
        return family == AF_UNIX;       //  a local socket: as trusted as its file mode
    for (size_t i = 0; i < self->count; i++)
        if (self->nets[i].family == family && s_prefix (addr, self->nets[i].addr, self->nets[i].bits))
            return true;
    return false;
}
