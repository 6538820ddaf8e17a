/* util.h — allocation, errors, growable buffers, number formatting.
 *
 * The library never prints and never exits on a data problem: functions
 * that can fail take a struct mp_error and return non-zero; the stage's
 * main() prints "<stage>: <msg>" and picks the exit status from err.code.
 * Allocation failure is the one exception (xmalloc aborts with status 70). */
#ifndef MP_UTIL_H
#define MP_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses: a contract, listed in mlpipe(7); never reuse one. */
enum {
	MP_EX_OK = 0,
	MP_EX_MODEL_FAILED = 1, /* ran, but at least one model failed */
	MP_EX_USAGE = 2,
	MP_EX_DATAERR = 65,     /* input data malformed */
	MP_EX_NOINPUT = 66,     /* input missing or unreadable */
	MP_EX_UNAVAILABLE = 69, /* a service (Redis, HTTP, S3) unreachable */
	MP_EX_SOFTWARE = 70,    /* internal error */
	MP_EX_CANTCREAT = 73,   /* cannot create output */
	MP_EX_IOERR = 74,       /* read/write failed */
	MP_EX_TEMPFAIL = 75,    /* busy: lock held, lease taken */
};

struct mp_error {
	int code;        /* one of MP_EX_*; 0 = no error */
	char msg[1024];  /* one line, no trailing newline, no program prefix */
};

#if defined(__GNUC__)
#define MP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MP_PRINTF(a, b)
#endif

/* Sets err (if not NULL) and returns -1, so callers can write
 * `return mp_error_set(err, MP_EX_DATAERR, "...")`. */
int mp_error_set(struct mp_error *err, int code, const char *fmt, ...) MP_PRINTF(3, 4);
/* Prefixes an existing message: "<prefix>: <old message>". */
int mp_error_prefix(struct mp_error *err, const char *fmt, ...) MP_PRINTF(2, 3);
void mp_error_clear(struct mp_error *err);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) MP_PRINTF(1, 2);
/* n * size with overflow check (aborts on overflow). */
size_t mp_mul_size(size_t n, size_t size);

/* Growable byte buffer, always NUL-terminated. */
struct mp_buf {
	char *data;
	size_t len, cap;
};
#define MP_BUF_INIT { NULL, 0, 0 }
void mp_buf_grow(struct mp_buf *b, size_t extra);
void mp_buf_add(struct mp_buf *b, const void *p, size_t n);
void mp_buf_adds(struct mp_buf *b, const char *s);
void mp_buf_addc(struct mp_buf *b, char c);
void mp_buf_addf(struct mp_buf *b, const char *fmt, ...) MP_PRINTF(2, 3);
void mp_buf_reset(struct mp_buf *b);
void mp_buf_free(struct mp_buf *b);
/* Appends s quoted as a CSV field (RFC 4180) when it needs quoting. */
void mp_buf_add_csv_field(struct mp_buf *b, const char *s, size_t n);

/* Shortest "%.Ng" text (N = 15..17) that reads back as exactly v.
 * NaN is written "nan", infinities "inf"/"-inf". buf must hold 32 bytes. */
char *mp_fmt_double(char buf[32], double v);

/* Quotes s for a message: 'text', with control bytes escaped and long
 * values cut at 60 characters. Returns buf. */
char *mp_quote_for_msg(char *buf, size_t size, const char *s, size_t n);

/* Monotonic seconds. */
double mp_now(void);

/* Largest seed: every seed is recorded exactly as a JSON number. */
#define MP_SEED_MAX 9007199254740991ULL /* 2^53 - 1 */
/* Parses a seed: decimal digits, 0 ... MP_SEED_MAX. Returns 0 or -1. */
int mp_parse_seed(const char *s, uint64_t *seed);

/* Registers an exit handler that flushes and closes standard output and,
 * when that fails (a full disk, a closed pipe reader), says so on stderr
 * and ends the process with MP_EX_IOERR: the next stage of a chain must
 * never be handed a silently truncated stream. Ignores SIGPIPE, so a
 * closed reader is such a failure too. Call first thing in main. */
void mp_check_stdout_at_exit(void);
/* Number of online CPUs, at least 1. */
int mp_cpu_count(void);
/* Threads to use: opt if > 0, else $MLPIPE_THREADS, else all cores.
 * -1 with MP_EX_USAGE when MLPIPE_THREADS is not a number from 1 to 1024. */
int mp_threads_from(int opt, struct mp_error *err);

/* "1,2,3" style list splitting: returns count, fills items (malloc'd). */
size_t mp_split_list(const char *s, char sep, char ***items);
void mp_free_list(char **items, size_t n);

#endif
