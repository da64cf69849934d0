/*  baseline.h: the small statistics behind compromise detection, each in
 *  fixed, caller-owned memory so that a sender's record has a bounded size:
 *
 *  - an exponentially weighted mean and variance (West's incremental form);
 *  - a HyperLogLog sketch of distinct items, with linear counting for small
 *    numbers (recipients and recipient domains in an hour);
 *  - a two-generation Bloom filter: the recipients an account wrote to
 *    recently, forgetting the oldest generation when the newest fills;
 *  - the surprise of a count under a Poisson rate, -log10 P(X >= k). */
#ifndef FARM_BASELINE_H
#define FARM_BASELINE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  Fold x into (mean, var) with weight alpha (0..1] given to x.
void ewma_add (float *mean, float *var, double x, double alpha);

//  HyperLogLog over m one-byte registers (m a power of two, 16 to 4096).
void hll_add (uint8_t *reg, size_t m, uint64_t hash);
double hll_count (const uint8_t *reg, size_t m);

//  Two generations of BLOOM_BITS bits each; a generation takes
//  BLOOM_PER_GEN insertions before the older one is forgotten.
#define BLOOM_BYTES 128
#define BLOOM_BITS (BLOOM_BYTES * 8)
#define BLOOM_PER_GEN 100
typedef struct {
    uint8_t bits[2][BLOOM_BYTES];
    uint16_t count;         //  insertions into the current generation
    uint8_t cur;            //  the current generation, 0 or 1
    uint8_t pad;
} bloom2_t;

bool bloom2_has (const bloom2_t *b, uint64_t hash);
//  Insert; true when hash was not there before (a new item, up to the
//  filter's false-positive rate).
bool bloom2_add (bloom2_t *b, uint64_t hash);

//  -log10 of P(X >= k) for X Poisson with mean lambda > 0: 0 when k is not
//  above what lambda makes likely, growing about linearly in k beyond.
double poisson_surprise (double k, double lambda);

//  64-bit hash of a string, case folded (recipients, domains, accounts).
uint64_t baseline_hash (const char *s, size_t n);
#endif
