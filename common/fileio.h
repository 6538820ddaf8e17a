/* fileio.h — byte sources and atomically written files.
 *
 * Every output file is written to a hidden temporary name in its final
 * directory, flushed, fsynced and renamed over the final name only on
 * commit, so a crash or an error never leaves a half file under a real
 * name. Files whose name ends in ".zst" are zstd-compressed on the way out
 * and decompressed on the way in. */
#ifndef MP_FILEIO_H
#define MP_FILEIO_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "util.h"

/* A readable stream of bytes: a file, standard input, a zstd file, or (with
 * fetch.h) an HTTP/S3 object. name is what messages call it. */
struct mp_source {
	char *name;
	/* Returns bytes read, 0 at end, -1 on error (err set). */
	ssize_t (*read)(struct mp_source *s, void *buf, size_t n, struct mp_error *err);
	void (*close)(struct mp_source *s);
	void *impl;
};

/* Opens a path ("-" = standard input); ".zst" files are decompressed. A
 * missing or unreadable file gives MP_EX_NOINPUT. */
int mp_source_open_path(struct mp_source *s, const char *path, struct mp_error *err);
/* Like mp_source_open_path, but also accepts http://, https:// and s3://
 * when remote input support is compiled in (fetch.c). */
int mp_source_open(struct mp_source *s, const char *spec, struct mp_error *err);
void mp_source_close(struct mp_source *s);
/* A source over memory (not copied), handing out at most chunk bytes per
 * read (0 = all at once): lets tests cross every buffer boundary. */
void mp_source_open_buffer(struct mp_source *s, const char *name, const void *data, size_t n,
			   size_t chunk);
/* Reads the whole source into memory (NUL-terminated). */
int mp_source_slurp(struct mp_source *s, struct mp_buf *out, struct mp_error *err);
/* Reads a whole file (".zst" decompressed) into out. */
int mp_read_file(const char *path, struct mp_buf *out, struct mp_error *err);

/* An output file under construction. */
struct mp_outfile {
	char *path;   /* final name */
	char *tmp;    /* temporary name in the same directory */
	FILE *fp;
	void *zstd;   /* compression context when path ends in ".zst" */
	void *zbuf;
	size_t zbuf_size;
	int failed;   /* a write failed; commit will refuse */
	int saved_errno;
};

int mp_out_open(struct mp_outfile *f, const char *path, struct mp_error *err);
int mp_out_write(struct mp_outfile *f, const void *p, size_t n);
int mp_out_puts(struct mp_outfile *f, const char *s);
/* Flushes, fsyncs and renames into place. On failure the temporary file is
 * removed and the final name is left as it was. Always releases f. */
int mp_out_commit(struct mp_outfile *f, struct mp_error *err);
/* Discards the temporary file; the final name is left as it was. */
void mp_out_abort(struct mp_outfile *f);
/* Writes a whole buffer atomically. */
int mp_write_file(const char *path, const void *p, size_t n, struct mp_error *err);

/* mkdir -p; error names the directory. */
int mp_mkdirs(const char *path, struct mp_error *err);
/* path joined with the rest ("a", "b/c" -> "a/b/c"), malloc'd. */
char *mp_path_join(const char *dir, const char *rest);
int mp_file_exists(const char *path);

#endif
