/* status_redis.c — the Redis mirror of the status store, events, and the
 * command helpers the work queue (queue.c) runs on. */
#include "status_redis.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "jsonio.h"
#include "status.h"

#define CONNECT_TIMEOUT_S 2
#define COMMAND_TIMEOUT_S 5
#define RETRY_INTERVAL_S 1.0

struct mp_redis {
	char *url;               /* kept for clones; never printed */
	struct mp_redis_url u;
	const char *env;
	redisContext *ctx;
	pthread_mutex_t lock;
	double last_attempt;     /* when a connection attempt last failed */
	int failed;
	char failure[1024];
	char last_error[1024];   /* why the last connection attempt failed */
};

/* ---- URLs ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* %XX decoding of the user and password parts. */
static char *pct_decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			*o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
			continue;
		}
		*o++ = s[i];
	}
	*o = '\0';
	return out;
}

static int parse_db(const char *s, int *db)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 0 || v > 100000)
		return -1;
	*db = (int)v;
	return 0;
}

void mp_redis_url_free(struct mp_redis_url *u)
{
	free(u->host);
	free(u->socket);
	free(u->user);
	free(u->password);
	free(u->where);
	memset(u, 0, sizeof(*u));
}

int mp_redis_url_parse(const char *url, struct mp_redis_url *u, struct mp_error *err)
{
	const char *p, *at, *slash, *hostport_end;
	char *q;

	memset(u, 0, sizeof(*u));
	u->port = 6379;
	if (!strncmp(url, "unix:", 5) || !strncmp(url, "redis+unix:", 11)) {
		p = url + (url[0] == 'u' ? 5 : 11);
		if (!strncmp(p, "//", 2))
			p += 2;
		if (*p != '/')
			return mp_error_set(err, MP_EX_USAGE,
					    "Redis URL: expected unix:/path/to/socket, got a relative path");
		u->socket = xstrdup(p);
		q = strchr(u->socket, '?');
		if (q) {
			*q++ = '\0';
			if (strncmp(q, "db=", 3) || parse_db(q + 3, &u->db)) {
				mp_redis_url_free(u);
				return mp_error_set(err, MP_EX_USAGE,
						    "Redis URL: expected ?db=N after the socket path");
			}
		}
		u->where = u->db ? xasprintf("unix:%s?db=%d", u->socket, u->db)
				 : xasprintf("unix:%s", u->socket);
		return 0;
	}
	if (!strncmp(url, "rediss://", 9))
		return mp_error_set(err, MP_EX_USAGE, "Redis URL: TLS (rediss://) is not supported");
	if (strncmp(url, "redis://", 8))
		return mp_error_set(err, MP_EX_USAGE,
				    "Redis URL: expected redis://[[user]:password@]host[:port][/db] or unix:/path");
	p = url + 8;
	slash = strchr(p, '/');
	hostport_end = slash ? slash : p + strlen(p);
	at = memrchr(p, '@', (size_t)(hostport_end - p));
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		if (colon) {
			if (colon > p)
				u->user = pct_decode(p, (size_t)(colon - p));
			u->password = pct_decode(colon + 1, (size_t)(at - colon - 1));
		} else {
			u->password = pct_decode(p, (size_t)(at - p)); /* redis://password@host */
		}
		p = at + 1;
	}
	if (p[0] == '[') { /* [::1]:6379 */
		const char *close = memchr(p, ']', (size_t)(hostport_end - p));
		if (!close)
			goto bad;
		u->host = xstrndup(p + 1, (size_t)(close - p - 1));
		p = close + 1;
	} else {
		const char *colon = memchr(p, ':', (size_t)(hostport_end - p));
		const char *end = colon ? colon : hostport_end;
		u->host = xstrndup(p, (size_t)(end - p));
		p = end;
	}
	if (*p == ':') {
		char *num = xstrndup(p + 1, (size_t)(hostport_end - p - 1));
		char *end;
		long v = strtol(num, &end, 10);
		int bad = end == num || *end || v < 1 || v > 65535;
		free(num);
		if (bad)
			goto bad;
		u->port = (int)v;
	} else if (p != hostport_end) {
		goto bad;
	}
	if (!u->host[0]) {
		/* no silent default: another user's server may listen there */
		mp_redis_url_free(u);
		return mp_error_set(err, MP_EX_USAGE, "Redis URL: no host (expected redis://[[user]:password@]host[:port][/db])");
	}
	if (slash && slash[1]) {
		char *db = xstrdup(slash + 1);
		char *qm = strchr(db, '?');
		int bad;
		if (qm)
			*qm = '\0';
		bad = *db && parse_db(db, &u->db);
		free(db);
		if (bad)
			goto bad;
	}
	u->where = u->db ? xasprintf("%s:%d/%d", u->host, u->port, u->db)
			 : xasprintf("%s:%d", u->host, u->port);
	return 0;
