/* csvread.h — RFC 4180 records from a user's CSV, through libcsv.
 *
 * Quoted fields may hold commas, doubled quotes and newlines; records end
 * with LF or CRLF; a UTF-8 byte-order mark is skipped. Each record knows
 * the line it starts on, so every later error can name file and line.
 * Rejected outright, with file, line and column: an unterminated quoted
 * field, a quote inside an unquoted field, a NUL byte, invalid UTF-8.
 * Blank lines produce no record. */
#ifndef MP_CSVREAD_H
#define MP_CSVREAD_H

#include <stddef.h>

#include "fileio.h"
#include "util.h"

struct mp_csv_record {
	size_t n_fields;
	char **fields;  /* NUL-terminated; valid until the next call */
	size_t *lens;
	size_t line;    /* 1-based line on which the record starts */
};

struct mp_csv_reader;

/* Reads from src (not owned: close it after mp_csv_close). */
struct mp_csv_reader *mp_csv_open(struct mp_source *src);
/* Returns 1 with a record, 0 at the end, -1 on error (err names the
 * source, the line and, where there is one, the column). */
int mp_csv_next(struct mp_csv_reader *r, struct mp_csv_record *rec, struct mp_error *err);
/* Bytes consumed so far (for progress and fingerprints). */
size_t mp_csv_bytes(const struct mp_csv_reader *r);
/* SHA-256 (hex) of every byte read so far; after the end, of the input. */
void mp_csv_sha256(struct mp_csv_reader *r, char hex[65]);
void mp_csv_close(struct mp_csv_reader *r);

/* 0 when p[0..n) is valid UTF-8, else the 0-based offset of the first bad byte + 1. */
size_t mp_utf8_invalid_at(const char *p, size_t n);

#endif
