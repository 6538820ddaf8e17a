/* status_redis.c — placeholder until the Redis backend lands: configuring
 * a Redis URL fails loudly instead of being ignored. */
#include "status_redis.h"

struct mp_redis *mp_redis_connect(const char *url, struct mp_error *err)
{
	(void)url;
	mp_error_set(err, MP_EX_UNAVAILABLE, "the Redis status backend is not available yet");
	return NULL;
}

void mp_redis_close(struct mp_redis *r)
{
	(void)r;
}

int mp_redis_mirror(struct mp_redis *r, const cJSON *model, struct mp_error *err)
{
	(void)r;
	(void)model;
	(void)err;
	return 0;
}

void mp_redis_publish(struct mp_redis *r, const cJSON *event)
{
	(void)r;
	(void)event;
}
