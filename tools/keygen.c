/*  keygen.c: farm-keygen, DKIM keys and the DNS record to publish, and
 *  CURVE certificates for the farm's tcp:// links.
 *
 *  farm-keygen DOMAIN SELECTOR [--ed25519 | --rsa BITS] [--keys DIR]
 *  farm-keygen --curve NAME [--dir DIR]
 *
 *  --curve writes DIR/NAME.cert (public: give it to the other side) and
 *  DIR/NAME.cert_secret (mode 0600: stays on this host), with czmq's zcert;
 *  never over existing files. Prints the public key.
 *
 *  Writes DIR/DOMAIN/SELECTOR.pem (default DIR: keys), mode 0600, created
 *  exclusively (an existing key is never overwritten), and prints the TXT
 *  record: SELECTOR._domainkey.DOMAIN, "v=DKIM1; k=rsa; p=..." with the DER
 *  SubjectPublicKeyInfo in base64, or "k=ed25519; p=..." with the raw 32-byte
 *  public key (RFC 8463). Keys come from OpenSSL's EVP_PKEY_keygen. */
#include <czmq.h>
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *s_usage =
    "usage: farm-keygen DOMAIN SELECTOR [--ed25519 | --rsa BITS] [--keys DIR]\n"
    "       farm-keygen --print DOMAIN SELECTOR [--keys DIR]\n"
    "       farm-keygen --curve NAME [--dir DIR]\n\n"
    "Writes DIR/DOMAIN/SELECTOR.pem (mode 0600; default DIR keys, RSA 2048) and prints\n"
    "the DNS TXT record to publish (in strings of at most 255 characters, as zone files\n"
    "want them); --print prints it again for a key that exists. With --curve: a CURVE certificate for a broker or a\n"
    "worker, DIR/NAME.cert (public) and DIR/NAME.cert_secret (mode 0600; default DIR curve).";

static int
s_name_ok (const char *s, bool domain)
{
    if (!*s || strlen (s) > (domain ? 253 : 63))
        return 0;
    for (const char *p = s; *p; p++)
        if (!(isalnum ((unsigned char) *p) || *p == '-' || *p == '_' || (domain && *p == '.')))
            return 0;
    return s[0] != '.' && s[0] != '-';
}

//  --curve NAME: a certificate pair, never over an existing one.
static int
s_curve (const char *name, const char *dir)
{
    if (!s_name_ok (name, true)) {
        fprintf (stderr, "farm-keygen: --curve NAME: letters, digits, '-', '_', '.'\n");
        return 64;
    }
    if (mkdir (dir, 0700) < 0 && errno != EEXIST) {
        fprintf (stderr, "farm-keygen: %s: %s\n", dir, strerror (errno));
        return 73;
    }
    char path[4096], secret[4200];
    snprintf (path, sizeof path, "%s/%s.cert", dir, name);
    snprintf (secret, sizeof secret, "%s_secret", path);
    if (access (path, F_OK) == 0 || access (secret, F_OK) == 0) {
        fprintf (stderr, "farm-keygen: %s exists; not overwritten\n", path);
        return 73;
    }
    zcert_t *cert = zcert_new ();
    zcert_set_meta (cert, "name", "%s", name);
    char host[256] = "";
    gethostname (host, sizeof host - 1);
    zcert_set_meta (cert, "host", "%s", host);
    //  The secret file is made 0600 before a byte of it is written.
    mode_t old = umask (077);
    int rc = zcert_save (cert, path);
    umask (old);
    if (rc == 0)
        rc = chmod (secret, 0600) | chmod (path, 0644);
    if (rc != 0) {
        fprintf (stderr, "farm-keygen: cannot write %s: %s\n", path, strerror (errno));
        zcert_destroy (&cert);
        return 73;
    }
    printf ("%s (public, for the other side) and %s (secret, mode 0600)\npublic key: %s\n", path,
            secret, zcert_public_txt (cert));
    zcert_destroy (&cert);
    return 0;
}

//  A new key, written to path (created exclusively, mode 0600, before a
//  byte of key is written; fsync'd). 0 with the key in *pk, or an exit code
//  with a message on stderr.
static int
s_write_key (const char *path, bool ed, int bits, EVP_PKEY **pk_p)
{
    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id (ed ? EVP_PKEY_ED25519 : EVP_PKEY_RSA, NULL);
    EVP_PKEY *pk = NULL;
    if (!kctx || EVP_PKEY_keygen_init (kctx) <= 0
        || (!ed && EVP_PKEY_CTX_set_rsa_keygen_bits (kctx, bits) <= 0)
        || EVP_PKEY_keygen (kctx, &pk) <= 0) {
        fprintf (stderr, "farm-keygen: key generation failed\n");
        EVP_PKEY_CTX_free (kctx);
        return 70;
    }
    EVP_PKEY_CTX_free (kctx);
    *pk_p = pk;
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf (stderr, "farm-keygen: %s: %s%s\n", path, strerror (errno),
                 errno == EEXIST ? " (remove the old key first; keys are never overwritten)" : "");
        return 73;
    }
    FILE *f = fdopen (fd, "w");
    int ok = f && PEM_write_PrivateKey (f, pk, NULL, NULL, 0, NULL, NULL) == 1;
    if (f && (fflush (f) != 0 || fsync (fd) != 0))
        ok = 0;
    if (f)
        fclose (f);
    else
        close (fd);
    if (!ok) {
        fprintf (stderr, "farm-keygen: writing %s failed\n", path);
        unlink (path);
        return 74;
    }
    return 0;
}

