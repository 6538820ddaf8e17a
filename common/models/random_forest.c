/* random_forest.c — bagged CART trees with random feature subsets:
 * binary and categorical (Gini over all classes; the forest's
 * probabilities are the mean of the trees' leaf class frequencies) and
 * regression (SSE; the mean of the trees' leaf means).
 *
 * Every tree draws its own bootstrap sample of the rows and its own
 * feature draws from seeds derived from (seed, tree index), so trees are
 * independent, train in parallel, and the forest does not depend on the
 * thread count (the original reused one seed and no bootstrap: ten
 * identical trees). Features are binned once for the whole forest; each
 * split looks at max_features features drawn afresh (sqrt(p) for
 * classification, p/3 for regression by default), drawing further ones
 * while too few of those vary inside the node. Rows left out of a tree's
 * sample give the out-of-bag estimate recorded in the training info.
 *
 * Model JSON: {"trees": [tree, ...]}; a leaf value holds P(true)
 * (binary), one frequency per class (categorical) or the mean. */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "metrics.h"
#include "models/model.h"
#include "models/tree.h"
#include "rng.h"

static const struct mp_param_spec rf_params[] = {
	{ "trees", MP_PARAM_INT, 1, 100000, { 100, 100, 100 }, "trees in the forest" },
	{ "max_features", MP_PARAM_REAL, 0, 1e6, { 0, 0, 0 },
	  "features tried per split: 0 = sqrt(p) (classification) or p/3 (regression), "
	  "below 1 a fraction of p, else a count" },
	{ "max_depth", MP_PARAM_INT, 0, 10000, { 0, 0, 0 },
	  "deepest level a leaf may sit at (root = 0); 0 = unlimited" },
	{ "min_samples_leaf", MP_PARAM_INT, 1, 1e9, { 5, 5, 5 },
	  "fewest sampled rows in a leaf" },
	{ "min_samples_split", MP_PARAM_INT, 2, 1e9, { 2, 2, 2 },
	  "fewest sampled rows in a node that may be split" },
	{ "max_bins", MP_PARAM_INT, 2, 255, { 255, 255, 255 }, "bins per feature" },
};

struct rf_model {
	enum mp_task task;
	int n_values;
	size_t n_trees;
	struct mp_tree **trees;
};

/* ---- training ------------------------------------------------------------ */

struct rf_train {
	const struct mp_dataset *d;
	const struct mp_train_ctx *ctx;
	struct mp_bins bins;
	struct mp_grow g;       /* shared settings; seed set per tree */
	float *stat;
	struct mp_tree **trees;
	uint8_t **in_bag;       /* per tree, a bit per row */
	atomic_size_t done;
	size_t n_trees;
};

static void rf_tree_task(void *arg, size_t t, int thread)
{
	struct rf_train *tr = arg;
	size_t n = tr->d->n_rows, i, at = 0;
	uint32_t *count = xcalloc(n, sizeof(uint32_t)), *rows = xmalloc(n * sizeof(uint32_t));
	uint8_t *bag = xcalloc((n + 7) / 8, 1);
	struct mp_grow g = tr->g;
	struct mp_rng rng;
	size_t finished;

	/* the bootstrap: n draws with replacement, listed in row order */
	mp_rng_seed(&rng, mp_rng_derive(tr->ctx->seed, t));
	for (i = 0; i < n; i++)
		count[mp_rng_below(&rng, n)]++;
	for (i = 0; i < n; i++) {
		uint32_t c;
		if (count[i])
			bag[i / 8] |= (uint8_t)(1u << (i % 8));
		for (c = 0; c < count[i]; c++)
			rows[at++] = (uint32_t)i;
	}
	g.seed = mp_rng_next(&rng);
	tr->trees[t] = mp_tree_grow(&g, rows, n, NULL);
	tr->in_bag[t] = bag;
	free(count);
	free(rows);
	finished = atomic_fetch_add(&tr->done, 1) + 1;
	/* only the calling thread reports, so the fractions never go back */
	if (tr->ctx->progress && thread == 0)
		tr->ctx->progress(tr->ctx->progress_arg, 0.05 + 0.9 * (double)finished / (double)tr->n_trees);
}

