/* tree.c — the tree core: binning, growing, prediction helpers, JSON.
 *
 * Growing keeps one array of row numbers; every node owns a contiguous
 * range of it, and a split stably partitions the range (so rows stay in
 * ascending order inside a node and memory access stays forward-moving).
 * A node's best split comes either from histograms (one stat vector per
 * bin, filled by one pass over the node's rows) or, for nodes with few
 * rows relative to the bin count, from sorting the node's codes: both
 * produce the same candidates, so which one runs is only a matter of
 * speed. Open nodes are expanded a whole level at a time (or the single
 * best one when the leaf count is capped), and the work of a level is cut
 * into tasks whose boundaries depend only on node sizes: results never
 * depend on the number of threads. */
#include "models/tree.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "rng.h"

/* ---- binning ------------------------------------------------------------ */

/* Order-preserving map of floats to unsigned keys. NaN is binned (and,
 * being never < a threshold, predicted) like +inf; -0 like +0. */
static uint32_t float_key(float v)
{
	uint32_t u;

	if (v != v)
		v = INFINITY;
	if (v == 0)
		v = 0;
	memcpy(&u, &v, sizeof(u));
	return (u & 0x80000000u) ? ~u : u | 0x80000000u;
}

static float key_float(uint32_t k)
{
	uint32_t u = (k & 0x80000000u) ? k & 0x7fffffffu : ~k;
	float v;

	memcpy(&v, &u, sizeof(v));
	return v;
}

/* A threshold t with lo < t <= hi (lo < hi): the midpoint when float can
 * hold one strictly above lo, else hi itself, so "x < t" separates the two
 * values exactly. JSON has no infinity: +inf becomes the largest float. */
static float split_threshold(float lo, float hi)
{
	float t = (float)(((double)lo + (double)hi) / 2);

	if (!(t > lo && t <= hi))
		t = hi;
	if (isinf(t))
		t = t > 0 ? FLT_MAX : -FLT_MAX;
	return t;
}

/* Stable LSD radix sort of (key, idx) pairs, 11 bits a pass; passes where
 * every key has the same digit are skipped. Returns the arrays holding the
 * result (either the inputs or the temporaries). */
static void radix_argsort(uint32_t **key, uint32_t **idx, uint32_t **tkey, uint32_t **tidx,
			  size_t n)
{
	size_t *cnt = xcalloc(3 * 2048, sizeof(size_t));
	size_t i;
	int pass;

	for (i = 0; i < n; i++) {
		uint32_t k = (*key)[i];
		cnt[k & 2047]++;
		cnt[2048 + ((k >> 11) & 2047)]++;
		cnt[4096 + (k >> 22)]++;
	}
	for (pass = 0; pass < 3; pass++) {
		size_t *c = cnt + 2048 * pass, sum = 0, d;
		int shift = 11 * pass;
		uint32_t *k = *key, *x = *idx, *tk = *tkey, *tx = *tidx, *swap;

		if (n == 0 || c[(k[0] >> shift) & 2047] == n)
			continue;
		for (d = 0; d < 2048; d++) {
			size_t t = c[d];
			c[d] = sum;
			sum += t;
		}
		for (i = 0; i < n; i++) {
			size_t at = c[(k[i] >> shift) & 2047]++;
			tk[at] = k[i];
			tx[at] = x[i];
		}
		swap = *key; *key = *tkey; *tkey = swap;
		swap = *idx; *idx = *tidx; *tidx = swap;
	}
	free(cnt);
}

struct bin_job {
	const struct mp_dataset *d;
	struct mp_bins *b;
	int max_bins;
	void *col_codes; /* column-major codes, transposed afterwards */
};

/* Bins one feature: sort, find the distinct values, group them into at
 * most max_bins bins of roughly equal row counts (a heavy value gets its
 * own bin), and write each row's code. */
static void bin_feature(void *arg, size_t j, int thread)
{
	struct bin_job *job = arg;
	const struct mp_dataset *d = job->d;
	struct mp_bins *b = job->b;
	size_t n = d->n_rows, i, n_distinct = 0, bin;
	const float *col = d->x + j * n;
	uint32_t *key = xmalloc(mp_mul_size(n, 4)), *idx = xmalloc(mp_mul_size(n, 4));
	uint32_t *tkey = xmalloc(mp_mul_size(n, 4)), *tidx = xmalloc(mp_mul_size(n, 4));
	uint32_t *dkey, *dcount, *bstart;
	size_t n_bins, rows_left, k;

	(void)thread;
	for (i = 0; i < n; i++) {
		key[i] = float_key(col[i]);
		idx[i] = (uint32_t)i;
	}
	radix_argsort(&key, &idx, &tkey, &tidx, n);
	/* distinct values and their counts go into the spare arrays */
	dkey = tkey;
	dcount = tidx;
	for (i = 0; i < n; i++) {
		if (i == 0 || key[i] != key[i - 1]) {
			dkey[n_distinct] = key[i];
			dcount[n_distinct++] = 0;
		}
		dcount[n_distinct - 1]++;
	}
	/* bstart[b] = first distinct value of bin b */
	bstart = xmalloc(mp_mul_size((size_t)job->max_bins + 1, 4));
	n_bins = 0;
	rows_left = n;
	for (k = 0; k < n_distinct;) {
		size_t bins_left = (size_t)job->max_bins - n_bins, acc = 0;
		double target;

		bstart[n_bins++] = (uint32_t)k;
		if (n_distinct - k <= bins_left) { /* room for one bin per value */
			for (k++; k < n_distinct; k++)
				bstart[n_bins++] = (uint32_t)k;
			break;
		}
		if (bins_left == 1) /* last bin takes the rest */
			break;
		target = (double)rows_left / (double)bins_left;
		do
			acc += dcount[k++];
		while (k < n_distinct && (double)acc + dcount[k] / 2.0 < target);
		rows_left -= acc;
	}
	bstart[n_bins] = (uint32_t)n_distinct;
	b->n_bins[j] = (int)(n_bins ? n_bins : 1);
	b->cut[j] = xmalloc(mp_mul_size(n_bins ? n_bins : 1, sizeof(float)));
	for (bin = 1; bin < n_bins; bin++)
		b->cut[j][bin - 1] = split_threshold(key_float(dkey[bstart[bin] - 1]),
						     key_float(dkey[bstart[bin]]));
	if (n_bins == n_distinct && n_bins > 0) {
		b->value[j] = xmalloc(n_bins * sizeof(float));
		for (bin = 0; bin < n_bins; bin++)
			b->value[j][bin] = key_float(dkey[bin]);
	}
	/* codes, walking the sorted rows */
	bin = 0;
	k = 0; /* distinct index */
	for (i = 0; i < n; i++) {
		if (i > 0 && key[i] != key[i - 1]) {
			k++;
			if (bin + 1 < n_bins && k == bstart[bin + 1])
				bin++;
		}
		if (b->width == 1)
			((uint8_t *)job->col_codes)[j * n + idx[i]] = (uint8_t)bin;
		else
			((uint16_t *)job->col_codes)[j * n + idx[i]] = (uint16_t)bin;
	}
	free(bstart);
	free(key);
	free(idx);
	free(tkey);
	free(tidx);
}

#define TRANSPOSE_BLOCK 4096

static void transpose_block(void *arg, size_t task, int thread)
{
	struct bin_job *job = arg;
	size_t n = job->b->n_rows, p = job->b->n_features, i, j;
	size_t begin = task * TRANSPOSE_BLOCK, end = begin + TRANSPOSE_BLOCK < n ? begin + TRANSPOSE_BLOCK : n;

	(void)thread;
	for (j = 0; j < p; j++) {
		if (job->b->width == 1) {
			const uint8_t *c = (const uint8_t *)job->col_codes + j * n;
			uint8_t *o = job->b->codes;
			for (i = begin; i < end; i++)
				o[i * p + j] = c[i];
		} else {
			const uint16_t *c = (const uint16_t *)job->col_codes + j * n;
			uint16_t *o = job->b->codes;
			for (i = begin; i < end; i++)
				o[i * p + j] = c[i];
		}
	}
}

