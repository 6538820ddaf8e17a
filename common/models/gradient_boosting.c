/* gradient_boosting.c — histogram gradient-boosted trees with
 * second-order (Newton) leaf weights: logistic loss (binary), softmax with
 * one tree per class per round (categorical), squared error (regression).
 *
 * Features are binned once (at most max_bins bins, uint8 codes). Each
 * round computes a float (hessian, gradient) pair per row and grows a tree
 * on the tree core in subtract mode: only the smaller child's histogram is
 * built from rows, its sibling is parent - child. Rows the tree was grown
 * on get their new margins straight from the leaf ranges of the row
 * partition; other rows (subsampled out, validation) walk the tree on
 * their codes. With early stopping a seeded validation part of the
 * training rows is held out and the model keeps the rounds up to the best
 * validation loss.
 *
 * Model JSON: {"trees_per_round": K, "base_score": [K margins],
 * "trees": [tree, ...]} with tree t adding to class t % K; leaf values
 * already include the learning rate. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "models/model.h"
#include "models/tree.h"
#include "rng.h"

static const struct mp_param_spec gb_params[] = {
	{ "rounds", MP_PARAM_INT, 1, 100000, { 300, 300, 500 },
	  "boosting rounds (the most kept with early stopping)" },
	{ "learning_rate", MP_PARAM_REAL, 1e-6, 1, { 0.05, 0.1, 0.05 },
	  "shrinkage applied to every tree" },
	{ "max_depth", MP_PARAM_INT, 0, 64, { 4, 4, 5 },
	  "deepest level a leaf may sit at (root = 0); 0 = limited by max_leaves only" },
	{ "max_leaves", MP_PARAM_INT, 0, 1e6, { 0, 0, 0 },
	  "most leaves a tree may have, grown best gain first; 0 = depth-limited only" },
	{ "lambda", MP_PARAM_REAL, 0, 1e300, { 1, 1, 1 }, "L2 penalty on leaf weights" },
	{ "min_child_weight", MP_PARAM_REAL, 0, 1e300, { 1, 1, 1 },
	  "least hessian sum in a child" },
	{ "subsample", MP_PARAM_REAL, 1e-3, 1, { 0.8, 0.8, 0.8 },
	  "fraction of the rows each round's trees see" },
	{ "colsample", MP_PARAM_REAL, 1e-3, 1, { 0.8, 0.8, 0.8 },
	  "fraction of the features each tree may split on" },
	{ "max_bins", MP_PARAM_INT, 2, 255, { 255, 255, 255 }, "bins per feature" },
	{ "early_stopping_rounds", MP_PARAM_INT, 0, 1e6, { 50, 50, 50 },
	  "stop when the validation loss has not improved for this many rounds; 0 = off" },
	{ "validation_fraction", MP_PARAM_REAL, 0, 0.9, { 0.1, 0.1, 0.1 },
	  "fraction of the training rows held out for early stopping" },
};

struct gb_model {
	enum mp_task task;
	int k;              /* trees per round */
	double *base;       /* k starting margins */
	size_t n_trees;
	struct mp_tree **trees;
};

/* ---- training ------------------------------------------------------------ */

#define ROW_BLOCK 65536

struct gb_train {
	const struct mp_dataset *d;
	struct mp_bins bins;
	int k;
	double *margin;     /* n * k */
	float *prob;        /* n * k, softmax probabilities of the round */
	float *stat;        /* n * 2: hessian, gradient of the current tree */
	uint8_t *in_tree;   /* 1 = the row's margin was updated from the partition */
	const uint8_t *is_val;
	const uint32_t *val_rows;
	size_t n_val;
	double *val_loss;   /* per row block */
	struct mp_tree *tree;
	int klass;          /* class of the current tree */
	uint64_t sample_seed;
	double subsample;
	size_t *block_count; /* sampled rows per block */
	uint32_t *rows;
};

static double sigmoid(double m)
{
	return 1 / (1 + exp(-m));
}

