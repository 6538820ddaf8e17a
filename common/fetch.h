/* fetch.h — remote inputs (http://, https://, s3://) as byte sources,
 * streamed through libcurl. */
#ifndef MP_FETCH_H
#define MP_FETCH_H

#include "fileio.h"

int mp_fetch_is_remote(const char *spec);
/* Opens a streaming source for a URL; errors: MP_EX_NOINPUT (404/403),
 * MP_EX_UNAVAILABLE (connection, timeout, 5xx after retries). */
int mp_fetch_open(struct mp_source *s, const char *url, struct mp_error *err);

#endif