int mp_bins_build(struct mp_bins *b, const struct mp_dataset *d, int max_bins,
		  struct mp_pool *pool, struct mp_error *err)
{
	struct bin_job job;
	size_t n = d->n_rows, p = d->n_features;

	memset(b, 0, sizeof(*b));
	if (max_bins < 2 || max_bins > MP_BINS_MAX)
		return mp_error_set(err, MP_EX_USAGE, "max_bins: expected 2..%d, got %d", MP_BINS_MAX,
				    max_bins);
	if (n == 0)
		return mp_error_set(err, MP_EX_DATAERR, "no training rows");
	if (n >= UINT32_MAX)
		return mp_error_set(err, MP_EX_DATAERR, "too many training rows (%zu): at most %u",
				    n, UINT32_MAX - 1);
	b->n_rows = n;
	b->n_features = p;
	b->width = max_bins <= 256 ? 1 : 2;
	b->n_bins = xcalloc(p ? p : 1, sizeof(int));
	b->cut = xcalloc(p ? p : 1, sizeof(float *));
	b->value = xcalloc(p ? p : 1, sizeof(float *));
	b->codes = xmalloc(mp_mul_size(mp_mul_size(n, p ? p : 1), (size_t)b->width));
	job.d = d;
	job.b = b;
	job.max_bins = max_bins;
	job.col_codes = xmalloc(mp_mul_size(mp_mul_size(n, p ? p : 1), (size_t)b->width));
	mp_pool_run(pool, p, bin_feature, &job);
	if (p)
		mp_pool_run(pool, (n + TRANSPOSE_BLOCK - 1) / TRANSPOSE_BLOCK, transpose_block, &job);
	b->col_codes = job.col_codes;
	return 0;
}

void mp_bins_free(struct mp_bins *b)
{
	size_t j;

	if (!b)
		return;
	for (j = 0; j < b->n_features; j++) {
		if (b->cut)
			free(b->cut[j]);
		if (b->value)
			free(b->value[j]);
	}
	free(b->cut);
	free(b->value);
	free(b->n_bins);
	free(b->codes);
	free(b->col_codes);
	memset(b, 0, sizeof(*b));
}

/* ---- tree storage --------------------------------------------------------- */

static struct mp_tree *tree_new(int n_values)
{
	struct mp_tree *t = xcalloc(1, sizeof(*t));

	t->n_values = n_values;
	t->cap = 16;
	t->node = xmalloc(t->cap * sizeof(*t->node));
	t->value = xmalloc(mp_mul_size(t->cap, (size_t)n_values * sizeof(float)));
	return t;
}

/* Appends a leaf; returns its index. */
static size_t tree_add(struct mp_tree *t)
{
	size_t k;

	if (t->n_nodes == t->cap) {
		t->cap *= 2;
		t->node = xrealloc(t->node, mp_mul_size(t->cap, sizeof(*t->node)));
		t->value = xrealloc(t->value, mp_mul_size(t->cap, (size_t)t->n_values * sizeof(float)));
	}
	k = t->n_nodes++;
	memset(&t->node[k], 0, sizeof(t->node[k]));
	t->node[k].feature = -1;
	t->node[k].left = t->node[k].right = -1;
	return k;
}

void mp_tree_free(struct mp_tree *t)
{
	if (!t)
		return;
	free(t->node);
	free(t->value);
	free(t);
}

size_t mp_tree_leaf_binned(const struct mp_tree *t, const struct mp_bins *b, size_t row)
{
	const struct mp_tree_node *nodes = t->node;
	size_t k = 0;

	if (b->width == 1) {
		const uint8_t *c = (const uint8_t *)b->codes + row * b->n_features;
		while (nodes[k].feature >= 0) {
			const struct mp_tree_node *nd = &nodes[k];
			int32_t l = nd->left, r = nd->right;
			k = (size_t)(c[nd->feature] < nd->split_bin ? l : r);
		}
	} else {
		const uint16_t *c = (const uint16_t *)b->codes + row * b->n_features;
		while (nodes[k].feature >= 0) {
			const struct mp_tree_node *nd = &nodes[k];
			int32_t l = nd->left, r = nd->right;
			k = (size_t)(c[nd->feature] < nd->split_bin ? l : r);
		}
	}
	return k;
}

void mp_tree_leaves_binned(const struct mp_tree *t, const struct mp_bins *b,
			   const uint32_t *rows, size_t m, uint32_t *leaf)
{
	const struct mp_tree_node *restrict nodes = t->node;
	size_t i, p = b->n_features;
	int moved = 1;

	if (b->width != 1) {
		for (i = 0; i < m; i++)
			leaf[i] = (uint32_t)mp_tree_leaf_binned(t, b, rows[i]);
		return;
	}
	for (i = 0; i < m; i++)
		leaf[i] = 0;
	while (moved) {
		const uint8_t *codes = b->codes;
		moved = 0;
		for (i = 0; i < m; i++) {
			const struct mp_tree_node *nd = &nodes[leaf[i]];
			if (nd->feature >= 0) {
				int32_t l = nd->left, r = nd->right;
				leaf[i] = (uint32_t)(codes[(size_t)rows[i] * p + (size_t)nd->feature] <
							     nd->split_bin ? l : r);
				moved = 1;
			}
		}
	}
}

void mp_tree_leaves_block(const struct mp_tree *t, const float *xr, size_t p, size_t m,
			  uint32_t *leaf)
{
	const struct mp_tree_node *restrict nodes = t->node;
	size_t i;
	int moved = 1;

	for (i = 0; i < m; i++)
		leaf[i] = 0;
	while (moved) {
		moved = 0;
		for (i = 0; i < m; i++) {
			const struct mp_tree_node *nd = &nodes[leaf[i]];
			if (nd->feature >= 0) {
				/* both children loaded, then a select: the comparison
				 * is data, a branch on it would mispredict half the time */
				int32_t l = nd->left, r = nd->right;
				leaf[i] = (uint32_t)(xr[i * p + (size_t)nd->feature] < nd->threshold ? l : r);
				moved = 1;
			}
		}
	}
}

void mp_tree_rows_block(const struct mp_dataset *d, size_t begin, size_t end, float *out)
{
	size_t p = d->n_features, j, i;

	for (j = 0; j < p; j++) {
		const float *col = d->x + j * d->n_rows;
		for (i = begin; i < end; i++)
			out[(i - begin) * p + j] = col[i];
	}
}

void mp_node_rows_free(struct mp_node_rows *r)
{
	if (!r)
		return;
	free(r->begin);
	free(r->end);
	r->begin = r->end = NULL;
	r->n = 0;
}

/* ---- growing ---------------------------------------------------------------- */

/* Rows per partition / histogram task: fixed sizes, so the task
 * boundaries (and the order partial sums are added in) depend on the node
 * alone, never on the thread count. */
#define PART_BLOCK 16384
#define HIST_BLOCK 16384
#define HIST_MAX_BLOCKS 32
/* How far ahead a histogram pass prefetches a row's codes and stats:
 * about one memory latency's worth of rows. */
#define PREFETCH_ROWS 16
/* Fewest rows for an open node to keep its histogram (subtract mode). */
#define SUBTRACT_MIN_ROWS 4096
/* Most bins one histogram pass of find_split_direct fills (scratch size). */
#define DIRECT_MAX_BINS (1u << 20)

struct split {
	double gain;  /* 0 = none found */
	int feature;
	unsigned a, c; /* last code going left, first code going right (in the node) */
};

struct gnode {
	size_t id;
	int depth;
	size_t begin, end;
	double *tot;       /* stride: w, s[] over the node's rows */
	double *best_left; /* stride: the best split's left side */
	double *hist;      /* subtract mode: bins over every feature */
	struct split best;
};

struct scratch {
	int *perm;
	double *hist;      /* all zero between uses (only touched bins are cleared) */
	uint64_t *occ;     /* a bit per bin of hist: touched by the current node */
	size_t hist_cap;
	uint64_t *pairs;
	size_t pairs_cap;
	double *acc;
};

