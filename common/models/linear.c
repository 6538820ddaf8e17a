/* linear.c — L2-regularised linear models on the expanded inputs
 * (standardised numbers, one-hot categories; see expand.h):
 *
 *   binary       logistic regression: P(true) = sigma(x.w + b)
 *   categorical  multinomial (softmax) regression: one score per class
 *   regression   ridge regression, fitted on the standardised target and
 *                mapped back to the target's units
 *
 * Each minimises f(w) = 1/2 |w|^2 + C sum_i loss_i(x_i.w + b), LIBLINEAR's
 * convention for C (scikit-learn's too); the intercept b is not
 * regularised. For ridge that is scikit-learn's Ridge(alpha = 1/C).
 *
 * Solver: trust-region Newton with preconditioned conjugate gradient
 * (TRON: Lin, Weng & Keerthi 2008; the diagonal preconditioner of Hsia,
 * Chiang & Lin 2018), the method of LIBLINEAR -s 0. The Hessian is never
 * formed: each CG step costs one Hessian-vector product, one pass over the
 * data. It stops when |grad f| <= tol |grad f(0)|.
 *
 * Data layout of a pass: the standardised numbers plus a constant 1 for the
 * intercept, row-major doubles, in fixed blocks of BLOCK_ROWS rows. A block
 * fits in L2, so a Hessian-vector product reads it from memory once for
 * both its products (X s, then X^T D X s), done by OpenBLAS. The one-hot
 * part is one active column per row and categorical feature (column-major),
 * added by index, and scattered back one feature per task (the features'
 * weight ranges are disjoint). Partial sums are kept per block and reduced
 * in block order, so the model does not depend on the number of threads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "jsonio.h"
#include "models/expand.h"
#include "models/model.h"

/* Rows per block: 2048 x (20 numbers + 1) doubles = 336 KiB, fits in L2. */
#define BLOCK_ROWS 2048

static const struct mp_param_spec linear_params[] = {
	{ "C", MP_PARAM_REAL, 1e-9, 1e9, { 1, 1, 1 },
	  "inverse regularisation: objective 1/2|w|^2 + C * sum of losses" },
	{ "max_iter", MP_PARAM_INT, 1, 100000, { 100, 100, 100 },
	  "maximum Newton iterations" },
	{ "tol", MP_PARAM_REAL, 1e-15, 0.5, { 1e-4, 1e-4, 1e-4 },
	  "stop when the gradient norm falls to tol times its value at w = 0" },
};

struct linear_model {
	struct mp_expand ex;
	enum mp_task task;
	size_t k;       /* scores per row: 1 (binary, regression) or K (categorical) */
	double *w_num;  /* ex.n_num x k */
	double *w_cat;  /* ex.n_onehot x k */
	double *bias;   /* k */
};

/* ---- the optimisation problem ------------------------------------------ */

enum pass { PASS_FUN, PASS_GRAD, PASS_HV };

/* Variables: the dense part W[j * k + c] for the p = n_num + 1 dense
 * columns (the last is the intercept), then the one-hot part at
 * n_dense + o * k + c. */
struct problem {
	const struct mp_expand *ex;
	enum mp_task task;
	struct mp_pool *pool;
	size_t n, p, k, n_dense, n_var, n_blocks;
	double C;
	double *z;         /* n x p: standardised numbers, then 1 */
	uint32_t *onehot;  /* n_cat x n, column-major: active one-hot column */
	double *y;         /* 0/1, class code, or the standardised target */
	double *score;     /* n x k: X w at the last fun() point */
	double *curv;      /* binary: sigma(1 - sigma); softmax: probabilities (n x k) */
	double *rowv;      /* n x k: per-row coefficients of the last grad/Hv pass */
	double *partial;   /* n_blocks x n_dense: X_b^T rowv_b */
	double *pdiag;     /* n_blocks x n_dense: preconditioner partial sums */
	double *loss;      /* n_blocks: sum of losses */
	/* arguments of the current pass */
	enum pass pass;
	const double *v;   /* w for fun, s for Hv */
	double *out;       /* gradient or Hs (its one-hot part, from the scatter pass) */
	double *diag;      /* gradient pass: Hessian diagonal (one-hot part) */
};

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

/* out (rows x k) = Z_b W_dense + the one-hot weights of each row. */
static void block_forward(const struct problem *pr, size_t r0, size_t rows, const double *v,
			  double *out)
{
	const double *zb = pr->z + r0 * pr->p;
	size_t c, i, m, k = pr->k;

	if (k == 1)
		cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)rows, (int)pr->p, 1.0, zb, (int)pr->p, v,
			    1, 0.0, out, 1);
	else
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)k, (int)pr->p,
			    1.0, zb, (int)pr->p, v, (int)k, 0.0, out, (int)k);
	for (c = 0; c < pr->ex->n_cat; c++) {
		const uint32_t *col = pr->onehot + c * pr->n + r0;
		const double *wc = v + pr->n_dense;
		if (k == 1)
			for (i = 0; i < rows; i++)
				out[i] += wc[col[i]];
		else
			for (i = 0; i < rows; i++)
				for (m = 0; m < k; m++)
					out[i * k + m] += wc[(size_t)col[i] * k + m];
	}
}

