/* test_gradient_boosting.c — gradient_boosting: Newton leaf weights worked
 * by hand for each loss, one tree per class per round, early stopping,
 * leaf caps, save/load, thread-count determinism, degenerate inputs. */
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "model_helpers.h"
#include "models/model.h"
#include "rng.h"
#include "test.h"

extern const struct mp_algorithm mp_gradient_boosting;

static struct mp_dataset *gb_data(enum mp_task task, size_t n, size_t p, int k)
{
	struct mp_dataset *d = mp_dataset_new(task, n, p, k);
	size_t j;
	int c;

	for (j = 0; j < p; j++) {
		char name[32];
		snprintf(name, sizeof(name), "x%zu", j);
		d->features[j].name = xstrdup(name);
	}
	for (c = 0; c < k; c++) {
		char name[32];
		snprintf(name, sizeof(name), "class%d", c);
		d->class_names[c] = xstrdup(name);
	}
	return d;
}

static struct mp_model *gb_train_with(const struct mp_dataset *d, int threads, const char **set,
				      struct progress_log *log, struct mp_error *err)
{
	return train_algorithm(&mp_gradient_boosting, d, threads, 42, set, log, err);
}

static double *gb_predict_all(const struct mp_model *m, const struct mp_dataset *d)
{
	return predict_rows(m, d, 0);
}

static char *gb_json(const struct mp_model *m)
{
	cJSON *j = m->algo->save(m->impl);
	char *s = cJSON_PrintUnformatted(j);

	cJSON_Delete(j);
	return s;
}

/* One round, one split, no sampling: every number below is by hand. */
static const char *one_split[] = { "rounds=1", "max_depth=1", "subsample=1", "colsample=1",
				   "early_stopping_rounds=0", "min_child_weight=0.1", NULL };

TEST(gradient_boosting_squared_error_by_hand)
{
	/* y = 1 1 3 3 at x = 1..4; base = mean 2, g = base - y = 1 1 -1 -1,
	 * h = 1. Split x < 2.5; left weight -G/(H+lambda) = -2/(2+1) = -2/3,
	 * times learning rate 0.5: left predicts 2 - 1/3, right 2 + 1/3. */
	static const double y[] = { 1, 1, 3, 3 };
	const char *set[16];
	struct mp_dataset *d = gb_data(MP_REGRESSION, 4, 1, 0);
	struct mp_error err = { 0 };
	struct mp_model *m;
	double *p;
	int i;

	memcpy(set, one_split, sizeof(one_split));
	set[6] = "learning_rate=0.5";
	set[7] = "lambda=1";
	set[8] = NULL;
	for (i = 0; i < 4; i++) {
		d->x[i] = (float)(i + 1);
		d->y[i] = y[i];
	}
	m = gb_train_with(d, 1, set, NULL, &err);
	CHECK(m != NULL);
	p = gb_predict_all(m, d);
	CHECK_NEAR(p[0], 2 - 1.0 / 3, 1e-6);
	CHECK_NEAR(p[1], 2 - 1.0 / 3, 1e-6);
	CHECK_NEAR(p[3], 2 + 1.0 / 3, 1e-6);
	CHECK_NEAR(mp_json_num(m->info, "rounds", 0), 1, 0);
	free(p);
	mp_model_free(m);
	mp_dataset_free(d);
}

TEST(gradient_boosting_logloss_by_hand)
{
	/* y = 0 0 1 1: the prior is 1/2, margin 0, so g = p - y = +-1/2 and
	 * h = p(1-p) = 1/4. Left weight -G/(H+lambda) = -1/(0.5+0) = -2, so
	 * with learning rate 1 the left rows get P = sigmoid(-2) = 0.11920. */
	const char *set[16];
	struct mp_dataset *d = gb_data(MP_BINARY, 4, 1, 2);
	struct mp_error err = { 0 };
	struct mp_model *m;
	double *p;
	int i;

	memcpy(set, one_split, sizeof(one_split));
	set[6] = "learning_rate=1";
	set[7] = "lambda=0";
	set[8] = NULL;
	for (i = 0; i < 4; i++) {
		d->x[i] = (float)(i + 1);
		d->y[i] = i >= 2;
	}
	m = gb_train_with(d, 1, set, NULL, &err);
	CHECK(m != NULL);
	p = gb_predict_all(m, d);
	CHECK_NEAR(p[0], 1 / (1 + exp(2.0)), 1e-6);
	CHECK_NEAR(p[3], 1 / (1 + exp(-2.0)), 1e-6);
	free(p);
	mp_model_free(m);
	mp_dataset_free(d);
}

