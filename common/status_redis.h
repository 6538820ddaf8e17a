/* status_redis.h — the Redis side of the status store (hiredis).
 *
 * Keys, in the original system's scheme (<env> is $MLPIPE_ENV, default
 * "development"):
 *   <env>_ml:<id>            hash: the model's status, mirrored from
 *                            model.json after every change
 *   <env>_ml_progress        pub/sub channel: progress and stage events
 *   <env>_ml_<queue>:<id>    hash: a queue entry (queue.h)
 *
 * model.json stays the durable record: a command that cannot reach the
 * server fails with MP_EX_UNAVAILABLE and the handle remembers it
 * (mp_redis_failed), so a stage can finish its work on the file store and
 * still say, with its exit status, that Redis is behind. The URL's
 * password never appears in a message: mp_redis_where() names the server. */
#ifndef MP_STATUS_REDIS_H
#define MP_STATUS_REDIS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "util.h"

struct mp_redis;
struct redisReply;

/* A parsed server address:
 *   redis://[[user]:password@]host[:port][/db]   (port 6379, db 0)
 *   unix:/path/to/socket[?db=N]   unix:///path   redis+unix:///path */
struct mp_redis_url {
	char *host;      /* NULL for a unix socket */
	int port;
	char *socket;    /* NULL for TCP */
	char *user, *password;
	int db;
	char *where;     /* "host:port[/db]" or "unix:/path": for messages */
};

/* MP_EX_USAGE on a malformed URL; the message never quotes a password. */
int mp_redis_url_parse(const char *url, struct mp_redis_url *u, struct mp_error *err);
void mp_redis_url_free(struct mp_redis_url *u);

/* The key prefix: $MLPIPE_ENV or "development". A value with characters
 * other than letters, digits, '.', '-' and '_' gives MP_EX_USAGE. */
int mp_redis_env(const char **env, struct mp_error *err);

/* Parses the URL and connects. mp_redis_open keeps a handle even when
 * the server cannot be reached (each later command tries again, at most
 * once a second); mp_redis_connect fails with MP_EX_UNAVAILABLE then. */
struct mp_redis *mp_redis_open(const char *url, struct mp_error *err);
struct mp_redis *mp_redis_connect(const char *url, struct mp_error *err);
void mp_redis_close(struct mp_redis *r);
/* Another handle to the same server (for a thread or a subscription). */
struct mp_redis *mp_redis_clone(const struct mp_redis *r, struct mp_error *err);

const char *mp_redis_where(const struct mp_redis *r);
const char *mp_redis_prefix(const struct mp_redis *r); /* the env */
/* 1 when a command failed to reach the server since open. */
int mp_redis_failed(const struct mp_redis *r);
/* The first such failure's message ("" when none). */
const char *mp_redis_failure(const struct mp_redis *r);

/* Replaces the hash <env>_ml:<id> with the model's status (dir: the
 * model directory, recorded as the field "model"). */
int mp_redis_mirror(struct mp_redis *r, const cJSON *model, const char *dir,
		    struct mp_error *err);
/* The hash fields for a model, as a flat JSON object of strings. */
cJSON *mp_redis_model_fields(const cJSON *model, const char *dir);
/* Publishes an event on <env>_ml_progress, adding "_id", "provider"
 * (the original's names for model_id and algorithm), "env" and "time". */
int mp_redis_publish(struct mp_redis *r, const cJSON *event, struct mp_error *err);

/* Runs one command (arguments as strings, lens NULL for C strings).
 * Thread-safe. Error replies give MP_EX_SOFTWARE with the server's text;
 * connection failures MP_EX_UNAVAILABLE. Free with mp_redis_reply_free. */
struct redisReply *mp_redis_argv(struct mp_redis *r, int argc, const char **argv,
				 const size_t *lens, struct mp_error *err);
struct redisReply *mp_redis_cmd(struct mp_redis *r, struct mp_error *err, const char *fmt, ...);
/* EVALSHA of the script (loaded on first use), keys then args. */
struct redisReply *mp_redis_eval(struct mp_redis *r, const char *script, int n_keys,
				 const char **keys, int n_args, const char **args,
				 struct mp_error *err);
void mp_redis_reply_free(struct redisReply *reply);

/* Subscribes to channel and calls fn for each message until fn returns
 * non-zero (that value is returned), timeout seconds pass (0 = none;
 * returns 0), or the connection fails (-1, err set). ready, when not
 * NULL, is called once the subscription is confirmed. */
int mp_redis_subscribe(struct mp_redis *r, const char *channel,
		       int (*fn)(const char *msg, size_t n, void *arg), void *arg,
		       void (*ready)(void *arg), double timeout, struct mp_error *err);

#endif
