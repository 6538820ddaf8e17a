/* test_neural_network.c — the neural_network algorithm: the forward pass of
 * a hand-written model against a hand computation, learning on data with a
 * known structure, early stopping, thread-count independence, file round
 * trip, degenerate inputs. */
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "metrics.h"
#include "model_helpers.h"
#include "models/model.h"
#include "rng.h"
#include "test.h"

extern const struct mp_algorithm mp_neural_network;

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

static struct mp_model *train_with(const struct mp_dataset *d, int threads, uint64_t seed,
				   const char *const *set, struct mp_error *err)
{
	return train_algorithm(&mp_neural_network, d, threads, seed, set, NULL, err);
}

static char *model_text(const struct mp_model *m)
{
	cJSON *j = m->algo->save(m->impl);
	char *s = cJSON_PrintUnformatted(j);

	cJSON_Delete(j);
	return s;
}

static double *predict_all(const struct mp_model *m, const struct mp_dataset *d, int threads)
{
	return predict_rows(m, d, threads);
}

/* ---- the forward pass, by hand ------------------------------------------ */

/* x standardised as (x - 1) * 0.5; c one-hot over 2 levels; 2 ReLU units:
 *   h = relu(bias + w_x * z + w_c[level]) ; output = out_bias + h . out_w */
static const char hand_inputs[] =
	"[{\"name\":\"x\",\"kind\":\"number\",\"mean\":1,\"scale\":0.5,\"weights\":[0.5,-1]},"
	"{\"name\":\"c\",\"kind\":\"category\",\"levels\":2,\"weights\":[[0.25,0.5],[-0.75,1]]}]";

static void *load_hand(enum mp_task task, int n_classes, const char *output, const char *out_layer,
		       const char *extra, struct mp_feature *f, struct mp_error *err)
{
	struct mp_model_shape shape = { task, n_classes, 2, f };
	char *text = xasprintf("{\"activation\":\"relu\",\"output\":\"%s\",%s\"inputs\":%s,"
			       "\"layers\":[{\"units\":2,\"bias\":[0.1,-0.2]},%s]}",
			       output, extra, hand_inputs, out_layer);
	cJSON *j = cJSON_Parse(text);
	void *impl;

	CHECK(j != NULL);
	impl = mp_neural_network.load(j, &shape, err);
	cJSON_Delete(j);
	free(text);
	return impl;
}

/* rows (x, c): (3, 1), (1, 0), (5, 0), (1, 7 = out of range -> OTHER = 1) */
static struct mp_dataset *hand_rows(enum mp_task task, int n_classes)
{
	static const float xs[4] = { 3, 1, 5, 1 }, cs[4] = { 1, 0, 0, 7 };
	struct mp_dataset *d = mp_dataset_new(task, 4, 2, n_classes);
	size_t i;

	set_feature(d, 0, "x", MP_FEATURE_NUMBER, 0);
	set_feature(d, 1, "c", MP_FEATURE_CATEGORY, 2);
	for (i = 0; i < 4; i++) {
		d->x[i] = xs[i];
		d->x[4 + i] = cs[i];
	}
	return d;
}

/* the hidden layer by hand: h0 = relu(0.1 + 0.5 z + wc0), h1 = relu(-0.2 - z + wc1) */
static void hand_hidden(size_t row, double h[2])
{
	static const double z[4] = { 1, 0, 2, 0 };
	static const double wc[4][2] = { { -0.75, 1 }, { 0.25, 0.5 }, { 0.25, 0.5 }, { -0.75, 1 } };

	h[0] = fmax(0, 0.1 + 0.5 * z[row] + wc[row][0]);
	h[1] = fmax(0, -0.2 - 1 * z[row] + wc[row][1]);
}