/* partial (p x k) = Z_b^T rowv_b */
static void block_transpose(const struct problem *pr, size_t r0, size_t rows, const double *rv,
			    double *partial)
{
	const double *zb = pr->z + r0 * pr->p;

	if (pr->k == 1)
		cblas_dgemv(CblasRowMajor, CblasTrans, (int)rows, (int)pr->p, 1.0, zb, (int)pr->p, rv, 1,
			    0.0, partial, 1);
	else
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)pr->p, (int)pr->k, (int)rows,
			    1.0, zb, (int)pr->p, rv, (int)pr->k, 0.0, partial, (int)pr->k);
}

/* Loss of block rows at the scores just computed. */
static double block_loss(const struct problem *pr, size_t r0, size_t rows)
{
	const double *s = pr->score + r0 * pr->k, *y = pr->y + r0;
	double sum = 0;
	size_t i, m, k = pr->k;

	for (i = 0; i < rows; i++) {
		if (pr->task == MP_BINARY) {
			sum += softplus(s[i]) - y[i] * s[i];
		} else if (pr->task == MP_REGRESSION) {
			sum += 0.5 * (s[i] - y[i]) * (s[i] - y[i]);
		} else {
			const double *si = s + i * k;
			double mx = si[0], e = 0;
			for (m = 1; m < k; m++)
				mx = si[m] > mx ? si[m] : mx;
			for (m = 0; m < k; m++)
				e += exp(si[m] - mx);
			sum += log(e) + mx - si[(size_t)y[i]];
		}
	}
	return sum;
}

/* Gradient coefficients C dloss/dscore into rowv, the curvature kept for
 * Hv, and the Hessian diagonal's dense part (for the preconditioner). */
static void block_grad(struct problem *pr, size_t b, size_t r0, size_t rows)
{
	size_t i, j, m, k = pr->k, p = pr->p;
	const double *s = pr->score + r0 * k, *y = pr->y + r0, *zb = pr->z + r0 * p;
	double *rv = pr->rowv + r0 * k, *cv = pr->curv + r0 * k;
	double *pd = pr->pdiag + b * pr->n_dense, C = pr->C;

	memset(pd, 0, pr->n_dense * sizeof(double));
	for (i = 0; i < rows; i++) {
		const double *zi = zb + i * p;
		if (pr->task == MP_BINARY) {
			double q = sigmoid(s[i]), h = q * (1 - q);
			rv[i] = C * (q - y[i]);
			cv[i] = h;
			for (j = 0; j < p; j++)
				pd[j] += C * h * zi[j] * zi[j];
		} else if (pr->task == MP_REGRESSION) {
			rv[i] = C * (s[i] - y[i]);
			for (j = 0; j < p; j++)
				pd[j] += C * zi[j] * zi[j];
		} else {
			const double *si = s + i * k;
			double mx = si[0], e = 0;
			for (m = 1; m < k; m++)
				mx = si[m] > mx ? si[m] : mx;
			for (m = 0; m < k; m++) {
				cv[i * k + m] = exp(si[m] - mx);
				e += cv[i * k + m];
			}
			for (m = 0; m < k; m++) {
				double q = cv[i * k + m] / e;
				cv[i * k + m] = q;
				rv[i * k + m] = C * (q - (m == (size_t)y[i]));
				for (j = 0; j < p; j++)
					pd[j * k + m] += C * q * (1 - q) * zi[j] * zi[j];
			}
		}
	}
	block_transpose(pr, r0, rows, rv, pr->partial + b * pr->n_dense);
}

/* Hessian-vector coefficients: rowv = C D (X s) per row. */
static void block_hv(struct problem *pr, size_t b, size_t r0, size_t rows)
{
	size_t i, m, k = pr->k;
	double *rv = pr->rowv + r0 * k;
	const double *cv = pr->curv + r0 * k;

	block_forward(pr, r0, rows, pr->v, rv);
	for (i = 0; i < rows; i++) {
		if (pr->task == MP_BINARY) {
			rv[i] *= pr->C * cv[i];
		} else if (pr->task == MP_REGRESSION) {
			rv[i] *= pr->C;
		} else {
			/* softmax Hessian block: diag(p) - p p^T */
			double pu = 0;
			for (m = 0; m < k; m++)
				pu += cv[i * k + m] * rv[i * k + m];
			for (m = 0; m < k; m++)
				rv[i * k + m] = pr->C * cv[i * k + m] * (rv[i * k + m] - pu);
		}
	}
	block_transpose(pr, r0, rows, rv, pr->partial + b * pr->n_dense);
}

