/* test_linear.c — the linear algorithm: coefficients against scikit-learn
 * on a small data set, convergence, thread-count independence, file round
 * trip, degenerate inputs. */
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "model_helpers.h"
#include "models/model.h"
#include "rng.h"
#include "test.h"

extern const struct mp_algorithm mp_linear;

/* The 12-row data set of the reference numbers below: two numbers and a
 * category with 3 codes. */
static const double small_x1[12] = { 0.5, 1.2, -0.3, 2.2, 1.9, -1.0, 0.0, 3.1, -0.7, 1.5, 0.8, 2.6 };
static const double small_x2[12] = { 10, 12, 9, 15, 11, 8, 10, 14, 7, 13, 9, 16 };
static const int small_cat[12] = { 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 0 };
static const double small_yb[12] = { 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1 };
static const double small_yc[12] = { 0, 1, 2, 0, 1, 2, 0, 1, 2, 1, 0, 2 };
static const double small_yr[12] = { 3.1, 4.0, 1.2, 7.7, 6.1, 0.4, 2.5, 9.9, 0.1, 6.6, 3.3, 8.8 };

/* Expected values: the data as the floats the dataset holds, x1 and x2
 * standardised (population sd), the category one-hot, then scikit-learn
 * 1.2.1 (newton-cg: lbfgs stops about 1e-5 short of the optimum here, and
 * newton-cg itself within about 3e-9, hence the tolerances below):
 *   /usr/bin/python3 -c '
 *   import numpy as np; from sklearn.linear_model import LogisticRegression as LR, Ridge
 *   f=lambda v:np.array(v,dtype=np.float32).astype(float); z=lambda v:(v-v.mean())/v.std()
 *   x1=f([0.5,1.2,-0.3,2.2,1.9,-1.0,0.0,3.1,-0.7,1.5,0.8,2.6])
 *   x2=f([10,12,9,15,11,8,10,14,7,13,9,16]); c=np.array([0,1,2,0,1,2,0,1,2,0,1,0])
 *   X=np.column_stack([z(x1),z(x2),np.eye(3)[c]]); o=dict(C=1,tol=1e-12,max_iter=100000,
 *   solver="newton-cg"); m=LR(**o).fit(X,[0,0,0,1,1,0,0,1,0,1,0,1]); print(m.coef_,m.intercept_)
 *   m=LR(multi_class="multinomial",**o).fit(X,[0,1,2,0,1,2,0,1,2,1,0,2])
 *   print(m.coef_, m.intercept_-m.intercept_.mean(), m.predict_proba(X[[0,5]]))
 *   y=[3.1,4.0,1.2,7.7,6.1,0.4,2.5,9.9,0.1,6.6,3.3,8.8]
 *   for a in (1,0.25): m=Ridge(alpha=a).fit(X,y); print(m.coef_, m.intercept_)' */
static const double sk_binary_coef[5] = { 1.1557703689753, 0.8956051121191, 0.1731574379489,
					  -0.0521619238185, -0.1209955150042 };
static const double sk_binary_intercept = -0.6173167227641;
static const double sk_multi_coef[3][5] = {
	{ -0.1435650442002, -0.2661024612999, 0.618647129358, -0.0179992604061, -0.6006478708506 },
	{ 0.4810879729337, 0.1304968285863, -0.3664200603044, 0.5897255826821, -0.2233055249901 },
	{ -0.3375229287335, 0.1356056327137, -0.2522270690537, -0.571726322276, 0.8239533958407 },
};
static const double sk_multi_intercept_centred[3] = { 0.0095245830617, -0.0987106617119,
						      0.0891860786502 };
static const double sk_multi_proba[2][3] = { { 0.6119176854742, 0.136514806157, 0.2515675083689 },
					     { 0.1946617140457, 0.0607017369727, 0.7446365489817 } };
