/* fetch.c — remote inputs. Placeholder until the HTTP/S3 reader lands:
 * recognises the schemes so the error says what is missing. */
#include "fetch.h"

#include <string.h>

int mp_fetch_is_remote(const char *spec)
{
	return !strncmp(spec, "http://", 7) || !strncmp(spec, "https://", 8) ||
	       !strncmp(spec, "s3://", 5);
}

int mp_fetch_open(struct mp_source *s, const char *url, struct mp_error *err)
{
	(void)s;
	return mp_error_set(err, MP_EX_NOINPUT, "cannot open '%s': remote inputs are not supported yet",
			    url);
}
