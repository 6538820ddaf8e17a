/* rng.c — xoshiro256** (Blackman & Vigna), seeded through splitmix64. */
#include "rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void mp_rng_seed(struct mp_rng *r, uint64_t seed)
{
	uint64_t x = seed;
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

uint64_t mp_rng_derive(uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL);
	splitmix64(&x);
	return splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t mp_rng_next(struct mp_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double mp_rng_uniform(struct mp_rng *r)
{
	return (double)(mp_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t mp_rng_below(struct mp_rng *r, uint64_t n)
{
	unsigned __int128 m = (unsigned __int128)mp_rng_next(r) * n;
	uint64_t low = (uint64_t)m;

	if (low < n) {
		uint64_t threshold = -n % n;
		while (low < threshold) {
			m = (unsigned __int128)mp_rng_next(r) * n;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double mp_rng_normal(struct mp_rng *r)
{
	double u1, u2;

	do
		u1 = mp_rng_uniform(r);
	while (u1 <= 0);
	u2 = mp_rng_uniform(r);
	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

void mp_rng_shuffle(struct mp_rng *r, size_t *v, size_t n)
{
	size_t i;

	for (i = n; i > 1; i--) {
		size_t j = (size_t)mp_rng_below(r, i);
		size_t t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}
