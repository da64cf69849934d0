/*  test_curve.c: which endpoints need CURVE, and the refusals: tcp:// with
 *  no certificate (unless wire/insecure-tcp, said loudly), a client with no
 *  key for its broker; a server and a client with certificates made as
 *  farm-keygen makes them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "cfg.h"
#include "curve.h"
#include "unit.h"
#include <czmq.h>
#include <stdio.h>
#include <string.h>

static void
test_needed (void **state)
{
    assert_false (curve_needed ("ipc:///run/farm/broker.sock"));
    assert_false (curve_needed ("inproc://x"));
    assert_true (curve_needed ("tcp://10.0.0.1:5555"));
    assert_true (curve_needed ("tcp://[::1]:5555"));
}

static void
test_refusals (void **state)
{
    char err[512];
    cfg_t *cfg = cfg_new (CFG_BROKER | CFG_WORKER);
    zsock_t *s = zsock_new (ZMQ_ROUTER);
    assert_null (curve_server (cfg, s, "tcp://127.0.0.1:0", err, sizeof err));
    assert_true (strlen (err) > 0);
    //  ipc:// needs nothing.
    curve_t *c = curve_server (cfg, s, "ipc:///tmp/x.sock", err, sizeof err);
    assert_non_null (c);
    curve_destroy (&c);
    assert_int_equal (cfg_set (cfg, "wire/insecure-tcp", "true", err, sizeof err), 0);
    c = curve_server (cfg, s, "tcp://127.0.0.1:0", err, sizeof err);
    assert_non_null (c);
    curve_destroy (&c);
    zsock_destroy (&s);
    cfg_destroy (&cfg);
}

static void
test_server_and_client (void **state)
{
    char cert[128], allow[128], err[512];
    snprintf (cert, sizeof cert, "%s/broker.cert", unit_root);
    snprintf (allow, sizeof allow, "%s/workers", unit_root);
    zsys_dir_create ("%s", allow);
    zcert_t *bc = zcert_new ();
    assert_int_equal (zcert_save (bc, cert), 0);
    cfg_t *cfg = cfg_new (CFG_BROKER | CFG_WORKER);
    assert_int_equal (cfg_set (cfg, "curve/cert", cert, err, sizeof err), 0);
    assert_int_equal (cfg_set (cfg, "curve/allow", allow, err, sizeof err), 0);
    zsock_t *s = zsock_new (ZMQ_ROUTER);
    curve_t *c = curve_server (cfg, s, "tcp://127.0.0.1:0", err, sizeof err);
    if (!c)
        fail_msg ("server: %s", err);
    zsock_t *d = zsock_new (ZMQ_DEALER);
    //  The broker's public key as 40 characters of Z85; a bad one refused.
    if (curve_client (cfg, d, "tcp://127.0.0.1:1", zcert_public_txt (bc), err, sizeof err) != 0)
        fail_msg ("client: %s", err);
    //  Keys with '/' and '.' in them (both are Z85) are keys, not paths.
    zsock_t *d3 = zsock_new (ZMQ_DEALER);
    const char *slashed = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    if (curve_client (cfg, d3, "tcp://127.0.0.1:1", slashed, err, sizeof err) != 0)
        fail_msg ("client with a '/' in the key: %s", err);
    zsock_destroy (&d3);
    zsock_t *d2 = zsock_new (ZMQ_DEALER);
    assert_int_equal (curve_client (cfg, d2, "tcp://127.0.0.1:1", "not-a-key", err, sizeof err), -1);
    zsock_destroy (&d2);
    zsock_destroy (&d);
    curve_destroy (&c);
    zsock_destroy (&s);
    zcert_destroy (&bc);
    cfg_destroy (&cfg);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_needed),
        cmocka_unit_test (test_refusals),
        unit_test_files (test_server_and_client),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
