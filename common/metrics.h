/* metrics.h — scalar evaluation metrics (binary, categorical, regression).
 *
 * Every value is an exact double: nothing is rounded here (the original
 * rounded rates to 2 decimals before integrating them, REFERENCE §10.26).
 * A metric that is undefined for its input (no rows, one class missing,
 * zero variance) is NaN, which jsonio writes as null.
 *
 * Row validity, the same in every function:
 *  - binary: a row counts only when its label is exactly 0 or 1 and its
 *    score is finite (the original treated every non-0 label, NaN
 *    included, as positive: §10.29). Scores outside [0,1] are valid: they
 *    rank like any other score.
 *  - categorical: labels are class codes 0..k-1; see each function for
 *    codes outside that range (an unseen label arrives as code k).
 *  - regression: a row counts when both values are finite. Zeros are
 *    ordinary values (the original skipped them: §10.31). */
#ifndef MP_METRICS_H
#define MP_METRICS_H

#include <stddef.h>

/* 1 when (label01, score) is a row the binary metrics use. */
int mp_binary_row_is_valid(double label01, double score);

/* Area under the ROC curve, exact: the Mann-Whitney statistic
 * P(score_pos > score_neg) + P(score_pos == score_neg)/2, i.e. the
 * trapezoid over every distinct score. NaN if either class is empty. */
double mp_roc_auc(const double *label01, const double *score, size_t n);

/* Kolmogorov-Smirnov statistic: the largest gap between the cumulative
 * score distributions of the two classes, = max over distinct thresholds
 * t of |TPR(t) - FPR(t)| with score >= t positive. NaN if a class is empty. */
double mp_ks_statistic(const double *label01, const double *score, size_t n);

/* Mean cross-entropy, p = P(label 1) clipped to [1e-15, 1 - 1e-15] so a
 * confident wrong answer costs about log(1e15) and never infinity. NaN if
 * no row. (scikit-learn 1.2 clips at machine epsilon, 2.2e-16, instead;
 * the two agree on every p inside the clip range.) */
double mp_log_loss_binary(const double *label01, const double *p, size_t n);

/* Share of rows with (score >= threshold) == label. NaN if no row. */
double mp_accuracy_binary(const double *label01, const double *score, size_t n,
			  double threshold);

/* Multi-class cross-entropy; prob is n x k row-major. Each row is clipped
 * to [1e-15, 1 - 1e-15] and renormalised to sum 1 (as scikit-learn does).
 * Rows whose label is outside 0..k-1 (unseen in training: the model has no
 * probability for it) or with a non-finite probability are skipped; the
 * analysis reports how many labels were unseen. NaN if no row is left. */
double mp_log_loss_multi(const int *label, const double *prob, size_t n, int k);

/* Index of the largest of v[0..k) (ties: the lowest index; NaN entries
 * never win). -1 if k < 1 or every entry is NaN. */
int mp_argmax(const double *v, int k);

/* Share of rows with actual == predicted. A label outside 0..k-1 never
 * equals a prediction, so unseen labels count as wrong. NaN if n == 0. */
double mp_accuracy(const int *actual, const int *predicted, size_t n);

/* counts[a * k + p] = rows with actual a and prediction p (rows: actual,
 * columns: predicted). Rows with either code outside 0..k-1 are not
 * placed; returns the number of rows placed. counts must hold k*k. */
size_t mp_confusion_matrix(const int *actual, const int *predicted, size_t n, int k,
			   size_t *counts);

/* One class seen one-vs-rest. Precision, recall and F1 are 0 when their
 * denominator is 0 (scikit-learn's zero_division=0), so a class that is
 * neither predicted nor present still has F1 0 and pulls macro F1 down. */
struct mp_class_metrics {
	size_t support;         /* rows whose actual label is the class */
	size_t predicted;       /* rows predicted as the class */
	size_t true_positives;  /* actual c, predicted c */
	size_t false_positives; /* actual != c (unseen labels included), predicted c */
	size_t false_negatives; /* actual c, predicted != c */
	size_t true_negatives;  /* actual != c, predicted != c */
	double precision, recall, f1;
};

/* Fills out[0..k) from n rows. An actual code outside 0..k-1 (unseen
 * label) is a row of no class: a false positive for the class predicted. */
void mp_class_metrics(const int *actual, const int *predicted, size_t n, int k,
		      struct mp_class_metrics *out);
/* Unweighted mean of F1 over all k classes. NaN if k < 1 or no row at all
 * (every class with support 0 and no prediction). */
double mp_macro_f1(const struct mp_class_metrics *m, int k);
/* Mean recall over the classes with support > 0 (scikit-learn's
 * balanced_accuracy_score; the original UI's "accuracy"). NaN if none. */
double mp_balanced_accuracy(const struct mp_class_metrics *m, int k);

/* Coefficient of determination 1 - SSE/SST. NaN if no row or SST == 0
 * (constant actual values: R² is undefined, never a division by zero). */
double mp_r_squared(const double *actual, const double *predicted, size_t n);
/* Pearson correlation and its square (what the original called r_squared).
 * NaN if fewer than 2 rows or either side is constant. */
double mp_pearson_correlation(const double *actual, const double *predicted, size_t n);
double mp_squared_correlation(const double *actual, const double *predicted, size_t n);
/* sqrt(mean (a - p)²) and mean |a - p|. NaN if no row. */
double mp_rmse(const double *actual, const double *predicted, size_t n);
double mp_mae(const double *actual, const double *predicted, size_t n);

#endif
