/* neural_network.c — a multilayer perceptron on the expanded inputs
 * (standardised numbers, one-hot categories; see expand.h).
 *
 *   inputs -> `layers` hidden layers of `hidden` ReLU units -> output
 *   binary       one sigmoid unit, cross-entropy
 *   categorical  K softmax units, cross-entropy
 *   regression   one linear unit on the standardised target, squared error
 *
 * Training: Adam (betas 0.9 / 0.999) on shuffled mini-batches, L2 penalty
 * `alpha` on the weights (not the biases) scaled by the batch size as in
 * scikit-learn's MLP, and early stopping: a seeded `validation_fraction`
 * of the training rows is held out, and training stops after `patience`
 * epochs without the validation loss improving by `tol`; the weights of
 * the best epoch are kept. Initialisation: Glorot-uniform weights; the
 * output bias starts at the training prior so imbalanced data need not
 * spend epochs finding it.
 *
 * The first layer: numbers go through cblas_sgemm; a category adds the
 * weight row of its active level (a lookup, not a product with a one-hot
 * matrix), and its gradient is scattered back into those rows.
 *
 * Determinism: a batch is cut into a fixed number of row chunks (forward
 * and backward pass per chunk) and the parameters into fixed blocks
 * (gradient product and Adam update per block), independent of the
 * thread count; every floating-point sum has one order. A phase too small
 * to gain from the pool (the default network on a 200-row batch is about
 * 0.1 ms) runs the same tasks inline. OpenBLAS runs single-threaded (see
 * expand.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "jsonio.h"
#include "models/expand.h"
#include "models/model.h"
#include "rng.h"

#define MAX_LAYERS 9        /* weight layers: up to 8 hidden + output */
#define CHUNK_ROWS 64       /* forward/backward chunk of a batch, at most */
#define EVAL_ROWS 256       /* rows per forward block when predicting */
#define BLOCK_CELLS 4096    /* parameters per gradient/Adam task, about */
#define PARALLEL_WORK 4e6   /* rows x parameters below which a phase runs inline */
#define ADAM_BETA1 0.9
#define ADAM_BETA2 0.999
#define ADAM_EPS 1e-8

static const struct mp_param_spec nn_params[] = {
	{ "hidden", MP_PARAM_INT, 1, 4096, { 100, 100, 100 }, "units per hidden layer" },
	{ "layers", MP_PARAM_INT, 1, MAX_LAYERS - 1, { 1, 1, 1 }, "hidden layers" },
	{ "learning_rate", MP_PARAM_REAL, 1e-7, 1, { 1e-3, 1e-3, 1e-3 }, "Adam step size" },
	{ "batch_size", MP_PARAM_INT, 1, 1 << 20, { 200, 200, 200 },
	  "rows per mini-batch (at most the training rows)" },
	/* alpha: 0.1 rather than scikit-learn's 1e-4; over ten seeds it raised
	 * the worst test AUC of credit-g from 0.71 to 0.74 and the worst R^2 of
	 * ames from 0.80 to 0.81, the means a little too */
	{ "alpha", MP_PARAM_REAL, 0, 1e3, { 0.1, 0.1, 0.1 },
	  "L2 penalty on the weights (scikit-learn's scaling: alpha / batch_size per step)" },
	{ "epochs", MP_PARAM_INT, 1, 100000, { 200, 200, 200 }, "maximum passes over the data" },
	{ "validation_fraction", MP_PARAM_REAL, 0, 0.5, { 0.1, 0.1, 0.1 },
	  "share of the training rows held out for early stopping" },
	{ "patience", MP_PARAM_INT, 1, 100000, { 10, 10, 10 },
	  "epochs without improvement before stopping" },
	{ "tol", MP_PARAM_REAL, 0, 1, { 1e-4, 1e-4, 1e-4 },
	  "least decrease of the validation loss that counts as improvement" },
};

struct nn_model {
	struct mp_expand ex;
	enum mp_task task;
	size_t n_layers;             /* weight layers (hidden + output) */
	size_t width[MAX_LAYERS + 1]; /* width[0]: expanded inputs (numbers, then
	                                 one-hot columns); width[l + 1]: units of layer l */
	size_t w_off[MAX_LAYERS], b_off[MAX_LAYERS]; /* into theta */
	size_t n_theta;
	float *theta;                /* all weights and biases; layer l's weights
	                                are width[l] x width[l + 1], row-major */
	double y_mean, y_scale;      /* regression: target = mean + scale * output */
};

static void nn_free(void *model)
{
	struct nn_model *m = model;

	if (!m)
		return;
	mp_expand_free(&m->ex);
	free(m->theta);
	free(m);
}

/* Lays out theta once the widths are known. */
static void nn_layout(struct nn_model *m)
{
	size_t l, off = 0;

	for (l = 0; l < m->n_layers; l++) {
		m->w_off[l] = off;
		off += mp_mul_size(m->width[l], m->width[l + 1]);
		m->b_off[l] = off;
		off += m->width[l + 1];
	}
	m->n_theta = off;
	m->theta = xcalloc(off ? off : 1, sizeof(float));
}

static size_t max_width(const struct nn_model *m)
{
	size_t l, w = 1;

	for (l = 1; l <= m->n_layers; l++)
		w = m->width[l] > w ? m->width[l] : w;
	return w;
}

/* The element-wise loops below are written in blocks of 16 with a fixed
 * trip count so that -O2 vectorises them, and without branches: a ReLU's
 * sign is a coin flip, and a mispredicted branch per unit cost more than
 * the matrix products. */
#define VEC 16

/* d[i] += a[i] */
static void add_row(float *restrict d, const float *restrict a, size_t n)
{
	size_t i = 0, j;

	for (; i + VEC <= n; i += VEC)
		for (j = 0; j < VEC; j++)
			d[i + j] += a[i + j];
	for (; i < n; i++)
		d[i] += a[i];
}

