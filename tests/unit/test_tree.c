/* test_tree.c — the tree core: binning, split criteria worked by hand,
 * the sort path against a brute-force CART, thread-count determinism,
 * JSON round trips and malformed-tree rejection. */
#include <stdlib.h>
#include <string.h>

#include "models/tree.h"
#include "rng.h"
#include "test.h"

static struct mp_dataset *make_data(enum mp_task task, size_t n, size_t p, int k)
{
	struct mp_dataset *d = mp_dataset_new(task, n, p, k);
	size_t j;

	for (j = 0; j < p; j++) {
		char name[32];
		snprintf(name, sizeof(name), "f%zu", j);
		d->features[j].name = xstrdup(name);
	}
	return d;
}

/* Grows with CART-like settings on the rows 0..n-1 of bins/stat. */
static struct mp_tree *grow(const struct mp_bins *b, const float *stat, int n_out, size_t n,
			    int max_depth, double min_leaf, struct mp_pool *pool)
{
	struct mp_grow g;
	uint32_t *rows = xmalloc(n * sizeof(uint32_t));
	struct mp_tree *t;
	size_t i;

	for (i = 0; i < n; i++)
		rows[i] = (uint32_t)i;
	memset(&g, 0, sizeof(g));
	g.bins = b;
	g.stat = stat;
	g.n_out = n_out;
	g.leaf_scale = 1;
	g.max_depth = max_depth;
	g.min_child_weight = min_leaf;
	g.min_split_weight = 2;
	g.gain_scale = 1;
	g.pool = pool;
	t = mp_tree_grow(&g, rows, n, NULL);
	free(rows);
	return t;
}

TEST(tree_bins_exact_and_quantile)
{
	/* distinct 1, 2, 3, 1000: one bin each, cuts at the midpoints */
	static const float col[] = { 3, 1, 2, 2, 1000 };
	struct mp_dataset *d = make_data(MP_BINARY, 5, 1, 2);
	struct mp_bins b;
	struct mp_error err = { 0 };

	memcpy(d->x, col, sizeof(col));
	CHECK(mp_bins_build(&b, d, 255, NULL, &err) == 0);
	CHECK_INT(b.width, 1);
	CHECK_INT(b.n_bins[0], 4);
	CHECK_NEAR(b.cut[0][0], 1.5, 0);
	CHECK_NEAR(b.cut[0][1], 2.5, 0);
	CHECK_NEAR(b.cut[0][2], 501.5, 0);
	CHECK(b.value[0] != NULL);
	CHECK_NEAR(b.value[0][3], 1000, 0);
	CHECK_INT(mp_bins_code(&b, 0, 0), 2);
	CHECK_INT(mp_bins_code(&b, 1, 0), 0);
	CHECK_INT(mp_bins_code(&b, 2, 0), 1);
	CHECK_INT(mp_bins_code(&b, 3, 0), 1);
	CHECK_INT(mp_bins_code(&b, 4, 0), 3);
	mp_bins_free(&b);

	/* two bins for five rows: target 2.5 rows a bin; {1} has 1 row, adding
	 * {2,2} reaches 3 (the next value's half, 1, still left it under
	 * target), so the bins are {1,2,2} and {3,1000}, cut 2.5 */
	CHECK(mp_bins_build(&b, d, 2, NULL, &err) == 0);
	CHECK_INT(b.n_bins[0], 2);
	CHECK_NEAR(b.cut[0][0], 2.5, 0);
	CHECK(b.value[0] == NULL);
	CHECK_INT(mp_bins_code(&b, 0, 0), 1);
	CHECK_INT(mp_bins_code(&b, 3, 0), 0);
	mp_bins_free(&b);

	/* wide codes above 256 bins */
	CHECK(mp_bins_build(&b, d, 1000, NULL, &err) == 0);
	CHECK_INT(b.width, 2);
	mp_bins_free(&b);
	CHECK(mp_bins_build(&b, d, 1, NULL, &err) != 0);
	CHECK_CONTAINS(err.msg, "max_bins");
	mp_dataset_free(d);
}