static const double sk_ridge_coef[2][5] = {
	{ 1.9283390126817, 1.0614811848615, 0.0619022839752, 0.0578105101058, -0.1197127940809 },
	{ 2.5311895862463, 0.6668831445142, 0.1084186786262, -0.2455186524107, 0.1370999737845 },
};
static const double sk_ridge_intercept[2] = { 4.459865410161995, 4.477390107929855 };

static void set_feature(struct mp_dataset *d, size_t j, const char *name, enum mp_feature_kind kind,
			int levels)
{
	d->features[j].name = xstrdup(name);
	d->features[j].kind = kind;
	d->features[j].levels = levels;
}

static void set_classes(struct mp_dataset *d)
{
	int k;

	for (k = 0; k < d->n_classes; k++)
		d->class_names[k] = xasprintf("class%d", k);
}

static struct mp_dataset *small_dataset(enum mp_task task)
{
	int k = task == MP_BINARY ? 2 : task == MP_CATEGORICAL ? 3 : 0;
	struct mp_dataset *d = mp_dataset_new(task, 12, 3, k);
	size_t i;

	set_feature(d, 0, "x1", MP_FEATURE_NUMBER, 0);
	set_feature(d, 1, "x2", MP_FEATURE_NUMBER, 0);
	set_feature(d, 2, "colour", MP_FEATURE_CATEGORY, 3);
	set_classes(d);
	for (i = 0; i < 12; i++) {
		d->x[i] = (float)small_x1[i];
		d->x[12 + i] = (float)small_x2[i];
		d->x[24 + i] = (float)small_cat[i];
		d->y[i] = task == MP_BINARY ? small_yb[i] : task == MP_CATEGORICAL ? small_yc[i]
										 : small_yr[i];
	}
	return d;
}

static struct mp_model *train_with(const struct mp_dataset *d, int threads, const char *const *set,
				   struct mp_error *err)
{
	return train_algorithm(&mp_linear, d, threads, 7, set, NULL, err);
}

static char *model_text(const struct mp_model *m)
{
	cJSON *j = m->algo->save(m->impl);
	char *s = cJSON_PrintUnformatted(j);

	cJSON_Delete(j);
	return s;
}

/* weights of input j for output c (levels: the level) */
static double weight(const cJSON *model, int j, int level, int c)
{
	const cJSON *in = cJSON_GetArrayItem(cJSON_GetObjectItem(model, "inputs"), j);
	const cJSON *w = cJSON_GetObjectItem(in, "weights");

	if (level >= 0)
		w = cJSON_GetArrayItem(w, level);
	return cJSON_GetArrayItem(w, c)->valuedouble;
}

static double *predict_all(const struct mp_model *m, const struct mp_dataset *d, int threads)
{
	return predict_rows(m, d, threads);
}

static const char *const tight[] = { "tol=1e-12", "max_iter=1000", NULL };

TEST(linear_logistic_matches_sklearn)
{
	struct mp_error err = { 0, "" };
	struct mp_dataset *d = small_dataset(MP_BINARY);
	struct mp_model *m = train_with(d, 1, tight, &err);
	cJSON *j;
	int f;

	CHECK(m != NULL);
	if (!m)
		return;
	j = m->algo->save(m->impl);
	CHECK_STR(mp_json_str(j, "link"), "logit");
	CHECK_NEAR(weight(j, 0, -1, 0), sk_binary_coef[0], 1e-8);
	CHECK_NEAR(weight(j, 1, -1, 0), sk_binary_coef[1], 1e-8);
	for (f = 0; f < 3; f++)
		CHECK_NEAR(weight(j, 2, f, 0), sk_binary_coef[2 + f], 1e-8);
	CHECK_NEAR(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "intercept"), 0)->valuedouble,
		   sk_binary_intercept, 1e-8);
	/* the stored standardisation is the population one */
	CHECK_NEAR(mp_json_num(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "inputs"), 1), "mean", 0),
		   11.166666666666666, 1e-12);
	CHECK(mp_json_num(m->info, "gradient_norm", 1) <= 1e-12);
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(m->info, "converged")));
	cJSON_Delete(j);
	mp_model_free(m);
	mp_dataset_free(d);
}

