/*  keygen.c: farm-keygen, DKIM keys and the DNS record to publish.
 *
 *  farm-keygen DOMAIN SELECTOR [--ed25519 | --rsa BITS] [--keys DIR]
 *
 *  Writes DIR/DOMAIN/SELECTOR.pem (default DIR: keys), mode 0600, created
 *  exclusively (an existing key is never overwritten), and prints the TXT
 *  record: SELECTOR._domainkey.DOMAIN, "v=DKIM1; k=rsa; p=..." with the DER
 *  SubjectPublicKeyInfo in base64, or "k=ed25519; p=..." with the raw 32-byte
 *  public key (RFC 8463). Keys come from OpenSSL's EVP_PKEY_keygen. */
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
    "usage: farm-keygen DOMAIN SELECTOR [--ed25519 | --rsa BITS] [--keys DIR]\n\n"
    "Writes DIR/DOMAIN/SELECTOR.pem (mode 0600; default DIR keys, RSA 2048) and prints\n"
    "the DNS TXT record to publish.";

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

int
main (int argc, char **argv)
{
    const char *domain = NULL, *selector = NULL, *dir = "keys";
    int bits = 2048;
    bool ed = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp (argv[i], "--ed25519"))
            ed = true;
        else if (!strcmp (argv[i], "--rsa") && i + 1 < argc)
            bits = atoi (argv[++i]);
        else if (!strcmp (argv[i], "--keys") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp (argv[i], "--help")) {
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

    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id (ed ? EVP_PKEY_ED25519 : EVP_PKEY_RSA, NULL);
    EVP_PKEY *pk = NULL;
    if (!kctx || EVP_PKEY_keygen_init (kctx) <= 0
        || (!ed && EVP_PKEY_CTX_set_rsa_keygen_bits (kctx, bits) <= 0)
        || EVP_PKEY_keygen (kctx, &pk) <= 0) {
        fprintf (stderr, "farm-keygen: key generation failed\n");
        return 70;
    }
    EVP_PKEY_CTX_free (kctx);
    //  Created exclusively with mode 0600 before a byte of key is written.
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf (stderr, "farm-keygen: %s: %s%s\n", path, strerror (errno),
                 errno == EEXIST ? " (remove the old key first; keys are never overwritten)" : "");
        EVP_PKEY_free (pk);
        return 73;
    }
    FILE *f = fdopen (fd, "w");
    int ok = f && PEM_write_PrivateKey (f, pk, NULL, NULL, 0, NULL, NULL) == 1;
    if (f && (fflush (f) != 0 || fsync (fd) != 0))
        ok = 0;
    if (f)
        fclose (f);
    if (!ok) {
        fprintf (stderr, "farm-keygen: writing %s failed\n", path);
        unlink (path);
        EVP_PKEY_free (pk);
        return 74;
    }
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
    printf ("%s._domainkey.%s. IN TXT \"v=DKIM1; k=%s; p=%s\"\n", selector, lower,
            ed ? "ed25519" : "rsa", b64);
    free (b64);
    OPENSSL_free (der);
    EVP_PKEY_free (pk);
    return 0;
}