/* d = base + the sum of rows idx[0..n_idx) of w (rows of n floats): a
 * first-layer pre-activation from its bias and the weight rows of a
 * row's categories, accumulated in registers */
static void sum_rows(float *restrict d, const float *restrict base, const float *restrict w,
		     const uint32_t *restrict idx, size_t n_idx, size_t n)
{
	size_t u = 0, j, c;
	float acc[VEC];

	for (; u + VEC <= n; u += VEC) {
		for (j = 0; j < VEC; j++)
			acc[j] = base[u + j];
		for (c = 0; c < n_idx; c++) {
			const float *r = w + (size_t)idx[c] * n + u;
			for (j = 0; j < VEC; j++)
				acc[j] += r[j];
		}
		for (j = 0; j < VEC; j++)
			d[u + j] = acc[j];
	}
	for (; u < n; u++) {
		float a = base[u];
		for (c = 0; c < n_idx; c++)
			a += w[(size_t)idx[c] * n + u];
		d[u] = a;
	}
}

/* d = the column sums of the rows x n matrix a, row by row */
static void column_sums(float *restrict d, const float *restrict a, size_t rows, size_t n)
{
	size_t u = 0, j, i;
	float acc[VEC];

	for (; u + VEC <= n; u += VEC) {
		for (j = 0; j < VEC; j++)
			acc[j] = 0;
		for (i = 0; i < rows; i++)
			for (j = 0; j < VEC; j++)
				acc[j] += a[i * n + u + j];
		for (j = 0; j < VEC; j++)
			d[u + j] = acc[j];
	}
	for (; u < n; u++) {
		float s = 0;
		for (i = 0; i < rows; i++)
			s += a[i * n + u];
		d[u] = s;
	}
}

/* a[i] = max(a[i], 0), by clearing the negative values' bits */
static void relu(float *restrict a, size_t n)
{
	size_t i = 0, j;
	int32_t u;

	for (; i + VEC <= n; i += VEC)
		for (j = 0; j < VEC; j++) {
			memcpy(&u, a + i + j, sizeof(u));
			u &= ~(u >> 31);
			memcpy(a + i + j, &u, sizeof(u));
		}
	for (; i < n; i++) {
		memcpy(&u, a + i, sizeof(u));
		u &= ~(u >> 31);
		memcpy(a + i, &u, sizeof(u));
	}
}

/* d[i] = 0 where the unit was off (a[i] <= 0): the ReLU derivative. A
 * positive float's bits are a positive integer. */
static void relu_mask(float *restrict d, const float *restrict a, size_t n)
{
	size_t i = 0, j;
	int32_t u, x;

	for (; i + VEC <= n; i += VEC)
		for (j = 0; j < VEC; j++) {
			memcpy(&u, a + i + j, sizeof(u));
			memcpy(&x, d + i + j, sizeof(x));
			x &= -(int32_t)(u > 0);
			memcpy(d + i + j, &x, sizeof(x));
		}
	for (; i < n; i++) {
		memcpy(&u, a + i, sizeof(u));
		memcpy(&x, d + i, sizeof(x));
		x &= -(int32_t)(u > 0);
		memcpy(d + i, &x, sizeof(x));
	}
}

/* Forward pass of `rows` rows given their standardised numbers (rows x
 * n_num) and one-hot columns (rows x n_cat): act[l] = rows x width[l + 1]
 * activations of layer l; the last layer's are the output scores. */
static void nn_forward(const struct nn_model *m, size_t rows, const float *xnum, const uint32_t *oh,
		       float *const *act)
{
	const struct mp_expand *ex = &m->ex;
	size_t l, i;

	for (l = 0; l < m->n_layers; l++) {
		size_t in = m->width[l], out = m->width[l + 1];
		const float *w = m->theta + m->w_off[l], *b = m->theta + m->b_off[l];
		float *a = act[l];
		if (l == 0) {
			/* bias plus the rows of the active levels, then the numbers */
			const float *w_cat = w + ex->n_num * out;
			for (i = 0; i < rows; i++)
				sum_rows(a + i * out, b, w_cat, oh + i * ex->n_cat, ex->n_cat, out);
			if (ex->n_num)
				cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)out,
					    (int)ex->n_num, 1.0f, xnum, (int)ex->n_num, w, (int)out, 1.0f, a,
					    (int)out);
		} else {
			for (i = 0; i < rows; i++)
				memcpy(a + i * out, b, out * sizeof(float));
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)out, (int)in,
				    1.0f, act[l - 1], (int)in, w, (int)out, 1.0f, a, (int)out);
		}
		if (l + 1 < m->n_layers)
			relu(a, rows * out);
	}
}

static double softplus(double t)
{
	return t > 0 ? t + log1p(exp(-t)) : log1p(exp(t));
}

static double sigmoid(double t)
{
	if (t >= 0)
		return 1 / (1 + exp(-t));
	return exp(t) / (1 + exp(t));
}

/* Loss of one row's output scores s against target y; with delta
 * non-NULL also d loss / d score, times `scale`. */
static double output_loss(enum mp_task task, size_t k, const float *s, double y, float *delta,
			  double scale)
{
	size_t c;

	if (task == MP_BINARY) {
		if (delta)
			delta[0] = (float)((sigmoid(s[0]) - y) * scale);
		return softplus(s[0]) - y * s[0];
	}
	if (task == MP_REGRESSION) {
		if (delta)
			delta[0] = (float)((s[0] - y) * scale);
		return 0.5 * (s[0] - y) * (s[0] - y);
	} else {
		double mx = s[0], sum = 0;
		for (c = 1; c < k; c++)
			mx = s[c] > mx ? s[c] : mx;
		for (c = 0; c < k; c++)
			sum += exp(s[c] - mx);
		if (delta)
			for (c = 0; c < k; c++)
				delta[c] = (float)((exp(s[c] - mx) / sum - (c == (size_t)y)) * scale);
		return log(sum) + mx - s[(size_t)y];
	}
}

