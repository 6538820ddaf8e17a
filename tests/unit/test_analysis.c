/* test_analysis.c — the evaluation analysis JSON: golden values, the
 * threshold sweep, score buckets, empty groups and unseen labels. */
#include <math.h>
#include <stdlib.h>

#include "analysis.h"
#include "golden.h"
#include "metrics.h"
#include "test.h"

#define TOL 1e-12

static const cJSON *get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* Element i of a number array (NaN for null or missing). */
static double at(const cJSON *arr, int i)
{
	const cJSON *v = cJSON_GetArrayItem(arr, i);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static int is_null_at(const cJSON *arr, int i)
{
	return cJSON_IsNull(cJSON_GetArrayItem(arr, i));
}

/* Every number in the tree is finite (NaN must have become null), and the
 * text parses back. */
static int json_sane(const cJSON *j)
{
	const cJSON *c;

	if (cJSON_IsNumber(j) && !isfinite(j->valuedouble))
		return 0;
	for (c = j->child; c; c = c->next)
		if (!json_sane(c))
			return 0;
	return 1;
}

static void check_printable(const cJSON *body)
{
	char *text = cJSON_PrintUnformatted(body);
	cJSON *back = text ? cJSON_Parse(text) : NULL;

	CHECK(json_sane(body));
	CHECK(text != NULL);
	CHECK(back != NULL);
	if (text) {
		CHECK(!strstr(text, "nan"));
		CHECK(!strstr(text, "inf"));
	}
	cJSON_Delete(back);
	free(text);
}

/* ------------------------------------------------------------------ */
/* Binary                                                              */

TEST(analysis_binary_golden)
{
	cJSON *exp = golden_expected(), *body = NULL;
	struct golden_csv c;
	const cJSON *sum, *sweep, *one, *roc, *acc;
	double *y, *s, max_gap = 0;
	size_t n, i, c1 = 0, c0;
	int t;

	if (!exp || golden_csv_load("binary.csv", &c)) {
		cJSON_Delete(exp);
		return;
	}
	n = c.rows;
	y = malloc(n * sizeof(double));
	s = malloc(n * sizeof(double));
	for (i = 0; i < n; i++) {
		y[i] = golden_num(&c, i, 0);
		s[i] = golden_num(&c, i, 1);
		c1 += y[i] == 1;
	}
	c0 = n - c1;
	body = mp_analysis_binary(y, s, n);
	sum = get(body, "summary");
	CHECK_NEAR(json_num(sum, "auc"), golden_value(exp, "binary", "auc"), TOL);
	CHECK_NEAR(json_num(sum, "ks"), golden_value(exp, "binary", "ks"), TOL);
	CHECK_NEAR(json_num(sum, "log_loss"), golden_value(exp, "binary", "log_loss"), TOL);
	CHECK_NEAR(json_num(sum, "accuracy"),
		   golden_value(exp, "binary", "accuracy_at_0.5 (score >= 0.5 is positive)"), TOL);
	CHECK_INT(json_num(sum, "rows"), golden_value(exp, "binary", "rows"));
	CHECK_INT(json_num(sum, "positives"), golden_value(exp, "binary", "positives"));
	CHECK_INT(json_num(sum, "invalid_rows"), 0);
	CHECK_INT(json_num(body, "actual_0_count"), c0);
	CHECK_NEAR(json_num(body, "actual_1_rate"), (double)c1 / n, TOL);

	/* Scores have 2 decimals, so the 1% buckets are the distinct scores:
	 * the largest cumulative gap is the KS statistic itself. */
	one = get(get(body, "score_distribution"), "one_percent");
	CHECK_INT(cJSON_GetArraySize(get(one, "cumulative_gap")), 101);
	for (t = 0; t < 101; t++)
		if (fabs(at(get(one, "cumulative_gap"), t)) > max_gap)
			max_gap = fabs(at(get(one, "cumulative_gap"), t));
	CHECK_NEAR(max_gap, golden_value(exp, "binary", "ks"), TOL);
	CHECK_NEAR(at(get(one, "cumulative_share_actual_1"), 100), 1.0, 0);
	CHECK_NEAR(at(get(one, "cumulative_share_total"), 100), 1.0, 0);

	/* Every threshold of the sweep against a brute-force count. */
	sweep = get(body, "threshold_sweep");
	roc = get(body, "roc_distribution");
	acc = get(body, "accuracy_distribution");
	CHECK_INT(cJSON_GetArraySize(roc), 101);
	CHECK_INT(cJSON_GetArraySize(acc), 101);
	for (t = 0; t < 101; t++) {
		double thr = t / 100.0, tp = 0, fp = 0, tn = 0, fn = 0;
		const cJSON *r = cJSON_GetArrayItem(roc, t), *a = cJSON_GetArrayItem(acc, t);
		for (i = 0; i < n; i++) {
			int positive = s[i] >= thr;
			tp += positive && y[i] == 1;
			fp += positive && y[i] == 0;
			tn += !positive && y[i] == 0;
			fn += !positive && y[i] == 1;
		}
		CHECK_NEAR(at(get(sweep, "threshold"), t), thr, 0);
		CHECK_NEAR(at(get(sweep, "true_positives"), t), tp, 0);
		CHECK_NEAR(at(get(sweep, "false_positives"), t), fp, 0);
		CHECK_NEAR(at(get(sweep, "true_negatives"), t), tn, 0);
		CHECK_NEAR(at(get(sweep, "false_negatives"), t), fn, 0);
		CHECK_NEAR(at(get(sweep, "share_at_or_above_total"), t), (tp + fp) / n, TOL);
		CHECK_NEAR(json_num(r, "true_positive_rate"), tp / c1, TOL);
		CHECK_NEAR(json_num(r, "false_positive_rate"), fp / c0, TOL);
		CHECK_NEAR(json_num(a, "accuracy_rate"), (tp + tn) / n, TOL);
		CHECK_NEAR(json_num(a, "error_rate"), (fp + fn) / n, TOL);
		CHECK_NEAR(json_num(a, "true_negative_rate"), tn / c0, TOL);
		CHECK_NEAR(json_num(a, "false_negative_rate"), fn / c1, TOL);
	}
	/* Score 0.5 counts as positive, as in the summary accuracy. */
	CHECK_NEAR(json_num(cJSON_GetArrayItem(acc, 50), "accuracy_rate"), json_num(sum, "accuracy"),
		   TOL);
	check_printable(body);
	cJSON_Delete(body);
	free(y);
	free(s);
	golden_csv_free(&c);
	cJSON_Delete(exp);
}

/* Rows (score, label): (0.0, 0) (0.29, 0) (0.3, 1) (0.3, 0) (0.7, 1).
 * At t = 0.30 the two rows scoring exactly 0.3 are predicted positive:
 * TP 2 (0.3, 0.7), FP 1 (0.3), TN 2 (0.0, 0.29), FN 0. (The original left
 * both out of all four counts.) At t = 0 every row, score 0 included, is
 * positive: TP 2, FP 3. At t = 0.31: TP 1, FP 0, TN 3, FN 1. */
TEST(analysis_binary_threshold_equal_score_is_positive)
{
	const double y[5] = { 0, 0, 1, 0, 1 }, s[5] = { 0.0, 0.29, 0.3, 0.3, 0.7 };
	cJSON *body = mp_analysis_binary(y, s, 5);
	const cJSON *sweep = get(body, "threshold_sweep");
	const cJSON *roc30 = cJSON_GetArrayItem(get(body, "roc_distribution"), 30);

	CHECK_NEAR(at(get(sweep, "true_positives"), 30), 2, 0);
	CHECK_NEAR(at(get(sweep, "false_positives"), 30), 1, 0);
	CHECK_NEAR(at(get(sweep, "true_negatives"), 30), 2, 0);
	CHECK_NEAR(at(get(sweep, "false_negatives"), 30), 0, 0);
	CHECK_NEAR(json_num(roc30, "true_positive_rate"), 1.0, TOL);
	CHECK_NEAR(json_num(roc30, "false_positive_rate"), 1.0 / 3, TOL);
	CHECK_NEAR(at(get(sweep, "true_positives"), 0), 2, 0);
	CHECK_NEAR(at(get(sweep, "false_positives"), 0), 3, 0);
	CHECK_NEAR(at(get(sweep, "share_at_or_above_total"), 0), 1.0, 0);
	CHECK_NEAR(at(get(sweep, "true_positives"), 31), 1, 0);
	CHECK_NEAR(at(get(sweep, "false_positives"), 31), 0, 0);
	CHECK_NEAR(at(get(sweep, "true_negatives"), 31), 3, 0);
	CHECK_NEAR(at(get(sweep, "false_negatives"), 31), 1, 0);
	/* 0.29 is in 1% bucket 29 (0.29*100 = 28.999999999999996). */
	CHECK_NEAR(at(get(get(get(body, "score_distribution"), "one_percent"), "actual_0"), 29),
		   1, 0);
	cJSON_Delete(body);
}

/* Bucket placement, clamping and the out-of-range counts. */
TEST(analysis_binary_score_buckets)
{
	const double y[8] = { 1, 0, 1, 0, 1, 0, 1, 0 };
	const double s[8] = { 0.29, 0.15, 1.0, -0.2, 1.3, 0.7, 0.57, 0.94 };
	cJSON *body = mp_analysis_binary(y, s, 8);
	const cJSON *dist = get(body, "score_distribution");
	const cJSON *one = get(dist, "one_percent"), *five = get(dist, "five_percent");
	const cJSON *ten = get(dist, "ten_percent");
	double total = 0;
	int i;

	CHECK_INT(json_num(dist, "below_range_count"), 1);
	CHECK_INT(json_num(dist, "above_range_count"), 1);
	CHECK_INT(json_num(dist, "out_of_range_count"), 2);
	CHECK_INT(cJSON_GetArraySize(get(one, "total")), 101);
	CHECK_INT(cJSON_GetArraySize(get(five, "total")), 21);
	CHECK_INT(cJSON_GetArraySize(get(ten, "total")), 11);
	CHECK_NEAR(json_num(five, "bucket_width"), 0.05, TOL);
	CHECK_NEAR(at(get(five, "bucket_lower_bound"), 3), 0.15, TOL);
	for (i = 0; i < 101; i++)
		total += at(get(one, "total"), i);
	CHECK_NEAR(total, 8, 0); /* nothing lost */
	CHECK_NEAR(at(get(one, "actual_1"), 29), 1, 0);
	CHECK_NEAR(at(get(one, "actual_1"), 57), 1, 0);
	CHECK_NEAR(at(get(one, "actual_0"), 94), 1, 0);
	CHECK_NEAR(at(get(one, "actual_0"), 0), 1, 0);   /* -0.2 clamped */
	CHECK_NEAR(at(get(one, "actual_1"), 100), 2, 0); /* 1.0 and 1.3 */
	CHECK_NEAR(at(get(five, "actual_0"), 3), 1, 0);  /* 0.15 */
	CHECK_NEAR(at(get(five, "actual_1"), 5), 1, 0);  /* 0.29 -> 1% 29 -> 5% 5 */
	CHECK_NEAR(at(get(ten, "actual_0"), 7), 1, 0);   /* 0.7 */
	CHECK_NEAR(at(get(ten, "actual_0"), 9), 1, 0);   /* 0.94 */
	/* Rates per bucket; an empty bucket's rate is null, not 0/0. */
	CHECK_NEAR(at(get(one, "actual_1_rate"), 100), 1.0, 0);
	CHECK(is_null_at(get(one, "actual_1_rate"), 50));
	/* Cumulative shares: one negative (-0.2) of four in bucket 0. */
	CHECK_NEAR(at(get(one, "cumulative_share_actual_0"), 0), 0.25, TOL);
	CHECK_NEAR(at(get(one, "cumulative_share_actual_1"), 0), 0, 0);
	CHECK_NEAR(at(get(one, "cumulative_gap"), 0), 0.25, TOL);
	CHECK_NEAR(at(get(ten, "cumulative_share_actual_0"), 10), 1.0, 0);
	check_printable(body);
	cJSON_Delete(body);
}

/* Group statistics: positives {0.2, 0.6, 0.9} (median 0.6), negatives
 * {0.1, 0.4} (median 0.25), all {0.1, 0.2, 0.4, 0.6, 0.9} (median 0.4). */
TEST(analysis_binary_score_statistics)
{
	const double y[5] = { 1, 0, 1, 0, 1 }, s[5] = { 0.9, 0.4, 0.2, 0.1, 0.6 };
	cJSON *body = mp_analysis_binary(y, s, 5);
	const cJSON *st = get(body, "score_statistics");
	const cJSON *p = get(st, "actual_1"), *q = get(st, "actual_0"), *t = get(st, "total");

	CHECK_INT(json_num(p, "count"), 3);
	CHECK_NEAR(json_num(p, "mean"), (0.9 + 0.2 + 0.6) / 3, TOL);
	CHECK_NEAR(json_num(p, "median"), 0.6, 0);
	CHECK_NEAR(json_num(p, "minimum"), 0.2, 0);
	CHECK_NEAR(json_num(p, "maximum"), 0.9, 0);
	CHECK_NEAR(json_num(q, "median"), 0.25, TOL);
	CHECK_NEAR(json_num(t, "median"), 0.4, 0);
	CHECK_INT(json_num(t, "count"), 5);
	/* Pairs: 0.9 beats both, 0.6 both, 0.2 beats 0.1: AUC 5/6. */
	CHECK_NEAR(json_num(get(body, "summary"), "auc"), 5.0 / 6, TOL);
	cJSON_Delete(body);
}

/* No negatives: AUC and KS undefined (null), the negative group's
 * statistics and cumulative shares null; nothing NaN, nothing crashes. */
TEST(analysis_binary_single_class)
{
	const double y[3] = { 1, 1, 1 }, s[3] = { 0.2, 0.5, 0.9 };
	cJSON *body = mp_analysis_binary(y, s, 3);
	const cJSON *sum = get(body, "summary"), *one, *r;

	CHECK(json_is_null(sum, "auc"));
	CHECK(json_is_null(sum, "ks"));
	CHECK_NEAR(json_num(sum, "accuracy"), 2.0 / 3, TOL);
	CHECK_INT(json_num(sum, "negatives"), 0);
	CHECK(json_is_null(get(get(body, "score_statistics"), "actual_0"), "mean"));
	CHECK(json_is_null(get(get(body, "score_statistics"), "actual_0"), "median"));
	CHECK_INT(json_num(get(get(body, "score_statistics"), "actual_0"), "count"), 0);
	one = get(get(body, "score_distribution"), "one_percent");
	CHECK(is_null_at(get(one, "cumulative_share_actual_0"), 100));
	CHECK(is_null_at(get(one, "cumulative_gap"), 100));
	CHECK_NEAR(at(get(one, "cumulative_share_actual_1"), 100), 1.0, 0);
	r = cJSON_GetArrayItem(get(body, "roc_distribution"), 10);
	CHECK(json_is_null(r, "false_positive_rate"));
	CHECK_NEAR(json_num(r, "true_positive_rate"), 1.0, 0);
	check_printable(body);
	cJSON_Delete(body);
}

TEST(analysis_binary_empty)
{
	cJSON *body = mp_analysis_binary(NULL, NULL, 0);
	const cJSON *sum = get(body, "summary");

	CHECK_INT(json_num(sum, "rows"), 0);
	CHECK(json_is_null(sum, "auc"));
	CHECK(json_is_null(sum, "accuracy"));
	CHECK(json_is_null(sum, "log_loss"));
	CHECK(json_is_null(body, "actual_1_rate"));
	CHECK_INT(cJSON_GetArraySize(get(body, "roc_distribution")), 101);
	CHECK(json_is_null(cJSON_GetArrayItem(get(body, "accuracy_distribution"), 0),
			   "accuracy_rate"));
	check_printable(body);
	cJSON_Delete(body);
}

/* Label 2, a NaN label and a NaN score are invalid rows: counted, left
 * out (the original counted any non-0 label as positive). */
TEST(analysis_binary_invalid_rows)
{
	const double y[6] = { 1, 0, 2, NAN, 1, 0 }, s[6] = { 0.8, 0.2, 0.5, 0.5, NAN, 0.6 };
	cJSON *body = mp_analysis_binary(y, s, 6);
	const cJSON *sum = get(body, "summary");

	CHECK_INT(json_num(sum, "rows"), 3);
	CHECK_INT(json_num(sum, "invalid_rows"), 3);
	CHECK_INT(json_num(sum, "positives"), 1);
	CHECK_INT(json_num(body, "total_count"), 3);
	CHECK_NEAR(json_num(sum, "auc"), 1.0, TOL);
	cJSON_Delete(body);
}

/* ------------------------------------------------------------------ */
/* Categorical                                                         */

TEST(analysis_categorical_golden)
{
	static char *names[3] = { "alpha", "beta", "gamma" };
	cJSON *exp = golden_expected(), *body;
	const cJSON *cat, *sum, *per_class, *matrix, *counts;
	struct golden_csv c;
	size_t n, i;
	int *actual, a, p;
	double *prob;

	if (!exp || golden_csv_load("categorical.csv", &c)) {
		cJSON_Delete(exp);
		return;
	}
	n = c.rows;
	actual = malloc(n * sizeof(int));
	prob = malloc(n * 3 * sizeof(double));
	for (i = 0; i < n; i++) {
		for (a = 0; a < 3; a++) {
			if (!strcmp(golden_cell(&c, i, 0), names[a]))
				actual[i] = a;
			prob[i * 3 + a] = golden_num(&c, i, 2 + (size_t)a);
		}
	}
	body = mp_analysis_categorical(actual, prob, n, 3, names);
	cat = get(exp, "categorical");
	sum = get(body, "summary");
	CHECK_NEAR(json_num(sum, "accuracy"), json_num(cat, "accuracy"), TOL);
	CHECK_NEAR(json_num(sum, "macro_f1"), json_num(cat, "macro_f1"), TOL);
	CHECK_NEAR(json_num(sum, "log_loss"),
		   json_num(cat, "log_loss (probabilities as written, 6 decimals, renormalised)"),
		   TOL);
	CHECK_INT(json_num(sum, "rows"), json_num(cat, "rows"));
	CHECK_INT(json_num(sum, "unknown_label_count"), 0);
	CHECK_STR(cJSON_GetArrayItem(get(body, "categories"), 2)->valuestring, "gamma");
	per_class = get(body, "per_class");
	for (a = 0; a < 3; a++) {
		const cJSON *got = get(per_class, names[a]);
		const cJSON *want = get(get(cat, "per_class"), names[a]);
		CHECK(got != NULL);
		CHECK_NEAR(json_num(got, "precision"), json_num(want, "precision"), TOL);
		CHECK_NEAR(json_num(got, "recall"), json_num(want, "recall"), TOL);
		CHECK_NEAR(json_num(got, "f1"), json_num(want, "f1"), TOL);
		CHECK_INT(json_num(got, "support"), json_num(want, "support"));
		CHECK_NEAR(json_num(got, "observation_rate"), json_num(want, "support") / n, TOL);
	}
	matrix = get(cat, "confusion_rows_actual_cols_predicted");
	counts = get(get(body, "confusion_matrix"), "counts");
	for (a = 0; a < 3; a++) {
		double row_total = 0;
		for (p = 0; p < 3; p++) {
			CHECK_NEAR(at(cJSON_GetArrayItem(counts, a), p),
				   at(cJSON_GetArrayItem(matrix, a), p), 0);
			row_total += at(cJSON_GetArrayItem(matrix, a), p);
		}
		for (p = 0; p < 3; p++)
			CHECK_NEAR(at(cJSON_GetArrayItem(get(get(body, "confusion_matrix"),
								 "row_rates"), a), p),
				   at(cJSON_GetArrayItem(matrix, a), p) / row_total, TOL);
	}
	check_printable(body);
	cJSON_Delete(body);
	free(actual);
	free(prob);
	golden_csv_free(&c);
	cJSON_Delete(exp);
}

/* k = 2 (a, b), rows (actual, probabilities -> prediction):
 *   a [.9 .1] -> a   right
 *   b [.3 .7] -> b   right
 *   unseen (code 2) [.4 .6] -> b   wrong (false positive of b)
 *   b [.8 .2] -> a   wrong
 *   unseen (code 7, also outside the classes) [.5 .5] -> a (tie: lowest)
 * accuracy 2/5. a: TP 1, FP 2 (row 4, row 5), FN 0 -> P 1/3, R 1, F1 1/2.
 * b: TP 1, FP 1, FN 1 -> P 1/2, R 1/2, F1 1/2. macro F1 1/2.
 * log loss over the 3 known rows: -(ln .9 + ln .7 + ln .2)/3. */
TEST(analysis_categorical_unknown_labels)
{
	static char *names[2] = { "a", "b" };
	const int actual[5] = { 0, 1, 2, 1, 7 };
	const double prob[10] = { 0.9, 0.1, 0.3, 0.7, 0.4, 0.6, 0.8, 0.2, 0.5, 0.5 };
	cJSON *body = mp_analysis_categorical(actual, prob, 5, 2, names);
	const cJSON *sum = get(body, "summary"), *a = get(get(body, "per_class"), "a");
	const cJSON *b = get(get(body, "per_class"), "b"), *unk = get(body, "unknown_label");
	const cJSON *counts = get(get(body, "confusion_matrix"), "counts");

	CHECK_INT(json_num(sum, "rows"), 5);
	CHECK_INT(json_num(sum, "unknown_label_count"), 2);
	CHECK_INT(json_num(sum, "invalid_rows"), 0);
	CHECK_NEAR(json_num(sum, "accuracy"), 0.4, TOL);
	CHECK_NEAR(json_num(sum, "macro_f1"), 0.5, TOL);
	CHECK_NEAR(json_num(sum, "log_loss"), -(log(0.9) + log(0.7) + log(0.2)) / 3, TOL);
	CHECK_INT(json_num(a, "false_positives"), 2);
	CHECK_INT(json_num(a, "false_negatives"), 0);
	CHECK_INT(json_num(a, "predicted_count"), 3);
	CHECK_NEAR(json_num(a, "precision"), 1.0 / 3, TOL);
	CHECK_NEAR(json_num(a, "prediction_rate"), 0.6, TOL);
	CHECK_INT(json_num(b, "false_negatives"), 1);
	CHECK_NEAR(json_num(b, "f1"), 0.5, TOL);
	CHECK_INT(json_num(b, "support"), 2);
	CHECK_NEAR(json_num(b, "observation_rate"), 0.4, TOL);
	CHECK_INT(json_num(unk, "count"), 2);
	CHECK_NEAR(at(get(unk, "predicted_counts"), 0), 1, 0);
	CHECK_NEAR(at(get(unk, "predicted_counts"), 1), 1, 0);
	/* The matrix holds the 3 known rows only. */
	CHECK_NEAR(at(cJSON_GetArrayItem(counts, 0), 0), 1, 0);
	CHECK_NEAR(at(cJSON_GetArrayItem(counts, 1), 0), 1, 0);
	CHECK_NEAR(at(cJSON_GetArrayItem(counts, 1), 1), 1, 0);
	check_printable(body);
	cJSON_Delete(body);
}

/* Class "c" is neither present nor predicted: listed with F1 0, macro F1
 * (1 + 1 + 0)/3, its confusion row_rates null; the NaN row is invalid. */
TEST(analysis_categorical_empty_class_and_invalid_row)
{
	static char *names[3] = { "a", "b", "c" };
	const int actual[3] = { 0, 1, 0 };
	const double prob[9] = { 0.7, 0.2, 0.1, 0.1, 0.8, 0.1, NAN, 0.5, 0.5 };
	cJSON *body = mp_analysis_categorical(actual, prob, 3, 3, names);
	const cJSON *sum = get(body, "summary"), *cc = get(get(body, "per_class"), "c");

	CHECK_INT(json_num(sum, "rows"), 2);
	CHECK_INT(json_num(sum, "invalid_rows"), 1);
	CHECK_NEAR(json_num(sum, "accuracy"), 1.0, 0);
	CHECK_NEAR(json_num(sum, "macro_f1"), 2.0 / 3, TOL);
	CHECK_NEAR(json_num(sum, "balanced_accuracy"), 1.0, TOL);
	CHECK(cc != NULL);
	CHECK_NEAR(json_num(cc, "f1"), 0, 0);
	CHECK_NEAR(json_num(cc, "precision"), 0, 0);
	CHECK_INT(json_num(cc, "support"), 0);
	CHECK(is_null_at(get(get(body, "confusion_matrix"), "row_rates"), 2));
	check_printable(body);
	cJSON_Delete(body);
}

/* Given predictions and no probabilities: log loss null; names default to
 * the codes; a prediction outside the classes is an invalid row. */
TEST(analysis_categorical_predicted_variant)
{
	const int actual[4] = { 0, 1, 1, 0 }, pred[4] = { 0, 1, 0, 5 };
	cJSON *body = mp_analysis_categorical_predicted(actual, pred, NULL, 4, 2, NULL);
	const cJSON *sum = get(body, "summary");

	CHECK(json_is_null(sum, "log_loss"));
	CHECK_INT(json_num(sum, "rows"), 3);
	CHECK_INT(json_num(sum, "invalid_rows"), 1);
	CHECK_NEAR(json_num(sum, "accuracy"), 2.0 / 3, TOL);
	CHECK_STR(cJSON_GetArrayItem(get(body, "categories"), 1)->valuestring, "1");
	CHECK(get(get(body, "per_class"), "0") != NULL);
	cJSON_Delete(body);
}

TEST(analysis_categorical_empty)
{
	static char *names[2] = { "a", "b" };
	cJSON *body = mp_analysis_categorical(NULL, NULL, 0, 2, names);
	const cJSON *sum = get(body, "summary");

	CHECK_INT(json_num(sum, "rows"), 0);
	CHECK(json_is_null(sum, "accuracy"));
	CHECK(json_is_null(sum, "macro_f1"));
	CHECK(json_is_null(sum, "log_loss"));
	CHECK(json_is_null(get(get(body, "per_class"), "a"), "observation_rate"));
	check_printable(body);
	cJSON_Delete(body);
}

/* ------------------------------------------------------------------ */
/* Regression                                                          */

TEST(analysis_regression_golden)
{
	cJSON *exp = golden_expected(), *body;
	const cJSON *sum, *buckets;
	struct golden_csv c;
	double *a, *p, in_buckets = 0;
	size_t i;

	if (!exp || golden_csv_load("regression.csv", &c)) {
		cJSON_Delete(exp);
		return;
	}
	a = malloc(c.rows * sizeof(double));
	p = malloc(c.rows * sizeof(double));
	for (i = 0; i < c.rows; i++) {
		a[i] = golden_num(&c, i, 0);
		p[i] = golden_num(&c, i, 1);
	}
	body = mp_analysis_regression(a, p, c.rows);
	sum = get(body, "summary");
	CHECK_NEAR(json_num(sum, "r_squared"),
		   golden_value(exp, "regression", "r_squared (1 - SSE/SST)"), TOL);
	CHECK_NEAR(json_num(sum, "squared_correlation"),
		   golden_value(exp, "regression", "squared_correlation"), TOL);
	CHECK_NEAR(json_num(sum, "rmse"), golden_value(exp, "regression", "rmse"), TOL);
	CHECK_NEAR(json_num(sum, "mae"), golden_value(exp, "regression", "mae"), TOL);
	CHECK_INT(json_num(sum, "rows"), golden_value(exp, "regression", "rows"));
	CHECK_NEAR(json_num(get(body, "confidence_band"), "z_95"),
		   1.95996 * golden_value(exp, "regression", "rmse"), 1e-9);
	/* Every row, zeros included, is in a bucket (the original skipped 0). */
	buckets = get(body, "distributions_count");
	CHECK_INT(cJSON_GetArraySize(buckets), 10);
	for (i = 0; i < 10; i++)
		in_buckets += json_num(cJSON_GetArrayItem(buckets, (int)i), "actual");
	CHECK_NEAR(in_buckets, (double)c.rows, 0);
	/* 150 rows <= 1001: the 1000-point sample is every row once. */
	CHECK_INT(cJSON_GetArraySize(get(cJSON_GetArrayItem(get(body, "regression_distributions"),
							      0), "points")),
		  150);
	CHECK_INT(cJSON_GetArraySize(get(cJSON_GetArrayItem(get(body, "regression_distributions"),
							      2), "points")),
		  101);
	check_printable(body);
	cJSON_Delete(body);
	free(a);
	free(p);
	golden_csv_free(&c);
	cJSON_Delete(exp);
}

/* a = [0, 10, 20, 30], p = [0, 12, 18, 40]: the range over both is 0..40,
 * interval 4. Buckets (floor(v/4), top edge in the last): actual 0 -> 0,
 * 10 -> 2, 20 -> 5, 30 -> 7; predicted 0 -> 0, 12 -> 3, 18 -> 4, 40 -> 9.
 * SSE = 0 + 4 + 4 + 100 = 108, SST = 500: R² = 1 - 108/500 = 0.784.
 * mean_error = (0 + 2 - 2 + 10)/4 = 2.5. sd(actual) = sqrt(500/3). */
TEST(analysis_regression_hand)
{
	const double a[4] = { 0, 10, 20, 30 }, p[4] = { 0, 12, 18, 40 };
	cJSON *body = mp_analysis_regression(a, p, 4);
	const cJSON *b = get(body, "distributions_count"), *act = get(body, "actual");
	const cJSON *pts;
	static const int actual_bucket[10] = { 1, 0, 1, 0, 0, 1, 0, 1, 0, 0 };
	static const int predicted_bucket[10] = { 1, 0, 0, 1, 1, 0, 0, 0, 0, 1 };
	int i;

	CHECK_NEAR(json_num(get(body, "summary"), "r_squared"), 0.784, TOL);
	CHECK_NEAR(json_num(get(body, "summary"), "rmse"), sqrt(108.0 / 4), TOL);
	CHECK_NEAR(json_num(body, "mean_error"), 2.5, TOL);
	CHECK_NEAR(json_num(get(body, "value_range"), "interval"), 4, TOL);
	CHECK_NEAR(json_num(get(body, "value_range"), "maximum"), 40, 0);
	CHECK_NEAR(json_num(act, "median"), 15, 0);
	CHECK_NEAR(json_num(act, "standard_deviation"), sqrt(500.0 / 3), TOL);
	CHECK_NEAR(json_num(get(body, "predicted"), "maximum"), 40, 0); /* not ceil'd */
	for (i = 0; i < 10; i++) {
		const cJSON *o = cJSON_GetArrayItem(b, i);
		CHECK_INT(json_num(o, "actual"), actual_bucket[i]);
		CHECK_INT(json_num(o, "predicted"), predicted_bucket[i]);
		CHECK_NEAR(json_num(o, "lower"), 4.0 * i, TOL);
	}
	CHECK_STR(get(cJSON_GetArrayItem(b, 2), "label")->valuestring, "8 to 12");
	pts = get(cJSON_GetArrayItem(get(body, "regression_distributions"), 0), "points");
	CHECK_INT(cJSON_GetArraySize(pts), 4);
	CHECK_NEAR(json_num(cJSON_GetArrayItem(pts, 3), "predicted"), 40, 0);
	cJSON_Delete(body);
}

/* 2000 rows a = i: the 100-point sample has 101 points, point j = row
 * floor(j*2000/101), sorted by actual. */
TEST(analysis_regression_sample_points)
{
	double *a = malloc(2000 * sizeof(double)), *p = malloc(2000 * sizeof(double));
	cJSON *body;
	const cJSON *s100, *pts;
	int i;

	for (i = 0; i < 2000; i++) {
		a[i] = 1999 - i; /* given in descending order */
		p[i] = 2 * a[i];
	}
	body = mp_analysis_regression(a, p, 2000);
	s100 = cJSON_GetArrayItem(get(body, "regression_distributions"), 2);
	pts = get(s100, "points");
	CHECK_INT(json_num(s100, "points_requested"), 100);
	CHECK_INT(cJSON_GetArraySize(pts), 101);
	for (i = 0; i < 101; i++)
		CHECK_NEAR(json_num(cJSON_GetArrayItem(pts, i), "actual"), (i * 2000) / 101, 0);
	CHECK_INT(cJSON_GetArraySize(get(cJSON_GetArrayItem(get(body, "regression_distributions"),
							      0), "points")),
		  1001);
	CHECK_NEAR(json_num(s100, "maximum"), 2 * ((100 * 2000) / 101), 0);
	CHECK_NEAR(json_num(get(body, "summary"), "squared_correlation"), 1.0, TOL);
	cJSON_Delete(body);
	free(a);
	free(p);
}

/* Constant actual values: R² (SST = 0) and squared correlation null;
 * every value equal: interval 0, all rows in the first bucket, no crash. */
TEST(analysis_regression_constant)
{
	const double a[3] = { 5, 5, 5 }, p[3] = { 4, 5, 6 };
	cJSON *body = mp_analysis_regression(a, p, 3), *same;
	const cJSON *sum = get(body, "summary");

	CHECK(json_is_null(sum, "r_squared"));
	CHECK(json_is_null(sum, "squared_correlation"));
	CHECK(json_is_null(body, "correlation"));
	CHECK_NEAR(json_num(sum, "rmse"), sqrt(2.0 / 3), TOL);
	check_printable(body);
	cJSON_Delete(body);

	same = mp_analysis_regression(a, a, 3);
	CHECK_NEAR(json_num(get(same, "value_range"), "interval"), 0, 0);
	CHECK_INT(json_num(cJSON_GetArrayItem(get(same, "distributions_count"), 0), "actual"), 3);
	CHECK_INT(json_num(cJSON_GetArrayItem(get(same, "distributions_count"), 0), "predicted"),
		  3);
	CHECK_NEAR(json_num(get(same, "summary"), "rmse"), 0, 0);
	check_printable(same);
	cJSON_Delete(same);
}

TEST(analysis_regression_empty_and_invalid)
{
	const double a[2] = { NAN, 1 }, p[2] = { 1, INFINITY };
	cJSON *body = mp_analysis_regression(a, p, 2);
	const cJSON *sum = get(body, "summary");

	CHECK_INT(json_num(sum, "rows"), 0);
	CHECK_INT(json_num(sum, "invalid_rows"), 2);
	CHECK(json_is_null(sum, "r_squared"));
	CHECK(json_is_null(sum, "rmse"));
	CHECK(json_is_null(get(body, "actual"), "median"));
	CHECK(json_is_null(get(body, "value_range"), "interval"));
	CHECK_INT(cJSON_GetArraySize(get(body, "distributions_count")), 0);
	check_printable(body);
	cJSON_Delete(body);
}
