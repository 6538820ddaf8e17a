/* csvline.h — line-at-a-time reading of mlpipe's own CSV files (encoded
 * data, predictions), which never hold newlines inside fields. User input
 * goes through csvread.h instead. */
#ifndef MP_CSVLINE_H
#define MP_CSVLINE_H

#include <stddef.h>

#include "fileio.h"
#include "util.h"

struct mp_linereader;

struct mp_linereader *mp_linereader_open(const char *path, struct mp_error *err);
/* Returns 1 and a line without its "\n" (or "\r\n"), 0 at the end, -1 on
 * error. The line stays valid (and writable) until the next call. */
int mp_linereader_next(struct mp_linereader *r, char **line, size_t *len, struct mp_error *err);
void mp_linereader_close(struct mp_linereader *r);

/* Splits line in place at commas, undoing RFC 4180 quotes; fields point
 * into line. fields and cap form a reusable array. Returns the field count. */
size_t mp_csvline_split(char *line, size_t len, char ***fields, size_t *cap);

#endif