/* Softmax of the round's margins, once per round for all k trees. */
static void softmax_task(void *arg, size_t task, int thread)
{
	struct gb_train *tr = arg;
	size_t n = tr->d->n_rows, begin = task * ROW_BLOCK, i;
	size_t end = begin + ROW_BLOCK < n ? begin + ROW_BLOCK : n;
	int k = tr->k, c;

	(void)thread;
	for (i = begin; i < end; i++) {
		const double *m = tr->margin + i * (size_t)k;
		double top = m[0], sum = 0;
		for (c = 1; c < k; c++)
			if (m[c] > top)
				top = m[c];
		for (c = 0; c < k; c++)
			sum += exp(m[c] - top);
		for (c = 0; c < k; c++)
			tr->prob[i * (size_t)k + (size_t)c] = (float)(exp(m[c] - top) / sum);
	}
}

/* Gradient and hessian of the loss at the current margins. Hessians are
 * kept above 1e-16 so no row ever has zero weight. */
static void grad_task(void *arg, size_t task, int thread)
{
	struct gb_train *tr = arg;
	const struct mp_dataset *d = tr->d;
	size_t n = d->n_rows, begin = task * ROW_BLOCK, i;
	size_t end = begin + ROW_BLOCK < n ? begin + ROW_BLOCK : n;
	float *s = tr->stat;

	(void)thread;
	for (i = begin; i < end; i++) {
		double g, h;
		if (d->task == MP_BINARY) {
			double p = sigmoid(tr->margin[i]);
			g = p - d->y[i];
			h = p * (1 - p);
		} else if (d->task == MP_CATEGORICAL) {
			double p = tr->prob[i * (size_t)tr->k + (size_t)tr->klass];
			g = p - ((int)d->y[i] == tr->klass);
			h = p * (1 - p);
		} else {
			g = tr->margin[i] - d->y[i];
			h = 1;
		}
		s[2 * i] = (float)(h > 1e-16 ? h : 1e-16);
		s[2 * i + 1] = (float)g;
	}
}

/* Row sampling: a Bernoulli draw per row from a stream derived from the
 * round and the row block, so the sample does not depend on threads. */
static void sample_count_task(void *arg, size_t task, int thread)
{
	struct gb_train *tr = arg;
	size_t n = tr->d->n_rows, begin = task * ROW_BLOCK, i, c = 0;
	size_t end = begin + ROW_BLOCK < n ? begin + ROW_BLOCK : n;
	struct mp_rng rng;

	(void)thread;
	mp_rng_seed(&rng, mp_rng_derive(tr->sample_seed, task));
	for (i = begin; i < end; i++) {
		int take = !tr->is_val[i] && (tr->subsample >= 1 || mp_rng_uniform(&rng) < tr->subsample);
		tr->in_tree[i] = (uint8_t)take;
		c += (size_t)take;
	}
	tr->block_count[task] = c;
}

static void sample_write_task(void *arg, size_t task, int thread)
{
	struct gb_train *tr = arg;
	size_t n = tr->d->n_rows, begin = task * ROW_BLOCK, i, at = tr->block_count[task];
	size_t end = begin + ROW_BLOCK < n ? begin + ROW_BLOCK : n;

	(void)thread;
	for (i = begin; i < end; i++)
		if (tr->in_tree[i])
			tr->rows[at++] = (uint32_t)i;
}

struct leaf_job {
	struct gb_train *tr;
	const struct mp_node_rows *where;
	size_t *leaves;
};

static void leaf_update_task(void *arg, size_t task, int thread)
{
	struct leaf_job *lj = arg;
	struct gb_train *tr = lj->tr;
	size_t leaf = lj->leaves[task], q;
	double v = tr->tree->value[leaf];

	(void)thread;
	for (q = lj->where->begin[leaf]; q < lj->where->end[leaf]; q++)
		tr->margin[(size_t)tr->rows[q] * (size_t)tr->k + (size_t)tr->klass] += v;
}

/* Rows the tree was not grown on walk it on their codes, a few hundred
 * at a time. */
static void walk_update_task(void *arg, size_t task, int thread)
{
	struct gb_train *tr = arg;
	size_t n = tr->d->n_rows, begin = task * ROW_BLOCK, i, q;
	size_t end = begin + ROW_BLOCK < n ? begin + ROW_BLOCK : n;
	uint32_t rows[256], leaf[256];

	(void)thread;
	for (i = begin; i < end;) {
		size_t m = 0;
		for (; i < end && m < 256; i++)
			if (!tr->in_tree[i])
				rows[m++] = (uint32_t)i;
		mp_tree_leaves_binned(tr->tree, &tr->bins, rows, m, leaf);
		for (q = 0; q < m; q++)
			tr->margin[(size_t)rows[q] * (size_t)tr->k + (size_t)tr->klass] +=
				tr->tree->value[leaf[q]];
	}
}