bad:
	mp_redis_url_free(u);
	return mp_error_set(err, MP_EX_USAGE,
			    "Redis URL: expected redis://[[user]:password@]host[:port][/db] or unix:/path");
}

int mp_redis_env(const char **env, struct mp_error *err)
{
	const char *e = getenv("MLPIPE_ENV"), *p;

	if (!e || !*e)
		e = "development";
	for (p = e; *p; p++)
		if (!(*p == '_' || *p == '-' || *p == '.' || (*p >= '0' && *p <= '9') ||
		      (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return mp_error_set(err, MP_EX_USAGE,
					    "MLPIPE_ENV: expected letters, digits, '.', '-' or '_', got '%s'", e);
	if (strlen(e) > 64)
		return mp_error_set(err, MP_EX_USAGE, "MLPIPE_ENV: longer than 64 characters");
	*env = e;
	return 0;
}

/* ---- connections ---- */

static void note_failure(struct mp_redis *r, const char *msg)
{
	if (!r->failed)
		snprintf(r->failure, sizeof(r->failure), "%s", msg);
	r->failed = 1;
}

/* Connects if needed; lock held. */
static int ensure_connected(struct mp_redis *r, struct mp_error *err)
{
	struct timeval ct = { CONNECT_TIMEOUT_S, 0 }, cmd = { COMMAND_TIMEOUT_S, 0 };
	redisReply *reply;
	char msg[1024];

	if (r->ctx && !r->ctx->err)
		return 0;
	if (r->ctx) {
		redisFree(r->ctx);
		r->ctx = NULL;
	}
	if (r->last_attempt > 0 && mp_now() - r->last_attempt < RETRY_INTERVAL_S)
		return mp_error_set(err, MP_EX_UNAVAILABLE, "%s", r->last_error);
	r->ctx = r->u.socket ? redisConnectUnixWithTimeout(r->u.socket, ct)
			     : redisConnectWithTimeout(r->u.host, r->u.port, ct);
	if (!r->ctx || r->ctx->err) {
		snprintf(msg, sizeof(msg), "cannot connect to Redis at %s: %s", r->u.where,
			 r->ctx ? r->ctx->errstr : "out of memory");
		goto fail;
	}
	redisSetTimeout(r->ctx, cmd);
	if (!r->u.socket)
		redisEnableKeepAlive(r->ctx);
	if (r->u.password) {
		reply = r->u.user ? redisCommand(r->ctx, "AUTH %s %s", r->u.user, r->u.password)
				  : redisCommand(r->ctx, "AUTH %s", r->u.password);
		if (!reply || reply->type == REDIS_REPLY_ERROR) {
			/* the server's text names no password; ours neither */
			snprintf(msg, sizeof(msg), "Redis at %s: authentication failed%s%s", r->u.where,
				 reply ? ": " : "", reply ? reply->str : "");
			freeReplyObject(reply);
			goto fail;
		}
		freeReplyObject(reply);
	}
	if (r->u.db) {
		reply = redisCommand(r->ctx, "SELECT %d", r->u.db);
		if (!reply || reply->type == REDIS_REPLY_ERROR) {
			snprintf(msg, sizeof(msg), "Redis at %s: cannot select database %d%s%s",
				 r->u.where, r->u.db, reply ? ": " : "", reply ? reply->str : "");
			freeReplyObject(reply);
			goto fail;
		}
		freeReplyObject(reply);
	}
	r->last_attempt = 0;
	return 0;
fail:
	if (r->ctx)
		redisFree(r->ctx);
	r->ctx = NULL;
	r->last_attempt = mp_now();
	snprintf(r->last_error, sizeof(r->last_error), "%s", msg);
	note_failure(r, msg);
	return mp_error_set(err, MP_EX_UNAVAILABLE, "%s", msg);
}

struct mp_redis *mp_redis_open(const char *url, struct mp_error *err)
{
	struct mp_redis *r = xcalloc(1, sizeof(*r));
	struct mp_error ignored;

	if (mp_redis_url_parse(url, &r->u, err) || mp_redis_env(&r->env, err)) {
		mp_redis_url_free(&r->u);
		free(r);
		return NULL;
	}
	r->url = xstrdup(url);
	pthread_mutex_init(&r->lock, NULL);
	mp_error_clear(&ignored);
	pthread_mutex_lock(&r->lock);
	ensure_connected(r, &ignored);
	pthread_mutex_unlock(&r->lock);
	return r;
}

struct mp_redis *mp_redis_connect(const char *url, struct mp_error *err)
{
	struct mp_redis *r = mp_redis_open(url, err);

	if (r && !r->ctx) {
		mp_error_set(err, MP_EX_UNAVAILABLE, "%s", r->last_error);
		mp_redis_close(r);
		return NULL;
	}
	return r;
}

struct mp_redis *mp_redis_clone(const struct mp_redis *r, struct mp_error *err)
{
	return mp_redis_open(r->url, err);
}

void mp_redis_close(struct mp_redis *r)
{
	if (!r)
		return;
	if (r->ctx)
		redisFree(r->ctx);
	pthread_mutex_destroy(&r->lock);
	mp_redis_url_free(&r->u);
	free(r->url);
	free(r);
}

const char *mp_redis_where(const struct mp_redis *r)
{
	return r->u.where;
}

const char *mp_redis_prefix(const struct mp_redis *r)
{
	return r->env;
}

int mp_redis_failed(const struct mp_redis *r)
{
	return r && r->failed;
}

const char *mp_redis_failure(const struct mp_redis *r)
{
	return r && r->failed ? r->failure : "";
}

/* ---- commands ---- */

void mp_redis_reply_free(struct redisReply *reply)
{
	if (reply)
		freeReplyObject(reply);
}

struct redisReply *mp_redis_argv(struct mp_redis *r, int argc, const char **argv,
				 const size_t *lens, struct mp_error *err)
{
	redisReply *reply = NULL;
	size_t *l = NULL;
	int attempt, i;
	char msg[1024];

	if (!lens) {
		l = xcalloc((size_t)argc, sizeof(*l));
		for (i = 0; i < argc; i++)
			l[i] = strlen(argv[i]);
		lens = l;
	}
	pthread_mutex_lock(&r->lock);
	/* A server that restarted drops our connection: the first command
	 * fails on the stale socket, a second on a new one tells the truth. */
	for (attempt = 0; attempt < 2; attempt++) {
		int was_connected = r->ctx && !r->ctx->err;
		if (ensure_connected(r, err))
			goto out;
		reply = redisCommandArgv(r->ctx, argc, argv, lens);
		if (reply)
			break;
		if (r->ctx->err == REDIS_ERR_IO && !strcmp(r->ctx->errstr, strerror(EAGAIN)))
			snprintf(msg, sizeof(msg), "Redis at %s did not answer within %d seconds", r->u.where,
				 COMMAND_TIMEOUT_S);
		else
			snprintf(msg, sizeof(msg), "lost the connection to Redis at %s: %s", r->u.where,
				 r->ctx->errstr[0] ? r->ctx->errstr : "connection closed");
		redisFree(r->ctx);
		r->ctx = NULL;
		if (!was_connected || attempt == 1) {
			r->last_attempt = mp_now();
			snprintf(r->last_error, sizeof(r->last_error), "%s", msg);
			note_failure(r, msg);
			mp_error_set(err, MP_EX_UNAVAILABLE, "%s", msg);
			goto out;
		}
	}
	if (reply->type == REDIS_REPLY_ERROR) {
		snprintf(msg, sizeof(msg), "Redis at %s: %s", r->u.where, reply->str);
		note_failure(r, msg);
		/* a full disk or read-only replica is as good as down for us */
		mp_error_set(err, (!strncmp(reply->str, "MISCONF", 7) || !strncmp(reply->str, "READONLY", 8) ||
				   !strncmp(reply->str, "LOADING", 7) || !strncmp(reply->str, "NOAUTH", 6) ||
				   !strncmp(reply->str, "OOM", 3))
					  ? MP_EX_UNAVAILABLE
					  : MP_EX_SOFTWARE,
			     "%s", msg);
		freeReplyObject(reply);
		reply = NULL;
	}
out:
	pthread_mutex_unlock(&r->lock);
	free(l);
	return reply;
}

struct redisReply *mp_redis_cmd(struct mp_redis *r, struct mp_error *err, const char *fmt, ...)
{
	/* Splits fmt on spaces; each "%s" word takes one string argument. */
	const char *argv[64];
	char *copy = xstrdup(fmt), *tok, *save = NULL;
	int argc = 0;
	va_list ap;
	redisReply *reply;

	va_start(ap, fmt);
	for (tok = strtok_r(copy, " ", &save); tok && argc < 64; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = !strcmp(tok, "%s") ? va_arg(ap, const char *) : tok;
	va_end(ap);
	reply = mp_redis_argv(r, argc, argv, NULL, err);
	free(copy);
	return reply;
}

struct redisReply *mp_redis_eval(struct mp_redis *r, const char *script, int n_keys,
				 const char **keys, int n_args, const char **args,
				 struct mp_error *err)
{
	const char **argv = xcalloc((size_t)(3 + n_keys + n_args), sizeof(*argv));
	char nk[16];
	redisReply *reply;
	int i, argc = 0;

	snprintf(nk, sizeof(nk), "%d", n_keys);
	argv[argc++] = "EVAL";
	argv[argc++] = script;
	argv[argc++] = nk;
	for (i = 0; i < n_keys; i++)
		argv[argc++] = keys[i];
	for (i = 0; i < n_args; i++)
		argv[argc++] = args[i];
	reply = mp_redis_argv(r, argc, argv, NULL, err);
	free(argv);
	return reply;
}

/* ---- the model hash ---- */

static void add_field(cJSON *f, const char *name, const char *value)
{
	if (value)
		cJSON_AddStringToObject(f, name, value);
}

static void add_number(cJSON *f, const char *name, const cJSON *n)
{
	char buf[32];

	if (cJSON_IsNumber(n))
		cJSON_AddStringToObject(f, name, mp_fmt_double(buf, n->valuedouble));
}

cJSON *mp_redis_model_fields(const cJSON *model, const char *dir)
{
	cJSON *f = cJSON_CreateObject();
	const cJSON *algos = cJSON_GetObjectItemCaseSensitive(model, "algorithms"), *a;
	const cJSON *input = cJSON_GetObjectItemCaseSensitive(model, "input");
	const char *status = mp_json_str(model, "status");
	double sum = 0;
	int n = 0;
	char when[32], buf[32];

	add_field(f, "_id", mp_json_str(model, "id"));
	add_field(f, "name", mp_json_str(model, "name"));
	add_field(f, "type", mp_json_str(model, "type"));
	add_field(f, "industry", mp_json_str(model, "industry"));
	add_field(f, "status", status);
	add_field(f, "stage", mp_json_str(model, "stage"));
	add_field(f, "error", mp_json_str(model, "error"));
	add_field(f, "selected_algorithm", mp_json_str(model, "selected_algorithm"));
	add_field(f, "input", input ? mp_json_str(input, "source") : NULL);
	add_field(f, "model", dir);
	cJSON_ArrayForEach(a, algos) {
		char *key;
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(a, "progress");
		key = xasprintf("%s.status", a->string);
		add_field(f, key, mp_json_str(a, "status"));
		free(key);
		key = xasprintf("%s.progress", a->string);
		add_number(f, key, p);
		free(key);
		key = xasprintf("%s.error", a->string);
		add_field(f, key, mp_json_str(a, "error"));
		free(key);
		key = xasprintf("%s.seconds", a->string);
		add_number(f, key, cJSON_GetObjectItemCaseSensitive(a, "seconds"));
		free(key);
		sum += cJSON_IsNumber(p) ? p->valuedouble : 0;
		n++;
	}
	/* overall progress: finished models 100, else what mlstatus set gave,
	 * else the algorithms' mean */
	if (status && (!strcmp(status, "complete") || !strcmp(status, "failed")))
		cJSON_AddStringToObject(f, "progress", "100");
	else if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(model, "progress")))
		add_number(f, "progress", cJSON_GetObjectItemCaseSensitive(model, "progress"));
	else
		cJSON_AddStringToObject(f, "progress", mp_fmt_double(buf, n ? (double)(long)(sum / n) : 0));
	mp_iso_time(when);
	cJSON_AddStringToObject(f, "updated_at", when);
	return f;
}

static const char mirror_script[] =
	"redis.call('DEL', KEYS[1])\n"
	"redis.call('HSET', KEYS[1], unpack(ARGV))\n"
	"return 1\n";

int mp_redis_mirror(struct mp_redis *r, const cJSON *model, const char *dir, struct mp_error *err)
{
	const char *id = mp_json_str(model, "id");
	cJSON *fields, *f;
	const char **args;
	char *key;
	int n = 0, rc = 0;
	redisReply *reply;

	if (!id)
		return 0; /* a record mlprep has not named yet */
	fields = mp_redis_model_fields(model, dir);
	args = xcalloc((size_t)cJSON_GetArraySize(fields) * 2, sizeof(*args));
	cJSON_ArrayForEach(f, fields) {
		args[n++] = f->string;
		args[n++] = f->valuestring;
	}
	key = xasprintf("%s_ml:%s", r->env, id);
	reply = mp_redis_eval(r, mirror_script, 1, (const char **)&key, n, args, err);
	if (!reply)
		rc = -1;
	mp_redis_reply_free(reply);
	free(key);
	free(args);
	cJSON_Delete(fields);
	return rc;
}

int mp_redis_publish(struct mp_redis *r, const cJSON *event, struct mp_error *err)
{
	cJSON *ev = cJSON_Duplicate(event, 1);
	const char *argv[3];
	char *channel = xasprintf("%s_ml_progress", r->env), *text, when[32];
	redisReply *reply;

	if (mp_json_str(ev, "model_id") && !cJSON_HasObjectItem(ev, "_id"))
		cJSON_AddStringToObject(ev, "_id", mp_json_str(ev, "model_id"));
	if (mp_json_str(ev, "algorithm") && !cJSON_HasObjectItem(ev, "provider"))
		cJSON_AddStringToObject(ev, "provider", mp_json_str(ev, "algorithm"));
	cJSON_AddStringToObject(ev, "env", r->env);
	mp_iso_time(when);
	cJSON_AddStringToObject(ev, "time", when);
	text = mp_json_print(ev, 0);
	argv[0] = "PUBLISH";
	argv[1] = channel;
	argv[2] = text;
	reply = mp_redis_argv(r, 3, argv, NULL, err);
	mp_redis_reply_free(reply);
	free(text);
	free(channel);
	cJSON_Delete(ev);
	return reply ? 0 : -1;
}

/* ---- subscriptions ---- */

int mp_redis_subscribe(struct mp_redis *r, const char *channel,
		       int (*fn)(const char *msg, size_t n, void *arg), void *arg,
		       void (*ready)(void *arg), double timeout, struct mp_error *err)
{
	const char *argv[2] = { "SUBSCRIBE", channel };
	double deadline = timeout > 0 ? mp_now() + timeout : 0;
	/* a server that takes the connection but never confirms the
	 * subscription is as unavailable as one that refuses it */
	double confirm_by = mp_now() + COMMAND_TIMEOUT_S;
	struct timeval none = { 0, 0 };
	int rc = 0, subscribed = 0;

	pthread_mutex_lock(&r->lock);
	if (ensure_connected(r, err)) {
		pthread_mutex_unlock(&r->lock);
		return -1;
	}
	redisSetTimeout(r->ctx, none);
	if (redisAppendCommandArgv(r->ctx, 2, argv, NULL) != REDIS_OK)
		goto lost;
	for (;;) {
		void *v = NULL;
		redisReply *reply;
		if (redisGetReplyFromReader(r->ctx, &v) != REDIS_OK)
			goto lost;
		if (!v) {
			int done = 0;
			/* flush our command, then wait for bytes or the deadline */
			while (!done)
				if (redisBufferWrite(r->ctx, &done) != REDIS_OK)
					goto lost;
			for (;;) {
				struct pollfd pfd = { r->ctx->fd, POLLIN, 0 };
				int ms = 1000, pr;
				if (!subscribed) {
					double left = confirm_by - mp_now();
					if (left <= 0) {
						mp_error_set(err, MP_EX_UNAVAILABLE,
							     "Redis at %s did not answer within %d seconds", r->u.where,
							     COMMAND_TIMEOUT_S);
						rc = -1;
						goto out;
					}
					if (left * 1000 < ms)
						ms = (int)(left * 1000) + 1;
				}
				if (deadline) {
					double left = deadline - mp_now();
					if (left <= 0)
						goto out;
					if (left * 1000 < ms)
						ms = (int)(left * 1000) + 1;
				}
				pr = poll(&pfd, 1, ms);
				if (pr < 0 && errno != EINTR)
					goto lost;
				if (pr > 0)
					break;
			}
			if (redisBufferRead(r->ctx) != REDIS_OK)
				goto lost;
			continue;
		}
		reply = v;
		if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
		    reply->element[0]->type == REDIS_REPLY_STRING) {
			const char *kind = reply->element[0]->str;
			if (!strcmp(kind, "subscribe")) {
				subscribed = 1;
				if (ready)
					ready(arg);
			} else if (!strcmp(kind, "message") &&
				   reply->element[2]->type == REDIS_REPLY_STRING) {
				rc = fn(reply->element[2]->str, reply->element[2]->len, arg);
				if (rc) {
					freeReplyObject(reply);
					goto out;
				}
			}
		} else if (reply->type == REDIS_REPLY_ERROR) {
			mp_error_set(err, MP_EX_UNAVAILABLE, "Redis at %s: %s", r->u.where, reply->str);
			freeReplyObject(reply);
			rc = -1;
			goto out;
		}
		freeReplyObject(reply);
	}
lost:
	mp_error_set(err, MP_EX_UNAVAILABLE, "lost the connection to Redis at %s: %s", r->u.where,
		     r->ctx->errstr[0] ? r->ctx->errstr : "connection closed");
	note_failure(r, err->msg);
	rc = -1;
out:
	/* a subscribed connection takes no other commands: drop it */
	redisFree(r->ctx);
	r->ctx = NULL;
	pthread_mutex_unlock(&r->lock);
	return rc;
}
