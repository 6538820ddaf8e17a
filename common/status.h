/* status.h — the status store. The durable record of a model is
 * model.json in its directory, changed only under an exclusive flock on
 * <dir>/.lock and rewritten atomically, so concurrent stages and threads
 * never lose each other's updates. When a Redis backend is configured
 * every change is mirrored there too (status_redis.c). */
#ifndef MP_STATUS_H
#define MP_STATUS_H

#include <cjson/cJSON.h>

#include "util.h"

#define MP_STATUS_FORMAT "mlpipe/model-status/1"

struct mp_store;
struct mp_redis;
struct mp_remote;

/* Opens the store: file only, plus Redis when redis_url is given or
 * $MLPIPE_REDIS_URL is set, plus a remote model store (remote_store.h)
 * when remote_url is given or $MLPIPE_STORE is set. A malformed URL gives
 * MP_EX_USAGE; an unreachable Redis is not an error here (see
 * mp_store_behind). */
struct mp_store *mp_store_open_with(const char *redis_url, const char *remote_url,
				    struct mp_error *err);
struct mp_store *mp_store_open(const char *redis_url, struct mp_error *err);
void mp_store_close(struct mp_store *st);
int mp_store_has_redis(const struct mp_store *st);
struct mp_redis *mp_store_redis(const struct mp_store *st);   /* NULL: none */
struct mp_remote *mp_store_remote(const struct mp_store *st); /* NULL: none */

/* The Redis outage rule: model.json is the record, so an update whose
 * mirror fails still succeeds; the store remembers it. mp_store_behind is
 * 1 when Redis lacks an update or an event of this process (stages then
 * exit MP_EX_UNAVAILABLE), with the first failure's message and the
 * directories whose hash is stale (for `mlstatus sync`). */
int mp_store_behind(const struct mp_store *st);
const char *mp_store_behind_reason(const struct mp_store *st);
size_t mp_store_unsynced(const struct mp_store *st, char *const **dirs);
/* Mirrors model.json to Redis as it is; fails when Redis cannot be reached. */
int mp_status_sync(struct mp_store *st, const char *dir, struct mp_error *err);

/* Reads model.json of a model directory. */
cJSON *mp_status_read(const char *dir, struct mp_error *err);

/* Locks, reads (or starts an empty record when create is set and there
 * is none), calls fn to change it, writes it back, mirrors it (a mirror
 * failure does not fail the update: see mp_store_behind). */
typedef int (*mp_status_fn)(cJSON *model, void *arg, struct mp_error *err);
int mp_status_update(struct mp_store *st, const char *dir, int create, mp_status_fn fn, void *arg,
		     struct mp_error *err);

/* Publishes a progress/stage event (Redis pub/sub when configured; a
 * no-op on the file store). */
void mp_status_event(struct mp_store *st, const cJSON *event);

/* Helpers on a model.json object. */
cJSON *mp_status_algorithm(cJSON *model, const char *algo); /* get or create algorithms.<algo> */
void mp_status_set(cJSON *obj, const char *key, const char *value); /* string or null */
void mp_status_history(cJSON *model, const char *stage, int ok, double seconds,
		       const char *error);
/* The overall rule: complete when every algorithm finished and at least
 * one succeeded; failed when all failed (or none ran). Returns the
 * status and, for failures, a message naming the failed algorithms. */
const char *mp_status_overall(const cJSON *model, char *why, size_t why_size);
/* A model id a user may give: 1-128 of [A-Za-z0-9._-], not starting with
 * '.', so it is safe as a Redis key part and as a path under a store prefix. */
int mp_model_id_valid(const char *id);
#define MP_MODEL_ID_RULE "1-128 letters, digits, '.', '_' or '-', not starting with '.'"
/* ISO 8601 UTC timestamp of now. */
void mp_iso_time(char buf[32]);

#endif