/* Validation loss summed per block (added up in block order afterwards):
 * log loss, multi-class log loss or squared error. */
static void val_loss_task(void *arg, size_t task, int thread)
{
	struct gb_train *tr = arg;
	const struct mp_dataset *d = tr->d;
	size_t begin = task * ROW_BLOCK, q, end = begin + ROW_BLOCK < tr->n_val ? begin + ROW_BLOCK : tr->n_val;
	double sum = 0;
	int k = tr->k, c;

	(void)thread;
	for (q = begin; q < end; q++) {
		size_t i = tr->val_rows[q];
		const double *m = tr->margin + i * (size_t)k;
		if (d->task == MP_BINARY) {
			/* -log sigmoid(+-m), computed stably */
			double z = d->y[i] > 0.5 ? m[0] : -m[0];
			sum += z > 0 ? log1p(exp(-z)) : -z + log1p(exp(z));
		} else if (d->task == MP_CATEGORICAL) {
			double top = m[0], lse = 0;
			for (c = 1; c < k; c++)
				if (m[c] > top)
					top = m[c];
			for (c = 0; c < k; c++)
				lse += exp(m[c] - top);
			sum += log(lse) + top - m[(int)d->y[i]];
		} else {
			double e = m[0] - d->y[i];
			sum += e * e;
		}
	}
	tr->val_loss[task] = sum;
}

/* Starting margins: the training prior (log-odds, log class shares, mean). */
static void base_scores(const struct mp_dataset *d, const uint8_t *is_val, int k, double *base)
{
	double *count = xcalloc((size_t)k + 1, sizeof(double)), total = 0, sum = 0;
	size_t i;
	int c;

	for (i = 0; i < d->n_rows; i++) {
		if (is_val[i])
			continue;
		total++;
		if (d->task == MP_CATEGORICAL)
			count[(int)d->y[i]]++;
		else
			sum += d->y[i];
	}
	if (d->task == MP_BINARY) {
		double p = sum / total;
		p = p < 1e-6 ? 1e-6 : p > 1 - 1e-6 ? 1 - 1e-6 : p;
		base[0] = log(p / (1 - p));
	} else if (d->task == MP_CATEGORICAL) {
		for (c = 0; c < k; c++)
			base[c] = log((count[c] + 1e-6) / (total + 1e-6 * k));
	} else {
		base[0] = sum / total;
	}
	free(count);
}

static void *gb_train(const struct mp_dataset *d, const struct mp_train_ctx *ctx,
		      struct mp_error *err)
{
	const struct mp_params *P = ctx->params;
	int rounds = mp_param_int(P, "rounds"), stop_after = mp_param_int(P, "early_stopping_rounds");
	double lr = mp_param(P, "learning_rate"), colsample = mp_param(P, "colsample");
	double val_frac = mp_param(P, "validation_fraction"), best_loss = INFINITY;
	size_t n = d->n_rows, p = d->n_features, i, n_blocks = (n + ROW_BLOCK - 1) / ROW_BLOCK;
	size_t n_train = n, max_trees, n_cols;
	struct gb_train tr;
	struct gb_model *m;
	struct mp_grow g;
	uint8_t *is_val;
	uint32_t *val_rows = NULL;
	int *cols = xmalloc((p ? p : 1) * sizeof(int)), r, c, best_round = -1, ran = 0;

	if (mp_tree_check_target(d, err)) {
		free(cols);
		return NULL;
	}
	memset(&tr, 0, sizeof(tr));
	tr.d = d;
	tr.k = d->task == MP_CATEGORICAL ? d->n_classes : 1;
	if (mp_bins_build(&tr.bins, d, mp_param_int(P, "max_bins"), ctx->pool, err)) {
		free(cols);
		return NULL;
	}