#define OOB_BLOCK 1024

struct oob_job {
	struct rf_train *tr;
	int n_values;
	double *sum;   /* n * n_values */
	uint32_t *votes;
};

/* Out-of-bag sums per row, trees added in index order. Each tree walks
 * the block's out-of-bag rows together. */
static void oob_task(void *arg, size_t task, int thread)
{
	struct oob_job *oj = arg;
	struct rf_train *tr = oj->tr;
	size_t n = tr->d->n_rows, begin = task * OOB_BLOCK, i, t, q;
	size_t end = begin + OOB_BLOCK < n ? begin + OOB_BLOCK : n;
	uint32_t rows[OOB_BLOCK], leaf[OOB_BLOCK];
	int k;

	(void)thread;
	for (t = 0; t < tr->n_trees; t++) {
		const struct mp_tree *tree = tr->trees[t];
		const uint8_t *bag = tr->in_bag[t];
		size_t m = 0;
		for (i = begin; i < end; i++)
			if (!(bag[i / 8] & (1u << (i % 8))))
				rows[m++] = (uint32_t)i;
		mp_tree_leaves_binned(tree, &tr->bins, rows, m, leaf);
		for (q = 0; q < m; q++) {
			const float *v = tree->value + (size_t)leaf[q] * (size_t)oj->n_values;
			for (k = 0; k < oj->n_values; k++)
				oj->sum[(size_t)rows[q] * (size_t)oj->n_values + (size_t)k] += v[k];
			oj->votes[rows[q]]++;
		}
	}
}

/* The out-of-bag metric: AUC, accuracy or R-squared over the rows some
 * tree left out; NaN (written as null) when no row was ever left out. */
static void oob_metric(struct rf_train *tr, int n_values, cJSON *info)
{
	const struct mp_dataset *d = tr->d;
	size_t n = d->n_rows, i, m = 0;
	struct oob_job oj;
	double *score = xmalloc((n ? n : 1) * sizeof(double)), *label = xmalloc((n ? n : 1) * sizeof(double));
	int k;

	oj.tr = tr;
	oj.n_values = n_values;
	oj.sum = xcalloc(mp_mul_size(n, (size_t)n_values), sizeof(double));
	oj.votes = xcalloc(n, sizeof(uint32_t));
	mp_pool_run(tr->ctx->pool, (n + OOB_BLOCK - 1) / OOB_BLOCK, oob_task, &oj);
	for (i = 0; i < n; i++) {
		const double *s = oj.sum + i * (size_t)n_values;
		if (!oj.votes[i])
			continue;
		if (d->task == MP_CATEGORICAL) {
			int best = 0;
			for (k = 1; k < n_values; k++)
				if (s[k] > s[best])
					best = k;
			score[m] = best == (int)d->y[i];
		} else {
			score[m] = s[0] / oj.votes[i];
		}
		label[m++] = d->y[i];
	}
	if (d->task == MP_BINARY) {
		mp_json_add_num(info, "oob_auc", m ? mp_roc_auc(label, score, m) : NAN);
	} else if (d->task == MP_CATEGORICAL) {
		double right = 0;
		for (i = 0; i < m; i++)
			right += score[i];
		mp_json_add_num(info, "oob_accuracy", m ? right / (double)m : NAN);
	} else {
		mp_json_add_num(info, "oob_r_squared", m ? mp_r_squared(label, score, m) : NAN);
	}
	cJSON_AddNumberToObject(info, "oob_rows", (double)m);
	free(oj.sum);
	free(oj.votes);
	free(score);
	free(label);
}

