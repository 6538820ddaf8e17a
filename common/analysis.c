/* analysis.c — evaluation analysis JSON for binary, categorical and
 * regression predictions; the field list is in analysis.h. */
#include "analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "metrics.h"
#include "util.h"

#define SWEEP_POINTS 101     /* thresholds 0.00, 0.01, ..., 1.00 */
#define PERCENT_BUCKETS 101  /* 1% buckets 0..100 (100 holds score 1.0) */
#define BUCKET_EPS 1e-9      /* absorbs 0.29*100 = 28.999999999999996 */
#define ACCURACY_THRESHOLD 0.5
#define REGRESSION_BUCKETS 10

/* NaN (stored as null) when the group is empty: never 0/0. */
static double ratio(double num, double den)
{
	return den != 0 ? num / den : NAN;
}

static void add_count(cJSON *obj, const char *key, size_t v)
{
	cJSON_AddNumberToObject(obj, key, (double)v);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median of a sorted array; NaN when empty. */
static double sorted_median(const double *v, size_t n)
{
	if (!n)
		return NAN;
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ------------------------------------------------------------------ */
/* Binary                                                              */

struct binary_row {
	double score;
	int positive;
};

static int cmp_binary_row(const void *a, const void *b)
{
	const struct binary_row *x = a, *y = b;

	if (x->score != y->score)
		return (x->score > y->score) - (x->score < y->score);
	return x->positive - y->positive;
}

/* {count, mean, median, minimum, maximum} of the scores of one group
 * (which: 1 positives, 0 negatives, -1 all) of rows sorted by score. */
static cJSON *score_statistics(const struct binary_row *rows, size_t m, int which)
{
	cJSON *o = cJSON_CreateObject();
	size_t i, count = 0, seen = 0;
	double sum = 0, min = NAN, max = NAN, lo = NAN, hi = NAN;

	for (i = 0; i < m; i++) {
		if (which >= 0 && rows[i].positive != which)
			continue;
		if (!count)
			min = rows[i].score;
		max = rows[i].score;
		sum += rows[i].score;
		count++;
	}
	for (i = 0; count && i < m; i++) {
		if (which >= 0 && rows[i].positive != which)
			continue;
		if (seen == (count - 1) / 2)
			lo = rows[i].score;
		if (seen == count / 2) {
			hi = rows[i].score;
			break;
		}
		seen++;
	}
	add_count(o, "count", count);
	mp_json_add_num(o, "mean", ratio(sum, (double)count));
	mp_json_add_num(o, "median", count ? (lo + hi) / 2 : NAN);
	mp_json_add_num(o, "minimum", min);
	mp_json_add_num(o, "maximum", max);
	return o;
}

/* One granularity of the score distribution: per_unit buckets per unit of
 * score (100, 20, 10), bucket counts cnt1/cnt0 already filled. */
static cJSON *score_buckets(const size_t *cnt1, const size_t *cnt0, int per_unit,
			    size_t c1, size_t c0)
{
	size_t nb = (size_t)per_unit + 1, i, run1 = 0, run0 = 0;
	double *v[10];
	static const char *const keys[10] = {
		"bucket_lower_bound", "total", "actual_1", "actual_0", "actual_1_rate",
		"actual_0_rate", "cumulative_share_total", "cumulative_share_actual_1",
		"cumulative_share_actual_0", "cumulative_gap",
	};
	cJSON *o = cJSON_CreateObject();
	int j;

	for (j = 0; j < 10; j++)
		v[j] = xmalloc(mp_mul_size(nb, sizeof(double)));
	for (i = 0; i < nb; i++) {
		double total = (double)(cnt1[i] + cnt0[i]);
		double share1, share0;
		run1 += cnt1[i];
		run0 += cnt0[i];
		/* Cumulative shares from integer running counts: exact, and the
		 * last one is exactly 1 (the original rounded all but the last). */
		share1 = ratio((double)run1, (double)c1);
		share0 = ratio((double)run0, (double)c0);
		v[0][i] = (double)i / per_unit;
		v[1][i] = total;
		v[2][i] = (double)cnt1[i];
		v[3][i] = (double)cnt0[i];
		v[4][i] = ratio((double)cnt1[i], total);
		v[5][i] = ratio((double)cnt0[i], total);
		v[6][i] = ratio((double)(run1 + run0), (double)(c1 + c0));
		v[7][i] = share1;
		v[8][i] = share0;
		v[9][i] = share0 - share1;
	}
	mp_json_add_num(o, "bucket_width", 1.0 / per_unit);
	for (j = 0; j < 10; j++) {
		cJSON_AddItemToObject(o, keys[j], mp_json_num_array(v[j], nb));
		free(v[j]);
	}
	return o;
}

static cJSON *score_distribution(const struct binary_row *rows, size_t m, size_t c1, size_t c0)
{
	static const int per_unit[3] = { 100, 20, 10 };
	static const char *const names[3] = { "one_percent", "five_percent", "ten_percent" };
	size_t cnt[3][2][PERCENT_BUCKETS];
	size_t i, below = 0, above = 0;
	cJSON *o = cJSON_CreateObject();
	int g;

	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < m; i++) {
		double s = rows[i].score;
		long b;
		if (s < 0) {
			below++;
			b = 0;
		} else if (s > 1) {
			above++;
			b = 100;
		} else {
			b = (long)floor(s * 100 + BUCKET_EPS);
			if (b > 100)
				b = 100;
		}
		/* Coarser buckets from the integer 1% bucket, so all agree. */
		for (g = 0; g < 3; g++)
			cnt[g][rows[i].positive][b / (100 / per_unit[g])]++;
	}
	add_count(o, "below_range_count", below);
	add_count(o, "above_range_count", above);
	add_count(o, "out_of_range_count", below + above);
	for (g = 0; g < 3; g++)
		cJSON_AddItemToObject(o, names[g],
				      score_buckets(cnt[g][1], cnt[g][0], per_unit[g], c1, c0));
	return o;
}

/* Threshold sweep, ROC and accuracy distributions: t = i/100, score >= t
 * is a predicted positive. rows are sorted by score. */
static void add_threshold_sweep(cJSON *body, const struct binary_row *rows, size_t m,
				size_t c1, size_t c0)
{
	double *v[8];
	static const char *const keys[8] = {
		"threshold", "true_positives", "false_positives", "true_negatives",
		"false_negatives", "share_at_or_above_total", "share_at_or_above_actual_1",
		"share_at_or_above_actual_0",
	};
	cJSON *sweep = cJSON_CreateObject();
	cJSON *roc = cJSON_CreateArray(), *acc = cJSON_CreateArray();
	size_t p = 0, below1 = 0, below0 = 0;
	double n = (double)m;
	int i, j;

	for (j = 0; j < 8; j++)
		v[j] = xmalloc(SWEEP_POINTS * sizeof(double));
	for (i = 0; i < SWEEP_POINTS; i++) {
		double t = i / 100.0, tp, fp, tn, fn, tpr, fpr;
		cJSON *r, *a;
		for (; p < m && rows[p].score < t; p++) {
			if (rows[p].positive)
				below1++;
			else
				below0++;
		}
		tp = (double)(c1 - below1);
		fn = (double)below1;
		fp = (double)(c0 - below0);
		tn = (double)below0;
		tpr = ratio(tp, (double)c1);
		fpr = ratio(fp, (double)c0);
		v[0][i] = t;
		v[1][i] = tp;
		v[2][i] = fp;
		v[3][i] = tn;
		v[4][i] = fn;
		v[5][i] = ratio(tp + fp, n);
		v[6][i] = tpr;
		v[7][i] = fpr;

		r = cJSON_CreateObject();
		mp_json_add_num(r, "threshold", t);
		mp_json_add_num(r, "true_positive_rate", tpr);
		mp_json_add_num(r, "false_positive_rate", fpr);
		cJSON_AddItemToArray(roc, r);

		a = cJSON_CreateObject();
		mp_json_add_num(a, "threshold", t);
		mp_json_add_num(a, "accuracy_rate", ratio(tp + tn, n));
		mp_json_add_num(a, "error_rate", ratio(fp + fn, n));
		mp_json_add_num(a, "true_positive_rate", tpr);
		mp_json_add_num(a, "true_negative_rate", ratio(tn, (double)c0));
		mp_json_add_num(a, "false_positive_rate", fpr);
		mp_json_add_num(a, "false_negative_rate", ratio(fn, (double)c1));
		cJSON_AddItemToArray(acc, a);
	}
	for (j = 0; j < 8; j++) {
		cJSON_AddItemToObject(sweep, keys[j], mp_json_num_array(v[j], SWEEP_POINTS));
		free(v[j]);
	}
	cJSON_AddItemToObject(body, "threshold_sweep", sweep);
	cJSON_AddItemToObject(body, "roc_distribution", roc);
	cJSON_AddItemToObject(body, "accuracy_distribution", acc);
}

cJSON *mp_analysis_binary(const double *actual01, const double *p_true, size_t n)
{
	struct binary_row *rows = xmalloc(mp_mul_size(n, sizeof(*rows)));
	cJSON *body = cJSON_CreateObject(), *summary, *stats;
	size_t i, m = 0, c1 = 0, c0 = 0;

	for (i = 0; i < n; i++) {
		if (!mp_binary_row_is_valid(actual01[i], p_true[i]))
			continue;
		rows[m].score = p_true[i];
		rows[m].positive = actual01[i] == 1.0;
		if (rows[m].positive)
			c1++;
		else
			c0++;
		m++;
	}
	qsort(rows, m, sizeof(*rows), cmp_binary_row);

	summary = cJSON_AddObjectToObject(body, "summary");
	mp_json_add_num(summary, "auc", mp_roc_auc(actual01, p_true, n));
	mp_json_add_num(summary, "ks", mp_ks_statistic(actual01, p_true, n));
	mp_json_add_num(summary, "accuracy",
			mp_accuracy_binary(actual01, p_true, n, ACCURACY_THRESHOLD));
	mp_json_add_num(summary, "accuracy_threshold", ACCURACY_THRESHOLD);
	mp_json_add_num(summary, "log_loss", mp_log_loss_binary(actual01, p_true, n));
	add_count(summary, "rows", m);
	add_count(summary, "positives", c1);
	add_count(summary, "negatives", c0);
	add_count(summary, "invalid_rows", n - m);

	add_count(body, "total_count", m);
	add_count(body, "actual_1_count", c1);
	add_count(body, "actual_0_count", c0);
	mp_json_add_num(body, "actual_1_rate", ratio((double)c1, (double)m));
	mp_json_add_num(body, "actual_0_rate", ratio((double)c0, (double)m));

	stats = cJSON_AddObjectToObject(body, "score_statistics");
	cJSON_AddItemToObject(stats, "total", score_statistics(rows, m, -1));
	cJSON_AddItemToObject(stats, "actual_1", score_statistics(rows, m, 1));
	cJSON_AddItemToObject(stats, "actual_0", score_statistics(rows, m, 0));

	cJSON_AddItemToObject(body, "score_distribution", score_distribution(rows, m, c1, c0));
	add_threshold_sweep(body, rows, m, c1, c0);
	free(rows);
	return body;
}

/* ------------------------------------------------------------------ */
/* Categorical                                                         */

static int row_is_finite(const double *v, int k)
{
	int c;

	for (c = 0; c < k; c++)
		if (!isfinite(v[c]))
			return 0;
	return 1;
}

static cJSON *categorical(const int *actual, const int *predicted, const double *prob,
			  size_t n, int k, char *const *class_names)
{
	size_t kk = k > 0 ? (size_t)k : 0;
	int *act = xmalloc(mp_mul_size(n, sizeof(int)));
	int *pred = xmalloc(mp_mul_size(n, sizeof(int)));
	double *pv = prob ? xmalloc(mp_mul_size(mp_mul_size(n, kk), sizeof(double))) : NULL;
	struct mp_class_metrics *cm = xcalloc(kk ? kk : 1, sizeof(*cm));
	size_t *confusion = xcalloc(kk ? kk * kk : 1, sizeof(size_t));
	size_t *unknown_pred = xcalloc(kk ? kk : 1, sizeof(size_t));
	char **names = xmalloc(mp_mul_size(kk ? kk : 1, sizeof(char *)));
	size_t i, m = 0, unknown = 0;
	cJSON *body = cJSON_CreateObject(), *summary, *cats, *per_class, *mat, *counts, *rates, *unk;
	int c, d;

	for (i = 0; i < n && k > 0; i++) {
		const double *row = prob ? prob + i * kk : NULL;
		int p;
		if (predicted) {
			p = predicted[i];
			if (p < 0 || p >= k)
				continue;
		} else {
			if (!row || !row_is_finite(row, k))
				continue;
			p = mp_argmax(row, k);
		}
		/* Any code outside the trained classes is an unseen label. */
		act[m] = actual[i] >= 0 && actual[i] < k ? actual[i] : k;
		pred[m] = p;
		if (pv)
			memcpy(pv + m * kk, row, kk * sizeof(double));
		if (act[m] == k) {
			unknown++;
			unknown_pred[p]++;
		}
		m++;
	}
	for (c = 0; c < k; c++)
		names[c] = class_names && class_names[c] ? xstrdup(class_names[c])
							 : xasprintf("%d", c);
	mp_class_metrics(act, pred, m, k, cm);
	mp_confusion_matrix(act, pred, m, k, confusion);

	summary = cJSON_AddObjectToObject(body, "summary");
	mp_json_add_num(summary, "accuracy", mp_accuracy(act, pred, m));
	mp_json_add_num(summary, "macro_f1", k > 0 && m ? mp_macro_f1(cm, k) : NAN);
	mp_json_add_num(summary, "balanced_accuracy", mp_balanced_accuracy(cm, k));
	mp_json_add_num(summary, "log_loss", pv ? mp_log_loss_multi(act, pv, m, k) : NAN);
	add_count(summary, "rows", m);
	add_count(summary, "unknown_label_count", unknown);
	add_count(summary, "invalid_rows", n - m);

	cats = cJSON_AddArrayToObject(body, "categories");
	per_class = cJSON_AddObjectToObject(body, "per_class");
	for (c = 0; c < k; c++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToArray(cats, cJSON_CreateString(names[c]));
		add_count(o, "support", cm[c].support);
		mp_json_add_num(o, "observation_rate", ratio((double)cm[c].support, (double)m));
		add_count(o, "predicted_count", cm[c].predicted);
		mp_json_add_num(o, "prediction_rate", ratio((double)cm[c].predicted, (double)m));
		add_count(o, "true_positives", cm[c].true_positives);
		add_count(o, "false_positives", cm[c].false_positives);
		add_count(o, "false_negatives", cm[c].false_negatives);
		add_count(o, "true_negatives", cm[c].true_negatives);
		mp_json_add_num(o, "precision", cm[c].precision);
		mp_json_add_num(o, "recall", cm[c].recall);
		mp_json_add_num(o, "f1", cm[c].f1);
		cJSON_AddItemToObject(per_class, names[c], o);
	}

	mat = cJSON_AddObjectToObject(body, "confusion_matrix");
	counts = cJSON_AddArrayToObject(mat, "counts");
	rates = cJSON_AddArrayToObject(mat, "row_rates");
	for (c = 0; c < k; c++) {
		cJSON *crow = cJSON_CreateArray(), *rrow;
		size_t total = 0;
		for (d = 0; d < k; d++) {
			total += confusion[(size_t)c * kk + (size_t)d];
			cJSON_AddItemToArray(crow, cJSON_CreateNumber(
				(double)confusion[(size_t)c * kk + (size_t)d]));
		}
		cJSON_AddItemToArray(counts, crow);
		if (!total) {
			cJSON_AddItemToArray(rates, cJSON_CreateNull());
			continue;
		}
		rrow = cJSON_CreateArray();
		for (d = 0; d < k; d++)
			cJSON_AddItemToArray(rrow, cJSON_CreateNumber(
				(double)confusion[(size_t)c * kk + (size_t)d] / (double)total));
		cJSON_AddItemToArray(rates, rrow);
	}

	unk = cJSON_AddObjectToObject(body, "unknown_label");
	add_count(unk, "count", unknown);
	counts = cJSON_AddArrayToObject(unk, "predicted_counts");
	for (c = 0; c < k; c++)
		cJSON_AddItemToArray(counts, cJSON_CreateNumber((double)unknown_pred[c]));

	for (c = 0; c < k; c++)
		free(names[c]);
	free(names);
	free(unknown_pred);
	free(confusion);
	free(cm);
	free(pv);
	free(pred);
	free(act);
	return body;
}

cJSON *mp_analysis_categorical(const int *actual, const double *prob, size_t n, int k,
			       char *const *class_names)
{
	return categorical(actual, NULL, prob, n, k, class_names);
}

cJSON *mp_analysis_categorical_predicted(const int *actual, const int *predicted,
					 const double *prob, size_t n, int k,
					 char *const *class_names)
{
	return categorical(actual, predicted, prob, n, k, class_names);
}

/* ------------------------------------------------------------------ */
/* Regression                                                          */

struct value_pair {
	double actual, predicted;
};

static int cmp_pair_by_actual(const void *a, const void *b)
{
	const struct value_pair *x = a, *y = b;

	if (x->actual != y->actual)
		return (x->actual > y->actual) - (x->actual < y->actual);
	return (x->predicted > y->predicted) - (x->predicted < y->predicted);
}

/* {mean, median, minimum, maximum, standard_deviation} of v (sorted in place). */
static cJSON *value_statistics(double *v, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	double mean = 0, ss = 0;
	size_t i;

	for (i = 0; i < n; i++)
		mean += v[i];
	mean = ratio(mean, (double)n);
	for (i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	qsort(v, n, sizeof(*v), cmp_double);
	mp_json_add_num(o, "mean", mean);
	mp_json_add_num(o, "median", sorted_median(v, n));
	mp_json_add_num(o, "minimum", n ? v[0] : NAN);
	mp_json_add_num(o, "maximum", n ? v[n - 1] : NAN);
	mp_json_add_num(o, "standard_deviation", n > 1 ? sqrt(ss / (double)(n - 1)) : NAN);
	return o;
}

/* Bucket of v among REGRESSION_BUCKETS equal-width buckets on [lo, lo+range]. */
static int value_bucket(double v, double lo, double range)
{
	double b;

	if (!(range > 0))
		return 0;
	b = floor((v - lo) / range * REGRESSION_BUCKETS + BUCKET_EPS);
	if (b < 0)
		return 0;
	if (b > REGRESSION_BUCKETS - 1)
		return REGRESSION_BUCKETS - 1;
	return (int)b;
}

static cJSON *value_buckets(const struct value_pair *rows, size_t m, double lo, double hi)
{
	size_t actual[REGRESSION_BUCKETS] = { 0 }, predicted[REGRESSION_BUCKETS] = { 0 };
	double range = m ? hi - lo : 0, interval = range / REGRESSION_BUCKETS;
	cJSON *arr = cJSON_CreateArray();
	size_t i;
	int b;

	for (i = 0; i < m; i++) {
		actual[value_bucket(rows[i].actual, lo, range)]++;
		predicted[value_bucket(rows[i].predicted, lo, range)]++;
	}
	for (b = 0; m && b < REGRESSION_BUCKETS; b++) {
		cJSON *o = cJSON_CreateObject();
		double lower = lo + b * interval;
		double upper = b == REGRESSION_BUCKETS - 1 ? hi : lo + (b + 1) * interval;
		char label[80];
		snprintf(label, sizeof(label), "%.10g to %.10g", lower, upper);
		mp_json_add_num(o, "lower", lower);
		mp_json_add_num(o, "upper", upper);
		cJSON_AddStringToObject(o, "label", label);
		add_count(o, "actual", actual[b]);
		add_count(o, "predicted", predicted[b]);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* Evenly spaced sample of rows (sorted by actual) for the scatter plot. */
static cJSON *scatter_sample(const struct value_pair *rows, size_t m, size_t requested)
{
	cJSON *o = cJSON_CreateObject(), *pts;
	size_t points = m <= requested + 1 ? m : requested + 1, j;
	double max = NAN, min = NAN;

	add_count(o, "points_requested", requested);
	pts = cJSON_CreateArray();
	for (j = 0; j < points; j++) {
		/* Integer arithmetic: floor(j*m/(M+1)) exactly. */
		size_t idx = m <= requested + 1
				     ? j
				     : (size_t)((unsigned long long)j * m / (requested + 1));
		const struct value_pair *r;
		cJSON *pt = cJSON_CreateObject();
		if (idx >= m)
			idx = m - 1;
		r = &rows[idx];
		mp_json_add_num(pt, "actual", r->actual);
		mp_json_add_num(pt, "predicted", r->predicted);
		cJSON_AddItemToArray(pts, pt);
		if (!j) {
			max = fmax(r->actual, r->predicted);
			min = fmin(r->actual, r->predicted);
		}
		max = fmax(max, fmax(r->actual, r->predicted));
		min = fmin(min, fmin(r->actual, r->predicted));
	}
	mp_json_add_num(o, "maximum", max);
	mp_json_add_num(o, "minimum", min);
	cJSON_AddItemToObject(o, "points", pts);
	return o;
}

cJSON *mp_analysis_regression(const double *actual, const double *predicted, size_t n)
{
	static const size_t sample_sizes[3] = { 1000, 500, 100 };
	struct value_pair *rows = xmalloc(mp_mul_size(n, sizeof(*rows)));
	double *a = xmalloc(mp_mul_size(n, sizeof(double)));
	double *p = xmalloc(mp_mul_size(n, sizeof(double)));
	cJSON *body = cJSON_CreateObject(), *summary, *range, *band, *samples;
	double lo = NAN, hi = NAN, err = 0, rmse;
	size_t i, m = 0;
	int s;

	for (i = 0; i < n; i++) {
		if (!isfinite(actual[i]) || !isfinite(predicted[i]))
			continue;
		rows[m].actual = a[m] = actual[i];
		rows[m].predicted = p[m] = predicted[i];
		err += predicted[i] - actual[i];
		lo = m ? fmin(lo, fmin(a[m], p[m])) : fmin(a[m], p[m]);
		hi = m ? fmax(hi, fmax(a[m], p[m])) : fmax(a[m], p[m]);
		m++;
	}
	rmse = mp_rmse(a, p, m);

	summary = cJSON_AddObjectToObject(body, "summary");
	mp_json_add_num(summary, "r_squared", mp_r_squared(a, p, m));
	mp_json_add_num(summary, "squared_correlation", mp_squared_correlation(a, p, m));
	mp_json_add_num(summary, "rmse", rmse);
	mp_json_add_num(summary, "mae", mp_mae(a, p, m));
	add_count(summary, "rows", m);
	add_count(summary, "invalid_rows", n - m);

	add_count(body, "count", m);
	mp_json_add_num(body, "correlation", mp_pearson_correlation(a, p, m));
	mp_json_add_num(body, "mean_error", ratio(err, (double)m));
	/* value_statistics sorts a and p: every metric on the pairs is above. */
	cJSON_AddItemToObject(body, "actual", value_statistics(a, m));
	cJSON_AddItemToObject(body, "predicted", value_statistics(p, m));

	range = cJSON_AddObjectToObject(body, "value_range");
	mp_json_add_num(range, "minimum", lo);
	mp_json_add_num(range, "maximum", hi);
	mp_json_add_num(range, "interval", m ? (hi - lo) / REGRESSION_BUCKETS : NAN);
	cJSON_AddItemToObject(body, "distributions_count", value_buckets(rows, m, lo, hi));

	band = cJSON_AddObjectToObject(body, "confidence_band");
	mp_json_add_num(band, "z_75", rmse * 1.15035);
	mp_json_add_num(band, "z_95", rmse * 1.95996);
	mp_json_add_num(band, "z_99", rmse * 2.57583);

	qsort(rows, m, sizeof(*rows), cmp_pair_by_actual);
	samples = cJSON_AddArrayToObject(body, "regression_distributions");
	for (s = 0; s < 3; s++)
		cJSON_AddItemToArray(samples, scatter_sample(rows, m, sample_sizes[s]));

	free(p);
	free(a);
	free(rows);
	return body;
}
