/* rng.h — seeded pseudo-random numbers (xoshiro256**, seeded by splitmix64).
 * Every random choice in mlpipe goes through one of these so that the same
 * --seed gives the same files. Derive independent streams with
 * mp_rng_derive(seed, stream) rather than sharing one generator across
 * threads. */
#ifndef MP_RNG_H
#define MP_RNG_H

#include <stddef.h>
#include <stdint.h>

struct mp_rng {
	uint64_t s[4];
};

void mp_rng_seed(struct mp_rng *r, uint64_t seed);
/* Seed for stream `stream` of base seed `seed` (e.g. tree t of a forest). */
uint64_t mp_rng_derive(uint64_t seed, uint64_t stream);
uint64_t mp_rng_next(struct mp_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double mp_rng_uniform(struct mp_rng *r);
/* Uniform integer in [0, n), unbiased (Lemire's method); n > 0. */
uint64_t mp_rng_below(struct mp_rng *r, uint64_t n);
/* Standard normal (Box-Muller; deterministic sequence). */
double mp_rng_normal(struct mp_rng *r);
/* Fisher-Yates shuffle of n size_t values. */
void mp_rng_shuffle(struct mp_rng *r, size_t *v, size_t n);

#endif
