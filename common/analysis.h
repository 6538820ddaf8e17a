/* analysis.h — the evaluation analysis of one prediction set, as JSON.
 *
 * Each function returns a new cJSON object (the caller owns it and adds
 * "format": "mlpipe/analysis/1" and its metadata). It holds every field
 * the original computed (REFERENCE §5.1-5.3) with its bugs fixed
 * (§10.26-31): exact rates, nothing rounded, no row silently dropped, and
 * an undefined value (empty group, zero variance, one class missing) is
 * null, never NaN and never a crash. Every body starts with "summary",
 * whose "rows" counts the rows evaluated and "invalid_rows" the rows left
 * out (so rows + invalid_rows = n).
 *
 * Binary (actual01 = label 0/1, p_true = P(label 1)):
 *   summary: auc (exact, ties half), ks (max gap of the classes' cumulative
 *     score distributions), accuracy (score >= accuracy_threshold 0.5 is
 *     positive), accuracy_threshold, log_loss, rows, positives, negatives,
 *     invalid_rows
 *   total_count, actual_1_count, actual_0_count, actual_1_rate, actual_0_rate
 *   score_statistics: {total, actual_1, actual_0} each {count, mean, median,
 *     minimum, maximum}
 *   score_distribution: below_range_count (score < 0), above_range_count
 *     (score > 1), out_of_range_count (their sum; those rows are clamped into
 *     the first / last bucket, never lost), and one_percent (101 buckets),
 *     five_percent (21), ten_percent (11), each {bucket_width,
 *     bucket_lower_bound[], total[], actual_1[], actual_0[],
 *     actual_1_rate[] (= actual_1/total of the bucket, null if empty),
 *     actual_0_rate[], cumulative_share_total[], cumulative_share_actual_1[],
 *     cumulative_share_actual_0[] (share of the group in buckets <= i; null
 *     if the group is empty), cumulative_gap[] (= cumulative_share_actual_0
 *     - cumulative_share_actual_1: the KS curve)}.
 *     The 1% bucket is b = min(floor(score*100 + 1e-9), 100) (the 1e-9
 *     absorbs representation error: 0.29 lands in 29, not 28); the 5% and
 *     10% buckets are b/5 and b/10, so the three agree.
 *   threshold_sweep: 101 thresholds t = i/100, a row is predicted positive
 *     when score >= t (a score equal to t is positive): threshold[],
 *     true_positives[], false_positives[], true_negatives[],
 *     false_negatives[], share_at_or_above_total[],
 *     share_at_or_above_actual_1[], share_at_or_above_actual_0[]
 *   roc_distribution: 101 x {threshold, true_positive_rate,
 *     false_positive_rate}
 *   accuracy_distribution: 101 x {threshold, accuracy_rate, error_rate,
 *     true_positive_rate, true_negative_rate, false_positive_rate,
 *     false_negative_rate} (each rate from counts, not 1 - another rate)
 *   Rows whose label is not exactly 0 or 1, or whose score is not finite,
 *   are counted in invalid_rows and left out of everything else.
 *
 * Categorical (actual = class code, prob = n x k row-major probabilities):
 *   The prediction is the most probable class (ties: the lowest code).
 *   summary: accuracy, macro_f1, balanced_accuracy (mean recall over the
 *     classes present), log_loss, rows, unknown_label_count, invalid_rows
 *   categories: the k class names in code order
 *   per_class: {name: {support, observation_rate, predicted_count,
 *     prediction_rate, true_positives, false_positives, false_negatives,
 *     true_negatives, precision, recall, f1}} in code order. Precision,
 *     recall and F1 are 0 when undefined (scikit-learn zero_division=0), so
 *     a class nobody predicted and nobody had is listed with F1 0 and
 *     counts in macro_f1 (an average over all k classes).
 *   confusion_matrix: {counts: k x k (rows actual, columns predicted),
 *     row_rates: k x k (count / row total; a class with no rows has a null
 *     row)}
 *   unknown_label: {count, predicted_counts[k]}: rows whose actual label
 *     was unseen in training (code k, or any code outside 0..k-1). They are
 *     rows like the others (in rows, observation and prediction rates,
 *     accuracy), always a wrong prediction (a false positive of the class
 *     predicted), but have no row in the matrix and are left out of
 *     log_loss, which has no probability for them.
 *   Rows with a non-finite probability (or, for the _predicted variant, a
 *   prediction outside 0..k-1) are counted in invalid_rows and left out.
 *
 * Regression:
 *   summary: r_squared (1 - SSE/SST; null when the actual values are
 *     constant), squared_correlation (Pearson r², the original's
 *     "r_squared"), rmse, mae, rows, invalid_rows
 *   count, correlation, mean_error (mean of predicted - actual)
 *   actual, predicted: {mean, median, minimum, maximum,
 *     standard_deviation (n - 1 denominator; null below 2 rows)}
 *   value_range: {minimum, maximum, interval} over actual and predicted
 *     together; interval = (maximum - minimum)/10 unrounded (0 when every
 *     value is equal: then all rows are in the first bucket)
 *   distributions_count: 10 x {lower, upper, label "lower to upper",
 *     actual, predicted}: rows per equal-width bucket (the top edge is in
 *     the last bucket; zeros are counted like any value; [] when no row)
 *   confidence_band: {z_75, z_95, z_99}: half-widths rmse*z of the 75/95/99%
 *     bands (z = 1.15035, 1.95996, 2.57583), unrounded
 *   regression_distributions: 3 x {points_requested (1000, 500, 100),
 *     maximum, minimum, points: [{actual, predicted}]}: an even sample of
 *     the rows sorted by actual, point j = row floor(j*n/(M+1)), j = 0..M;
 *     with n <= M+1 rows, every row once
 *   Rows with a non-finite value are counted in invalid_rows and left out. */
#ifndef MP_ANALYSIS_H
#define MP_ANALYSIS_H

#include <stddef.h>

#include <cjson/cJSON.h>

cJSON *mp_analysis_binary(const double *actual01, const double *p_true, size_t n);

/* actual == k means a label unseen in training: counted in
 * unknown_label_count and always a wrong prediction. class_names may be
 * NULL (names are then the codes "0", "1", ...). */
cJSON *mp_analysis_categorical(const int *actual, const double *prob, size_t n, int k,
			       char *const *class_names);
/* The same with the prediction given (e.g. a tree's own predicted label);
 * prob may be NULL (log_loss is then null). */
cJSON *mp_analysis_categorical_predicted(const int *actual, const int *predicted,
					 const double *prob, size_t n, int k,
					 char *const *class_names);

cJSON *mp_analysis_regression(const double *actual, const double *predicted, size_t n);

#endif
