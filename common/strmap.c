/* strmap.c — open-addressing string map. */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

void mp_strmap_init(struct mp_strmap *m)
{
	memset(m, 0, sizeof(*m));
}

void mp_strmap_free(struct mp_strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->lens);
	free(m->values);
	memset(m, 0, sizeof(*m));
}

static size_t slot(const struct mp_strmap *m, const char *key, size_t n)
{
	size_t mask = m->cap - 1, i = (size_t)hash(key, n) & mask;

	while (m->keys[i] && (m->lens[i] != n || memcmp(m->keys[i], key, n)))
		i = (i + 1) & mask;
	return i;
}

size_t *mp_strmap_get(const struct mp_strmap *m, const char *key, size_t n)
{
	size_t i;

	if (!m->cap)
		return NULL;
	i = slot(m, key, n);
	return m->keys[i] ? &m->values[i] : NULL;
}

static void rehash(struct mp_strmap *m, size_t cap)
{
	struct mp_strmap old = *m;
	size_t i;

	m->cap = cap;
	m->keys = xcalloc(cap, sizeof(char *));
	m->lens = xcalloc(cap, sizeof(size_t));
	m->values = xcalloc(cap, sizeof(size_t));
	for (i = 0; i < old.cap; i++)
		if (old.keys[i]) {
			size_t j = slot(m, old.keys[i], old.lens[i]);
			m->keys[j] = old.keys[i];
			m->lens[j] = old.lens[i];
			m->values[j] = old.values[i];
		}
	free(old.keys);
	free(old.lens);
	free(old.values);
}

size_t *mp_strmap_put(struct mp_strmap *m, const char *key, size_t n, size_t value, int *added)
{
	size_t i;

	if ((m->count + 1) * 2 > m->cap)
		rehash(m, m->cap ? m->cap * 2 : 16);
	i = slot(m, key, n);
	if (m->keys[i]) {
		if (added)
			*added = 0;
		return &m->values[i];
	}
	m->keys[i] = xstrndup(key, n);
	m->lens[i] = n;
	m->values[i] = value;
	m->count++;
	if (added)
		*added = 1;
	return &m->values[i];
}
