/* linear_nn_bench.c — trains one algorithm on a model directory written by
 * mlprep and reports the training time, the test metric and the training
 * info, for side-by-side runs against liblinear-train and scikit-learn
 * (see linear_nn_bench.md).
 *
 *   build: make && cc -O2 -std=c11 -D_GNU_SOURCE -Icommon \
 *            $(pkg-config --cflags openblas libcjson) tests/bench/linear_nn_bench.c \
 *            build/libmlpipe.a -lcsv $(pkg-config --libs libcjson libcurl hiredis openblas libzstd) \
 *            -lm -pthread -o build/linear_nn_bench
 *   run:   build/linear_nn_bench DIR ALGO [-j THREADS] [--seed N] [--set P=V]...
 *                                     [-o MODEL.json] [--dump PREDICTIONS.csv]
 *
 * Prints one JSON line: {"algorithm", "threads", "train_seconds",
 * "predict_seconds", "metric", "value", "info"}. */
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "jsonio.h"
#include "metrics.h"
#include "models/model.h"
#include "threadpool.h"
#include "util.h"

static int usage(void)
{
	fprintf(stderr, "usage: linear_nn_bench DIR ALGO [-j N] [--seed N] [--set P=V]... [-o FILE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct mp_error err = { 0, "" };
	const struct mp_algorithm *algo;
	struct mp_dataset *train, *test;
	struct mp_train_ctx ctx;
	struct mp_params params;
	struct mp_model *m;
	struct mp_pool *pool;
	const char *out_path = NULL, *dump_path = NULL;
	double t0, t_train, t_pred, value = 0, *pred;
	const char *metric;
	int threads = 2, i, k;
	uint64_t seed = 1;
	char *info;
	size_t r;

	if (argc < 3)
		return usage();
	algo = mp_algorithm_find(argv[2]);
	if (!algo) {
		fprintf(stderr, "unknown algorithm '%s'\n", argv[2]);
		return 2;
	}
	train = mp_dataset_load(argv[1], "train", &err);
	test = train ? mp_dataset_load(argv[1], "test", &err) : NULL;
	if (!test) {
		fprintf(stderr, "linear_nn_bench: %s\n", err.msg);
		return 1;
	}
	mp_params_init(&params, algo->params, algo->n_params, train->task);
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "-j") && i + 1 < argc) {
			threads = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--dump") && i + 1 < argc) {
			dump_path = argv[++i];
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out_path = argv[++i];
		} else if (!strcmp(argv[i], "--set") && i + 1 < argc) {
			char *eq, *name = xstrdup(argv[++i]);
			eq = strchr(name, '=');
			if (!eq)
				return usage();
			*eq = 0;
			if (mp_params_set(&params, algo->name, name, eq + 1, &err)) {
				fprintf(stderr, "linear_nn_bench: %s\n", err.msg);
				return 2;
			}
			free(name);
		} else {
			return usage();
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
	t_train = mp_now() - t0;
	if (!m) {
		fprintf(stderr, "linear_nn_bench: %s\n", err.msg);
		return 1;
	}
	k = mp_task_outputs(test->task, test->n_classes);
	pred = xcalloc(test->n_rows * (size_t)k, sizeof(double));
	t0 = mp_now();
	if (mp_model_predict(m, test, pool, pred, &err)) {
		fprintf(stderr, "linear_nn_bench: %s\n", err.msg);
		return 1;
	}
	t_pred = mp_now() - t0;
	if (test->task == MP_BINARY) {
		metric = "auc";
		value = mp_roc_auc(test->y, pred, test->n_rows);
	} else if (test->task == MP_REGRESSION) {
		metric = "r2";
		value = mp_r_squared(test->y, pred, test->n_rows);
	} else {
		size_t right = 0;
		metric = "accuracy";
		for (r = 0; r < test->n_rows; r++)
			right += mp_argmax(pred + r * (size_t)k, k) == (int)test->y[r];
		value = (double)right / (double)test->n_rows;
	}
	if (dump_path) {
		FILE *f = fopen(dump_path, "w");
		for (r = 0; f && r < test->n_rows * (size_t)k; r++)
			fprintf(f, "%.17g%c", pred[r], (r + 1) % (size_t)k ? ',' : '\n');
		if (f)
			fclose(f);
	}
	if (out_path && mp_model_save(m, out_path, &err)) {
		fprintf(stderr, "linear_nn_bench: %s\n", err.msg);
		return 1;
	}
	info = cJSON_PrintUnformatted(ctx.info);
	printf("{\"algorithm\":\"%s\",\"rows\":%zu,\"threads\":%d,\"train_seconds\":%.3f,"
	       "\"predict_seconds\":%.3f,\"%s\":%.6f,\"info\":%s}\n",
	       algo->name, train->n_rows, threads, t_train, t_pred, metric, value, info);
	free(info);
	free(pred);
	cJSON_Delete(ctx.info);
	mp_model_free(m);
	mp_params_free(&params);
	mp_pool_free(pool);
	mp_dataset_free(train);
	mp_dataset_free(test);
	return 0;
}
