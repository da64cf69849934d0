/*  tls.h: the OpenSSL server context of farm-smtpd's STARTTLS (RFC 3207):
 *  TLS 1.2 or later, the certificate chain and key of smtpd/tls-cert and
 *  smtpd/tls-key, read again on SIGHUP (a renewed certificate) and kept
 *  when the new files are bad. */
#ifndef FARM_SMTPD_TLS_H
#define FARM_SMTPD_TLS_H
#include <openssl/ssl.h>
#include <stddef.h>

//  A context for cert and key, or NULL with the reason in err.
SSL_CTX *tls_context (const char *cert, const char *key, char *err, size_t errlen);
#endif