TEST(linear_multinomial_matches_sklearn)
{
	struct mp_error err = { 0, "" };
	struct mp_dataset *d = small_dataset(MP_CATEGORICAL);
	struct mp_model *m = train_with(d, 1, tight, &err);
	double *p, b[3], mean;
	cJSON *j;
	int c, f;

	CHECK(m != NULL);
	if (!m)
		return;
	j = m->algo->save(m->impl);
	CHECK_STR(mp_json_str(j, "link"), "softmax");
	for (c = 0; c < 3; c++) {
		CHECK_NEAR(weight(j, 0, -1, c), sk_multi_coef[c][0], 1e-8);
		CHECK_NEAR(weight(j, 1, -1, c), sk_multi_coef[c][1], 1e-8);
		for (f = 0; f < 3; f++)
			CHECK_NEAR(weight(j, 2, f, c), sk_multi_coef[c][2 + f], 1e-8);
		b[c] = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "intercept"), c)->valuedouble;
	}
	/* intercepts are defined up to a common shift (it cancels in softmax) */
	mean = (b[0] + b[1] + b[2]) / 3;
	for (c = 0; c < 3; c++)
		CHECK_NEAR(b[c] - mean, sk_multi_intercept_centred[c], 1e-8);
	p = predict_all(m, d, 1);
	for (c = 0; c < 3; c++) {
		CHECK_NEAR(p[0 * 3 + c], sk_multi_proba[0][c], 1e-8);
		CHECK_NEAR(p[5 * 3 + c], sk_multi_proba[1][c], 1e-8);
	}
	CHECK(mp_json_num(m->info, "gradient_norm", 1) <= 1e-12);
	free(p);
	cJSON_Delete(j);
	mp_model_free(m);
	mp_dataset_free(d);
}

TEST(linear_ridge_matches_sklearn)
{
	static const char *const c4[] = { "tol=1e-12", "C=4", NULL };
	struct mp_error err = { 0, "" };
	struct mp_dataset *d = small_dataset(MP_REGRESSION);
	int run, f;

	for (run = 0; run < 2; run++) {
		struct mp_model *m = train_with(d, 1, run ? c4 : tight, &err);
		cJSON *j;
		CHECK(m != NULL);
		if (!m)
			return;
		j = m->algo->save(m->impl);
		/* fitted on the standardised target, stored in its units */
		CHECK_NEAR(weight(j, 0, -1, 0), sk_ridge_coef[run][0], 1e-9);
		CHECK_NEAR(weight(j, 1, -1, 0), sk_ridge_coef[run][1], 1e-9);
		for (f = 0; f < 3; f++)
			CHECK_NEAR(weight(j, 2, f, 0), sk_ridge_coef[run][2 + f], 1e-9);
		CHECK_NEAR(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "intercept"), 0)->valuedouble,
			   sk_ridge_intercept[run], 1e-9);
		cJSON_Delete(j);
		mp_model_free(m);
	}
	mp_dataset_free(d);
}

/* n rows: 6 numbers, a 5-level and a 40-level category; a known linear
 * signal plus noise. */
static struct mp_dataset *random_dataset(enum mp_task task, size_t n, uint64_t seed)
{
	int k = task == MP_BINARY ? 2 : task == MP_CATEGORICAL ? 4 : 0;
	struct mp_dataset *d = mp_dataset_new(task, n, 8, k);
	struct mp_rng r;
	size_t i, j;