/* Features tried per split. */
static int rf_mtry(const struct mp_dataset *d, double max_features)
{
	double p = (double)d->n_features, f;

	if (max_features <= 0)
		f = d->task == MP_REGRESSION ? floor(p / 3) : floor(sqrt(p));
	else if (max_features < 1)
		f = floor(max_features * p + 0.5);
	else
		f = floor(max_features);
	if (f < 1)
		f = 1;
	if (f > p)
		f = p;
	return (int)f;
}

static void *rf_train(const struct mp_dataset *d, const struct mp_train_ctx *ctx,
		      struct mp_error *err)
{
	const struct mp_params *P = ctx->params;
	struct rf_train tr;
	struct rf_model *m;
	size_t n = d->n_rows, i, t;
	int n_out = d->task == MP_CATEGORICAL ? d->n_classes : 1, stride = 1 + n_out;
	double mean = 0;

	if (mp_tree_check_target(d, err))
		return NULL;
	memset(&tr, 0, sizeof(tr));
	tr.d = d;
	tr.ctx = ctx;
	if (ctx->progress)
		ctx->progress(ctx->progress_arg, 0);
	if (mp_bins_build(&tr.bins, d, mp_param_int(P, "max_bins"), ctx->pool, err))
		return NULL;
	if (ctx->progress)
		ctx->progress(ctx->progress_arg, 0.05);

	/* per-row stats as in decision_tree: weight 1, then the class (one-hot,
	 * or y alone for two classes) or the centred target */
	if (d->task == MP_REGRESSION) {
		for (i = 0; i < n; i++)
			mean += d->y[i];
		mean /= (double)n;
	}
	tr.stat = xcalloc(mp_mul_size(n, (size_t)stride), sizeof(float));
	for (i = 0; i < n; i++) {
		float *s = tr.stat + i * (size_t)stride;
		s[0] = 1;
		if (d->task == MP_CATEGORICAL)
			s[1 + (int)d->y[i]] = 1;
		else
			s[1] = (float)(d->y[i] - mean);
	}

	tr.g.bins = &tr.bins;
	tr.g.stat = tr.stat;
	tr.g.n_out = n_out;
	tr.g.leaf_scale = 1;
	tr.g.leaf_offset = mean;
	tr.g.max_depth = mp_param_int(P, "max_depth");
	tr.g.min_child_weight = mp_param_int(P, "min_samples_leaf");
	tr.g.min_split_weight = mp_param_int(P, "min_samples_split");
	tr.g.gain_scale = 1;
	tr.g.max_features = rf_mtry(d, mp_param(P, "max_features"));
	tr.g.pool = NULL; /* parallel over trees instead */
	tr.n_trees = (size_t)mp_param_int(P, "trees");
	tr.trees = xcalloc(tr.n_trees, sizeof(*tr.trees));
	tr.in_bag = xcalloc(tr.n_trees, sizeof(*tr.in_bag));
	atomic_init(&tr.done, 0);
	mp_pool_run(ctx->pool, tr.n_trees, rf_tree_task, &tr);

	if (ctx->info) {
		double nodes = 0;
		oob_metric(&tr, n_out, ctx->info);
		for (t = 0; t < tr.n_trees; t++)
			nodes += (double)tr.trees[t]->n_nodes;
		cJSON_AddNumberToObject(ctx->info, "trees", (double)tr.n_trees);
		cJSON_AddNumberToObject(ctx->info, "nodes", nodes);
		cJSON_AddNumberToObject(ctx->info, "max_features", tr.g.max_features);
	}
	m = xcalloc(1, sizeof(*m));
	m->task = d->task;
	m->n_values = n_out;
	m->n_trees = tr.n_trees;
	m->trees = tr.trees;
	for (t = 0; t < tr.n_trees; t++)
		free(tr.in_bag[t]);
	free(tr.in_bag);
	free(tr.stat);
	mp_bins_free(&tr.bins);
	if (ctx->progress)
		ctx->progress(ctx->progress_arg, 1);
	return m;
}

/* ---- prediction ------------------------------------------------------------ */

#define PREDICT_BLOCK 128