//  The key's file, then the TXT record to publish: its public half.
static void
s_print_record (const char *path, const char *selector, const char *domain, bool ed, EVP_PKEY *pk)
{
    //  The public half for DNS.
    unsigned char *der = NULL, raw[32];
    int derlen = 0;
    size_t rawlen = sizeof raw;
    const unsigned char *pub;
    int publen;
    if (ed) {
        EVP_PKEY_get_raw_public_key (pk, raw, &rawlen);
        pub = raw;
        publen = (int) rawlen;
    }
    else {
        derlen = i2d_PUBKEY (pk, &der);
        pub = der;
        publen = derlen;
    }
    char *b64 = malloc ((size_t) (4 * ((publen + 2) / 3) + 1));
    EVP_EncodeBlock ((unsigned char *) b64, pub, publen);
    printf ("%s\n", path);
    //  A TXT string holds at most 255 bytes (RFC 1035 3.3.14): a longer
    //  record (RSA 2048 and up) is written as several, which resolvers join.
    printf ("%s._domainkey.%s. IN TXT ( \"v=DKIM1; k=%s; \"", selector, domain, ed ? "ed25519" : "rsa");
    size_t n = strlen (b64);
    for (size_t off = 0; off < n; off += off ? 255 : 253)
        printf (" \"%s%.*s\"", off ? "" : "p=", (int) (off ? 255 : 253), b64 + off);
    printf (" )\n");
    free (b64);
    OPENSSL_free (der);
}

//  --print: the record of a key that exists.
static int
s_print_existing (const char *path, const char *selector, const char *domain)
{
    FILE *f = fopen (path, "r");
    EVP_PKEY *pk = f ? PEM_read_PrivateKey (f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose (f);
    if (!pk) {
        fprintf (stderr, "farm-keygen: %s: %s\n", path, f ? "not a private key in PEM" : strerror (errno));
        return 66;
    }
    s_print_record (path, selector, domain, EVP_PKEY_id (pk) == EVP_PKEY_ED25519, pk);
    EVP_PKEY_free (pk);
    return 0;
}

int
main (int argc, char **argv)
{
    const char *domain = NULL, *selector = NULL, *dir = "keys", *curve = NULL, *cdir = "curve";
    int bits = 2048;
    bool ed = false, print = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp (argv[i], "--curve") && i + 1 < argc)
            curve = argv[++i];
        else if (!strcmp (argv[i], "--dir") && i + 1 < argc)
            cdir = argv[++i];
        else if (!strcmp (argv[i], "--ed25519"))
            ed = true;
        else if (!strcmp (argv[i], "--print"))
            print = true;
        else if (!strcmp (argv[i], "--rsa") && i + 1 < argc)
            bits = atoi (argv[++i]);
        else if (!strcmp (argv[i], "--keys") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp (argv[i], "--help") || !strcmp (argv[i], "-h")) {
            printf ("%s\n", s_usage);
            return 0;
        }
        else if (argv[i][0] != '-' && !domain)
            domain = argv[i];
        else if (argv[i][0] != '-' && !selector)
            selector = argv[i];
        else {
            fprintf (stderr, "farm-keygen: unexpected '%s'\n%s\n", argv[i], s_usage);
            return 64;
        }
    }
    if (curve && !domain)
        return s_curve (curve, cdir);
    if (!domain || !selector || !s_name_ok (domain, true) || !s_name_ok (selector, false)) {
        fprintf (stderr, "farm-keygen: need a DOMAIN and a SELECTOR (letters, digits, '-', '_')\n%s\n", s_usage);
        return 64;
    }
    if (!ed && (bits < 1024 || bits > 4096)) {
        fprintf (stderr, "farm-keygen: --rsa takes 1024 to 4096 bits\n");
        return 64;
    }
    char lower[256];
    size_t dl = strlen (domain);
    for (size_t i = 0; i <= dl; i++)
        lower[i] = (char) tolower ((unsigned char) domain[i]);
    char path[8192];
    if (print) {
        snprintf (path, sizeof path, "%s/%s/%s.pem", dir, lower, selector);
        return s_print_existing (path, selector, lower);
    }
    snprintf (path, sizeof path, "%s", dir);
    if (mkdir (path, 0700) < 0 && errno != EEXIST) {
        fprintf (stderr, "farm-keygen: %s: %s\n", path, strerror (errno));
        return 73;
    }
    snprintf (path, sizeof path, "%s/%s", dir, lower);
    if (mkdir (path, 0700) < 0 && errno != EEXIST) {
        fprintf (stderr, "farm-keygen: %s: %s\n", path, strerror (errno));
        return 73;
    }
    snprintf (path, sizeof path, "%s/%s/%s.pem", dir, lower, selector);

    EVP_PKEY *pk = NULL;
    int rc = s_write_key (path, ed, bits, &pk);
    if (rc == 0)
        s_print_record (path, selector, lower, ed, pk);
    EVP_PKEY_free (pk);
    return rc;
}