struct grower {
	const struct mp_grow *g;
	const struct mp_bins *b;
	int stride;
	size_t *off;      /* first bin of each feature in a full histogram */
	size_t all_bins;
	const int *allowed;
	size_t n_allowed;
	int *all_features;
	struct mp_tree *t;
	uint32_t *rows, *tmp;
	struct scratch *scratch;
	int threads;
	double **free_hists; /* recycled full histograms */
	size_t n_free, cap_free;
};

static double *hist_get(struct grower *gr)
{
	if (gr->n_free)
		return gr->free_hists[--gr->n_free];
	return xmalloc(mp_mul_size(gr->all_bins ? gr->all_bins : 1, (size_t)gr->stride * sizeof(double)));
}

static void hist_put(struct grower *gr, double *h)
{
	if (!h)
		return;
	if (gr->n_free == gr->cap_free) {
		gr->cap_free = gr->cap_free ? 2 * gr->cap_free : 16;
		gr->free_hists = xrealloc(gr->free_hists, gr->cap_free * sizeof(double *));
	}
	gr->free_hists[gr->n_free++] = h;
}

static struct gnode *gnode_new(const struct grower *gr, size_t id, int depth, size_t begin,
			       size_t end)
{
	struct gnode *nd = xcalloc(1, sizeof(*nd));

	nd->id = id;
	nd->depth = depth;
	nd->begin = begin;
	nd->end = end;
	nd->tot = xcalloc(2 * (size_t)gr->stride, sizeof(double));
	nd->best_left = nd->tot + gr->stride;
	return nd;
}

static void gnode_free(struct grower *gr, struct gnode *nd)
{
	if (!nd)
		return;
	hist_put(gr, nd->hist);
	free(nd->tot);
	free(nd);
}

static double node_score(const struct grower *gr, const double *tot)
{
	double s = 0;
	int k;

	for (k = 1; k < gr->stride; k++)
		s += tot[k] * tot[k];
	return s / (tot[0] + gr->g->lambda);
}

static void set_value(struct grower *gr, size_t id, const double *tot)
{
	const struct mp_grow *g = gr->g;
	float *v = gr->t->value + id * (size_t)gr->t->n_values;
	int k;

	for (k = 0; k < g->n_out; k++) {
		double x;
		if (g->newton)
			x = -tot[1 + k] / (tot[0] + g->lambda) * g->leaf_scale;
		else
			x = tot[0] > 0 ? tot[1 + k] / tot[0] + g->leaf_offset : g->leaf_offset;
		v[k] = isfinite(x) ? (float)x : 0;
	}
}

/* Can this node be split at all (before looking at any feature)? */
static int splittable(const struct grower *gr, const struct gnode *nd)
{
	const struct mp_grow *g = gr->g;
	double w = nd->tot[0];

	if (nd->end - nd->begin < 2)
		return 0;
	if (g->max_depth > 0 && nd->depth >= g->max_depth)
		return 0;
	if (w < g->min_split_weight || w < 2 * g->min_child_weight)
		return 0;
	return 1;
}

/* Candidate split of nd on feature j: left = acc (codes <= a), right the
 * rest (codes >= c). */
static inline void consider(const struct grower *gr, struct gnode *nd, double parent_score,
			    const double *acc, int j, unsigned a, unsigned c)
{
	const struct mp_grow *g = gr->g;
	const double *tot = nd->tot;
	double lw = acc[0], rw = tot[0] - acc[0], sl = 0, sr = 0, gain, least = 1e-12 * tot[0];
	int k;

	/* besides the minimum, each side must hold a real share of the node:
	 * a bin left at ~1e-17 by parent - child subtraction is empty */
	if (!(lw >= g->min_child_weight && rw >= g->min_child_weight && lw > least && rw > least))
		return;
	for (k = 1; k < gr->stride; k++) {
		double r = tot[k] - acc[k];
		sl += acc[k] * acc[k];
		sr += r * r;
	}
	gain = sl / (lw + g->lambda) + sr / (rw + g->lambda) - parent_score;
	if (gain > nd->best.gain) {
		nd->best.gain = gain;
		nd->best.feature = j;
		nd->best.a = a;
		nd->best.c = c;
		memcpy(nd->best_left, acc, (size_t)gr->stride * sizeof(double));
	}
}

/* Scans one feature's histogram (nb bins of stride doubles); returns the
 * number of non-empty bins (capped at 2: constant or not). */
static int scan_hist(const struct grower *gr, struct gnode *nd, double parent_score,
		     const double *h, int nb, int j, double *acc)
{
	int stride = gr->stride, bin, k, nonempty = 0;
	unsigned last = 0;
	double mcw = gr->g->min_child_weight, total = nd->tot[0];

	memset(acc, 0, (size_t)stride * sizeof(double));
	for (bin = 0; bin < nb; bin++) {
		const double *hb = h + (size_t)bin * (size_t)stride;
		if (!(hb[0] > 0))
			continue;
		if (nonempty) {
			if (total - acc[0] < mcw)
				break; /* the right side only shrinks from here */
			if (acc[0] >= mcw)
				consider(gr, nd, parent_score, acc, j, last, (unsigned)bin);
		}
		nonempty++;
		for (k = 0; k < stride; k++)
			acc[k] += hb[k];
		last = (unsigned)bin;
	}
	return nonempty > 1 ? 2 : nonempty;
}

/* scan_hist over the touched bins only (bins first..first+nb of h, their
 * bits in occ), clearing them for the next node. Bit positions count from
 * the start of the scratch histogram, so features need not be aligned. */
static int scan_touched(const struct grower *gr, struct gnode *nd, double parent_score,
			double *h, uint64_t *occ, size_t first, int nb, int j, double *acc)
{
	int stride = gr->stride, k, nonempty = 0, stop = 0;
	unsigned last = 0;
	double mcw = gr->g->min_child_weight, total = nd->tot[0];
	size_t w, w0 = first >> 6, w1 = (first + (size_t)nb + 63) >> 6;

	memset(acc, 0, (size_t)stride * sizeof(double));
	for (w = w0; w < w1; w++) {
		uint64_t bits = occ[w];
		while (bits) {
			size_t bin = (w << 6) + (size_t)__builtin_ctzll(bits);
			double *hb = h + bin * (size_t)stride;
			bits &= bits - 1;
			if (bin < first || bin >= first + (size_t)nb)
				continue; /* a neighbouring feature's bit */
			if (!stop) {
				if (nonempty) {
					if (total - acc[0] < mcw)
						stop = 1;
					else if (acc[0] >= mcw)
						consider(gr, nd, parent_score, acc, j, last,
							 (unsigned)(bin - first));
				}
				nonempty++;
				for (k = 0; k < stride; k++)
					acc[k] += hb[k];
				last = (unsigned)(bin - first);
			}
			for (k = 0; k < stride; k++)
				hb[k] = 0;
		}
	}
	/* clear this feature's bits, keeping neighbours' */
	for (w = w0; w < w1; w++) {
		uint64_t mask = ~0ull;
		if (w == w0 && (first & 63))
			mask &= ~0ull << (first & 63);
		if (w == w1 - 1 && ((first + (size_t)nb) & 63))
			mask &= ~(~0ull << ((first + (size_t)nb) & 63));
		occ[w] &= ~mask;
	}
	return nonempty > 1 ? 2 : nonempty;
}

/* The same candidates as scan_hist, from the node's rows sorted by code
 * (cheaper when the node has far fewer rows than the feature has bins). */
static int scan_sorted(const struct grower *gr, struct gnode *nd, double parent_score, int j,
		       struct scratch *sc)
{
	size_t m = nd->end - nd->begin, i;
	int stride = gr->stride, k;
	const float *stat = gr->g->stat;
	uint64_t *pr;
	double *acc = sc->acc, mcw = gr->g->min_child_weight, total = nd->tot[0];

