/* csvline.c — buffered line reader over a source. */
#include "csvline.h"

#include <stdlib.h>
#include <string.h>

struct mp_linereader {
	struct mp_source src;
	char *buf;
	size_t cap, start, end; /* unread bytes are buf[start..end) */
	int eof;
};

struct mp_linereader *mp_linereader_open(const char *path, struct mp_error *err)
{
	struct mp_linereader *r = xcalloc(1, sizeof(*r));

	if (mp_source_open_path(&r->src, path, err)) {
		free(r);
		return NULL;
	}
	r->cap = 1 << 20;
	r->buf = xmalloc(r->cap + 1);
	return r;
}

int mp_linereader_next(struct mp_linereader *r, char **line, size_t *len, struct mp_error *err)
{
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl || (r->eof && r->end > r->start)) {
			char *s = r->buf + r->start;
			size_t n = nl ? (size_t)(nl - s) : r->end - r->start;
			r->start += n + (nl ? 1 : 0);
			if (n && s[n - 1] == '\r')
				n--;
			s[n] = '\0';
			*line = s;
			*len = n;
			return 1;
		}
		if (r->eof)
			return 0;
		if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		}
		if (r->end == r->cap) {
			r->cap *= 2;
			r->buf = xrealloc(r->buf, r->cap + 1);
		}
		{
			ssize_t got = r->src.read(&r->src, r->buf + r->end, r->cap - r->end, err);
			if (got < 0)
				return -1;
			if (got == 0)
				r->eof = 1;
			r->end += (size_t)got;
		}
	}
}

void mp_linereader_close(struct mp_linereader *r)
{
	if (!r)
		return;
	mp_source_close(&r->src);
	free(r->buf);
	free(r);
}

size_t mp_csvline_split(char *line, size_t len, char ***fields, size_t *cap)
{
	size_t n = 0;
	char *p = line, *end = line + len;

	for (;;) {
		char *out = p, *start = p;
		if (n == *cap) {
			*cap = *cap ? *cap * 2 : 32;
			*fields = xrealloc(*fields, *cap * sizeof(**fields));
		}
		if (p < end && *p == '"') {
			p++;
			while (p < end) {
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						*out++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				*out++ = *p++;
			}
			while (p < end && *p != ',')
				*out++ = *p++;
		} else {
			while (p < end && *p != ',')
				p++;
			out = p;
		}
		(*fields)[n++] = start;
		if (p >= end) {
			*out = '\0';
			break;
		}
		*out = '\0';
		p++;
	}
	return n;
}