	mp_rng_seed(&r, seed);
	for (j = 0; j < 6; j++) {
		char name[16];
		snprintf(name, sizeof(name), "num%zu", j);
		set_feature(d, j, name, MP_FEATURE_NUMBER, 0);
	}
	set_feature(d, 6, "small", MP_FEATURE_CATEGORY, 5);
	set_feature(d, 7, "large", MP_FEATURE_CATEGORY, 40);
	set_classes(d);
	for (i = 0; i < n; i++) {
		double s = 0;
		for (j = 0; j < 6; j++) {
			double v = mp_rng_normal(&r) * (double)(j + 1) + 10 * (double)j;
			d->x[j * n + i] = (float)v;
			s += (v - 10 * (double)j) / (double)(j + 1) * (j % 2 ? 0.7 : -0.4);
		}
		d->x[6 * n + i] = (float)mp_rng_below(&r, 5);
		d->x[7 * n + i] = (float)mp_rng_below(&r, 40);
		s += 0.3 * d->x[6 * n + i] - 0.02 * d->x[7 * n + i] + mp_rng_normal(&r);
		if (task == MP_BINARY)
			d->y[i] = s > 0;
		else if (task == MP_CATEGORICAL)
			d->y[i] = s < -1 ? 0 : s < 0 ? 1 : s < 1 ? 2 : 3;
		else
			d->y[i] = 1000 + 250 * s;
	}
	return d;
}

TEST(linear_converges_to_tolerance)
{
	static const char *const set[] = { "tol=1e-6", NULL };
	enum mp_task task;

	for (task = MP_BINARY; task <= MP_REGRESSION; task++) {
		struct mp_error err = { 0, "" };
		struct mp_dataset *d = random_dataset(task, 3000, 11);
		struct mp_model *m = train_with(d, 2, set, &err);
		CHECK(m != NULL);
		if (m) {
			double g = mp_json_num(m->info, "gradient_norm", 1);
			CHECK(g <= 1e-6);
			CHECK(g > 0);
			CHECK(mp_json_num(m->info, "iterations", 0) >= 1);
			CHECK(mp_json_num(m->info, "iterations", 0) <= 100);
			CHECK(cJSON_IsTrue(cJSON_GetObjectItem(m->info, "converged")));
		}
		mp_model_free(m);
		mp_dataset_free(d);
	}
}

TEST(linear_same_model_whatever_the_threads)
{
	enum mp_task task;

	for (task = MP_BINARY; task <= MP_REGRESSION; task++) {
		/* 9000 rows: five blocks of rows, and the scatter of two features */
		struct mp_error err = { 0, "" };
		struct mp_dataset *d = random_dataset(task, 9000, 5);
		struct mp_model *m1 = train_with(d, 1, NULL, &err);
		struct mp_model *m2 = train_with(d, 2, NULL, &err);
		struct mp_model *m3 = train_with(d, 3, NULL, &err);
		CHECK(m1 && m2 && m3);
		if (m1 && m2 && m3) {
			char *a = model_text(m1), *b = model_text(m2), *c = model_text(m3);
			CHECK_STR(a, b);
			CHECK_STR(a, c);
			free(a);
			free(b);
			free(c);
		}
		mp_model_free(m1);
		mp_model_free(m2);
		mp_model_free(m3);
		mp_dataset_free(d);
	}
}

TEST(linear_save_load_predict_identical)
{
	enum mp_task task;

	for (task = MP_BINARY; task <= MP_REGRESSION; task++) {
		struct mp_error err = { 0, "" };
		struct mp_dataset *d = random_dataset(task, 2000, 3);
		struct mp_dataset *test = random_dataset(task, 777, 4);
		struct mp_model *m = train_with(d, 2, NULL, &err), *back;
		char *path = xasprintf("%s/linear-%d.json.zst", mp_test_tmpdir(), (int)task);
		size_t outputs = (size_t)mp_task_outputs(task, d->n_classes);
		double *p1, *p2;
		CHECK(m != NULL);
		CHECK(mp_model_save(m, path, &err) == 0);
		back = mp_model_load(path, &err);
		CHECK(back != NULL);
		if (m && back) {
			char *a = model_text(m), *b = model_text(back);
			CHECK_STR(a, b);
			p1 = predict_all(m, test, 1);
			p2 = predict_all(back, test, 2);
			CHECK(memcmp(p1, p2, test->n_rows * outputs * sizeof(double)) == 0);
			free(p1);
			free(p2);
			free(a);
			free(b);
		}
		free(path);
		mp_model_free(m);
		mp_model_free(back);
		mp_dataset_free(d);
		mp_dataset_free(test);
	}
}