TEST(tree_bins_odd_values)
{
	/* -0 and +0 are one value; NaN bins with +inf; neighbouring floats
	 * get a threshold that still separates them */
	float a = 1.0f, b1 = nextafterf(1.0f, 2.0f);
	float col[] = { -0.0f, 0.0f, NAN, INFINITY, a, b1, -INFINITY };
	struct mp_dataset *d = make_data(MP_BINARY, 7, 1, 2);
	struct mp_bins b;
	struct mp_error err = { 0 };
	int i;

	memcpy(d->x, col, sizeof(col));
	CHECK(mp_bins_build(&b, d, 255, NULL, &err) == 0);
	CHECK_INT(b.n_bins[0], 5); /* -inf, 0, 1, 1+ulp, inf */
	CHECK_INT(mp_bins_code(&b, 0, 0), mp_bins_code(&b, 1, 0));
	CHECK_INT(mp_bins_code(&b, 2, 0), mp_bins_code(&b, 3, 0));
	for (i = 0; i < b.n_bins[0] - 1; i++) {
		CHECK(isfinite(b.cut[0][i]));
		CHECK(b.value[0][i] < b.cut[0][i] && b.cut[0][i] <= b.value[0][i + 1]);
	}
	mp_bins_free(&b);
	mp_dataset_free(d);
}

TEST(tree_gini_split_by_hand)
{
	/* x = 1..6, y = 0 0 1 0 1 1. With s = [y] the gain of a split is
	 * cL^2/nL + cR^2/nR - c^2/n (c = positives; half the Gini decrease):
	 *   after x=1: 0 + 9/5 - 9/6 = 0.30     after x=2: 0 + 9/4 - 1.5 = 0.75
	 *   after x=3: 1/3 + 4/3 - 1.5 = 0.1667 after x=4: 1/4 + 4/2 - 1.5 = 0.75
	 *   after x=5: 4/5 + 1 - 1.5 = 0.30
	 * The tie goes to the first candidate: threshold 2.5; leaves 0 and 3/4.
	 * As Gini: parent 0.5, right 1 - (0.75^2 + 0.25^2) = 0.375, so the
	 * count-weighted decrease is 6*0.5 - 4*0.375 = 1.5 = 2 * 0.75. */
	static const float y[] = { 0, 0, 1, 0, 1, 1 };
	struct mp_dataset *d = make_data(MP_BINARY, 6, 1, 2);
	struct mp_bins b;
	struct mp_error err = { 0 };
	struct mp_tree *t;
	float stat[12];
	int i;

	for (i = 0; i < 6; i++) {
		d->x[i] = (float)(i + 1);
		stat[2 * i] = 1;
		stat[2 * i + 1] = y[i];
	}
	CHECK(mp_bins_build(&b, d, MP_BINS_MAX, NULL, &err) == 0);
	t = grow(&b, stat, 1, 6, 1, 1, NULL);
	CHECK_INT(t->n_nodes, 3);
	CHECK_INT(t->node[0].feature, 0);
	CHECK_NEAR(t->node[0].threshold, 2.5, 0);
	CHECK_NEAR(t->value[0], 0.5, 1e-7);
	CHECK_NEAR(t->value[t->node[0].left], 0, 0);
	CHECK_NEAR(t->value[t->node[0].right], 0.75, 1e-7);
	mp_tree_free(t);

	/* min leaf 3 leaves only "after x=3" (gain 0.1667): threshold 3.5 */
	t = grow(&b, stat, 1, 6, 1, 3, NULL);
	CHECK_INT(t->n_nodes, 3);
	CHECK_NEAR(t->node[0].threshold, 3.5, 0);
	CHECK_NEAR(t->value[t->node[0].left], 1.0 / 3, 1e-7);
	mp_tree_free(t);
	mp_bins_free(&b);
	mp_dataset_free(d);
}