static void row_pass(void *arg, size_t b, int thread)
{
	struct problem *pr = arg;
	size_t r0 = b * BLOCK_ROWS;
	size_t rows = r0 + BLOCK_ROWS < pr->n ? BLOCK_ROWS : pr->n - r0;

	(void)thread;
	if (pr->pass == PASS_FUN) {
		block_forward(pr, r0, rows, pr->v, pr->score + r0 * pr->k);
		pr->loss[b] = block_loss(pr, r0, rows);
	} else if (pr->pass == PASS_GRAD) {
		block_grad(pr, b, r0, rows);
	} else {
		block_hv(pr, b, r0, rows);
	}
}

/* Interleaved tables for a scatter: consecutive rows often hit the same
 * level (a boolean does half the time), and a single table makes each add
 * wait for the previous one's store; four tables, row i into table i % 4,
 * summed in a fixed order, keep the result independent of everything but
 * the data. */
#define SCATTER_WAYS 4

/* dst[col[i] * k + m] = sum over rows i of v(i, m), for the len cells of
 * one feature's range starting at first. v(i, m) is src[i * k + m], or
 * with curv_mode the Hessian diagonal term of row i. */
static void scatter_sum(const struct problem *pr, const uint32_t *col, size_t first, size_t len,
			const double *src, int curv_mode, double *dst)
{
	size_t k = pr->k, i = 0, m, w;
	double *tab = xcalloc(len * SCATTER_WAYS, sizeof(double));

	if (k == 1 && !curv_mode) {
		/* the common case, unrolled: row i + w into table w */
		double *t0 = tab - first, *t1 = t0 + len, *t2 = t1 + len, *t3 = t2 + len;
		for (; i + SCATTER_WAYS <= pr->n; i += SCATTER_WAYS) {
			t0[col[i]] += src[i];
			t1[col[i + 1]] += src[i + 1];
			t2[col[i + 2]] += src[i + 2];
			t3[col[i + 3]] += src[i + 3];
		}
	} else if (k == 1 && pr->task == MP_BINARY) {
		double *t0 = tab - first, *t1 = t0 + len, *t2 = t1 + len, *t3 = t2 + len;
		const double *cv = pr->curv;
		for (; i + SCATTER_WAYS <= pr->n; i += SCATTER_WAYS) {
			t0[col[i]] += cv[i];
			t1[col[i + 1]] += cv[i + 1];
			t2[col[i + 2]] += cv[i + 2];
			t3[col[i + 3]] += cv[i + 3];
		}
	}
	for (; i < pr->n; i++) {
		double *t = tab + (i % SCATTER_WAYS) * len + ((size_t)col[i] * k - first);
		if (!curv_mode) {
			for (m = 0; m < k; m++)
				t[m] += src[i * k + m];
		} else if (pr->task == MP_BINARY) {
			t[0] += pr->curv[i];
		} else if (pr->task == MP_REGRESSION) {
			t[0] += 1;
		} else {
			for (m = 0; m < k; m++)
				t[m] += pr->curv[i * k + m] * (1 - pr->curv[i * k + m]);
		}
	}
	for (m = 0; m < len; m++) {
		double sum = tab[m];
		for (w = 1; w < SCATTER_WAYS; w++)
			sum += tab[w * len + m];
		dst[first + m] = curv_mode ? pr->C * sum : sum;
	}
	free(tab);
}

/* One categorical feature: scatters rowv (and, for the gradient, the
 * Hessian diagonal) into its own range of one-hot variables. */
static void scatter_pass(void *arg, size_t c, int thread)
{
	struct problem *pr = arg;
	const struct mp_expand *ex = pr->ex;
	const uint32_t *col = pr->onehot + c * pr->n;
	size_t first = (size_t)ex->offset[c] * pr->k, len = (size_t)ex->levels[c] * pr->k;

	(void)thread;
	scatter_sum(pr, col, first, len, pr->rowv, 0, pr->out + pr->n_dense);
	if (pr->pass == PASS_GRAD)
		scatter_sum(pr, col, first, len, NULL, 1, pr->diag + pr->n_dense);
}

/* Whether variable t carries the L2 penalty (everything but the intercepts). */
static int regularised(const struct problem *pr, size_t t)
{
	return t >= pr->n_dense || t / pr->k != pr->p - 1;
}