	/* the validation part: a seeded shuffle, held out from every tree */
	is_val = xcalloc(n, 1);
	if (stop_after > 0 && val_frac > 0 && n >= 2) {
		size_t *perm = xmalloc(n * sizeof(size_t)), n_val = (size_t)(val_frac * (double)n + 0.5), q = 0;
		struct mp_rng rng;
		if (n_val < 1)
			n_val = 1;
		if (n_val > n - 1)
			n_val = n - 1;
		for (i = 0; i < n; i++)
			perm[i] = i;
		mp_rng_seed(&rng, mp_rng_derive(ctx->seed, 0x76616c));
		mp_rng_shuffle(&rng, perm, n);
		for (i = 0; i < n_val; i++)
			is_val[perm[i]] = 1;
		free(perm);
		val_rows = xmalloc(n_val * sizeof(uint32_t));
		for (i = 0; i < n; i++)
			if (is_val[i])
				val_rows[q++] = (uint32_t)i;
		tr.n_val = n_val;
		n_train = n - n_val;
	}
	tr.is_val = is_val;
	tr.val_rows = val_rows;
	tr.val_loss = xcalloc(n_blocks + 1, sizeof(double));

	m = xcalloc(1, sizeof(*m));
	m->task = d->task;
	m->k = tr.k;
	m->base = xmalloc((size_t)tr.k * sizeof(double));
	base_scores(d, is_val, tr.k, m->base);
	max_trees = (size_t)rounds * (size_t)tr.k;
	m->trees = xcalloc(max_trees, sizeof(*m->trees));

	tr.margin = xmalloc(mp_mul_size(n, (size_t)tr.k * sizeof(double)));
	for (i = 0; i < n * (size_t)tr.k; i++)
		tr.margin[i] = m->base[i % (size_t)tr.k];
	if (d->task == MP_CATEGORICAL)
		tr.prob = xmalloc(mp_mul_size(n, (size_t)tr.k * sizeof(float)));
	tr.stat = xmalloc(mp_mul_size(n, 2 * sizeof(float)));
	tr.in_tree = xmalloc(n);
	tr.rows = xmalloc(n * sizeof(uint32_t));
	tr.block_count = xcalloc(n_blocks + 1, sizeof(size_t));
	tr.subsample = mp_param(P, "subsample");

	memset(&g, 0, sizeof(g));
	g.bins = &tr.bins;
	g.stat = tr.stat;
	g.n_out = 1;
	g.lambda = mp_param(P, "lambda");
	g.newton = 1;
	g.leaf_scale = lr;
	g.max_depth = mp_param_int(P, "max_depth");
	g.max_leaves = mp_param_int(P, "max_leaves");
	g.min_child_weight = mp_param(P, "min_child_weight");
	g.gain_scale = 1;
	g.subtract = 1;
	g.pool = ctx->pool;
	n_cols = (size_t)(colsample * (double)p + 0.5);
	if (n_cols < 1)
		n_cols = 1;
	if (n_cols > p)
		n_cols = p;