TEST(tree_gini_all_classes)
{
	/* Three classes at x = 1..5: y = 0 0 1 2 2. The original library
	 * could not make a child holding only class 2; the Gini over all
	 * classes can. One-hot score sum_c c^2/n: parent (4+1+4)/5 = 1.8;
	 * x < 2.5: 4/2 + (1+4)/3 - 1.8 = 1.8667; x < 3.5: (4+1)/3 + 4/2 - 1.8
	 * = 1.8667 too, and the first candidate wins. The right node {1,2,2}
	 * then splits at 3.5 into a pure class-2 leaf. */
	static const float y[] = { 0, 0, 1, 2, 2 };
	struct mp_dataset *d = make_data(MP_CATEGORICAL, 5, 1, 3);
	struct mp_bins b;
	struct mp_error err = { 0 };
	struct mp_tree *t;
	float stat[20] = { 0 };
	int i, found = 0;
	size_t k;

	for (i = 0; i < 5; i++) {
		d->x[i] = (float)(i + 1);
		stat[4 * i] = 1;
		stat[4 * i + 1 + (int)y[i]] = 1;
	}
	CHECK(mp_bins_build(&b, d, MP_BINS_MAX, NULL, &err) == 0);
	t = grow(&b, stat, 3, 5, 0, 1, NULL);
	CHECK_INT(t->n_values, 3);
	CHECK_NEAR(t->node[0].threshold, 2.5, 0);
	for (k = 0; k < t->n_nodes; k++)
		if (t->node[k].feature < 0 && t->value[k * 3 + 2] == 1.0f)
			found = 1;
	CHECK(found);
	/* fully grown: every leaf pure */
	for (k = 0; k < t->n_nodes; k++)
		if (t->node[k].feature < 0)
			CHECK(t->value[k * 3] == 1 || t->value[k * 3 + 1] == 1 || t->value[k * 3 + 2] == 1);
	mp_tree_free(t);
	mp_bins_free(&b);
	mp_dataset_free(d);
}

TEST(tree_sse_split_by_hand)
{
	/* y = 1 2 10 12 at x = 1..4. After x=2: SSE 0.5 + 2 = 2.5 against a
	 * parent SSE of 92.75 (mean 6.25): reduction 90.25 = S_L^2/n_L +
	 * S_R^2/n_R - S^2/n = 9/2 + 484/2 - 625/4. Leaves 1.5 and 11. */
	static const float y[] = { 1, 2, 10, 12 };
	struct mp_dataset *d = make_data(MP_REGRESSION, 4, 2, 0);
	struct mp_bins b;
	struct mp_error err = { 0 };
	struct mp_tree *t;
	float stat[8];
	int i;

	for (i = 0; i < 4; i++) {
		d->x[i] = (float)(i + 1);
		d->x[4 + i] = 7; /* a constant column never splits */
		stat[2 * i] = 1;
		stat[2 * i + 1] = y[i];
	}
	CHECK(mp_bins_build(&b, d, MP_BINS_MAX, NULL, &err) == 0);
	CHECK_INT(b.n_bins[1], 1);
	t = grow(&b, stat, 1, 4, 1, 1, NULL);
	CHECK_INT(t->n_nodes, 3);
	CHECK_INT(t->node[0].feature, 0);
	CHECK_NEAR(t->node[0].threshold, 2.5, 0);
	CHECK_NEAR(t->value[t->node[0].left], 1.5, 0);
	CHECK_NEAR(t->value[t->node[0].right], 11, 0);
	mp_tree_free(t);
	mp_bins_free(&b);
	mp_dataset_free(d);
}

TEST(tree_newton_leaf_weights)
{
	/* Boosting stats (w = h, s = g): rows x=1,2 have g = -1, x=3,4 have
	 * g = +1, h = 0.25 each. Split at 2.5; left weight -G/(H+lambda) =
	 * 2/(0.5+1) = 1.3333, times leaf_scale 0.1; gain = 4/1.5 + 4/1.5 - 0. */
	struct mp_dataset *d = make_data(MP_BINARY, 4, 1, 2);
	struct mp_bins b;
	struct mp_error err = { 0 };
	struct mp_grow g;
	struct mp_tree *t;
	struct mp_node_rows where;
	float stat[8];
	uint32_t rows[4] = { 0, 1, 2, 3 };
	int i;

	for (i = 0; i < 4; i++) {
		d->x[i] = (float)(4 - i); /* rows in reverse x order */
		stat[2 * i] = 0.25f;
		stat[2 * i + 1] = i < 2 ? 1 : -1;
	}
	CHECK(mp_bins_build(&b, d, 255, NULL, &err) == 0);
	memset(&g, 0, sizeof(g));
	g.bins = &b;
	g.stat = stat;
	g.n_out = 1;
	g.lambda = 1;
	g.newton = 1;
	g.leaf_scale = 0.1;
	g.max_depth = 3;
	g.min_child_weight = 0.5;
	g.gain_scale = 1;
	g.subtract = 1;
	t = mp_tree_grow(&g, rows, 4, &where);
	CHECK_INT(t->n_nodes, 3); /* min_child_weight 0.5 stops at two rows */
	CHECK_NEAR(t->node[0].threshold, 2.5, 0);
	CHECK_NEAR(t->value[t->node[0].left], 0.1 * 2 / 1.5, 1e-7);
	CHECK_NEAR(t->value[t->node[0].right], -0.1 * 2 / 1.5, 1e-7);
	/* the left leaf got rows 2 and 3 (x = 2, 1), in ascending row order */
	CHECK_INT(where.end[t->node[0].left] - where.begin[t->node[0].left], 2);
	CHECK_INT(rows[where.begin[t->node[0].left]], 2);
	CHECK_INT(rows[where.begin[t->node[0].left] + 1], 3);
	CHECK_INT(mp_tree_leaf_binned(t, &b, 0), (size_t)t->node[0].right);
	mp_node_rows_free(&where);
	mp_tree_free(t);
	mp_bins_free(&b);
	mp_dataset_free(d);
}