/* Sums the per-block dense partials in block order. */
static void reduce_dense(const struct problem *pr, const double *partials, double *out)
{
	size_t b, t;

	memset(out, 0, pr->n_dense * sizeof(double));
	for (b = 0; b < pr->n_blocks; b++)
		for (t = 0; t < pr->n_dense; t++)
			out[t] += partials[b * pr->n_dense + t];
}

static double fun(struct problem *pr, const double *w)
{
	double reg = 0, loss = 0;
	size_t t, b;

	pr->pass = PASS_FUN;
	pr->v = w;
	mp_pool_run(pr->pool, pr->n_blocks, row_pass, pr);
	for (b = 0; b < pr->n_blocks; b++)
		loss += pr->loss[b];
	for (t = 0; t < pr->n_var; t++)
		if (regularised(pr, t))
			reg += w[t] * w[t];
	return 0.5 * reg + pr->C * loss;
}

/* Gradient at the point of the last fun() call, and the diagonal
 * preconditioner M = (1 - a) + a diag(H) (a = 0.01, as LIBLINEAR). */
static void grad(struct problem *pr, const double *w, double *g, double *M)
{
	size_t t;

	pr->pass = PASS_GRAD;
	pr->out = g;
	pr->diag = M;
	mp_pool_run(pr->pool, pr->n_blocks, row_pass, pr);
	mp_pool_run(pr->pool, pr->ex->n_cat, scatter_pass, pr);
	reduce_dense(pr, pr->partial, g);
	reduce_dense(pr, pr->pdiag, M);
	for (t = 0; t < pr->n_var; t++) {
		if (regularised(pr, t)) {
			g[t] += w[t];
			M[t] += 1;
		}
		M[t] = 0.99 + 0.01 * M[t];
	}
}

static void hv(struct problem *pr, const double *s, double *hs)
{
	size_t t;

	pr->pass = PASS_HV;
	pr->v = s;
	pr->out = hs;
	mp_pool_run(pr->pool, pr->n_blocks, row_pass, pr);
	mp_pool_run(pr->pool, pr->ex->n_cat, scatter_pass, pr);
	reduce_dense(pr, pr->partial, hs);
	for (t = 0; t < pr->n_var; t++)
		if (regularised(pr, t))
			hs[t] += s[t];
}

/* ---- TRON ---------------------------------------------------------------- */

