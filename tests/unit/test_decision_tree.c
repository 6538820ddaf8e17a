/* test_decision_tree.c — decision_tree through the algorithm interface:
 * leaf values worked by hand, parameters, save/load, determinism across
 * thread counts, and the degenerate inputs of the robustness list. */
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "model_helpers.h"
#include "models/model.h"
#include "rng.h"
#include "test.h"

extern const struct mp_algorithm mp_decision_tree;

static struct mp_dataset *dt_data(enum mp_task task, size_t n, size_t p, int k)
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

static struct mp_model *dt_train_with(const struct mp_dataset *d, int threads, const char **set,
				      struct mp_error *err)
{
	return train_algorithm(&mp_decision_tree, d, threads, 1, set, NULL, err);
}

static double *dt_predict_all(const struct mp_model *m, const struct mp_dataset *d)
{
	return predict_rows(m, d, 0);
}

TEST(decision_tree_binary_leaves_by_hand)
{
	/* x = 1..10, y = 0 0 0 0 1 | 1 1 1 0 1 with min_samples_leaf 5 and
	 * depth 1: the only split keeping 5 rows a side is x < 5.5 (left 1/5
	 * positive, right 4/5). */
	static const double y[] = { 0, 0, 0, 0, 1, 1, 1, 1, 0, 1 };
	struct mp_dataset *d = dt_data(MP_BINARY, 10, 1, 2);
	const char *set[] = { "max_depth=1", NULL };
	struct mp_error err = { 0 };
	struct mp_model *m;
	double *p;
	int i;

	for (i = 0; i < 10; i++) {
		d->x[i] = (float)(i + 1);
		d->y[i] = y[i];
	}
	m = dt_train_with(d, 1, set, &err);
	CHECK(m != NULL);
	p = dt_predict_all(m, d);
	CHECK_NEAR(p[0], 0.2, 1e-7);
	CHECK_NEAR(p[4], 0.2, 1e-7);
	CHECK_NEAR(p[5], 0.8, 1e-7);
	CHECK_NEAR(p[9], 0.8, 1e-7);
	CHECK_NEAR(mp_json_num(m->info, "depth", -1), 1, 0);
	free(p);
	mp_model_free(m);
	mp_dataset_free(d);
}

TEST(decision_tree_parameters)
{
	struct mp_dataset *d = dt_data(MP_REGRESSION, 500, 2, 0);
	const char *deep[] = { "max_depth=0", "min_samples_leaf=1", NULL };
	const char *shallow[] = { "max_depth=2", NULL };
	const char *picky[] = { "min_impurity_decrease=1e9", NULL };
	const char *bad[] = { "max_depth=-1", NULL };
	const char *unknown[] = { "depth=3", NULL };
	struct mp_error err = { 0 };
	struct mp_model *m;
	struct mp_rng rng;
	size_t i;

	mp_rng_seed(&rng, 5);
	for (i = 0; i < 500; i++) {
		d->x[i] = (float)mp_rng_uniform(&rng);
		d->x[500 + i] = (float)mp_rng_uniform(&rng);
		d->y[i] = d->x[i] * 10 + mp_rng_normal(&rng);
	}
	m = dt_train_with(d, 1, NULL, &err); /* defaults: depth 10, 5 rows a leaf */
	CHECK(m && mp_json_num(m->info, "depth", 0) <= 10);
	CHECK(m && mp_json_num(m->info, "leaves", 0) <= 100);
	mp_model_free(m);
	m = dt_train_with(d, 1, deep, &err);
	CHECK(m && mp_json_num(m->info, "leaves", 0) > 100);
	mp_model_free(m);
	m = dt_train_with(d, 1, shallow, &err);
	CHECK(m && mp_json_num(m->info, "leaves", 0) == 4);
	mp_model_free(m);
	m = dt_train_with(d, 1, picky, &err); /* nothing lowers the MSE that much */
	CHECK(m && mp_json_num(m->info, "nodes", 0) == 1);
	mp_model_free(m);
	m = dt_train_with(d, 1, bad, &err);
	CHECK(m == NULL);
	CHECK_CONTAINS(err.msg, "max_depth");
	m = dt_train_with(d, 1, unknown, &err);
	CHECK(m == NULL);
	CHECK_CONTAINS(err.msg, "unknown parameter");
	mp_dataset_free(d);
}

/* Random data of each model type, for the round-trip tests. */
static struct mp_dataset *dt_random(enum mp_task task, size_t n, uint64_t seed)
{
	int k = task == MP_BINARY ? 2 : task == MP_CATEGORICAL ? 4 : 0;
	struct mp_dataset *d = dt_data(task, n, 4, k);
	struct mp_rng rng;
	size_t i;

	mp_rng_seed(&rng, seed);
	d->features[3].kind = MP_FEATURE_CATEGORY;
	d->features[3].levels = 6;
	for (i = 0; i < n; i++) {
		double a = mp_rng_normal(&rng), b = mp_rng_normal(&rng);
		d->x[i] = (float)a;
		d->x[n + i] = (float)b;
		d->x[2 * n + i] = (float)mp_rng_below(&rng, 20);
		d->x[3 * n + i] = (float)mp_rng_below(&rng, 6);
		if (task == MP_REGRESSION)
			d->y[i] = 3 * a - b + d->x[3 * n + i] + mp_rng_normal(&rng);
		else if (task == MP_BINARY)
			d->y[i] = a + b + mp_rng_normal(&rng) > 0;
		else
			d->y[i] = (double)((a > 0) + 2 * (b > 0));
	}
	return d;
}

