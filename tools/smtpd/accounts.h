/*  accounts.h: the accounts SMTP AUTH checks, from a file of NAME:HASH
 *  lines (smtpd/auth-accounts), HASH as crypt(3) makes it: yescrypt ($y$,
 *  Debian's default; `mkpasswd -m yescrypt`) or SHA-512 ($6$; `mkpasswd -m
 *  sha-512`). Other schemes (DES, MD5, plain text) are refused when the
 *  file is read, so a weak hash cannot slip in. Blank lines and lines
 *  starting with # are skipped. The file must not be readable by others
 *  (mode 0600 or 0640): it is refused otherwise. Reread when it changes;
 *  a bad file keeps the last good one. */
#ifndef FARM_SMTPD_ACCOUNTS_H
#define FARM_SMTPD_ACCOUNTS_H
#include <stdbool.h>
#include <stddef.h>

typedef struct accounts_t accounts_t;

//  The accounts of path. NULL with the reason in err when it cannot be read.
accounts_t *accounts_new (const char *path, char *err, size_t errlen);
void accounts_destroy (accounts_t **self_p);
//  Read the file again if it changed: 1 reread, 0 unchanged, -1 a bad file
//  (reason in err; the accounts read before stay).
int accounts_reload (accounts_t *self, char *err, size_t errlen);
size_t accounts_count (accounts_t *self);
//  True when user's password is pass. Takes as long for an unknown user as
//  for a known one (a dummy hash is checked), so timing tells no names.
bool accounts_check (accounts_t *self, const char *user, const char *pass);
#endif