static double dot(const double *a, const double *b, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

static double dot_m(const double *a, const double *M, const double *b, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += a[i] * M[i] * b[i];
	return s;
}

static void axpy(double a, const double *x, double *y, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		y[i] += a * x[i];
}

struct tron_work {
	double *s, *r, *d, *hd, *zr;
};

/* Preconditioned CG on H s = -g inside the trust region |s|_M <= delta
 * (Steihaug). Leaves the step in s and the residual -g - H s in r;
 * returns the number of CG steps. */
static size_t trpcg(struct problem *pr, struct tron_work *tw, double delta, const double *g,
		    const double *M, int *reach_boundary)
{
	size_t i, n = pr->n_var, it = 0, max_it = n > 5 ? n : 5;
	double *s = tw->s, *r = tw->r, *d = tw->d, *hd = tw->hd, *z = tw->zr;
	double zr, zr_new, alpha, beta, cgtol;

	*reach_boundary = 0;
	for (i = 0; i < n; i++) {
		s[i] = 0;
		r[i] = -g[i];
		z[i] = r[i] / M[i];
		d[i] = z[i];
	}
	zr = dot(z, r, n);
	cgtol = 0.1 * sqrt(zr);
	while (it < max_it && sqrt(zr) > cgtol) {
		double dhd;
		it++;
		hv(pr, d, hd);
		dhd = dot(d, hd, n);
		if (!(dhd > 0))
			break; /* no curvature left along d (only at the optimum) */
		alpha = zr / dhd;
		axpy(alpha, d, s, n);
		if (sqrt(dot_m(s, M, s, n)) > delta) {
			/* step back and go to the boundary along d */
			double std, sts, dtd, rad, dsq = delta * delta;
			*reach_boundary = 1;
			axpy(-alpha, d, s, n);
			std = dot_m(s, M, d, n);
			sts = dot_m(s, M, s, n);
			dtd = dot_m(d, M, d, n);
			rad = sqrt(std * std + dtd * (dsq - sts));
			alpha = std >= 0 ? (dsq - sts) / (std + rad) : (rad - std) / dtd;
			axpy(alpha, d, s, n);
			axpy(-alpha, hd, r, n);
			break;
		}
		axpy(-alpha, hd, r, n);
		for (i = 0; i < n; i++)
			z[i] = r[i] / M[i];
		zr_new = dot(z, r, n);
		beta = zr_new / zr;
		for (i = 0; i < n; i++)
			d[i] = z[i] + beta * d[i];
		zr = zr_new;
	}
	return it;
}

struct tron_result {
	size_t iterations, cg_iterations;
	double gradient_norm; /* relative to the gradient at w = 0 */
	double objective;
	int converged;
};

static void tron(struct problem *pr, double *w, int max_iter, double tol,
		 const struct mp_train_ctx *ctx, struct tron_result *res)
{
	const double eta0 = 1e-4, eta1 = 0.25, eta2 = 0.75;
	const double sigma1 = 0.25, sigma2 = 0.5, sigma3 = 4;
	size_t n = pr->n_var, i;
	struct tron_work tw;
	double *g = xcalloc(n, sizeof(double)), *M = xcalloc(n, sizeof(double));
	double *g_new = xcalloc(n, sizeof(double)), *M_new = xcalloc(n, sizeof(double));
	double *w_new = xcalloc(n, sizeof(double)), *swap;
	double f, fnew, gnorm, gnorm0, delta, prered, actred, gs, snorm, alpha, best_progress = 0;
	int iter = 0, reach_boundary;

	tw.s = xcalloc(n, sizeof(double));
	tw.r = xcalloc(n, sizeof(double));
	tw.d = xcalloc(n, sizeof(double));
	tw.hd = xcalloc(n, sizeof(double));
	tw.zr = xcalloc(n, sizeof(double));
	memset(res, 0, sizeof(*res));

	/* w starts at 0, so its gradient is also the reference for the test */
	f = fun(pr, w);
	grad(pr, w, g, M);
	gnorm0 = gnorm = sqrt(dot(g, g, n));
	delta = sqrt(dot_m(g, M, g, n));
	res->converged = gnorm <= tol * gnorm0 || gnorm == 0;
	while (!res->converged && iter < max_iter) {
		int accept, noise;
		iter++;
		res->cg_iterations += trpcg(pr, &tw, delta, g, M, &reach_boundary);
		memcpy(w_new, w, n * sizeof(double));
		axpy(1, tw.s, w_new, n);
		gs = dot(g, tw.s, n);
		prered = -0.5 * (gs - dot(tw.s, tw.r, n));
		fnew = fun(pr, w_new);
		actred = f - fnew;
		accept = actred > eta0 * prered;
		/* Near the optimum both reductions sink below the rounding noise
		 * of f, and their ratio means nothing (LIBLINEAR stops there, at
		 * a relative gradient near 1e-6). The quadratic model is exact by
		 * then: take the step if it lowers the gradient norm. */
		noise = fabs(actred) <= 1e-12 * fabs(f) && fabs(prered) <= 1e-12 * fabs(f);

		snorm = sqrt(dot_m(tw.s, M, tw.s, n));
		if (iter == 1)
			delta = delta < snorm ? delta : snorm;
		if (fnew - f - gs <= 0)
			alpha = sigma3;
		else
			alpha = fmax(sigma1, -0.5 * (gs / (fnew - f - gs)));
		if (noise)
			; /* the ratio is noise: keep the region */
		else if (actred < eta0 * prered)
			delta = fmin(alpha * snorm, sigma2 * delta);
		else if (actred < eta1 * prered)
			delta = fmax(sigma1 * delta, fmin(alpha * snorm, sigma2 * delta));
		else if (actred < eta2 * prered)
			delta = fmax(sigma1 * delta, fmin(alpha * snorm, sigma3 * delta));
		else if (reach_boundary)
			delta = sigma3 * delta;
		else
			delta = fmax(delta, fmin(alpha * snorm, sigma3 * delta));

		if (accept || noise) {
			double gnorm_new;
			grad(pr, w_new, g_new, M_new);
			gnorm_new = sqrt(dot(g_new, g_new, n));
			if (!accept && !(gnorm_new < gnorm))
				break; /* nothing left to gain in floating point */
			memcpy(w, w_new, n * sizeof(double));
			swap = g, g = g_new, g_new = swap;
			swap = M, M = M_new, M_new = swap;
			f = fnew;
			gnorm = gnorm_new;
			if (gnorm <= tol * gnorm0) {
				res->converged = 1;
				break;
			}
		}
		if (ctx->progress && gnorm0 > 0) {
			double p = log(gnorm0 / gnorm) / log(1 / tol);
			if (p > best_progress) {
				best_progress = p < 1 ? p : 1;
				ctx->progress(ctx->progress_arg, 0.05 + 0.9 * best_progress);
			}
		}
		if (prered <= 0)
			break; /* CG found no descent: g is zero to rounding */
	}
	for (i = 0; i < n; i++)
		if (!isfinite(w[i]))
			res->converged = 0;
	res->iterations = (size_t)iter;
	res->gradient_norm = gnorm0 > 0 ? gnorm / gnorm0 : 0;
	res->objective = f;
	free(g);
	free(M);
	free(g_new);
	free(M_new);
	free(w_new);
	free(tw.s);
	free(tw.r);
	free(tw.d);
	free(tw.hd);
	free(tw.zr);
}

/* ---- training -------------------------------------------------------------- */

struct expand_job {
	const struct mp_dataset *d;
	struct problem *pr;
};

/* Builds block b of the dense matrix and the one-hot columns. */
static void expand_block(void *arg, size_t b, int thread)
{
	struct expand_job *j = arg;
	struct problem *pr = j->pr;
	const struct mp_expand *ex = pr->ex;
	size_t r0 = b * BLOCK_ROWS, rows = r0 + BLOCK_ROWS < pr->n ? BLOCK_ROWS : pr->n - r0;
	size_t i, c;

	(void)thread;
	for (c = 0; c < ex->n_num; c++) {
		const float *x = j->d->x + ex->num_feature[c] * pr->n + r0;
		for (i = 0; i < rows; i++)
			pr->z[(r0 + i) * pr->p + c] = mp_expand_number(ex, c, x[i]);
	}
	for (i = 0; i < rows; i++)
		pr->z[(r0 + i) * pr->p + pr->p - 1] = 1;
	for (c = 0; c < ex->n_cat; c++) {
		const float *x = j->d->x + ex->cat_feature[c] * pr->n + r0;
		for (i = 0; i < rows; i++)
			pr->onehot[c * pr->n + r0 + i] = mp_expand_onehot(ex, c, x[i]);
	}
}

static void problem_free(struct problem *pr)
{
	free(pr->z);
	free(pr->onehot);
	free(pr->y);
	free(pr->score);
	free(pr->curv);
	free(pr->rowv);
	free(pr->partial);
	free(pr->pdiag);
	free(pr->loss);
}

static void linear_free(void *model)
{
	struct linear_model *m = model;

	if (!m)
		return;
	mp_expand_free(&m->ex);
	free(m->w_num);
	free(m->w_cat);
	free(m->bias);
	free(m);
}

/* Checks the labels and fills pr->y (the standardised target for ridge). */
static int prepare_target(struct problem *pr, const struct mp_dataset *d, double *y_mean,
			  double *y_scale, struct mp_error *err)
{
	size_t i;
	double sum = 0, ss = 0, sd;

	*y_mean = 0;
	*y_scale = 1;
	for (i = 0; i < d->n_rows; i++) {
		double y = d->y[i];
		if (d->task == MP_BINARY && y != 0 && y != 1)
			return mp_error_set(err, MP_EX_DATAERR, "training row %zu: label %g is not 0 or 1",
					    i + 1, y);
		if (d->task == MP_CATEGORICAL && !(y >= 0 && y < d->n_classes && y == floor(y)))
			return mp_error_set(err, MP_EX_DATAERR,
					    "training row %zu: class code %g outside 0..%d", i + 1, y,
					    d->n_classes - 1);
		if (!isfinite(y))
			return mp_error_set(err, MP_EX_DATAERR, "training row %zu: target is not finite",
					    i + 1);
		sum += y;
	}
	if (d->task == MP_REGRESSION) {
		*y_mean = sum / (double)d->n_rows;
		for (i = 0; i < d->n_rows; i++)
			ss += (d->y[i] - *y_mean) * (d->y[i] - *y_mean);
		sd = sqrt(ss / (double)d->n_rows);
		*y_scale = sd > 0 && isfinite(sd) ? sd : 1;
	}
	for (i = 0; i < d->n_rows; i++)
		pr->y[i] = d->task == MP_REGRESSION ? (d->y[i] - *y_mean) / *y_scale : d->y[i];
	return 0;
}

static void *linear_train(const struct mp_dataset *d, const struct mp_train_ctx *ctx,
			  struct mp_error *err)
{
	struct linear_model *m = xcalloc(1, sizeof(*m));
	struct problem pr;
	struct expand_job job;
	struct tron_result res;
	double *w = NULL, y_mean, y_scale;
	size_t j, c, n_cat;

	memset(&pr, 0, sizeof(pr));
	mp_expand_blas_single_thread();
	if (mp_expand_fit(&m->ex, d, err))
		goto fail;
	m->task = d->task;
	m->k = d->task == MP_CATEGORICAL ? (size_t)(d->n_classes > 1 ? d->n_classes : 1) : 1;
	if (ctx->progress)
		ctx->progress(ctx->progress_arg, 0);

	pr.ex = &m->ex;
	pr.task = d->task == MP_CATEGORICAL && m->k == 1 ? MP_REGRESSION : d->task;
	pr.pool = ctx->pool;
	pr.n = d->n_rows;
	pr.p = m->ex.n_num + 1;
	pr.k = m->k;
	pr.C = mp_param(ctx->params, "C");
	pr.n_dense = pr.p * pr.k;
	pr.n_var = pr.n_dense + m->ex.n_onehot * pr.k;
	pr.n_blocks = (pr.n + BLOCK_ROWS - 1) / BLOCK_ROWS;
	n_cat = m->ex.n_cat;
	pr.z = xmalloc(mp_mul_size(mp_mul_size(pr.n, pr.p), sizeof(double)));
	pr.onehot = xmalloc(mp_mul_size(mp_mul_size(pr.n, n_cat ? n_cat : 1), sizeof(uint32_t)));
	pr.y = xmalloc(mp_mul_size(pr.n, sizeof(double)));
	pr.score = xcalloc(mp_mul_size(pr.n, pr.k), sizeof(double));
	pr.curv = xcalloc(mp_mul_size(pr.n, pr.k), sizeof(double));
	pr.rowv = xcalloc(mp_mul_size(pr.n, pr.k), sizeof(double));
	pr.partial = xcalloc(mp_mul_size(pr.n_blocks, pr.n_dense), sizeof(double));
	pr.pdiag = xcalloc(mp_mul_size(pr.n_blocks, pr.n_dense), sizeof(double));
	pr.loss = xcalloc(pr.n_blocks, sizeof(double));
	if (d->task == MP_CATEGORICAL && m->k == 1) {
		/* one class only: a zero target for a least-squares fit gives the
		 * constant model P = 1 without special cases below */
		memset(pr.y, 0, pr.n * sizeof(double));
		y_mean = 0;
		y_scale = 1;
	} else if (prepare_target(&pr, d, &y_mean, &y_scale, err)) {
		goto fail;
	}
	job.d = d;
	job.pr = &pr;
	mp_pool_run(pr.pool, pr.n_blocks, expand_block, &job);

	w = xcalloc(pr.n_var, sizeof(double));
	tron(&pr, w, mp_param_int(ctx->params, "max_iter"), mp_param(ctx->params, "tol"), ctx, &res);
	for (j = 0; j < pr.n_var; j++)
		if (!isfinite(w[j])) {
			mp_error_set(err, MP_EX_SOFTWARE, "linear: the solver diverged (non-finite weights)");
			goto fail;
		}

	/* unpack, mapping a ridge fit back to the target's units, in the
	 * digits the model file keeps (so a loaded model predicts the same) */
	m->w_num = xcalloc(mp_mul_size(m->ex.n_num ? m->ex.n_num : 1, m->k), sizeof(double));
	m->w_cat = xcalloc(mp_mul_size(m->ex.n_onehot ? m->ex.n_onehot : 1, m->k), sizeof(double));
	m->bias = xcalloc(m->k, sizeof(double));
	for (j = 0; j < m->ex.n_num; j++)
		for (c = 0; c < m->k; c++)
			m->w_num[j * m->k + c] = mp_expand_round15(w[j * m->k + c] * y_scale);
	for (j = 0; j < m->ex.n_onehot * m->k; j++)
		m->w_cat[j] = mp_expand_round15(w[pr.n_dense + j] * y_scale);
	for (c = 0; c < m->k; c++)
		m->bias[c] = mp_expand_round15(w[(pr.p - 1) * m->k + c] * y_scale + y_mean);

	if (ctx->info) {
		mp_json_add_num(ctx->info, "iterations", (double)res.iterations);
		mp_json_add_num(ctx->info, "cg_iterations", (double)res.cg_iterations);
		mp_json_add_num(ctx->info, "gradient_norm", res.gradient_norm);
		mp_json_add_num(ctx->info, "objective", res.objective);
		cJSON_AddBoolToObject(ctx->info, "converged", res.converged);
	}
	if (ctx->progress)
		ctx->progress(ctx->progress_arg, 1);
	free(w);
	problem_free(&pr);
	return m;
fail:
	free(w);
	problem_free(&pr);
	linear_free(m);
	return NULL;
}

/* ---- prediction, save, load ---------------------------------------------- */

#define PREDICT_ROWS 256

static void linear_predict(const void *model, const struct mp_dataset *d, size_t begin, size_t end,
			   double *out)
{
	const struct linear_model *m = model;
	const struct mp_expand *ex = &m->ex;
	size_t k = m->k, r0, i, j, c;
	double *score = xmalloc(mp_mul_size(PREDICT_ROWS * k, sizeof(double)));

	for (r0 = begin; r0 < end; r0 += PREDICT_ROWS) {
		size_t rows = end - r0 < PREDICT_ROWS ? end - r0 : PREDICT_ROWS;
		for (i = 0; i < rows; i++)
			memcpy(score + i * k, m->bias, k * sizeof(double));
		/* feature by feature: the dataset is column-major */
		for (j = 0; j < ex->n_num; j++) {
			const float *x = d->x + ex->num_feature[j] * d->n_rows + r0;
			const double *wj = m->w_num + j * k;
			for (i = 0; i < rows; i++) {
				double z = mp_expand_number(ex, j, x[i]);
				for (c = 0; c < k; c++)
					score[i * k + c] += z * wj[c];
			}
		}
		for (j = 0; j < ex->n_cat; j++) {
			const float *x = d->x + ex->cat_feature[j] * d->n_rows + r0;
			for (i = 0; i < rows; i++) {
				const double *wo = m->w_cat + (size_t)mp_expand_onehot(ex, j, x[i]) * k;
				for (c = 0; c < k; c++)
					score[i * k + c] += wo[c];
			}
		}
		for (i = 0; i < rows; i++) {
			double *o = out + (r0 - begin + i) * k, *s = score + i * k;
			if (m->task == MP_BINARY) {
				o[0] = sigmoid(s[0]);
			} else if (m->task == MP_REGRESSION) {
				o[0] = s[0];
			} else {
				double mx = s[0], sum = 0;
				for (c = 1; c < k; c++)
					mx = s[c] > mx ? s[c] : mx;
				for (c = 0; c < k; c++)
					sum += (o[c] = exp(s[c] - mx));
				for (c = 0; c < k; c++)
					o[c] /= sum;
			}
		}
	}
	free(score);
}

static const char *link_name(enum mp_task t)
{
	return t == MP_BINARY ? "logit" : t == MP_CATEGORICAL ? "softmax" : "identity";
}

/* {"link": "logit"|"softmax"|"identity", "outputs": k, "intercept": [k],
 *  "inputs": [{"name", "kind": "number", "mean", "scale", "weights": [k]} |
 *             {"name", "kind": "category", "levels", "weights": [[k] per level]}]}
 * A score is intercept + sum over numbers of weight * (x - mean) * scale +
 * the weights of each category's level; binary P(true) = 1/(1+exp(-score)),
 * categorical probabilities = softmax of the k scores. */
static cJSON *linear_save(const void *model)
{
	const struct linear_model *m = model;
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "link", link_name(m->task));
	cJSON_AddNumberToObject(j, "outputs", (double)m->k);
	cJSON_AddItemToObject(j, "intercept", mp_json_num_array(m->bias, m->k));
	cJSON_AddItemToObject(j, "inputs", mp_expand_save(&m->ex, m->w_num, m->w_cat, m->k, 0));
	return j;
}