/* Brute-force CART on rows idx[0..m): every midpoint of every feature,
 * first best (feature order, ascending threshold), the same gain formula
 * and acceptance rule as the core. Appends nodes in the same order
 * (children of a level after the level) by working breadth-first. */
struct ref_node {
	int feature, left, right;
	float threshold;
	double value;
};

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

static size_t ref_cart(const struct mp_dataset *d, const float *y, int max_depth, double min_leaf,
		       struct ref_node *out)
{
	size_t n = d->n_rows, p = d->n_features, n_out = 1, head = 0;
	int **rows = xcalloc(4 * n, sizeof(int *));
	size_t *cnt = xcalloc(4 * n, sizeof(size_t));
	int *depth = xcalloc(4 * n, sizeof(int));
	size_t i;

	rows[0] = xmalloc(n * sizeof(int));
	for (i = 0; i < n; i++)
		rows[0][i] = (int)i;
	cnt[0] = n;
	while (head < n_out) {
		size_t k = head++, m = cnt[k], j, q;
		double w = (double)m, s = 0, best = 0, score;
		int bf = -1;
		float bt = 0;
		for (q = 0; q < m; q++)
			s += y[rows[k][q]];
		out[k].value = s / w;
		out[k].feature = -1;
		out[k].left = out[k].right = -1;
		score = s * s / w;
		if (m >= 2 && (max_depth == 0 || depth[k] < max_depth) && w >= 2 * min_leaf) {
			float *v = xmalloc(m * sizeof(float));
			for (j = 0; j < p; j++) {
				size_t u;
				for (q = 0; q < m; q++)
					v[q] = d->x[j * n + (size_t)rows[k][q]];
				qsort(v, m, sizeof(float), cmp_float);
				for (u = 1; u < m; u++) {
					double lw = 0, ls = 0, gain;
					float t;
					if (v[u] == v[u - 1])
						continue;
					t = (float)(((double)v[u - 1] + v[u]) / 2);
					if (!(t > v[u - 1] && t <= v[u]))
						t = v[u];
					for (q = 0; q < m; q++)
						if (d->x[j * n + (size_t)rows[k][q]] < t) {
							lw += 1;
							ls += y[rows[k][q]];
						}
					if (lw < min_leaf || w - lw < min_leaf)
						continue;
					gain = ls * ls / lw + (s - ls) * (s - ls) / (w - lw) - score;
					if (gain > best) {
						best = gain;
						bf = (int)j;
						bt = t;
					}
				}
			}
			free(v);
		}
		if (bf >= 0 && best > 1e-10 * score) {
			size_t l = n_out++, r = n_out++, nl = 0, nr = 0;
			rows[l] = xmalloc(m * sizeof(int));
			rows[r] = xmalloc(m * sizeof(int));
			for (q = 0; q < m; q++) {
				int row = rows[k][q];
				if (d->x[(size_t)bf * n + (size_t)row] < bt)
					rows[l][nl++] = row;
				else
					rows[r][nr++] = row;
			}
			cnt[l] = nl;
			cnt[r] = nr;
			depth[l] = depth[r] = depth[k] + 1;
			out[k].feature = bf;
			out[k].threshold = bt;
			out[k].left = (int)l;
			out[k].right = (int)r;
		}
	}
	for (i = 0; i < n_out; i++)
		free(rows[i]);
	free(rows);
	free(cnt);
	free(depth);
	return n_out;
}

