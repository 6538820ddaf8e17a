/* stage.h — what every stage after mlprep does around its own work: take
 * each model from the arguments or the pipe, pass upstream failures
 * through untouched, run the work, record the outcome in model.json
 * (history, status, error), print one pipe line, and pick the exit
 * status: 0 all ok, 1 a model failed upstream, else the status of the
 * first failure found here (65 data, 66 missing input, ...). */
#ifndef MP_STAGE_H
#define MP_STAGE_H

#include <cjson/cJSON.h>

#include "pipe.h"
#include "status.h"
#include "util.h"

struct mp_stage {
	const char *prog;       /* "mltrain": prefix of messages */
	const char *name;       /* "train": the stage name in pipe lines and history */
	const char *done;       /* model status after success, e.g. "trained" */
	struct mp_store *store;
	int quiet;
};

/* The stage's work on one model. It may add members to `out` (printed in
 * the pipe line). Return 0, or -1 with err set: the model is then marked
 * failed with err's message. */
typedef int (*mp_stage_fn)(struct mp_stage *st, const char *dir, cJSON *out, void *arg,
			   struct mp_error *err);

int mp_stage_run(struct mp_stage *st, struct mp_pipe_in *in, mp_stage_fn fn, void *arg);

/* Marks the model failed (status, error, history) without running. */
void mp_stage_mark_failed(struct mp_stage *st, const char *dir, const char *error,
			  double seconds);
/* The model's id from model.json, or NULL (malloc'd). */
char *mp_stage_model_id(const char *dir);
/* Prints "<prog>: <msg>" on stderr. */
void mp_stage_error(const struct mp_stage *st, const char *msg);

/* ---- shared with mlprep and mlstatus: Redis, queue, remote store ----
 * mp_stage_run does all of this itself for each model. */
struct mp_lease;
/* The model's id for the remote store: the pipe line's "id", else
 * model.json's, else the directory's name (malloc'd). */
char *mp_stage_store_id(const char *dir, const cJSON *line);
/* With a remote store: fetch the model's changed files into dir (only:
 * NULL-terminated relative names, NULL = all) / upload the ones that
 * changed. No-ops without a store. */
int mp_stage_pull(struct mp_store *store, const char *dir, const cJSON *line,
		  const char *const *only, struct mp_error *err);
int mp_stage_push(struct mp_store *store, const char *dir, const cJSON *line,
		  struct mp_error *err);
/* When the pipe line carries a claimed "job" and Redis is configured:
 * renews its lease now and from a thread until mp_lease_end. NULL with
 * err clear when there is nothing to hold (or Redis is down: the work
 * goes on); NULL with MP_EX_TEMPFAIL when another worker has the job. */
struct mp_lease *mp_stage_hold(const char *prog, struct mp_store *store, const cJSON *line,
			       struct mp_error *err);
/* Copies the pipe line's "job" member into out (created when NULL), so
 * the next stage holds the lease in turn. */
cJSON *mp_stage_carry(const cJSON *line, cJSON *out);
/* Publishes {"model_id","stage","status"[,"error"]} when Redis is configured. */
void mp_stage_event(struct mp_store *store, const char *id, const char *stage, const char *status,
		    const char *error);
/* At exit: when Redis missed updates or events, says so on stderr with
 * the `mlstatus sync` to run, and turns 0 or 1 into MP_EX_UNAVAILABLE. */
int mp_stage_store_finish(const char *prog, struct mp_store *store, int status);

#endif
