/* tree_bench.c — trains one algorithm on a model directory written by
 * mlprep, predicts its test split and prints one JSON line: seconds to
 * train and predict, the test metric (AUC, accuracy or R²) and the
 * training info. For measuring the tree algorithms against their peers
 * (see tree_bench.md); not part of the build.
 *
 *   cc -O2 -Icommon $(pkg-config --cflags libcjson) tests/bench/tree_bench.c \
 *      build/libmlpipe.a -lcsv $(pkg-config --libs libcjson libcurl hiredis openblas libzstd) -lm -pthread
 *   tree_bench MODEL_DIR ALGO [-j THREADS] [--seed N] [--save FILE] [ALGO.PARAM=VALUE ...] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "metrics.h"
#include "models/model.h"

int main(int argc, char **argv)
{
	struct mp_error err = { 0 };
	struct mp_dataset *train, *test;
	const struct mp_algorithm *algo;
	struct mp_params params;
	struct mp_train_ctx ctx;
	struct mp_model *m;
	struct mp_pool *pool;
	const char *save = NULL;
	double t0, t1, t2, t3, metric = 0, *out;
	int threads = 1, i, k, outputs;
	uint64_t seed = 1;
	char *info;
	size_t r;

	if (argc < 3) {
		fprintf(stderr, "usage: tree_bench MODEL_DIR ALGO [-j N] [--seed N] [--save FILE] [P=V...]\n");
		return 2;
	}
	algo = mp_algorithm_find(argv[2]);
	if (!algo) {
		fprintf(stderr, "tree_bench: unknown algorithm '%s'\n", argv[2]);
		return 2;
	}
	train = mp_dataset_load(argv[1], "train", &err);
	test = train ? mp_dataset_load(argv[1], "test", &err) : NULL;
	if (!test) {
		fprintf(stderr, "tree_bench: %s\n", err.msg);
		return 1;
	}
	mp_params_init(&params, algo->params, algo->n_params, train->task);
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "-j") && i + 1 < argc) {
			threads = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--save") && i + 1 < argc) {
			save = argv[++i];
		} else {
			char *eq = strchr(argv[i], '=');
			if (!eq) {
				fprintf(stderr, "tree_bench: expected PARAM=VALUE, got '%s'\n", argv[i]);
				return 2;
			}
			*eq = 0;
			if (mp_params_set(&params, algo->name, argv[i], eq + 1, &err)) {
				fprintf(stderr, "tree_bench: %s\n", err.msg);
				return 2;
			}
		}
	}
	pool = mp_pool_new(threads);
	memset(&ctx, 0, sizeof(ctx));
	ctx.task = train->task;
	ctx.seed = seed;
	ctx.pool = pool;
	ctx.params = &params;
	ctx.info = cJSON_CreateObject();
	t0 = mp_now();
	m = mp_model_train(algo, train, &ctx, &err);
	t1 = mp_now();
	if (!m) {
		fprintf(stderr, "tree_bench: %s\n", err.msg);
		return 1;
	}
	outputs = mp_task_outputs(m->task, m->n_classes);
	out = xmalloc(mp_mul_size(test->n_rows ? test->n_rows : 1, (size_t)outputs * sizeof(double)));
	if (mp_model_predict(m, test, pool, out, &err)) {
		fprintf(stderr, "tree_bench: %s\n", err.msg);
		return 1;
	}
	t2 = mp_now();
	if (m->task == MP_BINARY) {
		metric = mp_roc_auc(test->y, out, test->n_rows);
	} else if (m->task == MP_REGRESSION) {
		metric = mp_r_squared(test->y, out, test->n_rows);
	} else {
		size_t right = 0;
		for (r = 0; r < test->n_rows; r++) {
			int best = 0;
			for (k = 1; k < outputs; k++)
				if (out[r * (size_t)outputs + (size_t)k] > out[r * (size_t)outputs + (size_t)best])
					best = k;
			right += best == (int)test->y[r];
		}
		metric = (double)right / (double)test->n_rows;
	}
	t3 = mp_now();
	if (save && mp_model_save(m, save, &err)) {
		fprintf(stderr, "tree_bench: %s\n", err.msg);
		return 1;
	}
	t3 = mp_now() - t3;
	info = cJSON_PrintUnformatted(m->info);
	printf("{\"algorithm\":\"%s\",\"threads\":%d,\"train_rows\":%zu,\"train_seconds\":%.3f,"
	       "\"predict_seconds\":%.3f,\"save_seconds\":%.3f,\"%s\":%.4f,\"info\":%s}\n",
	       algo->name, threads, train->n_rows, t1 - t0, t2 - t1, t3,
	       m->task == MP_BINARY ? "auc" : m->task == MP_REGRESSION ? "r_squared" : "accuracy",
	       metric, info);
	free(info);
	free(out);
	cJSON_Delete(ctx.info);
	mp_model_free(m);
	mp_params_free(&params);
	mp_dataset_free(train);
	mp_dataset_free(test);
	mp_pool_free(pool);
	return 0;
}
