/* tree.h — the core shared by decision_tree, random_forest and
 * gradient_boosting: pre-binned features, one tree grower with a pluggable
 * split criterion, prediction, and a tree's JSON form.
 *
 * Features are binned once per training run (mp_bins_build): each column
 * is sorted once and every row gets a small integer code per feature, so
 * growing never sorts or re-partitions raw values. A split "code < s goes
 * left" is stored as the real threshold "x < t goes left" with t strictly
 * between the two sides' values, so a trained or a loaded tree predicts
 * from raw feature values and sends every training row the same way as
 * its code did.
 *
 * One criterion covers the three algorithms. Each row carries a weight w
 * and n_out sums s[k]; a node's score is sum_k s_k^2 / (w + lambda) and a
 * split's gain is score(left) + score(right) - score(parent):
 *  - Gini: w = 1, s = one-hot class (all K classes, whatever classes a node
 *    holds); the gain is the count-weighted Gini decrease. For two classes
 *    s = [y] alone gives exactly half of it, so binary trees use n_out = 1.
 *  - SSE: w = 1, s = [y]; the gain is the reduction of the sum of squared
 *    errors.
 *  - Newton (boosting): w = hessian, s = [gradient], lambda = L2 on leaf
 *    weights; the gain is the second-order G^2/(H+lambda) gain. */
#ifndef MP_TREE_H
#define MP_TREE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "dataset.h"
#include "threadpool.h"
#include "util.h"

/* Most bins a feature gets: one per distinct value up to this, quantile
 * bins beyond (codes are uint16). */
#define MP_BINS_MAX 65535

struct mp_bins {
	size_t n_rows, n_features;
	int width;        /* bytes per code: 1 when max_bins <= 256, else 2 */
	void *codes;      /* row-major: code of row i, feature j at [i * n_features + j] */
	void *col_codes;  /* the same, column-major ([j * n_rows + i]): partitioning a node
			     reads one feature of many rows */
	int *n_bins;      /* per feature, >= 1 */
	float **cut;      /* per feature n_bins-1 ascending cuts: bin b holds cut[b-1] <= x < cut[b] */
	float **value;    /* per feature the single value each bin holds, or NULL when the
			     feature needed range bins (too many distinct values) */
};

/* Bins every row of d with at most max_bins (2..MP_BINS_MAX) bins per
 * feature, sorting each column once (in parallel over features). */
int mp_bins_build(struct mp_bins *b, const struct mp_dataset *d, int max_bins,
		  struct mp_pool *pool, struct mp_error *err);
void mp_bins_free(struct mp_bins *b);

static inline unsigned mp_bins_code(const struct mp_bins *b, size_t row, size_t j)
{
	size_t k = row * b->n_features + j;
	return b->width == 1 ? ((const uint8_t *)b->codes)[k] : ((const uint16_t *)b->codes)[k];
}

/* A node: 20 bytes, so walking a tree touches one cache line per node. */
struct mp_tree_node {
	int32_t feature;    /* split feature, -1 at a leaf */
	float threshold;    /* x < threshold goes left */
	int32_t left, right;
	uint16_t split_bin; /* training only: code < split_bin goes left (0 after load) */
	uint16_t unused;
};

/* A tree; node 0 is the root and children always come after their
 * parent. Every node has n_values values (its prediction: class
 * frequencies, a mean, or a boosting weight), so internal nodes can
 * explain a path. */
struct mp_tree {
	size_t n_nodes, cap;
	int n_values;
	struct mp_tree_node *node;
	float *value;        /* n_nodes * n_values */
};

void mp_tree_free(struct mp_tree *t);

/* Leaf reached by row `row` of the column-major matrix x (n_rows rows). */
static inline size_t mp_tree_leaf(const struct mp_tree *t, const float *x, size_t n_rows,
				  size_t row)
{
	size_t k = 0;

	while (t->node[k].feature >= 0)
		k = (size_t)(x[(size_t)t->node[k].feature * n_rows + row] < t->node[k].threshold
				     ? t->node[k].left : t->node[k].right);
	return k;
}