	for (r = 0; r < rounds; r++) {
		size_t n_rows = 0, b;

		/* the round's rows */
		tr.sample_seed = mp_rng_derive(ctx->seed, 0x1000000 + (uint64_t)r);
		mp_pool_run(ctx->pool, n_blocks, sample_count_task, &tr);
		for (b = 0; b < n_blocks; b++) {
			size_t c0 = tr.block_count[b];
			tr.block_count[b] = n_rows;
			n_rows += c0;
		}
		mp_pool_run(ctx->pool, n_blocks, sample_write_task, &tr);
		if (d->task == MP_CATEGORICAL)
			mp_pool_run(ctx->pool, n_blocks, softmax_task, &tr);
		for (c = 0; c < tr.k; c++) {
			struct mp_node_rows where;
			struct leaf_job lj;
			size_t n_leaves = 0, q;

			/* the tree's columns, sorted so histograms scan in order */
			for (q = 0; q < p; q++)
				cols[q] = (int)q;
			if (n_cols < p) {
				struct mp_rng rng;
				mp_rng_seed(&rng, mp_rng_derive(ctx->seed, 0x2000000 + (uint64_t)r * (uint64_t)tr.k + (uint64_t)c));
				for (q = 0; q < n_cols; q++) {
					size_t pick = q + (size_t)mp_rng_below(&rng, p - q);
					int t = cols[q];
					cols[q] = cols[pick];
					cols[pick] = t;
				}
				for (q = 1; q < n_cols; q++) { /* insertion sort of the picks */
					int v = cols[q];
					size_t s = q;
					while (s > 0 && cols[s - 1] > v) {
						cols[s] = cols[s - 1];
						s--;
					}
					cols[s] = v;
				}
			}
			g.features = cols;
			g.n_allowed = n_cols;
			tr.klass = c;
			mp_pool_run(ctx->pool, n_blocks, grad_task, &tr);
			if (c > 0) /* grow permuted the rows: restore ascending order */
				mp_pool_run(ctx->pool, n_blocks, sample_write_task, &tr);
			tr.tree = mp_tree_grow(&g, tr.rows, n_rows, &where);

			lj.tr = &tr;
			lj.where = &where;
			lj.leaves = xmalloc(tr.tree->n_nodes * sizeof(size_t));
			for (q = 0; q < tr.tree->n_nodes; q++)
				if (tr.tree->node[q].feature < 0)
					lj.leaves[n_leaves++] = q;
			mp_pool_run(ctx->pool, n_leaves, leaf_update_task, &lj);
			if (n_rows < n)
				mp_pool_run(ctx->pool, n_blocks, walk_update_task, &tr);
			free(lj.leaves);
			mp_node_rows_free(&where);
			m->trees[m->n_trees++] = tr.tree;
		}
		ran = r + 1;
		if (tr.n_val) {
			size_t vb = (tr.n_val + ROW_BLOCK - 1) / ROW_BLOCK;
			double loss = 0;
			mp_pool_run(ctx->pool, vb, val_loss_task, &tr);
			for (b = 0; b < vb; b++)
				loss += tr.val_loss[b];
			loss /= (double)tr.n_val;
			if (loss < best_loss) {
				best_loss = loss;
				best_round = r;
			} else if (r - best_round >= stop_after) {
				break;
			}
		}
		if (ctx->progress)
			ctx->progress(ctx->progress_arg, (double)(r + 1) / rounds);
	}
	if (tr.n_val && best_round >= 0) { /* keep the rounds up to the best one */
		size_t keep = (size_t)(best_round + 1) * (size_t)tr.k;
		while (m->n_trees > keep)
			mp_tree_free(m->trees[--m->n_trees]);
	}
	if (ctx->info) {
		cJSON_AddNumberToObject(ctx->info, "rounds", (double)(m->n_trees / (size_t)tr.k));
		cJSON_AddNumberToObject(ctx->info, "rounds_trained", ran);
		cJSON_AddNumberToObject(ctx->info, "train_rows", (double)n_train);
		if (tr.n_val) {
			cJSON_AddNumberToObject(ctx->info, "best_iteration", best_round + 1);
			mp_json_add_num(ctx->info, "validation_loss", best_loss);
			cJSON_AddNumberToObject(ctx->info, "validation_rows", (double)tr.n_val);
		}
	}
	if (ctx->progress)
		ctx->progress(ctx->progress_arg, 1);
	free(cols);
	free(is_val);
	free(val_rows);
	free(tr.val_loss);
	free(tr.margin);
	free(tr.prob);
	free(tr.stat);
	free(tr.in_tree);
	free(tr.rows);
	free(tr.block_count);
	mp_bins_free(&tr.bins);
	return m;
}

/* ---- prediction ------------------------------------------------------------ */

/* Rows go through the trees in small blocks so each tree and the block's
 * feature values stay in cache. */
#define PREDICT_BLOCK 128

static void gb_predict(const void *model, const struct mp_dataset *d, size_t begin, size_t end,
		       double *out)
{
	const struct gb_model *m = model;
	size_t k = (size_t)m->k, p = d->n_features, b0, i, t;
	double *mg = xmalloc(PREDICT_BLOCK * k * sizeof(double));
	float *xr = xmalloc(PREDICT_BLOCK * (p ? p : 1) * sizeof(float));
	uint32_t leaf[PREDICT_BLOCK];
	int c;

	for (b0 = begin; b0 < end; b0 += PREDICT_BLOCK) {
		size_t b1 = b0 + PREDICT_BLOCK < end ? b0 + PREDICT_BLOCK : end;
		mp_tree_rows_block(d, b0, b1, xr);
		for (i = b0; i < b1; i++)
			for (c = 0; c < m->k; c++)
				mg[(i - b0) * k + (size_t)c] = m->base[c];
		for (t = 0; t < m->n_trees; t++) {
			const struct mp_tree *tree = m->trees[t];
			size_t c0 = t % k;
			mp_tree_leaves_block(tree, xr, p, b1 - b0, leaf);
			for (i = b0; i < b1; i++)
				mg[(i - b0) * k + c0] += tree->value[leaf[i - b0]];
		}
		for (i = b0; i < b1; i++) {
			double *o = out + (i - begin) * k, *x = mg + (i - b0) * k;
			if (m->task == MP_BINARY) {
				o[0] = sigmoid(x[0]);
			} else if (m->task == MP_REGRESSION) {
				o[0] = x[0];
			} else {
				double top = x[0], sum = 0;
				for (c = 1; c < m->k; c++)
					if (x[c] > top)
						top = x[c];
				for (c = 0; c < m->k; c++)
					sum += (o[c] = exp(x[c] - top));
				for (c = 0; c < m->k; c++)
					o[c] /= sum;
			}
		}
	}
	free(mg);
	free(xr);
}

