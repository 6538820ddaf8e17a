/* test_metrics.c — scalar metrics against scikit-learn (shared/golden) and
 * small cases worked by hand. */
#include <math.h>
#include <stdlib.h>

#include "golden.h"
#include "metrics.h"
#include "test.h"

#define TOL 1e-12

/* Columns of binary.csv as arrays. */
static int load_binary(double **label, double **score, size_t *n)
{
	struct golden_csv c;
	size_t i;

	if (golden_csv_load("binary.csv", &c))
		return -1;
	*n = c.rows;
	*label = malloc(c.rows * sizeof(double));
	*score = malloc(c.rows * sizeof(double));
	for (i = 0; i < c.rows; i++) {
		(*label)[i] = golden_num(&c, i, 0);
		(*score)[i] = golden_num(&c, i, 1);
	}
	golden_csv_free(&c);
	return 0;
}

static int class_code(const char *name)
{
	static const char *const names[3] = { "alpha", "beta", "gamma" };
	int k;

	for (k = 0; k < 3; k++)
		if (!strcmp(name, names[k]))
			return k;
	return -1;
}

TEST(metrics_golden_binary)
{
	cJSON *exp = golden_expected();
	double *y = NULL, *s = NULL, pos = 0;
	size_t n = 0, i;

	if (!exp || load_binary(&y, &s, &n))
		goto out;
	for (i = 0; i < n; i++)
		pos += y[i];
	CHECK_INT(n, golden_value(exp, "binary", "rows"));
	CHECK_INT(pos, golden_value(exp, "binary", "positives"));
	CHECK_NEAR(mp_roc_auc(y, s, n), golden_value(exp, "binary", "auc"), TOL);
	CHECK_NEAR(mp_ks_statistic(y, s, n), golden_value(exp, "binary", "ks"), TOL);
	CHECK_NEAR(mp_log_loss_binary(y, s, n), golden_value(exp, "binary", "log_loss"), TOL);
	CHECK_NEAR(mp_accuracy_binary(y, s, n, 0.5),
		   golden_value(exp, "binary", "accuracy_at_0.5 (score >= 0.5 is positive)"), TOL);
out:
	free(y);
	free(s);
	cJSON_Delete(exp);
}

TEST(metrics_golden_binary_constant_scores)
{
	cJSON *exp = golden_expected();
	double *y = NULL, *s = NULL;
	size_t n = 0, i;

	if (!exp || load_binary(&y, &s, &n))
		goto out;
	for (i = 0; i < n; i++)
		s[i] = 0.3;
	CHECK_NEAR(mp_roc_auc(y, s, n), golden_value(exp, "binary_constant_scores", "auc"), TOL);
	CHECK_NEAR(mp_ks_statistic(y, s, n), golden_value(exp, "binary_constant_scores", "ks"),
		   TOL);
out:
	free(y);
	free(s);
	cJSON_Delete(exp);
}

