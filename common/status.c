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
#include "status_redis.h"

struct mp_store {
	struct mp_redis *redis;
};

struct mp_store *mp_store_open(const char *redis_url, struct mp_error *err)
{
	struct mp_store *st = xcalloc(1, sizeof(*st));
	const char *url = redis_url && *redis_url ? redis_url : getenv("MLPIPE_REDIS_URL");

	if (url && *url) {
		st->redis = mp_redis_connect(url, err);
		if (!st->redis) {
			free(st);
			return NULL;
		}
	}
	return st;
}

void mp_store_close(struct mp_store *st)
{
	if (!st)
		return;
	mp_redis_close(st->redis);
	free(st);
}

int mp_store_has_redis(const struct mp_store *st)
{
	return st && st->redis;
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

int mp_status_update(struct mp_store *st, const char *dir, int create, mp_status_fn fn, void *arg,
		     struct mp_error *err)
{
	char *path = mp_path_join(dir, "model.json");
	cJSON *model = NULL;
	int fd, rc = -1;

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
	if (st && st->redis)
		rc = mp_redis_mirror(st->redis, model, err);
out:
	if (fd >= 0)
		close(fd); /* releases the lock */
	cJSON_Delete(model);
	free(path);
	return rc;
}

void mp_status_event(struct mp_store *st, const cJSON *event)
{
	if (st && st->redis)
		mp_redis_publish(st->redis, event);
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
