/* queue.h — the work queue cron workers share through Redis.
 *
 * A job is a hash <env>_ml_<queue>:<id> (the original system's
 * <env>_ml_preprocessing:<id> for the first stage; the queues of the
 * other stages are train, batch, analyze and score), listed in the
 * sorted set <env>_ml_<queue> by enqueue time. Fields: _id, model,
 * stage, status (queued | claimed | failed), numErrors, maxRetries,
 * error, owner, lease_until (ms, Redis clock), lease_seconds, claims,
 * claimed_at, worker, store, enqueued_at, and for the prep queue what
 * mlprep needs: input, type, test, test_fraction, seed, include,
 * exclude, name.
 *
 * Every change is one Lua script, so it is atomic across workers:
 *   claim   picks up to N jobs that are queued or whose lease ran out,
 *           oldest first, stamps owner and lease; a job whose lease ran
 *           out counts as a failure ("lease of OWNER expired")
 *   renew   extends the lease only for the owner
 *   done    deletes the job (only the owner, unless forced)
 *   fail    keeps the error, counts it, and queues the job again, or
 *           parks it as failed (kept, never deleted) past maxRetries
 * A job is never deleted before its work is done (REFERENCE §10.44).
 *
 * Claimed jobs travel down the chain in the pipe line's "job" member:
 *   {"queue":"preprocessing","key":"development_ml_preprocessing:loans",
 *    "owner":"host:1234:5f2c","lease":300}
 * and each stage holds the lease (mp_lease_begin) while it works. */
#ifndef MP_QUEUE_H
#define MP_QUEUE_H

#include <cjson/cJSON.h>

#include "status_redis.h"
#include "util.h"

/* "prep" -> "preprocessing"; train, batch, analyze, score as they are;
 * NULL for anything else. */
const char *mp_queue_for_stage(const char *stage);
/* The stage a queue starts at (inverse of the above), or NULL. */
const char *mp_queue_stage(const char *queue);

struct mp_job_spec {
	const char *id;
	const char *model;   /* directory (or working copy name with a store) */
	const char *store;   /* remote store URL or NULL */
	const char *input, *test, *type, *name, *include, *exclude, *seed, *test_fraction;
	int max_retries;
};

/* Adds (or replaces) the job. A job that a live worker holds is left
 * alone: MP_EX_TEMPFAIL naming the owner. *previous (when not NULL)
 * gets the replaced job's status ("" when new). */
int mp_queue_enqueue(struct mp_redis *r, const char *stage, const struct mp_job_spec *spec,
		     char *previous, size_t previous_size, struct mp_error *err);

/* Claims up to max jobs of a stage's queue for owner. *jobs gets an
 * array of pipe-line objects ({"model","id","stage":"claim","ok":true,
 * the job's prep fields, "job":{...}}); *parked an array of the ids of
 * jobs parked as failed because their lease ran out once too often.
 * store: only jobs enqueued with the same remote store (NULL: none). */
int mp_queue_claim(struct mp_redis *r, const char *stage, const char *owner, int lease_seconds,
		   int max, const char *store, cJSON **jobs, cJSON **parked, struct mp_error *err);

/* Extends the lease of a job member; worker describes the renewing
 * process. 1 = renewed, 0 = no longer ours (*holder, when not NULL,
 * gets the current owner or "gone"), -1 = error (err set). */
int mp_queue_renew(struct mp_redis *r, const cJSON *job, const char *worker, char *holder,
		   size_t holder_size, struct mp_error *err);
/* Sets err for a renew that found the job no longer ours (holder as
 * mp_queue_renew gave it): MP_EX_NOINPUT when the job is gone, else
 * MP_EX_TEMPFAIL. what ends the message ("skipped", "dropped"). */
int mp_queue_not_ours(const cJSON *job, const char *holder, const char *what, struct mp_error *err);
/* The job's work is done: deletes it. 1 = deleted, 0 = already gone,
 * -1 = error; a job another owner holds gives MP_EX_TEMPFAIL (unless
 * force). */
int mp_queue_done(struct mp_redis *r, const cJSON *job, int force, struct mp_error *err);
/* The job failed: records error and counts it. *outcome: "requeued",
 * "parked" (past maxRetries) or "gone"; *errors the count. */
int mp_queue_fail(struct mp_redis *r, const cJSON *job, const char *error, int force,
		  const char **outcome, int *errors, struct mp_error *err);

/* The job member for model id in a stage's queue (NULL stage: the first
 * queue that has it), or NULL when there is none. */
cJSON *mp_queue_find(struct mp_redis *r, const char *id, const char *stage, struct mp_error *err);
/* Every job hash of the env: an array of objects (fields, plus "key"
 * and "queue"). */
cJSON *mp_queue_list(struct mp_redis *r, struct mp_error *err);

/* "host:pid:random" */
char *mp_queue_owner_new(void);

/* Holding a lease while working: renews at once (NULL with
 * MP_EX_TEMPFAIL when the job is no longer ours), then every third of
 * the lease from a thread of its own, with its own connection. An
 * unreachable Redis is tolerated (renewal goes on trying). */
struct mp_lease;
struct mp_lease *mp_lease_begin(struct mp_redis *r, const cJSON *job, const char *worker,
				struct mp_error *err);
/* Stops renewing and checks the job once more: returns 1, with err set as
 * mp_queue_not_ours does, when it is no longer ours (the lease ran out
 * and another worker claimed it, or it was released); 0 when it still is
 * or Redis cannot say. NULL l: 0. */
int mp_lease_end(struct mp_lease *l, struct mp_error *err);

#endif