	if (m > sc->pairs_cap) { /* room for the radix pass's second half too */
		free(sc->pairs);
		sc->pairs_cap = m;
		sc->pairs = xmalloc(mp_mul_size(2 * m, sizeof(uint64_t)));
	}
	pr = sc->pairs;
	for (i = 0; i < m; i++)
		pr[i] = (uint64_t)mp_bins_code(gr->b, gr->rows[nd->begin + i], (size_t)j) << 32 | i;
	if (m <= 48) { /* insertion sort: tiny nodes are the common case deep down */
		for (i = 1; i < m; i++) {
			uint64_t v = pr[i];
			size_t q = i;
			while (q > 0 && pr[q - 1] > v) {
				pr[q] = pr[q - 1];
				q--;
			}
			pr[q] = v;
		}
	} else { /* stable LSD radix on the code bytes; positions are already in order */
		uint64_t *tmp = pr + m, *from = pr, *to = tmp, *sw;
		int pass, passes = gr->b->width;
		for (pass = 0; pass < passes; pass++) {
			size_t cnt[257] = { 0 }, d;
			int shift = 32 + 8 * pass;
			for (i = 0; i < m; i++)
				cnt[((from[i] >> shift) & 255) + 1]++;
			for (d = 1; d < 257; d++)
				cnt[d] += cnt[d - 1];
			for (i = 0; i < m; i++)
				to[cnt[(from[i] >> shift) & 255]++] = from[i];
			sw = from;
			from = to;
			to = sw;
		}
		if (from != pr)
			memcpy(pr, from, m * sizeof(uint64_t));
	}
	if ((pr[0] >> 32) == (pr[m - 1] >> 32))
		return 1;
	memset(acc, 0, (size_t)stride * sizeof(double));
	for (i = 0; i < m; i++) {
		const float *s = stat + (size_t)gr->rows[nd->begin + (uint32_t)pr[i]] * (size_t)stride;
		if (i > 0 && (pr[i] >> 32) != (pr[i - 1] >> 32)) {
			if (total - acc[0] < mcw)
				break;
			if (acc[0] >= mcw)
				consider(gr, nd, parent_score, acc, j, (unsigned)(pr[i - 1] >> 32),
					 (unsigned)(pr[i] >> 32));
		}
		for (k = 0; k < stride; k++)
			acc[k] += s[k];
	}
	return 2;
}

/* Sort a node's codes rather than scan every bin? sort_cost is the
 * node's m * log2(m + 1), computed once per node. */
static int use_sort(double sort_cost, int nb)
{
	return sort_cost < (double)nb;
}

/* Adds the node's rows to the histograms of features feat[0..nf) laid out
 * one after another (offsets in bins in hoff). Deep nodes' rows are
 * scattered, so the next rows' codes and stats are prefetched. */
static void fill_hist(const struct grower *gr, const struct gnode *nd, const int *feat,
		      size_t nf, const size_t *hoff, double *h, uint64_t *occ)
{
	const struct mp_bins *b = gr->b;
	const uint32_t *rows = gr->rows;
	const float *stat = gr->g->stat;
	size_t p = b->n_features, i, f;
	int stride = gr->stride, k;

	if (b->width == 1 && stride == 2) {
		const uint8_t *codes = b->codes;
		for (i = nd->begin; i < nd->end; i++) {
			size_t r = rows[i];
			const uint8_t *c = codes + r * p;
			double w = stat[2 * r], sv = stat[2 * r + 1];
#if defined(__GNUC__)
			if (i + PREFETCH_ROWS < nd->end) {
				__builtin_prefetch(codes + (size_t)rows[i + PREFETCH_ROWS] * p);
				__builtin_prefetch(stat + 2 * (size_t)rows[i + PREFETCH_ROWS]);
			}
#endif
			for (f = 0; f < nf; f++) {
				size_t bin = hoff[f] + c[feat[f]];
				double *hb = h + 2 * bin;
				hb[0] += w;
				hb[1] += sv;
				occ[bin >> 6] |= 1ull << (bin & 63);
			}
		}
		return;
	}
	for (i = nd->begin; i < nd->end; i++) {
		size_t r = rows[i];
		const float *s = stat + r * (size_t)stride;
#if defined(__GNUC__)
		if (i + PREFETCH_ROWS < nd->end) {
			__builtin_prefetch((const char *)b->codes + (size_t)rows[i + PREFETCH_ROWS] * p * (size_t)b->width);
			__builtin_prefetch(stat + (size_t)rows[i + PREFETCH_ROWS] * (size_t)stride);
		}
#endif
		for (f = 0; f < nf; f++) {
			size_t bin = hoff[f] + mp_bins_code(b, r, (size_t)feat[f]);
			double *hb = h + bin * (size_t)stride;
			for (k = 0; k < stride; k++)
				hb[k] += s[k];
			occ[bin >> 6] |= 1ull << (bin & 63);
		}
	}
}

/* Best split of nd from its rows: features in sampled order (random
 * forest: max_features at a time, drawing more while fewer than that many
 * turned out non-constant here), each by histogram or by sorting. */
static void find_split_direct(struct grower *gr, struct gnode *nd, struct scratch *sc)
{
	const struct mp_grow *g = gr->g;
	size_t m = nd->end - nd->begin, n_order = gr->n_allowed, done = 0, want, i;
	int *order = sc->perm, stride = gr->stride, nonconst = 0;
	double parent_score = node_score(gr, nd->tot), sort_cost = (double)m * log2((double)m + 1);

	memcpy(order, gr->allowed, n_order * sizeof(int));
	want = g->max_features > 0 && (size_t)g->max_features < n_order ? (size_t)g->max_features
									   : n_order;
	if (want < n_order) {
		struct mp_rng rng;
		mp_rng_seed(&rng, mp_rng_derive(g->seed, nd->id));
		for (i = 0; i < n_order; i++) { /* partial Fisher-Yates: draws come out in order */
			size_t r = i + (size_t)mp_rng_below(&rng, n_order - i);
			int t = order[i];
			order[i] = order[r];
			order[r] = t;
		}
	}
	while (done < n_order && (size_t)nonconst < want) {
		size_t group = want - (size_t)nonconst, nh = 0, f, need = 0;
		int hist_feat[64];
		size_t hoff[64];

		if (group > n_order - done)
			group = n_order - done;
		if (group > 64)
			group = 64;
		/* histogram features share one pass over the rows, up to a
		 * scratch size (wide exact bins: fewer features a pass) */
		for (f = 0; f < group; f++) {
			int j = order[done + f];
			if (!use_sort(sort_cost, gr->b->n_bins[j])) {
				if (nh && need + (size_t)gr->b->n_bins[j] > DIRECT_MAX_BINS) {
					group = f;
					break;
				}
				hist_feat[nh] = j;
				hoff[nh++] = need;
				need += (size_t)gr->b->n_bins[j];
			}
		}
		if (nh) {
			if (need * (size_t)stride > sc->hist_cap) {
				free(sc->hist);
				free(sc->occ);
				sc->hist_cap = need * (size_t)stride;
				sc->hist = xcalloc(sc->hist_cap, sizeof(double));
				sc->occ = xcalloc(need / 64 + 2, sizeof(uint64_t));
			}
			fill_hist(gr, nd, hist_feat, nh, hoff, sc->hist, sc->occ);
		}
		for (f = 0, nh = 0; f < group; f++) {
			int j = order[done + f], kind;
			if (!use_sort(sort_cost, gr->b->n_bins[j])) {
				kind = scan_touched(gr, nd, parent_score, sc->hist, sc->occ, hoff[nh],
						    gr->b->n_bins[j], j, sc->acc);
				nh++;
			} else {
				kind = scan_sorted(gr, nd, parent_score, j, sc);
			}
			nonconst += kind == 2;
		}
		done += group;
	}
}

/* Best split from the node's full histogram (subtract mode). */
static void find_split_hist(struct grower *gr, struct gnode *nd, struct scratch *sc)
{
	double parent_score = node_score(gr, nd->tot);
	size_t f;

	for (f = 0; f < gr->n_allowed; f++) {
		int j = gr->allowed[f];
		scan_hist(gr, nd, parent_score, nd->hist + gr->off[j] * (size_t)gr->stride,
			  gr->b->n_bins[j], j, sc->acc);
	}
}

/* Keeps the best split only if it is worth making. */
static void accept_split(const struct grower *gr, struct gnode *nd)
{
	double parent_score = node_score(gr, nd->tot);

	if (!(nd->best.gain > 0 && nd->best.gain > 1e-10 * fabs(parent_score) &&
	      nd->best.gain * gr->g->gain_scale >= gr->g->min_gain))
		nd->best.gain = 0;
}