/* ---- training -------------------------------------------------------------- */

enum block_kind { BLOCK_WEIGHTS, BLOCK_BIAS, BLOCK_ONEHOT };

/* A fixed share of the parameters: weight rows [r0, r1) of a layer, a
 * layer's biases, or the one-hot rows of one categorical feature. */
struct param_block {
	enum block_kind kind;
	size_t layer, r0, r1;
};

struct trainer {
	struct nn_model *m;
	struct mp_pool *pool;
	size_t n, n_num, n_cat, k;
	float *x;            /* n x n_num standardised numbers */
	uint32_t *oh;        /* n x n_cat one-hot columns (into the one-hot rows) */
	double *y;           /* 0/1, class code, or the standardised target */
	/* the current batch */
	const size_t *rows;
	size_t batch, chunk_rows, n_chunks;
	float *xb;
	uint32_t *ob;
	float *act[MAX_LAYERS], *delta[MAX_LAYERS];
	double *chunk_loss;
	/* parameters */
	struct param_block *blocks;
	size_t n_blocks;
	float *grad, *adam_m, *adam_v;
	float lr_t, decay;   /* this step's Adam step size; alpha / batch */
	/* evaluation of held-out rows: per-thread scratch */
	const size_t *eval_rows;
	size_t n_eval;
	float **scratch;     /* per thread: xnum, then the layers' activations */
	uint32_t **scratch_oh;
	double *eval_loss;
};

/* Runs tasks on the pool, or inline when the phase is too small to pay
 * for waking threads; the tasks are the same either way. */
static void run_tasks(struct trainer *t, size_t n, void (*fn)(void *, size_t, int), double work)
{
	size_t i;

	if (work < PARALLEL_WORK || mp_pool_threads(t->pool) < 2) {
		for (i = 0; i < n; i++)
			fn(t, i, 0);
		return;
	}
	mp_pool_run(t->pool, n, fn, t);
}

/* Phase 1, one chunk of the batch: gather its rows, forward, output
 * deltas (of the batch-mean loss), backward to the first layer. */
static void chunk_pass(void *arg, size_t ci, int thread)
{
	struct trainer *t = arg;
	const struct nn_model *m = t->m;
	size_t r0 = ci * t->chunk_rows;
	size_t rows = r0 + t->chunk_rows < t->batch ? t->chunk_rows : t->batch - r0;
	size_t l, i, L = m->n_layers;
	float *act[MAX_LAYERS];
	double loss = 0;

	(void)thread;
	for (i = 0; i < rows; i++) {
		size_t g = t->rows[r0 + i];
		memcpy(t->xb + (r0 + i) * t->n_num, t->x + g * t->n_num, t->n_num * sizeof(float));
		memcpy(t->ob + (r0 + i) * t->n_cat, t->oh + g * t->n_cat, t->n_cat * sizeof(uint32_t));
	}
	for (l = 0; l < L; l++)
		act[l] = t->act[l] + r0 * m->width[l + 1];
	nn_forward(m, rows, t->xb + r0 * t->n_num, t->ob + r0 * t->n_cat, act);
	for (i = 0; i < rows; i++)
		loss += output_loss(m->task, t->k, act[L - 1] + i * t->k, t->y[t->rows[r0 + i]],
				    t->delta[L - 1] + (r0 + i) * t->k, 1.0 / (double)t->batch);
	t->chunk_loss[ci] = loss;
	for (l = L - 1; l > 0; l--) {
		size_t in = m->width[l], out = m->width[l + 1];
		float *d_in = t->delta[l - 1] + r0 * in;
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)in, (int)out, 1.0f,
			    t->delta[l] + r0 * out, (int)out, m->theta + m->w_off[l], (int)out, 0.0f,
			    d_in, (int)in);
		relu_mask(d_in, act[l - 1], rows * in);
	}
}

/* Adam on parameters [first, first + n) whose gradient is in t->grad;
 * the gradient cells are cleared for the next step. In blocks of VEC so
 * that all but the square root vectorise (sqrtf keeps errno semantics,
 * which -O2 will not vectorise). */
static void adam(struct trainer *t, size_t first, size_t n, int weights)
{
	float *restrict w = t->m->theta + first, *restrict g = t->grad + first;
	float *restrict mo = t->adam_m + first, *restrict v = t->adam_v + first;
	const float decay = weights ? t->decay : 0, lr = t->lr_t;
	const float b1 = (float)ADAM_BETA1, b2 = (float)ADAM_BETA2, eps = (float)ADAM_EPS;
	float root[VEC];
	size_t i = 0, j, len;

	for (; i < n; i += len) {
		len = n - i < VEC ? n - i : VEC;
		if (len == VEC) {
			for (j = 0; j < VEC; j++) {
				float gi = g[i + j] + decay * w[i + j];
				mo[i + j] = b1 * mo[i + j] + (1 - b1) * gi;
				v[i + j] = b2 * v[i + j] + (1 - b2) * gi * gi;
				g[i + j] = 0;
			}
			for (j = 0; j < VEC; j++)
				root[j] = sqrtf(v[i + j]);
			for (j = 0; j < VEC; j++)
				w[i + j] -= lr * mo[i + j] / (root[j] + eps);
		} else {
			for (j = 0; j < len; j++) {
				float gi = g[i + j] + decay * w[i + j];
				mo[i + j] = b1 * mo[i + j] + (1 - b1) * gi;
				v[i + j] = b2 * v[i + j] + (1 - b2) * gi * gi;
				g[i + j] = 0;
				w[i + j] -= lr * mo[i + j] / (sqrtf(v[i + j]) + eps);
			}
		}
	}
}