/* Every prediction finite and of its kind. */
static void check_predictions(const struct mp_model *m, const double *p, size_t n)
{
	size_t i;
	int c;

	for (i = 0; i < n; i++) {
		if (m->task == MP_CATEGORICAL) {
			double s = 0;
			for (c = 0; c < m->n_classes; c++) {
				CHECK(p[i * (size_t)m->n_classes + (size_t)c] >= 0);
				s += p[i * (size_t)m->n_classes + (size_t)c];
			}
			CHECK_NEAR(s, 1, 1e-12);
		} else if (m->task == MP_BINARY) {
			CHECK(p[i] >= 0 && p[i] <= 1);
		} else {
			CHECK(isfinite(p[i]));
		}
	}
}

/* A constant column, a column with one non-missing value (the mean fills
 * the rest: constant but for one row), a category level seen once, a
 * 10,000-level category, a test row with unseen / out-of-range codes. */
static struct mp_dataset *awkward_dataset(enum mp_task task, size_t n)
{
	int k = task == MP_BINARY ? 2 : task == MP_CATEGORICAL ? 3 : 0;
	struct mp_dataset *d = mp_dataset_new(task, n, 5, k);
	size_t i;

	set_feature(d, 0, "constant", MP_FEATURE_NUMBER, 0);
	set_feature(d, 1, "one_value", MP_FEATURE_NUMBER, 0);
	set_feature(d, 2, "seen_once", MP_FEATURE_CATEGORY, 4);
	set_feature(d, 3, "huge", MP_FEATURE_CATEGORY, 10000);
	set_feature(d, 4, "signal", MP_FEATURE_NUMBER, 0);
	set_classes(d);
	for (i = 0; i < n; i++) {
		d->x[0 * n + i] = 0.1f;
		d->x[1 * n + i] = i == 0 ? 5.0f : 2.5f;
		d->x[2 * n + i] = i == 1 ? 2.0f : (float)(i % 2);
		d->x[3 * n + i] = (float)((i * 7919) % 10000);
		d->x[4 * n + i] = (float)i;
		d->y[i] = task == MP_CATEGORICAL ? (double)(i % 3) : task == MP_BINARY ? (double)(i % 2)
											: 3.0 * (double)i;
	}
	return d;
}

TEST(linear_degenerate_inputs)
{
	size_t sizes[] = { 1, 2, 40 };
	enum mp_task task;
	size_t s;

	for (task = MP_BINARY; task <= MP_REGRESSION; task++)
		for (s = 0; s < 3; s++) {
			struct mp_error err = { 0, "" };
			struct mp_dataset *d = awkward_dataset(task, sizes[s]);
			struct mp_dataset *test = awkward_dataset(task, 1);
			struct mp_model *m;
			double *p;
			if (task == MP_CATEGORICAL && sizes[s] < 3) {
				/* training data always has every class */
				mp_dataset_free(d);
				mp_dataset_free(test);
				continue;
			}
			/* the test row: codes out of range and a value never seen */
			test->x[2] = 17;
			test->x[3] = -3;
			test->x[0] = 1e30f;
			if (task == MP_CATEGORICAL)
				test->y[0] = 3; /* an unseen label: predict() ignores it */
			m = train_with(d, 2, NULL, &err);
			CHECK(m != NULL);
			if (!m) {
				fprintf(stderr, "  %s\n", err.msg);
			} else {
				p = predict_all(m, test, 1);
				check_predictions(m, p, 1);
				free(p);
				p = predict_all(m, d, 2);
				check_predictions(m, p, d->n_rows);
				if (task == MP_REGRESSION && sizes[s] == 1)
					CHECK_NEAR(p[0], 0, 1e-9); /* the one target */
				free(p);
			}
			mp_model_free(m);
			mp_dataset_free(d);
			mp_dataset_free(test);
		}
}