TEST(tree_matches_brute_force_cart)
{
	/* 400 rows, 3 features with many distinct values: deep nodes have far
	 * fewer rows than bins and take the sort path, the root the histogram
	 * path. Integer targets keep every sum exact, so even ties must break
	 * the same way as the brute force. */
	size_t n = 400, p = 3, i, k, n_ref;
	struct mp_dataset *d = make_data(MP_REGRESSION, n, p, 0);
	struct ref_node *ref = xcalloc(4 * n, sizeof(*ref));
	float *y = xmalloc(n * sizeof(float)), *stat = xmalloc(2 * n * sizeof(float));
	struct mp_bins b;
	struct mp_error err = { 0 };
	struct mp_rng rng;
	struct mp_tree *t;
	int pass;

	mp_rng_seed(&rng, 7);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			d->x[i] = (float)mp_rng_below(&rng, 1000) / 10;
			d->x[n + i] = (float)mp_rng_below(&rng, 50);
			d->x[2 * n + i] = (float)mp_rng_normal(&rng);
			/* classification-like on pass 0, integer regression on pass 1 */
			y[i] = pass == 0 ? (float)(d->x[i] + 10 * d->x[2 * n + i] > 50)
					 : (float)(int)(d->x[i] / 10 + d->x[n + i] / 5 + mp_rng_below(&rng, 4));
			stat[2 * i] = 1;
			stat[2 * i + 1] = y[i];
		}
		CHECK(mp_bins_build(&b, d, MP_BINS_MAX, NULL, &err) == 0);
		t = grow(&b, stat, 1, n, 6, 2, NULL);
		n_ref = ref_cart(d, y, 6, 2, ref);
		CHECK_INT(t->n_nodes, n_ref);
		for (k = 0; k < t->n_nodes && k < n_ref; k++) {
			CHECK_INT(t->node[k].feature, ref[k].feature);
			if (ref[k].feature >= 0) {
				CHECK_NEAR(t->node[k].threshold, ref[k].threshold, 0);
				CHECK_INT(t->node[k].left, ref[k].left);
			}
			CHECK_NEAR(t->value[k], ref[k].value, 1e-5 * (1 + fabs(ref[k].value)));
		}
		mp_tree_free(t);
		mp_bins_free(&b);
	}
	free(ref);
	free(y);
	free(stat);
	mp_dataset_free(d);
}

/* A boosting-style tree on enough rows for several histogram blocks. */
static char *grow_newton_json(size_t n, int threads, int max_leaves)
{
	struct mp_dataset *d = make_data(MP_BINARY, n, 5, 2);
	struct mp_pool *pool = mp_pool_new(threads);
	float *stat = xmalloc(2 * n * sizeof(float));
	uint32_t *rows = xmalloc(n * sizeof(uint32_t));
	struct mp_bins b;
	struct mp_error err = { 0 };
	struct mp_grow g;
	struct mp_rng rng;
	struct mp_tree *t;
	cJSON *j;
	char *s;
	size_t i, f, m = 0;

	mp_rng_seed(&rng, 3);
	for (i = 0; i < n; i++) {
		double eta = 0;
		for (f = 0; f < 5; f++) {
			d->x[f * n + i] = (float)mp_rng_normal(&rng);
			eta += d->x[f * n + i] * (double)(f + 1) / 3;
		}
		stat[2 * i] = (float)(0.1 + mp_rng_uniform(&rng) * 0.15);
		stat[2 * i + 1] = (float)((mp_rng_uniform(&rng) < 1 / (1 + exp(-eta))) - 0.5);
		if (i % 3) /* a subsample: not every row */
			rows[m++] = (uint32_t)i;
	}
	CHECK(mp_bins_build(&b, d, 255, pool, &err) == 0);
	memset(&g, 0, sizeof(g));
	g.bins = &b;
	g.stat = stat;
	g.n_out = 1;
	g.lambda = 1;
	g.newton = 1;
	g.leaf_scale = 0.3;
	g.max_depth = 6;
	g.max_leaves = max_leaves;
	g.min_child_weight = 1;
	g.gain_scale = 1;
	g.subtract = 1;
	g.pool = pool;
	t = mp_tree_grow(&g, rows, m, NULL);
	j = mp_tree_save(t);
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	mp_tree_free(t);
	mp_bins_free(&b);
	free(stat);
	free(rows);
	mp_pool_free(pool);
	mp_dataset_free(d);
	return s;
}