struct find_job {
	struct grower *gr;
	struct gnode **nodes;
};

static void find_task(void *arg, size_t task, int thread)
{
	struct find_job *job = arg;
	struct gnode *nd = job->nodes[task];

	nd->best.gain = 0;
	if (nd->hist)
		find_split_hist(job->gr, nd, &job->gr->scratch[thread]);
	else
		find_split_direct(job->gr, nd, &job->gr->scratch[thread]);
	accept_split(job->gr, nd);
}

/* -- partition: tasks are fixed row blocks of the nodes being split -- */

struct part_task {
	struct gnode *nd;
	size_t begin, end; /* block of rows[] */
	size_t n_left;
	size_t out_left, out_right; /* where this block's rows go */
};

struct part_job {
	struct grower *gr;
	struct part_task *tasks;
};

static void part_task(void *arg, size_t task, int thread)
{
	struct part_job *job = arg;
	struct part_task *pt = &job->tasks[task];
	const struct mp_bins *b = job->gr->b;
	const uint32_t *rows = job->gr->rows;
	uint32_t *tmp = job->gr->tmp;
	size_t f = (size_t)pt->nd->best.feature, i, nl = 0, nr = 0;
	unsigned sb = job->gr->t->node[pt->nd->id].split_bin;

	(void)thread;
	if (b->width == 1) {
		const uint8_t *c = (const uint8_t *)b->col_codes + f * b->n_rows;
		for (i = pt->begin; i < pt->end; i++) {
			uint32_t r = rows[i];
			if (c[r] < sb)
				tmp[pt->begin + nl++] = r;
			else
				tmp[pt->end - 1 - nr++] = r;
		}
	} else {
		const uint16_t *c = (const uint16_t *)b->col_codes + f * b->n_rows;
		for (i = pt->begin; i < pt->end; i++) {
			uint32_t r = rows[i];
			if (c[r] < sb)
				tmp[pt->begin + nl++] = r;
			else
				tmp[pt->end - 1 - nr++] = r;
		}
	}
	pt->n_left = nl;
}

static void part_copy_task(void *arg, size_t task, int thread)
{
	struct part_job *job = arg;
	struct part_task *pt = &job->tasks[task];
	uint32_t *rows = job->gr->rows;
	const uint32_t *tmp = job->gr->tmp;
	size_t nr = pt->end - pt->begin - pt->n_left, i;

	(void)thread;
	memcpy(rows + pt->out_left, tmp + pt->begin, pt->n_left * sizeof(uint32_t));
	for (i = 0; i < nr; i++) /* rights were written backwards */
		rows[pt->out_right + i] = tmp[pt->end - 1 - i];
}

static void partition(struct grower *gr, struct gnode **batch, size_t nb, size_t *n_left)
{
	struct part_job job;
	size_t n_tasks = 0, q, i, t;

	for (i = 0; i < nb; i++)
		n_tasks += (batch[i]->end - batch[i]->begin + PART_BLOCK - 1) / PART_BLOCK;
	job.gr = gr;
	job.tasks = xcalloc(n_tasks ? n_tasks : 1, sizeof(*job.tasks));
	for (i = 0, t = 0; i < nb; i++)
		for (q = batch[i]->begin; q < batch[i]->end; q += PART_BLOCK, t++) {
			job.tasks[t].nd = batch[i];
			job.tasks[t].begin = q;
			job.tasks[t].end = q + PART_BLOCK < batch[i]->end ? q + PART_BLOCK : batch[i]->end;
		}
	mp_pool_run(gr->g->pool, n_tasks, part_task, &job);
	/* output offsets: each node's lefts (blocks in order) then its rights */
	for (i = 0, t = 0; i < nb; i++) {
		size_t first = t, left = 0, pos;
		for (; t < n_tasks && job.tasks[t].nd == batch[i]; t++)
			left += job.tasks[t].n_left;
		n_left[i] = left;
		pos = batch[i]->begin;
		for (q = first; q < t; q++) {
			job.tasks[q].out_left = pos;
			pos += job.tasks[q].n_left;
		}
		for (q = first; q < t; q++) {
			job.tasks[q].out_right = pos;
			pos += job.tasks[q].end - job.tasks[q].begin - job.tasks[q].n_left;
		}
	}
	mp_pool_run(gr->g->pool, n_tasks, part_copy_task, &job);
	free(job.tasks);
}

/* -- histograms (subtract mode): tasks are (node, row block); a node with
 * several blocks sums its partial histograms in block order -- */

struct hist_task {
	struct gnode *nd;
	size_t begin, end;
	double *out;
};

struct hist_job {
	struct grower *gr;
	struct hist_task *tasks;
	size_t n_tasks;
	/* reduction: node i sums parts[first[i] .. first[i] + count[i]) */
	struct gnode **nodes;
	double **parts;
	size_t *first, *count;
	size_t chunk; /* doubles per reduction task */
};

/* Accumulates rows[begin, end) into h. The hot loop of boosting: one
 * gradient pair (w, s) is added to one bin of every feature of the row. */
static void hist_rows(const struct grower *gr, double *h, size_t begin, size_t end)
{
	const struct mp_bins *b = gr->b;
	const uint32_t *rows = gr->rows;
	const float *stat = gr->g->stat;
	const size_t *off = gr->off;
	const int *feat = gr->allowed;
	size_t p = b->n_features, nf = gr->n_allowed, i, f;
	int stride = gr->stride, k;

	memset(h, 0, gr->all_bins * (size_t)stride * sizeof(double));
	if (stride == 2 && b->width == 1) {
		const uint8_t *codes = b->codes;
		for (i = begin; i < end; i++) {
			size_t r = rows[i];
			const uint8_t *c = codes + r * p;
#if defined(__GNUC__)
			if (i + PREFETCH_ROWS < end) {
				__builtin_prefetch(codes + (size_t)rows[i + PREFETCH_ROWS] * p);
				__builtin_prefetch(stat + 2 * (size_t)rows[i + PREFETCH_ROWS]);
			}
#endif
#if defined(__SSE2__)
			{
				__m128d v = _mm_cvtps_pd(_mm_castpd_ps(_mm_load_sd((const double *)(const void *)(stat + 2 * r))));
				for (f = 0; f < nf; f++) {
					size_t j = (size_t)feat[f];
					double *hb = h + 2 * (off[j] + c[j]);
					_mm_storeu_pd(hb, _mm_add_pd(_mm_loadu_pd(hb), v));
				}
			}
#else
			{
				double w = stat[2 * r], s = stat[2 * r + 1];
				for (f = 0; f < nf; f++) {
					size_t j = (size_t)feat[f];
					double *hb = h + 2 * (off[j] + c[j]);
					hb[0] += w;
					hb[1] += s;
				}
			}
#endif
		}
		return;
	}
	for (i = begin; i < end; i++) {
		size_t r = rows[i];
		const float *s = stat + r * (size_t)stride;
		for (f = 0; f < nf; f++) {
			size_t j = (size_t)feat[f];
			double *hb = h + (off[j] + mp_bins_code(b, r, j)) * (size_t)stride;
			for (k = 0; k < stride; k++)
				hb[k] += s[k];
		}
	}
}

static void hist_task_run(void *arg, size_t task, int thread)
{
	struct hist_job *job = arg;
	struct hist_task *ht = &job->tasks[task];

	(void)thread;
	hist_rows(job->gr, ht->out, ht->begin, ht->end);
}

static void hist_reduce_run(void *arg, size_t task, int thread)
{
	struct hist_job *job = arg;
	size_t total = job->gr->all_bins * (size_t)job->gr->stride;
	size_t chunks = (total + job->chunk - 1) / job->chunk;
	size_t i = task / chunks, lo = (task % chunks) * job->chunk;
	size_t hi = lo + job->chunk < total ? lo + job->chunk : total, q, x;
	double *out = job->nodes[i]->hist;

	(void)thread;
	memcpy(out + lo, job->parts[job->first[i]] + lo, (hi - lo) * sizeof(double));
	for (q = 1; q < job->count[i]; q++) {
		const double *pq = job->parts[job->first[i] + q];
		for (x = lo; x < hi; x++)
			out[x] += pq[x];
	}
}

