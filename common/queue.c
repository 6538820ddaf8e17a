/* queue.c — enqueue, claim, renew, done, fail: each one Lua script. */
#include "queue.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "jsonio.h"
#include "status.h"

static const char *const queues[][2] = {
	{ "prep", "preprocessing" }, { "train", "train" }, { "batch", "batch" },
	{ "analyze", "analyze" },    { "score", "score" },
};
#define N_QUEUES (sizeof(queues) / sizeof(queues[0]))

const char *mp_queue_for_stage(const char *stage)
{
	size_t i;

	for (i = 0; stage && i < N_QUEUES; i++)
		if (!strcmp(stage, queues[i][0]))
			return queues[i][1];
	return NULL;
}

const char *mp_queue_stage(const char *queue)
{
	size_t i;

	for (i = 0; queue && i < N_QUEUES; i++)
		if (!strcmp(queue, queues[i][1]))
			return queues[i][0];
	return NULL;
}

/* the Redis clock, in ms: one clock for every host */
#define NOW_MS                                                                     \
	"local t = redis.call('TIME')\n"                                           \
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"

/* KEYS: job hash, index; ARGV: id, field, value, ... */
static const char enqueue_script[] =
	NOW_MS
	"local h = redis.call('HMGET', KEYS[1], 'status', 'lease_until', 'owner')\n"
	"if h[1] == 'claimed' and tonumber(h[2] or '0') > now then\n"
	"  return {'busy', h[3] or ''}\n"
	"end\n"
	"redis.call('DEL', KEYS[1])\n"
	"redis.call('HSET', KEYS[1], unpack(ARGV, 2))\n"
	"redis.call('HSET', KEYS[1], 'status', 'queued', 'numErrors', '0', 'claims', '0',\n"
	"  'owner', '', 'lease_until', '0')\n"
	"redis.call('ZADD', KEYS[1 + 1], now, ARGV[1])\n"
	"return {'queued', h[1] or ''}\n";

/* KEYS: index; ARGV: hash prefix, owner, lease ms, max, store, model
 * hash prefix, lease seconds */
static const char claim_script[] =
	NOW_MS
	"local ids = redis.call('ZRANGE', KEYS[1], 0, -1)\n"
	"local claimed, parked = {}, {}\n"
	"local max = tonumber(ARGV[4])\n"
	"for _, id in ipairs(ids) do\n"
	"  if #claimed >= max then break end\n"
	"  local key = ARGV[1] .. id\n"
	"  local h = redis.call('HMGET', key, 'status', 'lease_until', 'owner', 'numErrors',\n"
	"    'maxRetries', 'store')\n"
	"  if not h[1] then\n"
	"    redis.call('ZREM', KEYS[1], id)\n"
	"  elseif (h[6] or '') == ARGV[5] then\n"
	"    local take = h[1] == 'queued'\n"
	"    if h[1] == 'claimed' and tonumber(h[2] or '0') <= now then\n"
	"      local errors = tonumber(h[4] or '0') + 1\n"
	"      local msg = 'lease of ' .. (h[3] or '?') .. ' expired (the worker died or hung)'\n"
	"      redis.call('HSET', key, 'numErrors', errors, 'error', msg)\n"
	"      if errors > tonumber(h[5] or '3') then\n"
	"        redis.call('HSET', key, 'status', 'failed', 'owner', '', 'lease_until', '0')\n"
	"        redis.call('ZREM', KEYS[1], id)\n"
	"        redis.call('HSET', ARGV[6] .. id, 'status', 'failed', 'error',\n"
	"          msg .. '; gave up after ' .. errors .. ' failures')\n"
	"        table.insert(parked, id)\n"
	"      else\n"
	"        take = true\n"
	"      end\n"
	"    end\n"
	"    if take then\n"
	"      redis.call('HSET', key, 'status', 'claimed', 'owner', ARGV[2],\n"
	"        'lease_until', now + tonumber(ARGV[3]), 'lease_seconds', ARGV[7], 'claimed_at', now)\n"
	"      redis.call('HINCRBY', key, 'claims', 1)\n"
	"      table.insert(claimed, id)\n"
	"    end\n"
	"  end\n"
	"end\n"
	"return {claimed, parked}\n";