TEST(metrics_golden_categorical)
{
	static const char *const names[3] = { "alpha", "beta", "gamma" };
	cJSON *exp = golden_expected();
	const cJSON *cat, *matrix, *per_class;
	struct golden_csv c;
	struct mp_class_metrics m[3];
	size_t counts[9], n, i;
	int *actual = NULL, *pred = NULL, a, p;
	double *prob = NULL;

	if (!exp || golden_csv_load("categorical.csv", &c)) {
		cJSON_Delete(exp);
		return;
	}
	n = c.rows;
	actual = malloc(n * sizeof(int));
	pred = malloc(n * sizeof(int));
	prob = malloc(n * 3 * sizeof(double));
	for (i = 0; i < n; i++) {
		actual[i] = class_code(golden_cell(&c, i, 0));
		pred[i] = class_code(golden_cell(&c, i, 1));
		for (a = 0; a < 3; a++)
			prob[i * 3 + a] = golden_num(&c, i, 2 + (size_t)a);
		/* The written (6-decimal) probabilities still pick the same class. */
		CHECK_INT(mp_argmax(prob + i * 3, 3), pred[i]);
	}
	cat = cJSON_GetObjectItemCaseSensitive(exp, "categorical");
	CHECK_INT(n, json_num(cat, "rows"));
	CHECK_NEAR(mp_accuracy(actual, pred, n), json_num(cat, "accuracy"), TOL);
	CHECK_NEAR(mp_log_loss_multi(actual, prob, n, 3),
		   json_num(cat, "log_loss (probabilities as written, 6 decimals, renormalised)"),
		   TOL);

	CHECK_INT(mp_confusion_matrix(actual, pred, n, 3, counts), n);
	matrix = cJSON_GetObjectItemCaseSensitive(cat, "confusion_rows_actual_cols_predicted");
	CHECK_INT(cJSON_GetArraySize(matrix), 3);
	for (a = 0; a < 3; a++)
		for (p = 0; p < 3; p++)
			CHECK_INT(counts[a * 3 + p],
				  cJSON_GetArrayItem(cJSON_GetArrayItem(matrix, a), p)->valueint);

	mp_class_metrics(actual, pred, n, 3, m);
	CHECK_NEAR(mp_macro_f1(m, 3), json_num(cat, "macro_f1"), TOL);
	per_class = cJSON_GetObjectItemCaseSensitive(cat, "per_class");
	for (a = 0; a < 3; a++) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(per_class, names[a]);
		CHECK(e != NULL);
		CHECK_NEAR(m[a].precision, json_num(e, "precision"), TOL);
		CHECK_NEAR(m[a].recall, json_num(e, "recall"), TOL);
		CHECK_NEAR(m[a].f1, json_num(e, "f1"), TOL);
		CHECK_INT(m[a].support, json_num(e, "support"));
		/* The four counts partition the rows. */
		CHECK_INT(m[a].true_positives + m[a].false_positives + m[a].false_negatives +
				  m[a].true_negatives,
			  n);
	}
	free(actual);
	free(pred);
	free(prob);
	golden_csv_free(&c);
	cJSON_Delete(exp);
}

TEST(metrics_golden_regression)
{
	cJSON *exp = golden_expected();
	struct golden_csv c;
	double *a, *p;
	size_t i, zeros = 0;

	if (!exp || golden_csv_load("regression.csv", &c)) {
		cJSON_Delete(exp);
		return;
	}
	a = malloc(c.rows * sizeof(double));
	p = malloc(c.rows * sizeof(double));
	for (i = 0; i < c.rows; i++) {
		a[i] = golden_num(&c, i, 0);
		p[i] = golden_num(&c, i, 1);
		zeros += a[i] == 0 || p[i] == 0;
	}
	CHECK(zeros >= 10); /* the rows the original skipped are there */
	CHECK_INT(c.rows, golden_value(exp, "regression", "rows"));
	CHECK_NEAR(mp_r_squared(a, p, c.rows),
		   golden_value(exp, "regression", "r_squared (1 - SSE/SST)"), TOL);
	CHECK_NEAR(mp_squared_correlation(a, p, c.rows),
		   golden_value(exp, "regression", "squared_correlation"), TOL);
	CHECK_NEAR(mp_rmse(a, p, c.rows), golden_value(exp, "regression", "rmse"), TOL);
	CHECK_NEAR(mp_mae(a, p, c.rows), golden_value(exp, "regression", "mae"), TOL);
	free(a);
	free(p);
	golden_csv_free(&c);
	cJSON_Delete(exp);
}

/* Positives score {0.5, 0.3}, negatives {0.5, 0.1}. Of the 4 pairs,
 * (0.5 vs 0.5) is a tie = 1/2, (0.5 vs 0.1) and (0.3 vs 0.1) are wins,
 * (0.3 vs 0.5) a loss: AUC = 2.5/4 = 0.625 (sklearn roc_auc_score: 0.625).
 * KS, thresholds descending: t=0.5 TPR 1/2 FPR 1/2; t=0.3 TPR 1 FPR 1/2;
 * t=0.1 TPR 1 FPR 1: max gap 0.5.
 * Log loss = -(ln .5 + ln .3 + ln .5 + ln .9)/4 = 0.6739069202759133
 * (/usr/bin/python3: sklearn.metrics.log_loss([1,1,0,0],[.5,.3,.5,.1])).
 * Accuracy at 0.5 (>= positive): 0.5 right, 0.3 wrong, 0.5 wrong, 0.1 right. */