TEST(tree_same_for_any_thread_count)
{
	char *a = grow_newton_json(100000, 1, 0), *b = grow_newton_json(100000, 2, 0);
	char *c = grow_newton_json(100000, 2, 20), *e = grow_newton_json(100000, 1, 20);

	CHECK(strlen(a) > 100);
	CHECK_STR(a, b);
	CHECK_STR(c, e);
	CHECK(strcmp(a, c) != 0);
	free(a);
	free(b);
	free(c);
	free(e);
}

TEST(tree_json_round_trip)
{
	struct mp_dataset *d = make_data(MP_REGRESSION, 300, 2, 0);
	float *stat = xmalloc(600 * sizeof(float));
	struct mp_bins b;
	struct mp_error err = { 0 };
	struct mp_tree *t, *u;
	struct mp_rng rng;
	cJSON *j, *parsed;
	char *s, *s2;
	size_t i;

	mp_rng_seed(&rng, 11);
	for (i = 0; i < 300; i++) {
		d->x[i] = (float)mp_rng_normal(&rng);
		d->x[300 + i] = (float)(mp_rng_uniform(&rng) * 1e6);
		stat[2 * i] = 1;
		stat[2 * i + 1] = (float)(d->x[i] * 3 + d->x[300 + i] / 1e5 + mp_rng_normal(&rng));
	}
	CHECK(mp_bins_build(&b, d, MP_BINS_MAX, NULL, &err) == 0);
	t = grow(&b, stat, 1, 300, 8, 3, NULL);
	j = mp_tree_save(t);
	s = cJSON_PrintUnformatted(j);
	parsed = cJSON_Parse(s);
	u = mp_tree_load(parsed, 1, 2, &err);
	CHECK(u != NULL);
	if (u) {
		CHECK_INT(u->n_nodes, t->n_nodes);
		for (i = 0; i < t->n_nodes; i++) {
			CHECK_INT(u->node[i].feature, t->node[i].feature);
			CHECK_INT(u->node[i].left, t->node[i].left);
			if (t->node[i].feature >= 0)
				CHECK(u->node[i].threshold == t->node[i].threshold);
		}
		CHECK(memcmp(u->value, t->value, t->n_nodes * sizeof(float)) == 0);
		for (i = 0; i < 300; i++) /* raw values reach the leaf the codes did */
			CHECK_INT(mp_tree_leaf(u, d->x, 300, i), mp_tree_leaf_binned(t, &b, i));
		cJSON_Delete(j);
		j = mp_tree_save(u);
		s2 = cJSON_PrintUnformatted(j);
		CHECK_STR(s2, s);
		free(s2);
		mp_tree_free(u);
	}
	cJSON_Delete(j);
	cJSON_Delete(parsed);
	free(s);
	mp_tree_free(t);
	mp_bins_free(&b);
	free(stat);
	mp_dataset_free(d);
}

TEST(tree_load_rejects_bad_trees)
{
	static const char *const bad[] = {
		/* child pointing back at its parent: would loop */
		"{\"feature\":[0,-1],\"threshold\":[1,0],\"left\":[0,-1],\"right\":[1,-1],\"value\":[0,0]}",
		/* feature out of range */
		"{\"feature\":[5,-1,-1],\"threshold\":[1,0,0],\"left\":[1,-1,-1],\"right\":[2,-1,-1],\"value\":[0,0,0]}",
		/* value array of the wrong length */
		"{\"feature\":[-1],\"threshold\":[0],\"left\":[-1],\"right\":[-1],\"value\":[0,1]}",
		/* not a number */
		"{\"feature\":[-1],\"threshold\":[0],\"left\":[-1],\"right\":[-1],\"value\":[\"x\"]}",
		/* no nodes */
		"{\"feature\":[],\"threshold\":[],\"left\":[],\"right\":[],\"value\":[]}",
		"{\"feature\":[-1]}",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mp_error err = { 0 };
		cJSON *j = cJSON_Parse(bad[i]);
		struct mp_tree *t = mp_tree_load(j, 1, 2, &err);
		CHECK(t == NULL);
		CHECK(err.msg[0] != 0);
		CHECK_CONTAINS(err.msg, "tree");
		mp_tree_free(t);
		cJSON_Delete(j);
	}
}