/* KEYS: job hash; ARGV: owner, lease ms, worker */
static const char renew_script[] =
	NOW_MS
	"local h = redis.call('HMGET', KEYS[1], 'status', 'owner')\n"
	"if not h[1] then return {0, 'gone'} end\n"
	"if h[1] ~= 'claimed' or h[2] ~= ARGV[1] then return {0, h[2] or ''} end\n"
	"redis.call('HSET', KEYS[1], 'lease_until', now + tonumber(ARGV[2]), 'worker', ARGV[3])\n"
	"return {1, tostring(now + tonumber(ARGV[2]))}\n";

/* KEYS: job hash, index; ARGV: owner ('' = any), id */
static const char done_script[] =
	"local owner = redis.call('HGET', KEYS[1], 'owner')\n"
	"if not owner then redis.call('ZREM', KEYS[2], ARGV[2]) return {0, ''} end\n"
	"if ARGV[1] ~= '' and owner ~= ARGV[1] then return {-1, owner} end\n"
	"redis.call('DEL', KEYS[1])\n"
	"redis.call('ZREM', KEYS[2], ARGV[2])\n"
	"return {1, owner}\n";

/* KEYS: job hash, index; ARGV: owner ('' = any), id, error */
static const char fail_script[] =
	NOW_MS
	"local h = redis.call('HMGET', KEYS[1], 'status', 'owner', 'numErrors', 'maxRetries')\n"
	"if not h[1] then return {'gone', 0, ''} end\n"
	"if ARGV[1] ~= '' and h[2] ~= ARGV[1] then return {'not-owner', 0, h[2] or ''} end\n"
	"local errors = tonumber(h[3] or '0') + 1\n"
	"redis.call('HSET', KEYS[1], 'numErrors', errors, 'error', ARGV[3], 'owner', '',\n"
	"  'lease_until', '0', 'failed_at', now)\n"
	"if errors > tonumber(h[4] or '3') then\n"
	"  redis.call('HSET', KEYS[1], 'status', 'failed')\n"
	"  redis.call('ZREM', KEYS[2], ARGV[2])\n"
	"  return {'parked', errors, ''}\n"
	"end\n"
	"redis.call('HSET', KEYS[1], 'status', 'queued')\n"
	"return {'requeued', errors, ''}\n";

static char *job_key(struct mp_redis *r, const char *queue, const char *id)
{
	return xasprintf("%s_ml_%s:%s", mp_redis_prefix(r), queue, id);
}

static char *index_key(struct mp_redis *r, const char *queue)
{
	return xasprintf("%s_ml_%s", mp_redis_prefix(r), queue);
}

/* the index of a job hash key: the part before its first ':' */
static char *index_of(const char *key)
{
	const char *colon = strchr(key, ':');
	return colon ? xstrndup(key, (size_t)(colon - key)) : xstrdup(key);
}

static const char *id_of(const char *key)
{
	const char *colon = strchr(key, ':');
	return colon ? colon + 1 : key;
}

static int check_id(const char *id, struct mp_error *err)
{
	const char *p;

	if (!id || !*id)
		return mp_error_set(err, MP_EX_DATAERR, "the model has no id");
	for (p = id; *p; p++)
		if (*p == ':' || *p == ' ' || (unsigned char)*p < 32 || *p == '*' || *p == '?')
			return mp_error_set(err, MP_EX_USAGE,
					    "model id '%s': ':', '*', '?', spaces and control characters cannot be part of a queue key",
					    id);
	return 0;
}