static void rf_predict(const void *model, const struct mp_dataset *d, size_t begin, size_t end,
		       double *out)
{
	const struct rf_model *m = model;
	size_t nv = (size_t)m->n_values, p = d->n_features, b0, i, t, k;
	float *xr = xmalloc(PREDICT_BLOCK * (p ? p : 1) * sizeof(float));
	uint32_t leaf[PREDICT_BLOCK];

	for (b0 = begin; b0 < end; b0 += PREDICT_BLOCK) {
		size_t b1 = b0 + PREDICT_BLOCK < end ? b0 + PREDICT_BLOCK : end;
		double *o = out + (b0 - begin) * nv;
		memset(o, 0, (b1 - b0) * nv * sizeof(double));
		mp_tree_rows_block(d, b0, b1, xr);
		for (t = 0; t < m->n_trees; t++) {
			const struct mp_tree *tree = m->trees[t];
			mp_tree_leaves_block(tree, xr, p, b1 - b0, leaf);
			for (i = 0; i < b1 - b0; i++)
				for (k = 0; k < nv; k++)
					o[i * nv + k] += tree->value[(size_t)leaf[i] * nv + k];
		}
		for (i = 0; i < b1 - b0; i++) {
			double *r = o + i * nv, sum = 0;
			if (m->task == MP_CATEGORICAL) {
				for (k = 0; k < nv; k++)
					sum += r[k] = r[k] > 0 ? r[k] : 0;
				for (k = 0; k < nv; k++)
					r[k] = sum > 0 ? r[k] / sum : 1.0 / (double)nv;
			} else {
				r[0] /= (double)m->n_trees;
				if (m->task == MP_BINARY)
					r[0] = r[0] < 0 ? 0 : r[0] > 1 ? 1 : r[0];
			}
		}
	}
	free(xr);
}

/* ---- JSON ------------------------------------------------------------------ */

static cJSON *rf_save(const void *model)
{
	const struct rf_model *m = model;
	cJSON *j = cJSON_CreateObject(), *trees = cJSON_CreateArray();
	size_t t;

	for (t = 0; t < m->n_trees; t++)
		cJSON_AddItemToArray(trees, mp_tree_save(m->trees[t]));
	cJSON_AddItemToObject(j, "trees", trees);
	return j;
}

static void rf_free(void *model)
{
	struct rf_model *m = model;
	size_t t;

	if (!m)
		return;
	for (t = 0; t < m->n_trees; t++)
		mp_tree_free(m->trees[t]);
	free(m->trees);
	free(m);
}

static void *rf_load(const cJSON *json, const struct mp_model_shape *shape, struct mp_error *err)
{
	const cJSON *trees = cJSON_GetObjectItemCaseSensitive(json, "trees"), *e;
	int nv = shape->task == MP_CATEGORICAL ? shape->n_classes : 1;
	struct rf_model *m;

	if (nv < 1 || !cJSON_IsArray(trees) || cJSON_GetArraySize(trees) < 1) {
		mp_error_set(err, MP_EX_DATAERR, "random_forest: member 'trees': expected an array of trees");
		return NULL;
	}
	m = xcalloc(1, sizeof(*m));
	m->task = shape->task;
	m->n_values = nv;
	m->trees = xcalloc((size_t)cJSON_GetArraySize(trees), sizeof(*m->trees));
	cJSON_ArrayForEach(e, trees) {
		struct mp_tree *t = mp_tree_load(e, nv, shape->n_features, err);
		if (!t) {
			mp_error_prefix(err, "random_forest: tree %zu", m->n_trees);
			rf_free(m);
			return NULL;
		}
		m->trees[m->n_trees++] = t;
	}
	return m;
}

const struct mp_algorithm mp_random_forest = {
	"random_forest",
	MP_TASK_BIT(MP_BINARY) | MP_TASK_BIT(MP_CATEGORICAL) | MP_TASK_BIT(MP_REGRESSION),
	rf_params,
	sizeof(rf_params) / sizeof(rf_params[0]),
	rf_train,
	rf_predict,
	rf_save,
	rf_load,
	rf_free,
};
