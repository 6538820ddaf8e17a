/* metrics.c — scalar evaluation metrics; see metrics.h for the rules. */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MP_PROB_EPS 1e-15

struct scored_row {
	double score;
	int positive;
};

int mp_binary_row_is_valid(double label01, double score)
{
	return (label01 == 0.0 || label01 == 1.0) && isfinite(score);
}

static int cmp_scored_row(const void *a, const void *b)
{
	const struct scored_row *x = a, *y = b;

	if (x->score < y->score)
		return -1;
	if (x->score > y->score)
		return 1;
	return x->positive - y->positive;
}

/* The valid rows sorted by ascending score; *np / *nn count the classes. */
static struct scored_row *sorted_binary_rows(const double *label01, const double *score,
					     size_t n, size_t *count, double *np, double *nn)
{
	struct scored_row *rows = xmalloc(mp_mul_size(n, sizeof(*rows)));
	size_t i, m = 0;

	*np = *nn = 0;
	for (i = 0; i < n; i++) {
		if (!mp_binary_row_is_valid(label01[i], score[i]))
			continue;
		rows[m].score = score[i];
		rows[m].positive = label01[i] == 1.0;
		if (rows[m].positive)
			(*np)++;
		else
			(*nn)++;
		m++;
	}
	qsort(rows, m, sizeof(*rows), cmp_scored_row);
	*count = m;
	return rows;
}

double mp_roc_auc(const double *label01, const double *score, size_t n)
{
	double np, nn, neg_below = 0, pairs = 0;
	size_t m, i = 0, j;
	struct scored_row *rows = sorted_binary_rows(label01, score, n, &m, &np, &nn);

	/* Walk groups of equal score: each positive beats the negatives below
	 * and ties with the negatives of its own group (half a win each). */
	while (i < m) {
		double gp = 0, gn = 0;
		for (j = i; j < m && rows[j].score == rows[i].score; j++) {
			if (rows[j].positive)
				gp++;
			else
				gn++;
		}
		pairs += gp * (neg_below + gn / 2);
		neg_below += gn;
		i = j;
	}
	free(rows);
	if (np == 0 || nn == 0)
		return NAN;
	return pairs / (np * nn);
}

double mp_ks_statistic(const double *label01, const double *score, size_t n)
{
	double np, nn, pos_above = 0, neg_above = 0, ks = 0;
	size_t m, i, j;
	struct scored_row *rows = sorted_binary_rows(label01, score, n, &m, &np, &nn);

	if (np == 0 || nn == 0) {
		free(rows);
		return NAN;
	}
	/* Descending thresholds: after each group, the rows at or above it. */
	i = m;
	while (i > 0) {
		double tpr, fpr;
		for (j = i; j > 0 && rows[j - 1].score == rows[i - 1].score; j--) {
			if (rows[j - 1].positive)
				pos_above++;
			else
				neg_above++;
		}
		tpr = pos_above / np;
		fpr = neg_above / nn;
		if (fabs(tpr - fpr) > ks)
			ks = fabs(tpr - fpr);
		i = j;
	}
	free(rows);
	return ks;
}

static double clip_probability(double p)
{
	if (p < MP_PROB_EPS)
		return MP_PROB_EPS;
	if (p > 1 - MP_PROB_EPS)
		return 1 - MP_PROB_EPS;
	return p;
}

double mp_log_loss_binary(const double *label01, const double *p, size_t n)
{
	double sum = 0;
	size_t i, used = 0;

	for (i = 0; i < n; i++) {
		double q;
		if (!mp_binary_row_is_valid(label01[i], p[i]))
			continue;
		q = clip_probability(p[i]);
		sum -= label01[i] == 1.0 ? log(q) : log(1 - q);
		used++;
	}
	return used ? sum / (double)used : NAN;
}

double mp_accuracy_binary(const double *label01, const double *score, size_t n,
			  double threshold)
{
	size_t i, used = 0, right = 0;

	for (i = 0; i < n; i++) {
		if (!mp_binary_row_is_valid(label01[i], score[i]))
			continue;
		used++;
		if ((score[i] >= threshold) == (label01[i] == 1.0))
			right++;
	}
	return used ? (double)right / (double)used : NAN;
}

double mp_log_loss_multi(const int *label, const double *prob, size_t n, int k)
{
	double sum = 0;
	size_t i, used = 0;
	int c;

	if (k < 1)
		return NAN;
	for (i = 0; i < n; i++) {
		const double *row = prob + i * (size_t)k;
		double total = 0;
		int finite = 1;
		if (label[i] < 0 || label[i] >= k)
			continue;
		for (c = 0; c < k; c++) {
			if (!isfinite(row[c]))
				finite = 0;
			else
				total += clip_probability(row[c]);
		}
		if (!finite)
			continue;
		sum -= log(clip_probability(row[label[i]]) / total);
		used++;
	}
	return used ? sum / (double)used : NAN;
}

int mp_argmax(const double *v, int k)
{
	int best = -1, c;

	for (c = 0; c < k; c++) {
		if (isnan(v[c]))
			continue;
		if (best < 0 || v[c] > v[best])
			best = c;
	}
	return best;
}

double mp_accuracy(const int *actual, const int *predicted, size_t n)
{
	size_t i, right = 0;

	for (i = 0; i < n; i++)
		if (actual[i] == predicted[i])
			right++;
	return n ? (double)right / (double)n : NAN;
}