int mp_queue_enqueue(struct mp_redis *r, const char *stage, const struct mp_job_spec *spec,
		     char *previous, size_t previous_size, struct mp_error *err)
{
	const char *queue = mp_queue_for_stage(stage);
	const char *args[64];
	const char *keys[2];
	char retries[16], when[32], host[256] = "";
	int n = 0, rc = -1;
	redisReply *reply;

	if (!queue)
		return mp_error_set(err, MP_EX_USAGE, "--stage: expected prep, train, batch, analyze or score, got '%s'",
				    stage);
	if (check_id(spec->id, err))
		return -1;
	snprintf(retries, sizeof(retries), "%d", spec->max_retries);
	mp_iso_time(when);
	gethostname(host, sizeof(host) - 1);
	args[n++] = spec->id;
#define FIELD(name, value)                                                         \
	do {                                                                       \
		if (value) {                                                       \
			args[n++] = name;                                          \
			args[n++] = value;                                         \
		}                                                                  \
	} while (0)
	FIELD("_id", spec->id);
	FIELD("model", spec->model);
	FIELD("stage", stage);
	args[n++] = "maxRetries";
	args[n++] = retries;
	args[n++] = "enqueued_at";
	args[n++] = when;
	args[n++] = "enqueued_by";
	args[n++] = host;
	FIELD("store", spec->store);
	FIELD("input", spec->input);
	FIELD("test", spec->test);
	FIELD("type", spec->type);
	FIELD("name", spec->name);
	FIELD("include", spec->include);
	FIELD("exclude", spec->exclude);
	FIELD("seed", spec->seed);
	FIELD("test_fraction", spec->test_fraction);
#undef FIELD
	keys[0] = job_key(r, queue, spec->id);
	keys[1] = index_key(r, queue);
	reply = mp_redis_eval(r, enqueue_script, 2, keys, n, args, err);
	if (!reply)
		goto out;
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
		mp_error_set(err, MP_EX_SOFTWARE, "enqueue: unexpected answer from Redis");
		goto out;
	}
	if (!strcmp(reply->element[0]->str, "busy")) {
		mp_error_set(err, MP_EX_TEMPFAIL, "'%s' is being worked on by %s (its lease has not run out)",
			     keys[0], reply->element[1]->str);
		goto out;
	}
	if (previous)
		snprintf(previous, previous_size, "%s", reply->element[1]->str);
	rc = 0;
out:
	mp_redis_reply_free(reply);
	free((char *)keys[0]);
	free((char *)keys[1]);
	return rc;
}

static cJSON *hash_to_json(const redisReply *reply)
{
	cJSON *o = cJSON_CreateObject();
	size_t i;

	for (i = 0; reply && reply->type == REDIS_REPLY_ARRAY && i + 1 < reply->elements; i += 2)
		cJSON_AddStringToObject(o, reply->element[i]->str, reply->element[i + 1]->str);
	return o;
}

static cJSON *hgetall(struct mp_redis *r, const char *key, struct mp_error *err)
{
	redisReply *reply = mp_redis_cmd(r, err, "HGETALL %s", key);
	cJSON *o;

	if (!reply)
		return NULL;
	o = hash_to_json(reply);
	mp_redis_reply_free(reply);
	return o;
}

/* The pipe line for a claimed job. */
static cJSON *job_line(const cJSON *h, const char *queue, const char *key, const char *owner,
		       int lease)
{
	static const char *const prep_fields[] = { "input", "test", "type", "name", "include",
						   "exclude", "seed", "test_fraction", "store", NULL };
	cJSON *line = cJSON_CreateObject(), *job = cJSON_CreateObject();
	size_t i;

	cJSON_AddStringToObject(line, "model", mp_json_str(h, "model") ? mp_json_str(h, "model") : "");
	cJSON_AddStringToObject(line, "id", id_of(key));
	cJSON_AddStringToObject(line, "stage", "claim");
	cJSON_AddBoolToObject(line, "ok", 1);
	for (i = 0; prep_fields[i]; i++)
		if (mp_json_str(h, prep_fields[i]) && *mp_json_str(h, prep_fields[i]))
			cJSON_AddStringToObject(line, prep_fields[i], mp_json_str(h, prep_fields[i]));
	cJSON_AddStringToObject(job, "queue", queue);
	cJSON_AddStringToObject(job, "key", key);
	cJSON_AddStringToObject(job, "owner", owner);
	cJSON_AddNumberToObject(job, "lease", lease);
	cJSON_AddNumberToObject(job, "errors", atoi(mp_json_str(h, "numErrors") ? mp_json_str(h, "numErrors") : "0"));
	if (mp_json_str(h, "enqueued_at"))
		cJSON_AddStringToObject(job, "enqueued_at", mp_json_str(h, "enqueued_at"));
	cJSON_AddItemToObject(line, "job", job);
	return line;
}

