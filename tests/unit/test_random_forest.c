/* test_random_forest.c — random_forest: the forest is the mean of its
 * trees (checked against a walk of the saved trees), trees differ (real
 * bagging, per-tree seeds), features per split, out-of-bag figures,
 * save/load, thread-count determinism and degenerate inputs. */
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "model_helpers.h"
#include "models/model.h"
#include "rng.h"
#include "test.h"

extern const struct mp_algorithm mp_random_forest;

static struct mp_dataset *rf_data(enum mp_task task, size_t n, size_t p, int k)
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

static struct mp_model *rf_train_with(const struct mp_dataset *d, int threads, const char **set,
				      struct progress_log *log, struct mp_error *err)
{
	return train_algorithm(&mp_random_forest, d, threads, 7, set, log, err);
}

static double *rf_predict_all(const struct mp_model *m, const struct mp_dataset *d)
{
	return predict_rows(m, d, 0);
}

/* The saved model, parsed back (tree arrays are written as raw text). */
static cJSON *rf_parsed(const struct mp_model *m)
{
	cJSON *j = m->algo->save(m->impl), *back;
	char *s = cJSON_PrintUnformatted(j);

	back = cJSON_Parse(s);
	free(s);
	cJSON_Delete(j);
	return back;
}

static double item(const cJSON *tree, const char *key, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(tree, key), i)->valuedouble;
}

static struct mp_dataset *rf_random(enum mp_task task, size_t n, uint64_t seed)
{
	int k = task == MP_BINARY ? 2 : task == MP_CATEGORICAL ? 3 : 0;
	struct mp_dataset *d = rf_data(task, n, 4, k);
	struct mp_rng rng;
	size_t i;

	mp_rng_seed(&rng, seed);
	for (i = 0; i < n; i++) {
		double a = mp_rng_normal(&rng), b = mp_rng_normal(&rng);
		d->x[i] = (float)a;
		d->x[n + i] = (float)b;
		d->x[2 * n + i] = (float)mp_rng_below(&rng, 12);
		d->x[3 * n + i] = (float)mp_rng_normal(&rng);
		if (task == MP_REGRESSION)
			d->y[i] = 3 * a + b + mp_rng_normal(&rng) * 0.3;
		else if (task == MP_BINARY)
			d->y[i] = a + 0.5 * b + 0.5 * mp_rng_normal(&rng) > 0;
		else
			d->y[i] = a < -0.4 ? 0 : a < 0.4 ? 1 : 2;
	}
	return d;
}

TEST(random_forest_is_the_mean_of_its_trees)
{
	/* Walk every saved tree by hand (x < threshold goes left) and average
	 * the leaves: that must be exactly what predict() returns. */
	enum mp_task tasks[] = { MP_BINARY, MP_CATEGORICAL, MP_REGRESSION };
	int ti;

	for (ti = 0; ti < 3; ti++) {
		struct mp_dataset *d = rf_random(tasks[ti], 400, 31 + (uint64_t)ti);
		const char *set[] = { "trees=5", NULL };
		struct mp_error err = { 0 };
		struct mp_model *m = rf_train_with(d, 2, set, NULL, &err);
		int nv = tasks[ti] == MP_CATEGORICAL ? 3 : 1, c;
		cJSON *j, *t;
		double *p, *mean = xcalloc(d->n_rows * (size_t)nv, sizeof(double));
		size_t i, distinct = 0;
		char *first = NULL;

		CHECK(m != NULL);
		j = rf_parsed(m);
		CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(j, "trees")), 5);
		cJSON_ArrayForEach(t, cJSON_GetObjectItem(j, "trees")) {
			char *s = cJSON_PrintUnformatted(t);
			if (!first)
				first = s;
			else {
				distinct += strcmp(first, s) != 0;
				free(s);
			}
			for (i = 0; i < d->n_rows; i++) {
				int k = 0;
				while (item(t, "feature", k) >= 0) {
					int f = (int)item(t, "feature", k);
					k = (int)(d->x[(size_t)f * d->n_rows + i] < (float)item(t, "threshold", k)
							  ? item(t, "left", k) : item(t, "right", k));
				}
				for (c = 0; c < nv; c++)
					mean[i * (size_t)nv + (size_t)c] += item(t, "value", k * nv + c) / 5;
			}
		}
		CHECK(distinct == 4); /* every tree differs from the first */
		p = rf_predict_all(m, d);
		for (i = 0; i < d->n_rows * (size_t)nv; i++)
			CHECK_NEAR(p[i], mean[i], 1e-6);
		free(first);
		free(p);
		free(mean);
		cJSON_Delete(j);
		mp_model_free(m);
		mp_dataset_free(d);
	}
}

