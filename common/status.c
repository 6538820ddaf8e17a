/* status.c — model.json as the status store. */
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "jsonio.h"
#include "remote_store.h"
#include "status_redis.h"

static int lock_dir(const char *dir, struct mp_error *err)
{
	char *path = mp_path_join(dir, ".lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		mp_error_set(err, MP_EX_CANTCREAT, "cannot create '%s': %s", path, strerror(errno));
		free(path);
		return -1;
	}
	while (flock(fd, LOCK_EX) && errno == EINTR)
		;
	free(path);
	return fd;
}

struct mp_store {
	struct mp_redis *redis;
	struct mp_remote *remote;
	char **unsynced;  /* model directories whose last mirror failed */
	size_t n_unsynced;
	int events_lost;
};

struct mp_store *mp_store_open_with(const char *redis_url, const char *remote_url,
				    struct mp_error *err)
{
	struct mp_store *st = xcalloc(1, sizeof(*st));
	const char *url = redis_url && *redis_url ? redis_url : getenv("MLPIPE_REDIS_URL");
	const char *store = remote_url && *remote_url ? remote_url : getenv("MLPIPE_STORE");

	if (url && *url) {
		/* an unreachable server is not fatal here: work goes on in the
		 * file store, and the failure is remembered (mp_store_behind) */
		st->redis = mp_redis_open(url, err);
		if (!st->redis) {
			free(st);
			return NULL;
		}
	}
	if (store && *store) {
		st->remote = mp_remote_open(store, err);
		if (!st->remote) {
			mp_redis_close(st->redis);
			free(st);
			return NULL;
		}
	}
	return st;
}

struct mp_store *mp_store_open(const char *redis_url, struct mp_error *err)
{
	return mp_store_open_with(redis_url, NULL, err);
}

void mp_store_close(struct mp_store *st)
{
	if (!st)
		return;
	mp_redis_close(st->redis);
	mp_remote_close(st->remote);
	mp_free_list(st->unsynced, st->n_unsynced);
	free(st);
}

int mp_store_has_redis(const struct mp_store *st)
{
	return st && st->redis;
}

struct mp_redis *mp_store_redis(const struct mp_store *st)
{
	return st ? st->redis : NULL;
}

struct mp_remote *mp_store_remote(const struct mp_store *st)
{
	return st ? st->remote : NULL;
}

int mp_store_behind(const struct mp_store *st)
{
	return st && st->redis && (st->n_unsynced || st->events_lost);
}

const char *mp_store_behind_reason(const struct mp_store *st)
{
	return st && st->redis ? mp_redis_failure(st->redis) : "";
}

size_t mp_store_unsynced(const struct mp_store *st, char *const **dirs)
{
	*dirs = st ? st->unsynced : NULL;
	return st ? st->n_unsynced : 0;
}

static void mark_unsynced(struct mp_store *st, const char *dir, int failed)
{
	size_t i;

	for (i = 0; i < st->n_unsynced; i++)
		if (!strcmp(st->unsynced[i], dir))
			break;
	if (failed && i == st->n_unsynced) {
		st->unsynced = xrealloc(st->unsynced, (st->n_unsynced + 1) * sizeof(char *));
		st->unsynced[st->n_unsynced++] = xstrdup(dir);
	} else if (!failed && i < st->n_unsynced) {
		/* a later mirror brought the hash up to date */
		free(st->unsynced[i]);
		st->unsynced[i] = st->unsynced[--st->n_unsynced];
	}
}

/* Where the model lives, for the "model" field: its store URL, or the
 * absolute directory. */
static char *model_location(const struct mp_store *st, const char *dir, const char *id)
{
	char *abs;

	if (st->remote && id)
		return mp_remote_model_url(st->remote, id);
	abs = realpath(dir, NULL);
	return abs ? abs : xstrdup(dir);
}

static int mirror(struct mp_store *st, const char *dir, const cJSON *model, struct mp_error *err)
{
	char *where = model_location(st, dir, mp_json_str(model, "id"));
	int rc = mp_redis_mirror(st->redis, model, where, err);

	free(where);
	mark_unsynced(st, dir, rc != 0);
	return rc;
}

int mp_status_sync(struct mp_store *st, const char *dir, struct mp_error *err)
{
	cJSON *model;
	int fd, rc = -1;

	if (!st || !st->redis)
		return mp_error_set(err, MP_EX_USAGE, "no Redis configured (--redis URL or MLPIPE_REDIS_URL)");
	/* under the model's lock: a mirror never interleaves with an update's */
	fd = lock_dir(dir, err);
	if (fd < 0)
		return -1;
	model = mp_status_read(dir, err);
	if (model)
		rc = mirror(st, dir, model, err);
	close(fd);
	cJSON_Delete(model);
	return rc;
}

cJSON *mp_status_read(const char *dir, struct mp_error *err)
{
	char *path = mp_path_join(dir, "model.json");
	cJSON *j;

	if (!mp_file_exists(path)) {
		mp_error_set(err, MP_EX_NOINPUT, "'%s' is not a model directory (no model.json)", dir);
		free(path);
		return NULL;
	}
	j = mp_json_load(path, err);
	free(path);
	return j;
}