/* Builds the histograms of nodes[0..nn) (their hist buffers are set). */
static void build_hists(struct grower *gr, struct gnode **nodes, size_t nn)
{
	struct hist_job job;
	size_t i, t = 0, n_parts = 0, n_multi = 0, q;

	memset(&job, 0, sizeof(job));
	job.gr = gr;
	for (i = 0; i < nn; i++) {
		size_t m = nodes[i]->end - nodes[i]->begin, nb = (m + HIST_BLOCK - 1) / HIST_BLOCK;
		if (nb > HIST_MAX_BLOCKS)
			nb = HIST_MAX_BLOCKS;
		if (nb < 1)
			nb = 1;
		job.n_tasks += nb;
		if (nb > 1) {
			n_parts += nb;
			n_multi++;
		}
	}
	job.tasks = xcalloc(job.n_tasks, sizeof(*job.tasks));
	job.parts = xcalloc(n_parts ? n_parts : 1, sizeof(double *));
	job.nodes = xcalloc(n_multi ? n_multi : 1, sizeof(*job.nodes));
	job.first = xcalloc(n_multi ? n_multi : 1, sizeof(size_t));
	job.count = xcalloc(n_multi ? n_multi : 1, sizeof(size_t));
	n_parts = n_multi = 0;
	for (i = 0; i < nn; i++) {
		struct gnode *nd = nodes[i];
		size_t m = nd->end - nd->begin, nb = (m + HIST_BLOCK - 1) / HIST_BLOCK, per;
		if (nb > HIST_MAX_BLOCKS)
			nb = HIST_MAX_BLOCKS;
		if (nb < 1)
			nb = 1;
		per = (m + nb - 1) / nb;
		if (nb > 1) {
			job.nodes[n_multi] = nd;
			job.first[n_multi] = n_parts;
			job.count[n_multi++] = nb;
		}
		for (q = 0; q < nb; q++, t++) {
			job.tasks[t].nd = nd;
			job.tasks[t].begin = nd->begin + q * per < nd->end ? nd->begin + q * per : nd->end;
			job.tasks[t].end = nd->begin + (q + 1) * per < nd->end ? nd->begin + (q + 1) * per : nd->end;
			if (nb == 1) {
				job.tasks[t].out = nd->hist;
			} else {
				job.parts[n_parts] = hist_get(gr);
				job.tasks[t].out = job.parts[n_parts++];
			}
		}
	}
	mp_pool_run(gr->g->pool, job.n_tasks, hist_task_run, &job);
	if (n_multi) {
		size_t total = gr->all_bins * (size_t)gr->stride;
		job.chunk = 4096;
		mp_pool_run(gr->g->pool, n_multi * ((total + job.chunk - 1) / job.chunk),
			    hist_reduce_run, &job);
	}
	for (q = 0; q < n_parts; q++)
		hist_put(gr, job.parts[q]);
	free(job.tasks);
	free(job.parts);
	free(job.nodes);
	free(job.first);
	free(job.count);
}

/* -- the grow loop -- */

struct grow_list {
	struct gnode **v;
	size_t n, cap;
};

static void list_push(struct grow_list *l, struct gnode *nd)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = nd;
}

/* Records node ranges for the caller (indices follow the tree's). */
static void where_set(struct mp_node_rows *w, size_t *cap, size_t id, size_t begin, size_t end)
{
	if (!w)
		return;
	if (id >= *cap) {
		*cap = *cap ? 2 * *cap : 64;
		while (*cap <= id)
			*cap *= 2;
		w->begin = xrealloc(w->begin, *cap * sizeof(size_t));
		w->end = xrealloc(w->end, *cap * sizeof(size_t));
	}
	w->begin[id] = begin;
	w->end[id] = end;
	if (id + 1 > w->n)
		w->n = id + 1;
}

/* Turns nd's best split into tree structure: threshold and training bin. */
static void make_split(struct grower *gr, struct gnode *nd, size_t *lid, size_t *rid)
{
	struct mp_tree *t = gr->t;
	int j = nd->best.feature;
	unsigned a = nd->best.a, c = nd->best.c, sb;
	float thr;
	const float *val = gr->b->value[j];

	if (val) { /* one value per bin: the midpoint of the node's own neighbours */
		unsigned lo = a + 1, hi = c;
		thr = split_threshold(val[a], val[c]);
		while (lo < hi) { /* first bin whose value is >= thr */
			unsigned mid = lo + (hi - lo) / 2;
			if (val[mid] < thr)
				lo = mid + 1;
			else
				hi = mid;
		}
		sb = lo;
	} else { /* range bins: the middle cut between the two sides */
		unsigned ci = (a + c - 1) / 2;
		thr = gr->b->cut[j][ci];
		sb = ci + 1;
	}
	*lid = tree_add(t);
	*rid = tree_add(t);
	t->node[nd->id].feature = j;
	t->node[nd->id].threshold = thr;
	t->node[nd->id].split_bin = (uint16_t)sb;
	t->node[nd->id].left = (int32_t)*lid;
	t->node[nd->id].right = (int32_t)*rid;
}

struct family {
	struct gnode *parent, *l, *r, *small, *large;
	int need_l, need_r;
};

struct sub_job {
	struct family *fam;
	size_t *which; /* families whose larger child is derived */
	size_t chunk, chunks, total;
};

static void subtract_run(void *arg, size_t task, int thread)
{
	struct sub_job *job = arg;
	struct family *f = &job->fam[job->which[task / job->chunks]];
	size_t lo = (task % job->chunks) * job->chunk, x;
	size_t hi = lo + job->chunk < job->total ? lo + job->chunk : job->total;
	double *big = f->large->hist;
	const double *sm = f->small->hist;

	(void)thread;
	for (x = lo; x < hi; x++)
		big[x] -= sm[x];
}

struct mp_tree *mp_tree_grow(const struct mp_grow *g, uint32_t *rows, size_t n,
			     struct mp_node_rows *where)
{
	struct grower gr;
	struct grow_list open = { 0 }, batch = { 0 }, kids = { 0 }, build = { 0 };
	struct family *fam = NULL;
	struct gnode *root;
	size_t i, j, where_cap = 0, leaves = 1, *n_left = NULL, fam_cap = 0;
	int k;

	memset(&gr, 0, sizeof(gr));
	gr.g = g;
	gr.b = g->bins;
	gr.stride = 1 + g->n_out;
	gr.rows = rows;
	gr.tmp = xmalloc((n ? n : 1) * sizeof(uint32_t));
	gr.off = xcalloc(gr.b->n_features + 1, sizeof(size_t));
	for (j = 0; j < gr.b->n_features; j++)
		gr.off[j + 1] = gr.off[j] + (size_t)gr.b->n_bins[j];
	gr.all_bins = gr.off[gr.b->n_features];
	if (g->features) {
		gr.allowed = g->features;
		gr.n_allowed = g->n_allowed;
	} else {
		gr.all_features = xmalloc((gr.b->n_features ? gr.b->n_features : 1) * sizeof(int));
		for (j = 0; j < gr.b->n_features; j++)
			gr.all_features[j] = (int)j;
		gr.allowed = gr.all_features;
		gr.n_allowed = gr.b->n_features;
	}
	gr.threads = mp_pool_threads(g->pool);
	gr.scratch = xcalloc((size_t)gr.threads, sizeof(*gr.scratch));
	for (k = 0; k < gr.threads; k++) {
		gr.scratch[k].perm = xmalloc((gr.n_allowed ? gr.n_allowed : 1) * sizeof(int));
		gr.scratch[k].acc = xmalloc((size_t)gr.stride * sizeof(double));
	}
	gr.t = tree_new(g->n_out);
	if (where)
		memset(where, 0, sizeof(*where));