TEST(gradient_boosting_softmax_by_hand)
{
	/* Three classes, two rows each at x = 1..6 (y = 0 0 1 1 2 2). Priors
	 * 1/3: equal margins, p = 1/3, h = p(1-p) = 2/9 for every row, and
	 * g = 1/3 - [y == class]. Score G^2/H (lambda 0):
	 *  class 0: x < 2.5 gives (4/3)^2/(4/9) + (4/3)^2/(8/9) = 4 + 2 = 6,
	 *    the best; left weight -G/H = (4/3)/(4/9) = 3, right -3/2.
	 *  class 1: x < 2.5 and x < 4.5 both give 1 + 1/2 (the first wins);
	 *    row 0 is left: G = 2/3, H = 4/9, weight -3/2.
	 *  class 2: x < 4.5 (the mirror of class 0); row 0 is left with
	 *    G = 4/3, H = 8/9: weight -3/2.
	 * So row 0 has P(class 0) = e^3 / (e^3 + 2 e^-1.5). */
	const char *set[16];
	struct mp_dataset *d = gb_data(MP_CATEGORICAL, 6, 1, 3);
	struct mp_error err = { 0 };
	struct mp_model *m;
	cJSON *j;
	double *p, e3, em, expect;
	int i;

	memcpy(set, one_split, sizeof(one_split));
	set[6] = "learning_rate=1";
	set[7] = "lambda=0";
	set[8] = NULL;
	for (i = 0; i < 6; i++) {
		d->x[i] = (float)(i + 1);
		d->y[i] = i / 2;
	}
	m = gb_train_with(d, 2, set, NULL, &err);
	CHECK(m != NULL);
	j = m->algo->save(m->impl);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(j, "trees")), 3);
	CHECK_NEAR(mp_json_num(j, "trees_per_round", 0), 3, 0);
	cJSON_Delete(j);
	p = gb_predict_all(m, d);
	for (i = 0; i < 6; i++)
		CHECK_NEAR(p[3 * i] + p[3 * i + 1] + p[3 * i + 2], 1, 1e-12);
	e3 = exp(3.0);
	em = 2 * exp(-1.5);
	expect = e3 / (e3 + em);
	CHECK_NEAR(p[0], expect, 1e-6);
	CHECK(p[0] > p[1] && p[0] > p[2]);
	free(p);
	mp_model_free(m);
	mp_dataset_free(d);
}

static struct mp_dataset *gb_random(enum mp_task task, size_t n, uint64_t seed, double noise)
{
	int k = task == MP_BINARY ? 2 : task == MP_CATEGORICAL ? 3 : 0;
	struct mp_dataset *d = gb_data(task, n, 4, k);
	struct mp_rng rng;
	size_t i;

	mp_rng_seed(&rng, seed);
	for (i = 0; i < n; i++) {
		double a = mp_rng_normal(&rng), b = mp_rng_normal(&rng), e = noise * mp_rng_normal(&rng);
		d->x[i] = (float)a;
		d->x[n + i] = (float)b;
		d->x[2 * n + i] = (float)mp_rng_below(&rng, 30);
		d->x[3 * n + i] = (float)mp_rng_normal(&rng);
		if (task == MP_REGRESSION)
			d->y[i] = 2 * a - b + d->x[2 * n + i] / 10 + e;
		else if (task == MP_BINARY)
			d->y[i] = a - b + e > 0;
		else
			d->y[i] = a + e < -0.5 ? 0 : a + e < 0.5 ? 1 : 2;
	}
	return d;
}