/* Phase 2, one parameter block: its gradient over the whole batch, then
 * its Adam update. */
static void block_pass(void *arg, size_t bi, int thread)
{
	struct trainer *t = arg;
	const struct nn_model *m = t->m;
	const struct param_block *pb = &t->blocks[bi];
	size_t l = pb->layer, out = m->width[l + 1], i;

	(void)thread;
	if (pb->kind == BLOCK_WEIGHTS) {
		/* rows [r0, r1) of input^T delta: the inputs are the batch's numbers
		 * for the first layer, the previous layer's activations after */
		const float *in = l == 0 ? t->xb : t->act[l - 1];
		size_t ld = l == 0 ? t->n_num : m->width[l];
		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)(pb->r1 - pb->r0), (int)out,
			    (int)t->batch, 1.0f, in + pb->r0, (int)ld, t->delta[l], (int)out, 0.0f,
			    t->grad + m->w_off[l] + pb->r0 * out, (int)out);
		adam(t, m->w_off[l] + pb->r0 * out, (pb->r1 - pb->r0) * out, 1);
	} else if (pb->kind == BLOCK_BIAS) {
		column_sums(t->grad + m->b_off[l], t->delta[l], t->batch, out);
		adam(t, m->b_off[l], out, 0);
	} else {
		/* one categorical feature: scatter the first layer's deltas into the
		 * rows of the levels seen, in batch order */
		const struct mp_expand *ex = &m->ex;
		size_t c = pb->r0, first = m->w_off[0] + (t->n_num + ex->offset[c]) * out;
		for (i = 0; i < t->batch; i++)
			add_row(t->grad + m->w_off[0] + (t->n_num + t->ob[i * t->n_cat + c]) * out,
				t->delta[0] + i * out, out);
		adam(t, first, (size_t)ex->levels[c] * out, 1);
	}
}

/* Loss of held-out rows, one block of EVAL_ROWS per task. */
static void eval_pass(void *arg, size_t bi, int thread)
{
	struct trainer *t = arg;
	const struct nn_model *m = t->m;
	size_t r0 = bi * EVAL_ROWS, rows = r0 + EVAL_ROWS < t->n_eval ? EVAL_ROWS : t->n_eval - r0;
	size_t i, l, mw = max_width(m);
	float *xnum = t->scratch[thread], *act[MAX_LAYERS];
	uint32_t *oh = t->scratch_oh[thread];
	double loss = 0;

	for (l = 0; l < m->n_layers; l++)
		act[l] = xnum + EVAL_ROWS * (t->n_num ? t->n_num : 1) + l * EVAL_ROWS * mw;
	for (i = 0; i < rows; i++) {
		size_t g = t->eval_rows[r0 + i];
		memcpy(xnum + i * t->n_num, t->x + g * t->n_num, t->n_num * sizeof(float));
		memcpy(oh + i * t->n_cat, t->oh + g * t->n_cat, t->n_cat * sizeof(uint32_t));
	}
	nn_forward(m, rows, xnum, oh, act);
	for (i = 0; i < rows; i++)
		loss += output_loss(m->task, t->k, act[m->n_layers - 1] + i * t->k,
				    t->y[t->eval_rows[r0 + i]], NULL, 1);
	t->eval_loss[bi] = loss;
}

static double eval_loss(struct trainer *t, const size_t *rows, size_t n)
{
	size_t b, nb = (n + EVAL_ROWS - 1) / EVAL_ROWS;
	double sum = 0;

	t->eval_rows = rows;
	t->n_eval = n;
	run_tasks(t, nb, eval_pass, (double)n * (double)t->m->n_theta);
	for (b = 0; b < nb; b++)
		sum += t->eval_loss[b];
	return sum / (double)n;
}

/* One Adam step on the rows of a batch; returns the sum of their losses. */
static double train_batch(struct trainer *t, const size_t *rows, size_t batch, size_t step,
			  double lr, double alpha)
{
	double work = (double)batch * (double)t->m->n_theta, loss = 0;
	size_t c;

	t->rows = rows;
	t->batch = batch;
	t->n_chunks = (batch + CHUNK_ROWS - 1) / CHUNK_ROWS;
	t->chunk_rows = (batch + t->n_chunks - 1) / t->n_chunks;
	t->n_chunks = (batch + t->chunk_rows - 1) / t->chunk_rows;
	run_tasks(t, t->n_chunks, chunk_pass, work);
	for (c = 0; c < t->n_chunks; c++)
		loss += t->chunk_loss[c];
	t->lr_t = (float)(lr * sqrt(1 - pow(ADAM_BETA2, (double)step)) /
			  (1 - pow(ADAM_BETA1, (double)step)));
	t->decay = (float)(alpha / (double)batch);
	run_tasks(t, t->n_blocks, block_pass, work);
	return loss;
}

/* Cuts the parameters into fixed blocks of about BLOCK_CELLS. */
static void make_blocks(struct trainer *t)
{
	const struct nn_model *m = t->m;
	size_t l, r, c, cap = 16, n = 0;
	struct param_block *b = xmalloc(cap * sizeof(*b));

#define ADD_BLOCK(KIND, L, R0, R1)                                                 \
	do {                                                                        \
		if (n == cap)                                                       \
			b = xrealloc(b, (cap *= 2) * sizeof(*b));                   \
		b[n].kind = (KIND);                                                 \
		b[n].layer = (L);                                                   \
		b[n].r0 = (R0);                                                     \
		b[n].r1 = (R1);                                                     \
		n++;                                                                \
	} while (0)

	for (c = 0; c < t->n_cat; c++)
		ADD_BLOCK(BLOCK_ONEHOT, 0, c, c + 1);
	for (l = 0; l < m->n_layers; l++) {
		size_t rows = l == 0 ? t->n_num : m->width[l];
		size_t per = BLOCK_CELLS / m->width[l + 1];
		per = per ? per : 1;
		for (r = 0; r < rows; r += per)
			ADD_BLOCK(BLOCK_WEIGHTS, l, r, r + per < rows ? r + per : rows);
		ADD_BLOCK(BLOCK_BIAS, l, 0, 0);
	}
#undef ADD_BLOCK
	t->blocks = b;
	t->n_blocks = n;
}

