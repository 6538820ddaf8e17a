/* strmap.h — string -> size_t hash map (open addressing, FNV-1a), used
 * for encoders and distinct-value counts. Keys are copied. */
#ifndef MP_STRMAP_H
#define MP_STRMAP_H

#include <stddef.h>

struct mp_strmap {
	size_t cap, count;
	char **keys;
	size_t *lens;
	size_t *values;
};

void mp_strmap_init(struct mp_strmap *m);
void mp_strmap_free(struct mp_strmap *m);
/* Pointer to the value of key, or NULL. */
size_t *mp_strmap_get(const struct mp_strmap *m, const char *key, size_t n);
/* Inserts key with value if absent; returns the stored value's address
 * and sets *added. */
size_t *mp_strmap_put(struct mp_strmap *m, const char *key, size_t n, size_t value, int *added);

#endif