int mp_queue_claim(struct mp_redis *r, const char *stage, const char *owner, int lease_seconds,
		   int max, const char *store, cJSON **jobs, cJSON **parked, struct mp_error *err)
{
	const char *queue = mp_queue_for_stage(stage);
	char *index, *prefix, *model_prefix, lease_ms[32], lease_s[16], max_s[16];
	const char *args[7];
	redisReply *reply;
	size_t i;
	int rc = -1;

	*jobs = cJSON_CreateArray();
	*parked = cJSON_CreateArray();
	if (!queue)
		return mp_error_set(err, MP_EX_USAGE, "--stage: expected prep, train, batch, analyze or score, got '%s'",
				    stage);
	index = index_key(r, queue);
	prefix = xasprintf("%s:", index);
	model_prefix = xasprintf("%s_ml:", mp_redis_prefix(r));
	snprintf(lease_ms, sizeof(lease_ms), "%lld", (long long)lease_seconds * 1000);
	snprintf(lease_s, sizeof(lease_s), "%d", lease_seconds);
	snprintf(max_s, sizeof(max_s), "%d", max);
	args[0] = prefix;
	args[1] = owner;
	args[2] = lease_ms;
	args[3] = max_s;
	args[4] = store ? store : "";
	args[5] = model_prefix;
	args[6] = lease_s;
	reply = mp_redis_eval(r, claim_script, 1, (const char **)&index, 7, args, err);
	if (!reply)
		goto out;
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
		mp_error_set(err, MP_EX_SOFTWARE, "claim: unexpected answer from Redis");
		goto out;
	}
	for (i = 0; i < reply->element[1]->elements; i++)
		cJSON_AddItemToArray(*parked, cJSON_CreateString(reply->element[1]->element[i]->str));
	rc = 0;
	for (i = 0; i < reply->element[0]->elements; i++) {
		char *key = xasprintf("%s%s", prefix, reply->element[0]->element[i]->str);
		cJSON *h = hgetall(r, key, err);
		if (!h) {
			/* claimed but unreadable: its lease will run out and it is claimed again */
			rc = -1;
			free(key);
			break;
		}
		cJSON_AddItemToArray(*jobs, job_line(h, queue, key, owner, lease_seconds));
		cJSON_Delete(h);
		free(key);
	}
out:
	mp_redis_reply_free(reply);
	free(index);
	free(prefix);
	free(model_prefix);
	return rc;
}

static int job_fields(const cJSON *job, const char **key, const char **owner, int *lease,
		      struct mp_error *err)
{
	*key = mp_json_str(job, "key");
	*owner = mp_json_str(job, "owner");
	*lease = (int)mp_json_num(job, "lease", 0);
	if (!*key || !*owner || strchr(*key, ':') == NULL)
		return mp_error_set(err, MP_EX_DATAERR, "a pipe line's \"job\" member lacks its key or owner");
	return 0;
}

int mp_queue_renew(struct mp_redis *r, const cJSON *job, const char *worker, char *holder,
		   size_t holder_size, struct mp_error *err)
{
	const char *key, *owner, *args[3];
	char lease_ms[32];
	int lease, rc = -1;
	redisReply *reply;

	if (job_fields(job, &key, &owner, &lease, err))
		return -1;
	if (lease < 1)
		lease = 60;
	snprintf(lease_ms, sizeof(lease_ms), "%lld", (long long)lease * 1000);
	args[0] = owner;
	args[1] = lease_ms;
	args[2] = worker ? worker : "";
	reply = mp_redis_eval(r, renew_script, 1, &key, 3, args, err);
	if (!reply)
		return -1;
	if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2) {
		rc = reply->element[0]->integer == 1;
		if (!rc && holder)
			snprintf(holder, holder_size, "%s",
				 reply->element[1]->str && *reply->element[1]->str ? reply->element[1]->str : "nobody");
	} else {
		mp_error_set(err, MP_EX_SOFTWARE, "renew: unexpected answer from Redis");
	}
	mp_redis_reply_free(reply);
	return rc;
}

int mp_queue_not_ours(const cJSON *job, const char *holder, const char *what, struct mp_error *err)
{
	const char *key = mp_json_str(job, "key") ? mp_json_str(job, "key") : "?";

	if (!strcmp(holder, "gone"))
		return mp_error_set(err, MP_EX_NOINPUT, "job '%s' no longer exists (done or released elsewhere): %s",
				    key, what);
	if (!strcmp(holder, "nobody"))
		return mp_error_set(err, MP_EX_TEMPFAIL,
				    "job '%s' is no longer ours (its lease ran out and it was queued again): %s", key, what);
	return mp_error_set(err, MP_EX_TEMPFAIL, "job '%s' is no longer ours (held by %s): %s", key, holder, what);
}

