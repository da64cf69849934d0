/*  curve.h: CURVE on tcp:// endpoints (czmq zcert and zauth).
 *
 *  The broker has a certificate (curve/cert) and a folder of the workers'
 *  public certificates it accepts (curve/allow); zauth checks every worker
 *  that connects against that folder (reread when it changes) and logs each
 *  refusal ("zauth: - denied (CURVE) client_key=..."). A worker has its own
 *  certificate and the broker's public key (curve/server-key), so it talks
 *  only to the broker it was given. Certificates come from
 *  `farm-keygen --curve NAME`: NAME.cert (public) and NAME.cert_secret
 *  (mode 0600; refused when others may read it).
 *
 *  ipc:// and inproc:// need no CURVE (file permissions guard them). A tcp://
 *  endpoint without CURVE is refused unless wire/insecure-tcp is set, and
 *  then logged loudly at start. */
#ifndef FARM_CURVE_H
#define FARM_CURVE_H
#include "cfg.h"
#include <czmq.h>
#include <stdbool.h>

typedef struct curve_t curve_t;

//  Before bind: make sock a CURVE server when endpoint is tcp:// (starting
//  zauth once). NULL with err when the configuration does not allow it.
curve_t *curve_server (cfg_t *cfg, zsock_t *sock, const char *endpoint, char *err, size_t errlen);
//  Before connect: make sock a CURVE client of the broker whose public key
//  is server_key (a public certificate file, or 40 characters of Z85).
//  0, or -1 with err.
int curve_client (cfg_t *cfg, zsock_t *sock, const char *endpoint, const char *server_key,
                  char *err, size_t errlen);
void curve_destroy (curve_t **self_p);
//  True when endpoint needs CURVE (tcp://, or anything but ipc:// and inproc://).
bool curve_needed (const char *endpoint);
#endif