TEST(random_forest_separable_data_and_oob)
{
	/* y = [x0 >= 50] over x0 = 0..99: pure leaves everywhere, so every
	 * tree gets every row far from the boundary right, and the
	 * out-of-bag AUC is exactly 1 (ties counted half would lower it). */
	struct mp_dataset *d = rf_data(MP_BINARY, 100, 3, 2);
	const char *set[] = { "trees=30", "min_samples_leaf=1", NULL };
	struct mp_error err = { 0 };
	struct progress_log log = { 0, 0, 0 };
	struct mp_model *m;
	double *p;
	size_t i;

	for (i = 0; i < 100; i++) {
		d->x[i] = (float)i;
		d->x[100 + i] = (float)(i % 7);
		d->x[200 + i] = 1;
		d->y[i] = i >= 50;
	}
	m = rf_train_with(d, 2, set, &log, &err);
	CHECK(m != NULL);
	CHECK(log.calls >= 2 && !log.backwards && log.last == 1);
	CHECK_NEAR(mp_json_num(m->info, "oob_auc", -1), 1, 0);
	CHECK_NEAR(mp_json_num(m->info, "oob_rows", -1), 100, 0);
	p = rf_predict_all(m, d);
	CHECK_NEAR(p[0], 0, 0);
	CHECK_NEAR(p[99], 1, 0);
	free(p);
	mp_model_free(m);
	mp_dataset_free(d);
}

TEST(random_forest_features_per_split)
{
	struct mp_dataset *d = rf_data(MP_BINARY, 50, 16, 2), *r = rf_data(MP_REGRESSION, 50, 16, 0);
	const char *frac[] = { "trees=2", "max_features=0.5", NULL };
	const char *count[] = { "trees=2", "max_features=3", NULL };
	const char *many[] = { "trees=2", "max_features=99", NULL };
	const char *two[] = { "trees=2", NULL };
	struct mp_error err = { 0 };
	struct mp_model *m;
	size_t i, j;

	for (i = 0; i < 50; i++)
		for (j = 0; j < 16; j++) {
			d->x[j * 50 + i] = r->x[j * 50 + i] = (float)((i * (j + 3)) % 11);
			d->y[i] = i % 2;
			r->y[i] = (double)i;
		}
	m = rf_train_with(d, 1, two, NULL, &err); /* sqrt(16) */
	CHECK_NEAR(mp_json_num(m->info, "max_features", 0), 4, 0);
	mp_model_free(m);
	m = rf_train_with(r, 1, two, NULL, &err); /* floor(16 / 3) */
	CHECK_NEAR(mp_json_num(m->info, "max_features", 0), 5, 0);
	mp_model_free(m);
	m = rf_train_with(d, 1, frac, NULL, &err);
	CHECK_NEAR(mp_json_num(m->info, "max_features", 0), 8, 0);
	mp_model_free(m);
	m = rf_train_with(d, 1, count, NULL, &err);
	CHECK_NEAR(mp_json_num(m->info, "max_features", 0), 3, 0);
	mp_model_free(m);
	m = rf_train_with(d, 1, many, NULL, &err);
	CHECK_NEAR(mp_json_num(m->info, "max_features", 0), 16, 0);
	mp_model_free(m);
	mp_dataset_free(d);
	mp_dataset_free(r);
}

TEST(random_forest_depth_limit_and_oob_kinds)
{
	enum mp_task tasks[] = { MP_BINARY, MP_CATEGORICAL, MP_REGRESSION };
	static const char *const keys[] = { "oob_auc", "oob_accuracy", "oob_r_squared" };
	int ti;

	for (ti = 0; ti < 3; ti++) {
		struct mp_dataset *d = rf_random(tasks[ti], 600, 17);
		const char *set[] = { "trees=20", "max_depth=1", NULL };
		struct mp_error err = { 0 };
		struct mp_model *m = rf_train_with(d, 2, set, NULL, &err);
		cJSON *j, *t;
		double oob;

		CHECK(m != NULL);
		/* stumps: a regression stump sees one feature of four per split,
		 * so its forest explains little, but it is a real R-squared */
		oob = mp_json_num(m->info, keys[ti], -99);
		CHECK(oob > (tasks[ti] == MP_REGRESSION ? 0.1 : 0.5) && oob <= 1);
		j = rf_parsed(m);
		cJSON_ArrayForEach(t, cJSON_GetObjectItem(j, "trees"))
			CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(t, "feature")) <= 3);
		cJSON_Delete(j);
		mp_model_free(m);
		mp_dataset_free(d);
	}
}

