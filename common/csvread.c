/* csvread.c — libcsv driven one physical line at a time, so that every
 * callback knows which line it is on. */
#include "csvread.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

/* libcsv's parser states (csv.h keeps them private to libcsv.c). */
#define CSV_ROW_NOT_BEGUN 0

struct row {
	struct mp_buf text;  /* fields back to back, each NUL-terminated */
	size_t *offsets, *lens;
	size_t n, cap;
	size_t line;
};

struct mp_csv_reader {
	struct mp_source *src;
	struct csv_parser parser;
	char *buf;
	size_t cap, start, end;
	int eof, finished, started;
	size_t line;          /* line number of the segment being fed */
	size_t bytes;
	struct mp_sha256 sha;
	struct row building;  /* record being assembled */
	struct row *ready;    /* completed records not yet handed out */
	size_t n_ready, cap_ready, next_ready;
	char **out_fields;    /* storage behind the last returned record */
	size_t cap_out;
	struct row current;
	/* first error raised inside a callback */
	int cb_error;
	size_t cb_error_line, cb_error_col;
	char cb_error_what[96];
};

size_t mp_utf8_invalid_at(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned char c = p[i];
		size_t need, k;
		unsigned cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07;
		else
			return i + 1;
		for (k = 1; k <= need; k++) {
			if (i + k >= n || (p[i + k] & 0xc0) != 0x80)
				return i + 1;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return i + 1;
		i += need + 1;
	}
	return 0;
}

static void row_reset(struct row *r)
{
	mp_buf_reset(&r->text);
	r->n = 0;
}

static void row_free(struct row *r)
{
	mp_buf_free(&r->text);
	free(r->offsets);
	free(r->lens);
	memset(r, 0, sizeof(*r));
}

static void on_field(void *data, size_t len, void *ctx)
{
	struct mp_csv_reader *r = ctx;
	struct row *row = &r->building;
	size_t bad;

	if (!r->cb_error && (bad = mp_utf8_invalid_at(data, len)) != 0) {
		r->cb_error = 1;
		r->cb_error_line = r->line;
		r->cb_error_col = row->n + 1;
		snprintf(r->cb_error_what, sizeof(r->cb_error_what),
			 "invalid UTF-8 (byte %zu of the field)", bad);
	}
	if (row->n == row->cap) {
		row->cap = row->cap ? row->cap * 2 : 32;
		row->offsets = xrealloc(row->offsets, row->cap * sizeof(size_t));
		row->lens = xrealloc(row->lens, row->cap * sizeof(size_t));
	}
	row->offsets[row->n] = row->text.len;
	row->lens[row->n] = len;
	row->n++;
	mp_buf_add(&row->text, data ? data : "", data ? len : 0);
	mp_buf_addc(&row->text, '\0');
}

static void on_record(int term, void *ctx)
{
	struct mp_csv_reader *r = ctx;
	struct row *dst;

	(void)term;
	if (r->n_ready == r->cap_ready) {
		r->cap_ready = r->cap_ready ? r->cap_ready * 2 : 4;
		r->ready = xrealloc(r->ready, r->cap_ready * sizeof(*r->ready));
		memset(r->ready + r->n_ready, 0, (r->cap_ready - r->n_ready) * sizeof(*r->ready));
	}
	/* swap the building row into the queue, reusing the slot's buffers */
	dst = &r->ready[r->n_ready++];
	{
		struct row tmp = *dst;
		*dst = r->building;
		r->building = tmp;
	}
	row_reset(&r->building);
}

struct mp_csv_reader *mp_csv_open(struct mp_source *src)
{
	struct mp_csv_reader *r = xcalloc(1, sizeof(*r));

	r->src = src;
	csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
	r->cap = 1 << 16;
	r->buf = xmalloc(r->cap);
	r->line = 0;
	mp_sha256_init(&r->sha);
	return r;
}

static int fill(struct mp_csv_reader *r, struct mp_error *err)
{
	ssize_t got;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == r->cap) {
		r->cap *= 2;
		r->buf = xrealloc(r->buf, r->cap);
	}
	got = r->src->read(r->src, r->buf + r->end, r->cap - r->end, err);
	if (got < 0)
		return -1;
	if (got == 0) {
		r->eof = 1;
		return 0;
	}
	mp_sha256_update(&r->sha, r->buf + r->end, (size_t)got);
	r->bytes += (size_t)got;
	r->end += (size_t)got;
	if (!r->started && r->end - r->start >= 3) {
		r->started = 1;
		if (!memcmp(r->buf + r->start, "\xef\xbb\xbf", 3))
			r->start += 3;
	}
	return 1;
}