TEST(decision_tree_save_load_predicts_the_same)
{
	enum mp_task tasks[] = { MP_BINARY, MP_CATEGORICAL, MP_REGRESSION };
	int ti;

	for (ti = 0; ti < 3; ti++) {
		struct mp_dataset *d = dt_random(tasks[ti], 2000, 9 + (uint64_t)ti);
		struct mp_error err = { 0 };
		struct mp_model *m = dt_train_with(d, 2, NULL, &err), *back;
		char path[512];
		double *p1, *p2;
		int outputs;
		size_t i;

		CHECK(m != NULL);
		if (!m)
			continue;
		snprintf(path, sizeof(path), "%s/dt-%d.json", mp_test_tmpdir(), ti);
		CHECK(mp_model_save(m, path, &err) == 0);
		back = mp_model_load(path, &err);
		CHECK(back != NULL);
		if (back) {
			outputs = mp_task_outputs(m->task, m->n_classes);
			p1 = dt_predict_all(m, d);
			p2 = dt_predict_all(back, d);
			CHECK(memcmp(p1, p2, d->n_rows * (size_t)outputs * sizeof(double)) == 0);
			if (tasks[ti] == MP_CATEGORICAL)
				for (i = 0; i < d->n_rows; i++) {
					double s = p1[4 * i] + p1[4 * i + 1] + p1[4 * i + 2] + p1[4 * i + 3];
					CHECK_NEAR(s, 1, 1e-12);
				}
			free(p1);
			free(p2);
		}
		mp_model_free(back);
		mp_model_free(m);
		mp_dataset_free(d);
	}
}

TEST(decision_tree_same_for_any_thread_count)
{
	struct mp_dataset *d = dt_random(MP_CATEGORICAL, 5000, 21);
	struct mp_error err = { 0 };
	struct mp_model *a = dt_train_with(d, 1, NULL, &err), *b = dt_train_with(d, 2, NULL, &err);
	cJSON *ja = a->algo->save(a->impl), *jb = b->algo->save(b->impl);
	char *sa = cJSON_PrintUnformatted(ja), *sb = cJSON_PrintUnformatted(jb);

	CHECK_STR(sa, sb);
	free(sa);
	free(sb);
	cJSON_Delete(ja);
	cJSON_Delete(jb);
	mp_model_free(a);
	mp_model_free(b);
	mp_dataset_free(d);
}

/* Trains on d, predicts a 1-row test set whose label is the unseen code
 * (categorical) and every training row; nothing may be NaN. */
static void dt_check_sane(struct mp_dataset *d)
{
	struct mp_error err = { 0 };
	struct mp_model *m = dt_train_with(d, 2, NULL, &err);
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
	p = dt_predict_all(m, d);
	for (i = 0; i < d->n_rows * (size_t)outputs; i++)
		CHECK(isfinite(p[i]));
	free(p);
	one = mp_dataset_subset(d, &idx, 1);
	if (d->task == MP_CATEGORICAL)
		one->y[0] = d->n_classes; /* unseen label: predict ignores y */
	p = dt_predict_all(m, one);
	for (i = 0; i < (size_t)outputs; i++)
		CHECK(isfinite(p[i]) && p[i] >= 0);
	free(p);
	mp_dataset_free(one);
	mp_model_free(m);
}

TEST(decision_tree_robustness)
{
	enum mp_task tasks[] = { MP_BINARY, MP_CATEGORICAL, MP_REGRESSION };
	int ti;

	for (ti = 0; ti < 3; ti++) {
		enum mp_task t = tasks[ti];
		int k = t == MP_BINARY ? 2 : t == MP_CATEGORICAL ? 3 : 0;
		struct mp_dataset *d = dt_data(t, 300, 5, k), *single;
		struct mp_rng rng;
		size_t i, zero = 0;

		mp_rng_seed(&rng, 77);
		d->features[2].kind = d->features[3].kind = MP_FEATURE_CATEGORY;
		d->features[2].levels = 4;
		d->features[3].levels = 10001;
		for (i = 0; i < 300; i++) {
			d->x[i] = 5;                                  /* constant column */
			d->x[300 + i] = i == 17 ? 3.5f : 1.25f;       /* one real value, rest the fill mean */
			d->x[600 + i] = i == 40 ? 2 : i % 2;          /* category 2 seen once */
			d->x[900 + i] = (float)mp_rng_below(&rng, 10000); /* 10,000 categories */
			d->x[1200 + i] = (float)mp_rng_normal(&rng);
			d->y[i] = t == MP_REGRESSION ? d->x[1200 + i] * 2 : (double)(i % (size_t)k);
		}
		dt_check_sane(d);
		single = mp_dataset_subset(d, &zero, 1); /* one training row */
		if (t == MP_REGRESSION)
			single->y[0] = 12.5;
		dt_check_sane(single);
		mp_dataset_free(single);
		mp_dataset_free(d);
	}
}

TEST(decision_tree_rejects_bad_targets)
{
	struct mp_dataset *d = dt_data(MP_CATEGORICAL, 4, 1, 3);
	struct mp_error err = { 0 };
	struct mp_model *m;

	d->y[0] = 0;
	d->y[1] = 1;
	d->y[2] = 2;
	d->y[3] = 3; /* code K in training data */
	m = dt_train_with(d, 1, NULL, &err);
	CHECK(m == NULL);
	CHECK_CONTAINS(err.msg, "row 4");
	CHECK_CONTAINS(err.msg, "expected a class code 0..2");
	mp_dataset_free(d);

	d = dt_data(MP_BINARY, 2, 1, 2);
	d->y[1] = 0.5;
	m = dt_train_with(d, 1, NULL, &err);
	CHECK(m == NULL);
	CHECK_CONTAINS(err.msg, "expected a target of 0 or 1");
	mp_dataset_free(d);
}