int mp_status_update(struct mp_store *st, const char *dir, int create, mp_status_fn fn, void *arg,
		     struct mp_error *err)
{
	char *path = mp_path_join(dir, "model.json");
	cJSON *model = NULL;
	int fd = -1, rc = -1;

	/* checked before locking too: no lock file is left in a directory
	 * that is not a model's (or does not exist) */
	if (!create && !mp_file_exists(path)) {
		mp_error_set(err, MP_EX_NOINPUT, "'%s' is not a model directory (no model.json)", dir);
		goto out;
	}
	fd = lock_dir(dir, err);
	if (fd < 0)
		goto out;
	if (mp_file_exists(path)) {
		model = mp_json_load(path, err);
		if (!model)
			goto out;
	} else if (create) {
		model = cJSON_CreateObject();
		cJSON_AddStringToObject(model, "format", MP_STATUS_FORMAT);
	} else {
		mp_error_set(err, MP_EX_NOINPUT, "'%s' is not a model directory (no model.json)", dir);
		goto out;
	}
	if (fn && fn(model, arg, err))
		goto out;
	if (mp_json_save(path, model, 1, err))
		goto out;
	rc = 0;
	/* The file is the record: a mirror failure is remembered by the
	 * store (mp_store_behind), never the update's failure. */
	if (st && st->redis) {
		struct mp_error merr;
		mp_error_clear(&merr);
		mirror(st, dir, model, &merr);
	}
out:
	if (fd >= 0)
		close(fd); /* releases the lock */
	cJSON_Delete(model);
	free(path);
	return rc;
}

void mp_status_event(struct mp_store *st, const cJSON *event)
{
	struct mp_error err;

	mp_error_clear(&err);
	if (st && st->redis && mp_redis_publish(st->redis, event, &err))
		st->events_lost = 1;
}

cJSON *mp_status_algorithm(cJSON *model, const char *algo)
{
	cJSON *algos = cJSON_GetObjectItemCaseSensitive(model, "algorithms"), *a;

	if (!cJSON_IsObject(algos)) {
		algos = cJSON_CreateObject();
		mp_json_set(model, "algorithms", algos);
	}
	a = cJSON_GetObjectItemCaseSensitive(algos, algo);
	if (!cJSON_IsObject(a)) {
		a = cJSON_CreateObject();
		mp_json_set(algos, algo, a);
	}
	return a;
}

void mp_status_set(cJSON *obj, const char *key, const char *value)
{
	mp_json_set(obj, key, value ? cJSON_CreateString(value) : cJSON_CreateNull());
}

void mp_iso_time(char buf[32])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void mp_status_history(cJSON *model, const char *stage, int ok, double seconds, const char *error)
{
	cJSON *h = cJSON_GetObjectItemCaseSensitive(model, "history"), *e = cJSON_CreateObject();
	char when[32];

	if (!cJSON_IsArray(h)) {
		h = cJSON_CreateArray();
		mp_json_set(model, "history", h);
	}
	mp_iso_time(when);
	cJSON_AddStringToObject(e, "stage", stage);
	cJSON_AddBoolToObject(e, "ok", ok);
	cJSON_AddStringToObject(e, "finished", when);
	cJSON_AddNumberToObject(e, "seconds", (double)(long)(seconds * 1000 + 0.5) / 1000);
	if (error)
		cJSON_AddStringToObject(e, "error", error);
	cJSON_AddItemToArray(h, e);
}

const char *mp_status_overall(const cJSON *model, char *why, size_t why_size)
{
	const cJSON *algos = cJSON_GetObjectItemCaseSensitive(model, "algorithms"), *a;
	size_t ok = 0, failed = 0, unfinished = 0, o = 0;

	why[0] = '\0';
	cJSON_ArrayForEach(a, algos) {
		const char *s = mp_json_str(a, "status");
		if (s && !strcmp(s, "failed")) {
			failed++;
			if (o < why_size)
				o += (size_t)snprintf(why + o, why_size - o, "%s%s: %s", failed > 1 ? "; " : "",
						      a->string, mp_json_str(a, "error") ? mp_json_str(a, "error") : "failed");
		} else if (s && (!strcmp(s, "trained") || !strcmp(s, "complete"))) {
			ok++;
		} else {
			unfinished++;
		}
	}
	if (ok > 0 && unfinished == 0)
		return "complete";
	if (ok == 0 && unfinished == 0 && failed == 0)
		snprintf(why, why_size, "no algorithm was trained");
	else if (unfinished)
		snprintf(why + (o < why_size ? o : 0), why_size - (o < why_size ? o : 0),
			 "%s%zu algorithm(s) never finished", o ? "; " : "", unfinished);
	return "failed";
}

int mp_model_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > 128 || id[0] == '.')
		return 0;
	return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}
