/* status_redis.h — the Redis mirror of the status store (hiredis). */
#ifndef MP_STATUS_REDIS_H
#define MP_STATUS_REDIS_H

#include <cjson/cJSON.h>

#include "util.h"

struct mp_redis;

/* redis://[:password@]host:port[/db] or unix:/path/to/socket[?db=N]. */
struct mp_redis *mp_redis_connect(const char *url, struct mp_error *err);
void mp_redis_close(struct mp_redis *r);
/* Writes the model's status to the hash <env>_ml:<id>. */
int mp_redis_mirror(struct mp_redis *r, const cJSON *model, struct mp_error *err);
/* Publishes an event on <env>_ml_progress. */
void mp_redis_publish(struct mp_redis *r, const cJSON *event);

#endif