TEST(random_forest_save_load_and_threads)
{
	enum mp_task tasks[] = { MP_BINARY, MP_CATEGORICAL, MP_REGRESSION };
	int ti;

	for (ti = 0; ti < 3; ti++) {
		struct mp_dataset *d = rf_random(tasks[ti], 3000, 40 + (uint64_t)ti);
		const char *set[] = { "trees=12", NULL };
		struct mp_error err = { 0 };
		struct mp_model *a = rf_train_with(d, 1, set, NULL, &err);
		struct mp_model *b = rf_train_with(d, 2, set, NULL, &err), *back;
		cJSON *ja = a->algo->save(a->impl), *jb = b->algo->save(b->impl);
		char *sa = cJSON_PrintUnformatted(ja), *sb = cJSON_PrintUnformatted(jb), path[512];
		int outputs = mp_task_outputs(a->task, a->n_classes);
		double *p1, *p2;

		CHECK_STR(sa, sb);
		CHECK(cJSON_Compare(a->info, b->info, 1));
		snprintf(path, sizeof(path), "%s/rf-%d.json.zst", mp_test_tmpdir(), ti);
		CHECK(mp_model_save(a, path, &err) == 0);
		back = mp_model_load(path, &err);
		CHECK(back != NULL);
		if (back) {
			p1 = rf_predict_all(a, d);
			p2 = rf_predict_all(back, d);
			CHECK(memcmp(p1, p2, d->n_rows * (size_t)outputs * sizeof(double)) == 0);
			free(p1);
			free(p2);
		}
		free(sa);
		free(sb);
		cJSON_Delete(ja);
		cJSON_Delete(jb);
		mp_model_free(back);
		mp_model_free(a);
		mp_model_free(b);
		mp_dataset_free(d);
	}
}

static void rf_check_sane(struct mp_dataset *d)
{
	const char *set[] = { "trees=10", NULL };
	struct mp_error err = { 0 };
	struct mp_model *m = rf_train_with(d, 2, set, NULL, &err);
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
	p = rf_predict_all(m, d);
	for (i = 0; i < d->n_rows * (size_t)outputs; i++)
		CHECK(isfinite(p[i]));
	free(p);
	one = mp_dataset_subset(d, &idx, 1);
	if (d->task == MP_CATEGORICAL)
		one->y[0] = d->n_classes;
	p = rf_predict_all(m, one);
	for (i = 0; i < (size_t)outputs; i++)
		CHECK(isfinite(p[i]) && p[i] >= 0);
	free(p);
	mp_dataset_free(one);
	mp_model_free(m);
}

TEST(random_forest_robustness)
{
	enum mp_task tasks[] = { MP_BINARY, MP_CATEGORICAL, MP_REGRESSION };
	int ti;

	for (ti = 0; ti < 3; ti++) {
		enum mp_task t = tasks[ti];
		int k = t == MP_BINARY ? 2 : t == MP_CATEGORICAL ? 3 : 0;
		struct mp_dataset *d = rf_data(t, 300, 5, k), *single;
		struct mp_rng rng;
		size_t i, zero = 0;

		mp_rng_seed(&rng, 79);
		d->features[2].kind = d->features[3].kind = MP_FEATURE_CATEGORY;
		d->features[2].levels = 4;
		d->features[3].levels = 10001;
		for (i = 0; i < 300; i++) {
			d->x[i] = 0;                                 /* constant column */
			d->x[300 + i] = i == 250 ? -1.5f : 2.0f;     /* one real value */
			d->x[600 + i] = i == 7 ? 2 : i % 2;          /* category seen once */
			d->x[900 + i] = (float)mp_rng_below(&rng, 10000);
			d->x[1200 + i] = (float)mp_rng_normal(&rng);
			d->y[i] = t == MP_REGRESSION ? d->x[1200 + i] : (double)(i % (size_t)k);
		}
		rf_check_sane(d);
		single = mp_dataset_subset(d, &zero, 1); /* one row: nothing is ever out of bag */
		rf_check_sane(single);
		mp_dataset_free(single);
		mp_dataset_free(d);
	}
}