TEST(metrics_binary_hand_tie)
{
	const double y[4] = { 1, 1, 0, 0 }, s[4] = { 0.5, 0.3, 0.5, 0.1 };

	CHECK_NEAR(mp_roc_auc(y, s, 4), 0.625, TOL);
	CHECK_NEAR(mp_ks_statistic(y, s, 4), 0.5, TOL);
	CHECK_NEAR(mp_log_loss_binary(y, s, 4), 0.6739069202759133, TOL);
	CHECK_NEAR(mp_accuracy_binary(y, s, 4, 0.5), 0.5, TOL);
}

TEST(metrics_binary_perfect_and_inverted)
{
	const double y[4] = { 0, 0, 1, 1 }, s[4] = { 0.1, 0.2, 0.8, 0.9 };
	const double r[4] = { 0.9, 0.8, 0.2, 0.1 };

	CHECK_NEAR(mp_roc_auc(y, s, 4), 1.0, TOL);
	CHECK_NEAR(mp_ks_statistic(y, s, 4), 1.0, TOL);
	CHECK_NEAR(mp_roc_auc(y, r, 4), 0.0, TOL);
	/* |TPR - FPR|: a perfectly inverted model separates just as well. */
	CHECK_NEAR(mp_ks_statistic(y, r, 4), 1.0, TOL);
}

TEST(metrics_binary_constant_scores)
{
	const double y[5] = { 0, 1, 0, 1, 1 }, s[5] = { 0.4, 0.4, 0.4, 0.4, 0.4 };

	CHECK_NEAR(mp_roc_auc(y, s, 5), 0.5, TOL);
	CHECK_NEAR(mp_ks_statistic(y, s, 5), 0.0, TOL);
}

TEST(metrics_binary_single_class_and_empty)
{
	const double y[3] = { 1, 1, 1 }, s[3] = { 0.2, 0.5, 0.9 };

	CHECK(isnan(mp_roc_auc(y, s, 3)));
	CHECK(isnan(mp_ks_statistic(y, s, 3)));
	/* Defined with one class: mean of -ln p = -(ln .2 + ln .5 + ln .9)/3. */
	CHECK_NEAR(mp_log_loss_binary(y, s, 3), -(log(0.2) + log(0.5) + log(0.9)) / 3, TOL);
	CHECK_NEAR(mp_accuracy_binary(y, s, 3, 0.5), 2.0 / 3, TOL);

	CHECK(isnan(mp_roc_auc(y, s, 0)));
	CHECK(isnan(mp_ks_statistic(y, s, 0)));
	CHECK(isnan(mp_log_loss_binary(y, s, 0)));
	CHECK(isnan(mp_accuracy_binary(y, s, 0, 0.5)));
}

/* Labels other than exactly 0/1 and non-finite scores are left out: the
 * valid rows are the hand-tie case above. */
TEST(metrics_binary_invalid_rows_skipped)
{
	const double y[7] = { 1, 1, 0, 0, 2, NAN, 1 };
	const double s[7] = { 0.5, 0.3, 0.5, 0.1, 0.9, 0.9, NAN };

	CHECK(!mp_binary_row_is_valid(2, 0.5));
	CHECK(!mp_binary_row_is_valid(NAN, 0.5));
	CHECK(!mp_binary_row_is_valid(1, INFINITY));
	CHECK(mp_binary_row_is_valid(0, -3));
	CHECK_NEAR(mp_roc_auc(y, s, 7), 0.625, TOL);
	CHECK_NEAR(mp_ks_statistic(y, s, 7), 0.5, TOL);
	CHECK_NEAR(mp_log_loss_binary(y, s, 7), 0.6739069202759133, TOL);
	CHECK_NEAR(mp_accuracy_binary(y, s, 7, 0.5), 0.5, TOL);
}

/* Scores outside [0,1] rank like others; log loss clips them to
 * [1e-15, 1 - 1e-15]: label 1 at p = -0.5 costs -ln(1e-15) =
 * 34.538776394910684; label 0 at p = 1.5 costs -ln(1 - (1 - 1e-15)) (the
 * double nearest 1 - 1e-15 leaves 1.11e-15: 34.43); label 1 at 2.0 costs
 * -ln(1 - 1e-15). (sklearn 1.2's log_loss clips at machine epsilon
 * 2.2e-16 by default, so it gives 24.03 here; the golden file clips at
 * 1e-15 before calling it.) */