int mp_queue_done(struct mp_redis *r, const cJSON *job, int force, struct mp_error *err)
{
	const char *key, *owner, *keys[2], *args[2];
	int lease, rc = -1;
	redisReply *reply;

	if (job_fields(job, &key, &owner, &lease, err))
		return -1;
	keys[0] = key;
	keys[1] = index_of(key);
	args[0] = force ? "" : owner;
	args[1] = id_of(key);
	reply = mp_redis_eval(r, done_script, 2, keys, 2, args, err);
	if (reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 2) {
		rc = (int)reply->element[0]->integer;
		if (rc < 0)
			mp_error_set(err, MP_EX_TEMPFAIL, "'%s' is now held by %s: left alone", key,
				     reply->element[1]->str);
	} else if (reply) {
		mp_error_set(err, MP_EX_SOFTWARE, "done: unexpected answer from Redis");
	}
	mp_redis_reply_free(reply);
	free((char *)keys[1]);
	return rc;
}

int mp_queue_fail(struct mp_redis *r, const cJSON *job, const char *error, int force,
		  const char **outcome, int *errors, struct mp_error *err)
{
	const char *key, *owner, *keys[2], *args[3];
	int lease, rc = -1;
	redisReply *reply;

	*outcome = "gone";
	*errors = 0;
	if (job_fields(job, &key, &owner, &lease, err))
		return -1;
	keys[0] = key;
	keys[1] = index_of(key);
	args[0] = force ? "" : owner;
	args[1] = id_of(key);
	args[2] = error ? error : "failed";
	reply = mp_redis_eval(r, fail_script, 2, keys, 3, args, err);
	if (reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 3) {
		const char *o = reply->element[0]->str;
		*errors = (int)reply->element[1]->integer;
		if (!strcmp(o, "not-owner")) {
			mp_error_set(err, MP_EX_TEMPFAIL, "'%s' is now held by %s: left alone", key,
				     reply->element[2]->str);
		} else {
			*outcome = !strcmp(o, "parked") ? "parked" : !strcmp(o, "requeued") ? "requeued" : "gone";
			rc = 0;
		}
	} else if (reply) {
		mp_error_set(err, MP_EX_SOFTWARE, "fail: unexpected answer from Redis");
	}
	mp_redis_reply_free(reply);
	free((char *)keys[1]);
	return rc;
}

cJSON *mp_queue_find(struct mp_redis *r, const char *id, const char *stage, struct mp_error *err)
{
	size_t i;

	for (i = 0; i < N_QUEUES; i++) {
		char *key;
		cJSON *h, *job;
		if (stage && strcmp(stage, queues[i][0]))
			continue;
		key = job_key(r, queues[i][1], id);
		h = hgetall(r, key, err);
		if (!h) {
			free(key);
			return NULL;
		}
		if (!h->child) {
			cJSON_Delete(h);
			free(key);
			continue;
		}
		job = cJSON_CreateObject();
		cJSON_AddStringToObject(job, "queue", queues[i][1]);
		cJSON_AddStringToObject(job, "key", key);
		cJSON_AddStringToObject(job, "owner", mp_json_str(h, "owner") ? mp_json_str(h, "owner") : "");
		cJSON_AddNumberToObject(job, "lease", atoi(mp_json_str(h, "lease_seconds") ? mp_json_str(h, "lease_seconds") : "0"));
		cJSON_AddStringToObject(job, "status", mp_json_str(h, "status") ? mp_json_str(h, "status") : "");
		cJSON_Delete(h);
		free(key);
		return job;
	}
	mp_error_clear(err);
	return NULL;
}

cJSON *mp_queue_list(struct mp_redis *r, struct mp_error *err)
{
	cJSON *out = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < N_QUEUES; i++) {
		char *pattern = xasprintf("%s_ml_%s:*", mp_redis_prefix(r), queues[i][1]);
		char cursor[32] = "0";
		do {
			redisReply *reply = mp_redis_cmd(r, err, "SCAN %s MATCH %s COUNT 1000", cursor, pattern);
			size_t k;
			if (!reply) {
				free(pattern);
				cJSON_Delete(out);
				return NULL;
			}
			snprintf(cursor, sizeof(cursor), "%s", reply->element[0]->str);
			for (k = 0; k < reply->element[1]->elements; k++) {
				const char *key = reply->element[1]->element[k]->str;
				cJSON *h = hgetall(r, key, err);
				if (!h) {
					mp_redis_reply_free(reply);
					free(pattern);
					cJSON_Delete(out);
					return NULL;
				}
				cJSON_AddStringToObject(h, "key", key);
				cJSON_AddStringToObject(h, "queue", queues[i][1]);
				cJSON_AddItemToArray(out, h);
			}
			mp_redis_reply_free(reply);
		} while (strcmp(cursor, "0"));
		free(pattern);
	}
	return out;
}

