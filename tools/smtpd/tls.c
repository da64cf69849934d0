/*  tls.c: the STARTTLS server context (see tls.h). */
#include "tls.h"
#include <errno.h>
#include <openssl/err.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void
s_ssl_error (const char *what, const char *file, char *err, size_t errlen)
{
    char e[256] = "";
    unsigned long code = ERR_get_error ();
    if (code)
        ERR_error_string_n (code, e, sizeof e);
    ERR_clear_error ();
    snprintf (err, errlen, "%s %s: %s", what, file, *e ? e : "failed");
}

SSL_CTX *
tls_context (const char *cert, const char *key, char *err, size_t errlen)
{
    struct stat st;
    if (stat (key, &st) < 0) {
        snprintf (err, errlen, "smtpd/tls-key %s: %s", key, strerror (errno));
        return NULL;
    }
    if (st.st_mode & 007) {
        snprintf (err, errlen, "smtpd/tls-key %s: readable by others (chmod 0600, or 0640 for a "
                  "group such as ssl-cert)", key);
        return NULL;
    }
    SSL_CTX *ctx = SSL_CTX_new (TLS_server_method ());
    if (!ctx) {
        s_ssl_error ("SSL_CTX_new", "", err, errlen);
        return NULL;
    }
    SSL_CTX_set_min_proto_version (ctx, TLS1_2_VERSION);
    SSL_CTX_set_options (ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode (ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                           SSL_MODE_RELEASE_BUFFERS);
    if (SSL_CTX_use_certificate_chain_file (ctx, cert) != 1)
        s_ssl_error ("smtpd/tls-cert", cert, err, errlen);
    else if (SSL_CTX_use_PrivateKey_file (ctx, key, SSL_FILETYPE_PEM) != 1)
        s_ssl_error ("smtpd/tls-key", key, err, errlen);
    else if (SSL_CTX_check_private_key (ctx) != 1)
        s_ssl_error ("smtpd/tls-key does not match the certificate:", key, err, errlen);
    else
        return ctx;
    SSL_CTX_free (ctx);
    return NULL;
}