/* Leaf reached by one row given as its n_features values in a row. */
static inline size_t mp_tree_leaf_row(const struct mp_tree *t, const float *xrow)
{
	size_t k = 0;

	while (t->node[k].feature >= 0)
		k = (size_t)(xrow[t->node[k].feature] < t->node[k].threshold ? t->node[k].left : t->node[k].right);
	return k;
}

/* Copies rows [begin, end) of the column-major d into row-major out
 * ((end - begin) * n_features floats): walking many trees over a small
 * block of rows then touches one cache line per row, not per feature. */
void mp_tree_rows_block(const struct mp_dataset *d, size_t begin, size_t end, float *out);

/* Leaves of m rows (row-major, p values each), walked level by level so
 * the rows' lookups overlap instead of waiting on each other. */
void mp_tree_leaves_block(const struct mp_tree *t, const float *xr, size_t p, size_t m,
			  uint32_t *leaf);

/* Same leaf, from the training codes (only for trees grown on b). */
size_t mp_tree_leaf_binned(const struct mp_tree *t, const struct mp_bins *b, size_t row);

/* Leaves of rows[0..m) from the training codes, level by level. */
void mp_tree_leaves_binned(const struct mp_tree *t, const struct mp_bins *b,
			   const uint32_t *rows, size_t m, uint32_t *leaf);

/* Compact JSON: {"feature":[..],"threshold":[..],"left":[..],"right":[..],
 * "value":[..]} with value holding n_values numbers per node; numbers are
 * written in the shortest form that reads back to the same float. */
cJSON *mp_tree_save(const struct mp_tree *t);
/* Checks shape, feature indices and child links (children after parents,
 * so every path ends) and that every number is finite. */
struct mp_tree *mp_tree_load(const cJSON *json, int n_values, size_t n_features,
			     struct mp_error *err);

/* How to grow one tree. */
struct mp_grow {
	const struct mp_bins *bins;
	const float *stat;         /* per row: w, s[0..n_out-1] (stride 1 + n_out) */
	int n_out;
	double lambda;             /* score = sum_k s_k^2 / (w + lambda) */
	int newton;                /* leaf value = -s/(w+lambda) * leaf_scale, else s/w + leaf_offset */
	double leaf_scale, leaf_offset;
	int max_depth;             /* root is depth 0; 0 = unlimited */
	int max_leaves;            /* 0 = unlimited; > 0 grows best-gain-first */
	double min_child_weight;   /* each child's w at least this */
	double min_split_weight;   /* a node's w at least this to be split */
	double min_gain;           /* gain * gain_scale at least this (and the gain > 0) */
	double gain_scale;
	const int *features;       /* features a split may use, NULL = all */
	size_t n_allowed;
	int max_features;          /* features tried per split (sampled), 0 = all allowed */
	uint64_t seed;             /* per-node feature sampling: mp_rng_derive(seed, node) */
	int subtract;              /* keep histograms, derive the larger child as parent - smaller */
	struct mp_pool *pool;      /* threads for this tree, NULL = the caller's thread only */
};

/* Where each node's rows ended up in the row array after growing:
 * rows[begin[k] .. end[k]) reached node k (leaves partition the rows). */
struct mp_node_rows {
	size_t n;
	size_t *begin, *end;
};
void mp_node_rows_free(struct mp_node_rows *r);

/* Grows a tree on rows[0..n) (ascending row numbers; a row may repeat for
 * bootstrap samples); rows is permuted so each node's rows are
 * contiguous. If where is not NULL it receives each node's range. The
 * result is the same for any number of threads in g->pool. */
struct mp_tree *mp_tree_grow(const struct mp_grow *g, uint32_t *rows, size_t n,
			     struct mp_node_rows *where);

/* Checks the training target: binary 0/1, categorical codes 0..K-1,
 * regression finite values; names the first bad row. */
int mp_tree_check_target(const struct mp_dataset *d, struct mp_error *err);

/* Depth of the deepest leaf (the root alone is depth 0). */
int mp_tree_depth(const struct mp_tree *t);

#endif
