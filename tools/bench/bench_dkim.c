/*  bench_dkim.c: farm-bench dkim, the two DKIM signers side by side.
 *
 *  farm-bench dkim [--corpus DIR] [--count N]
 *
 *  Signing throughput of one worker's signers (OpenSSL and libopendkim) for
 *  RSA-2048 and Ed25519, on N messages from DIR (default corpus/easy-ham-1,
 *  or made up when it is missing), and whether every signature the two make
 *  is the same byte for byte, beside `openssl speed rsa2048 ed25519` run at
 *  the same time: the private-key operation alone, the ceiling for signing. */
#include "bench.h"
#include "diag.h"
#include "envelope.h"
#include "fileio.h"
#include "header.h"
#include "keys.h"
#include "sample.h"
#include "signer.h"
#include "strbuf.h"
#include "xalloc.h"
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *s_names[2] = { "rsa", "ed" };
static const char *s_snames[2] = { "openssl", "libopendkim" };
static const header_limits_t s_lim = { 10000, 1 << 20, 1 << 20 };

//  An RSA and an Ed25519 key for bench.example, made as an operator makes
//  them (farm-keygen beside this program) under tmp/keys.
static void
s_keys (const char *tmp, signkey_t keys[2])
{
    char self[2048], cmd[8192], err[512];
    ssize_t sl = readlink ("/proc/self/exe", self, sizeof self - 1);
    self[sl > 0 ? sl : 0] = 0;
    char *slash = strrchr (self, '/');
    if (slash)
        *slash = 0;
    snprintf (cmd, sizeof cmd, "%s/farm-keygen bench.example rsa --keys %s/keys >/dev/null && "
              "%s/farm-keygen bench.example ed --ed25519 --keys %s/keys >/dev/null", self, tmp, self, tmp);
    if (system (cmd) != 0)
        diag_fatal ("farm-keygen failed");
    for (int i = 0; i < 2; i++) {
        char path[8192];
        memset (&keys[i], 0, sizeof keys[i]);
        snprintf (path, sizeof path, "%s/keys/bench.example/%s.pem", tmp, s_names[i]);
        if (keys_load_file (path, &keys[i], err, sizeof err) < 0)
            diag_fatal ("%s", err);
        snprintf (keys[i].domain, sizeof keys[i].domain, "bench.example");
        snprintf (keys[i].selector, sizeof keys[i].selector, "%s", s_names[i]);
    }
}

//  count messages from corpus in memory, or made-up ones of 4.5 KB when it
//  has none; *source says which.
static item_t *
s_messages (const char *corpus, size_t count, size_t *n_p, const char **source)
{
    item_t *items = NULL;
    size_t n = 0, cap = 0;
    char err2[256];
    sample_t *s = sample_open (corpus, err2, sizeof err2);
    for (size_t i = 0; s && i < sample_count (s) && n < count; i++) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            items = xrealloc (items, cap * sizeof *items);
        }
        int trunc;
        envelope_t *env = envelope_new ();
        memset (&items[n], 0, sizeof items[n]);
        if (sample_load (s, i, 1 << 20, &items[n].msg, &items[n].len, &trunc, env, err2, sizeof err2) == 0)
            n++;
        envelope_destroy (&env);
    }
    sample_destroy (&s);
    *source = corpus;
    if (n == 0) {
        *source = "made-up 4.5 KB messages";
        for (; n < count; n++) {
            if (n == cap) {
                cap = cap ? cap * 2 : 1024;
                items = xrealloc (items, cap * sizeof *items);
            }
            strbuf_t b;
            strbuf_init (&b);
            strbuf_printf (&b, "From: a@bench.example\nTo: b@x.example\nSubject: %zu\n\n", n);
            while (b.len < 4500)
                strbuf_adds (&b, "the quick brown fox jumps over the lazy dog again and again\n");
            items[n].len = b.len;
            items[n].msg = strbuf_detach (&b);
            items[n].path = NULL;
        }
    }
    *n_p = n;
    return items;
}

//  Sign every message with signer g and key k; messages a second.
static double
s_rate (signer_t *g, int gi, signkey_t *key, int k, item_t *items, size_t n, strbuf_t *out)
{
    char err[512];
    size_t failed = 0;
    int64_t t0 = fileio_now_usec ();
    for (size_t i = 0; i < n; i++) {
        header_t h;
        header_init (&h);
        header_parse (&h, items[i].msg, items[i].len, &s_lim);
        strbuf_reset (out);
        if (signer_sign (g, key, "bench", items[i].msg, items[i].len, &h, true, out, err, sizeof err) < 0)
            failed++;
        header_free (&h);
    }
    double rate = n / ((fileio_now_usec () - t0) / 1e6);
    if (failed)
        printf ("  (%zu of %zu messages could not be signed with %s by %s)\n", failed, n, s_names[k],
                s_snames[gi]);
    return rate;
}