TEST(gradient_boosting_learns_and_round_trips)
{
	enum mp_task tasks[] = { MP_BINARY, MP_CATEGORICAL, MP_REGRESSION };
	int ti;

	for (ti = 0; ti < 3; ti++) {
		struct mp_dataset *d = gb_random(tasks[ti], 3000, 5 + (uint64_t)ti, 0.3);
		const char *set[] = { "rounds=60", NULL };
		struct mp_error err = { 0 };
		struct progress_log log = { 0, 0, 0 };
		struct mp_model *m = gb_train_with(d, 2, set, &log, &err), *back;
		char path[512];
		double *p1, *p2, fit = 0;
		int outputs;
		size_t i;

		CHECK(m != NULL);
		if (!m)
			continue;
		CHECK(log.calls >= 2 && !log.backwards && log.last == 1);
		outputs = mp_task_outputs(m->task, m->n_classes);
		p1 = gb_predict_all(m, d);
		for (i = 0; i < d->n_rows; i++) {
			if (tasks[ti] == MP_BINARY)
				fit += (p1[i] > 0.5) == (d->y[i] > 0.5);
			else if (tasks[ti] == MP_CATEGORICAL)
				fit += p1[3 * i + (size_t)d->y[i]] > 0.5;
			else
				fit += fabs(p1[i] - d->y[i]) < 1;
		}
		CHECK(fit / (double)d->n_rows > 0.85);
		snprintf(path, sizeof(path), "%s/gb-%d.json", mp_test_tmpdir(), ti);
		CHECK(mp_model_save(m, path, &err) == 0);
		back = mp_model_load(path, &err);
		CHECK(back != NULL);
		if (back) {
			p2 = gb_predict_all(back, d);
			CHECK(memcmp(p1, p2, d->n_rows * (size_t)outputs * sizeof(double)) == 0);
			free(p2);
		}
		free(p1);
		mp_model_free(back);
		mp_model_free(m);
		mp_dataset_free(d);
	}
}

TEST(gradient_boosting_early_stopping)
{
	/* pure noise: validation loss stops improving early on */
	struct mp_dataset *d = gb_random(MP_BINARY, 2000, 8, 50);
	const char *set[] = { "rounds=400", "early_stopping_rounds=10", "validation_fraction=0.25",
			      "learning_rate=0.3", NULL };
	struct mp_error err = { 0 };
	struct mp_model *m = gb_train_with(d, 1, set, NULL, &err);
	cJSON *j;
	double rounds, best;

	CHECK(m != NULL);
	rounds = mp_json_num(m->info, "rounds", -1);
	best = mp_json_num(m->info, "best_iteration", -1);
	CHECK(rounds >= 1 && rounds < 100);
	CHECK_NEAR(best, rounds, 0);
	CHECK_NEAR(mp_json_num(m->info, "rounds_trained", -1), best + 10, 0);
	CHECK_NEAR(mp_json_num(m->info, "validation_rows", -1), 500, 0);
	j = m->algo->save(m->impl);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(j, "trees")), (int)rounds);
	cJSON_Delete(j);
	mp_model_free(m);
	mp_dataset_free(d);
}

TEST(gradient_boosting_max_leaves)
{
	struct mp_dataset *d = gb_random(MP_REGRESSION, 2000, 12, 0.5);
	const char *set[] = { "rounds=5", "max_depth=0", "max_leaves=3", NULL };
	struct mp_error err = { 0 };
	struct mp_model *m = gb_train_with(d, 1, set, NULL, &err);
	cJSON *j, *t, *f;
	char *text;

	CHECK(m != NULL);
	text = gb_json(m); /* parsed back: tree arrays are written as raw text */
	j = cJSON_Parse(text);
	free(text);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(j, "trees")), 5);
	cJSON_ArrayForEach(t, cJSON_GetObjectItem(j, "trees")) {
		int leaves = 0;
		cJSON_ArrayForEach(f, cJSON_GetObjectItem(t, "feature"))
			leaves += f->valuedouble < 0;
		CHECK_INT(leaves, 3);
	}
	cJSON_Delete(j);
	mp_model_free(m);
	mp_dataset_free(d);
}

TEST(gradient_boosting_same_for_any_thread_count)
{
	/* big enough for several histogram blocks per node, with row and
	 * column sampling and a validation part */
	enum mp_task tasks[] = { MP_BINARY, MP_CATEGORICAL };
	int ti;

	for (ti = 0; ti < 2; ti++) {
		struct mp_dataset *d = gb_random(tasks[ti], 40000, 3, 1);
		const char *set[] = { "rounds=8", "max_depth=5", "subsample=0.7", "colsample=0.75", NULL };
		struct mp_error err = { 0 };
		struct mp_model *a = gb_train_with(d, 1, set, NULL, &err);
		struct mp_model *b = gb_train_with(d, 2, set, NULL, &err);
		char *sa = gb_json(a), *sb = gb_json(b);

		CHECK(strlen(sa) > 1000);
		CHECK_STR(sa, sb);
		CHECK(cJSON_Compare(a->info, b->info, 1));
		free(sa);
		free(sb);
		mp_model_free(a);
		mp_model_free(b);
		mp_dataset_free(d);
	}
}