	root = gnode_new(&gr, tree_add(gr.t), 0, 0, n);
	if (g->subtract && n >= 2 && gr.n_allowed > 0) {
		/* the root's histogram (built in parallel) also gives its totals:
		 * every row sits in exactly one bin of any feature */
		size_t j0 = (size_t)gr.allowed[0], bin;
		root->hist = hist_get(&gr);
		build_hists(&gr, &root, 1);
		for (bin = 0; bin < (size_t)gr.b->n_bins[j0]; bin++)
			for (k = 0; k < gr.stride; k++)
				root->tot[k] += root->hist[(gr.off[j0] + bin) * (size_t)gr.stride + (size_t)k];
	} else {
		for (i = 0; i < n; i++) {
			const float *s = g->stat + (size_t)rows[i] * (size_t)gr.stride;
			for (k = 0; k < gr.stride; k++)
				root->tot[k] += s[k];
		}
	}
	set_value(&gr, root->id, root->tot);
	where_set(where, &where_cap, root->id, 0, n);
	if (splittable(&gr, root) && gr.n_allowed > 0) {
		struct find_job fj = { &gr, &root };
		find_task(&fj, 0, 0);
	}
	if (root->best.gain > 0)
		list_push(&open, root);
	else
		gnode_free(&gr, root);

	while (open.n > 0) {
		struct find_job fj;

		batch.n = kids.n = build.n = 0;
		if (g->max_leaves > 0) { /* best gain first, ties to the older node */
			size_t best = 0;
			if (leaves >= (size_t)g->max_leaves)
				break;
			for (i = 1; i < open.n; i++)
				if (open.v[i]->best.gain > open.v[best]->best.gain)
					best = i;
			list_push(&batch, open.v[best]);
			memmove(open.v + best, open.v + best + 1, (open.n - best - 1) * sizeof(*open.v));
			open.n--;
		} else { /* the whole level at once: more parallel work per pass */
			for (i = 0; i < open.n; i++)
				list_push(&batch, open.v[i]);
			open.n = 0;
		}
		for (i = 0; i < batch.n; i++) {
			size_t lid, rid;
			make_split(&gr, batch.v[i], &lid, &rid);
			leaves++;
		}
		n_left = xrealloc(n_left, batch.n * sizeof(size_t));
		partition(&gr, batch.v, batch.n, n_left);
		if (batch.n > fam_cap) {
			fam_cap = batch.n;
			fam = xrealloc(fam, fam_cap * sizeof(*fam));
		}
		for (i = 0; i < batch.n; i++) {
			struct family *f = &fam[i];
			struct gnode *nd = batch.v[i];
			size_t mid = nd->begin + n_left[i];

			memset(f, 0, sizeof(*f));
			f->parent = nd;
			f->l = gnode_new(&gr, (size_t)gr.t->node[nd->id].left, nd->depth + 1, nd->begin, mid);
			f->r = gnode_new(&gr, (size_t)gr.t->node[nd->id].right, nd->depth + 1, mid, nd->end);
			memcpy(f->l->tot, nd->best_left, (size_t)gr.stride * sizeof(double));
			for (k = 0; k < gr.stride; k++)
				f->r->tot[k] = nd->tot[k] - nd->best_left[k];
			set_value(&gr, f->l->id, f->l->tot);
			set_value(&gr, f->r->id, f->r->tot);
			where_set(where, &where_cap, f->l->id, f->l->begin, f->l->end);
			where_set(where, &where_cap, f->r->id, f->r->begin, f->r->end);
			f->need_l = splittable(&gr, f->l);
			f->need_r = splittable(&gr, f->r);
			if (f->need_l)
				list_push(&kids, f->l);
			if (f->need_r)
				list_push(&kids, f->r);
			if (nd->hist && (f->need_l || f->need_r)) {
				int small_is_l = f->l->end - f->l->begin <= f->r->end - f->r->begin;
				f->small = small_is_l ? f->l : f->r;
				f->large = small_is_l ? f->r : f->l;
				f->small->hist = hist_get(&gr);
				list_push(&build, f->small);
				if (small_is_l ? f->need_r : f->need_l) {
					f->large->hist = nd->hist;
					nd->hist = NULL;
				} else {
					f->large = NULL;
				}
			}
		}
		if (g->subtract && build.n) {
			struct sub_job sj;
			size_t n_sub = 0;

			build_hists(&gr, build.v, build.n);
			sj.fam = fam;
			sj.which = xmalloc(batch.n * sizeof(size_t));
			for (i = 0; i < batch.n; i++)
				if (fam[i].large)
					sj.which[n_sub++] = i;
			sj.total = gr.all_bins * (size_t)gr.stride;
			sj.chunk = 8192;
			sj.chunks = (sj.total + sj.chunk - 1) / sj.chunk;
			if (n_sub && sj.total)
				mp_pool_run(g->pool, n_sub * sj.chunks, subtract_run, &sj);
			free(sj.which);
		}
		fj.gr = &gr;
		fj.nodes = kids.v;
		mp_pool_run(g->pool, kids.n, find_task, &fj);
		for (i = 0; i < batch.n; i++) {
			struct family *f = &fam[i];
			/* an open node keeps its histogram for its children only when
			 * it is large: every open node holds one, and a deep level of
			 * small nodes would hold thousands; small nodes' children
			 * find their splits from their rows */
			if (f->l->hist && f->l->end - f->l->begin < SUBTRACT_MIN_ROWS) {
				hist_put(&gr, f->l->hist);
				f->l->hist = NULL;
			}
			if (f->r->hist && f->r->end - f->r->begin < SUBTRACT_MIN_ROWS) {
				hist_put(&gr, f->r->hist);
				f->r->hist = NULL;
			}
			if (f->need_l && f->l->best.gain > 0)
				list_push(&open, f->l);
			else
				gnode_free(&gr, f->l);
			if (f->need_r && f->r->best.gain > 0)
				list_push(&open, f->r);
			else
				gnode_free(&gr, f->r);
			gnode_free(&gr, f->parent);
		}
	}
	for (i = 0; i < open.n; i++)
		gnode_free(&gr, open.v[i]);
	free(open.v);
	free(batch.v);
	free(kids.v);
	free(build.v);
	free(fam);
	free(n_left);
	for (i = 0; i < gr.n_free; i++)
		free(gr.free_hists[i]);
	free(gr.free_hists);
	for (k = 0; k < gr.threads; k++) {
		free(gr.scratch[k].perm);
		free(gr.scratch[k].hist);
		free(gr.scratch[k].occ);
		free(gr.scratch[k].pairs);
		free(gr.scratch[k].acc);
	}
	free(gr.scratch);
	free(gr.all_features);
	free(gr.off);
	free(gr.tmp);
	return gr.t;
}

/* ---- JSON ------------------------------------------------------------------ */

/* Shortest decimal that reads back (through strtod, as cJSON does) to the
 * same float. %g drops trailing zeros, so starting at 7 digits still
 * writes short values short; 9 digits always suffice. */
static size_t format_float(char s[32], float v)
{
	int prec;

	if (v == 0 || !isfinite(v)) {
		s[0] = '0';
		s[1] = 0;
		return 1;
	}
	for (prec = 7; prec <= 9; prec++) {
		snprintf(s, 32, "%.*g", prec, (double)v);
		if ((float)strtod(s, NULL) == v)
			break;
	}
	return strlen(s);
}

/* Thresholds (a few hundred cuts per feature) and leaf frequencies repeat
 * across a tree's nodes: a direct-mapped cache of their text saves most of
 * the formatting. */
#define FLOAT_CACHE 4096

struct float_cache {
	uint32_t bits[FLOAT_CACHE];
	uint8_t len[FLOAT_CACHE]; /* 0 = empty */
	char text[FLOAT_CACHE][16];
};

static void add_float(struct mp_buf *b, struct float_cache *fc, float v)
{
	uint32_t bits, h;
	char s[32];
	size_t n;

	memcpy(&bits, &v, sizeof(bits));
	h = (bits * 2654435761u) >> 20; /* 12 bits */
	if (fc->len[h] && fc->bits[h] == bits) {
		mp_buf_add(b, fc->text[h], fc->len[h]);
		return;
	}
	n = format_float(s, v);
	if (n < sizeof(fc->text[h])) {
		fc->bits[h] = bits;
		fc->len[h] = (uint8_t)n;
		memcpy(fc->text[h], s, n);
	}
	mp_buf_add(b, s, n);
}