//  How many of the 2n signatures (relaxed body first, then simple) of key
//  differ between the two signers.
static size_t
s_differ (signer_t *signers[2], signkey_t *key, item_t *items, size_t n)
{
    char err[512];
    strbuf_t out, ref;
    strbuf_init (&out);
    strbuf_init (&ref);
    size_t differ = 0;
    for (size_t i = 0; i < 2 * n; i++) {
        bool relaxed = i < n;
        size_t m = i % n;
        header_t h;
        header_init (&h);
        header_parse (&h, items[m].msg, items[m].len, &s_lim);
        strbuf_reset (&out);
        strbuf_reset (&ref);
        signer_sign (signers[0], key, "bench", items[m].msg, items[m].len, &h, relaxed, &out, err, sizeof err);
        signer_sign (signers[1], key, "bench", items[m].msg, items[m].len, &h, relaxed, &ref, err, sizeof err);
        bool d = out.len != ref.len || (out.len && memcmp (out.data, ref.data, out.len) != 0);
        if (d && differ == 0 && getenv ("FARM_BENCH_SHOWDIFF"))
            printf ("message %zu (%s body)\n--- openssl:\n%s--- libopendkim:\n%s", m,
                    relaxed ? "relaxed" : "simple", out.data, ref.data);
        differ += d;
        header_free (&h);
    }
    strbuf_free (&out);
    strbuf_free (&ref);
    return differ;
}

//  The reference, measured now on the same machine: sign/s of RSA-2048 and
//  Ed25519 by `openssl speed`.
static void
s_reference (double *ref_rsa, double *ref_ed)
{
    FILE *p = popen ("openssl speed -seconds 2 rsa2048 ed25519 2>/dev/null", "r");
    strbuf_t sp;
    strbuf_init (&sp);
    char buf[4096];
    size_t got;
    while (p && (got = fread (buf, 1, sizeof buf, p)) > 0)
        strbuf_add (&sp, buf, got);
    if (p)
        pclose (p);
    *ref_rsa = sp.data ? bench_openssl_rate (sp.data, "rsa 2048 bits") : 0;
    *ref_ed = sp.data ? bench_openssl_rate (sp.data, "EdDSA (Ed25519)") : 0;
    strbuf_free (&sp);
}

int
bench_dkim (int argc, char **argv)
{
    const char *corpus = "corpus/easy-ham-1";
    size_t count = 2000;
    for (int i = 2; i < argc; i++) {
        if (!strcmp (argv[i], "--corpus") && i + 1 < argc)
            corpus = argv[++i];
        else if (!strcmp (argv[i], "--count") && i + 1 < argc)
            count = (size_t) atol (argv[++i]);
        else {
            fprintf (stderr, "usage: farm-bench dkim [--corpus DIR] [--count N]\n");
            return 64;
        }
    }
    count = count ? count : 1;
    char tmp[] = "/tmp/farm-bench-dkim.XXXXXX";
    if (!mkdtemp (tmp))
        diag_fatal ("mkdtemp: %s", strerror (errno));
    signkey_t keys[2];
    s_keys (tmp, keys);
    size_t n;
    const char *source;
    item_t *items = s_messages (corpus, count, &n, &source);
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += items[i].len;
    //  Both signers, same messages, same fixed time: rates, and whether every
    //  signature agrees byte for byte.
    signer_t *signers[2] = { signer_new (1700000000, SIGNER_OPENSSL), signer_new (1700000000, SIGNER_OPENDKIM) };
    strbuf_t out;
    strbuf_init (&out);
    double rate[2][2];
    for (int g = 0; g < 2; g++)
        for (int k = 0; k < 2; k++)
            rate[g][k] = s_rate (signers[g], g, &keys[k], k, items, n, &out);
    size_t differ[2] = { s_differ (signers, &keys[0], items, n), s_differ (signers, &keys[1], items, n) };
    double ref_rsa, ref_ed;
    s_reference (&ref_rsa, &ref_ed);
    printf ("farm-bench dkim: %zu messages (%s, %.1f KB on average), one core, relaxed/relaxed\n",
            n, source, n ? bytes / 1024.0 / n : 0.0);
    printf ("  openssl speed (key loaded once, no message): rsa2048 %.0f sign/s, ed25519 %.0f sign/s\n",
            ref_rsa, ref_ed);
    for (int g = 0; g < 2; g++)
        printf ("  %-12s rsa-sha256 %7.0f msg/s (ratio %.2f)   ed25519-sha256 %7.0f msg/s (ratio %.2f)\n",
                s_snames[g], rate[g][0], ref_rsa > 0 ? rate[g][0] / ref_rsa : 0.0, rate[g][1],
                ref_ed > 0 ? rate[g][1] / ref_ed : 0.0);
    printf ("  signatures that differ between the two (relaxed/relaxed and relaxed/simple): "
            "rsa %zu of %zu, ed25519 %zu of %zu\n", differ[0], 2 * n, differ[1], 2 * n);
    strbuf_free (&out);
    signer_destroy (&signers[0]);
    signer_destroy (&signers[1]);
    for (int i = 0; i < 2; i++) {
        free (keys[i].pem);
        EVP_PKEY_free (keys[i].pkey);
    }
    for (size_t i = 0; i < n; i++)
        free (items[i].msg);
    free (items);
    char cmd[4200];
    snprintf (cmd, sizeof cmd, "rm -rf %s", tmp);
    (void) !system (cmd);
    return 0;
}
