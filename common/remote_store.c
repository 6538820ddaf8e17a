/* remote_store.c — syncing model directories with an S3 prefix. */
#include "remote_store.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "fileio.h"
#include "jsonio.h"
#include "s3.h"

#define STATE_FILE ".mlpipe-remote.json"
#define STATE_FORMAT "mlpipe/remote-state/1"

struct mp_remote {
	char *url;     /* s3://bucket/prefix, no trailing slash */
	char *bucket;
	char *prefix;  /* "" or "prefix/" */
	struct mp_s3 s3;
};

struct mp_remote *mp_remote_open(const char *url, struct mp_error *err)
{
	struct mp_remote *r;
	char *bucket, *key;
	size_t n;

	if (strncmp(url, "s3://", 5))
		return mp_error_set(err, MP_EX_USAGE, "--store: expected s3://bucket/prefix, got '%s'", url),
		       NULL;
	if (mp_s3_split(url, &bucket, &key, err))
		return NULL;
	r = xcalloc(1, sizeof(*r));
	if (mp_s3_init(&r->s3, err)) {
		free(bucket);
		free(key);
		free(r);
		return NULL;
	}
	n = strlen(key);
	while (n > 0 && key[n - 1] == '/')
		key[--n] = '\0';
	r->bucket = bucket;
	r->prefix = n ? xasprintf("%s/", key) : xstrdup("");
	r->url = n ? xasprintf("s3://%s/%s", bucket, key) : xasprintf("s3://%s", bucket);
	free(key);
	return r;
}

void mp_remote_close(struct mp_remote *r)
{
	if (!r)
		return;
	mp_s3_free(&r->s3);
	free(r->url);
	free(r->bucket);
	free(r->prefix);
	free(r);
}

const char *mp_remote_url(const struct mp_remote *r)
{
	return r->url;
}

char *mp_remote_model_url(const struct mp_remote *r, const char *id)
{
	return xasprintf("%s/%s/", r->url, id);
}

static int check_id(const char *id, struct mp_error *err)
{
	if (!id || !*id || strchr(id, '/') || !strcmp(id, ".") || !strcmp(id, ".."))
		return mp_error_set(err, MP_EX_USAGE, "model id '%s' cannot name a directory in the store",
				    id ? id : "");
	return 0;
}

/* ---- state ---- */

static cJSON *state_load(const char *dir)
{
	char *path = mp_path_join(dir, STATE_FILE);
	struct mp_error ignored;
	cJSON *s = mp_file_exists(path) ? mp_json_load(path, &ignored) : NULL;

	free(path);
	if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(s, "files"))) {
		cJSON_Delete(s);
		s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "format", STATE_FORMAT);
		cJSON_AddItemToObject(s, "files", cJSON_CreateObject());
	}
	return s;
}

static int state_save(const char *dir, const cJSON *s, struct mp_error *err)
{
	char *path = mp_path_join(dir, STATE_FILE);
	int rc = mp_json_save(path, s, 1, err);

	free(path);
	return rc;
}

static void stamp(const struct stat *sb, char buf[48])
{
	snprintf(buf, 48, "%lld.%09ld", (long long)sb->st_mtim.tv_sec, (long)sb->st_mtim.tv_nsec);
}

/* 1 when the local file is as it was at its last transfer. */
static int unchanged(const cJSON *entry, const char *path)
{
	struct stat sb;
	char t[48];
	const char *want;

	if (!entry || stat(path, &sb) || !S_ISREG(sb.st_mode))
		return 0;
	stamp(&sb, t);
	want = mp_json_str(entry, "mtime");
	return want && !strcmp(want, t) && mp_json_num(entry, "size", -1) == (double)sb.st_size;
}

static void record(cJSON *files, const char *rel, const char *path, const char *etag)
{
	cJSON *e = cJSON_CreateObject();
	struct stat sb;
	char t[48] = "";

	if (!stat(path, &sb))
		stamp(&sb, t);
	cJSON_AddStringToObject(e, "etag", etag ? etag : "");
	cJSON_AddNumberToObject(e, "size", (double)sb.st_size);
	cJSON_AddStringToObject(e, "mtime", t);
	mp_json_set(files, rel, e);
}

static int hidden(const char *rel)
{
	return rel[0] == '.' || strstr(rel, "/.") != NULL;
}

static int in_list(const char *rel, const char *const *only)
{
	if (!only)
		return 1;
	for (; *only; only++)
		if (!strcmp(*only, rel))
			return 1;
	return 0;
}

static char *strip_quotes(char *etag)
{
	size_t n;

	if (!etag)
		return NULL;
	n = strlen(etag);
	if (n >= 2 && etag[0] == '"' && etag[n - 1] == '"') {
		memmove(etag, etag + 1, n - 2);
		etag[n - 2] = '\0';
	}
	return etag;
}

