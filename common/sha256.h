/* sha256.h — SHA-256 and HMAC-SHA-256 (FIPS 180-4, RFC 2104): input
 * fingerprints in model.json and AWS Signature V4. */
#ifndef MP_SHA256_H
#define MP_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct mp_sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char block[64];
	size_t fill;
};

void mp_sha256_init(struct mp_sha256 *s);
void mp_sha256_update(struct mp_sha256 *s, const void *p, size_t n);
void mp_sha256_final(struct mp_sha256 *s, unsigned char out[32]);
void mp_sha256(const void *p, size_t n, unsigned char out[32]);
void mp_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
		    unsigned char out[32]);
/* Lower-case hex of n bytes into hex (2n+1 bytes). */
void mp_hex(const unsigned char *p, size_t n, char *hex);

#endif
