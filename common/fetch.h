/* fetch.h — remote inputs (http://, https://, s3://) as byte sources,
 * streamed through libcurl: the reader gets the first bytes while the
 * rest is still on the way, so parsing starts before the download ends.
 *
 * Connection errors and 5xx answers are retried (with a growing pause)
 * before any byte reached the reader; after that, the transfer resumes
 * with a Range request pinned to the object's ETag. A stall (no byte for
 * the stall timeout) gives MP_EX_UNAVAILABLE at once; 404 gives
 * MP_EX_NOINPUT "not found", 401/403 MP_EX_NOINPUT "access denied".
 * Credentials never reach a message: URLs are shown without
 * user:password@ and without signature query parameters.
 *
 * Tuning (environment): MLPIPE_HTTP_TIMEOUT (stall timeout, seconds,
 * default 30; also the connect timeout, at most 10), MLPIPE_HTTP_RETRIES
 * (default 3). HTTP credentials can come from ~/.netrc. */
#ifndef MP_FETCH_H
#define MP_FETCH_H

#include <stddef.h>

#include "fileio.h"

int mp_fetch_is_remote(const char *spec);
/* Opens a streaming source for a URL; name is the redacted URL. */
int mp_fetch_open(struct mp_source *s, const char *url, struct mp_error *err);

/* The URL for messages and records (malloc'd): user:password@ removed,
 * the values of X-Amz-Signature, X-Amz-Credential, X-Amz-Security-Token,
 * Signature, AWSAccessKeyId, token and password query parameters
 * replaced by "REDACTED". Not a URL: returned as it is. */
char *mp_url_redact(const char *url);
/* mlprep records its input's name: for a URL carrying credentials this
 * returns the redacted form and remembers the real URL, so that opening
 * the redacted name (mp_source_open) still reaches the server. The
 * returned string lives until exit. */
const char *mp_fetch_public_name(const char *spec);

/* ---- shared by fetch.c and s3.c ---- */

struct mp_http_opts {
	long connect_timeout;  /* seconds */
	long stall_timeout;    /* seconds without a byte */
	int retries;           /* attempts after the first */
};

/* From MLPIPE_HTTP_TIMEOUT and MLPIPE_HTTP_RETRIES (defaults 30 s, 3);
 * a value that is not a whole number in range is MP_EX_USAGE. */
int mp_http_opts_init(struct mp_http_opts *o, struct mp_error *err);
/* A configured easy handle (timeouts, protocols, no signals, user
 * agent); follow: follow redirects (plain HTTP inputs, not S3). */
void *mp_http_easy(const char *url, const struct mp_http_opts *o, int follow);
/* 1 when a curl result code is worth another attempt. */
int mp_http_retryable(int curl_code);
/* Sleeps before attempt number `attempt` (1, 2, ...). */
void mp_http_backoff(int attempt);
/* The message for a failed HTTP answer (body: the error document, S3's
 * <Code> and <Message> are quoted). Returns -1 with err set. */
int mp_http_status_error(long status, const char *body, size_t n, const char *what,
			 struct mp_error *err);
/* The message for a failed transfer (curl code and error buffer). */
int mp_http_curl_error(int curl_code, const char *errbuf, const char *what, int attempts,
		       const struct mp_http_opts *o, struct mp_error *err);

#endif