TEST(linear_single_class_binary)
{
	/* every training row false: the intercept runs to a small P, not -inf */
	struct mp_error err = { 0, "" };
	struct mp_dataset *d = small_dataset(MP_BINARY);
	struct mp_model *m;
	double *p;
	size_t i;

	for (i = 0; i < d->n_rows; i++)
		d->y[i] = 0;
	m = train_with(d, 1, NULL, &err);
	CHECK(m != NULL);
	if (m) {
		p = predict_all(m, d, 1);
		for (i = 0; i < d->n_rows; i++)
			CHECK(p[i] >= 0 && p[i] < 0.01);
		free(p);
	}
	mp_model_free(m);
	mp_dataset_free(d);
}

TEST(linear_rejects_bad_labels)
{
	struct mp_error err = { 0, "" };
	struct mp_dataset *d = small_dataset(MP_BINARY);
	struct mp_model *m;

	d->y[4] = 2;
	m = train_with(d, 1, NULL, &err);
	CHECK(m == NULL);
	CHECK_CONTAINS(err.msg, "row 5");
	CHECK_INT(err.code, MP_EX_DATAERR);
	mp_dataset_free(d);
}

TEST(linear_load_checks_the_features)
{
	struct mp_error err = { 0, "" };
	struct mp_dataset *d = small_dataset(MP_BINARY);
	struct mp_model *m = train_with(d, 1, NULL, &err);
	struct mp_feature f[3];
	struct mp_model_shape shape = { MP_BINARY, 2, 3, f };
	cJSON *j;
	void *impl;

	CHECK(m != NULL);
	if (!m)
		return;
	j = m->algo->save(m->impl);
	memcpy(f, d->features, sizeof(f));
	impl = mp_linear.load(j, &shape, &err);
	CHECK(impl != NULL);
	mp_linear.free(impl);
	f[1].name = "renamed";
	impl = mp_linear.load(j, &shape, &err);
	CHECK(impl == NULL);
	CHECK_CONTAINS(err.msg, "'x2'");
	f[1].name = d->features[1].name;
	f[2].levels = 4;
	impl = mp_linear.load(j, &shape, &err);
	CHECK(impl == NULL);
	CHECK_CONTAINS(err.msg, "levels");
	cJSON_Delete(j);
	mp_model_free(m);
	mp_dataset_free(d);
}

TEST(linear_only_categories_or_no_features)
{
	struct mp_error err = { 0, "" };
	struct mp_dataset *d = mp_dataset_new(MP_BINARY, 8, 1, 2), *none;
	struct mp_model *m;
	double *p;
	size_t i;

	/* one category that decides the label but for one row in four */
	d->features[0].name = xstrdup("colour");
	d->features[0].kind = MP_FEATURE_CATEGORY;
	d->features[0].levels = 3;
	set_classes(d);
	for (i = 0; i < 8; i++) {
		d->x[i] = (float)(i % 2);
		d->y[i] = (double)((i % 2) ^ (i % 4 == 3));
	}
	m = train_with(d, 1, NULL, &err);
	CHECK(m != NULL);
	if (m) {
		p = predict_all(m, d, 1);
		CHECK(p[1] > p[0]);
		free(p);
	}
	mp_model_free(m);

	/* no features at all: the intercept alone, at the training prior's
	 * log-odds, here 2/8 (an unregularised intercept fits it exactly) */
	none = mp_dataset_new(MP_BINARY, 8, 0, 2);
	set_classes(none);
	memcpy(none->y, d->y, 8 * sizeof(double));
	m = train_with(none, 1, tight, &err);
	CHECK(m != NULL);
	if (m) {
		p = predict_all(m, none, 1);
		CHECK_NEAR(p[0], 2.0 / 8, 1e-9);
		free(p);
	}
	mp_model_free(m);
	mp_dataset_free(d);
	mp_dataset_free(none);
}
