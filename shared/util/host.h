/*  host.h: this host's name as mail wants it: the fully qualified name
 *  (what the Reporting-MTA of a bounce and the EHLO of the relay say), not
 *  the short one gethostname gives on most machines. */
#ifndef FARM_HOST_H
#define FARM_HOST_H
#include <stddef.h>

//  The canonical name of this host (getaddrinfo AI_CANONNAME), else the
//  name gethostname gives, else "localhost"; into out (len bytes).
void host_name (char *out, size_t len);
#endif