static void add_int(struct mp_buf *b, int v)
{
	char s[16], *e = s + sizeof(s), *q = e;
	unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;

	do
		*--q = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--q = '-';
	mp_buf_add(b, q, (size_t)(e - q));
}

/* The tree's arrays are written as raw JSON text: a forest can hold
 * millions of nodes, far too many for one cJSON item per number. */
enum node_field { FIELD_FEATURE, FIELD_LEFT, FIELD_RIGHT };

static cJSON *raw_int_array(const struct mp_tree *t, enum node_field which)
{
	struct mp_buf b = MP_BUF_INIT;
	cJSON *j;
	size_t k;

	mp_buf_addc(&b, '[');
	for (k = 0; k < t->n_nodes; k++) {
		const struct mp_tree_node *nd = &t->node[k];
		int v = which == FIELD_FEATURE ? nd->feature : which == FIELD_LEFT ? nd->left : nd->right;
		if (k)
			mp_buf_addc(&b, ',');
		add_int(&b, v);
	}
	mp_buf_addc(&b, ']');
	j = cJSON_CreateRaw(b.data);
	mp_buf_free(&b);
	return j;
}

static cJSON *raw_float_array(const float *v, size_t n, struct float_cache *fc)
{
	struct mp_buf b = MP_BUF_INIT;
	cJSON *j;
	size_t i;

	mp_buf_addc(&b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			mp_buf_addc(&b, ',');
		add_float(&b, fc, v[i]);
	}
	mp_buf_addc(&b, ']');
	j = cJSON_CreateRaw(b.data);
	mp_buf_free(&b);
	return j;
}

cJSON *mp_tree_save(const struct mp_tree *t)
{
	cJSON *j = cJSON_CreateObject();
	float *thr = xmalloc((t->n_nodes ? t->n_nodes : 1) * sizeof(float));
	struct float_cache *fc = xcalloc(1, sizeof(*fc));
	size_t k;

	/* leaves carry no threshold: write 0 so files never hold stale bytes */
	for (k = 0; k < t->n_nodes; k++)
		thr[k] = t->node[k].feature >= 0 ? t->node[k].threshold : 0;
	cJSON_AddItemToObject(j, "feature", raw_int_array(t, FIELD_FEATURE));
	cJSON_AddItemToObject(j, "threshold", raw_float_array(thr, t->n_nodes, fc));
	cJSON_AddItemToObject(j, "left", raw_int_array(t, FIELD_LEFT));
	cJSON_AddItemToObject(j, "right", raw_int_array(t, FIELD_RIGHT));
	cJSON_AddItemToObject(j, "value",
			      raw_float_array(t->value, t->n_nodes * (size_t)t->n_values, fc));
	free(fc);
	free(thr);
	return j;
}

/* Reads array `key` of exactly n numbers (n = 0: any length, returned in
 * *n_out) into doubles. */
static double *load_numbers(const cJSON *json, const char *key, size_t n, size_t *n_out,
			    struct mp_error *err)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(json, key), *e;
	double *v;
	size_t i = 0, len;

	if (!cJSON_IsArray(a)) {
		mp_error_set(err, MP_EX_DATAERR, "tree: member '%s': expected an array of numbers", key);
		return NULL;
	}
	len = (size_t)cJSON_GetArraySize(a);
	if (n && len != n) {
		mp_error_set(err, MP_EX_DATAERR, "tree: member '%s': expected %zu numbers, got %zu", key,
			     n, len);
		return NULL;
	}
	v = xmalloc((len ? len : 1) * sizeof(double));
	cJSON_ArrayForEach(e, a) {
		if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble)) {
			mp_error_set(err, MP_EX_DATAERR, "tree: member '%s' item %zu: expected a finite number",
				     key, i);
			free(v);
			return NULL;
		}
		v[i++] = e->valuedouble;
	}
	if (n_out)
		*n_out = len;
	return v;
}

struct mp_tree *mp_tree_load(const cJSON *json, int n_values, size_t n_features,
			     struct mp_error *err)
{
	double *feat = NULL, *thr = NULL, *left = NULL, *right = NULL, *val = NULL;
	struct mp_tree *t = NULL;
	size_t n = 0, k;
	int q;

	if (!cJSON_IsObject(json)) {
		mp_error_set(err, MP_EX_DATAERR, "tree: expected an object");
		return NULL;
	}
	feat = load_numbers(json, "feature", 0, &n, err);
	if (!feat)
		goto out;
	if (n == 0) {
		mp_error_set(err, MP_EX_DATAERR, "tree: expected at least one node");
		goto out;
	}
	if (!(thr = load_numbers(json, "threshold", n, NULL, err)) ||
	    !(left = load_numbers(json, "left", n, NULL, err)) ||
	    !(right = load_numbers(json, "right", n, NULL, err)) ||
	    !(val = load_numbers(json, "value", n * (size_t)n_values, NULL, err)))
		goto out;
	t = tree_new(n_values);
	while (t->cap < n) {
		t->n_nodes = t->cap;
		tree_add(t); /* grows the arrays */
	}
	t->n_nodes = n;
	for (k = 0; k < n; k++) {
		double f = feat[k];
		if (f == -1) {
			t->node[k].feature = -1;
			t->node[k].left = t->node[k].right = -1;
			t->node[k].threshold = 0;
		} else if (f >= 0 && f < (double)n_features && f == floor(f) &&
			   left[k] > (double)k && left[k] < (double)n && left[k] == floor(left[k]) &&
			   right[k] > (double)k && right[k] < (double)n && right[k] == floor(right[k])) {
			t->node[k].feature = (int32_t)f;
			t->node[k].left = (int32_t)left[k];
			t->node[k].right = (int32_t)right[k];
			t->node[k].threshold = (float)thr[k];
		} else {
			mp_error_set(err, MP_EX_DATAERR,
				     "tree: node %zu: expected feature -1..%zu and children after the node",
				     k, n_features ? n_features - 1 : 0);
			mp_tree_free(t);
			t = NULL;
			goto out;
		}
		for (q = 0; q < n_values; q++)
			t->value[k * (size_t)n_values + (size_t)q] = (float)val[k * (size_t)n_values + (size_t)q];
	}
out:
	free(feat);
	free(thr);
	free(left);
	free(right);
	free(val);
	return t;
}

/* ---- small helpers for the algorithms ------------------------------------ */

int mp_tree_check_target(const struct mp_dataset *d, struct mp_error *err)
{
	size_t i;

	if (d->task != MP_REGRESSION && d->n_classes < 2)
		return mp_error_set(err, MP_EX_DATAERR, "expected at least 2 classes, got %d",
				    d->n_classes);
	if (d->task == MP_CATEGORICAL && d->n_classes > 65535)
		return mp_error_set(err, MP_EX_DATAERR, "expected at most 65535 classes, got %d",
				    d->n_classes);
	for (i = 0; i < d->n_rows; i++) {
		double y = d->y[i];
		if (d->task == MP_BINARY && !(y == 0 || y == 1))
			return mp_error_set(err, MP_EX_DATAERR,
					    "training row %zu: expected a target of 0 or 1, got %g", i + 1, y);
		if (d->task == MP_CATEGORICAL && !(y >= 0 && y < d->n_classes && y == floor(y)))
			return mp_error_set(err, MP_EX_DATAERR,
					    "training row %zu: expected a class code 0..%d, got %g", i + 1,
					    d->n_classes - 1, y);
		if (d->task == MP_REGRESSION && !isfinite(y))
			return mp_error_set(err, MP_EX_DATAERR,
					    "training row %zu: expected a finite target, got %g", i + 1, y);
	}
	return 0;
}

int mp_tree_depth(const struct mp_tree *t)
{
	int *depth = xcalloc(t->n_nodes ? t->n_nodes : 1, sizeof(int)), best = 0;
	size_t k;

	for (k = 0; k < t->n_nodes; k++) { /* parents come before children */
		if (depth[k] > best)
			best = depth[k];
		if (t->node[k].feature >= 0) {
			depth[t->node[k].left] = depth[k] + 1;
			depth[t->node[k].right] = depth[k] + 1;
		}
	}
	free(depth);
	return best;
}