struct expand_job {
	const struct mp_dataset *d;
	struct trainer *t;
};

static void expand_block(void *arg, size_t b, int thread)
{
	struct expand_job *j = arg;
	size_t r0 = b * 4096, r1 = r0 + 4096 < j->t->n ? r0 + 4096 : j->t->n;

	(void)thread;
	mp_expand_rows_float(&j->t->m->ex, j->d, r0, r1, j->t->x + r0 * j->t->n_num, j->t->n_num,
			     j->t->oh + r0 * j->t->n_cat);
}

/* Draws the initial weights layer by layer, row by row: Glorot-uniform,
 * U(-b, b) with b = sqrt(6 / (fan_in + fan_out)), as scikit-learn's MLP.
 * The first layer's fan-in is the width of the expanded input (one-hot
 * columns included): tried against the number of active inputs per row
 * (He-style), it gave smaller first-layer weights that extrapolate less
 * wildly on outlying rows (ames R^2 0.83 against 0.76, credit-g and
 * lending_club AUC up 0.01-0.02 over six seeds). */
static void init_weights(struct nn_model *m, const struct trainer *t, uint64_t seed)
{
	struct mp_rng rng;
	size_t l, i, c;

	mp_rng_seed(&rng, mp_rng_derive(seed, 1));
	for (l = 0; l < m->n_layers; l++) {
		size_t in = m->width[l], out = m->width[l + 1];
		double bound = sqrt(6 / ((double)in + (double)out));
		float *w = m->theta + m->w_off[l];
		for (i = 0; i < in * out; i++)
			w[i] = (float)(bound * (2 * mp_rng_uniform(&rng) - 1));
	}
	/* output biases at the training prior */
	if (m->task != MP_REGRESSION) {
		float *b = m->theta + m->b_off[m->n_layers - 1];
		size_t k = t->k;
		double *count = xcalloc(k + 1, sizeof(double)), n = (double)t->n;
		for (i = 0; i < t->n; i++)
			count[m->task == MP_BINARY ? (t->y[i] != 0) : (size_t)t->y[i]] += 1;
		if (m->task == MP_BINARY) {
			double p = (count[1] + 0.5) / (n + 1);
			b[0] = (float)log(p / (1 - p));
		} else {
			for (c = 0; c < k; c++)
				b[c] = (float)log((count[c] + 0.5) / (n + 0.5 * (double)k));
		}
		free(count);
	}
}

static int prepare_target(struct trainer *t, const struct mp_dataset *d, struct mp_error *err)
{
	struct nn_model *m = t->m;
	double sum = 0, ss = 0, sd;
	size_t i;

	m->y_mean = 0;
	m->y_scale = 1;
	for (i = 0; i < d->n_rows; i++) {
		double y = d->y[i];
		if (d->task == MP_BINARY && y != 0 && y != 1)
			return mp_error_set(err, MP_EX_DATAERR, "training row %zu: label %g is not 0 or 1",
					    i + 1, y);
		if (d->task == MP_CATEGORICAL && !(y >= 0 && y < (double)t->k && y == floor(y)))
			return mp_error_set(err, MP_EX_DATAERR,
					    "training row %zu: class code %g outside 0..%zu", i + 1, y,
					    t->k - 1);
		if (!isfinite(y))
			return mp_error_set(err, MP_EX_DATAERR, "training row %zu: target is not finite",
					    i + 1);
		sum += y;
	}
	if (d->task == MP_REGRESSION) {
		m->y_mean = sum / (double)d->n_rows;
		for (i = 0; i < d->n_rows; i++)
			ss += (d->y[i] - m->y_mean) * (d->y[i] - m->y_mean);
		sd = sqrt(ss / (double)d->n_rows);
		m->y_scale = sd > 0 && isfinite(sd) ? sd : 1;
	}
	for (i = 0; i < d->n_rows; i++)
		t->y[i] = d->task == MP_REGRESSION ? (d->y[i] - m->y_mean) / m->y_scale : d->y[i];
	return 0;
}

static void trainer_free(struct trainer *t, int threads)
{
	size_t l;
	int i;

	free(t->x);
	free(t->oh);
	free(t->y);
	free(t->xb);
	free(t->ob);
	for (l = 0; l < MAX_LAYERS; l++) {
		free(t->act[l]);
		free(t->delta[l]);
	}
	free(t->chunk_loss);
	free(t->blocks);
	free(t->grad);
	free(t->adam_m);
	free(t->adam_v);
	for (i = 0; i < threads && t->scratch; i++) {
		free(t->scratch[i]);
		free(t->scratch_oh[i]);
	}
	free(t->scratch);
	free(t->scratch_oh);
	free(t->eval_loss);
}

