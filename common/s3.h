/* s3.h — S3 and S3-compatible object storage: AWS Signature Version 4
 * and the few object operations mlpipe needs (GET to a file, PUT from a
 * file, LIST a prefix), over libcurl.
 *
 * Configuration comes from the environment: AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (optional), AWS_REGION (or
 * AWS_DEFAULT_REGION, default us-east-1) and MLPIPE_S3_ENDPOINT (an
 * S3-compatible server such as http://127.0.0.1:4568; addressed
 * path-style, /bucket/key; without it, AWS virtual-hosted style,
 * https://bucket.s3.REGION.amazonaws.com/key). Without keys, requests
 * go unsigned (public buckets). No key, secret, token or signature is
 * ever part of a message: errors pass through mp_s3_scrub. */
#ifndef MP_S3_H
#define MP_S3_H

#include <stddef.h>

#include "util.h"

struct curl_slist;

struct mp_s3 {
	char *endpoint;     /* scheme://host[:port], no trailing slash; NULL: AWS */
	char *region;
	char *access_key, *secret_key, *session_token; /* NULL: unsigned requests */
};

int mp_s3_init(struct mp_s3 *s3, struct mp_error *err);
void mp_s3_free(struct mp_s3 *s3);

/* s3://bucket/key -> bucket and key (key may be empty). MP_EX_USAGE when
 * malformed. */
int mp_s3_split(const char *url, char **bucket, char **key, struct mp_error *err);
/* The HTTP URL of an object (key URI-encoded); query, when not NULL, is
 * a canonical query string appended after '?'. Also the Host header
 * value (malloc'd) when host is not NULL. */
char *mp_s3_http_url(const struct mp_s3 *s3, const char *bucket, const char *key,
		     const char *query, char **host);

/* ---- Signature Version 4 (the "AWS4-HMAC-SHA256" header scheme) ---- */

struct mp_sigv4 {
	const char *method;
	const char *host;
	const char *path;          /* URI-encoded absolute path */
	const char *query;         /* canonical query string, "" for none */
	const char *const *names;  /* further signed headers, lower-case */
	const char *const *values;
	size_t n_headers;          /* host is added; x-amz-date and
				      x-amz-content-sha256 must be listed */
	const char *payload_hash;  /* hex SHA-256, or "UNSIGNED-PAYLOAD" */
	const char *amz_date;      /* 20130524T000000Z */
	const char *region;
	const char *service;       /* "s3" */
	const char *access_key, *secret_key;
};

/* Fills signature (64 hex digits) and authorization (the Authorization
 * header's value); canonical and string_to_sign, when not NULL, receive
 * the intermediate texts (for tests). */
void mp_sigv4_sign(const struct mp_sigv4 *r, char signature[65], struct mp_buf *authorization,
		   struct mp_buf *canonical, struct mp_buf *string_to_sign);

/* URI-encodes s the way SigV4 wants (unreserved characters kept; '/'
 * kept when keep_slash). */
void mp_uri_encode(struct mp_buf *out, const char *s, size_t n, int keep_slash);

/* The headers of a request to bucket/key (Host, x-amz-date,
 * x-amz-content-sha256, the token, Authorization), signed together with
 * the extra headers given as "Name: value" strings (NULL-terminated). */
struct curl_slist *mp_s3_headers(const struct mp_s3 *s3, const char *method, const char *bucket,
				 const char *key, const char *query, const char *payload_hash,
				 const char *const *extra);

/* Removes the key, secret and token from a message, in place. */
void mp_s3_scrub(const struct mp_s3 *s3, char *msg);

/* ---- objects ---- */

struct mp_s3_object {
	char *key;
	char *etag;   /* as the server gives it, quotes removed */
	long long size;
};

/* Downloads an object to path (atomically, through a temporary name).
 * 404 gives MP_EX_NOINPUT "not found", 403 "access denied"; network
 * errors and 5xx are retried, then MP_EX_UNAVAILABLE. */
int mp_s3_get_file(const struct mp_s3 *s3, const char *bucket, const char *key, const char *path,
		   char **etag, struct mp_error *err);
/* Uploads a file (signed payload hash); sets *etag when not NULL. */
int mp_s3_put_file(const struct mp_s3 *s3, const char *bucket, const char *key, const char *path,
		   char **etag, struct mp_error *err);
/* Lists the objects under prefix (ListObjectsV2, every page). */
int mp_s3_list(const struct mp_s3 *s3, const char *bucket, const char *prefix,
	       struct mp_s3_object **objs, size_t *n, struct mp_error *err);
void mp_s3_objects_free(struct mp_s3_object *objs, size_t n);

#endif