size_t mp_confusion_matrix(const int *actual, const int *predicted, size_t n, int k,
			   size_t *counts)
{
	size_t i, placed = 0;

	if (k < 1)
		return 0;
	memset(counts, 0, mp_mul_size((size_t)k * (size_t)k, sizeof(*counts)));
	for (i = 0; i < n; i++) {
		if (actual[i] < 0 || actual[i] >= k || predicted[i] < 0 || predicted[i] >= k)
			continue;
		counts[(size_t)actual[i] * (size_t)k + (size_t)predicted[i]]++;
		placed++;
	}
	return placed;
}

static double ratio_or_zero(size_t num, size_t den)
{
	return den ? (double)num / (double)den : 0.0;
}

void mp_class_metrics(const int *actual, const int *predicted, size_t n, int k,
		      struct mp_class_metrics *out)
{
	size_t i;
	int c;

	if (k < 1)
		return;
	memset(out, 0, mp_mul_size((size_t)k, sizeof(*out)));
	for (i = 0; i < n; i++) {
		int a = actual[i], p = predicted[i];
		int a_known = a >= 0 && a < k, p_known = p >= 0 && p < k;
		if (a_known)
			out[a].support++;
		if (p_known)
			out[p].predicted++;
		if (a_known && p_known && a == p)
			out[a].true_positives++;
		else {
			if (p_known)
				out[p].false_positives++;
			if (a_known)
				out[a].false_negatives++;
		}
	}
	for (c = 0; c < k; c++) {
		struct mp_class_metrics *m = &out[c];
		m->true_negatives = n - m->true_positives - m->false_positives - m->false_negatives;
		m->precision = ratio_or_zero(m->true_positives, m->predicted);
		m->recall = ratio_or_zero(m->true_positives, m->support);
		/* 2PR/(P+R) written on counts: exact, and 0 when P = R = 0. */
		m->f1 = ratio_or_zero(2 * m->true_positives,
				      2 * m->true_positives + m->false_positives + m->false_negatives);
	}
}

double mp_macro_f1(const struct mp_class_metrics *m, int k)
{
	double sum = 0;
	size_t rows = 0;
	int c;

	for (c = 0; c < k; c++) {
		sum += m[c].f1;
		rows += m[c].support + m[c].predicted;
	}
	return k > 0 && rows > 0 ? sum / k : NAN;
}

double mp_balanced_accuracy(const struct mp_class_metrics *m, int k)
{
	double sum = 0;
	int c, present = 0;

	for (c = 0; c < k; c++) {
		if (!m[c].support)
			continue;
		sum += m[c].recall;
		present++;
	}
	return present ? sum / present : NAN;
}

/* Sums over the rows where both values are finite. */
struct pair_moments {
	size_t n;
	double mean_a, mean_p;
	double saa, spp, sap; /* centred sums of squares and cross products */
	double sse, sae;      /* Σ(a-p)², Σ|a-p| */
	int a_constant, p_constant; /* every value equal (tested exactly, not by
				       a centred sum that rounding leaves > 0) */
};

static void pair_moments(const double *a, const double *p, size_t n, struct pair_moments *m)
{
	size_t i, first = 0;

	memset(m, 0, sizeof(*m));
	m->a_constant = m->p_constant = 1;
	for (i = 0; i < n; i++) {
		if (!isfinite(a[i]) || !isfinite(p[i]))
			continue;
		if (!m->n)
			first = i;
		if (a[i] != a[first])
			m->a_constant = 0;
		if (p[i] != p[first])
			m->p_constant = 0;
		m->n++;
		m->mean_a += a[i];
		m->mean_p += p[i];
	}
	if (!m->n)
		return;
	m->mean_a /= (double)m->n;
	m->mean_p /= (double)m->n;
	/* Second pass on centred values: no cancellation from Σx² - n·mean². */
	for (i = 0; i < n; i++) {
		double da, dp, e;
		if (!isfinite(a[i]) || !isfinite(p[i]))
			continue;
		da = a[i] - m->mean_a;
		dp = p[i] - m->mean_p;
		e = a[i] - p[i];
		m->saa += da * da;
		m->spp += dp * dp;
		m->sap += da * dp;
		m->sse += e * e;
		m->sae += fabs(e);
	}
}

double mp_r_squared(const double *actual, const double *predicted, size_t n)
{
	struct pair_moments m;

	pair_moments(actual, predicted, n, &m);
	if (!m.n || m.a_constant)
		return NAN;
	return 1 - m.sse / m.saa;
}

double mp_pearson_correlation(const double *actual, const double *predicted, size_t n)
{
	struct pair_moments m;

	pair_moments(actual, predicted, n, &m);
	if (m.n < 2 || m.a_constant || m.p_constant)
		return NAN;
	return m.sap / sqrt(m.saa * m.spp);
}

double mp_squared_correlation(const double *actual, const double *predicted, size_t n)
{
	struct pair_moments m;

	pair_moments(actual, predicted, n, &m);
	if (m.n < 2 || m.a_constant || m.p_constant)
		return NAN;
	return m.sap * m.sap / (m.saa * m.spp);
}

double mp_rmse(const double *actual, const double *predicted, size_t n)
{
	struct pair_moments m;

	pair_moments(actual, predicted, n, &m);
	return m.n ? sqrt(m.sse / (double)m.n) : NAN;
}

double mp_mae(const double *actual, const double *predicted, size_t n)
{
	struct pair_moments m;

	pair_moments(actual, predicted, n, &m);
	return m.n ? m.sae / (double)m.n : NAN;
}