/* Trains, predicts every row and a 1-row set with an unseen label. */
static void gb_check_sane(struct mp_dataset *d)
{
	const char *set[] = { "rounds=20", NULL };
	struct mp_error err = { 0 };
	struct mp_model *m = gb_train_with(d, 2, set, NULL, &err);
	struct mp_dataset *one;
	size_t idx = d->n_rows - 1, i;
	double *p;
	int outputs;

	CHECK(m != NULL);
	if (!m) {
		fprintf(stderr, "  %s\n", err.msg);
		return;
	}
	outputs = mp_task_outputs(m->task, m->n_classes);
	p = gb_predict_all(m, d);
	for (i = 0; i < d->n_rows * (size_t)outputs; i++)
		CHECK(isfinite(p[i]));
	free(p);
	one = mp_dataset_subset(d, &idx, 1);
	if (d->task == MP_CATEGORICAL)
		one->y[0] = d->n_classes;
	p = gb_predict_all(m, one);
	for (i = 0; i < (size_t)outputs; i++)
		CHECK(isfinite(p[i]));
	free(p);
	mp_dataset_free(one);
	mp_model_free(m);
}

TEST(gradient_boosting_empty_rounds)
{
	/* subsample 0.01 of 30 rows: most rounds grow on no row at all and
	 * add a zero leaf; nothing may break or turn NaN */
	struct mp_dataset *d = gb_random(MP_BINARY, 30, 4, 1);
	const char *set[] = { "rounds=40", "subsample=0.01", "early_stopping_rounds=0", NULL };
	struct mp_error err = { 0 };
	struct mp_model *m = gb_train_with(d, 2, set, NULL, &err);
	double *p;
	size_t i;

	CHECK(m != NULL);
	if (m) {
		p = gb_predict_all(m, d);
		for (i = 0; i < d->n_rows; i++)
			CHECK(isfinite(p[i]) && p[i] > 0 && p[i] < 1);
		free(p);
	}
	mp_model_free(m);
	mp_dataset_free(d);
}

TEST(gradient_boosting_robustness)
{
	enum mp_task tasks[] = { MP_BINARY, MP_CATEGORICAL, MP_REGRESSION };
	int ti;

	for (ti = 0; ti < 3; ti++) {
		enum mp_task t = tasks[ti];
		int k = t == MP_BINARY ? 2 : t == MP_CATEGORICAL ? 3 : 0;
		struct mp_dataset *d = gb_data(t, 300, 5, k), *small;
		struct mp_rng rng;
		size_t i, few[2] = { 0, 1 };

		mp_rng_seed(&rng, 78);
		d->features[2].kind = d->features[3].kind = MP_FEATURE_CATEGORY;
		d->features[2].levels = 4;
		d->features[3].levels = 10001;
		for (i = 0; i < 300; i++) {
			d->x[i] = -3;                                /* constant column */
			d->x[300 + i] = i == 3 ? 9.5f : 0.5f;        /* one real value */
			d->x[600 + i] = i == 99 ? 2 : i % 2;         /* category seen once */
			d->x[900 + i] = (float)mp_rng_below(&rng, 10000);
			d->x[1200 + i] = (float)mp_rng_normal(&rng);
			d->y[i] = t == MP_REGRESSION ? 1e6 * d->x[1200 + i] : (double)(i % (size_t)k);
		}
		gb_check_sane(d);
		small = mp_dataset_subset(d, few, 1); /* one training row */
		gb_check_sane(small);
		mp_dataset_free(small);
		small = mp_dataset_subset(d, few, 2); /* two: one goes to validation */
		if (t == MP_CATEGORICAL)
			small->y[0] = 0, small->y[1] = 2; /* class 1 never seen */
		gb_check_sane(small);
		mp_dataset_free(small);
		mp_dataset_free(d);
	}
}
