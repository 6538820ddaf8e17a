/* decision_tree.c — CART: one exact tree for binary, categorical and
 * regression models.
 *
 * Every distinct training value of a feature is its own bin (features
 * with more than MP_BINS_MAX distinct values fall back to quantile bins),
 * so the candidate thresholds are the midpoints between consecutive
 * distinct values of the node, exactly as in CART. Classification splits
 * by the Gini decrease over all classes, regression by the reduction of
 * the sum of squared errors. A leaf predicts its class frequencies or its
 * mean.
 *
 * Model JSON: {"tree": <tree>} (see tree.h); a leaf value holds P(true)
 * (binary), one frequency per class (categorical) or the mean. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "models/model.h"
#include "models/tree.h"

static const struct mp_param_spec dt_params[] = {
	{ "max_depth", MP_PARAM_INT, 0, 10000, { 10, 10, 10 },
	  "deepest level a leaf may sit at (root = 0); 0 = unlimited" },
	{ "min_samples_leaf", MP_PARAM_INT, 1, 1e9, { 5, 5, 5 },
	  "fewest training rows in a leaf" },
	{ "min_samples_split", MP_PARAM_INT, 2, 1e9, { 2, 2, 2 },
	  "fewest training rows in a node that may be split" },
	{ "min_impurity_decrease", MP_PARAM_REAL, 0, 1e300, { 0, 0, 0 },
	  "a split must lower the row-weighted impurity (Gini or MSE) by this much" },
};

struct dt_model {
	enum mp_task task;
	int n_classes;
	struct mp_tree *tree;
};

/* Values per node: the leaf's prediction. */
static int dt_values(enum mp_task task, int n_classes)
{
	return task == MP_CATEGORICAL ? n_classes : 1;
}

static void *dt_train(const struct mp_dataset *d, const struct mp_train_ctx *ctx,
		      struct mp_error *err)
{
	struct mp_bins bins;
	struct mp_grow g;
	struct dt_model *m;
	float *stat;
	uint32_t *rows;
	double mean = 0;
	size_t n = d->n_rows, i;
	int n_out = dt_values(d->task, d->n_classes), stride = 1 + n_out;

	if (mp_tree_check_target(d, err))
		return NULL;
	if (ctx->progress)
		ctx->progress(ctx->progress_arg, 0);
	if (mp_bins_build(&bins, d, MP_BINS_MAX, ctx->pool, err))
		return NULL;
	if (ctx->progress)
		ctx->progress(ctx->progress_arg, 0.3);

	/* per-row criterion stats: weight 1, then the one-hot class (two
	 * classes: y alone, which halves the Gini gain but picks the same
	 * splits) or the centred target (centring keeps sums of squares
	 * small for large targets such as prices) */
	if (d->task == MP_REGRESSION) {
		for (i = 0; i < n; i++)
			mean += d->y[i];
		mean /= (double)n;
	}
	stat = xcalloc(mp_mul_size(n, (size_t)stride), sizeof(float));
	rows = xmalloc(mp_mul_size(n, sizeof(uint32_t)));
	for (i = 0; i < n; i++) {
		float *s = stat + i * (size_t)stride;
		s[0] = 1;
		if (d->task == MP_CATEGORICAL)
			s[1 + (int)d->y[i]] = 1;
		else
			s[1] = (float)(d->y[i] - mean);
		rows[i] = (uint32_t)i;
	}

	memset(&g, 0, sizeof(g));
	g.bins = &bins;
	g.stat = stat;
	g.n_out = n_out;
	g.leaf_scale = 1;
	g.leaf_offset = mean;
	g.max_depth = mp_param_int(ctx->params, "max_depth");
	g.min_child_weight = mp_param_int(ctx->params, "min_samples_leaf");
	g.min_split_weight = mp_param_int(ctx->params, "min_samples_split");
	g.min_gain = mp_param(ctx->params, "min_impurity_decrease");
	/* gain -> impurity decrease weighted by the node's share of rows */
	g.gain_scale = (d->task == MP_BINARY ? 2.0 : 1.0) / (double)n;
	g.seed = ctx->seed;
	g.pool = ctx->pool;

	m = xcalloc(1, sizeof(*m));
	m->task = d->task;
	m->n_classes = d->n_classes;
	m->tree = mp_tree_grow(&g, rows, n, NULL);

	if (ctx->info) {
		size_t leaves = 0, k;
		for (k = 0; k < m->tree->n_nodes; k++)
			leaves += m->tree->node[k].feature < 0;
		cJSON_AddNumberToObject(ctx->info, "nodes", (double)m->tree->n_nodes);
		cJSON_AddNumberToObject(ctx->info, "leaves", (double)leaves);
		cJSON_AddNumberToObject(ctx->info, "depth", mp_tree_depth(m->tree));
	}
	free(stat);
	free(rows);
	mp_bins_free(&bins);
	if (ctx->progress)
		ctx->progress(ctx->progress_arg, 1);
	return m;
}

static void dt_predict(const void *model, const struct mp_dataset *d, size_t begin, size_t end,
		       double *out)
{
	const struct dt_model *m = model;
	const struct mp_tree *t = m->tree;
	int nv = t->n_values, k;
	size_t i;

	for (i = begin; i < end; i++) {
		const float *v = t->value + mp_tree_leaf(t, d->x, d->n_rows, i) * (size_t)nv;
		double *o = out + (i - begin) * (size_t)nv;
		if (m->task == MP_CATEGORICAL) {
			double sum = 0;
			for (k = 0; k < nv; k++)
				sum += v[k] > 0 ? v[k] : 0;
			for (k = 0; k < nv; k++)
				o[k] = sum > 0 ? (v[k] > 0 ? v[k] : 0) / sum : 1.0 / nv;
		} else if (m->task == MP_BINARY) {
			o[0] = v[0] < 0 ? 0 : v[0] > 1 ? 1 : v[0];
		} else {
			o[0] = v[0];
		}
	}
}

static cJSON *dt_save(const void *model)
{
	const struct dt_model *m = model;
	cJSON *j = cJSON_CreateObject();

	cJSON_AddItemToObject(j, "tree", mp_tree_save(m->tree));
	return j;
}

static void *dt_load(const cJSON *json, const struct mp_model_shape *shape, struct mp_error *err)
{
	struct dt_model *m;
	struct mp_tree *t;

	if (shape->task == MP_CATEGORICAL && shape->n_classes < 2) {
		mp_error_set(err, MP_EX_DATAERR, "decision_tree: expected at least 2 classes");
		return NULL;
	}
	t = mp_tree_load(cJSON_GetObjectItemCaseSensitive(json, "tree"),
			 dt_values(shape->task, shape->n_classes), shape->n_features, err);
	if (!t) {
		mp_error_prefix(err, "decision_tree");
		return NULL;
	}
	m = xcalloc(1, sizeof(*m));
	m->task = shape->task;
	m->n_classes = shape->n_classes;
	m->tree = t;
	return m;
}

static void dt_free(void *model)
{
	struct dt_model *m = model;

	if (!m)
		return;
	mp_tree_free(m->tree);
	free(m);
}

const struct mp_algorithm mp_decision_tree = {
	"decision_tree",
	MP_TASK_BIT(MP_BINARY) | MP_TASK_BIT(MP_CATEGORICAL) | MP_TASK_BIT(MP_REGRESSION),
	dt_params,
	sizeof(dt_params) / sizeof(dt_params[0]),
	dt_train,
	dt_predict,
	dt_save,
	dt_load,
	dt_free,
};