TEST(metrics_binary_scores_out_of_range)
{
	const double y[3] = { 1, 0, 1 }, s[3] = { -0.5, 1.5, 2.0 };
	double expected = (34.538776394910684 - log(1 - (1 - 1e-15)) - log(1 - 1e-15)) / 3;

	/* Pairs (pos, neg): (-0.5 vs 1.5) loss, (2.0 vs 1.5) win: AUC 1/2. */
	CHECK_NEAR(mp_roc_auc(y, s, 3), 0.5, TOL);
	CHECK_NEAR(mp_log_loss_binary(y, s, 3), expected, TOL);
	CHECK_NEAR(mp_log_loss_binary(y, s, 3), 23.026117462417186, 1e-9);
}

/* Rows: [.6,.3,.3] label 0 -> renormalised 0.5 -> ln 2; [.2,.2,.6] label
 * 1 -> -ln 0.2; label 3 (unseen) and the NaN row are skipped.
 * sklearn log_loss([0,1],[[.6,.3,.3],[.2,.2,.6]],labels=[0,1,2]) =
 * 1.1512925464970227. A zero probability is clipped, not infinite. Values
 * are clipped before renormalising (as sklearn): [2,1,1] -> 1/3 each. */
TEST(metrics_log_loss_multi)
{
	const int label[4] = { 0, 1, 3, 2 };
	const double prob[12] = { 0.6, 0.3, 0.3, 0.2, 0.2, 0.6, 0.3, 0.3, 0.4, NAN, 0.5, 0.5 };
	const int one[1] = { 0 };
	const double zero_row[3] = { 0, 0.5, 0.5 }, over_one[3] = { 2, 1, 1 };

	CHECK_NEAR(mp_log_loss_multi(label, prob, 4, 3), 1.1512925464970227, TOL);
	CHECK(isnan(mp_log_loss_multi(label + 2, prob + 6, 1, 3)));
	CHECK(isnan(mp_log_loss_multi(label, prob, 0, 3)));
	/* -ln(1e-15 / (1e-15 + 0.5 + 0.5)) */
	CHECK_NEAR(mp_log_loss_multi(one, zero_row, 1, 3), -log(1e-15 / (1 + 1e-15)), 1e-9);
	CHECK_NEAR(mp_log_loss_multi(one, over_one, 1, 3), log(3), TOL);
}

TEST(metrics_argmax)
{
	const double tie[3] = { 0.4, 0.4, 0.2 }, nan_first[3] = { NAN, 0.1, 0.3 };
	const double all_nan[2] = { NAN, NAN };

	CHECK_INT(mp_argmax(tie, 3), 0);
	CHECK_INT(mp_argmax(nan_first, 3), 2);
	CHECK_INT(mp_argmax(all_nan, 2), -1);
	CHECK_INT(mp_argmax(tie, 0), -1);
}

/* k = 3, actual [0,0,1,3] (3 = unseen), predicted [0,1,1,0]; class 2 has
 * no rows and no predictions.
 * class 0: TP 1 (row 0), FP 1 (row 3, the unseen label), FN 1 (row 1):
 *   P 1/2, R 1/2, F1 1/2
 * class 1: TP 1 (row 2), FP 1 (row 1), FN 0: P 1/2, R 1, F1 2/3
 * class 2: all 0 (zero_division=0), listed
 * macro F1 = (1/2 + 2/3 + 0)/3 = 7/18 (sklearn f1_score(a, p,
 * labels=[0,1,2], average='macro', zero_division=0) = 0.38888888888888884);
 * accuracy 2/4; balanced accuracy over present classes (1/2 + 1)/2. */
