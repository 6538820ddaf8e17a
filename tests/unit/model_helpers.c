/* model_helpers.c — training and predicting one algorithm in unit tests. */
#include "model_helpers.h"

#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "threadpool.h"

static void note_progress(void *arg, double f)
{
	struct progress_log *l = arg;

	if (f < l->last)
		l->backwards = 1;
	l->last = f;
	l->calls++;
}

struct mp_model *train_algorithm(const struct mp_algorithm *algo, const struct mp_dataset *d, int threads,
				 uint64_t seed, const char *const *set, struct progress_log *log,
				 struct mp_error *err)
{
	struct mp_params params;
	struct mp_train_ctx ctx;
	struct mp_pool *pool = mp_pool_new(threads);
	struct mp_model *m = NULL;

	mp_params_init(&params, algo->params, algo->n_params, d->task);
	for (; set && *set; set++) {
		char *name = xstrdup(*set), *eq = strchr(name, '=');
		int rc;
		*eq = 0;
		rc = mp_params_set(&params, algo->name, name, eq + 1, err);
		free(name);
		if (rc)
			goto out;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.task = d->task;
	ctx.seed = seed;
	ctx.pool = pool;
	ctx.params = &params;
	ctx.info = cJSON_CreateObject();
	if (log) {
		ctx.progress = note_progress;
		ctx.progress_arg = log;
	}
	m = mp_model_train(algo, d, &ctx, err);
	cJSON_Delete(ctx.info);
out:
	mp_params_free(&params);
	mp_pool_free(pool);
	return m;
}

double *predict_rows(const struct mp_model *m, const struct mp_dataset *d, int threads)
{
	struct mp_error err = { 0, "" };
	struct mp_pool *pool = threads > 0 ? mp_pool_new(threads) : NULL;
	double *out = xcalloc(d->n_rows * (size_t)mp_task_outputs(m->task, m->n_classes) + 1, sizeof(double));

	CHECK(mp_model_predict(m, d, pool, out, &err) == 0);
	if (pool)
		mp_pool_free(pool);
	return out;
}