static int all_finite(const float *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

static void *nn_train(const struct mp_dataset *d, const struct mp_train_ctx *ctx,
		      struct mp_error *err)
{
	struct nn_model *m = xcalloc(1, sizeof(*m));
	struct trainer t;
	struct expand_job job;
	struct mp_rng rng;
	const struct mp_params *P = ctx->params;
	size_t hidden = (size_t)mp_param_int(P, "hidden"), layers = (size_t)mp_param_int(P, "layers");
	size_t epochs = (size_t)mp_param_int(P, "epochs"), patience = (size_t)mp_param_int(P, "patience");
	double lr = mp_param(P, "learning_rate"), alpha = mp_param(P, "alpha");
	double tol = mp_param(P, "tol"), vfrac = mp_param(P, "validation_fraction");
	size_t batch = (size_t)mp_param_int(P, "batch_size");
	size_t *perm = NULL, n_val, n_train, l, i, epoch, best_epoch = 0, bad = 0, step = 0;
	float *best = NULL;
	double best_loss = INFINITY, train_loss = 0, last_loss = 0;
	int threads = mp_pool_threads(ctx->pool), rc = -1;
	size_t mw, eval_cells;

	memset(&t, 0, sizeof(t));
	mp_expand_blas_single_thread();
	if (mp_expand_fit(&m->ex, d, err))
		goto out;
	m->task = d->task;
	t.m = m;
	t.pool = ctx->pool;
	t.n = d->n_rows;
	t.n_num = m->ex.n_num;
	t.n_cat = m->ex.n_cat;
	t.k = d->task == MP_CATEGORICAL ? (size_t)(d->n_classes > 1 ? d->n_classes : 1) : 1;
	if (layers + 1 > MAX_LAYERS)
		layers = MAX_LAYERS - 1;
	m->n_layers = layers + 1;
	m->width[0] = m->ex.n_num + m->ex.n_onehot;
	for (l = 1; l <= layers; l++)
		m->width[l] = hidden;
	m->width[m->n_layers] = t.k;
	nn_layout(m);

	t.y = xmalloc(mp_mul_size(t.n ? t.n : 1, sizeof(double)));
	if (prepare_target(&t, d, err))
		goto out;
	t.x = xmalloc(mp_mul_size(mp_mul_size(t.n, t.n_num ? t.n_num : 1), sizeof(float)));
	t.oh = xmalloc(mp_mul_size(mp_mul_size(t.n, t.n_cat ? t.n_cat : 1), sizeof(uint32_t)));
	job.d = d;
	job.t = &t;
	mp_pool_run(t.pool, (t.n + 4095) / 4096, expand_block, &job);
	init_weights(m, &t, ctx->seed);

	/* the held-out rows: a seeded choice, the rest train */
	perm = xmalloc(mp_mul_size(t.n ? t.n : 1, sizeof(size_t)));
	for (i = 0; i < t.n; i++)
		perm[i] = i;
	mp_rng_seed(&rng, mp_rng_derive(ctx->seed, 2));
	mp_rng_shuffle(&rng, perm, t.n);
	n_val = (size_t)(vfrac * (double)t.n);
	if (n_val >= t.n)
		n_val = 0;
	n_train = t.n - n_val;
	batch = batch < n_train ? batch : n_train;

	/* batch buffers */
	mw = max_width(m);
	t.xb = xmalloc(mp_mul_size(batch * (t.n_num ? t.n_num : 1), sizeof(float)));
	t.ob = xmalloc(mp_mul_size(batch * (t.n_cat ? t.n_cat : 1), sizeof(uint32_t)));
	for (l = 0; l < m->n_layers; l++) {
		t.act[l] = xmalloc(mp_mul_size(batch, m->width[l + 1] * sizeof(float)));
		t.delta[l] = xmalloc(mp_mul_size(batch, m->width[l + 1] * sizeof(float)));
	}
	t.chunk_loss = xcalloc(batch, sizeof(double)); /* at most one chunk per row */
	make_blocks(&t);
	t.grad = xcalloc(m->n_theta, sizeof(float));
	t.adam_m = xcalloc(m->n_theta, sizeof(float));
	t.adam_v = xcalloc(m->n_theta, sizeof(float));
	best = xmalloc(m->n_theta * sizeof(float));
	memcpy(best, m->theta, m->n_theta * sizeof(float));
	eval_cells = EVAL_ROWS * (t.n_num ? t.n_num : 1) + m->n_layers * EVAL_ROWS * mw;
	t.scratch = xcalloc((size_t)threads, sizeof(float *));
	t.scratch_oh = xcalloc((size_t)threads, sizeof(uint32_t *));
	for (i = 0; i < (size_t)threads; i++) {
		t.scratch[i] = xmalloc(eval_cells * sizeof(float));
		t.scratch_oh[i] = xmalloc(EVAL_ROWS * (t.n_cat ? t.n_cat : 1) * sizeof(uint32_t));
	}
	t.eval_loss = xcalloc(t.n / EVAL_ROWS + 1, sizeof(double));

	mp_rng_seed(&rng, mp_rng_derive(ctx->seed, 3));
	if (ctx->progress)
		ctx->progress(ctx->progress_arg, 0);
	for (epoch = 1; epoch <= epochs; epoch++) {
		size_t *order = perm + n_val, s;
		double sum = 0, loss;
		mp_rng_shuffle(&rng, order, n_train);
		for (s = 0; s < n_train; s += batch) {
			size_t b = s + batch < n_train ? batch : n_train - s;
			sum += train_batch(&t, order + s, b, ++step, lr, alpha);
			/* within the epoch too, for big data: every 1024 steps */
			if (ctx->progress && step % 1024 == 0)
				ctx->progress(ctx->progress_arg,
					      ((double)(epoch - 1) + (double)(s + b) / (double)n_train) /
						      (double)epochs);
		}
		train_loss = sum / (double)n_train;
		loss = n_val ? eval_loss(&t, perm, n_val) : train_loss;
		last_loss = loss;
		if (!isfinite(loss) || !all_finite(m->theta, m->n_theta)) {
			mp_error_set(err, MP_EX_SOFTWARE,
				     "neural_network: training diverged at epoch %zu (a smaller learning_rate may help; so may rescaling a target of huge values)",
				     epoch);
			goto out;
		}
		/* scikit-learn's rule: patience counts epochs that fail to beat
		 * the best by tol; the best epoch's weights are kept */
		if (loss > best_loss - tol)
			bad++;
		else
			bad = 0;
		if (loss < best_loss) {
			best_loss = loss;
			best_epoch = epoch;
			memcpy(best, m->theta, m->n_theta * sizeof(float));
		}
		if (ctx->progress)
			ctx->progress(ctx->progress_arg, (double)epoch / (double)epochs);
		if (bad >= patience)
			break;
	}
	if (epoch > epochs)
		epoch = epochs;
	memcpy(m->theta, best, m->n_theta * sizeof(float));
	if (ctx->info) {
		mp_json_add_num(ctx->info, "epochs", (double)epoch);
		mp_json_add_num(ctx->info, "best_epoch", (double)best_epoch);
		mp_json_add_num(ctx->info, "validation_loss", best_loss);
		mp_json_add_num(ctx->info, "validation_rows", (double)n_val);
		mp_json_add_num(ctx->info, "last_validation_loss", last_loss);
		mp_json_add_num(ctx->info, "training_loss", train_loss);
		mp_json_add_num(ctx->info, "steps", (double)step);
	}
	if (ctx->progress)
		ctx->progress(ctx->progress_arg, 1);
	rc = 0;
out:
	free(perm);
	free(best);
	trainer_free(&t, threads);
	if (rc) {
		nn_free(m);
		return NULL;
	}
	return m;
}

/* ---- prediction, save, load ---------------------------------------------- */

static void nn_predict(const void *model, const struct mp_dataset *d, size_t begin, size_t end,
		       double *out)
{
	const struct nn_model *m = model;
	size_t n_num = m->ex.n_num, n_cat = m->ex.n_cat, k = m->width[m->n_layers];
	size_t mw = max_width(m), l, r0, i, c;
	float *xnum = xmalloc(EVAL_ROWS * (n_num ? n_num : 1) * sizeof(float));
	uint32_t *oh = xmalloc(EVAL_ROWS * (n_cat ? n_cat : 1) * sizeof(uint32_t));
	float *buf = xmalloc(mp_mul_size(m->n_layers * EVAL_ROWS, mw * sizeof(float)));
	float *act[MAX_LAYERS];

	for (l = 0; l < m->n_layers; l++)
		act[l] = buf + l * EVAL_ROWS * mw;
	for (r0 = begin; r0 < end; r0 += EVAL_ROWS) {
		size_t rows = end - r0 < EVAL_ROWS ? end - r0 : EVAL_ROWS;
		const float *s;
		mp_expand_rows_float(&m->ex, d, r0, r0 + rows, xnum, n_num, oh);
		nn_forward(m, rows, xnum, oh, act);
		s = act[m->n_layers - 1];
		for (i = 0; i < rows; i++) {
			double *o = out + (r0 - begin + i) * k;
			const float *si = s + i * k;
			if (m->task == MP_BINARY) {
				o[0] = sigmoid(si[0]);
			} else if (m->task == MP_REGRESSION) {
				o[0] = m->y_mean + m->y_scale * si[0];
			} else {
				double mx = si[0], sum = 0;
				for (c = 1; c < k; c++)
					mx = si[c] > mx ? si[c] : mx;
				for (c = 0; c < k; c++)
					sum += (o[c] = exp(si[c] - mx));
				for (c = 0; c < k; c++)
					o[c] /= sum;
			}
		}
	}
	free(xnum);
	free(oh);
	free(buf);
}

static const char *output_name(enum mp_task t)
{
	return t == MP_BINARY ? "sigmoid" : t == MP_CATEGORICAL ? "softmax" : "identity";
}

static double *to_double(const float *v, size_t n)
{
	double *d = xmalloc((n ? n : 1) * sizeof(double));
	size_t i;

	for (i = 0; i < n; i++)
		d[i] = v[i];
	return d;
}

/* {"activation": "relu", "output": "sigmoid"|"softmax"|"identity",
 *  "target": {"mean", "scale"},   regression only: value = mean + scale * output
 *  "inputs": [...],               per feature its standardisation (or levels) and
 *                                 its rows of the first layer's weights (expand.h)
 *  "layers": [{"units", "bias"},  the first layer (weights in "inputs")
 *             {"units", "weights": [[units] per unit of the previous layer], "bias"},
 *             ...]}               the last layer is the output
 * Weights are floats, written in the fewest digits that read back exactly. */
static cJSON *nn_save(const void *model)
{
	const struct nn_model *m = model;
	cJSON *j = cJSON_CreateObject(), *layers = cJSON_CreateArray();
	size_t h0 = m->width[1], l, r;
	double *v, *w_cat;

	cJSON_AddStringToObject(j, "activation", "relu");
	cJSON_AddStringToObject(j, "output", output_name(m->task));
	if (m->task == MP_REGRESSION) {
		cJSON *tg = cJSON_CreateObject();
		mp_json_add_num(tg, "mean", m->y_mean);
		mp_json_add_num(tg, "scale", m->y_scale);
		cJSON_AddItemToObject(j, "target", tg);
	}
	v = to_double(m->theta + m->w_off[0], m->ex.n_num * h0);
	w_cat = to_double(m->theta + m->w_off[0] + m->ex.n_num * h0, m->ex.n_onehot * h0);
	cJSON_AddItemToObject(j, "inputs", mp_expand_save(&m->ex, v, w_cat, h0, 1));
	free(v);
	free(w_cat);
	for (l = 0; l < m->n_layers; l++) {
		cJSON *o = cJSON_CreateObject();
		size_t out = m->width[l + 1];
		cJSON_AddNumberToObject(o, "units", (double)out);
		if (l > 0) {
			cJSON *rows = cJSON_CreateArray();
			v = to_double(m->theta + m->w_off[l], m->width[l] * out);
			for (r = 0; r < m->width[l]; r++)
				cJSON_AddItemToArray(rows, mp_expand_number_array(v + r * out, out, 1));
			free(v);
			cJSON_AddItemToObject(o, "weights", rows);
		}
		v = to_double(m->theta + m->b_off[l], out);
		cJSON_AddItemToObject(o, "bias", mp_expand_number_array(v, out, 1));
		free(v);
		cJSON_AddItemToArray(layers, o);
	}
	cJSON_AddItemToObject(j, "layers", layers);
	return j;
}

/* Copies n doubles read from the file into float parameters, refusing
 * values a float cannot hold. */
static int to_float(const double *v, size_t n, float *out, const char *what, struct mp_error *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[i] = (float)v[i];
		if (!isfinite(out[i]))
			return mp_error_set(err, MP_EX_DATAERR, "%s: value %zu out of range", what, i + 1);
	}
	return 0;
}

