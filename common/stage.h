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

#endif