TEST(metrics_class_metrics_unknown_and_empty_class)
{
	const int actual[4] = { 0, 0, 1, 3 }, pred[4] = { 0, 1, 1, 0 };
	struct mp_class_metrics m[3];
	size_t counts[9];

	mp_class_metrics(actual, pred, 4, 3, m);
	CHECK_INT(m[0].true_positives, 1);
	CHECK_INT(m[0].false_positives, 1);
	CHECK_INT(m[0].false_negatives, 1);
	CHECK_INT(m[0].true_negatives, 1);
	CHECK_INT(m[0].support, 2);
	CHECK_INT(m[0].predicted, 2);
	CHECK_NEAR(m[0].f1, 0.5, TOL);
	CHECK_INT(m[1].false_negatives, 0);
	CHECK_INT(m[1].true_negatives, 2);
	CHECK_NEAR(m[1].precision, 0.5, TOL);
	CHECK_NEAR(m[1].recall, 1.0, TOL);
	CHECK_NEAR(m[1].f1, 2.0 / 3, TOL);
	CHECK_INT(m[2].support, 0);
	CHECK_INT(m[2].true_negatives, 4);
	CHECK_NEAR(m[2].precision, 0, TOL);
	CHECK_NEAR(m[2].f1, 0, TOL);
	CHECK_NEAR(mp_macro_f1(m, 3), 7.0 / 18, TOL);
	CHECK_NEAR(mp_balanced_accuracy(m, 3), 0.75, TOL);
	CHECK_NEAR(mp_accuracy(actual, pred, 4), 0.5, TOL);
	/* The unseen row has no place in the 3 x 3 matrix. */
	CHECK_INT(mp_confusion_matrix(actual, pred, 4, 3, counts), 3);
	CHECK_INT(counts[0 * 3 + 0], 1);
	CHECK_INT(counts[0 * 3 + 1], 1);
	CHECK_INT(counts[1 * 3 + 1], 1);
	CHECK_INT(counts[2 * 3 + 2], 0);

	mp_class_metrics(actual, pred, 0, 3, m);
	CHECK(isnan(mp_macro_f1(m, 3)));
	CHECK(isnan(mp_balanced_accuracy(m, 3)));
	CHECK(isnan(mp_accuracy(actual, pred, 0)));
}

/* a = [1,2,3], p = [1,2,4]: SSE 1, SST 2 -> R² 0.5. Centred a [-1,0,1],
 * p [-4/3,-1/3,5/3]: Sap 3, Saa 2, Spp 42/9 -> r² = 9/(2·42/9) = 81/84.
 * RMSE sqrt(1/3), MAE 1/3. (sklearn r2_score 0.5; numpy corrcoef² 0.96428...) */
TEST(metrics_regression_hand)
{
	const double a[3] = { 1, 2, 3 }, p[3] = { 1, 2, 4 };

	CHECK_NEAR(mp_r_squared(a, p, 3), 0.5, TOL);
	CHECK_NEAR(mp_squared_correlation(a, p, 3), 81.0 / 84, TOL);
	CHECK_NEAR(mp_pearson_correlation(a, p, 3), sqrt(81.0 / 84), TOL);
	CHECK_NEAR(mp_rmse(a, p, 3), sqrt(1.0 / 3), TOL);
	CHECK_NEAR(mp_mae(a, p, 3), 1.0 / 3, TOL);
}

/* Zeros are values: a = [0,0,1], p = [0,1,1]: SSE 1, mean a 1/3,
 * SST 2/3 -> R² = 1 - 3/2 = -0.5 (sklearn r2_score: -0.4999999999999998). */
TEST(metrics_regression_zeros_counted)
{
	const double a[3] = { 0, 0, 1 }, p[3] = { 0, 1, 1 };

	CHECK_NEAR(mp_r_squared(a, p, 3), -0.5, TOL);
	CHECK_NEAR(mp_rmse(a, p, 3), sqrt(1.0 / 3), TOL);
}

TEST(metrics_regression_constant_and_empty)
{
	/* 0.1·3/3 is not exactly 0.1: a centred sum would leave SST ~ 1e-34. */
	const double a[3] = { 0.1, 0.1, 0.1 }, p[3] = { 0.1, 0.2, 0.4 };
	const double bad[3] = { NAN, 2, INFINITY }, q[3] = { 1, 2, 3 };

	CHECK(isnan(mp_r_squared(a, p, 3)));
	CHECK(isnan(mp_squared_correlation(a, p, 3)));
	CHECK(isnan(mp_squared_correlation(p, a, 3)));
	CHECK_NEAR(mp_mae(a, p, 3), (0.1 + 0.3) / 3, TOL);
	CHECK(isnan(mp_r_squared(a, p, 0)));
	CHECK(isnan(mp_rmse(a, p, 0)));
	CHECK(isnan(mp_mae(a, p, 0)));
	/* Non-finite rows are left out: one row (2, 2) remains. */
	CHECK_NEAR(mp_rmse(bad, q, 3), 0, TOL);
	CHECK(isnan(mp_r_squared(bad, q, 3)));
	CHECK(isnan(mp_squared_correlation(bad, q, 3)));
}