static int callback_error(struct mp_csv_reader *r, struct mp_error *err)
{
	return mp_error_set(err, MP_EX_DATAERR, "'%s' line %zu, column %zu: %s", r->src->name,
			    r->cb_error_line, r->cb_error_col, r->cb_error_what);
}

/* Feeds one segment ending at (and including) a newline, or the tail. */
static int feed(struct mp_csv_reader *r, const char *p, size_t n, struct mp_error *err)
{
	const char *nul = memchr(p, '\0', n);

	if (r->parser.pstate == CSV_ROW_NOT_BEGUN)
		r->building.line = r->line;
	if (nul) {
		/* parse up to the NUL so the column number is exact */
		csv_parse(&r->parser, p, (size_t)(nul - p), on_field, on_record, r);
		return mp_error_set(err, MP_EX_DATAERR, "'%s' line %zu, column %zu: NUL byte in the data",
				    r->src->name, r->line, r->building.n + 1);
	}
	if (csv_parse(&r->parser, p, n, on_field, on_record, r) != n) {
		if (csv_error(&r->parser) == CSV_EPARSE)
			return mp_error_set(err, MP_EX_DATAERR,
					    "'%s' line %zu, column %zu: malformed quoted field (a quote inside a field must be doubled and the field quoted)",
					    r->src->name, r->line, r->building.n + 1);
		return mp_error_set(err, MP_EX_SOFTWARE, "'%s' line %zu: %s", r->src->name, r->line,
				    csv_strerror(csv_error(&r->parser)));
	}
	if (r->cb_error)
		return callback_error(r, err);
	return 0;
}

int mp_csv_next(struct mp_csv_reader *r, struct mp_csv_record *rec, struct mp_error *err)
{
	size_t i;

	while (r->next_ready >= r->n_ready) {
		char *nl;
		r->next_ready = r->n_ready = 0;
		if (r->finished)
			return 0;
		nl = r->end > r->start ? memchr(r->buf + r->start, '\n', r->end - r->start) : NULL;
		if (nl) {
			size_t n = (size_t)(nl - (r->buf + r->start)) + 1;
			r->line++;
			if (feed(r, r->buf + r->start, n, err))
				return -1;
			r->start += n;
			continue;
		}
		if (!r->eof) {
			if (fill(r, err) < 0)
				return -1;
			continue;
		}
		/* end of input: the last line may lack its newline */
		if (r->end > r->start) {
			r->line++;
			if (feed(r, r->buf + r->start, r->end - r->start, err))
				return -1;
			r->start = r->end;
		}
		if (csv_fini(&r->parser, on_field, on_record, r)) {
			return mp_error_set(err, MP_EX_DATAERR,
					    "'%s' line %zu: unterminated quoted field (the record starts on line %zu)",
					    r->src->name, r->line, r->building.line);
		}
		if (r->cb_error)
			return callback_error(r, err);
		r->finished = 1;
	}
	/* hand out the next completed record */
	{
		struct row tmp = r->current;
		r->current = r->ready[r->next_ready];
		r->ready[r->next_ready] = tmp;
		r->next_ready++;
	}
	if (r->current.n > r->cap_out) {
		r->cap_out = r->current.n;
		r->out_fields = xrealloc(r->out_fields, r->cap_out * sizeof(char *));
	}
	for (i = 0; i < r->current.n; i++)
		r->out_fields[i] = r->current.text.data + r->current.offsets[i];
	rec->n_fields = r->current.n;
	rec->fields = r->out_fields;
	rec->lens = r->current.lens;
	rec->line = r->current.line;
	return 1;
}

size_t mp_csv_bytes(const struct mp_csv_reader *r)
{
	return r->bytes;
}

void mp_csv_sha256(struct mp_csv_reader *r, char hex[65])
{
	struct mp_sha256 copy = r->sha;
	unsigned char dig[32];

	mp_sha256_final(&copy, dig);
	mp_hex(dig, 32, hex);
}

void mp_csv_close(struct mp_csv_reader *r)
{
	size_t i;

	if (!r)
		return;
	csv_free(&r->parser);
	free(r->buf);
	row_free(&r->building);
	row_free(&r->current);
	for (i = 0; i < r->cap_ready; i++)
		row_free(&r->ready[i]);
	free(r->ready);
	free(r->out_fields);
	free(r);
}