static void *linear_load(const cJSON *json, const struct mp_model_shape *shape,
			 struct mp_error *err)
{
	struct linear_model *m = xcalloc(1, sizeof(*m));
	const char *link = mp_json_str(json, "link");
	double outputs;

	mp_expand_blas_single_thread();
	m->task = shape->task;
	m->k = shape->task == MP_CATEGORICAL ? (size_t)(shape->n_classes > 1 ? shape->n_classes : 1) : 1;
	if (!link || strcmp(link, link_name(m->task))) {
		mp_error_set(err, MP_EX_DATAERR, "linear: member 'link': expected '%s' for a %s model",
			     link_name(m->task), mp_task_name(m->task));
		goto fail;
	}
	if (mp_json_need_num(json, "outputs", "linear", &outputs, err))
		goto fail;
	if (outputs != (double)m->k) {
		mp_error_set(err, MP_EX_DATAERR, "linear: %g outputs, expected %zu", outputs, m->k);
		goto fail;
	}
	m->bias = xcalloc(m->k, sizeof(double));
	if (mp_expand_json_numbers(cJSON_GetObjectItemCaseSensitive(json, "intercept"), m->bias, m->k,
				   "linear: member 'intercept'", err))
		goto fail;
	if (mp_expand_load(&m->ex, cJSON_GetObjectItemCaseSensitive(json, "inputs"), shape, m->k,
			   &m->w_num, &m->w_cat, err)) {
		mp_error_prefix(err, "linear");
		goto fail;
	}
	return m;
fail:
	linear_free(m);
	return NULL;
}

const struct mp_algorithm mp_linear = {
	.name = "linear",
	.tasks = MP_TASK_BIT(MP_BINARY) | MP_TASK_BIT(MP_CATEGORICAL) | MP_TASK_BIT(MP_REGRESSION),
	.params = linear_params,
	.n_params = sizeof(linear_params) / sizeof(linear_params[0]),
	.train = linear_train,
	.predict = linear_predict,
	.save = linear_save,
	.load = linear_load,
	.free = linear_free,
};
