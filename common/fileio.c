/* fileio.c — sources (plain, stdin, zstd) and atomic output files. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "fetch.h"

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* ---- plain file / stdin source ---- */

struct plain_source {
	int fd;
	int own; /* close fd on close */
};

static ssize_t plain_read(struct mp_source *s, void *buf, size_t n, struct mp_error *err)
{
	struct plain_source *p = s->impl;
	ssize_t r;

	do
		r = read(p->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return mp_error_set(err, MP_EX_IOERR, "cannot read '%s': %s", s->name,
				    strerror(errno));
	return r;
}

static void plain_close(struct mp_source *s)
{
	struct plain_source *p = s->impl;

	if (p->own)
		close(p->fd);
	free(p);
}

/* ---- zstd source, stacked on a plain one ---- */

struct zstd_source {
	struct mp_source inner;
	ZSTD_DStream *ds;
	unsigned char *in;
	size_t in_size;
	ZSTD_inBuffer ib;
	int eof;
	size_t last_ret; /* 0 when the last frame was complete */
};

static ssize_t zstd_read(struct mp_source *s, void *buf, size_t n, struct mp_error *err)
{
	struct zstd_source *z = s->impl;
	ZSTD_outBuffer ob = { buf, n, 0 };

	while (ob.pos == 0) {
		size_t ret;
		if (z->ib.pos == z->ib.size) {
			ssize_t got;
			if (z->eof) {
				if (z->last_ret != 0)
					return mp_error_set(err, MP_EX_DATAERR,
							    "'%s': truncated zstd data", s->name);
				return 0;
			}
			got = z->inner.read(&z->inner, z->in, z->in_size, err);
			if (got < 0)
				return -1;
			if (got == 0) {
				z->eof = 1;
				continue;
			}
			z->ib.src = z->in;
			z->ib.size = (size_t)got;
			z->ib.pos = 0;
		}
		ret = ZSTD_decompressStream(z->ds, &ob, &z->ib);
		if (ZSTD_isError(ret))
			return mp_error_set(err, MP_EX_DATAERR, "'%s': corrupt zstd data: %s", s->name,
					    ZSTD_getErrorName(ret));
		z->last_ret = ret;
	}
	return (ssize_t)ob.pos;
}

static void zstd_close(struct mp_source *s)
{
	struct zstd_source *z = s->impl;

	z->inner.close(&z->inner);
	free(z->inner.name);
	ZSTD_freeDStream(z->ds);
	free(z->in);
	free(z);
}

static int open_fd_source(struct mp_source *s, const char *path, struct mp_error *err)
{
	struct plain_source *p = xcalloc(1, sizeof(*p));
	struct stat st;

	if (!strcmp(path, "-")) {
		p->fd = 0;
		p->own = 0;
	} else {
		p->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (p->fd < 0) {
			int e = errno;
			free(p);
			return mp_error_set(err, MP_EX_NOINPUT, "cannot open '%s': %s", path,
					    strerror(e));
		}
		if (fstat(p->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			close(p->fd);
			free(p);
			return mp_error_set(err, MP_EX_NOINPUT, "cannot read '%s': is a directory",
					    path);
		}
		p->own = 1;
	}
	s->name = xstrdup(!strcmp(path, "-") ? "<stdin>" : path);
	s->read = plain_read;
	s->close = plain_close;
	s->impl = p;
	return 0;
}

int mp_source_open_path(struct mp_source *s, const char *path, struct mp_error *err)
{
	struct zstd_source *z;

	memset(s, 0, sizeof(*s));
	if (!has_suffix(path, ".zst"))
		return open_fd_source(s, path, err);
	z = xcalloc(1, sizeof(*z));
	if (open_fd_source(&z->inner, path, err)) {
		free(z);
		return -1;
	}
	z->ds = ZSTD_createDStream();
	z->in_size = ZSTD_DStreamInSize();
	z->in = xmalloc(z->in_size);
	ZSTD_initDStream(z->ds);
	s->name = xstrdup(z->inner.name);
	s->read = zstd_read;
	s->close = zstd_close;
	s->impl = z;
	return 0;
}

int mp_source_open(struct mp_source *s, const char *spec, struct mp_error *err)
{
	if (mp_fetch_is_remote(spec))
		return mp_fetch_open(s, spec, err);
	return mp_source_open_path(s, spec, err);
}

struct buffer_source {
	const char *data;
	size_t n, pos, chunk;
};

static ssize_t buffer_read(struct mp_source *s, void *buf, size_t n, struct mp_error *err)
{
	struct buffer_source *b = s->impl;
	size_t take = b->n - b->pos;

	(void)err;
	if (take > n)
		take = n;
	if (b->chunk && take > b->chunk)
		take = b->chunk;
	memcpy(buf, b->data + b->pos, take);
	b->pos += take;
	return (ssize_t)take;
}

static void buffer_close(struct mp_source *s)
{
	free(s->impl);
}

void mp_source_open_buffer(struct mp_source *s, const char *name, const void *data, size_t n,
			   size_t chunk)
{
	struct buffer_source *b = xcalloc(1, sizeof(*b));

	b->data = data;
	b->n = n;
	b->chunk = chunk;
	s->name = xstrdup(name);
	s->read = buffer_read;
	s->close = buffer_close;
	s->impl = b;
}

void mp_source_close(struct mp_source *s)
{
	if (s->close)
		s->close(s);
	free(s->name);
	memset(s, 0, sizeof(*s));
}

int mp_source_slurp(struct mp_source *s, struct mp_buf *out, struct mp_error *err)
{
	for (;;) {
		ssize_t n;
		mp_buf_grow(out, 65536);
		n = s->read(s, out->data + out->len, out->cap - out->len - 1, err);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
	}
	if (!out->data)
		mp_buf_grow(out, 0), out->data[0] = '\0';
	return 0;
}

int mp_read_file(const char *path, struct mp_buf *out, struct mp_error *err)
{
	struct mp_source s;
	int rc;

	if (mp_source_open_path(&s, path, err))
		return -1;
	rc = mp_source_slurp(&s, out, err);
	mp_source_close(&s);
	return rc;
}

/* ---- atomic output ---- */

int mp_out_open(struct mp_outfile *f, const char *path, struct mp_error *err)
{
	char *copy = xstrdup(path), *dir, *base;
	int fd;

	memset(f, 0, sizeof(*f));
	dir = dirname(copy);
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : (char *)path;
	f->tmp = xasprintf("%s/.%s.tmp.XXXXXX", dir, base);
	free(copy);
	fd = mkostemp(f->tmp, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		mp_error_set(err, MP_EX_CANTCREAT, "cannot create '%s': %s", path, strerror(e));
		free(f->tmp);
		f->tmp = NULL;
		return -1;
	}
	fchmod(fd, 0644); /* mkstemp makes 0600; model files are meant to be read by others */
	f->fp = fdopen(fd, "wb");
	f->path = xstrdup(path);
	if (has_suffix(path, ".zst")) {
		ZSTD_CCtx *c = ZSTD_createCCtx();
		ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3);
		ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
		f->zstd = c;
		f->zbuf_size = ZSTD_CStreamOutSize();
		f->zbuf = xmalloc(f->zbuf_size);
	}
	return 0;
}

static int zstd_push(struct mp_outfile *f, const void *p, size_t n, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = { p, n, 0 };
	size_t remaining;

	do {
		ZSTD_outBuffer out = { f->zbuf, f->zbuf_size, 0 };
		remaining = ZSTD_compressStream2(f->zstd, &out, &in, mode);
		if (ZSTD_isError(remaining)) {
			f->failed = 1;
			f->saved_errno = EIO;
			return -1;
		}
		if (out.pos && fwrite(f->zbuf, 1, out.pos, f->fp) != out.pos) {
			f->failed = 1;
			f->saved_errno = errno;
			return -1;
		}
	} while (mode == ZSTD_e_end ? remaining != 0 : in.pos < in.size);
	return 0;
}

int mp_out_write(struct mp_outfile *f, const void *p, size_t n)
{
	if (f->failed)
		return -1;
	if (f->zstd)
		return zstd_push(f, p, n, ZSTD_e_continue);
	if (n && fwrite(p, 1, n, f->fp) != n) {
		f->failed = 1;
		f->saved_errno = errno;
		return -1;
	}
	return 0;
}

int mp_out_puts(struct mp_outfile *f, const char *s)
{
	return mp_out_write(f, s, strlen(s));
}

static void release(struct mp_outfile *f)
{
	if (f->zstd)
		ZSTD_freeCCtx(f->zstd);
	free(f->zbuf);
	free(f->path);
	free(f->tmp);
	memset(f, 0, sizeof(*f));
}

static void fsync_dir_of(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int mp_out_commit(struct mp_outfile *f, struct mp_error *err)
{
	int e = 0;

	if (!f->fp)
		return mp_error_set(err, MP_EX_SOFTWARE, "internal: commit of a closed file");
	if (f->zstd && !f->failed)
		zstd_push(f, NULL, 0, ZSTD_e_end);
	if (f->failed)
		e = f->saved_errno ? f->saved_errno : EIO;
	else if (fflush(f->fp) || fsync(fileno(f->fp)))
		e = errno;
	if (fclose(f->fp) && !e)
		e = errno;
	f->fp = NULL;
	if (!e && rename(f->tmp, f->path))
		e = errno;
	if (e) {
		unlink(f->tmp);
		mp_error_set(err, e == ENOSPC ? MP_EX_IOERR : MP_EX_CANTCREAT,
			     "cannot write '%s': %s", f->path, strerror(e));
		release(f);
		return -1;
	}
	fsync_dir_of(f->path);
	release(f);
	return 0;
}

void mp_out_abort(struct mp_outfile *f)
{
	if (f->fp) {
		fclose(f->fp);
		unlink(f->tmp);
	}
	release(f);
}

int mp_write_file(const char *path, const void *p, size_t n, struct mp_error *err)
{
	struct mp_outfile f;

	if (mp_out_open(&f, path, err))
		return -1;
	mp_out_write(&f, p, n);
	return mp_out_commit(&f, err);
}

int mp_mkdirs(const char *path, struct mp_error *err)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0755) && errno != EEXIST) {
				rc = mp_error_set(err, MP_EX_CANTCREAT, "cannot create directory '%s': %s",
						  p, strerror(errno));
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	if (!rc) {
		struct stat st;
		if (stat(path, &st) || !S_ISDIR(st.st_mode))
			rc = mp_error_set(err, MP_EX_CANTCREAT, "cannot create directory '%s': %s",
					  path, "not a directory");
	}
	free(p);
	return rc;
}

char *mp_path_join(const char *dir, const char *rest)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return xasprintf("%.*s/%s", (int)n, dir, rest);
}

int mp_file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}
