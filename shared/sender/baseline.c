/*  baseline.c: EWMA, HyperLogLog, two-generation Bloom filter, Poisson
 *  surprise (see baseline.h). */
#include "baseline.h"
#include <ctype.h>
#include <math.h>

void
ewma_add (float *mean, float *var, double x, double alpha)
{
    double m = *mean, v = *var, d = x - m, inc = alpha * d;
    m += inc;
    v = (1.0 - alpha) * (v + d * inc);
    *mean = (float) m;
    *var = (float) (v < 0 ? 0 : v);
}

static inline uint64_t
s_mix (uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t
baseline_hash (const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char) tolower ((unsigned char) s[i]);
        h *= 0x100000001b3ull;
    }
    return s_mix (h);
}

void
hll_add (uint8_t *reg, size_t m, uint64_t hash)
{
    size_t bits = (size_t) __builtin_ctzll (m);
    size_t i = (size_t) (hash & (m - 1));
    uint64_t rest = hash >> bits;
    //  Rank: position of the first 1 bit in what is left (1-based).
    uint8_t rank = rest ? (uint8_t) (__builtin_ctzll (rest) + 1) : (uint8_t) (64 - bits + 1);
    if (rank > reg[i])
        reg[i] = rank;
}

double
hll_count (const uint8_t *reg, size_t m)
{
    double sum = 0;
    size_t zeros = 0;
    for (size_t i = 0; i < m; i++) {
        sum += ldexp (1.0, -(int) reg[i]);
        zeros += reg[i] == 0;
    }
    double alpha = m == 16 ? 0.673 : m == 32 ? 0.697 : m == 64 ? 0.709 : 0.7213 / (1 + 1.079 / (double) m);
    double e = alpha * (double) m * (double) m / sum;
    //  Small counts: linear counting over the empty registers is exact enough.
    if (e <= 2.5 * (double) m && zeros)
        e = (double) m * log ((double) m / (double) zeros);
    return e;
}

//  Four bit positions from one 64-bit hash (double hashing).
static inline size_t
s_bit (uint64_t hash, unsigned k)
{
    uint32_t a = (uint32_t) hash, b = (uint32_t) (hash >> 32) | 1;
    return (size_t) ((a + k * b) % BLOOM_BITS);
}

static bool
s_gen_has (const uint8_t *bits, uint64_t hash)
{
    for (unsigned k = 0; k < 4; k++) {
        size_t i = s_bit (hash, k);
        if (!(bits[i / 8] & (1u << (i % 8))))
            return false;
    }
    return true;
}

bool
bloom2_has (const bloom2_t *b, uint64_t hash)
{
    return s_gen_has (b->bits[0], hash) || s_gen_has (b->bits[1], hash);
}

bool
bloom2_add (bloom2_t *b, uint64_t hash)
{
    bool known = bloom2_has (b, hash);
    uint8_t *cur = b->bits[b->cur & 1];
    if (s_gen_has (cur, hash))
        return !known;
    if (b->count >= BLOOM_PER_GEN) {
        //  The current generation is full: it becomes the old one, and the
        //  oldest is forgotten to make the new current.
        b->cur ^= 1;
        cur = b->bits[b->cur & 1];
        for (size_t i = 0; i < BLOOM_BYTES; i++)
            cur[i] = 0;
        b->count = 0;
    }
    for (unsigned k = 0; k < 4; k++) {
        size_t i = s_bit (hash, k);
        cur[i / 8] |= (uint8_t) (1u << (i % 8));
    }
    b->count++;
    return !known;
}

double
poisson_surprise (double k, double lambda)
{
    if (lambda <= 0)
        lambda = 1e-9;
    if (k <= lambda)
        return 0;
    //  P(X >= k) = 1 - P(X <= k-1) = sum_{i >= k} e^-l l^i / i!: summed from
    //  the first term on, in log space, until the terms stop counting.
    double lterm = -lambda + k * log (lambda) - lgamma (k + 1), lsum = lterm;
    for (double i = k + 1; i < k + 1000; i++) {
        lterm += log (lambda) - log (i);
        double d = lterm - lsum;
        if (d < -40)
            break;
        lsum += log1p (exp (d));
    }
    double s = -lsum / log (10.0);
    return s < 0 ? 0 : s;
}