TEST(neural_network_forward_pass_by_hand)
{
	struct mp_error err = { 0, "" };
	struct mp_dataset *d = hand_rows(MP_BINARY, 2);
	struct mp_feature *f = d->features;
	double out[4 * 3], h[2], s[3], mx, sum;
	void *impl;
	size_t i;
	int c;

	/* binary: P = sigmoid(0.3 + 2 h0 - 3 h1) */
	impl = load_hand(MP_BINARY, 2, "sigmoid", "{\"units\":1,\"weights\":[[2],[-3]],\"bias\":[0.3]}",
			 "", f, &err);
	CHECK(impl != NULL);
	if (impl) {
		mp_neural_network.predict(impl, d, 0, 4, out);
		for (i = 0; i < 4; i++) {
			hand_hidden(i, h);
			CHECK_NEAR(out[i], 1 / (1 + exp(-(0.3 + 2 * h[0] - 3 * h[1]))), 1e-7);
		}
		/* the hidden values of the rows: (0, 0), (0.35, 0.3), (1.35, 0) */
		CHECK_NEAR(out[0], 1 / (1 + exp(-0.3)), 1e-7);
		CHECK_NEAR(out[1], 1 / (1 + exp(-0.1)), 1e-7);
		CHECK_NEAR(out[2], 1 / (1 + exp(-3.0)), 1e-7);
		mp_neural_network.free(impl);
	}

	/* regression: value = 100 + 10 * (0.3 + 2 h0 - 3 h1) */
	impl = load_hand(MP_REGRESSION, 0, "identity",
			 "{\"units\":1,\"weights\":[[2],[-3]],\"bias\":[0.3]}",
			 "\"target\":{\"mean\":100,\"scale\":10},", f, &err);
	CHECK(impl != NULL);
	if (impl) {
		mp_neural_network.predict(impl, d, 0, 4, out);
		for (i = 0; i < 4; i++) {
			hand_hidden(i, h);
			CHECK_NEAR(out[i], 100 + 10 * (0.3 + 2 * h[0] - 3 * h[1]), 1e-5);
		}
		mp_neural_network.free(impl);
	}

	/* categorical: softmax of (h0 + 0, 2 h1, -h0 + h1 + 0.5) */
	impl = load_hand(MP_CATEGORICAL, 3, "softmax",
			 "{\"units\":3,\"weights\":[[1,0,-1],[0,2,1]],\"bias\":[0,0,0.5]}", "", f, &err);
	CHECK(impl != NULL);
	if (impl) {
		mp_neural_network.predict(impl, d, 0, 4, out);
		for (i = 0; i < 4; i++) {
			hand_hidden(i, h);
			s[0] = h[0];
			s[1] = 2 * h[1];
			s[2] = -h[0] + h[1] + 0.5;
			mx = fmax(s[0], fmax(s[1], s[2]));
			sum = exp(s[0] - mx) + exp(s[1] - mx) + exp(s[2] - mx);
			for (c = 0; c < 3; c++)
				CHECK_NEAR(out[i * 3 + (size_t)c], exp(s[c] - mx) / sum, 1e-7);
		}
		mp_neural_network.free(impl);
	}

	/* a file that does not fit the data */
	impl = load_hand(MP_CATEGORICAL, 3, "softmax",
			 "{\"units\":2,\"weights\":[[1,0],[0,2]],\"bias\":[0,0]}", "", f, &err);
	CHECK(impl == NULL);
	CHECK_CONTAINS(err.msg, "output layer has 2 units, expected 3");
	impl = load_hand(MP_BINARY, 2, "softmax", "{\"units\":1,\"weights\":[[2],[-3]],\"bias\":[0.3]}",
			 "", f, &err);
	CHECK(impl == NULL);
	CHECK_CONTAINS(err.msg, "output 'sigmoid'");
	mp_dataset_free(d);
}

/* ---- training --------------------------------------------------------------- */

/* n rows of 5 numbers and a 6-level category. Binary: an XOR of two signs
 * (no linear model can rank it); categorical: the quadrant of (x0, x1);
 * regression: a smooth non-linear function. */
static struct mp_dataset *pattern_dataset(enum mp_task task, size_t n, uint64_t seed)
{
	int k = task == MP_BINARY ? 2 : task == MP_CATEGORICAL ? 4 : 0;
	struct mp_dataset *d = mp_dataset_new(task, n, 6, k);
	struct mp_rng r;
	size_t i, j;