int mp_remote_pull(struct mp_remote *r, const char *dir, const char *id, const char *const *only,
		   size_t *pulled, struct mp_error *err)
{
	struct mp_s3_object *objs = NULL;
	size_t n = 0, i, count = 0;
	char *prefix;
	cJSON *state = NULL, *files;
	int rc = -1;

	if (pulled)
		*pulled = 0;
	if (check_id(id, err))
		return -1;
	prefix = xasprintf("%s%s/", r->prefix, id);
	if (mp_s3_list(&r->s3, r->bucket, prefix, &objs, &n, err))
		goto out;
	if (mp_mkdirs(dir, err))
		goto out;
	state = state_load(dir);
	files = cJSON_GetObjectItemCaseSensitive(state, "files");
	for (i = 0; i < n; i++) {
		const char *rel = objs[i].key + strlen(prefix);
		const cJSON *entry = cJSON_GetObjectItemCaseSensitive(files, rel);
		char *path, *etag = NULL, *slash;
		if (!*rel || hidden(rel) || !in_list(rel, only) || strstr(rel, ".."))
			continue;
		path = mp_path_join(dir, rel);
		if (unchanged(entry, path) && mp_json_str(entry, "etag") && objs[i].etag &&
		    !strcmp(mp_json_str(entry, "etag"), objs[i].etag)) {
			free(path);
			continue;
		}
		slash = strrchr(path, '/');
		if (slash) {
			char *parent = xstrndup(path, (size_t)(slash - path));
			int mk = mp_mkdirs(parent, err);
			free(parent);
			if (mk) {
				free(path);
				goto save;
			}
		}
		if (mp_s3_get_file(&r->s3, r->bucket, objs[i].key, path, &etag, err)) {
			free(path);
			goto save;
		}
		strip_quotes(etag);
		record(files, rel, path, etag ? etag : objs[i].etag);
		free(etag);
		free(path);
		count++;
	}
	rc = 0;
save:
	if (state_save(dir, state, rc ? NULL : err) && rc == 0)
		rc = -1;
out:
	if (pulled)
		*pulled = count;
	cJSON_Delete(state);
	mp_s3_objects_free(objs, n);
	free(prefix);
	return rc;
}

struct walk {
	struct mp_remote *r;
	const char *dir;
	const char *prefix;
	cJSON *files;
	size_t count;
	struct mp_error *err;
};

static int walk(struct walk *w, const char *rel_dir)
{
	char *path = *rel_dir ? mp_path_join(w->dir, rel_dir) : xstrdup(w->dir);
	DIR *d = opendir(path);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		mp_error_set(w->err, MP_EX_NOINPUT, "cannot read '%s': %s", path, strerror(errno));
		free(path);
		return -1;
	}
	while (rc == 0 && (e = readdir(d)) != NULL) {
		char *rel, *full;
		struct stat sb;
		if (e->d_name[0] == '.')
			continue; /* ., .., .lock, temporaries, the state */
		rel = *rel_dir ? xasprintf("%s/%s", rel_dir, e->d_name) : xstrdup(e->d_name);
		full = mp_path_join(w->dir, rel);
		if (stat(full, &sb) == 0) {
			if (S_ISDIR(sb.st_mode)) {
				rc = walk(w, rel);
			} else if (S_ISREG(sb.st_mode) &&
				   !unchanged(cJSON_GetObjectItemCaseSensitive(w->files, rel), full)) {
				char *key = xasprintf("%s%s", w->prefix, rel), *etag = NULL;
				rc = mp_s3_put_file(&w->r->s3, w->r->bucket, key, full, &etag, w->err);
				if (rc == 0) {
					record(w->files, rel, full, strip_quotes(etag));
					w->count++;
				}
				free(etag);
				free(key);
			}
		}
		free(rel);
		free(full);
	}
	closedir(d);
	free(path);
	return rc;
}

int mp_remote_push(struct mp_remote *r, const char *dir, const char *id, size_t *pushed,
		   struct mp_error *err)
{
	struct walk w;
	cJSON *state;
	char *prefix;
	int rc;

	if (pushed)
		*pushed = 0;
	if (check_id(id, err))
		return -1;
	prefix = xasprintf("%s%s/", r->prefix, id);
	state = state_load(dir);
	w.r = r;
	w.dir = dir;
	w.prefix = prefix;
	w.files = cJSON_GetObjectItemCaseSensitive(state, "files");
	w.count = 0;
	w.err = err;
	rc = walk(&w, "");
	/* what went up is recorded even when a later file failed */
	if (state_save(dir, state, rc ? NULL : err) && rc == 0)
		rc = -1;
	if (pushed)
		*pushed = w.count;
	cJSON_Delete(state);
	free(prefix);
	return rc;
}
