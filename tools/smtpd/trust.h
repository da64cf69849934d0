/*  trust.h: the networks farm-smtpd trusts (smtpd/trusted), as CIDR
 *  prefixes of IPv4 and IPv6; an IPv4-mapped IPv6 peer is matched as IPv4. */
#ifndef FARM_SMTPD_TRUST_H
#define FARM_SMTPD_TRUST_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

typedef struct trust_t trust_t;

//  The comma-separated list ("127.0.0.0/8,::1/128,10.1.2.3"); NULL with the
//  reason in err when an entry is not an address or prefix.
trust_t *trust_new (const char *list, char *err, size_t errlen);
void trust_destroy (trust_t **self_p);
//  True when the peer address sa is in one of the networks.
bool trust_match (const trust_t *self, const struct sockaddr *sa);
#endif