static void *nn_load(const cJSON *json, const struct mp_model_shape *shape, struct mp_error *err)
{
	struct nn_model *m = xcalloc(1, sizeof(*m));
	const cJSON *layers = cJSON_GetObjectItemCaseSensitive(json, "layers"), *o;
	const char *act = mp_json_str(json, "activation"), *output = mp_json_str(json, "output");
	double *w_num = NULL, *w_cat = NULL, *v = NULL, units;
	size_t l = 0, k, r, n;
	char what[64];

	mp_expand_blas_single_thread();
	m->task = shape->task;
	k = shape->task == MP_CATEGORICAL ? (size_t)(shape->n_classes > 1 ? shape->n_classes : 1) : 1;
	if (!act || strcmp(act, "relu") || !output || strcmp(output, output_name(m->task))) {
		mp_error_set(err, MP_EX_DATAERR,
			     "neural_network: expected activation 'relu' and output '%s' for a %s model",
			     output_name(m->task), mp_task_name(m->task));
		goto fail;
	}
	if (!cJSON_IsArray(layers) || cJSON_GetArraySize(layers) < 1 ||
	    cJSON_GetArraySize(layers) > MAX_LAYERS) {
		mp_error_set(err, MP_EX_DATAERR,
			     "neural_network: member 'layers': expected an array of 1 to %d layers",
			     MAX_LAYERS);
		goto fail;
	}
	m->n_layers = (size_t)cJSON_GetArraySize(layers);
	cJSON_ArrayForEach(o, layers) {
		snprintf(what, sizeof(what), "neural_network: layer %zu", l + 1);
		if (mp_json_need_num(o, "units", what, &units, err))
			goto fail;
		if (!(units >= 1 && units <= 1 << 20 && units == floor(units))) {
			mp_error_set(err, MP_EX_DATAERR, "%s: bad number of units", what);
			goto fail;
		}
		m->width[++l] = (size_t)units;
	}
	if (m->width[m->n_layers] != k) {
		mp_error_set(err, MP_EX_DATAERR, "neural_network: the output layer has %zu units, expected %zu",
			     m->width[m->n_layers], k);
		goto fail;
	}
	if (m->task == MP_REGRESSION) {
		const cJSON *tg = mp_json_need(json, "target", cJSON_Object, "neural_network", err);
		if (!tg || mp_json_need_num(tg, "mean", "neural_network: target", &m->y_mean, err) ||
		    mp_json_need_num(tg, "scale", "neural_network: target", &m->y_scale, err))
			goto fail;
	} else {
		m->y_scale = 1;
	}
	if (mp_expand_load(&m->ex, cJSON_GetObjectItemCaseSensitive(json, "inputs"), shape,
			   m->width[1], &w_num, &w_cat, err)) {
		mp_error_prefix(err, "neural_network");
		goto fail;
	}
	m->width[0] = m->ex.n_num + m->ex.n_onehot;
	nn_layout(m);
	if (to_float(w_num, m->ex.n_num * m->width[1], m->theta + m->w_off[0], "neural_network: inputs",
		     err) ||
	    to_float(w_cat, m->ex.n_onehot * m->width[1],
		     m->theta + m->w_off[0] + m->ex.n_num * m->width[1], "neural_network: inputs", err))
		goto fail;
	l = 0;
	cJSON_ArrayForEach(o, layers) {
		size_t out = m->width[l + 1];
		snprintf(what, sizeof(what), "neural_network: layer %zu", l + 1);
		n = m->width[l] * out > out ? m->width[l] * out : out;
		free(v);
		v = xmalloc(n * sizeof(double));
		if (l > 0) {
			const cJSON *rows = cJSON_GetObjectItemCaseSensitive(o, "weights"), *row;
			if (!cJSON_IsArray(rows) || (size_t)cJSON_GetArraySize(rows) != m->width[l]) {
				mp_error_set(err, MP_EX_DATAERR, "%s: member 'weights': expected %zu rows",
					     what, m->width[l]);
				goto fail;
			}
			r = 0;
			cJSON_ArrayForEach(row, rows) {
				if (mp_expand_json_numbers(row, v + r * out, out, what, err))
					goto fail;
				r++;
			}
			if (to_float(v, m->width[l] * out, m->theta + m->w_off[l], what, err))
				goto fail;
		}
		if (mp_expand_json_numbers(cJSON_GetObjectItemCaseSensitive(o, "bias"), v, out, what, err) ||
		    to_float(v, out, m->theta + m->b_off[l], what, err))
			goto fail;
		l++;
	}
	free(v);
	free(w_num);
	free(w_cat);
	return m;
fail:
	free(v);
	free(w_num);
	free(w_cat);
	nn_free(m);
	return NULL;
}

const struct mp_algorithm mp_neural_network = {
	.name = "neural_network",
	.tasks = MP_TASK_BIT(MP_BINARY) | MP_TASK_BIT(MP_CATEGORICAL) | MP_TASK_BIT(MP_REGRESSION),
	.params = nn_params,
	.n_params = sizeof(nn_params) / sizeof(nn_params[0]),
	.train = nn_train,
	.predict = nn_predict,
	.save = nn_save,
	.load = nn_load,
	.free = nn_free,
};