	mp_rng_seed(&r, seed);
	for (j = 0; j < 5; j++) {
		char name[16];
		snprintf(name, sizeof(name), "x%zu", j);
		set_feature(d, j, name, MP_FEATURE_NUMBER, 0);
	}
	set_feature(d, 5, "group", MP_FEATURE_CATEGORY, 6);
	set_classes(d);
	for (i = 0; i < n; i++) {
		double x0, x1, g;
		for (j = 0; j < 5; j++)
			d->x[j * n + i] = (float)(mp_rng_normal(&r) * 3 + 7);
		d->x[5 * n + i] = (float)mp_rng_below(&r, 6);
		x0 = (d->x[i] - 7) / 3;
		x1 = (d->x[n + i] - 7) / 3;
		g = d->x[5 * n + i] < 3 ? 1 : -1;
		if (task == MP_BINARY)
			d->y[i] = (x0 * x1 * g > 0) ^ (mp_rng_uniform(&r) < 0.05);
		else if (task == MP_CATEGORICAL)
			d->y[i] = (x0 > 0) * 2 + (x1 > 0);
		else
			d->y[i] = 50 + 20 * sin(x0) + 10 * x1 * x1 + 5 * g + mp_rng_normal(&r);
	}
	return d;
}

TEST(neural_network_learns_non_linear_structure)
{
	struct mp_error err = { 0, "" };
	enum mp_task task;

	static const char *const set[] = { "hidden=32", "learning_rate=0.01", NULL };

	for (task = MP_BINARY; task <= MP_REGRESSION; task++) {
		struct mp_dataset *d = pattern_dataset(task, 2000, 1);
		struct mp_dataset *test = pattern_dataset(task, 1000, 2);
		struct mp_model *m = train_with(d, 2, 1, set, &err);
		double *p, v;
		size_t i, right = 0;
		CHECK(m != NULL);
		if (!m) {
			fprintf(stderr, "  %s\n", err.msg);
			continue;
		}
		p = predict_all(m, test, 2);
		if (task == MP_BINARY) {
			v = mp_roc_auc(test->y, p, test->n_rows);
			CHECK(v > 0.9);
		} else if (task == MP_CATEGORICAL) {
			for (i = 0; i < test->n_rows; i++)
				right += mp_argmax(p + i * 4, 4) == (int)test->y[i];
			CHECK((double)right / (double)test->n_rows > 0.93);
		} else {
			v = mp_r_squared(test->y, p, test->n_rows);
			CHECK(v > 0.9);
		}
		/* what training reports */
		CHECK_INT(mp_json_num(m->info, "validation_rows", 0), 200);
		CHECK(mp_json_num(m->info, "epochs", 0) >= 1);
		CHECK(mp_json_num(m->info, "epochs", 0) <= 200);
		CHECK(mp_json_num(m->info, "best_epoch", 0) >= 1);
		CHECK(mp_json_num(m->info, "best_epoch", 0) <= mp_json_num(m->info, "epochs", 0));
		CHECK(isfinite(mp_json_num(m->info, "validation_loss", NAN)));
		CHECK(mp_json_num(m->info, "validation_loss", 1) <=
		      mp_json_num(m->info, "last_validation_loss", 0));
		free(p);
		mp_model_free(m);
		mp_dataset_free(d);
		mp_dataset_free(test);
	}
}

TEST(neural_network_early_stopping_keeps_the_best_epoch)
{
	/* a tiny noisy problem overfits quickly: with patience 3 the run stops
	 * 3 epochs after its best one, long before the 500 allowed */
	static const char *const set[] = { "epochs=500", "patience=3", "hidden=64", "alpha=0",
					   "learning_rate=0.01", "validation_fraction=0.3", NULL };
	struct mp_error err = { 0, "" };
	struct mp_dataset *d = pattern_dataset(MP_BINARY, 200, 9);
	struct mp_model *m;
	size_t i;

	for (i = 0; i < d->n_rows; i++)
		d->y[i] = (double)(i % 3 == 0); /* no signal at all */
	m = train_with(d, 1, 1, set, &err);
	CHECK(m != NULL);
	if (m) {
		double epochs = mp_json_num(m->info, "epochs", 0), best = mp_json_num(m->info, "best_epoch", 0);
		CHECK(epochs < 500);
		CHECK(epochs >= best + 3);
		CHECK_INT(mp_json_num(m->info, "validation_rows", 0), 60);
	}
	mp_model_free(m);
	mp_dataset_free(d);
}