/* ---- JSON ------------------------------------------------------------------ */

static cJSON *gb_save(const void *model)
{
	const struct gb_model *m = model;
	cJSON *j = cJSON_CreateObject(), *trees = cJSON_CreateArray();
	size_t t;

	cJSON_AddNumberToObject(j, "trees_per_round", m->k);
	cJSON_AddItemToObject(j, "base_score", mp_json_num_array(m->base, (size_t)m->k));
	for (t = 0; t < m->n_trees; t++)
		cJSON_AddItemToArray(trees, mp_tree_save(m->trees[t]));
	cJSON_AddItemToObject(j, "trees", trees);
	return j;
}

static void gb_free(void *model)
{
	struct gb_model *m = model;
	size_t t;

	if (!m)
		return;
	for (t = 0; t < m->n_trees; t++)
		mp_tree_free(m->trees[t]);
	free(m->trees);
	free(m->base);
	free(m);
}

static void *gb_load(const cJSON *json, const struct mp_model_shape *shape, struct mp_error *err)
{
	int k = shape->task == MP_CATEGORICAL ? shape->n_classes : 1, c = 0;
	const cJSON *base = cJSON_GetObjectItemCaseSensitive(json, "base_score");
	const cJSON *trees = cJSON_GetObjectItemCaseSensitive(json, "trees"), *e;
	struct gb_model *m;

	if (k < 1 || mp_json_num(json, "trees_per_round", -1) != k) {
		mp_error_set(err, MP_EX_DATAERR, "gradient_boosting: member 'trees_per_round': expected %d",
			     k);
		return NULL;
	}
	if (!cJSON_IsArray(base) || cJSON_GetArraySize(base) != k) {
		mp_error_set(err, MP_EX_DATAERR,
			     "gradient_boosting: member 'base_score': expected an array of %d numbers", k);
		return NULL;
	}
	if (!cJSON_IsArray(trees) || cJSON_GetArraySize(trees) % k) {
		mp_error_set(err, MP_EX_DATAERR,
			     "gradient_boosting: member 'trees': expected an array of a multiple of %d trees", k);
		return NULL;
	}
	m = xcalloc(1, sizeof(*m));
	m->task = shape->task;
	m->k = k;
	m->base = xmalloc((size_t)k * sizeof(double));
	cJSON_ArrayForEach(e, base) {
		if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble)) {
			mp_error_set(err, MP_EX_DATAERR, "gradient_boosting: member 'base_score': expected finite numbers");
			gb_free(m);
			return NULL;
		}
		m->base[c++] = e->valuedouble;
	}
	m->trees = xcalloc((size_t)cJSON_GetArraySize(trees) + 1, sizeof(*m->trees));
	cJSON_ArrayForEach(e, trees) {
		struct mp_tree *t = mp_tree_load(e, 1, shape->n_features, err);
		if (!t) {
			mp_error_prefix(err, "gradient_boosting: tree %zu", m->n_trees);
			gb_free(m);
			return NULL;
		}
		m->trees[m->n_trees++] = t;
	}
	return m;
}

const struct mp_algorithm mp_gradient_boosting = {
	"gradient_boosting",
	MP_TASK_BIT(MP_BINARY) | MP_TASK_BIT(MP_CATEGORICAL) | MP_TASK_BIT(MP_REGRESSION),
	gb_params,
	sizeof(gb_params) / sizeof(gb_params[0]),
	gb_train,
	gb_predict,
	gb_save,
	gb_load,
	gb_free,
};
