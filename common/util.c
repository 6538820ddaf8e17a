/* util.c — allocation, errors, buffers, number formatting. */
#include "util.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int mp_error_set(struct mp_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int mp_error_prefix(struct mp_error *err, const char *fmt, ...)
{
	char prefix[512], old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	{
		/* build in a larger buffer, then cut to the message size */
		char joined[sizeof(prefix) + sizeof(old) + 2];
		snprintf(joined, sizeof(joined), "%s: %s", prefix, old);
		memcpy(err->msg, joined, sizeof(err->msg) - 1);
		err->msg[sizeof(err->msg) - 1] = '\0';
	}
	return -1;
}

void mp_error_clear(struct mp_error *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}

static void out_of_memory(size_t n)
{
	fprintf(stderr, "mlpipe: out of memory (%zu bytes)\n", n);
	exit(MP_EX_SOFTWARE);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		out_of_memory(n);
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

size_t mp_mul_size(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		out_of_memory(SIZE_MAX);
	return n * size;
}

void mp_buf_grow(struct mp_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	if (need < b->cap * 2)
		need = b->cap * 2;
	if (need < 64)
		need = 64;
	b->data = xrealloc(b->data, need);
	b->cap = need;
}

void mp_buf_add(struct mp_buf *b, const void *p, size_t n)
{
	mp_buf_grow(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void mp_buf_adds(struct mp_buf *b, const char *s)
{
	mp_buf_add(b, s, strlen(s));
}

void mp_buf_addc(struct mp_buf *b, char c)
{
	mp_buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void mp_buf_addf(struct mp_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	mp_buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void mp_buf_reset(struct mp_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void mp_buf_free(struct mp_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void mp_buf_add_csv_field(struct mp_buf *b, const char *s, size_t n)
{
	size_t i;
	int quote = n > 0 && (s[0] == ' ' || s[n - 1] == ' ');

	for (i = 0; i < n && !quote; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			quote = 1;
	if (!quote) {
		mp_buf_add(b, s, n);
		return;
	}
	mp_buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			mp_buf_addc(b, '"');
		mp_buf_addc(b, s[i]);
	}
	mp_buf_addc(b, '"');
}

char *mp_fmt_double(char buf[32], double v)
{
	int prec;

	if (isnan(v))
		return strcpy(buf, "nan");
	if (isinf(v))
		return strcpy(buf, v > 0 ? "inf" : "-inf");
	if (v == 0)
		return strcpy(buf, "0"); /* also folds -0 so files never differ by sign of zero */
	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, 32, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return buf;
}

char *mp_quote_for_msg(char *buf, size_t size, const char *s, size_t n)
{
	size_t o = 0, i, limit = 60;

	if (size < 8)
		return buf;
	buf[o++] = '\'';
	for (i = 0; i < n && o + 6 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i == limit) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			if (o + 5 >= size)
				break;
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

double mp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int mp_cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

int mp_threads_from(int opt, struct mp_error *err)
{
	const char *env;

	if (opt > 0)
		return opt;
	env = getenv("MLPIPE_THREADS");
	if (env && *env) {
		char *end;
		long n = strtol(env, &end, 10);
		if (*end || end == env || n < 1 || n > 1024)
			return mp_error_set(err, MP_EX_USAGE,
					    "MLPIPE_THREADS: expected a number from 1 to 1024, got '%s'", env);
		return (int)n;
	}
	return mp_cpu_count();
}

size_t mp_split_list(const char *s, char sep, char ***items)
{
	size_t n = 0, cap = 0;
	char **out = NULL;
	const char *p = s;

	while (*p) {
		const char *e = strchr(p, sep);
		size_t len = e ? (size_t)(e - p) : strlen(p);
		const char *a = p, *z = p + len;
		while (a < z && (*a == ' ' || *a == '\t'))
			a++;
		while (z > a && (z[-1] == ' ' || z[-1] == '\t'))
			z--;
		if (z > a) {
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				out = xrealloc(out, cap * sizeof(*out));
			}
			out[n++] = xstrndup(a, (size_t)(z - a));
		}
		if (!e)
			break;
		p = e + 1;
	}
	*items = out;
	return n;
}

void mp_free_list(char **items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

static void close_stdout(void)
{
	int failed = ferror(stdout), e = 0;

	if (fflush(stdout) != 0) {
		failed = 1;
		e = errno;
	}
	if (fclose(stdout) != 0 && !failed) {
		failed = 1;
		e = errno;
	}
	if (!failed)
		return;
	if (e)
		fprintf(stderr, "%s: write error on standard output: %s\n", program_invocation_short_name, strerror(e));
	else
		fprintf(stderr, "%s: write error on standard output\n", program_invocation_short_name);
	_exit(MP_EX_IOERR);
}

void mp_check_stdout_at_exit(void)
{
	/* a reader that went away is a write error (EPIPE), reported and
	 * exited with 74 like any other, not a silent death by SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	atexit(close_stdout);
}

int mp_parse_seed(const char *s, uint64_t *seed)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > MP_SEED_MAX)
			return -1;
	}
	*seed = v;
	return 0;
}
