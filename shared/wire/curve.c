/*  curve.c: CURVE certificates and zauth (see curve.h). */
#include "curve.h"
#include "diag.h"
#include "xalloc.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct curve_t {
    zactor_t *auth;
    zcert_t *cert;
};

bool
curve_needed (const char *endpoint)
{
    return strncmp (endpoint, "ipc://", 6) != 0 && strncmp (endpoint, "inproc://", 9) != 0;
}

//  This process's certificate, its secret file private to us.
static zcert_t *
s_cert (cfg_t *cfg, char *err, size_t errlen)
{
    const char *path = cfg_str (cfg, "curve/cert");
    char secret[4200];
    snprintf (secret, sizeof secret, "%s_secret", path);
    struct stat st;
    if (stat (secret, &st) < 0) {
        snprintf (err, errlen, "curve/cert: %s: %s", secret, strerror (errno));
        return NULL;
    }
    if (st.st_mode & 077) {
        snprintf (err, errlen, "curve/cert: %s is readable by others (mode %03o); chmod 600 it",
                  secret, (unsigned) (st.st_mode & 0777));
        return NULL;
    }
    zcert_t *cert = zcert_load (path);
    if (!cert || !*zcert_secret_txt (cert) || !strcmp (zcert_secret_txt (cert),
                                                        "0000000000000000000000000000000000000000")) {
        snprintf (err, errlen, "curve/cert: %s: not a certificate with its secret key", path);
        zcert_destroy (&cert);
        return NULL;
    }
    return cert;
}

static int
s_insecure (cfg_t *cfg, const char *endpoint, char *err, size_t errlen)
{
    if (!cfg_bool (cfg, "wire/insecure-tcp")) {
        snprintf (err, errlen, "%s: tcp needs CURVE: give curve/cert (and curve/allow on the "
                  "broker, curve/server-key on workers; farm-keygen --curve NAME makes them), or set "
                  "wire/insecure-tcp to send customers' mail and keys in clear", endpoint);
        return -1;
    }
    diag_warn ("%s: NO ENCRYPTION, NO AUTHENTICATION (wire/insecure-tcp): anyone on the network "
               "can read the mail and join the farm", endpoint);
    return 0;
}

curve_t *
curve_server (cfg_t *cfg, zsock_t *sock, const char *endpoint, char *err, size_t errlen)
{
    curve_t *self = xcalloc (1, sizeof *self);
    if (!curve_needed (endpoint))
        return self;
    if (!*cfg_str (cfg, "curve/cert")) {
        if (s_insecure (cfg, endpoint, err, errlen) < 0)
            curve_destroy (&self);
        return self;
    }
    const char *allow = cfg_str (cfg, "curve/allow");
    struct stat st;
    if (!*allow || stat (allow, &st) < 0 || !S_ISDIR (st.st_mode)) {
        snprintf (err, errlen, "curve/allow: '%s' is not a folder of workers' public certificates", allow);
        curve_destroy (&self);
        return NULL;
    }
    self->cert = s_cert (cfg, err, errlen);
    if (!self->cert) {
        curve_destroy (&self);
        return NULL;
    }
    //  zauth answers ZAP for every socket of this process; verbose, so
    //  that each worker let in or refused is in the log.
    self->auth = zactor_new (zauth, NULL);
    zstr_sendx (self->auth, "VERBOSE", NULL);
    zsock_wait (self->auth);
    zstr_sendx (self->auth, "CURVE", allow, NULL);
    zsock_wait (self->auth);
    zcert_apply (self->cert, sock);
    zsock_set_curve_server (sock, 1);
    diag_info ("%s: CURVE server, public key %s; workers allowed: the certificates in %s", endpoint,
               zcert_public_txt (self->cert), allow);
    return self;
}

int
curve_client (cfg_t *cfg, zsock_t *sock, const char *endpoint, const char *server_key, char *err,
              size_t errlen)
{
    if (!curve_needed (endpoint))
        return 0;
    if (!*cfg_str (cfg, "curve/cert"))
        return s_insecure (cfg, endpoint, err, errlen);
    //  A certificate file when there is one by that name, else the key
    //  itself (Z85 has '/' and '.' among its 85 characters, so the text
    //  alone cannot tell a path from a key).
    char key[41] = "";
    struct stat st;
    if (server_key && *server_key && stat (server_key, &st) == 0) {
        zcert_t *pub = zcert_load (server_key);
        if (pub)
            snprintf (key, sizeof key, "%s", zcert_public_txt (pub));
        zcert_destroy (&pub);
    }
    else if (server_key && strlen (server_key) == 40 && zmq_z85_decode ((uint8_t[32]) { 0 }, server_key))
        snprintf (key, sizeof key, "%s", server_key);
    if (strlen (key) != 40) {
        snprintf (err, errlen, "curve/server-key: '%s' is not the broker's public certificate or key",
                  server_key ? server_key : "");
        return -1;
    }
    zcert_t *cert = s_cert (cfg, err, errlen);
    if (!cert)
        return -1;
    zcert_apply (cert, sock);
    zsock_set_curve_serverkey (sock, key);
    zcert_destroy (&cert);
    return 0;
}

void
curve_destroy (curve_t **self_p)
{
    curve_t *self = *self_p;
    if (!self)
        return;
    zactor_destroy (&self->auth);
    zcert_destroy (&self->cert);
    free (self);
    *self_p = NULL;
}