char *mp_queue_owner_new(void)
{
	char host[256] = "localhost";
	unsigned char rnd[4] = { 0 };
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, rnd, sizeof(rnd)) != (ssize_t)sizeof(rnd))
			memset(rnd, 0, sizeof(rnd));
		close(fd);
	}
	if (!rnd[0] && !rnd[1] && !rnd[2] && !rnd[3]) {
		unsigned v = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
		memcpy(rnd, &v, 4);
	}
	gethostname(host, sizeof(host) - 1);
	return xasprintf("%s:%d:%02x%02x%02x%02x", host, (int)getpid(), rnd[0], rnd[1], rnd[2], rnd[3]);
}

/* ---- holding a lease ---- */

struct mp_lease {
	struct mp_redis *conn; /* its own connection */
	cJSON *job;
	char *worker;
	int period_ms;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop, lost;
};

static void *lease_thread(void *arg)
{
	struct mp_lease *l = arg;

	pthread_mutex_lock(&l->lock);
	while (!l->stop && !l->lost) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += l->period_ms / 1000;
		ts.tv_nsec += (long)(l->period_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while (!l->stop && pthread_cond_timedwait(&l->wake, &l->lock, &ts) != ETIMEDOUT)
			;
		if (l->stop)
			break;
		pthread_mutex_unlock(&l->lock);
		{
			struct mp_error err;
			int rc;
			mp_error_clear(&err);
			rc = mp_queue_renew(l->conn, l->job, l->worker, NULL, 0, &err);
			pthread_mutex_lock(&l->lock);
			if (rc == 0)
				l->lost = 1; /* someone else has it: stop renewing */
		}
	}
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

struct mp_lease *mp_lease_begin(struct mp_redis *r, const cJSON *job, const char *worker,
				struct mp_error *err)
{
	struct mp_lease *l;
	char holder[256] = "";
	int rc, lease = (int)mp_json_num(job, "lease", 60);

	rc = mp_queue_renew(r, job, worker, holder, sizeof(holder), err);
	if (rc == 0) {
		mp_queue_not_ours(job, holder, "skipped", err);
		return NULL;
	}
	if (rc < 0 && err->code != MP_EX_UNAVAILABLE)
		return NULL;
	mp_error_clear(err);
	l = xcalloc(1, sizeof(*l));
	l->conn = mp_redis_clone(r, err);
	if (!l->conn) {
		free(l);
		return NULL;
	}
	l->job = cJSON_Duplicate(job, 1);
	l->worker = xstrdup(worker ? worker : "");
	l->period_ms = lease < 2 ? 500 : lease * 1000 / 3;
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->wake, NULL);
	pthread_create(&l->thread, NULL, lease_thread, l);
	return l;
}

int mp_lease_end(struct mp_lease *l, struct mp_error *err)
{
	char holder[256] = "gone";
	struct mp_error rerr;
	int lost, rc;

	if (!l)
		return 0;
	pthread_mutex_lock(&l->lock);
	l->stop = 1;
	pthread_cond_signal(&l->wake);
	pthread_mutex_unlock(&l->lock);
	pthread_join(l->thread, NULL);
	/* the thread renews a third of a lease apart: a process that was
	 * stopped longer than the lease learns it only by asking (which also
	 * names the job's holder for the message) */
	mp_error_clear(&rerr);
	rc = mp_queue_renew(l->conn, l->job, l->worker, holder, sizeof(holder), &rerr);
	lost = l->lost || rc == 0;
	if (l->lost && rc < 0)
		snprintf(holder, sizeof(holder), "another worker");
	if (lost)
		mp_queue_not_ours(l->job, holder, "dropped", err);
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->wake);
	mp_redis_close(l->conn);
	cJSON_Delete(l->job);
	free(l->worker);
	free(l);
	return lost;
}