TEST(neural_network_same_model_whatever_the_threads)
{
	/* the second case is large enough (400 levels x 64 units) for the
	 * batch and parameter phases to run on the pool */
	static const char *const small[] = { "epochs=5", NULL };
	static const char *const large[] = { "epochs=3", "hidden=64", "layers=2", NULL };
	enum mp_task task;
	int big;

	for (big = 0; big < 2; big++)
		for (task = MP_BINARY; task <= MP_REGRESSION; task++) {
			struct mp_error err = { 0, "" };
			struct mp_dataset *d = pattern_dataset(task, 1500, 3);
			struct mp_model *m1, *m2, *m3;
			size_t i;
			if (big) {
				d->features[5].levels = 400;
				for (i = 0; i < d->n_rows; i++)
					d->x[5 * d->n_rows + i] = (float)(i * 37 % 400);
			}
			m1 = train_with(d, 1, 5, big ? large : small, &err);
			m2 = train_with(d, 2, 5, big ? large : small, &err);
			m3 = train_with(d, 3, 5, big ? large : small, &err);
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

TEST(neural_network_seed_decides_the_model)
{
	static const char *const set[] = { "epochs=3", NULL };
	struct mp_error err = { 0, "" };
	struct mp_dataset *d = pattern_dataset(MP_BINARY, 500, 3);
	struct mp_model *a = train_with(d, 1, 1, set, &err), *b = train_with(d, 1, 1, set, &err);
	struct mp_model *c = train_with(d, 1, 2, set, &err);
	char *ta, *tb, *tc;

	CHECK(a && b && c);
	if (a && b && c) {
		ta = model_text(a);
		tb = model_text(b);
		tc = model_text(c);
		CHECK_STR(ta, tb);
		CHECK(strcmp(ta, tc) != 0);
		free(ta);
		free(tb);
		free(tc);
	}
	mp_model_free(a);
	mp_model_free(b);
	mp_model_free(c);
	mp_dataset_free(d);
}

TEST(neural_network_save_load_predict_identical)
{
	static const char *const set[] = { "epochs=4", "layers=2", "hidden=16", NULL };
	enum mp_task task;

	for (task = MP_BINARY; task <= MP_REGRESSION; task++) {
		struct mp_error err = { 0, "" };
		struct mp_dataset *d = pattern_dataset(task, 800, 3);
		struct mp_dataset *test = pattern_dataset(task, 555, 4);
		struct mp_model *m = train_with(d, 2, 1, set, &err), *back;
		char *path = xasprintf("%s/nn-%d.json.zst", mp_test_tmpdir(), (int)task);
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

/* A constant column, one non-missing value, a level seen once, 10,000
 * levels; test rows with out-of-range codes and a huge value. */
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

TEST(neural_network_degenerate_inputs)
{
	static const char *const set[] = { "epochs=20", "hidden=16", NULL };
	size_t sizes[] = { 1, 2, 40 };
	enum mp_task task;
	size_t s;

	for (task = MP_BINARY; task <= MP_REGRESSION; task++)
		for (s = 0; s < 3; s++) {
			struct mp_error err = { 0, "" };
			struct mp_dataset *d, *test;
			struct mp_model *m;
			double *p;
			if (task == MP_CATEGORICAL && sizes[s] < 3)
				continue; /* training data always has every class */
			d = awkward_dataset(task, sizes[s]);
			test = awkward_dataset(task, 1);
			test->x[2] = 17;
			test->x[3] = -3;
			test->x[0] = 1e30f;
			test->x[4] = NAN;
			if (task == MP_CATEGORICAL)
				test->y[0] = 3; /* an unseen label: predict() ignores it */
			m = train_with(d, 2, 1, set, &err);
			CHECK(m != NULL);
			if (!m) {
				fprintf(stderr, "  %s\n", err.msg);
			} else {
				p = predict_all(m, test, 1);
				check_predictions(m, p, 1);
				free(p);
				p = predict_all(m, d, 2);
				check_predictions(m, p, d->n_rows);
				free(p);
				if (sizes[s] == 1)
					CHECK_INT(mp_json_num(m->info, "validation_rows", -1), 0);
			}
			mp_model_free(m);
			mp_dataset_free(d);
			mp_dataset_free(test);
		}
}

TEST(neural_network_rejects_bad_labels)
{
	struct mp_error err = { 0, "" };
	struct mp_dataset *d = pattern_dataset(MP_CATEGORICAL, 50, 1);
	struct mp_model *m;

	d->y[7] = 4; /* K = 4: code 4 is the unseen label, never in training */
	m = train_with(d, 1, 1, NULL, &err);
	CHECK(m == NULL);
	CHECK_CONTAINS(err.msg, "row 8");
	CHECK_INT(err.code, MP_EX_DATAERR);
	mp_dataset_free(d);
}

static void record_progress(void *arg, double fraction)
{
	double *last = arg;

	CHECK(fraction >= last[0]);
	CHECK(fraction >= 0 && fraction <= 1);
	last[0] = fraction;
	last[1] += 1;
}

TEST(neural_network_reports_progress)
{
	struct mp_error err = { 0, "" };
	struct mp_dataset *d = pattern_dataset(MP_BINARY, 300, 1);
	struct mp_params params;
	struct mp_train_ctx ctx;
	struct mp_model *m;
	double last[2] = { 0, 0 };

	mp_params_init(&params, mp_neural_network.params, mp_neural_network.n_params, d->task);
	CHECK(mp_params_set(&params, "neural_network", "epochs", "7", &err) == 0);
	memset(&ctx, 0, sizeof(ctx));
	ctx.task = d->task;
	ctx.seed = 1;
	ctx.pool = mp_pool_new(1);
	ctx.params = &params;
	ctx.progress = record_progress;
	ctx.progress_arg = last;
	m = mp_model_train(&mp_neural_network, d, &ctx, &err);
	CHECK(m != NULL);
	CHECK_NEAR(last[0], 1, 0);
	CHECK(last[1] >= 8);
	mp_model_free(m);
	mp_pool_free(ctx.pool);
	mp_params_free(&params);
	mp_dataset_free(d);
}

TEST(neural_network_only_categories_or_no_features)
{
	static const char *const set[] = { "epochs=50", "validation_fraction=0", NULL };
	struct mp_error err = { 0, "" };
	struct mp_dataset *d = mp_dataset_new(MP_BINARY, 64, 1, 2), *none;
	struct mp_model *m;
	double *p;
	size_t i;

	d->features[0].name = xstrdup("colour");
	d->features[0].kind = MP_FEATURE_CATEGORY;
	d->features[0].levels = 3;
	set_classes(d);
	for (i = 0; i < 64; i++) {
		d->x[i] = (float)(i % 2);
		d->y[i] = (double)((i % 2) ^ (i % 4 == 3));
	}
	m = train_with(d, 1, 1, set, &err);
	CHECK(m != NULL);
	if (m) {
		p = predict_all(m, d, 1);
		CHECK(p[1] > p[0]);
		free(p);
	}
	mp_model_free(m);

	/* no features: the output bias, which starts at the prior, stays there */
	none = mp_dataset_new(MP_BINARY, 64, 0, 2);
	set_classes(none);
	memcpy(none->y, d->y, 64 * sizeof(double));
	m = train_with(none, 1, 1, set, &err);
	CHECK(m != NULL);
	if (m) {
		p = predict_all(m, none, 1);
		CHECK_NEAR(p[0], 16.0 / 64, 0.02);
		free(p);
	}
	mp_model_free(m);
	mp_dataset_free(d);
	mp_dataset_free(none);
}
